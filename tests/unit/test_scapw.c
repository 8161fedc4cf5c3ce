/* test_scapw.c — unit tests for the capture writer (runtime/scapw.c).
 *
 * Owned by the events work (issue 4). The writer's output is checked with the project's own
 * reader (capture.h): every shared capture is read, written out (gzip and plain) and read back
 * in lockstep with the original, item by item (process entries field by field, fd entries,
 * events parameter by parameter); a synthetic capture covers every fd entry type and process
 * field; block framing is checked on the raw bytes; refusals and errors are exercised.
 * (tests/cli/scap_sysdig.sh checks the same files with sysdig.) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "scapw.h"

#define SAMPLES FC_SOURCE_DIR "/../shared/captures"

static char tmpdir[256];

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/scapw_test_XXXXXX", FC_BINARY_DIR);
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_expect_eq(system(cmd), 0);
}

static const char *tmp(const char *name)
{
	static char p[2][512];
	static int k;
	char *o = p[k++ % 2];
	snprintf(o, 512, "%s/%s", tmpdir, name);
	return o;
}

static bool str_eq(struct fc_cap_str a, struct fc_cap_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static void expect_proc_eq(const struct fc_cap_proc *a, const struct fc_cap_proc *b, unsigned i)
{
	cr_assert_eq(a->tid, b->tid, "proc %u", i);
	cr_expect_eq(a->pid, b->pid);
	cr_expect_eq(a->ptid, b->ptid);
	cr_expect_eq(a->sid, b->sid);
	cr_expect_eq(a->vpgid, b->vpgid);
	cr_expect(str_eq(a->comm, b->comm), "proc %u comm", i);
	cr_expect(str_eq(a->exe, b->exe));
	cr_expect(str_eq(a->exepath, b->exepath));
	cr_expect(str_eq(a->args, b->args));
	cr_expect(str_eq(a->cwd, b->cwd));
	cr_expect_eq(a->fdlimit, b->fdlimit);
	cr_expect_eq(a->flags, b->flags);
	cr_expect_eq(a->uid, b->uid);
	cr_expect_eq(a->gid, b->gid);
	cr_expect_eq(a->vmsize_kb, b->vmsize_kb);
	cr_expect_eq(a->vmrss_kb, b->vmrss_kb);
	cr_expect_eq(a->vmswap_kb, b->vmswap_kb);
	cr_expect_eq(a->pfmajor, b->pfmajor);
	cr_expect_eq(a->pfminor, b->pfminor);
	cr_expect(str_eq(a->env, b->env));
	cr_expect_eq(a->vtid, b->vtid);
	cr_expect_eq(a->vpid, b->vpid);
	cr_expect(str_eq(a->cgroups, b->cgroups));
	cr_expect(str_eq(a->root, b->root));
	cr_expect_eq(a->pidns_init_start_ts, b->pidns_init_start_ts);
	cr_expect_eq(a->tty, b->tty);
	cr_expect_eq(a->loginuid, b->loginuid);
	cr_expect_eq(a->exe_writable, b->exe_writable);
	cr_expect_eq(a->exe_upper_layer, b->exe_upper_layer);
	cr_expect_eq(a->exe_from_memfd, b->exe_from_memfd);
	cr_expect_eq(a->exe_lower_layer, b->exe_lower_layer);
	cr_expect_eq(a->cap_inheritable, b->cap_inheritable);
	cr_expect_eq(a->cap_permitted, b->cap_permitted);
	cr_expect_eq(a->cap_effective, b->cap_effective);
	cr_expect_eq(a->exe_ino, b->exe_ino);
	cr_expect_eq(a->exe_ino_ctime, b->exe_ino_ctime);
	cr_expect_eq(a->exe_ino_mtime, b->exe_ino_mtime);
	cr_expect_eq(a->pgid, b->pgid);
	cr_expect_eq(b->version, 9, "written as PL v9");
}

static void expect_fd_eq(const struct fc_cap_fd *a, const struct fc_cap_fd *b, unsigned i)
{
	cr_assert_eq(a->tid, b->tid, "fd %u", i);
	cr_expect_eq(a->fd, b->fd);
	cr_expect_eq(a->ino, b->ino);
	cr_assert_eq(a->type, b->type, "fd %u type", i);
	cr_expect_eq(a->l4proto, b->l4proto);
	cr_expect_eq(a->sport, b->sport);
	cr_expect_eq(a->dport, b->dport);
	cr_expect_eq(memcmp(a->sip, b->sip, 16), 0, "fd %u sip", i);
	cr_expect_eq(memcmp(a->dip, b->dip, 16), 0);
	cr_expect_eq(a->unix_src, b->unix_src);
	cr_expect_eq(a->unix_dst, b->unix_dst);
	cr_expect_eq(a->open_flags, b->open_flags);
	cr_expect_eq(a->has_dev, b->has_dev);
	cr_expect_eq(a->dev, b->dev);
	cr_expect(str_eq(a->name, b->name), "fd %u name", i);
	cr_expect_eq(b->version, 2, "written as FDL v2");
}

static void expect_ev_eq(const struct fc_cap_event *a, const struct fc_cap_event *b, unsigned i)
{
	cr_assert_eq(a->evt.type, b->evt.type, "event %u", i);
	cr_expect_eq(a->cpuid, b->cpuid);
	cr_expect_eq(a->evt.ts, b->evt.ts);
	cr_expect_eq(a->evt.tid, b->evt.tid);
	cr_assert_eq(a->evt.nparams, b->evt.nparams, "event %u nparams", i);
	for (unsigned k = 0; k < a->evt.nparams; k++) {
		cr_assert_eq(a->evt.plen[k], b->evt.plen[k], "event %u param %u", i, k);
		cr_expect(a->evt.plen[k] == 0 || memcmp(a->evt.pval[k], b->evt.pval[k], a->evt.plen[k]) == 0,
			  "event %u param %u bytes", i, k);
	}
	cr_expect_eq(b->evt.hdr_len, FC_EVT_HDR_LEN);
	bool large = fc_events[b->evt.type].flags & FC_EF_LARGE_PAYLOAD;
	cr_expect_eq(b->block_type, large ? (uint32_t)FC_BLK_EV_V2_LARGE : (uint32_t)FC_BLK_EV_V2);
}

/* Writes every item of IN to OUT. */
static void rewrite(const char *in, const char *out, bool gz, struct fc_scapw_stats *st)
{
	char err[512];
	struct fc_capture *cap;
	struct fc_scapw *w;
	cr_assert_eq(fc_capture_open(in, &cap, err, sizeof err), 0, "%s", err);
	cr_assert_eq(fc_scapw_open(out, gz, &w, err, sizeof err), 0, "%s", err);
	if (fc_capture_machine(cap)->present)
		cr_assert_eq(fc_scapw_machine(w, fc_capture_machine(cap)), 0);
	struct fc_cap_item it;
	int r;
	while ((r = fc_capture_next(cap, &it)) == 1) {
		if (it.kind == FC_CAP_PROC)
			r = fc_scapw_proc(w, &it.proc);
		else if (it.kind == FC_CAP_FD)
			r = fc_scapw_fd(w, &it.fd);
		else
			r = fc_scapw_event(w, &it.ev.evt, it.ev.cpuid);
		cr_assert_eq(r, 0, "%s", fc_scapw_error(w));
	}
	cr_assert_eq(r, 0, "%s", fc_capture_error(cap));
	*st = *fc_scapw_stats(w);
	cr_assert_eq(fc_scapw_close(w, err, sizeof err), 0, "%s", err);
	fc_capture_close(cap);
}

/* Reads A and B in lockstep; every item must match. Returns the number of items. */
static unsigned compare(const char *a, const char *b)
{
	char err[512];
	struct fc_capture *ca, *cb;
	cr_assert_eq(fc_capture_open(a, &ca, err, sizeof err), 0, "%s", err);
	cr_assert_eq(fc_capture_open(b, &cb, err, sizeof err), 0, "%s", err);
	const struct fc_cap_machine *ma = fc_capture_machine(ca), *mb = fc_capture_machine(cb);
	cr_expect_eq(ma->present, mb->present);
	if (ma->present) {
		cr_expect_eq(ma->num_cpus, mb->num_cpus);
		cr_expect_eq(ma->memory_size_bytes, mb->memory_size_bytes);
		cr_expect_eq(ma->max_pid, mb->max_pid);
		cr_expect_str_eq(ma->hostname, mb->hostname);
		cr_expect_eq(ma->boot_ts_epoch, mb->boot_ts_epoch);
		cr_expect_eq(ma->flags, mb->flags);
	}
	unsigned maj, min;
	fc_capture_version(cb, &maj, &min);
	cr_expect_eq(maj, 1);
	cr_expect_eq(min, 2);
	static struct fc_cap_item ia, ib;
	unsigned n = 0;
	for (;;) {
		int ra = fc_capture_next(ca, &ia), rb = fc_capture_next(cb, &ib);
		cr_assert_eq(ra, rb, "item %u: %s / %s", n, fc_capture_error(ca), fc_capture_error(cb));
		if (ra <= 0) {
			cr_assert_eq(ra, 0);
			break;
		}
		cr_assert_eq(ia.kind, ib.kind, "item %u kind", n);
		if (ia.kind == FC_CAP_PROC)
			expect_proc_eq(&ia.proc, &ib.proc, n);
		else if (ia.kind == FC_CAP_FD)
			expect_fd_eq(&ia.fd, &ib.fd, n);
		else
			expect_ev_eq(&ia.ev, &ib.ev, n);
		n++;
	}
	cr_expect_eq(fc_capture_stats(cb)->events_malformed, 0);
	cr_expect_eq(fc_capture_stats(ca)->events, fc_capture_stats(cb)->events);
	fc_capture_close(ca);
	fc_capture_close(cb);
	return n;
}

static void roundtrip(const char *name, unsigned long min_items)
{
	struct stat st;
	if (stat(SAMPLES, &st) != 0)
		cr_skip_test("sample captures not found at %s: skipped", SAMPLES);
	char in[512];
	snprintf(in, sizeof in, "%s/%s", SAMPLES, name);
	struct fc_scapw_stats ws;
	for (int gz = 0; gz < 2; gz++) {
		const char *out = tmp(gz ? "rt.gz.scap" : "rt.scap");
		rewrite(in, out, gz, &ws);
		unsigned n = compare(in, out);
		cr_expect_geq(n, min_items, "%s: %u items", name, n);
		cr_expect_eq(n, ws.procs + ws.fds + ws.events);
		char err[512];
		struct fc_capture *c;
		cr_assert_eq(fc_capture_open(out, &c, err, sizeof err), 0);
		cr_expect_eq(fc_capture_compressed(c), gz != 0);
		fc_capture_close(c);
	}
}

TestSuite(scapw, .init = setup, .fini = teardown);

Test(scapw, roundtrip_cat_write)
{
	roundtrip("falco_cat_write.scap", 73 + 345);
}

Test(scapw, roundtrip_psp_run_as_user_0)
{
	roundtrip("falco_psp_run_as_user_0_container.scap", 4000);
}

Test(scapw, roundtrip_libs_sample)
{
	roundtrip("libs_sample.scap", 500);
}

Test(scapw, roundtrip_single_ipv6_conn)
{
	roundtrip("libs_single_ipv6_conn.scap", 1728);
}

/* ---- synthetic: every fd type, every process field, large events ---- */

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static struct fc_evt mkev(uint8_t *buf, uint16_t type, uint32_t n, const uint32_t *lens, uint8_t fill)
{
	bool large = fc_events[type].flags & FC_EF_LARGE_PAYLOAD;
	unsigned lsz = large ? 4 : 2;
	size_t len = 26 + (size_t)n * lsz;
	for (uint32_t i = 0; i < n; i++)
		len += lens[i];
	put(buf, 123456789, 8);
	put(buf + 8, 77, 8);
	put(buf + 16, len, 4);
	put(buf + 20, type, 2);
	put(buf + 22, n, 4);
	uint8_t *v = buf + 26 + (size_t)n * lsz;
	for (uint32_t i = 0; i < n; i++) {
		put(buf + 26 + i * lsz, lens[i], lsz);
		memset(v, fill, lens[i]);
		v += lens[i];
	}
	struct fc_evt e;
	cr_assert_eq(fc_evt_decode(buf, len, &e), FC_EVT_OK);
	return e;
}

Test(scapw, synthetic_every_fd_type_and_field)
{
	char err[512];
	const char *path = tmp("syn.scap");
	struct fc_scapw *w;
	cr_assert_eq(fc_scapw_open(path, false, &w, err, sizeof err), 0, "%s", err);
	struct fc_cap_machine mi = {.present = true, .num_cpus = 64, .memory_size_bytes = 1ull << 40,
				    .max_pid = 4194304, .boot_ts_epoch = 42, .flags = 3};
	memset(mi.hostname, 'h', 128); /* a full 128-byte name: stored without terminator */
	cr_assert_eq(fc_scapw_machine(w, &mi), 0);

	struct fc_cap_proc p;
	memset(&p, 0, sizeof p);
	p.tid = 100, p.pid = 99, p.ptid = 1, p.sid = -5, p.vpgid = 7;
	p.comm = (struct fc_cap_str){"comm", 4};
	p.exe = (struct fc_cap_str){"exe", 3};
	p.exepath = (struct fc_cap_str){"/usr/bin/exe", 12};
	p.args = (struct fc_cap_str){"a\0b\0", 4};
	p.cwd = (struct fc_cap_str){"/", 1};
	p.env = (struct fc_cap_str){"A=1\0B=2\0", 8};
	p.cgroups = (struct fc_cap_str){"cpu=/x\0", 7};
	p.root = (struct fc_cap_str){"/", 1};
	p.fdlimit = 1 << 20, p.flags = 0x10, p.uid = 1000, p.gid = 1001;
	p.vmsize_kb = 1, p.vmrss_kb = 2, p.vmswap_kb = 3, p.pfmajor = 4, p.pfminor = 5;
	p.vtid = 10, p.vpid = 11, p.pidns_init_start_ts = 12, p.tty = 34816, p.loginuid = 1000;
	p.exe_writable = 1, p.exe_upper_layer = 1, p.exe_from_memfd = 1, p.exe_lower_layer = 1;
	p.cap_inheritable = 1, p.cap_permitted = 2, p.cap_effective = 3;
	p.exe_ino = 6, p.exe_ino_ctime = 7, p.exe_ino_mtime = 8, p.pgid = 9;
	cr_assert_eq(fc_scapw_proc(w, &p), 0);
	struct fc_cap_proc p2 = p;
	p2.tid = 101;
	p2.comm = (struct fc_cap_str){"", 0};
	cr_assert_eq(fc_scapw_proc(w, &p2), 0);

	static const uint8_t types[] = {FC_FD_UNKNOWN, FC_FD_FILE, FC_FD_DIRECTORY, FC_FD_IPV4_SOCK,
					FC_FD_IPV6_SOCK, FC_FD_IPV4_SERVSOCK, FC_FD_IPV6_SERVSOCK,
					FC_FD_FIFO, FC_FD_UNIX_SOCK, FC_FD_EVENT, FC_FD_UNSUPPORTED,
					FC_FD_SIGNALFD, FC_FD_EVENTPOLL, FC_FD_INOTIFY, FC_FD_TIMERFD,
					FC_FD_NETLINK, FC_FD_FILE_V2, FC_FD_BPF, FC_FD_USERFAULTFD,
					FC_FD_IOURING, FC_FD_MEMFD, FC_FD_PIDFD, 200};
	struct fc_cap_fd fds[sizeof types];
	for (unsigned i = 0; i < sizeof types; i++) {
		struct fc_cap_fd *f = &fds[i];
		memset(f, 0, sizeof *f);
		f->tid = i < 10 ? 100 : 101; /* two threads: two FDL blocks */
		f->fd = (int64_t)i;
		f->ino = 1000 + i;
		f->type = types[i];
		f->name = (struct fc_cap_str){"", 0};
		switch (f->type) {
		case FC_FD_IPV4_SOCK:
		case FC_FD_IPV6_SOCK:
			memset(f->dip, 0xd0, f->type == FC_FD_IPV4_SOCK ? 4 : 16);
			f->dport = 443;
			/* fall through */
		case FC_FD_IPV4_SERVSOCK:
		case FC_FD_IPV6_SERVSOCK:
			memset(f->sip, 0x5a, f->type == FC_FD_IPV4_SOCK || f->type == FC_FD_IPV4_SERVSOCK ? 4 : 16);
			f->sport = 8080;
			f->l4proto = 1;
			break;
		case FC_FD_UNIX_SOCK:
			f->unix_src = 0xffff888800000001ull;
			f->unix_dst = 0xffff888800000002ull;
			f->name = (struct fc_cap_str){"/run/s.sock", 11};
			break;
		case FC_FD_FILE_V2:
			f->open_flags = 0x1001;
			f->dev = 0x803;
			f->has_dev = true;
			f->name = (struct fc_cap_str){"/etc/passwd", 11};
			break;
		case FC_FD_UNKNOWN:
		case 200:
			break;
		default:
			f->name = (struct fc_cap_str){"anon_inode:[x]", 14};
		}
		cr_assert_eq(fc_scapw_fd(w, f), 0);
	}

	uint8_t *buf = malloc(300000);
	uint32_t l2[2] = {8, 8};
	struct fc_evt e = mkev(buf, FC_PPME_SYSCALL_CLOSE_X, 2, l2, 1);
	cr_assert_eq(fc_scapw_event(w, &e, 3), 0);
	uint32_t l3[3] = {4, 10, 200000}; /* asyncevent: large payload */
	e = mkev(buf, FC_PPME_ASYNCEVENT_E, 3, l3, 0x41);
	cr_assert_eq(fc_scapw_event(w, &e, 0), 0);
	uint32_t lw[4] = {8, 65500, 8, 4}; /* a non-large event over 64 KB: refused */
	e = mkev(buf, FC_PPME_SYSCALL_WRITE_X, 4, lw, 2);
	cr_expect_eq(fc_scapw_event(w, &e, 0), -1);
	cr_expect_neq(strstr(fc_scapw_error(w), "64 KB"), NULL);
	struct fc_evt bad = e;
	bad.type = FC_EVENT_MAX;
	cr_expect_eq(fc_scapw_event(w, &bad, 0), -1);
	cr_expect_eq(fc_scapw_machine(w, &mi), -1, "machine info after other items");
	const struct fc_scapw_stats *ws = fc_scapw_stats(w);
	cr_expect_eq(ws->events, 2);
	cr_expect_eq(ws->events_refused, 2);
	cr_expect_eq(ws->procs, 2);
	cr_expect_eq(ws->fds, sizeof types);
	cr_assert_eq(fc_scapw_close(w, err, sizeof err), 0, "%s", err);

	/* Read back. */
	struct fc_capture *c;
	cr_assert_eq(fc_capture_open(path, &c, err, sizeof err), 0, "%s", err);
	cr_expect_not(fc_capture_compressed(c));
	const struct fc_cap_machine *m = fc_capture_machine(c);
	cr_expect(m->present);
	cr_expect_eq(m->num_cpus, 64);
	cr_expect_eq(strlen(m->hostname), 128);
	cr_expect_eq(m->flags, 3);
	static struct fc_cap_item it;
	cr_assert_eq(fc_capture_next(c, &it), 1);
	cr_assert_eq(it.kind, FC_CAP_PROC);
	expect_proc_eq(&p, &it.proc, 0);
	cr_assert_eq(fc_capture_next(c, &it), 1);
	expect_proc_eq(&p2, &it.proc, 1);
	for (unsigned i = 0; i < sizeof types; i++) {
		cr_assert_eq(fc_capture_next(c, &it), 1);
		cr_assert_eq(it.kind, FC_CAP_FD);
		expect_fd_eq(&fds[i], &it.fd, i);
	}
	cr_assert_eq(fc_capture_next(c, &it), 1);
	cr_assert_eq(it.kind, FC_CAP_EVENT);
	cr_expect_eq(it.ev.cpuid, 3);
	cr_expect_eq(it.ev.evt.type, FC_PPME_SYSCALL_CLOSE_X);
	cr_assert_eq(fc_capture_next(c, &it), 1);
	cr_expect_eq(it.ev.block_type, FC_BLK_EV_V2_LARGE);
	cr_expect_eq(it.ev.evt.plen[2], 200000);
	cr_expect_eq(fc_capture_next(c, &it), 0);
	const struct fc_cap_stats *rs = fc_capture_stats(c);
	cr_expect_eq(rs->blocks, 1 + 1 + 1 + 2 + 2, "SHB, MI, PL, 2 FDL, 2 EV");
	cr_expect_eq(rs->events_malformed, 0);
	fc_capture_close(c);
	free(buf);
}

/* libscap's reader refuses a whole capture when one process field is longer than it takes
 * (sysdig: "invalid argslen 8187", seen on a CI host with an 8 KB command line): the writer cuts
 * each field to that limit, counts the cuts, and our reader sees the cut strings. */
Test(scapw, oversized_table_strings_cut_to_libscap_limits)
{
	char err[512];
	const char *path = tmp("big.scap");
	struct fc_scapw *w;
	cr_assert_eq(fc_scapw_open(path, true, &w, err, sizeof err), 0, "%s", err);
	static char big[9000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	struct fc_cap_proc p;
	memset(&p, 0, sizeof p);
	p.tid = p.pid = 7;
	p.comm = (struct fc_cap_str){big, 1025};
	p.exe = (struct fc_cap_str){big, 1024}; /* exactly at the limit: kept */
	p.exepath = (struct fc_cap_str){big, 2000};
	p.args = (struct fc_cap_str){big, 8187};
	p.cwd = (struct fc_cap_str){big, 1500};
	p.env = (struct fc_cap_str){big, 9000};
	p.cgroups = (struct fc_cap_str){big, 4096};
	p.root = (struct fc_cap_str){big, 1100};
	cr_assert_eq(fc_scapw_proc(w, &p), 0);
	struct fc_cap_fd f = {.tid = 7, .fd = 3, .type = FC_FD_FILE_V2, .name = {big, 1024}};
	cr_assert_eq(fc_scapw_fd(w, &f), 0);
	struct fc_cap_fd f2 = {.tid = 7, .fd = 4, .type = FC_FD_UNIX_SOCK, .name = {big, 1023}};
	cr_assert_eq(fc_scapw_fd(w, &f2), 0);
	cr_expect_eq(fc_scapw_stats(w)->truncated, 7, "comm exepath args cwd env root, fd 3's name");
	/* Tables after an event: refused, since libscap stops reading at such a block. */
	uint8_t eb[64];
	uint32_t l2[2] = {8, 8};
	struct fc_evt e = mkev(eb, FC_PPME_SYSCALL_CLOSE_X, 2, l2, 1);
	cr_assert_eq(fc_scapw_event(w, &e, 0), 0);
	cr_expect_eq(fc_scapw_proc(w, &p), -1);
	cr_expect_neq(strstr(fc_scapw_error(w), "process entries must come before the first event"), NULL, "%s",
		      fc_scapw_error(w));
	cr_expect_eq(fc_scapw_fd(w, &f), -1);
	cr_expect_neq(strstr(fc_scapw_error(w), "fd entries must come before the first event"), NULL);
	cr_assert_eq(fc_scapw_close(w, err, sizeof err), 0, "%s", err);

	struct fc_capture *c;
	cr_assert_eq(fc_capture_open(path, &c, err, sizeof err), 0, "%s", err);
	static struct fc_cap_item it;
	cr_assert_eq(fc_capture_next(c, &it), 1);
	cr_assert_eq(it.kind, FC_CAP_PROC);
	cr_expect_eq(it.proc.comm.len, 1024);
	cr_expect_eq(it.proc.exe.len, 1024);
	cr_expect_eq(it.proc.exepath.len, 1024);
	cr_expect_eq(it.proc.args.len, 4096);
	cr_expect_eq(it.proc.cwd.len, 1024);
	cr_expect_eq(it.proc.env.len, 4096);
	cr_expect_eq(it.proc.cgroups.len, 4096);
	cr_expect_eq(it.proc.root.len, 1024);
	cr_expect(str_eq(it.proc.args, (struct fc_cap_str){big, 4096}), "a prefix of the original");
	cr_assert_eq(fc_capture_next(c, &it), 1);
	cr_assert_eq(it.kind, FC_CAP_FD);
	cr_expect_eq(it.fd.name.len, 1023);
	cr_assert_eq(fc_capture_next(c, &it), 1);
	cr_expect_eq(it.fd.name.len, 1023);
	cr_assert_eq(fc_capture_next(c, &it), 1);
	cr_expect_eq(it.kind, FC_CAP_EVENT);
	cr_expect_eq(fc_capture_next(c, &it), 0);
	fc_capture_close(c);
}

Test(scapw, block_framing_bytes)
{
	char err[512];
	const char *path = tmp("frame.scap");
	struct fc_scapw *w;
	cr_assert_eq(fc_scapw_open(path, false, &w, err, sizeof err), 0);
	uint8_t buf[64];
	uint32_t l[1] = {8};
	struct fc_evt e = mkev(buf, FC_PPME_SYSCALL_CLOSE_X, 1, l, 0);
	cr_assert_eq(fc_scapw_event(w, &e, 1), 0);
	cr_assert_eq(fc_scapw_close(w, err, sizeof err), 0);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f);
	uint8_t b[128];
	size_t n = fread(b, 1, sizeof b, f);
	fclose(f);
	/* SHB: 28 bytes, magic, 1.2, length -1, trailer */
	static const uint8_t shb[28] = {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a,
					1, 0, 2, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					28, 0, 0, 0};
	cr_assert_geq(n, 28 + 52);
	cr_expect_eq(memcmp(b, shb, 28), 0);
	/* EV v2: 0x216, total 12 + pad4(2 + 36) = 52 */
	const uint8_t *v = b + 28;
	cr_expect_eq(v[0] | v[1] << 8, 0x216);
	cr_expect_eq(v[4], 52);
	cr_expect_eq(v[8] | v[9] << 8, 1, "cpuid");
	cr_expect_eq(v[10 + 16], 36, "event length");
	cr_expect_eq(v[48], 52, "trailer repeats the length");
	cr_expect_eq(v[46], 0, "padding is zero");
	cr_expect_eq(n, 28 + 52);
}

Test(scapw, open_errors)
{
	char err[512] = "";
	struct fc_scapw *w = (struct fc_scapw *)1;
	cr_expect_eq(fc_scapw_open("/nonexistent-dir/x/y.scap", true, &w, err, sizeof err), -1);
	cr_expect_null(w);
	cr_expect_neq(strstr(err, "/nonexistent-dir/x/y.scap"), NULL, "%s", err);
	cr_expect_eq(fc_scapw_close(NULL, err, sizeof err), 0);
}
