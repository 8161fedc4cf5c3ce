/* staterec.h — the input format of fuzz_state, shared by the harness and its seed generator
 * (gen_state_corpus.c): a sequence of records, each
 *   kind u8 | length u16 LE | LENGTH bytes (fewer when the input ends early)
 * with kind & 3:
 *   0  an event with the current 26-byte header (its len field is overwritten with LENGTH, so
 *      mutations of the body do not all die at the length check);
 *   1  an event with the 22-byte header of EV v1 capture blocks (len overwritten likewise);
 *   2  a process-table entry (what a capture's PL block gives), fields in the order of
 *      sr_proc below, then eight strings each u16 LE length + bytes;
 *   3  an fd-table entry, fields in the order of sr_fd below, then the name (the rest).
 * Numbers are little-endian; a record cut short reads as zeros / empty strings. */
#ifndef FC_FUZZ_STATEREC_H
#define FC_FUZZ_STATEREC_H

#include <stdint.h>
#include <string.h>

#include "capture.h"

enum { SR_EVT = 0, SR_EVT_V1 = 1, SR_PROC = 2, SR_FD = 3 };

struct sr_cur {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t sr_u(struct sr_cur *c, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++) {
		uint8_t b = 0;
		if (c->n) {
			b = *c->p++;
			c->n--;
		}
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

static inline struct fc_cap_str sr_str(struct sr_cur *c)
{
	uint32_t len = (uint32_t)sr_u(c, 2);
	if (len > c->n)
		len = (uint32_t)c->n;
	struct fc_cap_str s = {len ? (const char *)c->p : "", len};
	c->p += len;
	c->n -= len;
	return s;
}

/* Reads a process entry; string views point into C's bytes. */
static inline void sr_proc(struct sr_cur *c, struct fc_cap_proc *p)
{
	memset(p, 0, sizeof *p);
	p->version = (unsigned)sr_u(c, 1);
	p->has = (uint32_t)sr_u(c, 4);
	p->tid = sr_u(c, 8);
	p->pid = sr_u(c, 8);
	p->ptid = sr_u(c, 8);
	p->sid = (int64_t)sr_u(c, 8);
	p->vpgid = (int64_t)sr_u(c, 8);
	p->vtid = (int64_t)sr_u(c, 8);
	p->vpid = (int64_t)sr_u(c, 8);
	p->pgid = (int64_t)sr_u(c, 8);
	p->fdlimit = sr_u(c, 8);
	p->flags = (uint32_t)sr_u(c, 4);
	p->uid = (uint32_t)sr_u(c, 4);
	p->gid = (uint32_t)sr_u(c, 4);
	p->vmsize_kb = (uint32_t)sr_u(c, 4);
	p->vmrss_kb = (uint32_t)sr_u(c, 4);
	p->vmswap_kb = (uint32_t)sr_u(c, 4);
	p->pfmajor = sr_u(c, 8);
	p->pfminor = sr_u(c, 8);
	p->pidns_init_start_ts = sr_u(c, 8);
	p->tty = (uint32_t)sr_u(c, 4);
	p->loginuid = (uint32_t)sr_u(c, 4);
	uint8_t exf = (uint8_t)sr_u(c, 1);
	p->exe_writable = exf & 1;
	p->exe_upper_layer = (exf >> 1) & 1;
	p->exe_from_memfd = (exf >> 2) & 1;
	p->exe_lower_layer = (exf >> 3) & 1;
	p->cap_inheritable = sr_u(c, 8);
	p->cap_permitted = sr_u(c, 8);
	p->cap_effective = sr_u(c, 8);
	p->exe_ino = sr_u(c, 8);
	p->exe_ino_ctime = sr_u(c, 8);
	p->exe_ino_mtime = sr_u(c, 8);
	p->comm = sr_str(c);
	p->exe = sr_str(c);
	p->exepath = sr_str(c);
	p->args = sr_str(c);
	p->cwd = sr_str(c);
	p->env = sr_str(c);
	p->cgroups = sr_str(c);
	p->root = sr_str(c);
}

static inline void sr_fd(struct sr_cur *c, struct fc_cap_fd *f)
{
	memset(f, 0, sizeof *f);
	f->version = (unsigned)sr_u(c, 1);
	f->tid = sr_u(c, 8);
	f->fd = (int64_t)sr_u(c, 8);
	f->ino = sr_u(c, 8);
	f->type = (uint8_t)sr_u(c, 1);
	f->l4proto = (uint8_t)sr_u(c, 1);
	f->sport = (uint16_t)sr_u(c, 2);
	f->dport = (uint16_t)sr_u(c, 2);
	for (int i = 0; i < 16; i++)
		f->sip[i] = (uint8_t)sr_u(c, 1);
	for (int i = 0; i < 16; i++)
		f->dip[i] = (uint8_t)sr_u(c, 1);
	f->unix_src = sr_u(c, 8);
	f->unix_dst = sr_u(c, 8);
	f->open_flags = (uint32_t)sr_u(c, 4);
	f->dev = (uint32_t)sr_u(c, 4);
	f->has_dev = sr_u(c, 1) & 1;
	f->name = (struct fc_cap_str){c->n ? (const char *)c->p : "", (uint32_t)c->n};
	c->p += c->n;
	c->n = 0;
}

#endif
