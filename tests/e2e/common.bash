# common.bash — sourced by the end-to-end tests (tests/e2e/*.sh; not a test itself): paths of the
# binaries, the falcod configuration the tests use, a live agent whose JSON alert lines are
# stamped with the wall clock as they are read (e2e_actor stamp), readiness by a canary alert,
# the per-case action runner, and the pass/fail tally.
#
# Scripts call e2e_init FALCOC SRCDIR first. Live tests then call e2e_need_live (skip 77 unless
# root with BTF) and agent_start (skip 77 when the probe cannot load: the reason is printed).

e2e_init() {
	falcoc=$(realpath "$1")
	src=$(realpath "$2")
	bin=$(dirname "$falcoc")
	falcod=$bin/falcod
	actor=$bin/e2e_actor
	mkcap=$bin/e2e_mkcap
	checker=$src/tests/e2e/check_alerts.py
	[ -x "$falcod" ] || e2e_skip "no falcod binary next to $falcoc"
	command -v python3 >/dev/null || e2e_skip "python3 needed"
	export TZ=UTC
	fails=0 checks=0
}

e2e_skip() {
	echo "skip: $*"
	exit 77
}

ok() { checks=$((checks + 1)); }
bad() {
	checks=$((checks + 1))
	fails=$((fails + 1))
	echo "FAIL: $*"
}

e2e_finish() {
	echo "$checks checks, $fails failed"
	[ -z "${e2e_moved:-}" ] || rm -rf "$e2e_moved"
	[ "$fails" -eq 0 ]
	exit $?
}

# A scratch directory for a test run, in the build directory (never in a world-writable
# staging directory: programs run from there would raise "Execution from Temporary Directory").
e2e_workdir() {
	work=$bin/e2e-$1
	case $work/ in
	/tmp/* | /var/tmp/* | /dev/shm/* | /run/shm/*)
		# a build below /tmp (a CI clone there): the scratch directory and the test's own
		# programs move out of it, and go away with the test
		work=$(mktemp -d /var/lib/falcod-e2e-$1.XXXXXX)
		e2e_moved=$work
		mkdir "$work/.prog"
		cp "$actor" "$work/.prog/e2e_actor" && actor=$work/.prog/e2e_actor
		[ -x "$mkcap" ] && cp "$mkcap" "$work/.prog/e2e_mkcap" && mkcap=$work/.prog/e2e_mkcap
		;;
	*) rm -rf "$work" && mkdir -p "$work" ;;
	esac
	chmod 755 "$work"
	cfg=$work/falcod.yaml
	# No syslog from tests; every matching rule alerts (not only the first), so a test sees all
	# the rules an action raises.
	printf 'syslog_output:\n  enabled: false\nrule_matching: all\njson_output: true\n' > "$cfg"
}

e2e_need_live() {
	[ "$(id -u)" -eq 0 ] || e2e_skip "live tests need root (the eBPF probe)"
	[ -r /sys/kernel/btf/vmlinux ] || e2e_skip "no kernel BTF at /sys/kernel/btf/vmlinux (CO-RE probe)"
	[ -x "$actor" ] || e2e_skip "no e2e_actor binary next to $falcoc"
}

# agent_start LABEL [falcod args...]: falcod live, JSON alerts stamped into $work/LABEL.out
# ("<ns> <json>" per line), its stderr in $work/LABEL.err. Returns once a canary read of
# /etc/shadow has raised its alert (probe attached, /proc scanned, rules running); sets
# agent_container to the container.id falcod gives this test's processes ("host" outside one).
agent_start() {
	local label=$1
	shift
	agent_out=$work/$label.out
	agent_err=$work/$label.err
	rm -f "$work/$label.fifo"
	mkfifo "$work/$label.fifo"
	"$actor" stamp < "$work/$label.fifo" > "$agent_out" &
	stamp_pid=$!
	"$falcod" -c "$cfg" "$@" > "$work/$label.fifo" 2> "$agent_err" &
	agent_pid=$!
	local canary=$work/canary-$label-$$ i
	for ((i = 0; i < 600; i++)); do
		if ! kill -0 "$agent_pid" 2>/dev/null; then
			wait "$agent_pid"
			wait "$stamp_pid"
			if grep -q 'cannot start the probe' "$agent_err"; then
				e2e_skip "$(grep -m1 'cannot start the probe' "$agent_err")"
			fi
			echo "falcod exited during start-up:"
			cat "$agent_err"
			return 1
		fi
		cat /etc/shadow "$canary" > /dev/null 2>&1
		grep -qF "$canary" "$agent_out" && break
		sleep 0.1
	done
	if ! grep -qF "$canary" "$agent_out"; then
		echo "no canary alert from falcod within 60 s"
		agent_stop
		return 1
	fi
	agent_container=$(grep -F "$canary" "$agent_out" | head -1 | cut -d' ' -f2- |
		python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["output_fields"]["container.id"])')
	return 0
}

# agent_wait STRING [SECONDS]: until an alert line contains STRING.
agent_wait() {
	local i n=$((${2:-10} * 20))
	for ((i = 0; i < n; i++)); do
		grep -qF -- "$1" "$agent_out" && return 0
		sleep 0.05
	done
	return 1
}

# agent_stop: SIGINT, then the summary is in $agent_err. Returns falcod's exit status.
agent_stop() {
	local rc
	kill -INT "$agent_pid" 2>/dev/null
	wait "$agent_pid"
	rc=$?
	wait "$stamp_pid"
	return $rc
}

# End marker: an alert raised after every action, so that once it is read every earlier alert
# was read too (alerts come out in event order).
agent_flush() {
	local m=$work/flush-$RANDOM$RANDOM
	cat /etc/shadow "$m" > /dev/null 2>&1
	agent_wait "$m" 20 || echo "warning: no flush alert within 20 s"
}

# Expectations of live actions, one line per case in $cases: TAG <TAB> expected rules
# (';'-separated, '-' for none) <TAB> field checks ('key=value;...', '-' for none).
# expect TAG RULES [FIELDS]: RULES may contain "ctr:Rule Name" items, expected only when falcod
# sees this machine's processes in a container (container.id != host).
expect() {
	local tag=$1 rules=$2 fields=${3:--} r out=()
	local IFS=';'
	for r in $rules; do
		case $r in
		ctr:*) [ "$agent_container" != host ] && out+=("${r#ctr:}") ;;
		*) out+=("$r") ;;
		esac
	done
	[ ${#out[@]} -eq 0 ] && out=(-)
	printf '%s\t%s\t%s\n' "$tag" "${out[*]}" "$fields" >> "$cases"
}
