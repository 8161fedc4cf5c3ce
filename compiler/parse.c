/* parse.c — fc_parse_condition() (parse.h): runs the reentrant scanner (grammar/lexer.l) and
 * the pure parser (grammar/parser.y) over one condition text and hands back the AST or the
 * first error with upstream's message and the byte offset where upstream's parser stood. */
#include "parse.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

#define YYSTYPE FC_YYSTYPE
#define YYLTYPE FC_YYLTYPE
/* Our yylex takes the context too; defining YY_DECL keeps lexer.h from declaring the
 * default three-argument prototype. */
#define YY_DECL int fc_yylex(YYSTYPE *yylval_param, YYLTYPE *yylloc_param, yyscan_t yyscanner, struct fc_pctx *ctx)
#include "lexer.h"

struct fc_ast *fc_parse_condition(struct fc_arena *a, const char *text, size_t len, const struct fc_origin *org,
				  unsigned max_depth, struct fc_parse_error *err)
{
	memset(err, 0, sizeof *err);
	if (len == 0) {
		snprintf(err->msg, sizeof err->msg, "filter input string is empty");
		return NULL;
	}
	if (len > (size_t)INT_MAX - 2) { /* flex buffers are int-sized; positions are 32-bit */
		snprintf(err->msg, sizeof err->msg, "filter input string is too long");
		return NULL;
	}
	struct fc_pctx ctx = {
		.arena = a,
		.org = org,
		.text = text,
		.len = (uint32_t)len,
		.max_depth = max_depth,
		.or_d = 1, /* parse() calls parse_or() first */
		.err = err,
	};
	yyscan_t scanner;
	if (fc_yylex_init_extra(&ctx, &scanner)) {
		fputs("falcoc: out of memory\n", stderr);
		abort();
	}
	YY_BUFFER_STATE buf = fc_yy_scan_bytes(text, (int)len, scanner);
	int rc = fc_yyparse(scanner, &ctx);
	fc_yy_delete_buffer(buf, scanner);
	fc_yylex_destroy(scanner);
	free(ctx.frames);
	if (rc != 0 || ctx.failed || !ctx.result) {
		if (!ctx.failed)
			fc_pctx_fail(&ctx, ctx.off, "syntax error");
		return NULL;
	}
	if (ctx.has_nul) { /* value_parser.cpp's check, done once the text has parsed */
		fc_pctx_fail(&ctx, ctx.nul_pos, "filter value cannot contain a NUL byte (\\x00)");
		return NULL;
	}
	return ctx.result;
}
