/* stateutil.c — small utilities of the state engine: immutable reference-counted strings (the
 * way forked processes share their parent's exe/args/env/fd names), the per-event arena that
 * holds computed field values until the next event, and path joining (cwd or a directory fd +
 * a relative name) through Falco's concatenate_paths (evtfields.h fc_path_concat). */
#include "state_int.h"

#include <stdlib.h>
#include <string.h>

struct fc_rstr *fc_rstr_new(const char *p, size_t len)
{
	if (len > UINT32_MAX - 1)
		return NULL;
	struct fc_rstr *r = malloc(sizeof(*r) + len + 1);
	if (!r)
		return NULL;
	r->refs = 1;
	r->len = (uint32_t)len;
	if (len)
		memcpy(r->s, p, len);
	r->s[len] = 0;
	return r;
}

struct fc_rstr *fc_rstr_cstr(const char *z)
{
	return z ? fc_rstr_new(z, strlen(z)) : NULL;
}

void fc_rstr_unref(struct fc_rstr *r)
{
	if (r && --r->refs == 0)
		free(r);
}

size_t fc_path_join(const char *dir, size_t dlen, const char *name, size_t nlen, char *out,
		    size_t outlen)
{
	/* Falco's concatenate_paths wants a '/'-terminated base */
	char base[4097];
	if (dlen > sizeof(base) - 2)
		dlen = sizeof(base) - 2;
	memcpy(base, dir, dlen);
	if (dlen && base[dlen - 1] != '/')
		base[dlen++] = '/';
	base[dlen] = 0;
	return fc_path_concat(base, dlen, name, nlen, out, outlen);
}
