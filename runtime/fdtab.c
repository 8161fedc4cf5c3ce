/* fdtab.c — per-process file descriptor tables and fd information: entries, the bounded table
 * (max_fds_per_proc, upstream MAX_FD_TABLE_SIZE), copies on fork, close-on-exec, and the socket
 * side (PT_SOCKTUPLE / PT_SOCKADDR parsing, IPv4-mapped IPv6, client/server ends, the fd.name
 * renderings "ip:port->ip:port", "ip:port" and "src->dst path" as upstream prints them).
 * Which syscall creates or changes which fd is state.c's business; this file only keeps the
 * tables consistent and counts what it adds, removes, drops and fails to find. */
#include "state_int.h"
#include "le.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fc_fdinfo *fc_fd_new(void)
{
	struct fc_fdinfo *f = calloc(1, sizeof(*f));
	if (f)
		f->fd = -1;
	return f;
}

void fc_fd_free(struct fc_fdinfo *f)
{
	if (!f)
		return;
	fc_rstr_unref(f->name);
	fc_rstr_unref(f->nameraw);
	free(f);
}

struct fc_fdinfo *fc_fd_clone(const struct fc_fdinfo *f)
{
	struct fc_fdinfo *c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = *f;
	fc_rstr_ref(c->name);
	fc_rstr_ref(c->nameraw);
	return c;
}

struct fc_fdinfo *fc_fdtab_find(struct fc_state *st, struct fc_fdtab *t, int64_t fd)
{
	struct fc_fdinfo *f = t ? fc_imap_get(&t->map, fd) : NULL;
	if (!f)
		st->stats.fd_lookup_miss++;
	return f;
}

struct fc_fdinfo *fc_fdtab_add(struct fc_state *st, struct fc_fdtab *t, int64_t fd,
			       struct fc_fdinfo *f)
{
	if (!f)
		return NULL;
	f->fd = fd;
	struct fc_fdinfo *old = fc_imap_get(&t->map, fd);
	if (!old && t->map.n >= st->o.max_fds_per_proc) {
		/* full: the new descriptor is not tracked (upstream drops it the same way) */
		st->stats.fd_evictions++;
		fc_fd_free(f);
		return NULL;
	}
	bool oom;
	old = fc_imap_put(&t->map, fd, f, &oom);
	if (oom) {
		st->stats.fd_evictions++;
		fc_fd_free(f);
		return NULL;
	}
	if (old) {
		fc_fd_free(old); /* dup2 over an open fd, or a missed close */
		st->stats.fds_removed++;
	} else {
		st->stats.fds++;
	}
	st->stats.fds_added++;
	return f;
}

bool fc_fdtab_del(struct fc_state *st, struct fc_fdtab *t, int64_t fd)
{
	struct fc_fdinfo *f = fc_imap_del(&t->map, fd);
	if (!f) {
		st->stats.fd_lookup_miss++;
		return false;
	}
	if (st->fdi == f)
		st->fdi = NULL;
	fc_fd_free(f);
	st->stats.fds--;
	st->stats.fds_removed++;
	return true;
}

void fc_fdtab_clear(struct fc_state *st, struct fc_fdtab *t)
{
	for (uint32_t i = 0; i < t->map.cap; i++) {
		struct fc_fdinfo *f = t->map.vals[i];
		if (!f)
			continue;
		if (st->fdi == f)
			st->fdi = NULL;
		fc_fd_free(f);
		st->stats.fds--;
		st->stats.fds_removed++;
	}
	fc_imap_free(&t->map);
}

void fc_fdtab_copy(struct fc_state *st, struct fc_fdtab *dst, const struct fc_fdtab *src)
{
	for (uint32_t i = 0; i < src->map.cap; i++) {
		const struct fc_fdinfo *f = src->map.vals[i];
		if (f)
			fc_fdtab_add(st, dst, src->map.keys[i], fc_fd_clone(f));
	}
}

void fc_fdtab_close_on_exec(struct fc_state *st, struct fc_fdtab *t)
{
	/* collect first: deleting reshuffles the open-addressing slots */
	int64_t small[64], *fds = small;
	uint32_t n = 0, cap = 64;
	for (uint32_t i = 0; i < t->map.cap; i++) {
		const struct fc_fdinfo *f = t->map.vals[i];
		if (!f || !(f->flags & FC_FDF_CLOEXEC))
			continue;
		if (n == cap) {
			int64_t *nf = malloc(sizeof(*nf) * cap * 2);
			if (!nf)
				break;
			memcpy(nf, fds, sizeof(*nf) * n);
			if (fds != small)
				free(fds);
			fds = nf;
			cap *= 2;
		}
		fds[n++] = t->map.keys[i];
	}
	for (uint32_t i = 0; i < n; i++)
		fc_fdtab_del(st, t, fds[i]);
	if (fds != small)
		free(fds);
}

const char *fc_fd_typestr(uint8_t type)
{
	switch (type) {
	case FC_FD_FILE:
	case FC_FD_FILE_V2:
		return "file";
	case FC_FD_DIRECTORY:
		return "directory";
	case FC_FD_IPV4_SOCK:
	case FC_FD_IPV4_SERVSOCK:
		return "ipv4";
	case FC_FD_IPV6_SOCK:
	case FC_FD_IPV6_SERVSOCK:
		return "ipv6";
	case FC_FD_UNIX_SOCK:
		return "unix";
	case FC_FD_FIFO:
		return "pipe";
	case FC_FD_EVENT:
		return "event";
	case FC_FD_SIGNALFD:
		return "signalfd";
	case FC_FD_EVENTPOLL:
		return "eventpoll";
	case FC_FD_INOTIFY:
		return "inotify";
	case FC_FD_TIMERFD:
		return "timerfd";
	case FC_FD_NETLINK:
		return "netlink";
	case FC_FD_BPF:
		return "bpf";
	case FC_FD_USERFAULTFD:
		return "userfaultfd";
	case FC_FD_IOURING:
		return "io_uring";
	case FC_FD_MEMFD:
		return "memfd";
	case FC_FD_PIDFD:
		return "pidfd";
	default:
		return "<NA>";
	}
}

char fc_fd_typechar(uint8_t type)
{
	switch (type) {
	case FC_FD_FILE:
	case FC_FD_FILE_V2:
		return 'f';
	case FC_FD_IPV4_SOCK:
	case FC_FD_IPV4_SERVSOCK:
		return '4';
	case FC_FD_IPV6_SOCK:
	case FC_FD_IPV6_SERVSOCK:
		return '6';
	case FC_FD_DIRECTORY:
		return 'd';
	case FC_FD_FIFO:
		return 'p';
	case FC_FD_UNIX_SOCK:
		return 'u';
	case FC_FD_EVENT:
		return 'e';
	case FC_FD_UNKNOWN:
		return 'o';
	case FC_FD_UNSUPPORTED:
		return 'X';
	case FC_FD_SIGNALFD:
		return 's';
	case FC_FD_EVENTPOLL:
		return 'l';
	case FC_FD_INOTIFY:
		return 'i';
	case FC_FD_TIMERFD:
		return 't';
	case FC_FD_NETLINK:
		return 'n';
	case FC_FD_BPF:
		return 'b';
	case FC_FD_USERFAULTFD:
		return 'u';
	case FC_FD_IOURING:
		return 'r';
	case FC_FD_MEMFD:
		return 'm';
	case FC_FD_PIDFD:
		return 'P';
	default:
		return '?';
	}
}

uint8_t fc_fd_l4proto(const struct fc_fdinfo *f)
{
	switch (f->type) {
	case FC_FD_IPV4_SOCK:
	case FC_FD_IPV6_SOCK:
		if (f->l4proto == FC_L4_RAW)
			return FC_L4_RAW;
		if (f->role == FC_ROLE_NONE)
			return FC_L4_NA;
		return f->l4proto;
	case FC_FD_IPV4_SERVSOCK:
	case FC_FD_IPV6_SERVSOCK:
		return f->l4proto;
	default:
		return FC_L4_NA;
	}
}

bool fc_fd_is_file(const struct fc_fdinfo *f)
{
	return f->type == FC_FD_FILE || f->type == FC_FD_FILE_V2;
}

/* Decimal of V at D (no NUL); returns the digits written. */
static size_t put_dec(char *d, unsigned v)
{
	char t[10];
	size_t n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	for (size_t i = 0; i < n; i++)
		d[i] = t[n - 1 - i];
	return n;
}

/* Dotted quad, as inet_ntop writes it (the hot path of every accept and connect). */
static size_t ip4_render(const uint8_t *ip, char *d)
{
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		unsigned v = ip[i];
		if (i)
			d[n++] = '.';
		if (v >= 100) {
			d[n++] = (char)('0' + v / 100);
			v %= 100;
			d[n++] = (char)('0' + v / 10);
		} else if (v >= 10) {
			d[n++] = (char)('0' + v / 10);
		}
		d[n++] = (char)('0' + v % 10);
	}
	return n;
}

size_t fc_ip_render(const uint8_t *ip, bool v6, char *out, size_t outlen)
{
	if (!v6 && outlen >= 16) {
		size_t n = ip4_render(ip, out);
		out[n] = 0;
		return n;
	}
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, ip, out, (socklen_t)outlen)) {
		if (outlen)
			out[0] = 0;
		return 0;
	}
	return strlen(out);
}

static bool is_v4_mapped(const uint8_t *a)
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a, pfx, 12) == 0;
}

static bool is_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

void fc_fd_set_inet_name(struct fc_fdinfo *f)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], buf[2 * INET6_ADDRSTRLEN + 32];
	bool v6 = f->type == FC_FD_IPV6_SOCK || f->type == FC_FD_IPV6_SERVSOCK;
	int n;
	if (f->type == FC_FD_IPV4_SOCK || f->type == FC_FD_IPV4_SERVSOCK) {
		/* "a.b.c.d:p->e.f.g.h:q" / "a.b.c.d:p" without printf */
		size_t k = ip4_render(f->sip, buf);
		buf[k++] = ':';
		k += put_dec(buf + k, f->sport);
		if (f->type == FC_FD_IPV4_SOCK) {
			buf[k++] = '-';
			buf[k++] = '>';
			k += ip4_render(f->dip, buf + k);
			buf[k++] = ':';
			k += put_dec(buf + k, f->dport);
		}
		fc_rstr_set(&f->name, fc_rstr_new(buf, k));
		return;
	}
	switch (f->type) {
	case FC_FD_IPV4_SOCK:
	case FC_FD_IPV6_SOCK:
		fc_ip_render(f->sip, v6, a, sizeof(a));
		fc_ip_render(f->dip, v6, b, sizeof(b));
		n = snprintf(buf, sizeof(buf), "%s:%u->%s:%u", a, (unsigned)f->sport, b,
			     (unsigned)f->dport);
		break;
	case FC_FD_IPV4_SERVSOCK:
	case FC_FD_IPV6_SERVSOCK:
		fc_ip_render(f->sip, v6, a, sizeof(a));
		n = snprintf(buf, sizeof(buf), "%s:%u", a, (unsigned)f->sport);
		break;
	default:
		return;
	}
	if (n > 0)
		fc_rstr_set(&f->name, fc_rstr_new(buf, (size_t)n));
}

static bool set_ends(struct fc_fdinfo *f, uint8_t type, const uint8_t *sip, uint16_t sport,
		     const uint8_t *dip, uint16_t dport, size_t alen, bool overwrite_dest)
{
	bool changed = false;
	if (f->type == type) {
		/* the same connection seen from either direction changes nothing */
		if ((!memcmp(f->sip, sip, alen) && f->sport == sport && !memcmp(f->dip, dip, alen) &&
		     f->dport == dport) ||
		    (!memcmp(f->sip, dip, alen) && f->sport == dport && !memcmp(f->dip, sip, alen) &&
		     f->dport == sport))
			return false;
	} else {
		memset(f->sip, 0, sizeof(f->sip));
		memset(f->dip, 0, sizeof(f->dip));
		f->sport = f->dport = 0;
		changed = true;
	}
	f->type = type;
	if (memcmp(f->sip, sip, alen)) {
		memcpy(f->sip, sip, alen);
		changed = true;
	}
	if (f->sport != sport) {
		f->sport = sport;
		changed = true;
	}
	if (is_zero(f->dip, alen) || (overwrite_dest && memcmp(f->dip, dip, alen))) {
		if (memcmp(f->dip, dip, alen))
			changed = true;
		memcpy(f->dip, dip, alen);
	}
	if (f->dport == 0 || (overwrite_dest && f->dport != dport)) {
		if (f->dport != dport)
			changed = true;
		f->dport = dport;
	}
	return changed;
}

bool fc_fd_set_tuple(struct fc_fdinfo *f, const uint8_t *p, uint32_t len, bool overwrite_dest,
		     bool *changed)
{
	*changed = false;
	if (!p || len < 1)
		return false;
	switch (p[0]) {
	case 2: /* AF_INET: sip[4] sport dip[4] dport */
		if (len < 13)
			return false;
		if (f->type == FC_FD_IPV4_SERVSOCK || f->type == FC_FD_IPV6_SERVSOCK)
			f->type = FC_FD_IPV4_SOCK; /* keeps l4proto */
		*changed = set_ends(f, FC_FD_IPV4_SOCK, p + 1, rd16(p + 5), p + 7, rd16(p + 11), 4,
				    overwrite_dest);
		return true;
	case 10: /* AF_INET6: sip[16] sport dip[16] dport */
		if (len < 37)
			return false;
		if (is_v4_mapped(p + 1) && is_v4_mapped(p + 19)) {
			if (f->type == FC_FD_IPV6_SOCK || f->type == FC_FD_IPV6_SERVSOCK)
				f->type = FC_FD_IPV4_SOCK;
			*changed = set_ends(f, FC_FD_IPV4_SOCK, p + 13, rd16(p + 17), p + 31,
					    rd16(p + 35), 4, overwrite_dest);
		} else {
			if (f->type == FC_FD_IPV4_SOCK || f->type == FC_FD_IPV4_SERVSOCK)
				f->type = FC_FD_IPV6_SOCK;
			*changed = set_ends(f, FC_FD_IPV6_SOCK, p + 1, rd16(p + 17), p + 19,
					    rd16(p + 35), 16, overwrite_dest);
		}
		return true;
	case 1: { /* AF_UNIX: src ptr, dst ptr, path */
		if (len < 17)
			return false;
		uint64_t s = rd64(p + 1), d = rd64(p + 9);
		const char *path = (const char *)p + 17;
		size_t pl = strnlen(path, len - 17);
		char buf[160 + 4096];
		int n = snprintf(buf, sizeof(buf), "%" PRIx64 "->%" PRIx64 " %.*s", s, d, (int)pl,
				 path);
		*changed = f->type != FC_FD_UNIX_SOCK || f->usrc != s || f->udst != d ||
			   !f->name || f->name->len != (uint32_t)n || memcmp(f->name->s, buf, (size_t)n);
		f->type = FC_FD_UNIX_SOCK;
		f->usrc = s;
		f->udst = d;
		if (*changed && n > 0)
			fc_rstr_set(&f->name, fc_rstr_new(buf, (size_t)n));
		return true;
	}
	default:
		return false;
	}
}

void fc_fd_swap_ends(struct fc_fdinfo *f)
{
	uint8_t tmp[16];
	memcpy(tmp, f->sip, 16);
	memcpy(f->sip, f->dip, 16);
	memcpy(f->dip, tmp, 16);
	uint16_t p = f->sport;
	f->sport = f->dport;
	f->dport = p;
}

size_t fc_sockaddr_render(const uint8_t *p, uint32_t len, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN];
	int n = 0;
	if (!p || len < 1 || outlen == 0)
		return 0;
	switch (p[0]) {
	case 2:
		if (len < 7)
			return 0;
		fc_ip_render(p + 1, false, a, sizeof(a));
		n = snprintf(out, outlen, "%s:%u", a, (unsigned)rd16(p + 5));
		break;
	case 10:
		if (len < 19)
			return 0;
		if (is_v4_mapped(p + 1))
			fc_ip_render(p + 13, false, a, sizeof(a));
		else
			fc_ip_render(p + 1, true, a, sizeof(a));
		n = snprintf(out, outlen, "%s:%u", a, (unsigned)rd16(p + 17));
		break;
	case 1:
		n = snprintf(out, outlen, "%.*s", (int)strnlen((const char *)p + 1, len - 1),
			     (const char *)p + 1);
		break;
	default:
		out[0] = 0;
		return 0;
	}
	if (n < 0)
		return 0;
	return (size_t)n < outlen ? (size_t)n : outlen - 1;
}
