/* webserver.c — the /healthz, /metrics and /versions endpoint over libmicrohttpd (webserver.h).
 * GET and HEAD only; every answer is built from the metrics store, so a request never touches
 * the event thread's data. With TLS: TLS 1.2 or newer; with a client CA, libmicrohttpd asks for
 * a client certificate and every request is refused (403) unless GnuTLS verified one that CA
 * signed (libmicrohttpd only requests the certificate; the check is ours). libmicrohttpd (and
 * GnuTLS for that check) are loaded when a server starts (dynlib.h), so falcod starts without
 * them. */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h> /* types only: the functions come from dynlib.h */
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynlib.h"
#include "webserver.h"

struct fc_websrv {
	struct MHD_Daemon *d;
	struct fc_metrics *m;
	char *healthz;
	bool prometheus;
	char *cert, *key, *ca;
	uint16_t port;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, char *body, size_t len)
{
	struct MHD_Response *r = fc_mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	fc_mhd.add_response_header(r, "Content-Type", type);
	fc_mhd.add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result rc = fc_mhd.queue_response(c, status, r);
	fc_mhd.destroy_response(r);
	return rc;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	char *b = strdup(msg);
	return b ? reply(c, status, "text/plain; charset=utf-8", b, strlen(b)) : MHD_NO;
}

/* The peer sent an X.509 chain that verifies against the trusted CA (signature, validity
 * dates, key usage: gnutls_certificate_verify_peers2 with the CA libmicrohttpd loaded). */
static bool client_verified(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = fc_mhd.get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return false;
	gnutls_session_t s = (gnutls_session_t)ci->tls_session;
	unsigned n = 0, status = 0;
	if (fc_gnutls.certificate_type_get(s) != GNUTLS_CRT_X509 || !fc_gnutls.certificate_get_peers(s, &n) || !n)
		return false;
	return fc_gnutls.certificate_verify_peers2(s, &status) == GNUTLS_E_SUCCESS && status == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_len, void **state)
{
	(void)version, (void)upload, (void)upload_len, (void)state;
	struct fc_websrv *w = cls;
	if (w->ca && !client_verified(c))
		return text(c, MHD_HTTP_FORBIDDEN, "a client certificate signed by webserver.ssl_client_ca is required\n");
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	size_t len = 0;
	if (!strcmp(url, w->healthz)) {
		char *body = NULL;
		int st = fc_metrics_health(w->m, &body, &len);
		return body ? reply(c, (unsigned)st, "application/json", body, len) : text(c, 500, "out of memory\n");
	}
	if (!strcmp(url, "/versions")) {
		char *body = fc_metrics_versions(w->m, &len);
		return body ? reply(c, 200, "application/json", body, len) : text(c, 500, "out of memory\n");
	}
	if (!strcmp(url, "/metrics") && w->prometheus) {
		char *body = fc_metrics_prometheus(w->m, &len);
		return body ? reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", body, len)
			    : text(c, 500, "out of memory\n");
	}
	return text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

static char *slurp(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "webserver: cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "out of memory");
				return NULL;
			}
			buf = p;
		}
		size_t r = fread(buf + len, 1, 4096, f);
		len += r;
		if (r < 4096)
			break;
	}
	fclose(f);
	buf[len] = 0;
	return buf;
}

void fc_websrv_stop(struct fc_websrv *w)
{
	if (!w)
		return;
	if (w->d)
		fc_mhd.stop_daemon(w->d);
	free(w->healthz);
	free(w->cert);
	free(w->key);
	free(w->ca);
	free(w);
}

uint16_t fc_websrv_port(const struct fc_websrv *w)
{
	return w->port;
}

int fc_websrv_start(const struct fc_websrv_opts *o, struct fc_metrics *m, struct fc_websrv **out, char *err,
		    size_t errlen)
{
	char why[512];
	if (fc_dl_load(FC_DL_MHD, why, sizeof why) != 0 ||
	    (o->tls && o->client_ca && *o->client_ca && fc_dl_load(FC_DL_GNUTLS, why, sizeof why) != 0)) {
		snprintf(err, errlen, "webserver: %s", why);
		return -1;
	}
	struct fc_websrv *w = calloc(1, sizeof *w);
	if (!w || !(w->healthz = strdup(o->healthz && *o->healthz ? o->healthz : "/healthz"))) {
		free(w);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->m = m;
	w->prometheus = o->prometheus;
	const char *addr = o->address && *o->address ? o->address : "127.0.0.1";
	char port[8];
	snprintf(port, sizeof port, "%u", o->port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res = NULL;
	int g = getaddrinfo(addr, port, &hints, &res);
	if (g != 0 || !res) {
		snprintf(err, errlen, "webserver.listen_address: cannot resolve '%s': %s", addr, gai_strerror(g));
		fc_websrv_stop(w);
		return -1;
	}
	struct sockaddr_storage sa;
	memcpy(&sa, res->ai_addr, res->ai_addrlen);
	bool v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	if (v6)
		flags |= MHD_USE_IPv6;
	unsigned threads = o->threads ? o->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	if (threads > 16)
		threads = 16; /* a scrape endpoint: more threads buy nothing */
	struct MHD_OptionItem opts[10];
	int n = 0;
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sa};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 10, NULL};
	if (threads > 1)
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, threads, NULL};
	if (o->tls) {
		if (fc_mhd.is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen, "webserver.ssl_enabled: this libmicrohttpd was built without TLS");
			fc_websrv_stop(w);
			return -1;
		}
		if (!(w->cert = slurp(o->cert ? o->cert : "", err, errlen)) ||
		    !(w->key = slurp(o->key && *o->key ? o->key : o->cert, err, errlen))) {
			fc_websrv_stop(w);
			return -1;
		}
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, w->cert};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, w->key};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0,
						    (void *)"NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1"};
		if (o->client_ca && *o->client_ca) {
			if (!(w->ca = slurp(o->client_ca, err, errlen))) {
				fc_websrv_stop(w);
				return -1;
			}
			opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, w->ca};
		}
	} else if (o->client_ca && *o->client_ca) {
		snprintf(err, errlen, "webserver.ssl_client_ca needs webserver.ssl_enabled");
		fc_websrv_stop(w);
		return -1;
	}
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	w->d = fc_mhd.start_daemon(flags, o->port, NULL, NULL, on_request, w, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!w->d) {
		snprintf(err, errlen, "webserver: cannot listen on %s:%u (address in use, no permission, or a bad TLS "
			 "certificate/key)", addr, o->port);
		fc_websrv_stop(w);
		return -1;
	}
	const union MHD_DaemonInfo *di = fc_mhd.get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
	w->port = di ? di->port : o->port;
	*out = w;
	return 0;
}
