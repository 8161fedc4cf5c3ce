/* test_parser.c — the condition parser (grammar/lexer.l, grammar/parser.y, compiler/parse.c)
 * and the AST helpers (compiler/ast.c): the accept / reject / AST corpora of tests/parser/
 * (upstream's filter_parser.ut.cpp cases and LANGUAGE.md §2-§4, §6, with every line also
 * re-parsed with its spaces turned into \n and \t), node and error positions, n-ary
 * flattening and `not` parity, control and NUL bytes, the depth limit, size and speed
 * (10k-item list, 1 MB condition, 10k-deep parentheses), random garbage, clone and print. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ast.h"
#include "parse.h"

#define MAXD FC_PARSE_MAX_DEPTH

static struct fc_arena arena;
static struct fc_parse_error perr;

static void setup(void)
{
	memset(&arena, 0, sizeof arena);
}

static void teardown(void)
{
	fc_arena_free(&arena);
}

TestSuite(parser, .init = setup, .fini = teardown);

/* Parses exactly LEN bytes from a heap copy with no terminator, so that a sanitizer build
 * catches any read past the end. */
static struct fc_ast *parse_n(const char *s, size_t len, unsigned max_depth)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, s, len);
	struct fc_ast *ast = fc_parse_condition(&arena, copy, len, NULL, max_depth, &perr);
	free(copy);
	return ast;
}

static struct fc_ast *parse(const char *s)
{
	return parse_n(s, strlen(s), MAXD);
}

static const char *show(const struct fc_ast *n)
{
	static char out[1 << 16];
	struct fc_buf b = {0};
	fc_ast_print(&b, n);
	snprintf(out, sizeof out, "%s", b.p ? b.p : "");
	fc_buf_free(&b);
	return out;
}

static void accept_as(const char *in, const char *want)
{
	struct fc_ast *a = parse(in);
	cr_assert(a, "rejected: %s -> @%u %s", in, perr.pos, perr.msg);
	cr_assert_str_eq(show(a), want, "for: %s", in);
}

static void reject_with(const char *in, size_t len, const char *msg, uint32_t pos)
{
	struct fc_ast *a = parse_n(in, len, MAXD);
	cr_assert_null(a, "accepted: %.*s -> %s", (int)len, in, show(a));
	cr_assert_str_eq(perr.msg, msg, "for: %.*s", (int)len, in);
	cr_assert_eq(perr.pos, pos, "for: %.*s: pos %u, want %u", (int)len, in, perr.pos, pos);
}

static void reject(const char *in, const char *msg, uint32_t pos)
{
	reject_with(in, strlen(in), msg, pos);
}

/* ---------------------------------------------------------------- corpora */

struct corpus {
	char *text;
	char **lines;
	size_t n;
};

static struct corpus load(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/parser/%s", FC_SOURCE_DIR, name);
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	rewind(f);
	struct corpus c = {.text = malloc((size_t)size + 1)};
	cr_assert_eq(fread(c.text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	c.text[size] = 0;
	c.lines = malloc(sizeof *c.lines * ((size_t)size + 1));
	for (char *p = c.text; *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		c.lines[c.n++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	return c;
}

static void unload(struct corpus *c)
{
	free(c->lines);
	free(c->text);
}

static void replace_spaces(char *dst, const char *src, char with)
{
	for (; *src; src++, dst++)
		*dst = *src == ' ' ? with : *src;
	*dst = 0;
}

Test(parser, accept_corpus)
{
	struct corpus c = load("accept.txt");
	size_t cases = 0, variants = 0;
	for (size_t i = 0; i < c.n; i++) {
		const char *line = c.lines[i];
		if (!*line || (line[0] == '#' && (line[1] == ' ' || !line[1])))
			continue;
		cases++;
		struct fc_ast *a = parse(line);
		cr_expect(a, "accept.txt:%zu rejected: %s -> @%u %s", i + 1, line, perr.pos, perr.msg);
		if (!a || strpbrk(line, "\"'\\") || strlen(line) >= 4096)
			continue; /* blanks inside quotes are data; "\ " is an escape */
		char *canon = strdup(show(a)), alt[4096];
		static const char blanks[] = {'\n', '\t'};
		for (int k = 0; k < 2; k++) {
			replace_spaces(alt, line, blanks[k]);
			struct fc_ast *b = parse(alt);
			cr_expect(b, "accept.txt:%zu rejected with %s for spaces: @%u %s", i + 1, k ? "\\t" : "\\n", perr.pos,
				  perr.msg);
			if (b)
				cr_expect_str_eq(show(b), canon, "accept.txt:%zu changed meaning with %s for spaces", i + 1,
						 k ? "\\t" : "\\n");
			variants++;
		}
		free(canon);
	}
	cr_log_info("accept.txt: %zu conditions, %zu blank variants", cases, variants);
	cr_expect_geq(cases, 300);
	unload(&c);
}

Test(parser, reject_corpus)
{
	struct corpus c = load("reject.txt");
	size_t cases = 0;
	for (size_t i = 0; i < c.n; i++) {
		char *line = c.lines[i];
		char *tab = strchr(line, '\t');
		if (!tab)
			continue; /* comment */
		*tab = 0;
		char *msg = tab + 1, *tab2 = strchr(msg, '\t');
		long pos = -1;
		if (tab2) {
			*tab2 = 0;
			pos = strtol(tab2 + 1, NULL, 10);
		}
		cases++;
		struct fc_ast *a = parse(line);
		cr_expect_null(a, "reject.txt:%zu accepted: %s -> %s", i + 1, line, show(a));
		if (a)
			continue;
		cr_expect_str_eq(perr.msg, msg, "reject.txt:%zu: %s", i + 1, line);
		if (pos >= 0)
			cr_expect_eq(perr.pos, (uint32_t)pos, "reject.txt:%zu: %s: error at %u, want %ld", i + 1, line,
				     perr.pos, pos);
	}
	cr_log_info("reject.txt: %zu conditions", cases);
	cr_expect_geq(cases, 150);
	unload(&c);
}

Test(parser, ast_corpus)
{
	struct corpus c = load("ast.txt");
	size_t cases = 0;
	for (size_t i = 0; i < c.n; i++) {
		char *line = c.lines[i];
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		cases++;
		struct fc_ast *a = parse(line);
		cr_expect(a, "ast.txt:%zu rejected: %s -> @%u %s", i + 1, line, perr.pos, perr.msg);
		if (a)
			cr_expect_str_eq(show(a), tab + 1, "ast.txt:%zu: %s", i + 1, line);
	}
	cr_expect_geq(cases, 60);
	unload(&c);
}

/* ---------------------------------------------------------------- AST shape */

Test(parser, nary_flattening_per_level)
{
	struct fc_ast *a = parse("a and b and c and d");
	cr_assert_eq(a->kind, FC_AST_AND);
	cr_assert_eq(a->nkids, 4);
	a = parse("(a and b) and c");
	cr_assert_eq(a->kind, FC_AST_AND);
	cr_assert_eq(a->nkids, 2);
	cr_assert_eq(a->kids[0]->kind, FC_AST_AND);
	cr_assert_eq(a->kids[0]->nkids, 2);
	a = parse("a or b and c and d or e");
	cr_assert_eq(a->kind, FC_AST_OR);
	cr_assert_eq(a->nkids, 3);
	cr_assert_eq(a->kids[1]->kind, FC_AST_AND);
	cr_assert_eq(a->kids[1]->nkids, 3);
	a = parse("a or(b) or(c or d)");
	cr_assert_eq(a->nkids, 3);
	cr_assert_eq(a->kids[2]->kind, FC_AST_OR);
	/* or( takes one parenthesised child and then only another `or` may follow */
	reject("a or(b) and c", "unexpected token after ')', expecting 'or', 'and'", 8);
	reject("(a or(b) and c)", "expected a ')' token", 9);
	accept_as("a or (b) and c", "(a or (b and c))");
	accept_as("a and(b) or c", "((a and b) or c)");
}

Test(parser, not_parity)
{
	struct fc_ast *a = parse("not not not a");
	cr_assert_eq(a->kind, FC_AST_NOT);
	cr_assert_eq(a->kids[0]->kind, FC_AST_IDENT);
	a = parse("not not a");
	cr_assert_eq(a->kind, FC_AST_IDENT);
	a = parse("not not not not not(not not(not not_macro))");
	cr_assert_eq(a->kind, FC_AST_NOT);
	cr_assert_eq(a->kids[0]->kind, FC_AST_NOT);
	cr_assert_eq(a->kids[0]->kids[0]->kind, FC_AST_IDENT);
	cr_assert_str_eq(a->kids[0]->kids[0]->str, "not_macro");
	/* `not` is a keyword only before blanks or '(' */
	accept_as("notb", "notb");
	accept_as("not", "not");
	accept_as("not\va", "not a");  /* [[:space:]] includes \v and \f */
	accept_as("not\fa", "not a");
	reject("not\ba", "unexpected token after 'not', expecting 'or', 'and'", 4);
	/* after `not ` upstream no longer tries `not` once a \b had to be skipped */
	reject("not \bnot a", "unexpected token after 'not', expecting 'or', 'and'", 9);
	accept_as("not \bnota", "not nota");
}

Test(parser, node_kinds_and_fields)
{
	struct fc_ast *a = parse("proc.aname[2] startswith oneof (a, 'b c')");
	cr_assert_eq(a->kind, FC_AST_BINARY);
	cr_assert_eq(a->op, FC_OP_STARTSWITH);
	cr_assert_eq(a->mod, FC_MOD_ONEOF);
	cr_assert_eq(a->left->kind, FC_AST_FIELD);
	cr_assert_str_eq(a->left->str, "proc.aname");
	cr_assert_eq(a->left->len, 10);
	cr_assert_str_eq(a->left->arg, "2");
	cr_assert_eq(a->right->kind, FC_AST_LIST);
	cr_assert_eq(a->right->nkids, 2);
	cr_assert_eq(a->right->kids[1]->kind, FC_AST_VALUE);
	cr_assert_str_eq(a->right->kids[1]->str, "b c");

	a = parse("proc.name exists");
	cr_assert_eq(a->kind, FC_AST_UNARY);
	cr_assert_eq(a->op, FC_OP_EXISTS);
	cr_assert_null(a->right);
	cr_assert_null(a->left->arg);

	a = parse("proc.name = val(proc.pname)");
	cr_assert_eq(a->right->kind, FC_AST_FIELD);
	cr_assert(a->right->val);
	cr_assert_not(a->left->val);

	a = parse("proc.name in x");
	cr_assert_eq(a->right->kind, FC_AST_VALUE); /* one identifier is one value, never a macro */
	cr_assert_str_eq(a->right->str, "x");

	a = parse("join(\",\", (a.b, tolower(c.d), 'x', 1))[k] = v");
	cr_assert_eq(a->left->kind, FC_AST_TRANSFORMER);
	cr_assert_eq(a->left->xf, FC_XF_JOIN);
	cr_assert_str_eq(a->left->arg, "k");
	cr_assert_eq(a->left->nkids, 2);
	cr_assert_eq(a->left->kids[0]->kind, FC_AST_VALUE);
	cr_assert_str_eq(a->left->kids[0]->str, ",");
	const struct fc_ast *tl = a->left->kids[1];
	cr_assert_eq(tl->kind, FC_AST_TLIST);
	cr_assert_eq(tl->nkids, 4);
	cr_assert_eq(tl->kids[0]->kind, FC_AST_FIELD);
	cr_assert_eq(tl->kids[1]->kind, FC_AST_TRANSFORMER);
	cr_assert_eq(tl->kids[1]->xf, FC_XF_TOLOWER);
	cr_assert_eq(tl->kids[2]->kind, FC_AST_VALUE);
	cr_assert_eq(tl->kids[3]->kind, FC_AST_VALUE);
	cr_assert_str_eq(tl->kids[3]->str, "1");

	a = parse("a.b = 'x\\x41\\ty'");
	cr_assert_eq(a->right->len, 4);
	cr_assert_str_eq(a->right->str, "xA\ty");
	a = parse("fd.name = \"\"");
	cr_assert_eq(a->right->len, 0);
	cr_assert_str_eq(a->right->str, "");
}

Test(parser, every_operator_modifier_transformer)
{
	char buf[256];
	for (int op = 0; op < FC_OP_MAX_; op++) {
		const char *t = fc_op_text((enum fc_op)op);
		switch (fc_op_class((enum fc_op)op)) {
		case FC_OPC_UNARY: snprintf(buf, sizeof buf, "a.b %s", t); break;
		case FC_OPC_NUM: snprintf(buf, sizeof buf, "a.b %s 1", t); break;
		case FC_OPC_STR: snprintf(buf, sizeof buf, "a.b %s x", t); break;
		case FC_OPC_LIST: snprintf(buf, sizeof buf, "a.b %s (x, y)", t); break;
		}
		struct fc_ast *a = parse(buf);
		cr_assert(a, "%s: %s", buf, perr.msg);
		cr_assert_eq(a->op, op, "%s", buf);
		cr_assert_str_eq(show(a), buf);
		cr_assert(strstr(fc_op_text((enum fc_op)op), t));
	}
	for (int m = FC_MOD_ONEOF; m <= FC_MOD_ALLOF; m++) {
		snprintf(buf, sizeof buf, "a.b endswith %s (x)", fc_mod_text((enum fc_mod)m));
		struct fc_ast *a = parse(buf);
		cr_assert(a, "%s: %s", buf, perr.msg);
		cr_assert_eq(a->mod, m);
		cr_assert_str_eq(show(a), buf);
	}
	cr_assert_str_eq(fc_mod_text(FC_MOD_NONE), "");
	/* every transformer of transformers.def is lexed as one, and listed in the messages */
	reject("a.b = ", "expected a string value or a field with a valid transformer: 'val', 'tolower', 'toupper', "
			 "'b64', 'basename', 'len', 'join', 'concat', 'getopt'", 6);
	char names[512];
	snprintf(names, sizeof names, "%s", strchr(perr.msg, '\''));
	for (int x = 0; x < FC_XF_MAX_; x++) {
		snprintf(buf, sizeof buf, "%s(a.b) exists", fc_xf_name((enum fc_xf)x));
		struct fc_ast *a = parse(buf);
		cr_assert(a, "%s: %s", buf, perr.msg);
		cr_assert_eq(a->left->xf, x);
		cr_assert_str_eq(show(a), buf);
		char quoted[64];
		snprintf(quoted, sizeof quoted, "'%s'", fc_xf_name((enum fc_xf)x));
		cr_assert(strstr(names, quoted), "%s missing from the message", quoted);
	}
	cr_assert_str_eq(fc_op_text(FC_OP_MAX_), "?");
	cr_assert_str_eq(fc_xf_name(FC_XF_MAX_), "?");
	cr_assert_eq(fc_op_class(FC_OP_PMATCH), FC_OPC_LIST);
	cr_assert_eq(fc_op_class(FC_OP_GE), FC_OPC_NUM);
	reject("a.b", "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', "
		      "'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', "
		      "'intersects', 'in', 'pmatch'", 3);
}

/* ---------------------------------------------------------------- positions */

static void posv(struct fc_buf *b, const struct fc_ast *n)
{
	static const char *const kind[] = {"and", "or", "not", "identifier", "value", "list", "unary",
					   "binary", "field", "transformer", "tlist"};
	fc_buf_printf(b, "%s%u ", kind[n->kind], n->pos);
	if (n->left)
		posv(b, n->left);
	if (n->right)
		posv(b, n->right);
	if (n->kind != FC_AST_LIST)
		for (uint32_t i = 0; i < n->nkids; i++)
			posv(b, n->kids[i]);
}

static void positions(const char *in, const char *want)
{
	struct fc_ast *a = parse(in);
	cr_assert(a, "%s: %s", in, perr.msg);
	struct fc_buf b = {0};
	posv(&b, a);
	cr_expect_str_eq(b.p, want, "for: %s", in);
	fc_buf_free(&b);
}

/* Upstream's pos_visitor expectations (idx only; line/col are derived from offsets). */
Test(parser, node_positions)
{
	positions("proc.name exists", "unary0 field0 ");
	positions("proc.name=nginx", "binary0 field0 value10 ");
	positions("proc.aname[3]=nginx", "binary0 field0 value14 ");
	positions("proc.name =nginx", "binary0 field0 value11 ");
	positions("proc.name= nginx", "binary0 field0 value11 ");
	positions("proc.name = nginx", "binary0 field0 value12 ");
	positions("proc.name in (nginx, apache)", "binary0 field0 list13 ");
	positions("proc.name in ( nginx, apache)", "binary0 field0 list13 ");
	positions("not proc.name=nginx", "not0 binary4 field4 value14 ");
	positions("proc.name=nginx or proc.name=apache", "or0 binary0 field0 value10 binary19 field19 value29 ");
	positions("(proc.name=nginx or proc.name=apache)", "or1 binary1 field1 value11 binary20 field20 value30 ");
	positions("(proc.name=nginx and proc.name=apache)", "and1 binary1 field1 value11 binary21 field21 value31 ");
	positions("(proc.aname[2]=nginx and evt.type in (connect,accept)) or (not fd.name exists) or "
		  "(proc.name=apache and evt.type=switch)",
		  "or0 and1 binary1 field1 value15 binary25 field25 list37 not59 unary63 field63 and83 binary83 "
		  "field83 value93 binary104 field104 value113 ");
	positions("\n(proc.aname[2]=nginx\n     and evt.type in (connect,accept))\n   or (not fd.name exists)\n   "
		  "or (proc.name=apache\n       and evt.type=switch)",
		  "or0 and2 binary2 field2 value16 binary31 field31 list43 not68 unary72 field72 and95 binary95 "
		  "field95 value105 binary123 field123 value132 ");
	/* the val() transformer of upstream is our field marked val: it keeps the field's position */
	positions("b64(evt.name) exists and tolower(toupper(evt.type)) in val(some.field) and not "
		  "evt.dir=b64(some.field) or proc.name=b64(tolower(some.field))",
		  "or0 and0 unary0 transformer0 field4 binary25 transformer25 transformer33 field41 field59 not75 "
		  "binary79 field79 transformer87 field91 binary106 field106 transformer116 transformer120 field128 ");
	/* the top-level or starts where parsing starts; an and starts at its first token */
	positions("  a or b", "or0 identifier2 identifier7 ");
	positions("  a and b", "and2 identifier2 identifier8 ");
	positions("a.b in (x, \"y\", z)", "binary0 field0 list7 ");
	positions("concat(a.b, \"x\", (c.d, 1))[k] = v", "binary0 transformer0 field7 value12 tlist17 field18 value23 "
							    "value32 ");
	/* list items keep their own positions */
	struct fc_ast *a = parse("a.b in (x, \"y\",  z)");
	cr_assert_eq(a->right->kids[0]->pos, 8);
	cr_assert_eq(a->right->kids[1]->pos, 11);
	cr_assert_eq(a->right->kids[2]->pos, 17);
}

Test(parser, operator_positions)
{
	struct fc_ast *a = parse("proc.name  startswith  x");
	cr_assert_eq(a->pos, 0);
	cr_assert_eq(a->oppos, 11);
	a = parse("x.y exists and tolower(a.b)>=1");
	cr_assert_eq(a->kids[0]->oppos, 4);
	cr_assert_eq(a->kids[1]->pos, 15);
	cr_assert_eq(a->kids[1]->oppos, 27);
	a = parse("a.b globin (x)"); /* the quirk: `in` is the operator */
	cr_assert_eq(a->op, FC_OP_IN);
	cr_assert_eq(a->oppos, 8);
}

Test(parser, error_positions)
{
	/* where upstream's cursor stood when it threw */
	reject("a.b = \"x\\q\" and c", "unsupported string escape sequence: \\q", 11); /* after the string */
	reject("a.b containsx", "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', "
				"'!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', "
				"'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'",
	       12); /* after the word operator */
	reject("a andb", "expected blank or '(' after 'and'", 5);
	reject("a\n  and\n(b", "expected a ')' token", 10);
	reject("(a\r\n", "expected a ')' token", 4);
	reject("a b", "unexpected token after 'a', expecting 'or', 'and'", 2);
	reject("  ", "expected a '(' token, a field check, or an identifier", 2);
	reject("", "filter input string is empty", 0);
	reject("x.y[", "expected a valid field argument: a quoted string or a bare string", 4);
}

/* ---------------------------------------------------------------- bytes */

Test(parser, blanks_and_control_bytes)
{
	accept_as("a\r\nand\r\nb", "(a and b)");
	accept_as("\t\ba\b\band\bb", "(a and b)");
	accept_as("a.b contains\bx", "a.b contains x");
	accept_as("a.b = x\by", "a.b = \"x\\by\""); /* \b is a blank, but BareStr may hold it */
	accept_as("a.b =\boneof (x)", "a.b = oneof (x)");
	reject("a\fand b", "unexpected token after 'a', expecting 'or', 'and'", 1); /* \f is not a blank */
	reject("a.b = x\vy", "unexpected token after 'x', expecting 'or', 'and'", 7);
	reject("a.b\v= x", "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', "
			  "'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', "
			  "'endswith', 'regex', 'intersects', 'in', 'pmatch'",
	       3);
	accept_as("a.b[\bx] exists", "a.b[\"\\bx\"] exists"); /* no blank skipping inside [] */
	reject("b64\n(x.y) exists", "unexpected token after 'b64', expecting 'or', 'and'", 4);
	accept_as("a.b = \"x\ny\"", "a.b = \"x\\ny\"");
	accept_as("a.b = \xff\xfe", "a.b = \xff\xfe");
}

Test(parser, nul_bytes)
{
	reject_with("a.b = x\0y", 9, "filter value cannot contain a NUL byte (\\x00)", 6);
	reject_with("a.b in (x, \0)", 13, "filter value cannot contain a NUL byte (\\x00)", 11);
	reject_with("a.b[\0] = 1", 10, "filter value cannot contain a NUL byte (\\x00)", 4);
	reject("a.b = \"\\x00\"", "filter value cannot contain a NUL byte (\\x00)", 6);
	reject("a.b = 'x\\x00y'", "filter value cannot contain a NUL byte (\\x00)", 6);
	reject("tolower(\"\\x00\") = 1", "filter value cannot contain a NUL byte (\\x00)", 8);
	/* a raw NUL ends a quoted string scan: unterminated */
	reject_with("a.b = \"x\0\"", 10,
		    "expected a string value or a field with a valid transformer: 'val', 'tolower', 'toupper', 'b64', "
		    "'basename', 'len', 'join', 'concat', 'getopt'",
		    6);
	reject_with("a\0", 2, "unexpected token after 'a', expecting 'or', 'and'", 1);
	reject_with("\0", 1, "expected a '(' token, a field check, or an identifier", 0);
	reject_with("a.b\0exists", 10, "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', "
					"'=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', "
					"'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', "
					"'pmatch'",
		    3);
	/* the NUL check comes from compiling the value: a syntax error anywhere wins */
	reject_with("a.b = x\0y z", 11, "unexpected token after 'x', expecting 'or', 'and'", 10);
	reject_with("a.b = x\0y and (c", 16, "expected a ')' token", 16);
	/* never reads past len */
	struct fc_ast *a = parse_n("a.b = x and junk)))", 7, MAXD);
	cr_assert(a, "%s", perr.msg);
	cr_assert_str_eq(show(a), "a.b = x");
}

/* ---------------------------------------------------------------- depth and size */

static char *repeat3(const char *pre, unsigned n, const char *mid, const char *post)
{
	size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
	char *s = malloc(n * (lp + lq) + lm + 1), *p = s;
	for (unsigned i = 0; i < n; i++, p += lp)
		memcpy(p, pre, lp);
	memcpy(p, mid, lm);
	p += lm;
	for (unsigned i = 0; i < n; i++, p += lq)
		memcpy(p, post, lq);
	*p = 0;
	return s;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Upstream counts guarded recursive calls: each parenthesis costs 5 (parse_check,
 * parse_embedded_remainder, parse_or, parse_and, parse_not), each not( 4. */
Test(parser, depth_limit)
{
	char *s = repeat3("(", 199, "a", ")");
	cr_assert(parse(s), "199 parentheses: %s", perr.msg);
	free(s);
	s = repeat3("(", 200, "a", ")");
	reject(s, "exceeded max depth limit of 1000", 200);
	free(s);
	s = repeat3("(", 198, "a.b = c", ")");
	cr_assert(parse(s), "198 parentheses around a check: %s", perr.msg);
	free(s);
	s = repeat3("(", 199, "a.b = c", ")");
	reject(s, "exceeded max depth limit of 1000", 202);
	free(s);
	s = repeat3("not(", 248, "a", ")");
	cr_assert(parse(s), "248 not(: %s", perr.msg);
	free(s);
	s = repeat3("not(", 249, "a", ")");
	reject(s, "exceeded max depth limit of 1000", 996);
	free(s);
	char *inner = repeat3("b64(", 495, "c.d", ")");
	s = repeat3("a.b = ", 1, inner, "");
	cr_assert(parse(s), "495 nested transformers: %s", perr.msg);
	free(s);
	free(inner);
	inner = repeat3("b64(", 496, "c.d", ")");
	s = repeat3("a.b = ", 1, inner, "");
	cr_assert_null(parse(s), "496 nested transformers");
	cr_assert_str_eq(perr.msg, "exceeded max depth limit of 1000");
	free(s);
	free(inner);
	/* not keywords and flat lists cost nothing */
	s = repeat3("not ", 20000, "a", "");
	cr_assert(parse(s), "%s", perr.msg);
	free(s);
	/* the library default of upstream (100) and a tiny budget */
	s = repeat3("(", 19, "a", ")");
	cr_assert(parse_n(s, strlen(s), 100), "%s", perr.msg);
	free(s);
	s = repeat3("(", 20, "a", ")");
	cr_assert_null(parse_n(s, strlen(s), 100));
	cr_assert_str_eq(perr.msg, "exceeded max depth limit of 100");
	free(s);
	cr_assert_null(parse_n("a", 1, 4));
	cr_assert_str_eq(perr.msg, "exceeded max depth limit of 4");
	cr_assert(parse_n("a", 1, 5));
}

Test(parser, deep_nesting_fails_fast)
{
	/* prefix, repeated opener, middle, repeated closer, suffix */
	static const char *const shapes[][5] = {
		{"", "(", "a", ")", ""},
		{"", "not(", "a", ")", ""},
		{"", "not (", "a", ")", ""},
		{"", "a and(", "b", ")", ""},
		{"", "a or(", "b", ")", ""},
		{"x.y = ", "tolower(", "a.b", ")", ""},
		{"", "tolower(", "a.b", ")", " exists"},
		{"x.y = ", "concat(a.b, ", "c.d", ")", ""},
		{"x.y = join(\",\", (", "b64(", "c.d", ")", "))"},
		{"", "(", "", "", ""},
	};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		char *body = repeat3(shapes[i][1], 10000, shapes[i][2], shapes[i][3]);
		char *s = repeat3(shapes[i][0], 1, body, shapes[i][4]);
		free(body);
		double t0 = now_ms();
		struct fc_ast *a = parse(s);
		double ms = now_ms() - t0;
		cr_assert_null(a, "%s x10000 accepted", shapes[i][1]);
		cr_assert_str_eq(perr.msg, "exceeded max depth limit of 1000", "%s x10000", shapes[i][1]);
		if (i == 0)
			cr_log_info("10,000-deep parentheses: rejected in %.3f ms", ms);
		free(s);
	}
	/* a caller may raise the budget: bison's stack must follow */
	char *s = repeat3("(", 10000, "a", ")");
	double t0 = now_ms();
	cr_assert(parse_n(s, strlen(s), 60000), "%s", perr.msg);
	cr_log_info("10,000-deep parentheses with max_depth 60000: parsed in %.3f ms", now_ms() - t0);
	free(s);
}

Test(parser, ten_thousand_item_list)
{
	struct fc_buf b = {0};
	fc_buf_puts(&b, "proc.name in (");
	for (int i = 0; i < 10000; i++)
		fc_buf_printf(&b, "%sa%d", i ? ", " : "", i);
	fc_buf_puts(&b, ")");
	double best = 1e9;
	struct fc_ast *a = NULL;
	for (int r = 0; r < 3; r++) {
		double t0 = now_ms();
		a = fc_parse_condition(&arena, b.p, b.len, NULL, MAXD, &perr);
		double ms = now_ms() - t0;
		best = ms < best ? ms : best;
		cr_assert(a, "%s", perr.msg);
	}
	cr_assert_eq(a->right->nkids, 10000);
	cr_assert_str_eq(a->right->kids[9999]->str, "a9999");
	cr_log_info("10,000-item list (%zu bytes): %.3f ms", b.len, best);
	fc_buf_free(&b);
}

Test(parser, one_megabyte_condition)
{
	struct fc_buf b = {0};
	uint32_t n = 0;
	while (b.len < (1u << 20)) {
		fc_buf_printf(&b, "%s(proc.name = x%u and fd.name startswith \"/etc/%u\" or not evt.type in (open, "
				  "openat, 'a b'))",
			      n ? " or " : "", n, n);
		n++;
	}
	double t0 = now_ms();
	struct fc_ast *a = fc_parse_condition(&arena, b.p, b.len, NULL, MAXD, &perr);
	double ms = now_ms() - t0;
	cr_assert(a, "%s", perr.msg);
	cr_assert_eq(a->kind, FC_AST_OR);
	cr_assert_eq(a->nkids, n);
	cr_log_info("1 MB condition (%zu bytes, %u checks): %.3f ms", b.len, 3 * n, ms);
	/* one huge value and one huge quoted string */
	struct fc_buf v = {0};
	fc_buf_puts(&v, "a.b = ");
	while (v.len < (1u << 20))
		fc_buf_puts(&v, "abcdefgh");
	fc_buf_puts(&v, " and a.b = \"");
	while (v.len < (2u << 20))
		fc_buf_puts(&v, "x y\\t");
	fc_buf_puts(&v, "\"");
	t0 = now_ms();
	a = fc_parse_condition(&arena, v.p, v.len, NULL, MAXD, &perr);
	cr_assert(a, "%s", perr.msg);
	cr_log_info("2 MB of two values: %.3f ms", now_ms() - t0);
	/* an unterminated 1 MB string fails once, not quadratically */
	v.len--;
	t0 = now_ms();
	cr_assert_null(fc_parse_condition(&arena, v.p, v.len, NULL, MAXD, &perr));
	cr_assert_str_eq(perr.msg, "expected a string value or a field with a valid transformer: 'val', 'tolower', "
				   "'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'");
	fc_buf_free(&v);
	fc_buf_free(&b);
}

/* ---------------------------------------------------------------- robustness */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static void check_outcome(const char *s, size_t len)
{
	struct fc_ast *a = parse_n(s, len, MAXD);
	if (a) {
		struct fc_buf b = {0};
		fc_ast_print(&b, a);
		fc_buf_free(&b);
		return;
	}
	cr_assert(perr.msg[0], "no message for %.*s", (int)len, s);
	cr_assert(perr.pos <= len, "error at %u past the end (%zu)", perr.pos, len);
	cr_assert(strcmp(perr.msg, "syntax error"), "unmapped syntax error for: %.*s", (int)len, s);
}

Test(parser, random_bytes_never_crash)
{
	char buf[256];
	for (int i = 0; i < 4000; i++) {
		size_t len = rnd() % sizeof buf;
		for (size_t k = 0; k < len; k++)
			buf[k] = rnd() % 4 ? (char)(rnd() & 0xff) : "()\"'\\ ,[]=\0"[rnd() % 11];
		check_outcome(buf, len);
	}
}

Test(parser, random_token_soup_never_crash)
{
	static const char *const vocab[] = {
		"a", "a.b", "proc.name", "(", ")", "and", "or", "not", " ", "  ", "\n", "\t", "\b", "\f", "=", "==",
		"!=", "<", ">=", "in", "intersects", "pmatch", "exists", "contains", "glob", "startswith", "regex",
		"\"x y\"", "'z'", "\"", "'", "\\", "\\x4", "\\q", ",", "[", "]", "[1]", "tolower(", "b64(", "join(",
		"concat(", "getopt(", "val(", "oneof", "anyof", "allof", "1", "0x1F", "-2.5e+3", "not(", "and(", "or(",
		"x", "/etc/*", "<NA>", "\0", "\xff", "\"\\x00\"", "()", "(a, b)", "exists)", "existsand",
	};
	char buf[512];
	for (int i = 0; i < 6000; i++) {
		size_t len = 0, n = 1 + rnd() % 24;
		for (size_t k = 0; k < n; k++) {
			const char *w = vocab[rnd() % (sizeof vocab / sizeof vocab[0])];
			size_t l = w[0] ? strlen(w) : 1;
			if (len + l > sizeof buf)
				break;
			memcpy(buf + len, w, l);
			len += l;
		}
		check_outcome(buf, len);
	}
}

Test(parser, mutated_corpus_never_crash)
{
	struct corpus c = load("accept.txt");
	char buf[1024];
	for (int i = 0; i < 4000; i++) {
		const char *line = c.lines[rnd() % c.n];
		size_t len = strlen(line);
		if (len >= sizeof buf - 4)
			continue;
		memcpy(buf, line, len);
		int edits = 1 + (int)(rnd() % 3);
		for (int e = 0; e < edits && len; e++) {
			size_t at = rnd() % len;
			switch (rnd() % 3) {
			case 0: buf[at] = (char)(rnd() & 0xff); break;                 /* replace */
			case 1: memmove(buf + at, buf + at + 1, len - at - 1); len--; break; /* delete */
			default:
				if (len + 1 < sizeof buf) { /* insert */
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = "() ,'\"\\[]=\0"[rnd() % 11];
					len++;
				}
			}
		}
		check_outcome(buf, len);
	}
	unload(&c);
}

/* ---------------------------------------------------------------- ast.c */

Test(parser, push_grows_geometrically)
{
	enum { N = 100000 };
	struct fc_ast *list = fc_ast_new(&arena, FC_AST_LIST, 0, NULL);
	struct fc_ast **nodes = malloc(N * sizeof *nodes);
	for (uint32_t i = 0; i < N; i++)
		nodes[i] = fc_ast_new(&arena, FC_AST_VALUE, i, NULL);
	size_t before = arena.total;
	for (uint32_t i = 0; i < N; i++)
		fc_ast_push(&arena, list, nodes[i]);
	cr_assert_eq(list->nkids, N);
	for (uint32_t i = 0; i < N; i++)
		cr_assert_eq(list->kids[i], nodes[i]);
	/* all the kids arrays together: at most twice the final capacity (131072 slots) */
	cr_assert_leq(arena.total - before, 2 * 131072 * sizeof(void *));
	free(nodes);
}

Test(parser, clone_is_deep)
{
	static const int origin_a = 1, origin_b = 2;
	const struct fc_origin *oa = (const struct fc_origin *)&origin_a, *ob = (const struct fc_origin *)&origin_b;
	const char *src = "(a.b[x] in (p, \"q r\") or not tolower(c.d) = val(e.f)) and getopt(g.h, \"x:\")[x] exists "
			  "and m and join(\",\", (i.j, 1)) startswith anyof (s)";
	struct fc_ast *a = fc_parse_condition(&arena, src, strlen(src), oa, MAXD, &perr);
	cr_assert(a, "%s", perr.msg);
	char *before = strdup(show(a));
	struct fc_ast *c = fc_ast_clone(&arena, a, ob);
	cr_assert_str_eq(show(c), before);
	cr_assert_eq(c->org, ob);
	cr_assert_eq(a->org, oa);
	cr_assert_neq(c, a);
	cr_assert_neq(c->kids, a->kids);
	cr_assert_neq(c->kids[0]->kids[0]->left, a->kids[0]->kids[0]->left);
	cr_assert_neq(c->kids[0]->kids[0]->left->str, a->kids[0]->kids[0]->left->str);
	cr_assert_eq(c->kids[0]->kids[0]->left->org, ob);
	cr_assert_eq(c->kids[0]->kids[0]->pos, a->kids[0]->kids[0]->pos);
	/* clones are independent and can grow */
	fc_ast_push(&arena, c, fc_ast_clone(&arena, a->kids[2], NULL));
	cr_assert_eq(c->nkids, a->nkids + 1);
	cr_assert_eq(c->kids[c->nkids - 1]->org, oa); /* NULL keeps the original origin */
	cr_assert_str_eq(show(a), before);
	cr_assert_null(fc_ast_clone(&arena, NULL, NULL));
	free(before);
}

Test(parser, every_node_gets_the_origin)
{
	static const int origin = 7;
	const struct fc_origin *o = (const struct fc_origin *)&origin;
	const char *src = "not (a.b[1] = x or c.d in (y, z)) and tolower(e.f) = val(g.h) and concat(i.j, (k.l)) exists";
	struct fc_ast *a = fc_parse_condition(&arena, src, strlen(src), o, MAXD, &perr);
	cr_assert(a);
	const struct fc_ast *stack[64];
	int n = 0;
	stack[n++] = a;
	while (n) {
		const struct fc_ast *x = stack[--n];
		cr_assert_eq(x->org, o, "node kind %d at %u", x->kind, x->pos);
		if (x->left)
			stack[n++] = x->left;
		if (x->right)
			stack[n++] = x->right;
		for (uint32_t i = 0; i < x->nkids; i++)
			stack[n++] = x->kids[i];
	}
}

Test(parser, printing)
{
	accept_as("a.b = \"a\\x01b\\x7f\"", "a.b = \"a\\x01b\\x7f\"");
	accept_as("a.b = 'x=y'", "a.b = \"x=y\"");
	accept_as("a.b = 'x\\'y'", "a.b = \"x'y\"");
	accept_as("a.b in ('', \"\")", "a.b in (, )"); /* upstream does not quote empty values */
	accept_as("a.b[''] exists", "a.b exists");     /* nor print an empty argument */
	accept_as("a.b['x y'] exists", "a.b[\"x y\"] exists");
	accept_as("tolower(a.b)['k'] = 1", "tolower(a.b)[k] = 1");
	accept_as("len(a.b) > len(c.d)", "len(a.b) > len(c.d)");
	struct fc_buf b = {0};
	fc_ast_print(&b, NULL);
	cr_assert_str_eq(b.p, "<null>");
	fc_buf_free(&b);
}

Test(parser, long_tokens_in_messages)
{
	struct fc_buf b = {0};
	fc_buf_puts(&b, "a.b = ");
	for (int i = 0; i < 2000; i++)
		fc_buf_putc(&b, 'v');
	fc_buf_puts(&b, " w");
	cr_assert_null(fc_parse_condition(&arena, b.p, b.len, NULL, MAXD, &perr));
	cr_assert_eq(strncmp(perr.msg, "unexpected token after 'vvvv", 28), 0);
	cr_assert_lt(strlen(perr.msg), sizeof perr.msg);
	cr_assert_eq(perr.pos, 2007);
	fc_buf_free(&b);
}
