/* bundle_builder.h — a small, test-only bundle writer (header-only) for the reader, VM and fuzz
 * tests: builds bundles byte by byte, little-endian, from the format description in
 * runtime/bundle.h, independently of the compiler's writer. It also finds sections in a built
 * image and recomputes the checksum, so tests can corrupt one field and see the reader's
 * answer. Not part of runtime/ or compiler/. */
#ifndef FC_BUNDLE_BUILDER_H
#define FC_BUNDLE_BUILDER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bundle.h"

#define BB_GROW(arr, n, cap)                                                                              \
	do {                                                                                              \
		if ((n) >= (cap)) {                                                                       \
			(cap) = (cap) ? (cap) * 2 : 16;                                                   \
			(arr) = realloc((arr), (size_t)(cap) * sizeof *(arr));                             \
		}                                                                                         \
	} while (0)

struct bb_list {
	uint8_t kind;
	uint32_t first, n;
};
struct bb_slot {
	uint8_t kind, xf, vtype, flags;
	uint32_t name, arg, first, n, text;
};
struct bb_prog {
	uint32_t start, len, kind, depth; /* depth 0: computed */
};
struct bb_rule {
	uint32_t name, desc, source, prog;
	uint8_t prio, enabled;
	uint32_t tags_first, ntags, out_first, nout, file, line, evset;
};
struct bb_out {
	uint8_t kind, json;
	uint16_t width;
	uint32_t ref, key;
};
struct bb_raw {
	uint32_t id, count;
	uint8_t *p;
	size_t len;
};

struct bb {
	char **str;
	uint32_t *slen, nstr, capstr;
	uint64_t *consts;
	uint32_t nconst, capconst;
	struct bb_list *lists;
	uint32_t nlist, caplist;
	uint32_t *litems, nlitems, caplitems;
	uint64_t (*evsets)[FC_EVSET_WORDS];
	uint32_t nevset, capevset;
	uint32_t (*regex)[3];
	uint32_t nregex, capregex;
	struct bb_slot *slots;
	uint32_t nslot, capslot;
	uint32_t *sitems, nsitems, capsitems;
	struct fc_binsn *code;
	uint32_t ncode, capcode;
	struct bb_prog *progs;
	uint32_t nprog, capprog;
	struct bb_rule *rules;
	uint32_t nrule, caprule;
	uint32_t *tags, ntags, captags;
	struct bb_out *outs;
	uint32_t nout, capout;
	uint64_t ksel[8];
	uint32_t nksel;
	uint32_t meta[4], nmeta;
	struct bb_raw raw[4];
	uint32_t nraw;
	bool srcmap, no_index, sig;
	uint32_t cur_prog;
};

static inline struct bb *bb_new(void)
{
	struct bb *b = calloc(1, sizeof *b);
	b->cur_prog = UINT32_MAX;
	b->capstr = 16;
	b->str = malloc(16 * sizeof *b->str);
	b->slen = malloc(16 * sizeof *b->slen);
	b->str[0] = calloc(1, 1);
	b->slen[0] = 0;
	b->nstr = 1;
	return b;
}

static inline void bb_free(struct bb *b)
{
	for (uint32_t i = 0; i < b->nstr; i++)
		free(b->str[i]);
	free(b->str);
	free(b->slen);
	free(b->consts);
	free(b->lists);
	free(b->litems);
	free(b->evsets);
	free(b->regex);
	free(b->slots);
	free(b->sitems);
	free(b->code);
	free(b->progs);
	free(b->rules);
	free(b->tags);
	free(b->outs);
	for (uint32_t i = 0; i < b->nraw; i++)
		free(b->raw[i].p);
	free(b);
}

/* Interned string (same bytes, same sid). */
static inline uint32_t bb_strn(struct bb *b, const char *s, uint32_t len)
{
	for (uint32_t i = 0; i < b->nstr; i++)
		if (b->slen[i] == len && !memcmp(b->str[i], s, len))
			return i;
	if (b->nstr >= b->capstr) {
		b->capstr *= 2;
		b->str = realloc(b->str, b->capstr * sizeof *b->str);
		b->slen = realloc(b->slen, b->capstr * sizeof *b->slen);
	}
	b->str[b->nstr] = malloc(len + 1);
	memcpy(b->str[b->nstr], s, len);
	b->str[b->nstr][len] = 0;
	b->slen[b->nstr] = len;
	return b->nstr++;
}

static inline uint32_t bb_str(struct bb *b, const char *s)
{
	return bb_strn(b, s, (uint32_t)strlen(s));
}

static inline uint32_t bb_const(struct bb *b, uint64_t v)
{
	BB_GROW(b->consts, b->nconst, b->capconst);
	b->consts[b->nconst] = v;
	return b->nconst++;
}

static inline uint32_t bb_dconst(struct bb *b, double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	return bb_const(b, u);
}

static inline uint32_t bb_list_raw(struct bb *b, uint8_t kind, uint32_t n, const uint32_t *items)
{
	BB_GROW(b->lists, b->nlist, b->caplist);
	b->lists[b->nlist] = (struct bb_list){kind, b->nlitems, n};
	for (uint32_t i = 0; i < n; i++) {
		BB_GROW(b->litems, b->nlitems, b->caplitems);
		b->litems[b->nlitems++] = items[i];
	}
	return b->nlist++;
}

/* A list of strings, NULL-terminated arguments. */
static inline uint32_t bb_slist(struct bb *b, ...)
{
	uint32_t items[256], n = 0;
	va_list ap;
	va_start(ap, b);
	for (const char *s; (s = va_arg(ap, const char *));)
		items[n++] = bb_str(b, s);
	va_end(ap);
	return bb_list_raw(b, FC_LK_STR, n, items);
}

static inline uint32_t bb_slistv(struct bb *b, uint32_t n, const char *const *s)
{
	uint32_t *items = malloc((n + 1) * sizeof *items);
	for (uint32_t i = 0; i < n; i++)
		items[i] = bb_str(b, s[i]);
	uint32_t l = bb_list_raw(b, FC_LK_STR, n, items);
	free(items);
	return l;
}

static inline uint32_t bb_nlist(struct bb *b, uint32_t n, const uint64_t *v)
{
	uint32_t items[256];
	for (uint32_t i = 0; i < n; i++)
		items[i] = bb_const(b, v[i]);
	return bb_list_raw(b, FC_LK_NUM, n, items);
}

/* Address constant a.b.c.d (4 raw bytes, network order). */
static inline uint32_t bb_ip4(struct bb *b, uint8_t a, uint8_t c, uint8_t d, uint8_t e)
{
	char s[4] = {(char)a, (char)c, (char)d, (char)e};
	return bb_strn(b, s, 4);
}

static inline uint32_t bb_net4(struct bb *b, uint8_t a, uint8_t c, uint8_t d, uint8_t e, uint8_t plen)
{
	char s[6] = {4, (char)plen, (char)a, (char)c, (char)d, (char)e};
	return bb_strn(b, s, 6);
}

static inline uint32_t bb_ip6(struct bb *b, const uint8_t a[16])
{
	return bb_strn(b, (const char *)a, 16);
}

static inline uint32_t bb_net6(struct bb *b, const uint8_t a[16], uint8_t plen)
{
	char s[18] = {6, (char)plen};
	memcpy(s + 2, a, 16);
	return bb_strn(b, s, 18);
}

/* Event set of the codes given, terminated by -1. */
static inline uint32_t bb_evset(struct bb *b, ...)
{
	BB_GROW(b->evsets, b->nevset, b->capevset);
	memset(b->evsets[b->nevset], 0, sizeof b->evsets[0]);
	va_list ap;
	va_start(ap, b);
	for (int c; (c = va_arg(ap, int)) >= 0;)
		b->evsets[b->nevset][c / 64] |= (uint64_t)1 << (c % 64);
	va_end(ap);
	return b->nevset++;
}

static inline uint32_t bb_regex(struct bb *b, const char *pat, const char *lit)
{
	BB_GROW(b->regex, b->nregex, b->capregex);
	b->regex[b->nregex][0] = bb_str(b, pat);
	b->regex[b->nregex][1] = lit ? bb_str(b, lit) : FC_NONE;
	b->regex[b->nregex][2] = 0;
	return b->nregex++;
}

static inline uint32_t bb_field_t(struct bb *b, const char *name, const char *arg, uint8_t vtype, uint8_t flags)
{
	BB_GROW(b->slots, b->nslot, b->capslot);
	char text[512];
	snprintf(text, sizeof text, arg ? "%s[%s]" : "%s", name, arg);
	b->slots[b->nslot] = (struct bb_slot){FC_SK_FIELD, 0, vtype, flags, bb_str(b, name), arg ? bb_str(b, arg) : FC_NONE,
					      0, 0, bb_str(b, text)};
	return b->nslot++;
}

static inline uint32_t bb_field(struct bb *b, const char *name, const char *arg)
{
	return bb_field_t(b, name, arg, PT_CHARBUF, 0);
}

/* Transformer slot: NARGS u32 arguments (slot index or FC_ARG_STR | sid). */
static inline uint32_t bb_xf(struct bb *b, uint8_t xf, int sel, uint32_t nargs, ...)
{
	BB_GROW(b->slots, b->nslot, b->capslot);
	uint32_t first = b->nsitems;
	va_list ap;
	va_start(ap, nargs);
	for (uint32_t i = 0; i < nargs; i++) {
		BB_GROW(b->sitems, b->nsitems, b->capsitems);
		b->sitems[b->nsitems++] = va_arg(ap, uint32_t);
	}
	va_end(ap);
	char text[32];
	snprintf(text, sizeof text, "xf%u#%u", xf, b->nslot);
	char selc = (char)sel;
	b->slots[b->nslot] = (struct bb_slot){FC_SK_XF, xf, xf == FC_BXF_LEN ? PT_UINT64 : PT_CHARBUF, 0, FC_NONE,
					      sel >= 0 ? bb_strn(b, &selc, 1) : FC_NONE, first, nargs, bb_str(b, text)};
	return b->nslot++;
}

static inline uint32_t bb_prog_begin(struct bb *b, uint32_t kind)
{
	BB_GROW(b->progs, b->nprog, b->capprog);
	b->progs[b->nprog] = (struct bb_prog){b->ncode, 0, kind, 0};
	b->cur_prog = b->nprog;
	return b->nprog++;
}

static inline uint32_t bb_ins(struct bb *b, uint8_t op, uint8_t aux, uint16_t slot, uint32_t k, uint16_t jt, uint16_t jf)
{
	BB_GROW(b->code, b->ncode, b->capcode);
	b->code[b->ncode] = (struct fc_binsn){op, aux, slot, k, jt, jf};
	b->progs[b->cur_prog].len++;
	return b->ncode++;
}

static inline uint32_t bb_ret(struct bb *b, bool v)
{
	return bb_ins(b, FC_OPC_RET, 0, 0, v, 0, 0);
}

/* One-test program: true → ret 1, false → ret 0 (negated: the jumps swapped, as `not`). */
static inline uint32_t bb_leaf_prog(struct bb *b, uint32_t kind, uint8_t op, uint8_t aux, uint16_t slot, uint32_t k,
				    bool negate)
{
	uint32_t p = bb_prog_begin(b, kind);
	bb_ins(b, op, aux, slot, k, negate ? 1 : 0, negate ? 0 : 1);
	bb_ret(b, true);
	bb_ret(b, false);
	return p;
}

static inline uint32_t bb_rule_ex(struct bb *b, const char *name, uint32_t prog, uint32_t evset, uint8_t prio,
				  bool enabled, uint32_t ntags, const char *const *tags)
{
	BB_GROW(b->rules, b->nrule, b->caprule);
	uint32_t tf = b->ntags;
	for (uint32_t i = 0; i < ntags; i++) {
		BB_GROW(b->tags, b->ntags, b->captags);
		b->tags[b->ntags++] = bb_str(b, tags[i]);
	}
	char desc[300];
	snprintf(desc, sizeof desc, "desc of %s", name);
	b->rules[b->nrule] = (struct bb_rule){bb_str(b, name), bb_str(b, desc), bb_str(b, "syscall"), prog, prio, enabled, tf,
					      ntags, b->nout, 0, bb_str(b, "rules.yaml"), 10 + b->nrule, evset};
	return b->nrule++;
}

static inline uint32_t bb_rule(struct bb *b, const char *name, uint32_t prog, uint32_t evset)
{
	return bb_rule_ex(b, name, prog, evset, 4, true, 0, NULL);
}

/* Output segments for the last rule added. */
static inline void bb_out_lit(struct bb *b, const char *lit)
{
	BB_GROW(b->outs, b->nout, b->capout);
	b->outs[b->nout++] = (struct bb_out){FC_OK_LIT, 0, 0, bb_str(b, lit), FC_NONE};
	b->rules[b->nrule - 1].nout++;
}

static inline void bb_out_field(struct bb *b, uint32_t slot, bool json)
{
	BB_GROW(b->outs, b->nout, b->capout);
	b->outs[b->nout++] = (struct bb_out){FC_OK_FIELD, json, 0, slot, b->slots[slot].text};
	b->rules[b->nrule - 1].nout++;
}

/* ---- serialisation ---- */

struct bb_buf {
	uint8_t *p;
	size_t len, cap;
};

static inline void bb_put(struct bb_buf *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		w->cap = (w->len + n) * 2 + 64;
		w->p = realloc(w->p, w->cap);
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}
static inline void bb_w8(struct bb_buf *w, uint8_t v)
{
	bb_put(w, &v, 1);
}
static inline void bb_w16(struct bb_buf *w, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	bb_put(w, x, 2);
}
static inline void bb_w32(struct bb_buf *w, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	bb_put(w, x, 4);
}
static inline void bb_w64(struct bb_buf *w, uint64_t v)
{
	bb_w32(w, (uint32_t)v);
	bb_w32(w, (uint32_t)(v >> 32));
}
static inline void bb_p32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t bb_r32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t bb_depth(const struct bb *b, uint32_t p, int guard)
{
	if (b->progs[p].depth)
		return b->progs[p].depth;
	uint32_t d = 1;
	if (guard > 200)
		return d;
	for (uint32_t i = b->progs[p].start; i < b->progs[p].start + b->progs[p].len; i++)
		if (b->code[i].op == FC_OPC_SUB && b->code[i].k < b->nprog) {
			uint32_t c = bb_depth(b, b->code[i].k, guard + 1) + 1;
			if (c > d)
				d = c;
		}
	return d;
}

/* Recomputes size and crc32 of a (possibly patched) image. */
static inline void bb_fix(uint8_t *p, size_t len)
{
	uint32_t nsect = bb_r32(p + 24), end = (uint32_t)len;
	for (uint32_t i = 0; i < nsect && 64 + 16 * (size_t)(i + 1) <= len; i++)
		if (bb_r32(p + 64 + 16 * i) == FC_SEC_SIG)
			end = bb_r32(p + 64 + 16 * i + 8);
	bb_p32(p + 16, (uint32_t)len);
	bb_p32(p + 20, 0);
	if (end >= 32 && end <= len)
		bb_p32(p + 28, (uint32_t)crc32(crc32(0, Z_NULL, 0), p + 32, end - 32));
}

/* Offset of section ID's data in an image (0 when absent); COUNT/SIZE when not NULL. */
static inline uint32_t bb_sec(const uint8_t *p, uint32_t id, uint32_t *count, uint32_t *size)
{
	uint32_t nsect = bb_r32(p + 24);
	for (uint32_t i = 0; i < nsect; i++) {
		const uint8_t *e = p + 64 + 16 * i;
		if (bb_r32(e) == id) {
			if (count)
				*count = bb_r32(e + 4);
			if (size)
				*size = bb_r32(e + 12);
			return bb_r32(e + 8);
		}
	}
	return 0;
}

/* Serialises the bundle: a malloc'd image of *LEN bytes. */
static inline uint8_t *bb_build(struct bb *b, size_t *len)
{
	struct bb_buf sec[16] = {{0}};
	uint32_t count[16] = {0};
	bool present[16] = {0};
	/* strings */
	{
		struct bb_buf *w = &sec[FC_SEC_STRS];
		uint32_t off = 0;
		for (uint32_t i = 0; i < b->nstr; i++) {
			bb_w32(w, off);
			bb_w32(w, b->slen[i]);
			off += b->slen[i] + 1;
		}
		for (uint32_t i = 0; i < b->nstr; i++)
			bb_put(w, b->str[i], b->slen[i] + 1);
		count[FC_SEC_STRS] = b->nstr;
		present[FC_SEC_STRS] = true;
	}
	for (uint32_t i = 0; i < b->nconst; i++)
		bb_w64(&sec[FC_SEC_CONSTS], b->consts[i]);
	count[FC_SEC_CONSTS] = b->nconst;
	present[FC_SEC_CONSTS] = b->nconst > 0;
	for (uint32_t i = 0; i < b->nlist; i++) {
		bb_w8(&sec[FC_SEC_LISTS], b->lists[i].kind);
		bb_w8(&sec[FC_SEC_LISTS], 0);
		bb_w16(&sec[FC_SEC_LISTS], 0);
		bb_w32(&sec[FC_SEC_LISTS], b->lists[i].first);
		bb_w32(&sec[FC_SEC_LISTS], b->lists[i].n);
	}
	for (uint32_t i = 0; i < b->nlitems; i++)
		bb_w32(&sec[FC_SEC_LISTS], b->litems[i]);
	count[FC_SEC_LISTS] = b->nlist;
	present[FC_SEC_LISTS] = b->nlist > 0;
	for (uint32_t i = 0; i < b->nevset; i++)
		for (unsigned w = 0; w < FC_EVSET_WORDS; w++)
			bb_w64(&sec[FC_SEC_EVSETS], b->evsets[i][w]);
	count[FC_SEC_EVSETS] = b->nevset;
	present[FC_SEC_EVSETS] = b->nevset > 0;
	for (uint32_t i = 0; i < b->nregex; i++)
		for (int j = 0; j < 3; j++)
			bb_w32(&sec[FC_SEC_REGEX], b->regex[i][j]);
	count[FC_SEC_REGEX] = b->nregex;
	present[FC_SEC_REGEX] = b->nregex > 0;
	for (uint32_t i = 0; i < b->nslot; i++) {
		struct bb_slot *s = &b->slots[i];
		struct bb_buf *w = &sec[FC_SEC_SLOTS];
		bb_w8(w, s->kind), bb_w8(w, s->xf), bb_w8(w, s->vtype), bb_w8(w, s->flags);
		bb_w32(w, s->name), bb_w32(w, s->arg), bb_w32(w, s->first), bb_w32(w, s->n), bb_w32(w, s->text);
	}
	for (uint32_t i = 0; i < b->nsitems; i++)
		bb_w32(&sec[FC_SEC_SLOTS], b->sitems[i]);
	count[FC_SEC_SLOTS] = b->nslot;
	present[FC_SEC_SLOTS] = b->nslot > 0;
	for (uint32_t i = 0; i < b->ncode; i++) {
		struct fc_binsn *c = &b->code[i];
		struct bb_buf *w = &sec[FC_SEC_CODE];
		bb_w8(w, c->op), bb_w8(w, c->aux), bb_w16(w, c->slot), bb_w32(w, c->k), bb_w16(w, c->jt), bb_w16(w, c->jf);
	}
	count[FC_SEC_CODE] = b->ncode;
	present[FC_SEC_CODE] = b->ncode > 0;
	for (uint32_t i = 0; i < b->nprog; i++) {
		struct bb_buf *w = &sec[FC_SEC_PROGS];
		bb_w32(w, b->progs[i].start), bb_w32(w, b->progs[i].len), bb_w32(w, b->progs[i].kind);
		bb_w32(w, bb_depth(b, i, 0));
	}
	count[FC_SEC_PROGS] = b->nprog;
	present[FC_SEC_PROGS] = b->nprog > 0;
	for (uint32_t i = 0; i < b->nrule; i++) {
		struct bb_rule *r = &b->rules[i];
		struct bb_buf *w = &sec[FC_SEC_RULES];
		bb_w32(w, r->name), bb_w32(w, r->desc), bb_w32(w, r->source), bb_w32(w, r->prog);
		bb_w8(w, r->prio), bb_w8(w, r->enabled), bb_w16(w, 0);
		bb_w32(w, r->tags_first), bb_w32(w, r->ntags), bb_w32(w, r->out_first), bb_w32(w, r->nout);
		bb_w32(w, r->file), bb_w32(w, r->line), bb_w32(w, r->evset);
	}
	for (uint32_t i = 0; i < b->ntags; i++)
		bb_w32(&sec[FC_SEC_RULES], b->tags[i]);
	count[FC_SEC_RULES] = b->nrule;
	present[FC_SEC_RULES] = b->nrule > 0;
	for (uint32_t i = 0; i < b->nout; i++) {
		struct bb_buf *w = &sec[FC_SEC_OUTFMT];
		bb_w8(w, b->outs[i].kind), bb_w8(w, b->outs[i].json), bb_w16(w, b->outs[i].width);
		bb_w32(w, b->outs[i].ref), bb_w32(w, b->outs[i].key);
	}
	count[FC_SEC_OUTFMT] = b->nout;
	present[FC_SEC_OUTFMT] = b->nout > 0;
	if (!b->no_index && b->nrule) {
		struct bb_buf *w = &sec[FC_SEC_INDEX];
		uint32_t first = 0;
		for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
			uint32_t n = 0;
			for (uint32_t r = 0; r < b->nrule; r++)
				n += b->evsets[b->rules[r].evset][c / 64] >> (c % 64) & 1;
			bb_w32(w, first), bb_w32(w, n);
			first += n;
		}
		for (unsigned c = 0; c < FC_EVENT_MAX; c++)
			for (uint32_t r = 0; r < b->nrule; r++)
				if (b->evsets[b->rules[r].evset][c / 64] >> (c % 64) & 1)
					bb_w32(w, r);
		count[FC_SEC_INDEX] = FC_EVENT_MAX;
		present[FC_SEC_INDEX] = true;
	}
	if (b->srcmap) {
		for (uint32_t i = 0; i < b->ncode; i++) {
			uint32_t p = 0;
			for (uint32_t j = 0; j < b->nprog; j++)
				if (i >= b->progs[j].start && i < b->progs[j].start + b->progs[j].len)
					p = j;
			bb_w32(&sec[FC_SEC_SRCMAP], p), bb_w32(&sec[FC_SEC_SRCMAP], b->rules ? b->rules[0].file : 0);
			bb_w32(&sec[FC_SEC_SRCMAP], 1 + i), bb_w32(&sec[FC_SEC_SRCMAP], 1);
		}
		count[FC_SEC_SRCMAP] = b->ncode;
		present[FC_SEC_SRCMAP] = true;
	}
	for (uint32_t i = 0; i < b->nksel; i++)
		bb_w64(&sec[FC_SEC_KSEL], b->ksel[i]);
	count[FC_SEC_KSEL] = b->nksel;
	present[FC_SEC_KSEL] = b->nksel > 0;
	for (uint32_t i = 0; i < b->nmeta; i++)
		bb_w32(&sec[FC_SEC_META], b->meta[i]);
	count[FC_SEC_META] = b->nmeta;
	present[FC_SEC_META] = b->nmeta > 0;

	/* table: known sections in id order, then raw extra sections (ids above 15), then SIG */
	uint32_t ids[32], n = 0;
	for (uint32_t id = 1; id < 16; id++)
		if (present[id])
			ids[n++] = id;
	uint32_t nsect = n + b->nraw + (b->sig ? 1 : 0);
	struct bb_buf out = {0};
	uint8_t hdr[64] = {0};
	memcpy(hdr, FC_BUNDLE_MAGIC, 8);
	hdr[8] = FC_BUNDLE_MAJOR, hdr[10] = FC_BUNDLE_MINOR;
	bb_p32(hdr + 24, nsect);
	bb_put(&out, hdr, 64);
	size_t tab = out.len;
	uint8_t zero[16] = {0};
	for (uint32_t i = 0; i < nsect; i++)
		bb_put(&out, zero, 16);
	for (uint32_t i = 0; i < nsect; i++) {
		uint32_t id, cnt;
		const uint8_t *data;
		size_t dlen;
		static const uint8_t sigbytes[64];
		if (i < n) {
			id = ids[i], cnt = count[id], data = sec[id].p, dlen = sec[id].len;
		} else if (i < n + b->nraw) {
			id = b->raw[i - n].id, cnt = b->raw[i - n].count, data = b->raw[i - n].p, dlen = b->raw[i - n].len;
		} else {
			id = FC_SEC_SIG, cnt = 1, data = sigbytes, dlen = sizeof sigbytes;
		}
		while (out.len % 8)
			bb_w8(&out, 0);
		uint8_t *e = out.p + tab + 16 * i;
		bb_p32(e, id), bb_p32(e + 4, cnt), bb_p32(e + 8, (uint32_t)out.len), bb_p32(e + 12, (uint32_t)dlen);
		if (dlen)
			bb_put(&out, data, dlen);
	}
	for (int i = 0; i < 16; i++)
		free(sec[i].p);
	bb_fix(out.p, out.len);
	*len = out.len;
	return out.p;
}

#endif
