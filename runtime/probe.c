/* probe.c — the eBPF probe loader and consumer (probe.h): opens the skeleton embedded at build
 * time (bpf/bpf.cmake), sizes the per-CPU maps, sets the read-only configuration (boot time,
 * page size, native-number -> PPM_SC table), loads, routes every native syscall number to its
 * exit-event builder (or the generic one), creates the ring buffers, writes the syscall
 * selection and attaches only the programs the selection needs (RUNTIME.md §4.5). The consumer
 * maps every ring and merges them by timestamp (RUNTIME.md §4.6): the head of each ring is
 * peeked, the oldest event is decoded in place and handed over, and the ring's consumer
 * position is advanced after the callback.
 *
 * Without the probe compiled in (no clang/bpftool/libbpf at build time) every entry point
 * reports that instead. */
#include "probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef FC_HAVE_PROBE

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "fc_probe.h"
#include "kprog.h"
#include "le.h"
#include "probe.skel.h"

_Static_assert(FC_KP_CODES >= FC_EVENT_MAX, "bpf/fc_probe.h FC_KP_CODES smaller than the event table");

_Static_assert(FC_PROBE_NDROPCAT == FC_DROP_MAX_, "probe.h FC_PROBE_NDROPCAT out of step with bpf/fc_probe.h");

#if defined(__x86_64__)
#define FC_HOST_NR(s) ((s)->nr_x86_64)
#elif defined(__aarch64__)
#define FC_HOST_NR(s) ((s)->nr_aarch64)
#else
#error "the probe supports x86_64 and aarch64 hosts"
#endif

#define FC_DEFAULT_RING_BYTES (8u << 20)
#define FC_POLL_BATCH 65536          /* events per fc_probe_poll call at most */
#define FC_PPM_SC_EXECVE 324
#define FC_PPM_SC_EXECVEAT 325
#define FC_PPM_SC_CLONE 327
#define FC_PPM_SC_CLONE3 328
#define FC_PPM_SC_FORK 303
#define FC_PPM_SC_VFORK 304
#define FC_PPM_SC_PROCEXIT 396

/* Upstream identifier of every event code, for the builder program names. */
static const char *const ev_ids[FC_EVENT_MAX] = {
#define EV(code, id, ...) [code] = #id,
#define EV0(code, id, ...) [code] = #id,
#include "events.def"
#undef EV
#undef EV0
};

static const char *const dropcat_names[] = {
#define FC_X(e, s) s,
	FC_DROPCATS(FC_X)
#undef FC_X
};

struct ring {
	int fd;
	uint8_t *cons_page; /* consumer position, written by us */
	uint8_t *prod_page; /* producer position, then the data mapped twice */
	uint8_t *data;
	size_t mask;
	size_t map_len;
	uint64_t cons_pos, prod_pos;
	/* the peeked head */
	bool has_head;
	const uint8_t *head;
	uint32_t head_len;
	uint64_t head_ts;
	uint64_t head_rec;
};

struct fc_probe {
	struct probe_bpf *skel;
	struct ring *rings;
	uint32_t nrings, ncpus, ring_bytes;
	int *ring_fds; /* per distinct ring, owned */
	struct bpf_link *l_sys, *l_exec, *l_fork, *l_exit;
	bool need_fork;
	uint64_t bad, delivered, load_ns;
	size_t page;
	uint8_t kp_loaded[FC_KP_CODES]; /* codes with a program in fc_kprog */
	uint16_t code_of_nr[FC_SYSCALL_SLOTS]; /* exit event of the dedicated builder, 0: generic */
	uint32_t nkp;
};

/* ---- libbpf messages: kept so that a failed load can say why ---- */

/* The tail of libbpf's warnings (the verifier log ends with the reason) and the last line
 * naming the program that failed. Thread-local: only the thread inside fc_probe_open fills it. */
#define FC_LOG_CAP 8192
static __thread char *fc_log;
static __thread size_t fc_log_len;
static __thread char fc_log_prog[160];

static int fc_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !fc_log)
		return 0;
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n <= 0)
		return 0;
	size_t len = strlen(line);
	if (strstr(line, "prog '") && strstr(line, "failed")) {
		size_t m = len < sizeof(fc_log_prog) - 1 ? len : sizeof(fc_log_prog) - 1;
		memcpy(fc_log_prog, line, m);
		fc_log_prog[m] = 0;
	}
	if (fc_log_len + len + 1 > FC_LOG_CAP) { /* keep the newest half */
		size_t keep = FC_LOG_CAP / 2 < fc_log_len ? FC_LOG_CAP / 2 : fc_log_len;
		memmove(fc_log, fc_log + fc_log_len - keep, keep);
		fc_log_len = keep;
	}
	memcpy(fc_log + fc_log_len, line, len + 1);
	fc_log_len += len;
	return 0;
}

/* The last line of BUF that says something (trailing blanks and log markers skipped). */
static const char *last_log_line(char *buf)
{
	for (;;) {
		char *end = buf + strlen(buf);
		while (end > buf && (end[-1] == '\n' || end[-1] == ' '))
			*--end = 0;
		char *nl = strrchr(buf, '\n');
		char *line = nl ? nl + 1 : buf;
		if (line == buf || (!strstr(line, "libbpf:") && !strstr(line, "END PROG LOAD LOG") &&
				    strncmp(line, "processed ", 10) != 0))
			return line;
		*line = 0;
	}
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* True when this process may load tracing programs: CAP_SYS_ADMIN, or CAP_BPF with
 * CAP_PERFMON (5.8+). */
static bool may_load_bpf(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return geteuid() == 0;
	char line[256];
	unsigned long long eff = 0;
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	if (!found)
		return geteuid() == 0;
	const unsigned long long sys_admin = 1ull << 21, perfmon = 1ull << 38, bpf = 1ull << 39;
	return (eff & sys_admin) || ((eff & bpf) && (eff & perfmon));
}

/* What is missing on this host, as precisely as can be told before loading. */
static int check_support(char *err, size_t errlen)
{
	if (!may_load_bpf())
		return fail(err, errlen, "permission denied: run as root or grant CAP_BPF+CAP_PERFMON");
	struct utsname u;
	if (uname(&u) != 0)
		snprintf(u.release, sizeof(u.release), "?");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return fail(err, errlen,
			    "BTF not found at /sys/kernel/btf/vmlinux: kernel %s was built without "
			    "CONFIG_DEBUG_INFO_BTF, which the probe needs (tp_btf programs)",
			    u.release);
	int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	if (r == -EPERM || r == -EACCES)
		return fail(err, errlen, "permission denied: run as root or grant CAP_BPF+CAP_PERFMON");
	if (r == 0)
		return fail(err, errlen, "kernel %s lacks BPF ring buffers (5.8+)", u.release);
	if (r < 0)
		return fail(err, errlen, "cannot query BPF support of kernel %s: %s", u.release, strerror(-r));
	/* tp_btf support is not probed here (libbpf cannot probe TRACING programs without an
	 * attach target); a kernel without it fails the load with libbpf's reason. */
	return 0;
}

/* ---- selection ---- */

static bool ksel_has(const uint64_t *ksel, uint32_t nksel, unsigned ppm_sc)
{
	if (!ksel)
		return true;
	return ppm_sc / 64 < nksel && (ksel[ppm_sc / 64] >> (ppm_sc % 64)) & 1;
}

static int set_link(struct bpf_link **l, struct bpf_program *prog, bool want, char *err, size_t errlen)
{
	if (want && !*l) {
		struct bpf_link *nl = bpf_program__attach(prog);
		if (!nl)
			return fail(err, errlen, "cannot attach %s: %s", bpf_program__name(prog), strerror(errno));
		*l = nl;
	} else if (!want && *l) {
		bpf_link__destroy(*l);
		*l = NULL;
	}
	return 0;
}

static int apply_selection(struct fc_probe *p, const uint64_t *ksel, uint32_t nksel, char *err, size_t errlen)
{
	uint8_t *sel = p->skel->bss->fc_sel;
	bool any = false;
	uint8_t want[FC_SYSCALL_SLOTS] = {0};
	for (size_t i = 0; i < fc_nsyscalls; i++) {
		const struct fc_syscall_info *s = &fc_syscalls[i];
		int nr = FC_HOST_NR(s);
		if (nr < 0 || nr >= FC_SYSCALL_SLOTS || !ksel_has(ksel, nksel, s->ppm_sc))
			continue;
		want[nr] = 1;
		any = true;
	}
	/* Turning on: selection bytes first, then attach; off: detach first. */
	bool exec = ksel_has(ksel, nksel, FC_PPM_SC_EXECVE) || ksel_has(ksel, nksel, FC_PPM_SC_EXECVEAT);
	bool fork = p->need_fork && (ksel_has(ksel, nksel, FC_PPM_SC_CLONE) || ksel_has(ksel, nksel, FC_PPM_SC_CLONE3) ||
				    ksel_has(ksel, nksel, FC_PPM_SC_FORK) || ksel_has(ksel, nksel, FC_PPM_SC_VFORK));
	bool pexit = ksel_has(ksel, nksel, FC_PPM_SC_PROCEXIT);
	for (int nr = 0; nr < FC_SYSCALL_SLOTS; nr++)
		if (want[nr])
			__atomic_store_n(&sel[nr], 1, __ATOMIC_RELAXED);
	if (set_link(&p->l_sys, p->skel->progs.fc_sys_exit, any, err, errlen) ||
	    set_link(&p->l_exec, p->skel->progs.fc_sched_exec, exec, err, errlen) ||
	    set_link(&p->l_fork, p->skel->progs.fc_sched_fork, fork, err, errlen) ||
	    set_link(&p->l_exit, p->skel->progs.fc_sched_exit, pexit, err, errlen))
		return -1;
	for (int nr = 0; nr < FC_SYSCALL_SLOTS; nr++)
		if (!want[nr])
			__atomic_store_n(&sel[nr], 0, __ATOMIC_RELAXED);
	return 0;
}

/* ---- program routing ---- */

static int prog_fd(struct probe_bpf *skel, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(skel->obj, name);
	return prog ? bpf_program__fd(prog) : -1;
}

static int put_prog(struct bpf_map *map, uint32_t slot, int fd, const char *what, char *err, size_t errlen)
{
	if (fd < 0)
		return fail(err, errlen, "probe object lacks program %s", what);
	if (bpf_map_update_elem(bpf_map__fd(map), &slot, &fd, BPF_ANY) != 0)
		return fail(err, errlen, "cannot install %s in %s: %s", what, bpf_map__name(map), strerror(errno));
	return 0;
}

/* Every builder must be named after the exit event of some syscall (on either arch): a
 * misspelt name would silently leave its syscall on the generic builder. */
static int check_builder_names(struct probe_bpf *s, char *err, size_t errlen)
{
	struct bpf_program *prog;
	size_t plen = strlen(FC_BUILDER_PREFIX);
	bpf_object__for_each_program(prog, s->obj) {
		const char *name = bpf_program__name(prog);
		if (strncmp(name, FC_BUILDER_PREFIX, plen) != 0 || strcmp(name + plen, "GENERIC_X") == 0)
			continue;
		bool found = false;
		for (size_t i = 0; i < fc_nsyscalls && !found; i++) {
			const struct fc_syscall_info *sc = &fc_syscalls[i];
			found = sc->enter_code != 0 && (sc->nr_x86_64 >= 0 || sc->nr_aarch64 >= 0) &&
				strcmp(ev_ids[sc->enter_code | 1], name + plen) == 0;
		}
		if (!found)
			return fail(err, errlen, "probe program %s is the builder of no syscall event", name);
	}
	return 0;
}

static int route_programs(struct fc_probe *p, char *err, size_t errlen)
{
	struct probe_bpf *s = p->skel;
	if (check_builder_names(s, err, errlen))
		return -1;
	int generic = prog_fd(s, FC_BUILDER_PREFIX "GENERIC_X");
	char name[96];
	for (size_t i = 0; i < fc_nsyscalls; i++) {
		const struct fc_syscall_info *sc = &fc_syscalls[i];
		int nr = FC_HOST_NR(sc);
		if (nr < 0 || nr >= FC_SYSCALL_SLOTS)
			continue;
		int fd = -1;
		if (sc->enter_code != 0) {
			snprintf(name, sizeof(name), FC_BUILDER_PREFIX "%s", ev_ids[sc->enter_code | 1]);
			fd = prog_fd(s, name);
			if (fd >= 0)
				p->code_of_nr[nr] = (uint16_t)(sc->enter_code | 1);
		}
		if (fd < 0)
			fd = generic;
		if (put_prog(s->maps.fc_sys_tail, (uint32_t)nr, fd, sc->name, err, errlen))
			return -1;
	}
#define FC_X(e, n) \
	if (put_prog(s->maps.fc_ext_sys, FC_EXT_##e, prog_fd(s, n), n, err, errlen)) return -1;
	FC_EXT_SYS(FC_X)
#undef FC_X
#define FC_X(e, n) \
	if (put_prog(s->maps.fc_ext_exec, FC_EXT_##e, prog_fd(s, n), n, err, errlen)) return -1;
	FC_EXT_EXEC(FC_X)
#undef FC_X
#define FC_X(e, n) \
	if (put_prog(s->maps.fc_ext_fork, FC_EXT_##e, prog_fd(s, n), n, err, errlen)) return -1;
	FC_EXT_FORK(FC_X)
#undef FC_X
	return 0;
}

/* ---- kernel predicate programs ---- */

static int apply_kprog(struct fc_probe *p, const struct fc_kprog_set *ks, char *err, size_t errlen)
{
	uint8_t want[FC_KP_CODES] = {0};
	int mfd = bpf_map__fd(p->skel->maps.fc_kprog);
	uint8_t *on = p->skel->bss->fc_kp_on;
	uint32_t n = fc_kprog_count(ks);
	if (n > FC_KP_MAX_PROGS)
		return fail(err, errlen, "%u kernel predicate programs, the probe holds %u", n, FC_KP_MAX_PROGS);
	/* verify all before touching the maps: a bad set changes nothing */
	for (uint32_t i = 0; i < n; i++) {
		uint16_t code;
		const struct fc_kp_prog *kp = fc_kprog_at(ks, i, &code);
		char msg[200];
		if (!fc_kprog_check(kp, code, msg, sizeof msg, NULL))
			return fail(err, errlen, "kernel predicate of event %u refused: %s", code, msg);
		want[code] = 1;
	}
	/* gates first: none may outlive (or precede) the program it comes from */
	uint8_t *gate = p->skel->bss->fc_res_gate;
	for (unsigned nr = 0; nr < FC_SYSCALL_SLOTS; nr++)
		__atomic_store_n(&gate[nr], 0, __ATOMIC_RELEASE);
	/* codes leaving: stop using their program first, then remove it */
	for (unsigned c = 0; c < FC_KP_CODES; c++)
		if (p->kp_loaded[c] && !want[c]) {
			__atomic_store_n(&on[c], 0, __ATOMIC_RELEASE);
			uint32_t key = c;
			bpf_map_delete_elem(mfd, &key);
			p->kp_loaded[c] = 0;
			p->nkp--;
		}
	struct fc_kp_lprog *low = malloc(sizeof(*low));
	if (!low)
		return fail(err, errlen, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		uint16_t code;
		const struct fc_kp_prog *kp = fc_kprog_at(ks, i, &code);
		uint32_t key = code;
		fc_kprog_lower(kp, low);
		/* a replaced value is swapped whole (no prealloc): a running evaluation keeps the old */
		if (bpf_map_update_elem(mfd, &key, low, BPF_ANY) != 0) {
			free(low);
			return fail(err, errlen, "cannot write the kernel predicate of event %u: %s", code, strerror(errno));
		}
		if (!p->kp_loaded[code]) {
			p->kp_loaded[code] = 1;
			p->nkp++;
		}
		__atomic_store_n(&on[code], 1, __ATOMIC_RELEASE);
	}
	free(low);
	/* gates of the syscalls whose event's parameter 0 is their 8-byte return value */
	for (unsigned nr = 0; nr < FC_SYSCALL_SLOTS; nr++) {
		uint16_t code = p->code_of_nr[nr];
		const struct fc_kp_prog *kp = code ? fc_kprog_for(ks, code) : NULL;
		const struct fc_event_info *ei = code ? &fc_events[code] : NULL;
		if (!kp || ei->nparams == 0 || fc_ptype_size(ei->params[0].type) != 8 ||
		    (strcmp(ei->params[0].name, "res") != 0 && strcmp(ei->params[0].name, "fd") != 0))
			continue;
		__atomic_store_n(&gate[nr], fc_kprog_res_gate(kp), __ATOMIC_RELEASE);
	}
	return 0;
}

int fc_probe_set_kprog(struct fc_probe *p, const struct fc_kprog_set *s, char *err, size_t errlen)
{
	if (!p)
		return fail(err, errlen, "no probe");
	return apply_kprog(p, s, err, errlen);
}

uint32_t fc_probe_kprog_count(const struct fc_probe *p)
{
	return p ? p->nkp : 0;
}

/* ---- rings ---- */

static int map_ring(struct fc_probe *p, struct ring *r, int fd, char *err, size_t errlen)
{
	r->fd = fd;
	r->mask = p->ring_bytes - 1;
	r->cons_page = mmap(NULL, p->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->cons_page == MAP_FAILED) {
		r->cons_page = NULL;
		return fail(err, errlen, "cannot map ring buffer: %s", strerror(errno));
	}
	r->map_len = p->page + 2 * (size_t)p->ring_bytes;
	r->prod_page = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED, fd, (off_t)p->page);
	if (r->prod_page == MAP_FAILED) {
		r->prod_page = NULL;
		return fail(err, errlen, "cannot map ring buffer: %s", strerror(errno));
	}
	r->data = r->prod_page + p->page;
	r->cons_pos = __atomic_load_n((uint64_t *)r->cons_page, __ATOMIC_ACQUIRE);
	r->prod_pos = __atomic_load_n((uint64_t *)r->prod_page, __ATOMIC_ACQUIRE);
	return 0;
}

static int make_rings_for(struct fc_probe *p, const uint32_t *ring_of, char *err, size_t errlen);

/* Marks the online CPUs (the "0-3,6" list of sysfs) in ON[0..n). False when unreadable. */
static bool online_cpus(bool *on, uint32_t n)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	if (!f)
		return false;
	char buf[4096];
	bool ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	for (char *tok = strtok(buf, ",\n"); tok; tok = strtok(NULL, ",\n")) {
		unsigned a, b;
		int k = sscanf(tok, "%u-%u", &a, &b);
		if (k == 1)
			b = a;
		else if (k != 2)
			return false;
		for (unsigned c = a; c <= b && c < n; c++)
			on[c] = true;
	}
	return true;
}

/* Rings go to the online CPUs, CPUS_PER_RING of them each (0 = one per CPU); a CPU that is
 * possible but offline now writes into an existing ring should it come online, so hot-plug
 * loses nothing and offline CPUs cost no memory. */
static int make_rings(struct fc_probe *p, uint32_t cpus_per_ring, char *err, size_t errlen)
{
	uint32_t per = cpus_per_ring ? cpus_per_ring : 1;
	bool *on = calloc(p->ncpus, sizeof(bool));
	uint32_t *ring_of = calloc(p->ncpus, sizeof(uint32_t));
	if (!on || !ring_of) {
		free(on);
		free(ring_of);
		return fail(err, errlen, "out of memory");
	}
	if (!online_cpus(on, p->ncpus))
		for (uint32_t c = 0; c < p->ncpus; c++)
			on[c] = true;
	uint32_t nonline = 0;
	for (uint32_t c = 0; c < p->ncpus; c++)
		if (on[c])
			ring_of[c] = nonline++ / per;
	if (nonline == 0) { /* cannot happen: we are running on one */
		nonline = 1;
		on[0] = true;
	}
	p->nrings = (nonline + per - 1) / per;
	for (uint32_t c = 0; c < p->ncpus; c++)
		if (!on[c])
			ring_of[c] = c % p->nrings;
	free(on);
	int rc = make_rings_for(p, ring_of, err, errlen);
	free(ring_of);
	return rc;
}

static int make_rings_for(struct fc_probe *p, const uint32_t *ring_of, char *err, size_t errlen)
{
	p->rings = calloc(p->nrings, sizeof(*p->rings));
	p->ring_fds = calloc(p->nrings, sizeof(int));
	if (!p->rings || !p->ring_fds)
		return fail(err, errlen, "out of memory");
	for (uint32_t i = 0; i < p->nrings; i++)
		p->ring_fds[i] = -1;
	int outer = bpf_map__fd(p->skel->maps.fc_rings);
	for (uint32_t i = 0; i < p->nrings; i++) {
		char nm[24];
		snprintf(nm, sizeof(nm), "fc_ring%u", i);
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, nm, 0, 0, p->ring_bytes, NULL);
		if (fd < 0)
			return fail(err, errlen, "cannot create a %u-byte ring buffer: %s", p->ring_bytes,
				    strerror(errno));
		p->ring_fds[i] = fd;
		if (map_ring(p, &p->rings[i], fd, err, errlen))
			return -1;
	}
	for (uint32_t cpu = 0; cpu < p->ncpus; cpu++) {
		int fd = p->ring_fds[ring_of[cpu]];
		if (bpf_map_update_elem(outer, &cpu, &fd, BPF_ANY) != 0)
			return fail(err, errlen, "cannot install ring for CPU %u: %s", cpu, strerror(errno));
	}
	return 0;
}

/* Peeks the oldest committed record of R; skips discarded ones. */
static bool ring_peek(struct ring *r)
{
	if (r->has_head)
		return true;
	for (;;) {
		if (r->cons_pos >= r->prod_pos) {
			r->prod_pos = __atomic_load_n((uint64_t *)r->prod_page, __ATOMIC_ACQUIRE);
			if (r->cons_pos >= r->prod_pos)
				return false;
		}
		uint32_t *hdr = (uint32_t *)(r->data + (r->cons_pos & r->mask));
		uint32_t w = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (w & BPF_RINGBUF_BUSY_BIT)
			return false;
		uint32_t len = w & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		uint64_t rec = ((uint64_t)len + BPF_RINGBUF_HDR_SZ + 7) & ~7ull;
		if (w & BPF_RINGBUF_DISCARD_BIT) {
			r->cons_pos += rec;
			__atomic_store_n((uint64_t *)r->cons_page, r->cons_pos, __ATOMIC_RELEASE);
			continue;
		}
		r->head = (const uint8_t *)hdr + BPF_RINGBUF_HDR_SZ;
		r->head_len = len;
		r->head_rec = rec;
		r->head_ts = len >= 8 ? rd64(r->head) : 0;
		r->has_head = true;
		return true;
	}
}

static void ring_advance(struct ring *r)
{
	r->cons_pos += r->head_rec;
	r->has_head = false;
	__atomic_store_n((uint64_t *)r->cons_page, r->cons_pos, __ATOMIC_RELEASE);
}

/* Delivers ready events oldest first, at most LIMIT. *STOP is set when CB asked to stop. */
static long drain(struct fc_probe *p, fc_probe_cb cb, void *ctx, long limit, bool *stop)
{
	long n = 0;
	while (n < limit) {
		struct ring *best = NULL;
		for (uint32_t i = 0; i < p->nrings; i++) {
			struct ring *r = &p->rings[i];
			if (ring_peek(r) && (!best || r->head_ts < best->head_ts))
				best = r;
		}
		if (!best)
			break;
		struct fc_evt ev;
		if (fc_evt_decode(best->head, best->head_len, &ev) != FC_EVT_OK) {
			p->bad++;
			ring_advance(best);
			continue;
		}
		int rc = cb ? cb(ctx, &ev) : 0;
		ring_advance(best);
		n++;
		p->delivered++;
		if (rc) {
			*stop = true;
			break;
		}
	}
	return n;
}

int fc_probe_poll(struct fc_probe *p, int timeout_ms, fc_probe_cb cb, void *ctx)
{
	if (!p)
		return -1;
	uint64_t deadline = now_ns(CLOCK_MONOTONIC) + (timeout_ms > 0 ? (uint64_t)timeout_ms * 1000000ull : 0);
	useconds_t nap = 500;
	for (;;) {
		bool stop = false;
		long n = drain(p, cb, ctx, FC_POLL_BATCH, &stop);
		if (n > 0 || stop)
			return (int)n;
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		if (now >= deadline)
			return 0;
		/* Producers never wake us (BPF_RB_NO_WAKEUP keeps the kernel side cheap): back off
		 * from 0.5 ms to 30 ms while the rings stay empty. */
		uint64_t left_us = (deadline - now) / 1000;
		usleep(left_us < nap ? (useconds_t)left_us + 1 : nap);
		if (nap < 30000)
			nap *= 2;
	}
}

/* ---- open / close ---- */

/* The probe drops this process's syscalls. In the initial pid namespace getpid() is the tgid
 * the kernel sees; in another one the probe translates through that namespace (its nsfs
 * dev/inode), as the plain tgid would not match. */
#define FC_PROC_PID_INIT_INO 0xEFFFFFFCu
static void drop_self(struct fc_probe *p)
{
	struct stat st;
	uint64_t dev = 0, ino = 0;
	if (stat("/proc/self/ns/pid", &st) == 0 && st.st_ino != FC_PROC_PID_INIT_INO) {
		dev = st.st_dev;
		ino = st.st_ino;
	}
	p->skel->bss->fc_own_dev = dev;
	p->skel->bss->fc_own_ino = ino;
	__atomic_store_n(&p->skel->bss->fc_own_tgid, (uint32_t)getpid(), __ATOMIC_RELEASE);
}

int fc_probe_open(const struct fc_probe_opts *o, struct fc_probe **out, char *err, size_t errlen)
{
	struct fc_probe_opts def = {0};
	if (!o)
		o = &def;
	*out = NULL;
	uint32_t ring_bytes = o->ring_bytes ? o->ring_bytes : FC_DEFAULT_RING_BYTES;
	long page = sysconf(_SC_PAGESIZE);
	if ((ring_bytes & (ring_bytes - 1)) != 0 || ring_bytes < 2 * (uint32_t)page)
		return fail(err, errlen, "ring_bytes %u must be a power of two of at least 2 pages", ring_bytes);
	if (check_support(err, errlen))
		return -1;

	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	struct fc_probe *p = calloc(1, sizeof(*p));
	if (!p)
		return fail(err, errlen, "out of memory");
	p->page = (size_t)page;
	p->ring_bytes = ring_bytes;
	char *logbuf = calloc(1, FC_LOG_CAP);
	fc_log = logbuf;
	fc_log_len = 0;
	fc_log_prog[0] = 0;
	libbpf_print_fn_t prev = libbpf_set_print(fc_libbpf_print);
	int tmpl = -1;

	int ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		fail(err, errlen, "cannot count CPUs: %s", strerror(-ncpus));
		goto bad;
	}
	p->ncpus = (uint32_t)ncpus;
	p->skel = probe_bpf__open();
	if (!p->skel) {
		fail(err, errlen, "cannot open the probe object: %s", strerror(errno));
		goto bad;
	}
	struct probe_bpf *s = p->skel;
	s->rodata->fc_boot_time = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_BOOTTIME);
	s->rodata->fc_page_shift = (uint32_t)__builtin_ctzl((unsigned long)page);
	for (size_t i = 0; i < fc_nsyscalls; i++) {
		int nr = FC_HOST_NR(&fc_syscalls[i]);
		if (nr >= 0 && nr < FC_SYSCALL_SLOTS)
			s->rodata->fc_ppm_sc[nr] = fc_syscalls[i].ppm_sc;
	}
	if (o->fork_tracepoint)
		s->rodata->fc_need_sched_fork = 1;
	p->need_fork = s->rodata->fc_need_sched_fork != 0;
	if (bpf_map__set_max_entries(s->maps.fc_aux, p->ncpus * FC_AUX_PER_CPU) ||
	    bpf_map__set_max_entries(s->maps.fc_rings, p->ncpus)) {
		fail(err, errlen, "cannot size the probe maps");
		goto bad;
	}
	tmpl = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "fc_ring_tmpl", 0, 0, ring_bytes, NULL);
	if (tmpl < 0) {
		if (errno == EPERM)
			fail(err, errlen, "permission denied: run as root or grant CAP_BPF+CAP_PERFMON");
		else
			fail(err, errlen, "cannot create a %u-byte ring buffer: %s", ring_bytes, strerror(errno));
		goto bad;
	}
	bpf_map__set_inner_map_fd(s->maps.fc_rings, tmpl);
	int rc = probe_bpf__load(s);
	if (rc) {
		char *nl = strchr(fc_log_prog, '\n');
		if (nl)
			*nl = 0;
		fail(err, errlen, "the kernel rejected the probe (%s): %s%s%s", strerror(-rc),
		     logbuf ? last_log_line(logbuf) : "", fc_log_prog[0] ? "; " : "", fc_log_prog);
		goto bad;
	}
	close(tmpl);
	tmpl = -1;
	if (route_programs(p, err, errlen) || make_rings(p, o->cpus_per_ring, err, errlen) ||
	    apply_kprog(p, o->kprog, err, errlen) || apply_selection(p, o->ksel, o->nksel, err, errlen))
		goto bad;
	if (o->drop_self)
		drop_self(p);
	p->load_ns = now_ns(CLOCK_MONOTONIC) - t0;
	libbpf_set_print(prev);
	fc_log = NULL;
	free(logbuf);
	*out = p;
	return 0;
bad:
	if (tmpl >= 0)
		close(tmpl);
	libbpf_set_print(prev);
	fc_log = NULL;
	free(logbuf);
	fc_probe_close(p);
	return -1;
}

int fc_probe_set_selection(struct fc_probe *p, const uint64_t *ksel, uint32_t nksel)
{
	if (!p)
		return -1;
	return apply_selection(p, ksel, nksel, NULL, 0);
}

bool fc_probe_selected(const struct fc_probe *p, int nr)
{
	return p && nr >= 0 && nr < FC_SYSCALL_SLOTS && __atomic_load_n(&p->skel->bss->fc_sel[nr], __ATOMIC_RELAXED);
}

void fc_probe_stats(const struct fc_probe *p, struct fc_probe_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!p)
		return;
	out->ncpus = p->ncpus;
	out->nrings = p->nrings;
	out->bad = p->bad;
	out->delivered = p->delivered;
	struct fc_counters *c = calloc(p->ncpus, sizeof(*c));
	uint32_t key = 0;
	if (c && bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.fc_counters), &key, c) == 0) {
		for (uint32_t i = 0; i < p->ncpus; i++) {
			out->seen += c[i].seen;
			out->sent += c[i].sent;
			out->filtered += c[i].filtered;
			out->drops_max_size += c[i].drops_max_size;
			out->drops_noring += c[i].drops_noring;
			out->build_err += c[i].build_err;
			out->compat += c[i].compat;
			out->own += c[i].own;
			for (int k = 0; k < FC_DROP_MAX_; k++) {
				out->drops_by_cat[k] += c[i].drops_buf[k];
				out->drops_buffer += c[i].drops_buf[k];
			}
		}
	}
	free(c);
}

uint64_t fc_probe_load_ns(const struct fc_probe *p)
{
	return p ? p->load_ns : 0;
}

const char *fc_probe_dropcat_name(unsigned i)
{
	return i < FC_DROP_MAX_ ? dropcat_names[i] : NULL;
}

void fc_probe_close(struct fc_probe *p)
{
	if (!p)
		return;
	bpf_link__destroy(p->l_sys);
	bpf_link__destroy(p->l_exec);
	bpf_link__destroy(p->l_fork);
	bpf_link__destroy(p->l_exit);
	for (uint32_t i = 0; p->rings && i < p->nrings; i++) {
		if (p->rings[i].cons_page)
			munmap(p->rings[i].cons_page, p->page);
		if (p->rings[i].prod_page)
			munmap(p->rings[i].prod_page, p->rings[i].map_len);
	}
	for (uint32_t i = 0; p->ring_fds && i < p->nrings; i++)
		if (p->ring_fds[i] >= 0)
			close(p->ring_fds[i]);
	free(p->rings);
	free(p->ring_fds);
	probe_bpf__destroy(p->skel);
	free(p);
}

#else /* !FC_HAVE_PROBE */

#define FC_NOT_BUILT "this build has no eBPF probe (clang, bpftool and libbpf >= 1.0 were missing at build time; see scripts/deps)"

int fc_probe_open(const struct fc_probe_opts *o, struct fc_probe **out, char *err, size_t errlen)
{
	(void)o;
	*out = NULL;
	if (err && errlen)
		snprintf(err, errlen, "%s", FC_NOT_BUILT);
	return -1;
}

int fc_probe_poll(struct fc_probe *p, int timeout_ms, fc_probe_cb cb, void *ctx)
{
	(void)p, (void)timeout_ms, (void)cb, (void)ctx;
	return -1;
}

int fc_probe_set_selection(struct fc_probe *p, const uint64_t *ksel, uint32_t nksel)
{
	(void)p, (void)ksel, (void)nksel;
	return -1;
}

void fc_probe_stats(const struct fc_probe *p, struct fc_probe_stats *out)
{
	(void)p;
	memset(out, 0, sizeof(*out));
}

void fc_probe_close(struct fc_probe *p)
{
	(void)p;
}

const char *fc_probe_dropcat_name(unsigned i)
{
	(void)i;
	return NULL;
}

uint64_t fc_probe_load_ns(const struct fc_probe *p)
{
	(void)p;
	return 0;
}

bool fc_probe_selected(const struct fc_probe *p, int nr)
{
	(void)p, (void)nr;
	return false;
}

int fc_probe_set_kprog(struct fc_probe *p, const struct fc_kprog_set *s, char *err, size_t errlen)
{
	(void)p, (void)s;
	if (err && errlen)
		snprintf(err, errlen, "%s", FC_NOT_BUILT);
	return -1;
}

uint32_t fc_probe_kprog_count(const struct fc_probe *p)
{
	(void)p;
	return 0;
}

#endif
