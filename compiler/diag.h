/* diag.h — diagnostics: every error and warning of a run, each with a code (diagcodes.def), a
 * message, the precise position of the offending token and a context chain ("rules content" →
 * rule 'x' → rule condition → macro 'y' ...). Rendered as our own caret text, as Falco's
 * `-V` text layout, or as Falco's JSON layout. */
#ifndef FC_DIAG_H
#define FC_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "arena.h"
#include "loc.h"

enum fc_diag_code {
#define DIAG(code, err, short_, long_) FC_##code,
#include "diagcodes.def"
#undef DIAG
	FC_DIAG_MAX_
};

const char *fc_diag_code_name(enum fc_diag_code c);  /* "LOAD_ERR_YAML_PARSE" */
const char *fc_diag_code_short(enum fc_diag_code c); /* "YAML parse error" */
const char *fc_diag_code_long(enum fc_diag_code c);
bool fc_diag_code_is_error(enum fc_diag_code c);

/* One link of a context chain. Chains are built on the stack while the loader descends
 * (each frame points at its parent) and copied into a diagnostic when one is raised. */
struct fc_ctx {
	const char *item_type; /* Falco's item_type strings: "rule", "rule condition", "macro", ... */
	const char *item_name; /* "" when none */
	struct fc_loc loc;
	const struct fc_ctx *parent;
	/* Falco's "condition expression" frame names its position by a quoted excerpt of the
	 * condition and counts line:col inside it (1-based): set pos_name, loc.src = NULL and
	 * loc.line/col/off relative to the condition. NULL otherwise. */
	const char *pos_name;
};

struct fc_diag {
	enum fc_diag_code code;
	const char *msg;
	struct fc_loc loc;            /* the offending token; src NULL = whole file */
	const struct fc_ctx **frames; /* outermost first */
	unsigned nframes;
	const char *deprecated_field; /* LOAD_DEPRECATED_ITEM only */
	const char *file;             /* the top-level file this belongs to (validate groups by it) */
	struct fc_diag *next;
};

struct fc_diags {
	struct fc_arena *arena;
	struct fc_diag *head, **tail;
	unsigned nerrors, nwarnings;
	const char *file; /* current top-level file, stamped on each diagnostic */
	struct fc_diag **seen; /* open-addressing set for deduplication (arena) */
	size_t nseen, capseen;
};

void fc_diags_init(struct fc_diags *d, struct fc_arena *a);

/* Raises a diagnostic at LOC inside context CTX (may be NULL). Identical diagnostics (same code,
 * position and message) are reported once: a macro used by 20 rules reports its error once. */
struct fc_diag *fc_diag(struct fc_diags *d, enum fc_diag_code code, const struct fc_ctx *ctx,
			struct fc_loc loc, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
struct fc_diag *fc_vdiag(struct fc_diags *d, enum fc_diag_code code, const struct fc_ctx *ctx,
			 struct fc_loc loc, const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Our own layout, for humans, like a C compiler's:
 *   rules.yaml:12:19: error: filter_check called with nonexistent field proc.nme [LOAD_ERR_COMPILE_CONDITION]
 *      12 |   condition: proc.nme = bash
 *         |              ^
 *     in rule 'r1' (rules.yaml:10:3) → rule condition → macro 'm' (rules.yaml:4:3) */
void fc_diag_print(FILE *f, const struct fc_diag *d, bool color);

/* Falco's `-V` block for one diagnostic (LANGUAGE.md §10.3). */
void fc_diag_print_falco(FILE *f, const struct fc_diag *d);

/* Falco's JSON object for one diagnostic (§10.4), appended to B. */
void fc_diag_json(struct fc_buf *b, const struct fc_diag *d);

/* JSON string escaping, shared by every JSON writer of falcoc. */
void fc_json_str(struct fc_buf *b, const char *s);

#endif
