/* xform.c — field transformers (LANGUAGE.md §6) over extracted values, writing into the VM's
 * fixed per-event scratch area (nothing is allocated per event; a result that does not fit is
 * missing and counted).
 *
 * Facts carried over from upstream (libs sinsp_filter_transformers, multivalue transformers):
 *  - string transformers first drop trailing NUL bytes of their input; tolower/toupper map
 *    ASCII only (C locale); basename is the text after the last '/' ("" after a trailing '/');
 *  - b64 decodes the standard alphabet: at most two trailing '=' are dropped, no other padding
 *    or whitespace is accepted, a length of 1 mod 4 is invalid, unused bits of the last
 *    character must be zero; invalid input makes the value missing;
 *  - len is strnlen for strings, the byte count for buffers, the element count for lists;
 *  - concat and join append each value as a C string (up to its first NUL); every argument must
 *    be present; join puts the separator (its first argument) between the elements;
 *  - getopt(args, optstring) walks args like getopt(3): stops at "--", at the first non-option
 *    ("" / "-" / no leading '-'), skips long options ("--x"); a cluster "-nt" yields each
 *    option; an option taking an argument takes the rest of the token or the next token; a
 *    missing argument yields "" and ends the cluster; an unknown option yields "?" (list form
 *    only); the list form yields option names followed by their values; the selector form
 *    [c] yields the value (or the name, for an option without argument) of the last c, and is
 *    missing when c does not occur. A leading ':' in optstring is skipped. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "vmops.h"

void *fc_xscratch_alloc(struct fc_xscratch *s, size_t n)
{
	size_t at = (s->used + 7) & ~(size_t)7;
	if (at > s->cap || s->cap - at < n) {
		s->overflows++;
		return NULL;
	}
	s->used = at + n;
	return s->buf + at;
}

static inline bool is_text(const struct fc_val *v)
{
	return v->kind == FC_V_STR || v->kind == FC_V_BUF;
}

static inline size_t trim_nuls(const char *s, size_t n)
{
	while (n && !s[n - 1])
		n--;
	return n;
}

static const int8_t b64rev[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
	['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
	['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
	['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
	['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
}; /* value + 1; 0 = not in the alphabet */

/* Decodes IN into OUT (room for n*3/4+3 bytes); -1 when invalid. */
static long b64_decode(const char *in, size_t n, char *out)
{
	if (!n)
		return 0;
	if (in[n - 1] == '=') {
		n--;
		if (n && in[n - 1] == '=')
			n--;
	}
	if (!n || n % 4 == 1)
		return -1;
	size_t o = 0;
	uint32_t acc = 0;
	for (size_t i = 0; i < n; i++) {
		int c = b64rev[(uint8_t)in[i]] - 1;
		if (c < 0)
			return -1;
		acc = acc << 6 | (uint32_t)c;
		if (i % 4 == 3) {
			out[o++] = (char)(acc >> 16);
			out[o++] = (char)(acc >> 8);
			out[o++] = (char)acc;
			acc = 0;
		}
	}
	switch (n % 4) {
	case 2: /* 12 bits: one byte, 4 unused bits must be zero */
		if (acc & 0xf)
			return -1;
		out[o++] = (char)(acc >> 4);
		break;
	case 3: /* 18 bits: two bytes, 2 unused bits */
		if (acc & 0x3)
			return -1;
		out[o++] = (char)(acc >> 10);
		out[o++] = (char)(acc >> 2);
		break;
	}
	return (long)o;
}

static bool unary_scalar(unsigned xf, const struct fc_val *in, struct fc_val *out, struct fc_xscratch *s)
{
	if (xf == FC_BXF_LEN) {
		if (in->kind == FC_V_STR) {
			const char *z = fc_memchr0(in->s, 0, in->len);
			out->u = z ? (uint64_t)(z - in->s) : in->len;
		} else if (in->kind == FC_V_BUF) {
			out->u = in->len;
		} else {
			return false;
		}
		out->kind = FC_V_U64;
		out->len = 0;
		return true;
	}
	if (!is_text(in))
		return false;
	size_t n = trim_nuls(in->s, in->len);
	char *o;
	size_t olen;
	switch (xf) {
	case FC_BXF_TOLOWER:
	case FC_BXF_TOUPPER:
		if (!(o = fc_xscratch_alloc(s, n + 1)))
			return false;
		for (size_t i = 0; i < n; i++) {
			char c = in->s[i];
			if (xf == FC_BXF_TOLOWER && c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			else if (xf == FC_BXF_TOUPPER && c >= 'a' && c <= 'z')
				c = (char)(c - 32);
			o[i] = c;
		}
		olen = n;
		break;
	case FC_BXF_B64: {
		if (!(o = fc_xscratch_alloc(s, n / 4 * 3 + 4)))
			return false;
		long r = b64_decode(in->s, n, o);
		if (r < 0)
			return false;
		olen = (size_t)r;
		break;
	}
	case FC_BXF_BASENAME: {
		size_t i = n;
		while (i && in->s[i - 1] != '/')
			i--;
		/* a view into the input: no copy needed */
		out->kind = in->kind;
		out->s = n ? in->s + i : "";
		out->len = (uint32_t)(n - i);
		return true;
	}
	default:
		return false;
	}
	o[olen] = 0;
	out->kind = in->kind;
	out->s = o;
	out->len = (uint32_t)olen;
	return true;
}

bool fc_xf_unary(unsigned xf, const struct fc_val *in, struct fc_val *out, struct fc_xscratch *s)
{
	if (in->kind != FC_V_LIST)
		return unary_scalar(xf, in, out, s);
	if (xf == FC_BXF_LEN) {
		out->kind = FC_V_U64;
		out->len = 0;
		out->u = in->len;
		return true;
	}
	struct fc_val *items = fc_xscratch_alloc(s, (size_t)in->len * sizeof *items);
	if (!items)
		return false;
	for (uint32_t i = 0; i < in->len; i++)
		if (!unary_scalar(xf, &in->items[i], &items[i], s))
			return false;
	out->kind = FC_V_LIST;
	out->len = in->len;
	out->items = items;
	return true;
}

/* ---- multi-argument transformers: results are built at the end of the scratch area ---- */

struct sbuf {
	struct fc_xscratch *s;
	char *p;
	size_t len, cap;
	bool full;
};

static void sb_start(struct sbuf *b, struct fc_xscratch *s)
{
	size_t at = (s->used + 7) & ~(size_t)7;
	b->s = s;
	b->p = s->buf + (at < s->cap ? at : s->cap);
	b->cap = at < s->cap ? s->cap - at : 0;
	b->len = 0;
	b->full = false;
}

static void sb_put(struct sbuf *b, const char *p, size_t n)
{
	if (b->full || b->cap - b->len < n) {
		b->full = true;
		return;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Appends V as text: strings up to their first NUL, integers in decimal. */
static bool sb_val(struct sbuf *b, const struct fc_val *v)
{
	char num[32];
	switch (v->kind) {
	case FC_V_STR:
	case FC_V_BUF: {
		const char *z = fc_memchr0(v->s, 0, v->len);
		sb_put(b, v->s, z ? (size_t)(z - v->s) : v->len);
		return true;
	}
	case FC_V_U64:
		sb_put(b, num, (size_t)snprintf(num, sizeof num, "%" PRIu64, v->u));
		return true;
	case FC_V_I64:
		sb_put(b, num, (size_t)snprintf(num, sizeof num, "%" PRId64, v->i));
		return true;
	default:
		return false;
	}
}

static bool sb_finish(struct sbuf *b, struct fc_val *out)
{
	if (b->full || b->cap - b->len < 1) {
		b->s->overflows++;
		return false;
	}
	b->p[b->len] = 0;
	b->s->used = (size_t)(b->p - b->s->buf) + b->len + 1;
	out->kind = FC_V_STR;
	out->s = b->p;
	out->len = (uint32_t)b->len;
	return true;
}

bool fc_xf_concat(const struct fc_val *const *args, uint32_t n, struct fc_val *out, struct fc_xscratch *s)
{
	struct sbuf b;
	sb_start(&b, s);
	for (uint32_t i = 0; i < n; i++)
		if (args[i]->kind == FC_V_LIST || !sb_val(&b, args[i]))
			return false;
	return sb_finish(&b, out);
}

bool fc_xf_join(const struct fc_val *sep, const struct fc_val *const *items, uint32_t n, struct fc_val *out,
		struct fc_xscratch *s)
{
	if (!is_text(sep))
		return false;
	const char *z = fc_memchr0(sep->s, 0, sep->len);
	size_t seplen = z ? (size_t)(z - sep->s) : sep->len;
	struct sbuf b;
	sb_start(&b, s);
	bool first = true;
	for (uint32_t i = 0; i < n; i++) {
		const struct fc_val *v = items[i];
		uint32_t k = v->kind == FC_V_LIST ? v->len : 1;
		if (v->kind == FC_V_NONE)
			return false;
		for (uint32_t j = 0; j < k; j++) {
			if (!first)
				sb_put(&b, sep->s, seplen);
			first = false;
			if (!sb_val(&b, v->kind == FC_V_LIST ? &v->items[j] : v))
				return false;
		}
	}
	return sb_finish(&b, out);
}

void fc_optinfo_parse(struct fc_optinfo *o, const char *s, size_t len)
{
	memset(o, 0, sizeof *o);
	size_t i = len && s[0] == ':' ? 1 : 0;
	for (; i < len; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c == ':')
			continue;
		o->valid[c >> 3] |= (uint8_t)(1u << (c & 7));
		if (i + 1 < len && s[i + 1] == ':') {
			o->witharg[c >> 3] |= (uint8_t)(1u << (c & 7));
			i++;
		}
	}
}

static inline bool bit(const uint8_t *m, uint8_t c)
{
	return m[c >> 3] >> (c & 7) & 1;
}

/* Walks ARGS; emits results into ITEMS (NULL: only counts). Returns the number emitted, and
 * in *SEL_OUT the selected result in selector mode. */
static uint32_t getopt_walk(const struct fc_val *args, uint32_t nargs, const struct fc_optinfo *o, int sel,
			    struct fc_val *items, struct fc_val *sel_out, bool *found)
{
	static const char qmark[] = "?";
	uint32_t k = 0;
#define EMIT(p, l)                                                                                        \
	do {                                                                                              \
		if (items)                                                                                \
			items[k] = (struct fc_val){.kind = FC_V_STR, .len = (uint32_t)(l), .s = (p)};    \
		k++;                                                                                      \
	} while (0)
	for (uint32_t a = 0; a < nargs; a++) {
		const struct fc_val *v = &args[a];
		if (!is_text(v))
			break;
		const char *t = v->s;
		size_t n = v->len;
		if (n == 2 && t[0] == '-' && t[1] == '-')
			break;
		if (n > 2 && t[0] == '-' && t[1] == '-')
			continue;
		if (n < 2 || t[0] != '-')
			break;
		for (size_t i = 1; i < n; i++) {
			uint8_t c = (uint8_t)t[i];
			if (c == ':' || !bit(o->valid, c)) {
				if (sel < 0)
					EMIT(qmark, 1);
				continue;
			}
			bool match = sel < 0 || c == (uint8_t)sel;
			if (!bit(o->witharg, c)) {
				if (match) {
					if (sel < 0)
						EMIT(t + i, 1);
					else
						*sel_out = (struct fc_val){.kind = FC_V_STR, .len = 1, .s = t + i}, *found = true;
				}
				continue;
			}
			const char *val = NULL;
			size_t vlen = 0;
			if (i + 1 < n) {
				val = t + i + 1;
				vlen = n - i - 1;
			} else if (a + 1 < nargs && is_text(&args[a + 1])) {
				a++;
				val = args[a].s;
				vlen = args[a].len;
			} else if (a + 1 < nargs) {
				a++; /* a non-text element: taken as the argument, with no text */
				val = "";
			}
			if (match) {
				if (!val) {
					if (sel < 0)
						EMIT("", 0);
					else
						*sel_out = (struct fc_val){.kind = FC_V_STR, .len = 0, .s = ""}, *found = true;
				} else if (sel < 0) {
					EMIT(t + i, 1);
					EMIT(val, vlen);
				} else {
					*sel_out = (struct fc_val){.kind = FC_V_STR, .len = (uint32_t)vlen, .s = val};
					*found = true;
				}
			}
			break;
		}
	}
#undef EMIT
	return k;
}

bool fc_xf_getopt(const struct fc_val *args, const struct fc_optinfo *o, int sel, struct fc_val *out,
		  struct fc_xscratch *s)
{
	const struct fc_val *arr;
	uint32_t nargs;
	if (args->kind == FC_V_LIST) {
		arr = args->items;
		nargs = args->len;
	} else if (is_text(args)) {
		arr = args;
		nargs = 1;
	} else {
		return false;
	}
	if (sel >= 0) {
		bool found = false;
		getopt_walk(arr, nargs, o, sel, NULL, out, &found);
		return found;
	}
	bool found = false;
	struct fc_val dummy;
	uint32_t k = getopt_walk(arr, nargs, o, -1, NULL, &dummy, &found);
	if (!k)
		return false; /* an empty list is reported missing (value.h) */
	struct fc_val *items = fc_xscratch_alloc(s, (size_t)k * sizeof *items);
	if (!items)
		return false;
	getopt_walk(arr, nargs, o, -1, items, &dummy, &found);
	out->kind = FC_V_LIST;
	out->len = k;
	out->items = items;
	return true;
}
