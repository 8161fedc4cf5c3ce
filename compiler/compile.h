/* compile.h — the front end's driver: from a collected ruleset (rules.h) to checked, expanded
 * rules (LANGUAGE.md §1): list substitution, parsing, macro inlining, field/type checking,
 * output-format checking, event-type derivation, and the unused-item warnings. Every stage
 * reports through rs->diags and keeps going, so one run shows all the errors. */
#ifndef FC_COMPILE_H
#define FC_COMPILE_H

#include "ast.h"
#include "events.h"
#include "rules.h"

/* The origin of AST nodes (ast.h): the text they were parsed from, with its map to the file,
 * and the diagnostic context of that text (rule 'x' → rule condition [→ macro 'y' → macro
 * condition]). */
struct fc_origin {
	const struct fc_text *text;
	const struct fc_ctx *ctx;
};

/* One segment of a compiled output format (§11). */
#define FC_OUTPUT_MAX_WIDTH 0xFFFF /* larger widths are clamped (the bundle stores a u16) */
struct fc_fmtseg {
	const char *lit;     /* literal text, or NULL for a field */
	struct fc_ast *expr; /* FC_AST_FIELD or FC_AST_TRANSFORMER when a field */
	int width;           /* %20proc.name, 0 when none; at most FC_OUTPUT_MAX_WIDTH */
};

struct fc_cmacro {
	struct fc_macro *macro;
	struct fc_text text;  /* condition after list substitution */
	struct fc_origin org;
	struct fc_ast *ast;   /* parsed and macro-resolved; NULL when it failed */
	bool resolving;       /* loop detection */
	uint64_t cost;        /* expansion charged per use (FC_MAX_EXPANSION), 0 = not computed yet */
};

struct fc_crule {
	struct fc_rule *rule;
	struct fc_text text;   /* condition after exceptions and list substitution */
	struct fc_origin org;
	struct fc_ast *ast;    /* expanded and checked; NULL when it failed */
	bool ok;               /* compiled without error and not skipped */
	bool skipped;          /* dropped: skip-if-unknown-filter, unknown source */
	fc_evtset evts;        /* event codes the condition can match (§12) */
	const char **fields;   /* distinct field names used, expansion included */
	uint32_t nfields;
	struct fc_fmtseg *out; /* compiled output format */
	uint32_t nout;
};

struct fc_compiled {
	struct fc_ruleset *rs;
	struct fc_cmacro *macros; /* parallel to rs->macros */
	struct fc_crule *rules;   /* parallel to rs->rules */
	uint32_t nrules;
};

/* Compiles every macro and rule of RS. Returns true when no error was raised. */
bool fc_compile(struct fc_ruleset *rs, struct fc_compiled *out);

/* --- stages, exposed for tests and the dump/describe commands --- */

/* Expansion budget of one compilation (rs->max_expansion, FC_MAX_EXPANSION by default), in
 * bytes of memory it costs: list-substituted text
 * (FC_EXP_TEXT_COST per byte: the text, its source map, the nodes it parses into) plus
 * macro-inlined AST nodes (each node, its slot in its parent, and its origin's re-parented
 * context frames). Substitution is textual and inlining copies, so a small hostile file can
 * expand quadratically (a big list or macro used by many rules) or exponentially (each macro
 * using the previous one twice); past the budget the conditions that need more fail with
 * LOAD_ERR_COMPILE_CONDITION instead of exhausting memory. The default ruleset uses ~2 MiB. */
#define FC_EXP_TEXT_COST 24u

/* Upstream's textual list substitution (§1.2), in one pass with hashed lookups. OUT's map
 * composes IN's map: substituted items map to the list name's position. Marks used lists.
 * Charges the result to rs->expanded; returns false (OUT empty) when it would not fit in
 * what is left of FC_MAX_EXPANSION. */
bool fc_subst_lists(struct fc_ruleset *rs, const struct fc_text *in, struct fc_text *out);

/* Inlines macro references of AST (§1.4). VISIBILITY limits which macros are visible
 * (UINT32_MAX for rules). Errors are raised at the referencing node, in its context.
 * Returns the rewritten tree, or NULL. */
struct fc_ast *fc_inline_macros(struct fc_compiled *c, struct fc_ast *ast, uint32_t visibility);

/* Field/operator/value checking of an expanded condition (§4–§8); warnings included.
 * Returns false on error. UNKNOWN_AS_WARNING: skip-if-unknown-filter semantics (the unknown
 * field/event type becomes LOAD_UNKNOWN_FILTER and the function returns false). */
bool fc_check_condition(struct fc_compiled *c, struct fc_crule *cr, bool unknown_as_warning,
			bool *unknown);

/* Event-type derivation (§12). False (with *err set) for the unsupported evt.type forms. */
bool fc_evttypes(const struct fc_ast *ast, fc_evtset *out, const struct fc_ast **bad, const char **err);

/* Output format compilation (§11). Returns false with ERR set (upstream message) and
 * *ERRPOS the byte offset in FMT of the offending '%' token. */
bool fc_compile_output(struct fc_arena *a, const char *fmt, struct fc_fmtseg **segs, uint32_t *nsegs,
		       char *err, size_t errlen, uint32_t *errpos);

/* Raises a diagnostic at an AST node, with the node's context chain and Falco's
 * "condition expression" frame. */
struct fc_diag *fc_diag_node(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_ast *n,
			     uint32_t pos, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
