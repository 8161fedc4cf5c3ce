#!/usr/bin/env bash
# Bad input never crashes falcoc: each generated file must give exit 0 or 1 (never a signal,
# never a sanitizer report) and, when invalid, a diagnostic. Usage: hostile.sh FALCOC SRCDIR
set -uo pipefail
falcoc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import random, sys, os
d = sys.argv[1]
r = random.Random(1234)
def w(name, data):
    mode = 'wb' if isinstance(data, bytes) else 'w'
    with open(os.path.join(d, name), mode) as f:
        f.write(data)
rule = "- rule: r\n  desc: d\n  condition: {}\n  output: o\n  priority: INFO\n"
w("garbage.yaml", bytes(r.getrandbits(8) for _ in range(20000)))
w("garbage_nul.yaml", b"- rule: r\x00\x01\x02\n  desc: \xff\xfe\n")
w("truncated.yaml", "- rule: r\n  desc: d\n  condition: evt.type = open and (proc.name = \"x")
w("tabs.yaml", "- rule: r\n\tdesc: d\n")
w("deep_parens.yaml", rule.format("(" * 10000 + "evt.type = open" + ")" * 10000))
w("deep_not.yaml", rule.format("not " * 5000 + "evt.type = open"))
w("huge_cond.yaml", rule.format(" or ".join(f"proc.name = p{i}" for i in range(60000))))
w("huge_line.yaml", rule.format("evt.type = open and proc.name = " + "a" * (1 << 20)))
w("deep_yaml.yaml", "[" * 5000 + "]" * 5000 + "\n")
w("deep_yaml_huge.yaml", "- list: l\n  items: " + "[" * 200000 + "]" * 200000 + "\n")
w("invalid_utf8.yaml", b"- rule: r\xc3\x28\n  desc: d\n  condition: evt.type = open\n  output: \xe2\x82\n  priority: INFO\n")
w("empty.yaml", "")
w("only_comment.yaml", "# nothing\n")
w("scalar.yaml", "just a string\n")
w("map.yaml", "rule: r\n")
w("dup.yaml", rule.format("evt.type = open") * 3 + "- macro: m\n  condition: m\n- macro: m\n  condition: x and\n")
w("cyclic.yaml", "- macro: a\n  condition: evt.type = open\n- macro: a\n  condition: or a\n  override:\n    condition: append\n" + rule.format("a"))
w("missing.yaml", "- rule: r\n  condition: evt.type = open\n")
w("unknown.yaml", rule.format("evt.type = open and proc.nosuch = 1 and nosuchmacro"))
w("many_docs.yaml", "---\n" + rule.format("evt.type = open") + "---\n...\n---\n- list: l\n  items: [a]\n")
# anchors and aliases: a cycle, and 20,000 aliases of a 200 KB scalar (4 GB if copied)
w("alias_cycle.yaml", rule.format("evt.type = open") + "  exceptions:\n  - name: e\n    fields: [proc.name]\n    values: &a [*a, *a]\n")
w("alias_bomb.yaml", "- list: big\n  items: [&b " + "x" * 200000 + "]\n- list: l\n  items: [" + ", ".join(["*b"] * 20000) + "]\n")
# expansion: each macro using the previous twice (2^40 nodes), a 20k-item list in 2000 rules
w("macro_doubling.yaml", "- macro: m0\n  condition: proc.name = a\n" + "".join(f"- macro: m{i}\n  condition: m{i-1} and m{i-1}\n" for i in range(1, 41)) + rule.format("evt.type = open and m40"))
w("list_quadratic.yaml", "- list: l\n  items: [" + ", ".join(f"i{i}" for i in range(20000)) + "]\n" + "".join(rule.replace("- rule: r", f"- rule: r{i}").format("proc.name in (l)") for i in range(2000)))
for i in range(200):
    b = bytearray(rule.format("evt.type in (open, openat) and proc.name in (a, b) and fd.name startswith /etc").encode())
    for _ in range(r.randint(1, 8)):
        b[r.randrange(len(b))] = r.getrandbits(8)
    w(f"mut{i:03d}.yaml", bytes(b))
PY
fail=0 n=0
for f in "$tmp"/*.yaml; do
	n=$((n + 1))
	timeout 20 "$falcoc" validate --color never "$f" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -gt 1 ] || grep -q -E 'ERROR: (Address|Undefined|Leak)Sanitizer|runtime error:' "$tmp/out"; then
		echo "FAIL: $(basename "$f"): exit $rc"
		tail -5 "$tmp/out"
		fail=$((fail + 1))
	elif [ $rc -eq 1 ] && ! grep -q 'Invalid' "$tmp/out"; then
		echo "FAIL: $(basename "$f"): exit 1 without 'Invalid'"
		fail=$((fail + 1))
	fi
done
echo "$((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
