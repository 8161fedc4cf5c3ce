#!/usr/bin/env bash
# Hostile load: a fork bomb inside a transient cgroup bounded by pids.max (cgroup v1 pids
# controller or cgroup v2), for 6 s, against a thread table smaller than the bomb (512 entries
# vs pids.max 1000), with a rule alerting on every fork of the bomb. falcod must alert during
# the bomb, count thread-table evictions instead of growing, keep alerting after it (sentinel),
# stay under its memory cap and exit cleanly. Usage: hostile_forkbomb.sh FALCOC SRCDIR.
source "$(dirname "$0")/hostile_lib.bash" "$@"

# A transient cgroup with pids.max: v1 pids hierarchy, else v2 with the pids controller.
cg=
if [ -d /sys/fs/cgroup/pids ] && [ -w /sys/fs/cgroup/pids ]; then
	cg=/sys/fs/cgroup/pids/falcod-hostile-$$
elif grep -qw pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo +pids > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	cg=/sys/fs/cgroup/falcod-hostile-$$
fi
[ -n "$cg" ] && mkdir "$cg" 2>/dev/null && echo 1000 > "$cg/pids.max" || skip "no writable pids cgroup"
# Empties the cgroup (bounded: the bomb stops forking at its deadline anyway), then removes it.
cg_kill() {
	local i
	for i in $(seq 100); do
		[ -s "$cg/cgroup.procs" ] || break
		kill -KILL $(cat "$cg/cgroup.procs") 2>/dev/null
		sleep 0.05
	done
	rmdir "$cg" 2>/dev/null
}
extra_cleanup+=("cg_kill")

cat > "$tmp/bomb.yaml" <<EOF
- rule: hostile fork bomb
  desc: a fork of the test's fork bomb
  condition: evt.type in (clone, clone3, fork, vfork) and proc.cmdline contains hostile-forkbomb-$$
  output: "bomb fork pid=%proc.pid ppid=%proc.ppid"
  priority: WARNING
EOF
start_falcod -r "$tmp/bomb.yaml" -o falco_libs.thread_table_size=512

# The bomb: every process forks as fast as it can until the deadline (fork failures at
# pids.max are expected); the first process is a subreaper and reaps everything.
cat > "$tmp/bomb.py" <<'EOF'
import ctypes, os, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
end = time.monotonic() + float(sys.argv[1])
top = os.getpid()
forks = 0
while time.monotonic() < end:
    try:
        pid = os.fork()
    except OSError:
        time.sleep(0.002)
        continue
    if pid == 0:
        top = 0
        continue
    forks += 1
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass
if top:
    try:
        while True:
            os.waitpid(-1, 0)
    except ChildProcessError:
        pass
    print(forks)
os._exit(0)
EOF
(
	echo $BASHPID > "$cg/cgroup.procs"
	exec -a "hostile-forkbomb-$$" python3 "$tmp/bomb.py" 6 hostile-forkbomb-$$
) > "$tmp/bomb.out" 2>&1 &
bpid=$!
sleep 1
peak=0
for i in $(seq 50); do
	n=$(wc -l < "$cg/cgroup.procs")
	[ "$n" -gt "$peak" ] && peak=$n
	kill -0 "$bpid" 2>/dev/null || break
	sleep 0.1
done
sentinel during 20 || bad "no sentinel alert during the fork bomb"
# The bomb ends by itself at its deadline; bounded wait, then the cgroup is emptied.
for i in $(seq 200); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
cg_kill
wait "$bpid" 2>/dev/null
forks=$(wc -l < "$tmp/bomb.out")
bombs=$(grep -a -c 'bomb fork' "$tmp/out")
echo "fork bomb: peak $peak processes in the cgroup (pids.max 1000), $bombs fork alerts"
[ "$bombs" -gt 0 ] || bad "no alert for the fork bomb"
sentinel after 20 || bad "no sentinel alert after the fork bomb"
stop_falcod
ev=$(sed -n 's/.*(evictions \([0-9]*\) threads.*/\1/p' "$tmp/err")
[ "${ev:-0}" -gt 0 ] || bad "no thread-table eviction: the table was not bounded by its 512 entries"
threads=$(sed -n 's/^ *state: \([0-9]*\) threads.*/\1/p' "$tmp/err")
[ "${threads:-999999}" -le 512 ] || bad "thread table at $threads entries, over its 512 cap"
finish
