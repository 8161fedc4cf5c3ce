/* test_diff.c — the differential test of the rule VM: random conditions over real catalog
 * fields (tests/ref/gen.c) are compiled into one ruleset per batch, and for random events every
 * rule is evaluated by the reference evaluator (tests/ref/refeval.c) and by the VM running the
 * back end's bundle, optimised (FC_OPT_ALL), not (passes = 0), and with a random subset of the
 * passes drawn per batch. Every answer must agree, through fc_vm_eval_rule and fc_vm_run.
 *
 * FC_DIFF_PAIRS sets the number of (rule, event) pairs (default 100000), FC_DIFF_SEED the seed
 * (printed on failure; by default it changes per run). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "fakeevt.h"
#include "gen.h"
#include "refeval.h"
#include "vmrun.h"

#define RULES_PER_BATCH 200
#define EVENTS_PER_BATCH 50
#define DEPTH 3
#define NSIDES 3

static uint64_t env_pairs(void)
{
	const char *s = getenv("FC_DIFF_PAIRS");
	return s && *s ? strtoull(s, NULL, 0) : 100000;
}

/* One batch of random rules, compiled. CONDS[i] is rule i's condition text. */
struct batch {
	struct fc_gen_rules r;
	char **conds;
	uint32_t n;
};

static void batch_make(struct fc_gen *g, struct batch *b, uint32_t n, uint64_t seed)
{
	struct fc_buf y = {0};
	b->n = n;
	b->conds = calloc(n, sizeof(*b->conds));
	for (uint32_t i = 0; i < n; i++) {
		struct fc_buf c = {0};
		fc_gen_condition(g, &c, DEPTH);
		b->conds[i] = c.p;
		char name[32];
		snprintf(name, sizeof name, "r%u", i);
		fc_gen_rule_yaml(&y, name, c.p);
	}
	bool ok = fc_gen_rules_compile(&b->r, y.p);
	fc_buf_free(&y);
	cr_assert(ok, "seed %#llx: generated rules do not compile (diagnostics above)", (unsigned long long)seed);
}

static void batch_free(struct batch *b)
{
	for (uint32_t i = 0; i < b->n; i++)
		free(b->conds[i]);
	free(b->conds);
	fc_gen_rules_free(&b->r);
}

/* The generator itself: rules compile, the reference evaluator has an answer for every pair,
 * matches happen about as often as misses, and the event-type set of a rule (§12) contains the
 * code of every event it matches. */
Test(diff, generator_and_reference)
{
	uint64_t seed = fc_gen_seed_from_env();
	struct fc_gen g;
	fc_gen_init(&g, seed);
	struct fc_fake_evt ev;
	fc_fake_init(&ev);
	struct fc_extractor x = fc_fake_extractor(&ev);
	uint64_t pairs = 0, trues = 0;
	char err[512], evtext[4096];
	/* every operator, modifier, transformer and right-hand form shows up */
	static const char *const forms[] = {
		" = ", " == ", " != ", " < ", " <= ", " > ", " >= ", " contains ", " icontains ", " bcontains ",
		" startswith ", " bstartswith ", " endswith ", " glob ", " iglob ", " regex ", " in (", " intersects (",
		" pmatch (", " exists", " anyof (", " allof (", " oneof (", "val(", "tolower(", "toupper(",
		"basename(", "len(", "concat(", "not (", " and ", " or ", "proc.aname ", "proc.aname[", "fd.types ",
		"fd.net ", "fd.sip ", "evt.type ", "evt.buffer ", "proc.fdusage ", "proc.apid ", "fd.sport ",
		"evt.failed ",
	};
	unsigned seen[sizeof forms / sizeof forms[0]] = {0};
	for (int i = 0; i < 5000; i++) { /* text only: cheap, and enough that every form shows up */
		struct fc_buf c = {0};
		fc_gen_condition(&g, &c, DEPTH);
		for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++)
			seen[f] += strstr(c.p, forms[f]) != NULL;
		fc_buf_free(&c);
	}
	for (int round = 0; round < 3; round++) {
		struct batch b;
		batch_make(&g, &b, RULES_PER_BATCH, seed);
		for (int e = 0; e < 20; e++) {
			fc_gen_event(&g, &ev);
			fc_fake_format(&ev, evtext, sizeof evtext);
			for (uint32_t i = 0; i < b.n; i++) {
				int r = fc_ref_eval(b.r.comp.rules[i].ast, &x, err, sizeof err);
				cr_assert(r >= 0, "seed %#llx: reference error on `%s` | %s: %s", (unsigned long long)seed,
					  b.conds[i], evtext, err);
				cr_assert(!r || fc_evtset_has(&b.r.comp.rules[i].evts, ev.code),
					  "seed %#llx: `%s` matches %s but its event-type set lacks code %u",
					  (unsigned long long)seed, b.conds[i], evtext, ev.code);
				pairs++;
				trues += (unsigned)r;
			}
		}
		batch_free(&b);
	}
	for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++)
		cr_assert(seen[f] > 0, "seed %#llx: no generated condition holds `%s`", (unsigned long long)seed, forms[f]);
	double ratio = (double)trues / (double)pairs;
	cr_log_info("diff: %llu pairs, %.1f%% true", (unsigned long long)pairs, 100 * ratio);
	cr_assert(ratio > 0.25 && ratio < 0.75, "seed %#llx: %.1f%% of pairs true: the generator is off balance",
		  (unsigned long long)seed, 100 * ratio);
	fc_fake_free(&ev);
}

/* One VM under test and its disagreement counters. */
struct side {
	const char *name;
	uint32_t passes;
	struct fc_vmrun run;
	uint64_t wrong_eval, wrong_run, wrong_first, calls, refused;
};

static unsigned printed, printed_refused;

static void report(uint64_t seed, const char *side, const char *path, const char *cond, const char *event, bool ref,
		   bool vm)
{
	if (printed++ >= 25)
		return;
	fprintf(stderr,
		"DIFF seed=%#llx [%s, %s]\n  condition: %s\n  event:     %s\n  reference: %s   vm: %s\n",
		(unsigned long long)seed, side, path, cond, event, ref ? "true" : "false", vm ? "true" : "false");
}

/* Runs one event through one VM: every rule alone (fc_vm_eval_rule), then the event's index
 * (fc_vm_run, all matches); compares with the reference answers REF. */
static void run_side(struct side *sd, struct batch *b, struct fc_fake_evt *ev, const struct fc_extractor *x,
		     const bool *ref, uint32_t *matches, bool *hit, const char *evtext, uint64_t seed)
{
	uint32_t nb = fc_bundle_nrules(sd->run.b);
	fc_fake_reset_calls(ev);
	fc_vm_begin(sd->run.vm, ev->code, x);
	for (uint32_t i = 0; i < b->n; i++) {
		if (sd->run.refused[i])
			continue;
		bool v = fc_vm_eval_rule(sd->run.vm, sd->run.id_of[i]);
		if (v != ref[i]) {
			sd->wrong_eval++;
			report(seed, sd->name, "fc_vm_eval_rule", b->conds[i], evtext, ref[i], v);
		}
	}
	if (fc_fake_max_calls(ev) > 1)
		sd->calls++;
	uint32_t nm = fc_vm_run(sd->run.vm, ev->code, x, FC_MATCH_ALL, matches, nb);
	memset(hit, 0, sizeof(*hit) * nb);
	for (uint32_t k = 0; k < nm; k++)
		hit[matches[k]] = true;
	/* rules run in load order: first-match mode stops at the lowest id all-matches mode found
	 * (compared with the VM's own answers, so a wrong rule is counted once, above) */
	uint32_t first = FC_NONE;
	for (uint32_t i = 0; i < b->n; i++) {
		if (sd->run.refused[i])
			continue;
		if (hit[sd->run.id_of[i]] != ref[i]) {
			sd->wrong_run++;
			report(seed, sd->name, "fc_vm_run", b->conds[i], evtext, ref[i], hit[sd->run.id_of[i]]);
		}
		if (hit[sd->run.id_of[i]] && sd->run.id_of[i] < first)
			first = sd->run.id_of[i];
	}
	nm = fc_vm_run(sd->run.vm, ev->code, x, FC_MATCH_FIRST, matches, nb);
	if (nm != (first != FC_NONE) || (nm && matches[0] != first)) {
		sd->wrong_first++;
		if (printed++ < 25)
			fprintf(stderr, "DIFF seed=%#llx [%s, fc_vm_run first]: event %s: %u matches (first: rule %u), want "
				"rule %u\n", (unsigned long long)seed, sd->name, evtext, nm, nm ? matches[0] : FC_NONE, first);
	}
}

Test(diff, vm_agrees_with_reference)
{
	uint64_t seed = fc_gen_seed_from_env(), want = env_pairs(), pairs = 0, trues = 0;
	struct fc_gen g;
	fc_gen_init(&g, seed);
	struct fc_fake_evt ev;
	fc_fake_init(&ev);
	struct fc_extractor x = fc_fake_extractor(&ev);
	struct side sides[NSIDES] = {{.name = "all passes", .passes = FC_OPT_ALL},
				     {.name = "no passes", .passes = 0},
				     {.name = "some passes"}};
	char some[64];
	char err[512], evtext[4096];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	printed = printed_refused = 0;
	while (pairs < want) {
		struct batch b;
		batch_make(&g, &b, RULES_PER_BATCH, seed);
		sides[2].passes = (uint32_t)fc_gen_below(&g, 256);
		snprintf(some, sizeof some, "passes %#x", sides[2].passes);
		sides[2].name = some;
		for (int s = 0; s < NSIDES; s++) {
			cr_assert(fc_vmrun_init(&sides[s].run, &b.r.comp, sides[s].passes, err, sizeof err),
				  "seed %#llx [%s]: %s", (unsigned long long)seed, sides[s].name, err);
			cr_assert_eq(fc_bundle_nrules(sides[s].run.b), b.n - sides[s].run.nrefused);
			for (uint32_t i = 0; i < b.n; i++) {
				if (sides[s].run.refused[i]) {
					if (printed_refused++ < 5)
						fprintf(stderr, "REFUSED seed=%#llx [%s]: %s\n  %s\n", (unsigned long long)seed,
							sides[s].name, b.conds[i], sides[s].run.refused[i]);
					continue;
				}
				cr_assert_neq(sides[s].run.id_of[i], FC_NONE, "seed %#llx: rule r%u not in the bundle",
					      (unsigned long long)seed, i);
			}
			sides[s].refused += sides[s].run.nrefused;
		}
		bool *ref = calloc(b.n, sizeof(*ref)), *hit = calloc(b.n, sizeof(*hit));
		uint32_t *matches = calloc(b.n, sizeof(*matches));
		uint64_t left = (want - pairs + b.n - 1) / b.n;
		uint32_t events = left < EVENTS_PER_BATCH ? (uint32_t)left : EVENTS_PER_BATCH;
		for (uint32_t e = 0; e < events; e++) {
			fc_gen_event(&g, &ev);
			fc_fake_format(&ev, evtext, sizeof evtext);
			for (uint32_t i = 0; i < b.n; i++) {
				int r = fc_ref_eval(b.r.comp.rules[i].ast, &x, err, sizeof err);
				cr_assert(r >= 0, "seed %#llx: reference error on `%s` | %s: %s", (unsigned long long)seed,
					  b.conds[i], evtext, err);
				ref[i] = r;
				trues += (unsigned)r;
			}
			for (int s = 0; s < NSIDES; s++)
				run_side(&sides[s], &b, &ev, &x, ref, matches, hit, evtext, seed);
			pairs += b.n;
		}
		free(ref);
		free(hit);
		free(matches);
		for (int s = 0; s < NSIDES; s++)
			fc_vmrun_free(&sides[s].run);
		batch_free(&b);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	uint64_t wrong = 0;
	for (int s = 0; s < NSIDES; s++)
		wrong += sides[s].wrong_eval + sides[s].wrong_run + sides[s].wrong_first;
	fprintf(stderr,
		"diff: seed=%#llx pairs=%llu (%.1f%% true) disagreements (eval_rule+run): all passes %llu+%llu, no "
		"passes %llu+%llu, random passes %llu+%llu; wrong first matches: %llu; rules refused by the back end: %llu, %llu, %llu; events "
		"with repeated extractor calls: %llu, %llu, %llu; %.2f s\n",
		(unsigned long long)seed, (unsigned long long)pairs, 100.0 * (double)trues / (double)pairs,
		(unsigned long long)sides[0].wrong_eval, (unsigned long long)sides[0].wrong_run,
		(unsigned long long)sides[1].wrong_eval, (unsigned long long)sides[1].wrong_run,
		(unsigned long long)sides[2].wrong_eval, (unsigned long long)sides[2].wrong_run,
		(unsigned long long)(sides[0].wrong_first + sides[1].wrong_first + sides[2].wrong_first),
		(unsigned long long)sides[0].refused, (unsigned long long)sides[1].refused,
		(unsigned long long)sides[2].refused, (unsigned long long)sides[0].calls,
		(unsigned long long)sides[1].calls, (unsigned long long)sides[2].calls, secs);
	cr_assert_eq(wrong, 0, "seed %#llx: %llu VM answers disagree with the reference (first ones above); rerun "
		     "with FC_DIFF_SEED=%#llx FC_DIFF_PAIRS=%llu", (unsigned long long)seed, (unsigned long long)wrong,
		     (unsigned long long)seed, (unsigned long long)want);
	cr_assert_eq(sides[0].refused + sides[1].refused + sides[2].refused, 0,
		     "seed %#llx: the back end refused some rules (listed above)", (unsigned long long)seed);
	cr_assert_eq(sides[0].calls + sides[1].calls + sides[2].calls, 0,
		     "seed %#llx: the VM called the extractor more than once for one field spec in one event",
		     (unsigned long long)seed);
	fc_fake_free(&ev);
}
