/* evtfields.h — extraction of the fields that depend on the event alone (the evt.* classes
 * of LANGUAGE.md §13: evt.type, evt.num, evt.time*, evt.res, evt.rawres, evt.failed,
 * evt.arg.NAME / evt.arg[N] rendered as Falco renders them (flags as "O_RDONLY|O_CLOEXEC",
 * fds, errno names, socket tuples, ...), evt.rawarg.NAME, evt.args, evt.category, evt.is_*,
 * syscall.type, ...), plus the value renderer shared by outputs. The state engine's extractor
 * (state.h) delegates these fields here and adds the ones that need state (evt.abspath,
 * fd-derived evt.* fields). Rendered text goes into a per-event scratch area. */
#ifndef FC_EVTFIELDS_H
#define FC_EVTFIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evt.h"
#include "value.h"

/* Per-event scratch memory: reset (used = 0) at each event; never grown per event. A value
 * that does not fit is reported missing and counted. */
struct fc_scratch {
	char *buf;
	size_t cap, used;
	uint64_t overflows;
};
/* Reserves N bytes (8-aligned), NULL when full. */
void *fc_scratch_alloc(struct fc_scratch *s, size_t n);

/* Per-event context the evt.* fields need besides the event itself. */
struct fc_evt_ctx {
	const struct fc_evt *ev;
	uint64_t num;        /* evt.num: sequence number, from 1 */
	uint64_t first_ts;   /* evt.reltime base */
	const char *hostname;
	struct fc_scratch *scratch;
};

/* True when field ID is one this module computes (the evt./syscall. classes). */
bool fc_evtfield_handles(enum fc_field_id id);
/* Extracts F; false (OUT->kind = FC_V_NONE) when missing. */
bool fc_evtfield_extract(const struct fc_evt_ctx *c, const struct fc_fieldspec *f, struct fc_val *out);

/* Renders V as Falco prints field values in text outputs (numbers in decimal, IPs dotted,
 * lists comma-separated, ...) into BUF (NUL-terminated, truncated to LEN-1). Returns the length
 * that would have been written. TYPE is the field's type (e.g. ABSTIME vs UINT64, PORT). */
size_t fc_value_render(const struct fc_val *v, enum fc_ptype type, char *buf, size_t len);

#endif
