/* vm_leaf.c — micro-benchmark of single-leaf rules in the VM: ns per leaf for EQ_S, IN_S,
 * PREFIX_S, CONTAINS, GLOB and REGEX on one field, through a fake extractor that returns a
 * fixed path. "uncached": a new event per evaluation (fc_vm_run: index lookup, extraction,
 * test); "cached": one event, the rule re-evaluated (dispatch + test on the cached value).
 * Usage: vm_leaf [iterations]   (built with -DFC_BENCH=ON, cmake/bench.cmake) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundle.h"
#include "bundle_builder.h"
#include "vm.h"

static const char *value = "/usr/lib/x86_64-linux-gnu/libc.so.6";

static bool fake(void *ctx, const struct fc_fieldspec *f, struct fc_val *out)
{
	(void)ctx;
	(void)f;
	*out = (struct fc_val){.kind = FC_V_STR, .len = (uint32_t)strlen(value), .s = value};
	return true;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 5000000;
	static const char *items[64];
	static char buf[64][48];
	for (int i = 0; i < 64; i++) {
		snprintf(buf[i], sizeof buf[i], "/opt/app%02d/", i);
		items[i] = buf[i];
	}
	struct {
		const char *name;
		uint8_t op;
	} cases[] = {{"EQ_S", FC_OPC_EQ_S},       {"IN_S(64)", FC_OPC_IN_S}, {"PREFIX_S(64)", FC_OPC_PREFIX_S},
		     {"CONTAINS", FC_OPC_CONTAINS}, {"GLOB", FC_OPC_GLOB},     {"REGEX", FC_OPC_REGEX}};
	struct fc_extractor x = {fake, NULL};
	printf("value \"%s\", %ld iterations per case\n", value, iters);
	printf("%-14s %12s %12s %8s\n", "leaf", "uncached ns", "cached ns", "result");
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		struct bb *b = bb_new();
		uint32_t ev = bb_evset(b, 2, -1);
		uint32_t s = bb_field_t(b, "fd.name", NULL, PT_FSPATH, 0);
		uint32_t k;
		switch (cases[c].op) {
		case FC_OPC_EQ_S: k = bb_str(b, "/usr/lib/x86_64-linux-gnu/libc.so.7"); break;
		case FC_OPC_IN_S: k = bb_slistv(b, 64, items); break;
		case FC_OPC_PREFIX_S: k = bb_slistv(b, 64, items); break;
		case FC_OPC_CONTAINS: k = bb_str(b, "libcrypto"); break;
		case FC_OPC_GLOB: k = bb_str(b, "/usr/lib/*/libssl.so*"); break;
		default: k = bb_regex(b, "/usr/lib/.*/libssl\\.so.*", "libssl"); break;
		}
		bb_rule(b, cases[c].name, bb_leaf_prog(b, FC_PK_RULE, cases[c].op, 0, (uint16_t)s, k, false), ev);
		size_t len;
		uint8_t *img = bb_build(b, &len);
		struct fc_bundle *B;
		char err[256];
		if (fc_bundle_load(img, len, &B, err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		struct fc_vm *vm = fc_vm_new(B);
		uint32_t m[4], hits = 0;
		double t0 = now();
		for (long i = 0; i < iters; i++)
			hits += fc_vm_run(vm, 2, &x, FC_MATCH_FIRST, m, 4);
		double t1 = now();
		fc_vm_begin(vm, 2, &x);
		for (long i = 0; i < iters; i++)
			hits += fc_vm_eval_rule(vm, 0);
		double t2 = now();
		printf("%-14s %12.1f %12.1f %8s\n", cases[c].name, (t1 - t0) / iters, (t2 - t1) / iters, hits ? "match" : "no");
		fc_vm_free(vm);
		fc_bundle_free(B);
		free(img);
		bb_free(b);
	}
	return 0;
}
