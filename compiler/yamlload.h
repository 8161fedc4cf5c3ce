/* yamlload.h — private interface between the YAML reader (yamlload.c, upstream's
 * rule_loader_reader) and the collector (collect.c, upstream's rule_loader_collector).
 * The reader decodes items and raises LOAD_ERR_YAML_VALIDATE problems; the collector merges
 * what it is handed (define/append/replace/enable) and raises LOAD_ERR_VALIDATE problems.
 * Nothing outside these two files includes this header: the public contract is rules.h. */
#ifndef FC_YAMLLOAD_H
#define FC_YAMLLOAD_H

#include "rules.h"

/* Keys of a rule item, as bits (override sets, keys present in an update). */
enum {
	FC_RK_CONDITION = 1u << 0,
	FC_RK_OUTPUT = 1u << 1,
	FC_RK_DESC = 1u << 2,
	FC_RK_TAGS = 1u << 3,
	FC_RK_EXCEPTIONS = 1u << 4,
	FC_RK_PRIORITY = 1u << 5,
	FC_RK_ENABLED = 1u << 6,
	FC_RK_WARN_EVTTYPES = 1u << 7,
	FC_RK_SKIP_UNKNOWN = 1u << 8,
	FC_RK_CAPTURE = 1u << 9,
	FC_RK_CAPTURE_DURATION = 1u << 10,
	FC_RK_ITEMS = 1u << 11, /* lists */
};

/* An exception's `fields` or `comps` as read (upstream rule_exception_info::entry): absent or
 * unusable (null, a map, an empty sequence) when !valid. A sequence element that is itself not
 * a scalar reads as an empty text, as upstream. */
struct fc_exspec {
	bool valid;   /* is_list ? nitems > 0 : nitems == 1 */
	bool is_list;
	struct fc_text *items;
	uint32_t nitems;
};

/* One element of an exception's `values` as read: a scalar (null reads as ""), or a sequence
 * whose elements are scalars or sequences of scalars. */
struct fc_exentry {
	bool is_list;
	struct fc_text text;    /* when !is_list */
	struct fc_exval *elems; /* when is_list: each a scalar (1 item) or a list */
	uint32_t nelems;
};

struct fc_exc_info {
	const char *name;
	struct fc_loc loc;
	const struct fc_ctx *ctx; /* "exception" 'name', parent: the rule frame of its item */
	struct fc_exspec fields, comps;
	bool has_values;
	struct fc_exentry *values;
	uint32_t nvalues;
};

struct fc_rule_info {
	const char *name;
	struct fc_loc loc;
	const struct fc_ctx *ctx; /* "rule" 'name' of this item (arena) */
	unsigned has;             /* FC_RK_* present (updates) */
	struct fc_text cond, output, desc;
	struct fc_loc cond_loc, out_loc;
	enum fc_priority priority;
	const char *source;
	bool enabled, warn_evttypes, skip_if_unknown_filter, capture;
	int64_t capture_duration;
	const char **tags; /* as read; the collector keeps a sorted set */
	uint32_t ntags;
	struct fc_exc_info *exc;
	uint32_t nexc;
};

struct fc_list_info {
	const char *name;
	struct fc_loc loc;
	const struct fc_ctx *ctx;
	struct fc_text *items;
	uint32_t nitems;
};

struct fc_macro_info {
	const char *name;
	struct fc_loc loc;
	const struct fc_ctx *ctx;
	struct fc_text cond;
};

/* --- reader (yamlload.c) --- */

/* Parses every document of SRC and hands its items to the collector. ROOT is the file's
 * "rules content" frame. False at the first error (already reported). */
bool fc_yaml_read(struct fc_ruleset *rs, struct fc_source *src, const struct fc_ctx *root);

/* --- collector (collect.c); each reports its own errors and returns false on one --- */

bool fc_collect_engine_version(struct fc_ruleset *rs, const struct fc_ctx *ctx, unsigned major, unsigned minor,
			       unsigned patch);
bool fc_collect_plugin_versions(struct fc_ruleset *rs, const struct fc_ctx *ctx, const struct fc_plugin_req *alts,
				uint32_t n);
bool fc_collect_list(struct fc_ruleset *rs, const struct fc_list_info *li, bool append);
bool fc_collect_macro(struct fc_ruleset *rs, const struct fc_macro_info *mi, bool append);
bool fc_collect_rule_define(struct fc_ruleset *rs, const struct fc_rule_info *ri);
bool fc_collect_rule_append(struct fc_ruleset *rs, const struct fc_rule_info *ri);
bool fc_collect_rule_replace(struct fc_ruleset *rs, const struct fc_rule_info *ri);
bool fc_collect_rule_enable(struct fc_ruleset *rs, const struct fc_rule_info *ri);

/* Shared helpers (collect.c). */
/* Freezes a scratch map into the arena (maps of loader texts are read-only arena copies). */
void fc_collect_freeze_map(struct fc_ruleset *rs, struct fc_srcmap *scratch, struct fc_srcmap *out);
/* A scratch map owned by the ruleset, emptied. */
struct fc_srcmap *fc_collect_scratch_map(struct fc_ruleset *rs);

#endif
