#!/usr/bin/env bash
# The default ruleset, rule by rule, over crafted captures. Usage: rules_replay.sh FALCOC SRCDIR
#  1. e2e_mkcap writes one small .scap per scenario into the build directory, with a manifest
#     (tests/e2e/mkcap.c holds the scenarios and what each must raise);
#  2. each capture is replayed by falcod with the built-in default ruleset and rule_matching all:
#     a trigger must raise exactly its rule (no other rule), a benign look-alike no alert at all;
#  3. every rule of rules/falcod_rules.yaml (falcod -L) has at least one trigger and one benign
#     scenario;
#  4. the captures also pass through a bundle compiled from rules/falcod_rules.yaml (falcoc
#     compile), with the same alerts as the built-in YAML.
set -uo pipefail
source "$(dirname "$0")/common.bash"
e2e_init "$@"
[ -x "$mkcap" ] || e2e_skip "no e2e_mkcap binary next to $falcoc"
e2e_workdir rules-replay
caps=$work/captures
"$mkcap" "$caps" || { echo "FAIL: e2e_mkcap"; exit 1; }
"$falcoc" compile "$src/rules/falcod_rules.yaml" -o "$work/default.bundle" 2>"$work/compile.err" ||
	{ echo "FAIL: falcoc compile"; cat "$work/compile.err"; exit 1; }

# The rules that fired, sorted, ';'-separated ("-" for none).
fired() {
	python3 -c 'import json,sys; r=sorted({json.loads(l)["rule"] for l in sys.stdin if l.strip()}); print(";".join(r) or "-")'
}

declare -A trig ben
while IFS=$'\t' read -r name kind rule args; do
	xa=()
	[ "$args" != - ] && IFS='|' read -r -a xa <<< "$args"
	# The two runs at once (2 cores); each one's status lands in a file.
	for how in yaml bundle; do
		ra=()
		[ $how = bundle ] && ra=(-r "$work/default.bundle")
		{
			"$falcod" -c "$cfg" "${ra[@]}" --replay "$caps/$name.scap" "${xa[@]}" >"$work/$name.$how.out" 2>"$work/$name.$how.err"
			echo $? > "$work/$name.$how.rc"
		} &
	done
	wait
	for how in yaml bundle; do
		rc=$(cat "$work/$name.$how.rc")
		got=$(fired < "$work/$name.$how.out")
		want=-
		[ "$kind" = trigger ] && want=$rule
		if [ $rc -ne 0 ]; then
			bad "$name ($how): falcod exit $rc: $(tail -3 "$work/$name.$how.err")"
		elif ! grep -q ' 0 malformed events skipped, 0 of unknown types skipped' "$work/$name.$how.err"; then
			bad "$name ($how): capture problems: $(grep 'capture:' "$work/$name.$how.err")"
		elif [ "$got" != "$want" ]; then
			bad "$name ($how): $kind of '$rule': raised [$got], expected [$want]"
		else
			ok
		fi
	done
	if [ "$kind" = trigger ]; then
		trig[$rule]=$((${trig[$rule]:-0} + 1))
	else
		ben[$rule]=$((${ben[$rule]:-0} + 1))
	fi
done < "$caps/manifest.tsv"

# Coverage: every rule of the default ruleset has a trigger and a benign look-alike.
"$falcod" -c "$cfg" -L | sed 1d | sed -E 's/ {2,}(Emergency|Alert|Critical|Error|Warning|Notice|Informational|Debug) .*//' > "$work/rules.txt"
nrules=0
while IFS= read -r r; do
	nrules=$((nrules + 1))
	if [ -z "${trig[$r]:-}" ]; then bad "rule '$r' has no trigger capture"; else ok; fi
	if [ -z "${ben[$r]:-}" ]; then bad "rule '$r' has no benign capture"; else ok; fi
done < "$work/rules.txt"
[ "$nrules" -ge 40 ] && ok || bad "only $nrules rules listed by falcod -L"
for r in "${!trig[@]}" "${!ben[@]}"; do
	grep -qxF -- "$r" "$work/rules.txt" || bad "scenario rule '$r' is not in the default ruleset"
done
echo "$(wc -l < "$caps/manifest.tsv") captures, $nrules rules covered (trigger and benign each)"
e2e_finish
