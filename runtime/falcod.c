/* falcod.c — the agent: command line, configuration, rules (bundle or YAML through the
 * compiler hook, rulesrc.h), rule selection, and the two event loops: replay of a .scap capture
 * and live events from the eBPF probe. Per event: merge enter/exit (merge.h) → state
 * (state.h) → rules (vm.h) → alerts (alert.h) → output queue (outputs.h) → deferred state
 * removals. A summary goes to stderr at the end. */
#include <dirent.h>
#include <stdatomic.h>
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
#include "metrics.h"
#include "reload.h"
#include "webserver.h"
#include "capture.h"
#include "kprog.h"
#include "config.h"
#include "merge.h"
#include "outputs.h"
#include "priority.h"
#include "probe.h"
#include "record.h"
#include "rulesrc.h"
#include "sign.h"
#include "state.h"
#include "vm.h"

extern const char fc_default_rules[];
extern const size_t fc_default_rules_len;
/* The same ruleset compiled by falcoc at build time (CMakeLists.txt): loading it skips the
 * YAML compile at every start (most of the start-up). */
extern const char fc_default_bundle[];
extern const size_t fc_default_bundle_len;
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
	"      --require-signed PUBKEY\n"
	"                       Use only a rules bundle signed with the key whose public key file is\n"
	"                       PUBKEY (falcoc keygen, falcoc compile --sign); an unsigned, modified\n"
	"                       or otherwise-signed bundle, or YAML rules, are refused, at start and\n"
	"                       on reload (same as -o require_signed=PUBKEY).\n"
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
	const char *require_signed;
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
static struct fc_reload *_Atomic g_reloader; /* SIGHUP wakes the reload thread when it runs */

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
	struct fc_reload *r = atomic_load(&g_reloader);
	if (r)
		fc_reload_request(r); /* an eventfd write: async-signal-safe */
	else
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

/* Expands PATH into files: a directory gives its *.yaml / *.yml regular files in name order.
 * ORIGIN (or NULL) says where the path was configured, for the error message. */
static bool expand_path(const char *path, const char *origin, char ***files, size_t *n)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (origin)
			fprintf(stderr, "falcod: error: %s: rules_files: %s: %s\n", origin, path, strerror(errno));
		else
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
/* With PUBKEY (require_signed), only one bundle signed with that key is accepted. */
static bool load_rules(const char *const *paths, size_t npaths, const char *origin, const char *pubkey,
		       struct rules *r)
{
	char err[1024];
	char **files = NULL;
	size_t nfiles = 0;
	bool ok = true;
	uint8_t pk[FC_SIG_PK_LEN];
	if (pubkey && *pubkey && fc_sign_read_pubkey(pubkey, pk, err, sizeof err) != FC_SIG_OK) {
		fprintf(stderr, "falcod: require_signed: %s\n", err);
		return false;
	}
	for (size_t i = 0; ok && i < npaths; i++)
		ok = expand_path(paths[i], origin, &files, &nfiles);
	size_t nbundles = 0;
	for (size_t i = 0; ok && i < nfiles; i++)
		nbundles += is_bundle_file(files[i]);
	if (ok && nbundles && nfiles > 1) {
		fprintf(stderr, "falcod: a rules bundle cannot be combined with other rules files\n");
		ok = false;
	}
	if (ok && pubkey && *pubkey && !nbundles) {
		fprintf(stderr, "falcod: require_signed: the rules must be one signed bundle, not %s\n",
			nfiles ? "YAML rules files" : "the built-in ruleset");
		ok = false;
	}
	if (ok && nbundles) {
		int rc = pubkey && *pubkey ? fc_bundle_open_signed(files[0], pk, &r->b, err, sizeof err)
					   : fc_bundle_open(files[0], &r->b, err, sizeof err);
		if (rc != FC_BERR_OK) {
			fprintf(stderr, "falcod: %s: %s\n", files[0], err[0] ? err : fc_bundle_strerror(rc));
			ok = false;
		} else
			snprintf(r->desc, sizeof r->desc, "%sbundle %s", pubkey && *pubkey ? "signed " : "", files[0]);
	} else if (ok && !nfiles &&
		   fc_bundle_load(fc_default_bundle, fc_default_bundle_len, &r->b, err, sizeof err) == FC_BERR_OK) {
		/* r->image stays NULL: the bundle's strings live in the static image */
		snprintf(r->desc, sizeof r->desc, "built-in %s", DEFAULT_RULES_NAME);
	} else if (ok) {
		/* YAML files, or the built-in YAML when the built-in bundle was refused (it is built
		 * from the same text by the same compiler, so this is only a fallback) */
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
	const char *origin = cli->nrules ? NULL : fc_config_where(cfg, "rules_files");
	if (!origin && !cli->nrules)
		origin = fc_config_where(cfg, "rules_file");
	if (!load_rules(paths, npaths, origin, cfg->require_signed, r))
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

/* falcod's own threads (event loop, output threads, reload thread, web server): their
 * syscalls would only feed back into the rules, so their events are skipped. The list is
 * read from /proc/self/task once a second. */
#define MAX_OWN_TIDS 64
struct own_tids {
	uint64_t tid[MAX_OWN_TIDS];
	size_t n;
	double next;
};

static void own_tids_refresh(struct own_tids *o)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < MAX_OWN_TIDS)
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			o->tid[n++] = strtoull(de->d_name, NULL, 10);
	closedir(d);
	o->n = n;
	o->next = now_s() + 1.0;
}

static inline bool own_tid(const struct own_tids *o, uint64_t tid)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->tid[i] == tid)
			return true;
	return false;
}

struct engine {
	const struct cli *cli;
	struct rules *rules; /* owned by main; replaced on reload */
	struct fc_vm **vmp;  /* the same */
	const struct fc_bundle *b;
	struct fc_vm *vm;
	struct fc_state *st;
	struct fc_merge *mg;
	const struct fc_bundle *lite_for; /* replay: the ruleset the merger's lite codes were set for */
	bool lite_on;                     /* replay without --record: lite codes in use */
	struct fc_capture *reader;        /* replay: told the lite codes too */
	struct fc_outputs *out;
	struct fc_recorder *rec; /* --record, or NULL */
	struct fc_alerter al;  /* the configured form (text or JSON) */
	struct fc_alerter jal; /* JSON for the network channels when the configured form is text */
	bool need_json;
	enum fc_match_mode mode;
	uint32_t nrules;
	uint32_t *matches;
	uint64_t *per_rule;
	uint64_t *base_ns, *base_evals; /* rule profile carried over from earlier rulesets (by name) */
	bool profile;
	uint64_t read, ready, alerts, format_failures;
	uint64_t by_type[FC_EVENT_MAX];
	uint64_t by_prio[FC_NPRIO];
	uint64_t own_skipped; /* live: events of falcod's own threads */
	uint64_t last_event_mono_ns;
	uint64_t reloads_ok, reloads_failed, reload_realtime_ns, last_swap_ns;
	bool ran, have_cap;
	struct fc_cap_stats cap;        /* replay: the reader's counters */
	struct fc_outputs_stats ostats; /* filled when the outputs are closed */
	double t0, t1;
	/* metrics (NULL when off) */
	struct fc_metrics *metrics;
	double next_publish;
	struct fc_probe *probe; /* live */
	struct fc_reload *reloader;
	struct own_tids own;
	/* memory_limit (0: none): RSS sampled every 65536 events */
	uint64_t mem_limit, mem_peak, mem_samples, mem_over;
	bool mem_warned;
};

/* What one thread-table entry may cost under memory_limit (the entry, its share of fds, names
 * and arguments); half the cap goes to the thread table, an eighth to queued alerts. */
#define MEM_PER_THREAD (16u << 10)
#define MEM_PER_ALERT (2u << 10)

static uint64_t rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	unsigned long long size = 0, res = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void mem_check(struct engine *e)
{
	uint64_t rss = rss_bytes();
	e->mem_samples++;
	if (rss > e->mem_peak)
		e->mem_peak = rss;
	if (rss > e->mem_limit) {
		e->mem_over++;
		if (!e->mem_warned)
			fprintf(stderr, "falcod: warning: RSS %llu MiB is over memory_limit %llu MiB\n",
				(unsigned long long)(rss >> 20), (unsigned long long)(e->mem_limit >> 20));
		e->mem_warned = true;
	} else
		e->mem_warned = false;
}

static const struct fc_val *vm_value(void *ctx, uint32_t slot)
{
	return fc_vm_value(((struct engine *)ctx)->vm, slot);
}

static const struct fc_fieldspec *slot_spec(void *ctx, uint32_t slot)
{
	return fc_bundle_slot_field(((struct engine *)ctx)->b, slot);
}

static void raise_alert(struct engine *e, const struct fc_bundle_rule *r, const struct fc_evt *ev)
{
	const struct fc_alert_values v = {vm_value, slot_spec, e};
	size_t len, jlen = 0;
	const char *line = fc_alert_format(&e->al, r, ev->ts, &v, &len);
	const char *json = e->need_json && line ? fc_alert_format(&e->jal, r, ev->ts, &v, &jlen) : NULL;
	e->alerts++;
	if (r->priority < FC_NPRIO)
		e->by_prio[r->priority]++;
	if (!line || (e->need_json && !json)) {
		e->format_failures++;
		return;
	}
	fc_outputs_push_alert(e->out, line, len, json, jlen, r->priority, r->name);
}

/* The merger's lite codes (merge.h fc_merge_set_lite) for the running ruleset: event codes no
 * rule (enabled or not, so a later enable needs nothing) is indexed under and no state parser
 * reads. Those events still pass through the merger, the state (time, thread) and the VM (no
 * rule to run), only their parameters are never copied. A rule without an event set (any
 * event) leaves nothing lite. The memory parsers (switch events: a quarter of a capture) only
 * run when a field of the ruleset reads what they refresh. */
static void set_lite(struct engine *e)
{
	static bool lite[FC_EVENT_MAX];
	bool any = true, memory = false;
	for (uint32_t s = 0; s < fc_bundle_nslots(e->b); s++) {
		const struct fc_fieldspec *f = fc_bundle_slot_field(e->b, s);
		memory |= f && fc_state_field_reads_memory(f->id);
	}
	fc_state_track_memory(e->st, memory);
	for (unsigned c = 0; c < FC_EVENT_MAX; c++)
		lite[c] = !fc_state_reads_params(e->st, (uint16_t)c);
	for (uint32_t r = 0; r < fc_bundle_nrules(e->b) && any; r++) {
		const struct fc_bundle_rule *rule = fc_bundle_rule(e->b, r);
		if (!rule->evts) {
			any = false;
			break;
		}
		for (unsigned c = 0; c < FC_EVENT_MAX; c++)
			if (fc_evtset_has(rule->evts, c))
				lite[c] = lite[c ^ 1u] = false;
	}
	fc_merge_set_lite(e->mg, any ? lite : NULL);
	if (e->reader) { /* the reader leaves the parameters of input codes the merger takes lite */
		for (unsigned c = 0; c < FC_EVENT_MAX; c++)
			lite[c] = fc_merge_is_lite(e->mg, (uint16_t)c);
		fc_capture_set_lite(e->reader, lite);
	}
	e->lite_for = e->b;
}

static void process_event(struct engine *e, const struct fc_evt *raw)
{
	struct fc_evt ev;
	e->read++;
	if (e->mem_limit && !(e->read & 0xffff))
		mem_check(e);
	if (fc_merge_push(e->mg, raw, &ev) != 1) {
		if (e->rec)
			fc_record_event(e->rec, raw, NULL, false);
		return; /* an enter event kept for its exit, or one that cannot be converted (counted) */
	}
	e->ready++;
	e->by_type[ev.type]++;
	fc_state_event(e->st, &ev);
	uint32_t n = fc_vm_run(e->vm, ev.type, fc_state_extractor(e->st), e->mode, e->matches, e->nrules);
	if (e->rec)
		fc_record_event(e->rec, raw, &ev, n > 0);
	for (uint32_t i = 0; i < n; i++) {
		e->per_rule[e->matches[i]]++;
		raise_alert(e, fc_bundle_rule(e->b, e->matches[i]), &ev);
	}
	fc_state_event_done(e->st);
}
/* This process's peak RSS in KiB: VmHWM of its own memory map. getrusage's ru_maxrss also
 * carries the high-water mark of the image exec replaced (Linux keeps it across exec), so
 * falcod started from a large parent would report the parent's size. */
static long peak_rss_kib(const struct rusage *ru)
{
	uint64_t kib = fc_metrics_proc_field("/proc/self/status", "VmHWM:");
	return kib ? (long)kib : ru->ru_maxrss;
}

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
	for (size_t i = 0; i < os->nsinks; i++) {
		const struct fc_sink_stats *k = &os->sinks[i];
		fprintf(f,
			"   %s output: %llu sent, %llu dropped (queue full), %llu failed (gave up), %llu retries, "
			"%.3f ms per delivery\n",
			k->name, (unsigned long long)k->sent, (unsigned long long)k->drops, (unsigned long long)k->failed,
			(unsigned long long)k->retries, k->sent ? (double)k->send_ns / 1e6 / (double)k->sent : 0.0);
	}
	/* with a reload thread, rejections are counted there (they never reach the engine);
	 * stop_reloader folds them into reloads_failed */
	unsigned long long rl_ok = 0, rl_failed = e->reloads_failed;
	if (e->reloader) {
		fc_reload_counts(e->reloader, &rl_ok, &rl_failed);
		rl_failed += e->reloads_failed;
	}
	if (e->reloads_ok || rl_failed)
		fprintf(f, "   reloads: %llu swapped in, %llu rejected (last swap %.3f ms)\n",
			(unsigned long long)e->reloads_ok, rl_failed, (double)e->last_swap_ns / 1e6);
	if (e->format_failures)
		fprintf(f, "   alerts not formatted (out of memory): %llu\n", (unsigned long long)e->format_failures);
	fprintf(f, "   state: %llu threads, %llu fds, %llu containers (evictions %llu threads, %llu fds)\n",
		(unsigned long long)ss.threads, (unsigned long long)ss.fds, (unsigned long long)ss.containers,
		(unsigned long long)ss.thread_evictions, (unsigned long long)ss.fd_evictions);
	if (e->mem_limit) {
		mem_check(e);
		fprintf(f, "   memory: limit %llu MiB, peak RSS %llu MiB sampled (%llu samples, %llu over the limit)\n",
			(unsigned long long)(e->mem_limit >> 20), (unsigned long long)(e->mem_peak >> 20),
			(unsigned long long)e->mem_samples, (unsigned long long)e->mem_over);
	}
	fprintf(f, "   wall time: %.3f s, %.0f events/s, max RSS %ld KiB\n", wall,
		wall > 0 ? (double)e->read / wall : 0.0, peak_rss_kib(&ru));
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

/* The alerters: the configured form, and JSON for the network channels when that is text. */
static void alerters_init(struct engine *e, const struct fc_config *cfg)
{
	struct fc_alert_opts ao;
	alert_opts(cfg, &ao);
	fc_alerter_init(&e->al, &ao);
	ao.json = true;
	fc_alerter_init(&e->jal, &ao);
	e->need_json = fc_outputs_wants_json(e->out) && !cfg->json_output;
}

static bool engine_init(struct engine *e, const struct cli *cli, struct rules *rules, struct fc_vm **vmp,
			const struct fc_config *cfg, struct fc_outputs *out)
{
	*e = (struct engine){.cli = cli, .rules = rules, .vmp = vmp, .b = rules->b, .vm = *vmp, .out = out};
	e->mode = cfg->rule_matching == FC_CFG_MATCH_ALL ? FC_MATCH_ALL : FC_MATCH_FIRST;
	e->nrules = fc_bundle_nrules(e->b);
	size_t n = e->nrules ? e->nrules : 1;
	e->matches = calloc(n, sizeof *e->matches);
	e->per_rule = calloc(n, sizeof *e->per_rule);
	e->base_ns = calloc(n, sizeof *e->base_ns);
	e->base_evals = calloc(n, sizeof *e->base_evals);
	struct fc_state_opts so;
	fc_state_opts_default(&so);
	so.max_threads = cfg->falco_libs.thread_table_size;
	e->mem_limit = cfg->memory_limit;
	if (e->mem_limit && so.max_threads > e->mem_limit / 2 / MEM_PER_THREAD)
		so.max_threads = (uint32_t)(e->mem_limit / 2 / MEM_PER_THREAD);
	so.purge_idle_ns = (uint64_t)cfg->falco_libs.thread_timeout_s * 1000000000u;
	e->st = fc_state_new(&so);
	e->mg = fc_merge_new(0); /* the merger's own bound on pending enter events */
	if (e->mg) /* every event comes from the capture reader or the probe: decoder views */
		fc_merge_set_decoded(e->mg, true);
	alerters_init(e, cfg);
	/* The per-rule cost profile costs two clock reads per rule run: only when someone reads it. */
	e->profile = cfg->metrics.enabled && cfg->metrics.rules_profile_enabled;
	if (!e->matches || !e->per_rule || !e->base_ns || !e->base_evals || !e->st || !e->mg ||
	    (e->profile && !fc_vm_set_profile(e->vm, true))) {
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
	fc_alerter_fini(&e->jal);
	fc_merge_free(e->mg);
	fc_state_free(e->st);
	free(e->matches);
	free(e->per_rule);
	free(e->base_ns);
	free(e->base_evals);
}

/* ---- metrics: the event thread publishes its counters for the web server ---- */

static void publish_metrics(struct engine *e, bool force)
{
	if (!e->metrics)
		return;
	double now = now_s();
	if (!force && now < e->next_publish)
		return;
	e->next_publish = now + 0.25;
	static struct fc_metrics_snap s; /* a few KiB: not on the stack; event thread only */
	memset(&s, 0, sizeof s);
	s.last_event_mono_ns = e->last_event_mono_ns;
	s.probe_attached = e->probe != NULL;
	if (e->probe) {
		s.have_probe = true;
		fc_probe_stats(e->probe, &s.probe);
	}
	s.events_read = e->read;
	s.own_skipped = e->own_skipped;
	s.alerts = e->alerts;
	memcpy(s.by_type, e->by_type, sizeof s.by_type);
	memcpy(s.by_prio, e->by_prio, sizeof s.by_prio);
	fc_merge_stats(e->mg, &s.merge);
	fc_state_stats(e->st, &s.state);
	fc_vm_stats(e->vm, &s.vm);
	if (e->out)
		fc_outputs_stats(e->out, &s.out);
	s.reloads_ok = e->reloads_ok;
	s.reloads_failed = e->reloads_failed;
	if (e->reloader) {
		unsigned long long ok, failed;
		fc_reload_counts(e->reloader, &ok, &failed);
		s.reloads_failed = failed;
	}
	s.reload_realtime_ns = e->reload_realtime_ns;
	s.last_swap_ns = e->last_swap_ns;
	uint64_t *ns = NULL, *ev = NULL;
	if (e->profile) {
		ns = malloc(e->nrules * sizeof *ns + 1);
		ev = malloc(e->nrules * sizeof *ev + 1);
		for (uint32_t i = 0; ns && ev && i < e->nrules; i++) {
			fc_vm_rule_profile(e->vm, i, &ns[i], &ev[i]);
			ns[i] += e->base_ns[i];
			ev[i] += e->base_evals[i];
		}
	}
	fc_metrics_publish(e->metrics, &s, e->per_rule, ns && ev ? ns : NULL, ns && ev ? ev : NULL, e->nrules);
	free(ns);
	free(ev);
}

/* ---- reload: prepared off the event thread (reload.h), swapped in between two events ---- */

/* What the reload thread hands over: everything the new ruleset needs, built and verified. */
struct prepared {
	struct fc_config cfg;
	struct rules r;
	struct fc_vm *vm;
	uint64_t *ksel;
	uint32_t nksel;
	struct fc_kprog_set *kprog; /* kernel predicates to install (NULL: none) */
	uint32_t *by_name; /* the new rule ids sorted by name (counters follow rules by name) */
	uint32_t *matches;
	uint64_t *per_rule, *base_ns, *base_evals;
	struct fc_metrics_rules *mrules;
	double prep_s;
};

struct reload_ctx {
	const struct cli *cli;
	bool profile, metrics;
	char **paths; /* watched: the configuration file and the rules files/directories */
	size_t npaths;
};

static void paths_free(struct reload_ctx *rc)
{
	for (size_t i = 0; i < rc->npaths; i++)
		free(rc->paths[i]);
	free(rc->paths);
	rc->paths = NULL;
	rc->npaths = 0;
}

static const char *config_path(const struct cli *cli)
{
	if (cli->config)
		return cli->config;
	return access(DEFAULT_CONFIG, F_OK) == 0 ? DEFAULT_CONFIG : NULL;
}

/* The files a reload reads: the configuration and the rules paths it names (or -r). */
static void paths_set(struct reload_ctx *rc, const struct fc_config *cfg)
{
	paths_free(rc);
	const char *const *rp = rc->cli->nrules ? rc->cli->rules : (const char *const *)cfg->rules_files;
	size_t nr = rc->cli->nrules ? rc->cli->nrules : cfg->nrules_files;
	rc->paths = calloc(nr + 1, sizeof *rc->paths);
	if (!rc->paths)
		return;
	const char *cp = config_path(rc->cli);
	if (cp && (rc->paths[rc->npaths] = strdup(cp)))
		rc->npaths++;
	for (size_t i = 0; i < nr; i++)
		if ((rc->paths[rc->npaths] = strdup(rp[i])))
			rc->npaths++;
}

static const char *const *reload_paths(void *ctx, size_t *n)
{
	struct reload_ctx *rc = ctx;
	*n = rc->npaths;
	return (const char *const *)rc->paths;
}

static const struct fc_bundle *g_sort_bundle; /* the reload thread's qsort comparator's bundle */

static int cmp_rule_name(const void *a, const void *b)
{
	return strcmp(fc_bundle_rule(g_sort_bundle, *(const uint32_t *)a)->name,
		      fc_bundle_rule(g_sort_bundle, *(const uint32_t *)b)->name);
}

static void prepared_free(struct prepared *p)
{
	if (!p)
		return;
	fc_metrics_rules_free(p->mrules);
	free(p->by_name);
	free(p->matches);
	free(p->per_rule);
	free(p->base_ns);
	free(p->base_evals);
	free(p->ksel);
	fc_kprog_free(p->kprog);
	fc_vm_free(p->vm);
	rules_free(&p->r);
	fc_config_free(&p->cfg);
	free(p);
}

static void reload_discard(void *ctx, void *prep)
{
	(void)ctx;
	prepared_free(prep);
}

/* The reload thread: configuration, rules (compiled and verified by the bundle reader), the
 * new VM with its selection, the probe's syscall selection. Nothing here touches the running
 * engine. */
static void *reload_prepare(void *ctx)
{
	struct reload_ctx *rc = ctx;
	double t0 = now_s();
	fprintf(stderr, "falcod: reloading the configuration and rules\n");
	struct prepared *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	bool ok = load_config(rc->cli, &p->cfg); /* sets the defaults itself */
	if (ok)
		paths_set(rc, &p->cfg); /* the rules list may have changed: watch the new one */
	ok = ok && setup_rules(rc->cli, &p->cfg, &p->r, &p->vm);
	uint32_t n = ok ? fc_bundle_nrules(p->r.b) : 0;
	size_t cnt = n ? n : 1;
	if (ok) {
		p->by_name = malloc(cnt * sizeof *p->by_name);
		p->matches = calloc(cnt, sizeof *p->matches);
		p->per_rule = calloc(cnt, sizeof *p->per_rule);
		p->base_ns = calloc(cnt, sizeof *p->base_ns);
		p->base_evals = calloc(cnt, sizeof *p->base_evals);
		ok = p->by_name && p->matches && p->per_rule && p->base_ns && p->base_evals &&
		     (!rc->profile || fc_vm_set_profile(p->vm, true));
		if (ok && rc->metrics)
			ok = (p->mrules = fc_metrics_rules_new(p->r.b, p->vm)) != NULL;
	}
	if (ok) {
		for (uint32_t i = 0; i < n; i++)
			p->by_name[i] = i;
		g_sort_bundle = p->r.b;
		qsort(p->by_name, n, sizeof *p->by_name, cmp_rule_name);
		p->ksel = probe_selection(p->r.b, p->vm, &p->nksel);
		p->kprog = probe_kprog(p->r.b, p->vm, rc->cli);
	}
	if (!ok) {
		fprintf(stderr, "falcod: reload rejected; the running rules stay\n");
		prepared_free(p);
		return NULL;
	}
	p->prep_s = now_s() - t0;
	return p;
}

/* The new rule with NAME in P, or -1. */
static long find_by_name(const struct prepared *p, const char *name)
{
	uint32_t lo = 0, hi = fc_bundle_nrules(p->r.b);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(fc_bundle_rule(p->r.b, p->by_name[mid])->name, name);
		if (!c)
			return p->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The kernel side of a swap, replaced in the probe's maps while it stays attached: the
 * syscall selection (widened first), then the kernel predicate programs (a code leaving is
 * unfiltered before anything else changes); both are in place before the first event the new
 * rules evaluate. A program the probe refuses turns in-kernel filtering off (never wrong,
 * only more events). */
static void kernel_swap(struct fc_probe *probe, const struct prepared *p)
{
	if (!probe)
		return;
	if (fc_probe_set_selection(probe, p->ksel, p->nksel) != 0)
		fprintf(stderr, "falcod: warning: the probe kept its previous syscall selection\n");
	char err[256];
	if (fc_probe_set_kprog(probe, p->kprog, err, sizeof err) != 0) {
		fprintf(stderr, "falcod: warning: kernel predicates: %s; filtering turned off\n", err);
		fc_probe_set_kprog(probe, NULL, err, sizeof err);
	}
}

/* On the event thread, between two events: the prepared ruleset replaces the running one.
 * State, the merger, the outputs and the probe stay as they are. */
static void reload_swap(struct engine *e, struct prepared *p)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kernel_swap(e->probe, p);
	/* Counters follow rules by name. */
	for (uint32_t j = 0; j < e->nrules; j++) {
		long i = find_by_name(p, fc_bundle_rule(e->b, j)->name);
		if (i < 0)
			continue;
		uint64_t ns = 0, evals = 0;
		fc_vm_rule_profile(e->vm, j, &ns, &evals);
		p->per_rule[i] = e->per_rule[j];
		p->base_ns[i] = e->base_ns[j] + ns;
		p->base_evals[i] = e->base_evals[j] + evals;
	}
	struct fc_vm *old_vm = *e->vmp;
	struct rules old_rules = *e->rules;
	uint32_t *old_m = e->matches;
	uint64_t *old_p = e->per_rule, *old_ns = e->base_ns, *old_ev = e->base_evals;
	*e->rules = p->r;
	*e->vmp = p->vm;
	e->vm = p->vm;
	e->b = p->r.b;
	e->matches = p->matches;
	e->per_rule = p->per_rule;
	e->base_ns = p->base_ns;
	e->base_evals = p->base_evals;
	e->nrules = fc_bundle_nrules(p->r.b);
	e->mode = p->cfg.rule_matching == FC_CFG_MATCH_ALL ? FC_MATCH_ALL : FC_MATCH_FIRST;
	fc_alerter_fini(&e->al);
	fc_alerter_fini(&e->jal);
	alerters_init(e, &p->cfg);
	if (e->metrics && p->mrules) {
		fc_metrics_install_rules(e->metrics, p->mrules);
		p->mrules = NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	e->last_swap_ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	e->reload_realtime_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
	e->reloads_ok++;
	uint32_t on = 0;
	for (uint32_t i = 0; i < e->nrules; i++)
		on += fc_vm_enabled(e->vm, i);
	fprintf(stderr, "falcod: reloaded: %s, %u rules, %u enabled (prepared in %.1f ms, swapped in %.1f us)\n",
		p->r.desc, e->nrules, on, p->prep_s * 1e3, (double)e->last_swap_ns / 1e3);
	/* What the old ruleset held, freed after the swap. */
	fc_vm_free(old_vm);
	rules_free(&old_rules);
	free(old_m);
	free(old_p);
	free(old_ns);
	free(old_ev);
	p->r = (struct rules){0};
	p->vm = NULL;
	p->matches = NULL;
	p->per_rule = p->base_ns = p->base_evals = NULL;
	prepared_free(p);
	publish_metrics(e, true);
}

/* Called between two events by both loops. */
static void between_events(struct engine *e)
{
	if (e->reloader) {
		struct prepared *p = fc_reload_take(e->reloader);
		if (p)
			reload_swap(e, p);
	}
	if (g_reopen) {
		g_reopen = 0;
		fc_outputs_reopen(e->out);
	}
	fc_outputs_watchdog(e->out);
	publish_metrics(e, false);
	/* a new ruleset: new lite codes, before the reader decodes the next event */
	if (e->lite_on && e->lite_for != e->b)
		set_lite(e);
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
	fc_state_no_proc_lookups(e->st); /* the capture's threads are not this host's */
	e->lite_on = !e->rec;
	e->reader = cap;
	if (e->lite_on) {
		set_lite(e);
		fc_merge_set_views(e->mg, true); /* nothing here needs the merged events' bytes */
	}
	e->t0 = now_s();
	uint64_t n = 0;
	rc = 0;
	if (!g_stop) {
		while ((rc = fc_capture_next(cap, &it)) == 1) {
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
				struct timespec ts;
				clock_gettime(CLOCK_MONOTONIC, &ts);
				e->last_event_mono_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
				between_events(e);
				/* the stop flag too every 4096 items, not per item */
				if (g_stop)
					break;
			}
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
	e->reader = NULL;
	fc_capture_close(cap);
	publish_metrics(e, true);
	return status;
}

struct live {
	struct engine *e;
	double deadline;
};

static int live_cb(void *ctx, const struct fc_evt *ev)
{
	struct live *l = ctx;
	if (own_tid(&l->e->own, ev->tid)) {
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
		.drop_self = true,
	};
	struct fc_probe *p;
	int prc = fc_probe_open(&po, &p, err, sizeof err);
	free(ksel);
	fc_kprog_free(ks);
	if (prc != 0) {
		fprintf(stderr, "falcod: cannot start the probe: %s\n", err);
		return 1;
	}
	e->probe = p;
	/* Attached first, so events during the /proc scan wait in the rings. */
	if (fc_state_seed_proc_scan(e->st, err, sizeof err) != 0)
		fprintf(stderr, "falcod: warning: reading /proc: %s\n", err);
	if (e->rec && fc_record_live_start(e->rec, e->st) != 0)
		fprintf(stderr, "falcod: warning: --record: writing the process and fd tables failed\n");
	struct live l = {.e = e, .deadline = max_seconds > 0 ? now_s() + (double)max_seconds : 0};
	own_tids_refresh(&e->own);
	fprintf(stderr, "falcod: probe attached; watching events\n");
	e->t0 = now_s();
	int status = 0;
	while (!g_stop) {
		int got = fc_probe_poll(p, 100, live_cb, &l);
		if (got < 0 && !g_stop) {
			fprintf(stderr, "falcod: reading events from the probe failed\n");
			status = 1;
			break;
		}
		double now = now_s();
		if (got > 0) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			e->last_event_mono_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		}
		if (now >= e->own.next)
			own_tids_refresh(&e->own);
		if (g_reload && !e->reloader) { /* no reload thread: reload here */
			g_reload = 0;
			struct reload_ctx rc = {.cli = e->cli, .profile = e->profile, .metrics = e->metrics != NULL};
			struct prepared *pr = reload_prepare(&rc);
			paths_free(&rc);
			if (pr)
				reload_swap(e, pr);
			else
				e->reloads_failed++;
		}
		between_events(e);
		if (l.deadline && now >= l.deadline)
			break;
	}
	e->t1 = now_s();
	e->ran = true;
	fc_probe_stats(p, ps);
	publish_metrics(e, true);
	e->probe = NULL;
	fc_probe_close(p);
	return status;
}
/* ---- outputs, web server, reload thread: set up from the configuration ---- */

static void outputs_opts(const struct fc_config *cfg, struct fc_outputs_opts *oo, struct fc_http_opts *ho,
			 struct fc_nats_opts *no)
{
	*oo = (struct fc_outputs_opts){
		.capacity = cfg->memory_limit && (!cfg->outputs_queue_capacity ||
						  cfg->outputs_queue_capacity > cfg->memory_limit / 8 / MEM_PER_ALERT)
				    ? cfg->memory_limit / 8 / MEM_PER_ALERT
				    : cfg->outputs_queue_capacity,
		.timeout_ms = cfg->output_timeout_ms,
		.buffered = cfg->buffered_outputs,
		.stdout_enabled = cfg->stdout_output.enabled,
		.syslog_enabled = cfg->syslog_output.enabled,
		.file_enabled = cfg->file_output.enabled,
		.file_keep_alive = cfg->file_output.keep_alive,
		.filename = cfg->file_output.filename,
		.program_enabled = cfg->program_output.enabled,
		.program_keep_alive = cfg->program_output.keep_alive,
		.program = cfg->program_output.program,
	};
	const __typeof__(cfg->http_output) *h = &cfg->http_output;
	if (h->enabled) {
		*ho = (struct fc_http_opts){
			.url = h->url,
			.user_agent = h->user_agent,
			.insecure = h->insecure,
			.ca_cert = h->ca_cert,
			.ca_bundle = h->ca_bundle,
			.ca_path = h->ca_path,
			.mtls = h->mtls,
			.client_cert = h->client_cert,
			.client_key = h->client_key,
			.echo = h->echo,
			.compress = h->compress_uploads,
			.keep_alive = h->keep_alive,
			.timeout_ms = h->timeout_ms,
			.connect_timeout_ms = h->connect_timeout_ms,
		};
		oo->http = ho;
		oo->http_queue = (struct fc_sink_opts){
			.capacity = h->queue_capacity,
			.retries = h->retries,
			.backoff_ms = h->retry_backoff_ms,
			.backoff_max_ms = h->retry_backoff_max_ms,
			.max_consecutive_failures = h->max_consecutive_timeouts,
		};
	}
	const __typeof__(cfg->nats_output) *n = &cfg->nats_output;
	if (n->enabled) {
		*no = (struct fc_nats_opts){
			.url = n->url,
			.subject = n->subject,
			.user = n->user,
			.password = n->password,
			.token = n->token,
			.name = n->name,
			.connect_timeout_ms = n->connect_timeout_ms,
		};
		oo->nats = no;
		oo->nats_queue = (struct fc_sink_opts){
			.capacity = n->queue_capacity,
			.retries = n->retries,
			.backoff_ms = n->reconnect_wait_ms,
			.backoff_max_ms = n->reconnect_wait_max_ms,
			.max_consecutive_failures = n->max_consecutive_failures,
		};
	}
}

/* The metrics store and the web server, when the configuration asks for them. */
static bool start_web(const struct fc_config *cfg, bool live, struct engine *e, struct fc_websrv **web)
{
	char err[1024];
	bool want_metrics = cfg->metrics.enabled;
	if (!want_metrics && !cfg->webserver.enabled)
		return true;
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	struct fc_metrics_opts mo = {
		.version = FALCOD_VERSION,
		.engine = live ? "modern_ebpf" : "replay",
		.live = live,
		.rules_counters = cfg->metrics.rules_counters_enabled,
		.resource_utilization = cfg->metrics.resource_utilization_enabled,
		.state_counters = cfg->metrics.state_counters_enabled,
		.kernel_event_counters = cfg->metrics.kernel_event_counters_enabled,
		.rules_profile = e->profile,
		.include_empty_values = cfg->metrics.include_empty_values,
		.health_max_event_age_ms = cfg->webserver.health_max_event_age_ms,
		.health_max_drop_perc = cfg->webserver.health_max_drop_perc,
		.start_realtime_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec,
	};
	if (!(e->metrics = fc_metrics_new(&mo)) || !fc_metrics_set_rules(e->metrics, e->b, e->vm)) {
		fprintf(stderr, "falcod: out of memory\n");
		return false;
	}
	publish_metrics(e, true);
	if (!cfg->webserver.enabled)
		return true;
	struct fc_websrv_opts wo = {
		.address = cfg->webserver.listen_address,
		.port = (uint16_t)cfg->webserver.listen_port,
		.threads = cfg->webserver.threadiness,
		.healthz = cfg->webserver.k8s_healthz_endpoint,
		.prometheus = cfg->webserver.prometheus_metrics_enabled && want_metrics,
		.tls = cfg->webserver.ssl_enabled,
		.cert = cfg->webserver.ssl_certificate,
		.key = cfg->webserver.ssl_key,
		.client_ca = cfg->webserver.ssl_client_ca,
	};
	if (fc_websrv_start(&wo, e->metrics, web, err, sizeof err) != 0) {
		fprintf(stderr, "falcod: %s\n", err);
		return false;
	}
	fprintf(stderr, "falcod: web server on %s%s:%u (%s%s, /versions)\n", cfg->webserver.ssl_enabled ? "https://" : "http://",
		cfg->webserver.listen_address, fc_websrv_port(*web), cfg->webserver.k8s_healthz_endpoint,
		wo.prometheus ? ", /metrics" : "");
	return true;
}

/* The reload thread: SIGHUP always, file changes when watch_config_files and live. A replay
 * is a batch job: watching the configuration's directory costs the kernel a walk of every
 * entry in it (tens of ms for /etc or /tmp), more than replaying a small capture. */
static bool start_reloader(const struct fc_config *cfg, bool live, struct engine *e, struct reload_ctx *rc)
{
	char err[512];
	*rc = (struct reload_ctx){.cli = e->cli, .profile = e->profile, .metrics = e->metrics != NULL};
	paths_set(rc, cfg);
	struct fc_reload_ops ops = {
		.prepare = reload_prepare, .discard = reload_discard, .paths = reload_paths, .ctx = rc};
	if (fc_reload_start(&ops, cfg->watch_config_files && live, stderr, &e->reloader, err, sizeof err) != 0) {
		fprintf(stderr, "falcod: warning: %s; SIGHUP reloads on the event thread\n", err);
		paths_free(rc);
		e->reloader = NULL;
		return false;
	}
	atomic_store(&g_reloader, e->reloader);
	return true;
}

static void stop_reloader(struct engine *e, struct reload_ctx *rc)
{
	if (!e->reloader)
		return;
	atomic_store(&g_reloader, NULL);
	unsigned long long ok, failed;
	fc_reload_counts(e->reloader, &ok, &failed); /* kept for the summary */
	e->reloads_failed += failed;
	fc_reload_stop(e->reloader);
	e->reloader = NULL;
	paths_free(rc);
}
/* ---- main ---- */

static bool parse_cli(int argc, char **argv, struct cli *c, int *exit_code)
{
	enum { O_REPLAY = 256, O_JSON, O_ENABLE, O_DISABLE, O_DRYRUN, O_VERSION, O_RECORD, O_RECORD_MATCHED,
	       O_NO_KFILTER, O_REQUIRE_SIGNED };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'}, {"rules", required_argument, NULL, 'r'},
		{"replay", required_argument, NULL, O_REPLAY}, {"json", no_argument, NULL, O_JSON},
		{"enable", required_argument, NULL, O_ENABLE}, {"disable", required_argument, NULL, O_DISABLE},
		{"list", no_argument, NULL, 'L'}, {"dry-run", no_argument, NULL, O_DRYRUN},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, O_VERSION},
		{"record", required_argument, NULL, O_RECORD}, {"record-matched", no_argument, NULL, O_RECORD_MATCHED},
		{"no-kernel-filter", no_argument, NULL, O_NO_KFILTER},
		{"require-signed", required_argument, NULL, O_REQUIRE_SIGNED},
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
		case O_REQUIRE_SIGNED: c->require_signed = optarg; break;
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
	if (cli->require_signed) { /* set directly: a path is not YAML */
		free(cfg->require_signed);
		cfg->require_signed = strdup(cli->require_signed);
	}
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
	struct fc_websrv *web = NULL;
	struct reload_ctx rctx = {0};
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
	struct fc_outputs_opts oo;
	struct fc_http_opts ho;
	struct fc_nats_opts no;
	outputs_opts(&cfg, &oo, &ho, &no);
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
	if (!start_web(&cfg, !replay, &e, &web))
		goto done;
	start_reloader(&cfg, !replay, &e, &rctx);
	install_signals();
	fprintf(stderr, "falcod: %s: %u rules, %u enabled; %s\n", rules.desc, nrules, nenabled,
		replay ? "replaying a capture" : "live events from the probe");
	struct fc_probe_stats ps = {0};
	if (replay)
		code = run_replay(&e, replay);
	else
		code = run_live(&e, rules.b, &cfg, cli.max_seconds, &ps);
	stop_reloader(&e, &rctx);
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
				"full), %llu dropped (too large), %u CPUs, %u rings; %llu of falcod's own dropped in the "
				"kernel\n",
				(unsigned long long)ps.seen, (unsigned long long)ps.sent, (unsigned long long)ps.filtered,
				(unsigned long long)ps.drops_buffer, (unsigned long long)ps.drops_max_size, ps.ncpus,
				ps.nrings, (unsigned long long)ps.own);
	}
done:
	if (engine_up)
		stop_reloader(&e, &rctx);
	fc_websrv_stop(web);
	if (engine_up) {
		fc_metrics_free(e.metrics);
		engine_fini(&e);
	}
	fc_outputs_close(out, NULL);
	fc_vm_free(vm);
	rules_free(&rules);
	fc_config_free(&cfg);
	cli_free(&cli);
	return code;
}
