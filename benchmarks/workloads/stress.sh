#!/usr/bin/env bash
# Syscall-heavy stress-ng mix for the kernel-overhead suite (the syscalls Falco rules watch:
# open/close, fork/exit, rename, the get*() family). Prints one JSON line: per stressor bogo ops
# and bogo ops/s (wall), and the run's wall seconds. Human detail goes to stderr.
# Usage: benchmarks/workloads/stress.sh [SECONDS]   (default 10)
set -euo pipefail
secs=${1:-10}
command -v stress-ng >/dev/null || { echo "stress.sh: stress-ng not installed (scripts/deps --bench)" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" # stress-ng creates its scratch files in the working directory
start=$(date +%s.%N)
stress-ng --open 1 --fork 1 --rename 1 --get 1 --timeout "${secs}s" --metrics-brief -Y "$tmp/m.yaml" >&2
end=$(date +%s.%N)
python3 - "$tmp/m.yaml" "$start" "$end" "$secs" <<'PY'
import json, sys
ops, rate, cur = {}, {}, None
for line in open(sys.argv[1]):
    s = line.strip()
    if s.startswith("- stressor:"):
        cur = s.split(":", 1)[1].strip()
    elif cur and s.startswith("bogo-ops:"):
        ops[cur] = int(s.split(":", 1)[1])
    elif cur and s.startswith("bogo-ops-per-second-real-time:"):
        rate[cur] = round(float(s.split(":", 1)[1]), 1)
if not ops:
    sys.exit("stress.sh: no metrics in stress-ng's YAML output")
print(json.dumps({"workload": "stress-ng", "seconds_requested": int(sys.argv[4]),
                  "wall_s": round(float(sys.argv[3]) - float(sys.argv[2]), 3),
                  "bogo_ops": ops, "bogo_ops_per_s": rate}))
PY
