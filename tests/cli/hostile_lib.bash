# hostile_lib.bash — shared by the hostile-load tests tests/cli/hostile_*.sh (sourced; its name
# does not end in .sh, so it is no ctest case itself). Each test runs falcod live (root, eBPF
# probe) under one kind of hostile load with a memory cap (memory_limit), and checks that falcod
# kept alerting (a sentinel file's alert arrives after the load), did not crash (exit status 0
# on SIGTERM, no sanitizer report), and that its peak RSS stayed under the cap.
# Skips (77) only when falcod is missing, when not root, or when the probe cannot start.
# Usage from a test: source "$(dirname "$0")/hostile_lib.bash" "$@"
set -uo pipefail
falcoc=$(realpath "$1")
src=$(realpath "$2")
falcod=$(dirname "$falcoc")/falcod
test_name=$(basename "$0" .sh)
skip() { echo "skip: $*"; exit 77; }
[ -x "$falcod" ] || skip "no falcod binary"
[ "$(id -u)" -eq 0 ] || skip "needs root (the eBPF probe)"
tmp=$(mktemp -d /tmp/falcod-hostile.XXXXXX)
chmod 755 "$tmp"
fpid=
extra_cleanup=()
cleanup() {
	local c
	for c in "${extra_cleanup[@]}"; do eval "$c"; done
	[ -n "$fpid" ] && kill -KILL "$fpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
mkdir -p "$tmp/sentinel"

# The memory cap: 256 MiB; sanitizer builds carry shadow memory and a quarantine, so their
# cap is larger (the point there is the sanitizer, the Release run checks the figure).
# (grep -c, not -q: with pipefail, nm killed by SIGPIPE would read as "no match")
if [ "$(nm "$falcod" 2>/dev/null | grep -c '__asan_init')" -gt 0 ]; then
	MEM_LIMIT_MB=${HOSTILE_MEM_LIMIT_MB:-1024}
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:quarantine_size_mb=32
else
	MEM_LIMIT_MB=${HOSTILE_MEM_LIMIT_MB:-256}
fi

# The sentinel rule: every test loads it next to its own rules.
cat > "$tmp/sentinel.yaml" <<EOF
- rule: hostile sentinel
  desc: a file created under the test's sentinel directory
  condition: evt.type in (open, openat, openat2) and fd.name startswith $tmp/sentinel/
  output: "sentinel file=%fd.name end"
  priority: CRITICAL
EOF
printf 'syslog_output:\n  enabled: false\nwatch_config_files: false\n' > "$tmp/cfg.yaml"

# start_falcod [falcod options...]: live, with the sentinel rule, the cap, alerts in $tmp/out.
start_falcod() {
	"$falcod" -c "$tmp/cfg.yaml" -r "$tmp/sentinel.yaml" -o "memory_limit=${MEM_LIMIT_MB}M" "$@" \
		> "${FALCOD_OUT:-$tmp/out}" 2> "$tmp/err" &
	fpid=$!
	local i
	for i in $(seq 150); do
		grep -q -e 'probe attached' -e 'cannot start the probe' "$tmp/err" && break
		kill -0 "$fpid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'probe attached' "$tmp/err"; then
		if grep -q 'cannot start the probe' "$tmp/err"; then
			skip "$(grep -m1 'cannot start the probe' "$tmp/err")"
		fi
		echo "FAIL: falcod did not start"
		cat "$tmp/err"
		exit 1
	fi
	sentinel start || { bad "no sentinel alert before the load"; }
}

# sentinel NAME [SECONDS]: creates $tmp/sentinel/NAME until its alert is in the alerts file
# (default 15 s at most). The alerts file is $tmp/out unless SENTINEL_IN names another.
sentinel() {
	local n=$1 secs=${2:-15} i
	for i in $(seq $((secs * 10))); do
		: > "$tmp/sentinel/$n"
		grep -a -q "sentinel file=$tmp/sentinel/$n end" "${SENTINEL_IN:-$tmp/out}" && return 0
		kill -0 "$fpid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# stop_falcod: SIGTERM, bounded wait (30 s, then SIGKILL), common checks, figures.
stop_falcod() {
	kill -TERM "$fpid"
	local i rc
	for i in $(seq 300); do
		kill -0 "$fpid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$fpid" 2>/dev/null && { bad "falcod did not stop within 30 s of SIGTERM"; kill -KILL "$fpid"; }
	wait "$fpid"
	rc=$?
	fpid=
	[ "$rc" -eq 0 ] || bad "falcod exited with status $rc"
	grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$tmp/err" && bad "sanitizer report"
	local rss_kib
	rss_kib=$(sed -n 's/.*max RSS \([0-9]*\) KiB.*/\1/p' "$tmp/err" | tail -1)
	if [ -z "$rss_kib" ]; then
		bad "no summary"
	else
		[ "$rss_kib" -lt $((MEM_LIMIT_MB * 1024)) ] || bad "peak RSS $((rss_kib / 1024)) MiB is over the cap ${MEM_LIMIT_MB} MiB"
	fi
	# figures: one line per test
	local read alerts drops qdrops ev
	read=$(sed -n 's/^ *events read: \([0-9]*\).*/\1/p' "$tmp/err")
	alerts=$(sed -n 's/^Events detected: \([0-9]*\)/\1/p' "$tmp/err")
	qdrops=$(sed -n 's/.*written, \([0-9]*\) dropped (outputs queue full).*/\1/p' "$tmp/err")
	drops=$(sed -n 's/.* \([0-9]*\) dropped (ring full).*/\1/p' "$tmp/err")
	ev=$(sed -n 's/.*(evictions \([0-9]*\) threads, \([0-9]*\) fds).*/\1 threads, \2 fds/p' "$tmp/err")
	echo "$test_name: events read ${read:-?}, alerts ${alerts:-?}, alerts dropped (queue full) ${qdrops:-?}," \
		"ring drops ${drops:-?}, evictions ${ev:-?}, peak RSS $(( ${rss_kib:-0} / 1024 )) MiB (cap ${MEM_LIMIT_MB} MiB)"
}

finish() {
	if [ "$fail" -ne 0 ]; then
		echo "--- falcod stderr"
		tail -40 "$tmp/err"
		exit 1
	fi
	echo "$test_name: ok"
	exit 0
}
