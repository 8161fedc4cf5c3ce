/* test_backend.c — the back end (compiler/backend.h, ir.h): lowering of each operator and type,
 * `not` and missing-value wiring, every optimiser pass on and off, CSE across rules, the
 * long-jump split, determinism, and the bundle's header and section layout parsed from the
 * bytes. The optimiser is also checked differentially: a small reference interpreter of the
 * bytecode (written here from opcodes.def's semantics) runs the unoptimised and the optimised
 * code of the same rules over thousands of synthetic events, which must agree rule by rule. */
#include <criterion/criterion.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "backend.h"
#include "ir.h"
#include "rulesrc.h"

/* ---- fixtures ----------------------------------------------------------------------------- */

struct env {
	struct fc_arena arena;
	struct fc_diags diags;
	struct fc_ruleset rs;
	struct fc_compiled comp;
	bool ok;
};

static struct env *build_named(const char *name, const char *yaml, size_t len)
{
	struct env *e = calloc(1, sizeof(*e));
	fc_diags_init(&e->diags, &e->arena);
	fc_ruleset_init(&e->rs, &e->arena, &e->diags);
	e->diags.file = name;
	fc_ruleset_load_text(&e->rs, name, yaml, len);
	e->ok = fc_compile(&e->rs, &e->comp) && e->diags.nerrors == 0;
	if (!e->ok)
		for (const struct fc_diag *d = e->diags.head; d; d = d->next)
			fc_diag_print(stderr, d, false);
	return e;
}

static struct env *build(const char *yaml)
{
	return build_named("t.yaml", yaml, strlen(yaml));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)n + 1);
	cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return p;
}

static struct env *build_file(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", FC_SOURCE_DIR, rel);
	size_t len;
	char *text = slurp(path, &len);
	struct env *e = build_named(rel, text, len);
	free(text);
	return e;
}

static void done(struct env *e)
{
	fc_ruleset_free(&e->rs);
	fc_arena_free(&e->arena);
	free(e);
}

#define RULE(name, cond)                                                                        \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o %proc.name\n  priority: WARNING\n" \
	"  warn_evttypes: false\n"

/* The whole back end but the writer, kept for inspection. */
struct pipe {
	struct ir_mod m;
	struct ir_out o;
};

static void run_pipe(struct env *e, uint32_t passes, struct pipe *p)
{
	ir_mod_init(&p->m, &e->comp, passes);
	cr_assert(ir_lower(&p->m), "lowering failed");
	ir_opt_tree(&p->m);
	ir_build_graphs(&p->m);
	ir_opt_graph(&p->m);
	cr_assert(ir_emit(&p->m, &p->o), "emission failed");
}

static void pipe_free(struct pipe *p)
{
	ir_out_free(&p->o);
	ir_mod_free(&p->m);
}

/* `falcoc dump` output of STAGE as a string (caller frees). */
static char *dump(struct env *e, uint32_t passes, enum fc_dump_stage st, const char *rule)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fc_backend_opts o = {.passes = passes};
	cr_assert(fc_backend_dump(&e->comp, &o, st, rule, f));
	fclose(f);
	return buf;
}

/* Dumps one condition at a stage. */
static char *cond_dump(const char *cond, uint32_t passes, enum fc_dump_stage st)
{
	struct fc_buf y = {0};
	fc_buf_puts(&y, "- rule: r\n  desc: d\n  condition: ");
	fc_buf_puts(&y, cond);
	fc_buf_puts(&y, "\n  output: o %proc.name\n  priority: WARNING\n  warn_evttypes: false\n");
	struct env *e = build(y.p);
	fc_buf_free(&y);
	cr_assert(e->ok, "did not compile: %s", cond);
	char *d = dump(e, passes, st, NULL);
	done(e);
	return d;
}

static unsigned count_lines_with(const char *s, const char *needle)
{
	unsigned n = 0;
	for (const char *l = s; l && *l;) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);
		char tmp[4096];
		snprintf(tmp, sizeof tmp, "%.*s", (int)(len < sizeof tmp - 1 ? len : sizeof tmp - 1), l);
		n += strstr(tmp, needle) != NULL;
		l = eol ? eol + 1 : NULL;
	}
	return n;
}

#define HAS(s, needle) cr_assert(strstr((s), (needle)), "expected `%s` in:\n%s", (needle), (s))
#define HASNT(s, needle) cr_assert(!strstr((s), (needle)), "unexpected `%s` in:\n%s", (needle), (s))

/* Number of blocks of the only rule's program at the opt stage (from the dump header). */
static unsigned blocks_of(const char *d)
{
	const char *p = strstr(d, "rule 'r' (");
	cr_assert(p, "no rule in:\n%s", d);
	return (unsigned)strtoul(p + strlen("rule 'r' ("), NULL, 10);
}

/* ---- lowering ------------------------------------------------------------------------------ */

Test(lower, operators_and_types)
{
	static const struct {
		const char *cond, *expect;
	} cases[] = {
		{"proc.name = bash", "proc.name eq.s \"bash\""},
		{"proc.name == bash", "proc.name eq.s \"bash\""},
		{"proc.name != bash", "proc.name ne.s \"bash\""},
		{"proc.cmdline contains curl", "proc.cmdline contains \"curl\""},
		{"proc.name icontains Bash", "proc.name iglob \"*Bash*\""},
		{"proc.name icontains \"a*b\"", "proc.name iglob \"*a\\\\*b*\""},
		{"fd.name startswith /etc", "fd.name startswith \"/etc\""},
		{"fd.name endswith .conf", "fd.name endswith \".conf\""},
		{"fd.name glob \"/etc/*\"", "fd.name glob \"/etc/*\""},
		{"fd.name iglob \"/ETC/*\"", "fd.name iglob \"/ETC/*\""},
		{"proc.name regex \"ab+c\"", "proc.name regex \"ab+c\""},
		{"proc.name in (b, a, b)", "proc.name in.s (\"a\", \"b\")"},
		{"proc.name intersects (a)", "proc.name in.s (\"a\")"},
		{"fd.name pmatch (/etc, /usr)", "fd.name pmatch (\"/etc\", \"/usr\")"},
		{"proc.pid > 1", "proc.pid gt.i 1"},
		{"proc.pid <= -5", "proc.pid le.i -5"},
		{"user.uid < 5", "user.uid lt.u 5"},
		{"user.uid = -1", "user.uid eq 4294967295"},
		{"proc.vmsize >= 10", "proc.vmsize ge.u 10"},
		{"proc.fdusage > 3", "proc.fdusage gt.d 3"},
		{"evt.rawres < 0", "evt.rawres lt.i 0"},
		{"evt.is_open_write = true", "evt.is_open_write eq 1"},
		{"evt.is_open_write = false", "evt.is_open_write eq 0"},
		{"proc.pid in (3, 1, 2)", "proc.pid in.n (1, 2, 3)"},
		{"fd.sport = ssh", "fd.sport eq 22"},
		{"fd.sport in (80, ssh)", "fd.sport in.n (22, 80)"},
		{"fd.sip = 10.0.0.1", "fd.sip eq.ip 10.0.0.1"},
		{"fd.sip != ::1", "fd.sip ne.ip ::1"},
		{"fd.sip in (10.0.0.2, 10.0.0.1)", "fd.sip in.ip (10.0.0.1, 10.0.0.2)"},
		{"fd.net = 10.1.2.3/16", "fd.net in.net 10.1.0.0/16"},
		{"fd.snet in (192.168.0.0/16, fe80::/10)", "fd.snet in.ip (192.168.0.0/16, fe80::/10)"},
		{"evt.buffer bcontains 414243", "evt.buffer contains \"ABC\""},
		{"evt.buffer bstartswith 00ff", "evt.buffer startswith \"\\x00\\xff\""},
		{"fd.types in (file, ipv4)", "fd.types list.in (\"file\", \"ipv4\")"},
		{"fd.types intersects (file)", "fd.types list.isect (\"file\")"},
		{"proc.name exists", "proc.name exists"},
		{"proc.name = val(proc.pname)", "proc.name fcmp.eq proc.pname"},
		{"proc.name startswith val(proc.pname)", "proc.name fcmp.startswith proc.pname"},
		{"tolower(proc.name) = bash", "tolower(proc.name) eq.s \"bash\""},
		{"len(proc.args) > 3", "len(proc.args) gt.u 3"},
		{"proc.name startswith anyof (a, b)", "proc.name smod.startswith.anyof (\"a\", \"b\")"},
		{"proc.name = oneof (a, b)", "proc.name smod.eq.oneof (\"a\", \"b\")"},
		{"proc.name != allof (a, b)", "proc.name smod.ne.allof (\"a\", \"b\")"},
		{"proc.name icontains anyof (A)", "proc.name smod.iglob.anyof (\"*A*\")"},
		{"evt.type = open", "evt.type eq.s \"open\""},
		{"evt.type in (open, close)", "evt.type in.s (\"close\", \"open\")"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *d = cond_dump(cases[i].cond, 0, FC_DUMP_IR);
		cr_assert(strstr(d, cases[i].expect), "`%s`: expected `%s` in:\n%s", cases[i].cond, cases[i].expect, d);
		free(d);
	}
}

Test(lower, slots_are_typed_and_deduplicated)
{
	struct env *e = build(RULE("r", "proc.name = a and proc.name = b and tolower(proc.name) = c and proc.aname = x "
				   "and proc.aname[2] = y and fd.types intersects (file) and concat(proc.name, \"-\", proc.pname) = z"));
	cr_assert(e->ok);
	struct pipe p;
	run_pipe(e, 0, &p);
	const struct ir_pools *P = &p.m.p;
	int name = -1, lower = -1, aname = -1, aname2 = -1, types = -1, concat = -1, pname = -1;
	for (uint32_t i = 0; i < P->nslot; i++) {
		const char *t = ir_strp(P, P->slots[i].text, NULL);
		if (!strcmp(t, "proc.name"))
			name = (int)i;
		else if (!strcmp(t, "tolower(proc.name)"))
			lower = (int)i;
		else if (!strcmp(t, "proc.aname"))
			aname = (int)i;
		else if (!strcmp(t, "proc.aname[2]"))
			aname2 = (int)i;
		else if (!strcmp(t, "fd.types"))
			types = (int)i;
		else if (!strcmp(t, "concat(proc.name, -, proc.pname)"))
			concat = (int)i;
		else if (!strcmp(t, "proc.pname"))
			pname = (int)i;
	}
	cr_assert(name >= 0 && lower >= 0 && aname >= 0 && aname2 >= 0 && types >= 0 && concat >= 0 && pname >= 0);
	/* one slot per canonical text, arguments of transformers before them */
	unsigned nname = 0;
	for (uint32_t i = 0; i < P->nslot; i++)
		nname += !strcmp(ir_strp(P, P->slots[i].text, NULL), "proc.name");
	cr_assert_eq(nname, 1);
	const struct ir_slot *l = &P->slots[lower];
	cr_assert_eq(l->kind, FC_SK_XF);
	cr_assert_eq(l->xf, FC_XF_TOLOWER);
	cr_assert_eq(l->n, 1);
	cr_assert_eq(P->sargs[l->first], (uint32_t)name);
	cr_assert_lt(name, lower);
	cr_assert_eq(P->slots[aname].sflags, FC_SLF_ANCESTORS);
	cr_assert_eq(P->slots[aname2].sflags, 0);
	cr_assert_eq(P->slots[types].sflags & FC_SLF_LIST, FC_SLF_LIST);
	cr_assert_str_eq(ir_strp(P, P->slots[aname2].name, NULL), "proc.aname");
	cr_assert_str_eq(ir_strp(P, P->slots[aname2].arg, NULL), "2");
	cr_assert_eq(P->slots[name].arg, FC_NONE);
	const struct ir_slot *c = &P->slots[concat];
	cr_assert_eq(c->n, 3);
	cr_assert_eq(P->sargs[c->first], (uint32_t)name);
	cr_assert(P->sargs[c->first + 1] & FC_ARG_STR);
	cr_assert_str_eq(ir_strp(P, P->sargs[c->first + 1] & ~FC_ARG_STR, NULL), "-");
	cr_assert_eq(P->sargs[c->first + 2], (uint32_t)pname);
	cr_assert_eq(c->vtype, PT_CHARBUF);
	/* the final pools keep the argument order too */
	for (uint32_t i = 0; i < p.o.p.nslot; i++) {
		const struct ir_slot *s = &p.o.p.slots[i];
		for (uint32_t k = 0; k < s->n; k++) {
			uint32_t a = p.o.p.sargs[s->first + k];
			if (!(a & FC_ARG_STR))
				cr_assert_lt(a, i);
		}
	}
	pipe_free(&p);
	done(e);
}

Test(lower, not_and_missing_semantics)
{
	/* not swaps successors: true when the value is missing */
	char *d = cond_dump("not proc.name = bash", 0, FC_DUMP_IR);
	HAS(d, "proc.name eq.s \"bash\"");
	HAS(d, "t:ret0 f:ret1");
	free(d);
	/* != is its own test: false when missing */
	d = cond_dump("proc.name != bash", 0, FC_DUMP_IR);
	HAS(d, "t:ret1 f:ret0");
	free(d);
	/* != on a network: exists, then not inside */
	d = cond_dump("fd.net != 10.0.0.0/8", 0, FC_DUMP_IR);
	HAS(d, "fd.net exists");
	HAS(d, "fd.net in.net 10.0.0.0/8");
	cr_assert_eq(count_lines_with(d, "t:ret0 f:ret1"), 1, "%s", d);
	cr_assert_eq(count_lines_with(d, "exists"), 1, "%s", d);
	HAS(d, "t:b1 f:ret0");
	free(d);
	/* and: false exits early; or: true exits early */
	d = cond_dump("proc.name = a and proc.pname = b", 0, FC_DUMP_IR);
	HAS(d, "b0   proc.name eq.s \"a\"");
	HAS(d, "t:b1 f:ret0");
	free(d);
	d = cond_dump("proc.name = a or proc.pname = b", 0, FC_DUMP_IR);
	HAS(d, "t:ret1 f:b1");
	free(d);
	/* not (a or b): both successors swapped */
	d = cond_dump("not (proc.name = a or proc.pname = b)", 0, FC_DUMP_IR);
	HAS(d, "t:ret0 f:b1");
	HAS(d, "t:ret0 f:ret1");
	free(d);
	/* numeric modifiers: an or of tests; exactly one: each test with the others negated */
	d = cond_dump("proc.pid = oneof (1, 2)", 0, FC_DUMP_IR);
	cr_assert_eq(count_lines_with(d, "proc.pid eq"), 4, "%s", d);
	free(d);
}

Test(lower, positions_of_tests)
{
	struct env *e = build("- macro: m\n  condition: proc.pname = x\n"
			      "- rule: r\n  desc: d\n  condition: >\n    proc.name = a\n    and m\n"
			      "  output: o\n  priority: INFO\n  warn_evttypes: false\n");
	cr_assert(e->ok);
	char *d = dump(e, 0, FC_DUMP_IR, NULL);
	HAS(d, "proc.name eq.s \"a\"");
	HAS(d, "; t.yaml:6:5"); /* the field token of the rule's own test */
	HAS(d, "; t.yaml:2:14"); /* the macro's test maps into the macro */
	free(d);
	d = dump(e, FC_OPT_ALL, FC_DUMP_BC, NULL);
	HAS(d, "; t.yaml:6");
	HAS(d, "; t.yaml:2");
	free(d);
	done(e);
}

/* ---- passes on and off ---------------------------------------------------------------------- */

Test(passes, fold)
{
	char *on = cond_dump("proc.name = a and not evt.num = 0", FC_OPT_FOLD | FC_OPT_DEAD, FC_DUMP_OPT);
	char *off = cond_dump("proc.name = a and not evt.num = 0", FC_OPT_DEAD, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(on), 1, "%s", on);
	HASNT(on, "evt.num");
	cr_assert_eq(blocks_of(off), 2, "%s", off);
	HAS(off, "evt.num eq 0");
	free(on);
	free(off);
	/* evt.num >= 1 and != 0 are always true; unavailable fields always missing */
	on = cond_dump("evt.num >= 1 and evt.num != 0 and proc.name = a", FC_OPT_ALL, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(on), 1, "%s", on);
	free(on);
	on = cond_dump("proc.name = a or evt.pluginname = x", FC_OPT_ALL, FC_DUMP_OPT);
	HASNT(on, "evt.pluginname");
	free(on);
	/* unsigned >= 0 is a presence test */
	on = cond_dump("proc.vmsize >= 0", FC_OPT_ALL, FC_DUMP_OPT);
	HAS(on, "proc.vmsize exists");
	free(on);
	/* contradictory tests on one slot along a path */
	on = cond_dump("proc.name = a and proc.pname = x and proc.name = b", FC_OPT_FOLD, FC_DUMP_OPT);
	HAS(on, "t:ret0 f:ret0");
	free(on);
	on = cond_dump("proc.name = a and proc.pname = x and proc.name = b", FC_OPT_FOLD | FC_OPT_DEAD, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(on), 0, "%s", on);
	HAS(on, "entry ret0");
	free(on);
	/* a test implied by an earlier one on the path */
	on = cond_dump("proc.name in (a, b) and proc.name startswith a", FC_OPT_FOLD | FC_OPT_DEAD, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(on), 2, "%s", on);
	free(on);
	on = cond_dump("proc.name = a and proc.name startswith a", FC_OPT_FOLD | FC_OPT_DEAD, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(on), 1, "%s", on);
	free(on);
	/* duplicate tests */
	on = cond_dump("(proc.name = a or proc.pname = b) and (proc.name = a or proc.pname = b)", FC_OPT_FOLD, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(on), 2, "%s", on);
	free(on);
	/* event-type sets intersected along a path */
	on = cond_dump("evt.type in (open, openat) and proc.name = a and evt.type = execve",
		       FC_OPT_EVTYPE | FC_OPT_FOLD | FC_OPT_DEAD, FC_DUMP_OPT);
	HAS(on, "entry ret0"); /* sibling bitsets meet in the tree already */
	free(on);
	on = cond_dump("evt.type in (open, openat) and (proc.name = a or evt.type = execve)",
		       FC_OPT_EVTYPE | FC_OPT_FOLD | FC_OPT_DEAD, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(on), 2, "%s", on);
	HASNT(on, "execve");
	free(on);
	on = cond_dump("evt.type in (open, openat) and (proc.name = a or evt.type = open)",
		       FC_OPT_EVTYPE | FC_OPT_FOLD | FC_OPT_DEAD, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(on), 3, "%s", on);
	free(on);
}

Test(passes, dead)
{
	/* fold alone leaves the decided block behind, unreachable; dead removes it */
	const char *c = "proc.name = a and proc.name = b";
	char *f = cond_dump(c, FC_OPT_FOLD, FC_DUMP_OPT), *fd = cond_dump(c, FC_OPT_FOLD | FC_OPT_DEAD, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(f), 2, "%s", f);
	cr_assert_eq(blocks_of(fd), 0, "%s", fd);
	free(f);
	free(fd);
	/* identical blocks merge */
	c = "(proc.name = a and proc.exe = x) or (proc.name = b and proc.exe = x)";
	char *d = cond_dump(c, FC_OPT_FOLD | FC_OPT_DEAD, FC_DUMP_OPT), *n = cond_dump(c, FC_OPT_FOLD, FC_DUMP_OPT);
	cr_assert_eq(blocks_of(n), 4, "%s", n);
	cr_assert_eq(blocks_of(d), 3, "%s", d);
	cr_assert_eq(count_lines_with(d, "proc.exe eq.s"), 1, "%s", d);
	free(d);
	free(n);
	/* unreachable blocks are never emitted (one placed before the entry would run first);
	 * dead also removes the test whose successors agree */
	struct env *e = build(RULE("r", "proc.name = a and proc.name = b"));
	struct pipe p1, p2;
	run_pipe(e, FC_OPT_FOLD, &p1);
	run_pipe(e, FC_OPT_FOLD | FC_OPT_DEAD, &p2);
	cr_assert_eq(p1.o.ncode, 2); /* proc.name = a (both ways to ret0), ret0 */
	cr_assert_eq(p1.o.code[0].op, FC_OPC_EQ_S);
	cr_assert_eq(p1.o.code[1].op, FC_OPC_RET);
	cr_assert_eq(p2.o.ncode, 1); /* ret 0 */
	cr_assert_eq(p2.o.code[0].op, FC_OPC_RET);
	cr_assert_eq(p2.o.code[0].k, 0);
	pipe_free(&p1);
	pipe_free(&p2);
	done(e);
	/* a dead test jumping into live code (the constant-false kid decides the `and`): the
	 * program still starts with the entry, here the test of proc.name */
	e = build(RULE("r", "(proc.pid = oneof () and proc.ppid = 1) or proc.name = x"));
	run_pipe(e, 0, &p1);
	cr_assert_eq(p1.o.ncode, 3, "proc.name = x, ret1, ret0");
	cr_assert_eq(p1.o.code[0].op, FC_OPC_EQ_S);
	pipe_free(&p1);
	done(e);
}

Test(passes, sets)
{
	const char *c = "proc.name = a or proc.pname = x or proc.name in (c, b) or proc.name = anyof (d)";
	char *on = cond_dump(c, FC_OPT_SETS, FC_DUMP_OPT), *off = cond_dump(c, 0, FC_DUMP_OPT);
	HAS(on, "proc.name in.s (\"a\", \"b\", \"c\", \"d\")");
	cr_assert_eq(blocks_of(on), 2, "%s", on);
	cr_assert_eq(blocks_of(off), 4, "%s", off);
	HAS(off, "smod.eq.anyof");
	free(on);
	free(off);
	/* negated members under and: not in */
	on = cond_dump("not proc.name = a and not proc.name = b", FC_OPT_SETS, FC_DUMP_OPT);
	HAS(on, "proc.name in.s (\"a\", \"b\")");
	HAS(on, "t:ret0 f:ret1");
	free(on);
	on = cond_dump("proc.pid = 1 or proc.pid in (2, 3)", FC_OPT_SETS, FC_DUMP_OPT);
	HAS(on, "proc.pid in.n (1, 2, 3)");
	free(on);
	on = cond_dump("fd.sip = 10.0.0.1 or fd.sip = 10.0.0.2", FC_OPT_SETS, FC_DUMP_OPT);
	HAS(on, "fd.sip in.ip (10.0.0.1, 10.0.0.2)");
	free(on);
	on = cond_dump("proc.name in (a)", FC_OPT_SETS, FC_DUMP_OPT);
	HAS(on, "proc.name eq.s \"a\"");
	free(on);
	on = cond_dump("proc.pid = anyof (1, 2)", FC_OPT_SETS, FC_DUMP_OPT);
	HAS(on, "proc.pid in.n (1, 2)");
	free(on);
}

Test(passes, tries)
{
	const char *c = "fd.name startswith /etc or fd.name startswith /usr/ or fd.name startswith /etc/ssh";
	char *on = cond_dump(c, FC_OPT_TRIES, FC_DUMP_OPT), *off = cond_dump(c, 0, FC_DUMP_OPT);
	HAS(on, "fd.name prefix (\"/etc\", \"/usr/\")"); /* /etc/ssh is covered by /etc */
	cr_assert_eq(blocks_of(on), 1);
	cr_assert_eq(blocks_of(off), 3);
	free(on);
	free(off);
	on = cond_dump("fd.name startswith anyof (/b, /a)", FC_OPT_TRIES, FC_DUMP_OPT);
	HAS(on, "fd.name prefix (\"/a\", \"/b\")");
	free(on);
	off = cond_dump("fd.name startswith anyof (/b, /a)", FC_OPT_SETS, FC_DUMP_OPT);
	HAS(off, "smod.startswith.anyof");
	free(off);
}

Test(passes, icase)
{
	char *on = cond_dump("proc.name icontains BaSh", FC_OPT_ICASE, FC_DUMP_OPT);
	char *off = cond_dump("proc.name icontains BaSh", 0, FC_DUMP_OPT);
	HAS(on, "proc.name icontains \"bash\"");
	HAS(off, "proc.name iglob \"*BaSh*\"");
	free(on);
	free(off);
	on = cond_dump("proc.name icontains \"1-2\"", FC_OPT_ICASE, FC_DUMP_OPT);
	HAS(on, "proc.name contains \"1-2\""); /* no letters: plain contains */
	free(on);
	on = cond_dump("proc.name iglob \"*Ab\"", FC_OPT_ICASE, FC_DUMP_OPT);
	HAS(on, "proc.name iglob \"*Ab\"");
	free(on);
	on = cond_dump("proc.name icontains anyof (Ab, C)", FC_OPT_ICASE, FC_DUMP_OPT);
	HAS(on, "smod.icontains.anyof (\"ab\", \"c\")");
	free(on);
}

Test(passes, regex_literal)
{
	char *on = cond_dump("proc.cmdline regex \".*curl.+http://[a-z]+\"", FC_OPT_REGEX, FC_DUMP_OPT);
	HAS(on, "[literal \"http://\"]");
	free(on);
	char *off = cond_dump("proc.cmdline regex \".*curl.+http://[a-z]+\"", 0, FC_DUMP_OPT);
	HASNT(off, "literal");
	free(off);
	static const struct {
		const char *re, *lit;
	} cases[] = {
		{"abc", "abc"},         {"ab?c", "a"},          {"ab*cd", "cd"},       {"ab+c", "ab"},
		{"(x|y)zz", "zz"},      {"a|b", ""},            {"(?i)abc", ""},       {"\\d+foo", "foo"},
		{"a\\.b", "a.b"},       {"x{0,2}yy", "yy"},     {"x{2}y", "x"},        {"[abc]+def", "def"},
		{"\\x41bc", ""},        {"é+x", "é"},           {"ab{", "ab{"},        {"^/usr/bin/.*", "/usr/bin/"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];
		size_t n = ir_regex_literal(cases[i].re, strlen(cases[i].re), out, sizeof out);
		cr_assert_eq(n, strlen(cases[i].lit), "%s: got %zu", cases[i].re, n);
		cr_assert(!memcmp(out, cases[i].lit, n), "%s: got %.*s", cases[i].re, (int)n, out);
	}
}

Test(passes, evtype)
{
	char *on = cond_dump("evt.type in (open, openat) and proc.name = a", FC_OPT_EVTYPE, FC_DUMP_OPT);
	char *off = cond_dump("evt.type in (open, openat) and proc.name = a", 0, FC_DUMP_OPT);
	HAS(on, "evtype {open,openat}");
	HAS(off, "evt.type in.s (\"open\", \"openat\")");
	free(on);
	free(off);
	/* != and not: the same bitset, successors swapped */
	on = cond_dump("evt.type != open", FC_OPT_EVTYPE, FC_DUMP_OPT);
	HAS(on, "evtype {open}");
	HAS(on, "t:ret0 f:ret1");
	free(on);
	/* a name known only as a syscall: the generic bitset and-ed with the string test */
	on = cond_dump("evt.type in (open, getpid)", FC_OPT_EVTYPE, FC_DUMP_OPT);
	HAS(on, "evtype {open}");
	HAS(on, "evtype {syscall}");
	HAS(on, "evt.type eq.s \"getpid\"");
	free(on);
	/* syscall.type: the bitset only pre-checks */
	on = cond_dump("syscall.type = open", FC_OPT_EVTYPE, FC_DUMP_OPT);
	HAS(on, "evtype {open}");
	HAS(on, "syscall.type eq.s \"open\"");
	free(on);
	/* sibling bitsets merge */
	on = cond_dump("evt.type = open or evt.type = close", FC_OPT_EVTYPE, FC_DUMP_OPT);
	HAS(on, "evtype {close,open}");
	free(on);
}

Test(passes, cse_shares_macros_across_rules)
{
	const char *y = "- macro: spawned\n  condition: (evt.type in (execve, execveat) and evt.res = SUCCESS)\n"
			"- macro: shell\n  condition: proc.name in (bash, sh)\n"
			"- rule: r1\n  desc: d\n  condition: spawned and shell and proc.tty != 0\n  output: o\n  priority: INFO\n"
			"- rule: r2\n  desc: d\n  condition: spawned and proc.pname = sshd\n  output: o\n  priority: INFO\n"
			"- rule: r3\n  desc: d\n  condition: spawned and not shell\n  output: o\n  priority: INFO\n";
	struct env *e = build(y);
	cr_assert(e->ok);
	struct pipe on, off;
	run_pipe(e, FC_OPT_ALL, &on);
	run_pipe(e, FC_OPT_ALL & ~FC_OPT_CSE, &off);
	cr_assert_eq(on.m.nsubs, 1, "one shared program: the spawned macro");
	cr_assert_eq(off.m.nsubs, 0);
	cr_assert_eq(on.o.progs[0].kind, FC_PK_SUB);
	/* every rule calls it */
	for (uint32_t r = 0; r < on.m.nrules; r++) {
		const struct ir_oprog *pr = &on.o.progs[on.m.rules[r].prog];
		bool calls = false;
		for (uint32_t i = pr->start; i < pr->start + pr->len; i++)
			calls |= on.o.code[i].op == FC_OPC_SUB && on.o.code[i].k == 0;
		cr_assert(calls, "rule %u does not call the shared program", r);
		cr_assert_eq(pr->depth, 2);
	}
	cr_assert_eq(on.o.progs[0].depth, 1);
	pipe_free(&on);
	pipe_free(&off);
	char *d = dump(e, FC_OPT_ALL, FC_DUMP_OPT, "r2");
	HAS(d, "prog 0 sub");
	HAS(d, "rule 'r2'");
	HASNT(d, "rule 'r1'");
	free(d);
	done(e);
}

Test(passes, cse_nested_subs_are_numbered_callees_first)
{
	const char *y = "- macro: a\n  condition: (proc.name = x and proc.pname = y)\n"
			"- macro: b\n  condition: (a or fd.name = z)\n"
			"- rule: r1\n  desc: d\n  condition: evt.type = open and b\n  output: o\n  priority: INFO\n"
			"- rule: r2\n  desc: d\n  condition: evt.type = close and b\n  output: o\n  priority: INFO\n"
			"- rule: r3\n  desc: d\n  condition: evt.type = read and a\n  output: o\n  priority: INFO\n";
	struct env *e = build(y);
	struct pipe p;
	run_pipe(e, FC_OPT_ALL, &p);
	cr_assert_eq(p.m.nsubs, 2);
	/* the inner one (a) is program 0 and program 1 (b) calls it */
	bool calls = false;
	for (uint32_t i = p.o.progs[1].start; i < p.o.progs[1].start + p.o.progs[1].len; i++)
		calls |= p.o.code[i].op == FC_OPC_SUB && p.o.code[i].k == 0;
	cr_assert(calls);
	cr_assert_eq(p.o.progs[1].depth, 2);
	pipe_free(&p);
	done(e);
}

/* ---- long jumps ------------------------------------------------------------------------------ */

Test(emit, long_jumps_are_split)
{
	struct env *e = build(RULE("r", "(proc.name = a or proc.name = b or proc.name = c or proc.name = d or "
				   "proc.name = e or proc.name = f) and (proc.pname = a or proc.pname = b or proc.pname = c)"));
	struct pipe p;
	ir_jump_limit = 4;
	run_pipe(e, 0, &p);
	ir_jump_limit = 0xFFFF;
	for (uint32_t i = 0; i < p.o.ncode; i++)
		if (p.o.code[i].op != FC_OPC_RET) {
			cr_assert_leq(p.o.code[i].jt, 4);
			cr_assert_leq(p.o.code[i].jf, 4);
		}
	bool tramp = false;
	for (uint32_t i = 0; i < p.o.ncode; i++)
		tramp |= p.o.code[i].op == FC_OPC_EVTYPE;
	cr_assert(tramp, "expected a trampoline");
	pipe_free(&p);
	done(e);
}

/* ---- a reference interpreter for the differential checks ----------------------------------- */

struct tval {
	int kind; /* 0 missing, 1 bytes, 2 number, 3 list of bytes (ancestors, fd.types) */
	char s[4][80];
	uint32_t len[4], n;
	uint64_t u;
};

struct corpus {
	char **str;
	uint32_t *len, nstr;
	uint64_t *num;
	uint32_t nnum;
};

struct event {
	uint64_t seed;
	unsigned code;
	char evtname[40];
};

struct vm {
	const struct ir_out *o;
	const struct corpus *c;
	const struct event *ev;
	struct tval *vals;
	bool *have;
	int *sub;
};

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t hstr(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h ? h : 1;
}

static void gen_str(const struct corpus *c, uint64_t *r, char *out, uint32_t *len)
{
	const char *base = "zz";
	uint32_t bl = 2;
	if (c->nstr) {
		uint32_t i = (uint32_t)(xs(r) % c->nstr);
		base = c->str[i];
		bl = c->len[i] > 60 ? 60 : c->len[i];
	}
	switch (xs(r) % 7) {
	case 0: snprintf(out, 80, "%.*s/x", (int)bl, base); break;
	case 1: snprintf(out, 80, "x%.*s", (int)bl, base); break;
	case 2:
		snprintf(out, 80, "%.*s", (int)bl, base);
		for (char *p = out; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		break;
	case 3: snprintf(out, 80, "%.*s", (int)(bl ? bl - 1 : 0), base); break;
	default: memcpy(out, base, bl); out[bl] = 0; *len = bl; return;
	}
	*len = (uint32_t)strlen(out);
}

/* A slot's value for the event: a function of the slot's text and the event only, so two
 * bundles of the same rules see the same values. */
static void gen_value(struct vm *x, uint32_t slot, struct tval *v)
{
	const struct ir_slot *s = &x->o->p.slots[slot];
	const char *text = ir_strp(&x->o->p, s->text, NULL);
	uint64_t r = x->ev->seed ^ hstr(text);
	xs(&r);
	memset(v, 0, sizeof(*v));
	if (!strcmp(text, "evt.type")) {
		v->kind = 1;
		v->len[0] = (uint32_t)strlen(x->ev->evtname);
		memcpy(v->s[0], x->ev->evtname, v->len[0]);
		return;
	}
	if (!strcmp(text, "syscall.type")) {
		if (fc_events[x->ev->code].flags & FC_EF_TP)
			return;
		v->kind = 1;
		v->len[0] = (uint32_t)strlen(x->ev->evtname);
		memcpy(v->s[0], x->ev->evtname, v->len[0]);
		return;
	}
	if (!strcmp(text, "evt.num")) {
		v->kind = 2;
		v->u = 1 + xs(&r) % 5;
		return;
	}
	if (xs(&r) % 100 < 12)
		return; /* missing */
	const struct fc_field *f = fc_field_by_name(ir_strp(&x->o->p, s->name, NULL));
	if (s->kind == FC_SK_FIELD && f && (f->flags & FC_FF_UNAVAILABLE))
		return;
	switch (s->vtype) {
	case PT_CHARBUF: case PT_FSPATH: case PT_FSRELPATH: case PT_BYTEBUF: {
		bool list = s->sflags & (FC_SLF_ANCESTORS | FC_SLF_LIST);
		v->n = list ? 1 + (uint32_t)(xs(&r) % 3) : 1;
		v->kind = list ? 3 : 1;
		for (uint32_t i = 0; i < v->n; i++)
			gen_str(x->c, &r, v->s[i], &v->len[i]);
		return;
	}
	case PT_IPV4ADDR: case PT_IPADDR: case PT_IPNET: case PT_IPV4NET: {
		v->kind = 1;
		v->len[0] = 4;
		/* addresses from the corpus records (4 bytes, or a network's address part) */
		for (int tries = 0; tries < 8; tries++) {
			uint32_t i = x->c->nstr ? (uint32_t)(xs(&r) % x->c->nstr) : 0;
			if (x->c->nstr && x->c->len[i] == 4) {
				memcpy(v->s[0], x->c->str[i], 4);
				return;
			}
			if (x->c->nstr && x->c->len[i] == 6 && x->c->str[i][0] == 4) {
				memcpy(v->s[0], x->c->str[i] + 2, 4);
				v->s[0][3] = (char)(xs(&r) & 1);
				return;
			}
		}
		v->s[0][0] = 10;
		v->s[0][3] = (char)(xs(&r) % 4);
		return;
	}
	default: {
		v->kind = 2;
		uint64_t base = x->c->nnum ? x->c->num[xs(&r) % x->c->nnum] : 0;
		int d = (int)(xs(&r) % 3) - 1;
		v->u = xs(&r) % 5 == 0 ? xs(&r) % 4 : base + (uint64_t)(int64_t)d;
		if (s->sflags & FC_SLF_ANCESTORS) { /* numbers of ancestors: one element is enough here */
			v->kind = 2;
		}
		if (s->vtype == PT_DOUBLE) {
			double dd = (double)(int64_t)v->u;
			if (xs(&r) % 2 && x->c->nnum)
				memcpy(&dd, &base, sizeof dd);
			memcpy(&v->u, &dd, sizeof dd);
		}
		return;
	}
	}
}

static const struct tval *value(struct vm *x, uint32_t slot)
{
	if (!x->have[slot]) {
		gen_value(x, slot, &x->vals[slot]);
		x->have[slot] = true;
	}
	return &x->vals[slot];
}

static bool has_ci(const char *h, uint32_t hn, const char *n, uint32_t nn)
{
	for (uint32_t i = 0; i + nn <= hn; i++) {
		uint32_t j = 0;
		while (j < nn && (h[i + j] | 0x20) == (n[j] | 0x20) &&
		       ((h[i + j] >= 'A' && h[i + j] <= 'Z') || (h[i + j] >= 'a' && h[i + j] <= 'z') || h[i + j] == n[j]))
			j++;
		if (j == nn)
			return true;
	}
	return nn == 0;
}

static bool re_match(const char *pat, uint32_t pn, const char *lit, uint32_t ln, const char *v, uint32_t vn)
{
	if (lit && !memmem(v, vn, lit, ln) && ln)
		return false;
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, pn, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED |
						   PCRE2_ENDANCHORED, &ec, &eo, NULL);
	cr_assert(re);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)v, vn, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc >= 0;
}

static bool str_op(uint8_t bop, const char *k, uint32_t kn, const char *v, uint32_t vn)
{
	char a[256], b[256];
	int c;
	switch (bop) {
	case FC_BOP_EQ: return kn == vn && !memcmp(k, v, vn);
	case FC_BOP_NE: return !(kn == vn && !memcmp(k, v, vn));
	case FC_BOP_LT: case FC_BOP_LE: case FC_BOP_GT: case FC_BOP_GE:
		snprintf(a, sizeof a, "%.*s", (int)vn, v);
		snprintf(b, sizeof b, "%.*s", (int)kn, k);
		c = strcmp(a, b);
		return bop == FC_BOP_LT ? c < 0 : bop == FC_BOP_LE ? c <= 0 : bop == FC_BOP_GT ? c > 0 : c >= 0;
	case FC_BOP_CONTAINS: return kn == 0 || memmem(v, vn, k, kn);
	case FC_BOP_ICONTAINS: return has_ci(v, vn, k, kn);
	case FC_BOP_STARTSWITH: return kn <= vn && !memcmp(v, k, kn);
	case FC_BOP_ENDSWITH: return kn <= vn && !memcmp(v + vn - kn, k, kn);
	case FC_BOP_GLOB:
	case FC_BOP_IGLOB:
		snprintf(a, sizeof a, "%.*s", (int)kn, k);
		snprintf(b, sizeof b, "%.*s", (int)vn, v);
		return fnmatch(a, b, bop == FC_BOP_IGLOB ? FNM_CASEFOLD : 0) == 0;
	case FC_BOP_REGEX: return re_match(k, kn, NULL, 0, v, vn);
	default: cr_assert_fail("bop %u", bop); return false;
	}
}

static bool in_list(const struct ir_pools *p, uint32_t list, const char *v, uint32_t vn)
{
	const struct ir_list *l = &p->lists[list];
	for (uint32_t i = 0; i < l->n; i++) {
		uint32_t kn;
		const char *k = ir_strp(p, p->items[l->first + i], &kn);
		if (kn == vn && !memcmp(k, v, vn))
			return true;
	}
	return false;
}

static bool net_has(const char *net, uint32_t nn, const char *a, uint32_t an)
{
	if (nn != 6 || an != 4)
		return nn == an && !memcmp(net, a, an);
	unsigned bits = (unsigned char)net[1];
	for (unsigned i = 0; i < 32; i++)
		if (i < bits && (((unsigned char)net[2 + i / 8] ^ (unsigned char)a[i / 8]) & (0x80u >> (i % 8))))
			return false;
	return true;
}

static int run(struct vm *x, uint32_t prog);

/* One element (scalar) test. */
static bool scalar(struct vm *x, const struct fc_binsn *in, const char *v, uint32_t vn, uint64_t u, bool isnum)
{
	const struct ir_pools *p = &x->o->p;
	uint32_t kn;
	const char *k;
	uint64_t c = 0;
	double dv, dc;
	if (fc_opcode_kfmt(in->op) == K_CONST)
		c = p->consts[in->k];
	memcpy(&dv, &u, sizeof dv);
	memcpy(&dc, &c, sizeof dc);
	switch (in->op) {
	case FC_OPC_EQ_N: return isnum && u == c;
	case FC_OPC_NE_N: return isnum && u != c;
	case FC_OPC_LT_I: return isnum && (int64_t)u < (int64_t)c;
	case FC_OPC_LE_I: return isnum && (int64_t)u <= (int64_t)c;
	case FC_OPC_GT_I: return isnum && (int64_t)u > (int64_t)c;
	case FC_OPC_GE_I: return isnum && (int64_t)u >= (int64_t)c;
	case FC_OPC_LT_U: return isnum && u < c;
	case FC_OPC_LE_U: return isnum && u <= c;
	case FC_OPC_GT_U: return isnum && u > c;
	case FC_OPC_GE_U: return isnum && u >= c;
	case FC_OPC_EQ_D: return isnum && dv == dc;
	case FC_OPC_NE_D: return isnum && dv != dc;
	case FC_OPC_LT_D: return isnum && dv < dc;
	case FC_OPC_LE_D: return isnum && dv <= dc;
	case FC_OPC_GT_D: return isnum && dv > dc;
	case FC_OPC_GE_D: return isnum && dv >= dc;
	case FC_OPC_IN_N: {
		const struct ir_list *l = &p->lists[in->k];
		for (uint32_t i = 0; i < l->n; i++)
			if (p->consts[p->items[l->first + i]] == u)
				return isnum;
		return false;
	}
	default:
		break;
	}
	if (isnum)
		return false;
	switch (in->op) {
	case FC_OPC_EQ_S: case FC_OPC_EQ_IP: k = ir_strp(p, in->k, &kn); return str_op(FC_BOP_EQ, k, kn, v, vn);
	case FC_OPC_NE_S: case FC_OPC_NE_IP: k = ir_strp(p, in->k, &kn); return str_op(FC_BOP_NE, k, kn, v, vn);
	case FC_OPC_CONTAINS: k = ir_strp(p, in->k, &kn); return str_op(FC_BOP_CONTAINS, k, kn, v, vn);
	case FC_OPC_ICONTAINS: k = ir_strp(p, in->k, &kn); return str_op(FC_BOP_ICONTAINS, k, kn, v, vn);
	case FC_OPC_STARTSWITH: k = ir_strp(p, in->k, &kn); return str_op(FC_BOP_STARTSWITH, k, kn, v, vn);
	case FC_OPC_ENDSWITH: k = ir_strp(p, in->k, &kn); return str_op(FC_BOP_ENDSWITH, k, kn, v, vn);
	case FC_OPC_GLOB: k = ir_strp(p, in->k, &kn); return str_op(FC_BOP_GLOB, k, kn, v, vn);
	case FC_OPC_IGLOB: k = ir_strp(p, in->k, &kn); return str_op(FC_BOP_IGLOB, k, kn, v, vn);
	case FC_OPC_REGEX: {
		const struct ir_regex *re = &p->regex[in->k];
		uint32_t ln = 0;
		const char *lit = re->lit == FC_NONE ? NULL : ir_strp(p, re->lit, &ln);
		k = ir_strp(p, re->pat, &kn);
		return re_match(k, kn, lit, ln, v, vn);
	}
	case FC_OPC_IN_S: return in_list(p, in->k, v, vn);
	case FC_OPC_PREFIX_S:
	case FC_OPC_PMATCH: {
		const struct ir_list *l = &p->lists[in->k];
		for (uint32_t i = 0; i < l->n; i++) {
			k = ir_strp(p, p->items[l->first + i], &kn);
			if (kn <= vn && !memcmp(v, k, kn) && (in->op == FC_OPC_PREFIX_S || kn == vn || v[kn] == '/'))
				return true;
		}
		return false;
	}
	case FC_OPC_SMOD: {
		const struct ir_list *l = &p->lists[in->k];
		uint32_t hits = 0;
		unsigned mod = in->aux >> FC_MOD_SHIFT;
		for (uint32_t i = 0; i < l->n; i++) {
			k = ir_strp(p, p->items[l->first + i], &kn);
			unsigned w = 1;
			if (mod == FC_MODBITS_ONEOFW) { /* the weight byte first */
				cr_assert(kn && (k[0] == 1 || k[0] == 2));
				w = (unsigned)k[0];
				k++, kn--;
			}
			hits += w * str_op(in->aux & 31u, k, kn, v, vn);
		}
		return mod == FC_MODBITS_ANYOF ? hits > 0 : mod == FC_MODBITS_ALLOF ? hits == l->n : hits == 1;
	}
	case FC_OPC_IN_NET: k = ir_strp(p, in->k, &kn); return net_has(k, kn, v, vn);
	case FC_OPC_IN_IP: {
		const struct ir_list *l = &p->lists[in->k];
		for (uint32_t i = 0; i < l->n; i++) {
			k = ir_strp(p, p->items[l->first + i], &kn);
			if (net_has(k, kn, v, vn))
				return true;
		}
		return false;
	}
	default:
		cr_assert_fail("opcode %u not interpreted", in->op);
		return false;
	}
}

static bool test_insn(struct vm *x, const struct fc_binsn *in)
{
	if (in->op == FC_OPC_EVTYPE)
		return fc_evtset_has(&x->o->p.evsets[in->k], x->ev->code);
	if (in->op == FC_OPC_SUB) {
		if (x->sub[in->k] < 0)
			x->sub[in->k] = run(x, in->k);
		return x->sub[in->k];
	}
	const struct tval *v = value(x, in->slot);
	if (in->op == FC_OPC_EXISTS)
		return v->kind != 0;
	if (!v->kind)
		return false;
	if (in->op == FC_OPC_LIST_IN || in->op == FC_OPC_LIST_ISECT) {
		uint32_t hits = 0;
		for (uint32_t i = 0; i < v->n; i++)
			hits += in_list(&x->o->p, in->k, v->s[i], v->len[i]);
		return in->op == FC_OPC_LIST_IN ? hits == v->n : hits > 0;
	}
	if (in->op == FC_OPC_FCMP) {
		const struct tval *r = value(x, in->k);
		if (!r->kind || v->kind != 1 || r->kind != 1)
			return v->kind == 2 && r->kind == 2 && (in->aux == FC_BOP_EQ ? v->u == r->u : in->aux == FC_BOP_NE ? v->u != r->u : false);
		return str_op(in->aux, r->s[0], r->len[0], v->s[0], v->len[0]);
	}
	if (v->kind == 3) { /* any element */
		for (uint32_t i = 0; i < v->n; i++)
			if (scalar(x, in, v->s[i], v->len[i], 0, false))
				return true;
		return false;
	}
	return scalar(x, in, v->s[0], v->len[0], v->u, v->kind == 2);
}

static int run(struct vm *x, uint32_t prog)
{
	const struct ir_oprog *p = &x->o->progs[prog];
	uint32_t pc = p->start;
	for (;;) {
		cr_assert(pc >= p->start && pc < p->start + p->len, "pc out of program %u", prog);
		const struct fc_binsn *in = &x->o->code[pc];
		if (in->op == FC_OPC_RET)
			return (int)in->k;
		bool r = test_insn(x, in);
		pc += 1u + (r ? in->jt : in->jf);
	}
}

static void corpus_of(const struct ir_out *o, struct corpus *c)
{
	memset(c, 0, sizeof(*c));
	c->str = calloc(o->p.nstr + 1, sizeof(char *));
	c->len = calloc(o->p.nstr + 1, sizeof(uint32_t));
	for (uint32_t i = 0; i < o->p.nstr; i++) {
		uint32_t n;
		const char *s = ir_strp(&o->p, i, &n);
		/* globs and patterns contribute their literal parts */
		char *d = malloc(n + 1);
		uint32_t k = 0;
		for (uint32_t j = 0; j < n; j++)
			if (!strchr("*?[]\\^$+", s[j]))
				d[k++] = s[j];
		d[k] = 0;
		c->str[c->nstr] = d;
		c->len[c->nstr++] = k;
	}
	c->num = calloc(o->p.nconst + 1, sizeof(uint64_t));
	for (uint32_t i = 0; i < o->p.nconst; i++)
		c->num[c->nnum++] = o->p.consts[i];
}

static void corpus_free(struct corpus *c)
{
	for (uint32_t i = 0; i < c->nstr; i++)
		free(c->str[i]);
	free(c->str);
	free(c->len);
	free(c->num);
}

/* Results of every rule on event EV. */
static void eval_all(const struct ir_mod *m, const struct ir_out *o, const struct corpus *c, const struct event *ev,
		     int *res)
{
	struct vm x = {o, c, ev, calloc(o->p.nslot + 1, sizeof(struct tval)), calloc(o->p.nslot + 1, 1),
		       malloc(sizeof(int) * (o->nprogs + 1))};
	for (uint32_t i = 0; i < o->nprogs; i++)
		x.sub[i] = -1;
	for (uint32_t r = 0; r < m->nrules; r++)
		res[r] = run(&x, m->rules[r].prog);
	free(x.vals);
	free(x.have);
	free(x.sub);
}

static const char *const gen_names[] = {"getpid", "reboot", "umask", "sethostname"};

static void make_event(const struct env *e, uint64_t seed, struct event *ev)
{
	uint64_t r = seed * 2654435761u + 1;
	xs(&r);
	ev->seed = r;
	/* mostly codes some rule matches, sometimes any code */
	unsigned code = (unsigned)(xs(&r) % FC_EVENT_MAX);
	if (xs(&r) % 4) {
		uint32_t ri = (uint32_t)(xs(&r) % (e->comp.nrules ? e->comp.nrules : 1));
		const fc_evtset *s = &e->comp.rules[ri].evts;
		size_t n = fc_evtset_count(s);
		if (n && n < FC_EVENT_MAX) {
			size_t pick = xs(&r) % n;
			for (unsigned cc = 0; cc < FC_EVENT_MAX; cc++)
				if (fc_evtset_has(s, cc) && !pick--) {
					code = cc;
					break;
				}
		}
	}
	if (xs(&r) % 10 == 0)
		code = (unsigned)(xs(&r) % 2); /* generic */
	ev->code = code;
	const char *nm = fc_events[code].name ? fc_events[code].name : "NA";
	if (code == FC_PPME_GENERIC_E || code == FC_PPME_GENERIC_X)
		nm = gen_names[xs(&r) % 4];
	else if (code == FC_PPME_ASYNCEVENT_E)
		nm = "container";
	snprintf(ev->evtname, sizeof ev->evtname, "%s", nm);
}

/* The optimised code under PASSES agrees with the unoptimised code, rule by rule, on NEV
 * synthetic events. Returns the number of (event, rule) pairs that matched. */
static unsigned differential(struct env *e, uint32_t passes, unsigned nev)
{
	struct pipe base, opt;
	run_pipe(e, 0, &base);
	run_pipe(e, passes, &opt);
	cr_assert_eq(base.m.nrules, opt.m.nrules);
	struct corpus c;
	corpus_of(&base.o, &c);
	int *a = malloc(sizeof(int) * (base.m.nrules + 1)), *b = malloc(sizeof(int) * (base.m.nrules + 1));
	unsigned matched = 0;
	for (unsigned i = 0; i < nev; i++) {
		struct event ev;
		make_event(e, i + 1, &ev);
		eval_all(&base.m, &base.o, &c, &ev, a);
		eval_all(&opt.m, &opt.o, &c, &ev, b);
		for (uint32_t r = 0; r < base.m.nrules; r++) {
			cr_assert_eq(a[r], b[r], "passes %#x: rule '%s' differs on event %u (code %u %s): %d vs %d", passes,
				     base.m.rules[r].cr->rule->name, i, ev.code, ev.evtname, a[r], b[r]);
			matched += a[r];
		}
	}
	free(a);
	free(b);
	corpus_free(&c);
	pipe_free(&base);
	pipe_free(&opt);
	return matched;
}

static const uint32_t pass_sets[] = {
	FC_OPT_FOLD, FC_OPT_DEAD, FC_OPT_SETS, FC_OPT_TRIES, FC_OPT_ICASE, FC_OPT_REGEX, FC_OPT_CSE, FC_OPT_EVTYPE,
	FC_OPT_FOLD | FC_OPT_DEAD, FC_OPT_SETS | FC_OPT_TRIES | FC_OPT_FOLD, FC_OPT_EVTYPE | FC_OPT_FOLD | FC_OPT_DEAD,
	FC_OPT_ALL & ~FC_OPT_CSE, FC_OPT_ALL & ~FC_OPT_FOLD, FC_OPT_ALL & ~FC_OPT_DEAD, FC_OPT_ALL,
};

Test(differential, golden_conditions)
{
	/* every representative condition of the golden files, all together */
	static const char *const files[] = {"tests/golden/representative.yaml"};
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		struct env *e = build_file(files[f]);
		cr_assert(e->ok);
		for (size_t i = 0; i < sizeof pass_sets / sizeof pass_sets[0]; i++)
			differential(e, pass_sets[i], 1500);
		done(e);
	}
}

Test(differential, tricky_conditions)
{
	const char *y =
		RULE("r1", "proc.name = a and proc.name = b")
		RULE("r2", "(proc.name in (a, b) and proc.pname = x) or (proc.name = a and not proc.pname = x)")
		RULE("r3", "not (proc.name = a or proc.name = b) and proc.name exists")
		RULE("r4", "proc.name != a and proc.name != b and not proc.name in (c)")
		RULE("r5", "proc.aname = a or proc.aname in (b, c) or not proc.aname = zz")
		RULE("r6", "fd.name startswith /a or fd.name startswith /ab or fd.name = /abc or fd.name startswith anyof (/b)")
		RULE("r7", "proc.cmdline icontains A or proc.cmdline icontains anyof (b, \"-\") or proc.cmdline iglob \"*X*\"")
		RULE("r8", "proc.cmdline regex \"a.*b+c\" or proc.cmdline regex \"(ab|cd)e?\"")
		RULE("r9", "evt.type in (open, getpid) and not evt.type = openat or evt.type != close and evt.num > 0")
		RULE("r10", "syscall.type = open or syscall.type in (getpid, procexit) or syscall.type != read")
		RULE("r11", "proc.pid = oneof (1, 2, 3) or proc.ppid = allof (1, 2) or proc.vpid != anyof (4, 5)")
		RULE("r12", "fd.net != 10.0.0.0/8 and (fd.sip = 10.0.0.1 or fd.sip in (10.0.0.2) or fd.snet = 10.0.0.0/24)")
		RULE("r13", "proc.pid > 1 and proc.pid > 2 and proc.pid <= 3 and not proc.pid = 3")
		RULE("r14", "fd.types in (file) or fd.types intersects (ipv4, ipv6) or fd.types intersects (file)")
		RULE("r15", "proc.name = val(proc.pname) or proc.name startswith val(proc.exe) and proc.name exists")
		RULE("r16", "proc.name = oneof (a, b) or proc.name endswith allof (a, b) or proc.name != oneof (a)")
		RULE("r17", "(proc.name = a or proc.pname = b) and (proc.name = a or proc.pname = b) and proc.exe = c")
		RULE("r18", "evt.num = 0 or evt.num < 1 or evt.num in (0, 2) or proc.vmsize >= 0 or proc.vmsize < 0")
		RULE("r19", "proc.name in () or not proc.pname in () or proc.exe pmatch (/a, /b)")
		RULE("r20", "proc.cmdline regex \"ab?\" or proc.cmdline = a or proc.cmdline regex \"x{0,1}yz+\"");
	struct env *e = build(y);
	cr_assert(e->ok);
	unsigned matched = 0;
	for (size_t i = 0; i < sizeof pass_sets / sizeof pass_sets[0]; i++)
		matched = differential(e, pass_sets[i], 3000);
	cr_assert_gt(matched, 100, "the synthetic events should make rules match");
	done(e);
}

Test(differential, default_ruleset_and_long_jumps)
{
	struct env *e = build_file("rules/falcod_rules.yaml");
	cr_assert(e->ok);
	for (size_t i = 0; i < sizeof pass_sets / sizeof pass_sets[0]; i++)
		differential(e, pass_sets[i], 400);
	ir_jump_limit = 12;
	differential(e, FC_OPT_ALL, 400);
	differential(e, 0, 200);
	ir_jump_limit = 0xFFFF;
	done(e);
}

/* ---- bundles -------------------------------------------------------------------------------- */

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

struct sec {
	uint32_t id, count, off, size;
};

/* Parses and checks the layout of a bundle image; returns its section table. */
static uint32_t check_layout(const unsigned char *b, size_t len, struct sec *secs, uint32_t max)
{
	cr_assert_geq(len, FC_BUNDLE_HDR_LEN);
	cr_assert(!memcmp(b, FC_BUNDLE_MAGIC, 8));
	cr_assert_eq(b[8] | b[9] << 8, FC_BUNDLE_MAJOR);
	cr_assert_eq(b[10] | b[11] << 8, FC_BUNDLE_MINOR);
	cr_assert_eq(rd32(b + 12), 0);
	cr_assert_eq(rd64(b + 16), len);
	uint32_t n = rd32(b + 24);
	cr_assert_leq(n, max);
	uLong crc = crc32(crc32(0L, Z_NULL, 0), b + 32, (uInt)(len - 32));
	cr_assert_eq(rd32(b + 28), (uint32_t)crc);
	for (int i = 32; i < 64; i++)
		cr_assert_eq(b[i], 0);
	uint32_t prev_end = FC_BUNDLE_HDR_LEN + 16 * n, prev_id = 0;
	for (uint32_t i = 0; i < n; i++) {
		const unsigned char *e = b + FC_BUNDLE_HDR_LEN + 16 * i;
		secs[i] = (struct sec){rd32(e), rd32(e + 4), rd32(e + 8), rd32(e + 12)};
		cr_assert_gt(secs[i].id, prev_id, "section ids increase");
		cr_assert_eq(secs[i].off % 8, 0, "section %u is 8-aligned", secs[i].id);
		cr_assert_geq(secs[i].off, prev_end, "sections do not overlap");
		cr_assert_leq((uint64_t)secs[i].off + secs[i].size, len);
		prev_end = secs[i].off + secs[i].size;
		prev_id = secs[i].id;
	}
	return n;
}

static const struct sec *find_sec(const struct sec *s, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (s[i].id == id)
			return &s[i];
	return NULL;
}

static const char *sec_str(const unsigned char *b, const struct sec *strs, uint32_t sid, uint32_t *len)
{
	cr_assert_lt(sid, strs->count);
	const unsigned char *e = b + strs->off + 8 * sid;
	uint32_t off = rd32(e);
	*len = rd32(e + 4);
	uint32_t data = strs->off + 8 * strs->count; /* offsets count from the first string byte */
	cr_assert_leq((uint64_t)8 * strs->count + off + *len + 1, strs->size);
	cr_assert_eq(b[data + off + *len], 0, "strings end with a NUL");
	return (const char *)b + data + off;
}

Test(bundle, layout_parsed_from_bytes)
{
	struct env *e = build_file("tests/golden/representative.yaml");
	cr_assert(e->ok);
	struct fc_buf out = {0};
	struct fc_backend_stats st = {0};
	struct fc_backend_opts o = {.passes = FC_OPT_ALL, .stats = &st};
	cr_assert(fc_backend_bundle(&e->comp, &o, &out));
	const unsigned char *b = (const unsigned char *)out.p;
	struct sec s[32];
	uint32_t n = check_layout(b, out.len, s, 32);
	cr_assert_eq(st.bytes, out.len);
	static const uint32_t want[] = {FC_SEC_STRS, FC_SEC_CONSTS, FC_SEC_LISTS, FC_SEC_EVSETS, FC_SEC_REGEX,
					FC_SEC_SLOTS, FC_SEC_CODE, FC_SEC_PROGS, FC_SEC_RULES, FC_SEC_OUTFMT,
					FC_SEC_INDEX, FC_SEC_SRCMAP, FC_SEC_KSEL, FC_SEC_META};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_assert(find_sec(s, n, want[i]), "section %u missing", want[i]);
	const struct sec *strs = find_sec(s, n, FC_SEC_STRS), *code = find_sec(s, n, FC_SEC_CODE),
			 *progs = find_sec(s, n, FC_SEC_PROGS), *rules = find_sec(s, n, FC_SEC_RULES),
			 *src = find_sec(s, n, FC_SEC_SRCMAP), *idx = find_sec(s, n, FC_SEC_INDEX),
			 *meta = find_sec(s, n, FC_SEC_META), *slots = find_sec(s, n, FC_SEC_SLOTS),
			 *ev = find_sec(s, n, FC_SEC_EVSETS), *ksel = find_sec(s, n, FC_SEC_KSEL),
			 *of = find_sec(s, n, FC_SEC_OUTFMT), *lists = find_sec(s, n, FC_SEC_LISTS),
			 *consts = find_sec(s, n, FC_SEC_CONSTS);
	uint32_t len;
	cr_assert_str_eq(sec_str(b, strs, 0, &len), "");
	cr_assert_eq(len, 0);
	/* record sizes */
	cr_assert_eq(code->size, 12 * code->count);
	cr_assert_eq(code->count, st.insns);
	cr_assert_eq(progs->size, 16 * progs->count);
	cr_assert_eq(src->count, code->count);
	cr_assert_eq(src->size, 16 * src->count);
	cr_assert_eq(ev->size, 8 * FC_EVSET_WORDS * ev->count);
	cr_assert_eq(consts->size, 8 * consts->count);
	cr_assert_eq(of->size, 12 * of->count);
	cr_assert_eq(ksel->size, 8 * ksel->count);
	cr_assert_eq(meta->size, 4 * meta->count);
	cr_assert_eq(idx->count, FC_EVENT_MAX);
	/* rules: two of the three compile (one is disabled but still compiled: all three) */
	cr_assert_eq(rules->count, 3);
	cr_assert_geq(rules->size, 48 * rules->count);
	const unsigned char *r0 = b + rules->off;
	cr_assert_str_eq(sec_str(b, strs, rd32(r0), &len), "Shell in container");
	cr_assert_str_eq(sec_str(b, strs, rd32(r0 + 8), &len), "syscall");
	cr_assert_eq(r0[16], 4); /* WARNING */
	cr_assert_eq(r0[17], 1);
	cr_assert_eq(rd32(r0 + 24), 5); /* container shell mitre_execution T1059, appended */
	cr_assert_str_eq(sec_str(b, strs, rd32(r0 + 36), &len), "tests/golden/representative.yaml");
	cr_assert_eq(rd32(r0 + 40), 26);
	cr_assert_lt(rd32(r0 + 44), ev->count);
	const unsigned char *r2 = r0 + 96;
	cr_assert_str_eq(sec_str(b, strs, rd32(r2), &len), "Any event from cat");
	cr_assert_eq(r2[17], 0, "disabled rule");
	/* tags in the item area */
	uint32_t t0 = rd32(r0 + 20);
	cr_assert_str_eq(sec_str(b, strs, rd32(b + rules->off + 48 * rules->count + 4 * t0), &len), "T1059");
	/* the rule's program is a RULE program and ends in RET */
	uint32_t prog = rd32(r0 + 12);
	cr_assert_lt(prog, progs->count);
	const unsigned char *p0 = b + progs->off + 16 * prog;
	cr_assert_eq(rd32(p0 + 8), FC_PK_RULE);
	uint32_t start = rd32(p0), plen = rd32(p0 + 4);
	cr_assert_eq(b[code->off + 12 * (start + plen - 1)], FC_OPC_RET);
	/* every jump forward and inside its program; operands in range */
	for (uint32_t pi = 0; pi < progs->count; pi++) {
		const unsigned char *pp = b + progs->off + 16 * pi;
		uint32_t ps = rd32(pp), pl = rd32(pp + 4);
		for (uint32_t i = ps; i < ps + pl; i++) {
			const unsigned char *in = b + code->off + 12 * i;
			cr_assert_not_null(fc_opcode_name(in[0]));
			if (in[0] == FC_OPC_RET)
				continue;
			uint32_t jt = in[8] | in[9] << 8, jf = in[10] | in[11] << 8;
			cr_assert_lt(i + 1 + jt, ps + pl);
			cr_assert_lt(i + 1 + jf, ps + pl);
			uint32_t k = rd32(in + 4);
			switch (fc_opcode_kfmt(in[0])) {
			case K_STR: cr_assert_lt(k, strs->count); break;
			case K_LIST: cr_assert_lt(k, lists->count); break;
			case K_EVSET: cr_assert_lt(k, ev->count); break;
			case K_SLOT: cr_assert_lt(k, slots->count); break;
			case K_CONST: cr_assert_lt(k, consts->count); break;
			default: break;
			}
			if (in[0] != FC_OPC_EVTYPE && in[0] != FC_OPC_SUB)
				cr_assert_lt((uint32_t)(in[2] | in[3] << 8), slots->count);
		}
	}
	/* slots: 24-byte records with their texts */
	cr_assert_geq(slots->size, 24 * slots->count);
	bool seen_aname2 = false;
	for (uint32_t i = 0; i < slots->count; i++) {
		const unsigned char *sl = b + slots->off + 24 * i;
		const char *text = sec_str(b, strs, rd32(sl + 20), &len);
		if (!strcmp(text, "proc.aname[2]")) {
			seen_aname2 = true;
			cr_assert_str_eq(sec_str(b, strs, rd32(sl + 4), &len), "proc.aname");
			cr_assert_str_eq(sec_str(b, strs, rd32(sl + 8), &len), "2");
		}
	}
	cr_assert(seen_aname2, "output-only slots are in the table");
	/* index: the disabled rule is indexed too; close → rule 2 only */
	uint32_t first = rd32(b + idx->off + 8 * FC_PPME_SYSCALL_EXECVE_19_X);
	uint32_t cnt = rd32(b + idx->off + 8 * FC_PPME_SYSCALL_EXECVE_19_X + 4);
	cr_assert_geq(cnt, 1);
	cr_assert_eq(rd32(b + idx->off + 8 * FC_EVENT_MAX + 4 * first), 0);
	/* meta */
	cr_assert_str_eq(sec_str(b, strs, rd32(b + meta->off), &len), "falcoc 0.1");
	cr_assert_str_eq(sec_str(b, strs, rd32(b + meta->off + 4), &len), FC_ENGINE_VERSION);
	cr_assert_str_eq(sec_str(b, strs, rd32(b + meta->off + 8), &len), "tests/golden/representative.yaml");
	/* output segments of rule 0: literal then the first field */
	uint32_t out0 = rd32(r0 + 28);
	const unsigned char *sg = b + of->off + 12 * out0;
	cr_assert_eq(sg[0], FC_OK_LIT);
	cr_assert_eq(sg[12], FC_OK_FIELD);
	cr_assert_eq(sg[13], 1, "a plain field goes to output_fields");
	cr_assert_str_eq(sec_str(b, strs, rd32(sg + 12 + 8), &len), "user.name");
	/* the transformer token of rule 1 stays out of output_fields */
	const unsigned char *r1 = r0 + 48;
	bool xf = false;
	for (uint32_t i = 0; i < rd32(r1 + 32); i++) {
		const unsigned char *x = b + of->off + 12 * (rd32(r1 + 28) + i);
		if (x[0] == FC_OK_FIELD && !strcmp(sec_str(b, strs, rd32(x + 8), &len), "len(proc.args)")) {
			xf = true;
			cr_assert_eq(x[1], 0);
		}
	}
	cr_assert(xf);
	/* syscall selection: execve for the rules, clone for the state engine */
	const struct fc_syscall_info *sc = fc_syscall_by_name("execve"), *cl = fc_syscall_by_name("clone"),
				     *rb = fc_syscall_by_name("reboot");
	cr_assert((rd64(b + ksel->off + 8 * (sc->ppm_sc / 64)) >> (sc->ppm_sc % 64)) & 1);
	cr_assert((rd64(b + ksel->off + 8 * (cl->ppm_sc / 64)) >> (cl->ppm_sc % 64)) & 1);
	cr_assert(!((rd64(b + ksel->off + 8 * (rb->ppm_sc / 64)) >> (rb->ppm_sc % 64)) & 1));
	fc_buf_free(&out);
	done(e);
}

Test(bundle, deterministic)
{
	for (int round = 0; round < 2; round++) {
		const char *file = round ? "rules/falcod_rules.yaml" : "tests/golden/representative.yaml";
		struct fc_buf a = {0}, b = {0};
		struct env *e1 = build_file(file), *e2 = build_file(file);
		struct fc_backend_opts o = {.passes = FC_OPT_ALL};
		cr_assert(fc_backend_bundle(&e1->comp, &o, &a));
		cr_assert(fc_backend_bundle(&e2->comp, &o, &b));
		cr_assert_eq(a.len, b.len);
		cr_assert(!memcmp(a.p, b.p, a.len), "%s: two compiles differ", file);
		/* the same compilation twice, too */
		struct fc_buf c = {0};
		cr_assert(fc_backend_bundle(&e1->comp, &o, &c));
		cr_assert(c.len == a.len && !memcmp(a.p, c.p, a.len));
		fc_buf_free(&a);
		fc_buf_free(&b);
		fc_buf_free(&c);
		done(e1);
		done(e2);
	}
}

Test(bundle, every_pass_set_compiles)
{
	static const char *const files[] = {"rules/falcod_rules.yaml", "tests/golden/representative.yaml"};
	for (size_t f = 0; f < 2; f++) {
		struct env *e = build_file(files[f]);
		cr_assert(e->ok);
		uint32_t insns_all = 0, insns_none = 0;
		for (uint32_t passes = 0; passes <= FC_OPT_ALL; passes++) {
			struct fc_buf out = {0};
			struct fc_backend_stats st = {0};
			struct fc_backend_opts o = {.passes = passes, .stats = &st};
			cr_assert(fc_backend_bundle(&e->comp, &o, &out), "%s: passes %#x", files[f], passes);
			struct sec s[32];
			check_layout((const unsigned char *)out.p, out.len, s, 32);
			if (passes == 0)
				insns_none = st.insns;
			if (passes == FC_OPT_ALL)
				insns_all = st.insns;
			fc_buf_free(&out);
		}
		cr_assert_lt(insns_all, insns_none, "%s: optimisation shrinks the code", files[f]);
		done(e);
	}
}

Test(bundle, rules_to_bundle_api)
{
	void *buf = NULL;
	size_t len = 0;
	char path[512];
	snprintf(path, sizeof path, "%s/tests/golden/representative.yaml", FC_SOURCE_DIR);
	const char *paths[] = {path};
	char *diag = NULL;
	size_t dlen = 0;
	FILE *d = open_memstream(&diag, &dlen);
	cr_assert(fc_rules_to_bundle(paths, 1, NULL, NULL, 0, &buf, &len, d));
	fclose(d);
	struct sec s[32];
	check_layout(buf, len, s, 32);
	free(buf);
	free(diag);
	/* errors: nothing produced, diagnostics in falcoc's layout */
	const char *bad = RULE("r", "proc.nme = x");
	d = open_memstream(&diag, &dlen);
	cr_assert(!fc_rules_to_bundle(NULL, 0, "bad.yaml", bad, strlen(bad), &buf, &len, d));
	fclose(d);
	cr_assert_null(buf);
	HAS(diag, "bad.yaml:3:14: error: filter_check called with nonexistent field proc.nme");
	HAS(diag, "1 error");
	free(diag);
}

