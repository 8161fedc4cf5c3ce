/* test_bind.c — the state engine's bound extract functions (value.h fc_extract_bind_of) give
 * the same value as its dispatcher (fc_state_extract), field by field, on every event of the
 * sample captures: the VM calls the bound one, the output formatter and the tests the other.
 * Every catalog field is tried without argument, plus a few indexed and keyed forms. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfeed.h"
#include "fields.h"
#include "state_int.h"

/* A printable rendering of V (the kind, then its bytes or number), copied out before the
 * second extraction may reuse the engine's scratch space. */
static size_t render(const struct fc_val *v, char *o, size_t cap)
{
	size_t k = (size_t)snprintf(o, cap, "%u:", v->kind);
	switch (v->kind) {
	case FC_V_STR:
	case FC_V_BUF:
	case FC_V_IPV6:
		k += (size_t)snprintf(o + k, cap - k, "%u:", v->len);
		if (v->len && k + v->len < cap) {
			memcpy(o + k, v->s, v->len);
			k += v->len;
		}
		break;
	case FC_V_LIST:
		k += (size_t)snprintf(o + k, cap - k, "%u[", v->len);
		for (uint32_t i = 0; i < v->len && k < cap; i++)
			k += render(&v->items[i], o + k, cap - k);
		k += (size_t)snprintf(o + k, cap > k ? cap - k : 0, "]");
		break;
	case FC_V_NONE:
		break;
	default:
		k += (size_t)snprintf(o + k, cap - k, "%" PRIu64, v->u);
	}
	return k < cap ? k : cap;
}

static struct fc_fieldspec spec_of(enum fc_field_id id, const char *arg, bool index)
{
	struct fc_fieldspec f = {.id = id, .type = (enum fc_ptype)fc_fields[id].type, .flags = fc_fields[id].flags,
				 .arg = arg ? arg : "", .param = -1};
	if (arg) {
		f.has_arg = true;
		f.arg_is_index = index;
		f.index = index ? atoll(arg) : 0;
		f.arglen = (uint32_t)strlen(arg);
	}
	return f;
}

static uint64_t compare_all(const char *file, uint64_t *bound_fields)
{
	char path[4096], err[512];
	snprintf(path, sizeof path, "%s/../shared/captures/%s", FC_SOURCE_DIR, file);
	struct capfeed cf;
	if (capfeed_open(&cf, path, err, sizeof err)) {
		bool no_capture = !cf.cap; /* a missing sample is skipped; anything else fails */
		capfeed_close(&cf);
		cr_assert(no_capture, "%s", err);
		cr_skip_test("%s: %s", path, err);
	}
	struct fc_state *st = cf.st;
	fc_extract_bind_fn bind = fc_extract_bind_of(fc_state_extract);
	cr_assert_not_null(bind, "the state engine's extractor has a bind");
	cr_assert_null(fc_extract_bind_of(NULL));

	/* every field without argument, and some with */
	static struct fc_fieldspec specs[FC_F_MAX_ + 8];
	size_t n = 0;
	for (int id = 0; id < FC_F_MAX_; id++)
		if (!(fc_fields[id].flags & FC_FF_ARG_REQUIRED))
			specs[n++] = spec_of((enum fc_field_id)id, NULL, false);
	specs[n++] = spec_of(FC_F_PROC_ANAME, "1", true);
	specs[n++] = spec_of(FC_F_PROC_ANAME, "2", true);
	specs[n++] = spec_of(FC_F_PROC_ARGS, "0", true);
	specs[n++] = spec_of(FC_F_PROC_ENV, "PATH", false);
	fc_extract_fn fn[FC_F_MAX_ + 8];
	*bound_fields = 0;
	for (size_t i = 0; i < n; i++) {
		fn[i] = bind(&specs[i]);
		*bound_fields += fn[i] != NULL;
	}

	static char a[1 << 16], b[1 << 16];
	uint64_t events = 0, compared = 0;
	struct fc_evt ev;
	int rc;
	while ((rc = capfeed_next(&cf, &ev)) == 1) {
		events++;
		for (size_t i = 0; i < n; i++) {
			if (!fn[i])
				continue; /* the dispatcher itself (util.cnt counts calls: never called twice) */
			struct fc_val v1, v2;
			memset(&v1, 0xa5, sizeof v1);
			memset(&v2, 0x5a, sizeof v2);
			bool r1 = fc_state_extract(st, &specs[i], &v1);
			render(&v1, a, sizeof a);
			bool r2 = fn[i](st, &specs[i], &v2);
			render(&v2, b, sizeof b);
			cr_assert_eq(r1, r2, "%s: event %" PRIu64 " (type %u), %s: %d vs %d", file, events, ev.type,
				     fc_fields[specs[i].id].name, r1, r2);
			cr_assert_str_eq(a, b, "%s: event %" PRIu64 " (type %u), %s", file, events, ev.type,
					 fc_fields[specs[i].id].name);
			compared++;
		}
	}
	cr_assert_eq(rc, 0, "%s: %s", file, fc_capture_error(cf.cap));
	cr_assert_gt(events, 0);
	capfeed_close(&cf);
	return compared;
}

Test(bind, same_values_as_dispatcher)
{
	static const char *const caps[] = {"falco_psp_run_as_user_0_container.scap", "libs_sample.scap",
					   "falco_cat_write.scap", "libs_single_ipv6_conn.scap"};
	uint64_t total = 0, bound = 0;
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
		total += compare_all(caps[i], &bound);
	/* proc.name and fd.name have their own functions, and every thread and fd field a route */
	cr_assert_gt(bound, 100, "fields bound: %" PRIu64, bound);
	cr_assert_gt(total, 100000, "values compared: %" PRIu64, total);
}

Test(bind, unknown_and_unavailable_fields_use_the_dispatcher)
{
	fc_extract_bind_fn bind = fc_extract_bind_of(fc_state_extract);
	cr_assert_not_null(bind);
	struct fc_fieldspec f = spec_of(FC_F_PROC_NAME, NULL, false);
	cr_assert_not_null(bind(&f));
	f.id = FC_F_MAX_;
	cr_assert_null(bind(&f));
	for (int id = 0; id < FC_F_MAX_; id++)
		if (fc_fields[id].flags & FC_FF_UNAVAILABLE) {
			f = spec_of((enum fc_field_id)id, NULL, false);
			cr_assert_null(bind(&f), "%s", fc_fields[id].name);
		}
}
