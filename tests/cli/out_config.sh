#!/usr/bin/env bash
# Configuration errors of the outputs, metrics and web server, as an operator meets them: each
# bad file makes `falcod --dry-run` exit 1 with one "falcod: error: FILE:LINE:COL: ..." line
# naming the key and the expected form (or "-o KEY=VALUE: ..." for overrides); each good file
# passes. Usage: out_config.sh FALCOC SRCDIR
set -uo pipefail
source "$2/tests/e2e/outputs.bash"
out_init "$@"
n=0
# bad 'YAML' 'expected stderr (extended regex, after "falcod: error: ")' [falcod args...]
bad_cfg() {
	local yaml=$1 want=$2
	shift 2
	n=$((n + 1))
	local f=$tmp/bad$n.yaml
	printf "$yaml" > "$f"
	"$falcod" -c "$f" --dry-run "$@" > /dev/null 2> "$tmp/bad$n.err"
	local rc=$?
	want=${want//@F@/$f}
	if [ $rc -ne 1 ]; then
		bad "case $n: exit status $rc, expected 1 ($(head -2 "$tmp/bad$n.err"))"
	elif ! grep -Eq "^falcod: error: $want" "$tmp/bad$n.err"; then
		bad "case $n: expected 'falcod: error: $want', got: $(cat "$tmp/bad$n.err")"
	else
		ok
	fi
}
good_cfg() {
	n=$((n + 1))
	printf "$1" > "$tmp/good$n.yaml"
	shift
	if "$falcod" -c "$tmp/good$n.yaml" --dry-run "$@" > /dev/null 2> "$tmp/good$n.err"; then ok; else
		bad "case $n (good): $(cat "$tmp/good$n.err")"
	fi
}
F=@F@
bad_cfg 'json_output: maybe\n' "$F:1:14: json_output: expected true or false, got 'maybe'"
bad_cfg 'stdout_output:\n  enabled: true\nhttp_output:\n  enabled: true\n  url: ftp://example.com/\n' \
	"$F:5:8: http_output.url: expected an http:// or https:// URL, got 'ftp://example.com/'"
bad_cfg 'http_output:\n  enabled: true\n  url: http://127.0.0.1:1/\n  timeout: 5 parsecs\n' \
	"$F:4:12: http_output.timeout: expected a duration such as 100ms, 15s, 30m or 1h, got '5 parsecs'"
bad_cfg 'http_output:\n  enabled: true\n  url: https://127.0.0.1:1/\n  mtls: true\n' \
	"$F:4:9: http_output.mtls needs http_output.client_cert and http_output.client_key"
bad_cfg 'http_output:\n  enabled: true\n' "$F:2:12: http_output is enabled but http_output.url is not set"
bad_cfg 'http_output:\n  retries: 1000\n' "$F:2:12: http_output.retries: 1000 is out of range"
bad_cfg 'nats_output:\n  subjekt: falco\n' "$F:2:3: unknown key 'subjekt' in 'nats_output' \\(did you mean 'subject'\\?\\)"
bad_cfg 'nats_output:\n  enabled: true\n  url: nats://127.0.0.1:notaport\n' \
	"$F:3:8: nats_output.url: expected nats://\\[user:password@\\]host\\[:port\\], got 'nats://127.0.0.1:notaport'"
bad_cfg 'nats_output:\n  enabled: true\n  subject: "falco.*"\n' "$F:3:12: nats_output.subject: 'falco.\\*' is not a valid subject"
bad_cfg 'file_output:\n  enabled: true\n' "$F:2:12: file_output is enabled but file_output.filename is not set"
bad_cfg 'program_output:\n  enabled: true\n' "$F:2:12: program_output is enabled but program_output.program is not set"
bad_cfg 'outputs_queue:\n  capacity: -3\n' "$F:2:13: outputs_queue.capacity: expected a non-negative integer, got '-3'"
bad_cfg 'priority: loud\n' "$F:1:11: priority: unknown priority 'loud'"
bad_cfg 'rule_matching: some\n' "$F:1:16: rule_matching: expected first or all, got 'some'"
bad_cfg 'metrics:\n  enabled: true\n  interval: 0s\n' "$F:3:13: metrics.interval: 0s is too short"
bad_cfg 'webserver:\n  listen_port: 99999\n' "$F:2:16: webserver.listen_port: 99999 is out of range \\(1 to 65535\\)"
bad_cfg 'json_output: true\njson_output: false\n' "$F:2:1: duplicate key 'json_output' \\(first at line 1\\)"
bad_cfg 'json_output: [true\n' "$F:2:1: YAML syntax error"
bad_cfg 'stdout_output:\n  enabled: true\n' "-o bogus.key=1: unknown key 'bogus'" -o bogus.key=1
bad_cfg 'stdout_output:\n  enabled: true\n' "-o nats_output.url=foo://bar: nats_output.url: expected nats://" \
	-o nats_output.url=foo://bar -o nats_output.enabled=true
good_cfg 'http_output:\n  enabled: true\n  url: http://127.0.0.1:1/x\n  timeout: 2s\n  retries: 3\nnats_output:\n  enabled: true\n  url: nats://u:p@127.0.0.1:4222\n  subject: alerts.<priority>.<rule>\nmetrics:\n  enabled: true\n  interval: 15s\nwebserver:\n  enabled: true\n  listen_port: 8765\n  prometheus_metrics_enabled: true\n'
good_cfg 'json_output: false\n' -o json_output=true -o file_output.enabled=true -o file_output.filename=/dev/null
echo "$n configurations"
out_finish
