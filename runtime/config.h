/* config.h — falcod's configuration: the YAML file (falcod.yaml, Falco-like keys, RUNTIME.md
 * §5.5–§5.7) and `-o key=value` overrides, read through libyaml into struct fc_config.
 *
 * Every key is checked against one schema table (config.c): an unknown key, a wrong type, an
 * out-of-range value or a duplicate key is an error that names the place
 * ("falcod.yaml:12:3: unknown key 'json_ouput' (did you mean 'json_output'?)"). Keys Falco has
 * but falcod does not implement (plugins, grpc, ...) are accepted with a warning, so an existing
 * falco.yaml can be reused. Errors are collected, not stopped at the first. */
#ifndef FC_CONFIG_H
#define FC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum fc_cfg_match { FC_CFG_MATCH_FIRST = 0, FC_CFG_MATCH_ALL = 1 };
enum fc_cfg_engine { FC_CFG_ENGINE_MODERN_EBPF = 0, FC_CFG_ENGINE_REPLAY = 1 };

/* One entry of the `rules:` selection block, applied in order after loading. */
struct fc_cfg_rulesel {
	bool enable; /* enable: or disable: */
	bool by_tag; /* tag: or rule: */
	char *pattern; /* rule name (wildcards * and ?) or tag */
};

struct fc_config {
	char **rules_files; /* files and directories, in order */
	size_t nrules_files;
	struct fc_cfg_rulesel *rulesel;
	size_t nrulesel;

	bool json_output;
	bool json_include_output_property;        /* default true */
	bool json_include_tags_property;          /* default true */
	bool json_include_message_property;       /* default false */
	bool json_include_output_fields_property; /* default true */
	bool time_format_iso_8601;
	unsigned priority;  /* minimum priority, 0 = Emergency .. 7 = Debug (default Debug) */
	unsigned rule_matching; /* enum fc_cfg_match */

	bool buffered_outputs;
	uint64_t outputs_queue_capacity; /* alerts; 0 = unbounded */
	uint32_t output_timeout_ms;      /* a channel blocked longer is reported (default 2000) */
	struct { bool enabled; } stdout_output, syslog_output;
	struct {
		bool enabled, keep_alive;
		char *filename;
	} file_output;
	struct {
		bool enabled, keep_alive;
		char *program;
	} program_output;
	struct {
		bool enabled, insecure, mtls, echo, compress_uploads, keep_alive;
		char *url, *user_agent, *ca_cert, *ca_bundle, *ca_path, *client_cert, *client_key;
		uint32_t max_consecutive_timeouts; /* failed deliveries in a row before retries stop */
		/* falcod additions */
		uint64_t timeout_ms, connect_timeout_ms; /* per request; connection set-up */
		uint32_t retries;                        /* extra attempts per alert */
		uint64_t retry_backoff_ms, retry_backoff_max_ms; /* first wait, doubled up to the max */
		uint64_t queue_capacity;                 /* the channel's own queue (alerts) */
	} http_output;
	struct {
		bool enabled;
		char *url;     /* nats://[user:pass@]host[:port] */
		char *subject; /* template: <priority> and <rule> are replaced */
		char *user, *password, *token, *name;
		uint64_t connect_timeout_ms, reconnect_wait_ms, reconnect_wait_max_ms;
		uint32_t retries, max_consecutive_failures;
		uint64_t queue_capacity;
	} nats_output;

	struct {
		bool enabled;
		uint64_t interval_ms; /* at least 100 ms */
		bool output_rule;
		char *output_file;
		bool rules_counters_enabled, resource_utilization_enabled, state_counters_enabled;
		bool kernel_event_counters_enabled, kernel_event_counters_per_cpu_enabled, libbpf_stats_enabled;
		bool plugins_metrics_enabled, jemalloc_stats_enabled, convert_memory_to_mb, include_empty_values;
		bool rules_profile_enabled; /* falcod: per-rule evaluation time (cumulative ns, evaluations) */
	} metrics;
	struct {
		bool enabled;
		uint32_t threadiness;
		uint32_t listen_port;
		char *listen_address;
		char *k8s_healthz_endpoint;
		bool ssl_enabled;
		char *ssl_certificate;
		bool prometheus_metrics_enabled;
		/* falcod additions */
		char *ssl_key;                    /* NULL: the key is in ssl_certificate's PEM */
		char *ssl_client_ca;              /* PEM CA: clients must present a certificate it signed */
		uint64_t health_max_event_age_ms; /* /healthz fails when no event for this long (0: off) */
		uint32_t health_max_drop_perc;    /* /healthz fails when recent ring drops exceed this % */
	} webserver;

	struct {
		unsigned kind; /* enum fc_cfg_engine */
		char *capture_file; /* engine.replay.capture_file */
	} engine;
	struct {
		uint32_t ring_buffer_bytes; /* per ring; power of two; 0 = probe default (8 MiB) */
		uint32_t cpus_per_ring;     /* 0 = one ring per CPU */
	} probe;
	struct {
		uint32_t thread_table_size;      /* default 262144 */
		uint32_t thread_timeout_s;       /* thread_table_auto_purging_thread_timeout_s, default 300 */
	} falco_libs;

	bool log_stderr, log_syslog;
	unsigned log_level; /* priority words; default Informational */
	bool watch_config_files;
	/* falcod: a public key file (sign.h); rules must then be a bundle signed with it
	 * (--require-signed PUBKEY sets it too). NULL or "": any bundle or rules file. */
	char *require_signed;
	/* falcod: memory cap in bytes (0: none). It bounds the thread table and the outputs queue
	 * at start, and falcod samples its RSS against it (summary: peak, time over the cap). */
	uint64_t memory_limit;

	/* Where each key was last set ("falcod.yaml:12:3", "-o key=value"), for the messages of
	 * fc_config_validate; indexed by the schema (config.c). */
	char **key_where;
};

/* Fills C with the defaults (what falcod does with no config file). */
void fc_config_defaults(struct fc_config *c);
void fc_config_free(struct fc_config *c);

/* Diagnostics: errors and warnings, each one line "WHERE: message". */
struct fc_cfg_diags {
	char **msgs;
	bool *is_error;
	size_t n;
	size_t nerrors;
};
void fc_cfg_diags_free(struct fc_cfg_diags *d);
void fc_cfg_diags_print(const struct fc_cfg_diags *d, FILE *f); /* "error: ..." / "warning: ..." */

/* Reads the YAML file PATH into C (on top of what C holds). NAME is what messages call the
 * file (NULL: PATH). False when there are errors (C may be partly updated then). */
bool fc_config_load_file(struct fc_config *c, const char *path, const char *name, struct fc_cfg_diags *d);
/* The same from memory (tests). */
bool fc_config_load_mem(struct fc_config *c, const char *text, size_t len, const char *name,
			struct fc_cfg_diags *d);

/* Applies one `-o KEY=VALUE` override: KEY is a dotted path (`file_output.enabled`), VALUE is
 * read as YAML (`true`, `[a.yaml, b.yaml]`, `{enabled: true}`). */
bool fc_config_override(struct fc_config *c, const char *kv, struct fc_cfg_diags *d);

/* Checks the combination of keys (a file output without a filename, ...). */
bool fc_config_validate(const struct fc_config *c, struct fc_cfg_diags *d);

#endif
