#!/usr/bin/env bash
# e2e_mkcap's --bulk arguments (the alert stream of the output tests, tests/e2e/outputs.bash):
# an N that is not a count from 1 to 10000000, or an output that is not a .scap file, is refused
# with its message and exit 2 and writes nothing; a good N writes the capture.
# Usage: mkcap_args.sh FALCOC SRCDIR
set -uo pipefail
mkcap=$(dirname "$(realpath "$1")")/e2e_mkcap
[ -x "$mkcap" ] || { echo "skip: no e2e_mkcap binary next to $1"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

refused() { # EXPECTED_STDERR OUT N
	"$mkcap" --bulk "$2" "$3" > "$tmp/out" 2> "$tmp/err"
	local rc=$?
	if [ $rc -ne 2 ] || [ "$(cat "$tmp/err")" != "$1" ] || [ -e "$2" ]; then
		echo "FAIL: --bulk $2 $3: exit $rc, stderr '$(cat "$tmp/err")', expected exit 2 and '$1'"
		fails=$((fails + 1))
	fi
}
for n in abc 0 -3 5x "" 10000001 99999999999999999999; do
	refused "e2e_mkcap --bulk: N must be a number of alerts from 1 to 10000000, not '$n'" "$tmp/b.scap" "$n"
done
refused "e2e_mkcap --bulk: the output must be a .scap file" "$tmp/b.txt" 3

if ! "$mkcap" --bulk "$tmp/b.scap" 3 > /dev/null || [ ! -s "$tmp/b.scap" ]; then
	echo "FAIL: --bulk $tmp/b.scap 3 wrote no capture"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ] && echo "mkcap_args: ok"
exit $((fails > 0))
