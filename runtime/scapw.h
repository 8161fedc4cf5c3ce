/* scapw.h — the .scap capture writer (RUNTIME.md §3): section header 1.2, machine info, process
 * list (v9 entries), fd lists (v2, one block per thread) and events in EV v2 blocks (the large
 * variant for FC_EF_LARGE_PAYLOAD types), gzip-compressed or plain. A capture written here reads
 * back item for item through capture.h and opens in sysdig/Falco tools.
 *
 * Usage: open; optionally machine info (first); process and fd entries, one at a time (consecutive
 * process entries share one process-list block, consecutive fd entries of one thread one fd-list
 * block), all before the first event (libscap reads no table after it: -1 then); events; close.
 * Table strings longer than libscap's reader takes are cut to its limits (stats: truncated).
 * Events may be of any version (old captures are rewritten as they are:
 * v1-header events get the 26-byte header). Errors from the file are sticky: every later call
 * fails and close reports them. */
#ifndef FC_SCAPW_H
#define FC_SCAPW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "evt.h"

struct fc_scapw;

/* Creates PATH (truncating it) and writes the section header. GZIP selects gzip compression.
 * 0 on success; -1 with a message in ERR. */
int fc_scapw_open(const char *path, bool gzip, struct fc_scapw **w, char *err, size_t errlen);

/* Machine info block; only before any other item (-1 otherwise). */
int fc_scapw_machine(struct fc_scapw *w, const struct fc_cap_machine *mi);

/* One process-list entry (written as PL v9: every field, absent ones with their defaults);
 * -1 after an event. */
int fc_scapw_proc(struct fc_scapw *w, const struct fc_cap_proc *p);

/* One fd entry of thread FD->tid (written as FDL v2); -1 after an event. */
int fc_scapw_fd(struct fc_scapw *w, const struct fc_cap_fd *fd);

/* One event with the CPU it was seen on. An event that a reader cannot take (type out of range,
 * a non-large event block over 64 KB, a parameter too long for its length field) is refused
 * with -1 and counted; the writer stays usable. */
int fc_scapw_event(struct fc_scapw *w, const struct fc_evt *ev, uint16_t cpuid);

struct fc_scapw_stats {
	uint64_t blocks, procs, fds, events, events_refused, bytes; /* bytes: uncompressed stream */
	uint64_t truncated; /* process/fd strings cut to the length libscap's reader accepts */
};
const struct fc_scapw_stats *fc_scapw_stats(const struct fc_scapw *w);

/* Last error message ("" if none). */
const char *fc_scapw_error(const struct fc_scapw *w);

/* Flushes pending list blocks and closes the file; 0, or -1 with the first error in ERR (ERR may
 * be NULL). W is freed either way. */
int fc_scapw_close(struct fc_scapw *w, char *err, size_t errlen);

#endif
