/* fuzz_state.c — libFuzzer harness for the state engine on hostile events: a sequence of
 * records (staterec.h) — process and fd table entries as a capture gives them, and raw events
 * with either header form — goes through the path falcod uses: fc_evt_decode[_v1] →
 * fc_merge_push (old-version conversion, enter/exit merge) → fc_state_event, then every field
 * of the catalog is extracted through the engine's extractor (each with the argument forms it
 * accepts: indexes, keys, evt.arg.NAME, evt.type.is.X ...) and every byte of every value read,
 * then fc_state_event_done. Tables are small (threads, fds, pending enters) so eviction paths
 * run; the host root is the test fixture tree (tests/data/fakeproc, so /proc lookups of unknown
 * threads read files, deterministically) and container metadata is loaded from the fixture.
 * Built only with -DFC_FUZZ=ON (cmake/fuzz_compiler.cmake). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "merge.h"
#include "state.h"
#include "staterec.h"

#define MAX_THREADS 48
#define MAX_FDS 24
#define MAX_EVENTS 256

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
	snprintf(s->arg, sizeof s->arg, "%s", r.arg);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!specs)
		build_specs();
	struct fc_state_opts o;
	fc_state_opts_default(&o);
	o.max_threads = MAX_THREADS;
	o.max_fds_per_proc = MAX_FDS;
	o.purge_idle_ns = 5000000000ull;
	o.host_root = FC_SOURCE_DIR "/tests/data/fakeproc";
	o.hostname = "fuzzhost";
	o.boot_ts = 1600000000000000000ull;
	struct fc_state *st = fc_state_new(&o);
	struct fc_merge *mg = fc_merge_new(4);
	if (!st || !mg)
		abort();
	char err[256];
	if (fc_state_load_container_meta(st, FC_SOURCE_DIR "/tests/data/ctrmeta.json", err, sizeof err))
		abort();
	size_t sink = 0, events = 0;
	struct sr_cur in = {data, size};
	while (in.n >= 3 && events < MAX_EVENTS) {
		unsigned kind = (unsigned)sr_u(&in, 1) & 3;
		size_t len = (size_t)sr_u(&in, 2);
		if (len > in.n)
			len = in.n;
		struct sr_cur body = {in.p, len};
		in.p += len;
		in.n -= len;
		if (kind == SR_PROC) {
			struct fc_cap_proc p;
			sr_proc(&body, &p);
			fc_state_seed_proc(st, &p);
			continue;
		}
		if (kind == SR_FD) {
			struct fc_cap_fd f;
			sr_fd(&body, &f);
			fc_state_seed_fd(st, &f);
			continue;
		}
		/* An exactly-sized copy (ASan sees reads past the event), len patched to fit. */
		uint8_t *buf = malloc(len ? len : 1);
		memcpy(buf, body.p, len);
		if (len >= 20)
			for (int i = 0; i < 4; i++)
				buf[16 + i] = (uint8_t)(len >> (8 * i));
		struct fc_evt raw, ev;
		int rc = kind == SR_EVT_V1 ? fc_evt_decode_v1(buf, len, &raw) : fc_evt_decode(buf, len, &raw);
		if (rc == FC_EVT_OK && fc_merge_push(mg, &raw, &ev) == 1) {
			events++;
			fc_state_event(st, &ev);
			sink += extract_all(st);
			fc_state_event_done(st);
		}
		free(buf);
	}
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	if (s.threads > MAX_THREADS || fc_merge_pending(mg) > 4)
		abort();
	fc_merge_free(mg);
	fc_state_free(st);
	if (sink == 0xdeadbeef)
		abort(); /* keeps the reads */
	return 0;
}
