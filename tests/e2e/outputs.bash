# outputs.bash — sourced by the output tests (tests/cli/out_*.sh) and scripts/demo: the binaries,
# a scratch directory removed on exit, background receivers stopped on exit, free ports, bounded
# waits, and the alert stream (a crafted capture: cat reading /etc/shadow N times raises N alerts
# of the default ruleset's "Read Sensitive File Untrusted").
# Scripts call out_init FALCOC SRCDIR first.

out_init() {
	falcoc=$(realpath "$1")
	src=$(realpath "$2")
	bin=$(dirname "$falcoc")
	falcod=$bin/falcod
	mkcap=$bin/e2e_mkcap
	recv=$src/tests/e2e/receivers.py
	[ -x "$falcod" ] || out_skip "no falcod binary next to $falcoc"
	[ -x "$mkcap" ] || out_skip "no e2e_mkcap binary next to $falcoc"
	command -v python3 > /dev/null || out_skip "python3 needed"
	export TZ=UTC
	tmp=$(mktemp -d /var/tmp/falcod-out.XXXXXX)
	[ -n "${OUT_KEEP:-}" ] && echo "scratch: $tmp"
	chmod 755 "$tmp"
	bg_pids=()
	trap out_cleanup EXIT
	fails=0 checks=0
	# No syslog unless a test asks for it; JSON alerts.
	cfg=$tmp/falcod.yaml
	printf 'syslog_output:\n  enabled: false\njson_output: true\n' > "$cfg"
}

out_skip() {
	echo "skip: $*"
	exit 77
}

out_cleanup() {
	local p
	for p in "${bg_pids[@]}"; do
		kill "$p" 2> /dev/null
	done
	for p in "${bg_pids[@]}"; do
		# bounded: a receiver that ignores SIGTERM gets SIGKILL after 5 s
		for _ in $(seq 50); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
		kill -9 "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	done
	[ -n "${OUT_KEEP:-}" ] || rm -rf "$tmp"
}

ok() { checks=$((checks + 1)); }
bad() {
	checks=$((checks + 1))
	fails=$((fails + 1))
	echo "FAIL: $*"
}
check() { # check DESCRIPTION COMMAND...: ok when the command succeeds
	local what=$1
	shift
	if "$@"; then ok; else bad "$what"; fi
}
out_finish() {
	echo "$checks checks, $fails failed"
	[ "$fails" -eq 0 ]
	exit $?
}

# A TCP port nobody listens on now (the kernel's choice).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS COMMAND...: until the command succeeds (polled every 0.1 s); 1 on timeout.
wait_for() {
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
lines_at_least() { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }
port_open() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# bulk N: $tmp/bulk.scap raises N alerts with the default ruleset.
bulk() {
	"$mkcap" --bulk "$tmp/bulk.scap" "$1" || { echo "FAIL: e2e_mkcap --bulk"; exit 1; }
}

# webhook_start LABEL [FAIL_FIRST]: a webhook receiver; sets wh_port, wh_out ($tmp/LABEL.posts).
webhook_start() {
	wh_out=$tmp/$1.posts
	rm -f "$tmp/$1.port"
	python3 "$recv" webhook "$tmp/$1.port" "$wh_out" "${2:-0}" &
	bg_pids+=($!)
	wait_for 20 test -s "$tmp/$1.port" || { echo "FAIL: webhook receiver did not start"; exit 1; }
	wh_port=$(cat "$tmp/$1.port")
}

# sorted_json FILE [SKIP_FIELDS]: the JSON objects of FILE (one per line, optionally after SKIP
# space-separated fields), re-serialised with sorted keys and sorted, for set comparisons.
sorted_json() {
	python3 -c '
import json, sys
skip = int(sys.argv[2]) if len(sys.argv) > 2 else 0
out = []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    if skip:
        line = line.split(" ", skip)[-1]
    if line.startswith("{"):
        out.append(json.dumps(json.loads(line), sort_keys=True))
print("\n".join(sorted(out)))' "$@"
}
