/* state.c — the state engine's front: the fc_state object (state.h), seeding from capture
 * process/fd entries, and the parser pass that every event goes through before the rules
 * (RUNTIME.md §5.1–5.2): it finds the event's thread and fd, then applies the state transition
 * of the syscall — clone/fork/vfork/clone3 (both the caller's and the child's exit, threads vs
 * processes, pid namespaces), execve/execveat, procexit, every fd-creating call (open family,
 * socket, socketpair, accept, pipe, eventfd, signalfd, timerfd, inotify, epoll, bpf,
 * userfaultfd, io_uring, memfd, pidfd), dup/dup2/dup3/fcntl(F_DUPFD*), close, bind, connect,
 * send/recv tuples, chdir/fchdir/getcwd, set*uid/set*gid, setsid/setpgid, capset,
 * unshare/setns, prctl(child subreaper), chroot, rlimits, memory counters, user/group and
 * container meta events. Parameters are looked up by name per event code, so old event
 * versions are parsed wherever their parameters exist. Removals (closed fds, exited threads)
 * are applied by fc_state_event_done, after the rules ran. */
#include "state_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARENA_BYTES (1u << 20)
#define SCRATCH_BYTES (1u << 20)
#define PPM_AT_FDCWD (-100)
#define PPM_O_DIRECTORY 0x400u
#define PPM_O_CLOEXEC 0x1000u
#define PPM_FD_UPPER_LAYER 0x8000u
#define PPM_FD_LOWER_LAYER 0x10000u
#define LINUX_SOCK_CLOEXEC 0x80000u /* 02000000: socket type bits, accept4 flags */
#define CLONE_STALE_NS (2ull * 1000000000ull)
#define EINPROGRESS_NEG (-115)

enum handler {
	H_NONE = 0,
	H_CLONE,
	H_EXEC,
	H_EXIT,
	H_OPEN,
	H_CLOSE,
	H_DUP,
	H_FCNTL,
	H_SOCKET,
	H_SOCKETPAIR,
	H_BIND,
	H_CONNECT,
	H_ACCEPT,
	H_SEND,
	H_RECV,
	H_PIPE,
	H_SINGLE,
	H_MEMFD,
	H_PIDFD_OPEN,
	H_PIDFD_GETFD,
	H_CHDIR,
	H_FCHDIR,
	H_GETCWD,
	H_SETUID,
	H_SETGID,
	H_SETSID,
	H_SETPGID,
	H_CAPSET,
	H_UNSHARE,
	H_PRCTL,
	H_CHROOT,
	H_RLIMIT,
	H_PRLIMIT,
	H_SWITCH,
	H_MEM,
	H_USER,
	H_CTRJSON,
};

/* Event name → parser (+ fd type for the single-fd creators). Exit events by name, so every
 * version of an event takes the same path; the tracepoint/meta events are matched by code. */
static const struct {
	const char *name;
	uint8_t h;
	uint8_t fdtype;
} handlers[] = {
#define H(name, h, fdtype) {name, H_##h, fdtype},
#include "state_handlers.def"
};

/* ------------------------------------------------------------------ options, lifetime */

void fc_state_opts_default(struct fc_state_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_threads = 262144;
	o->max_fds_per_proc = 4096;
	o->purge_idle_ns = 300ull * 1000000000ull;
	o->host_root = "/";
	o->hostname = NULL;
	o->boot_ts = 0;
}

/* The parser of event code C (H_NONE: the event changes no state). */
static uint8_t handler_of(unsigned c)
{
	switch (c) {
#define HC(code, h) \
	case code:  \
		return H_##h;
#include "state_handlers.def"
	default:
		break;
	}
	if (c & 1)
		for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
			if (!strcmp(fc_events[c].name, handlers[i].name))
				return handlers[i].h;
	return H_NONE;
}

/* The parser tables depend only on the event table: built once per process (many strcmp; a
 * state is created per test, per reload and per fuzzer input), then shared by every state
 * (pidx) or folded into its plan (set_plan). */
static int8_t tab_pidx[FC_EVENT_MAX][FC_P_MAX_];
static uint8_t tab_handler[FC_EVENT_MAX];
static int8_t tab_fdparam[FC_EVENT_MAX];
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

static void build_tables_once(void)
{
	static const char *const pnames[FC_P_MAX_] = {
#define X(e, s) s,
		FC_PNAMES(X)
#undef X
	};
	/* tab_pidx[c][k]: the first parameter of code c named pnames[k] (fc_event_param_index),
	 * found from the event's side: one name compare per parameter and name, not a walk of the
	 * parameters per name (a tenth of falcod's start-up) */
	memset(tab_pidx, -1, sizeof tab_pidx);
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		const struct fc_event_info *e = &fc_events[c];
		for (unsigned p = e->nparams; p-- > 0;) /* backwards: the first of equal names wins */
			for (unsigned k = 0; k < FC_P_MAX_; k++)
				if (e->params[p].name[0] == pnames[k][0] && !strcmp(e->params[p].name, pnames[k]))
					tab_pidx[c][k] = (int8_t)p;
		tab_fdparam[c] = -1;
		if ((c & 1) && (e->flags & FC_EF_USES_FD)) { /* read on exits only */
			/* the fd the call works on: a parameter named "fd" (not the result at 0),
			 * else the first fd-typed parameter after the result */
			int fdi = -1;
			for (unsigned p = 1; p < e->nparams && fdi < 0; p++)
				if (!strcmp(e->params[p].name, "fd") &&
				    (e->params[p].type == PT_FD || e->params[p].type == PT_FD32))
					fdi = (int)p;
			for (unsigned p = 1; p < e->nparams && fdi < 0; p++)
				if (e->params[p].type == PT_FD || e->params[p].type == PT_FD32)
					fdi = (int)p;
			tab_fdparam[c] = (int8_t)fdi;
		}
		tab_handler[c] = handler_of(c);
	}
}

/* st->plan: what fc_state_event does with each event code, in one small entry (no look at the
 * event table): the parser, H_NONE for the codes with nothing to do (enter events but procexit,
 * switch and the meta events; the memory parsers when memory is not tracked), the fd parameter,
 * whether to look the thread up, whether the event is an fd event. */
static void set_plan(struct fc_state *st)
{
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		uint8_t h = tab_handler[c];
		bool meta = h == H_USER || h == H_CTRJSON;
		bool parsed = (c & 1) || h == H_EXIT || h == H_SWITCH || meta;
		if (st->no_memory && (h == H_SWITCH || h == H_MEM))
			parsed = false;
		uint32_t ef = fc_events[c].flags;
		struct fc_code_plan *p = &st->plan[c];
		p->parse = parsed ? h : (uint8_t)H_NONE;
		p->fdparam = tab_fdparam[c];
		p->flags = (uint8_t)((meta ? FC_CP_NO_THREAD : 0) |
				     (h == H_CLONE || h == H_EXIT || h == H_SWITCH ? FC_CP_NO_PROC : 0));
		p->fd_event = (ef & (FC_EF_CREATES_FD | FC_EF_USES_FD | FC_EF_DESTROYS_FD)) != 0;
	}
}

static void build_tables(struct fc_state *st)
{
	pthread_once(&tab_once, build_tables_once);
	st->pidx = (const int8_t(*)[FC_P_MAX_])tab_pidx; /* shared: never written after the once */
	set_plan(st);
}

static uint8_t single_fdtype(const char *name)
{
	for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
		if (!strcmp(name, handlers[i].name))
			return handlers[i].fdtype;
	return FC_FD_UNKNOWN;
}

struct fc_state *fc_state_new(const struct fc_state_opts *o)
{
	struct fc_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	if (o)
		st->o = *o;
	else
		fc_state_opts_default(&st->o);
	if (st->o.max_threads == 0)
		st->o.max_threads = 1;
	if (st->o.max_fds_per_proc == 0)
		st->o.max_fds_per_proc = 1;
	st->host_root = st->o.host_root ? strdup(st->o.host_root) : NULL;
	const char *hn = st->o.hostname ? st->o.hostname : getenv("FALCO_HOSTNAME");
	char buf[256];
	if (!hn && gethostname(buf, sizeof(buf)) == 0) {
		buf[sizeof(buf) - 1] = 0;
		hn = buf;
	}
	st->hostname = strdup(hn ? hn : "");
	st->o.host_root = st->host_root;
	st->o.hostname = st->hostname;
	st->boot_ts = st->o.boot_ts;
	st->plan = malloc(sizeof(*st->plan) * FC_EVENT_MAX);
	st->arena.buf = malloc(ARENA_BYTES);
	st->arena.cap = ARENA_BYTES;
	st->scratch.buf = malloc(SCRATCH_BYTES);
	st->scratch.cap = SCRATCH_BYTES;
	if (!st->hostname || !st->plan || !st->arena.buf ||
	    !st->scratch.buf || (st->o.host_root && !st->host_root)) {
		fc_state_free(st);
		return NULL;
	}
	build_tables(st);
	st->rm_fd = -1;
	st->fdnum = -1;
	st->purge_at = st->o.purge_idle_ns ? st->o.purge_idle_ns : UINT64_MAX;
	st->ext.extract = fc_state_extract;
	st->ext.ctx = st;
	return st;
}

void fc_state_free(struct fc_state *st)
{
	if (!st)
		return;
	fc_threads_free(st);
	fc_containers_free(st);
	fc_users_free(st);
	free(st->rm_tids);
	free(st->plan);
	free(st->arena.buf);
	free(st->scratch.buf);
	free(st->host_root);
	free(st->hostname);
	free(st->meta_path);
	free(st);
}

void fc_state_stats(const struct fc_state *st, struct fc_state_stats *out)
{
	*out = st->stats;
	out->threads = st->threads.n;
}

const struct fc_extractor *fc_state_extractor(struct fc_state *st)
{
	return &st->ext;
}

int fc_state_load_container_meta(struct fc_state *st, const char *path, char *err, size_t errlen)
{
	return fc_container_load_meta(st, path, err, errlen);
}

/* ------------------------------------------------------------------ parameter access */

int fc_pidx(const struct fc_state *st, uint16_t type, enum fc_pname p)
{
	return type < FC_EVENT_MAX ? st->pidx[type][p] : -1;
}

bool fc_ev_i64(const struct fc_state *st, const struct fc_evt *e, enum fc_pname p, int64_t *out)
{
	int i = fc_pidx(st, e->type, p);
	return i >= 0 && fc_evt_get_i64(e, (unsigned)i, out);
}

bool fc_ev_u64(const struct fc_state *st, const struct fc_evt *e, enum fc_pname p, uint64_t *out)
{
	int i = fc_pidx(st, e->type, p);
	return i >= 0 && fc_evt_get_u64(e, (unsigned)i, out);
}

const char *fc_ev_str(const struct fc_state *st, const struct fc_evt *e, enum fc_pname p)
{
	int i = fc_pidx(st, e->type, p);
	return i >= 0 ? fc_evt_get_str(e, (unsigned)i) : NULL;
}

bool fc_ev_raw(const struct fc_state *st, const struct fc_evt *e, enum fc_pname p,
	       const uint8_t **v, uint32_t *len)
{
	int i = fc_pidx(st, e->type, p);
	const void *pv = NULL;
	uint32_t l = 0;
	if (i < 0 || !fc_evt_param(e, (unsigned)i, &pv, &l) || l == 0)
		return false;
	*v = pv;
	*len = l;
	return true;
}

static bool rstr_is(const struct fc_rstr *r, const char *p, size_t len)
{
	return r && r->len == len && !memcmp(r->s, p, len);
}

/* A NUL-separated blob parameter (args, env, cgroups) with one trailing NUL dropped, as
 * upstream splits it; NULL when absent or empty. A new reference to SAME when the parameter
 * has the same bytes (a fork repeats its parent's exe, args and cgroups; an exec often its
 * env): no copy, and shared strings let later steps compare pointers. */
static struct fc_rstr *blob_param_as(struct fc_state *st, const struct fc_evt *e, enum fc_pname p,
				     struct fc_rstr *same)
{
	const uint8_t *v;
	uint32_t l;
	if (!fc_ev_raw(st, e, p, &v, &l))
		return NULL;
	if (v[l - 1] == 0)
		l--;
	if (rstr_is(same, (const char *)v, l))
		return fc_rstr_ref(same);
	return fc_rstr_new((const char *)v, l);
}

/* A string parameter, the same way. */
static struct fc_rstr *str_param_as(struct fc_state *st, const struct fc_evt *e, enum fc_pname p,
				    struct fc_rstr *same)
{
	const char *s = fc_ev_str(st, e, p);
	if (!s)
		return NULL;
	size_t l = strlen(s);
	if (rstr_is(same, s, l))
		return fc_rstr_ref(same);
	return fc_rstr_new(s, l);
}

static struct fc_rstr *blob_param(struct fc_state *st, const struct fc_evt *e, enum fc_pname p)
{
	return blob_param_as(st, e, p, NULL);
}

static struct fc_rstr *str_param(struct fc_state *st, const struct fc_evt *e, enum fc_pname p)
{
	return str_param_as(st, e, p, NULL);
}

static bool has_param(struct fc_state *st, const struct fc_evt *e, enum fc_pname p)
{
	const uint8_t *v;
	uint32_t l;
	return fc_ev_raw(st, e, p, &v, &l);
}

/* ------------------------------------------------------------------ thread helpers */

static struct fc_rstr *strip_deleted(struct fc_rstr *r)
{
	static const char suf[] = " (deleted)";
	size_t n = sizeof(suf) - 1;
	if (r && r->len > n && !memcmp(r->s + r->len - n, suf, n)) {
		struct fc_rstr *s = fc_rstr_new(r->s, r->len - n);
		fc_rstr_unref(r);
		return s;
	}
	return r;
}

static void set_cwd(struct fc_state *st, struct fc_tgroup *g, const char *base, size_t blen,
		    const char *p, size_t plen)
{
	char *buf = fc_sarena_alloc(&st->arena, 8192);
	if (!g || !buf)
		return;
	size_t n = fc_path_join(base, blen, p, plen, buf, 8190);
	if (n == 0 || buf[n - 1] != '/')
		buf[n++] = '/';
	buf[n] = 0;
	fc_rstr_set(&g->cwd, fc_rstr_new(buf, n));
}

/* Copies what a child inherits from the thread it was cloned from. */
static void inherit(struct fc_thread *c, const struct fc_thread *p)
{
	fc_rstr_set(&c->exepath, fc_rstr_ref(p->exepath));
	fc_rstr_set(&c->root, fc_rstr_ref(p->root));
	c->exe_writable = p->exe_writable;
	c->exe_upper = p->exe_upper;
	c->exe_lower = p->exe_lower;
	c->exe_memfd = p->exe_memfd;
	c->sid = p->sid;
	c->vpgid = p->vpgid;
	c->pgid = p->pgid;
	c->tty = p->tty;
	c->loginuid = p->loginuid;
	c->cap_perm = p->cap_perm;
	c->cap_inh = p->cap_inh;
	c->cap_eff = p->cap_eff;
	c->exe_ino = p->exe_ino;
	c->exe_ino_ctime = p->exe_ino_ctime;
	c->exe_ino_mtime = p->exe_ino_mtime;
	c->ctime_dur_clone = p->ctime_dur_clone;
}

/* Fields every clone-family exit carries about the thread it describes. */
static void clone_common(struct fc_state *st, const struct fc_evt *e, struct fc_thread *c,
			 const struct fc_thread *from)
{
	struct fc_rstr *exe = str_param_as(st, e, FC_P_EXE, from ? from->exe : NULL);
	fc_rstr_set(&c->exe, exe ? exe : fc_rstr_ref(from ? from->exe : NULL));
	struct fc_rstr *comm = str_param_as(st, e, FC_P_COMM, from ? from->comm : NULL);
	fc_rstr_set(&c->comm, comm ? comm : fc_rstr_ref(c->exe));
	struct fc_rstr *args = blob_param_as(st, e, FC_P_ARGS, from ? from->args : NULL);
	fc_rstr_set(&c->args, args ? args : (has_param(st, e, FC_P_ARGS) ? NULL : fc_rstr_ref(from ? from->args : NULL)));
	int64_t v;
	if (fc_ev_i64(st, e, FC_P_FDLIMIT, &v))
		c->fdlimit = v;
	uint64_t u;
	if (fc_ev_u64(st, e, FC_P_VM_SWAP, &u)) {
		c->vmswap_kb = (uint32_t)u;
		if (fc_ev_u64(st, e, FC_P_PGFT_MAJ, &u))
			c->pfmajor = u;
		if (fc_ev_u64(st, e, FC_P_PGFT_MIN, &u))
			c->pfminor = u;
		if (fc_ev_u64(st, e, FC_P_VM_SIZE, &u))
			c->vmsize_kb = (uint32_t)u;
		if (fc_ev_u64(st, e, FC_P_VM_RSS, &u))
			c->vmrss_kb = (uint32_t)u;
	}
	if (fc_ev_u64(st, e, FC_P_UID, &u))
		c->uid = (uint32_t)u;
	if (fc_ev_u64(st, e, FC_P_GID, &u))
		c->gid = (uint32_t)u;
	c->clone_ts = e->ts;
	struct fc_rstr *cg = blob_param_as(st, e, FC_P_CGROUPS, from ? from->cgroups : NULL);
	fc_thread_set_cgroups_as(st, c, cg ? cg : fc_rstr_ref(from ? from->cgroups : NULL), from);
}

static bool in_pidns(const struct fc_thread *t, uint32_t flags)
{
	return (flags & (FC_CL_CHILD_IN_PIDNS | FC_CL_CLONE_NEWPID)) || (t->vtid >= 0 && t->tid != t->vtid);
}

/* Creates TID, replacing a stale entry with the same tid (missed exit: tid collision). */
static struct fc_thread *create_fresh(struct fc_state *st, int64_t tid)
{
	struct fc_thread *old = fc_imap_get(&st->threads, tid);
	if (old) {
		if (st->t == old)
			st->t = NULL;
		fc_thread_remove(st, old, false);
	}
	return fc_thread_create(st, tid);
}

/* The thread of an event whose tid is unknown: created from what the event says. */
static struct fc_thread *adopt(struct fc_state *st, const struct fc_evt *e)
{
	struct fc_thread *t = fc_thread_create(st, (int64_t)e->tid);
	if (!t)
		return NULL;
	int64_t v;
	t->pid = fc_ev_i64(st, e, FC_P_PID, &v) ? v : t->tid;
	t->ptid = fc_ev_i64(st, e, FC_P_PTID, &v) ? v : -1;
	if (fc_ev_i64(st, e, FC_P_VTID, &v))
		t->vtid = v;
	else
		t->vtid = t->tid;
	if (fc_ev_i64(st, e, FC_P_VPID, &v))
		t->vpid = v;
	fc_rstr_set(&t->exe, str_param(st, e, FC_P_EXE));
	struct fc_rstr *comm = str_param(st, e, FC_P_COMM);
	fc_rstr_set(&t->comm, comm ? comm : fc_rstr_ref(t->exe));
	fc_rstr_set(&t->args, blob_param(st, e, FC_P_ARGS));
	fc_thread_join_group(st, t, t->pid, NULL);
	fc_thread_link_parent(st, t);
	fc_thread_touch(st, t, e->ts);
	return t;
}

/* ------------------------------------------------------------------ clone family */

static void parse_clone(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	if (!fc_ev_i64(st, e, FC_P_RES, &res) || res < 0)
		return;
	uint64_t u = 0;
	uint32_t flags = fc_ev_u64(st, e, FC_P_FLAGS, &u) ? (uint32_t)u : 0;
	bool is_thread = (flags & FC_CL_CLONE_THREAD) != 0;
	int64_t v;

	if (res == 0) {
		/* the child's own exit: the header tid is the child */
		int64_t tid = (int64_t)e->tid;
		struct fc_thread *ex = st->t;
		if (ex && ex->clone_ts && e->ts >= ex->clone_ts && e->ts - ex->clone_ts < CLONE_STALE_NS &&
		    !(ex->flags & FC_CL_CLONE_INVERTED))
			return; /* the caller's exit already created it */
		int64_t pid = fc_ev_i64(st, e, FC_P_PID, &v) ? v : tid;
		int64_t ptid = fc_ev_i64(st, e, FC_P_PTID, &v) ? v : -1;
		struct fc_thread *look = fc_imap_get(&st->threads, is_thread ? pid : ptid);
		st->pin = look;
		struct fc_thread *c = create_fresh(st, tid);
		st->pin = NULL;
		if (!c) {
			st->t = NULL;
			return;
		}
		look = fc_imap_get(&st->threads, is_thread ? pid : ptid); /* may have been evicted */
		c->pid = pid;
		c->ptid = ptid;
		if (fc_ev_i64(st, e, FC_P_VPID, &v)) {
			c->vpid = v;
			c->vtid = fc_ev_i64(st, e, FC_P_VTID, &v) ? v : tid;
		} else {
			c->vtid = tid;
			c->vpid = -1;
		}
		c->flags = flags | FC_CL_CLONE_INVERTED;
		if (is_thread)
			c->flags |= FC_CL_CLONE_FILES;
		if (look) {
			inherit(c, look);
			fc_rstr_set(&c->env, fc_rstr_ref(look->env));
			if (is_thread)
				c->lastexec_ts = look->lastexec_ts;
		}
		clone_common(st, e, c, look);
		if (in_pidns(c, flags)) {
			uint64_t ts;
			if (fc_ev_u64(st, e, FC_P_PIDNS_TS, &ts))
				c->pidns_init_start_ts = ts + st->boot_ts;
		} else {
			c->pidns_init_start_ts = st->boot_ts;
		}
		if (is_thread) {
			struct fc_tgroup *g = look && look->pid == pid ? look->grp : NULL;
			fc_thread_join_group(st, c, pid, g);
		} else {
			fc_thread_join_group(st, c, c->pid, NULL);
			if (look && look->grp && c->grp && c->grp != look->grp) {
				fc_fdtab_copy(st, &c->grp->fds, &look->grp->fds);
				fc_rstr_set(&c->grp->cwd, fc_rstr_ref(look->grp->cwd));
			}
		}
		fc_thread_link_parent(st, c);
		fc_thread_touch(st, c, e->ts);
		st->t = c;
		return;
	}

	/* the caller's exit: res is the child's tid */
	struct fc_thread *caller = st->t;
	if (!caller) {
		caller = adopt(st, e);
		st->t = caller;
		if (!caller)
			return;
	}
	if ((flags & (FC_CL_CHILD_IN_PIDNS | FC_CL_CLONE_NEWPID | FC_CL_CLONE_PARENT)) ||
	    caller->tid != caller->vtid)
		return; /* child in another pid namespace: res is not a host tid; its own exit
			 * creates it */
	if ((flags & FC_CL_CLONE_VFORK) || e->type == FC_PPME_SYSCALL_VFORK_20_X)
		return; /* vfork: the child may exit before the parent resumes */
	struct fc_thread *ex = fc_imap_get(&st->threads, res);
	if (ex && (ex->flags & FC_CL_CLONE_INVERTED))
		return;
	st->pin = caller;
	struct fc_thread *c = create_fresh(st, res);
	st->pin = NULL;
	if (!c)
		return;
	c->flags = flags;
	if (!is_thread) {
		c->pid = c->tid;
		c->ptid = caller->tid;
		fc_rstr_set(&c->env, fc_rstr_ref(caller->env));
	} else {
		c->pid = caller->pid;
		c->ptid = caller->ptid;
		c->flags |= FC_CL_CLONE_FILES;
		c->lastexec_ts = caller->lastexec_ts;
		fc_rstr_set(&c->env, fc_rstr_ref(caller->env));
	}
	c->vtid = c->tid;
	c->vpid = c->pid;
	inherit(c, caller);
	clone_common(st, e, c, caller);
	c->pidns_init_start_ts = st->boot_ts;
	if (is_thread) {
		fc_thread_join_group(st, c, c->pid, caller->pid == c->pid ? caller->grp : NULL);
	} else {
		fc_thread_join_group(st, c, c->pid, NULL);
		if (caller->grp && c->grp && c->grp != caller->grp) {
			fc_fdtab_copy(st, &c->grp->fds, &caller->grp->fds);
			fc_rstr_set(&c->grp->cwd, fc_rstr_ref(caller->grp->cwd));
		}
	}
	fc_thread_link_parent(st, c);
	fc_thread_touch(st, c, e->ts);
}

/* ------------------------------------------------------------------ execve */

static void queue_tid_removal(struct fc_state *st, int64_t tid)
{
	if (st->n_rm_tids == st->cap_rm_tids) {
		uint32_t nc = st->cap_rm_tids ? st->cap_rm_tids * 2 : 16;
		int64_t *n = realloc(st->rm_tids, sizeof(*n) * nc);
		if (!n)
			return;
		st->rm_tids = n;
		st->cap_rm_tids = nc;
	}
	st->rm_tids[st->n_rm_tids++] = tid;
}

static void parse_exec(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res, v;
	uint64_t u;
	if (fc_ev_i64(st, e, FC_P_RES, &res) && res < 0)
		return;
	struct fc_thread *t = st->t;
	bool fresh = false;
	if (!t) {
		t = adopt(st, e);
		st->t = t;
		if (!t)
			return;
		fresh = true;
	}
	if (t->dead) {
		/* an exec from a thread whose leader had exited: it is the leader again */
		t->dead = false;
		if (t->grp)
			t->grp->alive++;
	}
	fc_rstr_set(&t->exe, str_param(st, e, FC_P_EXE));
	t->lastexec_ts = e->ts;
	struct fc_rstr *comm = str_param(st, e, FC_P_COMM);
	fc_rstr_set(&t->comm, comm ? comm : fc_rstr_ref(t->exe));
	fc_rstr_set(&t->args, blob_param(st, e, FC_P_ARGS));
	if (fc_ev_i64(st, e, FC_P_PID, &v) && v != t->pid && !fresh)
		fc_thread_regroup(st, t, v);
	if (fresh) {
		if (fc_ev_i64(st, e, FC_P_VTID, &v))
			t->vtid = v;
	}
	if (fc_ev_i64(st, e, FC_P_FDLIMIT, &v))
		t->fdlimit = v;
	if (fc_ev_u64(st, e, FC_P_VM_SWAP, &u)) {
		t->vmswap_kb = (uint32_t)u;
		if (fc_ev_u64(st, e, FC_P_PGFT_MAJ, &u))
			t->pfmajor = u;
		if (fc_ev_u64(st, e, FC_P_PGFT_MIN, &u))
			t->pfminor = u;
		if (fc_ev_u64(st, e, FC_P_VM_SIZE, &u))
			t->vmsize_kb = (uint32_t)u;
		if (fc_ev_u64(st, e, FC_P_VM_RSS, &u))
			t->vmrss_kb = (uint32_t)u;
	}
	struct fc_rstr *env = blob_param_as(st, e, FC_P_ENV, t->env);
	if (env)
		fc_rstr_set(&t->env, env);
	struct fc_rstr *cg = blob_param_as(st, e, FC_P_CGROUPS, t->cgroups);
	if (cg)
		fc_thread_set_cgroups(st, t, cg);
	if (fc_ev_u64(st, e, FC_P_TTY, &u))
		t->tty = (uint32_t)u;

	/* exepath: the kernel's d_path of the exe file; else the filename passed, resolved
	 * against the cwd; else argv[0] when it is absolute */
	struct fc_rstr *ep = str_param(st, e, FC_P_TRUSTED_EXEPATH);
	if (ep && ep->len == 0) {
		fc_rstr_unref(ep);
		ep = NULL;
	}
	if (!ep) {
		const char *fn = fc_ev_str(st, e, FC_P_FILENAME);
		char *buf = fc_sarena_alloc(&st->arena, 8192);
		if (fn && *fn && buf && t->grp) {
			size_t n = fc_path_join(t->grp->cwd->s, t->grp->cwd->len, fn, strlen(fn), buf, 8192);
			ep = fc_rstr_new(buf, n);
		} else if (t->exe && t->exe->len && t->exe->s[0] == '/') {
			ep = fc_rstr_ref(t->exe);
		}
	}
	if (ep)
		fc_rstr_set(&t->exepath, strip_deleted(ep));

	if (fc_ev_i64(st, e, FC_P_VPGID, &v))
		t->vpgid = v;
	if (fc_ev_u64(st, e, FC_P_LOGINUID, &u))
		t->loginuid = (uint32_t)u;
	int fi = fc_pidx(st, e->type, FC_P_FLAGS);
	if (fi >= 0 && fc_evt_get_u64(e, (unsigned)fi, &u)) {
		t->exe_writable = (u & 1) != 0;
		t->exe_upper = (u & 2) != 0;
		t->exe_memfd = (u & 4) != 0;
		t->exe_lower = (u & 8) != 0;
	}
	if (fc_ev_u64(st, e, FC_P_CAP_EFF, &u)) {
		t->cap_eff = u;
		if (fc_ev_u64(st, e, FC_P_CAP_INH, &u))
			t->cap_inh = u;
		if (fc_ev_u64(st, e, FC_P_CAP_PERM, &u))
			t->cap_perm = u;
	}
	if (fc_ev_u64(st, e, FC_P_EXE_INO_MTIME, &u)) {
		t->exe_ino_mtime = u;
		if (fc_ev_u64(st, e, FC_P_EXE_INO, &u))
			t->exe_ino = u;
		if (fc_ev_u64(st, e, FC_P_EXE_INO_CTIME, &u))
			t->exe_ino_ctime = u;
		if (t->clone_ts)
			t->ctime_dur_clone = t->clone_ts - t->exe_ino_ctime;
		if (t->pidns_init_start_ts && t->exe_ino_ctime > t->pidns_init_start_ts)
			t->ctime_dur_pidns = t->exe_ino_ctime - t->pidns_init_start_ts;
	}
	if (fc_ev_u64(st, e, FC_P_UID, &u))
		t->uid = (uint32_t)u;
	t->pgid = fc_ev_i64(st, e, FC_P_PGID, &v) ? v : -1;
	if (fc_ev_u64(st, e, FC_P_GID, &u))
		t->gid = (uint32_t)u;
	t->flags &= FC_CL_CLONE_INVERTED;

	if (t->grp) {
		fc_fdtab_close_on_exec(st, &t->grp->fds);
		/* every other thread of the process is gone after a successful exec */
		for (struct fc_thread *o = t->grp->head; o; o = o->grp_next)
			if (o != t && !o->removing) {
				o->removing = true;
				queue_tid_removal(st, o->tid);
			}
	}
}

/* ------------------------------------------------------------------ procexit */

static void parse_procexit(struct fc_state *st, const struct fc_evt *e)
{
	struct fc_thread *t = st->t;
	if (!t)
		return;
	int64_t v;
	if (fc_ev_i64(st, e, FC_P_REAPER_TID, &v) && v > 0)
		t->reaper_tid = v;
	fc_thread_mark_dead(t);
	queue_tid_removal(st, t->tid);
}

/* ------------------------------------------------------------------ fds */

static struct fc_tgroup *fds_of(struct fc_state *st)
{
	return st->t ? st->t->grp : NULL;
}

static struct fc_fdinfo *add_fd(struct fc_state *st, int64_t fd, struct fc_fdinfo *f)
{
	struct fc_tgroup *g = fds_of(st);
	if (!g) {
		fc_fd_free(f);
		return NULL;
	}
	if (st->rm_fd_grp == g && st->rm_fd == fd) {
		/* a close of this number is pending: the new fd wins */
		st->rm_fd = -1;
		st->rm_fd_grp = NULL;
	}
	return fc_fdtab_add(st, &g->fds, fd, f);
}

/* Resolves NAME against the cwd (dirfd = AT_FDCWD or absent) or the directory fd DIRFD, as
 * upstream parse_dirfd + concatenate_paths do. Returns an arena string (or NULL). */
static const char *resolve_at(struct fc_state *st, int64_t dirfd, bool has_dirfd, const char *name,
			      size_t *len)
{
	char *buf = fc_sarena_alloc(&st->arena, 8192);
	if (!buf || !name)
		return NULL;
	const char *dir = "";
	size_t dl = 0;
	char tmp[16];
	if (name[0] != '/') {
		struct fc_tgroup *g = fds_of(st);
		if (!g) {
			dir = "<UNKNOWN>";
			dl = 9;
		} else if (!has_dirfd || dirfd == PPM_AT_FDCWD) {
			dir = g->cwd->s;
			dl = g->cwd->len;
		} else {
			struct fc_fdinfo *d = fc_imap_get(&g->fds.map, dirfd);
			if (d && d->name) {
				dir = d->name->s;
				dl = d->name->len;
			} else {
				dir = "<UNKNOWN>";
				dl = 9;
			}
		}
	}
	(void)tmp;
	*len = fc_path_join(dir, dl, name, strlen(name), buf, 8192);
	return buf;
}

static void parse_open(struct fc_state *st, const struct fc_evt *e)
{
	int64_t fd, dirfd = PPM_AT_FDCWD;
	uint64_t u;
	if (!fc_ev_i64(st, e, FC_P_FD, &fd))
		return;
	const char *name = fc_ev_str(st, e, FC_P_NAME);
	bool by_handle = e->type == FC_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X;
	if (by_handle)
		name = fc_ev_str(st, e, FC_P_PATH);
	bool has_dirfd = !by_handle && fc_ev_i64(st, e, FC_P_DIRFD, &dirfd);
	uint32_t flags = fc_ev_u64(st, e, FC_P_FLAGS, &u) ? (uint32_t)u : 0;
	if (fc_ev_u64(st, e, FC_P_CREAT_FLAGS, &u)) {
		if (u & 1)
			flags |= PPM_FD_UPPER_LAYER;
		else if (u & 2)
			flags |= PPM_FD_LOWER_LAYER;
	}
	if (!name)
		name = "<NA>";
	size_t fl = 0;
	const char *full = resolve_at(st, dirfd, has_dirfd, name, &fl);
	st->fdnum = -1;
	if (fd < 0 || !full || !st->t)
		return;
	struct fc_fdinfo *f = fc_fd_new();
	if (!f)
		return;
	f->type = (flags & PPM_O_DIRECTORY) ? FC_FD_DIRECTORY : FC_FD_FILE_V2;
	f->openflags = flags;
	if (fc_ev_u64(st, e, FC_P_DEV, &u))
		f->dev = (uint32_t)u;
	if (fc_ev_u64(st, e, FC_P_INO, &u))
		f->ino = u;
	f->nameraw = fc_rstr_cstr(name);
	/* an absolute clean path is its own resolution: one string for both */
	f->name = f->nameraw && f->nameraw->len == fl && !memcmp(f->nameraw->s, full, fl) ? fc_rstr_ref(f->nameraw)
											   : fc_rstr_new(full, fl);
	if (flags & PPM_FD_UPPER_LAYER)
		f->flags |= FC_FDF_UPPER;
	if (flags & PPM_FD_LOWER_LAYER)
		f->flags |= FC_FDF_LOWER;
	if (flags & PPM_O_CLOEXEC)
		f->flags |= FC_FDF_CLOEXEC;
	st->fdi = add_fd(st, fd, f);
	st->fdnum = fd;
}

static void parse_close(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	if (!fc_ev_i64(st, e, FC_P_RES, &res) || res < 0 || !st->fdi || !fds_of(st))
		return;
	st->rm_fd = st->fdnum;
	st->rm_fd_grp = fds_of(st);
}

static void parse_dup(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	uint64_t u;
	if (!fc_ev_i64(st, e, FC_P_RES, &res) || res < 0 || !st->fdi || !st->t)
		return;
	struct fc_fdinfo *f = fc_fd_clone(st->fdi);
	if (!f)
		return;
	if (e->type == FC_PPME_SYSCALL_DUP3_X && fc_ev_u64(st, e, FC_P_FLAGS, &u)) {
		if (u) {
			f->openflags |= (uint32_t)u;
		} else {
			f->openflags &= ~PPM_O_CLOEXEC;
		}
	}
	/* dup/dup2 clear FD_CLOEXEC on the new descriptor; dup3 sets it from its flags */
	if (f->openflags & PPM_O_CLOEXEC && e->type == FC_PPME_SYSCALL_DUP3_X)
		f->flags |= FC_FDF_CLOEXEC;
	else
		f->flags &= (uint8_t)~FC_FDF_CLOEXEC;
	st->fdi = add_fd(st, res, f);
	st->fdnum = res;
}

static void parse_fcntl(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	uint64_t cmd;
	if (!fc_ev_u64(st, e, FC_P_CMD, &cmd) || (cmd != 1 && cmd != 26))
		return; /* PPM_FCNTL_F_DUPFD, PPM_FCNTL_F_DUPFD_CLOEXEC */
	if (!fc_ev_i64(st, e, FC_P_RES, &res) || res < 0 || !st->fdi || !st->t)
		return;
	struct fc_fdinfo *f = fc_fd_clone(st->fdi);
	if (!f)
		return;
	if (cmd == 26)
		f->flags |= FC_FDF_CLOEXEC;
	else
		f->flags &= (uint8_t)~FC_FDF_CLOEXEC;
	st->fdi = add_fd(st, res, f);
	st->fdnum = res;
}

/* upstream add_socket: type and L4 protocol from domain/type/protocol */
static struct fc_fdinfo *new_socket(uint32_t domain, uint32_t type, uint32_t proto)
{
	struct fc_fdinfo *f = fc_fd_new();
	if (!f)
		return NULL;
	f->type = FC_FD_UNKNOWN;
	f->l4proto = FC_L4_UNKNOWN;
	if (domain == 1) {
		f->type = FC_FD_UNIX_SOCK;
	} else if (domain == 2 || domain == 10) {
		f->type = domain == 2 ? FC_FD_IPV4_SOCK : FC_FD_IPV6_SOCK;
		uint32_t st = type & 0xff;
		bool raw = st == 3; /* SOCK_RAW */
		if (proto == 6)
			f->l4proto = raw ? FC_L4_RAW : FC_L4_TCP;
		else if (proto == 17)
			f->l4proto = raw ? FC_L4_RAW : FC_L4_UDP;
		else if (proto == 0)
			f->l4proto = st == 1 ? FC_L4_TCP : st == 2 ? FC_L4_UDP : FC_L4_UNKNOWN;
		else if (proto == 1)
			f->l4proto = raw ? FC_L4_RAW : FC_L4_ICMP;
		else if (proto == 255)
			f->l4proto = FC_L4_RAW;
	} else if (domain == 16) {
		f->type = FC_FD_NETLINK;
	}
	if (type & LINUX_SOCK_CLOEXEC)
		f->flags |= FC_FDF_CLOEXEC;
	return f;
}

static void parse_socket(struct fc_state *st, const struct fc_evt *e)
{
	int64_t fd;
	uint64_t dom = 0, type = 0, proto = 0, fl = 0;
	if (!fc_ev_i64(st, e, FC_P_FD, &fd) || fd < 0 || !st->t)
		return;
	fc_ev_u64(st, e, FC_P_DOMAIN, &dom);
	fc_ev_u64(st, e, FC_P_TYPE, &type);
	fc_ev_u64(st, e, FC_P_PROTO, &proto);
	struct fc_fdinfo *f = new_socket((uint32_t)dom, (uint32_t)type, (uint32_t)proto);
	if (!f)
		return;
	if (fc_ev_u64(st, e, FC_P_FLAGS, &fl) && (fl & PPM_O_CLOEXEC))
		f->flags |= FC_FDF_CLOEXEC;
	st->fdi = add_fd(st, fd, f);
	st->fdnum = fd;
}

static void parse_socketpair(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res, fd1, fd2;
	uint64_t src = 0, peer = 0;
	if (!fc_ev_i64(st, e, FC_P_RES, &res) || res < 0 || !st->t)
		return;
	if (!fc_ev_i64(st, e, FC_P_FD1, &fd1) || !fc_ev_i64(st, e, FC_P_FD2, &fd2) || fd1 == fd2)
		return;
	fc_ev_u64(st, e, FC_P_SOURCE, &src);
	fc_ev_u64(st, e, FC_P_PEER, &peer);
	struct fc_fdinfo *a = fc_fd_new();
	if (!a)
		return;
	a->type = FC_FD_UNIX_SOCK;
	a->usrc = src;
	a->udst = peer;
	struct fc_fdinfo *b = fc_fd_clone(a);
	st->fdi = add_fd(st, fd1, a);
	if (b)
		add_fd(st, fd2, b);
	st->fdi = fc_imap_get(&fds_of(st)->fds.map, fd1);
	st->fdnum = fd2; /* upstream: the last add_fd sets lastevent_fd */
}

static void parse_bind(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	const uint8_t *a;
	uint32_t al;
	struct fc_fdinfo *f = st->fdi;
	if (!f || !fc_ev_i64(st, e, FC_P_RES, &res) || res < 0 || !fc_ev_raw(st, e, FC_P_ADDR, &a, &al))
		return;
	static const uint8_t v4m[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (a[0] == 2 && al >= 7) {
		uint16_t port = (uint16_t)(a[5] | a[6] << 8);
		if (port > 0) {
			f->type = FC_FD_IPV4_SERVSOCK;
			memset(f->sip, 0, 16);
			memcpy(f->sip, a + 1, 4);
			f->sport = port;
			f->role = FC_ROLE_SERVER;
		}
	} else if (a[0] == 10 && al >= 19) {
		uint16_t port = (uint16_t)(a[17] | a[18] << 8);
		if (port > 0) {
			memset(f->sip, 0, 16);
			if (!memcmp(a + 1, v4m, 12)) {
				f->type = FC_FD_IPV4_SERVSOCK;
				memcpy(f->sip, a + 13, 4);
			} else {
				f->type = FC_FD_IPV6_SERVSOCK;
				memcpy(f->sip, a + 1, 16);
			}
			f->sport = port;
			f->role = FC_ROLE_SERVER;
		}
	}
	char buf[4200];
	size_t n = fc_sockaddr_render(a, al, buf, sizeof(buf));
	struct fc_rstr *old = f->name;
	if (!old || old->len != n || memcmp(old->s, buf, n)) {
		fc_rstr_set(&f->name, fc_rstr_new(buf, n));
		st->name_changed = true;
	}
}

static void parse_connect(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	struct fc_fdinfo *f = st->fdi;
	if (!f || !st->t || !fc_ev_i64(st, e, FC_P_RES, &res))
		return;
	if (res < 0 && res != EINPROGRESS_NEG)
		return;
	f->flags |= FC_FDF_CONNECTED;
	const uint8_t *tp, *ap;
	uint32_t tl, al;
	bool changed = false;
	if (!fc_ev_raw(st, e, FC_P_TUPLE, &tp, &tl)) {
		/* no tuple (e.g. TCP fastopen): the destination from the address passed */
		if (!fc_ev_raw(st, e, FC_P_ADDR, &ap, &al))
			return;
		if (ap[0] == 2 && al >= 7) {
			f->type = FC_FD_IPV4_SOCK;
			memcpy(f->dip, ap + 1, 4);
			f->dport = (uint16_t)(ap[5] | ap[6] << 8);
		} else if (ap[0] == 10 && al >= 19) {
			f->type = FC_FD_IPV6_SOCK;
			memcpy(f->dip, ap + 1, 16);
			f->dport = (uint16_t)(ap[17] | ap[18] << 8);
		} else {
			char buf[4200];
			size_t n = fc_sockaddr_render(ap, al, buf, sizeof(buf));
			fc_rstr_set(&f->name, fc_rstr_new(buf, n));
		}
		st->name_changed = true;
		return;
	}
	if (!fc_fd_set_tuple(f, tp, tl, true, &changed))
		return;
	if (f->type == FC_FD_IPV4_SOCK || f->type == FC_FD_IPV6_SOCK) {
		if (changed && f->role == FC_ROLE_SERVER && f->l4proto == FC_L4_UDP)
			fc_fd_swap_ends(f); /* connect by a UDP server */
		struct fc_rstr *old = fc_rstr_ref(f->name);
		fc_fd_set_inet_name(f);
		st->name_changed = !old || !f->name || old->len != f->name->len ||
				   memcmp(old->s, f->name->s, old->len);
		fc_rstr_unref(old);
	} else {
		st->name_changed = changed;
	}
	if (f->role == FC_ROLE_NONE)
		f->role = FC_ROLE_CLIENT;
}

static void parse_accept(struct fc_state *st, const struct fc_evt *e)
{
	int64_t fd;
	const uint8_t *tp;
	uint32_t tl;
	if (!fc_ev_i64(st, e, FC_P_FD, &fd) || fd < 0 || !st->t)
		return;
	st->fdnum = fd;
	if (!fc_ev_raw(st, e, FC_P_TUPLE, &tp, &tl))
		return;
	struct fc_fdinfo *f = fc_fd_new();
	if (!f)
		return;
	bool changed;
	if (!fc_fd_set_tuple(f, tp, tl, true, &changed)) {
		fc_fd_free(f);
		return;
	}
	if (f->type == FC_FD_IPV4_SOCK || f->type == FC_FD_IPV6_SOCK) {
		f->l4proto = FC_L4_TCP;
		fc_fd_set_inet_name(f);
	}
	f->role = FC_ROLE_SERVER;
	f->flags |= FC_FDF_CONNECTED;
	uint64_t fl;
	if (fc_ev_u64(st, e, FC_P_FLAGS, &fl) && (fl & LINUX_SOCK_CLOEXEC))
		f->flags |= FC_FDF_CLOEXEC;
	st->fdi = add_fd(st, fd, f);
}

/* upstream set_net_role_by_guessing: server if this process owns the local port */
static void guess_role(struct fc_state *st, struct fc_fdinfo *f, bool incoming)
{
	struct fc_tgroup *g = fds_of(st);
	bool bound = false, client_port = false;
	if (g) {
		for (uint32_t i = 0; i < g->fds.map.cap; i++) {
			const struct fc_fdinfo *o = g->fds.map.vals[i];
			if (!o)
				continue;
			if (o->type == FC_FD_IPV4_SOCK && o != f && o->dport == f->dport)
				bound = true;
			if (o->type == FC_FD_IPV4_SERVSOCK && o->sport == f->dport)
				bound = true;
			if (o->type == FC_FD_IPV4_SOCK && o != f && o->sport == f->sport)
				client_port = true;
		}
	}
	if (bound && !client_port)
		f->role = FC_ROLE_SERVER;
	else if (!bound)
		f->role = FC_ROLE_CLIENT;
	else
		f->role = incoming ? FC_ROLE_SERVER : FC_ROLE_CLIENT;
}

static void parse_sendrecv(struct fc_state *st, const struct fc_evt *e, bool send)
{
	int64_t res, fd;
	const uint8_t *tp = NULL;
	uint32_t tl = 0;
	if (!fc_ev_i64(st, e, FC_P_RES, &res) || !st->t)
		return;
	bool has_tuple = fc_ev_raw(st, e, FC_P_TUPLE, &tp, &tl);
	if (send && !st->fdi && res >= 0 && has_tuple && (tp[0] == 2 || tp[0] == 10) &&
	    fc_ev_i64(st, e, FC_P_FD, &fd) && fd >= 0) {
		/* a send on a socket whose creation we missed: assume UDP, as upstream does */
		st->fdi = add_fd(st, fd, new_socket(tp[0], 2, 17));
		st->fdnum = fd;
	}
	struct fc_fdinfo *f = st->fdi;
	if (!f || res < 0)
		return;
	bool ip = f->type == FC_FD_IPV4_SOCK || f->type == FC_FD_IPV6_SOCK;
	if (ip)
		f->flags |= FC_FDF_CONNECTED;
	if (!has_tuple || (f->name && f->name->len && f->l4proto == FC_L4_TCP && ip))
		return;
	bool changed;
	uint8_t before = f->type;
	if (!fc_fd_set_tuple(f, tp, tl, false, &changed))
		return;
	if (f->type == FC_FD_IPV4_SOCK || f->type == FC_FD_IPV6_SOCK) {
		if (!changed && before == f->type && f->name)
			return;
		if (f->l4proto == FC_L4_UNKNOWN)
			f->l4proto = FC_L4_UDP;
		if (f->role == FC_ROLE_NONE)
			guess_role(st, f, !send);
		if (send ? f->role == FC_ROLE_SERVER : f->role == FC_ROLE_CLIENT)
			fc_fd_swap_ends(f);
		struct fc_rstr *old = fc_rstr_ref(f->name);
		fc_fd_set_inet_name(f);
		st->name_changed = !old || !f->name || old->len != f->name->len ||
				   memcmp(old->s, f->name->s, old->len);
		fc_rstr_unref(old);
	} else {
		st->name_changed = changed;
	}
}

static void parse_pipe(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res, fd[2];
	uint64_t ino = 0, fl = 0;
	if (!fc_ev_i64(st, e, FC_P_RES, &res) || res < 0 || !st->t)
		return;
	if (!fc_ev_i64(st, e, FC_P_FD1, &fd[0]) || !fc_ev_i64(st, e, FC_P_FD2, &fd[1]))
		return;
	fc_ev_u64(st, e, FC_P_INO, &ino);
	fc_ev_u64(st, e, FC_P_FLAGS, &fl);
	for (int i = 0; i < 2; i++) {
		struct fc_fdinfo *f = fc_fd_new();
		if (!f)
			return;
		f->type = FC_FD_FIFO;
		f->ino = ino;
		f->openflags = (uint32_t)fl;
		if (fl & PPM_O_CLOEXEC)
			f->flags |= FC_FDF_CLOEXEC;
		st->fdi = add_fd(st, fd[i], f);
		st->fdnum = fd[i];
	}
}

static void parse_single(struct fc_state *st, const struct fc_evt *e)
{
	int64_t fd;
	uint64_t fl = 0;
	if (!st->t)
		return;
	if (!fc_ev_i64(st, e, FC_P_RES, &fd) && !fc_ev_i64(st, e, FC_P_FD, &fd))
		return;
	if (fd < 0)
		return;
	struct fc_fdinfo *f = fc_fd_new();
	if (!f)
		return;
	f->type = single_fdtype(e->info->name);
	int fi = fc_pidx(st, e->type, FC_P_FLAGS);
	const char *tbl = fi >= 0 ? e->info->params[fi].info : NULL;
	if (fi >= 0 && fc_evt_get_u64(e, (unsigned)fi, &fl)) {
		f->openflags = (uint32_t)fl;
		/* only file_flags-encoded flags carry O_CLOEXEC as 0x1000 */
		if (tbl && !strcmp(tbl, "file_flags") && (fl & PPM_O_CLOEXEC))
			f->flags |= FC_FDF_CLOEXEC;
	}
	if (f->type == FC_FD_BPF)
		f->flags |= FC_FDF_CLOEXEC; /* the kernel always sets it for bpf fds */
	st->fdi = add_fd(st, fd, f);
	st->fdnum = fd;
}

static void parse_memfd(struct fc_state *st, const struct fc_evt *e)
{
	int64_t fd;
	uint64_t fl = 0;
	if (!fc_ev_i64(st, e, FC_P_FD, &fd) || fd < 0 || !st->t)
		return;
	struct fc_fdinfo *f = fc_fd_new();
	if (!f)
		return;
	f->type = FC_FD_MEMFD;
	f->name = str_param(st, e, FC_P_NAME);
	if (fc_ev_u64(st, e, FC_P_FLAGS, &fl)) {
		f->openflags = (uint32_t)fl;
		if (fl & 1) /* MFD_CLOEXEC */
			f->flags |= FC_FDF_CLOEXEC;
	}
	st->fdi = add_fd(st, fd, f);
	st->fdnum = fd;
}

static void parse_pidfd_open(struct fc_state *st, const struct fc_evt *e)
{
	int64_t fd, pid = 0;
	uint64_t fl = 0;
	if (!fc_ev_i64(st, e, FC_P_FD, &fd) || fd < 0 || !st->t)
		return;
	fc_ev_i64(st, e, FC_P_PID, &pid);
	fc_ev_u64(st, e, FC_P_FLAGS, &fl);
	struct fc_fdinfo *f = fc_fd_new();
	if (!f)
		return;
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "/proc/%lld", (long long)pid);
	f->type = FC_FD_PIDFD;
	f->name = fc_rstr_new(buf, (size_t)n);
	f->openflags = (uint32_t)fl;
	f->pid = pid;
	f->flags |= FC_FDF_CLOEXEC; /* pidfds are always close-on-exec */
	st->fdi = add_fd(st, fd, f);
	st->fdnum = fd;
}

static void parse_pidfd_getfd(struct fc_state *st, const struct fc_evt *e)
{
	int64_t fd, pidfd, target;
	struct fc_tgroup *g = fds_of(st);
	if (!g || !fc_ev_i64(st, e, FC_P_FD, &fd) || fd < 0 || !fc_ev_i64(st, e, FC_P_PID_FD, &pidfd) ||
	    !fc_ev_i64(st, e, FC_P_TARGET_FD, &target))
		return;
	struct fc_fdinfo *p = fc_imap_get(&g->fds.map, pidfd);
	if (!p || p->type != FC_FD_PIDFD)
		return;
	struct fc_thread *o = fc_imap_get(&st->threads, p->pid);
	struct fc_fdinfo *src = o && o->grp ? fc_imap_get(&o->grp->fds.map, target) : NULL;
	if (!src)
		return;
	struct fc_fdinfo *f = fc_fd_clone(src);
	if (!f)
		return;
	f->flags |= FC_FDF_CLOEXEC;
	st->fdi = add_fd(st, fd, f);
	st->fdnum = fd;
}

/* ------------------------------------------------------------------ cwd, ids, misc */

static void parse_chdir(struct fc_state *st, const struct fc_evt *e, int kind)
{
	int64_t res;
	struct fc_tgroup *g = fds_of(st);
	if (!g || !fc_ev_i64(st, e, FC_P_RES, &res) || res < 0)
		return;
	const char *p = NULL;
	size_t pl = 0;
	if (kind == H_FCHDIR) {
		if (!st->fdi || !st->fdi->name)
			return;
		p = st->fdi->name->s;
		pl = st->fdi->name->len;
	} else {
		p = fc_ev_str(st, e, FC_P_PATH);
		if (!p)
			return;
		pl = strlen(p);
	}
	struct fc_rstr *base = fc_rstr_ref(g->cwd);
	set_cwd(st, g, base->s, base->len, p, pl);
	fc_rstr_unref(base);
}

static void parse_setid(struct fc_state *st, const struct fc_evt *e, bool user)
{
	int64_t res;
	uint64_t id;
	if (!st->t || !fc_ev_i64(st, e, FC_P_RES, &res) || res != 0)
		return;
	/* the effective id: setuid's argument, set*[r]uid's euid */
	enum fc_pname p = user ? (fc_pidx(st, e->type, FC_P_EUID) >= 0 ? FC_P_EUID : FC_P_UID)
			       : (fc_pidx(st, e->type, FC_P_EGID) >= 0 ? FC_P_EGID : FC_P_GID);
	if (!fc_ev_u64(st, e, p, &id) || id == UINT32_MAX)
		return; /* -1: unchanged */
	if (user)
		st->t->uid = (uint32_t)id;
	else
		st->t->gid = (uint32_t)id;
}

static void parse_setsid(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	if (!st->t || !fc_ev_i64(st, e, FC_P_RES, &res) || res < 0)
		return;
	/* the caller leads a new session and a new process group */
	struct fc_thread *t = st->t;
	t->sid = res;
	t->vpgid = res;
	t->pgid = t->pid;
}

static void parse_setpgid(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res, pid = 0, pgid = 0;
	if (!st->t || !fc_ev_i64(st, e, FC_P_RES, &res) || res != 0)
		return;
	fc_ev_i64(st, e, FC_P_PID, &pid);
	fc_ev_i64(st, e, FC_P_PGID, &pgid);
	struct fc_thread *t = st->t;
	bool ns = t->vtid >= 0 && t->vtid != t->tid;
	struct fc_thread *target = NULL;
	if (pid == 0 || (ns && pid == t->vpid) || (!ns && pid == t->pid))
		target = fc_thread_main(st, t);
	else if (!ns)
		target = fc_imap_get(&st->threads, pid);
	if (!target)
		return;
	int64_t vpg, hpg;
	if (pgid == 0) {
		vpg = target->vpid >= 0 ? target->vpid : target->pid;
		hpg = target->pid;
	} else {
		vpg = pgid;
		hpg = ns ? -1 : pgid;
		if (ns) {
			/* a namespace pgid: the host id of that namespace's process, if known */
			for (struct fc_thread *m = target->grp ? target->grp->head : NULL; m; m = m->grp_next)
				if (m->vpid == pgid)
					hpg = m->pid;
			if (pgid == (target->vpid >= 0 ? target->vpid : -2))
				hpg = target->pid;
		}
	}
	for (struct fc_thread *m = target->grp ? target->grp->head : target; m;
	     m = target->grp ? m->grp_next : NULL) {
		m->vpgid = vpg;
		m->pgid = hpg;
	}
}

static void parse_caps(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	uint64_t u;
	if (!st->t || !fc_ev_i64(st, e, FC_P_RES, &res) || res < 0)
		return;
	if (fc_ev_u64(st, e, FC_P_CAP_INH, &u))
		st->t->cap_inh = u;
	if (fc_ev_u64(st, e, FC_P_CAP_PERM, &u))
		st->t->cap_perm = u;
	if (fc_ev_u64(st, e, FC_P_CAP_EFF, &u))
		st->t->cap_eff = u;
}

static void parse_unshare(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	uint64_t fl = 0;
	if (!st->t || !fc_ev_i64(st, e, FC_P_RES, &res) || res < 0)
		return;
	if (!fc_ev_u64(st, e, FC_P_FLAGS, &fl))
		fc_ev_u64(st, e, FC_P_NSTYPE, &fl);
	if (!(fl & 0x100000)) /* CLONE_NEWUSER: full capabilities in the new user namespace */
		return;
	uint64_t all = (1ull << 41) - 1;
	st->t->cap_inh = st->t->cap_perm = st->t->cap_eff = all;
}

static void parse_prctl(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res, arg;
	uint64_t opt;
	if (!st->t || !st->t->grp || !fc_ev_i64(st, e, FC_P_RES, &res) || res < 0)
		return;
	if (!fc_ev_u64(st, e, FC_P_OPTION, &opt) || (opt != 36 && opt != 37))
		return; /* PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER */
	if (fc_ev_i64(st, e, FC_P_ARG2_INT, &arg))
		st->t->grp->subreaper = arg != 0;
}

static void parse_chroot(struct fc_state *st, const struct fc_evt *e)
{
	int64_t res;
	if (!st->t || !fc_ev_i64(st, e, FC_P_RES, &res) || res != 0)
		return;
	const char *p = fc_ev_str(st, e, FC_P_PATH);
	if (p)
		fc_rstr_set(&st->t->root, fc_rstr_cstr(p));
}

static void parse_rlimit(struct fc_state *st, const struct fc_evt *e, bool pr)
{
	int64_t res, cur, pid = 0;
	uint64_t resource;
	if (!fc_ev_i64(st, e, FC_P_RES, &res) || res < 0 || (pr && res != 0))
		return;
	if (!fc_ev_u64(st, e, FC_P_RESOURCE, &resource) || resource != 7) /* RLIMIT_NOFILE */
		return;
	if (!fc_ev_i64(st, e, pr ? FC_P_NEWCUR : FC_P_CUR, &cur) || cur == -1)
		return;
	struct fc_thread *t = st->t;
	if (pr && fc_ev_i64(st, e, FC_P_PID, &pid) && pid != 0)
		t = fc_imap_get(&st->threads, pid);
	t = fc_thread_main(st, t);
	if (t)
		t->fdlimit = cur;
}

static void parse_switch(struct fc_state *st, const struct fc_evt *e)
{
	uint64_t u;
	struct fc_thread *t = st->t;
	if (!t || fc_evt_param_type(e, 5) == PT_NONE || !fc_evt_get_u64(e, 5, &u))
		return;
	struct fc_thread *m = fc_thread_main(st, t);
	m->vmswap_kb = (uint32_t)u;
	if (fc_evt_get_u64(e, 1, &u))
		t->pfmajor = u;
	if (fc_evt_get_u64(e, 2, &u))
		t->pfminor = u;
	if (fc_evt_get_u64(e, 3, &u))
		m->vmsize_kb = (uint32_t)u;
	if (fc_evt_get_u64(e, 4, &u))
		m->vmrss_kb = (uint32_t)u;
}

static void parse_mem(struct fc_state *st, const struct fc_evt *e)
{
	uint64_t u;
	struct fc_thread *t = st->t;
	if (!t)
		return;
	if (fc_ev_u64(st, e, FC_P_VM_SIZE, &u))
		t->vmsize_kb = (uint32_t)u;
	if (fc_ev_u64(st, e, FC_P_VM_SWAP, &u)) {
		t->vmswap_kb = (uint32_t)u;
		if (fc_ev_u64(st, e, FC_P_VM_RSS, &u))
			t->vmrss_kb = (uint32_t)u;
	}
}

static void parse_user(struct fc_state *st, const struct fc_evt *e)
{
	uint64_t id = 0, gid = 0;
	const char *ctr = fc_ev_str(st, e, FC_P_CONTAINER_ID);
	bool user = e->type == FC_PPME_USER_ADDED_E || e->type == FC_PPME_USER_DELETED_E;
	bool add = e->type == FC_PPME_USER_ADDED_E || e->type == FC_PPME_GROUP_ADDED_E;
	if (!add)
		return; /* deletions: the names stay known (a later lookup still resolves) */
	if (user) {
		if (!fc_ev_u64(st, e, FC_P_UID, &id))
			return;
		fc_ev_u64(st, e, FC_P_GID, &gid);
		fc_user_add(st, ctr, (uint32_t)id, (uint32_t)gid, fc_ev_str(st, e, FC_P_NAME),
			    fc_ev_str(st, e, FC_P_HOME), fc_ev_str(st, e, FC_P_SHELL));
	} else {
		if (!fc_ev_u64(st, e, FC_P_GID, &id))
			return;
		fc_group_add(st, ctr, (uint32_t)id, fc_ev_str(st, e, FC_P_NAME));
	}
}

static void parse_ctrjson(struct fc_state *st, const struct fc_evt *e)
{
	const uint8_t *v;
	uint32_t l;
	if (e->type == FC_PPME_CONTAINER_E) {
		/* old form: id, type, name, image */
		const char *id = fc_ev_str(st, e, FC_P_ID);
		const char *name = fc_ev_str(st, e, FC_P_NAME);
		const char *image = fc_ev_str(st, e, FC_P_IMAGE);
		char buf[2048];
		int n = snprintf(buf, sizeof(buf),
				 "{\"container\":{\"id\":\"%s\",\"name\":\"%s\",\"image\":\"%s\"}}",
				 id ? id : "", name ? name : "", image ? image : "");
		if (n > 0 && (size_t)n < sizeof(buf) && id && !strchr(id, '"') &&
		    (!name || !strchr(name, '"')) && (!image || !strchr(image, '"')))
			fc_container_json_event(st, buf, (size_t)n);
		return;
	}
	if (fc_ev_raw(st, e, FC_P_JSON, &v, &l)) {
		while (l && !v[l - 1])
			l--; /* CHARBUF: the NUL is not JSON */
		fc_container_json_event(st, (const char *)v, l);
	}
}

/* ------------------------------------------------------------------ seeding */

static struct fc_rstr *cap_str(struct fc_cap_str s)
{
	return fc_rstr_new(s.p, s.len);
}

static struct fc_rstr *cap_blob(struct fc_cap_str s)
{
	uint32_t l = s.len;
	if (l && s.p[l - 1] == 0)
		l--;
	return l ? fc_rstr_new(s.p, l) : NULL;
}

void fc_state_seed_proc(struct fc_state *st, const struct fc_cap_proc *p)
{
	struct fc_thread *t = create_fresh(st, (int64_t)p->tid);
	if (!t)
		return;
	t->pid = (int64_t)p->pid;
	t->ptid = (int64_t)p->ptid;
	t->sid = p->sid;
	t->vpgid = p->vpgid;
	t->pgid = p->pgid;
	fc_rstr_set(&t->comm, cap_str(p->comm));
	fc_rstr_set(&t->exe, cap_str(p->exe));
	fc_rstr_set(&t->exepath, p->exepath.len ? strip_deleted(cap_str(p->exepath)) : NULL);
	fc_rstr_set(&t->args, cap_blob(p->args));
	fc_rstr_set(&t->env, cap_blob(p->env));
	fc_rstr_set(&t->root, p->root.len ? cap_str(p->root) : NULL);
	t->fdlimit = (int64_t)p->fdlimit;
	t->flags = p->flags;
	t->uid = p->uid;
	t->gid = p->gid;
	t->loginuid = p->loginuid;
	t->vmsize_kb = p->vmsize_kb;
	t->vmrss_kb = p->vmrss_kb;
	t->vmswap_kb = p->vmswap_kb;
	t->pfmajor = p->pfmajor;
	t->pfminor = p->pfminor;
	t->vtid = p->vtid;
	t->vpid = p->vpid;
	t->pidns_init_start_ts = p->pidns_init_start_ts;
	t->tty = p->tty;
	t->exe_writable = p->exe_writable;
	t->exe_upper = p->exe_upper_layer;
	t->exe_lower = p->exe_lower_layer;
	t->exe_memfd = p->exe_from_memfd;
	t->cap_inh = p->cap_inheritable;
	t->cap_perm = p->cap_permitted;
	t->cap_eff = p->cap_effective;
	t->exe_ino = p->exe_ino;
	t->exe_ino_ctime = p->exe_ino_ctime;
	t->exe_ino_mtime = p->exe_ino_mtime;
	fc_thread_set_cgroups(st, t, cap_blob(p->cgroups));
	fc_thread_join_group(st, t, t->pid, NULL);
	if (t->tid == t->pid && t->grp && p->cwd.len)
		set_cwd(st, t->grp, "/", 1, p->cwd.p, p->cwd.len);
	st->arena.used = 0;
	fc_thread_link_parent(st, t);
	st->seeding = true; /* children seeded before their parents are linked at the first event */
}

void fc_state_seed_fd(struct fc_state *st, const struct fc_cap_fd *c)
{
	struct fc_thread *t = fc_imap_get(&st->threads, (int64_t)c->tid);
	if (!t || !t->grp)
		return;
	struct fc_fdinfo *f = fc_fd_new();
	if (!f)
		return;
	f->type = c->type;
	f->ino = c->ino;
	f->flags = FC_FDF_FROM_PROC;
	static const uint8_t v4m[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	switch (c->type) {
	case FC_FD_IPV4_SOCK:
		memcpy(f->sip, c->sip, 4);
		memcpy(f->dip, c->dip, 4);
		f->sport = c->sport;
		f->dport = c->dport;
		f->l4proto = c->l4proto;
		if (c->l4proto == FC_L4_TCP)
			f->flags |= FC_FDF_CONNECTED;
		fc_fd_set_inet_name(f);
		break;
	case FC_FD_IPV6_SOCK:
		f->sport = c->sport;
		f->dport = c->dport;
		f->l4proto = c->l4proto;
		if (!memcmp(c->sip, v4m, 12) && !memcmp(c->dip, v4m, 12)) {
			f->type = FC_FD_IPV4_SOCK;
			memcpy(f->sip, c->sip + 12, 4);
			memcpy(f->dip, c->dip + 12, 4);
		} else {
			memcpy(f->sip, c->sip, 16);
			memcpy(f->dip, c->dip, 16);
		}
		if (c->l4proto == FC_L4_TCP)
			f->flags |= FC_FDF_CONNECTED;
		fc_fd_set_inet_name(f);
		break;
	case FC_FD_IPV4_SERVSOCK:
		memcpy(f->sip, c->sip, 4);
		f->sport = c->sport;
		f->l4proto = c->l4proto;
		f->role = FC_ROLE_SERVER;
		fc_fd_set_inet_name(f);
		break;
	case FC_FD_IPV6_SERVSOCK:
		memcpy(f->sip, c->sip, 16);
		f->sport = c->sport;
		f->l4proto = c->l4proto;
		f->role = FC_ROLE_SERVER;
		fc_fd_set_inet_name(f);
		break;
	case FC_FD_UNIX_SOCK:
		f->usrc = c->unix_src;
		f->udst = c->unix_dst;
		f->name = cap_str(c->name);
		f->role = c->name.len ? FC_ROLE_SERVER : FC_ROLE_CLIENT;
		break;
	case FC_FD_FILE_V2:
		f->openflags = c->open_flags;
		f->dev = c->dev;
		if (c->open_flags & PPM_O_CLOEXEC)
			f->flags |= FC_FDF_CLOEXEC;
		f->name = cap_str(c->name);
		break;
	default:
		f->name = cap_str(c->name);
		break;
	}
	fc_fdtab_add(st, &t->grp->fds, c->fd, f);
	st->seeding = true;
}

/* After seeding: link children seeded before their parents, and turn IPv4 connections from
 * the process list around when their source port is a listening port (upstream
 * fix_sockets_coming_from_proc). */
static void finish_seeding(struct fc_state *st)
{
	st->seeding = false;
	for (uint32_t i = 0; i < st->threads.cap; i++) {
		struct fc_thread *t = st->threads.vals[i];
		if (t && !t->parent)
			fc_thread_link_parent(st, t);
	}
	struct fc_imap ports = {0};
	for (uint32_t i = 0; i < st->groups.cap; i++) {
		struct fc_tgroup *g = st->groups.vals[i];
		for (uint32_t j = 0; g && j < g->fds.map.cap; j++) {
			struct fc_fdinfo *f = g->fds.map.vals[j];
			if (f && (f->flags & FC_FDF_FROM_PROC) && f->type == FC_FD_IPV4_SERVSOCK)
				fc_imap_put(&ports, f->sport, g, NULL);
		}
	}
	for (uint32_t i = 0; i < st->groups.cap; i++) {
		struct fc_tgroup *g = st->groups.vals[i];
		for (uint32_t j = 0; g && j < g->fds.map.cap; j++) {
			struct fc_fdinfo *f = g->fds.map.vals[j];
			if (!f || !(f->flags & FC_FDF_FROM_PROC) || f->type != FC_FD_IPV4_SOCK ||
			    f->role != FC_ROLE_NONE)
				continue;
			if (fc_imap_get(&ports, f->sport)) {
				fc_fd_swap_ends(f);
				fc_fd_set_inet_name(f);
				f->role = FC_ROLE_SERVER;
			} else {
				f->role = FC_ROLE_CLIENT;
			}
		}
	}
	fc_imap_free(&ports);
}

int fc_state_seed_proc_scan(struct fc_state *st, char *err, size_t errlen)
{
	int r = fc_procscan_all(st, err, errlen);
	st->seeding = true;
	return r;
}

void fc_state_no_proc_lookups(struct fc_state *st)
{
	st->no_proc_lookups = true;
}

/* ------------------------------------------------------------------ per event */

/* Live: a thread we never saw (missed clone, purged while idle) is read from /proc, at most 64
 * times per second of event time. */
static __attribute__((noinline)) struct fc_thread *lookup_proc(struct fc_state *st, const struct fc_evt *ev)
{
	uint64_t window = ev->ts / 1000000000ull;
	if (window != st->proc_lookups_window_ts) {
		st->proc_lookups_window_ts = window;
		st->proc_lookups_in_window = 0;
	}
	if (st->proc_lookups_in_window >= 64)
		return NULL;
	st->proc_lookups_in_window++;
	char err[128];
	if (fc_procscan_pid(st, (int64_t)ev->tid, err, sizeof(err)) != 0)
		return NULL;
	finish_seeding(st);
	return fc_imap_get(&st->threads, (int64_t)ev->tid);
}

/* The idle purge, once per purge_idle_ns of event time. */
static __attribute__((noinline)) void purge_idle(struct fc_state *st, uint64_t ts)
{
	if (st->last_purge_ts)
		fc_threads_purge(st, ts);
	st->last_purge_ts = ts;
	st->purge_at = ts + st->o.purge_idle_ns;
}

static void parse_event(struct fc_state *st, const struct fc_evt *ev, uint8_t h);

void fc_state_event(struct fc_state *st, const struct fc_evt *ev)
{
	if (st->ev_ts)
		st->prev_ts = st->ev_ts;
	st->ev_ts = ev->ts;
	st->ev = ev;
	st->arena.used = 0;
	st->scratch.used = 0;
	st->evnum++;
	if (st->evnum == 1)
		st->first_ts = ev->ts;
	st->t = NULL;
	st->fdi = NULL;
	st->fdnum = -1;
	st->name_changed = false;
	if (__builtin_expect(st->seeding, 0))
		finish_seeding(st);
	if (ev->ts > st->purge_at)
		purge_idle(st, ev->ts);
	if (ev->type >= FC_EVENT_MAX) {
		st->fd_event = false;
		return;
	}
	const struct fc_code_plan p = st->plan[ev->type];

	if (!(p.flags & FC_CP_NO_THREAD)) {
		struct fc_thread *t = fc_thread_find(st, (int64_t)ev->tid);
		if (!t && st->host_root && !st->no_proc_lookups && !(p.flags & FC_CP_NO_PROC))
			t = lookup_proc(st, ev);
		if (t)
			fc_thread_touch(st, t, ev->ts);
		st->t = t;
	}

	st->fd_event = p.fd_event;
	if (p.fdparam >= 0) {
		int64_t fd;
		if (fc_evt_get_i64(ev, (unsigned)p.fdparam, &fd)) {
			st->fdnum = fd;
			if (st->t && st->t->grp)
				st->fdi = fc_fdtab_find(st, &st->t->grp->fds, fd);
		}
	}

	/* enter events are not parsed here (merge.h folds them into exits) */
	if (p.parse != H_NONE)
		parse_event(st, ev, p.parse);
}

/* The event's state transition: kept out of line (and its frame with it) since most events
 * have none. */
static __attribute__((noinline)) void parse_event(struct fc_state *st, const struct fc_evt *ev, uint8_t h)
{
	switch (h) {
	case H_CLONE:
		parse_clone(st, ev);
		break;
	case H_EXEC:
		parse_exec(st, ev);
		break;
	case H_EXIT:
		parse_procexit(st, ev);
		break;
	case H_OPEN:
		parse_open(st, ev);
		break;
	case H_CLOSE:
		parse_close(st, ev);
		break;
	case H_DUP:
		parse_dup(st, ev);
		break;
	case H_FCNTL:
		parse_fcntl(st, ev);
		break;
	case H_SOCKET:
		parse_socket(st, ev);
		break;
	case H_SOCKETPAIR:
		parse_socketpair(st, ev);
		break;
	case H_BIND:
		parse_bind(st, ev);
		break;
	case H_CONNECT:
		parse_connect(st, ev);
		break;
	case H_ACCEPT:
		parse_accept(st, ev);
		break;
	case H_SEND:
		parse_sendrecv(st, ev, true);
		break;
	case H_RECV:
		parse_sendrecv(st, ev, false);
		break;
	case H_PIPE:
		parse_pipe(st, ev);
		break;
	case H_SINGLE:
		parse_single(st, ev);
		break;
	case H_MEMFD:
		parse_memfd(st, ev);
		break;
	case H_PIDFD_OPEN:
		parse_pidfd_open(st, ev);
		break;
	case H_PIDFD_GETFD:
		parse_pidfd_getfd(st, ev);
		break;
	case H_CHDIR:
	case H_FCHDIR:
	case H_GETCWD:
		parse_chdir(st, ev, h);
		break;
	case H_SETUID:
		parse_setid(st, ev, true);
		break;
	case H_SETGID:
		parse_setid(st, ev, false);
		break;
	case H_SETSID:
		parse_setsid(st, ev);
		break;
	case H_SETPGID:
		parse_setpgid(st, ev);
		break;
	case H_CAPSET:
		parse_caps(st, ev);
		break;
	case H_UNSHARE:
		parse_unshare(st, ev);
		break;
	case H_PRCTL:
		parse_prctl(st, ev);
		break;
	case H_CHROOT:
		parse_chroot(st, ev);
		break;
	case H_RLIMIT:
		parse_rlimit(st, ev, false);
		break;
	case H_PRLIMIT:
		parse_rlimit(st, ev, true);
		break;
	case H_SWITCH: /* the memory parsers run only when memory is tracked (set_plan) */
		parse_switch(st, ev);
		break;
	case H_MEM:
		parse_mem(st, ev);
		break;
	case H_USER:
		parse_user(st, ev);
		break;
	case H_CTRJSON:
		parse_ctrjson(st, ev);
		break;
	default:
		break;
	}
}

bool fc_state_reads_params(const struct fc_state *st, uint16_t code)
{
	/* the plan's parser is the code's handler (the even codes with one, procexit, switch and
	 * the meta events, keep it) less the memory parsers while memory is not tracked */
	return code >= FC_EVENT_MAX || st->plan[code].parse != H_NONE;
}

void fc_state_track_memory(struct fc_state *st, bool on)
{
	st->no_memory = !on;
	set_plan(st);
}

bool fc_state_field_reads_memory(enum fc_field_id id)
{
	switch (id) { /* extract.c's readers of vmsize_kb, vmrss_kb, vmswap_kb, pfmajor, pfminor */
	case FC_F_PROC_VMSIZE:
	case FC_F_PROC_VMRSS:
	case FC_F_PROC_VMSWAP:
	case FC_F_THREAD_PFMAJOR:
	case FC_F_THREAD_PFMINOR:
	case FC_F_THREAD_VMSIZE:
	case FC_F_THREAD_VMRSS:
	case FC_F_THREAD_VMSIZE_B:
	case FC_F_THREAD_VMRSS_B:
		return true;
	default:
		return false;
	}
}

/* The removals the event queued, after the rules ran. */
static __attribute__((noinline)) void apply_removals(struct fc_state *st)
{
	if (st->rm_fd >= 0 && st->rm_fd_grp)
		fc_fdtab_del(st, &st->rm_fd_grp->fds, st->rm_fd);
	st->rm_fd = -1;
	st->rm_fd_grp = NULL;
	for (uint32_t i = 0; i < st->n_rm_tids; i++) {
		struct fc_thread *t = fc_imap_get(&st->threads, st->rm_tids[i]);
		if (!t)
			continue;
		/* an exited leader stays (dead) while other threads of its process run */
		if (t->dead && t->tid == t->pid && t->grp && t->grp->members > 1) {
			bool others = false;
			for (struct fc_thread *o = t->grp->head; o; o = o->grp_next)
				others |= o != t && !o->removing;
			if (others)
				continue;
		}
		fc_thread_remove(st, t, false);
	}
	st->n_rm_tids = 0;
}

void fc_state_event_done(struct fc_state *st)
{
	if (__builtin_expect(st->rm_fd >= 0 || st->n_rm_tids, 0)) /* most events queue nothing */
		apply_removals(st);
	st->ev = NULL;
	st->t = NULL;
	st->fdi = NULL;
}
