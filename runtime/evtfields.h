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

/* Extension: what the state engine knows about one fd, for renderings Falco resolves through
 * its fd table (an fd parameter shows as "<f>/etc/passwd", FDLIST type chars) and for the
 * fd-dependent evt.* fields (evt.category of I/O events, evt.buflen*, evt.is_syslog,
 * evt.count.error.*). */
struct fc_fd_view {
	uint8_t type;     /* enum fc_fd_type (capture.h numbering) */
	char typechar;    /* fd.typechar: 'f', '4', '6', 'u', 'p', 'e', ... */
	uint8_t l4proto;  /* 1 tcp, 2 udp, 3 icmp, 4 raw, 0 unknown (SCAP_L4_*) */
	bool is_syslog;   /* a socket connected to /dev/log */
	const char *name; /* fd.name, NUL-terminated */
};

/* Extension: optional state lookups (NULL members, or a NULL resolver, mean "unknown", which
 * renders as Falco does when it has no thread/fd information). Strings returned stay valid
 * until the extraction returns. */
struct fc_evt_resolver {
	void *ud;
	bool (*event_fd)(void *ud, struct fc_fd_view *out);        /* the fd the event acts on */
	bool (*fd)(void *ud, int64_t fd, struct fc_fd_view *out);   /* an fd of the event's thread */
	bool (*comm)(void *ud, int64_t tid, const char **out);      /* comm of thread TID */
	bool (*cwd)(void *ud, const char **out);                     /* the event thread's cwd */
	bool (*user)(void *ud, uint32_t uid, const char **out);      /* user name */
	bool (*group)(void *ud, uint32_t gid, const char **out);     /* group name */
	bool (*is_main_thread)(void *ud);                            /* tid == pid */
};

/* Per-event context the evt.* fields need besides the event itself. Zero-initialised
 * extension members keep the original meaning (no previous event, CPU unknown, no state). */
struct fc_evt_ctx {
	const struct fc_evt *ev;
	uint64_t num;        /* evt.num: sequence number, from 1 */
	uint64_t first_ts;   /* evt.reltime base */
	const char *hostname;
	struct fc_scratch *scratch;
	/* extension */
	uint64_t prev_ts;    /* evt.deltatime base: timestamp of the previous event, 0 = none */
	bool cpu_known;      /* evt.cpu is missing unless set */
	uint16_t cpu;
	const struct fc_evt_resolver *resolver;
};

/* True when field ID is one this module computes (the evt./syscall. classes). */
bool fc_evtfield_handles(enum fc_field_id id);
/* Extracts F; false (OUT->kind = FC_V_NONE) when missing. */
bool fc_evtfield_extract(const struct fc_evt_ctx *c, const struct fc_fieldspec *f, struct fc_val *out);

/* Renders V as Falco prints field values in text outputs (numbers in decimal, IPs dotted,
 * lists comma-separated, ...) into BUF (NUL-terminated, truncated to LEN-1). Returns the length
 * that would have been written. TYPE is the field's type (e.g. ABSTIME vs UINT64, PORT). */
size_t fc_value_render(const struct fc_val *v, enum fc_ptype type, char *buf, size_t len);

/* ---- Extensions: the renderers behind evt.arg / evt.args, for outputs and the state engine.
 * Each writes a NUL-terminated string into BUF (truncated to LEN-1) and returns the length
 * that would have been written. */

/* Parameter I of C->ev as evt.arg[I] shows it (the resolved text when Falco has one, e.g.
 * "ENOENT", "O_RDONLY|O_CLOEXEC", "<f>/etc/passwd", else the plain one); RESOLVED = false
 * gives the plain text ("-2", "4097", "3"). False when the event has no parameter I. */
bool fc_evt_param_str(const struct fc_evt_ctx *c, unsigned i, bool resolved, char *buf, size_t len,
		      size_t *outlen);

/* VALUE through flag/enum table TABLE ("file_flags", "socket_families", ...) as Falco joins
 * names ("O_RDONLY|O_CLOEXEC"); "" when no name matches or the table is unknown. TYPE selects
 * bit-set (FLAGS*), exact-match (ENUMFLAGS*) or mode (PT_MODE) scanning. */
size_t fc_flags_render(const char *table, enum fc_ptype type, uint64_t value, char *buf, size_t len);

/* Errno name of a result (negative, e.g. -2 -> "ENOENT") or errno (positive); NULL if none. */
const char *fc_errno_name(int64_t err);
/* Signal name ("SIGKILL") or NULL. */
const char *fc_signal_name(unsigned sig);

/* Falco's path join: DIR ('/'-terminated, as a cwd) + PATH when PATH is relative, else PATH;
 * "." and ".." segments and repeated '/' folded, a trailing '/' dropped, non-printable bytes
 * replaced by '.'; "/PATH_TOO_LONG" beyond FC_PATH_MAX bytes. Falco stops at 1024
 * (SCAP_MAX_PATH_SIZE), so that a path of 1 to 4 KB defeats every fd.name rule there; we keep
 * the whole path the kernel accepts (PATH_MAX) and the probe captures (FC_MAX_PATH). */
#define FC_PATH_MAX 4096
size_t fc_path_concat(const char *dir, size_t dlen, const char *path, size_t plen, char *buf, size_t len);

#endif
