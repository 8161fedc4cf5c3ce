/* test_merge.c — unit tests for the enter/exit merger and old-version converter
 * (runtime/merge.c, runtime/convert.def).
 *
 * Owned by the events work (issue 4). Events are built byte by byte in the current layout (or
 * the v1 22-byte one) and decoded with the real decoder, then pushed: every old event version
 * of the table, the specific conversions of upstream's converter (EVENTS.md §6), merging of
 * enter parameters into short exits, unpaired/stale/evicted enters, malformed views; and the
 * four shared captures, whose exit-event counts after merging must equal their README. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "merge.h"

#define SAMPLES FC_SOURCE_DIR "/../shared/captures"

/* ------------------------------------------------------------------------------------------ */
/* event builder                                                                              */
/* ------------------------------------------------------------------------------------------ */

struct eb {
	uint16_t type;
	uint64_t ts, tid;
	unsigned n;
	uint8_t val[FC_EVT_MAX_PARAMS][512];
	uint32_t len[FC_EVT_MAX_PARAMS];
	uint8_t bytes[32768];
	struct fc_evt ev;
};

static void eb_start(struct eb *b, uint16_t type, uint64_t tid)
{
	memset(b, 0, sizeof(*b));
	b->type = type;
	b->tid = tid;
	b->ts = 1000 + tid;
}

static void eb_raw(struct eb *b, const void *p, uint32_t n)
{
	cr_assert_lt(b->n, FC_EVT_MAX_PARAMS);
	cr_assert_leq(n, sizeof b->val[0]);
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

/* Encodes (26-byte header, or 22 with V1) and decodes into b->ev. */
static const struct fc_evt *eb_done_v(struct eb *b, bool v1)
{
	bool large = fc_events[b->type].flags & FC_EF_LARGE_PAYLOAD;
	unsigned lsz = large ? 4 : 2, hdr = v1 ? 22 : 26;
	size_t n = hdr + (size_t)b->n * lsz;
	for (unsigned i = 0; i < b->n; i++)
		n += b->len[i];
	cr_assert_leq(n, sizeof b->bytes);
	put(b->bytes, b->ts, 8);
	put(b->bytes + 8, b->tid, 8);
	put(b->bytes + 16, n, 4);
	put(b->bytes + 20, b->type, 2);
	if (!v1)
		put(b->bytes + 22, b->n, 4);
	uint8_t *l = b->bytes + hdr, *v = l + (size_t)b->n * lsz;
	for (unsigned i = 0; i < b->n; i++) {
		put(l + i * lsz, b->len[i], lsz);
		memcpy(v, b->val[i], b->len[i]);
		v += b->len[i];
	}
	int rc = v1 ? fc_evt_decode_v1(b->bytes, n, &b->ev) : fc_evt_decode(b->bytes, n, &b->ev);
	cr_assert_eq(rc, FC_EVT_OK, "test event %u does not decode: %s", b->type, fc_evt_strerror(rc));
	return &b->ev;
}

static const struct fc_evt *eb_done(struct eb *b)
{
	return eb_done_v(b, false);
}

/* A valid value for every parameter of TYPE's table (first NPARAMS ones). */
static void eb_fill(struct eb *b, uint16_t type, unsigned nparams)
{
	const struct fc_event_info *ei = &fc_events[type];
	for (unsigned i = 0; i < nparams; i++) {
		enum fc_ptype t = (enum fc_ptype)ei->params[i].type;
		unsigned sz = fc_ptype_size(t);
		if (sz) {
			eb_int(b, 7, sz);
			continue;
		}
		switch (t) {
		case PT_SOCKADDR: {
			uint8_t a[7] = {2, 10, 0, 0, 1, 0x50, 0};
			eb_raw(b, a, sizeof a);
			break;
		}
		case PT_SOCKTUPLE: {
			uint8_t a[13] = {2, 10, 0, 0, 1, 1, 0, 10, 0, 0, 2, 0x50, 0};
			eb_raw(b, a, sizeof a);
			break;
		}
		case PT_FDLIST:
			eb_int(b, 0, 2);
			break;
		case PT_DYN: {
			uint8_t d[9] = {0, 5, 0, 0, 0, 0, 0, 0, 0};
			eb_raw(b, d, sizeof d);
			break;
		}
		case PT_BYTEBUF:
			eb_raw(b, "ab", 2);
			break;
		default:
			eb_str(b, "x");
		}
	}
}

static int64_t geti(const struct fc_evt *e, const char *name)
{
	int k = fc_event_param_index(e->type, name);
	cr_assert_geq(k, 0, "no parameter %s in %s", name, e->info->name);
	int64_t v;
	cr_assert(fc_evt_get_i64(e, (unsigned)k, &v), "parameter %s of %s is empty", name,
		  e->info->name);
	return v;
}

static bool empty(const struct fc_evt *e, const char *name)
{
	int k = fc_event_param_index(e->type, name);
	cr_assert_geq(k, 0, "no parameter %s in %s", name, e->info->name);
	cr_assert_lt((unsigned)k, e->nparams);
	return e->plen[k] == 0;
}

static const char *gets(const struct fc_evt *e, const char *name)
{
	int k = fc_event_param_index(e->type, name);
	cr_assert_geq(k, 0);
	const char *s = fc_evt_get_str(e, (unsigned)k);
	cr_assert_not_null(s, "parameter %s of %s is not a string", name, e->info->name);
	return s;
}

static struct fc_merge *m;
static void setup(void)
{
	m = fc_merge_new(0);
	cr_assert_not_null(m);
}
static void teardown(void)
{
	fc_merge_free(m);
}

static struct fc_merge_stats stats(void)
{
	struct fc_merge_stats s;
	fc_merge_stats(m, &s);
	return s;
}

/* Pushes the enter built in E (must be absorbed). */
static void push_enter(struct eb *e)
{
	struct fc_evt out;
	cr_assert_eq(fc_merge_push(m, eb_done(e), &out), 0, "enter %u not absorbed", e->type);
}

/* Pushes X (must produce an event) and returns the output. */
static struct fc_evt push_exit(struct eb *x)
{
	struct fc_evt out;
	cr_assert_eq(fc_merge_push(m, eb_done(x), &out), 1, "event %u not passed", x->type);
	cr_assert_eq(out.nparams, out.info->nparams, "output must carry the full current layout");
	cr_assert_eq(out.hdr_len, FC_EVT_HDR_LEN);
	return out;
}

/* ------------------------------------------------------------------------------------------ */
/* every old version                                                                          */
/* ------------------------------------------------------------------------------------------ */

TestSuite(merge, .init = setup, .fini = teardown);

Test(merge, every_old_version_is_converted_absorbed_or_dropped)
{
	static struct eb b;
	unsigned converted = 0, absorbed = 0, dropped = 0;
	for (unsigned code = 0; code < FC_EVENT_MAX; code++) {
		const struct fc_event_info *ei = &fc_events[code];
		if (!(ei->flags & FC_EF_OLD_VERSION))
			continue;
		eb_start(&b, (uint16_t)code, 100 + code);
		eb_fill(&b, (uint16_t)code, ei->nparams);
		struct fc_evt out;
		int r = fc_merge_push(m, eb_done(&b), &out);
		bool syscall_enter = !(code & 1) && !(ei->flags & (FC_EF_TP | FC_EF_UNUSED));
		if (syscall_enter) {
			cr_expect_eq(r, 0, "old enter %u (%s) must be absorbed", code, ei->name);
			absorbed++;
			continue;
		}
		if (code == FC_PPME_K8S_E || code == FC_PPME_MESOS_E || code == FC_PPME_TRACER_E) {
			cr_expect_eq(r, -1, "%u has no current form", code);
			dropped++;
			continue;
		}
		cr_assert_eq(r, 1, "old event %u (%s) must convert", code, ei->name);
		cr_expect_not(out.info->flags & FC_EF_OLD_VERSION, "%u (%s) converted to old %u", code,
			      ei->name, out.type);
		cr_expect_eq(out.nparams, out.info->nparams);
		cr_expect_eq(out.tid, 100 + code);
		cr_expect_eq(out.ts, 1100 + code);
		/* Same syscall: the name is kept, except the old accept4 forms named "accept". */
		if (code != FC_PPME_SOCKET_ACCEPT4_X && code != FC_PPME_SOCKET_ACCEPT4_5_X)
			cr_expect_str_eq(out.info->name, ei->name);
		else
			cr_expect_str_eq(out.info->name, "accept4");
		converted++;
	}
	cr_expect_eq(dropped, 3);
	cr_expect_gt(converted, 30);
	cr_expect_gt(absorbed, 100);
	cr_expect_eq(stats().failed, 3);
	cr_expect_eq(stats().dropped_old, 3);
}

Test(merge, current_events_pass_unchanged)
{
	static struct eb b;
	for (unsigned code = 1; code < FC_EVENT_MAX; code += 2) {
		const struct fc_event_info *ei = &fc_events[code];
		if (ei->flags & (FC_EF_OLD_VERSION | FC_EF_UNUSED))
			continue;
		eb_start(&b, (uint16_t)code, 5);
		eb_fill(&b, (uint16_t)code, ei->nparams);
		struct fc_evt out = push_exit(&b);
		cr_expect_eq(out.type, code);
		for (unsigned i = 0; i < ei->nparams; i++) {
			cr_assert_eq(out.plen[i], b.ev.plen[i], "%s param %u", ei->name, i);
			cr_expect(out.plen[i] == 0 || memcmp(out.pval[i], b.ev.pval[i], out.plen[i]) == 0);
		}
	}
}

/* ------------------------------------------------------------------------------------------ */
/* specific conversions                                                                       */
/* ------------------------------------------------------------------------------------------ */

Test(merge, execve_8_to_19_with_filename_from_enter)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_EXECVE_18_E, 7); /* an old enter with a filename */
	eb_str(&e, "/bin/cat");
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_EXECVE_8_X, 7);
	eb_int(&x, 0, 8);
	eb_str(&x, "cat");
	eb_raw(&x, "/etc/passwd", 12);
	eb_int(&x, 7, 8);
	eb_int(&x, 7, 8);
	eb_int(&x, 1, 8);
	eb_str(&x, "/root");
	eb_int(&x, 1024, 8);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_EXECVE_19_X);
	cr_expect_eq(o.nparams, 31);
	cr_expect_str_eq(gets(&o, "exe"), "cat");
	cr_expect_eq(geti(&o, "ptid"), 1);
	cr_expect_str_eq(gets(&o, "cwd"), "/root");
	cr_expect_eq(geti(&o, "fdlimit"), 1024);
	cr_expect(empty(&o, "pgft_maj"));
	cr_expect(empty(&o, "comm"));
	cr_expect(empty(&o, "cgroups"));
	cr_expect(empty(&o, "env"));
	cr_expect(empty(&o, "tty"));
	cr_expect(empty(&o, "loginuid"));
	cr_expect(empty(&o, "trusted_exepath"));
	cr_expect_str_eq(gets(&o, "filename"), "/bin/cat");
	cr_expect_eq(stats().merged, 1);
	cr_expect_eq(stats().converted, 1);
	cr_expect_eq(fc_merge_pending(m), 0);
}

Test(merge, execve_17_exit_keeps_tty_and_moves_env)
{
	static struct eb x;
	eb_start(&x, FC_PPME_SYSCALL_EXECVE_17_X, 3);
	eb_fill(&x, FC_PPME_SYSCALL_EXECVE_17_X, 15);
	eb_raw(&x, "A=1", 4); /* env */
	eb_int(&x, 34817, 4); /* tty, INT32 in this version */
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_EXECVE_19_X);
	cr_expect_eq(geti(&o, "tty"), 34817);
	int k = fc_event_param_index(o.type, "env");
	cr_expect_eq(o.plen[k], 4);
	cr_expect_eq(memcmp(o.pval[k], "A=1", 4), 0);
	cr_expect(empty(&o, "filename"), "no enter: filename empty");
	cr_expect_eq(stats().unpaired_exits, 1);
}

Test(merge, execve_19_exit_of_18_params_appends_empty)
{
	static struct eb x;
	eb_start(&x, FC_PPME_SYSCALL_EXECVE_19_X, 3);
	eb_fill(&x, FC_PPME_SYSCALL_EXECVE_19_X, 19);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_EXECVE_19_X);
	cr_expect_eq(geti(&o, "loginuid"), 7);
	cr_expect(empty(&o, "flags"));
	cr_expect(empty(&o, "gid"));
	cr_expect_eq(stats().converted, 1);
}

Test(merge, execveat_enter_flags_never_fill_exit_flags)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_EXECVEAT_E, 9);
	eb_int(&e, (uint64_t)-100, 8);
	eb_str(&e, "bin/sh");
	eb_int(&e, 1, 4); /* AT_EMPTY_PATH: another table than the exit's execve_flags */
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_EXECVEAT_X, 9);
	eb_fill(&x, FC_PPME_SYSCALL_EXECVEAT_X, 19);
	struct fc_evt o = push_exit(&x);
	cr_expect(empty(&o, "flags"));
	cr_expect(empty(&o, "cap_effective"));
	cr_expect_eq(stats().merged, 1);
}

Test(merge, clone_11_to_20)
{
	static struct eb x;
	eb_start(&x, FC_PPME_SYSCALL_CLONE_11_X, 4);
	eb_int(&x, 0, 8);
	eb_str(&x, "bash");
	eb_raw(&x, "", 0);
	eb_int(&x, 4, 8);
	eb_int(&x, 4, 8);
	eb_int(&x, 1, 8);
	eb_str(&x, "/");
	eb_int(&x, 1024, 8);
	eb_int(&x, 0x8000 | 0x2000, 4); /* CLONE_VM|CLONE_THREAD */
	eb_int(&x, 1000, 4);
	eb_int(&x, 1001, 4);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_CLONE_20_X);
	cr_expect_eq(geti(&o, "flags"), 0xa000);
	cr_expect_eq(geti(&o, "uid"), 1000);
	cr_expect_eq(geti(&o, "gid"), 1001);
	cr_expect(empty(&o, "comm"));
	cr_expect(empty(&o, "cgroups"));
	cr_expect(empty(&o, "vtid"));
	cr_expect(empty(&o, "pidns_init_start_ts"));
	cr_expect(empty(&o, "pgft_maj"));
}

Test(merge, fork_and_vfork_chains)
{
	static struct eb x;
	eb_start(&x, FC_PPME_SYSCALL_FORK_X, 4);
	eb_fill(&x, FC_PPME_SYSCALL_FORK_X, 16);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_FORK_20_X);
	eb_start(&x, FC_PPME_SYSCALL_VFORK_17_X, 4);
	eb_fill(&x, FC_PPME_SYSCALL_VFORK_17_X, 17);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_VFORK_20_X);
	cr_expect_eq(geti(&o, "gid"), 7);
	cr_expect(empty(&o, "vpid"));
}

Test(merge, open_old_exit_gets_empty_dev_ino)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_OPEN_E, 11); /* old enter: no parameters */
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_OPEN_X, 11);
	eb_int(&x, 3, 8);
	eb_str(&x, "/etc/passwd");
	eb_int(&x, 0x1001, 4);
	eb_int(&x, 0, 4);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_OPEN_X);
	cr_expect_eq(geti(&o, "fd"), 3);
	cr_expect_str_eq(gets(&o, "name"), "/etc/passwd");
	cr_expect_eq(geti(&o, "flags"), 0x1001);
	cr_expect(empty(&o, "dev"));
	cr_expect(empty(&o, "ino"));
	cr_expect_eq(stats().merged, 1);
}

Test(merge, openat_old_pair_to_openat_2)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_OPENAT_E, 12);
	eb_int(&e, (uint64_t)-100, 8);
	eb_str(&e, "etc/hosts");
	eb_int(&e, 0x1, 4);
	eb_int(&e, 0644, 4);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_OPENAT_X, 12);
	eb_int(&x, 5, 8);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_OPENAT_2_X);
	cr_expect_eq(geti(&o, "fd"), 5);
	cr_expect_eq(geti(&o, "dirfd"), -100);
	cr_expect_str_eq(gets(&o, "name"), "etc/hosts");
	cr_expect_eq(geti(&o, "flags"), 1);
	cr_expect_eq(geti(&o, "mode"), 0644);
	cr_expect(empty(&o, "dev"));
	cr_expect(empty(&o, "ino"));
}

Test(merge, openat_2_short_exit_and_toctou_enter)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_OPENAT_2_E, 12);
	eb_fill(&e, FC_PPME_SYSCALL_OPENAT_2_E, 4);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_OPENAT_2_X, 12);
	eb_int(&x, 5, 8);
	eb_int(&x, (uint64_t)-100, 8);
	eb_str(&x, "a");
	eb_int(&x, 2, 4);
	eb_int(&x, 0, 4);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_OPENAT_2_X);
	cr_expect_eq(geti(&o, "flags"), 2, "exit parameters win over the enter's");
	cr_expect(empty(&o, "dev"));
	cr_expect_eq(stats().merged, 1);
	cr_expect_eq(stats().enters_absorbed, 1);
}

Test(merge, close_exit_gets_fd_from_enter)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_CLOSE_E, 20);
	eb_int(&e, 9, 8);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, 20);
	eb_int(&x, 0, 8);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_CLOSE_X);
	cr_expect_eq(geti(&o, "res"), 0);
	cr_expect_eq(geti(&o, "fd"), 9);
	cr_expect_eq(stats().merged, 1);
}

Test(merge, read_write_exits_get_fd_and_size)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_WRITE_E, 21);
	eb_int(&e, 1, 8);
	eb_int(&e, 6, 4);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_WRITE_X, 21);
	eb_int(&x, 6, 8);
	eb_raw(&x, "hello\n", 6);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(geti(&o, "fd"), 1);
	cr_expect_eq(geti(&o, "size"), 6);
}

Test(merge, socket_exit_gets_domain_type_proto_and_zero_flags)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SOCKET_SOCKET_E, 30);
	eb_int(&e, 10, 4);
	eb_int(&e, 1, 4);
	eb_int(&e, 6, 4);
	push_enter(&e);
	eb_start(&x, FC_PPME_SOCKET_SOCKET_X, 30);
	eb_int(&x, 4, 8);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(geti(&o, "fd"), 4);
	cr_expect_eq(geti(&o, "domain"), 10);
	cr_expect_eq(geti(&o, "type"), 1);
	cr_expect_eq(geti(&o, "proto"), 6);
	cr_expect_eq(geti(&o, "flags"), 0, "upstream pushes the default value");
}

Test(merge, connect_exit_gets_fd_and_addr)
{
	static struct eb e, x;
	uint8_t sa[7] = {2, 127, 0, 0, 1, 0x50, 0};
	eb_start(&e, FC_PPME_SOCKET_CONNECT_E, 31);
	eb_int(&e, 3, 8);
	eb_raw(&e, sa, sizeof sa);
	push_enter(&e);
	eb_start(&x, FC_PPME_SOCKET_CONNECT_X, 31);
	eb_int(&x, 0, 8);
	eb_fill(&x, FC_PPME_SOCKET_CONNECT_X, 0);
	uint8_t tu[13] = {2, 127, 0, 0, 1, 1, 2, 127, 0, 0, 1, 0x50, 0};
	eb_raw(&x, tu, sizeof tu);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(geti(&o, "fd"), 3);
	int k = fc_event_param_index(o.type, "addr");
	cr_assert_eq(o.plen[k], 7);
	cr_expect_eq(memcmp(o.pval[k], sa, 7), 0);

	/* Old one-parameter enter: the exit's addr stays empty. */
	eb_start(&e, FC_PPME_SOCKET_CONNECT_E, 32);
	eb_int(&e, 5, 8);
	push_enter(&e);
	eb_start(&x, FC_PPME_SOCKET_CONNECT_X, 32);
	eb_int(&x, 0, 8);
	eb_raw(&x, tu, sizeof tu);
	o = push_exit(&x);
	cr_expect_eq(geti(&o, "fd"), 5);
	cr_expect(empty(&o, "addr"));
}

Test(merge, accept_and_accept4_versions)
{
	static struct eb e, x;
	eb_start(&x, FC_PPME_SOCKET_ACCEPT_X, 40);
	eb_fill(&x, FC_PPME_SOCKET_ACCEPT_X, 3);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SOCKET_ACCEPT_5_X);
	cr_expect_eq(geti(&o, "queuepct"), 7);
	cr_expect_eq(geti(&o, "queuelen"), 0);
	cr_expect_eq(geti(&o, "queuemax"), 0);

	eb_start(&e, FC_PPME_SOCKET_ACCEPT4_E, 41);
	eb_int(&e, 0x800, 4);
	push_enter(&e);
	eb_start(&x, FC_PPME_SOCKET_ACCEPT4_X, 41);
	eb_fill(&x, FC_PPME_SOCKET_ACCEPT4_X, 3);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SOCKET_ACCEPT4_6_X);
	cr_expect_str_eq(o.info->name, "accept4");
	cr_expect_eq(geti(&o, "flags"), 0x800);
	cr_expect_eq(geti(&o, "queuelen"), 0);

	eb_start(&e, FC_PPME_SOCKET_ACCEPT4_5_E, 42);
	eb_int(&e, 0x80000, 4);
	push_enter(&e);
	eb_start(&x, FC_PPME_SOCKET_ACCEPT4_5_X, 42);
	eb_fill(&x, FC_PPME_SOCKET_ACCEPT4_5_X, 5);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SOCKET_ACCEPT4_6_X);
	cr_expect_eq(geti(&o, "queuemax"), 7, "kept from the old exit");
	cr_expect_eq(geti(&o, "flags"), 0x80000);
	cr_expect_eq(stats().merged, 2);
}

Test(merge, brk_dup_bpf_renamed_sources)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_BRK_1_E, 50);
	eb_int(&e, 4096, 4);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_BRK_1_X, 50);
	eb_int(&x, 0x926000, 8);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_BRK_4_X);
	cr_expect_eq(geti(&o, "res"), 0x926000);
	cr_expect_eq(geti(&o, "vm_size"), 4096, "upstream takes BRK_1_E's size");
	cr_expect(empty(&o, "vm_rss"));
	cr_expect(empty(&o, "addr"));

	eb_start(&e, FC_PPME_SYSCALL_DUP_E, 51);
	eb_int(&e, 2, 8);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_DUP_X, 51);
	eb_int(&x, 10, 8);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_DUP_1_X);
	cr_expect_eq(geti(&o, "res"), 10);
	cr_expect_eq(geti(&o, "oldfd"), 2);

	eb_start(&e, FC_PPME_SYSCALL_BPF_E, 52);
	eb_int(&e, 5, 8); /* BPF_PROG_LOAD, INT64 */
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_BPF_X, 52);
	uint8_t dyn[9] = {0, 7, 0, 0, 0, 0, 0, 0, 0}; /* PPM_BPF_IDX_FD: fd 7 */
	eb_raw(&x, dyn, sizeof dyn);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_BPF_2_X);
	cr_expect_eq(geti(&o, "fd"), 7);
	int k = fc_event_param_index(o.type, "cmd");
	cr_expect_eq(o.plen[k], 4, "INT64 truncated to ENUMFLAGS32");
	cr_expect_eq(geti(&o, "cmd"), 5);
}

Test(merge, ioctl_mkdir_link_unlink_old_pairs)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_IOCTL_2_E, 60);
	eb_int(&e, 1, 8);
	eb_int(&e, 0x5401, 8);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_IOCTL_2_X, 60);
	eb_int(&x, 0, 8);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_IOCTL_3_X);
	cr_expect_eq(geti(&o, "request"), 0x5401);
	cr_expect(empty(&o, "argument"));

	eb_start(&e, FC_PPME_SYSCALL_MKDIR_E, 61);
	eb_str(&e, "/tmp/d");
	eb_int(&e, 0755, 4);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_MKDIR_X, 61);
	eb_int(&x, 0, 8);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_MKDIR_2_X);
	cr_expect_str_eq(gets(&o, "path"), "/tmp/d");
	cr_expect_eq(geti(&o, "mode"), 0755);

	eb_start(&e, FC_PPME_SYSCALL_LINKAT_E, 62);
	eb_int(&e, (uint64_t)-100, 8);
	eb_str(&e, "a");
	eb_int(&e, (uint64_t)-100, 8);
	eb_str(&e, "b");
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_LINKAT_X, 62);
	eb_int(&x, 0, 8);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_LINKAT_2_X);
	cr_expect_str_eq(gets(&o, "oldpath"), "a");
	cr_expect_str_eq(gets(&o, "newpath"), "b");
	cr_expect(empty(&o, "flags"));

	eb_start(&x, FC_PPME_SYSCALL_UNLINK_X, 63); /* no enter */
	eb_int(&x, (uint64_t)-2, 8);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_UNLINK_2_X);
	cr_expect_eq(geti(&o, "res"), -2);
	cr_expect(empty(&o, "path"));
}

Test(merge, tracepoint_and_meta_conversions)
{
	static struct eb x;
	eb_start(&x, FC_PPME_PROCEXIT_E, 70);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_PROCEXIT_1_E);
	cr_expect_eq(o.nparams, 5);
	for (unsigned i = 0; i < 5; i++)
		cr_expect_eq(o.plen[i], 0);

	eb_start(&x, FC_PPME_SCHEDSWITCH_1_E, 71);
	eb_int(&x, 99, 8);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SCHEDSWITCH_6_E);
	cr_expect_eq(geti(&o, "next"), 99);
	cr_expect(empty(&o, "vm_rss"));

	eb_start(&x, FC_PPME_CONTAINER_E, 72);
	eb_str(&x, "3ad7b26ded6d");
	eb_int(&x, 0, 4);
	eb_str(&x, "web");
	eb_str(&x, "nginx:1");
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_CONTAINER_JSON_2_E);
	cr_expect_str_eq(gets(&o, "json"),
			 "{\"id\":\"3ad7b26ded6d\",\"type\":0,\"name\":\"web\",\"image\":\"nginx:1\"}");

	eb_start(&x, FC_PPME_CONTAINER_JSON_E, 73);
	eb_str(&x, "{}");
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_CONTAINER_JSON_2_E);
	cr_expect(fc_events[o.type].flags & FC_EF_LARGE_PAYLOAD);
	cr_expect_str_eq(gets(&o, "json"), "{}");

	eb_start(&x, FC_PPME_SYSCALL_NEWSELECT_X, 74);
	eb_int(&x, 1, 8);
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_SELECT_X);

	eb_start(&x, FC_PPME_SYSCALL_UMOUNT_X, 75);
	eb_int(&x, 0, 8);
	eb_str(&x, "/mnt");
	o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_SYSCALL_UMOUNT_1_X);
	cr_expect_str_eq(gets(&o, "name"), "/mnt");
}

Test(merge, generic_and_ptrace_short_exits)
{
	static struct eb e, x;
	eb_start(&e, FC_PPME_GENERIC_E, 80);
	eb_int(&e, 139, 2);
	eb_int(&e, 28, 2);
	push_enter(&e);
	eb_start(&x, FC_PPME_GENERIC_X, 80);
	eb_int(&x, 139, 2);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(geti(&o, "ID"), 139);
	cr_expect_eq(geti(&o, "nativeID"), 28);

	eb_start(&e, FC_PPME_SYSCALL_PTRACE_E, 81);
	eb_int(&e, 11, 2);
	eb_int(&e, 1234, 8);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_PTRACE_X, 81);
	o = push_exit(&x);
	cr_expect(empty(&o, "res"));
	cr_expect(empty(&o, "addr"));
	cr_expect_eq(geti(&o, "request"), 11);
	cr_expect_eq(geti(&o, "pid"), 1234);
}

Test(merge, v1_events_are_reencoded)
{
	static struct eb x;
	eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, 90);
	eb_int(&x, (uint64_t)-9, 8);
	struct fc_evt in;
	const struct fc_evt *v1 = eb_done_v(&x, true);
	cr_assert_eq(v1->hdr_len, FC_EVT_HDR_V1_LEN);
	in = *v1;
	struct fc_evt o;
	cr_assert_eq(fc_merge_push(m, &in, &o), 1);
	cr_expect_eq(o.hdr_len, FC_EVT_HDR_LEN);
	cr_expect_eq(o.nparams, 2);
	cr_expect_eq(geti(&o, "res"), -9);
	cr_expect(empty(&o, "fd"));
	cr_expect_eq(stats().converted, 1);
}

Test(merge, large_payload_passes_with_u32_lengths)
{
	static struct eb x;
	static char big[300];
	memset(big, 'z', sizeof big);
	eb_start(&x, FC_PPME_ASYNCEVENT_E, 91);
	eb_int(&x, 3, 4);
	eb_str(&x, "container");
	eb_raw(&x, big, sizeof big);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(o.type, FC_PPME_ASYNCEVENT_E);
	cr_expect_eq(o.plen[2], sizeof big);
	cr_expect_eq(o.len, 26 + 3 * 4 + 4 + 10 + sizeof big);
}

/* ------------------------------------------------------------------------------------------ */
/* pairing, staleness, bounds, malformed input                                                */
/* ------------------------------------------------------------------------------------------ */

Test(merge, unpaired_exit_and_stale_enter)
{
	static struct eb e, x;
	eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, 100);
	eb_int(&x, 0, 8);
	struct fc_evt o = push_exit(&x);
	cr_expect(empty(&o, "fd"));
	cr_expect_eq(stats().unpaired_exits, 1);

	/* An enter whose exit never came, then another syscall's exit on the same thread. */
	eb_start(&e, FC_PPME_SYSCALL_READ_E, 101);
	eb_int(&e, 3, 8);
	eb_int(&e, 10, 4);
	push_enter(&e);
	cr_expect_eq(fc_merge_pending(m), 1);
	eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, 101);
	eb_int(&x, 0, 8);
	o = push_exit(&x);
	cr_expect(empty(&o, "fd"), "a read enter must not fill a close exit");
	cr_expect_eq(stats().stale_enters, 1);
	cr_expect_eq(stats().merged, 0);
	cr_expect_eq(fc_merge_pending(m), 0);

	/* An enter on another thread is not used. */
	eb_start(&e, FC_PPME_SYSCALL_CLOSE_E, 102);
	eb_int(&e, 4, 8);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, 103);
	eb_int(&x, 0, 8);
	o = push_exit(&x);
	cr_expect(empty(&o, "fd"));
	cr_expect_eq(fc_merge_pending(m), 1);

	/* A newer enter replaces an older one of the same thread. */
	eb_start(&e, FC_PPME_SYSCALL_CLOSE_E, 102);
	eb_int(&e, 5, 8);
	push_enter(&e);
	cr_expect_eq(stats().stale_enters, 2);
	eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, 102);
	eb_int(&x, 0, 8);
	o = push_exit(&x);
	cr_expect_eq(geti(&o, "fd"), 5);

	/* procexit forgets the thread's pending enter. */
	eb_start(&e, FC_PPME_SYSCALL_CLOSE_E, 104);
	eb_int(&e, 6, 8);
	push_enter(&e);
	eb_start(&x, FC_PPME_PROCEXIT_1_E, 104);
	eb_fill(&x, FC_PPME_PROCEXIT_1_E, 5);
	push_exit(&x);
	cr_expect_eq(fc_merge_pending(m), 0);
}

Test(merge, pending_is_bounded_oldest_dropped)
{
	fc_merge_free(m);
	m = fc_merge_new(4);
	static struct eb e, x;
	for (uint64_t tid = 1; tid <= 10; tid++) {
		eb_start(&e, FC_PPME_SYSCALL_CLOSE_E, tid);
		eb_int(&e, tid + 100, 8);
		push_enter(&e);
		cr_expect_leq(fc_merge_pending(m), 4);
	}
	cr_expect_eq(fc_merge_pending(m), 4);
	cr_expect_eq(stats().dropped_pending, 6);
	for (uint64_t tid = 1; tid <= 10; tid++) {
		eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, tid);
		eb_int(&x, 0, 8);
		struct fc_evt o = push_exit(&x);
		if (tid <= 6)
			cr_expect(empty(&o, "fd"), "tid %lu was evicted", (unsigned long)tid);
		else
			cr_expect_eq(geti(&o, "fd"), (int64_t)tid + 100);
	}
	cr_expect_eq(stats().merged, 4);
	cr_expect_eq(fc_merge_pending(m), 0);
}

Test(merge, many_threads_hash_stays_consistent)
{
	fc_merge_free(m);
	m = fc_merge_new(64);
	static struct eb e, x;
	/* Interleave stores and pairings (slots emptied, swept back when new threads need them). */
	for (uint64_t round = 0; round < 50; round++) {
		for (uint64_t k = 0; k < 40; k++) {
			uint64_t tid = round * 7919 + k * 104729;
			eb_start(&e, FC_PPME_SYSCALL_CLOSE_E, tid);
			eb_int(&e, tid & 0xffff, 8);
			push_enter(&e);
		}
		for (uint64_t k = 0; k < 40; k += 2) {
			uint64_t tid = round * 7919 + k * 104729;
			eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, tid);
			eb_int(&x, 0, 8);
			struct fc_evt o = push_exit(&x);
			cr_assert_eq(geti(&o, "fd"), (int64_t)(tid & 0xffff), "round %lu k %lu",
				     (unsigned long)round, (unsigned long)k);
		}
	}
	cr_expect_leq(fc_merge_pending(m), 64);
	cr_expect_eq(stats().merged, 50 * 20);
}

/* Pushes a close enter carrying FD on thread TID (absorbed). */
static void close_enter(uint64_t tid, uint64_t fd)
{
	static struct eb e;
	eb_start(&e, FC_PPME_SYSCALL_CLOSE_E, tid);
	eb_int(&e, fd, 8);
	push_enter(&e);
}

/* Pushes a close exit (res only) on thread TID: the fd the merger gave it, -1 when empty. */
static int64_t close_exit(uint64_t tid)
{
	static struct eb x;
	eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, tid);
	eb_int(&x, 0, 8);
	struct fc_evt o = push_exit(&x);
	return empty(&o, "fd") ? -1 : geti(&o, "fd");
}

Test(merge, newer_enter_replaces_and_counts_as_newest)
{
	fc_merge_free(m);
	m = fc_merge_new(3);
	close_enter(1, 11);
	close_enter(2, 12);
	close_enter(3, 13);
	close_enter(1, 21); /* replaces 11 (stale); thread 1 is now the newest */
	cr_expect_eq(stats().stale_enters, 1);
	cr_expect_eq(fc_merge_pending(m), 3);
	close_enter(4, 14); /* at the bound: the oldest, thread 2's, goes */
	cr_expect_eq(stats().dropped_pending, 1);
	cr_expect_eq(fc_merge_pending(m), 3);
	cr_expect_eq(close_exit(2), -1);
	cr_expect_eq(close_exit(1), 21);
	cr_expect_eq(close_exit(3), 13);
	cr_expect_eq(close_exit(4), 14);
	cr_expect_eq(stats().merged, 3);
	cr_expect_eq(stats().unpaired_exits, 1);
	cr_expect_eq(fc_merge_pending(m), 0);
}

Test(merge, pending_enters_survive_slot_reuse_and_are_evicted_oldest_first)
{
	fc_merge_free(m);
	m = fc_merge_new(4);
	close_enter(1000, 7);
	close_enter(1001, 8);
	/* Many more threads than slots (at most 2 x 4) pair their syscalls: their slots are
	 * emptied and taken back, never the two that still wait. */
	for (uint64_t tid = 1; tid <= 100; tid++) {
		close_enter(tid, tid);
		cr_assert_eq(close_exit(tid), (int64_t)tid);
	}
	cr_expect_eq(fc_merge_pending(m), 2);
	cr_expect_eq(stats().dropped_pending, 0);
	cr_expect_eq(close_exit(1001), 8);
	/* Thread 1000's enter is the oldest: it is the one that goes at the bound. */
	close_enter(200, 1);
	close_enter(201, 2);
	close_enter(202, 3);
	cr_expect_eq(fc_merge_pending(m), 4);
	close_enter(203, 4);
	cr_expect_eq(stats().dropped_pending, 1);
	cr_expect_eq(fc_merge_pending(m), 4);
	cr_expect_eq(close_exit(1000), -1);
	for (uint64_t tid = 200; tid <= 203; tid++)
		cr_expect_eq(close_exit(tid), (int64_t)tid - 199);
	cr_expect_eq(stats().merged, 100 + 1 + 4);
	cr_expect_eq(stats().stale_enters, 0);
	cr_expect_eq(fc_merge_pending(m), 0);
}

Test(merge, decoded_inputs_same_outcome)
{
	/* fc_merge_set_decoded: the same outputs and counters for what the decoder hands out. */
	fc_merge_set_decoded(m, true);
	static struct eb e, x;
	eb_start(&e, FC_PPME_SYSCALL_READ_E, 9);
	eb_int(&e, 3, 8);
	eb_int(&e, 10, 4);
	push_enter(&e);
	eb_start(&x, FC_PPME_SYSCALL_READ_X, 9);
	eb_int(&x, 4, 8);
	eb_raw(&x, "abcd", 4);
	struct fc_evt o = push_exit(&x);
	cr_expect_eq(geti(&o, "fd"), 3);
	cr_expect_eq(geti(&o, "size"), 10);
	cr_expect_eq(stats().merged, 1);
	/* Bytes after the parameters: not its own encoding, re-encoded without them. */
	eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, 9);
	eb_int(&x, 0, 8);
	eb_int(&x, 5, 8);
	const struct fc_evt *in = eb_done(&x);
	static uint8_t longer[64];
	memcpy(longer, in->raw, in->len);
	put(longer + 16, in->len + 3, 4);
	struct fc_evt d;
	cr_assert_eq(fc_evt_decode(longer, in->len + 3, &d), FC_EVT_OK);
	cr_assert_eq(fc_merge_push(m, &d, &o), 1);
	cr_expect_eq(o.len, in->len);
	cr_expect_eq(geti(&o, "fd"), 5);
}

Test(merge, malformed_views_fail_and_are_counted)
{
	static struct eb x;
	struct fc_evt in, o;
	memset(&in, 0, sizeof in);
	in.type = FC_EVENT_MAX;
	cr_expect_eq(fc_merge_push(m, &in, &o), -1);
	in.type = FC_PPME_SYSCALL_CLOSE_X;
	in.nparams = 3; /* the table has 2 */
	cr_expect_eq(fc_merge_push(m, &in, &o), -1);
	in.nparams = 1;
	in.plen[0] = 8;
	in.pval[0] = NULL;
	cr_expect_eq(fc_merge_push(m, &in, &o), -1);
	/* A hand-built view with a wrong-size fixed parameter cannot be re-encoded validly. */
	static const uint8_t three[3] = {1, 2, 3};
	in.pval[0] = three;
	in.plen[0] = 3;
	cr_expect_eq(fc_merge_push(m, &in, &o), -1);
	eb_start(&x, FC_PPME_K8S_E, 1);
	eb_str(&x, "{}");
	cr_expect_eq(fc_merge_push(m, eb_done(&x), &o), -1);
	cr_expect_eq(stats().failed, 5);
	cr_expect_eq(stats().dropped_old, 1);
	cr_expect_eq(stats().in, 5);
	cr_expect_eq(stats().out, 0);
	/* The merger still works afterwards. */
	eb_start(&x, FC_PPME_SYSCALL_CLOSE_X, 2);
	eb_int(&x, 0, 8);
	eb_int(&x, 1, 8);
	push_exit(&x);
	cr_expect_eq(stats().out, 1);
}

Test(merge, oversized_enter_is_not_stored)
{
	static struct eb e;
	eb_start(&e, FC_PPME_SYSCALL_EXECVE_19_E, 5);
	static char path[9000];
	memset(path, 'a', sizeof path - 1);
	/* Build by hand: the builder's per-parameter buffer is smaller. */
	uint8_t *buf = malloc(26 + 2 + sizeof path);
	put(buf, 1, 8);
	put(buf + 8, 5, 8);
	put(buf + 16, 26 + 2 + sizeof path, 4);
	put(buf + 20, FC_PPME_SYSCALL_EXECVE_19_E, 2);
	put(buf + 22, 1, 4);
	put(buf + 26, sizeof path, 2);
	memcpy(buf + 28, path, sizeof path);
	struct fc_evt in, o;
	cr_assert_eq(fc_evt_decode(buf, 26 + 2 + sizeof path, &in), FC_EVT_OK);
	cr_expect_eq(fc_merge_push(m, &in, &o), 0);
	cr_expect_eq(fc_merge_pending(m), 0);
	cr_expect_eq(stats().dropped_pending, 1);
	free(buf);
}

/* ------------------------------------------------------------------------------------------ */
/* the shared captures                                                                        */
/* ------------------------------------------------------------------------------------------ */

struct counts {
	unsigned long exits, execve, open, connect, enters_out;
};

static struct counts run_capture(const char *name)
{
	struct stat st;
	if (stat(SAMPLES, &st) != 0)
		cr_skip_test("sample captures not found at %s: skipped", SAMPLES);
	char path[1024], err[512];
	snprintf(path, sizeof path, "%s/%s", SAMPLES, name);
	struct fc_capture *cap;
	cr_assert_eq(fc_capture_open(path, &cap, err, sizeof err), 0, "%s", err);
	struct counts c = {0};
	struct fc_cap_item it;
	struct fc_evt o;
	int r;
	while ((r = fc_capture_next(cap, &it)) == 1) {
		if (it.kind != FC_CAP_EVENT)
			continue;
		int p = fc_merge_push(m, &it.ev.evt, &o);
		cr_assert_neq(p, -1, "event %u of %s failed to convert", it.ev.evt.type, name);
		if (p == 0)
			continue;
		cr_assert_eq(o.nparams, o.info->nparams);
		cr_assert_not(o.info->flags & FC_EF_OLD_VERSION, "old version %u left", o.type);
		if (!(o.type & 1)) {
			cr_assert(o.info->flags & FC_EF_TP, "syscall enter %u passed on", o.type);
			continue;
		}
		c.exits++;
		const char *n = o.info->name;
		c.execve += !strcmp(n, "execve");
		c.open += !strcmp(n, "open") || !strcmp(n, "openat");
		c.connect += !strcmp(n, "connect");
	}
	cr_assert_eq(r, 0, "%s", fc_capture_error(cap));
	fc_capture_close(cap);
	return c;
}

/* README reference counts (exit events, libsinsp): all / execve / open,openat / connect. */
Test(merge, capture_cat_write)
{
	struct counts c = run_capture("falco_cat_write.scap");
	cr_expect_eq(c.exits, 42);
	cr_expect_eq(c.execve, 1);
	cr_expect_eq(c.open, 4);
	cr_expect_eq(c.connect, 0);
	cr_expect_gt(stats().merged, 0);
}

Test(merge, capture_psp_run_as_user_0)
{
	struct counts c = run_capture("falco_psp_run_as_user_0_container.scap");
	cr_expect_eq(c.exits, 1343);
	cr_expect_eq(c.execve, 1);
	cr_expect_eq(c.open, 8);
	cr_expect_eq(c.connect, 0);
}

Test(merge, capture_libs_sample)
{
	struct counts c = run_capture("libs_sample.scap");
	cr_expect_eq(c.exits, 87);
	cr_expect_eq(c.execve, 0);
	cr_expect_eq(c.open, 0);
	cr_expect_eq(c.connect, 0);
}

Test(merge, capture_single_ipv6_conn_connect_gets_fd)
{
	struct counts c = run_capture("libs_single_ipv6_conn.scap");
	cr_expect_eq(c.exits, 14);
	cr_expect_eq(c.connect, 3);
	/* Its connect exits carry 2 parameters (res, tuple): fd comes from the enter. */
	cr_expect_geq(stats().merged, 3);
}
