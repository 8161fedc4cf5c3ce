/* mkstate.c — the captures of the memory suite (benchmarks/run --suites memory): a .scap that
 * leaves a chosen number of live processes and fds in a state engine, to measure what one
 * tracked thread and one tracked fd cost (falcod --replay against sysdig -r on the same file).
 *
 * Content (everything synthetic and fixed: a fixed-seed generator, no clock, nothing read from
 * the machine; two runs give byte-identical files, plain (with -z gzip: identical events, the
 * compressed bytes depend on the zlib version)):
 *   - the process list: a Kubernetes node's long-lived processes (systemd, journald, sshd,
 *     containerd, kubelet, cron, a login bash) and 8 pods (containerd-shim, the pod's main
 *     process in its container cgroups), each with fds 0-4 (stdin/stdout/stderr, a log, an epoll);
 *   - THREADS processes, forked round-robin from the pods' main processes, the cron daemon and
 *     the login shell: the clone exit on the parent's side (res = child tid) and on the child's
 *     (res = 0), then the child's execve exit (nginx, gunicorn, java, node, postgres, php-fpm,
 *     healthcheck scripts, run-parts: their real exe paths and argument lists, the parent's
 *     cgroups) with an environment of ~1.5 KB as Kubernetes gives a pod (service variables of
 *     the namespace, URLs, tuning options) plus per-process variables (worker id, an
 *     invocation id), so no two environments are equal;
 *   - then, for each child, FDS_PER_THREAD descriptors from fd 5 up (0-4 are inherited): openat exits with distinct
 *     absolute paths of 45-100 characters (data segments, static assets, Python modules,
 *     sessions, logs, caches), every 8th one a TCP socket + connect to a service address.
 * Nothing is closed and nothing exits, so at the end the tables hold every process (plus the
 * seeded ones) with its inherited and opened fds. Events are 2 us apart (idle purge, 300 s by
 * default, never runs). Thread ids start at 200000.
 * Usage: mkstate [-z] [-t THREADS] [-f FDS_PER_THREAD] OUT.scap   (defaults 1000, 0; -z: gzip)
 * Prints one line: threads, fds, events and bytes written. (Built with -DFC_BENCH=ON.) */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "events.h"
#include "evt.h"
#include "ptypes.h"
#include "scapw.h"
#define EVV_PROG "mkstate"
#include "../../tests/tools/evview.h"

enum {
	O_R = 0x1, O_W = 0x2, O_RW = 0x3, O_CR = 0x4, O_AP = 0x8, /* PPM file_flags */
	AT_CWD = -100,
	FAM_INET = 2,
	NPODS = 8,
	INHERITED = 5, /* fds 0-4 of every seeded process, which its children inherit */
	TID_CHILD0 = 200000,
};

#define CAPS_ROOT 0x1ffffffffffull
#define CAPS_DOCKER 0xa80425fbull

static struct fc_scapw *W;
static uint64_t now_ts = 1735689600000000000ull; /* 2025-01-01T00:00:00Z */
static struct evview E; /* random numbers (rnd, rnd64): evview.h */

/* ------------------------------------------------------------------ events */

static void ev(uint16_t type, int64_t tid)
{
	now_ts += 2000;
	evv_begin(&E, type, now_ts, tid);
}

static void emit(void)
{
	if (fc_scapw_event(W, &E.v, (uint16_t)(E.v.tid & 1)) != 0)
		die("writing %s: %s", fc_events[E.v.type].name, fc_scapw_error(W));
}

/* A '|'-separated list (args, env, cgroups) as scap's NUL-separated bytes. */
static void p_list(const char *name, const char *spec)
{
	evv_list(&E, name, spec, '|');
}

/* ------------------------------------------------------------------ processes */

struct proc {
	int64_t tid, ptid;
	const char *comm, *exe, *args, *cwd; /* args: '|'-separated argv[1..] */
	uint32_t uid;
	int pod; /* -1: host */
	int64_t vpid;
	char cgroups[1024];
	char env[4096];
	int nfds; /* next fd is nfds (0..nfds-1 open) */
};

static const char *const POD_NAME[NPODS] = {
	"web-frontend-7d9c6b5f4-x2kqp", "checkout-api-5b8f7c9d6-m4n7r", "catalog-worker-6c4d8e7f5-p9s2t",
	"payments-6f7a8b9c4-h3j5k",     "postgres-0",                     "search-indexer-84c9d7b6f-w8v1z",
	"session-cache-5d6e7f8a9-q2r4t", "report-cron-28391145-kx7lm",
};
static const char *const POD_NS[NPODS] = {"shop", "shop", "shop", "payments", "data", "search", "shop", "ops"};

static char pod_uid[NPODS][40], pod_cid[NPODS][68];

static void hexid(char *out, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++)
		out[i] = hx[rnd(16)];
	out[n] = '\0';
}

static void set_cgroups(struct proc *p)
{
	if (p->pod < 0) {
		snprintf(p->cgroups, sizeof p->cgroups,
			 "cpuset=/|cpu=/system.slice/%.32s.service|memory=/system.slice/%.32s.service|pids=/system.slice/%.32s.service",
			 p->comm, p->comm, p->comm);
		return;
	}
	const char *u = pod_uid[p->pod], *c = pod_cid[p->pod];
	snprintf(p->cgroups, sizeof p->cgroups,
		 "cpuset=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%.36s.slice/cri-containerd-%.64s.scope"
		 "|cpu=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%.36s.slice/cri-containerd-%.64s.scope"
		 "|memory=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%.36s.slice/cri-containerd-%.64s.scope"
		 "|pids=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%.36s.slice/cri-containerd-%.64s.scope",
		 u, c, u, c, u, c, u, c);
}

/* ~1.2 KB a pod shares (Kubernetes service variables of the namespace, configuration), then
 * what differs per process: ~1.5 KB in all. */
static void set_env(struct proc *p, unsigned worker)
{
	char inv[33];
	hexid(inv, 32);
	if (p->pod < 0) {
		snprintf(p->env, sizeof p->env,
			 "LANG=C.UTF-8|PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|"
			 "INVOCATION_ID=%s|JOURNAL_STREAM=8:%u|SYSTEMD_EXEC_PID=%" PRId64 "|HOME=/root|LOGNAME=root|USER=root|"
			 "SHELL=/bin/bash|SHLVL=1|PWD=%s|_=%s|"
			 "LS_COLORS=rs=0:di=01;34:ln=01;36:mh=00:pi=40;33:so=01;35:do=01;35:bd=40;33;01:cd=40;33;01:or=40;31;01:"
			 "mi=00:su=37;41:sg=30;43:ca=00:tw=30;42:ow=34;42:st=37;44:ex=01;32:*.tar=01;31:*.tgz=01;31:*.arc=01;31:"
			 "*.zip=01;31:*.z=01;31:*.gz=01;31:*.bz2=01;31:*.xz=01;31:*.zst=01;31:*.deb=01;31:*.rpm=01;31:"
			 "*.jpg=01;35:*.png=01;35:*.gif=01;35:*.svg=01;35:*.mp4=01;35:*.mkv=01;35:*.flac=00;36:*.mp3=00;36:"
			 "*.ogg=00;36:*.wav=00;36|"
			 "SSH_CONNECTION=10.20.0.15 52814 10.20.3.41 22|SSH_CLIENT=10.20.0.15 52814 22|SSH_TTY=/dev/pts/0|"
			 "TERM=xterm-256color|MAIL=/var/mail/root|XDG_SESSION_ID=%u|XDG_RUNTIME_DIR=/run/user/0|"
			 "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus|XDG_SESSION_TYPE=tty|XDG_SESSION_CLASS=user|"
			 "MOTD_SHOWN=pam|HISTSIZE=10000|HISTFILESIZE=20000|EDITOR=vim|WORKER=%u",
			 inv, 20000 + worker % 5000, p->tid, p->cwd, p->exe, 1 + worker % 97, worker);
		return;
	}
	const char *ns = POD_NS[p->pod];
	snprintf(p->env, sizeof p->env,
		 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|HOSTNAME=%s|LANG=C.UTF-8|"
		 "LC_ALL=C.UTF-8|HOME=/home/app|TZ=UTC|APP_ENV=production|LOG_LEVEL=info|LOG_FORMAT=json|"
		 "KUBERNETES_SERVICE_HOST=10.96.0.1|KUBERNETES_SERVICE_PORT=443|KUBERNETES_SERVICE_PORT_HTTPS=443|"
		 "KUBERNETES_PORT=tcp://10.96.0.1:443|KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443|"
		 "KUBERNETES_PORT_443_TCP_PROTO=tcp|KUBERNETES_PORT_443_TCP_PORT=443|KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1|"
		 "CHECKOUT_API_SERVICE_HOST=10.96.14.201|CHECKOUT_API_SERVICE_PORT=8080|"
		 "CHECKOUT_API_PORT=tcp://10.96.14.201:8080|CHECKOUT_API_PORT_8080_TCP_ADDR=10.96.14.201|"
		 "CATALOG_SERVICE_HOST=10.96.33.17|CATALOG_SERVICE_PORT=8080|CATALOG_PORT=tcp://10.96.33.17:8080|"
		 "SESSION_CACHE_SERVICE_HOST=10.96.51.92|SESSION_CACHE_SERVICE_PORT=6379|"
		 "SESSION_CACHE_PORT=tcp://10.96.51.92:6379|POSTGRES_SERVICE_HOST=10.96.77.4|POSTGRES_SERVICE_PORT=5432|"
		 "DATABASE_URL=postgresql://app@postgres.data.svc.cluster.local:5432/shop?sslmode=require&pool_max=20|"
		 "REDIS_URL=redis://session-cache.shop.svc.cluster.local:6379/0|"
		 "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector.observability.svc.cluster.local:4317|"
		 "OTEL_SERVICE_NAME=%s|OTEL_RESOURCE_ATTRIBUTES=k8s.namespace.name=%s,k8s.pod.name=%s|"
		 "JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8|"
		 "PYTHONUNBUFFERED=1|PYTHONDONTWRITEBYTECODE=1|NODE_ENV=production|"
		 "POD_NAMESPACE=%s|POD_IP=10.244.%d.%d|NODE_NAME=ip-10-20-3-41.eu-west-1.compute.internal|"
		 "WORKER_ID=%u|INVOCATION_ID=%s|PWD=%s|_=%s",
		 POD_NAME[p->pod], POD_NAME[p->pod], ns, POD_NAME[p->pod], ns, 1 + p->pod, 10 + p->pod, worker, inv,
		 p->cwd, p->exe);
}

static uint64_t caps_of(const struct proc *p)
{
	return p->pod >= 0 ? CAPS_DOCKER : p->uid == 0 ? CAPS_ROOT : 0;
}

static void seed_proc(const struct proc *p)
{
	static char args[4096], env[4096], cg[1100];
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
	e.cwd = evv_cs(p->cwd, strlen(p->cwd));
	e.fdlimit = 1048576;
	e.uid = e.gid = p->uid;
	e.env = evv_cs(env, evv_nul_list(p->env, '|', env, sizeof env));
	e.vtid = e.vpid = p->pod >= 0 ? p->vpid : p->tid;
	e.cgroups = evv_cs(cg, evv_nul_list(p->cgroups, '|', cg, sizeof cg));
	e.root = evv_cs("/", 1);
	e.loginuid = UINT32_MAX;
	e.cap_permitted = e.cap_effective = caps_of(p);
	e.vmsize_kb = 180000 + rnd(400000);
	e.vmrss_kb = 20000 + rnd(200000);
	if (fc_scapw_proc(W, &e) != 0)
		die("writing process %s: %s", p->comm, fc_scapw_error(W));
}

static void seed_fd(const struct proc *p, int64_t fd, uint8_t type, const char *name)
{
	struct fc_cap_fd f = evv_fd_entry(p->tid, fd, type, 7000 + (uint64_t)p->tid * 16 + (uint64_t)fd, name);
	if (fc_scapw_fd(W, &f) != 0)
		die("writing fd: %s", fc_scapw_error(W));
}

/* The clone exit on PARENT's side (res = the child's tid) and on CHILD's (res = 0). */
static void clone_ev(const struct proc *parent, const struct proc *child, bool child_side)
{
	const struct proc *who = child_side ? child : parent;
	ev(FC_PPME_SYSCALL_CLONE_20_X, who->tid);
	evv_int(&E, "res", child_side ? 0 : child->tid);
	evv_str(&E, "exe", parent->exe);
	p_list("args", parent->args);
	evv_int(&E, "tid", who->tid);
	evv_int(&E, "pid", who->tid);
	evv_int(&E, "ptid", who->ptid);
	evv_str(&E, "cwd", parent->cwd);
	evv_int(&E, "fdlimit", 1048576);
	evv_int(&E, "pgft_maj", 0);
	evv_int(&E, "pgft_min", 1200 + rnd(4000));
	evv_int(&E, "vm_size", 180000 + rnd(400000));
	evv_int(&E, "vm_rss", 20000 + rnd(200000));
	evv_int(&E, "vm_swap", 0);
	evv_str(&E, "comm", parent->comm);
	p_list("cgroups", parent->cgroups);
	evv_int(&E, "flags", 0); /* a plain fork: no CLONE_* flag */
	evv_int(&E, "uid", parent->uid);
	evv_int(&E, "gid", parent->uid);
	evv_int(&E, "vtid", parent->pod >= 0 ? who->vpid : who->tid);
	evv_int(&E, "vpid", parent->pod >= 0 ? who->vpid : who->tid);
	emit();
}

static void execve_ev(const struct proc *c)
{
	ev(FC_PPME_SYSCALL_EXECVE_19_X, c->tid);
	evv_int(&E, "res", 0);
	evv_str(&E, "exe", c->exe);
	p_list("args", c->args);
	evv_int(&E, "tid", c->tid);
	evv_int(&E, "pid", c->tid);
	evv_int(&E, "ptid", c->ptid);
	evv_str(&E, "cwd", c->cwd);
	evv_int(&E, "fdlimit", 1048576);
	evv_int(&E, "pgft_maj", 0);
	evv_int(&E, "pgft_min", 300 + rnd(900));
	evv_int(&E, "vm_size", 8000 + rnd(300000));
	evv_int(&E, "vm_rss", 2000 + rnd(60000));
	evv_int(&E, "vm_swap", 0);
	evv_str(&E, "comm", c->comm);
	p_list("cgroups", c->cgroups);
	p_list("env", c->env);
	evv_int(&E, "tty", 0);
	evv_int(&E, "vpgid", c->pod >= 0 ? c->vpid : c->tid);
	evv_int(&E, "loginuid", UINT32_MAX);
	evv_int(&E, "flags", 0);
	evv_int(&E, "cap_inheritable", 0);
	evv_int(&E, "cap_permitted", (int64_t)caps_of(c));
	evv_int(&E, "cap_effective", (int64_t)caps_of(c));
	evv_int(&E, "exe_ino", 131072 + rnd(1000000));
	evv_int(&E, "exe_ino_ctime", (int64_t)(now_ts - 86400000000000ull * (1 + rnd(90))));
	evv_int(&E, "exe_ino_mtime", (int64_t)(now_ts - 86400000000000ull * (1 + rnd(90))));
	evv_int(&E, "uid", c->uid);
	evv_str(&E, "trusted_exepath", c->exe);
	evv_int(&E, "pgid", c->tid);
	evv_int(&E, "gid", c->uid);
	evv_str(&E, "filename", c->exe);
	emit();
}

static void open_ev(const struct proc *p, int64_t fd, const char *path, uint32_t flags)
{
	ev(FC_PPME_SYSCALL_OPENAT_2_X, p->tid);
	evv_int(&E, "fd", fd);
	evv_int(&E, "dirfd", AT_CWD);
	evv_str(&E, "name", path);
	evv_int(&E, "flags", flags);
	evv_int(&E, "mode", (flags & O_CR) ? 0644 : 0);
	evv_int(&E, "dev", 0x10303);
	evv_int(&E, "ino", 500000 + rnd(50000000));
	emit();
}

static void connect_ev(const struct proc *p, int64_t fd, unsigned k)
{
	ev(FC_PPME_SOCKET_SOCKET_X, p->tid);
	evv_int(&E, "fd", fd);
	evv_int(&E, "domain", FAM_INET);
	evv_int(&E, "type", 1);
	evv_int(&E, "proto", 0);
	evv_int(&E, "flags", 0);
	emit();
	static const uint16_t ports[] = {5432, 6379, 8080, 443, 4317, 9092, 53, 11211};
	uint8_t me[4] = {10, 244, (uint8_t)(1 + (p->pod < 0 ? 0 : p->pod)), (uint8_t)(10 + (p->pod < 0 ? 0 : p->pod))};
	uint8_t to[4] = {10, 96, (uint8_t)(k % 200), (uint8_t)(1 + k % 250)};
	uint16_t sport = (uint16_t)(32768 + rnd(28000)), dport = ports[k % 8];
	ev(FC_PPME_SOCKET_CONNECT_X, p->tid);
	evv_int(&E, "res", 0);
	evv_tuple4(&E, "tuple", me, sport, to, dport);
	evv_int(&E, "fd", fd);
	evv_sockaddr4(&E, "addr", to, dport);
	emit();
}

/* An absolute path of 45-100 characters, distinct for every (tid, j). */
static void fd_path(char *out, size_t n, const struct proc *p, unsigned j)
{
	unsigned id = (unsigned)(p->tid - TID_CHILD0);
	switch ((id + j) % 7) {
	case 0:
		snprintf(out, n, "/var/lib/%s/data/shard-%04u/segment-%08u.log", p->comm, id % 512, id * 64 + j);
		break;
	case 1:
		snprintf(out, n, "/srv/app/static/assets/img/products/%u/%u-%u-thumbnail-480x480.webp", id % 1000, id,
			 j);
		break;
	case 2:
		snprintf(out, n, "/usr/local/lib/python3.11/site-packages/app_%u/handlers/module_%u_%u.py", id % 64, id,
			 j);
		break;
	case 3:
		snprintf(out, n, "/tmp/sess_%08x%08x%08x", (unsigned)rnd64(), id, j);
		break;
	case 4:
		snprintf(out, n, "/var/log/%s/%s-worker-%u.%u.log", p->comm, p->comm, id, j);
		break;
	case 5:
		snprintf(out, n, "/var/cache/%s/objects/%02x/%02x/%08x%02x.cache", p->comm, id & 0xff, j & 0xff, id, j);
		break;
	default:
		snprintf(out, n, "/opt/app/releases/2025-01-01T00-00-00/node_modules/@scope/pkg-%u/lib/index-%u.js",
			 id % 300, id * 64 + j);
		break;
	}
}

/* ------------------------------------------------------------------ programs the children run */

struct prog {
	const char *comm, *exe, *args, *cwd;
	uint32_t uid;
};

static const struct prog PROGS[] = {
	{"nginx", "/usr/sbin/nginx", "-g|daemon off;|-c|/etc/nginx/nginx.conf", "/", 101},
	{"gunicorn", "/usr/local/bin/python3.11",
	 "/usr/local/bin/gunicorn|--workers|4|--threads|8|--bind|0.0.0.0:8000|--access-logfile|-|app.wsgi:application",
	 "/srv/app", 1000},
	{"java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
	 "-Xms512m|-Xmx2g|-XX:+UseG1GC|-XX:MaxGCPauseMillis=200|-jar|/opt/app/checkout-service-2.14.3.jar|"
	 "--spring.profiles.active=prod|--server.port=8080",
	 "/opt/app", 1000},
	{"node", "/usr/local/bin/node", "--max-old-space-size=1536|/srv/app/dist/server.js|--port|3000", "/srv/app",
	 1000},
	{"postgres", "/usr/lib/postgresql/15/bin/postgres",
	 "-D|/var/lib/postgresql/15/main|-c|config_file=/etc/postgresql/15/main/postgresql.conf",
	 "/var/lib/postgresql", 999},
	{"php-fpm8.2", "/usr/sbin/php-fpm8.2", "--nodaemonize|--fpm-config|/etc/php/8.2/fpm/php-fpm.conf", "/var/www",
	 33},
	{"healthcheck.sh", "/usr/bin/bash",
	 "/usr/local/bin/healthcheck.sh|--timeout|5|http://127.0.0.1:8080/actuator/health/readiness", "/", 1000},
	{"run-parts", "/usr/bin/run-parts", "--report|/etc/cron.hourly", "/", 0},
};
#define NPROGS (sizeof PROGS / sizeof PROGS[0])

/* ------------------------------------------------------------------ main */
/* Options: -z writes gzip (readers then decompress into their own buffers: falcod maps a plain
 * capture whole, which would put the file's size into its RSS; the memory suite uses -z). */

int main(int argc, char **argv)
{
	long threads = 1000, fds = 0;
	bool gz = false;
	const char *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-z"))
			gz = true;
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			threads = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-f") && i + 1 < argc)
			fds = strtol(argv[++i], NULL, 10);
		else if (argv[i][0] != '-' && !out)
			out = argv[i];
		else
			die("usage: mkstate [-z] [-t THREADS] [-f FDS_PER_THREAD] OUT.scap");
	}
	if (!out || threads < 0 || threads > 4000000 || fds < 0 || fds > 100000)
		die("usage: mkstate [-z] [-t THREADS (0..4000000)] [-f FDS_PER_THREAD (0..100000)] OUT.scap");

	char err[512];
	if (fc_scapw_open(out, gz, &W, err, sizeof err) != 0)
		die("%s", err);
	struct fc_cap_machine mi = {.present = true, .num_cpus = 2, .memory_size_bytes = 16ull << 30,
				    .max_pid = 4194304, .boot_ts_epoch = 1735600000000000000ull, .flags = 0};
	snprintf(mi.hostname, sizeof mi.hostname, "ip-10-20-3-41");
	if (fc_scapw_machine(W, &mi) != 0)
		die("machine info: %s", fc_scapw_error(W));

	/* the node's long-lived processes and the pods */
	for (int k = 0; k < NPODS; k++) {
		hexid(pod_cid[k], 64);
		char u[33];
		hexid(u, 32);
		snprintf(pod_uid[k], sizeof pod_uid[k], "%.8s_%.4s_%.4s_%.4s_%.12s", u, u + 8, u + 12, u + 16, u + 20);
	}
	static struct proc host[] = {
		{1, 0, "systemd", "/usr/lib/systemd/systemd", "--system|--deserialize=42", "/", 0, -1, 0, "", "", 0},
		{412, 1, "systemd-journal", "/usr/lib/systemd/systemd-journald", "", "/", 0, -1, 0, "", "", 0},
		{640, 1, "sshd", "/usr/sbin/sshd", "-D", "/", 0, -1, 0, "", "", 0},
		{702, 1, "cron", "/usr/sbin/cron", "-f|-P", "/var/spool/cron", 0, -1, 0, "", "", 0},
		{812, 1, "containerd", "/usr/bin/containerd", "", "/", 0, -1, 0, "", "", 0},
		{930, 1, "kubelet", "/usr/bin/kubelet",
		 "--config=/var/lib/kubelet/config.yaml|--kubeconfig=/etc/kubernetes/kubelet.conf|"
		 "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
		 "/", 0, -1, 0, "", "", 0},
		{4120, 640, "bash", "/usr/bin/bash", "-l", "/root", 0, -1, 0, "", "", 0},
	};
	enum { NHOST = sizeof host / sizeof host[0] };
	static struct proc shim[NPODS], podmain[NPODS];
	for (int i = 0; i < NHOST; i++) {
		set_cgroups(&host[i]);
		set_env(&host[i], (unsigned)i);
		host[i].nfds = 3;
		seed_proc(&host[i]);
	}
	for (int k = 0; k < NPODS; k++) {
		shim[k] = (struct proc){1500 + 10 * k, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2", "", "/",
					0, -1, 0, "", "", 3};
		static char shim_args[NPODS][200];
		snprintf(shim_args[k], sizeof shim_args[k], "-namespace|k8s.io|-id|%.64s|-address|/run/containerd/containerd.sock",
			 pod_cid[k]);
		shim[k].args = shim_args[k];
		set_cgroups(&shim[k]);
		set_env(&shim[k], 0);
		seed_proc(&shim[k]);
		const struct prog *g = &PROGS[k % 6];
		podmain[k] = (struct proc){1501 + 10 * k, shim[k].tid, g->comm, g->exe, g->args, g->cwd, g->uid, k, 1,
					   "", "", 3};
		set_cgroups(&podmain[k]);
		set_env(&podmain[k], 0);
		seed_proc(&podmain[k]);
	}
	/* fds 0-4 of each seeded process (its children inherit them) */
	char name[256];
	for (int i = 0; i < NHOST + 2 * NPODS; i++) {
		struct proc *p = i < NHOST ? &host[i] : i < NHOST + NPODS ? &shim[i - NHOST] : &podmain[i - NHOST - NPODS];
		seed_fd(p, 0, FC_FD_FILE_V2, "/dev/null");
		snprintf(name, sizeof name, "pipe:[%" PRId64 "]", 30000 + p->tid);
		seed_fd(p, 1, FC_FD_FIFO, name);
		seed_fd(p, 2, FC_FD_FIFO, name);
		snprintf(name, sizeof name, "/var/log/%s/%s.log", p->comm, p->comm);
		seed_fd(p, 3, FC_FD_FILE_V2, name);
		seed_fd(p, 4, FC_FD_EVENTPOLL, "anon_inode:[eventpoll]");
	}

	/* the children: forked from the pods' main processes, cron and the login shell */
	uint64_t nfds = 0;
	struct proc c;
	memset(&c, 0, sizeof c);
	for (long i = 0; i < threads; i++) {
		unsigned slot = (unsigned)(i % (NPODS + 2));
		const struct proc *parent = slot < NPODS ? &podmain[slot] : slot == NPODS ? &host[3] : &host[6];
		const struct prog *g = slot < NPODS ? &PROGS[(slot + (unsigned)(i / (NPODS + 2))) % 6]
				       : slot == NPODS ? &PROGS[7] : &PROGS[6];
		c = (struct proc){TID_CHILD0 + i, parent->tid, g->comm, g->exe, g->args, g->cwd, g->uid, parent->pod,
				  parent->pod >= 0 ? 100 + i / (NPODS + 2) : 0, "", "", 3};
		memcpy(c.cgroups, parent->cgroups, sizeof c.cgroups);
		set_env(&c, (unsigned)i);
		clone_ev(parent, &c, false);
		clone_ev(parent, &c, true);
		execve_ev(&c);
	}
	/* then their descriptors, thread after thread (each process opens FDS_PER_THREAD) */
	char path[256];
	for (long i = 0; i < threads && fds > 0; i++) {
		unsigned slot = (unsigned)(i % (NPODS + 2));
		const struct proc *parent = slot < NPODS ? &podmain[slot] : slot == NPODS ? &host[3] : &host[6];
		const struct prog *g = slot < NPODS ? &PROGS[(slot + (unsigned)(i / (NPODS + 2))) % 6]
				       : slot == NPODS ? &PROGS[7] : &PROGS[6];
		c = (struct proc){TID_CHILD0 + i, parent->tid, g->comm, g->exe, g->args, g->cwd, g->uid, parent->pod, 0,
				  "", "", 3};
		for (long j = 0; j < fds; j++) {
			int64_t fd = INHERITED + j;
			if (j % 8 == 7) {
				connect_ev(&c, fd, (unsigned)(i * 31 + j));
			} else {
				fd_path(path, sizeof path, &c, (unsigned)j);
				open_ev(&c, fd, path, j % 8 == 3 ? (O_RW | O_CR) : j % 8 == 5 ? (O_W | O_AP | O_CR) : O_R);
			}
			nfds++;
		}
	}
	/* cron sleeps to the next minute: one event that changes no table, so that even a capture
	 * without children has an event (sysdig refuses a capture without any) */
	ev(FC_PPME_SYSCALL_NANOSLEEP_X, host[3].tid);
	evv_int(&E, "res", 0);
	evv_int(&E, "interval", 60000000000ll);
	emit();
	const struct fc_scapw_stats *s = fc_scapw_stats(W);
	if (s->events_refused)
		die("%" PRIu64 " events refused by the writer", s->events_refused);
	uint64_t events = s->events, bytes = s->bytes;
	if (fc_scapw_close(W, err, sizeof err) != 0)
		die("%s", err);
	printf("mkstate: %ld processes forked (+%d seeded), %" PRIu64 " fds opened (+%d inherited each), %" PRIu64
	       " events, %" PRIu64 " bytes -> %s\n",
	       threads, NHOST + 2 * NPODS, nfds, (int)INHERITED, events, bytes, out);
	return 0;
}
