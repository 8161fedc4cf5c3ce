#!/usr/bin/env bash
# /metrics, /healthz and a dead endpoint, live: falcod with the probe, its web server, a file
# output and a webhook to a port nobody listens on.
#  1. alerts keep flowing to the file while the webhook fails;
#  2. /metrics (scraped with curl) is valid Prometheus text exposition (HELP and TYPE for every
#     family, well-formed samples, counters named *_total), and its counters agree with what
#     happened: the triggered rule's matches, the written alerts, the webhook's failures and
#     endpoint state; /healthz answers 200 with status ok;
#  3. a real Prometheus server (Debian package prometheus, when installed) scrapes falcod: the
#     target is up and the rule counter can be queried.
# Usage: out_metrics.sh FALCOC SRCDIR (skips without root, kernel BTF or a probe that loads)
set -uo pipefail
source "$2/tests/e2e/outputs.bash"
out_init "$@"
[ "$(id -u)" -eq 0 ] || out_skip "live mode needs root"
[ -r /sys/kernel/btf/vmlinux ] || out_skip "no kernel BTF"
command -v curl > /dev/null || out_skip "curl needed"
wport=$(free_port)
dead=$(free_port)
K=5
"$falcod" -c "$cfg" -M 120 -o metrics.enabled=true -o webserver.enabled=true \
	-o webserver.listen_address=127.0.0.1 -o "webserver.listen_port=$wport" \
	-o webserver.prometheus_metrics_enabled=true -o stdout_output.enabled=false \
	-o file_output.enabled=true -o "file_output.filename=$tmp/alerts.json" \
	-o http_output.enabled=true -o "http_output.url=http://127.0.0.1:$dead/" \
	-o http_output.retry_backoff=10ms > "$tmp/falcod.out" 2> "$tmp/falcod.err" &
fpid=$!
bg_pids+=($fpid)
canary=$tmp/canary-$$
up() {
	kill -0 $fpid 2> /dev/null || return 0 # exited: stop waiting
	cat /etc/shadow "$canary" > /dev/null 2>&1
	grep -qF "$canary" "$tmp/alerts.json" 2> /dev/null
}
wait_for 60 up
if ! kill -0 $fpid 2> /dev/null; then
	grep -q 'cannot start the probe' "$tmp/falcod.err" && out_skip "$(grep -m1 'cannot start the probe' "$tmp/falcod.err")"
	echo "FAIL: falcod exited:"
	cat "$tmp/falcod.err"
	exit 1
fi
check "falcod ready (canary alert in the file output)" grep -qF "$canary" "$tmp/alerts.json"
for i in $(seq $K); do cat /etc/shadow "$tmp/trigger-$i" > /dev/null 2>&1; done
wait_for 20 grep -qF "$tmp/trigger-$K" "$tmp/alerts.json"
check "the file output got all $K alerts while the webhook is down" \
	[ "$(grep -cF "$tmp/trigger-" "$tmp/alerts.json")" -eq $K ]
metric() { # metric NAME LABEL-SUBSTRING: the sum of the matching samples
	python3 -c '
import sys
tot = 0.0
for l in open(sys.argv[1]):
    if l.startswith("#"):
        continue
    name = l.split("{", 1)[0].split(" ", 1)[0]
    if name == sys.argv[2] and sys.argv[3] in l:
        tot += float(l.rsplit(" ", 1)[1])
print(int(tot))' "$tmp/metrics.txt" "$1" "$2"
}
# The failure counters move as the output thread works through its backlog (the endpoint is
# declared down after max_consecutive_timeouts failures in a row): scrape until the webhook has
# given up on at least one alert and is reported down (bounded).
scrape() {
	curl -sf "http://127.0.0.1:$wport/metrics" > "$tmp/metrics.txt" &&
		[ "$(metric falcosecurity_falcod_output_failed_total 'channel="http"')" -ge 1 ] &&
		[ "$(metric falcosecurity_falcod_output_endpoint_up 'channel="http"')" -eq 0 ]
}
check "scrape /metrics" wait_for 30 scrape
check "exposition format" python3 - "$tmp/metrics.txt" <<'PY'
import re, sys
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$')
helps, types, fams, errs = set(), {}, set(), []
for n, l in enumerate(open(sys.argv[1]), 1):
    l = l.rstrip("\n")
    if l.startswith("# HELP "):
        helps.add(l.split()[2])
    elif l.startswith("# TYPE "):
        p = l.split()
        if p[3] not in ("counter", "gauge", "untyped", "histogram", "summary"):
            errs.append("%d: bad type %s" % (n, p[3]))
        types[p[2]] = p[3]
    elif l.startswith("#") or not l:
        continue
    else:
        m = sample.match(l)
        if not m:
            errs.append("%d: malformed sample: %s" % (n, l[:200]))
            continue
        fams.add(m.group(1))
for f in sorted(fams):
    if f not in types:
        errs.append("no TYPE for %s" % f)
    if f not in helps:
        errs.append("no HELP for %s" % f)
    if types.get(f) == "counter" and not f.endswith("_total"):
        errs.append("counter %s not named *_total" % f)
for e in errs[:20]:
    print("   ", e)
print("    %d metric families" % len(fams))
sys.exit(1 if errs else 0)
PY
m=$(metric falcosecurity_falco_rules_matches_total 'rule_name="Read Sensitive File Untrusted"')
check "rule matches counter $m >= $((K + 1))" [ "$m" -ge $((K + 1)) ]
w=$(metric falcosecurity_falcod_outputs_written_total '')
check "alerts written counter $w >= $((K + 1))" [ "$w" -ge $((K + 1)) ]
f=$(metric falcosecurity_falcod_output_failed_total 'channel="http"')
check "webhook failures counted ($f)" [ "$f" -ge 1 ]
check "webhook endpoint down" [ "$(metric falcosecurity_falcod_output_endpoint_up 'channel="http"')" -eq 0 ]
check "events counted" [ "$(metric falcosecurity_falco_num_evts_total '')" -gt 0 ]
check "/healthz" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.run(["curl", "-sf", sys.argv[1]], capture_output=True, check=True).stdout)
assert d["status"] == "ok", d' "http://127.0.0.1:$wport/healthz"

# A real Prometheus server scrapes falcod.
prom=$(command -v prometheus || echo /usr/bin/prometheus)
if [ -x "$prom" ]; then
	pport=$(free_port)
	cat > "$tmp/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: falcod
    static_configs:
      - targets: ['127.0.0.1:$wport']
YML
	"$prom" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom" \
		--web.listen-address="127.0.0.1:$pport" > "$tmp/prometheus.log" 2>&1 &
	bg_pids+=($!)
	q() { curl -sf "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"; }
	value() { q "$1" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else -1)'; }
	scraped() { [ "$(value 'up{job="falcod"}' 2> /dev/null)" = 1 ]; }
	check "prometheus: the falcod target is up" wait_for 60 scraped
	pm=$(value 'sum(falcosecurity_falco_rules_matches_total{rule_name="Read Sensitive File Untrusted"})')
	check "prometheus: rule matches queried ($pm)" [ "$pm" -ge $((K + 1)) ]
else
	echo "note: prometheus not installed; scraped with curl only"
fi
kill -INT $fpid
wait $fpid
check "falcod exit status $? after SIGINT" [ $? -eq 0 ]
grep -E 'alerts:|http output:' "$tmp/falcod.err" | sed 's/^ */    /'
check "summary counts the webhook failures" grep -Eq 'http output: 0 sent, .*[1-9][0-9]* failed' "$tmp/falcod.err"
out_finish
