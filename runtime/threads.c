/* threads.c — the thread table: threads by tid, thread groups (what the threads of a process
 * share: fd table, cwd, subreaper flag) by pid, the process tree as parent/child links, the
 * recency list, and the bounds (RUNTIME.md §5.2): at most max_threads entries (the least
 * recently used leaf thread is evicted, and counted, when a new one does not fit) and an idle
 * purge of leaf threads not seen for purge_idle_ns. Removal of an exited thread re-parents its
 * children the way the kernel does: to the reaper the procexit event names, else to another
 * live thread of the same process, else to the nearest child-subreaper ancestor, else to init
 * (the pid namespace's, then the host's), else to nobody (ptid 0). */
#include "state_int.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ recency list */

static void lru_unlink(struct fc_state *st, struct fc_thread *t)
{
	if (t->lru_prev)
		t->lru_prev->lru_next = t->lru_next;
	else if (st->lru_head == t)
		st->lru_head = t->lru_next;
	if (t->lru_next)
		t->lru_next->lru_prev = t->lru_prev;
	else if (st->lru_tail == t)
		st->lru_tail = t->lru_prev;
	t->lru_prev = t->lru_next = NULL;
}

static void lru_push_head(struct fc_state *st, struct fc_thread *t)
{
	t->lru_prev = NULL;
	t->lru_next = st->lru_head;
	if (st->lru_head)
		st->lru_head->lru_prev = t;
	st->lru_head = t;
	if (!st->lru_tail)
		st->lru_tail = t;
}

void fc_thread_touch(struct fc_state *st, struct fc_thread *t, uint64_t ts)
{
	if (ts > t->last_ts)
		t->last_ts = ts;
	struct fc_thread *h = st->lru_head;
	if (h == t)
		return;
	/* every thread of the table is on the list and T is not its head: T has a predecessor
	 * and the list a head, so lru_unlink + lru_push_head reduce to these links */
	struct fc_thread *p = t->lru_prev, *n = t->lru_next;
	if (__builtin_expect(!p, 0)) { /* not on the list (never the case today): link it */
		lru_unlink(st, t);
		lru_push_head(st, t);
		return;
	}
	p->lru_next = n;
	if (n)
		n->lru_prev = p;
	else
		st->lru_tail = p;
	t->lru_prev = NULL;
	t->lru_next = h;
	h->lru_prev = t;
	st->lru_head = t;
}

/* ------------------------------------------------------------------ lookups */

static struct fc_tcache_ent *tcache_ent(struct fc_state *st, int64_t tid)
{
	return &st->tcache[(uint64_t)tid & (FC_TCACHE_N - 1)];
}

struct fc_thread *fc_thread_find(struct fc_state *st, int64_t tid)
{
	/* the few threads that produce most events (tids are dense) each keep a cache entry, and
	 * so do tids the table lacks (events of threads never seen): a hit skips the hash and two
	 * table lines. fc_thread_create and fc_thread_remove keep the entries true */
	struct fc_tcache_ent *c = tcache_ent(st, tid);
	struct fc_thread *t;
	if (c->tid == tid) {
		t = c->t;
	} else {
		t = fc_imap_get(&st->threads, tid);
		c->tid = tid;
		c->t = t;
	}
	if (!t)
		st->stats.thread_lookup_miss++;
	return t;
}

struct fc_thread *fc_thread_main(struct fc_state *st, struct fc_thread *t)
{
	if (!t || t->tid == t->pid)
		return t;
	struct fc_thread *m = fc_imap_get(&st->threads, t->pid);
	return m ? m : t;
}

/* ------------------------------------------------------------------ tree links */

void fc_thread_unlink_parent(struct fc_thread *t)
{
	struct fc_thread *p = t->parent;
	if (!p)
		return;
	if (t->sib_prev)
		t->sib_prev->sib_next = t->sib_next;
	else
		p->children = t->sib_next;
	if (t->sib_next)
		t->sib_next->sib_prev = t->sib_prev;
	t->sib_prev = t->sib_next = NULL;
	t->parent = NULL;
	p->nchildren--;
}

static void link_under(struct fc_thread *t, struct fc_thread *p)
{
	fc_thread_unlink_parent(t);
	if (!p || p == t)
		return;
	t->parent = p;
	t->sib_prev = NULL;
	t->sib_next = p->children;
	if (p->children)
		p->children->sib_prev = t;
	p->children = t;
	p->nchildren++;
}

void fc_thread_link_parent(struct fc_state *st, struct fc_thread *t)
{
	struct fc_thread *p = t->ptid > 0 && t->ptid != t->tid ? fc_imap_get(&st->threads, t->ptid)
							       : NULL;
	if (p != t->parent)
		link_under(t, p);
}

struct fc_thread *fc_thread_parent(struct fc_state *st, struct fc_thread *t)
{
	if (!t->parent && t->ptid > 0 && t->ptid != t->tid)
		fc_thread_link_parent(st, t);
	return t->parent;
}

/* ------------------------------------------------------------------ groups */

struct fc_tgroup *fc_group_get(struct fc_state *st, int64_t pid, bool create)
{
	struct fc_tgroup *g = fc_imap_get(&st->groups, pid);
	if (g || !create)
		return g;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->pid = pid;
	g->cwd = fc_rstr_cstr("/");
	bool oom;
	fc_imap_put(&st->groups, pid, g, &oom);
	if (oom) {
		fc_rstr_unref(g->cwd);
		free(g);
		return NULL;
	}
	return g;
}

static void group_free(struct fc_state *st, struct fc_tgroup *g)
{
	if (fc_imap_get(&st->groups, g->pid) == g)
		fc_imap_del(&st->groups, g->pid);
	if (st->rm_fd_grp == g) {
		st->rm_fd_grp = NULL;
		st->rm_fd = -1;
	}
	fc_fdtab_clear(st, &g->fds);
	fc_rstr_unref(g->cwd);
	free(g);
}

void fc_thread_join_group(struct fc_state *st, struct fc_thread *t, int64_t pid,
			  struct fc_tgroup *share)
{
	struct fc_tgroup *g = share ? share : fc_group_get(st, pid, true);
	if (!g || t->grp == g)
		return;
	t->grp = g;
	g->members++;
	if (!t->dead)
		g->alive++;
	t->grp_prev = NULL;
	t->grp_next = g->head;
	if (g->head)
		g->head->grp_prev = t;
	g->head = t;
}

static void group_leave(struct fc_state *st, struct fc_thread *t)
{
	struct fc_tgroup *g = t->grp;
	if (!g)
		return;
	if (t->grp_prev)
		t->grp_prev->grp_next = t->grp_next;
	else
		g->head = t->grp_next;
	if (t->grp_next)
		t->grp_next->grp_prev = t->grp_prev;
	t->grp_prev = t->grp_next = NULL;
	g->members--;
	if (!t->dead)
		g->alive--;
	t->grp = NULL;
	if (g->members == 0)
		group_free(st, g);
}

void fc_thread_regroup(struct fc_state *st, struct fc_thread *t, int64_t pid)
{
	struct fc_tgroup *g = fc_group_get(st, pid, false);
	t->pid = pid;
	if (g == t->grp)
		return;
	struct fc_tgroup *old = t->grp;
	bool keep = old && old->members > 1;
	struct fc_fdtab fds = {0};
	struct fc_rstr *cwd = NULL;
	if (old && !g && !keep) {
		/* the group moves with its only thread: keep its fds and cwd */
		fds = old->fds;
		old->fds.map = (struct fc_imap){0};
		cwd = fc_rstr_ref(old->cwd);
	}
	group_leave(st, t);
	fc_thread_join_group(st, t, pid, NULL);
	if (t->grp && !g && cwd) {
		fc_fdtab_clear(st, &t->grp->fds);
		t->grp->fds = fds;
		fc_rstr_set(&t->grp->cwd, cwd);
	} else {
		fc_rstr_unref(cwd);
		if (fds.map.cap) {
			struct fc_fdtab tmp = fds;
			fc_fdtab_clear(st, &tmp);
		}
	}
}

void fc_thread_mark_dead(struct fc_thread *t)
{
	if (t->dead)
		return;
	t->dead = true;
	if (t->grp)
		t->grp->alive--;
}

/* ------------------------------------------------------------------ removal */

/* Where the children of T go when T goes away. */
static struct fc_thread *find_reaper(struct fc_state *st, struct fc_thread *t)
{
	struct fc_thread *r;
	if (t->reaper_tid > 0 && t->reaper_tid != t->tid) {
		r = fc_imap_get(&st->threads, t->reaper_tid);
		if (r && !r->removing)
			return r;
	}
	if (t->grp && t->grp->alive > (t->dead ? 0u : 1u)) {
		/* another live thread of the same process: the leader first */
		struct fc_thread *m = fc_imap_get(&st->threads, t->pid);
		if (m && m != t && !m->dead && !m->removing && m->grp == t->grp)
			return m;
		for (r = t->grp->head; r; r = r->grp_next)
			if (r != t && !r->dead && !r->removing)
				return r;
	}
	/* nearest child-subreaper ancestor, then the namespace's init */
	struct fc_thread *a = t->parent, *ns_init = NULL;
	for (unsigned depth = 0; a && depth < 4096; a = a->parent, depth++) {
		if (a == t)
			break;
		if (!a->removing && !a->dead && a->grp && a->grp->subreaper)
			return a;
		if (!ns_init && a->vpid == 1 && !a->removing && !a->dead)
			ns_init = a;
	}
	if (ns_init)
		return ns_init;
	r = fc_imap_get(&st->threads, 1);
	return r && r != t && !r->removing ? r : NULL;
}

static void release(struct fc_state *st, struct fc_thread *t)
{
	if (st->t == t)
		st->t = NULL;
	fc_rstr_unref(t->comm);
	fc_rstr_unref(t->exe);
	fc_rstr_unref(t->exepath);
	fc_rstr_unref(t->args);
	fc_rstr_unref(t->env);
	fc_rstr_unref(t->cgroups);
	fc_rstr_unref(t->root);
	fc_rstr_unref(t->cmd);
	fc_rstr_unref(t->cmd_comm);
	fc_rstr_unref(t->cmd_args);
	fc_container_unref(st, t->ctr);
	free(t);
}

void fc_thread_remove(struct fc_state *st, struct fc_thread *t, bool evicted)
{
	t->removing = true;
	struct fc_thread *reaper = evicted ? NULL : find_reaper(st, t);
	while (t->children) {
		struct fc_thread *c = t->children;
		fc_thread_unlink_parent(c);
		if (evicted)
			continue; /* the child keeps its ptid; the parent is just unknown now */
		c->ptid = reaper ? reaper->tid : 0;
		if (reaper)
			link_under(c, reaper);
	}
	fc_thread_unlink_parent(t);
	lru_unlink(st, t);
	if (fc_imap_get(&st->threads, t->tid) == t) {
		fc_imap_del(&st->threads, t->tid);
		struct fc_tcache_ent *c = tcache_ent(st, t->tid);
		if (c->tid == t->tid)
			c->t = NULL; /* now absent */
	}
	st->stats.threads--;
	st->stats.threads_removed++;
	if (evicted)
		st->stats.thread_evictions++;

	struct fc_tgroup *g = t->grp;
	bool g_stays = g && g->members > 1;
	group_leave(st, t);
	/* a dead leader is kept while its threads run; it goes with the last of them */
	if (g_stays && g->members == 1 && g->head && g->head->dead && !g->head->removing &&
	    g->head->tid == g->pid)
		fc_thread_remove(st, g->head, false);
	release(st, t);
}

/* ------------------------------------------------------------------ creation */

/* Frees room for one thread: the least recently used thread without children that is not the
 * event's own thread. */
static bool evict_one(struct fc_state *st)
{
	for (struct fc_thread *c = st->lru_tail; c; c = c->lru_prev) {
		if (c == st->t || c == st->pin || c->removing || c->nchildren)
			continue;
		fc_thread_remove(st, c, true);
		return true;
	}
	/* every thread has children (a deep chain): take the oldest anyway */
	for (struct fc_thread *c = st->lru_tail; c; c = c->lru_prev) {
		if (c == st->t || c == st->pin || c->removing)
			continue;
		fc_thread_remove(st, c, true);
		return true;
	}
	return false;
}

struct fc_thread *fc_thread_create(struct fc_state *st, int64_t tid)
{
	while (st->threads.n >= st->o.max_threads)
		if (!evict_one(st))
			return NULL;
	struct fc_thread *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->pid = tid;
	t->ptid = -1;
	t->sid = t->vpgid = t->pgid = -1;
	t->vtid = t->vpid = -1;
	t->reaper_tid = -1;
	t->fdlimit = -1;
	t->uid = t->gid = t->loginuid = UINT32_MAX;
	bool oom;
	fc_imap_put(&st->threads, tid, t, &oom);
	if (oom) {
		free(t);
		return NULL;
	}
	*tcache_ent(st, tid) = (struct fc_tcache_ent){tid, t}; /* T takes the tid's place */
	lru_push_head(st, t);
	st->stats.threads++;
	st->stats.threads_added++;
	return t;
}

void fc_thread_set_cgroups(struct fc_state *st, struct fc_thread *t, struct fc_rstr *cg)
{
	fc_thread_set_cgroups_as(st, t, cg, t);
}

void fc_thread_set_cgroups_as(struct fc_state *st, struct fc_thread *t, struct fc_rstr *cg,
			      const struct fc_thread *like)
{
	struct fc_container *c;
	if (cg && cg == t->cgroups) {
		/* unchanged (an exec repeating the cgroups): only the start time below */
		fc_rstr_unref(cg);
		c = t->ctr;
		goto start;
	}
	if (cg == t->cgroups) {
		fc_rstr_unref(cg);
		return;
	}
	if (cg && like && like->cgroups &&
	    (cg == like->cgroups ||
	     (cg->len == like->cgroups->len && !memcmp(cg->s, like->cgroups->s, cg->len)))) {
		/* the same cgroups as LIKE (a fork, an exec in place): its container, without
		 * matching every path again */
		c = fc_container_ref(like->ctr);
		if (cg != like->cgroups) {
			fc_rstr_unref(cg);
			cg = fc_rstr_ref(like->cgroups);
		}
	} else {
		c = cg ? fc_container_resolve(st, cg->s, cg->len) : NULL;
	}
	fc_rstr_set(&t->cgroups, cg);
	fc_container_unref(st, t->ctr);
	t->ctr = c;
start:
	if (c && t->pidns_init_start_ts && t->vtid >= 0 && t->vtid != t->tid &&
	    (c->start_ts == 0 || t->pidns_init_start_ts < c->start_ts))
		c->start_ts = t->pidns_init_start_ts;
}

/* ------------------------------------------------------------------ purge and teardown */

void fc_threads_purge(struct fc_state *st, uint64_t now)
{
	if (!st->o.purge_idle_ns || now < st->o.purge_idle_ns)
		return;
	uint64_t limit = now - st->o.purge_idle_ns;
	struct fc_thread *c = st->lru_tail;
	while (c && c->last_ts < limit) {
		struct fc_thread *prev = c->lru_prev;
		/* only leaves: removing an idle ancestor would cut the lineage of live processes;
		 * a leader stays while other threads of its process are in the table */
		bool leader_busy = c->grp && c->tid == c->pid && c->grp->members > 1;
		if (c != st->t && c != st->pin && !c->removing && !c->nchildren && !leader_busy)
			fc_thread_remove(st, c, true);
		c = prev;
	}
}

void fc_threads_free(struct fc_state *st)
{
	/* break links first so removal order does not matter */
	for (uint32_t i = 0; i < st->threads.cap; i++) {
		struct fc_thread *t = st->threads.vals[i];
		if (t)
			t->removing = true;
	}
	while (st->lru_head) {
		struct fc_thread *t = st->lru_head;
		while (t->children)
			fc_thread_unlink_parent(t->children);
		fc_thread_unlink_parent(t);
		lru_unlink(st, t);
		group_leave(st, t);
		release(st, t);
	}
	fc_imap_free(&st->threads);
	memset(st->tcache, 0, sizeof st->tcache); /* true of the empty table */
	for (uint32_t i = 0; i < st->groups.cap; i++) {
		struct fc_tgroup *g = st->groups.vals[i];
		if (g) {
			fc_fdtab_clear(st, &g->fds);
			fc_rstr_unref(g->cwd);
			free(g);
		}
	}
	fc_imap_free(&st->groups);
}
