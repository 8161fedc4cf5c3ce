/* extract_fd.c — the fd, fdlist and fs.path field classes, and evt.abspath[.src|.dst] (the
 * evt.* field that needs the fd table to resolve a directory fd), with upstream's semantics
 * (sinsp_filtercheck_fd / fdlist / fspath / event): the fd is the one the event created, used
 * or closed (closes are applied after the rules), the client end of a socket is s*, the server
 * end d*, and local/remote follow from which end is an address of this host. Events that carry
 * no fd have no fd.* values at all. */
#include "state_int.h"
#include "le.h"

#include <ifaddrs.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ local addresses */

/* Addresses of this host's interfaces, read once when the state looks at the live host. */
static struct {
	bool loaded, known;
	uint32_t n;
	uint8_t a[64][17]; /* [0] = 4 or 16, then the bytes */
} ifs;

static void load_ifaces(const struct fc_state *st)
{
	if (ifs.loaded)
		return;
	ifs.loaded = true;
	if (!st->host_root || strcmp(st->host_root, "/"))
		return;
	struct ifaddrs *all;
	if (getifaddrs(&all) != 0)
		return;
	ifs.known = true;
	for (struct ifaddrs *i = all; i && ifs.n < 64; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *s = (const void *)i->ifa_addr;
			ifs.a[ifs.n][0] = 4;
			memcpy(&ifs.a[ifs.n++][1], &s->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s = (const void *)i->ifa_addr;
			ifs.a[ifs.n][0] = 16;
			memcpy(&ifs.a[ifs.n++][1], &s->sin6_addr, 16);
		}
	}
	freeifaddrs(all);
}

static bool is_local_addr(const struct fc_state *st, const uint8_t *ip, bool v6)
{
	static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	if (!v6 && ip[0] == 127)
		return true;
	if (v6 && !memcmp(ip, lo6, 16))
		return true;
	load_ifaces(st);
	for (uint32_t i = 0; i < ifs.n; i++)
		if (ifs.a[i][0] == (v6 ? 16 : 4) && !memcmp(&ifs.a[i][1], ip, v6 ? 16 : 4))
			return true;
	return false;
}

/* Is the client end (sip) on this host? Without an interface list (replay), the role decides. */
static bool client_is_local(const struct fc_state *st, const struct fc_fdinfo *f)
{
	bool v6 = f->type == FC_FD_IPV6_SOCK;
	if (is_local_addr(st, f->sip, v6))
		return true;
	return !ifs.known && f->role == FC_ROLE_CLIENT;
}

/* ------------------------------------------------------------------ values */

static bool ip_val(const uint8_t *ip, bool v6, struct fc_val *out)
{
	if (v6) {
		out->kind = FC_V_IPV6;
		out->len = 16;
		out->s = (const char *)ip;
	} else {
		out->kind = FC_V_IPV4;
		out->len = 0;
		out->u = (uint64_t)ip[0] | (uint64_t)ip[1] << 8 | (uint64_t)ip[2] << 16 |
			 (uint64_t)ip[3] << 24;
	}
	return true;
}

static bool is_sock(const struct fc_fdinfo *f)
{
	return f->type == FC_FD_IPV4_SOCK || f->type == FC_FD_IPV6_SOCK;
}

static bool is_serv(const struct fc_fdinfo *f)
{
	return f->type == FC_FD_IPV4_SERVSOCK || f->type == FC_FD_IPV6_SERVSOCK;
}

static bool v6(const struct fc_fdinfo *f)
{
	return f->type == FC_FD_IPV6_SOCK || f->type == FC_FD_IPV6_SERVSOCK;
}

static bool list2(struct fc_state *st, struct fc_val a, struct fc_val b, struct fc_val *out)
{
	struct fc_val *items = fc_sarena_alloc(&st->arena, sizeof(*items) * 2);
	if (!items)
		return fc_vnone(out);
	items[0] = a;
	items[1] = b;
	out->kind = FC_V_LIST;
	out->len = 2;
	out->items = items;
	return true;
}

static bool port_str(struct fc_state *st, uint16_t port, struct fc_val *out)
{
	char *d = fc_sarena_alloc(&st->arena, 8);
	if (!d)
		return fc_vnone(out);
	int n = snprintf(d, 8, "%u", (unsigned)port);
	return fc_vstr(out, d, (size_t)n);
}

/* upstream's path cuts: directory keeps "/x" for "/x/y", "/" for "/y" or no slash */
static bool dirname_v(struct fc_state *st, const char *s, size_t len, struct fc_val *out)
{
	size_t pos = len;
	for (size_t i = len; i-- > 0;)
		if (s[i] == '/') {
			pos = i;
			break;
		}
	if (pos == len || pos == 0)
		return fc_vstr(out, "/", 1);
	if (pos < len - 1)
		len = pos;
	(void)st; /* a prefix of S: values need no NUL (value.h), and S outlives the event */
	return fc_vstr(out, s, len);
}

static bool with_ctr(struct fc_state *st, const char *s, size_t len, struct fc_val *out)
{
	const char *id = st->t && st->t->ctr ? st->t->ctr->id : "host";
	size_t il = strlen(id);
	char *d = fc_sarena_alloc(&st->arena, il + 1 + len + 1);
	if (!d)
		return fc_vnone(out);
	memcpy(d, id, il);
	d[il] = ':';
	memcpy(d + il + 1, s, len);
	d[il + 1 + len] = 0;
	return fc_vstr(out, d, il + 1 + len);
}

/* fd.name of an fd-creating call that has no fd (it failed): the name its parameters give. */
static const char *creator_name(struct fc_state *st, bool raw, size_t *len)
{
	const struct fc_evt *e = st->ev;
	const char *name = NULL;
	switch (e->type) {
	case FC_PPME_SYSCALL_OPEN_X:
	case FC_PPME_SYSCALL_CREAT_X:
	case FC_PPME_SYSCALL_OPENAT_2_X:
	case FC_PPME_SYSCALL_OPENAT2_X: {
		name = fc_ev_str(st, e, FC_P_NAME);
		if (!name)
			return NULL;
		if (raw) {
			*len = strlen(name);
			return name;
		}
		int64_t dirfd = -100;
		bool has = fc_ev_i64(st, e, FC_P_DIRFD, &dirfd);
		const char *dir = "";
		size_t dl = 0;
		struct fc_tgroup *g = st->t ? st->t->grp : NULL;
		if (name[0] != '/') {
			if (!g) {
				dir = "<UNKNOWN>";
				dl = 9;
			} else if (!has || dirfd == -100) {
				dir = g->cwd->s;
				dl = g->cwd->len;
			} else {
				struct fc_fdinfo *d = fc_imap_get(&g->fds.map, dirfd);
				dir = d && d->name ? d->name->s : "<UNKNOWN>";
				dl = d && d->name ? d->name->len : 9;
			}
		}
		char *buf = fc_sarena_alloc(&st->arena, 8192);
		if (!buf)
			return NULL;
		*len = fc_path_join(dir, dl, name, strlen(name), buf, 8192);
		return buf;
	}
	case FC_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X:
		name = fc_ev_str(st, e, FC_P_PATH);
		if (name)
			*len = strlen(name);
		return name;
	case FC_PPME_SOCKET_ACCEPT_5_X:
	case FC_PPME_SOCKET_ACCEPT4_6_X:
	case FC_PPME_SOCKET_CONNECT_X: {
		const uint8_t *tp;
		uint32_t tl;
		if (!fc_ev_raw(st, e, FC_P_TUPLE, &tp, &tl)) {
			*len = 0;
			return "";
		}
		struct fc_fdinfo tmp;
		memset(&tmp, 0, sizeof(tmp));
		bool ch;
		if (!fc_fd_set_tuple(&tmp, tp, tl, true, &ch)) {
			*len = 0;
			return "";
		}
		if (is_sock(&tmp))
			fc_fd_set_inet_name(&tmp);
		const char *r = NULL;
		*len = 0;
		if (tmp.name) {
			r = fc_sarena_strdup(&st->arena, tmp.name->s, tmp.name->len);
			*len = tmp.name->len;
		}
		fc_rstr_unref(tmp.name);
		return r;
	}
	default:
		*len = 0;
		return "";
	}
}

static char creator_typechar(uint16_t type)
{
	const char *n = fc_events[type].name;
	if (!strcmp(n, "open") || !strcmp(n, "openat") || !strcmp(n, "openat2") || !strcmp(n, "creat"))
		return 'f';
	if (!strcmp(n, "socket") || !strcmp(n, "accept") || !strcmp(n, "accept4"))
		return '4';
	if (!strcmp(n, "pipe") || !strcmp(n, "pipe2"))
		return 'p';
	if (!strcmp(n, "eventfd") || !strcmp(n, "eventfd2"))
		return 'e';
	if (!strcmp(n, "signalfd") || !strcmp(n, "signalfd4"))
		return 's';
	if (!strcmp(n, "timerfd_create"))
		return 't';
	if (!strcmp(n, "inotify_init") || !strcmp(n, "inotify_init1"))
		return 'i';
	return 'o';
}

static bool types_list(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out)
{
	struct fc_tgroup *g = st->t ? st->t->grp : NULL;
	if (!g)
		return fc_vnone(out);
	if (f->has_arg && f->arg_is_index) {
		struct fc_fdinfo *x = fc_imap_get(&g->fds.map, f->index);
		if (!x)
			return fc_vnone(out);
		struct fc_val *it = fc_sarena_alloc(&st->arena, sizeof(*it));
		if (!it)
			return fc_vnone(out);
		const char *s = fc_fd_typestr(x->type);
		fc_vstr(it, s, strlen(s));
		out->kind = FC_V_LIST;
		out->len = 1;
		out->items = it;
		return true;
	}
	/* distinct type strings, in first-seen order */
	const char *seen[32];
	uint32_t n = 0;
	for (uint32_t i = 0; i < g->fds.map.cap && n < 32; i++) {
		const struct fc_fdinfo *x = g->fds.map.vals[i];
		if (!x)
			continue;
		const char *s = fc_fd_typestr(x->type);
		bool dup = false;
		for (uint32_t j = 0; j < n; j++)
			dup |= seen[j] == s;
		if (!dup)
			seen[n++] = s;
	}
	if (!n)
		return fc_vnone(out);
	struct fc_val *items = fc_sarena_alloc(&st->arena, sizeof(*items) * n);
	if (!items)
		return fc_vnone(out);
	for (uint32_t i = 0; i < n; i++)
		fc_vstr(&items[i], seen[i], strlen(seen[i]));
	out->kind = FC_V_LIST;
	out->len = n;
	out->items = items;
	return true;
}

/* Local end (LOCAL = true) or remote end of a connected IP socket. */
static bool lr_end(struct fc_state *st, const struct fc_fdinfo *f, bool local, bool port,
		   struct fc_val *out)
{
	if (!is_sock(f) || f->role == FC_ROLE_NONE)
		return fc_vnone(out);
	bool cl = client_is_local(st, f);
	bool use_s = local == cl; /* local & client local → client end; remote & client remote → client */
	if (port)
		return fc_vu64(out, use_s ? f->sport : f->dport);
	return ip_val(use_s ? f->sip : f->dip, v6(f), out);
}

/* fd.* list fields of poll events (out of fc_extract_fd: its buffers would make every fd
 * field pay for a large frame). */
static __attribute__((noinline)) bool fdlist(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out)
{
	const struct fc_evt *e = st->ev;
	const uint8_t *p;
	uint32_t pl;
	struct fc_tgroup *g = st->t ? st->t->grp : NULL;
	if (!st->t || !fc_ev_raw(st, e, FC_P_FDS, &p, &pl) || pl < 2)
		return fc_vnone(out);
	uint32_t nfds = rd16(p), pos = 2;
	char *d = fc_sarena_alloc(&st->arena, (size_t)nfds * 48 + 1);
	if (!d)
		return fc_vnone(out);
	size_t n = 0;
	for (uint32_t j = 0; j < nfds && pos + 10 <= pl; j++, pos += 10) {
		int64_t fd = (int64_t)rd64(p + pos);
		struct fc_fdinfo *x = g ? fc_imap_get(&g->fds.map, fd) : NULL;
		char item[INET6_ADDRSTRLEN + 8] = "";
		bool add = true;
		switch (f->id) {
		case FC_F_FDLIST_NUMS:
			snprintf(item, sizeof(item), "%" PRId64, fd);
			break;
		case FC_F_FDLIST_NAMES:
			snprintf(item, sizeof(item), "%.40s",
				 x && x->name && x->name->len ? x->name->s : "<NA>");
			break;
		case FC_F_FDLIST_CIPS:
			if (x && is_sock(x))
				fc_ip_render(x->sip, v6(x), item, sizeof(item));
			else
				add = false;
			break;
		case FC_F_FDLIST_SIPS:
			if (x && is_sock(x))
				fc_ip_render(x->dip, v6(x), item, sizeof(item));
			else if (x && is_serv(x))
				fc_ip_render(x->sip, v6(x), item, sizeof(item));
			else
				add = false;
			break;
		case FC_F_FDLIST_CPORTS:
			if (x && is_sock(x))
				snprintf(item, sizeof(item), "%u", (unsigned)x->sport);
			else
				add = false;
			break;
		default: /* FDLIST_SPORTS */
			if (x && is_sock(x))
				snprintf(item, sizeof(item), "%u", (unsigned)x->dport);
			else
				add = false;
			break;
		}
		if (!add)
			continue;
		size_t il = strlen(item);
		if (n)
			d[n++] = ',';
		memcpy(d + n, item, il);
		n += il;
	}
	d[n] = 0;
	return n ? fc_vstr(out, d, n) : fc_vnone(out);
}

bool fc_extract_fd(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out)
{
	const struct fc_evt *e = st->ev;
	/* fdlist: poll events */
	if (f->id >= FC_F_FDLIST_NUMS && f->id <= FC_F_FDLIST_SPORTS)
		return fdlist(st, f, out);
	/* fs.path */
	if (f->id >= FC_F_FS_PATH_NAME && f->id <= FC_F_FS_PATH_TARGETRAW)
		return fc_fspath(st, f, out);

	/* the fd class proper: only for events that create, use or destroy an fd */
	if (!st->fd_event || !st->t)
		return fc_vnone(out);
	if (f->id == FC_F_FD_NUM)
		return fc_vi64(out, st->fdnum);
	if (f->id == FC_F_FD_TYPES)
		return types_list(st, f, out);
	if (f->id == FC_F_FD_UID) {
		char *d = fc_sarena_alloc(&st->arena, 48);
		if (!d)
			return fc_vnone(out);
		int n = snprintf(d, 48, "%" PRId64 "%" PRId64, st->t->tid, st->fdnum);
		return fc_vstr(out, d, (size_t)n);
	}
	struct fc_fdinfo *x = st->fdi;
	const char *s;
	size_t len = 0;
	bool failed_connect = false;
	if (e->type == FC_PPME_SOCKET_CONNECT_X) {
		int64_t res;
		failed_connect = fc_ev_i64(st, e, FC_P_RES, &res) && res < 0;
	}
	switch (f->id) {
	case FC_F_FD_NAME:
	case FC_F_FD_CONTAINERNAME:
		if (!x || failed_connect) {
			s = creator_name(st, false, &len);
			if (!s)
				return fc_vnone(out);
		} else {
			s = x->name ? x->name->s : "";
			len = x->name ? x->name->len : 0;
		}
		return f->id == FC_F_FD_NAME ? fc_vstr(out, s, len) : with_ctr(st, s, len, out);
	case FC_F_FD_TYPE:
		if (!x)
			return fc_vnone(out);
		s = fc_fd_typestr(x->type);
		return fc_vstr(out, s, strlen(s));
	case FC_F_FD_TYPECHAR: {
		/* one character: point into a table of all 256 instead of the arena */
		static const unsigned char chars[256] = {
#define C16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15
			C16(0), C16(16), C16(32), C16(48), C16(64), C16(80), C16(96), C16(112),
			C16(128), C16(144), C16(160), C16(176), C16(192), C16(208), C16(224), C16(240),
#undef C16
		};
		char c = x ? fc_fd_typechar(x->type) : creator_typechar(e->type);
		return fc_vstr(out, (const char *)&chars[(unsigned char)c], 1);
	}
	case FC_F_FD_DIRECTORY:
	case FC_F_FD_CONTAINERDIRECTORY: {
		struct fc_val v;
		if (!x) {
			s = creator_name(st, false, &len);
			if (!s || !dirname_v(st, s, len, &v))
				return fc_vnone(out);
		} else if (x->type == FC_FD_DIRECTORY) {
			if (!fc_vrstr(&v, x->name))
				fc_vstr(&v, "", 0);
		} else if (fc_fd_is_file(x)) {
			if (!dirname_v(st, x->name ? x->name->s : "", x->name ? x->name->len : 0, &v))
				return fc_vnone(out);
		} else {
			return fc_vnone(out);
		}
		if (f->id == FC_F_FD_DIRECTORY) {
			*out = v;
			return true;
		}
		return with_ctr(st, v.s, v.len, out);
	}
	case FC_F_FD_FILENAME: {
		if (!x || !fc_fd_is_file(x))
			return fc_vnone(out);
		const char *n = x->name ? x->name->s : "";
		size_t nl = x->name ? x->name->len : 0;
		const char *sl = NULL;
		for (size_t i = nl; i-- > 0;)
			if (n[i] == '/') {
				sl = n + i;
				break;
			}
		if (!sl)
			return fc_vstr(out, "/", 1);
		if ((size_t)(sl - n) < nl - 1)
			return fc_vstr(out, sl + 1, nl - (size_t)(sl - n) - 1);
		return fc_vstr(out, n, nl);
	}
	case FC_F_FD_IP:
	case FC_F_FD_NET:
		if (!x)
			return fc_vnone(out);
		if (is_serv(x))
			return ip_val(x->sip, v6(x), out);
		if (is_sock(x)) {
			struct fc_val a, b;
			ip_val(x->sip, v6(x), &a);
			ip_val(x->dip, v6(x), &b);
			return list2(st, a, b, out);
		}
		return fc_vnone(out);
	case FC_F_FD_CIP:
	case FC_F_FD_CNET:
		if (!x || x->role == FC_ROLE_NONE || !is_sock(x))
			return fc_vnone(out);
		return ip_val(x->sip, v6(x), out);
	case FC_F_FD_SIP:
	case FC_F_FD_SNET:
		if (!x)
			return fc_vnone(out);
		if (is_serv(x))
			return ip_val(x->sip, v6(x), out);
		if (!is_sock(x) || x->role == FC_ROLE_NONE)
			return fc_vnone(out);
		return ip_val(x->dip, v6(x), out);
	case FC_F_FD_LIP:
	case FC_F_FD_LNET:
		return x ? lr_end(st, x, true, false, out) : fc_vnone(out);
	case FC_F_FD_RIP:
	case FC_F_FD_RNET:
		return x ? lr_end(st, x, false, false, out) : fc_vnone(out);
	case FC_F_FD_PORT:
	case FC_F_FD_PROTO:
		if (!x)
			return fc_vnone(out);
		if (is_serv(x))
			return fc_vu64(out, x->sport);
		if (is_sock(x)) {
			struct fc_val a, b;
			fc_vu64(&a, x->sport);
			fc_vu64(&b, x->dport);
			return list2(st, a, b, out);
		}
		return fc_vnone(out);
	case FC_F_FD_CPORT:
		if (!x || x->role == FC_ROLE_NONE || !is_sock(x))
			return fc_vnone(out);
		return fc_vu64(out, x->sport);
	case FC_F_FD_SPORT:
		if (!x)
			return fc_vnone(out);
		if (is_serv(x))
			return fc_vu64(out, x->sport);
		if (!is_sock(x) || x->role == FC_ROLE_NONE)
			return fc_vnone(out);
		return fc_vu64(out, x->dport);
	case FC_F_FD_LPORT:
		return x ? lr_end(st, x, true, true, out) : fc_vnone(out);
	case FC_F_FD_RPORT:
		return x ? lr_end(st, x, false, true, out) : fc_vnone(out);
	case FC_F_FD_CPROTO:
		if (!x || x->role == FC_ROLE_NONE)
			return fc_vnone(out);
		return is_sock(x) ? port_str(st, x->sport, out) : fc_vstr(out, "", 0);
	case FC_F_FD_SPROTO:
		if (!x || (!is_sock(x) && !is_serv(x)) || (is_sock(x) && x->role == FC_ROLE_NONE))
			return fc_vnone(out);
		/* upstream renders only connected sockets; server sockets give "" */
		return is_sock(x) ? port_str(st, x->dport, out) : fc_vstr(out, "", 0);
	case FC_F_FD_LPROTO:
	case FC_F_FD_RPROTO: {
		struct fc_val pv;
		if (!x || !lr_end(st, x, f->id == FC_F_FD_LPROTO, true, &pv))
			return fc_vnone(out);
		return port_str(st, (uint16_t)pv.u, out);
	}
	case FC_F_FD_L4PROTO: {
		if (!x)
			return fc_vnone(out);
		static const char *const names[] = {"<NA>", "<NA>", "tcp", "udp", "icmp", "raw"};
		uint8_t p = fc_fd_l4proto(x);
		s = p < 6 ? names[p] : "<NA>";
		return fc_vstr(out, s, strlen(s));
	}
	case FC_F_FD_SOCKFAMILY:
		if (!x)
			return fc_vnone(out);
		if (is_sock(x) || is_serv(x))
			return fc_vstr(out, "ip", 2);
		if (x->type == FC_FD_UNIX_SOCK)
			return fc_vstr(out, "unix", 4);
		return fc_vnone(out);
	case FC_F_FD_IS_SERVER:
		if (!x)
			return fc_vnone(out);
		if (is_serv(x))
			return fc_vu64(out, 1);
		if (is_sock(x)) {
			bool srv = is_local_addr(st, x->dip, v6(x)) ||
				   (!ifs.known && x->role == FC_ROLE_SERVER);
			return fc_vu64(out, srv);
		}
		return fc_vu64(out, 0);
	case FC_F_FD_CONNECTED:
		return x ? fc_vu64(out, (x->flags & FC_FDF_CONNECTED) != 0) : fc_vnone(out);
	case FC_F_FD_NAME_CHANGED:
		return x ? fc_vu64(out, st->name_changed) : fc_vnone(out);
	case FC_F_FD_DEV:
		return x ? fc_vi64(out, (int32_t)x->dev) : fc_vnone(out);
	case FC_F_FD_DEV_MAJOR:
		return x ? fc_vi64(out, (int32_t)((x->dev & 0xfff00) >> 8)) : fc_vnone(out);
	case FC_F_FD_DEV_MINOR:
		return x ? fc_vi64(out, (int32_t)((x->dev & 0xff) | ((x->dev >> 12) & 0xfff00)))
			 : fc_vnone(out);
	case FC_F_FD_INO:
		return x ? fc_vi64(out, (int64_t)x->ino) : fc_vnone(out);
	case FC_F_FD_NAMERAW: {
		if (!x) {
			s = creator_name(st, true, &len);
			if (!s)
				return fc_vnone(out);
		} else {
			s = x->nameraw ? x->nameraw->s : "";
			len = x->nameraw ? x->nameraw->len : 0;
		}
		/* duplicate separators removed */
		char *d = fc_sarena_alloc(&st->arena, len + 1);
		if (!d)
			return fc_vnone(out);
		size_t n = 0;
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '/' && n && d[n - 1] == '/')
				continue;
			d[n++] = s[i];
		}
		d[n] = 0;
		return fc_vstr(out, d, n);
	}
	case FC_F_FD_IS_UPPER_LAYER:
		return x ? fc_vu64(out, (x->flags & FC_FDF_UPPER) != 0) : fc_vnone(out);
	case FC_F_FD_IS_LOWER_LAYER:
		return x ? fc_vu64(out, (x->flags & FC_FDF_LOWER) != 0) : fc_vnone(out);
	default:
		return fc_vnone(out);
	}
}

/* ------------------------------------------------------------------ evt.* with state */

bool fc_extract_is_evtstate(enum fc_field_id id)
{
	/* the other state-dependent evt.* fields are computed by evtfields.c through the
	 * resolver this engine hands it (extract.c) */
	return id == FC_F_EVT_ABSPATH;
}

static bool abspath(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out)
{
	const struct fc_evt *e = st->ev;
	if (!st->t)
		return fc_vnone(out);
	const char *n = e->info->name;
	bool dst = f->has_arg && !strcmp(f->arg, "dst");
	enum fc_pname dirp, pathp;
	if (!strcmp(n, "renameat") || !strcmp(n, "renameat2")) {
		dirp = dst ? FC_P_NEWDIRFD : FC_P_OLDDIRFD;
		pathp = dst ? FC_P_NEWPATH : FC_P_OLDPATH;
	} else if (!strcmp(n, "linkat")) {
		dirp = dst ? FC_P_NEWDIR : FC_P_OLDDIR;
		pathp = dst ? FC_P_NEWPATH : FC_P_OLDPATH;
	} else if (!strcmp(n, "symlinkat")) {
		dirp = FC_P_LINKDIRFD;
		pathp = FC_P_LINKPATH;
	} else if (!strcmp(n, "openat") || !strcmp(n, "openat2") || !strcmp(n, "unlinkat")) {
		dirp = FC_P_DIRFD;
		pathp = FC_P_NAME;
	} else if (!strcmp(n, "mkdirat")) {
		dirp = FC_P_DIRFD;
		pathp = FC_P_PATH;
	} else if (!strcmp(n, "fchmodat")) {
		dirp = FC_P_DIRFD;
		pathp = FC_P_FILENAME;
	} else if (!strcmp(n, "fchownat")) {
		dirp = FC_P_DIRFD;
		pathp = FC_P_PATHNAME;
	} else if (!strcmp(n, "open_by_handle_at")) {
		int64_t fd;
		const char *p = fc_ev_str(st, e, FC_P_PATH);
		if (!fc_ev_i64(st, e, FC_P_FD, &fd) || fd <= 0 || !p)
			return fc_vnone(out);
		char *buf = fc_sarena_alloc(&st->arena, 8192);
		if (!buf)
			return fc_vnone(out);
		size_t l = fc_path_join("", 0, p, strlen(p), buf, 8192);
		return fc_vstr(out, buf, l);
	} else {
		return fc_vnone(out);
	}
	int64_t dirfd;
	const char *path = fc_ev_str(st, e, pathp);
	if (!fc_ev_i64(st, e, dirp, &dirfd) || !path)
		return fc_vnone(out);
	struct fc_tgroup *g = st->t->grp;
	const char *dir = "";
	size_t dl = 0;
	if (path[0] != '/') {
		if (dirfd == -100 && g) {
			dir = g->cwd->s;
			dl = g->cwd->len;
		} else {
			struct fc_fdinfo *d = g ? fc_imap_get(&g->fds.map, dirfd) : NULL;
			dir = d && d->name ? d->name->s : "<UNKNOWN>";
			dl = d && d->name ? d->name->len : 9;
		}
	}
	char *buf = fc_sarena_alloc(&st->arena, 8192);
	if (!buf)
		return fc_vnone(out);
	size_t l = fc_path_join(dir, dl, path, strlen(path), buf, 8192);
	return fc_vstr(out, buf, l);
}

bool fc_extract_evtstate(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out)
{
	return f->id == FC_F_EVT_ABSPATH ? abspath(st, f, out) : fc_vnone(out);
}

/* ------------------------------------------------------------------ fs.path */

enum fsk { FS_NONE, FS_PATH, FS_SRC, FS_TGT };

/* Which parameter a path-based event names for fs.path.{name,source,target}
 * (upstream sinsp_filter_check_fspath tables). FDNAME: the fd's name. */
static bool fs_param(const char *ev, enum fsk k, enum fc_pname *p, bool *fdname)
{
	*fdname = false;
	if (k == FS_PATH) {
		if (!strcmp(ev, "mkdir") || !strcmp(ev, "mkdirat") || !strcmp(ev, "rmdir") ||
		    !strcmp(ev, "unlink") || !strcmp(ev, "chown") || !strcmp(ev, "lchown"))
			*p = FC_P_PATH;
		else if (!strcmp(ev, "unlinkat") || !strcmp(ev, "open") || !strcmp(ev, "openat") ||
			 !strcmp(ev, "openat2") || !strcmp(ev, "umount") || !strcmp(ev, "umount2"))
			*p = FC_P_NAME;
		else if (!strcmp(ev, "fchmodat") || !strcmp(ev, "chmod"))
			*p = FC_P_FILENAME;
		else if (!strcmp(ev, "fchownat"))
			*p = FC_P_PATHNAME;
		else if (!strcmp(ev, "quotactl"))
			*p = FC_P_SPECIAL;
		else if (!strcmp(ev, "fchmod") || !strcmp(ev, "fchown"))
			*fdname = true;
		else
			return false;
		return true;
	}
	bool src = k == FS_SRC;
	if (!strcmp(ev, "rename") || !strcmp(ev, "renameat") || !strcmp(ev, "renameat2"))
		*p = src ? FC_P_OLDPATH : FC_P_NEWPATH;
	else if (!strcmp(ev, "link") || !strcmp(ev, "linkat"))
		*p = src ? FC_P_NEWPATH : FC_P_OLDPATH;
	else if (!strcmp(ev, "symlink") || !strcmp(ev, "symlinkat"))
		*p = src ? FC_P_LINKPATH : FC_P_TARGET;
	else if (!strcmp(ev, "mount"))
		*p = src ? FC_P_DEV : FC_P_DIR;
	else
		return false;
	return true;
}

bool fc_fspath(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out)
{
	const struct fc_evt *e = st->ev;
	if (!(e->type & 1))
		return fc_vnone(out);
	const char *ev = e->info->name;
	/* success: res == 0, or a descriptor for the open family */
	int64_t r;
	bool open_fam = !strcmp(ev, "open") || !strcmp(ev, "openat") || !strcmp(ev, "openat2");
	if (open_fam ? !(fc_ev_i64(st, e, FC_P_FD, &r) && r >= 0)
		     : !(fc_ev_i64(st, e, FC_P_RES, &r) && r == 0))
		return fc_vnone(out);
	enum fsk k = FS_PATH;
	bool raw = false;
	switch (f->id) {
	case FC_F_FS_PATH_NAMERAW:
		raw = true;
		/* fallthrough */
	case FC_F_FS_PATH_NAME:
		k = FS_PATH;
		break;
	case FC_F_FS_PATH_SOURCERAW:
		raw = true;
		/* fallthrough */
	case FC_F_FS_PATH_SOURCE:
		k = FS_SRC;
		break;
	case FC_F_FS_PATH_TARGETRAW:
		raw = true;
		/* fallthrough */
	default:
		k = FS_TGT;
		break;
	}
	enum fc_pname p = FC_P_PATH;
	bool fdname;
	if (!fs_param(ev, k, &p, &fdname))
		return fc_vnone(out);
	const char *s;
	size_t len;
	if (fdname) {
		if (!st->fdi || !st->fdi->name)
			return fc_vnone(out);
		s = st->fdi->name->s;
		len = st->fdi->name->len;
	} else {
		s = fc_ev_str(st, e, p);
		if (!s)
			return fc_vnone(out);
		len = strlen(s);
	}
	if (raw || (len && s[0] == '/'))
		return fc_vstr(out, s, len);
	if (!st->t || !st->t->grp)
		return fc_vnone(out);
	char *buf = fc_sarena_alloc(&st->arena, 8192);
	if (!buf)
		return fc_vnone(out);
	size_t l = fc_path_join(st->t->grp->cwd->s, st->t->grp->cwd->len, s, len, buf, 8192);
	return fc_vstr(out, buf, l);
}
