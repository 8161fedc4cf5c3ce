#!/usr/bin/env bash
# Golden tests of falcoc's output. Usage: expected.sh FALCOC SRCDIR
#  tests/golden/NAME.yaml    → `falcoc describe NAME.yaml`            vs NAME.expected
#  tests/errors/NAME.yaml    → `falcoc validate NAME.yaml` (text)     vs NAME.expected
#  tests/errors/NAME.falco.yaml / NAME.json.yaml use --format falco / json.
# Output is stdout then stderr, then "exit N". UPDATE=1 rewrites the expected files.
set -uo pipefail
falcoc=$(realpath "$1")
src=$2
fail=0 n=0
check() { # dir file expected-file args...
	local dir=$1 y=$2 exp=$3
	shift 3
	local got
	got=$(cd "$dir" && { "$falcoc" "$@" ${y:+"$y"} 2>/tmp/fc_err.$$; echo "exit $?"; } ; cat /tmp/fc_err.$$)
	rm -f /tmp/fc_err.$$
	n=$((n + 1))
	if [ -n "${UPDATE:-}" ]; then
		printf '%s\n' "$got" > "$dir/$exp"
		return
	fi
	if ! diff -u "$dir/$exp" <(printf '%s\n' "$got"); then
		echo "FAIL: $dir/$y"
		fail=$((fail + 1))
	fi
}
for y in "$src"/tests/golden/*.yaml; do
	b=$(basename "$y" .yaml)
	check "$src/tests/golden" "$b.yaml" "$b.expected" describe
done
# the built-in default ruleset, as compiled (expansion and event types of all its rules)
check "$src/tests/golden" "" default_ruleset.expected describe --format text
for y in "$src"/tests/errors/*.yaml; do
	b=$(basename "$y" .yaml)
	case $b in
	*.falco) check "$src/tests/errors" "$b.yaml" "$b.expected" validate --format falco ;;
	*.json) check "$src/tests/errors" "$b.yaml" "$b.expected" validate --format json ;;
	*) check "$src/tests/errors" "$b.yaml" "$b.expected" validate --color never ;;
	esac
done
echo "$((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
