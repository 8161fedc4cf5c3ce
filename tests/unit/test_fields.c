/* test_fields.c — the field catalog and field-name resolution (runtime/fields.c): types of a
 * sample of fields from every class (LANGUAGE.md §13), flags, the class table, argument forms
 * (index / key / dot) and every upstream error message verbatim (LANGUAGE.md §5), the
 * "misused field" validity test. Resolution speed is measured in benchmarks/, not here. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "fields.h"


static struct fc_fieldref ref;
static char err[512];

static bool res(const char *name, const char *arg)
{
	err[0] = 0;
	return fc_field_resolve(name, arg, &ref, err, sizeof err);
}

static void ok(const char *name, const char *arg, enum fc_field_id id)
{
	cr_assert(res(name, arg), "%s%s%s%s: %s", name, arg ? "[" : "", arg ? arg : "", arg ? "]" : "", err);
	cr_assert_eq(ref.id, id, "%s: id %d, want %d (%s)", name, ref.id, id, fc_fields[id].name);
}

static void bad(const char *name, const char *arg, const char *msg)
{
	cr_assert_not(res(name, arg), "%s should not resolve", name);
	cr_assert_str_eq(err, msg);
}

static void type_is(const char *name, enum fc_ptype t)
{
	cr_assert(res(name, NULL), "%s: %s", name, err);
	cr_assert_eq(ref.type, t, "%s: type %s, want %s", name, fc_ptype_name(ref.type), fc_ptype_name(t));
}

Test(fields, types_per_class)
{
	/* evt (gen_event + event) */
	type_is("evt.num", PT_UINT64);
	type_is("evt.time", PT_CHARBUF);
	type_is("evt.rawtime", PT_ABSTIME);
	type_is("evt.reltime", PT_RELTIME);
	type_is("evt.is_async", PT_BOOL);
	type_is("evt.type", PT_CHARBUF);
	type_is("syscall.type", PT_CHARBUF);
	type_is("evt.cpu", PT_INT16);
	type_is("evt.rawres", PT_INT64);
	type_is("evt.res", PT_CHARBUF);
	type_is("evt.buffer", PT_BYTEBUF);
	type_is("evt.buflen", PT_UINT64);
	type_is("evt.latency", PT_RELTIME);
	type_is("evt.is_open_write", PT_BOOL);
	type_is("evt.type.is.open", PT_UINT32);
	/* proc / thread */
	type_is("proc.name", PT_CHARBUF);
	type_is("proc.pid", PT_INT64);
	type_is("proc.tty", PT_UINT32);
	type_is("proc.cmdnargs", PT_UINT64);
	type_is("proc.fdusage", PT_DOUBLE);
	type_is("proc.duration", PT_RELTIME);
	type_is("proc.exe_ino.ctime", PT_ABSTIME);
	type_is("proc.is_exe_upper_layer", PT_BOOL);
	type_is("thread.ismain", PT_BOOL);
	type_is("thread.cpu", PT_DOUBLE);
	type_is("thread.vtid", PT_INT64);
	/* user / group */
	type_is("user.uid", PT_UINT32);
	type_is("user.name", PT_CHARBUF);
	type_is("user.loginuid", PT_INT64);
	type_is("group.gid", PT_UINT32);
	type_is("group.name", PT_CHARBUF);
	/* fd */
	type_is("fd.num", PT_INT64);
	type_is("fd.dev", PT_INT32);
	type_is("fd.cip", PT_IPADDR);
	type_is("fd.ip", PT_IPADDR);
	type_is("fd.snet", PT_IPNET);
	type_is("fd.sport", PT_PORT);
	type_is("fd.proto", PT_PORT);
	type_is("fd.connected", PT_BOOL);
	type_is("fd.types", PT_CHARBUF);
	/* fs.path, fdlist, util */
	type_is("fs.path.name", PT_CHARBUF);
	type_is("fs.path.targetraw", PT_CHARBUF);
	type_is("fdlist.sports", PT_CHARBUF);
	type_is("util.cnt", PT_UINT64);
	/* container plugin */
	type_is("container.id", PT_CHARBUF);
	type_is("container.privileged", PT_BOOL);
	type_is("container.start_ts", PT_ABSTIME);
	type_is("container.duration", PT_RELTIME);
	type_is("k8s.pod.name", PT_CHARBUF);
	type_is("k8s.ns.name", PT_CHARBUF);
}

Test(fields, flags)
{
	cr_assert(res("fd.ip", NULL));
	cr_assert(ref.flags & FC_FF_FILTER_ONLY);
	cr_assert(ref.flags & FC_FF_NO_RHS);
	cr_assert(res("fd.net", NULL));
	cr_assert(ref.flags & FC_FF_FILTER_ONLY);
	cr_assert(res("fd.types", NULL));
	cr_assert(ref.flags & FC_FF_IS_LIST);
	cr_assert(ref.flags & FC_FF_NO_RHS);
	cr_assert_not(ref.has_arg);
	cr_assert(res("evt.dir", NULL));
	cr_assert(ref.flags & FC_FF_DEPRECATED);
	const char *dep[] = {"evt.latency", "evt.latency.s", "evt.latency.ns", "evt.latency.human",
			     "evt.wait_latency"};
	for (size_t i = 0; i < sizeof dep / sizeof dep[0]; i++)
		cr_assert(fc_field_by_name(dep[i])->flags & FC_FF_DEPRECATED, "%s", dep[i]);
	cr_assert_not(fc_field_by_name("evt.type")->flags & FC_FF_DEPRECATED);
	cr_assert(res("evt.around", "1404996934793590564"));
	cr_assert(ref.flags & FC_FF_EQ_ONLY);
	cr_assert(ref.flags & FC_FF_FILTER_ONLY);
	cr_assert(ref.arg_is_index);
	cr_assert(res("fd.sip.name", NULL));
	cr_assert(ref.flags & FC_FF_NO_RHS);
	cr_assert(fc_field_by_name("evt.rawarg")->flags & FC_FF_NO_RHS);
	cr_assert(fc_field_by_name("k8s.rc.name")->flags & FC_FF_UNAVAILABLE);
	cr_assert(fc_field_by_name("k8s.ns.label")->flags & FC_FF_UNAVAILABLE);
	cr_assert_not(fc_field_by_name("k8s.ns.name")->flags & FC_FF_UNAVAILABLE);
	cr_assert_not(fc_field_by_name("proc.name")->flags & FC_FF_UNAVAILABLE);
}

Test(fields, catalog_and_classes)
{
	/* every class non-empty, contiguous, covering all ids in order */
	size_t n = fc_field_class_count();
	cr_assert_geq(n, 11);
	enum fc_field_id first, end, prev_end = 0;
	for (size_t i = 0; i < n; i++) {
		const struct fc_field_class *c = fc_field_class_get(i, &first, &end);
		cr_assert(c && c->name && c->prefix);
		cr_assert_eq(first, prev_end);
		cr_assert_lt(first, end);
		for (enum fc_field_id id = first; id < end; id++)
			cr_assert_eq(fc_field_class_of(id), i, "%s", fc_fields[id].name);
		prev_end = end;
	}
	cr_assert_eq(prev_end, FC_F_MAX_);
	cr_assert_null(fc_field_class_get(n, NULL, NULL));
	/* resolution order: gen_event, event, thread, user, group, fd, fspath, utils, fdlist, plugins */
	const char *order[] = {"evt", "evt", "process", "user", "group", "fd", "fs.path", "util", "fdlist",
			       "container", "k8s"};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		cr_assert_str_eq(fc_field_class_get(i, NULL, NULL)->name, order[i]);
	cr_assert_eq(fc_field_class_of(FC_F_EVT_NUM), 0);
	cr_assert_eq(fc_field_class_of(FC_F_EVT_TYPE), 1);

	/* names unique, found by exact lookup; descriptions present */
	for (int i = 0; i < FC_F_MAX_; i++) {
		cr_assert(fc_fields[i].name && fc_fields[i].desc && fc_fields[i].desc[0], "field %d", i);
		cr_assert_eq(fc_field_by_name(fc_fields[i].name), &fc_fields[i], "%s", fc_fields[i].name);
	}
	cr_assert_null(fc_field_by_name("proc.nme"));
	cr_assert_null(fc_field_by_name("proc"));
	cr_assert_null(fc_field_by_name(""));

	/* every catalog name resolves to itself, except the fields whose argument is required */
	for (int i = 0; i < FC_F_MAX_; i++) {
		const struct fc_field *f = &fc_fields[i];
		bool r = res(f->name, NULL);
		if (f->flags & FC_FF_ARG_REQUIRED) {
			cr_assert_not(r, "%s needs an argument", f->name);
		} else {
			cr_assert(r, "%s: %s", f->name, err);
			cr_assert_eq((int)ref.id, i, "%s", f->name);
		}
	}
}

Test(fields, counts)
{
	/* guard against silent loss of entries while editing fields.def */
	size_t counts[16] = {0};
	for (int i = 0; i < FC_F_MAX_; i++)
		counts[fc_field_class_of((enum fc_field_id)i)]++;
	size_t want[] = {18, 58, 90, 6, 2, 46, 6, 1, 6, 32, 29};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_assert_eq(counts[i], want[i], "class %zu (%s): %zu fields", i, fc_field_class_get(i, NULL, NULL)->name,
			     counts[i]);
}

Test(fields, nonexistent)
{
	bad("proc.nme", NULL, "filter_check called with nonexistent field proc.nme");
	bad("proc.name.foo", NULL, "filter_check called with nonexistent field proc.name.foo");
	bad("proc.namex", NULL, "filter_check called with nonexistent field proc.namex");
	bad("proc.name", "1", "filter_check called with nonexistent field proc.name[1]");
	bad("evt.typex", NULL, "filter_check called with nonexistent field evt.typex");
	bad("evt.type", "0", "filter_check called with nonexistent field evt.type[0]");
	bad("foo.bar", NULL, "filter_check called with nonexistent field foo.bar");
	bad("proc.nobody", NULL, "filter_check called with nonexistent field proc.nobody");
	bad("fd.nam", NULL, "filter_check called with nonexistent field fd.nam");
	bad("fd.typesx", NULL, "filter_check called with nonexistent field fd.typesx");
	bad("thread.cgroup.cpu2", NULL, "filter_check called with nonexistent field thread.cgroup.cpu2");
	bad("evt.abspath.foo", NULL, "filter_check called with nonexistent field evt.abspath.foo");
	bad("evt.type.is.nosuchevent", NULL, "filter_check called with nonexistent field evt.type.is.nosuchevent");
	bad("container.idx", NULL, "filter_check called with nonexistent field container.idx");
	bad("container.mountx", "1", "filter_check called with nonexistent field container.mountx[1]");
	/* an ancestor index that is not a number: upstream swallows the parse error */
	bad("proc.aname", "a", "filter_check called with nonexistent field proc.aname[a]");
	bad("proc.aname.foo", NULL, "filter_check called with nonexistent field proc.aname.foo");
}

Test(fields, evt_arg)
{
	ok("evt.arg.flags", NULL, FC_F_EVT_ARG);
	cr_assert(ref.has_arg);
	cr_assert_not(ref.arg_is_index);
	cr_assert_str_eq(ref.arg, "flags");
	cr_assert_eq(ref.type, PT_CHARBUF);

	ok("evt.arg", "0", FC_F_EVT_ARG);
	cr_assert(ref.arg_is_index);
	cr_assert_eq(ref.index, 0);
	ok("evt.arg", "3", FC_F_EVT_ARG);
	cr_assert_eq(ref.index, 3);

	bad("evt.arg.nosuchparam", NULL, "unknown event argument nosuchparam");
	bad("evt.arg", "a", "a is not a valid number");
	bad("evt.arg", NULL, "filter syntax error: evt.arg");
	bad("evt.argx", NULL, "filter syntax error: evt.argx");
	/* a known parameter followed by more text: longest parameter match, then not whole */
	bad("evt.arg.flagsx", NULL, "filter_check called with nonexistent field evt.arg.flagsx");
	/* evt.args is its own field, not evt.arg + s */
	ok("evt.args", NULL, FC_F_EVT_ARGS);
	cr_assert_not(ref.has_arg);
}

Test(fields, evt_rawarg)
{
	ok("evt.rawarg.res", NULL, FC_F_EVT_RAWARG);
	cr_assert_str_eq(ref.arg, "res");
	cr_assert_eq(ref.type, fc_evtparam_type("res"));
	cr_assert(ref.type == PT_ERRNO || ref.type == PT_INT64, "evt.rawarg.res is %s", fc_ptype_name(ref.type));
	cr_assert(ref.flags & FC_FF_NO_RHS);
	ok("evt.rawarg.fd", NULL, FC_F_EVT_RAWARG);
	cr_assert_eq(ref.type, fc_evtparam_type("fd"));
	cr_assert_neq(ref.type, PT_DYN);

	bad("evt.rawarg", "0", "evt.arg fields must be expressed explicitly");
	bad("evt.rawarg", "a", "evt.arg fields must be expressed explicitly");
	bad("evt.rawarg.nosuchparam", NULL, "unknown event argument nosuchparam");
	bad("evt.rawarg", NULL, "filter syntax error: evt.rawarg");
}

Test(fields, evt_special_forms)
{
	ok("evt.type.is.open", NULL, FC_F_EVT_TYPE_IS);
	cr_assert_str_eq(ref.arg, "open");
	cr_assert_not(ref.arg_is_index);
	ok("evt.type.is.3", NULL, FC_F_EVT_TYPE_IS);
	cr_assert(ref.arg_is_index);
	cr_assert_eq(ref.index, 3);
	bad("evt.type.is", NULL, "filter syntax error: evt.type.is");

	ok("evt.abspath", NULL, FC_F_EVT_ABSPATH);
	cr_assert_not(ref.has_arg);
	ok("evt.abspath.src", NULL, FC_F_EVT_ABSPATH);
	cr_assert_str_eq(ref.arg, "src");
	ok("evt.abspath.dst", NULL, FC_F_EVT_ABSPATH);
	cr_assert_str_eq(ref.arg, "dst");

	ok("evt.around", "1404996934793590564", FC_F_EVT_AROUND);
	cr_assert_eq(ref.index, 1404996934793590564LL);
	bad("evt.around", "x", "x is not a valid number");
	bad("evt.around.x", NULL, "wrong syntax for evt.around");
	bad("evt.around", NULL, "filter syntax error: evt.around");

	/* deprecated latency fields go through the plain table */
	ok("evt.latency.human", NULL, FC_F_EVT_LATENCY_HUMAN);
	/* gen_event comes first */
	ok("evt.time.iso8601", NULL, FC_F_EVT_TIME_ISO8601);
	bad("evt.time.iso8601x", NULL, "filter_check called with nonexistent field evt.time.iso8601x");
}

Test(fields, proc_ancestors)
{
	ok("proc.aname", NULL, FC_F_PROC_ANAME);
	cr_assert_not(ref.has_arg);
	cr_assert(ref.flags & FC_FF_NO_RHS);
	cr_assert(ref.flags & FC_FF_ANCESTORS);

	ok("proc.aname", "2", FC_F_PROC_ANAME);
	cr_assert(ref.has_arg);
	cr_assert(ref.arg_is_index);
	cr_assert_eq(ref.index, 2);
	cr_assert_not(ref.flags & FC_FF_NO_RHS);
	cr_assert_not(ref.flags & FC_FF_ANCESTORS);

	ok("proc.aname", "0", FC_F_PROC_ANAME);
	cr_assert_eq(ref.index, 0);
	ok("proc.apid", "1", FC_F_PROC_APID);
	cr_assert_eq(ref.type, PT_INT64);
	cr_assert_eq(ref.index, 1);
	ok("proc.aexe", "3", FC_F_PROC_AEXE);
	ok("proc.aexepath", NULL, FC_F_PROC_AEXEPATH);
	cr_assert(ref.flags & FC_FF_ANCESTORS);
	ok("proc.aexepath", "1", FC_F_PROC_AEXEPATH);
	ok("proc.acmdline", "1", FC_F_PROC_ACMDLINE);
	ok("proc.aargs", "1", FC_F_PROC_AARGS);
	ok("proc.aargs", NULL, FC_F_PROC_AARGS);
	cr_assert(ref.flags & FC_FF_ANCESTORS);

	ok("proc.args", NULL, FC_F_PROC_ARGS);
	cr_assert_not(ref.has_arg);
	cr_assert_not(ref.flags & FC_FF_ANCESTORS);
	ok("proc.args", "1", FC_F_PROC_ARGS);
	cr_assert(ref.arg_is_index);
	cr_assert_eq(ref.index, 1);

	/* the plain parent / self fields keep their normal flags */
	ok("proc.pname", NULL, FC_F_PROC_PNAME);
	cr_assert_not(ref.flags & (FC_FF_NO_RHS | FC_FF_ANCESTORS));
}

Test(fields, proc_env)
{
	ok("proc.env", NULL, FC_F_PROC_ENV);
	cr_assert_not(ref.has_arg);
	ok("proc.env", "HOME", FC_F_PROC_ENV);
	cr_assert(ref.has_arg);
	cr_assert_not(ref.arg_is_index);
	cr_assert_str_eq(ref.arg, "HOME");
	ok("proc.env", "3", FC_F_PROC_ENV);
	cr_assert(ref.arg_is_index);
	cr_assert_eq(ref.index, 3);

	ok("proc.aenv", NULL, FC_F_PROC_AENV);
	cr_assert(ref.flags & FC_FF_ANCESTORS);
	ok("proc.aenv", "PATH", FC_F_PROC_AENV);
	cr_assert_str_eq(ref.arg, "PATH");
	cr_assert_not(ref.flags & FC_FF_ANCESTORS);
	cr_assert_not(ref.flags & FC_FF_NO_RHS);
	ok("proc.aenv", "2", FC_F_PROC_AENV);
	cr_assert(ref.arg_is_index);
}

Test(fields, thread_cgroup)
{
	ok("thread.cgroup.cpu", NULL, FC_F_THREAD_CGROUP);
	cr_assert_str_eq(ref.arg, "cpu");
	ok("thread.cgroup.cpuacct", NULL, FC_F_THREAD_CGROUP);
	cr_assert_str_eq(ref.arg, "cpuacct");
	ok("thread.cgroup.net_cls", NULL, FC_F_THREAD_CGROUP);
	ok("thread.cgroups", NULL, FC_F_THREAD_CGROUPS);
	cr_assert_not(ref.has_arg);
	bad("thread.cgroup", NULL, "filter syntax error: thread.cgroup");
	bad("thread.cgroup", "cpu", "filter syntax error: thread.cgroup[cpu]");
}

Test(fields, fd_types)
{
	ok("fd.types", "2", FC_F_FD_TYPES);
	cr_assert(ref.arg_is_index);
	cr_assert_eq(ref.index, 2);
	cr_assert(ref.flags & FC_FF_IS_LIST);
	bad("fd.types", "a", "a is not a valid number");
	ok("fd.type", NULL, FC_F_FD_TYPE);
	ok("fd.typechar", NULL, FC_F_FD_TYPECHAR);
}

Test(fields, plugin_arguments)
{
	ok("container.mount.dest", "/root*", FC_F_CONTAINER_MOUNT_DEST);
	cr_assert(ref.has_arg);
	cr_assert_not(ref.arg_is_index);
	cr_assert_str_eq(ref.arg, "/root*");
	ok("container.mount", "0", FC_F_CONTAINER_MOUNT);
	cr_assert(ref.arg_is_index);
	cr_assert_eq(ref.index, 0);
	ok("container.mount.source", "/host/lib/modules", FC_F_CONTAINER_MOUNT_SOURCE);
	ok("k8s.pod.label", "app", FC_F_K8S_POD_LABEL);
	cr_assert_str_eq(ref.arg, "app");
	ok("k8s.pod.label", "app.kubernetes.io/name", FC_F_K8S_POD_LABEL);
	ok("container.label", "foo", FC_F_CONTAINER_LABEL);
	ok("k8s.ns.label", "team", FC_F_K8S_NS_LABEL);
	cr_assert(ref.flags & FC_FF_UNAVAILABLE);

	bad("container.label", NULL, "filter 'container.label': container.label requires an argument but none provided");
	bad("k8s.pod.label.foo", NULL,
	    "filter 'k8s.pod.label.foo': k8s.pod.label requires an argument but none provided");
	bad("container.mount.dest", NULL,
	    "filter 'container.mount.dest': container.mount.dest requires an argument but none provided");
	bad("container.id", "1",
	    "filter 'container.id[1]': container.id does not allow nor require an argument but one is provided: 1");
	bad("container.image", "x y",
	    "filter 'container.image[x y]': container.image has unbalanced argument brackets");
	ok("proc.is_container_healthcheck", NULL, FC_F_PROC_IS_CONTAINER_HEALTHCHECK);
	cr_assert_eq(ref.type, PT_BOOL);
}

Test(fields, name_valid)
{
	cr_assert(fc_field_name_valid("proc.pname"));
	cr_assert(fc_field_name_valid("fd.name"));
	cr_assert(fc_field_name_valid("evt.arg.flags"));
	cr_assert(fc_field_name_valid("proc.aname[2]"));
	cr_assert(fc_field_name_valid("container.id"));
	cr_assert_not(fc_field_name_valid("proc.nme"));
	cr_assert_not(fc_field_name_valid("evt.arg.nosuchparam"));
	cr_assert_not(fc_field_name_valid("evt.arg"));
	cr_assert_not(fc_field_name_valid("container.label"));
	cr_assert_not(fc_field_name_valid("/usr/bin"));
	cr_assert_not(fc_field_name_valid("a.b"));
	cr_assert_not(fc_field_name_valid(""));
	cr_assert_not(fc_field_name_valid(NULL));
}

Test(fields, no_out_or_err)
{
	cr_assert(fc_field_resolve("proc.name", NULL, NULL, NULL, 0));
	cr_assert_not(fc_field_resolve("proc.nme", NULL, NULL, NULL, 0));
	char small[8];
	cr_assert_not(fc_field_resolve("proc.nme", NULL, &ref, small, sizeof small));
	cr_assert_eq(strlen(small), sizeof small - 1);
}

