/* metrics.h — falcod's counters as the web server shows them (RUNTIME.md §5.7): Prometheus text
 * for /metrics with Falco's metric names where Falco has the metric (falcosecurity_falco_*,
 * falcosecurity_scap_*) and falcosecurity_falcod_* for ours (events by type, kernel-filtered
 * events, the per-rule cost profile, output channels, reloads, state evictions), the /healthz
 * verdict and /versions.
 *
 * Threads: the event thread owns every counter; it publishes a copy (fc_metrics_publish, a few
 * KiB, every ~250 ms) into this store under a mutex, and the web server's threads render from
 * the copy. So a stuck event loop shows as a stale snapshot, which /healthz reports. */
#ifndef FC_METRICS_H
#define FC_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "events.h"
#include "merge.h"
#include "outputs.h"
#include "probe.h"
#include "state.h"
#include "vm.h"

struct fc_metrics_opts {
	const char *version;  /* falcod's */
	const char *engine;   /* "modern_ebpf" or "replay" */
	bool live;            /* the probe is the event source (health checks it) */
	bool rules_counters, resource_utilization, state_counters, kernel_event_counters, rules_profile;
	bool include_empty_values;
	uint64_t health_max_event_age_ms; /* 0 = not checked */
	uint32_t health_max_drop_perc;
	uint64_t start_realtime_ns;
};

/* What the event thread publishes. */
struct fc_metrics_snap {
	uint64_t last_event_mono_ns; /* when the last event was handled (0: none yet) */
	bool probe_attached, have_probe;
	struct fc_probe_stats probe;
	uint64_t events_read, own_skipped, alerts;
	uint64_t by_type[FC_EVENT_MAX]; /* events evaluated, by event code */
	uint64_t by_prio[8];            /* alerts by priority */
	struct fc_merge_stats merge;
	struct fc_state_stats state;
	struct fc_vm_stats vm;
	struct fc_outputs_stats out;
	uint64_t reloads_ok, reloads_failed;
	uint64_t reload_realtime_ns; /* last successful reload (0: none) */
	uint64_t last_swap_ns;       /* how long the last swap held the event thread */
};

struct fc_metrics;

/* The number after KEY ("VmHWM:", "MemTotal:") on its line of the /proc file PATH; 0 when the
 * file or the line is missing. */
uint64_t fc_metrics_proc_field(const char *path, const char *key);

struct fc_metrics *fc_metrics_new(const struct fc_metrics_opts *o);
void fc_metrics_free(struct fc_metrics *m);

/* The ruleset now running (names, priorities, tags, enabled flags are copied): at start-up and
 * after each reload. The copy can be made off the event thread (fc_metrics_rules_new, while
 * preparing a reload) and installed at the swap (fc_metrics_install_rules takes it over). */
struct fc_metrics_rules;
struct fc_metrics_rules *fc_metrics_rules_new(const struct fc_bundle *b, const struct fc_vm *vm);
void fc_metrics_rules_free(struct fc_metrics_rules *r);
void fc_metrics_install_rules(struct fc_metrics *m, struct fc_metrics_rules *r);
bool fc_metrics_set_rules(struct fc_metrics *m, const struct fc_bundle *b, const struct fc_vm *vm);

/* Publishes S and the per-rule arrays (NRULES entries each, in the order of the ruleset given
 * to fc_metrics_set_rules; NS and EVALS may be NULL when profiling is off). */
void fc_metrics_publish(struct fc_metrics *m, const struct fc_metrics_snap *s, const uint64_t *matches,
			const uint64_t *ns, const uint64_t *evals, uint32_t nrules);

/* Renders the Prometheus text exposition (malloc'd, NUL-terminated; *LEN its length). NULL
 * when memory runs out. */
char *fc_metrics_prometheus(struct fc_metrics *m, size_t *len);

/* The /healthz verdict: returns 200 or 503 and a JSON body (malloc'd) saying why. */
int fc_metrics_health(struct fc_metrics *m, char **body, size_t *len);

/* The /versions JSON (malloc'd). */
char *fc_metrics_versions(struct fc_metrics *m, size_t *len);

#endif
