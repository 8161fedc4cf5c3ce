/* vm_leaf.c — ns per leaf of the rule VM, measured the way benchmarks/sinsp/sinsp_bench.cpp
 * measures libsinsp (`leaves` mode), so that the two figures can stand side by side:
 *
 *   the same conditions (Falco syntax, compiled by falcoc's own pipeline, one rule each), over
 *   the same capture (the dense 5,000-event capture of benchmarks/run), each event read by our
 *   reader, merged (enter+exit) and applied to the state engine, then every probe evaluated
 *   R times in a row on it (R = 16), the timed region minus an empty timed region on the same
 *   event, regions over 1 ms (a preemption) dropped; median of the passes.
 *
 * Three figures per condition:
 *   ns_per_eval   each of the R evaluations is fc_vm_begin + fc_vm_eval_rule: a new event for
 *                 the VM (its value cache and SUB memo invalidated), then the rule's program: the
 *                 field extracted again from the state engine (which has resolved the event's
 *                 thread and fd, as libsinsp's parser has before run(); proc.cmdline is the
 *                 thread's joined copy, kept until an exec changes it) and the test — what
 *                 libsinsp's filter run() repeats, since that libsinsp has no per-event value
 *                 cache; no more (no rule index: Falco's ruleset does that outside the filter);
 *   run_ns        the same through fc_vm_run (the per-event-type rule index and match report
 *                 added: falcod's call), for information;
 *   cached_ns     the rule re-evaluated R times on the event's cached values (the VM's cost once
 *                 a macro or another rule has extracted the field), for information.
 * One more line, {"kind":"floor"}, times R calls of a function that does nothing but return a
 * byte it reads (kept out of line) by the same method: what any evaluation costs the harness
 * before it does anything, the floor under every ns_per_eval.
 * Then a few single conditions hand-written in C ({"kind":"ideal"}), reading the state engine's
 * own records (state_int.h: the event's thread and fd, already resolved) with nothing between:
 * no VM, no extractor call, no value cache; fd.name contains is glibc's memmem. Timed the same
 * way, they show what the VM's machinery (begin, the rule's entry, the extractor call, the value
 * cache) adds where the test itself is cheap (=, startswith); where the search dominates
 * (contains) they show its cost. Each must match on the same events as its VM probe (checked
 * when both run).
 * ns_per_leaf = ns_per_eval / leaves (the chains count every `or`-ed comparison as a leaf, as
 * sinsp_bench does). The chains are measured twice: as falcoc compiles them (the optimiser
 * turns an or-chain of `=` into one hashed-set test) and with the set pass off (FC_OPT_SETS), a
 * real chain of 8 or 64 string comparisons in the bytecode: the interpreter's cost per leaf.
 * Values differ from event to event (they are the capture's); results feed a volatile sink and
 * the matched counts are printed, so nothing can be folded away.
 *
 * Output: one JSON line per condition:
 *   {"suite":"vm","kind":"leaf","name","filter","passes","events","evals","repeat","leaves",
 *    "matched","outliers_dropped","ns_per_eval":{min,median,max},"cached_ns":{...},"ns_per_leaf",
 *    "run_ns":{...},"insns"}
 * and first the floor: {"suite":"vm","kind":"floor","name":"empty call","passes","events","evals",
 *    "repeat","ns_per_call":{min,median,max}}, then the hand-written tests: {"suite":"vm",
 *    "kind":"ideal","name","probe","passes","events","evals","repeat","matched","ns_per_eval":{...}}
 * Usage: vm_leaf CAPTURE [--passes N] [--repeat R] [--only NAME]
 * (built with -DFC_BENCH=ON, cmake/bench.cmake) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../tests/unit/capfeed.h"
#include "backend.h"
#include "bundle.h"
#include "state_int.h"
#include "vm.h"

#define OUTLIER_NS 1000000u
#define MAXPASS 32

static volatile uint64_t sink;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *m, const char *a)
{
	fprintf(stderr, "vm_leaf: %s%s%s\n", m, a ? ": " : "", a ? a : "");
	exit(1);
}

struct probe {
	const char *name;
	char *filter;
	unsigned leaves;
	uint32_t passes; /* backend passes */
	struct fc_bundle *b;
	struct fc_vm *vm;
	uint32_t insns;
	double ns[MAXPASS], cns[MAXPASS], rns[MAXPASS];
	uint64_t matched, outliers, used;
	uint64_t acc, cacc, racc, empty;
};

/* One rule with condition COND, compiled by falcoc's pipeline with back-end PASSES. */
static struct fc_bundle *compile(const char *cond, uint32_t passes, uint32_t *insns)
{
	size_t cap = strlen(cond) + 256;
	char *text = malloc(cap);
	if (!text)
		die("out of memory", NULL);
	snprintf(text, cap,
		 "- rule: probe\n  desc: vm_leaf probe\n  condition: >\n    %s\n  output: \"probe %%proc.name\"\n"
		 "  priority: WARNING\n",
		 cond);
	struct fc_arena arena = {0};
	struct fc_diags diags;
	struct fc_ruleset rs;
	struct fc_compiled comp;
	fc_diags_init(&diags, &arena);
	fc_ruleset_init(&rs, &arena, &diags);
	diags.file = "probe.yaml";
	fc_ruleset_load_text(&rs, diags.file, text, strlen(text));
	fc_compile(&rs, &comp);
	struct fc_buf out = {0};
	struct fc_backend_stats st = {0};
	struct fc_backend_opts o = {.passes = passes, .stats = &st};
	if (diags.nerrors || !fc_backend_bundle(&comp, &o, &out)) {
		for (struct fc_diag *d = diags.head; d; d = d->next)
			fc_diag_print(stderr, d, false);
		die("does not compile", cond);
	}
	*insns = st.insns;
	struct fc_bundle *b;
	char err[256];
	if (fc_bundle_load(out.p, out.len, &b, err, sizeof err))
		die(err, cond);
	fc_buf_free(&out);
	fc_ruleset_free(&rs);
	fc_arena_free(&arena);
	free(text);
	return b;
}

static char *names(const char *stem, int n, const char *real)
{
	char *s = malloc((size_t)n * 32 + 64);
	size_t k = 0;
	k += (size_t)sprintf(s + k, "(");
	for (int i = 0; i < n - 1; i++)
		k += (size_t)sprintf(s + k, "%s%d, ", stem, i);
	sprintf(s + k, "%s)", real); /* the last item is a name the capture has: some events match */
	return s;
}

static char *prefixed(const char *pre, char *rest)
{
	char *s = malloc(strlen(pre) + strlen(rest) + 1);
	strcpy(s, pre);
	strcat(s, rest);
	free(rest);
	return s;
}

static char *or_chain(int n)
{
	char *s = malloc((size_t)n * 24 + 1);
	size_t k = 0;
	for (int i = 0; i < n; i++)
		k += (size_t)sprintf(s + k, "%sproc.name = t%d", i ? " or " : "", i);
	return s;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void stats3(const double *v, int n, double out[3])
{
	double t[MAXPASS];
	memcpy(t, v, sizeof(double) * (size_t)n);
	qsort(t, (size_t)n, sizeof(double), cmpd);
	out[0] = t[0];
	out[1] = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	out[2] = t[n - 1];
}

/* ---- the hand-written tests: proc.name and fd.name as x_proc_name and x_fd_name (extract.c)
 * read them, the plain cases only (less work than the real fields, never more) ---- */

#define IDEAL_BEGIN __asm__ volatile("" ::: "memory") /* not pure: each call is made */

/* the floor: a call that does nothing but return a byte it reads */
static __attribute__((noinline)) bool null_eval(const struct fc_state *st)
{
	IDEAL_BEGIN;
	return st->fd_event;
}

static __attribute__((noinline)) bool ideal_proc_name_eq(const struct fc_state *st)
{
	IDEAL_BEGIN;
	const struct fc_thread *t = st->t;
	if (!st->ev || !t || !t->comm)
		return false;
	return t->comm->len == 2 && !memcmp(t->comm->s, "ls", 2);
}

static inline const struct fc_rstr *plain_fd_name(const struct fc_state *st)
{
	if (!st->ev || !st->fd_event || !st->t || !st->fdi || st->ev->type == FC_PPME_SOCKET_CONNECT_X)
		return NULL;
	return st->fdi->name;
}

static __attribute__((noinline)) bool ideal_fd_startswith(const struct fc_state *st)
{
	IDEAL_BEGIN;
	const struct fc_rstr *n = plain_fd_name(st);
	return n && n->len >= 4 && !memcmp(n->s, "/etc", 4);
}

static __attribute__((noinline)) bool ideal_fd_contains(const struct fc_state *st)
{
	IDEAL_BEGIN;
	const struct fc_rstr *n = plain_fd_name(st);
	return n && memmem(n->s, n->len, "libc", 4);
}

/* the floor first (no probe), then the tests */
static struct ideal {
	const char *name, *probe; /* its VM probe's name */
	bool (*fn)(const struct fc_state *);
	uint64_t acc, empty, used, matched;
	double ns[MAXPASS];
} ideals[] = {
	{"empty call", NULL, null_eval, 0, 0, 0, 0, {0}},
	{"proc.name = x, hand-written", "proc.name = x", ideal_proc_name_eq, 0, 0, 0, 0, {0}},
	{"fd.name startswith /etc, hand-written", "fd.name startswith /etc", ideal_fd_startswith, 0, 0, 0, 0, {0}},
	{"fd.name contains x, hand-written (glibc memmem)", "fd.name contains x", ideal_fd_contains, 0, 0, 0, 0, {0}},
};
#define NIDEAL (sizeof ideals / sizeof ideals[0])

/* One pass over the capture: the floor, the hand-written tests and every probe timed on every
 * event the pipeline hands out. */
static uint64_t one_pass(const char *path, struct probe *ps, size_t np, int repeat)
{
	char err[1024];
	struct capfeed cf;
	if (capfeed_open(&cf, path, err, sizeof err))
		die(err, NULL);
	const struct fc_extractor *x = fc_state_extractor(cf.st);
	struct fc_evt ev;
	uint64_t events = 0;
	uint32_t m[4];
	for (size_t i = 0; i < NIDEAL; i++)
		ideals[i].acc = ideals[i].empty = ideals[i].used = ideals[i].matched = 0;
	for (size_t i = 0; i < np; i++)
		ps[i].acc = ps[i].cacc = ps[i].racc = ps[i].empty = ps[i].used = ps[i].matched = 0;
	int rc;
	while ((rc = capfeed_next(&cf, &ev)) == 1) {
		events++;
		uint64_t e0 = now_ns(), e1 = now_ns(), e = e1 - e0;
		for (size_t i = 0; i < NIDEAL; i++) {
			struct ideal *d = &ideals[i];
			bool hit = false;
			uint64_t i0 = now_ns();
			for (int r = 0; r < repeat; r++)
				hit = d->fn(cf.st);
			uint64_t i1 = now_ns();
			d->matched += hit;
			if (i1 - i0 <= OUTLIER_NS && e <= OUTLIER_NS) {
				d->acc += i1 - i0;
				d->empty += e;
				d->used++;
			}
		}
		for (size_t i = 0; i < np; i++) {
			struct probe *p = &ps[i];
			bool hit = false;
			uint64_t t0 = now_ns();
			for (int r = 0; r < repeat; r++) {
				fc_vm_begin(p->vm, ev.type, x);
				hit = fc_vm_eval_rule(p->vm, 0);
			}
			uint64_t t1 = now_ns();
			/* the same through the rule index (falcod's call) */
			uint32_t rh = 0;
			uint64_t r0 = now_ns();
			for (int r = 0; r < repeat; r++)
				rh += fc_vm_run(p->vm, ev.type, x, FC_MATCH_FIRST, m, 4);
			uint64_t r1 = now_ns();
			sink += rh;
			/* cached: one begin, then the rule on the values it cached */
			fc_vm_begin(p->vm, ev.type, x);
			uint32_t ch = 0;
			uint64_t c0 = now_ns();
			for (int r = 0; r < repeat; r++)
				ch += fc_vm_eval_rule(p->vm, 0);
			uint64_t c1 = now_ns();
			sink += ch;
			p->matched += hit != 0;
			if (t1 - t0 > OUTLIER_NS || c1 - c0 > OUTLIER_NS || r1 - r0 > OUTLIER_NS || e > OUTLIER_NS) {
				p->outliers++;
				continue;
			}
			p->acc += t1 - t0;
			p->cacc += c1 - c0;
			p->racc += r1 - r0;
			p->empty += e;
			p->used++;
		}
	}
	if (rc < 0)
		die(fc_capture_error(cf.cap), NULL);
	capfeed_close(&cf);
	return events;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *only = NULL;
	int passes = 3, repeat = 16;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--passes") && i + 1 < argc)
			passes = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			die("usage: vm_leaf CAPTURE [--passes N] [--repeat R] [--only NAME]", NULL);
	}
	if (!path)
		die("usage: vm_leaf CAPTURE [--passes N] [--repeat R] [--only NAME]", NULL);
	if (passes < 1 || passes > MAXPASS || repeat < 1)
		die("--passes 1..32, --repeat >= 1", NULL);
	const uint32_t ALL = FC_OPT_ALL, NOSETS = FC_OPT_ALL & ~(uint32_t)FC_OPT_SETS;
	struct probe all[] = {
		{"evt.type = open", strdup("evt.type = open"), 1, ALL, .b = NULL},
		{"evt.type in (3 items)", strdup("evt.type in (open, openat, openat2)"), 1, ALL, .b = NULL},
		{"proc.name = x", strdup("proc.name = ls"), 1, ALL, .b = NULL},
		{"proc.name in (50 items)", prefixed("proc.name in ", names("tool", 50, "ls")), 1, ALL, .b = NULL},
		{"fd.name startswith /etc", strdup("fd.name startswith /etc"), 1, ALL, .b = NULL},
		{"fd.name contains x", strdup("fd.name contains libc"), 1, ALL, .b = NULL},
		{"fd.name glob", strdup("fd.name glob /lib/*/lib*.so*"), 1, ALL, .b = NULL},
		{"fd.name pmatch (4 prefixes)", strdup("fd.name pmatch (/etc, /usr/lib, /lib, /proc)"), 1, ALL, .b = NULL},
		{"proc.cmdline contains x", strdup("proc.cmdline contains color"), 1, ALL, .b = NULL},
		{"proc.cmdline regex", strdup("proc.cmdline regex 'ls .*'"), 1, ALL, .b = NULL},
		{"8 chained proc.name = tK", or_chain(8), 8, ALL, .b = NULL},
		{"64 chained proc.name = tK", or_chain(64), 64, ALL, .b = NULL},
		{"proc.name in (64 items)", prefixed("proc.name in ", names("t", 64, "t63")), 1, ALL, .b = NULL},
		{"8 chained proc.name = tK, set pass off", or_chain(8), 8, NOSETS, .b = NULL},
		{"64 chained proc.name = tK, set pass off", or_chain(64), 64, NOSETS, .b = NULL},
	};
	size_t n = sizeof all / sizeof all[0], np = 0;
	struct probe *ps = calloc(n, sizeof *ps);
	for (size_t i = 0; i < n; i++) {
		if (only && strcmp(only, all[i].name)) {
			free(all[i].filter);
			continue;
		}
		ps[np] = all[i];
		ps[np].b = compile(ps[np].filter, ps[np].passes, &ps[np].insns);
		if (!(ps[np].vm = fc_vm_new(ps[np].b)))
			die("out of memory", NULL);
		np++;
	}
	uint64_t events = 0;
	for (int p = 0; p < passes; p++) {
		events = one_pass(path, ps, np, repeat);
		for (size_t i = 0; i < NIDEAL; i++) {
			struct ideal *d = &ideals[i];
			double inet = (double)d->acc - (double)d->empty;
			d->ns[p] = inet > 0 && d->used ? inet / ((double)d->used * repeat) : 0;
		}
		for (size_t i = 0; i < np; i++) {
			struct probe *q = &ps[i];
			double net = (double)q->acc - (double)q->empty, cnet = (double)q->cacc - (double)q->empty;
			double d = q->used ? (double)q->used * repeat : 1;
			q->ns[p] = net > 0 ? net / d : 0;
			q->cns[p] = cnet > 0 ? cnet / d : 0;
			double rnet = (double)q->racc - (double)q->empty;
			q->rns[p] = rnet > 0 ? rnet / d : 0;
		}
	}
	for (size_t i = 0; i < NIDEAL; i++) {
		struct ideal *d = &ideals[i];
		double t3[3];
		stats3(d->ns, passes, t3);
		if (!d->probe) {
			printf("{\"suite\":\"vm\",\"kind\":\"floor\",\"name\":\"%s\",\"passes\":%d,\"events\":%" PRIu64
			       ",\"evals\":%" PRIu64 ",\"repeat\":%d,\"ns_per_call\":{\"min\":%.2f,\"median\":%.2f,\"max\":%.2f}}\n",
			       d->name, passes, events, d->used, repeat, t3[0], t3[1], t3[2]);
			continue;
		}
		for (size_t j = 0; j < np; j++)
			if (!strcmp(ps[j].name, d->probe) && ps[j].matched != d->matched) {
				fprintf(stderr, "vm_leaf: %s matched %" PRIu64 " events, its VM probe %" PRIu64 "\n", d->name,
					d->matched, ps[j].matched);
				exit(1);
			}
		printf("{\"suite\":\"vm\",\"kind\":\"ideal\",\"name\":\"%s\",\"probe\":\"%s\",\"passes\":%d,\"events\":%" PRIu64
		       ",\"evals\":%" PRIu64 ",\"repeat\":%d,\"matched\":%" PRIu64
		       ",\"ns_per_eval\":{\"min\":%.2f,\"median\":%.2f,\"max\":%.2f}}\n",
		       d->name, d->probe, passes, events, d->used, repeat, d->matched, t3[0], t3[1], t3[2]);
	}
	for (size_t i = 0; i < np; i++) {
		struct probe *q = &ps[i];
		double s[3], c[3], rr[3];
		stats3(q->ns, passes, s);
		stats3(q->cns, passes, c);
		stats3(q->rns, passes, rr);
		printf("{\"suite\":\"vm\",\"kind\":\"leaf\",\"name\":\"%s\",\"filter\":\"", q->name);
		for (const char *f = q->filter; *f; f++)
			printf(*f == '"' || *f == '\\' ? "\\%c" : "%c", *f);
		printf("\",\"passes\":%d,\"events\":%" PRIu64 ",\"evals\":%" PRIu64 ",\"repeat\":%d,\"leaves\":%u,"
		       "\"matched\":%" PRIu64 ",\"outliers_dropped\":%" PRIu64 ",\"ns_per_eval\":{\"min\":%.2f,\"median\":%.2f,"
		       "\"max\":%.2f},\"cached_ns\":{\"min\":%.2f,\"median\":%.2f,\"max\":%.2f},\"ns_per_leaf\":%.3f,"
		       "\"run_ns\":{\"min\":%.2f,\"median\":%.2f,\"max\":%.2f},\"insns\":%u}\n",
		       passes, events, q->used, repeat, q->leaves, q->matched, q->outliers, s[0], s[1], s[2], c[0], c[1],
		       c[2], s[1] / q->leaves, rr[0], rr[1], rr[2], q->insns);
		fc_vm_free(q->vm);
		fc_bundle_free(q->b);
		free(q->filter);
	}
	free(ps);
	return 0;
}
