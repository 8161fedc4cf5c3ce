/* fuzz_evt.c — libFuzzer harness: one event from arbitrary bytes (first byte selects the
 * 26-byte or the v1 22-byte header), then every evt.* / syscall.* field extracted (with and
 * without a state resolver, with the argument forms evt.arg.NAME / evt.arg[N] / evt.rawarg /
 * evt.type.is) and rendered, and every parameter rendered plain and resolved; the selective and
 * lite decoder (fc_evt_decode_sel, codes skipped or not) must agree with fc_evt_decode. Built with
 * -DFC_FUZZ=ON (cmake/fuzz_events.cmake). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evtfields.h"

static bool r_fd(void *ud, int64_t fd, struct fc_fd_view *out)
{
	(void)ud;
	*out = (struct fc_fd_view){(uint8_t)(fd & 31), 'f', (uint8_t)(fd & 7), fd & 1, "/some/dir"};
	return fd >= 0 && fd < 1000;
}

static bool r_event_fd(void *ud, struct fc_fd_view *out)
{
	return r_fd(ud, 3, out);
}

static bool r_str(void *ud, const char **out)
{
	(void)ud;
	*out = "/home/user/";
	return true;
}

static bool r_comm(void *ud, int64_t tid, const char **out)
{
	(void)ud;
	*out = "comm";
	return tid & 1;
}

static bool r_name(void *ud, uint32_t id, const char **out)
{
	(void)ud;
	*out = id ? "user" : "";
	return id < 100;
}

static bool r_main(void *ud)
{
	(void)ud;
	return true;
}

static const struct fc_evt_resolver resolver = {NULL, r_event_fd, r_fd, r_comm, r_str,
						r_name, r_name, r_main};

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool v1 = data[0] & 1;
	/* Exactly-sized copy so any read past the event trips ASan. */
	uint8_t *buf = malloc(size - 1 ? size - 1 : 1);
	memcpy(buf, data + 1, size - 1);
	struct fc_evt ev;
	int rc = v1 ? fc_evt_decode_v1(buf, size - 1, &ev) : fc_evt_decode(buf, size - 1, &ev);
	if (!v1) {
		/* the replay decoders (lite codes skipped, or filled with a zeroed tail) agree */
		static bool skip[FC_EVENT_MAX];
		struct fc_evt sel, lite;
		check(fc_evt_decode_sel(buf, size - 1, NULL, &sel) == rc);
		uint16_t code = size - 1 >= 22 ? (uint16_t)(buf[20] | buf[21] << 8) : 0;
		if (code < FC_EVENT_MAX)
			skip[code] = true;
		check(fc_evt_decode_sel(buf, size - 1, skip, &lite) == rc);
		if (code < FC_EVENT_MAX)
			skip[code] = false;
		for (unsigned i = 0; rc == FC_EVT_OK && i < FC_EVT_MAX_PARAMS; i++)
			check(i < ev.nparams ? sel.plen[i] == ev.plen[i] && sel.pval[i] == ev.pval[i]
					     : sel.plen[i] == 0);
	}
	if (rc != FC_EVT_OK) {
		free(buf);
		return 0;
	}
	static char smem[1 << 18];
	struct fc_scratch s = {smem, sizeof smem, 0, 0};
	char out[1 << 16];
	for (int pass = 0; pass < 2; pass++) {
		struct fc_evt_ctx c = {&ev, 1, ev.ts / 2, "host", &s, pass ? ev.ts - 1 : 0, pass != 0, 1,
				       pass ? &resolver : NULL};
		for (unsigned i = 0; i < ev.nparams; i++) {
			size_t n;
			check(fc_evt_param_str(&c, i, pass, out, sizeof out, &n));
			check(n >= strlen(out));
		}
		for (int id = 0; id < FC_F_MAX_; id++) {
			if (!fc_evtfield_handles((enum fc_field_id)id))
				continue;
			unsigned variants = fc_fields[id].flags & FC_FF_ARG_REQUIRED ? 3 : 1;
			for (unsigned k = 0; k < variants; k++) {
				struct fc_fieldspec f = {(enum fc_field_id)id,
							 (enum fc_ptype)fc_fields[id].type,
							 fc_fields[id].flags, false, false, 0, "", 0, -1};
				if (variants > 1) {
					f.has_arg = true;
					const char *names[] = {"fd", "flags", "open"};
					if (k < ev.nparams && ev.info->nparams)
						names[2] = ev.info->params[k % ev.info->nparams].name;
					f.arg = names[k];
					f.arglen = (uint32_t)strlen(f.arg);
					if (k == 1 && id == FC_F_EVT_ARG) {
						f.arg_is_index = true;
						f.index = (int64_t)(ev.nparams ? ev.nparams - 1 : 5);
					}
				}
				s.used = 0;
				struct fc_val v;
				bool ok = fc_evtfield_extract(&c, &f, &v);
				check(ok == (v.kind != FC_V_NONE));
				size_t n = fc_value_render(&v, f.type, out, sizeof out);
				check(n >= strlen(out));
			}
		}
	}
	free(buf);
	return 0;
}
