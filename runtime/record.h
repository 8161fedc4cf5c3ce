/* record.h — `falcod --record FILE`: writes what falcod sees into a .scap capture (scapw.h) that
 * falcod --replay, sysdig and Falco tools read back.
 *   live:   machine info, the process and fd tables after the /proc scan (state dump), then
 *           every event the probe delivered;
 *   replay: capture-to-capture — the input's process/fd entries, then its events.
 * With MATCHED_ONLY (--record-matched), only the events that raised an alert and those that
 * build state (process and fd lifecycle) are kept, as the merged, current-layout exit events
 * the rules saw: a big capture or a live run becomes a small evidence file whose replay raises
 * the same alerts. */
#ifndef FC_RECORD_H
#define FC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "capture.h"
#include "evt.h"
#include "state.h"

struct fc_recorder;

int fc_record_open(const char *path, bool matched_only, struct fc_recorder **out, char *err, size_t errlen);
/* Live: machine info of this host, then the state tables. */
int fc_record_live_start(struct fc_recorder *r, struct fc_state *st);
/* Replay: pass-through of the input's machine info and table entries. */
int fc_record_machine(struct fc_recorder *r, const struct fc_cap_machine *mi);
int fc_record_proc(struct fc_recorder *r, const struct fc_cap_proc *p);
int fc_record_fd(struct fc_recorder *r, const struct fc_cap_fd *fd);
/* One event: RAW as read (enter events included); MERGED the event the rules saw (NULL when RAW
 * was absorbed by the merger); MATCHED whether it raised an alert. */
int fc_record_event(struct fc_recorder *r, const struct fc_evt *raw, const struct fc_evt *merged, bool matched);
/* Closes the file; 0, or -1 with the first write error in ERR. Writes a one-line summary
 * (events written, bytes) to SUMMARY when not NULL. R is freed. */
int fc_record_close(struct fc_recorder *r, FILE *summary, char *err, size_t errlen);

#endif
