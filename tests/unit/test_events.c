/* test_events.c — unit tests for the event and syscall tables generated from runtime/events.def
 * and runtime/syscalls.def (runtime/events.c), the arch column selection (arch/<arch>/arch.h) and
 * the name lookups built on them. Facts checked are those of shared/spec/EVENTS.md.
 * Owned by the events/syscalls tables work. */
#include <criterion/criterion.h>
#include <string.h>

#include "events.h"

/* ---- helpers ---- */

static const struct fc_param *param(unsigned code, unsigned i)
{
	cr_assert_lt(code, FC_EVENT_MAX);
	cr_assert_lt(i, fc_events[code].nparams, "event %u has no parameter %u", code, i);
	return &fc_events[code].params[i];
}

static void expect_param(unsigned code, unsigned i, const char *name, enum fc_ptype type)
{
	const struct fc_param *p = param(code, i);
	cr_expect_str_eq(p->name, name, "event %u param %u", code, i);
	cr_expect_eq(p->type, (uint8_t)type, "event %u param %u (%s): type %u, want %u", code, i,
		     p->name, p->type, (unsigned)type);
}

static fc_evtset set_of(const unsigned *codes, size_t n)
{
	fc_evtset s;
	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < n; i++)
		fc_evtset_add(&s, codes[i]);
	return s;
}

static bool set_eq(const fc_evtset *a, const fc_evtset *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* ---- table shape ---- */

Test(events, codes_are_dense_and_complete)
{
	cr_assert_eq(FC_EVENT_MAX, 454);
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		const struct fc_event_info *e = &fc_events[c];
		cr_assert_not_null(e->name, "code %u missing", c);
		cr_assert_not_null(e->category, "code %u has no category", c);
		cr_expect(e->nparams == 0 ? e->params == NULL : e->params != NULL, "code %u", c);
		cr_expect_leq(e->nparams, 32);
		for (unsigned p = 0; p < e->nparams; p++) {
			cr_expect_not_null(e->params[p].name);
			cr_expect_gt(strlen(e->params[p].name), 0);
		}
	}
}

Test(events, enter_even_exit_odd)
{
	cr_expect_eq(FC_PPME_GENERIC_E, 0);
	cr_expect_eq(FC_PPME_GENERIC_X, 1);
	cr_expect_eq(FC_PPME_SYSCALL_OPEN_E, 2);
	cr_expect_eq(FC_PPME_SYSCALL_OPEN_X, 3);
	cr_expect_eq(FC_PPME_SOCKET_CONNECT_E, 22);
	cr_expect_eq(FC_PPME_PROCEXIT_1_E, 186);
	cr_expect_eq(FC_PPME_SYSCALL_EXECVE_19_E, 292);
	cr_expect_eq(FC_PPME_SYSCALL_EXECVE_19_X, 293);
	cr_expect_eq(FC_PPME_SYSCALL_OPENAT_2_E, 306);
	cr_expect_eq(FC_PPME_SYSCALL_CLONE3_X, 335);
	cr_expect_eq(FC_PPME_ASYNCEVENT_E, 402);
	cr_expect_eq(FC_PPME_ITER_TASK_E, 430);
	/* An exit partner that is unused is named NA and flagged unused, and only those are. */
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		bool na = strcmp(fc_events[c].name, "NA") == 0;
		bool unused = fc_events[c].flags & FC_EF_UNUSED;
		cr_expect_eq(na, unused, "code %u (%s)", c, fc_events[c].name);
		if (na && c < 450)
			cr_expect(c % 2 == 1, "NA at enter code %u", c);
		/* Enter and exit of a used pair share their name. */
		if (c % 2 == 0 && !na && strcmp(fc_events[c + 1].name, "NA") != 0)
			cr_expect_str_eq(fc_events[c].name, fc_events[c + 1].name, "pair %u", c);
	}
}

Test(events, distinct_names_plausible)
{
	size_t n = 0;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		if (strcmp(fc_events[c].name, "NA") == 0)
			continue;
		bool seen = false;
		for (unsigned d = 0; d < c && !seen; d++)
			seen = strcmp(fc_events[d].name, fc_events[c].name) == 0;
		n += !seen;
	}
	cr_expect_geq(n, 188, "%zu distinct names", n);
	cr_expect_leq(n, 194, "%zu distinct names", n);
}

Test(events, only_toctou_syscall_enters_are_current)
{
	/* Current probe: exit events only, plus the TOCTOU enters of open, openat, openat2, creat,
	 * connect. Every other syscall enter event is old-version. */
	static const unsigned toctou[] = {2, 22, 58, 306, 326};
	for (unsigned c = 0; c < FC_EVENT_MAX; c += 2) {
		const struct fc_event_info *e = &fc_events[c];
		if (e->flags & (FC_EF_TP | FC_EF_UNUSED))
			continue;
		bool is_toctou = false;
		for (size_t i = 0; i < sizeof(toctou) / sizeof(toctou[0]); i++)
			is_toctou |= toctou[i] == c;
		if (is_toctou)
			cr_expect_not(e->flags & FC_EF_OLD_VERSION, "%u %s", c, e->name);
		else
			cr_expect(e->flags & FC_EF_OLD_VERSION, "%u %s should be old-version", c,
				  e->name);
	}
}

Test(events, large_payload_events)
{
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		bool large = fc_events[c].flags & FC_EF_LARGE_PAYLOAD;
		cr_expect_eq(large, c == 322 || c == 324 || c == 402, "code %u", c);
	}
}

Test(events, relpath_params_point_at_a_dirfd)
{
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		const struct fc_event_info *e = &fc_events[c];
		for (unsigned p = 0; p < e->nparams; p++) {
			const struct fc_param *pp = &e->params[p];
			if (pp->type != PT_FSRELPATH) {
				cr_expect_eq(pp->dirfd, -1, "%u %s.%s", c, e->name, pp->name);
				continue;
			}
			cr_assert_geq(pp->dirfd, 0, "%u %s.%s", c, e->name, pp->name);
			cr_assert_lt((unsigned)pp->dirfd, e->nparams);
			cr_expect_eq(e->params[pp->dirfd].type, PT_FD, "%u %s.%s", c, e->name,
				     pp->name);
		}
	}
}

/* ---- known layouts (EVENTS.md §4) ---- */

Test(events, generic)
{
	for (unsigned c = 0; c <= 1; c++) {
		cr_expect_str_eq(fc_events[c].name, "syscall");
		cr_assert_eq(fc_events[c].nparams, 2);
		expect_param(c, 0, "ID", PT_SYSCALLID);
		expect_param(c, 1, "nativeID", PT_UINT16);
	}
}

Test(events, execve)
{
	cr_expect_str_eq(fc_events[292].name, "execve");
	cr_expect_str_eq(fc_events[293].name, "execve");
	cr_expect(fc_events[292].flags & FC_EF_OLD_VERSION);
	cr_expect_not(fc_events[293].flags & FC_EF_OLD_VERSION);
	cr_expect(fc_events[293].flags & FC_EF_MODIFIES_STATE);
	cr_assert_eq(fc_events[292].nparams, 1);
	expect_param(292, 0, "filename", PT_FSPATH);

	static const struct {
		const char *name;
		enum fc_ptype type;
	} x[] = {
		{"res", PT_ERRNO},
		{"exe", PT_CHARBUF},
		{"args", PT_BYTEBUF},
		{"tid", PT_PID},
		{"pid", PT_PID},
		{"ptid", PT_PID},
		{"cwd", PT_CHARBUF},
		{"fdlimit", PT_UINT64},
		{"pgft_maj", PT_UINT64},
		{"pgft_min", PT_UINT64},
		{"vm_size", PT_UINT32},
		{"vm_rss", PT_UINT32},
		{"vm_swap", PT_UINT32},
		{"comm", PT_CHARBUF},
		{"cgroups", PT_BYTEBUF},
		{"env", PT_BYTEBUF},
		{"tty", PT_UINT32},
		{"vpgid", PT_PID},
		{"loginuid", PT_UID},
		{"flags", PT_FLAGS32},
		{"cap_inheritable", PT_UINT64},
		{"cap_permitted", PT_UINT64},
		{"cap_effective", PT_UINT64},
		{"exe_ino", PT_UINT64},
		{"exe_ino_ctime", PT_ABSTIME},
		{"exe_ino_mtime", PT_ABSTIME},
		{"uid", PT_UID},
		{"trusted_exepath", PT_FSPATH},
		{"pgid", PT_PID},
		{"gid", PT_GID},
		{"filename", PT_FSPATH},
	};
	cr_assert_eq(fc_events[293].nparams, 31);
	for (unsigned i = 0; i < 31; i++)
		expect_param(293, i, x[i].name, x[i].type);
	cr_expect_str_eq(param(293, 19)->info, "execve_flags");

	/* execveat exit: the same minus filename. */
	cr_expect_str_eq(fc_events[331].name, "execveat");
	cr_assert_eq(fc_events[331].nparams, 30);
	for (unsigned i = 0; i < 30; i++)
		expect_param(331, i, x[i].name, x[i].type);
	expect_param(330, 1, "pathname", PT_FSRELPATH);
	cr_expect_eq(param(330, 1)->dirfd, 0);
}

Test(events, openat)
{
	cr_expect_str_eq(fc_events[306].name, "openat");
	cr_expect_str_eq(fc_events[307].name, "openat");
	cr_assert_eq(fc_events[307].nparams, 7);
	expect_param(307, 0, "fd", PT_FD);
	expect_param(307, 1, "dirfd", PT_FD);
	expect_param(307, 2, "name", PT_FSRELPATH);
	cr_expect_eq(param(307, 2)->dirfd, 1);
	expect_param(307, 3, "flags", PT_FLAGS32);
	cr_expect_str_eq(param(307, 3)->info, "file_flags");
	expect_param(307, 4, "mode", PT_UINT32);
	expect_param(307, 5, "dev", PT_UINT32);
	expect_param(307, 6, "ino", PT_UINT64);
	/* TOCTOU enter event. */
	cr_assert_eq(fc_events[306].nparams, 4);
	expect_param(306, 1, "name", PT_FSRELPATH);
	cr_expect_eq(param(306, 1)->dirfd, 0);
	cr_expect(fc_events[307].flags & FC_EF_CREATES_FD);
}

Test(events, open_and_connect)
{
	cr_assert_eq(fc_events[3].nparams, 6);
	expect_param(3, 0, "fd", PT_FD);
	expect_param(3, 1, "name", PT_FSPATH);
	expect_param(3, 5, "ino", PT_UINT64);

	cr_expect_str_eq(fc_events[22].name, "connect");
	cr_assert_eq(fc_events[22].nparams, 2);
	expect_param(22, 0, "fd", PT_FD);
	expect_param(22, 1, "addr", PT_SOCKADDR);
	cr_assert_eq(fc_events[23].nparams, 4);
	expect_param(23, 0, "res", PT_ERRNO);
	expect_param(23, 1, "tuple", PT_SOCKTUPLE);
	expect_param(23, 2, "fd", PT_FD);
	expect_param(23, 3, "addr", PT_SOCKADDR);
}

Test(events, procexit_and_meta)
{
	cr_expect_str_eq(fc_events[186].name, "procexit");
	cr_expect(fc_events[186].flags & FC_EF_TP);
	cr_assert_eq(fc_events[186].nparams, 5);
	expect_param(186, 0, "status", PT_ERRNO);
	expect_param(186, 1, "ret", PT_ERRNO);
	expect_param(186, 2, "sig", PT_SIGTYPE);
	expect_param(186, 3, "core", PT_UINT8);
	expect_param(186, 4, "reaper_tid", PT_PID);
	cr_expect_str_eq(fc_events[187].name, "NA");
	cr_expect_str_eq(fc_events[16].name, "procexit");
	cr_expect_str_eq(fc_events[152].name, "switch");
	cr_expect_str_eq(fc_events[232].name, "signaldeliver");
	cr_expect_str_eq(fc_events[290].name, "page_fault");
	cr_expect_str_eq(fc_events[148].name, "drop");
	cr_expect_str_eq(fc_events[244].name, "cpu_hotplug");
	cr_expect_str_eq(fc_events[234].name, "procinfo");
	cr_expect_str_eq(fc_events[322].name, "pluginevent");
	cr_expect_str_eq(fc_events[402].name, "asyncevent");
	expect_param(402, 1, "name", PT_CHARBUF);
	cr_expect_str_eq(fc_events[228].name, "container");
	cr_expect_str_eq(fc_events[272].name, "container");
	cr_expect_str_eq(fc_events[324].name, "container");
	cr_expect_str_eq(fc_events[354].name, "useradded");
	cr_expect_str_eq(fc_events[358].name, "groupadded");
	static const unsigned na[] = {17, 153, 187, 233, 245, 291, 323, 403};
	for (size_t i = 0; i < sizeof(na) / sizeof(na[0]); i++)
		cr_expect_str_eq(fc_events[na[i]].name, "NA", "code %u", na[i]);
}

Test(events, clone_family)
{
	static const unsigned x[] = {223, 335, 225, 227};
	static const char *const n[] = {"clone", "clone3", "fork", "vfork"};
	for (unsigned i = 0; i < 4; i++) {
		cr_expect_str_eq(fc_events[x[i]].name, n[i]);
		cr_expect_str_eq(fc_events[x[i] - 1].name, n[i]);
		cr_expect(fc_events[x[i] - 1].flags & FC_EF_OLD_VERSION);
		cr_assert_eq(fc_events[x[i]].nparams, 21, "%s", n[i]);
		expect_param(x[i], 0, "res", PT_PID);
		expect_param(x[i], 7, "fdlimit", PT_INT64);
		expect_param(x[i], 15, "flags", PT_FLAGS32);
		cr_expect_str_eq(param(x[i], 15)->info, "clone_flags");
		expect_param(x[i], 18, "vtid", PT_PID);
		expect_param(x[i], 20, "pidns_init_start_ts", PT_UINT64);
	}
	cr_expect_eq(FC_PPME_SYSCALL_CLONE3_E, 334);
}

Test(events, misc_layouts)
{
	/* socket, dup family, ptrace, prctl, bpf, iterator (EVENTS.md §4.1, §4.3). */
	cr_assert_eq(fc_events[19].nparams, 5);
	expect_param(19, 1, "domain", PT_ENUMFLAGS32);
	cr_expect_str_eq(param(19, 1)->info, "socket_families");
	expect_param(367, 0, "res", PT_FD);
	expect_param(367, 1, "oldfd", PT_FD);
	expect_param(169, 1, "addr", PT_DYN);
	cr_expect_str_eq(param(169, 1)->info, "ptrace_dynamic_param");
	expect_param(169, 3, "request", PT_ENUMFLAGS16);
	expect_param(401, 1, "option", PT_ENUMFLAGS32);
	expect_param(369, 1, "cmd", PT_ENUMFLAGS32);
	expect_param(315, 2, "mode", PT_MODE);
	expect_param(311, 4, "newpath", PT_FSRELPATH);
	cr_expect_eq(param(311, 4)->dirfd, 3);
	expect_param(181, 3, "linkpath", PT_FSRELPATH);
	cr_expect_eq(param(181, 3)->dirfd, 2);
	cr_expect_str_eq(fc_events[430].name, "task");
	expect_param(430, 0, "ppid", PT_PID32);
	expect_param(432, 0, "fd", PT_FD32);
	cr_expect_eq(fc_event_param_index(293, "filename"), 30);
	cr_expect_eq(fc_event_param_index(293, "nope"), -1);
	cr_expect_eq(fc_event_param_index(FC_EVENT_MAX, "res"), -1);
}

/* ---- event sets and evt.type names ---- */

Test(evtset, operations)
{
	fc_evtset a, b;
	fc_evtset_fill(&a);
	cr_expect_eq(fc_evtset_count(&a), FC_EVENT_MAX);
	cr_expect(fc_evtset_has(&a, FC_EVENT_MAX - 1));
	cr_expect_not(fc_evtset_has(&a, FC_EVENT_MAX));
	fc_evtset_complement(&a);
	cr_expect(fc_evtset_empty(&a));
	cr_expect_eq(fc_evtset_count(&a), 0);
	fc_evtset_complement(&a);
	cr_expect_eq(fc_evtset_count(&a), FC_EVENT_MAX);

	static const unsigned ca[] = {1, 2, 64, 300};
	static const unsigned cb[] = {2, 300, 453};
	a = set_of(ca, 4);
	b = set_of(cb, 3);
	fc_evtset u = a;
	fc_evtset_union(&u, &b);
	cr_expect_eq(fc_evtset_count(&u), 5);
	fc_evtset i = a;
	fc_evtset_intersect(&i, &b);
	cr_expect_eq(fc_evtset_count(&i), 2);
	cr_expect(fc_evtset_has(&i, 2) && fc_evtset_has(&i, 300));
	fc_evtset_add(&i, FC_EVENT_MAX); /* out of range: ignored */
	cr_expect_eq(fc_evtset_count(&i), 2);
}

Test(evtset, add_name)
{
	fc_evtset s;

	memset(&s, 0, sizeof(s));
	cr_assert(fc_evtset_add_name(&s, "open"));
	static const unsigned open_codes[] = {2, 3};
	fc_evtset want = set_of(open_codes, 2);
	cr_expect(set_eq(&s, &want), "open -> {2,3}");

	memset(&s, 0, sizeof(s));
	cr_assert(fc_evtset_add_name(&s, "openat"));
	static const unsigned openat_codes[] = {102, 103, 306, 307};
	want = set_of(openat_codes, 4);
	cr_expect(set_eq(&s, &want), "openat -> {102,103,306,307}");

	memset(&s, 0, sizeof(s));
	cr_assert(fc_evtset_add_name(&s, "execve"));
	static const unsigned execve_codes[] = {12,  13,  154, 155, 172, 173, 214, 215,
						230, 231, 282, 283, 288, 289, 292, 293};
	want = set_of(execve_codes, 16);
	cr_expect(set_eq(&s, &want), "execve: %zu codes", fc_evtset_count(&s));

	memset(&s, 0, sizeof(s));
	cr_assert(fc_evtset_add_name(&s, "procexit")); /* exit-only: the NA partners stay out */
	static const unsigned procexit_codes[] = {16, 186};
	want = set_of(procexit_codes, 2);
	cr_expect(set_eq(&s, &want));

	memset(&s, 0, sizeof(s));
	cr_assert(fc_evtset_add_name(&s, "madvise")); /* syscall without its own event */
	static const unsigned generic_codes[] = {0, 1};
	want = set_of(generic_codes, 2);
	cr_expect(set_eq(&s, &want));

	memset(&s, 0, sizeof(s));
	cr_assert(fc_evtset_add_name(&s, "pread64")); /* the event is named pread */
	cr_expect(set_eq(&s, &want));

	memset(&s, 0, sizeof(s));
	cr_assert(fc_evtset_add_name(&s, "container"));
	static const unsigned container_codes[] = {228, 272, 324, 402};
	want = set_of(container_codes, 4);
	cr_expect(set_eq(&s, &want));

	memset(&s, 0, sizeof(s));
	cr_assert(fc_evtset_add_name(&s, "accept4"));
	static const unsigned accept4_codes[] = {388, 389};
	want = set_of(accept4_codes, 2);
	cr_expect(set_eq(&s, &want));

	memset(&s, 0, sizeof(s));
	cr_expect_not(fc_evtset_add_name(&s, "no_such_event"));
	cr_expect_not(fc_evtset_add_name(&s, "NA"));
	cr_expect_not(fc_evtset_add_name(&s, ""));
	cr_expect(fc_evtset_empty(&s));

	/* Adding accumulates. */
	cr_assert(fc_evtset_add_name(&s, "open"));
	cr_assert(fc_evtset_add_name(&s, "madvise"));
	cr_expect_eq(fc_evtset_count(&s), 4);
}

Test(evtset, name_known)
{
	cr_expect(fc_event_name_known("execve"));
	cr_expect(fc_event_name_known("switch"));
	cr_expect(fc_event_name_known("madvise"));
	cr_expect(fc_event_name_known("sched_process_exit"));
	cr_expect(fc_event_name_known("container"));
	cr_expect(fc_event_name_known("asyncevent"));
	cr_expect(fc_event_name_known("task_file_regular"));
	cr_expect_not(fc_event_name_known("NA"));
	cr_expect_not(fc_event_name_known("execv"));
	cr_expect_not(fc_event_name_known(NULL));
}

/* ---- event parameter names ---- */

Test(evtparam, prefix)
{
	cr_expect_eq(fc_evtparam_prefix("flags"), 5);
	cr_expect_eq(fc_evtparam_prefix("flagsx"), 5);
	cr_expect_eq(fc_evtparam_prefix("zzz"), 0);
	cr_expect_eq(fc_evtparam_prefix(""), 0);
	cr_expect_eq(fc_evtparam_prefix("fd"), 2);
	cr_expect_eq(fc_evtparam_prefix("fd1"), 3);
	cr_expect_eq(fc_evtparam_prefix("fdx"), 2);
	cr_expect_eq(fc_evtparam_prefix("res"), 3);
	cr_expect_eq(fc_evtparam_prefix("cap_effective"), 13);
	cr_expect_eq(fc_evtparam_prefix("trusted_exepath.x"), 15);
	cr_expect_eq(fc_evtparam_prefix("nativeID"), 8);
}

Test(evtparam, type)
{
	cr_expect_eq(fc_evtparam_type("res"), PT_ERRNO);
	cr_expect_eq(fc_evtparam_type("fd"), PT_FD);
	cr_expect_eq(fc_evtparam_type("flags"), PT_FLAGS32);
	cr_expect_eq(fc_evtparam_type("name"), PT_FSPATH);
	cr_expect_eq(fc_evtparam_type("loginuid"), PT_UID);
	cr_expect_eq(fc_evtparam_type("zzz"), PT_NONE);
	cr_expect_eq(fc_evtparam_type(NULL), PT_NONE);
}

/* ---- syscalls ---- */

Test(syscalls, known_numbers)
{
	const struct fc_syscall_info *s = fc_syscall_by_name("execve");
	cr_assert_not_null(s);
	cr_expect_eq(s->ppm_sc, 324);
	cr_expect_eq(s->nr_x86_64, 59);
	cr_expect_eq(s->nr_aarch64, 221);
	cr_expect_eq(s->enter_code, 292);

	s = fc_syscall_by_name("openat");
	cr_assert_not_null(s);
	cr_expect_eq(s->ppm_sc, 197);
	cr_expect_eq(s->nr_x86_64, 257);
	cr_expect_eq(s->nr_aarch64, 56);
	cr_expect_eq(s->enter_code, 306);

	s = fc_syscall_by_name("fork");
	cr_assert_not_null(s);
	cr_expect_eq(s->nr_x86_64, 57);
	cr_expect_eq(s->nr_aarch64, -1);
	cr_expect_eq(s->enter_code, 224);

	s = fc_syscall_by_name("madvise");
	cr_assert_not_null(s);
	cr_expect_eq(s->ppm_sc, 139);
	cr_expect_eq(s->nr_x86_64, 28);
	cr_expect_eq(s->nr_aarch64, 233);
	cr_expect_eq(s->enter_code, 0);

	s = fc_syscall_by_name("clone3");
	cr_assert_not_null(s);
	cr_expect_eq(s->nr_x86_64, 435);
	cr_expect_eq(s->nr_aarch64, 435);
	cr_expect_eq(s->enter_code, 334);

	s = fc_syscall_by_name("umount");
	cr_assert_not_null(s);
	cr_expect_eq(s->ppm_sc, 288);
	cr_expect_eq(s->nr_x86_64, -1);
	cr_expect_eq(s->nr_aarch64, -1);
	cr_expect_eq(s->enter_code, 386);

	s = fc_syscall_by_name("sched_process_exit");
	cr_assert_not_null(s);
	cr_expect_eq(s->nr_x86_64, -1);
	cr_expect_eq(s->nr_aarch64, -1);

	cr_expect_null(fc_syscall_by_name("procexit"));
	cr_expect_null(fc_syscall_by_name(""));

	s = fc_syscall_by_nr("x86_64", 59);
	cr_assert_not_null(s);
	cr_expect_str_eq(s->name, "execve");
	s = fc_syscall_by_nr("aarch64", 221);
	cr_assert_not_null(s);
	cr_expect_str_eq(s->name, "execve");
	cr_expect_null(fc_syscall_by_nr("aarch64", 1024));
	cr_expect_null(fc_syscall_by_nr("mips", 1));

	s = fc_syscall_by_ppm_sc(243);
	cr_assert_not_null(s);
	cr_expect_str_eq(s->name, "connect");
	cr_expect_null(fc_syscall_by_ppm_sc(382));
	cr_expect_null(fc_syscall_by_ppm_sc(100000));
}

Test(syscalls, table_consistency)
{
	cr_expect_geq(fc_nsyscalls, 440);
	for (size_t i = 0; i < fc_nsyscalls; i++) {
		const struct fc_syscall_info *s = &fc_syscalls[i];
		cr_assert_not_null(s->name);
		if (i)
			cr_expect_gt(s->ppm_sc, fc_syscalls[i - 1].ppm_sc, "%s", s->name);
		cr_expect_eq(fc_syscall_by_name(s->name), s, "%s", s->name);
		cr_expect_eq(fc_syscall_by_ppm_sc(s->ppm_sc), s, "%s", s->name);
		cr_expect_eq(s->enter_code % 2, 0);
		cr_expect_lt(s->enter_code, FC_EVENT_MAX);
		if (s->enter_code) {
			const struct fc_event_info *e = &fc_events[s->enter_code];
			cr_expect_str_neq(e->name, "NA", "%s", s->name);
			cr_expect_not(fc_events[s->enter_code | 1].flags & FC_EF_OLD_VERSION,
				      "%s -> %u is an old version", s->name, s->enter_code);
		}
		for (size_t j = 0; j < i; j++) {
			if (s->nr_x86_64 >= 0)
				cr_expect_neq(s->nr_x86_64, fc_syscalls[j].nr_x86_64, "%s",
					      s->name);
			if (s->nr_aarch64 >= 0)
				cr_expect_neq(s->nr_aarch64, fc_syscalls[j].nr_aarch64, "%s",
					      s->name);
		}
	}
}

/* ---- per-arch column selection from the one list ---- */

#include "x86_64/arch.h"
static const char *const x86_name = FC_ARCH_NAME;
static const int x86_max = FC_ARCH_SYSCALL_MAX;
#define SYSCALL(name, ppm_sc, nr_x86_64, nr_aarch64, enter) FC_ARCH_NR(nr_x86_64, nr_aarch64),
static const int x86_nrs[] = {
#include "syscalls.def"
};
#undef SYSCALL
#undef FC_ARCH_H
#undef FC_ARCH_NAME
#undef FC_ARCH_NR
#undef FC_ARCH_SYSCALL_MAX

#include "aarch64/arch.h"
static const char *const a64_name = FC_ARCH_NAME;
static const int a64_max = FC_ARCH_SYSCALL_MAX;
#define SYSCALL(name, ppm_sc, nr_x86_64, nr_aarch64, enter) FC_ARCH_NR(nr_x86_64, nr_aarch64),
static const int a64_nrs[] = {
#include "syscalls.def"
};
#undef SYSCALL

Test(arch, column_selection)
{
	cr_expect_str_eq(x86_name, "x86_64");
	cr_expect_str_eq(a64_name, "aarch64");
	cr_assert_eq(sizeof(x86_nrs) / sizeof(x86_nrs[0]), fc_nsyscalls);
	cr_assert_eq(sizeof(a64_nrs) / sizeof(a64_nrs[0]), fc_nsyscalls);
	for (size_t i = 0; i < fc_nsyscalls; i++) {
		cr_expect_eq(x86_nrs[i], fc_syscalls[i].nr_x86_64);
		cr_expect_eq(a64_nrs[i], fc_syscalls[i].nr_aarch64);
		cr_expect_lt(x86_nrs[i], x86_max);
		cr_expect_lt(a64_nrs[i], a64_max);
		if (strcmp(fc_syscalls[i].name, "execve") == 0) {
			cr_expect_eq(x86_nrs[i], 59);
			cr_expect_eq(a64_nrs[i], 221);
		}
	}
}
