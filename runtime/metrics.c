/* metrics.c — the metrics store, the Prometheus renderer, /healthz and /versions (metrics.h).
 * Resource figures (CPU, memory, host) are read from /proc at render time on the web server's
 * thread; everything about events comes from the last snapshot the event thread published. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "metrics.h"
#include "priority.h"

struct mrule {
	char *name;
	unsigned prio;
	char *source;
	char **tags;
	uint32_t ntags;
	bool enabled;
	uint64_t matches, ns, evals;
};

/* One drop-rate sample, for the recent drop percentage /healthz checks. */
struct sample {
	uint64_t mono_ns, sent, drops;
};
#define NSAMPLES 64

struct fc_metrics {
	struct fc_metrics_opts o;
	char *version, *engine;
	char hostname[256], kernel[256];
	pthread_mutex_t mu;
	struct fc_metrics_snap s;
	uint64_t publish_mono_ns; /* 0: nothing published yet */
	struct mrule *rules;
	uint32_t nrules;
	struct sample samples[NSAMPLES];
	unsigned nsamples, next_sample;
	/* host CPU: the previous /proc/stat reading (render side) */
	uint64_t prev_busy, prev_total;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct fc_metrics *fc_metrics_new(const struct fc_metrics_opts *o)
{
	struct fc_metrics *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->o = *o;
	m->version = strdup(o->version ? o->version : "");
	m->engine = strdup(o->engine ? o->engine : "");
	if (!m->version || !m->engine) {
		free(m->version);
		free(m->engine);
		free(m);
		return NULL;
	}
	fc_alert_hostname(m->hostname, sizeof m->hostname);
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof m->kernel, "%s", u.release);
	pthread_mutex_init(&m->mu, NULL);
	return m;
}

static void free_rules(struct mrule *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].source);
		for (uint32_t t = 0; t < r[i].ntags; t++)
			free(r[i].tags[t]);
		free(r[i].tags);
	}
	free(r);
}

void fc_metrics_free(struct fc_metrics *m)
{
	if (!m)
		return;
	free_rules(m->rules, m->nrules);
	free(m->version);
	free(m->engine);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

struct fc_metrics_rules {
	struct mrule *r;
	uint32_t n;
};

void fc_metrics_rules_free(struct fc_metrics_rules *rs)
{
	if (!rs)
		return;
	free_rules(rs->r, rs->n);
	free(rs);
}

struct fc_metrics_rules *fc_metrics_rules_new(const struct fc_bundle *b, const struct fc_vm *vm)
{
	uint32_t n = fc_bundle_nrules(b);
	struct fc_metrics_rules *rs = calloc(1, sizeof *rs);
	struct mrule *r = calloc(n ? n : 1, sizeof *r);
	bool ok = r && rs;
	for (uint32_t i = 0; ok && i < n; i++) {
		const struct fc_bundle_rule *br = fc_bundle_rule(b, i);
		r[i].name = strdup(br->name);
		r[i].source = strdup(br->source && *br->source ? br->source : "syscall");
		r[i].prio = br->priority;
		r[i].enabled = fc_vm_enabled(vm, i);
		r[i].tags = calloc(br->ntags ? br->ntags : 1, sizeof *r[i].tags);
		ok = r[i].name && r[i].source && r[i].tags;
		for (uint32_t t = 0; ok && t < br->ntags; t++) {
			ok = (r[i].tags[t] = strdup(br->tags[t])) != NULL;
			r[i].ntags += ok;
		}
	}
	if (!ok) {
		free_rules(r, n);
		free(rs);
		return NULL;
	}
	rs->r = r;
	rs->n = n;
	return rs;
}

void fc_metrics_install_rules(struct fc_metrics *m, struct fc_metrics_rules *rs)
{
	pthread_mutex_lock(&m->mu);
	struct mrule *old = m->rules;
	uint32_t oldn = m->nrules;
	m->rules = rs->r;
	m->nrules = rs->n;
	pthread_mutex_unlock(&m->mu);
	free_rules(old, oldn);
	free(rs);
}

bool fc_metrics_set_rules(struct fc_metrics *m, const struct fc_bundle *b, const struct fc_vm *vm)
{
	struct fc_metrics_rules *rs = fc_metrics_rules_new(b, vm);
	if (!rs)
		return false;
	fc_metrics_install_rules(m, rs);
	return true;
}

void fc_metrics_publish(struct fc_metrics *m, const struct fc_metrics_snap *s, const uint64_t *matches,
			const uint64_t *ns, const uint64_t *evals, uint32_t nrules)
{
	uint64_t now = mono_ns();
	pthread_mutex_lock(&m->mu);
	m->s = *s;
	m->publish_mono_ns = now;
	for (uint32_t i = 0; i < nrules && i < m->nrules; i++) {
		m->rules[i].matches = matches ? matches[i] : 0;
		m->rules[i].ns = ns ? ns[i] : 0;
		m->rules[i].evals = evals ? evals[i] : 0;
	}
	/* A drop-rate sample at most every 500 ms. */
	struct sample *last = m->nsamples ? &m->samples[(m->next_sample + NSAMPLES - 1) % NSAMPLES] : NULL;
	if (!last || now - last->mono_ns >= 500000000u) {
		m->samples[m->next_sample] = (struct sample){now, s->probe.sent, s->probe.drops_buffer + s->probe.drops_max_size};
		m->next_sample = (m->next_sample + 1) % NSAMPLES;
		if (m->nsamples < NSAMPLES)
			m->nsamples++;
	}
	pthread_mutex_unlock(&m->mu);
}

/* ---- Prometheus text ---- */

struct out {
	struct fc_abuf b;
	bool ok;
	const char *family; /* the last family whose HELP/TYPE was written */
};

__attribute__((format(printf, 2, 3))) static void outf(struct out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		o->ok = false;
	else if ((size_t)n < sizeof buf)
		o->ok = fc_abuf_add(&o->b, buf, (size_t)n) && o->ok;
	else {
		char *big = malloc((size_t)n + 1);
		if (!big) {
			o->ok = false;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		o->ok = fc_abuf_add(&o->b, big, (size_t)n) && o->ok;
		free(big);
	}
}

/* HELP and TYPE once per family (Prometheus rejects a repeated TYPE). */
static void family(struct out *o, const char *name, const char *type, const char *help)
{
	if (o->family && !strcmp(o->family, name))
		return;
	o->family = name;
	outf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the exposition format wants (\\, \", \n). */
static void label_value(struct out *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			o->ok = fc_abuf_add(&o->b, "\\", 1) && fc_abuf_add(&o->b, v, 1) && o->ok;
		else if (*v == '\n')
			o->ok = fc_abuf_add(&o->b, "\\n", 2) && o->ok;
		else
			o->ok = fc_abuf_add(&o->b, v, 1) && o->ok;
	}
}

static void counter(struct out *o, const char *name, const char *help, uint64_t v)
{
	family(o, name, "counter", help);
	outf(o, "%s %llu\n", name, (unsigned long long)v);
}

static void gauge(struct out *o, const char *name, const char *help, double v)
{
	family(o, name, "gauge", help);
	outf(o, "%s %.6f\n", name, v);
}

static void gauge_u(struct out *o, const char *name, const char *help, uint64_t v)
{
	family(o, name, "gauge", help);
	outf(o, "%s %llu\n", name, (unsigned long long)v);
}

static void info(struct out *o, const char *name, const char *label, const char *value)
{
	family(o, name, "gauge", "https://falco.org/docs/metrics/");
	outf(o, "%s{%s=\"", name, label);
	label_value(o, value);
	outf(o, "\"} 1\n");
}

/* A label name from a tag: [a-zA-Z0-9_] kept, anything else '_'. */
static void tag_label(struct out *o, const char *tag)
{
	outf(o, ",tag_");
	for (; *tag; tag++) {
		char c = *tag;
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		char x = keep ? c : '_';
		o->ok = fc_abuf_add(&o->b, &x, 1) && o->ok;
	}
	outf(o, "=\"true\"");
}

uint64_t fc_metrics_proc_field(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	char line[512];
	size_t kl = strlen(key);
	uint64_t v = 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, kl)) {
			v = strtoull(line + kl, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

struct resources {
	double cpu_ratio, host_cpu_ratio;
	uint64_t rss, vsz, pss, host_mem_used, host_procs_running, host_open_fds, boot_ns;
	long ncpus;
};

static void read_resources(struct fc_metrics *m, struct resources *r, uint64_t start_realtime_ns)
{
	*r = (struct resources){0};
	long page = sysconf(_SC_PAGESIZE);
	r->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	FILE *f = fopen("/proc/self/statm", "re");
	unsigned long long vsz = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%llu %llu", &vsz, &rss) != 2)
			vsz = rss = 0;
		fclose(f);
	}
	r->vsz = vsz * (uint64_t)page;
	r->rss = rss * (uint64_t)page;
	r->pss = fc_metrics_proc_field("/proc/self/smaps_rollup", "Pss:") * 1024;
	/* ps-like: CPU time over the lifetime, as a fraction of one CPU. */
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
		     ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	double life = ((double)now.tv_sec * 1e9 + (double)now.tv_nsec - (double)start_realtime_ns) / 1e9;
	r->cpu_ratio = life > 0 ? cpu / life : 0;
	uint64_t total = fc_metrics_proc_field("/proc/meminfo", "MemTotal:"), avail = fc_metrics_proc_field("/proc/meminfo", "MemAvailable:");
	r->host_mem_used = total > avail ? (total - avail) * 1024 : 0;
	r->host_procs_running = fc_metrics_proc_field("/proc/stat", "procs_running ");
	r->boot_ns = fc_metrics_proc_field("/proc/stat", "btime ") * 1000000000u;
	f = fopen("/proc/sys/fs/file-nr", "re");
	if (f) {
		unsigned long long a = 0;
		if (fscanf(f, "%llu", &a) == 1)
			r->host_open_fds = a;
		fclose(f);
	}
	/* Host CPU: busy share of all CPUs since the previous scrape (the first: since boot). */
	f = fopen("/proc/stat", "re");
	if (f) {
		unsigned long long v[8] = {0};
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]) == 8) {
			uint64_t idle = v[3] + v[4], tot = 0;
			for (int i = 0; i < 8; i++)
				tot += v[i];
			uint64_t busy = tot - idle;
			uint64_t db = busy - m->prev_busy, dt = tot - m->prev_total;
			r->host_cpu_ratio = dt ? (double)db / (double)dt : 0;
			m->prev_busy = busy;
			m->prev_total = tot;
		}
		fclose(f);
	}
}

char *fc_metrics_prometheus(struct fc_metrics *m, size_t *len)
{
	struct out o = {.ok = true};
	pthread_mutex_lock(&m->mu);
	const struct fc_metrics_snap *s = &m->s;
	struct resources r;
	read_resources(m, &r, m->o.start_realtime_ns);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;

	/* Falco's base ("wrapper") metrics. */
	info(&o, "falcosecurity_falco_version_info", "version", m->version);
	info(&o, "falcosecurity_scap_engine_name_info", "engine_name", m->engine);
	info(&o, "falcosecurity_falco_kernel_release_info", "kernel_release", m->kernel);
	info(&o, "falcosecurity_evt_hostname_info", "hostname", m->hostname);
	info(&o, "falcosecurity_falco_evt_source_info", "evt_source", "syscall");
	gauge_u(&o, "falcosecurity_falco_start_timestamp_nanoseconds", "https://falco.org/docs/metrics/",
		m->o.start_realtime_ns);
	gauge_u(&o, "falcosecurity_falco_host_boot_timestamp_nanoseconds", "https://falco.org/docs/metrics/", r.boot_ns);
	gauge_u(&o, "falcosecurity_falco_host_num_cpus_total", "https://falco.org/docs/metrics/",
		r.ncpus > 0 ? (uint64_t)r.ncpus : 0);
	counter(&o, "falcosecurity_falco_outputs_queue_num_drops_total", "https://falco.org/docs/metrics/", s->out.drops);
	counter(&o, "falcosecurity_falco_duration_seconds_total", "https://falco.org/docs/metrics/",
		(now_ns - m->o.start_realtime_ns) / 1000000000u);
	if (s->reload_realtime_ns)
		gauge_u(&o, "falcosecurity_falco_reload_timestamp_nanoseconds", "https://falco.org/docs/metrics/",
			s->reload_realtime_ns);
	counter(&o, "falcosecurity_falco_num_evts_total", "Events falcod has read (from the probe or the capture).",
		s->events_read);

	if (m->o.rules_counters) {
		for (uint32_t i = 0; i < m->nrules; i++) {
			const struct mrule *ru = &m->rules[i];
			if (!ru->matches && !(m->o.include_empty_values && ru->enabled))
				continue;
			family(&o, "falcosecurity_falco_rules_matches_total", "counter", "https://falco.org/docs/metrics/");
			outf(&o, "falcosecurity_falco_rules_matches_total{priority=\"%u\",rule_name=\"", ru->prio);
			label_value(&o, ru->name);
			outf(&o, "\",source=\"");
			label_value(&o, ru->source);
			outf(&o, "\"");
			for (uint32_t t = 0; t < ru->ntags; t++)
				tag_label(&o, ru->tags[t]);
			outf(&o, "} %llu\n", (unsigned long long)ru->matches);
		}
	}
	if (m->o.resource_utilization) {
		gauge(&o, "falcosecurity_falco_cpu_usage_ratio", "https://falco.org/docs/metrics/", r.cpu_ratio);
		gauge_u(&o, "falcosecurity_falco_memory_rss_bytes", "https://falco.org/docs/metrics/", r.rss);
		gauge_u(&o, "falcosecurity_falco_memory_vsz_bytes", "https://falco.org/docs/metrics/", r.vsz);
		gauge_u(&o, "falcosecurity_falco_memory_pss_bytes", "https://falco.org/docs/metrics/", r.pss);
		gauge(&o, "falcosecurity_falco_host_cpu_usage_ratio", "https://falco.org/docs/metrics/", r.host_cpu_ratio);
		gauge_u(&o, "falcosecurity_falco_host_memory_used_bytes", "https://falco.org/docs/metrics/", r.host_mem_used);
		gauge_u(&o, "falcosecurity_falco_host_procs_running_total", "https://falco.org/docs/metrics/",
			r.host_procs_running);
		gauge_u(&o, "falcosecurity_falco_host_open_fds_total", "https://falco.org/docs/metrics/", r.host_open_fds);
	}
	if (m->o.state_counters) {
		const struct fc_state_stats *st = &s->state;
		gauge_u(&o, "falcosecurity_scap_n_threads_total", "https://falco.org/docs/metrics/", st->threads);
		gauge_u(&o, "falcosecurity_scap_n_fds_total", "https://falco.org/docs/metrics/", st->fds);
		counter(&o, "falcosecurity_scap_n_failed_fd_lookups_total", "https://falco.org/docs/metrics/",
			st->fd_lookup_miss);
		counter(&o, "falcosecurity_scap_n_added_fds_total", "https://falco.org/docs/metrics/", st->fds_added);
		counter(&o, "falcosecurity_scap_n_removed_fds_total", "https://falco.org/docs/metrics/", st->fds_removed);
		counter(&o, "falcosecurity_scap_n_failed_thread_lookups_total", "https://falco.org/docs/metrics/",
			st->thread_lookup_miss);
		counter(&o, "falcosecurity_scap_n_added_threads_total", "https://falco.org/docs/metrics/", st->threads_added);
		counter(&o, "falcosecurity_scap_n_removed_threads_total", "https://falco.org/docs/metrics/",
			st->threads_removed);
		gauge_u(&o, "falcosecurity_scap_n_containers_total", "https://falco.org/docs/metrics/", st->containers);
		family(&o, "falcosecurity_falcod_state_evictions_total", "counter",
		       "State entries evicted because a table was full or stale, by table.");
		outf(&o, "falcosecurity_falcod_state_evictions_total{table=\"threads\"} %llu\n",
		     (unsigned long long)st->thread_evictions);
		outf(&o, "falcosecurity_falcod_state_evictions_total{table=\"fds\"} %llu\n",
		     (unsigned long long)st->fd_evictions);
	}
	if (m->o.kernel_event_counters && s->have_probe) {
		const struct fc_probe_stats *p = &s->probe;
		counter(&o, "falcosecurity_scap_n_evts_total", "https://falco.org/docs/metrics/", p->sent);
		for (unsigned i = 0; i < FC_PROBE_NDROPCAT; i++) {
			const char *cat = fc_probe_dropcat_name(i);
			if (!cat)
				break;
			char drop[64];
			snprintf(drop, sizeof drop, "%s", cat);
			size_t dl = strlen(drop);
			if (dl > 5 && !strcmp(drop + dl - 5, "_exit"))
				drop[dl - 5] = 0;
			family(&o, "falcosecurity_scap_n_drops_buffer_total", "counter", "https://falco.org/docs/metrics/");
			outf(&o, "falcosecurity_scap_n_drops_buffer_total{dir=\"exit\",drop=\"%s\"} %llu\n", drop,
			     (unsigned long long)p->drops_by_cat[i]);
		}
		counter(&o, "falcosecurity_scap_n_drops_max_event_size_total", "https://falco.org/docs/metrics/",
			p->drops_max_size);
		counter(&o, "falcosecurity_scap_n_drops_total", "https://falco.org/docs/metrics/",
			p->drops_buffer + p->drops_max_size + p->drops_noring);
		counter(&o, "falcosecurity_falcod_syscalls_seen_total", "Syscalls the probe saw (before its filters).",
			p->seen);
		counter(&o, "falcosecurity_falcod_kernel_filtered_total",
			"Events the probe dropped in the kernel because no rule needs them.", p->filtered);
		counter(&o, "falcosecurity_falcod_probe_bad_events_total", "Events from the probe that failed to decode.",
			p->bad);
	}
	/* Ours: the event pipeline. */
	counter(&o, "falcosecurity_falcod_own_events_skipped_total", "Events of falcod's own threads, not evaluated.",
		s->own_skipped);
	counter(&o, "falcosecurity_falcod_events_merged_total",
		"Events handed to the rules (one per syscall, enter events merged into their exits).", s->merge.out);
	for (unsigned t = 0; t < FC_EVENT_MAX; t++) {
		if (!s->by_type[t])
			continue;
		family(&o, "falcosecurity_falcod_events_total", "counter", "Events evaluated, by event type.");
		outf(&o, "falcosecurity_falcod_events_total{type=\"%s\",code=\"%u\"} %llu\n", fc_events[t].name, t,
		     (unsigned long long)s->by_type[t]);
	}
	counter(&o, "falcosecurity_falcod_rules_run_total", "Rule programs run.", s->vm.rules_run);
	counter(&o, "falcosecurity_falcod_field_extractions_total", "Field values extracted for the rules.",
		s->vm.extractions);
	for (unsigned p = 0; p < FC_NPRIO; p++) {
		family(&o, "falcosecurity_falcod_alerts_total", "counter", "Alerts raised, by priority.");
		outf(&o, "falcosecurity_falcod_alerts_total{priority=\"%s\"} %llu\n", fc_prio_name(p),
		     (unsigned long long)s->by_prio[p]);
	}
	if (m->o.rules_profile) {
		for (uint32_t i = 0; i < m->nrules; i++) {
			if (!m->rules[i].evals)
				continue;
			family(&o, "falcosecurity_falcod_rule_evaluations_total", "counter",
			       "Evaluations of each rule (the per-rule cost profile).");
			outf(&o, "falcosecurity_falcod_rule_evaluations_total{rule_name=\"");
			label_value(&o, m->rules[i].name);
			outf(&o, "\"} %llu\n", (unsigned long long)m->rules[i].evals);
		}
		for (uint32_t i = 0; i < m->nrules; i++) {
			if (!m->rules[i].evals)
				continue;
			family(&o, "falcosecurity_falcod_rule_evaluation_seconds_total", "counter",
			       "Time spent evaluating each rule, field extraction included (the per-rule cost profile).");
			outf(&o, "falcosecurity_falcod_rule_evaluation_seconds_total{rule_name=\"");
			label_value(&o, m->rules[i].name);
			outf(&o, "\"} %.9f\n", (double)m->rules[i].ns / 1e9);
		}
	}
	/* Output channels. */
	const struct fc_outputs_stats *os = &s->out;
	counter(&o, "falcosecurity_falcod_outputs_written_total", "Alerts the output thread has written.", os->written);
	counter(&o, "falcosecurity_falcod_outputs_errors_total", "Write failures of stdout, file, syslog or program.",
		os->errors);
	static const struct {
		const char *name, *type, *help;
	} chf[] = {
		{"falcosecurity_falcod_output_sent_total", "counter", "Alerts delivered by a network channel."},
		{"falcosecurity_falcod_output_drops_total", "counter", "Alerts dropped because a channel's queue was full."},
		{"falcosecurity_falcod_output_failed_total", "counter",
		 "Alerts a channel gave up on (retries exhausted, refused, or left at exit)."},
		{"falcosecurity_falcod_output_retries_total", "counter", "Extra delivery attempts."},
		{"falcosecurity_falcod_output_queue_depth", "gauge", "Alerts waiting in a channel's queue."},
		{"falcosecurity_falcod_output_endpoint_up", "gauge", "0 when a channel's endpoint is considered down."},
	};
	for (size_t f = 0; f < sizeof chf / sizeof chf[0]; f++)
		for (size_t i = 0; i < os->nsinks; i++) {
			const struct fc_sink_stats *k = &os->sinks[i];
			uint64_t v[] = {k->sent, k->drops, k->failed, k->retries, k->depth, k->down ? 0u : 1u};
			family(&o, chf[f].name, chf[f].type, chf[f].help);
			outf(&o, "%s{channel=\"%s\"} %llu\n", chf[f].name, k->name, (unsigned long long)v[f]);
		}
	family(&o, "falcosecurity_falcod_reloads_total", "counter", "Reloads of the rules and configuration, by result.");
	outf(&o, "falcosecurity_falcod_reloads_total{result=\"ok\"} %llu\n", (unsigned long long)s->reloads_ok);
	outf(&o, "falcosecurity_falcod_reloads_total{result=\"failed\"} %llu\n", (unsigned long long)s->reloads_failed);
	gauge(&o, "falcosecurity_falcod_reload_swap_seconds",
	      "How long the last reload held the event thread (the swap between two events).",
	      (double)s->last_swap_ns / 1e9);
	gauge_u(&o, "falcosecurity_falcod_rules_loaded", "Rules in the running ruleset.", m->nrules);
	pthread_mutex_unlock(&m->mu);
	if (!o.ok) {
		fc_abuf_free(&o.b);
		return NULL;
	}
	*len = o.b.len;
	return o.b.p;
}

/* ---- /healthz ---- */

int fc_metrics_health(struct fc_metrics *m, char **body, size_t *len)
{
	struct out o = {.ok = true};
	uint64_t now = mono_ns();
	pthread_mutex_lock(&m->mu);
	const struct fc_metrics_snap *s = &m->s;
	bool published = m->publish_mono_ns != 0;
	uint64_t loop_age = published ? (now - m->publish_mono_ns) / 1000000u : 0;
	uint64_t ev_age = s->last_event_mono_ns ? (now - s->last_event_mono_ns) / 1000000u : 0;
	/* Drops over the samples of the last ~10 s. */
	double drop_perc = 0;
	if (m->nsamples >= 2) {
		const struct sample *last = &m->samples[(m->next_sample + NSAMPLES - 1) % NSAMPLES], *first = last;
		for (unsigned i = 1; i < m->nsamples; i++) {
			const struct sample *c = &m->samples[(m->next_sample + NSAMPLES - 1 - i) % NSAMPLES];
			if (last->mono_ns - c->mono_ns > 10000000000u)
				break;
			first = c;
		}
		uint64_t ds = last->sent - first->sent, dd = last->drops - first->drops;
		drop_perc = ds + dd ? 100.0 * (double)dd / (double)(ds + dd) : 0;
	}
	bool loop_ok = published && loop_age < 5000;
	bool probe_ok = !m->o.live || s->probe_attached;
	/* Events flowing: the last one is recent enough; before the first one, healthy only during
	 * the first max-age period after start. */
	bool events_ok = true;
	if (m->o.health_max_event_age_ms && s->last_event_mono_ns)
		events_ok = ev_age <= m->o.health_max_event_age_ms;
	else if (m->o.health_max_event_age_ms) {
		struct timespec rt;
		clock_gettime(CLOCK_REALTIME, &rt);
		uint64_t up_ms = ((uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec - m->o.start_realtime_ns) / 1000000u;
		events_ok = up_ms <= m->o.health_max_event_age_ms;
	}
	bool drops_ok = !m->o.live || drop_perc <= (double)m->o.health_max_drop_perc;
	bool ok = loop_ok && probe_ok && events_ok && drops_ok;
	outf(&o, "{\"status\":\"%s\",\"engine\":\"%s\",\"checks\":{", ok ? "ok" : "fail", m->engine);
	outf(&o, "\"event_loop\":{\"ok\":%s,\"last_heartbeat_ms_ago\":%llu}", loop_ok ? "true" : "false",
	     (unsigned long long)loop_age);
	if (m->o.live)
		outf(&o, ",\"probe\":{\"ok\":%s,\"attached\":%s}", probe_ok ? "true" : "false",
		     s->probe_attached ? "true" : "false");
	outf(&o, ",\"events\":{\"ok\":%s,\"total\":%llu,", events_ok ? "true" : "false",
	     (unsigned long long)s->events_read);
	if (s->last_event_mono_ns)
		outf(&o, "\"last_event_ms_ago\":%llu,", (unsigned long long)ev_age);
	else
		outf(&o, "\"last_event_ms_ago\":null,");
	outf(&o, "\"max_age_ms\":%llu}", (unsigned long long)m->o.health_max_event_age_ms);
	if (m->o.live)
		outf(&o, ",\"ring_drops\":{\"ok\":%s,\"total\":%llu,\"recent_perc\":%.3f,\"max_perc\":%u}",
		     drops_ok ? "true" : "false",
		     (unsigned long long)(s->probe.drops_buffer + s->probe.drops_max_size), drop_perc,
		     m->o.health_max_drop_perc);
	outf(&o, "}}\n");
	pthread_mutex_unlock(&m->mu);
	if (!o.ok) {
		fc_abuf_free(&o.b);
		*body = NULL;
		*len = 0;
		return 500;
	}
	*body = o.b.p;
	*len = o.b.len;
	return ok ? 200 : 503;
}

char *fc_metrics_versions(struct fc_metrics *m, size_t *len)
{
	struct out o = {.ok = true};
	outf(&o,
	     "{\"falcod_version\":\"%s\",\"bundle_format\":\"%d.%d\",\"engine\":\"%s\",\"events_abi\":%d,"
	     "\"kernel_release\":\"",
	     m->version, FC_BUNDLE_MAJOR, FC_BUNDLE_MINOR, m->engine, FC_EVENT_MAX);
	o.ok = fc_json_escape(&o.b, m->kernel, strlen(m->kernel)) && o.ok;
	outf(&o, "\"}\n");
	if (!o.ok) {
		fc_abuf_free(&o.b);
		return NULL;
	}
	*len = o.b.len;
	return o.b.p;
}
