/* bpf/probe.bpf.c — the falcod eBPF probe: one tp_btf/sys_exit dispatcher, one exit-event
 * builder per supported syscall event (tail-called through fc_sys_tail, indexed by native
 * syscall number), and the sched_process_exec / _fork / _exit programs. Every event is written
 * in the current scap layout (26-byte header, u16 lengths; RUNTIME.md §2, EVENTS.md §4) so
 * that live events and capture replays decode through the same table (runtime/events.def).
 *
 * Dispatch per sys_exit hit (RUNTIME.md §4.3): native id from pt_regs -> selection byte
 * (fc_sel, written by the loader through the .bss mmap) -> 32-bit task? skip -> tail call to
 * the builder the loader put in fc_sys_tail[id] (the generic builder for syscalls without a
 * dedicated event). Builders that exceed what one program should verify continue through
 * fc_ext_* prog arrays, one per hook (tail calls must stay within one attach point).
 *
 * Events produced here carry the exit parameters of current Falco (enter parameters folded
 * in), every parameter of the table present. What is empty or approximate:
 *   - clone family: cwd empty (inherited; userspace tracks chdir), exe/args empty on failure;
 *     execve: cwd is filled (the modern upstream probe leaves it empty).
 *   - execve flags: EXE_WRITABLE from owner/mode bits and DAC_OVERRIDE/FOWNER only (no ACLs,
 *     no user-namespace mapping); overlay layers (exe and open) from the ovl_inode layout.
 *   - connect tuple only for ret 0 / -EINPROGRESS; sendto/recvfrom tuples come from the
 *     socket (an unconnected UDP peer shows as zeros). I/O data: the first 80 bytes.
 *   - eventfd, inotify_init, timerfd_create flags: 0 (no argument, or not representable).
 *   - 32-bit (ia32/AArch32) syscalls are skipped and counted (fc_counters.compat).
 *   - Not produced: TOCTOU enter events, sched_switch, signal_deliver, page faults.
 *   - Syscalls whose upstream event has no builder here (mmap, ioctl, sendmsg, ...) come as
 *     GENERIC_X; the loader routes them (runtime/probe.c).
 *
 * Build: clang -target bpf -O2 -g -D__TARGET_ARCH_{x86,arm64} with the generated vmlinux.h
 * (bpf/bpf.cmake); the skeleton is embedded in fcruntime (runtime/probe.c). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#if defined(__TARGET_ARCH_x86)
#include "x86_64/bpf_arch.h"
#elif defined(__TARGET_ARCH_arm64)
#include "aarch64/bpf_arch.h"
#else
#error "unsupported target arch"
#endif

#include "fc_probe.h"
#include "fc_push.h"
#include "fc_extract.h"
#include "kpred.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Event codes from the one event table (runtime/events.def). */
enum fc_ppme {
#define EV(code, id, ...) FC_PPME_##id = (code),
#define EV0(code, id, ...) FC_PPME_##id = (code),
#include "events.def"
#undef EV
#undef EV0
};

/* ---- loader-written state ---- */

/* Selection: 1 when the native syscall is wanted (mmapped .bss, replaced while attached). */
__u8 fc_sel[FC_SYSCALL_SLOTS];
/* The consumer (falcod) itself: its threads' syscalls would only feed back into the rules, so
 * they are dropped at the dispatcher, costing no ring space. fc_own_tgid is the tgid as the
 * consumer sees it (getpid); fc_own_ino/dev name its pid namespace when that is not the
 * initial one (0: the initial namespace, where the plain tgid compares). Written by the loader
 * through the mmap; 0 = off. */
__u32 fc_own_tgid;
__u64 fc_own_dev;
__u64 fc_own_ino;

/* Return-value gates (fc_probe.h): written by the loader with the predicate programs. */
__u8 fc_res_gate[FC_SYSCALL_SLOTS];

/* PPM_SC code of each native syscall number, for the generic event. */
const volatile __u16 fc_ppm_sc[FC_SYSCALL_SLOTS];
/* 1: the child side of clone comes from sched_process_fork and clone exits skip ret == 0.
 * The arch default (FC_ARCH_SCHED_FORK: arm64 needs it) is read by the loader, which may also
 * force it on (to exercise the arm64 path on x86_64). */
const volatile __u32 fc_need_sched_fork = FC_ARCH_SCHED_FORK;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FC_SYSCALL_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} fc_sys_tail SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FC_EXT_SYS_MAX_);
	__type(key, __u32);
	__type(value, __u32);
} fc_ext_sys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FC_EXT_EXEC_MAX_);
	__type(key, __u32);
	__type(value, __u32);
} fc_ext_exec SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FC_EXT_FORK_MAX_);
	__type(key, __u32);
	__type(value, __u32);
} fc_ext_fork SEC(".maps");

/* ---- kernel predicate programs (bpf/kpred.h) ---- */

/* 1 when fc_kprog holds a program for the event code (mmapped .bss, written by the loader). */
__u8 fc_kp_on[FC_KP_CODES];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FC_KP_MAX_PROGS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct fc_kp_lprog);
} fc_kprog SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fc_kp_scratch);
} fc_kp_scr SEC(".maps");

#define FC_FMODE_PATH 0x4000

/* FDDIR: FD refers, in the current task, to a directory or to an O_PATH file. */
static __always_inline int fc_kp_fddir(__s64 fd)
{
	struct file *f = fc_fd_file(fc_task(), fd);
	if (!f)
		return 0;
	__u16 mode = BPF_CORE_READ(f, f_inode, i_mode);
	__u32 fmode = BPF_CORE_READ(f, f_mode);
	return (mode & FC_S_IFMT) == FC_S_IFDIR || (fmode & FC_FMODE_PATH) != 0;
}

#define FC_KP_LD64(p) (*(const __u64 *)(p))
#define FC_KP_FDDIR(env, fd) fc_kp_fddir(fd)
#define FC_KP_ENV void *
#define FC_KP_INLINE static __always_inline
#include "kpred.h"

/* The end of every sys_exit builder: events of a code with a predicate program continue in
 * t_kfilter (a tail call keeps the evaluator out of every builder's verification), the others
 * go to the ring at once. A failed tail call (no program installed) sends the event. */
static __always_inline void fc_submit_sys(void *ctx, struct fc_aux *a)
{
	__u32 t = a->type;
	if (t < FC_KP_CODES && fc_kp_on[t])
		bpf_tail_call(ctx, &fc_ext_sys, FC_EXT_KFILTER);
	fc_submit(a);
}

#define FC_SYSX(name) SEC("tp_btf/sys_exit") int BPF_PROG(name, struct pt_regs *regs, long ret)
#define ARG(i) fc_sc_arg(regs, i)

/* Runs the predicate of the event built in the scratch area, before any ring space is used:
 * accepted events are sent, dropped ones counted (seen and filtered). */
FC_SYSX(t_kfilter)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__u32 key = a->type, zero = 0;
	const struct fc_kp_lprog *p = bpf_map_lookup_elem(&fc_kprog, &key);
	struct fc_kp_scratch *sc = bpf_map_lookup_elem(&fc_kp_scr, &zero);
	if (!p || !sc || a->pidx != a->nparams || a->nparams > FC_KP_MAX_PARAMS) {
		fc_submit(a);
		return 0;
	}
	if (fc_kp_run(p, a->data, a->nparams, sc, NULL)) {
		fc_submit(a);
		return 0;
	}
	struct fc_counters *c = fc_ctr();
	if (c) {
		c->seen++;
		c->filtered++;
	}
	return 0;
}

/* ---- dispatcher ---- */

SEC("tp_btf/sys_exit")
int BPF_PROG(fc_sys_exit, struct pt_regs *regs, long ret)
{
	long id = fc_sc_id(regs);
	if (id < 0 || id >= FC_SYSCALL_SLOTS)
		return 0;
	if (!fc_sel[id])
		return 0;
	__u32 own = fc_own_tgid;
	if (own) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		__u64 ino = fc_own_ino;
		if (ino) {
			struct bpf_pidns_info ns = {0};
			tgid = bpf_get_ns_current_pid_tgid(fc_own_dev, ino, &ns, sizeof(ns)) ? 0 : ns.tgid;
		}
		if (tgid == own) {
			struct fc_counters *c = fc_ctr();
			if (c)
				c->own++;
			return 0;
		}
	}
	if (fc_sc_is_compat(fc_task())) {
		struct fc_counters *c = fc_ctr();
		if (c)
			c->compat++;
		return 0;
	}
	/* the predicate would drop this result whatever the rest of the event: skip the build */
	__u8 gate = fc_res_gate[id];
	if (gate) {
		__u8 cls = ret < 0 ? FC_KP_GATE_NEG : ret == 0 ? FC_KP_GATE_ZERO : FC_KP_GATE_POS;
		if (gate & cls) {
			struct fc_counters *c = fc_ctr();
			if (c) {
				c->seen++;
				c->filtered++;
			}
			return 0;
		}
	}
	bpf_tail_call(ctx, &fc_sys_tail, id);
	return 0;
}

/* ---- shared parameter groups ---- */

static __always_inline __s64 fc_dirfd(unsigned long v)
{
	__s32 fd = (__s32)v;
	return fd == FC_LX_AT_FDCWD ? FC_PPM_AT_FDCWD : fd;
}

/* exe (argv[0]) and args (argv[1..], NUL-separated) from the process memory (T's mm). */
static __always_inline void fc_mm_args(struct fc_aux *a, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	unsigned long s = mm ? BPF_CORE_READ(mm, arg_start) : 0;
	unsigned long e = mm ? BPF_CORE_READ(mm, arg_end) : 0;
	if (!mm || e <= s) {
		fc_empty(a);
		fc_empty(a);
		return;
	}
	__u32 n = fc_ustr(a, (const void *)s, FC_MAX_PATH);
	__u64 rest = e - s > n ? e - s - n : 0;
	__u64 room = FC_MAX_ARG_ENV > n ? FC_MAX_ARG_ENV - n : 0;
	fc_ubuf(a, (const void *)(s + n), rest < room ? rest : room, FC_MAX_ARG_ENV);
}

/* env from the process memory. */
static __always_inline void fc_mm_env(struct fc_aux *a, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	unsigned long s = mm ? BPF_CORE_READ(mm, env_start) : 0;
	unsigned long e = mm ? BPF_CORE_READ(mm, env_end) : 0;
	if (!mm || e <= s) {
		fc_empty(a);
		return;
	}
	fc_ubuf(a, (const void *)s, e - s, FC_MAX_ARG_ENV);
}

/* NUL-separated strings from a user char *[] (argv or envp of a failed execve), starting at
 * element FIRST, at most LIMIT bytes (a truncated last string keeps its NUL). */
static __always_inline void fc_user_strv(struct fc_aux *a, const char *const *v, int first, __u32 limit)
{
	__u32 start = a->pos;
	__u32 total = 0;
	if (!v || limit == 0) {
		fc_empty(a);
		return;
	}
	for (int i = 0; i < FC_MAX_ARGV; i++) {
		const char *p = NULL;
		if (i < first)
			continue;
		if (total >= limit || bpf_probe_read_user(&p, sizeof(p), &v[i]) || !p)
			break;
		__u32 pos = a->pos;
		long n = bpf_probe_read_user_str(&a->data[FC_SAFE(pos)], FC_MAX_ARG_ENV, p);
		if (n <= 0)
			break;
		if (total + n > limit) {
			n = limit - total;
			a->data[FC_SAFE(pos + n - 1)] = 0;
		}
		a->pos = pos + (__u32)n;
		total += (__u32)n;
	}
	fc_close(a, start);
}

/* exe and args from a user argv (failed execve/execveat). */
static __always_inline void fc_user_argv(struct fc_aux *a, const char *const *argv)
{
	const char *p0 = NULL;
	if (!argv || bpf_probe_read_user(&p0, sizeof(p0), &argv[0]) || !p0) {
		fc_empty(a);
		fc_empty(a);
		return;
	}
	__u32 n = fc_ustr(a, p0, FC_MAX_PATH);
	fc_user_strv(a, argv, 1, FC_MAX_ARG_ENV > n ? FC_MAX_ARG_ENV - n : 0);
}

/* tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss, vm_swap, comm: the
 * parameters 3..13 that execve and clone exits share. cwd is filled for execve (WITH_CWD) and
 * left empty for clone (the child inherits it; userspace tracks chdir), as upstream does. */
static __always_inline void fc_proc_block(struct fc_aux *a, struct task_struct *t, int with_cwd)
{
	fc_s64(a, BPF_CORE_READ(t, pid));
	fc_s64(a, BPF_CORE_READ(t, tgid));
	fc_s64(a, BPF_CORE_READ(t, real_parent, pid));
	if (with_cwd) {
		struct fs_struct *fs = BPF_CORE_READ(t, fs);
		if (fs)
			fc_path(a, &fs->pwd);
		else
			fc_empty(a);
	} else {
		fc_empty(a);
	}
	fc_u64(a, BPF_CORE_READ(t, signal, rlim[FC_RLIMIT_NOFILE].rlim_cur));
	fc_u64(a, BPF_CORE_READ(t, maj_flt));
	fc_u64(a, BPF_CORE_READ(t, min_flt));
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (mm) {
		fc_u32(a, fc_vm_kb(BPF_CORE_READ(mm, total_vm)));
		fc_u32(a, fc_vm_kb(fc_rss_counter(mm, FC_MM_FILEPAGES) + fc_rss_counter(mm, FC_MM_ANONPAGES) +
				   fc_rss_counter(mm, FC_MM_SHMEMPAGES)));
		fc_u32(a, fc_vm_kb(fc_rss_counter(mm, FC_MM_SWAPENTS)));
	} else {
		fc_u32(a, 0);
		fc_u32(a, 0);
		fc_u32(a, 0);
	}
	fc_kstr(a, &t->comm, 16);
}

#define FC_OVERLAYFS_MAGIC 0x794c7630
#define FC_PPM_EXE_WRITABLE 0x1
#define FC_PPM_EXE_UPPER_LAYER 0x2
#define FC_PPM_EXE_FROM_MEMFD 0x4
#define FC_PPM_EXE_LOWER_LAYER 0x8

/* Overlayfs: 1 = upper layer, 2 = lower layer, 0 = not overlay. The upper dentry pointer
 * follows the embedded vfs inode in struct ovl_inode. */
static __always_inline int fc_overlay_layer(struct inode *ino)
{
	if (!ino || BPF_CORE_READ(ino, i_sb, s_magic) != FC_OVERLAYFS_MAGIC)
		return 0;
	struct dentry *upper = NULL;
	bpf_probe_read_kernel(&upper, sizeof(upper), (char *)ino + bpf_core_type_size(struct inode));
	return upper ? 1 : 2;
}

/* execve flags: writable executable (owner, mode bits or DAC_OVERRIDE/FOWNER; ACLs and user
 * namespace mappings are not consulted), overlay layer, executed from a memfd. */
static __always_inline __u32 fc_exe_flags(struct task_struct *t, struct file *exe)
{
	__u32 flags = 0;
	if (!exe)
		return 0;
	struct inode *ino = BPF_CORE_READ(exe, f_inode);
	__u16 mode = BPF_CORE_READ(ino, i_mode);
	__u64 sflags = BPF_CORE_READ(ino, i_sb, s_flags);
	__u32 iflags = BPF_CORE_READ(ino, i_flags);
	if (!(sflags & FC_SB_RDONLY) && !(iflags & FC_S_IMMUTABLE)) {
		__u32 uid = BPF_CORE_READ(ino, i_uid.val), gid = BPF_CORE_READ(ino, i_gid.val);
		__u32 fsuid = BPF_CORE_READ(t, cred, fsuid.val), fsgid = BPF_CORE_READ(t, cred, fsgid.val);
		const struct cred *cr = BPF_CORE_READ(t, cred);
		__u64 caps = fc_cap(&cr->cap_effective);
		if (fsuid == uid || (gid == fsgid && (mode & 0020)) || (mode & 0002) ||
		    (caps & ((1ull << FC_CAP_DAC_OVERRIDE) | (1ull << FC_CAP_FOWNER))))
			flags |= FC_PPM_EXE_WRITABLE;
	}
	int layer = fc_overlay_layer(ino);
	if (layer == 1)
		flags |= FC_PPM_EXE_UPPER_LAYER;
	else if (layer == 2)
		flags |= FC_PPM_EXE_LOWER_LAYER;
	struct dentry *d = BPF_CORE_READ(exe, f_path.dentry);
	if (d && BPF_CORE_READ(d, d_parent) == d) {
		char name[7] = {};
		bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name));
		if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
		    name[5] == ':')
			flags |= FC_PPM_EXE_FROM_MEMFD;
	}
	return flags;
}

/* execve parameters 14..22: cgroups, env (from memory, or from the user envp of a failed
 * call), tty, vpgid, loginuid, flags, cap_inheritable, cap_permitted, cap_effective. */
static __always_inline void fc_exec_mid(struct fc_aux *a, struct task_struct *t, const char *const *uenvp,
					int from_user)
{
	fc_cgroups(a, t);
	if (from_user)
		fc_user_strv(a, uenvp, 0, FC_MAX_ARG_ENV);
	else
		fc_mm_env(a, t);
	fc_u32(a, fc_tty(t));
	fc_s64(a, fc_pid_vnr(fc_task_pid(t, PIDTYPE_PGID)));
	fc_u32(a, fc_loginuid(t));
	fc_u32(a, fc_exe_flags(t, BPF_CORE_READ(t, mm, exe_file)));
	const struct cred *cr = BPF_CORE_READ(t, cred);
	fc_u64(a, fc_cap(&cr->cap_inheritable));
	fc_u64(a, fc_cap(&cr->cap_permitted));
	fc_u64(a, fc_cap(&cr->cap_effective));
}

/* execve parameters 23..29: exe_ino, exe_ino_ctime, exe_ino_mtime, uid (euid),
 * trusted_exepath, pgid, gid (egid). */
static __always_inline void fc_exec_tail(struct fc_aux *a, struct task_struct *t)
{
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	struct inode *ino = exe ? BPF_CORE_READ(exe, f_inode) : NULL;
	__u64 ctime, mtime;
	fc_u64(a, ino ? BPF_CORE_READ(ino, i_ino) : 0);
	fc_inode_times(ino, &ctime, &mtime);
	fc_u64(a, ctime);
	fc_u64(a, mtime);
	fc_u32(a, BPF_CORE_READ(t, cred, euid.val));
	if (exe)
		fc_path(a, &exe->f_path);
	else
		fc_empty(a);
	fc_s64(a, fc_pid_nr(fc_task_pid(t, PIDTYPE_PGID)));
	fc_u32(a, BPF_CORE_READ(t, cred, egid.val));
}

/* clone parameters 15..20: flags, uid, gid, vtid, vpid, pidns_init_start_ts (child only). */
static __always_inline void fc_clone_tail(struct fc_aux *a, struct task_struct *t, __u32 flags, int child)
{
	fc_u32(a, flags | fc_pidns_flag(t));
	fc_u32(a, BPF_CORE_READ(t, cred, euid.val));
	fc_u32(a, BPF_CORE_READ(t, cred, egid.val));
	fc_s64(a, fc_pid_vnr(fc_task_pid(t, PIDTYPE_PID)));
	fc_s64(a, fc_pid_vnr(fc_task_pid(t, PIDTYPE_TGID)));
	if (child) {
		struct pid_namespace *ns = fc_pid_ns(fc_task_pid(t, PIDTYPE_TGID));
		fc_u64(a, BPF_CORE_READ(ns, child_reaper, start_time));
	} else {
		fc_u64(a, 0);
	}
}

/* ---- process events on sys_exit ---- */

/* execve/execveat that failed (a success is reported by sched_process_exec). */
static __always_inline int fc_execve_fail(void *ctx, struct pt_regs *regs, long ret, __u16 type, __u32 np,
					  const char *const *argv)
{
	if (ret == 0)
		return 0;
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, type, np, FC_DROP_EXECVE);
	fc_s64(a, ret);
	fc_user_argv(a, argv);
	bpf_tail_call(ctx, &fc_ext_sys, FC_EXT_EXECVE_1);
	return 0;
}

FC_SYSX(x_SYSCALL_EXECVE_19_X)
{
	return fc_execve_fail(ctx, regs, ret, FC_PPME_SYSCALL_EXECVE_19_X, 31, (const char *const *)ARG(1));
}

FC_SYSX(x_SYSCALL_EXECVEAT_X)
{
	return fc_execve_fail(ctx, regs, ret, FC_PPME_SYSCALL_EXECVEAT_X, 30, (const char *const *)ARG(2));
}

FC_SYSX(t1_execve_x)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_proc_block(a, fc_task(), 1);
	bpf_tail_call(ctx, &fc_ext_sys, FC_EXT_EXECVE_2);
	return 0;
}

FC_SYSX(t2_execve_x)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	const char *const *envp =
		(const char *const *)(a->type == FC_PPME_SYSCALL_EXECVE_19_X ? ARG(2) : ARG(3));
	fc_exec_mid(a, fc_task(), envp, 1);
	bpf_tail_call(ctx, &fc_ext_sys, FC_EXT_EXECVE_3);
	return 0;
}

FC_SYSX(t3_execve_x)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_exec_tail(a, fc_task());
	if (a->type == FC_PPME_SYSCALL_EXECVE_19_X)
		fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH); /* filename */
	fc_submit_sys(ctx, a);
	return 0;
}

/* clone, clone3, fork, vfork: the parent's return (res = child tid) and, where sys_exit sees
 * it (x86_64), the child's (res = 0, header tid = child). */
static __always_inline int fc_clone_x(void *ctx, long ret, __u16 type)
{
	if (fc_need_sched_fork && ret == 0)
		return 0;
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	struct task_struct *t = fc_task();
	fc_begin(a, type, 21, FC_DROP_CLONE_FORK);
	fc_s64(a, ret);
	if (ret >= 0) {
		fc_mm_args(a, t);
	} else {
		fc_empty(a);
		fc_empty(a);
	}
	fc_proc_block(a, t, 0);
	bpf_tail_call(ctx, &fc_ext_sys, FC_EXT_CLONE_1);
	return 0;
}

FC_SYSX(x_SYSCALL_CLONE_20_X) { return fc_clone_x(ctx, ret, FC_PPME_SYSCALL_CLONE_20_X); }
FC_SYSX(x_SYSCALL_CLONE3_X) { return fc_clone_x(ctx, ret, FC_PPME_SYSCALL_CLONE3_X); }
FC_SYSX(x_SYSCALL_FORK_20_X) { return fc_clone_x(ctx, ret, FC_PPME_SYSCALL_FORK_20_X); }
FC_SYSX(x_SYSCALL_VFORK_20_X) { return fc_clone_x(ctx, ret, FC_PPME_SYSCALL_VFORK_20_X); }

FC_SYSX(t1_clone_x)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	struct task_struct *t = fc_task();
	__u64 lxflags = 0;
	if (a->type == FC_PPME_SYSCALL_CLONE_20_X)
		lxflags = ARG(0);
	else if (a->type == FC_PPME_SYSCALL_CLONE3_X)
		bpf_probe_read_user(&lxflags, sizeof(lxflags), (const void *)ARG(0)); /* clone_args.flags */
	fc_cgroups(a, t);
	fc_clone_tail(a, t, fc_clone_flags(lxflags), ret == 0);
	fc_submit_sys(ctx, a);
	return 0;
}

/* ---- files ---- */

static __always_inline void fc_open_tail(struct fc_aux *a, long ret, __u64 lxflags, __u64 mode, int with_resolve,
					 __u64 resolve)
{
	struct file *f = ret >= 0 ? fc_fd_file(fc_task(), ret) : NULL;
	__u32 flags = fc_open_flags(lxflags);
	__u32 dev;
	__u64 ino;
	if (f) {
		if (BPF_CORE_READ(f, f_mode) & FC_FMODE_CREATED)
			flags |= FC_PPM_O_F_CREATED;
		int layer = fc_overlay_layer(BPF_CORE_READ(f, f_inode));
		if (layer == 1)
			flags |= 0x8000; /* FD_UPPER_LAYER */
		else if (layer == 2)
			flags |= 0x10000; /* FD_LOWER_LAYER */
	}
	fc_file_dev_ino(f, &dev, &ino);
	fc_u32(a, flags);
	fc_u32(a, fc_open_mode(lxflags, mode));
	if (with_resolve)
		fc_u32(a, fc_resolve_flags(resolve));
	fc_u32(a, dev);
	fc_u64(a, ino);
}

FC_SYSX(x_SYSCALL_OPEN_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_OPEN_X, 6, FC_DROP_OPEN);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_open_tail(a, ret, ARG(1), ARG(2), 0, 0);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_OPENAT_2_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_OPENAT_2_X, 7, FC_DROP_OPEN);
	fc_s64(a, ret);
	fc_s64(a, fc_dirfd(ARG(0)));
	fc_ustr(a, (const void *)ARG(1), FC_MAX_PATH);
	fc_open_tail(a, ret, ARG(2), ARG(3), 0, 0);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_OPENAT2_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	struct { __u64 flags, mode, resolve; } how = {};
	bpf_probe_read_user(&how, sizeof(how), (const void *)ARG(2));
	fc_begin(a, FC_PPME_SYSCALL_OPENAT2_X, 8, FC_DROP_OPEN);
	fc_s64(a, ret);
	fc_s64(a, fc_dirfd(ARG(0)));
	fc_ustr(a, (const void *)ARG(1), FC_MAX_PATH);
	fc_open_tail(a, ret, how.flags, how.mode, 1, how.resolve);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_CREAT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	struct file *f = ret >= 0 ? fc_fd_file(fc_task(), ret) : NULL;
	__u32 dev;
	__u64 ino;
	__u16 cflags = 0;
	fc_file_dev_ino(f, &dev, &ino);
	if (f) {
		int layer = fc_overlay_layer(BPF_CORE_READ(f, f_inode));
		cflags = layer == 1 ? 0x1 : layer == 2 ? 0x2 : 0; /* FD_{UPPER,LOWER}_LAYER_CREAT */
	}
	fc_begin(a, FC_PPME_SYSCALL_CREAT_X, 6, FC_DROP_OPEN);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_u32(a, fc_open_mode(FC_LX_O_CREAT, ARG(1)));
	fc_u32(a, dev);
	fc_u64(a, ino);
	fc_u16(a, cflags);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_CLOSE_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_CLOSE_X, 2, FC_DROP_CLOSE);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_DUP_1_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_DUP_1_X, 2, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_DUP2_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_DUP2_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_s64(a, (__s32)ARG(1));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_DUP3_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_DUP3_X, 4, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_s64(a, (__s32)ARG(1));
	fc_u32(a, (ARG(2) & FC_LX_O_CLOEXEC) ? FC_PPM_O_CLOEXEC : 0);
	fc_submit_sys(ctx, a);
	return 0;
}

/* pipe/pipe2: the two fds read back from the user array, the pipe inode. */
static __always_inline int fc_pipe_x(void *ctx, long ret, __u16 type, __u32 np, const int *ufds, __u64 lxflags)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	int fds[2] = {-1, -1};
	__u32 dev;
	__u64 ino = 0;
	if (ret == 0)
		bpf_probe_read_user(fds, sizeof(fds), ufds);
	if (ret == 0)
		fc_file_dev_ino(fc_fd_file(fc_task(), fds[0]), &dev, &ino);
	fc_begin(a, type, np, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, fds[0]);
	fc_s64(a, fds[1]);
	fc_u64(a, ino);
	if (np == 5) {
		__u32 f = 0;
		if (lxflags & FC_LX_O_CLOEXEC) f |= FC_PPM_O_CLOEXEC;
		if (lxflags & FC_LX_O_DIRECT) f |= FC_PPM_O_DIRECT;
		if (lxflags & FC_LX_O_NONBLOCK) f |= FC_PPM_O_NONBLOCK;
		fc_u32(a, f);
	}
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_PIPE_X) { return fc_pipe_x(ctx, ret, FC_PPME_SYSCALL_PIPE_X, 4, (const int *)ARG(0), 0); }
FC_SYSX(x_SYSCALL_PIPE2_X) { return fc_pipe_x(ctx, ret, FC_PPME_SYSCALL_PIPE2_X, 5, (const int *)ARG(0), ARG(1)); }

/* res + one path (unlink, rmdir, chdir, chroot). */
static __always_inline int fc_res_path(void *ctx, long ret, __u16 type, const void *path, __u32 cat)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, type, 2, cat);
	fc_s64(a, ret);
	fc_ustr(a, path, FC_MAX_PATH);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_UNLINK_2_X) { return fc_res_path(ctx, ret, FC_PPME_SYSCALL_UNLINK_2_X, (void *)ARG(0), FC_DROP_DIR_FILE); }
FC_SYSX(x_SYSCALL_RMDIR_2_X) { return fc_res_path(ctx, ret, FC_PPME_SYSCALL_RMDIR_2_X, (void *)ARG(0), FC_DROP_DIR_FILE); }
FC_SYSX(x_SYSCALL_CHDIR_X) { return fc_res_path(ctx, ret, FC_PPME_SYSCALL_CHDIR_X, (void *)ARG(0), FC_DROP_OTHER_INTEREST); }
FC_SYSX(x_SYSCALL_CHROOT_X) { return fc_res_path(ctx, ret, FC_PPME_SYSCALL_CHROOT_X, (void *)ARG(0), FC_DROP_OTHER_INTEREST); }

FC_SYSX(x_SYSCALL_UNLINKAT_2_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_UNLINKAT_2_X, 4, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_s64(a, fc_dirfd(ARG(0)));
	fc_ustr(a, (const void *)ARG(1), FC_MAX_PATH);
	fc_u32(a, ARG(2) & 0x200); /* AT_REMOVEDIR, same value */
	fc_submit_sys(ctx, a);
	return 0;
}

/* res + two paths (rename, link, symlink: the first is a CHARBUF target for symlink). */
static __always_inline int fc_res_2path(void *ctx, long ret, __u16 type, const void *p1, const void *p2)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, type, 3, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_ustr(a, p1, FC_MAX_PATH);
	fc_ustr(a, p2, FC_MAX_PATH);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_RENAME_X) { return fc_res_2path(ctx, ret, FC_PPME_SYSCALL_RENAME_X, (void *)ARG(0), (void *)ARG(1)); }
FC_SYSX(x_SYSCALL_LINK_2_X) { return fc_res_2path(ctx, ret, FC_PPME_SYSCALL_LINK_2_X, (void *)ARG(0), (void *)ARG(1)); }
FC_SYSX(x_SYSCALL_SYMLINK_X) { return fc_res_2path(ctx, ret, FC_PPME_SYSCALL_SYMLINK_X, (void *)ARG(0), (void *)ARG(1)); }

/* renameat, renameat2, linkat: res, olddirfd, oldpath, newdirfd, newpath [, flags]. */
static __always_inline int fc_2at(void *ctx, struct pt_regs *regs, long ret, __u16 type, __u32 np, __u32 flags)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, type, np, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_s64(a, fc_dirfd(ARG(0)));
	fc_ustr(a, (const void *)ARG(1), FC_MAX_PATH);
	fc_s64(a, fc_dirfd(ARG(2)));
	fc_ustr(a, (const void *)ARG(3), FC_MAX_PATH);
	if (np == 6)
		fc_u32(a, flags);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_RENAMEAT_X) { return fc_2at(ctx, regs, ret, FC_PPME_SYSCALL_RENAMEAT_X, 5, 0); }
FC_SYSX(x_SYSCALL_RENAMEAT2_X) { return fc_2at(ctx, regs, ret, FC_PPME_SYSCALL_RENAMEAT2_X, 6, ARG(4) & 0x7); }
FC_SYSX(x_SYSCALL_LINKAT_2_X) { return fc_2at(ctx, regs, ret, FC_PPME_SYSCALL_LINKAT_2_X, 6, ARG(4) & 0x1400); }

FC_SYSX(x_SYSCALL_SYMLINKAT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_SYMLINKAT_X, 4, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_s64(a, fc_dirfd(ARG(1)));
	fc_ustr(a, (const void *)ARG(2), FC_MAX_PATH);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_MKDIR_2_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_MKDIR_2_X, 3, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_u32(a, ARG(1));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_MKDIRAT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_MKDIRAT_X, 4, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_s64(a, fc_dirfd(ARG(0)));
	fc_ustr(a, (const void *)ARG(1), FC_MAX_PATH);
	fc_u32(a, ARG(2));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_CHMOD_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_CHMOD_X, 3, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_u32(a, ARG(1) & 07777);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_FCHMOD_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_FCHMOD_X, 3, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_u32(a, ARG(1) & 07777);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_FCHMODAT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_FCHMODAT_X, 4, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_s64(a, fc_dirfd(ARG(0)));
	fc_ustr(a, (const void *)ARG(1), FC_MAX_PATH);
	fc_u32(a, ARG(2) & 07777);
	fc_submit_sys(ctx, a);
	return 0;
}

/* chown, lchown: res, path, uid, gid. */
static __always_inline int fc_chown_x(void *ctx, struct pt_regs *regs, long ret, __u16 type)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, type, 4, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_u32(a, ARG(1));
	fc_u32(a, ARG(2));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_CHOWN_X) { return fc_chown_x(ctx, regs, ret, FC_PPME_SYSCALL_CHOWN_X); }
FC_SYSX(x_SYSCALL_LCHOWN_X) { return fc_chown_x(ctx, regs, ret, FC_PPME_SYSCALL_LCHOWN_X); }

FC_SYSX(x_SYSCALL_FCHOWN_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_FCHOWN_X, 4, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_u32(a, ARG(1));
	fc_u32(a, ARG(2));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_FCHOWNAT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_FCHOWNAT_X, 6, FC_DROP_DIR_FILE);
	fc_s64(a, ret);
	fc_s64(a, fc_dirfd(ARG(0)));
	fc_ustr(a, (const void *)ARG(1), FC_MAX_PATH);
	fc_u32(a, ARG(2));
	fc_u32(a, ARG(3));
	fc_u32(a, ARG(4) & 0x1100); /* AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, kernel values */
	fc_submit_sys(ctx, a);
	return 0;
}

/* res + fd (fchdir). */
FC_SYSX(x_SYSCALL_FCHDIR_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_FCHDIR_X, 2, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_MOUNT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__u32 flags = ARG(3);
	if ((flags & 0xffff0000) == 0xC0ED0000) /* MS_MGC_VAL magic of old callers */
		flags &= 0xffff;
	fc_begin(a, FC_PPME_SYSCALL_MOUNT_X, 5, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_ustr(a, (const void *)ARG(1), FC_MAX_PATH);
	fc_ustr(a, (const void *)ARG(2), FC_MAX_PATH);
	fc_u32(a, flags);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_UMOUNT2_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_UMOUNT2_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_u32(a, ARG(1) & 0xf);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_MEMFD_CREATE_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_MEMFD_CREATE_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_u32(a, ARG(1) & 0x7);
	fc_submit_sys(ctx, a);
	return 0;
}

/* ---- other fd-creating and state calls ---- */

static __always_inline __u32 fc_cloexec_nonblock(__u64 f)
{
	__u32 r = 0;
	if (f & FC_LX_O_CLOEXEC) r |= FC_PPM_O_CLOEXEC;
	if (f & FC_LX_O_NONBLOCK) r |= FC_PPM_O_NONBLOCK;
	return r;
}

/* Linux F_* -> PPM_FCNTL_* (unknown commands are 0). */
static __always_inline __u8 fc_fcntl_cmd(__u64 c)
{
	switch (c) {
	case 0: return 1;     /* F_DUPFD */
	case 1: return 2;     /* F_GETFD */
	case 2: return 3;     /* F_SETFD */
	case 3: return 4;     /* F_GETFL */
	case 4: return 5;     /* F_SETFL */
	case 5: return 6;     /* F_GETLK */
	case 6: return 8;     /* F_SETLK */
	case 7: return 9;     /* F_SETLKW */
	case 8: return 10;    /* F_SETOWN */
	case 9: return 12;    /* F_GETOWN */
	case 10: return 13;   /* F_SETSIG */
	case 11: return 15;   /* F_GETSIG */
	case 15: return 21;   /* F_SETOWN_EX */
	case 16: return 22;   /* F_GETOWN_EX */
	case 36: return 30;   /* F_OFD_GETLK */
	case 37: return 31;   /* F_OFD_SETLK */
	case 38: return 32;   /* F_OFD_SETLKW */
	case 1024: return 23; /* F_SETLEASE */
	case 1025: return 24; /* F_GETLEASE */
	case 1026: return 27; /* F_NOTIFY */
	case 1029: return 25; /* F_CANCELLK */
	case 1030: return 26; /* F_DUPFD_CLOEXEC */
	case 1031: return 28; /* F_SETPIPE_SZ */
	case 1032: return 29; /* F_GETPIPE_SZ */
	}
	return 0;
}

FC_SYSX(x_SYSCALL_FCNTL_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_FCNTL_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_u8(a, fc_fcntl_cmd(ARG(1)));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SOCKET_SOCKETPAIR_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	int fds[2] = {-1, -1};
	struct sock *sk = NULL, *peer = NULL;
	if (ret == 0 && bpf_probe_read_user(fds, sizeof(fds), (const void *)ARG(3)) == 0) {
		sk = fc_fd_sock(fc_task(), fds[0]);
		if (sk && BPF_CORE_READ(sk, __sk_common.skc_family) == FC_LX_AF_UNIX)
			peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
	}
	fc_begin(a, FC_PPME_SOCKET_SOCKETPAIR_X, 8, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, fds[0]);
	fc_s64(a, fds[1]);
	fc_u64(a, (__u64)sk);
	fc_u64(a, (__u64)peer);
	fc_u32(a, ARG(0));
	fc_u32(a, ARG(1));
	fc_u32(a, ARG(2));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SOCKET_SHUTDOWN_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SOCKET_SHUTDOWN_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_u8(a, ARG(1)); /* SHUT_RD/WR/RDWR: same values */
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_EVENTFD_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_EVENTFD_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u64(a, (__u32)ARG(0));
	fc_u32(a, 0); /* eventfd has no flags argument */
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_EVENTFD2_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_EVENTFD2_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u16(a, fc_cloexec_nonblock(ARG(1)));
	fc_u64(a, (__u32)ARG(0));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_INOTIFY_INIT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_INOTIFY_INIT_X, 2, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u8(a, 0); /* inotify_init has no flags argument */
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_INOTIFY_INIT1_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_INOTIFY_INIT1_X, 2, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u16(a, fc_cloexec_nonblock(ARG(0)));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_EPOLL_CREATE_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_EPOLL_CREATE_X, 2, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u32(a, (__s32)ARG(0));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_EPOLL_CREATE1_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_EPOLL_CREATE1_X, 2, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u32(a, (ARG(0) & FC_LX_O_CLOEXEC) ? 1 : 0); /* EPOLL_CLOEXEC -> PPM_EPOLL_CLOEXEC */
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_TIMERFD_CREATE_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_TIMERFD_CREATE_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u8(a, ARG(0));
	fc_u8(a, 0); /* TFD_* flags do not fit the u8 of the schema: not reported */
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_PIDFD_OPEN_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_PIDFD_OPEN_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_u32(a, (ARG(1) & FC_LX_O_NONBLOCK) ? 1 : 0); /* PIDFD_NONBLOCK */
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_PIDFD_GETFD_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_PIDFD_GETFD_X, 4, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_s64(a, (__s32)ARG(1));
	fc_u32(a, ARG(2));
	fc_submit_sys(ctx, a);
	return 0;
}

/* open_by_handle_at: the path is rebuilt from the opened file (the handle has none). */
FC_SYSX(x_SYSCALL_OPEN_BY_HANDLE_AT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	struct file *f = ret >= 0 ? fc_fd_file(fc_task(), ret) : NULL;
	__u32 dev;
	__u64 ino;
	fc_file_dev_ino(f, &dev, &ino);
	fc_begin(a, FC_PPME_SYSCALL_OPEN_BY_HANDLE_AT_X, 6, FC_DROP_OPEN);
	fc_s64(a, ret);
	fc_s64(a, fc_dirfd(ARG(0)));
	fc_u32(a, fc_open_flags(ARG(2)));
	if (f)
		fc_path(a, &f->f_path);
	else
		fc_empty(a);
	fc_u32(a, dev);
	fc_u64(a, ino);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_SETSID_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_SETSID_X, 1, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_SETPGID_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_SETPGID_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_s64(a, (__s32)ARG(1));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_GETCWD_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_GETCWD_X, 2, FC_DROP_OTHER);
	fc_s64(a, ret);
	if (ret > 0)
		fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	else
		fc_empty(a);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_STAT_X) { return fc_res_path(ctx, ret, FC_PPME_SYSCALL_STAT_X, (void *)ARG(0), FC_DROP_OTHER); }
FC_SYSX(x_SYSCALL_LSTAT_X) { return fc_res_path(ctx, ret, FC_PPME_SYSCALL_LSTAT_X, (void *)ARG(0), FC_DROP_OTHER); }

FC_SYSX(x_SYSCALL_FSTAT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_FSTAT_X, 2, FC_DROP_OTHER);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_ACCESS_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_ACCESS_X, 3, FC_DROP_OTHER);
	fc_s64(a, ret);
	fc_ustr(a, (const void *)ARG(0), FC_MAX_PATH);
	fc_u32(a, ARG(1) & 7); /* F_OK/X_OK/W_OK/R_OK: same values */
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_SECCOMP_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_SECCOMP_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u64(a, ARG(0));
	fc_u64(a, ARG(1));
	fc_submit_sys(ctx, a);
	return 0;
}

/* getuid, geteuid, getgid, getegid: the id is the return value. */
static __always_inline int fc_getid_x(void *ctx, long ret, __u16 type)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, type, 1, FC_DROP_OTHER);
	fc_u32(a, ret);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_GETUID_X) { return fc_getid_x(ctx, ret, FC_PPME_SYSCALL_GETUID_X); }
FC_SYSX(x_SYSCALL_GETEUID_X) { return fc_getid_x(ctx, ret, FC_PPME_SYSCALL_GETEUID_X); }
FC_SYSX(x_SYSCALL_GETGID_X) { return fc_getid_x(ctx, ret, FC_PPME_SYSCALL_GETGID_X); }
FC_SYSX(x_SYSCALL_GETEGID_X) { return fc_getid_x(ctx, ret, FC_PPME_SYSCALL_GETEGID_X); }

/* ---- network ---- */

FC_SYSX(x_SOCKET_SOCKET_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__u32 type = ARG(1);
	__u32 flags = 0;
	if (type & FC_LX_O_NONBLOCK) /* SOCK_NONBLOCK */
		flags |= FC_PPM_O_NONBLOCK;
	if (type & FC_LX_O_CLOEXEC) /* SOCK_CLOEXEC */
		flags |= FC_PPM_O_CLOEXEC;
	fc_begin(a, FC_PPME_SOCKET_SOCKET_X, 5, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u32(a, ARG(0));
	fc_u32(a, type);
	fc_u32(a, ARG(2));
	fc_u32(a, flags);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SOCKET_BIND_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SOCKET_BIND_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_sockaddr(a, (const void *)ARG(1), ARG(2));
	fc_s64(a, (__s32)ARG(0));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SOCKET_LISTEN_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SOCKET_LISTEN_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_u32(a, (__s32)ARG(1));
	fc_submit_sys(ctx, a);
	return 0;
}

/* connect: the tuple only when the connection exists or is in progress. */
FC_SYSX(x_SOCKET_CONNECT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__s64 fd = (__s32)ARG(0);
	fc_begin(a, FC_PPME_SOCKET_CONNECT_X, 4, FC_DROP_CONNECT);
	fc_s64(a, ret);
	if (ret == 0 || ret == -FC_LX_EINPROGRESS)
		fc_socktuple(a, fc_fd_sock(fc_task(), fd), 1);
	else
		fc_empty(a);
	fc_s64(a, fd);
	fc_sockaddr(a, (const void *)ARG(1), ARG(2));
	fc_submit_sys(ctx, a);
	return 0;
}

/* accept/accept4: the new socket's tuple (remote first) and the listener's queue. */
static __always_inline int fc_accept_x(void *ctx, struct pt_regs *regs, long ret, __u16 type, __u32 np)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	struct task_struct *t = fc_task();
	__u32 qlen = 0, qmax = 0;
	__u8 qpct = 0;
	fc_begin(a, type, np, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	if (ret >= 0) {
		fc_socktuple(a, fc_fd_sock(t, ret), 0);
		struct sock *l = fc_fd_sock(t, (__s32)ARG(0));
		if (l) {
			qlen = BPF_CORE_READ(l, sk_ack_backlog);
			qmax = BPF_CORE_READ(l, sk_max_ack_backlog);
			if (qmax)
				qpct = (__u8)((__u64)qlen * 100 / qmax);
		}
	} else {
		fc_empty(a);
	}
	fc_u8(a, qpct);
	fc_u32(a, qlen);
	fc_u32(a, qmax);
	if (np == 6)
		fc_u32(a, (__s32)ARG(3));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SOCKET_ACCEPT_5_X) { return fc_accept_x(ctx, regs, ret, FC_PPME_SOCKET_ACCEPT_5_X, 5); }
FC_SYSX(x_SOCKET_ACCEPT4_6_X) { return fc_accept_x(ctx, regs, ret, FC_PPME_SOCKET_ACCEPT4_6_X, 6); }

/* ---- I/O: the first FC_SNAPLEN bytes of the data (Falco's default snaplen) ---- */

#define FC_SNAPLEN 80

/* read/recvfrom: the bytes received (ret of them); write/sendto: the bytes sent (ret, or the
 * requested size when the call failed, as upstream). */
static __always_inline void fc_io_data(struct fc_aux *a, const void *buf, long ret, __u64 size, int sent)
{
	__u64 n = ret > 0 ? (__u64)ret : (sent ? size : 0);
	if (n == 0) {
		fc_empty(a);
		return;
	}
	fc_ubuf(a, buf, n, FC_SNAPLEN);
}

static __always_inline int fc_rw_x(void *ctx, struct pt_regs *regs, long ret, __u16 type, int sent)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, type, 4, FC_DROP_OTHER);
	fc_s64(a, ret);
	fc_io_data(a, (const void *)ARG(1), ret, ARG(2), sent);
	fc_s64(a, (__s32)ARG(0));
	fc_u32(a, ARG(2));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_READ_X) { return fc_rw_x(ctx, regs, ret, FC_PPME_SYSCALL_READ_X, 0); }
FC_SYSX(x_SYSCALL_WRITE_X) { return fc_rw_x(ctx, regs, ret, FC_PPME_SYSCALL_WRITE_X, 1); }

/* sendto: res, data, fd, size, tuple (local -> remote, from the socket). */
FC_SYSX(x_SOCKET_SENDTO_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__s64 fd = (__s32)ARG(0);
	fc_begin(a, FC_PPME_SOCKET_SENDTO_X, 5, FC_DROP_OTHER);
	fc_s64(a, ret);
	fc_io_data(a, (const void *)ARG(1), ret, ARG(2), 1);
	fc_s64(a, fd);
	fc_u32(a, ARG(2));
	fc_socktuple(a, ret >= 0 ? fc_fd_sock(fc_task(), fd) : NULL, 1);
	fc_submit_sys(ctx, a);
	return 0;
}

/* recvfrom: res, data, tuple (remote -> local), fd, size. */
FC_SYSX(x_SOCKET_RECVFROM_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__s64 fd = (__s32)ARG(0);
	fc_begin(a, FC_PPME_SOCKET_RECVFROM_X, 5, FC_DROP_OTHER);
	fc_s64(a, ret);
	fc_io_data(a, (const void *)ARG(1), ret, ARG(2), 0);
	fc_socktuple(a, ret >= 0 ? fc_fd_sock(fc_task(), fd) : NULL, 0);
	fc_s64(a, fd);
	fc_u32(a, ARG(2));
	fc_submit_sys(ctx, a);
	return 0;
}

/* ---- identity, capabilities, namespaces ---- */

static __always_inline int fc_res_u32s(void *ctx, long ret, __u16 type, __u32 n, __u32 v0, __u32 v1, __u32 v2)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, type, n + 1, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u32(a, v0);
	if (n > 1)
		fc_u32(a, v1);
	if (n > 2)
		fc_u32(a, v2);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_SETUID_X) { return fc_res_u32s(ctx, ret, FC_PPME_SYSCALL_SETUID_X, 1, ARG(0), 0, 0); }
FC_SYSX(x_SYSCALL_SETGID_X) { return fc_res_u32s(ctx, ret, FC_PPME_SYSCALL_SETGID_X, 1, ARG(0), 0, 0); }
FC_SYSX(x_SYSCALL_SETRESUID_X) { return fc_res_u32s(ctx, ret, FC_PPME_SYSCALL_SETRESUID_X, 3, ARG(0), ARG(1), ARG(2)); }
FC_SYSX(x_SYSCALL_SETRESGID_X) { return fc_res_u32s(ctx, ret, FC_PPME_SYSCALL_SETRESGID_X, 3, ARG(0), ARG(1), ARG(2)); }
FC_SYSX(x_SYSCALL_SETREUID_X) { return fc_res_u32s(ctx, ret, FC_PPME_SYSCALL_SETREUID_X, 2, ARG(0), ARG(1), 0); }
FC_SYSX(x_SYSCALL_SETREGID_X) { return fc_res_u32s(ctx, ret, FC_PPME_SYSCALL_SETREGID_X, 2, ARG(0), ARG(1), 0); }

/* capset: the capability sets of the calling thread after the call. */
FC_SYSX(x_SYSCALL_CAPSET_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	const struct cred *cr = BPF_CORE_READ(fc_task(), cred);
	fc_begin(a, FC_PPME_SYSCALL_CAPSET_X, 4, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u64(a, fc_cap(&cr->cap_inheritable));
	fc_u64(a, fc_cap(&cr->cap_permitted));
	fc_u64(a, fc_cap(&cr->cap_effective));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_SETNS_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_SETNS_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_u32(a, fc_clone_flags(ARG(1)));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_UNSHARE_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_UNSHARE_X, 2, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u32(a, fc_clone_flags(ARG(0)));
	fc_submit_sys(ctx, a);
	return 0;
}

/* Linux ptrace request -> PPM enum (EVENTS.md §5.4); unknown requests are 0. */
static __always_inline __u16 fc_ptrace_req(__u64 r)
{
	switch (r) {
	case 0: return 1;   /* TRACEME */
	case 1: return 2;   /* PEEKTEXT */
	case 2: return 3;   /* PEEKDATA */
	case 3: return 4;   /* PEEKUSR */
	case 4: return 5;   /* POKETEXT */
	case 5: return 6;   /* POKEDATA */
	case 6: return 7;   /* POKEUSR */
	case 7: return 8;   /* CONT */
	case 8: return 9;   /* KILL */
	case 9: return 10;  /* SINGLESTEP */
	case 16: return 11; /* ATTACH */
	case 17: return 12; /* DETACH */
	case 24: return 13; /* SYSCALL */
	case 31: return 36; /* SYSEMU */
	case 32: return 37; /* SYSEMU_SINGLESTEP */
	case 0x4200: return 14; /* SETOPTIONS */
	case 0x4201: return 15; /* GETEVENTMSG */
	case 0x4202: return 16; /* GETSIGINFO */
	case 0x4203: return 17; /* SETSIGINFO */
	case 0x4204: return 18; /* GETREGSET */
	case 0x4205: return 19; /* SETREGSET */
	case 0x4206: return 20; /* SEIZE */
	case 0x4207: return 21; /* INTERRUPT */
	case 0x4208: return 22; /* LISTEN */
	case 0x4209: return 23; /* PEEKSIGINFO */
	case 0x420a: return 24; /* GETSIGMASK */
	case 0x420b: return 25; /* SETSIGMASK */
#if defined(__TARGET_ARCH_x86)
	case 12: return 26; /* GETREGS */
	case 13: return 27; /* SETREGS */
	case 14: return 28; /* GETFPREGS */
	case 15: return 29; /* SETFPREGS */
	case 18: return 30; /* GETFPXREGS */
	case 19: return 31; /* SETFPXREGS */
	case 21: return 32; /* OLDSETOPTIONS */
	case 25: return 33; /* GET_THREAD_AREA */
	case 26: return 34; /* SET_THREAD_AREA */
	case 30: return 35; /* ARCH_PRCTL */
	case 33: return 38; /* SINGLEBLOCK */
#endif
	}
	return 0;
}

/* ptrace: addr and data as PT_DYN (index byte + value; EVENTS.md §2.3). */
FC_SYSX(x_SYSCALL_PTRACE_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__u16 req = fc_ptrace_req(ARG(0));
	__u64 addr = ret < 0 ? 0 : ARG(2), data = ret < 0 ? 0 : ARG(3);
	__u32 start;
	fc_begin(a, FC_PPME_SYSCALL_PTRACE_X, 5, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	start = a->pos;
	fc_raw_u8(a, 0);
	fc_raw_u64(a, addr);
	fc_close(a, start);
	start = a->pos;
	if (ret >= 0 && (req == 2 || req == 3 || req == 4)) { /* PEEK*: the word written to *data */
		__u64 w = 0;
		bpf_probe_read_user(&w, sizeof(w), (const void *)data);
		fc_raw_u8(a, 0);
		fc_raw_u64(a, w);
	} else if (ret >= 0 && (req == 8 || req == 10 || req == 12 || req == 13)) { /* signal */
		fc_raw_u8(a, 1);
		fc_raw_u8(a, (__u8)data);
	} else {
		fc_raw_u8(a, 0);
		fc_raw_u64(a, data);
	}
	fc_close(a, start);
	fc_u16(a, req);
	fc_s64(a, (__s32)ARG(1));
	fc_submit_sys(ctx, a);
	return 0;
}

/* kill/tkill: res, pid, sig; tgkill: res, pid, tid, sig. */
FC_SYSX(x_SYSCALL_KILL_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_KILL_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_u8(a, ARG(1));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_TKILL_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_TKILL_X, 3, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_u8(a, ARG(1));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_TGKILL_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_TGKILL_X, 4, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_s64(a, (__s32)ARG(1));
	fc_u8(a, ARG(2));
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_BPF_2_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_BPF_2_X, 2, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u32(a, ARG(0));
	fc_submit_sys(ctx, a);
	return 0;
}

/* init_module: the first FC_SNAPLEN bytes of the image. */
FC_SYSX(x_SYSCALL_INIT_MODULE_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_INIT_MODULE_X, 4, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_ubuf(a, (const void *)ARG(0), ARG(1), FC_SNAPLEN);
	fc_u64(a, ARG(1));
	fc_ustr(a, (const void *)ARG(2), FC_MAX_PATH);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_FINIT_MODULE_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_FINIT_MODULE_X, 4, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_s64(a, (__s32)ARG(0));
	fc_ustr(a, (const void *)ARG(1), FC_MAX_PATH);
	fc_u32(a, ARG(2) & 0x7);
	fc_submit_sys(ctx, a);
	return 0;
}

/* prctl: arg2 as a string for PR_SET_NAME/PR_GET_NAME, as the int read back for
 * PR_GET_CHILD_SUBREAPER, raw otherwise. */
FC_SYSX(x_SYSCALL_PRCTL_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__u32 opt = ARG(0);
	__u64 arg2 = ARG(1);
	fc_begin(a, FC_PPME_SYSCALL_PRCTL_X, 4, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u32(a, opt);
	if (opt == 15 || opt == 16) { /* PR_SET_NAME, PR_GET_NAME */
		fc_ustr(a, (const void *)arg2, 16);
		fc_s64(a, 0);
	} else if (opt == 37) { /* PR_GET_CHILD_SUBREAPER */
		int v = 0;
		bpf_probe_read_user(&v, sizeof(v), (const void *)arg2);
		fc_empty(a);
		fc_s64(a, v);
	} else {
		fc_empty(a);
		fc_s64(a, arg2);
	}
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_USERFAULTFD_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__u64 f = ARG(0);
	__u32 flags = 0;
	if (f & FC_LX_O_CLOEXEC) flags |= FC_PPM_O_CLOEXEC;
	if (f & FC_LX_O_NONBLOCK) flags |= FC_PPM_O_NONBLOCK;
	fc_begin(a, FC_PPME_SYSCALL_USERFAULTFD_X, 2, FC_DROP_OTHER_INTEREST);
	fc_s64(a, ret);
	fc_u32(a, flags);
	fc_submit_sys(ctx, a);
	return 0;
}

FC_SYSX(x_SYSCALL_MPROTECT_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	__u64 p = ARG(2);
	__u32 prot = 0;
	if (p & 0x1) prot |= 0x1;        /* PROT_READ */
	if (p & 0x2) prot |= 0x2;        /* PROT_WRITE */
	if (p & 0x4) prot |= 0x4;        /* PROT_EXEC */
	if (p & 0x8) prot |= 0x8;        /* PROT_SEM */
	if (p & 0x01000000) prot |= 0x10; /* PROT_GROWSDOWN */
	if (p & 0x02000000) prot |= 0x20; /* PROT_GROWSUP */
	fc_begin(a, FC_PPME_SYSCALL_MPROTECT_X, 4, FC_DROP_OTHER);
	fc_s64(a, ret);
	fc_u64(a, ARG(0));
	fc_u64(a, ARG(1));
	fc_u32(a, prot);
	fc_submit_sys(ctx, a);
	return 0;
}

/* Every other selected syscall: GENERIC_X with the PPM_SC code and the native number. */
FC_SYSX(x_GENERIC_X)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SYS);
	if (!a)
		return 0;
	long id = fc_sc_id(regs);
	if (id < 0 || id >= FC_SYSCALL_SLOTS)
		return 0;
	fc_begin(a, FC_PPME_GENERIC_X, 2, FC_DROP_OTHER);
	fc_u16(a, fc_ppm_sc[id]);
	fc_u16(a, (__u16)id);
	fc_submit_sys(ctx, a);
	return 0;
}

/* ---- sched_process_exec: a successful execve/execveat, on every arch ---- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fc_sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *t = fc_task();
	if (BPF_CORE_READ(t, flags) & FC_PF_KTHREAD)
		return 0;
	struct fc_aux *a = fc_aux_get(FC_AUX_SCHED);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_EXECVE_19_X, 31, FC_DROP_EXECVE);
	fc_s64(a, 0);
	fc_mm_args(a, t);
	fc_proc_block(a, t, 1);
	bpf_tail_call(ctx, &fc_ext_exec, FC_EXT_EXEC_1);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(t1_sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SCHED);
	if (!a)
		return 0;
	fc_exec_mid(a, fc_task(), NULL, 0);
	bpf_tail_call(ctx, &fc_ext_exec, FC_EXT_EXEC_2);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(t2_sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SCHED);
	if (!a)
		return 0;
	fc_exec_tail(a, fc_task());
	fc_kstr(a, BPF_CORE_READ(bprm, filename), FC_MAX_PATH);
	fc_submit(a);
	return 0;
}

/* ---- sched_process_fork: the child side of clone where sys_exit misses it (arm64) ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fc_sched_fork, struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(fc_task(), flags) & FC_PF_KTHREAD)
		return 0;
	struct fc_aux *a = fc_aux_get(FC_AUX_SCHED);
	if (!a)
		return 0;
	fc_begin(a, FC_PPME_SYSCALL_CLONE_20_X, 21, FC_DROP_CLONE_FORK);
	a->tid = BPF_CORE_READ(child, pid);
	fc_s64(a, 0);
	fc_mm_args(a, child);
	fc_proc_block(a, child, 0);
	bpf_tail_call(ctx, &fc_ext_fork, FC_EXT_FORK_1);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(t1_sched_fork, struct task_struct *parent, struct task_struct *child)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SCHED);
	if (!a)
		return 0;
	/* No syscall arguments here: flags are inferred from what parent and child share. */
	__u32 flags = 0;
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		flags |= FC_PPM_CL_CLONE_THREAD | FC_PPM_CL_CLONE_SIGHAND | FC_PPM_CL_CLONE_VM;
	if (BPF_CORE_READ(child, files) == BPF_CORE_READ(parent, files))
		flags |= FC_PPM_CL_CLONE_FILES;
	fc_cgroups(a, child);
	fc_clone_tail(a, child, flags, 1);
	fc_submit(a);
	return 0;
}

/* ---- sched_process_exit: procexit ---- */

#define FC_MAX_THREAD_SCAN 30
#define FC_MAX_ANCESTOR_SCAN 60
#define FC_PF_EXITING 0x4

/* A live thread of T's group other than the dying ones: its tid; 0 = none; -1 = gave up. */
static __always_inline __s32 fc_alive_thread(struct task_struct *t)
{
	struct signal_struct *sig = BPF_CORE_READ(t, signal);
	struct list_head *head = &sig->thread_head;
	struct list_head *next = BPF_CORE_READ(head, next);
	for (int i = 0; i < FC_MAX_THREAD_SCAN; i++) {
		if (next == head)
			return 0;
		struct task_struct *th = container_of(next, struct task_struct, thread_node);
		if (!(BPF_CORE_READ(th, flags) & FC_PF_EXITING))
			return BPF_CORE_READ(th, pid);
		next = BPF_CORE_READ(th, thread_node.next);
	}
	return -1;
}

/* Who inherits T's children (the kernel's find_new_reaper, bounded; -1 = not determined, the
 * consumer decides). */
static __always_inline __s32 fc_reaper(struct task_struct *t)
{
	__s32 r = fc_alive_thread(t);
	if (r != 0)
		return r;
	struct pid_namespace *ns = fc_pid_ns(fc_task_pid(t, PIDTYPE_PID));
	struct task_struct *init = BPF_CORE_READ(ns, child_reaper);
	__s32 init_pid = BPF_CORE_READ(init, pid);
	if (init == t)
		return 0;
	struct signal_struct *sig = BPF_CORE_READ(t, signal);
	if (!BPF_CORE_READ_BITFIELD_PROBED(sig, has_child_subreaper))
		return init_pid;
	__u32 level = BPF_CORE_READ(t, thread_pid, level);
	struct task_struct *p = BPF_CORE_READ(t, real_parent);
	for (int i = 0; i < FC_MAX_ANCESTOR_SCAN; i++) {
		if (BPF_CORE_READ(p, thread_pid, level) != level || p == init)
			return init_pid;
		sig = BPF_CORE_READ(p, signal);
		if (BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper)) {
			r = fc_alive_thread(p);
			if (r != 0)
				return r;
		}
		p = BPF_CORE_READ(p, real_parent);
	}
	return -1;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(fc_sched_exit, struct task_struct *p)
{
	struct fc_aux *a = fc_aux_get(FC_AUX_SCHED);
	if (!a)
		return 0;
	struct task_struct *t = fc_task();
	__s32 code = BPF_CORE_READ(t, exit_code);
	__s32 reaper = 0;
	struct list_head *head = &t->children;
	if (BPF_CORE_READ(head, next) != head)
		reaper = fc_reaper(t);
	fc_begin(a, FC_PPME_PROCEXIT_1_E, 5, FC_DROP_PROC_EXIT);
	fc_s64(a, code);
	fc_s64(a, (code >> 8) & 0xff);                                      /* WEXITSTATUS */
	fc_u8(a, ((code & 0x7f) != 0 && (code & 0x7f) != 0x7f) ? code & 0x7f : 0); /* WTERMSIG */
	fc_u8(a, (code & 0x80) != 0);                                       /* WCOREDUMP */
	fc_s64(a, reaper);
	fc_submit(a);
	return 0;
}
