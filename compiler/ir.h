/* ir.h — the back end's internal representation, shared by its stages (ir.c lowering, opt.c
 * passes, emit.c linearisation, bundlew.c writer, backend.c driver). Not a public interface:
 * compiler/backend.h is. Exposed in a header so the unit tests can look at each stage.
 *
 * Shapes:
 *   pools    content-deduplicated tables (strings, numbers, lists, event sets, regexes, value
 *            slots) addressed by u32 ids in insertion order: the same input gives the same ids;
 *   expr     a rule condition as a tree of typed tests (AND/OR/NOT kept as written, NOT only
 *            swaps successors later) on which the tree passes work (fold, sets, tries, ...);
 *   graph    per program, blocks holding one test and true/false successors (libpcap style),
 *            successors being blocks or the terminals IR_RET1 / IR_RET0;
 *   out      the emitted bytecode, its source map and the final pools (only what is used). */
#ifndef FC_IR_H
#define FC_IR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "bundle.h"

#define IR_RET0 0xFFFFFFFEu /* successor: the condition is false */
#define IR_RET1 0xFFFFFFFFu /* successor: the condition is true */
#define IR_IS_RET(s) ((s) >= IR_RET0)

/* ---- pools ---------------------------------------------------------------------------- */

/* Open-addressing index over ids; the caller hashes and compares contents. Lookup only:
 * nothing is ever output in hash order. */
struct ir_htab {
	uint32_t *ids; /* FC_NONE = empty */
	uint32_t *hash;
	uint32_t cap, n;
};

struct ir_list {
	uint8_t kind; /* enum fc_list_kind */
	uint32_t first, n; /* items[first .. first+n) */
};

struct ir_regex {
	uint32_t pat, lit, flags; /* lit: sid or FC_NONE */
};

/* What the compiler knows about a slot beyond its record (never written). */
enum ir_slot_what {
	IR_SW_PLAIN = 0,
	IR_SW_EVTTYPE,     /* evt.type (no argument): always present, the event's name */
	IR_SW_SYSCALLTYPE, /* syscall.type (no argument) */
	IR_SW_EVTNUM,      /* evt.num: always present, never 0 */
	IR_SW_UNAVAILABLE, /* FC_FF_UNAVAILABLE: always missing */
};

struct ir_slot {
	uint8_t kind, xf, vtype, sflags; /* as written (bundle.h FC_SEC_SLOTS) */
	uint32_t name, arg, text;        /* sids; arg FC_NONE when absent */
	uint32_t first, n;               /* XF arguments in sargs[] */
	uint8_t what;                    /* enum ir_slot_what */
};

struct ir_pools {
	char *sbuf; /* every string followed by a NUL */
	size_t slen, scap;
	uint32_t *soff, *slens, nstr, capstr;
	struct ir_htab sh;
	uint64_t *consts;
	uint32_t nconst, capconst;
	struct ir_htab ch;
	struct ir_list *lists;
	uint32_t nlist, caplist;
	uint32_t *items, nitems, capitems;
	struct ir_htab lh;
	fc_evtset *evsets;
	uint32_t nevset, capevset;
	struct ir_htab eh;
	struct ir_regex *regex;
	uint32_t nregex, capregex;
	struct ir_htab rh;
	struct ir_slot *slots;
	uint32_t nslot, capslot;
	uint32_t *sargs, nsargs, capsargs;
	struct ir_htab slh; /* by canonical text */
};

void ir_pools_init(struct ir_pools *p); /* sid 0 = "" */
void ir_pools_free(struct ir_pools *p);
uint32_t ir_str(struct ir_pools *p, const void *s, uint32_t len);
uint32_t ir_cstr(struct ir_pools *p, const char *s);
const char *ir_strp(const struct ir_pools *p, uint32_t sid, uint32_t *len);
uint32_t ir_const(struct ir_pools *p, uint64_t v);
/* Sorts ITEMS (by bytes for STR/IP, by unsigned value for NUM), drops duplicates (ITEMS is
 * modified), and interns the list. */
uint32_t ir_list(struct ir_pools *p, uint8_t kind, uint32_t *items, uint32_t n);
/* The same, keeping repeated items (a multiset): the list of a `oneof` SMOD until
 * ir_opt_tree resolves its repeats (opt.c); such a list never reaches the bundle. */
uint32_t ir_mlist(struct ir_pools *p, uint8_t kind, uint32_t *items, uint32_t n);
uint32_t ir_evset(struct ir_pools *p, const fc_evtset *s);
uint32_t ir_regex(struct ir_pools *p, uint32_t pat, uint32_t lit, uint32_t flags);
/* Interns a slot by its canonical text; ARGS are its XF arguments. */
uint32_t ir_slot(struct ir_pools *p, const struct ir_slot *s, const uint32_t *args, uint32_t nargs);
/* Byte order of two pool strings (memcmp, then length). */
int ir_strcmp(const struct ir_pools *p, uint32_t a, uint32_t b);

/* ---- tests, trees, graphs ------------------------------------------------------------- */

struct ir_loc {
	uint32_t file, line, col; /* file: sid of the file name (0 = none) */
};

/* One test: an instruction without its jumps. k's meaning follows fc_opcode_kfmt(op); for SUB
 * it is the program index in ir_mod.progs. */
struct ir_test {
	uint8_t op, aux;
	uint32_t slot, k;
};

enum ir_ekind { IE_FALSE, IE_TRUE, IE_TEST, IE_NOT, IE_AND, IE_OR };

struct ir_expr {
	uint8_t kind;
	bool macro; /* the root of an inlined macro body */
	bool keep;  /* a macro body shared by several places: not flattened into its parent */
	struct ir_test t;
	struct ir_loc loc; /* TEST: the field token; others: the first leaf's */
	struct ir_expr **kids;
	uint32_t nkids, capkids;
	uint64_t h;  /* structural hash (opt.c) */
	uint32_t id; /* CSE: class of structurally equal nodes (opt.c) */
};

struct ir_block {
	struct ir_test t;
	uint32_t jt, jf; /* block index or IR_RET0/IR_RET1 */
	struct ir_loc loc;
};

struct ir_prog {
	uint8_t kind;  /* FC_PK_RULE | FC_PK_SUB */
	uint32_t rule; /* RULE: index in ir_mod.rules; SUB: FC_NONE */
	struct ir_expr *expr;
	struct ir_block *b;
	uint32_t nb, capb;
	uint32_t entry; /* block or terminal */
	struct ir_loc loc;
};

struct ir_rule {
	struct fc_crule *cr;
	uint32_t prog;      /* index in ir_mod.progs */
	uint32_t *out_slot; /* per output segment: slot, FC_NONE for literals */
	struct ir_loc loc;  /* the rule item */
};

struct ir_mod {
	struct fc_compiled *c;
	uint32_t passes; /* FC_OPT_* */
	struct fc_arena arena;
	struct ir_pools p;
	struct ir_rule *rules; /* the ok rules, in load order */
	uint32_t nrules;
	struct ir_prog *progs; /* SUB programs first (callees before callers), then rules */
	uint32_t nprogs, nsubs;
	bool ok;
	/* split.c: the FC_SEC_KPROG section body (malloc'd; freed by ir_mod_free's caller through
	 * ir_split_free) */
	uint8_t *kprog;
	size_t kprog_len;
	uint32_t kprog_count;
	bool kprog_built;
};

/* ir.c */
void ir_mod_init(struct ir_mod *m, struct fc_compiled *c, uint32_t passes);
void ir_mod_free(struct ir_mod *m);
bool ir_lower(struct ir_mod *m);         /* every ok rule: tree + output slots */
void ir_build_graphs(struct ir_mod *m);  /* tree → graph, every program */
void ir_order_blocks(struct ir_prog *p); /* reverse postorder numbering (dumps) */
struct ir_expr *ir_enew(struct ir_mod *m, uint8_t kind, struct ir_loc loc);
struct ir_expr *ir_etest(struct ir_mod *m, uint8_t op, uint8_t aux, uint32_t slot, uint32_t k, struct ir_loc loc);
void ir_epush(struct ir_mod *m, struct ir_expr *e, struct ir_expr *kid);
uint32_t ir_block_add(struct ir_prog *p, const struct ir_test *t, uint32_t jt, uint32_t jf, struct ir_loc loc);
/* Operands of T rendered for humans (slot text, mnemonic, constant); SUB shows "prog N". */
void ir_test_text(struct fc_buf *b, const struct ir_pools *p, const struct ir_test *t);
void ir_loc_text(struct fc_buf *b, const struct ir_pools *p, struct ir_loc l);
void ir_dump_graph(const struct ir_mod *m, uint32_t prog, FILE *out);
const char *ir_prog_name(const struct ir_mod *m, uint32_t prog); /* rule name or "sub" */

/* opt.c */
void ir_opt_tree(struct ir_mod *m);  /* tree passes, then CSE (creates SUB programs) */
void ir_opt_graph(struct ir_mod *m); /* graph FOLD/DEAD on every program */
/* The longest literal every match of the regex PAT must contain (REGEX pass), 0 if none
 * can be proven. Written to OUT (not NUL-terminated). */
size_t ir_regex_literal(const char *pat, size_t len, char *out, size_t cap);

/* emit.c */
struct ir_srcent {
	uint32_t prog, file, line, col;
};
struct ir_oprog {
	uint32_t start, len, kind, depth;
};
struct ir_out {
	struct ir_pools p; /* final pools */
	struct fc_binsn *code;
	struct ir_srcent *src;
	uint32_t ncode, capcode;
	struct ir_oprog *progs;
	uint32_t nprogs;
	uint32_t *slotmap; /* work slot → out slot (FC_NONE: not yet) */
};
extern uint32_t ir_jump_limit; /* 65535; tests lower it to exercise long-jump splitting */
bool ir_emit(struct ir_mod *m, struct ir_out *o);
uint32_t ir_out_slot(struct ir_mod *m, struct ir_out *o, uint32_t wslot);
void ir_out_free(struct ir_out *o);
void ir_dump_bc(const struct ir_mod *m, const struct ir_out *o, const char *rule, FILE *out);

/* split.c: the kernel predicate programs of the enabled rules, computed on the lowered trees
 * (before the optimiser), kept in m->kprog for the bundle writer; and their dump. */
bool ir_split(struct ir_mod *m);
void ir_split_free(struct ir_mod *m);
void ir_split_dump(struct ir_mod *m, const char *rule, FILE *out);

/* bundlew.c */
bool ir_write_bundle(struct ir_mod *m, struct ir_out *o, struct fc_buf *out);
/* Syscall selection: PPM_SC bitset of the codes of the enabled rules (RULE == FC_NONE) or of
 * one rule, plus (STATE) the syscalls the state engine always needs. */
uint32_t ir_ksel_words(void);
void ir_ksel(const struct ir_mod *m, uint32_t rule, bool state, uint64_t *w);
void ir_dump_kern(const struct ir_mod *m, const char *rule, FILE *out);

#endif
