#!/usr/bin/env bash
# falcod --replay end to end. Usage: replay.sh FALCOC SRCDIR (falcod is next to falcoc).
#  1. one-rule files over each shared capture: the alert count equals the reference count of
#     ../shared/captures/README.md (libsinsp, exit events);
#  2. the same rules compiled into a bundle give the same counts;
#  3. the default ruleset over each capture: text and JSON alerts (same number, every text line
#     has the time/priority prefix, every JSON line parses with sorted keys) and a summary;
#  4. selection and error paths: -t/-T/--enable/--disable, -L, --dry-run, bad rules, bad
#     config, missing capture.
# Skips (77) when the shared captures or the falcod binary are absent.
set -uo pipefail
falcoc=$(realpath "$1")
src=$(realpath "$2")
falcod=$(dirname "$falcoc")/falcod
caps=$src/../shared/captures
[ -x "$falcod" ] || { echo "skip: no falcod binary"; exit 77; }
[ -d "$caps" ] || { echo "skip: no shared captures at $caps"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 needed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
# No syslog from tests; everything else is the built-in defaults (no /etc/falcod/falcod.yaml).
printf 'syslog_output:\n  enabled: false\n' > "$tmp/test.yaml"
run() { "$falcod" -c "$tmp/test.yaml" "$@"; }
fail=0 n=0
ok() { n=$((n + 1)); }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "FAIL: $*"; }

captures=(falco_cat_write libs_sample libs_single_ipv6_conn falco_psp_run_as_user_0_container)
# name | condition | expected per capture, in the order of $captures. The reference counts are
# over exit events; rules here see one event per syscall plus non-syscall events (scheduler
# switches, procinfo, ...), so "exit events" is `syscall.type exists` (evt.dir is always <).
cases=(
	"all_exits|syscall.type exists|42 87 14 1343"
	"execve|evt.type = execve|1 0 0 1"
	"open_openat|evt.type in (open, openat)|4 0 0 8"
	"open_cat|evt.type = open and proc.name = cat|4 0 0 0"
	"container|container.id != host and syscall.type exists|0 0 0 222"
	"connect|evt.type = connect|0 0 3 0"
)

rulefile() { # name condition
	cat > "$tmp/$1.yaml" <<EOF
- rule: count $1
  desc: reference count $1
  condition: $2
  output: "%evt.type %proc.name %fd.name"
  priority: WARNING
EOF
}

# alert count = stdout lines; the summary must agree ("Events detected: N").
count_check() { # label expected args...
	local label=$1 want=$2
	shift 2
	local out err rc lines det
	run "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l < "$tmp/out")
	det=$(sed -n 's/^Events detected: //p' "$tmp/err")
	if [ "$rc" -ne 0 ] || [ "$lines" -ne "$want" ] || [ "$det" != "$want" ]; then
		bad "$label: want $want alerts, got $lines lines, summary '$det', exit $rc"
		sed 's/^/    /' "$tmp/err" | head -20
	else
		ok
	fi
}

# 1 + 2: reference counts, YAML and bundle.
have_compile=0
"$falcoc" --help 2>/dev/null | grep -q '^  compile' && have_compile=1
for c in "${cases[@]}"; do
	IFS='|' read -r name cond counts <<< "$c"
	rulefile "$name" "$cond"
	read -r -a want <<< "$counts"
	if [ "$have_compile" = 1 ]; then
		"$falcoc" compile "$tmp/$name.yaml" -o "$tmp/$name.bundle" >/dev/null 2>"$tmp/cerr" ||
			{ bad "falcoc compile $name"; cat "$tmp/cerr"; }
	fi
	for i in "${!captures[@]}"; do
		cap=$caps/${captures[$i]}.scap
		count_check "$name on ${captures[$i]}" "${want[$i]}" --replay "$cap" -r "$tmp/$name.yaml"
		if [ "$have_compile" = 1 ] && [ -f "$tmp/$name.bundle" ]; then
			count_check "$name (bundle) on ${captures[$i]}" "${want[$i]}" --replay "$cap" -r "$tmp/$name.bundle"
		fi
	done
done

# 3: the default ruleset, text and JSON.
total=0
for capn in "${captures[@]}"; do
	cap=$caps/$capn.scap
	run --replay "$cap" >"$tmp/text" 2>"$tmp/err"
	rc=$?
	run --replay "$cap" --json >"$tmp/json" 2>"$tmp/jerr"
	jrc=$?
	if [ $rc -ne 0 ] || [ $jrc -ne 0 ]; then
		bad "default rules on $capn: exit $rc / $jrc"
		sed 's/^/    /' "$tmp/err" | head -20
		continue
	fi
	if grep -q '^Events detected: ' "$tmp/err" && grep -q 'events/s' "$tmp/err" &&
		grep -q '^Triggered rules by rule name:' "$tmp/err"; then ok; else
		bad "default rules on $capn: no summary"
		sed 's/^/    /' "$tmp/err" | head -20
	fi
	nt=$(wc -l < "$tmp/text")
	nj=$(wc -l < "$tmp/json")
	total=$((total + nt))
	[ "$nt" -eq "$nj" ] && ok || bad "default rules on $capn: $nt text alerts, $nj JSON alerts"
	if [ "$nt" -gt 0 ]; then
		if grep -qvE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}: (Emergency|Alert|Critical|Error|Warning|Notice|Informational|Debug) ' "$tmp/text"; then
			bad "default rules on $capn: a text line without the time/priority prefix"
			grep -vE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}: ' "$tmp/text" | head -3
		else ok; fi
	fi
	if python3 - "$tmp/json" "$tmp/text" <<'PY'
import json, sys
text = open(sys.argv[2], encoding='utf-8', errors='replace').read().splitlines()
for i, line in enumerate(open(sys.argv[1], encoding='utf-8')):
    o = json.loads(line)
    keys = list(o.keys())
    assert keys == sorted(keys), keys
    assert keys == ["hostname", "output", "output_fields", "priority", "rule", "source", "tags", "time"], keys
    assert o["source"] == "syscall"
    assert "evt.time" in o["output_fields"] and isinstance(o["output_fields"]["evt.time"], int)
    of = list(o["output_fields"].keys())
    assert of == sorted(of), of
    assert o["time"].endswith("Z") and len(o["time"]) == 30, o["time"]
    assert o["tags"] == sorted(set(o["tags"])), o["tags"]
    # the text alert of the same event, as JSON's "output" (escaped the same way in text mode)
    assert json.dumps(o["output"], ensure_ascii=False)[1:-1] == text[i], (o["output"], text[i])
PY
	then ok; else bad "default rules on $capn: JSON alerts"; fi
done
echo "default ruleset: $total alerts over ${#captures[@]} captures"

# 4: selection, listing and errors.
cap=$caps/falco_cat_write.scap
cat > "$tmp/two.yaml" <<'EOF'
- rule: opens
  desc: d
  condition: evt.type in (open, openat)
  output: "open %fd.name"
  priority: NOTICE
  tags: [files]
- rule: execs
  desc: d
  condition: evt.type = execve
  output: "exec %proc.name"
  priority: CRITICAL
  tags: [procs]
EOF
count_check "-t files" 4 --replay "$cap" -r "$tmp/two.yaml" -t files
count_check "-T files" 1 --replay "$cap" -r "$tmp/two.yaml" -T files
count_check "--disable opens" 1 --replay "$cap" -r "$tmp/two.yaml" --disable opens
count_check "--disable '*' --enable ex*" 1 --replay "$cap" -r "$tmp/two.yaml" --disable '*' --enable 'ex*'
count_check "priority=critical" 1 --replay "$cap" -r "$tmp/two.yaml" -o priority=critical
count_check "rules: block" 4 --replay "$cap" -r "$tmp/two.yaml" -o 'rules=[{disable: {tag: procs}}]'

if run -r "$tmp/two.yaml" -L -T procs > "$tmp/list" 2>&1 && grep -qE '^opens +Notice +yes +files$' "$tmp/list" &&
	grep -qE '^execs +Critical +no +procs$' "$tmp/list"; then ok; else bad "-L"; cat "$tmp/list"; fi
if run -r "$tmp/two.yaml" --dry-run 2>"$tmp/err" && grep -q '2 rules, 2 enabled' "$tmp/err"; then ok; else
	bad "--dry-run"; cat "$tmp/err"; fi

printf -- '- rule: broken\n  desc: d\n  condition: evt.type = open and proc.nosuch = 1\n  output: x\n  priority: INFO\n' > "$tmp/broken.yaml"
run --replay "$cap" -r "$tmp/broken.yaml" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'proc.nosuch' "$tmp/err" && [ ! -s "$tmp/out" ]; then ok; else
	bad "invalid rules: exit $rc"; cat "$tmp/err"; fi

printf 'json_ouput: true\n' > "$tmp/badcfg.yaml"
"$falcod" -c "$tmp/badcfg.yaml" --replay "$cap" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -qF "badcfg.yaml:1:1: unknown key 'json_ouput' (did you mean 'json_output'?)" "$tmp/err"; then
	ok; else bad "bad config: exit $rc"; cat "$tmp/err"; fi

run --replay "$tmp/nonexistent.scap" -r "$tmp/two.yaml" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && ok || { bad "missing capture: exit $rc"; cat "$tmp/err"; }

# "max RSS" is falcod's own: started by a 300 MiB process (exec keeps that image's mark in
# ru_maxrss), the summary still shows tens of MiB
if command -v python3 >/dev/null; then
	python3 - "$falcod" "$cap" >/dev/null 2>"$tmp/err" <<'PY'
import os, sys
ballast = bytearray(300 << 20)
for i in range(0, len(ballast), 4096):
    ballast[i] = 1
os.execv(sys.argv[1], [sys.argv[1], "-o", "syslog_output.enabled=false", "--replay", sys.argv[2]])
PY
	kib=$(sed -n 's/.*max RSS \([0-9]*\) KiB.*/\1/p' "$tmp/err")
	[ -n "$kib" ] && [ "$kib" -lt 153600 ] && ok || bad "max RSS after exec from a 300 MiB parent: '$kib' KiB"
fi

# Switch events are only parsed when a field of the ruleset reads what they refresh (proc.vm*,
# thread.pf*): a rule printing them gets the same values as with --record (which always parses
# them), and those values do come from the switch events here (thread.pfminor moves past the
# process table's value on this capture, so a ruleset wrongly judged memory-blind fails).
psp=$caps/falco_psp_run_as_user_0_container.scap
cat > "$tmp/mem.yaml" <<'EOF2'
- rule: read with memory
  desc: memory fields in the output only
  condition: evt.type = read
  output: "%proc.name %thread.tid vmrss=%proc.vmrss vmsize=%proc.vmsize pfminor=%thread.pfminor"
  priority: WARNING
EOF2
run --replay "$psp" -r "$tmp/mem.yaml" > "$tmp/mem.plain" 2>/dev/null
run --replay "$psp" -r "$tmp/mem.yaml" --record "$tmp/mem.scap" > "$tmp/mem.rec" 2>/dev/null
if [ -s "$tmp/mem.plain" ] && cmp -s "$tmp/mem.plain" "$tmp/mem.rec"; then ok; else
	bad "memory fields: replay and replay --record disagree"; diff "$tmp/mem.plain" "$tmp/mem.rec" | head -5; fi
grep -q 'emacs 13794 .*pfminor=128274$' "$tmp/mem.plain" && ok ||
	bad "memory fields: thread.pfminor not refreshed by the switch events"

run --bogus >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "usage error exit status"
"$falcod" --help | grep -q -- '--replay FILE' && ok || bad "--help"
"$falcod" --version | grep -q '^falcod ' && ok || bad "--version"

echo "replay.sh: $n checks, $fail failed"
[ "$fail" -eq 0 ]
