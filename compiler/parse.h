/* parse.h — the condition parser's entry point (grammar/lexer.l + grammar/parser.y). */
#ifndef FC_PARSE_H
#define FC_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"

#define FC_PARSE_MAX_DEPTH 1000 /* Falco's setting (LANGUAGE.md §1.3) */

struct fc_parse_error {
	uint32_t pos;   /* byte offset in the text of the offending token */
	char msg[512];  /* upstream's message where one exists, e.g. "expected a ')' token" */
};

/* Parses TEXT[0..len) as a condition. Returns the AST (nodes stamped with ORG) or NULL with
 * *ERR filled. Never reads past len; NUL bytes inside the text are errors. Nesting deeper than
 * MAX_DEPTH fails with a clear message instead of exhausting the stack. */
struct fc_ast *fc_parse_condition(struct fc_arena *a, const char *text, size_t len,
				  const struct fc_origin *org, unsigned max_depth,
				  struct fc_parse_error *err);

#endif
