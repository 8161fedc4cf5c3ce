/* collect.c — the collector of the rules loader (LANGUAGE.md §9, upstream's
 * rule_loader_collector) and the public side of rules.h: the collected state across files,
 * define / append / override-replace / standalone enable of lists, macros and rules, index and
 * visibility (§9.7), exception validation and merging (§9.6), version requirements (§9.2),
 * one-level list expansion (§9.3), and the rule condition text with its exceptions (§1.1),
 * built exactly as upstream builds it. Name lookups go through hash tables; texts and their
 * maps live in the arena (maps produced here are read-only: never fc_srcmap_add/free them). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fields.h"
#include "yamlload.h"

#define ERROR_NO_PREVIOUS_MACRO "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists"
#define ERROR_NO_PREVIOUS_LIST "List uses 'append' or 'override.items: append' but no list by that name already exists"
#define ERROR_NO_PREVIOUS_RULE_APPEND                                                                             \
	"Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"
#define ERROR_NO_PREVIOUS_RULE_REPLACE                                                                            \
	"An 'override.<key>: replace' to a rule was requested but no rule by that name already exists"

/* ------------------------------------------------------------------ private state */

struct hslot {
	const char *name;
	uint32_t len, hash, idx1; /* idx1 = index + 1; 0 = empty */
};

struct htab {
	struct hslot *s;
	uint32_t cap, n;
};

/* An exception as collected: what was read, plus its context frame (fc_exception has none). */
struct exc_priv {
	const struct fc_ctx *ctx; /* "exception" 'name', parent: the rule frame of the item that added it */
	struct fc_exspec fields, comps; /* comps with defaults filled in */
	struct fc_exentry *entries;     /* `values`, as read */
	uint32_t nentries, cap;
};

/* Every fc_rule / fc_list is allocated as one of these (the public struct first). */
struct rule_x {
	struct fc_rule r;
	struct exc_priv *exp; /* parallel to r.exceptions */
	uint32_t excap;
	bool unknown_source;
};

struct list_x {
	struct fc_list l;
	struct fc_text *raw; /* items as written, appends included; l.items is the expansion */
	uint32_t nraw, rawcap;
};

struct plugin_group {
	struct fc_plugin_req *alts;
	uint32_t n;
};

struct priv {
	struct htab lists, macros, rules;
	uint32_t capl, capm, capr, capp, capf, capg;
	struct plugin_group *groups;
	uint32_t ngroups;
	unsigned req[3];
	bool has_req;
	struct fc_srcmap scratch;
	struct fc_buf buf;
};

static struct priv *P(const struct fc_ruleset *rs)
{
	return rs->priv;
}

/* memcpy that accepts an empty NULL source (empty arrays are NULL here) */
static void mcpy(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

/* ------------------------------------------------------------------ hash tables */

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int64_t ht_find(const struct htab *h, const char *s, size_t n)
{
	if (!h->cap)
		return -1;
	uint32_t hv = hash(s, n);
	for (uint32_t i = hv & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		const struct hslot *e = &h->s[i];
		if (!e->idx1)
			return -1;
		if (e->hash == hv && e->len == n && !memcmp(e->name, s, n))
			return e->idx1 - 1;
	}
}

static void ht_put(struct htab *h, const char *name, uint32_t idx)
{
	if ((h->n + 1) * 2 > h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 64;
		struct hslot *s = calloc(cap, sizeof(*s));
		if (!s)
			abort();
		for (uint32_t i = 0; i < h->cap; i++) {
			struct hslot *e = &h->s[i];
			if (!e->idx1)
				continue;
			uint32_t j = e->hash & (cap - 1);
			while (s[j].idx1)
				j = (j + 1) & (cap - 1);
			s[j] = *e;
		}
		free(h->s);
		h->s = s;
		h->cap = cap;
	}
	uint32_t len = (uint32_t)strlen(name), hv = hash(name, len);
	uint32_t j = hv & (h->cap - 1);
	while (h->s[j].idx1)
		j = (j + 1) & (h->cap - 1);
	h->s[j] = (struct hslot){name, len, hv, idx + 1};
	h->n++;
}

/* Grows an arena array of ELSZ-byte elements to hold N + 1. */
static void *grow(struct fc_arena *a, void *arr, uint32_t n, uint32_t *cap, size_t elsz)
{
	if (n < *cap)
		return arr;
	uint32_t nc = *cap ? *cap * 2 : 16;
	while (nc <= n)
		nc *= 2;
	void *p = fc_arena_alloc(a, nc * elsz);
	if (n)
		mcpy(p, arr, n * elsz);
	*cap = nc;
	return p;
}

/* ------------------------------------------------------------------ texts */

struct fc_srcmap *fc_collect_scratch_map(struct fc_ruleset *rs)
{
	return &P(rs)->scratch;
}

void fc_collect_freeze_map(struct fc_ruleset *rs, struct fc_srcmap *scratch, struct fc_srcmap *out)
{
	out->n = out->cap = scratch->n;
	out->seg = fc_arena_alloc(rs->arena, sizeof(*out->seg) * (scratch->n ? scratch->n : 1));
	if (scratch->n)
		mcpy(out->seg, scratch->seg, sizeof(*out->seg) * scratch->n);
	scratch->n = 0;
}

/* Text builder over the ruleset's scratch buffer and map. */
static void tb_begin(struct fc_ruleset *rs)
{
	P(rs)->buf.len = 0;
	P(rs)->scratch.n = 0;
}

static void tb_text(struct fc_ruleset *rs, const struct fc_text *t)
{
	struct priv *p = P(rs);
	fc_srcmap_append(&p->scratch, &t->map, (uint32_t)p->buf.len);
	fc_buf_add(&p->buf, t->s, t->len);
}

/* Literal text that maps, as a whole, to LOC. */
static void tb_lit(struct fc_ruleset *rs, const char *s, struct fc_loc loc)
{
	struct priv *p = P(rs);
	size_t n = strlen(s);
	if (!n)
		return;
	fc_srcmap_add(&p->scratch, (struct fc_source *)loc.src, (uint32_t)p->buf.len, loc.off, true);
	fc_buf_add(&p->buf, s, n);
}

static struct fc_text tb_end(struct fc_ruleset *rs, struct fc_loc loc)
{
	struct priv *p = P(rs);
	struct fc_text t = {0};
	t.s = fc_arena_strndup(rs->arena, p->buf.p ? p->buf.p : "", p->buf.len);
	t.len = (uint32_t)p->buf.len;
	t.loc = loc;
	if (!p->scratch.n)
		fc_srcmap_add(&p->scratch, (struct fc_source *)loc.src, 0, loc.off, true);
	fc_collect_freeze_map(rs, &p->scratch, &t.map);
	p->buf.len = 0;
	return t;
}

/* Where a text starts in its file. */
static struct fc_loc text_start(const struct fc_text *t)
{
	if (t->map.n && t->map.seg[0].file)
		return fc_loc_at(t->map.seg[0].file, t->map.seg[0].src);
	return t->loc;
}

/* Upstream's textual append: prev + " " + next. */
static struct fc_text concat(struct fc_ruleset *rs, const struct fc_text *a, const struct fc_text *b)
{
	tb_begin(rs);
	tb_text(rs, a);
	tb_lit(rs, " ", text_start(b));
	tb_text(rs, b);
	return tb_end(rs, a->loc);
}

/* A synthesised text (default comparison operators) pinned at LOC. */
static struct fc_text fixed_text(struct fc_ruleset *rs, const char *s, struct fc_loc loc)
{
	tb_begin(rs);
	tb_lit(rs, s, loc);
	return tb_end(rs, loc);
}

/* ------------------------------------------------------------------ diagnostics */

static bool verr(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static bool verr(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, va_list ap)
{
	struct fc_loc loc = ctx ? ctx->loc : (struct fc_loc){0};
	if (loc.src && !loc.line) /* the file's root frame: Falco's snippet shows the first line */
		loc = fc_loc_at((struct fc_source *)loc.src, 0);
	fc_vdiag(rs->diags, code, ctx, loc, fmt, ap);
	return false;
}

/* Collector errors: LOAD_ERR_VALIDATE. Always false. */
static bool err(struct fc_ruleset *rs, const struct fc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool err(struct fc_ruleset *rs, const struct fc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(rs, FC_LOAD_ERR_VALIDATE, ctx, fmt, ap);
	va_end(ap);
	return false;
}

static void warn(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void warn(struct fc_ruleset *rs, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(rs, code, ctx, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ priorities */

static const char *const prio_names[] = {"Emergency", "Alert",  "Critical",      "Error",
					 "Warning",   "Notice", "Informational", "Debug"};

const char *fc_priority_name(enum fc_priority p)
{
	return (unsigned)p < sizeof prio_names / sizeof prio_names[0] ? prio_names[p] : "Unknown";
}

bool fc_priority_parse(const char *s, enum fc_priority *out)
{
	for (unsigned i = 0; i < sizeof prio_names / sizeof prio_names[0]; i++)
		if (!strcasecmp(s, prio_names[i]) || (i == FC_PRIO_INFORMATIONAL && !strcasecmp(s, "info"))) {
			*out = (enum fc_priority)i;
			return true;
		}
	return false;
}

/* ------------------------------------------------------------------ versions */

static const unsigned engine_version[3] = {0, 62, 0}; /* FC_ENGINE_VERSION */

static int vercmp(const unsigned a[3], const unsigned b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

bool fc_collect_engine_version(struct fc_ruleset *rs, const struct fc_ctx *ctx, unsigned major, unsigned minor,
			       unsigned patch)
{
	unsigned v[3] = {major, minor, patch};
	/* compatible: same major, engine not older */
	if (major != engine_version[0] || vercmp(engine_version, v) < 0)
		return err(rs, ctx, "Rules require engine version %u.%u.%u, but engine version is %s", major, minor, patch,
			   FC_ENGINE_VERSION);
	struct priv *p = P(rs);
	if (!p->has_req || vercmp(p->req, v) < 0) {
		memcpy(p->req, v, sizeof v);
		p->has_req = true;
		rs->required_engine = fc_arena_printf(rs->arena, "%u.%u.%u", major, minor, patch);
	}
	return true;
}

static bool semver_valid(const char *s)
{
	unsigned a, b, c;
	return sscanf(s, "%u.%u.%u", &a, &b, &c) == 3;
}

bool fc_collect_plugin_versions(struct fc_ruleset *rs, const struct fc_ctx *ctx, const struct fc_plugin_req *alts,
				uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (!semver_valid(alts[i].version))
			return err(rs, ctx, "Invalid required version '%s' for plugin '%s'", alts[i].version, alts[i].name);
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(alts[j].name, alts[i].name))
				return err(rs, ctx, "Defined multiple alternative version requirements for plugin '%s'",
					   alts[i].name);
	}
	struct priv *p = P(rs);
	p->groups = grow(rs->arena, p->groups, p->ngroups, &p->capg, sizeof(*p->groups));
	struct fc_plugin_req *copy = fc_arena_alloc(rs->arena, sizeof(*copy) * (n ? n : 1));
	mcpy(copy, alts, sizeof(*copy) * n);
	p->groups[p->ngroups++] = (struct plugin_group){copy, n};
	if (n) {
		rs->plugins = grow(rs->arena, rs->plugins, rs->nplugins, &p->capp, sizeof(*rs->plugins));
		rs->plugins[rs->nplugins++] = copy[0];
	}
	return true;
}

/* The engine provides the container plugin's fields natively; any other plugin is missing. */
bool fc_ruleset_check_plugins(const struct fc_ruleset *rs, char *errbuf, size_t errlen)
{
	const struct priv *p = P(rs);
	for (uint32_t g = 0; g < p->ngroups; g++) {
		const struct plugin_group *pg = &p->groups[g];
		bool ok = false;
		for (uint32_t i = 0; i < pg->n && !ok; i++)
			ok = !strcmp(pg->alts[i].name, "container");
		if (ok)
			continue;
		struct fc_buf b = {0};
		fc_buf_puts(&b, "Plugin requirement not satisfied, must load one of: ");
		for (uint32_t i = 0; i < pg->n; i++)
			fc_buf_printf(&b, "%s%s (>= %s)", i ? ", " : "", pg->alts[i].name, pg->alts[i].version);
		if (errlen)
			snprintf(errbuf, errlen, "%s", b.p);
		fc_buf_free(&b);
		return false;
	}
	if (errlen)
		errbuf[0] = 0;
	return true;
}

/* ------------------------------------------------------------------ lists and macros */

struct fc_list *fc_ruleset_list(const struct fc_ruleset *rs, const char *name)
{
	int64_t i = ht_find(&P(rs)->lists, name, strlen(name));
	return i < 0 ? NULL : rs->lists[i];
}

struct fc_macro *fc_ruleset_macro(const struct fc_ruleset *rs, const char *name)
{
	int64_t i = ht_find(&P(rs)->macros, name, strlen(name));
	return i < 0 ? NULL : rs->macros[i];
}

struct fc_rule *fc_ruleset_rule(const struct fc_ruleset *rs, const char *name)
{
	int64_t i = ht_find(&P(rs)->rules, name, strlen(name));
	return i < 0 ? NULL : rs->rules[i];
}

bool fc_collect_list(struct fc_ruleset *rs, const struct fc_list_info *li, bool append)
{
	struct priv *p = P(rs);
	int64_t i = ht_find(&p->lists, li->name, strlen(li->name));
	struct list_x *x = i < 0 ? NULL : (struct list_x *)rs->lists[i];
	if (append) {
		if (!x)
			return err(rs, li->ctx, ERROR_NO_PREVIOUS_LIST);
		if (x->nraw + li->nitems > x->rawcap) {
			uint32_t cap = x->rawcap > 8 ? x->rawcap * 2 : 16;
			while (cap < x->nraw + li->nitems)
				cap *= 2;
			struct fc_text *raw = fc_arena_alloc(rs->arena, sizeof(*raw) * cap);
			mcpy(raw, x->raw, sizeof(*raw) * x->nraw);
			x->raw = raw;
			x->rawcap = cap;
		}
		mcpy(x->raw + x->nraw, li->items, sizeof(*li->items) * li->nitems);
		x->nraw += li->nitems;
		x->l.visibility = rs->counter++;
		return true;
	}
	if (!x) {
		x = fc_arena_alloc(rs->arena, sizeof(*x));
		x->l.index = rs->counter;
		rs->lists = grow(rs->arena, rs->lists, rs->nlists, &p->capl, sizeof(*rs->lists));
		rs->lists[rs->nlists] = &x->l;
		ht_put(&p->lists, li->name, rs->nlists);
		rs->nlists++;
	}
	/* a redefinition replaces the list and keeps its index (its place in the order) */
	x->l.name = li->name;
	x->l.loc = li->loc;
	x->l.ctx = *li->ctx;
	x->l.visibility = rs->counter++;
	x->raw = li->items;
	x->nraw = x->rawcap = li->nitems;
	x->l.items = x->raw;
	x->l.nitems = x->nraw;
	return true;
}

bool fc_collect_macro(struct fc_ruleset *rs, const struct fc_macro_info *mi, bool append)
{
	struct priv *p = P(rs);
	int64_t i = ht_find(&p->macros, mi->name, strlen(mi->name));
	struct fc_macro *m = i < 0 ? NULL : rs->macros[i];
	if (append) {
		if (!m)
			return err(rs, mi->ctx, ERROR_NO_PREVIOUS_MACRO);
		m->cond = concat(rs, &m->cond, &mi->cond);
		m->visibility = rs->counter++;
		return true;
	}
	if (!m) {
		m = fc_arena_alloc(rs->arena, sizeof(*m));
		m->index = rs->counter;
		rs->macros = grow(rs->arena, rs->macros, rs->nmacros, &p->capm, sizeof(*rs->macros));
		m->slot = rs->nmacros;
		rs->macros[rs->nmacros] = m;
		ht_put(&p->macros, mi->name, rs->nmacros);
		rs->nmacros++;
	}
	m->name = mi->name;
	m->loc = mi->loc;
	m->ctx = *mi->ctx;
	m->cond = mi->cond;
	m->visibility = rs->counter++;
	return true;
}

/* After each file (upstream compiles the whole collected state after each file): every list's
 * items, where an item naming a list defined before this list's latest definition/append
 * (index < visibility) is replaced by that list's items as written — one level, as upstream. */
static void expand_lists(struct fc_ruleset *rs)
{
	struct priv *p = P(rs);
	for (uint32_t i = 0; i < rs->nlists; i++)
		rs->lists[i]->used = false;
	for (uint32_t i = 0; i < rs->nlists; i++) {
		struct list_x *x = (struct list_x *)rs->lists[i];
		uint32_t n = 0;
		bool any = false;
		for (uint32_t k = 0; k < x->nraw; k++) {
			int64_t r = ht_find(&p->lists, x->raw[k].s, x->raw[k].len);
			struct list_x *ref = r < 0 ? NULL : (struct list_x *)rs->lists[r];
			if (ref && ref->l.index < x->l.visibility) {
				n += ref->nraw;
				any = true;
			} else {
				n++;
			}
		}
		if (!any) {
			x->l.items = x->raw;
			x->l.nitems = x->nraw;
			continue;
		}
		struct fc_text *items = fc_arena_alloc(rs->arena, sizeof(*items) * (n ? n : 1));
		uint32_t o = 0;
		for (uint32_t k = 0; k < x->nraw; k++) {
			int64_t r = ht_find(&p->lists, x->raw[k].s, x->raw[k].len);
			struct list_x *ref = r < 0 ? NULL : (struct list_x *)rs->lists[r];
			if (ref && ref->l.index < x->l.visibility) {
				mcpy(items + o, ref->raw, sizeof(*items) * ref->nraw);
				o += ref->nraw;
				ref->l.used = true;
			} else {
				items[o++] = x->raw[k];
			}
		}
		x->l.items = items;
		x->l.nitems = o;
	}
}

/* ------------------------------------------------------------------ exceptions */

/* Upstream's supported_operators(): the condition operators, and "<op> <modifier>" for the
 * string operators that take a modifier (libs 0.25). */
enum { OPC_UNARY, OPC_NUM, OPC_STR, OPC_LIST };
static const struct {
	const char *text;
	int cls;
} cond_ops[] = {
#define OP(id, text, cls, word) {text, OPC_##cls},
#include "operators.def"
#undef OP
};

static bool op_defined(const char *s, bool *is_list_op)
{
	*is_list_op = false;
	for (size_t i = 0; i < sizeof cond_ops / sizeof cond_ops[0]; i++) {
		size_t l = strlen(cond_ops[i].text);
		if (!strcmp(s, cond_ops[i].text)) {
			*is_list_op = cond_ops[i].cls == OPC_LIST;
			return true;
		}
		if (cond_ops[i].cls == OPC_STR && !strncmp(s, cond_ops[i].text, l) && s[l] == ' ' &&
		    (!strcmp(s + l + 1, "oneof") || !strcmp(s + l + 1, "anyof") || !strcmp(s + l + 1, "allof"))) {
			*is_list_op = true;
			return true;
		}
	}
	return false;
}

static bool is_list_operator(const char *s)
{
	bool l;
	return op_defined(s, &l) && l;
}

static bool field_defined(const struct fc_text *f)
{
	char err[256];
	if (!f->len || memchr(f->s, 0, f->len))
		return false;
	return fc_field_resolve(f->s, NULL, NULL, err, sizeof err);
}

/* Upstream's validate_exception_info: fills in default comps ("=" per field, or "in"), then
 * checks shapes, operators and (for a known source) fields. */
static bool validate_exception(struct fc_ruleset *rs, struct exc_priv *e, const struct fc_loc *exloc, bool source)
{
	if (e->fields.is_list) {
		if (!e->comps.valid) {
			e->comps.is_list = true;
			e->comps.valid = true;
			e->comps.nitems = e->fields.nitems;
			e->comps.items = fc_arena_alloc(rs->arena, sizeof(struct fc_text) * (e->fields.nitems + 1));
			for (uint32_t i = 0; i < e->fields.nitems; i++)
				e->comps.items[i] = fixed_text(rs, "=", *exloc);
		}
		/* a scalar `comps` counts as no elements here */
		uint32_t ncomps = e->comps.is_list ? e->comps.nitems : 0;
		if (e->fields.nitems != ncomps)
			return err(rs, e->ctx, "Fields and comps lists must have equal length");
		for (uint32_t i = 0; i < ncomps; i++) {
			bool l;
			if (!op_defined(e->comps.items[i].s, &l))
				return err(rs, e->ctx, "'%s' is not a supported comparison operator", e->comps.items[i].s);
		}
		if (source)
			for (uint32_t i = 0; i < e->fields.nitems; i++)
				if (!field_defined(&e->fields.items[i]))
					return err(rs, e->ctx, "'%s' is not a supported filter field", e->fields.items[i].s);
	} else {
		if (!e->comps.valid) {
			e->comps.is_list = false;
			e->comps.valid = true;
			e->comps.nitems = 1;
			e->comps.items = fc_arena_alloc(rs->arena, sizeof(struct fc_text));
			e->comps.items[0] = fixed_text(rs, "in", *exloc);
		}
		if (e->comps.is_list)
			return err(rs, e->ctx, "Fields and comps must both be strings");
		const char *c = e->comps.items[0].s;
		if (strcmp(c, "in") && strcmp(c, "pmatch") && strcmp(c, "intersects") && !is_list_operator(c))
			return err(rs, e->ctx, "When fields is a single value, comps must be one of (in, pmatch, intersects)");
		if (source && !field_defined(&e->fields.items[0]))
			return err(rs, e->ctx, "'%s' is not a supported filter field", e->fields.items[0].s);
	}
	return true;
}

/* The public view (fc_exception) of a collected exception. */
static void publish_exception(struct fc_ruleset *rs, struct fc_exception *pub, const struct exc_priv *e)
{
	static const struct fc_text empty = {.s = ""};
	pub->name = e->ctx->item_name;
	pub->loc = e->ctx->loc;
	pub->fields_is_list = e->fields.is_list;
	pub->fields = e->fields.items;
	pub->nfields = e->fields.nitems;
	uint32_t nf = pub->nfields;
	/* comps: nfields entries whatever was written (the shape errors were reported) */
	if (e->comps.nitems >= nf) {
		pub->comps = e->comps.items;
	} else {
		pub->comps = fc_arena_alloc(rs->arena, sizeof(*pub->comps) * (nf + 1));
		for (uint32_t i = 0; i < nf; i++)
			pub->comps[i] = i < e->comps.nitems ? e->comps.items[i] : empty;
	}
	pub->nvalues = e->nentries;
	pub->values = fc_arena_alloc(rs->arena, sizeof(*pub->values) * (e->nentries + 1));
	for (uint32_t v = 0; v < e->nentries; v++) {
		const struct fc_exentry *en = &e->entries[v];
		if (e->fields.is_list) {
			if (en->is_list && en->nelems >= nf) {
				pub->values[v] = en->elems;
				continue;
			}
			struct fc_exval *t = fc_arena_alloc(rs->arena, sizeof(*t) * (nf + 1));
			if (en->is_list)
				mcpy(t, en->elems, sizeof(*t) * en->nelems);
			pub->values[v] = t;
		} else {
			struct fc_exval *t = fc_arena_alloc(rs->arena, sizeof(*t));
			if (!en->is_list) {
				t->items = (struct fc_text *)&en->text;
				t->nitems = 1;
			} else {
				t->is_list = true;
				t->nitems = en->nelems;
				t->items = fc_arena_alloc(rs->arena, sizeof(*t->items) * (en->nelems + 1));
				for (uint32_t k = 0; k < en->nelems; k++)
					t->items[k] = !en->elems[k].is_list && en->elems[k].nitems ? en->elems[k].items[0] : empty;
			}
			pub->values[v] = t;
		}
	}
}

static struct exc_priv exc_from_info(const struct fc_exc_info *in)
{
	struct exc_priv e = {.ctx = in->ctx, .fields = in->fields, .comps = in->comps};
	e.entries = in->values;
	e.nentries = e.cap = in->nvalues;
	return e;
}

/* Builds a rule's exceptions from a define/replace item: validated, published. */
static bool build_exceptions(struct fc_ruleset *rs, const struct fc_rule_info *ri, bool source,
			     struct exc_priv **out, struct fc_exception **pub, uint32_t *n)
{
	struct exc_priv *e = fc_arena_alloc(rs->arena, sizeof(*e) * (ri->nexc + 1));
	struct fc_exception *p = fc_arena_alloc(rs->arena, sizeof(*p) * (ri->nexc + 1));
	for (uint32_t i = 0; i < ri->nexc; i++) {
		if (!ri->exc[i].fields.valid)
			return err(rs, ri->exc[i].ctx, "Rule exception item must have fields property with a list of fields");
		e[i] = exc_from_info(&ri->exc[i]);
		if (!validate_exception(rs, &e[i], &ri->exc[i].loc, source))
			return false;
	}
	for (uint32_t i = 0; i < ri->nexc; i++)
		publish_exception(rs, &p[i], &e[i]);
	*out = e;
	*pub = p;
	*n = ri->nexc;
	return true;
}

/* ------------------------------------------------------------------ rules */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Tags are a std::set upstream: sorted, unique. */
static void set_tags(struct fc_ruleset *rs, struct fc_rule *r, const char **a, uint32_t na, const char **b,
		     uint32_t nb)
{
	const char **t = fc_arena_alloc(rs->arena, sizeof(*t) * (na + nb + 1));
	mcpy(t, a, sizeof(*t) * na);
	mcpy(t + na, b, sizeof(*t) * nb);
	uint32_t n = na + nb, o = 0;
	qsort(t, n, sizeof(*t), cmp_str);
	for (uint32_t i = 0; i < n; i++)
		if (!o || strcmp(t[o - 1], t[i]))
			t[o++] = t[i];
	r->tags = t;
	r->ntags = o;
}

static struct rule_x *find_rule(struct fc_ruleset *rs, const char *name)
{
	int64_t i = ht_find(&P(rs)->rules, name, strlen(name));
	return i < 0 ? NULL : (struct rule_x *)rs->rules[i];
}

bool fc_collect_rule_define(struct fc_ruleset *rs, const struct fc_rule_info *ri)
{
	struct priv *p = P(rs);
	struct rule_x *x = find_rule(rs, ri->name);
	if (x && strcmp(x->r.source, ri->source))
		return err(rs, ri->ctx, "Rule has been re-defined with a different source");
	bool unknown = strcmp(ri->source, "syscall") != 0;
	if (unknown) /* kept (appends to it stay legal); the compiler skips it */
		warn(rs, FC_LOAD_UNKNOWN_SOURCE, ri->ctx, "Unknown source %s, skipping", ri->source);
	struct exc_priv *exp;
	struct fc_exception *pub;
	uint32_t nexc;
	if (!build_exceptions(rs, ri, !unknown, &exp, &pub, &nexc))
		return false;
	if (!x) {
		x = fc_arena_alloc(rs->arena, sizeof(*x));
		x->r.index = rs->counter;
		rs->rules = grow(rs->arena, rs->rules, rs->nrules, &p->capr, sizeof(*rs->rules));
		rs->rules[rs->nrules] = &x->r;
		ht_put(&p->rules, ri->name, rs->nrules);
		rs->nrules++;
	}
	/* a redefinition replaces everything and keeps the rule's index and place */
	struct fc_rule *r = &x->r;
	x->unknown_source = unknown;
	r->name = ri->name;
	r->loc = ri->loc;
	r->visibility = rs->counter++;
	r->cond = ri->cond;
	r->output = ri->output;
	r->desc = ri->desc;
	r->priority = ri->priority;
	r->source = ri->source;
	r->enabled = ri->enabled;
	r->warn_evttypes = ri->warn_evttypes;
	r->skip_if_unknown_filter = ri->skip_if_unknown_filter;
	r->capture = ri->capture;
	r->capture_duration = ri->capture_duration;
	set_tags(rs, r, ri->tags, ri->ntags, NULL, 0);
	r->exceptions = pub;
	r->nexceptions = nexc;
	x->exp = exp;
	x->excap = nexc;
	r->ctx = *ri->ctx;
	r->cond_ctx = (struct fc_ctx){.item_type = "rule condition", .item_name = "", .loc = ri->cond_loc, .parent = &r->ctx};
	r->out_ctx = (struct fc_ctx){.item_type = "rule output", .item_name = "", .loc = ri->out_loc, .parent = &r->ctx};
	return true;
}

bool fc_collect_rule_append(struct fc_ruleset *rs, const struct fc_rule_info *ri)
{
	struct rule_x *x = find_rule(rs, ri->name);
	if (!x)
		return err(rs, ri->ctx, ERROR_NO_PREVIOUS_RULE_APPEND);
	if (!ri->has)
		return err(rs, ri->ctx, "Appended rule must have exceptions or condition property");
	struct fc_rule *r = &x->r;
	bool source = !x->unknown_source;
	if ((ri->has & FC_RK_CONDITION) && ri->cond.len)
		r->cond = concat(rs, &r->cond, &ri->cond);
	if ((ri->has & FC_RK_OUTPUT) && ri->output.len)
		r->output = concat(rs, &r->output, &ri->output);
	if ((ri->has & FC_RK_DESC) && ri->desc.len)
		r->desc = concat(rs, &r->desc, &ri->desc);
	if (ri->has & FC_RK_TAGS)
		set_tags(rs, r, r->tags, r->ntags, ri->tags, ri->ntags);
	if (ri->has & FC_RK_EXCEPTIONS) {
		for (uint32_t i = 0; i < ri->nexc; i++) {
			const struct fc_exc_info *in = &ri->exc[i];
			uint32_t k = 0;
			while (k < r->nexceptions && strcmp(x->exp[k].ctx->item_name, in->name))
				k++;
			if (k == r->nexceptions) { /* a new exception */
				if (!in->fields.valid)
					return err(rs, in->ctx, "Rule exception must have fields property with a list of fields");
				if (!in->nvalues)
					return err(rs, in->ctx, "Rule exception must have values property with a list of values");
				struct exc_priv e = exc_from_info(in);
				if (!validate_exception(rs, &e, &in->loc, source))
					return false;
				uint32_t cap = x->excap, cap2 = x->excap;
				x->exp = grow(rs->arena, x->exp, r->nexceptions, &cap, sizeof(*x->exp));
				r->exceptions = grow(rs->arena, r->exceptions, r->nexceptions, &cap2, sizeof(*r->exceptions));
				x->excap = cap;
				x->exp[r->nexceptions] = e;
				publish_exception(rs, &r->exceptions[r->nexceptions], &x->exp[r->nexceptions]);
				r->nexceptions++;
			} else { /* only values may be added to an existing one */
				struct exc_priv *e = &x->exp[k];
				if (in->fields.valid)
					return err(rs, in->ctx, "Can not append exception fields to existing exception, only values");
				if (in->comps.valid)
					return err(rs, in->ctx, "Can not append exception comps to existing exception, only values");
				if (in->nvalues) {
					struct fc_exentry *v = fc_arena_alloc(rs->arena, sizeof(*v) * (e->nentries + in->nvalues));
					mcpy(v, e->entries, sizeof(*v) * e->nentries);
					mcpy(v + e->nentries, in->values, sizeof(*v) * in->nvalues);
					e->entries = v;
					e->nentries += in->nvalues;
					e->cap = e->nentries;
					publish_exception(rs, &r->exceptions[k], e);
				}
			}
		}
	}
	r->visibility = rs->counter++;
	return true;
}

bool fc_collect_rule_replace(struct fc_ruleset *rs, const struct fc_rule_info *ri)
{
	struct rule_x *x = find_rule(rs, ri->name);
	if (!x)
		return err(rs, ri->ctx, ERROR_NO_PREVIOUS_RULE_REPLACE);
	if (!ri->has)
		return err(rs, ri->ctx, "The rule must have at least one field that can be replaced");
	struct fc_rule *r = &x->r;
	if (ri->has & FC_RK_EXCEPTIONS) {
		/* upstream does not validate replaced exceptions (and later indexes comps that may be
		 * missing); we validate them like defined ones */
		struct exc_priv *exp;
		struct fc_exception *pub;
		uint32_t n;
		if (!build_exceptions(rs, ri, !x->unknown_source, &exp, &pub, &n))
			return false;
		x->exp = exp;
		x->excap = n;
		r->exceptions = pub;
		r->nexceptions = n;
	}
	if (ri->has & FC_RK_CONDITION)
		r->cond = ri->cond;
	if (ri->has & FC_RK_OUTPUT)
		r->output = ri->output;
	if (ri->has & FC_RK_DESC)
		r->desc = ri->desc;
	if (ri->has & FC_RK_TAGS)
		set_tags(rs, r, ri->tags, ri->ntags, NULL, 0);
	if (ri->has & FC_RK_PRIORITY)
		r->priority = ri->priority;
	if (ri->has & FC_RK_ENABLED)
		r->enabled = ri->enabled;
	if (ri->has & FC_RK_WARN_EVTTYPES)
		r->warn_evttypes = ri->warn_evttypes;
	if (ri->has & FC_RK_SKIP_UNKNOWN)
		r->skip_if_unknown_filter = ri->skip_if_unknown_filter;
	if (ri->has & FC_RK_CAPTURE)
		r->capture = ri->capture;
	if (ri->has & FC_RK_CAPTURE_DURATION)
		r->capture_duration = ri->capture_duration;
	r->visibility = rs->counter++;
	return true;
}

bool fc_collect_rule_enable(struct fc_ruleset *rs, const struct fc_rule_info *ri)
{
	struct rule_x *x = find_rule(rs, ri->name);
	if (!x)
		return err(rs, ri->ctx, "Rule has 'enabled' key but no rule by that name already exists");
	x->r.enabled = ri->enabled;
	return true;
}

/* ------------------------------------------------------------------ condition text */

/* upstream quote_item: "..." around an item holding a space, unless it starts with a quote */
static bool needs_quotes(const struct fc_text *t)
{
	return t->len && memchr(t->s, ' ', t->len) && t->s[0] != '"' && t->s[0] != '\'';
}

static void tb_quoted(struct fc_ruleset *rs, const struct fc_text *t)
{
	bool q = needs_quotes(t);
	if (q)
		tb_lit(rs, "\"", text_start(t));
	tb_text(rs, t);
	if (q)
		tb_lit(rs, "\"", text_start(t));
}

/* Upstream throws these while building the text (LOAD_ERR_VALIDATE); we report them and leave
 * the exception out. */
static bool exception_shape_ok(struct fc_ruleset *rs, const struct exc_priv *e)
{
	for (uint32_t v = 0; v < e->nentries; v++) {
		const struct fc_exentry *en = &e->entries[v];
		if (!e->fields.is_list && en->is_list)
			return err(rs, e->ctx, "Expected values array to contain a list of strings");
		if (e->fields.is_list && (en->is_list ? en->nelems : 0) != e->fields.nitems)
			return err(rs, e->ctx, "Fields and values lists must have equal length");
	}
	return true;
}

static void gen_exception(struct fc_ruleset *rs, const struct exc_priv *e)
{
	struct fc_loc exloc = e->ctx->loc;
	tb_lit(rs, " and not ", exloc);
	if (!e->fields.is_list) {
		/* (f c (v1, v2)) */
		const struct fc_text *f = &e->fields.items[0], *c = &e->comps.items[0];
		tb_lit(rs, "(", text_start(f));
		tb_text(rs, f);
		tb_lit(rs, " ", text_start(c));
		tb_text(rs, c);
		for (uint32_t v = 0; v < e->nentries; v++) {
			const struct fc_text *t = &e->entries[v].text;
			tb_lit(rs, v ? ", " : " (", text_start(t));
			tb_quoted(rs, t);
		}
		tb_lit(rs, "))", exloc);
		return;
	}
	/* (( f1 c1 v1 and  f2 c2 v2) or ( ...)) */
	tb_lit(rs, "(", exloc);
	for (uint32_t v = 0; v < e->nentries; v++) {
		const struct fc_exentry *en = &e->entries[v];
		tb_lit(rs, v ? " or (" : "(", en->nelems ? text_start(&en->elems[0].items[0]) : exloc);
		for (uint32_t k = 0; k < e->fields.nitems; k++) {
			const struct fc_text *f = &e->fields.items[k], *c = &e->comps.items[k];
			const struct fc_exval *x = &en->elems[k];
			if (k)
				tb_lit(rs, " and ", text_start(f));
			tb_lit(rs, " ", text_start(f)); /* upstream: " and " + " " + field: two blanks */
			tb_text(rs, f);
			tb_lit(rs, " ", text_start(c));
			tb_text(rs, c);
			struct fc_loc vloc = x->nitems ? text_start(&x->items[0]) : exloc;
			tb_lit(rs, " ", vloc);
			if (x->is_list) {
				tb_lit(rs, "(", vloc);
				for (uint32_t i = 0; i < x->nitems; i++) {
					if (i)
						tb_lit(rs, ", ", text_start(&x->items[i]));
					tb_quoted(rs, &x->items[i]);
				}
				tb_lit(rs, ")", vloc);
			} else if (is_list_operator(c->s)) { /* upstream paren_item: "(v)" unless it starts with '(' */
				bool paren = !x->items[0].len || x->items[0].s[0] != '(';
				if (paren)
					tb_lit(rs, "(", vloc);
				tb_text(rs, &x->items[0]);
				if (paren)
					tb_lit(rs, ")", vloc);
			} else {
				tb_quoted(rs, &x->items[0]);
			}
		}
		tb_lit(rs, ")", exloc);
	}
	tb_lit(rs, ")", exloc);
}

void fc_rule_condition_text(struct fc_ruleset *rs, const struct fc_rule *r, struct fc_text *out)
{
	const struct rule_x *x = (const struct rule_x *)r;
	if (!r->nexceptions) {
		*out = r->cond;
		return;
	}
	/* upstream: condition = "(" + condition + ")" as soon as the rule has exceptions */
	bool *ok = fc_arena_alloc(rs->arena, sizeof(*ok) * r->nexceptions);
	for (uint32_t k = 0; k < r->nexceptions; k++)
		ok[k] = exception_shape_ok(rs, &x->exp[k]);
	struct fc_loc start = text_start(&r->cond);
	tb_begin(rs);
	tb_lit(rs, "(", start);
	tb_text(rs, &r->cond);
	tb_lit(rs, ")", r->cond.len ? fc_srcmap_loc(&r->cond.map, r->cond.len - 1) : start);
	for (uint32_t k = 0; k < r->nexceptions; k++)
		if (ok[k] && x->exp[k].nentries) /* an exception without values adds nothing */
			gen_exception(rs, &x->exp[k]);
	*out = tb_end(rs, r->cond.loc);
}

/* ------------------------------------------------------------------ ruleset */

void fc_ruleset_init(struct fc_ruleset *rs, struct fc_arena *a, struct fc_diags *d)
{
	memset(rs, 0, sizeof(*rs));
	rs->arena = a;
	rs->diags = d;
	rs->max_expansion = FC_MAX_EXPANSION;
	rs->priv = calloc(1, sizeof(struct priv));
	if (!rs->priv)
		abort();
}

void fc_ruleset_free(struct fc_ruleset *rs)
{
	struct priv *p = rs->priv;
	if (!p)
		return;
	free(p->lists.s);
	free(p->macros.s);
	free(p->rules.s);
	fc_srcmap_free(&p->scratch);
	fc_buf_free(&p->buf);
	for (uint32_t i = 0; i < rs->nfiles; i++) {
		free(rs->files[i]->line_off);
		rs->files[i]->line_off = NULL;
		rs->files[i]->nlines = 0;
	}
	free(p);
	rs->priv = NULL;
}

static struct fc_source *add_source(struct fc_ruleset *rs, const char *name, const char *text, size_t len)
{
	struct priv *p = P(rs);
	struct fc_source *src = fc_arena_alloc(rs->arena, sizeof(*src));
	src->name = fc_arena_strdup(rs->arena, name);
	src->text = fc_arena_strndup(rs->arena, text ? text : "", text ? len : 0);
	src->len = text ? len : 0;
	rs->files = grow(rs->arena, rs->files, rs->nfiles, &p->capf, sizeof(*rs->files));
	rs->files[rs->nfiles++] = src;
	return src;
}

static const struct fc_ctx *root_frame(struct fc_ruleset *rs, struct fc_source *src)
{
	struct fc_ctx *root = fc_arena_alloc(rs->arena, sizeof(*root));
	*root = (struct fc_ctx){.item_type = "rules content", .item_name = "", .loc = {.src = src}};
	return root;
}

static bool load_source(struct fc_ruleset *rs, struct fc_source *src)
{
	bool ok = fc_yaml_read(rs, src, root_frame(rs, src));
	expand_lists(rs);
	return ok;
}

bool fc_ruleset_load_text(struct fc_ruleset *rs, const char *name, const char *text, size_t len)
{
	return load_source(rs, add_source(rs, name, text, len));
}

bool fc_ruleset_load_file(struct fc_ruleset *rs, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	struct fc_buf b = {0};
	bool ok = f != NULL;
	if (f) {
		char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			fc_buf_add(&b, chunk, n);
		ok = !ferror(f);
		if (f != stdin)
			fclose(f);
	}
	if (!ok) {
		struct fc_source *src = add_source(rs, path, NULL, 0);
		fc_diag(rs->diags, FC_LOAD_ERR_FILE_READ, root_frame(rs, src), (struct fc_loc){0},
			"Could not open file %s for reading", path);
		fc_buf_free(&b);
		return false;
	}
	struct fc_source *src = add_source(rs, path, b.p, b.len);
	fc_buf_free(&b);
	return load_source(rs, src);
}
