/* kprog.h — kernel predicate programs in userspace (issue 5): the FC_SEC_KPROG section codec
 * (encoder for falcoc's split stage, decoder + verifier for the bundle reader and the probe
 * loader), the reference evaluator (the same code the probe runs: bpf/kpred.h), and the text
 * form `falcoc dump --stage=kern` prints.
 *
 * FC_SEC_KPROG (bundle.h), version 1.1 bundles. count = number of programs, then:
 *   count × 16-byte records, in increasing event-code order (one program per code):
 *     code u16 (an exit event code), ninsn u16 (1..FC_KP_MAX_INSNS), ncpool u16 (constant
 *     bytes, <= FC_KP_CPOOL), nstr u8 (<= FC_KP_MAX_STR), str0 u8, str1 u8 (parameter index
 *     < FC_KP_MAX_PARAMS of each used string slot, 0xff when unused), flags u8 (0),
 *     pad u16 (0), body u32 (byte offset of the program's body from the section start)
 *   then the bodies, in record order, each 8-aligned: ninsn × 24-byte instructions
 *     {op u8, arg u8, jt u8, jf u8, k u32, imm u64, mask u64} then ncpool constant bytes.
 * The section's size is exact (the last body's end, padding included). The verifier checks
 * each record and instruction (bpf/kpred.h): known op; a test's two targets pc+1+jt, pc+1+jf
 * inside the program (forward only by construction); the last instruction a RET; RET with
 * imm 0 or 1 and no operands; integer tests with a parameter index < FC_KP_MAX_PARAMS and a
 * width of 1, 2, 4 or 8 (plus FC_KP_SIGNED); string tests on a used slot, no mask, at most one
 * of the RAW and NODUP flags besides the slot, SPFX/SSFX with 1 <= imm <= FC_KP_MAX_SLEN and k + imm <= ncpool, SHASH with
 * k = 0; FDDIR like an integer test with imm = mask = 0, every FDDIR of a program on the same
 * parameter and width. */
#ifndef FC_KPROG_H
#define FC_KPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "evt.h"
#include "../bpf/kpred.h"

struct fc_kprog_set;

/* Decodes and verifies a FC_SEC_KPROG section (SIZE bytes at P, COUNT records). NULL on error
 * with a message in ERR and the offending byte offset (from P) in *AT. */
struct fc_kprog_set *fc_kprog_decode(const uint8_t *p, size_t size, uint32_t count, char *err, size_t errlen,
				     uint64_t *at);
void fc_kprog_free(struct fc_kprog_set *s);

/* Encodes N programs (CODES[i] with PROGS[i], codes strictly increasing) as a section body,
 * appended to *BUF (realloc'd; *LEN updated). Returns false on a program that would not
 * verify (the encoder runs the verifier on its own output). */
bool fc_kprog_encode(const uint16_t *codes, const struct fc_kp_prog *const *progs, uint32_t n, uint8_t **buf,
		     size_t *len, char *err, size_t errlen);

uint32_t fc_kprog_count(const struct fc_kprog_set *s);

/* A copy of S without the programs of the codes in DROP (a runtime that enables rules the
 * compiler left disabled must not filter their codes: the programs only cover the rules
 * enabled at compile time). NULL on allocation failure or when S is NULL. */
struct fc_kprog_set *fc_kprog_without(const struct fc_kprog_set *s, const fc_evtset *drop);
/* Program I (in code order) and its code; NULL past the end. */
const struct fc_kp_prog *fc_kprog_at(const struct fc_kprog_set *s, uint32_t i, uint16_t *code);
/* The program of event CODE, NULL when the code has none (its events always pass). */
const struct fc_kp_prog *fc_kprog_for(const struct fc_kprog_set *s, uint16_t code);

/* The one kernel fact programs may test (FDDIR). In the probe it is read from the task's fd
 * table; a userspace evaluation supplies a model. NULL callback: every fd >= 0 is "not a
 * directory". */
struct fc_kp_env {
	bool (*fd_is_dir)(void *ud, int64_t fd);
	void *ud;
};

/* Reference evaluation, bit for bit the probe's: 1 accept, 0 drop. EV is re-encoded in the
 * current layout (as the probe writes it) into CTX's copy of the probe's scratch area first;
 * an event that cannot be (or a code without a program) is accepted. A context serves one
 * evaluation at a time; the set itself is read-only (shareable). */
struct fc_kp_ctx;
struct fc_kp_ctx *fc_kp_ctx_new(void);
void fc_kp_ctx_free(struct fc_kp_ctx *c);
int fc_kprog_eval(const struct fc_kprog_set *s, struct fc_kp_ctx *c, const struct fc_evt *ev,
		  const struct fc_kp_env *env);
/* The same for one program over an event already in the current layout (LEN bytes). */
int fc_kprog_run(const struct fc_kp_prog *p, struct fc_kp_ctx *c, const void *ev, size_t len,
		 const struct fc_kp_env *env);

/* Checks one program as the decoder does: true, or false with a message and in *BAD_INSN the
 * faulty instruction, FC_KP_NOINSN when the fault is not in one (code, sizes, string slots,
 * constant pool). */
#define FC_KP_NOINSN UINT32_MAX
bool fc_kprog_check(const struct fc_kp_prog *p, uint16_t code, char *err, size_t errlen, uint32_t *bad_insn);

/* Disassembly, one instruction per line ("  3: jeq p0.s8 & 0xff == 0x1  t:4 f:7"), appended
 * to the caller's buffer through PUT (called with NUL-terminated chunks). */
void fc_kprog_disasm(const struct fc_kp_prog *p, uint16_t code, void (*put)(void *ud, const char *s), void *ud);

/* The lowered form of P (bpf/kpred.h), what the probe's map holds. P must have passed
 * fc_kprog_check. */
void fc_kprog_lower(const struct fc_kp_prog *p, struct fc_kp_lprog *out);
/* The lowered program of event CODE in S, NULL when none. */
const struct fc_kp_lprog *fc_kprog_lowered(const struct fc_kprog_set *s, uint16_t code);

/* The return-value gate of P (addition, issue 5): the classes of parameter 0 — FC_KP_GATE_NEG
 * (< 0), FC_KP_GATE_ZERO, FC_KP_GATE_POS (> 0) — for which P drops every event whose
 * parameter 0 is 8 bytes, whatever its other parameters hold (P's tests of parameter 0 at width
 * 8 decided over the class, every other test taken both ways). The probe applies it at its
 * dispatcher, to the return value, before building anything: for events whose parameter 0 is the
 * return value (res / fd, 8 bytes). P must have passed fc_kprog_check. */
uint8_t fc_kprog_res_gate(const struct fc_kp_prog *p);

/* FNV-1a 64 of N bytes (the SHASH hash). */
uint64_t fc_kp_hash(const void *p, size_t n);

#endif
