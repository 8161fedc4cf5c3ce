/* ir.c — the back end's first stage: content-deduplicated pools, lowering of each checked rule
 * condition (compile.h) into a tree of typed tests, the tree → predicate-graph construction
 * (libpcap style: one test per block, true/false successors; `not` swaps them; and/or wire
 * short circuits), and the human-readable dump of graphs.
 *
 * Lowering is generic and exact (LANGUAGE.md §4, §6, opcodes.def): constants are converted
 * against the left operand's type (decimal integers truncated to the type's width, booleans,
 * port names, IP addresses and CIDR networks as raw records, hex for bcontains/bstartswith,
 * doubles), `icontains` becomes an `iglob "*v*"` (the ICASE pass turns it into ICONTAINS with a
 * lowercased constant), modifiers on strings become SMOD (a oneof list keeps its repeated
 * items, which opt.c resolves), `<` `<=` `>` `>=` on strings an anyof SMOD over one item
 * (strcmp order), modifiers on numbers and addresses become and/or trees of single tests,
 * `in` on a DOUBLE an or of EQ_D (IN_N compares integer bits), `!=` on a network becomes
 * `exists and not in.net` (a missing value makes `!=` false). Everything faster is the
 * optimiser's (opt.c). */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "ir.h"

/* ---- pools ---------------------------------------------------------------------------- */

static void *grow(void *p, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	uint32_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	p = realloc(p, (size_t)c * elem);
	if (!p)
		abort();
	*cap = c;
	return p;
}

static uint32_t fnv(uint32_t h, const void *s, size_t n)
{
	const unsigned char *p = s;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}
#define FNV0 2166136261u

typedef bool (*eq_fn)(const struct ir_pools *p, uint32_t id, const void *key);

static uint32_t ht_get(const struct ir_htab *h, uint32_t hash, eq_fn eq, const struct ir_pools *p, const void *key)
{
	if (!h->cap)
		return FC_NONE;
	for (uint32_t i = hash & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		if (h->ids[i] == FC_NONE)
			return FC_NONE;
		if (h->hash[i] == hash && eq(p, h->ids[i], key))
			return h->ids[i];
	}
}

static void ht_put(struct ir_htab *h, uint32_t hash, uint32_t id)
{
	if ((h->n + 1) * 2 > h->cap) {
		uint32_t oc = h->cap, nc = oc ? oc * 2 : 64;
		uint32_t *oi = h->ids, *oh = h->hash;
		h->ids = malloc(sizeof(uint32_t) * nc);
		h->hash = malloc(sizeof(uint32_t) * nc);
		if (!h->ids || !h->hash)
			abort();
		memset(h->ids, 0xff, sizeof(uint32_t) * nc);
		h->cap = nc;
		h->n = 0;
		for (uint32_t i = 0; i < oc; i++)
			if (oi[i] != FC_NONE)
				ht_put(h, oh[i], oi[i]);
		free(oi);
		free(oh);
	}
	uint32_t i = hash & (h->cap - 1);
	while (h->ids[i] != FC_NONE)
		i = (i + 1) & (h->cap - 1);
	h->ids[i] = id;
	h->hash[i] = hash;
	h->n++;
}

static void ht_free(struct ir_htab *h)
{
	free(h->ids);
	free(h->hash);
	memset(h, 0, sizeof(*h));
}

void ir_pools_init(struct ir_pools *p)
{
	memset(p, 0, sizeof(*p));
	ir_str(p, "", 0);
}

void ir_pools_free(struct ir_pools *p)
{
	free(p->sbuf);
	free(p->soff);
	free(p->slens);
	free(p->consts);
	free(p->lists);
	free(p->items);
	free(p->evsets);
	free(p->regex);
	free(p->slots);
	free(p->sargs);
	ht_free(&p->sh);
	ht_free(&p->ch);
	ht_free(&p->lh);
	ht_free(&p->eh);
	ht_free(&p->rh);
	ht_free(&p->slh);
	memset(p, 0, sizeof(*p));
}

struct skey {
	const void *s;
	uint32_t len;
};

static bool str_eq(const struct ir_pools *p, uint32_t id, const void *key)
{
	const struct skey *k = key;
	return p->slens[id] == k->len && !memcmp(p->sbuf + p->soff[id], k->s, k->len);
}

uint32_t ir_str(struct ir_pools *p, const void *s, uint32_t len)
{
	struct skey k = {s, len};
	uint32_t h = fnv(FNV0, s, len);
	uint32_t id = ht_get(&p->sh, h, str_eq, p, &k);
	if (id != FC_NONE)
		return id;
	if (p->slen + len + 1 > p->scap) {
		size_t c = p->scap ? p->scap : 1024;
		while (c < p->slen + len + 1)
			c *= 2;
		p->sbuf = realloc(p->sbuf, c);
		if (!p->sbuf)
			abort();
		p->scap = c;
	}
	if (p->nstr == p->capstr) {
		p->soff = grow(p->soff, &p->capstr, p->nstr + 1, sizeof(uint32_t));
		p->slens = realloc(p->slens, sizeof(uint32_t) * p->capstr);
		if (!p->slens)
			abort();
	}
	id = p->nstr++;
	p->soff[id] = (uint32_t)p->slen;
	p->slens[id] = len;
	if (len)
		memcpy(p->sbuf + p->slen, s, len);
	p->sbuf[p->slen + len] = 0;
	p->slen += len + 1;
	ht_put(&p->sh, h, id);
	return id;
}

uint32_t ir_cstr(struct ir_pools *p, const char *s)
{
	return ir_str(p, s, (uint32_t)strlen(s));
}

const char *ir_strp(const struct ir_pools *p, uint32_t sid, uint32_t *len)
{
	if (sid >= p->nstr) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = p->slens[sid];
	return p->sbuf + p->soff[sid];
}

int ir_strcmp(const struct ir_pools *p, uint32_t a, uint32_t b)
{
	uint32_t la = p->slens[a], lb = p->slens[b];
	int c = memcmp(p->sbuf + p->soff[a], p->sbuf + p->soff[b], la < lb ? la : lb);
	return c ? c : la < lb ? -1 : la > lb;
}

static bool const_eq(const struct ir_pools *p, uint32_t id, const void *key)
{
	return p->consts[id] == *(const uint64_t *)key;
}

uint32_t ir_const(struct ir_pools *p, uint64_t v)
{
	uint32_t h = fnv(FNV0, &v, sizeof v);
	uint32_t id = ht_get(&p->ch, h, const_eq, p, &v);
	if (id != FC_NONE)
		return id;
	p->consts = grow(p->consts, &p->capconst, p->nconst + 1, sizeof(uint64_t));
	id = p->nconst++;
	p->consts[id] = v;
	ht_put(&p->ch, h, id);
	return id;
}

static int item_cmp(const struct ir_pools *p, uint8_t kind, uint32_t a, uint32_t b)
{
	if (kind == FC_LK_NUM)
		return p->consts[a] < p->consts[b] ? -1 : p->consts[a] > p->consts[b];
	return ir_strcmp(p, a, b);
}

/* Merge sort (stable, no global comparator state). */
static void sort_items(const struct ir_pools *p, uint8_t kind, uint32_t *v, uint32_t n, uint32_t *tmp)
{
	if (n < 2)
		return;
	uint32_t h = n / 2;
	sort_items(p, kind, v, h, tmp);
	sort_items(p, kind, v + h, n - h, tmp);
	uint32_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = item_cmp(p, kind, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, sizeof(uint32_t) * n);
}

struct lkey {
	uint8_t kind;
	const uint32_t *items;
	uint32_t n;
};

static bool list_eq(const struct ir_pools *p, uint32_t id, const void *key)
{
	const struct lkey *k = key;
	const struct ir_list *l = &p->lists[id];
	/* no memcmp on an empty list: both pointers may be NULL */
	return l->kind == k->kind && l->n == k->n &&
	       (!k->n || !memcmp(p->items + l->first, k->items, sizeof(uint32_t) * k->n));
}

static uint32_t intern_list(struct ir_pools *p, uint8_t kind, uint32_t *items, uint32_t n, bool dedup)
{
	if (n > 1) {
		uint32_t *tmp = malloc(sizeof(uint32_t) * n);
		if (!tmp)
			abort();
		sort_items(p, kind, items, n, tmp);
		free(tmp);
		uint32_t w = 1;
		for (uint32_t i = 1; i < n; i++)
			if (!dedup || item_cmp(p, kind, items[w - 1], items[i]))
				items[w++] = items[i];
		n = w;
	}
	struct lkey k = {kind, items, n};
	uint32_t h = fnv(fnv(FNV0, &kind, 1), items, sizeof(uint32_t) * n);
	uint32_t id = ht_get(&p->lh, h, list_eq, p, &k);
	if (id != FC_NONE)
		return id;
	p->items = grow(p->items, &p->capitems, p->nitems + n, sizeof(uint32_t));
	p->lists = grow(p->lists, &p->caplist, p->nlist + 1, sizeof(struct ir_list));
	id = p->nlist++;
	p->lists[id] = (struct ir_list){kind, p->nitems, n};
	if (n)
		memcpy(p->items + p->nitems, items, sizeof(uint32_t) * n);
	p->nitems += n;
	ht_put(&p->lh, h, id);
	return id;
}

uint32_t ir_list(struct ir_pools *p, uint8_t kind, uint32_t *items, uint32_t n)
{
	return intern_list(p, kind, items, n, true);
}

uint32_t ir_mlist(struct ir_pools *p, uint8_t kind, uint32_t *items, uint32_t n)
{
	return intern_list(p, kind, items, n, false);
}

static bool evset_eq(const struct ir_pools *p, uint32_t id, const void *key)
{
	return !memcmp(&p->evsets[id], key, sizeof(fc_evtset));
}

uint32_t ir_evset(struct ir_pools *p, const fc_evtset *s)
{
	uint32_t h = fnv(FNV0, s, sizeof *s);
	uint32_t id = ht_get(&p->eh, h, evset_eq, p, s);
	if (id != FC_NONE)
		return id;
	p->evsets = grow(p->evsets, &p->capevset, p->nevset + 1, sizeof(fc_evtset));
	id = p->nevset++;
	p->evsets[id] = *s;
	ht_put(&p->eh, h, id);
	return id;
}

static bool regex_eq(const struct ir_pools *p, uint32_t id, const void *key)
{
	return !memcmp(&p->regex[id], key, sizeof(struct ir_regex));
}

uint32_t ir_regex(struct ir_pools *p, uint32_t pat, uint32_t lit, uint32_t flags)
{
	struct ir_regex r = {pat, lit, flags};
	uint32_t h = fnv(FNV0, &r, sizeof r);
	uint32_t id = ht_get(&p->rh, h, regex_eq, p, &r);
	if (id != FC_NONE)
		return id;
	p->regex = grow(p->regex, &p->capregex, p->nregex + 1, sizeof(struct ir_regex));
	id = p->nregex++;
	p->regex[id] = r;
	ht_put(&p->rh, h, id);
	return id;
}

static bool slot_eq(const struct ir_pools *p, uint32_t id, const void *key)
{
	return p->slots[id].text == *(const uint32_t *)key;
}

uint32_t ir_slot(struct ir_pools *p, const struct ir_slot *s, const uint32_t *args, uint32_t nargs)
{
	uint32_t h = fnv(FNV0, &s->text, sizeof s->text);
	uint32_t id = ht_get(&p->slh, h, slot_eq, p, &s->text);
	if (id != FC_NONE)
		return id;
	p->sargs = grow(p->sargs, &p->capsargs, p->nsargs + nargs, sizeof(uint32_t));
	p->slots = grow(p->slots, &p->capslot, p->nslot + 1, sizeof(struct ir_slot));
	id = p->nslot++;
	p->slots[id] = *s;
	p->slots[id].first = nargs ? p->nsargs : 0;
	p->slots[id].n = nargs;
	if (nargs)
		memcpy(p->sargs + p->nsargs, args, sizeof(uint32_t) * nargs);
	p->nsargs += nargs;
	ht_put(&p->slh, h, id);
	return id;
}

/* ---- module, expressions, blocks -------------------------------------------------------- */

void ir_mod_init(struct ir_mod *m, struct fc_compiled *c, uint32_t passes)
{
	memset(m, 0, sizeof(*m));
	m->c = c;
	m->passes = passes;
	m->ok = true;
	ir_pools_init(&m->p);
}

void ir_mod_free(struct ir_mod *m)
{
	for (uint32_t i = 0; i < m->nprogs; i++)
		free(m->progs[i].b);
	free(m->progs);
	ir_pools_free(&m->p);
	fc_arena_free(&m->arena);
	memset(m, 0, sizeof(*m));
}

struct ir_expr *ir_enew(struct ir_mod *m, uint8_t kind, struct ir_loc loc)
{
	struct ir_expr *e = fc_arena_alloc(&m->arena, sizeof(*e));
	e->kind = kind;
	e->loc = loc;
	return e;
}

struct ir_expr *ir_etest(struct ir_mod *m, uint8_t op, uint8_t aux, uint32_t slot, uint32_t k, struct ir_loc loc)
{
	struct ir_expr *e = ir_enew(m, IE_TEST, loc);
	e->t = (struct ir_test){op, aux, slot, k};
	return e;
}

void ir_epush(struct ir_mod *m, struct ir_expr *e, struct ir_expr *kid)
{
	if (e->nkids == e->capkids) {
		uint32_t c = e->capkids ? e->capkids * 2 : 4;
		struct ir_expr **k = fc_arena_alloc(&m->arena, sizeof(*k) * c);
		if (e->nkids)
			memcpy(k, e->kids, sizeof(*k) * e->nkids);
		e->kids = k;
		e->capkids = c;
	}
	if (!e->nkids)
		e->loc = kid->loc;
	e->kids[e->nkids++] = kid;
}

static struct ir_expr *enot(struct ir_mod *m, struct ir_expr *kid)
{
	struct ir_expr *e = ir_enew(m, IE_NOT, kid->loc);
	ir_epush(m, e, kid);
	return e;
}

static struct ir_expr *ebin(struct ir_mod *m, uint8_t kind, struct ir_expr *a, struct ir_expr *b)
{
	struct ir_expr *e = ir_enew(m, kind, a->loc);
	ir_epush(m, e, a);
	ir_epush(m, e, b);
	return e;
}

uint32_t ir_block_add(struct ir_prog *p, const struct ir_test *t, uint32_t jt, uint32_t jf, struct ir_loc loc)
{
	p->b = grow(p->b, &p->capb, p->nb + 1, sizeof(struct ir_block));
	p->b[p->nb] = (struct ir_block){*t, jt, jf, loc};
	return p->nb++;
}

/* ---- lowering --------------------------------------------------------------------------- */

struct lower {
	struct ir_mod *m;
	struct fc_crule *cr;
	bool ok;
};

static void lerr(struct lower *L, const struct fc_ast *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void lerr(struct lower *L, const struct fc_ast *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	L->ok = false;
	L->m->ok = false;
	if (n && n->org)
		fc_diag_node(L->m->c->rs, FC_LOAD_ERR_COMPILE_CONDITION, n, n->pos, "%s", msg);
	else
		fc_diag(L->m->c->rs->diags, FC_LOAD_ERR_COMPILE_OUTPUT, &L->cr->rule->out_ctx, L->cr->rule->output.loc,
			"%s", msg);
}

static struct ir_loc ast_loc(struct ir_mod *m, const struct fc_ast *n)
{
	if (!n || !n->org || !n->org->text)
		return (struct ir_loc){0};
	struct fc_loc l = fc_srcmap_loc(&n->org->text->map, n->pos);
	if (!l.src)
		return (struct ir_loc){0};
	return (struct ir_loc){ir_cstr(&m->p, l.src->name), l.line, l.col};
}

static uint32_t vlen(const struct fc_ast *n)
{
	return n->len ? n->len : n->str ? (uint32_t)strlen(n->str) : 0;
}

/* Canonical text of an operand, as fc_ast_print shows it, without val(). */
static uint32_t operand_text(struct ir_mod *m, const struct fc_ast *n)
{
	struct fc_ast tmp = *n;
	tmp.val = false;
	struct fc_buf b = {0};
	fc_ast_print(&b, &tmp);
	uint32_t sid = ir_str(&m->p, b.p ? b.p : "", (uint32_t)b.len);
	fc_buf_free(&b);
	return sid;
}

static uint32_t lower_operand(struct lower *L, const struct fc_ast *n);

static void push_u32(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
	*v = grow(*v, cap, *n + 1, sizeof(uint32_t));
	(*v)[(*n)++] = x;
}

/* One transformer argument: a slot, or a string constant (quoted strings, numbers); a
 * transformer list contributes its elements in order (join's "(a, b)" form). */
static void xf_arg(struct lower *L, const struct fc_ast *a, uint32_t **v, uint32_t *n, uint32_t *cap)
{
	if (a->kind == FC_AST_FIELD || a->kind == FC_AST_TRANSFORMER) {
		push_u32(v, n, cap, lower_operand(L, a));
	} else if (a->kind == FC_AST_TLIST) {
		for (uint32_t i = 0; i < a->nkids; i++)
			xf_arg(L, a->kids[i], v, n, cap);
	} else {
		push_u32(v, n, cap, FC_ARG_STR | ir_str(&L->m->p, a->str ? a->str : "", vlen(a)));
	}
}

static uint32_t lower_operand(struct lower *L, const struct fc_ast *n)
{
	struct ir_mod *m = L->m;
	struct ir_slot s = {0};
	if (n->kind == FC_AST_FIELD) {
		struct fc_fieldref ref;
		char err[512];
		if (!fc_field_resolve(n->str, n->arg, &ref, err, sizeof err)) {
			lerr(L, n, "%s", err);
			return 0;
		}
		s.kind = FC_SK_FIELD;
		s.vtype = (uint8_t)ref.type;
		s.sflags = (uint8_t)(((ref.flags & FC_FF_ANCESTORS) ? FC_SLF_ANCESTORS : 0) |
				     ((ref.flags & FC_FF_IS_LIST) ? FC_SLF_LIST : 0));
		s.name = ir_cstr(&m->p, n->str);
		s.arg = n->arg ? ir_cstr(&m->p, n->arg) : FC_NONE;
		s.text = operand_text(m, n);
		if (ref.flags & FC_FF_UNAVAILABLE)
			s.what = IR_SW_UNAVAILABLE;
		else if (ref.id == FC_F_EVT_TYPE && !ref.has_arg)
			s.what = IR_SW_EVTTYPE;
		else if (ref.id == FC_F_SYSCALL_TYPE && !ref.has_arg)
			s.what = IR_SW_SYSCALLTYPE;
		else if (ref.id == FC_F_EVT_NUM)
			s.what = IR_SW_EVTNUM;
		return ir_slot(&m->p, &s, NULL, 0);
	}
	if (n->kind != FC_AST_TRANSFORMER) {
		lerr(L, n, "%s", "expected a field or a field transformer");
		return 0;
	}
	uint32_t *args = NULL, nargs = 0, cap = 0;
	for (uint32_t i = 0; i < n->nkids; i++)
		xf_arg(L, n->kids[i], &args, &nargs, &cap);
	s.kind = FC_SK_XF;
	s.xf = n->xf;
	s.name = ir_cstr(&m->p, fc_xf_name((enum fc_xf)n->xf));
	s.arg = n->arg ? ir_cstr(&m->p, n->arg) : FC_NONE;
	s.text = operand_text(m, n);
	const struct ir_slot *a0 = nargs && !(args[0] & FC_ARG_STR) ? &m->p.slots[args[0]] : NULL;
	switch (n->xf) {
	case FC_XF_LEN:
		s.vtype = PT_UINT64;
		break;
	case FC_XF_B64:
		s.vtype = PT_BYTEBUF;
		s.sflags = a0 ? a0->sflags : 0;
		break;
	case FC_XF_TOLOWER:
	case FC_XF_TOUPPER:
	case FC_XF_BASENAME:
		s.vtype = a0 ? a0->vtype : PT_CHARBUF;
		s.sflags = a0 ? a0->sflags : 0;
		break;
	default: /* concat, join, getopt */
		s.vtype = PT_CHARBUF;
		break;
	}
	uint32_t id = ir_slot(&m->p, &s, args, nargs);
	free(args);
	return id;
}

/* Value classes of a left operand. */
enum vcls { VC_NUM, VC_DBL, VC_STR, VC_BUF, VC_IP, VC_NET, VC_OTHER };

static enum vcls vclass(uint8_t t)
{
	switch (t) {
	case PT_DOUBLE:
		return VC_DBL;
	case PT_CHARBUF: case PT_FSPATH: case PT_FSRELPATH:
		return VC_STR;
	case PT_BYTEBUF:
		return VC_BUF;
	case PT_IPV4ADDR: case PT_IPV6ADDR: case PT_IPADDR:
		return VC_IP;
	case PT_IPV4NET: case PT_IPV6NET: case PT_IPNET:
		return VC_NET;
	default:
		return fc_ptype_is_numeric((enum fc_ptype)t) || t == PT_BOOL || t == PT_UID || t == PT_GID ||
				       t == PT_L4PROTO || t == PT_SOCKFAMILY
			       ? VC_NUM
			       : VC_OTHER;
	}
}

/* Signed comparisons for the signed integer types; everything else (flags, modes, times,
 * ports, ids) compares unsigned. */
static bool type_signed(uint8_t t)
{
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_ERRNO: case PT_FD: case PT_PID:
	case PT_FD32: case PT_PID32:
		return true;
	default:
		return false;
	}
}

/* A decimal constant as the field's own width would hold it (upstream reads it into the
 * field's storage): unsigned values are truncated, signed ones sign-extended. */
static bool num_const(struct lower *L, const struct fc_ast *v, uint8_t t, uint64_t *out)
{
	const char *s = v->str ? v->str : "";
	char c;
	if (t == PT_BOOL) {
		if (!strcmp(s, "true"))
			*out = 1;
		else if (!strcmp(s, "false"))
			*out = 0;
		else {
			lerr(L, v, "filter error: unrecognized boolean value %s", s);
			return false;
		}
		return true;
	}
	if (t == PT_PORT && *s && strspn(s, "0123456789") != strlen(s)) {
		struct servent *se = getservbyname(s, NULL);
		if (!se) {
			lerr(L, v, "unrecognized protocol %s", s);
			return false;
		}
		*out = ntohs((uint16_t)se->s_port);
		return true;
	}
	if (t == PT_PORT && !*s) {
		*out = 0;
		return true;
	}
	if (t == PT_DOUBLE) {
		int64_t x;
		if (sscanf(s, "%" SCNd64 "%c", &x, &c) != 1) {
			lerr(L, v, "%s is not a valid number", s);
			return false;
		}
		double d = (double)x;
		memcpy(out, &d, sizeof d);
		return true;
	}
	unsigned bits = fc_ptype_size((enum fc_ptype)t) * 8;
	if (!bits || bits > 64)
		bits = 64;
	if (type_signed(t)) {
		int64_t x;
		if (sscanf(s, "%" SCNd64 "%c", &x, &c) != 1) {
			lerr(L, v, "%s is not a valid number", s);
			return false;
		}
		uint64_t u = (uint64_t)x;
		if (bits < 64) {
			u &= ((uint64_t)1 << bits) - 1;
			if (u >> (bits - 1))
				u |= ~(((uint64_t)1 << bits) - 1);
		}
		*out = u;
		return true;
	}
	uint64_t x;
	if (sscanf(s, "%" SCNu64 "%c", &x, &c) != 1) {
		lerr(L, v, "%s is not a valid number", s);
		return false;
	}
	if (bits < 64)
		x &= ((uint64_t)1 << bits) - 1;
	*out = x;
	return true;
}

/* An address record (4 or 16 bytes, network order) or a network record (family, prefix
 * length, address with the host bits cleared). */
static bool ip_const(struct lower *L, const struct fc_ast *v, uint8_t t, bool net, uint32_t *sid)
{
	const char *s = v->str ? v->str : "";
	bool v4 = t == PT_IPV4ADDR || t == PT_IPV4NET || ((t == PT_IPADDR || t == PT_IPNET) && strchr(s, '.'));
	unsigned char rec[18], *a = net ? rec + 2 : rec;
	char ip[128];
	const char *slash = net ? strchr(s, '/') : NULL;
	unsigned long bits = 0;
	if (net) {
		char c;
		if (!slash || (size_t)(slash - s) >= sizeof ip || sscanf(slash + 1, "%lu%c", &bits, &c) != 1 ||
		    bits > (v4 ? 32u : 128u)) {
			lerr(L, v, "unrecognized IP network %s", s);
			return false;
		}
		memcpy(ip, s, (size_t)(slash - s));
		ip[slash - s] = 0;
	} else {
		snprintf(ip, sizeof ip, "%s", s);
	}
	if (inet_pton(v4 ? AF_INET : AF_INET6, ip, a) != 1) {
		lerr(L, v, "unrecognized IP address %s", s);
		return false;
	}
	unsigned alen = v4 ? 4 : 16;
	if (net) {
		rec[0] = v4 ? 4 : 6;
		rec[1] = (unsigned char)bits;
		for (unsigned i = 0; i < alen; i++) {
			unsigned keep = bits >= (i + 1) * 8 ? 8 : bits > i * 8 ? (unsigned)(bits - i * 8) : 0;
			a[i] &= (unsigned char)(0xff00u >> keep);
		}
	}
	*sid = ir_str(&L->m->p, rec, net ? alen + 2 : alen);
	return true;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool hex_const(struct lower *L, const struct fc_ast *v, uint32_t *sid)
{
	uint32_t n = vlen(v);
	if (!n || n % 2) {
		lerr(L, v, "%s", "bcontains and bstartswith operator support hex strings only");
		return false;
	}
	unsigned char *b = malloc(n / 2 + 1);
	if (!b)
		abort();
	for (uint32_t i = 0; i < n; i += 2) {
		int hi = hexval(v->str[i]), lo = hexval(v->str[i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			lerr(L, v, "%s", "bcontains and bstartswith operator support hex strings only");
			return false;
		}
		b[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*sid = ir_str(&L->m->p, b, n / 2);
	free(b);
	return true;
}

/* `icontains v` as the case-folding glob "*v*" (metacharacters of v escaped). */
static uint32_t iglob_of(struct ir_mod *m, const char *s, uint32_t n)
{
	struct fc_buf b = {0};
	fc_buf_putc(&b, '*');
	for (uint32_t i = 0; i < n; i++) {
		if (strchr("*?[\\", s[i]))
			fc_buf_putc(&b, '\\');
		fc_buf_putc(&b, s[i]);
	}
	fc_buf_putc(&b, '*');
	uint32_t sid = ir_str(&m->p, b.p, (uint32_t)b.len);
	fc_buf_free(&b);
	return sid;
}

static uint8_t bop_of(enum fc_op op)
{
	switch (op) {
	case FC_OP_NE: return FC_BOP_NE;
	case FC_OP_LT: return FC_BOP_LT;
	case FC_OP_LE: return FC_BOP_LE;
	case FC_OP_GT: return FC_BOP_GT;
	case FC_OP_GE: return FC_BOP_GE;
	case FC_OP_CONTAINS: case FC_OP_BCONTAINS: return FC_BOP_CONTAINS;
	case FC_OP_ICONTAINS: return FC_BOP_ICONTAINS;
	case FC_OP_STARTSWITH: case FC_OP_BSTARTSWITH: return FC_BOP_STARTSWITH;
	case FC_OP_ENDSWITH: return FC_BOP_ENDSWITH;
	case FC_OP_GLOB: return FC_BOP_GLOB;
	case FC_OP_IGLOB: return FC_BOP_IGLOB;
	case FC_OP_REGEX: return FC_BOP_REGEX;
	default: return FC_BOP_EQ; /* = == in intersects: equality of scalars */
	}
}

/* The string operand of a string test (hex-decoded for the b* operators). */
static bool str_operand(struct lower *L, enum fc_op op, const struct fc_ast *v, uint32_t *sid)
{
	if (op == FC_OP_BCONTAINS || op == FC_OP_BSTARTSWITH)
		return hex_const(L, v, sid);
	if (op == FC_OP_ICONTAINS) {
		*sid = iglob_of(L->m, v->str ? v->str : "", vlen(v));
		return true;
	}
	*sid = ir_str(&L->m->p, v->str ? v->str : "", vlen(v));
	return true;
}

/* Values of a right-hand side: a list's items, or the single value. */
static void rhs_values(const struct fc_ast *r, const struct fc_ast *const **v, uint32_t *n, const struct fc_ast **one)
{
	if (r->kind == FC_AST_LIST) {
		*v = (const struct fc_ast *const *)r->kids;
		*n = r->nkids;
	} else {
		*one = r;
		*v = one;
		*n = 1;
	}
}

/* A list constant of KIND from values. */
static bool list_operand(struct lower *L, const struct fc_ast *const *v, uint32_t n, enum vcls vc, uint8_t t,
			 bool net, uint32_t *list)
{
	uint32_t *items = malloc(sizeof(uint32_t) * (n ? n : 1));
	if (!items)
		abort();
	uint8_t kind = vc == VC_NUM || vc == VC_DBL ? FC_LK_NUM : vc == VC_IP || vc == VC_NET ? FC_LK_IP : FC_LK_STR;
	for (uint32_t i = 0; i < n; i++) {
		bool ok;
		if (kind == FC_LK_NUM) {
			uint64_t x = 0;
			ok = num_const(L, v[i], t, &x);
			items[i] = ir_const(&L->m->p, x);
		} else if (kind == FC_LK_IP) {
			ok = ip_const(L, v[i], t, net, &items[i]);
		} else {
			items[i] = ir_str(&L->m->p, v[i]->str ? v[i]->str : "", vlen(v[i]));
			ok = true;
		}
		if (!ok) {
			free(items);
			return false;
		}
	}
	*list = ir_list(&L->m->p, kind, items, n);
	free(items);
	return true;
}

/* One comparison of SLOT (class VC, type T) with the single value V. */
static struct ir_expr *lower_cmp(struct lower *L, const struct fc_ast *n, enum fc_op op, uint32_t slot, enum vcls vc,
				 uint8_t t, const struct fc_ast *v, struct ir_loc loc)
{
	struct ir_mod *m = L->m;
	uint32_t k;
	uint64_t x;
	bool sgn = type_signed(t);
	switch (vc) {
	case VC_NUM:
	case VC_DBL: {
		if (!num_const(L, v, t, &x))
			return NULL;
		k = ir_const(&m->p, x);
		uint8_t o;
		bool d = vc == VC_DBL;
		switch (op) {
		case FC_OP_EQ: case FC_OP_EQEQ: o = d ? FC_OPC_EQ_D : FC_OPC_EQ_N; break;
		case FC_OP_NE: o = d ? FC_OPC_NE_D : FC_OPC_NE_N; break;
		case FC_OP_LT: o = d ? FC_OPC_LT_D : sgn ? FC_OPC_LT_I : FC_OPC_LT_U; break;
		case FC_OP_LE: o = d ? FC_OPC_LE_D : sgn ? FC_OPC_LE_I : FC_OPC_LE_U; break;
		case FC_OP_GT: o = d ? FC_OPC_GT_D : sgn ? FC_OPC_GT_I : FC_OPC_GT_U; break;
		case FC_OP_GE: o = d ? FC_OPC_GE_D : sgn ? FC_OPC_GE_I : FC_OPC_GE_U; break;
		default:
			lerr(L, n, "operator '%s' is not supported on numbers by this compiler", fc_op_text(op));
			return NULL;
		}
		return ir_etest(m, o, 0, slot, k, loc);
	}
	case VC_STR:
	case VC_BUF: {
		if (!str_operand(L, op, v, &k))
			return NULL;
		uint8_t o;
		switch (op) {
		case FC_OP_EQ: case FC_OP_EQEQ: o = FC_OPC_EQ_S; break;
		case FC_OP_NE: o = FC_OPC_NE_S; break;
		case FC_OP_CONTAINS: case FC_OP_BCONTAINS: o = FC_OPC_CONTAINS; break;
		case FC_OP_ICONTAINS: o = FC_OPC_IGLOB; break;
		case FC_OP_STARTSWITH: case FC_OP_BSTARTSWITH: o = FC_OPC_STARTSWITH; break;
		case FC_OP_ENDSWITH: o = FC_OPC_ENDSWITH; break;
		case FC_OP_GLOB: o = FC_OPC_GLOB; break;
		case FC_OP_IGLOB: o = FC_OPC_IGLOB; break;
		case FC_OP_REGEX:
			return ir_etest(m, FC_OPC_REGEX, 0, slot, ir_regex(&m->p, k, FC_NONE, 0), loc);
		case FC_OP_LT: case FC_OP_LE: case FC_OP_GT: case FC_OP_GE: /* strcmp order: SMOD over one item */
			return ir_etest(m, FC_OPC_SMOD, (uint8_t)(bop_of(op) | FC_MODBITS_ANYOF << FC_MOD_SHIFT), slot,
					ir_list(&m->p, FC_LK_STR, &k, 1), loc);
		default:
			lerr(L, n, "operator '%s' is not supported on strings by this compiler", fc_op_text(op));
			return NULL;
		}
		return ir_etest(m, o, 0, slot, k, loc);
	}
	case VC_IP:
		if (!ip_const(L, v, t, false, &k))
			return NULL;
		if (op == FC_OP_EQ || op == FC_OP_EQEQ)
			return ir_etest(m, FC_OPC_EQ_IP, 0, slot, k, loc);
		if (op == FC_OP_NE)
			return ir_etest(m, FC_OPC_NE_IP, 0, slot, k, loc);
		break;
	case VC_NET:
		if (!ip_const(L, v, t, true, &k))
			return NULL;
		if (op == FC_OP_EQ || op == FC_OP_EQEQ)
			return ir_etest(m, FC_OPC_IN_NET, 0, slot, k, loc);
		if (op == FC_OP_NE) /* false when missing, like every `!=` */
			return ebin(m, IE_AND, ir_etest(m, FC_OPC_EXISTS, 0, slot, 0, loc),
				    enot(m, ir_etest(m, FC_OPC_IN_NET, 0, slot, k, loc)));
		break;
	default:
		break;
	}
	lerr(L, n, "operator '%s' is not supported for this field type by this compiler", fc_op_text(op));
	return NULL;
}

/* StrOp oneof/anyof/allof (LIST). */
static struct ir_expr *lower_mod(struct lower *L, const struct fc_ast *n, uint32_t slot, enum vcls vc, uint8_t t,
				 struct ir_loc loc)
{
	struct ir_mod *m = L->m;
	const struct fc_ast *const *v;
	const struct fc_ast *one;
	uint32_t nv;
	rhs_values(n->right, &v, &nv, &one);
	enum fc_op op = n->op;
	uint8_t modbits = n->mod == FC_MOD_ANYOF ? FC_MODBITS_ANYOF : n->mod == FC_MOD_ALLOF ? FC_MODBITS_ALLOF
											  : FC_MODBITS_ONEOF;
	if (vc == VC_STR || vc == VC_BUF) {
		/* the generic SMOD: the VM applies the base operator to every item */
		uint8_t bop = bop_of(op);
		if (op == FC_OP_ICONTAINS)
			bop = FC_BOP_IGLOB; /* with "*v*" items, as the single-value form */
		uint32_t *items = malloc(sizeof(uint32_t) * (nv ? nv : 1));
		if (!items)
			abort();
		for (uint32_t i = 0; i < nv; i++)
			if (!str_operand(L, op, v[i], &items[i])) {
				free(items);
				return NULL;
			}
		/* oneof counts repeated items: they stay until ir_opt_tree resolves them (opt.c) */
		uint32_t list = n->mod == FC_MOD_ONEOF ? ir_mlist(&m->p, FC_LK_STR, items, nv)
						       : ir_list(&m->p, FC_LK_STR, items, nv);
		free(items);
		return ir_etest(m, FC_OPC_SMOD, (uint8_t)(bop | modbits << FC_MOD_SHIFT), slot, list, loc);
	}
	/* numbers and addresses: an and/or tree of single comparisons over the distinct values */
	if ((m->p.slots[slot].sflags & FC_SLF_ANCESTORS) && n->mod != FC_MOD_ANYOF) {
		lerr(L, n, "modifier '%s' on an ancestor field that is not a string is not supported by this compiler",
		     fc_mod_text((enum fc_mod)n->mod));
		return NULL;
	}
	struct ir_expr **t1 = fc_arena_alloc(&m->arena, sizeof(*t1) * (nv ? nv : 1));
	uint32_t *cnt = fc_arena_alloc(&m->arena, sizeof(*cnt) * (nv ? nv : 1));
	uint32_t nt = 0;
	for (uint32_t i = 0; i < nv; i++) {
		struct ir_expr *e = lower_cmp(L, n, op, slot, vc, t, v[i], loc);
		if (!e)
			return NULL;
		uint32_t dup = FC_NONE;
		for (uint32_t j = 0; j < nt && dup == FC_NONE; j++)
			if (e->kind == IE_TEST && t1[j]->kind == IE_TEST && !memcmp(&e->t, &t1[j]->t, sizeof e->t))
				dup = j;
		if (dup == FC_NONE) {
			cnt[nt] = 1;
			t1[nt++] = e;
		} else {
			cnt[dup]++; /* the same test written twice: oneof counts it twice */
		}
	}
	if (!nt) /* anyof/oneof of nothing: false; allof of nothing: true when present */
		return n->mod == FC_MOD_ALLOF ? ir_etest(m, FC_OPC_EXISTS, 0, slot, 0, loc) : ir_enew(m, IE_FALSE, loc);
	if (nt == 1 && (n->mod != FC_MOD_ONEOF || cnt[0] == 1))
		return t1[0];
	if (n->mod != FC_MOD_ONEOF) {
		struct ir_expr *e = ir_enew(m, n->mod == FC_MOD_ANYOF ? IE_OR : IE_AND, loc);
		for (uint32_t i = 0; i < nt; i++)
			ir_epush(m, e, t1[i]);
		return e;
	}
	/* exactly one written value: or over the values written once (t_i and not t_j for every
	 * other j, repeated values included); false when every value is repeated */
	struct ir_expr *e = ir_enew(m, IE_OR, loc);
	for (uint32_t i = 0; i < nt; i++) {
		if (cnt[i] > 1)
			continue;
		struct ir_expr *a = ir_enew(m, IE_AND, loc);
		ir_epush(m, a, t1[i]);
		for (uint32_t j = 0; j < nt; j++)
			if (j != i)
				ir_epush(m, a, enot(m, t1[j]));
		ir_epush(m, e, a);
	}
	return e->nkids ? e : ir_enew(m, IE_FALSE, loc);
}

static struct ir_expr *lower_check(struct lower *L, const struct fc_ast *n)
{
	struct ir_mod *m = L->m;
	struct ir_loc loc = ast_loc(m, n);
	uint32_t slot = lower_operand(L, n->left);
	if (!L->ok)
		return NULL;
	if (n->kind == FC_AST_UNARY)
		return ir_etest(m, FC_OPC_EXISTS, 0, slot, 0, loc);
	const struct fc_ast *r = n->right;
	enum fc_op op = n->op;
	if (r->kind == FC_AST_FIELD || r->kind == FC_AST_TRANSFORMER) {
		uint32_t rs = lower_operand(L, r);
		if (!L->ok)
			return NULL;
		return ir_etest(m, FC_OPC_FCMP, bop_of(op), slot, rs, loc);
	}
	const struct ir_slot *s = &m->p.slots[slot];
	uint8_t t = s->vtype;
	enum vcls vc = vclass(t);
	if (n->mod != FC_MOD_NONE)
		return lower_mod(L, n, slot, vc, t, loc);
	const struct fc_ast *const *v;
	const struct fc_ast *one;
	uint32_t nv;
	rhs_values(r, &v, &nv, &one);
	uint32_t list;
	switch (op) {
	case FC_OP_IN:
	case FC_OP_INTERSECTS:
		if (s->sflags & FC_SLF_LIST) {
			if (!list_operand(L, v, nv, VC_STR, t, false, &list))
				return NULL;
			return ir_etest(m, op == FC_OP_IN ? FC_OPC_LIST_IN : FC_OPC_LIST_ISECT, 0, slot, list, loc);
		}
		if (vc == VC_OTHER)
			break;
		if (!list_operand(L, v, nv, vc, t, vc == VC_NET, &list))
			return NULL;
		if (vc == VC_DBL) { /* IN_N compares integer bits: an or of EQ_D (false when empty) */
			const struct ir_list *dl = &m->p.lists[list];
			if (dl->n == 1)
				return ir_etest(m, FC_OPC_EQ_D, 0, slot, m->p.items[dl->first], loc);
			struct ir_expr *e = ir_enew(m, dl->n ? IE_OR : IE_FALSE, loc);
			for (uint32_t i = 0; i < dl->n; i++)
				ir_epush(m, e, ir_etest(m, FC_OPC_EQ_D, 0, slot, m->p.items[dl->first + i], loc));
			return e;
		}
		return ir_etest(m, vc == VC_NUM || vc == VC_DBL ? FC_OPC_IN_N
				   : vc == VC_IP || vc == VC_NET ? FC_OPC_IN_IP
								 : FC_OPC_IN_S,
				0, slot, list, loc);
	case FC_OP_PMATCH:
		if (!list_operand(L, v, nv, VC_STR, t, false, &list))
			return NULL;
		return ir_etest(m, FC_OPC_PMATCH, 0, slot, list, loc);
	default:
		if (r->kind == FC_AST_LIST) {
			lerr(L, n, "operator '%s' expects a single value", fc_op_text(op));
			return NULL;
		}
		return lower_cmp(L, n, op, slot, vc, t, r, loc);
	}
	lerr(L, n, "operator '%s' is not supported for this field type by this compiler", fc_op_text(op));
	return NULL;
}

static struct ir_expr *lower_node(struct lower *L, const struct fc_ast *n, const struct fc_text *parent_text)
{
	struct ir_mod *m = L->m;
	const struct fc_text *text = n->org ? n->org->text : parent_text;
	struct ir_expr *e = NULL;
	switch (n->kind) {
	case FC_AST_AND:
	case FC_AST_OR:
		e = ir_enew(m, n->kind == FC_AST_AND ? IE_AND : IE_OR, ast_loc(m, n));
		for (uint32_t i = 0; i < n->nkids; i++) {
			struct ir_expr *k = lower_node(L, n->kids[i], text);
			if (!k)
				return NULL;
			ir_epush(m, e, k);
		}
		break;
	case FC_AST_NOT: {
		struct ir_expr *k = lower_node(L, n->kids[0], text);
		if (!k)
			return NULL;
		e = enot(m, k);
		break;
	}
	case FC_AST_UNARY:
	case FC_AST_BINARY:
		e = lower_check(L, n);
		break;
	default:
		lerr(L, n, "%s", "unexpected node in a checked condition");
		return NULL;
	}
	if (e && text != parent_text)
		e->macro = true;
	return e;
}

bool ir_lower(struct ir_mod *m)
{
	struct fc_compiled *c = m->c;
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->nrules; i++)
		n += c->rules[i].ok && c->rules[i].ast;
	m->rules = fc_arena_alloc(&m->arena, sizeof(*m->rules) * (n ? n : 1));
	m->progs = calloc(n ? n : 1, sizeof(*m->progs));
	if (!m->progs)
		abort();
	for (uint32_t i = 0; i < c->nrules; i++) {
		struct fc_crule *cr = &c->rules[i];
		if (!cr->ok || !cr->ast)
			continue;
		struct lower L = {m, cr, true};
		struct ir_rule *r = &m->rules[m->nrules];
		r->cr = cr;
		const struct fc_loc rl = cr->rule->loc;
		r->loc = (struct ir_loc){rl.src ? ir_cstr(&m->p, rl.src->name) : 0, rl.line, rl.col};
		struct ir_expr *e = lower_node(&L, cr->ast, &cr->text);
		r->out_slot = fc_arena_alloc(&m->arena, sizeof(uint32_t) * (cr->nout ? cr->nout : 1));
		for (uint32_t k = 0; k < cr->nout && L.ok; k++)
			r->out_slot[k] = cr->out[k].expr ? lower_operand(&L, cr->out[k].expr) : FC_NONE;
		if (!L.ok || !e)
			continue;
		struct ir_prog *p = &m->progs[m->nprogs];
		memset(p, 0, sizeof(*p));
		p->kind = FC_PK_RULE;
		p->rule = m->nrules;
		p->expr = e;
		p->loc = r->loc;
		r->prog = m->nprogs++;
		m->nrules++;
	}
	return m->ok;
}

/* ---- tree → graph --------------------------------------------------------------------- */

static uint32_t build(struct ir_prog *p, const struct ir_expr *e, uint32_t t, uint32_t f)
{
	switch (e->kind) {
	case IE_TRUE:
		return t;
	case IE_FALSE:
		return f;
	case IE_TEST:
		return ir_block_add(p, &e->t, t, f, e->loc);
	case IE_NOT:
		return build(p, e->kids[0], f, t);
	case IE_AND:
		for (uint32_t i = e->nkids; i-- > 0;)
			t = build(p, e->kids[i], t, f);
		return t;
	default: /* IE_OR */
		for (uint32_t i = e->nkids; i-- > 0;)
			f = build(p, e->kids[i], t, f);
		return f;
	}
}

/* Renumbers P's blocks in reverse postorder from the entry (true side first), unreachable
 * ones after, so dumps read top-down in the order the code will run. */
void ir_order_blocks(struct ir_prog *p)
{
	if (!p->nb)
		return;
	uint32_t *idx = malloc(sizeof(uint32_t) * p->nb), *post = malloc(sizeof(uint32_t) * p->nb);
	uint32_t *stk = malloc(sizeof(uint32_t) * 2 * p->nb);
	struct ir_block *nb = malloc(sizeof(struct ir_block) * p->nb);
	if (!idx || !post || !stk || !nb)
		abort();
	memset(idx, 0xff, sizeof(uint32_t) * p->nb);
	uint32_t np = 0, sp = 0;
	if (!IR_IS_RET(p->entry)) {
		idx[p->entry] = 0; /* visited */
		stk[sp++] = p->entry;
		stk[sp++] = 0;
	}
	while (sp) {
		uint32_t b = stk[sp - 2], *st = &stk[sp - 1];
		if (*st < 2) {
			uint32_t s = *st == 0 ? p->b[b].jt : p->b[b].jf;
			(*st)++;
			if (!IR_IS_RET(s) && idx[s] == FC_NONE) {
				idx[s] = 0;
				stk[sp++] = s;
				stk[sp++] = 0;
			}
			continue;
		}
		post[np++] = b;
		sp -= 2;
	}
	uint32_t w = 0;
	for (uint32_t i = np; i-- > 0;)
		idx[post[i]] = w++;
	for (uint32_t b = 0; b < p->nb; b++) /* unreachable blocks keep their relative order */
		if (idx[b] == FC_NONE)
			idx[b] = w++;
	for (uint32_t b = 0; b < p->nb; b++) {
		struct ir_block k = p->b[b];
		if (!IR_IS_RET(k.jt))
			k.jt = idx[k.jt];
		if (!IR_IS_RET(k.jf))
			k.jf = idx[k.jf];
		nb[idx[b]] = k;
	}
	if (!IR_IS_RET(p->entry))
		p->entry = idx[p->entry];
	memcpy(p->b, nb, sizeof(struct ir_block) * p->nb);
	free(idx);
	free(post);
	free(stk);
	free(nb);
}

void ir_build_graphs(struct ir_mod *m)
{
	for (uint32_t i = 0; i < m->nprogs; i++) {
		struct ir_prog *p = &m->progs[i];
		p->nb = 0;
		p->entry = build(p, p->expr, IR_RET1, IR_RET0);
		ir_order_blocks(p);
	}
}

/* ---- rendering -------------------------------------------------------------------------- */

static void quoted(struct fc_buf *b, const char *s, uint32_t n)
{
	fc_buf_putc(b, '"');
	for (uint32_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fc_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fc_buf_printf(b, "\\x%02x", c);
		else
			fc_buf_putc(b, (char)c);
	}
	fc_buf_putc(b, '"');
}

static void ip_text(struct fc_buf *b, const char *s, uint32_t n)
{
	char tmp[INET6_ADDRSTRLEN];
	if (n == 4 || n == 16) {
		inet_ntop(n == 4 ? AF_INET : AF_INET6, s, tmp, sizeof tmp);
		fc_buf_puts(b, tmp);
	} else if ((n == 6 || n == 18) && (s[0] == 4 || s[0] == 6)) {
		inet_ntop(s[0] == 4 ? AF_INET : AF_INET6, s + 2, tmp, sizeof tmp);
		fc_buf_printf(b, "%s/%u", tmp, (unsigned char)s[1]);
	} else {
		quoted(b, s, n);
	}
}

static void const_text(struct fc_buf *b, uint8_t op, uint64_t v)
{
	if (op >= FC_OPC_EQ_D && op <= FC_OPC_GE_D) {
		double d;
		memcpy(&d, &v, sizeof d);
		fc_buf_printf(b, "%g", d);
	} else if (op == FC_OPC_LT_I || op == FC_OPC_LE_I || op == FC_OPC_GT_I || op == FC_OPC_GE_I ||
		   (int64_t)v < 0) {
		fc_buf_printf(b, "%" PRId64, (int64_t)v);
	} else {
		fc_buf_printf(b, "%" PRIu64, v);
	}
}

static void evset_text(struct fc_buf *b, const fc_evtset *s)
{
	size_t n = fc_evtset_count(s);
	if (n == FC_EVENT_MAX) {
		fc_buf_puts(b, "{*}");
		return;
	}
	/* distinct names, sorted, so dumps do not depend on code order */
	const char *names[FC_EVENT_MAX];
	unsigned k = 0;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		if (!fc_evtset_has(s, c))
			continue;
		const char *nm = fc_events[c].name ? fc_events[c].name : "?";
		bool dup = false;
		for (unsigned i = 0; i < k && !dup; i++)
			dup = !strcmp(names[i], nm);
		if (!dup)
			names[k++] = nm;
	}
	for (unsigned i = 1; i < k; i++)
		for (unsigned j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *x = names[j];
			names[j] = names[j - 1];
			names[j - 1] = x;
		}
	fc_buf_putc(b, '{');
	for (unsigned i = 0; i < k; i++)
		fc_buf_printf(b, "%s%s", i ? "," : "", names[i]);
	fc_buf_putc(b, '}');
}

static const char *const bop_names[FC_BOP_MAX_] = {
	"eq", "ne", "lt", "le", "gt", "ge", "contains", "icontains", "startswith", "endswith", "glob", "iglob", "regex",
};

void ir_test_text(struct fc_buf *b, const struct ir_pools *p, const struct ir_test *t)
{
	uint32_t n;
	const char *s;
	int kf = fc_opcode_kfmt(t->op);
	if (t->op != FC_OPC_EVTYPE && t->op != FC_OPC_SUB && t->op != FC_OPC_RET) {
		fc_buf_puts(b, ir_strp(p, p->slots[t->slot].text, NULL));
		fc_buf_putc(b, ' ');
	}
	fc_buf_puts(b, fc_opcode_name(t->op));
	if (t->op == FC_OPC_SMOD) {
		static const char *const mods[8] = {"?", "anyof", "allof", "oneof", "oneofw", "?", "?", "?"};
		unsigned bop = t->aux & 31u;
		fc_buf_printf(b, ".%s.%s", bop < FC_BOP_MAX_ ? bop_names[bop] : "?", mods[(t->aux >> FC_MOD_SHIFT) & 7]);
	} else if (t->op == FC_OPC_FCMP) {
		fc_buf_printf(b, ".%s", t->aux < FC_BOP_MAX_ ? bop_names[t->aux] : "?");
	}
	bool ip = t->op == FC_OPC_EQ_IP || t->op == FC_OPC_NE_IP || t->op == FC_OPC_IN_NET || t->op == FC_OPC_IN_IP;
	switch (kf) {
	case K_BOOL:
		fc_buf_printf(b, " %u", t->k);
		break;
	case K_CONST:
		fc_buf_putc(b, ' ');
		const_text(b, t->op, p->consts[t->k]);
		break;
	case K_STR:
		fc_buf_putc(b, ' ');
		s = ir_strp(p, t->k, &n);
		if (ip)
			ip_text(b, s, n);
		else
			quoted(b, s, n);
		break;
	case K_LIST: {
		const struct ir_list *l = &p->lists[t->k];
		fc_buf_puts(b, " (");
		for (uint32_t i = 0; i < l->n; i++) {
			uint32_t it = p->items[l->first + i];
			if (i)
				fc_buf_puts(b, ", ");
			if (l->kind == FC_LK_NUM) {
				const_text(b, t->op, p->consts[it]);
			} else {
				s = ir_strp(p, it, &n);
				if (l->kind == FC_LK_IP)
					ip_text(b, s, n);
				else
					quoted(b, s, n);
			}
		}
		fc_buf_putc(b, ')');
		break;
	}
	case K_EVSET:
		fc_buf_putc(b, ' ');
		evset_text(b, &p->evsets[t->k]);
		break;
	case K_REGEX: {
		const struct ir_regex *r = &p->regex[t->k];
		fc_buf_putc(b, ' ');
		s = ir_strp(p, r->pat, &n);
		quoted(b, s, n);
		if (r->lit != FC_NONE) {
			fc_buf_puts(b, " [literal ");
			s = ir_strp(p, r->lit, &n);
			quoted(b, s, n);
			fc_buf_putc(b, ']');
		}
		break;
	}
	case K_SLOT:
		fc_buf_printf(b, " %s", ir_strp(p, p->slots[t->k].text, NULL));
		break;
	case K_PROG:
		fc_buf_printf(b, " prog %u", t->k);
		break;
	default:
		break;
	}
}

void ir_loc_text(struct fc_buf *b, const struct ir_pools *p, struct ir_loc l)
{
	if (l.file || l.line)
		fc_buf_printf(b, "%s:%u:%u", ir_strp(p, l.file, NULL), l.line, l.col);
}

const char *ir_prog_name(const struct ir_mod *m, uint32_t prog)
{
	const struct ir_prog *p = &m->progs[prog];
	return p->kind == FC_PK_RULE ? m->rules[p->rule].cr->rule->name : "sub";
}

static void succ_text(struct fc_buf *b, uint32_t s)
{
	if (s == IR_RET1)
		fc_buf_puts(b, "ret1");
	else if (s == IR_RET0)
		fc_buf_puts(b, "ret0");
	else
		fc_buf_printf(b, "b%u", s);
}

void ir_dump_graph(const struct ir_mod *m, uint32_t prog, FILE *out)
{
	const struct ir_prog *p = &m->progs[prog];
	struct fc_buf b = {0};
	if (p->kind == FC_PK_RULE)
		fc_buf_printf(&b, "prog %u rule '%s'", prog, ir_prog_name(m, prog));
	else
		fc_buf_printf(&b, "prog %u sub", prog);
	fc_buf_printf(&b, " (%u blocks) entry ", p->nb);
	succ_text(&b, p->entry);
	fc_buf_putc(&b, '\n');
	for (uint32_t i = 0; i < p->nb; i++) {
		const struct ir_block *k = &p->b[i];
		size_t start = b.len;
		fc_buf_printf(&b, "  b%-3u ", i);
		ir_test_text(&b, &m->p, &k->t);
		while (b.len - start < 64)
			fc_buf_putc(&b, ' ');
		fc_buf_puts(&b, " t:");
		succ_text(&b, k->jt);
		fc_buf_puts(&b, " f:");
		succ_text(&b, k->jf);
		if (k->loc.line) {
			fc_buf_puts(&b, "  ; ");
			ir_loc_text(&b, &m->p, k->loc);
		}
		fc_buf_putc(&b, '\n');
	}
	fwrite(b.p, 1, b.len, out);
	fc_buf_free(&b);
}
