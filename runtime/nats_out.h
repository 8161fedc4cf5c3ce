/* nats_out.h — the NATS channel, a sink (sink.h) with its own queue and thread: the client side of the NATS text protocol over TCP, written here (no client library):
 * INFO, CONNECT (user/password or token), PING/PONG to confirm the connection, then
 * `PUB <subject> <len>` per alert; the server's PINGs are answered, an -ERR or a broken
 * connection reconnects on the next alert (spaced by the sink's backoff). The subject is a
 * template: <priority> becomes the lowercase priority word and <rule> the rule name with every
 * character other than letters, digits, '-' and '_' replaced by '_'. */
#ifndef FC_NATS_OUT_H
#define FC_NATS_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink.h"

struct fc_nats_opts {
	const char *url; /* nats://[user[:password]@]host[:port] */
	const char *subject;
	const char *user, *password, *token; /* NULL/"" = from the URL / none */
	const char *name;                    /* client name shown by the server */
	uint64_t connect_timeout_ms;         /* also bounds each write and the handshake */
};

int fc_nats_sink_new(const struct fc_nats_opts *o, const struct fc_sink_opts *so, struct fc_sink **out, char *err,
		     size_t errlen);

/* The subject for an alert (exposed for tests): TEMPLATE with <priority> and <rule> replaced.
 * False when it does not fit in LEN bytes. */
/* Checks a nats_output.url as the sink will parse it (nats://[user[:pass]@]host[:port], numeric
 * port); false with the reason in ERR. For the configuration check (falcod --dry-run). */
bool fc_nats_url_check(const char *url, char *err, size_t errlen);
bool fc_nats_subject(const char *tmpl, unsigned prio, const char *rule, char *buf, size_t len);

#endif
