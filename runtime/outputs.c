/* outputs.c — alert channels behind a bounded queue and one worker thread (outputs.h). The
 * queue is a ring of owned copies guarded by one mutex; the event thread only ever holds that
 * mutex for a few instructions. The worker also polls two flags set from signal handlers
 * (reopen) with a short timed wait, since a condition variable cannot be signalled from a
 * handler. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "outputs.h"

struct item {
	char *msg;
	uint32_t len;
	uint8_t prio;
};

struct fc_outputs {
	struct fc_outputs_opts o;
	char *filename, *program;
	FILE *out, *log;

	/* queue */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item *ring;
	size_t cap, head, count; /* ring capacity (grows up to o.capacity, unbounded when 0) */
	bool stop, started;
	bool waiting; /* the worker sleeps on cv: only then does a push signal it */
	pthread_t thr;
	atomic_int worker_tid;

	/* channels (worker thread only after start) */
	FILE *file;
	FILE *prog;
	pid_t prog_pid;
	int prog_fd;
	bool syslog_open;

	atomic_int reopen;
	atomic_uint_fast64_t busy_since_ns; /* 0 when idle */
	const char *_Atomic busy_channel;
	bool watchdog_reported;

	/* network channels (sink.h) */
	struct fc_sink *sinks[2];
	size_t nsinks;

	/* stats */
	uint64_t pushed, drops, max_depth;
	atomic_uint_fast64_t written, errors;
	uint64_t drops_reported;
	time_t last_drop_warn;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- program channel: /bin/sh -c PROGRAM with a pipe on its stdin ---- */

static void prog_close(struct fc_outputs *o)
{
	if (o->prog_pid <= 0)
		return;
	close(o->prog_fd);
	int st;
	while (waitpid(o->prog_pid, &st, 0) < 0 && errno == EINTR)
		;
	o->prog_pid = 0;
	o->prog_fd = -1;
}

static bool prog_open(struct fc_outputs *o)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		/* Child: the pipe becomes stdin; only async-signal-safe calls until exec. */
		if (dup2(p[0], 0) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", o->program, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	o->prog_fd = p[1];
	o->prog_pid = pid;
	return true;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool prog_write(struct fc_outputs *o, const char *msg, size_t len)
{
	/* keep_alive: one process for every alert; respawned once if it went away. */
	for (int attempt = 0; attempt < 2; attempt++) {
		if (o->prog_pid <= 0 && !prog_open(o))
			return false;
		if (write_all(o->prog_fd, msg, len) && write_all(o->prog_fd, "\n", 1)) {
			if (!o->o.program_keep_alive)
				prog_close(o);
			return true;
		}
		prog_close(o);
	}
	return false;
}

/* ---- file channel ---- */

static FILE *file_open(const char *path)
{
	return fopen(path, "ae"); /* append; close-on-exec so programs do not inherit it */
}

static bool file_write(struct fc_outputs *o, const char *msg, size_t len)
{
	if (!o->file && !(o->file = file_open(o->filename)))
		return false;
	bool ok = fwrite(msg, 1, len, o->file) == len && fputc('\n', o->file) != EOF;
	if (!o->o.buffered || !o->o.file_keep_alive)
		ok = fflush(o->file) == 0 && ok;
	if (!o->o.file_keep_alive) {
		ok = fclose(o->file) == 0 && ok;
		o->file = NULL;
	}
	return ok;
}

/* ---- worker ---- */

static void mark(struct fc_outputs *o, const char *channel)
{
	atomic_store(&o->busy_channel, channel);
	atomic_store(&o->busy_since_ns, channel ? mono_ns() : 0);
}

static void deliver(struct fc_outputs *o, const struct item *it)
{
	bool ok = true;
	if (o->o.stdout_enabled) {
		mark(o, "stdout");
		bool w = fwrite(it->msg, 1, it->len, o->out) == it->len && fputc('\n', o->out) != EOF;
		if (!o->o.buffered)
			w = fflush(o->out) == 0 && w;
		ok = ok && w;
	}
	if (o->o.file_enabled) {
		mark(o, "file");
		ok = file_write(o, it->msg, it->len) && ok;
	}
	if (o->o.syslog_enabled) {
		mark(o, "syslog");
		syslog(it->prio < 8 ? it->prio : LOG_DEBUG, "%.*s", (int)it->len, it->msg);
	}
	if (o->o.program_enabled) {
		mark(o, "program");
		ok = prog_write(o, it->msg, it->len) && ok;
	}
	mark(o, NULL);
	if (!ok)
		atomic_fetch_add(&o->errors, 1);
	atomic_fetch_add(&o->written, 1);
}

static void do_reopen(struct fc_outputs *o)
{
	if (o->file) {
		fclose(o->file);
		o->file = file_open(o->filename); /* NULL: retried at the next alert */
	}
	if (o->prog_pid > 0) {
		prog_close(o);
		prog_open(o);
	}
}

static void *worker(void *arg)
{
	struct fc_outputs *o = arg;
	atomic_store(&o->worker_tid, (int)gettid());
	pthread_mutex_lock(&o->mu);
	for (;;) {
		if (atomic_exchange(&o->reopen, 0)) {
			pthread_mutex_unlock(&o->mu);
			do_reopen(o);
			pthread_mutex_lock(&o->mu);
		}
		if (o->count == 0) {
			if (o->stop)
				break;
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000000L; /* notice reopen requests from signal handlers */
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			o->waiting = true;
			pthread_cond_timedwait(&o->cv, &o->mu, &ts);
			o->waiting = false;
			continue;
		}
		struct item it = o->ring[o->head];
		o->head = (o->head + 1) % o->cap;
		o->count--;
		pthread_mutex_unlock(&o->mu);
		deliver(o, &it);
		free(it.msg);
		pthread_mutex_lock(&o->mu);
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

/* ---- API ---- */

int fc_outputs_new(const struct fc_outputs_opts *opts, struct fc_outputs **out, char *err, size_t errlen)
{
	struct fc_outputs *o = calloc(1, sizeof *o);
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->o = *opts;
	o->out = opts->stdout_stream ? opts->stdout_stream : stdout;
	o->log = opts->log ? opts->log : stderr;
	o->prog_fd = -1;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	if (!o->o.timeout_ms)
		o->o.timeout_ms = 2000;
	if (opts->file_enabled) {
		if (!opts->filename || !*opts->filename) {
			snprintf(err, errlen, "file_output: no filename");
			free(o);
			return -1;
		}
		o->filename = strdup(opts->filename);
		if (opts->file_keep_alive && !(o->file = file_open(o->filename))) {
			snprintf(err, errlen, "file_output: cannot open %s: %s", o->filename, strerror(errno));
			free(o->filename);
			free(o);
			return -1;
		}
	}
	if (opts->program_enabled) {
		if (!opts->program || !*opts->program) {
			snprintf(err, errlen, "program_output: no program");
			if (o->file)
				fclose(o->file);
			free(o->filename);
			free(o);
			return -1;
		}
		o->program = strdup(opts->program);
	}
	if (opts->syslog_enabled) {
		openlog("falcod", LOG_PID, LOG_USER);
		o->syslog_open = true;
	}
	if (opts->http) {
		struct fc_sink_opts so = opts->http_queue;
		so.log = o->log;
		if (fc_http_sink_new(opts->http, &so, &o->sinks[o->nsinks], err, errlen) != 0) {
			fc_outputs_close(o, NULL);
			return -1;
		}
		o->nsinks++;
	}
	if (opts->nats) {
		struct fc_sink_opts so = opts->nats_queue;
		so.log = o->log;
		if (fc_nats_sink_new(opts->nats, &so, &o->sinks[o->nsinks], err, errlen) != 0) {
			fc_outputs_close(o, NULL);
			return -1;
		}
		o->nsinks++;
	}
	/* A program that exits must not kill us with SIGPIPE: its write fails with EPIPE instead. */
	signal(SIGPIPE, SIG_IGN);
	o->cap = opts->capacity && opts->capacity < 1024 ? opts->capacity : 1024;
	o->ring = calloc(o->cap, sizeof *o->ring);
	if (!o->ring) {
		snprintf(err, errlen, "out of memory");
		fc_outputs_close(o, NULL);
		return -1;
	}
	*out = o;
	return 0;
}

int fc_outputs_start(struct fc_outputs *o)
{
	if (o->started)
		return 0;
	if (pthread_create(&o->thr, NULL, worker, o) != 0)
		return -1;
	o->started = true;
	return 0;
}

/* Grows the ring (unbounded queue, or bounded above 1024); called with the lock held. */
static bool grow(struct fc_outputs *o)
{
	size_t ncap = o->cap * 2;
	if (o->o.capacity && ncap > o->o.capacity)
		ncap = o->o.capacity;
	if (ncap <= o->cap)
		return false;
	struct item *r = malloc(ncap * sizeof *r);
	if (!r)
		return false;
	for (size_t i = 0; i < o->count; i++)
		r[i] = o->ring[(o->head + i) % o->cap];
	free(o->ring);
	o->ring = r;
	o->cap = ncap;
	o->head = 0;
	return true;
}

static void drop_warning(struct fc_outputs *o)
{
	time_t now = time(NULL);
	if (now == o->last_drop_warn)
		return;
	o->last_drop_warn = now;
	fprintf(o->log, "falcod: warning: outputs queue full (capacity %llu): %llu alert(s) dropped so far\n",
		(unsigned long long)o->o.capacity, (unsigned long long)o->drops);
	o->drops_reported = o->drops;
}

bool fc_outputs_push(struct fc_outputs *o, const char *line, size_t len, unsigned priority)
{
	struct item it = {.msg = malloc(len ? len : 1), .len = (uint32_t)len, .prio = (uint8_t)priority};
	if (!it.msg) {
		pthread_mutex_lock(&o->mu);
		o->drops++;
		pthread_mutex_unlock(&o->mu);
		return false;
	}
	memcpy(it.msg, line, len);
	pthread_mutex_lock(&o->mu);
	bool full = o->count == o->cap && !grow(o);
	if (full) {
		o->drops++;
		bool warn = o->drops != o->drops_reported;
		pthread_mutex_unlock(&o->mu);
		free(it.msg);
		if (warn)
			drop_warning(o);
		return false;
	}
	o->ring[(o->head + o->count) % o->cap] = it;
	o->count++;
	o->pushed++;
	if (o->count > o->max_depth)
		o->max_depth = o->count;
	if (o->waiting) /* a busy worker finds the item anyway: no wake-up syscall per alert */
		pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	return true;
}

int fc_outputs_worker_tid(struct fc_outputs *o)
{
	return atomic_load(&o->worker_tid);
}

bool fc_outputs_push_alert(struct fc_outputs *o, const char *line, size_t len, const char *json, size_t jlen,
			   unsigned priority, const char *rule)
{
	bool ok = fc_outputs_push(o, line, len, priority);
	if (!json) {
		json = line;
		jlen = len;
	}
	for (size_t i = 0; i < o->nsinks; i++)
		ok = fc_sink_push(o->sinks[i], json, jlen, priority, rule) && ok;
	return ok;
}

bool fc_outputs_wants_json(const struct fc_outputs *o)
{
	return o->nsinks > 0;
}

size_t fc_outputs_sink_tids(struct fc_outputs *o, int *tids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < o->nsinks && n < max; i++)
		tids[n++] = fc_sink_tid(o->sinks[i]);
	return n;
}

size_t fc_outputs_sink_stats(struct fc_outputs *o, struct fc_sink_stats *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < o->nsinks && n < max; i++)
		fc_sink_stats(o->sinks[i], &out[n++]);
	return n;
}

void fc_outputs_reopen(struct fc_outputs *o)
{
	atomic_store(&o->reopen, 1);
}

bool fc_outputs_watchdog(struct fc_outputs *o)
{
	uint64_t since = atomic_load(&o->busy_since_ns);
	if (!since || mono_ns() - since <= (uint64_t)o->o.timeout_ms * 1000000u) {
		if (!since)
			o->watchdog_reported = false;
		return false;
	}
	if (!o->watchdog_reported) {
		const char *ch = atomic_load(&o->busy_channel);
		fprintf(o->log, "falcod: warning: output channel '%s' blocked for more than %u ms (alerts stay queued)\n",
			ch ? ch : "?", o->o.timeout_ms);
		o->watchdog_reported = true;
	}
	return true;
}

void fc_outputs_stats(struct fc_outputs *o, struct fc_outputs_stats *s)
{
	pthread_mutex_lock(&o->mu);
	*s = (struct fc_outputs_stats){.pushed = o->pushed, .drops = o->drops, .max_depth = o->max_depth};
	pthread_mutex_unlock(&o->mu);
	s->nsinks = fc_outputs_sink_stats(o, s->sinks, 2);
	s->written = atomic_load(&o->written);
	s->errors = atomic_load(&o->errors);
}

void fc_outputs_close(struct fc_outputs *o, struct fc_outputs_stats *final)
{
	if (!o)
		return;
	if (o->started) {
		pthread_mutex_lock(&o->mu);
		o->stop = true;
		pthread_cond_signal(&o->cv);
		pthread_mutex_unlock(&o->mu);
		pthread_join(o->thr, NULL);
	} else {
		/* Never started: deliver what was queued, in order, here. */
		while (o->ring && o->count) {
			struct item it = o->ring[o->head];
			o->head = (o->head + 1) % o->cap;
			o->count--;
			deliver(o, &it);
			free(it.msg);
		}
	}
	for (size_t i = 0; o->ring && i < o->count; i++)
		free(o->ring[(o->head + i) % o->cap].msg);
	struct fc_sink_stats ss[2];
	for (size_t i = 0; i < o->nsinks; i++)
		fc_sink_close(o->sinks[i], o->o.timeout_ms, &ss[i]);
	if (final) {
		size_t n = o->nsinks;
		o->nsinks = 0; /* closed above */
		fc_outputs_stats(o, final);
		for (size_t i = 0; i < n; i++)
			final->sinks[i] = ss[i];
		final->nsinks = n;
	}
	if (o->o.stdout_enabled)
		fflush(o->out);
	if (o->file)
		fclose(o->file);
	prog_close(o);
	if (o->syslog_open)
		closelog();
	free(o->ring);
	free(o->filename);
	free(o->program);
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
	free(o);
}
