/* test_kprog.c — the kernel predicate programs themselves (runtime/kprog.c, bpf/kpred.h):
 * the evaluator (the probe's code, run through its lowering) against an independent model of
 * the bundle-form semantics written here from the header comment, on random programs and
 * random events; its canonical-path test against the state engine's path resolution (the
 * property the split relies on: a path the probe calls canonical resolves to itself); the
 * verifier on broken programs; and the section codec (round trip, hostile bytes). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtbuild.h"
#include "evtfields.h"
#include "kprog.h"

static uint64_t rs = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}
static uint32_t rn(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* ---- the model ---- */

static bool model_dir(void *ud, int64_t fd)
{
	(void)ud;
	return fd % 3 == 0;
}

static bool canonical(const char *s, size_t n)
{
	char out[8192];
	if (n == 0 || s[0] != '/' || n >= 1024)
		return false;
	size_t l = fc_path_concat("", 0, s, n, out, sizeof out);
	return l == n && !memcmp(out, s, n);
}

/* Parameter I of E as a string slot: bytes to the first NUL; false when unusable. */
static bool slot_str(const struct fc_evt *e, unsigned i, const char **s, size_t *n)
{
	if (i >= e->nparams || e->plen[i] == 0)
		return false;
	const uint8_t *z = memchr(e->pval[i], 0, e->plen[i]);
	if (!z || z - e->pval[i] >= FC_KP_SCAN)
		return false;
	*s = (const char *)e->pval[i];
	*n = (size_t)(z - e->pval[i]);
	return true;
}

static bool int_param(const struct fc_evt *e, unsigned i, uint32_t k, uint64_t *v)
{
	unsigned w = k & 0xf;
	if (i >= e->nparams || e->plen[i] != w)
		return false;
	uint64_t x = 0;
	for (unsigned b = 0; b < w; b++)
		x |= (uint64_t)e->pval[i][b] << (8 * b);
	if ((k & FC_KP_SIGNED) && w < 8 && (x >> (8 * w - 1)) & 1)
		x |= ~0ull << (8 * w);
	*v = x;
	return true;
}

static int model_run(const struct fc_kp_prog *p, const struct fc_evt *e)
{
	uint32_t pc = 0;
	while (pc < p->ninsn) {
		const struct fc_kp_insn *in = &p->insn[pc];
		bool r = true; /* maybe */
		uint64_t v;
		const char *s;
		size_t n;
		switch (in->op) {
		case FC_KP_RET:
			return (int)in->imm;
		case FC_KP_FDDIR:
			if (int_param(e, in->arg, in->k, &v))
				r = (int64_t)v >= 0 && model_dir(NULL, (int64_t)v);
			break;
		case FC_KP_SHASH:
		case FC_KP_SPFX:
		case FC_KP_SSFX: {
			unsigned slot = in->arg & 1;
			if (slot >= p->nstr || !slot_str(e, p->str[slot], &s, &n))
				break;
			if (!(in->arg & (FC_KP_RAW | FC_KP_NODUP)) && !canonical(s, n))
				break;
			if ((in->arg & FC_KP_NODUP) && memmem(s, n, "//", 2))
				break;
			if (in->op == FC_KP_SHASH)
				r = fc_kp_hash(s, n) == in->imm;
			else if (in->imm > n)
				r = false;
			else if (in->op == FC_KP_SPFX)
				r = !memcmp(s, p->cpool + in->k, in->imm);
			else
				r = !memcmp(s + n - in->imm, p->cpool + in->k, in->imm);
			break;
		}
		default: {
			if (!int_param(e, in->arg, in->k, &v))
				break;
			uint64_t x = v & in->mask, y = in->imm;
			switch (in->op) {
			case FC_KP_JEQ: r = x == y; break;
			case FC_KP_JNE: r = x != y; break;
			case FC_KP_JLTS: r = (int64_t)x < (int64_t)y; break;
			case FC_KP_JLES: r = (int64_t)x <= (int64_t)y; break;
			case FC_KP_JGTS: r = (int64_t)x > (int64_t)y; break;
			case FC_KP_JGES: r = (int64_t)x >= (int64_t)y; break;
			case FC_KP_JLTU: r = x < y; break;
			case FC_KP_JLEU: r = x <= y; break;
			case FC_KP_JGTU: r = x > y; break;
			default: r = x >= y; break;
			}
		}
		}
		pc += 1 + (r ? in->jt : in->jf);
	}
	return 1;
}

/* ---- random material ---- */

static const char *const path_parts[] = {"etc", "..", ".", "", "a", "shadow", "x.log", ".bashrc", "\x01", "\x7f",
					 "tmp", "...", "dir/", "/"};

static void rand_path(char *out, size_t cap)
{
	size_t o = 0;
	if (rn(5))
		out[o++] = '/';
	uint32_t k = rn(6);
	for (uint32_t i = 0; i < k && o + 16 < cap; i++) {
		const char *p = path_parts[rn(sizeof path_parts / sizeof path_parts[0])];
		size_t l = strlen(p);
		memcpy(out + o, p, l);
		o += l;
		if (rn(4) && o + 1 < cap)
			out[o++] = '/';
	}
	if (rn(30) == 0) /* long */
		while (o + 2 < cap && o < 700)
			out[o++] = 'y';
	out[o] = 0;
}

/* An openat exit (fd, dirfd, name, flags, mode, dev, ino) or a rename exit (res, olddirfd,
 * oldpath, newdirfd, newpath), sometimes with fewer parameters or odd lengths. */
static const struct fc_evt *rand_event(struct eb *b, char paths[2][800])
{
	bool ren = rn(2);
	eb_new(b, ren ? FC_PPME_SYSCALL_RENAMEAT_X : FC_PPME_SYSCALL_OPENAT_2_X, 1, 2);
	rand_path(paths[0], 800);
	rand_path(paths[1], 800);
	int64_t small[] = {0, 1, 3, -1, -2, -115, 0x7fffffff, -100, 255, 256};
	if (ren) {
		eb_i(b, "res", small[rn(10)]);
		eb_i(b, "olddirfd", small[rn(10)]);
		eb_s(b, "oldpath", paths[0]);
		eb_i(b, "newdirfd", small[rn(10)]);
		eb_s(b, "newpath", paths[1]);
	} else {
		eb_i(b, "fd", small[rn(10)]);
		eb_i(b, "dirfd", small[rn(10)]);
		if (rn(8))
			eb_s(b, "name", paths[0]);
		else /* no NUL, or empty */
			eb_raw(b, "name", paths[0], rn(2) ? strlen(paths[0]) : 0);
		eb_i(b, "flags", rn(2) ? rn(0x8000) : 0x401);
		eb_i(b, "mode", rn(07777));
		eb_i(b, "dev", rnd());
		eb_i(b, "ino", rnd());
	}
	if (rn(6) == 0)
		eb_truncate(b, rn(b->nparams));
	return eb_done(b);
}

/* A random valid program over the parameters of the events above. */
static void rand_prog(struct fc_kp_prog *p, char paths[2][800])
{
	memset(p, 0, sizeof(*p));
	p->nstr = (uint8_t)rn(3);
	p->str[0] = p->nstr > 0 ? (uint8_t)(rn(2) ? 2 : 4) : FC_KP_NOSLOT;
	p->str[1] = p->nstr > 1 ? (uint8_t)(rn(2) ? 2 : 4) : FC_KP_NOSLOT;
	uint32_t n = 2 + rn(40);
	int dirarg = -1;
	for (uint32_t pc = 0; pc + 1 < n; pc++) {
		struct fc_kp_insn *in = &p->insn[pc];
		uint32_t room = n - pc - 2;
		in->jt = (uint8_t)rn(room + 1);
		in->jf = (uint8_t)rn(room + 1);
		static const unsigned widths[] = {1, 2, 4, 8};
		uint32_t c = rn(10);
		if (c < 5) {
			static const uint8_t ops[] = {FC_KP_JEQ, FC_KP_JNE, FC_KP_JLTS, FC_KP_JLES, FC_KP_JGTS, FC_KP_JGES,
						      FC_KP_JLTU, FC_KP_JLEU, FC_KP_JGTU, FC_KP_JGEU};
			in->op = ops[rn(10)];
			in->arg = (uint8_t)rn(8);
			in->k = widths[rn(4)] | (rn(2) ? FC_KP_SIGNED : 0);
			in->mask = rn(3) ? ~0ull : rn(2) ? 0xffffffffull : rnd();
			int64_t cs[] = {0, 1, 3, -1, -2, -115, 0x7fffffff, INT64_MIN, INT64_MAX, -100, 255};
			in->imm = rn(4) ? (uint64_t)cs[rn(11)] : rnd();
		} else if (c < 8 && p->nstr) {
			in->op = (uint8_t)(FC_KP_SHASH + rn(3));
			static const uint8_t modes[] = {0, FC_KP_RAW, FC_KP_NODUP};
			in->arg = (uint8_t)(rn(p->nstr) | modes[rn(3)]);
			const char *src = paths[rn(2)];
			size_t sl = strlen(src);
			if (in->op == FC_KP_SHASH) {
				in->imm = rn(3) ? fc_kp_hash(src, sl) : rnd();
			} else {
				size_t cl = 1 + rn(FC_KP_MAX_SLEN);
				if (p->ncpool + cl > FC_KP_CPOOL) {
					in->op = FC_KP_SHASH;
					in->imm = rnd();
					continue;
				}
				/* a piece of the path (start or end), or noise */
				for (size_t i = 0; i < cl; i++)
					p->cpool[p->ncpool + i] =
						sl ? (uint8_t)src[(in->op == FC_KP_SPFX ? i : sl - (cl - i) % (sl + 1)) % sl]
						   : (uint8_t)rnd();
				in->k = p->ncpool;
				in->imm = cl;
				p->ncpool = (uint16_t)(p->ncpool + cl);
			}
		} else {
			if (dirarg < 0)
				dirarg = (int)rn(3);
			in->op = FC_KP_FDDIR;
			in->arg = (uint8_t)dirarg;
			in->k = 8 | FC_KP_SIGNED;
		}
	}
	p->insn[n - 1].op = FC_KP_RET;
	p->insn[n - 1].imm = rn(2);
	/* other RETs on the way */
	for (uint32_t pc = 0; pc + 1 < n; pc++)
		if (rn(12) == 0)
			p->insn[pc] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = rn(2)};
	p->ninsn = (uint16_t)n;
}

Test(kprog, evaluator_matches_the_model)
{
	struct eb *b = malloc(sizeof(*b));
	struct fc_kp_ctx *ctx = fc_kp_ctx_new();
	struct fc_kp_prog *p = malloc(sizeof(*p));
	static char paths[2][800];
	struct fc_kp_env env = {model_dir, NULL};
	uint64_t runs = 0, accepted = 0;
	for (int i = 0; i < 4000; i++) {
		rand_prog(p, paths);
		char err[200];
		cr_assert(fc_kprog_check(p, FC_PPME_SYSCALL_OPENAT_2_X, err, sizeof err, NULL), "%s", err);
		for (int j = 0; j < 8; j++) {
			const struct fc_evt *e = rand_event(b, paths);
			int want = model_run(p, e);
			int got = fc_kprog_run(p, ctx, e->raw, e->len, &env);
			cr_assert_eq(got, want, "program %d event %d: evaluator %d, model %d", i, j, got, want);
			runs++;
			accepted += (uint64_t)got;
		}
	}
	cr_expect(accepted > runs / 10 && accepted < runs - runs / 10, "one-sided outcomes: %llu of %llu accepted",
		  (unsigned long long)accepted, (unsigned long long)runs);
	free(p);
	fc_kp_ctx_free(ctx);
	free(b);
}

/* The probe's notion of a canonical path is exactly "resolves to itself" (Falco's
 * concatenate_paths, as the state engine calls it), below the scan limit. */
Test(kprog, canonical_means_resolves_to_itself)
{
	struct eb *b = malloc(sizeof(*b));
	struct fc_kp_ctx *ctx = fc_kp_ctx_new();
	struct fc_kp_prog p = {0};
	/* "name" as a path, hashed against a constant it never equals: accept = "maybe" */
	p.nstr = 1;
	p.str[0] = 2;
	p.str[1] = FC_KP_NOSLOT;
	p.insn[0] = (struct fc_kp_insn){.op = FC_KP_SHASH, .arg = 0, .imm = 1, .jt = 0, .jf = 1};
	p.insn[1] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 1};
	p.insn[2] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 0};
	p.ninsn = 3;
	char path[900];
	unsigned canon = 0;
	for (int i = 0; i < 200000; i++) {
		rand_path(path, sizeof path);
		eb_new(b, FC_PPME_SYSCALL_OPENAT_2_X, 1, 2);
		eb_s(b, "name", path);
		const struct fc_evt *e = eb_done(b);
		bool decided = fc_kprog_run(&p, ctx, e->raw, e->len, NULL) == 0;
		size_t n = strlen(path);
		bool want = canonical(path, n) && n < FC_KP_SCAN;
		cr_assert_eq(decided, want, "path \"%s\": probe %s, userspace resolution %s", path,
			     decided ? "canonical" : "not canonical", want ? "unchanged" : "changes it");
		canon += decided;
	}
	cr_expect_gt(canon, 1000);
	fc_kp_ctx_free(ctx);
	free(b);
}

/* ---- the verifier ---- */

static struct fc_kp_prog good(void)
{
	struct fc_kp_prog p;
	memset(&p, 0, sizeof p);
	p.nstr = 1;
	p.str[0] = 2;
	p.str[1] = FC_KP_NOSLOT;
	memcpy(p.cpool, "/etc/", 5);
	p.ncpool = 5;
	p.insn[0] = (struct fc_kp_insn){.op = FC_KP_JGES, .arg = 0, .k = 8 | FC_KP_SIGNED, .mask = ~0ull, .jt = 0, .jf = 1};
	p.insn[1] = (struct fc_kp_insn){.op = FC_KP_SPFX, .arg = 0, .k = 0, .imm = 5, .jt = 1, .jf = 0};
	p.insn[2] = (struct fc_kp_insn){.op = FC_KP_FDDIR, .arg = 0, .k = 8 | FC_KP_SIGNED, .jt = 0, .jf = 1};
	p.insn[3] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 1};
	p.insn[4] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 0};
	p.ninsn = 5;
	return p;
}

#define REFUSED(mutation, what)                                                                 \
	do {                                                                                    \
		struct fc_kp_prog q = good();                                                   \
		mutation;                                                                       \
		char err[200] = "";                                                             \
		cr_expect_not(fc_kprog_check(&q, FC_PPME_SYSCALL_OPENAT_2_X, err, sizeof err, NULL), \
			      "accepted: %s", #mutation);                                       \
		cr_expect(strstr(err, what), "%s: message '%s' lacks '%s'", #mutation, err, what); \
	} while (0)

Test(kprog, verifier)
{
	struct fc_kp_prog g = good();
	char err[200];
	cr_assert(fc_kprog_check(&g, FC_PPME_SYSCALL_OPENAT_2_X, err, sizeof err, NULL), "%s", err);
	cr_expect_not(fc_kprog_check(&g, FC_PPME_SYSCALL_OPENAT_2_E, err, sizeof err, NULL), "an enter code");
	REFUSED(q.insn[0].op = 11, "unknown op");
	REFUSED(q.insn[0].jf = 4, "jump past the end");
	REFUSED(q.insn[1].jt = 200, "jump past the end");
	REFUSED(q.ninsn = 3, "last instruction");
	REFUSED(q.ninsn = 0, "instructions");
	REFUSED(q.ninsn = FC_KP_MAX_INSNS + 1, "instructions");
	REFUSED(q.insn[0].k = 3, "bad width");
	REFUSED(q.insn[0].k = 8 | 0x40, "bad width");
	REFUSED(q.insn[0].arg = FC_KP_MAX_PARAMS, "out of range");
	REFUSED(q.insn[1].arg = 1, "not in use");
	REFUSED(q.insn[1].imm = FC_KP_MAX_SLEN + 1, "outside the pool");
	REFUSED(q.insn[1].imm = 0, "outside the pool");
	REFUSED(q.insn[1].k = 3, "outside the pool");
	REFUSED(q.insn[1].mask = 1, "mask");
	REFUSED(q.insn[1].arg = FC_KP_RAW | FC_KP_NODUP, "raw and nodup");
	REFUSED(q.insn[2].imm = 1, "fddir with a constant");
	REFUSED((q.insn[1] = (struct fc_kp_insn){.op = FC_KP_FDDIR, .arg = 1, .k = 8 | FC_KP_SIGNED, .jt = 1, .jf = 0}),
		"another parameter");
	REFUSED(q.insn[3].jt = 1, "ret with operands");
	REFUSED(q.insn[3].imm = 2, "ret with operands");
	REFUSED(q.nstr = 3, "string slots");
	REFUSED(q.str[0] = FC_KP_MAX_PARAMS, "names parameter");
	REFUSED(q.str[1] = 3, "unused string slot");
	REFUSED(q.cpool[7] = 'x', "not zero");
	REFUSED(q.ncpool = FC_KP_CPOOL + 1, "constant bytes");
	REFUSED((q.insn[1] = (struct fc_kp_insn){.op = FC_KP_SHASH, .arg = 0, .k = 1, .jt = 1}),
		"shash with a constant offset");
	REFUSED(q.insn[2].mask = 1, "fddir with a constant");
	REFUSED(q.insn[2].k = 8 | 0x20, "bad width");
	REFUSED(q.insn[2].arg = FC_KP_MAX_PARAMS, "out of range");
	REFUSED(q.insn[3].arg = 1, "ret with operands");
	REFUSED(q.insn[3].k = 1, "ret with operands");
	REFUSED(q.insn[3].mask = 1, "ret with operands");
	cr_expect_not(fc_kprog_check(&g, FC_EVENT_MAX, err, sizeof err, NULL));
	cr_expect_str_eq(err, "event code 454 is not an exit event");
}

/* ---- the section codec ---- */

Test(kprog, codec_round_trip_and_hostile_bytes)
{
	static char paths[2][800];
	struct fc_kp_prog *ps = calloc(20, sizeof(*ps));
	const struct fc_kp_prog *pp[20];
	uint16_t codes[20];
	for (int i = 0; i < 20; i++) {
		rand_prog(&ps[i], paths);
		pp[i] = &ps[i];
		codes[i] = (uint16_t)(2 * i + 3);
	}
	uint8_t *sec = NULL;
	size_t len = 0;
	char err[256];
	cr_assert(fc_kprog_encode(codes, pp, 20, &sec, &len, err, sizeof err), "%s", err);
	uint64_t at;
	struct fc_kprog_set *s = fc_kprog_decode(sec, len, 20, err, sizeof err, &at);
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(fc_kprog_count(s), 20);
	for (int i = 0; i < 20; i++) {
		uint16_t c;
		const struct fc_kp_prog *q = fc_kprog_at(s, (uint32_t)i, &c);
		cr_assert_eq(c, codes[i]);
		cr_assert_eq(memcmp(q, &ps[i], sizeof *q), 0, "program %d changed in the round trip", i);
		cr_assert_eq(fc_kprog_for(s, codes[i]), q);
		cr_assert_not_null(fc_kprog_lowered(s, codes[i]));
	}
	cr_assert_null(fc_kprog_for(s, 4));
	/* without some codes */
	fc_evtset drop = {0};
	fc_evtset_add(&drop, codes[3]);
	struct fc_kprog_set *w = fc_kprog_without(s, &drop);
	cr_assert_eq(fc_kprog_count(w), 19);
	cr_assert_null(fc_kprog_for(w, codes[3]));
	cr_assert_not_null(fc_kprog_for(w, codes[4]));
	fc_kprog_free(w);
	fc_kprog_free(s);
	/* a wrong count, a cut, a byte more, codes out of order */
	cr_assert_null(fc_kprog_decode(sec, len, 19, err, sizeof err, &at));
	cr_assert_null(fc_kprog_decode(sec, len - 8, 20, err, sizeof err, &at));
	cr_assert_null(fc_kprog_decode(sec, len, 21, err, sizeof err, &at));
	/* every single-byte change is either refused or still verifies (never a crash, never an
	 * unchecked program) */
	uint8_t *m = malloc(len);
	unsigned refused = 0;
	for (size_t i = 0; i < len; i += 1 + rn(7)) {
		memcpy(m, sec, len);
		m[i] ^= (uint8_t)(1 + rn(255));
		struct fc_kprog_set *x = fc_kprog_decode(m, len, 20, err, sizeof err, &at);
		if (!x) {
			refused++;
			cr_assert_leq(at, len);
			continue;
		}
		for (uint32_t k = 0; k < fc_kprog_count(x); k++) {
			uint16_t c;
			const struct fc_kp_prog *q = fc_kprog_at(x, k, &c);
			cr_assert(fc_kprog_check(q, c, err, sizeof err, NULL));
		}
		fc_kprog_free(x);
	}
	cr_expect_gt(refused, 0);
	free(m);
	free(sec);
	free(ps);
}

/* Every malformed form of a section is refused with its own message and the offset of the
 * bytes at fault: the record for a record's fields, the instruction for an instruction's. The
 * section: good() for openat (record 0, body at 32) and for openat2 (record 1, body at 160),
 * 288 bytes. */
static void sec_refused(const uint8_t *sec, size_t len, uint32_t count, const char *want, uint64_t want_at)
{
	char err[256] = "";
	uint64_t at = ~0ull;
	struct fc_kprog_set *s = fc_kprog_decode(sec, len, count, err, sizeof err, &at);
	cr_expect_null(s, "accepted, expected \"%s\"", want);
	fc_kprog_free(s);
	cr_expect_str_eq(err, want);
	cr_expect_eq(at, want_at, "\"%s\" at %llu, expected %llu", want, (unsigned long long)at,
		     (unsigned long long)want_at);
}

#define SEC_REFUSED(mutation, count, want, want_at)       \
	do {                                              \
		uint8_t m[sizeof base + 8] = {0};         \
		memcpy(m, base, sizeof base);             \
		mutation;                                 \
		sec_refused(m, sizeof base, count, want, want_at); \
	} while (0)

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

Test(kprog, decoder_refuses_each_malformed_section_precisely)
{
	struct fc_kp_prog g = good();
	const struct fc_kp_prog *pp[2] = {&g, &g};
	const uint16_t codes[2] = {FC_PPME_SYSCALL_OPENAT_2_X, FC_PPME_SYSCALL_OPENAT2_X};
	uint8_t *sec = NULL;
	size_t len = 0;
	char err[256];
	cr_assert(fc_kprog_encode(codes, pp, 2, &sec, &len, err, sizeof err), "%s", err);
	uint8_t base[288];
	cr_assert_eq(len, sizeof base);
	memcpy(base, sec, len);
	free(sec);
	uint64_t at;
	struct fc_kprog_set *s = fc_kprog_decode(base, sizeof base, 2, err, sizeof err, &at);
	cr_assert_not_null(s, "%s", err);
	fc_kprog_free(s);
	char want[256];
	const char *open_x = fc_events[FC_PPME_SYSCALL_OPENAT_2_X].name;

	/* counts and sizes */
	sec_refused(base, sizeof base, FC_EVENT_MAX + 1, "455 programs, more than there are event codes", 0);
	sec_refused(base, 20, 2, "2 records need 32 bytes, the section has 20", 0);
	sec_refused(base, sizeof base, 0, "288 bytes after the last program", 0);
	sec_refused(base, sizeof base, 1, "program 0: body at 32, expected 16", 12);
	SEC_REFUSED(put16(m + 16, 0), 2, "program 1: event code 0 not after 307", 16);
	sec_refused(base, sizeof base - 8, 2, "program 1: body of 128 bytes at 160 runs past the section (280 bytes)",
		    16);
	{
		uint8_t more[sizeof base + 8] = {0};
		memcpy(more, base, sizeof base);
		sec_refused(more, sizeof more, 2, "8 bytes after the last program", 288);
	}
	/* the records */
	SEC_REFUSED(m[9] = 1, 2, "program 0: reserved bytes not zero", 0);
	SEC_REFUSED(m[16 + 10] = 1, 2, "program 1: reserved bytes not zero", 16);
	SEC_REFUSED(put16(m + 16, FC_PPME_SYSCALL_OPENAT_2_X), 2, "program 1: event code 307 not after 307", 16);
	SEC_REFUSED(put16(m + 2, 0), 2, "program 0: 0 instructions (1 to 256 allowed)", 0);
	SEC_REFUSED(put16(m + 2, FC_KP_MAX_INSNS + 1), 2, "program 0: 257 instructions (1 to 256 allowed)", 0);
	SEC_REFUSED(put16(m + 4, FC_KP_CPOOL + 1), 2, "program 0: 1025 constant bytes (at most 1024)", 0);
	SEC_REFUSED(m[6] = 3, 2, "program 0: 3 string slots (at most 2)", 0);
	SEC_REFUSED(m[12] = 40, 2, "program 0: body at 40, expected 32", 12);
	SEC_REFUSED(m[32 + 5 * 24 + 5] = 1, 2, "program 0: padding not zero", 157);
	/* the verifier, through the decoder */
	snprintf(want, sizeof want, "program 0 (event %s): event code 306 is not an exit event",
		 fc_events[FC_PPME_SYSCALL_OPENAT_2_E].name);
	SEC_REFUSED(put16(m, FC_PPME_SYSCALL_OPENAT_2_E), 2, want, 0);
	snprintf(want, sizeof want, "program 0 (event %s): string slot 0 names parameter 40", open_x);
	SEC_REFUSED(m[7] = 40, 2, want, 0);
	snprintf(want, sizeof want, "program 0 (event %s): unused string slot 1 is not 0xff", open_x);
	SEC_REFUSED(m[8] = 0, 2, want, 0);
	snprintf(want, sizeof want, "program 0 (event %s): instruction 0: jump past the end of the program", open_x);
	SEC_REFUSED(m[32 + 3] = 4, 2, want, 32);
	snprintf(want, sizeof want, "program 0 (event %s): instruction 1: unknown op 11", open_x);
	SEC_REFUSED(m[32 + 24] = 11, 2, want, 56);
	snprintf(want, sizeof want, "program 0 (event %s): instruction 1: constant of 6 bytes at 0 outside the pool",
		 open_x);
	SEC_REFUSED(m[32 + 24 + 8] = 6, 2, want, 56);
	snprintf(want, sizeof want, "program 0 (event %s): instruction 0: parameter 32 out of range", open_x);
	SEC_REFUSED(m[32 + 1] = FC_KP_MAX_PARAMS, 2, want, 32);
	snprintf(want, sizeof want, "program 0 (event %s): instruction 1: string slot 1 not in use", open_x);
	SEC_REFUSED(m[32 + 24 + 1] = 1, 2, want, 56);
	snprintf(want, sizeof want, "program 0 (event %s): the last instruction is not a ret", open_x);
	SEC_REFUSED(m[32 + 4 * 24] = FC_KP_JEQ, 2, want, 128);
	snprintf(want, sizeof want, "program 0 (event %s): instruction 4: ret with operands", open_x);
	SEC_REFUSED(m[32 + 4 * 24 + 2] = 1, 2, want, 128);
}

/* No byte value encodes a backward jump or a loop: jump offsets are unsigned and counted from
 * the next instruction. The largest program (FC_KP_MAX_INSNS, every test jumping as far as it
 * may) passes; one step further is refused. */
Test(kprog, largest_program_and_longest_jump)
{
	struct fc_kp_prog *p = calloc(1, sizeof(*p));
	p->str[0] = p->str[1] = FC_KP_NOSLOT;
	for (uint32_t pc = 0; pc + 1 < FC_KP_MAX_INSNS; pc++)
		p->insn[pc] = (struct fc_kp_insn){.op = FC_KP_JNE, .arg = 0, .k = 8, .mask = ~0ull, .imm = pc,
						  .jt = (uint8_t)(FC_KP_MAX_INSNS - 2 - pc), .jf = 0};
	p->insn[FC_KP_MAX_INSNS - 1] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 1};
	p->ninsn = FC_KP_MAX_INSNS;
	char err[200];
	uint32_t bi;
	cr_assert(fc_kprog_check(p, FC_PPME_SYSCALL_OPENAT_2_X, err, sizeof err, &bi), "%s", err);
	const struct fc_kp_prog *pp[1] = {p};
	uint16_t code = FC_PPME_SYSCALL_OPENAT_2_X;
	uint8_t *sec = NULL;
	size_t len = 0;
	cr_assert(fc_kprog_encode(&code, pp, 1, &sec, &len, err, sizeof err), "%s", err);
	uint64_t at;
	struct fc_kprog_set *s = fc_kprog_decode(sec, len, 1, err, sizeof err, &at);
	cr_assert_not_null(s, "%s", err);
	fc_kprog_free(s);
	free(sec);
	p->insn[0].jt = 255;
	cr_assert_not(fc_kprog_check(p, FC_PPME_SYSCALL_OPENAT_2_X, err, sizeof err, &bi));
	cr_expect_str_eq(err, "instruction 0: jump past the end of the program");
	cr_expect_eq(bi, 0);
	p->insn[0].jt = 254;
	p->insn[FC_KP_MAX_INSNS - 2].jf = 1;
	cr_assert_not(fc_kprog_check(p, FC_PPME_SYSCALL_OPENAT_2_X, err, sizeof err, &bi));
	cr_expect_str_eq(err, "instruction 254: jump past the end of the program");
	cr_expect_eq(bi, FC_KP_MAX_INSNS - 2);
	p->insn[FC_KP_MAX_INSNS - 2].jf = 0;
	p->ninsn = FC_KP_MAX_INSNS + 1;
	cr_assert_not(fc_kprog_check(p, FC_PPME_SYSCALL_OPENAT_2_X, err, sizeof err, &bi));
	cr_expect_str_eq(err, "257 instructions (1 to 256 allowed)");
	cr_expect_eq(bi, FC_KP_NOINSN);
	free(p);
}

/* The return-value gate the probe applies before building an event is sound: whenever it says
 * a class of parameter 0 is dropped, the evaluator drops every event of that class (parameter 0
 * present with 8 bytes); and it is not vacuous. */
Test(kprog, res_gate_only_drops_what_the_program_drops)
{
	struct eb *b = malloc(sizeof(*b));
	struct fc_kp_ctx *ctx = fc_kp_ctx_new();
	struct fc_kp_prog *p = malloc(sizeof(*p));
	static char paths[2][800];
	struct fc_kp_env env = {model_dir, NULL};
	uint64_t gated = 0, checked = 0, accepted_ungated = 0;
	rs = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 4000; i++) {
		rand_prog(p, paths);
		if (rn(2)) { /* programs that start with a test of the result, as the split's do */
			static const uint8_t ops[] = {FC_KP_JEQ, FC_KP_JNE, FC_KP_JLTS, FC_KP_JLES, FC_KP_JGTS,
						      FC_KP_JGES, FC_KP_JLTU, FC_KP_JLEU, FC_KP_JGTU, FC_KP_JGEU};
			int64_t cs[] = {0, 1, -1, -2, -115, INT64_MIN, INT64_MAX};
			struct fc_kp_insn *in = &p->insn[0];
			if (in->op != FC_KP_RET) {
				in->op = ops[rn(10)];
				in->arg = 0;
				in->k = 8 | (rn(2) ? FC_KP_SIGNED : 0);
				in->mask = ~0ull;
				in->imm = (uint64_t)cs[rn(7)];
			}
		}
		char err[200];
		cr_assert(fc_kprog_check(p, FC_PPME_SYSCALL_OPENAT_2_X, err, sizeof err, NULL), "%s", err);
		uint8_t g = fc_kprog_res_gate(p);
		for (int j = 0; j < 16; j++) {
			const struct fc_evt *e = rand_event(b, paths);
			if (e->nparams == 0 || e->plen[0] != 8)
				continue;
			int64_t res;
			memcpy(&res, e->pval[0], 8);
			uint8_t cls = res < 0 ? FC_KP_GATE_NEG : res == 0 ? FC_KP_GATE_ZERO : FC_KP_GATE_POS;
			int got = fc_kprog_run(p, ctx, e->raw, e->len, &env);
			checked++;
			if (g & cls) {
				gated++;
				cr_assert_eq(got, 0, "program %d: gate 0x%x drops res %lld, the evaluator accepts", i, g,
					     (long long)res);
			} else {
				accepted_ungated += (uint64_t)got;
			}
		}
	}
	cr_expect_gt(gated, checked / 10, "the gate hardly ever applies: %llu of %llu", (unsigned long long)gated,
		     (unsigned long long)checked);
	cr_expect_gt(accepted_ungated, 0);
	/* a fixed program: res = 0 and mode has bit 0x800 */
	memset(p, 0, sizeof(*p));
	p->insn[0] = (struct fc_kp_insn){.op = FC_KP_JEQ, .arg = 0, .jt = 0, .jf = 2, .k = 8 | FC_KP_SIGNED,
					 .mask = ~0ull, .imm = 0};
	p->insn[1] = (struct fc_kp_insn){.op = FC_KP_JNE, .arg = 3, .jt = 0, .jf = 1, .k = 4, .mask = 0x800};
	p->insn[2] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 1};
	p->insn[3] = (struct fc_kp_insn){.op = FC_KP_RET, .imm = 0};
	p->ninsn = 4;
	p->str[0] = p->str[1] = FC_KP_NOSLOT;
	char err[200];
	cr_assert(fc_kprog_check(p, FC_PPME_SYSCALL_FCHMODAT_X, err, sizeof err, NULL), "%s", err);
	cr_expect_eq(fc_kprog_res_gate(p), FC_KP_GATE_NEG | FC_KP_GATE_POS);
	free(p);
	fc_kp_ctx_free(ctx);
	free(b);
}
