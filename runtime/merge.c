/* merge.c — one event per syscall, in current layouts (see merge.h for the contract).
 *
 * Owned by the events work (issue 4). Per pushed event:
 *   - a syscall enter event (even code, not a tracepoint/meta event) is copied into a slot of
 *     the pending table (one slot per thread; a newer enter replaces an older one; when the
 *     table is full the oldest slot is evicted) and absorbed;
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
 * never the type's zero value (upstream pushes zeros there unless a fallback flag is set). */
#include "merge.h"
#include "le.h"

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

struct slot {
	uint64_t tid;
	uint32_t prev, next; /* insertion order (used) or free list (next only) */
	uint32_t cap;
	uint8_t *buf;        /* the enter event, current layout */
	struct fc_evt ev;    /* decoded view of buf */
};

struct fc_merge {
	uint32_t max, nused, head, tail, free_head;
	struct slot *slots;
	uint32_t *ht; /* slot index + 1; 0 = empty. Linear probing, backward-shift deletion. */
	uint32_t hmask;
	uint8_t *out;
	size_t outcap;
	char *json; /* CONTAINER_E conversion */
	size_t jsoncap;
	struct fc_merge_stats st;
};

static uint32_t hslot(const struct fc_merge *m, uint64_t tid)
{
	return (uint32_t)((tid * 0x9E3779B97F4A7C15ull) >> 32) & m->hmask;
}

static uint32_t ht_find(const struct fc_merge *m, uint64_t tid)
{
	for (uint32_t h = hslot(m, tid);; h = (h + 1) & m->hmask) {
		uint32_t v = m->ht[h];
		if (v == 0)
			return NIL;
		if (m->slots[v - 1].tid == tid)
			return v - 1;
	}
}

static void ht_insert(struct fc_merge *m, uint64_t tid, uint32_t idx)
{
	uint32_t h = hslot(m, tid);
	while (m->ht[h])
		h = (h + 1) & m->hmask;
	m->ht[h] = idx + 1;
}

static void ht_remove(struct fc_merge *m, uint64_t tid)
{
	uint32_t h = hslot(m, tid);
	while (m->ht[h] && m->slots[m->ht[h] - 1].tid != tid)
		h = (h + 1) & m->hmask;
	if (!m->ht[h])
		return;
	/* Backward shift: move later entries of the probe run into the hole when their home
	 * position allows it, so lookups never stop at a false empty slot. */
	uint32_t hole = h;
	for (uint32_t j = (h + 1) & m->hmask; m->ht[j]; j = (j + 1) & m->hmask) {
		uint32_t home = hslot(m, m->slots[m->ht[j] - 1].tid);
		bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
		if (movable) {
			m->ht[hole] = m->ht[j];
			hole = j;
		}
	}
	m->ht[hole] = 0;
}

static void list_unlink(struct fc_merge *m, uint32_t i)
{
	struct slot *s = &m->slots[i];
	if (s->prev != NIL)
		m->slots[s->prev].next = s->next;
	else
		m->head = s->next;
	if (s->next != NIL)
		m->slots[s->next].prev = s->prev;
	else
		m->tail = s->prev;
}

static void slot_release(struct fc_merge *m, uint32_t i)
{
	ht_remove(m, m->slots[i].tid);
	list_unlink(m, i);
	m->slots[i].next = m->free_head;
	m->free_head = i;
	m->nused--;
}

/* Stores IN (an enter event) for its thread. */
static void store_enter(struct fc_merge *m, const struct fc_evt *in)
{
	size_t n = fc_evt_encoded_len(in);
	if (n == 0 || n > MAX_ENTER_LEN) {
		m->st.dropped_pending++;
		return;
	}
	uint32_t i = ht_find(m, in->tid);
	if (i != NIL) {
		m->st.stale_enters++; /* the previous syscall of this thread never showed its exit */
		slot_release(m, i);
	}
	if (m->free_head == NIL) {
		m->st.dropped_pending++;
		slot_release(m, m->head);
	}
	i = m->free_head;
	struct slot *s = &m->slots[i];
	if (s->cap < n) {
		uint8_t *nb = realloc(s->buf, n);
		if (!nb) {
			m->st.dropped_pending++;
			return;
		}
		s->buf = nb;
		s->cap = (uint32_t)n;
	}
	if (fc_evt_encode(in, s->buf, s->cap) != n || fc_evt_decode(s->buf, n, &s->ev) != FC_EVT_OK) {
		m->st.dropped_pending++; /* e.g. a fixed-size parameter of the wrong length */
		return;
	}
	m->free_head = s->next;
	s->tid = in->tid;
	s->prev = m->tail;
	s->next = NIL;
	if (m->tail != NIL)
		m->slots[m->tail].next = i;
	else
		m->head = i;
	m->tail = i;
	ht_insert(m, in->tid, i);
	m->nused++;
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
	uint32_t hs = 16;
	while (hs < 2 * max_pending)
		hs <<= 1;
	m->max = max_pending;
	m->hmask = hs - 1;
	m->slots = calloc(max_pending, sizeof(*m->slots));
	m->ht = calloc(hs, sizeof(*m->ht));
	if (!m->slots || !m->ht) {
		fc_merge_free(m);
		return NULL;
	}
	for (uint32_t i = 0; i < max_pending; i++)
		m->slots[i].next = i + 1 < max_pending ? i + 1 : NIL;
	m->free_head = 0;
	m->head = m->tail = NIL;
	return m;
}

void fc_merge_free(struct fc_merge *m)
{
	if (!m)
		return;
	if (m->slots)
		for (uint32_t i = 0; i < m->max; i++)
			free(m->slots[i].buf);
	free(m->slots);
	free(m->ht);
	free(m->out);
	free(m->json);
	free(m);
}

void fc_merge_stats(const struct fc_merge *m, struct fc_merge_stats *out)
{
	*out = m->st;
}

uint32_t fc_merge_pending(const struct fc_merge *m)
{
	return m->nused;
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
	if (tclass(dt) != 1 && tclass(dt) != 2)
		return r;
	wr_int(tmp, dsz, v);
	r.p = tmp;
	r.len = dsz;
	return r;
}

/* Index of parameter NAME among the first E->nparams parameters of E, -1 if none. */
static int param_by_name(const struct fc_evt *e, const char *name)
{
	const struct fc_event_info *ei = &fc_events[e->type];
	for (uint32_t k = 0; k < e->nparams && k < ei->nparams; k++)
		if (strcmp(ei->params[k].name, name) == 0)
			return (int)k;
	return -1;
}

/* Parameter NAME of E moved to the type of D: FORCE skips the type/table match. */
static bool take(const struct fc_evt *e, const char *name, const struct fc_param *d, bool force,
		 uint8_t tmp[8], struct psrc *out)
{
	if (!e)
		return false;
	int k = param_by_name(e, name);
	if (k < 0)
		return false;
	const struct fc_param *s = &fc_events[e->type].params[k];
	if (!force && !compatible(s, d))
		return false;
	*out = adapt((enum fc_ptype)s->type, e->pval[k], e->plen[k], (enum fc_ptype)d->type, tmp);
	return true;
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
static bool pair_ok(uint16_t e, uint16_t x)
{
	return (uint16_t)(e + 1) == x || final_code((uint16_t)(e + 1)) == final_code(x);
}

static bool valid_view(const struct fc_evt *in)
{
	if (in->type >= FC_EVENT_MAX || in->nparams > FC_EVT_MAX_PARAMS ||
	    in->nparams > fc_events[in->type].nparams)
		return false;
	for (uint32_t i = 0; i < in->nparams; i++)
		if (in->plen[i] && !in->pval[i])
			return false;
	return true;
}

/* ---- the push ---------------------------------------------------------------------------- */

int fc_merge_push(struct fc_merge *m, const struct fc_evt *in, struct fc_evt *out)
{
	m->st.in++;
	if (!valid_view(in)) {
		m->st.failed++;
		return -1;
	}
	const struct fc_event_info *ii = &fc_events[in->type];
	if (drop_tab[in->type]) {
		m->st.dropped_old++;
		m->st.failed++;
		return -1;
	}
	bool syscall = (ii->flags & (FC_EF_TP | FC_EF_UNUSED)) == 0;
	if (syscall && !fc_evt_is_exit(in)) {
		store_enter(m, in);
		m->st.enters_absorbed++;
		return 0;
	}

	uint16_t fin = final_code(in->type);
	const struct fc_event_info *fi = &fc_events[fin];
	uint32_t eidx = NIL;
	const struct fc_evt *enter = NULL;
	if (syscall) {
		eidx = ht_find(m, in->tid);
		if (eidx != NIL && pair_ok(m->slots[eidx].ev.type, in->type)) {
			enter = &m->slots[eidx].ev;
		} else {
			if (eidx != NIL)
				m->st.stale_enters++;
			m->st.unpaired_exits++;
		}
	} else if (fin == FC_PPME_PROCEXIT_1_E) {
		/* The thread is gone: its pending enter (if any) can never be paired. */
		eidx = ht_find(m, in->tid);
		if (eidx != NIL)
			m->st.stale_enters++;
	}

	struct psrc ps[FC_EVT_MAX_PARAMS];
	uint8_t tmp[FC_EVT_MAX_PARAMS][8];
	static const uint8_t zeros[8];
	bool converted = fin != in->type;
	bool container = in->type == FC_PPME_CONTAINER_E;
	int rc = 0;
	for (uint32_t j = 0; j < fi->nparams; j++) {
		const struct fc_param *d = &fi->params[j];
		struct psrc *p = &ps[j];
		p->p = NULL;
		p->len = 0;
		if (container) {
			if (j == 0 && !container_json(m, in, p))
				rc = -1;
			continue;
		}
		if (!converted && j < in->nparams) {
			p->p = in->pval[j];
			p->len = in->plen[j];
			continue;
		}
		const struct rule *r = find_rule(fin, d->name);
		if (r && r->src) {
			if (!take(in, r->src, d, true, tmp[j], p))
				take(enter, r->src, d, true, tmp[j], p);
			continue;
		}
		if (converted && take(in, d->name, d, false, tmp[j], p))
			continue;
		if (take(enter, d->name, d, false, tmp[j], p))
			continue;
		if (r && fc_ptype_size((enum fc_ptype)d->type)) {
			p->p = zeros;
			p->len = fc_ptype_size((enum fc_ptype)d->type);
		}
	}

	struct fc_evt tmpl;
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.ts = in->ts;
	tmpl.tid = in->tid;
	tmpl.type = fin;
	tmpl.nparams = fi->nparams;
	for (uint32_t j = 0; j < fi->nparams; j++) {
		tmpl.pval[j] = ps[j].p;
		tmpl.plen[j] = ps[j].len;
	}
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
	if (n == 0 || fc_evt_encode(&tmpl, m->out, m->outcap) != n ||
	    fc_evt_decode(m->out, n, out) != FC_EVT_OK)
		rc = -1;

	/* The enter's bytes were read above; only now may its slot go. */
	if (eidx != NIL)
		slot_release(m, eidx);
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
