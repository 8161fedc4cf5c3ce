/* test_vm.c — the rule VM (runtime/vm.c) and its matchers (glob.c, strset.c, pmatch.c,
 * xform.c), over bundles from the test-side builder and a fake extractor that counts calls:
 * each opcode on each value kind, the missing-value rule (and `not` as swapped jumps), the
 * any-element rule for ancestor lists, list fields (in / intersects), modifiers, field
 * comparison, transformers, SUB memoisation (each field extracted at most once per event),
 * FIRST vs ALL, the index by event code, per-VM enabled flags, scratch overflow. Globs are
 * checked against glibc fnmatch itself, pattern by pattern and on random patterns. */
#include <criterion/criterion.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "bundle_builder.h"
#include "vm.h"
#include "vmops.h"

/* ---- fake extractor ---- */

struct fk_ent {
	enum fc_field_id id;
	char arg[256];
	struct fc_val v;
};

struct fake {
	struct fk_ent e[64];
	int n;
	int calls[FC_F_MAX_];
	int total;
};

static bool fk_extract(void *ctx, const struct fc_fieldspec *f, struct fc_val *out)
{
	struct fake *fk = ctx;
	fk->calls[f->id]++;
	fk->total++;
	for (int i = 0; i < fk->n; i++)
		if (fk->e[i].id == f->id && !strcmp(fk->e[i].arg, f->arg)) {
			*out = fk->e[i].v;
			return out->kind != FC_V_NONE;
		}
	out->kind = FC_V_NONE;
	return false;
}

static void fk_set(struct fake *fk, const char *name, const char *arg, struct fc_val v)
{
	struct fc_fieldref r;
	char err[256];
	cr_assert(fc_field_resolve(name, arg, &r, err, sizeof err), "%s: %s", name, err);
	for (int i = 0; i < fk->n; i++)
		if (fk->e[i].id == r.id && !strcmp(fk->e[i].arg, r.arg)) {
			fk->e[i].v = v;
			return;
		}
	fk->e[fk->n].id = r.id;
	snprintf(fk->e[fk->n].arg, sizeof fk->e[fk->n].arg, "%s", r.arg);
	fk->e[fk->n++].v = v;
}

static struct fc_val vstr(const char *s)
{
	return (struct fc_val){.kind = FC_V_STR, .len = (uint32_t)strlen(s), .s = s};
}
static struct fc_val vstrn(const char *s, uint32_t len)
{
	return (struct fc_val){.kind = FC_V_STR, .len = len, .s = s};
}
static struct fc_val vbuf(const char *s, uint32_t len)
{
	return (struct fc_val){.kind = FC_V_BUF, .len = len, .s = s};
}
static struct fc_val vu(uint64_t u)
{
	return (struct fc_val){.kind = FC_V_U64, .u = u};
}
static struct fc_val vi(int64_t i)
{
	return (struct fc_val){.kind = FC_V_I64, .i = i};
}
static struct fc_val vd(double d)
{
	return (struct fc_val){.kind = FC_V_DBL, .d = d};
}
static struct fc_val vip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (struct fc_val){.kind = FC_V_IPV4, .u = (uint64_t)a | (uint64_t)b << 8 | (uint64_t)c << 16 | (uint64_t)d << 24};
}
static struct fc_val vip6(const uint8_t *a)
{
	return (struct fc_val){.kind = FC_V_IPV6, .len = 16, .s = (const char *)a};
}
static struct fc_val vlist(const struct fc_val *items, uint32_t n)
{
	return (struct fc_val){.kind = FC_V_LIST, .len = n, .items = items};
}
static const struct fc_val vnone = {.kind = FC_V_NONE};

/* ---- environment: a bundle of one-leaf rules, a VM, a fake ---- */

struct env {
	struct bb *b;
	struct fc_bundle *B;
	struct fc_vm *vm;
	struct fake fk;
	struct fc_extractor x;
	uint32_t ev;
};

static struct env *env_new(void)
{
	struct env *e = calloc(1, sizeof *e);
	e->b = bb_new();
	e->ev = bb_evset(e->b, 2, 3, -1);
	e->x = (struct fc_extractor){fk_extract, &e->fk};
	return e;
}

static void env_load(struct env *e)
{
	size_t len;
	uint8_t *p = bb_build(e->b, &len);
	char err[512];
	int rc = fc_bundle_load(p, len, &e->B, err, sizeof err);
	free(p);
	cr_assert_eq(rc, FC_BERR_OK, "%s", err);
	e->vm = fc_vm_new(e->B);
	cr_assert_not_null(e->vm);
}

static void env_free(struct env *e)
{
	fc_vm_free(e->vm);
	fc_bundle_free(e->B);
	bb_free(e->b);
	free(e);
}

/* A rule whose program is one test (negated: jumps swapped, as the compiler does for `not`). */
static uint32_t leaf(struct env *e, uint8_t op, uint8_t aux, uint32_t slot, uint32_t k, bool neg)
{
	uint32_t p = bb_leaf_prog(e->b, FC_PK_RULE, op, aux, (uint16_t)slot, k, neg);
	char name[32];
	snprintf(name, sizeof name, "rule%u", e->b->nrule);
	return bb_rule(e->b, name, p, e->ev);
}

static bool eval(struct env *e, uint32_t rule)
{
	fc_vm_begin(e->vm, 2, &e->x);
	return fc_vm_eval_rule(e->vm, rule);
}

#define TRUE_(e, r) cr_assert(eval(e, r), "rule %u should match", r)
#define FALSE_(e, r) cr_assert_not(eval(e, r), "rule %u should not match", r)

/* ---- numbers ---- */

Test(vm, numbers_signedness_and_kinds)
{
	struct env *e = env_new();
	uint32_t s = bb_field_t(e->b, "proc.pid", NULL, PT_INT64, 0);
	uint32_t c5 = bb_const(e->b, 5), cm1 = bb_const(e->b, (uint64_t)-1), c10 = bb_const(e->b, 10);
	uint32_t eq = leaf(e, FC_OPC_EQ_N, 0, s, c5, false), ne = leaf(e, FC_OPC_NE_N, 0, s, c5, false);
	uint32_t lti = leaf(e, FC_OPC_LT_I, 0, s, cm1, false), ltu = leaf(e, FC_OPC_LT_U, 0, s, c10, false);
	uint32_t lei = leaf(e, FC_OPC_LE_I, 0, s, cm1, false), gei = leaf(e, FC_OPC_GE_I, 0, s, cm1, false);
	uint32_t gti = leaf(e, FC_OPC_GT_I, 0, s, cm1, false), gtu = leaf(e, FC_OPC_GT_U, 0, s, c10, false);
	uint32_t leu = leaf(e, FC_OPC_LE_U, 0, s, c10, false), geu = leaf(e, FC_OPC_GE_U, 0, s, c10, false);
	uint32_t nne = leaf(e, FC_OPC_NE_N, 0, s, c5, true);
	env_load(e);
	fk_set(&e->fk, "proc.pid", NULL, vi(-5));
	FALSE_(e, eq);
	TRUE_(e, ne);
	TRUE_(e, lti);  /* -5 < -1 signed */
	FALSE_(e, ltu); /* 2^64-5 < 10 unsigned: no */
	TRUE_(e, lei);
	FALSE_(e, gei);
	FALSE_(e, gti);
	TRUE_(e, gtu);
	FALSE_(e, leu);
	TRUE_(e, geu);
	FALSE_(e, nne);
	fk_set(&e->fk, "proc.pid", NULL, vu(5));
	TRUE_(e, eq);
	FALSE_(e, ne);
	TRUE_(e, nne);
	FALSE_(e, lti); /* 5 < -1 signed: no */
	TRUE_(e, ltu);
	TRUE_(e, gei);
	fk_set(&e->fk, "proc.pid", NULL, vi(-1));
	TRUE_(e, lei);
	TRUE_(e, gei);
	FALSE_(e, lti);
	/* another value kind: no numeric test holds, not even != */
	fk_set(&e->fk, "proc.pid", NULL, vstr("5"));
	FALSE_(e, eq);
	FALSE_(e, ne);
	TRUE_(e, nne);
	env_free(e);
}

Test(vm, doubles)
{
	struct env *e = env_new();
	uint32_t s = bb_field_t(e->b, "proc.fdusage", NULL, PT_DOUBLE, 0);
	uint32_t k = bb_dconst(e->b, 1.5);
	uint32_t eq = leaf(e, FC_OPC_EQ_D, 0, s, k, false), ne = leaf(e, FC_OPC_NE_D, 0, s, k, false);
	uint32_t lt = leaf(e, FC_OPC_LT_D, 0, s, k, false), le = leaf(e, FC_OPC_LE_D, 0, s, k, false);
	uint32_t gt = leaf(e, FC_OPC_GT_D, 0, s, k, false), ge = leaf(e, FC_OPC_GE_D, 0, s, k, false);
	env_load(e);
	fk_set(&e->fk, "proc.fdusage", NULL, vd(1.0));
	FALSE_(e, eq);
	TRUE_(e, ne);
	TRUE_(e, lt);
	TRUE_(e, le);
	FALSE_(e, gt);
	FALSE_(e, ge);
	fk_set(&e->fk, "proc.fdusage", NULL, vd(1.5));
	TRUE_(e, eq);
	TRUE_(e, le);
	TRUE_(e, ge);
	fk_set(&e->fk, "proc.fdusage", NULL, vu(2)); /* integers convert */
	TRUE_(e, gt);
	fk_set(&e->fk, "proc.fdusage", NULL, vstr("2"));
	FALSE_(e, gt);
	FALSE_(e, ne);
	env_free(e);
}

/* ---- strings ---- */

Test(vm, string_ops_on_str_and_buf)
{
	struct env *e = env_new();
	uint32_t s = bb_field(e->b, "proc.name", NULL);
	struct bb *b = e->b;
	uint32_t eq = leaf(e, FC_OPC_EQ_S, 0, s, bb_str(b, "BaSh"), false);
	uint32_t ne = leaf(e, FC_OPC_NE_S, 0, s, bb_str(b, "BaSh"), false);
	uint32_t co = leaf(e, FC_OPC_CONTAINS, 0, s, bb_str(b, "aS"), false);
	uint32_t ic = leaf(e, FC_OPC_ICONTAINS, 0, s, bb_str(b, "as"), false);
	uint32_t sw = leaf(e, FC_OPC_STARTSWITH, 0, s, bb_str(b, "Ba"), false);
	uint32_t ew = leaf(e, FC_OPC_ENDSWITH, 0, s, bb_str(b, "Sh"), false);
	uint32_t gl = leaf(e, FC_OPC_GLOB, 0, s, bb_str(b, "B*h"), false);
	uint32_t ig = leaf(e, FC_OPC_IGLOB, 0, s, bb_str(b, "b?SH"), false);
	uint32_t re = leaf(e, FC_OPC_REGEX, 0, s, bb_regex(b, "B.*h", "B"), false);
	uint32_t rp = leaf(e, FC_OPC_REGEX, 0, s, bb_regex(b, "aS", NULL), false); /* full match only */
	uint32_t empty = leaf(e, FC_OPC_CONTAINS, 0, s, 0, false);
	uint32_t nul = leaf(e, FC_OPC_EQ_S, 0, s, bb_strn(b, "a\0b", 3), false);
	uint32_t nulc = leaf(e, FC_OPC_CONTAINS, 0, s, bb_strn(b, "\0b", 2), false);
	env_load(e);
	fk_set(&e->fk, "proc.name", NULL, vstr("BaSh"));
	TRUE_(e, eq);
	FALSE_(e, ne);
	TRUE_(e, co);
	TRUE_(e, ic);
	TRUE_(e, sw);
	TRUE_(e, ew);
	TRUE_(e, gl);
	TRUE_(e, ig);
	TRUE_(e, re);
	FALSE_(e, rp);
	TRUE_(e, empty);
	FALSE_(e, nul);
	fk_set(&e->fk, "proc.name", NULL, vstr("xbASHx"));
	FALSE_(e, eq);
	TRUE_(e, ne);
	TRUE_(e, ic);
	FALSE_(e, co);
	FALSE_(e, sw);
	FALSE_(e, gl);
	FALSE_(e, ig);
	FALSE_(e, re);
	/* the value's length counts, not a NUL: a byte buffer with NULs inside */
	fk_set(&e->fk, "proc.name", NULL, vbuf("a\0b", 3));
	TRUE_(e, nul);
	TRUE_(e, nulc);
	FALSE_(e, eq);
	fk_set(&e->fk, "proc.name", NULL, vbuf("BaSh", 4));
	TRUE_(e, eq);
	TRUE_(e, ew);
	/* a string field value that is not a NUL-terminated C string */
	static const char raw[] = {'B', 'a', 'S', 'h', 'X'};
	fk_set(&e->fk, "proc.name", NULL, (struct fc_val){.kind = FC_V_STR, .len = 4, .s = raw});
	TRUE_(e, eq);
	TRUE_(e, ew);
	TRUE_(e, gl);
	TRUE_(e, re);
	env_free(e);
}

/* ---- missing values ---- */

Test(vm, missing_value_rule)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field(b, "proc.name", NULL), n = bb_field_t(b, "proc.pid", NULL, PT_INT64, 0);
	uint32_t ip = bb_field_t(b, "fd.sip", NULL, PT_IPV4ADDR, 0);
	uint32_t l = bb_slist(b, "a", NULL), c = bb_const(b, 1);
	uint64_t nums[] = {1};
	uint32_t nl = bb_nlist(b, 1, nums);
	uint32_t ipl = bb_list_raw(b, FC_LK_IP, 1, (uint32_t[]){bb_ip4(b, 1, 2, 3, 4)});
	struct {
		uint8_t op, aux;
		uint32_t slot, k;
	} ops[] = {
		{FC_OPC_EQ_S, 0, s, 1}, {FC_OPC_NE_S, 0, s, 1}, {FC_OPC_CONTAINS, 0, s, 0}, {FC_OPC_ICONTAINS, 0, s, 0},
		{FC_OPC_STARTSWITH, 0, s, 0}, {FC_OPC_ENDSWITH, 0, s, 0}, {FC_OPC_GLOB, 0, s, bb_str(b, "*")},
		{FC_OPC_IGLOB, 0, s, bb_str(b, "*")}, {FC_OPC_REGEX, 0, s, bb_regex(b, ".*", NULL)},
		{FC_OPC_IN_S, 0, s, l}, {FC_OPC_PREFIX_S, 0, s, l}, {FC_OPC_PMATCH, 0, s, l},
		{FC_OPC_LIST_IN, 0, s, l}, {FC_OPC_LIST_ISECT, 0, s, l},
		{FC_OPC_SMOD, FC_BOP_NE | FC_MODBITS_ALLOF << FC_MOD_SHIFT, s, l}, {FC_OPC_FCMP, FC_BOP_NE, s, s},
		{FC_OPC_EQ_N, 0, n, c}, {FC_OPC_NE_N, 0, n, c}, {FC_OPC_LT_I, 0, n, c}, {FC_OPC_GE_U, 0, n, c},
		{FC_OPC_NE_D, 0, n, c}, {FC_OPC_IN_N, 0, n, nl},
		{FC_OPC_EQ_IP, 0, ip, bb_ip4(b, 1, 2, 3, 4)}, {FC_OPC_NE_IP, 0, ip, bb_ip4(b, 1, 2, 3, 4)},
		{FC_OPC_IN_NET, 0, ip, bb_net4(b, 1, 0, 0, 0, 8)}, {FC_OPC_IN_IP, 0, ip, ipl},
	};
	size_t nops = sizeof ops / sizeof ops[0];
	uint32_t pos[64], neg[64];
	for (size_t i = 0; i < nops; i++) {
		pos[i] = leaf(e, ops[i].op, ops[i].aux, ops[i].slot, ops[i].k, false);
		neg[i] = leaf(e, ops[i].op, ops[i].aux, ops[i].slot, ops[i].k, true);
	}
	uint32_t ex = leaf(e, FC_OPC_EXISTS, 0, s, 0, false), nex = leaf(e, FC_OPC_EXISTS, 0, s, 0, true);
	env_load(e);
	/* nothing set: every field is missing */
	for (size_t i = 0; i < nops; i++) {
		cr_assert_not(eval(e, pos[i]), "%s on a missing value must be false", fc_opcode_name(ops[i].op));
		cr_assert(eval(e, neg[i]), "not %s on a missing value must be true", fc_opcode_name(ops[i].op));
	}
	FALSE_(e, ex);
	TRUE_(e, nex);
	fk_set(&e->fk, "proc.name", NULL, vstr(""));
	TRUE_(e, ex);
	FALSE_(e, nex);
	/* empty values handed out as {NULL, 0}, alone and inside lists: every test runs cleanly
	 * (under the sanitizers) and an empty string is an empty string */
	struct fc_val nulls[] = {{.kind = FC_V_STR}, {.kind = FC_V_BUF}};
	for (int round = 0; round < 2; round++) {
		fk_set(&e->fk, "proc.name", NULL, round ? vlist(nulls, 2) : nulls[0]);
		fk_set(&e->fk, "proc.pid", NULL, round ? vlist(nulls, 2) : nulls[1]);
		fk_set(&e->fk, "fd.sip", NULL, nulls[0]);
		for (size_t i = 0; i < nops; i++)
			eval(e, pos[i]);
		TRUE_(e, pos[2]);  /* contains "" */
		TRUE_(e, pos[6]);  /* glob * */
		TRUE_(e, pos[8]);  /* regex .* */
		FALSE_(e, pos[0]); /* = "proc.name" */
	}
	/* an extractor that says "present" but gives an empty list: missing (value.h) */
	fk_set(&e->fk, "proc.name", NULL, vlist(NULL, 0));
	FALSE_(e, ex);
	env_free(e);
}

/* ---- ancestors: any element ---- */

Test(vm, any_element_for_ancestors)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t a = bb_field_t(b, "proc.aname", NULL, PT_CHARBUF, FC_SLF_ANCESTORS);
	uint32_t ap = bb_field_t(b, "proc.apid", NULL, PT_INT64, FC_SLF_ANCESTORS);
	uint32_t eq = leaf(e, FC_OPC_EQ_S, 0, a, bb_str(b, "sshd"), false);
	uint32_t neq = leaf(e, FC_OPC_EQ_S, 0, a, bb_str(b, "sshd"), true);
	uint32_t ne = leaf(e, FC_OPC_NE_S, 0, a, bb_str(b, "bash"), false);
	uint32_t in = leaf(e, FC_OPC_IN_S, 0, a, bb_slist(b, "init", "systemd", NULL), false);
	uint32_t sw = leaf(e, FC_OPC_STARTSWITH, 0, a, bb_str(b, "sys"), false);
	uint32_t gl = leaf(e, FC_OPC_GLOB, 0, a, bb_str(b, "*d"), false);
	uint32_t sm = leaf(e, FC_OPC_SMOD, FC_BOP_EQ | FC_MODBITS_ANYOF << FC_MOD_SHIFT, a, bb_slist(b, "x", "sshd", NULL),
			   false);
	uint32_t ex = leaf(e, FC_OPC_EXISTS, 0, a, 0, false);
	uint32_t gt = leaf(e, FC_OPC_GT_I, 0, ap, bb_const(b, 100), false);
	uint32_t eqn = leaf(e, FC_OPC_EQ_N, 0, ap, bb_const(b, 1), false);
	env_load(e);
	struct fc_val anc[] = {vstr("bash"), vstr("sshd"), vstr("systemd")};
	fk_set(&e->fk, "proc.aname", NULL, vlist(anc, 3));
	TRUE_(e, eq);
	FALSE_(e, neq); /* not (some ancestor is sshd) */
	TRUE_(e, ne);   /* some ancestor is not bash */
	TRUE_(e, in);
	TRUE_(e, sw);
	TRUE_(e, gl);
	TRUE_(e, sm);
	TRUE_(e, ex);
	struct fc_val one[] = {vstr("bash")};
	fk_set(&e->fk, "proc.aname", NULL, vlist(one, 1));
	FALSE_(e, eq);
	TRUE_(e, neq);
	FALSE_(e, ne);
	FALSE_(e, in);
	FALSE_(e, gl);
	struct fc_val pids[] = {vi(50), vi(1)};
	fk_set(&e->fk, "proc.apid", NULL, vlist(pids, 2));
	FALSE_(e, gt);
	TRUE_(e, eqn);
	pids[0] = vi(500);
	TRUE_(e, gt);
	env_free(e);
}

/* ---- list fields ---- */

Test(vm, list_fields_in_and_intersects)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t t = bb_field_t(b, "fd.types", NULL, PT_CHARBUF, FC_SLF_LIST);
	uint32_t in3 = leaf(e, FC_OPC_LIST_IN, 0, t, bb_slist(b, "file", "ipv4", "ipv6", NULL), false);
	uint32_t in1 = leaf(e, FC_OPC_LIST_IN, 0, t, bb_slist(b, "file", NULL), false);
	uint32_t nin1 = leaf(e, FC_OPC_LIST_IN, 0, t, bb_slist(b, "file", NULL), true);
	uint32_t is = leaf(e, FC_OPC_LIST_ISECT, 0, t, bb_slist(b, "ipv4", "unix", NULL), false);
	uint32_t isx = leaf(e, FC_OPC_LIST_ISECT, 0, t, bb_slist(b, "pipe", NULL), false);
	uint32_t ex = leaf(e, FC_OPC_EXISTS, 0, t, 0, false);
	env_load(e);
	struct fc_val ty[] = {vstr("file"), vstr("ipv4")};
	fk_set(&e->fk, "fd.types", NULL, vlist(ty, 2));
	TRUE_(e, in3);
	FALSE_(e, in1);
	TRUE_(e, nin1);
	TRUE_(e, is);
	FALSE_(e, isx);
	TRUE_(e, ex);
	fk_set(&e->fk, "fd.types", NULL, vstr("file")); /* a scalar is a one-element list */
	TRUE_(e, in1);
	FALSE_(e, is);
	fk_set(&e->fk, "fd.types", NULL, vnone);
	FALSE_(e, in3);
	TRUE_(e, nin1);
	FALSE_(e, is);
	env_free(e);
}

/* ---- sets, prefixes, pmatch ---- */

Test(vm, sets_prefix_pmatch)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field_t(b, "fd.name", NULL, PT_FSPATH, 0);
	uint32_t n = bb_field_t(b, "proc.pid", NULL, PT_INT64, 0);
	uint32_t in = leaf(e, FC_OPC_IN_S, 0, s, bb_slist(b, "bash", "sh", "zsh", "", NULL), false);
	uint32_t pf = leaf(e, FC_OPC_PREFIX_S, 0, s, bb_slist(b, "/usr/bin/", "/etc/", "/usr/", "/boot", NULL), false);
	uint32_t pm = leaf(e, FC_OPC_PMATCH, 0, s, bb_slist(b, "/var/run", "/etc", "/lib", "/usr/lib", NULL), false);
	uint32_t pg = leaf(e, FC_OPC_PMATCH, 0, s, bb_slist(b, "/home/*/.ssh", "/opt/a?c", "/srv/[xy]z/data", NULL), false);
	uint32_t proot = leaf(e, FC_OPC_PMATCH, 0, s, bb_slist(b, "/usr/lib", "/", NULL), false);
	uint32_t pshort = leaf(e, FC_OPC_PMATCH, 0, s, bb_slist(b, "/usr/lib/x", "/usr", NULL), false);
	uint64_t nums[] = {1, 5, (uint64_t)-1, 0};
	uint32_t inn = leaf(e, FC_OPC_IN_N, 0, n, bb_nlist(b, 4, nums), false);
	env_load(e);
#define S(v) fk_set(&e->fk, "fd.name", NULL, vstr(v))
	S("zsh");
	TRUE_(e, in);
	S("");
	TRUE_(e, in);
	S("zs");
	FALSE_(e, in);
	S("/usr/bin/ls");
	TRUE_(e, pf);
	S("/usr");
	FALSE_(e, pf);
	S("/boot");
	TRUE_(e, pf);
	S("/bootx");
	TRUE_(e, pf);
	S("/etc");
	FALSE_(e, pf);
	S("/e");
	FALSE_(e, pf);
	/* pmatch: upstream's own examples */
	S("/var/run/docker");
	TRUE_(e, pm);
	S("/boot");
	FALSE_(e, pm);
	S("/var/lib/messages");
	FALSE_(e, pm);
	S("/var");
	FALSE_(e, pm);
	S("/var/run");
	TRUE_(e, pm);
	S("//var///run//x/");
	TRUE_(e, pm);
	S("/etcx");
	FALSE_(e, pm);
	S("/usr/lib64");
	FALSE_(e, pm);
	S("/home/bob/.ssh/id_rsa");
	TRUE_(e, pg);
	S("/home/bob/.sshx");
	FALSE_(e, pg);
	S("/home/.ssh");
	FALSE_(e, pg);
	S("/opt/abc/x");
	TRUE_(e, pg);
	S("/opt/abbc");
	FALSE_(e, pg);
	S("/srv/yz/data/1");
	TRUE_(e, pg);
	S("/srv/zz/data/1");
	FALSE_(e, pg);
	S("/anything/at/all");
	TRUE_(e, proot);
	S("");
	TRUE_(e, proot);
	S("/usr/lib/y");
	TRUE_(e, pshort); /* "/usr" replaced "/usr/lib/x" */
	S("/usr");
	TRUE_(e, pshort);
#undef S
	fk_set(&e->fk, "proc.pid", NULL, vu(5));
	TRUE_(e, inn);
	fk_set(&e->fk, "proc.pid", NULL, vi(-1));
	TRUE_(e, inn);
	fk_set(&e->fk, "proc.pid", NULL, vi(0));
	TRUE_(e, inn);
	fk_set(&e->fk, "proc.pid", NULL, vi(2));
	FALSE_(e, inn);
	env_free(e);
}

/* ---- IP addresses ---- */

Test(vm, ip_addresses_and_networks)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field_t(b, "fd.sip", NULL, PT_IPADDR, 0);
	static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0xff, 0, 0, 0, 0, 0, 0, 9};
	static const uint8_t c6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	uint32_t eq4 = leaf(e, FC_OPC_EQ_IP, 0, s, bb_ip4(b, 10, 0, 0, 1), false);
	uint32_t ne4 = leaf(e, FC_OPC_NE_IP, 0, s, bb_ip4(b, 10, 0, 0, 1), false);
	uint32_t eq6 = leaf(e, FC_OPC_EQ_IP, 0, s, bb_ip6(b, a6), false);
	uint32_t net4 = leaf(e, FC_OPC_IN_NET, 0, s, bb_net4(b, 10, 0, 0, 0, 8), false);
	uint32_t net4b = leaf(e, FC_OPC_IN_NET, 0, s, bb_net4(b, 192, 168, 16, 0, 20), false);
	uint32_t net6 = leaf(e, FC_OPC_IN_NET, 0, s, bb_net6(b, a6, 64), false);
	uint32_t net63 = leaf(e, FC_OPC_IN_NET, 0, s, bb_net6(b, a6, 63), false);
	uint32_t ipl = bb_list_raw(b, FC_LK_IP, 4,
				   (uint32_t[]){bb_ip4(b, 1, 1, 1, 1), bb_net4(b, 172, 16, 0, 0, 12), bb_ip6(b, c6),
						bb_net6(b, a6, 48)});
	uint32_t inl = leaf(e, FC_OPC_IN_IP, 0, s, ipl, false);
	env_load(e);
	fk_set(&e->fk, "fd.sip", NULL, vip4(10, 0, 0, 1));
	TRUE_(e, eq4);
	FALSE_(e, ne4);
	FALSE_(e, eq6);
	TRUE_(e, net4);
	FALSE_(e, net6);
	FALSE_(e, inl);
	fk_set(&e->fk, "fd.sip", NULL, vip4(11, 0, 0, 1));
	FALSE_(e, eq4);
	TRUE_(e, ne4);
	FALSE_(e, net4);
	fk_set(&e->fk, "fd.sip", NULL, vip4(192, 168, 31, 7));
	TRUE_(e, net4b);
	fk_set(&e->fk, "fd.sip", NULL, vip4(192, 168, 32, 7));
	FALSE_(e, net4b);
	fk_set(&e->fk, "fd.sip", NULL, vip4(1, 1, 1, 1));
	TRUE_(e, inl);
	fk_set(&e->fk, "fd.sip", NULL, vip4(172, 31, 255, 1));
	TRUE_(e, inl);
	fk_set(&e->fk, "fd.sip", NULL, vip4(172, 32, 0, 1));
	FALSE_(e, inl);
	fk_set(&e->fk, "fd.sip", NULL, vip6(a6));
	TRUE_(e, eq6);
	FALSE_(e, eq4);
	TRUE_(e, ne4); /* a different family is unequal */
	TRUE_(e, net6);
	TRUE_(e, inl);
	fk_set(&e->fk, "fd.sip", NULL, vip6(b6));
	FALSE_(e, net6); /* differs in bit 63 (counting from 0) */
	TRUE_(e, net63);
	TRUE_(e, inl);   /* inside the /48 */
	fk_set(&e->fk, "fd.sip", NULL, vip6(c6));
	TRUE_(e, inl);
	fk_set(&e->fk, "fd.sip", NULL, vstr("10.0.0.1")); /* not an address value */
	FALSE_(e, eq4);
	FALSE_(e, ne4);
	env_free(e);
}

/* ---- modifiers ---- */

Test(vm, smod_modifiers)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field(b, "proc.exepath", NULL);
	uint32_t r[9][3];
	struct {
		uint8_t base;
		uint32_t list;
	} cases[9] = {
		{FC_BOP_EQ, bb_slist(b, "/usr/bin/bash", "/bin/sh", NULL)},
		{FC_BOP_NE, bb_slist(b, "/bin/sh", "/bin/zsh", NULL)},
		{FC_BOP_CONTAINS, bb_slist(b, "bin", "bash", "zsh", NULL)},
		{FC_BOP_ICONTAINS, bb_slist(b, "BASH", "ksh", NULL)},
		{FC_BOP_STARTSWITH, bb_slist(b, "/usr/", "/usr/bin", NULL)},
		{FC_BOP_ENDSWITH, bb_slist(b, "sh", "bash", "/zsh", NULL)},
		{FC_BOP_GLOB, bb_slist(b, "*bash", "/usr/*", "*.py", NULL)},
		{FC_BOP_IGLOB, bb_slist(b, "*BASH", "/tmp/*", NULL)},
		{FC_BOP_REGEX, bb_slist(b, ".*/bash", "/usr/.*", "x.*", NULL)},
	};
	for (int i = 0; i < 9; i++)
		for (int m = 0; m < 3; m++)
			r[i][m] = leaf(e, FC_OPC_SMOD, (uint8_t)(cases[i].base | (m + 1) << FC_MOD_SHIFT), s, cases[i].list, false);
	env_load(e);
	fk_set(&e->fk, "proc.exepath", NULL, vstr("/usr/bin/bash"));
	/* expected {anyof, allof, oneof} */
	static const bool want[9][3] = {
		{1, 0, 1}, /* = : one item equal */
		{1, 1, 0}, /* != : both differ */
		{1, 0, 0}, /* contains: bin and bash */
		{1, 0, 1}, /* icontains: BASH (folded at load) */
		{1, 1, 0}, /* startswith: both prefixes */
		{1, 0, 0}, /* endswith: sh and bash */
		{1, 0, 0}, /* glob: *bash and /usr/ * */
		{1, 0, 1}, /* iglob: *BASH */
		{1, 0, 0}, /* regex: two match */
	};
	for (int i = 0; i < 9; i++)
		for (int m = 0; m < 3; m++)
			cr_assert_eq(eval(e, r[i][m]), want[i][m], "base %d modifier %d", cases[i].base, m + 1);
	fk_set(&e->fk, "proc.exepath", NULL, vstr("/opt/x"));
	for (int i = 0; i < 9; i++)
		cr_assert_eq(eval(e, r[i][0]), cases[i].base == FC_BOP_NE, "anyof base %d on no match", cases[i].base);
	env_free(e);
}

/* String ordering (SMOD bases LT..GE): strcmp order, each side ending at its first NUL. */
Test(vm, smod_string_order)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field(b, "proc.name", NULL);
	uint32_t one = bb_slist(b, "b", NULL);
	uint32_t nul = bb_list_raw(b, FC_LK_STR, 1, (uint32_t[]){bb_strn(b, "b\0z", 3)});
	uint32_t r[4], rn[4];
	for (int i = 0; i < 4; i++) {
		r[i] = leaf(e, FC_OPC_SMOD, (uint8_t)((FC_BOP_LT + i) | FC_MODBITS_ANYOF << FC_MOD_SHIFT), s, one, false);
		rn[i] = leaf(e, FC_OPC_SMOD, (uint8_t)((FC_BOP_LT + i) | FC_MODBITS_ANYOF << FC_MOD_SHIFT), s, nul, false);
	}
	env_load(e);
	static const struct {
		const char *v;
		uint32_t len;
		bool lt, le, gt, ge;
	} cases[] = {
		{"a", 1, 1, 1, 0, 0},     {"b", 1, 0, 1, 0, 1},      {"ba", 2, 0, 0, 1, 1}, {"", 0, 1, 1, 0, 0},
		{"z", 1, 0, 0, 1, 1},     {"b\0a", 3, 0, 1, 0, 1}, /* ends at the NUL: equal to "b" */
		{"\xe9", 1, 0, 0, 1, 1}, /* bytes compare unsigned */
		{"B", 1, 1, 1, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fk_set(&e->fk, "proc.name", NULL, vstrn(cases[i].v, cases[i].len));
		const bool want[4] = {cases[i].lt, cases[i].le, cases[i].gt, cases[i].ge};
		for (int k = 0; k < 4; k++) {
			cr_assert_eq(eval(e, r[k]), want[k], "value %zu base %d", i, FC_BOP_LT + k);
			cr_assert_eq(eval(e, rn[k]), want[k], "value %zu base %d, constant with a NUL", i, FC_BOP_LT + k);
		}
	}
	fk_set(&e->fk, "proc.name", NULL, vnone);
	for (int k = 0; k < 4; k++)
		FALSE_(e, r[k]);
	env_free(e);
}

/* Weighted oneof (FC_MODBITS_ONEOFW): an item of weight 2 counts twice, per ancestor. */
Test(vm, smod_weighted_oneof)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t a = bb_field_t(b, "proc.aname", NULL, PT_CHARBUF, FC_SLF_ANCESTORS);
	uint32_t w = bb_slist(b, "\001sh", "\002ba", NULL);
	uint32_t co = leaf(e, FC_OPC_SMOD, FC_BOP_CONTAINS | FC_MODBITS_ONEOFW << FC_MOD_SHIFT, a, w, false);
	uint32_t ic = leaf(e, FC_OPC_SMOD, FC_BOP_ICONTAINS | FC_MODBITS_ONEOFW << FC_MOD_SHIFT, a,
			   bb_slist(b, "\001SH", "\002Ba", NULL), false);
	uint32_t gl = leaf(e, FC_OPC_SMOD, FC_BOP_GLOB | FC_MODBITS_ONEOFW << FC_MOD_SHIFT, a,
			   bb_slist(b, "\001*sh", "\002ba*", NULL), false);
	uint32_t re = leaf(e, FC_OPC_SMOD, FC_BOP_REGEX | FC_MODBITS_ONEOFW << FC_MOD_SHIFT, a,
			   bb_slist(b, "\001.*sh", "\002ba.*", NULL), false);
	uint32_t plain = leaf(e, FC_OPC_SMOD, FC_BOP_CONTAINS | FC_MODBITS_ONEOF << FC_MOD_SHIFT, a, w, false);
	env_load(e);
	static const struct {
		const char *anc[3];
		bool want;
	} cases[] = {
		{{"bash"}, 0},            /* sh once + ba twice */
		{{"bash", "zsh"}, 1},     /* zsh: sh once */
		{{"bax", "ksh"}, 1},      /* ksh */
		{{"bax"}, 0},             /* ba twice */
		{{"x", "y", "bash"}, 0},  /* none exactly once */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fc_val v[3];
		uint32_t n = 0;
		while (n < 3 && cases[i].anc[n])
			v[n] = vstr(cases[i].anc[n]), n++;
		fk_set(&e->fk, "proc.aname", NULL, vlist(v, n));
		cr_assert_eq(eval(e, co), cases[i].want, "contains, case %zu", i);
		cr_assert_eq(eval(e, ic), cases[i].want, "icontains, case %zu", i);
		cr_assert_eq(eval(e, gl), cases[i].want, "glob, case %zu", i);
		cr_assert_eq(eval(e, re), cases[i].want, "regex, case %zu", i);
	}
	/* the weight byte belongs to the weighted form only: unweighted, the items are plain bytes */
	struct fc_val x[] = {vstr("\002bax")};
	fk_set(&e->fk, "proc.aname", NULL, vlist(x, 1));
	TRUE_(e, plain);
	FALSE_(e, co);
	env_free(e);
}

/* ---- field comparison ---- */

Test(vm, field_compare)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t a = bb_field(b, "proc.name", NULL), p = bb_field(b, "proc.pname", NULL);
	uint32_t n = bb_field_t(b, "proc.pid", NULL, PT_INT64, 0), m = bb_field_t(b, "proc.ppid", NULL, PT_INT64, 0);
	uint32_t i1 = bb_field_t(b, "fd.sip", NULL, PT_IPADDR, 0), i2 = bb_field_t(b, "fd.cip", NULL, PT_IPADDR, 0);
	uint32_t eq = leaf(e, FC_OPC_FCMP, FC_BOP_EQ, a, p, false), neq = leaf(e, FC_OPC_FCMP, FC_BOP_EQ, a, p, true);
	uint32_t lt = leaf(e, FC_OPC_FCMP, FC_BOP_LT, a, p, false), ge = leaf(e, FC_OPC_FCMP, FC_BOP_GE, a, p, false);
	uint32_t co = leaf(e, FC_OPC_FCMP, FC_BOP_CONTAINS, a, p, false);
	uint32_t ic = leaf(e, FC_OPC_FCMP, FC_BOP_ICONTAINS, a, p, false);
	uint32_t sw = leaf(e, FC_OPC_FCMP, FC_BOP_STARTSWITH, a, p, false);
	uint32_t ew = leaf(e, FC_OPC_FCMP, FC_BOP_ENDSWITH, a, p, false);
	uint32_t gl = leaf(e, FC_OPC_FCMP, FC_BOP_GLOB, a, p, false), ig = leaf(e, FC_OPC_FCMP, FC_BOP_IGLOB, a, p, false);
	uint32_t nlt = leaf(e, FC_OPC_FCMP, FC_BOP_LT, n, m, false), neqn = leaf(e, FC_OPC_FCMP, FC_BOP_EQ, n, m, false);
	uint32_t ieq = leaf(e, FC_OPC_FCMP, FC_BOP_EQ, i1, i2, false), ine = leaf(e, FC_OPC_FCMP, FC_BOP_NE, i1, i2, false);
	uint32_t mix = leaf(e, FC_OPC_FCMP, FC_BOP_EQ, a, n, false);
	env_load(e);
	fk_set(&e->fk, "proc.name", NULL, vstr("bash"));
	fk_set(&e->fk, "proc.pname", NULL, vstr("bash"));
	TRUE_(e, eq);
	FALSE_(e, neq);
	FALSE_(e, lt);
	TRUE_(e, ge);
	TRUE_(e, co);
	fk_set(&e->fk, "proc.name", NULL, vstr("abc"));
	fk_set(&e->fk, "proc.pname", NULL, vstr("abd"));
	TRUE_(e, lt);
	FALSE_(e, ge);
	fk_set(&e->fk, "proc.pname", NULL, vstr("abz")); /* memcmp may return any negative number */
	TRUE_(e, lt);
	FALSE_(e, ge);
	fk_set(&e->fk, "proc.name", NULL, vstrn("abz\0q", 5)); /* strcmp order: ends at the NUL */
	FALSE_(e, lt);
	TRUE_(e, ge);
	FALSE_(e, eq); /* equality stays byte-exact */
	fk_set(&e->fk, "proc.name", NULL, vstr("abc"));
	fk_set(&e->fk, "proc.pname", NULL, vstr("ab"));
	FALSE_(e, lt); /* a prefix sorts first */
	TRUE_(e, sw);
	FALSE_(e, ew);
	fk_set(&e->fk, "proc.name", NULL, vstr("xBaShx"));
	fk_set(&e->fk, "proc.pname", NULL, vstr("bAsH"));
	TRUE_(e, ic);
	FALSE_(e, co);
	fk_set(&e->fk, "proc.pname", NULL, vstr("x*x")); /* the right side is the pattern */
	TRUE_(e, gl);
	fk_set(&e->fk, "proc.pname", NULL, vstr("X*[S]?X"));
	FALSE_(e, gl);
	TRUE_(e, ig);
	/* missing right side: false, and `not` true */
	fk_set(&e->fk, "proc.pname", NULL, vnone);
	FALSE_(e, eq);
	TRUE_(e, neq);
	/* a list on the right: some element */
	struct fc_val two[] = {vstr("zsh"), vstr("xBaShx")};
	fk_set(&e->fk, "proc.pname", NULL, vlist(two, 2));
	TRUE_(e, eq);
	/* numbers by kind: exact across signedness */
	fk_set(&e->fk, "proc.pid", NULL, vi(-1));
	fk_set(&e->fk, "proc.ppid", NULL, vu(1));
	TRUE_(e, nlt);
	fk_set(&e->fk, "proc.pid", NULL, vu(UINT64_MAX));
	fk_set(&e->fk, "proc.ppid", NULL, vi(-1));
	FALSE_(e, nlt);
	FALSE_(e, neqn);
	fk_set(&e->fk, "proc.pid", NULL, vd(0.5));
	fk_set(&e->fk, "proc.ppid", NULL, vi(1));
	TRUE_(e, nlt);
	fk_set(&e->fk, "proc.pid", NULL, vi(7));
	fk_set(&e->fk, "proc.ppid", NULL, vi(7));
	TRUE_(e, neqn);
	FALSE_(e, mix); /* a string and a number never compare */
	static const uint8_t six[16] = {1};
	fk_set(&e->fk, "fd.sip", NULL, vip4(1, 2, 3, 4));
	fk_set(&e->fk, "fd.cip", NULL, vip4(1, 2, 3, 4));
	TRUE_(e, ieq);
	FALSE_(e, ine);
	fk_set(&e->fk, "fd.cip", NULL, vip6(six));
	FALSE_(e, ieq);
	TRUE_(e, ine);
	env_free(e);
}

/* ---- transformers ---- */

Test(vm, transformers_single)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field(b, "proc.name", NULL), f = bb_field_t(b, "fd.name", NULL, PT_FSPATH, 0);
	uint32_t t = bb_field_t(b, "fd.types", NULL, PT_CHARBUF, FC_SLF_LIST);
	uint32_t lo = bb_xf(b, FC_BXF_TOLOWER, -1, 1, s), up = bb_xf(b, FC_BXF_TOUPPER, -1, 1, s);
	uint32_t b64 = bb_xf(b, FC_BXF_B64, -1, 1, s), up64 = bb_xf(b, FC_BXF_TOUPPER, -1, 1, b64);
	uint32_t bn = bb_xf(b, FC_BXF_BASENAME, -1, 1, f), ln = bb_xf(b, FC_BXF_LEN, -1, 1, s);
	uint32_t lt = bb_xf(b, FC_BXF_LEN, -1, 1, t), lot = bb_xf(b, FC_BXF_TOUPPER, -1, 1, t);
	uint32_t r_lo = leaf(e, FC_OPC_EQ_S, 0, lo, bb_str(b, "bash-5.2"), false);
	uint32_t r_up = leaf(e, FC_OPC_EQ_S, 0, up, bb_str(b, "BASH-5.2"), false);
	uint32_t r_b64 = leaf(e, FC_OPC_EQ_S, 0, b64, bb_str(b, "bash"), false);
	uint32_t r_b64x = leaf(e, FC_OPC_EXISTS, 0, b64, 0, false);
	uint32_t r_up64 = leaf(e, FC_OPC_EQ_S, 0, up64, bb_str(b, "BASH"), false);
	uint32_t r_bn = leaf(e, FC_OPC_EQ_S, 0, bn, bb_str(b, "passwd"), false);
	uint32_t r_bne = leaf(e, FC_OPC_EQ_S, 0, bn, 0, false);
	uint32_t r_ln = leaf(e, FC_OPC_EQ_N, 0, ln, bb_const(b, 8), false);
	uint32_t r_ln2 = leaf(e, FC_OPC_EQ_N, 0, ln, bb_const(b, 2), false);
	uint32_t r_lt = leaf(e, FC_OPC_EQ_N, 0, lt, bb_const(b, 3), false);
	uint32_t r_lot = leaf(e, FC_OPC_LIST_ISECT, 0, lot, bb_slist(b, "IPV4", NULL), false);
	uint32_t r_lox = leaf(e, FC_OPC_EXISTS, 0, lo, 0, false);
	env_load(e);
	fk_set(&e->fk, "proc.name", NULL, vstr("BaSh-5.2"));
	fk_set(&e->fk, "fd.name", NULL, vstr("/etc/passwd"));
	struct fc_val ty[] = {vstr("file"), vstr("ipv4"), vstr("unix")};
	fk_set(&e->fk, "fd.types", NULL, vlist(ty, 3));
	TRUE_(e, r_lo);
	TRUE_(e, r_up);
	TRUE_(e, r_ln);
	TRUE_(e, r_bn);
	TRUE_(e, r_lt);
	TRUE_(e, r_lot);
	FALSE_(e, r_b64x); /* '-' and '.' are not base64: missing */
	fk_set(&e->fk, "proc.name", NULL, vstr("YmFzaA=="));
	TRUE_(e, r_b64);
	TRUE_(e, r_up64);
	fk_set(&e->fk, "proc.name", NULL, vstr("YmFzaA"));
	TRUE_(e, r_b64);
	fk_set(&e->fk, "proc.name", NULL, vstr("YmFzaB")); /* unused bits set */
	FALSE_(e, r_b64x);
	fk_set(&e->fk, "proc.name", NULL, vbuf("ab\0cd", 5)); /* len stops at a NUL for strings only */
	FALSE_(e, r_ln2);
	fk_set(&e->fk, "proc.name", NULL, (struct fc_val){.kind = FC_V_STR, .len = 5, .s = "ab\0cd"});
	TRUE_(e, r_ln2);
	fk_set(&e->fk, "fd.name", NULL, vstr("/etc/"));
	TRUE_(e, r_bne);
	fk_set(&e->fk, "fd.name", NULL, vstr("passwd"));
	TRUE_(e, r_bn);
	fk_set(&e->fk, "proc.name", NULL, vnone); /* a missing argument: missing result */
	FALSE_(e, r_lox);
	env_free(e);
}

Test(vm, transformers_multi)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field(b, "proc.name", NULL), p = bb_field_t(b, "proc.pid", NULL, PT_INT64, 0);
	uint32_t t = bb_field_t(b, "fd.types", NULL, PT_CHARBUF, FC_SLF_LIST);
	uint32_t av = bb_field_t(b, "fd.types", "0", PT_CHARBUF, 0); /* stands in for an argv list */
	uint32_t cc = bb_xf(b, FC_BXF_CONCAT, -1, 3, s, FC_ARG_STR | bb_str(b, ":"), p);
	uint32_t jn = bb_xf(b, FC_BXF_JOIN, -1, 2, FC_ARG_STR | bb_str(b, ","), t);
	uint32_t jn2 = bb_xf(b, FC_BXF_JOIN, -1, 4, FC_ARG_STR | bb_str(b, "-"), s, FC_ARG_STR | bb_str(b, "x"), t);
	uint32_t go = bb_xf(b, FC_BXF_GETOPT, -1, 2, av, FC_ARG_STR | bb_str(b, "nt:"));
	uint32_t got = bb_xf(b, FC_BXF_GETOPT, 't', 2, av, FC_ARG_STR | bb_str(b, "nt:"));
	uint32_t gon = bb_xf(b, FC_BXF_GETOPT, 'n', 2, av, FC_ARG_STR | bb_str(b, "nt:"));
	uint32_t godyn = bb_xf(b, FC_BXF_GETOPT, 't', 2, av, s); /* optstring from a field */
	uint32_t nest = bb_xf(b, FC_BXF_CONCAT, -1, 3, s, FC_ARG_STR | bb_str(b, "="), jn); /* nested multi */
	uint32_t r_cc = leaf(e, FC_OPC_EQ_S, 0, cc, bb_str(b, "bash:42"), false);
	uint32_t r_nest = leaf(e, FC_OPC_EQ_S, 0, nest, bb_str(b, "bash=file,ipv4"), false);
	uint32_t r_ccx = leaf(e, FC_OPC_EXISTS, 0, cc, 0, false);
	uint32_t r_jn = leaf(e, FC_OPC_EQ_S, 0, jn, bb_str(b, "file,ipv4"), false);
	uint32_t r_jn2 = leaf(e, FC_OPC_EQ_S, 0, jn2, bb_str(b, "bash-x-file-ipv4"), false);
	uint32_t r_go = leaf(e, FC_OPC_LIST_IN, 0, go, bb_slist(b, "n", "t", "val", NULL), false);
	uint32_t r_go_val = leaf(e, FC_OPC_EQ_S, 0, go, bb_str(b, "val"), false);
	uint32_t r_go_q = leaf(e, FC_OPC_EQ_S, 0, go, bb_str(b, "?"), false);
	uint32_t r_go_len = leaf(e, FC_OPC_EQ_N, 0, bb_xf(b, FC_BXF_LEN, -1, 1, go), bb_const(b, 3), false);
	uint32_t r_got = leaf(e, FC_OPC_EQ_S, 0, got, bb_str(b, "val"), false);
	uint32_t r_gotx = leaf(e, FC_OPC_EXISTS, 0, got, 0, false);
	uint32_t r_got_empty = leaf(e, FC_OPC_EQ_S, 0, got, 0, false);
	uint32_t r_gon = leaf(e, FC_OPC_EQ_S, 0, gon, bb_str(b, "n"), false);
	uint32_t r_dyn = leaf(e, FC_OPC_EQ_S, 0, godyn, bb_str(b, "val"), false);
	env_load(e);
	fk_set(&e->fk, "proc.name", NULL, vstr("bash"));
	fk_set(&e->fk, "proc.pid", NULL, vi(42));
	struct fc_val ty[] = {vstr("file"), vstr("ipv4")};
	fk_set(&e->fk, "fd.types", NULL, vlist(ty, 2));
	TRUE_(e, r_cc);
	TRUE_(e, r_nest);
	TRUE_(e, r_jn);
	TRUE_(e, r_jn2);
	fk_set(&e->fk, "proc.pid", NULL, vnone);
	FALSE_(e, r_ccx); /* every argument must be present */
	struct fc_val argbuf[8];
#define ARGV(...)                                                                                         \
	do {                                                                                              \
		struct fc_val v[] = {__VA_ARGS__};                                                        \
		memcpy(argbuf, v, sizeof v);                                                              \
		fk_set(&e->fk, "fd.types", "0", vlist(argbuf, sizeof v / sizeof v[0]));                   \
	} while (0)
	ARGV(vstr("-n"), vstr("-t"), vstr("val"), vstr("rest"), vstr("-x"));
	TRUE_(e, r_go);
	TRUE_(e, r_go_val);
	TRUE_(e, r_go_len);
	FALSE_(e, r_go_q); /* "-x" comes after the first non-option: not seen */
	TRUE_(e, r_got);
	TRUE_(e, r_gon);
	fk_set(&e->fk, "proc.name", NULL, vstr(":t:"));
	TRUE_(e, r_dyn);
	ARGV(vstr("-ntval"));
	TRUE_(e, r_got);
	TRUE_(e, r_gon);
	ARGV(vstr("-xn"), vstr("--long"), vstr("-tfirst"), vstr("-t"), vstr("val"));
	TRUE_(e, r_go_q);
	TRUE_(e, r_got); /* the last -t wins */
	ARGV(vstr("-n"), vstr("--"), vstr("-t"), vstr("val"));
	FALSE_(e, r_gotx);
	TRUE_(e, r_gon);
	ARGV(vstr("-n"), vstr("-t")); /* a missing argument is "" */
	TRUE_(e, r_got_empty);
	ARGV(vstr("file"), vstr("-n"));
	FALSE_(e, r_gotx);
	FALSE_(e, r_gon);
#undef ARGV
	env_free(e);
}

Test(vm, scratch_overflow)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field(b, "proc.name", NULL);
	uint32_t lo = bb_xf(b, FC_BXF_TOLOWER, -1, 1, s);
	uint32_t r = leaf(e, FC_OPC_ENDSWITH, 0, lo, bb_str(b, "x"), false);
	uint32_t rx = leaf(e, FC_OPC_EXISTS, 0, lo, 0, false);
	size_t len;
	uint8_t *p = bb_build(b, &len);
	char err[256];
	cr_assert_eq(fc_bundle_load(p, len, &e->B, err, sizeof err), FC_BERR_OK, "%s", err);
	free(p);
	e->vm = fc_vm_new_sized(e->B, 64);
	char big[200];
	memset(big, 'A', sizeof big - 2);
	big[sizeof big - 2] = 'X';
	big[sizeof big - 1] = 0;
	fk_set(&e->fk, "proc.name", NULL, vstr(big));
	FALSE_(e, rx);
	struct fc_vm_stats st;
	fc_vm_stats(e->vm, &st);
	cr_assert_eq(st.scratch_overflows, 1);
	/* the area is reset at each event: many small values never overflow */
	fk_set(&e->fk, "proc.name", NULL, vstr("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWX"));
	for (int i = 0; i < 1000; i++)
		TRUE_(e, r);
	fc_vm_stats(e->vm, &st);
	cr_assert_eq(st.scratch_overflows, 1);
	env_free(e);
}

/* ---- SUB memoisation, extraction counts ---- */

Test(vm, sub_memo_and_single_extraction)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field(b, "proc.name", NULL), f = bb_field_t(b, "fd.name", NULL, PT_FSPATH, 0);
	uint32_t s2 = bb_field(b, "proc.name", NULL); /* a second slot with the same spec */
	uint32_t sub = bb_leaf_prog(b, FC_PK_SUB, FC_OPC_EQ_S, 0, (uint16_t)s, bb_str(b, "bash"), false);
	/* rule 0: sub and fd.name startswith /etc */
	uint32_t p0 = bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_SUB, 0, 0, sub, 0, 2);
	bb_ins(b, FC_OPC_STARTSWITH, 0, (uint16_t)f, bb_str(b, "/etc"), 0, 1);
	bb_ret(b, true);
	bb_ret(b, false);
	bb_rule(b, "r0", p0, e->ev);
	/* rule 1: not sub, or fd.name contains passwd */
	uint32_t p1 = bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_SUB, 0, 0, sub, 0, 1);
	bb_ins(b, FC_OPC_CONTAINS, 0, (uint16_t)f, bb_str(b, "passwd"), 0, 1);
	bb_ret(b, true);
	bb_ret(b, false);
	bb_rule(b, "r1", p1, e->ev);
	/* rule 2: the twin slot */
	uint32_t r2 = leaf(e, FC_OPC_IN_S, 0, s2, bb_slist(b, "bash", "sh", NULL), false);
	/* a nested SUB: sub2 calls sub */
	uint32_t sub2 = bb_prog_begin(b, FC_PK_SUB);
	bb_ins(b, FC_OPC_SUB, 0, 0, sub, 0, 1);
	bb_ret(b, true);
	bb_ret(b, false);
	uint32_t r3 = bb_rule(b, "r3", bb_leaf_prog(b, FC_PK_RULE, FC_OPC_SUB, 0, 0, sub2, false), e->ev);
	env_load(e);
	fk_set(&e->fk, "proc.name", NULL, vstr("bash"));
	fk_set(&e->fk, "fd.name", NULL, vstr("/etc/passwd"));
	uint32_t m[8];
	uint32_t n = fc_vm_run(e->vm, 2, &e->x, FC_MATCH_ALL, m, 8);
	cr_assert_eq(n, 4);
	cr_assert(m[0] == 0 && m[1] == 1 && m[2] == r2 && m[3] == r3);
	cr_assert_eq(e->fk.calls[FC_F_PROC_NAME], 1, "proc.name extracted %d times", e->fk.calls[FC_F_PROC_NAME]);
	cr_assert_eq(e->fk.calls[FC_F_FD_NAME], 1);
	struct fc_vm_stats st;
	fc_vm_stats(e->vm, &st);
	cr_assert_eq(st.extractions, 2);
	cr_assert_eq(st.sub_hits, 2); /* rule 1 and sub2 reuse sub's result */
	cr_assert_eq(st.rules_run, 4);
	cr_assert_eq(st.matches, 4);
	cr_assert_eq(st.events, 1);
	/* the next event extracts again */
	fk_set(&e->fk, "proc.name", NULL, vstr("zsh"));
	n = fc_vm_run(e->vm, 2, &e->x, FC_MATCH_ALL, m, 8);
	cr_assert_eq(n, 1);
	cr_assert_eq(m[0], 1);
	cr_assert_eq(e->fk.calls[FC_F_PROC_NAME], 2);
	/* outputs read the cached values */
	const struct fc_val *v = fc_vm_value(e->vm, s2);
	cr_assert_eq(v->kind, FC_V_STR);
	cr_assert_eq(v->len, 3);
	cr_assert_eq(e->fk.calls[FC_F_PROC_NAME], 2);
	cr_assert_eq(fc_vm_value(e->vm, 999)->kind, FC_V_NONE);
	env_free(e);
}

/* ---- rule selection ---- */

Test(vm, first_all_index_enabled)
{
	struct env *e = env_new();
	struct bb *b = e->b;
	uint32_t s = bb_field(b, "proc.name", NULL);
	uint32_t only5 = bb_evset(b, 5, -1);
	uint32_t r0 = leaf(e, FC_OPC_EXISTS, 0, s, 0, false);
	uint32_t r1 = leaf(e, FC_OPC_EQ_S, 0, s, bb_str(b, "nope"), false);
	uint32_t r2 = leaf(e, FC_OPC_STARTSWITH, 0, s, bb_str(b, "b"), false);
	uint32_t p3 = bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, (uint16_t)s, 0, false);
	uint32_t r3 = bb_rule(b, "on5", p3, only5);
	uint32_t p4 = bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, (uint16_t)s, 0, false);
	uint32_t r4 = bb_rule_ex(b, "off", p4, e->ev, 4, false, 0, NULL);
	uint32_t evp = bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_EVTYPE, 0, 0, bb_evset(b, 3, -1), 0, 1);
	bb_ret(b, true);
	bb_ret(b, false);
	uint32_t r5 = bb_rule(b, "evtype3", evp, e->ev);
	env_load(e);
	fk_set(&e->fk, "proc.name", NULL, vstr("bash"));
	uint32_t m[8];
	cr_assert_eq(fc_vm_run(e->vm, 2, &e->x, FC_MATCH_FIRST, m, 8), 1);
	cr_assert_eq(m[0], r0);
	cr_assert_eq(fc_vm_run(e->vm, 2, &e->x, FC_MATCH_ALL, m, 8), 2);
	cr_assert(m[0] == r0 && m[1] == r2);
	cr_assert_eq(fc_vm_run(e->vm, 2, &e->x, FC_MATCH_ALL, m, 1), 1);
	cr_assert_eq(fc_vm_run(e->vm, 2, &e->x, FC_MATCH_ALL, m, 0), 0);
	/* the index: code 5 runs only rule 3; code 3 also runs the evtype rule */
	struct fc_vm_stats st0, st1;
	fc_vm_stats(e->vm, &st0);
	cr_assert_eq(fc_vm_run(e->vm, 5, &e->x, FC_MATCH_ALL, m, 8), 1);
	cr_assert_eq(m[0], r3);
	fc_vm_stats(e->vm, &st1);
	cr_assert_eq(st1.rules_run - st0.rules_run, 1);
	cr_assert_eq(fc_vm_run(e->vm, 3, &e->x, FC_MATCH_ALL, m, 8), 3);
	cr_assert_eq(m[2], r5);
	cr_assert_eq(fc_vm_run(e->vm, 7, &e->x, FC_MATCH_ALL, m, 8), 0);
	cr_assert_eq(fc_vm_run(e->vm, FC_EVENT_MAX, &e->x, FC_MATCH_ALL, m, 8), 0);
	cr_assert_eq(fc_vm_run(e->vm, 65535, &e->x, FC_MATCH_ALL, m, 8), 0);
	/* enabled flags: per VM, starting from the bundle's */
	cr_assert_not(fc_vm_enabled(e->vm, r4));
	cr_assert(fc_vm_enabled(e->vm, r0));
	cr_assert_not(fc_vm_enabled(e->vm, 1000));
	fc_vm_set_enabled(e->vm, r0, false);
	fc_vm_set_enabled(e->vm, r4, true);
	fc_vm_set_enabled(e->vm, 1000, true); /* ignored */
	cr_assert_eq(fc_vm_run(e->vm, 2, &e->x, FC_MATCH_FIRST, m, 8), 1);
	cr_assert_eq(m[0], r2);
	cr_assert_eq(fc_vm_run(e->vm, 2, &e->x, FC_MATCH_ALL, m, 8), 2);
	cr_assert(m[0] == r2 && m[1] == r4);
	struct fc_vm *other = fc_vm_new(e->B);
	cr_assert(fc_vm_enabled(other, r0));
	cr_assert_eq(fc_vm_run(other, 2, &e->x, FC_MATCH_FIRST, m, 8), 1);
	cr_assert_eq(m[0], r0);
	fc_vm_free(other);
	/* eval_rule ignores the flags and the index */
	fc_vm_begin(e->vm, 9, &e->x);
	cr_assert(fc_vm_eval_rule(e->vm, r0));
	cr_assert_not(fc_vm_eval_rule(e->vm, r1));
	cr_assert_not(fc_vm_eval_rule(e->vm, 12345));
	env_free(e);
}

/* ---- matchers directly ---- */

static bool gm(const char *pat, const char *s, bool cf)
{
	size_t pl = strlen(pat);
	void *m = malloc(fc_glob_size(pl));
	bool r = fc_glob_match(fc_glob_compile(m, pat, pl, cf), s, strlen(s));
	free(m);
	return r;
}

Test(vm, glob_matches_fnmatch)
{
	static const char *pats[] = {
		"", "*", "?", "a", "a*", "*a", "*a*", "a?c", "a*c", "*.sh", "/usr/*", "/usr/*/bin", "[abc]", "[!abc]",
		"[^abc]", "[a-c]x", "[]a]", "[!]a]", "[a-]", "[-a]", "[\\]]", "\\*", "\\", "a\\", "[", "[a", "a[b",
		"[[:alpha:]]*", "[[:digit:][:upper:]]", "[[:bogus:]]", "[[:alpha:]", "*[[:space:]]*", "[=a=]", "[.b.]",
		"[z-a]", "**a**b", "*?*?", "a*b*c*d", "[A-Z]*", "[a-z]*", "*/", "*\\?", "[\\!a]", "ab[c-e\\]f]g",
		"*/*", "?*", "*ba", "[[]", "[a-c-e]", "\\a\\b", "[!a-z]x", "x[[:upper:]]", "*ab*ab",
	};
	static const char *strs[] = {
		"", "a", "b", "abc", "ac", "a/c", "x.sh", "/usr/bin", "/usr/local/bin", "]", "-", "*", "\\", "[", "[a",
		"a[b", "Abc", "ABC", "9", "z", "Z", "a b", "=", "aabb", "abcd", "axbxcxd", "ba", "bba", "ab", "?", "!",
		"ab]g", "abeg", "abfg", "a-b", "e", "c", "d", "A", "xA", "xa", "abab", "aab",
	};
	for (size_t i = 0; i < sizeof pats / sizeof *pats; i++)
		for (size_t j = 0; j < sizeof strs / sizeof *strs; j++)
			for (int cf = 0; cf < 2; cf++) {
				bool want = fnmatch(pats[i], strs[j], cf ? FNM_CASEFOLD : 0) == 0;
				cr_assert_eq(gm(pats[i], strs[j], cf), want, "pattern \"%s\" on \"%s\" casefold %d: fnmatch says %d",
					     pats[i], strs[j], cf, want);
			}
}

Test(vm, glob_random_vs_fnmatch)
{
	static const char alpha[] = "ab*?[]!^-\\:/Aa.";
	uint64_t x = 0x9e3779b97f4a7c15ull;
	char pat[16], str[16];
	for (int it = 0; it < 40000; it++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int pl = (int)(x % 9), sl = (int)((x >> 8) % 9);
		for (int i = 0; i < pl; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			pat[i] = alpha[x % (sizeof alpha - 1)];
		}
		for (int i = 0; i < sl; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			str[i] = "abAB/-]:."[x % 9];
		}
		pat[pl] = str[sl] = 0;
		int cf = (int)(x >> 60) & 1;
		bool want = fnmatch(pat, str, cf ? FNM_CASEFOLD : 0) == 0;
		cr_assert_eq(gm(pat, str, cf), want, "pattern \"%s\" on \"%s\" casefold %d: fnmatch says %d", pat, str, cf, want);
	}
}

/* A value ends at its first NUL for glob as for fnmatch, also where the leading literal is
 * tested in line on the raw bytes (fc_glob_match): a NUL inside, at or after that literal. */
Test(vm, glob_value_with_nul)
{
	static const struct {
		const char *pat, *val;
		size_t len;
	} c[] = {
		{"/lib/*", "/lib/\0x", 7},  {"/lib/*", "/lib\0/x", 7},  {"/lib/x", "/lib/x\0y", 8},
		{"/lib/x*", "/lib/\0", 6}, {"/lib/", "/lib/\0", 6},    {"ab?", "ab\0c", 4},
		{"a*", "\0a", 2},          {"*", "\0", 1},             {"a", "a\0\0\0\0\0\0\0\0\0", 10},
	};
	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		size_t pl = strlen(c[i].pat);
		void *m = malloc(fc_glob_size(pl));
		bool got = fc_glob_match(fc_glob_compile(m, c[i].pat, pl, false), c[i].val, c[i].len);
		bool want = fnmatch(c[i].pat, c[i].val, 0) == 0; /* fnmatch stops at the NUL */
		cr_assert_eq(got, want, "pattern \"%s\" on case %zu: fnmatch says %d", c[i].pat, i, want);
		free(m);
	}
}

Test(vm, prefix_set_vs_naive)
{
	static const char *items[] = {"/etc/", "/usr/bin/", "/usr/", "/bin", "/b", "/opt/x/y", "/opt/x", "zz", "/etc/ssh/"};
	uint32_t lens[9];
	for (int i = 0; i < 9; i++)
		lens[i] = (uint32_t)strlen(items[i]);
	struct fc_prefixset *ps = fc_prefixset_new(9, items, lens);
	static const char *probes[] = {"/etc/passwd", "/etc", "/usr/lib", "/usr", "/bin/sh", "/b", "/a", "/opt/x",
				       "/opt/xyz", "zzz", "z", "", "/etc/ssh/x", "/c", "~"};
	for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
		bool want = false;
		for (int j = 0; j < 9; j++)
			want |= strncmp(probes[i], items[j], lens[j]) == 0;
		cr_assert_eq(fc_prefixset_has(ps, probes[i], strlen(probes[i])), want, "probe %s", probes[i]);
	}
	fc_prefixset_free(ps);
}

/* Components of P (split on '/', empty ones skipped) into C; returns the count. */
static int comps(const char *p, char c[][8], int max)
{
	int n = 0;
	while (*p && n < max) {
		while (*p == '/')
			p++;
		size_t l = strcspn(p, "/");
		if (!l)
			break;
		memcpy(c[n], p, l);
		c[n++][l] = 0;
		p += l;
	}
	return n;
}

/* pmatch with exact components only, against "some entry's components are a prefix of the
 * path's": nodes with up to 14 edges, so both of match_node's lookups (a scan of a few edges,
 * the binary search past 8) are taken. */
Test(vm, pmatch_exact_vs_naive)
{
	static const char *names[] = {"a", "b", "cc", "dd", "etc", "usr", "lib", "proc", "x1", "x2", "yy", "zzz", "w", "q"};
	uint64_t x = 0x2545f4914f6cdd1dull;
	char ent[24][32], probe[32], pc[8][8], ec[8][8];
	const char *es[24];
	uint32_t el[24];
	for (int round = 0; round < 400; round++) {
		int ne = 1 + (int)(x % 24);
		for (int i = 0; i < ne; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			int d = 1 + (int)(x % 3);
			ent[i][0] = 0;
			for (int k = 0; k < d; k++) {
				strcat(ent[i], "/");
				strcat(ent[i], names[(x >> (8 * k + 4)) % 14]);
			}
			es[i] = ent[i];
			el[i] = (uint32_t)strlen(ent[i]);
		}
		struct fc_pmatch *pm = fc_pmatch_new((uint32_t)ne, es, el);
		cr_assert_not_null(pm);
		for (int t = 0; t < 60; t++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			int d = (int)(x % 4);
			probe[0] = 0;
			for (int k = 0; k < d; k++) {
				strcat(probe, k % 2 ? "//" : "/");
				strcat(probe, names[(x >> (8 * k + 4)) % 14]);
			}
			int np = comps(probe, pc, 8);
			bool want = false;
			for (int i = 0; i < ne && !want; i++) {
				int n = comps(es[i], ec, 8), k = 0;
				while (k < n && k < np && !strcmp(ec[k], pc[k]))
					k++;
				want = k == n;
			}
			cr_assert_eq(fc_pmatch_has(pm, probe, strlen(probe)), want, "round %d probe %s", round, probe);
		}
		fc_pmatch_free(pm);
	}
}
