#!/usr/bin/env bash
# The HTTP webhook output against a real local HTTP server (tests/e2e/receivers.py webhook):
#  1. every alert is POSTed once, as application/json, to the URL's path; the set of bodies is
#     the set of JSON lines on stdout (Falcosidekick's payload: Falco's JSON alert);
#  2. a server that answers 500 to the first requests: the retries deliver everything, and the
#     summary counts them;
#  3. a dead endpoint: stdout and the file output still get every alert, falcod exits 0, the
#     failures are counted in the summary, the warnings are rate limited.
# Usage: out_webhook.sh FALCOC SRCDIR
set -uo pipefail
source "$2/tests/e2e/outputs.bash"
out_init "$@"
N=300
bulk $N
http() { printf -- '-o\nhttp_output.enabled=true\n-o\nhttp_output.url=%s\n-o\nhttp_output.retry_backoff=10ms\n' "$1"; }

# 1. Delivery.
webhook_start ok
mapfile -t o < <(http "http://127.0.0.1:$wh_port/falcod/alerts")
"$falcod" -c "$cfg" --replay "$tmp/bulk.scap" "${o[@]}" > "$tmp/ok.stdout" 2> "$tmp/ok.err"
check "delivery: falcod exit status $?" [ $? -eq 0 ]
wait_for 20 lines_at_least "$wh_out" $N
check "delivery: $(wc -l < "$wh_out") POSTs for $N alerts" [ "$(wc -l < "$wh_out")" -eq $N ]
check "delivery: $(wc -l < "$tmp/ok.stdout") stdout alerts for $N" [ "$(wc -l < "$tmp/ok.stdout")" -eq $N ]
check "delivery: path and content type" [ "$(cut -d' ' -f1,2 "$wh_out" | sort -u)" = "/falcod/alerts application/json" ]
sorted_json "$wh_out" 2 > "$tmp/ok.posts.json"
sorted_json "$tmp/ok.stdout" > "$tmp/ok.stdout.json"
check "delivery: the POST bodies are the stdout alerts" cmp -s "$tmp/ok.posts.json" "$tmp/ok.stdout.json"
check "delivery: Falco's alert keys in every body" python3 -c '
import json, sys
want = {"hostname", "output", "output_fields", "priority", "rule", "source", "tags", "time"}
for l in open(sys.argv[1]):
    d = json.loads(l)
    assert set(d) == want, sorted(d)
    assert d["rule"] == "Read Sensitive File Untrusted" and d["priority"] == "Warning", d
    assert d["output_fields"]["fd.name"] == "/etc/shadow", d
' "$tmp/ok.posts.json"
check "delivery: summary" grep -q "http output: $N sent, 0 dropped (queue full), 0 failed" "$tmp/ok.err"

# 2. Retries: the first 3 requests get a 500.
webhook_start retry 3
mapfile -t o < <(http "http://127.0.0.1:$wh_port/")
"$falcod" -c "$cfg" --replay "$tmp/bulk.scap" "${o[@]}" > /dev/null 2> "$tmp/retry.err"
check "retries: falcod exit status $?" [ $? -eq 0 ]
wait_for 20 lines_at_least "$wh_out" $N
check "retries: $(wc -l < "$wh_out") delivered of $N" [ "$(wc -l < "$wh_out")" -eq $N ]
check "retries: summary $(grep 'http output' "$tmp/retry.err")" grep -q "http output: $N sent, 0 dropped (queue full), 0 failed (gave up), 3 retries" "$tmp/retry.err"

# 3. A dead endpoint (nothing listens on the port).
dead=$(free_port)
mapfile -t o < <(http "http://127.0.0.1:$dead/")
timeout 120 "$falcod" -c "$cfg" --replay "$tmp/bulk.scap" "${o[@]}" -o file_output.enabled=true \
	-o "file_output.filename=$tmp/dead.file" > "$tmp/dead.stdout" 2> "$tmp/dead.err"
check "dead endpoint: falcod exit status $?" [ $? -eq 0 ]
check "dead endpoint: stdout has all $N alerts" [ "$(wc -l < "$tmp/dead.stdout")" -eq $N ]
check "dead endpoint: the file output has all $N alerts" [ "$(wc -l < "$tmp/dead.file")" -eq $N ]
check "dead endpoint: failures counted ($(grep 'http output:' "$tmp/dead.err"))" \
	grep -Eq "http output: 0 sent, [0-9]+ dropped \(queue full\), [1-9][0-9]* failed" "$tmp/dead.err"
nw=$(grep -c 'warning: http output' "$tmp/dead.err")
check "dead endpoint: $nw warnings for $N failed alerts (rate limited)" [ "$nw" -ge 1 -a "$nw" -le 10 ]
grep 'http output' "$tmp/dead.err" | sed 's/^/    /'
out_finish
