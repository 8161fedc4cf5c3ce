/* container.c — containers as the node sees them (RUNTIME.md §5.3): the container id from a
 * thread's cgroup paths (the container plugin's matchers: podman, docker, cri, then libvirt-lxc,
 * lxc and bpm, then the namespaced-containerd heuristic last — upstream tries it before
 * lxc, which makes it claim lxc/libvirt paths; 64-hex ids reported as their first 12
 * characters), the container runtime inferred from the layout that matched, the pod uid of
 * kubepods paths, the container start time (its pid namespace's start), and the metadata the
 * node cannot derive from events — loaded from a docker-inspect style JSON file the user points
 * at, or from the container JSON events of old captures. Unknown metadata stays missing; it is
 * never reported as an empty string. */
#include "state_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct meta_entry {
	char *id; /* full id as the metadata gives it */
	struct fc_ctr_meta m;
};

struct fc_ctr_store {
	struct fc_container **b; /* hash buckets */
	uint32_t nb, n;
	struct meta_entry *meta;
	uint32_t nmeta, capmeta;
};

/* ------------------------------------------------------------------ matchers */

static bool is_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[i]))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);
	return len >= n && !memcmp(s + len - n, suf, n);
}

/* Last occurrence of NEEDLE in S[0..len), or -1. */
static long rfind(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	if (n > len)
		return -1;
	if (!n)
		return (long)len;
	/* the first byte before a memcmp call: most positions fail there (hot: every clone and
	 * execve and every seeded process resolves its cgroups against each layout) */
	for (size_t i = len - n + 1; i-- > 0;)
		if (s[i] == needle[0] && !memcmp(s + i, needle, n))
			return (long)i;
	return -1;
}

static long find(const char *s, size_t len, const char *needle, size_t from)
{
	size_t n = strlen(needle);
	for (size_t i = from; i + n <= len; i++)
		if (!memcmp(s + i, needle, n))
			return (long)i;
	return -1;
}

static void put(char *dst, size_t dlen, const char *p, size_t n)
{
	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, p, n);
	dst[n] = 0;
}

/* runc-style layout: the id runs from after the LAST PREFIX to the last SUFFIX (or the end);
 * 64 hex characters are reported as 12; shorter ids only for containerd, outside systemd
 * units. */
static bool runc_match(const char *cg, size_t len, const char *prefix, const char *suffix,
		       bool containerd, char *id, size_t idlen, char *full, size_t fulllen)
{
	long s = rfind(cg, len, prefix);
	if (s < 0)
		return false;
	size_t start = (size_t)s + strlen(prefix);
	long e = *suffix ? rfind(cg, len, suffix) : (long)len;
	if (e < 0 || (size_t)e < start)
		return false;
	size_t n = (size_t)e - start;
	if (n == 64 && is_hex(cg + start, 64)) {
		put(full, fulllen, cg + start, 64);
		put(id, idlen, cg + start, 12);
		return true;
	}
	if (n > 64 || n == 0)
		return false;
	if (containerd && !ends_with(cg, len, ".service") && !ends_with(cg, len, ".slice") &&
	    !ends_with(cg, len, ".scope")) {
		put(full, fulllen, cg + start, n);
		put(id, idlen, cg + start, n < 12 ? n : 12);
		return true;
	}
	return false;
}

struct layout {
	const char *prefix, *suffix, *type;
};

static const struct layout podman_l[] = {
	{"/libpod-", ".scope", "podman"},
	{"/libpod-", ".scope/container", "podman"},
	{"/libpod-", "", "podman"},
	{"/libpod-payload-", ".scope", "podman"},
	{"/libpod-payload-", ".scope/container", "podman"},
	{"/libpod-payload-", "", "podman"},
	{NULL, NULL, NULL},
};
static const struct layout docker_l[] = {
	{"/", "", "docker"},
	{"/docker-", ".scope", "docker"},
	{NULL, NULL, NULL},
};
static const struct layout cri_l[] = {
	{"/", "", "cri"},
	{"/crio-", "", "cri-o"},
	{"/cri-containerd-", ".scope", "containerd"},
	{"/crio-", ".scope", "cri-o"},
	{":cri-containerd:", "", "containerd"},
	{"/docker-", ".scope", "cri"},
	{"/nerdctl-", ".scope", "containerd"},
	{NULL, NULL, NULL},
};

static bool try_layouts(const struct layout *l, const char *cg, size_t len, char *id, size_t idlen,
			char *full, size_t fulllen, const char **type)
{
	for (; l->prefix; l++)
		if (runc_match(cg, len, l->prefix, l->suffix, false, id, idlen, full, fulllen)) {
			*type = l->type;
			return true;
		}
	return false;
}

/* The first "/seg/" whose segment is [A-Za-z0-9]+([._-][A-Za-z0-9]+)* names the containerd
 * namespace. */
static bool containerd_ns(const char *cg, size_t len, size_t *ps, size_t *pe)
{
	for (size_t i = 0; i < len; i++) {
		if (cg[i] != '/')
			continue;
		size_t j = i + 1;
		bool ok = j < len && isalnum((unsigned char)cg[j]);
		while (ok && j < len && cg[j] != '/') {
			char c = cg[j];
			if (isalnum((unsigned char)c)) {
				j++;
			} else if (c == '.' || c == '_' || c == '-') {
				ok = j + 1 < len && isalnum((unsigned char)cg[j + 1]);
				j++;
			} else {
				ok = false;
			}
		}
		if (ok && j < len && cg[j] == '/' && j > i + 1) {
			*ps = i;
			*pe = j + 1;
			return true;
		}
	}
	return false;
}

static bool lxc_match(const char *cg, size_t len, char *id, size_t idlen)
{
	static const char *const lay[] = {"/lxc/", "/lxc.payload/", "/lxc.payload."};
	for (size_t k = 0; k < 3; k++) {
		long p = find(cg, len, lay[k], 0);
		if (p < 0)
			continue;
		size_t s = (size_t)p + strlen(lay[k]);
		long e = find(cg, len, "/", s);
		size_t end = e < 0 ? len : (size_t)e;
		put(id, idlen, cg + s, end - s);
		return true;
	}
	return false;
}

static bool libvirt_match(const char *cg, size_t len, char *id, size_t idlen)
{
	long p = find(cg, len, ".libvirt-lxc", 0);
	if (p >= 0 && (size_t)p == len - 12) {
		long s = rfind(cg, len, "/");
		if (s >= 0 && s < p) {
			put(id, idlen, cg + s + 1, (size_t)(p - s - 1));
			return true;
		}
	}
	p = find(cg, len, "-lxc\\x2", 0);
	if (p >= 0) {
		const char *delim = find(cg, len, ".scope/libvirt", 0) >= 0 ? ".scope/libvirt" : ".scope";
		long d = find(cg, len, delim, 0);
		if (d >= 0 && (size_t)d == len - strlen(delim) && d >= p + 8) {
			/* skips "-lxc\x2" and the "d" of the escaped dash */
			put(id, idlen, cg + p + 8, (size_t)(d - p - 8));
			return true;
		}
	}
	p = find(cg, len, "/libvirt/lxc/", 0);
	if (p >= 0) {
		put(id, idlen, cg + p + 13, len - (size_t)p - 13);
		return true;
	}
	return false;
}

static bool bpm_match(const char *cg, size_t len, char *id, size_t idlen)
{
	long p = find(cg, len, "bpm-", 0);
	if (p < 0)
		return false;
	size_t s = (size_t)p + 4;
	long e = find(cg, len, ".scope", s);
	size_t end = e < 0 ? len : (size_t)e;
	if (end == s)
		return false;
	for (size_t i = s; i < end; i++) {
		char c = cg[i];
		if (!isalnum((unsigned char)c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	put(id, idlen, cg + s, end - s);
	return true;
}

bool fc_cgroup_match(const char *cg, size_t len, char *id, size_t idlen, char *full,
		     size_t fulllen, const char **type)
{
	if (try_layouts(podman_l, cg, len, id, idlen, full, fulllen, type))
		return true;
	if (try_layouts(docker_l, cg, len, id, idlen, full, fulllen, type) ||
	    try_layouts(cri_l, cg, len, id, idlen, full, fulllen, type)) {
		/* the plain "/<id>" layout is shared by docker, containerd and cri-o: tell them
		 * apart by the rest of the path where it says */
		if (!strcmp(*type, "docker") || !strcmp(*type, "cri")) {
			if (find(cg, len, "/docker", 0) >= 0)
				*type = "docker";
			else if (find(cg, len, "crio", 0) >= 0)
				*type = "cri-o";
			else if (find(cg, len, "containerd", 0) >= 0)
				*type = "containerd";
			else if (find(cg, len, "kubepods", 0) >= 0)
				*type = "cri";
		}
		return true;
	}
	/* The layouts with their own markers come before the namespace heuristic of the
	 * containerd matcher (which upstream tries first): "/lxc/web01" would otherwise be the
	 * containerd container "web01" and "/machine/g.libvirt-lxc" the container "g.libvirt-l";
	 * libvirt before lxc, whose "/lxc/" would claim the legacy "/libvirt/lxc/<id>". */
	if (libvirt_match(cg, len, id, idlen)) {
		put(full, fulllen, id, strlen(id));
		*type = "libvirt-lxc";
		return true;
	}
	if (lxc_match(cg, len, id, idlen)) {
		put(full, fulllen, id, strlen(id));
		*type = "lxc";
		return true;
	}
	if (bpm_match(cg, len, id, idlen)) {
		put(full, fulllen, id, strlen(id));
		*type = "bpm";
		return true;
	}
	size_t ps, pe;
	if (containerd_ns(cg, len, &ps, &pe)) {
		char prefix[256];
		size_t n = pe - ps < sizeof(prefix) - 1 ? pe - ps : sizeof(prefix) - 1;
		memcpy(prefix, cg + ps, n);
		prefix[n] = 0;
		if (runc_match(cg, len, prefix, "", true, id, idlen, full, fulllen)) {
			*type = "containerd";
			return true;
		}
	}
	return false;
}

/* Pod uid of a kubepods path: "/kubepods/<qos>/pod<uid>/..." or the systemd form
 * "kubepods-<qos>-pod<uid_with_underscores>.slice". */
static void pod_uid(const char *cg, size_t len, char *out, size_t outlen)
{
	out[0] = 0;
	if (find(cg, len, "kubepods", 0) < 0)
		return;
	for (long p = rfind(cg, len, "pod"); p > 0; p = rfind(cg, (size_t)p, "pod")) {
		char before = cg[p - 1];
		if (before != '/' && before != '-')
			continue;
		size_t s = (size_t)p + 3, e = s;
		while (e < len && (isxdigit((unsigned char)cg[e]) || cg[e] == '-' || cg[e] == '_'))
			e++;
		if (e - s != 36 || e - s >= outlen)
			continue;
		for (size_t i = 0; i < e - s; i++)
			out[i] = cg[s + i] == '_' ? '-' : cg[s + i];
		out[e - s] = 0;
		return;
	}
}

/* ------------------------------------------------------------------ container table */

static struct fc_ctr_store *store(struct fc_state *st)
{
	if (!st->ctrs) {
		st->ctrs = calloc(1, sizeof(*st->ctrs));
		if (st->ctrs) {
			st->ctrs->nb = 256;
			st->ctrs->b = calloc(st->ctrs->nb, sizeof(*st->ctrs->b));
			if (!st->ctrs->b) {
				free(st->ctrs);
				st->ctrs = NULL;
			}
		}
	}
	return st->ctrs;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

struct fc_container *fc_container_ref(struct fc_container *c)
{
	if (c)
		c->refs++;
	return c;
}

void fc_container_unref(struct fc_state *st, struct fc_container *c)
{
	if (!c || --c->refs)
		return;
	struct fc_ctr_store *s = st->ctrs;
	struct fc_container **pp = &s->b[c->hash % s->nb];
	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
	s->n--;
	st->stats.containers = s->n;
	free(c);
}

struct fc_container *fc_container_resolve(struct fc_state *st, const char *cg, size_t len)
{
	char id[65], full[129];
	const char *type = NULL;
	bool found = false;
	char puid[64] = "";
	/* entries are "subsys=path", NUL-separated; the first path a matcher knows wins. cgroup
	 * v1 repeats one path under most subsystems: a path already tried is not matched again
	 * (the matchers cost ~4,000 instructions a path; every process start resolves). */
	struct {
		const char *p;
		size_t n;
	} tried[16];
	unsigned ntried = 0;
	for (size_t i = 0; i < len && !found;) {
		size_t e = i;
		while (e < len && cg[e])
			e++;
		const char *eq = memchr(cg + i, '=', e - i);
		const char *path = eq ? eq + 1 : cg + i;
		size_t pl = (size_t)(cg + e - path);
		i = e + 1;
		bool seen = false;
		for (unsigned k = 0; k < ntried && !seen; k++)
			seen = tried[k].n == pl && !memcmp(tried[k].p, path, pl);
		if (seen)
			continue;
		if (fc_cgroup_match(path, pl, id, sizeof(id), full, sizeof(full), &type)) {
			found = true;
			pod_uid(path, pl, puid, sizeof(puid));
		} else if (ntried < sizeof tried / sizeof tried[0]) {
			tried[ntried].p = path;
			tried[ntried++].n = pl;
		}
	}
	if (!found)
		return NULL;
	struct fc_ctr_store *s = store(st);
	if (!s)
		return NULL;
	uint64_t h = hash_str(id);
	for (struct fc_container *c = s->b[h % s->nb]; c; c = c->hnext)
		if (c->hash == h && !strcmp(c->id, id))
			return fc_container_ref(c);
	struct fc_container *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->hash = h;
	memcpy(c->id, id, sizeof(id));
	memcpy(c->full_id, full, sizeof(full));
	memcpy(c->pod_uid, puid, sizeof(puid));
	c->type = type;
	c->meta = fc_container_meta_find(st, full);
	c->hnext = s->b[h % s->nb];
	s->b[h % s->nb] = c;
	s->n++;
	st->stats.containers = s->n;
	return fc_container_ref(c);
}

/* ------------------------------------------------------------------ metadata */

static void meta_clear(struct fc_ctr_meta *m)
{
	struct fc_rstr **strs[] = {&m->name, &m->image, &m->image_id, &m->image_repo, &m->image_tag,
				   &m->image_digest, &m->type, &m->ip, &m->cni_json, &m->healthcheck,
				   &m->liveness, &m->readiness, &m->pod_name, &m->pod_ns,
				   &m->pod_uid, &m->sandbox_id, &m->pod_ip, &m->pod_cni_json};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		fc_rstr_set(strs[i], NULL);
	for (uint32_t i = 0; i < m->nlabels; i++) {
		fc_rstr_unref(m->labels[i].k);
		fc_rstr_unref(m->labels[i].v);
	}
	for (uint32_t i = 0; i < m->npod_labels; i++) {
		fc_rstr_unref(m->pod_labels[i].k);
		fc_rstr_unref(m->pod_labels[i].v);
	}
	for (uint32_t i = 0; i < m->nmounts; i++) {
		fc_rstr_unref(m->mounts[i].source);
		fc_rstr_unref(m->mounts[i].dest);
		fc_rstr_unref(m->mounts[i].mode);
		fc_rstr_unref(m->mounts[i].propagation);
	}
	free(m->labels);
	free(m->pod_labels);
	free(m->mounts);
	memset(m, 0, sizeof(*m));
}

static void meta_reset_links(struct fc_state *st)
{
	struct fc_ctr_store *s = st->ctrs;
	for (uint32_t i = 0; s && i < s->nb; i++)
		for (struct fc_container *c = s->b[i]; c; c = c->hnext)
			c->meta = fc_container_meta_find(st, c->full_id);
}

static void meta_free_all(struct fc_ctr_store *s)
{
	for (uint32_t i = 0; i < s->nmeta; i++) {
		meta_clear(&s->meta[i].m);
		free(s->meta[i].id);
	}
	free(s->meta);
	s->meta = NULL;
	s->nmeta = s->capmeta = 0;
}

void fc_containers_free(struct fc_state *st)
{
	struct fc_ctr_store *s = st->ctrs;
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nb; i++) {
		struct fc_container *c = s->b[i];
		while (c) {
			struct fc_container *n = c->hnext;
			free(c);
			c = n;
		}
	}
	free(s->b);
	meta_free_all(s);
	free(s);
	st->ctrs = NULL;
}

struct fc_ctr_meta *fc_container_meta_find(struct fc_state *st, const char *id)
{
	struct fc_ctr_store *s = st->ctrs;
	if (!s || !id || !*id)
		return NULL;
	size_t n = strlen(id);
	for (uint32_t i = s->nmeta; i-- > 0;) {
		const char *m = s->meta[i].id;
		size_t ml = strlen(m);
		/* the metadata's id may be full or short, the lookup's likewise */
		if ((ml >= n && !strncmp(m, id, n) && (n >= 12 || ml == n)) ||
		    (n > ml && ml >= 12 && !strncmp(m, id, ml)))
			return &s->meta[i].m;
	}
	return NULL;
}

static struct fc_rstr *jstr(const struct fc_json *j)
{
	return j && j->type == FC_J_STR && j->len ? fc_rstr_new(j->str, j->len) : NULL;
}

static int8_t jbool(const struct fc_json *j)
{
	return j && j->type == FC_J_BOOL ? (int8_t)j->b : -1;
}

static void kv_list(const struct fc_json *o, struct fc_kv **out, uint32_t *n)
{
	if (!o || o->type != FC_J_OBJ || !o->n)
		return;
	*out = calloc(o->n, sizeof(**out));
	if (!*out)
		return;
	for (uint32_t i = 0; i < o->n; i++) {
		const struct fc_json *v = &o->kids[i];
		char buf[64];
		struct fc_rstr *val;
		if (v->type == FC_J_STR)
			val = fc_rstr_new(v->str, v->len);
		else if (v->type == FC_J_NUM)
			val = fc_rstr_new(buf, (size_t)snprintf(buf, sizeof(buf), "%.15g", v->num));
		else if (v->type == FC_J_BOOL)
			val = fc_rstr_cstr(v->b ? "true" : "false");
		else
			continue;
		(*out)[*n].k = fc_rstr_new(v->key, v->klen);
		(*out)[*n].v = val;
		(*n)++;
	}
}

static void mounts(const struct fc_json *a, struct fc_ctr_meta *m)
{
	if (!a || a->type != FC_J_ARR || !a->n)
		return;
	m->mounts = calloc(a->n, sizeof(*m->mounts));
	if (!m->mounts)
		return;
	for (uint32_t i = 0; i < a->n; i++) {
		const struct fc_json *e = &a->kids[i];
		if (e->type != FC_J_OBJ)
			continue;
		struct fc_mount *mt = &m->mounts[m->nmounts++];
		mt->source = jstr(fc_json_get(e, "Source"));
		mt->dest = jstr(fc_json_get(e, "Destination"));
		mt->mode = jstr(fc_json_get(e, "Mode"));
		mt->propagation = jstr(fc_json_get(e, "Propagation"));
		mt->rw = jbool(fc_json_get(e, "RW")) == 1;
	}
}

/* "cmd args..." of a probe given as an exec argv array, or CMD/CMD-SHELL healthcheck form. */
static struct fc_rstr *probe_cmd(const struct fc_json *a, bool healthcheck)
{
	if (!a || a->type != FC_J_ARR || !a->n)
		return NULL;
	char buf[4096];
	size_t n = 0;
	uint32_t i = 0;
	if (healthcheck) {
		const struct fc_json *k = &a->kids[0];
		if (k->type != FC_J_STR)
			return NULL;
		if (!strcmp(k->str, "CMD-SHELL")) {
			n = (size_t)snprintf(buf, sizeof(buf), "/bin/sh -c");
			i = 1;
		} else if (!strcmp(k->str, "CMD")) {
			i = 1;
		} else {
			return NULL; /* NONE */
		}
	}
	for (; i < a->n && n < sizeof(buf) - 1; i++) {
		const struct fc_json *k = &a->kids[i];
		if (k->type != FC_J_STR)
			continue;
		int w = snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "", k->str);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return n ? fc_rstr_new(buf, n) : NULL;
}

/* "repo[:tag][@digest]" → parts; a ':' after the last '/' starts the tag. */
static void split_image(struct fc_ctr_meta *m)
{
	if (!m->image)
		return;
	const char *s = m->image->s;
	size_t len = m->image->len;
	const char *at = memchr(s, '@', len);
	size_t base = at ? (size_t)(at - s) : len;
	if (at && !m->image_digest)
		m->image_digest = fc_rstr_new(at + 1, len - base - 1);
	long slash = rfind(s, base, "/");
	long colon = rfind(s, base, ":");
	size_t repo_end = base;
	if (colon > slash) {
		repo_end = (size_t)colon;
		if (!m->image_tag && base > repo_end + 1)
			m->image_tag = fc_rstr_new(s + repo_end + 1, base - repo_end - 1);
	}
	if (!m->image_repo && repo_end)
		m->image_repo = fc_rstr_new(s, repo_end);
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac]Z" → ns since the epoch, 0 on failure. */
static uint64_t parse_time(const char *s)
{
	struct tm tm = {0};
	int n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (t <= 0)
		return 0;
	uint64_t ns = 0, scale = 100000000;
	const char *p = s + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
			ns += (uint64_t)(*p - '0') * scale;
	return (uint64_t)t * 1000000000ull + ns;
}

static struct meta_entry *meta_slot(struct fc_ctr_store *s, const char *id, size_t idlen)
{
	for (uint32_t i = 0; i < s->nmeta; i++)
		if (strlen(s->meta[i].id) == idlen && !memcmp(s->meta[i].id, id, idlen)) {
			meta_clear(&s->meta[i].m);
			return &s->meta[i];
		}
	if (s->nmeta >= 65536)
		return NULL; /* bounded: one entry per distinct container */
	if (s->nmeta == s->capmeta) {
		uint32_t nc = s->capmeta ? s->capmeta * 2 : 16;
		struct meta_entry *n = realloc(s->meta, sizeof(*n) * nc);
		if (!n)
			return NULL;
		s->meta = n;
		s->capmeta = nc;
	}
	struct meta_entry *e = &s->meta[s->nmeta];
	memset(e, 0, sizeof(*e));
	e->id = malloc(idlen + 1);
	if (!e->id)
		return NULL;
	memcpy(e->id, id, idlen);
	e->id[idlen] = 0;
	s->nmeta++;
	return e;
}

/* Kubernetes fields from the CRI labels. */
static void k8s_from_labels(struct fc_ctr_meta *m)
{
	for (uint32_t i = 0; i < m->nlabels; i++) {
		const char *k = m->labels[i].k->s;
		struct fc_rstr *v = m->labels[i].v;
		if (!strcmp(k, "io.kubernetes.pod.name") && !m->pod_name)
			m->pod_name = fc_rstr_ref(v);
		else if (!strcmp(k, "io.kubernetes.pod.namespace") && !m->pod_ns)
			m->pod_ns = fc_rstr_ref(v);
		else if (!strcmp(k, "io.kubernetes.pod.uid") && !m->pod_uid)
			m->pod_uid = fc_rstr_ref(v);
		else if ((!strcmp(k, "io.kubernetes.sandbox.id") ||
			  !strcmp(k, "io.kubernetes.cri.sandbox-id")) &&
			 !m->sandbox_id)
			m->sandbox_id = fc_rstr_ref(v);
	}
}

/* One docker-inspect object. */
static void load_inspect(struct fc_ctr_store *s, const struct fc_json *o)
{
	const struct fc_json *id = fc_json_get(o, "Id");
	if (!id || id->type != FC_J_STR || !id->len)
		return;
	struct meta_entry *e = meta_slot(s, id->str, id->len);
	if (!e)
		return;
	struct fc_ctr_meta *m = &e->m;
	m->privileged = m->host_network = m->host_ipc = m->host_pid = -1;
	struct fc_rstr *name = jstr(fc_json_get(o, "Name"));
	if (name && name->s[0] == '/') {
		struct fc_rstr *n2 = name->len > 1 ? fc_rstr_new(name->s + 1, name->len - 1) : NULL;
		fc_rstr_unref(name);
		name = n2;
	}
	m->name = name;
	const struct fc_json *cfg = fc_json_get(o, "Config");
	m->image = jstr(fc_json_get(cfg, "Image"));
	struct fc_rstr *iid = jstr(fc_json_get(o, "Image"));
	if (iid && iid->len > 7 && !strncmp(iid->s, "sha256:", 7)) {
		m->image_id = fc_rstr_new(iid->s + 7, iid->len - 7);
		fc_rstr_unref(iid);
	} else {
		m->image_id = iid;
	}
	split_image(m);
	kv_list(fc_json_get(cfg, "Labels"), &m->labels, &m->nlabels);
	static const char *const hc[] = {"Config", "Healthcheck", "Test", NULL};
	m->healthcheck = probe_cmd(fc_json_path(o, hc), true);
	m->liveness = probe_cmd(fc_json_get(o, "LivenessProbe"), false);
	m->readiness = probe_cmd(fc_json_get(o, "ReadinessProbe"), false);
	const struct fc_json *hcfg = fc_json_get(o, "HostConfig");
	m->privileged = jbool(fc_json_get(hcfg, "Privileged"));
	struct fc_rstr *nm = jstr(fc_json_get(hcfg, "NetworkMode"));
	struct fc_rstr *pm = jstr(fc_json_get(hcfg, "PidMode"));
	struct fc_rstr *im = jstr(fc_json_get(hcfg, "IpcMode"));
	if (hcfg) {
		m->host_network = nm && !strcmp(nm->s, "host");
		m->host_pid = pm && !strcmp(pm->s, "host");
		m->host_ipc = im && !strcmp(im->s, "host");
	}
	fc_rstr_unref(nm);
	fc_rstr_unref(pm);
	fc_rstr_unref(im);
	mounts(fc_json_get(o, "Mounts"), m);
	static const char *const ip[] = {"NetworkSettings", "IPAddress", NULL};
	m->ip = jstr(fc_json_path(o, ip));
	static const char *const started[] = {"State", "StartedAt", NULL};
	const struct fc_json *sa = fc_json_path(o, started);
	m->start_ts = sa && sa->type == FC_J_STR ? parse_time(sa->str) : 0;
	/* our own optional keys for what docker inspect cannot say */
	m->type = jstr(fc_json_get(o, "Type"));
	m->cni_json = jstr(fc_json_get(o, "CniJson"));
	m->pod_ip = jstr(fc_json_get(o, "PodIP"));
	m->pod_cni_json = jstr(fc_json_get(o, "PodCniJson"));
	kv_list(fc_json_get(o, "PodLabels"), &m->pod_labels, &m->npod_labels);
	k8s_from_labels(m);
}

int fc_container_load_meta(struct fc_state *st, const char *path, char *err, size_t errlen)
{
	struct fc_ctr_store *s = store(st);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + len, 1, cap - len, f)) > 0) {
		len += r;
		if (len == cap) {
			if (cap >= (256u << 20)) {
				free(buf);
				buf = NULL;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf) {
		snprintf(err, errlen, "%s: too large or out of memory", path);
		return -1;
	}
	char jerr[160];
	struct fc_json *j = fc_json_parse(buf, len, jerr, sizeof(jerr));
	free(buf);
	if (!j) {
		snprintf(err, errlen, "%s:%s", path, jerr);
		return -1;
	}
	if (j->type != FC_J_ARR) {
		fc_json_free(j);
		snprintf(err, errlen, "%s: expected a JSON array of container objects", path);
		return -1;
	}
	meta_free_all(s);
	for (uint32_t i = 0; i < j->n; i++)
		if (j->kids[i].type == FC_J_OBJ)
			load_inspect(s, &j->kids[i]);
	fc_json_free(j);
	meta_reset_links(st);
	return 0;
}

/* Old captures' container JSON: {"container":{"id","name","image","imageid","imagerepo",
 * "imagetag","imagedigest","ip","privileged","labels":{},"Mounts":[],"type":N,...}} */
void fc_container_json_event(struct fc_state *st, const char *json, size_t len)
{
	static const char *const types[] = {"docker", "lxc", "libvirt-lxc", "mesos", "rkt", "custom",
					    "cri", "containerd", "cri-o", "bpm", "static", "podman"};
	struct fc_ctr_store *s = store(st);
	char err[64];
	if (!s)
		return;
	struct fc_json *j = fc_json_parse(json, len, err, sizeof(err));
	const struct fc_json *c = fc_json_get(j, "container");
	const struct fc_json *id = fc_json_get(c, "id");
	if (!id || id->type != FC_J_STR || !id->len) {
		fc_json_free(j);
		return;
	}
	struct meta_entry *e = meta_slot(s, id->str, id->len);
	if (e) {
		struct fc_ctr_meta *m = &e->m;
		m->privileged = jbool(fc_json_get(c, "privileged"));
		m->host_network = m->host_ipc = m->host_pid = -1;
		m->name = jstr(fc_json_get(c, "name"));
		m->image = jstr(fc_json_get(c, "image"));
		m->image_id = jstr(fc_json_get(c, "imageid"));
		m->image_repo = jstr(fc_json_get(c, "imagerepo"));
		m->image_tag = jstr(fc_json_get(c, "imagetag"));
		m->image_digest = jstr(fc_json_get(c, "imagedigest"));
		m->ip = jstr(fc_json_get(c, "ip"));
		const struct fc_json *ty = fc_json_get(c, "type");
		if (ty && ty->type == FC_J_NUM && ty->num >= 0 &&
		    ty->num < (double)(sizeof types / sizeof types[0]))
			m->type = fc_rstr_cstr(types[(int)ty->num]);
		kv_list(fc_json_get(c, "labels"), &m->labels, &m->nlabels);
		mounts(fc_json_get(c, "Mounts"), m);
		split_image(m);
		k8s_from_labels(m);
	}
	fc_json_free(j);
	meta_reset_links(st);
}
