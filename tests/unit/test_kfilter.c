/* test_kfilter.c — the kernel pre-filter live (issue 5): a bundle whose only rule looks at
 * openat of paths below /etc is compiled (falcoc's split stage gives openat a predicate
 * program), the probe is loaded with it, a child opens /dev/null 10000 times and /etc/hostname a
 * few times; the /dev/null opens must be dropped in the kernel (the `filtered` counter moves by
 * at least that much and none of them reaches userspace) while every /etc/hostname open, and
 * every close (a state event), arrives. Then the programs are removed while attached and the
 * /dev/null opens come through again. Skipped (with the reason) when not root, without kernel
 * BTF, or in a build without the probe. */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "events.h"
#include "evt.h"
#include "kprog.h"
#include "probe.h"
#include "rulesrc.h"

#define N_NULL 10000
#define N_ETC 5

static const char rules[] = "- rule: etc open\n"
			    "  desc: d\n"
			    "  condition: evt.type = openat and fd.num >= 0 and fd.name startswith /etc/\n"
			    "  output: o %fd.name\n"
			    "  priority: WARNING\n";

static struct fc_bundle *compile_rules(void)
{
	void *buf;
	size_t len;
	cr_assert(fc_rules_to_bundle(NULL, 0, "k.yaml", rules, strlen(rules), &buf, &len, stderr));
	struct fc_bundle *b = NULL;
	char err[256];
	cr_assert_eq(fc_bundle_load(buf, len, &b, err, sizeof err), FC_BERR_OK, "%s", err);
	free(buf);
	return b;
}

struct seen {
	pid_t pid;
	unsigned null_opens, etc_opens, closes, other_opens;
	uint64_t max_ts;
};

static int collect(void *ctx, const struct fc_evt *e)
{
	struct seen *s = ctx;
	if (e->ts > s->max_ts)
		s->max_ts = e->ts;
	if ((pid_t)e->tid != s->pid)
		return 0;
	if (e->type == FC_PPME_SYSCALL_CLOSE_X) {
		s->closes++;
	} else if (e->type == FC_PPME_SYSCALL_OPENAT_2_X) {
		int ni = fc_event_param_index(e->type, "name");
		const char *name = ni >= 0 ? fc_evt_get_str(e, (unsigned)ni) : NULL;
		if (name && !strcmp(name, "/dev/null"))
			s->null_opens++;
		else if (name && !strcmp(name, "/etc/hostname"))
			s->etc_opens++;
		else
			s->other_opens++;
	}
	return 0;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Everything written before now has been delivered once an event newer than now was (time
 * order across rings), or the rings stayed quiet. */
static void drain(struct fc_probe *p, struct seen *s)
{
	uint64_t t_end = realtime_ns() + 2000000;
	int quiet = 0;
	for (int rounds = 0; quiet < 3 && s->max_ts <= t_end; rounds++) {
		cr_assert_lt(rounds, 5000, "the rings never caught up");
		int n = fc_probe_poll(p, 20, collect, s);
		cr_assert_geq(n, 0);
		quiet = n == 0 ? quiet + 1 : 0;
	}
}

static pid_t run_opens(void)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		for (int i = 0; i < N_NULL; i++) {
			int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
			if (fd < 0)
				_exit(10);
			close(fd);
			if (i % 2000 == 0) {
				fd = (int)syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
				if (fd < 0)
					_exit(11);
				close(fd);
			}
		}
		_exit(0);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child failed: status %d", st);
	return pid;
}

Test(kfilter, openat_filtered_in_kernel, .timeout = 300)
{
	if (geteuid() != 0)
		cr_skip_test("the live pre-filter test needs root (or CAP_BPF+CAP_PERFMON); skipped");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		cr_skip_test("no kernel BTF at /sys/kernel/btf/vmlinux; skipped");
	struct fc_bundle *b = compile_rules();
	const struct fc_kprog_set *ks = fc_bundle_kprog(b);
	cr_assert_not_null(ks, "the bundle has no kernel programs");
	cr_assert_not_null(fc_kprog_for(ks, FC_PPME_SYSCALL_OPENAT_2_X), "openat has no kernel program");
	uint32_t nksel;
	const uint64_t *ksel = fc_bundle_ksel(b, &nksel);

	struct fc_probe_opts o = {.ring_bytes = 64u << 20, .ksel = ksel, .nksel = nksel, .kprog = ks};
	struct fc_probe *p = NULL;
	char err[512] = "";
	if (fc_probe_open(&o, &p, err, sizeof err) != 0) {
		if (strstr(err, "no eBPF probe") || strstr(err, "lacks BPF ring buffers"))
			cr_skip_test("%s", err);
		cr_assert_fail("fc_probe_open: %s", err);
	}
	cr_assert_eq(fc_probe_kprog_count(p), fc_kprog_count(ks));

	struct fc_probe_stats s0, s1, s2;
	struct seen sn = {0};
	drain(p, &sn);
	fc_probe_stats(p, &s0);
	sn = (struct seen){.pid = run_opens()};
	drain(p, &sn);
	fc_probe_stats(p, &s1);
	printf("kfilter: filtered %llu events in the kernel (%d /dev/null opens), sent %llu, drops %llu\n",
	       (unsigned long long)(s1.filtered - s0.filtered), N_NULL, (unsigned long long)(s1.sent - s0.sent),
	       (unsigned long long)(s1.drops_buffer - s0.drops_buffer));
	cr_assert_eq(s1.drops_buffer, s0.drops_buffer, "ring drops: the counts below would not be exact");
	cr_expect_geq(s1.filtered - s0.filtered, N_NULL);
	cr_expect_eq(sn.null_opens, 0, "%u /dev/null opens reached userspace", sn.null_opens);
	cr_expect_eq(sn.etc_opens, N_ETC);
	cr_expect_eq(sn.closes, N_NULL + N_ETC, "closes (state events) must all arrive");

	/* programs removed while attached: nothing is filtered any more */
	cr_assert_eq(fc_probe_set_kprog(p, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_eq(fc_probe_kprog_count(p), 0);
	sn = (struct seen){.pid = run_opens()};
	drain(p, &sn);
	fc_probe_stats(p, &s2);
	cr_expect_eq(sn.null_opens, N_NULL);
	cr_expect_eq(sn.etc_opens, N_ETC);
	fc_probe_close(p);
	fc_bundle_free(b);
}
