/* test_replay.c — the state engine over the four shared sample captures (shared/captures):
 * seeded from their process and fd lists, fed every exit event (and the tracepoint/meta events:
 * procexit, container JSON), with facts checked against the captures' README reference counts
 * (exit events, opens by cat, events in a container) and against the captures' own process
 * lists (distinct processes, who exec'd what). Skipped when ../shared is absent. */
#include "statehelp.h"

#include <sys/stat.h>

#define SAMPLES FC_SOURCE_DIR "/../shared/captures"

struct tally {
	unsigned procs, procs_main, fds, exits, in_container, cat_opens, execs, groups_after_seed;
	unsigned net_events;
	char exec_name[64], exec_pname[64], exec_cmdline[256], exec_ctr[64];
};

static void need_samples(void)
{
	struct stat sb;
	if (stat(SAMPLES, &sb) != 0 || !S_ISDIR(sb.st_mode))
		cr_skip_test("sample captures not found at %s: skipped", SAMPLES);
}

static void copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "<none>");
}

static struct tally replay(const char *file)
{
	char path[1024], err[256];
	snprintf(path, sizeof(path), "%s/%s", SAMPLES, file);
	struct fc_capture *cap;
	cr_assert_eq(fc_capture_open(path, &cap, err, sizeof(err)), 0, "%s", err);
	struct fc_state *st = st_make(0, 0, NULL); /* replay: no host filesystem */
	struct tally t = {0};
	struct fc_cap_item it;
	bool seeded = false;
	int r;
	while ((r = fc_capture_next(cap, &it)) == 1) {
		if (it.kind == FC_CAP_PROC) {
			fc_state_seed_proc(st, &it.proc);
			t.procs++;
			t.procs_main += it.proc.tid == it.proc.pid;
			continue;
		}
		if (it.kind == FC_CAP_FD) {
			fc_state_seed_fd(st, &it.fd);
			t.fds++;
			continue;
		}
		const struct fc_evt *e = &it.ev.evt;
		bool exit_ev = e->type & 1;
		if (!exit_ev && !(e->info->flags & FC_EF_TP))
			continue;
		if (!seeded) {
			seeded = true;
			t.groups_after_seed = st->groups.n;
		}
		run(st, e);
		if (exit_ev) {
			t.exits++;
			const char *cid = xs(st, "container.id");
			t.in_container += cid && strcmp(cid, "host") != 0;
			const char *name = xs(st, "proc.name");
			if (!strcmp(e->info->name, "open"))
				t.cat_opens += name && !strcmp(name, "cat");
			if (!strcmp(e->info->name, "execve")) {
				t.execs++;
				copy(t.exec_name, sizeof(t.exec_name), name);
				copy(t.exec_pname, sizeof(t.exec_pname), xs(st, "proc.pname"));
				copy(t.exec_cmdline, sizeof(t.exec_cmdline), xs(st, "proc.cmdline"));
				copy(t.exec_ctr, sizeof(t.exec_ctr), xs(st, "container.name"));
			}
			t.net_events += !strcmp(e->info->name, "connect") || !strcmp(e->info->name, "accept");
		}
		done(st);
	}
	cr_assert_eq(r, 0, "%s", fc_capture_error(cap));
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_eq(s.threads_added - s.threads_removed, s.threads);
	fc_state_free(st);
	fc_capture_close(cap);
	return t;
}

Test(replay, cat_write)
{
	need_samples();
	struct tally t = replay("falco_cat_write.scap");
	cr_assert_eq(t.exits, 42);
	cr_assert_eq(t.execs, 1);
	cr_assert_eq(t.cat_opens, 4, "README: evt.type=open and proc.name=cat");
	cr_assert_eq(t.in_container, 0);
	cr_assert_str_eq(t.exec_name, "cat");
	cr_assert_str_eq(t.exec_pname, "bash");
	cr_assert_str_eq(t.exec_cmdline, "cat /dev/null");
	cr_assert_eq(t.procs, 73);
	cr_assert_eq(t.groups_after_seed, t.procs_main, "one thread group per process of the list");
}

Test(replay, psp_container)
{
	need_samples();
	struct tally t = replay("falco_psp_run_as_user_0_container.scap");
	cr_assert_eq(t.exits, 1343);
	cr_assert_eq(t.in_container, 222, "README: container.id != host");
	cr_assert_eq(t.execs, 1);
	cr_assert_str_eq(t.exec_name, "ls");
	cr_assert_str_eq(t.exec_pname, "bash");
	cr_assert_str_eq(t.exec_ctr, "hopeful_taussig", "the name from the capture's container event");
	cr_assert_eq(t.groups_after_seed, t.procs_main);
}

Test(replay, sample)
{
	need_samples();
	struct tally t = replay("libs_sample.scap");
	cr_assert_eq(t.exits, 87);
	cr_assert_eq(t.execs, 0);
	cr_assert_eq(t.in_container, 0);
	cr_assert_eq(t.groups_after_seed, t.procs_main);
}

Test(replay, single_ipv6_conn)
{
	need_samples();
	struct tally t = replay("libs_single_ipv6_conn.scap");
	cr_assert_eq(t.exits, 14);
	cr_assert_eq(t.net_events, 4);
	cr_assert_eq(t.procs, 154);
	cr_assert_eq(t.groups_after_seed, t.procs_main);
}
