/* test_extract.c — the state engine's extractor: values of the process/thread, user, group,
 * fd, fdlist, fs.path, evt.abspath, container and k8s fields in realistic event sequences
 * (upstream semantics: ancestors from the main thread, any-ancestor lists parent first,
 * missing values as FC_V_NONE), and a coverage test that every catalog field of these classes
 * not marked FC_FF_UNAVAILABLE yields a value in at least one scenario. */
#include "statehelp.h"

#define FAKEROOT FC_SOURCE_DIR "/tests/data/fakeproc"
#define META FC_SOURCE_DIR "/tests/data/ctrmeta.json"
#define CTR64 "3f8e2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7"

/* init(1) ← sshd(100) ← bash(200, cwd /home/alice) ← cat(210, exec'd, with thread 211) */
static struct fc_state *family(void)
{
	struct fc_state *st = st_make(0, 0, FAKEROOT);
	seed(st, 1, 1, 0, "systemd", "/sbin/init", "", 0, "/");
	seed(st, 100, 100, 1, "sshd", "/usr/sbin/sshd", "-D\0", 3, "/");
	seed(st, 200, 200, 100, "bash", "/bin/bash", "-l\0", 3, "/home/alice");
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 200, 210, 200, 200, 100, 0, "bash", "/bin/bash"));
	feed(st, ev_exec(210, 210, 200, "cat", "cat", "-n\0notes.txt\0", 13, "/usr/bin/cat"));
	feed(st, ev_clone(FC_PPME_SYSCALL_CLONE_20_X, 210, 211, 210, 210, 200, 0x2000, "cat", "cat"));
	return st;
}

Test(extract, process_fields)
{
	struct fc_state *st = family();
	run(st, ev_open(210, 3, "notes.txt", 0x1));
	assert_str(st, "proc.name", "cat");
	assert_str(st, "proc.exe", "cat");
	assert_str(st, "proc.exepath", "/usr/bin/cat");
	assert_str(st, "proc.args", "-n notes.txt");
	assert_str(st, "proc.cmdline", "cat -n notes.txt");
	assert_str(st, "proc.exeline", "cat -n notes.txt");
	cr_assert_eq(xn(st, "proc.cmdnargs"), 2);
	cr_assert_eq(xn(st, "proc.cmdlenargs"), 11);
	cr_assert_str_eq(xs_arg(st, "proc.args", "1"), "notes.txt");
	cr_assert(xnone(st, "proc.args", "2"));
	assert_str(st, "proc.env", "HOME=/home/u TERM=xterm");
	cr_assert_str_eq(xs_arg(st, "proc.env", "HOME"), "/home/u");
	cr_assert(xnone(st, "proc.env", "NOPE"), "an unset variable is missing");
	assert_str(st, "proc.cwd", "/home/alice/");
	cr_assert_eq(xn(st, "proc.pid"), 210);
	cr_assert_eq(xn(st, "proc.ppid"), 200);
	cr_assert_eq(xn(st, "proc.vpid"), 210);
	cr_assert_eq(xn(st, "proc.pvpid"), 200);
	cr_assert_eq(xn(st, "proc.tty"), 34816);
	assert_str(st, "proc.pname", "bash");
	assert_str(st, "proc.pexe", "/bin/bash");
	assert_str(st, "proc.pexepath", "/bin/bash");
	assert_str(st, "proc.pcmdline", "bash -l");
	cr_assert_eq(xn(st, "proc.loginshellid"), 200);
	cr_assert_eq(xn(st, "proc.sid"), 200);
	assert_str(st, "proc.sname", "bash");
	assert_str(st, "proc.sid.exe", "/bin/bash");
	assert_str(st, "proc.sid.exepath", "/bin/bash");
	cr_assert_eq(xn(st, "proc.vpgid"), 210);
	cr_assert_eq(xn(st, "proc.pgid"), 210);
	assert_str(st, "proc.pgid.name", "cat");
	assert_str(st, "proc.vpgid.exe", "cat");
	cr_assert_eq(xn(st, "proc.is_sid_leader"), 0);
	cr_assert_eq(xn(st, "proc.is_vpgid_leader"), 1);
	cr_assert_eq(xn(st, "proc.is_pgid_leader"), 1);
	cr_assert_eq(xn(st, "proc.exe_ino"), 4242);
	cr_assert_eq(xn(st, "proc.exe_ino.mtime"), 1600000000000000001ll);
	cr_assert_gt(xn(st, "proc.exe_ino.ctime_duration_proc_start"), 0);
	cr_assert_gt(xn(st, "proc.duration"), 0);
	cr_assert_gt(xn(st, "proc.pid.ts"), 0);
	cr_assert(xnone(st, "proc.ppid.duration", NULL), "a seeded parent has no start time");
	assert_str(st, "thread.cap_permitted", "CAP_CHOWN CAP_DAC_OVERRIDE");
	assert_str(st, "thread.cap_effective", "CAP_CHOWN");
	assert_str(st, "thread.cap_inheritable", "");
	assert_str(st, "thread.cgroups", "cpu=/user.slice");
	cr_assert_str_eq(xs_arg(st, "thread.cgroup.cpu", NULL), "/user.slice");
	cr_assert(xnone(st, "thread.cgroup.memory", NULL));
	cr_assert_eq(xn(st, "proc.nthreads"), 2);
	cr_assert_eq(xn(st, "proc.nchilds"), 1);
	cr_assert_eq(xn(st, "thread.ismain"), 1);
	cr_assert_eq(xn(st, "thread.tid"), 210);
	assert_str(st, "thread.nametid", "cat210");
	cr_assert_eq(xn(st, "proc.fdopencount"), 1);
	cr_assert_eq(xn(st, "proc.fdlimit"), 2048);
	struct fc_val v;
	cr_assert(xv(st, "proc.fdusage", NULL, &v));
	cr_assert_eq(v.kind, FC_V_DBL);
	cr_assert(v.d > 0.048 && v.d < 0.049);
	cr_assert_eq(xn(st, "proc.vmsize"), 100);
	cr_assert_eq(xn(st, "thread.vmsize"), 100);
	cr_assert_eq(xn(st, "thread.vmrss.b"), 10 * 1024);
	done(st);
	/* the thread: no per-thread memory, not main */
	run(st, ev_read(211, 3, 1));
	cr_assert_eq(xn(st, "thread.ismain"), 0);
	cr_assert_eq(xn(st, "thread.vmsize"), 0);
	cr_assert_eq(xn(st, "proc.ppid"), 200, "proc.ppid is the main thread's");
	assert_str(st, "proc.pname", "bash");
	done(st);
	fc_state_free(st);
}

/* Thread 210 of family() execs COMM with ARGS (LEN bytes); on its next event proc.cmdline
 * must be WANT and its parent's still "bash -l". */
static void exec_then_cmdline(struct fc_state *st, const char *comm, const char *args, uint32_t len,
			      const char *want)
{
	feed(st, ev_exec(210, 210, 200, comm, comm, args, len, "/usr/bin/x"));
	run(st, ev_read(210, 3, 1));
	assert_str(st, "proc.cmdline", want);
	cr_assert_str_eq(xs_arg(st, "proc.acmdline", "1"), "bash -l");
	done(st);
}

/* proc.cmdline is joined once and kept on the thread (struct fc_thread.cmd): a later exec
 * (new comm and arguments), an exec with the same comm, and an exec without arguments must
 * each be seen on the next event; the parent's and the ancestors' cmdlines have caches of
 * their own. */
Test(extract, cmdline_follows_exec)
{
	struct fc_state *st = family();
	for (int i = 0; i < 2; i++) { /* the second event is served from the thread */
		run(st, ev_read(210, 3, 1));
		assert_str(st, "proc.cmdline", "cat -n notes.txt");
		assert_str(st, "proc.cmdline", "cat -n notes.txt");
		assert_str(st, "proc.pcmdline", "bash -l");
		done(st);
	}
	/* thread 211 of the same process shares the main thread's copy, not joined again */
	struct fc_thread *m = fc_imap_get(&st->threads, 210), *t = fc_imap_get(&st->threads, 211);
	const struct fc_rstr *mc = m->cmd;
	cr_assert(mc && !t->cmd);
	run(st, ev_read(211, 3, 1));
	struct fc_val v;
	cr_assert(xv(st, "proc.cmdline", NULL, &v));
	cr_assert_eq(v.s, mc->s, "served from the main thread's copy");
	assert_str(st, "proc.cmdline", "cat -n notes.txt");
	done(st);
	cr_assert(m->cmd == mc && t->cmd == mc, "one copy, joined on the main thread, shared");
	/* a thread renamed (prctl PR_SET_NAME: a comm of its own) joins its own; the main
	 * thread's copy stays */
	fc_rstr_set(&t->comm, fc_rstr_new("worker", 6));
	run(st, ev_read(211, 3, 1));
	assert_str(st, "proc.cmdline", "worker -n notes.txt");
	done(st);
	cr_assert(t->cmd != m->cmd);
	run(st, ev_read(210, 3, 1));
	assert_str(st, "proc.cmdline", "cat -n notes.txt");
	done(st);
	exec_then_cmdline(st, "grep", "-r\0root\0/etc\0", 13, "grep -r root /etc");
	exec_then_cmdline(st, "grep", "-v\0x\0", 5, "grep -v x");
	exec_then_cmdline(st, "true", "", 0, "true");
	fc_state_free(st);
}

Test(extract, ancestors)
{
	struct fc_state *st = family();
	run(st, ev_read(211, 3, 1)); /* from a thread: ancestors start at its main thread */
	cr_assert_str_eq(xs_arg(st, "proc.aname", "0"), "cat");
	cr_assert_str_eq(xs_arg(st, "proc.aname", "1"), "bash");
	cr_assert_str_eq(xs_arg(st, "proc.aname", "2"), "sshd");
	cr_assert_str_eq(xs_arg(st, "proc.aname", "3"), "systemd");
	cr_assert(xnone(st, "proc.aname", "4"));
	cr_assert_eq(xn_arg(st, "proc.apid", "2"), 100);
	cr_assert_str_eq(xs_arg(st, "proc.aexe", "1"), "/bin/bash");
	cr_assert_str_eq(xs_arg(st, "proc.aexepath", "3"), "/sbin/init");
	cr_assert_str_eq(xs_arg(st, "proc.acmdline", "2"), "sshd -D");
	cr_assert_str_eq(xs_arg(st, "proc.aargs", "1"), "-l");
	cr_assert_str_eq(xs_arg(st, "proc.aenv", "1"), "HOME=/root PATH=/bin");
	cr_assert_str_eq(xs_arg(st, "proc.aenv", "HOME"), "/root", "first value up the lineage");
	cr_assert(xnone(st, "proc.aenv", "NOPE"));

	/* without an index: the parents, parent first */
	struct fc_val v;
	cr_assert(xv(st, "proc.aname", NULL, &v));
	cr_assert_eq(v.kind, FC_V_LIST);
	cr_assert_eq(v.len, 3);
	static const char *const want[] = {"bash", "sshd", "systemd"};
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(v.items[i].kind, FC_V_STR);
		cr_assert_eq(v.items[i].len, strlen(want[i]));
		cr_assert(!memcmp(v.items[i].s, want[i], v.items[i].len));
	}
	cr_assert(xv(st, "proc.apid", NULL, &v));
	cr_assert_eq(v.len, 3);
	cr_assert_eq(v.items[0].i, 200);
	cr_assert_eq(v.items[2].i, 1);
	cr_assert(xv(st, "proc.aexe", NULL, &v));
	cr_assert_eq(v.len, 3);
	cr_assert(xv(st, "proc.aexepath", NULL, &v));
	cr_assert(xv(st, "proc.acmdline", NULL, &v));
	cr_assert(xv(st, "proc.aargs", NULL, &v));
	cr_assert(xv(st, "proc.aenv", NULL, &v));
	cr_assert_eq(v.len, 3);
	done(st);
	/* the root has no ancestors: the list is missing */
	run(st, ev_read(1, 0, 1));
	cr_assert(xnone(st, "proc.aname", NULL));
	done(st);
	fc_state_free(st);
}

Test(extract, ancestor_loop_is_bounded)
{
	struct fc_state *st = st_make(0, 0, NULL);
	seed(st, 10, 10, 11, "a", "a", "", 0, "/");
	seed(st, 11, 11, 10, "b", "b", "", 0, "/");
	run(st, ev_read(10, 0, 1));
	struct fc_val v;
	cr_assert(xv(st, "proc.aname", NULL, &v));
	cr_assert_leq(v.len, 2);
	cr_assert(xnone(st, "proc.aname", "5"));
	done(st);
	fc_state_free(st);
}

Test(extract, users_and_groups)
{
	struct fc_state *st = family();
	run(st, ev_read(210, 3, 1)); /* uid/gid 1000 after the exec, loginuid 1000 */
	cr_assert_eq(xn(st, "user.uid"), 1000);
	assert_str(st, "user.name", "alice");
	assert_str(st, "user.homedir", "/home/alice");
	assert_str(st, "user.shell", "/bin/zsh");
	cr_assert_eq(xn(st, "user.loginuid"), 1000);
	assert_str(st, "user.loginname", "alice");
	cr_assert_eq(xn(st, "group.gid"), 1000);
	assert_str(st, "group.name", "alice");
	done(st);
	run(st, ev_read(200, 0, 1)); /* seeded: uid 0, loginuid unset */
	assert_str(st, "user.name", "root");
	cr_assert_eq(xn(st, "user.loginuid"), -1);
	done(st);
	/* the state of a replay (no host files): uid 0 is root, others unknown */
	struct fc_state *r = st_make(0, 0, NULL);
	seed(r, 5, 5, 1, "x", "x", "", 0, "/");
	run(r, ev_read(5, 0, 1));
	assert_str(r, "user.name", "root");
	assert_str(r, "user.homedir", "/root");
	done(r);
	fc_state_free(r);
	fc_state_free(st);
}

Test(extract, fd_file_fields)
{
	struct fc_state *st = family();
	run(st, ev_open(210, 3, "docs/../notes.txt", 0x1 | 0x1000));
	cr_assert_eq(xn(st, "fd.num"), 3);
	assert_str(st, "fd.type", "file");
	assert_str(st, "fd.typechar", "f");
	assert_str(st, "fd.name", "/home/alice/notes.txt");
	assert_str(st, "fd.nameraw", "docs/../notes.txt");
	assert_str(st, "fd.directory", "/home/alice");
	assert_str(st, "fd.filename", "notes.txt");
	assert_str(st, "fd.containername", "host:/home/alice/notes.txt");
	assert_str(st, "fd.containerdirectory", "host:/home/alice");
	assert_str(st, "fd.uid", "2103");
	cr_assert_eq(xn(st, "fd.ino"), 777);
	cr_assert_eq(xn(st, "fd.dev"), 0x803);
	cr_assert_eq(xn(st, "fd.dev.major"), 8);
	cr_assert_eq(xn(st, "fd.dev.minor"), 3);
	cr_assert_eq(xn(st, "fd.is_upper_layer"), 0);
	cr_assert_eq(xn(st, "fd.is_lower_layer"), 0);
	cr_assert(xnone(st, "fd.sockfamily", NULL));
	cr_assert(xnone(st, "fd.cip", NULL));
	assert_str(st, "fs.path.name", "/home/alice/notes.txt");
	assert_str(st, "fs.path.nameraw", "docs/../notes.txt");
	assert_str(st, "evt.category", "file");
	struct fc_val v;
	cr_assert(xv(st, "fd.types", NULL, &v));
	cr_assert_eq(v.kind, FC_V_LIST);
	cr_assert_eq(v.len, 1);
	done(st);
	/* a failed open: no fd, the name from the parameters */
	run(st, ev_open(210, -2, "missing.txt", 0x1));
	cr_assert_eq(xn(st, "fd.num"), -1);
	assert_str(st, "fd.name", "/home/alice/missing.txt");
	assert_str(st, "fd.typechar", "f");
	cr_assert(xnone(st, "fd.type", NULL));
	cr_assert(xnone(st, "fs.path.name", NULL), "fs.path only for successful calls");
	done(st);
	/* an event without an fd has no fd fields at all */
	run(st, ev_exec(210, 210, 200, "ls", "ls", "", 0, "/bin/ls"));
	cr_assert(xnone(st, "fd.num", NULL));
	cr_assert(xnone(st, "fd.name", NULL));
	cr_assert(xnone(st, "fd.types", NULL));
	done(st);
	fc_state_free(st);
}

Test(extract, fd_types_index_and_std)
{
	struct fc_state *st = family();
	feed(st, ev_open(210, 0, "/dev/null", 0x1));
	feed(st, ev_socket(210, 1, 2, 1, 6));
	run(st, ev_read(210, 1, 5));
	struct fc_val v;
	cr_assert(xv(st, "fd.types", "0", &v));
	cr_assert_eq(v.len, 1);
	cr_assert(!memcmp(v.items[0].s, "file", 4));
	cr_assert(xv(st, "fd.types", NULL, &v));
	cr_assert_eq(v.len, 2);
	cr_assert(xnone(st, "fd.types", "9"));
	assert_str(st, "proc.stdin.type", "file");
	assert_str(st, "proc.stdin.name", "/dev/null");
	assert_str(st, "proc.stdout.type", "ipv4");
	cr_assert(xnone(st, "proc.stderr.type", NULL));
	assert_str(st, "evt.category", "net");
	cr_assert_eq(xn(st, "evt.buflen"), 5);
	done(st);
	fc_state_free(st);
}

static void connect4(struct fc_state *st, int64_t tid, int64_t fd, const char *src, uint16_t sp,
		     const char *dst, uint16_t dp)
{
	feed(st, ev_socket((uint64_t)tid, fd, 2, 1, 0));
	eb_new(&EB, FC_PPME_SOCKET_CONNECT_X, TS += 1000, (uint64_t)tid);
	eb_i(&EB, "res", 0);
	eb_tuple4(&EB, "tuple", src, sp, dst, dp);
	eb_i(&EB, "fd", fd);
	eb_sockaddr4(&EB, "addr", dst, dp);
	run(st, eb_done(&EB));
}

static uint32_t ip4(const char *s)
{
	uint8_t b[4];
	eb_addr4(b, s);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

Test(extract, fd_socket_fields)
{
	struct fc_state *st = family();
	connect4(st, 210, 3, "127.0.0.1", 40000, "127.0.0.1", 6379);
	struct fc_val v;
	cr_assert(xv(st, "fd.cip", NULL, &v));
	cr_assert_eq(v.kind, FC_V_IPV4);
	cr_assert_eq(v.u, ip4("127.0.0.1"));
	cr_assert_eq(xn(st, "fd.cport"), 40000);
	cr_assert_eq(xn(st, "fd.sport"), 6379);
	cr_assert_eq(xn(st, "fd.lport"), 40000, "both ends local: the client end is local");
	cr_assert_eq(xn(st, "fd.rport"), 6379);
	assert_str(st, "fd.l4proto", "tcp");
	assert_str(st, "fd.sockfamily", "ip");
	assert_str(st, "fd.type", "ipv4");
	assert_str(st, "fd.typechar", "4");
	assert_str(st, "fd.cproto", "40000");
	assert_str(st, "fd.sproto", "6379");
	assert_str(st, "fd.lproto", "40000");
	assert_str(st, "fd.rproto", "6379");
	cr_assert_eq(xn(st, "fd.connected"), 1);
	cr_assert_eq(xn(st, "fd.name_changed"), 1);
	cr_assert_eq(xn(st, "fd.is_server"), 1, "upstream: the server address is local");
	cr_assert(xv(st, "fd.ip", NULL, &v));
	cr_assert_eq(v.kind, FC_V_LIST);
	cr_assert_eq(v.len, 2);
	cr_assert(xv(st, "fd.port", NULL, &v));
	cr_assert_eq(v.items[1].u, 6379);
	cr_assert(xv(st, "fd.proto", NULL, &v));
	cr_assert(xv(st, "fd.net", NULL, &v));
	cr_assert(xv(st, "fd.cnet", NULL, &v));
	cr_assert(xv(st, "fd.snet", NULL, &v));
	cr_assert(xv(st, "fd.lnet", NULL, &v));
	cr_assert(xv(st, "fd.rnet", NULL, &v));
	cr_assert(xv(st, "fd.sip", NULL, &v));
	cr_assert(xv(st, "fd.lip", NULL, &v));
	cr_assert(xv(st, "fd.rip", NULL, &v));
	assert_str(st, "evt.category", "net");
	done(st);
	/* a remote server: local is the client end (replay, no interface list: by role) */
	connect4(st, 210, 4, "10.0.0.5", 40001, "93.184.216.34", 443);
	cr_assert(xv(st, "fd.rip", NULL, &v));
	cr_assert_eq(v.u, ip4("93.184.216.34"));
	cr_assert_eq(xn(st, "fd.rport"), 443);
	cr_assert_eq(xn(st, "fd.lport"), 40001);
	done(st);
	/* a failed connect: fd.name from the tuple, no state change */
	feed(st, ev_socket(210, 5, 2, 1, 0));
	eb_new(&EB, FC_PPME_SOCKET_CONNECT_X, TS += 1000, 210);
	eb_i(&EB, "res", -111);
	eb_tuple4(&EB, "tuple", "10.0.0.5", 40002, "10.9.9.9", 80);
	eb_i(&EB, "fd", 5);
	run(st, eb_done(&EB));
	assert_str(st, "fd.name", "10.0.0.5:40002->10.9.9.9:80");
	done(st);
	fc_state_free(st);
}

Test(extract, fd_ipv6_and_server_socket)
{
	struct fc_state *st = family();
	feed(st, ev_socket(100, 3, 10, 1, 6));
	eb_new(&EB, FC_PPME_SOCKET_BIND_X, TS += 1000, 100);
	eb_i(&EB, "res", 0);
	eb_sockaddr4(&EB, "addr", "0.0.0.0", 22);
	eb_i(&EB, "fd", 3);
	run(st, eb_done(&EB));
	cr_assert_eq(xn(st, "fd.is_server"), 1);
	cr_assert_eq(xn(st, "fd.sport"), 22);
	assert_str(st, "fd.name", "0.0.0.0:22");
	cr_assert(xnone(st, "fd.cport", NULL));
	done(st);
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	eb_new(&EB, FC_PPME_SOCKET_ACCEPT_5_X, TS += 1000, 100);
	eb_i(&EB, "fd", 4);
	eb_tuple6(&EB, "tuple", a, 50000, b, 22);
	eb_i(&EB, "queuepct", 0);
	eb_i(&EB, "queuelen", 0);
	eb_i(&EB, "queuemax", 0);
	run(st, eb_done(&EB));
	assert_str(st, "fd.type", "ipv6");
	assert_str(st, "fd.name", "2001:db8::1:50000->2001:db8::2:22");
	struct fc_val v;
	cr_assert(xv(st, "fd.cip", NULL, &v));
	cr_assert_eq(v.kind, FC_V_IPV6);
	cr_assert_eq(v.len, 16);
	cr_assert(!memcmp(v.s, a, 16));
	cr_assert_eq(xn(st, "fd.rport"), 50000, "accepted: the remote end is the client");
	done(st);
	fc_state_free(st);
}

Test(extract, fdlist_of_poll)
{
	struct fc_state *st = family();
	feed(st, ev_open(210, 3, "/etc/hosts", 0x1));
	connect4(st, 210, 4, "10.0.0.5", 40000, "10.0.0.9", 80);
	done(st);
	eb_new(&EB, FC_PPME_SYSCALL_POLL_X, TS += 1000, 210);
	eb_i(&EB, "res", 1);
	uint8_t fds[2 + 3 * 10] = {3, 0};
	int64_t nums[3] = {3, 4, 9};
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 8; k++)
			fds[2 + 10 * i + k] = (uint8_t)((uint64_t)nums[i] >> (8 * k));
	eb_raw(&EB, "fds", fds, sizeof(fds));
	eb_i(&EB, "timeout", 0);
	run(st, eb_done(&EB));
	assert_str(st, "fdlist.nums", "3,4,9");
	assert_str(st, "fdlist.names", "/etc/hosts,10.0.0.5:40000->10.0.0.9:80,<NA>");
	assert_str(st, "fdlist.cips", "10.0.0.5");
	assert_str(st, "fdlist.sips", "10.0.0.9");
	assert_str(st, "fdlist.cports", "40000");
	assert_str(st, "fdlist.sports", "80");
	done(st);
	fc_state_free(st);
}

Test(extract, fs_path_and_abspath)
{
	struct fc_state *st = family();
	feed(st, ev_open(210, 5, "/srv", 0x1 | 0x400));
	eb_new(&EB, FC_PPME_SYSCALL_RENAMEAT2_X, TS += 1000, 210);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "olddirfd", 5);
	eb_s(&EB, "oldpath", "a.txt");
	eb_i(&EB, "newdirfd", -100);
	eb_s(&EB, "newpath", "b.txt");
	eb_i(&EB, "flags", 0);
	run(st, eb_done(&EB));
	assert_str(st, "evt.abspath", "/srv/a.txt");
	cr_assert_str_eq(xs_arg(st, "evt.abspath.src", NULL), "/srv/a.txt");
	cr_assert_str_eq(xs_arg(st, "evt.abspath.dst", NULL), "/home/alice/b.txt");
	assert_str(st, "fs.path.sourceraw", "a.txt");
	assert_str(st, "fs.path.source", "/home/alice/a.txt");
	assert_str(st, "fs.path.targetraw", "b.txt");
	assert_str(st, "fs.path.target", "/home/alice/b.txt");
	cr_assert(xnone(st, "fs.path.name", NULL));
	done(st);
	eb_new(&EB, FC_PPME_SYSCALL_UNLINKAT_2_X, TS += 1000, 210);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "dirfd", 5);
	eb_s(&EB, "name", "old.log");
	eb_i(&EB, "flags", 0);
	run(st, eb_done(&EB));
	assert_str(st, "evt.abspath", "/srv/old.log");
	assert_str(st, "fs.path.name", "/home/alice/old.log");
	done(st);
	eb_new(&EB, FC_PPME_SYSCALL_FCHMOD_X, TS += 1000, 210);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "fd", 5);
	eb_i(&EB, "mode", 0755);
	run(st, eb_done(&EB));
	assert_str(st, "fs.path.name", "/srv");
	done(st);
	eb_new(&EB, FC_PPME_SYSCALL_MKDIR_2_X, TS += 1000, 210);
	eb_i(&EB, "res", -17);
	eb_s(&EB, "path", "x");
	eb_i(&EB, "mode", 0755);
	run(st, eb_done(&EB));
	cr_assert(xnone(st, "fs.path.name", NULL));
	done(st);
	fc_state_free(st);
}

Test(extract, evt_fields_through_resolver)
{
	struct fc_state *st = family();
	feed(st, ev_open(210, 3, "/etc/shadow", 0x1));
	run(st, ev_read(210, 3, 10));
	/* rendered by evtfields.c with the fd the state knows */
	assert_str(st, "evt.arg.fd", "<f>/etc/shadow");
	assert_str(st, "evt.category", "file");
	cr_assert_eq(xn(st, "evt.buflen.file.in"), 10);
	cr_assert_eq(xn(st, "evt.num"), st->evnum);
	done(st);
	fc_state_free(st);
}

Test(extract, missing_without_thread)
{
	struct fc_state *st = st_make(0, 0, NULL);
	run(st, ev_read(77, 3, 1));
	cr_assert(xnone(st, "proc.name", NULL));
	cr_assert(xnone(st, "proc.pid", NULL));
	cr_assert(xnone(st, "user.name", NULL));
	cr_assert(xnone(st, "container.id", NULL));
	cr_assert(xnone(st, "fd.name", NULL));
	cr_assert_eq(xn(st, "thread.tid"), 77, "the tid comes from the event");
	done(st);
	fc_state_free(st);
}

/* ------------------------------------------------------------------ coverage */

static struct fc_state *ctr_state(void)
{
	struct fc_state *st = st_make(0, 0, FAKEROOT);
	char err[256];
	cr_assert_eq(fc_state_load_container_meta(st, META, err, sizeof(err)), 0, "%s", err);
	struct fc_cap_proc p;
	memset(&p, 0, sizeof(p));
	p.tid = p.pid = 5000;
	p.ptid = 1;
	p.sid = p.vpgid = p.pgid = 1;
	p.comm = cs("nginx");
	p.exe = cs("nginx");
	p.exepath = cs("/usr/sbin/nginx");
	p.args = (struct fc_cap_str){"-g\0daemon off;\0", 15};
	p.cwd = cs("/");
	p.vtid = p.vpid = 1;
	p.pidns_init_start_ts = 1700000000000000000ull;
	p.loginuid = UINT32_MAX;
	static const char cg[] = "cpu=/kubepods/besteffort/pod8a1b2c3d-4e5f-6789-abcd-ef0123456789/" CTR64;
	p.cgroups = (struct fc_cap_str){cg, sizeof(cg)};
	fc_state_seed_proc(st, &p);
	/* a health check: /bin/sh -c curl ... in the container */
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 5001, 0, 5001, 5001, 5000, 0x20000000, "nginx", "nginx"));
	eb_new(&EB, FC_PPME_SYSCALL_EXECVE_19_X, TS += 1000, 5001);
	eb_i(&EB, "res", 0);
	eb_s(&EB, "exe", "/bin/sh");
	eb_blob(&EB, "args", "-c\0curl -f http://localhost/\0", 29);
	eb_i(&EB, "pid", 5001);
	eb_s(&EB, "comm", "sh");
	eb_blob(&EB, "cgroups", cg, sizeof(cg));
	feed(st, eb_done(&EB));
	return st;
}

/* A container's passwd is read through /proc/PID/root of the thread looked up; a short-lived
 * command (5001: no /proc entry in the fixture, as if it had exited before its event was
 * processed) gets it through its ancestor in the container (5000) instead of no name. */
Test(extract, container_user_through_ancestor)
{
	struct fc_state *st = ctr_state();
	eb_new(&EB, FC_PPME_SYSCALL_SETUID_X, TS += 1000, 5001);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "uid", 101);
	feed(st, eb_done(&EB));
	run(st, ev_read(5001, 0, 1));
	cr_assert_eq(xn(st, "user.uid"), 101);
	assert_str(st, "user.name", "nginx");
	assert_str(st, "user.homedir", "/var/cache/nginx");
	done(st);
	fc_state_free(st);
}

Test(extract, container_fields)
{
	struct fc_state *st = ctr_state();
	run(st, ev_open(5000, 3, "/etc/nginx/nginx.conf", 0x1));
	assert_str(st, "container.id", "3f8e2a1b4c5d");
	assert_str(st, "container.full_id", CTR64);
	assert_str(st, "container.name", "web");
	assert_str(st, "container.image", "docker.io/library/nginx:1.25@sha256:0123abcd");
	assert_str(st, "container.image.repository", "docker.io/library/nginx");
	assert_str(st, "container.image.tag", "1.25");
	assert_str(st, "container.image.digest", "sha256:0123abcd");
	assert_str(st, "container.image.id", "9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c");
	assert_str(st, "container.type", "cri");
	cr_assert_eq(xn(st, "container.privileged"), 1);
	cr_assert_eq(xn(st, "container.host_network"), 1);
	cr_assert_eq(xn(st, "container.host_ipc"), 1);
	cr_assert_eq(xn(st, "container.host_pid"), 0);
	assert_str(st, "container.ip", "172.17.0.2");
	assert_str(st, "container.healthcheck", "/bin/sh -c curl -f http://localhost/");
	assert_str(st, "container.liveness_probe", "/bin/check --live");
	cr_assert_eq(xn(st, "container.start_ts"), 1698832800500000000ll);
	cr_assert_gt(xn(st, "container.duration"), 0);
	cr_assert_str_eq(xs_arg(st, "container.label", "app"), "web");
	cr_assert(xnone(st, "container.label", "nope"));
	cr_assert_str_eq(xs_arg(st, "container.mount", "0"),
			 "/srv/www:/usr/share/nginx/html:ro:false:rprivate");
	cr_assert_str_eq(xs_arg(st, "container.mount.dest", "/var/run/*"), "/var/run/docker.sock");
	cr_assert_str_eq(xs_arg(st, "container.mount.source", "/usr/share/*"), "/srv/www");
	cr_assert_str_eq(xs_arg(st, "container.mount.rdwr", "1"), "true");
	cr_assert_str_eq(xs_arg(st, "container.mount.mode", "/srv/*"), "ro");
	cr_assert_str_eq(xs_arg(st, "container.mount.propagation", "0"), "rprivate");
	assert_str(st, "k8s.pod.name", "web-7d9f");
	assert_str(st, "k8s.ns.name", "shop");
	assert_str(st, "k8s.pod.uid", "8a1b2c3d-4e5f-6789-abcd-ef0123456789");
	assert_str(st, "k8s.pod.sandbox_id", "aaaabbbbcccc");
	cr_assert_str_eq(xs_arg(st, "k8s.pod.label", "tier"), "front");
	assert_str(st, "k8s.pod.ip", "10.244.0.7");
	assert_str(st, "fd.containername", "3f8e2a1b4c5d:/etc/nginx/nginx.conf");
	assert_str(st, "user.shell", "/bin/ash"); /* the container's own passwd */
	cr_assert_eq(xn(st, "proc.is_container_healthcheck"), 0);
	done(st);
	run(st, ev_read(5001, 1, 1));
	cr_assert_eq(xn(st, "proc.is_container_healthcheck"), 1);
	cr_assert_eq(xn(st, "proc.is_container_liveness_probe"), 0);
	done(st);
	fc_state_free(st);
}

Test(extract, container_without_metadata)
{
	struct fc_state *st = st_make(0, 0, NULL);
	struct fc_cap_proc p;
	memset(&p, 0, sizeof(p));
	p.tid = p.pid = 7;
	p.comm = p.exe = cs("x");
	p.vtid = p.vpid = 7;
	static const char cg[] = "cpuset=/docker/" CTR64;
	p.cgroups = (struct fc_cap_str){cg, sizeof(cg)};
	fc_state_seed_proc(st, &p);
	run(st, ev_read(7, 0, 1));
	assert_str(st, "container.id", "3f8e2a1b4c5d");
	assert_str(st, "container.type", "docker");
	cr_assert(xnone(st, "container.name", NULL), "unknown metadata is missing, not empty");
	cr_assert(xnone(st, "container.image", NULL));
	cr_assert(xnone(st, "container.labels", NULL));
	cr_assert(xnone(st, "k8s.pod.name", NULL));
	cr_assert_eq(xn(st, "container.host_pid"), 1, "tid == vtid: the host pid namespace");
	done(st);
	seed(st, 8, 8, 1, "y", "y", "", 0, "/");
	run(st, ev_read(8, 0, 1));
	assert_str(st, "container.id", "host");
	assert_str(st, "container.name", "host");
	cr_assert(xnone(st, "container.type", NULL));
	done(st);
	fc_state_free(st);
}

/* Every field of the state's classes that is not FC_FF_UNAVAILABLE gives a value somewhere. */
static const char *arg_for(enum fc_field_id id)
{
	switch (id) {
	case FC_F_THREAD_CGROUP:
		return "cpu";
	case FC_F_CONTAINER_LABEL:
		return "app";
	case FC_F_K8S_POD_LABEL:
		return "tier";
	case FC_F_CONTAINER_MOUNT:
	case FC_F_CONTAINER_MOUNT_SOURCE:
	case FC_F_CONTAINER_MOUNT_DEST:
	case FC_F_CONTAINER_MOUNT_MODE:
	case FC_F_CONTAINER_MOUNT_RDWR:
	case FC_F_CONTAINER_MOUNT_PROPAGATION:
		return "0";
	default:
		return fc_fields[id].flags & FC_FF_ARG_REQUIRED ? "x" : NULL;
	}
}

static bool mine(enum fc_field_id id)
{
	return (id >= FC_F_PROC_EXE && id <= FC_F_GROUP_NAME) ||
	       (id >= FC_F_FD_NUM && id <= FC_F_FS_PATH_TARGETRAW) ||
	       (id >= FC_F_FDLIST_NUMS && id <= FC_F_FDLIST_SPORTS) ||
	       (id >= FC_F_CONTAINER_ID && id <= FC_F_K8S_DEPLOYMENT_LABELS) || id == FC_F_EVT_ABSPATH;
}

static void try_all(struct fc_state *st, bool *covered)
{
	for (unsigned id = 0; id < FC_F_MAX_; id++) {
		if (!mine((enum fc_field_id)id) || covered[id])
			continue;
		const char *name = fc_fields[id].name;
		const char *arg = arg_for((enum fc_field_id)id);
		char full[128];
		if (id == FC_F_THREAD_CGROUP) {
			snprintf(full, sizeof(full), "%s.%s", name, arg);
			name = full;
			arg = NULL;
		}
		if (id == FC_F_PROC_PPID_DURATION)
			continue; /* covered below with a cloned parent */
		struct fc_val v;
		if (xv(st, name, arg, &v))
			covered[id] = true;
	}
}

Test(extract, every_computable_field_has_a_value_somewhere)
{
	static bool covered[FC_F_MAX_];
	struct fc_state *st = ctr_state();
	/* scenario 1: a connected socket in a container, with std fds */
	feed(st, ev_open(5000, 0, "/dev/null", 0x1));
	feed(st, ev_open(5000, 1, "/dev/null", 0x2));
	feed(st, ev_open(5000, 2, "/dev/null", 0x2));
	connect4(st, 5000, 4, "10.0.0.5", 40000, "10.0.0.9", 80);
	try_all(st, covered);
	done(st);
	/* scenario 2: the health-check child (parent with a start time) opening a file */
	run(st, ev_open(5001, 3, "/tmp/x", 0x1));
	try_all(st, covered);
	struct fc_val v;
	covered[FC_F_PROC_PPID_DURATION] = xv(st, "proc.ppid.duration", NULL, &v) || true;
	done(st);
	/* scenario 3: poll, rename, unlinkat */
	eb_new(&EB, FC_PPME_SYSCALL_POLL_X, TS += 1000, 5000);
	eb_i(&EB, "res", 1);
	uint8_t fds[12] = {1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	eb_raw(&EB, "fds", fds, sizeof(fds));
	run(st, eb_done(&EB));
	try_all(st, covered);
	done(st);
	eb_new(&EB, FC_PPME_SYSCALL_RENAMEAT2_X, TS += 1000, 5000);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "olddirfd", -100);
	eb_s(&EB, "oldpath", "a");
	eb_i(&EB, "newdirfd", -100);
	eb_s(&EB, "newpath", "b");
	run(st, eb_done(&EB));
	try_all(st, covered);
	done(st);
	fc_state_free(st);
	/* scenario 4: a host process with a clone-time parent, exe ino times and a pid namespace */
	struct fc_state *h = family();
	feed(h, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 210, 250, 210, 210, 200, 0, "cat", "cat"));
	run(h, ev_read(250, 0, 1));
	covered[FC_F_PROC_PPID_DURATION] = xv(h, "proc.ppid.duration", NULL, &v);
	try_all(h, covered);
	done(h);
	struct fc_thread *t = fc_imap_get(&h->threads, 250);
	t->pidns_init_start_ts = 1;
	t->exe_ino_ctime = 5;
	t->ctime_dur_pidns = 4;
	t->exe_upper = t->exe_lower = t->exe_memfd = t->exe_writable = true;
	run(h, ev_read(250, 0, 1));
	try_all(h, covered);
	done(h);
	fc_state_free(h);

	unsigned missing = 0;
	for (unsigned id = 0; id < FC_F_MAX_; id++) {
		if (!mine((enum fc_field_id)id))
			continue;
		bool unavailable = fc_fields[id].flags & FC_FF_UNAVAILABLE;
		if (unavailable) {
			cr_assert_not(covered[id], "%s is marked unavailable but has a value", fc_fields[id].name);
			continue;
		}
		if (!covered[id]) {
			cr_log_error("no value for %s", fc_fields[id].name);
			missing++;
		}
	}
	cr_assert_eq(missing, 0, "%u computable fields never produced a value", missing);
}
