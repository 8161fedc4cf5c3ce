/* fields.h — the field catalog (every field class of LANGUAGE.md §13), generated from
 * fields.def, and field-name resolution with argument rules (LANGUAGE.md §5). Used by falcoc's
 * checker and `list-fields`, and by the runtime's extractors and output formatter. */
#ifndef FC_FIELDS_H
#define FC_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptypes.h"

enum fc_field_flags {
	FC_FF_FILTER_ONLY = 1u << 0,    /* EPF_FILTER_ONLY: conditions only */
	FC_FF_NO_RHS = 1u << 1,         /* EPF_NO_RHS: never in a field-to-field comparison */
	FC_FF_NO_TRANSFORMER = 1u << 2, /* EPF_NO_TRANSFORMER */
	FC_FF_IS_LIST = 1u << 3,        /* EPF_IS_LIST: value is a list of strings */
	FC_FF_DEPRECATED = 1u << 4,     /* EPF_DEPRECATED: LOAD_DEPRECATED_ITEM warning */
	FC_FF_ARG_REQUIRED = 1u << 5,   /* an argument must be given */
	FC_FF_ARG_ALLOWED = 1u << 6,    /* an argument may be given */
	FC_FF_ARG_INDEX = 1u << 7,      /* the argument is a decimal index */
	FC_FF_ARG_KEY = 1u << 8,        /* the argument is a key / name / glob */
	FC_FF_ARG_DOT = 1u << 9,        /* the argument may (or must) follow a dot: evt.arg.NAME */
	FC_FF_NO_RHS_NOARG = 1u << 10,  /* NO_RHS only when used without argument (proc.aname) */
	FC_FF_ANCESTORS = 1u << 11,     /* without argument: "any ancestor matches" compare */
	FC_FF_EQ_ONLY = 1u << 12,       /* only '=' allowed (evt.around) */
	FC_FF_UNAVAILABLE = 1u << 13,   /* in the language, but this engine cannot compute it: always missing */
	FC_FF_TABLE_ONLY = 1u << 14,    /* EPF_TABLE_ONLY: resolves, hidden from upstream field listings */
	FC_FF_PRINT_ONLY = 1u << 15,    /* EPF_PRINT_ONLY: meant for outputs (evt.outputtime) */
};

enum fc_field_id {
#define FIELD(id, name, type, flags, desc) FC_F_##id,
#include "fields.def"
#undef FIELD
	FC_F_MAX_
};

struct fc_field {
	const char *name;  /* "proc.aname", "evt.arg" */
	uint8_t type;      /* enum fc_ptype */
	uint32_t flags;    /* FC_FF_* */
	const char *desc;  /* one line, ours */
};

extern const struct fc_field fc_fields[FC_F_MAX_];

/* Field classes in resolution order (gen_event, event, thread, user, group, fd, fspath, utils,
 * fdlist, then container/k8s). */
struct fc_field_class {
	const char *name;   /* "evt", "process", "fd", ... as list-fields shows */
	const char *prefix; /* "evt.", "proc.", ... (a class may own several prefixes: see fields.c) */
};

/* A resolved field reference: what the checker types and the runtime extracts. */
struct fc_fieldref {
	enum fc_field_id id;
	enum fc_ptype type;  /* may differ from the catalog's (evt.rawarg.NAME has its param's type) */
	uint32_t flags;      /* catalog flags, adjusted for the argument (NO_RHS dropped when indexed...) */
	bool has_arg;
	bool arg_is_index;
	int64_t index;       /* when arg_is_index */
	char arg[256];       /* the argument text (key, name, event param, ...), NUL-terminated */
};

/* Resolves NAME (a FieldName token, e.g. "proc.aname" or "evt.arg.flags") with an optional
 * bracket argument ARG (NULL when absent). On failure returns false and writes the upstream
 * message into ERR (e.g. "filter_check called with nonexistent field proc.nme",
 * "unknown event argument X", "a is not a valid number"). */
bool fc_field_resolve(const char *name, const char *arg, struct fc_fieldref *out, char *err, size_t errlen);

/* True when NAME (with no argument) names some field: used for the "may be a valid field
 * misused as a const string value" warning. */
bool fc_field_name_valid(const char *name);

/* Catalog lookup by exact catalog name, NULL if none. */
const struct fc_field *fc_field_by_name(const char *name);

/* The class table (list-fields, docs): classes in resolution order; the fields of class I are
 * the ids [*first, *end) (fields.def keeps each class contiguous). NULL when I is out of range. */
size_t fc_field_class_count(void);
const struct fc_field_class *fc_field_class_get(size_t i, enum fc_field_id *first, enum fc_field_id *end);
/* Index in the class table of the class that owns field ID. */
size_t fc_field_class_of(enum fc_field_id id);

#endif
