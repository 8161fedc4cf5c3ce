/* dynlib.c — loading libcurl, libmicrohttpd and GnuTLS on first use (dynlib.h says why).
 * Each library is opened once per process under its own pthread_once: outputs run in their
 * own threads, and a configuration reload may open an output while another one runs. The
 * tables are written only inside that once-routine and read only after fc_dl_load() returned
 * 0, so readers see them complete. A library stays loaded until exit (never dlclose()d: its
 * functions may be running in its own threads, and curl_global_init() is not undone). */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
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

/* A function of a table: its symbol and where its pointer goes. */
struct sym {
	const char *name;
	size_t off;
};

#define FC_DL_LIB(soname, name, package)
#define FC_DL_FN(prefix, name) {#prefix #name, offsetof(TABLE, name)},
#define TABLE struct fc_dl_curl
static const struct sym curl_syms[] = {
#include "dynlib_curl.def"
};
#undef TABLE
#define TABLE struct fc_dl_mhd
static const struct sym mhd_syms[] = {
#include "dynlib_mhd.def"
};
#undef TABLE
#define TABLE struct fc_dl_gnutls
static const struct sym gnutls_syms[] = {
#include "dynlib_gnutls.def"
};
#undef TABLE
#undef FC_DL_FN
#undef FC_DL_LIB

struct lib {
	const char *soname, *name, *package;
	void *table; /* the global table, written once every symbol resolved */
	size_t size;
	const struct sym *syms;
	size_t nsyms;
	pthread_once_t once;
	int rc;
	char err[512];
};

/* The library's row of its .def file, then its table and symbols. */
#define FC_DL_FN(prefix, name)
#define FC_DL_LIB(soname, name, package) soname, name, package,
#define NSYMS(a) (sizeof a / sizeof a[0])
static struct lib libs[] = {
	[FC_DL_CURL] = {
#include "dynlib_curl.def"
		&fc_curl, sizeof fc_curl, curl_syms, NSYMS(curl_syms), PTHREAD_ONCE_INIT, -1, ""},
	[FC_DL_MHD] = {
#include "dynlib_mhd.def"
		&fc_mhd, sizeof fc_mhd, mhd_syms, NSYMS(mhd_syms), PTHREAD_ONCE_INIT, -1, ""},
	[FC_DL_GNUTLS] = {
#include "dynlib_gnutls.def"
		&fc_gnutls, sizeof fc_gnutls, gnutls_syms, NSYMS(gnutls_syms), PTHREAD_ONCE_INIT, -1, ""},
};
#undef NSYMS
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

/* Opens library I and resolves every function of its list into a local copy of its table,
 * which becomes the global one only when all are there; a missing one (an older library than
 * falcod was built against) unloads it again. */
static void load(enum fc_dl_lib i)
{
	struct lib *l = &libs[i];
	void *h = open_lib(l);
	if (!h)
		return;
	union {
		struct fc_dl_curl curl;
		struct fc_dl_mhd mhd;
		struct fc_dl_gnutls gnutls;
	} t; /* room for any of the tables */
	for (size_t k = 0; k < l->nsyms; k++) {
		dlerror();
		void *p = dlsym(h, l->syms[k].name);
		if (!p) {
			snprintf(l->err, sizeof l->err,
				 "%s (%s) cannot be used: it has no %s (too old?); install the Debian package %s", l->name,
				 l->soname, l->syms[k].name, l->package);
			dlclose(h);
			return;
		}
		memcpy((unsigned char *)&t + l->syms[k].off, &p, sizeof p);
	}
	memcpy(l->table, &t, l->size);
	l->rc = 0;
}

/* pthread_once takes no argument: one entry point per library. */
static void load_curl(void)
{
	load(FC_DL_CURL);
}

static void load_mhd(void)
{
	load(FC_DL_MHD);
}

static void load_gnutls(void)
{
	load(FC_DL_GNUTLS);
}

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
