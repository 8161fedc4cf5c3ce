/* api.c — fc_rules_to_bundle (runtime/rulesrc.h): how falcod turns YAML rules into a bundle
 * with exactly falcoc's pipeline — load (files in order, or the embedded default text),
 * compile, print diagnostics in falcoc's text layout, then the back end. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "rulesrc.h"

bool fc_rules_to_bundle(const char *const *paths, size_t n, const char *name, const char *text, size_t textlen,
			void **buf, size_t *len, FILE *diag)
{
	struct fc_arena arena = {0};
	struct fc_diags diags;
	struct fc_ruleset rs;
	struct fc_compiled comp;
	fc_diags_init(&diags, &arena);
	fc_ruleset_init(&rs, &arena, &diags);
	if (n == 0) {
		diags.file = name ? name : "rules";
		fc_ruleset_load_text(&rs, diags.file, text ? text : "", textlen);
	} else {
		for (size_t i = 0; i < n; i++) {
			diags.file = paths[i];
			fc_ruleset_load_file(&rs, paths[i]);
		}
	}
	fc_compile(&rs, &comp);
	char perr[1024];
	bool ok = diags.nerrors == 0;
	bool plugins = fc_ruleset_check_plugins(&rs, perr, sizeof perr);
	struct fc_buf out = {0};
	if (ok && plugins) {
		struct fc_backend_opts o = {.passes = FC_OPT_ALL};
		ok = fc_backend_bundle(&comp, &o, &out);
	}
	if (diag) {
		for (struct fc_diag *d = diags.head; d; d = d->next)
			fc_diag_print(diag, d, false);
		if (!plugins)
			fprintf(diag, "falcoc: %s\n", perr);
		if (diags.nerrors || diags.nwarnings)
			fprintf(diag, "%u error%s, %u warning%s\n", diags.nerrors, diags.nerrors == 1 ? "" : "s",
				diags.nwarnings, diags.nwarnings == 1 ? "" : "s");
	}
	ok = ok && plugins && diags.nerrors == 0;
	if (ok) {
		*buf = out.p;
		*len = out.len;
	} else {
		fc_buf_free(&out);
		*buf = NULL;
		*len = 0;
	}
	fc_ruleset_free(&rs);
	fc_arena_free(&arena);
	return ok;
}
