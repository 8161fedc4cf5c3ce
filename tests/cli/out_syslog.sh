#!/usr/bin/env bash
# The syslog output against a real rsyslogd (Debian package rsyslog): rsyslogd listens on a
# unix socket in the scratch directory (imuxsock), and falcod runs in a private mount namespace
# where /dev/log (an overlay over /dev, nothing changes outside) points at that socket. Checks:
# one syslog message per alert, tagged falcod, with the alert's priority as the syslog severity
# and the text alert (Falco's layout) as the message; text and JSON alerts alike.
# Usage: out_syslog.sh FALCOC SRCDIR (skips when rsyslogd, root or mount namespaces are missing)
set -uo pipefail
source "$2/tests/e2e/outputs.bash"
out_init "$@"
rsyslogd=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$rsyslogd" ] || out_skip "rsyslogd not installed (scripts/deps installs rsyslog)"
[ "$(id -u)" -eq 0 ] || out_skip "needs root (a private mount namespace for /dev/log)"
N=120
bulk $N
mkdir -p "$tmp/up" "$tmp/wk" "$tmp/rs"
cat > "$tmp/rsyslog.conf" <<CONF
global(workDirectory="$tmp/rs")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$tmp/log.sock" CreatePath="on")
template(name="e2e" type="string" string="%syslogseverity-text% %syslogfacility-text% %programname% %msg%\n")
*.* action(type="omfile" file="$tmp/syslog.out" template="e2e")
CONF
"$rsyslogd" -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" > "$tmp/rsyslog.log" 2>&1 &
bg_pids+=($!)
wait_for 20 test -S "$tmp/log.sock" || { echo "FAIL: rsyslogd did not create its socket"; cat "$tmp/rsyslog.log"; exit 1; }
# in_ns CMD...: CMD with /dev/log -> the test's socket, in a private mount namespace.
# The mount is made by python (mount(2)), not by mount(8): the mount program in a privileged
# container is what "Mount Launched in Privileged Container" watches for.
in_ns() {
	unshare -m python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
t = sys.argv[1]
opts = ("lowerdir=/dev,upperdir=%s/up,workdir=%s/wk" % (t, t)).encode()
if libc.mount(b"overlay", b"/dev", b"overlay", 0, opts) != 0:
    sys.exit("overlay on /dev: " + os.strerror(ctypes.get_errno()))
if os.path.lexists("/dev/log"):
    os.unlink("/dev/log")
os.symlink(t + "/log.sock", "/dev/log")
os.execvp(sys.argv[2], sys.argv[2:])' "$tmp" "$@"
}
in_ns true 2> "$tmp/ns.err" || out_skip "no private mount namespace with an overlay on /dev: $(cat "$tmp/ns.err")"

for mode in text json; do
	: > "$tmp/syslog.out"
	in_ns "$falcod" -c "$cfg" --replay "$tmp/bulk.scap" -o syslog_output.enabled=true \
		-o stdout_output.enabled=false -o json_output=$([ $mode = json ] && echo true || echo false) \
		> "$tmp/$mode.stdout" 2> "$tmp/$mode.err"
	check "$mode: falcod exit status $?" [ $? -eq 0 ]
	wait_for 20 lines_at_least "$tmp/syslog.out" $N
	check "$mode: $(wc -l < "$tmp/syslog.out") syslog messages for $N alerts" [ "$(wc -l < "$tmp/syslog.out")" -eq $N ]
	check "$mode: severity, facility and tag ($(cut -d' ' -f1-3 "$tmp/syslog.out" | sort -u | head -3))" \
		[ "$(cut -d' ' -f1-3 "$tmp/syslog.out" | sort -u)" = "warning user falcod" ]
	check "$mode: stdout disabled" [ ! -s "$tmp/$mode.stdout" ]
	if [ $mode = text ]; then
		check "text: Falco's text layout in the message" grep -Eq \
			'^warning user falcod +[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}: Warning Sensitive file opened for reading by an untrusted program \| file=/etc/shadow ' \
			"$tmp/syslog.out"
	else
		check "json: every message is the JSON alert" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l.split(" ", 3)[3])
    assert d["rule"] == "Read Sensitive File Untrusted" and d["priority"] == "Warning", d
' "$tmp/syslog.out"
	fi
done
[ -e /dev/log ] && echo "note: /dev/log exists on this machine (untouched by the test)"
out_finish
