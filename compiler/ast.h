/* ast.h — the condition AST (node kinds of upstream libsinsp's filter/ast.h), built by the
 * grammar's actions, rewritten by macro inlining, read by the checker, evttypes and the IR.
 * Nodes live in an arena; values stay strings (typed later against the field catalog). */
#ifndef FC_AST_H
#define FC_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

enum fc_ast_kind {
	FC_AST_AND,         /* kids[] (n-ary, n >= 2) */
	FC_AST_OR,          /* kids[] (n-ary, n >= 2) */
	FC_AST_NOT,         /* kids[0] */
	FC_AST_IDENT,       /* str: a macro reference */
	FC_AST_VALUE,       /* str/len: a constant (unescaped) */
	FC_AST_LIST,        /* kids[]: FC_AST_VALUE items */
	FC_AST_UNARY,       /* left, op (exists) */
	FC_AST_BINARY,      /* left, op, mod, right */
	FC_AST_FIELD,       /* str = field name, arg (NULL if none); also val(F) on a right side */
	FC_AST_TRANSFORMER, /* xf, kids[] = arguments, arg = optional [arg] after ')' */
	FC_AST_TLIST,       /* kids[]: a transformer argument list ( ... ) */
};

enum fc_op {
#define OP(id, text, cls, word) FC_OP_##id,
#include "operators.def"
#undef OP
	FC_OP_MAX_
};
enum fc_op_class { FC_OPC_UNARY, FC_OPC_NUM, FC_OPC_STR, FC_OPC_LIST };
const char *fc_op_text(enum fc_op op);
enum fc_op_class fc_op_class(enum fc_op op);

enum fc_mod { FC_MOD_NONE, FC_MOD_ONEOF, FC_MOD_ANYOF, FC_MOD_ALLOF };
const char *fc_mod_text(enum fc_mod m); /* "", "oneof", "anyof", "allof" */

enum fc_xf {
#define XF(id, name, mina, maxa, multi) FC_XF_##id,
#include "transformers.def"
#undef XF
	FC_XF_MAX_
};
const char *fc_xf_name(enum fc_xf xf);
/* Argument counts of transformers.def (the bundle verifier enforces the same); MAX 0 = no
 * bound. A transformer list `( ... )` is one argument. */
void fc_xf_arity(enum fc_xf xf, unsigned *min, unsigned *max);

/* Where a node came from: set by whoever parses (the text and its map back to the YAML file,
 * plus the macro-expansion chain). Opaque to the grammar. */
struct fc_origin;

struct fc_ast {
	uint8_t kind; /* enum fc_ast_kind */
	uint8_t op;   /* enum fc_op, checks */
	uint8_t mod;  /* enum fc_mod, binary checks */
	uint8_t xf;   /* enum fc_xf, transformers */
	bool val;     /* FC_AST_FIELD written as val(F) */
	uint32_t pos; /* byte offset of the node's first token in the parsed text (checks: the field) */
	uint32_t oppos; /* checks: offset of the operator; values: 0 */
	const struct fc_origin *org;
	const char *str; /* IDENT/VALUE/FIELD: NUL-terminated text (VALUE may hold no NUL: rejected) */
	uint32_t len;    /* length of str */
	const char *arg; /* FIELD/TRANSFORMER: bracket argument, NULL when absent */
	struct fc_ast *left, *right;
	struct fc_ast **kids;
	uint32_t nkids;
};

/* Constructors used by the grammar actions (all arena-allocated). */
struct fc_ast *fc_ast_new(struct fc_arena *a, enum fc_ast_kind kind, uint32_t pos, const struct fc_origin *org);
void fc_ast_push(struct fc_arena *a, struct fc_ast *parent, struct fc_ast *kid); /* append to kids[] */

/* Canonical printing of upstream's string visitor (LANGUAGE.md §3): `(a and b)`, `not X`,
 * `L op R`, lists as `(v1, v2)`, values re-quoted with `"` iff they contain a blank, `=`, a
 * control character, a quote or a backslash. Appends to B. */
struct fc_buf;
void fc_ast_print(struct fc_buf *b, const struct fc_ast *n);

/* Deep copy with every copied node's origin replaced by ORG when ORG is non-NULL (macro
 * inlining stamps the expansion chain). */
struct fc_ast *fc_ast_clone(struct fc_arena *a, const struct fc_ast *n, const struct fc_origin *org);

#endif
