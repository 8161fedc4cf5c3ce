/* fieldspecs.h — for the state-engine harnesses (fuzz_state, fuzz_ctrmeta): every catalog field
 * resolved once into extractor specs, with the argument forms it accepts (indexes, keys,
 * evt.arg.NAME, evt.type.is.X, ...), and extraction of all of them through the state engine's
 * extractor, reading every byte of every value (so ASan sees a bad length) and checking the
 * value contract of value.h (return value agrees with the kind, lists never nest). */
#ifndef FC_FUZZ_FIELDSPECS_H
#define FC_FUZZ_FIELDSPECS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "state.h"

struct spec {
	struct fc_fieldspec f;
	char arg[64];
};

static struct spec *specs;
static size_t nspecs;

static void add_spec(const char *name, const char *arg)
{
	struct fc_fieldref r;
	char err[256];
	if (!fc_field_resolve(name, arg, &r, err, sizeof err))
		return;
	specs = realloc(specs, sizeof *specs * (nspecs + 1));
	if (!specs)
		abort();
	struct spec *s = &specs[nspecs++];
	snprintf(s->arg, sizeof s->arg, "%.*s", (int)sizeof s->arg - 1, r.arg);
	s->f = (struct fc_fieldspec){.id = r.id, .type = r.type, .flags = r.flags, .has_arg = r.has_arg,
				     .arg_is_index = r.arg_is_index, .index = r.index, .arg = NULL,
				     .arglen = (uint32_t)strlen(s->arg), .param = -1};
}

/* Every field, with the arguments of the kinds it takes (those that do not resolve are left
 * out). Spec args point into the array, fixed once it stops growing. */
static void build_specs(void)
{
	static const char *const idx[] = {"0", "1", "2", "3", "7", "63"};
	static const char *const keys[] = {"HOME", "PATH", "cpu", "memory", "name", "/etc*", "/",
					   "io.kubernetes.pod.name", "app", "*"};
	static const char *const dots[] = {"fd", "res", "name", "flags", "path", "filename", "dirfd", "pid",
					   "uid", "data", "size", "tuple", "exe", "args", "cwd", "comm",
					   "newpath", "oldpath", "target", "linkpath", "mode", "dev", "ino",
					   "addr", "src", "dst", "open", "execve", "connect", "cpu", "unknown"};
	for (size_t i = 0; i < FC_F_MAX_; i++) {
		const struct fc_field *fl = &fc_fields[i];
		char name[256];
		if (!(fl->flags & FC_FF_ARG_REQUIRED))
			add_spec(fl->name, NULL);
		if (fl->flags & FC_FF_ARG_DOT)
			for (size_t k = 0; k < sizeof dots / sizeof *dots; k++) {
				snprintf(name, sizeof name, "%s.%s", fl->name, dots[k]);
				add_spec(name, NULL);
			}
		if (fl->flags & FC_FF_ARG_INDEX)
			for (size_t k = 0; k < sizeof idx / sizeof *idx; k++)
				add_spec(fl->name, idx[k]);
		if (fl->flags & FC_FF_ARG_KEY)
			for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
				add_spec(fl->name, keys[k]);
	}
	for (size_t i = 0; i < nspecs; i++)
		specs[i].f.arg = specs[i].arg;
}

static size_t touch(const struct fc_val *v)
{
	size_t sum = 0;
	switch (v->kind) {
	case FC_V_STR:
	case FC_V_BUF:
	case FC_V_IPV6:
		for (uint32_t i = 0; i < v->len; i++)
			sum += (uint8_t)v->s[i];
		break;
	case FC_V_LIST:
		for (uint32_t i = 0; i < v->len; i++) {
			if (v->items[i].kind == FC_V_LIST)
				abort(); /* lists never nest (value.h) */
			sum += touch(&v->items[i]);
		}
		break;
	default:
		sum += v->u & 1;
	}
	return sum;
}

static size_t extract_all(struct fc_state *st)
{
	const struct fc_extractor *x = fc_state_extractor(st);
	size_t sum = 0;
	for (size_t i = 0; i < nspecs; i++) {
		struct fc_val v;
		memset(&v, 0xa5, sizeof v);
		bool ok = x->extract(x->ctx, &specs[i].f, &v);
		if (ok != (v.kind != FC_V_NONE)) {
			fprintf(stderr, "field %s[%s]: returned %d with kind %d\n", fc_fields[specs[i].f.id].name,
				specs[i].arg, ok, v.kind);
			abort();
		}
		if (v.kind > FC_V_LIST)
			abort();
		sum += touch(&v);
	}
	return sum;
}

#endif
