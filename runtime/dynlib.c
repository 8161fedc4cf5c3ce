/* dynlib.c — loading libcurl, libmicrohttpd and GnuTLS on first use (dynlib.h says why).
 * Each library is opened once per process under its own pthread_once: outputs run in their
 * own threads, and a configuration reload may open an output while another one runs. The
 * tables are written only inside that once-routine and read only after fc_dl_load() returned
 * 0, so readers see them complete. A library stays loaded until exit (never dlclose()d: its
 * functions may be running in its own threads, and curl_global_init() is not undone). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"

struct fc_dl_curl fc_curl;
struct fc_dl_mhd fc_mhd;
struct fc_dl_gnutls fc_gnutls;

/* dlsym() returns an object pointer; the tables hold function pointers of the same size
 * (POSIX requires it), copied bytewise since C has no conversion between the two. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function and object pointers differ in size");

struct lib {
	const char *soname, *name, *package;
	pthread_once_t once;
	int rc;
	char err[512];
};

#define FC_DL_FN(prefix, name)
#define FC_DL_LIB(soname, name, package) {soname, name, package, PTHREAD_ONCE_INIT, -1, ""}
static struct lib libs[] = {
	[FC_DL_CURL] =
#include "dynlib_curl.def"
	,
	[FC_DL_MHD] =
#include "dynlib_mhd.def"
	,
	[FC_DL_GNUTLS] =
#include "dynlib_gnutls.def"
};
#undef FC_DL_LIB
#undef FC_DL_FN

static void *open_lib(struct lib *l)
{
	char path[4096];
	const char *dir = secure_getenv("FALCOD_DYNLIB_DIR"), *p = l->soname;
	if (dir && *dir) {
		snprintf(path, sizeof path, "%s/%s", dir, l->soname);
		p = path;
	}
	void *h = dlopen(p, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		snprintf(l->err, sizeof l->err, "%s (%s) cannot be loaded: %s; install the Debian package %s", l->name,
			 l->soname, why ? why : "unknown error", l->package);
	}
	return h;
}

/* The address of SYM in H into *SLOT; false (and the library unloaded) when H lacks it: an
 * older library than the one falcod was built against. */
static bool resolve(struct lib *l, void *h, const char *sym, void *slot)
{
	dlerror();
	void *p = dlsym(h, sym);
	if (!p) {
		snprintf(l->err, sizeof l->err, "%s (%s) cannot be used: it has no %s (too old?); install the Debian package %s",
			 l->name, l->soname, sym, l->package);
		dlclose(h);
		return false;
	}
	memcpy(slot, &p, sizeof p);
	return true;
}

/* One loader per library, each resolving its .def list into a local table first, so the
 * global one is written only when every function is there. */
#define FC_DL_LIB(soname, name, package)
#define FC_DL_FN(prefix, name)                                                                                         \
	if (!resolve(l, h, #prefix #name, &t.name))                                                                    \
		return;

static void load_curl(void)
{
	struct lib *l = &libs[FC_DL_CURL];
	struct fc_dl_curl t;
	void *h = open_lib(l);
	if (!h)
		return;
#include "dynlib_curl.def"
	fc_curl = t;
	l->rc = 0;
}

static void load_mhd(void)
{
	struct lib *l = &libs[FC_DL_MHD];
	struct fc_dl_mhd t;
	void *h = open_lib(l);
	if (!h)
		return;
#include "dynlib_mhd.def"
	fc_mhd = t;
	l->rc = 0;
}

static void load_gnutls(void)
{
	struct lib *l = &libs[FC_DL_GNUTLS];
	struct fc_dl_gnutls t;
	void *h = open_lib(l);
	if (!h)
		return;
#include "dynlib_gnutls.def"
	fc_gnutls = t;
	l->rc = 0;
}
#undef FC_DL_FN
#undef FC_DL_LIB

int fc_dl_load(enum fc_dl_lib lib, char *err, size_t errlen)
{
	static void (*const loaders[])(void) = {[FC_DL_CURL] = load_curl, [FC_DL_MHD] = load_mhd,
						  [FC_DL_GNUTLS] = load_gnutls};
	struct lib *l = &libs[lib];
	pthread_once(&l->once, loaders[lib]);
	if (l->rc != 0)
		snprintf(err, errlen, "%s", l->err);
	return l->rc;
}
