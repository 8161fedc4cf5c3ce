/* capfeed.h — the replay pipeline as the tests and benchmarks that sit on the state engine run
 * it: a capture read in order, its process and fd lists seeded into a state engine (the
 * capture's world only: no host root), its events merged (enter+exit) and applied to the state.
 * Shared by tests/unit/test_bind.c and benchmarks/vm/vm_leaf.c; no criterion here, so that a
 * benchmark can include it. */
#ifndef FC_TEST_CAPFEED_H
#define FC_TEST_CAPFEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "capture.h"
#include "merge.h"
#include "state.h"

struct capfeed {
	struct fc_capture *cap;
	struct fc_merge *mg;
	struct fc_state *st;
	bool pending; /* an event was applied: fc_state_event_done is owed before the next */
	struct fc_cap_item it;
};

/* Opens PATH and a fresh state and merger. 0, or -1 with ERR set (the capture cannot be
 * opened, or out of memory). */
static inline int capfeed_open(struct capfeed *cf, const char *path, char *err, size_t errlen)
{
	cf->mg = NULL;
	cf->st = NULL;
	cf->pending = false;
	if (fc_capture_open(path, &cf->cap, err, errlen))
		return -1;
	struct fc_state_opts so;
	fc_state_opts_default(&so);
	so.host_root = NULL;
	cf->st = fc_state_new(&so);
	cf->mg = fc_merge_new(0);
	if (!cf->st || !cf->mg) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* The next merged event into *EV, already applied to cf->st (the previous one is finished with
 * fc_state_event_done first). 1, 0 at the end of the capture, -1 on a reader error
 * (fc_capture_error(cf->cap)). */
static inline int capfeed_next(struct capfeed *cf, struct fc_evt *ev)
{
	if (cf->pending) {
		fc_state_event_done(cf->st);
		cf->pending = false;
	}
	int rc;
	while ((rc = fc_capture_next(cf->cap, &cf->it)) == 1) {
		if (cf->it.kind == FC_CAP_PROC) {
			fc_state_seed_proc(cf->st, &cf->it.proc);
			continue;
		}
		if (cf->it.kind == FC_CAP_FD) {
			fc_state_seed_fd(cf->st, &cf->it.fd);
			continue;
		}
		if (fc_merge_push(cf->mg, &cf->it.ev.evt, ev) != 1)
			continue;
		fc_state_event(cf->st, ev);
		cf->pending = true;
		return 1;
	}
	return rc;
}

static inline void capfeed_close(struct capfeed *cf)
{
	if (cf->pending)
		fc_state_event_done(cf->st);
	if (cf->cap)
		fc_capture_close(cf->cap);
	fc_merge_free(cf->mg);
	fc_state_free(cf->st);
}

#endif
