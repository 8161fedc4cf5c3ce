#!/usr/bin/env bash
# Reload without losing events (live, root). Usage: reload.sh FALCOC SRCDIR.
# A generator creates uniquely numbered files (openat with O_CREAT) under a temp directory at a
# steady pace from before the first reload until after the last, while the test triggers 20 reloads, alternating how (rewriting the watched rules
# file: inotify; SIGHUP) and what (rules A, rules B, and an invalid file every third time).
# Checks: every numbered file is alerted exactly once (no event lost or doubled across the
# swaps), both rulesets alerted, every invalid ruleset was rejected with its diagnostic and every
# valid one swapped in, falcod kept running. Prints the swap times.
# Skips (77) without root, without the probe (no BPF / BTF), or without falcod.
set -uo pipefail
falcoc=$(realpath "$1")
falcod=$(dirname "$falcoc")/falcod
[ -x "$falcod" ] || { echo "skip: no falcod binary"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (the eBPF probe)"; exit 77; }
tmp=$(mktemp -d /tmp/falcod-reload.XXXXXX)
fpid=
cleanup() { [ -n "$fpid" ] && kill "$fpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -p "$tmp/gen" "$tmp/rules"
printf 'syslog_output:\n  enabled: false\nwatch_config_files: true\n' > "$tmp/cfg.yaml"
rules() { # name
	cat <<EOF
- rule: gen $1
  desc: numbered files of the reload test ($1)
  condition: evt.type in (open, openat, openat2) and fd.name startswith $tmp/gen/
  output: "rules=$1 file=%fd.name end"
  priority: WARNING
EOF
}
rules A > "$tmp/A.yaml"
rules B > "$tmp/B.yaml"
cat > "$tmp/BAD.yaml" <<EOF
- rule: gen broken
  desc: an unknown field
  condition: evt.type = openat and fd.nmae startswith $tmp/gen/
  output: "broken %fd.name"
  priority: WARNING
EOF
cp "$tmp/A.yaml" "$tmp/rules/active.yaml"
"$falcod" -c "$tmp/cfg.yaml" -r "$tmp/rules/active.yaml" > "$tmp/out" 2> "$tmp/err" &
fpid=$!
for _ in $(seq 100); do
	grep -q 'probe attached' "$tmp/err" && break
	kill -0 "$fpid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q 'probe attached' "$tmp/err"; then
	if grep -q 'cannot start the probe' "$tmp/err"; then
		echo "skip: $(grep 'cannot start the probe' "$tmp/err")"
		exit 77
	fi
	echo "FAIL: falcod did not start"; cat "$tmp/err"; exit 1
fi
# Ready when an alert for a sentinel file shows up.
for _ in $(seq 100); do
	: > "$tmp/gen/ready"
	grep -q "file=$tmp/gen/ready end" "$tmp/out" && break
	sleep 0.1
done
grep -q "file=$tmp/gen/ready end" "$tmp/out" || { echo "FAIL: no alert for the sentinel"; cat "$tmp/err"; exit 1; }

# The generator runs until the 20 reloads are done, so every swap happens under load.
(
	i=0
	while [ ! -e "$tmp/stop" ]; do
		i=$((i + 1))
		: > "$tmp/gen/f$i"
		((i % 25 == 0)) && sleep 0.05
	done
	echo "$i" > "$tmp/n"
) &
gpid=$!
good=0 badn=0
for k in $(seq 1 20); do
	sleep 0.3
	if ((k % 3 == 0)); then src=BAD; badn=$((badn + 1)); elif ((k % 2 == 0)); then src=B; good=$((good + 1)); else src=A; good=$((good + 1)); fi
	if ((k % 2 == 0)); then
		cat "$tmp/$src.yaml" > "$tmp/rules/active.yaml" # rewritten in place: IN_CLOSE_WRITE
	else
		cp "$tmp/$src.yaml" "$tmp/rules/active.yaml.new" # content first, then SIGHUP
		mv "$tmp/rules/active.yaml.new" "$tmp/rules/active.yaml"
		kill -HUP "$fpid"
	fi
done
sleep 0.3
: > "$tmp/stop"
wait "$gpid"
N=$(cat "$tmp/n")
# The last file's alert, then stop.
for _ in $(seq 100); do
	grep -q "file=$tmp/gen/f$N end" "$tmp/out" && break
	sleep 0.1
done
sleep 0.3
kill -TERM "$fpid"
wait "$fpid"
rc=$?
fpid=
fail=0
[ "$rc" -eq 0 ] || { echo "FAIL: falcod exited with $rc"; fail=1; }
# Every numbered file exactly once.
sed -n "s|.*file=$tmp/gen/f\([0-9]*\) end.*|\1|p" "$tmp/out" | sort -n | uniq -c > "$tmp/counts"
distinct=$(wc -l < "$tmp/counts")
doubled=$(awk '$1 != 1' "$tmp/counts" | wc -l)
lost=$((N - distinct))
echo "files: $N generated, $distinct alerted, $lost lost, $doubled alerted more than once"
[ "$lost" -eq 0 ] && [ "$doubled" -eq 0 ] || fail=1
grep -q '^.*Warning rules=A ' "$tmp/out" || { echo "FAIL: no alert from ruleset A"; fail=1; }
grep -q '^.*Warning rules=B ' "$tmp/out" || { echo "FAIL: no alert from ruleset B"; fail=1; }
swapped=$(grep -c 'falcod: reloaded:' "$tmp/err")
rejected=$(grep -c 'reload rejected' "$tmp/err")
echo "reloads: $swapped swapped in (of $good valid), $rejected rejected (of $badn invalid)"
# Each trigger gives one reload when the machine keeps up (they are 300 ms apart, the debounce
# is 100 ms); on a loaded machine triggers that land while a reload is being prepared merge with
# the next one, so only bounds are checked: never more than triggered, at least half of them.
[ "$swapped" -ge $((good / 2)) ] && [ "$swapped" -le "$good" ] || { echo "FAIL: valid reloads"; fail=1; }
[ "$rejected" -ge 1 ] && [ "$rejected" -le "$badn" ] || { echo "FAIL: invalid reloads"; fail=1; }
summ=$(sed -n 's/.*reloads: [0-9]* swapped in, \([0-9]*\) rejected.*/\1/p' "$tmp/err")
[ "$summ" = "$rejected" ] || { echo "FAIL: the summary counts '$summ' rejected reloads, the log $rejected"; fail=1; }
grep -q 'fd.nmae' "$tmp/err" || { echo "FAIL: the invalid ruleset's diagnostic is missing"; fail=1; }
sed -n 's/.*swapped in \([0-9.]*\) us.*/\1/p' "$tmp/err" | sort -n |
	awk '{a[NR]=$1} END {if (NR) printf "swap time: median %.1f us, max %.1f us over %d swaps\n", a[int((NR+1)/2)], a[NR], NR}'
grep 'probe:' "$tmp/err" | sed 's/^ *//'
if [ "$fail" -ne 0 ]; then
	echo "--- falcod stderr"; tail -40 "$tmp/err"
	exit 1
fi
echo "reload.sh: ok"
