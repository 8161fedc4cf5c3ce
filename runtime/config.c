/* config.c — falcod.yaml and `-o key=value` (config.h). One schema table lists every key:
 * its dotted path, its type and where it goes in struct fc_config; a mapping key that is a
 * prefix of table paths is a section. The YAML is read with libyaml's document API so every
 * node keeps its line and column for messages. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
#include "nats_out.h"
#include "priority.h"

enum ktype {
	T_BOOL,
	T_U32,
	T_U64,
	T_STR,
	T_STRLIST,
	T_PRIO,
	T_MATCH,
	T_DURATION, /* "15m", "1h30m", "100ms" → milliseconds */
	T_ENGINE,
	T_RULESEL,
	T_RINGSIZE, /* bytes, K/M/G suffixes, power of two >= 4096 */
	T_PRESET,   /* engine.modern_ebpf.buf_size_preset → probe.ring_buffer_bytes */
	T_IGNORED,  /* a Falco key falcod does not implement: accepted with a warning */
	T_BYTES,    /* bytes, K/M/G suffixes; 0 or at least `min` */
};

struct key {
	const char *path;
	enum ktype type;
	size_t off;
	uint64_t min, max; /* integers (0, 0 = the type's range) */
	const char *note;  /* T_IGNORED: why */
};

#define F(field) offsetof(struct fc_config, field)
#define IGN(path, why) {path, T_IGNORED, 0, 0, 0, why}
static const struct key keys[] = {
	{"rules_files", T_STRLIST, F(rules_files), 0, 0, NULL},
	{"rules_file", T_STRLIST, F(rules_files), 0, 0, NULL}, /* Falco's older spelling */
	{"rules", T_RULESEL, F(rulesel), 0, 0, NULL},
	{"json_output", T_BOOL, F(json_output), 0, 0, NULL},
	{"json_include_output_property", T_BOOL, F(json_include_output_property), 0, 0, NULL},
	{"json_include_tags_property", T_BOOL, F(json_include_tags_property), 0, 0, NULL},
	{"json_include_message_property", T_BOOL, F(json_include_message_property), 0, 0, NULL},
	{"json_include_output_fields_property", T_BOOL, F(json_include_output_fields_property), 0, 0, NULL},
	{"time_format_iso_8601", T_BOOL, F(time_format_iso_8601), 0, 0, NULL},
	{"priority", T_PRIO, F(priority), 0, 0, NULL},
	{"rule_matching", T_MATCH, F(rule_matching), 0, 0, NULL},
	{"buffered_outputs", T_BOOL, F(buffered_outputs), 0, 0, NULL},
	{"outputs_queue.capacity", T_U64, F(outputs_queue_capacity), 0, 0, NULL},
	{"output_timeout", T_U32, F(output_timeout_ms), 1, 3600000, NULL},
	{"stdout_output.enabled", T_BOOL, F(stdout_output.enabled), 0, 0, NULL},
	{"syslog_output.enabled", T_BOOL, F(syslog_output.enabled), 0, 0, NULL},
	{"file_output.enabled", T_BOOL, F(file_output.enabled), 0, 0, NULL},
	{"file_output.keep_alive", T_BOOL, F(file_output.keep_alive), 0, 0, NULL},
	{"file_output.filename", T_STR, F(file_output.filename), 0, 0, NULL},
	{"program_output.enabled", T_BOOL, F(program_output.enabled), 0, 0, NULL},
	{"program_output.keep_alive", T_BOOL, F(program_output.keep_alive), 0, 0, NULL},
	{"program_output.program", T_STR, F(program_output.program), 0, 0, NULL},
	{"http_output.enabled", T_BOOL, F(http_output.enabled), 0, 0, NULL},
	{"http_output.url", T_STR, F(http_output.url), 0, 0, NULL},
	{"http_output.user_agent", T_STR, F(http_output.user_agent), 0, 0, NULL},
	{"http_output.insecure", T_BOOL, F(http_output.insecure), 0, 0, NULL},
	{"http_output.ca_cert", T_STR, F(http_output.ca_cert), 0, 0, NULL},
	{"http_output.ca_bundle", T_STR, F(http_output.ca_bundle), 0, 0, NULL},
	{"http_output.ca_path", T_STR, F(http_output.ca_path), 0, 0, NULL},
	{"http_output.mtls", T_BOOL, F(http_output.mtls), 0, 0, NULL},
	{"http_output.client_cert", T_STR, F(http_output.client_cert), 0, 0, NULL},
	{"http_output.client_key", T_STR, F(http_output.client_key), 0, 0, NULL},
	{"http_output.echo", T_BOOL, F(http_output.echo), 0, 0, NULL},
	{"http_output.compress_uploads", T_BOOL, F(http_output.compress_uploads), 0, 0, NULL},
	{"http_output.keep_alive", T_BOOL, F(http_output.keep_alive), 0, 0, NULL},
	{"http_output.max_consecutive_timeouts", T_U32, F(http_output.max_consecutive_timeouts), 0, 0, NULL},
	{"http_output.timeout", T_DURATION, F(http_output.timeout_ms), 1, 0, NULL},
	{"http_output.connect_timeout", T_DURATION, F(http_output.connect_timeout_ms), 1, 0, NULL},
	{"http_output.retries", T_U32, F(http_output.retries), 0, 100, NULL},
	{"http_output.retry_backoff", T_DURATION, F(http_output.retry_backoff_ms), 1, 0, NULL},
	{"http_output.retry_backoff_max", T_DURATION, F(http_output.retry_backoff_max_ms), 1, 0, NULL},
	{"http_output.queue_capacity", T_U64, F(http_output.queue_capacity), 1, 10000000, NULL},
	{"nats_output.enabled", T_BOOL, F(nats_output.enabled), 0, 0, NULL},
	{"nats_output.url", T_STR, F(nats_output.url), 0, 0, NULL},
	{"nats_output.subject", T_STR, F(nats_output.subject), 0, 0, NULL},
	{"nats_output.user", T_STR, F(nats_output.user), 0, 0, NULL},
	{"nats_output.password", T_STR, F(nats_output.password), 0, 0, NULL},
	{"nats_output.token", T_STR, F(nats_output.token), 0, 0, NULL},
	{"nats_output.name", T_STR, F(nats_output.name), 0, 0, NULL},
	{"nats_output.connect_timeout", T_DURATION, F(nats_output.connect_timeout_ms), 1, 0, NULL},
	{"nats_output.reconnect_wait", T_DURATION, F(nats_output.reconnect_wait_ms), 1, 0, NULL},
	{"nats_output.reconnect_wait_max", T_DURATION, F(nats_output.reconnect_wait_max_ms), 1, 0, NULL},
	{"nats_output.retries", T_U32, F(nats_output.retries), 0, 100, NULL},
	{"nats_output.max_consecutive_failures", T_U32, F(nats_output.max_consecutive_failures), 0, 0, NULL},
	{"nats_output.queue_capacity", T_U64, F(nats_output.queue_capacity), 1, 10000000, NULL},
	{"metrics.enabled", T_BOOL, F(metrics.enabled), 0, 0, NULL},
	{"metrics.interval", T_DURATION, F(metrics.interval_ms), 100, 0, NULL},
	{"metrics.output_rule", T_BOOL, F(metrics.output_rule), 0, 0, NULL},
	{"metrics.output_file", T_STR, F(metrics.output_file), 0, 0, NULL},
	{"metrics.rules_counters_enabled", T_BOOL, F(metrics.rules_counters_enabled), 0, 0, NULL},
	{"metrics.resource_utilization_enabled", T_BOOL, F(metrics.resource_utilization_enabled), 0, 0, NULL},
	{"metrics.state_counters_enabled", T_BOOL, F(metrics.state_counters_enabled), 0, 0, NULL},
	{"metrics.kernel_event_counters_enabled", T_BOOL, F(metrics.kernel_event_counters_enabled), 0, 0, NULL},
	{"metrics.kernel_event_counters_per_cpu_enabled", T_BOOL, F(metrics.kernel_event_counters_per_cpu_enabled), 0,
	 0, NULL},
	{"metrics.libbpf_stats_enabled", T_BOOL, F(metrics.libbpf_stats_enabled), 0, 0, NULL},
	{"metrics.plugins_metrics_enabled", T_BOOL, F(metrics.plugins_metrics_enabled), 0, 0, NULL},
	{"metrics.jemalloc_stats_enabled", T_BOOL, F(metrics.jemalloc_stats_enabled), 0, 0, NULL},
	{"metrics.convert_memory_to_mb", T_BOOL, F(metrics.convert_memory_to_mb), 0, 0, NULL},
	{"metrics.include_empty_values", T_BOOL, F(metrics.include_empty_values), 0, 0, NULL},
	{"metrics.rules_profile_enabled", T_BOOL, F(metrics.rules_profile_enabled), 0, 0, NULL},
	{"webserver.enabled", T_BOOL, F(webserver.enabled), 0, 0, NULL},
	{"webserver.threadiness", T_U32, F(webserver.threadiness), 0, 1024, NULL},
	{"webserver.listen_port", T_U32, F(webserver.listen_port), 1, 65535, NULL},
	{"webserver.listen_address", T_STR, F(webserver.listen_address), 0, 0, NULL},
	{"webserver.k8s_healthz_endpoint", T_STR, F(webserver.k8s_healthz_endpoint), 0, 0, NULL},
	{"webserver.ssl_enabled", T_BOOL, F(webserver.ssl_enabled), 0, 0, NULL},
	{"webserver.ssl_certificate", T_STR, F(webserver.ssl_certificate), 0, 0, NULL},
	{"webserver.prometheus_metrics_enabled", T_BOOL, F(webserver.prometheus_metrics_enabled), 0, 0, NULL},
	{"webserver.ssl_key", T_STR, F(webserver.ssl_key), 0, 0, NULL},
	{"webserver.ssl_client_ca", T_STR, F(webserver.ssl_client_ca), 0, 0, NULL},
	{"require_signed", T_STR, F(require_signed), 0, 0, NULL},
	{"memory_limit", T_BYTES, F(memory_limit), 32u << 20, 0, NULL},
	{"webserver.health_max_event_age", T_DURATION, F(webserver.health_max_event_age_ms), 0, 0, NULL},
	{"webserver.health_max_drop_perc", T_U32, F(webserver.health_max_drop_perc), 0, 100, NULL},
	{"engine.kind", T_ENGINE, F(engine.kind), 0, 0, NULL},
	{"engine.replay.capture_file", T_STR, F(engine.capture_file), 0, 0, NULL},
	{"engine.modern_ebpf.cpus_for_each_buffer", T_U32, F(probe.cpus_per_ring), 0, 0, NULL},
	{"engine.modern_ebpf.buf_size_preset", T_PRESET, F(probe.ring_buffer_bytes), 0, 10, NULL},
	IGN("engine.modern_ebpf.drop_failed_exit", "falcod always delivers failed syscalls"),
	IGN("engine.kmod", "falcod only has the modern eBPF probe"),
	IGN("engine.ebpf", "falcod only has the modern eBPF probe"),
	IGN("engine.gvisor", "falcod only has the modern eBPF probe"),
	{"probe.ring_buffer_bytes", T_RINGSIZE, F(probe.ring_buffer_bytes), 0, 0, NULL},
	{"probe.cpus_per_ring", T_U32, F(probe.cpus_per_ring), 0, 0, NULL},
	{"falco_libs.thread_table_size", T_U32, F(falco_libs.thread_table_size), 1, 0, NULL},
	{"falco_libs.thread_table_auto_purging_thread_timeout_s", T_U32, F(falco_libs.thread_timeout_s), 1, 0, NULL},
	IGN("falco_libs.thread_table_auto_purging_interval_s", "falcod purges as it goes"),
	IGN("falco_libs.snaplen", "the probe's capture sizes are fixed"),
	{"log_stderr", T_BOOL, F(log_stderr), 0, 0, NULL},
	{"log_syslog", T_BOOL, F(log_syslog), 0, 0, NULL},
	{"log_level", T_PRIO, F(log_level), 0, 0, NULL},
	{"watch_config_files", T_BOOL, F(watch_config_files), 0, 0, NULL},
	IGN("plugins", "falcod has no plugin loader (container fields are built in)"),
	IGN("load_plugins", "falcod has no plugin loader (container fields are built in)"),
	IGN("plugins_hostinfo", "falcod has no plugin loader"),
	IGN("config_files", "falcod reads one configuration file"),
	IGN("append_output", "not supported yet"),
	IGN("static_fields", "not supported yet"),
	IGN("syscall_event_drops", "drops are counted and reported in the summary and metrics"),
	IGN("syscall_event_timeouts", "not applicable to falcod's probe"),
	IGN("libs_logger", "falcod has no libs logger"),
	IGN("container_engines", "container ids come from cgroup paths"),
	IGN("base_syscalls", "the syscall selection comes from the compiled rules"),
	IGN("capture", "use falcod --record"),
	IGN("outputs", "the output rate limiter was removed in Falco 0.37"),
	IGN("grpc", "gRPC was removed in Falco 0.44; use http_output"),
	IGN("grpc_output", "gRPC was removed in Falco 0.44; use http_output"),
};
#define NKEYS (sizeof keys / sizeof keys[0])

void fc_config_defaults(struct fc_config *c)
{
	*c = (struct fc_config){
		.json_include_output_property = true,
		.json_include_tags_property = true,
		.json_include_output_fields_property = true,
		.priority = 7, /* debug: every rule */
		.rule_matching = FC_CFG_MATCH_FIRST,
		.outputs_queue_capacity = 0,
		.output_timeout_ms = 2000,
		.stdout_output.enabled = true,
		.syslog_output.enabled = true,
		.file_output.keep_alive = false,
		.program_output.keep_alive = false,
		.http_output.max_consecutive_timeouts = 5,
		.http_output.timeout_ms = 5000,
		.http_output.connect_timeout_ms = 2000,
		.http_output.retries = 3,
		.http_output.retry_backoff_ms = 100,
		.http_output.retry_backoff_max_ms = 5000,
		.http_output.queue_capacity = 1000,
		.nats_output.connect_timeout_ms = 2000,
		.nats_output.reconnect_wait_ms = 100,
		.nats_output.reconnect_wait_max_ms = 5000,
		.nats_output.retries = 3,
		.nats_output.max_consecutive_failures = 5,
		.nats_output.queue_capacity = 1000,
		.metrics.interval_ms = 3600 * 1000,
		.metrics.output_rule = true,
		.metrics.rules_counters_enabled = true,
		.metrics.resource_utilization_enabled = true,
		.metrics.state_counters_enabled = true,
		.metrics.kernel_event_counters_enabled = true,
		.metrics.convert_memory_to_mb = true,
		.metrics.rules_profile_enabled = true,
		.webserver.listen_port = 8765,
		.webserver.threadiness = 0,
		.webserver.prometheus_metrics_enabled = false,
		.webserver.health_max_event_age_ms = 60000,
		.webserver.health_max_drop_perc = 5,
		.falco_libs.thread_table_size = 262144,
		.falco_libs.thread_timeout_s = 300,
		.log_stderr = true,
		.log_syslog = true,
		.log_level = 6, /* info */
		.watch_config_files = true,
	};
	/* String defaults are owned like any value read from the file. */
	c->webserver.listen_address = strdup("127.0.0.1");
	c->webserver.k8s_healthz_endpoint = strdup("/healthz");
	c->http_output.user_agent = strdup("falcosecurity/falco");
	c->nats_output.url = strdup("nats://127.0.0.1:4222");
	c->nats_output.subject = strdup("falco.<priority>.<rule>");
	c->nats_output.name = strdup("falcod");
}

static void free_strlist(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void free_rulesel(struct fc_cfg_rulesel *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].pattern);
	free(s);
}

void fc_config_free(struct fc_config *c)
{
	free_strlist(c->rules_files, c->nrules_files);
	free_rulesel(c->rulesel, c->nrulesel);
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == T_STR) {
			char **p = (char **)((char *)c + keys[i].off);
			free(*p);
			*p = NULL;
		}
	c->rules_files = NULL;
	c->rulesel = NULL;
	c->nrules_files = c->nrulesel = 0;
	if (c->key_where)
		free_strlist(c->key_where, NKEYS);
	c->key_where = NULL;
}

/* ---- diagnostics ---- */

void fc_cfg_diags_free(struct fc_cfg_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	free(d->is_error);
	*d = (struct fc_cfg_diags){0};
}

void fc_cfg_diags_print(const struct fc_cfg_diags *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s: %s\n", d->is_error[i] ? "error" : "warning", d->msgs[i]);
}

/* Where a node is, for messages: "file:line:col" or "-o key=value". */
struct rd {
	struct fc_config *c;
	struct fc_cfg_diags *d;
	yaml_document_t *doc;
	const char *name;     /* file name; NULL for an override */
	const char *override; /* the -o argument */
};

static void add_diag(struct fc_cfg_diags *d, bool error, const char *msg)
{
	char **m = realloc(d->msgs, (d->n + 1) * sizeof *m);
	if (!m)
		return;
	d->msgs = m;
	bool *e = realloc(d->is_error, (d->n + 1) * sizeof *e);
	if (!e)
		return;
	d->is_error = e;
	if (!(d->msgs[d->n] = strdup(msg)))
		return;
	d->is_error[d->n] = error;
	d->n++;
	if (error)
		d->nerrors++;
}

static void vdiag(struct rd *r, bool error, const yaml_node_t *n, const char *fmt, va_list ap)
{
	char where[600] = "", msg[1024], full[1700];
	if (r->name)
		snprintf(where, sizeof where, "%s:%lu:%lu: ", r->name, n ? (unsigned long)n->start_mark.line + 1 : 1ul,
			 n ? (unsigned long)n->start_mark.column + 1 : 1ul);
	else if (r->override)
		snprintf(where, sizeof where, "-o %s: ", r->override);
	vsnprintf(msg, sizeof msg, fmt, ap);
	snprintf(full, sizeof full, "%s%s", where, msg);
	add_diag(r->d, error, full);
}

__attribute__((format(printf, 3, 4))) static void err(struct rd *r, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(r, true, n, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void warn(struct rd *r, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(r, false, n, fmt, ap);
	va_end(ap);
}

/* ---- scalars ---- */

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool is_null(const yaml_node_t *n)
{
	if (!n)
		return true;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = scalar(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* YAML 1.1 booleans, as yaml-cpp (Falco's reader) accepts them. */
static bool parse_bool(const char *s, bool *out)
{
	static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"};
	static const char *const f[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (!strcmp(s, t[i])) {
			*out = true;
			return true;
		}
		if (!strcmp(s, f[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* "1h30m", "15s", "100ms", "1d" → milliseconds (Prometheus-style units, as Falco's metrics.interval). */
static bool parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *u;
		uint64_t ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}, {"w", 604800000},
		     {"y", 31536000000ull}};
	uint64_t total = 0;
	if (!*s)
		return false;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return false;
		uint64_t v = 0;
		while (isdigit((unsigned char)*s)) {
			if (v > UINT64_MAX / 10)
				return false;
			v = v * 10 + (uint64_t)(*s++ - '0');
		}
		size_t best = 0, blen = 0;
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t l = strlen(units[i].u);
			if (!strncmp(s, units[i].u, l) && l > blen) {
				best = i;
				blen = l;
			}
		}
		if (!blen)
			return false;
		if (v > UINT64_MAX / units[best].ms)
			return false;
		total += v * units[best].ms;
		s += blen;
	}
	*ms = total;
	return true;
}

/* "8388608", "8M", "512K", "1G" (binary multiples). */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return false;
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift) {
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

static char *dup_or_null(struct rd *r, const yaml_node_t *n)
{
	if (is_null(n))
		return NULL;
	char *s = strdup(scalar(n));
	if (!s)
		err(r, n, "out of memory");
	return s;
}

static const char *shown(const yaml_node_t *n)
{
	const char *s = scalar(n);
	if (s)
		return s;
	return n->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping";
}

/* ---- applying one key ---- */

static bool apply_strlist(struct rd *r, const struct key *k, yaml_node_t *v)
{
	char ***lp = (char ***)((char *)r->c + k->off);
	size_t *np = &r->c->nrules_files; /* the only string list */
	char **l = NULL;
	size_t n = 0;
	if (v->type == YAML_SCALAR_NODE) {
		if (!is_null(v)) {
			l = malloc(sizeof *l);
			if (!l || !(l[0] = strdup(scalar(v)))) {
				free(l);
				err(r, v, "out of memory");
				return false;
			}
			n = 1;
		}
	} else if (v->type == YAML_SEQUENCE_NODE) {
		size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
		l = calloc(cnt ? cnt : 1, sizeof *l);
		if (!l) {
			err(r, v, "out of memory");
			return false;
		}
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(r->doc, *it);
			if (!e || e->type != YAML_SCALAR_NODE || is_null(e)) {
				err(r, e ? e : v, "%s: expected a file or directory name, got %s", k->path,
				    e ? (is_null(e) ? "nothing" : shown(e)) : "nothing");
				free_strlist(l, n);
				return false;
			}
			if (!(l[n] = strdup(scalar(e)))) {
				free_strlist(l, n);
				err(r, e, "out of memory");
				return false;
			}
			n++;
		}
	} else {
		err(r, v, "%s: expected a list of files and directories", k->path);
		return false;
	}
	free_strlist(*lp, *np);
	*lp = l;
	*np = n;
	return true;
}

static yaml_node_t *map_get(struct rd *r, yaml_node_t *m, const char *name, size_t *count)
{
	yaml_node_t *found = NULL;
	*count = 0;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(r->doc, p->key);
		(*count)++;
		if (scalar(kn) && !strcmp(scalar(kn), name))
			found = yaml_document_get_node(r->doc, p->value);
	}
	return found;
}

/* rules: [ {enable|disable: {rule: NAME | tag: TAG}} ... ] */
static bool apply_rulesel(struct rd *r, yaml_node_t *v)
{
	if (is_null(v)) {
		free_rulesel(r->c->rulesel, r->c->nrulesel);
		r->c->rulesel = NULL;
		r->c->nrulesel = 0;
		return true;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		err(r, v, "rules: expected a list of 'enable:' / 'disable:' entries");
		return false;
	}
	size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start), n = 0;
	struct fc_cfg_rulesel *s = calloc(cnt ? cnt : 1, sizeof *s);
	if (!s)
		return false;
	bool ok = true;
	for (yaml_node_item_t *it = v->data.sequence.items.start; ok && it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(r->doc, *it);
		size_t nk = 0;
		if (!e || e->type != YAML_MAPPING_NODE) {
			err(r, e ? e : v, "rules: each entry must be 'enable:' or 'disable:' with a 'rule:' or 'tag:'");
			ok = false;
			break;
		}
		yaml_node_t *en = map_get(r, e, "enable", &nk), *dis = map_get(r, e, "disable", &nk);
		if (nk != 1 || (!en && !dis)) {
			yaml_node_pair_t *p = e->data.mapping.pairs.start;
			yaml_node_t *kn = p < e->data.mapping.pairs.top ? yaml_document_get_node(r->doc, p->key) : e;
			if (nk == 1)
				err(r, kn, "rules: unknown key '%s' (expected 'enable' or 'disable')",
				    scalar(kn) ? scalar(kn) : "?");
			else
				err(r, e, "rules: each entry must have exactly one 'enable:' or 'disable:'");
			ok = false;
			break;
		}
		yaml_node_t *body = en ? en : dis;
		if (body->type != YAML_MAPPING_NODE) {
			err(r, body, "rules: expected 'rule: NAME' or 'tag: TAG' under '%s'", en ? "enable" : "disable");
			ok = false;
			break;
		}
		yaml_node_t *rule = map_get(r, body, "rule", &nk), *tag = map_get(r, body, "tag", &nk);
		if (nk != 1 || (!rule && !tag)) {
			yaml_node_pair_t *p = body->data.mapping.pairs.start;
			yaml_node_t *kn = p < body->data.mapping.pairs.top ? yaml_document_get_node(r->doc, p->key) : body;
			if (nk == 1)
				err(r, kn, "rules: unknown key '%s' (expected 'rule' or 'tag')", scalar(kn) ? scalar(kn) : "?");
			else
				err(r, body, "rules: expected exactly one of 'rule:' or 'tag:'");
			ok = false;
			break;
		}
		yaml_node_t *val = rule ? rule : tag;
		if (val->type != YAML_SCALAR_NODE || is_null(val)) {
			err(r, val, "rules: expected a %s, got %s", rule ? "rule name" : "tag",
			    is_null(val) ? "nothing" : shown(val));
			ok = false;
			break;
		}
		s[n] = (struct fc_cfg_rulesel){.enable = en != NULL, .by_tag = tag != NULL, .pattern = strdup(scalar(val))};
		if (!s[n].pattern) {
			ok = false;
			break;
		}
		n++;
	}
	if (!ok) {
		free_rulesel(s, n);
		return false;
	}
	free_rulesel(r->c->rulesel, r->c->nrulesel);
	r->c->rulesel = s;
	r->c->nrulesel = n;
	return true;
}

static bool apply_value(struct rd *r, const struct key *k, yaml_node_t *v);

/* Remembers where K was set, for fc_config_validate's messages. */
static void note_where(struct rd *r, const struct key *k, const yaml_node_t *v)
{
	char where[700];
	if (r->name)
		snprintf(where, sizeof where, "%s:%lu:%lu", r->name, (unsigned long)v->start_mark.line + 1,
			 (unsigned long)v->start_mark.column + 1);
	else
		snprintf(where, sizeof where, "-o %s", r->override ? r->override : k->path);
	if (!r->c->key_where && !(r->c->key_where = calloc(NKEYS, sizeof *r->c->key_where)))
		return;
	size_t i = (size_t)(k - keys);
	free(r->c->key_where[i]);
	r->c->key_where[i] = strdup(where);
}

static bool apply(struct rd *r, const struct key *k, yaml_node_t *v)
{
	bool ok = apply_value(r, k, v);
	if (ok && k->type != T_IGNORED)
		note_where(r, k, v);
	return ok;
}

static bool apply_value(struct rd *r, const struct key *k, yaml_node_t *v)
{
	void *dst = (char *)r->c + k->off;
	if (k->type == T_IGNORED) {
		warn(r, v, "%s: not supported by falcod (%s); ignored", k->path, k->note);
		return true;
	}
	if (k->type == T_STRLIST)
		return apply_strlist(r, k, v);
	if (k->type == T_RULESEL)
		return apply_rulesel(r, v);
	if (v->type != YAML_SCALAR_NODE) {
		err(r, v, "%s: expected a single value, got %s", k->path, shown(v));
		return false;
	}
	const char *s = scalar(v);
	uint64_t u = 0;
	switch (k->type) {
	case T_BOOL:
		if (is_null(v) || !parse_bool(s, (bool *)dst)) {
			err(r, v, "%s: expected true or false, got '%s'", k->path, s);
			return false;
		}
		return true;
	case T_U32:
	case T_U64: {
		uint64_t max = k->max ? k->max : k->type == T_U32 ? UINT32_MAX : UINT64_MAX;
		if (!parse_u64(s, &u)) {
			err(r, v, "%s: expected a non-negative integer, got '%s'", k->path, s);
			return false;
		}
		if (u < k->min || u > max) {
			err(r, v, "%s: %s is out of range (%llu to %llu)", k->path, s, (unsigned long long)k->min,
			    (unsigned long long)max);
			return false;
		}
		if (k->type == T_U32)
			*(uint32_t *)dst = (uint32_t)u;
		else
			*(uint64_t *)dst = u;
		return true;
	}
	case T_STR: {
		char **p = dst;
		char *n = dup_or_null(r, v);
		free(*p);
		*p = n;
		return true;
	}
	case T_PRIO:
		if (!fc_prio_parse(s, (unsigned *)dst)) {
			err(r, v,
			    "%s: unknown priority '%s' (emergency, alert, critical, error, warning, notice, "
			    "informational, debug)",
			    k->path, s);
			return false;
		}
		return true;
	case T_MATCH:
		if (!strcmp(s, "first"))
			*(unsigned *)dst = FC_CFG_MATCH_FIRST;
		else if (!strcmp(s, "all"))
			*(unsigned *)dst = FC_CFG_MATCH_ALL;
		else {
			err(r, v, "%s: expected first or all, got '%s'", k->path, s);
			return false;
		}
		return true;
	case T_DURATION:
		if (!parse_duration(s, &u)) {
			err(r, v, "%s: expected a duration such as 100ms, 15s, 30m or 1h, got '%s'", k->path, s);
			return false;
		}
		if (u < k->min) {
			err(r, v, "%s: %s is too short (at least %llums)", k->path, s, (unsigned long long)k->min);
			return false;
		}
		*(uint64_t *)dst = u;
		return true;
	case T_ENGINE:
		if (!strcmp(s, "modern_ebpf"))
			*(unsigned *)dst = FC_CFG_ENGINE_MODERN_EBPF;
		else if (!strcmp(s, "replay"))
			*(unsigned *)dst = FC_CFG_ENGINE_REPLAY;
		else if (!strcmp(s, "kmod") || !strcmp(s, "ebpf") || !strcmp(s, "gvisor") || !strcmp(s, "nodriver")) {
			err(r, v, "%s: '%s' is not supported by falcod (modern_ebpf or replay)", k->path, s);
			return false;
		} else {
			err(r, v, "%s: expected modern_ebpf or replay, got '%s'", k->path, s);
			return false;
		}
		return true;
	case T_RINGSIZE:
		if (!parse_size(s, &u)) {
			err(r, v, "%s: expected a size in bytes (e.g. 8388608 or 8M), got '%s'", k->path, s);
			return false;
		}
		if (u && (u < 4096 || u > (1u << 30) || (u & (u - 1)))) {
			err(r, v, "%s: %s must be a power of two between 4096 and 1G (or 0 for the default)", k->path, s);
			return false;
		}
		*(uint32_t *)dst = (uint32_t)u;
		return true;
	case T_BYTES:
		if (!parse_size(s, &u)) {
			err(r, v, "%s: expected a size in bytes (e.g. 268435456 or 256M), got '%s'", k->path, s);
			return false;
		}
		if (u && u < k->min) {
			err(r, v, "%s: %s is below the minimum of %lluM (or 0 for no limit)", k->path, s,
			    (unsigned long long)(k->min >> 20));
			return false;
		}
		*(uint64_t *)dst = u;
		return true;
	case T_PRESET:
		if (!parse_u64(s, &u) || u > k->max) {
			err(r, v, "%s: expected a preset from 0 to 10, got '%s'", k->path, s);
			return false;
		}
		/* Falco's table: 1 → 1 MiB, doubling up to 10 → 512 MiB; 0 keeps the default. */
		*(uint32_t *)dst = u ? (uint32_t)1 << (19 + u) : 0;
		return true;
	default: return false;
	}
}

/* ---- walking mappings ---- */

static const struct key *find_key(const char *path)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].path, path))
			return &keys[i];
	return NULL;
}

static bool is_section(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < NKEYS; i++)
		if (!strncmp(keys[i].path, path, n) && keys[i].path[n] == '.')
			return true;
	return false;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* The closest key name under PREFIX ("" = top level) to NAME, or NULL. */
static const char *suggest(const char *prefix, const char *name, char *buf, size_t len)
{
	size_t pl = strlen(prefix), best = 99;
	const char *res = NULL;
	for (size_t i = 0; i < NKEYS; i++) {
		const char *p = keys[i].path;
		if (pl && (strncmp(p, prefix, pl) || p[pl] != '.'))
			continue;
		p += pl ? pl + 1 : 0;
		size_t cl = strcspn(p, ".");
		char cand[96];
		if (cl >= sizeof cand)
			continue;
		memcpy(cand, p, cl);
		cand[cl] = 0;
		size_t d = edit_distance(name, cand);
		size_t limit = strlen(cand) < 6 ? 1 : strlen(cand) / 3 + 1;
		if (d <= limit && d < best) {
			best = d;
			snprintf(buf, len, "%s", cand);
			res = buf;
		}
	}
	return res;
}

static bool walk(struct rd *r, yaml_node_t *m, const char *prefix);

static bool apply_path(struct rd *r, const char *path, const char *prefix, const char *name, yaml_node_t *kn,
		       yaml_node_t *v)
{
	const struct key *k = find_key(path);
	if (k)
		return apply(r, k, v);
	if (is_section(path)) {
		if (is_null(v))
			return true;
		if (v->type != YAML_MAPPING_NODE) {
			err(r, v, "%s: expected a mapping of settings, got %s", path, shown(v));
			return false;
		}
		return walk(r, v, path);
	}
	char sug[96];
	const char *s = suggest(prefix, name, sug, sizeof sug);
	char in[160] = "";
	if (*prefix)
		snprintf(in, sizeof in, " in '%s'", prefix);
	if (s)
		err(r, kn, "unknown key '%s'%s (did you mean '%s'?)", name, in, s);
	else
		err(r, kn, "unknown key '%s'%s", name, in);
	return false;
}

static bool walk(struct rd *r, yaml_node_t *m, const char *prefix)
{
	bool ok = true;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(r->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(r->doc, p->value);
		const char *name = scalar(kn);
		if (!name || !v) {
			err(r, kn, "expected a key name");
			ok = false;
			continue;
		}
		bool dup = false;
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *qk = yaml_document_get_node(r->doc, q->key);
			if (scalar(qk) && !strcmp(scalar(qk), name)) {
				err(r, kn, "duplicate key '%s' (first at line %lu)", name,
				    (unsigned long)qk->start_mark.line + 1);
				dup = true;
				break;
			}
		}
		if (dup) {
			ok = false;
			continue;
		}
		char path[512];
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", name);
		if (!apply_path(r, path, prefix, name, kn, v))
			ok = false;
	}
	return ok;
}

/* ---- entry points ---- */

static void yaml_error(struct rd *r, yaml_parser_t *p)
{
	char msg[1400];
	const char *problem = p->problem ? p->problem : "invalid YAML";
	if (r->name)
		snprintf(msg, sizeof msg, "%s:%lu:%lu: YAML syntax error: %s%s%s", r->name,
			 (unsigned long)p->problem_mark.line + 1, (unsigned long)p->problem_mark.column + 1, problem,
			 p->context ? " " : "", p->context ? p->context : "");
	else
		snprintf(msg, sizeof msg, "-o %s: invalid value: %s", r->override, problem);
	add_diag(r->d, true, msg);
}

static bool load(struct fc_config *c, yaml_parser_t *p, const char *name, struct fc_cfg_diags *d)
{
	yaml_document_t doc;
	struct rd r = {.c = c, .d = d, .doc = &doc, .name = name};
	if (!yaml_parser_load(p, &doc)) {
		yaml_error(&r, p);
		return false;
	}
	bool ok = true;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && !is_null(root)) {
		if (root->type != YAML_MAPPING_NODE) {
			err(&r, root, "expected a mapping of settings at the top of the file");
			ok = false;
		} else
			ok = walk(&r, root, "");
	}
	yaml_document_delete(&doc);
	return ok;
}

bool fc_config_load_file(struct fc_config *c, const char *path, const char *name, struct fc_cfg_diags *d)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s: cannot open configuration file: %s", name ? name : path, strerror(errno));
		add_diag(d, true, msg);
		return false;
	}
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	bool ok = load(c, &p, name ? name : path, d);
	yaml_parser_delete(&p);
	fclose(f);
	return ok;
}

bool fc_config_load_mem(struct fc_config *c, const char *text, size_t len, const char *name, struct fc_cfg_diags *d)
{
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	bool ok = load(c, &p, name ? name : "<config>", d);
	yaml_parser_delete(&p);
	return ok;
}

bool fc_config_override(struct fc_config *c, const char *kv, struct fc_cfg_diags *d)
{
	struct rd r = {.c = c, .d = d, .override = kv};
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv) {
		err(&r, NULL, "expected KEY=VALUE");
		return false;
	}
	char path[512];
	size_t kl = (size_t)(eq - kv);
	if (kl >= sizeof path) {
		err(&r, NULL, "key too long");
		return false;
	}
	memcpy(path, kv, kl);
	path[kl] = 0;
	/* Every component must name a key or section, checked as the file's keys are. */
	char prefix[512] = "";
	for (char *comp = path;;) {
		char *dot = strchr(comp, '.');
		if (dot)
			*dot = 0;
		char full[1100];
		snprintf(full, sizeof full, "%s%s%s", prefix, *prefix ? "." : "", comp);
		if (!dot || find_key(full)) {
			if (dot)
				*dot = '.';
			break;
		}
		if (!is_section(full)) {
			char sug[96];
			const char *s = suggest(prefix, comp, sug, sizeof sug);
			if (s)
				err(&r, NULL, "unknown key '%s'%s%s%s (did you mean '%s'?)", comp, *prefix ? " in '" : "",
				    prefix, *prefix ? "'" : "", s);
			else
				err(&r, NULL, "unknown key '%s'%s%s%s", comp, *prefix ? " in '" : "", prefix,
				    *prefix ? "'" : "");
			return false;
		}
		snprintf(prefix, sizeof prefix, "%.511s", full);
		*dot = '.';
		comp = dot + 1;
	}
	yaml_parser_t p;
	yaml_document_t doc;
	yaml_parser_initialize(&p);
	const char *val = eq + 1;
	yaml_parser_set_input_string(&p, (const unsigned char *)val, strlen(val));
	if (!yaml_parser_load(&p, &doc)) {
		yaml_error(&r, &p);
		yaml_parser_delete(&p);
		return false;
	}
	r.doc = &doc;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	yaml_node_t empty = {.type = YAML_SCALAR_NODE};
	empty.data.scalar.value = (yaml_char_t *)"";
	empty.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
	if (!root)
		root = &empty;
	const char *last = strrchr(path, '.');
	char pre[512] = "";
	if (last)
		snprintf(pre, sizeof pre, "%.*s", (int)(last - path), path);
	bool ok = apply_path(&r, path, pre, last ? last + 1 : path, root, root);
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	return ok;
}

/* "WHERE: " for the place KEY was set ("" when it has its default). */
static const char *where_of(const struct fc_config *c, const char *path, char *buf, size_t len)
{
	const struct key *k = find_key(path);
	const char *w = k && c->key_where ? c->key_where[k - keys] : NULL;
	snprintf(buf, len, "%s%s", w ? w : "", w ? ": " : "");
	return buf;
}

static bool has_prefix(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

#define AT(path) where_of(c, path, wb, sizeof wb)
bool fc_config_validate(const struct fc_config *c, struct fc_cfg_diags *d)
{
	struct rd r = {.d = d};
	char wb[800];
	size_t before = d->nerrors;
	if (c->file_output.enabled && (!c->file_output.filename || !*c->file_output.filename))
		err(&r, NULL, "%sfile_output is enabled but file_output.filename is not set", AT("file_output.enabled"));
	if (c->program_output.enabled && (!c->program_output.program || !*c->program_output.program))
		err(&r, NULL, "%sprogram_output is enabled but program_output.program is not set",
		    AT("program_output.enabled"));
	if (c->http_output.enabled) {
		const char *u = c->http_output.url;
		if (!u || !*u)
			err(&r, NULL, "%shttp_output is enabled but http_output.url is not set", AT("http_output.enabled"));
		else if (!has_prefix(u, "http://") && !has_prefix(u, "https://"))
			err(&r, NULL, "%shttp_output.url: expected an http:// or https:// URL, got '%s'", AT("http_output.url"),
			    u);
		if (c->http_output.mtls && (!c->http_output.client_cert || !*c->http_output.client_cert ||
					    !c->http_output.client_key || !*c->http_output.client_key))
			err(&r, NULL, "%shttp_output.mtls needs http_output.client_cert and http_output.client_key",
			    AT("http_output.mtls"));
		if (c->http_output.retry_backoff_max_ms < c->http_output.retry_backoff_ms)
			err(&r, NULL, "%shttp_output.retry_backoff_max is shorter than http_output.retry_backoff",
			    AT("http_output.retry_backoff_max"));
		if (c->http_output.insecure && has_prefix(u, "https://"))
			warn(&r, NULL, "%shttp_output.insecure: the server's certificate is not verified",
			     AT("http_output.insecure"));
	}
	if (c->nats_output.enabled) {
		const char *u = c->nats_output.url;
		if (!u || !*u)
			err(&r, NULL, "%snats_output is enabled but nats_output.url is not set", AT("nats_output.enabled"));
		else if (has_prefix(u, "tls://"))
			err(&r, NULL, "%snats_output.url: TLS connections to NATS are not supported yet (use nats://)",
			    AT("nats_output.url"));
		else if (!fc_nats_url_check(u, NULL, 0))
			err(&r, NULL, "%snats_output.url: expected nats://[user:password@]host[:port], got '%s'",
			    AT("nats_output.url"), u);
		/* Checked with the placeholders filled in. */
		char sub[512] = "";
		const char *s = c->nats_output.subject;
		for (size_t i = 0, n = 0; s && s[i] && n + 2 < sizeof sub;) {
			size_t skip = !strncmp(s + i, "<priority>", 10) ? 10 : !strncmp(s + i, "<rule>", 6) ? 6 : 0;
			sub[n++] = skip ? 'x' : s[i];
			sub[n] = 0;
			i += skip ? skip : 1;
		}
		if (!s || !*s)
			err(&r, NULL, "%snats_output is enabled but nats_output.subject is not set", AT("nats_output.enabled"));
		else if (strpbrk(sub, " \t\r\n*>") || sub[0] == '.' || sub[strlen(sub) - 1] == '.' || strstr(sub, ".."))
			err(&r, NULL,
			    "%snats_output.subject: '%s' is not a valid subject to publish on (tokens separated by '.', "
			    "no spaces or wildcards; <priority> and <rule> are replaced)",
			    AT("nats_output.subject"), s);
		if (c->nats_output.reconnect_wait_max_ms < c->nats_output.reconnect_wait_ms)
			err(&r, NULL, "%snats_output.reconnect_wait_max is shorter than nats_output.reconnect_wait",
			    AT("nats_output.reconnect_wait_max"));
	}
	if (c->webserver.enabled) {
		if (c->webserver.ssl_enabled && (!c->webserver.ssl_certificate || !*c->webserver.ssl_certificate))
			err(&r, NULL, "%swebserver.ssl_enabled needs webserver.ssl_certificate", AT("webserver.ssl_enabled"));
		if (!c->webserver.listen_address || !*c->webserver.listen_address)
			err(&r, NULL, "%swebserver.listen_address is empty", AT("webserver.listen_address"));
		const char *h = c->webserver.k8s_healthz_endpoint;
		if (!h || h[0] != '/')
			err(&r, NULL, "%swebserver.k8s_healthz_endpoint: expected a path starting with '/', got '%s'",
			    AT("webserver.k8s_healthz_endpoint"), h ? h : "");
		if (c->webserver.prometheus_metrics_enabled && !c->metrics.enabled)
			warn(&r, NULL,
			     "%swebserver.prometheus_metrics_enabled needs metrics.enabled: true; /metrics is not served",
			     AT("webserver.prometheus_metrics_enabled"));
	}
	if (c->metrics.enabled && !c->metrics.output_rule && !(c->metrics.output_file && *c->metrics.output_file) &&
	    !(c->webserver.enabled && c->webserver.prometheus_metrics_enabled))
		warn(&r, NULL,
		     "%smetrics are enabled but go nowhere (set metrics.output_rule, metrics.output_file or "
		     "webserver.prometheus_metrics_enabled)",
		     AT("metrics.enabled"));
	return d->nerrors == before;
}
