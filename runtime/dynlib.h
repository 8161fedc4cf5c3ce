/* dynlib.h — libcurl, libmicrohttpd and GnuTLS, loaded with dlopen() on first use.
 *
 * Linked normally, these three pull about 30 more libraries (krb5, ldap, nghttp2, ssh2, ...)
 * into every falcod start: mapping and relocating them cost ~3 ms of CPU per start, most of
 * falcod's fixed start-up cost, for features that are off unless configured (the webhook
 * output, the /metrics and /healthz web server). So falcod does not link them: the code that
 * needs one calls fc_dl_load() when it is configured, then calls through that library's table
 * of function pointers (fc_curl.easy_init(...) for curl_easy_init(...)). The tables are
 * generated from dynlib_*.def and typed from the libraries' own headers, so the compiler
 * checks every call as it would a direct one.
 *
 * FALCOD_DYNLIB_DIR, when set, is the directory the three libraries are loaded from instead
 * of the dynamic loader's search path (an internal hook: the tests make a library missing
 * with it). */
#ifndef FC_DYNLIB_H
#define FC_DYNLIB_H

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <stddef.h>

enum fc_dl_lib { FC_DL_CURL, FC_DL_MHD, FC_DL_GNUTLS };

#define FC_DL_LIB(soname, name, package)
#define FC_DL_FN(prefix, name) __typeof__(&prefix##name) name;
struct fc_dl_curl {
#include "dynlib_curl.def"
};
struct fc_dl_mhd {
#include "dynlib_mhd.def"
};
struct fc_dl_gnutls {
#include "dynlib_gnutls.def"
};
#undef FC_DL_FN
#undef FC_DL_LIB

/* Filled by a successful fc_dl_load() of their library, never changed afterwards. */
extern struct fc_dl_curl fc_curl;
extern struct fc_dl_mhd fc_mhd;
extern struct fc_dl_gnutls fc_gnutls;

/* Loads LIB and resolves its table, once per process (thread-safe; later calls give the first
 * call's result). 0, or -1 with ERR: "libcurl (libcurl.so.4) cannot be loaded: <why>; install
 * the Debian package libcurl4". */
int fc_dl_load(enum fc_dl_lib lib, char *err, size_t errlen);

#endif
