#!/bin/sh
# The behaviours the kernel-matrix test expects alerts for (tests/e2e/kmatrix/expected), each
# performed once. Runs in the test VMs (busybox) and on the host (KMX_BUSYBOX: the harness's
# static busybox, so the same tools behave the same everywhere). KMX_TMP: scratch directory.
#
# Programs are started by absolute path: Debian's static busybox runs a bare applet name by
# exec'ing /proc/self/exe, so the kernel would name every such process "exe".
bb=${KMX_BUSYBOX:-}
tmp=${KMX_TMP:-/tmp}
tool() {
	if [ -n "$bb" ]; then
		echo "$bb $1"
		return
	fi
	for d in /bin /usr/bin /sbin /usr/sbin; do
		[ -x "$d/$1" ] && { echo "$d/$1"; return; }
	done
	echo "$1"
}
cat=$(tool cat)
nc=$(tool nc)
# 1. A shell below a renamed parent: a script named nginx (the kernel names the process after
#    the script file) starts sh. The trailing echo keeps the shell from exec'ing its last command.
printf '#!/bin/sh\n/bin/sh -c "echo shell-under-nginx"\necho nginx-done\n' > "$tmp/nginx"
chmod +x "$tmp/nginx"
"$tmp/nginx"
# 2. Read a credential store.
$cat /etc/shadow >/dev/null && echo read-shadow
# 3. Write below /etc.
echo kmatrix > /etc/kmatrix-written && echo wrote-etc
rm -f /etc/kmatrix-written
# 4. Connect to a local listener on a port favoured by C2 frameworks (4444).
$nc -l -p 4444 >/dev/null 2>&1 &
lpid=$!
sleep 1
echo hello | $nc -w 2 127.0.0.1 4444 && echo connected-4444
kill $lpid 2>/dev/null
wait $lpid 2>/dev/null
rm -f "$tmp/nginx"
exit 0
