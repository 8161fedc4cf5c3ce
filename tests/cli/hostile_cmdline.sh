#!/usr/bin/env bash
# Hostile input: execve with a 1 MB command line (8 arguments of 128 KiB, the kernel's
# per-argument maximum) and a 256 KiB environment (the two share the kernel's 2 MB limit). falcod must alert on it (the marker in the
# first argument survives the probe's truncation), keep alerting, stay under its memory cap
# and exit cleanly. Usage: hostile_cmdline.sh FALCOC SRCDIR.
source "$(dirname "$0")/hostile_lib.bash" "$@"
cat > "$tmp/cmd.yaml" <<EOF
- rule: hostile long command line
  desc: the test's execve with a 1 MB command line
  condition: evt.type in (execve, execveat) and proc.cmdline contains hostile-cmdline-$$
  output: "long cmdline exe=%proc.exe len=%proc.cmdline"
  priority: WARNING
EOF
start_falcod -r "$tmp/cmd.yaml"
python3 - "$$" <<'EOF'
import os, sys
arg = "x" * (128 * 1024 - 1)
argv = ["/bin/true", "hostile-cmdline-" + sys.argv[1]] + [arg] * 8
env = {"HOSTILE_%d" % i: "e" * (64 * 1024) for i in range(4)}
for _ in range(5):
    pid = os.fork()
    if pid == 0:
        os.execve("/bin/true", argv, env)
    os.waitpid(pid, 0)
EOF
for i in $(seq 100); do
	grep -a -q 'long cmdline' "$tmp/out" && break
	sleep 0.1
done
n=$(grep -a -c 'long cmdline' "$tmp/out")
len=$(grep -a -m1 'long cmdline' "$tmp/out" | wc -c)
echo "1 MB command line: $n alerts of 5 execs, alert line $len bytes"
[ "$n" -gt 0 ] || bad "no alert for the 1 MB command line"
sentinel after 20 || bad "no sentinel alert after the long command lines"
stop_falcod
finish
