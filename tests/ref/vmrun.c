/* vmrun.c — owns the VM harness of the VM tests (vmrun.h): back end → bundle bytes → reader →
 * VM, with the compiled-rule → bundle-rule mapping. */
#include "vmrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool fc_vmrun_init(struct fc_vmrun *r, struct fc_compiled *c, uint32_t passes, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	struct fc_backend_opts o = {.passes = passes};
	struct fc_buf out = {0};
	unsigned errs = c->rs->diags->nerrors;
	if (!fc_backend_bundle(c, &o, &out) || c->rs->diags->nerrors != errs) {
		for (const struct fc_diag *d = c->rs->diags->head; d; d = d->next)
			if (fc_diag_code_is_error(d->code))
				fc_diag_print(stderr, d, false);
		snprintf(err, errlen, "the back end failed (passes %#x)", passes);
		fc_buf_free(&out);
		return false;
	}
	r->size = out.len;
	int rc = fc_bundle_load(out.p, out.len, &r->b, err, errlen);
	fc_buf_free(&out);
	if (rc != FC_BERR_OK)
		return false;
	r->vm = fc_vm_new(r->b);
	if (!r->vm) {
		snprintf(err, errlen, "fc_vm_new failed");
		return false;
	}
	r->n = c->nrules;
	r->id_of = malloc(sizeof(*r->id_of) * (c->nrules ? c->nrules : 1));
	uint32_t nb = fc_bundle_nrules(r->b);
	for (uint32_t i = 0; i < c->nrules; i++) {
		r->id_of[i] = FC_NONE;
		for (uint32_t j = 0; j < nb; j++)
			if (!strcmp(fc_bundle_rule(r->b, j)->name, c->rules[i].rule->name)) {
				r->id_of[i] = j;
				break;
			}
	}
	return true;
}

void fc_vmrun_free(struct fc_vmrun *r)
{
	if (r->vm)
		fc_vm_free(r->vm);
	if (r->b)
		fc_bundle_free(r->b);
	free(r->id_of);
	memset(r, 0, sizeof *r);
}
