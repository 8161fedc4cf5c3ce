/* test_container.c — container ids from cgroup paths (RUNTIME.md §5.3): every layout of every
 * matcher (podman, docker, cri/containerd/cri-o, namespaced containerd, lxc, libvirt-lxc, bpm),
 * cgroup v1 and v2 forms, the 64-hex → 12 shortening, systemd host units that must not match,
 * matcher order, the pod uid of kubepods paths, resolution through a thread's cgroups blob,
 * and the metadata file (errors, docker-inspect fields, old capture container events). */
#include "statehelp.h"

#include <fcntl.h>
#include <unistd.h>

#define ID64 "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
#define ID12 "c0ffee00c0ff"

static void expect(const char *path, const char *id, const char *full, const char *type)
{
	char gid[65], gfull[129];
	const char *gtype = NULL;
	bool m = fc_cgroup_match(path, strlen(path), gid, sizeof(gid), gfull, sizeof(gfull), &gtype);
	cr_assert(m, "%s: no match", path);
	cr_assert_str_eq(gid, id, "%s", path);
	if (full)
		cr_assert_str_eq(gfull, full, "%s", path);
	cr_assert_str_eq(gtype, type, "%s", path);
}

static void no_match(const char *path)
{
	char gid[65], gfull[129];
	const char *gtype = NULL;
	cr_assert_not(fc_cgroup_match(path, strlen(path), gid, sizeof(gid), gfull, sizeof(gfull), &gtype),
		      "%s matched as %s", path, gid);
}

Test(container, docker)
{
	expect("/docker/" ID64, ID12, ID64, "docker");
	expect("/system.slice/docker-" ID64 ".scope", ID12, ID64, "docker");
	expect("/" ID64, ID12, ID64, "docker");
}

Test(container, cri_containerd_crio)
{
	expect("/kubepods/besteffort/pod8a1b2c3d-4e5f-6789-abcd-ef0123456789/" ID64, ID12, ID64, "cri");
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/cri-containerd-" ID64 ".scope",
	       ID12, ID64, "containerd");
	expect("/kubepods.slice/kubepods-besteffort.slice/crio-" ID64 ".scope", ID12, ID64, "cri-o");
	expect("/kubepods/crio-" ID64, ID12, ID64, "cri-o");
	expect("/kubepods/burstable/pod123:cri-containerd:" ID64, ID12, ID64, "containerd");
	expect("/system.slice/nerdctl-" ID64 ".scope", ID12, ID64, "containerd");
	expect("/kubepods.slice/docker-" ID64 ".scope", ID12, ID64, "docker");
}

Test(container, podman)
{
	expect("/machine.slice/libpod-" ID64 ".scope", ID12, ID64, "podman");
	expect("/machine.slice/libpod-" ID64 ".scope/container", ID12, ID64, "podman");
	expect("/libpod_parent/libpod-" ID64, ID12, ID64, "podman");
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-payload-" ID64 ".scope",
	       ID12, ID64, "podman");
}

Test(container, containerd_namespaced)
{
	expect("/default/redis-1", "redis-1", "redis-1", "containerd");
	expect("/k8s.io/abcdef0123456789xyz", "abcdef012345", "abcdef0123456789xyz", "containerd");
	expect("/buildkit/" ID64, ID12, ID64, "docker"); /* 64 hex: the docker layout wins first */
	/* systemd units are not containers */
	no_match("/user.slice/user-1000.slice/session-3.scope");
	no_match("/system.slice/cron.service");
	no_match("/user.slice/user-1000.slice");
}

Test(container, lxc)
{
	expect("/lxc/web01", "web01", "web01", "lxc");
	expect("/lxc/web01/init.scope", "web01", "web01", "lxc");
	expect("/lxc.payload/db", "db", "db", "lxc");
	expect("/lxc.payload.cache/sub", "cache", "cache", "lxc");
}

Test(container, libvirt_lxc)
{
	expect("/machine/guest1.libvirt-lxc", "guest1", "guest1", "libvirt-lxc");
	expect("/machine.slice/machine-lxc\\x2d2293906\\x2dlibvirt\\x2dcontainer.scope",
	       "2293906\\x2dlibvirt\\x2dcontainer", NULL, "libvirt-lxc");
	expect("/machine.slice/machine-lxc\\x2d42\\x2dguest.scope/libvirt", "42\\x2dguest", NULL,
	       "libvirt-lxc");
	expect("/libvirt/lxc/legacy", "legacy", "legacy", "libvirt-lxc");
}

Test(container, bpm)
{
	expect("/system.slice/bpm-redis.1.scope", "redis.1", "redis.1", "bpm");
	expect("/bpm-worker_2", "worker_2", "worker_2", "bpm");
	no_match("/bpm-bad$id.scope");
}

Test(container, host_paths_and_edge_cases)
{
	no_match("/");
	no_match("/init.scope");
	no_match("");
	no_match("/docker/" ID64 "0"); /* 65 characters: too long */
	no_match("/system.slice/docker-abc.scope");
	/* 63 hex after "/": not an id, and not containerd (no namespace segment) */
	no_match("/c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee0");
}

Test(container, resolve_from_thread_cgroups)
{
	struct fc_state *st = st_make(0, 0, NULL);
	/* cgroup v1: several subsystems, the first recognised path wins */
	static const char v1[] = "cpuset=/\0cpu=/docker/" ID64 "\0memory=/docker/" ID64;
	struct fc_cap_proc p;
	memset(&p, 0, sizeof(p));
	p.tid = p.pid = 40;
	p.comm = p.exe = cs("redis");
	p.vtid = p.vpid = 1;
	p.cgroups = (struct fc_cap_str){v1, sizeof(v1)};
	fc_state_seed_proc(st, &p);
	/* cgroup v2: one unified path under every subsystem name */
	static char v2[] =
		"cpuset=/kubepods.slice/kubepods-pod8a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/cri-containerd-" ID64 ".scope";
	p.tid = p.pid = 41;
	memcpy(strstr(v2, "c0ffee"), "beef", 4); /* another container */
	p.cgroups = (struct fc_cap_str){v2, sizeof(v2)};
	fc_state_seed_proc(st, &p);
	run(st, ev_read(40, 0, 1));
	assert_str(st, "container.id", ID12);
	assert_str(st, "container.full_id", ID64);
	assert_str(st, "thread.cgroups", "cpuset=/ cpu=/docker/" ID64 " memory=/docker/" ID64);
	cr_assert_str_eq(xs_arg(st, "thread.cgroup.memory", NULL), "/docker/" ID64);
	done(st);
	run(st, ev_read(41, 0, 1));
	assert_str(st, "container.type", "containerd");
	assert_str(st, "k8s.pod.uid", "8a1b2c3d-4e5f-6789-abcd-ef0123456789");
	done(st);
	/* a second thread of the first container shares its entry */
	p.tid = 42;
	p.pid = 40;
	p.cgroups = (struct fc_cap_str){v1, sizeof(v1)};
	fc_state_seed_proc(st, &p);
	cr_assert_eq(((struct fc_thread *)fc_imap_get(&st->threads, 42))->ctr,
		     ((struct fc_thread *)fc_imap_get(&st->threads, 40))->ctr);
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_eq(s.containers, 2);
	/* an exec with new cgroups moves the thread */
	feed(st, ev_exec(40, 40, 1, "x", "x", "", 0, "/x")); /* cgroups cpu=/user.slice */
	run(st, ev_read(40, 0, 1));
	assert_str(st, "container.id", "host");
	done(st);
	fc_state_free(st);
}

Test(container, subsystem_names_normalised)
{
	struct fc_state *st = st_make(0, 0, NULL);
	static const char cg[] = "perf=/a\0mem=/b\0io=/c\0cpu_cgroup=/d";
	struct fc_cap_proc p;
	memset(&p, 0, sizeof(p));
	p.tid = p.pid = 50;
	p.comm = p.exe = cs("x");
	p.cgroups = (struct fc_cap_str){cg, sizeof(cg)};
	fc_state_seed_proc(st, &p);
	run(st, ev_read(50, 0, 1));
	assert_str(st, "thread.cgroups", "perf_event=/a memory=/b blkio=/c cpu=/d");
	cr_assert_str_eq(xs_arg(st, "thread.cgroup.blkio", NULL), "/c");
	done(st);
	fc_state_free(st);
}

Test(container, metadata_file_errors)
{
	struct fc_state *st = st_make(0, 0, NULL);
	char err[256], path[] = "/tmp/fc_meta_XXXXXX";
	cr_assert_neq(fc_state_load_container_meta(st, "/nonexistent/meta.json", err, sizeof(err)), 0);
	cr_assert(strstr(err, "/nonexistent/meta.json"));
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "[{\"Id\": \"abc\",]", 15), 15);
	close(fd);
	cr_assert_neq(fc_state_load_container_meta(st, path, err, sizeof(err)), 0);
	cr_assert(strstr(err, ":1:"), "position in the message: %s", err);
	fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert_eq(write(fd, "{\"Id\": \"abc\"}", 13), 13);
	close(fd);
	cr_assert_neq(fc_state_load_container_meta(st, path, err, sizeof(err)), 0);
	cr_assert(strstr(err, "array"), "%s", err);
	unlink(path);
	fc_state_free(st);
}

Test(container, json_reader)
{
	char err[128];
	const char *ok = "{\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\\n\"], \"b\": {}}";
	struct fc_json *j = fc_json_parse(ok, strlen(ok), err, sizeof(err));
	cr_assert_not_null(j, "%s", err);
	const struct fc_json *a = fc_json_get(j, "a");
	cr_assert_eq(a->n, 6);
	cr_assert(a->kids[1].num == -2500.0);
	cr_assert_str_eq(a->kids[5].str, "x\xc3\xa9\xf0\x9f\x98\x80\n");
	fc_json_free(j);
	static const char *const bad[] = {"", "[", "{\"a\" 1}", "[1,]", "\"\\x\"", "tru", "[1] 2",
					  "\"abc", "{\"a\":\"\x01\"}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_null(fc_json_parse(bad[i], strlen(bad[i]), err, sizeof(err)), "accepted %s", bad[i]);
	/* nesting is bounded */
	char deep[300];
	memset(deep, '[', sizeof(deep));
	cr_assert_null(fc_json_parse(deep, sizeof(deep), err, sizeof(err)));
	cr_assert(strstr(err, "deep"), "%s", err);
}

/* Members are gathered on one stack while nested containers open and close above them, and
 * everything lives in arena chunks: many members at several levels, interleaved, come out in
 * order, with strings past the first chunk; an error deep inside frees all of it (ASan). */
Test(container, json_reader_many_members)
{
	struct {
		char *p;
		size_t n;
	} b = {0};
	FILE *f = open_memstream(&b.p, &b.n);
	cr_assert_not_null(f);
	fputs("{", f);
	for (int i = 0; i < 300; i++) {
		fprintf(f, "%s\"k%d\": ", i ? "," : "", i);
		if (i % 50 == 7) { /* a nested array of objects among the members */
			fputs("[", f);
			for (int m = 0; m < 90; m++)
				fprintf(f, "%s{\"v\":%d,\"s\":\"%d\\t\"}", m ? "," : "", m, m);
			fputs("]", f);
		} else {
			fprintf(f, "\"value %d\"", i);
		}
	}
	fputs("}", f);
	fclose(f);
	char err[128];
	struct fc_json *j = fc_json_parse(b.p, b.n, err, sizeof err);
	cr_assert_not_null(j, "%s", err);
	cr_assert_eq(j->n, 300);
	for (int i = 0; i < 300; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", i);
		const struct fc_json *v = fc_json_get(j, key);
		cr_assert_not_null(v, "%s", key);
		if (i % 50 == 7) {
			cr_assert_eq(v->type, FC_J_ARR);
			cr_assert_eq(v->n, 90);
			for (uint32_t m = 0; m < 90; m++) {
				char want[16];
				snprintf(want, sizeof want, "%u\t", m);
				cr_assert(fc_json_get(&v->kids[m], "v")->num == (double)m);
				cr_assert_str_eq(fc_json_get(&v->kids[m], "s")->str, want);
			}
		} else {
			char want[24];
			snprintf(want, sizeof want, "value %d", i);
			cr_assert_eq(v->type, FC_J_STR);
			cr_assert_str_eq(v->str, want);
			cr_assert_eq(v->len, strlen(want));
		}
	}
	fc_json_free(j);
	b.p[b.n - 200] = '!'; /* near the end: the parse fails after most of its allocations */
	cr_assert_null(fc_json_parse(b.p, b.n, err, sizeof err));
	free(b.p);
}

Test(container, capture_container_event)
{
	struct fc_state *st = st_make(0, 0, NULL);
	static const char json[] =
		"{\"container\":{\"id\":\"" ID12 "\",\"name\":\"db\",\"image\":\"postgres:16\","
		"\"imageid\":\"ab12\",\"type\":8,\"privileged\":false,\"labels\":{\"team\":\"data\"},"
		"\"Mounts\":[{\"Source\":\"/data\",\"Destination\":\"/var/lib/postgresql\",\"Mode\":\"\",\"RW\":true,\"Propagation\":\"\"}]}}";
	eb_new(&EB, FC_PPME_CONTAINER_JSON_E, TS += 1000, 0);
	eb_s(&EB, "json", json);
	feed(st, eb_done(&EB));
	static const char cg[] = "cpu=/kubepods/crio-" ID64;
	struct fc_cap_proc p;
	memset(&p, 0, sizeof(p));
	p.tid = p.pid = 60;
	p.comm = p.exe = cs("postgres");
	p.cgroups = (struct fc_cap_str){cg, sizeof(cg)};
	fc_state_seed_proc(st, &p);
	run(st, ev_read(60, 0, 1));
	assert_str(st, "container.name", "db");
	assert_str(st, "container.image", "postgres:16");
	assert_str(st, "container.image.repository", "postgres");
	assert_str(st, "container.image.tag", "16");
	assert_str(st, "container.type", "cri-o");
	cr_assert_eq(xn(st, "container.privileged"), 0);
	assert_str(st, "container.labels", "team:data");
	assert_str(st, "container.mounts", "/data:/var/lib/postgresql::true:");
	done(st);
	fc_state_free(st);
}
