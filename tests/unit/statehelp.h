/* statehelp.h — fixtures shared by the state engine's tests: a state with a small seeded
 * process tree, builders for the events whose transitions are tested (clone family, execve,
 * procexit, the fd calls), and field extraction by name through the engine's extractor. */
#ifndef FC_TEST_STATEHELP_H
#define FC_TEST_STATEHELP_H

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtbuild.h"
#include "fields.h"
#include "state.h"
#include "state_int.h"

static struct eb EB;
static uint64_t TS = 1700000000000000000ull;

static inline struct fc_state *st_make(uint32_t max_threads, uint32_t max_fds, const char *root)
{
	struct fc_state_opts o;
	fc_state_opts_default(&o);
	if (max_threads)
		o.max_threads = max_threads;
	if (max_fds)
		o.max_fds_per_proc = max_fds;
	o.host_root = root;
	o.hostname = "testhost";
	struct fc_state *st = fc_state_new(&o);
	cr_assert_not_null(st);
	return st;
}

static inline struct fc_cap_str cs(const char *s)
{
	return (struct fc_cap_str){s, (uint32_t)strlen(s)};
}

/* A process-list entry, as a capture gives it. ARGS/ENV: NUL-separated, with LEN bytes. */
static inline void seed(struct fc_state *st, int64_t tid, int64_t pid, int64_t ptid, const char *comm,
			const char *exe, const char *args, size_t alen, const char *cwd)
{
	struct fc_cap_proc p;
	memset(&p, 0, sizeof(p));
	p.version = 9;
	p.tid = (uint64_t)tid;
	p.pid = (uint64_t)pid;
	p.ptid = (uint64_t)ptid;
	p.sid = p.vpgid = p.pgid = pid;
	p.comm = cs(comm);
	p.exe = cs(exe);
	p.exepath = cs(exe);
	p.args = (struct fc_cap_str){args, (uint32_t)alen};
	p.cwd = cs(cwd);
	p.env = (struct fc_cap_str){"HOME=/root\0PATH=/bin\0", 21};
	p.vtid = tid;
	p.vpid = pid;
	p.fdlimit = 1024;
	p.loginuid = UINT32_MAX;
	p.root = cs("/");
	fc_state_seed_proc(st, &p);
}

/* init(1) ← sshd(100) ← bash(200); bash cwd /home/u */
static inline struct fc_state *st_tree(void)
{
	struct fc_state *st = st_make(0, 0, NULL);
	seed(st, 1, 1, 0, "systemd", "/sbin/init", "", 0, "/");
	seed(st, 100, 100, 1, "sshd", "/usr/sbin/sshd", "-D\0", 3, "/");
	seed(st, 200, 200, 100, "bash", "/bin/bash", "-l\0", 3, "/home/u");
	return st;
}

static inline void run(struct fc_state *st, const struct fc_evt *e)
{
	fc_state_event(st, e);
}

static inline void done(struct fc_state *st)
{
	fc_state_event_done(st);
}

static inline void feed(struct fc_state *st, const struct fc_evt *e)
{
	run(st, e);
	done(st);
}

/* ------------------------------------------------------------------ event builders */

/* clone-family exit. RES: child tid (caller side) or 0 (child side). */
static inline const struct fc_evt *ev_clone(uint16_t type, uint64_t tid, int64_t res, int64_t ev_tid,
					    int64_t ev_pid, int64_t ev_ptid, uint32_t flags,
					    const char *comm, const char *exe)
{
	eb_new(&EB, type, TS += 1000, tid);
	eb_i(&EB, "res", res);
	eb_s(&EB, "exe", exe);
	eb_blob(&EB, "args", "", 0);
	eb_i(&EB, "tid", ev_tid);
	eb_i(&EB, "pid", ev_pid);
	eb_i(&EB, "ptid", ev_ptid);
	eb_s(&EB, "cwd", "");
	eb_i(&EB, "fdlimit", 1024);
	eb_i(&EB, "pgft_maj", 1);
	eb_i(&EB, "pgft_min", 2);
	eb_i(&EB, "vm_size", 3000);
	eb_i(&EB, "vm_rss", 400);
	eb_i(&EB, "vm_swap", 5);
	eb_s(&EB, "comm", comm);
	eb_blob(&EB, "cgroups", "cpu=/user.slice\0", 16);
	eb_i(&EB, "flags", flags);
	eb_i(&EB, "uid", 0);
	eb_i(&EB, "gid", 0);
	eb_i(&EB, "vtid", ev_tid);
	eb_i(&EB, "vpid", ev_pid);
	eb_i(&EB, "pidns_init_start_ts", 0);
	return eb_done(&EB);
}

static inline const struct fc_evt *ev_exec(uint64_t tid, int64_t pid, int64_t ptid, const char *comm,
					   const char *exe, const char *args, size_t alen,
					   const char *path)
{
	eb_new(&EB, FC_PPME_SYSCALL_EXECVE_19_X, TS += 1000, tid);
	eb_i(&EB, "res", 0);
	eb_s(&EB, "exe", exe);
	eb_blob(&EB, "args", args, alen);
	eb_i(&EB, "tid", (int64_t)tid);
	eb_i(&EB, "pid", pid);
	eb_i(&EB, "ptid", ptid);
	eb_s(&EB, "cwd", "");
	eb_i(&EB, "fdlimit", 2048);
	eb_i(&EB, "pgft_maj", 0);
	eb_i(&EB, "pgft_min", 0);
	eb_i(&EB, "vm_size", 100);
	eb_i(&EB, "vm_rss", 10);
	eb_i(&EB, "vm_swap", 0);
	eb_s(&EB, "comm", comm);
	eb_blob(&EB, "cgroups", "cpu=/user.slice\0", 16);
	eb_blob(&EB, "env", "HOME=/home/u\0TERM=xterm\0", 24);
	eb_i(&EB, "tty", 34816);
	eb_i(&EB, "vpgid", pid);
	eb_i(&EB, "loginuid", 1000);
	eb_i(&EB, "flags", 0);
	eb_i(&EB, "cap_inheritable", 0);
	eb_i(&EB, "cap_permitted", 0x3);
	eb_i(&EB, "cap_effective", 0x1);
	eb_i(&EB, "exe_ino", 4242);
	eb_i(&EB, "exe_ino_ctime", 1600000000000000000ll);
	eb_i(&EB, "exe_ino_mtime", 1600000000000000001ll);
	eb_i(&EB, "uid", 1000);
	eb_s(&EB, "trusted_exepath", path);
	eb_i(&EB, "pgid", pid);
	eb_i(&EB, "gid", 1000);
	eb_s(&EB, "filename", path);
	return eb_done(&EB);
}

static inline const struct fc_evt *ev_procexit(uint64_t tid, int64_t reaper)
{
	eb_new(&EB, FC_PPME_PROCEXIT_1_E, TS += 1000, tid);
	eb_i(&EB, "status", 0);
	eb_i(&EB, "ret", 0);
	eb_i(&EB, "sig", 0);
	eb_i(&EB, "core", 0);
	eb_i(&EB, "reaper_tid", reaper);
	return eb_done(&EB);
}

static inline const struct fc_evt *ev_open(uint64_t tid, int64_t fd, const char *name, uint32_t flags)
{
	eb_new(&EB, FC_PPME_SYSCALL_OPEN_X, TS += 1000, tid);
	eb_i(&EB, "fd", fd);
	eb_s(&EB, "name", name);
	eb_i(&EB, "flags", flags);
	eb_i(&EB, "mode", 0);
	eb_i(&EB, "dev", 0x803);
	eb_i(&EB, "ino", 777);
	return eb_done(&EB);
}

static inline const struct fc_evt *ev_openat(uint64_t tid, int64_t fd, int64_t dirfd, const char *name,
					     uint32_t flags)
{
	eb_new(&EB, FC_PPME_SYSCALL_OPENAT_2_X, TS += 1000, tid);
	eb_i(&EB, "fd", fd);
	eb_i(&EB, "dirfd", dirfd);
	eb_s(&EB, "name", name);
	eb_i(&EB, "flags", flags);
	eb_i(&EB, "mode", 0);
	eb_i(&EB, "dev", 0);
	eb_i(&EB, "ino", 0);
	return eb_done(&EB);
}

static inline const struct fc_evt *ev_close(uint64_t tid, int64_t fd, int64_t res)
{
	eb_new(&EB, FC_PPME_SYSCALL_CLOSE_X, TS += 1000, tid);
	eb_i(&EB, "res", res);
	eb_i(&EB, "fd", fd);
	return eb_done(&EB);
}

static inline const struct fc_evt *ev_read(uint64_t tid, int64_t fd, int64_t res)
{
	eb_new(&EB, FC_PPME_SYSCALL_READ_X, TS += 1000, tid);
	eb_i(&EB, "res", res);
	eb_raw(&EB, "data", "abc", 3);
	eb_i(&EB, "fd", fd);
	eb_i(&EB, "size", 3);
	return eb_done(&EB);
}

static inline const struct fc_evt *ev_socket(uint64_t tid, int64_t fd, uint32_t domain, uint32_t type,
					     uint32_t proto)
{
	eb_new(&EB, FC_PPME_SOCKET_SOCKET_X, TS += 1000, tid);
	eb_i(&EB, "fd", fd);
	eb_i(&EB, "domain", domain);
	eb_i(&EB, "type", type);
	eb_i(&EB, "proto", proto);
	eb_i(&EB, "flags", 0);
	return eb_done(&EB);
}

/* ------------------------------------------------------------------ extraction */

static inline bool xv(struct fc_state *st, const char *name, const char *arg, struct fc_val *v)
{
	struct fc_fieldref r;
	char err[256];
	cr_assert(fc_field_resolve(name, arg, &r, err, sizeof(err)), "%s: %s", name, err);
	struct fc_fieldspec f = {.id = r.id, .type = r.type, .flags = r.flags, .has_arg = r.has_arg,
				 .arg_is_index = r.arg_is_index, .index = r.index, .arg = r.arg,
				 .arglen = (uint32_t)strlen(r.arg), .param = -1};
	const struct fc_extractor *x = fc_state_extractor(st);
	bool ok = x->extract(x->ctx, &f, v);
	cr_assert_eq(ok, v->kind != FC_V_NONE, "%s: return value and kind disagree", name);
	return ok;
}

/* String value (copied), or NULL when missing. */
static inline const char *xs_arg(struct fc_state *st, const char *name, const char *arg)
{
	static char buf[8][8192];
	static int k;
	struct fc_val v;
	if (!xv(st, name, arg, &v))
		return NULL;
	cr_assert_eq(v.kind, FC_V_STR, "%s is not a string (kind %d)", name, v.kind);
	char *b = buf[k++ & 7];
	size_t n = v.len < 8191 ? v.len : 8191;
	memcpy(b, v.s, n);
	b[n] = 0;
	return b;
}
#define xs(st, name) xs_arg(st, name, NULL)

static inline int64_t xn_arg(struct fc_state *st, const char *name, const char *arg)
{
	struct fc_val v;
	cr_assert(xv(st, name, arg, &v), "%s is missing", name);
	cr_assert(v.kind == FC_V_U64 || v.kind == FC_V_I64, "%s is not a number (kind %d)", name, v.kind);
	return v.i;
}
#define xn(st, name) xn_arg(st, name, NULL)

static inline bool xnone(struct fc_state *st, const char *name, const char *arg)
{
	struct fc_val v;
	return !xv(st, name, arg, &v);
}

#define assert_str(st, name, want)                                                               \
	do {                                                                                     \
		const char *got_ = xs(st, name);                                                 \
		cr_assert_not_null(got_, "%s missing, want \"%s\"", name, want);                 \
		cr_assert_str_eq(got_, want, "%s", name);                                        \
	} while (0)

#endif
