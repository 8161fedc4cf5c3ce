/* ast.c — the condition AST of ast.h: constructors used by the grammar actions, the operator /
 * modifier / transformer name tables (from operators.def and transformers.def), canonical
 * printing exactly as upstream's string visitor (libs filter/ast.cpp + escaping.cpp, see
 * LANGUAGE.md §3), and deep copies for macro inlining. */
#include "ast.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *text;
	enum fc_op_class cls;
} op_table[] = {
#define OP(id, text, cls, word) {text, FC_OPC_##cls},
#include "operators.def"
#undef OP
};

static const struct {
	const char *name;
	uint8_t mina, maxa;
} xf_table[] = {
#define XF(id, name, mina, maxa, multi) {name, mina, maxa},
#include "transformers.def"
#undef XF
};
/* check.c words an arity error as "takes N" or "takes at least N": no other range exists. */
#define XF(id, name, mina, maxa, multi) _Static_assert((maxa) == 0 || (maxa) == (mina), name " has a range of arities");
#include "transformers.def"
#undef XF

const char *fc_op_text(enum fc_op op)
{
	return (unsigned)op < FC_OP_MAX_ ? op_table[op].text : "?";
}

enum fc_op_class fc_op_class(enum fc_op op)
{
	return (unsigned)op < FC_OP_MAX_ ? op_table[op].cls : FC_OPC_UNARY;
}

const char *fc_mod_text(enum fc_mod m)
{
	switch (m) {
	case FC_MOD_ONEOF:
		return "oneof";
	case FC_MOD_ANYOF:
		return "anyof";
	case FC_MOD_ALLOF:
		return "allof";
	default:
		return "";
	}
}

const char *fc_xf_name(enum fc_xf xf)
{
	return (unsigned)xf < FC_XF_MAX_ ? xf_table[xf].name : "?";
}

void fc_xf_arity(enum fc_xf xf, unsigned *min, unsigned *max)
{
	*min = (unsigned)xf < FC_XF_MAX_ ? xf_table[xf].mina : 0;
	*max = (unsigned)xf < FC_XF_MAX_ ? xf_table[xf].maxa : 0;
}

struct fc_ast *fc_ast_new(struct fc_arena *a, enum fc_ast_kind kind, uint32_t pos, const struct fc_origin *org)
{
	struct fc_ast *n = fc_arena_alloc(a, sizeof *n);
	n->kind = (uint8_t)kind;
	n->pos = pos;
	n->org = org;
	return n;
}

/* kids[] has no capacity field: its capacity is implied by nkids (4, then the next power of
 * two), so pushing is amortised O(1) — a 10,000-item list does not copy quadratically.
 * Hence kids[] must only be grown here, and an array built elsewhere must have at least
 * kids_cap(nkids) slots (fc_ast_clone does). */
static uint32_t kids_cap(uint32_t n)
{
	uint32_t c = 4;
	while (c < n)
		c *= 2;
	return c;
}

void fc_ast_push(struct fc_arena *a, struct fc_ast *parent, struct fc_ast *kid)
{
	uint32_t n = parent->nkids;
	if (!parent->kids || (n >= 4 && (n & (n - 1)) == 0)) {
		uint32_t cap = n < 4 ? 4 : n * 2;
		struct fc_ast **k = fc_arena_alloc(a, cap * sizeof *k);
		if (n)
			memcpy(k, parent->kids, n * sizeof *k);
		parent->kids = k;
	}
	parent->kids[parent->nkids++] = kid;
}

/* escape_str(): quote iff the text holds a blank, '=', a control character, a quote or a
 * backslash; named escapes for \b \f \n \r \t, \xHH for other control bytes. */
static void print_escaped(struct fc_buf *b, const char *s, uint32_t len)
{
	bool quote = false;
	for (uint32_t i = 0; i < len && !quote; i++) {
		unsigned char ch = (unsigned char)s[i];
		quote = ch < 0x20 || ch == 0x7f || ch == ' ' || ch == '=' || ch == '"' || ch == '\'' || ch == '\\';
	}
	if (!quote) {
		fc_buf_add(b, s, len);
		return;
	}
	fc_buf_putc(b, '"');
	for (uint32_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '\b': fc_buf_puts(b, "\\b"); break;
		case '\f': fc_buf_puts(b, "\\f"); break;
		case '\n': fc_buf_puts(b, "\\n"); break;
		case '\r': fc_buf_puts(b, "\\r"); break;
		case '\t': fc_buf_puts(b, "\\t"); break;
		case '\\': fc_buf_puts(b, "\\\\"); break;
		case '"': fc_buf_puts(b, "\\\""); break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				fc_buf_printf(b, "\\x%02x", ch);
			else
				fc_buf_putc(b, (char)ch);
		}
	}
	fc_buf_putc(b, '"');
}

/* str is NUL-terminated; len is authoritative when set (VALUE may be ""). */
static uint32_t str_len(const struct fc_ast *n)
{
	return n->len ? n->len : n->str ? (uint32_t)strlen(n->str) : 0;
}

static void print_kids(struct fc_buf *b, const struct fc_ast *n, const char *sep)
{
	for (uint32_t i = 0; i < n->nkids; i++) {
		if (i)
			fc_buf_puts(b, sep);
		fc_ast_print(b, n->kids[i]);
	}
}

static void print_arg(struct fc_buf *b, const char *arg)
{
	if (arg && *arg) { /* upstream prints no brackets for an empty argument */
		fc_buf_putc(b, '[');
		print_escaped(b, arg, (uint32_t)strlen(arg));
		fc_buf_putc(b, ']');
	}
}

void fc_ast_print(struct fc_buf *b, const struct fc_ast *n)
{
	if (!n) {
		fc_buf_puts(b, "<null>");
		return;
	}
	switch ((enum fc_ast_kind)n->kind) {
	case FC_AST_AND:
	case FC_AST_OR:
		fc_buf_putc(b, '(');
		print_kids(b, n, n->kind == FC_AST_AND ? " and " : " or ");
		fc_buf_putc(b, ')');
		break;
	case FC_AST_NOT:
		fc_buf_puts(b, "not ");
		fc_ast_print(b, n->nkids ? n->kids[0] : NULL);
		break;
	case FC_AST_IDENT:
		fc_buf_add(b, n->str ? n->str : "", str_len(n));
		break;
	case FC_AST_VALUE:
		print_escaped(b, n->str ? n->str : "", str_len(n));
		break;
	case FC_AST_LIST:
	case FC_AST_TLIST:
		fc_buf_putc(b, '(');
		print_kids(b, n, ", ");
		fc_buf_putc(b, ')');
		break;
	case FC_AST_UNARY:
		fc_ast_print(b, n->left);
		fc_buf_putc(b, ' ');
		fc_buf_puts(b, fc_op_text((enum fc_op)n->op));
		break;
	case FC_AST_BINARY:
		fc_ast_print(b, n->left);
		fc_buf_putc(b, ' ');
		fc_buf_puts(b, fc_op_text((enum fc_op)n->op));
		if (n->mod != FC_MOD_NONE) { /* upstream's op string is "<op> <mod>" */
			fc_buf_putc(b, ' ');
			fc_buf_puts(b, fc_mod_text((enum fc_mod)n->mod));
		}
		fc_buf_putc(b, ' ');
		fc_ast_print(b, n->right);
		break;
	case FC_AST_FIELD:
		if (n->val)
			fc_buf_puts(b, "val(");
		fc_buf_add(b, n->str ? n->str : "", str_len(n));
		print_arg(b, n->arg);
		if (n->val)
			fc_buf_putc(b, ')');
		break;
	case FC_AST_TRANSFORMER:
		fc_buf_puts(b, fc_xf_name((enum fc_xf)n->xf));
		fc_buf_putc(b, '(');
		print_kids(b, n, ", ");
		fc_buf_putc(b, ')');
		print_arg(b, n->arg);
		break;
	}
}

struct fc_ast *fc_ast_clone(struct fc_arena *a, const struct fc_ast *n, const struct fc_origin *org)
{
	if (!n)
		return NULL;
	struct fc_ast *c = fc_arena_alloc(a, sizeof *c);
	*c = *n;
	if (org)
		c->org = org;
	if (n->str)
		c->str = fc_arena_strndup(a, n->str, str_len(n));
	if (n->arg)
		c->arg = fc_arena_strdup(a, n->arg);
	c->left = fc_ast_clone(a, n->left, org);
	c->right = fc_ast_clone(a, n->right, org);
	c->kids = NULL;
	if (n->nkids) {
		c->kids = fc_arena_alloc(a, kids_cap(n->nkids) * sizeof *c->kids);
		for (uint32_t i = 0; i < n->nkids; i++)
			c->kids[i] = fc_ast_clone(a, n->kids[i], org);
	}
	return c;
}
