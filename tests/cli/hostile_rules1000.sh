#!/usr/bin/env bash
# Hostile load: 1000 rules that all match every open of a writer, with rule_matching: all
# (each open raises 1000 alerts), the writer opening 400 times a second for 6 s (400,000
# alerts a second). The outputs queue is bounded by the memory cap: falcod must drop alerts
# (counted) rather than grow, keep alerting (sentinel), stay under its memory cap and exit
# cleanly. (Unpaced, the writer's 80,000 opens a second saturate falcod: the ring then drops
# most events, counted, and the backlog takes minutes to drain; SECURITY.md has the figures.) Alerts go
# through program_output (grep keeps the sentinel lines) so the test writes little to disk.
# Usage: hostile_rules1000.sh FALCOC SRCDIR.
source "$(dirname "$0")/hostile_lib.bash" "$@"
mkdir -p "$tmp/w"
for i in $(seq 1000); do
	cat <<EOF
- rule: hostile every open $i
  desc: one of 1000 rules matching every open
  condition: evt.type in (open, openat, openat2) and fd.name startswith $tmp/w/ and fd.name != /nonexistent/$i
  output: "every open $i file=%fd.name proc=%proc.name cmd=%proc.cmdline"
  priority: NOTICE
EOF
done > "$tmp/r1000.yaml"
printf 'syslog_output:\n  enabled: false\nwatch_config_files: false\nrule_matching: all\nstdout_output:\n  enabled: false\nprogram_output:\n  enabled: true\n  keep_alive: true\n  program: "grep --line-buffered -a \\"sentinel file=\\" > %s/sent"\n' "$tmp" > "$tmp/cfg.yaml"
: > "$tmp/sent"
SENTINEL_IN=$tmp/sent
start_falcod -r "$tmp/r1000.yaml"
# The writer: 400 opens a second for 6 s.
python3 - "$tmp/w" <<'EOF' &
import os, sys, time
start = time.monotonic()
p = os.path.join(sys.argv[1], "f")
n = 0
while time.monotonic() < start + 6:
    os.close(os.open(p, os.O_WRONLY | os.O_CREAT, 0o600))
    n += 1
    ahead = start + n / 400.0 - time.monotonic()
    if ahead > 0:
        time.sleep(ahead)
print("writer: %d opens" % n)
EOF
wpid=$!
extra_cleanup+=("kill $wpid 2>/dev/null")
sleep 2
sentinel during 20 || bad "no sentinel alert during the alert storm"
for i in $(seq 150); do kill -0 "$wpid" 2>/dev/null || break; sleep 0.1; done
wait "$wpid"
sentinel after 20 || bad "no sentinel alert after the alert storm"
stop_falcod
queued=$(sed -n 's/.*alerts: \([0-9]*\) queued.*/\1/p' "$tmp/err")
written=$(sed -n 's/.*queued, \([0-9]*\) written.*/\1/p' "$tmp/err")
echo "1000 rules: ${queued:-?} alerts queued, ${written:-?} written"
[ "${queued:-0}" -gt 100000 ] || bad "fewer than 100,000 alerts queued from 1000 rules matching every open"
finish
