/* value.h — extracted field values and the extractor interface: the one contract between the
 * VM (and the output formatter) on one side and whatever knows the event and the state (the
 * state engine's extractors, test fakes, the reference evaluator) on the other.
 *
 * A value is a small tagged view; the bytes it points to belong to the extractor and stay
 * valid until the extractor's next event. The VM never frees or copies them, and allocates
 * nothing per event. */
#ifndef FC_VALUE_H
#define FC_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "fields.h"

enum fc_vkind {
	FC_V_NONE = 0, /* missing: nothing could be extracted (every comparison on it is false) */
	FC_V_U64,      /* unsigned integers, BOOL (0/1), UID/GID, flags, modes, PORT, times ... */
	FC_V_I64,      /* signed integers, ERRNO, FD, PID */
	FC_V_DBL,      /* DOUBLE */
	FC_V_STR,      /* CHARBUF/FSPATH/FSRELPATH: s/len (not necessarily NUL-terminated) */
	FC_V_BUF,      /* BYTEBUF: s/len raw bytes */
	FC_V_IPV4,     /* u = address as its 4 wire bytes read little-endian (a.b.c.d: a is the low byte) */
	FC_V_IPV6,     /* s points to 16 bytes, network order; len = 16 */
	FC_V_LIST,     /* items/len: several values of one scalar kind (see below) */
};

/* FC_V_LIST is produced for two kinds of fields, told apart by the field spec, not the value:
 *  - list fields (FC_FF_IS_LIST, e.g. fd.types): `in` = every element is in the set (subset),
 *    `intersects` = some element is in the set; `len()` = element count;
 *  - ancestor fields used without an index (FC_FF_ANCESTORS: proc.aname, proc.apid, ...): the
 *    elements are the ancestors' values, parent first; any comparison is true when it is true
 *    for at least one element (upstream's "any ancestor matches").
 * An empty list is reported as FC_V_NONE. Lists never nest. */
struct fc_val {
	uint8_t kind;  /* enum fc_vkind */
	uint32_t len;  /* STR/BUF/IPV6: bytes; LIST: number of items */
	union {
		uint64_t u;
		int64_t i;
		double d;
		const char *s;              /* STR, BUF, IPV6 */
		const struct fc_val *items; /* LIST */
	};
};

/* A resolved field reference, as the extractor receives it: the catalog id plus the argument
 * (LANGUAGE.md §5) — built once at bundle load through fc_field_resolve, never per event. */
struct fc_fieldspec {
	enum fc_field_id id;
	enum fc_ptype type;  /* the type the compiler checked against (evt.rawarg.NAME: its param type) */
	uint32_t flags;      /* FC_FF_* after argument adjustment (see fc_fieldref) */
	bool has_arg;
	bool arg_is_index;
	int64_t index;       /* when arg_is_index: proc.aname[2], evt.arg[1], fd.types[0] */
	const char *arg;     /* argument text, NUL-terminated ("" when none): evt.arg.NAME's NAME,
	                        proc.env[KEY]'s KEY, evt.type.is.X's X, thread.cgroup.SUBSYS ... */
	uint32_t arglen;
	int32_t param;       /* scratch for extractors (e.g. a cached parameter index); -1 at load */
};

/* Extracts field F for the current event into OUT; false (OUT->kind = FC_V_NONE) when the
 * value is missing. Called at most once per (event, distinct field spec) by the VM, which
 * caches the result for the event. */
typedef bool (*fc_extract_fn)(void *ctx, const struct fc_fieldspec *f, struct fc_val *out);

struct fc_extractor {
	fc_extract_fn extract;
	void *ctx;
};

/* Addition: an extractor's bind, for the VM: the extract function specialised for field F,
 * chosen once when the VM first needs F (never per event); it behaves exactly as the
 * extractor's EXTRACT does on F, with any ctx of that extractor. NULL = use EXTRACT. It lets the
 * common fields (proc.name, fd.name ...) skip the dispatcher. */
typedef fc_extract_fn (*fc_extract_bind_fn)(const struct fc_fieldspec *f);
/* The bind of the extractor whose extract function is EXTRACT (NULL: it has none; the state
 * engine's extractor has one). Kept out of struct fc_extractor so its users need not change. */
fc_extract_bind_fn fc_extract_bind_of(fc_extract_fn extract);

#endif
