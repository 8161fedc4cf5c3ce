/* reload.h — when to reload, and preparing the new ruleset off the event thread.
 *
 * A reload thread waits for SIGHUP (fc_reload_request, async-signal-safe: it writes an
 * eventfd) or, with watching on, for inotify events on the configuration and rules files
 * (IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF; each file's directory too, so an editor's
 * rename-over and a file that appears later are seen) and rules directories (IN_CREATE |
 * IN_DELETE | IN_MOVE | IN_CLOSE_WRITE, *.yaml / *.yml names only). After 100 ms without a
 * further event (debounce: a tool writing several files triggers one reload) it calls the
 * PREPARE callback, which loads the configuration, compiles and verifies the rules and builds
 * the new VM — all on this thread, while events keep flowing through the running rules. A
 * prepared ruleset is parked for the event thread, which picks it up with fc_reload_take
 * between two events and swaps it in. A failed preparation leaves nothing parked: the running
 * rules stay. Watches are rebuilt after every attempt (files may be new inodes, the list of
 * rules files may have changed). */
#ifndef FC_RELOAD_H
#define FC_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct fc_reload_ops {
	/* Builds the new ruleset; NULL when it fails (the callback prints why). */
	void *(*prepare)(void *ctx);
	/* Frees a prepared ruleset nobody took (superseded by a newer one, or at stop). */
	void (*discard)(void *ctx, void *prepared);
	/* The files and directories to watch now (the callback owns the strings). */
	const char *const *(*paths)(void *ctx, size_t *n);
	void *ctx;
};

struct fc_reload;

/* Starts the thread; WATCH turns inotify on (SIGHUP works either way). */
int fc_reload_start(const struct fc_reload_ops *ops, bool watch, FILE *log, struct fc_reload **out, char *err,
		    size_t errlen);
/* Asks for a reload (signal handlers may call it). */
void fc_reload_request(struct fc_reload *r);
/* The event thread: a prepared ruleset to swap in now, or NULL (one atomic load when none). */
void *fc_reload_take(struct fc_reload *r);
/* Counters: preparations that succeeded / failed. */
void fc_reload_counts(struct fc_reload *r, unsigned long long *ok, unsigned long long *failed);
/* The reload thread's kernel id (falcod skips its own events). */
int fc_reload_tid(struct fc_reload *r);
void fc_reload_stop(struct fc_reload *r);

#endif
