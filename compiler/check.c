/* check.c — type checking of an expanded condition (LANGUAGE.md §4–§8): field resolution
 * through the catalog, operator legality per field type (upstream's flt_is_comparable table),
 * right-hand constants parsed against the left type (value_parser rules and messages),
 * transformers and field-to-field comparisons, evt.type names, and the compile warnings
 * (field misused as a string, regex that could be simpler, deprecated fields). */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "compile.h"
#include "fields.h"

struct checker {
	struct fc_compiled *c;
	struct fc_crule *cr;
	bool unknown_as_warning, unknown, ok;
	const char **fields; /* distinct names used, for describe */
	uint32_t nfields, capfields;
};

/* The type of a checked operand. */
struct operand {
	enum fc_ptype type;
	bool is_list;
	uint32_t flags;
	const char *name; /* field name as written, for messages */
	bool is_evttype;  /* plain evt.type / syscall.type */
};

static void err(struct checker *k, const struct fc_ast *n, uint32_t pos, const char *msg)
{
	k->ok = false;
	fc_diag_node(k->c->rs, FC_LOAD_ERR_COMPILE_CONDITION, n, pos, "%s", msg);
}

/* Unknown fields and event types honour skip-if-unknown-filter. */
static void err_unknown(struct checker *k, const struct fc_ast *n, uint32_t pos, const char *msg)
{
	k->ok = false;
	if (k->unknown_as_warning) {
		k->unknown = true;
		fc_diag_node(k->c->rs, FC_LOAD_UNKNOWN_FILTER, n, pos, "%s", msg);
	} else {
		fc_diag_node(k->c->rs, FC_LOAD_ERR_COMPILE_CONDITION, n, pos, "%s", msg);
	}
}

static void warn(struct checker *k, const struct fc_ast *n, uint32_t pos, const char *fmt, const char *v)
{
	fc_diag_node(k->c->rs, FC_LOAD_COMPILE_CONDITION, n, pos, fmt, v);
}

static void note_field(struct checker *k, const char *name)
{
	for (uint32_t i = 0; i < k->nfields; i++)
		if (!strcmp(k->fields[i], name))
			return;
	if (k->nfields == k->capfields) {
		k->capfields = k->capfields ? k->capfields * 2 : 16;
		const char **n = fc_arena_alloc(k->c->rs->arena, sizeof(*n) * k->capfields);
		if (k->nfields)
			memcpy(n, k->fields, sizeof(*n) * k->nfields);
		k->fields = n;
	}
	k->fields[k->nfields++] = name;
}

/* upstream flt_is_comparable: NULL when legal, else the message. */
static const char *comparable(enum fc_op op, enum fc_ptype t, bool is_list, char *buf, size_t n)
{
	const char *o = fc_op_text(op);
	if (op == FC_OP_EQEQ)
		o = "=";
	if (op == FC_OP_EXISTS)
		return NULL;
	if (is_list) {
		switch (t) {
		case PT_CHARBUF: case PT_UINT64: case PT_RELTIME: case PT_ABSTIME: case PT_BOOL:
		case PT_IPADDR: case PT_IPNET:
			if (op == FC_OP_IN || op == FC_OP_INTERSECTS)
				return NULL;
			snprintf(buf, n, "'%s' operator not supported list filters", o);
			return buf;
		default:
			snprintf(buf, n, "list filters are not supported for type '%s'", fc_ptype_name(t));
			return buf;
		}
	}
	bool ok;
	const char *what;
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_UINT8: case PT_UINT16:
	case PT_UINT32: case PT_UINT64: case PT_ERRNO: case PT_FD: case PT_PID: case PT_SYSCALLID:
	case PT_SIGTYPE: case PT_RELTIME: case PT_ABSTIME: case PT_PORT: case PT_FLAGS8: case PT_FLAGS16:
	case PT_FLAGS32: case PT_DOUBLE: case PT_MODE: case PT_ENUMFLAGS8: case PT_ENUMFLAGS16:
	case PT_ENUMFLAGS32:
		ok = op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE || fc_op_class(op) == FC_OPC_NUM ||
		     op == FC_OP_IN || op == FC_OP_INTERSECTS;
		what = "numeric";
		break;
	case PT_BOOL:
		ok = op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE || op == FC_OP_IN || op == FC_OP_INTERSECTS;
		what = "numeric";
		break;
	case PT_IPV4ADDR: case PT_IPV4NET: case PT_IPV6ADDR: case PT_IPV6NET: case PT_IPADDR: case PT_IPNET:
		ok = op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE || op == FC_OP_IN || op == FC_OP_INTERSECTS;
		what = "ip address and network";
		break;
	case PT_CHARBUF: case PT_FSPATH: case PT_FSRELPATH:
		ok = op != FC_OP_BCONTAINS && op != FC_OP_BSTARTSWITH;
		what = "string";
		break;
	case PT_BYTEBUF:
		ok = op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE || op == FC_OP_CONTAINS ||
		     op == FC_OP_IN || op == FC_OP_STARTSWITH || op == FC_OP_ENDSWITH || op == FC_OP_INTERSECTS ||
		     op == FC_OP_BCONTAINS || op == FC_OP_BSTARTSWITH;
		what = "buffer";
		break;
	default:
		snprintf(buf, n, "'%s' operator not supported for type '%s'", o, fc_ptype_name(t));
		return buf;
	}
	if (ok)
		return NULL;
	snprintf(buf, n, "'%s' operator not supported for %s filters", o, what);
	return buf;
}

/* value_parser: checks that text V is a valid constant of type T. NULL or the message. */
static const char *parse_value(const char *v, enum fc_ptype t, char *buf, size_t n)
{
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_ERRNO: case PT_FD: case PT_PID:
	case PT_DOUBLE: {
		int64_t x;
		char c;
		if (sscanf(v, "%" SCNd64 "%c", &x, &c) != 1) {
			snprintf(buf, n, "%s is not a valid number", v);
			return buf;
		}
		return NULL;
	}
	case PT_L4PROTO: case PT_FLAGS8: case PT_UINT8: case PT_ENUMFLAGS8: case PT_FLAGS16: case PT_UINT16:
	case PT_ENUMFLAGS16: case PT_FLAGS32: case PT_UINT32: case PT_MODE: case PT_ENUMFLAGS32: case PT_UINT64:
	case PT_RELTIME: case PT_ABSTIME: case PT_SYSCALLID: case PT_SIGTYPE: case PT_UID: case PT_GID: {
		uint64_t x;
		char c;
		if (sscanf(v, "%" SCNu64 "%c", &x, &c) != 1) {
			snprintf(buf, n, "%s is not a valid number", v);
			return buf;
		}
		return NULL;
	}
	case PT_PORT:
		if (!*v || strspn(v, "0123456789") == strlen(v))
			return NULL;
		if (!getservbyname(v, NULL)) {
			snprintf(buf, n, "unrecognized protocol %s", v);
			return buf;
		}
		return NULL;
	case PT_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "false"))
			return NULL;
		snprintf(buf, n, "filter error: unrecognized boolean value %s", v);
		return buf;
	case PT_IPV4ADDR: case PT_IPV6ADDR: case PT_IPADDR: {
		unsigned char a[16];
		bool v4 = t == PT_IPV4ADDR || (t == PT_IPADDR && strchr(v, '.'));
		if (inet_pton(v4 ? AF_INET : AF_INET6, v, a) != 1) {
			snprintf(buf, n, "unrecognized IP%s address %s", v4 ? "v4" : "v6", v);
			return buf;
		}
		return NULL;
	}
	case PT_IPV4NET: case PT_IPV6NET: case PT_IPNET: {
		bool v4 = t == PT_IPV4NET || (t == PT_IPNET && strchr(v, '.'));
		const char *slash = strchr(v, '/');
		char ip[128];
		if (!slash || (size_t)(slash - v) >= sizeof ip) {
			snprintf(buf, n, "unrecognized IP network %s", v);
			return buf;
		}
		memcpy(ip, v, (size_t)(slash - v));
		ip[slash - v] = 0;
		unsigned char a[16];
		if (inet_pton(v4 ? AF_INET : AF_INET6, ip, a) != 1) {
			snprintf(buf, n, "unrecognized IP address %s", v);
			return buf;
		}
		unsigned long bits;
		char c;
		if (sscanf(slash + 1, "%lu%c", &bits, &c) != 1 || bits > (v4 ? 32u : 128u)) {
			snprintf(buf, n, "invalid netmask %s", slash + 1);
			return buf;
		}
		return NULL;
	}
	default:
		return NULL; /* strings, buffers: raw bytes */
	}
}

static bool is_hex(const char *s)
{
	size_t n = strlen(s);
	if (!n || n % 2)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/* A value that spells a field or a transformer call: probably meant val() or a field. */
static void misuse_warnings(struct checker *k, const struct fc_ast *v)
{
	char tmp[256];
	size_t n = 0;
	for (uint32_t i = 0; i < v->len && n + 1 < sizeof tmp; i++)
		if (!isspace((unsigned char)v->str[i]))
			tmp[n++] = v->str[i];
	tmp[n] = 0;
	if (!n || v->len >= sizeof tmp)
		return;
	if (strchr(tmp, '.') && fc_field_name_valid(tmp)) {
		warn(k, v, v->pos, "'%s' may be a valid field misused as a const string value", tmp);
		return;
	}
	char *paren = strchr(tmp, '(');
	if (paren && tmp[n - 1] == ')') {
		*paren = 0;
		for (int x = 0; x < FC_XF_MAX_; x++)
			if (!strcmp(tmp, fc_xf_name((enum fc_xf)x)) || !strcmp(tmp, "val")) {
				*paren = '(';
				warn(k, v, v->pos, "'%s' may be a valid field transformer misused as a const string value", tmp);
				return;
			}
	}
}

/* A regex made of literal characters (optionally anchored with ^ / $ or wrapped in .*) could
 * be '=', 'contains', 'startswith' or 'endswith'. */
static bool regex_is_simple(const char *p)
{
	size_t n = strlen(p);
	if (n >= 2 && !strncmp(p, ".*", 2)) {
		p += 2;
		n -= 2;
	}
	if (n >= 1 && *p == '^') {
		p++;
		n--;
	}
	if (n >= 2 && !strcmp(p + n - 2, ".*"))
		n -= 2;
	if (n >= 1 && p[n - 1] == '$' && (n < 2 || p[n - 2] != '\\'))
		n--;
	for (size_t i = 0; i < n; i++)
		if (strchr(".[]{}()\\*+?|^$", p[i]))
			return false;
	return n > 0;
}

static void check_value(struct checker *k, const struct operand *l, const struct fc_ast *bin, const struct fc_ast *v)
{
	char buf[512];
	if (memchr(v->str, 0, v->len)) {
		err(k, v, v->pos, "filter value cannot contain a NUL byte (\\x00)");
		return;
	}
	misuse_warnings(k, v);
	if (l->is_evttype) {
		if (!fc_event_name_known(v->str)) {
			snprintf(buf, sizeof buf, "unknown event type %s", v->str);
			err_unknown(k, v, v->pos, buf); /* point at the bad name, not the field */
		}
		return;
	}
	enum fc_op op = bin->op;
	if (op == FC_OP_BCONTAINS || op == FC_OP_BSTARTSWITH) {
		if (!is_hex(v->str))
			err(k, v, v->pos, "bcontains and bstartswith operator support hex strings only");
		return;
	}
	if (op == FC_OP_REGEX) {
		int ec;
		PCRE2_SIZE eo;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)v->str, v->len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
		if (!re) {
			PCRE2_UCHAR m[256];
			pcre2_get_error_message(ec, m, sizeof m);
			snprintf(buf, sizeof buf, "invalid regex pattern: %s", (char *)m);
			err(k, v, v->pos, buf);
			return;
		}
		pcre2_code_free(re);
		if (regex_is_simple(v->str))
			warn(k, v, v->pos,
			     "regex check with '%s' may be optimized with simpler operators such as '=', 'contains', "
			     "'startswith', 'endswith'",
			     v->str);
		return;
	}
	if (op == FC_OP_GLOB || op == FC_OP_IGLOB || op == FC_OP_PMATCH || op == FC_OP_CONTAINS ||
	    op == FC_OP_ICONTAINS || op == FC_OP_STARTSWITH || op == FC_OP_ENDSWITH)
		if (fc_ptype_is_string(l->type) || l->type == PT_BYTEBUF)
			return;
	const char *e = parse_value(v->str, l->type, buf, sizeof buf);
	if (e)
		err(k, v, v->pos, e);
}

static bool check_operand(struct checker *k, const struct fc_ast *n, struct operand *o);

static bool xf_accepts(enum fc_xf xf, enum fc_ptype t, bool is_list)
{
	switch (xf) {
	case FC_XF_TOLOWER: case FC_XF_TOUPPER:
		return !is_list && fc_ptype_is_string(t);
	case FC_XF_B64:
		return !is_list && (t == PT_CHARBUF || t == PT_BYTEBUF);
	case FC_XF_BASENAME:
		return !is_list && fc_ptype_is_string(t);
	case FC_XF_LEN:
		return is_list || fc_ptype_is_string(t) || t == PT_BYTEBUF;
	default:
		return true;
	}
}

static bool check_transformer(struct checker *k, const struct fc_ast *n, struct operand *o)
{
	enum fc_xf xf = n->xf;
	char buf[512];
	unsigned mina, maxa;
	fc_xf_arity(xf, &mina, &maxa);
	if (n->nkids < mina || (maxa && n->nkids > maxa)) {
		if (mina == maxa)
			snprintf(buf, sizeof buf, "transformer '%s' takes %u argument%s, not %u", fc_xf_name(xf), mina,
				 mina == 1 ? "" : "s", n->nkids);
		else /* no bound (ast.c asserts there is no other range) */
			snprintf(buf, sizeof buf, "transformer '%s' takes at least %u arguments, not %u", fc_xf_name(xf),
				 mina, n->nkids);
		err(k, n, n->pos, buf);
		return false;
	}
	if (xf <= FC_XF_LEN) { /* single-argument transformers */
		if (n->arg) {
			snprintf(buf, sizeof buf, "transformer '%s' does not support field arguments", fc_xf_name(xf));
			err(k, n, n->pos, buf);
			return false;
		}
		struct operand a;
		if (!check_operand(k, n->kids[0], &a))
			return false;
		if (a.flags & FC_FF_NO_TRANSFORMER) {
			snprintf(buf, sizeof buf, "field '%s' does not support transformers", a.name);
			err(k, n, n->pos, buf);
			return false;
		}
		if (!xf_accepts(xf, a.type, a.is_list)) {
			snprintf(buf, sizeof buf,
				 "can't add field transformer: type '%s' is not supported by '%s' transformer applied on field '%s'",
				 fc_ptype_name(a.type), fc_xf_name(xf), a.name);
			err(k, n, n->pos, buf);
			return false;
		}
		*o = a;
		o->is_evttype = false;
		o->flags &= ~FC_FF_NO_RHS;
		if (xf == FC_XF_LEN) {
			o->type = PT_UINT64;
			o->is_list = false;
		} else if (xf == FC_XF_B64) {
			o->type = PT_BYTEBUF;
		}
		return true;
	}
	/* concat / join / getopt: fields, transformers, quoted strings, numbers, lists */
	bool ok = true;
	for (uint32_t i = 0; i < n->nkids; i++) {
		const struct fc_ast *a = n->kids[i];
		if (a->kind == FC_AST_FIELD || a->kind == FC_AST_TRANSFORMER) {
			struct operand t;
			ok &= check_operand(k, a, &t);
			if (ok && xf == FC_XF_CONCAT && (t.is_list || !(fc_ptype_is_string(t.type) || t.type == PT_BYTEBUF))) {
				snprintf(buf, sizeof buf, "concat transformer only supports non-list string arguments, got '%s'",
					 t.name);
				err(k, a, a->pos, buf);
				ok = false;
			}
		} else if (a->kind == FC_AST_TLIST) {
			for (uint32_t j = 0; j < a->nkids; j++)
				if (a->kids[j]->kind == FC_AST_FIELD || a->kids[j]->kind == FC_AST_TRANSFORMER) {
					struct operand t;
					ok &= check_operand(k, a->kids[j], &t);
				}
		}
	}
	if (xf == FC_XF_GETOPT && !n->arg) {
		err(k, n, n->pos, "getopt transformer requires an option argument, e.g. getopt(proc.args, \"ab:\")[b]");
		ok = false;
	}
	*o = (struct operand){.type = PT_CHARBUF, .name = fc_xf_name(xf)};
	return ok;
}

static bool check_operand(struct checker *k, const struct fc_ast *n, struct operand *o)
{
	if (n->kind == FC_AST_TRANSFORMER)
		return check_transformer(k, n, o);
	if (n->kind != FC_AST_FIELD) {
		err(k, n, n->pos, "expected a field or a field transformer");
		return false;
	}
	struct fc_fieldref ref;
	char buf[512];
	if (!fc_field_resolve(n->str, n->arg, &ref, buf, sizeof buf)) {
		if (strstr(buf, "nonexistent field"))
			err_unknown(k, n, n->pos, buf);
		else
			err(k, n, n->pos, buf);
		return false;
	}
	note_field(k, n->arg ? fc_arena_printf(k->c->rs->arena, "%s[%s]", n->str, n->arg) : n->str);
	if (ref.flags & FC_FF_DEPRECATED) {
		struct fc_diag *d = fc_diag_node(k->c->rs, FC_LOAD_DEPRECATED_ITEM, n, n->pos,
						 "usage of deprecated field '%s' has been detected in the rule condition",
						 n->str);
		d->deprecated_field = n->str;
	}
	*o = (struct operand){.type = ref.type, .is_list = ref.flags & FC_FF_IS_LIST, .flags = ref.flags,
			      .name = n->str,
			      .is_evttype = !n->arg && (!strcmp(n->str, "evt.type") || !strcmp(n->str, "syscall.type"))};
	return true;
}

static void check_check(struct checker *k, const struct fc_ast *n)
{
	struct operand l;
	char buf[512];
	if (!check_operand(k, n->left, &l))
		return;
	if (n->kind == FC_AST_UNARY)
		return;
	enum fc_op op = n->op;
	if ((l.flags & FC_FF_EQ_ONLY) && op != FC_OP_EQ && op != FC_OP_EQEQ) {
		snprintf(buf, sizeof buf, "'%s' operator not supported for field '%s'", fc_op_text(op), l.name);
		err(k, n, n->oppos, buf);
		return;
	}
	const char *e = comparable(op, l.type, l.is_list, buf, sizeof buf);
	if (e) {
		err(k, n, n->oppos, e);
		return;
	}
	const struct fc_ast *r = n->right;
	if (r->kind == FC_AST_FIELD || r->kind == FC_AST_TRANSFORMER) {
		if (op == FC_OP_PMATCH || op == FC_OP_REGEX || l.type == PT_IPNET) {
			snprintf(buf, sizeof buf, "operator '%s' does not support right-hand side field comparisons",
				 fc_op_text(op));
			err(k, n, n->oppos, buf);
			return;
		}
		struct operand rr;
		if (!check_operand(k, r, &rr))
			return;
		if ((l.flags & FC_FF_NO_RHS) || (rr.flags & FC_FF_NO_RHS)) {
			snprintf(buf, sizeof buf, "field '%s' can't be used in a field-to-field comparison",
				 (l.flags & FC_FF_NO_RHS) ? l.name : rr.name);
			err(k, n, n->pos, buf);
			return;
		}
		if (rr.type != l.type || rr.is_list != l.is_list) {
			snprintf(buf, sizeof buf,
				 "field '%s' has type '%s%s' while the right-hand side field '%s' has incompatible type '%s%s'",
				 l.name, fc_ptype_name(l.type), l.is_list ? " (list)" : "", rr.name, fc_ptype_name(rr.type),
				 rr.is_list ? " (list)" : "");
			err(k, n, n->pos, buf);
		}
		return;
	}
	if (r->kind == FC_AST_LIST) {
		for (uint32_t i = 0; i < r->nkids; i++)
			check_value(k, &l, n, r->kids[i]);
	} else if (r->kind == FC_AST_VALUE) {
		check_value(k, &l, n, r);
	}
}

static void walk(struct checker *k, const struct fc_ast *n)
{
	switch (n->kind) {
	case FC_AST_AND:
	case FC_AST_OR:
	case FC_AST_NOT:
		for (uint32_t i = 0; i < n->nkids; i++)
			walk(k, n->kids[i]);
		break;
	case FC_AST_UNARY:
	case FC_AST_BINARY:
		check_check(k, n);
		break;
	default:
		break;
	}
}

bool fc_check_condition(struct fc_compiled *c, struct fc_crule *cr, bool unknown_as_warning, bool *unknown)
{
	struct checker k = {.c = c, .cr = cr, .unknown_as_warning = unknown_as_warning, .ok = true};
	walk(&k, cr->ast);
	cr->fields = k.fields;
	cr->nfields = k.nfields;
	*unknown = k.unknown;
	return k.ok;
}
