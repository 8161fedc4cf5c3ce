/* capture.c — the .scap capture reader (see capture.h for the contract).
 *
 * Owned by the capture-reading work (issue 4). Layout facts follow libs
 * userspace/libscap/scap_savefile.h and the savefile reader, as summarised in RUNTIME.md §3;
 * the code is our own. Shape of the reader:
 *
 *   source (stdio FILE, zlib gzFile, or a memory buffer) ─► read window (256 KiB gulps; a
 *   memory source is its own window) ─► read_block: header, whole body in place in the window
 *   (or copied into cap->buf when larger than the window, or streamed past for blocks we skip),
 *   trailer check ─► process_block: SHB, MI, events (decoded with evt.c) ─► list blocks (PL,
 *   FDL) stay where they were read and next_proc / next_fd hand out one entry per call through
 *   a bounds-checked cursor. A body stays valid until the next block is read. An EV v2 block
 *   lying whole in the window (nearly every block of a capture) takes next_fast instead: the
 *   same checks without the general machinery, and the decoder inlined (evtdec.h).
 *
 * Why whole blocks: every field is then checked against an in-memory end instead of trusting
 * lengths while streaming, and list entries can point into the block without copies. Bodies are
 * read in chunks with geometric buffer growth, so a lying block length on a short file fails
 * with "truncated" before much memory is committed. */
#include "capture.h"
#include "evtdec.h"
#include "le.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>

#define MAX_BLOCK (256u << 20)   /* metadata and large-event blocks; beyond = corrupt */
#define MAX_EV_BLOCK 65536u      /* non-large event blocks (upstream READER_BUF_SIZE) */
#define CHUNK (1u << 20)         /* body read granularity (blocks larger than the window) */
#define WIN (1u << 18)           /* read window: event blocks are parsed in place */

enum src_kind { SRC_FILE, SRC_GZ, SRC_MEM };
enum list_kind { LIST_NONE, LIST_PL, LIST_FDL };
enum cap_state { ST_OK = 0, ST_EOF = 1, ST_ERR = -1 };

struct fc_capture {
	char name[256];
	enum src_kind src;
	FILE *f;
	gzFile gz;
	uint64_t wbase; /* stream offset of wdata[0] (the uncompressed stream; 0 for memory) */

	/* read window (see win_refill): a memory source is its own window */
	const uint8_t *wdata;
	uint8_t *wbuf;
	size_t wlen, wpos;
	bool weof;

	/* The fast path of fc_capture_next runs only while these three are all zero (ST_OK,
	 * LIST_NONE, false): `gate`, the word they share, makes that a single test. */
	union {
		struct {
			int8_t state;  /* enum cap_state */
			uint8_t list;  /* enum list_kind */
			bool pending;  /* read by open, not yet processed */
			uint8_t zero;  /* never set: 0 from calloc */
		};
		uint32_t gate;
	};

	/* current block (as read_block left it; the fast path of fc_capture_next does not
	 * update it): body points into the window, or into buf for blocks larger than it */
	const uint8_t *body;
	uint8_t *buf;
	size_t bufcap;
	uint32_t btype, blen;
	size_t body_len;
	uint64_t boff;
	bool loaded;  /* body is in buf (false: streamed past) */

	/* list walking inside the current block */
	unsigned list_ver;
	size_t lpos;
	uint64_t fdl_tid;

	char err[720]; /* name + offset + message always fit */
	unsigned major, minor;
	struct fc_cap_stats st;
	struct fc_cap_machine mi;
	void *map; /* a plain regular file mapped whole (SRC_MEM over it): no read() copy */
	bool lite[FC_EVENT_MAX]; /* fc_capture_set_lite */
	size_t maplen;
};

/* ------------------------------------------------------------------------------------------ */
/* little helpers                                                                             */
/* ------------------------------------------------------------------------------------------ */

static inline uint32_t bswap32(uint32_t v)
{
	return (v >> 24) | (v >> 8 & 0xff00u) | (v << 8 & 0xff0000u) | (v << 24);
}

bool fc_cap_str_eq(struct fc_cap_str s, const char *z)
{
	size_t n = strlen(z);
	return s.len == n && (n == 0 || memcmp(s.p, z, n) == 0);
}

/* Fatal error at stream offset OFF; sticky. Always returns -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(struct fc_capture *cap, uint64_t off, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(cap->err, sizeof(cap->err), "%s: offset %llu: %s", cap->name,
		 (unsigned long long)off, msg);
	cap->state = ST_ERR;
	return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* sources                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Bytes consumed from the (uncompressed) stream: derived, so consuming is one add. */
static inline uint64_t stream_pos(const struct fc_capture *cap)
{
	return cap->wbase + cap->wpos;
}

/* The read window: file and gzip sources are read in WIN-sized gulps into cap->wbuf (one
 * read or gzread per gulp instead of three stdio calls per block); a memory source is its own
 * window. Blocks that fit in the window are parsed where they lie (no copy). wdata + wpos is
 * the next unconsumed byte, wlen the bytes the window holds. */

/* Reads more of a file or gzip source into the window, after moving what is left to its
 * front; stops when N bytes are buffered, the window is full or the stream ends. 0 or -1. */
static int win_refill(struct fc_capture *cap, size_t n)
{
	if (!cap->wbuf) {
		if (!(cap->wbuf = malloc(WIN)))
			return fail(cap, stream_pos(cap), "out of memory");
		cap->wdata = cap->wbuf;
	}
	size_t left = cap->wlen - cap->wpos;
	if (cap->wpos) {
		memmove(cap->wbuf, cap->wbuf + cap->wpos, left);
		cap->wbase += cap->wpos;
		cap->wpos = 0;
		cap->wlen = left;
	}
	while (!cap->weof && cap->wlen < n && cap->wlen < WIN) {
		size_t want = WIN - cap->wlen;
		uint64_t at = cap->wbase + cap->wlen; /* stream offset of the first byte asked for */
		if (cap->src == SRC_FILE) {
			size_t got = fread(cap->wbuf + cap->wlen, 1, want, cap->f);
			if (got < want && ferror(cap->f))
				return fail(cap, at + got, "read error: %s", strerror(errno));
			cap->wlen += got;
			if (got < want)
				cap->weof = true;
			continue;
		}
		int r = gzread(cap->gz, cap->wbuf + cap->wlen, (unsigned)want);
		if (r < 0) {
			int zerr;
			const char *m = gzerror(cap->gz, &zerr);
			return fail(cap, at, "gzip error: %s", m ? m : "?");
		}
		cap->wlen += (size_t)r;
		if (r == 0) {
			int zerr = Z_OK;
			const char *m = gzerror(cap->gz, &zerr);
			/* Z_BUF_ERROR here = the compressed stream ended mid-member. */
			if (zerr != Z_OK && zerr != Z_STREAM_END)
				return fail(cap, at, "gzip stream truncated or corrupt: %s", m ? m : "?");
			cap->weof = true;
		}
	}
	return 0;
}

/* Bytes buffered at wdata + wpos after trying to have N (N <= WIN): fewer only at the end of
 * the stream; -1 (error set) on I/O or gzip errors, including a gzip stream cut short. */
static long long win_avail(struct fc_capture *cap, size_t n)
{
	if (cap->wlen - cap->wpos < n && cap->src != SRC_MEM && !cap->weof && win_refill(cap, n) < 0)
		return -1;
	return (long long)(cap->wlen - cap->wpos);
}

static void win_consume(struct fc_capture *cap, size_t n)
{
	cap->wpos += n;
}

/* Reads up to N bytes into DST (or skips them when DST is NULL); fewer only at the end of the
 * stream. -1 (error set) on I/O or gzip errors, including a gzip stream cut short. */
static long long src_read(struct fc_capture *cap, void *dst, size_t n)
{
	size_t got = 0;
	while (got < n) {
		size_t want = n - got < WIN ? n - got : WIN;
		long long a = win_avail(cap, want);
		if (a < 0)
			return -1;
		if (a == 0)
			break;
		size_t k = (size_t)a < want ? (size_t)a : want;
		if (dst)
			memcpy((uint8_t *)dst + got, cap->wdata + cap->wpos, k);
		win_consume(cap, k);
		got += k;
	}
	return (long long)got;
}

/* Reads (or, DST NULL, skips) exactly N bytes or fails with a truncation error naming WHAT. */
static int src_read_full(struct fc_capture *cap, void *dst, size_t n, const char *what)
{
	uint64_t at = stream_pos(cap);
	long long r = src_read(cap, dst, n);
	if (r < 0)
		return -1;
	if ((size_t)r < n)
		return fail(cap, at, "truncated file: %s needs %zu bytes, %lld left", what, n, r);
	return 0;
}

static int src_skip(struct fc_capture *cap, size_t n, const char *what)
{
	return src_read_full(cap, NULL, n, what);
}

/* ------------------------------------------------------------------------------------------ */
/* blocks                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static bool is_ev_block(uint32_t t)
{
	return t == FC_BLK_EV || t == FC_BLK_EV_INT || t == FC_BLK_EV_V2 || t == FC_BLK_EV_V2_LARGE ||
	       t == FC_BLK_EVF || t == FC_BLK_EVF_V2 || t == FC_BLK_EVF_V2_LARGE;
}

static unsigned pl_version(uint32_t t)
{
	switch (t) {
	case FC_BLK_PL_V1:
	case FC_BLK_PL_V1_INT:
		return 1;
	case FC_BLK_PL_V2:
	case FC_BLK_PL_V2_INT:
		return 2;
	case FC_BLK_PL_V3:
	case FC_BLK_PL_V3_INT:
		return 3;
	case FC_BLK_PL_V4:
		return 4;
	case FC_BLK_PL_V5:
		return 5;
	case FC_BLK_PL_V6:
		return 6;
	case FC_BLK_PL_V7:
		return 7;
	case FC_BLK_PL_V8:
		return 8;
	case FC_BLK_PL_V9:
		return 9;
	}
	return 0;
}

static unsigned fdl_version(uint32_t t)
{
	if (t == FC_BLK_FDL || t == FC_BLK_FDL_INT)
		return 1;
	if (t == FC_BLK_FDL_V2)
		return 2;
	return 0;
}

/* Bodies we parse are loaded; interface/user lists and unknown types are streamed past. */
static bool wants_body(uint32_t t)
{
	return t == FC_BLK_SHB || t == FC_BLK_MI || t == FC_BLK_MI_INT || pl_version(t) ||
	       fdl_version(t) || is_ev_block(t);
}

static int load_body(struct fc_capture *cap, size_t n)
{
	size_t got = 0;
	while (got < n) {
		size_t want = n - got < CHUNK ? n - got : CHUNK;
		if (got + want > cap->bufcap) {
			size_t nc = cap->bufcap ? cap->bufcap : 4096;
			while (nc < got + want)
				nc *= 2;
			if (nc > n)
				nc = n;
			uint8_t *nb = realloc(cap->buf, nc);
			if (!nb)
				return fail(cap, cap->boff, "out of memory for a %zu-byte block", n);
			cap->buf = nb;
			cap->bufcap = nc;
		}
		if (src_read_full(cap, cap->buf + got, want, "block body") < 0)
			return -1;
		got += want;
	}
	return 0;
}

/* Reads the next block. 1 = read (cap->loaded says whether its body is in buf), 0 = clean end
 * of file, -1 = error. */
static int read_block(struct fc_capture *cap)
{
	cap->boff = stream_pos(cap);
	cap->body = NULL;
	long long r = win_avail(cap, 8);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	if (r < 8)
		return fail(cap, cap->boff, "truncated file: block header has %lld of 8 bytes", r);
	const uint8_t *h = cap->wdata + cap->wpos;
	cap->btype = rd32(h);
	cap->blen = rd32(h + 4);
	win_consume(cap, 8);
	if (cap->st.blocks == 0 && cap->btype != FC_BLK_SHB)
		return fail(cap, cap->boff,
			    "not a scap capture: first block type 0x%08x, want a section header",
			    cap->btype);
	if (cap->btype == FC_BLK_SHB && cap->blen > MAX_EV_BLOCK &&
	    bswap32(cap->blen) <= MAX_EV_BLOCK)
		return fail(cap, cap->boff,
			    "byte-swapped (other-endian) capture: not supported");
	if (cap->blen < 12)
		return fail(cap, cap->boff, "block 0x%x: length %u below the 12-byte minimum",
			    cap->btype, cap->blen);
	cap->body_len = cap->blen - 12;
	cap->st.blocks++;

	bool load = wants_body(cap->btype);
	if (load && cap->body_len > MAX_BLOCK)
		return fail(cap, cap->boff, "block 0x%x: length %u exceeds the %u-byte limit",
			    cap->btype, cap->blen, MAX_BLOCK);
	/* A non-large event block above the reader buffer size is skipped as a bad event. */
	if (is_ev_block(cap->btype) && cap->btype != FC_BLK_EV_V2_LARGE &&
	    cap->btype != FC_BLK_EVF_V2_LARGE && cap->body_len + 4 > MAX_EV_BLOCK)
		load = false;
	cap->loaded = load;
	uint8_t t[4];
	if (load && cap->body_len + 4 <= WIN) {
		/* in place: body and trailer from the window */
		long long a = win_avail(cap, cap->body_len + 4);
		if (a < 0)
			return -1;
		if ((size_t)a < cap->body_len)
			return fail(cap, stream_pos(cap), "truncated file: block body needs %zu bytes, %lld left",
				    cap->body_len, a);
		cap->body = cap->wdata + cap->wpos;
		win_consume(cap, cap->body_len);
		if ((size_t)a < cap->body_len + 4)
			return fail(cap, stream_pos(cap), "truncated file: block trailer needs 4 bytes, %lld left",
				    a - (long long)cap->body_len);
		memcpy(t, cap->wdata + cap->wpos, 4);
		win_consume(cap, 4);
	} else {
		if (load ? load_body(cap, cap->body_len) < 0 : src_skip(cap, cap->body_len, "block body") < 0)
			return -1;
		if (load)
			cap->body = cap->buf;
		if (src_read_full(cap, t, 4, "block trailer") < 0)
			return -1;
	}
	if (rd32(t) != cap->blen)
		return fail(cap, cap->boff,
			    "corrupt block 0x%x: trailer length %u differs from header length %u",
			    cap->btype, rd32(t), cap->blen);
	return 1;
}

static int parse_shb(struct fc_capture *cap)
{
	const uint8_t *b = cap->body;
	if (cap->body_len < 16)
		return fail(cap, cap->boff, "section header block too short (%zu bytes)",
			    cap->body_len);
	uint32_t magic = rd32(b);
	if (magic == 0x4D3C2B1Au)
		return fail(cap, cap->boff, "byte-swapped (other-endian) capture: not supported");
	if (magic != 0x1A2B3C4Du)
		return fail(cap, cap->boff, "section header: bad byte-order magic 0x%08x", magic);
	unsigned major = rd16(b + 4), minor = rd16(b + 6);
	if (major != 1)
		return fail(cap, cap->boff, "unsupported scap version %u.%u (want 1.x)", major, minor);
	cap->major = major;
	cap->minor = minor;
	/* section_length (-1) and any pcapng-style options that follow are not needed. */
	return 0;
}

static void parse_mi(struct fc_capture *cap)
{
	const uint8_t *b = cap->body;
	size_t n = cap->body_len;
	struct fc_cap_machine *m = &cap->mi;
	memset(m, 0, sizeof(*m));
	m->present = true;
	/* Packed struct; older writers may store a prefix of it, so read what the length holds. */
	if (n >= 4)
		m->num_cpus = rd32(b);
	if (n >= 12)
		m->memory_size_bytes = rd64(b + 4);
	if (n >= 20)
		m->max_pid = rd64(b + 12);
	if (n > 20) {
		size_t hl = n - 20 < 128 ? n - 20 : 128;
		memcpy(m->hostname, b + 20, hl);
		m->hostname[hl] = 0; /* a full 128-byte name is still terminated */
	}
	if (n >= 156)
		m->boot_ts_epoch = rd64(b + 148);
	if (n >= 164)
		m->flags = rd64(b + 156);
}

/* ------------------------------------------------------------------------------------------ */
/* list entries                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* Bounds-checked reader over [p, p+end). Any overrun sets `bad` and yields zeros. */
struct cur {
	const uint8_t *p;
	size_t off, end;
	bool bad;
};

static bool c_fits(const struct cur *c, size_t n)
{
	return !c->bad && c->end - c->off >= n;
}

static const uint8_t *c_take(struct cur *c, size_t n)
{
	if (!c_fits(c, n)) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *q = c->p + c->off;
	c->off += n;
	return q;
}

static uint8_t c_u8(struct cur *c)
{
	const uint8_t *q = c_take(c, 1);
	return q ? q[0] : 0;
}
static uint16_t c_u16(struct cur *c)
{
	const uint8_t *q = c_take(c, 2);
	return q ? rd16(q) : 0;
}
static uint32_t c_u32(struct cur *c)
{
	const uint8_t *q = c_take(c, 4);
	return q ? rd32(q) : 0;
}
static uint64_t c_u64(struct cur *c)
{
	const uint8_t *q = c_take(c, 8);
	return q ? rd64(q) : 0;
}
static void c_bytes(struct cur *c, uint8_t *dst, size_t n)
{
	const uint8_t *q = c_take(c, n);
	if (q)
		memcpy(dst, q, n);
}
/* u16 length + bytes */
static struct fc_cap_str c_str(struct cur *c)
{
	struct fc_cap_str s = {"", 0};
	uint16_t l = c_u16(c);
	const uint8_t *q = c_take(c, l);
	if (q && l) {
		s.p = (const char *)q;
		s.len = l;
	}
	return s;
}

/* Starts an entry at cap->lpos. Returns 0 when the block has no more entries (fewer than 4
 * bytes left are padding), 1 with C set up, -1 on a corrupt entry length. With LENPFX the entry
 * starts with its own u32 length (itself included), which bounds the cursor. */
static int entry_begin(struct fc_capture *cap, struct cur *c, bool lenpfx, const char *what)
{
	size_t rem = cap->body_len - cap->lpos;
	if (rem < 4) {
		cap->list = LIST_NONE;
		return 0;
	}
	c->p = cap->body + cap->lpos;
	c->off = 0;
	c->end = rem;
	c->bad = false;
	if (lenpfx) {
		uint32_t sl = c_u32(c);
		if (sl < 4 || sl > rem)
			return fail(cap, cap->boff + 8 + cap->lpos,
				    "corrupt %s entry: length %u, %zu bytes left in the block", what, sl,
				    rem);
		c->end = sl;
	}
	return 1;
}

static int next_proc(struct fc_capture *cap, struct fc_cap_item *item)
{
	unsigned v = cap->list_ver;
	struct cur c;
	int r = entry_begin(cap, &c, v >= 9, "process list");
	if (r <= 0)
		return r;
	uint64_t eoff = cap->boff + 8 + cap->lpos;

	memset(item, 0, sizeof(*item));
	item->kind = FC_CAP_PROC;
	item->offset = cap->boff;
	struct fc_cap_proc *p = &item->proc;
	p->version = v;
	p->sid = p->vpgid = p->vtid = p->vpid = p->pgid = -1;
	p->loginuid = UINT32_MAX;
	/* Absent strings are empty, never NULL, so "%.*s" and memcmp stay defined. */
	const struct fc_cap_str empty = {"", 0};
	p->comm = p->exe = p->exepath = p->args = p->cwd = p->env = p->cgroups = p->root = empty;

	p->tid = c_u64(&c);
	p->pid = c_u64(&c);
	p->ptid = c_u64(&c);
	if (v >= 6) {
		p->sid = (int64_t)c_u64(&c);
		p->has |= FC_PROC_HAS_SID;
	}
	if (v >= 8) {
		p->vpgid = (int64_t)c_u64(&c);
		p->has |= FC_PROC_HAS_VPGID;
	}
	p->comm = c_str(&c);
	p->exe = c_str(&c);
	if (v >= 7) {
		p->exepath = c_str(&c);
		p->has |= FC_PROC_HAS_EXEPATH;
	}
	p->args = c_str(&c);
	p->cwd = c_str(&c);
	p->fdlimit = c_u64(&c);
	p->flags = c_u32(&c);
	p->uid = c_u32(&c);
	p->gid = c_u32(&c);
	if (v >= 2) {
		p->vmsize_kb = c_u32(&c);
		p->vmrss_kb = c_u32(&c);
		p->vmswap_kb = c_u32(&c);
		p->pfmajor = c_u64(&c);
		p->pfminor = c_u64(&c);
		p->has |= FC_PROC_HAS_MEM;
	}
	if (v >= 3) {
		p->env = c_str(&c);
		p->has |= FC_PROC_HAS_ENV;
	}
	if (v >= 4) {
		p->vtid = (int64_t)c_u64(&c);
		p->vpid = (int64_t)c_u64(&c);
		p->cgroups = c_str(&c);
		p->has |= FC_PROC_HAS_VTID;
	}
	if (v >= 5) {
		p->root = c_str(&c);
		p->has |= FC_PROC_HAS_ROOT;
	}
	if (c.bad)
		return fail(cap, eoff, "corrupt process list v%u entry: fields run past its end", v);

	if (v >= 9) {
		/* Fields appended later, present as far as the entry length reaches. Writers before
		 * libs 0.10 lacked pidns_init_start_ts and tty, which were later inserted before
		 * loginuid; such entries have at most 29 bytes left here (loginuid, exe_writable and
		 * the three capability sets), which is how the upstream reader tells them apart. */
		bool pre_0_10 = c.end - c.off <= 29;
		if (!pre_0_10 && c_fits(&c, 8)) {
			p->pidns_init_start_ts = c_u64(&c);
			p->has |= FC_PROC_HAS_PIDNS_TS;
		}
		if (!pre_0_10 && c_fits(&c, 4)) {
			p->tty = c_u32(&c);
			p->has |= FC_PROC_HAS_TTY;
		}
		if (c_fits(&c, 4)) {
			p->loginuid = c_u32(&c);
			p->has |= FC_PROC_HAS_LOGINUID;
		}
		if (c_fits(&c, 1)) {
			p->exe_writable = c_u8(&c);
			p->has |= FC_PROC_HAS_EXE_WRITABLE;
		}
		if (c_fits(&c, 24)) {
			p->cap_inheritable = c_u64(&c);
			p->cap_permitted = c_u64(&c);
			p->cap_effective = c_u64(&c);
			p->has |= FC_PROC_HAS_CAPS;
		}
		if (c_fits(&c, 1)) {
			p->exe_upper_layer = c_u8(&c);
			p->has |= FC_PROC_HAS_EXE_UPPER;
		}
		if (c_fits(&c, 24)) {
			p->exe_ino = c_u64(&c);
			p->exe_ino_ctime = c_u64(&c);
			p->exe_ino_mtime = c_u64(&c);
			p->has |= FC_PROC_HAS_EXE_INO;
		}
		if (c_fits(&c, 1)) {
			p->exe_from_memfd = c_u8(&c);
			p->has |= FC_PROC_HAS_EXE_MEMFD;
		}
		if (c_fits(&c, 1)) {
			p->exe_lower_layer = c_u8(&c);
			p->has |= FC_PROC_HAS_EXE_LOWER;
		}
		if (c_fits(&c, 8)) {
			p->pgid = (int64_t)c_u64(&c);
			p->has |= FC_PROC_HAS_PGID;
		}
		cap->lpos += c.end; /* anything newer than we know is skipped by the length */
	} else {
		cap->lpos += c.off;
	}
	cap->st.procs++;
	return 1;
}

static bool fd_type_has_name(unsigned t)
{
	switch (t) {
	case FC_FD_FILE:
	case FC_FD_DIRECTORY:
	case FC_FD_FIFO:
	case FC_FD_EVENT:
	case FC_FD_UNSUPPORTED:
	case FC_FD_SIGNALFD:
	case FC_FD_EVENTPOLL:
	case FC_FD_INOTIFY:
	case FC_FD_TIMERFD:
	case FC_FD_NETLINK:
	case FC_FD_BPF:
	case FC_FD_USERFAULTFD:
	case FC_FD_IOURING:
	case FC_FD_MEMFD:
	case FC_FD_PIDFD:
		return true;
	}
	return false;
}

static int next_fd(struct fc_capture *cap, struct fc_cap_item *item)
{
	unsigned v = cap->list_ver;
	struct cur c;
	int r = entry_begin(cap, &c, v >= 2, "fd list");
	if (r <= 0)
		return r;
	uint64_t eoff = cap->boff + 8 + cap->lpos;

	memset(item, 0, sizeof(*item));
	item->kind = FC_CAP_FD;
	item->offset = cap->boff;
	struct fc_cap_fd *f = &item->fd;
	f->version = v;
	f->tid = cap->fdl_tid;
	f->name.p = "";
	f->fd = (int64_t)c_u64(&c);
	f->ino = c_u64(&c);
	f->type = c_u8(&c);
	switch (f->type) {
	case FC_FD_IPV4_SOCK:
		c_bytes(&c, f->sip, 4);
		c_bytes(&c, f->dip, 4);
		f->sport = c_u16(&c);
		f->dport = c_u16(&c);
		f->l4proto = c_u8(&c);
		break;
	case FC_FD_IPV4_SERVSOCK:
		c_bytes(&c, f->sip, 4);
		f->sport = c_u16(&c);
		f->l4proto = c_u8(&c);
		break;
	case FC_FD_IPV6_SOCK:
		c_bytes(&c, f->sip, 16);
		c_bytes(&c, f->dip, 16);
		f->sport = c_u16(&c);
		f->dport = c_u16(&c);
		f->l4proto = c_u8(&c);
		break;
	case FC_FD_IPV6_SERVSOCK:
		c_bytes(&c, f->sip, 16);
		f->sport = c_u16(&c);
		f->l4proto = c_u8(&c);
		break;
	case FC_FD_UNIX_SOCK:
		f->unix_src = c_u64(&c);
		f->unix_dst = c_u64(&c);
		f->name = c_str(&c);
		break;
	case FC_FD_FILE_V2:
		f->open_flags = c_u32(&c);
		f->name = c_str(&c);
		if (v >= 2 && c_fits(&c, 4)) {
			f->dev = c_u32(&c);
			f->has_dev = true;
		}
		break;
	case FC_FD_UNKNOWN:
		break;
	default:
		if (fd_type_has_name(f->type)) {
			f->name = c_str(&c);
			break;
		}
		/* A type from a newer writer: its payload is skipped by the entry length (v2);
		 * without lengths (v1) the rest of the block cannot be delimited. */
		if (v < 2)
			return fail(cap, eoff, "corrupt fd list v1 entry: unknown fd type %u", f->type);
		break;
	}
	if (c.bad)
		return fail(cap, eoff, "corrupt fd list v%u entry: fields run past its end", v);
	cap->lpos += v >= 2 ? c.end : c.off;
	cap->st.fds++;
	return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* block dispatch                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* The event of the event block T at stream offset BOFF whose body is B (LEN bytes; NULL: not
 * loaded) into ITEM: 1, or 0 when it is skipped (counted). No memset of the whole item (a
 * process entry's size, per event): the decoder fills the header and the present parameters;
 * the rest is stored only for an event handed out. Always inlined: next_fast's copy, with T
 * constant, has no block-type dispatch and no call (a tenth of a replay's instructions). */
static inline __attribute__((always_inline)) int event_item(struct fc_capture *cap, struct fc_cap_item *item,
							    uint32_t t, uint64_t boff, const uint8_t *b, size_t len)
{
	bool evf = t == FC_BLK_EVF || t == FC_BLK_EVF_V2 || t == FC_BLK_EVF_V2_LARGE;
	bool v1 = t == FC_BLK_EV || t == FC_BLK_EV_INT || t == FC_BLK_EVF;
	size_t pre = evf ? 6 : 2; /* u16 cpuid [+ u32 flags] */
	struct fc_evt *e = &item->ev.evt;
	int rc;
	if (b == NULL) {
		rc = FC_EVT_ELEN; /* a non-large block above the reader buffer size */
	} else if (len < pre) {
		rc = FC_EVT_ETRUNC;
	} else if (!v1) {
		rc = fc_evtdec_v2(b + pre, len - pre, cap->lite, true, e); /* fc_evt_decode_sel */
	} else {
		/* v1 infers nparams from the lengths, so a lite event is decoded in full */
		rc = fc_evt_decode_v1(b + pre, len - pre, e);
		if (rc == FC_EVT_OK)
			memset(e->plen + e->nparams, 0, (FC_EVT_MAX_PARAMS - e->nparams) * sizeof(e->plen[0]));
	}
	if (rc == FC_EVT_ETYPE) {
		cap->st.events_unknown++;
		return 0;
	}
	if (rc != FC_EVT_OK) {
		cap->st.events_malformed++;
		cap->st.last_evt_error = rc;
		cap->st.last_evt_error_offset = boff;
		return 0;
	}
	item->kind = FC_CAP_EVENT;
	item->offset = boff;
	item->ev.block_type = t;
	item->ev.cpuid = rd16(b);
	item->ev.flags = evf ? rd32(b + 2) : 0;
	cap->st.events++;
	return 1;
}

/* 1 = ITEM holds an event, 0 = block consumed without an item, -1 = fatal error. */
static int process_block(struct fc_capture *cap, struct fc_cap_item *item)
{
	uint32_t t = cap->btype;
	unsigned ver;

	if (t == FC_BLK_SHB) {
		/* A later SHB starts a new section (concatenated captures): same handling. */
		return parse_shb(cap);
	}
	if (t == FC_BLK_MI || t == FC_BLK_MI_INT) {
		parse_mi(cap);
		return 0;
	}
	if ((ver = pl_version(t))) {
		cap->list = LIST_PL;
		cap->list_ver = ver;
		cap->lpos = 0;
		return 0;
	}
	if ((ver = fdl_version(t))) {
		if (cap->body_len < 8)
			return fail(cap, cap->boff, "corrupt fd list block: %zu bytes, no thread id",
				    cap->body_len);
		cap->fdl_tid = rd64(cap->body);
		cap->list = LIST_FDL;
		cap->list_ver = ver;
		cap->lpos = 8;
		return 0;
	}
	if (is_ev_block(t))
		return event_item(cap, item, t, cap->boff, cap->loaded ? cap->body : NULL, cap->body_len);
	/* Interface lists, user lists and block types we do not know: skipped by length. */
	cap->st.blocks_skipped++;
	return 0;
}

/* Fast path (replay reads millions of these): a whole EV v2 block already in the window, with
 * its trailer right. Same checks and effects as read_block + process_block for such a block.
 * 1 = ITEM holds its event, 0 = its event was skipped (counted), -1 = no such block here
 * (nothing consumed): the general path decides. */
static inline int next_fast(struct fc_capture *cap, struct fc_cap_item *item)
{
	size_t avail = cap->wlen - cap->wpos;
	/* (st.blocks is not tested: an open capture has read its SHB) */
	if (cap->gate != 0 || avail < 12)
		return -1;
	const uint8_t *h = cap->wdata + cap->wpos;
	uint32_t bt = rd32(h), bl = rd32(h + 4);
	/* a body too short for cpuid + an event header is an error the general path reports:
	 * here the decoder needs no test for it */
	if (bt != FC_BLK_EV_V2 || bl < 12 + 2 + FC_EVT_HDR_LEN || bl > avail ||
	    bl - 12 + 4 > MAX_EV_BLOCK || bl - 12 + 4 > WIN || rd32(h + bl - 4) != bl)
		return -1;
	/* the blocks are read once, in order: ask for the lines ahead early */
	__builtin_prefetch(h + 512);
	uint64_t boff = stream_pos(cap);
	cap->st.blocks++;
	win_consume(cap, bl);
	return event_item(cap, item, FC_BLK_EV_V2, boff, h + 8, bl - 12);
}

/* Everything else: lists, other blocks, the end, errors; and the loop over skipped events. */
static __attribute__((noinline)) int next_general(struct fc_capture *cap, struct fc_cap_item *item)
{
	if (cap->state != ST_OK)
		return cap->state == ST_EOF ? 0 : -1;
	for (;;) {
		int r = next_fast(cap, item);
		if (r >= 0) {
			if (r != 0)
				return r;
			continue;
		}
		if (cap->list == LIST_PL || cap->list == LIST_FDL) {
			r = cap->list == LIST_PL ? next_proc(cap, item) : next_fd(cap, item);
			if (r != 0)
				return r;
			continue; /* list exhausted */
		}
		if (cap->pending) {
			cap->pending = false;
		} else {
			r = read_block(cap);
			if (r < 0)
				return -1;
			if (r == 0) {
				cap->state = ST_EOF;
				return 0;
			}
		}
		r = process_block(cap, item);
		if (r != 0)
			return r;
	}
}

int fc_capture_next(struct fc_capture *cap, struct fc_cap_item *item)
{
	/* The common case alone in this function, so it saves no registers for the general one. */
	return next_fast(cap, item) == 1 ? 1 : next_general(cap, item);
}

/* ------------------------------------------------------------------------------------------ */
/* open / close                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* Reads the SHB and, when it follows directly, the MI block; any other second block is kept
 * pending for the first fc_capture_next. Only a bad or missing SHB fails the open: a problem
 * with the second block is a sticky error that the first fc_capture_next reports, like any
 * later block. */
static int read_head(struct fc_capture *cap, char *err, size_t errlen)
{
	int r = read_block(cap);
	if (r == 0)
		fail(cap, 0, "empty file: not a scap capture");
	if (r > 0)
		r = parse_shb(cap);
	if (cap->state == ST_ERR) {
		if (err && errlen)
			snprintf(err, errlen, "%s", cap->err);
		return -1;
	}
	r = read_block(cap);
	if (r > 0) {
		if (cap->btype == FC_BLK_MI || cap->btype == FC_BLK_MI_INT)
			parse_mi(cap);
		else
			cap->pending = true;
	} else if (r == 0) {
		cap->state = ST_EOF; /* a header and nothing else: a valid, empty capture */
	}
	return 0;
}

static struct fc_capture *cap_new(const char *name)
{
	struct fc_capture *cap = calloc(1, sizeof(*cap));
	if (cap)
		snprintf(cap->name, sizeof(cap->name), "%s", name ? name : "<capture>");
	return cap;
}

/* A plain regular file is mapped whole and read as a memory source: replay then costs no
 * read() copy of every byte (a tenth of a 1M-event replay). Up to MAP_POP bytes are populated
 * at once; beyond, pages come in as the reader walks forward. False: read it with stdio. */
#define MAP_POP (256u << 20)
static bool map_file(struct fc_capture *cap, FILE *f)
{
	struct stat sb;
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
	    (uint64_t)sb.st_size > (uint64_t)SIZE_MAX / 2)
		return false;
	size_t len = (size_t)sb.st_size;
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | (len <= MAP_POP ? MAP_POPULATE : 0), fileno(f), 0);
	if (m == MAP_FAILED)
		return false;
	madvise(m, len, MADV_SEQUENTIAL);
	cap->map = m;
	cap->maplen = len;
	cap->src = SRC_MEM;
	cap->wdata = m;
	cap->wlen = len;
	cap->weof = true;
	return true;
}

int fc_capture_open(const char *path, struct fc_capture **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	uint8_t magic[2] = {0, 0};
	size_t n = fread(magic, 1, 2, f);
	bool gz = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	struct fc_capture *cap = cap_new(path);
	if (!cap) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (gz) {
		fclose(f);
		cap->gz = gzopen(path, "rb");
		if (!cap->gz) {
			snprintf(err, errlen, "%s: cannot open as gzip", path);
			free(cap);
			return -1;
		}
		gzbuffer(cap->gz, 1u << 17);
		cap->src = SRC_GZ;
	} else if (map_file(cap, f)) {
		fclose(f);
	} else {
		rewind(f);
		cap->f = f;
		cap->src = SRC_FILE;
	}
	if (read_head(cap, err, errlen) < 0) {
		fc_capture_close(cap);
		return -1;
	}
	*out = cap;
	return 0;
}

int fc_capture_open_mem(const void *data, size_t len, const char *name, struct fc_capture **out,
			char *err, size_t errlen)
{
	*out = NULL;
	struct fc_capture *cap = cap_new(name);
	if (!cap) {
		snprintf(err, errlen, "%s: out of memory", name ? name : "<capture>");
		return -1;
	}
	cap->src = SRC_MEM;
	cap->wdata = data;
	cap->wlen = data ? len : 0;
	cap->weof = true;
	if (read_head(cap, err, errlen) < 0) {
		fc_capture_close(cap);
		return -1;
	}
	*out = cap;
	return 0;
}

void fc_capture_set_lite(struct fc_capture *cap, const bool *lite)
{
	for (unsigned c = 0; c < FC_EVENT_MAX; c++)
		cap->lite[c] = lite && lite[c];
}

const char *fc_capture_error(const struct fc_capture *cap)
{
	return cap->err;
}

const struct fc_cap_stats *fc_capture_stats(const struct fc_capture *cap)
{
	return &cap->st;
}

const struct fc_cap_machine *fc_capture_machine(const struct fc_capture *cap)
{
	return &cap->mi;
}

void fc_capture_version(const struct fc_capture *cap, unsigned *major, unsigned *minor)
{
	if (major)
		*major = cap->major;
	if (minor)
		*minor = cap->minor;
}

bool fc_capture_compressed(const struct fc_capture *cap)
{
	return cap->src == SRC_GZ;
}

void fc_capture_close(struct fc_capture *cap)
{
	if (!cap)
		return;
	if (cap->f)
		fclose(cap->f);
	if (cap->gz)
		gzclose(cap->gz);
	if (cap->map)
		munmap(cap->map, cap->maplen);
	free(cap->buf);
	free(cap->wbuf);
	free(cap);
}
