/* probe.h — the eBPF probe loader (issue 5): opens the embedded CO-RE skeleton, writes the
 * syscall selection (and later the kernel predicate programs) into its maps, attaches, and
 * hands the consumer events in scap layout, in timestamp order across the ring buffers.
 * Selection can be replaced while attached (reload without a gap). */
#ifndef FC_PROBE_H
#define FC_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evt.h"

struct fc_probe_opts {
	uint32_t ring_bytes;   /* per ring buffer, power of two; 0 = default (8 MiB) */
	uint32_t cpus_per_ring;/* 0 = one ring per CPU */
	const uint64_t *ksel;  /* PPM_SC bitset (bundle.h FC_SEC_KSEL); NULL = every syscall */
	uint32_t nksel;        /* words */
	/* Addition: report the child side of clone/fork from sched_process_fork (what arm64 always
	 * does) even on x86_64, where sys_exit sees it; for tests of that path. */
	bool fork_tracepoint;
	/* Addition (issue 5, pre-filter): the kernel predicate programs (bundle.h FC_SEC_KPROG,
	 * fc_bundle_kprog); NULL = no in-kernel filtering (--no-kernel-filter). */
	const struct fc_kprog_set *kprog;
	/* Addition (issue 5): drop the syscalls of the calling process's threads in the probe
	 * (counted in stats.own) — for falcod, whose own syscalls would only feed back. */
	bool drop_self;
};

struct fc_probe;

/* Loads and attaches. On failure returns -1 with ERR saying what is missing and what to do
 * ("BTF not found at /sys/kernel/btf/vmlinux: ...", "permission denied: run as root or grant
 * CAP_BPF+CAP_PERFMON", "kernel 5.4 lacks BPF ring buffers (5.8+)"). */
int fc_probe_open(const struct fc_probe_opts *o, struct fc_probe **out, char *err, size_t errlen);

/* Waits up to TIMEOUT_MS for events and delivers each, decoded (fc_evt_decode), to CB in
 * timestamp order. CB returns 0 to continue, non-zero to stop early. Returns the number of
 * events delivered, or -1 on error. The event points into the ring (no copy): it is valid only
 * during the callback. Returns as soon as at least one event was delivered (after draining
 * what is ready, at most a bounded batch), or when the timeout expires (0 = do not wait).
 * Events that fail to decode are skipped and counted (stats.bad). */
typedef int (*fc_probe_cb)(void *ctx, const struct fc_evt *ev);
int fc_probe_poll(struct fc_probe *p, int timeout_ms, fc_probe_cb cb, void *ctx);

/* Replaces the syscall selection while attached. */
int fc_probe_set_selection(struct fc_probe *p, const uint64_t *ksel, uint32_t nksel);

/* drops_buffer is the sum of drops_by_cat (ring full), by kind of event; the other fields
 * below `nrings` are additions: drops_noring (no ring/scratch for a CPU), build_err (a probe
 * builder bug: event not sent), compat (32-bit syscalls skipped), delivered (events handed to
 * callbacks). Kernel counters are summed over CPUs. */
#define FC_PROBE_NDROPCAT 9
struct fc_probe_stats {
	uint64_t seen, sent, filtered, drops_buffer, drops_max_size, bad;
	uint32_t ncpus, nrings;
	uint64_t drops_by_cat[FC_PROBE_NDROPCAT];
	uint64_t drops_noring, build_err, compat, delivered;
	uint64_t own; /* addition: syscalls of the consumer's own threads dropped (drop_self) */
};
void fc_probe_stats(const struct fc_probe *p, struct fc_probe_stats *out);
void fc_probe_close(struct fc_probe *p);

/* ---- additions (issue 5, probe part) ---- */

/* Name of drop category I ("clone_fork_exit", "execve_exit", ..., "other"); NULL past the end. */
const char *fc_probe_dropcat_name(unsigned i);

/* Nanoseconds fc_probe_open spent opening, loading (verifier) and attaching the probe. */
uint64_t fc_probe_load_ns(const struct fc_probe *p);

/* True when the native syscall NR of the host arch is selected right now. */
bool fc_probe_selected(const struct fc_probe *p, int nr);

/* Replaces the kernel predicate programs while attached (NULL: none, every event is sent).
 * Each program is verified again (kprog.h) before it is written to the probe's map; codes
 * without a program in S stop being filtered first. 0, or -1 with a message in ERR. */
struct fc_kprog_set;
int fc_probe_set_kprog(struct fc_probe *p, const struct fc_kprog_set *s, char *err, size_t errlen);

/* Number of event codes the probe filters right now. */
uint32_t fc_probe_kprog_count(const struct fc_probe *p);

#endif
