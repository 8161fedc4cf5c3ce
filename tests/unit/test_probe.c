/* test_probe.c — the live eBPF probe (runtime/probe.c + bpf/probe.bpf.c) against real
 * syscalls: loads the probe with a syscall selection, runs actions in a child process, polls,
 * and checks that the expected events arrive with the right decoded parameters (the scap
 * layouts of runtime/events.def), that unselected syscalls never arrive, that the selection can
 * be replaced while attached, that events come out in timestamp order across the per-CPU
 * rings, and that the counters move. Skipped (with the reason) when not root, without kernel
 * BTF, or in a build without the probe. The burst test prints load time, consumer rate and
 * drops (figures only; nothing is asserted on timing). */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "evt.h"
#include "le.h"
#include "probe.h"

#define PTRACE_ATTACH_REQ 16 /* Linux PTRACE_ATTACH */

/* ---- collected events (copied out of the rings) ---- */

struct rec {
	uint8_t *buf;
	uint32_t len;
};

struct evlog {
	struct rec *v;
	size_t n, cap;
	pid_t only[4]; /* keep events whose header tid is one of these (0 = unused) */
	uint64_t max_ts; /* newest timestamp delivered, kept or not */
};

static int collect(void *ctx, const struct fc_evt *e)
{
	struct evlog *l = ctx;
	if (e->ts > l->max_ts)
		l->max_ts = e->ts;
	bool keep = l->only[0] == 0;
	for (int i = 0; i < 4 && l->only[i]; i++)
		if ((pid_t)e->tid == l->only[i])
			keep = true;
	if (!keep)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		cr_assert_not_null(l->v);
	}
	l->v[l->n].buf = malloc(e->len);
	cr_assert_not_null(l->v[l->n].buf);
	memcpy(l->v[l->n].buf, e->raw, e->len);
	l->v[l->n].len = e->len;
	l->n++;
	return 0;
}

static void evlog_free(struct evlog *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].buf);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct fc_evt ev_at(const struct evlog *l, size_t i)
{
	struct fc_evt e;
	cr_assert_eq(fc_evt_decode(l->v[i].buf, l->v[i].len, &e), FC_EVT_OK, "event %zu does not decode", i);
	return e;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Collects everything our producers (done by now) wrote. Other processes keep producing
 * selected events on a busy machine, so "the rings are empty" may never happen: the events
 * come out in time order, so once one newer than now has been delivered, every older one
 * has been too. */
static void drain_all(struct fc_probe *p, struct evlog *l)
{
	uint64_t t_end = realtime_ns() + 2000000;
	int quiet = 0;
	for (int rounds = 0; quiet < 3 && l->max_ts <= t_end; rounds++) {
		cr_assert_lt(rounds, 2000, "the rings never caught up");
		int n = fc_probe_poll(p, 20, collect, l);
		cr_assert_geq(n, 0);
		quiet = n == 0 ? quiet + 1 : 0;
	}
}

/* ---- parameters by name ---- */

static int pidx(const struct fc_evt *e, const char *name)
{
	int i = fc_event_param_index(e->type, name);
	cr_assert_geq(i, 0, "event %s (%u) has no parameter %s", e->info->name, e->type, name);
	cr_assert_lt((unsigned)i, e->nparams, "event %s lacks parameter %s", e->info->name, name);
	return i;
}

static int64_t pint(const struct fc_evt *e, const char *name)
{
	int64_t v;
	cr_assert(fc_evt_get_i64(e, (unsigned)pidx(e, name), &v), "%s.%s is empty or not an integer",
		  e->info->name, name);
	return v;
}

static const char *pstr(const struct fc_evt *e, const char *name)
{
	return fc_evt_get_str(e, (unsigned)pidx(e, name));
}

static const uint8_t *pbytes(const struct fc_evt *e, const char *name, uint32_t *len)
{
	const void *p;
	cr_assert(fc_evt_param(e, (unsigned)pidx(e, name), &p, len));
	return p;
}

static bool bytes_have(const uint8_t *b, uint32_t n, const char *s)
{
	size_t m = strlen(s) + 1; /* with its NUL: a whole element of a NUL-separated list */
	for (uint32_t i = 0; i + m <= n; i++)
		if ((i == 0 || b[i - 1] == 0) && memcmp(b + i, s, m) == 0)
			return true;
	return false;
}

/* Index of the first event of TYPE from TID (after FROM), or -1. */
static long find(const struct evlog *l, size_t from, unsigned type, pid_t tid)
{
	for (size_t i = from; i < l->n; i++) {
		struct fc_evt e = ev_at(l, i);
		if (e.type == type && (tid == 0 || (pid_t)e.tid == tid))
			return (long)i;
	}
	return -1;
}

static size_t count_type(const struct evlog *l, unsigned type, pid_t tid)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct fc_evt e = ev_at(l, i);
		if (e.type == type && (tid == 0 || (pid_t)e.tid == tid))
			n++;
	}
	return n;
}

/* ---- probe setup ---- */

static void sel_add(uint64_t *ksel, const char *name)
{
	const struct fc_syscall_info *s = fc_syscall_by_name(name);
	cr_assert_not_null(s, "unknown syscall %s", name);
	ksel[s->ppm_sc / 64] |= 1ull << (s->ppm_sc % 64);
}

#define NKSEL 8 /* words: PPM_SC codes < 512 */

static struct fc_probe *open_probe_fork(const char *const *names, uint32_t cpus_per_ring, uint32_t ring_bytes,
				       bool fork_tp)
{
	if (geteuid() != 0)
		cr_skip_test("probe tests need root (or CAP_BPF+CAP_PERFMON); skipped");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		cr_skip_test("no kernel BTF at /sys/kernel/btf/vmlinux; probe tests skipped");
	static uint64_t ksel[NKSEL];
	memset(ksel, 0, sizeof(ksel));
	for (size_t i = 0; names[i]; i++)
		sel_add(ksel, names[i]);
	struct fc_probe_opts o = {.ring_bytes = ring_bytes, .cpus_per_ring = cpus_per_ring, .ksel = ksel,
				  .nksel = NKSEL, .fork_tracepoint = fork_tp};
	struct fc_probe *p = NULL;
	char err[512] = "";
	if (fc_probe_open(&o, &p, err, sizeof(err)) != 0) {
		if (strstr(err, "no eBPF probe") || strstr(err, "lacks BPF ring buffers"))
			cr_skip_test("%s", err);
		cr_assert_fail("fc_probe_open: %s", err);
	}
	return p;
}

static struct fc_probe *open_probe(const char *const *names, uint32_t cpus_per_ring, uint32_t ring_bytes)
{
	return open_probe_fork(names, cpus_per_ring, ring_bytes, false);
}

/* Runs FN in a child, waits for it; returns its pid. */
static pid_t run_child(void (*fn)(void *), void *arg)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "child died: status %d", st);
	cr_assert_eq(WEXITSTATUS(st), 0, "child failed with %d", WEXITSTATUS(st));
	return pid;
}

static uint32_t enc_dev(dev_t d)
{
	uint32_t ma = major(d), mi = minor(d);
	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}

/* ---- file, process and network events ---- */

struct act1 {
	char tmp[PATH_MAX];
	char dir[PATH_MAX];
	uint16_t port;
	int portfd[2]; /* child -> parent: fds and ports it saw */
};

struct act1_report {
	int fd, dupfd, sock;
	uint16_t lport;
};

static void act1(void *arg)
{
	struct act1 *a = arg;
	struct act1_report r = {0};
	r.fd = (int)syscall(SYS_openat, AT_FDCWD, a->tmp, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0640);
	if (r.fd < 0)
		_exit(10);
	r.dupfd = dup(r.fd);
	close(r.dupfd);
	close(r.fd);
	r.sock = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(a->port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(r.sock, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		_exit(11);
	socklen_t sl = sizeof(sa);
	getsockname(r.sock, (struct sockaddr *)&sa, &sl);
	r.lport = ntohs(sa.sin_port);
	close(r.sock);
	/* Unselected: must not show up. */
	syscall(SYS_mkdirat, AT_FDCWD, a->dir, 0700);
	syscall(SYS_unlinkat, AT_FDCWD, a->dir, AT_REMOVEDIR);
	syscall(SYS_getppid);
	if (write(a->portfd[1], &r, sizeof(r)) != sizeof(r))
		_exit(12);
	/* On the stack: the probe cannot fault user pages in, and a literal's page in the forked
	 * child may not be mapped yet when the failing execve is reported (it fails before the
	 * kernel reads the strings); whether it is depends on the binary's layout. */
	char a0[] = "fcprobe-fail", a1[] = "x", e0[] = "FC_PROBE_TEST=1", e1[] = "X=y";
	char *const bad_argv[] = {a0, a1, NULL};
	char *const argv[] = {"/bin/true", "alpha", "beta gamma", NULL};
	char *const envp[] = {e0, e1, NULL};
	execve("/nonexistent/fcprobe", bad_argv, envp); /* fails: ENOENT */
	execve("/bin/true", argv, envp);
	_exit(13);
}

Test(probe, file_process_network_events)
{
	static const char *const sel[] = {"openat", "close", "dup", "execve", "execveat", "clone",
					  "clone3", "fork", "vfork", "socket", "connect",
					  "sched_process_exit", NULL};
	struct fc_probe *p = open_probe(sel, 0, 0);

	struct act1 a;
	snprintf(a.tmp, sizeof(a.tmp), "/tmp/fcprobe-%d.tmp", getpid());
	snprintf(a.dir, sizeof(a.dir), "/tmp/fcprobe-%d.dir", getpid());
	unlink(a.tmp);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(lfd, 8), 0);
	socklen_t sl = sizeof(sa);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	a.port = ntohs(sa.sin_port);
	cr_assert_eq(pipe(a.portfd), 0);

	struct fc_probe_stats before;
	fc_probe_stats(p, &before);
	struct evlog l = {0};
	pid_t child = run_child(act1, &a);
	struct act1_report r;
	cr_assert_eq(read(a.portfd[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	l.only[0] = child;
	l.only[1] = (pid_t)syscall(SYS_gettid);
	drain_all(p, &l);
	cr_assert_gt(l.n, 0, "no events at all");

	/* openat exit carries the enter parameters */
	struct stat st;
	cr_assert_eq(stat(a.tmp, &st), 0);
	long i = find(&l, 0, FC_PPME_SYSCALL_OPENAT_2_X, child);
	while (i >= 0) {
		struct fc_evt e = ev_at(&l, (size_t)i);
		const char *name = pstr(&e, "name");
		if (name && strcmp(name, a.tmp) == 0)
			break;
		i = find(&l, (size_t)i + 1, FC_PPME_SYSCALL_OPENAT_2_X, child);
	}
	cr_assert_geq(i, 0, "no openat event for %s", a.tmp);
	struct fc_evt e = ev_at(&l, (size_t)i);
	cr_expect_eq(e.nparams, 7);
	cr_expect_eq(pint(&e, "fd"), r.fd);
	cr_expect_eq(pint(&e, "dirfd"), -100);
	uint64_t want = 0x2 | 0x4 | 0x100 | 0x1000 | 0x4000; /* WRONLY CREAT TRUNC CLOEXEC F_CREATED */
	cr_expect_eq((uint64_t)pint(&e, "flags") & want, want, "flags 0x%llx", (unsigned long long)pint(&e, "flags"));
	cr_expect_eq(pint(&e, "mode"), 0640);
	cr_expect_eq((uint32_t)pint(&e, "dev"), enc_dev(st.st_dev));
	cr_expect_eq((uint64_t)pint(&e, "ino"), (uint64_t)st.st_ino);

	/* dup and close */
	i = find(&l, 0, FC_PPME_SYSCALL_DUP_1_X, child);
	cr_assert_geq(i, 0, "no dup event");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), r.dupfd);
	cr_expect_eq(pint(&e, "oldfd"), r.fd);
	bool closed_fd = false, closed_dup = false;
	for (long j = find(&l, 0, FC_PPME_SYSCALL_CLOSE_X, child); j >= 0;
	     j = find(&l, (size_t)j + 1, FC_PPME_SYSCALL_CLOSE_X, child)) {
		struct fc_evt c = ev_at(&l, (size_t)j);
		closed_fd |= pint(&c, "fd") == r.fd && pint(&c, "res") == 0;
		closed_dup |= pint(&c, "fd") == r.dupfd;
	}
	cr_expect(closed_fd && closed_dup, "close events missing");

	/* socket + connect: tuple local -> remote, and the user address */
	i = find(&l, 0, FC_PPME_SOCKET_SOCKET_X, child);
	cr_assert_geq(i, 0, "no socket event");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "fd"), r.sock);
	cr_expect_eq(pint(&e, "domain"), AF_INET);
	cr_expect_eq(pint(&e, "type"), SOCK_STREAM);
	i = find(&l, 0, FC_PPME_SOCKET_CONNECT_X, child);
	cr_assert_geq(i, 0, "no connect event");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 0);
	cr_expect_eq(pint(&e, "fd"), r.sock);
	uint32_t tl, al;
	const uint8_t *t = pbytes(&e, "tuple", &tl);
	cr_assert_eq(tl, 13, "IPv4 tuple is 13 bytes, got %u", tl);
	cr_expect_eq(t[0], AF_INET);
	cr_expect_eq(memcmp(t + 1, "\x7f\0\0\x01", 4), 0);
	cr_expect_eq(rd16(t + 5), r.lport);
	cr_expect_eq(memcmp(t + 7, "\x7f\0\0\x01", 4), 0);
	cr_expect_eq(rd16(t + 11), a.port);
	const uint8_t *ad = pbytes(&e, "addr", &al);
	cr_assert_eq(al, 7);
	cr_expect_eq(ad[0], AF_INET);
	cr_expect_eq(memcmp(ad + 1, "\x7f\0\0\x01", 4), 0);
	cr_expect_eq(rd16(ad + 5), a.port);

	/* failed execve: reported on sys_exit with the user argv and the filename */
	i = find(&l, 0, FC_PPME_SYSCALL_EXECVE_19_X, child);
	cr_assert_geq(i, 0, "no execve event");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), -ENOENT);
	cr_expect_str_eq(pstr(&e, "exe"), "fcprobe-fail");
	uint32_t n;
	const uint8_t *b = pbytes(&e, "args", &n);
	cr_expect(n == 2 && memcmp(b, "x", 2) == 0, "failed execve args (%u bytes)", n);
	cr_expect_str_eq(pstr(&e, "filename"), "/nonexistent/fcprobe");
	b = pbytes(&e, "env", &n);
	cr_expect(bytes_have(b, n, "FC_PROBE_TEST=1") && bytes_have(b, n, "X=y"), "failed execve env");

	/* successful execve: from sched_process_exec, with the new image */
	i = find(&l, (size_t)i + 1, FC_PPME_SYSCALL_EXECVE_19_X, child);
	cr_assert_geq(i, 0, "no successful execve event");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(e.nparams, 31);
	cr_expect_eq(pint(&e, "res"), 0);
	cr_expect_str_eq(pstr(&e, "exe"), "/bin/true");
	b = pbytes(&e, "args", &n);
	cr_expect(n == sizeof("alpha\0beta gamma") && memcmp(b, "alpha\0beta gamma", n) == 0, "args (%u bytes)", n);
	cr_expect_eq(pint(&e, "tid"), child);
	cr_expect_eq(pint(&e, "pid"), child);
	cr_expect_eq(pint(&e, "ptid"), getpid());
	char cwd[PATH_MAX];
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_expect_str_eq(pstr(&e, "cwd"), cwd);
	cr_expect_str_eq(pstr(&e, "comm"), "true");
	b = pbytes(&e, "env", &n);
	cr_expect(bytes_have(b, n, "FC_PROBE_TEST=1") && bytes_have(b, n, "X=y"), "env");
	b = pbytes(&e, "cgroups", &n);
	cr_expect(n > 0 && memchr(b, '=', n) && b[n - 1] == 0, "cgroups (%u bytes)", n);
	cr_expect_eq(pint(&e, "uid"), geteuid());
	cr_expect_eq(pint(&e, "gid"), getegid());
	cr_expect_str_eq(pstr(&e, "filename"), "/bin/true");
	char real[PATH_MAX];
	cr_assert_not_null(realpath("/bin/true", real));
	cr_expect_str_eq(pstr(&e, "trusted_exepath"), real);
	struct stat tst;
	cr_assert_eq(stat(real, &tst), 0);
	cr_expect_eq((uint64_t)pint(&e, "exe_ino"), (uint64_t)tst.st_ino);
	cr_expect_eq((uint64_t)pint(&e, "exe_ino_mtime"),
		     (uint64_t)tst.st_mtim.tv_sec * 1000000000ull + (uint64_t)tst.st_mtim.tv_nsec);
	cr_expect_neq(pint(&e, "cap_effective"), 0, "root has capabilities");
	cr_expect_eq(pint(&e, "pgid"), getpgrp());
	cr_expect_gt(pint(&e, "vm_size"), 0);
	cr_expect_gt(pint(&e, "fdlimit"), 0);

	/* procexit of the child */
	i = find(&l, 0, FC_PPME_PROCEXIT_1_E, child);
	cr_assert_geq(i, 0, "no procexit event");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "status"), 0);
	cr_expect_eq(pint(&e, "ret"), 0);
	cr_expect_eq(pint(&e, "sig"), 0);

	/* clone: the parent's side (res = child) and, on x86_64, the child's (res = 0) */
	bool parent_side = false, child_side = false;
	for (size_t k = 0; k < l.n; k++) {
		struct fc_evt c = ev_at(&l, k);
		if (c.type != FC_PPME_SYSCALL_CLONE_20_X && c.type != FC_PPME_SYSCALL_CLONE3_X)
			continue;
		if (pint(&c, "res") == child)
			parent_side = true;
		if ((pid_t)c.tid == child && pint(&c, "res") == 0) {
			child_side = true;
			cr_expect_eq(pint(&c, "tid"), child);
			cr_expect_eq(pint(&c, "ptid"), getpid());
		}
	}
	cr_expect(parent_side, "no clone event for the parent");
	cr_expect(child_side, "no clone event for the child");

	/* unselected syscalls never arrive */
	for (size_t k = 0; k < l.n; k++) {
		struct fc_evt c = ev_at(&l, k);
		cr_expect(c.type != FC_PPME_SYSCALL_MKDIRAT_X && c.type != FC_PPME_SYSCALL_UNLINKAT_2_X &&
				  c.type != FC_PPME_GENERIC_X,
			  "unselected event %s arrived", c.info->name);
		cr_expect(fc_evt_is_exit(&c) || c.type == FC_PPME_PROCEXIT_1_E, "enter event %u", c.type);
	}

	/* one thread's events come out in timestamp order */
	uint64_t last = 0;
	for (size_t k = 0; k < l.n; k++) {
		struct fc_evt c = ev_at(&l, k);
		if ((pid_t)c.tid != child)
			continue;
		cr_expect_geq(c.ts, last, "event %zu goes back in time", k);
		last = c.ts;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t now_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	cr_expect(last <= now_ns && last > now_ns - 60ull * 1000000000ull, "timestamps are epoch ns");

	struct fc_probe_stats s;
	fc_probe_stats(p, &s);
	cr_expect_gt(s.sent, before.sent);
	cr_expect_geq(s.seen, s.sent);
	cr_expect_geq(s.delivered, l.n);
	cr_expect_eq(s.bad, 0);
	cr_expect_eq(s.build_err, 0);
	cr_expect_geq(s.ncpus, 1);
	cr_expect_eq(s.nrings, (uint32_t)sysconf(_SC_NPROCESSORS_ONLN), "one ring per online CPU");

	evlog_free(&l);
	close(lfd);
	unlink(a.tmp);
	fc_probe_close(p);
}

/* ---- many builders: every event decodes with the expected parameters ---- */

struct act2 {
	char base[PATH_MAX];
	uint16_t port;
	int out[2];
};

struct act2_report {
	int pfd[2], lsock, csock, asock, memfd, dfd;
	uint16_t lport;
};

static void act2(void *arg)
{
	struct act2 *a = arg;
	struct act2_report r = {0};
	char d[PATH_MAX + 8], f1[PATH_MAX + 16], f2[PATH_MAX + 16], sl[PATH_MAX + 16];
	snprintf(d, sizeof(d), "%s.d", a->base);
	snprintf(f1, sizeof(f1), "%s.d/one", a->base);
	snprintf(f2, sizeof(f2), "%s.d/two", a->base);
	snprintf(sl, sizeof(sl), "%s.d/link", a->base);
	if (syscall(SYS_mkdirat, AT_FDCWD, d, 0750) != 0)
		_exit(20);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, f1, O_CREAT | O_RDWR, 0600);
	close(fd);
	syscall(SYS_fchmodat, AT_FDCWD, f1, 0644);
	syscall(SYS_renameat2, AT_FDCWD, f1, AT_FDCWD, f2, 0);
	syscall(SYS_linkat, AT_FDCWD, f2, AT_FDCWD, f1, 0);
	syscall(SYS_symlinkat, "two", AT_FDCWD, sl);
	syscall(SYS_unlinkat, AT_FDCWD, sl, 0);
	syscall(SYS_unlinkat, AT_FDCWD, f1, 0);
	syscall(SYS_unlinkat, AT_FDCWD, f2, 0);
	r.dfd = open(d, O_RDONLY | O_DIRECTORY);
	syscall(SYS_fchdir, r.dfd);
	syscall(SYS_chdir, "/");
	syscall(SYS_unlinkat, AT_FDCWD, d, AT_REMOVEDIR);
	if (pipe2(r.pfd, O_CLOEXEC) != 0)
		_exit(21);
	dup3(r.pfd[0], 100, O_CLOEXEC);
	r.memfd = (int)syscall(SYS_memfd_create, "fcprobe-memfd", MFD_CLOEXEC);
	prctl(PR_SET_NAME, "fcprobe-name", 0, 0, 0);
	kill(getpid(), 0);
	/* listener, connect, accept4 */
	r.lsock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(r.lsock, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(r.lsock, 4) != 0)
		_exit(22);
	socklen_t len = sizeof(sa);
	getsockname(r.lsock, (struct sockaddr *)&sa, &len);
	r.lport = ntohs(sa.sin_port);
	r.csock = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(r.csock, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		_exit(23);
	r.asock = accept4(r.lsock, NULL, NULL, SOCK_NONBLOCK);
	if (r.asock < 0)
		_exit(24);
	char buf[64];
	if (write(r.pfd[1], "hello-probe", 11) != 11 || read(r.pfd[0], buf, sizeof(buf)) != 11)
		_exit(27);
	if (sendto(r.csock, "ping", 4, 0, NULL, 0) != 4 || recvfrom(r.asock, buf, 16, 0, NULL, NULL) != 4)
		_exit(28);
	if (setresuid(0, 0, 0) != 0 || setuid(0) != 0)
		_exit(25);
	if (write(a->out[1], &r, sizeof(r)) != sizeof(r))
		_exit(26);
}

Test(probe, builders_decode)
{
	static const char *const sel[] = {"mkdirat", "openat", "fchmodat", "renameat2", "linkat", "symlinkat",
					  "unlinkat", "fchdir", "chdir", "pipe2", "dup3", "memfd_create", "prctl",
					  "kill", "socket", "bind", "listen", "connect", "accept4", "setresuid",
					  "setuid", "close", "read", "write", "sendto", "recvfrom", NULL};
	struct fc_probe *p = open_probe(sel, 0, 0);
	struct act2 a;
	snprintf(a.base, sizeof(a.base), "/tmp/fcprobe2-%d", getpid());
	cr_assert_eq(pipe(a.out), 0);
	struct evlog l = {0};
	pid_t child = run_child(act2, &a);
	struct act2_report r;
	cr_assert_eq(read(a.out[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	l.only[0] = child;
	drain_all(p, &l);

	char d[PATH_MAX + 8];
	snprintf(d, sizeof(d), "%s.d", a.base);
	long i = find(&l, 0, FC_PPME_SYSCALL_MKDIRAT_X, child);
	cr_assert_geq(i, 0, "mkdirat");
	struct fc_evt e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 0);
	cr_expect_eq(pint(&e, "dirfd"), -100);
	cr_expect_str_eq(pstr(&e, "path"), d);
	cr_expect_eq(pint(&e, "mode"), 0750);

	i = find(&l, 0, FC_PPME_SYSCALL_FCHMODAT_X, child);
	cr_assert_geq(i, 0, "fchmodat");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 0);
	cr_expect_eq(pint(&e, "mode"), 0644);

	i = find(&l, 0, FC_PPME_SYSCALL_RENAMEAT2_X, child);
	cr_assert_geq(i, 0, "renameat2");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 0);
	cr_expect_eq(pint(&e, "olddirfd"), -100);
	cr_expect_eq(pint(&e, "flags"), 0);
	cr_expect(strstr(pstr(&e, "newpath"), ".d/two") != NULL);

	i = find(&l, 0, FC_PPME_SYSCALL_LINKAT_2_X, child);
	cr_assert_geq(i, 0, "linkat");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 0);
	cr_expect(strstr(pstr(&e, "oldpath"), ".d/two") != NULL);

	i = find(&l, 0, FC_PPME_SYSCALL_SYMLINKAT_X, child);
	cr_assert_geq(i, 0, "symlinkat");
	e = ev_at(&l, (size_t)i);
	cr_expect_str_eq(pstr(&e, "target"), "two");
	cr_expect_eq(pint(&e, "linkdirfd"), -100);

	cr_expect_eq(count_type(&l, FC_PPME_SYSCALL_UNLINKAT_2_X, child), 4);
	i = find(&l, 0, FC_PPME_SYSCALL_UNLINKAT_2_X, child);
	for (int k = 0; k < 3 && i >= 0; k++)
		i = find(&l, (size_t)i + 1, FC_PPME_SYSCALL_UNLINKAT_2_X, child);
	cr_assert_geq(i, 0);
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "flags"), 0x200, "AT_REMOVEDIR");

	i = find(&l, 0, FC_PPME_SYSCALL_FCHDIR_X, child);
	cr_assert_geq(i, 0, "fchdir");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "fd"), r.dfd);
	i = find(&l, 0, FC_PPME_SYSCALL_CHDIR_X, child);
	cr_assert_geq(i, 0, "chdir");
	e = ev_at(&l, (size_t)i);
	cr_expect_str_eq(pstr(&e, "path"), "/");

	i = find(&l, 0, FC_PPME_SYSCALL_PIPE2_X, child);
	cr_assert_geq(i, 0, "pipe2");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 0);
	cr_expect_eq(pint(&e, "fd1"), r.pfd[0]);
	cr_expect_eq(pint(&e, "fd2"), r.pfd[1]);
	cr_expect_gt(pint(&e, "ino"), 0);
	cr_expect_eq(pint(&e, "flags"), 0x1000, "O_CLOEXEC");

	i = find(&l, 0, FC_PPME_SYSCALL_DUP3_X, child);
	cr_assert_geq(i, 0, "dup3");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 100);
	cr_expect_eq(pint(&e, "oldfd"), r.pfd[0]);
	cr_expect_eq(pint(&e, "newfd"), 100);
	cr_expect_eq(pint(&e, "flags"), 0x1000);

	i = find(&l, 0, FC_PPME_SYSCALL_MEMFD_CREATE_X, child);
	cr_assert_geq(i, 0, "memfd_create");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "fd"), r.memfd);
	cr_expect_str_eq(pstr(&e, "name"), "fcprobe-memfd");
	cr_expect_eq(pint(&e, "flags"), 1);

	i = find(&l, 0, FC_PPME_SYSCALL_PRCTL_X, child);
	cr_assert_geq(i, 0, "prctl");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "option"), PR_SET_NAME);
	cr_expect_str_eq(pstr(&e, "arg2_str"), "fcprobe-name");

	i = find(&l, 0, FC_PPME_SYSCALL_KILL_X, child);
	cr_assert_geq(i, 0, "kill");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "pid"), child);
	cr_expect_eq(pint(&e, "sig"), 0);

	i = find(&l, 0, FC_PPME_SOCKET_SOCKET_X, child);
	cr_assert_geq(i, 0, "socket");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "fd"), r.lsock);
	cr_expect_eq(pint(&e, "flags"), 0x1000, "SOCK_CLOEXEC as O_CLOEXEC");

	i = find(&l, 0, FC_PPME_SOCKET_BIND_X, child);
	cr_assert_geq(i, 0, "bind");
	e = ev_at(&l, (size_t)i);
	uint32_t n;
	const uint8_t *ad = pbytes(&e, "addr", &n);
	cr_expect(n == 7 && ad[0] == AF_INET && rd16(ad + 5) == 0, "bind addr");
	cr_expect_eq(pint(&e, "fd"), r.lsock);

	i = find(&l, 0, FC_PPME_SOCKET_LISTEN_X, child);
	cr_assert_geq(i, 0, "listen");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "backlog"), 4);

	i = find(&l, 0, FC_PPME_SOCKET_ACCEPT4_6_X, child);
	cr_assert_geq(i, 0, "accept4");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "fd"), r.asock);
	const uint8_t *t = pbytes(&e, "tuple", &n);
	cr_assert_eq(n, 13);
	cr_expect_eq(rd16(t + 11), r.lport, "inbound tuple: server side second");
	cr_expect_eq(pint(&e, "queuemax"), 4);
	cr_expect_eq(pint(&e, "flags"), SOCK_NONBLOCK);

	i = find(&l, 0, FC_PPME_SYSCALL_WRITE_X, child);
	cr_assert_geq(i, 0, "write");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 11);
	cr_expect_eq(pint(&e, "fd"), r.pfd[1]);
	cr_expect_eq(pint(&e, "size"), 11);
	const uint8_t *data = pbytes(&e, "data", &n);
	cr_expect(n == 11 && memcmp(data, "hello-probe", 11) == 0, "write data");
	i = find(&l, 0, FC_PPME_SYSCALL_READ_X, child);
	cr_assert_geq(i, 0, "read");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 11);
	cr_expect_eq(pint(&e, "size"), 64);
	data = pbytes(&e, "data", &n);
	cr_expect(n == 11 && memcmp(data, "hello-probe", 11) == 0, "read data");
	i = find(&l, 0, FC_PPME_SOCKET_SENDTO_X, child);
	cr_assert_geq(i, 0, "sendto");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 4);
	cr_expect_eq(pint(&e, "fd"), r.csock);
	data = pbytes(&e, "data", &n);
	cr_expect(n == 4 && memcmp(data, "ping", 4) == 0, "sendto data");
	t = pbytes(&e, "tuple", &n);
	cr_expect(n == 13 && rd16(t + 11) == r.lport, "sendto tuple: the server second");
	i = find(&l, 0, FC_PPME_SOCKET_RECVFROM_X, child);
	cr_assert_geq(i, 0, "recvfrom");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 4);
	cr_expect_eq(pint(&e, "fd"), r.asock);
	data = pbytes(&e, "data", &n);
	cr_expect(n == 4 && memcmp(data, "ping", 4) == 0, "recvfrom data");
	t = pbytes(&e, "tuple", &n);
	cr_expect(n == 13 && rd16(t + 11) == r.lport, "recvfrom tuple: the server second");

	i = find(&l, 0, FC_PPME_SYSCALL_SETRESUID_X, child);
	cr_assert_geq(i, 0, "setresuid");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 0);
	cr_expect_eq(pint(&e, "euid"), 0);
	cr_expect_geq(find(&l, 0, FC_PPME_SYSCALL_SETUID_X, child), 0, "setuid");

	struct fc_probe_stats s;
	fc_probe_stats(p, &s);
	cr_expect_eq(s.bad, 0);
	cr_expect_eq(s.build_err, 0);
	evlog_free(&l);
	fc_probe_close(p);
}

/* ---- clone children from sched_process_fork (the arm64 way) ---- */

static void *thread_fn(void *arg)
{
	return arg;
}

static void act6(void *arg)
{
	(void)arg;
	pid_t g = fork(); /* grandchild: a process */
	if (g == 0)
		_exit(0);
	waitpid(g, NULL, 0);
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fn, NULL) != 0) /* a thread: clone3 or clone */
		_exit(40);
	pthread_join(th, NULL);
}

Test(probe, clone_child_from_sched_process_fork)
{
	static const char *const sel[] = {"clone", "clone3", "fork", "vfork", NULL};
	struct fc_probe *p = open_probe_fork(sel, 0, 0, true);
	struct evlog l = {0};
	pid_t child = run_child(act6, NULL);
	drain_all(p, &l);
	/* In the child: one process and one thread created; each gives the parent's side (res =
	 * new tid, from sys_exit) and exactly one child side (res = 0, from the tracepoint). */
	size_t parents = 0, children = 0, threads = 0;
	for (size_t k = 0; k < l.n; k++) {
		struct fc_evt e = ev_at(&l, k);
		if (e.type != FC_PPME_SYSCALL_CLONE_20_X && e.type != FC_PPME_SYSCALL_CLONE3_X)
			continue;
		if ((pid_t)e.tid == child && pint(&e, "res") > 0) {
			parents++;
			continue;
		}
		/* tasks the child created: the new process's parent is the child, the new thread
		 * belongs to the child (the child's own creation is not counted) */
		if (pint(&e, "res") != 0 || (pid_t)e.tid == child ||
		    (pint(&e, "ptid") != child && pint(&e, "pid") != child))
			continue;
		children++;
		cr_expect_eq(e.type, FC_PPME_SYSCALL_CLONE_20_X, "the tracepoint always reports clone");
		cr_expect_eq(e.nparams, 21);
		cr_expect_eq(pint(&e, "tid"), (int64_t)e.tid, "header tid is the new task");
		uint64_t flags = (uint64_t)pint(&e, "flags");
		if (pint(&e, "pid") == child) { /* the thread */
			threads++;
			cr_expect_eq(flags & 0xA800, 0xA800, "CLONE_THREAD|SIGHAND|VM inferred: 0x%llx",
				     (unsigned long long)flags);
			cr_expect(flags & 0x1, "CLONE_FILES inferred");
		} else {
			cr_expect_eq(pint(&e, "pid"), (int64_t)e.tid);
			cr_expect_eq(flags & 0x2000, 0);
		}
		cr_expect_str_eq(pstr(&e, "comm"), "test_probe");
		cr_expect_gt(pint(&e, "pidns_init_start_ts"), 0);
	}
	cr_expect_eq(parents, 2);
	cr_expect_eq(children, 2, "one child-side event per new task, none from sys_exit");
	cr_expect_eq(threads, 1);
	evlog_free(&l);
	fc_probe_close(p);
}

/* ---- every builder: each call the child makes arrives with the full parameter list ---- */

struct act7 {
	char base[PATH_MAX];
};

static void act7(void *arg)
{
	struct act7 *a = arg;
	char d[PATH_MAX + 8], f[PATH_MAX + 16], g[PATH_MAX + 16];
	snprintf(d, sizeof(d), "%s.d", a->base);
	snprintf(f, sizeof(f), "%s.d/f", a->base);
	snprintf(g, sizeof(g), "%s.d/g", a->base);
	int sv[2], fds[2];
	syscall(SYS_mkdirat, AT_FDCWD, d, 0700);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, f, O_CREAT | O_RDWR, 0600);
	struct { uint64_t flags, mode, resolve; } how = {O_RDONLY, 0, 0x08 /* RESOLVE_BENEATH */};
	close((int)syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, sizeof(how)));
	syscall(SYS_fchmod, fd, 0640);
	syscall(SYS_fchown, fd, 0, 0);
	syscall(SYS_fchownat, AT_FDCWD, f, 0, 0, AT_SYMLINK_NOFOLLOW);
	syscall(SYS_renameat, AT_FDCWD, f, AT_FDCWD, g);
	syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv);
	syscall(SYS_shutdown, sv[0], SHUT_WR);
	syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 50);
	syscall(SYS_eventfd2, 7, O_CLOEXEC);
	syscall(SYS_inotify_init1, O_NONBLOCK);
	syscall(SYS_epoll_create1, O_CLOEXEC);
	syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0);
	syscall(SYS_pidfd_open, getpid(), 0);
	syscall(SYS_setpgid, 0, 0);
	char cwd[PATH_MAX];
	syscall(SYS_getcwd, cwd, sizeof(cwd));
	syscall(SYS_faccessat, AT_FDCWD, g, R_OK); /* not selected: faccessat has no event */
	syscall(SYS_fstat, fd, &(struct stat){0});
	syscall(SYS_getuid);
	syscall(SYS_geteuid);
	syscall(SYS_getgid);
	syscall(SYS_getegid);
	syscall(SYS_setgid, 0);
	syscall(SYS_setresgid, 0, 0, 0);
	syscall(SYS_setreuid, -1, -1);
	syscall(SYS_setregid, -1, -1);
	syscall(SYS_unshare, 0);
	syscall(SYS_setns, -1, 0);
	syscall(SYS_ptrace, PTRACE_ATTACH_REQ, 0x7ffffff0, 0, 0);
	syscall(SYS_bpf, 0, NULL, 0);
	syscall(SYS_init_module, NULL, 0, "");
	syscall(SYS_finit_module, -1, "", 0);
	syscall(SYS_tkill, (pid_t)syscall(SYS_gettid), 0);
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), 0);
	syscall(SYS_userfaultfd, O_CLOEXEC);
	void *pg = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	syscall(SYS_mprotect, pg, 4096, PROT_READ | PROT_WRITE);
	syscall(SYS_mount, "none", d, "tmpfs", MS_NOSUID, NULL);
	syscall(SYS_umount2, d, MNT_DETACH);
	syscall(SYS_chroot, "/");
	syscall(SYS_prctl, PR_GET_CHILD_SUBREAPER, &(int){0}, 0, 0, 0);
	syscall(SYS_pipe2, fds, 0);
#ifdef SYS_dup2 /* not on aarch64 (asm-generic has only dup3) */
	syscall(SYS_dup2, fds[0], 60);
#endif
	syscall(SYS_unlinkat, AT_FDCWD, g, 0);
	syscall(SYS_unlinkat, AT_FDCWD, d, AT_REMOVEDIR);
	char *const argv[] = {"nope", NULL};
	syscall(SYS_execveat, AT_FDCWD, "/nonexistent/fcprobe", argv, argv + 1, 0);
#ifdef SYS_open
	close((int)syscall(SYS_open, "/dev/null", O_RDONLY));
	close((int)syscall(SYS_creat, f, 0600));
	syscall(SYS_chmod, f, 0600);
	syscall(SYS_chown, f, 0, 0);
	syscall(SYS_lchown, f, 0, 0);
	syscall(SYS_link, f, g);
	syscall(SYS_symlink, "f", d); /* EEXIST: the directory is gone, d is free; fine either way */
	syscall(SYS_unlink, d);
	syscall(SYS_rename, g, d);
	syscall(SYS_unlink, d);
	syscall(SYS_unlink, f);
	syscall(SYS_mkdir, d, 0700);
	syscall(SYS_rmdir, d);
	syscall(SYS_stat, "/", &(struct stat){0});
	syscall(SYS_lstat, "/", &(struct stat){0});
	syscall(SYS_access, "/", F_OK);
	syscall(SYS_pipe, fds);
	syscall(SYS_eventfd, 3);
	syscall(SYS_inotify_init);
	syscall(SYS_epoll_create, 4);
	pid_t v = (pid_t)syscall(SYS_vfork);
	if (v == 0)
		syscall(SYS_exit, 0);
#endif
}

Test(probe, every_builder_sends_full_events)
{
	static const char *const sel[] = {
		"mkdirat", "openat", "openat2", "fchmod", "fchown", "fchownat", "renameat", "socketpair",
		"shutdown", "fcntl", "eventfd2", "inotify_init1", "epoll_create1", "timerfd_create",
		"pidfd_open", "setpgid", "getcwd", "fstat", "getuid", "geteuid", "getgid", "getegid",
		"setgid", "setresgid", "setreuid", "setregid", "unshare", "setns", "ptrace", "bpf",
		"init_module", "finit_module", "tkill", "tgkill", "userfaultfd", "mprotect", "mount",
		"umount2", "chroot", "prctl", "pipe2", "dup2", "unlinkat", "execveat", "open", "creat",
		"chmod", "chown", "lchown", "link", "symlink", "unlink", "rename", "mkdir", "rmdir", "stat",
		"lstat", "access", "pipe", "eventfd", "inotify_init", "epoll_create", "vfork", NULL};
	struct fc_probe *p = open_probe(sel, 0, 0);
	struct act7 a;
	snprintf(a.base, sizeof(a.base), "/tmp/fcprobe7-%d", getpid());
	struct evlog l = {0};
	pid_t child = run_child(act7, &a);
	l.only[0] = child;
	drain_all(p, &l);
	fc_evtset seen;
	memset(&seen, 0, sizeof(seen));
	for (size_t k = 0; k < l.n; k++) {
		struct fc_evt e = ev_at(&l, k);
		cr_expect(e.type != FC_PPME_GENERIC_X, "a generic event: every selected call has a builder");
		cr_expect_eq(e.nparams, e.info->nparams, "%s: %u of %u parameters", e.info->name, e.nparams,
			     e.info->nparams);
		fc_evtset_add(&seen, e.type);
	}
	/* every selected syscall that exists on this arch produced its event */
	for (size_t i = 0; sel[i]; i++) {
		const struct fc_syscall_info *s = fc_syscall_by_name(sel[i]);
#if defined(__x86_64__)
		if (s->nr_x86_64 < 0)
			continue;
#else
		if (s->nr_aarch64 < 0)
			continue;
#endif
		cr_expect(fc_evtset_has(&seen, s->enter_code | 1u), "no %s event", sel[i]);
	}
	long i = find(&l, 0, FC_PPME_SYSCALL_EXECVEAT_X, child);
	cr_assert_geq(i, 0);
	struct fc_evt e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), -ENOENT);
	cr_expect_str_eq(pstr(&e, "exe"), "nope");
	i = find(&l, 0, FC_PPME_SYSCALL_OPENAT2_X, child);
	cr_assert_geq(i, 0);
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "resolve"), 0x1, "RESOLVE_BENEATH -> PPM_RESOLVE_BENEATH");
	cr_expect_eq(pint(&e, "flags"), 0x1, "O_RDONLY -> PPM_O_RDONLY");
	i = find(&l, 0, FC_PPME_SYSCALL_PTRACE_X, child);
	cr_assert_geq(i, 0);
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "request"), 11, "PTRACE_ATTACH");
	cr_expect_eq(pint(&e, "pid"), 0x7ffffff0);
	cr_expect_lt(pint(&e, "res"), 0);
	i = find(&l, 0, FC_PPME_SYSCALL_MOUNT_X, child);
	cr_assert_geq(i, 0);
	e = ev_at(&l, (size_t)i);
	cr_expect_str_eq(pstr(&e, "type"), "tmpfs");
	cr_expect_eq(pint(&e, "flags"), MS_NOSUID);
	i = find(&l, 0, FC_PPME_SYSCALL_FCNTL_X, child);
	cr_assert_geq(i, 0);
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "cmd"), 26, "F_DUPFD_CLOEXEC");
	cr_expect_geq(pint(&e, "res"), 50, "F_DUPFD_CLOEXEC gives an fd >= 50");
	i = find(&l, 0, FC_PPME_SOCKET_SOCKETPAIR_X, child);
	cr_assert_geq(i, 0);
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "res"), 0);
	cr_expect_neq(pint(&e, "source"), 0);
	cr_expect_neq(pint(&e, "peer"), 0);
	i = find(&l, 0, FC_PPME_SYSCALL_GETUID_X, child);
	cr_assert_geq(i, 0);
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(pint(&e, "uid"), getuid());
	struct fc_probe_stats s;
	fc_probe_stats(p, &s);
	cr_expect_eq(s.build_err, 0);
	cr_expect_eq(s.bad, 0);
	evlog_free(&l);
	fc_probe_close(p);
}

/* ---- selection ---- */

struct act3 {
	char dir[PATH_MAX];
};

static void act3(void *arg)
{
	struct act3 *a = arg;
	syscall(SYS_mkdirat, AT_FDCWD, a->dir, 0700);
	syscall(SYS_fchmodat, AT_FDCWD, a->dir, 0711);
	syscall(SYS_unlinkat, AT_FDCWD, a->dir, AT_REMOVEDIR);
	syscall(SYS_getppid);
}

Test(probe, selection_changes_while_attached)
{
	static const char *const sel1[] = {"mkdirat", NULL};
	struct fc_probe *p = open_probe(sel1, 0, 0);
	const struct fc_syscall_info *mk = fc_syscall_by_name("mkdirat"), *ch = fc_syscall_by_name("fchmodat");
#if defined(__x86_64__)
	int mk_nr = mk->nr_x86_64, ch_nr = ch->nr_x86_64;
#else
	int mk_nr = mk->nr_aarch64, ch_nr = ch->nr_aarch64;
#endif
	cr_expect(fc_probe_selected(p, mk_nr));
	cr_expect(!fc_probe_selected(p, ch_nr));

	struct act3 a;
	snprintf(a.dir, sizeof(a.dir), "/tmp/fcprobe3-%d", getpid());
	struct evlog l = {0};
	l.only[0] = run_child(act3, &a);
	drain_all(p, &l);
	cr_expect_eq(count_type(&l, FC_PPME_SYSCALL_MKDIRAT_X, 0), 1);
	cr_expect_eq(count_type(&l, FC_PPME_SYSCALL_FCHMODAT_X, 0), 0);
	cr_expect_eq(l.n, 1, "only the selected syscall: %zu events", l.n);
	evlog_free(&l);

	/* replace: fchmodat and getppid (no dedicated event: generic) instead of mkdirat */
	uint64_t ksel[NKSEL] = {0};
	sel_add(ksel, "fchmodat");
	sel_add(ksel, "getppid");
	cr_assert_eq(fc_probe_set_selection(p, ksel, NKSEL), 0);
	cr_expect(!fc_probe_selected(p, mk_nr));
	cr_expect(fc_probe_selected(p, ch_nr));
	l.only[0] = run_child(act3, &a);
	drain_all(p, &l);
	cr_expect_eq(count_type(&l, FC_PPME_SYSCALL_MKDIRAT_X, 0), 0);
	long i = find(&l, 0, FC_PPME_SYSCALL_FCHMODAT_X, 0);
	cr_assert_geq(i, 0, "no fchmodat after the selection change");
	struct fc_evt e = ev_at(&l, (size_t)i);
	cr_expect_str_eq(pstr(&e, "filename"), a.dir);
	cr_expect_eq(pint(&e, "mode"), 0711);
	i = find(&l, 0, FC_PPME_GENERIC_X, 0);
	cr_assert_geq(i, 0, "no generic event for getppid");
	e = ev_at(&l, (size_t)i);
	cr_expect_eq(e.len, 34, "a generic event is 34 bytes");
	cr_expect_eq(pint(&e, "ID"), fc_syscall_by_name("getppid")->ppm_sc);
	cr_expect_eq(pint(&e, "nativeID"), SYS_getppid);
	cr_expect_eq(l.n, 2);
	evlog_free(&l);

	/* nothing selected: the dispatcher is detached, nothing arrives */
	uint64_t none[NKSEL] = {0};
	cr_assert_eq(fc_probe_set_selection(p, none, NKSEL), 0);
	l.only[0] = run_child(act3, &a);
	drain_all(p, &l);
	cr_expect_eq(l.n, 0);
	evlog_free(&l);
	fc_probe_close(p);
}

/* ---- the consumer's own syscalls (drop_self) ---- */

static void mkdir_n(const char *dir, int n)
{
	for (int i = 0; i < n; i++) {
		syscall(SYS_mkdirat, AT_FDCWD, dir, 0700);
		syscall(SYS_unlinkat, AT_FDCWD, dir, AT_REMOVEDIR);
	}
}

struct own_thr {
	char dir[PATH_MAX];
	pid_t tid;
};

static void *own_thread(void *arg)
{
	struct own_thr *t = arg;
	t->tid = (pid_t)syscall(SYS_gettid);
	mkdir_n(t->dir, 4);
	return NULL;
}

static void act_own_child(void *arg)
{
	mkdir_n(arg, 3);
}

Test(probe, own_process_dropped_in_the_kernel)
{
	if (geteuid() != 0)
		cr_skip_test("probe tests need root (or CAP_BPF+CAP_PERFMON); skipped");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		cr_skip_test("no kernel BTF at /sys/kernel/btf/vmlinux; probe tests skipped");
	static uint64_t ksel[NKSEL];
	memset(ksel, 0, sizeof(ksel));
	sel_add(ksel, "mkdirat");
	struct fc_probe_opts o = {.ksel = ksel, .nksel = NKSEL, .drop_self = true};
	struct fc_probe *p = NULL;
	char err[512] = "";
	if (fc_probe_open(&o, &p, err, sizeof(err)) != 0) {
		if (strstr(err, "no eBPF probe") || strstr(err, "lacks BPF ring buffers"))
			cr_skip_test("%s", err);
		cr_assert_fail("fc_probe_open: %s", err);
	}
	struct own_thr t;
	snprintf(t.dir, sizeof(t.dir), "/tmp/fcprobe-own-t-%d", getpid());
	char dir[PATH_MAX], cdir[PATH_MAX];
	snprintf(dir, sizeof(dir), "/tmp/fcprobe-own-%d", getpid());
	snprintf(cdir, sizeof(cdir), "/tmp/fcprobe-own-c-%d", getpid());
	struct fc_probe_stats before;
	fc_probe_stats(p, &before);
	mkdir_n(dir, 5); /* this thread */
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, own_thread, &t), 0);
	cr_assert_eq(pthread_join(th, NULL), 0);
	struct evlog l = {0};
	l.only[0] = (pid_t)syscall(SYS_gettid);
	l.only[1] = t.tid;
	l.only[2] = run_child(act_own_child, cdir); /* another process: not ours */
	drain_all(p, &l);
	size_t own = 0, child = 0;
	for (size_t i = 0; i < l.n; i++) {
		struct fc_evt e = ev_at(&l, i);
		if (e.type != FC_PPME_SYSCALL_MKDIRAT_X)
			continue;
		if ((pid_t)e.tid == l.only[2])
			child++;
		else
			own++;
	}
	struct fc_probe_stats after;
	fc_probe_stats(p, &after);
	cr_expect_eq(own, 0, "%zu mkdirat events of our own threads reached the rings", own);
	cr_expect_eq(child, 3, "the child's 3 mkdirat: %zu events", child);
	cr_expect_geq(after.own - before.own, 9, "own counter: %llu",
		      (unsigned long long)(after.own - before.own));
	evlog_free(&l);
	fc_probe_close(p);
}

/* ---- ordering across rings ---- */

struct act4 {
	int cpu;
	int n;
	int go; /* read end of the start barrier */
};

static void act4(void *arg)
{
	struct act4 *a = arg;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(a->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		_exit(30);
	char c;
	if (read(a->go, &c, 1) != 1)
		_exit(31);
	for (int i = 0; i < a->n; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
		close(fd);
	}
}

#define N_ORDER 15000 /* openat+close pairs per producer: long enough to overlap */

static void two_cpu_order(uint32_t cpus_per_ring)
{
	static const char *const sel[] = {"openat", "close", NULL};
	struct fc_probe *p = open_probe(sel, cpus_per_ring, 0);
	struct fc_probe_stats s;
	fc_probe_stats(p, &s);
	if (s.ncpus < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fc_probe_close(p);
		cr_skip_test("needs two online CPUs");
	}
	uint32_t online = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN);
	cr_expect_eq(s.nrings, cpus_per_ring ? (online + cpus_per_ring - 1) / cpus_per_ring : online);
	/* Two children pinned to different CPUs run at the same time; all their events are in
	 * the rings before we poll, so the merge must give one global timestamp order. */
	int go[2];
	cr_assert_eq(pipe(go), 0);
	struct act4 a0 = {0, N_ORDER, go[0]}, a1 = {1, N_ORDER, go[0]};
	fflush(NULL);
	pid_t c0 = fork();
	if (c0 == 0) {
		act4(&a0);
		_exit(0);
	}
	pid_t c1 = fork();
	if (c1 == 0) {
		act4(&a1);
		_exit(0);
	}
	cr_assert_eq(write(go[1], "ab", 2), 2); /* start both at once */
	int st;
	cr_assert_eq(waitpid(c0, &st, 0), c0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_eq(waitpid(c1, &st, 0), c1);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	struct evlog l = {0};
	l.only[0] = c0;
	l.only[1] = c1;
	drain_all(p, &l);
	/* All fit in the rings (about 150 bytes per openat+close pair), so none may be missing. */
	cr_expect_eq(count_type(&l, FC_PPME_SYSCALL_OPENAT_2_X, c0), N_ORDER);
	cr_expect_eq(count_type(&l, FC_PPME_SYSCALL_OPENAT_2_X, c1), N_ORDER);
	cr_expect_eq(count_type(&l, FC_PPME_SYSCALL_CLOSE_X, c0), N_ORDER);
	/* With one ring per CPU every ring is in time order, so the merge yields a global order.
	 * CPUs sharing a ring reserve space in lock order, which can differ from the order in
	 * which they took their timestamps; there only each producer's own order is guaranteed. */
	size_t switches = 0, inversions = 0;
	uint64_t last = 0, last0 = 0, last1 = 0;
	pid_t prev = 0;
	for (size_t i = 0; i < l.n; i++) {
		struct fc_evt e = ev_at(&l, i);
		if (!cpus_per_ring || cpus_per_ring == 1)
			cr_assert_geq(e.ts, last, "event %zu of %zu goes back in time", i, l.n);
		inversions += e.ts < last;
		last = e.ts > last ? e.ts : last;
		uint64_t *mine = (pid_t)e.tid == c0 ? &last0 : &last1;
		cr_assert_geq(e.ts, *mine, "event %zu goes back in time within its producer", i);
		*mine = e.ts;
		if (prev && (pid_t)e.tid != prev)
			switches++;
		prev = (pid_t)e.tid;
	}
	/* How much the two producers overlapped depends on the machine's load: reported only. */
	fprintf(stderr, "probe %s: %zu producer switches in %zu events, %zu behind an event of the other CPU\n",
		cpus_per_ring > 1 ? "shared ring" : "per-CPU rings", switches, l.n, inversions);
	close(go[0]);
	close(go[1]);
	evlog_free(&l);
	fc_probe_close(p);
}

Test(probe, order_across_per_cpu_rings)
{
	two_cpu_order(0);
}

Test(probe, order_with_a_shared_ring)
{
	two_cpu_order(2);
}

/* ---- burst: consumer rate and drops (figures printed, not asserted) ---- */

static void act5(void *arg)
{
	int n = *(int *)arg;
	for (int i = 0; i < n; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
		close(fd);
	}
}

struct burst {
	pid_t child;
	size_t got;
	uint64_t first_ts, last_ts, max_ts;
};

static int count_child(void *ctx, const struct fc_evt *e)
{
	struct burst *b = ctx;
	if (e->ts > b->max_ts)
		b->max_ts = e->ts;
	if ((pid_t)e->tid == b->child && e->type == FC_PPME_SYSCALL_OPENAT_2_X) {
		if (!b->got)
			b->first_ts = e->ts;
		b->last_ts = e->ts;
		b->got++;
	}
	return 0;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Consumes until the child's events are all out (see drain_all), TIMEOUT_MS per poll. */
static void drain_burst(struct fc_probe *p, struct burst *b, int timeout_ms)
{
	uint64_t t_end = realtime_ns() + 2000000;
	int quiet = 0;
	for (int rounds = 0; quiet < 3 && b->max_ts <= t_end; rounds++) {
		cr_assert_lt(rounds, 100000, "the rings never caught up");
		int k = fc_probe_poll(p, timeout_ms, count_child, b);
		cr_assert_geq(k, 0);
		quiet = k == 0 ? quiet + 1 : 0;
	}
}

Test(probe, burst_of_openat)
{
	static const char *const sel[] = {"openat", NULL};
	struct fc_probe *p = open_probe(sel, 0, 0);
	const int n = 100000;
	struct fc_probe_stats s0, s1;
	fc_probe_stats(p, &s0);
	struct burst b = {0};
	int n_arg = n;
	fflush(NULL);
	double t0 = mono();
	b.child = fork();
	cr_assert_geq(b.child, 0);
	if (b.child == 0) {
		act5(&n_arg);
		_exit(0);
	}
	/* Consume while the child produces. */
	int st = 0;
	while (waitpid(b.child, &st, WNOHANG) != b.child)
		cr_assert_geq(fc_probe_poll(p, 10, count_child, &b), 0);
	drain_burst(p, &b, 10);
	double t1 = mono();
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fc_probe_stats(p, &s1);
	uint64_t drops = s1.drops_by_cat[3] - s0.drops_by_cat[3]; /* open_exit */
	cr_expect_str_eq(fc_probe_dropcat_name(3), "open_exit");
	/* Every openat of the child either arrived or was counted as dropped (the drop counter
	 * also counts other processes' openat, hence >=). */
	cr_expect_leq(b.got, (size_t)n);
	cr_expect_geq(b.got + drops, (size_t)n, "got %zu + dropped %llu < %d", b.got, (unsigned long long)drops, n);
	cr_expect_eq(s1.bad, 0);
	fprintf(stderr,
		"probe burst: load %.1f ms; %d openat from one child in %.3f s wall; delivered %zu "
		"(%.0f events/s consumed), dropped %llu (ring %u KiB x %u); producer span %.3f s\n",
		(double)fc_probe_load_ns(p) / 1e6, n, t1 - t0, b.got, (double)b.got / (t1 - t0),
		(unsigned long long)drops, 8192u, s1.nrings, (double)(b.last_ts - b.first_ts) / 1e9);
	fc_probe_close(p);
}

/* Consumer alone: the child's events wait in the rings, then one timed drain. */
Test(probe, drain_rate_of_a_full_ring)
{
	static const char *const sel[] = {"openat", NULL};
	struct fc_probe *p = open_probe(sel, 0, 32u << 20);
	int n = 100000;
	struct burst b = {0};
	b.child = run_child(act5, &n);
	struct fc_probe_stats s0;
	fc_probe_stats(p, &s0);
	double t0 = mono();
	drain_burst(p, &b, 0);
	double t1 = mono();
	cr_expect_eq(b.got, (size_t)n, "a 32 MiB ring holds the whole burst");
	fprintf(stderr, "probe drain: %zu events of the child (%llu in the rings in all) in %.4f s = %.0f events/s\n",
		b.got, (unsigned long long)s0.sent, t1 - t0, (double)s0.sent / (t1 - t0));
	fc_probe_close(p);
}

/* A ring too small for the burst: losses are counted by category, never silent. */
Test(probe, drops_are_counted)
{
	static const char *const sel[] = {"openat", NULL};
	struct fc_probe *p = open_probe(sel, 0, 16 * 4096);
	int n = 20000;
	struct fc_probe_stats s0, s1;
	fc_probe_stats(p, &s0);
	struct burst b = {0};
	b.child = run_child(act5, &n);
	drain_burst(p, &b, 10);
	fc_probe_stats(p, &s1);
	uint64_t drops = s1.drops_by_cat[3] - s0.drops_by_cat[3];
	cr_expect_gt(drops, 0, "a 64 KiB ring cannot hold %d events", n);
	cr_expect_lt(b.got, (size_t)n);
	cr_expect_geq(b.got + drops, (size_t)n);
	cr_expect_eq(s1.drops_buffer - s0.drops_buffer, drops, "only open_exit events were selected");
	cr_expect_geq(s1.seen - s0.seen, s1.sent - s0.sent + drops);
	fprintf(stderr, "probe small ring: %d openat, delivered %zu, dropped %llu (open_exit)\n", n, b.got,
		(unsigned long long)drops);
	fc_probe_close(p);
}

/* ---- option checks that need no privileges ---- */

Test(probe, rejects_bad_ring_size)
{
	struct fc_probe_opts o = {.ring_bytes = 3 * 4096};
	struct fc_probe *p = (struct fc_probe *)1;
	char err[256] = "";
	cr_expect_eq(fc_probe_open(&o, &p, err, sizeof(err)), -1);
	cr_expect_null(p);
	cr_expect(strstr(err, "power of two") || strstr(err, "no eBPF probe"), "%s", err);
	cr_expect_str_eq(fc_probe_dropcat_name(0) ? fc_probe_dropcat_name(0) : "clone_fork_exit", "clone_fork_exit");
	cr_expect_null(fc_probe_dropcat_name(FC_PROBE_NDROPCAT));
}

/* Without privileges the loader says what to do instead of failing obscurely. */
static void unprivileged_open(void *arg)
{
	(void)arg;
	if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
		_exit(50);
	struct fc_probe *p = NULL;
	char err[256] = "";
	if (fc_probe_open(NULL, &p, err, sizeof(err)) == 0)
		_exit(51);
	if (!strstr(err, "permission denied: run as root or grant CAP_BPF+CAP_PERFMON") &&
	    !strstr(err, "no eBPF probe"))
		_exit(52);
}

Test(probe, unprivileged_error_says_what_to_do)
{
	run_child(unprivileged_open, NULL);
}
