/* benchmarks/kernel/kbench.c — per-syscall cost in tight loops, and paced syscall load, for the
 * kernel-overhead suite (benchmarks/bench.py, suite "kernel"; method in README.md there).
 *
 *   kbench [--attach-empty] [-n N] [-r REPS] loop CASE...
 *       Times N calls of each CASE, REPS times, and prints one JSON line per case with the
 *       ns per call of every repetition: CPU time of this thread (CLOCK_THREAD_CPUTIME_ID:
 *       user + kernel time of the calls, probe programs included, time spent descheduled
 *       excluded — what a shared machine needs) and wall time (CLOCK_MONOTONIC).
 *   kbench [--attach-empty] [-t THREADS] rate RATE SECONDS CASE
 *       Makes RATE calls/s of CASE (0 = as fast as it can) for SECONDS, paced against the
 *       clock, split over THREADS threads (default 1), and prints what it achieved.
 *   kbench links
 *       Prints the number of BPF links attached to the sys_exit tracepoint.
 *
 * --attach-empty attaches benchmarks/kernel/empty.bpf.c (an empty tp_btf/sys_exit program,
 * embedded skeleton) around the work: the floor of any probe. Every JSON line says how many
 * sys_exit links were attached before and after its measurement, so that a run disturbed by
 * another probe on the machine (another falcod, a test) can be told apart.
 *
 * Cases:
 *   getppid    syscall(SYS_getppid): the cheapest syscall; no rule or state needs it.
 *   open_null  openat(AT_FDCWD, "/dev/null", O_RDONLY): a syscall rules select, with a path
 *              no default rule cares about (what a kernel predicate can filter out). Timed in
 *              batches of 256; the closes between batches are not timed.
 *   fchdir     fchdir(fd of the working directory): captured for the state engine (cwd), so
 *              never filtered: a small fixed-size event every call.
 *   chmod_enoent  fchmodat(AT_FDCWD, "/nonexistent-kbench/f", 0644): a syscall rules select
 *              (setuid/setgid changes) that fails with ENOENT; the default rules need it to
 *              succeed, so the probe builds its event and its kernel predicate drops it. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "empty.skel.h"

#define BATCH 256

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Number of BPF links on the sys_exit tracepoint (raw_tp links: tp_btf attaches that way). */
static int sys_exit_links(void)
{
	uint32_t id = 0;
	int n = 0;
	while (bpf_link_get_next_id(id, &id) == 0) {
		int fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		struct bpf_link_info info;
		char name[64] = "";
		memset(&info, 0, sizeof info);
		info.raw_tracepoint.tp_name = (uint64_t)(uintptr_t)name;
		info.raw_tracepoint.tp_name_len = sizeof name;
		uint32_t len = sizeof info;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == BPF_LINK_TYPE_RAW_TRACEPOINT &&
		    strcmp(name, "sys_exit") == 0)
			n++;
		close(fd);
	}
	return n;
}

enum kcase { C_GETPPID, C_OPEN_NULL, C_FCHDIR, C_CHMOD_ENOENT, C_N };
static const char *const case_names[C_N] = {"getppid", "open_null", "fchdir", "chmod_enoent"};
static const char missing_path[] = "/nonexistent-kbench/f";

static int case_of(const char *s)
{
	for (int i = 0; i < C_N; i++)
		if (strcmp(s, case_names[i]) == 0)
			return i;
	return -1;
}

static int g_cwd = -1;
static int g_fds[BATCH];

/* One call of case C outside the timed loops (rate mode); open_null closes at once. */
static void one_call(enum kcase c)
{
	switch (c) {
	case C_GETPPID:
		syscall(SYS_getppid);
		break;
	case C_OPEN_NULL: {
		int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY);
		if (fd >= 0)
			close(fd);
		break;
	}
	case C_FCHDIR:
		if (fchdir(g_cwd) != 0)
			abort();
		break;
	case C_CHMOD_ENOENT:
		syscall(SYS_fchmodat, AT_FDCWD, missing_path, 0644);
		break;
	case C_N:
		break;
	}
}

/* N calls of C; CPU and wall ns spent in the calls (open_null: the opens only). */
static int timed(enum kcase c, long n, uint64_t *cpu, uint64_t *wall)
{
	*cpu = *wall = 0;
	if (c == C_OPEN_NULL) {
		for (long done = 0; done < n;) {
			int k = n - done < BATCH ? (int)(n - done) : BATCH;
			uint64_t w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
			for (int i = 0; i < k; i++)
				g_fds[i] = openat(AT_FDCWD, "/dev/null", O_RDONLY);
			uint64_t c1 = now_ns(CLOCK_THREAD_CPUTIME_ID), w1 = now_ns(CLOCK_MONOTONIC);
			*cpu += c1 - c0;
			*wall += w1 - w0;
			for (int i = 0; i < k; i++) {
				if (g_fds[i] < 0) {
					fprintf(stderr, "kbench: openat /dev/null: %s\n", strerror(errno));
					return -1;
				}
				close(g_fds[i]);
			}
			done += k;
		}
		return 0;
	}
	uint64_t w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	if (c == C_GETPPID) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	} else if (c == C_CHMOD_ENOENT) {
		for (long i = 0; i < n; i++)
			if (syscall(SYS_fchmodat, AT_FDCWD, missing_path, 0644) != -1 || errno != ENOENT)
				return -1;
	} else {
		for (long i = 0; i < n; i++)
			if (fchdir(g_cwd) != 0)
				return -1;
	}
	uint64_t c1 = now_ns(CLOCK_THREAD_CPUTIME_ID), w1 = now_ns(CLOCK_MONOTONIC);
	*cpu = c1 - c0;
	*wall = w1 - w0;
	return 0;
}

static int cmd_loop(int argc, char **argv, long n, int reps, bool empty)
{
	for (int a = 0; a < argc; a++) {
		int c = case_of(argv[a]);
		if (c < 0) {
			fprintf(stderr, "kbench: unknown case '%s' (getppid, open_null, fchdir, chmod_enoent)\n", argv[a]);
			return 2;
		}
		int before = sys_exit_links();
		uint64_t cpu, wall;
		if (timed((enum kcase)c, n / 10 > 1000 ? n / 10 : n, &cpu, &wall) != 0) /* warm-up */
			return 1;
		printf("{\"case\":\"%s\",\"empty_probe\":%s,\"n\":%ld,\"reps\":%d,\"cpu_ns_per_call\":[", argv[a],
		       empty ? "true" : "false", n, reps);
		double *w = calloc((size_t)reps, sizeof *w);
		if (!w)
			return 1;
		for (int r = 0; r < reps; r++) {
			if (timed((enum kcase)c, n, &cpu, &wall) != 0)
				return 1;
			printf("%s%.2f", r ? "," : "", (double)cpu / (double)n);
			w[r] = (double)wall / (double)n;
		}
		printf("],\"wall_ns_per_call\":[");
		for (int r = 0; r < reps; r++)
			printf("%s%.2f", r ? "," : "", w[r]);
		free(w);
		printf("],\"sys_exit_links_before\":%d,\"sys_exit_links_after\":%d}\n", before, sys_exit_links());
		fflush(stdout);
	}
	return 0;
}

struct pacer {
	enum kcase c;
	double rate, secs;
	uint64_t done, cpu_ns;
	double elapsed;
};

/* One thread's share of the rate mode: RATE calls/s for SECS seconds, paced against the clock
 * (0 = flat out). */
static void *pace(void *arg)
{
	struct pacer *p = arg;
	double rate = p->rate;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	uint64_t end = t0 + (uint64_t)(p->secs * 1e9), done = 0, t = t0;
	while (t < end) {
		/* calls due by now; the backlog is capped at 10 ms so a stall is not made up in one burst */
		uint64_t due = rate > 0 ? (uint64_t)(rate * (double)(t - t0) / 1e9) : done + 64;
		uint64_t cap = rate > 0 ? (uint64_t)(rate / 100) + 64 : 64;
		if (due > done + cap)
			done = due - cap;
		if (done < due) {
			for (int i = 0; i < 64 && done < due; i++, done++)
				one_call(p->c);
		} else {
			/* ahead of schedule: sleep until a batch is due (calls come in batches of up to 64,
			 * about one per millisecond at low rates), never spin: the CPU is falcod's too */
			double batch = rate / 1000 < 1 ? 1 : (rate / 1000 > 64 ? 64 : rate / 1000);
			uint64_t next = t0 + (uint64_t)(((double)done + batch) * 1e9 / rate);
			struct timespec ts = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		t = now_ns(CLOCK_MONOTONIC);
	}
	p->elapsed = (double)(t - t0) / 1e9;
	p->cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	p->done = done;
	return NULL;
}

static int cmd_rate(double rate, double secs, enum kcase c, int threads, bool empty)
{
	int before = sys_exit_links();
	struct pacer p[64];
	pthread_t th[64];
	if (threads < 1 || threads > 64)
		return 2;
	for (int i = 0; i < threads; i++) {
		p[i] = (struct pacer){.c = c, .rate = rate / threads, .secs = secs};
		if (pthread_create(&th[i], NULL, pace, &p[i]) != 0) {
			fprintf(stderr, "kbench: pthread_create failed\n");
			return 1;
		}
	}
	uint64_t done = 0;
	double el = 0, cpu = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		done += p[i].done;
		cpu += (double)p[i].cpu_ns / 1e9;
		if (p[i].elapsed > el)
			el = p[i].elapsed;
	}
	printf("{\"case\":\"%s\",\"empty_probe\":%s,\"threads\":%d,\"offered_per_s\":%.0f,\"seconds\":%.3f,"
	       "\"calls\":%llu,\"achieved_per_s\":%.0f,\"cpu_s\":%.3f,\"sys_exit_links_before\":%d,"
	       "\"sys_exit_links_after\":%d}\n",
	       case_names[c], empty ? "true" : "false", threads, rate, el, (unsigned long long)done, (double)done / el,
	       cpu, before, sys_exit_links());
	return 0;
}

static void usage(FILE *f)
{
	fputs("Usage: kbench [--attach-empty] [-n N] [-r REPS] loop CASE...\n"
	      "       kbench [--attach-empty] [-t THREADS] rate RATE SECONDS CASE\n"
	      "       kbench links\n"
	      "Cases: getppid, open_null, fchdir, chmod_enoent. JSON lines on stdout.\n",
	      f);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	bool empty = false;
	long n = 2000000;
	int reps = 5, threads = 1, a = 1;
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "--attach-empty") == 0) {
			empty = true;
		} else if (strcmp(argv[a], "-n") == 0 && a + 1 < argc) {
			n = atol(argv[++a]);
		} else if (strcmp(argv[a], "-r") == 0 && a + 1 < argc) {
			reps = atoi(argv[++a]);
		} else if (strcmp(argv[a], "-t") == 0 && a + 1 < argc) {
			threads = atoi(argv[++a]);
		} else if (strcmp(argv[a], "-h") == 0 || strcmp(argv[a], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (a >= argc || n <= 0 || reps <= 0) {
		usage(stderr);
		return 2;
	}
	libbpf_set_print(libbpf_quiet);
	if (strcmp(argv[a], "links") == 0) {
		printf("%d\n", sys_exit_links());
		return 0;
	}
	/* enough descriptors for a batch of opens, and the directory for fchdir */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < BATCH + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	g_cwd = open(".", O_RDONLY | O_DIRECTORY);
	if (g_cwd < 0) {
		fprintf(stderr, "kbench: cannot open the working directory: %s\n", strerror(errno));
		return 1;
	}
	struct empty_bpf *skel = NULL;
	if (empty) {
		skel = empty_bpf__open_and_load();
		if (!skel || empty_bpf__attach(skel) != 0) {
			fprintf(stderr, "kbench: cannot load/attach the empty sys_exit program (%s): run as root on a "
					"kernel with BTF (/sys/kernel/btf/vmlinux) and BPF trampolines (5.5+)\n",
				strerror(errno));
			empty_bpf__destroy(skel);
			return 1;
		}
	}
	int rc;
	if (strcmp(argv[a], "loop") == 0 && a + 1 < argc) {
		rc = cmd_loop(argc - a - 1, argv + a + 1, n, reps, empty);
	} else if (strcmp(argv[a], "rate") == 0 && a + 3 < argc && case_of(argv[a + 3]) >= 0) {
		rc = cmd_rate(atof(argv[a + 1]), atof(argv[a + 2]), (enum kcase)case_of(argv[a + 3]), threads, empty);
	} else {
		usage(stderr);
		rc = 2;
	}
	empty_bpf__destroy(skel);
	close(g_cwd);
	return rc;
}
