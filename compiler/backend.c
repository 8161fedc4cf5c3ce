/* backend.c — the back end's driver (backend.h): lowering, tree passes, graph construction,
 * graph passes, emission and the bundle writer in order, and the per-stage dumps of
 * `falcoc dump`. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static bool has_rule(const struct fc_compiled *c, const char *rule)
{
	for (uint32_t i = 0; i < c->nrules; i++)
		if (c->rules[i].ok && !strcmp(c->rules[i].rule->name, rule))
			return true;
	return false;
}

static void optimise(struct ir_mod *m)
{
	ir_opt_tree(m);
	ir_build_graphs(m);
	ir_opt_graph(m);
}

bool fc_backend_bundle(struct fc_compiled *c, const struct fc_backend_opts *o, struct fc_buf *out)
{
	struct ir_mod m;
	ir_mod_init(&m, c, o ? o->passes : FC_OPT_ALL);
	bool ok = ir_lower(&m);
	struct ir_out eo;
	memset(&eo, 0, sizeof eo);
	size_t before = out->len;
	if (ok) {
		ir_split(&m); /* on the lowered trees, before the optimiser rewrites them */
		optimise(&m);
		ok = ir_emit(&m, &eo) && ir_write_bundle(&m, &eo, out);
	}
	if (ok && o && o->stats) {
		struct fc_backend_stats *s = o->stats;
		s->rules = m.nrules;
		s->progs = m.nprogs;
		s->subs = m.nsubs;
		s->insns = eo.ncode;
		s->slots = eo.p.nslot;
		s->strings = eo.p.nstr;
		s->bytes = out->len - before;
	}
	if (!ok)
		out->len = before;
	ir_out_free(&eo);
	ir_split_free(&m);
	ir_mod_free(&m);
	return ok;
}

bool fc_backend_dump(struct fc_compiled *c, const struct fc_backend_opts *o, enum fc_dump_stage stage,
		     const char *rule, FILE *out)
{
	if (rule && !has_rule(c, rule)) {
		fprintf(stderr, "falcoc: no compiled rule named '%s'\n", rule);
		return false;
	}
	if (stage == FC_DUMP_AST) {
		struct fc_buf b = {0};
		for (uint32_t i = 0; i < c->nrules; i++) {
			const struct fc_crule *cr = &c->rules[i];
			if (!cr->ok || !cr->ast || (rule && strcmp(rule, cr->rule->name)))
				continue;
			fc_buf_printf(&b, "rule '%s': ", cr->rule->name);
			fc_ast_print(&b, cr->ast);
			fc_buf_putc(&b, '\n');
		}
		if (b.len)
			fwrite(b.p, 1, b.len, out);
		fc_buf_free(&b);
		return true;
	}
	struct ir_mod m;
	ir_mod_init(&m, c, stage == FC_DUMP_IR ? 0 : o ? o->passes : FC_OPT_ALL);
	bool ok = ir_lower(&m);
	if (ok) {
		if (stage == FC_DUMP_IR)
			ir_build_graphs(&m);
		else if (stage != FC_DUMP_KERN)
			optimise(&m);
	}
	if (ok && (stage == FC_DUMP_IR || stage == FC_DUMP_OPT)) {
		/* a rule's program and the shared programs it calls, callees first */
		bool *want = calloc(m.nprogs + 1, 1);
		if (!want)
			abort();
		for (uint32_t i = m.nprogs; i-- > 0;) {
			const struct ir_prog *p = &m.progs[i];
			if (p->kind == FC_PK_RULE && (!rule || !strcmp(rule, m.rules[p->rule].cr->rule->name)))
				want[i] = true;
			if (!want[i])
				continue;
			for (uint32_t k = 0; k < p->nb; k++)
				if (p->b[k].t.op == FC_OPC_SUB)
					want[p->b[k].t.k] = true;
		}
		for (uint32_t i = 0; i < m.nprogs; i++)
			if (want[i])
				ir_dump_graph(&m, i, out);
		free(want);
	} else if (ok && stage == FC_DUMP_BC) {
		struct ir_out eo;
		ok = ir_emit(&m, &eo);
		if (ok)
			ir_dump_bc(&m, &eo, rule, out);
		ir_out_free(&eo);
	} else if (ok && stage == FC_DUMP_KERN) {
		ir_dump_kern(&m, rule, out);
		fputc('\n', out);
		ir_split_dump(&m, rule, out);
	}
	ir_mod_free(&m);
	return ok;
}
