/* split.c — the split stage (issue 5): for every exit event code some enabled rule can match,
 * the kernel predicate the probe runs before it copies an event to a ring (bpf/kpred.h,
 * FC_SEC_KPROG), and its dump (`falcoc dump --stage=kern`).
 *
 * The one invariant (DESIGN.md): the kernel part must be implied by the rules. For a code c the
 * predicate is the OR, over the enabled rules indexed under c, of a condition each rule's own
 * condition implies ("weakening"): the condition in negation normal form, every atom replaced by
 * a kernel test that is true whenever the atom is true in userspace (in the polarity where the
 * atom appears), or by "maybe" (true) when no such test exists. Only atoms whose userspace
 * value is a function of the event's own bytes are translated, and only as far as that function
 * is known exactly (runtime/evtfields.c, extract_fd.c, state.c):
 *   - evt.rawres, evt.res (SUCCESS, errno names), evt.failed: the return value parameter;
 *   - evt.rawarg.X: integer parameters; evt.arg.X of flag parameters: the flag names the
 *     renderer can print, as bit tests (positive polarity);
 *   - evt.is_open_read/write/create: the open flags;
 *   - evt.type: folded per code (GENERIC: a test of the syscall id parameter);
 *   - on the open family: fd.num (-1 or the result), fd.name / fd.directory / fd.filename on
 *     the path as resolved (only when the path is absolute and already canonical, so that
 *     userspace's resolution is the identity), fd.nameraw on the raw name;
 *   - fs.path.* of path events: the absolute path parameter as passed (plus res == 0).
 * Values that may be missing in userspace (fd.*, fs.path.*: unknown thread, failed call) are
 * only used in positive polarity: a missing value makes every comparison false, so a negated
 * atom could be true in userspace whatever the parameter says. Everything else — process
 * names, users, containers, ports — is "maybe": userspace takes them from its state history
 * (clone/exec events, /proc reads, cgroups), which the kernel's current view does not equal.
 *
 * State: events the state engine parses (fc_state_parses: clone, exec, exit, close, dup,
 * socket, ...) never get a program. The open family is the exception, as it is most of the
 * volume: dropping an open hides its fd from userspace ("shadows" it) until it is closed, and
 * that is proven harmless: (1) the probe accepts every open whose fd is a directory or O_PATH
 * (FDDIR: fchdir and *at resolution only go through those); (2) every enabled rule that reads fd
 * state on an event using an fd (read, write, close, ...) contributes its "fd projection": its
 * condition with fd.name/directory/filename atoms turned into tests of the opened path and
 * every other atom "maybe". A shadowed fd makes those fields missing in userspace, i.e. every
 * positive atom false; the rule's condition is monotone in them, so it is false on the shadowed
 * fd with the pre-filter on and off alike. Socket calls whose rule excludes EBADF and ENOTSOCK
 * are exempt (they ran on a socket, never an opened path), and so are dirfd uses the rule
 * requires to succeed (a relative path resolved through a directory, an absolute one through
 * nothing). Anything that cannot be shown makes the open family unfiltered.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "evtfields.h"
#include "fields.h"
#include "ir.h"
#include "kprog.h"
#include "state.h"

/* ---- kernel expressions ---------------------------------------------------------------- */

enum { SX_FALSE, SX_TRUE, SX_AND, SX_OR, SX_INT, SX_STR, SX_FDDIR };

struct sx {
	uint8_t kind;
	uint8_t op;    /* FC_KP_* */
	uint8_t param; /* event parameter */
	uint8_t raw;   /* SX_STR: FC_KP_RAW, FC_KP_NODUP or 0 */
	uint32_t k;    /* SX_INT / FDDIR: width | FC_KP_SIGNED */
	uint64_t imm, mask;
	const char *s; /* SX_STR: the constant (SHASH: the string hashed) */
	uint32_t len;
	struct sx **kids;
	uint32_t n;
};

struct sp {
	struct ir_mod *m;
};

static struct sx sx_true_ = {.kind = SX_TRUE}, sx_false_ = {.kind = SX_FALSE};
#define SXT (&sx_true_)
#define SXF (&sx_false_)

static struct sx *sx_new(struct ir_mod *m, uint8_t kind)
{
	struct sx *e = fc_arena_alloc(&m->arena, sizeof(*e));
	e->kind = kind;
	return e;
}

static struct sx *sx_int(struct ir_mod *m, uint8_t op, unsigned param, uint32_t k, uint64_t mask, uint64_t imm)
{
	struct sx *e = sx_new(m, SX_INT);
	e->op = op;
	e->param = (uint8_t)param;
	e->k = k;
	e->mask = mask;
	e->imm = imm;
	return e;
}

static struct sx *sx_str(struct ir_mod *m, uint8_t op, unsigned param, uint8_t raw, const char *s, uint32_t len)
{
	struct sx *e = sx_new(m, SX_STR);
	e->op = op;
	e->param = (uint8_t)param;
	e->raw = raw;
	e->s = fc_arena_strndup(&m->arena, s, len);
	e->len = len;
	if (op == FC_KP_SHASH)
		e->imm = fc_kp_hash(s, len);
	return e;
}

static bool sx_same(const struct sx *a, const struct sx *b)
{
	if (a->kind != b->kind || a->op != b->op || a->param != b->param || a->raw != b->raw || a->k != b->k ||
	    a->imm != b->imm || a->mask != b->mask || a->len != b->len || a->n != b->n)
		return false;
	if (a->len && memcmp(a->s, b->s, a->len))
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (!sx_same(a->kids[i], b->kids[i]))
			return false;
	return true;
}

/* Every part of A (its kids when A is of kind K, else A itself) is a part of B: then A alone
 * absorbs B in a node of the other kind. */
static bool subsumes(const struct sx *a, const struct sx *b, uint8_t k)
{
	uint32_t na = a->kind == k ? a->n : 1, nb = b->kind == k ? b->n : 1;
	for (uint32_t i = 0; i < na; i++) {
		const struct sx *x = a->kind == k ? a->kids[i] : a;
		bool found = false;
		for (uint32_t j = 0; j < nb && !found; j++)
			found = sx_same(x, b->kind == k ? b->kids[j] : b);
		if (!found)
			return false;
	}
	return true;
}

/* AND / OR of N kids, simplified: constants absorbed, nested nodes of the same kind flattened,
 * duplicates dropped. */
static struct sx *sx_nary(struct ir_mod *m, uint8_t kind, struct sx **k, uint32_t n)
{
	uint8_t unit = kind == SX_AND ? SX_TRUE : SX_FALSE, zero = kind == SX_AND ? SX_FALSE : SX_TRUE;
	uint32_t cap = 0;
	for (uint32_t i = 0; i < n; i++)
		cap += k[i]->kind == kind ? k[i]->n : 1;
	struct sx **out = fc_arena_alloc(&m->arena, sizeof(*out) * (cap ? cap : 1));
	uint32_t no = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (k[i]->kind == zero)
			return zero == SX_TRUE ? SXT : SXF;
		if (k[i]->kind == unit)
			continue;
		uint32_t nk = k[i]->kind == kind ? k[i]->n : 1;
		for (uint32_t j = 0; j < nk; j++) {
			struct sx *c = k[i]->kind == kind ? k[i]->kids[j] : k[i];
			bool dup = false;
			for (uint32_t q = 0; q < no && !dup; q++)
				dup = sx_same(out[q], c);
			if (!dup)
				out[no++] = c;
		}
	}
	if (no == 0)
		return unit == SX_TRUE ? SXT : SXF;
	/* absorption: a or (a and b) = a; a and (a or b) = a */
	for (uint32_t j = 0; j < no; j++) {
		bool drop = false;
		for (uint32_t i = 0; i < no && !drop; i++)
			drop = i != j && subsumes(out[i], out[j], kind == SX_OR ? SX_AND : SX_OR) &&
			       (!subsumes(out[j], out[i], kind == SX_OR ? SX_AND : SX_OR) || i < j);
		if (drop) {
			memmove(out + j, out + j + 1, sizeof(*out) * (no - j - 1));
			no--;
			j--;
		}
	}
	if (no == 1)
		return out[0];
	struct sx *e = sx_new(m, kind);
	e->kids = out;
	e->n = no;
	return e;
}

static struct sx *sx_and2(struct ir_mod *m, struct sx *a, struct sx *b)
{
	struct sx *k[2] = {a, b};
	return sx_nary(m, SX_AND, k, 2);
}

static struct sx *sx_or2(struct ir_mod *m, struct sx *a, struct sx *b)
{
	struct sx *k[2] = {a, b};
	return sx_nary(m, SX_OR, k, 2);
}

/* E with every atom known to hold (FACTS, from enclosing ANDs) replaced by true. */
static struct sx *sx_assume(struct ir_mod *m, struct sx *e, const struct sx **facts, uint32_t nf)
{
	if (e->kind == SX_INT || e->kind == SX_STR || e->kind == SX_FDDIR) {
		for (uint32_t i = 0; i < nf; i++)
			if (sx_same(facts[i], e))
				return SXT;
		return e;
	}
	if (e->kind != SX_AND && e->kind != SX_OR)
		return e;
	const struct sx **f2 = malloc(sizeof(*f2) * (nf + e->n + 1));
	struct sx **k = malloc(sizeof(*k) * (e->n + 1));
	if (!f2 || !k)
		abort();
	for (uint32_t i = 0; i < e->n; i++) {
		uint32_t n2 = nf;
		if (nf)
			memcpy(f2, facts, sizeof(*f2) * nf);
		if (e->kind == SX_AND)
			for (uint32_t j = 0; j < e->n; j++)
				if (j != i && e->kids[j]->kind != SX_AND && e->kids[j]->kind != SX_OR)
					f2[n2++] = e->kids[j];
		k[i] = sx_assume(m, e->kids[i], f2, n2);
	}
	struct sx *r = sx_nary(m, e->kind, k, e->n);
	free(f2);
	free(k);
	return r;
}

static struct sx *sx_simplify(struct ir_mod *m, struct sx *e)
{
	return sx_assume(m, e, NULL, 0);
}

/* ---- what the split knows about an event code -------------------------------------------- */

struct code {
	uint16_t code;
	const struct fc_event_info *ei;
	bool generic;  /* GENERIC_X: evt.type is the syscall id parameter's name */
	bool open_fam; /* open, openat, openat2, creat: a path fd-creating call */
	int res;       /* parameter 0 when it is the return value (retval), else -1 */
	int name;      /* open family: the path parameter */
	int fspath[3]; /* fs.path.name / source / target parameter; -1 "maybe", -2 always missing */
};

static bool name_is(const char *n, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(n, *list))
			return true;
	return false;
}

static const char *const open_names[] = {"open", "openat", "openat2", "creat", NULL};
/* Calls that fail with ENOTSOCK on anything but a socket (EVENTS.md). */
static const char *const sock_names[] = {"connect", "accept", "accept4", "bind", "listen", "sendto", "recvfrom",
					 "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "getsockopt", "setsockopt",
					 "shutdown", "getsockname", "getpeername", "send", "recv", NULL};

static int param_of(const struct fc_event_info *ei, const char *name)
{
	for (unsigned i = 0; i < ei->nparams; i++)
		if (!strcmp(ei->params[i].name, name))
			return (int)i;
	return -1;
}

static int width_of(enum fc_ptype t, bool *sign)
{
	*sign = false;
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64:
	case PT_ERRNO: case PT_FD: case PT_PID: case PT_FD32: case PT_PID32:
		*sign = true;
		break;
	case PT_UINT8: case PT_UINT16: case PT_UINT32: case PT_UINT64:
	case PT_FLAGS8: case PT_FLAGS16: case PT_FLAGS32:
	case PT_ENUMFLAGS8: case PT_ENUMFLAGS16: case PT_ENUMFLAGS32:
	case PT_UID: case PT_GID: case PT_MODE: case PT_PORT: case PT_SOCKFAMILY: case PT_L4PROTO:
	case PT_SYSCALLID: case PT_SIGTYPE: case PT_BOOL: case PT_RELTIME: case PT_ABSTIME:
	case PT_SIGSET:
		break;
	default:
		return 0;
	}
	unsigned w = fc_ptype_size(t);
	return w == 1 || w == 2 || w == 4 || w == 8 ? (int)w : 0;
}

/* fs.path.* parameter per event name (extract_fd.c fs_param; the fd-name forms are "maybe"). */
static void fspath_params(struct code *c)
{
	const char *ev = c->ei->name;
	const struct fc_event_info *ei = c->ei;
	c->fspath[0] = c->fspath[1] = c->fspath[2] = -2;
	static const char *const pth[] = {"mkdir", "mkdirat", "rmdir", "unlink", "chown", "lchown", NULL};
	static const char *const nam[] = {"unlinkat", "open", "openat", "openat2", "umount", "umount2", NULL};
	if (name_is(ev, pth))
		c->fspath[0] = param_of(ei, "path");
	else if (name_is(ev, nam))
		c->fspath[0] = param_of(ei, "name");
	else if (!strcmp(ev, "fchmodat") || !strcmp(ev, "chmod"))
		c->fspath[0] = param_of(ei, "filename");
	else if (!strcmp(ev, "fchownat"))
		c->fspath[0] = param_of(ei, "pathname");
	else if (!strcmp(ev, "fchmod") || !strcmp(ev, "fchown") || !strcmp(ev, "quotactl"))
		c->fspath[0] = -1; /* the fd's name, the special file: not from a path parameter here */
	const char *src = NULL, *tgt = NULL;
	if (!strcmp(ev, "rename") || !strcmp(ev, "renameat") || !strcmp(ev, "renameat2"))
		src = "oldpath", tgt = "newpath";
	else if (!strcmp(ev, "link") || !strcmp(ev, "linkat"))
		src = "newpath", tgt = "oldpath";
	else if (!strcmp(ev, "symlink") || !strcmp(ev, "symlinkat"))
		src = "linkpath", tgt = "target";
	else if (!strcmp(ev, "mount"))
		src = "dev", tgt = "dir";
	if (src) {
		c->fspath[1] = param_of(ei, src);
		c->fspath[2] = param_of(ei, tgt);
	}
	for (int i = 0; i < 3; i++)
		if (c->fspath[i] == -1 && !(i == 0 && (!strcmp(ev, "fchmod") || !strcmp(ev, "fchown") ||
						       !strcmp(ev, "quotactl"))))
			c->fspath[i] = -2; /* param_of: the event has no such parameter, so no value */
		else if (c->fspath[i] >= 0 && ei->params[c->fspath[i]].type != PT_FSPATH &&
		    ei->params[c->fspath[i]].type != PT_CHARBUF && ei->params[c->fspath[i]].type != PT_FSRELPATH)
			c->fspath[i] = -1;
}

static void code_init(struct code *c, unsigned code)
{
	memset(c, 0, sizeof(*c));
	c->code = (uint16_t)code;
	c->ei = &fc_events[code];
	c->generic = code == FC_PPME_GENERIC_X;
	c->open_fam = name_is(c->ei->name, open_names);
	c->res = -1;
	c->name = -1;
	if ((code & 1) && !(c->ei->flags & (FC_EF_TP | FC_EF_UNUSED)) && c->ei->nparams > 0) {
		switch (c->ei->params[0].type) {
		case PT_ERRNO: case PT_FD: case PT_PID: case PT_INT64: case PT_UINT64:
			c->res = 0;
			break;
		default:
			break;
		}
	}
	if (c->open_fam)
		c->name = param_of(c->ei, "name");
	fspath_params(c);
}

/* ---- flag names (the renderer's tables, from the one list) -------------------------------- */

struct fv {
	const char *name;
	uint32_t value;
};
#define FLAGS(table, kind) static const struct fv fl_##table[] = {
#define FV(name, value) {name, value},
#define ENDFLAGS(table) {NULL, 0}};
#include "flags.def"
#undef FLAGS
#undef FV
#undef ENDFLAGS
static const struct {
	const char *name;
	const struct fv *v;
} ftables[] = {
#define FLAGS(table, kind) {#table, fl_##table},
#include "flags.def"
#undef FLAGS
};

static const struct fv *ftable(const char *name)
{
	for (size_t i = 0; name && i < sizeof ftables / sizeof ftables[0]; i++)
		if (!strcmp(ftables[i].name, name))
			return ftables[i].v;
	return NULL;
}

/* Implied test of "flag name F appears in the rendering" of parameter P (evtfields.c
 * flags_to_sb over the value narrowed to 32 bits): exact tables need the value itself; bit
 * tables (and the mode scan) print a non-zero entry only when all its bits are set, a zero
 * entry only for a zero value. */
static struct sx *flag_appears(struct ir_mod *m, const struct code *c, unsigned p, const struct fv *f)
{
	const struct fc_param *pi = &c->ei->params[p];
	bool sign;
	int w = width_of((enum fc_ptype)pi->type, &sign);
	if (!w)
		return SXT;
	uint32_t k = (uint32_t)w | (sign ? FC_KP_SIGNED : 0);
	bool exact = pi->type == PT_ENUMFLAGS8 || pi->type == PT_ENUMFLAGS16 || pi->type == PT_ENUMFLAGS32;
	if (exact || f->value == 0)
		return sx_int(m, FC_KP_JEQ, p, k, 0xffffffffull, f->value);
	return sx_int(m, FC_KP_JEQ, p, k, f->value, f->value);
}

/* "evt.arg.P contains / = S" (positive polarity): some printed name must contain / equal S.
 * A string of hex-digit characters could match the plain number printed when no name is;
 * then "maybe". */
static struct sx *flag_text(struct ir_mod *m, const struct code *c, unsigned p, const char *s, uint32_t len,
			    bool whole)
{
	const struct fc_param *pi = &c->ei->params[p];
	const struct fv *t = ftable(pi->info);
	bool sign;
	if (!t || !width_of((enum fc_ptype)pi->type, &sign) || len == 0 || memchr(s, '|', len) ||
	    strspn(s, "0123456789abcdefABCDEFxX-") >= len || memchr(s, 0, len))
		return SXT;
	struct sx *o = SXF;
	for (; t->name; t++) {
		bool hit = whole ? strlen(t->name) == len && !memcmp(t->name, s, len)
				 : memmem(t->name, strlen(t->name), s, len) != NULL;
		if (hit)
			o = sx_or2(m, o, flag_appears(m, c, p, t));
	}
	return o;
}

/* ---- atoms ------------------------------------------------------------------------------- */

static const char *kstr(const struct ir_mod *m, uint32_t sid, uint32_t *len)
{
	return ir_strp(&m->p, sid, len);
}

/* Integer test "value OP const" on parameter P (width/sign K), for the polarity asked. */
static struct sx *int_cmp(struct ir_mod *m, uint8_t irop, unsigned p, uint32_t k, uint64_t v, bool pos)
{
	uint8_t op;
	switch (irop) {
	case FC_OPC_EQ_N: op = pos ? FC_KP_JEQ : FC_KP_JNE; break;
	case FC_OPC_NE_N: op = pos ? FC_KP_JNE : FC_KP_JEQ; break;
	case FC_OPC_LT_I: op = pos ? FC_KP_JLTS : FC_KP_JGES; break;
	case FC_OPC_LE_I: op = pos ? FC_KP_JLES : FC_KP_JGTS; break;
	case FC_OPC_GT_I: op = pos ? FC_KP_JGTS : FC_KP_JLES; break;
	case FC_OPC_GE_I: op = pos ? FC_KP_JGES : FC_KP_JLTS; break;
	case FC_OPC_LT_U: op = pos ? FC_KP_JLTU : FC_KP_JGEU; break;
	case FC_OPC_LE_U: op = pos ? FC_KP_JLEU : FC_KP_JGTU; break;
	case FC_OPC_GT_U: op = pos ? FC_KP_JGTU : FC_KP_JLEU; break;
	case FC_OPC_GE_U: op = pos ? FC_KP_JGEU : FC_KP_JLTU; break;
	default: return SXT;
	}
	return sx_int(m, op, p, k, ~0ull, v);
}

/* A numeric test of the IR (EQ_N.., IN_N) on an integer parameter whose userspace value is
 * exactly the parameter (always present when the parameter is). */
static struct sx *num_atom(struct ir_mod *m, const struct ir_test *t, unsigned p, uint32_t k, bool pos)
{
	if (t->op == FC_OPC_IN_N) {
		const struct ir_list *l = &m->p.lists[t->k];
		if (l->kind != FC_LK_NUM)
			return SXT;
		struct sx *o = pos ? SXF : SXT;
		for (uint32_t i = 0; i < l->n; i++) {
			uint64_t v = m->p.consts[m->p.items[l->first + i]];
			o = pos ? sx_or2(m, o, sx_int(m, FC_KP_JEQ, p, k, ~0ull, v))
				: sx_and2(m, o, sx_int(m, FC_KP_JNE, p, k, ~0ull, v));
		}
		return o;
	}
	if (fc_opcode_kfmt(t->op) != K_CONST || t->op >= FC_OPC_EQ_D)
		return SXT;
	return int_cmp(m, t->op, p, k, m->p.consts[t->k], pos);
}

/* Value V satisfies numeric test T (for fd.num's -1 and folding). */
static bool num_holds(const struct ir_mod *m, const struct ir_test *t, int64_t v, bool *known)
{
	*known = true;
	uint64_t u = (uint64_t)v, c = fc_opcode_kfmt(t->op) == K_CONST ? m->p.consts[t->k] : 0;
	switch (t->op) {
	case FC_OPC_EQ_N: return u == c;
	case FC_OPC_NE_N: return u != c;
	case FC_OPC_LT_I: return v < (int64_t)c;
	case FC_OPC_LE_I: return v <= (int64_t)c;
	case FC_OPC_GT_I: return v > (int64_t)c;
	case FC_OPC_GE_I: return v >= (int64_t)c;
	case FC_OPC_LT_U: return u < c;
	case FC_OPC_LE_U: return u <= c;
	case FC_OPC_GT_U: return u > c;
	case FC_OPC_GE_U: return u >= c;
	case FC_OPC_IN_N: {
		const struct ir_list *l = &m->p.lists[t->k];
		for (uint32_t i = 0; l->kind == FC_LK_NUM && i < l->n; i++)
			if (m->p.consts[m->p.items[l->first + i]] == u)
				return true;
		return false;
	}
	default:
		*known = false;
		return false;
	}
}

/* The errno code whose name is S (unique), or 0. */
static int errno_code(const char *s, uint32_t len)
{
	int found = 0;
	for (int n = 1; n < 4096; n++) {
		const char *nm = fc_errno_name(-n);
		if (nm && strlen(nm) == len && !memcmp(nm, s, len)) {
			if (found)
				return 0;
			found = n;
		}
	}
	return found;
}

/* "evt.res = S" (positive) / "evt.res != S" (negative of =): SUCCESS is res >= 0; an errno
 * name N is res < 0 with the low 32 bits -N (evtfields.c renders FD/ERRNO results so). */
static struct sx *res_is(struct ir_mod *m, const struct code *c, const char *s, uint32_t len, bool pos)
{
	if (len == 7 && !memcmp(s, "SUCCESS", 7))
		return sx_int(m, pos ? FC_KP_JGES : FC_KP_JLTS, 0, 8 | FC_KP_SIGNED, ~0ull, 0);
	uint8_t t = c->ei->params[0].type;
	int n = (t == PT_FD || t == PT_ERRNO) ? errno_code(s, len) : 0;
	if (!pos)
		return SXT; /* "not this errno": any value but one, not worth a test */
	if (!n) /* AT_FDCWD, numbers, unknown names: some negative result at least */
		return (len && ((s[0] >= 'A' && s[0] <= 'Z') || s[0] == '-')) ?
			       sx_int(m, FC_KP_JLTS, 0, 8 | FC_KP_SIGNED, ~0ull, 0) : SXT;
	return sx_and2(m, sx_int(m, FC_KP_JLTS, 0, 8 | FC_KP_SIGNED, ~0ull, 0),
		       sx_int(m, FC_KP_JEQ, 0, 8 | FC_KP_SIGNED, 0xffffffffull, (uint32_t)-n));
}

static struct sx *res_atom(struct ir_mod *m, const struct code *c, const struct ir_test *t, bool pos)
{
	uint32_t len;
	const char *s;
	switch (t->op) {
	case FC_OPC_EQ_S:
	case FC_OPC_NE_S:
		s = kstr(m, t->k, &len);
		if ((t->op == FC_OPC_EQ_S) == pos)
			return res_is(m, c, s, len, true);
		/* evt.res != S (a value is always there): for SUCCESS exactly res < 0 */
		if (len == 7 && !memcmp(s, "SUCCESS", 7))
			return res_is(m, c, s, len, false);
		return SXT;
	case FC_OPC_IN_S: {
		const struct ir_list *l = &m->p.lists[t->k];
		struct sx *o = pos ? SXF : SXT;
		for (uint32_t i = 0; l->kind == FC_LK_STR && i < l->n; i++) {
			s = kstr(m, m->p.items[l->first + i], &len);
			o = pos ? sx_or2(m, o, res_is(m, c, s, len, true)) : sx_and2(m, o, res_is(m, c, s, len, false));
		}
		return o;
	}
	default:
		return SXT;
	}
}

/* Where a path-valued userspace field comes from. */
enum pkind {
	PK_RESOLVED, /* canonical absolute path = value (fd.name on the open family) */
	PK_RAW,      /* the raw string = value (fs.path.*raw) */
	PK_NODUP,    /* the raw string with "//" folded = value (fd.nameraw) */
	PK_ABS,      /* an absolute raw string = value (fs.path.*: relative ones are resolved, so
		      * tested like PK_RESOLVED: canonical implies absolute) */
	PK_DIR,      /* value is a prefix of the resolved path (fd.directory) */
	PK_FILE,     /* value is the last component of the resolved path (fd.filename) */
};

static size_t glob_prefix(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && !strchr("*?[\\", s[i]))
		i++;
	return i;
}

#define BOP_PMATCH 100

/* The literal part of a pmatch entry (pmatch.c: components, empty ones skipped, globs in
 * "?*[") as a path prefix every matching canonical path starts with: "/a/b/" for "a//b/x*",
 * with a '/' after it when a component follows. Written to OUT (FC_KP_MAX_SLEN bytes at most,
 * shorter prefixes are still implied); returns its length, 0 when nothing is literal. */
static size_t pmatch_prefix(const char *s, size_t n, char *out)
{
	size_t o = 0, i = 0;
	while (i < n) {
		while (i < n && s[i] == '/')
			i++;
		if (i == n)
			break;
		size_t j = i;
		bool glob = false;
		while (j < n && s[j] != '/') {
			glob |= s[j] == '?' || s[j] == '*' || s[j] == '[';
			j++;
		}
		if (glob) {
			if (o < FC_KP_MAX_SLEN)
				out[o++] = '/';
			break;
		}
		if (o < FC_KP_MAX_SLEN)
			out[o++] = '/';
		for (size_t k = i; k < j && o < FC_KP_MAX_SLEN; k++)
			out[o++] = s[k];
		i = j;
	}
	return o;
}

/* Path atoms on the string parameter P: the constant text S. */
static struct sx *pfx(struct ir_mod *m, unsigned p, uint8_t raw, const char *s, size_t n)
{
	if (n == 0)
		return SXT;
	return sx_str(m, FC_KP_SPFX, p, raw, s, (uint32_t)(n > FC_KP_MAX_SLEN ? FC_KP_MAX_SLEN : n));
}

static struct sx *sfx(struct ir_mod *m, unsigned p, uint8_t raw, const char *s, size_t n)
{
	if (n == 0)
		return SXT;
	if (n > FC_KP_MAX_SLEN) {
		s += n - FC_KP_MAX_SLEN;
		n = FC_KP_MAX_SLEN;
	}
	return sx_str(m, FC_KP_SSFX, p, raw, s, (uint32_t)n);
}

/* One string constant under base operator BOP for a path field of kind PK. */
static struct sx *path_one(struct ir_mod *m, unsigned p, enum pkind pk, unsigned bop, const char *s, uint32_t n)
{
	uint8_t raw = pk == PK_RAW ? FC_KP_RAW : pk == PK_NODUP ? FC_KP_NODUP : 0;
	struct sx *e = SXT;
	if (bop == BOP_PMATCH) {
		if (pk == PK_FILE)
			return SXT;
		char b[FC_KP_MAX_SLEN + 1];
		size_t bn = pmatch_prefix(s, n, b);
		return bn ? pfx(m, p, 0, b, bn) : SXT;
	}
	if (pk == PK_DIR) {
		/* the directory is a prefix of the path: = D and startswith D both imply startswith D */
		if (bop == FC_BOP_EQ || bop == FC_BOP_STARTSWITH)
			e = pfx(m, p, 0, s, n);
		else if (bop == FC_BOP_GLOB)
			e = pfx(m, p, 0, s, glob_prefix(s, n));
		return e;
	}
	if (pk == PK_FILE) {
		if (bop == FC_BOP_EQ && n + 1 <= FC_KP_MAX_SLEN && !memchr(s, '/', n)) {
			char b[FC_KP_MAX_SLEN + 1];
			b[0] = '/';
			memcpy(b + 1, s, n);
			e = sfx(m, p, 0, b, n + 1);
		} else if (bop == FC_BOP_EQ || bop == FC_BOP_ENDSWITH) {
			e = sfx(m, p, 0, s, n);
		}
		return e;
	}
	switch (bop) {
	case FC_BOP_EQ:
		e = sx_str(m, FC_KP_SHASH, p, raw, s, n);
		break;
	case FC_BOP_STARTSWITH:
		e = pfx(m, p, raw, s, n);
		break;
	case FC_BOP_ENDSWITH:
		e = sfx(m, p, raw, s, n);
		break;
	case FC_BOP_GLOB: {
		size_t a = glob_prefix(s, n);
		e = pfx(m, p, raw, s, a);
		if (a < n && !memchr(s, '[', n) && !memchr(s, '\\', n)) {
			size_t z = n;
			while (z > 0 && s[z - 1] != '*' && s[z - 1] != '?')
				z--;
			e = sx_and2(m, e, sfx(m, p, raw, s + z, n - z));
		}
		break;
	}
	default:
		return SXT;
	}
	return e;
}

/* Positive-polarity path test T on parameter P. */
static struct sx *path_atom(struct ir_mod *m, const struct ir_test *t, unsigned p, enum pkind pk)
{
	uint32_t n;
	const char *s;
	switch (t->op) {
	case FC_OPC_EQ_S:
	case FC_OPC_STARTSWITH:
	case FC_OPC_ENDSWITH:
	case FC_OPC_GLOB: {
		unsigned bop = t->op == FC_OPC_EQ_S ? FC_BOP_EQ : t->op == FC_OPC_STARTSWITH ? FC_BOP_STARTSWITH
			       : t->op == FC_OPC_ENDSWITH ? FC_BOP_ENDSWITH : FC_BOP_GLOB;
		s = kstr(m, t->k, &n);
		return path_one(m, p, pk, bop, s, n);
	}
	case FC_OPC_IN_S:
	case FC_OPC_PREFIX_S:
	case FC_OPC_PMATCH:
	case FC_OPC_SMOD: {
		const struct ir_list *l = &m->p.lists[t->k];
		unsigned bop = t->op == FC_OPC_IN_S ? FC_BOP_EQ : t->op == FC_OPC_PREFIX_S ? FC_BOP_STARTSWITH
			       : t->op == FC_OPC_PMATCH ? BOP_PMATCH : (t->aux & 31u);
		if (l->kind != FC_LK_STR || (t->op == FC_OPC_SMOD && (t->aux >> FC_MOD_SHIFT) != FC_MODBITS_ANYOF))
			return SXT;
		struct sx *o = SXF;
		for (uint32_t i = 0; i < l->n && o->kind != SX_TRUE; i++) {
			s = kstr(m, m->p.items[l->first + i], &n);
			o = sx_or2(m, o, path_one(m, p, pk, bop, s, n));
		}
		return o;
	}
	default:
		return SXT;
	}
}

/* evt.type of the code: TRUE / FALSE, or a test of the GENERIC syscall id. */
static bool evtype_name_is(const struct code *c, const char *s, uint32_t n)
{
	return strlen(c->ei->name) == n && !memcmp(c->ei->name, s, n);
}

static struct sx *generic_is(struct ir_mod *m, const char *s, uint32_t n, bool pos)
{
	struct sx *o = pos ? SXF : SXT;
	for (size_t i = 0; i < fc_nsyscalls; i++) {
		const struct fc_syscall_info *sc = &fc_syscalls[i];
		if (strlen(sc->name) != n || memcmp(sc->name, s, n))
			continue;
		o = pos ? sx_or2(m, o, sx_int(m, FC_KP_JEQ, 0, 2, ~0ull, sc->ppm_sc))
			: sx_and2(m, o, sx_int(m, FC_KP_JNE, 0, 2, ~0ull, sc->ppm_sc));
	}
	if (n == 7 && !memcmp(s, "unknown", 7))
		return SXT; /* ids without a name print as "unknown" */
	return o;
}

static struct sx *evtype_atom(struct ir_mod *m, const struct code *c, const struct ir_test *t, bool pos)
{
	uint32_t n;
	const char *s;
	if (t->op == FC_OPC_EVTYPE) {
		if (c->generic)
			return SXT;
		bool r = fc_evtset_has(&m->p.evsets[t->k], c->code);
		return r == pos ? SXT : SXF;
	}
	if (t->op == FC_OPC_EQ_S || t->op == FC_OPC_NE_S) {
		s = kstr(m, t->k, &n);
		bool want = (t->op == FC_OPC_EQ_S) == pos;
		if (c->generic)
			return generic_is(m, s, n, want);
		return evtype_name_is(c, s, n) == want ? SXT : SXF;
	}
	if (t->op == FC_OPC_IN_S) {
		const struct ir_list *l = &m->p.lists[t->k];
		if (l->kind != FC_LK_STR)
			return SXT;
		struct sx *o = pos ? SXF : SXT;
		for (uint32_t i = 0; i < l->n; i++) {
			s = kstr(m, m->p.items[l->first + i], &n);
			struct sx *e = c->generic ? generic_is(m, s, n, pos)
						  : (evtype_name_is(c, s, n) == pos ? SXT : SXF);
			o = pos ? sx_or2(m, o, e) : sx_and2(m, o, e);
		}
		return o;
	}
	return SXT;
}

/* The field of a FIELD slot, resolved as the runtime resolves it. */
static bool slot_field(const struct ir_mod *m, uint32_t slot, struct fc_fieldref *ref)
{
	const struct ir_slot *sl = &m->p.slots[slot];
	if (sl->kind != FC_SK_FIELD)
		return false;
	char err[300];
	const char *name = kstr(m, sl->name, NULL);
	const char *arg = sl->arg == FC_NONE ? NULL : kstr(m, sl->arg, NULL);
	return fc_field_resolve(name, arg, ref, err, sizeof err);
}

/* Parameter index of evt.arg / evt.rawarg on the code (-1 when absent). */
static int arg_param(const struct code *c, const struct fc_fieldref *ref)
{
	if (ref->arg_is_index)
		return ref->index >= 0 && ref->index < c->ei->nparams ? (int)ref->index : -1;
	return param_of(c->ei, ref->arg);
}

/* True when fd.* fields may have a value on code C (it creates, uses or destroys an fd). */
static bool fd_event(const struct code *c)
{
	return (c->ei->flags & (FC_EF_CREATES_FD | FC_EF_USES_FD | FC_EF_DESTROYS_FD)) != 0;
}

/* The implied kernel test of IR test T on code C, in polarity POS (true: "T holds"). */
static struct sx *atom(struct ir_mod *m, const struct code *c, const struct ir_test *t, bool pos)
{
	if (t->op == FC_OPC_EVTYPE)
		return evtype_atom(m, c, t, pos);
	if (t->op == FC_OPC_SUB || t->op == FC_OPC_FCMP)
		return SXT;
	const struct ir_slot *sl = &m->p.slots[t->slot];
	switch (sl->what) {
	case IR_SW_EVTTYPE:
		return evtype_atom(m, c, t, pos);
	case IR_SW_UNAVAILABLE: /* always missing: every test false */
		return pos ? SXF : SXT;
	case IR_SW_EVTNUM: /* never 0 */
		if (t->op == FC_OPC_EQ_N && m->p.consts[t->k] == 0)
			return pos ? SXF : SXT;
		return SXT;
	default:
		break;
	}
	struct fc_fieldref ref;
	if (!slot_field(m, t->slot, &ref))
		return SXT;
	bool sign;
	int p, w;
	switch (ref.id) {
	case FC_F_EVT_RAWRES:
		return c->res < 0 ? (pos ? SXF : SXT) : num_atom(m, t, 0, 8 | FC_KP_SIGNED, pos);
	case FC_F_EVT_RES:
		return c->res < 0 ? (pos ? SXF : SXT) : res_atom(m, c, t, pos);
	case FC_F_EVT_FAILED:
		if (c->res < 0)
			return pos ? SXF : SXT;
		if (t->op == FC_OPC_EQ_N || t->op == FC_OPC_NE_N) {
			bool one = m->p.consts[t->k] != 0;
			bool failed = (t->op == FC_OPC_EQ_N) == pos ? one : !one;
			return sx_int(m, failed ? FC_KP_JLTS : FC_KP_JGES, 0, 8 | FC_KP_SIGNED, ~0ull, 0);
		}
		return SXT;
	case FC_F_EVT_RAWARG:
		p = arg_param(c, &ref);
		if (p < 0)
			return pos ? SXF : SXT;
		w = width_of((enum fc_ptype)c->ei->params[p].type, &sign);
		return w ? num_atom(m, t, (unsigned)p, (uint32_t)w | (sign ? FC_KP_SIGNED : 0), pos) : SXT;
	case FC_F_EVT_ARG: {
		p = arg_param(c, &ref);
		if (p < 0)
			return pos ? SXF : SXT;
		if (!pos || !ftable(c->ei->params[p].info))
			return SXT;
		uint32_t n;
		const char *s;
		if (t->op == FC_OPC_CONTAINS || t->op == FC_OPC_EQ_S) {
			s = kstr(m, t->k, &n);
			return flag_text(m, c, (unsigned)p, s, n, t->op == FC_OPC_EQ_S);
		}
		if (t->op == FC_OPC_IN_S) {
			const struct ir_list *l = &m->p.lists[t->k];
			struct sx *o = SXF;
			for (uint32_t i = 0; l->kind == FC_LK_STR && i < l->n; i++) {
				s = kstr(m, m->p.items[l->first + i], &n);
				o = sx_or2(m, o, flag_text(m, c, (unsigned)p, s, n, true));
			}
			return l->kind == FC_LK_STR ? o : SXT;
		}
		return SXT;
	}
	case FC_F_EVT_IS_OPEN_READ:
	case FC_F_EVT_IS_OPEN_WRITE:
	case FC_F_EVT_IS_OPEN_CREATE: {
		/* evtfields.c is_open_flag: the open family but creat; flags parameter */
		const char *nm = c->ei->name;
		if (!(!strcmp(nm, "open") || !strcmp(nm, "openat") || !strcmp(nm, "openat2")) ||
		    (t->op != FC_OPC_EQ_N && t->op != FC_OPC_NE_N))
			return SXT;
		p = param_of(c->ei, "flags");
		if (p < 0 || c->ei->params[p].type != PT_FLAGS32)
			return SXT;
		bool want = ((t->op == FC_OPC_EQ_N) == pos) == (m->p.consts[t->k] != 0);
		struct sx *e;
		if (ref.id == FC_F_EVT_IS_OPEN_CREATE) {
			/* F_CREATED, or TMPFILE with a descriptor returned */
			struct sx *cr = sx_int(m, FC_KP_JNE, (unsigned)p, 4, 0x4000, 0);
			struct sx *tmp = sx_and2(m, sx_int(m, FC_KP_JNE, (unsigned)p, 4, 0x2000, 0),
						 sx_int(m, FC_KP_JGES, 0, 8 | FC_KP_SIGNED, ~0ull, 0));
			if (want)
				return sx_or2(m, cr, tmp);
			return sx_and2(m, sx_int(m, FC_KP_JEQ, (unsigned)p, 4, 0x4000, 0),
				       sx_or2(m, sx_int(m, FC_KP_JEQ, (unsigned)p, 4, 0x2000, 0),
					      sx_int(m, FC_KP_JLTS, 0, 8 | FC_KP_SIGNED, ~0ull, 0)));
		}
		uint32_t bit = ref.id == FC_F_EVT_IS_OPEN_READ ? 1 : 2;
		e = sx_int(m, want ? FC_KP_JNE : FC_KP_JEQ, (unsigned)p, 4, bit, 0);
		return e;
	}
	case FC_F_FD_NUM:
		/* open family: fd.num is -1, the result, or missing (positive polarity only) */
		if (!pos || !c->open_fam || c->res != 0)
			return SXT;
		{
			bool known;
			if (num_holds(m, t, -1, &known) || !known)
				return SXT;
			return num_atom(m, t, 0, 8 | FC_KP_SIGNED, true);
		}
	case FC_F_FD_NAME:
	case FC_F_FD_NAMERAW:
	case FC_F_FD_DIRECTORY:
	case FC_F_FD_FILENAME:
		if (!fd_event(c))
			break;
		if (!pos || !c->open_fam || c->name < 0)
			return SXT;
		return path_atom(m, t, (unsigned)c->name,
				 ref.id == FC_F_FD_NAME ? PK_RESOLVED : ref.id == FC_F_FD_NAMERAW ? PK_NODUP
				 : ref.id == FC_F_FD_DIRECTORY ? PK_DIR : PK_FILE);
	case FC_F_FS_PATH_NAME:
	case FC_F_FS_PATH_NAMERAW:
	case FC_F_FS_PATH_SOURCE:
	case FC_F_FS_PATH_SOURCERAW:
	case FC_F_FS_PATH_TARGET:
	case FC_F_FS_PATH_TARGETRAW: {
		int which = (ref.id == FC_F_FS_PATH_NAME || ref.id == FC_F_FS_PATH_NAMERAW) ? 0
			    : (ref.id == FC_F_FS_PATH_SOURCE || ref.id == FC_F_FS_PATH_SOURCERAW) ? 1 : 2;
		bool raw = ref.id == FC_F_FS_PATH_NAMERAW || ref.id == FC_F_FS_PATH_SOURCERAW ||
			   ref.id == FC_F_FS_PATH_TARGETRAW;
		if (c->fspath[which] == -2 || !(c->code & 1)) /* always missing: every test false */
			return pos ? SXF : SXT;
		if (!pos || c->fspath[which] < 0 || c->res != 0)
			return SXT;
		/* present only on success: res == 0 (the open family: a descriptor) */
		struct sx *ok = c->open_fam ? sx_int(m, FC_KP_JGES, 0, 8 | FC_KP_SIGNED, ~0ull, 0)
					    : sx_int(m, FC_KP_JEQ, 0, 8 | FC_KP_SIGNED, ~0ull, 0);
		return sx_and2(m, ok, path_atom(m, t, (unsigned)c->fspath[which], raw ? PK_RAW : PK_ABS));
	}
	default:
		break;
	}
	/* the fd class is missing on events that neither create, use nor destroy an fd
	 * (extract_fd.c), whatever the field */
	if (!strncmp(fc_fields[ref.id].name, "fd.", 3) && !fd_event(c))
		return pos ? SXF : SXT;
	return SXT;
}

/* ---- fd state: what rules read, and the projection of their conditions ------------------- */

/* Fields of the process's fd table whatever the event (a shadowed fd 0..2 shows in them). */
static bool procfd_dependent(enum fc_field_id id)
{
	switch (id) {
	case FC_F_PROC_STDIN_TYPE: case FC_F_PROC_STDOUT_TYPE: case FC_F_PROC_STDERR_TYPE:
	case FC_F_PROC_STDIN_NAME: case FC_F_PROC_STDOUT_NAME: case FC_F_PROC_STDERR_NAME:
	case FC_F_PROC_FDOPENCOUNT: case FC_F_PROC_FDUSAGE:
		return true;
	default:
		return false;
	}
}

/* Fields whose value depends on the fd table entry of the event's fd (or on a dirfd through
 * it). fd.num is the event's own parameter. */
static bool fd_dependent(enum fc_field_id id)
{
	switch (id) {
	/* evt.* computed from the event alone */
	case FC_F_EVT_NUM: case FC_F_EVT_TIME: case FC_F_EVT_TIME_S: case FC_F_EVT_DATETIME:
	case FC_F_EVT_DATETIME_S: case FC_F_EVT_RAWTIME: case FC_F_EVT_RAWTIME_S: case FC_F_EVT_RAWTIME_NS:
	case FC_F_EVT_RELTIME: case FC_F_EVT_RELTIME_S: case FC_F_EVT_RELTIME_NS: case FC_F_EVT_PLUGINNAME:
	case FC_F_EVT_PLUGININFO: case FC_F_EVT_SOURCE: case FC_F_EVT_IS_ASYNC: case FC_F_EVT_ASYNCTYPE:
	case FC_F_EVT_HOSTNAME: case FC_F_EVT_LATENCY: case FC_F_EVT_LATENCY_S: case FC_F_EVT_LATENCY_NS:
	case FC_F_EVT_LATENCY_QUANTIZED: case FC_F_EVT_LATENCY_HUMAN: case FC_F_EVT_DELTATIME:
	case FC_F_EVT_DELTATIME_S: case FC_F_EVT_DELTATIME_NS: case FC_F_EVT_OUTPUTTIME: case FC_F_EVT_DIR:
	case FC_F_EVT_TYPE: case FC_F_EVT_TYPE_IS: case FC_F_SYSCALL_TYPE: case FC_F_EVT_CPU:
	case FC_F_EVT_RAWARG: case FC_F_EVT_BUFFER: case FC_F_EVT_RES: case FC_F_EVT_RAWRES:
	case FC_F_EVT_FAILED: case FC_F_EVT_IS_IO: case FC_F_EVT_IS_IO_READ: case FC_F_EVT_IS_IO_WRITE:
	case FC_F_EVT_IO_DIR: case FC_F_EVT_IS_WAIT: case FC_F_EVT_COUNT: case FC_F_EVT_COUNT_ERROR:
	case FC_F_EVT_COUNT_EXIT: case FC_F_EVT_COUNT_PROCINFO: case FC_F_EVT_COUNT_THREADINFO:
	case FC_F_EVT_IS_OPEN_READ: case FC_F_EVT_IS_OPEN_WRITE: case FC_F_EVT_IS_OPEN_EXEC:
	case FC_F_EVT_IS_OPEN_CREATE: case FC_F_FD_NUM:
		return false;
	default:
		break;
	}
	const char *n = fc_fields[id].name;
	return !strncmp(n, "evt.", 4) || !strncmp(n, "fd.", 3) || !strncmp(n, "fdlist.", 7);
}

/* Fields resolved through a directory fd on codes that have one (fd.* of the open family,
 * evt.abspath, the rendered evt.arg/args/info). fs.path.* resolves against the cwd only. */
static bool dirfd_dependent(enum fc_field_id id)
{
	const char *n = fc_fields[id].name;
	return !strncmp(n, "fd.", 3) || !strncmp(n, "evt.abspath", 11) || id == FC_F_EVT_ARG || id == FC_F_EVT_ARGS ||
	       id == FC_F_EVT_INFO;
}

struct reads {
	bool fspath; /* fs.path.*: the event's fd entry on fchmod / fchown only */
	bool fd;     /* the event's fd entry */
	bool procfd; /* the process's fd table */
	bool dirfd;  /* paths resolved through a dirfd */
};

/* evt.arg.X / evt.arg[N] on code C: the rendering goes through the fd table for fd
 * parameters (1: the fd's entry), and through the cwd or a dirfd for relative paths (2: only a
 * dirfd use); other parameters print alone (0). */
static int arg_reads_fds(const struct fc_fieldref *ref, const struct code *c)
{
	int p = ref->arg_is_index ? (ref->index >= 0 && ref->index < c->ei->nparams ? (int)ref->index : -1)
				  : param_of(c->ei, ref->arg);
	if (p < 0)
		return 0;
	uint8_t t = c->ei->params[p].type;
	if (t == PT_FD || t == PT_FD32 || t == PT_FDLIST)
		return 1;
	return t == PT_FSPATH || t == PT_FSRELPATH ? 2 : 0;
}

static void slot_reads(const struct ir_mod *m, const struct code *c, uint32_t slot, struct reads *r, int depth)
{
	const struct ir_slot *sl = &m->p.slots[slot];
	if (depth > FC_MAX_DEPTH)
		return;
	if (sl->kind == FC_SK_XF) {
		for (uint32_t i = 0; i < sl->n; i++) {
			uint32_t a = m->p.sargs[sl->first + i];
			if (!(a & FC_ARG_STR))
				slot_reads(m, c, a, r, depth + 1);
		}
		return;
	}
	struct fc_fieldref ref;
	if (!slot_field(m, slot, &ref)) {
		r->fd = r->procfd = r->dirfd = true;
		return;
	}
	if (ref.id == FC_F_EVT_ARG && ref.has_arg) {
		int rd = arg_reads_fds(&ref, c);
		r->fd |= rd == 1;
		r->dirfd |= rd != 0;
		return;
	}
	r->fd |= fd_dependent(ref.id);
	r->fspath |= !strncmp(fc_fields[ref.id].name, "fs.path.", 8);
	r->procfd |= procfd_dependent(ref.id);
	r->dirfd |= dirfd_dependent(ref.id);
}

/* What code C alone settles about E: TV_F / TV_T when E has that value on every event of C
 * (its evt.type tests, always-missing fields), TV_U when it depends on the event. Only those
 * code-determined tests are asked of atom(), whose answer is sound: a test whose negation
 * implies false always holds, one that implies false never does. Parts of a condition settled
 * on C read nothing that matters there, so fd uses and projections skip them. */
enum { TV_F, TV_T, TV_U };
static int tv(struct ir_mod *m, const struct code *c, const struct ir_expr *e, int depth)
{
	if (depth > 4 * FC_MAX_DEPTH)
		return TV_U;
	switch (e->kind) {
	case IE_TRUE: return TV_T;
	case IE_FALSE: return TV_F;
	case IE_NOT: {
		int v = tv(m, c, e->kids[0], depth + 1);
		return v == TV_U ? TV_U : v == TV_T ? TV_F : TV_T;
	}
	case IE_AND:
	case IE_OR: {
		int stop = e->kind == IE_AND ? TV_F : TV_T, r = e->kind == IE_AND ? TV_T : TV_F;
		for (uint32_t i = 0; i < e->nkids; i++) {
			int v = tv(m, c, e->kids[i], depth + 1);
			if (v == stop)
				return stop;
			if (v == TV_U)
				r = TV_U;
		}
		return r;
	}
	case IE_TEST: {
		if (e->t.op == FC_OPC_SUB)
			return tv(m, c, m->progs[e->t.k].expr, depth + 1);
		if (e->t.op != FC_OPC_EVTYPE && e->t.op != FC_OPC_FCMP) {
			uint8_t w = m->p.slots[e->t.slot].what;
			if (w != IR_SW_EVTTYPE && w != IR_SW_UNAVAILABLE)
				return TV_U;
		} else if (e->t.op == FC_OPC_FCMP) {
			return TV_U;
		}
		if (atom(m, c, &e->t, true)->kind == SX_FALSE)
			return TV_F;
		if (atom(m, c, &e->t, false)->kind == SX_FALSE)
			return TV_T;
		return TV_U;
	}
	default:
		return TV_U;
	}
}

static void expr_reads(struct ir_mod *m, const struct code *c, const struct ir_expr *e, struct reads *r,
		       int depth)
{
	if (depth > 4 * FC_MAX_DEPTH)
		return;
	if (tv(m, c, e, 0) != TV_U)
		return; /* settled by the code: its reads do not matter */
	if (e->kind == IE_TEST) {
		if (e->t.op == FC_OPC_SUB) {
			expr_reads(m, c, m->progs[e->t.k].expr, r, depth + 1);
			return;
		}
		if (e->t.op != FC_OPC_EVTYPE)
			slot_reads(m, c, e->t.slot, r, 0);
		if (e->t.op == FC_OPC_FCMP)
			slot_reads(m, c, e->t.k, r, 0);
		return;
	}
	for (uint32_t i = 0; i < e->nkids; i++)
		expr_reads(m, c, e->kids[i], r, depth + 1);
}

/* Does S imply that the call succeeded (res >= 0, or EINPROGRESS)? S is false whenever the
 * event's result is another negative value. */
static bool implies_success(const struct sx *s)
{
	switch (s->kind) {
	case SX_FALSE:
		return true;
	case SX_AND:
		for (uint32_t i = 0; i < s->n; i++)
			if (implies_success(s->kids[i]))
				return true;
		return false;
	case SX_OR:
		for (uint32_t i = 0; i < s->n; i++)
			if (!implies_success(s->kids[i]))
				return false;
		return true;
	case SX_INT: {
		if (s->param != 0 || s->k != (8 | FC_KP_SIGNED))
			return false;
		int64_t v = (int64_t)s->imm;
		if (s->mask == ~0ull)
			return (s->op == FC_KP_JGES && v >= 0) || (s->op == FC_KP_JGTS && v >= -1) ||
			       (s->op == FC_KP_JEQ && (v >= 0 || v == -115));
		if (s->mask == 0xffffffffull)
			return s->op == FC_KP_JEQ && s->imm == (uint32_t)-115;
		return false;
	}
	default:
		return false;
	}
}

/* Positive test T on a string field whose value is one of VALS (NULL-terminated): true when
 * some value could satisfy it (unknown operators: true). */
static bool some_value(const struct ir_mod *m, const struct ir_test *t, const char *const *vals)
{
	uint32_t n;
	const char *s;
	for (; *vals; vals++) {
		size_t vl = strlen(*vals);
		switch (t->op) {
		case FC_OPC_EQ_S:
		case FC_OPC_NE_S:
			s = kstr(m, t->k, &n);
			if ((n == vl && !memcmp(s, *vals, n)) == (t->op == FC_OPC_EQ_S))
				return true;
			break;
		case FC_OPC_IN_S: {
			const struct ir_list *l = &m->p.lists[t->k];
			if (l->kind != FC_LK_STR)
				return true;
			for (uint32_t i = 0; i < l->n; i++) {
				s = kstr(m, m->p.items[l->first + i], &n);
				if (n == vl && !memcmp(s, *vals, n))
					return true;
			}
			break;
		}
		default:
			return true;
		}
	}
	return false;
}

/* S evaluated for a result parameter equal to V, every other test true: false when S cannot
 * hold for such an event, whatever else the event says. */
static bool sx_holds_for_res(const struct sx *s, int64_t v)
{
	switch (s->kind) {
	case SX_FALSE:
		return false;
	case SX_AND:
		for (uint32_t i = 0; i < s->n; i++)
			if (!sx_holds_for_res(s->kids[i], v))
				return false;
		return true;
	case SX_OR:
		for (uint32_t i = 0; i < s->n; i++)
			if (sx_holds_for_res(s->kids[i], v))
				return true;
		return false;
	case SX_INT: {
		if (s->param != 0 || s->k != (8 | FC_KP_SIGNED))
			return true;
		uint64_t x = (uint64_t)v & s->mask, y = s->imm;
		switch (s->op) {
		case FC_KP_JEQ: return x == y;
		case FC_KP_JNE: return x != y;
		case FC_KP_JLTS: return (int64_t)x < (int64_t)y;
		case FC_KP_JLES: return (int64_t)x <= (int64_t)y;
		case FC_KP_JGTS: return (int64_t)x > (int64_t)y;
		case FC_KP_JGES: return (int64_t)x >= (int64_t)y;
		case FC_KP_JLTU: return x < y;
		case FC_KP_JLEU: return x <= y;
		case FC_KP_JGTU: return x > y;
		default: return x >= y;
		}
	}
	default:
		return true;
	}
}

/* A socket call whose rule needs a result other than EBADF and ENOTSOCK ran on a socket (the
 * descriptor is looked up and type-checked before anything else can fail): never on an fd an
 * open created. */
static bool implies_socket(const struct sx *s)
{
	return !sx_holds_for_res(s, -9) && !sx_holds_for_res(s, -88);
}

/* The fd projection of atom T (see the top of the file) onto the path parameter P of an opening
 * call: a shadowed descriptor is a file or a directory in userspace when the open is seen
 * ("file" / "directory", 'f' / 'd'), unknown when not (fd.type and proc.std*.type missing,
 * fd.typechar 'o'); its name is the opened path. Each positive atom becomes a test true
 * whenever the atom could be true in either case; everything else "maybe". */
static struct sx *proj_atom(struct ir_mod *m, const struct ir_test *t, unsigned p, bool pos)
{
	struct fc_fieldref ref;
	if (!pos || t->op == FC_OPC_EVTYPE || t->op == FC_OPC_FCMP || !slot_field(m, t->slot, &ref))
		return SXT;
	static const char *const types[] = {"file", "directory", NULL};
	static const char *const chars[] = {"f", "d", "o", NULL};
	switch (ref.id) {
	case FC_F_FD_NAME:
	case FC_F_PROC_STDIN_NAME:
	case FC_F_PROC_STDOUT_NAME:
	case FC_F_PROC_STDERR_NAME:
		return path_atom(m, t, p, PK_RESOLVED);
	case FC_F_FD_NAMERAW: return path_atom(m, t, p, PK_NODUP);
	case FC_F_FD_DIRECTORY: return path_atom(m, t, p, PK_DIR);
	case FC_F_FD_FILENAME: return path_atom(m, t, p, PK_FILE);
	case FC_F_FD_TYPE:
	case FC_F_PROC_STDIN_TYPE:
	case FC_F_PROC_STDOUT_TYPE:
	case FC_F_PROC_STDERR_TYPE:
		return some_value(m, t, types) ? SXT : SXF;
	case FC_F_FD_TYPECHAR:
		return some_value(m, t, chars) ? SXT : SXF;
	default: return SXT;
	}
}

/* Both translations of a condition walk its negation normal form the same way: constants, NOT
 * (polarity flipped), AND / OR (swapped under negation), SUB (the macro's or list's body). They
 * differ at the atoms (atom() / proj_atom()), and the projection also cuts off subtrees whose
 * value is known on the code. */
struct walk {
	struct ir_mod *m;
	const struct code *c;
	int path; /* the projection's path parameter; -1: the implied condition */
};

static struct sx *nnf(const struct walk *w, const struct ir_expr *e, bool pos, int depth)
{
	struct ir_mod *m = w->m;
	if (w->path >= 0) {
		if (depth > 4 * FC_MAX_DEPTH)
			return SXT;
		int v = tv(m, w->c, e, 0);
		if (v != TV_U)
			return (v == TV_T) == pos ? SXT : SXF;
	}
	switch (e->kind) {
	case IE_TRUE:
		return pos ? SXT : SXF;
	case IE_FALSE:
		return pos ? SXF : SXT;
	case IE_NOT:
		return nnf(w, e->kids[0], !pos, depth + 1);
	case IE_AND:
	case IE_OR: {
		uint8_t kind = (e->kind == IE_AND) == pos ? SX_AND : SX_OR;
		struct sx **k = malloc(sizeof(*k) * (e->nkids ? e->nkids : 1));
		if (!k)
			abort();
		for (uint32_t i = 0; i < e->nkids; i++)
			k[i] = nnf(w, e->kids[i], pos, depth + 1);
		struct sx *r = sx_nary(m, kind, k, e->nkids);
		free(k);
		return r;
	}
	case IE_TEST:
		if (e->t.op == FC_OPC_SUB)
			return nnf(w, m->progs[e->t.k].expr, pos, depth + 1);
		return w->path < 0 ? atom(m, w->c, &e->t, pos) : proj_atom(m, &e->t, (unsigned)w->path, pos);
	default:
		return SXT;
	}
}

/* The implied kernel condition of E on code C in polarity POS. */
static struct sx *implied(struct ir_mod *m, const struct code *c, const struct ir_expr *e, bool pos)
{
	struct walk w = {m, c, -1};
	return nnf(&w, e, pos, 0);
}

/* The fd projection of E (as it can hold on C) onto the path parameter P of an opening call. */
static struct sx *fdproj(struct ir_mod *m, const struct code *c, const struct ir_expr *e, unsigned p)
{
	struct walk w = {m, c, (int)p};
	return nnf(&w, e, true, 0);
}

/* ---- per code ------------------------------------------------------------------------------ */

enum kreason {
	KR_PROG,    /* a program */
	KR_TRUE,    /* the predicate is "maybe" (true): no program */
	KR_STATE,   /* the state engine parses these events */
	KR_FDSTATE, /* open family, but some rule may read its fds later */
	KR_BIG,     /* the program would exceed the limits */
	KR_PAYLOAD, /* u32 parameter lengths: not the probe's layout */
};

struct kcode {
	uint16_t code;
	uint8_t reason;
	struct sx *pred;     /* the code's predicate (KR_PROG / KR_TRUE / KR_BIG) */
	uint32_t nr;
	uint32_t *rules;     /* indexes in m->rules */
	struct sx **rpred;   /* each rule's implied predicate */
	struct sx *fdneed;   /* open family: the fd projections (and the guard) */
	struct fc_kp_prog *prog;
};

struct split {
	struct kcode *codes;
	uint32_t n;
	bool fdsome;           /* the open family has rules */
	bool fdany;            /* ... and some rule may read any of its descriptors */
	bool fdsomeneed;       /* ... or some of them (a projection not false) */
	const char *fdwhy;     /* the first rule that made it so */
};

static bool rule_on(const struct ir_rule *r, unsigned code)
{
	return r->cr->rule->enabled && fc_evtset_has(&r->cr->evts, code);
}

static const struct ir_expr *rule_expr(const struct ir_mod *m, uint32_t i)
{
	return m->progs[m->rules[i].prog].expr;
}

/* What the enabled rules need from the open family's fds. */
static struct sx *fd_needs(struct ir_mod *m, int pname, const char **why)
{
	struct sx *need = SXF;
	*why = NULL;
	for (uint32_t i = 0; i < m->nrules && need->kind != SX_TRUE; i++) {
		const struct ir_rule *r = &m->rules[i];
		if (!r->cr->rule->enabled)
			continue;
		for (unsigned u = 1; u < FC_EVENT_MAX && need->kind != SX_TRUE; u += 2) {
			const struct fc_event_info *ei = &fc_events[u];
			if (!fc_evtset_has(&r->cr->evts, u) || (ei->flags & FC_EF_OLD_VERSION))
				continue;
			struct code c;
			code_init(&c, u);
			if (tv(m, &c, rule_expr(m, i), 0) == TV_F)
				continue; /* never matches on u: neither condition nor output is read there */
			struct reads rd = {0};
			expr_reads(m, &c, rule_expr(m, i), &rd, 0);
			for (uint32_t k = 0; k < r->cr->nout; k++)
				if (r->out_slot && r->out_slot[k] != FC_NONE)
					slot_reads(m, &c, r->out_slot[k], &rd, 0);
			bool project = rd.procfd;
			/* fd fields of an event whose looked-up fd is a dirfd read that dirfd's entry:
			 * with an absolute path any fd works there, so it counts as a use too */
			bool uses = (ei->flags & (FC_EF_USES_FD | FC_EF_DESTROYS_FD)) && !c.open_fam;
			bool has_dirfd = false;
			for (unsigned q = 0; q < ei->nparams; q++)
				has_dirfd |= ei->params[q].type == PT_FD && strstr(ei->params[q].name, "dirfd");
			struct sx *imp = NULL;
			bool fdname = !strcmp(ei->name, "fchmod") || !strcmp(ei->name, "fchown");
			if (uses && (rd.fd || (rd.fspath && fdname))) {
				imp = implied(m, &c, rule_expr(m, i), true);
				project |= !(name_is(ei->name, sock_names) && implies_socket(imp));
			}
			if (has_dirfd && rd.dirfd) {
				if (!imp)
					imp = implied(m, &c, rule_expr(m, i), true);
				if (!implies_success(imp))
					need = SXT;
			}
			/* the condition as it can hold on u, projected onto the opened path */
			if (project && need->kind != SX_TRUE)
				need = sx_or2(m, need, fdproj(m, &c, rule_expr(m, i), (unsigned)pname));
		}
		if (need->kind == SX_TRUE && !*why)
			*why = r->cr->rule->name;
	}
	return need;
}

static bool build_prog(struct ir_mod *m, struct kcode *kc);

static void split_compute(struct ir_mod *m, struct split *S)
{
	memset(S, 0, sizeof(*S));
	S->codes = calloc(FC_EVENT_MAX, sizeof(*S->codes));
	if (!S->codes)
		abort();
	for (unsigned code = 1; code < FC_EVENT_MAX; code += 2) {
		const struct fc_event_info *ei = &fc_events[code];
		if (ei->flags & FC_EF_OLD_VERSION)
			continue;
		uint32_t nr = 0;
		for (uint32_t i = 0; i < m->nrules; i++)
			nr += rule_on(&m->rules[i], code);
		if (!nr)
			continue;
		struct kcode *kc = &S->codes[S->n++];
		kc->code = (uint16_t)code;
		kc->nr = nr;
		kc->rules = fc_arena_alloc(&m->arena, sizeof(uint32_t) * nr);
		kc->rpred = fc_arena_alloc(&m->arena, sizeof(struct sx *) * nr);
		struct code c;
		code_init(&c, code);
		struct sx *pred = SXF;
		nr = 0;
		for (uint32_t i = 0; i < m->nrules; i++) {
			if (!rule_on(&m->rules[i], code))
				continue;
			kc->rules[nr] = i;
			kc->rpred[nr] = sx_simplify(m, implied(m, &c, rule_expr(m, i), true));
			pred = sx_or2(m, pred, kc->rpred[nr]);
			nr++;
		}
		pred = sx_simplify(m, pred);
		kc->pred = pred;
		kc->reason = pred->kind == SX_TRUE ? KR_TRUE : KR_PROG;
		if (ei->flags & FC_EF_LARGE_PAYLOAD) {
			kc->reason = KR_PAYLOAD;
		} else if (c.open_fam && c.res == 0 && c.name >= 0) {
			const char *why;
			kc->fdneed = fd_needs(m, c.name, &why);
			S->fdsome = true;
			S->fdsomeneed |= kc->fdneed->kind != SX_FALSE;
			if (kc->fdneed->kind == SX_TRUE) {
				S->fdany = true;
				if (!S->fdwhy)
					S->fdwhy = why;
				kc->reason = KR_FDSTATE;
			} else if (kc->reason == KR_PROG) {
				/* fds that later rules may read (projected onto this code's path), and the
				 * directories / O_PATH fds path resolution goes through */
				struct sx *guard = sx_new(m, SX_FDDIR);
				guard->param = 0;
				guard->k = 8 | FC_KP_SIGNED;
				kc->pred = sx_or2(m, sx_or2(m, pred, kc->fdneed), guard);
				if (kc->pred->kind == SX_TRUE)
					kc->reason = KR_TRUE;
			}
		} else if (fc_state_parses(code)) {
			kc->reason = KR_STATE;
		}
		if (kc->reason == KR_PROG && !build_prog(m, kc))
			kc->reason = KR_BIG;
	}
}

/* ---- code generation ----------------------------------------------------------------------- */

struct gen {
	struct ir_mod *m;
	struct fc_kp_prog *p;
	uint32_t n;
	bool over;
	/* labels: target pc once placed; jumps to patch */
	uint32_t *lab;
	uint32_t nlab, caplab;
	struct {
		uint32_t pc, lab;
		bool t;
	} *fix;
	uint32_t nfix, capfix;
	const struct sx *strp[FC_KP_MAX_STR];
};

static uint32_t new_label(struct gen *g)
{
	if (g->nlab == g->caplab) {
		g->caplab = g->caplab ? 2 * g->caplab : 32;
		g->lab = realloc(g->lab, sizeof(*g->lab) * g->caplab);
		if (!g->lab)
			abort();
	}
	g->lab[g->nlab] = UINT32_MAX;
	return g->nlab++;
}

static void place(struct gen *g, uint32_t l)
{
	g->lab[l] = g->n;
}

static void fixup(struct gen *g, uint32_t pc, uint32_t lab, bool t)
{
	if (g->nfix == g->capfix) {
		g->capfix = g->capfix ? 2 * g->capfix : 64;
		g->fix = realloc(g->fix, sizeof(*g->fix) * g->capfix);
		if (!g->fix)
			abort();
	}
	g->fix[g->nfix].pc = pc;
	g->fix[g->nfix].lab = lab;
	g->fix[g->nfix].t = t;
	g->nfix++;
}

static int str_slot(struct gen *g, unsigned param)
{
	struct fc_kp_prog *p = g->p;
	for (unsigned i = 0; i < p->nstr; i++)
		if (p->str[i] == param)
			return (int)i;
	if (p->nstr >= FC_KP_MAX_STR)
		return -1;
	p->str[p->nstr] = (uint8_t)param;
	return p->nstr++;
}

static int cpool_add(struct gen *g, const char *s, uint32_t n)
{
	struct fc_kp_prog *p = g->p;
	for (uint32_t i = 0; i + n <= p->ncpool; i++)
		if (!memcmp(p->cpool + i, s, n))
			return (int)i;
	if (p->ncpool + n > FC_KP_CPOOL)
		return -1;
	memcpy(p->cpool + p->ncpool, s, n);
	p->ncpool = (uint16_t)(p->ncpool + n);
	return (int)(p->ncpool - n);
}

static void emit_test(struct gen *g, const struct sx *e, uint32_t lt, uint32_t lf)
{
	if (g->n >= FC_KP_MAX_INSNS - 2) {
		g->over = true;
		return;
	}
	struct fc_kp_insn in = {0};
	in.op = e->op;
	if (e->kind == SX_INT) {
		in.arg = e->param;
		in.k = e->k;
		in.imm = e->imm;
		in.mask = e->mask;
	} else if (e->kind == SX_FDDIR) {
		in.op = FC_KP_FDDIR;
		in.arg = e->param;
		in.k = e->k;
	} else {
		int slot = str_slot(g, e->param);
		if (slot < 0) {
			g->over = true;
			return;
		}
		in.arg = (uint8_t)(slot | e->raw);
		if (e->op == FC_KP_SHASH) {
			in.imm = e->imm;
		} else {
			int at = cpool_add(g, e->s, e->len);
			if (at < 0) {
				g->over = true;
				return;
			}
			in.k = (uint32_t)at;
			in.imm = e->len;
		}
	}
	uint32_t pc = g->n++;
	g->p->insn[pc] = in;
	fixup(g, pc, lt, true);
	fixup(g, pc, lf, false);
}

/* Short-circuit code for E: continues at label LT when true, LF when false. Every label is
 * placed after the code that jumps to it, so jumps go forward. */
static void gen(struct gen *g, const struct sx *e, uint32_t lt, uint32_t lf)
{
	if (g->over)
		return;
	switch (e->kind) {
	case SX_AND:
	case SX_OR:
		for (uint32_t i = 0; i < e->n; i++) {
			if (i + 1 == e->n) {
				gen(g, e->kids[i], lt, lf);
				break;
			}
			uint32_t next = new_label(g);
			if (e->kind == SX_AND)
				gen(g, e->kids[i], next, lf);
			else
				gen(g, e->kids[i], lt, next);
			place(g, next);
		}
		return;
	case SX_INT:
	case SX_STR:
	case SX_FDDIR:
		emit_test(g, e, lt, lf);
		return;
	default:
		g->over = true; /* constants were simplified away */
		return;
	}
}

static bool build_prog(struct ir_mod *m, struct kcode *kc)
{
	struct fc_kp_prog *p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->str[0] = p->str[1] = FC_KP_NOSLOT;
	struct gen g = {.m = m, .p = p};
	if (kc->pred->kind == SX_FALSE) {
		p->insn[0] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 0};
		p->ninsn = 1;
	} else {
		uint32_t lt = new_label(&g), lf = new_label(&g);
		gen(&g, kc->pred, lt, lf);
		if (!g.over) {
			place(&g, lt);
			p->insn[g.n++] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 1};
			place(&g, lf);
			p->insn[g.n++] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 0};
			for (uint32_t i = 0; i < g.nfix && !g.over; i++) {
				uint32_t to = g.lab[g.fix[i].lab], pc = g.fix[i].pc;
				if (to == UINT32_MAX || to <= pc || to - pc - 1 > 255) {
					g.over = true;
					break;
				}
				if (g.fix[i].t)
					p->insn[pc].jt = (uint8_t)(to - pc - 1);
				else
					p->insn[pc].jf = (uint8_t)(to - pc - 1);
			}
			p->ninsn = (uint16_t)g.n;
		}
	}
	free(g.lab);
	free(g.fix);
	char err[200];
	if (g.over || !fc_kprog_check(p, kc->code, err, sizeof err, NULL)) {
		free(p);
		return false;
	}
	kc->prog = p;
	return true;
}

static void split_free(struct split *S)
{
	for (uint32_t i = 0; S->codes && i < S->n; i++)
		free(S->codes[i].prog);
	free(S->codes);
}

/* ---- entry points -------------------------------------------------------------------------- */

bool ir_split(struct ir_mod *m)
{
	struct split S;
	split_compute(m, &S);
	uint16_t *codes = calloc(S.n + 1, sizeof(*codes));
	const struct fc_kp_prog **progs = calloc(S.n + 1, sizeof(*progs));
	if (!codes || !progs)
		abort();
	uint32_t n = 0;
	for (uint32_t i = 0; i < S.n; i++)
		if (S.codes[i].reason == KR_PROG) {
			codes[n] = S.codes[i].code;
			progs[n++] = S.codes[i].prog;
		}
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256];
	/* every program was verified when built: a failure here is a bug, and the safe answer
	 * is no kernel filtering at all */
	bool ok = fc_kprog_encode(codes, progs, n, &buf, &len, err, sizeof err);
	ir_split_free(m);
	if (ok) {
		m->kprog = buf;
		m->kprog_len = len;
		m->kprog_count = n;
	} else {
		free(buf);
		fprintf(stderr, "falcoc: kernel predicate programs left out: %s\n", err);
	}
	m->kprog_built = true;
	free(codes);
	free(progs);
	split_free(&S);
	return ok;
}

void ir_split_free(struct ir_mod *m)
{
	free(m->kprog);
	m->kprog = NULL;
	m->kprog_len = 0;
	m->kprog_count = 0;
	m->kprog_built = false;
}

/* ---- dump ---------------------------------------------------------------------------------- */

static void sx_text(struct fc_buf *b, const struct code *c, const struct sx *e, int top)
{
	switch (e->kind) {
	case SX_TRUE:
		fc_buf_puts(b, "maybe");
		return;
	case SX_FALSE:
		fc_buf_puts(b, "false");
		return;
	case SX_AND:
	case SX_OR:
		if (!top)
			fc_buf_putc(b, '(');
		for (uint32_t i = 0; i < e->n; i++) {
			if (i)
				fc_buf_puts(b, e->kind == SX_AND ? " and " : " or ");
			sx_text(b, c, e->kids[i], 0);
		}
		if (!top)
			fc_buf_putc(b, ')');
		return;
	default:
		break;
	}
	const char *pn = e->param < c->ei->nparams ? c->ei->params[e->param].name : "?";
	if (e->kind == SX_FDDIR) {
		fc_buf_printf(b, "%s is a directory or O_PATH fd", pn);
		return;
	}
	if (e->kind == SX_STR) {
		static const char *const ops[] = {[FC_KP_SHASH] = "=", [FC_KP_SPFX] = "startswith",
						  [FC_KP_SSFX] = "endswith"};
		fc_buf_printf(b, "%s%s %s \"", pn, e->raw == FC_KP_RAW ? "(raw)" : e->raw ? "(raw, no //)" : "",
			      ops[e->op]);
		for (uint32_t i = 0; i < e->len; i++) {
			unsigned char ch = (unsigned char)e->s[i];
			if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\')
				fc_buf_printf(b, "\\x%02x", ch);
			else
				fc_buf_putc(b, (char)ch);
		}
		fc_buf_putc(b, '"');
		return;
	}
	static const char *const ops[] = {[FC_KP_JEQ] = "=",   [FC_KP_JNE] = "!=",  [FC_KP_JLTS] = "<",
					  [FC_KP_JLES] = "<=", [FC_KP_JGTS] = ">",  [FC_KP_JGES] = ">=",
					  [FC_KP_JLTU] = "<u", [FC_KP_JLEU] = "<=u", [FC_KP_JGTU] = ">u",
					  [FC_KP_JGEU] = ">=u"};
	unsigned w = e->k & 0xf;
	uint64_t full = w >= 8 ? ~0ull : ((1ull << (8 * w)) - 1);
	if (e->mask != ~0ull && (e->mask & full) != full)
		fc_buf_printf(b, "(%s & 0x%" PRIx64 ") %s 0x%" PRIx64, pn, e->mask, ops[e->op], e->imm);
	else if (e->k & FC_KP_SIGNED)
		fc_buf_printf(b, "%s %s %" PRId64, pn, ops[e->op], (int64_t)e->imm);
	else
		fc_buf_printf(b, "%s %s %" PRIu64, pn, ops[e->op], e->imm);
}

static void put_buf(void *ud, const char *s)
{
	fc_buf_puts(ud, s);
}

static const char *reason_text(uint8_t r)
{
	switch (r) {
	case KR_TRUE: return "not filtered: some rule is \"maybe\" on every event";
	case KR_STATE: return "not filtered: the state engine parses these events";
	case KR_FDSTATE: return "not filtered: rules may read the descriptors it opens later";
	case KR_BIG: return "not filtered: the program would exceed the probe's limits";
	case KR_PAYLOAD: return "not filtered: large-payload layout";
	default: return "";
	}
}

void ir_split_dump(struct ir_mod *m, const char *rule, FILE *out)
{
	struct split S;
	split_compute(m, &S);
	struct fc_buf b = {0};
	uint32_t nprog = 0, nins = 0;
	for (uint32_t i = 0; i < S.n; i++)
		if (S.codes[i].reason == KR_PROG) {
			nprog++;
			nins += S.codes[i].prog->ninsn;
		}
	fc_buf_printf(&b, "kernel predicates: %u event types with rules, %u filtered in the kernel (%u instructions)\n",
		      S.n, nprog, nins);
	if (S.fdsome)
		fc_buf_printf(&b, "open family: descriptors later rules may read: %s%s%s%s\n",
			      S.fdany ? "any" : S.fdsomeneed ? "some (see the predicates)" : "none",
			      S.fdany && S.fdwhy ? " (rule '" : "",
			      S.fdany && S.fdwhy ? S.fdwhy : "", S.fdany && S.fdwhy ? "')" : "");
	for (uint32_t i = 0; i < S.n; i++) {
		struct kcode *kc = &S.codes[i];
		bool show = !rule;
		for (uint32_t r = 0; r < kc->nr && !show; r++)
			show = !strcmp(m->rules[kc->rules[r]].cr->rule->name, rule);
		if (!show)
			continue;
		struct code c;
		code_init(&c, kc->code);
		fc_buf_printf(&b, "\n%s (event %u, %u rule%s): ", c.ei->name, kc->code, kc->nr, kc->nr == 1 ? "" : "s");
		if (kc->reason == KR_PROG || kc->reason == KR_BIG) {
			sx_text(&b, &c, kc->pred, 1);
			fc_buf_putc(&b, '\n');
		}
		if (kc->reason != KR_PROG)
			fc_buf_printf(&b, "  %s\n", reason_text(kc->reason));
		for (uint32_t r = 0; r < kc->nr; r++) {
			const char *name = m->rules[kc->rules[r]].cr->rule->name;
			if (rule && strcmp(name, rule))
				continue;
			fc_buf_printf(&b, "  rule '%s': ", name);
			if (kc->rpred[r]->kind == SX_TRUE)
				fc_buf_puts(&b, "maybe (no kernel test)");
			else if (kc->rpred[r]->kind == SX_FALSE)
				fc_buf_puts(&b, "cannot match this event type");
			else
				sx_text(&b, &c, kc->rpred[r], 1);
			fc_buf_putc(&b, '\n');
		}
		if (kc->fdneed && kc->fdneed->kind != SX_FALSE) {
			fc_buf_puts(&b, "  descriptors later rules may read: ");
			sx_text(&b, &c, kc->fdneed, 1);
			fc_buf_putc(&b, '\n');
		}
		if (kc->reason == KR_PROG) {
			fc_buf_printf(&b, "  program (%u instructions, %u constant bytes):\n", kc->prog->ninsn,
				      kc->prog->ncpool);
			fc_kprog_disasm(kc->prog, kc->code, put_buf, &b);
		}
	}
	if (b.len)
		fwrite(b.p, 1, b.len, out);
	fc_buf_free(&b);
	split_free(&S);
}
