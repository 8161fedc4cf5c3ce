/* strset.c — the constant sets of IN_S / LIST_IN / LIST_ISECT (strings), IN_N (numbers) and
 * PREFIX_S (string prefixes), built once at bundle load.
 *
 * Hash sets use open addressing with linear probing at a load factor <= 1/2; string entries
 * keep their 64-bit XXH3 hash so a probe compares bytes only on a full hash match. The prefix
 * set is the items sorted by bytes with every item that extends a shorter item dropped; in
 * such a prefix-free sorted set, if some item is a prefix of v it is the greatest item <= v
 * (any item between it and v would have to extend it), so a lookup is one binary search plus
 * one comparison; a first-byte table narrows the search. */
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "vmops.h"

static uint32_t table_size(uint32_t n)
{
	uint32_t cap = 8;
	while (cap < 2 * (uint64_t)n + 2 && cap < (1u << 31))
		cap <<= 1;
	return cap;
}

/* ---- strings ---- */

struct sent {
	uint64_t h;
	const char *s; /* NULL = empty slot */
	uint32_t len;
};

struct fc_strset {
	uint32_t mask;
	struct sent *tab;
	/* pre-checks before hashing (most values tested are not in the set): bit L of lens is
	 * set when an item has length L (bit 63: 63 or more); first: the items' first bytes */
	uint64_t lens;
	uint64_t first[4];
	bool has_empty;
};

struct fc_strset *fc_strset_new(uint32_t n, const char *const *s, const uint32_t *len, bool *dup)
{
	*dup = false;
	struct fc_strset *set = malloc(sizeof *set);
	if (!set)
		return NULL;
	uint32_t cap = table_size(n);
	set->mask = cap - 1;
	set->tab = calloc(cap, sizeof *set->tab);
	if (!set->tab) {
		free(set);
		return NULL;
	}
	static const char empty[1] = "";
	set->lens = 0;
	memset(set->first, 0, sizeof set->first);
	set->has_empty = false;
	for (uint32_t i = 0; i < n; i++) {
		set->lens |= 1ull << (len[i] < 63 ? len[i] : 63);
		if (len[i]) {
			unsigned char c = (unsigned char)s[i][0];
			set->first[c >> 6] |= 1ull << (c & 63);
		} else {
			set->has_empty = true;
		}
		uint64_t h = XXH3_64bits(s[i], len[i]);
		uint32_t j = (uint32_t)h & set->mask;
		for (; set->tab[j].s; j = (j + 1) & set->mask)
			if (set->tab[j].h == h && set->tab[j].len == len[i] && fc_bytes_eq(set->tab[j].s, s[i], len[i]))
				break;
		if (set->tab[j].s) {
			*dup = true;
			continue;
		}
		set->tab[j] = (struct sent){h, s[i] ? s[i] : empty, len[i]};
	}
	return set;
}

bool fc_strset_has(const struct fc_strset *set, const char *s, size_t len)
{
	if (!(set->lens >> (len < 63 ? len : 63) & 1))
		return false;
	if (!len)
		return set->has_empty;
	unsigned char c = (unsigned char)s[0];
	if (!(set->first[c >> 6] >> (c & 63) & 1))
		return false;
	uint64_t h = XXH3_64bits(s, len);
	for (uint32_t j = (uint32_t)h & set->mask;; j = (j + 1) & set->mask) {
		const struct sent *e = &set->tab[j];
		if (!e->s)
			return false;
		if (e->h == h && e->len == len && fc_bytes_eq(e->s, s, len))
			return true;
	}
}

void fc_strset_free(struct fc_strset *set)
{
	if (set) {
		free(set->tab);
		free(set);
	}
}

/* ---- numbers ---- */

struct fc_numset {
	uint32_t mask;
	bool has_zero; /* 0 marks an empty slot */
	uint64_t *tab;
};

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

struct fc_numset *fc_numset_new(uint32_t n, const uint64_t *v, bool *dup)
{
	*dup = false;
	struct fc_numset *set = malloc(sizeof *set);
	if (!set)
		return NULL;
	uint32_t cap = table_size(n);
	set->mask = cap - 1;
	set->has_zero = false;
	set->tab = calloc(cap, sizeof *set->tab);
	if (!set->tab) {
		free(set);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (!v[i]) {
			*dup |= set->has_zero;
			set->has_zero = true;
			continue;
		}
		uint32_t j = (uint32_t)mix64(v[i]) & set->mask;
		while (set->tab[j] && set->tab[j] != v[i])
			j = (j + 1) & set->mask;
		*dup |= set->tab[j] == v[i];
		set->tab[j] = v[i];
	}
	return set;
}

bool fc_numset_has(const struct fc_numset *set, uint64_t v)
{
	if (!v)
		return set->has_zero;
	for (uint32_t j = (uint32_t)mix64(v) & set->mask;; j = (j + 1) & set->mask) {
		if (set->tab[j] == v)
			return true;
		if (!set->tab[j])
			return false;
	}
}

void fc_numset_free(struct fc_numset *set)
{
	if (set) {
		free(set->tab);
		free(set);
	}
}

/* ---- prefixes ---- */

struct pitem {
	uint64_t key; /* the first 8 bytes, big-endian, zero-padded: orders like the bytes when it differs */
	const char *s;
	uint32_t len;
};

static inline uint64_t pkey(const char *s, size_t len)
{
	uint64_t k = 0;
	for (size_t i = 0; i < 8; i++)
		k = k << 8 | (i < len ? (uint8_t)s[i] : 0);
	return k;
}

struct fc_prefixset {
	uint32_t n;
	bool all; /* the empty string is an item: everything matches */
	struct pitem *it;
	uint32_t lo[257]; /* items whose first byte is b are [lo[b], lo[b+1]) */
};

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = fc_memcmp0(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

static int pitem_cmp(const void *x, const void *y)
{
	const struct pitem *a = x, *b = y;
	return bytes_cmp(a->s, a->len, b->s, b->len);
}

struct fc_prefixset *fc_prefixset_new(uint32_t n, const char *const *s, const uint32_t *len)
{
	struct fc_prefixset *set = calloc(1, sizeof *set);
	if (!set)
		return NULL;
	set->it = malloc(((size_t)n + 1) * sizeof *set->it);
	if (!set->it) {
		free(set);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		set->it[i] = (struct pitem){pkey(s[i], len[i]), s[i], len[i]};
		set->all |= len[i] == 0;
	}
	if (n)
		qsort(set->it, n, sizeof *set->it, pitem_cmp);
	/* drop items that extend the last kept one (sorted: an extension follows its prefix) */
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct pitem *p = k ? &set->it[k - 1] : NULL;
		if (p && p->len <= set->it[i].len && fc_bytes_eq(p->s, set->it[i].s, p->len))
			continue;
		set->it[k++] = set->it[i];
	}
	set->n = k;
	uint32_t j = 0;
	for (unsigned b = 0; b < 256; b++) {
		while (j < k && (set->it[j].len == 0 || (uint8_t)set->it[j].s[0] < b))
			j++;
		set->lo[b] = j;
	}
	set->lo[256] = k;
	return set;
}

bool fc_prefixset_has(const struct fc_prefixset *set, const char *s, size_t len)
{
	if (set->all)
		return true;
	if (!len)
		return false;
	uint8_t b = (uint8_t)s[0];
	uint32_t lo = set->lo[b], hi = set->lo[b + 1];
	uint64_t key = pkey(s, len);
	/* greatest item <= s within the bucket; keys decide unless they are equal */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct pitem *it = &set->it[mid];
		if (it->key < key || (it->key == key && bytes_cmp(it->s, it->len, s, len) <= 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == set->lo[b])
		return false;
	const struct pitem *p = &set->it[lo - 1];
	return p->len <= len && fc_bytes_eq(p->s, s, p->len);
}

void fc_prefixset_free(struct fc_prefixset *set)
{
	if (set) {
		free(set->it);
		free(set);
	}
}
