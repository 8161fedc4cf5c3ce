/* merge.c — one event per syscall, in current layouts (see merge.h for the contract).
 *
 * Owned by the events work (issue 4). Per pushed event:
 *   - a syscall enter event (even code, not a tracepoint/meta event) is copied into its
 *     thread's slot of the pending table (a newer enter replaces an older one; when max_pending
 *     enters wait, the oldest is dropped) and absorbed;
 *   - anything else is re-encoded: its code is moved along convert.def's SUCC chain to the
 *     current version, and each parameter of the current layout is taken from the event by
 *     position (same code) or by name (converted), or — when the event lacks it — from the
 *     stored enter event of the same syscall on the same thread, as upstream's capture
 *     converter does (Falco >= 0.42). Parameters nobody has stay empty, except convert.def's
 *     DEF ones (zero value). The result is decoded with fc_evt_decode from the merger's buffer.
 *
 * Why by name: every conversion in upstream's table is "same parameter, new position" or "the
 * enter event's parameter of the same name"; the few exceptions are listed in convert.def
 * (FROM). Matching by name also requires the same type class and the same flag table, so that
 * e.g. execveat's enter `flags` (execveat_flags) never fills the exit's `flags` (execve_flags).
 * Deviation from upstream: a parameter that should come from a missing enter event is empty,
 * never the type's zero value (upstream pushes zeros there unless a fallback flag is set).
 *
 * Speed (replay runs this once per event): where each output parameter comes from depends only
 * on (event code, its parameter count, stored enter's code and count), so that decision is made
 * once and cached per event code (struct plan), not by name lookups per event; an exit event
 * already in the current layout with every parameter is handed out as it is (its view is its
 * own encoding), without a copy; slots for pending enters are allocated as threads appear, not
 * all up front (the default bound is 65,536 threads). A thread keeps its slot (and its place in
 * the hash table) when its enter is paired, so enter-then-exit is a cached lookup, two flags
 * and the pending order list; empty slots are swept back only when new threads run out of them
 * (at most 2 x max_pending slots). Per-code facts (struct code) are looked up once; the lite
 * and plain (current, complete, not a syscall's) inputs are handled in fc_merge_push itself,
 * everything else out of line (push_full), so that the common paths save no registers.
 * falcod turns on extensions (merge.h): lite codes (events no rule and no state parser reads:
 * paired and counted, never copied; an enter stored as its code only), view outputs (no
 * re-encoding: the output points at the input, the stored enter and m->tmp) and decoded inputs
 * (the decoder's checks are not repeated). */
#include "merge.h"
#include "le.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define MAX_ENTER_LEN 8192u /* enter events are small; a larger one is not kept (counted) */
#define MAX_CHAIN 16        /* longest SUCC chain is 7 */

/* ---- tables from convert.def ----------------------------------------------------------- */

static const uint16_t succ_tab[FC_EVENT_MAX] = {
#define SUCC(o, n) [FC_PPME_##o] = (uint16_t)(FC_PPME_##n + 1),
#include "convert.def"
};

static const bool drop_tab[FC_EVENT_MAX] = {
#define DROP(o) [FC_PPME_##o] = true,
#include "convert.def"
};

struct rule {
	uint16_t code;
	const char *param;
	const char *src; /* NULL for DEF */
};

static const struct rule rules[] = {
#define DEF(c, p) {FC_PPME_##c, (p), NULL},
#define FROM(c, p, s) {FC_PPME_##c, (p), (s)},
#include "convert.def"
};
#define NRULES (sizeof rules / sizeof rules[0])

/* Current code for CODE: follows SUCC until a code without a successor. */
static uint16_t final_code(uint16_t code)
{
	for (int i = 0; i < MAX_CHAIN && succ_tab[code]; i++)
		code = (uint16_t)(succ_tab[code] - 1);
	return code;
}

static const struct rule *find_rule(uint16_t code, const char *param)
{
	for (size_t i = 0; i < NRULES; i++)
		if (rules[i].code == code && strcmp(rules[i].param, param) == 0)
			return &rules[i];
	return NULL;
}

/* ---- pending enter events --------------------------------------------------------------- */

/* One slot per thread seen with an enter event. A slot stays in the hash table when its enter
 * is paired (it is only marked empty), so a thread's usual enter-then-exit touches no table
 * structure: one lookup (mostly the one-entry cache m->last), a flag and the pending order
 * list. Empty slots are taken back all at once (sweep) when a new thread finds no free one. */
struct slot {
	uint64_t tid;
	uint32_t prev, next; /* pending order (full) or free list (next only, not in the table) */
	uint32_t cap;
	bool live;           /* in the hash table */
	bool full;           /* holds a pending enter (in the pending order list) */
	bool lite;           /* stored without parameters (fc_merge_set_lite): only ev.type, ev.tid */
	uint8_t *buf;        /* the enter event, current layout */
	struct fc_evt ev;    /* decoded view of buf */
};

/* Where output parameter j comes from (see plan_build). */
enum { P_EMPTY, P_SAME, P_IN, P_ENTER, P_ZERO };
struct step {
	uint8_t kind, k, st; /* source kind, source parameter index, source type */
	bool direct;         /* source and destination of one size (not DYN): see move */
};
struct plan {
	uint16_t in_type, enter_type; /* enter_type NO_ENTER when built without an enter */
	uint32_t in_np, enter_np;
	uint32_t nsame; /* steps 0 .. nsame-1 are P_SAME, no other is */
	struct step s[FC_EVT_MAX_PARAMS];
};
#define NO_ENTER UINT16_MAX

/* What a push needs to know of an input code, looked up once per code (fc_merge_new). */
enum { K_OTHER, K_ENTER, K_EXIT };
struct code {
	uint16_t fin;    /* final_code */
	uint8_t kind;    /* K_ENTER / K_EXIT: a syscall's (not a tracepoint, meta or unused code) */
	uint8_t np;      /* table parameter count */
	uint8_t fin_np;  /* the current form's parameter count */
	uint8_t lite_np; /* lite (fc_merge_set_lite): np + 1, else 0; so `nparams < lite_np` */
	bool plain;      /* current, K_OTHER, not procexit: complete, it is its own output */
	uint8_t lsz;     /* width of its parameter lengths: 2, or 4 (FC_EF_LARGE_PAYLOAD) */
};

struct fc_merge {
	uint32_t max;     /* bound on pending enters (full slots) */
	uint32_t slotmax; /* bound on slots: 2 x max, so that a sweep frees at least max of them */
	uint32_t nalloc, nfull, head, tail, free_head;
	uint32_t last;      /* slot of the latest successful lookup (in the table), or NIL */
	uint64_t last_tid;  /* its thread (kept here: no slot address to compute on a hit) */
	struct slot *slots; /* nalloc of them; grows up to slotmax */
	uint32_t *ht; /* slot index + 1; 0 = empty. Linear probing; no deletion (sweep rebuilds). */
	uint32_t hmask;
	struct plan *plans[FC_EVENT_MAX]; /* by input event code, built on first use */
	struct code codes[FC_EVENT_MAX];
	uint8_t *out;
	size_t outcap;
	char *json; /* CONTAINER_E conversion */
	bool views;   /* fc_merge_set_views */
	bool decoded; /* fc_merge_set_decoded */
	bool plain_ok; /* views and decoded: a complete plain input needs no check (push_plain) */
	uint8_t tmp[FC_EVT_MAX_PARAMS][8]; /* resized integers of the last output */
	size_t jsoncap;
	struct fc_merge_stats st;
};

static uint32_t hslot(const struct fc_merge *m, uint64_t tid)
{
	return (uint32_t)((tid * 0x9E3779B97F4A7C15ull) >> 32) & m->hmask;
}

/* The slot of thread TID (full or empty), NIL if it has none. */
static inline uint32_t slot_find(struct fc_merge *m, uint64_t tid)
{
	/* most lookups are for the thread of the one before (its enter, then its exit) */
	if (m->last_tid == tid && m->last != NIL)
		return m->last;
	for (uint32_t h = hslot(m, tid);; h = (h + 1) & m->hmask) {
		uint32_t v = m->ht[h];
		if (v == 0)
			return NIL;
		if (m->slots[v - 1].tid == tid) {
			m->last_tid = tid;
			return m->last = v - 1;
		}
	}
}

static void ht_insert(struct fc_merge *m, uint64_t tid, uint32_t idx)
{
	uint32_t h = hslot(m, tid);
	while (m->ht[h])
		h = (h + 1) & m->hmask;
	m->ht[h] = idx + 1;
}

/* Forgets slot I's pending enter; the slot stays the thread's (in the table, empty). */
static void pend_drop(struct fc_merge *m, uint32_t i)
{
	struct slot *s = &m->slots[i];
	s->full = false;
	m->nfull--;
	if (s->prev != NIL)
		m->slots[s->prev].next = s->next;
	else
		m->head = s->next;
	if (s->next != NIL)
		m->slots[s->next].prev = s->prev;
	else
		m->tail = s->prev;
}

/* Slot I (just stored) becomes the newest pending enter. */
static void pend_add(struct fc_merge *m, uint32_t i)
{
	struct slot *s = &m->slots[i];
	s->full = true;
	m->nfull++;
	s->prev = m->tail;
	s->next = NIL;
	if (m->tail != NIL)
		m->slots[m->tail].next = i;
	else
		m->head = i;
	m->tail = i;
}

/* Refills the hash table (a new one of HS entries, a power of two; HS 0: the current one,
 * cleared) with every slot in the table. 0, or -1 when out of memory. */
static int ht_rebuild(struct fc_merge *m, uint32_t hs)
{
	if (hs) {
		uint32_t *ht = calloc(hs, sizeof(*ht));
		if (!ht)
			return -1;
		free(m->ht);
		m->ht = ht;
		m->hmask = hs - 1;
	} else {
		memset(m->ht, 0, ((size_t)m->hmask + 1) * sizeof(*m->ht));
	}
	for (uint32_t i = 0; i < m->nalloc; i++)
		if (m->slots[i].live)
			ht_insert(m, m->slots[i].tid, i);
	m->last = NIL;
	return 0;
}

/* More slots (double, at most slotmax) on the free list, with a table of at least twice as
 * many entries: 0, or -1 at the bound or out of memory. */
static int grow(struct fc_merge *m)
{
	if (m->nalloc >= m->slotmax)
		return -1;
	uint32_t nc = m->nalloc ? 2 * m->nalloc : 64;
	if (nc > m->slotmax || nc < m->nalloc)
		nc = m->slotmax;
	struct slot *ns = realloc(m->slots, (size_t)nc * sizeof(*ns));
	if (!ns)
		return -1;
	m->slots = ns;
	memset(ns + m->nalloc, 0, (size_t)(nc - m->nalloc) * sizeof(*ns));
	uint32_t hs = 16;
	while (hs < 2 * nc)
		hs <<= 1;
	if (hs > m->hmask + 1 && ht_rebuild(m, hs) != 0)
		return -1; /* the new slots stay allocated but unused */
	for (uint32_t i = nc; i-- > m->nalloc;) {
		ns[i].next = m->free_head;
		m->free_head = i;
	}
	m->nalloc = nc;
	return 0;
}

/* Takes every empty slot out of the table onto the free list. */
static void sweep(struct fc_merge *m)
{
	for (uint32_t i = 0; i < m->nalloc; i++) {
		struct slot *s = &m->slots[i];
		if (s->live && !s->full) {
			s->live = false;
			s->next = m->free_head;
			m->free_head = i;
		}
	}
	ht_rebuild(m, 0);
}

/* A new slot in the table for thread TID (which has none): a free one, a new one, or an empty
 * one taken back (rare after the first events: kept out of line, away from the hot paths). At
 * the slot bound at least max are empty (full ones are at most max); out of memory with every
 * slot full, the oldest pending enter goes (counted) as at the bound. NIL when out of memory
 * with nothing pending. */
static __attribute__((noinline)) uint32_t slot_new(struct fc_merge *m, uint64_t tid)
{
	if (m->free_head == NIL && grow(m) != 0) {
		if (m->nfull == m->nalloc && m->head != NIL) {
			m->st.dropped_pending++;
			pend_drop(m, m->head);
		}
		sweep(m);
	}
	uint32_t i = m->free_head;
	if (i == NIL)
		return NIL;
	struct slot *s = &m->slots[i];
	m->free_head = s->next;
	s->tid = tid;
	s->live = true;
	ht_insert(m, tid, i);
	m->last_tid = tid;
	return m->last = i;
}

/* True when E is exactly what fc_evt_decode makes of E->raw: current header, every parameter
 * at its place, fixed-size ones of their size. Such a view can be handed out (or copied) as it
 * is instead of being re-encoded. */
static bool is_own_encoding(const struct fc_merge *m, const struct fc_evt *e)
{
	if (m->decoded) /* fc_evt_decode's layout: own encoding unless bytes follow the parameters */
		return e->hdr_len == FC_EVT_HDR_LEN && fc_evt_encoded_len(e) == e->len;
	if (e->hdr_len != FC_EVT_HDR_LEN || !e->raw || e->len != rd32(e->raw + 16) ||
	    e->type != rd16(e->raw + 20) || e->nparams != rd32(e->raw + 22))
		return false;
	bool large = (fc_events[e->type].flags & FC_EF_LARGE_PAYLOAD) != 0;
	const uint8_t *lens = e->raw + FC_EVT_HDR_LEN;
	uint64_t off = FC_EVT_HDR_LEN + (uint64_t)e->nparams * (large ? 4 : 2);
	for (uint32_t i = 0; i < e->nparams; i++) {
		uint32_t l = large ? rd32(lens + 4 * i) : rd16(lens + 2 * i);
		unsigned sz = fc_evt_psize[e->type][i];
		if (l != e->plen[i] || (l && e->pval[i] != e->raw + off) || (sz && l && l != sz))
			return false;
		off += l;
	}
	return off == e->len;
}

/* memcpy for the small enter events (N >= 8: a header is longer): gcc inlines a bounded
 * memcpy as `rep movsq`, whose start-up cost was half of store_enter's time. The last word
 * is copied at N - 8, overlapping the one before, instead of a byte loop. */
static inline void copy_bytes(uint8_t *d, const uint8_t *src, size_t n)
{
	uint64_t w;
	for (size_t i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, src + i, 8);
		memcpy(d + i, &w, 8);
	}
	memcpy(&w, src + n - 8, 8);
	memcpy(d + n - 8, &w, 8);
}

/* The slot that takes thread TID's new enter event: its own (an enter pending there is stale),
 * or a new one; when max enters are pending the oldest goes. NIL (counted) when out of memory. */
static inline uint32_t enter_slot(struct fc_merge *m, uint64_t tid)
{
	uint32_t i = slot_find(m, tid);
	if (i != NIL && m->slots[i].full) {
		m->st.stale_enters++; /* the previous syscall of this thread never showed its exit */
		pend_drop(m, i);
	}
	if (m->nfull == m->max) {
		m->st.dropped_pending++;
		pend_drop(m, m->head);
	}
	if (i == NIL && (i = slot_new(m, tid)) == NIL)
		m->st.dropped_pending++;
	return i;
}

/* Absorbs IN (an enter event of a lite code, fc_merge_set_lite): stored for its thread as its
 * code only, for the pairing and the counters. Returns 0 (fc_merge_push's result). Out of line
 * and tail-called: the rest of the lite push then needs no registers saved. */
static __attribute__((noinline)) int store_lite(struct fc_merge *m, const struct fc_evt *in)
{
	m->st.enters_absorbed++;
	uint32_t i = enter_slot(m, in->tid);
	if (i == NIL)
		return 0;
	struct slot *s = &m->slots[i];
	s->lite = true;
	s->ev.type = in->type;
	s->ev.tid = in->tid;
	s->ev.nparams = 0;
	pend_add(m, i);
	return 0;
}

/* Stores IN (an enter event of any other code) for its thread, with its parameters. */
static void store_enter(struct fc_merge *m, const struct fc_evt *in)
{
	/* A decoded input (fc_merge_set_decoded) with the current header is its own encoding when
	 * its parameters end at its length: the sum below is then fc_evt_encoded_len, uncalled. */
	bool own = false;
	size_t n = 0;
	if (m->decoded && in->hdr_len == FC_EVT_HDR_LEN) {
		n = FC_EVT_HDR_LEN + (size_t)in->nparams * m->codes[in->type].lsz;
		for (uint32_t k = 0; k < in->nparams; k++)
			n += in->plen[k];
		own = n == in->len;
	}
	if (!own)
		n = fc_evt_encoded_len(in);
	if (n == 0 || n > MAX_ENTER_LEN) {
		m->st.dropped_pending++;
		return;
	}
	uint32_t i = enter_slot(m, in->tid);
	if (i == NIL)
		return;
	struct slot *s = &m->slots[i];
	s->lite = false;
	if (s->cap < n) {
		uint8_t *nb = realloc(s->buf, n);
		if (!nb) {
			m->st.dropped_pending++;
			return;
		}
		s->buf = nb;
		s->cap = (uint32_t)n;
	}
	bool ok = true;
	if (own || (in->hdr_len == FC_EVT_HDR_LEN && n == in->len && is_own_encoding(m, in))) {
		/* the input is its own encoding: the copy's view is the input's, moved */
		copy_bytes(s->buf, in->raw, n);
		struct fc_evt *v = &s->ev;
		v->ts = in->ts;
		v->tid = in->tid;
		v->len = in->len;
		v->type = in->type;
		v->hdr_len = in->hdr_len;
		v->nparams = in->nparams;
		v->info = in->info;
		v->raw = s->buf;
		/* only the present parameters: nothing reads a stored enter's past its nparams */
		for (uint32_t k = 0; k < in->nparams; k++) {
			v->plen[k] = in->plen[k];
			v->pval[k] = in->plen[k] ? s->buf + (in->pval[k] - in->raw) : NULL;
		}
	} else {
		ok = fc_evt_encode(in, s->buf, s->cap) == n && fc_evt_decode(s->buf, n, &s->ev) == FC_EVT_OK;
	}
	if (!ok) {
		m->st.dropped_pending++; /* e.g. a fixed-size parameter of the wrong length */
		return;
	}
	pend_add(m, i);
}

/* ---- construction ----------------------------------------------------------------------- */

struct fc_merge *fc_merge_new(uint32_t max_pending)
{
	if (max_pending == 0)
		max_pending = FC_MERGE_DEFAULT_PENDING;
	if (max_pending > (1u << 28))
		max_pending = 1u << 28;
	struct fc_merge *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->max = max_pending;
	m->slotmax = 2 * max_pending;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		const struct fc_event_info *ii = &fc_events[c];
		bool syscall = (ii->flags & (FC_EF_TP | FC_EF_UNUSED)) == 0;
		uint16_t fin = final_code((uint16_t)c);
		m->codes[c] = (struct code){fin, syscall ? (c & 1 ? K_EXIT : K_ENTER) : K_OTHER,
					    (uint8_t)ii->nparams, (uint8_t)fc_events[fin].nparams, 0,
					    !syscall && fin == c && !drop_tab[c] && c != FC_PPME_PROCEXIT_1_E,
					    (ii->flags & FC_EF_LARGE_PAYLOAD) ? 4 : 2};
	}
	m->free_head = NIL;
	m->head = m->tail = m->last = NIL;
	if (ht_rebuild(m, 16) != 0) { /* slots come with the first enter events (grow) */
		fc_merge_free(m);
		return NULL;
	}
	return m;
}

void fc_merge_free(struct fc_merge *m)
{
	if (!m)
		return;
	if (m->slots)
		for (uint32_t i = 0; i < m->nalloc; i++)
			free(m->slots[i].buf);
	free(m->slots);
	for (unsigned c = 0; c < FC_EVENT_MAX; c++)
		free(m->plans[c]);
	free(m->ht);
	free(m->out);
	free(m->json);
	free(m);
}

void fc_merge_stats(const struct fc_merge *m, struct fc_merge_stats *out)
{
	*out = m->st;
}

void fc_merge_set_lite(struct fc_merge *m, const bool *lite)
{
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		const struct fc_event_info *ii = &fc_events[c];
		uint16_t fin = final_code((uint16_t)c);
		bool syscall = (ii->flags & (FC_EF_TP | FC_EF_UNUSED)) == 0;
		bool enter = syscall && !(c & 1);
		/* an enter is lite only when the exit it pairs with is (its parameters would be
		 * merged into it); dropped and specially converted codes keep the full path */
		bool l = lite && lite[fin] && !drop_tab[c] && c != FC_PPME_CONTAINER_E &&
			 (!enter || (c + 1 < FC_EVENT_MAX && lite[final_code((uint16_t)(c + 1))]));
		m->codes[c].lite_np = l ? (uint8_t)(ii->nparams + 1) : 0;
	}
}

void fc_merge_set_views(struct fc_merge *m, bool views)
{
	m->views = views;
	m->plain_ok = m->views && m->decoded;
}

void fc_merge_set_decoded(struct fc_merge *m, bool decoded)
{
	m->decoded = decoded;
	m->plain_ok = m->views && m->decoded;
}

bool fc_merge_is_lite(const struct fc_merge *m, uint16_t code)
{
	return code < FC_EVENT_MAX && m->codes[code].lite_np;
}

uint32_t fc_merge_pending(const struct fc_merge *m)
{
	return m->nfull;
}

/* ---- parameter adaptation --------------------------------------------------------------- */

/* 1 = signed integer, 2 = unsigned integer, 3 = string, 0 = other. */
static int tclass(enum fc_ptype t)
{
	switch (t) {
	case PT_INT8:
	case PT_INT16:
	case PT_INT32:
	case PT_INT64:
	case PT_ERRNO:
	case PT_FD:
	case PT_PID:
	case PT_FD32:
	case PT_PID32:
		return 1;
	case PT_UINT8:
	case PT_UINT16:
	case PT_UINT32:
	case PT_UINT64:
	case PT_SYSCALLID:
	case PT_SIGTYPE:
	case PT_RELTIME:
	case PT_ABSTIME:
	case PT_PORT:
	case PT_FLAGS8:
	case PT_FLAGS16:
	case PT_FLAGS32:
	case PT_UID:
	case PT_GID:
	case PT_SIGSET:
	case PT_MODE:
	case PT_ENUMFLAGS8:
	case PT_ENUMFLAGS16:
	case PT_ENUMFLAGS32:
		return 2;
	case PT_CHARBUF:
	case PT_FSPATH:
	case PT_FSRELPATH:
		return 3;
	default:
		return 0;
	}
}

static bool same_table(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool compatible(const struct fc_param *s, const struct fc_param *d)
{
	int cs = tclass((enum fc_ptype)s->type), cd = tclass((enum fc_ptype)d->type);
	bool types = s->type == d->type || (cs && cd && (cs == 3) == (cd == 3));
	return types && same_table(s->info, d->info);
}

struct psrc {
	const uint8_t *p;
	uint32_t len;
};

static uint64_t rd_int(const uint8_t *p, uint32_t len, bool sign)
{
	switch (len) {
	case 1:
		return sign ? (uint64_t)(int64_t)(int8_t)p[0] : p[0];
	case 2:
		return sign ? (uint64_t)(int64_t)(int16_t)rd16(p) : rd16(p);
	case 4:
		return sign ? (uint64_t)(int64_t)(int32_t)rd32(p) : rd32(p);
	default:
		return rd64(p);
	}
}

static void wr_int(uint8_t *p, uint32_t len, uint64_t v)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Moves parameter bytes (P, LEN) of type ST into a parameter of type DT. Integers of another
 * width are resized (sign-extended from signed types), a DYN value is unwrapped to its payload
 * integer; anything that cannot be represented becomes empty. TMP holds resized integers. */
static struct psrc adapt(enum fc_ptype st, const uint8_t *p, uint32_t len, enum fc_ptype dt,
			 uint8_t tmp[8])
{
	struct psrc r = {NULL, 0};
	if (len == 0)
		return r;
	unsigned dsz = fc_ptype_size(dt), ssz = fc_ptype_size(st);
	if (dsz == 0) {
		if (ssz == 0 && st != PT_DYN) {
			r.p = p;
			r.len = len;
		}
		return r;
	}
	uint64_t v;
	if (st == PT_DYN) {
		uint32_t n = len - 1;
		if (n != 1 && n != 2 && n != 4 && n != 8)
			return r;
		v = rd_int(p + 1, n, true);
	} else if (tclass(st) == 1 || tclass(st) == 2) {
		if (len != ssz)
			return r;
		if (len == dsz) {
			r.p = p;
			r.len = len;
			return r;
		}
		v = rd_int(p, len, tclass(st) == 1);
	} else {
		if (len == dsz) {
			r.p = p;
			r.len = len;
		}
		return r;
	}
	/* dsz <= 8 always holds for integer types; stating it lets aarch64 gcc -O3 see that TMP
	 * cannot overflow (it warns otherwise: -Wstringop-overflow). */
	if ((tclass(dt) != 1 && tclass(dt) != 2) || dsz > 8)
		return r;
	wr_int(tmp, dsz, v);
	r.p = tmp;
	r.len = dsz;
	return r;
}

/* adapt for step ST (P_IN or P_ENTER) into a parameter of type DT, DSZ bytes (0: variable):
 * a direct step (same size, no DYN) passes the bytes when they have that size, which is all
 * adapt would do, without its call. */
static inline struct psrc move(const struct step *st, const uint8_t *p, uint32_t len, uint8_t dt, unsigned dsz,
			       uint8_t tmp[8])
{
	if (!st->direct)
		return adapt((enum fc_ptype)st->st, p, len, (enum fc_ptype)dt, tmp);
	struct psrc r = {NULL, 0};
	if (len && (dsz == 0 || len == dsz))
		r = (struct psrc){p, len};
	return r;
}

/* Index of parameter NAME among the first NP parameters of event CODE, -1 if none. */
static int param_by_name(uint16_t code, uint32_t np, const char *name)
{
	const struct fc_event_info *ei = &fc_events[code];
	for (uint32_t k = 0; k < np && k < ei->nparams; k++)
		if (strcmp(ei->params[k].name, name) == 0)
			return (int)k;
	return -1;
}

/* Step KIND (P_IN or P_ENTER) taking parameter NAME of event CODE (NP parameters present) for
 * the output parameter D: FORCE skips the type/table match. False when there is no such
 * (matching) parameter. */
static bool take(uint8_t kind, uint16_t code, uint32_t np, const char *name, const struct fc_param *d,
		 bool force, struct step *out)
{
	if (code == NO_ENTER)
		return false;
	int k = param_by_name(code, np, name);
	if (k < 0)
		return false;
	const struct fc_param *s = &fc_events[code].params[k];
	if (!force && !compatible(s, d))
		return false;
	bool direct = s->type != PT_DYN &&
		      fc_ptype_size((enum fc_ptype)s->type) == fc_ptype_size((enum fc_ptype)d->type);
	*out = (struct step){kind, (uint8_t)k, s->type, direct};
	return true;
}

/* Where each parameter of the current form of IN comes from, for an input of IN's code and
 * parameter count and an enter event of ENTER's code and count (NO_ENTER: none). */
static void plan_build(struct plan *pl, const struct fc_evt *in, const struct fc_evt *enter)
{
	uint16_t fin = final_code(in->type);
	const struct fc_event_info *fi = &fc_events[fin];
	bool converted = fin != in->type;
	pl->in_type = in->type;
	pl->in_np = in->nparams;
	pl->enter_type = enter ? enter->type : NO_ENTER;
	pl->enter_np = enter ? enter->nparams : 0;
	pl->nsame = converted ? 0 : in->nparams; /* never more than the table's */
	for (uint32_t j = 0; j < fi->nparams; j++) {
		const struct fc_param *d = &fi->params[j];
		struct step *st = &pl->s[j];
		*st = (struct step){P_EMPTY, 0, 0, false};
		if (!converted && j < in->nparams) {
			*st = (struct step){P_SAME, (uint8_t)j, d->type, true};
			continue;
		}
		const struct rule *r = find_rule(fin, d->name);
		if (r && r->src) {
			if (!take(P_IN, in->type, in->nparams, r->src, d, true, st))
				take(P_ENTER, pl->enter_type, pl->enter_np, r->src, d, true, st);
			continue;
		}
		if (converted && take(P_IN, in->type, in->nparams, d->name, d, false, st))
			continue;
		if (take(P_ENTER, pl->enter_type, pl->enter_np, d->name, d, false, st))
			continue;
		if (r && fc_ptype_size((enum fc_ptype)d->type))
			st->kind = P_ZERO;
	}
}

/* The cached plan for IN with ENTER, rebuilt when the cached one was made for other counts or
 * another enter code. NULL when out of memory. */
static const struct plan *plan_get(struct fc_merge *m, const struct fc_evt *in, const struct fc_evt *enter)
{
	struct plan *pl = m->plans[in->type];
	uint16_t et = enter ? enter->type : NO_ENTER;
	uint32_t enp = enter ? enter->nparams : 0;
	if (pl && pl->in_np == in->nparams && pl->enter_type == et && pl->enter_np == enp)
		return pl;
	if (!pl && !(pl = m->plans[in->type] = malloc(sizeof(*pl))))
		return NULL;
	plan_build(pl, in, enter);
	return pl;
}

/* CONTAINER_E {id, type, name, image} -> the JSON string upstream's converter builds. */
static bool container_json(struct fc_merge *m, const struct fc_evt *in, struct psrc *out)
{
	const char *s[4] = {"", "", "", ""};
	uint32_t l[4] = {0, 0, 0, 0};
	uint32_t type = 0;
	for (unsigned i = 0; i < 4 && i < in->nparams; i++) {
		if (in->plen[i] == 0)
			continue;
		if (i == 1) {
			if (in->plen[i] == 4)
				type = rd32(in->pval[i]);
			continue;
		}
		s[i] = (const char *)in->pval[i];
		const void *nul = memchr(s[i], 0, in->plen[i]);
		l[i] = nul ? (uint32_t)((const char *)nul - s[i]) : in->plen[i];
	}
	size_t need = 64 + (size_t)l[0] + l[2] + l[3];
	if (m->jsoncap < need) {
		char *nb = realloc(m->json, need);
		if (!nb)
			return false;
		m->json = nb;
		m->jsoncap = need;
	}
	int n = snprintf(m->json, m->jsoncap,
			 "{\"id\":\"%.*s\",\"type\":%u,\"name\":\"%.*s\",\"image\":\"%.*s\"}", (int)l[0],
			 s[0], type, (int)l[2], s[2], (int)l[3], s[3]);
	if (n < 0 || (size_t)n >= m->jsoncap)
		return false;
	out->p = (const uint8_t *)m->json;
	out->len = (uint32_t)n + 1; /* CHARBUF keeps its NUL */
	return true;
}

/* True when enter code E and exit code X belong to one syscall (also across versions). */
static inline bool pair_ok(const struct fc_merge *m, uint16_t e, uint16_t x)
{
	return (uint16_t)(e + 1) == x || (e + 1 < FC_EVENT_MAX && m->codes[e + 1].fin == m->codes[x].fin);
}

/* IN can be read; *SIZES_OK: every fixed-size parameter present has its size (else the
 * event cannot be handed out as it is: re-encoding it fails). */
static bool valid_view(const struct fc_merge *m, const struct fc_evt *in, bool *sizes_ok)
{
	if (in->type >= FC_EVENT_MAX || in->nparams > m->codes[in->type].np)
		return false;
	*sizes_ok = true;
	if (m->decoded) /* the decoder checked both */
		return true;
	bool sz_ok = true;
	for (uint32_t i = 0; i < in->nparams; i++) {
		uint32_t l = in->plen[i];
		unsigned sz = fc_evt_psize[in->type][i];
		if (l && !in->pval[i])
			return false;
		sz_ok &= !(sz && l && l != sz);
	}
	*sizes_ok = sz_ok;
	return true;
}

/* OUT := what fc_evt_decode makes of BUF (N bytes), which fc_evt_encode just wrote from T:
 * the layout is known, so only the fixed-size check of the decoder is repeated. */
static bool view_of(const struct fc_evt *t, const uint8_t *buf, size_t n,
		    struct fc_evt *out)
{
	bool large = (fc_events[t->type].flags & FC_EF_LARGE_PAYLOAD) != 0;
	size_t off = FC_EVT_HDR_LEN + (size_t)t->nparams * (large ? 4 : 2);
	for (uint32_t i = 0; i < t->nparams; i++) {
		uint32_t l = t->plen[i];
		unsigned sz = fc_evt_psize[t->type][i];
		if (sz && l && l != sz)
			return false;
		out->pval[i] = buf + off;
		out->plen[i] = l;
		off += l;
	}
	out->ts = t->ts;
	out->tid = t->tid;
	out->len = (uint32_t)n;
	out->type = t->type;
	out->hdr_len = FC_EVT_HDR_LEN;
	out->nparams = t->nparams;
	out->info = &fc_events[t->type];
	out->raw = buf;
	return off == n;
}

/* OUT's header fields (ts to raw: all before pval) := IN's, as one copy (a few vector moves,
 * not a load and a store per field). */
static inline void copy_header(struct fc_evt *out, const struct fc_evt *in)
{
	memcpy(out, in, offsetof(struct fc_evt, pval));
}

/* OUT's first N parameters (pval, plen) := IN's, as fixed-size copies of the first COPY_FIXED
 * entries or of all (a few vector moves and no call, where a copy of N entries is a memcpy
 * call each). The entries past N they carry are copied as bytes, to be set by the caller or
 * never read (past nparams). */
#define COPY_FIXED 8
static inline void copy_params(struct fc_evt *out, const struct fc_evt *in, uint32_t n)
{
	if (n <= COPY_FIXED) {
		memcpy(out->pval, in->pval, COPY_FIXED * sizeof(*in->pval));
		memcpy(out->plen, in->plen, COPY_FIXED * sizeof(*in->plen));
	} else {
		memcpy(out->pval, in->pval, sizeof(in->pval));
		memcpy(out->plen, in->plen, sizeof(in->plen));
	}
}

/* *OUT = *IN for an input with every parameter of its table (nparams is the table's count, so
 * no reader looks past them; a whole-struct copy is a third of a pass-through push). */
static inline void copy_view(struct fc_evt *out, const struct fc_evt *in)
{
	copy_header(out, in);
	copy_params(out, in, in->nparams);
}

/* ---- the push ---------------------------------------------------------------------------- */

/* The push of an input that is its own output (current and complete; its view already
 * checked): the output is a copy of the view. */
static inline int push_plain(struct fc_merge *m, const struct fc_evt *in, struct fc_evt *out)
{
	copy_view(out, in);
	if (in->hdr_len != FC_EVT_HDR_LEN) /* a v1 event: counted as the re-encoding counts it */
		m->st.converted++;
	m->st.out++;
	return 1;
}

/* The push of an input of a lite code (fc_merge_set_lite) C: pairing and counters as for the
 * others, no parameter read or copied (the view may have none filled). */
static int push_lite(struct fc_merge *m, const struct code *c, const struct fc_evt *in, struct fc_evt *out)
{
	if (c->kind == K_ENTER)
		return store_lite(m, in);
	if (c->kind == K_EXIT) {
		uint32_t i = m->nfull ? slot_find(m, in->tid) : NIL;
		if (i != NIL && m->slots[i].full) {
			if (pair_ok(m, m->slots[i].ev.type, in->type)) {
				m->st.merged++;
			} else {
				m->st.stale_enters++;
				m->st.unpaired_exits++;
			}
			pend_drop(m, i);
		} else {
			m->st.unpaired_exits++;
		}
	}
	copy_header(out, in);
	out->type = c->fin;
	out->nparams = 0;
	out->info = &fc_events[c->fin];
	if (c->fin != in->type || in->nparams != c->fin_np || in->hdr_len != FC_EVT_HDR_LEN)
		m->st.converted++;
	m->st.out++;
	return 1;
}

/* The push of any other input (kept out of fc_merge_push, so that the lite path does not pay
 * for this one's registers and stack). */
static __attribute__((noinline)) int push_full(struct fc_merge *m, const struct fc_evt *in, struct fc_evt *out)
{
	bool sizes_ok;
	if (!valid_view(m, in, &sizes_ok)) {
		m->st.failed++;
		return -1;
	}
	if (drop_tab[in->type]) {
		m->st.dropped_old++;
		m->st.failed++;
		return -1;
	}
	const struct code *c = &m->codes[in->type];
	if (c->kind == K_ENTER) {
		store_enter(m, in);
		m->st.enters_absorbed++;
		return 0;
	}

	uint16_t fin = c->fin;
	const struct fc_event_info *fi = &fc_events[fin];
	/* the thread's pending enter (slot EIDX) is used (ENTER) or dropped by this push */
	uint32_t eidx = NIL;
	const struct fc_evt *enter = NULL;
	if (c->kind == K_EXIT || fin == FC_PPME_PROCEXIT_1_E) {
		uint32_t i = m->nfull ? slot_find(m, in->tid) : NIL;
		if (i != NIL && m->slots[i].full)
			eidx = i;
	}
	if (c->kind == K_EXIT) {
		if (eidx != NIL && pair_ok(m, m->slots[eidx].ev.type, in->type) &&
		    !m->slots[eidx].lite) { /* a lite enter pairs only with a lite exit */
			enter = &m->slots[eidx].ev;
		} else {
			if (eidx != NIL)
				m->st.stale_enters++;
			m->st.unpaired_exits++;
		}
	} else if (eidx != NIL) {
		/* procexit: the thread is gone, its pending enter can never be paired */
		m->st.stale_enters++;
	}

	bool converted = fin != in->type;
	/* Already current and complete: the input is the output (no enter parameter is needed);
	 * with view outputs, whatever its header or layout. */
	if (!converted && in->nparams == fi->nparams && (m->views ? sizes_ok : is_own_encoding(m, in))) {
		if (eidx != NIL)
			pend_drop(m, eidx);
		if (enter)
			m->st.merged++;
		return push_plain(m, in, out);
	}

	/* The parameters go straight into the output (views) or into the template fc_evt_encode
	 * reads (only its parameters, ts, tid, type and nparams: a memset of it costs per event). */
	struct fc_evt tmpl;
	struct fc_evt *t = m->views ? out : &tmpl;
	uint8_t(*tmp)[8] = m->tmp; /* outlives the push: views point at it */
	static const uint8_t zeros[8];
	bool container = in->type == FC_PPME_CONTAINER_E;
	const struct plan *pl = container ? NULL : plan_get(m, in, enter);
	int rc = 0;
	/* every parameter of the table is set below (nparams is the table's count), so no reader
	 * looks past them: the rest of plen is left as it is (a memset here is `rep stos`) */
	if (container) {
		struct psrc p = {NULL, 0}; /* CONTAINER_JSON_E's one parameter, built */
		if (!container_json(m, in, &p))
			rc = -1;
		for (uint32_t j = 0; j < fi->nparams; j++) {
			t->pval[j] = j ? NULL : p.p;
			t->plen[j] = j ? 0 : p.len;
		}
	} else if (!pl) {
		rc = -1; /* out of memory */
	} else {
		copy_params(t, in, pl->nsame); /* the P_SAME steps: a prefix */
		for (uint32_t j = pl->nsame; j < fi->nparams; j++) {
			const struct step *st = &pl->s[j];
			struct psrc p = {NULL, 0};
			if (st->kind == P_IN)
				p = move(st, in->pval[st->k], in->plen[st->k], fi->params[j].type, fc_evt_psize[fin][j],
					 tmp[j]);
			else if (st->kind == P_ENTER)
				p = move(st, enter->pval[st->k], enter->plen[st->k], fi->params[j].type,
					 fc_evt_psize[fin][j], tmp[j]);
			else if (st->kind == P_ZERO)
				p = (struct psrc){zeros, fc_evt_psize[fin][j]};
			t->pval[j] = p.p;
			t->plen[j] = p.len;
		}
	}

	if (m->views) {
		/* no encoding: the output's parameters point at the input, the stored enter and the
		 * merger's own storage, all valid until the next push. The fixed sizes are right unless
		 * the input's were (P_SAME takes the input's parameters as they are, only when it is
		 * not converted: same table; move, zeros and container_json make right sizes). */
		out->ts = in->ts;
		out->tid = in->tid;
		out->len = 0;
		out->type = fin;
		out->hdr_len = FC_EVT_HDR_LEN;
		out->nparams = fi->nparams;
		out->info = fi;
		out->raw = NULL;
		if (!converted && !sizes_ok)
			rc = -1;
		goto done;
	}
	tmpl.ts = in->ts;
	tmpl.tid = in->tid;
	tmpl.type = fin;
	tmpl.nparams = fi->nparams;
	size_t n = rc == 0 ? fc_evt_encoded_len(&tmpl) : 0;
	if (n > m->outcap) {
		size_t nc = m->outcap ? m->outcap : 4096;
		while (nc < n)
			nc *= 2;
		uint8_t *nb = realloc(m->out, nc);
		if (!nb) {
			n = 0;
		} else {
			m->out = nb;
			m->outcap = nc;
		}
	}
	if (n == 0 || fc_evt_encode(&tmpl, m->out, m->outcap) != n || !view_of(&tmpl, m->out, n, out))
		rc = -1;

done:
	/* The enter's bytes were read above; only now may it go (its slot keeps the buffer until a
	 * later push stores into it, so views into it stay valid until then). */
	if (eidx != NIL)
		pend_drop(m, eidx);
	if (rc < 0) {
		m->st.failed++;
		return -1;
	}
	if (enter)
		m->st.merged++;
	if (converted || in->nparams != fi->nparams || in->hdr_len != FC_EVT_HDR_LEN)
		m->st.converted++;
	m->st.out++;
	return 1;
}

int fc_merge_push(struct fc_merge *m, const struct fc_evt *in, struct fc_evt *out)
{
	m->st.in++;
	if (in->type < FC_EVENT_MAX) {
		const struct code *c = &m->codes[in->type];
		if (in->nparams < c->lite_np)
			return push_lite(m, c, in, out);
		/* what push_full would find for it, without its checks and its registers */
		if (c->plain && in->nparams == c->np && m->plain_ok)
			return push_plain(m, in, out);
	}
	return push_full(m, in, out);
}
