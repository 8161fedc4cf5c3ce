/* bpf/fc_probe.h — the contract between the probe (bpf/probe.bpf.c) and its loader
 * (runtime/probe.c): sizes and limits, the per-CPU counters, the drop categories and the
 * continuation (tail-call) slots, each list an X-macro so both sides are generated from it.
 *
 * Included by BPF code (after vmlinux.h, which gives __u64...) and by userspace (after
 * <linux/types.h>). Nothing here may depend on either side's headers beyond those types.
 *
 * Maps (defined in probe.bpf.c, sized and filled by the loader before/after load):
 *   fc_rings      ARRAY_OF_MAPS of RINGBUF, one slot per possible CPU (several slots may share
 *                 a ring when cpus_per_ring > 1); events in scap layout, RUNTIME.md §2.1
 *   fc_aux        ARRAY of struct fc_aux, FC_AUX_PER_CPU per possible CPU: event scratch
 *   fc_counters   PERCPU_ARRAY, one struct fc_counters
 *   fc_sys_tail   PROG_ARRAY indexed by native syscall number: the exit-event builder
 *   fc_ext_*      PROG_ARRAY of continuation programs (slots below), one per hook
 *   fc_kprog      HASH event code -> struct fc_kp_lprog (bpf/kpred.h): the kernel predicate of
 *                 that exit event, written by the loader after verification (no prealloc, so a
 *                 replaced program is freed only after readers are done)
 *   fc_kp_scr     PERCPU_ARRAY, one struct fc_kp_scratch: the evaluator's scratch
 *   .bss fc_kp_on u8 per event code: 1 = fc_kprog has a program for it (written through the mmap)
 *   .bss fc_sel   u8 per native syscall number: 1 = selected (written through the mmap)
 *   .bss fc_res_gate u8 per native syscall number: FC_KP_GATE_* classes of the return value
 *                 whose events the predicate of the syscall's event code always drops; the
 *                 dispatcher drops them before building anything (counted seen + filtered)
 *   .bss fc_own_* the consumer's tgid (0 = none) and, when it runs in another pid namespace
 *                 than the initial one, that namespace's dev/inode: its syscalls are dropped
 *   .rodata       boot time, page shift, native number -> PPM_SC table (set before load) */
#ifndef FC_PROBE_SHARED_H
#define FC_PROBE_SHARED_H

/* Limits (RUNTIME.md §4.8). An event never exceeds FC_EVT_MAX_SIZE; the scratch area is twice
 * that so that a masked offset plus one maximal parameter stays inside it. */
#define FC_EVT_MAX_SIZE (64 * 1024)
#define FC_AUX_SIZE (2 * FC_EVT_MAX_SIZE)
#define FC_MAX_PATH 4096
#define FC_MAX_ARG_ENV 4096
#define FC_MAX_ARGV 32          /* argv/envp pointers read on a failed execve */
#define FC_MAX_CGROUP_DEPTH 6   /* path components per cgroup subsystem */
#define FC_MAX_PATH_DEPTH 48    /* dentries walked to rebuild an absolute path */
#define FC_UNIX_PATH_MAX 108
#define FC_SYSCALL_SLOTS 512    /* = FC_ARCH_SYSCALL_MAX of both arch headers */
#define FC_HDR_LEN 26
#define FC_KP_MAX_PROGS 256     /* fc_kprog entries: event codes with a predicate program */
#define FC_KP_CODES 512         /* fc_kp_on size (>= FC_EVENT_MAX) */

/* Scratch areas per CPU: one for the sys_exit chain, one for the sched_* programs, so that a
 * sched tracepoint firing while a sys_exit program is building an event cannot clobber it. */
#define FC_AUX_SYS 0
#define FC_AUX_SCHED 1
#define FC_AUX_PER_CPU 2

/* Why an event was lost for lack of ring space, by kind of event (RUNTIME.md §4.7). */
#define FC_DROPCATS(X)                                                                          \
	X(CLONE_FORK, "clone_fork_exit")                                                        \
	X(EXECVE, "execve_exit")                                                                \
	X(CONNECT, "connect_exit")                                                              \
	X(OPEN, "open_exit")                                                                    \
	X(DIR_FILE, "dir_file_exit")                                                            \
	X(OTHER_INTEREST, "other_interest_exit")                                                \
	X(CLOSE, "close_exit")                                                                  \
	X(PROC_EXIT, "proc_exit")                                                               \
	X(OTHER, "other")

enum fc_dropcat {
#define FC_X(e, s) FC_DROP_##e,
	FC_DROPCATS(FC_X)
#undef FC_X
	FC_DROP_MAX_
};

/* Per-CPU counters. seen = every event the probe tried to send (selected syscall or
 * tracepoint, dropped ones included); sent = written to a ring; filtered = dropped by the
 * in-kernel predicate program of its event code (bpf/kpred.h); drops_buf[c] =
 * ring full; drops_max_size = larger than FC_EVT_MAX_SIZE; drops_noring = no ring or scratch
 * for this CPU; build_err = a builder produced the wrong parameter count (a probe bug; the
 * event is not sent); compat = 32-bit syscalls skipped (not translated); own = selected
 * syscalls of the consumer's own threads, dropped before anything is built (fc_own_tgid). */
struct fc_counters {
	__u64 seen;
	__u64 sent;
	__u64 filtered;
	__u64 drops_max_size;
	__u64 drops_noring;
	__u64 build_err;
	__u64 compat;
	__u64 own;
	__u64 drops_buf[FC_DROP_MAX_];
};

/* Continuation programs of the sys_exit builders (fc_ext_sys): slot, program name. */
#define FC_EXT_SYS(X)                                                                           \
	X(EXECVE_1, "t1_execve_x")                                                              \
	X(EXECVE_2, "t2_execve_x")                                                              \
	X(EXECVE_3, "t3_execve_x")                                                              \
	X(CLONE_1, "t1_clone_x")                                                                \
	X(KFILTER, "t_kfilter")

/* Continuations of sched_process_exec (fc_ext_exec) and sched_process_fork (fc_ext_fork). */
#define FC_EXT_EXEC(X)                                                                          \
	X(EXEC_1, "t1_sched_exec")                                                              \
	X(EXEC_2, "t2_sched_exec")
#define FC_EXT_FORK(X) X(FORK_1, "t1_sched_fork")

enum fc_ext_slot {
#define FC_X(e, s) FC_EXT_##e,
	FC_EXT_SYS(FC_X) FC_EXT_SYS_MAX_,
	FC_EXT_EXEC_BASE_ = -1,
	FC_EXT_EXEC(FC_X) FC_EXT_EXEC_MAX_,
	FC_EXT_FORK_BASE_ = -1,
	FC_EXT_FORK(FC_X) FC_EXT_FORK_MAX_,
#undef FC_X
};

/* Exit-event builders are programs named FC_BUILDER_PREFIX + the PPME identifier of the exit
 * event ("x_SYSCALL_OPENAT_2_X"); the loader routes every syscall whose event pair has such a
 * program to it, and every other syscall to x_GENERIC_X. */
#define FC_BUILDER_PREFIX "x_"

#endif
