#!/usr/bin/env bash
# Hostile load: an event storm (stress-ng: open, fork, rename and dup stressors on every CPU,
# 8 s) with the default ruleset loaded. falcod may drop events in the ring (counted), but must
# keep alerting during and after the storm (sentinel), stay under its memory cap and exit
# cleanly. Usage: hostile_storm.sh FALCOC SRCDIR.
source "$(dirname "$0")/hostile_lib.bash" "$@"
command -v stress-ng >/dev/null || skip "no stress-ng (scripts/deps installs it)"
start_falcod -r "$src/rules/falcod_rules.yaml"
mkdir -p "$tmp/stress"
(cd "$tmp/stress" && exec stress-ng --open 0 --fork 0 --rename 0 --dup 0 -t 8s --quiet) > "$tmp/stress.out" 2>&1 &
spid=$!
extra_cleanup+=("kill $spid 2>/dev/null")
sleep 2
sentinel during 20 || bad "no sentinel alert during the storm"
for i in $(seq 200); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
sentinel after 20 || bad "no sentinel alert after the storm"
stop_falcod
rate=$(sed -n 's/.*wall time: [0-9.]* s, \([0-9]*\) events\/s.*/\1/p' "$tmp/err")
seen=$(sed -n 's/.*probe: \([0-9]*\) syscalls seen.*/\1/p' "$tmp/err")
echo "storm: ${seen:-?} syscalls seen by the probe, ${rate:-?} events/s evaluated on average"
finish
