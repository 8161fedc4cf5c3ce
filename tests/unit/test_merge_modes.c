/* test_merge_modes.c — the merger's replay extensions (merge.h fc_merge_set_views,
 * fc_merge_set_lite; capture.h fc_capture_set_lite) against its plain mode over the four shared
 * sample captures: the same events come out in the same order with the same counters; a view
 * output encodes to exactly the bytes of the plain (re-encoded) output; a lite output keeps its
 * header (code, time, thread) and carries no parameters, and every other output is unchanged;
 * inputs vouched for as decoded (fc_merge_set_decoded) change nothing. The same for a
 * synthetic stream that keeps the pending-enter bound busy (stale enters, evictions).
 * Skipped when ../shared is absent. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "events.h"
#include "merge.h"

#define SAMPLES FC_SOURCE_DIR "/../shared/captures"
#define MAXOUT 8192

struct rec {
	uint16_t type;
	uint64_t ts, tid;
	uint32_t nparams;
	size_t len;
	uint8_t *bytes; /* fc_evt_encode of the output (NULL for a lite output) */
};

struct run {
	struct rec *r;
	size_t n;
	struct fc_merge_stats st;
};

static void need_samples(void)
{
	struct stat sb;
	if (stat(SAMPLES, &sb) != 0 || !S_ISDIR(sb.st_mode))
		cr_skip_test("sample captures not found at %s: skipped", SAMPLES);
}

/* MODE 0: plain; 1: view outputs; 2: view outputs and the lite codes LITE (by current code);
 * 3: view outputs for inputs vouched for as decoded (fc_merge_set_decoded). */
static struct run merge_all(const char *file, int mode, const bool *lite)
{
	char path[1024], err[256];
	snprintf(path, sizeof path, "%s/%s", SAMPLES, file);
	struct fc_capture *cap;
	cr_assert_eq(fc_capture_open(path, &cap, err, sizeof err), 0, "%s", err);
	struct fc_merge *m = fc_merge_new(0);
	cr_assert_not_null(m);
	if (mode >= 1)
		fc_merge_set_views(m, true);
	if (mode == 3)
		fc_merge_set_decoded(m, true);
	if (mode == 2) {
		fc_merge_set_lite(m, lite);
		static bool in_lite[FC_EVENT_MAX];
		for (unsigned c = 0; c < FC_EVENT_MAX; c++)
			in_lite[c] = fc_merge_is_lite(m, (uint16_t)c);
		fc_capture_set_lite(cap, in_lite);
	}
	struct run out = {calloc(MAXOUT, sizeof(struct rec)), 0, {0}};
	cr_assert_not_null(out.r);
	struct fc_cap_item it;
	int rc;
	while ((rc = fc_capture_next(cap, &it)) == 1) {
		if (it.kind != FC_CAP_EVENT)
			continue;
		struct fc_evt ev;
		if (fc_merge_push(m, &it.ev.evt, &ev) != 1)
			continue;
		cr_assert_lt(out.n, MAXOUT);
		struct rec *r = &out.r[out.n++];
		r->type = ev.type;
		r->ts = ev.ts;
		r->tid = ev.tid;
		r->nparams = ev.nparams;
		if (mode == 2 && ev.nparams == 0 && fc_events[ev.type].nparams > 0 && lite[ev.type])
			continue; /* a lite output: header only */
		size_t n = fc_evt_encoded_len(&ev);
		cr_assert_gt(n, 0);
		r->bytes = malloc(n);
		cr_assert_not_null(r->bytes);
		cr_assert_eq(fc_evt_encode(&ev, r->bytes, n), n);
		r->len = n;
	}
	cr_assert_eq(rc, 0, "%s", fc_capture_error(cap));
	fc_merge_stats(m, &out.st);
	fc_merge_free(m);
	fc_capture_close(cap);
	return out;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->r[i].bytes);
	free(r->r);
}

static void same_stats(const struct fc_merge_stats *a, const struct fc_merge_stats *b, const char *what)
{
	cr_expect_eq(a->in, b->in, "%s: in", what);
	cr_expect_eq(a->out, b->out, "%s: out", what);
	cr_expect_eq(a->enters_absorbed, b->enters_absorbed, "%s: enters", what);
	cr_expect_eq(a->merged, b->merged, "%s: merged", what);
	cr_expect_eq(a->converted, b->converted, "%s: converted", what);
	cr_expect_eq(a->unpaired_exits, b->unpaired_exits, "%s: unpaired", what);
	cr_expect_eq(a->failed, b->failed, "%s: failed", what);
	cr_expect_eq(a->stale_enters, b->stale_enters, "%s: stale", what);
	cr_expect_eq(a->dropped_pending, b->dropped_pending, "%s: dropped", what);
}

static void check_capture(const char *file)
{
	need_samples();
	/* an arbitrary mix, so that lite and full events of one thread interleave */
	static bool lite[FC_EVENT_MAX];
	for (unsigned c = 0; c < FC_EVENT_MAX; c++)
		lite[c] = c % 3 != 0;
	struct run plain = merge_all(file, 0, NULL), views = merge_all(file, 1, NULL),
		   lt = merge_all(file, 2, lite), dec = merge_all(file, 3, NULL);
	cr_assert_gt(plain.n, 0, "%s: no events", file);
	same_stats(&plain.st, &views.st, "views");
	same_stats(&plain.st, &lt.st, "lite");
	same_stats(&plain.st, &dec.st, "decoded");
	cr_assert_eq(views.n, plain.n);
	cr_assert_eq(dec.n, plain.n);
	cr_assert_eq(lt.n, plain.n);
	size_t nlite = 0;
	for (size_t i = 0; i < plain.n; i++) {
		const struct rec *p = &plain.r[i], *v = &views.r[i], *l = &lt.r[i];
		cr_assert(v->len == p->len && memcmp(v->bytes, p->bytes, p->len) == 0,
			  "%s: output %zu (%s) differs with view outputs", file, i, fc_events[p->type].name);
		cr_assert(dec.r[i].len == p->len && memcmp(dec.r[i].bytes, p->bytes, p->len) == 0,
			  "%s: output %zu (%s) differs with decoded inputs", file, i, fc_events[p->type].name);
		cr_assert(l->type == p->type && l->ts == p->ts && l->tid == p->tid, "%s: lite output %zu header", file,
			  i);
		if (!l->bytes) {
			nlite++;
			cr_assert(lite[p->type], "%s: output %zu of a full code came out lite", file, i);
			continue;
		}
		cr_assert(l->len == p->len && memcmp(l->bytes, p->bytes, p->len) == 0,
			  "%s: full output %zu (%s) differs in lite mode", file, i, fc_events[p->type].name);
	}
	cr_expect_gt(nlite, 0, "%s: no lite output at all", file);
	run_free(&plain);
	run_free(&views);
	run_free(&lt);
	run_free(&dec);
}

Test(merge_modes, cat_write)
{
	check_capture("falco_cat_write.scap");
}

Test(merge_modes, psp_run_as_user_0)
{
	check_capture("falco_psp_run_as_user_0_container.scap");
}

Test(merge_modes, libs_sample)
{
	check_capture("libs_sample.scap");
}

Test(merge_modes, single_ipv6_conn)
{
	check_capture("libs_single_ipv6_conn.scap");
}

/* ---- a stream that exercises the pending-enter bound ---------------------------------------- */

/* Event I of a fixed pseudo-random stream over 12 threads: close/read enters and exits (an exit
 * mostly right after its thread's enter), encoded into BUF and decoded into EV. */
static void synth(uint32_t i, uint8_t buf[64], struct fc_evt *ev)
{
	static uint64_t state, last_tid;
	if (i == 0)
		state = 88172645463325252ull, last_tid = 1;
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	uint32_t r = (uint32_t)(state >> 32);
	bool exit = r & 1, read = (r >> 1) & 1;
	uint64_t tid = (r >> 2) % 4 ? last_tid : 1 + (r >> 8) % 12;
	if (!exit)
		tid = 1 + (r >> 8) % 12;
	last_tid = tid;
	uint16_t type = read ? FC_PPME_SYSCALL_READ_E : FC_PPME_SYSCALL_CLOSE_E;
	type = (uint16_t)(type + exit);
	uint32_t np = exit ? (read ? 2 : 1) : (read ? 2 : 1);
	uint32_t sizes[2] = {8, read ? (exit ? 3 : 4) : 0};
	size_t n = 26 + 2 * np + sizes[0] + (np > 1 ? sizes[1] : 0);
	memset(buf, 0, 64);
	for (int b = 0; b < 8; b++) {
		buf[b] = (uint8_t)((uint64_t)i >> (8 * b));
		buf[8 + b] = (uint8_t)(tid >> (8 * b));
	}
	buf[16] = (uint8_t)n;
	buf[20] = (uint8_t)type;
	buf[21] = (uint8_t)(type >> 8);
	buf[22] = (uint8_t)np;
	for (uint32_t k = 0; k < np; k++)
		buf[26 + 2 * k] = (uint8_t)sizes[k];
	buf[26 + 2 * np] = (uint8_t)(i & 0x7f); /* the fd / res value */
	cr_assert_eq(fc_evt_decode(buf, n, ev), FC_EVT_OK);
}

Test(merge_modes, bounded_pending_stream)
{
	enum { N = 20000 };
	static bool all[FC_EVENT_MAX];
	for (unsigned c = 0; c < FC_EVENT_MAX; c++)
		all[c] = true;
	struct fc_merge_stats st[4];
	static uint8_t bytes[4][N][32]; /* the first 32 bytes of each output's encoding */
	for (int mode = 0; mode < 4; mode++) {
		struct fc_merge *m = fc_merge_new(3);
		cr_assert_not_null(m);
		fc_merge_set_views(m, mode >= 1);
		if (mode == 2)
			fc_merge_set_lite(m, all);
		fc_merge_set_decoded(m, mode == 3);
		for (uint32_t i = 0; i < N; i++) {
			uint8_t buf[64];
			struct fc_evt in, out;
			synth(i, buf, &in);
			int rc = fc_merge_push(m, &in, &out);
			cr_assert_neq(rc, -1);
			cr_assert_leq(fc_merge_pending(m), 3);
			if (rc == 1 && mode != 2) {
				uint8_t enc[128];
				size_t n = fc_evt_encode(&out, enc, sizeof enc);
				cr_assert_gt(n, 0);
				memcpy(bytes[mode][i], enc, n < 32 ? n : 32);
			}
		}
		fc_merge_stats(m, &st[mode]);
		fc_merge_free(m);
	}
	cr_expect_gt(st[0].stale_enters, 100);
	cr_expect_gt(st[0].dropped_pending, 100);
	cr_expect_gt(st[0].merged, 1000);
	same_stats(&st[0], &st[1], "views");
	same_stats(&st[0], &st[2], "lite");
	same_stats(&st[0], &st[3], "decoded");
	cr_expect(memcmp(bytes[0], bytes[1], sizeof bytes[0]) == 0, "view outputs differ");
	cr_expect(memcmp(bytes[0], bytes[3], sizeof bytes[0]) == 0, "outputs differ with decoded inputs");
}
