/* fakeevt.c — owns the fake event of the VM tests (fakeevt.h): its value table, the text form
 * (parsing and printing), the ancestor derivation and the counting extractor. Values are
 * parsed against the catalog type of the field, so a test's `proc.pid=12` yields the same
 * FC_V_I64 the state engine would. */
#include "fakeevt.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "fields.h"

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static void *own(struct fc_fake_evt *e, void *p)
{
	if (e->nmem == e->capmem) {
		e->capmem = e->capmem ? e->capmem * 2 : 64;
		e->mem = xrealloc(e->mem, sizeof(*e->mem) * e->capmem);
	}
	e->mem[e->nmem++] = p;
	return p;
}

static char *own_bytes(struct fc_fake_evt *e, const char *s, size_t n)
{
	char *p = own(e, xmalloc(n + 1));
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static bool fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

void fc_fake_init(struct fc_fake_evt *e)
{
	memset(e, 0, sizeof *e);
	fc_fake_set_type(e, "open");
}

static void free_calls(struct fc_fake_evt *e)
{
	for (uint32_t i = 0; i < e->ncalls; i++)
		free(e->calls[i].arg);
	e->ncalls = 0;
	e->total_calls = 0;
}

void fc_fake_clear(struct fc_fake_evt *e)
{
	for (uint32_t i = 0; i < e->nmem; i++)
		free(e->mem[i]);
	e->nmem = 0;
	e->nitems = 0;
	free_calls(e);
	fc_fake_set_type(e, "open");
}

void fc_fake_free(struct fc_fake_evt *e)
{
	fc_fake_clear(e);
	free(e->mem);
	free(e->items);
	free(e->calls);
	memset(e, 0, sizeof *e);
}

bool fc_fake_set_type(struct fc_fake_evt *e, const char *name)
{
	int any = -1;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		if (strcmp(fc_events[c].name, name))
			continue;
		if (any < 0)
			any = (int)c;
		if ((c & 1) && !(fc_events[c].flags & (FC_EF_OLD_VERSION | FC_EF_UNUSED))) {
			any = (int)c;
			break;
		}
	}
	if (any < 0)
		return false;
	e->code = (uint16_t)any;
	e->type_name = fc_events[any].name;
	return true;
}

/* ---- field references ------------------------------------------------------------------ */

/* Splits "name[arg]" and resolves it through the catalog. */
static bool resolve(const char *field, struct fc_fieldref *ref, char *err, size_t errlen)
{
	char name[256], arg[256];
	const char *lb = strchr(field, '[');
	size_t n = lb ? (size_t)(lb - field) : strlen(field);
	if (n >= sizeof name)
		return fail(err, errlen, "field name too long: %s", field);
	memcpy(name, field, n);
	name[n] = 0;
	const char *a = NULL;
	if (lb) {
		const char *rb = strchr(lb, ']');
		if (!rb || rb[1] || (size_t)(rb - lb - 1) >= sizeof arg)
			return fail(err, errlen, "bad field argument in %s", field);
		memcpy(arg, lb + 1, (size_t)(rb - lb - 1));
		arg[rb - lb - 1] = 0;
		a = arg;
	}
	char msg[512];
	if (!fc_field_resolve(name, a, ref, msg, sizeof msg))
		return fail(err, errlen, "%s", msg);
	return true;
}

static bool same_spec(enum fc_field_id id, bool has_arg, bool is_index, int64_t index, const char *arg,
		      const struct fc_fieldspec *f)
{
	if (f->id != id || f->has_arg != has_arg)
		return false;
	if (!has_arg)
		return true;
	if (is_index && f->arg_is_index)
		return index == f->index;
	return !strcmp(arg, f->arg ? f->arg : "");
}

/* ---- values ---------------------------------------------------------------------------- */

static bool is_signed(enum fc_ptype t)
{
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_ERRNO: case PT_FD: case PT_PID:
	case PT_FD32: case PT_PID32:
		return true;
	default:
		return false;
	}
}

/* Converts text S/N to a scalar of type T. */
static bool scalar(struct fc_fake_evt *e, enum fc_ptype t, const char *s, size_t n, struct fc_val *out, char *err,
		   size_t errlen)
{
	char tmp[128];
	memset(out, 0, sizeof *out);
	if (fc_ptype_is_string(t) || t == PT_BYTEBUF || t == PT_DYN) {
		out->kind = t == PT_BYTEBUF ? FC_V_BUF : FC_V_STR;
		out->s = own_bytes(e, s, n);
		out->len = (uint32_t)n;
		return true;
	}
	if (n >= sizeof tmp)
		return fail(err, errlen, "value too long for a %s: %.*s", fc_ptype_name(t), (int)n, s);
	memcpy(tmp, s, n);
	tmp[n] = 0;
	char *end = NULL;
	if (t == PT_BOOL) {
		out->kind = FC_V_U64;
		if (!strcmp(tmp, "true") || !strcmp(tmp, "1"))
			out->u = 1;
		else if (!strcmp(tmp, "false") || !strcmp(tmp, "0"))
			out->u = 0;
		else
			return fail(err, errlen, "not a boolean: %s", tmp);
		return true;
	}
	if (t == PT_DOUBLE) {
		out->kind = FC_V_DBL;
		out->d = strtod(tmp, &end);
		if (!*tmp || *end)
			return fail(err, errlen, "not a number: %s", tmp);
		return true;
	}
	if (fc_ptype_is_ip(t)) {
		unsigned char a[16];
		if (strchr(tmp, '.')) {
			if (inet_pton(AF_INET, tmp, a) != 1)
				return fail(err, errlen, "not an IPv4 address: %s", tmp);
			out->kind = FC_V_IPV4;
			out->u = (uint64_t)a[0] | (uint64_t)a[1] << 8 | (uint64_t)a[2] << 16 | (uint64_t)a[3] << 24;
		} else {
			if (inet_pton(AF_INET6, tmp, a) != 1)
				return fail(err, errlen, "not an IPv6 address: %s", tmp);
			out->kind = FC_V_IPV6;
			out->s = own_bytes(e, (const char *)a, 16);
			out->len = 16;
		}
		return true;
	}
	if (!*tmp)
		return fail(err, errlen, "empty number");
	if (is_signed(t)) {
		out->kind = FC_V_I64;
		out->i = strtoll(tmp, &end, 10);
	} else {
		out->kind = FC_V_U64;
		out->u = strtoull(tmp, &end, 10);
	}
	if (*end)
		return fail(err, errlen, "not a decimal number: %s", tmp);
	return true;
}

/* A value as read from text: missing, one item, or a parenthesised list. */
struct pitem {
	const char *s;
	size_t n;
};
struct pval {
	enum { PV_MISSING, PV_SCALAR, PV_LIST } kind;
	struct pitem *items;
	uint32_t n, cap;
};

static void pval_push(struct fc_fake_evt *e, struct pval *v, const char *s, size_t n)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = xrealloc(v->items, sizeof(*v->items) * v->cap);
	}
	v->items[v->n++] = (struct pitem){own_bytes(e, s, n), n};
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads a "quoted" string at *P (on the quote) into OUT (malloc'd by the caller's buffer). */
static bool quoted(const char **p, char *out, size_t *outn, size_t cap, char *err, size_t errlen)
{
	const char *s = *p + 1;
	size_t n = 0;
	for (;;) {
		if (!*s)
			return fail(err, errlen, "unterminated quoted value");
		if (*s == '"')
			break;
		if (n + 1 >= cap)
			return fail(err, errlen, "quoted value too long");
		if (*s == '\\') {
			s++;
			switch (*s) {
			case 'n': out[n++] = '\n'; break;
			case 't': out[n++] = '\t'; break;
			case '\\': out[n++] = '\\'; break;
			case '"': out[n++] = '"'; break;
			case 'x': {
				int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);
				if (h < 0 || l < 0)
					return fail(err, errlen, "bad \\x escape");
				out[n++] = (char)(h * 16 + l);
				s += 2;
				break;
			}
			default:
				return fail(err, errlen, "unknown escape \\%c", *s ? *s : '0');
			}
			s++;
			continue;
		}
		out[n++] = *s++;
	}
	*p = s + 1;
	*outn = n;
	return true;
}

static const char *skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Reads one item (quoted, or bare up to a character of STOP) and pushes it. */
static bool item(struct fc_fake_evt *e, const char **p, const char *stop, struct pval *v, char *err, size_t errlen)
{
	const char *s = skip_blank(*p);
	if (*s == '"') {
		size_t cap = strlen(s) + 1, n = 0;
		char *buf = xmalloc(cap);
		bool ok = quoted(&s, buf, &n, cap, err, errlen);
		if (ok)
			pval_push(e, v, buf, n);
		free(buf);
		if (!ok)
			return false;
		*p = skip_blank(s);
		return true;
	}
	const char *b = s;
	while (*s && !strchr(stop, *s))
		s++;
	const char *t = s;
	while (t > b && (t[-1] == ' ' || t[-1] == '\t'))
		t--;
	pval_push(e, v, b, (size_t)(t - b));
	*p = s;
	return true;
}

/* Parses a value text at *P, stopping at ';' or the end. */
static bool parse_value(struct fc_fake_evt *e, const char **p, struct pval *v, char *err, size_t errlen)
{
	const char *s = skip_blank(*p);
	memset(v, 0, sizeof *v);
	if (*s == '(') {
		v->kind = PV_LIST;
		s = skip_blank(s + 1);
		if (*s == ')') {
			*p = s + 1;
			return true;
		}
		for (;;) {
			if (!item(e, &s, ",);", v, err, errlen))
				return false;
			s = skip_blank(s);
			if (*s == ',') {
				s++;
				continue;
			}
			if (*s == ')') {
				*p = s + 1;
				return true;
			}
			return fail(err, errlen, "expected ',' or ')' in a list value");
		}
	}
	if (!strncmp(s, "<missing>", 9)) {
		const char *t = skip_blank(s + 9);
		if (!*t || *t == ';') {
			v->kind = PV_MISSING;
			*p = t;
			return true;
		}
	}
	v->kind = PV_SCALAR;
	if (!item(e, &s, ";", v, err, errlen))
		return false;
	*p = s;
	return true;
}

static struct fc_fake_item *slot_for(struct fc_fake_evt *e, const struct fc_fieldref *ref)
{
	for (uint32_t i = 0; i < e->nitems; i++) {
		struct fc_fake_item *it = &e->items[i];
		struct fc_fieldspec f = {.id = ref->id, .has_arg = ref->has_arg, .arg_is_index = ref->arg_is_index,
					 .index = ref->index, .arg = ref->arg};
		if (same_spec(it->id, it->has_arg, it->arg_is_index, it->index, it->arg, &f))
			return it;
	}
	if (e->nitems == e->capitems) {
		e->capitems = e->capitems ? e->capitems * 2 : 32;
		e->items = xrealloc(e->items, sizeof(*e->items) * e->capitems);
	}
	struct fc_fake_item *it = &e->items[e->nitems++];
	memset(it, 0, sizeof *it);
	return it;
}

static bool is_multi(const struct fc_fieldref *ref)
{
	return ref->flags & (FC_FF_IS_LIST | FC_FF_ANCESTORS);
}

static bool store(struct fc_fake_evt *e, const char *field, const struct fc_fieldref *ref, const struct fc_val *v)
{
	struct fc_fake_item *it = slot_for(e, ref);
	it->id = ref->id;
	it->has_arg = ref->has_arg;
	it->arg_is_index = ref->arg_is_index;
	it->index = ref->index;
	it->arg = own_bytes(e, ref->arg, strlen(ref->arg));
	it->text = own_bytes(e, field, strlen(field));
	it->type = ref->type;
	it->flags = ref->flags;
	it->val = *v;
	return true;
}

static bool set_parsed(struct fc_fake_evt *e, const char *field, const struct pval *pv, char *err, size_t errlen)
{
	if (!strcmp(field, "evt.type")) {
		if (pv->kind != PV_SCALAR)
			return fail(err, errlen, "evt.type needs one event name");
		if (!fc_fake_set_type(e, pv->items[0].s))
			return fail(err, errlen, "no event named %s", pv->items[0].s);
		return true;
	}
	struct fc_fieldref ref;
	if (!resolve(field, &ref, err, errlen))
		return false;
	struct fc_val v = {.kind = FC_V_NONE};
	if (pv->kind == PV_MISSING)
		return store(e, field, &ref, &v);
	bool multi = is_multi(&ref);
	if (pv->kind == PV_LIST && !multi)
		return fail(err, errlen, "%s is not a list or ancestor field", field);
	if (!multi)
		return scalar(e, ref.type, pv->items[0].s, pv->items[0].n, &v, err, errlen) && store(e, field, &ref, &v);
	if (pv->n == 0) /* an empty list extracts as missing (value.h) */
		return store(e, field, &ref, &v);
	struct fc_val *items = own(e, xmalloc(sizeof(*items) * pv->n));
	for (uint32_t i = 0; i < pv->n; i++)
		if (!scalar(e, ref.type, pv->items[i].s, pv->items[i].n, &items[i], err, errlen))
			return false;
	v.kind = FC_V_LIST;
	v.len = pv->n;
	v.items = items;
	return store(e, field, &ref, &v);
}

bool fc_fake_set(struct fc_fake_evt *e, const char *field, const char *value, char *err, size_t errlen)
{
	struct pval pv;
	const char *p = value;
	bool ok = parse_value(e, &p, &pv, err, errlen);
	if (ok && *skip_blank(p))
		ok = fail(err, errlen, "trailing text after the value of %s: %s", field, p);
	if (ok)
		ok = set_parsed(e, field, &pv, err, errlen);
	free(pv.items);
	return ok;
}

static struct fc_val copy_scalar(struct fc_fake_evt *e, const struct fc_val *v)
{
	struct fc_val c = *v;
	if (v->kind == FC_V_STR || v->kind == FC_V_BUF || v->kind == FC_V_IPV6)
		c.s = own_bytes(e, v->s, v->len);
	return c;
}

bool fc_fake_set_val(struct fc_fake_evt *e, const char *field, const struct fc_val *v, char *err, size_t errlen)
{
	struct fc_fieldref ref;
	if (!resolve(field, &ref, err, errlen))
		return false;
	struct fc_val c = *v;
	if (v->kind == FC_V_LIST) {
		if (!is_multi(&ref))
			return fail(err, errlen, "%s is not a list or ancestor field", field);
		if (!v->len) {
			c.kind = FC_V_NONE;
		} else {
			struct fc_val *items = own(e, xmalloc(sizeof(*items) * v->len));
			for (uint32_t i = 0; i < v->len; i++)
				items[i] = copy_scalar(e, &v->items[i]);
			c.items = items;
		}
	} else {
		c = copy_scalar(e, v);
	}
	return store(e, field, &ref, &c);
}

bool fc_fake_parse(struct fc_fake_evt *e, const char *line, char *err, size_t errlen)
{
	fc_fake_clear(e);
	const char *p = line;
	for (;;) {
		p = skip_blank(p);
		if (!*p)
			return true;
		const char *eq = strchr(p, '=');
		if (!eq)
			return fail(err, errlen, "expected field=value at: %s", p);
		const char *ke = eq;
		while (ke > p && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		char field[256];
		if ((size_t)(ke - p) >= sizeof field || ke == p)
			return fail(err, errlen, "bad field name at: %s", p);
		memcpy(field, p, (size_t)(ke - p));
		field[ke - p] = 0;
		p = eq + 1;
		struct pval pv;
		bool ok = parse_value(e, &p, &pv, err, errlen);
		if (ok)
			ok = set_parsed(e, field, &pv, err, errlen);
		free(pv.items);
		if (!ok)
			return false;
		p = skip_blank(p);
		if (*p == ';')
			p++;
		else if (*p)
			return fail(err, errlen, "expected ';' after the value of %s, at: %s", field, p);
	}
}

/* ---- printing -------------------------------------------------------------------------- */

struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->used < o->len ? o->len - o->used : 0;
	int n = vsnprintf(room ? o->buf + o->used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n;
}

static void put_bytes(struct out *o, const char *s, size_t n)
{
	bool bare = n > 0 && s[0] != ' ' && s[n - 1] != ' ' && strncmp(s, "<missing>", 9);
	for (size_t i = 0; i < n && bare; i++)
		if (strchr(";,()\"=\\", s[i]) || !isprint((unsigned char)s[i]))
			bare = false;
	if (bare) {
		put(o, "%.*s", (int)n, s);
		return;
	}
	put(o, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (isprint(c))
			put(o, "%c", c);
		else
			put(o, "\\x%02x", c);
	}
	put(o, "\"");
}

static void put_scalar(struct out *o, const struct fc_val *v, enum fc_ptype t)
{
	char ip[64];
	switch (v->kind) {
	case FC_V_U64:
		if (t == PT_BOOL)
			put(o, "%s", v->u ? "true" : "false");
		else
			put(o, "%" PRIu64, v->u);
		break;
	case FC_V_I64:
		put(o, "%" PRId64, v->i);
		break;
	case FC_V_DBL:
		put(o, "%.17g", v->d);
		break;
	case FC_V_STR:
	case FC_V_BUF:
		put_bytes(o, v->s, v->len);
		break;
	case FC_V_IPV4: {
		unsigned char a[4] = {(unsigned char)v->u, (unsigned char)(v->u >> 8), (unsigned char)(v->u >> 16),
				      (unsigned char)(v->u >> 24)};
		inet_ntop(AF_INET, a, ip, sizeof ip);
		put(o, "%s", ip);
		break;
	}
	case FC_V_IPV6:
		inet_ntop(AF_INET6, v->s, ip, sizeof ip);
		put(o, "%s", ip);
		break;
	default:
		put(o, "<missing>");
	}
}

size_t fc_fake_format(const struct fc_fake_evt *e, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	if (len)
		buf[0] = 0;
	put(&o, "evt.type=%s", e->type_name);
	for (uint32_t i = 0; i < e->nitems; i++) {
		const struct fc_fake_item *it = &e->items[i];
		put(&o, "; %s=", it->text);
		if (it->val.kind == FC_V_LIST) {
			put(&o, "(");
			for (uint32_t j = 0; j < it->val.len; j++) {
				if (j)
					put(&o, ", ");
				put_scalar(&o, &it->val.items[j], it->type);
			}
			put(&o, ")");
		} else {
			put_scalar(&o, &it->val, it->type);
		}
	}
	return o.used;
}

/* ---- extraction ------------------------------------------------------------------------ */

static void count_call(struct fc_fake_evt *e, const struct fc_fieldspec *f)
{
	e->total_calls++;
	for (uint32_t i = 0; i < e->ncalls; i++) {
		struct fc_fake_call *c = &e->calls[i];
		if (same_spec(c->id, c->has_arg, c->arg_is_index, c->index, c->arg, f)) {
			c->n++;
			return;
		}
	}
	if (e->ncalls == e->capcalls) {
		e->capcalls = e->capcalls ? e->capcalls * 2 : 32;
		e->calls = xrealloc(e->calls, sizeof(*e->calls) * e->capcalls);
	}
	const char *a = f->arg ? f->arg : "";
	char *arg = xmalloc(strlen(a) + 1);
	strcpy(arg, a);
	e->calls[e->ncalls++] = (struct fc_fake_call){f->id, f->has_arg, f->arg_is_index, f->index, arg, 1};
}

static const struct fc_fake_item *find(const struct fc_fake_evt *e, enum fc_field_id id, bool has_arg, bool is_index,
				       int64_t index, const char *arg)
{
	struct fc_fieldspec f = {.id = id, .has_arg = has_arg, .arg_is_index = is_index, .index = index, .arg = arg};
	for (uint32_t i = 0; i < e->nitems; i++) {
		const struct fc_fake_item *it = &e->items[i];
		if (same_spec(it->id, it->has_arg, it->arg_is_index, it->index, it->arg, &f))
			return it;
	}
	return NULL;
}

/* Ancestor field → the process's own field, for level 0. */
static const struct {
	enum fc_field_id anc, self;
} self_of[] = {
	{FC_F_PROC_ANAME, FC_F_PROC_NAME},       {FC_F_PROC_APID, FC_F_PROC_PID},
	{FC_F_PROC_AEXE, FC_F_PROC_EXE},         {FC_F_PROC_AEXEPATH, FC_F_PROC_EXEPATH},
	{FC_F_PROC_ACMDLINE, FC_F_PROC_CMDLINE},
};

static bool fake_extract(void *ctx, const struct fc_fieldspec *f, struct fc_val *out)
{
	struct fc_fake_evt *e = ctx;
	count_call(e, f);
	out->kind = FC_V_NONE;
	const struct fc_fake_item *it = find(e, f->id, f->has_arg, f->arg_is_index, f->index, f->arg ? f->arg : "");
	if (it) {
		*out = it->val;
		return out->kind != FC_V_NONE;
	}
	if ((f->id == FC_F_EVT_TYPE || f->id == FC_F_SYSCALL_TYPE) && !f->has_arg) {
		out->kind = FC_V_STR;
		out->s = e->type_name;
		out->len = (uint32_t)strlen(e->type_name);
		return true;
	}
	/* ancestor at a level: from the ancestor list (parent first), or the process itself */
	if (f->has_arg && f->arg_is_index && (fc_fields[f->id].flags & FC_FF_ANCESTORS)) {
		if (f->index == 0) {
			for (size_t i = 0; i < sizeof self_of / sizeof self_of[0]; i++)
				if (self_of[i].anc == f->id && (it = find(e, self_of[i].self, false, false, 0, "")))
					*out = it->val;
		} else if (f->index > 0 && (it = find(e, f->id, false, false, 0, "")) && it->val.kind == FC_V_LIST &&
			   (uint64_t)f->index <= it->val.len) {
			*out = it->val.items[f->index - 1];
		}
	}
	return out->kind != FC_V_NONE;
}

struct fc_extractor fc_fake_extractor(struct fc_fake_evt *e)
{
	return (struct fc_extractor){fake_extract, e};
}

void fc_fake_reset_calls(struct fc_fake_evt *e)
{
	free_calls(e);
}

uint32_t fc_fake_max_calls(const struct fc_fake_evt *e)
{
	uint32_t m = 0;
	for (uint32_t i = 0; i < e->ncalls; i++)
		if (e->calls[i].n > m)
			m = e->calls[i].n;
	return m;
}
