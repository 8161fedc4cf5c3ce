/* test_bounds.c — the state engine's memory bounds (RUNTIME.md §5.2): a fork bomb against
 * max_threads (wide and deep), 100,000 fds in one process against max_fds_per_proc, the idle
 * purge, exits of a whole bomb giving every entry back, and the eviction and failed-lookup
 * counters, the thread cache against the table, the eviction order. Functional checks only
 * (sizes and counters, no timings). */
#include "statehelp.h"

Test(bounds, fork_bomb_wide)
{
	struct fc_state *st = st_make(1000, 0, NULL);
	seed(st, 1, 1, 0, "init", "/sbin/init", "", 0, "/");
	seed(st, 100, 100, 1, "bomb", "/tmp/bomb", "", 0, "/");
	for (int64_t i = 0; i < 100000; i++)
		feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 100, 1000 + i, 100, 100, 1, 0, "bomb", "/tmp/bomb"));
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_leq(s.threads, 1000);
	cr_assert_eq(s.threads, 1000);
	cr_assert_geq(s.thread_evictions, 100000 - 1000 + 2);
	cr_assert_eq(s.threads_added - s.threads_removed, s.threads);
	/* the bomber and init survive: they have children and are recent */
	cr_assert_not_null(fc_imap_get(&st->threads, 100));
	cr_assert_not_null(fc_imap_get(&st->threads, 1000 + 99999), "the newest child is kept");
	cr_assert_null(fc_imap_get(&st->threads, 1000), "the oldest child was evicted");
	fc_state_free(st);
}

Test(bounds, fork_bomb_deep)
{
	struct fc_state *st = st_make(500, 0, NULL);
	seed(st, 1, 1, 0, "init", "/sbin/init", "", 0, "/");
	int64_t parent = 1;
	for (int64_t i = 0; i < 20000; i++) {
		int64_t child = 10 + i;
		feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, (uint64_t)parent, child, parent, parent, 0, 0,
				  "bomb", "/tmp/bomb"));
		parent = child;
	}
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_eq(s.threads, 500);
	cr_assert_gt(s.thread_evictions, 0);
	/* the lineage that is left still walks */
	run(st, ev_read((uint64_t)parent, 0, 1));
	struct fc_val v;
	cr_assert(xv(st, "proc.aname", NULL, &v));
	cr_assert_geq(v.len, 1);
	done(st);
	fc_state_free(st);
}

Test(bounds, bomb_exit_frees_everything)
{
	struct fc_state *st = st_make(0, 0, NULL);
	seed(st, 1, 1, 0, "init", "/sbin/init", "", 0, "/");
	for (int64_t i = 0; i < 5000; i++) {
		feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 1, 100 + i, 1, 1, 0, 0, "w", "/w"));
		feed(st, ev_open((uint64_t)(100 + i), 3, "/tmp/f", 0x1));
		feed(st, ev_clone(FC_PPME_SYSCALL_CLONE_20_X, (uint64_t)(100 + i), 100000 + i, 100 + i,
				  100 + i, 1, 0x2000, "w", "/w"));
	}
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_eq(s.threads, 1 + 10000);
	cr_assert_eq(s.fds, 5000);
	for (int64_t i = 0; i < 5000; i++) {
		feed(st, ev_procexit((uint64_t)(100000 + i), 0));
		feed(st, ev_procexit((uint64_t)(100 + i), 0));
	}
	fc_state_stats(st, &s);
	cr_assert_eq(s.threads, 1);
	cr_assert_eq(s.fds, 0);
	cr_assert_eq(st->groups.n, 1, "thread groups go with their last thread");
	cr_assert_eq(s.thread_evictions, 0);
	fc_state_free(st);
}

Test(bounds, hundred_thousand_fds)
{
	struct fc_state *st = st_make(0, 0, NULL);
	seed(st, 200, 200, 1, "leaky", "/leaky", "", 0, "/");
	for (int64_t fd = 3; fd < 100003; fd++)
		feed(st, ev_open(200, fd, "/tmp/leak", 0x1));
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_eq(s.fds, 4096, "MAX_FD_TABLE_SIZE");
	cr_assert_eq(s.fd_evictions, 100000 - 4096);
	struct fc_tgroup *g = fc_imap_get(&st->groups, 200);
	cr_assert_eq(g->fds.map.n, 4096);
	/* an fd already in the full table can still be replaced */
	feed(st, ev_open(200, 3, "/tmp/other", 0x1));
	cr_assert_str_eq(((struct fc_fdinfo *)fc_imap_get(&g->fds.map, 3))->name->s, "/tmp/other");
	fc_state_stats(st, &s);
	cr_assert_eq(s.fds, 4096);
	/* closing makes room again */
	for (int64_t fd = 3; fd < 103; fd++)
		feed(st, ev_close(200, fd, 0));
	fc_state_stats(st, &s);
	cr_assert_eq(s.fds, 3996);
	cr_assert_eq(g->fds.map.cap < 16384, true, "the table shrinks back after removals");
	fc_state_free(st);
}

Test(bounds, configurable_fd_limit)
{
	struct fc_state *st = st_make(0, 10, NULL);
	seed(st, 200, 200, 1, "x", "/x", "", 0, "/");
	for (int64_t fd = 0; fd < 50; fd++)
		feed(st, ev_socket(200, fd, 2, 1, 6));
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_eq(s.fds, 10);
	cr_assert_eq(s.fd_evictions, 40);
	fc_state_free(st);
}

Test(bounds, idle_purge)
{
	struct fc_state_opts o;
	fc_state_opts_default(&o);
	o.host_root = NULL;
	o.purge_idle_ns = 1000000000ull; /* 1 s */
	struct fc_state *st = fc_state_new(&o);
	seed(st, 1, 1, 0, "init", "/sbin/init", "", 0, "/");
	seed(st, 10, 10, 1, "daemon", "/d", "", 0, "/");
	seed(st, 11, 11, 10, "idle-leaf", "/l", "", 0, "/");
	seed(st, 12, 12, 1, "busy", "/b", "", 0, "/");
	uint64_t t0 = TS;
	for (int i = 0; i < 40; i++) {
		TS = t0 + (uint64_t)i * 100000000ull; /* every 100 ms, for 4 s */
		feed(st, ev_read(12, 0, 1));
	}
	cr_assert_null(fc_imap_get(&st->threads, 11), "an idle leaf is purged");
	cr_assert_not_null(fc_imap_get(&st->threads, 12), "a busy thread stays");
	cr_assert_not_null(fc_imap_get(&st->threads, 1), "ancestors of live threads stay");
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_gt(s.thread_evictions, 0);
	fc_state_free(st);
}

Test(bounds, lookup_miss_counters)
{
	struct fc_state *st = st_make(0, 0, NULL);
	seed(st, 200, 200, 1, "x", "/x", "", 0, "/");
	struct fc_state_stats a, b;
	fc_state_stats(st, &a);
	feed(st, ev_read(999, 3, 1)); /* unknown thread (replay: no /proc lookup) */
	feed(st, ev_read(200, 42, 1)); /* unknown fd */
	fc_state_stats(st, &b);
	cr_assert_eq(b.thread_lookup_miss, a.thread_lookup_miss + 1);
	cr_assert_eq(b.fd_lookup_miss, a.fd_lookup_miss + 1);
	cr_assert_null(fc_imap_get(&st->threads, 999), "an unknown thread is not invented for a read");
	fc_state_free(st);
}

/* fc_thread_find's cache (threads.c) holds found and absent tids: it must follow the table
 * through creation, removal and tids that share a cache entry, and count every miss. */
Test(bounds, thread_cache_follows_table)
{
	struct fc_state *st = st_make(0, 0, NULL);
	seed(st, 1, 1, 0, "init", "/sbin/init", "", 0, "/");
	seed(st, 100, 100, 1, "parent", "/p", "", 0, "/");
	struct fc_state_stats a, b;
	fc_state_stats(st, &a);
	for (int i = 0; i < 3; i++) {
		run(st, ev_read(999, 0, 1));
		cr_assert_null(st->t);
		done(st);
	}
	fc_state_stats(st, &b);
	cr_assert_eq(b.thread_lookup_miss, a.thread_lookup_miss + 3, "every lookup of an absent tid counts");

	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 100, 999, 100, 100, 1, 0, "child", "/c"));
	run(st, ev_read(999, 0, 1));
	cr_assert_not_null(st->t, "a tid cached as absent is found once created");
	cr_assert_eq(st->t->tid, 999);
	cr_assert_eq(st->t->ptid, 100);
	done(st);

	/* tids on one cache entry (FC_TCACHE_N apart), alternating */
	int64_t other = 999 + FC_TCACHE_N;
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 100, other, 100, 100, 1, 0, "child2", "/c2"));
	for (int i = 0; i < 4; i++) {
		int64_t tid = i & 1 ? other : 999;
		run(st, ev_read((uint64_t)tid, 0, 1));
		cr_assert_not_null(st->t);
		cr_assert_eq(st->t->tid, tid);
		done(st);
	}

	feed(st, ev_procexit(999, 0));
	cr_assert_null(fc_imap_get(&st->threads, 999));
	fc_state_stats(st, &a);
	run(st, ev_read(999, 0, 1));
	cr_assert_null(st->t, "a removed thread is not served from the cache");
	done(st);
	fc_state_stats(st, &b);
	cr_assert_eq(b.thread_lookup_miss, a.thread_lookup_miss + 1);
	run(st, ev_read((uint64_t)other, 0, 1));
	cr_assert_not_null(st->t);
	cr_assert_eq(st->t->tid, other);
	done(st);
	fc_state_free(st);
}

/* The eviction order is the order of the threads' last events (RUNTIME.md §5.2), whatever path
 * the touch takes (already first, in the middle, last). */
Test(bounds, eviction_follows_recency)
{
	struct fc_state *st = st_make(4, 0, NULL);
	seed(st, 1, 1, 0, "init", "/sbin/init", "", 0, "/");
	seed(st, 10, 10, 1, "a", "/a", "", 0, "/");
	seed(st, 11, 11, 1, "b", "/b", "", 0, "/");
	seed(st, 12, 12, 1, "c", "/c", "", 0, "/");
	feed(st, ev_read(11, 0, 1)); /* the oldest but init: middle of the list to the front */
	feed(st, ev_read(11, 0, 1)); /* already first */
	feed(st, ev_read(10, 0, 1));
	feed(st, ev_read(12, 0, 1));
	/* recency now 12, 10, 11, init: init has children, so 11 goes */
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 12, 13, 12, 12, 1, 0, "d", "/d"));
	cr_assert_null(fc_imap_get(&st->threads, 11));
	cr_assert_not_null(fc_imap_get(&st->threads, 10));
	cr_assert_not_null(fc_imap_get(&st->threads, 13));
	feed(st, ev_read(10, 0, 1));
	/* recency 10, 13, 12, init; 12 forks (first again): 13 is the oldest leaf */
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 12, 14, 12, 12, 1, 0, "e", "/e"));
	cr_assert_null(fc_imap_get(&st->threads, 13));
	cr_assert_not_null(fc_imap_get(&st->threads, 10));
	cr_assert_not_null(fc_imap_get(&st->threads, 14));
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_eq(s.thread_evictions, 2);
	cr_assert_eq(s.threads, 4);
	fc_state_free(st);
}
