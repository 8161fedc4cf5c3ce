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

/* A name concatenate_paths leaves as it is: printable ASCII, no empty, "." or ".." component,
 * no trailing '/' (except "/" itself). Bytes are range-checked eight at a time; components
 * are looked at only where they start (the first byte and after each '/'). */
static bool dot_component(const char *p, size_t n, size_t i)
{
	return p[i] == '.' && (i + 1 == n || p[i + 1] == '/' || (p[i + 1] == '.' && (i + 2 == n || p[i + 2] == '/')));
}

static bool path_clean(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, p + i, 8);
		/* some byte < 0x20, or some byte >= 0x7f */
		if (((x - 0x20 * ones) & ~x & high) | (((x + ones) | x) & high))
			return false;
	}
	for (; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
			return false;
	if (n && dot_component(p, n, 0))
		return false;
	for (const char *s = memchr(p, '/', n); s; s = memchr(s + 1, '/', (size_t)(p + n - s - 1))) {
		size_t k = (size_t)(s - p);
		if (k + 1 == n)
			return n == 1;
		if (p[k + 1] == '/' || dot_component(p, n, k + 1))
			return false;
	}
	return true;
}

#define SCAP_MAX_PATH FC_PATH_MAX /* fc_path_concat's limit */

size_t fc_path_join(const char *dir, size_t dlen, const char *name, size_t nlen, char *out,
		    size_t outlen)
{
	/* Falco's concatenate_paths wants a '/'-terminated base */
	char base[4097];
	if (dlen > sizeof(base) - 2)
		dlen = sizeof(base) - 2;
	bool slash = dlen && dir[dlen - 1] != '/';
	size_t bl = dlen + slash;
	if (nlen && bl + nlen + 1 <= SCAP_MAX_PATH && path_clean(name, nlen)) {
		/* the common case (every open of an absolute path): the result is the name, or the
		 * base followed by it, byte for byte; no sanitizing pass, no copies */
		bool abs = name[0] == '/';
		size_t pre = abs ? 0 : bl;
		if (pre + nlen < outlen && (abs || !memchr(dir, 0, dlen))) {
			if (pre) {
				memcpy(out, dir, dlen);
				if (slash)
					out[dlen] = '/';
			}
			memcpy(out + pre, name, nlen);
			out[pre + nlen] = 0;
			return pre + nlen;
		}
	}
	memcpy(base, dir, dlen);
	if (dlen && base[dlen - 1] != '/')
		base[dlen++] = '/';
	base[dlen] = 0;
	return fc_path_concat(base, dlen, name, nlen, out, outlen);
}
