/* evt.c — bounds-checked decoding of scap events into struct fc_evt views, and the parameter
 * accessors (see evt.h for the contract).
 *
 * Owned by the capture-reading work (issue 4). Rules followed (RUNTIME.md §2.2, §3.4;
 * EVENTS.md §2): parameters are positional and only ever appended, so an event may carry fewer
 * parameters than the table (the rest are absent) but never more; a parameter of length 0 is
 * empty; a fixed-size type otherwise has exactly its size. Every length is checked against the
 * event's len, and len against the bytes the caller says are readable, before anything is
 * dereferenced. Arithmetic is done in 64 bits so no sum of u16/u32 lengths can wrap. */
#include "evt.h"
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

/* Fixed sizes by type (ptypes.def), for the check of lay_out without a call per parameter. */
static const uint8_t fixed_size[PT_MAX_] = {
#define PTYPE(e, code, name, size) [code] = size,
#include "ptypes.def"
#undef PTYPE
};

/* Walks the length array at LENS (width LSZ bytes each); the values start right after it. END
 * is the event length relative to RAW. A fixed-size parameter of another non-zero length is
 * refused (check_sizes, folded into the one pass). With FILL, pval[]/plen[] are filled too;
 * without it (fc_evt_decode_nop) the checks and results are the same. Inlined into both
 * callers, so FILL costs no test per parameter. */
static inline __attribute__((always_inline)) int lay_out(struct fc_evt *e, const uint8_t *lens, unsigned lsz,
							 uint64_t end, bool fill)
{
	uint64_t off = (uint64_t)(lens - e->raw) + (uint64_t)e->nparams * lsz;
	if (off > end)
		return FC_EVT_EPARAMS;
	const struct fc_param *ps = e->info->params;
	bool bad_size = false;
	for (uint32_t i = 0; i < e->nparams; i++) {
		uint32_t l = lsz == 4 ? rd32(lens + 4 * i) : rd16(lens + 2 * i);
		if (off + l > end)
			return FC_EVT_EPARAMS;
		unsigned t = ps[i].type, sz = t < PT_MAX_ ? fixed_size[t] : 0;
		bad_size |= sz && l && l != sz;
		if (fill) {
			e->pval[i] = e->raw + off;
			e->plen[i] = l;
		}
		off += l;
	}
	return bad_size ? FC_EVT_EPSIZE : FC_EVT_OK;
}

/* The v2 header of B into OUT and its checks; *LSZ = the width of its parameter lengths. */
static int decode_header(const uint8_t *b, size_t avail, struct fc_evt *out, unsigned *lsz)
{
	if (b == NULL || avail < FC_EVT_HDR_LEN)
		return FC_EVT_ETRUNC;
	out->ts = rd64(b);
	out->tid = rd64(b + 8);
	out->len = rd32(b + 16);
	out->type = rd16(b + 20);
	out->nparams = rd32(b + 22);
	out->hdr_len = FC_EVT_HDR_LEN;
	out->raw = b;
	if (out->len < FC_EVT_HDR_LEN || out->len > avail)
		return FC_EVT_ELEN;
	if (out->type >= FC_EVENT_MAX)
		return FC_EVT_ETYPE;
	out->info = &fc_events[out->type];
	if (out->nparams > out->info->nparams || out->nparams > FC_EVT_MAX_PARAMS)
		return FC_EVT_ENPARAMS;
	*lsz = (out->info->flags & FC_EF_LARGE_PAYLOAD) ? 4 : 2;
	return FC_EVT_OK;
}

int fc_evt_decode_nop(const void *buf, size_t avail, unsigned hdr_len, struct fc_evt *out)
{
	if (hdr_len != FC_EVT_HDR_LEN)
		return fc_evt_decode_v1(buf, avail, out); /* v1 infers nparams from the lengths anyway */
	unsigned lsz;
	int rc = decode_header(buf, avail, out, &lsz);
	return rc ? rc : lay_out(out, (const uint8_t *)buf + FC_EVT_HDR_LEN, lsz, out->len, false);
}

int fc_evt_decode(const void *buf, size_t avail, struct fc_evt *out)
{
	unsigned lsz;
	int rc = decode_header(buf, avail, out, &lsz);
	return rc ? rc : lay_out(out, (const uint8_t *)buf + FC_EVT_HDR_LEN, lsz, out->len, true);
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
	return lay_out(out, lens, 2, len, true);
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

/* 1 = signed integer, 2 = unsigned integer, 0 = not an integer type. */
static int int_class(enum fc_ptype t)
{
	switch (t) {
	case PT_INT8:
	case PT_INT16:
	case PT_INT32:
	case PT_INT64:
	case PT_ERRNO:
	case PT_FD:
	case PT_PID:
	case PT_FD32:
	case PT_PID32:
		return 1;
	case PT_UINT8:
	case PT_UINT16:
	case PT_UINT32:
	case PT_UINT64:
	case PT_SYSCALLID:
	case PT_SIGTYPE:
	case PT_RELTIME:
	case PT_ABSTIME:
	case PT_PORT:
	case PT_L4PROTO:
	case PT_SOCKFAMILY:
	case PT_BOOL:
	case PT_FLAGS8:
	case PT_FLAGS16:
	case PT_FLAGS32:
	case PT_UID:
	case PT_GID:
	case PT_SIGSET:
	case PT_MODE:
	case PT_ENUMFLAGS8:
	case PT_ENUMFLAGS16:
	case PT_ENUMFLAGS32:
		return 2;
	default:
		return 0;
	}
}

/* Fixed sizes by type, from the one list (the state engine reads integers on every event:
 * a table lookup instead of a call). */
static const uint8_t ptype_size[PT_MAX_] = {
#define PTYPE(e, code, name, size) [code] = size,
#include "ptypes.def"
#undef PTYPE
};

static bool get_int(const struct fc_evt *e, unsigned i, uint64_t *out)
{
	if (i >= e->nparams || e->plen[i] == 0)
		return false;
	enum fc_ptype t = fc_evt_param_type(e, i);
	int cls = int_class(t);
	uint32_t l = e->plen[i];
	/* The decoder already enforced the exact size; re-check so a hand-built view is safe. */
	if (cls == 0 || (unsigned)t >= PT_MAX_ || l != ptype_size[t])
		return false;
	const uint8_t *p = e->pval[i];
	uint64_t v;
	switch (l) {
	case 1:
		v = p[0];
		if (cls == 1)
			v = (uint64_t)(int64_t)(int8_t)p[0];
		break;
	case 2:
		v = rd16(p);
		if (cls == 1)
			v = (uint64_t)(int64_t)(int16_t)v;
		break;
	case 4:
		v = rd32(p);
		if (cls == 1)
			v = (uint64_t)(int64_t)(int32_t)v;
		break;
	case 8:
		v = rd64(p);
		break;
	default:
		return false;
	}
	*out = v;
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
