/* json.c — a small, strict JSON reader (RFC 8259) for the state engine's inputs: the container
 * metadata file (docker-inspect form) and the container JSON events of old captures. It builds
 * a tree of fc_json nodes; strings are unescaped to UTF-8 (\uXXXX with surrogate pairs).
 * Nesting is capped so hostile input cannot exhaust the stack, and every read is bounded by
 * the input length. A parse allocates from one arena (strings, member arrays and the root),
 * freed whole by fc_json_free: a container event's JSON is parsed per event in replay, and a
 * malloc per string and a realloc per growing member list were half of its cost. */
#include "state_int.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

/* Bump-allocated chunks, freed together. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(max_align_t) unsigned char data[];
};

struct jp {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	bool failed;
	struct chunk *arena;
	struct fc_json *stack; /* members of the open containers, copied out when one closes */
	uint32_t sp, scap;
};

static void fail(struct jp *p, const char *msg)
{
	if (p->failed)
		return;
	p->failed = true;
	size_t line = 1, col = 1;
	for (size_t i = 0; i < p->pos && i < p->len; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%zu:%zu: %s", line, col, msg);
}

static void *alloc(struct jp *p, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct chunk *c = p->arena;
	if (!c || c->cap - c->used < n) {
		size_t cap = c ? 2 * c->cap : p->len + 256; /* the strings need at most len bytes */
		if (cap < n)
			cap = n;
		c = malloc(sizeof(*c) + cap);
		if (!c) {
			fail(p, "out of memory");
			return NULL;
		}
		c->cap = cap;
		c->used = 0;
		c->next = p->arena;
		p->arena = c;
	}
	void *r = c->data + c->used;
	c->used += n;
	return r;
}

static void ws(struct jp *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(struct jp *p, uint32_t *out)
{
	if (p->len - p->pos < 4)
		return false;
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexv(p->s[p->pos + (size_t)i]);
		if (h < 0)
			return false;
		v = v << 4 | (uint32_t)h;
	}
	p->pos += 4;
	*out = v;
	return true;
}

static size_t put_utf8(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* At the opening quote. The unescaped text is never longer than the escaped one. */
static char *string(struct jp *p, size_t *olen)
{
	p->pos++;
	size_t start = p->pos, end = start;
	bool plain = true; /* no escape, no control character: the text is the value */
	while (end < p->len && p->s[end] != '"') {
		unsigned char c = (unsigned char)p->s[end];
		if (c == '\\') {
			plain = false;
			end++;
		}
		plain &= c >= 0x20;
		end++;
	}
	if (end >= p->len) {
		fail(p, "unterminated string");
		return NULL;
	}
	char *d = alloc(p, end - start + 1);
	if (!d)
		return NULL;
	if (plain) {
		memcpy(d, p->s + start, end - start);
		d[end - start] = 0;
		*olen = end - start;
		p->pos = end + 1;
		return d;
	}
	size_t n = 0;
	while (p->pos < end) {
		unsigned char c = (unsigned char)p->s[p->pos++];
		if (c < 0x20) {
			fail(p, "control character in string");
			return NULL;
		}
		if (c != '\\') {
			d[n++] = (char)c;
			continue;
		}
		char e = p->s[p->pos++];
		switch (e) {
		case '"':
		case '\\':
		case '/':
			d[n++] = e;
			break;
		case 'b':
			d[n++] = '\b';
			break;
		case 'f':
			d[n++] = '\f';
			break;
		case 'n':
			d[n++] = '\n';
			break;
		case 'r':
			d[n++] = '\r';
			break;
		case 't':
			d[n++] = '\t';
			break;
		case 'u': {
			uint32_t cp, lo;
			if (!hex4(p, &cp)) {
				fail(p, "bad \\u escape");
				return NULL;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && p->pos + 6 <= end && p->s[p->pos] == '\\' &&
			    p->s[p->pos + 1] == 'u') {
				p->pos += 2;
				if (!hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff) {
					fail(p, "bad surrogate pair");
					return NULL;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			n += put_utf8(d + n, cp);
			break;
		}
		default:
			fail(p, "bad escape");
			return NULL;
		}
	}
	p->pos = end + 1;
	d[n] = 0;
	*olen = n;
	return d;
}

static bool value(struct jp *p, struct fc_json *v, int depth);

/* A parsed member onto the stack of open containers' members. */
static bool push(struct jp *p, const struct fc_json *k)
{
	if (p->sp == p->scap) {
		uint32_t nc = p->scap ? p->scap * 2 : 64;
		struct fc_json *ns = nc > p->scap ? realloc(p->stack, sizeof(*ns) * nc) : NULL;
		if (!ns) {
			fail(p, "out of memory");
			return false;
		}
		p->stack = ns;
		p->scap = nc;
	}
	p->stack[p->sp++] = *k;
	return true;
}

static bool container(struct jp *p, struct fc_json *v, int depth, bool obj)
{
	if (depth > MAX_DEPTH) {
		fail(p, "nesting too deep");
		return false;
	}
	v->type = obj ? FC_J_OBJ : FC_J_ARR;
	p->pos++;
	ws(p);
	char close = obj ? '}' : ']';
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return true;
	}
	uint32_t base = p->sp; /* this container's members: stack[base..sp) once parsed */
	for (;;) {
		ws(p);
		struct fc_json k = {0}; /* not on the stack yet: nested members may move it */
		if (obj) {
			if (p->pos >= p->len || p->s[p->pos] != '"') {
				fail(p, "expected a member name");
				return false;
			}
			k.key = string(p, &k.klen);
			if (!k.key)
				return false;
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				fail(p, "expected ':'");
				return false;
			}
			p->pos++;
		}
		if (!value(p, &k, depth + 1) || !push(p, &k))
			return false;
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			v->n = p->sp - base;
			v->kids = alloc(p, sizeof(*v->kids) * v->n);
			if (!v->kids)
				return false;
			memcpy(v->kids, p->stack + base, sizeof(*v->kids) * v->n);
			p->sp = base;
			return true;
		}
		fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		return false;
	}
}

static bool literal(struct jp *p, const char *w)
{
	size_t n = strlen(w);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n)) {
		fail(p, "unexpected token");
		return false;
	}
	p->pos += n;
	return true;
}

static bool value(struct jp *p, struct fc_json *v, int depth)
{
	ws(p);
	if (p->pos >= p->len) {
		fail(p, "unexpected end of input");
		return false;
	}
	char c = p->s[p->pos];
	switch (c) {
	case '{':
		return container(p, v, depth, true);
	case '[':
		return container(p, v, depth, false);
	case '"':
		v->type = FC_J_STR;
		v->str = string(p, &v->len);
		return v->str != NULL;
	case 't':
		v->type = FC_J_BOOL;
		v->b = true;
		return literal(p, "true");
	case 'f':
		v->type = FC_J_BOOL;
		return literal(p, "false");
	case 'n':
		v->type = FC_J_NULL;
		return literal(p, "null");
	default:
		break;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		size_t s = p->pos;
		while (p->pos < p->len && strchr("+-0123456789.eE", p->s[p->pos]))
			p->pos++;
		char buf[64];
		size_t n = p->pos - s;
		if (n >= sizeof(buf)) {
			fail(p, "number too long");
			return false;
		}
		memcpy(buf, p->s + s, n);
		buf[n] = 0;
		char *end;
		v->type = FC_J_NUM;
		v->num = strtod(buf, &end);
		if (*end || !isfinite(v->num)) {
			fail(p, "bad number");
			return false;
		}
		return true;
	}
	fail(p, "unexpected character");
	return false;
}

static void arena_free(struct chunk *c)
{
	while (c) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
}

/* The root node, with the arena of its parse beside it (not in every node). */
struct jroot {
	struct chunk *arena;
	struct fc_json j;
};

void fc_json_free(struct fc_json *j)
{
	if (j) /* the root lives in its own arena */
		arena_free(((struct jroot *)((char *)j - offsetof(struct jroot, j)))->arena);
}

struct fc_json *fc_json_parse(const char *s, size_t len, char *err, size_t errlen)
{
	struct jp p = {.s = s, .len = len, .err = err, .errlen = errlen};
	struct jroot *r = alloc(&p, sizeof(*r));
	if (r) {
		*r = (struct jroot){0};
		if (value(&p, &r->j, 0)) {
			ws(&p);
			if (p.pos != p.len)
				fail(&p, "trailing characters after the value");
		}
	}
	free(p.stack);
	if (p.failed) {
		arena_free(p.arena);
		return NULL;
	}
	r->arena = p.arena;
	return &r->j;
}

const struct fc_json *fc_json_get(const struct fc_json *o, const char *key)
{
	if (!o || o->type != FC_J_OBJ)
		return NULL;
	size_t kl = strlen(key);
	for (uint32_t i = 0; i < o->n; i++)
		if (o->kids[i].klen == kl && !memcmp(o->kids[i].key, key, kl))
			return &o->kids[i];
	return NULL;
}

const struct fc_json *fc_json_path(const struct fc_json *o, const char *const *keys)
{
	for (; o && *keys; keys++)
		o = fc_json_get(o, *keys);
	return o;
}
