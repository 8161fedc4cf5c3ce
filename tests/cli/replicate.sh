#!/usr/bin/env bash
# benchmarks/replay/replicate: builds it against this build's fcruntime and checks its output
# block by block: the event count asked for, the sample's non-event blocks copied once, every
# repetition's timestamps after the previous one's, --drop leaves out exactly the named types and
# refuses state-changing ones. Usage: replicate.sh FALCOC SRCDIR (exit 77 = skip).
set -euo pipefail
bin=$(dirname "$(realpath "$1")")
src=$2
lib=$bin/libfcruntime.a
sample=$src/../shared/captures/falco_psp_run_as_user_0_container.scap
[ -f "$lib" ] && [ -f "$sample" ] || { echo "skip: no $lib or no sample capture"; exit 77; }
# In the build directory: a program run from /tmp is what "Execution from Temporary Directory" alerts on.
tmp=$(mktemp -d "$(dirname "$(realpath "$1")")/tmp-replicate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
flags=()
# an ASan/UBSan fcruntime needs the same run-time libraries (grep -c reads all of nm's output)
[ "$(nm "$lib" 2>/dev/null | grep -c __asan_ || true)" -gt 0 ] && flags+=(-fsanitize=address,undefined)
# The build's own compiler (a cross build's fcruntime needs the cross compiler; the result runs
# through binfmt_misc).
cc=$(sed -n 's/^set(CMAKE_C_COMPILER "\(.*\)")$/\1/p' "$bin"/CMakeFiles/*/CMakeCCompiler.cmake 2>/dev/null | head -1)
"${cc:-cc}" -std=c11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE "${flags[@]}" -I"$src/runtime" -I"$src/arch" \
	"$src/benchmarks/replay/replicate.c" "$lib" -lz -lpcre2-8 -o "$tmp/replicate" 2>"$tmp/cc.txt" ||
	{ head -30 "$tmp/cc.txt"; echo "FAIL: replicate does not build"; exit 1; }
export ASAN_OPTIONS=detect_leaks=1
"$tmp/replicate" -n 10000 "$sample" "$tmp/all.scap" | tee "$tmp/out.txt"
grep -q ': 10000 events (4143 per repetition, 3 repetitions' "$tmp/out.txt"
grep -q 'verified with fcruntime.s reader: 10000 events' "$tmp/out.txt"
"$tmp/replicate" -n 5000 --drop switch,syscall "$sample" "$tmp/dense.scap" >/dev/null
if "$tmp/replicate" --drop clone "$sample" "$tmp/x.scap" 2>"$tmp/err.txt"; then
	echo "FAIL: --drop clone accepted"; exit 1
fi
grep -q 'changes thread or fd state' "$tmp/err.txt"
if "$tmp/replicate" --drop nosuch "$sample" "$tmp/x.scap" 2>/dev/null; then
	echo "FAIL: unknown --drop type accepted"; exit 1
fi
python3 - "$sample" "$tmp/all.scap" "$tmp/dense.scap" <<'PY'
import gzip, struct, sys
EV = {0x204: 10, 0x8010ABCD: 10, 0x216: 10, 0x221: 10, 0x208: 14, 0x217: 14, 0x222: 14}
def blocks(path):
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    off, out = 0, []
    while off < len(data):
        t, n = struct.unpack_from("<II", data, off)
        assert n >= 12 and struct.unpack_from("<I", data, off + n - 4)[0] == n, f"{path}: bad block at {off}"
        if t in EV:
            ts, = struct.unpack_from("<Q", data, off + EV[t])
            typ, = struct.unpack_from("<H", data, off + EV[t] + 20)
            out.append(("ev", ts, typ, data[off + EV[t] + 8:off + n]))
        else:
            out.append(("blk", t, data[off:off + n]))
        off += n
    return out
src, full, dense = (blocks(p) for p in sys.argv[1:4])
src_ev = [b for b in src if b[0] == "ev"]
hdr = [b for b in src if b[0] == "blk"]
assert [b for b in full if b[0] == "blk"] == hdr, "non-event blocks not copied exactly once"
ev = [b for b in full if b[0] == "ev"]
assert len(ev) == 10000, len(ev)
span = max(b[1] for b in src_ev) - min(b[1] for b in src_ev) + 1000
for i, b in enumerate(ev):  # same bytes after the timestamp, timestamp shifted per repetition
    s = src_ev[i % len(src_ev)]
    assert b[3] == s[3] and b[1] == s[1] + (i // len(src_ev)) * span, f"event {i}"
assert min(ev[len(src_ev)][1], ev[2 * len(src_ev)][1]) > max(b[1] for b in src_ev), "repetitions overlap"
dropped = {0, 1, 146, 152}  # syscall (generic) and switch, every version
dev = [b for b in dense if b[0] == "ev"]
assert len(dev) == 5000 and not any(b[2] in dropped for b in dev), "dropped types present"
kept = [b for b in src_ev if b[2] not in dropped]
assert [b[3] for b in dev[:len(kept)]] == [b[3] for b in kept], "kept events differ"
print(f"replicate.sh: ok ({len(src_ev)} sample events, {len(kept)} kept by --drop)")
PY
