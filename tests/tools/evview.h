/* evview.h — the synthetic-event builder of the generator programs (tests/tools/mkdemo.c,
 * tests/e2e/mkcap.c, benchmarks/vm/vm_mix.c, benchmarks/mem/mkstate.c): one event as a decoded
 * view (struct fc_evt), its parameters set by name in the scap wire layout of RUNTIME.md
 * (integers little-endian at their type's size, strings with their NUL, lists written as text
 * "a|b|c" as NUL-separated bytes, IPv4 socket tuples and sockaddrs as the probe lays them out);
 * parameters left unset are empty. The caller writes the view with fc_scapw_event or encodes it
 * with fc_evt_encode. Misuse (an unknown parameter name, an event over the store, a list over
 * its buffer) calls die(): generators stop on their own bugs. Also the generators' die()
 * (messages prefixed with EVV_PROG, which the program defines before including this, and
 * evv_ctx when set) and their fixed-seed random numbers (splitmix64: the same stream on every
 * run and machine), and the small builders of process- and fd-list entries they share.
 * Header-only, static (inline where a program may not use it): each program has one builder. */
#ifndef FC_TOOLS_EVVIEW_H
#define FC_TOOLS_EVVIEW_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "events.h"
#include "evt.h"
#include "ptypes.h"

#ifndef EVV_PROG
#error "define EVV_PROG (the program's name, for its messages) before including evview.h"
#endif

static const char *evv_ctx; /* what the program is at, for die()'s message; NULL: nothing */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, EVV_PROG ": ");
	if (evv_ctx)
		fprintf(stderr, "%s: ", evv_ctx);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static uint64_t evv_rng = 0x9e3779b97f4a7c15ull;

static inline uint64_t rnd64(void)
{
	uint64_t z = (evv_rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint32_t rnd(uint32_t n)
{
	return (uint32_t)((rnd64() >> 32) * n >> 32);
}


/* A process- or fd-list string: N bytes at S. */
static inline struct fc_cap_str evv_cs(const char *s, size_t n)
{
	return (struct fc_cap_str){s, (uint32_t)n};
}

/* An fd-list entry (FDL v2) of thread TID: FD of TYPE, inode INO, named NAME; the rest zero. */
static inline struct fc_cap_fd evv_fd_entry(int64_t tid, int64_t fd, uint8_t type, uint64_t ino, const char *name)
{
	struct fc_cap_fd f;
	memset(&f, 0, sizeof f);
	f.version = 2;
	f.tid = (uint64_t)tid;
	f.fd = fd;
	f.type = type;
	f.ino = ino;
	f.name = evv_cs(name, strlen(name));
	return f;
}

struct evview {
	struct fc_evt v;
	uint8_t store[65536];
	size_t used;
};

static void evv_begin(struct evview *e, uint16_t type, uint64_t ts, int64_t tid)
{
	memset(&e->v, 0, sizeof e->v);
	e->v.type = type;
	e->v.ts = ts;
	e->v.tid = (uint64_t)tid;
	e->v.nparams = fc_events[type].nparams;
	e->used = 0;
}

static int evv_index(const struct evview *e, const char *name)
{
	int i = fc_event_param_index(e->v.type, name);
	if (i < 0)
		die("event %s (%u) has no parameter %s", fc_events[e->v.type].name, e->v.type, name);
	return i;
}

/* N bytes of the store as parameter NAME's value, for the caller to fill. */
static inline uint8_t *evv_reserve(struct evview *e, const char *name, size_t n)
{
	int i = evv_index(e, name);
	if (e->used + n > sizeof e->store)
		die("event %s too large", fc_events[e->v.type].name);
	uint8_t *p = e->store + e->used;
	e->v.pval[i] = p;
	e->v.plen[i] = (uint32_t)n;
	e->used += n;
	return p;
}

static void evv_raw(struct evview *e, const char *name, const void *p, size_t n)
{
	uint8_t *d = evv_reserve(e, name, n);
	if (n)
		memcpy(d, p, n);
}

/* An integer parameter at its type's size (1, 2, 4 or 8 bytes). */
static void evv_int(struct evview *e, const char *name, int64_t v)
{
	int i = evv_index(e, name);
	unsigned sz = fc_ptype_size((enum fc_ptype)fc_events[e->v.type].params[i].type);
	if (sz < 1 || sz > 8)
		die("parameter %s of %s is not an integer", name, fc_events[e->v.type].name);
	uint8_t t[8];
	for (unsigned k = 0; k < 8; k++)
		t[k] = (uint8_t)((uint64_t)v >> (8 * k));
	evv_raw(e, name, t, sz);
}

static void evv_str(struct evview *e, const char *name, const char *s)
{
	evv_raw(e, name, s, strlen(s) + 1);
}

/* SPEC, a list with SEP between its items ("a|b|c"), as the NUL-separated bytes scap uses
 * for argument lists, environments and cgroups ("a\0b\0c\0") in OUT; its length, 0 for an
 * empty SPEC (then nothing is written). */
static inline size_t evv_nul_list(const char *spec, char sep, char *out, size_t cap)
{
	size_t n = strlen(spec);
	if (!n)
		return 0;
	if (n + 1 > cap)
		die("list too long (%zu bytes): %.40s...", n, spec);
	for (size_t i = 0; i < n; i++)
		out[i] = spec[i] == sep ? '\0' : spec[i];
	out[n] = '\0';
	return n + 1;
}

/* Parameter NAME: the list SPEC (items separated by SEP) NUL-separated. */
static inline void evv_list(struct evview *e, const char *name, const char *spec, char sep)
{
	size_t n = strlen(spec);
	char *d = (char *)evv_reserve(e, name, n ? n + 1 : 0);
	evv_nul_list(spec, sep, d, n + 1);
}

/* PT_SOCKTUPLE (AF_INET): the first endpoint, then the second; ports in host order. */
static void evv_tuple4(struct evview *e, const char *name, const uint8_t a[4], uint16_t ap, const uint8_t b[4],
		       uint16_t bp)
{
	uint8_t t[13] = {2};
	memcpy(t + 1, a, 4);
	t[5] = (uint8_t)ap;
	t[6] = (uint8_t)(ap >> 8);
	memcpy(t + 7, b, 4);
	t[11] = (uint8_t)bp;
	t[12] = (uint8_t)(bp >> 8);
	evv_raw(e, name, t, sizeof t);
}

/* PT_SOCKADDR (AF_INET). */
static void evv_sockaddr4(struct evview *e, const char *name, const uint8_t a[4], uint16_t port)
{
	uint8_t t[7] = {2};
	memcpy(t + 1, a, 4);
	t[5] = (uint8_t)port;
	t[6] = (uint8_t)(port >> 8);
	evv_raw(e, name, t, sizeof t);
}

#endif
