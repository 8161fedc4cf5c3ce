#!/usr/bin/env bash
# falcod --record (issue 4): capture-to-capture and live recording. Usage: record.sh FALCOC SRCDIR
#  1. replay each shared capture with --record: the recording replays with the same event,
#     process and fd counts and the same alerts, and is private (mode 0600);
#  2. --record-matched keeps the events that raised an alert plus the state-building ones: fewer
#     events, the same alerts (a one-rule file);
#  3. sysdig and tshark (when installed) read every recording with as many events as the
#     original (tshark: one frame per event, none malformed);
#  4. live (root and the probe available): a short live run recorded, then replayed — the
#     replay sees every recorded event and the alert raised live for a sensitive read; a
#     process with an 8 KB command line is in the tables, cut so sysdig still opens the file.
# Skips (77) when the shared captures or falcod are absent; part 4 is skipped with a message.
set -uo pipefail
falcoc=$(realpath "$1")
src=$(realpath "$2")
falcod=$(dirname "$falcoc")/falcod
caps=$src/../shared/captures
[ -x "$falcod" ] || { echo "skip: no falcod binary"; exit 77; }
[ -d "$caps" ] || { echo "skip: no shared captures at $caps"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
printf 'syslog_output:\n  enabled: false\n' >"$tmp/c.yaml"
run() { "$falcod" -c "$tmp/c.yaml" "$@"; }
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL: $*"; }
field() { sed -n "s/.*$1: \([0-9]*\) $2.*/\1/p" "$3" | head -1; }

cat >"$tmp/open.yaml" <<'Y'
- rule: any open
  desc: every successful open
  condition: evt.type in (open, openat, openat2) and evt.rawres >= 0
  output: open %fd.name by %proc.name
  priority: NOTICE
Y
for c in falco_cat_write libs_sample libs_single_ipv6_conn falco_psp_run_as_user_0_container; do
	cap=$caps/$c.scap
	run -r "$tmp/open.yaml" --replay "$cap" --record "$tmp/$c.scap" >"$tmp/a1" 2>"$tmp/s1" || bad "$c: replay+record failed"
	run -r "$tmp/open.yaml" --replay "$tmp/$c.scap" >"$tmp/a2" 2>"$tmp/s2" || bad "$c: replay of the recording failed"
	for what in "events" "processes" "fds"; do
		a=$(grep '   capture:' "$tmp/s1" | grep -o "[0-9]* $what" | head -1)
		b=$(grep '   capture:' "$tmp/s2" | grep -o "[0-9]* $what" | head -1)
		[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "$c: $what: original '$a', recording '$b'"
	done
	cmp -s "$tmp/a1" "$tmp/a2" && ok || bad "$c: alerts differ between the original and the recording"
	[ "$(stat -c %a "$tmp/$c.scap")" = 600 ] && ok || bad "$c: recording mode is $(stat -c %a "$tmp/$c.scap"), not 600"
	# matched-only: as many events as alerts
	run -r "$tmp/open.yaml" --replay "$cap" --record "$tmp/m.scap" --record-matched >"$tmp/a3" 2>/dev/null ||
		bad "$c: --record-matched failed"
	nalerts=$(wc -l <"$tmp/a3")
	run -r "$tmp/open.yaml" --replay "$tmp/m.scap" >"$tmp/a4" 2>"$tmp/s4" || bad "$c: replay of the matched recording failed"
	kept=$(grep '   capture:' "$tmp/s4" | grep -o '[0-9]* events' | grep -o '[0-9]*')
	total=$(grep '   capture:' "$tmp/s1" | grep -o '[0-9]* events' | grep -o '[0-9]*')
	[ -n "$kept" ] && [ "$kept" -ge "$nalerts" ] && [ "$kept" -lt "$total" ] && ok ||
		bad "$c: --record-matched kept $kept of $total events for $nalerts alerts"
	cmp -s "$tmp/a3" "$tmp/a4" && ok || { bad "$c: the matched recording does not give the same alerts"; diff "$tmp/a3" "$tmp/a4" | grep "^>" | head -3; }
	if command -v sysdig >/dev/null; then
		o=$(sysdig -r "$cap" 2>/dev/null | wc -l)
		r=$(sysdig -r "$tmp/$c.scap" 2>/dev/null | wc -l)
		[ "$o" = "$r" ] && [ "$r" -gt 0 ] && ok || bad "$c: sysdig shows $r events of the recording, $o of the original"
	else
		echo "note: sysdig not installed; the sysdig read-back checks are skipped"
	fi
	# tshark (Wireshark's sysdig event dissector): one frame per recorded event, none malformed
	if command -v tshark >/dev/null; then
		evs=$(grep '   capture:' "$tmp/s2" | grep -o '[0-9]* events' | grep -o '[0-9]*')
		tshark -r "$tmp/$c.scap" >"$tmp/ts.out" 2>"$tmp/ts.err"
		fr=$(wc -l <"$tmp/ts.out")
		[ "$fr" = "$evs" ] && ! grep -qi malformed "$tmp/ts.out" && ok ||
			{ bad "$c: tshark reads $fr frames of the recording (falcod: $evs events)"; head -3 "$tmp/ts.err"; }
	else
		echo "note: tshark not installed; the tshark read-back checks are skipped"
	fi
done

# 4. live
if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "note: live recording skipped (needs root and BTF)"
else
	# A process with an 8 KB command line and environment in the /proc scan, as a CI host
	# running compilers has: libscap's reader refuses a capture whose table holds one uncut.
	long=$(head -c 8000 /dev/zero | tr '\0' x)
	# (bash waits in "wait", where SIGTERM acts at once, and takes its sleep along)
	env "LONGENV=$long" bash -c 'sleep 120 >/dev/null 2>&1 & s=$!; trap "kill $s; exit 0" TERM; wait' \
		"long-cmdline-$long" >/dev/null 2>&1 &
	longpid=$!
	# falcod itself in the background (not the run function: a subshell would take the SIGINT)
	"$falcod" -c "$tmp/c.yaml" --record "$tmp/live.scap" >"$tmp/l.out" 2>"$tmp/l.err" &
	pid=$!
	# Trigger until the alert shows (the probe may take a while to attach on a loaded machine).
	# The marker in cat's command line tells this test's read from those of tests running
	# beside it (the e2e suites read /etc/shadow too, some with syscalls sysdig 0.29 predates).
	mark=falcod-record-$$
	for _ in $(seq 60); do
		kill -0 $pid 2>/dev/null || break
		cat /etc/shadow "/nonexistent/$mark" >/dev/null 2>&1
		sleep 0.5
		grep 'Sensitive file opened for reading' "$tmp/l.out" | grep -q "$mark" && break
	done
	kill -INT $pid 2>/dev/null
	# bounded: a falcod that ignores SIGINT fails the test instead of hanging it
	for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done
	kill -0 $pid 2>/dev/null && { bad "live: falcod still running 20 s after SIGINT"; kill -KILL $pid; }
	wait $pid
	kill $longpid 2>/dev/null
	wait $longpid 2>/dev/null
	if grep -q 'cannot start the probe' "$tmp/l.err"; then
		echo "note: live recording skipped: $(grep 'cannot start' "$tmp/l.err")"
	else
		rec=$(sed -n 's/.*recorded: .*: \([0-9]*\) events.*/\1/p' "$tmp/l.err")
		cut=$(sed -n 's/.*recorded: .* \([0-9]*\) table strings cut.*/\1/p' "$tmp/l.err")
		[ -n "$cut" ] && [ "$cut" -ge 2 ] && ok ||
			bad "live: the 8 KB command line and environment were not cut to libscap's limits (${cut:-no} strings cut)"
		run --replay "$tmp/live.scap" >"$tmp/r.out" 2>"$tmp/r.err" || bad "live: replay of the recording failed"
		got=$(grep '   capture:' "$tmp/r.err" | grep -o '[0-9]* events' | grep -o '[0-9]*')
		[ -n "$rec" ] && [ "$rec" = "$got" ] && ok || bad "live: recorded $rec events, replay read $got"
		grep 'Sensitive file opened for reading' "$tmp/l.out" | grep -q "$mark" && ok ||
			bad "live: no alert for this test's read of /etc/shadow"
		# the probe's process memory figures are sane: resident within the machine's memory
		# for every process start (a wrong percpu_counter stride once read list pointers as
		# RSS: ~1.8 TB). Not "resident <= virtual": on the 6.18 CI host one exec read in 50
		# showed more resident than virtual (under investigation, see the closing note)
		cat >"$tmp/mem.yaml" <<'Y'
- rule: process memory
  desc: every process start with its memory figures
  condition: evt.type in (execve, execveat, clone, clone3, fork, vfork) and evt.dir = <
  output: "mem %proc.vmsize %proc.vmrss %proc.name"
  priority: INFO
Y
		run -r "$tmp/mem.yaml" --replay "$tmp/live.scap" >"$tmp/mem.out" 2>/dev/null
		memkb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
		awk -v mem="$memkb" '/ mem / { n++; for (i = 1; i < NF; i++) if ($i == "mem") { if ($(i + 2) + 0 > mem + 0) { bad++; print "  " $0 } } }
		     END { exit !(n > 0 && bad == 0) }' "$tmp/mem.out" && ok ||
			bad "live: process starts with vm_rss above the machine's memory ($memkb KiB) (or none recorded)"
		grep 'file=/etc/shadow' "$tmp/r.out" | grep -q "$mark" && ok ||
			bad "live: the replay of the recording misses the /etc/shadow alert"
		if command -v tshark >/dev/null; then
			fr=$(tshark -r "$tmp/live.scap" 2>/dev/null | grep -vc -i malformed)
			[ "$fr" = "$rec" ] && ok || bad "live: tshark reads $fr well-formed frames, falcod recorded $rec events"
		fi
		if command -v sysdig >/dev/null; then
			# grep -c reads everything: with pipefail, grep -q would SIGPIPE sysdig
			sysdig -r "$tmp/live.scap" "proc.cmdline contains $mark" >"$tmp/sd.out" 2>"$tmp/sd.err"
			sst=$?
			[ "$(grep -c 'name=/etc/shadow' "$tmp/sd.out")" -gt 0 ] && ok || {
				bad "live: sysdig does not see this test's /etc/shadow open in the recording (sysdig status $sst)"
				head -5 "$tmp/sd.err" "$tmp/sd.out" | sed 's/^/  /'
			}
		fi
	fi
fi
echo "record: $((n - fail))/$n checks passed"
[ $fail -eq 0 ]
