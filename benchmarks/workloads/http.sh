#!/usr/bin/env bash
# Loopback HTTP load for the kernel-overhead suite: ApacheBench (apache2-utils) against busybox
# httpd (a fork per connection: accept, fork, open, read, sendfile, close...) serving a small file
# on 127.0.0.1; python3 -m http.server when busybox is absent. Prints one JSON line with the
# requests, failures, wall seconds and requests/s. Human detail goes to stderr.
# Usage: benchmarks/workloads/http.sh [REQUESTS [CONCURRENCY]]   (default 20000, 8)
set -euo pipefail
n=${1:-20000}
c=${2:-8}
command -v ab >/dev/null || { echo "http.sh: ab not installed (apache2-utils; scripts/deps --bench)" >&2; exit 77; }
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
head -c 4096 /dev/urandom | base64 > "$tmp/index.html"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if command -v busybox >/dev/null && busybox --list | grep -qx httpd; then
	server=busybox-httpd
	busybox httpd -f -p "127.0.0.1:$port" -h "$tmp" &
else
	server=python3-http.server
	python3 -m http.server --bind 127.0.0.1 --directory "$tmp" "$port" >/dev/null 2>&1 &
fi
pid=$!
for _ in $(seq 50); do # wait until it listens
	python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break
	sleep 0.1
done
ab -q -n "$n" -c "$c" "http://127.0.0.1:$port/index.html" > "$tmp/ab.txt" 2>&1 || { cat "$tmp/ab.txt" >&2; exit 1; }
cat "$tmp/ab.txt" >&2
python3 - "$tmp/ab.txt" "$server" "$n" "$c" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read()
def num(pat):
    m = re.search(pat, t)
    if not m:
        sys.exit(f"http.sh: '{pat}' not in ab's output")
    return float(m.group(1))
print(json.dumps({"workload": "http", "server": sys.argv[2], "requests": int(sys.argv[3]),
                  "concurrency": int(sys.argv[4]),
                  "complete": int(num(r"Complete requests:\s+(\d+)")),
                  "failed": int(num(r"Failed requests:\s+(\d+)")),
                  "wall_s": num(r"Time taken for tests:\s+([\d.]+)"),
                  "requests_per_s": num(r"Requests per second:\s+([\d.]+)")}))
PY
