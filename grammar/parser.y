/* parser.y — the condition grammar (LANGUAGE.md §3): a pure bison parser whose actions only
 * build the AST (compiler/ast.h). It owns the shared lexer/parser context (struct fc_pctx),
 * the token set, the and/or/not/parenthesis structure, and the mapping of syntax errors to
 * upstream's messages (yyreport_syntax_error).
 *
 * Division of labour with grammar/lexer.l: upstream's parser is a hand-written recursive
 * descent whose lexing depends on what it is parsing, so the lexer here is a state machine
 * that mirrors everything inside a check (field, operator, value, list, transformer,
 * argument) and reports those errors itself through a LEXERR token carrying upstream's
 * message. The grammar keeps the boolean structure, the n-ary flattening (one flat node per
 * upstream parse call: `a or b or c` is one node, `(a or b) or c` stays nested), the `not`
 * parity, and the errors that depend on nesting ("expected a ')' token" inside parentheses,
 * "unexpected token after '...'" at top level).
 *
 * Conflicts: none (%expect 0). */

%code top {
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
}

%code requires {
#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "parse.h"

/* A location is a pair of byte offsets into the parsed text; line/col are derived later. */
struct fc_loc {
	uint32_t begin, end;
};

/* One nesting level the lexer is inside (a parenthesis, a transformer's arguments, ...). The
 * start condition to return to lives on flex's start-condition stack, pushed in step. */
enum fc_frame_kind { FC_FR_PAREN, FC_FR_XF, FC_FR_VAL, FC_FR_TLIST, FC_FR_LIST };
struct fc_frame {
	uint8_t kind;
	uint32_t depth; /* PAREN: the enclosing or-depth to restore; others: lexer.l's header */
};

/* Shared by the scanner (as its extra data) and the parser (as %param). */
struct fc_pctx {
	struct fc_arena *arena;
	const struct fc_origin *org;
	const char *text; /* the condition, TEXT[0..len) */
	uint32_t len;
	uint32_t off;       /* lexer: offset of the next unread byte */
	unsigned max_depth; /* upstream's recursion budget (Falco: 1000) */
	bool started;

	/* Nesting, for the depth limit and the start condition that follows a field. */
	struct fc_frame *frames;
	uint32_t nframes, capframes;
	uint32_t or_d;    /* upstream recursion depth of the current parse_or() */
	uint32_t check_d; /* ... of the current parse_check() */
	uint32_t check_pos; /* S_CHECK2: where parse_check() was entered (before the \b) */
	uint32_t op_end;    /* end of the last string operator */
	int arg_ret;      /* start condition after a field argument's ']' */
	/* Where upstream's cursor is when its next transformer-argument calls are entered
	 * (UINT32_MAX: at the next token, after blanks). */
	bool targ_first;
	uint32_t targ_xpos, targ_apos;

	/* Text of the last two tokens returned, for "unexpected token after '<tok>'". */
	const char *last_s, *prev_s;
	uint32_t last_n, prev_n;

	/* The error a LEXERR token stands for. kind is T_AND / T_OR when the error is "no blank
	 * after and/or": the parser then prefers its own message if it did not want and/or. */
	int lex_kind;
	uint32_t lex_pos;
	char lex_msg[512];

	/* First value holding a NUL byte: upstream refuses it when compiling the value, i.e.
	 * only once the whole condition has parsed, so it is reported after a clean parse. */
	bool has_nul;
	uint32_t nul_pos;

	/* Outcome. */
	struct fc_ast *result;
	bool failed;
	struct fc_parse_error *err;
};

void fc_pctx_fail(struct fc_pctx *ctx, uint32_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
}

%code provides {
int fc_yylex(FC_YYSTYPE *lval, FC_YYLTYPE *lloc, void *scanner, struct fc_pctx *ctx);
}

%code {
/* Bison's own stack only grows with parenthesis nesting, which the lexer bounds by
 * max_depth; this is just a ceiling high enough for any max_depth a caller may pass. */
#define YYMAXDEPTH 10000000

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                   \
	do {                                                          \
		if (N) {                                              \
			(Cur).begin = YYRHSLOC(Rhs, 1).begin;         \
			(Cur).end = YYRHSLOC(Rhs, N).end;             \
		} else {                                              \
			(Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end; \
		}                                                     \
	} while (0)

static void fc_yyerror(FC_YYLTYPE *loc, void *scanner, struct fc_pctx *ctx, const char *msg);

static struct fc_ast *mk(struct fc_pctx *ctx, enum fc_ast_kind kind, uint32_t pos)
{
	return fc_ast_new(ctx->arena, kind, pos, ctx->org);
}

static struct fc_ast *mk_str(struct fc_pctx *ctx, enum fc_ast_kind kind, uint32_t pos, const char *s, uint32_t n)
{
	struct fc_ast *a = mk(ctx, kind, pos);
	a->str = s;
	a->len = n;
	return a;
}

static struct fc_ast *mk2(struct fc_pctx *ctx, enum fc_ast_kind kind, uint32_t pos, struct fc_ast *a, struct fc_ast *b)
{
	struct fc_ast *n = mk(ctx, kind, pos);
	fc_ast_push(ctx->arena, n, a);
	fc_ast_push(ctx->arena, n, b);
	return n;
}

static struct fc_ast *mk_not(struct fc_pctx *ctx, uint32_t pos, struct fc_ast *kid)
{
	struct fc_ast *n = mk(ctx, FC_AST_NOT, pos);
	fc_ast_push(ctx->arena, n, kid);
	return n;
}

static struct fc_ast *mk_check(struct fc_pctx *ctx, enum fc_ast_kind kind, struct fc_ast *left, int op,
			       int mod, struct fc_ast *right, uint32_t pos, uint32_t oppos)
{
	struct fc_ast *n = mk(ctx, kind, pos);
	n->left = left;
	n->right = right;
	n->op = (uint8_t)op;
	n->mod = (uint8_t)mod;
	n->oppos = oppos;
	return n;
}
}

%define api.pure full
%define api.prefix {fc_yy}
%define api.token.prefix {T_}
%define api.location.type {struct fc_loc}
%define parse.error custom
/* Exact expected-token sets at the error point (not after default reductions): the
 * message chosen depends on whether ')' / end of input / 'and' could have come next. */
%define parse.lac full
%locations
%param {void *scanner} {struct fc_pctx *ctx}
%expect 0

%union {
	struct fc_ast *node;
	struct {
		const char *s;
		uint32_t n;
	} str;
	int ival;
}

%token END 0 "end of input"
%token <str> FIELD IDENT STRING NUMBER ARG
%token NOT NOT_PAREN LPAREN RPAREN
%token AND AND_PAREN OR OR_PAREN
%token <ival> EXISTS NUMOP STROP LISTOP MODIFIER XF_OPEN
%token VAL_OPEN XF_CLOSE LBRACKET RBRACKET
%token LIST_OPEN LIST_CLOSE TLIST_OPEN TLIST_CLOSE COMMA
%token JUNK LEXERR

%type <node> or_expr or_list or_tail and_expr and_list and_tail not_expr check
%type <node> operand field xf targs targ tlist tl_items tl_elem
%type <node> num_rhs str_rhs list_rhs list_value values rhs_xf value
%type <ival> nots

%%

input
	: and_expr { ctx->result = $1; }
	/* upstream's top-level parse_or() records its position before skipping blanks */
	| or_list { $1->pos = 0; ctx->result = $1; }
	;

or_expr
	: and_expr
	| or_list
	;

/* Only the children collected by one parse_or() call share a node. */
or_list
	: and_expr or_tail { $$ = mk2(ctx, FC_AST_OR, @1.begin, $1, $2); }
	| or_list or_tail { fc_ast_push(ctx->arena, $1, $2); $$ = $1; }
	;

/* After `or(` upstream parses one parenthesised expression as the child and then looks
 * for another `or` only: `a or(b) and c` is rejected, like upstream. */
or_tail
	: OR and_expr { $$ = $2; }
	| OR_PAREN or_expr RPAREN { $$ = $2; }
	;

and_expr
	: not_expr
	| and_list
	;

and_list
	: not_expr and_tail { $$ = mk2(ctx, FC_AST_AND, @1.begin, $1, $2); }
	| and_list and_tail { fc_ast_push(ctx->arena, $1, $2); $$ = $1; }
	;

and_tail
	: AND not_expr { $$ = $2; }
	| AND_PAREN or_expr RPAREN { $$ = $2; }
	;

/* Each `not` toggles; an even count adds no node. */
not_expr
	: check
	| nots check { $$ = $1 ? mk_not(ctx, @1.begin, $2) : $2; }
	| NOT_PAREN or_expr RPAREN { $$ = mk_not(ctx, @1.begin, $2); }
	| nots NOT_PAREN or_expr RPAREN { $$ = $1 ? $3 : mk_not(ctx, @1.begin, $3); }
	;

nots
	: NOT { $$ = 1; }
	| nots NOT { $$ = !$1; }
	;

check
	: LPAREN or_expr RPAREN { $$ = $2; }
	| IDENT { $$ = mk_str(ctx, FC_AST_IDENT, @1.begin, $1.s, $1.n); }
	| operand EXISTS { $$ = mk_check(ctx, FC_AST_UNARY, $1, $2, FC_MOD_NONE, NULL, @1.begin, @2.begin); }
	| operand NUMOP num_rhs { $$ = mk_check(ctx, FC_AST_BINARY, $1, $2, FC_MOD_NONE, $3, @1.begin, @2.begin); }
	| operand STROP str_rhs { $$ = mk_check(ctx, FC_AST_BINARY, $1, $2, FC_MOD_NONE, $3, @1.begin, @2.begin); }
	| operand STROP MODIFIER list_value
		{ $$ = mk_check(ctx, FC_AST_BINARY, $1, $2, $3, $4, @1.begin, @2.begin); }
	| operand LISTOP list_rhs { $$ = mk_check(ctx, FC_AST_BINARY, $1, $2, FC_MOD_NONE, $3, @1.begin, @2.begin); }
	;

operand
	: field
	| xf
	;

field
	: FIELD { $$ = mk_str(ctx, FC_AST_FIELD, @1.begin, $1.s, $1.n); }
	| FIELD LBRACKET ARG RBRACKET
		{ $$ = mk_str(ctx, FC_AST_FIELD, @1.begin, $1.s, $1.n); $$->arg = $3.s; }
	;

/* targs builds the node; the opener supplies which transformer and where it starts. */
xf
	: XF_OPEN targs XF_CLOSE { $$ = $2; $$->xf = (uint8_t)$1; $$->pos = @1.begin; }
	| XF_OPEN targs XF_CLOSE LBRACKET ARG RBRACKET
		{ $$ = $2; $$->xf = (uint8_t)$1; $$->pos = @1.begin; $$->arg = $5.s; }
	;

targs
	: targ { $$ = mk(ctx, FC_AST_TRANSFORMER, @1.begin); fc_ast_push(ctx->arena, $$, $1); }
	| targs COMMA targ { fc_ast_push(ctx->arena, $1, $3); $$ = $1; }
	;

targ
	: field
	| xf
	| value
	| tlist
	;

tlist
	: TLIST_OPEN TLIST_CLOSE { $$ = mk(ctx, FC_AST_TLIST, @1.begin); }
	| TLIST_OPEN tl_items TLIST_CLOSE { $$ = $2; $$->pos = @1.begin; }
	;

tl_items
	: tl_elem { $$ = mk(ctx, FC_AST_TLIST, @1.begin); fc_ast_push(ctx->arena, $$, $1); }
	| tl_items COMMA tl_elem { fc_ast_push(ctx->arena, $1, $3); $$ = $1; }
	;

tl_elem
	: field
	| xf
	| value
	;

value
	: STRING { $$ = mk_str(ctx, FC_AST_VALUE, @1.begin, $1.s, $1.n); }
	| NUMBER { $$ = mk_str(ctx, FC_AST_VALUE, @1.begin, $1.s, $1.n); }
	;

num_rhs
	: NUMBER { $$ = mk_str(ctx, FC_AST_VALUE, @1.begin, $1.s, $1.n); }
	| rhs_xf
	;

str_rhs
	: STRING { $$ = mk_str(ctx, FC_AST_VALUE, @1.begin, $1.s, $1.n); }
	| rhs_xf
	;

list_rhs
	: list_value
	| rhs_xf
	;

/* A single identifier in list position is one value (never a macro). */
list_value
	: STRING { $$ = mk_str(ctx, FC_AST_VALUE, @1.begin, $1.s, $1.n); }
	| LIST_OPEN LIST_CLOSE { $$ = mk(ctx, FC_AST_LIST, @1.begin); }
	| LIST_OPEN values LIST_CLOSE { $$ = $2; $$->pos = @1.begin; }
	;

values
	: STRING
		{ $$ = mk(ctx, FC_AST_LIST, @1.begin);
		  fc_ast_push(ctx->arena, $$, mk_str(ctx, FC_AST_VALUE, @1.begin, $1.s, $1.n)); }
	| values COMMA STRING
		{ fc_ast_push(ctx->arena, $1, mk_str(ctx, FC_AST_VALUE, @3.begin, $3.s, $3.n)); $$ = $1; }
	;

/* val(F) is a plain field marked as such; any transformer also makes a field comparison. */
rhs_xf
	: xf
	| VAL_OPEN field XF_CLOSE { $$ = $2; $$->val = true; }
	;

%%

void fc_pctx_fail(struct fc_pctx *ctx, uint32_t pos, const char *fmt, ...)
{
	if (ctx->failed)
		return;
	ctx->failed = true;
	ctx->err->pos = pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->err->msg, sizeof ctx->err->msg, fmt, ap);
	va_end(ap);
}

/* Bison only calls this for stack exhaustion ("memory exhausted"): the nesting is too deep. */
static void fc_yyerror(FC_YYLTYPE *loc, void *scanner, struct fc_pctx *ctx, const char *msg)
{
	(void)scanner;
	(void)msg;
	fc_pctx_fail(ctx, loc->begin, "exceeded max depth limit of %u", ctx->max_depth);
}

static int yyreport_syntax_error(const yypcontext_t *yc, void *scanner, struct fc_pctx *ctx)
{
	(void)scanner;
	yysymbol_kind_t la = yypcontext_token(yc);
	const FC_YYLTYPE *loc = yypcontext_location(yc);
	yysymbol_kind_t exp[YYNTOKENS];
	int n = yypcontext_expected_tokens(yc, exp, YYNTOKENS);
	bool want_rparen = false, want_end = false, want_kind = false;
	yysymbol_kind_t kind = ctx->lex_kind == T_AND ? YYSYMBOL_AND : ctx->lex_kind == T_OR ? YYSYMBOL_OR : YYSYMBOL_YYEMPTY;
	for (int i = 0; i < n; i++) {
		want_rparen |= exp[i] == YYSYMBOL_RPAREN;
		want_end |= exp[i] == YYSYMBOL_YYEOF;
		want_kind |= exp[i] == kind;
	}
	if (la == YYSYMBOL_LEXERR && (ctx->lex_kind == 0 || want_kind))
		fc_pctx_fail(ctx, ctx->lex_pos, "%s", ctx->lex_msg);
	else if (want_rparen)
		fc_pctx_fail(ctx, loc->begin, "expected a ')' token");
	else if (want_end)
		fc_pctx_fail(ctx, loc->begin, "unexpected token after '%.*s', expecting 'or', 'and'", (int)ctx->prev_n,
			     ctx->prev_s ? ctx->prev_s : "");
	else
		fc_pctx_fail(ctx, loc->begin, "syntax error"); /* unreachable: the lexer mirrors the grammar */
	return 0;
}
