/* evttypes.c — event-type derivation (LANGUAGE.md §12): the set of event codes for which a
 * condition can be true, a sound over-approximation. Leaves on evt.type/syscall.type give the
 * named codes (complemented for !=); every other check is neutral (all codes) and stays so
 * under negation; and = ∩, or = ∪, with negation pushed to the leaves (De Morgan). */
#include <string.h>

#include "compile.h"

struct ev {
	const struct fc_ast *bad;
	const char *err;
};

static bool is_evttype_field(const struct fc_ast *f)
{
	return f->kind == FC_AST_FIELD && !f->arg && (!strcmp(f->str, "evt.type") || !strcmp(f->str, "syscall.type"));
}

static void leaf(struct ev *e, const struct fc_ast *n, bool neg, fc_evtset *out)
{
	fc_evtset_fill(out);
	const struct fc_ast *l = n->left;
	if (l->kind == FC_AST_TRANSFORMER && l->nkids == 1 && is_evttype_field(l->kids[0])) {
		e->bad = n;
		e->err = "event code search does not support evt.type checks with transformers";
		return;
	}
	if (!is_evttype_field(l))
		return; /* neutral, negated or not */
	if (n->kind == FC_AST_UNARY) { /* evt.type exists */
		if (neg)
			memset(out, 0, sizeof(*out));
		return;
	}
	const struct fc_ast *r = n->right;
	if (r->kind == FC_AST_FIELD || r->kind == FC_AST_TRANSFORMER) {
		e->bad = n;
		e->err = "right-hand field comparisons on evt.type/syscall.type checks are not supported by event code search";
		return;
	}
	bool eq = n->op == FC_OP_EQ || n->op == FC_OP_EQEQ || n->op == FC_OP_IN;
	bool ne = n->op == FC_OP_NE;
	if ((!eq && !ne) || n->mod != FC_MOD_NONE)
		return;
	fc_evtset named = {0};
	if (r->kind == FC_AST_LIST) {
		for (uint32_t i = 0; i < r->nkids; i++)
			fc_evtset_add_name(&named, r->kids[i]->str);
	} else {
		fc_evtset_add_name(&named, r->str);
	}
	*out = named;
	if (ne != neg) /* != or a negated =: the complement */
		fc_evtset_complement(out);
}

static void eval(struct ev *e, const struct fc_ast *n, bool neg, fc_evtset *out)
{
	switch (n->kind) {
	case FC_AST_AND:
	case FC_AST_OR: {
		bool is_and = (n->kind == FC_AST_AND) != neg;
		eval(e, n->kids[0], neg, out);
		for (uint32_t i = 1; i < n->nkids; i++) {
			fc_evtset k;
			eval(e, n->kids[i], neg, &k);
			if (is_and)
				fc_evtset_intersect(out, &k);
			else
				fc_evtset_union(out, &k);
		}
		return;
	}
	case FC_AST_NOT:
		eval(e, n->kids[0], !neg, out);
		return;
	case FC_AST_UNARY:
	case FC_AST_BINARY:
		leaf(e, n, neg, out);
		return;
	default:
		fc_evtset_fill(out);
		return;
	}
}

bool fc_evttypes(const struct fc_ast *ast, fc_evtset *out, const struct fc_ast **bad, const char **err)
{
	struct ev e = {0};
	eval(&e, ast, false, out);
	if (e.bad) {
		*bad = e.bad;
		*err = e.err;
		return false;
	}
	return true;
}
