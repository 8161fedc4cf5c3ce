/* rules.h — the collected ruleset: what the YAML reader and collector (LANGUAGE.md §9) produce
 * from several files, in order, after append/override/enable/redefinition, and what the rest
 * of the compiler (list substitution, macro inlining, checking, evttypes, describe) reads.
 * Every string that came from YAML is an fc_text: its bytes plus a map back to the file. */
#ifndef FC_RULES_H
#define FC_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "loc.h"

/* A YAML scalar (or a text built from several: appended conditions, generated exceptions). */
struct fc_text {
	const char *s; /* NUL-terminated; arena */
	uint32_t len;
	struct fc_srcmap map; /* offsets of s → file positions (inside block scalars too) */
	struct fc_loc loc;    /* the scalar's own position (for "rule condition: (file:l:c)") */
};

enum fc_priority { /* Falco's order, most severe first */
	FC_PRIO_EMERGENCY, FC_PRIO_ALERT, FC_PRIO_CRITICAL, FC_PRIO_ERROR, FC_PRIO_WARNING,
	FC_PRIO_NOTICE, FC_PRIO_INFORMATIONAL, FC_PRIO_DEBUG,
};
const char *fc_priority_name(enum fc_priority p); /* "Emergency", ..., "Informational", "Debug" */
/* Case-insensitive; accepts "info" for INFORMATIONAL. False when unknown. */
bool fc_priority_parse(const char *s, enum fc_priority *out);

struct fc_list {
	const char *name;
	struct fc_loc loc;          /* the `- list:` item */
	uint32_t index, visibility; /* §9.7 */
	struct fc_text *items;      /* after in-place expansion of earlier lists (§9.3) */
	uint32_t nitems;
	struct fc_ctx ctx;          /* "list" 'name' — parent: rules content of its file */
	bool used;
};

struct fc_macro {
	const char *name;
	uint32_t slot; /* position in fc_ruleset.macros (and in fc_compiled.macros) */
	struct fc_loc loc;
	uint32_t index, visibility;
	struct fc_text cond; /* after textual appends */
	struct fc_ctx ctx;   /* "macro" 'name' */
	bool used;
};

struct fc_exception {
	const char *name;
	struct fc_loc loc;
	bool fields_is_list;   /* list form vs scalar form */
	struct fc_text *fields;
	uint32_t nfields;
	struct fc_text *comps; /* nfields entries, defaults filled in ("=" or "in") */
	/* values: nvalues tuples (list form: each tuple has nfields elements; an element is a
	 * scalar or a list of scalars) or, scalar form, nvalues scalars (tuple of 1, scalar). */
	struct fc_exval {
		bool is_list;
		struct fc_text *items; /* 1 item when scalar */
		uint32_t nitems;
	} **values;
	uint32_t nvalues;
};

struct fc_rule {
	const char *name;
	struct fc_loc loc;
	uint32_t index, visibility;
	struct fc_text cond, output, desc;
	enum fc_priority priority;
	const char *source; /* "syscall" by default */
	bool enabled, warn_evttypes, skip_if_unknown_filter, capture;
	int64_t capture_duration;
	const char **tags;
	uint32_t ntags;
	struct fc_exception *exceptions;
	uint32_t nexceptions;
	struct fc_ctx ctx;      /* "rule" 'name' */
	struct fc_ctx cond_ctx; /* "rule condition" — parent: ctx */
	struct fc_ctx out_ctx;  /* "rule output" — parent: ctx */
};

struct fc_plugin_req {
	const char *name, *version;
	struct fc_loc loc;
};

struct fc_ruleset {
	struct fc_arena *arena;
	struct fc_diags *diags;
	struct fc_list **lists;
	uint32_t nlists;
	struct fc_macro **macros;
	uint32_t nmacros;
	struct fc_rule **rules; /* in load order (a redefinition keeps its original place) */
	uint32_t nrules;
	struct fc_plugin_req *plugins;
	uint32_t nplugins;
	uint32_t counter;                 /* the global index counter of §9.7 */
	const char *required_engine;      /* highest required_engine_version seen */
	struct fc_source **files;         /* every file loaded, in order */
	uint32_t nfiles;
	/* Expansion budget (compile.h): charged so far, and the limit (FC_MAX_EXPANSION unless the
	 * caller lowers it after fc_ruleset_init). */
	uint64_t expanded, max_expansion;
	/* private to the collector: name hash tables etc. */
	void *priv;
};

#define FC_ENGINE_VERSION "0.62.0" /* the Falco 0.44 language (LANGUAGE.md §0) */
#define FC_MAX_EXPANSION (256ull << 20) /* compile.h, "Expansion budget" */

void fc_ruleset_init(struct fc_ruleset *rs, struct fc_arena *a, struct fc_diags *d);
void fc_ruleset_free(struct fc_ruleset *rs);

/* Reads one rules file (path, or "-" for stdin) and merges its items into RS (§9.1–§9.6).
 * Diagnostics go to rs->diags with Falco's codes and messages and exact file:line:col.
 * Reading stops at the first error of a file, as Falco does; returns false then. */
bool fc_ruleset_load_file(struct fc_ruleset *rs, const char *path);
/* The same for an in-memory text (tests, the embedded default ruleset). NAME is shown in
 * diagnostics; TEXT is copied. */
bool fc_ruleset_load_text(struct fc_ruleset *rs, const char *name, const char *text, size_t len);

struct fc_list *fc_ruleset_list(const struct fc_ruleset *rs, const char *name);
struct fc_macro *fc_ruleset_macro(const struct fc_ruleset *rs, const char *name);
struct fc_rule *fc_ruleset_rule(const struct fc_ruleset *rs, const char *name);

/* The rule's condition text with its exceptions appended, exactly as upstream builds it
 * (§1.1, §9.6): "(" C ")" + " and not <E1>" ...; generated pieces map to the YAML scalars
 * they came from. The result is not list-substituted yet. */
void fc_rule_condition_text(struct fc_ruleset *rs, const struct fc_rule *r, struct fc_text *out);

/* Falco's plugin requirement check (falco -V, after loading each file): false with ERR set to
 * "Plugin requirement not satisfied, must load one of: NAME (>= VERSION), ..." when a
 * required_plugin_versions entry names no plugin this engine provides (only `container`,
 * whose fields are built in). Upstream makes this a fatal error, not a load-result diagnostic. */
bool fc_ruleset_check_plugins(const struct fc_ruleset *rs, char *err, size_t errlen);

#endif
