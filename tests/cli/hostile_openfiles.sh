#!/usr/bin/env bash
# Hostile load: one process creates and opens 100,000 files, holding as many open at once as
# its hard fd limit allows (all 100k where nr_open and the limit permit; thousands at least,
# past the 4096-entry per-process fd table); a rule alerts on each of its opens. falcod must
# alert, bound the fd table (fd evictions counted), keep alerting after (sentinel), stay under
# its memory cap and exit cleanly. Usage: hostile_openfiles.sh FALCOC SRCDIR.
source "$(dirname "$0")/hostile_lib.bash" "$@"
mkdir -p "$tmp/many"
cat > "$tmp/open.yaml" <<EOF
- rule: hostile many opens
  desc: an open by the test's fd hog
  condition: evt.type in (open, openat, openat2) and fd.name startswith $tmp/many/
  output: "hog open fd=%fd.num name=%fd.name"
  priority: WARNING
EOF
start_falcod -r "$tmp/open.yaml"
python3 - "$tmp/many" <<'EOF' > "$tmp/hog.out" 2>&1
import os, resource, sys
n = 100000
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = n + 1000 if hard == resource.RLIM_INFINITY else min(n + 1000, hard)
resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
batch = want - 64
d = sys.argv[1]
held = []
opened = maxfd = maxheld = 0
for i in range(n):
    fd = os.open(os.path.join(d, "f%d" % i), os.O_WRONLY | os.O_CREAT, 0o600)
    opened += 1
    maxfd = max(maxfd, fd)
    held.append(fd)
    if len(held) >= batch:
        maxheld = max(maxheld, len(held))
        for f in held:
            os.close(f)
        held = []
maxheld = max(maxheld, len(held))
for f in held:
    os.close(f)
print(opened, maxheld, maxfd)
EOF
read -r nopen maxheld maxfd < "$tmp/hog.out"
echo "fd hog: ${nopen:-?} files opened, up to ${maxheld:-?} open at once (its fd limit), highest fd ${maxfd:-?}"
[ "${nopen:-0}" = 100000 ] || bad "the fd hog failed: $(tail -3 "$tmp/hog.out")"
[ "${maxheld:-0}" -gt 4096 ] 2>/dev/null || bad "the fd hog could not hold more than 4096 files open"
sentinel after 20 || bad "no sentinel alert after the fd hog"
stop_falcod
hog=$(grep -a -c 'hog open' "$tmp/out")
echo "fd hog alerts: $hog of 100000 opens (any missing were dropped, and counted, in the ring or the queue)"
[ "$hog" -gt 0 ] || bad "no alert for the fd hog's opens"
fdev=$(sed -n 's/.*(evictions [0-9]* threads, \([0-9]*\) fds).*/\1/p' "$tmp/err")
[ "${fdev:-0}" -gt 0 ] || bad "no fd-table eviction: the fds did not hit the per-process bound"
finish
