/* vmrun.h — the VM side of the VM tests: compiles a checked ruleset (compile.h) with the back
 * end, loads the bundle through the reader/verifier and starts a VM on it, remembering which
 * bundle rule id each compiled rule got (matched by name). A rule the back end refuses (a
 * back-end diagnostic) is left out of the bundle and reported, so one refused rule does not hide
 * the results of the others. */
#ifndef FC_VMRUN_H
#define FC_VMRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "bundle.h"
#include "vm.h"

struct fc_vmrun {
	struct fc_bundle *b;
	struct fc_vm *vm;
	uint32_t *id_of;     /* compiled rule index → bundle rule id (FC_NONE when left out) */
	const char **refused; /* compiled rule index → the back end's message when it refused it, or NULL */
	uint32_t n, nrefused;
	size_t size; /* bundle bytes */
};

/* Builds C's bundle with the optimiser passes PASSES (FC_OPT_*; 0 = none), loads it and starts a
 * VM. False with a message in ERR when no bundle could be built or loaded. */
bool fc_vmrun_init(struct fc_vmrun *r, struct fc_compiled *c, uint32_t passes, char *err, size_t errlen);
void fc_vmrun_free(struct fc_vmrun *r);

#endif
