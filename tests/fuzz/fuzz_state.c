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

#include "fieldspecs.h"
#include "merge.h"
#include "state.h"
#include "staterec.h"

#define MAX_THREADS 48
#define MAX_FDS 24
#define MAX_EVENTS 256

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
