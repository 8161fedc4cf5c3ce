/* evt.c — bounds-checked decoding of scap events into struct fc_evt views, and the parameter
 * accessors (see evt.h for the contract).
 *
 * Owned by the capture-reading work (issue 4). Rules followed (RUNTIME.md §2.2, §3.4;
 * EVENTS.md §2): parameters are positional and only ever appended, so an event may carry fewer
 * parameters than the table (the rest are absent) but never more; a parameter of length 0 is
 * empty; a fixed-size type otherwise has exactly its size. Every length is checked against the
 * event's len, and len against the bytes the caller says are readable, before anything is
 * dereferenced. Arithmetic is done in 64 bits so no sum of u16/u32 lengths can wrap.
 *
 * Replay decodes every event of a capture, so the v2 decoders are one inlined body (header,
 * then a walk over the lengths against the code's row of fc_evt_psize or fc_evt_pmask, both
 * generated here from events.def) specialised per length width and per filling: evtdec.h,
 * shared with capture.c. */
#include "evt.h"
#include "evtdec.h"
#include "le.h"

#include <string.h>


const char *fc_evt_strerror(int err)
{
	switch (err) {
	case FC_EVT_OK:
		return "ok";
	case FC_EVT_ETRUNC:
		return "truncated event header";
	case FC_EVT_ELEN:
		return "event length outside the header and the available bytes";
	case FC_EVT_ETYPE:
		return "unknown event type";
	case FC_EVT_ENPARAMS:
		return "more parameters than the event table allows";
	case FC_EVT_EPARAMS:
		return "parameter lengths run past the event length";
	case FC_EVT_EPSIZE:
		return "fixed-size parameter with a wrong length";
	case FC_EVT_EV1NP:
		return "v1 event: parameter count cannot be inferred from the lengths";
	}
	return "unknown event decoding error";
}

/* Fixed sizes by type (ptypes.def) as constants named after the type, so that the per-code
 * table below can be generated from events.def at compile time. */
enum {
#define PTYPE(e, code, name, size) PSZ_##e = size, PMK_##e = size ? (uint16_t)~(unsigned)(size) : 0,
#include "ptypes.def"
#undef PTYPE
};
/* fc_evt_pmask relies on it: a length L is 0 or SIZE exactly when L & ~SIZE is 0 */
#define PTYPE(e, code, name, size) _Static_assert(((size) & ((size) - 1)) == 0, #e " size is not a power of two");
#include "ptypes.def"
#undef PTYPE

/* fc_evt_psize: one row per event code, generated from events.def (its shared parameter-list
 * macros expand through these P/PI/PD too). The decoder checks a parameter's length against
 * a load from the event's row instead of going through the parameter's type. */
#define P(name, type) PSZ_PT_##type
#define PI(name, type, table) PSZ_PT_##type
#define PD(name, type, dirfd) PSZ_PT_##type
#define EV(code, id, name, cat, flags, ...) [(code)] = {__VA_ARGS__},
#define EV0(code, id, name, cat, flags)
const uint8_t fc_evt_psize[FC_EVENT_MAX][FC_EVT_MAX_PARAMS] = {
#include "events.def"
};
#undef P
#undef PI
#undef PD

/* fc_evt_pmask (evtdec.h): the same rows as masks, two little-endian bytes per parameter. */
#define PMK(type) PMK_PT_##type & 0xff, PMK_PT_##type >> 8
#define P(name, type) PMK(type)
#define PI(name, type, table) PMK(type)
#define PD(name, type, dirfd) PMK(type)
const uint8_t fc_evt_pmask[FC_EVENT_MAX][2 * FC_EVT_MAX_PARAMS] = {
#include "events.def"
};
#undef PMK
#undef P
#undef PI
#undef PD
#undef EV
#undef EV0

int fc_evt_decode(const void *buf, size_t avail, struct fc_evt *out)
{
	return fc_evtdec_v2(buf, avail, NULL, false, out);
}

int fc_evt_decode_sel(const void *buf, size_t avail, const bool *skip, struct fc_evt *out)
{
	return fc_evtdec_v2(buf, avail, skip, true, out);
}

int fc_evt_decode_v1(const void *buf, size_t avail, struct fc_evt *out)
{
	const uint8_t *b = buf;
	if (b == NULL || avail < FC_EVT_HDR_V1_LEN)
		return FC_EVT_ETRUNC;
	out->ts = rd64(b);
	out->tid = rd64(b + 8);
	out->len = rd32(b + 16);
	out->type = rd16(b + 20);
	out->hdr_len = FC_EVT_HDR_V1_LEN;
	out->raw = b;
	if (out->type >= FC_EVENT_MAX)
		return FC_EVT_ETYPE;
	/* Old writers overstated these two events' length by 3 (upstream reader does the same). */
	if ((out->type == FC_PPME_NOTIFICATION_E || out->type == FC_PPME_INFRASTRUCTURE_EVENT_E) &&
	    out->len >= FC_EVT_HDR_V1_LEN + 3)
		out->len -= 3;
	if (out->len < FC_EVT_HDR_V1_LEN || out->len > avail)
		return FC_EVT_ELEN;
	out->info = &fc_events[out->type];

	/* Infer nparams: the value area ends exactly at len for the right count. The end position
	 * only shrinks as n decreases, so once it falls short of len no smaller n can match. */
	const uint8_t *lens = b + FC_EVT_HDR_V1_LEN;
	uint64_t len = out->len;
	int n = out->info->nparams;
	if (n > FC_EVT_MAX_PARAMS)
		n = FC_EVT_MAX_PARAMS;
	for (; n >= 0; n--) {
		uint64_t end = FC_EVT_HDR_V1_LEN + 2ull * (unsigned)n;
		if (end > len)
			continue; /* the length array itself would not fit */
		for (int i = 0; i < n; i++)
			end += rd16(lens + 2 * i);
		if (end < len)
			return FC_EVT_EV1NP;
		if (end == len)
			break;
	}
	if (n < 0)
		return FC_EVT_EV1NP;
	out->nparams = (uint32_t)n;
	return fc_evtdec_lay_out(out, lens, 2, (uint32_t)n, len, true);
}

bool fc_evt_param(const struct fc_evt *e, unsigned i, const void **p, uint32_t *len)
{
	if (i >= e->nparams)
		return false;
	if (p)
		*p = e->pval[i];
	if (len)
		*len = e->plen[i];
	return true;
}

enum fc_ptype fc_evt_param_type(const struct fc_evt *e, unsigned i)
{
	if (e->info == NULL || i >= e->info->nparams)
		return PT_NONE;
	return (enum fc_ptype)e->info->params[i].type;
}

/* The integer types: the wire size, negated for the signed ones; 0 = not an integer type.
 * One load per read (the state engine reads integers on every event). */
#define SIGNED(t) [t] = -PSZ_##t
#define UNSIGNED(t) [t] = PSZ_##t
static const int8_t int_kind[PT_MAX_] = {
	SIGNED(PT_INT8),	SIGNED(PT_INT16),	 SIGNED(PT_INT32),	 SIGNED(PT_INT64),
	SIGNED(PT_ERRNO),	SIGNED(PT_FD),		 SIGNED(PT_PID),	 SIGNED(PT_FD32),
	SIGNED(PT_PID32),	UNSIGNED(PT_UINT8),	 UNSIGNED(PT_UINT16),	 UNSIGNED(PT_UINT32),
	UNSIGNED(PT_UINT64),	UNSIGNED(PT_SYSCALLID),	 UNSIGNED(PT_SIGTYPE),	 UNSIGNED(PT_RELTIME),
	UNSIGNED(PT_ABSTIME),	UNSIGNED(PT_PORT),	 UNSIGNED(PT_L4PROTO),	 UNSIGNED(PT_SOCKFAMILY),
	UNSIGNED(PT_BOOL),	UNSIGNED(PT_FLAGS8),	 UNSIGNED(PT_FLAGS16),	 UNSIGNED(PT_FLAGS32),
	UNSIGNED(PT_UID),	UNSIGNED(PT_GID),	 UNSIGNED(PT_SIGSET),	 UNSIGNED(PT_MODE),
	UNSIGNED(PT_ENUMFLAGS8), UNSIGNED(PT_ENUMFLAGS16), UNSIGNED(PT_ENUMFLAGS32),
};
#undef SIGNED
#undef UNSIGNED

static inline bool get_int(const struct fc_evt *e, unsigned i, uint64_t *out)
{
	if (i >= e->nparams || e->info == NULL || i >= e->info->nparams)
		return false;
	unsigned t = e->info->params[i].type;
	int k = t < PT_MAX_ ? int_kind[t] : 0;
	uint32_t l = e->plen[i];
	/* The decoder already enforced the exact size; re-check so a hand-built view is safe
	 * (an empty parameter fails here too: no integer type has size 0). */
	if (k == 0 || l != (uint32_t)(k < 0 ? -k : k))
		return false;
	const uint8_t *p = e->pval[i];
	switch (k) {
	case 1:
		*out = p[0];
		break;
	case -1:
		*out = (uint64_t)(int64_t)(int8_t)p[0];
		break;
	case 2:
		*out = rd16(p);
		break;
	case -2:
		*out = (uint64_t)(int64_t)(int16_t)rd16(p);
		break;
	case 4:
		*out = rd32(p);
		break;
	case -4:
		*out = (uint64_t)(int64_t)(int32_t)rd32(p);
		break;
	default: /* 8 or -8 */
		*out = rd64(p);
		break;
	}
	return true;
}

bool fc_evt_get_u64(const struct fc_evt *e, unsigned i, uint64_t *out)
{
	return get_int(e, i, out);
}

bool fc_evt_get_i64(const struct fc_evt *e, unsigned i, int64_t *out)
{
	uint64_t v;
	if (!get_int(e, i, &v))
		return false;
	*out = (int64_t)v;
	return true;
}

const char *fc_evt_get_str(const struct fc_evt *e, unsigned i)
{
	if (i >= e->nparams || e->plen[i] == 0)
		return NULL;
	enum fc_ptype t = fc_evt_param_type(e, i);
	if (t != PT_CHARBUF && t != PT_FSPATH && t != PT_FSRELPATH)
		return NULL;
	if (memchr(e->pval[i], '\0', e->plen[i]) == NULL)
		return NULL;
	return (const char *)e->pval[i];
}

/* ---- encoding (current layout) ---------------------------------------------------------- */

size_t fc_evt_encoded_len(const struct fc_evt *e)
{
	if (e->type >= FC_EVENT_MAX || e->nparams > FC_EVT_MAX_PARAMS ||
	    e->nparams > fc_events[e->type].nparams)
		return 0;
	bool large = (fc_events[e->type].flags & FC_EF_LARGE_PAYLOAD) != 0;
	uint64_t n = FC_EVT_HDR_LEN + (uint64_t)e->nparams * (large ? 4 : 2);
	for (uint32_t i = 0; i < e->nparams; i++) {
		if (!large && e->plen[i] > UINT16_MAX)
			return 0;
		n += e->plen[i];
	}
	return n > UINT32_MAX ? 0 : (size_t)n;
}

size_t fc_evt_encode(const struct fc_evt *e, void *buf, size_t cap)
{
	size_t n = fc_evt_encoded_len(e);
	if (n == 0 || n > cap)
		return 0;
	uint8_t *b = buf;
	bool large = (fc_events[e->type].flags & FC_EF_LARGE_PAYLOAD) != 0;
	wr64(b, e->ts);
	wr64(b + 8, e->tid);
	wr32(b + 16, (uint32_t)n);
	wr16(b + 20, e->type);
	wr32(b + 22, e->nparams);
	uint8_t *lens = b + FC_EVT_HDR_LEN;
	uint8_t *val = lens + (size_t)e->nparams * (large ? 4 : 2);
	for (uint32_t i = 0; i < e->nparams; i++) {
		if (large)
			wr32(lens + 4 * i, e->plen[i]);
		else
			wr16(lens + 2 * i, (uint16_t)e->plen[i]);
		if (e->plen[i])
			memcpy(val, e->pval[i], e->plen[i]);
		val += e->plen[i];
	}
	return n;
}
