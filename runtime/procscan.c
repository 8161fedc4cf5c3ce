/* procscan.c — reading processes from host_root/proc: the start-up scan (fc_state_seed_proc_scan)
 * and the on-demand lookup of a thread the events never introduced. Each thread becomes the
 * same process entry a capture's process list would give (status, stat, cmdline, environ,
 * comm, exe, cwd, root, cgroup, loginuid, limits), and the process's descriptors the same fd
 * entries (files and directories with their open flags from fdinfo, pipes, sockets resolved
 * through the process's net/{tcp,tcp6,udp,udp6,unix,netlink} tables, and the anon_inode kinds:
 * eventfd, signalfd, eventpoll, inotify, timerfd, bpf, userfaultfd, io_uring, pidfd, memfd);
 * both then go through the ordinary seeding code. Every read is bounded. */
#include "state_int.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_BLOB 8192

static size_t root_len(const struct fc_state *st)
{
	size_t n = strlen(st->host_root);
	while (n > 0 && st->host_root[n - 1] == '/')
		n--;
	return n;
}

/* host_root + "/proc/" + rest */
static void ppath(const struct fc_state *st, char *out, size_t outlen, const char *fmt, long long a,
		  long long b)
{
	char rest[256];
	snprintf(rest, sizeof(rest), fmt, a, b);
	snprintf(out, outlen, "%.*s/proc/%s", (int)root_len(st), st->host_root, rest);
}

/* Whole (small) file into BUF; returns bytes read or -1. */
static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	return (ssize_t)n;
}

static ssize_t link_of(const char *path, char *buf, size_t cap)
{
	ssize_t n = readlink(path, buf, cap - 1);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* Value of "Key:" in a status-like file (the rest of the line, trimmed). */
static const char *field(const char *txt, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	for (const char *p = txt; p && *p;) {
		if (!strncmp(p, key, kl) && p[kl] == ':') {
			const char *v = p + kl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			const char *e = strchr(v, '\n');
			*len = e ? (size_t)(e - v) : strlen(v);
			return v;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* The N-th whitespace-separated number of a status field (0-based); the last one when N < 0. */
static bool field_num(const char *txt, const char *key, int nth, int base, uint64_t *out)
{
	size_t len;
	const char *v = field(txt, key, &len);
	if (!v)
		return false;
	char tmp[256];
	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;
	memcpy(tmp, v, len);
	tmp[len] = 0;
	uint64_t last = 0;
	int i = 0;
	bool any = false;
	for (char *tok = strtok(tmp, " \t"); tok; tok = strtok(NULL, " \t"), i++) {
		last = strtoull(tok, NULL, base);
		any = true;
		if (i == nth) {
			*out = last;
			return true;
		}
	}
	if (nth < 0 && any) {
		*out = last;
		return true;
	}
	return false;
}

static uint64_t boot_ts(struct fc_state *st)
{
	if (st->boot_ts)
		return st->boot_ts;
	char path[4096], buf[16384];
	snprintf(path, sizeof(path), "%.*s/proc/stat", (int)root_len(st), st->host_root);
	ssize_t n = slurp(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = 0;
		const char *b = strstr(buf, "\nbtime ");
		if (b)
			st->boot_ts = strtoull(b + 7, NULL, 10) * 1000000000ull;
	}
	return st->boot_ts;
}

/* Linux open flags (fdinfo, octal) → PPM flags (EVENTS.md §5.1). */
static uint32_t ppm_open_flags(uint64_t f)
{
	uint32_t r = 0;
	switch (f & O_ACCMODE) {
	case O_RDONLY:
		r |= 0x1;
		break;
	case O_WRONLY:
		r |= 0x2;
		break;
	case O_RDWR:
		r |= 0x3;
		break;
	}
	if (f & O_CREAT)
		r |= 0x4;
	if (f & O_APPEND)
		r |= 0x8;
	if (f & O_DSYNC)
		r |= 0x10;
	if (f & O_EXCL)
		r |= 0x20;
	if (f & O_NONBLOCK)
		r |= 0x40;
	if ((f & O_SYNC) == O_SYNC)
		r |= 0x80;
	if (f & O_TRUNC)
		r |= 0x100;
	if (f & O_DIRECT)
		r |= 0x200;
	if (f & O_DIRECTORY)
		r |= 0x400;
	if (f & O_LARGEFILE)
		r |= 0x800;
	if (f & O_CLOEXEC)
		r |= 0x1000;
	if ((f & O_TMPFILE) == O_TMPFILE)
		r |= 0x2000;
	return r;
}

static uint32_t encode_dev(dev_t d)
{
	uint32_t ma = major(d), mi = minor(d);
	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}

/* ------------------------------------------------------------------ socket tables */

struct sockent {
	uint8_t type, l4;
	uint8_t sip[16], dip[16];
	uint16_t sport, dport;
	uint64_t usrc;
	char path[110];
};

/* The sockets of one process's network namespace, by inode. */
struct socktab {
	struct fc_imap by_ino;
};

static void socktab_free(struct socktab *t)
{
	for (uint32_t i = 0; i < t->by_ino.cap; i++)
		free(t->by_ino.vals[i]);
	fc_imap_free(&t->by_ino);
}

static void hex_addr(const char *h, size_t n, uint8_t *out)
{
	/* each 32-bit word is printed as the host-order value of network-order bytes */
	for (size_t w = 0; w < n / 8; w++) {
		char tmp[9];
		memcpy(tmp, h + 8 * w, 8);
		tmp[8] = 0;
		uint32_t v = (uint32_t)strtoul(tmp, NULL, 16);
		memcpy(out + 4 * w, &v, 4);
	}
}

static void read_inet(const char *path, bool v6, uint8_t l4, struct socktab *t)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	unsigned lines = 0;
	if (!fgets(line, sizeof(line), f)) { /* header */
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f) && lines++ < 1000000) {
		char la[64], ra[64];
		unsigned st;
		unsigned long long ino;
		unsigned lp, rp;
		/* sl: local:port remote:port st tx:rx tr:when retr uid timeout inode */
		if (sscanf(line, " %*[^:]: %40[0-9A-Fa-f]:%x %40[0-9A-Fa-f]:%x %x %*s %*s %*s %*s %*s %llu",
			   la, &lp, ra, &rp, &st, &ino) != 6 || ino == 0)
			continue;
		size_t al = v6 ? 32 : 8;
		if (strlen(la) != al || strlen(ra) != al)
			continue;
		struct sockent *e = calloc(1, sizeof(*e));
		if (!e)
			break;
		hex_addr(la, al, e->sip);
		hex_addr(ra, al, e->dip);
		e->sport = (uint16_t)lp;
		e->dport = (uint16_t)rp;
		e->l4 = l4;
		bool listening = l4 == FC_L4_TCP ? st == 0x0a : (rp == 0);
		if (listening)
			e->type = v6 ? FC_FD_IPV6_SERVSOCK : FC_FD_IPV4_SERVSOCK;
		else
			e->type = v6 ? FC_FD_IPV6_SOCK : FC_FD_IPV4_SOCK;
		bool oom;
		free(fc_imap_put(&t->by_ino, (int64_t)ino, e, &oom));
		if (oom)
			free(e);
	}
	fclose(f);
}

static void read_unix(const char *path, struct socktab *t)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	unsigned lines = 0;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f) && lines++ < 1000000) {
		unsigned long long num, ino;
		int off = 0;
		/* Num: RefCount Protocol Flags Type St Inode [Path] */
		if (sscanf(line, "%llx: %*x %*x %*x %*x %*x %llu%n", &num, &ino, &off) != 2 || !ino)
			continue;
		struct sockent *e = calloc(1, sizeof(*e));
		if (!e)
			break;
		e->type = FC_FD_UNIX_SOCK;
		e->usrc = num;
		const char *p = line + off;
		while (*p == ' ')
			p++;
		snprintf(e->path, sizeof(e->path), "%.*s", (int)strcspn(p, "\n"), p);
		bool oom;
		free(fc_imap_put(&t->by_ino, (int64_t)ino, e, &oom));
		if (oom)
			free(e);
	}
	fclose(f);
}

static void read_netlink(const char *path, struct socktab *t)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	unsigned lines = 0;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f) && lines++ < 1000000) {
		unsigned long long ino;
		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %llu", &ino) != 1 || !ino)
			continue;
		struct sockent *e = calloc(1, sizeof(*e));
		if (!e)
			break;
		e->type = FC_FD_NETLINK;
		bool oom;
		free(fc_imap_put(&t->by_ino, (int64_t)ino, e, &oom));
		if (oom)
			free(e);
	}
	fclose(f);
}

static void load_sockets(struct fc_state *st, int64_t pid, struct socktab *t)
{
	static const struct {
		const char *f;
		bool v6;
		uint8_t l4;
	} inet[] = {{"tcp", false, FC_L4_TCP}, {"tcp6", true, FC_L4_TCP},
		    {"udp", false, FC_L4_UDP}, {"udp6", true, FC_L4_UDP}};
	char path[4096], rel[64];
	for (size_t i = 0; i < 4; i++) {
		snprintf(rel, sizeof(rel), "%%lld/net/%s", inet[i].f);
		ppath(st, path, sizeof(path), rel, pid, 0);
		read_inet(path, inet[i].v6, inet[i].l4, t);
	}
	ppath(st, path, sizeof(path), "%lld/net/unix", pid, 0);
	read_unix(path, t);
	ppath(st, path, sizeof(path), "%lld/net/netlink", pid, 0);
	read_netlink(path, t);
}

/* ------------------------------------------------------------------ fds */

static const struct {
	const char *tag;
	uint8_t type;
} anon[] = {
	{"[eventfd]", FC_FD_EVENT},        {"[signalfd]", FC_FD_SIGNALFD},
	{"[eventpoll]", FC_FD_EVENTPOLL},  {"inotify", FC_FD_INOTIFY},
	{"[timerfd]", FC_FD_TIMERFD},      {"bpf", FC_FD_BPF},
	{"[userfaultfd]", FC_FD_USERFAULTFD}, {"[io_uring]", FC_FD_IOURING},
	{"[pidfd]", FC_FD_PIDFD},
};

static void scan_fds(struct fc_state *st, int64_t pid, int64_t tid)
{
	char dir[4096], path[4096 + 300], tgt[4096];
	ppath(st, dir, sizeof(dir), "%lld/fd", pid, 0);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct socktab socks = {0};
	bool socks_loaded = false;
	struct dirent *de;
	unsigned count = 0;
	while ((de = readdir(d)) && count < st->o.max_fds_per_proc) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		int64_t fd = strtoll(de->d_name, NULL, 10);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ssize_t tl = link_of(path, tgt, sizeof(tgt));
		if (tl < 0)
			continue;
		struct fc_cap_fd c = {0};
		c.version = 2;
		c.tid = (uint64_t)tid;
		c.fd = fd;
		c.type = FC_FD_UNSUPPORTED;
		c.name.p = tgt;
		c.name.len = (uint32_t)tl;
		unsigned long long ino = 0;
		struct stat sb;
		if (!strncmp(tgt, "/memfd:", 7)) {
			c.type = FC_FD_MEMFD;
		} else if (tgt[0] == '/') {
			if (stat(path, &sb) == 0) {
				c.ino = sb.st_ino;
				c.dev = encode_dev(sb.st_dev);
				c.has_dev = true;
				c.type = S_ISDIR(sb.st_mode) ? FC_FD_DIRECTORY : FC_FD_FILE_V2;
			} else {
				c.type = FC_FD_FILE_V2;
			}
			char fi[4096], txt[1024];
			ppath(st, fi, sizeof(fi), "%lld/fdinfo/%lld", pid, fd);
			ssize_t n = slurp(fi, txt, sizeof(txt) - 1);
			uint64_t fl;
			if (n > 0) {
				txt[n] = 0;
				if (field_num(txt, "flags", 0, 8, &fl))
					c.open_flags = ppm_open_flags(fl);
			}
		} else if (sscanf(tgt, "pipe:[%llu]", &ino) == 1) {
			c.type = FC_FD_FIFO;
			c.ino = ino;
		} else if (sscanf(tgt, "socket:[%llu]", &ino) == 1) {
			if (!socks_loaded) {
				load_sockets(st, pid, &socks);
				socks_loaded = true;
			}
			c.ino = ino;
			const struct sockent *e = fc_imap_get(&socks.by_ino, (int64_t)ino);
			if (!e)
				continue; /* a family we do not track */
			c.type = e->type;
			c.l4proto = e->l4;
			memcpy(c.sip, e->sip, 16);
			memcpy(c.dip, e->dip, 16);
			c.sport = e->sport;
			c.dport = e->dport;
			c.unix_src = e->usrc;
			c.name.p = e->path;
			c.name.len = (uint32_t)strlen(e->path);
			fc_state_seed_fd(st, &c);
			count++;
			continue;
		} else if (!strncmp(tgt, "anon_inode:", 11)) {
			for (size_t i = 0; i < sizeof anon / sizeof anon[0]; i++)
				if (strstr(tgt + 11, anon[i].tag) == tgt + 11)
					c.type = anon[i].type;
		}
		fc_state_seed_fd(st, &c);
		count++;
	}
	closedir(d);
	socktab_free(&socks);
}

/* ------------------------------------------------------------------ threads */

/* cgroup file lines "id:controllers:path" → the probe's "subsys=path" blob. */
static size_t cgroups_blob(const char *txt, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = txt; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t ll = e ? (size_t)(e - p) : strlen(p);
		const char *c1 = memchr(p, ':', ll);
		const char *c2 = c1 ? memchr(c1 + 1, ':', ll - (size_t)(c1 + 1 - p)) : NULL;
		if (c2) {
			const char *path = c2 + 1;
			size_t pl = ll - (size_t)(path - p);
			const char *ctl = c1 + 1;
			size_t cl = (size_t)(c2 - ctl);
			static const char *const v2[] = {"cpuset", "cpu", "io", "memory"};
			for (size_t k = 0;; k++) {
				const char *name;
				size_t nl;
				if (cl == 0) { /* cgroup v2: one path for every controller */
					if (k >= 4)
						break;
					name = v2[k];
					nl = strlen(name);
				} else {
					/* comma-separated controllers */
					const char *s = ctl;
					size_t i = 0;
					for (size_t j = 0; j < k; j++) {
						const char *cm = memchr(s, ',', cl - (size_t)(s - ctl));
						if (!cm) {
							s = NULL;
							break;
						}
						s = cm + 1;
					}
					if (!s)
						break;
					const char *cm = memchr(s, ',', cl - (size_t)(s - ctl));
					i = cm ? (size_t)(cm - s) : cl - (size_t)(s - ctl);
					name = s;
					nl = i;
				}
				if (n + nl + 1 + pl + 1 > cap)
					return n;
				memcpy(out + n, name, nl);
				n += nl;
				out[n++] = '=';
				memcpy(out + n, path, pl);
				n += pl;
				out[n++] = 0;
			}
		}
		p = e ? e + 1 : NULL;
	}
	return n;
}

static bool load_thread(struct fc_state *st, int64_t pid, int64_t tid, bool main)
{
	char base[4096], path[4096 + 64];
	/* the main thread's files are the process's own */
	if (main)
		ppath(st, base, sizeof(base), "%lld", pid, 0);
	else
		ppath(st, base, sizeof(base), "%lld/task/%lld", pid, tid);
	char *status = malloc(MAX_BLOB), *statb = malloc(4096), *cmd = malloc(MAX_BLOB),
	     *env = malloc(MAX_BLOB), *cg = malloc(MAX_BLOB), *cgb = malloc(MAX_BLOB),
	     *comm = malloc(256), *exe = malloc(4096), *cwd = malloc(4096), *root = malloc(4096),
	     *misc = malloc(4096);
	bool ok = false;
	if (!status || !statb || !cmd || !env || !cg || !cgb || !comm || !exe || !cwd || !root || !misc)
		goto out;
	snprintf(path, sizeof(path), "%s/status", base);
	ssize_t sl = slurp(path, status, MAX_BLOB - 1);
	if (sl <= 0)
		goto out;
	status[sl] = 0;
	struct fc_cap_proc p;
	memset(&p, 0, sizeof(p));
	p.version = 9;
	p.tid = (uint64_t)tid;
	p.pid = (uint64_t)pid;
	uint64_t v;
	p.ptid = field_num(status, "PPid", 0, 10, &v) ? v : 0;
	p.uid = field_num(status, "Uid", 1, 10, &v) ? (uint32_t)v : 0;
	p.gid = field_num(status, "Gid", 1, 10, &v) ? (uint32_t)v : 0;
	p.vtid = field_num(status, "NSpid", -1, 10, &v) ? (int64_t)v : tid;
	p.vpid = field_num(status, "NStgid", -1, 10, &v) ? (int64_t)v : pid;
	p.vmsize_kb = field_num(status, "VmSize", 0, 10, &v) ? (uint32_t)v : 0;
	p.vmrss_kb = field_num(status, "VmRSS", 0, 10, &v) ? (uint32_t)v : 0;
	p.vmswap_kb = field_num(status, "VmSwap", 0, 10, &v) ? (uint32_t)v : 0;
	p.cap_inheritable = field_num(status, "CapInh", 0, 16, &v) ? v : 0;
	p.cap_permitted = field_num(status, "CapPrm", 0, 16, &v) ? v : 0;
	p.cap_effective = field_num(status, "CapEff", 0, 16, &v) ? v : 0;

	uint64_t starttime = 0;
	snprintf(path, sizeof(path), "%s/stat", base);
	ssize_t tl = slurp(path, statb, 4095);
	p.sid = p.vpgid = p.pgid = -1;
	if (tl > 0) {
		statb[tl] = 0;
		const char *rp = strrchr(statb, ')');
		long long ppid, pgrp, session, tty;
		unsigned long long minflt, majflt, st22;
		if (rp && sscanf(rp + 1, " %*c %lld %lld %lld %lld %*d %*u %llu %*u %llu %*u %*u %*u %*d "
					  "%*d %*d %*d %*d %*d %llu",
				 &ppid, &pgrp, &session, &tty, &minflt, &majflt, &st22) == 7) {
			p.pgid = pgrp;
			p.sid = session;
			p.vpgid = pgrp;
			p.tty = (uint32_t)tty;
			p.pfminor = minflt;
			p.pfmajor = majflt;
			starttime = st22;
		}
	}
	p.vpgid = field_num(status, "NSpgid", -1, 10, &v) ? (int64_t)v : p.vpgid;
	p.sid = field_num(status, "NSsid", -1, 10, &v) ? (int64_t)v : p.sid;

	snprintf(path, sizeof(path), "%s/comm", base);
	ssize_t cl = slurp(path, comm, 255);
	if (cl < 0)
		cl = 0;
	while (cl > 0 && (comm[cl - 1] == '\n'))
		cl--;
	p.comm.p = comm;
	p.comm.len = (uint32_t)cl;

	snprintf(path, sizeof(path), "%s/cmdline", base);
	ssize_t ml = slurp(path, cmd, MAX_BLOB);
	if (ml < 0)
		ml = 0;
	size_t e0 = strnlen(cmd, (size_t)ml);
	p.exe.p = cmd;
	p.exe.len = (uint32_t)e0;
	p.args.p = e0 < (size_t)ml ? cmd + e0 + 1 : cmd;
	p.args.len = e0 < (size_t)ml ? (uint32_t)((size_t)ml - e0 - 1) : 0;
	if (ml == 0) { /* kernel threads: the comm is what upstream shows */
		p.exe = p.comm;
	}

	ssize_t el = 0;
	if (main) {
		snprintf(path, sizeof(path), "%s/environ", base);
		el = slurp(path, env, MAX_BLOB);
	}
	p.env.p = env;
	p.env.len = el > 0 ? (uint32_t)el : 0;

	snprintf(path, sizeof(path), "%s/exe", base);
	ssize_t xl = link_of(path, exe, 4096);
	p.exepath.p = exe;
	p.exepath.len = xl > 0 ? (uint32_t)xl : 0;
	struct stat sb;
	if (xl > 0 && stat(path, &sb) == 0) {
		p.exe_ino = sb.st_ino;
		p.exe_ino_ctime = (uint64_t)sb.st_ctim.tv_sec * 1000000000ull + (uint64_t)sb.st_ctim.tv_nsec;
		p.exe_ino_mtime = (uint64_t)sb.st_mtim.tv_sec * 1000000000ull + (uint64_t)sb.st_mtim.tv_nsec;
	}
	p.exe_from_memfd = xl > 7 && !strncmp(exe, "/memfd:", 7);

	snprintf(path, sizeof(path), "%s/cwd", base);
	ssize_t wl = link_of(path, cwd, 4096);
	p.cwd.p = cwd;
	p.cwd.len = wl > 0 ? (uint32_t)wl : 0;
	snprintf(path, sizeof(path), "%s/root", base);
	ssize_t rl = link_of(path, root, 4096);
	p.root.p = root;
	p.root.len = rl > 0 ? (uint32_t)rl : 0;

	snprintf(path, sizeof(path), "%s/cgroup", base);
	ssize_t gl = slurp(path, cg, MAX_BLOB - 1);
	size_t bl = 0;
	if (gl > 0) {
		cg[gl] = 0;
		bl = cgroups_blob(cg, cgb, MAX_BLOB);
	}
	p.cgroups.p = cgb;
	p.cgroups.len = (uint32_t)bl;

	snprintf(path, sizeof(path), "%s/loginuid", base);
	ssize_t ll = slurp(path, misc, 63);
	p.loginuid = UINT32_MAX;
	if (ll > 0) {
		misc[ll] = 0;
		p.loginuid = (uint32_t)strtoul(misc, NULL, 10);
	}
	snprintf(path, sizeof(path), "%s/limits", base);
	ll = slurp(path, misc, 4095);
	p.fdlimit = 0;
	if (ll > 0) {
		misc[ll] = 0;
		const char *m = strstr(misc, "Max open files");
		if (m)
			p.fdlimit = strtoull(m + 14, NULL, 10);
	}
	bool host_ns = p.vtid == tid;
	uint64_t boot = boot_ts(st);
	p.pidns_init_start_ts = host_ns ? boot : 0;

	fc_state_seed_proc(st, &p);
	struct fc_thread *t = fc_imap_get(&st->threads, tid);
	if (t) {
		long hz = sysconf(_SC_CLK_TCK);
		if (boot && hz > 0)
			t->clone_ts = boot + starttime * (1000000000ull / (uint64_t)hz);
		t->flags |= main ? 0 : FC_CL_CLONE_THREAD | FC_CL_CLONE_FILES;
	}
	ok = t != NULL;
out:
	free(status);
	free(statb);
	free(cmd);
	free(env);
	free(cg);
	free(cgb);
	free(comm);
	free(exe);
	free(cwd);
	free(root);
	free(misc);
	return ok;
}

int fc_procscan_pid(struct fc_state *st, int64_t tid, char *err, size_t errlen)
{
	if (!st->host_root) {
		snprintf(err, errlen, "no host filesystem");
		return -1;
	}
	/* the process that owns TID */
	char path[4096], txt[4096];
	ppath(st, path, sizeof(path), "%lld/status", tid, 0);
	ssize_t n = slurp(path, txt, sizeof(txt) - 1);
	if (n <= 0) {
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	txt[n] = 0;
	uint64_t pid;
	if (!field_num(txt, "Tgid", 0, 10, &pid))
		pid = (uint64_t)tid;
	if (!load_thread(st, (int64_t)pid, (int64_t)pid, true)) {
		snprintf(err, errlen, "process %lld: cannot read", (long long)pid);
		return -1;
	}
	ppath(st, path, sizeof(path), "%lld/task", (long long)pid, 0);
	DIR *d = opendir(path);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!isdigit((unsigned char)de->d_name[0]))
				continue;
			int64_t t = strtoll(de->d_name, NULL, 10);
			if (t != (int64_t)pid)
				load_thread(st, (int64_t)pid, t, false);
		}
		closedir(d);
	}
	scan_fds(st, (int64_t)pid, (int64_t)pid);
	return 0;
}

int fc_procscan_all(struct fc_state *st, char *err, size_t errlen)
{
	if (!st->host_root) {
		snprintf(err, errlen, "no host filesystem (host_root is NULL)");
		return -1;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%.*s/proc", (int)root_len(st), st->host_root);
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	struct dirent *de;
	unsigned ok = 0;
	char e2[256];
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (fc_procscan_pid(st, strtoll(de->d_name, NULL, 10), e2, sizeof(e2)) == 0)
			ok++;
	}
	closedir(d);
	if (!ok) {
		snprintf(err, errlen, "%s: no readable process", path);
		return -1;
	}
	return 0;
}
