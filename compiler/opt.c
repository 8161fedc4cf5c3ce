/* opt.c — the optimiser (backend.h FC_OPT_*), each pass switchable:
 *
 * on trees (per rule, context-free rewrites):
 *   FOLD    constant tests (evt.num = 0 false, evt.num >= 1 true, unavailable fields, empty sets,
 *           unsigned >= 0 → exists), and/or/not with constants, duplicate and contradictory kids;
 *   EVTYPE  evt.type / syscall.type =, in, != on names → EVTYPE bitset tests (names known only as
 *           syscalls or async events keep a string test, and-ed with their bitset), sibling
 *           bitsets merged;
 *   ICASE   `iglob "*lit*"` (the lowering of icontains) → ICONTAINS with a lowercased constant;
 *   SETS    or-chains of = / in on one slot → one IN_S / IN_N / IN_IP, `= anyof` → IN_S;
 *   TRIES   or-chains of startswith on one slot, `startswith anyof` → PREFIX_S;
 *   REGEX   the literal every match must contain, for the VM's pre-check;
 *   (always) `oneof` lists with repeated items resolved into what a bundle list can hold;
 *   CSE     sub-expressions met twice or more (inlined macro bodies among them) → SUB programs,
 *           memoised per event by the VM, numbered callees first;
 * on graphs (per program):
 *   FOLD    facts along each edge (test outcomes, event-type set) decide later tests: the edge
 *           jumps past them (duplicate or contradictory tests on one slot, intersected bitsets);
 *   DEAD    blocks whose successors agree are bypassed, identical blocks merged, unreachable
 *           blocks removed.
 * Every rewrite keeps the exact semantics, missing values included (a missing value makes every
 * test but EXISTS false; `not` is true then). */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static bool on(const struct ir_mod *m, uint32_t pass)
{
	return (m->passes & pass) != 0;
}

/* ---- structural hashing ----------------------------------------------------------------- */

static uint64_t hmix(uint64_t h, uint64_t v)
{
	v *= 0x9E3779B97F4A7C15ull;
	v ^= v >> 29;
	h ^= v;
	h *= 0xBF58476D1CE4E5B9ull;
	return h ^ (h >> 31);
}

static uint64_t hnode(const struct ir_expr *e)
{
	uint64_t h = hmix(0x51ed27u, e->kind);
	if (e->kind == IE_TEST)
		h = hmix(hmix(hmix(hmix(h, e->t.op), e->t.aux), e->t.slot), e->t.k);
	for (uint32_t i = 0; i < e->nkids; i++)
		h = hmix(h, e->kids[i]->h);
	return h;
}

static uint64_t ehash(struct ir_expr *e)
{
	for (uint32_t i = 0; i < e->nkids; i++)
		ehash(e->kids[i]);
	return e->h = hnode(e);
}

static bool same_test(const struct ir_test *a, const struct ir_test *b)
{
	return a->op == b->op && a->aux == b->aux && a->slot == b->slot && a->k == b->k;
}

/* Deep equality; hashes must be current. */
static bool eeq(const struct ir_expr *a, const struct ir_expr *b)
{
	if (a == b)
		return true;
	if (a->h != b->h || a->kind != b->kind || a->nkids != b->nkids)
		return false;
	if (a->kind == IE_TEST && !same_test(&a->t, &b->t))
		return false;
	for (uint32_t i = 0; i < a->nkids; i++)
		if (!eeq(a->kids[i], b->kids[i]))
			return false;
	return true;
}

static struct ir_expr *econst(struct ir_mod *m, bool v, struct ir_loc loc)
{
	struct ir_expr *e = ir_enew(m, v ? IE_TRUE : IE_FALSE, loc);
	e->h = hnode(e);
	return e;
}

static const struct ir_slot *slot_of(const struct ir_mod *m, const struct ir_test *t)
{
	return &m->p.slots[t->slot];
}

static bool has_slot(uint8_t op)
{
	return op != FC_OPC_EVTYPE && op != FC_OPC_SUB && op != FC_OPC_RET;
}

static bool is_list_op(uint8_t op)
{
	int k = fc_opcode_kfmt(op);
	return k == K_LIST;
}

/* ---- FOLD on trees ------------------------------------------------------------------------ */

/* A test whose outcome the compiler knows: TRUE/FALSE, or E itself (possibly rewritten). */
static struct ir_expr *fold_test(struct ir_mod *m, struct ir_expr *e)
{
	struct ir_test *t = &e->t;
	if (t->op == FC_OPC_SUB)
		return e;
	if (t->op == FC_OPC_EVTYPE) {
		size_t n = fc_evtset_count(&m->p.evsets[t->k]);
		return n == 0 ? econst(m, false, e->loc) : n == FC_EVENT_MAX ? econst(m, true, e->loc) : e;
	}
	const struct ir_slot *s = slot_of(m, t);
	if (s->what == IR_SW_UNAVAILABLE)
		return econst(m, false, e->loc); /* always missing: every test false, exists included */
	if (t->op == FC_OPC_FCMP && m->p.slots[t->k].what == IR_SW_UNAVAILABLE)
		return econst(m, false, e->loc);
	if (is_list_op(t->op)) {
		const struct ir_list *l = &m->p.lists[t->k];
		uint8_t mod = (uint8_t)(t->aux >> FC_MOD_SHIFT);
		if (!l->n && (t->op != FC_OPC_SMOD || mod != FC_MODBITS_ALLOF))
			return econst(m, false, e->loc);
	}
	if (t->op == FC_OPC_EXISTS && (s->what == IR_SW_EVTNUM || s->what == IR_SW_EVTTYPE))
		return econst(m, true, e->loc);
	if (t->op >= FC_OPC_EQ_N && t->op <= FC_OPC_GE_U && t->op != FC_OPC_LT_I && t->op != FC_OPC_LE_I &&
	    t->op != FC_OPC_GT_I && t->op != FC_OPC_GE_I) {
		uint64_t c = m->p.consts[t->k];
		if (s->what == IR_SW_EVTNUM) { /* event numbers start at 1 and are always there */
			switch (t->op) {
			case FC_OPC_EQ_N: if (!c) return econst(m, false, e->loc); break;
			case FC_OPC_NE_N: if (!c) return econst(m, true, e->loc); break;
			case FC_OPC_LT_U: if (c <= 1) return econst(m, false, e->loc); break;
			case FC_OPC_LE_U: if (!c) return econst(m, false, e->loc); break;
			case FC_OPC_GT_U: if (!c) return econst(m, true, e->loc); break;
			case FC_OPC_GE_U: if (c <= 1) return econst(m, true, e->loc); break;
			default: break;
			}
		}
		if (t->op == FC_OPC_LT_U && !c)
			return econst(m, false, e->loc);
		if (t->op == FC_OPC_GE_U && !c) { /* true exactly when there is a value */
			t->op = FC_OPC_EXISTS;
			t->k = 0;
			return e;
		}
	}
	if (t->op == FC_OPC_IN_N && s->what == IR_SW_EVTNUM) {
		const struct ir_list *l = &m->p.lists[t->k];
		uint32_t *it = malloc(sizeof(uint32_t) * (l->n + 1)), n = 0;
		if (!it)
			abort();
		for (uint32_t i = 0; i < l->n; i++)
			if (m->p.consts[m->p.items[l->first + i]])
				it[n++] = m->p.items[l->first + i];
		if (n != l->n)
			t->k = ir_list(&m->p, FC_LK_NUM, it, n);
		free(it);
		if (!n)
			return econst(m, false, e->loc);
	}
	return e;
}

/* Simplifies E (bottom-up): nested and/or of the same kind are flattened (unless the inner one
 * is a shared macro body), then with FOLD constants, duplicates and x/not x pairs go. Returns
 * the replacement, with its hash set. */
static struct ir_expr *simplify(struct ir_mod *m, struct ir_expr *e)
{
	bool fold = on(m, FC_OPT_FOLD);
	switch (e->kind) {
	case IE_TRUE:
	case IE_FALSE:
		e->h = hnode(e);
		return e;
	case IE_TEST: {
		struct ir_expr *r = fold ? fold_test(m, e) : e;
		r->h = hnode(r);
		return r;
	}
	case IE_NOT: {
		struct ir_expr *k = simplify(m, e->kids[0]);
		e->kids[0] = k;
		if (fold && (k->kind == IE_TRUE || k->kind == IE_FALSE))
			return econst(m, k->kind == IE_FALSE, e->loc);
		if (fold && k->kind == IE_NOT) {
			struct ir_expr *r = k->kids[0];
			r->macro |= e->macro;
			return r;
		}
		e->h = hnode(e);
		return e;
	}
	default:
		break;
	}
	bool is_and = e->kind == IE_AND;
	struct ir_expr **kids = e->kids;
	uint32_t n = e->nkids;
	e->kids = NULL;
	e->nkids = e->capkids = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct ir_expr *k = simplify(m, kids[i]);
		if (k->kind == e->kind && !k->keep) {
			for (uint32_t j = 0; j < k->nkids; j++)
				ir_epush(m, e, k->kids[j]);
		} else {
			ir_epush(m, e, k);
		}
	}
	if (fold) {
		uint32_t w = 0;
		for (uint32_t i = 0; i < e->nkids; i++) {
			struct ir_expr *k = e->kids[i];
			if (k->kind == (is_and ? IE_TRUE : IE_FALSE))
				continue;
			if (k->kind == (is_and ? IE_FALSE : IE_TRUE))
				return econst(m, !is_and, e->loc);
			bool dup = false;
			for (uint32_t j = 0; j < w && !dup; j++) {
				const struct ir_expr *o = e->kids[j];
				dup = eeq(o, k);
				/* x and not x: false; x or not x: true */
				if ((k->kind == IE_NOT && eeq(k->kids[0], o)) || (o->kind == IE_NOT && eeq(o->kids[0], k)))
					return econst(m, !is_and, e->loc);
			}
			if (!dup)
				e->kids[w++] = k;
		}
		e->nkids = w;
	}
	if (!e->nkids)
		return econst(m, is_and, e->loc);
	if (e->nkids == 1) {
		struct ir_expr *r = e->kids[0];
		r->macro |= e->macro;
		r->keep |= e->keep;
		return r;
	}
	e->loc = e->kids[0]->loc;
	e->h = hnode(e);
	return e;
}

/* ---- EVTYPE ------------------------------------------------------------------------------- */

static struct ir_expr *evtype_leaf(struct ir_mod *m, struct ir_expr *e)
{
	const struct ir_test *t = &e->t;
	const struct ir_slot *s = slot_of(m, t);
	if ((s->what != IR_SW_EVTTYPE && s->what != IR_SW_SYSCALLTYPE) ||
	    (t->op != FC_OPC_EQ_S && t->op != FC_OPC_NE_S && t->op != FC_OPC_IN_S))
		return e;
	if (s->what == IR_SW_SYSCALLTYPE && t->op == FC_OPC_NE_S)
		return e;
	uint32_t one = t->k, *names = &one, nn = 1;
	if (t->op == FC_OPC_IN_S) {
		names = m->p.items + m->p.lists[t->k].first;
		nn = m->p.lists[t->k].n;
	}
	fc_evtset pure = {0}, impure = {0};
	uint32_t *g = malloc(sizeof(uint32_t) * (nn + 1)), ng = 0;
	if (!g)
		abort();
	for (uint32_t i = 0; i < nn; i++) {
		const char *name = ir_strp(&m->p, names[i], NULL);
		fc_evtset all = {0};
		fc_evtset_add_name(&all, name);
		bool mixed = false;
		for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
			if (!fc_evtset_has(&all, c))
				continue;
			/* codes whose events carry the name itself are exact; the generic and async
			 * events tell their name through their payload (evt.type of a generic event is
			 * the syscall's name, of an async event the async name) */
			bool payload = c == FC_PPME_GENERIC_E || c == FC_PPME_GENERIC_X || c == FC_PPME_ASYNCEVENT_E ||
				       c == FC_PPME_ASYNCEVENT_X;
			if (!payload && fc_events[c].name && !strcmp(fc_events[c].name, name)) {
				fc_evtset_add(&pure, c);
			} else {
				fc_evtset_add(&impure, c);
				mixed = true;
			}
		}
		if (mixed || fc_evtset_empty(&all))
			g[ng++] = names[i];
	}
	struct ir_expr *r;
	uint32_t slot = t->slot;
	bool ne = t->op == FC_OPC_NE_S;
	if (s->what == IR_SW_SYSCALLTYPE) {
		/* syscall.type is missing for non-syscall events: the bitset is only a pre-check */
		fc_evtset_union(&pure, &impure);
		r = ir_enew(m, IE_AND, e->loc);
		ir_epush(m, r, ir_etest(m, FC_OPC_EVTYPE, 0, 0, ir_evset(&m->p, &pure), e->loc));
		ir_epush(m, r, e);
		free(g);
		return r;
	}
	struct ir_expr *strpart = NULL;
	if (ng) {
		strpart = ir_enew(m, IE_AND, e->loc);
		ir_epush(m, strpart, ir_etest(m, FC_OPC_EVTYPE, 0, 0, ir_evset(&m->p, &impure), e->loc));
		if (ng == 1)
			ir_epush(m, strpart, ir_etest(m, FC_OPC_EQ_S, 0, slot, g[0], e->loc));
		else
			ir_epush(m, strpart, ir_etest(m, FC_OPC_IN_S, 0, slot, ir_list(&m->p, FC_LK_STR, g, ng), e->loc));
	}
	free(g);
	struct ir_expr *purepart = ir_etest(m, FC_OPC_EVTYPE, 0, 0, ir_evset(&m->p, &pure), e->loc);
	if (!strpart) {
		r = purepart;
	} else if (fc_evtset_empty(&pure)) {
		r = strpart;
	} else {
		r = ir_enew(m, IE_OR, e->loc);
		ir_epush(m, r, purepart);
		ir_epush(m, r, strpart);
	}
	if (ne) { /* evt.type is always present: != is the plain negation */
		struct ir_expr *x = ir_enew(m, IE_NOT, e->loc);
		ir_epush(m, x, r);
		r = x;
	}
	r->macro = e->macro;
	r->keep = e->keep;
	return r;
}

/* Positive bitset siblings: or = union, and = intersection; negated ones by De Morgan. */
static void evtype_merge(struct ir_mod *m, struct ir_expr *e)
{
	bool is_and = e->kind == IE_AND;
	for (int neg = 0; neg < 2; neg++) {
		struct ir_test *first = NULL;
		uint32_t w = 0;
		for (uint32_t i = 0; i < e->nkids; i++) {
			struct ir_expr *k = e->kids[i];
			struct ir_expr *leaf = neg ? (k->kind == IE_NOT ? k->kids[0] : NULL) : k;
			if (leaf && leaf->kind == IE_TEST && leaf->t.op == FC_OPC_EVTYPE) {
				if (!first) {
					first = &leaf->t;
				} else {
					fc_evtset a = m->p.evsets[first->k];
					const fc_evtset *b = &m->p.evsets[leaf->t.k];
					/* and of positives / or of negatives intersect; the others unite */
					if (is_and != (neg != 0))
						fc_evtset_intersect(&a, b);
					else
						fc_evtset_union(&a, b);
					first->k = ir_evset(&m->p, &a);
					continue;
				}
			}
			e->kids[w++] = k;
		}
		e->nkids = w;
	}
}

static struct ir_expr *evtype_pass(struct ir_mod *m, struct ir_expr *e)
{
	if (e->kind == IE_TEST)
		return evtype_leaf(m, e);
	for (uint32_t i = 0; i < e->nkids; i++)
		e->kids[i] = evtype_pass(m, e->kids[i]);
	if (e->kind == IE_AND || e->kind == IE_OR)
		evtype_merge(m, e);
	return e;
}

/* ---- ICASE -------------------------------------------------------------------------------- */

/* A glob of the form "*lit*" (lit free of unescaped metacharacters): LIT unescaped into OUT. */
static bool star_lit_star(const char *p, uint32_t n, struct fc_buf *out)
{
	if (n < 2 || p[0] != '*')
		return false;
	uint32_t i = 1;
	while (i < n - 1) {
		if (p[i] == '\\') {
			if (i + 1 >= n - 1)
				return false; /* the final '*' would be escaped */
			fc_buf_putc(out, p[i + 1]);
			i += 2;
			continue;
		}
		if (strchr("*?[", p[i]))
			return false;
		fc_buf_putc(out, p[i++]);
	}
	return i == n - 1 && p[n - 1] == '*';
}

static bool has_alpha(const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (isalpha((unsigned char)s[i]))
			return true;
	return false;
}

static uint32_t lower_sid(struct ir_mod *m, const char *s, uint32_t n)
{
	char *b = malloc(n + 1);
	if (!b)
		abort();
	for (uint32_t i = 0; i < n; i++)
		b[i] = (char)tolower((unsigned char)s[i]);
	uint32_t sid = ir_str(&m->p, b, n);
	free(b);
	return sid;
}

static void icase_test(struct ir_mod *m, struct ir_test *t)
{
	uint32_t n;
	const char *s;
	if (t->op == FC_OPC_IGLOB) {
		s = ir_strp(&m->p, t->k, &n);
		struct fc_buf lit = {0};
		fc_buf_add(&lit, "", 0);
		if (star_lit_star(s, n, &lit)) {
			bool alpha = has_alpha(lit.p, (uint32_t)lit.len);
			t->op = alpha ? FC_OPC_ICONTAINS : FC_OPC_CONTAINS;
			t->k = lower_sid(m, lit.p, (uint32_t)lit.len);
		} else if (!has_alpha(s, n)) {
			t->op = FC_OPC_GLOB; /* no letters: case folding cannot matter */
		}
		fc_buf_free(&lit);
		return;
	}
	if (t->op == FC_OPC_SMOD && (t->aux & 31u) == FC_BOP_IGLOB) {
		const struct ir_list *l = &m->p.lists[t->k];
		uint32_t *it = malloc(sizeof(uint32_t) * (l->n + 1));
		if (!it)
			abort();
		bool all = true;
		for (uint32_t i = 0; i < l->n && all; i++) {
			s = ir_strp(&m->p, m->p.items[l->first + i], &n);
			struct fc_buf lit = {0};
			fc_buf_add(&lit, "", 0);
			all = star_lit_star(s, n, &lit);
			if (all)
				it[i] = lower_sid(m, lit.p, (uint32_t)lit.len);
			fc_buf_free(&lit);
		}
		if (all) { /* a oneof keeps the items folding made equal: each still counts */
			t->aux = (uint8_t)((t->aux & ~31u) | FC_BOP_ICONTAINS);
			t->k = (t->aux >> FC_MOD_SHIFT) == FC_MODBITS_ONEOF ? ir_mlist(&m->p, FC_LK_STR, it, l->n)
									     : ir_list(&m->p, FC_LK_STR, it, l->n);
		}
		free(it);
	}
}

static void icase_pass(struct ir_mod *m, struct ir_expr *e)
{
	if (e->kind == IE_TEST)
		icase_test(m, &e->t);
	for (uint32_t i = 0; i < e->nkids; i++)
		icase_pass(m, e->kids[i]);
}

/* ---- SETS and TRIES ----------------------------------------------------------------------- */

enum fam { FAM_NONE, FAM_S, FAM_N, FAM_IP, FAM_LI, FAM_PFX };

static enum fam family(const struct ir_test *t, bool sets, bool tries)
{
	switch (t->op) {
	case FC_OPC_EQ_S: case FC_OPC_IN_S: return sets ? FAM_S : FAM_NONE;
	case FC_OPC_EQ_N: case FC_OPC_IN_N: return sets ? FAM_N : FAM_NONE;
	case FC_OPC_EQ_IP: case FC_OPC_IN_NET: case FC_OPC_IN_IP: return sets ? FAM_IP : FAM_NONE;
	case FC_OPC_LIST_ISECT: return sets ? FAM_LI : FAM_NONE;
	case FC_OPC_STARTSWITH: case FC_OPC_PREFIX_S: return tries ? FAM_PFX : FAM_NONE;
	default: return FAM_NONE;
	}
}

/* Items a member contributes to a merged set. */
static void fam_items(const struct ir_mod *m, const struct ir_test *t, uint32_t **v, uint32_t *n, uint32_t *cap)
{
	if (fc_opcode_kfmt(t->op) == K_LIST) {
		const struct ir_list *l = &m->p.lists[t->k];
		for (uint32_t i = 0; i < l->n; i++) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 16;
				*v = realloc(*v, sizeof(uint32_t) * *cap);
				if (!*v)
					abort();
			}
			(*v)[(*n)++] = m->p.items[l->first + i];
		}
		return;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = realloc(*v, sizeof(uint32_t) * *cap);
		if (!*v)
			abort();
	}
	(*v)[(*n)++] = t->k; /* a sid or a const id, as the list items are */
}

/* Drops prefixes made redundant by a shorter one (the list is sorted). */
static uint32_t min_prefixes(const struct ir_mod *m, uint32_t *v, uint32_t n)
{
	uint32_t w = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (w) {
			uint32_t la, lb;
			const char *a = ir_strp(&m->p, v[w - 1], &la), *b = ir_strp(&m->p, v[i], &lb);
			if (la <= lb && !memcmp(a, b, la))
				continue;
		}
		v[w++] = v[i];
	}
	return w;
}

/* A set test of FAM over ITEMS (sorted here), reduced to the single form for one item. */
static void set_test(struct ir_mod *m, struct ir_test *t, enum fam f, uint32_t *items, uint32_t n)
{
	static const uint8_t kind[] = {[FAM_S] = FC_LK_STR, [FAM_N] = FC_LK_NUM, [FAM_IP] = FC_LK_IP,
				       [FAM_LI] = FC_LK_STR, [FAM_PFX] = FC_LK_STR};
	static const uint8_t op[] = {[FAM_S] = FC_OPC_IN_S, [FAM_N] = FC_OPC_IN_N, [FAM_IP] = FC_OPC_IN_IP,
				     [FAM_LI] = FC_OPC_LIST_ISECT, [FAM_PFX] = FC_OPC_PREFIX_S};
	uint32_t l = ir_list(&m->p, kind[f], items, n);
	n = m->p.lists[l].n;
	if (f == FAM_PFX) {
		uint32_t *v = m->p.items + m->p.lists[l].first;
		uint32_t *c = malloc(sizeof(uint32_t) * (n + 1));
		if (!c)
			abort();
		memcpy(c, v, sizeof(uint32_t) * n);
		uint32_t k = min_prefixes(m, c, n);
		if (k != n)
			l = ir_list(&m->p, FC_LK_STR, c, k);
		n = k;
		free(c);
	}
	t->op = op[f];
	t->aux = 0;
	t->k = l;
	if (n == 1 && f != FAM_LI) {
		uint32_t it = m->p.items[m->p.lists[l].first];
		t->k = it;
		if (f == FAM_S)
			t->op = FC_OPC_EQ_S;
		else if (f == FAM_N)
			t->op = FC_OPC_EQ_N;
		else if (f == FAM_PFX)
			t->op = FC_OPC_STARTSWITH;
		else {
			uint32_t len;
			ir_strp(&m->p, it, &len);
			t->op = len == 4 || len == 16 ? FC_OPC_EQ_IP : FC_OPC_IN_NET;
		}
	}
}

static void sets_leaf(struct ir_mod *m, struct ir_test *t, bool sets, bool tries)
{
	uint8_t bop = t->aux & 31u, mod = (uint8_t)(t->aux >> FC_MOD_SHIFT);
	if (t->op == FC_OPC_SMOD && mod == FC_MODBITS_ANYOF &&
	    ((sets && bop == FC_BOP_EQ) || (tries && bop == FC_BOP_STARTSWITH))) {
		enum fam f = bop == FC_BOP_EQ ? FAM_S : FAM_PFX;
		const struct ir_list *l = &m->p.lists[t->k];
		uint32_t *it = malloc(sizeof(uint32_t) * (l->n + 1));
		if (!it)
			abort();
		if (l->n) /* the pool's item array may still be NULL */
			memcpy(it, m->p.items + l->first, sizeof(uint32_t) * l->n);
		set_test(m, t, f, it, l->n);
		free(it);
		return;
	}
	enum fam f = family(t, sets, tries);
	if (f != FAM_NONE && fc_opcode_kfmt(t->op) == K_LIST) {
		const struct ir_list *l = &m->p.lists[t->k];
		if (l->n <= 1 || f == FAM_PFX) {
			uint32_t *it = malloc(sizeof(uint32_t) * (l->n + 1));
			if (!it)
				abort();
			if (l->n) {
				memcpy(it, m->p.items + l->first, sizeof(uint32_t) * l->n);
				set_test(m, t, f, it, l->n);
			}
			free(it);
		}
	}
}

/* Merges the members of one family on one slot among E's kids: positives under or, negated
 * ones under and (De Morgan: not a and not b = not (a or b)). */
static void sets_merge(struct ir_mod *m, struct ir_expr *e, bool sets, bool tries)
{
	bool is_and = e->kind == IE_AND;
	uint32_t n = e->nkids;
	bool *gone = calloc(n + 1, 1);
	if (!gone)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		struct ir_expr *k = e->kids[i];
		struct ir_expr *leaf = is_and ? (k->kind == IE_NOT ? k->kids[0] : NULL) : k;
		if (gone[i] || !leaf || leaf->kind != IE_TEST)
			continue;
		enum fam f = family(&leaf->t, sets, tries);
		if (f == FAM_NONE)
			continue;
		uint32_t *items = NULL, ni = 0, cap = 0, members = 1;
		fam_items(m, &leaf->t, &items, &ni, &cap);
		for (uint32_t j = i + 1; j < n; j++) {
			struct ir_expr *o = e->kids[j];
			struct ir_expr *ol = is_and ? (o->kind == IE_NOT ? o->kids[0] : NULL) : o;
			if (gone[j] || !ol || ol->kind != IE_TEST || ol->t.slot != leaf->t.slot ||
			    family(&ol->t, sets, tries) != f)
				continue;
			fam_items(m, &ol->t, &items, &ni, &cap);
			gone[j] = true;
			members++;
		}
		if (members > 1) {
			/* a fresh leaf: the old one may be shared with another tree */
			struct ir_expr *nl = ir_etest(m, leaf->t.op, leaf->t.aux, leaf->t.slot, leaf->t.k, leaf->loc);
			set_test(m, &nl->t, f, items, ni);
			if (is_and) {
				struct ir_expr *x = ir_enew(m, IE_NOT, k->loc);
				ir_epush(m, x, nl);
				e->kids[i] = x;
			} else {
				e->kids[i] = nl;
			}
		}
		free(items);
	}
	uint32_t w = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!gone[i])
			e->kids[w++] = e->kids[i];
	e->nkids = w;
	free(gone);
}

static void sets_pass(struct ir_mod *m, struct ir_expr *e, bool sets, bool tries)
{
	if (e->kind == IE_TEST) {
		sets_leaf(m, &e->t, sets, tries);
		return;
	}
	for (uint32_t i = 0; i < e->nkids; i++)
		sets_pass(m, e->kids[i], sets, tries);
	if (e->kind == IE_AND || e->kind == IE_OR)
		sets_merge(m, e, sets, tries);
}

/* ---- ONEOF (always run, after the passes that fold constants) ---------------------------- */

/* `oneof` is true when exactly one written item matches, a repeated item counting each time
 * (LANGUAGE.md §4), but a bundle list holds distinct items: the lowering keeps the repeats
 * (ir_mlist) through ICASE, whose folding can make items equal, and they are resolved here.
 * With D the repeated items and U the others: false when U is empty; `= anyof U` for equality
 * (a value equals at most one item); `not anyof D and oneof U` on a scalar slot; on an ancestor
 * slot the two tests could be satisfied by different ancestors, so one weighted SMOD
 * (FC_MODBITS_ONEOFW: each item prefixed by its weight byte) keeps the count per ancestor. */
static struct ir_expr *oneof_leaf(struct ir_mod *m, struct ir_expr *e)
{
	struct ir_test *t = &e->t;
	if (t->op != FC_OPC_SMOD || (t->aux >> FC_MOD_SHIFT) != FC_MODBITS_ONEOF)
		return e;
	const struct ir_list *l = &m->p.lists[t->k];
	uint32_t n = l->n, nd = 0, nu = 0;
	uint32_t *d = malloc(sizeof(uint32_t) * (n + 1)), *u = malloc(sizeof(uint32_t) * (n + 1));
	if (!d || !u)
		abort();
	for (uint32_t i = 0, j; i < n; i = j) { /* sorted: repeats are adjacent, equal strings one sid */
		uint32_t it = m->p.items[l->first + i];
		for (j = i + 1; j < n && m->p.items[l->first + j] == it; j++)
			;
		if (j - i > 1)
			d[nd++] = it;
		else
			u[nu++] = it;
	}
	struct ir_expr *r = e;
	uint8_t base = t->aux & ((1u << FC_MOD_SHIFT) - 1);
	uint8_t any = (uint8_t)(base | FC_MODBITS_ANYOF << FC_MOD_SHIFT);
	if (!nd) {
		/* nothing repeated: the list is already what the bundle holds */
	} else if (!nu) {
		r = econst(m, false, e->loc);
	} else if (base == FC_BOP_EQ) {
		r = ir_etest(m, FC_OPC_SMOD, any, t->slot, ir_list(&m->p, FC_LK_STR, u, nu), e->loc);
	} else if (!(m->p.slots[t->slot].sflags & FC_SLF_ANCESTORS)) {
		struct ir_expr *no_d = ir_enew(m, IE_NOT, e->loc);
		ir_epush(m, no_d, ir_etest(m, FC_OPC_SMOD, any, t->slot, ir_list(&m->p, FC_LK_STR, d, nd), e->loc));
		r = ir_enew(m, IE_AND, e->loc);
		ir_epush(m, r, no_d);
		ir_epush(m, r, ir_etest(m, FC_OPC_SMOD, t->aux, t->slot, ir_list(&m->p, FC_LK_STR, u, nu), e->loc));
	} else {
		uint32_t *w = malloc(sizeof(uint32_t) * (nd + nu + 1));
		struct fc_buf b = {0};
		if (!w)
			abort();
		for (uint32_t i = 0; i < nd + nu; i++) {
			uint32_t sid = i < nd ? d[i] : u[i - nd], len;
			const char *sp = ir_strp(&m->p, sid, &len);
			b.len = 0;
			fc_buf_putc(&b, i < nd ? 2 : 1);
			fc_buf_add(&b, sp, len);
			w[i] = ir_str(&m->p, b.p, (uint32_t)b.len);
		}
		r = ir_etest(m, FC_OPC_SMOD, (uint8_t)(base | FC_MODBITS_ONEOFW << FC_MOD_SHIFT), t->slot,
			     ir_list(&m->p, FC_LK_STR, w, nd + nu), e->loc);
		fc_buf_free(&b);
		free(w);
	}
	free(d);
	free(u);
	if (r != e) {
		r->macro = e->macro;
		r->keep = e->keep;
	}
	return r;
}

static struct ir_expr *oneof_pass(struct ir_mod *m, struct ir_expr *e)
{
	if (e->kind == IE_TEST)
		return oneof_leaf(m, e);
	for (uint32_t i = 0; i < e->nkids; i++)
		e->kids[i] = oneof_pass(m, e->kids[i]);
	return e;
}

/* ---- REGEX -------------------------------------------------------------------------------- */

/* Index just past the character class starting at P[i] == '[', or 0 when unterminated. */
static size_t skip_class(const char *p, size_t n, size_t i)
{
	size_t j = i + 1;
	if (j < n && p[j] == '^')
		j++;
	if (j < n && p[j] == ']')
		j++;
	while (j < n) {
		if (p[j] == '\\') {
			j += 2;
			continue;
		}
		if (p[j] == '[' && j + 1 < n && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
			char close = p[j + 1];
			size_t k = j + 2;
			while (k + 1 < n && !(p[k] == close && p[k + 1] == ']'))
				k++;
			if (k + 1 >= n)
				return 0;
			j = k + 2;
			continue;
		}
		if (p[j] == ']')
			return j + 1;
		j++;
	}
	return 0;
}

/* Index just past the group starting at P[i] == '(', or 0. */
static size_t skip_group(const char *p, size_t n, size_t i)
{
	int depth = 0;
	for (size_t j = i; j < n;) {
		if (p[j] == '\\') {
			j += 2;
			continue;
		}
		if (p[j] == '[') {
			j = skip_class(p, n, j);
			if (!j)
				return 0;
			continue;
		}
		if (p[j] == '(')
			depth++;
		else if (p[j] == ')' && --depth == 0)
			return j + 1;
		j++;
	}
	return 0;
}

/* A counted repetition at P[i] == '{': its minimum, or -1 when it is not one (then PCRE
 * reads the brace literally). *END is set past it. */
static long parse_braces(const char *p, size_t n, size_t i, size_t *end)
{
	size_t j = i + 1;
	long lo = 0;
	bool digits = false;
	while (j < n && isdigit((unsigned char)p[j])) {
		lo = lo * 10 + (p[j++] - '0');
		digits = true;
		if (lo > 100000)
			return -1;
	}
	if (!digits)
		return -1;
	if (j < n && p[j] == ',') {
		j++;
		while (j < n && isdigit((unsigned char)p[j]))
			j++;
	}
	if (j >= n || p[j] != '}')
		return -1;
	*end = j + 1;
	return lo;
}

size_t ir_regex_literal(const char *p, size_t n, char *out, size_t cap)
{
	char *run = malloc(n + 1);
	if (!run)
		abort();
	size_t rn = 0, best = 0, atom = 0;
	bool have_atom = false;
#define END_RUN()                                                                      \
	do {                                                                           \
		if (rn > best && rn <= cap) {                                          \
			memcpy(out, run, rn);                                          \
			best = rn;                                                     \
		}                                                                      \
		rn = 0;                                                                \
		have_atom = false;                                                     \
	} while (0)
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\\') {
			if (i + 1 >= n)
				goto fail;
			unsigned char d = (unsigned char)p[i + 1];
			if (isalnum(d)) {
				/* single-character classes and anchors; anything longer (\x41, \p{..},
				 * \Q..\E, back references) is beyond this scan */
				if (!strchr("dDwWsSbBAzZGhHvVRN", d) || (d == 'N' && i + 2 < n && p[i + 2] == '{'))
					goto fail;
				END_RUN();
				i += 2;
				continue;
			}
			atom = rn;
			run[rn++] = (char)d;
			have_atom = true;
			i += 2;
			continue;
		}
		if (c == '(') {
			if (i + 1 < n && p[i + 1] == '?') {
				char d = i + 2 < n ? p[i + 2] : 0;
				bool ok = d == ':' || d == '=' || d == '!' || (d == '<' && i + 3 < n) || d == 'P';
				if (!ok)
					goto fail; /* inline options such as (?i) change what a literal means */
			}
			size_t j = skip_group(p, n, i);
			if (!j)
				goto fail;
			END_RUN();
			i = j;
			continue;
		}
		if (c == '[') {
			size_t j = skip_class(p, n, i);
			if (!j)
				goto fail;
			END_RUN();
			i = j;
			continue;
		}
		if (c == '|' || c == ')')
			goto fail; /* alternation: no literal is required by every branch here */
		if (c == '.' || c == '^' || c == '$') {
			END_RUN();
			i++;
			continue;
		}
		if (c == '*' || c == '?' || c == '+' || c == '{') {
			long min;
			size_t end = i + 1;
			if (c == '{') {
				min = parse_braces(p, n, i, &end);
				if (min < 0) { /* a literal brace */
					atom = rn;
					run[rn++] = '{';
					have_atom = true;
					i++;
					continue;
				}
			} else {
				min = c == '+' ? 1 : 0;
			}
			if (have_atom && min == 0)
				rn = atom; /* the atom may be absent */
			if (have_atom || min == 0)
				END_RUN();
			i = end;
			if (i < n && (p[i] == '?' || p[i] == '+'))
				i++; /* lazy / possessive */
			continue;
		}
		/* a literal character (all bytes of a UTF-8 sequence form one atom) */
		atom = rn;
		run[rn++] = (char)c;
		i++;
		if (c >= 0xc0)
			while (i < n && ((unsigned char)p[i] & 0xc0) == 0x80)
				run[rn++] = p[i++];
		have_atom = true;
	}
	END_RUN();
	free(run);
	return best;
fail:
	free(run);
	return 0;
#undef END_RUN
}

static void regex_pass(struct ir_mod *m, struct ir_expr *e)
{
	if (e->kind == IE_TEST && e->t.op == FC_OPC_REGEX) {
		struct ir_regex r = m->p.regex[e->t.k];
		uint32_t n;
		const char *pat = ir_strp(&m->p, r.pat, &n);
		char *lit = malloc(n + 1);
		if (!lit)
			abort();
		size_t ln = ir_regex_literal(pat, n, lit, n);
		if (ln)
			e->t.k = ir_regex(&m->p, r.pat, ir_str(&m->p, lit, (uint32_t)ln), r.flags);
		free(lit);
	}
	for (uint32_t i = 0; i < e->nkids; i++)
		regex_pass(m, e->kids[i]);
}

/* ---- CSE ---------------------------------------------------------------------------------- */

/* Hash-consing: every node gets the id of its class of structurally equal nodes. */
struct cls {
	const struct ir_expr *rep;
	uint32_t count;   /* occurrences over every rule tree */
	uint32_t leaves;
	bool macro;
	uint32_t sub;     /* SUB id or FC_NONE */
};

struct cse {
	struct ir_mod *m;
	struct cls *c;
	uint32_t n, cap;
	uint32_t *tab; /* open addressing over class ids */
	uint32_t tcap;
	/* SUB programs under construction */
	struct ir_expr **body;
	uint32_t *refs, *order, *depth;
	uint32_t nsub, capsub;
};

static bool cls_eq(const struct ir_expr *a, const struct ir_expr *b)
{
	if (a->kind != b->kind || a->nkids != b->nkids || (a->kind == IE_TEST && !same_test(&a->t, &b->t)))
		return false;
	for (uint32_t i = 0; i < a->nkids; i++)
		if (a->kids[i]->id != b->kids[i]->id)
			return false;
	return true;
}

static uint32_t cls_hash(const struct ir_expr *e)
{
	uint64_t h = hmix(0x77u, e->kind);
	if (e->kind == IE_TEST)
		h = hmix(hmix(hmix(hmix(h, e->t.op), e->t.aux), e->t.slot), e->t.k);
	for (uint32_t i = 0; i < e->nkids; i++)
		h = hmix(h, e->kids[i]->id);
	return (uint32_t)(h ^ (h >> 32));
}

static void intern_tree(struct cse *s, struct ir_expr *e)
{
	for (uint32_t i = 0; i < e->nkids; i++)
		intern_tree(s, e->kids[i]);
	if ((s->n + 1) * 2 > s->tcap) {
		uint32_t nc = s->tcap ? s->tcap * 2 : 1024;
		free(s->tab);
		s->tab = malloc(sizeof(uint32_t) * nc);
		if (!s->tab)
			abort();
		memset(s->tab, 0xff, sizeof(uint32_t) * nc);
		s->tcap = nc;
		for (uint32_t id = 0; id < s->n; id++) {
			uint32_t j = cls_hash(s->c[id].rep) & (nc - 1);
			while (s->tab[j] != FC_NONE)
				j = (j + 1) & (nc - 1);
			s->tab[j] = id;
		}
	}
	uint32_t j = cls_hash(e) & (s->tcap - 1);
	while (s->tab[j] != FC_NONE && !cls_eq(s->c[s->tab[j]].rep, e))
		j = (j + 1) & (s->tcap - 1);
	if (s->tab[j] == FC_NONE) {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 256;
			s->c = realloc(s->c, sizeof(*s->c) * s->cap);
			if (!s->c)
				abort();
		}
		uint32_t leaves = e->kind == IE_TEST ? 1 : 0;
		for (uint32_t i = 0; i < e->nkids; i++)
			leaves += s->c[e->kids[i]->id].leaves;
		s->c[s->n] = (struct cls){e, 0, leaves, false, FC_NONE};
		s->tab[j] = s->n++;
	}
	e->id = s->tab[j];
	s->c[e->id].count++;
	s->c[e->id].macro |= e->macro;
}

/* Tests worth memoising on their own when a macro body is a single test. */
static bool costly(uint8_t op)
{
	return op == FC_OPC_REGEX || op == FC_OPC_GLOB || op == FC_OPC_IGLOB || op == FC_OPC_PMATCH ||
	       op == FC_OPC_SMOD || op == FC_OPC_FCMP;
}

static bool candidate(const struct cse *s, const struct ir_expr *e)
{
	const struct cls *c = &s->c[e->id];
	if (c->count < 2)
		return false;
	if (e->kind == IE_AND || e->kind == IE_OR)
		return c->leaves >= 2;
	return e->kind == IE_TEST && c->macro && costly(e->t.op);
}

static struct ir_expr *replace(struct cse *s, const struct ir_expr *e);

static struct ir_expr *copy_with_kids(struct cse *s, const struct ir_expr *e)
{
	struct ir_expr *c = ir_enew(s->m, e->kind, e->loc);
	c->t = e->t;
	c->macro = e->macro;
	for (uint32_t i = 0; i < e->nkids; i++)
		ir_epush(s->m, c, replace(s, e->kids[i]));
	c->loc = e->loc;
	return c;
}

static struct ir_expr *replace(struct cse *s, const struct ir_expr *e)
{
	if (!candidate(s, e))
		return copy_with_kids(s, e);
	struct cls *c = &s->c[e->id];
	if (c->sub == FC_NONE) {
		struct ir_expr *body = copy_with_kids(s, e); /* inner SUBs get lower numbers */
		c = &s->c[e->id];
		if (s->nsub == s->capsub) {
			s->capsub = s->capsub ? s->capsub * 2 : 64;
			s->body = realloc(s->body, sizeof(*s->body) * s->capsub);
			s->refs = realloc(s->refs, sizeof(uint32_t) * s->capsub);
			s->order = realloc(s->order, sizeof(uint32_t) * s->capsub);
			s->depth = realloc(s->depth, sizeof(uint32_t) * s->capsub);
			if (!s->body || !s->refs || !s->order || !s->depth)
				abort();
		}
		c->sub = s->nsub;
		s->body[s->nsub] = body;
		s->refs[s->nsub] = 0;
		s->nsub++;
	}
	return ir_etest(s->m, FC_OPC_SUB, 0, 0, c->sub, e->loc);
}

static void count_refs(struct cse *s, const struct ir_expr *e)
{
	if (e->kind == IE_TEST && e->t.op == FC_OPC_SUB)
		s->refs[e->t.k]++;
	for (uint32_t i = 0; i < e->nkids; i++)
		count_refs(s, e->kids[i]);
}

static struct ir_expr *clone_tree(struct ir_mod *m, const struct ir_expr *e)
{
	struct ir_expr *c = ir_enew(m, e->kind, e->loc);
	c->t = e->t;
	c->macro = e->macro;
	for (uint32_t i = 0; i < e->nkids; i++)
		ir_epush(m, c, clone_tree(m, e->kids[i]));
	c->loc = e->loc;
	return c;
}

/* Replaces references to SUBs marked in INL by copies of their bodies (copies: no node is
 * ever reachable twice, renumbering relies on it). */
static struct ir_expr *inline_subs(struct cse *s, struct ir_expr *e, const bool *inl)
{
	if (e->kind == IE_TEST && e->t.op == FC_OPC_SUB && inl[e->t.k])
		return inline_subs(s, clone_tree(s->m, s->body[e->t.k]), inl);
	for (uint32_t i = 0; i < e->nkids; i++)
		e->kids[i] = inline_subs(s, e->kids[i], inl);
	return e;
}

/* Numbers SUBs callees first, in the order rules reach them; renumbers references. */
static void number_subs(struct cse *s, struct ir_expr *e, uint32_t *next)
{
	for (uint32_t i = 0; i < e->nkids; i++)
		number_subs(s, e->kids[i], next);
	if (e->kind == IE_TEST && e->t.op == FC_OPC_SUB) {
		uint32_t old = e->t.k;
		if (s->order[old] == FC_NONE) {
			number_subs(s, s->body[old], next);
			s->order[old] = (*next)++;
		}
	}
}

static void renumber(struct cse *s, struct ir_expr *e)
{
	for (uint32_t i = 0; i < e->nkids; i++)
		renumber(s, e->kids[i]);
	if (e->kind == IE_TEST && e->t.op == FC_OPC_SUB)
		e->t.k = s->order[e->t.k];
}

static uint32_t call_depth(const struct cse *s, const struct ir_expr *e)
{
	uint32_t d = 0;
	if (e->kind == IE_TEST && e->t.op == FC_OPC_SUB && s->depth[e->t.k] > d)
		d = s->depth[e->t.k];
	for (uint32_t i = 0; i < e->nkids; i++) {
		uint32_t k = call_depth(s, e->kids[i]);
		if (k > d)
			d = k;
	}
	return d;
}

static void cse_pass(struct ir_mod *m)
{
	struct cse s = {.m = m};
	for (uint32_t i = 0; i < m->nprogs; i++)
		intern_tree(&s, m->progs[i].expr);
	for (uint32_t i = 0; i < m->nprogs; i++)
		m->progs[i].expr = replace(&s, m->progs[i].expr);
	if (!s.nsub)
		goto out;
	bool *inl = calloc(s.nsub, 1);
	if (!inl)
		abort();
	/* a SUB left with one caller (an inner part of a bigger shared one) is not shared */
	for (;;) {
		memset(s.refs, 0, sizeof(uint32_t) * s.nsub);
		for (uint32_t i = 0; i < m->nprogs; i++)
			count_refs(&s, m->progs[i].expr);
		for (uint32_t k = 0; k < s.nsub; k++)
			if (!inl[k])
				count_refs(&s, s.body[k]);
		bool any = false;
		for (uint32_t k = 0; k < s.nsub; k++)
			if (!inl[k] && s.refs[k] < 2) {
				inl[k] = true;
				any = true;
			}
		if (!any)
			break;
		for (uint32_t i = 0; i < m->nprogs; i++)
			m->progs[i].expr = inline_subs(&s, m->progs[i].expr, inl);
		for (uint32_t k = 0; k < s.nsub; k++)
			if (!inl[k])
				s.body[k] = inline_subs(&s, s.body[k], inl);
	}
	/* call depth within the VM's bound: the deepest SUBs are inlined into their callers */
	for (;;) {
		memset(s.order, 0xff, sizeof(uint32_t) * s.nsub);
		uint32_t next = 0;
		for (uint32_t i = 0; i < m->nprogs; i++)
			number_subs(&s, m->progs[i].expr, &next);
		/* depth in callee-first order */
		uint32_t *byorder = malloc(sizeof(uint32_t) * (next + 1));
		if (!byorder)
			abort();
		for (uint32_t k = 0; k < s.nsub; k++)
			if (s.order[k] != FC_NONE)
				byorder[s.order[k]] = k;
		bool deep = false;
		for (uint32_t o = 0; o < next; o++) {
			uint32_t k = byorder[o];
			s.depth[k] = 1 + call_depth(&s, s.body[k]);
			if (s.depth[k] >= FC_MAX_DEPTH) {
				inl[k] = true;
				deep = true;
			}
		}
		free(byorder);
		if (!deep)
			break;
		for (uint32_t i = 0; i < m->nprogs; i++)
			m->progs[i].expr = inline_subs(&s, m->progs[i].expr, inl);
		for (uint32_t k = 0; k < s.nsub; k++)
			if (!inl[k])
				s.body[k] = inline_subs(&s, s.body[k], inl);
	}
	uint32_t nsub = 0;
	for (uint32_t k = 0; k < s.nsub; k++)
		nsub += s.order[k] != FC_NONE;
	for (uint32_t i = 0; i < m->nprogs; i++)
		renumber(&s, m->progs[i].expr);
	for (uint32_t k = 0; k < s.nsub; k++)
		if (s.order[k] != FC_NONE)
			renumber(&s, s.body[k]);
	/* programs: SUBs first (their index is their number), then the rules */
	struct ir_prog *progs = calloc(nsub + m->nprogs, sizeof(*progs));
	if (!progs)
		abort();
	for (uint32_t k = 0; k < s.nsub; k++) {
		if (s.order[k] == FC_NONE)
			continue;
		struct ir_prog *p = &progs[s.order[k]];
		p->kind = FC_PK_SUB;
		p->rule = FC_NONE;
		p->expr = s.body[k];
		p->loc = s.body[k]->loc;
	}
	for (uint32_t i = 0; i < m->nprogs; i++) {
		progs[nsub + i] = m->progs[i];
		m->rules[m->progs[i].rule].prog = nsub + i;
	}
	free(m->progs);
	m->progs = progs;
	m->nprogs += nsub;
	m->nsubs = nsub;
	free(inl);
out:
	free(s.c);
	free(s.tab);
	free(s.body);
	free(s.refs);
	free(s.order);
	free(s.depth);
}

/* Macro bodies met at several places are kept whole (not flattened into their parents), so
 * CSE can find them after the other passes. */
static void collect_macro_hashes(struct ir_expr *e, uint64_t **v, uint32_t *n, uint32_t *cap)
{
	if (e->macro && e->nkids) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*v = realloc(*v, sizeof(uint64_t) * *cap);
			if (!*v)
				abort();
		}
		(*v)[(*n)++] = e->h;
	}
	for (uint32_t i = 0; i < e->nkids; i++)
		collect_macro_hashes(e->kids[i], v, n, cap);
}

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void mark_keep(struct ir_expr *e, const uint64_t *v, uint32_t n)
{
	if (e->macro && e->nkids) {
		const uint64_t *p = bsearch(&e->h, v, n, sizeof *v, u64cmp);
		if (p && ((p > v && p[-1] == e->h) || (p + 1 < v + n && p[1] == e->h)))
			e->keep = true;
	}
	for (uint32_t i = 0; i < e->nkids; i++)
		mark_keep(e->kids[i], v, n);
}

void ir_opt_tree(struct ir_mod *m)
{
	if (on(m, FC_OPT_CSE)) {
		uint64_t *v = NULL;
		uint32_t n = 0, cap = 0;
		for (uint32_t i = 0; i < m->nprogs; i++) {
			ehash(m->progs[i].expr);
			collect_macro_hashes(m->progs[i].expr, &v, &n, &cap);
		}
		if (n)
			qsort(v, n, sizeof *v, u64cmp);
		for (uint32_t i = 0; i < m->nprogs; i++)
			mark_keep(m->progs[i].expr, v, n);
		free(v);
	}
	bool sets = on(m, FC_OPT_SETS), tries = on(m, FC_OPT_TRIES);
	for (uint32_t i = 0; i < m->nprogs; i++) {
		struct ir_prog *p = &m->progs[i];
		p->expr = simplify(m, p->expr);
		if (sets || tries)
			sets_pass(m, p->expr, sets, tries);
		if (on(m, FC_OPT_EVTYPE))
			p->expr = evtype_pass(m, p->expr);
		if (on(m, FC_OPT_ICASE))
			icase_pass(m, p->expr);
		if (on(m, FC_OPT_REGEX))
			regex_pass(m, p->expr);
		p->expr = oneof_pass(m, p->expr); /* after ICASE, whose folding can make items equal */
		p->expr = simplify(m, p->expr);
		if (sets || tries) { /* flattening may have brought new siblings together */
			sets_pass(m, p->expr, sets, tries);
			p->expr = simplify(m, p->expr);
		}
	}
	if (on(m, FC_OPT_CSE))
		cse_pass(m);
}

/* ---- graph passes ------------------------------------------------------------------------- */

struct fact {
	struct ir_test t;
	bool v;
};

struct facts {
	struct fact *f;
	uint32_t n, cap;
	fc_evtset ev; /* the event's code is in this set */
	bool valid;
};

#define MAX_FACTS 64

static void facts_add(struct facts *s, const struct ir_test *t, bool v)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (same_test(&s->f[i].t, t))
			return;
	if (s->n >= MAX_FACTS)
		return; /* forgetting a fact is always sound */
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->f = realloc(s->f, sizeof(*s->f) * s->cap);
		if (!s->f)
			abort();
	}
	s->f[s->n++] = (struct fact){*t, v};
}

static void facts_copy(struct facts *d, const struct facts *s)
{
	if (d->cap < s->n) {
		d->cap = s->n;
		d->f = realloc(d->f, sizeof(*d->f) * d->cap);
		if (!d->f)
			abort();
	}
	if (s->n)
		memcpy(d->f, s->f, sizeof(*s->f) * s->n);
	d->n = s->n;
	d->ev = s->ev;
	d->valid = true;
}

/* D := D ∩ S (facts true on both paths); event sets unite. */
static void facts_meet(struct facts *d, const struct facts *s)
{
	uint32_t w = 0;
	for (uint32_t i = 0; i < d->n; i++) {
		bool keep = false;
		for (uint32_t j = 0; j < s->n && !keep; j++)
			keep = s->f[j].v == d->f[i].v && same_test(&s->f[j].t, &d->f[i].t);
		if (keep)
			d->f[w++] = d->f[i];
	}
	d->n = w;
	fc_evtset_union(&d->ev, &s->ev);
}

static void facts_learn(const struct ir_mod *m, struct facts *s, const struct ir_test *t, bool v)
{
	facts_add(s, t, v);
	if (t->op == FC_OPC_EVTYPE) {
		fc_evtset x = m->p.evsets[t->k];
		if (!v)
			fc_evtset_complement(&x);
		fc_evtset_intersect(&s->ev, &x);
	}
}

static bool memmem_ci(const char *h, uint32_t hn, const char *n, uint32_t nn)
{
	if (nn > hn)
		return false;
	for (uint32_t i = 0; i + nn <= hn; i++) {
		uint32_t j = 0;
		while (j < nn && tolower((unsigned char)h[i + j]) == (unsigned char)n[j])
			j++;
		if (j == nn)
			return true;
	}
	return false;
}

/* T on the string value V: 1/0, or -1 when not computable here. */
static int eval_str(const struct ir_mod *m, const struct ir_test *t, const char *v, uint32_t vn)
{
	uint32_t kn;
	const char *k;
	switch (t->op) {
	case FC_OPC_EQ_S:
	case FC_OPC_NE_S:
		k = ir_strp(&m->p, t->k, &kn);
		return (kn == vn && !memcmp(k, v, vn)) == (t->op == FC_OPC_EQ_S);
	case FC_OPC_CONTAINS:
		k = ir_strp(&m->p, t->k, &kn);
		return kn == 0 || (vn >= kn && memmem(v, vn, k, kn) != NULL);
	case FC_OPC_ICONTAINS:
		k = ir_strp(&m->p, t->k, &kn);
		return memmem_ci(v, vn, k, kn);
	case FC_OPC_STARTSWITH:
		k = ir_strp(&m->p, t->k, &kn);
		return kn <= vn && !memcmp(v, k, kn);
	case FC_OPC_ENDSWITH:
		k = ir_strp(&m->p, t->k, &kn);
		return kn <= vn && !memcmp(v + vn - kn, k, kn);
	case FC_OPC_GLOB:
	case FC_OPC_IGLOB:
		k = ir_strp(&m->p, t->k, &kn);
		if (memchr(v, 0, vn) || memchr(k, 0, kn))
			return -1;
		return fnmatch(k, v, t->op == FC_OPC_IGLOB ? FNM_CASEFOLD : 0) == 0;
	case FC_OPC_IN_S:
	case FC_OPC_PREFIX_S: {
		const struct ir_list *l = &m->p.lists[t->k];
		for (uint32_t i = 0; i < l->n; i++) {
			k = ir_strp(&m->p, m->p.items[l->first + i], &kn);
			if (t->op == FC_OPC_IN_S ? kn == vn && !memcmp(k, v, vn) : kn <= vn && !memcmp(v, k, kn))
				return 1;
		}
		return 0;
	}
	default:
		return -1;
	}
}

static int eval_num(const struct ir_mod *m, const struct ir_test *t, uint64_t v)
{
	uint64_t c = t->op == FC_OPC_IN_N ? 0 : m->p.consts[t->k];
	int64_t sv = (int64_t)v, sc = (int64_t)c;
	switch (t->op) {
	case FC_OPC_EQ_N: return v == c;
	case FC_OPC_NE_N: return v != c;
	case FC_OPC_LT_I: return sv < sc;
	case FC_OPC_LE_I: return sv <= sc;
	case FC_OPC_GT_I: return sv > sc;
	case FC_OPC_GE_I: return sv >= sc;
	case FC_OPC_LT_U: return v < c;
	case FC_OPC_LE_U: return v <= c;
	case FC_OPC_GT_U: return v > c;
	case FC_OPC_GE_U: return v >= c;
	case FC_OPC_IN_N: {
		const struct ir_list *l = &m->p.lists[t->k];
		for (uint32_t i = 0; i < l->n; i++)
			if (m->p.consts[m->p.items[l->first + i]] == v)
				return 1;
		return 0;
	}
	default:
		return -1;
	}
}

/* The values a test being true pins the slot to (EQ/IN on strings or numbers): a pointer to
 * N ids (sids or const ids) and whether they are numbers. False when T pins nothing. */
static bool pinned(const struct ir_mod *m, const struct ir_test *t, const uint32_t **ids, uint32_t *n, bool *num)
{
	switch (t->op) {
	case FC_OPC_EQ_S: case FC_OPC_EQ_N:
		*ids = &t->k;
		*n = 1;
		*num = t->op == FC_OPC_EQ_N;
		return true;
	case FC_OPC_IN_S: case FC_OPC_IN_N:
		*ids = m->p.items + m->p.lists[t->k].first;
		*n = m->p.lists[t->k].n;
		*num = t->op == FC_OPC_IN_N;
		return *n <= 64;
	default:
		return false;
	}
}

/* U on every value of the set (IDS): 1 / 0 when unanimous, else -1. */
static int eval_over(const struct ir_mod *m, const struct ir_test *u, const uint32_t *ids, uint32_t n, bool num)
{
	int r = -1;
	for (uint32_t i = 0; i < n; i++) {
		int x;
		if (num) {
			x = eval_num(m, u, m->p.consts[ids[i]]);
		} else {
			uint32_t vn;
			const char *v = ir_strp(&m->p, ids[i], &vn);
			x = eval_str(m, u, v, vn);
		}
		if (x < 0 || (i && x != r))
			return -1;
		r = x;
	}
	return r;
}

static bool opposite(uint8_t a, uint8_t b)
{
	return (a == FC_OPC_EQ_S && b == FC_OPC_NE_S) || (a == FC_OPC_NE_S && b == FC_OPC_EQ_S) ||
	       (a == FC_OPC_EQ_N && b == FC_OPC_NE_N) || (a == FC_OPC_NE_N && b == FC_OPC_EQ_N) ||
	       (a == FC_OPC_EQ_IP && b == FC_OPC_NE_IP) || (a == FC_OPC_NE_IP && b == FC_OPC_EQ_IP) ||
	       (a == FC_OPC_EQ_D && b == FC_OPC_NE_D) || (a == FC_OPC_NE_D && b == FC_OPC_EQ_D);
}

/* Whether SLOT has a value, as far as the facts S tell: 1, 0, or -1. A true test other than
 * EXISTS implies a value (on both sides of a field comparison). */
static int present_of(const struct facts *s, uint32_t slot)
{
	int r = -1;
	for (uint32_t i = 0; i < s->n; i++) {
		const struct fact *f = &s->f[i];
		if (!has_slot(f->t.op))
			continue;
		if (f->t.slot == slot) {
			if (f->t.op == FC_OPC_EXISTS)
				return f->v;
			if (f->v)
				r = 1;
		} else if (f->t.op == FC_OPC_FCMP && f->v && f->t.k == slot) {
			r = 1;
		}
	}
	return r;
}

/* T's outcome given the facts S: 1, 0, or -1 when undecided. */
static int decide(const struct ir_mod *m, const struct ir_test *t, const struct facts *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (same_test(&s->f[i].t, t))
			return s->f[i].v;
	if (t->op == FC_OPC_EVTYPE) {
		fc_evtset x = s->ev;
		fc_evtset_intersect(&x, &m->p.evsets[t->k]);
		if (fc_evtset_empty(&x))
			return 0;
		if (!memcmp(&x, &s->ev, sizeof x))
			return 1;
		return -1;
	}
	if (!has_slot(t->op))
		return -1;
	uint32_t slot = t->slot;
	uint8_t sfl = m->p.slots[slot].sflags;
	bool scalar = !(sfl & (FC_SLF_ANCESTORS | FC_SLF_LIST));
	int present = present_of(s, slot), rpresent = t->op == FC_OPC_FCMP ? present_of(s, t->k) : -1;
	if (t->op == FC_OPC_EXISTS)
		return present;
	if (present == 0 || rpresent == 0)
		return 0; /* a missing value makes every other test false */
	if ((sfl & FC_SLF_LIST) || t->op == FC_OPC_FCMP)
		return -1;
	const uint32_t *ids;
	uint32_t n;
	bool num;
	for (uint32_t i = 0; i < s->n; i++) {
		const struct fact *f = &s->f[i];
		if (!has_slot(f->t.op) || f->t.slot != slot || f->t.op == FC_OPC_FCMP)
			continue;
		/* scalar value pinned by a true fact: evaluate T on it */
		if (scalar && f->v && pinned(m, &f->t, &ids, &n, &num)) {
			int r = eval_over(m, t, ids, n, num);
			if (r >= 0)
				return r;
		}
		/* T true would make a false fact true (any-element semantics keeps this valid) */
		if (!f->v && pinned(m, t, &ids, &n, &num) && eval_over(m, &f->t, ids, n, num) == 1)
			return 0;
		if (scalar && f->t.k == t->k && opposite(f->t.op, t->op)) {
			if (f->v)
				return 0;
			if (present == 1)
				return 1;
		}
	}
	return -1;
}

/* Blocks reachable from the entry in reverse postorder (true side first). */
static uint32_t topo(const struct ir_prog *p, uint32_t *order, uint8_t *mark)
{
	uint32_t n = 0;
	memset(mark, 0, p->nb);
	if (IR_IS_RET(p->entry))
		return 0;
	/* iterative DFS: stack of (block, next successor index) */
	uint32_t *stk = malloc(sizeof(uint32_t) * 2 * (p->nb + 1)), sp = 0;
	if (!stk)
		abort();
	uint32_t *post = malloc(sizeof(uint32_t) * (p->nb + 1));
	if (!post)
		abort();
	stk[sp++] = p->entry;
	stk[sp++] = 0;
	mark[p->entry] = 1;
	while (sp) {
		uint32_t b = stk[sp - 2], *st = &stk[sp - 1];
		if (*st < 2) {
			uint32_t s = *st == 0 ? p->b[b].jt : p->b[b].jf;
			(*st)++;
			if (!IR_IS_RET(s) && !mark[s]) {
				mark[s] = 1;
				stk[sp++] = s;
				stk[sp++] = 0;
			}
			continue;
		}
		post[n++] = b;
		sp -= 2;
	}
	for (uint32_t i = 0; i < n; i++)
		order[i] = post[n - 1 - i];
	free(stk);
	free(post);
	return n;
}

static bool graph_fold(struct ir_mod *m, struct ir_prog *p)
{
	if (IR_IS_RET(p->entry) || !p->nb)
		return false;
	uint32_t *order = malloc(sizeof(uint32_t) * p->nb);
	uint8_t *mark = malloc(p->nb);
	struct facts *in = calloc(p->nb, sizeof(*in));
	if (!order || !mark || !in)
		abort();
	uint32_t n = topo(p, order, mark);
	in[p->entry].valid = true;
	fc_evtset_fill(&in[p->entry].ev);
	bool changed = false;
	struct facts e = {0};
	for (uint32_t oi = 0; oi < n; oi++) {
		uint32_t b = order[oi];
		if (!in[b].valid)
			continue; /* no longer reached */
		for (int o = 1; o >= 0; o--) {
			uint32_t *succ = o ? &p->b[b].jt : &p->b[b].jf;
			facts_copy(&e, &in[b]);
			facts_learn(m, &e, &p->b[b].t, o);
			uint32_t s = *succ;
			while (!IR_IS_RET(s)) {
				int d = decide(m, &p->b[s].t, &e);
				if (d < 0)
					break;
				facts_learn(m, &e, &p->b[s].t, d);
				s = d ? p->b[s].jt : p->b[s].jf;
			}
			if (s != *succ) {
				*succ = s;
				changed = true;
			}
			if (!IR_IS_RET(s)) {
				if (!in[s].valid)
					facts_copy(&in[s], &e);
				else
					facts_meet(&in[s], &e);
			}
		}
	}
	free(e.f);
	for (uint32_t i = 0; i < p->nb; i++)
		free(in[i].f);
	free(in);
	free(order);
	free(mark);
	return changed;
}

static uint32_t bypass(const struct ir_prog *p, uint32_t s)
{
	uint32_t guard = p->nb + 1;
	while (!IR_IS_RET(s) && p->b[s].jt == p->b[s].jf && guard--)
		s = p->b[s].jt;
	return s;
}

static bool graph_dead(struct ir_prog *p)
{
	bool changed = false;
	if (!p->nb)
		return false;
	/* blocks whose two successors agree decide nothing */
	for (uint32_t i = 0; i < p->nb; i++) {
		uint32_t t = bypass(p, p->b[i].jt), f = bypass(p, p->b[i].jf);
		changed |= t != p->b[i].jt || f != p->b[i].jf;
		p->b[i].jt = t;
		p->b[i].jf = f;
	}
	uint32_t e = bypass(p, p->entry);
	changed |= e != p->entry;
	p->entry = e;
	/* identical blocks (same test, same successors) merge, successors first */
	uint32_t *order = malloc(sizeof(uint32_t) * p->nb), *canon = malloc(sizeof(uint32_t) * p->nb);
	uint8_t *mark = malloc(p->nb);
	if (!order || !mark || !canon)
		abort();
	uint32_t n = topo(p, order, mark);
	uint32_t tcap = 16;
	while (tcap < n * 2 + 2)
		tcap *= 2;
	uint32_t *tab = malloc(sizeof(uint32_t) * tcap);
	if (!tab)
		abort();
	memset(tab, 0xff, sizeof(uint32_t) * tcap);
	for (uint32_t i = 0; i < p->nb; i++)
		canon[i] = i;
	for (uint32_t oi = n; oi-- > 0;) {
		uint32_t b = order[oi];
		struct ir_block *k = &p->b[b];
		if (!IR_IS_RET(k->jt))
			k->jt = canon[k->jt];
		if (!IR_IS_RET(k->jf))
			k->jf = canon[k->jf];
		uint64_t h = hmix(hmix(hmix(hmix(hmix(hmix(1, k->t.op), k->t.aux), k->t.slot), k->t.k), k->jt), k->jf);
		uint32_t j = (uint32_t)h & (tcap - 1);
		for (;; j = (j + 1) & (tcap - 1)) {
			if (tab[j] == FC_NONE) {
				tab[j] = b;
				break;
			}
			const struct ir_block *o = &p->b[tab[j]];
			if (same_test(&o->t, &k->t) && o->jt == k->jt && o->jf == k->jf) {
				canon[b] = tab[j];
				changed = true;
				break;
			}
		}
	}
	if (!IR_IS_RET(p->entry))
		p->entry = canon[p->entry];
	free(tab);
	free(canon);
	/* unreachable blocks go; the others keep their relative order */
	n = topo(p, order, mark);
	if (n != p->nb) {
		uint32_t *idx = malloc(sizeof(uint32_t) * p->nb), w = 0;
		if (!idx)
			abort();
		for (uint32_t i = 0; i < p->nb; i++)
			idx[i] = mark[i] ? w++ : FC_NONE;
		for (uint32_t i = 0; i < p->nb; i++) {
			if (!mark[i])
				continue;
			struct ir_block k = p->b[i];
			if (!IR_IS_RET(k.jt))
				k.jt = idx[k.jt];
			if (!IR_IS_RET(k.jf))
				k.jf = idx[k.jf];
			p->b[idx[i]] = k;
		}
		if (!IR_IS_RET(p->entry))
			p->entry = idx[p->entry];
		p->nb = w;
		free(idx);
		changed = true;
	}
	free(order);
	free(mark);
	return changed;
}

void ir_opt_graph(struct ir_mod *m)
{
	for (uint32_t i = 0; i < m->nprogs; i++) {
		struct ir_prog *p = &m->progs[i];
		for (int round = 0; round < 32; round++) {
			bool changed = false;
			if (on(m, FC_OPT_FOLD))
				changed |= graph_fold(m, p);
			if (on(m, FC_OPT_DEAD))
				changed |= graph_dead(p);
			if (!changed)
				break;
		}
		ir_order_blocks(p);
	}
}
