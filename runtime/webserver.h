/* webserver.h — falcod's HTTP(S) endpoint (libmicrohttpd): /healthz (name configurable),
 * /metrics (Prometheus text, when enabled) and /versions, served from the metrics store
 * (metrics.h) by libmicrohttpd's own threads, never by the event thread. Binds to
 * listen_address:listen_port (default 127.0.0.1:8765); with ssl_enabled it speaks TLS with the
 * PEM certificate (and key: ssl_key, else the same PEM file), TLS 1.2 or newer; with
 * ssl_client_ca, only clients presenting a certificate signed by that CA get an answer (403
 * otherwise). */
#ifndef FC_WEBSERVER_H
#define FC_WEBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

struct fc_websrv_opts {
	const char *address; /* IPv4/IPv6 literal or host name */
	uint16_t port;       /* 0: any free port (tests; see fc_websrv_port) */
	unsigned threads;    /* 0: one per CPU */
	const char *healthz; /* "/healthz" */
	bool prometheus;     /* serve /metrics */
	bool tls;
	const char *cert, *key; /* PEM files (key NULL: inside cert) */
	const char *client_ca;  /* PEM CA file: clients must present a certificate it signed (NULL: none) */
};

struct fc_websrv;

int fc_websrv_start(const struct fc_websrv_opts *o, struct fc_metrics *m, struct fc_websrv **out, char *err,
		    size_t errlen);
uint16_t fc_websrv_port(const struct fc_websrv *w);
void fc_websrv_stop(struct fc_websrv *w);

#endif
