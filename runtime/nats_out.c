/* nats_out.c — the NATS channel (nats_out.h): a TCP connection speaking the NATS client text
 * protocol, used only by the channel's sink thread. Every read and write is bounded by
 * connect_timeout_ms through poll(2), so a server that stops answering turns into a failed
 * delivery (retried by the sink), never into a thread stuck forever. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "nats_out.h"
#include "priority.h"

struct nats {
	char *host, *port, *user, *pass, *token, *name, *subject;
	uint64_t timeout_ms;
	int fd;
	char in[4096]; /* bytes read and not yet parsed */
	size_t inlen;
	uint64_t ping_sent_ns; /* idle PING waiting for its PONG (0: none) */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool fc_nats_subject(const char *t, unsigned prio, const char *rule, char *buf, size_t len)
{
	size_t n = 0;
	while (*t) {
		const char *rep = NULL;
		bool sanitize = false;
		char pw[32];
		if (!strncmp(t, "<priority>", 10)) {
			const char *p = fc_prio_name(prio);
			size_t i = 0;
			for (; p && p[i] && i < sizeof pw - 1; i++)
				pw[i] = (char)tolower((unsigned char)p[i]);
			pw[i] = 0;
			rep = pw;
			t += 10;
		} else if (!strncmp(t, "<rule>", 6)) {
			rep = rule ? rule : "";
			sanitize = true;
			t += 6;
		}
		if (rep) {
			for (; *rep; rep++) {
				char c = *rep;
				if (sanitize && !isalnum((unsigned char)c) && c != '-' && c != '_')
					c = '_';
				if (n + 1 >= len)
					return false;
				buf[n++] = c;
			}
			continue;
		}
		if (n + 1 >= len)
			return false;
		buf[n++] = *t++;
	}
	if (!len)
		return false;
	buf[n] = 0;
	return n > 0;
}

static void disconnect(struct nats *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->inlen = 0;
	c->ping_sent_ns = 0;
}

/* Waits until FD is ready for EV, at most MS; false on timeout. An error or hang-up condition
 * counts as ready: the caller's next call (SO_ERROR, send, recv) reports the real cause (a
 * refused connection is not a timeout). */
static bool wait_fd(int fd, short ev, uint64_t ms)
{
	struct pollfd p = {.fd = fd, .events = ev};
	for (;;) {
		int r = poll(&p, 1, (int)(ms > 60000 ? 60000 : ms));
		if (r < 0 && errno == EINTR)
			continue;
		return r > 0 && !(p.revents & POLLNVAL) && (p.revents & (ev | POLLHUP | POLLERR));
	}
}

static bool send_all(struct nats *c, const struct iovec *iov0, int n, char *err, size_t errlen)
{
	struct iovec iov[4];
	memcpy(iov, iov0, (size_t)n * sizeof *iov);
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
	while (mh.msg_iovlen) {
		ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(c->fd, POLLOUT, c->timeout_ms))
				continue;
			snprintf(err, errlen, "writing to %s:%s: %s", c->host, c->port,
				 errno == EAGAIN ? "timed out" : strerror(errno));
			return false;
		}
		size_t left = (size_t)w;
		while (mh.msg_iovlen && left >= mh.msg_iov[0].iov_len) {
			left -= mh.msg_iov[0].iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen) {
			mh.msg_iov[0].iov_base = (char *)mh.msg_iov[0].iov_base + left;
			mh.msg_iov[0].iov_len -= left;
		}
	}
	return true;
}

static bool send_str(struct nats *c, const char *s, char *err, size_t errlen)
{
	struct iovec v = {.iov_base = (void *)s, .iov_len = strlen(s)};
	return send_all(c, &v, 1, err, errlen);
}

/* Reads what is there (waiting up to MS when nothing is buffered); false on EOF/error. */
static bool fill(struct nats *c, uint64_t ms, char *err, size_t errlen)
{
	if (c->inlen == sizeof c->in)
		c->inlen = 0; /* an over-long line (a huge INFO): drop it, the protocol resyncs on \r\n */
	if (ms && !wait_fd(c->fd, POLLIN, ms)) {
		snprintf(err, errlen, "%s:%s: no answer within %llu ms", c->host, c->port, (unsigned long long)ms);
		return false;
	}
	ssize_t r = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, MSG_DONTWAIT);
	if (r > 0) {
		c->inlen += (size_t)r;
		return true;
	}
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return true;
	snprintf(err, errlen, "%s:%s: %s", c->host, c->port, r == 0 ? "connection closed by the server" : strerror(errno));
	return false;
}

/* The next complete line (without \r\n) into LINE; false when none is buffered. */
static bool next_line(struct nats *c, char *line, size_t len)
{
	char *e = memchr(c->in, '\n', c->inlen);
	if (!e)
		return false;
	size_t n = (size_t)(e - c->in) + 1, l = n - 1;
	if (l && c->in[l - 1] == '\r')
		l--;
	if (l >= len)
		l = len - 1;
	memcpy(line, c->in, l);
	line[l] = 0;
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
	return true;
}

/* Handles the server's messages buffered now. -1: the server reported an error; 1: saw PONG. */
static int handle(struct nats *c, char *err, size_t errlen)
{
	char line[1024];
	int pong = 0;
	while (next_line(c, line, sizeof line)) {
		if (!strncmp(line, "PING", 4)) {
			if (!send_str(c, "PONG\r\n", err, errlen))
				return -1;
		} else if (!strncmp(line, "PONG", 4))
			pong = 1;
		else if (!strncmp(line, "-ERR", 4)) {
			snprintf(err, errlen, "%s:%s: the server says %.300s", c->host, c->port, line);
			return -1;
		}
		/* +OK, INFO (cluster updates), MSG (we subscribe to nothing): nothing to do. */
	}
	return pong;
}

static bool adds(struct fc_abuf *b, const char *s)
{
	return fc_abuf_add(b, s, strlen(s));
}

static bool add_json_str(struct fc_abuf *b, const char *key, const char *v)
{
	return fc_abuf_add(b, ",\"", 2) && fc_abuf_add(b, key, strlen(key)) && fc_abuf_add(b, "\":\"", 3) &&
	       fc_json_escape(b, v, strlen(v)) && fc_abuf_add(b, "\"", 1);
}

static bool nconnect(struct nats *c, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	int g = getaddrinfo(c->host, c->port, &hints, &res);
	if (g != 0) {
		snprintf(err, errlen, "%s: %s", c->host, gai_strerror(g));
		return false;
	}
	int fd = -1;
	char why[256] = "no address";
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, c->timeout_ms)) {
			int e = 0;
			socklen_t el = sizeof e;
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
			if (!e)
				break;
			snprintf(why, sizeof why, "%s", strerror(e));
		} else
			snprintf(why, sizeof why, "%s", errno == EINPROGRESS ? "connection timed out" : strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "connecting to %s:%s: %s", c->host, c->port, why);
		return false;
	}
	c->fd = fd;
	c->inlen = 0;
	/* INFO first. */
	char line[1024];
	uint64_t until = mono_ns() + c->timeout_ms * 1000000u;
	while (!next_line(c, line, sizeof line)) {
		uint64_t now = mono_ns();
		if (now >= until || !fill(c, (until - now) / 1000000u + 1, err, errlen)) {
			if (now >= until)
				snprintf(err, errlen, "%s:%s: no INFO from the server", c->host, c->port);
			disconnect(c);
			return false;
		}
	}
	if (strncmp(line, "INFO", 4)) {
		snprintf(err, errlen, "%s:%s: not a NATS server (it said '%.80s')", c->host, c->port, line);
		disconnect(c);
		return false;
	}
	if (strstr(line, "\"tls_required\":true")) {
		snprintf(err, errlen, "%s:%s: the server requires TLS, which falcod's NATS client does not speak", c->host,
			 c->port);
		disconnect(c);
		return false;
	}
	struct fc_abuf b = {0};
	bool ok = adds(&b, "CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":false") &&
		  add_json_str(&b, "name", c->name) && add_json_str(&b, "lang", "c") &&
		  add_json_str(&b, "version", "0.1.0") && adds(&b, ",\"protocol\":1,\"echo\":false");
	if (ok && c->user && *c->user)
		ok = add_json_str(&b, "user", c->user) && add_json_str(&b, "pass", c->pass ? c->pass : "");
	if (ok && c->token && *c->token)
		ok = add_json_str(&b, "auth_token", c->token);
	ok = ok && adds(&b, "}\r\nPING\r\n");
	if (!ok) {
		fc_abuf_free(&b);
		snprintf(err, errlen, "out of memory");
		disconnect(c);
		return false;
	}
	struct iovec v = {.iov_base = b.p, .iov_len = b.len};
	ok = send_all(c, &v, 1, err, errlen);
	fc_abuf_free(&b);
	/* PONG confirms CONNECT was accepted (an auth failure is an -ERR). */
	while (ok) {
		int h = handle(c, err, errlen);
		if (h < 0)
			ok = false;
		else if (h > 0)
			break;
		else {
			uint64_t now = mono_ns();
			if (now >= until) {
				snprintf(err, errlen, "%s:%s: no PONG after CONNECT", c->host, c->port);
				ok = false;
			} else
				ok = fill(c, (until - now) / 1000000u + 1, err, errlen);
		}
	}
	if (!ok)
		disconnect(c);
	return ok;
}

static int nats_send(void *ctx, struct fc_sink *s, const struct fc_sink_msg *m, char *err, size_t errlen)
{
	(void)s;
	struct nats *c = ctx;
	char subj[512];
	if (!fc_nats_subject(c->subject, m->prio, m->rule, subj, sizeof subj)) {
		snprintf(err, errlen, "the subject for rule '%.100s' is too long", m->rule);
		return FC_SINK_FAIL;
	}
	if (c->fd < 0 && !nconnect(c, err, errlen))
		return FC_SINK_RETRY;
	/* Answer PINGs and notice errors or a closed connection before publishing. */
	if (!fill(c, 0, err, errlen) || handle(c, err, errlen) < 0) {
		disconnect(c);
		if (!nconnect(c, err, errlen))
			return FC_SINK_RETRY;
	}
	char head[600];
	int hl = snprintf(head, sizeof head, "PUB %s %u\r\n", subj, m->len);
	struct iovec v[3] = {{head, (size_t)hl}, {m->body, m->len}, {"\r\n", 2}};
	if (!send_all(c, v, 3, err, errlen)) {
		disconnect(c);
		return FC_SINK_RETRY;
	}
	return FC_SINK_OK;
}

/* Idle: answer the server's PINGs and check the connection with our own PING every few
 * seconds, so a dead connection is noticed before the next alert is written into it. */
static void nats_idle(void *ctx, struct fc_sink *s)
{
	struct nats *c = ctx;
	char err[256];
	if (c->fd < 0)
		return;
	int h = fill(c, 0, err, sizeof err) ? handle(c, err, sizeof err) : -1;
	if (h > 0)
		c->ping_sent_ns = 0;
	uint64_t now = mono_ns();
	if (h >= 0 && c->ping_sent_ns && now - c->ping_sent_ns > c->timeout_ms * 1000000u) {
		snprintf(err, sizeof err, "%s:%s: no PONG within %llu ms", c->host, c->port,
			 (unsigned long long)c->timeout_ms);
		h = -1;
	}
	if (h < 0) {
		fc_sink_warn(s, "%s; reconnecting at the next alert", err);
		disconnect(c);
		return;
	}
	if (!c->ping_sent_ns) {
		if (send_str(c, "PING\r\n", err, sizeof err))
			c->ping_sent_ns = now;
		else
			disconnect(c);
	}
}

static void nats_free(void *ctx)
{
	struct nats *c = ctx;
	if (!c)
		return;
	disconnect(c);
	free(c->host);
	free(c->port);
	free(c->user);
	free(c->pass);
	free(c->token);
	free(c->name);
	free(c->subject);
	free(c);
}

static const struct fc_sink_ops nats_ops = {.name = "nats", .send = nats_send, .idle = nats_idle, .free = nats_free};

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

/* nats://[user[:pass]@]host[:port] (host may be [v6]). */
static bool parse_url(struct nats *c, const char *url, char *err, size_t errlen)
{
	if (strncmp(url, "nats://", 7)) {
		snprintf(err, errlen, "nats_output.url: expected nats://host[:port], got '%s'", url);
		return false;
	}
	const char *p = url + 7, *end = p + strcspn(p, "/?#");
	const char *at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		c->user = dupn(p, (size_t)((colon ? colon : at) - p));
		c->pass = colon ? dupn(colon + 1, (size_t)(at - colon - 1)) : NULL;
		p = at + 1;
	}
	const char *hend, *portp = NULL;
	if (*p == '[') {
		hend = memchr(p, ']', (size_t)(end - p));
		if (!hend) {
			snprintf(err, errlen, "nats_output.url: unterminated [address] in '%s'", url);
			return false;
		}
		c->host = dupn(p + 1, (size_t)(hend - p - 1));
		if (hend + 1 < end && hend[1] == ':')
			portp = hend + 2;
	} else {
		hend = memchr(p, ':', (size_t)(end - p));
		c->host = dupn(p, (size_t)((hend ? hend : end) - p));
		if (hend)
			portp = hend + 1;
	}
	c->port = portp ? dupn(portp, (size_t)(end - portp)) : strdup("4222");
	if (!c->host || !c->port || !*c->host || !*c->port || strspn(c->port, "0123456789") != strlen(c->port)) {
		snprintf(err, errlen, "nats_output.url: expected nats://host[:port], got '%s'", url);
		return false;
	}
	return true;
}

bool fc_nats_url_check(const char *url, char *err, size_t errlen)
{
	struct nats c = {0};
	bool ok = parse_url(&c, url, err, errlen);
	free(c.user);
	free(c.pass);
	free(c.host);
	free(c.port);
	return ok;
}

int fc_nats_sink_new(const struct fc_nats_opts *o, const struct fc_sink_opts *so, struct fc_sink **out, char *err,
		     size_t errlen)
{
	struct nats *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->fd = -1;
	c->timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 2000;
	if (!parse_url(c, o->url ? o->url : "", err, errlen)) {
		nats_free(c);
		return -1;
	}
	if (o->user && *o->user) {
		free(c->user);
		free(c->pass);
		c->user = strdup(o->user);
		c->pass = strdup(o->password ? o->password : "");
	}
	c->token = o->token && *o->token ? strdup(o->token) : NULL;
	c->name = strdup(o->name && *o->name ? o->name : "falcod");
	c->subject = strdup(o->subject && *o->subject ? o->subject : "falco.<priority>.<rule>");
	if (!c->name || !c->subject) {
		nats_free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return fc_sink_new(&nats_ops, c, so, out, err, errlen);
}
