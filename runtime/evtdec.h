/* evtdec.h — the body of the v2 event decoder (26-byte header), as always-inline functions:
 * evt.c builds fc_evt_decode / _nop / _sel from it, and the capture reader inlines it into its
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
	const uint8_t *psz = fc_evt_psize[e->type];
	uint64_t bad_size = 0; /* non-zero: some fixed-size parameter has a wrong length */
	for (uint32_t i = 0; i < np; i++) {
		uint64_t l = lsz == 4 ? rd32(lens + 4 * i) : rd16(lens + 2 * i);
		if (fill) {
			if (off + l > end)
				return FC_EVT_EPARAMS;
			e->pval[i] = e->raw + off;
			e->plen[i] = l;
		}
		off += l;
		uint64_t sz = psz[i];
		/* u16 lengths: l * (l - sz) * sz is 0 exactly when l is 0, sz or unchecked (sz 0);
		 * |product| < 2^40, so the u64 arithmetic loses nothing. Fewer instructions than
		 * the three tests, which u32 lengths keep. */
		bad_size |= lsz == 2 ? l * (l - sz) * sz : (uint64_t)(sz && l && l != sz);
	}
	if (off > end)
		return FC_EVT_EPARAMS;
	return bad_size ? FC_EVT_EPSIZE : FC_EVT_OK;
}

/* The v2 header at B and its checks, then its parameters: filled when FILL and not SKIP[type]
 * (SKIP may be NULL); with ZERO_TAIL a filled view also gets plen[] past nparams zeroed.
 * Inlined into each decoder of evt.c and into the capture reader's per-event path, so
 * replay decodes an event without a call. */
static inline __attribute__((always_inline)) int fc_evtdec_v2(const uint8_t *b, size_t avail, bool fill,
							      const bool *skip, bool zero_tail,
							      struct fc_evt *out)
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
	if (!fill || (skip && skip[type]))
		return large ? fc_evtdec_lay_out(out, lens, 4, np, len, false) : fc_evtdec_lay_out(out, lens, 2, np, len, false);
	if (zero_tail) {
		/* In two halves: gcc makes one 128-byte memset a `rep stos` (slow to start), each
		 * 64-byte one a few vector stores. */
		_Static_assert(sizeof(out->plen) == 128, "plen is two 64-byte halves");
		memset(out->plen, 0, 64);
		memset(out->plen + 16, 0, 64);
	}
	return large ? fc_evtdec_lay_out(out, lens, 4, np, len, true) : fc_evtdec_lay_out(out, lens, 2, np, len, true);
}

#endif
