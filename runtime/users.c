/* users.c — user and group names for user.* and group.*: one table per container id (the
 * host's is ""), read once on first use from host_root/etc/{passwd,group} (host) or
 * host_root/proc/<pid>/root/etc/{passwd,group} (a process of the container), plus the
 * useradded/groupadded events of captures. Tables are bounded (MAX_TABLES containers, MAX_ENTRIES
 * users or groups each); lookups that find nothing are answered NULL and the extractor falls
 * back as upstream does (uid 0 is root). */
#include "state_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLES 1024
#define MAX_ENTRIES 65536

struct utab {
	char ctr[65];
	bool loaded;
	uint8_t tries; /* loads whose passwd file could not be opened (the process had gone) */
	struct fc_imap users, groups;
};

struct fc_user_store {
	struct utab **t;
	uint32_t n, cap;
};

static void free_tab(struct utab *t)
{
	for (uint32_t i = 0; i < t->users.cap; i++) {
		struct fc_user *u = t->users.vals[i];
		if (u) {
			fc_rstr_unref(u->name);
			fc_rstr_unref(u->home);
			fc_rstr_unref(u->shell);
			free(u);
		}
	}
	for (uint32_t i = 0; i < t->groups.cap; i++) {
		struct fc_group *g = t->groups.vals[i];
		if (g) {
			fc_rstr_unref(g->name);
			free(g);
		}
	}
	fc_imap_free(&t->users);
	fc_imap_free(&t->groups);
	free(t);
}

void fc_users_free(struct fc_state *st)
{
	struct fc_user_store *s = st->users;
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n; i++)
		free_tab(s->t[i]);
	free(s->t);
	free(s);
	st->users = NULL;
}

static struct utab *tab(struct fc_state *st, const char *ctr, bool create)
{
	if (!ctr)
		ctr = "";
	if (!st->users) {
		st->users = calloc(1, sizeof(*st->users));
		if (!st->users)
			return NULL;
	}
	struct fc_user_store *s = st->users;
	for (uint32_t i = 0; i < s->n; i++)
		if (!strcmp(s->t[i]->ctr, ctr))
			return s->t[i];
	if (!create || s->n >= MAX_TABLES)
		return NULL;
	if (s->n == s->cap) {
		uint32_t nc = s->cap ? s->cap * 2 : 8;
		struct utab **n = realloc(s->t, sizeof(*n) * nc);
		if (!n)
			return NULL;
		s->t = n;
		s->cap = nc;
	}
	struct utab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	snprintf(t->ctr, sizeof(t->ctr), "%s", ctr);
	s->t[s->n++] = t;
	return t;
}

static void put_user(struct utab *t, uint32_t uid, uint32_t gid, const char *name, size_t nl,
		     const char *home, size_t hl, const char *shell, size_t sl)
{
	struct fc_user *u = fc_imap_get(&t->users, uid);
	if (!u) {
		if (t->users.n >= MAX_ENTRIES)
			return;
		u = calloc(1, sizeof(*u));
		if (!u)
			return;
		bool oom;
		fc_imap_put(&t->users, uid, u, &oom);
		if (oom) {
			free(u);
			return;
		}
	}
	u->uid = uid;
	u->gid = gid;
	fc_rstr_set(&u->name, name ? fc_rstr_new(name, nl) : NULL);
	fc_rstr_set(&u->home, home ? fc_rstr_new(home, hl) : NULL);
	fc_rstr_set(&u->shell, shell ? fc_rstr_new(shell, sl) : NULL);
}

static void put_group(struct utab *t, uint32_t gid, const char *name, size_t nl)
{
	struct fc_group *g = fc_imap_get(&t->groups, gid);
	if (!g) {
		if (t->groups.n >= MAX_ENTRIES)
			return;
		g = calloc(1, sizeof(*g));
		if (!g)
			return;
		bool oom;
		fc_imap_put(&t->groups, gid, g, &oom);
		if (oom) {
			free(g);
			return;
		}
	}
	g->gid = gid;
	fc_rstr_set(&g->name, name ? fc_rstr_new(name, nl) : NULL);
}

/* Splits a colon-separated line into at most N fields. */
static int split(char *line, char **f, size_t *fl, int n)
{
	int k = 0;
	char *p = line;
	while (k < n) {
		char *c = strchr(p, ':');
		f[k] = p;
		fl[k] = c ? (size_t)(c - p) : strlen(p);
		k++;
		if (!c)
			break;
		p = c + 1;
	}
	return k;
}

static bool parse_id(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool load_file(struct utab *t, const char *path, bool passwd)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[4096];
	unsigned lines = 0;
	while (fgets(line, sizeof(line), f) && lines++ < 4 * MAX_ENTRIES) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		char *fld[7];
		size_t fl[7];
		int k = split(line, fld, fl, 7);
		uint32_t id, gid = 0;
		if (passwd) {
			/* name:pw:uid:gid:gecos:home:shell */
			if (k < 7 || !parse_id(fld[2], fl[2], &id) || !parse_id(fld[3], fl[3], &gid))
				continue;
			put_user(t, id, gid, fld[0], fl[0], fld[5], fl[5], fld[6], fl[6]);
		} else {
			/* name:pw:gid:members */
			if (k < 3 || !parse_id(fld[2], fl[2], &id))
				continue;
			put_group(t, id, fld[0], fl[0]);
		}
	}
	fclose(f);
	return true;
}

/* A container's table is read through /proc/PID/root of the thread being looked up, which may
 * have exited by the time its event is processed: the load is then retried on later lookups
 * (other threads of the container), up to a bound, instead of leaving the table empty for good. */
#define MAX_LOAD_TRIES 16

static struct utab *loaded_tab(struct fc_state *st, const struct fc_thread *th)
{
	const char *ctr = th && th->ctr ? th->ctr->id : "";
	struct utab *t = tab(st, ctr, true);
	if (!t || t->loaded)
		return t;
	if (!st->host_root) {
		t->loaded = true;
		return t;
	}
	char path[4096];
	const char *root = st->host_root;
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	/* Through the thread's root, else through its ancestors in the same container (a shell or
	 * the container's init outlive a short-lived command, whose event may be processed after it
	 * exited). */
	const struct fc_thread *via = th;
	for (int pw = 1; pw >= 0; pw--) {
		const char *file = pw ? "passwd" : "group";
		bool ok = false;
		for (int depth = 0; !ok && depth < 32; depth++) {
			if (*ctr && via)
				snprintf(path, sizeof(path), "%.*s/proc/%lld/root/etc/%s", (int)rl, root,
					 (long long)via->pid, file);
			else
				snprintf(path, sizeof(path), "%.*s/etc/%s", (int)rl, root, file);
			ok = load_file(t, path, pw);
			if (ok || !*ctr || !via || !via->parent || via->parent->ctr != th->ctr)
				break;
			via = via->parent;
		}
		if (!ok && pw) {
			if (++t->tries < MAX_LOAD_TRIES)
				return t; /* group too on the next try */
		}
		t->loaded = true;
	}
	return t;
}

const struct fc_user *fc_user_find(struct fc_state *st, const struct fc_thread *t, uint32_t uid)
{
	struct utab *u = loaded_tab(st, t);
	return u ? fc_imap_get(&u->users, uid) : NULL;
}

const struct fc_group *fc_group_find(struct fc_state *st, const struct fc_thread *t, uint32_t gid)
{
	struct utab *u = loaded_tab(st, t);
	return u ? fc_imap_get(&u->groups, gid) : NULL;
}

void fc_user_add(struct fc_state *st, const char *ctr_id, uint32_t uid, uint32_t gid,
		 const char *name, const char *home, const char *shell)
{
	struct utab *t = tab(st, ctr_id, true);
	if (t)
		put_user(t, uid, gid, name, name ? strlen(name) : 0, home, home ? strlen(home) : 0,
			 shell, shell ? strlen(shell) : 0);
}

void fc_group_add(struct fc_state *st, const char *ctr_id, uint32_t gid, const char *name)
{
	struct utab *t = tab(st, ctr_id, true);
	if (t)
		put_group(t, gid, name, name ? strlen(name) : 0);
}
