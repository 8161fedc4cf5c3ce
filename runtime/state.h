/* state.h — the state engine (RUNTIME.md §5.2–5.3, issue 4): thread table with the process
 * tree, per-process fd tables, containers from cgroup paths, users and groups; and the field
 * extractors (value.h) that compute every catalog field the engine can compute from the current
 * event plus that state.
 *
 * Contract with its users (falcod live and replay, tests, benchmarks):
 *   1. seed: fc_state_seed_proc / fc_state_seed_fd for each capture process/fd entry (replay),
 *      or fc_state_seed_proc_scan (live: /proc);
 *   2. per event (one event per syscall: merged exit events, merge.h): fc_state_event(st, ev)
 *      updates the tables (the parser pass, before rules), then the caller runs the VM with
 *      fc_state_extractor(st) — the extractor reads the event handed to fc_state_event and the
 *      state it left — then fc_state_event_done(st) applies deferred removals (closed fds,
 *      exited threads), as upstream does after the rules ran.
 * Memory is bounded by fc_state_opts; evictions and failed lookups are counted. */
#ifndef FC_STATE_H
#define FC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "evt.h"
#include "value.h"

struct fc_state_opts {
	uint32_t max_threads;      /* default 262144 (falco_libs.thread_table_size) */
	uint32_t max_fds_per_proc; /* default 4096 (MAX_FD_TABLE_SIZE) */
	uint64_t purge_idle_ns;    /* threads idle longer are purged; default 300 s */
	const char *host_root;     /* "/" live; prefix for /proc and /etc (tests point elsewhere) */
	const char *hostname;      /* evt.hostname; NULL = gethostname / FALCO_HOSTNAME */
	/* Extensions (state engine, issue 4). host_root may be NULL: no host filesystem access at
	 * all (replay of a capture from another machine: no /proc lookups of unknown threads, no
	 * /etc/passwd). */
	uint64_t boot_ts;          /* host boot time, ns since the epoch: added to the probe's
	                              monotonic pidns_init_start_ts (0 = unknown) */
};
void fc_state_opts_default(struct fc_state_opts *o);

struct fc_state;
struct fc_state *fc_state_new(const struct fc_state_opts *o);
void fc_state_free(struct fc_state *st);

/* Extension: container metadata the node cannot see in events (names, images, labels, pod
 * fields, mounts, ...), from a JSON array in `docker inspect` output form (one object per
 * container: Id, Name, Image, Config{Image,Labels,Healthcheck}, HostConfig{Privileged,
 * NetworkMode,PidMode,IpcMode}, Mounts[], NetworkSettings{IPAddress}, State{StartedAt}).
 * Kubernetes fields come from the CRI labels (io.kubernetes.pod.name, ...namespace, ...uid,
 * io.kubernetes.sandbox.id). 0 on success; -1 with a message in ERR. May be called again to
 * replace the metadata. */
int fc_state_load_container_meta(struct fc_state *st, const char *path, char *err, size_t errlen);

/* Seeding. */
void fc_state_seed_proc(struct fc_state *st, const struct fc_cap_proc *p);
void fc_state_seed_fd(struct fc_state *st, const struct fc_cap_fd *fd);
int fc_state_seed_proc_scan(struct fc_state *st, char *err, size_t errlen); /* live: host_root/proc */
/* Extension (replay): a thread the capture never announced is not looked up in host_root/proc
 * (the capture comes from another time, often another machine; host_root stays for users). */
void fc_state_no_proc_lookups(struct fc_state *st);

/* Extension (issue 5, kernel pre-filter): true when events of CODE update the tables (the
 * parser pass handles them), so dropping one could change what later rules see. */
bool fc_state_parses(unsigned code);

/* Per event. EV must stay valid until fc_state_event_done. */
void fc_state_event(struct fc_state *st, const struct fc_evt *ev);
/* Extension: true when fc_state_event reads the parameters of events of CODE (it has a parser
 * for that code). For any other code it only notes the event's time, number and thread, so a
 * view without parameters (nparams 0: merge.h fc_merge_set_lite) leaves the same state. */
bool fc_state_reads_params(const struct fc_state *st, uint16_t code);
/* Extension (replay): with ON false, the scheduler-switch and memory-syscall (brk, mmap, munmap)
 * parsers are skipped, so those codes are read like any unparsed code (fc_state_reads_params
 * false). They only refresh the memory fields (proc.vmsize/vmrss/vmswap, thread.vm*,
 * thread.pfmajor/pfminor), so a ruleset that reads none of them sees the same results; a
 * quarter of a typical capture is switch events. Default on; turning it on again resumes the
 * updates from the next such event. */
void fc_state_track_memory(struct fc_state *st, bool on);
bool fc_state_field_reads_memory(enum fc_field_id id); /* one of those memory fields */
const struct fc_extractor *fc_state_extractor(struct fc_state *st);
void fc_state_event_done(struct fc_state *st);

/* Walks the tables as capture entries (falcod --record): every live thread (ascending tid),
 * then the fds of every process (under its leader's tid, ascending fd). A callback returning
 * non-zero stops the walk; that value (or -1 on allocation failure) is returned. */
typedef int (*fc_state_proc_cb)(void *ctx, const struct fc_cap_proc *p);
typedef int (*fc_state_fd_cb)(void *ctx, const struct fc_cap_fd *fd);
int fc_state_dump(struct fc_state *st, fc_state_proc_cb proc_cb, fc_state_fd_cb fd_cb, void *ctx);

struct fc_state_stats {
	uint64_t threads, fds;                    /* current sizes */
	uint64_t threads_added, threads_removed, fds_added, fds_removed;
	uint64_t thread_evictions, fd_evictions;  /* dropped because a table was full / stale */
	uint64_t thread_lookup_miss, fd_lookup_miss;
	uint64_t containers;
};
void fc_state_stats(const struct fc_state *st, struct fc_state_stats *out);

#endif
