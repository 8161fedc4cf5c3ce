/* fuzz_ctrmeta.c — libFuzzer harness for container metadata, which whoever starts a container
 * controls (names, images, labels, mounts): the input is loaded as the `docker inspect`-form
 * metadata file (fc_state_load_container_meta, through a memfd) and fed as an old capture's
 * container JSON event (fc_container_json_event), both through the JSON reader (json.c). Then
 * threads whose cgroups name containers — the fixture's, and the first 64- and 12-hex-digit ids
 * found in the input, under docker, kubepods and cri-o layouts — are seeded, and every catalog
 * field is extracted for each on a bare event. Built only with -DFC_FUZZ=ON
 * (cmake/fuzz_compiler.cmake). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "events.h"
#include "fieldspecs.h"
#include "state_int.h"

#define FIXTURE_ID "3f8e2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"

/* The first run of exactly N hex digits in the input ("" if none). */
static void hex_id(const uint8_t *d, size_t n, size_t want, char *out)
{
	out[0] = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && isxdigit(d[j]))
			j++;
		if (j - i == want) {
			memcpy(out, d + i, want);
			out[want] = 0;
			return;
		}
		i = j + 1;
	}
}

static void seed(struct fc_state *st, uint64_t tid, const char *cgroups)
{
	struct fc_cap_proc p;
	memset(&p, 0, sizeof p);
	p.version = 9;
	p.tid = p.pid = tid;
	p.ptid = 1;
	p.sid = p.vpgid = p.pgid = (int64_t)tid;
	p.vtid = p.vpid = 1;
	p.comm = (struct fc_cap_str){"nginx", 5};
	p.exe = p.exepath = (struct fc_cap_str){"/usr/sbin/nginx", 15};
	p.args = (struct fc_cap_str){"-g\0daemon off;\0", 16};
	p.cwd = p.root = (struct fc_cap_str){"/", 1};
	p.cgroups = (struct fc_cap_str){cgroups, (uint32_t)strlen(cgroups) + 1};
	p.loginuid = UINT32_MAX;
	fc_state_seed_proc(st, &p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!specs)
		build_specs();
	if (size > (1u << 20))
		return 0;
	struct fc_state_opts o;
	fc_state_opts_default(&o);
	o.host_root = NULL;
	o.hostname = "fuzzhost";
	struct fc_state *st = fc_state_new(&o);
	if (!st)
		abort();
	int fd = memfd_create("ctrmeta", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	char path[64], err[256];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	(void)fc_state_load_container_meta(st, path, err, sizeof err);
	close(fd);
	fc_container_json_event(st, (const char *)data, size);

	char id64[65], id12[13], cg[8][256];
	hex_id(data, size, 64, id64);
	hex_id(data, size, 12, id12);
	snprintf(cg[0], sizeof cg[0], "cpuset=/docker/%s", FIXTURE_ID);
	snprintf(cg[1], sizeof cg[1], "cpu=/kubepods/besteffort/pod8a1b2c3d/%s", FIXTURE_ID);
	snprintf(cg[2], sizeof cg[2], "cpuset=/docker/%s", id64);
	snprintf(cg[3], sizeof cg[3], "memory=/kubepods.slice/kubepods-pod1.slice/crio-%s.scope", id64);
	snprintf(cg[4], sizeof cg[4], "cpu=/system.slice/docker-%s.scope", id64);
	snprintf(cg[5], sizeof cg[5], "cpuset=/docker/%s", id12);
	snprintf(cg[6], sizeof cg[6], "cpu=/user.slice");
	snprintf(cg[7], sizeof cg[7], "cpuset=/lxc/%s", id12);
	size_t sink = 0;
	uint8_t ev[FC_EVT_HDR_LEN];
	for (uint64_t i = 0; i < 8; i++) {
		uint64_t tid = 1000 + i;
		seed(st, tid, cg[i]);
		/* a bare close exit (no parameters) on that thread: the fields read the state */
		uint64_t ts = 1700000000000000000ull + i;
		uint32_t len = FC_EVT_HDR_LEN;
		uint16_t type = FC_PPME_SYSCALL_CLOSE_X;
		memset(ev, 0, sizeof ev);
		for (int k = 0; k < 8; k++) {
			ev[k] = (uint8_t)(ts >> (8 * k));
			ev[8 + k] = (uint8_t)(tid >> (8 * k));
		}
		for (int k = 0; k < 4; k++)
			ev[16 + k] = (uint8_t)(len >> (8 * k));
		ev[20] = (uint8_t)type;
		ev[21] = (uint8_t)(type >> 8);
		struct fc_evt e;
		if (fc_evt_decode(ev, sizeof ev, &e) != FC_EVT_OK)
			abort();
		fc_state_event(st, &e);
		sink += extract_all(st);
		fc_state_event_done(st);
	}
	fc_state_free(st);
	if (sink == 0xdeadbeef)
		abort(); /* keeps the reads */
	return 0;
}
