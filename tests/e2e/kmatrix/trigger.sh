#!/bin/sh
# The behaviours the kernel-matrix test expects alerts for (tests/e2e/kmatrix/expected), each
# performed once. Runs in the test VMs (busybox) and on the host (KMX_BUSYBOX: the harness's
# static busybox, so the same tools behave the same everywhere). KMX_TMP: scratch directory.
bb=${KMX_BUSYBOX:-}
tmp=${KMX_TMP:-/tmp}
# 1. A shell below a renamed parent: a script named nginx (the kernel names the process after
#    the script file) starts sh. The trailing echo keeps the shell from exec'ing its last command.
printf '#!/bin/sh\nsh -c "echo shell-under-nginx"\necho nginx-done\n' > "$tmp/nginx"
chmod +x "$tmp/nginx"
"$tmp/nginx"
# 2. Read a credential store.
$bb cat /etc/shadow >/dev/null && echo read-shadow
# 3. Write below /etc.
echo kmatrix > /etc/kmatrix-written && echo wrote-etc
rm -f /etc/kmatrix-written
# 4. Connect to a local listener on a port favoured by C2 frameworks (4444).
$bb nc -l -p 4444 >/dev/null 2>&1 &
lpid=$!
sleep 1
echo hello | $bb nc -w 2 127.0.0.1 4444 && echo connected-4444
kill $lpid 2>/dev/null
wait $lpid 2>/dev/null
rm -f "$tmp/nginx"
exit 0
