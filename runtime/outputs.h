/* outputs.h — the alert channels (RUNTIME.md §5.6): stdout, file, syslog and program, behind
 * one bounded queue drained by one worker thread.
 *
 * The event thread formats an alert (alert.h) and pushes the line; the push copies it and
 * never waits: when the queue is full the alert is dropped, counted, and a warning is printed
 * at most once a second. The worker writes each alert to every enabled channel in turn:
 *   stdout   the line and a newline; flushed per alert unless buffered_outputs;
 *   file     appended to `filename`; kept open with keep_alive (reopened on SIGUSR1), else
 *            opened and closed per alert;
 *   syslog   syslog(3) at the alert's priority (Falco's priorities are syslog's levels);
 *   program  `program` run through /bin/sh -c; the alert goes on its stdin (never into its
 *            command line); with keep_alive one process gets every alert and is respawned when
 *            it exits or on SIGUSR1, else one process per alert.
 * A channel that stays blocked longer than timeout_ms is reported by fc_outputs_watchdog (the
 * alerts wait in the queue; none is discarded for it).
 *
 * The network channels, HTTP webhook and NATS (http_out.h, nats_out.h), each have their own
 * bounded queue and thread (sink.h): fc_outputs_push_alert hands them the JSON form of the
 * alert directly, so a slow endpoint drops its own alerts (counted) and holds up nothing else. */
#ifndef FC_OUTPUTS_H
#define FC_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "http_out.h"
#include "nats_out.h"
#include "sink.h"

struct fc_outputs_opts {
	uint64_t capacity;   /* alerts in the queue; 0 = unbounded */
	uint32_t timeout_ms; /* watchdog threshold; 0 = 2000 */
	bool buffered;
	bool stdout_enabled;
	FILE *stdout_stream; /* NULL = stdout (tests point it elsewhere) */
	bool syslog_enabled;
	bool file_enabled, file_keep_alive;
	const char *filename;
	bool program_enabled, program_keep_alive;
	const char *program;
	FILE *log; /* warnings; NULL = stderr */
	/* Network channels (NULL = off) and their queues. */
	const struct fc_http_opts *http;
	struct fc_sink_opts http_queue;
	const struct fc_nats_opts *nats;
	struct fc_sink_opts nats_queue;
};

struct fc_outputs;

/* Creates the channels (the file is opened now when keep_alive, so a bad path fails early) and
 * the queue; the worker starts with fc_outputs_start. -1 with a message in ERR on failure. */
int fc_outputs_new(const struct fc_outputs_opts *o, struct fc_outputs **out, char *err, size_t errlen);
int fc_outputs_start(struct fc_outputs *o);

/* Queues a copy of LINE (LEN bytes, no newline) at PRIORITY (0 Emergency .. 7 Debug). Never
 * blocks on a channel. False when the alert was dropped (queue full or out of memory). */
bool fc_outputs_push(struct fc_outputs *o, const char *line, size_t len, unsigned priority);

/* Queues one alert everywhere: LINE (text or JSON, as configured) for stdout, file, syslog and
 * program; JSON (JLEN bytes; NULL = LINE) for the network channels, with the rule name for
 * NATS subjects. False when any queue dropped it. */
bool fc_outputs_push_alert(struct fc_outputs *o, const char *line, size_t len, const char *json, size_t jlen,
			   unsigned priority, const char *rule);
/* True when a network channel is on (the event thread then needs the JSON form). */
bool fc_outputs_wants_json(const struct fc_outputs *o);

/* The worker thread's kernel thread id (0 before it runs): falcod skips its own events. */
int fc_outputs_worker_tid(struct fc_outputs *o);
/* The same for the network channels' threads; returns how many were written to TIDS. */
size_t fc_outputs_sink_tids(struct fc_outputs *o, int *tids, size_t max);
/* Counters of the network channels (at most MAX); returns how many. */
size_t fc_outputs_sink_stats(struct fc_outputs *o, struct fc_sink_stats *out, size_t max);

/* Asks the worker to reopen the file and respawn the program (async-signal-safe: SIGUSR1). */
void fc_outputs_reopen(struct fc_outputs *o);

/* Reports (once per episode) a channel blocked longer than the timeout; call it from time to
 * time on the event thread. True when a channel is blocked now. */
bool fc_outputs_watchdog(struct fc_outputs *o);

struct fc_outputs_stats {
	uint64_t pushed;   /* accepted into the queue */
	uint64_t written;  /* alerts the worker has handled (all channels) */
	uint64_t drops;    /* rejected: queue full or no memory */
	uint64_t errors;   /* channel write failures */
	uint64_t max_depth;
	struct fc_sink_stats sinks[2]; /* the network channels */
	size_t nsinks;
};
void fc_outputs_stats(struct fc_outputs *o, struct fc_outputs_stats *out);

/* Delivers everything queued, stops the worker, closes the channels and frees O; FINAL (may
 * be NULL) gets the last counters. Network channels get timeout_ms to deliver what they hold;
 * the rest is counted as failed. */
void fc_outputs_close(struct fc_outputs *o, struct fc_outputs_stats *final);

#endif
