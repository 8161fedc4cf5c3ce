/* kprog.c — kernel predicate programs in userspace (kprog.h): the FC_SEC_KPROG codec and
 * verifier, the reference evaluator (bpf/kpred.h compiled for the host, over a copy of the
 * event laid out as the probe's scratch area is), and the disassembler. */
#include "kprog.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "le.h"

/* The evaluator reads events and constants with 8-byte loads at masked offsets, as the probe
 * does; the host side assembles them byte by byte (no alignment or byte-order assumption). */
static inline __u64 kp_ld64(const __u8 *p)
{
	return rd64(p);
}

static inline int kp_fddir(const struct fc_kp_env *env, __s64 fd)
{
	return env && env->fd_is_dir ? env->fd_is_dir(env->ud, fd) : 0;
}

#define FC_KP_LD64(p) kp_ld64(p)
#define FC_KP_FDDIR(env, fd) kp_fddir(env, fd)
#define FC_KP_ENV const struct fc_kp_env *
#define FC_KP_INLINE static inline
#include "../bpf/kpred.h"

/* The probe's view: events in a 128 KiB area, offsets masked to 64 KiB. */
#define KP_AREA (2 * (FC_KP_EVMASK + 1))

struct fc_kprog_set {
	uint32_t n;
	uint16_t *codes;
	struct fc_kp_prog *progs;
	struct fc_kp_lprog *low;
	int16_t *by_code; /* FC_EVENT_MAX entries: program index or -1 */
};

struct fc_kp_ctx {
	uint8_t area[KP_AREA];
	uint8_t tmp[FC_KP_EVMASK + 1];
	struct fc_kp_scratch sc;
	struct fc_kp_lprog low; /* fc_kprog_run: the program lowered */
};

static const char *op_name(unsigned op)
{
	switch (op) {
#define FC_X(id, num, mnem) \
	case num: return mnem;
		FC_KP_OPS(FC_X)
#undef FC_X
	default:
		return NULL;
	}
}

static bool is_int_op(unsigned op)
{
	return op >= FC_KP_JEQ && op <= FC_KP_JGEU;
}

static bool is_str_op(unsigned op)
{
	return op == FC_KP_SHASH || op == FC_KP_SPFX || op == FC_KP_SSFX;
}

static bool width_ok(uint32_t k)
{
	uint32_t w = k & 0xf;
	return (k & ~(uint32_t)(0xf | FC_KP_SIGNED)) == 0 && (w == 1 || w == 2 || w == 4 || w == 8);
}

static bool bad(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool bad(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* A program's sizes: checked by the decoder before it reads a body through them, and by
 * fc_kprog_check with the rest. */
static bool sizes_ok(uint32_t ninsn, uint32_t ncpool, uint32_t nstr, char *err, size_t errlen)
{
	if (ninsn == 0 || ninsn > FC_KP_MAX_INSNS)
		return bad(err, errlen, "%u instructions (1 to %u allowed)", ninsn, FC_KP_MAX_INSNS);
	if (ncpool > FC_KP_CPOOL)
		return bad(err, errlen, "%u constant bytes (at most %u)", ncpool, FC_KP_CPOOL);
	if (nstr > FC_KP_MAX_STR)
		return bad(err, errlen, "%u string slots (at most %u)", nstr, FC_KP_MAX_STR);
	return true;
}

bool fc_kprog_check(const struct fc_kp_prog *p, uint16_t code, char *err, size_t errlen, uint32_t *bad_insn)
{
	uint32_t n = p->ninsn;
	if (bad_insn)
		*bad_insn = FC_KP_NOINSN;
	if (code >= FC_EVENT_MAX || !(code & 1))
		return bad(err, errlen, "event code %u is not an exit event", code);
	if (!sizes_ok(n, p->ncpool, p->nstr, err, errlen))
		return false;
	for (uint32_t i = 0; i < FC_KP_MAX_STR; i++) {
		if (i < p->nstr && p->str[i] >= FC_KP_MAX_PARAMS)
			return bad(err, errlen, "string slot %u names parameter %u", i, p->str[i]);
		if (i >= p->nstr && p->str[i] != FC_KP_NOSLOT)
			return bad(err, errlen, "unused string slot %u is not 0xff", i);
	}
	if (p->insn[n - 1].op != FC_KP_RET) {
		if (bad_insn)
			*bad_insn = n - 1;
		return bad(err, errlen, "the last instruction is not a ret");
	}
	int dir = -1;
	for (uint32_t pc = 0; pc < n; pc++) {
		const struct fc_kp_insn *in = &p->insn[pc];
		if (bad_insn)
			*bad_insn = pc;
		if (!op_name(in->op))
			return bad(err, errlen, "instruction %u: unknown op %u", pc, in->op);
		if (in->op == FC_KP_RET) {
			if (in->imm > 1 || in->arg || in->k || in->mask || in->jt || in->jf)
				return bad(err, errlen, "instruction %u: ret with operands", pc);
			continue;
		}
		if (pc + 1u + in->jt >= n || pc + 1u + in->jf >= n)
			return bad(err, errlen, "instruction %u: jump past the end of the program", pc);
		if (is_int_op(in->op) || in->op == FC_KP_FDDIR) {
			if (in->arg >= FC_KP_MAX_PARAMS)
				return bad(err, errlen, "instruction %u: parameter %u out of range", pc, in->arg);
			if (!width_ok(in->k))
				return bad(err, errlen, "instruction %u: bad width 0x%x", pc, in->k);
			if (in->op == FC_KP_FDDIR && (in->imm || in->mask))
				return bad(err, errlen, "instruction %u: fddir with a constant", pc);
			if (in->op == FC_KP_FDDIR) {
				int d = (int)(in->arg | in->k << 8);
				if (dir >= 0 && d != dir)
					return bad(err, errlen, "instruction %u: fddir of another parameter", pc);
				dir = d;
			}
		} else if (is_str_op(in->op)) {
			uint32_t slot = in->arg & (uint8_t)~(FC_KP_RAW | FC_KP_NODUP);
			if ((in->arg & FC_KP_RAW) && (in->arg & FC_KP_NODUP))
				return bad(err, errlen, "instruction %u: raw and nodup both set", pc);
			if (slot >= p->nstr)
				return bad(err, errlen, "instruction %u: string slot %u not in use", pc, slot);
			if (in->mask)
				return bad(err, errlen, "instruction %u: string test with a mask", pc);
			if (in->op == FC_KP_SHASH) {
				if (in->k)
					return bad(err, errlen, "instruction %u: shash with a constant offset", pc);
			} else if (in->imm < 1 || in->imm > FC_KP_MAX_SLEN || (uint64_t)in->k + in->imm > p->ncpool) {
				return bad(err, errlen, "instruction %u: constant of %" PRIu64 " bytes at %u outside the pool",
					   pc, (uint64_t)in->imm, in->k);
			}
		}
	}
	if (bad_insn)
		*bad_insn = FC_KP_NOINSN;
	for (uint32_t i = p->ncpool; i < sizeof p->cpool; i++)
		if (p->cpool[i])
			return bad(err, errlen, "constant pool not zero past its %u bytes", p->ncpool);
	return true;
}

/* ---- lowering ---- */

void fc_kprog_lower(const struct fc_kp_prog *p, struct fc_kp_lprog *o)
{
	memset(o, 0, sizeof(*o));
	o->ninsn = p->ninsn;
	o->nstr = p->nstr;
	o->str[0] = p->str[0];
	o->str[1] = p->str[1];
	o->ncpool = p->ncpool;
	memcpy(o->cpool, p->cpool, p->ncpool <= FC_KP_CPOOL ? p->ncpool : FC_KP_CPOOL);
	for (uint32_t i = 0; i < p->ninsn && i < FC_KP_MAX_INSNS; i++) {
		const struct fc_kp_insn *in = &p->insn[i];
		struct fc_kp_linsn *l = &o->insn[i];
		l->arg = in->arg;
		l->jt = in->jt;
		l->jf = in->jf;
		switch (in->op) {
		case FC_KP_RET:
			l->kind = FC_KPL_RET;
			l->lo = in->imm & 1;
			continue;
		case FC_KP_SHASH:
			l->kind = FC_KPL_TEST;
			l->sel = FC_KPL_HASH;
			l->lo = in->imm;
			continue;
		case FC_KP_SPFX:
		case FC_KP_SSFX:
			l->kind = FC_KPL_TEST;
			l->sel = FC_KPL_CMP;
			l->k = in->k;
			l->lo = in->imm;
			l->flags = in->op == FC_KP_SSFX ? FC_KPL_SUFFIX : 0;
			continue;
		case FC_KP_FDDIR:
			l->kind = FC_KPL_FDDIR;
			o->has_dir = 1;
			o->dir_arg = in->arg;
			o->dir_width = (uint8_t)(in->k & 0xf);
			o->dir_flags = in->k & FC_KP_SIGNED ? FC_KPL_SEXT : 0;
			continue;
		default:
			break;
		}
		/* integer compares as ranges of the (biased) value: [lo, lo + span] */
		bool sgn = in->op >= FC_KP_JLTS && in->op <= FC_KP_JGES;
		uint64_t bias = sgn ? 1ull << 63 : 0, y = in->imm ^ bias;
		uint64_t lo = 0, hi = ~0ull;
		bool inv = false;
		switch (in->op) {
		case FC_KP_JEQ: lo = hi = y; break;
		case FC_KP_JNE: lo = hi = y; inv = true; break;
		case FC_KP_JLTS: case FC_KP_JLTU:
			if (y == 0)
				inv = true; /* nothing is below the minimum: never */
			else
				hi = y - 1;
			break;
		case FC_KP_JLES: case FC_KP_JLEU: hi = y; break;
		case FC_KP_JGTS: case FC_KP_JGTU:
			if (y == ~0ull)
				inv = true;
			else
				lo = y + 1;
			break;
		default: lo = y; break; /* JGES, JGEU */
		}
		l->kind = FC_KPL_TEST;
		l->sel = FC_KPL_INT;
		l->width = (uint8_t)(in->k & 0xf);
		l->flags = (uint8_t)((in->k & FC_KP_SIGNED ? FC_KPL_SEXT : 0) | (sgn ? FC_KPL_BIAS : 0) |
				     (inv ? FC_KPL_INV : 0));
		l->mask = in->mask;
		l->lo = lo;
		l->span = hi - lo;
	}
}

/* ---- codec ---- */

/* An empty set with room for N programs; no code has one yet. */
static struct fc_kprog_set *set_new(uint32_t n)
{
	struct fc_kprog_set *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->codes = calloc(n + 1, sizeof(*s->codes));
	s->progs = calloc(n + 1, sizeof(*s->progs));
	s->low = calloc(n + 1, sizeof(*s->low));
	s->by_code = malloc(FC_EVENT_MAX * sizeof(*s->by_code));
	if (!s->codes || !s->progs || !s->low || !s->by_code) {
		fc_kprog_free(s);
		return NULL;
	}
	for (unsigned c = 0; c < FC_EVENT_MAX; c++)
		s->by_code[c] = -1;
	return s;
}

#define REC 16
#define INSN 24

static size_t body_len(uint32_t ninsn, uint32_t ncpool)
{
	return ((size_t)ninsn * INSN + ncpool + 7) & ~(size_t)7;
}

struct fc_kprog_set *fc_kprog_decode(const uint8_t *p, size_t size, uint32_t count, char *err, size_t errlen,
				     uint64_t *at)
{
	*at = 0;
	if (count > FC_EVENT_MAX) {
		bad(err, errlen, "%u programs, more than there are event codes", count);
		return NULL;
	}
	if ((uint64_t)count * REC > size) {
		bad(err, errlen, "%u records need %u bytes, the section has %zu", count, count * REC, size);
		return NULL;
	}
	struct fc_kprog_set *s = set_new(count);
	if (!s) {
		bad(err, errlen, "out of memory");
		return NULL;
	}
	s->n = count;
	size_t pos = (size_t)count * REC;
	pos = (pos + 7) & ~(size_t)7;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *r = p + (size_t)i * REC;
		*at = (uint64_t)i * REC;
		uint16_t code = rd16(r);
		uint32_t ninsn = rd16(r + 2), ncpool = rd16(r + 4), nstr = r[6];
		if (r[9] || rd16(r + 10)) {
			bad(err, errlen, "program %u: reserved bytes not zero", i);
			goto fail;
		}
		if (i && code <= s->codes[i - 1]) {
			bad(err, errlen, "program %u: event code %u not after %u", i, code, s->codes[i - 1]);
			goto fail;
		}
		char msg[200];
		if (!sizes_ok(ninsn, ncpool, nstr, msg, sizeof msg)) {
			bad(err, errlen, "program %u: %s", i, msg);
			goto fail;
		}
		if (rd32(r + 12) != pos) {
			*at += 12;
			bad(err, errlen, "program %u: body at %u, expected %zu", i, rd32(r + 12), pos);
			goto fail;
		}
		size_t bl = body_len(ninsn, ncpool);
		if (pos > size || bl > size - pos) {
			bad(err, errlen, "program %u: body of %zu bytes at %zu runs past the section (%zu bytes)", i, bl,
			    pos, size);
			goto fail;
		}
		struct fc_kp_prog *q = &s->progs[i];
		q->ninsn = (uint16_t)ninsn;
		q->ncpool = (uint16_t)ncpool;
		q->nstr = (uint8_t)nstr;
		q->str[0] = r[7];
		q->str[1] = r[8];
		const uint8_t *b = p + pos;
		for (uint32_t k = 0; k < ninsn; k++, b += INSN) {
			struct fc_kp_insn *in = &q->insn[k];
			in->op = b[0];
			in->arg = b[1];
			in->jt = b[2];
			in->jf = b[3];
			in->k = rd32(b + 4);
			in->imm = rd64(b + 8);
			in->mask = rd64(b + 16);
		}
		memcpy(q->cpool, b, ncpool);
		for (size_t k = (size_t)ninsn * INSN + ncpool; k < bl; k++)
			if (p[pos + k]) {
				*at = pos + k;
				bad(err, errlen, "program %u: padding not zero", i);
				goto fail;
			}
		uint32_t bi;
		if (!fc_kprog_check(q, code, msg, sizeof msg, &bi)) {
			/* an instruction's fault at the instruction, the rest at the record */
			if (bi != FC_KP_NOINSN)
				*at = pos + (uint64_t)bi * INSN;
			bad(err, errlen, "program %u (event %s): %s", i, fc_events[code < FC_EVENT_MAX ? code : 0].name,
			    msg);
			goto fail;
		}
		fc_kprog_lower(q, &s->low[i]);
		s->codes[i] = code;
		s->by_code[code] = (int16_t)i;
		pos += bl;
	}
	if (pos != size && !(count == 0 && size == 0)) {
		*at = pos;
		bad(err, errlen, "%zu bytes after the last program", size - pos);
		goto fail;
	}
	return s;
fail:
	fc_kprog_free(s);
	return NULL;
}

void fc_kprog_free(struct fc_kprog_set *s)
{
	if (!s)
		return;
	free(s->codes);
	free(s->progs);
	free(s->low);
	free(s->by_code);
	free(s);
}

bool fc_kprog_encode(const uint16_t *codes, const struct fc_kp_prog *const *progs, uint32_t n, uint8_t **buf,
		     size_t *len, char *err, size_t errlen)
{
	size_t total = ((size_t)n * REC + 7) & ~(size_t)7;
	for (uint32_t i = 0; i < n; i++) {
		char msg[200];
		if (i && codes[i] <= codes[i - 1])
			return bad(err, errlen, "event codes not increasing at program %u", i);
		if (!fc_kprog_check(progs[i], codes[i], msg, sizeof msg, NULL))
			return bad(err, errlen, "program of event %u: %s", codes[i], msg);
		total += body_len(progs[i]->ninsn, progs[i]->ncpool);
	}
	size_t base = *len;
	if (total == 0)
		return true; /* no program: an empty section */
	uint8_t *nb = realloc(*buf, base + total); /* the size is known: one allocation */
	if (!nb)
		return bad(err, errlen, "out of memory");
	*buf = nb;
	uint8_t *o = nb + base;
	memset(o, 0, total);
	size_t pos = ((size_t)n * REC + 7) & ~(size_t)7;
	for (uint32_t i = 0; i < n; i++) {
		const struct fc_kp_prog *q = progs[i];
		uint8_t *r = o + (size_t)i * REC;
		wr16(r, codes[i]);
		wr16(r + 2, q->ninsn);
		wr16(r + 4, q->ncpool);
		r[6] = q->nstr;
		r[7] = q->str[0];
		r[8] = q->str[1];
		wr32(r + 12, (uint32_t)pos);
		uint8_t *b = o + pos;
		for (uint32_t k = 0; k < q->ninsn; k++, b += INSN) {
			const struct fc_kp_insn *in = &q->insn[k];
			b[0] = in->op;
			b[1] = in->arg;
			b[2] = in->jt;
			b[3] = in->jf;
			wr32(b + 4, in->k);
			wr64(b + 8, in->imm);
			wr64(b + 16, in->mask);
		}
		memcpy(b, q->cpool, q->ncpool);
		pos += body_len(q->ninsn, q->ncpool);
	}
	*len = base + total;
	return true;
}

uint32_t fc_kprog_count(const struct fc_kprog_set *s)
{
	return s ? s->n : 0;
}

const struct fc_kp_prog *fc_kprog_at(const struct fc_kprog_set *s, uint32_t i, uint16_t *code)
{
	if (!s || i >= s->n)
		return NULL;
	if (code)
		*code = s->codes[i];
	return &s->progs[i];
}

const struct fc_kp_prog *fc_kprog_for(const struct fc_kprog_set *s, uint16_t code)
{
	if (!s || code >= FC_EVENT_MAX || s->by_code[code] < 0)
		return NULL;
	return &s->progs[s->by_code[code]];
}

/* ---- evaluation ---- */

static int run_in(const struct fc_kp_lprog *p, uint8_t *area, struct fc_kp_scratch *sc, const void *ev, size_t len,
		  const struct fc_kp_env *env)
{
	if (len < FC_KP_HDR || len > FC_KP_EVMASK + 1)
		return 1;
	memcpy(area, ev, len);
	memset(area + len, 0, KP_AREA - len);
	uint32_t np = rd32(area + 22);
	if (np > FC_KP_MAX_PARAMS || FC_KP_HDR + 2 * (size_t)np > len)
		return 1;
	return fc_kp_run(p, area, np, sc, env);
}

struct fc_kp_ctx *fc_kp_ctx_new(void)
{
	return calloc(1, sizeof(struct fc_kp_ctx));
}

void fc_kp_ctx_free(struct fc_kp_ctx *c)
{
	free(c);
}

int fc_kprog_run(const struct fc_kp_prog *p, struct fc_kp_ctx *c, const void *ev, size_t len,
		 const struct fc_kp_env *env)
{
	fc_kprog_lower(p, &c->low);
	return run_in(&c->low, c->area, &c->sc, ev, len, env);
}

int fc_kprog_eval(const struct fc_kprog_set *s, struct fc_kp_ctx *c, const struct fc_evt *ev,
		  const struct fc_kp_env *env)
{
	if (!s || ev->type >= FC_EVENT_MAX || s->by_code[ev->type] < 0)
		return 1;
	const struct fc_kp_lprog *p = &s->low[s->by_code[ev->type]];
	/* the probe's layout: u16 lengths (a large-payload event never gets a program) */
	if (ev->info && (ev->info->flags & FC_EF_LARGE_PAYLOAD))
		return 1;
	size_t n = fc_evt_encode(ev, c->tmp, sizeof c->tmp);
	return n ? run_in(p, c->area, &c->sc, c->tmp, n, env) : 1;
}

/* ---- return-value gate ---- */

/* Over every 64-bit value in [LO, HI] (unsigned order; a class never wraps): 1 when the integer
 * test IN is true for all of them, 0 when false for all, -1 when it depends. */
static int gate_decide(const struct fc_kp_insn *in, uint64_t lo, uint64_t hi)
{
	uint64_t k = in->imm;
	int64_t slo = (int64_t)lo, shi = (int64_t)hi, sk = (int64_t)k;
	/* a class lies on one side of 0 in both orders, so signed bounds keep their order */
	switch (in->op) {
	case FC_KP_JEQ: return lo == hi && lo == k ? 1 : (k < lo || k > hi) ? 0 : -1;
	case FC_KP_JNE: return lo == hi && lo == k ? 0 : (k < lo || k > hi) ? 1 : -1;
	case FC_KP_JLTS: return shi < sk ? 1 : slo >= sk ? 0 : -1;
	case FC_KP_JLES: return shi <= sk ? 1 : slo > sk ? 0 : -1;
	case FC_KP_JGTS: return slo > sk ? 1 : shi <= sk ? 0 : -1;
	case FC_KP_JGES: return slo >= sk ? 1 : shi < sk ? 0 : -1;
	case FC_KP_JLTU: return hi < k ? 1 : lo >= k ? 0 : -1;
	case FC_KP_JLEU: return hi <= k ? 1 : lo > k ? 0 : -1;
	case FC_KP_JGTU: return lo > k ? 1 : hi <= k ? 0 : -1;
	case FC_KP_JGEU: return lo >= k ? 1 : hi < k ? 0 : -1;
	default: return -1;
	}
}

/* True when some RET 1 is reachable from pc 0 with parameter 0 in [LO, HI]. Jumps only go
 * forward, so one pass in pc order over the reachable set decides it. */
static bool gate_may_accept(const struct fc_kp_prog *p, uint64_t lo, uint64_t hi)
{
	bool reach[FC_KP_MAX_INSNS] = {true};
	for (uint32_t pc = 0; pc < p->ninsn && pc < FC_KP_MAX_INSNS; pc++) {
		if (!reach[pc])
			continue;
		const struct fc_kp_insn *in = &p->insn[pc];
		if (in->op == FC_KP_RET) {
			if (in->imm)
				return true;
			continue;
		}
		int d = -1;
		if (is_int_op(in->op) && in->arg == 0 && (in->k & 0xf) == 8 && in->mask == ~0ull)
			d = gate_decide(in, lo, hi);
		uint32_t t = pc + 1 + in->jt, f = pc + 1 + in->jf;
		if (d != 0 && t < FC_KP_MAX_INSNS)
			reach[t] = true;
		if (d != 1 && f < FC_KP_MAX_INSNS)
			reach[f] = true;
	}
	return false;
}

uint8_t fc_kprog_res_gate(const struct fc_kp_prog *p)
{
	uint8_t g = 0;
	if (!gate_may_accept(p, 1ull << 63, ~0ull))
		g |= FC_KP_GATE_NEG;
	if (!gate_may_accept(p, 0, 0))
		g |= FC_KP_GATE_ZERO;
	if (!gate_may_accept(p, 1, (1ull << 63) - 1))
		g |= FC_KP_GATE_POS;
	return g;
}

uint64_t fc_kp_hash(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = FC_KP_FNV_BASIS;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FC_KP_FNV_PRIME;
	}
	return h;
}

/* ---- text ---- */

static void putf(void (*put)(void *, const char *), void *ud, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void putf(void (*put)(void *, const char *), void *ud, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	put(ud, buf);
}

static void quoted(char *out, size_t cap, const uint8_t *s, size_t n)
{
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n && o + 6 < cap; i++) {
		uint8_t c = s[i];
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = 0;
}

void fc_kprog_disasm(const struct fc_kp_prog *p, uint16_t code, void (*put)(void *ud, const char *s), void *ud)
{
	const struct fc_event_info *ei = code < FC_EVENT_MAX ? &fc_events[code] : NULL;
	for (uint32_t pc = 0; pc < p->ninsn && pc < FC_KP_MAX_INSNS; pc++) {
		const struct fc_kp_insn *in = &p->insn[pc];
		const char *mn = op_name(in->op);
		putf(put, ud, "    %3u: %-8s", pc, mn ? mn : "?");
		if (in->op == FC_KP_RET) {
			put(ud, in->imm ? "accept\n" : "drop\n");
			continue;
		}
		char opnd[300];
		if (is_int_op(in->op) || in->op == FC_KP_FDDIR) {
			const char *pn = ei && in->arg < ei->nparams ? ei->params[in->arg].name : "?";
			char mask[40] = "";
			unsigned w = in->k & 0xf;
			uint64_t full = w >= 8 ? ~0ull : ((1ull << (8 * w)) - 1);
			if (in->op != FC_KP_FDDIR && (in->mask & full) != full && (in->k & FC_KP_SIGNED ? in->mask != ~0ull : 1))
				snprintf(mask, sizeof mask, " & 0x%" PRIx64, (uint64_t)in->mask);
			if (in->op == FC_KP_FDDIR)
				snprintf(opnd, sizeof opnd, "%s(%s%u)", pn, in->k & FC_KP_SIGNED ? "s" : "u", w * 8);
			else
				snprintf(opnd, sizeof opnd, "%s(%s%u)%s, %" PRId64, pn, in->k & FC_KP_SIGNED ? "s" : "u",
					 w * 8, mask, (int64_t)in->imm);
		} else {
			unsigned slot = in->arg & FC_KP_SLOTMASK;
			unsigned pi = slot < p->nstr ? p->str[slot] : 0;
			const char *pn = ei && pi < ei->nparams ? ei->params[pi].name : "?";
			char q[FC_KP_MAX_SLEN * 4 + 8];
			if (in->op == FC_KP_SHASH)
				snprintf(q, sizeof q, "0x%016" PRIx64, (uint64_t)in->imm);
			else
				quoted(q, sizeof q, p->cpool + (in->k < FC_KP_CPOOL ? in->k : 0),
				       in->imm <= FC_KP_MAX_SLEN ? (size_t)in->imm : 0);
			snprintf(opnd, sizeof opnd, "%s%s, %s", pn,
				 in->arg & FC_KP_RAW ? "(raw)" : in->arg & FC_KP_NODUP ? "(raw, no //)" : "(path)", q);
		}
		putf(put, ud, "%-44s t:%u f:%u\n", opnd, pc + 1 + in->jt, pc + 1 + in->jf);
	}
}

const struct fc_kp_lprog *fc_kprog_lowered(const struct fc_kprog_set *s, uint16_t code)
{
	if (!s || code >= FC_EVENT_MAX || s->by_code[code] < 0)
		return NULL;
	return &s->low[s->by_code[code]];
}

struct fc_kprog_set *fc_kprog_without(const struct fc_kprog_set *s, const fc_evtset *drop)
{
	if (!s)
		return NULL;
	struct fc_kprog_set *o = set_new(s->n);
	if (!o)
		return NULL;
	for (uint32_t i = 0; i < s->n; i++) {
		if (drop && fc_evtset_has(drop, s->codes[i]))
			continue;
		o->codes[o->n] = s->codes[i];
		o->progs[o->n] = s->progs[i];
		o->low[o->n] = s->low[i];
		o->by_code[s->codes[i]] = (int16_t)o->n;
		o->n++;
	}
	return o;
}
