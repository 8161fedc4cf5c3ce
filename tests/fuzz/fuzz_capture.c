/* fuzz_capture.c — libFuzzer harness: the capture reader over arbitrary bytes
 * (fc_capture_open_mem), every event it yields pushed through the merger, and every merged
 * event re-encoded and decoded again. Built with -DFC_FUZZ=ON (cmake/fuzz_events.cmake).
 * Invariants checked beyond "no crash": merged events are in the current layout and decode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "merge.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct fc_capture *cap;
	if (fc_capture_open_mem(data, size, "fuzz", &cap, err, sizeof err) != 0)
		return 0;
	struct fc_merge *m = fc_merge_new(8); /* small: eviction paths run too */
	static uint8_t again[1 << 20];
	struct fc_cap_item it;
	struct fc_evt out, re;
	while (fc_capture_next(cap, &it) == 1) {
		if (it.kind != FC_CAP_EVENT)
			continue;
		if (fc_merge_push(m, &it.ev.evt, &out) != 1)
			continue;
		check(out.type < FC_EVENT_MAX && out.nparams == out.info->nparams);
		check(!(out.info->flags & FC_EF_OLD_VERSION));
		size_t n = fc_evt_encode(&out, again, sizeof again);
		if (n)
			check(fc_evt_decode(again, n, &re) == FC_EVT_OK && re.type == out.type);
	}
	struct fc_merge_stats st;
	fc_merge_stats(m, &st);
	check(st.out + st.enters_absorbed + st.failed == st.in);
	check(fc_merge_pending(m) <= 8);
	fc_merge_free(m);
	fc_capture_close(cap);
	return 0;
}
