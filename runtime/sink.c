/* sink.c — the bounded queue, thread, retry/backoff and "endpoint down" logic shared by the
 * network channels (sink.h). The queue is a fixed ring of owned copies under one mutex; the
 * pushing thread holds it for a few instructions and signals only a sleeping worker. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sink.h"

struct fc_sink {
	struct fc_sink_ops ops;
	void *ctx;
	struct fc_sink_opts o;
	FILE *log;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct fc_sink_msg *ring;
	size_t cap, head, count;
	bool waiting, stop;
	uint64_t deadline_ns; /* closing: give up on what is left after this (monotonic) */
	pthread_t thr;
	atomic_int tid;

	/* counters: under mu, except the atomics the worker bumps */
	uint64_t queued, drops, max_depth, drops_warned;
	time_t last_drop_warn;
	atomic_uint_fast64_t sent, failed, retries, send_ns;
	atomic_bool down;
	time_t last_ep_warn;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void msg_free(struct fc_sink_msg *m)
{
	free(m->body);
	free(m->rule);
	m->body = m->rule = NULL;
}

bool fc_sink_closing(struct fc_sink *s)
{
	pthread_mutex_lock(&s->mu);
	bool c = s->stop && (s->deadline_ns == 0 || mono_ns() >= s->deadline_ns);
	pthread_mutex_unlock(&s->mu);
	return c;
}

bool fc_sink_sleep(struct fc_sink *s, uint64_t ms)
{
	uint64_t until = mono_ns() + ms * 1000000u;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		uint64_t now = mono_ns();
		bool closing = s->stop && (s->deadline_ns == 0 || now >= s->deadline_ns);
		if (closing) {
			pthread_mutex_unlock(&s->mu);
			return false;
		}
		if (now >= until)
			break;
		if (s->stop && s->deadline_ns && s->deadline_ns < until)
			until = s->deadline_ns;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t left = until - now;
		if (left > 200000000u)
			left = 200000000u; /* re-check the stop flag */
		ts.tv_sec += (time_t)(left / 1000000000u);
		ts.tv_nsec += (long)(left % 1000000000u);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	return true;
}

void fc_sink_warn(struct fc_sink *s, const char *fmt, ...)
{
	time_t now = time(NULL);
	if (s->last_ep_warn && now - s->last_ep_warn < 10)
		return;
	s->last_ep_warn = now;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(s->log, "falcod: warning: %s output: %s\n", s->ops.name, msg);
}

/* One alert: first attempt, then retries with a doubling wait. */
static void deliver(struct fc_sink *s, const struct fc_sink_msg *m)
{
	char err[512];
	bool down = atomic_load(&s->down);
	uint32_t attempts = down ? 1 : s->o.retries + 1;
	uint64_t wait = down ? s->o.backoff_max_ms : s->o.backoff_ms;
	for (uint32_t a = 0; a < attempts; a++) {
		if (a) {
			atomic_fetch_add(&s->retries, 1);
			if (!fc_sink_sleep(s, wait))
				break;
			wait = wait * 2 > s->o.backoff_max_ms ? s->o.backoff_max_ms : wait * 2;
		} else if (down && !fc_sink_sleep(s, wait))
			break; /* down: one attempt per backoff period */
		err[0] = 0;
		uint64_t t0 = mono_ns();
		int rc = s->ops.send(s->ctx, s, m, err, sizeof err);
		if (rc == FC_SINK_OK) {
			atomic_fetch_add(&s->send_ns, mono_ns() - t0);
			atomic_fetch_add(&s->sent, 1);
			if (atomic_exchange(&s->down, false))
				fprintf(s->log, "falcod: %s output: the endpoint is back\n", s->ops.name);
			s->last_ep_warn = 0;
			return;
		}
		fc_sink_warn(s, "%s", err[0] ? err : "delivery failed");
		if (rc == FC_SINK_FAIL)
			break;
	}
	atomic_fetch_add(&s->failed, 1);
}

static void *worker(void *arg)
{
	struct fc_sink *s = arg;
	atomic_store(&s->tid, (int)gettid());
	uint32_t consecutive = 0;
	uint64_t last_idle = mono_ns();
	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (s->count == 0) {
			if (s->stop)
				break;
			if (s->ops.idle && mono_ns() - last_idle >= 1000000000u) {
				pthread_mutex_unlock(&s->mu);
				s->ops.idle(s->ctx, s);
				last_idle = mono_ns();
				pthread_mutex_lock(&s->mu);
				continue;
			}
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 250 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			s->waiting = true;
			pthread_cond_timedwait(&s->cv, &s->mu, &ts);
			s->waiting = false;
			continue;
		}
		struct fc_sink_msg m = s->ring[s->head];
		s->head = (s->head + 1) % s->cap;
		s->count--;
		bool abandon = s->stop && s->deadline_ns && mono_ns() >= s->deadline_ns;
		pthread_mutex_unlock(&s->mu);
		if (abandon)
			atomic_fetch_add(&s->failed, 1);
		else {
			uint64_t failed = atomic_load(&s->failed);
			deliver(s, &m);
			if (atomic_load(&s->failed) != failed) {
				if (s->o.max_consecutive_failures && ++consecutive >= s->o.max_consecutive_failures &&
				    !atomic_exchange(&s->down, true))
					fprintf(s->log,
						"falcod: warning: %s output: %u alerts in a row could not be delivered; the "
						"endpoint is considered down (one attempt per %llu ms until it answers)\n",
						s->ops.name, consecutive, (unsigned long long)s->o.backoff_max_ms);
			} else
				consecutive = 0;
		}
		msg_free(&m);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int fc_sink_new(const struct fc_sink_ops *ops, void *ctx, const struct fc_sink_opts *o, struct fc_sink **out,
		char *err, size_t errlen)
{
	struct fc_sink *s = calloc(1, sizeof *s);
	if (!s) {
		ops->free(ctx);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->ops = *ops;
	s->ctx = ctx;
	s->o = *o;
	s->log = o->log ? o->log : stderr;
	if (!s->o.capacity)
		s->o.capacity = 1;
	if (!s->o.backoff_ms)
		s->o.backoff_ms = 1;
	if (s->o.backoff_max_ms < s->o.backoff_ms)
		s->o.backoff_max_ms = s->o.backoff_ms;
	s->cap = s->o.capacity;
	s->ring = calloc(s->cap, sizeof *s->ring);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (!s->ring || pthread_create(&s->thr, NULL, worker, s) != 0) {
		snprintf(err, errlen, "%s output: cannot start its thread", ops->name);
		free(s->ring);
		ops->free(ctx);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

static void drop_warning(struct fc_sink *s)
{
	time_t now = time(NULL);
	if (now == s->last_drop_warn)
		return;
	s->last_drop_warn = now;
	fprintf(s->log, "falcod: warning: %s output queue full (capacity %llu): %llu alert(s) dropped so far\n",
		s->ops.name, (unsigned long long)s->cap, (unsigned long long)s->drops);
}

bool fc_sink_push(struct fc_sink *s, const char *body, size_t len, unsigned prio, const char *rule)
{
	struct fc_sink_msg m = {.len = (uint32_t)len, .prio = (uint8_t)prio};
	pthread_mutex_lock(&s->mu);
	bool full = s->count == s->cap;
	if (full) {
		s->drops++;
		bool warn = s->last_drop_warn != time(NULL);
		pthread_mutex_unlock(&s->mu);
		if (warn) {
			pthread_mutex_lock(&s->mu);
			drop_warning(s);
			pthread_mutex_unlock(&s->mu);
		}
		return false;
	}
	pthread_mutex_unlock(&s->mu);
	/* Copy outside the lock (a full queue drops without allocating). */
	m.body = malloc(len + 1);
	m.rule = strdup(rule ? rule : "");
	if (!m.body || !m.rule) {
		msg_free(&m);
		pthread_mutex_lock(&s->mu);
		s->drops++;
		pthread_mutex_unlock(&s->mu);
		return false;
	}
	memcpy(m.body, body, len);
	m.body[len] = 0;
	pthread_mutex_lock(&s->mu);
	if (s->count == s->cap) { /* another pusher took the slot meanwhile */
		s->drops++;
		pthread_mutex_unlock(&s->mu);
		msg_free(&m);
		return false;
	}
	s->ring[(s->head + s->count) % s->cap] = m;
	s->count++;
	s->queued++;
	if (s->count > s->max_depth)
		s->max_depth = s->count;
	if (s->waiting)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return true;
}

void fc_sink_stats(struct fc_sink *s, struct fc_sink_stats *st)
{
	pthread_mutex_lock(&s->mu);
	*st = (struct fc_sink_stats){.name = s->ops.name,
				     .queued = s->queued,
				     .drops = s->drops,
				     .depth = s->count,
				     .max_depth = s->max_depth};
	pthread_mutex_unlock(&s->mu);
	st->sent = atomic_load(&s->sent);
	st->failed = atomic_load(&s->failed);
	st->retries = atomic_load(&s->retries);
	st->send_ns = atomic_load(&s->send_ns);
	st->down = atomic_load(&s->down);
}

int fc_sink_tid(struct fc_sink *s)
{
	return atomic_load(&s->tid);
}

void fc_sink_close(struct fc_sink *s, uint64_t drain_ms, struct fc_sink_stats *final)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	s->deadline_ns = mono_ns() + (drain_ms ? drain_ms : 1) * 1000000u;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thr, NULL);
	if (final)
		fc_sink_stats(s, final);
	for (size_t i = 0; i < s->count; i++)
		msg_free(&s->ring[(s->head + i) % s->cap]);
	free(s->ring);
	s->ops.free(s->ctx);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
