#!/usr/bin/env bash
# falcod loads libcurl, libmicrohttpd and GnuTLS only when a feature needs them (runtime/dynlib.h):
#  1. falcod does not link them (no DT_NEEDED entry), falcoc neither;
#  2. with the libraries missing (FALCOD_DYNLIB_DIR, the internal hook, names an empty
#     directory): --version and a replay with the webhook output and the web server off work as
#     always;
#  3. http_output enabled: falcod exits 1 at start, naming the library, its soname and the Debian
#     package; the web server likewise (libmicrohttpd), and with a client CA, GnuTLS (only
#     libmicrohttpd in the directory: it is loaded from there, GnuTLS is then missing);
#  4. a file of libcurl's name that lacks its functions: refused, naming the first missing one.
# The working paths (the libraries present) are tests/cli/out_webhook.sh, out_metrics.sh and
# tests/unit/test_webtls.c. Usage: out_dynlib.sh FALCOC SRCDIR
set -uo pipefail
source "$2/tests/e2e/outputs.bash"
out_init "$@"
command -v readelf > /dev/null || out_skip "readelf (binutils) needed"
N=20
bulk $N

# 1. Not linked.
needed() { readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
for b in "$falcod" "$falcoc"; do
	check "$(basename "$b") links none of libcurl/libmicrohttpd/libgnutls: $(needed "$b" | tr '\n' ' ')" \
		bash -c '! readelf -dW "$1" | grep -E "NEEDED.*\[lib(curl|microhttpd|gnutls)\." > /dev/null' _ "$b"
done

# 2. Missing libraries, features off.
none=$tmp/nolibs
mkdir -p "$none"
export FALCOD_DYNLIB_DIR=$none
"$falcod" --version > "$tmp/version.out" 2>&1
check "--version without the libraries: exit status $?" [ $? -eq 0 ]
check "--version prints the version" grep -q "falcod" "$tmp/version.out"
"$falcod" -c "$cfg" --replay "$tmp/bulk.scap" > "$tmp/replay.out" 2> "$tmp/replay.err"
check "replay without the libraries: exit status $? ($(tail -1 "$tmp/replay.err"))" [ $? -eq 0 ]
check "replay without the libraries: $(wc -l < "$tmp/replay.out") alerts for $N" [ "$(wc -l < "$tmp/replay.out")" -eq $N ]

# 3. Missing libraries, features on: exit 1 with the exact message, before any event.
# fails NAME 'expected stderr line' falcod-args...
fails() {
	local name=$1 want=$2
	shift 2
	"$falcod" -c "$cfg" --replay "$tmp/bulk.scap" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
	local rc=$?
	check "$name: exit status $rc, expected 1" [ $rc -eq 1 ]
	if grep -qxF -- "$want" "$tmp/$name.err"; then ok; else
		bad "$name: expected '$want', got: $(cat "$tmp/$name.err")"
	fi
	check "$name: no alert written" [ ! -s "$tmp/$name.out" ]
}
# msg FEATURE NAME SONAME DIR PACKAGE: falcod's message for a library missing from DIR
msg() {
	echo "falcod: $1: $2 ($3) cannot be loaded: $4/$3: cannot open shared object file: No such file or directory;" \
		"install the Debian package $5"
}
fails webhook "$(msg http_output libcurl libcurl.so.4 "$none" libcurl4)" \
	-o http_output.enabled=true -o http_output.url=http://127.0.0.1:1/
fails webserver "$(msg webserver libmicrohttpd libmicrohttpd.so.12 "$none" libmicrohttpd12)" \
	-o webserver.enabled=true -o webserver.listen_port=1
# GnuTLS alone missing: the directory holds falcod's own arch's libmicrohttpd (it needs GnuTLS
# itself, found by the loader's normal search; only falcod's own dlopen looks in the directory).
case $(readelf -hW "$falcod" | sed -n 's/^ *Machine: *//p') in
*X86-64*) triplet=x86_64-linux-gnu ;;
*AArch64*) triplet=aarch64-linux-gnu ;;
*) triplet=unknown ;;
esac
mhd=""
for d in /usr/lib/$triplet /lib/$triplet; do
	[ -e "$d/libmicrohttpd.so.12" ] && { mhd=$d/libmicrohttpd.so.12; break; }
done
if [ -n "$mhd" ]; then
	only=$tmp/mhdonly
	mkdir -p "$only"
	ln -s "$mhd" "$only/libmicrohttpd.so.12"
	FALCOD_DYNLIB_DIR=$only fails client_ca "$(msg webserver GnuTLS libgnutls.so.30 "$only" libgnutls30)" \
		-o webserver.enabled=true -o webserver.listen_port=1 -o webserver.ssl_enabled=true \
		-o "webserver.ssl_certificate=$tmp/none.pem" -o "webserver.ssl_client_ca=$tmp/none.pem"
else
	echo "note: no libmicrohttpd.so.12 for $triplet, the GnuTLS case is not run"
fi
# A file of the library's name without its functions (an older or an unrelated library, here
# zlib): refused with the first missing function, exit 1.
libz=""
for d in /usr/lib/$triplet /lib/$triplet; do
	[ -e "$d/libz.so.1" ] && { libz=$d/libz.so.1; break; }
done
if [ -n "$libz" ]; then
	wrong=$tmp/wronglib
	mkdir -p "$wrong"
	ln -s "$libz" "$wrong/libcurl.so.4"
	FALCOD_DYNLIB_DIR=$wrong fails wrong_library \
		"falcod: http_output: libcurl (libcurl.so.4) cannot be used: it has no curl_global_init (too old?); install the Debian package libcurl4" \
		-o http_output.enabled=true -o http_output.url=http://127.0.0.1:1/
else
	echo "note: no libz.so.1 for $triplet, the wrong-library case is not run"
fi
out_finish
