/* bpf/kpred.h — the kernel predicate programs (issue 5, pre-filter part 2): their bundle form,
 * their lowered form (what the probe's fc_kprog map holds) and the one evaluator, shared by the
 * probe (bpf/probe.bpf.c, program t_kfilter) and by userspace (runtime/kprog.c: the reference
 * the differential tests run). Both sides include this same file, so both evaluate with the
 * same code; only memory access (FC_KP_LD64) and the one kernel fact (FC_KP_FDDIR) are provided
 * by the includer. The lowering from the bundle form is runtime/kprog.c (userspace only).
 *
 * A program belongs to one event code and runs over that event exactly as the probe built it
 * (scap layout, RUNTIME.md §2.1: 26-byte header, u16 lengths, then the values), before the event
 * is copied to a ring. It is a sequence of at most FC_KP_MAX_INSNS instructions; every
 * instruction but RET is a test that continues at pc+1+jt when true and pc+1+jf when false,
 * jumps only go forward and stay inside the program, and the last instruction is a RET, so a run
 * takes at most FC_KP_MAX_INSNS steps (the loop bound the BPF verifier sees).
 *
 * "Maybe": a test that cannot be decided exactly as userspace would decide it (parameter absent
 * or of another size, path not absolute or not in canonical form, string longer than the scan
 * limit, ...) takes its TRUE branch. The compiler (compiler/split.c) only emits tests in the
 * polarity where TRUE is the weaker answer (a negated test is its own opcode: JNE, JGES...), so
 * "maybe" always leans towards accepting the event.
 *
 * Operations of the bundle form (op, arg, k, imm, mask):
 *   RET      imm = 1 accept (send the event), 0 drop; arg, k, mask 0, jt = jf = 0
 *   JEQ..JGEU  integer tests on parameter `arg`: value v = the parameter's k&0xf bytes (1, 2, 4
 *            or 8; another length is "maybe"), little-endian, sign-extended when k has
 *            FC_KP_SIGNED; x = v & mask; JEQ x == imm, JNE x != imm, JLTS..JGES signed 64-bit
 *            compares, JLTU..JGEU unsigned ones
 *   SHASH    string slot `arg & FC_KP_SLOTMASK`: FNV-1a 64 of the string == imm
 *   SPFX     the string starts with the imm bytes at cpool[k]   (1 <= imm <= FC_KP_MAX_SLEN)
 *   SSFX     the string ends with the imm bytes at cpool[k]
 *            string tests with FC_KP_RAW in arg use the string as it is; with FC_KP_NODUP as it
 *            is too, but they are "maybe" when it contains "//" (userspace removes duplicate
 *            separators: fd.nameraw); without either flag the string
 *            must be an absolute path already in the form userspace's path resolution gives
 *            (Falco's concatenate_paths: no "//", no "." or ".." component, no trailing '/', only
 *            bytes 0x20..0x7e, shorter than 1024 bytes), else the test is "maybe"
 *   FDDIR    parameter `arg` (an integer as for JEQ) is an fd >= 0 that refers, in the calling
 *            task, to a directory or to an O_PATH file (kernel side; a userspace model elsewhere);
 *            all the FDDIR tests of a program name the same parameter and width (the fact is
 *            looked up once per run)
 * A program's string slots (nstr <= FC_KP_MAX_STR) name the parameters the string tests read
 * (str[i]); a slot holds the parameter's bytes up to its first NUL, and is "maybe" when the
 * parameter is absent, empty, has no NUL, or is longer than FC_KP_SCAN bytes.
 *
 * Lowered form: every test is one of three shapes the evaluator computes without branching
 * (so that the BPF verifier walks each step once, not once per path through all steps):
 * an integer range test ((ext(v) & mask) ^ bias) - lo <= span (unsigned), covering every
 * integer compare (JNE and the like: the same range, inverted), a hash equality, or a prefix/suffix
 * compare of up to 8 words with per-word masks; FDDIR and RET keep their own kinds.
 */
#ifndef FC_KPRED_H
#define FC_KPRED_H

#define FC_KP_MAX_INSNS 256 /* power of two: pc is masked with it */
#define FC_KP_CPOOL 1024    /* constant bytes per program (power of two) */
#define FC_KP_MAX_STR 2     /* string slots per program */
#define FC_KP_MAX_SLEN 64   /* bytes of one prefix/suffix constant */
#define FC_KP_MAX_PARAMS 32 /* = FC_EVT_MAX_PARAMS */
#define FC_KP_SCAN 512     /* bytes of a string parameter looked at */
#define FC_KP_HDR 26
#define FC_KP_EVMASK 0xffff /* event offsets, masked (events are < 64 KiB) */

/* Return-value gate classes (runtime/kprog.h fc_kprog_res_gate; the probe's fc_res_gate). */
#define FC_KP_GATE_NEG 1
#define FC_KP_GATE_ZERO 2
#define FC_KP_GATE_POS 4

#define FC_KP_SIGNED 0x10
#define FC_KP_RAW 0x80
#define FC_KP_NODUP 0x40 /* string tests: the string as it is, but "maybe" when it has "//" */
#define FC_KP_SLOTMASK 0x01
#define FC_KP_NOSLOT 0xff

#define FC_KP_FNV_BASIS 0xcbf29ce484222325ull
#define FC_KP_FNV_PRIME 0x100000001b3ull

/* Opcode numbers are part of the bundle format (FC_SEC_KPROG): never renumber. */
#define FC_KP_OPS(X)                                                                            \
	X(RET, 0, "ret")                                                                        \
	X(JEQ, 1, "jeq")                                                                        \
	X(JNE, 2, "jne")                                                                        \
	X(JLTS, 3, "jlt.s")                                                                     \
	X(JLES, 4, "jle.s")                                                                     \
	X(JGTS, 5, "jgt.s")                                                                     \
	X(JGES, 6, "jge.s")                                                                     \
	X(JLTU, 7, "jlt.u")                                                                     \
	X(JLEU, 8, "jle.u")                                                                     \
	X(JGTU, 9, "jgt.u")                                                                     \
	X(JGEU, 10, "jge.u")                                                                    \
	X(SHASH, 16, "shash")                                                                   \
	X(SPFX, 17, "sprefix")                                                                  \
	X(SSFX, 18, "ssuffix")                                                                  \
	X(FDDIR, 24, "fddir")

enum fc_kp_op {
#define FC_X(id, num, mnem) FC_KP_##id = (num),
	FC_KP_OPS(FC_X)
#undef FC_X
};

/* Bundle form (FC_SEC_KPROG, runtime/kprog.h). */
struct fc_kp_insn {
	__u8 op, arg, jt, jf;
	__u32 k;
	__u64 imm;
	__u64 mask;
};

/* Unused string slots are FC_KP_NOSLOT; the pool has 8 bytes of zero padding. */
struct fc_kp_prog {
	__u16 ninsn;
	__u8 nstr;
	__u8 pad0;
	__u8 str[FC_KP_MAX_STR];
	__u16 ncpool;
	struct fc_kp_insn insn[FC_KP_MAX_INSNS];
	__u8 cpool[FC_KP_CPOOL + 8];
};

/* Lowered form: what the probe's map holds and the evaluator runs. */
enum fc_kpl_kind { FC_KPL_RET = 0, FC_KPL_TEST = 1, FC_KPL_FDDIR = 2 };
enum fc_kpl_sel { FC_KPL_INT = 0, FC_KPL_HASH = 1, FC_KPL_CMP = 2 };
#define FC_KPL_SEXT 0x01   /* sign-extend the parameter from its width */
#define FC_KPL_BIAS 0x02   /* flip bit 63 before the range test (signed compares) */
#define FC_KPL_SUFFIX 0x04 /* CMP: at the end of the string */
#define FC_KPL_INV 0x08    /* INT: true outside the range (a "maybe" still goes to jt) */

struct fc_kp_linsn {
	__u8 kind, arg, jt, jf; /* arg: parameter (INT, FDDIR) or slot | FC_KP_RAW (HASH, CMP) */
	__u8 sel, width, flags, pad;
	__u32 k;                /* CMP: constant offset in the pool */
	__u64 mask;             /* INT: applied after extension */
	__u64 lo;               /* INT: range start; HASH: the hash; CMP: length; RET: 0/1 */
	__u64 span;             /* INT: range length - 1 */
};

struct fc_kp_lprog {
	__u16 ninsn;
	__u8 nstr;
	__u8 pad0;
	__u8 str[FC_KP_MAX_STR];
	__u16 ncpool;
	/* FDDIR (every FDDIR of a program tests the same parameter): computed once per run */
	__u8 has_dir, dir_arg, dir_width, dir_flags;
	__u8 pad1[4];
	struct fc_kp_linsn insn[FC_KP_MAX_INSNS];
	__u8 cpool[FC_KP_CPOOL + 8 * 8];
};

/* One string slot, computed once per run. use[flags >> 6]: usable as a path (0), as it is
 * without "//" (1, NODUP), as it is (2, RAW). */
struct fc_kp_str {
	__u32 off, len;
	__u64 hash;
	__u8 use[4];
	__u8 pad[4];
};

/* Scratch of one run (BPF: a per-CPU map value, so that variable indexes are map accesses). */
struct fc_kp_scratch {
	__u16 off[FC_KP_MAX_PARAMS];
	__u16 len[FC_KP_MAX_PARAMS]; /* 0xffff: the parameter is absent */
	struct fc_kp_str s[FC_KP_MAX_STR];
	__u32 pc, pad;
};

#endif /* FC_KPRED_H */

/* The evaluator, compiled when the includer provides:
 *   FC_KP_LD64(p)        an 8-byte little-endian load from p (may be unaligned)
 *   FC_KP_FDDIR(env, fd) 1 when fd refers to a directory or an O_PATH file, else 0
 *   FC_KP_ENV            the type of the env argument
 *   FC_KP_INLINE         the storage class of its functions
 * Everything below computes with 0/1 values and multiplications instead of branches where it
 * can (and never masks with values in [-1, 0], on which newer verifiers fork their state). */
#if defined(FC_KP_LD64) && !defined(FC_KPRED_EVAL)
#define FC_KPRED_EVAL

/* The compiler must not turn the arithmetic below back into compares and jumps (each jump
 * doubles the paths the BPF verifier walks): an empty asm hides the value's origin. */
#define FC_KP_OPAQUE(x) __asm__ volatile("" : "+r"(x))
#if defined(__clang__)
#define FC_KP_UNROLL _Pragma("unroll")
#else
#define FC_KP_UNROLL _Pragma("GCC unroll 8")
#endif

/* a < b, unsigned (the borrow of a - b) */
FC_KP_INLINE __u64 fc_kp_lt(__u64 a, __u64 b)
{
	__u64 t = (~a & b) | (~(a ^ b) & (a - b));
	FC_KP_OPAQUE(t);
	return t >> 63;
}

/* x == 0 */
FC_KP_INLINE __u64 fc_kp_z(__u64 x)
{
	__u64 t = x | (0 - x);
	FC_KP_OPAQUE(t);
	return (t >> 63) ^ 1;
}

/* Parameter offsets and lengths of the event at EV (NP parameters, u16 lengths). */
FC_KP_INLINE void fc_kp_params(const __u8 *ev, __u32 np, struct fc_kp_scratch *sc)
{
	for (int i = 0; i < FC_KP_MAX_PARAMS; i++) {
		sc->off[i] = 0;
		sc->len[i] = 0xffff;
	}
	__u32 pos = FC_KP_HDR + 2 * np;
	for (int i = 0; i < FC_KP_MAX_PARAMS; i++) {
		if ((__u32)i >= np)
			break;
		__u32 lo = FC_KP_HDR + 2 * (__u32)i;
		__u32 l = (__u32)ev[lo & FC_KP_EVMASK] | ((__u32)ev[(lo + 1) & FC_KP_EVMASK] << 8);
		sc->off[i] = (__u16)pos;
		sc->len[i] = (__u16)l;
		pos += l;
	}
}

/* String slot I from parameter PI: bytes up to the first NUL, its hash, and whether it is an
 * absolute path in canonical form (see the header comment). */
FC_KP_INLINE void fc_kp_str_init(const __u8 *ev, struct fc_kp_scratch *sc, __u32 i, __u32 pi)
{
	struct fc_kp_str *s = &sc->s[i & (FC_KP_MAX_STR - 1)];
	s->use[0] = s->use[1] = s->use[2] = s->use[3] = 0;
	s->len = 0;
	s->hash = FC_KP_FNV_BASIS;
	__u32 off = sc->off[pi & (FC_KP_MAX_PARAMS - 1)];
	__u32 len = sc->len[pi & (FC_KP_MAX_PARAMS - 1)];
	s->off = off;
	if (pi >= FC_KP_MAX_PARAMS || len == 0 || len == 0xffff)
		return;
	/* Per byte: bad collects every reason the path is not canonical; seg is the current
	 * component's length (clamped to 3), dots whether it is all dots so far. */
	__u64 h = FC_KP_FNV_BASIS, bad = 0, seg = 0, dots = 1, prevslash = 0, dup = 0;
	__u32 n = 0, nul = 0;
	for (__u32 j = 0; j < FC_KP_SCAN; j++) {
		if (j >= len)
			break;
		__u64 c = ev[(off + j) & FC_KP_EVMASK];
		if (c == 0) {
			nul = 1;
			break;
		}
		h ^= c;
		h *= FC_KP_FNV_PRIME;
		__u64 slash = fc_kp_z(c ^ '/');
		__u64 dot = fc_kp_z(c ^ '.');
		if (j == 0)
			bad |= slash ^ 1;                           /* not absolute */
		bad |= fc_kp_lt(c, 0x20) | fc_kp_lt(0x7e, c);       /* unprintable */
		dup |= slash & prevslash;                           /* "//" */
		bad |= slash & dots & (0x6ull >> seg);              /* "/./", "/../" */
		__u64 s1 = seg + 1;
		s1 -= s1 >> 2;
		seg = s1 * (slash ^ 1);
		dots = slash | (dots & dot);
		prevslash = slash;
		n = j + 1;
	}
	if (!nul)
		return; /* no NUL within the parameter (userspace: no string), or too long to look at */
	bad |= dots & (0x6ull >> seg); /* a trailing "." or ".." */
	__u32 canon = !(bad & 1) && !(dup & 1) && n > 0 && !(n > 1 && prevslash);
	s->use[2] = 1;
	s->use[1] = (__u8)!(dup & 1);
	s->use[0] = (__u8)canon;
	s->len = n;
	s->hash = h;
}

/* Runs P over the event at EV with NP parameters: 1 accept, 0 drop. */
FC_KP_INLINE int fc_kp_run(const struct fc_kp_lprog *p, const __u8 *ev, __u32 np, struct fc_kp_scratch *sc,
			   FC_KP_ENV env)
{
	if (np > FC_KP_MAX_PARAMS)
		return 1;
	fc_kp_params(ev, np, sc);
	for (__u32 i = 0; i < FC_KP_MAX_STR; i++)
		sc->s[i].use[0] = sc->s[i].use[1] = sc->s[i].use[2] = sc->s[i].use[3] = 0;
	for (__u32 i = 0; i < FC_KP_MAX_STR; i++) {
		if (i >= p->nstr)
			break;
		fc_kp_str_init(ev, sc, i, p->str[i & (FC_KP_MAX_STR - 1)]);
	}
	/* the one kernel fact, before the loop (its lookups branch) */
	__u64 dirfact = 1;
	if (p->has_dir) {
		__u32 a = p->dir_arg & (FC_KP_MAX_PARAMS - 1);
		__u64 w = p->dir_width & 0xf;
		if (w && sc->len[a] == w) {
			__u64 v = FC_KP_LD64(&ev[sc->off[a] & FC_KP_EVMASK]);
			__u64 wm = ((1ull << (4 * w)) << (4 * w)) - 1;
			__u64 sb = (__u64)(p->dir_flags & FC_KPL_SEXT) << ((8 * w - 1) & 63);
			__s64 fd = (__s64)(((v & wm) ^ sb) - sb);
			dirfact = fd >= 0 && FC_KP_FDDIR(env, fd);
		}
	}
	/* pc lives in memory between steps: whatever path a step took, the next one starts from
	 * the same verifier state */
	volatile __u32 *vpc = &sc->pc;
	__u32 n = p->ninsn;
	*vpc = 0;
	for (int step = 0; step < FC_KP_MAX_INSNS; step++) {
		__u32 pc = *vpc;
		if (pc >= n)
			return 1;
		const struct fc_kp_linsn *in = &p->insn[pc & (FC_KP_MAX_INSNS - 1)];
		if (in->kind == FC_KPL_RET)
			return (int)(in->lo & 1);
		__u32 flags = in->flags;
		/* integer: the parameter's WIDTH bytes, extended, masked, biased, range-tested */
		__u32 a = in->arg & (FC_KP_MAX_PARAMS - 1);
		__u64 w = in->width & 0xf;
		__u64 v = FC_KP_LD64(&ev[sc->off[a] & FC_KP_EVMASK]);
		__u64 wm = ((1ull << (4 * w)) << (4 * w)) - 1;
		__u64 sb = (__u64)(flags & FC_KPL_SEXT) << ((8 * w - 1) & 63);
		__u64 x = ((v & wm) ^ sb) - sb;
		__u64 okint = fc_kp_z(sc->len[a] ^ w) & (fc_kp_z(w) ^ 1);
		__u64 y = (x & in->mask) ^ ((__u64)((flags >> 1) & 1) << 63);
		__u64 inv = (flags >> 3) & 1;
		__u64 rint = (fc_kp_lt(in->span, y - in->lo) ^ 1 ^ inv) | (okint ^ 1);
		/* strings: hash equality, or up to 8 masked words at the start / end */
		const struct fc_kp_str *s = &sc->s[in->arg & FC_KP_SLOTMASK];
		__u64 use = s->use[(in->arg >> 6) & 3];
		__u64 rhash = fc_kp_z(s->hash ^ in->lo);
		__u64 cl = in->lo & 127;
		__u64 ge = fc_kp_lt(s->len, cl) ^ 1;
		__u64 suf = (flags >> 2) & 1;
		__u64 start = s->off + (s->len - cl) * suf;
		__u64 acc = 0;
		FC_KP_UNROLL
		for (__u32 j = 0; j < FC_KP_MAX_SLEN / 8; j++) {
			/* bytes of the constant in word j: cl - 8j clamped to [0, 8], with 0/1 factors
			 * (a mask in the range [-1, 0] makes newer verifiers fork their state) */
			__u64 left = cl - 8 * (__u64)j;
			__u64 nb = left >> 63;
			FC_KP_OPAQUE(nb);
			left *= 1 - nb;
			__u64 ob = (8 - left) >> 63;
			FC_KP_OPAQUE(ob);
			left = left * (1 - ob) + 8 * ob;
			__u64 m = ((1ull << (4 * left)) << (4 * left)) - 1;
			__u64 e = FC_KP_LD64(&ev[(start + 8 * j) & FC_KP_EVMASK]);
			__u64 c = FC_KP_LD64(&p->cpool[(in->k + 8 * j) & (FC_KP_CPOOL - 1)]);
			acc |= (e ^ c) & m;
		}
		__u64 rcmp = ge & fc_kp_z(acc);
		__u64 cmpsel = (in->sel >> 1) & 1;
		__u64 rstr = (rhash ^ ((rhash ^ rcmp) & cmpsel)) | (use ^ 1);
		__u64 strsel = fc_kp_z(in->sel) ^ 1;
		__u64 r = rint ^ ((rint ^ rstr) & strsel);
		__u64 isdir = fc_kp_z(in->kind ^ FC_KPL_FDDIR);
		r ^= (r ^ dirfact) & isdir;
		__u32 jt = in->jt, jf = in->jf;
		*vpc = pc + 1 + jf + (jt - jf) * (__u32)r;
	}
	return 1;
}

#endif /* FC_KP_LD64 */
