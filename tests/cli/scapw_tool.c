/* scapw_tool.c — helper for tests/cli/scap_sysdig.sh (compiled by the script against the
 * build's libfcruntime.a): writes captures with runtime/scapw.c for sysdig to read.
 *   scapw_tool synth OUT N     machine info, one process, its fds, then N pairs of
 *                              openat/close exit events (current layouts); a second process
 *                              whose table strings exceed libscap's limits (an 8187-byte
 *                              command line, a 1500-byte fd name) closes that fd last (enter and exit)
 *   scapw_tool copy IN OUT GZ  rewrites capture IN item by item (GZ: 1 = gzip, 0 = plain)
 * Prints what it wrote; exit 1 on any error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "scapw.h"

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Builds an event of TYPE with the given parameters into BUF and decodes it into EV. */
static int build(uint8_t *buf, size_t cap, uint16_t type, uint64_t ts, uint64_t tid, unsigned n,
		 const void *const *vals, const uint32_t *lens, struct fc_evt *ev)
{
	size_t len = 26 + 2 * (size_t)n;
	for (unsigned i = 0; i < n; i++)
		len += lens[i];
	if (len > cap)
		return -1;
	put(buf, ts, 8);
	put(buf + 8, tid, 8);
	put(buf + 16, len, 4);
	put(buf + 20, type, 2);
	put(buf + 22, n, 4);
	uint8_t *v = buf + 26 + 2 * n;
	for (unsigned i = 0; i < n; i++) {
		put(buf + 26 + 2 * i, lens[i], 2);
		memcpy(v, vals[i], lens[i]);
		v += lens[i];
	}
	return fc_evt_decode(buf, len, ev);
}

static int synth(const char *out, int n)
{
	char err[512];
	struct fc_scapw *w;
	if (fc_scapw_open(out, true, &w, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct fc_cap_machine mi = {.present = true, .num_cpus = 2, .memory_size_bytes = 1u << 30,
				    .max_pid = 32768, .boot_ts_epoch = 1700000000000000000ull};
	strcpy(mi.hostname, "scapw-host");
	fc_scapw_machine(w, &mi);
	struct fc_cap_proc p = {0};
	p.tid = p.pid = 4242;
	p.ptid = 1;
	p.sid = p.vpgid = p.vtid = p.vpid = p.pgid = 4242;
	p.comm = (struct fc_cap_str){"scapwcat", 8};
	p.exe = (struct fc_cap_str){"/bin/cat", 8};
	p.exepath = p.exe;
	p.args = (struct fc_cap_str){"/etc/passwd", 12};
	p.cwd = (struct fc_cap_str){"/root/", 6};
	p.env = (struct fc_cap_str){"HOME=/root", 11};
	p.cgroups = (struct fc_cap_str){"cpu=/", 6};
	p.root = (struct fc_cap_str){"/", 1};
	p.fdlimit = 1024;
	p.loginuid = UINT32_MAX;
	fc_scapw_proc(w, &p);
	struct fc_cap_fd fd = {.tid = 4242, .fd = 1, .ino = 5, .type = FC_FD_FILE_V2,
			       .open_flags = 2, .name = {"/dev/pts/0", 10}};
	fc_scapw_fd(w, &fd);
	/* Oversized strings, as /proc gives them on a host running a long compiler command. */
	static char big[9000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = i % 9 == 8 ? '\0' : (char)('a' + i % 26);
	big[0] = '/';
	struct fc_cap_proc q = p;
	q.tid = q.pid = q.sid = q.vpgid = q.vtid = q.vpid = q.pgid = 4343;
	q.comm = (struct fc_cap_str){"bigargs", 7};
	q.args = (struct fc_cap_str){big, 8187};
	q.env = (struct fc_cap_str){big, 9000};
	q.cwd = (struct fc_cap_str){"/", 1};
	fc_scapw_proc(w, &q);
	static char bigname[1500];
	for (size_t i = 0; i < sizeof bigname; i++)
		bigname[i] = i % 100 == 0 ? '/' : 'n';
	struct fc_cap_fd bfd = {.tid = 4343, .fd = 7, .ino = 9, .type = FC_FD_FILE_V2, .name = {bigname, 1500}};
	fc_scapw_fd(w, &bfd);
	uint8_t buf[512];
	struct fc_evt ev;
	uint64_t ts = 1700000000000000000ull;
	for (int i = 0; i < n; i++) {
		int64_t fdv = 3, dirfd = -100, res = 0;
		uint32_t flags = 0x1001, mode = 0, dev = 0x803;
		uint64_t ino = 1000 + (uint64_t)i;
		const void *ov[] = {&fdv, &dirfd, "/etc/passwd", &flags, &mode, &dev, &ino};
		const uint32_t ol[] = {8, 8, 12, 4, 4, 4, 8};
		if (build(buf, sizeof buf, FC_PPME_SYSCALL_OPENAT_2_X, ts++, 4242, 7, ov, ol, &ev) ||
		    fc_scapw_event(w, &ev, 0))
			return fprintf(stderr, "openat event %d: %s\n", i, fc_scapw_error(w)), 1;
		const void *cv[] = {&res, &fdv};
		const uint32_t cl[] = {8, 8};
		if (build(buf, sizeof buf, FC_PPME_SYSCALL_CLOSE_X, ts++, 4242, 2, cv, cl, &ev) ||
		    fc_scapw_event(w, &ev, 1))
			return fprintf(stderr, "close event %d: %s\n", i, fc_scapw_error(w)), 1;
	}
	/* An enter and an exit: sysdig takes a close's fd from its enter event. */
	int64_t res = 0, fd7 = 7;
	const void *ev7[] = {&fd7};
	const uint32_t el[] = {8};
	if (build(buf, sizeof buf, FC_PPME_SYSCALL_CLOSE_E, ts++, 4343, 1, ev7, el, &ev) || fc_scapw_event(w, &ev, 0))
		return fprintf(stderr, "close enter event: %s\n", fc_scapw_error(w)), 1;
	const void *cv[] = {&res, &fd7};
	const uint32_t cl[] = {8, 8};
	if (build(buf, sizeof buf, FC_PPME_SYSCALL_CLOSE_X, ts++, 4343, 2, cv, cl, &ev) || fc_scapw_event(w, &ev, 0))
		return fprintf(stderr, "close event: %s\n", fc_scapw_error(w)), 1;
	unsigned long long cut = fc_scapw_stats(w)->truncated;
	if (fc_scapw_close(w, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("wrote %d events, %llu strings cut\n", 2 * n + 2, cut);
	return 0;
}

static int copy(const char *in, const char *out, bool gz)
{
	char err[512];
	struct fc_capture *cap;
	struct fc_scapw *w;
	if (fc_capture_open(in, &cap, err, sizeof err) || fc_scapw_open(out, gz, &w, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (fc_capture_machine(cap)->present)
		fc_scapw_machine(w, fc_capture_machine(cap));
	struct fc_cap_item it;
	int r;
	while ((r = fc_capture_next(cap, &it)) == 1) {
		if (it.kind == FC_CAP_PROC)
			r = fc_scapw_proc(w, &it.proc);
		else if (it.kind == FC_CAP_FD)
			r = fc_scapw_fd(w, &it.fd);
		else
			r = fc_scapw_event(w, &it.ev.evt, it.ev.cpuid);
		if (r) {
			fprintf(stderr, "%s\n", fc_scapw_error(w));
			return 1;
		}
	}
	if (r < 0) {
		fprintf(stderr, "%s\n", fc_capture_error(cap));
		return 1;
	}
	const struct fc_scapw_stats *st = fc_scapw_stats(w);
	printf("copied %llu processes, %llu fds, %llu events\n", (unsigned long long)st->procs,
	       (unsigned long long)st->fds, (unsigned long long)st->events);
	fc_capture_close(cap);
	if (fc_scapw_close(w, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "synth"))
		return synth(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "copy"))
		return copy(argv[2], argv[3], atoi(argv[4]) != 0);
	fprintf(stderr, "usage: scapw_tool synth OUT N | copy IN OUT GZ\n");
	return 2;
}
