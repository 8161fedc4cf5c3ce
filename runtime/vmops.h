/* vmops.h — the matchers the VM's leaves use, built once at bundle load (internal to the runtime:
 * bundle.c builds them, vm.c runs them):
 *   glob.c     fnmatch(pattern, value, 0 | FNM_CASEFOLD) patterns pre-parsed into tokens;
 *   strset.c   hash sets of strings and of 64-bit numbers (open addressing, XXH3), and the
 *              sorted prefix set behind PREFIX_S;
 *   pmatch.c   upstream's path-prefix search (path components, glob components);
 *   xform.c    the field transformers (LANGUAGE.md §6) writing into a fixed scratch area.
 * Every structure is immutable after build, so several VMs (threads) may share it. */
#ifndef FC_VMOPS_H
#define FC_VMOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "value.h"

/* memcmp / memchr that accept a NULL pointer with a zero length (an extractor may hand out
 * an empty value as {NULL, 0}; the C library calls do not allow it). */
static inline int fc_memcmp0(const void *a, const void *b, size_t n)
{
	return n ? memcmp(a, b, n) : 0;
}
static inline const char *fc_memchr0(const char *s, int c, size_t n)
{
	return n ? (const char *)memchr(s, c, n) : NULL;
}

static inline uint64_t fc_ld64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}
static inline uint32_t fc_ld32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static inline uint16_t fc_ld16(const char *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

/* A[0..N) == B[0..N), for the equality tests of leaves (names, path prefixes, glob literals):
 * up to 16 bytes with two overlapping loads per side and no call (a memcmp call was most of a
 * short prefix test); longer, the first 8 bytes in line (where paths that differ mostly
 * differ), then memcmp. Never reads outside either buffer; A and B may be NULL when N is 0. */
static inline bool fc_bytes_eq(const char *a, const char *b, size_t n)
{
	if (n > 16)
		return fc_ld64(a) == fc_ld64(b) && !memcmp(a + 8, b + 8, n - 8);
	if (n >= 8)
		return ((fc_ld64(a) ^ fc_ld64(b)) | (fc_ld64(a + n - 8) ^ fc_ld64(b + n - 8))) == 0;
	if (n >= 4)
		return ((fc_ld32(a) ^ fc_ld32(b)) | (fc_ld32(a + n - 4) ^ fc_ld32(b + n - 4))) == 0;
	if (n >= 2)
		return fc_ld16(a) == fc_ld16(b) && a[n - 1] == b[n - 1];
	return !n || a[0] == b[0];
}

/* Substring search tuned for the short values rules see (paths, names, command lines); long
 * haystacks go to glibc's memmem (linear worst case). Returns the first occurrence. NL > 0.
 * Two bytes of the needle are looked for together, eight candidate starts per step (SWAR):
 * its first byte that is not '/' (paths are full of slashes: "/.ssh/" is anchored on its '.')
 * and its last byte; only a start where both match is compared in full. Against the memchr
 * call per anchor byte it replaced (vm_leaf, x86_64): proc.cmdline contains 13.1 -> 12.4 ns,
 * fd.name contains 9.2 -> 9.55 ns (memchr's wide steps win on the long container paths there);
 * a memchr fallback past 32-128 bytes was no better on either. The step needs little-endian
 * byte order (x86_64, ARM64); elsewhere, and for the last few starts, one start at a time. */
static inline uint64_t fc_zero_bytes(uint64_t v)
{
	/* 0x80 in every byte of V that is zero (and possibly in a higher byte after one: those
	 * starts are only compared in full, never skipped) */
	return (v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull;
}

static inline const char *fc_memmem(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl > hl)
		return NULL;
	if (hl > 256)
		return (const char *)memmem(h, hl, n, nl);
	size_t a = 0, z = nl - 1;
	while (a < z && n[a] == '/')
		a++;
	size_t i = 0, last = hl - nl; /* candidate starts: [0, last] */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t fa = 0x0101010101010101ull * (uint8_t)n[a], fz = 0x0101010101010101ull * (uint8_t)n[z];
	/* starts i..i+7: anchor bytes at i+a.., last bytes at i+z..; both loads end by i+z+8 <= hl */
	for (; i + 8 <= last + 1; i += 8) {
		uint64_t m = fc_zero_bytes((fc_ld64(h + i + a) ^ fa) | (fc_ld64(h + i + z) ^ fz));
		while (m) {
			size_t k = i + (size_t)(__builtin_ctzll(m) >> 3);
			if (fc_bytes_eq(h + k, n, nl))
				return h + k;
			m &= m - 1;
		}
	}
#endif
	for (; i <= last; i++)
		if (h[i + a] == n[a] && h[i + z] == n[z] && fc_bytes_eq(h + i, n, nl))
			return h + i;
	return NULL;
}

/* ---- glob.c ---- */

/* A compiled pattern: tokens (literal runs, '?', '*', bracket classes), matched with one
 * backtrack point per '*' (linear memory, O(n·m) worst case, no recursion). */
struct fc_glob;

/* What the inline test below reads of a compiled pattern (its first member): the literal the
 * pattern starts with (case-sensitive patterns only; empty otherwise). */
struct fc_glob_head {
	const char *pre;
	uint32_t prelen;
};

/* Bytes needed to compile a pattern of PLEN bytes (an upper bound). */
size_t fc_glob_size(size_t plen);
/* Compiles PAT into MEM (at least fc_glob_size(plen) bytes, 8-aligned). Never fails: a
 * pattern fnmatch could never match (a trailing lone backslash) compiles to "never". */
struct fc_glob *fc_glob_compile(void *mem, const char *pat, size_t plen, bool casefold);
/* The match past the leading literal, which the caller has found at S (fc_glob_match). */
bool fc_glob_match_rest(const struct fc_glob *g, const char *s, size_t len);
/* fnmatch(pattern, S[0..LEN)). The leading literal in line: most path patterns (/lib/...,
 * /etc/...) reject most values on it, without a call or a scan of the value for its end (the
 * literal holds no NUL, so raw bytes that differ differ in the value as fnmatch sees it). */
static inline bool fc_glob_match(const struct fc_glob *g, const char *s, size_t len)
{
	const struct fc_glob_head *h = (const struct fc_glob_head *)g;
	if (len < h->prelen || !fc_bytes_eq(s, h->pre, h->prelen))
		return false;
	return fc_glob_match_rest(g, s, len);
}
/* True when the pattern has no wildcard at all (pmatch keeps such components for exact lookup). */
bool fc_glob_has_magic(const char *pat, size_t plen);

/* ---- strset.c ---- */

struct fc_strset;
/* Builds a set of N strings (pointers must outlive the set). Returns NULL on allocation
 * failure; *DUP is set when two items have the same bytes. */
struct fc_strset *fc_strset_new(uint32_t n, const char *const *s, const uint32_t *len, bool *dup);
bool fc_strset_has(const struct fc_strset *set, const char *s, size_t len);
void fc_strset_free(struct fc_strset *set);

struct fc_numset;
struct fc_numset *fc_numset_new(uint32_t n, const uint64_t *v, bool *dup);
bool fc_numset_has(const struct fc_numset *set, uint64_t v);
void fc_numset_free(struct fc_numset *set);

/* PREFIX_S: does the value start with one of the strings? Sorted, prefix-free (an item that
 * extends another is dropped), so the only candidate is the greatest item <= the value. */
struct fc_prefixset;
struct fc_prefixset *fc_prefixset_new(uint32_t n, const char *const *s, const uint32_t *len);
bool fc_prefixset_has(const struct fc_prefixset *set, const char *s, size_t len);
void fc_prefixset_free(struct fc_prefixset *set);

/* ---- pmatch.c ---- */

struct fc_pmatch;
struct fc_pmatch *fc_pmatch_new(uint32_t n, const char *const *s, const uint32_t *len);
bool fc_pmatch_has(const struct fc_pmatch *pm, const char *path, size_t len);
void fc_pmatch_free(struct fc_pmatch *pm);

/* ---- xform.c ---- */

/* Per-VM scratch area, fixed at creation, reset at each event. */
struct fc_xscratch {
	char *buf;
	size_t cap, used;
	uint64_t overflows;
};
void *fc_xscratch_alloc(struct fc_xscratch *s, size_t n); /* 8-aligned, NULL when full (counted) */

/* A parsed getopt(3) optstring. */
struct fc_optinfo {
	uint8_t valid[32];   /* bitmap: option characters */
	uint8_t witharg[32]; /* bitmap: options taking an argument */
};
void fc_optinfo_parse(struct fc_optinfo *o, const char *s, size_t len);

/* Single-argument transformers (tolower, toupper, b64, basename, len) of IN into OUT; a LIST is
 * transformed element by element (len of a LIST is its element count). False = missing. */
bool fc_xf_unary(unsigned xf, const struct fc_val *in, struct fc_val *out, struct fc_xscratch *s);
/* concat(a, b, ...): every argument present; strings appended up to their first NUL. */
bool fc_xf_concat(const struct fc_val *const *args, uint32_t n, struct fc_val *out, struct fc_xscratch *s);
/* join(sep, items...): the items' elements (a LIST contributes each element) separated by SEP. */
bool fc_xf_join(const struct fc_val *sep, const struct fc_val *const *items, uint32_t n, struct fc_val *out,
		struct fc_xscratch *s);
/* getopt(args, optstring)[sel]: SEL < 0 for the list form. */
bool fc_xf_getopt(const struct fc_val *args, const struct fc_optinfo *o, int sel, struct fc_val *out,
		  struct fc_xscratch *s);

#endif
