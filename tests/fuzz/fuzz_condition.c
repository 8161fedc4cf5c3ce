/* fuzz_condition.c — libFuzzer harness for the condition grammar (grammar/lexer.l, parser.y via
 * compiler/parse.h) and the stages that consume its AST. Each input is:
 *   1. parsed from an exactly-sized heap copy (ASan sees any read past the end), at the
 *      default depth limit and at a small one; a parsed AST is printed, cloned and printed again
 *      (the clone must print the same; the printed form is upstream's string visitor, which
 *      need not parse back: an empty value prints as nothing);
 *   2. put as the condition of a rule and of a macro into a small fixed ruleset (lists, macros,
 *      an exception) and run through fc_compile: list substitution, macro inlining, field and
 *      type checking, event types, and every diagnostic rendered in the three layouts.
 * Built only with -DFC_FUZZ=ON (cmake/fuzz_compiler.cmake). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "compile.h"
#include "parse.h"

static const char base_yaml[] =
	"- list: shell_binaries\n  items: [bash, sh, zsh, \"my shell\"]\n"
	"- list: sensitive_files\n  items: [/etc/shadow, /etc/sudoers, shell_binaries]\n"
	"- macro: spawned_process\n  condition: evt.type in (execve, execveat) and evt.dir = <\n"
	"- macro: open_read\n  condition: evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.typechar = f\n"
	"- macro: fz_macro\n  condition: PLACEHOLDER\n"
	"- rule: fz_rule\n  desc: d\n  condition: PLACEHOLDER\n  output: o %proc.name %fd.name\n  priority: WARNING\n"
	"- rule: fz_uses_macro\n  desc: d\n  condition: spawned_process and fz_macro\n  output: o\n  priority: INFO\n"
	"  exceptions:\n  - name: e\n    fields: [proc.name, fd.name]\n    comps: [=, startswith]\n"
	"    values: [[bash, /etc], [sh, /tmp]]\n";

static FILE *devnull(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

static void must(int cond)
{
	if (!cond)
		abort();
}

static void parse_checks(const uint8_t *data, size_t size)
{
	struct fc_arena a = {0};
	struct fc_parse_error err;
	char *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	struct fc_ast *ast = fc_parse_condition(&a, copy, size, NULL, FC_PARSE_MAX_DEPTH, &err);
	if (!ast) {
		must(err.pos <= size);
		must(memchr(err.msg, 0, sizeof err.msg) != NULL && err.msg[0]);
	}
	(void)fc_parse_condition(&a, copy, size, NULL, 8, &err);
	free(copy);
	if (ast) {
		struct fc_buf b1 = {0}, b2 = {0};
		fc_ast_print(&b1, ast);
		fc_ast_print(&b2, fc_ast_clone(&a, ast, NULL));
		must(b1.len == b2.len && (!b1.len || !memcmp(b1.p, b2.p, b1.len)));
		fc_buf_free(&b1);
		fc_buf_free(&b2);
	}
	fc_arena_free(&a);
}

/* Replaces the condition of item NAME's text T by the input; every offset maps to where the
 * placeholder stood, so diagnostics keep a valid file position. */
static void set_text(struct fc_ruleset *rs, struct fc_text *t, const uint8_t *data, size_t size)
{
	char *s = fc_arena_alloc(rs->arena, size + 1);
	memcpy(s, data, size);
	struct fc_srcseg *seg = fc_arena_alloc(rs->arena, sizeof *seg);
	*seg = (struct fc_srcseg){.at = 0, .src = t->loc.off, .fixed = true, .file = rs->files[0]};
	t->s = s;
	t->len = (uint32_t)size;
	t->map = (struct fc_srcmap){.seg = seg, .n = 1, .cap = 1};
}

static void compile_checks(const uint8_t *data, size_t size)
{
	struct fc_arena a = {0};
	struct fc_diags d;
	struct fc_ruleset rs;
	fc_diags_init(&d, &a);
	fc_ruleset_init(&rs, &a, &d);
	rs.max_expansion = 32u << 20; /* blow-ups stop early: fast, and the budget path runs */
	d.file = "fuzz.yaml";
	must(fc_ruleset_load_text(&rs, "fuzz.yaml", base_yaml, sizeof base_yaml - 1));
	struct fc_macro *m = fc_ruleset_macro(&rs, "fz_macro");
	struct fc_rule *r = fc_ruleset_rule(&rs, "fz_rule");
	must(m && r);
	set_text(&rs, &m->cond, data, size);
	set_text(&rs, &r->cond, data, size);
	struct fc_compiled c;
	bool ok = fc_compile(&rs, &c);
	must(ok == (d.nerrors == 0));
	struct fc_buf jb = {0};
	for (const struct fc_diag *x = d.head; x; x = x->next) {
		fc_diag_print(devnull(), x, true);
		fc_diag_print_falco(devnull(), x);
		fc_diag_json(&jb, x);
	}
	for (uint32_t i = 0; i < c.nrules; i++) {
		if (!c.rules[i].ast)
			continue;
		struct fc_buf b = {0};
		fc_ast_print(&b, c.rules[i].ast);
		fc_buf_free(&b);
		must(fc_evtset_count(&c.rules[i].evts) <= FC_EVENT_MAX);
	}
	fc_buf_free(&jb);
	fc_ruleset_free(&rs);
	fc_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	parse_checks(data, size);
	compile_checks(data, size);
	return 0;
}
