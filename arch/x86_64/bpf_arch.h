/* arch/x86_64/bpf_arch.h — what the probe (bpf/probe.bpf.c) needs to know about x86_64: where
 * the syscall id and arguments live in the pt_regs the sys_exit tracepoint hands over, how to
 * tell an ia32 (compat) syscall, and the Linux open-flag bits that differ between arches.
 * BPF-only: include after vmlinux.h (struct pt_regs, struct task_struct). RUNTIME.md §4.3–4.4. */
#ifndef FC_BPF_ARCH_H
#define FC_BPF_ARCH_H

/* The syscall number: orig_ax (ax already holds the return value at exit); -1 when a tracer or
 * seccomp cancelled the call. */
static __always_inline long fc_sc_id(struct pt_regs *regs)
{
	return (long)regs->orig_ax;
}

/* Syscall argument I (0..5) as the user passed it: the x86_64 syscall ABI registers. The
 * entry code never writes them back, so they still hold the arguments at exit. */
static __always_inline unsigned long fc_sc_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	case 5: return regs->r9;
	}
	return 0;
}

/* True when the current syscall came through the ia32 entry (TS_COMPAT in thread_info.status):
 * its number is an ia32 number, not an x86_64 one, so the probe must not take it as native. */
#define FC_TS_COMPAT 0x0002
static __always_inline int fc_sc_is_compat(struct task_struct *task)
{
	u32 status = 0;
	if (bpf_core_field_exists(task->thread_info.status))
		status = BPF_CORE_READ(task, thread_info.status);
	return (status & FC_TS_COMPAT) != 0;
}

/* Linux O_* bits that are arch-specific (asm-generic values on x86_64). */
#define FC_LX_O_DIRECT 040000
#define FC_LX_O_LARGEFILE 0100000
#define FC_LX_O_DIRECTORY 0200000
#define FC_LX_O_NOFOLLOW 0400000

/* x86_64 sees both the parent's and the child's return of clone on sys_exit, so the
 * sched_process_fork program is not needed (RUNTIME.md §4.4). */
#define FC_ARCH_SCHED_FORK 0

#endif
