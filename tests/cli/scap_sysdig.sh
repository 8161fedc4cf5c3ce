#!/usr/bin/env bash
# Captures written by runtime/scapw.c open in Debian's sysdig (an independent reader of the
# .scap format). Usage: scap_sysdig.sh FALCOC SRCDIR (FALCOC locates the build directory).
#  1. a synthetic capture (machine info, a process, an fd, openat/close exits): sysdig prints
#     every event, with the process name and the fd name taken from our process and fd lists;
#     a process whose command line (8187 bytes) and fd name (1500) exceed libscap's limits
#     is written cut to them, and sysdig still opens the file (it refuses longer fields);
#  2. each shared capture rewritten (gzip and plain): sysdig prints as many events as for the
#     original, and the same lines for the captures without user lists.
# Exit 77 (skip) when sysdig is not installed or no C compiler is available.
set -uo pipefail
build=$(dirname "$(realpath "$1")")
src=$(realpath "$2")
if ! command -v sysdig >/dev/null 2>&1; then
	echo "scap_sysdig: sysdig not installed (apt-get install -y sysdig): skipped"
	exit 77
fi
# The build's own compiler (a cross build links its libfcruntime.a with the cross compiler; the
# helper then runs through binfmt_misc).
cc=${CC:-$(sed -n 's/^set(CMAKE_C_COMPILER "\(.*\)")$/\1/p' "$build"/CMakeFiles/*/CMakeCCompiler.cmake 2>/dev/null | head -1)}
cc=${cc:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "scap_sysdig: no C compiler to build the writer helper: skipped"
	exit 77
fi
# In the build directory: a program run from /tmp is what "Execution from Temporary Directory" alerts on.
tmp=$(mktemp -d "$(dirname "$(realpath "$1")")/tmp-scap_sysdig.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
flags=()
if grep -q '^FC_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
	flags=(-fsanitize=address,undefined)
fi
if ! "$cc" -std=c11 -D_GNU_SOURCE "${flags[@]}" -I"$src/runtime" "$src/tests/cli/scapw_tool.c" \
	"$build/libfcruntime.a" -lz -lpcre2-8 -o "$tmp/scapw_tool"; then
	echo "FAIL: cannot build the writer helper"
	exit 1
fi
fail=0

# 1. synthetic capture
wrote=$("$tmp/scapw_tool" synth "$tmp/synth.scap" 5) || { echo "FAIL: synth"; exit 1; }
if [ "$wrote" != "wrote 12 events, 3 strings cut" ]; then
	echo "FAIL: synth: $wrote (want 12 events, 3 strings cut: args, env, fd name)"
	fail=1
fi
out=$(sysdig -r "$tmp/synth.scap" -p '%evt.num %proc.name %evt.type %fd.name %evt.args' 2>&1)
n=$(printf '%s\n' "$out" | grep -c .)
if [ "$n" != 12 ]; then
	echo "FAIL: sysdig shows $n events of the synthetic capture, want 12"
	printf '%s\n' "$out"
	fail=1
fi
want='1 scapwcat openat /etc/passwd fd=3(<f>/etc/passwd) dirfd=-100(AT_FDCWD) name=/etc/passwd flags=4097(O_RDONLY|O_CLOEXEC)'
if ! printf '%s\n' "$out" | grep -qF "$want"; then
	echo "FAIL: sysdig output lacks: $want"
	printf '%s\n' "$out"
	fail=1
fi
if ! printf '%s\n' "$out" | grep -q '^10 scapwcat close /etc/passwd res=0'; then
	echo "FAIL: last close event missing"
	fail=1
fi
# The long fd name arrives cut to 1023 bytes, on the long-command-line process.
name=$(printf '%s\n' "$out" | sed -n 's/^12 bigargs close \([^ ]*\) res=0.*/\1/p')
if [ "${#name}" != 1023 ]; then
	echo "FAIL: sysdig shows an fd name of ${#name} bytes for the oversized process's close, want 1023"
	printf '%s\n' "$out" | tail -1 | cut -c1-200
	fail=1
fi
sysdig -r "$tmp/synth.scap" -p '%proc.cmdline' 'proc.pid=4343' >"$tmp/cmd.txt" 2>&1
if ! grep -q '^bigargs ' "$tmp/cmd.txt"; then
	echo "FAIL: sysdig does not show the oversized process's command line"
	head -c 300 "$tmp/cmd.txt"
	fail=1
fi

# 2. shared captures, rewritten
samples="$src/../shared/captures"
if [ -d "$samples" ]; then
	for f in "$samples"/*.scap; do
		b=$(basename "$f" .scap)
		for gz in 1 0; do
			"$tmp/scapw_tool" copy "$f" "$tmp/$b.$gz.scap" "$gz" >/dev/null || {
				echo "FAIL: copy $b"
				fail=1
				continue
			}
			sysdig -r "$f" >"$tmp/orig.txt" 2>&1
			sysdig -r "$tmp/$b.$gz.scap" >"$tmp/copy.txt" 2>&1
			no=$(wc -l <"$tmp/orig.txt")
			nc=$(wc -l <"$tmp/copy.txt")
			if [ "$no" != "$nc" ] || [ "$no" -lt 10 ]; then
				echo "FAIL: $b (gzip=$gz): sysdig shows $nc lines, $no for the original"
				fail=1
			fi
			# User names come from the user list, which the writer does not emit.
			if ! diff <(sed 's/([a-z_][a-z0-9_-]*)/(U)/g; s/(<NA>)/(U)/g' "$tmp/orig.txt") \
				<(sed 's/([a-z_][a-z0-9_-]*)/(U)/g; s/(<NA>)/(U)/g' "$tmp/copy.txt") >/dev/null; then
				echo "FAIL: $b (gzip=$gz): sysdig output differs from the original's"
				diff "$tmp/orig.txt" "$tmp/copy.txt" | head -5
				fail=1
			fi
		done
	done
else
	echo "scap_sysdig: shared captures absent, rewrite check not run"
fi
[ "$fail" = 0 ] && echo "scap_sysdig: ok"
exit "$fail"
