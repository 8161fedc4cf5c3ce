/* arch/aarch64/arch.h — per-arch constants for ARM64 (aarch64), shared by the probe (bpf/) and
 * userspace. Owned by the events/syscalls tables work. Include as "aarch64/arch.h" (arch/ is an
 * include dir); exactly one arch header may be included per translation unit. Native syscall
 * numbers live in runtime/syscalls.def (one list, one column per arch); FC_ARCH_NR picks this
 * arch's column. */
#ifndef FC_ARCH_H
#define FC_ARCH_H

#define FC_ARCH_NAME "aarch64"
#define FC_ARCH_AARCH64 1

/* Select the aarch64 (asm-generic) column of a syscalls.def row. */
#define FC_ARCH_NR(x86_64_nr, aarch64_nr) (aarch64_nr)

/* Bound for tables indexed by native syscall number: every aarch64 number in syscalls.def is
 * below it (highest today: 470, listns). */
#define FC_ARCH_SYSCALL_MAX 512

#endif
