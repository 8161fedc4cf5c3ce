/* refeval.c — owns the reference evaluator (refeval.h): a direct, naive walk of a checked
 * condition AST. Every check extracts its operands through the extractor, copies them into
 * NUL-terminated buffers, parses its constants against the left operand's type on the spot,
 * and compares with the simplest code that is obviously right:
 *   - missing operand (or val() side): the check is false, `!=` included; `exists` is presence;
 *   - list fields (FC_FF_IS_LIST): `in` = every element in the set, `intersects` = some;
 *   - ancestor fields without index (FC_FF_ANCESTORS): true when true for some ancestor;
 *   - modifiers: anyof = some element matches, allof = all, oneof = exactly one;
 *   - glob/iglob: fnmatch(3) without FNM_PATHNAME; regex: PCRE2, full match, compiled per call;
 *   - pmatch: some pattern's path components are a leading run of the value's components,
 *     each compared with fnmatch(3);
 *   - transformers recomputed here (tolower, toupper, basename, len, b64, concat, join).
 * Speed is not a goal: clarity and independence from the IR/VM are. Tests only. */
#include "refeval.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "fields.h"

/* One scalar, in the reference evaluator's own representation. */
struct sv {
	enum { S_U, S_I, S_D, S_B, S_IP, S_NET } k;
	uint64_t u;
	int64_t i;
	double d;
	char *s; /* S_B: bytes, NUL-terminated copy */
	size_t n;
	int fam;              /* S_IP/S_NET: 4 or 6 */
	unsigned char ip[16]; /* S_IP/S_NET: address bytes, network order */
	unsigned bits;        /* S_NET: prefix length */
};

enum mode { M_ONE, M_LIST, M_ANY };

/* An evaluated operand: absent (missing), one scalar, a list field's elements, or the
 * ancestors' values. */
struct opnd {
	bool present;
	enum mode mode;
	enum fc_ptype type;
	uint32_t n;
	struct sv *v;
};

struct ctx {
	const struct fc_extractor *x;
	char *err;
	size_t errlen;
	bool failed;
	void **mem;
	size_t nmem, capmem;
};

static void *alloc(struct ctx *c, size_t n)
{
	if (c->nmem == c->capmem) {
		c->capmem = c->capmem ? c->capmem * 2 : 64;
		void **m = realloc(c->mem, sizeof(*m) * c->capmem);
		if (!m)
			abort();
		c->mem = m;
	}
	void *p = calloc(1, n ? n : 1);
	if (!p)
		abort();
	c->mem[c->nmem++] = p;
	return p;
}

static char *copy_bytes(struct ctx *c, const char *s, size_t n)
{
	char *p = alloc(c, n + 1);
	if (n)
		memcpy(p, s, n);
	return p;
}

static void fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct ctx *c, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	if (c->err && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
}

/* ---- types ----------------------------------------------------------------------------- */

static bool t_signed(enum fc_ptype t)
{
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_ERRNO: case PT_FD: case PT_PID:
	case PT_FD32: case PT_PID32:
		return true;
	default:
		return false;
	}
}

static bool t_bytes(enum fc_ptype t)
{
	return fc_ptype_is_string(t) || t == PT_BYTEBUF || t == PT_DYN;
}

static bool t_net(enum fc_ptype t)
{
	return t == PT_IPNET || t == PT_IPV4NET || t == PT_IPV6NET;
}

/* Unsigned is what is left of the numeric types (BOOL, ports, uids, times, flags...). */
static bool t_unsigned(enum fc_ptype t)
{
	return !t_signed(t) && !t_bytes(t) && !fc_ptype_is_ip(t) && t != PT_DOUBLE;
}

/* ---- values from the extractor --------------------------------------------------------- */

static bool from_val(struct ctx *c, const struct fc_val *v, enum fc_ptype t, struct sv *o)
{
	memset(o, 0, sizeof *o);
	switch (v->kind) {
	case FC_V_U64:
	case FC_V_I64:
	case FC_V_DBL:
		if (t_signed(t)) {
			o->k = S_I;
			o->i = v->kind == FC_V_DBL ? (int64_t)v->d : v->i;
		} else if (t == PT_DOUBLE) {
			o->k = S_D;
			o->d = v->kind == FC_V_DBL ? v->d : v->kind == FC_V_I64 ? (double)v->i : (double)v->u;
		} else if (t_unsigned(t)) {
			o->k = S_U;
			o->u = v->kind == FC_V_DBL ? (uint64_t)v->d : v->u;
		} else {
			fail(c, "number extracted for a field of type %s", fc_ptype_name(t));
			return false;
		}
		return true;
	case FC_V_STR:
	case FC_V_BUF:
		if (!t_bytes(t)) {
			fail(c, "bytes extracted for a field of type %s", fc_ptype_name(t));
			return false;
		}
		o->k = S_B;
		o->s = copy_bytes(c, v->s, v->len);
		o->n = v->len;
		return true;
	case FC_V_IPV4:
		o->k = S_IP;
		o->fam = 4;
		for (int i = 0; i < 4; i++)
			o->ip[i] = (unsigned char)(v->u >> (8 * i));
		return true;
	case FC_V_IPV6:
		if (v->len != 16) {
			fail(c, "IPv6 value of %u bytes", v->len);
			return false;
		}
		o->k = S_IP;
		o->fam = 6;
		memcpy(o->ip, v->s, 16);
		return true;
	default:
		fail(c, "unexpected value kind %u", v->kind);
		return false;
	}
}

static void field_operand(struct ctx *c, const struct fc_ast *n, struct opnd *o)
{
	struct fc_fieldref ref;
	char msg[512];
	memset(o, 0, sizeof *o);
	if (!fc_field_resolve(n->str, n->arg, &ref, msg, sizeof msg)) {
		fail(c, "%s", msg);
		return;
	}
	struct fc_fieldspec fs = {.id = ref.id, .type = ref.type, .flags = ref.flags, .has_arg = ref.has_arg,
				  .arg_is_index = ref.arg_is_index, .index = ref.index, .arg = ref.arg,
				  .arglen = (uint32_t)strlen(ref.arg), .param = -1};
	struct fc_val v = {.kind = FC_V_NONE};
	o->type = ref.type;
	o->mode = (ref.flags & FC_FF_IS_LIST) ? M_LIST : (ref.flags & FC_FF_ANCESTORS) ? M_ANY : M_ONE;
	if (!c->x->extract(c->x->ctx, &fs, &v) || v.kind == FC_V_NONE)
		return;
	if (v.kind == FC_V_LIST) {
		if (o->mode == M_ONE) {
			fail(c, "list value extracted for scalar field %s", n->str);
			return;
		}
		if (!v.len)
			return;
		o->v = alloc(c, sizeof(*o->v) * v.len);
		for (uint32_t i = 0; i < v.len; i++)
			if (!from_val(c, &v.items[i], ref.type, &o->v[i]))
				return;
		o->n = v.len;
	} else {
		o->v = alloc(c, sizeof(*o->v));
		if (!from_val(c, &v, ref.type, &o->v[0]))
			return;
		o->n = 1;
	}
	o->present = true;
}

/* ---- transformers ---------------------------------------------------------------------- */

static void operand(struct ctx *c, const struct fc_ast *n, struct opnd *o);

static void one_bytes(struct opnd *o, enum fc_ptype t, char *s, size_t n)
{
	o->present = true;
	o->mode = M_ONE;
	o->type = t;
	o->n = 1;
	o->v->k = S_B;
	o->v->s = s;
	o->v->n = n;
}

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* Standard base64, padding optional; false on any other character or a dangling sextet. */
static bool b64_decode(const char *s, size_t n, char *out, size_t *outn)
{
	while (n && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return false;
	size_t o = 0;
	uint32_t acc = 0;
	int nb = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		nb += 6;
		if (nb >= 8) {
			nb -= 8;
			out[o++] = (char)(acc >> nb);
		}
	}
	*outn = o;
	return true;
}

/* The argument of a single-argument transformer: one string (or a list, for len). */
static bool xf_arg(struct ctx *c, const struct fc_ast *n, struct opnd *a)
{
	if (n->nkids != 1) {
		fail(c, "transformer %s with %u arguments", fc_xf_name(n->xf), n->nkids);
		return false;
	}
	operand(c, n->kids[0], a);
	if (c->failed || !a->present)
		return false;
	if (a->mode == M_ANY) {
		fail(c, "transformer %s on an ancestor field", fc_xf_name(n->xf));
		return false;
	}
	return true;
}

/* The text a multi-argument transformer argument contributes: a constant, or one extracted
 * string (up to its first NUL, as upstream appends C strings). NULL when missing. */
static const char *xf_text(struct ctx *c, const struct fc_ast *k)
{
	if (k->kind == FC_AST_VALUE)
		return copy_bytes(c, k->str, k->len);
	struct opnd a;
	operand(c, k, &a);
	if (c->failed || !a.present)
		return NULL;
	if (a.mode != M_ONE || a.v[0].k != S_B) {
		fail(c, "transformer argument is not one string");
		return NULL;
	}
	return a.v[0].s;
}

static void transformer_operand(struct ctx *c, const struct fc_ast *n, struct opnd *o)
{
	struct opnd a;
	memset(o, 0, sizeof *o);
	o->v = alloc(c, sizeof(*o->v));
	switch ((enum fc_xf)n->xf) {
	case FC_XF_TOLOWER:
	case FC_XF_TOUPPER: {
		if (!xf_arg(c, n, &a))
			return;
		if (a.mode != M_ONE || a.v[0].k != S_B) {
			fail(c, "%s of a non-string", fc_xf_name(n->xf));
			return;
		}
		char *s = copy_bytes(c, a.v[0].s, a.v[0].n);
		for (size_t i = 0; i < a.v[0].n; i++)
			s[i] = (char)(n->xf == FC_XF_TOLOWER ? tolower((unsigned char)s[i]) : toupper((unsigned char)s[i]));
		one_bytes(o, a.type, s, a.v[0].n);
		return;
	}
	case FC_XF_BASENAME: {
		if (!xf_arg(c, n, &a))
			return;
		if (a.mode != M_ONE || a.v[0].k != S_B) {
			fail(c, "basename of a non-string");
			return;
		}
		size_t start = 0;
		for (size_t i = 0; i < a.v[0].n; i++)
			if (a.v[0].s[i] == '/')
				start = i + 1;
		one_bytes(o, a.type, copy_bytes(c, a.v[0].s + start, a.v[0].n - start), a.v[0].n - start);
		return;
	}
	case FC_XF_B64: {
		if (!xf_arg(c, n, &a))
			return;
		if (a.mode != M_ONE || a.v[0].k != S_B) {
			fail(c, "b64 of a non-string");
			return;
		}
		char *s = alloc(c, a.v[0].n + 1);
		size_t len;
		if (b64_decode(a.v[0].s, a.v[0].n, s, &len))
			one_bytes(o, PT_BYTEBUF, s, len);
		return;
	}
	case FC_XF_LEN: {
		if (!xf_arg(c, n, &a))
			return;
		uint64_t len;
		if (a.mode == M_LIST)
			len = a.n;
		else if (a.v[0].k == S_B)
			len = a.v[0].n;
		else {
			fail(c, "len of a non-string");
			return;
		}
		o->present = true;
		o->mode = M_ONE;
		o->type = PT_UINT64;
		o->n = 1;
		o->v->k = S_U;
		o->v->u = len;
		return;
	}
	case FC_XF_CONCAT: {
		size_t total = 0;
		const char **parts = alloc(c, sizeof(*parts) * n->nkids);
		for (uint32_t i = 0; i < n->nkids; i++) {
			if (n->kids[i]->kind == FC_AST_TLIST) {
				fail(c, "concat with a list argument");
				return;
			}
			parts[i] = xf_text(c, n->kids[i]);
			if (!parts[i])
				return;
			total += strlen(parts[i]);
		}
		char *s = alloc(c, total + 1);
		for (uint32_t i = 0; i < n->nkids; i++)
			strcat(s, parts[i]);
		one_bytes(o, PT_CHARBUF, s, total);
		return;
	}
	case FC_XF_JOIN: {
		if (n->nkids != 2 || n->kids[1]->kind == FC_AST_TLIST) {
			fail(c, "join is only evaluated as join(sep, listfield)");
			return;
		}
		const char *sep = xf_text(c, n->kids[0]);
		if (!sep)
			return;
		operand(c, n->kids[1], &a);
		if (c->failed || !a.present)
			return;
		size_t total = 0;
		for (uint32_t i = 0; i < a.n; i++) {
			if (a.v[i].k != S_B) {
				fail(c, "join of non-strings");
				return;
			}
			total += strlen(a.v[i].s) + strlen(sep);
		}
		char *s = alloc(c, total + 1);
		for (uint32_t i = 0; i < a.n; i++) {
			if (i)
				strcat(s, sep);
			strcat(s, a.v[i].s);
		}
		one_bytes(o, PT_CHARBUF, s, strlen(s));
		return;
	}
	default:
		fail(c, "transformer %s is not covered by the reference evaluator", fc_xf_name(n->xf));
		return;
	}
}

static void operand(struct ctx *c, const struct fc_ast *n, struct opnd *o)
{
	memset(o, 0, sizeof *o);
	if (n->kind == FC_AST_FIELD)
		field_operand(c, n, o);
	else if (n->kind == FC_AST_TRANSFORMER)
		transformer_operand(c, n, o);
	else
		fail(c, "node kind %u is not an operand", n->kind);
}

/* ---- constants ------------------------------------------------------------------------- */

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static bool parse_ip(const char *s, struct sv *o)
{
	o->k = S_IP;
	o->fam = strchr(s, '.') ? 4 : 6;
	return inet_pton(o->fam == 4 ? AF_INET : AF_INET6, s, o->ip) == 1;
}

/* Parses constant V (from the AST) against the left operand's type T, for operator OP. */
static bool constant(struct ctx *c, const struct fc_ast *v, enum fc_ptype t, enum fc_op op, struct sv *o)
{
	const char *s = v->str;
	char ch;
	memset(o, 0, sizeof *o);
	if (op == FC_OP_BCONTAINS || op == FC_OP_BSTARTSWITH) {
		if (v->len % 2) {
			fail(c, "odd hex constant %s", s);
			return false;
		}
		o->k = S_B;
		o->n = v->len / 2;
		o->s = alloc(c, o->n + 1);
		for (size_t i = 0; i < o->n; i++) {
			int h = hexval((unsigned char)s[2 * i]), l = hexval((unsigned char)s[2 * i + 1]);
			if (h < 0 || l < 0) {
				fail(c, "bad hex constant %s", s);
				return false;
			}
			o->s[i] = (char)(h * 16 + l);
		}
		return true;
	}
	if (t_bytes(t)) {
		o->k = S_B;
		o->s = copy_bytes(c, s, v->len);
		o->n = v->len;
		return true;
	}
	if (t_signed(t) || t == PT_DOUBLE) {
		int64_t x;
		if (sscanf(s, "%" SCNd64 "%c", &x, &ch) != 1) {
			fail(c, "%s is not a valid number", s);
			return false;
		}
		if (t == PT_DOUBLE) {
			o->k = S_D;
			o->d = (double)x;
		} else {
			o->k = S_I;
			o->i = x;
		}
		return true;
	}
	if (t == PT_BOOL) {
		o->k = S_U;
		if (!strcmp(s, "true"))
			o->u = 1;
		else if (!strcmp(s, "false"))
			o->u = 0;
		else {
			fail(c, "unrecognized boolean value %s", s);
			return false;
		}
		return true;
	}
	if (t == PT_PORT && *s && strspn(s, "0123456789") != strlen(s)) {
		struct servent *se = getservbyname(s, NULL);
		if (!se) {
			fail(c, "unrecognized protocol %s", s);
			return false;
		}
		o->k = S_U;
		o->u = ntohs((uint16_t)se->s_port);
		return true;
	}
	if (t_net(t)) {
		char addr[128];
		const char *slash = strchr(s, '/');
		unsigned bits;
		if (!slash || (size_t)(slash - s) >= sizeof addr || sscanf(slash + 1, "%u%c", &bits, &ch) != 1) {
			fail(c, "bad network %s", s);
			return false;
		}
		memcpy(addr, s, (size_t)(slash - s));
		addr[slash - s] = 0;
		if (!parse_ip(addr, o) || bits > (o->fam == 4 ? 32u : 128u)) {
			fail(c, "bad network %s", s);
			return false;
		}
		o->k = S_NET;
		o->bits = bits;
		return true;
	}
	if (fc_ptype_is_ip(t)) {
		if (!parse_ip(s, o)) {
			fail(c, "bad address %s", s);
			return false;
		}
		return true;
	}
	uint64_t x;
	if (sscanf(s, "%" SCNu64 "%c", &x, &ch) != 1) {
		fail(c, "%s is not a valid number", s);
		return false;
	}
	o->k = S_U;
	o->u = x;
	return true;
}

/* ---- comparisons ----------------------------------------------------------------------- */

static bool in_net(const struct sv *a, const struct sv *net)
{
	if (a->fam != net->fam)
		return false;
	for (unsigned b = 0; b < net->bits; b++) {
		unsigned bit = 7 - b % 8;
		if (((a->ip[b / 8] >> bit) & 1) != ((net->ip[b / 8] >> bit) & 1))
			return false;
	}
	return true;
}

static bool eq(struct ctx *c, const struct sv *a, const struct sv *b)
{
	if (b->k == S_NET)
		return a->k == S_IP && in_net(a, b);
	if (a->k != b->k) {
		fail(c, "comparing values of different kinds (%d, %d)", a->k, b->k);
		return false;
	}
	switch (a->k) {
	case S_U:
		return a->u == b->u;
	case S_I:
		return a->i == b->i;
	case S_D:
		return a->d == b->d;
	case S_B:
		return a->n == b->n && !memcmp(a->s, b->s, a->n);
	case S_IP:
		return a->fam == b->fam && !memcmp(a->ip, b->ip, a->fam == 4 ? 4 : 16);
	default:
		fail(c, "equality on a network value");
		return false;
	}
}

/* Ordering: <0, 0, >0. Strings compare as upstream does, with strcmp. */
static int order(struct ctx *c, const struct sv *a, const struct sv *b)
{
	if (a->k != b->k) {
		fail(c, "ordering values of different kinds (%d, %d)", a->k, b->k);
		return 0;
	}
	switch (a->k) {
	case S_U:
		return a->u < b->u ? -1 : a->u > b->u;
	case S_I:
		return a->i < b->i ? -1 : a->i > b->i;
	case S_D:
		return a->d < b->d ? -1 : a->d > b->d;
	case S_B:
		return strcmp(a->s, b->s);
	default:
		fail(c, "ordering on an address");
		return 0;
	}
}

static bool need_bytes(struct ctx *c, const struct sv *a, const struct sv *b, const char *what)
{
	if (a->k == S_B && b->k == S_B)
		return true;
	fail(c, "%s on non-string values", what);
	return false;
}

static bool byte_eq(unsigned char x, unsigned char y, bool icase)
{
	return icase ? tolower(x) == tolower(y) : x == y;
}

/* Naive substring search: try every start position. An empty needle is always found. */
static bool has_sub(const struct sv *h, const struct sv *nd, bool icase)
{
	if (nd->n > h->n)
		return false;
	for (size_t i = 0; i + nd->n <= h->n; i++) {
		size_t j = 0;
		while (j < nd->n && byte_eq((unsigned char)h->s[i + j], (unsigned char)nd->s[j], icase))
			j++;
		if (j == nd->n)
			return true;
	}
	return false;
}

static bool has_prefix(const struct sv *h, const struct sv *p)
{
	return p->n <= h->n && !memcmp(h->s, p->s, p->n);
}

static bool has_suffix(const struct sv *h, const struct sv *p)
{
	return p->n <= h->n && !memcmp(h->s + h->n - p->n, p->s, p->n);
}

static bool regex_full(struct ctx *c, const struct sv *v, const struct sv *pat)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat->s, pat->n, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
	if (!re) {
		fail(c, "invalid regex %s", pat->s);
		return false;
	}
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)v->s, v->n, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc >= 0;
}

/* Splits path S into its non-empty '/'-separated components (in place: S is a copy). */
static size_t components(char *s, char **out, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(s, "/", &save); tok && n < max; tok = strtok_r(NULL, "/", &save))
		out[n++] = tok;
	return n;
}

/* pmatch: the pattern's components are the first components of the value's, each matching
 * (exactly, or as a glob). "/" (no components) is a prefix of everything. */
static bool pmatch1(struct ctx *c, const struct sv *v, const struct sv *pat)
{
	char *vs = copy_bytes(c, v->s, v->n), *ps = copy_bytes(c, pat->s, pat->n);
	char *vc[256], *pc[256];
	size_t nv = components(vs, vc, 256), np = components(ps, pc, 256);
	if (np > nv)
		return false;
	for (size_t i = 0; i < np; i++)
		if (strcmp(pc[i], vc[i]) && fnmatch(pc[i], vc[i], 0))
			return false;
	return true;
}

/* One comparison of scalar A with constant (or right-hand value) B under base operator OP. */
static bool base(struct ctx *c, enum fc_op op, const struct sv *a, const struct sv *b)
{
	switch (op) {
	case FC_OP_EQ:
	case FC_OP_EQEQ:
	case FC_OP_IN:
	case FC_OP_INTERSECTS:
		return eq(c, a, b);
	case FC_OP_NE:
		return !eq(c, a, b);
	case FC_OP_LT:
		return order(c, a, b) < 0;
	case FC_OP_LE:
		return order(c, a, b) <= 0;
	case FC_OP_GT:
		return order(c, a, b) > 0;
	case FC_OP_GE:
		return order(c, a, b) >= 0;
	case FC_OP_CONTAINS:
	case FC_OP_BCONTAINS:
		return need_bytes(c, a, b, "contains") && has_sub(a, b, false);
	case FC_OP_ICONTAINS:
		return need_bytes(c, a, b, "icontains") && has_sub(a, b, true);
	case FC_OP_STARTSWITH:
	case FC_OP_BSTARTSWITH:
		return need_bytes(c, a, b, "startswith") && has_prefix(a, b);
	case FC_OP_ENDSWITH:
		return need_bytes(c, a, b, "endswith") && has_suffix(a, b);
	case FC_OP_GLOB:
	case FC_OP_IGLOB:
		return need_bytes(c, a, b, "glob") && fnmatch(b->s, a->s, op == FC_OP_IGLOB ? FNM_CASEFOLD : 0) == 0;
	case FC_OP_REGEX:
		return need_bytes(c, a, b, "regex") && regex_full(c, a, b);
	case FC_OP_PMATCH:
		return need_bytes(c, a, b, "pmatch") && pmatch1(c, a, b);
	default:
		fail(c, "operator %s has no base comparison", fc_op_text(op));
		return false;
	}
}

/* The check for one scalar of the left side against the right-hand values R[0..NR). */
static bool test1(struct ctx *c, const struct fc_ast *n, const struct sv *a, const struct sv *r, uint32_t nr)
{
	enum fc_op op = n->op;
	if (n->mod != FC_MOD_NONE) {
		uint32_t hits = 0;
		for (uint32_t i = 0; i < nr; i++)
			hits += base(c, op, a, &r[i]);
		switch (n->mod) {
		case FC_MOD_ANYOF:
			return hits >= 1;
		case FC_MOD_ALLOF:
			return hits == nr;
		default:
			return hits == 1;
		}
	}
	if (op == FC_OP_IN || op == FC_OP_INTERSECTS || op == FC_OP_PMATCH) {
		for (uint32_t i = 0; i < nr; i++)
			if (base(c, op, a, &r[i]))
				return true;
		return false;
	}
	if (nr != 1) {
		fail(c, "operator %s with %u values", fc_op_text(op), nr);
		return false;
	}
	return base(c, op, a, &r[0]);
}

static bool check(struct ctx *c, const struct fc_ast *n)
{
	struct opnd l;
	operand(c, n->left, &l);
	if (c->failed)
		return false;
	if (n->kind == FC_AST_UNARY)
		return l.present; /* exists */
	if (!l.present)
		return false; /* missing: every comparison is false, != included */

	const struct fc_ast *rn = n->right;
	struct sv *r = NULL;
	uint32_t nr = 0;
	if (rn->kind == FC_AST_FIELD || rn->kind == FC_AST_TRANSFORMER) {
		struct opnd ro;
		operand(c, rn, &ro);
		if (c->failed || !ro.present)
			return false;
		if (ro.mode != M_ONE) {
			fail(c, "right-hand side is not a single value");
			return false;
		}
		r = ro.v;
		nr = 1;
	} else if (rn->kind == FC_AST_VALUE || rn->kind == FC_AST_LIST) {
		const struct fc_ast *const *vals = rn->kind == FC_AST_LIST ? (const struct fc_ast *const *)rn->kids : &rn;
		nr = rn->kind == FC_AST_LIST ? rn->nkids : 1;
		r = alloc(c, sizeof(*r) * (nr ? nr : 1));
		for (uint32_t i = 0; i < nr; i++)
			if (!constant(c, vals[i], l.type, n->op, &r[i]))
				return false;
	} else {
		fail(c, "right-hand side of kind %u", rn->kind);
		return false;
	}

	if (l.mode == M_LIST) {
		/* list field: in = every element is in the set; intersects = some element is */
		if (n->op != FC_OP_IN && n->op != FC_OP_INTERSECTS) {
			fail(c, "operator %s on a list field", fc_op_text(n->op));
			return false;
		}
		bool all = true, some = false;
		for (uint32_t i = 0; i < l.n; i++) {
			bool hit = false;
			for (uint32_t j = 0; j < nr; j++)
				hit = hit || eq(c, &l.v[i], &r[j]);
			all = all && hit;
			some = some || hit;
		}
		return n->op == FC_OP_IN ? all : some;
	}
	/* one value, or the ancestors: true when true for some element */
	for (uint32_t i = 0; i < l.n; i++)
		if (test1(c, n, &l.v[i], r, nr))
			return true;
	return false;
}

static bool eval(struct ctx *c, const struct fc_ast *n)
{
	if (c->failed)
		return false;
	switch (n->kind) {
	case FC_AST_AND:
		for (uint32_t i = 0; i < n->nkids; i++)
			if (!eval(c, n->kids[i]))
				return false;
		return true;
	case FC_AST_OR:
		for (uint32_t i = 0; i < n->nkids; i++)
			if (eval(c, n->kids[i]))
				return true;
		return false;
	case FC_AST_NOT:
		return !eval(c, n->kids[0]);
	case FC_AST_UNARY:
	case FC_AST_BINARY:
		return check(c, n);
	case FC_AST_IDENT:
		fail(c, "unresolved macro reference %s", n->str);
		return false;
	default:
		fail(c, "node kind %u in a condition", n->kind);
		return false;
	}
}

int fc_ref_eval(const struct fc_ast *cond, const struct fc_extractor *x, char *err, size_t errlen)
{
	struct ctx c = {.x = x, .err = err, .errlen = errlen};
	if (err && errlen)
		err[0] = 0;
	bool r = eval(&c, cond);
	for (size_t i = 0; i < c.nmem; i++)
		free(c.mem[i]);
	free(c.mem);
	return c.failed ? -1 : r ? 1 : 0;
}
