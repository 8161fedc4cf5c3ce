#!/usr/bin/env bash
# Golden dumps of the back end. Usage: backend_golden.sh FALCOC SRCDIR
# For each tests/golden/backend/NAME.yaml, run from that directory:
#   falcoc dump --stage=ir NAME.yaml            vs NAME.ir.expected     (graphs, unoptimised)
#   falcoc dump --stage=opt NAME.yaml           vs NAME.opt.expected    (graphs, every pass)
#   falcoc dump --stage=bc NAME.yaml            vs NAME.bc.expected     (bytecode, optimised)
#   falcoc dump --stage=bc --no-opt NAME.yaml   vs NAME.bc-noopt.expected
# and for each tests/golden/kern/NAME.yaml the kernel part (syscall selection and predicate
# programs, compiler/split.c):
#   falcoc dump --stage=kern NAME.yaml          vs NAME.kern.expected
# Output is stdout then stderr, then "exit N". UPDATE=1 rewrites the expected files.
set -uo pipefail
falcoc=$(realpath "$1")
golden=$2/tests/golden
fail=0 n=0
check() { # dir yaml expected-file args...
	local dir=$1 y=$2 exp=$3
	shift 3
	local got
	got=$(cd "$dir" && { "$falcoc" "$@" "$y" 2>/tmp/fc_bg_err.$$; echo "exit $?"; }; cat /tmp/fc_bg_err.$$)
	rm -f /tmp/fc_bg_err.$$
	n=$((n + 1))
	if [ -n "${UPDATE:-}" ]; then
		printf '%s\n' "$got" >"$dir/$exp"
		return
	fi
	if ! diff -u "$dir/$exp" <(printf '%s\n' "$got"); then
		echo "FAIL: $y ($*)"
		fail=$((fail + 1))
	fi
}
for y in "$golden"/backend/*.yaml; do
	b=$(basename "$y" .yaml)
	check "$golden/backend" "$b.yaml" "$b.ir.expected" dump --stage=ir
	check "$golden/backend" "$b.yaml" "$b.opt.expected" dump --stage=opt
	check "$golden/backend" "$b.yaml" "$b.bc.expected" dump --stage=bc
	check "$golden/backend" "$b.yaml" "$b.bc-noopt.expected" dump --stage=bc --no-opt
done
for y in "$golden"/kern/*.yaml; do
	b=$(basename "$y" .yaml)
	check "$golden/kern" "$b.yaml" "$b.kern.expected" dump --stage=kern
done
# falcoc compile: the default ruleset twice gives the same bytes; errors write nothing
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=$((n + 1))
if ! "$falcoc" compile -o "$tmp/a.bundle" 2>"$tmp/err" || ! "$falcoc" compile -o "$tmp/b.bundle" 2>/dev/null ||
	! cmp -s "$tmp/a.bundle" "$tmp/b.bundle" || ! grep -q "rules, .* programs .* instructions, .* bytes" "$tmp/err" ||
	[ "$(head -c 8 "$tmp/a.bundle")" != "FCBUNDL" ]; then
	echo "FAIL: compile of the default ruleset"
	cat "$tmp/err"
	fail=$((fail + 1))
fi
n=$((n + 1))
printf -- '- rule: r\n  desc: d\n  condition: proc.nme = x\n  output: o\n  priority: INFO\n' >"$tmp/bad.yaml"
"$falcoc" compile "$tmp/bad.yaml" -o "$tmp/bad.bundle" 2>"$tmp/err"
rc=$?
if [ $rc -ne 1 ] || [ -e "$tmp/bad.bundle" ] || ! grep -q "nonexistent field proc.nme" "$tmp/err"; then
	echo "FAIL: compile with errors (exit $rc)"
	fail=$((fail + 1))
fi
echo "$((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
