#!/usr/bin/env bash
# Bundles are arch-neutral (issue 7). Usage: portable.sh FALCOC SRCDIR
#  1. the same rules compiled by FALCOC and by a falcoc built for the other arch (x86_64 vs
#     aarch64, the foreign one started through binfmt_misc/qemu-user) give byte-identical
#     bundles: the default ruleset, every tests/golden{,/backend} and tests/loader ruleset that compiles,
#     optimised and --no-opt;
#  2. when falcod is built next to both: each shared capture replayed by each arch's falcod
#     with each arch's bundle (4 combinations) gives the same alerts.
# The other falcoc: $FC_PORTABLE_FALCOC (scripts/test-aarch64 sets it), else a SRCDIR/build*/falcoc
# of the other arch that is newer than every source file (a stale one would prove nothing).
# Skips (77) when there is none.
set -uo pipefail
falcoc=$(realpath "$1")
src=$(realpath "$2")
machine() { od -An -tu2 -j18 -N2 "$1" 2>/dev/null | tr -d ' '; } # ELF e_machine
arch_of() { case $(machine "$1") in 62) echo x86_64 ;; 183) echo aarch64 ;; *) echo "?" ;; esac; }
mine=$(arch_of "$falcoc")
other=${FC_PORTABLE_FALCOC:-}
if [ -z "$other" ]; then
	for c in "$src"/build*/falcoc; do
		[ -x "$c" ] || continue
		a=$(arch_of "$c")
		[ "$a" != "$mine" ] && [ "$a" != "?" ] || continue
		[ -z "$(find "$src/compiler" "$src/runtime" "$src/grammar" "$src/rules" -newer "$c" -print -quit)" ] || continue
		other=$(realpath "$c")
		break
	done
fi
[ -n "$other" ] || { echo "skip: no up-to-date falcoc for an arch other than $mine"; exit 77; }
theirs=$(arch_of "$other")
[ "$theirs" != "$mine" ] || { echo "FAIL: $other is also $mine"; exit 1; }
"$other" --help >/dev/null 2>&1 || { echo "skip: $other ($theirs) cannot run here (binfmt_misc?)"; exit 77; }
echo "comparing $mine $falcoc with $theirs $other"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
declare -A fc=([$mine]=$falcoc [$theirs]=$other)

# Rules whose alerts print many fields of every kind (for part 2), also compared in part 1.
cat > "$tmp/portable.yaml" <<'YAML'
- rule: every syscall
  desc: portability check, one alert per syscall exit
  condition: syscall.type exists
  output: >
    %evt.num %evt.time %evt.type %evt.res %evt.args proc=%proc.name pid=%proc.pid
    ppid=%proc.ppid exe=%proc.exepath cmd=%proc.cmdline pcmd=%proc.pcmdline fd=%fd.name
    fdtype=%fd.type user=%user.name uid=%user.uid ctr=%container.id image=%container.image
  priority: INFO
- rule: files below etc
  desc: portability check, string operators
  condition: evt.type in (open, openat, openat2) and (fd.name startswith /etc or fd.name glob "*.so*")
  output: file %fd.name flags=%evt.arg.flags dir=%fd.directory base=%fd.filename
  priority: NOTICE
- rule: network
  desc: portability check, addresses
  condition: fd.type in (ipv4, ipv6) and evt.type in (connect, accept, accept4, sendto, recvfrom)
  output: net %fd.name sip=%fd.sip sport=%fd.sport cip=%fd.cip cport=%fd.cport proto=%fd.l4proto
  priority: WARNING
YAML

# --- 1. identical bundles ---
inputs=("" "$tmp/portable.yaml")
for y in "$src"/tests/golden/*.yaml "$src"/tests/golden/backend/*.yaml "$src"/tests/loader/*.yaml; do
	"$falcoc" validate -q "$y" >/dev/null 2>&1 && inputs+=("${y#"$src"/}")
done
for in in "${inputs[@]}"; do
	for opt in "" --no-opt; do
		n=$((n + 1))
		case $in in "") base=default ;; "$tmp"/*) base=$(basename "$in" .yaml) ;; *) base=$in ;; esac
		name=$(printf '%s' "$base$opt" | tr '/.' '__')
		for a in "$mine" "$theirs"; do
			# same cwd and relative paths: the bundle's source map records file names
			(cd "$src" && "${fc[$a]}" compile -q $opt ${in:+"$in"} -o "$tmp/$name.$a.bundle" 2>"$tmp/$name.$a.err") ||
				{ echo "FAIL: $a falcoc compile ${in:-<default>} $opt"; cat "$tmp/$name.$a.err"; fail=$((fail + 1)); continue 2; }
		done
		if ! cmp "$tmp/$name.$mine.bundle" "$tmp/$name.$theirs.bundle"; then
			echo "FAIL: ${in:-default ruleset} $opt: bundles differ between $mine and $theirs"
			for a in "$mine" "$theirs"; do
				(cd "$src" && "${fc[$a]}" dump --stage bc $opt ${in:+"$in"} >"$tmp/$name.$a.dump" 2>&1)
			done
			diff "$tmp/$name.$mine.dump" "$tmp/$name.$theirs.dump" | head -20
			fail=$((fail + 1))
		fi
	done
done
echo "bundles: $n compiled on both arches"

# --- 2. the same alerts from either arch's falcod and either arch's bundle ---
caps=$src/../shared/captures
fd_mine=$(dirname "$falcoc")/falcod
fd_theirs=$(dirname "$other")/falcod
if [ -x "$fd_mine" ] && [ -x "$fd_theirs" ] && [ -d "$caps" ]; then
	declare -A fd=([$mine]=$fd_mine [$theirs]=$fd_theirs)
	printf 'syslog_output:\n  enabled: false\nrule_matching: all\n' > "$tmp/cfg.yaml"
	export TZ=UTC
	ncap=0
	for cap in "$caps"/*.scap; do
		c=$(basename "$cap" .scap)
		ncap=$((ncap + 1))
		for d in "$mine" "$theirs"; do
			for b in "$mine" "$theirs"; do
				n=$((n + 1))
				for r in default portable; do
					"${fd[$d]}" -c "$tmp/cfg.yaml" -r "$tmp/$r.$b.bundle" --replay "$cap" --json \
						>>"$tmp/$c.$d.$b.alerts" 2>"$tmp/$c.$d.$b.err" ||
						{ echo "FAIL: $d falcod, $b bundle, $r, $c"; tail -5 "$tmp/$c.$d.$b.err"; fail=$((fail + 1)); }
				done
			done
		done
		base=$tmp/$c.$mine.$mine.alerts
		[ -s "$base" ] || { echo "FAIL: no alerts from $c"; fail=$((fail + 1)); }
		for f in "$tmp/$c".*.alerts; do
			cmp -s "$base" "$f" || { echo "FAIL: $c: $(basename "$f") differs from $(basename "$base")";
				diff "$base" "$f" | head -10; fail=$((fail + 1)); }
		done
		echo "$c: $(wc -l < "$base") alerts, identical for falcod x bundle in {$mine,$theirs}^2"
	done
	[ $ncap -gt 0 ] || { echo "FAIL: no captures in $caps"; fail=$((fail + 1)); }
else
	echo "alerts: not compared (needs falcod next to both falcoc and the shared captures)"
fi
echo "$((n - fail))/$n portability checks passed"
[ $fail -eq 0 ]
