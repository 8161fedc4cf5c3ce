/* extract.c — the state engine's extractor (value.h): the dispatcher that routes each field
 * to the class that computes it (the evt./syscall. classes to evtfields.h, except the evt.*
 * fields that need state), and the process/thread, user and group classes (LANGUAGE.md §13,
 * upstream sinsp_filtercheck_thread/user/group semantics): the event's thread, its main thread,
 * its parent by ptid, ancestors by level from the main thread ([0] = the process itself), the
 * any-ancestor lists (parents only, parent first), session and process-group leaders (direct
 * lookup on the host, else the highest ancestor with the same id), and the per-process fd
 * counts. A field whose value is unknown is FC_V_NONE. */
#include "state_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ANCESTORS 1024

/* ------------------------------------------------------------------ evt.* resolver */

/* What evtfields.c asks the state for: fd descriptions for parameter renderings and the
 * fd-dependent evt.* fields, comms, the cwd, user and group names. */
static void fd_view(struct fc_state *st, const struct fc_fdinfo *f, struct fc_fd_view *v)
{
	v->type = f->type;
	v->typechar = fc_fd_typechar(f->type);
	uint8_t l4 = fc_fd_l4proto(f);
	v->l4proto = l4 >= FC_L4_TCP && l4 <= FC_L4_RAW ? (uint8_t)(l4 - 1) : 0;
	v->name = f->name ? f->name->s : "";
	v->is_syslog = f->name && strstr(f->name->s, "/dev/log") != NULL;
	(void)st;
}

static bool r_event_fd(void *ud, struct fc_fd_view *out)
{
	struct fc_state *st = ud;
	if (!st->fdi)
		return false;
	fd_view(st, st->fdi, out);
	return true;
}

static bool r_fd(void *ud, int64_t fd, struct fc_fd_view *out)
{
	struct fc_state *st = ud;
	struct fc_fdinfo *f = st->t && st->t->grp ? fc_imap_get(&st->t->grp->fds.map, fd) : NULL;
	if (!f)
		return false;
	fd_view(st, f, out);
	return true;
}

static bool r_comm(void *ud, int64_t tid, const char **out)
{
	struct fc_state *st = ud;
	struct fc_thread *t = fc_imap_get(&st->threads, tid);
	if (!t || !t->comm)
		return false;
	*out = t->comm->s;
	return true;
}

static bool r_cwd(void *ud, const char **out)
{
	struct fc_state *st = ud;
	if (!st->t || !st->t->grp)
		return false;
	*out = st->t->grp->cwd->s;
	return true;
}

static bool r_user(void *ud, uint32_t uid, const char **out)
{
	struct fc_state *st = ud;
	const struct fc_user *u = fc_user_find(st, st->t, uid);
	if (!u || !u->name)
		return false;
	*out = u->name->s;
	return true;
}

static bool r_group(void *ud, uint32_t gid, const char **out)
{
	struct fc_state *st = ud;
	const struct fc_group *g = fc_group_find(st, st->t, gid);
	if (!g || !g->name)
		return false;
	*out = g->name->s;
	return true;
}

static bool r_is_main(void *ud)
{
	struct fc_state *st = ud;
	return st->t && st->t->tid == st->t->pid;
}

/* ------------------------------------------------------------------ dispatcher */

/* An evt.* field of evtfields.c, with the event context refreshed once per event. */
static bool evt_field(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out)
{
	/* the resolver once per state, the context once per event (not per field) */
	if (!st->ersv.ud)
		st->ersv = (struct fc_evt_resolver){
			.ud = st,
			.event_fd = r_event_fd,
			.fd = r_fd,
			.comm = r_comm,
			.cwd = r_cwd,
			.user = r_user,
			.group = r_group,
			.is_main_thread = r_is_main,
		};
	if (st->ectx_evnum != st->evnum || st->ectx.ev != st->ev) {
		st->ectx = (struct fc_evt_ctx){
			.ev = st->ev,
			.num = st->evnum,
			.first_ts = st->first_ts,
			.hostname = st->hostname,
			.scratch = &st->scratch,
			.prev_ts = st->prev_ts,
			.resolver = &st->ersv,
		};
		st->ectx_evnum = st->evnum;
	}
	return fc_evtfield_extract(&st->ectx, f, out);
}

/* The routes: each does what its field family needs, after the checks every field shares. */
#define ROUTE(name, fn)                                                                    \
	static bool name(void *ctx, const struct fc_fieldspec *f, struct fc_val *out)     \
	{                                                                                  \
		struct fc_state *st = ctx;                                                 \
		fc_vnone(out);                                                             \
		return st->ev ? fn(st, f, out) : false;                                    \
	}
ROUTE(x_thread, fc_extract_thread)
ROUTE(x_fd, fc_extract_fd)
ROUTE(x_ctr, fc_extract_ctr)
ROUTE(x_evtstate, fc_extract_evtstate)
ROUTE(x_evt, evt_field)
#undef ROUTE

/* The route of field F, decided by its id alone; NULL for an unknown or unavailable field and
 * for util.cnt (the dispatcher's own). The one table of both the dispatcher and state_bind. */
static fc_extract_fn route(const struct fc_fieldspec *f)
{
	if ((unsigned)f->id >= FC_F_MAX_ || (fc_fields[f->id].flags & FC_FF_UNAVAILABLE))
		return NULL;
	if (f->id >= FC_F_PROC_EXE && f->id <= FC_F_GROUP_NAME)
		return x_thread;
	if ((f->id >= FC_F_FD_NUM && f->id <= FC_F_FS_PATH_TARGETRAW) ||
	    (f->id >= FC_F_FDLIST_NUMS && f->id <= FC_F_FDLIST_SPORTS))
		return x_fd;
	if (f->id >= FC_F_CONTAINER_ID && f->id <= FC_F_K8S_DEPLOYMENT_LABELS)
		return x_ctr;
	if (f->id == FC_F_UTIL_CNT)
		return NULL;
	if (fc_extract_is_evtstate(f->id))
		return x_evtstate;
	if (fc_evtfield_handles(f->id))
		return x_evt;
	return NULL;
}

bool fc_state_extract(void *ctx, const struct fc_fieldspec *f, struct fc_val *out)
{
	struct fc_state *st = ctx;
	fc_extract_fn fn = route(f);
	if (fn)
		return fn(ctx, f, out);
	fc_vnone(out);
	if (f->id == FC_F_UTIL_CNT && st->ev && !(fc_fields[FC_F_UTIL_CNT].flags & FC_FF_UNAVAILABLE))
		return fc_vu64(out, ++st->util_cnt); /* upstream: a counter bumped per extraction */
	return false;
}

/* ------------------------------------------------------------------ bound extractors */

/* What state_bind hands the VM (value.h fc_extract_bind_of): the field's route taken once, at
 * bind time (same results as fc_state_extract); proc.name and fd.name (the fields most rules
 * test) are read straight from the event's thread and fd. */
static bool x_proc_name(void *ctx, const struct fc_fieldspec *f, struct fc_val *out)
{
	(void)f;
	const struct fc_state *st = ctx;
	const struct fc_thread *t = st->t;
	if (!st->ev || !t)
		return fc_vnone(out);
	return fc_vrstr(out, t->comm);
}

static bool x_fd_name(void *ctx, const struct fc_fieldspec *f, struct fc_val *out)
{
	struct fc_state *st = ctx;
	const struct fc_fdinfo *x = st->fdi;
	/* the plain case: an fd event of a known thread with the fd found, not a connect exit
	 * (a failed connect names the fd from the event's parameters) */
	if (st->ev && st->fd_event && st->t && x && st->ev->type != FC_PPME_SOCKET_CONNECT_X) {
		const struct fc_rstr *n = x->name;
		return n ? fc_vstr(out, n->s, n->len) : fc_vstr(out, "", 0);
	}
	return x_fd(ctx, f, out);
}

static fc_extract_fn state_bind(const struct fc_fieldspec *f)
{
	fc_extract_fn fn = route(f); /* NULL: the dispatcher (util.cnt counts its calls) */
	if (fn == x_thread && f->id == FC_F_PROC_NAME)
		return x_proc_name;
	if (fn == x_fd && f->id == FC_F_FD_NAME)
		return x_fd_name;
	return fn;
}

fc_extract_bind_fn fc_extract_bind_of(fc_extract_fn extract)
{
	return extract == fc_state_extract ? state_bind : NULL;
}

/* ------------------------------------------------------------------ helpers */

static char *arena(struct fc_state *st, size_t n)
{
	return fc_sarena_alloc(&st->arena, n);
}

/* Every NUL of D[0..N) becomes SEP: memchr from one to the next (arguments are a few long
 * runs; a byte loop was most of proc.cmdline's cost). */
static void nul_to(char *d, size_t n, char sep)
{
	for (char *p = d, *e = d + n; p < e && (p = memchr(p, 0, (size_t)(e - p))); p++)
		*p = sep;
}

/* Joins the NUL-separated BLOB (trailing NUL already dropped) with SEP into the arena. */
static bool join_blob(struct fc_state *st, const struct fc_rstr *b, char sep, struct fc_val *out)
{
	if (!b)
		return fc_vstr(out, "", 0);
	char *d = fc_sarena_strdup(&st->arena, b->s, b->len);
	if (!d)
		return fc_vnone(out);
	nul_to(d, b->len, sep);
	return fc_vstr(out, d, b->len);
}

static uint32_t blob_count(const struct fc_rstr *b)
{
	if (!b || !b->len)
		return 0;
	uint32_t n = 1;
	for (uint32_t i = 0; i < b->len; i++)
		n += b->s[i] == 0;
	return n;
}

/* Element IDX of a NUL-separated blob. */
static bool blob_item(const struct fc_rstr *b, int64_t idx, const char **s, size_t *len)
{
	if (!b || !b->len || idx < 0)
		return false;
	const char *p = b->s, *end = b->s + b->len;
	for (int64_t i = 0; p <= end; i++) {
		size_t l = strnlen(p, (size_t)(end - p));
		if (i == idx) {
			*s = p;
			*len = l;
			return true;
		}
		p += l + 1;
	}
	return false;
}

/* HEAD followed by T's arguments, space-separated (upstream populate_cmdline), written to D
 * (at least cmdline_size bytes) with a NUL after; returns the length. */
static size_t cmdline_size(const struct fc_thread *t, const struct fc_rstr *head)
{
	return (head ? head->len : 0) + 1 + (t->args ? (size_t)t->args->len : 0) + 1;
}

static size_t cmdline_join(char *d, const struct fc_thread *t, const struct fc_rstr *head)
{
	size_t n = head ? head->len : 0, al = t->args ? t->args->len : 0;
	if (n)
		memcpy(d, head->s, n);
	if (al) { /* some argument (blob_count > 0) */
		d[n++] = ' ';
		memcpy(d + n, t->args->s, al);
		nul_to(d + n, al, ' ');
		n += al;
	}
	d[n] = 0;
	return n;
}

/* The same in this event's arena. */
static const char *cmdline(struct fc_state *st, const struct fc_thread *t, size_t *len,
			   const struct fc_rstr *head)
{
	char *d = arena(st, cmdline_size(t, head));
	if (!d)
		return NULL;
	*len = cmdline_join(d, t, head);
	return d;
}

/* T's cached proc.cmdline (struct fc_thread.cmd) is still right: joined from its present comm
 * and arguments. */
static inline bool cmd_current(const struct fc_thread *t)
{
	return t->cmd && t->cmd_comm == t->comm && t->cmd_args == t->args;
}

/* A's proc.cmdline, joined on the first read since its comm or arguments last changed and
 * kept on A (struct fc_thread.cmd), so that later reads take no lookup. The threads of a
 * process share one copy: a thread with its main thread's comm and arguments takes a
 * reference to the main thread's, joined there if need be. LEN its length. NULL when out of
 * memory. */
static const char *cmdline_cached(struct fc_state *st, struct fc_thread *a, size_t *len)
{
	if (!cmd_current(a)) {
		struct fc_thread *o = fc_thread_main(st, a); /* who joins it */
		if (o->comm != a->comm || o->args != a->args)
			o = a;
		if (!cmd_current(o)) {
			size_t sz = cmdline_size(o, o->comm);
			struct fc_rstr *c = sz <= UINT32_MAX ? malloc(sizeof *c + sz) : NULL;
			if (!c) /* out of memory: this event's copy in the arena; the next read tries again */
				return cmdline(st, a, len, a->comm);
			c->len = (uint32_t)cmdline_join(c->s, o, o->comm);
			c->refs = 1;
			fc_rstr_set(&o->cmd, c);
			fc_rstr_set(&o->cmd_comm, fc_rstr_ref(o->comm));
			fc_rstr_set(&o->cmd_args, fc_rstr_ref(o->args));
		}
		if (o != a) {
			fc_rstr_set(&a->cmd, fc_rstr_ref(o->cmd));
			fc_rstr_set(&a->cmd_comm, fc_rstr_ref(a->comm));
			fc_rstr_set(&a->cmd_args, fc_rstr_ref(a->args));
		}
	}
	*len = a->cmd->len;
	return a->cmd->s;
}

static const struct fc_rstr *env_of(struct fc_state *st, struct fc_thread *t)
{
	struct fc_thread *m = fc_thread_main(st, t);
	return m && m->env ? m->env : t->env;
}

/* NAME's value in ENV (spaces around it trimmed as upstream does), NULL when unset. */
static const char *env_get(const struct fc_rstr *env, const char *name, size_t nl, size_t *len)
{
	if (!env)
		return NULL;
	const char *p = env->s, *end = env->s + env->len;
	while (p < end) {
		size_t l = strnlen(p, (size_t)(end - p));
		if (l > nl + 1 && p[nl] == '=' && !memcmp(p, name, nl)) {
			const char *v = p + nl + 1, *ve = p + l;
			while (v < ve && *v == ' ')
				v++;
			while (ve > v && ve[-1] == ' ')
				ve--;
			*len = (size_t)(ve - v);
			return v;
		}
		p += l + 1;
	}
	return NULL;
}

/* The ancestor at LEVEL of T's main thread (0 = the main thread). */
static struct fc_thread *ancestor(struct fc_state *st, struct fc_thread *t, int64_t level)
{
	struct fc_thread *a = fc_thread_main(st, t), *start = a;
	for (int64_t i = 0; a && i < level; i++) {
		a = fc_thread_parent(st, a);
		if (a == start || i > MAX_ANCESTORS)
			return NULL;
	}
	return a;
}

/* The parents of T's main thread, parent first, stopping at a loop (Brent's method). */
static uint32_t ancestors(struct fc_state *st, struct fc_thread *t, struct fc_thread **out,
			  uint32_t max)
{
	struct fc_thread *a = fc_thread_main(st, t), *mark = a;
	uint32_t n = 0, power = 1, lam = 0;
	while (a && n < max) {
		a = fc_thread_parent(st, a);
		if (!a || a == mark)
			break;
		out[n++] = a;
		if (++lam == power) {
			mark = a;
			power *= 2;
			lam = 0;
		}
	}
	return n;
}

enum afield { A_EXE, A_EXEPATH, A_NAME, A_ARGS, A_CMDLINE, A_ENV, A_PID };

static bool one(struct fc_state *st, struct fc_thread *a, enum afield k, struct fc_val *out)
{
	size_t l;
	const char *s;
	switch (k) {
	case A_EXE:
		return fc_vrstr(out, a->exe);
	case A_EXEPATH:
		return fc_vrstr(out, a->exepath);
	case A_NAME:
		return fc_vrstr(out, a->comm);
	case A_ARGS:
		return join_blob(st, a->args, ' ', out);
	case A_CMDLINE:
		s = cmdline_cached(st, a, &l);
		return s ? fc_vstr(out, s, l) : fc_vnone(out);
	case A_ENV:
		return join_blob(st, env_of(st, a), ' ', out);
	case A_PID:
		return a->pid >= -1 && a->pid <= UINT32_MAX ? fc_vi64(out, a->pid) : fc_vnone(out);
	}
	return fc_vnone(out);
}

/* proc.a* : [N] → the ancestor at level N; no argument → the list of the parents' values. */
static bool afield(struct fc_state *st, struct fc_thread *t, const struct fc_fieldspec *f,
		   enum afield k, struct fc_val *out)
{
	if (f->has_arg && f->arg_is_index) {
		struct fc_thread *a = ancestor(st, t, f->index);
		return a ? one(st, a, k, out) : fc_vnone(out);
	}
	struct fc_thread *chain[64];
	uint32_t n = ancestors(st, t, chain, 64);
	if (!n)
		return fc_vnone(out);
	struct fc_val *items = fc_sarena_alloc(&st->arena, sizeof(*items) * n);
	if (!items)
		return fc_vnone(out);
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		if (one(st, chain[i], k, &items[m]))
			m++;
	if (!m)
		return fc_vnone(out);
	out->kind = FC_V_LIST;
	out->len = m;
	out->items = items;
	return true;
}

static bool in_pidns(const struct fc_thread *t)
{
	return (t->flags & FC_CL_CHILD_IN_PIDNS) || (t->vtid >= 0 && t->vtid != t->tid);
}

/* Session / process-group leader: the thread with that id on the host, else the highest
 * ancestor sharing the id. WHICH: 0 sid, 1 vpgid, 2 pgid. */
static struct fc_thread *leader(struct fc_state *st, struct fc_thread *t, int which)
{
	int64_t id = which == 0 ? t->sid : which == 1 ? t->vpgid : t->pgid;
	if (which == 2 || !in_pidns(t)) {
		struct fc_thread *l = id > 0 ? fc_imap_get(&st->threads, id) : NULL;
		if (l)
			return l;
	}
	struct fc_thread *best = t, *a = t;
	for (unsigned d = 0; d < MAX_ANCESTORS; d++) {
		a = fc_thread_parent(st, a);
		if (!a || a == t)
			break;
		int64_t v = which == 0 ? a->sid : which == 1 ? a->vpgid : a->pgid;
		if (v != id)
			break;
		best = a;
	}
	return best;
}

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
	"CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON",
	"CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

/* Capability names space-separated (upstream caps_to_string); "" for none. */
static bool caps(struct fc_state *st, uint64_t c, struct fc_val *out)
{
	char *d = arena(st, 1024);
	if (!d)
		return fc_vnone(out);
	size_t n = 0;
	for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++) {
		if (!(c & (1ull << i)))
			continue;
		size_t l = strlen(cap_names[i]);
		if (n)
			d[n++] = ' ';
		memcpy(d + n, cap_names[i], l);
		n += l;
	}
	d[n] = 0;
	return fc_vstr(out, d, n);
}

/* Upstream's cgroup subsystem names: "_cgroup" dropped, perf → perf_event, mem → memory,
 * io → blkio. */
static size_t subsys_name(const char *s, size_t n, char *out, size_t cap)
{
	char tmp[128];
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	char *u = strstr(tmp, "_cgroup");
	if (u)
		memmove(u, u + 7, strlen(u + 7) + 1);
	const char *r = tmp;
	if (!strcmp(tmp, "perf"))
		r = "perf_event";
	else if (!strcmp(tmp, "mem"))
		r = "memory";
	else if (!strcmp(tmp, "io"))
		r = "blkio";
	return (size_t)snprintf(out, cap, "%s", r);
}

static bool cgroups(struct fc_state *st, const struct fc_thread *t, const char *want,
		    struct fc_val *out)
{
	const struct fc_rstr *b = t->cgroups;
	if (!b || !b->len)
		return fc_vnone(out);
	char *d = arena(st, b->len * 2 + 64);
	if (!d)
		return fc_vnone(out);
	size_t n = 0;
	const char *p = b->s, *end = b->s + b->len;
	while (p < end) {
		size_t l = strnlen(p, (size_t)(end - p));
		const char *eq = memchr(p, '=', l);
		if (!eq)
			break; /* upstream stops at the first malformed entry */
		char name[128];
		size_t nl = subsys_name(p, (size_t)(eq - p), name, sizeof(name));
		const char *path = eq + 1;
		size_t pl = l - (size_t)(path - p);
		if (want) {
			if (!strcmp(name, want))
				return fc_vstr(out, path, pl);
		} else {
			if (n)
				d[n++] = ' ';
			memcpy(d + n, name, nl);
			n += nl;
			d[n++] = '=';
			memcpy(d + n, path, pl);
			n += pl;
		}
		p += l + 1;
	}
	if (want || !n)
		return fc_vnone(out);
	d[n] = 0;
	return fc_vstr(out, d, n);
}

static bool stdfd(struct fc_thread *t, int64_t fd, bool name, struct fc_val *out)
{
	struct fc_fdinfo *f = t->grp ? fc_imap_get(&t->grp->fds.map, fd) : NULL;
	if (!f)
		return fc_vnone(out);
	if (!name) {
		const char *s = fc_fd_typestr(f->type);
		return fc_vstr(out, s, strlen(s));
	}
	return f->name ? fc_vrstr(out, f->name) : fc_vstr(out, "", 0);
}

static bool bool_v(struct fc_val *o, bool b)
{
	return fc_vu64(o, b ? 1 : 0);
}

/* ------------------------------------------------------------------ user / group */

static bool user_field(struct fc_state *st, struct fc_thread *t, uint32_t uid, int what,
		       struct fc_val *out)
{
	const struct fc_user *u = fc_user_find(st, t, uid);
	const struct fc_rstr *r = NULL;
	if (u)
		r = what == 0 ? u->name : what == 1 ? u->home : u->shell;
	if (r)
		return fc_vrstr(out, r);
	/* upstream's stand-ins for an unknown user */
	const char *s = "<NA>";
	if (uid == 0 && what == 0)
		s = "root";
	else if (uid == 0 && what == 1)
		s = "/root";
	return fc_vstr(out, s, strlen(s));
}

/* ------------------------------------------------------------------ thread class */

bool fc_extract_thread(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out)
{
	struct fc_thread *t = st->t;
	if (f->id == FC_F_THREAD_TID)
		return fc_vi64(out, (int64_t)st->ev->tid);
	if (!t)
		return fc_vnone(out);
	struct fc_thread *p, *m, *l;
	const char *s;
	size_t len;
	uint64_t u;
	switch (f->id) {
	case FC_F_PROC_EXE:
		return fc_vrstr(out, t->exe);
	case FC_F_PROC_PEXE:
		p = fc_thread_parent(st, t);
		return p ? fc_vrstr(out, p->exe) : fc_vnone(out);
	case FC_F_PROC_AEXE:
		return afield(st, t, f, A_EXE, out);
	case FC_F_PROC_EXEPATH:
		return fc_vrstr(out, t->exepath);
	case FC_F_PROC_PEXEPATH:
		p = fc_thread_parent(st, t);
		return p ? fc_vrstr(out, p->exepath) : fc_vnone(out);
	case FC_F_PROC_AEXEPATH:
		return afield(st, t, f, A_EXEPATH, out);
	case FC_F_PROC_NAME:
		return fc_vrstr(out, t->comm);
	case FC_F_PROC_PNAME:
		p = fc_thread_parent(st, t);
		return p ? fc_vrstr(out, p->comm) : fc_vnone(out);
	case FC_F_PROC_ANAME:
		return afield(st, t, f, A_NAME, out);
	case FC_F_PROC_ARGS:
		if (f->has_arg && f->arg_is_index)
			return blob_item(t->args, f->index, &s, &len) ? fc_vstr(out, s, len)
								      : fc_vnone(out);
		return join_blob(st, t->args, ' ', out);
	case FC_F_PROC_AARGS:
		return afield(st, t, f, A_ARGS, out);
	case FC_F_PROC_CMDLINE:
		return one(st, t, A_CMDLINE, out);
	case FC_F_PROC_PCMDLINE:
		p = fc_thread_parent(st, t);
		return p ? one(st, p, A_CMDLINE, out) : fc_vnone(out);
	case FC_F_PROC_ACMDLINE:
		return afield(st, t, f, A_CMDLINE, out);
	case FC_F_PROC_CMDNARGS:
		return fc_vu64(out, blob_count(t->args));
	case FC_F_PROC_CMDLENARGS:
		u = 0;
		if (t->args && t->args->len)
			u = t->args->len - (blob_count(t->args) - 1);
		return fc_vu64(out, u);
	case FC_F_PROC_EXELINE: {
		/* upstream: exe + " " + the arguments */
		s = cmdline(st, t, &len, t->exe);
		if (!s)
			return fc_vnone(out);
		if (!t->args || !t->args->len) { /* no argument (blob_count == 0) */
			char *d = fc_sarena_strdup(&st->arena, s, len + 1);
			if (!d)
				return fc_vnone(out);
			d[len] = ' ';
			return fc_vstr(out, d, len + 1);
		}
		return fc_vstr(out, s, len);
	}
	case FC_F_PROC_ENV:
		if (f->has_arg && !f->arg_is_index) {
			s = env_get(env_of(st, t), f->arg, f->arglen ? f->arglen : strlen(f->arg), &len);
			return s ? fc_vstr(out, s, len) : fc_vnone(out);
		}
		return join_blob(st, env_of(st, t), ' ', out);
	case FC_F_PROC_AENV:
		if (f->has_arg && !f->arg_is_index) {
			/* the first value up the lineage, parents only */
			struct fc_thread *chain[64];
			uint32_t n = ancestors(st, t, chain, 20);
			for (uint32_t i = 0; i < n; i++) {
				s = env_get(env_of(st, chain[i]), f->arg,
					    f->arglen ? f->arglen : strlen(f->arg), &len);
				if (s && len)
					return fc_vstr(out, s, len);
			}
			return fc_vnone(out);
		}
		if (f->has_arg && f->arg_is_index) {
			struct fc_thread *a = ancestor(st, t, f->index);
			return a ? one(st, a, A_ENV, out) : fc_vnone(out);
		}
		return afield(st, t, f, A_ENV, out);
	case FC_F_PROC_CWD:
		return t->grp ? fc_vrstr(out, t->grp->cwd) : fc_vnone(out);
	case FC_F_PROC_LOGINSHELLID: {
		int64_t res = 0;
		bool found = false;
		struct fc_thread *chain[MAX_ANCESTORS / 4];
		m = fc_thread_main(st, t);
		uint32_t n = ancestors(st, t, chain, MAX_ANCESTORS / 4);
		for (int64_t i = -1; i < (int64_t)n; i++) {
			struct fc_thread *a = i < 0 ? m : chain[i];
			const struct fc_rstr *c = a->comm;
			if (c && c->len >= 2 && c->s[c->len - 2] == 's' && c->s[c->len - 1] == 'h') {
				res = a->pid;
				found = true;
			}
		}
		return found ? fc_vi64(out, res) : fc_vnone(out);
	}
	case FC_F_PROC_TTY:
		return fc_vu64(out, t->tty);
	case FC_F_PROC_PID:
		return one(st, t, A_PID, out);
	case FC_F_PROC_PPID:
		m = fc_thread_main(st, t);
		return m->ptid >= -1 && m->ptid <= UINT32_MAX ? fc_vi64(out, m->ptid) : fc_vnone(out);
	case FC_F_PROC_APID:
		return afield(st, t, f, A_PID, out);
	case FC_F_PROC_VPID:
		return t->vpid == -1 ? fc_vnone(out) : fc_vi64(out, t->vpid);
	case FC_F_PROC_PVPID:
		p = fc_thread_parent(st, t);
		return p ? fc_vi64(out, p->vpid) : fc_vnone(out);
	case FC_F_PROC_SID:
		return fc_vi64(out, t->sid);
	case FC_F_PROC_SNAME:
		return fc_vrstr(out, leader(st, t, 0)->comm);
	case FC_F_PROC_SID_EXE:
		return fc_vrstr(out, leader(st, t, 0)->exe);
	case FC_F_PROC_SID_EXEPATH:
		return fc_vrstr(out, leader(st, t, 0)->exepath);
	case FC_F_PROC_VPGID:
		return fc_vi64(out, t->vpgid);
	case FC_F_PROC_VPGID_NAME:
		return fc_vrstr(out, leader(st, t, 1)->comm);
	case FC_F_PROC_VPGID_EXE:
		return fc_vrstr(out, leader(st, t, 1)->exe);
	case FC_F_PROC_VPGID_EXEPATH:
		return fc_vrstr(out, leader(st, t, 1)->exepath);
	case FC_F_PROC_PGID:
		return fc_vi64(out, t->pgid);
	case FC_F_PROC_PGID_NAME:
		return t->pgid < 0 ? fc_vnone(out) : fc_vrstr(out, leader(st, t, 2)->comm);
	case FC_F_PROC_PGID_EXE:
		return t->pgid < 0 ? fc_vnone(out) : fc_vrstr(out, leader(st, t, 2)->exe);
	case FC_F_PROC_PGID_EXEPATH:
		return t->pgid < 0 ? fc_vnone(out) : fc_vrstr(out, leader(st, t, 2)->exepath);
	case FC_F_PROC_DURATION:
		return t->clone_ts && st->ev->ts >= t->clone_ts ? fc_vu64(out, st->ev->ts - t->clone_ts)
							       : fc_vnone(out);
	case FC_F_PROC_PPID_DURATION:
		p = fc_thread_parent(st, t);
		return p && p->clone_ts && st->ev->ts >= p->clone_ts
			       ? fc_vu64(out, st->ev->ts - p->clone_ts)
			       : fc_vnone(out);
	case FC_F_PROC_PID_TS:
		return t->clone_ts ? fc_vu64(out, t->clone_ts) : fc_vnone(out);
	case FC_F_PROC_PPID_TS:
		p = fc_thread_parent(st, t);
		return p ? fc_vu64(out, p->clone_ts) : fc_vnone(out);
	case FC_F_PROC_IS_EXE_WRITABLE:
		return bool_v(out, t->exe_writable);
	case FC_F_PROC_IS_EXE_UPPER_LAYER:
		return bool_v(out, t->exe_upper);
	case FC_F_PROC_IS_EXE_LOWER_LAYER:
		return bool_v(out, t->exe_lower);
	case FC_F_PROC_IS_EXE_FROM_MEMFD:
		return bool_v(out, t->exe_memfd);
	case FC_F_PROC_IS_SID_LEADER:
		return bool_v(out, t->sid == t->vpid);
	case FC_F_PROC_IS_VPGID_LEADER:
		return bool_v(out, t->vpgid == t->vpid);
	case FC_F_PROC_IS_PGID_LEADER:
		return bool_v(out, t->pgid == t->pid);
	case FC_F_PROC_EXE_INO:
		return t->exe_ino ? fc_vi64(out, (int64_t)t->exe_ino) : fc_vnone(out);
	case FC_F_PROC_EXE_INO_CTIME:
		return t->exe_ino_ctime ? fc_vu64(out, t->exe_ino_ctime) : fc_vnone(out);
	case FC_F_PROC_EXE_INO_MTIME:
		return t->exe_ino_mtime ? fc_vu64(out, t->exe_ino_mtime) : fc_vnone(out);
	case FC_F_PROC_EXE_INO_CTIME_DURATION_PROC_START:
		return t->ctime_dur_clone ? fc_vu64(out, t->ctime_dur_clone) : fc_vnone(out);
	case FC_F_PROC_EXE_INO_CTIME_DURATION_PIDNS_START:
		return t->ctime_dur_pidns ? fc_vu64(out, t->ctime_dur_pidns) : fc_vnone(out);
	case FC_F_PROC_PIDNS_INIT_START_TS:
		return t->pidns_init_start_ts ? fc_vu64(out, t->pidns_init_start_ts) : fc_vnone(out);
	case FC_F_THREAD_CAP_PERMITTED:
		return caps(st, t->cap_perm, out);
	case FC_F_THREAD_CAP_INHERITABLE:
		return caps(st, t->cap_inh, out);
	case FC_F_THREAD_CAP_EFFECTIVE:
		return caps(st, t->cap_eff, out);
	case FC_F_PROC_FDOPENCOUNT:
		return fc_vu64(out, t->grp ? t->grp->fds.map.n : 0);
	case FC_F_PROC_FDLIMIT:
		return fc_vi64(out, fc_thread_main(st, t)->fdlimit);
	case FC_F_PROC_FDUSAGE: {
		int64_t lim = fc_thread_main(st, t)->fdlimit;
		uint64_t n = t->grp ? t->grp->fds.map.n : 0;
		out->kind = FC_V_DBL;
		out->len = 0;
		out->d = lim > 0 ? (n <= (uint64_t)lim ? (double)n * 100.0 / (double)lim : 100.0) : 0.0;
		return true;
	}
	case FC_F_PROC_VMSIZE:
		return fc_vu64(out, t->vmsize_kb);
	case FC_F_PROC_VMRSS:
		return fc_vu64(out, t->vmrss_kb);
	case FC_F_PROC_VMSWAP:
		return fc_vu64(out, t->vmswap_kb);
	case FC_F_THREAD_PFMAJOR:
		return fc_vu64(out, t->pfmajor);
	case FC_F_THREAD_PFMINOR:
		return fc_vu64(out, t->pfminor);
	case FC_F_THREAD_ISMAIN:
		return bool_v(out, t->tid == t->pid);
	case FC_F_THREAD_VTID:
		return t->vtid == -1 ? fc_vnone(out) : fc_vi64(out, t->vtid);
	case FC_F_THREAD_NAMETID: {
		char *d = arena(st, (t->comm ? t->comm->len : 0) + 24);
		if (!d)
			return fc_vnone(out);
		int n = snprintf(d, (t->comm ? t->comm->len : 0) + 24, "%s%" PRIu64,
				 t->comm ? t->comm->s : "", st->ev->tid);
		return fc_vstr(out, d, (size_t)n);
	}
	case FC_F_THREAD_CGROUPS:
		return cgroups(st, t, NULL, out);
	case FC_F_THREAD_CGROUP:
		return f->has_arg ? cgroups(st, t, f->arg, out) : fc_vnone(out);
	case FC_F_PROC_NTHREADS:
		return fc_vu64(out, t->grp ? t->grp->alive : 1);
	case FC_F_PROC_NCHILDS: {
		uint64_t n = t->grp ? t->grp->alive : 1;
		l = fc_imap_get(&st->threads, t->pid);
		if (l && !l->dead && n)
			n--;
		return fc_vu64(out, n);
	}
	case FC_F_THREAD_VMSIZE:
		return fc_vu64(out, t->tid == t->pid ? t->vmsize_kb : 0);
	case FC_F_THREAD_VMRSS:
		return fc_vu64(out, t->tid == t->pid ? t->vmrss_kb : 0);
	case FC_F_THREAD_VMSIZE_B:
		return fc_vu64(out, t->tid == t->pid ? (uint64_t)t->vmsize_kb * 1024 : 0);
	case FC_F_THREAD_VMRSS_B:
		return fc_vu64(out, t->tid == t->pid ? (uint64_t)t->vmrss_kb * 1024 : 0);
	case FC_F_PROC_STDIN_TYPE:
		return stdfd(t, 0, false, out);
	case FC_F_PROC_STDOUT_TYPE:
		return stdfd(t, 1, false, out);
	case FC_F_PROC_STDERR_TYPE:
		return stdfd(t, 2, false, out);
	case FC_F_PROC_STDIN_NAME:
		return stdfd(t, 0, true, out);
	case FC_F_PROC_STDOUT_NAME:
		return stdfd(t, 1, true, out);
	case FC_F_PROC_STDERR_NAME:
		return stdfd(t, 2, true, out);

	case FC_F_USER_UID:
		return fc_vu64(out, t->uid);
	case FC_F_USER_NAME:
		return user_field(st, t, t->uid, 0, out);
	case FC_F_USER_HOMEDIR:
		return user_field(st, t, t->uid, 1, out);
	case FC_F_USER_SHELL:
		return user_field(st, t, t->uid, 2, out);
	case FC_F_USER_LOGINUID:
		return fc_vi64(out, t->loginuid == UINT32_MAX ? -1 : (int64_t)t->loginuid);
	case FC_F_USER_LOGINNAME:
		return user_field(st, t, t->loginuid, 0, out);
	case FC_F_GROUP_GID:
		return fc_vu64(out, t->gid);
	case FC_F_GROUP_NAME: {
		const struct fc_group *g = fc_group_find(st, t, t->gid);
		if (g && g->name)
			return fc_vrstr(out, g->name);
		s = t->gid == 0 ? "root" : "<NA>";
		return fc_vstr(out, s, strlen(s));
	}
	default:
		return fc_vnone(out);
	}
}
