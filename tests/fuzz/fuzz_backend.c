/* fuzz_backend.c — differential libFuzzer harness for everything after the front end: an
 * arbitrary rules file is loaded and checked (as fuzz_yaml), every rule that compiles goes
 * through the back end twice (all optimiser passes, none), each bundle must pass the reader's
 * verifier, and on typed random events (tests/ref/gen.c, seeded from the input) every rule's
 * answer from both VMs — alone (fc_vm_eval_rule) and through the event-type index
 * (fc_vm_run) — must equal the reference evaluator's on the checked AST (tests/ref/refeval.c),
 * and a rule may only match events of its event-type set (§12). Any difference aborts with the
 * rule and the event. Built only with -DFC_FUZZ=ON (cmake/fuzz_compiler.cmake). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "compile.h"
#include "fakeevt.h"
#include "gen.h"
#include "refeval.h"
#include "vmrun.h"

#define EVENTS 6

static uint64_t fnv(const uint8_t *d, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 1099511628211ull;
	return h;
}

static void differ(const struct fc_crule *cr, const char *side, const char *evtext, int ref, int vm)
{
	struct fc_buf b = {0};
	fc_ast_print(&b, cr->ast);
	fprintf(stderr, "fuzz_backend: %s disagrees with the reference on rule '%s'\n  condition: %s\n  event: %s\n"
		"  reference: %d, vm: %d\n", side, cr->rule->name, b.p ? b.p : "", evtext, ref, vm);
	fc_buf_free(&b);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (256u << 10))
		return 0;
	struct fc_arena a = {0};
	struct fc_diags d;
	struct fc_ruleset rs;
	fc_diags_init(&d, &a);
	fc_ruleset_init(&rs, &a, &d);
	rs.max_expansion = 32u << 20;
	d.file = "fuzz.yaml";
	fc_ruleset_load_text(&rs, "fuzz.yaml", (const char *)data, size);
	struct fc_compiled c;
	fc_compile(&rs, &c);
	uint32_t nok = 0;
	for (uint32_t i = 0; i < c.nrules; i++)
		nok += c.rules[i].ok;
	struct fc_vmrun sides[2];
	static const uint32_t passes[2] = {FC_OPT_ALL, 0};
	bool built[2] = {false, false};
	char err[512];
	for (int s = 0; s < 2 && nok; s++) {
		built[s] = fc_vmrun_init(&sides[s], &c, passes[s], err, sizeof err);
		/* a back-end limit is a diagnostic; a bundle the verifier refuses is a bug */
		if (!built[s] && strncmp(err, "the back end fails", 18)) {
			fprintf(stderr, "fuzz_backend: the bundle (passes %#x) does not load: %s\n", passes[s], err);
			abort();
		}
	}
	if (built[0] && built[1]) {
		struct fc_gen g;
		fc_gen_init(&g, fnv(data, size));
		struct fc_fake_evt ev;
		fc_fake_init(&ev);
		struct fc_extractor x = fc_fake_extractor(&ev);
		char evtext[4096];
		int *ref = malloc(sizeof(*ref) * c.nrules);
		uint32_t *match[2]; /* fc_vm_run's answer for each side, sized once to its bundle */
		for (int s = 0; s < 2; s++) {
			uint32_t nb = fc_bundle_nrules(sides[s].b);
			match[s] = malloc(sizeof(*match[s]) * (nb ? nb : 1));
		}
		for (int e = 0; e < EVENTS; e++) {
			fc_gen_event(&g, &ev);
			fc_fake_format(&ev, evtext, sizeof evtext);
			for (uint32_t i = 0; i < c.nrules; i++) {
				const struct fc_crule *cr = &c.rules[i];
				/* -1: a form the reference does not evaluate; such rules are not compared */
				ref[i] = cr->ok ? fc_ref_eval(cr->ast, &x, err, sizeof err) : -1;
				if (ref[i] > 0 && !fc_evtset_has(&cr->evts, ev.code))
					differ(cr, "the event-type set", evtext, ref[i], 0);
			}
			for (int s = 0; s < 2; s++) {
				struct fc_vmrun *r = &sides[s];
				fc_vm_begin(r->vm, ev.code, &x);
				for (uint32_t i = 0; i < c.nrules; i++) {
					if (ref[i] < 0 || r->refused[i] || r->id_of[i] == FC_NONE)
						continue;
					int v = fc_vm_eval_rule(r->vm, r->id_of[i]);
					if (v != ref[i])
						differ(&c.rules[i], s ? "fc_vm_eval_rule (no passes)" : "fc_vm_eval_rule (all passes)",
						       evtext, ref[i], v);
				}
				uint32_t *m = match[s];
				uint32_t nm = fc_vm_run(r->vm, ev.code, &x, FC_MATCH_ALL, m, fc_bundle_nrules(r->b));
				for (uint32_t i = 0; i < c.nrules; i++) {
					if (ref[i] < 0 || r->refused[i] || r->id_of[i] == FC_NONE)
						continue;
					bool hit = false;
					for (uint32_t k = 0; k < nm; k++)
						hit |= m[k] == r->id_of[i];
					/* fc_vm_run runs the enabled rules indexed under the event's code */
					if (hit != (ref[i] && c.rules[i].rule->enabled))
						differ(&c.rules[i], s ? "fc_vm_run (no passes)" : "fc_vm_run (all passes)", evtext,
						       ref[i], hit);
				}
			}
		}
		for (int s = 0; s < 2; s++)
			free(match[s]);
		free(ref);
		fc_fake_free(&ev);
	}
	for (int s = 0; s < 2; s++)
		if (built[s])
			fc_vmrun_free(&sides[s]);
	fc_ruleset_free(&rs);
	fc_arena_free(&a);
	return 0;
}
