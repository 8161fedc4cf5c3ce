/* vmrun.c — owns the VM harness of the VM tests (vmrun.h): back end → bundle bytes → reader →
 * VM, with the compiled-rule → bundle-rule mapping and the isolation of refused rules (each
 * rule is then built alone to find the ones the back end rejects; the others are rebuilt
 * together). */
#include "vmrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Builds the ok rules of C. On a back-end error, *WHY is the first new error message. */
static bool build(struct fc_compiled *c, uint32_t passes, struct fc_buf *out, const char **why)
{
	struct fc_diags *d = c->rs->diags;
	unsigned errs = d->nerrors;
	struct fc_diag **tail = d->tail;
	struct fc_backend_opts o = {.passes = passes};
	out->len = 0;
	bool ok = fc_backend_bundle(c, &o, out) && d->nerrors == errs;
	if (!ok && why) {
		*why = "the back end failed without a diagnostic";
		for (const struct fc_diag *x = tail ? *tail : NULL; x; x = x->next)
			if (fc_diag_code_is_error(x->code)) {
				*why = x->msg;
				break;
			}
	}
	return ok;
}

/* The first error diagnostic raised in the context of rule I, or DFLT. */
static const char *rule_error(struct fc_compiled *c, uint32_t i, const char *dflt)
{
	for (const struct fc_diag *x = c->rs->diags->head; x; x = x->next)
		for (unsigned f = 0; f < x->nframes && fc_diag_code_is_error(x->code); f++)
			if (!strcmp(x->frames[f]->item_type, "rule") &&
			    !strcmp(x->frames[f]->item_name, c->rules[i].rule->name))
				return x->msg;
	return dflt;
}

bool fc_vmrun_init(struct fc_vmrun *r, struct fc_compiled *c, uint32_t passes, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->n = c->nrules;
	r->id_of = malloc(sizeof(*r->id_of) * (c->nrules ? c->nrules : 1));
	r->refused = calloc(c->nrules ? c->nrules : 1, sizeof(*r->refused));
	struct fc_buf out = {0};
	if (!build(c, passes, &out, NULL)) {
		/* find the rules the back end refuses, each built alone */
		bool *was = malloc(sizeof(*was) * (c->nrules ? c->nrules : 1));
		for (uint32_t i = 0; i < c->nrules; i++)
			was[i] = c->rules[i].ok;
		for (uint32_t i = 0; i < c->nrules; i++) {
			if (!was[i])
				continue;
			for (uint32_t j = 0; j < c->nrules; j++)
				c->rules[j].ok = j == i;
			const char *why;
			if (!build(c, passes, &out, &why)) {
				if (!strcmp(why, "the back end failed without a diagnostic"))
					why = rule_error(c, i, why); /* reported once already (deduplicated) */
				r->refused[i] = why;
				r->nrefused++;
			}
		}
		for (uint32_t i = 0; i < c->nrules; i++)
			c->rules[i].ok = was[i] && !r->refused[i];
		bool ok = build(c, passes, &out, NULL);
		for (uint32_t i = 0; i < c->nrules; i++)
			c->rules[i].ok = was[i];
		free(was);
		if (!ok) {
			snprintf(err, errlen, "the back end fails (passes %#x) even without the %u rules it refuses alone",
				 passes, r->nrefused);
			fc_buf_free(&out);
			return false;
		}
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
	uint32_t nb = fc_bundle_nrules(r->b);
	for (uint32_t i = 0; i < c->nrules; i++) {
		r->id_of[i] = FC_NONE;
		for (uint32_t j = 0; j < nb && !r->refused[i]; j++)
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
	free(r->refused);
	memset(r, 0, sizeof *r);
}
