/* fuzz_yaml.c — libFuzzer harness for the whole front end on arbitrary rules files: the YAML
 * reader and collector (fc_ruleset_load_text: append/override/enable, exceptions, lists,
 * versions, plugin requirements), then fc_compile (lists, parsing, macros, checking, outputs,
 * event types, unused warnings), then every diagnostic rendered in the three layouts (source
 * snippets with carets read the loaded text back) and every compiled rule printed.
 * An input holding the line "#---8<---" is loaded as two files, the part before as a.yaml and
 * the rest as b.yaml, so that items of the second can append to or override the first's, as
 * with falcoc validate a.yaml b.yaml. Built only with -DFC_FUZZ=ON (cmake/fuzz_compiler.cmake). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "compile.h"

#define SPLIT "\n#---8<---\n"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct fc_arena a = {0};
	struct fc_diags d;
	struct fc_ruleset rs;
	fc_diags_init(&d, &a);
	fc_ruleset_init(&rs, &a, &d);
	rs.max_expansion = 32u << 20; /* blow-ups stop early: fast, and the budget path runs */
	const char *text = (const char *)data;
	const char *cut = memmem(text, size, SPLIT, sizeof SPLIT - 1);
	size_t n1 = cut ? (size_t)(cut - text) + 1 : size;
	d.file = "a.yaml";
	bool loaded = fc_ruleset_load_text(&rs, "a.yaml", text, n1);
	if (cut) {
		d.file = "b.yaml";
		size_t skip = n1 + sizeof SPLIT - 2;
		loaded = fc_ruleset_load_text(&rs, "b.yaml", text + skip, size - skip) && loaded;
	}
	char perr[512];
	(void)fc_ruleset_check_plugins(&rs, perr, sizeof perr);
	struct fc_compiled c;
	bool ok = fc_compile(&rs, &c);
	must(ok == (d.nerrors == 0) || !loaded);
	struct fc_buf jb = {0};
	for (const struct fc_diag *x = d.head; x; x = x->next) {
		must(fc_diag_code_name(x->code) != NULL);
		fc_diag_print(devnull(), x, false);
		fc_diag_print_falco(devnull(), x);
		fc_diag_json(&jb, x);
	}
	fc_buf_free(&jb);
	for (uint32_t i = 0; i < c.nrules; i++) {
		const struct fc_crule *cr = &c.rules[i];
		if (cr->ast) {
			struct fc_buf b = {0};
			fc_ast_print(&b, cr->ast);
			fc_buf_free(&b);
		}
		for (uint32_t k = 0; k < cr->nout; k++)
			must(cr->out[k].lit || cr->out[k].expr);
		for (uint32_t k = 0; k < cr->nfields; k++)
			must(cr->fields[k] != NULL);
	}
	fc_ruleset_free(&rs);
	fc_arena_free(&a);
	return 0;
}
