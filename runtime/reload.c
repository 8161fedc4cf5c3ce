/* reload.c — the reload thread: SIGHUP through an eventfd, inotify watches with a 100 ms
 * debounce, preparation of the new ruleset off the event thread and the hand-over slot
 * (reload.h). */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reload.h"

#define DEBOUNCE_MS 100
#define FILE_MASK (IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF)
#define DIR_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE)

/* One inotify watch: a file itself, a directory of rules, or the directory of a watched file
 * (then only NAME inside it matters). */
struct watch {
	int wd;
	char *name; /* parent watch: the file's base name; NULL otherwise */
	bool rules_dir;
};

struct fc_reload {
	struct fc_reload_ops ops;
	bool watch;
	FILE *log;
	int efd;  /* SIGHUP and stop requests */
	int ifd;  /* inotify (-1 when not watching) */
	atomic_bool stop;
	pthread_t thr;
	atomic_int tid;
	struct watch *w;
	size_t nw;

	pthread_mutex_t mu;
	void *parked; /* a prepared ruleset for the event thread */
	atomic_bool have;
	unsigned long long ok, failed;
};

static void clear_watches(struct fc_reload *r)
{
	for (size_t i = 0; i < r->nw; i++) {
		if (r->ifd >= 0)
			inotify_rm_watch(r->ifd, r->w[i].wd);
		free(r->w[i].name);
	}
	free(r->w);
	r->w = NULL;
	r->nw = 0;
}

static void add_watch(struct fc_reload *r, const char *path, uint32_t mask, const char *name, bool rules_dir)
{
	int wd = inotify_add_watch(r->ifd, path, mask);
	if (wd < 0)
		return; /* a path that does not exist: its directory's watch covers its creation */
	struct watch *w = realloc(r->w, (r->nw + 1) * sizeof *w);
	if (!w)
		return;
	r->w = w;
	w[r->nw++] = (struct watch){.wd = wd, .name = name ? strdup(name) : NULL, .rules_dir = rules_dir};
}

static void rebuild_watches(struct fc_reload *r)
{
	if (r->ifd < 0)
		return;
	clear_watches(r);
	size_t n = 0;
	const char *const *paths = r->ops.paths(r->ops.ctx, &n);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			add_watch(r, paths[i], DIR_MASK | IN_MOVE_SELF | IN_DELETE_SELF, NULL, true);
			continue;
		}
		add_watch(r, paths[i], FILE_MASK, NULL, false);
		/* Its directory: editors replace files by renaming over them, and a missing file
		 * may appear later. */
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", paths[i]);
		char *slash = strrchr(dir, '/');
		const char *base = slash ? slash + 1 : paths[i];
		if (slash == dir)
			dir[1] = 0;
		else if (slash)
			*slash = 0;
		else
			snprintf(dir, sizeof dir, ".");
		add_watch(r, dir, IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE, base, false);
	}
}

static bool yaml_name(const char *n)
{
	return n[0] != '.' && (!fnmatch("*.yaml", n, 0) || !fnmatch("*.yml", n, 0));
}

/* Reads pending inotify events; true when one of them concerns a watched file. */
static bool read_inotify(struct fc_reload *r)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool relevant = false;
	for (;;) {
		ssize_t len = read(r->ifd, buf, sizeof buf);
		if (len <= 0)
			break;
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof *ev + ev->len;
			for (size_t i = 0; i < r->nw; i++) {
				const struct watch *w = &r->w[i];
				if (w->wd != ev->wd)
					continue;
				if (w->name)
					relevant |= ev->len && !strcmp(ev->name, w->name);
				else if (w->rules_dir)
					relevant |= !ev->len || yaml_name(ev->name) || (ev->mask & (IN_MOVE_SELF | IN_DELETE_SELF));
				else
					relevant = true;
			}
		}
	}
	return relevant;
}

static void drain_efd(struct fc_reload *r)
{
	uint64_t v;
	while (read(r->efd, &v, sizeof v) == (ssize_t)sizeof v)
		;
}

static void *thread_main(void *arg)
{
	struct fc_reload *r = arg;
	atomic_store(&r->tid, (int)gettid());
	rebuild_watches(r);
	while (!atomic_load(&r->stop)) {
		struct pollfd p[2] = {{.fd = r->efd, .events = POLLIN}, {.fd = r->ifd, .events = POLLIN}};
		int n = poll(p, r->ifd >= 0 ? 2 : 1, -1);
		if (n < 0 && errno != EINTR)
			break;
		if (atomic_load(&r->stop))
			break;
		bool go = false;
		if (p[0].revents & POLLIN) {
			drain_efd(r);
			go = true;
		}
		if (r->ifd >= 0 && (p[1].revents & POLLIN))
			go |= read_inotify(r);
		if (!go)
			continue;
		/* Debounce: wait for 100 ms without a further event. */
		for (;;) {
			n = poll(p, r->ifd >= 0 ? 2 : 1, DEBOUNCE_MS);
			if (atomic_load(&r->stop) || n <= 0)
				break;
			if (p[0].revents & POLLIN)
				drain_efd(r);
			if (r->ifd >= 0 && (p[1].revents & POLLIN))
				read_inotify(r);
		}
		if (atomic_load(&r->stop))
			break;
		void *prep = r->ops.prepare(r->ops.ctx);
		pthread_mutex_lock(&r->mu);
		if (prep) {
			r->ok++;
			if (r->parked)
				r->ops.discard(r->ops.ctx, r->parked); /* never taken: superseded */
			r->parked = prep;
			atomic_store(&r->have, true);
		} else
			r->failed++;
		pthread_mutex_unlock(&r->mu);
		rebuild_watches(r);
	}
	return NULL;
}

int fc_reload_start(const struct fc_reload_ops *ops, bool watch, FILE *log, struct fc_reload **out, char *err,
		    size_t errlen)
{
	struct fc_reload *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->ops = *ops;
	r->watch = watch;
	r->log = log ? log : stderr;
	r->ifd = -1;
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(r);
		return -1;
	}
	if (watch) {
		r->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (r->ifd < 0)
			fprintf(r->log, "falcod: warning: inotify: %s; files are not watched (SIGHUP still reloads)\n",
				strerror(errno));
	}
	pthread_mutex_init(&r->mu, NULL);
	if (pthread_create(&r->thr, NULL, thread_main, r) != 0) {
		snprintf(err, errlen, "cannot start the reload thread");
		if (r->ifd >= 0)
			close(r->ifd);
		close(r->efd);
		pthread_mutex_destroy(&r->mu);
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void fc_reload_request(struct fc_reload *r)
{
	uint64_t one = 1;
	ssize_t w = write(r->efd, &one, sizeof one); /* async-signal-safe */
	(void)w;
}

void *fc_reload_take(struct fc_reload *r)
{
	if (!atomic_load_explicit(&r->have, memory_order_acquire))
		return NULL;
	pthread_mutex_lock(&r->mu);
	void *p = r->parked;
	r->parked = NULL;
	atomic_store(&r->have, false);
	pthread_mutex_unlock(&r->mu);
	return p;
}

void fc_reload_counts(struct fc_reload *r, unsigned long long *ok, unsigned long long *failed)
{
	pthread_mutex_lock(&r->mu);
	*ok = r->ok;
	*failed = r->failed;
	pthread_mutex_unlock(&r->mu);
}

int fc_reload_tid(struct fc_reload *r)
{
	return atomic_load(&r->tid);
}

void fc_reload_stop(struct fc_reload *r)
{
	if (!r)
		return;
	atomic_store(&r->stop, true);
	fc_reload_request(r);
	pthread_join(r->thr, NULL);
	if (r->parked)
		r->ops.discard(r->ops.ctx, r->parked);
	clear_watches(r);
	if (r->ifd >= 0)
		close(r->ifd);
	close(r->efd);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
