/* merge.h — from a raw event stream (capture or probe) to one event per syscall, in current
 * layouts (RUNTIME.md §2.3–2.4, DESIGN.md "One event per syscall"):
 *   - events of old versions (FC_EF_OLD_VERSION: e.g. EXECVE_8_X, OPEN old forms) converted
 *     to the current code and parameter list, missing parameters empty;
 *   - enter events remembered per thread and merged into their exit event (the exit gets the
 *     enter-only parameters it lacks, as current Falco's converter does), never emitted alone;
 *   - exit events with no enter, and events without an enter/exit pair (tracepoints, async),
 *     passed through (converted if old).
 * The output event is re-encoded in the current 26-byte-header layout in a buffer the merger
 * owns (valid until the next push) and decoded with fc_evt_decode, so consumers see only
 * current layouts. Memory: one pending enter per thread, bounded (oldest dropped, counted). */
#ifndef FC_MERGE_H
#define FC_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include "evt.h"

struct fc_merge;
/* MAX_PENDING bounds the threads with a stored enter event; 0 selects
 * FC_MERGE_DEFAULT_PENDING. NULL when out of memory. (Memory: a thread keeps its slot after its
 * enter is paired, so slots for up to 2 x MAX_PENDING threads may exist.) */
#define FC_MERGE_DEFAULT_PENDING 65536u
struct fc_merge *fc_merge_new(uint32_t max_pending);
void fc_merge_free(struct fc_merge *m);

/* Feeds one decoded event. Returns 1 and fills OUT when an event is ready for the rules (an
 * exit, merged), 0 when IN was absorbed (an enter event), -1 when IN cannot be converted
 * (counted, skipped). */
int fc_merge_push(struct fc_merge *m, const struct fc_evt *in, struct fc_evt *out);

struct fc_merge_stats {
	uint64_t in, out, enters_absorbed, merged, converted, unpaired_exits, dropped_pending, failed;
	/* Extension: enter events discarded because the thread's next event was not their exit
	 * (or the thread exited, or a newer enter replaced them), and old event types that have no
	 * current form (K8S_E, MESOS_E, TRACER_E: dropped as upstream does; also counted in failed). */
	uint64_t stale_enters, dropped_old;
};

/* Extension: lite event codes. LITE[c] (FC_EVENT_MAX entries, indexed by current event code;
 * NULL = none) marks the codes whose parameters the consumer never reads (no rule and no state
 * parser looks at them: falcod sets it from the bundle and fc_state_reads_params). An input
 * whose current code is lite (for an enter event: also its exit's) is paired and counted
 * exactly as before, but an enter is stored without its parameters, and the output of a lite
 * exit carries only the header: ts, tid, len, type (current code), info, hdr_len and raw as
 * the input's, nparams 0 (pval/plen are not filled). Default: no code is lite. */
void fc_merge_set_lite(struct fc_merge *m, const bool *lite);
/* True when input events of CODE (any version) take the lite path: a reader may then skip
 * their parameters. */
bool fc_merge_is_lite(const struct fc_merge *m, uint16_t code);

/* Extension: view outputs. With VIEWS set, an output that would be re-encoded is instead a
 * view whose parameters point at the input, the stored enter event and the merger's own
 * storage (all valid until the next push): ts, tid, type, info, nparams, pval, plen as the
 * encoding's view would have them (fixed sizes checked the same), but raw NULL and len 0 (no
 * encoding exists; fc_evt_encode makes one). For consumers that read parameters only (falcod's
 * replay). Default: off, outputs as described at the top. */
void fc_merge_set_views(struct fc_merge *m, bool views);

/* Extension: decoded inputs. With DECODED set, the caller vouches that every input is a view
 * exactly as fc_evt_decode, fc_evt_decode_v1 or fc_evt_decode_sel made it (left unfilled, by
 * fc_evt_decode_sel, only for codes that fc_merge_is_lite reports), unmodified and with
 * its buffer: what fc_capture_next and the probe hand out. So pval[i] is set wherever plen[i] > 0, every fixed-size parameter is empty
 * or of its size, and with the 26-byte header the parameters lie in order right after the
 * length array. The merger then skips checking those facts per input; outputs and counters
 * are the same as without. An input that breaks the promise may be passed on or stored as it
 * is. Default: off (every input checked). */
void fc_merge_set_decoded(struct fc_merge *m, bool decoded);

/* Number of enter events currently stored (at most max_pending). */
uint32_t fc_merge_pending(const struct fc_merge *m);
void fc_merge_stats(const struct fc_merge *m, struct fc_merge_stats *out);

#endif
