/* state_dump.c — the state engine's tables as capture entries: every thread as a process-list
 * entry and every fd of every process as an fd-list entry (capture.h types), in ascending tid
 * order, so `falcod --record` can open a capture with the state a reader needs to make sense
 * of the events that follow (RUNTIME.md §3.3). */
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "state_int.h"

static struct fc_cap_str rs(const struct fc_rstr *r)
{
	return r ? (struct fc_cap_str){r->s, r->len} : (struct fc_cap_str){"", 0};
}

static int cmp_tid(const void *a, const void *b)
{
	int64_t x = (*(struct fc_thread *const *)a)->tid, y = (*(struct fc_thread *const *)b)->tid;
	return (x > y) - (x < y);
}

static int cmp_fd(const void *a, const void *b)
{
	int64_t x = (*(struct fc_fdinfo *const *)a)->fd, y = (*(struct fc_fdinfo *const *)b)->fd;
	return (x > y) - (x < y);
}

static void fill_proc(const struct fc_thread *t, struct fc_cap_proc *p)
{
	memset(p, 0, sizeof *p);
	p->version = 9;
	p->has = FC_PROC_HAS_SID | FC_PROC_HAS_VPGID | FC_PROC_HAS_EXEPATH | FC_PROC_HAS_MEM | FC_PROC_HAS_ENV |
		 FC_PROC_HAS_VTID | FC_PROC_HAS_ROOT | FC_PROC_HAS_PIDNS_TS | FC_PROC_HAS_TTY | FC_PROC_HAS_LOGINUID |
		 FC_PROC_HAS_EXE_WRITABLE | FC_PROC_HAS_CAPS | FC_PROC_HAS_EXE_UPPER | FC_PROC_HAS_EXE_INO |
		 FC_PROC_HAS_EXE_MEMFD | FC_PROC_HAS_EXE_LOWER | FC_PROC_HAS_PGID;
	p->tid = (uint64_t)t->tid;
	p->pid = (uint64_t)t->pid;
	p->ptid = (uint64_t)t->ptid;
	p->sid = t->sid;
	p->vpgid = t->vpgid;
	p->pgid = t->pgid;
	p->comm = rs(t->comm);
	p->exe = rs(t->exe);
	p->exepath = rs(t->exepath);
	p->args = rs(t->args);
	p->cwd = rs(t->grp ? t->grp->cwd : NULL);
	p->fdlimit = (uint64_t)t->fdlimit;
	p->flags = t->flags;
	p->uid = t->uid;
	p->gid = t->gid;
	p->vmsize_kb = t->vmsize_kb;
	p->vmrss_kb = t->vmrss_kb;
	p->vmswap_kb = t->vmswap_kb;
	p->pfmajor = t->pfmajor;
	p->pfminor = t->pfminor;
	p->env = rs(t->env);
	p->vtid = t->vtid;
	p->vpid = t->vpid;
	p->cgroups = rs(t->cgroups);
	p->root = rs(t->root);
	p->pidns_init_start_ts = t->pidns_init_start_ts;
	p->tty = t->tty;
	p->loginuid = t->loginuid;
	p->exe_writable = t->exe_writable;
	p->exe_upper_layer = t->exe_upper;
	p->exe_lower_layer = t->exe_lower;
	p->exe_from_memfd = t->exe_memfd;
	p->cap_inheritable = t->cap_inh;
	p->cap_permitted = t->cap_perm;
	p->cap_effective = t->cap_eff;
	p->exe_ino = t->exe_ino;
	p->exe_ino_ctime = t->exe_ino_ctime;
	p->exe_ino_mtime = t->exe_ino_mtime;
}

static void fill_fd(int64_t tid, const struct fc_fdinfo *f, struct fc_cap_fd *o)
{
	memset(o, 0, sizeof *o);
	o->version = 2;
	o->tid = (uint64_t)tid;
	o->fd = f->fd;
	o->ino = f->ino;
	o->type = f->type;
	o->l4proto = f->l4proto;
	o->sport = f->sport;
	o->dport = f->dport;
	memcpy(o->sip, f->sip, sizeof o->sip);
	memcpy(o->dip, f->dip, sizeof o->dip);
	o->unix_src = f->usrc;
	o->unix_dst = f->udst;
	o->open_flags = f->openflags;
	o->dev = f->dev;
	o->has_dev = true;
	/* files are stored by their path as given when it was absolute; fd.name otherwise */
	o->name = rs(f->name);
}

int fc_state_dump(struct fc_state *st, fc_state_proc_cb proc_cb, fc_state_fd_cb fd_cb, void *ctx)
{
	struct fc_thread **ts = malloc(((size_t)st->threads.n + 1) * sizeof *ts);
	if (!ts)
		return -1;
	size_t n = 0;
	for (uint32_t i = 0; i < st->threads.cap; i++)
		if (st->threads.vals[i] && !((struct fc_thread *)st->threads.vals[i])->dead)
			ts[n++] = st->threads.vals[i];
	qsort(ts, n, sizeof *ts, cmp_tid);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct fc_cap_proc p;
		fill_proc(ts[i], &p);
		rc = proc_cb(ctx, &p);
	}
	/* fds belong to the process (thread group): written once, under the leader's tid */
	for (size_t i = 0; i < n && !rc; i++) {
		const struct fc_thread *t = ts[i];
		if (!t->grp || t->tid != t->grp->pid)
			continue;
		const struct fc_imap *m = &t->grp->fds.map;
		struct fc_fdinfo **fs = malloc(((size_t)m->n + 1) * sizeof *fs);
		if (!fs) {
			rc = -1;
			break;
		}
		size_t k = 0;
		for (uint32_t j = 0; j < m->cap; j++)
			if (m->vals[j])
				fs[k++] = m->vals[j];
		qsort(fs, k, sizeof *fs, cmp_fd);
		for (size_t j = 0; j < k && !rc; j++) {
			struct fc_cap_fd o;
			fill_fd(t->tid, fs[j], &o);
			rc = fd_cb(ctx, &o);
		}
		free(fs);
	}
	free(ts);
	return rc;
}
