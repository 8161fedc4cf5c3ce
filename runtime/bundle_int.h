/* bundle_int.h — the native form of a loaded, verified bundle: what bundle.c builds and vm.c
 * runs (internal to those two files; everything else uses bundle.h). After verification every
 * index in these structures is in range, so the VM checks nothing per instruction. */
#ifndef FC_BUNDLE_INT_H
#define FC_BUNDLE_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "bundle.h"
#include "vmops.h"

/* One instruction with its operand resolved to what the leaf needs. Jumps are absolute
 * indexes into the bundle's code array. */
union fc_kop {
	const void *p;
	uint64_t u;
	int64_t i;
	double d;
};

struct fc_ninsn {
	uint8_t op, aux;
	uint16_t slot; /* canonical slot (see fc_nslot.canon) */
	uint32_t jt, jf;
	uint32_t klen; /* K_STR: bytes; IP address constants: 4 or 16 */
	union fc_kop k;
};

struct fc_regex {
	pcre2_code *code;
	const char *lit; /* literal pre-check (NULL: none) */
	uint32_t litlen;
};

/* IN_NET constant, and IN_IP entries. v4 forms use the FC_V_IPV4 representation (wire bytes
 * read little-endian), so a test is (u & mask) == net. */
struct fc_ipnet {
	uint8_t fam;  /* 4 or 6 */
	uint8_t plen; /* prefix bits */
	uint32_t v4net, v4mask;
	uint8_t a[16];
};

struct fc_iplist {
	struct fc_numset *v4;  /* addresses (NULL when none) */
	struct fc_strset *v6;  /* 16-byte addresses (NULL when none) */
	uint32_t nnet;
	struct fc_ipnet *net;
};

/* SMOD over a list of strings with base operator `base`. */
struct fc_smod {
	uint32_t n;
	uint8_t base;
	const char *const *s;
	const uint32_t *len;
	struct fc_glob **glob;   /* GLOB/IGLOB */
	struct fc_regex *re;     /* REGEX */
	const uint8_t *w;        /* FC_MODBITS_ONEOFW: item weights (s/len without the weight byte); else NULL */
};

struct fc_nslot {
	uint8_t kind, xf, vtype, flags;
	uint32_t canon; /* first slot with the same field spec: the one whose cache entry is used */
	uint32_t xdepth; /* transformer nesting (FIELD: 0) */
	struct fc_fieldspec spec;
	uint32_t nargs;
	const uint32_t *args;       /* slot index, or FC_ARG_STR | sid */
	const struct fc_val *cargs; /* the string constant of FC_ARG_STR arguments */
	int sel;                    /* getopt selector character, -1 */
	const struct fc_optinfo *opt; /* getopt with a constant optstring */
	const char *text;
};

struct fc_nprog {
	uint32_t start, len, kind, depth;
};

struct fc_listcache; /* bundle.c: the matchers built per list */

struct fc_bundle {
	uint8_t *data;
	size_t len;
	bool mapped;
	struct fc_chunk *arena;

	uint32_t nstr;
	const char **str;
	uint32_t *strlen;
	uint32_t nconst;
	const uint64_t *consts;
	uint32_t nlist;
	struct fc_listcache *lists;
	uint32_t nevset;
	fc_evtset *evsets;
	uint32_t nregex;
	struct fc_regex *regex;
	uint32_t nslots;
	struct fc_nslot *slots;
	uint32_t ncode;
	struct fc_ninsn *code;
	uint32_t nprogs;
	struct fc_nprog *progs;
	uint32_t nrules;
	struct fc_bundle_rule *rules;
	uint32_t *rule_prog;
	uint32_t index_first[FC_EVENT_MAX], index_n[FC_EVENT_MAX];
	uint32_t *index_ids;
	uint32_t nksel;
	uint64_t *ksel;
	struct fc_kprog_set *kprog; /* FC_SEC_KPROG (kprog.h), NULL when absent */
	uint32_t nmeta;
	const char **meta;
	uint32_t max_depth; /* deepest program (SUB nesting) */
};

#endif
