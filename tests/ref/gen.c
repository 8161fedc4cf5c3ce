/* gen.c — owns the random condition and event generator of the differential test (gen.h):
 * the field pool, the value vocabulary, the operator choice per type, and the text of
 * conditions (bare or "quoted" values, exactly as the condition grammar reads them). */
#include "gen.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ast.h"
#include "fields.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- random numbers -------------------------------------------------------------------- */

uint64_t fc_gen_seed_from_env(void)
{
	const char *s = getenv("FC_DIFF_SEED");
	if (s && *s)
		return strtoull(s, NULL, 0);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
}

void fc_gen_init(struct fc_gen *g, uint64_t seed)
{
	g->s = seed ? seed : 0x9e3779b97f4a7c15u; /* xorshift must not start at 0 */
	g->nreuse = 0;
}

uint64_t fc_gen_u64(struct fc_gen *g)
{
	uint64_t x = g->s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->s = x;
	return x * 0x2545f4914f6cdd1du;
}

uint32_t fc_gen_below(struct fc_gen *g, uint32_t n)
{
	return (uint32_t)((fc_gen_u64(g) >> 32) % n);
}

static bool chance(struct fc_gen *g, uint32_t pct)
{
	return fc_gen_below(g, 100) < pct;
}

#define PICK(g, a) ((a)[fc_gen_below((g), (uint32_t)N(a))])

/* ---- vocabulary ------------------------------------------------------------------------ */

static const char *const v_name[] = {"bash", "sh", "sshd", "nginx", "curl", "python3", "Bash",
				     "BASH", "systemd", "cron", "caf\xc3\xa9", "a b", "", "10"};
static const char *const v_path[] = {"/etc/passwd", "/etc/shadow", "/tmp/x", "/bin/bash", "/usr/bin/curl",
				     "/var/log/syslog", "/etc/", "/", "relative/p", "/ETC/Passwd",
				     "/etc/ssh/sshd_config", "/tmp/a b"};
static const char *const v_cmd[] = {"bash -c ls", "curl http://x", "sshd -D", "nginx", "bash",
				    "sh -c \"id\"", "python3 x.py", "CURL -X", "ls -la /tmp"};
static const char *const v_user[] = {"root", "nobody", "alice", "Root"};
static const char *const v_cid[] = {"host", "abc123def456", ""};
static const char *const v_evt[] = {"open", "openat", "execve", "connect", "read", "write", "close", "clone"};
static const char *const v_types[] = {"file", "ipv4", "ipv6", "unix", "pipe", "event"};
/* Buffers: event values hold any byte; constants are text (YAML) or hex (bcontains). */
static const struct {
	const char *s;
	uint32_t n;
} v_buf_ev[] = {{"hello", 5}, {"\xca\xfe\xba\xbe\x00\x01", 6}, {"GET / HTTP/1.1", 14}, {"", 0}, {"\x00", 1},
		{"hello world", 11}};
static const char *const v_buf_c[] = {"hello", "GET", "HTTP/1.1", "world", "", "GET / HTTP/1.1", "o w"};
static const char *const v_hex[] = {"cafebabe", "cafe", "00", "68656c6c6f", "474554", "0001", "ff", "6f20"};

static const char *const n_pid[] = {"1", "2", "100", "4242", "65535"};
static const char *const n_fd[] = {"-1", "0", "1", "2", "3", "100"};
static const char *const n_res[] = {"-13", "-2", "0", "3", "4096"};
static const char *const n_uid[] = {"0", "1000", "65534", "4294967295"};
static const char *const n_tty[] = {"0", "34816", "1000"};
static const char *const n_vm[] = {"0", "1024", "4096", "123456789"};
static const char *const n_port[] = {"0", "22", "53", "80", "443", "8080"};
static const char *const n_portname[] = {"ssh", "http", "https", "domain"};
static const char *const n_dbl_ev[] = {"0", "0.5", "1", "2.5", "3"};
static const char *const n_dbl_c[] = {"0", "1", "2", "3"};
static const char *const n_len[] = {"0", "1", "2", "3", "4", "5", "6", "10", "12", "14"};
static const char *const v_bool[] = {"true", "false"};
static const char *const v_ip[] = {"10.0.0.1", "10.0.0.2", "192.168.1.5", "127.0.0.1", "::1", "2001:db8::1", "fe80::1"};
static const char *const v_net[] = {"10.0.0.0/8", "192.168.0.0/16", "127.0.0.1/32", "0.0.0.0/0",
				    "::1/128", "2001:db8::/32", "10.0.0.2/31", "::/0"};

static const char *const g_name[] = {"*sh", "b*", "?sh", "[bs]*", "*", "ba[!s]h", "*d", "B*", "c*l", "caf?"};
static const char *const g_path[] = {"/etc/*", "*passwd", "/tmp/?", "/usr/*/curl", "*/*", "/etc/[ps]*", "/*/*/*"};
static const char *const g_cmd[] = {"*-c*", "curl *", "* -D", "*", "*\"id\""};
static const char *const r_name[] = {"ba.*", "(bash|sh)", "[a-z]+", "s.*d", ".*", "B.*", "c.f.", "[^s]+"};
static const char *const r_path[] = {"/etc/.*", "/(tmp|var)/.*", ".*passwd", "/[a-z]+/[a-z]+", ".*"};
static const char *const r_cmd[] = {".*-c.*", "curl .*", "[a-z]+", ".* .*", "[a-z0-9]+ -[a-zA-Z]"};
static const char *const p_path[] = {"/etc", "/usr/bin", "/tmp/*", "/", "/etc/ss*", "/var", "/etc/passwd",
				     "relative", "/bin/bash/x", "/*/log"};

enum vclass { VC_NAME, VC_PATH, VC_CMD, VC_USER, VC_CID, VC_EVT, VC_TYPES, VC_BUF, VC_PID, VC_FD, VC_RES,
	      VC_UID, VC_TTY, VC_VM, VC_PORT, VC_DBL, VC_LEN, VC_BOOL, VC_IP, VC_NET };

struct strvocab {
	const char *const *v, *const *glob, *const *re;
	size_t nv, nglob, nre;
};
#define SV(v, g, r) {v, g, r, N(v), N(g), N(r)}
static const struct strvocab str_vocab[] = {
	[VC_NAME] = SV(v_name, g_name, r_name), [VC_PATH] = SV(v_path, g_path, r_path),
	[VC_CMD] = SV(v_cmd, g_cmd, r_cmd),     [VC_USER] = SV(v_user, g_name, r_name),
	[VC_CID] = SV(v_cid, g_name, r_name),   [VC_EVT] = SV(v_evt, g_name, r_name),
	[VC_TYPES] = SV(v_types, g_name, r_name), [VC_BUF] = SV(v_buf_c, g_name, r_name),
};

struct numvocab {
	const char *const *ev, *const *c;
	size_t nev, nc;
};
#define NV(e, c) {e, c, N(e), N(c)}
static const struct numvocab num_vocab[] = {
	[VC_PID] = NV(n_pid, n_pid), [VC_FD] = NV(n_fd, n_fd),   [VC_RES] = NV(n_res, n_res),
	[VC_UID] = NV(n_uid, n_uid), [VC_TTY] = NV(n_tty, n_tty), [VC_VM] = NV(n_vm, n_vm),
	[VC_PORT] = NV(n_port, n_port), [VC_DBL] = NV(n_dbl_ev, n_dbl_c), [VC_LEN] = NV(n_len, n_len),
	[VC_BOOL] = NV(v_bool, v_bool), [VC_IP] = NV(v_ip, v_ip), [VC_NET] = NV(v_ip, v_net),
};

/* ---- the field pool -------------------------------------------------------------------- */

enum gkind { K_STR, K_EVTYPE, K_ANC_S, K_ANC_N, K_NUM, K_BOOL, K_IP, K_NET, K_LIST, K_BUF };

struct gfield {
	const char *name;
	enum gkind kind;
	enum vclass vc;
	bool set; /* generated in events (others derive from them: proc.aname[N]) */
	bool rhs; /* may take part in a field comparison */
};

static const struct gfield pool[] = {
	{"proc.name", K_STR, VC_NAME, true, true},
	{"proc.pname", K_STR, VC_NAME, true, true},
	{"proc.aname[0]", K_STR, VC_NAME, false, true},
	{"proc.aname[1]", K_STR, VC_NAME, false, true},
	{"proc.aname[2]", K_STR, VC_NAME, false, true},
	{"proc.exe", K_STR, VC_PATH, true, true},
	{"proc.cmdline", K_STR, VC_CMD, true, true},
	{"proc.pcmdline", K_STR, VC_CMD, true, true},
	{"fd.name", K_STR, VC_PATH, true, true},
	{"fd.directory", K_STR, VC_PATH, true, true},
	{"user.name", K_STR, VC_USER, true, true},
	{"container.id", K_STR, VC_CID, true, true},
	{"proc.env[HOME]", K_STR, VC_PATH, true, true},
	{"evt.type", K_EVTYPE, VC_EVT, false, false},
	{"proc.aname", K_ANC_S, VC_NAME, true, false},
	{"proc.aexepath", K_ANC_S, VC_PATH, true, false},
	{"proc.apid", K_ANC_N, VC_PID, true, false},
	{"proc.pid", K_NUM, VC_PID, true, true},
	{"proc.ppid", K_NUM, VC_PID, true, true},
	{"proc.apid[1]", K_NUM, VC_PID, false, true},
	{"fd.num", K_NUM, VC_FD, true, true},
	{"evt.rawres", K_NUM, VC_RES, true, true},
	{"user.uid", K_NUM, VC_UID, true, true},
	{"proc.tty", K_NUM, VC_TTY, true, true},
	{"proc.vmsize", K_NUM, VC_VM, true, true},
	{"fd.sport", K_NUM, VC_PORT, true, true},
	{"fd.cport", K_NUM, VC_PORT, true, true},
	{"fd.port", K_NUM, VC_PORT, true, false},
	{"proc.fdusage", K_NUM, VC_DBL, true, true},
	{"proc.is_exe_writable", K_BOOL, VC_BOOL, true, true},
	{"evt.failed", K_BOOL, VC_BOOL, true, true},
	{"fd.is_server", K_BOOL, VC_BOOL, true, true},
	{"container.privileged", K_BOOL, VC_BOOL, true, true},
	{"fd.sip", K_IP, VC_IP, true, true},
	{"fd.cip", K_IP, VC_IP, true, true},
	{"fd.ip", K_IP, VC_IP, true, false},
	{"fd.net", K_NET, VC_NET, true, false},
	{"fd.snet", K_NET, VC_NET, true, false},
	{"fd.types", K_LIST, VC_TYPES, true, false},
	{"evt.buffer", K_BUF, VC_BUF, true, false},
};

/* Catalog type of pool entry I (for pairing a field with a val() of the same type). */
static enum fc_ptype ptype_of(size_t i)
{
	static int cache[N(pool)];
	if (!cache[i]) {
		char name[64], *lb;
		snprintf(name, sizeof name, "%s", pool[i].name);
		const char *arg = NULL;
		if ((lb = strchr(name, '['))) {
			*lb = 0;
			char *a = lb + 1;
			a[strlen(a) - 1] = 0; /* drop ']' */
			arg = a;
		}
		struct fc_fieldref ref;
		char err[256];
		if (!fc_field_resolve(name, arg, &ref, err, sizeof err))
			abort(); /* the pool names real catalog fields */
		cache[i] = (int)ref.type + 1;
	}
	return (enum fc_ptype)(cache[i] - 1);
}

/* ---- condition text -------------------------------------------------------------------- */

/* A value as the grammar reads it: bare when it is a BareStr, else "quoted". */
static void put_value(struct fc_buf *b, const char *s)
{
	bool bare = *s != 0;
	for (const char *p = s; *p && bare; p++)
		if (strchr("()\"'=,\\", *p) || isspace((unsigned char)*p))
			bare = false;
	if (bare) {
		fc_buf_puts(b, s);
		return;
	}
	fc_buf_putc(b, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fc_buf_putc(b, '\\');
		fc_buf_putc(b, *p);
	}
	fc_buf_putc(b, '"');
}

/* Flips the case of some ASCII letters of S in place. */
static void flip_case(struct fc_gen *g, char *s)
{
	for (; *s; s++)
		if (isalpha((unsigned char)*s) && chance(g, 50))
			*s = (char)(islower((unsigned char)*s) ? toupper((unsigned char)*s) : tolower((unsigned char)*s));
}

/* A byte offset of S that does not split a UTF-8 sequence, in [lo, hi]. */
static size_t cut(struct fc_gen *g, const char *s, size_t lo, size_t hi)
{
	size_t i = lo + fc_gen_below(g, (uint32_t)(hi - lo + 1));
	while (i > lo && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/* A string constant for OP on a value of class VC, into OUT (size 256). */
static void str_const(struct fc_gen *g, enum vclass vc, enum fc_op op, char *out)
{
	const struct strvocab *v = &str_vocab[vc];
	const char *item = v->v[fc_gen_below(g, (uint32_t)v->nv)];
	size_t n = strlen(item), a, z;
	switch (op) {
	case FC_OP_CONTAINS:
	case FC_OP_ICONTAINS:
		a = n ? cut(g, item, 0, n) : 0;
		z = a < n ? cut(g, item, a, n) : a;
		if (z < n && chance(g, 30))
			z = n;
		snprintf(out, 256, "%.*s", (int)(z - a), item + a);
		if (op == FC_OP_ICONTAINS)
			flip_case(g, out);
		return;
	case FC_OP_STARTSWITH:
		snprintf(out, 256, "%.*s", (int)(n ? cut(g, item, 0, n) : 0), item);
		return;
	case FC_OP_ENDSWITH:
		a = n ? cut(g, item, 0, n) : 0;
		snprintf(out, 256, "%s", item + a);
		return;
	case FC_OP_GLOB:
	case FC_OP_IGLOB:
		if (chance(g, 50) || !n) {
			snprintf(out, 256, "%s", v->glob[fc_gen_below(g, (uint32_t)v->nglob)]);
		} else { /* the item with its tail replaced by '*', or one ASCII character by '?' */
			a = cut(g, item, 0, n);
			if (chance(g, 50) || ((unsigned char)item[a] & 0x80))
				snprintf(out, 256, "%.*s*", (int)a, item);
			else
				snprintf(out, 256, "%.*s?%s", (int)a, item, item + a + (a < n));
		}
		if (op == FC_OP_IGLOB)
			flip_case(g, out);
		return;
	case FC_OP_REGEX:
		snprintf(out, 256, "%s", v->re[fc_gen_below(g, (uint32_t)v->nre)]);
		return;
	case FC_OP_PMATCH:
		snprintf(out, 256, "%s", PICK(g, p_path));
		return;
	default:
		snprintf(out, 256, "%s", item);
		if (chance(g, 15))
			flip_case(g, out);
		return;
	}
}

/* The left-hand side of a check. */
struct lhs {
	enum gkind kind;
	enum vclass vc;
	enum fc_ptype type;
	bool rhs;          /* may be compared with a field */
	int concat2;       /* concat(F1, "sep", F2): pool index of F2, else -1 */
	const char *sep;
	char text[512];
};

static size_t pick_field(struct fc_gen *g)
{
	return fc_gen_below(g, (uint32_t)N(pool));
}

/* A pool index of a field of KIND (STR fields of the given type etc.) that can be a val(). */
static int pick_rhs_field(struct fc_gen *g, enum fc_ptype t)
{
	int cand[N(pool)], n = 0;
	for (size_t i = 0; i < N(pool); i++)
		if (pool[i].rhs && ptype_of(i) == t)
			cand[n++] = (int)i;
	return n ? cand[fc_gen_below(g, (uint32_t)n)] : -1;
}

static int pick_str_field(struct fc_gen *g)
{
	for (;;) {
		size_t i = pick_field(g);
		if (pool[i].kind == K_STR)
			return (int)i;
	}
}

static void make_lhs(struct fc_gen *g, struct lhs *l)
{
	size_t i = pick_field(g);
	const struct gfield *f = &pool[i];
	l->kind = f->kind;
	l->vc = f->vc;
	l->type = ptype_of(i);
	l->rhs = f->rhs;
	l->concat2 = -1;
	snprintf(l->text, sizeof l->text, "%s", f->name);
	uint32_t r = fc_gen_below(g, 100);
	if (f->kind == K_STR && r < 30) {
		if (r < 4) { /* concat(F1, "sep", F2) or concat(F1, F2) */
			int j = pick_str_field(g);
			l->sep = chance(g, 50) ? "" : chance(g, 50) ? " " : ":";
			l->concat2 = j;
			if (*l->sep)
				snprintf(l->text, sizeof l->text, "concat(%s, \"%s\", %s)", f->name, l->sep, pool[j].name);
			else
				snprintf(l->text, sizeof l->text, "concat(%s, %s)", f->name, pool[j].name);
		} else if (r < 10) { /* len(F) */
			snprintf(l->text, sizeof l->text, "len(%s)", f->name);
			l->kind = K_NUM;
			l->vc = VC_LEN;
			l->type = PT_UINT64;
		} else {
			static const char *const xf[] = {"tolower", "toupper", "basename"};
			const char *x1 = PICK(g, xf);
			if (chance(g, 25))
				snprintf(l->text, sizeof l->text, "%s(%s(%s))", PICK(g, xf), x1, f->name);
			else
				snprintf(l->text, sizeof l->text, "%s(%s)", x1, f->name);
		}
		l->rhs = true;
	} else if ((f->kind == K_LIST || f->kind == K_BUF) && r < 15) {
		snprintf(l->text, sizeof l->text, "len(%s)", f->name);
		l->kind = K_NUM;
		l->vc = VC_LEN;
		l->type = PT_UINT64;
		l->rhs = true;
	}
}

/* Weighted operator choice. */
struct wop {
	enum fc_op op;
	unsigned w;
};
static enum fc_op pick_op(struct fc_gen *g, const struct wop *ops, size_t n)
{
	unsigned total = 0;
	for (size_t i = 0; i < n; i++)
		total += ops[i].w;
	unsigned r = fc_gen_below(g, total);
	for (size_t i = 0; i < n; i++) {
		if (r < ops[i].w)
			return ops[i].op;
		r -= ops[i].w;
	}
	return ops[0].op;
}

static const struct wop ops_str[] = {
	{FC_OP_EQ, 6},        {FC_OP_EQEQ, 1},      {FC_OP_NE, 4},        {FC_OP_CONTAINS, 4},
	{FC_OP_ICONTAINS, 2}, {FC_OP_STARTSWITH, 4}, {FC_OP_ENDSWITH, 3},  {FC_OP_GLOB, 3},
	{FC_OP_IGLOB, 2},     {FC_OP_REGEX, 2},     {FC_OP_IN, 5},        {FC_OP_INTERSECTS, 1},
	{FC_OP_PMATCH, 1},    {FC_OP_LT, 1},        {FC_OP_GE, 1},
};
static const struct wop ops_evt[] = {
	{FC_OP_EQ, 6}, {FC_OP_NE, 3}, {FC_OP_IN, 5}, {FC_OP_INTERSECTS, 1},
	{FC_OP_STARTSWITH, 1}, {FC_OP_CONTAINS, 1}, {FC_OP_GLOB, 1}, {FC_OP_REGEX, 1},
};
static const struct wop ops_num[] = {
	{FC_OP_EQ, 4}, {FC_OP_EQEQ, 1}, {FC_OP_NE, 3}, {FC_OP_LT, 2}, {FC_OP_LE, 2},
	{FC_OP_GT, 2}, {FC_OP_GE, 2},   {FC_OP_IN, 4}, {FC_OP_INTERSECTS, 1},
};
static const struct wop ops_eq[] = {
	{FC_OP_EQ, 4}, {FC_OP_EQEQ, 1}, {FC_OP_NE, 3}, {FC_OP_IN, 3}, {FC_OP_INTERSECTS, 1},
};
static const struct wop ops_list[] = {{FC_OP_IN, 3}, {FC_OP_INTERSECTS, 3}};
static const struct wop ops_buf[] = {
	{FC_OP_EQ, 3},        {FC_OP_NE, 2},         {FC_OP_CONTAINS, 3}, {FC_OP_STARTSWITH, 2},
	{FC_OP_ENDSWITH, 2},  {FC_OP_BCONTAINS, 3},  {FC_OP_BSTARTSWITH, 2}, {FC_OP_IN, 2},
	{FC_OP_INTERSECTS, 1},
};

static bool mod_ok(enum fc_op op)
{
	switch (op) {
	case FC_OP_EQ: case FC_OP_EQEQ: case FC_OP_NE: case FC_OP_CONTAINS: case FC_OP_ICONTAINS:
	case FC_OP_BCONTAINS: case FC_OP_STARTSWITH: case FC_OP_BSTARTSWITH: case FC_OP_ENDSWITH:
	case FC_OP_GLOB: case FC_OP_IGLOB: case FC_OP_REGEX:
		return true;
	default:
		return false;
	}
}

/* One constant for a check of L with OP, appended to B. */
static void put_const(struct fc_gen *g, struct fc_buf *b, const struct lhs *l, enum fc_op op)
{
	char v[512];
	switch (l->kind) {
	case K_EVTYPE: /* every value must name an event, whatever the operator */
		put_value(b, PICK(g, v_evt));
		return;
	case K_STR:
	case K_ANC_S:
	case K_LIST:
		if (op == FC_OP_LT || op == FC_OP_LE || op == FC_OP_GT || op == FC_OP_GE) {
			/* the grammar reads only a number after an ordering operator: strcmp with it */
			static const char *const nums[] = {"0", "1", "5", "10", "99"};
			fc_buf_puts(b, PICK(g, nums));
			return;
		}
		if (l->concat2 >= 0 && (op == FC_OP_EQ || op == FC_OP_EQEQ || op == FC_OP_NE || op == FC_OP_IN)) {
			char a[256], c[256];
			str_const(g, l->vc, FC_OP_EQ, a);
			str_const(g, pool[l->concat2].vc, FC_OP_EQ, c);
			snprintf(v, sizeof v, "%s%s%s", a, l->sep, c);
		} else {
			str_const(g, l->vc, op, v);
		}
		put_value(b, v);
		return;
	case K_BUF:
		put_value(b, op == FC_OP_BCONTAINS || op == FC_OP_BSTARTSWITH ? PICK(g, v_hex) : PICK(g, v_buf_c));
		return;
	default: {
		const struct numvocab *nv = &num_vocab[l->vc];
		bool ordering = op == FC_OP_LT || op == FC_OP_LE || op == FC_OP_GT || op == FC_OP_GE;
		if (l->vc == VC_PORT && !ordering && chance(g, 25))
			fc_buf_puts(b, PICK(g, n_portname));
		else
			fc_buf_puts(b, nv->c[fc_gen_below(g, (uint32_t)nv->nc)]);
		return;
	}
	}
}

static void put_list(struct fc_gen *g, struct fc_buf *b, const struct lhs *l, enum fc_op op, unsigned maxn)
{
	unsigned n = chance(g, 4) ? 0 : 1 + fc_gen_below(g, maxn);
	fc_buf_putc(b, '(');
	for (unsigned i = 0; i < n; i++) {
		if (i)
			fc_buf_puts(b, ", ");
		put_const(g, b, l, op);
	}
	fc_buf_putc(b, ')');
}

/* A field right-hand side of the type of L: val(F), a transformer of F, or len(F). */
static bool put_field_rhs(struct fc_gen *g, struct fc_buf *b, const struct lhs *l)
{
	if (l->type == PT_UINT64 && l->vc == VC_LEN && chance(g, 70)) {
		fc_buf_printf(b, "len(%s)", pool[pick_str_field(g)].name);
		return true;
	}
	int j = pick_rhs_field(g, l->type);
	if (j < 0)
		return false;
	if (pool[j].kind == K_STR && chance(g, 35)) {
		static const char *const xf[] = {"tolower", "toupper", "basename"};
		fc_buf_printf(b, "%s(%s)", PICK(g, xf), pool[j].name);
	} else {
		fc_buf_printf(b, "val(%s)", pool[j].name);
	}
	return true;
}

static void gen_check(struct fc_gen *g, struct fc_buf *b)
{
	struct lhs l;
	make_lhs(g, &l);
	fc_buf_puts(b, l.text);
	if (chance(g, 7)) {
		fc_buf_puts(b, " exists");
		return;
	}
	enum fc_op op;
	switch (l.kind) {
	case K_STR: case K_ANC_S: op = pick_op(g, ops_str, N(ops_str)); break;
	case K_EVTYPE: op = pick_op(g, ops_evt, N(ops_evt)); break;
	case K_NUM: case K_ANC_N: op = pick_op(g, ops_num, N(ops_num)); break;
	case K_LIST: op = pick_op(g, ops_list, N(ops_list)); break;
	case K_BUF: op = pick_op(g, ops_buf, N(ops_buf)); break;
	default: op = pick_op(g, ops_eq, N(ops_eq)); break;
	}
	/* pmatch wants paths; ordering on strings is rare and only on plain fields */
	if (op == FC_OP_PMATCH && l.vc != VC_PATH)
		op = FC_OP_STARTSWITH;
	if ((op == FC_OP_LT || op == FC_OP_GE) && (l.kind == K_STR || l.kind == K_ANC_S) && !chance(g, 50))
		op = FC_OP_EQ;
	fc_buf_printf(b, " %s ", fc_op_text(op));

	/* a field on the right: val(), a transformer (not for pmatch/regex, ancestors, networks) */
	if (l.rhs && op != FC_OP_PMATCH && op != FC_OP_REGEX && op != FC_OP_BCONTAINS && op != FC_OP_BSTARTSWITH &&
	    (l.kind == K_STR || l.kind == K_NUM || l.kind == K_BOOL || l.kind == K_IP) && chance(g, 18) &&
	    put_field_rhs(g, b, &l))
		return;
	bool list_op = op == FC_OP_IN || op == FC_OP_INTERSECTS || op == FC_OP_PMATCH;
	if (!list_op && mod_ok(op) && (l.kind == K_STR || l.kind == K_ANC_S || l.kind == K_BUF || l.kind == K_EVTYPE) &&
	    chance(g, 18)) {
		static const char *const mods[] = {"anyof", "allof", "oneof"};
		fc_buf_printf(b, "%s ", PICK(g, mods));
		put_list(g, b, &l, op, 3);
		return;
	}
	if (list_op)
		put_list(g, b, &l, op, 4);
	else
		put_const(g, b, &l, op);
}

/* Checks of one field joined by `or` (mostly) or `and`: = / in / != / startswith, some negated.
 * Such chains are what the optimiser turns into sets, tries and folded event-type tests. */
static void gen_chain(struct fc_gen *g, struct fc_buf *b)
{
	size_t i;
	do
		i = pick_field(g);
	while (pool[i].kind != K_STR && pool[i].kind != K_EVTYPE && pool[i].kind != K_NUM && pool[i].kind != K_IP);
	struct lhs l = {.kind = pool[i].kind, .vc = pool[i].vc, .type = ptype_of(i), .concat2 = -1};
	snprintf(l.text, sizeof l.text, "%s", pool[i].name);
	unsigned n = 2 + fc_gen_below(g, 4);
	const char *join = chance(g, 75) ? " or " : " and ";
	fc_buf_putc(b, '(');
	for (unsigned k = 0; k < n; k++) {
		if (k)
			fc_buf_puts(b, join);
		if (chance(g, 15))
			fc_buf_puts(b, "not ");
		enum fc_op op = FC_OP_EQ;
		uint32_t r = fc_gen_below(g, 100);
		if (r < 25)
			op = FC_OP_IN;
		else if (r < 35)
			op = FC_OP_NE;
		else if (r < 60 && l.kind == K_STR)
			op = FC_OP_STARTSWITH;
		fc_buf_printf(b, "%s %s ", l.text, fc_op_text(op));
		if (op == FC_OP_IN)
			put_list(g, b, &l, op, 3);
		else
			put_const(g, b, &l, op);
	}
	fc_buf_putc(b, ')');
}

static void remember(struct fc_gen *g, const struct fc_buf *b, size_t from)
{
	size_t n = b->len - from;
	if (!n || n >= sizeof g->reuse[0] || !chance(g, 30))
		return;
	unsigned slot = g->nreuse < FC_GEN_REUSE ? g->nreuse++ : fc_gen_below(g, FC_GEN_REUSE);
	memcpy(g->reuse[slot], b->p + from, n);
	g->reuse[slot][n] = 0;
}

static void gen_expr(struct fc_gen *g, struct fc_buf *b, int depth)
{
	uint32_t r = fc_gen_below(g, 100);
	size_t from = b->len;
	if (g->nreuse && r < 6) {
		fc_buf_puts(b, g->reuse[fc_gen_below(g, g->nreuse)]);
		return;
	}
	if (depth <= 0 || r < 40) {
		gen_check(g, b);
		return;
	}
	if (r < 48) {
		gen_chain(g, b);
	} else if (r < 60) {
		fc_buf_puts(b, "not (");
		gen_expr(g, b, depth - 1);
		fc_buf_putc(b, ')');
	} else {
		unsigned n = 2 + fc_gen_below(g, 2);
		const char *op = r < 80 ? " and " : " or ";
		fc_buf_putc(b, '(');
		for (unsigned i = 0; i < n; i++) {
			if (i)
				fc_buf_puts(b, op);
			gen_expr(g, b, depth - 1);
		}
		fc_buf_putc(b, ')');
	}
	remember(g, b, from);
}

void fc_gen_condition(struct fc_gen *g, struct fc_buf *out, int depth)
{
	gen_expr(g, out, depth);
}

/* ---- events ---------------------------------------------------------------------------- */

static void set_text(struct fc_fake_evt *e, const char *field, const char *text)
{
	char err[256];
	if (!fc_fake_set(e, field, text, err, sizeof err)) {
		fprintf(stderr, "gen: cannot set %s=%s: %s\n", field, text, err);
		abort(); /* the vocabulary is ours: a failure here is a generator bug */
	}
}

static void set_val(struct fc_fake_evt *e, const char *field, const struct fc_val *v)
{
	char err[256];
	if (!fc_fake_set_val(e, field, v, err, sizeof err)) {
		fprintf(stderr, "gen: cannot set %s: %s\n", field, err);
		abort();
	}
}

static struct fc_val str_val(const char *s)
{
	return (struct fc_val){.kind = FC_V_STR, .len = (uint32_t)strlen(s), .s = s};
}

void fc_gen_event(struct fc_gen *g, struct fc_fake_evt *e)
{
	fc_fake_clear(e);
	fc_fake_set_type(e, PICK(g, v_evt));
	/* Every real event has a number, from 1 (the compiler folds `evt.num >= 1` to true and
	 * `evt.num = 0` to false on that fact): never missing, never 0, here too. */
	char num[24];
	snprintf(num, sizeof num, "%u", 1 + fc_gen_below(g, 3) * 1000 + fc_gen_below(g, 3));
	set_text(e, "evt.num", num);
	for (size_t i = 0; i < N(pool); i++) {
		const struct gfield *f = &pool[i];
		if (!f->set)
			continue;
		if (chance(g, 15)) { /* missing: said explicitly, or simply not there */
			if (chance(g, 50))
				set_text(e, f->name, "<missing>");
			continue;
		}
		switch (f->kind) {
		case K_STR: {
			const struct strvocab *v = &str_vocab[f->vc];
			struct fc_val x = str_val(v->v[fc_gen_below(g, (uint32_t)v->nv)]);
			set_val(e, f->name, &x);
			break;
		}
		case K_ANC_S:
		case K_LIST: {
			const struct strvocab *v = &str_vocab[f->vc];
			struct fc_val items[4];
			unsigned n = fc_gen_below(g, f->kind == K_LIST ? 4 : 5);
			for (unsigned k = 0; k < n; k++) {
				items[k] = str_val(v->v[fc_gen_below(g, (uint32_t)v->nv)]);
				for (unsigned m = 0; f->kind == K_LIST && m < k; m++) /* list fields hold distinct items */
					if (!strcmp(items[m].s, items[k].s)) {
						n = k;
						break;
					}
			}
			struct fc_val x = {.kind = FC_V_LIST, .len = n, .items = items};
			set_val(e, f->name, &x);
			break;
		}
		case K_ANC_N: {
			char text[128] = "(";
			unsigned n = fc_gen_below(g, 5);
			for (unsigned k = 0; k < n; k++)
				snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", k ? "," : "", PICK(g, n_pid));
			strcat(text, ")");
			set_text(e, f->name, text);
			break;
		}
		case K_BUF: {
			uint32_t k = fc_gen_below(g, (uint32_t)N(v_buf_ev));
			struct fc_val x = {.kind = FC_V_BUF, .len = v_buf_ev[k].n, .s = v_buf_ev[k].s};
			set_val(e, f->name, &x);
			break;
		}
		default: {
			const struct numvocab *nv = &num_vocab[f->vc];
			set_text(e, f->name, nv->ev[fc_gen_below(g, (uint32_t)nv->nev)]);
			break;
		}
		}
	}
}

/* ---- rulesets -------------------------------------------------------------------------- */

void fc_gen_rule_yaml(struct fc_buf *y, const char *name, const char *cond)
{
	fc_buf_printf(y, "- rule: %s\n  desc: d\n  condition: |-\n    %s\n  output: o\n  priority: WARNING\n", name, cond);
}

bool fc_gen_rules_compile(struct fc_gen_rules *r, const char *yaml)
{
	memset(r, 0, sizeof *r);
	fc_diags_init(&r->diags, &r->arena);
	fc_ruleset_init(&r->rs, &r->arena, &r->diags);
	r->diags.file = "gen.yaml";
	bool ok = fc_ruleset_load_text(&r->rs, "gen.yaml", yaml, strlen(yaml));
	ok = fc_compile(&r->rs, &r->comp) && ok;
	for (uint32_t i = 0; i < r->comp.nrules; i++)
		ok = ok && r->comp.rules[i].ok;
	if (!ok || r->diags.nerrors)
		for (const struct fc_diag *d = r->diags.head; d; d = d->next)
			if (fc_diag_code_is_error(d->code))
				fc_diag_print(stderr, d, false);
	return ok && !r->diags.nerrors;
}

void fc_gen_rules_free(struct fc_gen_rules *r)
{
	fc_ruleset_free(&r->rs);
	fc_arena_free(&r->arena);
}
