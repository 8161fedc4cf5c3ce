#!/usr/bin/env bash
# Trusted bundles end to end. Usage: sign.sh FALCOC SRCDIR.
# falcoc keygen (modes, no overwrite), falcoc compile --sign (deterministic bytes, refused
# unsafe key), falcod --require-signed (CLI and config key) accepting the signed bundle and
# refusing, with the reason and exit status 1, an unsigned, tampered (header, table, body,
# signature), wrong-key, truncated or cut-signature bundle, YAML rules and the built-in
# ruleset. Live (root with the probe, else that part is skipped): a refused bundle stops
# falcod before the probe is attached, and a SIGHUP reload to an unsigned or tampered bundle is
# rejected (the running rules keep alerting) while one to a bundle signed with the key swaps in.
set -uo pipefail
falcoc=$(realpath "$1")
falcod=$(dirname "$falcoc")/falcod
[ -x "$falcod" ] || { echo "skip: no falcod binary"; exit 77; }
tmp=$(mktemp -d /tmp/falcod-sign.XXXXXX)
fpid=
cleanup() { [ -n "$fpid" ] && kill "$fpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# ---- keys
"$falcoc" keygen k 2>keygen.err || bad "keygen failed: $(cat keygen.err)"
[ "$(stat -c %a k.key)" = 600 ] || bad "secret key mode $(stat -c %a k.key), want 600"
grep -q '^falcod-ed25519-public [0-9a-f]\{64\}$' k.pub || bad "public key file: $(cat k.pub)"
cp k.key k.key.orig
"$falcoc" keygen k 2>/dev/null && bad "keygen overwrote an existing key"
cmp -s k.key k.key.orig || bad "keygen changed an existing key"
"$falcoc" keygen other 2>/dev/null || bad "second keygen"
(umask 000 && "$falcoc" keygen loose 2>/dev/null) || bad "keygen under umask 000"
[ "$(stat -c %a loose.key)" = 600 ] || bad "secret key mode under umask 000: $(stat -c %a loose.key)"

# ---- signing
cat > A.yaml <<EOF
- rule: sign test A
  desc: files created under the test directory
  condition: evt.type in (open, openat, openat2) and fd.name startswith $tmp/gen/
  output: "rules=A file=%fd.name end"
  priority: WARNING
EOF
sed 's/rules=A/rules=B/; s/sign test A/sign test B/' A.yaml > B.yaml
"$falcoc" compile A.yaml -o unsigned.fcb 2>/dev/null || bad "compile unsigned"
"$falcoc" compile --sign k.key A.yaml -o A.fcb 2>sign.err || bad "compile --sign: $(cat sign.err)"
grep -q 'signed by key' sign.err || bad "compile --sign does not name the key: $(cat sign.err)"
"$falcoc" compile --sign k.key A.yaml -o A2.fcb 2>/dev/null || bad "second compile --sign"
cmp -s A.fcb A2.fcb || bad "signed bundles differ for the same input and key"
"$falcoc" compile --sign k.key B.yaml -o B.fcb 2>/dev/null || bad "compile --sign B"
"$falcoc" compile --sign other.key A.yaml -o other.fcb 2>/dev/null || bad "compile --sign other"
chmod 644 loose.key
"$falcoc" compile --sign loose.key A.yaml -o loose.fcb 2>loose.err && bad "signed with a group/world-readable key"
grep -q 'chmod 600' loose.err || bad "unsafe key message: $(cat loose.err)"
[ -e loose.fcb ] && bad "a bundle was written with an unsafe key"
"$falcoc" compile --sign k.pub A.yaml -o x.fcb 2>x.err && bad "signed with a public key file"
grep -q 'this is the public key' x.err || bad "public-as-secret message: $(cat x.err)"
"$falcoc" --help | grep -q -- '--sign KEY' || bad "falcoc --help lacks --sign"
"$falcoc" --help | grep -q 'keygen NAME' || bad "falcoc --help lacks keygen"

# Damaged copies of A.fcb: a byte flipped at OFFSET (negative: from the end).
size=$(stat -c %s A.fcb)
flip() { # out offset
	cp A.fcb "$1"
	local off=$2
	[ "$off" -lt 0 ] && off=$((size + off))
	python3 - "$1" "$off" <<'PY'
import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read())
b[o] ^= 0x5a
open(p, 'wb').write(bytes(b))
PY
}
flip t_magic.fcb 3
flip t_hdr.fcb 40
flip t_tab.fcb 70
flip t_body.fcb $((size / 2))
flip t_sig.fcb -5
flip t_signer.fcb -80
head -c $((size - 10)) A.fcb > t_trunc.fcb
# Cut the signature to 64 bytes with the header and table made consistent again: a shorter
# signature section that still ends the file.
python3 - A.fcb t_cutsig.fcb <<'PY'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], 'rb').read())
n = struct.unpack_from('<I', b, 24)[0]
e = 64 + 16 * (n - 1)
sid, cnt, off, sz = struct.unpack_from('<IIII', b, e)
assert sid == 255 and sz == 104
b = b[:off + 64]
struct.pack_into('<I', b, e + 12, 64)
struct.pack_into('<Q', b, 16, len(b))
open(sys.argv[2], 'wb').write(bytes(b))
PY
# A signed bundle re-crc'd after a body change: the crc no longer catches it, the signature must.
python3 - A.fcb t_recrc.fcb <<'PY'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], 'rb').read())
n = struct.unpack_from('<I', b, 24)[0]
off = struct.unpack_from('<I', b, 64 + 16 * (n - 1) + 8)[0]
i = b.find(b'rules=A')
b[i + 6] = ord('Z')
struct.pack_into('<I', b, 28, zlib.crc32(bytes(b[32:off])) & 0xffffffff)
open(sys.argv[2], 'wb').write(bytes(b))
PY

expect_ok() { # what, falcod args...
	local what=$1
	shift
	"$falcod" "$@" --dry-run > out 2> err || bad "$what: refused: $(cat err)"
	grep -q 'signed bundle' err || bad "$what: no 'signed bundle' in: $(cat err)"
}
expect_refused() { # what, pattern, falcod args...
	local what=$1 pat=$2
	shift 2
	"$falcod" "$@" --dry-run > out 2> err
	local rc=$?
	[ "$rc" -eq 1 ] || bad "$what: exit status $rc, want 1 ($(cat err))"
	grep -q -- "$pat" err || bad "$what: message lacks '$pat': $(cat err)"
	grep -q 'rules OK' err && bad "$what: reported OK"
}
cfg() { printf 'syslog_output:\n  enabled: false\n%s\n' "$1" > "$2"; }
cfg "" base.yaml
cfg "require_signed: $tmp/k.pub" req.yaml

expect_ok "signed, --require-signed" -c base.yaml --require-signed k.pub -r A.fcb
expect_ok "signed, require_signed key" -c req.yaml -r A.fcb
expect_ok "signed, -o require_signed" -c base.yaml -o "require_signed=$tmp/k.pub" -r A.fcb
"$falcod" -c base.yaml -r A.fcb --dry-run 2>/dev/null || bad "a signed bundle without --require-signed"
expect_refused "unsigned" "not signed" -c base.yaml --require-signed k.pub -r unsigned.fcb
expect_refused "unsigned (config)" "not signed" -c req.yaml -r unsigned.fcb
expect_refused "wrong key" "signed with another key" -c base.yaml --require-signed k.pub -r other.fcb
expect_refused "magic" "must be one signed bundle" -c base.yaml --require-signed k.pub -r t_magic.fcb
expect_refused "header" "untrusted bundle" -c base.yaml --require-signed k.pub -r t_hdr.fcb
expect_refused "table" "untrusted bundle" -c base.yaml --require-signed k.pub -r t_tab.fcb
expect_refused "body" "bad signature" -c base.yaml --require-signed k.pub -r t_body.fcb
expect_refused "signature bytes" "bad signature" -c base.yaml --require-signed k.pub -r t_sig.fcb
expect_refused "signer field" "signed with another key" -c base.yaml --require-signed k.pub -r t_signer.fcb
expect_refused "truncated" "truncated" -c base.yaml --require-signed k.pub -r t_trunc.fcb
expect_refused "cut signature" "malformed signature" -c base.yaml --require-signed k.pub -r t_cutsig.fcb
expect_refused "re-crc'd body" "modified after signing" -c base.yaml --require-signed k.pub -r t_recrc.fcb
expect_refused "YAML rules" "must be one signed bundle" -c base.yaml --require-signed k.pub -r A.yaml
expect_refused "built-in rules" "must be one signed bundle" -c base.yaml --require-signed k.pub
expect_refused "secret key as trusted key" "this is the secret key" -c base.yaml --require-signed k.key -r A.fcb
expect_refused "missing key file" "nokey.pub" -c base.yaml --require-signed nokey.pub -r A.fcb
"$falcod" --help | grep -q -- '--require-signed PUBKEY' || bad "falcod --help lacks --require-signed"

# ---- live: refused before anything is attached; reloads check too
live=0
if [ "$(id -u)" -eq 0 ]; then
	"$falcod" -c base.yaml --require-signed k.pub -r t_body.fcb -M 2 > out 2> err
	rc=$?
	[ "$rc" -eq 1 ] || bad "live, tampered: exit status $rc"
	grep -q 'probe attached' err && bad "live, tampered: the probe was attached: $(cat err)"
	grep -q 'bad signature' err || bad "live, tampered: $(cat err)"

	mkdir -p gen rules
	cp A.fcb rules/active.fcb
	cfg "watch_config_files: false" live.yaml
	"$falcod" -c live.yaml --require-signed k.pub -r rules/active.fcb > lout 2> lerr &
	fpid=$!
	for _ in $(seq 100); do
		grep -q -e 'probe attached' -e 'cannot start the probe' lerr && break
		kill -0 "$fpid" 2>/dev/null || break
		sleep 0.1
	done
	if grep -q 'probe attached' lerr; then
		live=1
		alert() { # ruleset tag, file name: creates the file until its alert shows (5 s at most)
			for _ in $(seq 50); do
				: > "gen/$2"
				grep -q "rules=$1 file=$tmp/gen/$2 end" lout && return 0
				sleep 0.1
			done
			return 1
		}
		reload_to() { # bundle; waits for the reload's outcome line
			local before
			before=$(grep -c -e 'falcod: reloaded:' -e 'reload rejected' lerr)
			cp "$1" rules/active.fcb.new && mv rules/active.fcb.new rules/active.fcb
			kill -HUP "$fpid"
			for _ in $(seq 100); do
				[ "$(grep -c -e 'falcod: reloaded:' -e 'reload rejected' lerr)" -gt "$before" ] && return 0
				sleep 0.1
			done
			return 1
		}
		alert A a0 || bad "live: no alert from the signed bundle"
		reload_to unsigned.fcb || bad "live: no outcome for the unsigned reload"
		grep -q 'not signed' lerr || bad "live: unsigned reload not refused with the reason"
		alert A a1 || bad "live: the running rules stopped after a refused reload"
		reload_to t_recrc.fcb || bad "live: no outcome for the tampered reload"
		grep -q 'modified after signing' lerr || bad "live: tampered reload not refused with the reason"
		alert A a2 || bad "live: the running rules stopped after a second refused reload"
		reload_to B.fcb || bad "live: no outcome for the signed reload"
		grep -q 'falcod: reloaded: signed bundle' lerr || bad "live: the signed bundle B was not swapped in"
		alert B b0 || bad "live: no alert from bundle B after the reload"
		kill -TERM "$fpid"
		wait "$fpid"
		rc=$?
		fpid=
		[ "$rc" -eq 0 ] || bad "live: falcod exited with $rc"
		echo "live: $(grep -c 'reload rejected' lerr) reloads refused, $(grep -c 'falcod: reloaded:' lerr) swapped in"
	else
		echo "live part skipped: $(grep -m1 -e 'cannot start the probe' lerr || echo 'falcod did not start')"
		kill "$fpid" 2>/dev/null
		wait "$fpid" 2>/dev/null
		fpid=
	fi
else
	echo "live part skipped: not root"
fi

if [ "$fail" -ne 0 ]; then
	[ -f lerr ] && { echo "--- falcod stderr (live)"; tail -30 lerr; }
	exit 1
fi
echo "sign.sh: ok (live part: $([ $live -eq 1 ] && echo ran || echo skipped))"
