/* compile.c — the front end's driver (compile.h): macros first, in definition order (each
 * parsed, then resolved against the macros visible to it), then rules (exceptions, lists,
 * parse, inline, check, output, event types), then the unused-item warnings. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "fields.h"
#include "parse.h"

/* Falco's "condition expression" frame: an excerpt of the condition names the position, and
 * line:col count inside the condition (CR and LF each end a line, as the parser counts). */
static void cond_frame(struct fc_ruleset *rs, struct fc_ctx *f, const struct fc_text *t, uint32_t pos,
		       const struct fc_ctx *parent)
{
	char ex[32];
	size_t n = t->len <= 20 ? t->len : 17;
	for (size_t i = 0; i < n; i++)
		ex[i] = t->s[i] == '\n' || t->s[i] == '\r' ? ' ' : t->s[i];
	ex[n] = 0;
	uint32_t line = 1, col = 1;
	for (uint32_t i = 0; i < pos && i < t->len; i++) {
		if (t->s[i] == '\n' || t->s[i] == '\r') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	*f = (struct fc_ctx){.item_type = "condition expression", .item_name = "",
			     .loc = {.src = NULL, .off = pos, .line = line, .col = col}, .parent = parent,
			     .pos_name = fc_arena_printf(rs->arena, "\"%s%s\"", ex, t->len <= 20 ? "" : "...")};
}

static struct fc_diag *vdiag_text(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_origin *org,
				  uint32_t pos, const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static struct fc_diag *vdiag_text(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_origin *org,
				  uint32_t pos, const char *fmt, va_list ap)
{
	struct fc_ctx frame;
	cond_frame(rs, &frame, org->text, pos, org->ctx);
	return fc_vdiag(rs->diags, code, &frame, fc_srcmap_loc(&org->text->map, pos), fmt, ap);
}

struct fc_diag *fc_diag_node(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_ast *n, uint32_t pos,
			     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct fc_diag *d = vdiag_text(rs, code, n->org, pos, fmt, ap);
	va_end(ap);
	return d;
}

static struct fc_diag *diag_text(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_origin *org,
				 uint32_t pos, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static struct fc_diag *diag_text(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_origin *org,
				 uint32_t pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct fc_diag *d = vdiag_text(rs, code, org, pos, fmt, ap);
	va_end(ap);
	return d;
}

static struct fc_ast *parse_text(struct fc_ruleset *rs, const struct fc_origin *org)
{
	struct fc_parse_error err;
	struct fc_ast *ast = fc_parse_condition(rs->arena, org->text->s, org->text->len, org, FC_PARSE_MAX_DEPTH, &err);
	if (!ast)
		diag_text(rs, FC_LOAD_ERR_COMPILE_CONDITION, org, err.pos, "%s", err.msg);
	return ast;
}

/* A condition whose list substitution does not fit in the expansion budget (compile.h). */
static void too_big(struct fc_ruleset *rs, const struct fc_origin *org)
{
	fc_diag(rs->diags, FC_LOAD_ERR_COMPILE_CONDITION, org->ctx, org->text->loc,
		"condition does not fit in the expansion limit of the ruleset's conditions (%llu MiB) after list substitution",
		(unsigned long long)(rs->max_expansion >> 20));
}

static void compile_macro(struct fc_compiled *c, uint32_t i)
{
	struct fc_ruleset *rs = c->rs;
	struct fc_macro *m = rs->macros[i];
	struct fc_cmacro *cm = &c->macros[i];
	struct fc_ctx *cctx = fc_arena_alloc(rs->arena, sizeof(*cctx));
	*cctx = (struct fc_ctx){.item_type = "macro condition", .item_name = "", .loc = m->cond.loc, .parent = &m->ctx};
	bool fits = fc_subst_lists(rs, &m->cond, &cm->text);
	cm->org.text = &cm->text;
	cm->org.ctx = cctx;
	if (!fits) {
		too_big(rs, &cm->org);
		return;
	}
	struct fc_ast *ast = parse_text(rs, &cm->org);
	if (!ast)
		return;
	cm->resolving = true;
	cm->ast = fc_inline_macros(c, ast, m->visibility);
	cm->resolving = false;
}

static void compile_rule(struct fc_compiled *c, uint32_t i)
{
	struct fc_ruleset *rs = c->rs;
	struct fc_rule *r = rs->rules[i];
	struct fc_crule *cr = &c->rules[i];
	cr->rule = r;
	if (strcmp(r->source, "syscall") != 0) {
		cr->skipped = true; /* the collector warned LOAD_UNKNOWN_SOURCE */
		return;
	}
	/* Output first, as upstream does. */
	char err[1024];
	const char *fmt = r->output.s;
	if (strstr(fmt, "%container.info")) {
		fc_diag(rs->diags, FC_LOAD_DEPRECATED_ITEM, &r->ctx, r->loc,
			"%%container.info is deprecated and no more useful, and will be dropped by Falco 1.0.0. "
			"The container plugin will automatically add required fields to the output message.");
		struct fc_buf b = {0};
		for (const char *p = fmt; *p;) {
			if (!strncmp(p, "%container.info", 15)) {
				p += 15;
				continue;
			}
			fc_buf_putc(&b, *p++);
		}
		fmt = fc_arena_strdup(rs->arena, b.p ? b.p : "");
		fc_buf_free(&b);
	}
	uint32_t epos = 0;
	if (!fc_compile_output(rs->arena, fmt, &cr->out, &cr->nout, err, sizeof err, &epos)) {
		/* the token's own position, unless %container.info removal shifted the text */
		struct fc_loc eloc = fmt == r->output.s ? fc_srcmap_loc(&r->output.map, epos) : r->output.loc;
		bool unknown = strstr(err, "nonexistent field") || strstr(err, "invalid formatting token") ||
			       strstr(err, "unknown filter:");
		if (unknown && r->skip_if_unknown_filter) {
			fc_diag(rs->diags, FC_LOAD_UNKNOWN_FILTER, &r->out_ctx, eloc, "%s", err);
			cr->skipped = true;
			return;
		}
		fc_diag(rs->diags, FC_LOAD_ERR_COMPILE_OUTPUT, &r->out_ctx, eloc, "%s", err);
		return;
	}
	for (uint32_t k = 0; k < cr->nout; k++) {
		const struct fc_ast *e = cr->out[k].expr;
		if (e && e->kind == FC_AST_FIELD) {
			const struct fc_field *f = fc_field_by_name(e->str);
			if (f && (f->flags & FC_FF_DEPRECATED)) {
				struct fc_diag *d = fc_diag(rs->diags, FC_LOAD_DEPRECATED_ITEM, &r->out_ctx, r->output.loc,
							    "usage of deprecated field '%s' has been detected in the rule output",
							    e->str);
				d->deprecated_field = e->str;
			}
		}
	}

	struct fc_text cond;
	fc_rule_condition_text(rs, r, &cond);
	bool fits = fc_subst_lists(rs, &cond, &cr->text);
	cr->org.text = &cr->text;
	cr->org.ctx = &r->cond_ctx;
	if (!fits) {
		too_big(rs, &cr->org);
		return;
	}
	struct fc_ast *ast = parse_text(rs, &cr->org);
	if (!ast)
		return;
	ast = fc_inline_macros(c, ast, UINT32_MAX);
	if (!ast)
		return;
	cr->ast = ast;
	bool unknown = false;
	if (!fc_check_condition(c, cr, r->skip_if_unknown_filter, &unknown)) {
		if (unknown)
			cr->skipped = true;
		cr->ast = NULL;
		return;
	}
	const struct fc_ast *bad = NULL;
	const char *eterr = NULL;
	if (!fc_evttypes(ast, &cr->evts, &bad, &eterr)) {
		fc_diag_node(rs, FC_LOAD_ERR_COMPILE_CONDITION, bad, bad->pos, "%s", eterr);
		cr->ast = NULL;
		return;
	}
	size_t n = fc_evtset_count(&cr->evts);
	if ((n == 0 || n > 100) && r->warn_evttypes)
		fc_diag(rs->diags, FC_LOAD_NO_EVTTYPE, &r->ctx, r->loc,
			"Rule matches too many evt.type values. This has a significant performance penalty.");
	cr->ok = true;
}

bool fc_compile(struct fc_ruleset *rs, struct fc_compiled *out)
{
	unsigned errors_before = rs->diags->nerrors;
	memset(out, 0, sizeof(*out));
	out->rs = rs;
	out->macros = fc_arena_alloc(rs->arena, sizeof(*out->macros) * (rs->nmacros + 1));
	out->rules = fc_arena_alloc(rs->arena, sizeof(*out->rules) * (rs->nrules + 1));
	out->nrules = rs->nrules;
	for (uint32_t i = 0; i < rs->nmacros; i++)
		out->macros[i].macro = rs->macros[i];
	/* A list item naming an earlier list counts as a use of it (the collector expanded it). */
	for (uint32_t i = 0; i < rs->nmacros; i++)
		compile_macro(out, i);
	for (uint32_t i = 0; i < rs->nrules; i++)
		compile_rule(out, i);
	for (uint32_t i = 0; i < rs->nmacros; i++)
		if (!rs->macros[i]->used)
			fc_diag(rs->diags, FC_LOAD_UNUSED_MACRO, &rs->macros[i]->ctx, rs->macros[i]->loc,
				"Macro not referred to by any other rule/macro");
	for (uint32_t i = 0; i < rs->nlists; i++)
		if (!rs->lists[i]->used)
			fc_diag(rs->diags, FC_LOAD_UNUSED_LIST, &rs->lists[i]->ctx, rs->lists[i]->loc,
				"List not referred to by any other rule/macro");
	return rs->diags->nerrors == errors_before;
}
