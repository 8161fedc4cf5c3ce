/* fuzz_output.c — libFuzzer harness for rule output format strings (fc_compile_output,
 * LANGUAGE.md §11): `%[width]field[arg]`, transformer calls parsed by the condition grammar,
 * shortest-resolving tokens. The input (NUL-terminated copy, so a read past the terminator
 * trips ASan) must either compile into segments that cover it, every field segment a field or
 * transformer node, or fail with a message and an error offset inside the text. Also run
 * through a rule's output key in the full pipeline, where %container.info removal and the
 * deprecated-field warnings apply. Built only with -DFC_FUZZ=ON (cmake/fuzz_compiler.cmake). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "compile.h"

static const char base_yaml[] = "- rule: r\n  desc: d\n  condition: evt.type = open\n"
				"  output: PLACEHOLDER\n  priority: WARNING\n";

static void must(int cond)
{
	if (!cond)
		abort();
}

static void direct(const char *fmt, size_t len)
{
	struct fc_arena a = {0};
	struct fc_fmtseg *segs = NULL;
	uint32_t nsegs = 0, epos = UINT32_MAX;
	char err[1024];
	err[0] = 0;
	if (fc_compile_output(&a, fmt, &segs, &nsegs, err, sizeof err, &epos)) {
		for (uint32_t i = 0; i < nsegs; i++) {
			if (segs[i].lit)
				continue;
			must(segs[i].expr != NULL);
			must(segs[i].expr->kind == FC_AST_FIELD || segs[i].expr->kind == FC_AST_TRANSFORMER);
			struct fc_buf b = {0};
			fc_ast_print(&b, segs[i].expr);
			fc_buf_free(&b);
		}
	} else {
		must(err[0] != 0 && memchr(err, 0, sizeof err));
		must(epos <= len);
	}
	fc_arena_free(&a);
}

static void in_rule(const char *fmt, size_t len)
{
	struct fc_arena a = {0};
	struct fc_diags d;
	struct fc_ruleset rs;
	fc_diags_init(&d, &a);
	fc_ruleset_init(&rs, &a, &d);
	d.file = "fuzz.yaml";
	must(fc_ruleset_load_text(&rs, "fuzz.yaml", base_yaml, sizeof base_yaml - 1));
	struct fc_rule *r = rs.rules[0];
	struct fc_srcseg *seg = fc_arena_alloc(&a, sizeof *seg);
	*seg = (struct fc_srcseg){.at = 0, .src = r->output.loc.off, .fixed = true, .file = rs.files[0]};
	r->output.s = fmt;
	r->output.len = (uint32_t)len;
	r->output.map = (struct fc_srcmap){.seg = seg, .n = 1, .cap = 1};
	struct fc_compiled c;
	(void)fc_compile(&rs, &c);
	FILE *null = fopen("/dev/null", "w");
	must(null != NULL);
	for (const struct fc_diag *x = d.head; x; x = x->next) {
		fc_diag_print(null, x, false);
		fc_diag_print_falco(null, x);
	}
	fclose(null);
	fc_ruleset_free(&rs);
	fc_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	char *fmt = malloc(size + 1);
	memcpy(fmt, data, size);
	fmt[size] = 0;
	size_t len = strlen(fmt);
	direct(fmt, len);
	in_rule(fmt, len);
	free(fmt);
	return 0;
}
