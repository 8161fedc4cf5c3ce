#!/usr/bin/env bash
# Golden dumps of the kernel part (syscall selection and predicate programs, compiler/split.c).
# Usage: kern_golden.sh FALCOC SRCDIR. For each tests/golden/kern/NAME.yaml, run from that
# directory `falcoc dump --stage=kern NAME.yaml` against NAME.kern.expected (stdout, then
# stderr, then "exit N"). UPDATE=1 rewrites the expected files.
set -uo pipefail
falcoc=$(realpath "$1")
dir=$2/tests/golden/kern
fail=0 n=0
for y in "$dir"/*.yaml; do
	b=$(basename "$y" .yaml)
	got=$(cd "$dir" && { "$falcoc" dump --stage=kern "$b.yaml" 2>/tmp/fc_kg_err.$$; echo "exit $?"; }; cat /tmp/fc_kg_err.$$)
	rm -f /tmp/fc_kg_err.$$
	n=$((n + 1))
	if [ -n "${UPDATE:-}" ]; then
		printf '%s\n' "$got" >"$dir/$b.kern.expected"
		continue
	fi
	if ! diff -u "$dir/$b.kern.expected" <(printf '%s\n' "$got"); then
		echo "FAIL: $b"
		fail=$((fail + 1))
	fi
done
echo "kern_golden: $n dumps, $fail failed"
[ "$fail" -eq 0 ]
