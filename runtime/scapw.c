/* scapw.c — the .scap capture writer (see scapw.h for the contract).
 *
 * Owned by the events work (issue 4). Layout facts are libs userspace/libscap/scap_savefile.h
 * and the savefile writer as summarised in RUNTIME.md §3 (the mirror image of capture.c):
 *   block := u32 type | u32 total length | body | zero padding to 4 | u32 total length
 * SHB (28 bytes, version 1.2, no options), MI (the packed 180-byte machine info), PL v9 entries
 * (u32 entry length including itself, then the fields in append order), FDL v2 (u64 tid, then
 * entries with their own u32 length), EV v2 (u16 cpuid + the event in the 26-byte layout).
 * All integers little-endian, written byte by byte. List entries are collected in memory and
 * written as one block when the kind (or, for fds, the thread) changes, or at close; a list
 * block is also cut at 16 MB so no block nears the reader's limit. zlib writes both forms:
 * gzopen "wb" compresses, "wbT" writes plain. */
#include "scapw.h"
#include "le.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define LIST_CUT (16u << 20)
#define MAX_EV_BLOCK 65536u /* upstream READER_BUF_SIZE for non-large event blocks */

enum pending { P_NONE, P_PL, P_FDL };

struct fc_scapw {
	gzFile gz;
	char path[256];
	char err[720]; /* path + message always fit */
	bool failed;
	bool started; /* any item after the header written (MI must come first) */
	enum pending pend;
	uint64_t pend_tid;
	uint8_t *lb; /* pending list block body */
	size_t lblen, lbcap;
	uint8_t *eb; /* event block scratch */
	size_t ebcap;
	struct fc_scapw_stats st;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(struct fc_scapw *w, const char *fmt, ...)
{
	if (w->failed)
		return -1;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(w->err, sizeof(w->err), "%s: %s", w->path, msg);
	w->failed = true;
	return -1;
}

/* ---- little-endian appenders into a growable buffer ---- */

struct buf {
	uint8_t **p;
	size_t *len, *cap;
	bool oom;
};

static void b_need(struct buf *b, size_t n)
{
	if (b->oom || *b->len + n <= *b->cap)
		return;
	size_t nc = *b->cap ? *b->cap : 4096;
	while (nc < *b->len + n)
		nc *= 2;
	uint8_t *np = realloc(*b->p, nc);
	if (!np) {
		b->oom = true;
		return;
	}
	*b->p = np;
	*b->cap = nc;
}

static void b_bytes(struct buf *b, const void *src, size_t n)
{
	b_need(b, n);
	if (b->oom)
		return;
	if (n)
		memcpy(*b->p + *b->len, src, n);
	*b->len += n;
}

static void b_le(struct buf *b, uint64_t v, unsigned n)
{
	uint8_t t[8];
	for (unsigned i = 0; i < n; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	b_bytes(b, t, n);
}

/* The largest string libscap's reader takes in each list-block field: it refuses the whole
 * capture on a longer one ("invalid argslen 8187"), so a field is cut to fit, as libscap's own
 * /proc scan does when it writes one. Path-like process fields may be 1024 bytes, command lines,
 * environments and cgroup lists 4096, fd names at most 1023. */
enum { MAX_PATH_FIELD = 1024, MAX_LIST_FIELD = 4096, MAX_FD_NAME = 1023 };

static void b_str(struct buf *b, struct fc_cap_str s, uint32_t max, uint64_t *cut)
{
	uint32_t n = s.len;
	if (n > max) {
		n = max;
		(*cut)++;
	}
	b_le(b, n, 2);
	b_bytes(b, s.p, n);
}

/* ---- blocks ---- */

static int write_raw(struct fc_scapw *w, const void *p, size_t n)
{
	while (n) {
		unsigned k = n > (1u << 30) ? 1u << 30 : (unsigned)n;
		int r = gzwrite(w->gz, p, k);
		if (r <= 0) {
			int zerr;
			const char *m = gzerror(w->gz, &zerr);
			return fail(w, "write error: %s", zerr == Z_ERRNO ? strerror(errno) : m);
		}
		p = (const uint8_t *)p + r;
		n -= (size_t)r;
		w->st.bytes += (uint64_t)r;
	}
	return 0;
}

/* Writes block TYPE with BODY (N bytes): header, body, padding, trailer. */
static int write_block(struct fc_scapw *w, uint32_t type, const void *body, size_t n)
{
	if (w->failed)
		return -1;
	size_t padded = (n + 3) & ~(size_t)3;
	uint64_t total = 12 + (uint64_t)padded;
	if (total > UINT32_MAX)
		return fail(w, "block 0x%x of %zu bytes is too large", type, n);
	uint8_t h[8], t[4];
	static const uint8_t zeros[4];
	wr32(h, type);
	wr32(h + 4, total);
	wr32(t, total);
	if (write_raw(w, h, 8) || write_raw(w, body, n) || write_raw(w, zeros, padded - n) ||
	    write_raw(w, t, 4))
		return -1;
	w->st.blocks++;
	return 0;
}

static int flush_list(struct fc_scapw *w)
{
	if (w->pend == P_NONE)
		return 0;
	enum pending k = w->pend;
	w->pend = P_NONE;
	int r = write_block(w, k == P_PL ? FC_BLK_PL_V9 : FC_BLK_FDL_V2, w->lb, w->lblen);
	w->lblen = 0;
	return r;
}

/* ---- public ---- */

int fc_scapw_open(const char *path, bool gzip, struct fc_scapw **out, char *err, size_t errlen)
{
	*out = NULL;
	struct fc_scapw *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	snprintf(w->path, sizeof(w->path), "%s", path);
	errno = 0;
	/* Captures hold command lines, environments and paths: readable by the owner only. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	w->gz = fd >= 0 ? gzdopen(fd, gzip ? "wb" : "wbT") : NULL;
	if (!w->gz && fd >= 0)
		close(fd);
	if (!w->gz) {
		snprintf(err, errlen, "%s: cannot create: %s", path,
			 errno ? strerror(errno) : "gzopen failed");
		free(w);
		return -1;
	}
	/* Section header block: byte-order magic, version 1.2, section length unknown (-1). */
	uint8_t shb[16];
	wr32(shb, 0x1A2B3C4Du);
	wr16(shb + 4, 1);
	wr16(shb + 6, 2);
	wr64(shb + 8, UINT64_MAX);
	if (write_block(w, FC_BLK_SHB, shb, sizeof shb) < 0) {
		snprintf(err, errlen, "%s", w->err);
		gzclose(w->gz);
		free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int fc_scapw_machine(struct fc_scapw *w, const struct fc_cap_machine *mi)
{
	if (w->failed)
		return -1;
	if (w->started) {
		snprintf(w->err, sizeof(w->err), "%s: machine info must come before any other item",
			 w->path);
		return -1;
	}
	uint8_t b[180];
	memset(b, 0, sizeof b);
	wr32(b, mi->num_cpus);
	wr64(b + 4, mi->memory_size_bytes);
	wr64(b + 12, mi->max_pid);
	size_t hl = strnlen(mi->hostname, sizeof mi->hostname);
	memcpy(b + 20, mi->hostname, hl < 128 ? hl : 128);
	wr64(b + 148, mi->boot_ts_epoch);
	wr64(b + 156, mi->flags);
	w->started = true;
	return write_block(w, FC_BLK_MI, b, sizeof b);
}

/* libscap reads the table blocks only before the first event; one after it stops its reader
 * ("could not restart capture: invalid block type") and every later event is lost. */
static int table_after_events(struct fc_scapw *w, const char *what)
{
	snprintf(w->err, sizeof(w->err), "%s: %s entries must come before the first event", w->path, what);
	return -1;
}

int fc_scapw_proc(struct fc_scapw *w, const struct fc_cap_proc *p)
{
	if (w->failed)
		return -1;
	if (w->st.events)
		return table_after_events(w, "process");
	w->started = true;
	if (w->pend != P_PL && flush_list(w) < 0)
		return -1;
	if (w->pend == P_PL && w->lblen > LIST_CUT && flush_list(w) < 0)
		return -1;
	w->pend = P_PL;
	struct buf b = {&w->lb, &w->lblen, &w->lbcap, false};
	size_t start = w->lblen;
	b_le(&b, 0, 4); /* entry length, patched below */
	b_le(&b, p->tid, 8);
	b_le(&b, p->pid, 8);
	b_le(&b, p->ptid, 8);
	b_le(&b, (uint64_t)p->sid, 8);
	b_le(&b, (uint64_t)p->vpgid, 8);
	b_str(&b, p->comm, MAX_PATH_FIELD, &w->st.truncated);
	b_str(&b, p->exe, MAX_PATH_FIELD, &w->st.truncated);
	b_str(&b, p->exepath, MAX_PATH_FIELD, &w->st.truncated);
	b_str(&b, p->args, MAX_LIST_FIELD, &w->st.truncated);
	b_str(&b, p->cwd, MAX_PATH_FIELD, &w->st.truncated);
	b_le(&b, p->fdlimit, 8);
	b_le(&b, p->flags, 4);
	b_le(&b, p->uid, 4);
	b_le(&b, p->gid, 4);
	b_le(&b, p->vmsize_kb, 4);
	b_le(&b, p->vmrss_kb, 4);
	b_le(&b, p->vmswap_kb, 4);
	b_le(&b, p->pfmajor, 8);
	b_le(&b, p->pfminor, 8);
	b_str(&b, p->env, MAX_LIST_FIELD, &w->st.truncated);
	b_le(&b, (uint64_t)p->vtid, 8);
	b_le(&b, (uint64_t)p->vpid, 8);
	b_str(&b, p->cgroups, MAX_LIST_FIELD, &w->st.truncated);
	b_str(&b, p->root, MAX_PATH_FIELD, &w->st.truncated);
	b_le(&b, p->pidns_init_start_ts, 8);
	b_le(&b, p->tty, 4);
	b_le(&b, p->loginuid, 4);
	b_le(&b, p->exe_writable, 1);
	b_le(&b, p->cap_inheritable, 8);
	b_le(&b, p->cap_permitted, 8);
	b_le(&b, p->cap_effective, 8);
	b_le(&b, p->exe_upper_layer, 1);
	b_le(&b, p->exe_ino, 8);
	b_le(&b, p->exe_ino_ctime, 8);
	b_le(&b, p->exe_ino_mtime, 8);
	b_le(&b, p->exe_from_memfd, 1);
	b_le(&b, p->exe_lower_layer, 1);
	b_le(&b, (uint64_t)p->pgid, 8);
	if (b.oom)
		return fail(w, "out of memory");
	wr32(w->lb + start, w->lblen - start);
	w->st.procs++;
	return 0;
}

int fc_scapw_fd(struct fc_scapw *w, const struct fc_cap_fd *fd)
{
	if (w->failed)
		return -1;
	if (w->st.events)
		return table_after_events(w, "fd");
	w->started = true;
	if ((w->pend != P_FDL || w->pend_tid != fd->tid || w->lblen > LIST_CUT) && flush_list(w) < 0)
		return -1;
	struct buf b = {&w->lb, &w->lblen, &w->lbcap, false};
	if (w->pend != P_FDL) {
		w->pend = P_FDL;
		w->pend_tid = fd->tid;
		b_le(&b, fd->tid, 8);
	}
	size_t start = w->lblen;
	b_le(&b, 0, 4);
	b_le(&b, (uint64_t)fd->fd, 8);
	b_le(&b, fd->ino, 8);
	b_le(&b, fd->type, 1);
	switch (fd->type) {
	case FC_FD_IPV4_SOCK:
		b_bytes(&b, fd->sip, 4);
		b_bytes(&b, fd->dip, 4);
		b_le(&b, fd->sport, 2);
		b_le(&b, fd->dport, 2);
		b_le(&b, fd->l4proto, 1);
		break;
	case FC_FD_IPV4_SERVSOCK:
		b_bytes(&b, fd->sip, 4);
		b_le(&b, fd->sport, 2);
		b_le(&b, fd->l4proto, 1);
		break;
	case FC_FD_IPV6_SOCK:
		b_bytes(&b, fd->sip, 16);
		b_bytes(&b, fd->dip, 16);
		b_le(&b, fd->sport, 2);
		b_le(&b, fd->dport, 2);
		b_le(&b, fd->l4proto, 1);
		break;
	case FC_FD_IPV6_SERVSOCK:
		b_bytes(&b, fd->sip, 16);
		b_le(&b, fd->sport, 2);
		b_le(&b, fd->l4proto, 1);
		break;
	case FC_FD_UNIX_SOCK:
		b_le(&b, fd->unix_src, 8);
		b_le(&b, fd->unix_dst, 8);
		b_str(&b, fd->name, MAX_FD_NAME, &w->st.truncated);
		break;
	case FC_FD_FILE_V2:
		b_le(&b, fd->open_flags, 4);
		b_str(&b, fd->name, MAX_FD_NAME, &w->st.truncated);
		if (fd->has_dev)
			b_le(&b, fd->dev, 4);
		break;
	case FC_FD_UNKNOWN:
		break;
	default:
		/* Every other known type carries a name; an unknown one (a newer writer's) has
		 * its payload delimited by the entry length, so nothing is needed. */
		if (fd->type <= FC_FD_PIDFD)
			b_str(&b, fd->name, MAX_FD_NAME, &w->st.truncated);
	}
	if (b.oom)
		return fail(w, "out of memory");
	wr32(w->lb + start, w->lblen - start);
	w->st.fds++;
	return 0;
}

int fc_scapw_event(struct fc_scapw *w, const struct fc_evt *ev, uint16_t cpuid)
{
	if (w->failed)
		return -1;
	w->started = true;
	if (flush_list(w) < 0)
		return -1;
	size_t n = ev->type < FC_EVENT_MAX ? fc_evt_encoded_len(ev) : 0;
	bool large = n && (fc_events[ev->type].flags & FC_EF_LARGE_PAYLOAD);
	if (n == 0 || (!large && ((2 + n + 3) & ~(size_t)3) + 4 > MAX_EV_BLOCK)) {
		w->st.events_refused++;
		snprintf(w->err, sizeof(w->err), "%s: event of type %u cannot be written%s", w->path,
			 ev->type, n ? " (block over 64 KB)" : "");
		return -1;
	}
	if (w->ebcap < n + 2) {
		uint8_t *nb = realloc(w->eb, n + 2);
		if (!nb)
			return fail(w, "out of memory");
		w->eb = nb;
		w->ebcap = n + 2;
	}
	wr16(w->eb, cpuid);
	if (fc_evt_encode(ev, w->eb + 2, w->ebcap - 2) != n)
		return fail(w, "event encoding failed");
	if (write_block(w, large ? FC_BLK_EV_V2_LARGE : FC_BLK_EV_V2, w->eb, n + 2) < 0)
		return -1;
	w->st.events++;
	return 0;
}

const struct fc_scapw_stats *fc_scapw_stats(const struct fc_scapw *w)
{
	return &w->st;
}

const char *fc_scapw_error(const struct fc_scapw *w)
{
	return w->err;
}

int fc_scapw_close(struct fc_scapw *w, char *err, size_t errlen)
{
	if (!w)
		return 0;
	flush_list(w);
	int zr = gzclose(w->gz);
	if (zr != Z_OK && !w->failed)
		fail(w, "close failed (zlib error %d)", zr);
	int rc = w->failed ? -1 : 0;
	if (rc && err && errlen)
		snprintf(err, errlen, "%s", w->err);
	free(w->lb);
	free(w->eb);
	free(w);
	return rc;
}
