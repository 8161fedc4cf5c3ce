/* evtdec.h — the body of the v2 event decoder (26-byte header), as always-inline functions:
 * evt.c builds fc_evt_decode and fc_evt_decode_sel from it, and the capture reader inlines it into its
 * per-event path (replay decodes every event of a capture; a call per event was a tenth of
 * the decoder's instructions). Internal to the runtime: callers outside evt.c and capture.c
 * use the evt.h functions. Contract and checks: evt.h (fc_evt_decode_sel). */
#ifndef FC_EVTDEC_H
#define FC_EVTDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "evt.h"
#include "le.h"

/* Extension of fc_evt_psize for this decoder: per code and parameter, ~size as 16 bits (two
 * bytes, little-endian, so four parameters' masks are one rd64) for a fixed-size parameter, 0
 * otherwise. Every fixed size is a power of two (evt.c asserts it), so a length is 0 or the
 * size exactly when it has no bit of the mask. */
extern const uint8_t fc_evt_pmask[FC_EVENT_MAX][2 * FC_EVT_MAX_PARAMS];

/* The lite walk (most replayed events; mostly 0-6 parameters) over the NP u16 lengths at
 * LENS, which the caller has checked lie inside the event, against the code's fc_evt_pmask row
 * MK: four lengths per 8-byte load (switch events have 6) checked by one AND and summed by
 * lanes, then the last 0-3 one by one. Returns their sum; *BAD non-zero when some fixed-size
 * parameter has a wrong length. */
static inline __attribute__((always_inline)) uint64_t fc_evtdec_sum16(const uint8_t *lens, uint32_t np,
								      const uint8_t *mk, uint64_t *bad)
{
	uint64_t sum = 0, b = 0;
	uint32_t i = 0;
	if (np >= 4) {
		uint64_t pairs = 0; /* lengths 0+1 in the low half, 2+3 in the high one */
		for (; i + 4 <= np; i += 4) {
			uint64_t w = rd64(lens + 2 * i);
			b |= w & rd64(mk + 2 * i);
			/* a half gains at most 2 * 65535 per step, 8 steps at most: no carry */
			pairs += (w & 0x0000FFFF0000FFFFull) + (w >> 16 & 0x0000FFFF0000FFFFull);
		}
		sum = (pairs & 0xFFFFFFFFull) + (pairs >> 32);
	}
	for (; i < np; i++) {
		uint64_t l = rd16(lens + 2 * i);
		sum += l;
		b |= l & rd16(mk + 2 * i);
	}
	*bad = b;
	return sum;
}

/* Walks the NP lengths at LENS (width LSZ bytes each); the values start right after them and
 * the event ends at END (relative to E->raw). A fixed-size parameter of another non-zero
 * length is refused, after the bounds (EPARAMS wins over EPSIZE, as the order of checks says).
 * With FILL, pval[]/plen[] are filled as it goes, so every pointer made is inside the event;
 * without it (lite events) the lengths are only summed and the sum checked once: lengths are
 * never negative, so some prefix runs past END exactly when the whole does. Inlined into
 * every caller with constant LSZ and FILL, so neither costs a test per parameter. */
static inline __attribute__((always_inline)) int fc_evtdec_lay_out(struct fc_evt *e, const uint8_t *lens,
								   unsigned lsz, uint32_t np, uint64_t end,
								   bool fill)
{
	uint64_t off = (uint64_t)(lens - e->raw) + (uint64_t)np * lsz;
	if (off > end)
		return FC_EVT_EPARAMS;
	uint64_t bad_size = 0; /* non-zero: some fixed-size parameter has a wrong length */
	if (!fill && lsz == 2) {
		off += fc_evtdec_sum16(lens, np, fc_evt_pmask[e->type], &bad_size);
	} else {
		const uint8_t *psz = fc_evt_psize[e->type];
		const uint8_t *mk = fc_evt_pmask[e->type];
		for (uint32_t i = 0; i < np; i++) {
			uint64_t l = lsz == 4 ? rd32(lens + 4 * i) : rd16(lens + 2 * i);
			if (fill) {
				if (off + l > end)
					return FC_EVT_EPARAMS;
				e->pval[i] = e->raw + off;
				e->plen[i] = l;
			}
			off += l;
			/* u32 lengths may exceed the 16-bit mask: the three tests */
			uint64_t sz = psz[i];
			bad_size |= lsz == 2 ? l & rd16(mk + 2 * i) : (uint64_t)(sz && l && l != sz);
		}
	}
	if (off > end)
		return FC_EVT_EPARAMS;
	return bad_size ? FC_EVT_EPSIZE : FC_EVT_OK;
}

/* The v2 header at B and its checks, then its parameters: filled unless SKIP[type] (SKIP may
 * be NULL); with ZERO_TAIL a filled view also gets plen[] past nparams zeroed. Inlined into
 * each decoder of evt.c and into the capture reader's per-event path, so replay decodes an
 * event without a call. */
static inline __attribute__((always_inline)) int fc_evtdec_v2(const uint8_t *b, size_t avail, const bool *skip,
							      bool zero_tail, struct fc_evt *out)
{
	if (b == NULL || avail < FC_EVT_HDR_LEN)
		return FC_EVT_ETRUNC;
	uint32_t len = rd32(b + 16), np = rd32(b + 22);
	uint16_t type = rd16(b + 20);
	out->ts = rd64(b);
	out->tid = rd64(b + 8);
	out->len = len;
	out->type = type;
	out->nparams = np;
	out->hdr_len = FC_EVT_HDR_LEN;
	out->raw = b;
	if (len < FC_EVT_HDR_LEN || len > avail)
		return FC_EVT_ELEN;
	if (type >= FC_EVENT_MAX)
		return FC_EVT_ETYPE;
	const struct fc_event_info *info = &fc_events[type];
	out->info = info;
	/* info->nparams <= FC_EVT_MAX_PARAMS (events.c asserts it) bounds np for the view */
	if (np > info->nparams)
		return FC_EVT_ENPARAMS;
	bool large = (info->flags & FC_EF_LARGE_PAYLOAD) != 0;
	const uint8_t *lens = b + FC_EVT_HDR_LEN;
	if (skip && skip[type])
		return large ? fc_evtdec_lay_out(out, lens, 4, np, len, false) : fc_evtdec_lay_out(out, lens, 2, np, len, false);
	if (zero_tail) {
		/* Stores of a zero vector: gcc makes a memset of this view (replay's, on its
		 * stack) a `rep stos`, slow to start. */
		typedef uint32_t u32x4 __attribute__((vector_size(16)));
		const u32x4 z = {0};
		for (unsigned i = 0; i < FC_EVT_MAX_PARAMS; i += 4)
			memcpy(out->plen + i, &z, sizeof(z));
	}
	return large ? fc_evtdec_lay_out(out, lens, 4, np, len, true) : fc_evtdec_lay_out(out, lens, 2, np, len, true);
}

#endif
