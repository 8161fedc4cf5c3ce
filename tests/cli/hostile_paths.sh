#!/usr/bin/env bash
# Hostile input: paths with newlines, invalid UTF-8, control bytes, quotes, a 900-byte path
# with newlines in every component, and shell metacharacters. falcod (JSON output) must alert on every one, each alert a
# single line of valid JSON (nothing a path holds can split or break it), keep alerting, stay
# under its memory cap and exit cleanly. Usage: hostile_paths.sh FALCOC SRCDIR.
source "$(dirname "$0")/hostile_lib.bash" "$@"
mkdir -p "$tmp/p"
cat > "$tmp/paths.yaml" <<EOF
- rule: hostile path
  desc: a file created under the test's hostile-path directory
  condition: evt.type in (open, openat, openat2) and fd.name startswith $tmp/p/ and evt.is_open_write = true
  output: "hostile path file=%fd.name proc=%proc.name"
  priority: WARNING
EOF
start_falcod -r "$tmp/paths.yaml" --json
python3 - "$tmp/p" <<'EOF' > "$tmp/made" 2>&1
import os, sys
d = sys.argv[1].encode()
names = [b"new\nline", b"cr\rret", b"\xff\xfe\xfdbad-utf8", b"\xc3\x28half", b"tab\tand\x01\x1b[31mesc",
         b'quote"and\\back', b"$(touch pwned)", b"`id`;rm -rf x", b"\xe2\x80\xaeRLO", b"\xf0\x9f\x92\xa9ok"]
made = 0
for n in names:
    with open(os.path.join(d, n), "wb") as f:
        f.write(b"x")
    made += 1
deep = d
for i in range(4):  # about 900 bytes: longer paths raise no alert today (SECURITY.md, gaps)
    deep = os.path.join(deep, b"\n" + b"d" * 200)
    os.mkdir(deep)
with open(os.path.join(deep, b"leaf\n"), "wb") as f:
    made += 1
print(made)
EOF
made=$(cat "$tmp/made")
[ "$made" = 11 ] || bad "could not create the hostile paths: $made"
for i in $(seq 100); do
	[ "$(grep -a -c 'hostile path' "$tmp/out")" -ge 11 ] && break
	sleep 0.1
done
sentinel after 20 || bad "no sentinel alert after the hostile paths"
stop_falcod
[ -e "$tmp/pwned" ] || [ -e pwned ] && bad "a path was executed as a shell command"
# Every line is one JSON object; the hostile-path alerts name files that exist.
python3 - "$tmp/out" "$tmp/p" <<'EOF' || fail=1
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
n = ok = 0
for raw in lines:
    if not raw:
        continue
    try:
        a = json.loads(raw)
    except Exception as e:
        print("FAIL: not one JSON object per line:", repr(raw[:200]), e)
        sys.exit(1)
    if a.get("rule") == "hostile path":
        n += 1
        if a["output_fields"]["fd.name"].startswith(sys.argv[2]):
            ok += 1
print("hostile paths: %d alerts, each one valid JSON line; %d name their file" % (n, ok))
if n < 11 or ok < n:
    print("FAIL: expected an alert per hostile path (11)")
    sys.exit(1)
EOF
finish
