/* evtfields.c — the evt.* / syscall.* fields computed from the event itself, Falco's text
 * rendering of event parameters (evt.arg, evt.args), and the output value renderer
 * (see evtfields.h for the contract).
 *
 * Owned by the events work (issue 4). Renderings follow libsinsp's sinsp_evt::get_param_as_str
 * and the gen_event/event filterchecks as facts (formats, names, which value wins); the code is
 * ours. Name tables (flags, errnos, signals, dynamic parameters, print formats, meta events)
 * come from flags.def. Where Falco consults its thread/fd tables (an fd shown as
 * "<f>/etc/passwd", a pid as its comm, relative paths made absolute, fd-dependent fields),
 * the optional resolver of the context is asked; without one the output is what Falco prints
 * when it has no such state.
 *
 * Rendered strings go into the per-event scratch area: the string is built in place in the
 * free part of the scratch and committed only when it fits, so nothing is allocated per event. */
#include "evtfields.h"
#include "le.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------------------------ */
/* scratch and string building                                                                */
/* ------------------------------------------------------------------------------------------ */

void *fc_scratch_alloc(struct fc_scratch *s, size_t n)
{
	size_t at = (s->used + 7) & ~(size_t)7;
	if (!s->buf || at > s->cap || s->cap - at < n) {
		s->overflows++;
		return NULL;
	}
	s->used = at + n;
	return s->buf + at;
}

/* A bounded builder: LEN counts every byte appended (so truncation is visible), the buffer
 * always holds a NUL-terminated prefix. */
struct sb {
	char *p;
	size_t cap, len;
};

static void sb_init(struct sb *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	if (cap)
		p[0] = 0;
}

static void sb_putn(struct sb *b, const char *s, size_t n)
{
	if (b->cap && b->len < b->cap - 1) {
		size_t room = b->cap - 1 - b->len;
		size_t k = n < room ? n : room;
		memcpy(b->p + b->len, s, k);
		b->p[b->len + k] = 0;
	}
	b->len += n;
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_putc(struct sb *b, char c)
{
	sb_putn(b, &c, 1);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_putn(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Decimal integers without printf: every rendering of a number goes through these. */
static void sb_u64(struct sb *b, uint64_t v)
{
	char t[20];
	size_t n = sizeof t;
	do
		t[--n] = (char)('0' + v % 10);
	while ((v /= 10));
	sb_putn(b, t + n, sizeof t - n);
}

static void sb_i64(struct sb *b, int64_t v)
{
	if (v < 0) {
		sb_putn(b, "-", 1);
		sb_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		sb_u64(b, (uint64_t)v);
	}
}

static bool sb_fits(const struct sb *b)
{
	return b->cap && b->len < b->cap;
}

/* The free part of the scratch, 8-aligned; commit makes a built string permanent. */
static char *scratch_free(struct fc_scratch *s, size_t *cap)
{
	if (!s || !s->buf) {
		*cap = 0;
		return NULL;
	}
	size_t at = (s->used + 7) & ~(size_t)7;
	if (at >= s->cap) {
		*cap = 0;
		return NULL;
	}
	*cap = s->cap - at;
	return s->buf + at;
}

static bool scratch_commit(struct fc_scratch *s, const struct sb *b, struct fc_val *out)
{
	if (!b->p || !sb_fits(b)) {
		s->overflows++;
		return false;
	}
	s->used = (size_t)(b->p - s->buf) + b->len + 1;
	out->kind = FC_V_STR;
	out->s = b->p;
	out->len = (uint32_t)b->len;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* name tables (flags.def)                                                                    */
/* ------------------------------------------------------------------------------------------ */

struct fv {
	const char *name;
	uint32_t value;
};

enum fkind { BITS, ENUM, MODE };

#define FLAGS(t, k) static const struct fv tab_##t[] = {
#define FV(n, v) {(n), (uint32_t)(v)},
#define ENDFLAGS(t) {NULL, 0}};
#include "flags.def"

struct ftable {
	const char *name;
	enum fkind kind;
	const struct fv *v;
};

static const struct ftable ftables[] = {
#define FLAGS(t, k) {#t, (k), tab_##t},
#include "flags.def"
};

#define MAX_ERRNO 531
static const char *const errno_names[MAX_ERRNO] = {
#define ERRNO(n, s) [n] = (s),
#include "flags.def"
};

static const char *const sig_names[32] = {
#define SIG(n, s) [n] = (s),
#include "flags.def"
};

struct dynent {
	const char *table;
	uint8_t idx, type;
};

static const struct dynent dyns[] = {
#define DYN(t, i, ty) {#t, (i), (ty)},
#include "flags.def"
};

enum { PF_DEC = 0, HEX = 1, OCT = 2 };

struct pfmt {
	const char *ev, *param;
	uint8_t fmt;
};

static const struct pfmt pfmts[] = {
#define PFMT(e, p, f) {(e), (p), (f)},
#include "flags.def"
};

static const bool meta_tab[FC_EVENT_MAX] = {
#define META(id) [FC_PPME_##id] = true,
#include "flags.def"
};

const char *fc_errno_name(int64_t err)
{
	/* Falco narrows the result to 32 bits before negating it. */
	int64_t code = err < 0 ? -(int64_t)(int32_t)err : err;
	if (code <= 0 || code >= MAX_ERRNO)
		return NULL;
	return errno_names[code];
}

const char *fc_signal_name(unsigned sig)
{
	return sig < 32 ? sig_names[sig] : NULL;
}

static const struct ftable *ftable_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof ftables / sizeof ftables[0]; i++)
		if (ftables[i].name[0] == name[0] && strcmp(ftables[i].name, name) == 0)
			return &ftables[i];
	return NULL;
}

static void flags_to_sb(const struct fv *f, enum fc_ptype type, uint32_t initial, struct sb *b)
{
	const char *sep = "";
	if (type == PT_MODE) {
		uint32_t val = initial;
		for (; f->name && f->value != initial; f++) {
			if ((f->value == 0 && initial == 0) ||
			    (f->value != 0 && (val & f->value) == f->value && val != 0)) {
				sb_puts(b, sep);
				sb_puts(b, f->name);
				sep = "|";
				val &= ~f->value;
			}
		}
		if (f->name) {
			sb_puts(b, sep);
			sb_puts(b, f->name);
		}
		return;
	}
	bool exact = type == PT_ENUMFLAGS8 || type == PT_ENUMFLAGS16 || type == PT_ENUMFLAGS32;
	uint32_t val = initial;
	for (; f->name; f++) {
		bool match;
		if (exact) {
			match = f->value == initial;
		} else {
			match = (f->value == 0 && initial == 0) ||
				(f->value != 0 && (val & f->value) == f->value && val != 0);
			if (match)
				val &= ~f->value;
		}
		if (!match)
			continue;
		sb_puts(b, sep);
		sb_puts(b, f->name);
		sep = "|";
		if (!exact && f->value == initial)
			break;
	}
}

size_t fc_flags_render(const char *table, enum fc_ptype type, uint64_t value, char *buf, size_t len)
{
	struct sb b;
	sb_init(&b, buf, len);
	const struct ftable *t = ftable_find(table);
	if (t)
		flags_to_sb(t->v, type, (uint32_t)value, &b);
	return b.len;
}

static int pfmt_of(const char *ev, const char *param)
{
	/* first bytes compared inline: most entries differ there (every rendering asks) */
	for (size_t i = 0; i < sizeof pfmts / sizeof pfmts[0]; i++)
		if (pfmts[i].param[0] == param[0] && strcmp(pfmts[i].param, param) == 0 &&
		    (pfmts[i].ev[0] == '*' || (pfmts[i].ev[0] == ev[0] && strcmp(pfmts[i].ev, ev) == 0)))
			return pfmts[i].fmt;
	return PF_DEC;
}

static bool dyn_type(const char *table, uint8_t idx, enum fc_ptype *out)
{
	if (!table)
		return false;
	for (size_t i = 0; i < sizeof dyns / sizeof dyns[0]; i++)
		if (dyns[i].idx == idx && strcmp(dyns[i].table, table) == 0) {
			*out = (enum fc_ptype)dyns[i].type;
			return true;
		}
	return false;
}

/* ------------------------------------------------------------------------------------------ */
/* text helpers: paths, UTF-8, addresses, times                                               */
/* ------------------------------------------------------------------------------------------ */

#define SCAP_MAX_PATH FC_PATH_MAX

static bool path_invalid(unsigned char c)
{
	return c < 0x20 || c >= 0x7f;
}

/* Falco's copy_and_sanitize_path: TC writes at T (base TB), folding ".", ".." and "//". */
static void rewind_parent(const char *tb, char **tc, const char **pc, unsigned delta)
{
	if (*tc <= tb + 1) {
		*pc += delta;
		return;
	}
	(*tc)--;
	while (*tc >= tb + 1 && *((*tc) - 1) != '/')
		(*tc)--;
	*pc += delta;
}

static void sanitize_path(char *target, char *tb, const char *path)
{
	char *tc = target;
	const char *pc = path;
	bool empty_base = target == tb;
	for (;;) {
		if (*pc == 0) {
			*tc = 0;
			if (tc > tb + 1 && *(tc - 1) == '/')
				*(tc - 1) = 0;
			return;
		}
		if (path_invalid((unsigned char)*pc)) {
			*tc++ = '.';
			pc++;
		} else if (*pc == '.' && (tc == tb || *(tc - 1) == '/')) {
			if (pc[1] == '.' && pc[2] == '/')
				rewind_parent(tb, &tc, &pc, 3);
			else if (pc[1] == '.' && pc[2] == 0)
				rewind_parent(tb, &tc, &pc, 2);
			else if (pc[1] == '/')
				pc += 2;
			else if (pc[1] == 0)
				pc++;
			else
				*tc++ = *pc++;
		} else if (*pc == '/') {
			if ((tc > tb && *(tc - 1) == '/') || (tc == tb && !empty_base))
				pc++;
			else
				*tc++ = *pc++;
		} else {
			*tc++ = *pc++;
		}
	}
}

size_t fc_path_concat(const char *dir, size_t dlen, const char *path, size_t plen, char *buf, size_t len)
{
	char tgt[SCAP_MAX_PATH + 1];
	char p2[SCAP_MAX_PATH + 1];
	const char *res;
	if (SCAP_MAX_PATH < dlen + plen + 1) {
		res = "/PATH_TOO_LONG";
	} else {
		memcpy(p2, path, plen);
		p2[plen] = 0;
		if (plen != 0 && path[0] != '/') {
			memcpy(tgt, dir, dlen);
			sanitize_path(tgt + dlen, tgt, p2);
		} else {
			tgt[0] = 0;
			sanitize_path(tgt, tgt, p2);
		}
		res = tgt;
	}
	struct sb b;
	sb_init(&b, buf, len);
	sb_puts(&b, res);
	return b.len;
}

/* Length of the valid UTF-8 sequence at P (< END), or 0 when it is invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		min = 0x80;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		min = 0x800;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		min = 0x10000;
		c &= 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

/* Appends S (N bytes) with invalid UTF-8 bytes replaced by U+FFFD (Falco's strcpy_sanitized). */
static void sb_put_utf8(struct sb *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		size_t k = utf8_len(p, end);
		if (k == 0) {
			sb_putn(b, "\xEF\xBF\xBD", 3);
			p++;
		} else {
			sb_putn(b, (const char *)p, k);
			p += k;
		}
	}
}

/* String bytes of a CHARBUF-like parameter: up to its first NUL. */
static size_t cstr_len(const uint8_t *p, uint32_t len)
{
	const void *z = memchr(p, 0, len);
	return z ? (size_t)((const uint8_t *)z - p) : len;
}

static void sb_ipv4(struct sb *b, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			sb_putn(b, ".", 1);
		sb_u64(b, a[i]);
	}
}

static void sb_ipv6(struct sb *b, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];
	if (inet_ntop(AF_INET6, a, s, sizeof(s)))
		sb_puts(b, s);
}

static bool ipv4_mapped(const uint8_t *a)
{
	for (int i = 0; i < 10; i++)
		if (a[i])
			return false;
	if (a[10] == 0xff && a[11] == 0xff)
		return true;
	return a[10] == 0 && a[11] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 0;
}

static void sb_dots(struct sb *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_putc(b, isprint(p[i]) ? (char)p[i] : '.');
}

/* Local-time offset of "now", in seconds (Falco's gmt2local(0)). */
static long tz_offset(void)
{
	time_t now = time(NULL);
	struct tm lt;
	if (!localtime_r(&now, &lt))
		return 0;
	return lt.tm_gmtoff;
}

/* sinsp_utils::ts_to_string: local time of day, optional date and nanoseconds. */
static void sb_ts(struct sb *b, uint64_t ts, bool date, bool ns)
{
	uint64_t sec = ts / 1000000000ull, nsec = ts % 1000000000ull;
	int64_t local = (int64_t)sec + tz_offset();
	int64_t s = local % 86400;
	if (s < 0)
		s += 86400;
	if (date) {
		time_t day = (time_t)(local - s);
		struct tm tm;
		if (gmtime_r(&day, &tm))
			sb_printf(b, "%04d-%02d-%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		else
			sb_puts(b, "<date error> ");
	}
	sb_printf(b, "%02d:%02d:%02d", (int)(s / 3600), (int)(s % 3600 / 60), (int)(s % 60));
	if (ns)
		sb_printf(b, ".%09u", (unsigned)nsec);
}

static void sb_iso8601(struct sb *b, uint64_t ts)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	char d[64];
	if (!gmtime_r(&sec, &tm) || strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		sb_puts(b, "YYYY-MM-DDTHH:MM:SS-0000");
		return;
	}
	sb_puts(b, d);
	sb_printf(b, ".%09u+0000", (unsigned)(ts % 1000000000ull));
}

/* PT_ABSTIME parameters: local date and time; Falco's own formatting cuts the zone off. */
static void sb_abstime(struct sb *b, uint64_t v)
{
	time_t sec = (time_t)(v / 1000000000ull);
	struct tm tm;
	char d[64];
	if (!localtime_r(&sec, &tm) || strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return;
	sb_puts(b, d);
	sb_printf(b, ".%09lu", (unsigned long)(v % 1000000000ull));
}

/* ------------------------------------------------------------------------------------------ */
/* parameter rendering (sinsp_evt::get_param_as_str)                                           */
/* ------------------------------------------------------------------------------------------ */

static uint64_t rd_n(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int64_t sext(uint64_t v, unsigned bytes)
{
	if (bytes >= 8)
		return (int64_t)v;
	unsigned sh = 64 - 8 * bytes;
	return (int64_t)(v << sh) >> sh;
}

/* An integer formatted as SET_NUMERIC_FORMAT does: decimal through the signed conversion,
 * upper-case hex, or '#'-octal, of the value as C's promotions leave it. */
static void sb_num(struct sb *b, uint64_t v, unsigned bytes, bool sign, int fmt)
{
	if (bytes < 8) {
		/* 8/16-bit values are promoted to int; 32-bit ones stay 32-bit. */
		v = sign || bytes == 4 ? (uint64_t)sext(v, bytes) : v;
		if (fmt != PF_DEC)
			v &= 0xffffffffull;
	}
	if (fmt == HEX)
		sb_printf(b, "%" PRIX64, v);
	else if (fmt == OCT)
		sb_printf(b, "%#" PRIo64, v);
	else
		sb_i64(b, (int64_t)v);
}

static void sb_fd_desc(struct sb *b, const struct fc_fd_view *fd)
{
	char ts[3] = {fd->typechar, 0, 0};
	if (fd->type == 3 || fd->type == 4 || fd->type == 5 || fd->type == 6) {
		static const char l4[] = {0, 't', 'u', 'i', 'r'};
		if (fd->l4proto < sizeof l4)
			ts[1] = l4[fd->l4proto];
	}
	sb_putc(b, '<');
	sb_puts(b, ts);
	sb_putc(b, '>');
	if (fd->name)
		sb_put_utf8(b, fd->name, strlen(fd->name));
}

static const struct fc_evt_resolver *rsv(const struct fc_evt_ctx *c)
{
	return c->resolver;
}

/* Base directory for a relative path parameter (sinsp_evt::get_base_dir), '/'-terminated.
 * False when the thread is unknown (no resolver cwd). */
static bool base_dir(const struct fc_evt_ctx *c, unsigned i, struct sb *dir)
{
	const struct fc_evt_resolver *r = rsv(c);
	const char *cwd = NULL;
	if (!r || !r->cwd || !r->cwd(r->ud, &cwd) || !cwd)
		return false;
	const struct fc_evt *e = c->ev;
	const struct fc_param *pi = &e->info->params[i];
	const char *base = cwd;
	if (pi->type == PT_FSRELPATH && pi->dirfd >= 0 && (unsigned)pi->dirfd < e->nparams &&
	    fc_evt_param_type(e, (unsigned)pi->dirfd) == PT_FD) {
		int64_t dfd;
		if (fc_evt_get_i64(e, (unsigned)pi->dirfd, &dfd) && dfd != -100) {
			struct fc_fd_view fv;
			base = "";
			if (r->fd && r->fd(r->ud, dfd, &fv) && fv.name)
				base = fv.name;
		}
	}
	sb_puts(dir, base);
	if (dir->len && dir->p[dir->len - 1] != '/')
		sb_putc(dir, '/');
	return true;
}

/* Renders parameter I of C->ev: the plain text into RAW, the resolved one (possibly empty)
 * into RES, as get_param_as_str does. */
static void param_render(const struct fc_evt_ctx *c, unsigned i, struct sb *raw, struct sb *res)
{
	const struct fc_evt *e = c->ev;
	const struct fc_param *pi = &e->info->params[i];
	enum fc_ptype t = (enum fc_ptype)pi->type;
	const uint8_t *p = e->pval[i];
	uint32_t len = e->plen[i];
	const struct fc_evt_resolver *r = rsv(c);

	if (len == 0) {
		bool nul = t == PT_BYTEBUF || t == PT_SOCKTUPLE || t == PT_FDLIST ||
			   t == PT_CHARBUFARRAY || t == PT_CHARBUF_PAIR_ARRAY || t == PT_DYN;
		sb_puts(raw, nul ? "NULL" : "<NA>");
		return;
	}
	if (t == PT_DYN) {
		enum fc_ptype sub;
		if (!dyn_type(pi->info, p[0], &sub)) {
			sb_puts(raw, "INVALID DYNAMIC PARAMETER");
			return;
		}
		t = sub;
		p++;
		len--;
	}
	unsigned fsz = fc_ptype_size(t);
	if (fsz && len != fsz) {
		sb_puts(raw, "<NA>");
		return;
	}
	int fmt = pfmt_of(e->info->name, pi->name);
	uint64_t u = fsz ? rd_n(p, fsz) : 0;

	switch (t) {
	case PT_INT8:
	case PT_INT16:
	case PT_INT32:
	case PT_INT64:
		sb_num(raw, u, fsz, true, fmt);
		break;
	case PT_UINT8:
	case PT_UINT16:
	case PT_UINT32:
	case PT_UINT64:
		sb_num(raw, u, fsz, false, fmt);
		break;
	case PT_FD: {
		int64_t fd = (int64_t)u;
		sb_i64(raw, fd);
		struct fc_fd_view fv;
		if (fd >= 0) {
			if (r && r->fd && r->fd(r->ud, fd, &fv))
				sb_fd_desc(res, &fv);
		} else if (fd == -100) {
			sb_puts(res, "AT_FDCWD");
		} else if (fc_errno_name(fd)) {
			sb_puts(res, fc_errno_name(fd));
		}
		break;
	}
	case PT_PID: {
		sb_i64(raw, (int64_t)u);
		const char *comm;
		if (r && r->comm && r->comm(r->ud, (int64_t)u, &comm) && comm)
			sb_puts(res, comm);
		break;
	}
	case PT_ERRNO: {
		int64_t v = (int64_t)u;
		sb_i64(raw, v);
		if (v < 0 && fc_errno_name(v))
			sb_puts(res, fc_errno_name(v));
		break;
	}
	case PT_CHARBUF:
		sb_putn(raw, (const char *)p, cstr_len(p, len));
		break;
	case PT_FSPATH:
	case PT_FSRELPATH: {
		size_t n = cstr_len(p, len);
		sb_put_utf8(raw, (const char *)p, n);
		char dbuf[SCAP_MAX_PATH + 2];
		struct sb dir;
		sb_init(&dir, dbuf, sizeof dbuf);
		if (!base_dir(c, i, &dir)) {
			sb_put_utf8(res, (const char *)p, n); /* no thread: resolved = plain */
		} else if (n && p[0] != '/' && sb_fits(&dir)) {
			char out[SCAP_MAX_PATH + 1];
			fc_path_concat(dir.p, dir.len, (const char *)p, n, out, sizeof out);
			sb_put_utf8(res, out, strlen(out));
		}
		break;
	}
	case PT_BYTEBUF:
		sb_dots(raw, p, len);
		break;
	case PT_SOCKADDR:
		switch (p[0]) {
		case 1:
			sb_put_utf8(raw, (const char *)p + 1, cstr_len(p + 1, len - 1));
			break;
		case 2:
			if (len == 7) {
				sb_ipv4(raw, p + 1);
				sb_putn(raw, ":", 1);
				sb_u64(raw, rd16(p + 5));
			} else {
				sb_puts(raw, "INVALID IPv4");
			}
			break;
		case 10:
			if (len == 19) {
				sb_ipv6(raw, p + 1);
				sb_putn(raw, ":", 1);
				sb_u64(raw, rd16(p + 17));
			} else {
				sb_puts(raw, "INVALID IPv6");
			}
			break;
		default:
			sb_printf(raw, "family %d", p[0]);
		}
		break;
	case PT_SOCKTUPLE:
		switch (p[0]) {
		case 2:
			if (len == 13) {
				sb_ipv4(raw, p + 1);
				sb_putn(raw, ":", 1);
				sb_u64(raw, rd16(p + 5));
				sb_putn(raw, "->", 2);
				sb_ipv4(raw, p + 7);
				sb_putn(raw, ":", 1);
				sb_u64(raw, rd16(p + 11));
			} else {
				sb_puts(raw, "INVALID IPv4");
			}
			break;
		case 10:
			if (len != 37) {
				sb_puts(raw, "INVALID IPv6");
			} else if (ipv4_mapped(p + 1) && ipv4_mapped(p + 19)) {
				sb_ipv4(raw, p + 13);
				sb_putn(raw, ":", 1);
				sb_u64(raw, rd16(p + 17));
				sb_putn(raw, "->", 2);
				sb_ipv4(raw, p + 31);
				sb_putn(raw, ":", 1);
				sb_u64(raw, rd16(p + 35));
			} else {
				sb_ipv6(raw, p + 1);
				sb_putn(raw, ":", 1);
				sb_u64(raw, rd16(p + 17));
				sb_putn(raw, "->", 2);
				sb_ipv6(raw, p + 19);
				sb_putn(raw, ":", 1);
				sb_u64(raw, rd16(p + 35));
			}
			break;
		case 1: {
			uint64_t src = len >= 9 ? rd64(p + 1) : 0, dst = len >= 17 ? rd64(p + 9) : 0;
			sb_printf(raw, "%" PRIx64 "->%" PRIx64 " ", src, dst);
			if (len > 17)
				sb_put_utf8(raw, (const char *)p + 17, cstr_len(p + 17, len - 17));
			break;
		}
		default:
			sb_printf(raw, "family %d", p[0]);
		}
		break;
	case PT_FDLIST: {
		uint16_t n = len >= 2 ? rd16(p) : 0;
		uint32_t pos = 2;
		for (uint16_t j = 0; j < n && pos + 10 <= len; j++, pos += 10) {
			int64_t fd = (int64_t)rd64(p + pos);
			int16_t fl = (int16_t)rd16(p + pos + 8);
			struct fc_fd_view fv;
			char tch = r && r->fd && r->fd(r->ud, fd, &fv) ? fv.typechar : '?';
			if (j)
				sb_putc(raw, ' ');
			sb_printf(raw, "%" PRIu64 ":%c%x", (uint64_t)fd, tch, (unsigned)(int32_t)fl);
		}
		break;
	}
	case PT_SYSCALLID: {
		sb_u64(raw, (unsigned)u);
		const struct fc_syscall_info *sc = fc_syscall_by_ppm_sc((unsigned)u);
		if (sc)
			sb_puts(res, sc->name);
		break;
	}
	case PT_SIGTYPE:
		sb_u64(raw, (unsigned)u);
		if (fc_signal_name((unsigned)u))
			sb_puts(res, fc_signal_name((unsigned)u));
		break;
	case PT_RELTIME:
		if (u == UINT64_MAX) {
			sb_puts(raw, "none");
		} else {
			sb_printf(raw, "%" PRIu64, u);
			sb_printf(res, "%gs", (double)u / 1000000000.0);
		}
		break;
	case PT_FLAGS8:
	case PT_FLAGS16:
	case PT_FLAGS32:
	case PT_ENUMFLAGS8:
	case PT_ENUMFLAGS16:
	case PT_ENUMFLAGS32: {
		sb_u64(raw, (uint32_t)u);
		const struct ftable *ft = ftable_find(pi->info);
		if (ft)
			flags_to_sb(ft->v, t, (uint32_t)u, res);
		break;
	}
	case PT_MODE: {
		sb_num(raw, u, 4, false, fmt);
		const struct ftable *ft = ftable_find(pi->info);
		if (ft)
			flags_to_sb(ft->v, PT_MODE, (uint32_t)u, res);
		break;
	}
	case PT_ABSTIME:
		sb_abstime(raw, u);
		break;
	case PT_UID:
	case PT_GID: {
		uint32_t v = (uint32_t)u;
		if (v == UINT32_MAX) {
			sb_puts(raw, "-1");
			sb_puts(res, "<NONE>");
			break;
		}
		sb_i64(raw, (int32_t)v);
		const char *name = NULL;
		bool ok = r && (t == PT_UID ? r->user && r->user(r->ud, v, &name)
					    : r->group && r->group(r->ud, v, &name));
		sb_puts(res, ok && name && name[0] ? name : "<NA>");
		break;
	}
	case PT_SIGSET: {
		bool first = true;
		for (unsigned s = 0; s < 32; s++) {
			if (!((uint32_t)u & (1u << s)) || !fc_signal_name(s + 1))
				continue;
			if (!first)
				sb_putc(raw, ' ');
			sb_puts(raw, fc_signal_name(s + 1));
			first = false;
		}
		break;
	}
	case PT_CHARBUFARRAY: {
		/* NUL-separated strings, shown joined with '.' */
		uint32_t pos = 0;
		bool first = true;
		while (pos < len) {
			size_t n = cstr_len(p + pos, len - pos);
			if (!first)
				sb_putc(raw, '.');
			sb_putn(raw, (const char *)p + pos, n);
			first = false;
			pos += (uint32_t)n + 1;
		}
		break;
	}
	case PT_CHARBUF_PAIR_ARRAY: {
		uint32_t pos = 0;
		unsigned k = 0;
		while (pos < len) {
			size_t n = cstr_len(p + pos, len - pos);
			if (k)
				sb_putc(raw, k % 2 ? ':' : ',');
			sb_putn(raw, (const char *)p + pos, n);
			k++;
			pos += (uint32_t)n + 1;
		}
		break;
	}
	case PT_IPV4ADDR:
		sb_ipv4(raw, p);
		break;
	case PT_IPV6ADDR:
		sb_ipv6(raw, p);
		break;
	case PT_PORT:
		sb_u64(raw, (unsigned)u);
		break;
	case PT_FD32:
	case PT_PID32:
		sb_i64(raw, (int32_t)u);
		break;
	default:
		sb_puts(raw, "(n.a.)");
	}
}

#define RES_MAX 8192

bool fc_evt_param_str(const struct fc_evt_ctx *c, unsigned i, bool resolved, char *buf, size_t len,
		      size_t *outlen)
{
	if (!c->ev || !c->ev->info || i >= c->ev->nparams || i >= c->ev->info->nparams)
		return false;
	char rbuf[RES_MAX];
	struct sb raw, res;
	sb_init(&raw, buf, len);
	sb_init(&res, rbuf, sizeof rbuf);
	param_render(c, i, &raw, &res);
	if (resolved && res.len) {
		sb_init(&raw, buf, len);
		sb_putn(&raw, rbuf, res.len < sizeof rbuf ? res.len : sizeof rbuf - 1);
	}
	if (outlen)
		*outlen = raw.len;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* event properties                                                                           */
/* ------------------------------------------------------------------------------------------ */

static bool is_syscall(const struct fc_evt *e)
{
	return (e->info->flags & (FC_EF_TP | FC_EF_UNUSED)) == 0;
}

static bool is_meta(const struct fc_evt *e)
{
	return meta_tab[e->type];
}

static int param_index(const struct fc_evt *e, const char *name)
{
	for (uint32_t k = 0; k < e->nparams && k < e->info->nparams; k++)
		if (strcmp(e->info->params[k].name, name) == 0)
			return (int)k;
	return -1;
}

/* sinsp_evt::has_return_value / get_syscall_return_value. */
static bool retval(const struct fc_evt *e, int64_t *res)
{
	if (!fc_evt_is_exit(e) || !is_syscall(e) || e->nparams == 0)
		return false;
	switch (fc_evt_param_type(e, 0)) {
	case PT_ERRNO:
	case PT_FD:
	case PT_PID:
	case PT_INT64:
	case PT_UINT64:
		return fc_evt_get_i64(e, 0, res);
	default:
		return false;
	}
}

/* evt.type / syscall.type name of a generic event: the syscall its ID parameter names. */
static const char *generic_name(const struct fc_evt *e)
{
	uint64_t id;
	if (!fc_evt_get_u64(e, 0, &id))
		return "unknown";
	const struct fc_syscall_info *sc = fc_syscall_by_ppm_sc((unsigned)id);
	return sc ? sc->name : "unknown";
}

static bool is_io_category(const char *cat)
{
	return strncmp(cat, "io_", 3) == 0;
}

static bool event_fd(const struct fc_evt_ctx *c, struct fc_fd_view *fv)
{
	const struct fc_evt_resolver *r = rsv(c);
	return r && r->event_fd && r->event_fd(r->ud, fv);
}

static bool fd_is_file(uint8_t t)
{
	return t == 1 || t == 16; /* FILE, FILE_V2 */
}

static bool fd_is_net(uint8_t t)
{
	return t >= 3 && t <= 6; /* IPv4/IPv6 sockets and server sockets */
}

static bool open_family(uint16_t t)
{
	return t == FC_PPME_SYSCALL_OPEN_X || t == FC_PPME_SYSCALL_CREAT_X ||
	       t == FC_PPME_SYSCALL_OPENAT_2_X || t == FC_PPME_SYSCALL_OPENAT2_X ||
	       t == FC_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X;
}

static bool net_family(uint16_t t)
{
	return t == FC_PPME_SOCKET_ACCEPT_5_X || t == FC_PPME_SOCKET_ACCEPT4_6_X ||
	       t == FC_PPME_SOCKET_CONNECT_X;
}

/* ------------------------------------------------------------------------------------------ */
/* field extraction                                                                           */
/* ------------------------------------------------------------------------------------------ */

bool fc_evtfield_handles(enum fc_field_id id)
{
	if ((unsigned)id >= FC_F_MAX_ || id == FC_F_EVT_ABSPATH)
		return false;
	/* asked for every extraction: plain byte tests rather than two strncmp calls */
	const char *n = fc_fields[id].name;
	if (n[0] == 'e')
		return n[1] == 'v' && n[2] == 't' && n[3] == '.';
	return n[0] == 's' && strncmp(n, "syscall.", 8) == 0;
}

static bool set_u(struct fc_val *o, uint64_t v)
{
	o->kind = FC_V_U64;
	o->u = v;
	o->len = 0;
	return true;
}

static bool set_i(struct fc_val *o, int64_t v)
{
	o->kind = FC_V_I64;
	o->i = v;
	o->len = 0;
	return true;
}

static bool set_cs(struct fc_val *o, const char *s)
{
	o->kind = FC_V_STR;
	o->s = s;
	o->len = (uint32_t)strlen(s);
	return true;
}

static bool set_none(struct fc_val *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = FC_V_NONE;
	return false;
}

/* Builds a string in the scratch with FN and returns it as OUT. */
static bool build_str(const struct fc_evt_ctx *c, struct fc_val *out,
		      void (*fn)(const struct fc_evt_ctx *, const void *, struct sb *), const void *arg)
{
	size_t cap;
	char *p = scratch_free(c->scratch, &cap);
	if (!p) {
		if (c->scratch)
			c->scratch->overflows++;
		return set_none(out);
	}
	struct sb b;
	sb_init(&b, p, cap);
	fn(c, arg, &b);
	if (!scratch_commit(c->scratch, &b, out))
		return set_none(out);
	return true;
}

struct tsarg {
	bool date, ns, iso;
};

static void mk_time(const struct fc_evt_ctx *c, const void *arg, struct sb *b)
{
	const struct tsarg *a = arg;
	if (a->iso)
		sb_iso8601(b, c->ev->ts);
	else
		sb_ts(b, c->ev->ts, a->date, a->ns);
}

static void mk_args(const struct fc_evt_ctx *c, const void *arg, struct sb *b)
{
	(void)arg;
	const struct fc_evt *e = c->ev;
	if (e->type == FC_PPME_GENERIC_X)
		return; /* Falco shows no arguments for generic events */
	char rbuf[RES_MAX];
	for (uint32_t j = 0; j < e->nparams && j < e->info->nparams; j++) {
		struct sb res;
		sb_init(&res, rbuf, sizeof rbuf);
		if (j)
			sb_putc(b, ' ');
		sb_puts(b, e->info->params[j].name);
		sb_putc(b, '=');
		param_render(c, j, b, &res);
		if (res.len) {
			sb_putc(b, '(');
			sb_putn(b, rbuf, res.len < sizeof rbuf ? res.len : sizeof rbuf - 1);
			sb_putc(b, ')');
		}
	}
}

static void mk_res(const struct fc_evt_ctx *c, const void *arg, struct sb *b)
{
	(void)arg;
	char rbuf[RES_MAX];
	struct sb res;
	sb_init(&res, rbuf, sizeof rbuf);
	param_render(c, 0, b, &res);
	if (res.len) {
		b->len = 0;
		b->p[0] = 0;
		sb_putn(b, rbuf, res.len < sizeof rbuf ? res.len : sizeof rbuf - 1);
	}
}

/* evt.arg: the resolved text when there is one, else the plain one. */
static bool extract_arg(const struct fc_evt_ctx *c, unsigned i, struct fc_val *out)
{
	size_t cap;
	char *p = scratch_free(c->scratch, &cap);
	if (!p) {
		if (c->scratch)
			c->scratch->overflows++;
		return set_none(out);
	}
	char rbuf[RES_MAX];
	struct sb raw, res;
	sb_init(&raw, p, cap);
	sb_init(&res, rbuf, sizeof rbuf);
	param_render(c, i, &raw, &res);
	if (res.len) {
		sb_init(&raw, p, cap);
		sb_putn(&raw, rbuf, res.len < sizeof rbuf ? res.len : sizeof rbuf - 1);
	}
	if (!scratch_commit(c->scratch, &raw, out))
		return set_none(out);
	return true;
}

/* evt.rawarg: the parameter with its own type. */
static bool extract_rawarg(const struct fc_evt *e, unsigned i, struct fc_val *out)
{
	const struct fc_param *pi = &e->info->params[i];
	enum fc_ptype t = (enum fc_ptype)pi->type;
	const uint8_t *p = e->pval[i];
	uint32_t len = e->plen[i];
	if (len == 0)
		return set_none(out);
	if (t == PT_DYN) {
		enum fc_ptype sub;
		if (!dyn_type(pi->info, p[0], &sub))
			return set_none(out);
		t = sub;
		p++;
		len--;
	}
	unsigned fsz = fc_ptype_size(t);
	if (fsz && len != fsz)
		return set_none(out);
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
		return set_i(out, sext(rd_n(p, fsz), fsz));
	case PT_CHARBUF:
	case PT_FSPATH:
	case PT_FSRELPATH:
		out->kind = FC_V_STR;
		out->s = (const char *)p;
		out->len = (uint32_t)cstr_len(p, len);
		return true;
	case PT_IPV4ADDR:
		out->kind = FC_V_IPV4;
		out->u = rd32(p);
		out->len = 4;
		return true;
	case PT_IPV6ADDR:
		out->kind = FC_V_IPV6;
		out->s = (const char *)p;
		out->len = 16;
		return true;
	case PT_DOUBLE: {
		uint64_t bits = rd64(p);
		out->kind = FC_V_DBL;
		memcpy(&out->d, &bits, sizeof(out->d));
		out->len = 0;
		return true;
	}
	default:
		if (fsz)
			return set_u(out, rd_n(p, fsz));
		out->kind = FC_V_BUF;
		out->s = (const char *)p;
		out->len = len;
		return true;
	}
}

/* Falco's error counters: 1 failed, 0 succeeded, missing when the event has no result. */
static bool error_count(const struct fc_evt *e, struct fc_val *out)
{
	int64_t res;
	if (!retval(e, &res))
		return set_none(out);
	return set_u(out, res < 0);
}

static bool type_is(const struct fc_evt *e, const char *arg)
{
	char *end;
	if (arg[0] >= '0' && arg[0] <= '9') {
		unsigned long v = strtoul(arg, &end, 10);
		if (*end == 0)
			return e->type == v;
	}
	for (unsigned j = 0; j < FC_EVENT_MAX; j++)
		if (strcmp(fc_events[j].name, arg) == 0)
			return e->type == j || e->type == j + 1;
	return false;
}

static bool is_open_flag(const struct fc_evt *e, enum fc_field_id id)
{
	uint16_t t = e->type;
	const uint32_t exec_mask = 0x40 | 0x8 | 0x1; /* S_IXUSR | S_IXGRP | S_IXOTH */
	uint64_t flags = 0, mode;
	if (t == FC_PPME_SYSCALL_OPEN_X || t == FC_PPME_SYSCALL_OPENAT_2_X ||
	    t == FC_PPME_SYSCALL_OPENAT2_X || t == FC_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X) {
		bool nv = t == FC_PPME_SYSCALL_OPENAT_2_X || t == FC_PPME_SYSCALL_OPENAT2_X;
		fc_evt_get_u64(e, nv ? 3 : 2, &flags);
		switch (id) {
		case FC_F_EVT_IS_OPEN_READ:
			return flags & 0x1;
		case FC_F_EVT_IS_OPEN_WRITE:
			return flags & 0x2;
		case FC_F_EVT_IS_OPEN_CREATE: {
			int64_t res;
			return (flags & 0x4000) || ((flags & 0x2000) && retval(e, &res) && res >= 0);
		}
		default: /* exec */
			if ((flags & (0x2000 | 0x4)) && t != FC_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X &&
			    fc_evt_get_u64(e, nv ? 4 : 3, &mode))
				return mode & exec_mask;
			return false;
		}
	}
	if (id == FC_F_EVT_IS_OPEN_EXEC && t == FC_PPME_SYSCALL_CREAT_X && fc_evt_get_u64(e, 2, &mode))
		return mode & exec_mask;
	return false;
}

bool fc_evtfield_extract(const struct fc_evt_ctx *c, const struct fc_fieldspec *f, struct fc_val *out)
{
	const struct fc_evt *e = c->ev;
	if (!e || !e->info || e->type >= FC_EVENT_MAX || !fc_evtfield_handles(f->id))
		return set_none(out);
	uint64_t ts = e->ts;
	int64_t res;
	struct fc_fd_view fv;
	const char *cat = e->info->category;

	switch (f->id) {
	case FC_F_EVT_NUM:
		return set_u(out, c->num);
	case FC_F_EVT_TIME:
	case FC_F_EVT_OUTPUTTIME: {
		static const struct tsarg a = {false, true, false};
		return build_str(c, out, mk_time, &a);
	}
	case FC_F_EVT_TIME_S: {
		static const struct tsarg a = {false, false, false};
		return build_str(c, out, mk_time, &a);
	}
	case FC_F_EVT_TIME_ISO8601: {
		static const struct tsarg a = {false, false, true};
		return build_str(c, out, mk_time, &a);
	}
	case FC_F_EVT_DATETIME: {
		static const struct tsarg a = {true, true, false};
		return build_str(c, out, mk_time, &a);
	}
	case FC_F_EVT_DATETIME_S: {
		static const struct tsarg a = {true, false, false};
		return build_str(c, out, mk_time, &a);
	}
	case FC_F_EVT_RAWTIME:
	case FC_F_EVT_AROUND:
		return set_u(out, ts);
	case FC_F_EVT_RAWTIME_S:
		return set_u(out, ts / 1000000000ull);
	case FC_F_EVT_RAWTIME_NS:
		return set_u(out, ts % 1000000000ull);
	case FC_F_EVT_RELTIME:
		return set_u(out, ts - c->first_ts);
	case FC_F_EVT_RELTIME_S:
		return set_u(out, (ts - c->first_ts) / 1000000000ull);
	case FC_F_EVT_RELTIME_NS:
		return set_u(out, (ts - c->first_ts) % 1000000000ull);
	case FC_F_EVT_DELTATIME:
		return set_u(out, c->prev_ts ? ts - c->prev_ts : 0);
	case FC_F_EVT_DELTATIME_S:
		return set_u(out, c->prev_ts ? (ts - c->prev_ts) / 1000000000ull : 0);
	case FC_F_EVT_DELTATIME_NS:
		return set_u(out, c->prev_ts ? (ts - c->prev_ts) % 1000000000ull : 0);
	case FC_F_EVT_SOURCE:
		return set_cs(out, "syscall");
	case FC_F_EVT_IS_ASYNC:
		return set_u(out, is_meta(e));
	case FC_F_EVT_ASYNCTYPE:
		if (!is_meta(e))
			return set_none(out);
		if (e->type == FC_PPME_ASYNCEVENT_E) {
			const char *n = fc_evt_get_str(e, 1);
			return n ? set_cs(out, n) : set_none(out);
		}
		return set_cs(out, e->info->name);
	case FC_F_EVT_HOSTNAME:
		return c->hostname ? set_cs(out, c->hostname) : set_none(out);
	case FC_F_EVT_LATENCY:
	case FC_F_EVT_LATENCY_S:
	case FC_F_EVT_LATENCY_NS:
	case FC_F_EVT_LATENCY_QUANTIZED:
	case FC_F_EVT_WAIT_LATENCY:
		return set_u(out, 0); /* deprecated upstream: always 0 */
	case FC_F_EVT_LATENCY_HUMAN:
		return set_cs(out, "0ns");
	case FC_F_EVT_DIR:
		return set_cs(out, "<"); /* one event per syscall: always the exit */
	case FC_F_EVT_TYPE:
		if (e->type == FC_PPME_GENERIC_X)
			return set_cs(out, generic_name(e));
		if (e->type == FC_PPME_ASYNCEVENT_E) {
			const char *n = fc_evt_get_str(e, 1);
			return n ? set_cs(out, n) : set_none(out);
		}
		return set_cs(out, e->info->name);
	case FC_F_EVT_TYPE_IS:
		return set_u(out, f->arg && type_is(e, f->arg));
	case FC_F_SYSCALL_TYPE:
		if (!is_syscall(e))
			return set_none(out);
		return set_cs(out, e->type == FC_PPME_GENERIC_X ? generic_name(e) : e->info->name);
	case FC_F_EVT_CATEGORY:
		if (!is_io_category(cat))
			return set_cs(out, cat);
		if (!event_fd(c, &fv))
			return set_cs(out, "unknown");
		switch (fv.type) {
		case 1: case 16: case 2:
			return set_cs(out, "file");
		case 3: case 4: case 5: case 6:
			return set_cs(out, "net");
		case 7: case 8: case 9: case 11: case 13: case 18:
			return set_cs(out, "ipc");
		default:
			return set_cs(out, "unknown");
		}
	case FC_F_EVT_CPU:
		return c->cpu_known ? set_i(out, (int16_t)c->cpu) : set_none(out);
	case FC_F_EVT_ARGS:
	case FC_F_EVT_INFO:
		return build_str(c, out, mk_args, NULL);
	case FC_F_EVT_ARG: {
		int k = -1;
		if (f->arg_is_index) {
			if (f->index >= 0 && f->index < (int64_t)e->nparams && f->index < e->info->nparams)
				k = (int)f->index;
		} else if (f->arg) {
			k = param_index(e, f->arg);
		}
		return k < 0 ? set_none(out) : extract_arg(c, (unsigned)k, out);
	}
	case FC_F_EVT_RAWARG: {
		int k = f->arg ? param_index(e, f->arg) : -1;
		return k < 0 ? set_none(out) : extract_rawarg(e, (unsigned)k, out);
	}
	case FC_F_EVT_BUFFER: {
		int k = param_index(e, "data");
		if (k < 0 || e->plen[k] == 0 || fc_evt_param_type(e, (unsigned)k) != PT_BYTEBUF)
			return set_none(out);
		out->kind = FC_V_BUF;
		out->s = (const char *)e->pval[k];
		out->len = e->plen[k];
		return true;
	}
	case FC_F_EVT_BUFLEN:
	case FC_F_EVT_BUFLEN_IN:
	case FC_F_EVT_BUFLEN_OUT:
	case FC_F_EVT_BUFLEN_FILE:
	case FC_F_EVT_BUFLEN_FILE_IN:
	case FC_F_EVT_BUFLEN_FILE_OUT:
	case FC_F_EVT_BUFLEN_NET:
	case FC_F_EVT_BUFLEN_NET_IN:
	case FC_F_EVT_BUFLEN_NET_OUT: {
		if (!is_io_category(cat) || !event_fd(c, &fv) || !retval(e, &res) || res < 0)
			return set_none(out);
		bool in = strcmp(cat, "io_read") == 0, outw = strcmp(cat, "io_write") == 0;
		bool ok;
		switch (f->id) {
		case FC_F_EVT_BUFLEN_IN: ok = in; break;
		case FC_F_EVT_BUFLEN_OUT: ok = outw; break;
		case FC_F_EVT_BUFLEN_FILE: ok = fd_is_file(fv.type); break;
		case FC_F_EVT_BUFLEN_FILE_IN: ok = in && fd_is_file(fv.type); break;
		case FC_F_EVT_BUFLEN_FILE_OUT: ok = outw && fd_is_file(fv.type); break;
		case FC_F_EVT_BUFLEN_NET: ok = fd_is_net(fv.type); break;
		case FC_F_EVT_BUFLEN_NET_IN: ok = in && fd_is_net(fv.type); break;
		case FC_F_EVT_BUFLEN_NET_OUT: ok = outw && fd_is_net(fv.type); break;
		default: ok = true;
		}
		return ok ? set_u(out, (uint64_t)res) : set_none(out);
	}
	case FC_F_EVT_RES:
		if (!retval(e, &res))
			return set_none(out);
		if (res >= 0)
			return set_cs(out, "SUCCESS");
		return build_str(c, out, mk_res, NULL);
	case FC_F_EVT_RAWRES:
		return retval(e, &res) ? set_i(out, res) : set_none(out);
	case FC_F_EVT_FAILED:
	case FC_F_EVT_COUNT_ERROR:
		return error_count(e, out);
	case FC_F_EVT_IS_IO:
		return set_u(out, (e->info->flags & (FC_EF_READS_FROM_FD | FC_EF_WRITES_TO_FD)) != 0);
	case FC_F_EVT_IS_IO_READ:
		return set_u(out, (e->info->flags & FC_EF_READS_FROM_FD) != 0);
	case FC_F_EVT_IS_IO_WRITE:
		return set_u(out, (e->info->flags & FC_EF_WRITES_TO_FD) != 0);
	case FC_F_EVT_IO_DIR:
		if (e->info->flags & FC_EF_WRITES_TO_FD)
			return set_cs(out, "write");
		if (e->info->flags & FC_EF_READS_FROM_FD)
			return set_cs(out, "read");
		return set_none(out);
	case FC_F_EVT_IS_WAIT:
		return set_u(out, (e->info->flags & FC_EF_WAITS) != 0);
	case FC_F_EVT_IS_SYSLOG:
		return set_u(out, (e->info->flags & FC_EF_WRITES_TO_FD) && event_fd(c, &fv) &&
					  fv.is_syslog);
	case FC_F_EVT_COUNT:
		return set_u(out, 1);
	case FC_F_EVT_COUNT_ERROR_FILE:
		if (event_fd(c, &fv))
			return fd_is_file(fv.type) || fv.type == 2 ? error_count(e, out) : set_none(out);
		return open_family(e->type) ? error_count(e, out) : set_none(out);
	case FC_F_EVT_COUNT_ERROR_NET:
		if (event_fd(c, &fv))
			return fd_is_net(fv.type) || fv.type == 8 ? error_count(e, out) : set_none(out);
		return net_family(e->type) ? error_count(e, out) : set_none(out);
	case FC_F_EVT_COUNT_ERROR_MEMORY:
		return strcmp(cat, "memory") == 0 ? error_count(e, out) : set_none(out);
	case FC_F_EVT_COUNT_ERROR_OTHER:
		if (event_fd(c, &fv))
			return !(fd_is_file(fv.type) || fv.type == 2 || fd_is_net(fv.type) || fv.type == 8)
				       ? error_count(e, out)
				       : set_none(out);
		return !(open_family(e->type) || net_family(e->type) || strcmp(cat, "memory") == 0)
			       ? error_count(e, out)
			       : set_none(out);
	case FC_F_EVT_COUNT_EXIT:
		return fc_evt_is_exit(e) ? set_u(out, 1) : set_none(out);
	case FC_F_EVT_COUNT_THREADINFO:
		return set_u(out, e->type == FC_PPME_PROCINFO_E);
	case FC_F_EVT_COUNT_PROCINFO: {
		const struct fc_evt_resolver *r = rsv(c);
		return set_u(out, e->type == FC_PPME_PROCINFO_E && r && r->is_main_thread &&
					  r->is_main_thread(r->ud));
	}
	case FC_F_EVT_IS_OPEN_READ:
	case FC_F_EVT_IS_OPEN_WRITE:
	case FC_F_EVT_IS_OPEN_EXEC:
	case FC_F_EVT_IS_OPEN_CREATE:
		return set_u(out, is_open_flag(e, f->id));
	default:
		/* evt.pluginname, evt.plugininfo, evt.infra.docker.*: FC_FF_UNAVAILABLE. */
		return set_none(out);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* output rendering                                                                           */
/* ------------------------------------------------------------------------------------------ */

static bool signed_type(enum fc_ptype t)
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
		return true;
	default:
		return false;
	}
}

static void render_scalar(const struct fc_val *v, enum fc_ptype type, struct sb *b)
{
	switch (v->kind) {
	case FC_V_U64:
		if (type == PT_BOOL)
			sb_puts(b, v->u ? "true" : "false");
		else if (signed_type(type))
			sb_i64(b, (int64_t)v->u);
		else
			sb_u64(b, v->u);
		break;
	case FC_V_I64:
		if (type == PT_BOOL)
			sb_puts(b, v->i ? "true" : "false");
		else if (signed_type(type) || v->i < 0)
			sb_i64(b, v->i);
		else
			sb_u64(b, (uint64_t)v->i);
		break;
	case FC_V_DBL:
		sb_printf(b, "%.1f", v->d);
		break;
	case FC_V_STR:
		if (v->s)
			sb_putn(b, v->s, v->len);
		break;
	case FC_V_BUF:
		if (v->s)
			sb_dots(b, (const uint8_t *)v->s, v->len);
		break;
	case FC_V_IPV4: {
		uint8_t a[4] = {(uint8_t)v->u, (uint8_t)(v->u >> 8), (uint8_t)(v->u >> 16),
				(uint8_t)(v->u >> 24)};
		sb_ipv4(b, a);
		break;
	}
	case FC_V_IPV6:
		if (v->s && v->len == 16)
			sb_ipv6(b, (const uint8_t *)v->s);
		else
			sb_puts(b, "<NA>");
		break;
	default:
		sb_puts(b, "<NA>");
	}
}

size_t fc_value_render(const struct fc_val *v, enum fc_ptype type, char *buf, size_t len)
{
	struct sb b;
	sb_init(&b, buf, len);
	if (v->kind == FC_V_LIST) {
		sb_putc(&b, '(');
		for (uint32_t i = 0; i < v->len && v->items; i++) {
			if (i)
				sb_putc(&b, ',');
			render_scalar(&v->items[i], type, &b);
		}
		sb_putc(&b, ')');
	} else {
		render_scalar(v, type, &b);
	}
	return b.len;
}
