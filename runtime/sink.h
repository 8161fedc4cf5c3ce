/* sink.h — one network alert channel (HTTP webhook, NATS) behind its own bounded queue and
 * thread, so a slow or dead endpoint never holds up the event thread nor the other channels.
 *
 * fc_sink_push copies the alert and never waits: when the queue is full the alert is dropped,
 * counted, and a warning is printed at most once a second. The sink's thread hands each alert
 * to the channel's send function; a failure that may pass (connection refused, timeout, HTTP
 * 5xx/429) is retried up to `retries` times, waiting `backoff_ms` and doubling up to
 * `backoff_max_ms`; then the alert is given up and counted. After `max_consecutive_failures`
 * alerts given up in a row the endpoint is "down": alerts get one attempt each (still spaced
 * by the longest wait) until one succeeds, so a dead endpoint costs one attempt per backoff
 * period and the rest of its alerts are dropped at the queue, never stalling anything. */
#ifndef FC_SINK_H
#define FC_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fc_sink_msg {
	char *body; /* the alert (JSON), LEN bytes, NUL-terminated */
	uint32_t len;
	uint8_t prio; /* 0 Emergency .. 7 Debug */
	char *rule;   /* the rule's name (NATS subjects) */
};

enum { FC_SINK_OK = 0, FC_SINK_RETRY = 1, FC_SINK_FAIL = 2 };

struct fc_sink;

struct fc_sink_ops {
	const char *name; /* "http", "nats": in messages and metrics */
	/* Delivers M: FC_SINK_OK, FC_SINK_RETRY (may work later) or FC_SINK_FAIL (never will: not
	 * retried), with a reason in ERR. Long waits inside should poll fc_sink_closing. */
	int (*send)(void *ctx, struct fc_sink *s, const struct fc_sink_msg *m, char *err, size_t errlen);
	/* Called about once a second while the queue is empty (keep-alives); may be NULL. */
	void (*idle)(void *ctx, struct fc_sink *s);
	void (*free)(void *ctx);
};

struct fc_sink_opts {
	uint64_t capacity; /* alerts; at least 1 */
	uint32_t retries;
	uint64_t backoff_ms, backoff_max_ms;
	uint32_t max_consecutive_failures; /* 0 = never "down" */
	FILE *log;                         /* warnings; NULL = stderr */
};

/* Takes ownership of CTX (freed with ops->free, also on failure) and starts the thread. */
int fc_sink_new(const struct fc_sink_ops *ops, void *ctx, const struct fc_sink_opts *o, struct fc_sink **out,
		char *err, size_t errlen);

/* Queues a copy; false when dropped (queue full or out of memory). */
bool fc_sink_push(struct fc_sink *s, const char *body, size_t len, unsigned prio, const char *rule);

/* For send functions: waits MS milliseconds unless the sink is closing (false then). */
bool fc_sink_sleep(struct fc_sink *s, uint64_t ms);
bool fc_sink_closing(struct fc_sink *s);
/* For send functions: print a warning about the endpoint, at most once every 10 s. */
void fc_sink_warn(struct fc_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct fc_sink_stats {
	const char *name;
	uint64_t queued;     /* accepted into the queue */
	uint64_t sent;       /* delivered */
	uint64_t drops;      /* rejected at the queue (full / no memory) */
	uint64_t failed;     /* given up after retries, refused for good, or abandoned at close */
	uint64_t retries;    /* extra attempts */
	uint64_t depth, max_depth;
	uint64_t send_ns;    /* total time in successful sends */
	bool down;
};
void fc_sink_stats(struct fc_sink *s, struct fc_sink_stats *out);

/* The thread's kernel id (0 before it runs). */
int fc_sink_tid(struct fc_sink *s);

/* Delivers what it can within DRAIN_MS, abandons the rest (counted in failed), stops the
 * thread and frees S. FINAL (may be NULL) gets the last counters. */
void fc_sink_close(struct fc_sink *s, uint64_t drain_ms, struct fc_sink_stats *final);

#endif
