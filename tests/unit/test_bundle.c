/* test_bundle.c — the bundle reader and verifier (runtime/bundle.c): a valid bundle loads from
 * memory and from a file and its accessors give back what was written; then every distinct
 * error: not a bundle, unsupported version, truncation at every cut point, checksum, table
 * errors, and corrupt references of each kind (strings, constants, lists and list kinds, event
 * sets, regexes, slots, programs, rules, index, outputs, source map), bad jumps, no ret at the
 * end, SUB cycles and depth, unknown opcodes and fields. Bundles come from the test-side
 * builder (bundle_builder.h), not from the compiler. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "bundle_builder.h"

static char err[1024];

static int load_bb(struct bb *b, struct fc_bundle **out)
{
	size_t len;
	uint8_t *p = bb_build(b, &len);
	struct fc_bundle *B = NULL;
	int rc = fc_bundle_load(p, len, &B, err, sizeof err);
	free(p);
	if (out)
		*out = B;
	else
		fc_bundle_free(B);
	return rc;
}

/* Builds, lets PATCH change the image, fixes size/crc, loads. */
static int load_patched(struct bb *b, void (*patch)(uint8_t *, size_t, void *), void *arg)
{
	size_t len;
	uint8_t *p = bb_build(b, &len);
	patch(p, len, arg);
	bb_fix(p, len);
	struct fc_bundle *B = NULL;
	int rc = fc_bundle_load(p, len, &B, err, sizeof err);
	fc_bundle_free(B);
	free(p);
	return rc;
}

static void expect(int rc, int want, const char *msg)
{
	cr_assert_eq(rc, want, "rc %d (%s), want %d; message: %s", rc, fc_bundle_strerror(rc), want, err);
	if (msg)
		cr_assert(strstr(err, msg), "message \"%s\" lacks \"%s\"", err, msg);
}

/* A bundle using every section. */
static struct bb *sample(void)
{
	struct bb *b = bb_new();
	uint32_t name = bb_field(b, "proc.name", NULL);
	uint32_t fdn = bb_field_t(b, "fd.name", NULL, PT_FSPATH, 0);
	uint32_t aname = bb_field_t(b, "proc.aname", NULL, PT_CHARBUF, FC_SLF_ANCESTORS);
	uint32_t low = bb_xf(b, FC_BXF_TOLOWER, -1, 1, name);
	uint32_t l0 = bb_slist(b, "bash", "sh", NULL);
	uint64_t nums[] = {1, 2, 3};
	bb_nlist(b, 3, nums);
	bb_regex(b, "ba.*", "ba");
	uint32_t ev = bb_evset(b, 2, 3, -1);
	uint32_t sub = bb_leaf_prog(b, FC_PK_SUB, FC_OPC_EQ_S, 0, (uint16_t)low, bb_str(b, "bash"), false);
	uint32_t p1 = bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_SUB, 0, 0, sub, 0, 1);
	bb_ins(b, FC_OPC_STARTSWITH, 0, (uint16_t)fdn, bb_str(b, "/etc/"), 0, 1);
	bb_ret(b, true);
	bb_ret(b, false);
	uint32_t p2 = bb_leaf_prog(b, FC_PK_RULE, FC_OPC_IN_S, 0, (uint16_t)aname, l0, false);
	const char *tags[] = {"filesystem", "mitre_persistence"};
	bb_rule_ex(b, "Read etc by bash", p1, ev, 3, true, 2, tags);
	bb_out_lit(b, "file read by ");
	bb_out_field(b, name, true);
	bb_rule_ex(b, "Shell ancestor", p2, ev, 5, false, 0, NULL);
	b->ksel[0] = 0x5;
	b->ksel[1] = 1ull << 63;
	b->nksel = 2;
	b->meta[0] = bb_str(b, "falcoc test");
	b->meta[1] = bb_str(b, "engine 1");
	b->nmeta = 2;
	b->srcmap = true;
	return b;
}

Test(bundle, valid_from_memory)
{
	struct bb *b = sample();
	struct fc_bundle *B;
	expect(load_bb(b, &B), FC_BERR_OK, NULL);
	cr_assert_eq(fc_bundle_nrules(B), 2);
	const struct fc_bundle_rule *r = fc_bundle_rule(B, 0);
	cr_assert_str_eq(r->name, "Read etc by bash");
	cr_assert_str_eq(r->desc, "desc of Read etc by bash");
	cr_assert_str_eq(r->source, "syscall");
	cr_assert_str_eq(r->file, "rules.yaml");
	cr_assert_eq(r->line, 10);
	cr_assert_eq(r->priority, 3);
	cr_assert(r->enabled);
	cr_assert_eq(r->ntags, 2);
	cr_assert_str_eq(r->tags[1], "mitre_persistence");
	cr_assert_eq(r->nout, 2);
	cr_assert_str_eq(r->out[0].lit, "file read by ");
	cr_assert_eq(r->out[0].litlen, 13);
	cr_assert_null(r->out[1].lit);
	cr_assert_eq(r->out[1].slot, 0);
	cr_assert(r->out[1].json);
	cr_assert_str_eq(r->out[1].key, "proc.name");
	cr_assert(fc_evtset_has(r->evts, 2) && fc_evtset_has(r->evts, 3) && !fc_evtset_has(r->evts, 4));
	cr_assert_not(fc_bundle_rule(B, 1)->enabled);
	cr_assert_null(fc_bundle_rule(B, 2));
	cr_assert_eq(fc_bundle_nslots(B), 4);
	const struct fc_fieldspec *f = fc_bundle_slot_field(B, 0);
	cr_assert_not_null(f);
	cr_assert_eq(f->id, FC_F_PROC_NAME);
	cr_assert_eq(f->param, -1);
	cr_assert_eq(fc_bundle_slot_field(B, 2)->id, FC_F_PROC_ANAME);
	cr_assert_null(fc_bundle_slot_field(B, 3)); /* transformer */
	cr_assert_null(fc_bundle_slot_field(B, 4));
	cr_assert_str_eq(fc_bundle_slot_text(B, 1), "fd.name");
	uint32_t nw;
	const uint64_t *ks = fc_bundle_ksel(B, &nw);
	cr_assert_eq(nw, 2);
	cr_assert_eq(ks[0], 5);
	cr_assert_eq(ks[1], 1ull << 63);
	cr_assert_str_eq(fc_bundle_meta(B, 0), "falcoc test");
	cr_assert_null(fc_bundle_meta(B, 2));
	size_t len;
	uint8_t *p = bb_build(b, &len);
	cr_assert_eq(fc_bundle_size(B), len);
	free(p);
	fc_bundle_free(B);
	bb_free(b);
}

Test(bundle, valid_from_file_and_io_errors)
{
	struct bb *b = sample();
	size_t len;
	uint8_t *p = bb_build(b, &len);
	char path[] = "/tmp/fc_test_bundle_XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, p, len), (ssize_t)len);
	close(fd);
	struct fc_bundle *B;
	expect(fc_bundle_open(path, &B, err, sizeof err), FC_BERR_OK, NULL);
	/* the bundle owns its data: the file can go */
	unlink(path);
	cr_assert_str_eq(fc_bundle_rule(B, 1)->name, "Shell ancestor");
	cr_assert_str_eq(fc_bundle_slot_text(B, 0), "proc.name");
	fc_bundle_free(B);
	expect(fc_bundle_open(path, &B, err, sizeof err), FC_BERR_IO, "No such file");
	cr_assert_null(B);
	expect(fc_bundle_open("/tmp", &B, err, sizeof err), FC_BERR_IO, "not a regular file");
	/* an empty file */
	char path2[] = "/tmp/fc_test_bundle_XXXXXX";
	fd = mkstemp(path2);
	cr_assert(fd >= 0);
	close(fd);
	expect(fc_bundle_open(path2, &B, err, sizeof err), FC_BERR_NOTBUNDLE, NULL);
	unlink(path2);
	free(p);
	bb_free(b);
}

Test(bundle, strerror_distinct)
{
	int codes[] = {FC_BERR_OK, FC_BERR_IO, FC_BERR_NOTBUNDLE, FC_BERR_VERSION, FC_BERR_TRUNCATED,
		       FC_BERR_CHECKSUM, FC_BERR_CORRUPT, FC_BERR_FIELD};
	for (size_t i = 0; i < 8; i++)
		for (size_t j = i + 1; j < 8; j++)
			cr_assert_str_neq(fc_bundle_strerror(codes[i]), fc_bundle_strerror(codes[j]));
	cr_assert_str_eq(fc_bundle_strerror(FC_BERR_NOTBUNDLE), "not a bundle");
	cr_assert_str_eq(fc_bundle_strerror(FC_BERR_VERSION), "unsupported version");
}

Test(bundle, not_a_bundle)
{
	struct fc_bundle *B;
	static const char junk[] = "\x7f" "ELF\x02\x01\x01\x00 an executable, not a bundle, long enough for a header";
	expect(fc_bundle_load(junk, sizeof junk - 1, &B, err, sizeof err), FC_BERR_NOTBUNDLE, "wrong magic");
	cr_assert_null(B);
	expect(fc_bundle_load("FCBUNDL", 7, &B, err, sizeof err), FC_BERR_TRUNCATED, NULL);
	expect(fc_bundle_load("XY", 2, &B, err, sizeof err), FC_BERR_NOTBUNDLE, NULL);
	expect(fc_bundle_load("", 0, &B, err, sizeof err), FC_BERR_NOTBUNDLE, NULL);
}

static void set_version(uint8_t *p, size_t len, void *arg)
{
	(void)len;
	const uint16_t *v = arg;
	p[8] = (uint8_t)v[0], p[9] = (uint8_t)(v[0] >> 8), p[10] = (uint8_t)v[1], p[11] = 0;
}

Test(bundle, unsupported_version)
{
	struct bb *b = sample();
	uint16_t v2[] = {2, 0}, v0[] = {0, 0}, m1[] = {1, FC_BUNDLE_MINOR + 1}, ok[] = {1, 0}, cur[] = {1, FC_BUNDLE_MINOR};
	expect(load_patched(b, set_version, v2), FC_BERR_VERSION, "bundle version 2.0");
	expect(load_patched(b, set_version, v0), FC_BERR_VERSION, NULL);
	expect(load_patched(b, set_version, m1), FC_BERR_VERSION, "1.2");
	expect(load_patched(b, set_version, cur), FC_BERR_OK, NULL);
	expect(load_patched(b, set_version, ok), FC_BERR_OK, NULL);
	bb_free(b);
}

Test(bundle, truncated_at_every_cut)
{
	struct bb *b = sample();
	size_t len;
	uint8_t *p = bb_build(b, &len);
	for (size_t cut = 1; cut < len; cut++) {
		struct fc_bundle *B = NULL;
		int rc = fc_bundle_load(p, cut, &B, err, sizeof err);
		cr_assert_eq(rc, FC_BERR_TRUNCATED, "cut at %zu: rc %d (%s)", cut, rc, err);
		cr_assert_null(B);
	}
	struct fc_bundle *B;
	expect(fc_bundle_load(p, len - 100, &B, err, sizeof err), FC_BERR_TRUNCATED, "header says");
	/* a consistent size but a table that runs past it */
	uint8_t *q = malloc(len);
	memcpy(q, p, len);
	bb_p32(q + 24, (uint32_t)(len / 16));
	bb_fix(q, len);
	expect(fc_bundle_load(q, len, &B, err, sizeof err), FC_BERR_TRUNCATED, "section table");
	/* trailing bytes after the size the header gives */
	uint8_t *r = calloc(1, len + 8);
	memcpy(r, p, len);
	expect(fc_bundle_load(r, len + 8, &B, err, sizeof err), FC_BERR_CORRUPT, "trailing");
	free(r);
	free(q);
	free(p);
	bb_free(b);
}

Test(bundle, checksum)
{
	struct bb *b = sample();
	size_t len;
	uint8_t *p = bb_build(b, &len);
	struct fc_bundle *B;
	for (size_t at = 64; at < len; at += 97) {
		p[at] ^= 0x20;
		expect(fc_bundle_load(p, len, &B, err, sizeof err), FC_BERR_CHECKSUM, "crc32");
		p[at] ^= 0x20;
	}
	p[29] ^= 1; /* the stored crc itself */
	expect(fc_bundle_load(p, len, &B, err, sizeof err), FC_BERR_CHECKSUM, NULL);
	p[29] ^= 1;
	expect(fc_bundle_load(p, len, &B, err, sizeof err), FC_BERR_OK, NULL);
	fc_bundle_free(B);
	free(p);
	bb_free(b);
}

Test(bundle, signature_section_outside_crc)
{
	struct bb *b = sample();
	b->sig = true;
	size_t len;
	uint8_t *p = bb_build(b, &len);
	struct fc_bundle *B;
	expect(fc_bundle_load(p, len, &B, err, sizeof err), FC_BERR_OK, NULL);
	fc_bundle_free(B);
	uint32_t off = bb_sec(p, FC_SEC_SIG, NULL, NULL);
	cr_assert(off);
	p[off + 5] ^= 0xff; /* the signature bytes are not covered */
	expect(fc_bundle_load(p, len, &B, err, sizeof err), FC_BERR_OK, NULL);
	fc_bundle_free(B);
	free(p);
	bb_free(b);
}

Test(bundle, unknown_section_skipped)
{
	struct bb *b = sample();
	b->raw[0] = (struct bb_raw){100, 3, calloc(1, 24), 24};
	b->nraw = 1;
	struct fc_bundle *B;
	expect(load_bb(b, &B), FC_BERR_OK, NULL);
	cr_assert_eq(fc_bundle_nrules(B), 2);
	fc_bundle_free(B);
	bb_free(b);
}

/* ---- table errors ---- */

struct tpatch {
	uint32_t entry, field, value;
};

static void patch_table(uint8_t *p, size_t len, void *arg)
{
	(void)len;
	const struct tpatch *t = arg;
	bb_p32(p + 64 + 16 * t->entry + 4 * t->field, t->value);
}

Test(bundle, table_errors)
{
	struct bb *b = sample();
	size_t len;
	uint8_t *p = bb_build(b, &len);
	uint32_t off1 = bb_r32(p + 64 + 16 * 1 + 8), id0 = bb_r32(p + 64);
	free(p);
	expect(load_patched(b, patch_table, &(struct tpatch){1, 0, id0}), FC_BERR_CORRUPT, "ids must increase");
	expect(load_patched(b, patch_table, &(struct tpatch){1, 2, off1 + 4}), FC_BERR_CORRUPT, "not 8-aligned");
	expect(load_patched(b, patch_table, &(struct tpatch){1, 2, 16}), FC_BERR_CORRUPT, "overlaps the header");
	expect(load_patched(b, patch_table, &(struct tpatch){1, 3, 1u << 30}), FC_BERR_CORRUPT, "past the end of the file");
	expect(load_patched(b, patch_table, &(struct tpatch){1, 2, bb_r32((uint8_t[]){0, 0, 0, 0})}), FC_BERR_CORRUPT, NULL);
	/* section 1 moved onto section 0's data */
	{
		uint8_t *q = bb_build(b, &len);
		uint32_t off0 = bb_r32(q + 64 + 8);
		free(q);
		expect(load_patched(b, patch_table, &(struct tpatch){1, 2, off0}), FC_BERR_CORRUPT, "overlaps section");
	}
	bb_free(b);
}

static void patch_header(uint8_t *p, size_t len, void *arg)
{
	(void)len;
	const uint32_t *a = arg;
	bb_p32(p + a[0], a[1]);
}

Test(bundle, header_fields)
{
	struct bb *b = sample();
	expect(load_patched(b, patch_header, (uint32_t[]){12, 1}), FC_BERR_CORRUPT, "header flags");
	expect(load_patched(b, patch_header, (uint32_t[]){40, 7}), FC_BERR_CORRUPT, "reserved header byte");
	bb_free(b);
}

/* ---- strings ---- */

struct spatch {
	uint32_t id, at, value;
};

/* Patches a u32 at byte AT of section ID. */
static void patch_sec(uint8_t *p, size_t len, void *arg)
{
	(void)len;
	const struct spatch *s = arg;
	uint32_t off = bb_sec(p, s->id, NULL, NULL);
	cr_assert(off, "section %u absent", s->id);
	bb_p32(p + off + s->at, s->value);
}

static void patch_sec8(uint8_t *p, size_t len, void *arg)
{
	(void)len;
	const struct spatch *s = arg;
	uint32_t off = bb_sec(p, s->id, NULL, NULL);
	cr_assert(off, "section %u absent", s->id);
	p[off + s->at] = (uint8_t)s->value;
}

static void sid0_is_string1(uint8_t *p, size_t len, void *arg)
{
	(void)len;
	const struct bb *b = arg;
	uint32_t off = bb_sec(p, FC_SEC_STRS, NULL, NULL);
	bb_p32(p + off, 1);
	bb_p32(p + off + 4, b->slen[1]);
}

Test(bundle, strings_errors)
{
	struct bb *b = sample();
	/* string 1 past the data */
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_STRS, 8, 1u << 20}), FC_BERR_CORRUPT,
	       "section 1 (strings) string 1 at byte");
	/* string 1 not NUL-terminated: extend its length by one */
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_STRS, 12, b->slen[1] + 1}), FC_BERR_CORRUPT,
	       "not followed by a NUL");
	/* sid 0 must be "": make it string 1 */
	expect(load_patched(b, sid0_is_string1, b), FC_BERR_CORRUPT, "sid 0 must be the empty string");
	/* no strings section at all */
	struct bb *e = bb_new();
	size_t l2;
	uint8_t *q = bb_build(e, &l2);
	bb_p32(q + 64, 77); /* rename the only section: strings are gone */
	bb_fix(q, l2);
	struct fc_bundle *B;
	expect(fc_bundle_load(q, l2, &B, err, sizeof err), FC_BERR_CORRUPT, "no strings section");
	free(q);
	bb_free(e);
	bb_free(b);
}

Test(bundle, minimal_bundle_loads)
{
	struct bb *e = bb_new();
	struct fc_bundle *B;
	expect(load_bb(e, &B), FC_BERR_OK, NULL);
	cr_assert_eq(fc_bundle_nrules(B), 0);
	cr_assert_eq(fc_bundle_nslots(B), 0);
	uint32_t nw = 9;
	cr_assert_null(fc_bundle_ksel(B, &nw));
	cr_assert_eq(nw, 0);
	fc_bundle_free(B);
	bb_free(e);
}

/* ---- references ---- */

/* A bundle with one rule whose program is one leaf. */
static struct bb *one_leaf(uint8_t op, uint8_t aux, uint16_t slot, uint32_t k)
{
	struct bb *b = bb_new();
	bb_field(b, "proc.name", NULL);
	bb_field_t(b, "fd.num", NULL, PT_FD, 0);
	uint32_t ev = bb_evset(b, 2, -1);
	uint32_t p = bb_leaf_prog(b, FC_PK_RULE, op, aux, slot, k, false);
	bb_rule(b, "r", p, ev);
	return b;
}

static int leaf_rc(uint8_t op, uint8_t aux, uint16_t slot, uint32_t k, void (*prep)(struct bb *))
{
	struct bb *b = one_leaf(op, aux, slot, k);
	if (prep)
		prep(b);
	int rc = load_bb(b, NULL);
	bb_free(b);
	return rc;
}

static void add_lists(struct bb *b)
{
	bb_slist(b, "a", "b", NULL); /* list 0: strings */
	uint64_t v[] = {7};
	bb_nlist(b, 1, v); /* list 1: numbers */
	uint32_t ip = bb_ip4(b, 10, 0, 0, 1);
	bb_list_raw(b, FC_LK_IP, 1, &ip); /* list 2: addresses */
	bb_regex(b, "a+", NULL);
	bb_const(b, 5);
}

/* Weighted SMOD lists: 0 well formed, 1 with an item of weight 3, 2 with an empty item. */
static void add_wlists(struct bb *b)
{
	bb_slist(b, "\001a*", "\002b", NULL);
	bb_slist(b, "\001a", "\003b", NULL);
	bb_slist(b, "", "\001b", NULL);
}

Test(bundle, operand_references)
{
	/* sanity: each of these loads when the operand is right */
	expect(leaf_rc(FC_OPC_EQ_S, 0, 0, 1, NULL), FC_BERR_OK, NULL);
	expect(leaf_rc(FC_OPC_IN_S, 0, 0, 0, add_lists), FC_BERR_OK, NULL);
	expect(leaf_rc(FC_OPC_IN_N, 0, 1, 1, add_lists), FC_BERR_OK, NULL);
	expect(leaf_rc(FC_OPC_IN_IP, 0, 1, 2, add_lists), FC_BERR_OK, NULL);
	expect(leaf_rc(FC_OPC_REGEX, 0, 0, 0, add_lists), FC_BERR_OK, NULL);
	expect(leaf_rc(FC_OPC_EQ_N, 0, 1, 1, add_lists), FC_BERR_OK, NULL);
	/* and fails when it is not */
	expect(leaf_rc(FC_OPC_EQ_S, 0, 0, 999, NULL), FC_BERR_CORRUPT, "section 7 (code) instruction 0 at byte");
	expect(leaf_rc(FC_OPC_EQ_S, 0, 0, 999, NULL), FC_BERR_CORRUPT, "string 999 out of range");
	expect(leaf_rc(FC_OPC_EQ_N, 0, 1, 5, add_lists), FC_BERR_CORRUPT, "constant 5 out of range");
	expect(leaf_rc(FC_OPC_IN_S, 0, 0, 3, add_lists), FC_BERR_CORRUPT, "list 3 out of range");
	expect(leaf_rc(FC_OPC_EVTYPE, 0, 0, 1, NULL), FC_BERR_CORRUPT, "event set 1 out of range");
	expect(leaf_rc(FC_OPC_REGEX, 0, 0, 1, add_lists), FC_BERR_CORRUPT, "regex 1 out of range");
	expect(leaf_rc(FC_OPC_EQ_S, 0, 2, 1, NULL), FC_BERR_CORRUPT, "slot 2 out of range");
	expect(leaf_rc(FC_OPC_FCMP, FC_BOP_EQ, 0, 9, NULL), FC_BERR_CORRUPT, "right-hand slot 9");
	expect(leaf_rc(FC_OPC_SUB, 0, 0, 4, NULL), FC_BERR_CORRUPT, "program 4 out of range");
	expect(leaf_rc(FC_OPC_EXISTS, 0, 0, 1, NULL), FC_BERR_CORRUPT, "k 1 (must be 0");
	/* list kinds must match the opcode */
	expect(leaf_rc(FC_OPC_IN_S, 0, 0, 1, add_lists), FC_BERR_CORRUPT, "needs a list of strings, list 1 holds numbers");
	expect(leaf_rc(FC_OPC_IN_N, 0, 1, 0, add_lists), FC_BERR_CORRUPT, "needs a list of numbers");
	expect(leaf_rc(FC_OPC_IN_IP, 0, 1, 0, add_lists), FC_BERR_CORRUPT, "needs a list of addresses");
	expect(leaf_rc(FC_OPC_PMATCH, 0, 0, 2, add_lists), FC_BERR_CORRUPT, "needs a list of strings");
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_EQ | FC_MODBITS_ANYOF << FC_MOD_SHIFT, 0, 1, add_lists), FC_BERR_CORRUPT,
	       "needs a list of strings");
	/* aux */
	expect(leaf_rc(FC_OPC_EQ_S, 3, 0, 1, NULL), FC_BERR_CORRUPT, "aux 3 (must be 0");
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_EQ, 0, 0, add_lists), FC_BERR_CORRUPT, "modifier 0 invalid");
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_MAX_ | FC_MODBITS_ANYOF << FC_MOD_SHIFT, 0, 0, add_lists), FC_BERR_CORRUPT,
	       "base 13");
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_EQ | 5u << FC_MOD_SHIFT, 0, 0, add_lists), FC_BERR_CORRUPT, "modifier 5 invalid");
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_LT | FC_MODBITS_ANYOF << FC_MOD_SHIFT, 0, 0, add_lists), FC_BERR_OK, NULL);
	/* weighted oneof: every item starts with its weight byte */
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_EQ | FC_MODBITS_ONEOFW << FC_MOD_SHIFT, 0, 0, add_lists), FC_BERR_CORRUPT,
	       "list 0 item 0 does not start with a weight byte");
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_GLOB | FC_MODBITS_ONEOFW << FC_MOD_SHIFT, 0, 0, add_wlists), FC_BERR_OK, NULL);
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_GLOB | FC_MODBITS_ONEOFW << FC_MOD_SHIFT, 0, 1, add_wlists), FC_BERR_CORRUPT,
	       "list 1 item 1 does not start with a weight byte");
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_GLOB | FC_MODBITS_ONEOFW << FC_MOD_SHIFT, 0, 2, add_wlists), FC_BERR_CORRUPT,
	       "list 2 item 0 does not start");
	expect(leaf_rc(FC_OPC_SMOD, FC_BOP_GLOB | FC_MODBITS_ONEOF << FC_MOD_SHIFT, 0, 0, add_lists), FC_BERR_OK, NULL);
	expect(leaf_rc(FC_OPC_FCMP, FC_BOP_MAX_, 0, 1, NULL), FC_BERR_CORRUPT, "fcmp aux");
	expect(leaf_rc(FC_OPC_FCMP, FC_BOP_REGEX, 0, 1, NULL), FC_BERR_CORRUPT, "fcmp aux");
	expect(leaf_rc(FC_OPC_FCMP, FC_BOP_GE, 1, 1, NULL), FC_BERR_OK, NULL);
	/* unknown opcodes */
	expect(leaf_rc(FC_OPC_MAX_, 0, 0, 0, NULL), FC_BERR_CORRUPT, "unknown opcode 41");
	expect(leaf_rc(255, 0, 0, 0, NULL), FC_BERR_CORRUPT, "unknown opcode 255");
}

static int ip_rc(uint8_t op, const char *k, uint32_t klen)
{
	struct bb *b = one_leaf(op, 0, 0, 0);
	b->code[0].k = bb_strn(b, k, klen);
	int rc = load_bb(b, NULL);
	bb_free(b);
	return rc;
}

Test(bundle, ip_constants)
{
	expect(ip_rc(FC_OPC_EQ_IP, "\x0a\0\0\x01", 4), FC_BERR_OK, NULL);
	expect(ip_rc(FC_OPC_NE_IP, "0123456789abcdef", 16), FC_BERR_OK, NULL);
	expect(ip_rc(FC_OPC_EQ_IP, "abcde", 5), FC_BERR_CORRUPT, "constant of 5 bytes");
	expect(ip_rc(FC_OPC_IN_NET, "\x04\x08\x0a\0\0\0", 6), FC_BERR_OK, NULL);
	expect(ip_rc(FC_OPC_IN_NET, "\x06\x40" "0123456789abcdef", 18), FC_BERR_OK, NULL);
	expect(ip_rc(FC_OPC_IN_NET, "\x04\x28\x0a\0\0\0", 6), FC_BERR_CORRUPT, "not a network record");
	expect(ip_rc(FC_OPC_IN_NET, "\x06\x08\x0a\0\0\0", 6), FC_BERR_CORRUPT, "not a network record");
	expect(ip_rc(FC_OPC_IN_NET, "\x0a\0\0\x01", 4), FC_BERR_CORRUPT, "not a network record");
}

static void add_bad_lists(struct bb *b)
{
	uint32_t it[] = {1, 1};
	bb_str(b, "x");
	bb_list_raw(b, FC_LK_STR, 2, it); /* duplicate items */
	uint32_t big[] = {4000};
	bb_list_raw(b, FC_LK_STR, 1, big); /* string out of range */
	uint32_t ipi[] = {bb_str(b, "abc")};
	bb_list_raw(b, FC_LK_IP, 1, ipi); /* not an address */
}

Test(bundle, list_errors)
{
	struct bb *b = one_leaf(FC_OPC_EQ_S, 0, 0, 0);
	bb_slist(b, "ok", NULL);
	expect(load_bb(b, NULL), FC_BERR_OK, NULL);
	expect(load_patched(b, patch_sec8, &(struct spatch){FC_SEC_LISTS, 0, 9}), FC_BERR_CORRUPT,
	       "section 3 (lists) list 0 at byte");
	expect(load_patched(b, patch_sec8, &(struct spatch){FC_SEC_LISTS, 0, 9}), FC_BERR_CORRUPT, "kind 9 unknown");
	expect(load_patched(b, patch_sec8, &(struct spatch){FC_SEC_LISTS, 2, 1}), FC_BERR_CORRUPT, "padding");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_LISTS, 8, 5}), FC_BERR_CORRUPT, "past the 1 items");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_LISTS, 4, 0xffffffffu}), FC_BERR_CORRUPT, "past the");
	bb_free(b);
	expect(leaf_rc(FC_OPC_EQ_S, 0, 0, 0, add_bad_lists), FC_BERR_CORRUPT, "not distinct");
	struct bb *c = one_leaf(FC_OPC_EQ_S, 0, 0, 0);
	uint32_t big[] = {4000};
	bb_list_raw(c, FC_LK_STR, 1, big);
	expect(load_bb(c, NULL), FC_BERR_CORRUPT, "string 4000 out of range");
	bb_free(c);
	c = one_leaf(FC_OPC_EQ_S, 0, 0, 0);
	uint32_t ipi[] = {bb_str(c, "abc")};
	bb_list_raw(c, FC_LK_IP, 1, ipi);
	expect(load_bb(c, NULL), FC_BERR_CORRUPT, "neither an address");
	bb_free(c);
	c = one_leaf(FC_OPC_EQ_S, 0, 0, 0);
	uint32_t ci[] = {3};
	bb_list_raw(c, FC_LK_NUM, 1, ci);
	expect(load_bb(c, NULL), FC_BERR_CORRUPT, "constant 3 out of range");
	bb_free(c);
	c = one_leaf(FC_OPC_EQ_S, 0, 0, 0);
	uint64_t nv[] = {4, 4};
	bb_nlist(c, 2, nv);
	expect(load_bb(c, NULL), FC_BERR_CORRUPT, "not distinct");
	bb_free(c);
}

Test(bundle, evset_and_const_layout)
{
	struct bb *b = one_leaf(FC_OPC_EVTYPE, 0, 0, 0);
	bb_const(b, 1);
	expect(load_bb(b, NULL), FC_BERR_OK, NULL);
	/* a bit past the last event code */
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_EVSETS, 8 * (FC_EVSET_WORDS - 1) + 4, 0x80000000u}),
	       FC_BERR_CORRUPT, "bits set past event code 453");
	/* constants: size not a multiple of 8 */
	expect(load_patched(b, patch_table, &(struct tpatch){1, 3, 4}), FC_BERR_CORRUPT, "section 2 (constants)");
	bb_free(b);
}

Test(bundle, regex_errors)
{
	struct bb *b = one_leaf(FC_OPC_REGEX, 0, 0, 0);
	bb_regex(b, "a(b", NULL);
	expect(load_bb(b, NULL), FC_BERR_CORRUPT, "section 5 (regex) regex 0 at byte");
	expect(load_bb(b, NULL), FC_BERR_CORRUPT, "does not compile");
	bb_free(b);
	b = one_leaf(FC_OPC_REGEX, 0, 0, 0);
	bb_regex(b, "ab+", "ab");
	expect(load_bb(b, NULL), FC_BERR_OK, NULL);
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_REGEX, 8, 1}), FC_BERR_CORRUPT, "flags 0x1");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_REGEX, 0, 500}), FC_BERR_CORRUPT, "pattern string 500");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_REGEX, 4, 500}), FC_BERR_CORRUPT, "literal string 500");
	bb_free(b);
	/* SMOD regex lists compile each item */
	b = one_leaf(FC_OPC_SMOD, FC_BOP_REGEX | FC_MODBITS_ANYOF << FC_MOD_SHIFT, 0, 0);
	bb_slist(b, "ok+", "[bad", NULL);
	expect(load_bb(b, NULL), FC_BERR_CORRUPT, "list 0 item 1");
	bb_free(b);
}

/* ---- jumps, ret, programs ---- */

static int prog_rc(void (*build)(struct bb *))
{
	struct bb *b = bb_new();
	bb_field(b, "proc.name", NULL);
	uint32_t ev = bb_evset(b, 2, -1);
	build(b);
	bb_rule(b, "r", b->nprog - 1, ev);
	int rc = load_bb(b, NULL);
	bb_free(b);
	return rc;
}

static void jump_past_end(struct bb *b)
{
	bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_EXISTS, 0, 0, 0, 0, 2); /* jf lands one past the last ret */
	bb_ret(b, true);
	bb_ret(b, false);
}

static void jump_far(struct bb *b)
{
	bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_EXISTS, 0, 0, 0, 0xffff, 0xffff); /* u16 offsets cannot wrap backwards */
	bb_ret(b, true);
}

static void jump_into_next(struct bb *b)
{
	bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_EXISTS, 0, 0, 0, 1, 0);
	bb_ret(b, false);
	bb_prog_begin(b, FC_PK_RULE); /* the jump above would land here, in another program */
	bb_ret(b, true);
}

static void no_ret_at_end(struct bb *b)
{
	bb_prog_begin(b, FC_PK_RULE);
	bb_ret(b, true);
	bb_ins(b, FC_OPC_EXISTS, 0, 0, 0, 0, 0);
}

static void ret_with_jumps(struct bb *b)
{
	bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_RET, 0, 0, 1, 1, 0);
	bb_ret(b, false);
}

static void ret_bad_k(struct bb *b)
{
	bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_RET, 0, 0, 2, 0, 0);
}

static void every_path_rets(struct bb *b)
{
	/* a diamond: both branches end at one ret */
	bb_prog_begin(b, FC_PK_RULE);
	bb_ins(b, FC_OPC_EXISTS, 0, 0, 0, 0, 1);
	bb_ins(b, FC_OPC_EQ_S, 0, 0, 0, 0, 0);
	bb_ret(b, true);
}

Test(bundle, jumps_and_ret)
{
	expect(prog_rc(every_path_rets), FC_BERR_OK, NULL);
	expect(prog_rc(jump_past_end), FC_BERR_CORRUPT, "jump past the end of program 0");
	expect(prog_rc(jump_far), FC_BERR_CORRUPT, "jump past the end of program 0");
	expect(prog_rc(jump_into_next), FC_BERR_CORRUPT, "jump past the end of program 0");
	expect(prog_rc(no_ret_at_end), FC_BERR_CORRUPT, "does not end in ret");
	expect(prog_rc(ret_with_jumps), FC_BERR_CORRUPT, "ret with");
	expect(prog_rc(ret_bad_k), FC_BERR_CORRUPT, "ret with k 2");
}

static void sub_self(struct bb *b)
{
	uint32_t p = bb_prog_begin(b, FC_PK_SUB);
	bb_ins(b, FC_OPC_SUB, 0, 0, p, 0, 0); /* calls itself */
	bb_ret(b, true);
	b->progs[p].depth = 2;
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_SUB, 0, 0, p, false);
}

static void sub_cycle(struct bb *b)
{
	uint32_t p = bb_prog_begin(b, FC_PK_SUB);
	bb_ins(b, FC_OPC_SUB, 0, 0, p + 1, 0, 0); /* a SUB calling a higher SUB: a cycle is possible */
	bb_ret(b, true);
	b->progs[p].depth = 3;
	uint32_t q = bb_prog_begin(b, FC_PK_SUB);
	bb_ins(b, FC_OPC_SUB, 0, 0, p, 0, 0);
	bb_ret(b, true);
	b->progs[q].depth = 2;
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_SUB, 0, 0, q, false);
}

static void sub_not_sub(struct bb *b)
{
	uint32_t p = bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_SUB, 0, 0, p, false);
}

static void sub_chain(struct bb *b, uint32_t n)
{
	uint32_t prev = bb_leaf_prog(b, FC_PK_SUB, FC_OPC_EXISTS, 0, 0, 0, false);
	for (uint32_t i = 1; i < n; i++)
		prev = bb_leaf_prog(b, FC_PK_SUB, FC_OPC_SUB, 0, 0, prev, false);
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_SUB, 0, 0, prev, false);
}

static void sub_chain_63(struct bb *b)
{
	sub_chain(b, 63); /* rule depth 64: the limit */
}

static void sub_chain_64(struct bb *b)
{
	sub_chain(b, 64);
}

static void rule_calls_higher_sub(struct bb *b)
{
	bb_prog_begin(b, FC_PK_RULE); /* rules may call any SUB */
	bb_ins(b, FC_OPC_SUB, 0, 0, 1, 0, 1);
	bb_ret(b, true);
	bb_ret(b, false);
	bb_leaf_prog(b, FC_PK_SUB, FC_OPC_EXISTS, 0, 0, 0, false);
	/* the rule is program 0: bb_rule uses the last program, so add a rule program that calls it */
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_SUB, 0, 0, 1, false);
}

static void wrong_depth(struct bb *b)
{
	uint32_t s = bb_leaf_prog(b, FC_PK_SUB, FC_OPC_EXISTS, 0, 0, 0, false);
	uint32_t r = bb_leaf_prog(b, FC_PK_RULE, FC_OPC_SUB, 0, 0, s, false);
	b->progs[r].depth = 5;
}

Test(bundle, sub_dag_and_depth)
{
	expect(prog_rc(sub_chain_63), FC_BERR_OK, NULL);
	expect(prog_rc(rule_calls_higher_sub), FC_BERR_OK, NULL);
	expect(prog_rc(sub_self), FC_BERR_CORRUPT, "may only call lower SUBs");
	expect(prog_rc(sub_cycle), FC_BERR_CORRUPT, "SUB program 0 calls SUB program 1");
	expect(prog_rc(sub_not_sub), FC_BERR_CORRUPT, "not a SUB program");
	expect(prog_rc(sub_chain_64), FC_BERR_CORRUPT, "nested 65 deep");
	expect(prog_rc(wrong_depth), FC_BERR_CORRUPT, "depth 5 recorded, 2 computed");
}

static void overlapping_progs(struct bb *b)
{
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
	b->progs[0].len = 2;
	bb_prog_begin(b, FC_PK_RULE);
	b->progs[1].start = 1;
	b->progs[1].len = 2;
}

static void gap_progs(struct bb *b)
{
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
	bb_ret(b, true); /* instruction 3 */
	b->progs[0].len = 3;
}

static void empty_prog(struct bb *b)
{
	bb_prog_begin(b, FC_PK_RULE);
}

static void bad_kind(struct bb *b)
{
	bb_leaf_prog(b, 7, FC_OPC_EXISTS, 0, 0, 0, false);
}

Test(bundle, program_records)
{
	expect(prog_rc(overlapping_progs), FC_BERR_CORRUPT, "overlaps program 0");
	expect(prog_rc(gap_progs), FC_BERR_CORRUPT, "instruction 3 at byte");
	expect(prog_rc(gap_progs), FC_BERR_CORRUPT, "belongs to no program");
	expect(prog_rc(empty_prog), FC_BERR_CORRUPT, "empty");
	expect(prog_rc(bad_kind), FC_BERR_CORRUPT, "kind 7 unknown");
	struct bb *b = one_leaf(FC_OPC_EXISTS, 0, 0, 0);
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_PROGS, 4, 9}), FC_BERR_CORRUPT, "past the 3 instructions");
	bb_free(b);
}

/* ---- slots and fields ---- */

Test(bundle, fields)
{
	struct bb *b = bb_new();
	bb_field(b, "proc.nme", NULL);
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
	bb_rule(b, "r", 0, bb_evset(b, 2, -1));
	expect(load_bb(b, NULL), FC_BERR_FIELD, "filter_check called with nonexistent field proc.nme");
	expect(load_bb(b, NULL), FC_BERR_FIELD, "slot 0 at byte");
	bb_free(b);
	b = bb_new();
	bb_field(b, "evt.arg", "a");
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
	bb_rule(b, "r", 0, bb_evset(b, 2, -1));
	expect(load_bb(b, NULL), FC_BERR_FIELD, "a is not a valid number");
	bb_free(b);
	/* arguments and dot forms resolve */
	b = bb_new();
	bb_field(b, "proc.aname", "2");
	bb_field(b, "evt.arg.flags", NULL);
	bb_field(b, "proc.env", "HOME");
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
	bb_rule(b, "r", 0, bb_evset(b, 2, -1));
	struct fc_bundle *B;
	expect(load_bb(b, &B), FC_BERR_OK, NULL);
	const struct fc_fieldspec *f = fc_bundle_slot_field(B, 0);
	cr_assert_eq(f->id, FC_F_PROC_ANAME);
	cr_assert(f->has_arg && f->arg_is_index);
	cr_assert_eq(f->index, 2);
	f = fc_bundle_slot_field(B, 1);
	cr_assert_str_eq(f->arg, "flags");
	cr_assert_eq(f->arglen, 5);
	f = fc_bundle_slot_field(B, 2);
	cr_assert_eq(f->id, FC_F_PROC_ENV);
	cr_assert_str_eq(f->arg, "HOME");
	fc_bundle_free(B);
	bb_free(b);
}

static void xf_higher_arg(struct bb *b)
{
	bb_xf(b, FC_BXF_TOLOWER, -1, 1, 2); /* slot 1 → slot 2: not lower */
	bb_field(b, "fd.name", NULL);
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void xf_too_many(struct bb *b)
{
	bb_xf(b, FC_BXF_TOLOWER, -1, 2, 0, 0);
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void xf_string_single(struct bb *b)
{
	bb_xf(b, FC_BXF_TOUPPER, -1, 1, FC_ARG_STR | 0);
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void xf_unknown(struct bb *b)
{
	bb_xf(b, FC_BXF_MAX_, -1, 1, 0);
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void xf_bad_selector(struct bb *b)
{
	uint32_t s = bb_xf(b, FC_BXF_TOLOWER, -1, 1, 0);
	b->slots[s].arg = bb_str(b, "t");
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void xf_deep(struct bb *b)
{
	uint32_t s = 0;
	for (int i = 0; i < FC_MAX_DEPTH + 1; i++)
		s = bb_xf(b, FC_BXF_TOLOWER, -1, 1, s);
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void xf_ok(struct bb *b)
{
	uint32_t s = 0;
	for (int i = 0; i < FC_MAX_DEPTH - 1; i++)
		s = bb_xf(b, FC_BXF_TOLOWER, -1, 1, s);
	bb_xf(b, FC_BXF_CONCAT, -1, 3, 0, FC_ARG_STR | bb_str(b, ":"), s);
	bb_xf(b, FC_BXF_GETOPT, 'n', 2, 0, FC_ARG_STR | bb_str(b, "n:"));
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void slot_bad_flags(struct bb *b)
{
	b->slots[0].flags = 0x80;
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void slot_bad_text(struct bb *b)
{
	b->slots[0].text = 9999;
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void slot_bad_vtype(struct bb *b)
{
	b->slots[0].vtype = 200;
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

static void slot_bad_name(struct bb *b)
{
	b->slots[0].name = 9999;
	bb_leaf_prog(b, FC_PK_RULE, FC_OPC_EXISTS, 0, 0, 0, false);
}

Test(bundle, slot_records)
{
	expect(prog_rc(xf_ok), FC_BERR_OK, NULL);
	expect(prog_rc(xf_higher_arg), FC_BERR_CORRUPT, "section 6 (slots) slot 1 at byte");
	expect(prog_rc(xf_higher_arg), FC_BERR_CORRUPT, "slot 2 is not a lower slot");
	expect(prog_rc(xf_too_many), FC_BERR_CORRUPT, "2 arguments for transformer");
	expect(prog_rc(xf_string_single), FC_BERR_CORRUPT, "a string for a single-argument transformer");
	expect(prog_rc(xf_unknown), FC_BERR_CORRUPT, "transformer 8 unknown");
	expect(prog_rc(xf_bad_selector), FC_BERR_CORRUPT, "getopt's one-character selector");
	expect(prog_rc(xf_deep), FC_BERR_CORRUPT, "nested 65 deep");
	expect(prog_rc(slot_bad_flags), FC_BERR_CORRUPT, "flags 0x80 unknown");
	expect(prog_rc(slot_bad_text), FC_BERR_CORRUPT, "text string 9999");
	expect(prog_rc(slot_bad_vtype), FC_BERR_CORRUPT, "value type 200");
	expect(prog_rc(slot_bad_name), FC_BERR_CORRUPT, "field name string 9999");
}

/* ---- rules, index, outputs, source map, meta ---- */

Test(bundle, rule_records)
{
	struct bb *b = sample();
	/* rule 0 record: name at 0, prog at 12, prio at 16, tags at 20/24, outs at 28/32, evset at 44 */
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_RULES, 12, 0}), FC_BERR_CORRUPT,
	       "section 9 (rules) rule 0 at byte");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_RULES, 12, 0}), FC_BERR_CORRUPT, "not a rule program");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_RULES, 0, 7777}), FC_BERR_CORRUPT, "string out of range");
	expect(load_patched(b, patch_sec8, &(struct spatch){FC_SEC_RULES, 16, 8}), FC_BERR_CORRUPT, "priority 8");
	expect(load_patched(b, patch_sec8, &(struct spatch){FC_SEC_RULES, 17, 2}), FC_BERR_CORRUPT, "enabled 2");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_RULES, 24, 3}), FC_BERR_CORRUPT, "tags [0, 3)");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_RULES, 32, 3}), FC_BERR_CORRUPT, "output segments [0, 3)");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_RULES, 44, 1}), FC_BERR_CORRUPT, "event set 1 out of range");
	/* tag items past the end: point the tag item at a bad sid */
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_RULES, 2 * 48, 5000}), FC_BERR_CORRUPT, "tag 0");
	bb_free(b);
}

Test(bundle, outfmt_records)
{
	struct bb *b = sample();
	expect(load_patched(b, patch_sec8, &(struct spatch){FC_SEC_OUTFMT, 0, 2}), FC_BERR_CORRUPT,
	       "section 10 (output formats) segment 0 at byte");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_OUTFMT, 4, 6000}), FC_BERR_CORRUPT, "literal string 6000");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_OUTFMT, 12 + 4, 40}), FC_BERR_CORRUPT, "slot 40 out of range");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_OUTFMT, 12 + 8, FC_NONE}), FC_BERR_CORRUPT, "key string");
	expect(load_patched(b, patch_sec8, &(struct spatch){FC_SEC_OUTFMT, 12 + 1, 3}), FC_BERR_CORRUPT, "json 3");
	bb_free(b);
}

/* The last event code with rules loses its last one: the ranges then cover one item less. */
static void shrink_last_range(uint8_t *p, size_t len, void *arg)
{
	(void)len, (void)arg;
	uint32_t off = bb_sec(p, FC_SEC_INDEX, NULL, NULL);
	cr_assert(off);
	for (int c = FC_EVENT_MAX - 1; c >= 0; c--) {
		uint8_t *n = p + off + 8 * (unsigned)c + 4;
		if (bb_r32(n)) {
			bb_p32(n, bb_r32(n) - 1);
			return;
		}
	}
	cr_assert_fail("no event code with rules");
}

Test(bundle, index_records)
{
	struct bb *b = sample();
	/* code 2 has rules 0 and 1 at items [0, 2); the item area starts after 454 × 8 bytes */
	uint32_t items = FC_EVENT_MAX * 8;
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_INDEX, items, 9}), FC_BERR_CORRUPT,
	       "section 11 (index) event code 2 at byte");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_INDEX, items, 9}), FC_BERR_CORRUPT, "rule 9 out of range");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_INDEX, items, 1}), FC_BERR_CORRUPT, "rule 1 after rule 1");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_INDEX, 2 * 8 + 4, 50}), FC_BERR_CORRUPT, "past the 4 items");
	/* ranges must tile the items in code order: an overlap or a gap would size the VM's
	 * per-item entry table wrongly (a heap overflow that fuzz_bundle found) */
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_INDEX, 2 * 8, 1}), FC_BERR_CORRUPT,
	       "rules start at item 1, expected 0");
	expect(load_patched(b, shrink_last_range, NULL), FC_BERR_CORRUPT, "the ranges cover 3 of the 4 items");
	bb_free(b);
	b = sample();
	b->no_index = true;
	expect(load_bb(b, NULL), FC_BERR_CORRUPT, "2 rules but no index section");
	bb_free(b);
}

Test(bundle, srcmap_and_meta)
{
	struct bb *b = sample();
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_SRCMAP, 16 * 3, 0}), FC_BERR_CORRUPT,
	       "section 12 (source map) entry 3 at byte");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_SRCMAP, 4, 8888}), FC_BERR_CORRUPT, "file string 8888");
	expect(load_patched(b, patch_sec, &(struct spatch){FC_SEC_META, 4, 8888}), FC_BERR_CORRUPT,
	       "section 15 (meta) entry 1 at byte");
	bb_free(b);
}

/* ---- regressions from fuzzing ---- */

#include "vm.h"

/* A bundle with rules but no output segments, and event codes without rules: NULL + 0 pointer
 * arithmetic there was undefined behaviour (clang UBSan, fuzz_bundle seed inputs). */
Test(bundle, fuzz_regression_no_outputs_no_index_entries)
{
	struct bb *b = one_leaf(FC_OPC_EXISTS, 0, 0, 0);
	struct fc_bundle *B;
	expect(load_bb(b, &B), FC_BERR_OK, NULL);
	cr_assert_eq(fc_bundle_rule(B, 0)->nout, 0);
	cr_assert_null(fc_bundle_rule(B, 0)->out);
	struct fc_vm *vm = fc_vm_new(B);
	uint32_t m[2];
	cr_assert_eq(fc_vm_run(vm, 7, NULL, FC_MATCH_ALL, m, 2), 0);
	cr_assert_eq(fc_vm_run(vm, 2, NULL, FC_MATCH_ALL, m, 2), 0); /* no extractor: missing */
	fc_vm_free(vm);
	fc_bundle_free(B);
	bb_free(b);
}
