/* gen_corpus.c — writes the seed corpus of fuzz_bundle (tests/fuzz/corpus/bundle/) from the
 * test-side builder: a minimal bundle, one with every section, and bundles that use every
 * opcode, list kind, transformer, modifier and SUB nesting, so the fuzzer starts from inputs
 * that reach deep into the verifier and the VM. Usage: fuzz_bundle_corpus DIR */
#include <stdio.h>

#include "bundle_builder.h"

static void save(struct bb *b, const char *dir, const char *name)
{
	size_t len;
	uint8_t *p = bb_build(b, &len);
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
	free(p);
	bb_free(b);
}

static uint32_t rule_of(struct bb *b, uint32_t prog, uint32_t ev)
{
	char name[32];
	snprintf(name, sizeof name, "r%u", b->nrule);
	return bb_rule(b, name, prog, ev);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	save(bb_new(), dir, "minimal");

	/* strings, numbers, sets */
	struct bb *b = bb_new();
	uint32_t ev = bb_evset(b, 2, 3, 293, -1);
	uint32_t s = bb_field(b, "proc.name", NULL), n = bb_field_t(b, "proc.pid", NULL, PT_INT64, 0);
	uint32_t f = bb_field_t(b, "fd.name", NULL, PT_FSPATH, 0), d = bb_field_t(b, "proc.fdusage", NULL, PT_DOUBLE, 0);
	uint32_t a = bb_field_t(b, "proc.aname", NULL, PT_CHARBUF, FC_SLF_ANCESTORS);
	uint32_t t = bb_field_t(b, "fd.types", NULL, PT_CHARBUF, FC_SLF_LIST);
	uint32_t c = bb_const(b, 5), dc = bb_dconst(b, 0.5);
	uint32_t l = bb_slist(b, "bash", "/etc/", "/usr/*/bin", "[a-c]*", NULL);
	uint64_t nums[] = {1, 5, 77};
	uint32_t nl = bb_nlist(b, 3, nums);
	for (uint8_t op = FC_OPC_EQ_N; op <= FC_OPC_GE_U; op++)
		rule_of(b, bb_leaf_prog(b, FC_PK_RULE, op, 0, (uint16_t)n, c, op & 1), ev);
	for (uint8_t op = FC_OPC_EQ_D; op <= FC_OPC_GE_D; op++)
		rule_of(b, bb_leaf_prog(b, FC_PK_RULE, op, 0, (uint16_t)d, dc, false), ev);
	for (uint8_t op = FC_OPC_EQ_S; op <= FC_OPC_IGLOB; op++)
		rule_of(b, bb_leaf_prog(b, FC_PK_RULE, op, 0, (uint16_t)(op & 1 ? a : s), bb_str(b, "b*sh"), false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_REGEX, 0, (uint16_t)f, bb_regex(b, "/etc/.*", "/etc/"), false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_IN_N, 0, (uint16_t)n, nl, false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_IN_S, 0, (uint16_t)a, l, false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_PREFIX_S, 0, (uint16_t)f, l, false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_PMATCH, 0, (uint16_t)f, l, true), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_LIST_IN, 0, (uint16_t)t, l, false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_LIST_ISECT, 0, (uint16_t)t, l, false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, (uint16_t)a, 0, false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EVTYPE, 0, 0, ev, false), ev);
	b->srcmap = true;
	save(b, dir, "leaves");

	/* modifiers, field comparison, IP */
	b = bb_new();
	ev = bb_evset(b, 2, 5, -1);
	s = bb_field(b, "proc.exepath", NULL);
	uint32_t p = bb_field(b, "proc.pexepath", NULL);
	uint32_t ip = bb_field_t(b, "fd.sip", NULL, PT_IPADDR, 0), ip2 = bb_field_t(b, "fd.cip", NULL, PT_IPADDR, 0);
	l = bb_slist(b, "/usr/bin/bash", "sh", "/tmp/*", ".*x", NULL);
	for (uint8_t base = 0; base < FC_BOP_MAX_; base++)
		for (uint8_t m = 1; m <= 3; m++)
			if (base < FC_BOP_LT || base > FC_BOP_GE)
				rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_SMOD, (uint8_t)(base | m << FC_MOD_SHIFT), (uint16_t)s, l, false),
					ev);
	for (uint8_t base = 0; base < FC_BOP_REGEX; base++)
		rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_FCMP, base, (uint16_t)s, p, base & 1), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_FCMP, FC_BOP_NE, (uint16_t)ip, ip2, false), ev);
	static const uint8_t six[16] = {0x20, 1, 0xd, 0xb8};
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EQ_IP, 0, (uint16_t)ip, bb_ip4(b, 10, 0, 0, 1), false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_NE_IP, 0, (uint16_t)ip, bb_ip6(b, six), false), ev);
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_IN_NET, 0, (uint16_t)ip, bb_net4(b, 10, 0, 0, 0, 8), false), ev);
	uint32_t ipl = bb_list_raw(b, FC_LK_IP, 3, (uint32_t[]){bb_ip4(b, 1, 2, 3, 4), bb_net6(b, six, 32), bb_ip6(b, six)});
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_IN_IP, 0, (uint16_t)ip, ipl, false), ev);
	save(b, dir, "smod_fcmp_ip");

	/* transformers and SUBs */
	b = bb_new();
	ev = bb_evset(b, 2, 3, -1);
	s = bb_field(b, "proc.name", NULL);
	t = bb_field_t(b, "fd.types", NULL, PT_CHARBUF, FC_SLF_LIST);
	n = bb_field_t(b, "proc.pid", NULL, PT_INT64, 0);
	uint32_t x[8];
	x[0] = bb_xf(b, FC_BXF_TOLOWER, -1, 1, s);
	x[1] = bb_xf(b, FC_BXF_TOUPPER, -1, 1, x[0]);
	x[2] = bb_xf(b, FC_BXF_B64, -1, 1, s);
	x[3] = bb_xf(b, FC_BXF_BASENAME, -1, 1, x[2]);
	x[4] = bb_xf(b, FC_BXF_LEN, -1, 1, t);
	x[5] = bb_xf(b, FC_BXF_CONCAT, -1, 3, s, FC_ARG_STR | bb_str(b, ":"), n);
	x[6] = bb_xf(b, FC_BXF_JOIN, -1, 3, FC_ARG_STR | bb_str(b, ","), t, x[5]);
	x[7] = bb_xf(b, FC_BXF_GETOPT, 't', 2, t, FC_ARG_STR | bb_str(b, "nt:"));
	uint32_t go = bb_xf(b, FC_BXF_GETOPT, -1, 2, t, s);
	uint32_t sub = bb_leaf_prog(b, FC_PK_SUB, FC_OPC_STARTSWITH, 0, (uint16_t)x[1], bb_str(b, "BA"), false);
	uint32_t sub2 = bb_prog_begin(b, FC_PK_SUB);
	bb_ins(b, FC_OPC_SUB, 0, 0, sub, 0, 1);
	bb_ins(b, FC_OPC_EXISTS, 0, (uint16_t)x[3], 0, 0, 0);
	bb_ret(b, true);
	for (int i = 0; i < 8; i++) {
		uint32_t pr = bb_prog_begin(b, FC_PK_RULE);
		bb_ins(b, FC_OPC_SUB, 0, 0, i & 1 ? sub : sub2, 0, 1);
		bb_ins(b, FC_OPC_EXISTS, 0, (uint16_t)x[i], 0, 0, 1);
		bb_ret(b, true);
		bb_ret(b, false);
		rule_of(b, pr, ev);
	}
	rule_of(b, bb_leaf_prog(b, FC_PK_RULE, FC_OPC_LIST_IN, 0, (uint16_t)go, bb_slist(b, "n", "t", NULL), false), ev);
	const char *tags[] = {"a", "b"};
	bb_rule_ex(b, "tagged", bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EQ_N, 0, (uint16_t)x[4], bb_const(b, 2), false), ev, 0,
		   false, 2, tags);
	bb_out_lit(b, "out ");
	bb_out_field(b, x[6], true);
	b->ksel[0] = 3;
	b->nksel = 1;
	b->meta[0] = bb_str(b, "gen_corpus");
	b->nmeta = 1;
	b->sig = true;
	save(b, dir, "xf_sub");
	return 0;
}
