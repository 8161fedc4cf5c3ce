/* imap.c — the state engine's int64 → pointer hash map (thread table by tid, groups by pid,
 * fd tables by fd number): open addressing with linear probing and backward-shift deletion, so
 * lookups stay short after many removals and no tombstones accumulate. Grows at 3/4 load and
 * shrinks at 1/8 (tables of exited processes give their memory back). */
#include "state_int.h"

#include <stdlib.h>

static uint32_t slot_of(int64_t k, uint32_t cap)
{
	/* fmix64 (murmur3 finaliser): tids and fd numbers are dense small integers */
	uint64_t h = (uint64_t)k;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h & (cap - 1);
}

void *fc_imap_get(const struct fc_imap *m, int64_t k)
{
	if (m->n == 0)
		return NULL;
	for (uint32_t i = slot_of(k, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->vals[i])
			return NULL;
		if (m->keys[i] == k)
			return m->vals[i];
	}
}

static bool resize(struct fc_imap *m, uint32_t ncap)
{
	int64_t *nk = malloc(sizeof(*nk) * ncap);
	void **nv = calloc(ncap, sizeof(*nv));
	if (!nk || !nv) {
		free(nk);
		free(nv);
		return false;
	}
	for (uint32_t i = 0; i < m->cap; i++) {
		if (!m->vals[i])
			continue;
		uint32_t j = slot_of(m->keys[i], ncap);
		while (nv[j])
			j = (j + 1) & (ncap - 1);
		nk[j] = m->keys[i];
		nv[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
	return true;
}

void *fc_imap_put(struct fc_imap *m, int64_t k, void *v, bool *oom)
{
	if (oom)
		*oom = false;
	if ((uint64_t)(m->n + 1) * 4 > (uint64_t)m->cap * 3) {
		if (!resize(m, m->cap ? m->cap * 2 : 16)) {
			if (oom)
				*oom = true;
			return NULL;
		}
	}
	uint32_t i = slot_of(k, m->cap);
	for (;; i = (i + 1) & (m->cap - 1)) {
		if (!m->vals[i])
			break;
		if (m->keys[i] == k) {
			void *old = m->vals[i];
			m->vals[i] = v;
			return old;
		}
	}
	m->keys[i] = k;
	m->vals[i] = v;
	m->n++;
	return NULL;
}

void *fc_imap_del(struct fc_imap *m, int64_t k)
{
	if (m->n == 0)
		return NULL;
	uint32_t mask = m->cap - 1, i = slot_of(k, m->cap);
	for (;; i = (i + 1) & mask) {
		if (!m->vals[i])
			return NULL;
		if (m->keys[i] == k)
			break;
	}
	void *old = m->vals[i];
	m->vals[i] = NULL;
	m->n--;
	/* backward shift: move later members of the cluster into the hole when their home slot
	 * does not lie cyclically in (hole, j] */
	for (uint32_t j = (i + 1) & mask; m->vals[j]; j = (j + 1) & mask) {
		uint32_t h = slot_of(m->keys[j], m->cap);
		bool stays = (i <= j) ? (i < h && h <= j) : (i < h || h <= j);
		if (stays)
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		m->vals[j] = NULL;
		i = j;
	}
	if (m->cap > 16 && (uint64_t)m->n * 8 < m->cap)
		(void)resize(m, m->cap / 2); /* on failure the table simply stays larger */
	return old;
}

void fc_imap_free(struct fc_imap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}
