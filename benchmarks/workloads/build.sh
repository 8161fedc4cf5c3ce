#!/usr/bin/env bash
# The project's own build as a workload (exec-heavy: cc1, as, ld, many short processes and
# file opens): a clean Release configure + build of falcoc and its libraries in a scratch
# directory. Prints one JSON line with configure and build wall seconds.
# Usage: benchmarks/workloads/build.sh [JOBS]   (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=${1:-$(nproc)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s.%N)
cmake -S . -B "$tmp" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFC_TESTS=OFF >&2
t1=$(date +%s.%N)
ninja -C "$tmp" -j "$jobs" falcoc >&2
t2=$(date +%s.%N)
steps=$(ninja -C "$tmp" -t commands falcoc | wc -l)
python3 -c "import json,sys; a=[float(x) for x in sys.argv[1:4]]; print(json.dumps({'workload':'build','jobs':int(sys.argv[4]),'steps':int(sys.argv[5]),'configure_s':round(a[1]-a[0],3),'build_s':round(a[2]-a[1],3)}))" "$t0" "$t1" "$t2" "$jobs" "$steps"
