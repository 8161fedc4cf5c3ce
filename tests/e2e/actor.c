/* actor.c — the end-to-end tests' actor (e2e_actor): performs, on request, the real system calls
 * that the default rules watch for, in ways that are safe on a live machine (own children,
 * private network namespaces, empty modules, a trivial socket filter), and stamps lines of
 * falcod's output with the wall clock for the latency figures. The scripts copy this binary
 * under other names (gdb, ssh, nginx...) when a rule looks at the process name.
 *
 * Usage: e2e_actor COMMAND [ARGS] [@TAG...]; prints what it did on stdout ("ok ...", or "fail ERRNO
 * ..." when the kernel refused), exit 0 unless the request itself was malformed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int report(int rc, const char *what)
{
	if (rc < 0)
		printf("fail %d %s: %s\n", errno, what, strerror(errno));
	else
		printf("ok %s\n", what);
	fflush(stdout);
	return 0;
}

static int usage(void)
{
	fputs("usage: e2e_actor stamp | lat-open PATH N GAP_MS | ptrace-attach | traceme |\n"
	      "       memfd-exec ELF [ARGS] | memfd-only | setns | unshare-user [UID] | unshare-net |\n"
	      "       bpf-prog | bpf-map | finit-empty FILE | connect [--netns ALIAS] ADDR PORT |\n"
	      "       dup-sock | dup-file PATH | packet-socket\n",
	      stderr);
	return 2;
}

/* stdin lines to stdout, each prefixed with the wall clock (ns) at which it was read. */
static int cmd_stamp(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		uint64_t t = now_ns();
		printf("%llu %s", (unsigned long long)t, line);
		if (line[n - 1] != '\n')
			putchar('\n');
	}
	free(line);
	return 0;
}

/* N opens of PATH for reading, GAP_MS apart; the wall clock just before each open is printed. */
static int cmd_lat_open(const char *path, int n, int gap_ms)
{
	for (int i = 0; i < n; i++) {
		uint64_t t = now_ns();
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return report(-1, path);
		close(fd);
		printf("%llu\n", (unsigned long long)t);
		fflush(stdout);
		struct timespec d = {gap_ms / 1000, (long)(gap_ms % 1000) * 1000000L};
		nanosleep(&d, NULL);
	}
	return 0;
}

static pid_t child_pause(void)
{
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	return c;
}

static int cmd_ptrace_attach(void)
{
	pid_t c = child_pause();
	if (c < 0)
		return report(-1, "fork");
	long r = ptrace(PTRACE_ATTACH, c, NULL, NULL);
	int e = errno;
	if (r == 0) {
		waitpid(c, NULL, __WALL);
		ptrace(PTRACE_DETACH, c, NULL, NULL);
	}
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	errno = e;
	return report(r == 0 ? 0 : -1, "ptrace attach");
}

static int cmd_traceme(void)
{
	return report(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : -1, "ptrace traceme");
}

static int memfd_with(const char *elf)
{
	int m = memfd_create("e2e-payload", MFD_CLOEXEC);
	if (m < 0 || !elf)
		return m;
	int in = open(elf, O_RDONLY);
	if (in < 0)
		return -1;
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(m, buf, (size_t)n) != n)
			return -1;
	close(in);
	return m;
}

static int cmd_memfd_exec(char **argv)
{
	int m = memfd_with(argv[0]);
	if (m < 0)
		return report(-1, "memfd_create");
	fflush(stdout);
	extern char **environ;
	/* execveat(fd, "", AT_EMPTY_PATH): the exe of the new image is the memfd. */
	syscall(SYS_execveat, m, "", argv, environ, AT_EMPTY_PATH);
	return report(-1, "execveat");
}

static int cmd_memfd_only(void)
{
	int m = memfd_with(NULL);
	if (m >= 0)
		close(m);
	return report(m, "memfd_create");
}

static int cmd_setns(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY);
	if (fd < 0)
		return report(-1, "open ns");
	int r = setns(fd, CLONE_NEWNET); /* our own namespace: a no-op that succeeds */
	close(fd);
	return report(r, "setns");
}

static int cmd_unshare_user(const char *uid)
{
	if (uid && setresuid((uid_t)atoi(uid), (uid_t)atoi(uid), (uid_t)atoi(uid)) != 0)
		return report(-1, "setresuid");
	return report(unshare(CLONE_NEWUSER), "unshare user");
}

static int cmd_unshare_net(void)
{
	return report(unshare(CLONE_NEWNET), "unshare net");
}

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof *a);
}

static int cmd_bpf_prog(void)
{
	/* r0 = 0; exit — a socket filter that accepts nothing; unloaded when the fd closes. */
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = 2;
	a.license = (uint64_t)(uintptr_t)"GPL";
	long fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		close((int)fd);
	return report((int)fd, "bpf prog load");
}

static int cmd_bpf_map(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	long fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd >= 0)
		close((int)fd);
	return report((int)fd, "bpf map create");
}

/* finit_module on an empty file: the kernel rejects it (no module is loaded). */
static int cmd_finit_empty(const char *file)
{
	int fd = open(file, O_RDONLY);
	if (fd < 0)
		return report(-1, "open module file");
	long r = syscall(SYS_finit_module, fd, "", 0);
	int e = errno;
	close(fd);
	errno = e;
	return report((int)r, "finit_module");
}

/* A private network namespace with lo up and ADDR/32 added to it, so that a "public" address
 * stays on this machine: nothing leaves the namespace. */
static int private_netns(const char *addr)
{
	if (unshare(CLONE_NEWNET) != 0)
		return -1;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo:1");
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	if (ioctl(s, SIOCSIFADDR, &ifr) != 0)
		return -1;
	close(s);
	return 0;
}

/* Listens on ADDR:PORT, connects to it, accepts; returns the connected client socket. */
static int loop_connect(const char *addr, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 4) != 0)
		return -1;
	socklen_t sl = sizeof sa; /* port 0: the kernel picked one */
	if (getsockname(l, (struct sockaddr *)&sa, &sl) != 0)
		return -1;
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof sa) != 0)
		return -1;
	int a = accept(l, NULL, NULL);
	if (a >= 0)
		close(a);
	close(l);
	return c;
}

/* connect [--netns ALIAS] ADDR PORT: with --netns, in a private network namespace where ALIAS
 * is an address of lo (so ADDR may be a "public" address that never leaves the machine). */
static int cmd_connect(int argc, char **argv)
{
	const char *alias = NULL;
	if (argc > 1 && !strcmp(argv[0], "--netns")) {
		alias = argv[1];
		argc -= 2;
		argv += 2;
	}
	if (argc != 2)
		return usage();
	if (alias && private_netns(alias) != 0)
		return report(-1, "private network namespace");
	int c = loop_connect(argv[0], atoi(argv[1]));
	if (c >= 0)
		close(c);
	return report(c, "connect");
}

/* FD dup'ed onto stdin, then stdin restored and FD closed; reports the dup2 (its errno kept
 * across the clean-up). */
static int dup_onto_stdin(int fd, const char *what)
{
	int saved = dup(0);
	int r = dup2(fd, 0);
	int e = errno;
	if (saved >= 0) {
		dup2(saved, 0);
		close(saved);
	}
	close(fd);
	errno = e;
	return report(r, what);
}

/* A loopback TCP connection dup'ed onto stdin (the core of a reverse shell), then undone. */
static int cmd_dup_sock(void)
{
	int c = loop_connect("127.0.0.1", 0);
	if (c < 0)
		return report(-1, "connect");
	return dup_onto_stdin(c, "dup2 socket to stdin");
}

/* A file dup'ed onto stdin (what every `cmd < file` does): the benign twin of dup-sock. */
static int cmd_dup_file(const char *path)
{
	int f = open(path, O_RDONLY);
	if (f < 0)
		return report(-1, path);
	return dup_onto_stdin(f, "dup2 file to stdin");
}

static int cmd_packet_socket(void)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	if (s >= 0)
		close(s);
	return report(s, "packet socket");
}

int main(int argc, char **argv)
{
	/* Trailing "@TAG" arguments only mark the command line (tests find their alerts by it);
	 * memfd-exec hands them on to the program it runs. */
	if (argc >= 3 && !strcmp(argv[1], "memfd-exec"))
		return cmd_memfd_exec(argv + 2);
	while (argc > 2 && argv[argc - 1][0] == '@')
		argv[--argc] = NULL;
	if (argc < 2)
		return usage();
	const char *c = argv[1];
	if (!strcmp(c, "stamp"))
		return cmd_stamp();
	if (!strcmp(c, "lat-open") && argc == 5)
		return cmd_lat_open(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(c, "ptrace-attach"))
		return cmd_ptrace_attach();
	if (!strcmp(c, "traceme"))
		return cmd_traceme();
	if (!strcmp(c, "memfd-only"))
		return cmd_memfd_only();
	if (!strcmp(c, "setns"))
		return cmd_setns();
	if (!strcmp(c, "unshare-user"))
		return cmd_unshare_user(argc > 2 ? argv[2] : NULL);
	if (!strcmp(c, "unshare-net"))
		return cmd_unshare_net();
	if (!strcmp(c, "bpf-prog"))
		return cmd_bpf_prog();
	if (!strcmp(c, "bpf-map"))
		return cmd_bpf_map();
	if (!strcmp(c, "finit-empty") && argc == 3)
		return cmd_finit_empty(argv[2]);
	if (!strcmp(c, "connect"))
		return cmd_connect(argc - 2, argv + 2);
	if (!strcmp(c, "dup-sock"))
		return cmd_dup_sock();
	if (!strcmp(c, "dup-file") && argc == 3)
		return cmd_dup_file(argv[2]);
	if (!strcmp(c, "packet-socket"))
		return cmd_packet_socket();
	return usage();
}
