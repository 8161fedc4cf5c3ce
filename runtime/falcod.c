/* falcod.c — the agent: command line, configuration, rules (bundle or YAML through the
 * compiler hook, rulesrc.h), rule selection, and the two event loops: replay of a .scap capture
 * and live events from the eBPF probe. Per event: merge enter/exit (merge.h) → state
 * (state.h) → rules (vm.h) → alerts (alert.h) → output queue (outputs.h) → deferred state
 * removals. A summary goes to stderr at the end. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "bundle.h"
#include "capture.h"
#include "kprog.h"
#include "config.h"
#include "merge.h"
#include "outputs.h"
#include "priority.h"
#include "probe.h"
#include "record.h"
#include "rulesrc.h"
#include "state.h"
#include "vm.h"

extern const char fc_default_rules[];
extern const size_t fc_default_rules_len;
#define DEFAULT_RULES_NAME "falcod_rules.yaml"
#define DEFAULT_CONFIG "/etc/falcod/falcod.yaml"
#define FALCOD_VERSION "0.1.0"

static const char usage[] =
	"Usage: falcod [OPTIONS]\n"
	"\n"
	"Runs Falco rules over syscall events: live from the eBPF probe (default), or from a\n"
	".scap capture file with --replay.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE    Configuration file (default " DEFAULT_CONFIG " when it exists).\n"
	"  -o KEY=VALUE         Override a configuration key (dotted, e.g. -o file_output.enabled=true);\n"
	"                       repeatable. The value is read as YAML.\n"
	"  -r, --rules PATH     Rules: a compiled bundle (falcoc compile), or YAML files and\n"
	"                       directories (compiled now). Repeatable; replaces rules_files of the\n"
	"                       configuration. With no rules at all the built-in default ruleset is used.\n"
	"      --replay FILE    Replay a .scap capture (plain or gzip) instead of live events.\n"
	"      --json           Alerts as JSON lines (same as -o json_output=true).\n"
	"      --record FILE    Write the events seen to a .scap capture (FILE.gz: gzip), with the\n"
	"                       process and fd tables first; with --replay, capture-to-capture. Mode 0600.\n"
	"      --record-matched With --record: keep only the events that raised an alert (and the\n"
	"                       process/fd events their replay needs).\n"
	"  -t TAG               Run only the rules that have TAG (repeatable: any of the tags).\n"
	"  -T TAG               Do not run the rules that have TAG (repeatable).\n"
	"      --enable NAME    Enable the rules whose name matches NAME (exact, or a * ? wildcard).\n"
	"      --disable NAME   Disable the rules whose name matches NAME. --enable and --disable\n"
	"                       apply in order, after the configuration's `rules:` block, -t and -T.\n"
	"  -L, --list           List the rules (name, priority, enabled after selection, tags) and exit.\n"
	"      --dry-run        Load the configuration and rules, report, and exit.\n"
	"  -M SECONDS           Live mode: stop after SECONDS.\n"
	"      --no-kernel-filter  Live mode: do not load the bundle's kernel predicate programs (every\n"
	"                       event of a selected syscall reaches userspace; alerts are the same).\n"
	"  -h, --help           Show this help.\n"
	"      --version        Show the version.\n"
	"\n"
	"Signals: SIGINT/SIGTERM stop (with the summary); SIGUSR1 reopens the file output and\n"
	"respawns the program output; SIGHUP (live) reloads the configuration and rules between two\n"
	"events, keeping the running rules if the new ones have errors.\n"
	"Exit status: 0 success, 1 configuration, rules, capture or probe error, 2 usage error.\n";

/* ---- command line ---- */

struct sel {
	bool enable;
	const char *pattern;
};

struct cli {
	const char *config;
	const char **rules;
	size_t nrules;
	const char **overrides;
	size_t noverrides;
	const char *replay;
	bool json, list, dry_run;
	const char **tags_only, **tags_off;
	size_t ntags_only, ntags_off;
	struct sel *sel;
	size_t nsel;
	long max_seconds;
	const char *record;
	bool record_matched;
	bool no_kfilter;
};

static bool push_str(const char ***v, size_t *n, const char *s)
{
	const char **p = realloc(*v, (*n + 1) * sizeof *p);
	if (!p)
		return false;
	p[(*n)++] = s;
	*v = p;
	return true;
}

static void cli_free(struct cli *c)
{
	free(c->rules);
	free(c->overrides);
	free(c->tags_only);
	free(c->tags_off);
	free(c->sel);
}

/* ---- signals ---- */

static volatile sig_atomic_t g_stop, g_reopen, g_reload;

static void on_stop(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	g_reopen = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	g_reload = 1;
}

static void install_signals(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- rules ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

/* Expands PATH into files: a directory gives its *.yaml / *.yml regular files in name order. */
static bool expand_path(const char *path, char ***files, size_t *n)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "falcod: %s: %s\n", path, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		char **f = realloc(*files, (*n + 1) * sizeof *f);
		if (!f || !(f[*n] = strdup(path)))
			return false;
		*files = f;
		(*n)++;
		return true;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "falcod: %s: %s\n", path, strerror(errno));
		return false;
	}
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	bool ok = true;
	while (ok && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !(has_suffix(de->d_name, ".yaml") || has_suffix(de->d_name, ".yml")))
			continue;
		size_t len = strlen(path) + strlen(de->d_name) + 2;
		char *full = malloc(len);
		if (!full) {
			ok = false;
			break;
		}
		snprintf(full, len, "%s/%s", path, de->d_name);
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		char **p = realloc(names, (nn + 1) * sizeof *p);
		if (!p) {
			free(full);
			ok = false;
			break;
		}
		names = p;
		names[nn++] = full;
	}
	closedir(d);
	qsort(names, nn, sizeof *names, cmp_str);
	for (size_t i = 0; i < nn; i++) {
		char **f = ok ? realloc(*files, (*n + 1) * sizeof *f) : NULL;
		if (!f) {
			free(names[i]);
			ok = false;
			continue;
		}
		*files = f;
		f[(*n)++] = names[i];
	}
	free(names);
	return ok;
}

static bool is_bundle_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char magic[8];
	bool yes = fread(magic, 1, 8, f) == 8 && !memcmp(magic, FC_BUNDLE_MAGIC, 8);
	fclose(f);
	return yes;
}

struct rules {
	struct fc_bundle *b;
	void *image; /* the compiled bundle bytes (YAML rules), kept while B lives */
	char desc[256];
};

/* Loads the rules: one bundle file, YAML files/directories, or the built-in ruleset. */
static bool load_rules(const char *const *paths, size_t npaths, struct rules *r)
{
	char err[1024];
	char **files = NULL;
	size_t nfiles = 0;
	bool ok = true;
	for (size_t i = 0; ok && i < npaths; i++)
		ok = expand_path(paths[i], &files, &nfiles);
	size_t nbundles = 0;
	for (size_t i = 0; ok && i < nfiles; i++)
		nbundles += is_bundle_file(files[i]);
	if (ok && nbundles && nfiles > 1) {
		fprintf(stderr, "falcod: a rules bundle cannot be combined with other rules files\n");
		ok = false;
	}
	if (ok && nbundles) {
		int rc = fc_bundle_open(files[0], &r->b, err, sizeof err);
		if (rc != FC_BERR_OK) {
			fprintf(stderr, "falcod: %s: %s\n", files[0], err[0] ? err : fc_bundle_strerror(rc));
			ok = false;
		} else
			snprintf(r->desc, sizeof r->desc, "bundle %s", files[0]);
	} else if (ok) {
		size_t len = 0;
		if (nfiles)
			ok = fc_rules_to_bundle((const char *const *)files, nfiles, NULL, NULL, 0, &r->image, &len, stderr);
		else
			ok = fc_rules_to_bundle(NULL, 0, DEFAULT_RULES_NAME, fc_default_rules, fc_default_rules_len,
						&r->image, &len, stderr);
		if (!ok)
			fprintf(stderr, "falcod: the rules have errors\n");
		if (ok) {
			int rc = fc_bundle_load(r->image, len, &r->b, err, sizeof err);
			if (rc != FC_BERR_OK) {
				fprintf(stderr, "falcod: compiled rules rejected: %s\n", err[0] ? err : fc_bundle_strerror(rc));
				ok = false;
			}
		}
		if (nfiles == 1)
			snprintf(r->desc, sizeof r->desc, "%s", files[0]);
		else if (nfiles)
			snprintf(r->desc, sizeof r->desc, "%zu rules files", nfiles);
		else
			snprintf(r->desc, sizeof r->desc, "built-in %s", DEFAULT_RULES_NAME);
	}
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return ok;
}

static void rules_free(struct rules *r)
{
	fc_bundle_free(r->b);
	free(r->image);
	r->b = NULL;
	r->image = NULL;
}

static bool rule_has_tag(const struct fc_bundle_rule *r, const char *tag)
{
	for (uint32_t i = 0; i < r->ntags; i++)
		if (!strcmp(r->tags[i], tag))
			return true;
	return false;
}

static bool name_matches(const char *pattern, const char *name)
{
	if (strpbrk(pattern, "*?["))
		return fnmatch(pattern, name, 0) == 0;
	return !strcmp(pattern, name);
}

/* Rule selection, in this order: the bundle's enabled flags, the configuration's `rules:`
 * block, -t, -T, --enable/--disable, then the minimum priority (rules below it never run). */
static void select_rules(struct fc_vm *vm, const struct fc_bundle *b, const struct fc_config *cfg, const struct cli *cli)
{
	uint32_t n = fc_bundle_nrules(b);
	bool *on = calloc(n ? n : 1, sizeof *on);
	if (!on)
		return;
	for (uint32_t i = 0; i < n; i++)
		on[i] = fc_bundle_rule(b, i)->enabled;
	for (size_t s = 0; s < cfg->nrulesel; s++) {
		const struct fc_cfg_rulesel *rs = &cfg->rulesel[s];
		size_t hits = 0;
		for (uint32_t i = 0; i < n; i++) {
			const struct fc_bundle_rule *r = fc_bundle_rule(b, i);
			if (rs->by_tag ? rule_has_tag(r, rs->pattern) : name_matches(rs->pattern, r->name)) {
				on[i] = rs->enable;
				hits++;
			}
		}
		if (!hits)
			fprintf(stderr, "falcod: warning: rules: no rule %s '%s'\n", rs->by_tag ? "has the tag" : "matches",
				rs->pattern);
	}
	if (cli->ntags_only)
		for (uint32_t i = 0; i < n; i++) {
			bool any = false;
			for (size_t t = 0; t < cli->ntags_only && !any; t++)
				any = rule_has_tag(fc_bundle_rule(b, i), cli->tags_only[t]);
			on[i] = on[i] && any;
		}
	for (size_t t = 0; t < cli->ntags_off; t++)
		for (uint32_t i = 0; i < n; i++)
			if (rule_has_tag(fc_bundle_rule(b, i), cli->tags_off[t]))
				on[i] = false;
	for (size_t s = 0; s < cli->nsel; s++) {
		size_t hits = 0;
		for (uint32_t i = 0; i < n; i++)
			if (name_matches(cli->sel[s].pattern, fc_bundle_rule(b, i)->name)) {
				on[i] = cli->sel[s].enable;
				hits++;
			}
		if (!hits)
			fprintf(stderr, "falcod: warning: --%s: no rule matches '%s'\n", cli->sel[s].enable ? "enable" : "disable",
				cli->sel[s].pattern);
	}
	for (uint32_t i = 0; i < n; i++) {
		if (fc_bundle_rule(b, i)->priority > cfg->priority)
			on[i] = false;
		fc_vm_set_enabled(vm, i, on[i]);
	}
	free(on);
}

static void list_rules(const struct fc_bundle *b, const struct fc_vm *vm)
{
	uint32_t n = fc_bundle_nrules(b);
	int w = 4;
	for (uint32_t i = 0; i < n; i++) {
		int l = (int)strlen(fc_bundle_rule(b, i)->name);
		if (l > w)
			w = l;
	}
	printf("%-*s  %-13s  %-7s  %s\n", w, "RULE", "PRIORITY", "ENABLED", "TAGS");
	for (uint32_t i = 0; i < n; i++) {
		const struct fc_bundle_rule *r = fc_bundle_rule(b, i);
		const char *p = fc_prio_name(r->priority);
		printf("%-*s  %-13s  %-7s  ", w, r->name, p ? p : "?", fc_vm_enabled(vm, i) ? "yes" : "no");
		for (uint32_t t = 0; t < r->ntags; t++)
			printf("%s%s", t ? "," : "", r->tags[t]);
		putchar('\n');
	}
}

/* The rules of CLI/CFG loaded, with a VM whose selection is applied. */
static bool setup_rules(const struct cli *cli, const struct fc_config *cfg, struct rules *r, struct fc_vm **vm)
{
	const char *const *paths = cli->nrules ? cli->rules : (const char *const *)cfg->rules_files;
	size_t npaths = cli->nrules ? cli->nrules : cfg->nrules_files;
	*vm = NULL;
	if (!load_rules(paths, npaths, r))
		return false;
	if (!(*vm = fc_vm_new(r->b))) {
		fprintf(stderr, "falcod: out of memory\n");
		rules_free(r);
		return false;
	}
	select_rules(*vm, r->b, cfg, cli);
	return true;
}

static bool load_config(const struct cli *cli, struct fc_config *cfg);

/* The probe's syscall selection. The bundle's covers the rules enabled when it was compiled
 * (plus what the state engine needs); a rule enabled here on top of those (--enable, the
 * `rules:` block) widens it with the syscalls of its event codes: those whose event pair has
 * the code's event name (older versions included), every generic syscall for GENERIC. NULL
 * with *N = 0 means every syscall. Caller frees. */
static uint64_t *probe_selection(const struct fc_bundle *b, const struct fc_vm *vm, uint32_t *n)
{
	uint32_t nk = 0;
	const uint64_t *k = fc_bundle_ksel(b, &nk);
	*n = 0;
	if (!k || !nk)
		return NULL;
	uint32_t maxsc = 0;
	for (size_t i = 0; i < fc_nsyscalls; i++)
		if (fc_syscalls[i].ppm_sc > maxsc)
			maxsc = fc_syscalls[i].ppm_sc;
	uint32_t words = maxsc / 64 + 1 > nk ? maxsc / 64 + 1 : nk;
	uint64_t *w = calloc(words, sizeof *w);
	if (!w)
		return NULL;
	memcpy(w, k, nk * sizeof *w);
	for (uint32_t r = 0; r < fc_bundle_nrules(b); r++) {
		const struct fc_bundle_rule *rule = fc_bundle_rule(b, r);
		if (rule->enabled || !fc_vm_enabled(vm, r) || !rule->evts)
			continue;
		for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
			if (!fc_evtset_has(rule->evts, c))
				continue;
			for (size_t i = 0; i < fc_nsyscalls; i++) {
				const struct fc_syscall_info *sc = &fc_syscalls[i];
				bool generic = c <= 1 && sc->enter_code == 0;
				bool named = sc->enter_code && !strcmp(fc_events[sc->enter_code].name, fc_events[c].name);
				if (generic || named)
					w[sc->ppm_sc / 64] |= (uint64_t)1 << (sc->ppm_sc % 64);
			}
		}
	}
	*n = words;
	return w;
}

/* The kernel predicate programs to load: the bundle's, less those of the codes of rules enabled
 * here but not when the bundle was compiled (the programs only cover the latter) and then of
 * the open family too (such a rule may read the descriptors opens create); NULL for none
 * (--no-kernel-filter, or a bundle without them). Caller frees (fc_kprog_free). */
static struct fc_kprog_set *probe_kprog(const struct fc_bundle *b, const struct fc_vm *vm, const struct cli *cli)
{
	const struct fc_kprog_set *ks = fc_bundle_kprog(b);
	if (!ks || cli->no_kfilter)
		return NULL;
	fc_evtset drop = {0};
	for (uint32_t r = 0; r < fc_bundle_nrules(b); r++) {
		const struct fc_bundle_rule *rule = fc_bundle_rule(b, r);
		if (!rule->enabled && fc_vm_enabled(vm, r) && rule->evts) {
			fc_evtset_union(&drop, rule->evts);
			static const char *const opens[] = {"open", "openat", "openat2", "creat"};
			for (size_t i = 0; i < sizeof opens / sizeof opens[0]; i++)
				fc_evtset_add_name(&drop, opens[i]);
		}
	}
	return fc_kprog_without(ks, &drop);
}

/* ---- the event pipeline ---- */

struct engine {
	const struct cli *cli;
	struct rules *rules; /* owned by main; replaced on reload */
	struct fc_vm **vmp;  /* the same */
	const struct fc_bundle *b;
	struct fc_vm *vm;
	struct fc_state *st;
	struct fc_merge *mg;
	struct fc_outputs *out;
	struct fc_recorder *rec; /* --record, or NULL */
	struct fc_alerter al;
	enum fc_match_mode mode;
	uint32_t nrules;
	uint32_t *matches;
	uint64_t *per_rule;
	uint64_t read, ready, alerts, format_failures;
	uint64_t own_skipped; /* live: events of falcod's own threads */
	bool ran, have_cap;
	struct fc_cap_stats cap;        /* replay: the reader's counters */
	struct fc_outputs_stats ostats; /* filled when the outputs are closed */
	double t0, t1;
};

static const struct fc_val *vm_value(void *ctx, uint32_t slot)
{
	return fc_vm_value(((struct engine *)ctx)->vm, slot);
}

static const struct fc_fieldspec *slot_spec(void *ctx, uint32_t slot)
{
	return fc_bundle_slot_field(((struct engine *)ctx)->b, slot);
}

static void process_event(struct engine *e, const struct fc_evt *raw)
{
	struct fc_evt ev;
	e->read++;
	if (fc_merge_push(e->mg, raw, &ev) != 1) {
		if (e->rec)
			fc_record_event(e->rec, raw, NULL, false);
		return; /* an enter event kept for its exit, or one that cannot be converted (counted) */
	}
	e->ready++;
	fc_state_event(e->st, &ev);
	uint32_t n = fc_vm_run(e->vm, ev.type, fc_state_extractor(e->st), e->mode, e->matches, e->nrules);
	if (e->rec)
		fc_record_event(e->rec, raw, &ev, n > 0);
	if (n) {
		const struct fc_alert_values v = {vm_value, slot_spec, e};
		for (uint32_t i = 0; i < n; i++) {
			const struct fc_bundle_rule *r = fc_bundle_rule(e->b, e->matches[i]);
			size_t len;
			const char *line = fc_alert_format(&e->al, r, ev.ts, &v, &len);
			e->per_rule[e->matches[i]]++;
			e->alerts++;
			if (!line) {
				e->format_failures++;
				continue;
			}
			fc_outputs_push(e->out, line, len, r->priority);
		}
	}
	fc_state_event_done(e->st);
}

/* Falco's exit report ("Events detected", counts by severity and by rule), then ours. */
static void summary(struct engine *e, const char *what, FILE *f)
{
	fprintf(f, "Events detected: %llu\n", (unsigned long long)e->alerts);
	fprintf(f, "Rule counts by severity:\n");
	static const char *const upper[FC_NPRIO] = {"EMERGENCY", "ALERT",  "CRITICAL", "ERROR",
						    "WARNING",   "NOTICE", "INFO",     "DEBUG"};
	for (unsigned p = 0; p < FC_NPRIO; p++) {
		uint64_t c = 0;
		for (uint32_t i = 0; i < e->nrules; i++)
			if (fc_bundle_rule(e->b, i)->priority == p)
				c += e->per_rule[i];
		if (c)
			fprintf(f, "   %s: %llu\n", upper[p], (unsigned long long)c);
	}
	fprintf(f, "Triggered rules by rule name:\n");
	for (uint32_t i = 0; i < e->nrules; i++)
		if (e->per_rule[i])
			fprintf(f, "   %s: %llu\n", fc_bundle_rule(e->b, i)->name, (unsigned long long)e->per_rule[i]);

	struct fc_merge_stats ms;
	struct fc_vm_stats vs;
	struct fc_state_stats ss;
	const struct fc_outputs_stats *os = &e->ostats;
	fc_merge_stats(e->mg, &ms);
	fc_vm_stats(e->vm, &vs);
	fc_state_stats(e->st, &ss);
	double wall = e->t1 - e->t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(f, "Summary (%s):\n", what);
	if (e->have_cap)
		fprintf(f, "   capture: %llu events, %llu processes, %llu fds, %llu malformed events skipped, %llu of "
			   "unknown types skipped\n",
			(unsigned long long)e->cap.events, (unsigned long long)e->cap.procs, (unsigned long long)e->cap.fds,
			(unsigned long long)e->cap.events_malformed, (unsigned long long)e->cap.events_unknown);
	fprintf(f, "   events read: %llu\n", (unsigned long long)e->read);
	if (e->own_skipped)
		fprintf(f, "   events of falcod's own threads skipped: %llu\n", (unsigned long long)e->own_skipped);
	fprintf(f, "   events merged: %llu (enter events absorbed %llu, old layouts converted %llu, exits without enter "
		   "%llu, unconvertible %llu, pending enters dropped %llu)\n",
		(unsigned long long)ms.out, (unsigned long long)ms.enters_absorbed, (unsigned long long)ms.converted,
		(unsigned long long)ms.unpaired_exits, (unsigned long long)ms.failed,
		(unsigned long long)ms.dropped_pending);
	fprintf(f, "   events evaluated: %llu (rules run %llu, matches %llu, fields extracted %llu)\n",
		(unsigned long long)vs.events, (unsigned long long)vs.rules_run, (unsigned long long)vs.matches,
		(unsigned long long)vs.extractions);
	fprintf(f, "   alerts: %llu queued, %llu written, %llu dropped (outputs queue full), %llu channel errors\n",
		(unsigned long long)os->pushed, (unsigned long long)os->written, (unsigned long long)os->drops,
		(unsigned long long)os->errors);
	if (e->format_failures)
		fprintf(f, "   alerts not formatted (out of memory): %llu\n", (unsigned long long)e->format_failures);
	fprintf(f, "   state: %llu threads, %llu fds, %llu containers (evictions %llu threads, %llu fds)\n",
		(unsigned long long)ss.threads, (unsigned long long)ss.fds, (unsigned long long)ss.containers,
		(unsigned long long)ss.thread_evictions, (unsigned long long)ss.fd_evictions);
	fprintf(f, "   wall time: %.3f s, %.0f events/s, max RSS %ld KiB\n", wall,
		wall > 0 ? (double)e->read / wall : 0.0, ru.ru_maxrss);
}

static void alert_opts(const struct fc_config *cfg, struct fc_alert_opts *ao)
{
	*ao = (struct fc_alert_opts){
		.json = cfg->json_output,
		.iso8601 = cfg->time_format_iso_8601,
		.inc_output = cfg->json_include_output_property,
		.inc_tags = cfg->json_include_tags_property,
		.inc_message = cfg->json_include_message_property,
		.inc_output_fields = cfg->json_include_output_fields_property,
	};
}

static bool engine_init(struct engine *e, const struct cli *cli, struct rules *rules, struct fc_vm **vmp,
			const struct fc_config *cfg, struct fc_outputs *out)
{
	*e = (struct engine){.cli = cli, .rules = rules, .vmp = vmp, .b = rules->b, .vm = *vmp, .out = out};
	e->mode = cfg->rule_matching == FC_CFG_MATCH_ALL ? FC_MATCH_ALL : FC_MATCH_FIRST;
	e->nrules = fc_bundle_nrules(e->b);
	e->matches = calloc(e->nrules ? e->nrules : 1, sizeof *e->matches);
	e->per_rule = calloc(e->nrules ? e->nrules : 1, sizeof *e->per_rule);
	struct fc_state_opts so;
	fc_state_opts_default(&so);
	so.max_threads = cfg->falco_libs.thread_table_size;
	so.purge_idle_ns = (uint64_t)cfg->falco_libs.thread_timeout_s * 1000000000u;
	e->st = fc_state_new(&so);
	e->mg = fc_merge_new(0); /* the merger's own bound on pending enter events */
	struct fc_alert_opts ao;
	alert_opts(cfg, &ao);
	fc_alerter_init(&e->al, &ao);
	if (!e->matches || !e->per_rule || !e->st || !e->mg) {
		fprintf(stderr, "falcod: out of memory\n");
		return false;
	}
	return true;
}

static void engine_fini(struct engine *e)
{
	if (e->rec)
		fc_record_close(e->rec, NULL, NULL, 0);
	fc_alerter_fini(&e->al);
	fc_merge_free(e->mg);
	fc_state_free(e->st);
	free(e->matches);
	free(e->per_rule);
}

static int run_replay(struct engine *e, const char *path)
{
	char err[1024];
	struct fc_capture *cap;
	if (fc_capture_open(path, &cap, err, sizeof err) != 0) {
		fprintf(stderr, "falcod: %s\n", err);
		return 1;
	}
	struct fc_cap_item it;
	int rc;
	if (e->rec)
		fc_record_machine(e->rec, fc_capture_machine(cap));
	e->t0 = now_s();
	uint64_t n = 0;
	while (!g_stop && (rc = fc_capture_next(cap, &it)) == 1) {
		switch (it.kind) {
		case FC_CAP_PROC:
			fc_state_seed_proc(e->st, &it.proc);
			if (e->rec)
				fc_record_proc(e->rec, &it.proc);
			break;
		case FC_CAP_FD:
			fc_state_seed_fd(e->st, &it.fd);
			if (e->rec)
				fc_record_fd(e->rec, &it.fd);
			break;
		case FC_CAP_EVENT: process_event(e, &it.ev.evt); break;
		}
		if ((++n & 0xFFF) == 0) {
			if (g_reopen) {
				g_reopen = 0;
				fc_outputs_reopen(e->out);
			}
			fc_outputs_watchdog(e->out);
		}
	}
	e->t1 = now_s();
	e->ran = true;
	int status = 0;
	if (!g_stop && rc < 0) {
		fprintf(stderr, "falcod: %s: %s\n", path, fc_capture_error(cap));
		status = 1;
	}
	e->cap = *fc_capture_stats(cap);
	e->have_cap = true;
	fc_capture_close(cap);
	return status;
}

/* SIGHUP (live): the configuration and rules are read again; on success the new rules take
 * over between two events (the probe's syscall selection is replaced in place, so no event is
 * lost), on failure the running rules stay. Output channels and table sizes keep their
 * start-up settings. */
static void reload(struct engine *e, struct fc_probe *p)
{
	struct fc_config cfg;
	struct rules r = {0};
	struct fc_vm *vm = NULL;
	fprintf(stderr, "falcod: SIGHUP: reloading the configuration and rules\n");
	bool ok = load_config(e->cli, &cfg) && setup_rules(e->cli, &cfg, &r, &vm);
	uint32_t n = ok ? fc_bundle_nrules(r.b) : 0;
	uint32_t *matches = ok ? calloc(n ? n : 1, sizeof *matches) : NULL;
	uint64_t *per = ok ? calloc(n ? n : 1, sizeof *per) : NULL;
	if (!ok || !matches || !per) {
		fprintf(stderr, "falcod: reload failed; the running rules stay\n");
		free(matches);
		free(per);
		fc_vm_free(vm);
		rules_free(&r);
		fc_config_free(&cfg);
		return;
	}
	/* Counters follow rules by name. */
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < e->nrules; j++)
			if (!strcmp(fc_bundle_rule(r.b, i)->name, fc_bundle_rule(e->b, j)->name)) {
				per[i] = e->per_rule[j];
				break;
			}
	uint32_t nksel = 0;
	uint64_t *ksel = probe_selection(r.b, vm, &nksel);
	/* wider selection first, then the new programs (a code leaving is unfiltered at once) */
	if (fc_probe_set_selection(p, ksel, nksel) != 0)
		fprintf(stderr, "falcod: warning: the probe kept its previous syscall selection\n");
	free(ksel);
	struct fc_kprog_set *ks = probe_kprog(r.b, vm, e->cli);
	char kerr[256];
	if (fc_probe_set_kprog(p, ks, kerr, sizeof kerr) != 0) {
		fprintf(stderr, "falcod: warning: kernel predicates: %s; filtering turned off\n", kerr);
		fc_probe_set_kprog(p, NULL, kerr, sizeof kerr);
	}
	fc_kprog_free(ks);
	fc_vm_free(*e->vmp);
	rules_free(e->rules);
	*e->rules = r;
	*e->vmp = vm;
	e->vm = vm;
	e->b = r.b;
	free(e->matches);
	free(e->per_rule);
	e->matches = matches;
	e->per_rule = per;
	e->nrules = n;
	e->mode = cfg.rule_matching == FC_CFG_MATCH_ALL ? FC_MATCH_ALL : FC_MATCH_FIRST;
	struct fc_alert_opts ao;
	alert_opts(&cfg, &ao);
	fc_alerter_fini(&e->al);
	fc_alerter_init(&e->al, &ao);
	uint32_t on = 0;
	for (uint32_t i = 0; i < n; i++)
		on += fc_vm_enabled(vm, i);
	fprintf(stderr, "falcod: reloaded: %s, %u rules, %u enabled\n", r.desc, n, on);
	fc_config_free(&cfg);
}

struct live {
	struct engine *e;
	double deadline;
	uint64_t self_tid, worker_tid;
};

static int live_cb(void *ctx, const struct fc_evt *ev)
{
	struct live *l = ctx;
	/* Our own syscalls (reading the rings, queueing and writing alerts) would only feed back
	 * into the rules: skip the event loop's and the output thread's. */
	if (ev->tid == l->self_tid || ev->tid == l->worker_tid) {
		l->e->own_skipped++;
		return g_stop;
	}
	process_event(l->e, ev);
	return g_stop;
}

static int run_live(struct engine *e, const struct fc_bundle *b, const struct fc_config *cfg, long max_seconds,
		    struct fc_probe_stats *ps)
{
	char err[1024];
	uint32_t nksel = 0;
	uint64_t *ksel = probe_selection(b, e->vm, &nksel);
	struct fc_kprog_set *ks = probe_kprog(b, e->vm, e->cli);
	struct fc_probe_opts po = {
		.ring_bytes = cfg->probe.ring_buffer_bytes,
		.cpus_per_ring = cfg->probe.cpus_per_ring,
		.ksel = ksel,
		.nksel = nksel,
		.kprog = ks,
	};
	struct fc_probe *p;
	int prc = fc_probe_open(&po, &p, err, sizeof err);
	free(ksel);
	fc_kprog_free(ks);
	if (prc != 0) {
		fprintf(stderr, "falcod: cannot start the probe: %s\n", err);
		return 1;
	}
	/* Attached first, so events during the /proc scan wait in the rings. */
	if (fc_state_seed_proc_scan(e->st, err, sizeof err) != 0)
		fprintf(stderr, "falcod: warning: reading /proc: %s\n", err);
	if (e->rec && fc_record_live_start(e->rec, e->st) != 0)
		fprintf(stderr, "falcod: warning: --record: writing the process and fd tables failed\n");
	struct live l = {.e = e,
			 .deadline = max_seconds > 0 ? now_s() + (double)max_seconds : 0,
			 .self_tid = (uint64_t)gettid(),
			 .worker_tid = (uint64_t)fc_outputs_worker_tid(e->out)};
	e->t0 = now_s();
	int status = 0;
	while (!g_stop) {
		if (fc_probe_poll(p, 100, live_cb, &l) < 0 && !g_stop) {
			fprintf(stderr, "falcod: reading events from the probe failed\n");
			status = 1;
			break;
		}
		if (!l.worker_tid)
			l.worker_tid = (uint64_t)fc_outputs_worker_tid(e->out);
		if (g_reload) {
			g_reload = 0;
			reload(e, p);
		}
		if (g_reopen) {
			g_reopen = 0;
			fc_outputs_reopen(e->out);
		}
		fc_outputs_watchdog(e->out);
		if (l.deadline && now_s() >= l.deadline)
			break;
	}
	e->t1 = now_s();
	e->ran = true;
	fc_probe_stats(p, ps);
	fc_probe_close(p);
	return status;
}

/* ---- main ---- */

static bool parse_cli(int argc, char **argv, struct cli *c, int *exit_code)
{
	enum { O_REPLAY = 256, O_JSON, O_ENABLE, O_DISABLE, O_DRYRUN, O_VERSION, O_RECORD, O_RECORD_MATCHED,
	       O_NO_KFILTER };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'}, {"rules", required_argument, NULL, 'r'},
		{"replay", required_argument, NULL, O_REPLAY}, {"json", no_argument, NULL, O_JSON},
		{"enable", required_argument, NULL, O_ENABLE}, {"disable", required_argument, NULL, O_DISABLE},
		{"list", no_argument, NULL, 'L'}, {"dry-run", no_argument, NULL, O_DRYRUN},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, O_VERSION},
		{"record", required_argument, NULL, O_RECORD}, {"record-matched", no_argument, NULL, O_RECORD_MATCHED},
		{"no-kernel-filter", no_argument, NULL, O_NO_KFILTER},
		{NULL, 0, NULL, 0},
	};
	int ch;
	bool ok = true;
	while ((ch = getopt_long(argc, argv, "c:r:o:t:T:LM:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': c->config = optarg; break;
		case 'r': ok = ok && push_str(&c->rules, &c->nrules, optarg); break;
		case 'o': ok = ok && push_str(&c->overrides, &c->noverrides, optarg); break;
		case 't': ok = ok && push_str(&c->tags_only, &c->ntags_only, optarg); break;
		case 'T': ok = ok && push_str(&c->tags_off, &c->ntags_off, optarg); break;
		case 'L': c->list = true; break;
		case 'M': {
			char *end;
			c->max_seconds = strtol(optarg, &end, 10);
			if (*end || c->max_seconds <= 0) {
				fprintf(stderr, "falcod: -M expects a number of seconds, not '%s'\n", optarg);
				*exit_code = 2;
				return false;
			}
			break;
		}
		case O_REPLAY: c->replay = optarg; break;
		case O_RECORD: c->record = optarg; break;
		case O_RECORD_MATCHED: c->record_matched = true; break;
		case O_NO_KFILTER: c->no_kfilter = true; break;
		case O_JSON: c->json = true; break;
		case O_ENABLE:
		case O_DISABLE: {
			struct sel *s = realloc(c->sel, (c->nsel + 1) * sizeof *s);
			if (!s)
				return false;
			c->sel = s;
			s[c->nsel++] = (struct sel){.enable = ch == O_ENABLE, .pattern = optarg};
			break;
		}
		case O_DRYRUN: c->dry_run = true; break;
		case 'h': fputs(usage, stdout); *exit_code = 0; return false;
		case O_VERSION:
			printf("falcod " FALCOD_VERSION " (bundle format %d.%d)\n", FC_BUNDLE_MAJOR, FC_BUNDLE_MINOR);
			*exit_code = 0;
			return false;
		default: fputs("Try 'falcod --help'.\n", stderr); *exit_code = 2; return false;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "falcod: unexpected argument '%s'\nTry 'falcod --help'.\n", argv[optind]);
		*exit_code = 2;
		return false;
	}
	if (c->record_matched && !c->record) {
		fprintf(stderr, "falcod: --record-matched needs --record FILE\n");
		*exit_code = 2;
		return false;
	}
	if (c->ntags_only && c->ntags_off) {
		fprintf(stderr, "falcod: -t and -T cannot be used together\n");
		*exit_code = 2;
		return false;
	}
	if (!ok) {
		fprintf(stderr, "falcod: out of memory\n");
		*exit_code = 1;
	}
	return ok;
}

static bool load_config(const struct cli *cli, struct fc_config *cfg)
{
	struct fc_cfg_diags d = {0};
	fc_config_defaults(cfg);
	const char *path = cli->config;
	if (!path && access(DEFAULT_CONFIG, F_OK) == 0)
		path = DEFAULT_CONFIG;
	if (path)
		fc_config_load_file(cfg, path, NULL, &d);
	for (size_t i = 0; i < cli->noverrides; i++)
		fc_config_override(cfg, cli->overrides[i], &d);
	if (cli->json)
		fc_config_override(cfg, "json_output=true", &d);
	if (!d.nerrors)
		fc_config_validate(cfg, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "falcod: %s: %s\n", d.is_error[i] ? "error" : "warning", d.msgs[i]);
	bool ok = d.nerrors == 0;
	fc_cfg_diags_free(&d);
	return ok;
}

int main(int argc, char **argv)
{
	struct cli cli = {0};
	int code = 1;
	if (!parse_cli(argc, argv, &cli, &code)) {
		cli_free(&cli);
		return code;
	}
	struct fc_config cfg;
	struct rules rules = {0};
	struct fc_vm *vm = NULL;
	struct fc_outputs *out = NULL;
	struct engine e;
	bool engine_up = false;
	code = 1;
	if (!load_config(&cli, &cfg))
		goto done;
	const char *replay = cli.replay;
	if (!replay && cfg.engine.kind == FC_CFG_ENGINE_REPLAY) {
		if (!cfg.engine.capture_file || !*cfg.engine.capture_file) {
			fprintf(stderr, "falcod: engine.kind is replay but engine.replay.capture_file is not set\n");
			goto done;
		}
		replay = cfg.engine.capture_file;
	}

	if (!setup_rules(&cli, &cfg, &rules, &vm))
		goto done;
	uint32_t nrules = fc_bundle_nrules(rules.b), nenabled = 0;
	for (uint32_t i = 0; i < nrules; i++)
		nenabled += fc_vm_enabled(vm, i);
	if (cli.list) {
		list_rules(rules.b, vm);
		code = 0;
		goto done;
	}
	if (cli.dry_run) {
		fprintf(stderr, "falcod: configuration and rules OK: %s, %u rules, %u enabled\n", rules.desc, nrules,
			nenabled);
		code = 0;
		goto done;
	}

	char err[1024];
	struct fc_outputs_opts oo = {
		.capacity = cfg.outputs_queue_capacity,
		.timeout_ms = cfg.output_timeout_ms,
		.buffered = cfg.buffered_outputs,
		.stdout_enabled = cfg.stdout_output.enabled,
		.syslog_enabled = cfg.syslog_output.enabled,
		.file_enabled = cfg.file_output.enabled,
		.file_keep_alive = cfg.file_output.keep_alive,
		.filename = cfg.file_output.filename,
		.program_enabled = cfg.program_output.enabled,
		.program_keep_alive = cfg.program_output.keep_alive,
		.program = cfg.program_output.program,
	};
	if (fc_outputs_new(&oo, &out, err, sizeof err) != 0 || fc_outputs_start(out) != 0) {
		fprintf(stderr, "falcod: %s\n", out ? "cannot start the output thread" : err);
		goto done;
	}
	if (!engine_init(&e, &cli, &rules, &vm, &cfg, out))
		goto done;
	engine_up = true;
	if (cli.record && fc_record_open(cli.record, cli.record_matched, &e.rec, err, sizeof err) != 0) {
		fprintf(stderr, "falcod: --record: %s\n", err);
		goto done;
	}
	install_signals();
	fprintf(stderr, "falcod: %s: %u rules, %u enabled; %s\n", rules.desc, nrules, nenabled,
		replay ? "replaying a capture" : "live events from the probe");
	struct fc_probe_stats ps = {0};
	if (replay)
		code = run_replay(&e, replay);
	else
		code = run_live(&e, rules.b, &cfg, cli.max_seconds, &ps);
	fc_outputs_close(out, &e.ostats); /* every alert is delivered before the summary */
	out = e.out = NULL;
	if (e.rec) {
		if (fc_record_close(e.rec, stderr, err, sizeof err) != 0) {
			fprintf(stderr, "falcod: --record: %s\n", err);
			code = 1;
		}
		e.rec = NULL;
	}
	if (e.ran) {
		char what[600];
		snprintf(what, sizeof what, replay ? "replay of %s" : "live%s", replay ? replay : "");
		summary(&e, what, stderr);
		if (!replay)
			fprintf(stderr,
				"   probe: %llu syscalls seen, %llu sent, %llu filtered in the kernel, %llu dropped (ring "
				"full), %llu dropped (too large), %u CPUs, %u rings\n",
				(unsigned long long)ps.seen, (unsigned long long)ps.sent, (unsigned long long)ps.filtered,
				(unsigned long long)ps.drops_buffer, (unsigned long long)ps.drops_max_size, ps.ncpus,
				ps.nrings);
	}
done:
	if (engine_up)
		engine_fini(&e);
	fc_outputs_close(out, NULL);
	fc_vm_free(vm);
	rules_free(&rules);
	fc_config_free(&cfg);
	cli_free(&cli);
	return code;
}
