/* expand.c — the two expansions of LANGUAGE.md §1: upstream's textual list substitution
 * (§1.2), done in one left-to-right pass with hashed name lookups instead of one full-text
 * search per list, with the same result; and macro inlining on the AST (§1.4) with
 * visibility and loop detection, stamping each inlined node with its expansion chain. */
#include <stdlib.h>
#include <string.h>

#include "compile.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_delim(char c)
{
	return is_blank(c) || c == '(' || c == ')' || c == ',' || c == '=';
}

struct subst {
	struct fc_ruleset *rs;
	struct fc_buf out;
	struct fc_srcmap map; /* out offset → input offset (file pointer unused here) */
	bool trail; /* the output ends with a substitution's closing blank */
	uint64_t room; /* output bytes left in the expansion budget */
	bool over;     /* the output would exceed room: stop */
};

static void emit(struct subst *s, const char *p, size_t n, uint32_t src, bool fixed)
{
	if (!n || s->over)
		return;
	if (n > s->room - s->out.len) {
		s->over = true;
		return;
	}
	s->trail = false;
	fc_srcmap_add(&s->map, NULL, (uint32_t)s->out.len, src, fixed);
	fc_buf_add(&s->out, p, n);
}

/* Upstream quotes an item that holds a space unless it already starts with a quote. */
static bool needs_quotes(const struct fc_text *t)
{
	return memchr(t->s, ' ', t->len) && t->s[0] != '"' && t->s[0] != '\'';
}

static void scan(struct subst *s, const char *t, size_t len, uint32_t min_index, bool fixed, uint32_t base);

/* Substitutes list L found at input [start, end) (blanks around it not yet eaten). */
static size_t substitute(struct subst *s, const struct fc_list *l, const char *t, size_t len, size_t end,
			 uint32_t srcpos)
{
	while (s->out.len && is_blank(s->out.p[s->out.len - 1]))
		s->out.len--;
	while (end < len && is_blank(t[end]))
		end++;
	if (!l->nitems) { /* an empty list takes one adjacent comma with it */
		if (s->out.len && s->out.p[s->out.len - 1] == ',')
			s->out.len--;
		else if (end < len && t[end] == ',')
			end++;
	}
	/* keep the map consistent with the truncated output */
	while (s->map.n && s->map.seg[s->map.n - 1].at >= s->out.len)
		s->map.n--;
	if (s->out.len)
		emit(s, " ", 1, srcpos, true);
	for (uint32_t i = 0; i < l->nitems && !s->over; i++) {
		if (i)
			emit(s, ", ", 2, srcpos, true);
		bool q = needs_quotes(&l->items[i]);
		if (q)
			emit(s, "\"", 1, srcpos, true);
		/* Items naming lists defined later are substituted by those lists' passes. */
		scan(s, l->items[i].s, l->items[i].len, l->index + 1, true, srcpos);
		if (q)
			emit(s, "\"", 1, srcpos, true);
	}
	/* An item list ending in a nested substitution already ends in its blank: upstream's
	 * later pass ate ours and put one back. */
	if (!s->trail)
		emit(s, " ", 1, srcpos, true);
	s->trail = true;
	return end;
}

static void scan(struct subst *s, const char *t, size_t len, uint32_t min_index, bool fixed, uint32_t base)
{
	char name[512];
	size_t i = 0;
	while (i < len && !s->over) {
		if (is_delim(t[i])) {
			size_t j = i;
			while (j < len && is_delim(t[j]))
				j++;
			emit(s, t + i, j - i, fixed ? base : base + (uint32_t)i, fixed);
			i = j;
			continue;
		}
		size_t j = i;
		while (j < len && !is_delim(t[j]))
			j++;
		struct fc_list *l = NULL;
		if (j - i < sizeof name) {
			memcpy(name, t + i, j - i);
			name[j - i] = 0;
			l = fc_ruleset_list(s->rs, name);
			if (l && l->index < min_index)
				l = NULL;
		}
		if (!l) {
			emit(s, t + i, j - i, fixed ? base : base + (uint32_t)i, fixed);
			i = j;
			continue;
		}
		l->used = true;
		i = substitute(s, l, t, len, j, fixed ? base : base + (uint32_t)i);
	}
}

bool fc_subst_lists(struct fc_ruleset *rs, const struct fc_text *in, struct fc_text *out)
{
	struct subst s = {.rs = rs,
			  .room = rs->expanded < rs->max_expansion ? (rs->max_expansion - rs->expanded) / FC_EXP_TEXT_COST : 0};
	fc_buf_add(&s.out, "", 0);
	scan(&s, in->s, in->len, 0, false, 0);
	if (s.over) { /* the rest of the compilation has no room either */
		rs->expanded = rs->max_expansion;
		s.out.len = 0;
		s.map.n = 0;
	}
	rs->expanded += s.out.len * FC_EXP_TEXT_COST;
	if (!s.map.n)
		fc_srcmap_add(&s.map, NULL, 0, 0, true);
	out->s = fc_arena_strndup(rs->arena, s.out.p, s.out.len);
	out->len = (uint32_t)s.out.len;
	out->loc = in->loc;
	/* the result lives as long as the compilation: keep it in the arena like every other map */
	struct fc_srcmap tmp = {0};
	fc_srcmap_compose(&tmp, &s.map, &in->map);
	out->map = (struct fc_srcmap){.n = tmp.n, .cap = tmp.n};
	out->map.seg = fc_arena_alloc(rs->arena, sizeof(*tmp.seg) * (tmp.n ? tmp.n : 1));
	if (tmp.n)
		memcpy(out->map.seg, tmp.seg, sizeof(*tmp.seg) * tmp.n);
	fc_srcmap_free(&tmp);
	fc_srcmap_free(&s.map);
	fc_buf_free(&s.out);
	return !s.over;
}

/* --- macros --- */

struct remap {
	const struct fc_origin *from[16], *to[16];
	unsigned n;
	const struct fc_origin *site; /* the origin of the referencing condition */
	struct fc_arena *arena;
};

/* Origins of inlined nodes chain to the referencing site: an origin whose ctx chain is the
 * macro's own gets a `via` link. We express it by copying the origin with a ctx whose root
 * frame is re-parented under the site's ctx chain. */
static const struct fc_origin *remap_org(struct remap *r, const struct fc_origin *o)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->from[i] == o)
			return r->to[i];
	/* Re-parent: copy o's frames (minus its "rules content" root) below the site's chain. */
	const struct fc_ctx *frames[32];
	unsigned nf = 0;
	for (const struct fc_ctx *c = o->ctx; c && nf < 32; c = c->parent)
		frames[nf++] = c;
	const struct fc_ctx *parent = r->site->ctx;
	for (unsigned i = nf; i-- > 0;) {
		if (!frames[i]->parent && !strcmp(frames[i]->item_type, "rules content"))
			continue;
		struct fc_ctx *cp = fc_arena_alloc(r->arena, sizeof(*cp));
		*cp = *frames[i];
		cp->parent = parent;
		parent = cp;
	}
	struct fc_origin *n = fc_arena_alloc(r->arena, sizeof(*n));
	n->text = o->text;
	n->ctx = parent;
	if (r->n < 16) {
		r->from[r->n] = o;
		r->to[r->n++] = n;
	}
	return n;
}

static void restamp(struct remap *r, struct fc_ast *n)
{
	if (!n)
		return;
	n->org = remap_org(r, n->org);
	restamp(r, n->left);
	restamp(r, n->right);
	for (uint32_t i = 0; i < n->nkids; i++)
		restamp(r, n->kids[i]);
}

/* Node count of N, and the longest context chain of its nodes' origins (what re-parenting
 * copies per node, at worst). */
static void ast_measure(const struct fc_ast *n, uint64_t *nodes, unsigned *chain)
{
	if (!n)
		return;
	++*nodes;
	unsigned k = 0;
	for (const struct fc_ctx *c = n->org ? n->org->ctx : NULL; c && k < 32; c = c->parent)
		k++;
	if (k > *chain)
		*chain = k;
	ast_measure(n->left, nodes, chain);
	ast_measure(n->right, nodes, chain);
	for (uint32_t i = 0; i < n->nkids; i++)
		ast_measure(n->kids[i], nodes, chain);
}

static struct fc_ast *inline_rec(struct fc_compiled *c, struct fc_ast *n, uint32_t visibility, bool *ok)
{
	if (!n)
		return n;
	switch (n->kind) {
	case FC_AST_AND:
	case FC_AST_OR:
	case FC_AST_NOT:
		for (uint32_t i = 0; i < n->nkids; i++)
			n->kids[i] = inline_rec(c, n->kids[i], visibility, ok);
		return n;
	case FC_AST_IDENT: {
		struct fc_macro *m = fc_ruleset_macro(c->rs, n->str);
		if (!m || m->index >= visibility) {
			fc_diag_node(c->rs, FC_LOAD_ERR_VALIDATE, n, n->pos, "Undefined macro '%s' used in filter.",
				     n->str);
			*ok = false;
			return n;
		}
		struct fc_cmacro *cm = &c->macros[m->slot];
		if (cm->resolving) {
			fc_diag_node(c->rs, FC_LOAD_ERR_VALIDATE, n, n->pos, "reference loop in macro '%s'", m->name);
			*ok = false;
			return n;
		}
		m->used = true;
		if (!cm->ast) { /* its own error was reported where it is defined */
			*ok = false;
			return n;
		}
		if (!cm->cost) {
			uint64_t nodes = 0;
			unsigned chain = 0;
			ast_measure(cm->ast, &nodes, &chain);
			cm->cost = nodes * (sizeof(struct fc_ast) + sizeof(struct fc_ast *) + sizeof(struct fc_origin) +
					    chain * sizeof(struct fc_ctx));
		}
		uint64_t cost = cm->cost;
		if (c->rs->expanded > c->rs->max_expansion || cost > c->rs->max_expansion - c->rs->expanded) {
			fc_diag_node(c->rs, FC_LOAD_ERR_COMPILE_CONDITION, n, n->pos,
				     "macro '%s' does not fit in the expansion limit of the ruleset's conditions (%llu MiB)",
				     m->name, (unsigned long long)(c->rs->max_expansion >> 20));
			c->rs->expanded = c->rs->max_expansion;
			*ok = false;
			return n;
		}
		c->rs->expanded += cost;
		struct fc_ast *copy = fc_ast_clone(c->rs->arena, cm->ast, NULL);
		struct remap r = {.site = n->org, .arena = c->rs->arena};
		restamp(&r, copy);
		return copy;
	}
	default:
		return n;
	}
}

struct fc_ast *fc_inline_macros(struct fc_compiled *c, struct fc_ast *ast, uint32_t visibility)
{
	bool ok = true;
	ast = inline_rec(c, ast, visibility, &ok);
	return ok ? ast : NULL;
}
