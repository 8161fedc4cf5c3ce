/* vm.h — the userspace rule VM: runs a verified bundle's bytecode over events.
 *
 * One fc_vm per event-processing thread; several VMs may share one fc_bundle. Per event:
 * fc_vm_run picks the rules indexed under the event's code (bundle.h FC_SEC_INDEX), runs each
 * enabled rule's program in load order, fetching slot values lazily through the extractor and
 * caching them (and memoised SUB results) for the event; nothing is allocated per event
 * (transformers write into a scratch area sized at creation). */
#ifndef FC_VM_H
#define FC_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "value.h"

struct fc_vm;

struct fc_vm *fc_vm_new(const struct fc_bundle *b);
/* As fc_vm_new with a transformer scratch area of SCRATCH bytes (fc_vm_new: 64 KiB). A
 * transformer result that does not fit is missing and counted (stats.scratch_overflows). */
#define FC_VM_SCRATCH_DEFAULT (64u * 1024u)
struct fc_vm *fc_vm_new_sized(const struct fc_bundle *b, size_t scratch);
void fc_vm_free(struct fc_vm *vm);

/* Per-VM rule selection (falcod: -t/-T tags, enable/disable by name, priority threshold).
 * Starts as the bundle's `enabled` flags. */
void fc_vm_set_enabled(struct fc_vm *vm, uint32_t rule, bool on);
bool fc_vm_enabled(const struct fc_vm *vm, uint32_t rule);

enum fc_match_mode { FC_MATCH_FIRST = 0, FC_MATCH_ALL = 1 };

/* Starts a new event of code EVTYPE (invalidates the cached values of the previous one) and
 * evaluates the rules indexed under EVTYPE. Matching rule ids are written to MATCHES (at most
 * MAX; FIRST mode stops at the first). Returns the number of matches. The extractor is called
 * lazily; the values stay readable through fc_vm_value until the next fc_vm_run/begin. */
uint32_t fc_vm_run(struct fc_vm *vm, uint16_t evtype, const struct fc_extractor *x, enum fc_match_mode mode,
		   uint32_t *matches, uint32_t max);

/* For tests and tools: start an event without running rules, then evaluate one rule. */
void fc_vm_begin(struct fc_vm *vm, uint16_t evtype, const struct fc_extractor *x);
bool fc_vm_eval_rule(struct fc_vm *vm, uint32_t rule);

/* The value of SLOT for the current event (extracted now if not yet cached): what the output
 * formatter renders. */
const struct fc_val *fc_vm_value(struct fc_vm *vm, uint32_t slot);

/* Counters for metrics and the per-rule cost profile (cumulative). */
struct fc_vm_stats {
	uint64_t events, rules_run, matches, extractions, sub_hits;
	uint64_t scratch_overflows; /* transformer results that did not fit the scratch area */
};
void fc_vm_stats(const struct fc_vm *vm, struct fc_vm_stats *out);

/* Addition (issue 6, metrics): the per-rule cost profile. When on, fc_vm_run reads a monotonic
 * clock around each rule it evaluates and adds the nanoseconds and one evaluation to the rule's
 * totals (the time includes the field extractions the rule triggers first; values and SUB
 * results it finds cached were paid by an earlier rule). Off by default: the run loop then
 * reads no clock. False when the totals cannot be allocated. */
bool fc_vm_set_profile(struct fc_vm *vm, bool on);
/* Cumulative totals of RULE since profiling was turned on (zeros when it never was). */
void fc_vm_rule_profile(const struct fc_vm *vm, uint32_t rule, uint64_t *ns, uint64_t *evals);

#endif
