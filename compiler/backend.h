/* backend.h — falcoc's back end: from checked rules (compile.h) to a bundle (runtime/bundle.h).
 *
 * Stages, each with one entry point and a dump (`falcoc dump --stage=...`):
 *   ir    each rule condition lowered to a predicate graph (libpcap style: blocks with one test
 *         and true/false successors), constants typed against the left field;
 *   opt   the optimiser passes (each switchable: FC_OPT_*), including sub-expressions shared
 *         across rules (memoised SUB programs);
 *   bc    the emitted bytecode with its constant pools and a per-instruction source map;
 *   kern  the kernel part (syscall selection; predicate programs come with the probe);
 * then the bundle writer (byte-identical output for identical input, on any host). */
#ifndef FC_BACKEND_H
#define FC_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "compile.h"

enum fc_opt_pass {
	FC_OPT_FOLD = 1 << 0,   /* constant folding (evt.num=0, evt.type sets that cannot meet, ...) */
	FC_OPT_DEAD = 1 << 1,   /* dead-branch and unreachable-block removal, jump threading */
	FC_OPT_SETS = 1 << 2,   /* or-chains of = / in → hashed sets (IN_S, IN_N, IN_IP) */
	FC_OPT_TRIES = 1 << 3,  /* startswith anyof / or-chains of startswith → PREFIX_S */
	FC_OPT_ICASE = 1 << 4,  /* pre-folded case-insensitive constants */
	FC_OPT_REGEX = 1 << 5,  /* literal pre-check for regex */
	FC_OPT_CSE = 1 << 6,    /* shared sub-expressions across rules (SUB, memoised per event) */
	FC_OPT_EVTYPE = 1 << 7, /* evt.type = / in on event names → EVTYPE bitset tests */
	FC_OPT_ALL = 0xff,
};

/* Figures of one compilation (falcoc compile's summary line, benchmarks). */
struct fc_backend_stats {
	uint32_t rules, progs, subs, insns, slots, strings;
	uint64_t bytes;
};

struct fc_backend_opts {
	uint32_t passes;  /* FC_OPT_* (FC_OPT_ALL by default) */
	struct fc_backend_stats *stats; /* filled by fc_backend_bundle when not NULL */
};

enum fc_dump_stage { FC_DUMP_AST, FC_DUMP_IR, FC_DUMP_OPT, FC_DUMP_BC, FC_DUMP_KERN };

/* Compiles every ok rule of C (fc_compile succeeded for them) into a bundle image appended to
 * OUT. Rules that failed or were skipped are left out. Returns false (with diagnostics in
 * c->rs->diags) only on a back-end limit (e.g. more than 65535 slots). */
bool fc_backend_bundle(struct fc_compiled *c, const struct fc_backend_opts *o, struct fc_buf *out);

/* Writes the dump of STAGE for every ok rule (or only the rule named RULE when not NULL). */
bool fc_backend_dump(struct fc_compiled *c, const struct fc_backend_opts *o, enum fc_dump_stage stage,
		     const char *rule, FILE *out);

#endif
