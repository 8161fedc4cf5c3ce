/* bundle.h — the compiled-rules bundle: the file format (written by falcoc's bundle writer,
 * read by falcod) and the reader/verifier API.
 *
 * FORMAT (version 1.1; 1.1 added FC_SEC_KPROG, which a 1.0 reader skips). Everything is little-endian, whatever the host; no pointers, no
 * padding that depends on the compiler; the same input gives the same bytes on every arch.
 *
 *   header, 64 bytes:
 *     0  magic    8 bytes  "FCBUNDL\n"
 *     8  major    u16      FC_BUNDLE_MAJOR (a reader refuses another major)
 *    10  minor    u16      FC_BUNDLE_MINOR (a reader accepts any minor <= its own; newer minors
 *                          only add sections, which older readers skip)
 *    12  flags    u32      0
 *    16  size     u64      total file size in bytes (a shorter file is "truncated")
 *    24  nsect    u32      number of section-table entries
 *    28  crc32    u32      zlib crc32 of bytes [32, size) (with a signature section present:
 *                          of bytes [32, signature section offset))
 *    32  reserved 32 bytes zero
 *   section table at offset 64: nsect entries of 16 bytes: id u32, count u32, offset u32,
 *     size u32. Sections start 8-aligned, appear in increasing id order, each id at most once,
 *     and do not overlap. `count` is the number of records (meaning per section below).
 *     Unknown ids are skipped (for forward-compatible minors) unless FC_SEC_F_REQUIRED...
 *     (none defined in 1.0).
 *
 * Records per section (sizes in bytes; "sid" = string id, FC_NONE = 0xFFFFFFFF for "none"):
 *   FC_SEC_STRS     count strings: count × {off u32, len u32} then the bytes. Every string is
 *                   followed by one NUL byte (not counted in len) inside the section. Strings may
 *                   contain other NULs (byte constants, IP records). sid 0 is always "".
 *                   `off` counts from the start of the bytes (the first byte after the table).
 *   FC_SEC_CONSTS   count × u64 (numbers: integers as their 64 bits; doubles as IEEE bits)
 *   FC_SEC_LISTS    count × {kind u8, pad u8[3], first u32, n u32} then the items: u32 each, the
 *                   total being the sum of n, lists' items contiguous in order (first = index
 *                   of the list's first item). kind: FC_LK_STR (items are sids), FC_LK_NUM
 *                   (const indexes), FC_LK_IP (sids of address or network records, opcodes.def).
 *                   Items of a list are distinct and sorted (by bytes / by value) by the writer.
 *   FC_SEC_EVSETS   count × FC_EVSET_WORDS u64 (bit c of word c/64 = event code c)
 *   FC_SEC_REGEX    count × {pattern sid u32, literal sid u32 or FC_NONE, flags u32}: a value
 *                   that does not contain `literal` cannot match (pre-check before PCRE2);
 *                   flags are reserved (0 in 1.0)
 *   FC_SEC_SLOTS    count × 24-byte slot records, then the argument items (u32 each):
 *                     kind u8 (FC_SK_FIELD | FC_SK_XF), xf u8 (enum fc_bxf, XF only),
 *                     vtype u8 (enum fc_ptype of the value the slot yields), sflags u8
 *                     (FC_SLF_*), name sid u32 (FIELD: catalog field name, e.g.
 *                     "proc.aname", "evt.arg.flags" → resolved with fc_field_resolve at
 *                     load), arg sid u32 (FIELD: bracket argument or FC_NONE),
 *                     first u32, n u32 (XF: its arguments in the item area: a slot index, or
 *                     FC_ARG_STR | sid for a string constant of a multi-argument transformer),
 *                     text sid u32 (canonical text: "proc.aname[2]", "tolower(proc.name)")
 *                   An XF slot's arguments are slots of lower index (no cycles), nested at most
 *                   FC_MAX_DEPTH deep. XF `name` is unused (FC_NONE or any sid); XF `arg` is
 *                   FC_NONE except for getopt's selector, getopt(...)[c]: the sid of the one-byte
 *                   string "c" (the slot then yields that option's value, not the list).
 *                   Arguments per transformer (enum fc_bxf): one slot for the single-argument
 *                   ones; concat: two or more slots / strings; join: the separator (slot or
 *                   string), then the items — one list slot, or several slots / strings;
 *                   getopt: the argument list slot, then the optstring (string or slot).
 *   FC_SEC_CODE     count × 12-byte instructions (struct fc_binsn, opcodes.def)
 *   FC_SEC_PROGS    count × {start u32, len u32, kind u32 (FC_PK_RULE | FC_PK_SUB), depth u32}:
 *                   instructions [start, start+len) of FC_SEC_CODE; programs do not overlap.
 *                   A SUB instruction in program p must name a SUB program q with q < p when p
 *                   is itself a SUB (so calls form a DAG); depth = 1 + max depth of the SUBs it
 *                   calls (0 calls: 1), at most FC_MAX_DEPTH.
 *   FC_SEC_RULES    count × 48-byte rule records, in load order (rule id = index):
 *                     name sid, desc sid, source sid, prog u32, priority u8 (enum fc_priority),
 *                     enabled u8, pad u16, tags_first u32, ntags u32 (sids in the item area),
 *                     out_first u32, nout u32 (FC_SEC_OUTFMT records), file sid, line u32,
 *                     evset u32 (FC_SEC_EVSETS index: the codes the rule can match)
 *                   then the tag items (u32 sids).
 *   FC_SEC_OUTFMT   count × 12-byte output segments {kind u8 (FC_OK_LIT | FC_OK_FIELD),
 *                   json u8 (1: the field goes into output_fields), width u16, ref u32 (LIT: sid;
 *                   FIELD: slot), key sid u32 (FIELD: the JSON key = canonical field text)}
 *   FC_SEC_INDEX    FC_EVENT_MAX × {first u32, n u32}, then rule ids (u32): for event code c,
 *                   the rules to try, in load order. Count = FC_EVENT_MAX. Required when
 *                   FC_SEC_RULES has records.
 *   FC_SEC_SRCMAP   one {prog u32, file sid u32, line u32, col u32} per instruction of CODE
 *   FC_SEC_KSEL     kernel part, syscall selection: count × u64 bitset words over PPM_SC codes
 *                   (the syscalls some rule or the state engine needs) — arch-neutral
 *   FC_SEC_KPROG    kernel predicate programs (since 1.1): count programs, one per exit event
 *                   code, each a bounded bytecode the probe runs on the event before it is
 *                   copied to a ring (accept or drop). Record, instruction and constant layout
 *                   and the verifier's rules: kprog.h; semantics: bpf/kpred.h. Every program is
 *                   implied by the conditions of the enabled rules indexed under its code (it
 *                   accepts whatever some enabled rule could match), and codes the state engine
 *                   needs have none (compiler/split.c). A runtime that enables a rule disabled
 *                   at compile time must not load the programs of that rule's codes.
 *   FC_SEC_META     count strings-ids (u32 sids): [0] compiler version, [1] engine version,
 *                   [2..] the source files, in load order
 *   FC_SEC_SIG      an ed25519 signature over bytes [0, its offset): always the last section
 *                   and the last bytes of the file, count 1, 104 bytes (layout: sign.h)
 *
 * Section sizes are exact: a section's `size` is the bytes of its records plus its item area
 * (padding before the next 8-aligned section belongs to no section). Only FC_SEC_STRS is
 * required (sid 0 = ""); an absent section has no records. Every section lies inside the file
 * and after the table; with FC_SEC_SIG present, every other section ends before it.
 * Writer conventions (falcoc's back end; additions to the text above, nothing changed):
 *   - FC_SEC_STRS `off` counts from the first string byte, just after the count records (the
 *     first string's offset is 0).
 *   - FC_LK_NUM items are sorted by their 64 bits as an unsigned number; STR and IP items by
 *     bytes (memcmp order, a prefix before its extensions).
 *   - FIELD slots: xf 0, first 0, n 0. XF slots: name = the transformer's name ("tolower"),
 *     arg = its bracket argument (getopt's option letter) or FC_NONE; a transformer list
 *     argument "(a, b)" contributes its elements in order (join(",", (a, b)) → args ",", a, b);
 *     quoted strings and numbers are FC_ARG_STR items. vtype is the result type (len → UINT64,
 *     b64 → BYTEBUF, concat/join/getopt → CHARBUF, others as their argument); FC_SLF_* flags
 *     of a single-argument transformer other than len are its argument's.
 *   - FC_SEC_OUTFMT literal segments: json 0, width 0, key 0.
 *   - FC_SEC_INDEX lists a rule under exactly the codes of its evset (disabled rules too; no
 *     extra bucket). Programs never rely on the index: a rule program is exact on any event.
 *   - FC_SEC_KSEL: the syscalls of the codes of the *enabled* rules (a code's syscalls: those
 *     whose event pair, or an older version of it, has that event name; GENERIC → every syscall
 *     reported through the generic pair) plus the state engine's set (clone*, fork, vfork,
 *     execve*, exit, exit_group, sched_process_exit, close, dup*, open*, creat, socket*,
 *     connect, accept*, bind, listen, pipe*, eventfd*, signalfd*, memfd_create, timerfd_create,
 *     inotify_init, epoll_create, chdir, fchdir, set*id, setsid, setpgid, prctl, capset, fcntl,
 *     unshare, setns). A runtime enabling a disabled rule must widen it from the rule's evset.
 *   - FC_SEC_SRCMAP: RET instructions and jump trampolines map to their program's position (a
 *     rule program: the rule item; a SUB program: its first test). A trampoline (emitted only
 *     for jumps beyond 65535) is an EVTYPE test on the all-codes set with jt == jf.
 *   - SMOD lists hold distinct items like any list. `oneof` counts the written items, repeats
 *     included (`= oneof (a, a)` is false for "a"); the compiler resolves repeats before writing:
 *     `not anyof(repeated) and oneof(single)` on a scalar slot, and on an ancestor slot (where
 *     the two tests would see different ancestors) one SMOD with FC_MODBITS_ONEOFW, whose list
 *     items each start with their weight byte (1, or 2 for an item written twice or more).
 *   - SMOD bases LT..GE order strings as strcmp(3) does (each side ends at its first NUL); the
 *     compiler lowers `<` `<=` `>` `>=` on a string field to an anyof SMOD over one item.
 *
 * The reader validates everything once (each offset, count and size; every sid, list, slot,
 * program and instruction operand in range; opcodes known; jumps forward and inside their
 * program; every path ends in RET; SUB DAG and depth; XF slot order; fields resolve) and then
 * hands out native structures; the VM runs without checks. */
#ifndef FC_BUNDLE_H
#define FC_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "value.h"

#define FC_BUNDLE_MAGIC "FCBUNDL\n"
#define FC_BUNDLE_MAJOR 1
#define FC_BUNDLE_MINOR 1
#define FC_BUNDLE_HDR_LEN 64
#define FC_NONE 0xFFFFFFFFu
#define FC_ARG_STR 0x80000000u
#define FC_MAX_DEPTH 64
#define FC_EVSET_WORDS ((FC_EVENT_MAX + 63) / 64)

enum fc_section_id {
	FC_SEC_STRS = 1,
	FC_SEC_CONSTS = 2,
	FC_SEC_LISTS = 3,
	FC_SEC_EVSETS = 4,
	FC_SEC_REGEX = 5,
	FC_SEC_SLOTS = 6,
	FC_SEC_CODE = 7,
	FC_SEC_PROGS = 8,
	FC_SEC_RULES = 9,
	FC_SEC_OUTFMT = 10,
	FC_SEC_INDEX = 11,
	FC_SEC_SRCMAP = 12,
	FC_SEC_KSEL = 13,
	FC_SEC_KPROG = 14,
	FC_SEC_META = 15,
	FC_SEC_SIG = 255,
};

enum fc_list_kind { FC_LK_STR = 0, FC_LK_NUM = 1, FC_LK_IP = 2 };
/* Transformer numbers in slot records: transformers.def order (the compiler's enum fc_xf,
 * compiler/ast.h, is generated from the same list, so the numbers agree). */
enum fc_bxf {
#define XF(id, name, mina, maxa, multi) FC_BXF_##id,
#include "transformers.def"
#undef XF
	FC_BXF_MAX_
};
enum fc_slot_kind { FC_SK_FIELD = 0, FC_SK_XF = 1 };
enum fc_slot_flags {
	FC_SLF_ANCESTORS = 1 << 0, /* ancestor field without index: value may be a LIST (any-element) */
	FC_SLF_LIST = 1 << 1,      /* list field (fd.types): value may be a LIST (LIST_IN/ISECT) */
};
enum fc_prog_kind { FC_PK_RULE = 0, FC_PK_SUB = 1 };
enum fc_outseg_kind { FC_OK_LIT = 0, FC_OK_FIELD = 1 };

/* Base operators of SMOD and FCMP (aux byte). */
enum fc_bop {
	FC_BOP_EQ = 0, FC_BOP_NE, FC_BOP_LT, FC_BOP_LE, FC_BOP_GT, FC_BOP_GE,
	FC_BOP_CONTAINS, FC_BOP_ICONTAINS, FC_BOP_STARTSWITH, FC_BOP_ENDSWITH,
	FC_BOP_GLOB, FC_BOP_IGLOB, FC_BOP_REGEX, FC_BOP_MAX_
};
enum { FC_MOD_SHIFT = 5, FC_MODBITS_ANYOF = 1, FC_MODBITS_ALLOF = 2, FC_MODBITS_ONEOF = 3,
       FC_MODBITS_ONEOFW = 4 /* oneof over weighted items (see SMOD lists above) */ };

enum fc_opcode {
#define OPC(id, num, mnem, k) FC_OPC_##id = (num),
#include "opcodes.def"
#undef OPC
	FC_OPC_MAX_
};
enum fc_kfmt { K_BOOL, K_NONE, K_PROG, K_CONST, K_STR, K_LIST, K_EVSET, K_REGEX, K_SLOT };
/* Mnemonic and operand format of an opcode; NULL / -1 for an unknown number. */
const char *fc_opcode_name(unsigned op);
int fc_opcode_kfmt(unsigned op);

/* One instruction, in memory (the file form is the same 12 bytes, little-endian). */
struct fc_binsn {
	uint8_t op, aux;
	uint16_t slot;
	uint32_t k;
	uint16_t jt, jf;
};

/* Reader errors: distinct, with a message naming what is wrong and where (byte offset). */
enum fc_bundle_err {
	FC_BERR_OK = 0,
	FC_BERR_IO = -1,        /* cannot open/read/mmap the file */
	FC_BERR_NOTBUNDLE = -2, /* wrong magic: not a bundle */
	FC_BERR_VERSION = -3,   /* unsupported major version (or a minor newer than ours) */
	FC_BERR_TRUNCATED = -4, /* the file is shorter than its header says, or a header/table cut */
	FC_BERR_CHECKSUM = -5,  /* crc32 mismatch */
	FC_BERR_CORRUPT = -6,   /* an offset, count, reference or instruction is invalid */
	FC_BERR_FIELD = -7,     /* a slot names a field this runtime does not know */
	FC_BERR_SIGNATURE = -8, /* fc_bundle_open_signed: unsigned, wrong key, bad signature */
};
const char *fc_bundle_strerror(int err); /* "not a bundle", "unsupported version", ... */

struct fc_bundle; /* loaded and verified, immutable, shareable between VMs */

/* Loads and verifies a bundle from PATH (mmap) or from memory (BUF is copied as needed).
 * Returns FC_BERR_OK and *OUT, or an error with a message in ERR ("corrupt bundle: section 7
 * (code) instruction 12: jump past the end of program 3", "truncated bundle: file is 100 bytes,
 * header says 4096"). Never crashes on hostile input. */
int fc_bundle_open(const char *path, struct fc_bundle **out, char *err, size_t errlen);
int fc_bundle_load(const void *buf, size_t len, struct fc_bundle **out, char *err, size_t errlen);
/* fc_bundle_open for `falcod --require-signed`: the file must be a bundle signed by the
 * ed25519 public key PK (32 bytes; format and key files: sign.h), checked before anything
 * else is read; FC_BERR_SIGNATURE with the reason ("untrusted bundle: bundle is not signed:
 * ..."), else what fc_bundle_open returns. */
int fc_bundle_open_signed(const char *path, const uint8_t pk[32], struct fc_bundle **out, char *err, size_t errlen);
void fc_bundle_free(struct fc_bundle *b);

/* What falcod and the output formatter need from a loaded bundle. */
struct fc_bundle_rule {
	const char *name, *desc, *source, *file;
	uint32_t line;
	uint8_t priority; /* enum fc_priority (compiler/rules.h order: 0 = Emergency) */
	bool enabled;
	const char *const *tags;
	uint32_t ntags;
	const struct fc_bundle_outseg *out;
	uint32_t nout;
	const fc_evtset *evts;
};
struct fc_bundle_outseg {
	const char *lit; /* literal text (NULL for a field) */
	uint32_t litlen;
	uint32_t slot;   /* field slot (when lit == NULL) */
	uint16_t width;
	bool json;       /* goes into output_fields */
	const char *key; /* canonical field text: JSON key, "proc.aname[2]" */
};
uint32_t fc_bundle_nrules(const struct fc_bundle *b);
const struct fc_bundle_rule *fc_bundle_rule(const struct fc_bundle *b, uint32_t id);
/* The field specs of the bundle's field slots (for extractors that want to pre-bind). */
uint32_t fc_bundle_nslots(const struct fc_bundle *b);
const struct fc_fieldspec *fc_bundle_slot_field(const struct fc_bundle *b, uint32_t slot); /* NULL for XF slots */
const char *fc_bundle_slot_text(const struct fc_bundle *b, uint32_t slot);
/* Syscall selection (PPM_SC bitset), for the probe; and metadata strings. */
const uint64_t *fc_bundle_ksel(const struct fc_bundle *b, uint32_t *nwords);
/* Kernel predicate programs (kprog.h), verified at load; NULL when the bundle has none. */
struct fc_kprog_set;
const struct fc_kprog_set *fc_bundle_kprog(const struct fc_bundle *b);
const char *fc_bundle_meta(const struct fc_bundle *b, uint32_t i); /* NULL past the end */
uint32_t fc_bundle_size(const struct fc_bundle *b);

#endif
