/* test_state.c — the state engine's transitions, one test each: the clone family (caller's
 * and child's exits, both orders, threads vs processes, vfork, pid namespaces), execve,
 * procexit with re-parenting, and every fd call (open family with cwd/dirfd, close deferred,
 * dup/dup2/dup3/fcntl, close-on-exec, sockets, accept, bind, connect, send/recv tuples,
 * socketpair, pipes, the anon-inode kinds, memfd, pidfd), cwd changes, identity changes,
 * capabilities, subreapers, rlimits, seeding from capture entries and from a /proc tree. */
#include "statehelp.h"

#define CL_THREAD 0x2000u
#define CL_VFORK 0x8000000u
#define CL_IN_PIDNS 0x20000000u
#define O_RDONLY_ 0x1u
#define O_WRONLY_ 0x2u
#define O_CLOEXEC_ 0x1000u
#define O_DIRECTORY_ 0x400u

static struct fc_thread *T(struct fc_state *st, int64_t tid)
{
	return fc_imap_get(&st->threads, tid);
}

static struct fc_fdinfo *FD(struct fc_state *st, int64_t pid, int64_t fd)
{
	struct fc_tgroup *g = fc_imap_get(&st->groups, pid);
	return g ? fc_imap_get(&g->fds.map, fd) : NULL;
}

/* ------------------------------------------------------------------ clone family */

Test(state, fork_from_caller_exit)
{
	struct fc_state *st = st_tree();
	feed(st, ev_open(200, 3, "/etc/hosts", O_RDONLY_));
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 200, 201, 200, 200, 100, 0, "bash", "/bin/bash"));
	struct fc_thread *c = T(st, 201);
	cr_assert_not_null(c);
	cr_assert_eq(c->pid, 201);
	cr_assert_eq(c->ptid, 200);
	cr_assert_eq(c->parent, T(st, 200));
	cr_assert_str_eq(c->grp->cwd->s, "/home/u/");
	cr_assert_not_null(FD(st, 201, 3), "fds are inherited");
	cr_assert_str_eq(FD(st, 201, 3)->name->s, "/etc/hosts");
	cr_assert_neq(c->grp, T(st, 200)->grp, "a fork gets its own fd table");
	cr_assert_eq(c->vmsize_kb, 3000);
	cr_assert_str_eq(c->exepath->s, "/bin/bash", "exepath comes from the caller");
	fc_state_free(st);
}

Test(state, fork_child_exit_first)
{
	struct fc_state *st = st_tree();
	/* the child's exit arrives first (sched_process_fork order) */
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 301, 0, 301, 301, 200, 0, "bash", "/bin/bash"));
	struct fc_thread *c = T(st, 301);
	cr_assert_not_null(c);
	cr_assert_eq(c->ptid, 200);
	cr_assert(c->flags & FC_CL_CLONE_INVERTED);
	cr_assert_str_eq(c->grp->cwd->s, "/home/u/", "cwd from the parent found by ptid");
	struct fc_state_stats s1, s2;
	fc_state_stats(st, &s1);
	/* then the caller's: nothing new */
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 200, 301, 200, 200, 100, 0, "bash", "/bin/bash"));
	fc_state_stats(st, &s2);
	cr_assert_eq(s2.threads, s1.threads);
	cr_assert_eq(T(st, 301), c);
	fc_state_free(st);
}

Test(state, vfork_waits_for_child_exit)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_VFORK_20_X, 200, 401, 200, 200, 100, CL_VFORK, "bash", "/bin/bash"));
	cr_assert_null(T(st, 401), "vfork: the caller's exit does not create the child");
	feed(st, ev_clone(FC_PPME_SYSCALL_VFORK_20_X, 401, 0, 401, 401, 200, CL_VFORK, "bash", "/bin/bash"));
	cr_assert_not_null(T(st, 401));
	cr_assert_eq(T(st, 401)->ptid, 200);
	fc_state_free(st);
}

Test(state, clone_thread_shares_group)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_CLONE_20_X, 200, 202, 200, 200, 100, CL_THREAD, "bash", "/bin/bash"));
	struct fc_thread *th = T(st, 202);
	cr_assert_not_null(th);
	cr_assert_eq(th->pid, 200);
	cr_assert_eq(th->ptid, 100, "a thread's parent is its process's parent");
	cr_assert_eq(th->grp, T(st, 200)->grp);
	cr_assert_eq(th->grp->alive, 2);
	feed(st, ev_open(202, 5, "/tmp/x", O_WRONLY_));
	cr_assert_not_null(FD(st, 200, 5), "an fd opened by a thread is the process's");
	fc_state_free(st);
}

Test(state, clone3_process)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_CLONE3_X, 200, 205, 200, 200, 100, 0, "worker", "/bin/bash"));
	cr_assert_not_null(T(st, 205));
	cr_assert_eq(T(st, 205)->pid, 205);
	cr_assert_str_eq(T(st, 205)->comm->s, "worker");
	fc_state_free(st);
}

Test(state, clone_into_pid_namespace)
{
	struct fc_state *st = st_make(0, 0, NULL);
	seed(st, 1, 1, 0, "systemd", "/sbin/init", "", 0, "/");
	seed(st, 900, 900, 1, "runc", "/usr/bin/runc", "", 0, "/");
	/* the caller's exit names the child by its namespace tid: ignored */
	feed(st, ev_clone(FC_PPME_SYSCALL_CLONE_20_X, 900, 1, 900, 900, 1, CL_IN_PIDNS, "runc", "/usr/bin/runc"));
	cr_assert_eq(T(st, 1)->pid, 1, "init untouched");
	eb_new(&EB, FC_PPME_SYSCALL_CLONE_20_X, TS += 1000, 901);
	eb_i(&EB, "res", 0);
	eb_s(&EB, "exe", "/bin/sh");
	eb_i(&EB, "tid", 901);
	eb_i(&EB, "pid", 901);
	eb_i(&EB, "ptid", 900);
	eb_s(&EB, "comm", "sh");
	eb_i(&EB, "flags", CL_IN_PIDNS);
	eb_i(&EB, "vtid", 1);
	eb_i(&EB, "vpid", 1);
	eb_i(&EB, "pidns_init_start_ts", 5000);
	feed(st, eb_done(&EB));
	struct fc_thread *c = T(st, 901);
	cr_assert_not_null(c);
	cr_assert_eq(c->vtid, 1);
	cr_assert_eq(c->vpid, 1);
	cr_assert_eq(c->pidns_init_start_ts, 5000, "probe time plus boot time (0 here)");
	fc_state_free(st);
}

/* ------------------------------------------------------------------ execve */

Test(state, execve_replaces_program)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 200, 210, 200, 200, 100, 0, "bash", "/bin/bash"));
	feed(st, ev_open(210, 3, "/etc/passwd", O_RDONLY_ | O_CLOEXEC_));
	feed(st, ev_open(210, 4, "/etc/group", O_RDONLY_));
	feed(st, ev_exec(210, 210, 200, "cat", "cat", "/etc/passwd\0", 12, "/usr/bin/cat"));
	struct fc_thread *t = T(st, 210);
	cr_assert_str_eq(t->comm->s, "cat");
	cr_assert_str_eq(t->exe->s, "cat");
	cr_assert_str_eq(t->exepath->s, "/usr/bin/cat");
	cr_assert_str_eq(t->grp->cwd->s, "/home/u/", "cwd unchanged by exec");
	cr_assert_eq(t->uid, 1000);
	cr_assert_eq(t->loginuid, 1000);
	cr_assert_eq(t->fdlimit, 2048);
	cr_assert_null(FD(st, 210, 3), "close-on-exec fd removed");
	cr_assert_not_null(FD(st, 210, 4), "other fds stay");
	fc_state_free(st);
}

Test(state, execve_from_thread_removes_others)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_CLONE_20_X, 200, 202, 200, 200, 100, CL_THREAD, "bash", "/bin/bash"));
	feed(st, ev_clone(FC_PPME_SYSCALL_CLONE_20_X, 200, 203, 200, 200, 100, CL_THREAD, "bash", "/bin/bash"));
	cr_assert_eq(T(st, 200)->grp->alive, 3);
	run(st, ev_exec(200, 200, 100, "ls", "ls", "", 0, "/bin/ls"));
	cr_assert_not_null(T(st, 202), "removal waits for the end of the event");
	done(st);
	cr_assert_null(T(st, 202));
	cr_assert_null(T(st, 203));
	cr_assert_eq(T(st, 200)->grp->alive, 1);
	fc_state_free(st);
}

Test(state, execve_unknown_thread_adopted)
{
	struct fc_state *st = st_tree();
	feed(st, ev_exec(555, 555, 200, "curl", "curl", "-s\0", 3, "/usr/bin/curl"));
	struct fc_thread *t = T(st, 555);
	cr_assert_not_null(t);
	cr_assert_eq(t->ptid, 200);
	cr_assert_eq(t->parent, T(st, 200));
	fc_state_free(st);
}

/* ------------------------------------------------------------------ procexit */

Test(state, exit_reparents_to_reaper)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 200, 201, 200, 200, 100, 0, "bash", "/bin/bash"));
	run(st, ev_procexit(200, 100));
	cr_assert_not_null(T(st, 200), "the exited thread stays for its own event");
	cr_assert(T(st, 200)->dead);
	done(st);
	cr_assert_null(T(st, 200));
	cr_assert_eq(T(st, 201)->ptid, 100);
	cr_assert_eq(T(st, 201)->parent, T(st, 100));
	fc_state_free(st);
}

Test(state, exit_reparents_to_init_without_reaper)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 200, 201, 200, 200, 100, 0, "bash", "/bin/bash"));
	eb_new(&EB, FC_PPME_PROCEXIT_1_E, TS += 1000, 200);
	eb_truncate(&EB, 1); /* an old procexit: status only */
	eb_i(&EB, "status", 0);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 201)->ptid, 1);
	fc_state_free(st);
}

Test(state, exit_reparents_to_subreaper)
{
	struct fc_state *st = st_tree();
	eb_new(&EB, FC_PPME_SYSCALL_PRCTL_X, TS += 1000, 100);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "option", 36); /* PR_SET_CHILD_SUBREAPER */
	eb_s(&EB, "arg2_str", "");
	eb_i(&EB, "arg2_int", 1);
	feed(st, eb_done(&EB));
	cr_assert(T(st, 100)->grp->subreaper);
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 200, 201, 200, 200, 100, 0, "bash", "/bin/bash"));
	eb_new(&EB, FC_PPME_PROCEXIT_1_E, TS += 1000, 200);
	eb_truncate(&EB, 1);
	eb_i(&EB, "status", 0);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 201)->ptid, 100, "the subreaper ancestor adopts");
	fc_state_free(st);
}

Test(state, leader_exit_with_live_threads)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_CLONE_20_X, 200, 202, 200, 200, 100, CL_THREAD, "bash", "/bin/bash"));
	feed(st, ev_procexit(200, 0));
	struct fc_thread *l = T(st, 200);
	cr_assert_not_null(l, "a dead leader stays while its threads run");
	cr_assert(l->dead);
	cr_assert_eq(l->grp->alive, 1);
	feed(st, ev_procexit(202, 0));
	cr_assert_null(T(st, 202));
	cr_assert_null(T(st, 200), "and goes with the last of them");
	cr_assert_null(fc_imap_get(&st->groups, 200));
	fc_state_free(st);
}

Test(state, thread_exit_reparents_within_process)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_CLONE_20_X, 200, 202, 200, 200, 100, CL_THREAD, "bash", "/bin/bash"));
	/* thread 202 forks 220: its parent is the thread */
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 202, 220, 202, 200, 100, 0, "bash", "/bin/bash"));
	cr_assert_eq(T(st, 220)->ptid, 202);
	eb_new(&EB, FC_PPME_PROCEXIT_1_E, TS += 1000, 202);
	eb_truncate(&EB, 1);
	eb_i(&EB, "status", 0);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 220)->ptid, 200, "another thread of the process (the leader) adopts");
	fc_state_free(st);
}

/* ------------------------------------------------------------------ fds */

Test(state, open_relative_to_cwd)
{
	struct fc_state *st = st_tree();
	feed(st, ev_open(200, 3, "notes/../todo.txt", O_RDONLY_));
	struct fc_fdinfo *f = FD(st, 200, 3);
	cr_assert_not_null(f);
	cr_assert_str_eq(f->name->s, "/home/u/todo.txt");
	cr_assert_str_eq(f->nameraw->s, "notes/../todo.txt");
	cr_assert_eq(f->type, FC_FD_FILE_V2);
	cr_assert_eq(f->ino, 777);
	feed(st, ev_open(200, -2, "/nonexistent", O_RDONLY_));
	struct fc_state_stats s;
	fc_state_stats(st, &s);
	cr_assert_eq(s.fds, 1, "a failed open adds nothing");
	fc_state_free(st);
}

Test(state, openat_dirfd_and_fdcwd)
{
	struct fc_state *st = st_tree();
	feed(st, ev_open(200, 7, "/var/log", O_RDONLY_ | O_DIRECTORY_));
	cr_assert_eq(FD(st, 200, 7)->type, FC_FD_DIRECTORY);
	feed(st, ev_openat(200, 8, 7, "syslog", O_RDONLY_));
	cr_assert_str_eq(FD(st, 200, 8)->name->s, "/var/log/syslog");
	feed(st, ev_openat(200, 9, -100, "a.txt", O_RDONLY_));
	cr_assert_str_eq(FD(st, 200, 9)->name->s, "/home/u/a.txt");
	feed(st, ev_openat(200, 10, 55, "b.txt", O_RDONLY_));
	cr_assert_str_eq(FD(st, 200, 10)->name->s, "<UNKNOWN>/b.txt", "unknown dirfd");
	feed(st, ev_openat(200, 11, 55, "/abs/c", O_RDONLY_));
	cr_assert_str_eq(FD(st, 200, 11)->name->s, "/abs/c", "absolute ignores the dirfd");
	fc_state_free(st);
}

Test(state, close_is_deferred)
{
	struct fc_state *st = st_tree();
	feed(st, ev_open(200, 3, "/etc/hosts", O_RDONLY_));
	run(st, ev_close(200, 3, 0));
	assert_str(st, "fd.name", "/etc/hosts");
	cr_assert_not_null(FD(st, 200, 3));
	done(st);
	cr_assert_null(FD(st, 200, 3));
	feed(st, ev_open(200, 4, "/etc/x", O_RDONLY_));
	feed(st, ev_close(200, 4, -9));
	cr_assert_not_null(FD(st, 200, 4), "a failed close keeps the fd");
	fc_state_free(st);
}

Test(state, dup_dup2_dup3_fcntl)
{
	struct fc_state *st = st_tree();
	feed(st, ev_open(200, 3, "/etc/hosts", O_RDONLY_ | O_CLOEXEC_));
	eb_new(&EB, FC_PPME_SYSCALL_DUP_1_X, TS += 1000, 200);
	eb_i(&EB, "res", 4);
	eb_i(&EB, "oldfd", 3);
	feed(st, eb_done(&EB));
	cr_assert_str_eq(FD(st, 200, 4)->name->s, "/etc/hosts");
	cr_assert_not(FD(st, 200, 4)->flags & FC_FDF_CLOEXEC, "dup clears close-on-exec");
	feed(st, ev_open(200, 5, "/etc/group", O_RDONLY_));
	eb_new(&EB, FC_PPME_SYSCALL_DUP2_X, TS += 1000, 200);
	eb_i(&EB, "res", 5);
	eb_i(&EB, "oldfd", 3);
	eb_i(&EB, "newfd", 5);
	feed(st, eb_done(&EB));
	cr_assert_str_eq(FD(st, 200, 5)->name->s, "/etc/hosts", "dup2 replaces the open fd");
	eb_new(&EB, FC_PPME_SYSCALL_DUP3_X, TS += 1000, 200);
	eb_i(&EB, "res", 6);
	eb_i(&EB, "oldfd", 5);
	eb_i(&EB, "newfd", 6);
	eb_i(&EB, "flags", O_CLOEXEC_);
	feed(st, eb_done(&EB));
	cr_assert(FD(st, 200, 6)->flags & FC_FDF_CLOEXEC);
	eb_new(&EB, FC_PPME_SYSCALL_FCNTL_X, TS += 1000, 200);
	eb_i(&EB, "res", 12);
	eb_i(&EB, "fd", 3);
	eb_i(&EB, "cmd", 26); /* F_DUPFD_CLOEXEC */
	feed(st, eb_done(&EB));
	cr_assert_str_eq(FD(st, 200, 12)->name->s, "/etc/hosts");
	cr_assert(FD(st, 200, 12)->flags & FC_FDF_CLOEXEC);
	eb_new(&EB, FC_PPME_SYSCALL_FCNTL_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "fd", 3);
	eb_i(&EB, "cmd", 2); /* F_GETFD: no new fd */
	feed(st, eb_done(&EB));
	cr_assert_null(FD(st, 200, 0));
	fc_state_free(st);
}

Test(state, close_on_exec_only_flagged)
{
	struct fc_state *st = st_tree();
	feed(st, ev_socket(200, 3, 2, 1 | 0x80000, 6)); /* SOCK_STREAM|SOCK_CLOEXEC */
	feed(st, ev_open(200, 4, "/etc/x", O_RDONLY_));
	eb_new(&EB, FC_PPME_SYSCALL_MEMFD_CREATE_X, TS += 1000, 200);
	eb_i(&EB, "fd", 5);
	eb_s(&EB, "name", "blob");
	eb_i(&EB, "flags", 1); /* MFD_CLOEXEC */
	feed(st, eb_done(&EB));
	feed(st, ev_exec(200, 200, 100, "x", "x", "", 0, "/x"));
	cr_assert_null(FD(st, 200, 3));
	cr_assert_null(FD(st, 200, 5));
	cr_assert_not_null(FD(st, 200, 4));
	fc_state_free(st);
}

Test(state, socket_connect_ipv4)
{
	struct fc_state *st = st_tree();
	feed(st, ev_socket(200, 3, 2, 1, 0));
	cr_assert_eq(FD(st, 200, 3)->type, FC_FD_IPV4_SOCK);
	cr_assert_eq(FD(st, 200, 3)->l4proto, FC_L4_TCP);
	eb_new(&EB, FC_PPME_SOCKET_CONNECT_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_tuple4(&EB, "tuple", "10.0.0.5", 40000, "93.184.216.34", 443);
	eb_i(&EB, "fd", 3);
	eb_sockaddr4(&EB, "addr", "93.184.216.34", 443);
	feed(st, eb_done(&EB));
	struct fc_fdinfo *f = FD(st, 200, 3);
	cr_assert_str_eq(f->name->s, "10.0.0.5:40000->93.184.216.34:443");
	cr_assert_eq(f->role, FC_ROLE_CLIENT);
	cr_assert(f->flags & FC_FDF_CONNECTED);
	cr_assert_eq(f->sport, 40000);
	cr_assert_eq(f->dport, 443);
	fc_state_free(st);
}

Test(state, connect_unix_and_failed)
{
	struct fc_state *st = st_tree();
	feed(st, ev_socket(200, 3, 1, 1, 0));
	eb_new(&EB, FC_PPME_SOCKET_CONNECT_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_tuple_unix(&EB, "tuple", 0xffff1, 0xffff2, "/run/docker.sock");
	eb_i(&EB, "fd", 3);
	eb_sockaddr_unix(&EB, "addr", "/run/docker.sock");
	feed(st, eb_done(&EB));
	cr_assert_str_eq(FD(st, 200, 3)->name->s, "ffff1->ffff2 /run/docker.sock");
	feed(st, ev_socket(200, 4, 2, 1, 0));
	eb_new(&EB, FC_PPME_SOCKET_CONNECT_X, TS += 1000, 200);
	eb_i(&EB, "res", -111); /* ECONNREFUSED */
	eb_i(&EB, "fd", 4);
	feed(st, eb_done(&EB));
	cr_assert_not(FD(st, 200, 4)->flags & FC_FDF_CONNECTED);
	fc_state_free(st);
}

Test(state, accept_server_end)
{
	struct fc_state *st = st_tree();
	eb_new(&EB, FC_PPME_SOCKET_ACCEPT4_6_X, TS += 1000, 100);
	eb_i(&EB, "fd", 9);
	eb_tuple4(&EB, "tuple", "192.168.1.7", 51000, "192.168.1.2", 22);
	eb_i(&EB, "queuepct", 0);
	eb_i(&EB, "queuelen", 0);
	eb_i(&EB, "queuemax", 128);
	eb_i(&EB, "flags", 0x80000);
	feed(st, eb_done(&EB));
	struct fc_fdinfo *f = FD(st, 100, 9);
	cr_assert_not_null(f);
	cr_assert_eq(f->role, FC_ROLE_SERVER);
	cr_assert_eq(f->l4proto, FC_L4_TCP);
	cr_assert_str_eq(f->name->s, "192.168.1.7:51000->192.168.1.2:22");
	cr_assert(f->flags & FC_FDF_CLOEXEC);
	fc_state_free(st);
}

Test(state, bind_makes_server_socket)
{
	struct fc_state *st = st_tree();
	feed(st, ev_socket(100, 3, 2, 1, 6));
	eb_new(&EB, FC_PPME_SOCKET_BIND_X, TS += 1000, 100);
	eb_i(&EB, "res", 0);
	eb_sockaddr4(&EB, "addr", "0.0.0.0", 8080);
	eb_i(&EB, "fd", 3);
	feed(st, eb_done(&EB));
	struct fc_fdinfo *f = FD(st, 100, 3);
	cr_assert_eq(f->type, FC_FD_IPV4_SERVSOCK);
	cr_assert_eq(f->sport, 8080);
	cr_assert_str_eq(f->name->s, "0.0.0.0:8080");
	fc_state_free(st);
}

Test(state, sendto_udp_tuple)
{
	struct fc_state *st = st_tree();
	feed(st, ev_socket(200, 3, 2, 2, 0)); /* SOCK_DGRAM */
	eb_new(&EB, FC_PPME_SOCKET_SENDTO_X, TS += 1000, 200);
	eb_i(&EB, "res", 10);
	eb_raw(&EB, "data", "0123456789", 10);
	eb_i(&EB, "fd", 3);
	eb_i(&EB, "size", 10);
	eb_tuple4(&EB, "tuple", "10.0.0.5", 5353, "8.8.8.8", 53);
	run(st, eb_done(&EB));
	struct fc_val v;
	cr_assert(xv(st, "fd.name_changed", NULL, &v));
	cr_assert_eq(v.u, 1);
	done(st);
	struct fc_fdinfo *f = FD(st, 200, 3);
	cr_assert_str_eq(f->name->s, "10.0.0.5:5353->8.8.8.8:53");
	cr_assert_eq(f->l4proto, FC_L4_UDP);
	cr_assert_eq(f->role, FC_ROLE_CLIENT);
	/* a send on a socket whose creation was missed: inferred UDP */
	eb_new(&EB, FC_PPME_SOCKET_SENDTO_X, TS += 1000, 200);
	eb_i(&EB, "res", 1);
	eb_raw(&EB, "data", "x", 1);
	eb_i(&EB, "fd", 17);
	eb_i(&EB, "size", 1);
	eb_tuple4(&EB, "tuple", "10.0.0.5", 6000, "1.1.1.1", 53);
	feed(st, eb_done(&EB));
	cr_assert_not_null(FD(st, 200, 17));
	cr_assert_eq(FD(st, 200, 17)->l4proto, FC_L4_UDP);
	fc_state_free(st);
}

Test(state, socketpair_and_pipe)
{
	struct fc_state *st = st_tree();
	eb_new(&EB, FC_PPME_SOCKET_SOCKETPAIR_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "fd1", 3);
	eb_i(&EB, "fd2", 4);
	eb_i(&EB, "source", 0x1111);
	eb_i(&EB, "peer", 0x2222);
	eb_i(&EB, "domain", 1);
	eb_i(&EB, "type", 1);
	eb_i(&EB, "proto", 0);
	feed(st, eb_done(&EB));
	cr_assert_eq(FD(st, 200, 3)->type, FC_FD_UNIX_SOCK);
	cr_assert_eq(FD(st, 200, 4)->udst, 0x2222);
	eb_new(&EB, FC_PPME_SYSCALL_PIPE2_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "fd1", 5);
	eb_i(&EB, "fd2", 6);
	eb_i(&EB, "ino", 31337);
	eb_i(&EB, "flags", O_CLOEXEC_);
	feed(st, eb_done(&EB));
	cr_assert_eq(FD(st, 200, 5)->type, FC_FD_FIFO);
	cr_assert_eq(FD(st, 200, 6)->ino, 31337);
	cr_assert(FD(st, 200, 6)->flags & FC_FDF_CLOEXEC);
	fc_state_free(st);
}

Test(state, anon_inode_fds)
{
	static const struct {
		uint16_t code;
		const char *resname;
		uint8_t type;
	} k[] = {
		{FC_PPME_SYSCALL_EVENTFD2_X, "res", FC_FD_EVENT},
		{FC_PPME_SYSCALL_SIGNALFD4_X, "res", FC_FD_SIGNALFD},
		{FC_PPME_SYSCALL_TIMERFD_CREATE_X, "res", FC_FD_TIMERFD},
		{FC_PPME_SYSCALL_INOTIFY_INIT1_X, "res", FC_FD_INOTIFY},
		{FC_PPME_SYSCALL_BPF_2_X, "fd", FC_FD_BPF},
		{FC_PPME_SYSCALL_USERFAULTFD_X, "res", FC_FD_USERFAULTFD},
		{FC_PPME_SYSCALL_IO_URING_SETUP_X, "res", FC_FD_IOURING},
		{FC_PPME_SYSCALL_EPOLL_CREATE1_X, "res", FC_FD_EVENTPOLL},
	};
	struct fc_state *st = st_tree();
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		eb_new(&EB, k[i].code, TS += 1000, 200);
		eb_i(&EB, k[i].resname, (int64_t)(10 + i));
		feed(st, eb_done(&EB));
		struct fc_fdinfo *f = FD(st, 200, (int64_t)(10 + i));
		cr_assert_not_null(f, "event %u created no fd", k[i].code);
		cr_assert_eq(f->type, k[i].type, "event %u", k[i].code);
	}
	eb_new(&EB, FC_PPME_SYSCALL_MEMFD_CREATE_X, TS += 1000, 200);
	eb_i(&EB, "fd", 30);
	eb_s(&EB, "name", "jit");
	eb_i(&EB, "flags", 0);
	feed(st, eb_done(&EB));
	cr_assert_eq(FD(st, 200, 30)->type, FC_FD_MEMFD);
	cr_assert_str_eq(FD(st, 200, 30)->name->s, "jit");
	fc_state_free(st);
}

Test(state, pidfd_open_and_getfd)
{
	struct fc_state *st = st_tree();
	feed(st, ev_open(100, 7, "/etc/ssh/sshd_config", O_RDONLY_));
	eb_new(&EB, FC_PPME_SYSCALL_PIDFD_OPEN_X, TS += 1000, 200);
	eb_i(&EB, "fd", 3);
	eb_i(&EB, "pid", 100);
	eb_i(&EB, "flags", 0);
	feed(st, eb_done(&EB));
	cr_assert_eq(FD(st, 200, 3)->type, FC_FD_PIDFD);
	cr_assert_str_eq(FD(st, 200, 3)->name->s, "/proc/100");
	eb_new(&EB, FC_PPME_SYSCALL_PIDFD_GETFD_X, TS += 1000, 200);
	eb_i(&EB, "fd", 4);
	eb_i(&EB, "pid_fd", 3);
	eb_i(&EB, "target_fd", 7);
	eb_i(&EB, "flags", 0);
	feed(st, eb_done(&EB));
	cr_assert_not_null(FD(st, 200, 4));
	cr_assert_str_eq(FD(st, 200, 4)->name->s, "/etc/ssh/sshd_config");
	fc_state_free(st);
}

/* ------------------------------------------------------------------ cwd, ids, misc */

Test(state, chdir_and_fchdir)
{
	struct fc_state *st = st_tree();
	eb_new(&EB, FC_PPME_SYSCALL_CHDIR_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_s(&EB, "path", "../v/./w");
	feed(st, eb_done(&EB));
	cr_assert_str_eq(T(st, 200)->grp->cwd->s, "/home/v/w/");
	feed(st, ev_open(200, 3, "/srv/data", O_RDONLY_ | O_DIRECTORY_));
	eb_new(&EB, FC_PPME_SYSCALL_FCHDIR_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "fd", 3);
	feed(st, eb_done(&EB));
	cr_assert_str_eq(T(st, 200)->grp->cwd->s, "/srv/data/");
	eb_new(&EB, FC_PPME_SYSCALL_CHDIR_X, TS += 1000, 200);
	eb_i(&EB, "res", -2);
	eb_s(&EB, "path", "/nope");
	feed(st, eb_done(&EB));
	cr_assert_str_eq(T(st, 200)->grp->cwd->s, "/srv/data/", "failed chdir changes nothing");
	fc_state_free(st);
}

Test(state, setuid_setresuid_setgid)
{
	struct fc_state *st = st_tree();
	eb_new(&EB, FC_PPME_SYSCALL_SETUID_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "uid", 33);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 200)->uid, 33);
	eb_new(&EB, FC_PPME_SYSCALL_SETRESUID_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "ruid", 1);
	eb_i(&EB, "euid", 0);
	eb_i(&EB, "suid", 2);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 200)->uid, 0, "the effective uid counts");
	eb_new(&EB, FC_PPME_SYSCALL_SETRESUID_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "ruid", 5);
	eb_i(&EB, "euid", -1);
	eb_i(&EB, "suid", 5);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 200)->uid, 0, "-1 leaves the euid");
	eb_new(&EB, FC_PPME_SYSCALL_SETGID_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "gid", 44);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 200)->gid, 44);
	eb_new(&EB, FC_PPME_SYSCALL_SETRESGID_X, TS += 1000, 200);
	eb_i(&EB, "res", -1);
	eb_i(&EB, "rgid", 1);
	eb_i(&EB, "egid", 1);
	eb_i(&EB, "sgid", 1);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 200)->gid, 44, "a failed call changes nothing");
	fc_state_free(st);
}

Test(state, setsid_and_setpgid)
{
	struct fc_state *st = st_tree();
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 200, 230, 200, 200, 100, 0, "bash", "/bin/bash"));
	cr_assert_eq(T(st, 230)->sid, 200, "sid inherited");
	eb_new(&EB, FC_PPME_SYSCALL_SETSID_X, TS += 1000, 230);
	eb_i(&EB, "res", 230);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 230)->sid, 230);
	cr_assert_eq(T(st, 230)->pgid, 230);
	feed(st, ev_clone(FC_PPME_SYSCALL_FORK_20_X, 230, 231, 230, 230, 200, 0, "bash", "/bin/bash"));
	eb_new(&EB, FC_PPME_SYSCALL_SETPGID_X, TS += 1000, 231);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "pid", 0);
	eb_i(&EB, "pgid", 0);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 231)->pgid, 231);
	cr_assert_eq(T(st, 231)->vpgid, 231);
	eb_new(&EB, FC_PPME_SYSCALL_SETPGID_X, TS += 1000, 230);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "pid", 231);
	eb_i(&EB, "pgid", 230);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 231)->pgid, 230, "a parent moving its child into its group");
	fc_state_free(st);
}

Test(state, capset_and_unshare)
{
	struct fc_state *st = st_tree();
	eb_new(&EB, FC_PPME_SYSCALL_CAPSET_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "cap_inheritable", 0);
	eb_i(&EB, "cap_permitted", 1ull << 21);
	eb_i(&EB, "cap_effective", 1ull << 21);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 200)->cap_eff, 1ull << 21);
	eb_new(&EB, FC_PPME_SYSCALL_UNSHARE_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "flags", 0x100000); /* CLONE_NEWUSER */
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 200)->cap_eff, (1ull << 41) - 1);
	fc_state_free(st);
}

Test(state, rlimit_and_memory)
{
	struct fc_state *st = st_tree();
	eb_new(&EB, FC_PPME_SYSCALL_SETRLIMIT_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "cur", 65536);
	eb_i(&EB, "max", 65536);
	eb_i(&EB, "resource", 7);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 200)->fdlimit, 65536);
	eb_new(&EB, FC_PPME_SYSCALL_PRLIMIT_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "newcur", 100);
	eb_i(&EB, "newmax", 100);
	eb_i(&EB, "oldcur", 1024);
	eb_i(&EB, "oldmax", 1024);
	eb_i(&EB, "pid", 100);
	eb_i(&EB, "resource", 7);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 100)->fdlimit, 100, "prlimit on another process");
	eb_new(&EB, FC_PPME_SYSCALL_BRK_4_X, TS += 1000, 200);
	eb_i(&EB, "res", 0);
	eb_i(&EB, "vm_size", 9000);
	eb_i(&EB, "vm_rss", 800);
	eb_i(&EB, "vm_swap", 7);
	feed(st, eb_done(&EB));
	cr_assert_eq(T(st, 200)->vmsize_kb, 9000);
	cr_assert_eq(T(st, 200)->vmrss_kb, 800);
	fc_state_free(st);
}

/* fc_state_track_memory(false): switch and brk leave the memory counters alone and are read
 * as unparsed codes; on again, the next switch refreshes them. */
Test(state, memory_tracking_off)
{
	struct fc_state *st = st_tree();
	cr_assert(fc_state_reads_params(st, FC_PPME_SCHEDSWITCH_6_E));
	cr_assert(fc_state_field_reads_memory(FC_F_PROC_VMRSS));
	cr_assert(fc_state_field_reads_memory(FC_F_THREAD_PFMINOR));
	cr_assert_not(fc_state_field_reads_memory(FC_F_PROC_NAME));
	fc_state_track_memory(st, false);
	cr_assert_not(fc_state_reads_params(st, FC_PPME_SCHEDSWITCH_6_E));
	cr_assert_not(fc_state_reads_params(st, FC_PPME_SYSCALL_BRK_4_X));
	cr_assert(fc_state_reads_params(st, FC_PPME_SYSCALL_OPENAT_2_X), "other parsers stay");
	uint32_t rss = T(st, 200)->vmrss_kb;
	for (int on = 0; on < 2; on++) {
		eb_new(&EB, FC_PPME_SCHEDSWITCH_6_E, TS += 1000, 200);
		eb_i(&EB, "next", 100);
		eb_i(&EB, "pgft_maj", 3);
		eb_i(&EB, "pgft_min", 40 + on);
		eb_i(&EB, "vm_size", 5000);
		eb_i(&EB, "vm_rss", 600 + on);
		eb_i(&EB, "vm_swap", 0);
		feed(st, eb_done(&EB));
		if (!on) {
			cr_assert_eq(T(st, 200)->vmrss_kb, rss, "not tracked: unchanged");
			cr_assert_eq(T(st, 200)->pfminor, 0);
			fc_state_track_memory(st, true);
		}
	}
	cr_assert(fc_state_reads_params(st, FC_PPME_SCHEDSWITCH_6_E));
	cr_assert_eq(T(st, 200)->vmrss_kb, 601);
	cr_assert_eq(T(st, 200)->pfminor, 41);
	fc_state_free(st);
}

Test(state, useradded_event)
{
	struct fc_state *st = st_tree();
	eb_new(&EB, FC_PPME_USER_ADDED_E, TS += 1000, 0);
	eb_i(&EB, "uid", 1000);
	eb_i(&EB, "gid", 1000);
	eb_s(&EB, "name", "alice");
	eb_s(&EB, "home", "/home/alice");
	eb_s(&EB, "shell", "/bin/zsh");
	eb_s(&EB, "container_id", "");
	feed(st, eb_done(&EB));
	feed(st, ev_exec(200, 200, 100, "ls", "ls", "", 0, "/bin/ls")); /* uid 1000 */
	run(st, ev_read(200, 0, 3));
	assert_str(st, "user.name", "alice");
	assert_str(st, "user.shell", "/bin/zsh");
	done(st);
	fc_state_free(st);
}

/* ------------------------------------------------------------------ seeding */

Test(state, seed_links_children_seeded_first)
{
	struct fc_state *st = st_make(0, 0, NULL);
	seed(st, 300, 300, 200, "vim", "vim", "", 0, "/");
	seed(st, 200, 200, 1, "bash", "/bin/bash", "", 0, "/");
	seed(st, 1, 1, 0, "init", "/sbin/init", "", 0, "/");
	struct fc_cap_fd fd = {0};
	fd.tid = 300;
	fd.fd = 3;
	fd.type = FC_FD_IPV4_SOCK;
	fd.l4proto = FC_L4_TCP;
	eb_addr4(fd.sip, "10.1.1.1");
	eb_addr4(fd.dip, "10.2.2.2");
	fd.sport = 80;
	fd.dport = 5555;
	fc_state_seed_fd(st, &fd);
	struct fc_cap_fd srv = {0};
	srv.tid = 200;
	srv.fd = 4;
	srv.type = FC_FD_IPV4_SERVSOCK;
	srv.sport = 80;
	fc_state_seed_fd(st, &srv);
	run(st, ev_read(300, 3, 1));
	cr_assert_eq(T(st, 300)->parent, T(st, 200));
	cr_assert_eq(T(st, 200)->parent, T(st, 1));
	/* port 80 is listened on: the seeded connection is the server end, turned around */
	struct fc_fdinfo *f = FD(st, 300, 3);
	cr_assert_eq(f->role, FC_ROLE_SERVER);
	cr_assert_str_eq(f->name->s, "10.2.2.2:5555->10.1.1.1:80");
	done(st);
	fc_state_free(st);
}

Test(state, seed_from_proc_tree)
{
	struct fc_state *st = st_make(0, 0, FC_SOURCE_DIR "/tests/data/fakeproc");
	char err[256];
	cr_assert_eq(fc_state_seed_proc_scan(st, err, sizeof(err)), 0, "%s", err);
	struct fc_thread *sh = T(st, 4242);
	cr_assert_not_null(sh);
	cr_assert_str_eq(sh->comm->s, "bash");
	cr_assert_str_eq(sh->exe->s, "-bash");
	cr_assert_str_eq(sh->exepath->s, "/usr/bin/bash");
	cr_assert_eq(sh->ptid, 1);
	cr_assert_eq(sh->uid, 1000);
	cr_assert_eq(sh->fdlimit, 1024);
	cr_assert_eq(sh->loginuid, 1000);
	cr_assert_str_eq(sh->grp->cwd->s, "/home/alice/");
	cr_assert_not_null(T(st, 4243), "threads come from task/");
	cr_assert_eq(T(st, 4243)->pid, 4242);
	cr_assert_eq(sh->grp->alive, 2);
	struct fc_fdinfo *f = FD(st, 4242, 3);
	cr_assert_not_null(f);
	cr_assert_eq(f->type, FC_FD_FILE_V2);
	cr_assert_str_eq(f->name->s, "/var/log/app.log");
	cr_assert(f->flags & FC_FDF_CLOEXEC, "open flags from fdinfo");
	cr_assert_eq(FD(st, 4242, 4)->type, FC_FD_FIFO);
	cr_assert_eq(FD(st, 4242, 5)->type, FC_FD_IPV4_SOCK);
	cr_assert_eq(FD(st, 4242, 6)->type, FC_FD_IPV4_SERVSOCK);
	cr_assert_eq(FD(st, 4242, 6)->sport, 8080);
	cr_assert_eq(FD(st, 4242, 7)->type, FC_FD_UNIX_SOCK);
	cr_assert_eq(FD(st, 4242, 8)->type, FC_FD_EVENT);
	cr_assert_not_null(T(st, 1));
	/* an unknown thread is read from /proc on its first event */
	struct fc_state *live = st_make(0, 0, FC_SOURCE_DIR "/tests/data/fakeproc");
	run(live, ev_read(4242, 3, 1));
	cr_assert_not_null(live->t);
	assert_str(live, "proc.name", "bash");
	assert_str(live, "fd.name", "/var/log/app.log");
	done(live);
	fc_state_free(live);
	fc_state_free(st);
}

/* The parameter-position table the parsers read equals fc_event_param_index for every event
 * code and every parameter name the state engine uses (it is built from the events' side). */
Test(state, param_position_table)
{
	static const char *const names[FC_P_MAX_] = {
#define X(e, s) s,
		FC_PNAMES(X)
#undef X
	};
	struct fc_state *st = st_make(0, 0, NULL);
	unsigned found = 0;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++)
		for (unsigned k = 0; k < FC_P_MAX_; k++) {
			int want = fc_event_param_index(c, names[k]);
			cr_assert_eq(st->pidx[c][k], want, "code %u (%s), %s", c, fc_events[c].name, names[k]);
			found += want >= 0;
		}
	cr_assert_gt(found, 1000);
	fc_state_free(st);
}
