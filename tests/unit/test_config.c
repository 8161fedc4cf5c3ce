/* test_config.c — falcod.yaml and -o overrides (runtime/config.c): every key reaches its field,
 * defaults are Falco's, and every kind of bad input gives its message with file:line:col. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static struct fc_config cfg;
static struct fc_cfg_diags diags;

static void setup(void)
{
	fc_config_defaults(&cfg);
	diags = (struct fc_cfg_diags){0};
}

static void teardown(void)
{
	fc_config_free(&cfg);
	fc_cfg_diags_free(&diags);
}

TestSuite(config, .init = setup, .fini = teardown);

static bool load(const char *text)
{
	return fc_config_load_mem(&cfg, text, strlen(text), "falcod.yaml", &diags);
}

/* The one diagnostic there must be. */
static void expect_one(bool error, const char *msg)
{
	cr_assert_eq(diags.n, 1, "expected one diagnostic, got %zu%s%s", diags.n, diags.n ? ": " : "",
		     diags.n ? diags.msgs[0] : "");
	cr_assert_eq(diags.is_error[0], error);
	cr_assert_str_eq(diags.msgs[0], msg);
}

Test(config, defaults_are_falcos)
{
	cr_assert(!cfg.json_output);
	cr_assert(cfg.json_include_output_property);
	cr_assert(cfg.json_include_tags_property);
	cr_assert(!cfg.json_include_message_property);
	cr_assert(cfg.json_include_output_fields_property);
	cr_assert(!cfg.time_format_iso_8601);
	cr_assert_eq(cfg.priority, 7);
	cr_assert_eq(cfg.rule_matching, FC_CFG_MATCH_FIRST);
	cr_assert(cfg.stdout_output.enabled);
	cr_assert(cfg.syslog_output.enabled);
	cr_assert(!cfg.file_output.enabled);
	cr_assert(!cfg.program_output.enabled);
	cr_assert(!cfg.buffered_outputs);
	cr_assert_eq(cfg.outputs_queue_capacity, 0);
	cr_assert_eq(cfg.output_timeout_ms, 2000);
	cr_assert_eq(cfg.metrics.interval_ms, 3600000);
	cr_assert_eq(cfg.webserver.listen_port, 8765);
	cr_assert_eq(cfg.falco_libs.thread_table_size, 262144);
	cr_assert_eq(cfg.nrules_files, 0);
}

Test(config, empty_and_comment_only_files)
{
	cr_assert(load(""));
	cr_assert(load("# nothing here\n"));
	cr_assert(load("---\n...\n"));
	cr_assert_eq(diags.n, 0);
}

Test(config, every_key)
{
	const char *y = "rules_files:\n"
			"  - /etc/falcod/falcod_rules.yaml\n"
			"  - /etc/falcod/rules.d\n"
			"rules:\n"
			"  - disable:\n"
			"      rule: \"*\"\n"
			"  - enable:\n"
			"      tag: network\n"
			"  - enable:\n"
			"      rule: Read SSH Information\n"
			"json_output: true\n"
			"json_include_output_property: false\n"
			"json_include_tags_property: no\n"
			"json_include_message_property: yes\n"
			"json_include_output_fields_property: off\n"
			"time_format_iso_8601: True\n"
			"priority: warning\n"
			"rule_matching: all\n"
			"buffered_outputs: true\n"
			"outputs_queue:\n"
			"  capacity: 1000\n"
			"output_timeout: 500\n"
			"stdout_output:\n"
			"  enabled: false\n"
			"syslog_output:\n"
			"  enabled: false\n"
			"file_output:\n"
			"  enabled: true\n"
			"  keep_alive: true\n"
			"  filename: /var/log/falcod.txt\n"
			"program_output:\n"
			"  enabled: true\n"
			"  keep_alive: true\n"
			"  program: \"jq '{text: .output}' | logger\"\n"
			"http_output:\n"
			"  enabled: false\n"
			"  url: http://sidekick:2801/\n"
			"  user_agent: falcod\n"
			"  insecure: true\n"
			"  ca_cert: /c.pem\n"
			"  ca_bundle: /b.pem\n"
			"  ca_path: /etc/ssl/certs\n"
			"  mtls: true\n"
			"  client_cert: /cc.pem\n"
			"  client_key: /ck.pem\n"
			"  echo: true\n"
			"  compress_uploads: true\n"
			"  keep_alive: true\n"
			"  max_consecutive_timeouts: 9\n"
			"metrics:\n"
			"  enabled: false\n"
			"  interval: 1h30m\n"
			"  output_rule: false\n"
			"  output_file: /tmp/m.json\n"
			"  rules_counters_enabled: false\n"
			"  resource_utilization_enabled: false\n"
			"  state_counters_enabled: false\n"
			"  kernel_event_counters_enabled: false\n"
			"  kernel_event_counters_per_cpu_enabled: true\n"
			"  libbpf_stats_enabled: true\n"
			"  plugins_metrics_enabled: true\n"
			"  jemalloc_stats_enabled: true\n"
			"  convert_memory_to_mb: false\n"
			"  include_empty_values: true\n"
			"webserver:\n"
			"  enabled: false\n"
			"  threadiness: 4\n"
			"  listen_port: 9000\n"
			"  listen_address: 127.0.0.1\n"
			"  k8s_healthz_endpoint: /health\n"
			"  ssl_enabled: true\n"
			"  ssl_certificate: /s.pem\n"
			"  prometheus_metrics_enabled: true\n"
			"engine:\n"
			"  kind: replay\n"
			"  replay:\n"
			"    capture_file: /tmp/x.scap\n"
			"  modern_ebpf:\n"
			"    cpus_for_each_buffer: 4\n"
			"    buf_size_preset: 6\n"
			"falco_libs:\n"
			"  thread_table_size: 1000\n"
			"  thread_table_auto_purging_thread_timeout_s: 60\n"
			"log_stderr: false\n"
			"log_syslog: false\n"
			"log_level: debug\n"
			"watch_config_files: false\n";
	cr_assert(load(y), "%s", diags.n ? diags.msgs[0] : "");
	cr_assert_eq(diags.n, 0, "%s", diags.n ? diags.msgs[0] : "");
	cr_assert_eq(cfg.nrules_files, 2);
	cr_assert_str_eq(cfg.rules_files[0], "/etc/falcod/falcod_rules.yaml");
	cr_assert_str_eq(cfg.rules_files[1], "/etc/falcod/rules.d");
	cr_assert_eq(cfg.nrulesel, 3);
	cr_assert(!cfg.rulesel[0].enable && !cfg.rulesel[0].by_tag);
	cr_assert_str_eq(cfg.rulesel[0].pattern, "*");
	cr_assert(cfg.rulesel[1].enable && cfg.rulesel[1].by_tag);
	cr_assert_str_eq(cfg.rulesel[1].pattern, "network");
	cr_assert(cfg.rulesel[2].enable && !cfg.rulesel[2].by_tag);
	cr_assert_str_eq(cfg.rulesel[2].pattern, "Read SSH Information");
	cr_assert(cfg.json_output);
	cr_assert(!cfg.json_include_output_property);
	cr_assert(!cfg.json_include_tags_property);
	cr_assert(cfg.json_include_message_property);
	cr_assert(!cfg.json_include_output_fields_property);
	cr_assert(cfg.time_format_iso_8601);
	cr_assert_eq(cfg.priority, 4);
	cr_assert_eq(cfg.rule_matching, FC_CFG_MATCH_ALL);
	cr_assert(cfg.buffered_outputs);
	cr_assert_eq(cfg.outputs_queue_capacity, 1000);
	cr_assert_eq(cfg.output_timeout_ms, 500);
	cr_assert(!cfg.stdout_output.enabled);
	cr_assert(!cfg.syslog_output.enabled);
	cr_assert(cfg.file_output.enabled && cfg.file_output.keep_alive);
	cr_assert_str_eq(cfg.file_output.filename, "/var/log/falcod.txt");
	cr_assert(cfg.program_output.enabled && cfg.program_output.keep_alive);
	cr_assert_str_eq(cfg.program_output.program, "jq '{text: .output}' | logger");
	cr_assert(!cfg.http_output.enabled);
	cr_assert_str_eq(cfg.http_output.url, "http://sidekick:2801/");
	cr_assert_str_eq(cfg.http_output.user_agent, "falcod");
	cr_assert(cfg.http_output.insecure && cfg.http_output.mtls && cfg.http_output.echo);
	cr_assert(cfg.http_output.compress_uploads && cfg.http_output.keep_alive);
	cr_assert_str_eq(cfg.http_output.ca_cert, "/c.pem");
	cr_assert_str_eq(cfg.http_output.ca_bundle, "/b.pem");
	cr_assert_str_eq(cfg.http_output.ca_path, "/etc/ssl/certs");
	cr_assert_str_eq(cfg.http_output.client_cert, "/cc.pem");
	cr_assert_str_eq(cfg.http_output.client_key, "/ck.pem");
	cr_assert_eq(cfg.http_output.max_consecutive_timeouts, 9);
	cr_assert(!cfg.metrics.enabled);
	cr_assert_eq(cfg.metrics.interval_ms, 5400000);
	cr_assert(!cfg.metrics.output_rule);
	cr_assert_str_eq(cfg.metrics.output_file, "/tmp/m.json");
	cr_assert(!cfg.metrics.rules_counters_enabled && !cfg.metrics.resource_utilization_enabled);
	cr_assert(!cfg.metrics.state_counters_enabled && !cfg.metrics.kernel_event_counters_enabled);
	cr_assert(cfg.metrics.kernel_event_counters_per_cpu_enabled && cfg.metrics.libbpf_stats_enabled);
	cr_assert(cfg.metrics.plugins_metrics_enabled && cfg.metrics.jemalloc_stats_enabled);
	cr_assert(!cfg.metrics.convert_memory_to_mb && cfg.metrics.include_empty_values);
	cr_assert(!cfg.webserver.enabled);
	cr_assert_eq(cfg.webserver.threadiness, 4);
	cr_assert_eq(cfg.webserver.listen_port, 9000);
	cr_assert_str_eq(cfg.webserver.listen_address, "127.0.0.1");
	cr_assert_str_eq(cfg.webserver.k8s_healthz_endpoint, "/health");
	cr_assert(cfg.webserver.ssl_enabled && cfg.webserver.prometheus_metrics_enabled);
	cr_assert_str_eq(cfg.webserver.ssl_certificate, "/s.pem");
	cr_assert_eq(cfg.engine.kind, FC_CFG_ENGINE_REPLAY);
	cr_assert_str_eq(cfg.engine.capture_file, "/tmp/x.scap");
	cr_assert_eq(cfg.probe.cpus_per_ring, 4);
	cr_assert_eq(cfg.probe.ring_buffer_bytes, 32u << 20); /* preset 6 = 32 MiB */
	cr_assert_eq(cfg.falco_libs.thread_table_size, 1000);
	cr_assert_eq(cfg.falco_libs.thread_timeout_s, 60);
	cr_assert(!cfg.log_stderr && !cfg.log_syslog);
	cr_assert_eq(cfg.log_level, 7);
	cr_assert(!cfg.watch_config_files);
}

Test(config, probe_keys_and_sizes)
{
	cr_assert(load("probe:\n  ring_buffer_bytes: 16M\n  cpus_per_ring: 2\n"));
	cr_assert_eq(cfg.probe.ring_buffer_bytes, 16u << 20);
	cr_assert_eq(cfg.probe.cpus_per_ring, 2);
	cr_assert(load("probe:\n  ring_buffer_bytes: 65536\n"));
	cr_assert_eq(cfg.probe.ring_buffer_bytes, 65536);
	cr_assert(load("probe:\n  ring_buffer_bytes: 512KiB\n"));
	cr_assert_eq(cfg.probe.ring_buffer_bytes, 512u << 10);
}

Test(config, rules_file_scalar_and_older_spelling)
{
	cr_assert(load("rules_file: /a.yaml\n"));
	cr_assert_eq(cfg.nrules_files, 1);
	cr_assert_str_eq(cfg.rules_files[0], "/a.yaml");
	cr_assert(load("rules_files: [/b.yaml, /c]\n"));
	cr_assert_eq(cfg.nrules_files, 2);
	cr_assert_str_eq(cfg.rules_files[1], "/c");
}

Test(config, unknown_key_with_suggestion)
{
	cr_assert(!load("stdout_output:\n  enabled: true\n\njson_ouput: true\n"));
	expect_one(true, "falcod.yaml:4:1: unknown key 'json_ouput' (did you mean 'json_output'?)");
}

Test(config, unknown_nested_key_with_suggestion)
{
	cr_assert(!load("file_output:\n  enabeld: true\n"));
	expect_one(true, "falcod.yaml:2:3: unknown key 'enabeld' in 'file_output' (did you mean 'enabled'?)");
}

Test(config, unknown_key_without_suggestion)
{
	cr_assert(!load("completely_different: 1\n"));
	expect_one(true, "falcod.yaml:1:1: unknown key 'completely_different'");
}

Test(config, bad_bool)
{
	cr_assert(!load("json_output: maybe\n"));
	expect_one(true, "falcod.yaml:1:14: json_output: expected true or false, got 'maybe'");
}

Test(config, bad_integer_and_range)
{
	cr_assert(!load("outputs_queue:\n  capacity: -1\n"));
	expect_one(true, "falcod.yaml:2:13: outputs_queue.capacity: expected a non-negative integer, got '-1'");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("webserver:\n  listen_port: 70000\n"));
	expect_one(true, "falcod.yaml:2:16: webserver.listen_port: 70000 is out of range (1 to 65535)");
}

Test(config, bad_priority_and_matching)
{
	cr_assert(!load("priority: severe\n"));
	expect_one(true, "falcod.yaml:1:11: priority: unknown priority 'severe' (emergency, alert, critical, error, "
			 "warning, notice, informational, debug)");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("rule_matching: some\n"));
	expect_one(true, "falcod.yaml:1:16: rule_matching: expected first or all, got 'some'");
	fc_cfg_diags_free(&diags);
	cr_assert(load("priority: INFO\n"));
	cr_assert_eq(cfg.priority, 6);
}

Test(config, bad_duration)
{
	cr_assert(!load("metrics:\n  interval: soon\n"));
	expect_one(true,
		   "falcod.yaml:2:13: metrics.interval: expected a duration such as 100ms, 15s, 30m or 1h, got 'soon'");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("metrics:\n  interval: 10ms\n"));
	expect_one(true, "falcod.yaml:2:13: metrics.interval: 10ms is too short (at least 100ms)");
	fc_cfg_diags_free(&diags);
	cr_assert(load("metrics:\n  interval: 100ms\n"));
	cr_assert_eq(cfg.metrics.interval_ms, 100);
}

Test(config, bad_engine)
{
	cr_assert(!load("engine:\n  kind: kmod\n"));
	expect_one(true, "falcod.yaml:2:9: engine.kind: 'kmod' is not supported by falcod (modern_ebpf or replay)");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("engine:\n  kind: fast\n"));
	expect_one(true, "falcod.yaml:2:9: engine.kind: expected modern_ebpf or replay, got 'fast'");
}

Test(config, bad_ring_size_and_preset)
{
	cr_assert(!load("probe:\n  ring_buffer_bytes: 5000\n"));
	expect_one(true, "falcod.yaml:2:22: probe.ring_buffer_bytes: 5000 must be a power of two between 4096 and 1G "
			 "(or 0 for the default)");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("probe:\n  ring_buffer_bytes: big\n"));
	expect_one(true, "falcod.yaml:2:22: probe.ring_buffer_bytes: expected a size in bytes (e.g. 8388608 or 8M), "
			 "got 'big'");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("engine:\n  modern_ebpf:\n    buf_size_preset: 11\n"));
	expect_one(true, "falcod.yaml:3:22: engine.modern_ebpf.buf_size_preset: expected a preset from 0 to 10, got '11'");
}

Test(config, wrong_shapes)
{
	cr_assert(!load("json_output: [true]\n"));
	expect_one(true, "falcod.yaml:1:14: json_output: expected a single value, got a list");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("file_output: true\n"));
	expect_one(true, "falcod.yaml:1:14: file_output: expected a mapping of settings, got true");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("rules_files: {a: b}\n"));
	expect_one(true, "falcod.yaml:1:14: rules_files: expected a list of files and directories");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("rules_files:\n  - [a]\n"));
	expect_one(true, "falcod.yaml:2:5: rules_files: expected a file or directory name, got a list");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("- a\n- b\n"));
	expect_one(true, "falcod.yaml:1:1: expected a mapping of settings at the top of the file");
}

Test(config, duplicate_key)
{
	cr_assert(!load("json_output: true\npriority: debug\njson_output: false\n"));
	expect_one(true, "falcod.yaml:3:1: duplicate key 'json_output' (first at line 1)");
}

Test(config, yaml_syntax_error)
{
	cr_assert(!load("json_output: true\n  bad: [\n"));
	cr_assert_eq(diags.n, 1);
	cr_assert(!strncmp(diags.msgs[0], "falcod.yaml:2:", 14), "%s", diags.msgs[0]);
	cr_assert(strstr(diags.msgs[0], "YAML syntax error"), "%s", diags.msgs[0]);
}

Test(config, rules_selection_errors)
{
	cr_assert(!load("rules:\n  - enable:\n      name: x\n"));
	expect_one(true, "falcod.yaml:3:7: rules: unknown key 'name' (expected 'rule' or 'tag')");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("rules:\n  - toggle:\n      rule: x\n"));
	expect_one(true, "falcod.yaml:2:5: rules: unknown key 'toggle' (expected 'enable' or 'disable')");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("rules:\n  - enable:\n      rule: x\n      tag: y\n"));
	expect_one(true, "falcod.yaml:3:7: rules: expected exactly one of 'rule:' or 'tag:'");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("rules:\n  - enable:\n      rule:\n"));
	expect_one(true, "falcod.yaml:3:12: rules: expected a rule name, got nothing");
	fc_cfg_diags_free(&diags);
	cr_assert(!load("rules: all\n"));
	expect_one(true, "falcod.yaml:1:8: rules: expected a list of 'enable:' / 'disable:' entries");
}

Test(config, several_errors_are_all_reported)
{
	cr_assert(!load("json_output: 2\npriority: x\nnope: 1\n"));
	cr_assert_eq(diags.n, 3);
	cr_assert_eq(diags.nerrors, 3);
	cr_assert(!strncmp(diags.msgs[0], "falcod.yaml:1:14:", 17));
	cr_assert(!strncmp(diags.msgs[1], "falcod.yaml:2:11:", 17));
	cr_assert(!strncmp(diags.msgs[2], "falcod.yaml:3:1:", 16));
}

Test(config, falco_keys_are_warnings)
{
	cr_assert(load("plugins:\n  - name: container\nload_plugins: [container]\ngrpc:\n  enabled: false\n"));
	cr_assert_eq(diags.n, 3);
	cr_assert_eq(diags.nerrors, 0);
	cr_assert_str_eq(diags.msgs[0], "falcod.yaml:2:3: plugins: not supported by falcod (falcod has no plugin "
					"loader (container fields are built in)); ignored");
	cr_assert(!strncmp(diags.msgs[2], "falcod.yaml:5:3: grpc: not supported by falcod (gRPC was removed", 64));
}

Test(config, override_scalars)
{
	cr_assert(fc_config_override(&cfg, "json_output=true", &diags));
	cr_assert(cfg.json_output);
	cr_assert(fc_config_override(&cfg, "file_output.filename=/tmp/a b.txt", &diags));
	cr_assert_str_eq(cfg.file_output.filename, "/tmp/a b.txt");
	cr_assert(fc_config_override(&cfg, "outputs_queue.capacity=42", &diags));
	cr_assert_eq(cfg.outputs_queue_capacity, 42);
	cr_assert(fc_config_override(&cfg, "rules_files=[x.yaml, y.yaml]", &diags));
	cr_assert_eq(cfg.nrules_files, 2);
	cr_assert_str_eq(cfg.rules_files[1], "y.yaml");
	cr_assert(fc_config_override(&cfg, "program_output={enabled: true, program: cat}", &diags));
	cr_assert(cfg.program_output.enabled);
	cr_assert_str_eq(cfg.program_output.program, "cat");
	cr_assert(fc_config_override(&cfg, "engine.modern_ebpf.buf_size_preset=4", &diags));
	cr_assert_eq(cfg.probe.ring_buffer_bytes, 8u << 20);
	cr_assert_eq(diags.n, 0);
}

Test(config, override_overrides_the_file)
{
	cr_assert(load("priority: error\nfile_output:\n  filename: /a\n"));
	cr_assert(fc_config_override(&cfg, "priority=notice", &diags));
	cr_assert(fc_config_override(&cfg, "file_output.filename=/b", &diags));
	cr_assert_eq(cfg.priority, 5);
	cr_assert_str_eq(cfg.file_output.filename, "/b");
}

Test(config, override_errors)
{
	cr_assert(!fc_config_override(&cfg, "json_output=maybe", &diags));
	expect_one(true, "-o json_output=maybe: json_output: expected true or false, got 'maybe'");
	fc_cfg_diags_free(&diags);
	cr_assert(!fc_config_override(&cfg, "json_ouput=true", &diags));
	expect_one(true, "-o json_ouput=true: unknown key 'json_ouput' (did you mean 'json_output'?)");
	fc_cfg_diags_free(&diags);
	cr_assert(!fc_config_override(&cfg, "file_output.filenme=x", &diags));
	expect_one(true, "-o file_output.filenme=x: unknown key 'filenme' in 'file_output' (did you mean 'filename'?)");
	fc_cfg_diags_free(&diags);
	cr_assert(!fc_config_override(&cfg, "json_output", &diags));
	expect_one(true, "-o json_output: expected KEY=VALUE");
	fc_cfg_diags_free(&diags);
	cr_assert(!fc_config_override(&cfg, "rules_files=[a", &diags));
	cr_assert_eq(diags.n, 1);
	cr_assert(!strncmp(diags.msgs[0], "-o rules_files=[a: invalid value: ", 34), "%s", diags.msgs[0]);
}

Test(config, validate_combinations)
{
	cr_assert(load("file_output:\n  enabled: true\nprogram_output:\n  enabled: true\n"));
	cr_assert(!fc_config_validate(&cfg, &diags));
	cr_assert_eq(diags.nerrors, 2);
	/* each one points at the "enabled: true" that turned the output on */
	cr_assert_str_eq(diags.msgs[0], "falcod.yaml:2:12: file_output is enabled but file_output.filename is not set");
	cr_assert_str_eq(diags.msgs[1], "falcod.yaml:4:12: program_output is enabled but program_output.program is not set");
	fc_cfg_diags_free(&diags);
	/* layered like Falco's config files: the earlier values stay unless overridden */
	cr_assert(load("file_output:\n  filename: /tmp/x\nprogram_output:\n  program: cat\n"
		       "http_output:\n  enabled: true\n"));
	cr_assert(!fc_config_validate(&cfg, &diags));
	cr_assert_eq(diags.nerrors, 1, "%zu: %s", diags.n, diags.msgs[0]);
	cr_assert_str_eq(diags.msgs[0], "falcod.yaml:6:12: http_output is enabled but http_output.url is not set");
	fc_cfg_diags_free(&diags);
	cr_assert(fc_config_override(&cfg, "http_output.url=ftp://example.com/", &diags));
	cr_assert(!fc_config_validate(&cfg, &diags));
	cr_assert_eq(diags.nerrors, 1);
	cr_assert(strstr(diags.msgs[0], "expected an http:// or https:// URL, got 'ftp://example.com/'"), "%s",
		  diags.msgs[0]);
	fc_cfg_diags_free(&diags);
	cr_assert(fc_config_override(&cfg, "http_output.url=http://127.0.0.1:9/", &diags));
	cr_assert(fc_config_validate(&cfg, &diags), "%s", diags.n ? diags.msgs[0] : "");
	cr_assert_eq(diags.nerrors, 0);
}

Test(config, missing_file)
{
	cr_assert(!fc_config_load_file(&cfg, "/nonexistent/falcod.yaml", NULL, &diags));
	expect_one(true, "/nonexistent/falcod.yaml: cannot open configuration file: No such file or directory");
}

Test(config, shipped_default_config_loads)
{
	cr_assert(fc_config_load_file(&cfg, FC_SOURCE_DIR "/rules/falcod.yaml", NULL, &diags), "%s",
		  diags.n ? diags.msgs[0] : "");
	cr_assert_eq(diags.nerrors, 0);
	cr_assert(fc_config_validate(&cfg, &diags));
	cr_assert(cfg.nrules_files >= 1);
}
