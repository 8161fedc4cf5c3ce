#!/usr/bin/env bash
# falcod live mode without the privileges the probe needs (issue 5): run as nobody, it must fail
# at once (exit status 1, no hang) and say what is missing and what to do; --dry-run still works
# unprivileged (it never touches the kernel). Usage: live_errors.sh FALCOC SRCDIR
# Skips (77) when not root (it needs to drop to nobody) or setpriv is absent.
set -uo pipefail
falcod=$(dirname "$(realpath "$1")")/falcod
[ -x "$falcod" ] || { echo "skip: no falcod binary"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root to drop to nobody"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: setpriv (util-linux) not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
printf 'syslog_output:\n  enabled: false\n' > "$tmp/c.yaml"
chmod 644 "$tmp/c.yaml"
fail=0 n=0
check() { n=$((n + 1)); if eval "$1"; then :; else echo "FAIL: $2"; fail=$((fail + 1)); fi; }
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
timeout 60 bash -c "$(declare -f nobody); nobody '$falcod' -c '$tmp/c.yaml'" > "$tmp/out" 2> "$tmp/err"
rc=$?
check '[ $rc -eq 1 ]' "unprivileged live run exited $rc, expected 1 (124 = hung)"
check "grep -q 'cannot start the probe: permission denied' '$tmp/err'" "no 'permission denied' reason: $(cat "$tmp/err")"
check "grep -q 'run as root or grant CAP_BPF' '$tmp/err'" "no hint of what to do: $(cat "$tmp/err")"
check "[ ! -s '$tmp/out' ]" "unexpected output on stdout"
timeout 60 bash -c "$(declare -f nobody); nobody '$falcod' -c '$tmp/c.yaml' --dry-run" > "$tmp/out" 2> "$tmp/err"
rc=$?
check '[ $rc -eq 0 ]' "unprivileged --dry-run exited $rc: $(cat "$tmp/err")"
echo "live_errors: $((n - fail))/$n checks passed"
[ $fail -eq 0 ]
