/* stateutil.c — small utilities of the state engine: immutable reference-counted strings (the
 * way forked processes share their parent's exe/args/env/fd names), the per-event arena that
 * holds computed field values until the next event, and lexical path joining as upstream's
 * concatenate_paths does it (cwd or dirfd + relative name, "."/".." and "//" resolved). */
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

void *fc_arena_alloc(struct fc_arena *a, size_t n)
{
	size_t off = (a->used + 7) & ~(size_t)7;
	if (off > a->cap || n > a->cap - off) {
		a->overflows++;
		return NULL;
	}
	a->used = off + n;
	return a->buf + off;
}

char *fc_arena_strdup(struct fc_arena *a, const char *p, size_t n)
{
	char *d = fc_arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	if (n)
		memcpy(d, p, n);
	d[n] = 0;
	return d;
}

/* Appends component C (length N) to OUT (length *OL), resolving "." and "..". */
static void push_comp(char *out, size_t outlen, size_t *ol, const char *c, size_t n)
{
	if (n == 0 || (n == 1 && c[0] == '.'))
		return;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		/* drop the last component; the root stays */
		while (*ol > 1 && out[*ol - 1] != '/')
			(*ol)--;
		if (*ol > 1)
			(*ol)--;
		return;
	}
	if (*ol > 1 && *ol < outlen - 1)
		out[(*ol)++] = '/';
	for (size_t i = 0; i < n && *ol < outlen - 1; i++)
		out[(*ol)++] = c[i];
}

static void push_path(char *out, size_t outlen, size_t *ol, const char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && p[i] == '/')
			i++;
		size_t s = i;
		while (i < n && p[i] != '/')
			i++;
		push_comp(out, outlen, ol, p + s, i - s);
	}
}

size_t fc_path_join(const char *dir, size_t dlen, const char *name, size_t nlen, char *out,
		    size_t outlen)
{
	if (outlen < 2) {
		if (outlen)
			out[0] = 0;
		return 0;
	}
	size_t ol = 0;
	bool abs_name = nlen > 0 && name[0] == '/';
	bool rel_base = !abs_name && (dlen == 0 || dir[0] != '/');
	if (rel_base) {
		/* no absolute base (unknown cwd): keep DIR/NAME with duplicate slashes squeezed,
		 * without inventing a root */
		size_t n = 0;
		for (int k = 0; k < 2; k++) {
			const char *p = k ? name : dir;
			size_t l = k ? nlen : dlen;
			if (k == 1 && n > 0 && out[n - 1] != '/' && l && n < outlen - 1)
				out[n++] = '/';
			for (size_t i = 0; i < l && n < outlen - 1; i++) {
				if (p[i] == '/' && n > 0 && out[n - 1] == '/')
					continue;
				out[n++] = p[i];
			}
		}
		out[n] = 0;
		return n;
	}
	out[ol++] = '/';
	if (!abs_name)
		push_path(out, outlen, &ol, dir, dlen);
	push_path(out, outlen, &ol, name, nlen);
	out[ol] = 0;
	return ol;
}
