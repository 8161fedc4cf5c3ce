/* test_evtfields.c — unit tests for the evt.* / syscall.* fields, Falco's parameter renderings
 * and the output value renderer (runtime/evtfields.c, runtime/flags.def).
 *
 * Owned by the events work (issue 4). Events are built in the current layout and decoded with
 * the real decoder; fields are resolved through the real catalog (fc_field_resolve), so the
 * tests exercise the same path as the VM. Times are checked under fixed time zones. A fake
 * resolver stands in for the state engine where Falco consults its thread and fd tables. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evtfields.h"

/* ------------------------------------------------------------------------------------------ */
/* helpers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

struct eb {
	uint16_t type;
	uint64_t ts, tid;
	unsigned n;
	uint8_t val[FC_EVT_MAX_PARAMS][600];
	uint32_t len[FC_EVT_MAX_PARAMS];
	uint8_t bytes[32768];
	struct fc_evt ev;
};

#define TS 1470327477881781397ull /* 2016-08-04T16:17:57.881781397Z */

static void eb_start(struct eb *b, uint16_t type)
{
	memset(b, 0, sizeof(*b));
	b->type = type;
	b->tid = 42;
	b->ts = TS;
}

static void eb_raw(struct eb *b, const void *p, uint32_t n)
{
	cr_assert_lt(b->n, FC_EVT_MAX_PARAMS);
	memcpy(b->val[b->n], p, n);
	b->len[b->n++] = n;
}

static void eb_int(struct eb *b, uint64_t v, unsigned size)
{
	uint8_t t[8];
	for (unsigned i = 0; i < size; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	eb_raw(b, t, size);
}

static void eb_str(struct eb *b, const char *s)
{
	eb_raw(b, s, (uint32_t)strlen(s) + 1);
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static const struct fc_evt *eb_done(struct eb *b)
{
	bool large = fc_events[b->type].flags & FC_EF_LARGE_PAYLOAD;
	unsigned lsz = large ? 4 : 2;
	size_t n = 26 + (size_t)b->n * lsz;
	for (unsigned i = 0; i < b->n; i++)
		n += b->len[i];
	put(b->bytes, b->ts, 8);
	put(b->bytes + 8, b->tid, 8);
	put(b->bytes + 16, n, 4);
	put(b->bytes + 20, b->type, 2);
	put(b->bytes + 22, b->n, 4);
	uint8_t *l = b->bytes + 26, *v = l + (size_t)b->n * lsz;
	for (unsigned i = 0; i < b->n; i++) {
		put(l + i * lsz, b->len[i], lsz);
		memcpy(v, b->val[i], b->len[i]);
		v += b->len[i];
	}
	int rc = fc_evt_decode(b->bytes, n, &b->ev);
	cr_assert_eq(rc, FC_EVT_OK, "test event does not decode: %s", fc_evt_strerror(rc));
	return &b->ev;
}

/* open exit: fd, name, flags, mode, dev, ino */
static const struct fc_evt *ev_open(struct eb *b, int64_t fd, const char *name, uint32_t flags)
{
	eb_start(b, FC_PPME_SYSCALL_OPEN_X);
	eb_int(b, (uint64_t)fd, 8);
	eb_str(b, name);
	eb_int(b, flags, 4);
	eb_int(b, 0644, 4);
	eb_int(b, 0x803, 4);
	eb_int(b, 1234, 8);
	return eb_done(b);
}

static char scratch_mem[1 << 16];
static struct fc_scratch scratch;
static struct fc_evt_ctx ctx;

static void setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	scratch = (struct fc_scratch){scratch_mem, sizeof scratch_mem, 0, 0};
	memset(&ctx, 0, sizeof ctx);
	ctx.num = 7;
	ctx.first_ts = TS - 2500000000ull;
	ctx.hostname = "node1";
	ctx.scratch = &scratch;
}

static struct fc_fieldspec spec(const char *name, const char *arg)
{
	struct fc_fieldref r;
	char err[256];
	cr_assert(fc_field_resolve(name, arg, &r, err, sizeof err), "%s: %s", name, err);
	static char args[64][256];
	static unsigned na;
	char *a = args[na++ % 64];
	strcpy(a, r.arg);
	struct fc_fieldspec f = {r.id, r.type, r.flags, r.has_arg, r.arg_is_index, r.index, a,
				 (uint32_t)strlen(a), -1};
	return f;
}

/* Extracts field NAME for EV and renders it; NULL when missing. */
static const char *field(const struct fc_evt *ev, const char *name)
{
	static char out[8][8192];
	static unsigned k;
	char *o = out[k++ % 8];
	struct fc_fieldspec f = spec(name, NULL);
	cr_assert(fc_evtfield_handles(f.id), "%s not handled", name);
	ctx.ev = ev;
	struct fc_val v;
	if (!fc_evtfield_extract(&ctx, &f, &v)) {
		cr_assert_eq(v.kind, FC_V_NONE, "%s: false with a value", name);
		return NULL;
	}
	fc_value_render(&v, f.type, o, 8192);
	return o;
}

static struct fc_val fval(const struct fc_evt *ev, const char *name)
{
	struct fc_fieldspec f = spec(name, NULL);
	ctx.ev = ev;
	struct fc_val v;
	fc_evtfield_extract(&ctx, &f, &v);
	return v;
}

#define EXPECT_FIELD(ev, name, want)                                                             \
	do {                                                                                       \
		const char *got_ = field((ev), (name));                                            \
		cr_expect(got_ && strcmp(got_, (want)) == 0, "%s: got [%s], want [%s]", (name),    \
			  got_ ? got_ : "(missing)", (want));                                      \
	} while (0)
#define EXPECT_MISSING(ev, name)                                                                 \
	do {                                                                                       \
		const char *got_ = field((ev), (name));                                            \
		cr_expect_null(got_, "%s: got [%s], want missing", (name), got_ ? got_ : "");      \
	} while (0)

/* ---- a fake state engine ---- */

static struct fc_fd_view fake_event_fd;
static bool fake_has_event_fd;

static bool r_event_fd(void *ud, struct fc_fd_view *out)
{
	(void)ud;
	if (fake_has_event_fd)
		*out = fake_event_fd;
	return fake_has_event_fd;
}

static bool r_fd(void *ud, int64_t fd, struct fc_fd_view *out)
{
	(void)ud;
	if (fd == 3) {
		*out = (struct fc_fd_view){1, 'f', 0, false, "/etc/passwd"};
		return true;
	}
	if (fd == 4) {
		*out = (struct fc_fd_view){3, '4', 1, false, "10.0.0.1:5000->10.0.0.2:80"};
		return true;
	}
	if (fd == 9) {
		*out = (struct fc_fd_view){2, 'd', 0, false, "/var/lib"};
		return true;
	}
	return false;
}

static bool r_comm(void *ud, int64_t tid, const char **out)
{
	(void)ud;
	if (tid != 1)
		return false;
	*out = "systemd";
	return true;
}

static bool r_cwd(void *ud, const char **out)
{
	(void)ud;
	*out = "/home/u/";
	return true;
}

static bool r_user(void *ud, uint32_t uid, const char **out)
{
	(void)ud;
	if (uid != 0)
		return false;
	*out = "root";
	return true;
}

static bool r_main(void *ud)
{
	(void)ud;
	return true;
}

static const struct fc_evt_resolver resolver = {NULL, r_event_fd, r_fd, r_comm, r_cwd, r_user,
						r_user, r_main};

TestSuite(evtfields, .init = setup);

/* ------------------------------------------------------------------------------------------ */
/* catalog coverage                                                                           */
/* ------------------------------------------------------------------------------------------ */

Test(evtfields, every_evt_and_syscall_field_is_handled_and_extracts)
{
	static struct eb b;
	const struct fc_evt *ev = ev_open(&b, 3, "/etc/passwd", 0x1001);
	ctx.resolver = &resolver;
	ctx.cpu_known = true;
	unsigned handled = 0, valued = 0, catalog = 0;
	for (int id = 0; id < FC_F_MAX_; id++) {
		const char *n = fc_fields[id].name;
		bool mine = !strncmp(n, "evt.", 4) || !strncmp(n, "syscall.", 8);
		catalog += mine;
		cr_expect_eq(fc_evtfield_handles((enum fc_field_id)id), mine && id != FC_F_EVT_ABSPATH,
			     "%s", n);
		if (!fc_evtfield_handles((enum fc_field_id)id))
			continue;
		handled++;
		struct fc_fieldspec f = {(enum fc_field_id)id, (enum fc_ptype)fc_fields[id].type,
					 fc_fields[id].flags, false, false, 0, "", 0, -1};
		if (fc_fields[id].flags & FC_FF_ARG_REQUIRED) {
			f.has_arg = true;
			f.arg = id == FC_F_EVT_TYPE_IS ? "open" : "flags";
			f.arglen = (uint32_t)strlen(f.arg);
		}
		ctx.ev = ev;
		struct fc_val v;
		bool ok = fc_evtfield_extract(&ctx, &f, &v);
		cr_expect_eq(ok, v.kind != FC_V_NONE, "%s", n);
		if (fc_fields[id].flags & FC_FF_UNAVAILABLE)
			cr_expect_not(ok, "%s is flagged unavailable", n);
		char buf[4096];
		fc_value_render(&v, f.type, buf, sizeof buf);
		valued += ok;
	}
	cr_expect_eq(handled, catalog - 1, "all but evt.abspath");
	cr_expect_gt(catalog, 70);
	cr_expect_gt(valued, 50); /* an open exit: no buffer, I/O or meta fields */
	cr_expect_not(fc_evtfield_handles(FC_F_PROC_NAME));
	cr_expect_not(fc_evtfield_handles(FC_F_EVT_ABSPATH));
}

/* ------------------------------------------------------------------------------------------ */
/* gen_event fields                                                                           */
/* ------------------------------------------------------------------------------------------ */

Test(evtfields, times_utc)
{
	static struct eb b;
	const struct fc_evt *ev = ev_open(&b, 3, "/x", 1);
	EXPECT_FIELD(ev, "evt.time", "16:17:57.881781397");
	EXPECT_FIELD(ev, "evt.outputtime", "16:17:57.881781397");
	EXPECT_FIELD(ev, "evt.time.s", "16:17:57");
	EXPECT_FIELD(ev, "evt.time.iso8601", "2016-08-04T16:17:57.881781397+0000");
	EXPECT_FIELD(ev, "evt.datetime", "2016-08-04 16:17:57.881781397");
	EXPECT_FIELD(ev, "evt.datetime.s", "2016-08-04 16:17:57");
	EXPECT_FIELD(ev, "evt.rawtime", "1470327477881781397");
	EXPECT_FIELD(ev, "evt.rawtime.s", "1470327477");
	EXPECT_FIELD(ev, "evt.rawtime.ns", "881781397");
	EXPECT_FIELD(ev, "evt.reltime", "2500000000");
	EXPECT_FIELD(ev, "evt.reltime.s", "2");
	EXPECT_FIELD(ev, "evt.reltime.ns", "500000000");
	EXPECT_FIELD(ev, "evt.deltatime", "0");
	ctx.prev_ts = TS - 1000000123;
	EXPECT_FIELD(ev, "evt.deltatime", "1000000123");
	EXPECT_FIELD(ev, "evt.deltatime.s", "1");
	EXPECT_FIELD(ev, "evt.deltatime.ns", "123");
	struct fc_fieldspec f = spec("evt.around", "1470327477881781397");
	ctx.ev = ev;
	struct fc_val v;
	cr_expect(fc_evtfield_extract(&ctx, &f, &v));
	cr_expect_eq(v.u, TS);
}

Test(evtfields, times_local_zone)
{
	setenv("TZ", "XYZ-5:30", 1); /* fixed +05:30, no DST */
	tzset();
	static struct eb b;
	const struct fc_evt *ev = ev_open(&b, 3, "/x", 1);
	EXPECT_FIELD(ev, "evt.time", "21:47:57.881781397");
	EXPECT_FIELD(ev, "evt.datetime.s", "2016-08-04 21:47:57");
	EXPECT_FIELD(ev, "evt.time.iso8601", "2016-08-04T16:17:57.881781397+0000");
	b.ts = 1470340800000000000ull; /* 2016-08-04T20:00:00Z = 01:30 next day local */
	ev = eb_done(&b);
	EXPECT_FIELD(ev, "evt.datetime", "2016-08-05 01:30:00.000000000");
	setenv("TZ", "UTC", 1);
	tzset();
}

Test(evtfields, source_host_num_async)
{
	static struct eb b, a;
	const struct fc_evt *ev = ev_open(&b, 3, "/x", 1);
	EXPECT_FIELD(ev, "evt.num", "7");
	EXPECT_FIELD(ev, "evt.source", "syscall");
	EXPECT_FIELD(ev, "evt.hostname", "node1");
	EXPECT_FIELD(ev, "evt.is_async", "false");
	EXPECT_MISSING(ev, "evt.asynctype");
	EXPECT_MISSING(ev, "evt.pluginname");
	EXPECT_MISSING(ev, "evt.plugininfo");
	ctx.hostname = NULL;
	EXPECT_MISSING(ev, "evt.hostname");

	eb_start(&a, FC_PPME_ASYNCEVENT_E);
	eb_int(&a, 1, 4);
	eb_str(&a, "container_added");
	eb_raw(&a, "{}", 2);
	const struct fc_evt *as = eb_done(&a);
	EXPECT_FIELD(as, "evt.is_async", "true");
	EXPECT_FIELD(as, "evt.asynctype", "container_added");
	EXPECT_FIELD(as, "evt.type", "container_added");
	EXPECT_MISSING(as, "syscall.type");

	eb_start(&a, FC_PPME_CONTAINER_JSON_2_E);
	eb_str(&a, "{}");
	as = eb_done(&a);
	EXPECT_FIELD(as, "evt.asynctype", "container");
	EXPECT_FIELD(as, "evt.is_async", "true");
}

/* ------------------------------------------------------------------------------------------ */
/* event fields                                                                               */
/* ------------------------------------------------------------------------------------------ */

Test(evtfields, type_dir_category_cpu_deprecated)
{
	static struct eb b, g, p;
	const struct fc_evt *ev = ev_open(&b, 3, "/x", 1);
	EXPECT_FIELD(ev, "evt.type", "open");
	EXPECT_FIELD(ev, "syscall.type", "open");
	EXPECT_FIELD(ev, "evt.dir", "<");
	EXPECT_FIELD(ev, "evt.category", "file");
	EXPECT_MISSING(ev, "evt.cpu");
	ctx.cpu_known = true;
	ctx.cpu = 3;
	EXPECT_FIELD(ev, "evt.cpu", "3");
	EXPECT_FIELD(ev, "evt.latency", "0");
	EXPECT_FIELD(ev, "evt.latency.s", "0");
	EXPECT_FIELD(ev, "evt.latency.ns", "0");
	EXPECT_FIELD(ev, "evt.latency.quantized", "0");
	EXPECT_FIELD(ev, "evt.latency.human", "0ns");
	EXPECT_FIELD(ev, "evt.wait_latency", "0");
	EXPECT_MISSING(ev, "evt.infra.docker.name");

	eb_start(&g, FC_PPME_GENERIC_X);
	eb_int(&g, 139, 2); /* PPM_SC madvise */
	eb_int(&g, 28, 2);
	const struct fc_evt *gev = eb_done(&g);
	EXPECT_FIELD(gev, "evt.type", "madvise");
	EXPECT_FIELD(gev, "syscall.type", "madvise");
	EXPECT_FIELD(gev, "evt.args", "");
	EXPECT_FIELD(gev, "evt.category", "other");
	EXPECT_MISSING(gev, "evt.res");

	eb_start(&p, FC_PPME_PROCEXIT_1_E);
	for (int i = 0; i < 2; i++)
		eb_int(&p, 0, 8);
	eb_int(&p, 9, 1);
	eb_int(&p, 0, 1);
	eb_int(&p, 1, 8);
	const struct fc_evt *pev = eb_done(&p);
	EXPECT_FIELD(pev, "evt.type", "procexit");
	EXPECT_MISSING(pev, "syscall.type");
	EXPECT_FIELD(pev, "evt.category", "process");
	EXPECT_MISSING(pev, "evt.count.exit");
	EXPECT_MISSING(pev, "evt.res");
	EXPECT_FIELD(pev, "evt.args", "status=0 ret=0 sig=9(SIGKILL) core=0 reaper_tid=1");
}

Test(evtfields, type_is)
{
	static struct eb b, c;
	const struct fc_evt *ev = ev_open(&b, 3, "/x", 1);
	struct fc_val v;
	struct fc_fieldspec f = spec("evt.type.is.open", NULL);
	ctx.ev = ev;
	cr_assert(fc_evtfield_extract(&ctx, &f, &v));
	cr_expect_eq(v.u, 1);
	f = spec("evt.type.is.3", NULL);
	cr_assert(fc_evtfield_extract(&ctx, &f, &v));
	cr_expect_eq(v.u, 1);
	f = spec("evt.type.is.openat", NULL);
	cr_assert(fc_evtfield_extract(&ctx, &f, &v));
	cr_expect_eq(v.u, 0);
	/* Upstream quirk: only the first table entry of a name counts (execve = 12/13). */
	eb_start(&c, FC_PPME_SYSCALL_CLOSE_X);
	eb_int(&c, 0, 8);
	eb_int(&c, 3, 8);
	ctx.ev = eb_done(&c);
	f = spec("evt.type.is.close", NULL);
	cr_assert(fc_evtfield_extract(&ctx, &f, &v));
	cr_expect_eq(v.u, 1);
	f = spec("evt.type.is.execve", NULL);
	cr_assert(fc_evtfield_extract(&ctx, &f, &v));
	cr_expect_eq(v.u, 0);
}

Test(evtfields, args_and_arg_without_state)
{
	static struct eb b;
	const struct fc_evt *ev = ev_open(&b, 3, "/etc/passwd", 0x1001);
	EXPECT_FIELD(ev, "evt.args",
		     "fd=3 name=/etc/passwd(/etc/passwd) flags=4097(O_RDONLY|O_CLOEXEC) mode=0644 "
		     "dev=803 ino=1234");
	EXPECT_FIELD(ev, "evt.info",
		     "fd=3 name=/etc/passwd(/etc/passwd) flags=4097(O_RDONLY|O_CLOEXEC) mode=0644 "
		     "dev=803 ino=1234");
	EXPECT_FIELD(ev, "evt.arg.flags", "O_RDONLY|O_CLOEXEC");
	EXPECT_FIELD(ev, "evt.arg[2]", "O_RDONLY|O_CLOEXEC");
	EXPECT_FIELD(ev, "evt.arg.fd", "3");
	EXPECT_FIELD(ev, "evt.arg.mode", "0644");
	EXPECT_FIELD(ev, "evt.arg.dev", "803");
	EXPECT_FIELD(ev, "evt.arg.name", "/etc/passwd");
	EXPECT_MISSING(ev, "evt.arg[6]");
	EXPECT_MISSING(ev, "evt.arg.tuple");
}

Test(evtfields, args_and_arg_with_state)
{
	static struct eb b;
	ctx.resolver = &resolver;
	const struct fc_evt *ev = ev_open(&b, 3, "/etc/passwd", 0x1001);
	EXPECT_FIELD(ev, "evt.args",
		     "fd=3(<f>/etc/passwd) name=/etc/passwd flags=4097(O_RDONLY|O_CLOEXEC) "
		     "mode=0644 dev=803 ino=1234");
	EXPECT_FIELD(ev, "evt.arg.fd", "<f>/etc/passwd");
	/* relative name: resolved against the cwd, '..' folded */
	ev = ev_open(&b, 4, "../x//y/./z/", 2);
	EXPECT_FIELD(ev, "evt.arg.name", "/home/x/y/z");
	EXPECT_FIELD(ev, "evt.arg.fd", "<4t>10.0.0.1:5000->10.0.0.2:80");
	EXPECT_FIELD(ev, "evt.arg.flags", "O_WRONLY");
	ev = ev_open(&b, -2, "nofile", 0);
	EXPECT_FIELD(ev, "evt.arg.fd", "ENOENT");
	EXPECT_FIELD(ev, "evt.arg.flags", "O_NONE");
}

Test(evtfields, openat_dirfd_paths)
{
	static struct eb b;
	ctx.resolver = &resolver;
	eb_start(&b, FC_PPME_SYSCALL_OPENAT_2_X);
	eb_int(&b, 5, 8);
	eb_int(&b, (uint64_t)-100, 8);
	eb_str(&b, "a.txt");
	eb_int(&b, 0x4 | 0x2 | 0x4000, 4); /* O_CREAT|O_WRONLY|O_F_CREATED */
	eb_int(&b, 0755, 4);
	eb_int(&b, 0, 4);
	eb_int(&b, 7, 8);
	const struct fc_evt *ev = eb_done(&b);
	EXPECT_FIELD(ev, "evt.arg.dirfd", "AT_FDCWD");
	EXPECT_FIELD(ev, "evt.arg.name", "/home/u/a.txt");
	EXPECT_FIELD(ev, "evt.arg.flags", "O_CREAT|O_WRONLY|O_F_CREATED");
	EXPECT_FIELD(ev, "evt.is_open_write", "true");
	EXPECT_FIELD(ev, "evt.is_open_read", "false");
	EXPECT_FIELD(ev, "evt.is_open_create", "true");
	EXPECT_FIELD(ev, "evt.is_open_exec", "true");
	/* dirfd 9 is the directory /var/lib */
	memset(b.val[1], 0, 8);
	b.val[1][0] = 9;
	ev = eb_done(&b);
	EXPECT_FIELD(ev, "evt.arg.name", "/var/lib/a.txt");
	EXPECT_FIELD(ev, "evt.arg.dirfd", "<d>/var/lib");
}

Test(evtfields, res_rawres_failed_counts)
{
	static struct eb b;
	const struct fc_evt *ev = ev_open(&b, -2, "/nope", 1);
	EXPECT_FIELD(ev, "evt.res", "ENOENT");
	EXPECT_FIELD(ev, "evt.rawres", "-2");
	EXPECT_FIELD(ev, "evt.failed", "true");
	EXPECT_FIELD(ev, "evt.count", "1");
	EXPECT_FIELD(ev, "evt.count.exit", "1");
	EXPECT_FIELD(ev, "evt.count.error", "1");
	EXPECT_FIELD(ev, "evt.count.error.file", "1");
	EXPECT_MISSING(ev, "evt.count.error.net");
	EXPECT_MISSING(ev, "evt.count.error.memory");
	EXPECT_MISSING(ev, "evt.count.error.other");
	ev = ev_open(&b, 3, "/yes", 1);
	EXPECT_FIELD(ev, "evt.res", "SUCCESS");
	EXPECT_FIELD(ev, "evt.failed", "false");
	EXPECT_FIELD(ev, "evt.count.error", "0");
	ev = ev_open(&b, -200, "/weird", 1);
	EXPECT_FIELD(ev, "evt.res", "-200");

	static struct eb k;
	eb_start(&k, FC_PPME_SYSCALL_KILL_X);
	eb_int(&k, (uint64_t)-1, 8);
	eb_int(&k, 1, 8);
	eb_int(&k, 15, 1);
	ev = eb_done(&k);
	EXPECT_FIELD(ev, "evt.res", "EPERM");
	EXPECT_FIELD(ev, "evt.count.error.other", "1");
	EXPECT_MISSING(ev, "evt.count.error.file");
	EXPECT_FIELD(ev, "evt.args", "res=-1(EPERM) pid=1 sig=15(SIGTERM)");
	ctx.resolver = &resolver;
	EXPECT_FIELD(ev, "evt.arg.pid", "systemd");

	eb_start(&k, FC_PPME_SYSCALL_MPROTECT_X);
	eb_int(&k, (uint64_t)-12, 8);
	eb_int(&k, 0x7f0000001000ull, 8);
	eb_int(&k, 4096, 8);
	eb_int(&k, 0x1 | 0x4, 4);
	ev = eb_done(&k);
	EXPECT_FIELD(ev, "evt.count.error.memory", "1");
	EXPECT_FIELD(ev, "evt.args",
		     "res=-12(ENOMEM) addr=7F0000001000 length=4096 prot=5(PROT_READ|PROT_EXEC)");

	eb_start(&k, FC_PPME_SOCKET_CONNECT_X);
	eb_int(&k, (uint64_t)-111, 8);
	eb_raw(&k, "", 0);
	eb_int(&k, 4, 8);
	uint8_t sa[7] = {2, 10, 0, 0, 2, 0x50, 0};
	eb_raw(&k, sa, 7);
	ev = eb_done(&k);
	ctx.resolver = NULL;
	EXPECT_FIELD(ev, "evt.count.error.net", "1");
	EXPECT_FIELD(ev, "evt.res", "ECONNREFUSED");
	EXPECT_FIELD(ev, "evt.args", "res=-111(ECONNREFUSED) tuple=NULL fd=4 addr=10.0.0.2:80");
	EXPECT_FIELD(ev, "evt.arg.tuple", "NULL");
}

Test(evtfields, io_fields_buffer_buflen_syslog)
{
	static struct eb b;
	eb_start(&b, FC_PPME_SYSCALL_WRITE_X);
	eb_int(&b, 6, 8);
	eb_raw(&b, "hi\x01\n\xffz", 6);
	eb_int(&b, 1, 8);
	eb_int(&b, 6, 4);
	const struct fc_evt *ev = eb_done(&b);
	EXPECT_FIELD(ev, "evt.is_io", "true");
	EXPECT_FIELD(ev, "evt.is_io_write", "true");
	EXPECT_FIELD(ev, "evt.is_io_read", "false");
	EXPECT_FIELD(ev, "evt.io_dir", "write");
	EXPECT_FIELD(ev, "evt.is_wait", "false");
	EXPECT_FIELD(ev, "evt.buffer", "hi...z");
	struct fc_val v = fval(ev, "evt.buffer");
	cr_expect_eq(v.kind, FC_V_BUF);
	cr_expect_eq(v.len, 6);
	cr_expect_eq(memcmp(v.s, "hi\x01\n\xffz", 6), 0);
	EXPECT_FIELD(ev, "evt.arg.data", "hi...z");
	EXPECT_MISSING(ev, "evt.buflen");
	EXPECT_FIELD(ev, "evt.category", "unknown");
	EXPECT_FIELD(ev, "evt.is_syslog", "false");

	ctx.resolver = &resolver;
	fake_has_event_fd = true;
	fake_event_fd = (struct fc_fd_view){8, 'u', 0, true, "/dev/log"};
	EXPECT_FIELD(ev, "evt.is_syslog", "true");
	EXPECT_FIELD(ev, "evt.category", "ipc");
	EXPECT_FIELD(ev, "evt.buflen", "6");
	EXPECT_FIELD(ev, "evt.buflen.out", "6");
	EXPECT_MISSING(ev, "evt.buflen.in");
	EXPECT_MISSING(ev, "evt.buflen.file");
	EXPECT_MISSING(ev, "evt.buflen.net");
	fake_event_fd = (struct fc_fd_view){1, 'f', 0, false, "/tmp/x"};
	EXPECT_FIELD(ev, "evt.category", "file");
	EXPECT_FIELD(ev, "evt.buflen.file", "6");
	EXPECT_FIELD(ev, "evt.buflen.file.out", "6");
	EXPECT_MISSING(ev, "evt.buflen.file.in");
	fake_event_fd = (struct fc_fd_view){3, '4', 1, false, "a->b"};
	EXPECT_FIELD(ev, "evt.category", "net");
	EXPECT_FIELD(ev, "evt.buflen.net", "6");
	EXPECT_FIELD(ev, "evt.buflen.net.out", "6");
	EXPECT_MISSING(ev, "evt.buflen.net.in");
	EXPECT_MISSING(ev, "evt.count.error.file");
	b.type = FC_PPME_SYSCALL_READ_X;
	ev = eb_done(&b);
	EXPECT_FIELD(ev, "evt.io_dir", "read");
	EXPECT_FIELD(ev, "evt.buflen.in", "6");
	EXPECT_FIELD(ev, "evt.buflen.net.in", "6");
	fake_has_event_fd = false;

	static struct eb p;
	eb_start(&p, FC_PPME_SYSCALL_POLL_X);
	eb_int(&p, 1, 8);
	uint8_t fds[2 + 20] = {2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 7, 0, 0, 0, 0, 0, 0, 0, 4, 0};
	eb_raw(&p, fds, sizeof fds);
	eb_int(&p, 1000, 8);
	ev = eb_done(&p);
	EXPECT_FIELD(ev, "evt.is_wait", "true");
	EXPECT_MISSING(ev, "evt.io_dir");
	EXPECT_FIELD(ev, "evt.args", "res=1 fds=3:f1 7:?4 timeout=1000");
}

Test(evtfields, procinfo_counts)
{
	static struct eb b;
	eb_start(&b, FC_PPME_PROCINFO_E);
	eb_int(&b, 1, 8);
	eb_int(&b, 2, 8);
	const struct fc_evt *ev = eb_done(&b);
	EXPECT_FIELD(ev, "evt.count.threadinfo", "1");
	EXPECT_FIELD(ev, "evt.count.procinfo", "0");
	ctx.resolver = &resolver;
	EXPECT_FIELD(ev, "evt.count.procinfo", "1");
	EXPECT_FIELD(ev, "evt.is_async", "true");
	EXPECT_FIELD(ev, "evt.asynctype", "procinfo");
	static struct eb o;
	ev = ev_open(&o, 3, "/x", 1);
	EXPECT_FIELD(ev, "evt.count.threadinfo", "0");
}

Test(evtfields, rawarg_types)
{
	static struct eb b;
	const struct fc_evt *ev = ev_open(&b, -2, "/etc/shadow", 0x1001);
	struct fc_val v = fval(ev, "evt.rawarg.flags");
	cr_expect_eq(v.kind, FC_V_U64);
	cr_expect_eq(v.u, 0x1001);
	v = fval(ev, "evt.rawarg.fd");
	cr_expect_eq(v.kind, FC_V_I64);
	cr_expect_eq(v.i, -2);
	v = fval(ev, "evt.rawarg.name");
	cr_expect_eq(v.kind, FC_V_STR);
	cr_expect_eq(v.len, 11);
	cr_expect_eq(memcmp(v.s, "/etc/shadow", 11), 0);
	v = fval(ev, "evt.rawarg.res");
	cr_expect_eq(v.kind, FC_V_NONE, "open has no res parameter");
	b.len[4] = 0; /* dev empty */
	ev = eb_done(&b);
	v = fval(ev, "evt.rawarg.dev");
	cr_expect_eq(v.kind, FC_V_NONE);

	static struct eb t;
	eb_start(&t, FC_PPME_SOCKET_CONNECT_X);
	eb_int(&t, 0, 8);
	uint8_t tu[13] = {2, 1, 2, 3, 4, 80, 0, 5, 6, 7, 8, 0x28, 0x23};
	eb_raw(&t, tu, 13);
	eb_int(&t, 4, 8);
	eb_raw(&t, "", 0);
	ev = eb_done(&t);
	v = fval(ev, "evt.rawarg.tuple");
	cr_expect_eq(v.kind, FC_V_BUF);
	cr_expect_eq(v.len, 13);
	v = fval(ev, "evt.rawarg.res");
	cr_expect_eq(v.kind, FC_V_I64);
	cr_expect_eq(v.i, 0);
	EXPECT_FIELD(ev, "evt.arg.tuple", "1.2.3.4:80->5.6.7.8:9000");
	EXPECT_FIELD(ev, "evt.arg.addr", "<NA>");
}

/* ------------------------------------------------------------------------------------------ */
/* parameter renderings                                                                       */
/* ------------------------------------------------------------------------------------------ */

static const char *pstr(const struct fc_evt *ev, unsigned i, bool resolved)
{
	static char buf[4][4096];
	static unsigned k;
	char *o = buf[k++ % 4];
	ctx.ev = ev;
	size_t n;
	cr_assert(fc_evt_param_str(&ctx, i, resolved, o, 4096, &n));
	cr_assert_eq(n, strlen(o));
	return o;
}

Test(evtfields, sockaddr_and_socktuple_renderings)
{
	static struct eb b;
	eb_start(&b, FC_PPME_SOCKET_CONNECT_X);
	eb_int(&b, 0, 8);
	uint8_t t6[37] = {10};
	t6[1] = 0x20, t6[2] = 0x01, t6[3] = 0x0d, t6[4] = 0xb8, t6[16] = 1; /* 2001:db8::1 */
	t6[17] = 0x39, t6[18] = 0x30;                                         /* 12345 */
	t6[19] = 0x20, t6[20] = 0x01, t6[21] = 0x0d, t6[22] = 0xb8, t6[34] = 2;
	t6[35] = 0xbb, t6[36] = 0x01; /* 443 */
	eb_raw(&b, t6, sizeof t6);
	eb_int(&b, 3, 8);
	uint8_t a6[19] = {10};
	a6[16] = 1, a6[17] = 0x50; /* ::1 port 80 */
	eb_raw(&b, a6, sizeof a6);
	const struct fc_evt *ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 1, false), "2001:db8::1:12345->2001:db8::2:443");
	cr_expect_str_eq(pstr(ev, 3, false), "::1:80");

	uint8_t m6[37] = {10};
	m6[11] = m6[12] = 0xff, m6[13] = 127, m6[16] = 1, m6[17] = 1;
	m6[29] = m6[30] = 0xff, m6[31] = 10, m6[34] = 2, m6[35] = 0x50;
	memcpy(b.val[1], m6, sizeof m6);
	uint8_t un[8] = {1, '/', 't', 'm', 'p', '/', 's', 0};
	memcpy(b.val[3], un, sizeof un);
	b.len[3] = sizeof un;
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 1, false), "127.0.0.1:1->10.0.0.2:80");
	cr_expect_str_eq(pstr(ev, 3, false), "/tmp/s");

	uint8_t tu[17 + 5] = {1, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, '/', 'r', 'u', 'n', 0};
	memcpy(b.val[1], tu, sizeof tu);
	b.len[1] = sizeof tu;
	uint8_t bad[3] = {2, 1, 2};
	memcpy(b.val[3], bad, 3);
	b.len[3] = 3;
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 1, false), "10->20 /run");
	cr_expect_str_eq(pstr(ev, 3, false), "INVALID IPv4");
	uint8_t fam[2] = {99, 0};
	memcpy(b.val[3], fam, 2);
	b.len[3] = 2;
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 3, false), "family 99");
}

Test(evtfields, ids_signals_times_sets_dyn)
{
	static struct eb b;
	/* setuid exit: res, uid */
	eb_start(&b, FC_PPME_SYSCALL_SETUID_X);
	eb_int(&b, 0, 8);
	eb_int(&b, 0, 4);
	const struct fc_evt *ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 1, false), "0");
	cr_expect_str_eq(pstr(ev, 1, true), "<NA>", "no user table: <NA>");
	ctx.resolver = &resolver;
	cr_expect_str_eq(pstr(ev, 1, true), "root");
	memset(b.val[1], 0xff, 4);
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 1, false), "-1");
	cr_expect_str_eq(pstr(ev, 1, true), "<NONE>");

	/* nanosleep exit: res, interval RELTIME */
	eb_start(&b, FC_PPME_SYSCALL_NANOSLEEP_X);
	eb_int(&b, 0, 8);
	eb_int(&b, 1500000000, 8);
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 1, false), "1500000000");
	cr_expect_str_eq(pstr(ev, 1, true), "1.5s");
	memset(b.val[1], 0xff, 8);
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 1, false), "none");

	/* ppoll exit: res, fds, timeout, sigmask */
	eb_start(&b, FC_PPME_SYSCALL_PPOLL_X);
	eb_int(&b, 0, 8);
	eb_int(&b, 0, 2);
	eb_int(&b, 0, 8);
	eb_int(&b, (1u << 1) | (1u << 8), 4); /* SIGINT, SIGKILL */
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 3, false), "SIGINT SIGKILL");
	cr_expect_str_eq(pstr(ev, 1, false), "");

	/* execve exit: exe_ino_ctime ABSTIME, cap_effective HEX */
	eb_start(&b, FC_PPME_SYSCALL_EXECVE_19_X);
	for (int i = 0; i < 22; i++)
		eb_raw(&b, "", 0);
	eb_int(&b, 0x3fffffffffull, 8); /* cap_effective */
	eb_raw(&b, "", 0);
	eb_int(&b, TS, 8); /* exe_ino_ctime */
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 22, false), "3FFFFFFFFF");
	cr_expect_str_eq(pstr(ev, 24, false), "2016-08-04 16:17:57.881781397");
	cr_expect_str_eq(pstr(ev, 0, false), "<NA>");
	cr_expect_str_eq(pstr(ev, 2, false), "NULL", "an empty BYTEBUF shows NULL");

	/* ptrace exit: addr, data are DYN; request enum */
	eb_start(&b, FC_PPME_SYSCALL_PTRACE_X);
	eb_int(&b, 0, 8);
	uint8_t d0[9] = {0, 0x00, 0x10, 0, 0, 0, 0, 0, 0};
	eb_raw(&b, d0, 9);
	uint8_t d1[2] = {1, 9};
	eb_raw(&b, d1, 2);
	eb_int(&b, 16, 2);
	eb_int(&b, 1, 8);
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 1, false), "1000");
	cr_expect_str_eq(pstr(ev, 2, false), "9");
	cr_expect_str_eq(pstr(ev, 2, true), "SIGKILL");
	cr_expect_str_eq(pstr(ev, 3, true), "PTRACE_GETSIGINFO");
	cr_expect_str_eq(pstr(ev, 4, true), "systemd");
	uint8_t dbad[2] = {7, 1};
	memcpy(b.val[2], dbad, 2);
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 2, false), "INVALID DYNAMIC PARAMETER");

	/* generic: SYSCALLID resolves to the syscall name */
	eb_start(&b, FC_PPME_GENERIC_E);
	eb_int(&b, 139, 2);
	eb_int(&b, 28, 2);
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 0, false), "139");
	cr_expect_str_eq(pstr(ev, 0, true), "madvise");

	/* chmod: PT_MODE in octal and its mode-table names */
	eb_start(&b, FC_PPME_SYSCALL_CHMOD_X);
	eb_int(&b, 0, 8);
	eb_str(&b, "/tmp/f");
	eb_int(&b, 0755, 4);
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 2, false), "0755");
	cr_expect_str_eq(pstr(ev, 2, true),
			 "S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR");
	memset(b.val[2], 0, 4);
	b.val[2][0] = 0x4;
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 2, true), "S_IROTH");

	/* task iterator event: CHARBUFARRAY argv */
	eb_start(&b, FC_PPME_SYSCALL_MOUNT_X);
	eb_int(&b, 0, 8);
	eb_str(&b, "none");
	eb_str(&b, "/mnt/\xff\x41");
	eb_str(&b, "tmpfs");
	eb_int(&b, 0x1 | 0x4000, 4);
	ev = eb_done(&b);
	cr_expect_str_eq(pstr(ev, 2, false), "/mnt/\xEF\xBF\xBD" "A", "invalid UTF-8 replaced");
	cr_expect_str_eq(pstr(ev, 4, true), "RDONLY|REC");
	cr_expect_str_eq(pstr(ev, 4, false), "16385");
}

/* ------------------------------------------------------------------------------------------ */
/* flag tables, names, paths                                                                  */
/* ------------------------------------------------------------------------------------------ */

static const char *flags(const char *table, enum fc_ptype t, uint64_t v)
{
	static char buf[4][512];
	static unsigned k;
	char *o = buf[k++ % 4];
	size_t n = fc_flags_render(table, t, v, o, 512);
	cr_assert_eq(n, strlen(o));
	return o;
}

Test(evtfields, flag_and_enum_renderings)
{
	cr_expect_str_eq(flags("file_flags", PT_FLAGS32, 0x1001), "O_RDONLY|O_CLOEXEC");
	cr_expect_str_eq(flags("file_flags", PT_FLAGS32, 0x3), "O_RDWR");
	cr_expect_str_eq(flags("file_flags", PT_FLAGS32, 0x0), "O_NONE");
	cr_expect_str_eq(flags("file_flags", PT_FLAGS32, 0x243),
			 "O_DIRECT|O_NONBLOCK|O_RDWR");
	cr_expect_str_eq(flags("file_flags", PT_FLAGS32, 0x4 | 0x2 | 0x100 | 0x1000),
			 "O_TRUNC|O_CREAT|O_WRONLY|O_CLOEXEC");
	cr_expect_str_eq(flags("file_flags", PT_FLAGS32, 0x8000 | 0x1), "O_RDONLY|FD_UPPER_LAYER");
	cr_expect_str_eq(flags("clone_flags", PT_FLAGS32, 0x8000 | 0x800 | 0x2000 | 0x1 | 0x2),
			 "CLONE_FILES|CLONE_FS|CLONE_SIGHAND|CLONE_THREAD|CLONE_VM");
	cr_expect_str_eq(flags("clone_flags", PT_FLAGS32, 0x20000000 | 0x40),
			 "CLONE_NEWPID|CLONE_CHILD_IN_PIDNS");
	cr_expect_str_eq(flags("socket_families", PT_ENUMFLAGS32, 1), "AF_LOCAL|AF_UNIX");
	cr_expect_str_eq(flags("socket_families", PT_ENUMFLAGS32, 16), "AF_ROUTE|AF_NETLINK");
	cr_expect_str_eq(flags("socket_families", PT_ENUMFLAGS32, 2), "AF_INET");
	cr_expect_str_eq(flags("socket_families", PT_ENUMFLAGS32, 27), "");
	cr_expect_str_eq(flags("bpf_commands", PT_ENUMFLAGS32, 10), "BPF_PROG_TEST_RUN|BPF_PROG_RUN");
	cr_expect_str_eq(flags("bpf_commands", PT_ENUMFLAGS32, 5), "BPF_PROG_LOAD");
	cr_expect_str_eq(flags("prctl_options", PT_ENUMFLAGS32, 33), "PR_MCE_KILL|PR_MCE_KILL");
	cr_expect_str_eq(flags("prctl_options", PT_ENUMFLAGS32, 15), "PR_SET_NAME");
	cr_expect_str_eq(flags("ptrace_requests", PT_ENUMFLAGS16, 11), "PTRACE_ATTACH");
	cr_expect_str_eq(flags("prot_flags", PT_FLAGS32, 0), "PROT_NONE");
	cr_expect_str_eq(flags("prot_flags", PT_FLAGS32, 7), "PROT_READ|PROT_WRITE|PROT_EXEC");
	cr_expect_str_eq(flags("execve_flags", PT_FLAGS32, 0x5), "EXE_WRITABLE|EXE_FROM_MEMFD");
	cr_expect_str_eq(flags("execveat_flags", PT_FLAGS32, 0x1), "AT_EMPTY_PATH");
	cr_expect_str_eq(flags("unlinkat_flags", PT_FLAGS32, 0x200), "AT_REMOVEDIR");
	cr_expect_str_eq(flags("linkat_flags", PT_FLAGS32, 0x1400), "AT_SYMLINK_FOLLOW|AT_EMPTY_PATH");
	cr_expect_str_eq(flags("renameat2_flags", PT_FLAGS32, 0x3), "RENAME_NOREPLACE|RENAME_EXCHANGE");
	cr_expect_str_eq(flags("openat2_flags", PT_FLAGS32, 0x28), "RESOLVE_NO_SYMLINKS|RESOLVE_CACHED");
	cr_expect_str_eq(flags("memfd_create_flags", PT_FLAGS32, 0x3), "MFD_CLOEXEC|MFD_ALLOW_SEALING");
	cr_expect_str_eq(flags("finit_module_flags", PT_FLAGS32, 0x4), "MODULE_INIT_COMPRESSED_FILE");
	cr_expect_str_eq(flags("mount_flags", PT_FLAGS32, 0x80000000u), "NOUSER");
	cr_expect_str_eq(flags("umount_flags", PT_FLAGS32, 0x3), "FORCE|DETACH");
	cr_expect_str_eq(flags("creat_flags", PT_FLAGS16, 0x2), "FD_LOWER_LAYER_CREAT");
	cr_expect_str_eq(flags("chmod_mode", PT_MODE, 0x800 | 0x100), "S_IRUSR|S_ISUID");
	cr_expect_str_eq(flags("no_such_table", PT_FLAGS32, 1), "");
	char small[6];
	cr_expect_eq(fc_flags_render("file_flags", PT_FLAGS32, 0x1001, small, sizeof small), 18);
	cr_expect_str_eq(small, "O_RDO");
}

Test(evtfields, errno_and_signal_names)
{
	cr_expect_str_eq(fc_errno_name(-2), "ENOENT");
	cr_expect_str_eq(fc_errno_name(13), "EACCES");
	cr_expect_str_eq(fc_errno_name(-115), "EINPROGRESS");
	cr_expect_str_eq(fc_errno_name(-512), "ERESTARTSYS");
	cr_expect_null(fc_errno_name(0));
	cr_expect_null(fc_errno_name(-41));
	cr_expect_null(fc_errno_name(-126));
	cr_expect_null(fc_errno_name(-100000));
	cr_expect_str_eq(fc_signal_name(9), "SIGKILL");
	cr_expect_str_eq(fc_signal_name(31), "SIGSYS");
	cr_expect_null(fc_signal_name(0));
	cr_expect_null(fc_signal_name(64));
}

static const char *cat(const char *dir, const char *path)
{
	static char out[2048];
	size_t n = fc_path_concat(dir, strlen(dir), path, strlen(path), out, sizeof out);
	cr_assert_eq(n, strlen(out));
	return out;
}

Test(evtfields, path_concat)
{
	cr_expect_str_eq(cat("/home/u/", "a"), "/home/u/a");
	cr_expect_str_eq(cat("/home/u/", "../etc//passwd/"), "/home/etc/passwd");
	cr_expect_str_eq(cat("/home/u/", "./x/./y"), "/home/u/x/y");
	cr_expect_str_eq(cat("/home/u/", "/abs/../b"), "/b");
	cr_expect_str_eq(cat("/", "../../x"), "/x");
	cr_expect_str_eq(cat("/home/u/", ".."), "/home");
	cr_expect_str_eq(cat("/home/u/", "a\tb"), "/home/u/a.b");
	cr_expect_str_eq(cat("", "rel/x"), "rel/x");
	/* Falco gives up at 1024 bytes; we keep paths up to PATH_MAX (a long path must not hide
	 * a file from the fd.name rules) */
	static char midp[1100], longp[4200];
	memset(midp, 'a', sizeof midp - 1);
	cr_expect_eq(strlen(cat("/", midp)), sizeof midp); /* "/" + 1099 bytes */
	memset(longp, 'a', sizeof longp - 1);
	cr_expect_str_eq(cat("/", longp), "/PATH_TOO_LONG");
}

/* ------------------------------------------------------------------------------------------ */
/* value rendering and scratch                                                                */
/* ------------------------------------------------------------------------------------------ */

static const char *render(struct fc_val v, enum fc_ptype t)
{
	static char buf[256];
	size_t n = fc_value_render(&v, t, buf, sizeof buf);
	cr_assert_eq(n, strlen(buf));
	return buf;
}

Test(evtfields, value_render_kinds)
{
	struct fc_val v = {.kind = FC_V_U64, .u = 1};
	cr_expect_str_eq(render(v, PT_BOOL), "true");
	v.u = 0;
	cr_expect_str_eq(render(v, PT_BOOL), "false");
	v.u = 18446744073709551615ull;
	cr_expect_str_eq(render(v, PT_UINT64), "18446744073709551615");
	v = (struct fc_val){.kind = FC_V_I64, .i = -5};
	cr_expect_str_eq(render(v, PT_INT64), "-5");
	v = (struct fc_val){.kind = FC_V_DBL, .d = 12.345};
	cr_expect_str_eq(render(v, PT_DOUBLE), "12.3");
	v = (struct fc_val){.kind = FC_V_STR, .s = "bash-x", .len = 4};
	cr_expect_str_eq(render(v, PT_CHARBUF), "bash");
	v = (struct fc_val){.kind = FC_V_BUF, .s = "a\0b\n", .len = 4};
	cr_expect_str_eq(render(v, PT_BYTEBUF), "a.b.");
	v = (struct fc_val){.kind = FC_V_IPV4, .u = 0x0100007f};
	cr_expect_str_eq(render(v, PT_IPV4ADDR), "127.0.0.1");
	static const uint8_t a6[16] = {0xfe, 0x80, [15] = 1};
	v = (struct fc_val){.kind = FC_V_IPV6, .s = (const char *)a6, .len = 16};
	cr_expect_str_eq(render(v, PT_IPV6ADDR), "fe80::1");
	struct fc_val items[2] = {{.kind = FC_V_STR, .s = "file", .len = 4},
				  {.kind = FC_V_STR, .s = "ipv4", .len = 4}};
	v = (struct fc_val){.kind = FC_V_LIST, .items = items, .len = 2};
	cr_expect_str_eq(render(v, PT_CHARBUF), "(file,ipv4)");
	v = (struct fc_val){.kind = FC_V_NONE};
	cr_expect_str_eq(render(v, PT_CHARBUF), "<NA>");
	char tiny[3];
	v = (struct fc_val){.kind = FC_V_STR, .s = "abcdef", .len = 6};
	cr_expect_eq(fc_value_render(&v, PT_CHARBUF, tiny, sizeof tiny), 6);
	cr_expect_str_eq(tiny, "ab");
}

Test(evtfields, scratch_overflow_is_missing_and_counted)
{
	static struct eb b;
	char small[16];
	struct fc_scratch s = {small, sizeof small, 0, 0};
	ctx.scratch = &s;
	const struct fc_evt *ev = ev_open(&b, 3, "/etc/passwd", 0x1001);
	EXPECT_MISSING(ev, "evt.args");
	cr_expect_eq(s.overflows, 1);
	EXPECT_FIELD(ev, "evt.arg.fd", "3");
	cr_expect_eq(s.used, 2);
	cr_expect_null(fc_scratch_alloc(&s, 64));
	cr_expect_eq(s.overflows, 2);
	void *p = fc_scratch_alloc(&s, 4);
	cr_expect_eq((char *)p, small + 8, "8-aligned");
	ctx.scratch = NULL;
	EXPECT_MISSING(ev, "evt.time");
	ctx.scratch = &scratch;
}
