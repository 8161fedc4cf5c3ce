/* test_truth.c — the VM truth tables (tests/vm/truth.txt): every `condition | event | expected`
 * line is compiled by the front end and evaluated by the reference evaluator (tests/ref) and by
 * the VM over the back end's bundle (all optimiser passes, none, and each pass alone); every
 * answer must be `expected`, through fc_vm_eval_rule and through fc_vm_run alike, and the VM
 * must call the extractor at most once per field spec and event. The fake event's text form
 * and extractor are checked here too. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeevt.h"
#include "gen.h"
#include "refeval.h"
#include "vmrun.h"

struct tcase {
	unsigned line;
	char *cond, *event;
	bool expected;
};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

/* Splits at the last " | " before END. */
static char *split_last(char *s)
{
	char *p = NULL;
	for (char *q = strstr(s, " | "); q; q = strstr(q + 1, " | "))
		p = q;
	if (!p)
		return NULL;
	*p = 0;
	return p + 3;
}

static struct tcase *load_cases(size_t *n)
{
	FILE *f = fopen(FC_SOURCE_DIR "/tests/vm/truth.txt", "r");
	cr_assert(f, "cannot open tests/vm/truth.txt");
	struct tcase *cases = NULL;
	size_t cap = 0;
	char buf[4096];
	unsigned line = 0;
	*n = 0;
	while (fgets(buf, sizeof buf, f)) {
		line++;
		char *s = trim(buf);
		if (!*s || *s == '#')
			continue;
		char *exp = split_last(s);
		char *ev = exp ? split_last(s) : NULL;
		cr_assert(ev, "truth.txt:%u: expected `condition | event | expected`", line);
		exp = trim(exp);
		cr_assert(!strcmp(exp, "true") || !strcmp(exp, "false"), "truth.txt:%u: expected is true or false, not %s",
			  line, exp);
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			cases = realloc(cases, sizeof(*cases) * cap);
		}
		cases[(*n)++] = (struct tcase){line, strdup(trim(s)), strdup(trim(ev)), !strcmp(exp, "true")};
	}
	fclose(f);
	return cases;
}

static void free_cases(struct tcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].cond);
		free(c[i].event);
	}
	free(c);
}

/* One rule per case, named t<line>, compiled together. */
static void compile_cases(struct fc_gen_rules *r, const struct tcase *c, size_t n)
{
	struct fc_buf y = {0};
	for (size_t i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "t%u", c[i].line);
		fc_gen_rule_yaml(&y, name, c[i].cond);
	}
	bool ok = fc_gen_rules_compile(r, y.p);
	fc_buf_free(&y);
	cr_assert(ok, "some truth.txt conditions do not compile (diagnostics above)");
	cr_assert_eq(r->comp.nrules, n);
}

Test(truth, table_covers_enough_cases)
{
	size_t n;
	struct tcase *c = load_cases(&n);
	cr_assert_geq(n, 150, "truth.txt has %zu cases, want at least 150", n);
	size_t t = 0;
	for (size_t i = 0; i < n; i++)
		t += c[i].expected;
	/* both answers well represented, so a constant evaluator cannot pass */
	cr_assert(t > n / 4 && n - t > n / 4, "%zu of %zu cases expect true", t, n);
	free_cases(c, n);
}

Test(truth, reference_evaluator)
{
	size_t n;
	struct tcase *c = load_cases(&n);
	struct fc_gen_rules rules;
	compile_cases(&rules, c, n);
	struct fc_fake_evt ev;
	fc_fake_init(&ev);
	struct fc_extractor x = fc_fake_extractor(&ev);
	unsigned bad = 0;
	char err[512];
	for (size_t i = 0; i < n; i++) {
		cr_assert(fc_fake_parse(&ev, c[i].event, err, sizeof err), "truth.txt:%u: event: %s", c[i].line, err);
		int r = fc_ref_eval(rules.comp.rules[i].ast, &x, err, sizeof err);
		if (r < 0 || (r == 1) != c[i].expected) {
			bad++;
			fprintf(stderr, "truth.txt:%u: %s | %s: reference says %s, expected %s%s%s\n", c[i].line, c[i].cond,
				c[i].event, r < 0 ? "error" : r ? "true" : "false", c[i].expected ? "true" : "false",
				r < 0 ? ": " : "", r < 0 ? err : "");
		}
	}
	cr_assert_eq(bad, 0, "%u of %zu truth lines disagree with the reference evaluator", bad, n);
	fc_fake_free(&ev);
	fc_gen_rules_free(&rules);
	free_cases(c, n);
}

/* The fake event's text form reads back what it prints. */
Test(truth, fake_event_round_trip)
{
	struct fc_fake_evt a, b;
	fc_fake_init(&a);
	fc_fake_init(&b);
	char err[256], t1[1024], t2[1024];
	const char *line = "evt.type=execve; proc.name=\"a b\"; proc.pid=-4; user.uid=4294967295; fd.sip=::1; "
			   "fd.cip=10.0.0.1; fd.types=(file, \"x,y\"); proc.aname=(); evt.buffer=\"\\xca\\x00;\"; "
			   "proc.is_exe_writable=true; proc.fdusage=0.5; proc.pname=<missing>";
	cr_assert(fc_fake_parse(&a, line, err, sizeof err), "%s", err);
	cr_assert_eq(a.code % 2, 1, "exit event expected");
	cr_assert_str_eq(a.type_name, "execve");
	fc_fake_format(&a, t1, sizeof t1);
	cr_assert(fc_fake_parse(&b, t1, err, sizeof err), "%s: %s", t1, err);
	fc_fake_format(&b, t2, sizeof t2);
	cr_assert_str_eq(t1, t2);
	cr_assert(!fc_fake_parse(&a, "proc.nosuch=1", err, sizeof err));
	cr_assert(!fc_fake_parse(&a, "proc.pid=abc", err, sizeof err));
	cr_assert(!fc_fake_parse(&a, "proc.name=(a,b)", err, sizeof err));
	cr_assert(!fc_fake_parse(&a, "evt.type=nosuchevent", err, sizeof err));
	fc_fake_free(&a);
	fc_fake_free(&b);
}

/* The extractor derives ancestor levels and counts its calls per field spec. */
Test(truth, fake_extractor_derives_and_counts)
{
	struct fc_fake_evt e;
	fc_fake_init(&e);
	char err[256];
	cr_assert(fc_fake_parse(&e, "proc.name=me; proc.aname=(p, gp)", err, sizeof err), "%s", err);
	struct fc_extractor x = fc_fake_extractor(&e);
	struct fc_fieldref ref;
	struct fc_val v;
	const char *want[] = {"me", "p", "gp", NULL};
	for (int lvl = 0; lvl < 4; lvl++) {
		char arg[8];
		snprintf(arg, sizeof arg, "%d", lvl);
		cr_assert(fc_field_resolve("proc.aname", arg, &ref, err, sizeof err));
		struct fc_fieldspec f = {.id = ref.id, .type = ref.type, .flags = ref.flags, .has_arg = true,
					 .arg_is_index = ref.arg_is_index, .index = ref.index, .arg = ref.arg};
		bool got = x.extract(x.ctx, &f, &v);
		if (!want[lvl]) {
			cr_assert(!got && v.kind == FC_V_NONE);
		} else {
			cr_assert(got && v.kind == FC_V_STR);
			cr_assert_eq(v.len, strlen(want[lvl]));
			cr_assert(!memcmp(v.s, want[lvl], v.len));
		}
		x.extract(x.ctx, &f, &v);
	}
	cr_assert_eq(e.total_calls, 8);
	cr_assert_eq(fc_fake_max_calls(&e), 2);
	fc_fake_reset_calls(&e);
	cr_assert_eq(fc_fake_max_calls(&e), 0);
	fc_fake_free(&e);
}

/* Runs every case through the VM built with PASSES. Returns the number of failures. */
static unsigned truth_vm(uint32_t passes, const char *what)
{
	size_t n;
	struct tcase *c = load_cases(&n);
	struct fc_gen_rules rules;
	compile_cases(&rules, c, n);
	struct fc_vmrun run;
	char err[512];
	cr_assert(fc_vmrun_init(&run, &rules.comp, passes, err, sizeof err), "[%s] %s", what, err);
	uint32_t nb = fc_bundle_nrules(run.b);
	cr_assert_eq(nb, n - run.nrefused, "[%s] the bundle holds %u rules, want %zu", what, nb, n - run.nrefused);
	uint32_t *matches = calloc(nb, sizeof(*matches));
	struct fc_fake_evt ev;
	fc_fake_init(&ev);
	struct fc_extractor x = fc_fake_extractor(&ev);
	unsigned bad = 0;
	for (size_t i = 0; i < n; i++) {
		cr_assert(fc_fake_parse(&ev, c[i].event, err, sizeof err), "truth.txt:%u: event: %s", c[i].line, err);
		uint32_t id = run.id_of[i];
		if (run.refused[i]) {
			bad++;
			fprintf(stderr, "truth.txt:%u [%s]: %s | %s: the back end refuses it: %s\n", c[i].line, what,
				c[i].cond, c[i].event, run.refused[i]);
			continue;
		}
		cr_assert_neq(id, FC_NONE, "[%s] rule t%u is not in the bundle", what, c[i].line);
		fc_fake_reset_calls(&ev);
		fc_vm_begin(run.vm, ev.code, &x);
		bool one = fc_vm_eval_rule(run.vm, id);
		uint32_t calls1 = fc_fake_max_calls(&ev);
		fc_fake_reset_calls(&ev);
		uint32_t nm = fc_vm_run(run.vm, ev.code, &x, FC_MATCH_ALL, matches, nb);
		uint32_t calls2 = fc_fake_max_calls(&ev);
		bool in_run = false;
		for (uint32_t k = 0; k < nm; k++)
			in_run = in_run || matches[k] == id;
		if (one != c[i].expected || in_run != c[i].expected || calls1 > 1 || calls2 > 1) {
			bad++;
			fprintf(stderr,
				"truth.txt:%u [%s]: %s | %s: expected %s, fc_vm_eval_rule %s, fc_vm_run %s, extractor "
				"calls per field spec %u (rule) %u (run)\n",
				c[i].line, what, c[i].cond, c[i].event, c[i].expected ? "true" : "false", one ? "true" : "false",
				in_run ? "matched" : "not matched", calls1, calls2);
		}
	}
	free(matches);
	fc_fake_free(&ev);
	fc_vmrun_free(&run);
	fc_gen_rules_free(&rules);
	free_cases(c, n);
	return bad;
}

Test(truth, vm_optimised)
{
	unsigned bad = truth_vm(FC_OPT_ALL, "all passes");
	cr_assert_eq(bad, 0, "%u truth lines fail on the optimised VM (listed above)", bad);
}

Test(truth, vm_unoptimised)
{
	unsigned bad = truth_vm(0, "no passes");
	cr_assert_eq(bad, 0, "%u truth lines fail on the unoptimised VM (listed above)", bad);
}

/* Each optimiser pass alone, so a failure names its pass. */
Test(truth, vm_each_pass)
{
	static const struct {
		uint32_t pass;
		const char *name;
	} passes[] = {{FC_OPT_FOLD, "fold"},   {FC_OPT_DEAD, "dead"},   {FC_OPT_SETS, "sets"},
		      {FC_OPT_TRIES, "tries"}, {FC_OPT_ICASE, "icase"}, {FC_OPT_REGEX, "regex"},
		      {FC_OPT_CSE, "cse"},     {FC_OPT_EVTYPE, "evtype"}};
	unsigned bad = 0;
	for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++)
		bad += truth_vm(passes[i].pass, passes[i].name);
	cr_assert_eq(bad, 0, "%u truth line runs fail with single optimiser passes (listed above)", bad);
}
