/* evt.h — the runtime's single in-memory event form and its bounds-checked decoder.
 *
 * Owns: struct fc_evt (a read-only view of one scap event: header fields plus a pointer and a
 * length per parameter, pointing into the caller's buffer), fc_evt_decode (current 26-byte
 * header, RUNTIME.md §2.1) and fc_evt_decode_v1 (the 22-byte header of EV v1 capture blocks,
 * nparams inferred, RUNTIME.md §3.4), the variant replay uses (fc_evt_decode_sel:
 * parameters of unread codes checked but not filled), the per-code table of
 * fixed parameter sizes (fc_evt_psize), and the parameter accessors. Nothing here allocates or
 * copies; a view is valid as long as the buffer it was decoded from.
 *
 * Every decode validates the whole event before the view is handed out, and never reads a byte
 * at or past `avail`. A truncated or lying event yields a distinct negative fc_evt_err; callers
 * count it and skip the event. Events of old versions (FC_EF_OLD_VERSION) decode against their
 * own table entry; converting them to current layouts is not done here.
 *
 * The wire format is little-endian; fields are assembled byte by byte, so neither alignment nor
 * host byte order matters. */
#ifndef FC_EVT_H
#define FC_EVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

#define FC_EVT_HDR_LEN 26    /* ts u64, tid u64, len u32, type u16, nparams u32 */
#define FC_EVT_HDR_V1_LEN 22 /* EV v1 blocks: no nparams */
#define FC_EVT_MAX_PARAMS 32 /* scap limit; events.c asserts every table entry fits */

enum fc_evt_err {
	FC_EVT_OK = 0,
	FC_EVT_ETRUNC = -1,   /* fewer bytes available than a header */
	FC_EVT_ELEN = -2,     /* header len shorter than a header, or longer than available */
	FC_EVT_ETYPE = -3,    /* type >= FC_EVENT_MAX (e.g. written by a newer producer) */
	FC_EVT_ENPARAMS = -4, /* nparams larger than the table entry for the type allows */
	FC_EVT_EPARAMS = -5,  /* the length array or the parameter values run past len */
	FC_EVT_EPSIZE = -6,   /* a fixed-size parameter neither empty nor exactly its size */
	FC_EVT_EV1NP = -7,    /* v1 header: no parameter count makes the lengths add up to len */
};

/* Human-readable text for an fc_evt_err ("truncated header", ...). */
const char *fc_evt_strerror(int err);

struct fc_evt {
	uint64_t ts;   /* ns since the epoch */
	uint64_t tid;  /* host thread id */
	uint32_t len;  /* total length as the header states it (v1: after the notification fix) */
	uint16_t type; /* event code, < FC_EVENT_MAX */
	uint16_t hdr_len; /* FC_EVT_HDR_LEN, or FC_EVT_HDR_V1_LEN for a v1 event */
	uint32_t nparams; /* parameters present (<= the table's count; trailing ones absent) */
	const struct fc_event_info *info; /* &fc_events[type] */
	const uint8_t *raw;               /* first header byte; `len` bytes are valid from here */
	const uint8_t *pval[FC_EVT_MAX_PARAMS]; /* parameter i's bytes (valid when plen[i] > 0) */
	uint32_t plen[FC_EVT_MAX_PARAMS];       /* parameter i's length; 0 = empty */
};

/* Decodes the 26-byte-header event at BUF, of which AVAIL bytes may be read. On success fills
 * OUT and returns FC_EVT_OK (bytes past the event's len, up to AVAIL, are ignored); otherwise
 * returns a negative fc_evt_err and leaves OUT unspecified. Parameter lengths are u16, or u32
 * for types flagged FC_EF_LARGE_PAYLOAD. */
int fc_evt_decode(const void *buf, size_t avail, struct fc_evt *out);

/* The same for the 22-byte header of EV/EVF v1 capture blocks: nparams is inferred from the
 * table (start at the type's parameter count, decrease until 22 + 2n + sum(lengths) == len;
 * no match is FC_EVT_EV1NP). Notification and infrastructure events of old captures state a
 * len 3 bytes too long; it is corrected first. The view is the same as for fc_evt_decode. */
int fc_evt_decode_v1(const void *buf, size_t avail, struct fc_evt *out);

/* Extension: fc_evt_decode, except that an event whose code C has SKIP[C] set (FC_EVENT_MAX
 * entries; NULL = none) gets every check but pval/plen unfilled (merge.h lite codes: events
 * whose parameters nobody reads); the header fields, nparams included, are still set.
 * A filled view also has plen[] zeroed from nparams up to FC_EVT_MAX_PARAMS, so a reader that
 * indexes by the table's parameter count sees absent trailing parameters as empty. The result
 * is always that of fc_evt_decode. One call per event for a reader with lite codes. */
int fc_evt_decode_sel(const void *buf, size_t avail, const bool *skip, struct fc_evt *out);

/* Extension: the fixed wire size of parameter I of event code C, fc_ptype_size of its table
 * type (0 for variable-size types and for I at or past the table's count); generated from
 * events.def at compile time. */
extern const uint8_t fc_evt_psize[FC_EVENT_MAX][FC_EVT_MAX_PARAMS];

static inline bool fc_evt_is_exit(const struct fc_evt *e)
{
	return (e->type & 1u) != 0;
}

/* Parameter I: true and its bytes/length when present (LEN may be 0 = empty); false when the
 * event carries fewer than I+1 parameters. P and LEN may be NULL. */
bool fc_evt_param(const struct fc_evt *e, unsigned i, const void **p, uint32_t *len);

/* The table type of parameter I (PT_NONE when the table has no such parameter). */
enum fc_ptype fc_evt_param_type(const struct fc_evt *e, unsigned i);

/* Integer parameters by their table type: true when parameter I is present, non-empty and of a
 * fixed-size integer type (INT*, UINT*, ERRNO, FD, PID, FD32, PID32, SYSCALLID, SIGTYPE,
 * RELTIME, ABSTIME, PORT, L4PROTO, SOCKFAMILY, BOOL, FLAGS*, ENUMFLAGS*, UID, GID, SIGSET, MODE).
 * Signed types are sign-extended, unsigned ones zero-extended; _u64 returns the same 64 bits as
 * _i64. False (OUT untouched) otherwise. */
bool fc_evt_get_i64(const struct fc_evt *e, unsigned i, int64_t *out);
bool fc_evt_get_u64(const struct fc_evt *e, unsigned i, uint64_t *out);

/* Encoding back into the current 26-byte layout (extension, used by the merger and the capture
 * writer): header (ts, tid, len, type, nparams = E->nparams), one length per parameter (u16, or
 * u32 for FC_EF_LARGE_PAYLOAD types), then the values. Works for views of either header
 * version. fc_evt_encoded_len returns 0 when E cannot be encoded (type out of range, more
 * parameters than the table, a parameter too long for a u16 length). fc_evt_encode writes into
 * BUF (CAP bytes; must not overlap E's parameter bytes) and returns the length written, 0 when
 * CAP is too small or E not encodable. */
size_t fc_evt_encoded_len(const struct fc_evt *e);
size_t fc_evt_encode(const struct fc_evt *e, void *buf, size_t cap);

/* String parameters (CHARBUF, FSPATH, FSRELPATH): the NUL-terminated string, or NULL when the
 * parameter is absent, empty, of another type, or has no NUL within its length (invalid; shown
 * as missing). The string ends at its first NUL. */
const char *fc_evt_get_str(const struct fc_evt *e, unsigned i);

#endif
