/* arch/aarch64/bpf_arch.h — what the probe (bpf/probe.bpf.c) needs to know about ARM64: where
 * the syscall id and arguments live in the pt_regs the sys_exit tracepoint hands over, how to
 * tell an AArch32 (compat) task, and the Linux open-flag bits that differ between arches.
 * BPF-only: include after the arm64 vmlinux.h. RUNTIME.md §4.3–4.4. */
#ifndef FC_BPF_ARCH_H
#define FC_BPF_ARCH_H

/* The syscall number: pt_regs.syscallno (-1 when a tracer or seccomp cancelled the call). */
static __always_inline long fc_sc_id(struct pt_regs *regs)
{
	return (long)(int)regs->syscallno;
}

/* Syscall argument I (0..5). x0 carries the return value at exit, so argument 0 comes from
 * orig_x0; x1..x5 are untouched. */
static __always_inline unsigned long fc_sc_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0: return regs->orig_x0;
	case 1: return regs->regs[1];
	case 2: return regs->regs[2];
	case 3: return regs->regs[3];
	case 4: return regs->regs[4];
	case 5: return regs->regs[5];
	}
	return 0;
}

/* True for an AArch32 task (TIF_32BIT, bit 22 of thread_info.flags): its syscall numbers are
 * the arm 32-bit ones, which the probe does not map. */
#define FC_TIF_32BIT 22
static __always_inline int fc_sc_is_compat(struct task_struct *task)
{
	unsigned long flags = BPF_CORE_READ(task, thread_info.flags);
	return (flags >> FC_TIF_32BIT) & 1;
}

/* Linux O_* bits that are arch-specific (arch/arm64/include/uapi/asm/fcntl.h). */
#define FC_LX_O_DIRECTORY 040000
#define FC_LX_O_NOFOLLOW 0100000
#define FC_LX_O_DIRECT 0200000
#define FC_LX_O_LARGEFILE 0400000

/* The child's return of clone/fork is not seen on sys_exit on arm64: the sched_process_fork
 * program reports it (RUNTIME.md §4.4). */
#define FC_ARCH_SCHED_FORK 1

#endif
