/* fuzz_bundle.c — libFuzzer harness for the bundle reader and the VM: fc_bundle_load on
 * arbitrary bytes; when the bytes start with the bundle magic and hold a header, the harness
 * first writes the right size and crc32 into it, so the fuzzer gets past the checksum and
 * exercises the verifier proper. A bundle that loads is then run over a few events with a fake
 * extractor whose values (every value kind, lists, missing) are derived from the input, and
 * every accessor is read. The signature check runs on the raw bytes first. Build: -DFC_FUZZ=ON with clang (cmake/fuzz.cmake). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bundle.h"
#include "sign.h"
#include "vm.h"

struct fz {
	const uint8_t *d;
	size_t n;
	uint32_t ev;
	struct fc_val items[4];
	uint8_t ip6[16];
};

static const char *const pool[] = {"", "bash", "/etc/passwd", "/usr/bin/sh", "-n", "-t", "val", "YmFzaA==",
				   "a*b", "ABC", "/var/run/docker.sock", "--", "x\0y"};

static bool fz_extract(void *ctx, const struct fc_fieldspec *f, struct fc_val *out)
{
	struct fz *z = ctx;
	uint32_t h = (uint32_t)f->id * 2654435761u ^ z->ev * 40503u;
	uint8_t sel = z->n ? z->d[h % z->n] : 0;
	const char *s = pool[(sel >> 4) % (sizeof pool / sizeof *pool)];
	switch (sel % 9) {
	case 0: out->kind = FC_V_NONE; return false;
	case 1: *out = (struct fc_val){.kind = FC_V_U64, .u = sel * 977u}; return true;
	case 2: *out = (struct fc_val){.kind = FC_V_I64, .i = -(int64_t)sel}; return true;
	case 3: *out = (struct fc_val){.kind = FC_V_DBL, .d = sel / 3.0}; return true;
	case 4: *out = (struct fc_val){.kind = FC_V_IPV4, .u = 0x0100000au + sel}; return true;
	case 5:
		memset(z->ip6, sel, 16);
		*out = (struct fc_val){.kind = FC_V_IPV6, .len = 16, .s = (const char *)z->ip6};
		return true;
	case 6:
		for (int i = 0; i < 4; i++)
			z->items[i] = (struct fc_val){.kind = FC_V_STR, .len = (uint32_t)strlen(pool[(sel + i) % 13]),
						      .s = pool[(sel + i) % 13]};
		*out = (struct fc_val){.kind = FC_V_LIST, .len = 1 + sel % 4, .items = z->items};
		return true;
	case 7: *out = (struct fc_val){.kind = FC_V_BUF, .len = 3, .s = "x\0y"}; return true;
	default: *out = (struct fc_val){.kind = FC_V_STR, .len = (uint32_t)strlen(s), .s = s}; return true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	if (size)
		memcpy(p, data, size);
	if (size >= 64 && !memcmp(p, FC_BUNDLE_MAGIC, 8)) {
		uint64_t sz = size;
		for (int i = 0; i < 8; i++)
			p[16 + i] = (uint8_t)(sz >> (8 * i));
		uint32_t end = (uint32_t)size, nsect = p[24] | p[25] << 8 | p[26] << 16 | (uint32_t)p[27] << 24;
		for (uint64_t i = 0; i < nsect && 64 + 16 * (i + 1) <= size; i++) {
			const uint8_t *e = p + 64 + 16 * i;
			uint32_t id = e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24;
			uint32_t off = e[8] | e[9] << 8 | e[10] << 16 | (uint32_t)e[11] << 24;
			if (id == FC_SEC_SIG && off >= 32 && off <= size)
				end = off;
		}
		uint32_t c = (uint32_t)crc32(crc32(0, Z_NULL, 0), p + 32, end - 32);
		for (int i = 0; i < 4; i++)
			p[28 + i] = (uint8_t)(c >> (8 * i));
	}
	struct fc_bundle *b = NULL;
	char err[512];
	/* the signature check (sign.h) on the bytes as given, with the public key of the signed seed
	 * (corpus/bundle/signed), so both the refusals and the accepting path are exercised */
	static const uint8_t pk[32] = {0x7a, 0xda, 0xe0, 0xf6, 0x1c, 0x45, 0x53, 0x79, 0x6f, 0x43, 0xec,
				       0xa9, 0x69, 0xa9, 0x3b, 0x8e, 0x1b, 0x23, 0x59, 0x90, 0xd3, 0xa0,
				       0xb2, 0xd4, 0xc7, 0x69, 0x8d, 0xaf, 0xf2, 0x7b, 0x28, 0x2c};
	int sig = fc_sign_verify(data, size, pk, err, sizeof err);
	if (fc_bundle_load(p, size, &b, err, sizeof err) == FC_BERR_OK) {
		size_t sink = 0;
		for (uint32_t r = 0; r < fc_bundle_nrules(b); r++) {
			const struct fc_bundle_rule *ru = fc_bundle_rule(b, r);
			sink += strlen(ru->name) + strlen(ru->desc) + strlen(ru->file) + ru->ntags + ru->nout;
			for (uint32_t t = 0; t < ru->ntags; t++)
				sink += strlen(ru->tags[t]);
			for (uint32_t o = 0; o < ru->nout; o++)
				sink += ru->out[o].lit ? ru->out[o].litlen : strlen(ru->out[o].key);
		}
		struct fc_vm *vm = fc_vm_new_sized(b, 256);
		struct fz z = {.d = data, .n = size};
		struct fc_extractor x = {fz_extract, &z};
		uint32_t m[16];
		static const uint16_t codes[] = {2, 3, 5, 293, 0, 1, FC_EVENT_MAX - 1};
		for (z.ev = 0; z.ev < 7; z.ev++) {
			sink += fc_vm_run(vm, codes[z.ev], &x, z.ev & 1 ? FC_MATCH_FIRST : FC_MATCH_ALL, m, 16);
			for (uint32_t s = 0; s < fc_bundle_nslots(b); s++)
				sink += fc_vm_value(vm, s)->kind + strlen(fc_bundle_slot_text(b, s));
		}
		fc_vm_begin(vm, 2, &x);
		for (uint32_t r = 0; r < fc_bundle_nrules(b); r++)
			sink += fc_vm_eval_rule(vm, r);
		fc_vm_free(vm);
		fc_bundle_free(b);
		if (sink == 0xdeadbeef + (size_t)sig)
			abort(); /* keeps the reads */
	}
	free(p);
	return 0;
}
