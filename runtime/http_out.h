/* http_out.h — the HTTP(S) webhook channel (Falco's http_output, the Falcosidekick path), a
 * sink (sink.h) with its own queue and thread.
 *
 * Each alert is POSTed as one JSON object (Content-Type: application/json; gzip with
 * compress_uploads) with libcurl. One connection is reused (keep_alive) or opened per alert.
 * TLS: the server's certificate is verified unless `insecure`; ca_cert / ca_bundle (files) and
 * ca_path (a directory) choose the trust anchors; with mtls the client_cert / client_key pair
 * is presented. A 2xx answer is delivered; 408, 429, 5xx and transport errors are retried with
 * backoff (sink.h); other answers and certificate/URL errors are given up at once.
 */
#ifndef FC_HTTP_OUT_H
#define FC_HTTP_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sink.h"

struct fc_http_opts {
	const char *url;
	const char *user_agent; /* NULL/"" = "falcod" */
	bool insecure;
	const char *ca_cert, *ca_bundle, *ca_path;
	bool mtls;
	const char *client_cert, *client_key;
	bool echo;           /* print the server's answers */
	FILE *echo_stream;   /* NULL = stdout */
	bool compress;       /* gzip the body */
	bool keep_alive;     /* reuse the connection */
	uint64_t timeout_ms, connect_timeout_ms;
};

int fc_http_sink_new(const struct fc_http_opts *o, const struct fc_sink_opts *so, struct fc_sink **out, char *err,
		     size_t errlen);

#endif
