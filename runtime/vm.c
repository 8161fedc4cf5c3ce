/* vm.c — the rule VM: runs a verified bundle's programs over events (vm.h).
 *
 * Dispatch is computed goto under GCC/Clang (a switch otherwise, or with -DFC_VM_SWITCH), over
 * the native instructions of bundle_int.h: operands are resolved and jumps absolute, and the
 * verifier has checked every index, so no instruction checks anything but its value.
 *
 * Per event (fc_vm_begin): a generation counter is bumped, which invalidates at once the slot
 * cache, the SUB memo and the transformer scratch area. A slot's value is fetched on first use
 * (one extractor call per distinct field spec per event: slots with equal specs share a cache
 * entry, bundle.c); a transformer slot is computed from its argument slots into the scratch
 * area, fixed at creation (a result that does not fit is missing and counted). Nothing is
 * allocated per event. A field slot calls the extract function bound for it on first use with
 * an extractor (value.h fc_extract_bind_of: the state engine's proc.name is a few loads), kept
 * in the slot's record next to its cached value and generation.
 *
 * A rule that is one comparison between two RETs (proc.name = x, fd.name startswith /etc) is
 * tested in place by fc_vm_run and fc_vm_eval_rule, without entering the interpreter; that,
 * the bound extract function and the generation counter are the whole per-evaluation cost.
 *
 * Semantics (opcodes.def, value.h, LANGUAGE.md §4): a missing value makes every test false
 * except EXISTS; a LIST value makes a test true when it holds for some element, except EXISTS,
 * LIST_IN (every element in the set) and LIST_ISECT (some element in the set); numbers compare
 * with the opcode's signedness; IP tests compare within one family (a different family is
 * unequal: EQ false, NE true, as upstream); SMOD counts the list items the base operator
 * matches (anyof >= 1, allof all, oneof exactly 1, a weighted item counting its weight); FCMP
 * compares two slots by value kind; strings order as strcmp does (up to the first NUL). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle_int.h"
#include "vm.h"

struct fc_vm {
	const struct fc_bundle *b;
	uint64_t gen;
	/* per slot, together (one line for the test, the cache check and the fetch) */
	struct vslot {
		uint64_t gen;       /* generation of the cached value */
		struct fc_val val;  /* the value, when gen is current */
		fc_extract_fn fn;   /* field slots: the bound extract function, NULL = not bound yet */
		const struct fc_fieldspec *spec; /* field slots: the bundle's spec */
	} *vs;
	uint64_t *mgen;     /* per program: generation of the memoised SUB result */
	uint8_t *memo;
	bool *enabled;
	/* parallel to the bundle's index (code → rules): where each rule starts for that code */
	struct entry *entries;
	/* per rule, for fc_vm_eval_rule: its program from the start (no code folded in) */
	struct entry *rentries;
	/* per program: the event codes for which some path can reach `ret 1` (EVTYPE tests
	 * followed, SUBs by their own set, every other test either way). A SUB or rule whose set
	 * lacks the current code is false without running: e.g. the rename, unlink and symlink
	 * macros of a rule indexed under openat too. */
	fc_evtset *may_true; /* apply to evtype < FC_EVENT_MAX only */
	/* SUB calls run on this stack inside one interpreter loop (no C recursion) */
	struct frame {
		const struct fc_ninsn *at; /* the SUB instruction */
		uint32_t q;
	} *stack;
	uint16_t evtype;
	struct fc_extractor x;
	/* vs[].fn are bound for this extract function (value.h fc_extract_bind_of), cleared when
	 * another extractor comes */
	fc_extract_fn xkey_extract;
	fc_extract_bind_fn xbind; /* fc_extract_bind_of(xkey_extract) */
	struct fc_xscratch scratch;
	const struct fc_val **argv; /* transformer argument pointers (max arguments of any slot) */
	pcre2_match_data *md;
	struct fc_vm_stats st;
	bool profile;
	uint64_t *prof_ns, *prof_evals; /* per rule (fc_vm_set_profile) */
};

static const struct fc_val none_val = {.kind = FC_V_NONE};

static inline bool xf_multi(unsigned xf)
{
	static const bool multi[FC_BXF_MAX_] = {
#define XF(id, name, mina, maxa, m) [FC_BXF_##id] = m,
#include "transformers.def"
#undef XF
	};
	return multi[xf];
}

/* ---- slot values ---- */

static const struct fc_val *slot_fetch(struct fc_vm *vm, uint32_t s);

static inline const struct fc_val *slot_val(struct fc_vm *vm, uint32_t s)
{
	return vm->vs[s].gen == vm->gen ? &vm->vs[s].val : slot_fetch(vm, s);
}

static void compute_xf(struct fc_vm *vm, const struct fc_nslot *sl, struct fc_val *out)
{
	const struct fc_bundle *b = vm->b;
	out->kind = FC_V_NONE;
	if (!xf_multi(sl->xf)) {
		const struct fc_val *a = slot_val(vm, b->slots[sl->args[0]].canon);
		if (a->kind != FC_V_NONE && !fc_xf_unary(sl->xf, a, out, &vm->scratch))
			out->kind = FC_V_NONE;
		return;
	}
	/* compute the argument slots first: one of them may be a multi-argument transformer that
	 * uses vm->argv itself; once computed, their cache entries stay put for the event */
	for (uint32_t i = 0; i < sl->nargs; i++)
		if (!(sl->args[i] & FC_ARG_STR) && slot_val(vm, b->slots[sl->args[i]].canon)->kind == FC_V_NONE)
			return;
	for (uint32_t i = 0; i < sl->nargs; i++) {
		uint32_t a = sl->args[i];
		vm->argv[i] = a & FC_ARG_STR ? &sl->cargs[i] : &vm->vs[b->slots[a].canon].val;
	}
	bool ok;
	switch (sl->xf) {
	case FC_BXF_CONCAT:
		ok = fc_xf_concat(vm->argv, sl->nargs, out, &vm->scratch);
		break;
	case FC_BXF_JOIN:
		ok = fc_xf_join(vm->argv[0], vm->argv + 1, sl->nargs - 1, out, &vm->scratch);
		break;
	default: { /* GETOPT */
		struct fc_optinfo tmp;
		const struct fc_optinfo *o = sl->opt;
		if (!o) {
			const struct fc_val *os = vm->argv[1];
			if (os->kind != FC_V_STR && os->kind != FC_V_BUF)
				return;
			fc_optinfo_parse(&tmp, os->s, os->len);
			o = &tmp;
		}
		ok = fc_xf_getopt(vm->argv[0], o, sl->sel, out, &vm->scratch);
		break;
	}
	}
	if (!ok)
		out->kind = FC_V_NONE;
}

/* Transformer slots, out of slot_fetch so that the field path keeps a small frame. */
static __attribute__((noinline)) void slot_xf(struct fc_vm *vm, const struct fc_nslot *sl, struct fc_val *out)
{
	compute_xf(vm, sl, out);
}

/* The extract function of slot S for the current extractor: its bound one, else extract. */
static __attribute__((noinline)) fc_extract_fn slot_bind(struct fc_vm *vm, uint32_t s)
{
	fc_extract_fn fn = vm->xbind ? vm->xbind(&vm->b->slots[s].spec) : NULL;
	return vm->vs[s].fn = fn ? fn : vm->x.extract;
}

/* Field slot E's value by its extract function FN, marked current: a failed extraction, an
 * empty list or an unknown kind is missing. Shared by slot_fetch and leaf_rule's in-line fetch. */
static inline __attribute__((always_inline)) const struct fc_val *field_call(struct fc_vm *vm, struct vslot *e,
									    fc_extract_fn fn)
{
	struct fc_val *out = &e->val;
	out->kind = FC_V_NONE;
	vm->st.extractions++;
	bool ok = fn(vm->x.ctx, e->spec, out);
	/* kind alone first: a load of kind and len together (what the compiler makes of the
	 * combined test) right after the extractor's narrower stores cannot be store-forwarded
	 * and stalls; this was a fifth of the VM's time on the mix */
	uint8_t k = out->kind;
	if (!ok || (__builtin_expect(k >= FC_V_LIST, 0) && (k > FC_V_LIST || !out->len)))
		out->kind = FC_V_NONE;
	e->gen = vm->gen;
	return out;
}

static __attribute__((noinline)) const struct fc_val *slot_fetch(struct fc_vm *vm, uint32_t s)
{
	const struct fc_nslot *sl = &vm->b->slots[s];
	struct vslot *e = &vm->vs[s];
	if (sl->kind == FC_SK_FIELD && vm->x.extract) {
		fc_extract_fn fn = e->fn;
		if (__builtin_expect(!fn, 0))
			fn = slot_bind(vm, s);
		return field_call(vm, e, fn);
	}
	e->val.kind = FC_V_NONE; /* a field without extractor: missing */
	if (sl->kind != FC_SK_FIELD)
		slot_xf(vm, sl, &e->val);
	e->gen = vm->gen;
	return &e->val;
}

/* ---- leaf tests on one scalar value ---- */

static inline bool is_text(const struct fc_val *v)
{
	return v->kind == FC_V_STR || v->kind == FC_V_BUF;
}

static inline bool is_int(const struct fc_val *v)
{
	return v->kind == FC_V_U64 || v->kind == FC_V_I64;
}

static inline uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Case-insensitive substring; N is already lowercase. */
static bool icontains(const char *h, size_t hl, const char *n, size_t nl)
{
	if (!nl)
		return true;
	if (nl > hl)
		return false;
	uint8_t f = (uint8_t)n[0], F = f >= 'a' && f <= 'z' ? (uint8_t)(f - 32) : f;
	for (size_t i = 0; i + nl <= hl; i++) {
		uint8_t c = (uint8_t)h[i];
		if (c != f && c != F)
			continue;
		size_t j = 1;
		while (j < nl && lower((uint8_t)h[i + j]) == (uint8_t)n[j])
			j++;
		if (j == nl)
			return true;
	}
	return false;
}

/* The string test of EQ_S: kind, then the length, then the bytes. */
static inline bool str_eq(const struct fc_val *v, const struct fc_ninsn *in)
{
	return (v->kind == FC_V_STR || v->kind == FC_V_BUF) && v->len == in->klen && fc_bytes_eq(v->s, in->k.p, in->klen);
}

static inline bool startswith(const struct fc_val *v, const char *k, size_t kl)
{
	return v->len >= kl && fc_bytes_eq(v->s, k, kl);
}

static inline bool endswith(const struct fc_val *v, const char *k, size_t kl)
{
	return !kl || (v->len >= kl && fc_bytes_eq(v->s + v->len - kl, k, kl));
}

static inline bool contains(const struct fc_val *v, const char *k, size_t kl)
{
	return !kl || fc_memmem(v->s, v->len, k, kl);
}

static bool regex_match(struct fc_vm *vm, const struct fc_regex *re, const char *s, size_t len)
{
	if (re->lit && !fc_memmem(s, len, re->lit, re->litlen))
		return false;
	if (!s)
		s = ""; /* PCRE2 refuses a NULL subject even with length 0 */
	return pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, vm->md, NULL) >= 0;
}

static inline bool ip6_in(const uint8_t *a, const struct fc_ipnet *n)
{
	unsigned full = n->plen / 8, rest = n->plen % 8;
	if (fc_memcmp0(a, n->a, full))
		return false;
	if (!rest)
		return true;
	uint8_t m = (uint8_t)(0xffu << (8 - rest));
	return (a[full] & m) == (n->a[full] & m);
}

static inline bool net_has(const struct fc_ipnet *n, const struct fc_val *v)
{
	if (n->fam == 4)
		return v->kind == FC_V_IPV4 && ((uint32_t)v->u & n->v4mask) == n->v4net;
	return v->kind == FC_V_IPV6 && v->len == 16 && ip6_in((const uint8_t *)v->s, n);
}

static bool iplist_has(const struct fc_iplist *l, const struct fc_val *v)
{
	if (v->kind == FC_V_IPV4) {
		if (l->v4 && fc_numset_has(l->v4, (uint32_t)v->u))
			return true;
	} else if (v->kind == FC_V_IPV6 && v->len == 16) {
		if (l->v6 && fc_strset_has(l->v6, v->s, 16))
			return true;
	} else {
		return false;
	}
	for (uint32_t i = 0; i < l->nnet; i++)
		if (net_has(&l->net[i], v))
			return true;
	return false;
}

/* 1 = equal family and address, 0 = same family and different, -1 = different families. */
static inline int ip_eq(const struct fc_val *v, const struct fc_ninsn *in)
{
	if (in->klen == 4)
		return v->kind == FC_V_IPV4 ? (uint32_t)v->u == (uint32_t)in->k.u : -1;
	return v->kind == FC_V_IPV6 && v->len == 16 ? !fc_memcmp0(v->s, in->k.p, 16) : -1;
}

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
	int c = fc_memcmp0(a, b, al < bl ? al : bl);
	return c ? (c < 0 ? -1 : 1) : (al > bl) - (al < bl);
}

/* strcmp(3) order (LANGUAGE.md §4: string ordering is strcmp): each side ends at its first NUL. */
static int cmp_strz(const char *a, size_t al, const char *b, size_t bl)
{
	const char *z = fc_memchr0(a, 0, al), *y = fc_memchr0(b, 0, bl);
	return cmp_bytes(a, z ? (size_t)(z - a) : al, b, y ? (size_t)(y - b) : bl);
}

static bool order(unsigned base, int c);

/* One base string operator (SMOD, FCMP) of value V against K. G: compiled glob for GLOB/IGLOB. */
static bool base_str(struct fc_vm *vm, unsigned base, const struct fc_val *v, const char *k, size_t kl,
		     const struct fc_glob *g, const struct fc_regex *re)
{
	switch (base) {
	case FC_BOP_EQ: return v->len == kl && !fc_memcmp0(v->s, k, kl);
	case FC_BOP_NE: return !(v->len == kl && !fc_memcmp0(v->s, k, kl));
	case FC_BOP_LT: case FC_BOP_LE: case FC_BOP_GT: case FC_BOP_GE: return order(base, cmp_strz(v->s, v->len, k, kl));
	case FC_BOP_CONTAINS: return contains(v, k, kl);
	case FC_BOP_ICONTAINS: return icontains(v->s, v->len, k, kl);
	case FC_BOP_STARTSWITH: return startswith(v, k, kl);
	case FC_BOP_ENDSWITH: return endswith(v, k, kl);
	case FC_BOP_GLOB:
	case FC_BOP_IGLOB: return fc_glob_match(g, v->s, v->len);
	case FC_BOP_REGEX: return regex_match(vm, re, v->s, v->len);
	default: return false;
	}
}

static bool t_smod(struct fc_vm *vm, const struct fc_ninsn *in, const struct fc_val *v)
{
	if (!is_text(v))
		return false;
	const struct fc_smod *sm = in->k.p;
	unsigned mod = in->aux >> FC_MOD_SHIFT;
	uint32_t hits = 0;
	for (uint32_t i = 0; i < sm->n; i++) {
		bool r = base_str(vm, sm->base, v, sm->s[i], sm->len[i], sm->glob ? sm->glob[i] : NULL,
				  sm->re ? &sm->re[i] : NULL);
		if (mod == FC_MODBITS_ANYOF && r)
			return true;
		if (mod == FC_MODBITS_ALLOF && !r)
			return false;
		if (r && (hits += sm->w ? sm->w[i] : 1u) > 1 && mod >= FC_MODBITS_ONEOF)
			return false; /* oneof, or oneof over weighted items (FC_MODBITS_ONEOFW) */
	}
	return mod == FC_MODBITS_ALLOF ? true : hits == 1 && mod >= FC_MODBITS_ONEOF;
}

/* Three-way numeric comparison by value kinds (exact for mixed signedness); 2 = unordered. */
static int cmp_num(const struct fc_val *a, const struct fc_val *b)
{
	if (a->kind == FC_V_DBL || b->kind == FC_V_DBL) {
		double x = a->kind == FC_V_DBL ? a->d : a->kind == FC_V_I64 ? (double)a->i : (double)a->u;
		double y = b->kind == FC_V_DBL ? b->d : b->kind == FC_V_I64 ? (double)b->i : (double)b->u;
		return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
	}
	if (a->kind == FC_V_I64 && b->kind == FC_V_I64)
		return (a->i > b->i) - (a->i < b->i);
	if (a->kind == FC_V_U64 && b->kind == FC_V_U64)
		return (a->u > b->u) - (a->u < b->u);
	if (a->kind == FC_V_I64) /* I64 vs U64 */
		return a->i < 0 ? -1 : ((uint64_t)a->i > b->u) - ((uint64_t)a->i < b->u);
	return b->i < 0 ? 1 : (a->u > (uint64_t)b->i) - (a->u < (uint64_t)b->i);
}

static bool order(unsigned base, int c)
{
	switch (base) {
	case FC_BOP_EQ: return c == 0;
	case FC_BOP_NE: return c != 0;
	case FC_BOP_LT: return c == -1;
	case FC_BOP_LE: return c == -1 || c == 0;
	case FC_BOP_GT: return c == 1;
	case FC_BOP_GE: return c == 1 || c == 0;
	default: return false;
	}
}

static bool fcmp_scalar(struct fc_vm *vm, unsigned base, const struct fc_val *a, const struct fc_val *b)
{
	if (is_text(a) && is_text(b)) {
		if (base <= FC_BOP_NE)
			return order(base, cmp_bytes(a->s, a->len, b->s, b->len));
		if (base <= FC_BOP_GE)
			return order(base, cmp_strz(a->s, a->len, b->s, b->len));
		if (base == FC_BOP_ICONTAINS) {
			/* both sides folded: the right one into the scratch area, released after */
			size_t mark = vm->scratch.used;
			char *k = fc_xscratch_alloc(&vm->scratch, b->len + 1);
			if (!k)
				return false;
			for (uint32_t i = 0; i < b->len; i++)
				k[i] = (char)lower((uint8_t)b->s[i]);
			bool r = icontains(a->s, a->len, k, b->len);
			vm->scratch.used = mark;
			return r;
		}
		if (base == FC_BOP_GLOB || base == FC_BOP_IGLOB) {
			size_t mark = vm->scratch.used;
			void *m = fc_xscratch_alloc(&vm->scratch, fc_glob_size(b->len));
			if (!m)
				return false;
			bool r = fc_glob_match(fc_glob_compile(m, b->s, b->len, base == FC_BOP_IGLOB), a->s, a->len);
			vm->scratch.used = mark;
			return r;
		}
		return base_str(vm, base, a, b->s, b->len, NULL, NULL);
	}
	if ((is_int(a) || a->kind == FC_V_DBL) && (is_int(b) || b->kind == FC_V_DBL))
		return order(base, cmp_num(a, b));
	if ((a->kind == FC_V_IPV4 || a->kind == FC_V_IPV6) && (b->kind == FC_V_IPV4 || b->kind == FC_V_IPV6)) {
		if (base != FC_BOP_EQ && base != FC_BOP_NE)
			return false;
		if (a->kind != b->kind || (a->kind == FC_V_IPV6 && (a->len != 16 || b->len != 16)))
			return base == FC_BOP_NE;
		bool eq = a->kind == FC_V_IPV4 ? (uint32_t)a->u == (uint32_t)b->u : !fc_memcmp0(a->s, b->s, 16);
		return eq == (base == FC_BOP_EQ);
	}
	return false;
}

static bool t_fcmp(struct fc_vm *vm, const struct fc_ninsn *in, const struct fc_val *v)
{
	const struct fc_val *w = slot_val(vm, (uint32_t)in->k.u);
	if (w->kind == FC_V_NONE)
		return false;
	if (w->kind == FC_V_LIST) {
		for (uint32_t i = 0; i < w->len; i++)
			if (fcmp_scalar(vm, in->aux, v, &w->items[i]))
				return true;
		return false;
	}
	return fcmp_scalar(vm, in->aux, v, w);
}

static bool t_list(const struct fc_ninsn *in, const struct fc_val *v, bool every)
{
	const struct fc_strset *set = in->k.p;
	if (v->kind != FC_V_LIST)
		return is_text(v) && fc_strset_has(set, v->s, v->len);
	for (uint32_t i = 0; i < v->len; i++) {
		const struct fc_val *e = &v->items[i];
		bool in_set = is_text(e) && fc_strset_has(set, e->s, e->len);
		if (in_set != every)
			return !every;
	}
	return every;
}

/* Every test on one non-LIST value (the any-element rule applies it to each element). */
static bool test_scalar(struct fc_vm *vm, const struct fc_ninsn *in, const struct fc_val *v)
{
	switch (in->op) {
	case FC_OPC_EXISTS: return v->kind != FC_V_NONE;
	case FC_OPC_EQ_N: return is_int(v) && v->u == in->k.u;
	case FC_OPC_NE_N: return is_int(v) && v->u != in->k.u;
	case FC_OPC_LT_I: return is_int(v) && v->i < in->k.i;
	case FC_OPC_LE_I: return is_int(v) && v->i <= in->k.i;
	case FC_OPC_GT_I: return is_int(v) && v->i > in->k.i;
	case FC_OPC_GE_I: return is_int(v) && v->i >= in->k.i;
	case FC_OPC_LT_U: return is_int(v) && v->u < in->k.u;
	case FC_OPC_LE_U: return is_int(v) && v->u <= in->k.u;
	case FC_OPC_GT_U: return is_int(v) && v->u > in->k.u;
	case FC_OPC_GE_U: return is_int(v) && v->u >= in->k.u;
	case FC_OPC_EQ_D: case FC_OPC_NE_D: case FC_OPC_LT_D: case FC_OPC_LE_D: case FC_OPC_GT_D: case FC_OPC_GE_D: {
		if (!is_int(v) && v->kind != FC_V_DBL)
			return false;
		double x = v->kind == FC_V_DBL ? v->d : v->kind == FC_V_I64 ? (double)v->i : (double)v->u, k = in->k.d;
		switch (in->op) {
		case FC_OPC_EQ_D: return x == k;
		case FC_OPC_NE_D: return x != k;
		case FC_OPC_LT_D: return x < k;
		case FC_OPC_LE_D: return x <= k;
		case FC_OPC_GT_D: return x > k;
		default: return x >= k;
		}
	}
	case FC_OPC_EQ_S: return str_eq(v, in);
	case FC_OPC_NE_S: return is_text(v) && !str_eq(v, in);
	case FC_OPC_CONTAINS: return is_text(v) && contains(v, in->k.p, in->klen);
	case FC_OPC_ICONTAINS: return is_text(v) && icontains(v->s, v->len, in->k.p, in->klen);
	case FC_OPC_STARTSWITH: return is_text(v) && startswith(v, in->k.p, in->klen);
	case FC_OPC_ENDSWITH: return is_text(v) && endswith(v, in->k.p, in->klen);
	case FC_OPC_GLOB: case FC_OPC_IGLOB: return is_text(v) && fc_glob_match(in->k.p, v->s, v->len);
	case FC_OPC_REGEX: return is_text(v) && regex_match(vm, in->k.p, v->s, v->len);
	case FC_OPC_IN_N: return is_int(v) && fc_numset_has(in->k.p, v->u);
	case FC_OPC_IN_S: return is_text(v) && fc_strset_has(in->k.p, v->s, v->len);
	case FC_OPC_PREFIX_S: return is_text(v) && fc_prefixset_has(in->k.p, v->s, v->len);
	case FC_OPC_PMATCH: return is_text(v) && fc_pmatch_has(in->k.p, v->s, v->len);
	case FC_OPC_EQ_IP: return ip_eq(v, in) == 1;
	case FC_OPC_NE_IP: return (v->kind == FC_V_IPV4 || v->kind == FC_V_IPV6) && ip_eq(v, in) != 1;
	case FC_OPC_IN_NET: return net_has(in->k.p, v);
	case FC_OPC_IN_IP: return iplist_has(in->k.p, v);
	case FC_OPC_LIST_IN: return t_list(in, v, true);
	case FC_OPC_LIST_ISECT: return t_list(in, v, false);
	case FC_OPC_SMOD: return t_smod(vm, in, v);
	case FC_OPC_FCMP: return v->kind != FC_V_NONE && t_fcmp(vm, in, v);
	default: return false;
	}
}

static __attribute__((noinline)) bool any_elem(struct fc_vm *vm, const struct fc_ninsn *in, const struct fc_val *v)
{
	for (uint32_t i = 0; i < v->len; i++)
		if (test_scalar(vm, in, &v->items[i]))
			return true;
	return false;
}

/* ---- the interpreter ---- */

#define NO_GUARD UINT32_MAX

/* A rule as it runs for one event code, prepared at creation: leading EVTYPE tests and SUBs
 * that cannot be true for the code are followed statically (a rule indexed under openat and
 * rename starts past its rename-only part), which may leave a constant; a remaining leading
 * SUB whose false branch is `ret 0` (a macro guard: open_write, spawned_process...) is tested
 * inline by fc_vm_run, which enters the interpreter only when it holds. */
enum { E_RUN, E_FALSE, E_TRUE };
struct entry {
	const struct fc_ninsn *start; /* first instruction to run (past the guard if any) */
	uint32_t rule;
	uint32_t guard; /* SUB program, or NO_GUARD */
	uint8_t kind;   /* E_* */
	/* START is one leaf whose two successors are RETs (a rule of one comparison: proc.name =
	 * x, fd.name startswith /etc): fc_vm_run tests it in place (leaf_rule), the rule's result
	 * being TV or FV by the test's outcome, without entering the interpreter */
	uint8_t leaf, tv, fv;
};

static bool run_from(struct fc_vm *vm, const struct fc_ninsn *in);

/* slot_val with the bound field fetch in line: for leaf_rule, where the call to slot_fetch
 * and its frame are a good part of a one-comparison rule's cost. */
static inline const struct fc_val *slot_val_inl(struct fc_vm *vm, uint32_t s)
{
	struct vslot *e = &vm->vs[s];
	if (e->gen == vm->gen)
		return &e->val;
	fc_extract_fn fn = e->fn;
	if (__builtin_expect(!fn, 0))
		return slot_fetch(vm, s); /* not bound yet, no extractor, or a transformer */
	return field_call(vm, e, fn);
}

/* The opcodes leaf_rule tests itself. */
static bool leaf_op(unsigned op)
{
	switch (op) {
	case FC_OPC_EVTYPE:
	case FC_OPC_EQ_S: case FC_OPC_NE_S: case FC_OPC_IN_S: case FC_OPC_STARTSWITH: case FC_OPC_CONTAINS:
	case FC_OPC_PREFIX_S: case FC_OPC_PMATCH: case FC_OPC_GLOB: case FC_OPC_EQ_N: case FC_OPC_IN_N:
		return true;
	default:
		return false;
	}
}

/* A one-leaf rule (struct entry.leaf, a leaf_op): tested here; a LIST value (any element)
 * through the interpreter from the leaf, which ends at the same RETs. */
static inline __attribute__((always_inline)) bool leaf_rule(struct fc_vm *vm, const struct entry *e)
{
	const struct fc_ninsn *in = e->start;
	bool r;
	if (in->op == FC_OPC_EVTYPE) /* fc_vm_eval_rule's entries only: fc_vm_run's fold it */
		return fc_evtset_has(in->k.p, vm->evtype) ? e->tv : e->fv;
	const struct fc_val *v = slot_val_inl(vm, in->slot);
	if (__builtin_expect(v->kind == FC_V_LIST, 0))
		return run_from(vm, in);
	switch (in->op) {
	case FC_OPC_EQ_S: r = str_eq(v, in); break;
	case FC_OPC_NE_S: r = is_text(v) && !str_eq(v, in); break;
	case FC_OPC_IN_S: r = is_text(v) && fc_strset_has(in->k.p, v->s, v->len); break;
	case FC_OPC_STARTSWITH: r = is_text(v) && startswith(v, in->k.p, in->klen); break;
	case FC_OPC_CONTAINS: r = is_text(v) && contains(v, in->k.p, in->klen); break;
	case FC_OPC_PREFIX_S: r = is_text(v) && fc_prefixset_has(in->k.p, v->s, v->len); break;
	case FC_OPC_PMATCH: r = is_text(v) && fc_pmatch_has(in->k.p, v->s, v->len); break;
	case FC_OPC_GLOB: r = is_text(v) && fc_glob_match(in->k.p, v->s, v->len); break;
	case FC_OPC_EQ_N: r = is_int(v) && v->u == in->k.u; break;
	case FC_OPC_IN_N: r = is_int(v) && fc_numset_has(in->k.p, v->u); break;
	default: return run_from(vm, in); /* not a leaf_op: not reached */
	}
	return r ? e->tv : e->fv;
}

static bool run(struct fc_vm *vm, uint32_t prog)
{
	return run_from(vm, &vm->b->code[vm->b->progs[prog].start]);
}

static inline bool may_be_true(const struct fc_vm *vm, uint32_t prog)
{
	return vm->evtype >= FC_EVENT_MAX || fc_evtset_has(&vm->may_true[prog], vm->evtype);
}

/* SUB Q: its memoised result for this event, computed on first use. */
static inline bool sub_result(struct fc_vm *vm, uint32_t q)
{
	if (vm->mgen[q] == vm->gen) {
		vm->st.sub_hits++;
		return vm->memo[q];
	}
	bool r = may_be_true(vm, q) && run(vm, q);
	vm->memo[q] = r;
	vm->mgen[q] = vm->gen;
	return r;
}

/* The instruction after IN for outcome R. Most outcomes go to the next instruction (a chain of
 * `or`-ed tests falls through on false, of `and`-ed ones on true): that case is a predicted
 * branch and `in + 1`, so the next test's loads need not wait for this one's jump target to
 * come from memory (the asm keeps the compiler from replacing in + 1 by the loaded target,
 * which would bring the wait back). Other targets are loaded as usual. */
static inline const struct fc_ninsn *branch(const struct fc_ninsn *code, const struct fc_ninsn *in, bool r)
{
	const struct fc_ninsn *t = &code[r ? in->jt : in->jf], *n = in + 1;
	if (__builtin_expect(t == n, 1)) {
		__asm__("" : "+r"(n));
		return n;
	}
	return t;
}

static bool run_from(struct fc_vm *vm, const struct fc_ninsn *in)
{
	const struct fc_ninsn *const code = vm->b->code;
	struct frame *const base = vm->stack;
	struct frame *sp = base;
	/* fixed for the event: kept in registers across the out-of-line fetches */
	const uint64_t gen = vm->gen;
	struct vslot *const vs = vm->vs;
	const struct fc_val *v;
	bool r;
#define SLOT(s) (vs[s].gen == gen ? &vs[s].val : slot_fetch(vm, s))
#if defined(__GNUC__) && !defined(FC_VM_SWITCH)
	static const void *const lab[FC_OPC_MAX_] = {
#define OPC(id, num, mnem, k) [num] = &&L_##id,
#include "opcodes.def"
#undef OPC
	};
#define DISPATCH() goto *lab[in->op]
#define CASE(id) L_##id:
#define DEFAULT
	DISPATCH();
#else
#define DISPATCH() continue
#define CASE(id) case FC_OPC_##id:
#define DEFAULT default: return false;
	for (;;)
		switch (in->op) {
#endif
/* a leaf on the instruction's slot: LIST values take the any-element path */
#define LEAF(test)                                                                                        \
	{                                                                                                 \
		v = SLOT(in->slot);                                                                       \
		r = __builtin_expect(v->kind == FC_V_LIST, 0) ? any_elem(vm, in, v) : (test);           \
		in = branch(code, in, r);                                                                 \
		DISPATCH();                                                                               \
	}
#define OP(id, test) CASE(id) LEAF(test)
		CASE(RET)
		{
			r = in->k.u != 0;
			if (sp == base)
				return r;
			/* the end of a SUB: memoise, continue after the SUB instruction */
			--sp;
			vm->memo[sp->q] = r;
			vm->mgen[sp->q] = vm->gen;
			in = &code[r ? sp->at->jt : sp->at->jf];
			DISPATCH();
		}
		CASE(SUB)
		{
			uint32_t q = (uint32_t)in->k.u;
			if (vm->mgen[q] == vm->gen) {
				vm->st.sub_hits++;
				r = vm->memo[q];
			} else if (!may_be_true(vm, q)) {
				r = false;
				vm->memo[q] = false;
				vm->mgen[q] = vm->gen;
			} else {
				/* enter the SUB; its RET comes back here (depth bounded by the verifier) */
				sp->at = in;
				sp->q = q;
				sp++;
				in = &code[vm->b->progs[q].start];
				DISPATCH();
			}
			in = branch(code, in, r);
			DISPATCH();
		}
		CASE(EXISTS)
		{
			r = SLOT(in->slot)->kind != FC_V_NONE;
			in = branch(code, in, r);
			DISPATCH();
		}
		CASE(EVTYPE)
		{
			r = fc_evtset_has(in->k.p, vm->evtype);
			in = branch(code, in, r);
			DISPATCH();
		}
		OP(EQ_N, is_int(v) && v->u == in->k.u)
		OP(NE_N, is_int(v) && v->u != in->k.u)
		OP(LT_I, is_int(v) && v->i < in->k.i)
		OP(LE_I, is_int(v) && v->i <= in->k.i)
		OP(GT_I, is_int(v) && v->i > in->k.i)
		OP(GE_I, is_int(v) && v->i >= in->k.i)
		OP(LT_U, is_int(v) && v->u < in->k.u)
		OP(LE_U, is_int(v) && v->u <= in->k.u)
		OP(GT_U, is_int(v) && v->u > in->k.u)
		OP(GE_U, is_int(v) && v->u >= in->k.u)
		OP(EQ_D, test_scalar(vm, in, v))
		OP(NE_D, test_scalar(vm, in, v))
		OP(LT_D, test_scalar(vm, in, v))
		OP(LE_D, test_scalar(vm, in, v))
		OP(GT_D, test_scalar(vm, in, v))
		OP(GE_D, test_scalar(vm, in, v))
		OP(EQ_S, str_eq(v, in))
		OP(NE_S, is_text(v) && !str_eq(v, in))
		OP(CONTAINS, is_text(v) && contains(v, in->k.p, in->klen))
		OP(ICONTAINS, is_text(v) && icontains(v->s, v->len, in->k.p, in->klen))
		OP(STARTSWITH, is_text(v) && startswith(v, in->k.p, in->klen))
		OP(ENDSWITH, is_text(v) && endswith(v, in->k.p, in->klen))
		OP(GLOB, is_text(v) && fc_glob_match(in->k.p, v->s, v->len))
		OP(IGLOB, is_text(v) && fc_glob_match(in->k.p, v->s, v->len))
		OP(REGEX, is_text(v) && regex_match(vm, in->k.p, v->s, v->len))
		OP(IN_N, is_int(v) && fc_numset_has(in->k.p, v->u))
		OP(IN_S, is_text(v) && fc_strset_has(in->k.p, v->s, v->len))
		OP(PREFIX_S, is_text(v) && fc_prefixset_has(in->k.p, v->s, v->len))
		OP(PMATCH, is_text(v) && fc_pmatch_has(in->k.p, v->s, v->len))
		OP(EQ_IP, ip_eq(v, in) == 1)
		OP(NE_IP, test_scalar(vm, in, v))
		OP(IN_NET, net_has(in->k.p, v))
		OP(IN_IP, iplist_has(in->k.p, v))
		CASE(LIST_IN)
		{
			r = t_list(in, SLOT(in->slot), true);
			in = branch(code, in, r);
			DISPATCH();
		}
		CASE(LIST_ISECT)
		{
			r = t_list(in, SLOT(in->slot), false);
			in = branch(code, in, r);
			DISPATCH();
		}
		OP(SMOD, t_smod(vm, in, v))
		OP(FCMP, v->kind != FC_V_NONE && t_fcmp(vm, in, v))
		DEFAULT
#if !(defined(__GNUC__) && !defined(FC_VM_SWITCH))
		}
#endif
#undef OP
#undef LEAF
#undef SLOT
#undef CASE
#undef DISPATCH
#undef DEFAULT
}

/* ---- API ---- */

/* Marks E a one-leaf entry when its start is a leaf_op whose successors are both RETs. */
static void set_leaf(const struct fc_bundle *b, struct entry *e)
{
	const struct fc_ninsn *in = e->start;
	if (in->op == FC_OPC_RET || !leaf_op(in->op))
		return;
	const struct fc_ninsn *jt = &b->code[in->jt], *jf = &b->code[in->jf];
	if (jt->op == FC_OPC_RET && jf->op == FC_OPC_RET) {
		e->leaf = 1;
		e->tv = jt->k.u != 0;
		e->fv = jf->k.u != 0;
	}
}

static void prepare_entry(const struct fc_vm *vm, uint16_t code, uint32_t rule, struct entry *e)
{
	const struct fc_bundle *b = vm->b;
	uint32_t prog = b->rule_prog[rule];
	e->rule = rule;
	e->guard = NO_GUARD;
	e->kind = E_RUN;
	if (!fc_evtset_has(&vm->may_true[prog], code)) {
		e->kind = E_FALSE;
		return;
	}
	const struct fc_ninsn *in = &b->code[b->progs[prog].start];
	for (;;) {
		if (in->op == FC_OPC_EVTYPE)
			in = &b->code[fc_evtset_has(in->k.p, code) ? in->jt : in->jf];
		else if (in->op == FC_OPC_SUB && !fc_evtset_has(&vm->may_true[in->k.u], code))
			in = &b->code[in->jf];
		else
			break;
	}
	if (in->op == FC_OPC_RET) {
		e->kind = in->k.u ? E_TRUE : E_FALSE;
		return;
	}
	const struct fc_ninsn *f = &b->code[in->jf];
	if (in->op == FC_OPC_SUB && f->op == FC_OPC_RET && f->k.u == 0) {
		e->guard = (uint32_t)in->k.u;
		in = &b->code[in->jt];
	}
	e->start = in;
	set_leaf(b, e);
}

/* fc_vm_eval_rule's entry of RULE: its whole program, a one-leaf one tested in place. */
static void prepare_rule_entry(const struct fc_vm *vm, uint32_t rule, struct entry *e)
{
	const struct fc_bundle *b = vm->b;
	e->rule = rule;
	e->guard = NO_GUARD;
	e->kind = E_RUN;
	e->start = &b->code[b->progs[b->rule_prog[rule]].start];
	set_leaf(b, e);
}

/* may_true of every program (see struct fc_vm), backwards over each program: jumps go forward
 * and a SUB calls only lower SUBs (both verified), so one pass over the SUBs in order, then
 * one over the rules. False on allocation failure. */
static bool compute_may_true(const struct fc_bundle *b, fc_evtset *mt)
{
	uint32_t maxlen = 1;
	for (uint32_t p = 0; p < b->nprogs; p++)
		if (b->progs[p].len > maxlen)
			maxlen = b->progs[p].len;
	fc_evtset *at = malloc(sizeof *at * maxlen);
	if (!at)
		return false;
	const size_t W = sizeof at->w / sizeof at->w[0];
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t p = 0; p < b->nprogs; p++) {
			const struct fc_nprog *pr = &b->progs[p];
			if ((pass == 0) != (pr->kind == FC_PK_SUB))
				continue;
			for (uint32_t j = pr->len; j-- > 0;) {
				const struct fc_ninsn *in = &b->code[pr->start + j];
				fc_evtset *o = &at[j];
				if (in->op == FC_OPC_RET) {
					if (in->k.u)
						fc_evtset_fill(o);
					else
						memset(o, 0, sizeof *o);
					continue;
				}
				const fc_evtset *t = &at[in->jt - pr->start], *f = &at[in->jf - pr->start];
				for (size_t w = 0; w < W; w++) {
					if (in->op == FC_OPC_EVTYPE) {
						uint64_t sel = ((const fc_evtset *)in->k.p)->w[w];
						o->w[w] = (sel & t->w[w]) | (~sel & f->w[w]);
					} else if (in->op == FC_OPC_SUB) {
						o->w[w] = (mt[in->k.u].w[w] & t->w[w]) | f->w[w];
					} else {
						o->w[w] = t->w[w] | f->w[w];
					}
				}
			}
			mt[p] = at[0];
		}
	free(at);
	return true;
}

struct fc_vm *fc_vm_new_sized(const struct fc_bundle *b, size_t scratch)
{
	struct fc_vm *vm = calloc(1, sizeof *vm);
	if (!vm)
		return NULL;
	vm->b = b;
	vm->gen = 1;
	uint32_t maxargs = 1;
	for (uint32_t i = 0; i < b->nslots; i++)
		if (b->slots[i].nargs > maxargs)
			maxargs = b->slots[i].nargs;
	vm->vs = calloc((size_t)b->nslots + 1, sizeof *vm->vs);
	vm->mgen = calloc((size_t)b->nprogs + 1, sizeof *vm->mgen);
	vm->memo = calloc((size_t)b->nprogs + 1, 1);
	vm->enabled = calloc((size_t)b->nrules + 1, sizeof *vm->enabled);
	vm->argv = calloc(maxargs, sizeof *vm->argv);
	size_t nent = 0;
	for (uint32_t c = 0; c < FC_EVENT_MAX; c++)
		nent += b->index_n[c];
	vm->entries = calloc(nent + 1, sizeof *vm->entries);
	vm->rentries = calloc((size_t)b->nrules + 1, sizeof *vm->rentries);
	vm->may_true = calloc((size_t)b->nprogs + 1, sizeof *vm->may_true);
	vm->stack = calloc((size_t)b->max_depth + 1, sizeof *vm->stack);
	vm->scratch.buf = malloc(scratch ? scratch : 1);
	vm->scratch.cap = scratch;
	vm->md = pcre2_match_data_create(1, NULL);
	if (!vm->vs || !vm->mgen || !vm->memo || !vm->enabled || !vm->argv ||
	    !vm->entries || !vm->rentries ||
	    !vm->may_true || !vm->stack || !vm->scratch.buf || !vm->md || !compute_may_true(b, vm->may_true)) {
		fc_vm_free(vm);
		return NULL;
	}
	for (uint32_t i = 0; i < b->nslots; i++)
		if (b->slots[i].kind == FC_SK_FIELD)
			vm->vs[i].spec = &b->slots[i].spec;
	for (uint32_t i = 0; i < b->nrules; i++) {
		vm->enabled[i] = b->rules[i].enabled;
		prepare_rule_entry(vm, i, &vm->rentries[i]);
	}
	for (uint32_t c = 0; c < FC_EVENT_MAX; c++)
		for (uint32_t k = 0; k < b->index_n[c]; k++)
			prepare_entry(vm, (uint16_t)c, b->index_ids[b->index_first[c] + k], &vm->entries[b->index_first[c] + k]);
	return vm;
}

struct fc_vm *fc_vm_new(const struct fc_bundle *b)
{
	return fc_vm_new_sized(b, FC_VM_SCRATCH_DEFAULT);
}

void fc_vm_free(struct fc_vm *vm)
{
	if (!vm)
		return;
	free(vm->vs);
	free(vm->mgen);
	free(vm->memo);
	free(vm->enabled);
	free(vm->argv);
	free(vm->entries);
	free(vm->rentries);
	free(vm->may_true);
	free(vm->stack);
	free(vm->scratch.buf);
	pcre2_match_data_free(vm->md);
	free(vm->prof_ns);
	free(vm->prof_evals);
	free(vm);
}

void fc_vm_set_enabled(struct fc_vm *vm, uint32_t rule, bool on)
{
	if (rule < vm->b->nrules)
		vm->enabled[rule] = on;
}

bool fc_vm_enabled(const struct fc_vm *vm, uint32_t rule)
{
	return rule < vm->b->nrules && vm->enabled[rule];
}

void fc_vm_begin(struct fc_vm *vm, uint16_t evtype, const struct fc_extractor *x)
{
	vm->gen++;
	vm->evtype = evtype;
	vm->x = x ? *x : (struct fc_extractor){0};
	if (__builtin_expect(vm->x.extract != vm->xkey_extract, 0)) {
		/* another extractor: its functions are bound afresh, slot by slot as they are used */
		for (uint32_t i = 0; i < vm->b->nslots; i++)
			vm->vs[i].fn = NULL;
		vm->xkey_extract = vm->x.extract;
		vm->xbind = vm->x.extract ? fc_extract_bind_of(vm->x.extract) : NULL;
	}
	vm->scratch.used = 0;
	/* st.events is gen - 1 (fc_vm_stats): no second counter per event */
}

static __attribute__((noinline)) bool leaf_rule_call(struct fc_vm *vm, const struct entry *e)
{
	return leaf_rule(vm, e);
}

bool fc_vm_eval_rule(struct fc_vm *vm, uint32_t rule)
{
	if (rule >= vm->b->nrules)
		return false;
	vm->st.rules_run++;
	const struct entry *e = &vm->rentries[rule];
	/* here only what needs no frame (GCC would set one up for the whole function): the rest
	 * is a tail call */
	if (e->leaf && e->start->op == FC_OPC_EVTYPE)
		return fc_evtset_has(e->start->k.p, vm->evtype) ? e->tv : e->fv;
	return e->leaf ? leaf_rule_call(vm, e) : run_from(vm, e->start);
}

static inline uint64_t prof_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* fc_vm_run's loop with the per-rule clock; kept apart so the plain loop stays clock-free. */
static __attribute__((noinline)) uint32_t run_profiled(struct fc_vm *vm, const uint32_t *ids, uint32_t n,
							enum fc_match_mode mode, uint32_t *matches, uint32_t max)
{
	const struct fc_bundle *b = vm->b;
	uint32_t nm = 0;
	uint64_t t = prof_clock();
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = ids[i];
		if (!vm->enabled[r])
			continue;
		vm->st.rules_run++;
		bool hit = run(vm, b->rule_prog[r]);
		uint64_t t2 = prof_clock();
		vm->prof_ns[r] += t2 - t;
		vm->prof_evals[r]++;
		t = t2;
		if (!hit)
			continue;
		vm->st.matches++;
		matches[nm++] = r;
		if (mode == FC_MATCH_FIRST || nm == max)
			break;
	}
	return nm;
}

bool fc_vm_set_profile(struct fc_vm *vm, bool on)
{
	if (on && !vm->prof_ns) {
		vm->prof_ns = calloc((size_t)vm->b->nrules + 1, sizeof *vm->prof_ns);
		vm->prof_evals = calloc((size_t)vm->b->nrules + 1, sizeof *vm->prof_evals);
		if (!vm->prof_ns || !vm->prof_evals) {
			free(vm->prof_ns);
			free(vm->prof_evals);
			vm->prof_ns = vm->prof_evals = NULL;
			return false;
		}
	}
	vm->profile = on;
	return true;
}

void fc_vm_rule_profile(const struct fc_vm *vm, uint32_t rule, uint64_t *ns, uint64_t *evals)
{
	bool have = vm->prof_ns && rule < vm->b->nrules;
	*ns = have ? vm->prof_ns[rule] : 0;
	*evals = have ? vm->prof_evals[rule] : 0;
}

uint32_t fc_vm_run(struct fc_vm *vm, uint16_t evtype, const struct fc_extractor *x, enum fc_match_mode mode,
		   uint32_t *matches, uint32_t max)
{
	fc_vm_begin(vm, evtype, x);
	if (evtype >= FC_EVENT_MAX || !max)
		return 0;
	const struct fc_bundle *b = vm->b;
	uint32_t n = b->index_n[evtype], nm = 0;
	if (!n)
		return 0;
	if (vm->profile) /* per-rule cost profile (metrics): the plain path, timed per rule */
		return run_profiled(vm, b->index_ids + b->index_first[evtype], n, mode, matches, max);
	const struct entry *e = vm->entries + b->index_first[evtype];
	for (uint32_t i = 0; i < n; i++, e++) {
		uint32_t r = e->rule;
		if (!vm->enabled[r])
			continue;
		vm->st.rules_run++;
		if (e->kind != E_RUN) {
			if (e->kind == E_FALSE)
				continue;
		} else if (e->guard != NO_GUARD && !sub_result(vm, e->guard)) {
			continue; /* most rules stop at their guard, without entering the interpreter */
		} else if (!(e->leaf ? leaf_rule(vm, e) : run_from(vm, e->start))) {
			continue;
		}
		vm->st.matches++;
		matches[nm++] = r;
		if (mode == FC_MATCH_FIRST || nm == max)
			break;
	}
	return nm;
}

const struct fc_val *fc_vm_value(struct fc_vm *vm, uint32_t slot)
{
	if (slot >= vm->b->nslots)
		return &none_val;
	return slot_val(vm, vm->b->slots[slot].canon);
}

void fc_vm_stats(const struct fc_vm *vm, struct fc_vm_stats *out)
{
	*out = vm->st;
	out->events = vm->gen - 1;
	out->scratch_overflows = vm->scratch.overflows;
}
