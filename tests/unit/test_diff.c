/* test_diff.c — the differential test of the rule VM: random conditions over real catalog
 * fields (tests/ref/gen.c) are compiled into one ruleset per batch, and for random events every
 * rule is evaluated by the reference evaluator (tests/ref/refeval.c) and by the VM running the
 * back end's bundle, optimised (FC_OPT_ALL) and not (passes = 0). Every answer must agree.
 *
 * FC_DIFF_PAIRS sets the number of (rule, event) pairs (default 100000), FC_DIFF_SEED the seed
 * (printed on failure; by default it changes per run). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakeevt.h"
#include "gen.h"
#include "refeval.h"

#define RULES_PER_BATCH 200
#define EVENTS_PER_BATCH 50
#define DEPTH 3

static __attribute__((unused)) uint64_t env_pairs(void)
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
	for (int round = 0; round < 3; round++) {
		struct batch b;
		batch_make(&g, &b, RULES_PER_BATCH, seed);
		for (uint32_t i = 0; i < b.n; i++)
			for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++)
				seen[f] += strstr(b.conds[i], forms[f]) != NULL;
		for (int e = 0; e < 20; e++) {
			fc_gen_event(&g, &ev);
			for (uint32_t i = 0; i < b.n; i++) {
				int r = fc_ref_eval(b.r.comp.rules[i].ast, &x, err, sizeof err);
				fc_fake_format(&ev, evtext, sizeof evtext);
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
