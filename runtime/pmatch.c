/* pmatch.c — the `pmatch` operator: upstream's path-prefix search (libs path_prefix_search).
 *
 * Facts carried over: a path is split on '/', empty components skipped, and a dummy root
 * component is put in front (so "/" and "" are the root itself). A list entry matches a path
 * when the entry's components are a prefix of the path's, component by component; an entry
 * component containing any of "?*[" is a glob, matched with fnmatch(component, path component,
 * 0); other components compare exactly. Adding an entry that is a prefix of an existing one
 * replaces it ("/usr" drops "/usr/lib"); an entry extending an existing one is ignored. A path
 * that ends inside a longer entry does not match ("/var" vs entry "/var/run").
 *
 * Structure: a tree of nodes; each node has its exact edges sorted (by length, then bytes) for
 * binary search and its glob edges (compiled once). Exact edges are tried first, then globs,
 * with backtracking. (Upstream's glob loop advances its component iterator while scanning
 * later glob entries, so after a failed glob branch it tests the next component; that is
 * order-dependent on a hash map and not reproduced: every glob edge is tried on the same
 * component.) Matching recurses once per path component; since every node sits at one depth,
 * a lookup visits each node at most once. An entry deeper than 1024 components is refused
 * (the build fails), which bounds the recursion. */
#include <stdlib.h>
#include <string.h>

#include "vmops.h"

#define FC_PMATCH_MAX_DEPTH 1024 /* components per entry */

struct pnode;

struct pedge {
	const char *s;
	uint32_t len;
	bool terminal;       /* an entry ends here: everything below matches */
	struct pnode *child; /* NULL when terminal */
	struct fc_glob *glob;
};

struct pnode {
	uint32_t nlit, nglob, caplit, capglob;
	struct pedge *lit, *glob;
};

struct fc_pmatch {
	bool any, root_terminal;
	struct pnode root;
	bool oom;
};

static void node_free(struct pnode *n)
{
	for (uint32_t i = 0; i < n->nlit; i++)
		if (n->lit[i].child) {
			node_free(n->lit[i].child);
			free(n->lit[i].child);
		}
	for (uint32_t i = 0; i < n->nglob; i++) {
		if (n->glob[i].child) {
			node_free(n->glob[i].child);
			free(n->glob[i].child);
		}
		free(n->glob[i].glob);
	}
	free(n->lit);
	free(n->glob);
}

/* Next non-empty component of P[*POS..LEN): start and length, false at the end. */
static inline bool next_comp(const char *p, size_t len, size_t *pos, const char **c, size_t *cl)
{
	size_t i = *pos;
	while (i < len && p[i] == '/')
		i++;
	if (i >= len)
		return false;
	const char *e = fc_memchr0(p + i, '/', len - i);
	size_t end = e ? (size_t)(e - p) : len;
	*c = p + i;
	*cl = end - i;
	*pos = end;
	return true;
}

/* Entries are added in component order (fc_pmatch_new sorts them), so an existing edge for C
 * can only be the last one added to its array: the build is linear. */
static struct pedge *find_edge(struct pnode *n, bool glob, const char *c, size_t cl)
{
	struct pedge *e = glob ? n->glob : n->lit;
	uint32_t k = glob ? n->nglob : n->nlit;
	if (k && e[k - 1].len == cl && fc_bytes_eq(e[k - 1].s, c, cl))
		return &e[k - 1];
	return NULL;
}

static struct pedge *add_edge(struct fc_pmatch *pm, struct pnode *n, bool glob, const char *c, size_t cl)
{
	struct pedge **arr = glob ? &n->glob : &n->lit;
	uint32_t *cnt = glob ? &n->nglob : &n->nlit, *cap = glob ? &n->capglob : &n->caplit;
	if (*cnt == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 4;
		struct pedge *na = realloc(*arr, nc * sizeof *na);
		if (!na) {
			pm->oom = true;
			return NULL;
		}
		*arr = na;
		*cap = nc;
	}
	struct pedge *e = &(*arr)[(*cnt)++];
	memset(e, 0, sizeof *e);
	e->s = c;
	e->len = (uint32_t)cl;
	if (glob) {
		e->glob = malloc(fc_glob_size(cl));
		if (!e->glob) {
			pm->oom = true;
			(*cnt)--;
			return NULL;
		}
		fc_glob_compile(e->glob, c, cl, false);
	}
	return e;
}

static void add_path(struct fc_pmatch *pm, const char *p, size_t len)
{
	size_t pos = 0;
	const char *c;
	size_t cl;
	pm->any = true;
	if (pm->root_terminal)
		return;
	if (!next_comp(p, len, &pos, &c, &cl)) {
		/* "/" or "": the root itself; drop everything below */
		node_free(&pm->root);
		memset(&pm->root, 0, sizeof pm->root);
		pm->root_terminal = true;
		return;
	}
	struct pnode *n = &pm->root;
	for (unsigned depth = 1;; depth++) {
		if (depth > FC_PMATCH_MAX_DEPTH) {
			pm->oom = true; /* refused: the tree's walks recurse once per level */
			return;
		}
		const char *nc = NULL;
		size_t ncl = 0, npos = pos;
		bool last = !next_comp(p, len, &npos, &nc, &ncl);
		bool glob = fc_glob_has_magic(c, cl);
		struct pedge *e = find_edge(n, glob, c, cl);
		if (!e) {
			e = add_edge(pm, n, glob, c, cl);
			if (!e)
				return;
			if (last) {
				e->terminal = true;
				return;
			}
			e->child = calloc(1, sizeof *e->child);
			if (!e->child) {
				pm->oom = true;
				e->terminal = true; /* keep the tree well-formed; the build reports failure */
				return;
			}
		} else if (last) {
			if (e->child) {
				node_free(e->child);
				free(e->child);
				e->child = NULL;
			}
			e->terminal = true;
			return;
		} else if (e->terminal) {
			return;
		}
		n = e->child;
		c = nc;
		cl = ncl;
		pos = npos;
	}
}

static int edge_cmp(const void *x, const void *y)
{
	const struct pedge *a = x, *b = y;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return fc_memcmp0(a->s, b->s, a->len);
}

static void node_sort(struct pnode *n)
{
	if (n->nlit)
		qsort(n->lit, n->nlit, sizeof *n->lit, edge_cmp);
	for (uint32_t i = 0; i < n->nlit; i++)
		if (n->lit[i].child)
			node_sort(n->lit[i].child);
	for (uint32_t i = 0; i < n->nglob; i++)
		if (n->glob[i].child)
			node_sort(n->glob[i].child);
}

struct pent {
	const char *s;
	size_t len;
};

/* Component by component (each by bytes, then length): entries sharing leading components
 * are adjacent, and a prefix comes before its extensions. */
static int pent_cmp(const void *x, const void *y)
{
	const struct pent *a = x, *b = y;
	size_t pa = 0, pb = 0, al, bl;
	const char *ca, *cb;
	for (;;) {
		bool ha = next_comp(a->s, a->len, &pa, &ca, &al), hb = next_comp(b->s, b->len, &pb, &cb, &bl);
		if (!ha || !hb)
			return ha - hb;
		int c = fc_memcmp0(ca, cb, al < bl ? al : bl);
		if (c || al != bl)
			return c ? c : (al < bl ? -1 : 1);
	}
}

struct fc_pmatch *fc_pmatch_new(uint32_t n, const char *const *s, const uint32_t *len)
{
	struct fc_pmatch *pm = calloc(1, sizeof *pm);
	struct pent *ent = malloc(((size_t)n + 1) * sizeof *ent);
	if (!pm || !ent) {
		free(pm);
		free(ent);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		ent[i] = (struct pent){s[i], len[i]};
	if (n)
		qsort(ent, n, sizeof *ent, pent_cmp);
	for (uint32_t i = 0; i < n && !pm->oom; i++)
		add_path(pm, ent[i].s, ent[i].len);
	free(ent);
	if (pm->oom) {
		fc_pmatch_free(pm);
		return NULL;
	}
	node_sort(&pm->root);
	return pm;
}

static bool match_node(const struct pnode *n, const char *p, size_t len, size_t pos);

static inline bool follow(const struct pedge *e, const char *p, size_t len, size_t pos)
{
	if (e->terminal)
		return true;
	return match_node(e->child, p, len, pos);
}

/* N's exact edge for component C (CL bytes), NULL if none. A few edges (most nodes): lengths
 * first, bytes compared in line, no call; more: the binary search over (length, bytes). */
static const struct pedge *exact_edge(const struct pnode *n, const char *c, size_t cl)
{
	if (n->nlit <= 8) {
		for (uint32_t i = 0; i < n->nlit; i++)
			if (n->lit[i].len == cl && fc_bytes_eq(n->lit[i].s, c, cl))
				return &n->lit[i];
		return NULL;
	}
	uint32_t lo = 0, hi = n->nlit;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct pedge *e = &n->lit[mid];
		int d = e->len != cl ? (e->len < cl ? -1 : 1) : fc_memcmp0(e->s, c, cl);
		if (!d)
			return e;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool match_node(const struct pnode *n, const char *p, size_t len, size_t pos)
{
	const char *c;
	size_t cl;
	if (!next_comp(p, len, &pos, &c, &cl))
		return false; /* the path ends inside a longer entry */
	const struct pedge *e = exact_edge(n, c, cl);
	if (e && follow(e, p, len, pos))
		return true;
	for (uint32_t i = 0; i < n->nglob; i++)
		if (fc_glob_match(n->glob[i].glob, c, cl) && follow(&n->glob[i], p, len, pos))
			return true;
	return false;
}

bool fc_pmatch_has(const struct fc_pmatch *pm, const char *path, size_t len)
{
	if (!pm->any)
		return false;
	if (pm->root_terminal)
		return true;
	return match_node(&pm->root, path, len, 0);
}

void fc_pmatch_free(struct fc_pmatch *pm)
{
	if (pm) {
		node_free(&pm->root);
		free(pm);
	}
}
