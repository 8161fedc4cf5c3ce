#!/usr/bin/env bash
# The NATS output against a real nats-server (Debian package nats-server), read back by a
# subscriber speaking the NATS text protocol (tests/e2e/receivers.py natssub):
#  1. every alert is published once, on the subject falco.<priority>.<rule> (the rule's
#     non-alphanumerics made '_'), with the JSON alert as payload (the stdout lines);
#  2. a custom subject template, with token authentication;
#  3. no server at all: stdout gets every alert, falcod exits 0, the failures are counted.
# Usage: out_nats.sh FALCOC SRCDIR (skips when nats-server is not installed)
set -uo pipefail
source "$2/tests/e2e/outputs.bash"
out_init "$@"
nats=$(command -v nats-server || echo /usr/sbin/nats-server)
[ -x "$nats" ] || out_skip "nats-server not installed (scripts/deps installs it)"
N=300
bulk $N

# nats_start LABEL [nats-server options]: server on a free port; sets nport.
nats_start() {
	local label=$1
	shift
	nport=$(free_port)
	"$nats" -a 127.0.0.1 -p "$nport" "$@" > "$tmp/$label.nats.log" 2>&1 &
	bg_pids+=($!)
	wait_for 20 port_open "$nport" || { echo "FAIL: nats-server did not start"; cat "$tmp/$label.nats.log"; exit 1; }
}
# sub_start LABEL SUBJECT [TOKEN]: subscriber ready on the server; sets sub_out.
sub_start() {
	sub_out=$tmp/$1.msgs
	python3 "$recv" natssub 127.0.0.1 "$nport" "$2" "$sub_out" "$tmp/$1.ready" ${3:+"$3"} &
	bg_pids+=($!)
	wait_for 20 test -s "$tmp/$1.ready" || { echo "FAIL: NATS subscriber not ready"; exit 1; }
}

# 1. Delivery on the default subject.
nats_start plain
sub_start plain 'falco.>'
"$falcod" -c "$cfg" --replay "$tmp/bulk.scap" -o nats_output.enabled=true \
	-o "nats_output.url=nats://127.0.0.1:$nport" > "$tmp/plain.stdout" 2> "$tmp/plain.err"
check "delivery: falcod exit status $?" [ $? -eq 0 ]
wait_for 20 lines_at_least "$sub_out" $N
check "delivery: $(wc -l < "$sub_out") messages for $N alerts" [ "$(wc -l < "$sub_out")" -eq $N ]
check "delivery: subject $(cut -d' ' -f1 "$sub_out" | sort -u | head -3)" \
	[ "$(cut -d' ' -f1 "$sub_out" | sort -u)" = "falco.warning.Read_Sensitive_File_Untrusted" ]
sorted_json "$sub_out" 1 > "$tmp/plain.msgs.json"
sorted_json "$tmp/plain.stdout" > "$tmp/plain.stdout.json"
check "delivery: the payloads are the stdout alerts" cmp -s "$tmp/plain.msgs.json" "$tmp/plain.stdout.json"
grep 'nats output' "$tmp/plain.err" | sed 's/^ */    /'

# 2. A subject template and a server that wants a token.
nats_start auth --auth s3cr3t-e2e
sub_start auth 'alerts.>' s3cr3t-e2e
"$falcod" -c "$cfg" --replay "$tmp/bulk.scap" -o nats_output.enabled=true \
	-o "nats_output.url=nats://127.0.0.1:$nport" -o nats_output.token=s3cr3t-e2e \
	-o 'nats_output.subject=alerts.<priority>' > /dev/null 2> "$tmp/auth.err"
check "auth: falcod exit status $?" [ $? -eq 0 ]
wait_for 20 lines_at_least "$sub_out" $N
check "auth: $(wc -l < "$sub_out") messages on alerts.warning" [ "$(grep -c '^alerts.warning {' "$sub_out")" -eq $N ]
# The wrong token: refused, counted, alerts still on stdout.
"$falcod" -c "$cfg" --replay "$tmp/bulk.scap" -o nats_output.enabled=true \
	-o "nats_output.url=nats://127.0.0.1:$nport" -o nats_output.token=wrong \
	> "$tmp/badauth.stdout" 2> "$tmp/badauth.err"
check "bad token: falcod exit status $?" [ $? -eq 0 ]
check "bad token: stdout has all $N alerts" [ "$(wc -l < "$tmp/badauth.stdout")" -eq $N ]
check "bad token: the refusal is reported" grep -qi 'author' "$tmp/badauth.err"

# 3. No server.
dead=$(free_port)
timeout 120 "$falcod" -c "$cfg" --replay "$tmp/bulk.scap" -o nats_output.enabled=true \
	-o "nats_output.url=nats://127.0.0.1:$dead" > "$tmp/dead.stdout" 2> "$tmp/dead.err"
check "dead server: falcod exit status $?" [ $? -eq 0 ]
check "dead server: stdout has all $N alerts" [ "$(wc -l < "$tmp/dead.stdout")" -eq $N ]
check "dead server: failures counted ($(grep 'nats output:' "$tmp/dead.err"))" \
	grep -Eq "nats output: 0 sent, .*[1-9][0-9]* failed" "$tmp/dead.err"
grep 'nats output' "$tmp/dead.err" | sed 's/^ */    /'
out_finish
