/* evtbuild.h — a test-side scap event builder: parameters are set by name, in the scap wire
 * layout of RUNTIME.md §2.1 (26-byte header, u16 lengths, little-endian values), and the
 * result is decoded with fc_evt_decode so tests hand the state engine exactly what a probe or
 * a capture would. Parameters left unset are empty (length 0). Used by the state engine's
 * unit tests. */
#ifndef FC_TEST_EVTBUILD_H
#define FC_TEST_EVTBUILD_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "evt.h"

struct eb {
	uint16_t type;
	uint64_t ts, tid;
	uint32_t nparams;
	uint32_t off[FC_EVT_MAX_PARAMS], len[FC_EVT_MAX_PARAMS];
	uint8_t store[65536];
	size_t used;
	uint8_t raw[65536 + 26 + 2 * FC_EVT_MAX_PARAMS];
	struct fc_evt ev;
};

static inline void eb_new(struct eb *b, uint16_t type, uint64_t ts, uint64_t tid)
{
	memset(b->off, 0, sizeof(b->off));
	memset(b->len, 0, sizeof(b->len));
	b->type = type;
	b->ts = ts;
	b->tid = tid;
	b->nparams = fc_events[type].nparams;
	b->used = 0;
}

static inline int eb_idx(struct eb *b, const char *name)
{
	int i = fc_event_param_index(b->type, name);
	cr_assert_geq(i, 0, "event %u has no parameter %s", b->type, name);
	return i;
}

static inline void eb_raw(struct eb *b, const char *name, const void *p, size_t n)
{
	int i = eb_idx(b, name);
	cr_assert_leq(b->used + n, sizeof(b->store));
	memcpy(b->store + b->used, p, n);
	b->off[i] = (uint32_t)b->used;
	b->len[i] = (uint32_t)n;
	b->used += n;
}

/* Integer parameter, written in the size of its table type. */
static inline void eb_i(struct eb *b, const char *name, int64_t v)
{
	int i = eb_idx(b, name);
	unsigned sz = fc_ptype_size((enum fc_ptype)fc_events[b->type].params[i].type);
	cr_assert(sz >= 1 && sz <= 8, "parameter %s is not an integer", name);
	uint8_t tmp[8];
	for (unsigned k = 0; k < 8; k++)
		tmp[k] = (uint8_t)((uint64_t)v >> (8 * k));
	eb_raw(b, name, tmp, sz);
}

static inline void eb_s(struct eb *b, const char *name, const char *s)
{
	eb_raw(b, name, s, strlen(s) + 1);
}

/* NUL-separated list ("a\0b\0"): pass the bytes and their count. */
static inline void eb_blob(struct eb *b, const char *name, const char *p, size_t n)
{
	eb_raw(b, name, p, n);
}

static inline void eb_addr4(uint8_t *d, const char *dotted)
{
	unsigned a, c, e, g;
	cr_assert_eq(sscanf(dotted, "%u.%u.%u.%u", &a, &c, &e, &g), 4);
	d[0] = (uint8_t)a;
	d[1] = (uint8_t)c;
	d[2] = (uint8_t)e;
	d[3] = (uint8_t)g;
}

/* PT_SOCKTUPLE, AF_INET: first endpoint, second endpoint (ports host order). */
static inline void eb_tuple4(struct eb *b, const char *name, const char *a, uint16_t ap,
			     const char *c, uint16_t cp)
{
	uint8_t t[13];
	t[0] = 2;
	eb_addr4(t + 1, a);
	t[5] = (uint8_t)ap;
	t[6] = (uint8_t)(ap >> 8);
	eb_addr4(t + 7, c);
	t[11] = (uint8_t)cp;
	t[12] = (uint8_t)(cp >> 8);
	eb_raw(b, name, t, sizeof(t));
}

static inline void eb_tuple6(struct eb *b, const char *name, const uint8_t a[16], uint16_t ap,
			     const uint8_t c[16], uint16_t cp)
{
	uint8_t t[37];
	t[0] = 10;
	memcpy(t + 1, a, 16);
	t[17] = (uint8_t)ap;
	t[18] = (uint8_t)(ap >> 8);
	memcpy(t + 19, c, 16);
	t[35] = (uint8_t)cp;
	t[36] = (uint8_t)(cp >> 8);
	eb_raw(b, name, t, sizeof(t));
}

static inline void eb_tuple_unix(struct eb *b, const char *name, uint64_t src, uint64_t dst,
				 const char *path)
{
	uint8_t t[17 + 110];
	size_t pl = strlen(path) + 1;
	cr_assert_leq(pl, 110u);
	t[0] = 1;
	for (unsigned k = 0; k < 8; k++) {
		t[1 + k] = (uint8_t)(src >> (8 * k));
		t[9 + k] = (uint8_t)(dst >> (8 * k));
	}
	memcpy(t + 17, path, pl);
	eb_raw(b, name, t, 17 + pl);
}

/* PT_SOCKADDR, AF_INET */
static inline void eb_sockaddr4(struct eb *b, const char *name, const char *a, uint16_t port)
{
	uint8_t t[7];
	t[0] = 2;
	eb_addr4(t + 1, a);
	t[5] = (uint8_t)port;
	t[6] = (uint8_t)(port >> 8);
	eb_raw(b, name, t, sizeof(t));
}

static inline void eb_sockaddr_unix(struct eb *b, const char *name, const char *path)
{
	uint8_t t[1 + 110];
	size_t pl = strlen(path) + 1;
	t[0] = 1;
	memcpy(t + 1, path, pl);
	eb_raw(b, name, t, 1 + pl);
}

/* Keeps only the first N parameters (an older, shorter layout of the same code). */
static inline void eb_truncate(struct eb *b, uint32_t n)
{
	b->nparams = n;
}

static inline const struct fc_evt *eb_done(struct eb *b)
{
	size_t pos = 26, lens = 26;
	pos += 2 * b->nparams;
	for (uint32_t i = 0; i < b->nparams; i++) {
		uint32_t l = b->len[i];
		b->raw[lens + 2 * i] = (uint8_t)l;
		b->raw[lens + 2 * i + 1] = (uint8_t)(l >> 8);
		memcpy(b->raw + pos, b->store + b->off[i], l);
		pos += l;
	}
	uint8_t *h = b->raw;
	for (unsigned k = 0; k < 8; k++) {
		h[k] = (uint8_t)(b->ts >> (8 * k));
		h[8 + k] = (uint8_t)(b->tid >> (8 * k));
	}
	for (unsigned k = 0; k < 4; k++) {
		h[16 + k] = (uint8_t)((uint32_t)pos >> (8 * k));
		h[22 + k] = (uint8_t)(b->nparams >> (8 * k));
	}
	h[20] = (uint8_t)b->type;
	h[21] = (uint8_t)(b->type >> 8);
	int r = fc_evt_decode(b->raw, pos, &b->ev);
	cr_assert_eq(r, FC_EVT_OK, "built event %u does not decode: %s", b->type, fc_evt_strerror(r));
	return &b->ev;
}

#endif
