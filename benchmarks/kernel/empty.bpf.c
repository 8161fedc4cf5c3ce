/* benchmarks/kernel/empty.bpf.c — the floor of any syscall probe: a tp_btf/sys_exit program
 * that does nothing. Attached by `kbench --attach-empty`, its cost is the tracepoint's own
 * (the BPF trampoline call on every syscall exit), which no probe can go below; falcod's
 * per-syscall figures are quoted as ratios to it (benchmarks/kernel/README.md).
 * Build: clang -target bpf -O2 -c empty.bpf.c (benchmarks/kernel/CMakeLists.txt); no
 * vmlinux.h is needed: the program reads nothing from its context. */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("tp_btf/sys_exit")
int fc_empty_sys_exit(__u64 *ctx)
{
	(void)ctx;
	return 0;
}
