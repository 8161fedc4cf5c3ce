/* gen.h — seeded random conditions and events for the differential test of the rule VM.
 *
 * Conditions draw from a pool of real catalog fields of every type (strings, numbers, ports,
 * doubles, booleans, addresses, networks, a list field, ancestor fields with and without index,
 * a byte buffer, evt.type), every operator and modifier legal for the type, transformers
 * (tolower, toupper, basename, len, concat), val() and transformer right-hand sides, nested
 * and/or/not, chains of checks on one field (what the set, trie and folding passes rewrite),
 * and sub-conditions repeated across rules (what the shared sub-expression pass shares). Events draw from the same small vocabulary, so checks match often; each field
 * is missing with probability ~15%. The generator is xorshift64*: the same seed gives the
 * same conditions and events on every host. */
#ifndef FC_GEN_H
#define FC_GEN_H

#include <stdint.h>

#include "arena.h"
#include "compile.h"
#include "diag.h"
#include "fakeevt.h"

#define FC_GEN_REUSE 16
struct fc_gen {
	uint64_t s;
	/* recent compound sub-conditions, repeated now and then so that rules share parts (CSE) */
	char reuse[FC_GEN_REUSE][512];
	unsigned nreuse;
};

/* The seed to use: FC_DIFF_SEED from the environment (decimal or 0x hex) when set, else one
 * derived from the clock and the pid. */
uint64_t fc_gen_seed_from_env(void);
void fc_gen_init(struct fc_gen *g, uint64_t seed);
uint64_t fc_gen_u64(struct fc_gen *g);
uint32_t fc_gen_below(struct fc_gen *g, uint32_t n); /* uniform in [0, n), n > 0 */

/* Appends one random condition (nesting depth at most DEPTH) to OUT, on one line. */
void fc_gen_condition(struct fc_gen *g, struct fc_buf *out, int depth);
/* Fills E (cleared first) with a random event. */
void fc_gen_event(struct fc_gen *g, struct fc_fake_evt *e);

/* A ruleset built from condition texts: rule I is named "r<I>" (desc d, output o, WARNING),
 * its condition written as a YAML literal block, then loaded and compiled by the front end. */
struct fc_gen_rules {
	struct fc_arena arena;
	struct fc_diags diags;
	struct fc_ruleset rs;
	struct fc_compiled comp;
};
/* Appends the YAML of one rule to Y. */
void fc_gen_rule_yaml(struct fc_buf *y, const char *name, const char *cond);
/* Loads and compiles Y (R is initialised here). Returns false when the text did not load or
 * some rule did not compile; the diagnostics are printed to stderr then. */
bool fc_gen_rules_compile(struct fc_gen_rules *r, const char *yaml);
void fc_gen_rules_free(struct fc_gen_rules *r);

#endif
