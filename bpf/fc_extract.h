/* bpf/fc_extract.h — reading kernel state for event parameters: task ids and namespaces,
 * memory and limits, credentials and capabilities, tty, cgroups, files behind fds, absolute
 * paths rebuilt from dentries, sockets (tuples) and user sockaddrs, and the Linux -> PPM flag
 * conversions of EVENTS.md §5. BPF-only; included by probe.bpf.c after fc_push.h.
 *
 * Everything goes through CO-RE (BPF_CORE_READ = bpf_probe_read_kernel with relocated
 * offsets), so the object built against one kernel's BTF runs on 5.8+. Fields that moved
 * between kernel versions are read through local "flavour" structs (name___suffix) and
 * bpf_core_field_exists, never through the build kernel's own layout, so any vmlinux.h works. */
#ifndef FC_EXTRACT_H
#define FC_EXTRACT_H

#include "fc_push.h"

/* Linux constants the probe needs (uapi values, identical on x86_64 and arm64 unless the arch
 * header says otherwise). */
#define FC_PF_KTHREAD 0x00200000
#define FC_LX_AT_FDCWD -100
#define FC_PPM_AT_FDCWD -100
#define FC_LX_AF_UNIX 1
#define FC_LX_AF_INET 2
#define FC_LX_AF_INET6 10
#define FC_LX_EINPROGRESS 115
#define FC_S_IFMT 0170000
#define FC_S_IFSOCK 0140000
#define FC_S_IFREG 0100000
#define FC_S_IFDIR 0040000
#define FC_S_IFLNK 0120000
#define FC_FMODE_CREATED 0x100000
#define FC_SB_RDONLY 1
#define FC_S_IMMUTABLE 8
#define FC_RLIMIT_NOFILE 7
#define FC_MM_FILEPAGES 0
#define FC_MM_ANONPAGES 1
#define FC_MM_SWAPENTS 2
#define FC_MM_SHMEMPAGES 3
#define FC_CAP_DAC_OVERRIDE 1
#define FC_CAP_FOWNER 3

/* Page size shift of the running kernel (set by the loader; 4 KiB pages by default). */
const volatile __u32 fc_page_shift = 12;

/* ---- version flavours ---- */

struct kernfs_node___v615 {
	struct kernfs_node___v615 *__parent;
} __attribute__((preserve_access_index));
struct kernfs_node___old {
	struct kernfs_node___old *parent;
} __attribute__((preserve_access_index));

struct fc_timespec64 {
	__s64 tv_sec;
	long tv_nsec;
};
struct inode___v611 { /* 6.11+: split seconds/nanoseconds */
	__s64 i_ctime_sec;
	__u32 i_ctime_nsec;
	__s64 i_mtime_sec;
	__u32 i_mtime_nsec;
} __attribute__((preserve_access_index));
struct inode___v66 { /* 6.6 (ctime) / 6.7 (mtime) .. 6.10 */
	struct fc_timespec64 __i_ctime;
	struct fc_timespec64 __i_mtime;
} __attribute__((preserve_access_index));
struct inode___old {
	struct fc_timespec64 i_ctime;
	struct fc_timespec64 i_mtime;
} __attribute__((preserve_access_index));

struct mm_rss_stat___old { /* only its offset in mm_struct is relocated (fc_rss_counter) */
	long count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old { /* before 6.2: atomic counters */
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));
struct percpu_counter___v62 {
	__s64 count;
} __attribute__((preserve_access_index));
struct mm_struct___v62 {
	struct percpu_counter___v62 rss_stat[4];
} __attribute__((preserve_access_index));

struct task_struct___audit {
	kuid_t loginuid;
} __attribute__((preserve_access_index));

enum cgroup_subsys_id___fc {
	cpuset_cgrp_id___fc,
	cpu_cgrp_id___fc,
	cpuacct_cgrp_id___fc,
	io_cgrp_id___fc,
	memory_cgrp_id___fc,
};

/* ---- task ---- */

static __always_inline struct task_struct *fc_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

static __always_inline struct pid *fc_task_pid(struct task_struct *t, int type)
{
	if (type == PIDTYPE_PID)
		return BPF_CORE_READ(t, thread_pid);
	return BPF_CORE_READ(t, signal, pids[type]);
}

/* The id of PID as seen from the namespace PID was allocated in (its deepest level). */
static __always_inline __s64 fc_pid_vnr(struct pid *pid)
{
	if (!pid)
		return 0;
	__u32 level = BPF_CORE_READ(pid, level);
	return BPF_CORE_READ(pid, numbers[level & 31].nr);
}

static __always_inline __s64 fc_pid_nr(struct pid *pid)
{
	if (!pid)
		return 0;
	return BPF_CORE_READ(pid, numbers[0].nr);
}

static __always_inline struct pid_namespace *fc_pid_ns(struct pid *pid)
{
	if (!pid)
		return NULL;
	__u32 level = BPF_CORE_READ(pid, level);
	return BPF_CORE_READ(pid, numbers[level & 31].ns);
}

static __always_inline __u32 fc_vm_kb(__u64 pages)
{
	return (__u32)((pages << fc_page_shift) >> 10);
}

/* RSS counter i (MM_FILEPAGES..MM_SHMEMPAGES). Before 6.2 mm->rss_stat is a struct of
 * atomic_long_t count[4]; since 6.2 an array of percpu_counter. The old layout is read by the
 * offset of rss_stat (a struct-to-struct relocation, which CO-RE accepts whatever the element
 * type of count is called) plus i longs, so no relocation ever names atomic_long_t. */
static __always_inline __u64 fc_rss_counter(struct mm_struct *mm, int i)
{
	struct mm_struct___old *o = (void *)mm;
	if (bpf_core_field_exists(o->rss_stat)) {
		long v = 0;
		__u32 off = bpf_core_field_offset(struct mm_struct___old, rss_stat);
		bpf_probe_read_kernel(&v, sizeof(v), (char *)mm + off + (__u32)(i & 3) * sizeof(long));
		return v < 0 ? 0 : v;
	}
	/* Not BPF_CORE_READ(n, rss_stat[i].count): with a run-time index clang steps by the size
	 * of the local percpu_counter___v62 (8 bytes, not the kernel's 40) and read list pointers
	 * as counts. Element size and field offsets are relocated separately instead. */
	__u32 base = bpf_core_field_offset(struct mm_struct___v62, rss_stat);
	__u32 esz = bpf_core_type_size(struct percpu_counter___v62);
	__u32 coff = bpf_core_field_offset(struct percpu_counter___v62, count);
	__s64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), (char *)mm + base + (__u32)(i & 3) * esz + coff);
	return v < 0 ? 0 : v;
}

static __always_inline __u32 fc_loginuid(struct task_struct *t)
{
	struct task_struct___audit *ta = (void *)t;
	if (bpf_core_field_exists(ta->loginuid))
		return BPF_CORE_READ(ta, loginuid.val);
	return 0xffffffff;
}

/* Capability masks are u32[2] before 6.3 and u64 since; both are 8 little-endian bytes with
 * bit n = capability n, which is also the PPM encoding. */
static __always_inline __u64 fc_cap(const kernel_cap_t *cap)
{
	__u64 v = 0;
	bpf_probe_read_kernel(&v, sizeof(v), cap);
	return v;
}

/* The tty as new_encode_dev(MKDEV(major, minor_start) + index); 0 without a tty. */
static __always_inline __u32 fc_encode_dev(__u32 kdev)
{
	__u32 major = kdev >> 20, minor = kdev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline __u32 fc_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return 0;
	struct tty_driver *drv = BPF_CORE_READ(tty, driver);
	if (!drv)
		return 0;
	__u32 index = BPF_CORE_READ(tty, index);
	__u32 major = BPF_CORE_READ(drv, major);
	__u32 minor = BPF_CORE_READ(drv, minor_start);
	return fc_encode_dev(((major << 20) | minor) + index);
}

/* ---- files ---- */

static __always_inline struct file *fc_fd_file(struct task_struct *t, __s64 fd)
{
	if (fd < 0)
		return NULL;
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	if (!fdt)
		return NULL;
	__u32 max = BPF_CORE_READ(fdt, max_fds);
	if ((__u64)fd >= max)
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline void fc_file_dev_ino(struct file *f, __u32 *dev, __u64 *ino)
{
	*dev = 0;
	*ino = 0;
	if (!f)
		return;
	*dev = fc_encode_dev(BPF_CORE_READ(f, f_inode, i_sb, s_dev));
	*ino = BPF_CORE_READ(f, f_inode, i_ino);
}

static __always_inline __u64 fc_ts_ns(__s64 sec, __u64 nsec)
{
	if (sec < 0)
		return 0;
	return (__u64)sec * 1000000000ull + (nsec & 0x7fffffff);
}

static __always_inline void fc_inode_times(struct inode *ino, __u64 *ctime, __u64 *mtime)
{
	*ctime = 0;
	*mtime = 0;
	if (!ino)
		return;
	struct inode___v611 *n = (void *)ino;
	struct inode___v66 *m = (void *)ino;
	struct inode___old *o = (void *)ino;
	if (bpf_core_field_exists(n->i_ctime_sec)) {
		*ctime = fc_ts_ns(BPF_CORE_READ(n, i_ctime_sec), BPF_CORE_READ(n, i_ctime_nsec));
		*mtime = fc_ts_ns(BPF_CORE_READ(n, i_mtime_sec), BPF_CORE_READ(n, i_mtime_nsec));
		return;
	}
	if (bpf_core_field_exists(m->__i_ctime))
		*ctime = fc_ts_ns(BPF_CORE_READ(m, __i_ctime.tv_sec), BPF_CORE_READ(m, __i_ctime.tv_nsec));
	else if (bpf_core_field_exists(o->i_ctime))
		*ctime = fc_ts_ns(BPF_CORE_READ(o, i_ctime.tv_sec), BPF_CORE_READ(o, i_ctime.tv_nsec));
	if (bpf_core_field_exists(m->__i_mtime))
		*mtime = fc_ts_ns(BPF_CORE_READ(m, __i_mtime.tv_sec), BPF_CORE_READ(m, __i_mtime.tv_nsec));
	else if (bpf_core_field_exists(o->i_mtime))
		*mtime = fc_ts_ns(BPF_CORE_READ(o, i_mtime.tv_sec), BPF_CORE_READ(o, i_mtime.tv_nsec));
}

/* ---- absolute paths ---- */

/* Scratch window for paths built backwards: [FC_EVT_MAX_SIZE, +8 KiB) of the aux area. */
#define FC_SCR_LEN 8192
#define FC_SCR(x) (FC_EVT_MAX_SIZE + ((x) & (FC_SCR_LEN - 1)))

/* Pushes the absolute path of PATH (a kernel struct path *) as a string parameter, walking
 * dentries and crossing mounts up to the global root like d_path (at most FC_MAX_PATH_DEPTH
 * components; no " (deleted)" suffix). A file with no name in any directory (memfd, pipe,
 * anon inode) gets its dentry name; no dentry gives an empty parameter. */
static __always_inline void fc_path(struct fc_aux *a, const struct path *path)
{
	struct dentry *d = BPF_CORE_READ(path, dentry);
	struct vfsmount *vm = BPF_CORE_READ(path, mnt);
	if (!d || !vm) {
		fc_empty(a);
		return;
	}
	struct mount *mnt = container_of(vm, struct mount, mnt);
	struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
	struct dentry *mnt_root = BPF_CORE_READ(vm, mnt_root);
	const __u32 end = FC_SCR_LEN - 1;

	a->spos = end;
	a->data[FC_SCR(end)] = 0;
	for (int i = 0; i < FC_MAX_PATH_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (d == mnt_root || d == parent) {
			if (d != mnt_root || mnt == mnt_parent)
				break; /* the global root (or a detached tree) */
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
			mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
			continue;
		}
		__u32 len = BPF_CORE_READ(d, d_name.len);
		const unsigned char *name = BPF_CORE_READ(d, d_name.name);
		__u32 cur = a->spos;
		if (len == 0 || len > 255 || cur < len + 2 || end - cur + len + 1 > FC_MAX_PATH - 1)
			break;
		cur -= len;
		if (bpf_probe_read_kernel(&a->data[FC_SCR(cur)], len & 255, name))
			break;
		cur -= 1;
		a->data[FC_SCR(cur)] = '/';
		a->spos = cur;
		d = parent;
	}
	if (a->spos == end) {
		/* Root itself ("/" is its name) or a file outside any directory. */
		const unsigned char *name = BPF_CORE_READ(d, d_name.name);
		fc_kstr(a, name, FC_MAX_PATH);
		return;
	}
	fc_kstr(a, &a->data[FC_SCR(a->spos)], FC_MAX_PATH);
}

/* ---- cgroups ---- */

static __always_inline struct kernfs_node *fc_kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___v615 *n = (void *)kn;
	struct kernfs_node___old *o = (void *)kn;
	if (bpf_core_field_exists(n->__parent))
		return (void *)BPF_CORE_READ(n, __parent);
	return (void *)BPF_CORE_READ(o, parent);
}

/* Appends "name=/path\0" for cgroup subsystem ID of T (nothing if it has no name). */
static __always_inline void fc_cgroup_subsys(struct fc_aux *a, struct task_struct *t, __u32 id)
{
	const char *ss_name = BPF_CORE_READ(t, cgroups, subsys[id & 63], ss, name);
	if (!ss_name)
		return;
	if (!fc_raw_kstr(a, ss_name, 32))
		return;
	a->data[FC_SAFE(a->pos - 1)] = '=';

	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, subsys[id & 63], cgroup, kn);
	const char *names[FC_MAX_CGROUP_DEPTH] = {};
	__u32 depth = 0;
	for (int i = 0; i < FC_MAX_CGROUP_DEPTH; i++) {
		if (!kn)
			break;
		names[i] = BPF_CORE_READ(kn, name);
		depth++;
		kn = fc_kn_parent(kn);
	}
	/* Root first; each name's NUL becomes '/', then the last '/' the terminator (the root
	 * alone stays "/"). */
	for (int i = FC_MAX_CGROUP_DEPTH - 1; i >= 0; i--) {
		if ((__u32)i >= depth)
			continue;
		if (fc_raw_kstr(a, names[i], 256))
			a->data[FC_SAFE(a->pos - 1)] = '/';
	}
	if (depth <= 1)
		fc_raw_u8(a, 0);
	else
		a->data[FC_SAFE(a->pos - 1)] = 0;
}

static __always_inline void fc_cgroups(struct fc_aux *a, struct task_struct *t)
{
	__u32 start = a->pos;
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id___fc, cpuset_cgrp_id___fc))
		fc_cgroup_subsys(a, t, bpf_core_enum_value(enum cgroup_subsys_id___fc, cpuset_cgrp_id___fc));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id___fc, cpu_cgrp_id___fc))
		fc_cgroup_subsys(a, t, bpf_core_enum_value(enum cgroup_subsys_id___fc, cpu_cgrp_id___fc));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id___fc, cpuacct_cgrp_id___fc))
		fc_cgroup_subsys(a, t, bpf_core_enum_value(enum cgroup_subsys_id___fc, cpuacct_cgrp_id___fc));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id___fc, io_cgrp_id___fc))
		fc_cgroup_subsys(a, t, bpf_core_enum_value(enum cgroup_subsys_id___fc, io_cgrp_id___fc));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id___fc, memory_cgrp_id___fc))
		fc_cgroup_subsys(a, t, bpf_core_enum_value(enum cgroup_subsys_id___fc, memory_cgrp_id___fc));
	fc_close(a, start);
}

/* ---- flag conversions (EVENTS.md §5) ---- */

#define FC_LX_O_WRONLY 01
#define FC_LX_O_RDWR 02
#define FC_LX_O_CREAT 0100
#define FC_LX_O_EXCL 0200
#define FC_LX_O_TRUNC 01000
#define FC_LX_O_APPEND 02000
#define FC_LX_O_NONBLOCK 04000
#define FC_LX_O_DSYNC 010000
#define FC_LX_O_CLOEXEC 02000000
#define FC_LX_O_SYNC (04000000 | FC_LX_O_DSYNC)
#define FC_LX_O_TMPFILE (020000000 | FC_LX_O_DIRECTORY)

#define FC_PPM_O_RDONLY 0x1
#define FC_PPM_O_WRONLY 0x2
#define FC_PPM_O_RDWR 0x3
#define FC_PPM_O_CREAT 0x4
#define FC_PPM_O_APPEND 0x8
#define FC_PPM_O_DSYNC 0x10
#define FC_PPM_O_EXCL 0x20
#define FC_PPM_O_NONBLOCK 0x40
#define FC_PPM_O_SYNC 0x80
#define FC_PPM_O_TRUNC 0x100
#define FC_PPM_O_DIRECT 0x200
#define FC_PPM_O_DIRECTORY 0x400
#define FC_PPM_O_LARGEFILE 0x800
#define FC_PPM_O_CLOEXEC 0x1000
#define FC_PPM_O_TMPFILE 0x2000
#define FC_PPM_O_F_CREATED 0x4000

/* Open flags as the upstream drivers convert them: any bit of a multi-bit Linux flag sets the
 * PPM flag (so O_DSYNC also reports O_SYNC, and O_DIRECTORY also O_TMPFILE) — kept that way so
 * that live events equal upstream captures. */
static __always_inline __u32 fc_open_flags(__u64 f)
{
	__u32 r;
	switch (f & 3) {
	case FC_LX_O_WRONLY: r = FC_PPM_O_WRONLY; break;
	case FC_LX_O_RDWR: r = FC_PPM_O_RDWR; break;
	default: r = FC_PPM_O_RDONLY; break;
	}
	if (f & FC_LX_O_CREAT) r |= FC_PPM_O_CREAT;
	if (f & FC_LX_O_TMPFILE) r |= FC_PPM_O_TMPFILE;
	if (f & FC_LX_O_APPEND) r |= FC_PPM_O_APPEND;
	if (f & FC_LX_O_DSYNC) r |= FC_PPM_O_DSYNC;
	if (f & FC_LX_O_EXCL) r |= FC_PPM_O_EXCL;
	if (f & FC_LX_O_NONBLOCK) r |= FC_PPM_O_NONBLOCK;
	if (f & FC_LX_O_SYNC) r |= FC_PPM_O_SYNC;
	if (f & FC_LX_O_TRUNC) r |= FC_PPM_O_TRUNC;
	if (f & FC_LX_O_DIRECT) r |= FC_PPM_O_DIRECT;
	if (f & FC_LX_O_DIRECTORY) r |= FC_PPM_O_DIRECTORY;
	if (f & FC_LX_O_LARGEFILE) r |= FC_PPM_O_LARGEFILE;
	if (f & FC_LX_O_CLOEXEC) r |= FC_PPM_O_CLOEXEC;
	return r;
}

/* The mode argument of open*: the permission bits (PPM_S_* = kernel bits), only when the call
 * can create a file. */
static __always_inline __u32 fc_open_mode(__u64 flags, __u64 mode)
{
	if (!(flags & (FC_LX_O_CREAT | FC_LX_O_TMPFILE)))
		return 0;
	return (__u32)(mode & 07777);
}

/* Linux CLONE_* -> PPM_CL_* (EVENTS.md §5.3). */
static __always_inline __u32 fc_clone_flags(__u64 f)
{
	__u32 r = 0;
	if (f & 0x00000400) r |= 0x1;        /* CLONE_FILES */
	if (f & 0x00000200) r |= 0x2;        /* CLONE_FS */
	if (f & 0x80000000) r |= 0x4;        /* CLONE_IO */
	if (f & 0x08000000) r |= 0x8;        /* CLONE_NEWIPC */
	if (f & 0x40000000) r |= 0x10;       /* CLONE_NEWNET */
	if (f & 0x00020000) r |= 0x20;       /* CLONE_NEWNS */
	if (f & 0x20000000) r |= 0x40;       /* CLONE_NEWPID */
	if (f & 0x04000000) r |= 0x80;       /* CLONE_NEWUTS */
	if (f & 0x00008000) r |= 0x100;      /* CLONE_PARENT */
	if (f & 0x00100000) r |= 0x200;      /* CLONE_PARENT_SETTID */
	if (f & 0x00002000) r |= 0x400;      /* CLONE_PTRACE */
	if (f & 0x00000800) r |= 0x800;      /* CLONE_SIGHAND */
	if (f & 0x00040000) r |= 0x1000;     /* CLONE_SYSVSEM */
	if (f & 0x00010000) r |= 0x2000;     /* CLONE_THREAD */
	if (f & 0x00800000) r |= 0x4000;     /* CLONE_UNTRACED */
	if (f & 0x00000100) r |= 0x8000;     /* CLONE_VM */
	if (f & 0x10000000) r |= 0x100000;   /* CLONE_NEWUSER */
	if (f & 0x00200000) r |= 0x800000;   /* CLONE_CHILD_CLEARTID */
	if (f & 0x01000000) r |= 0x1000000;  /* CLONE_CHILD_SETTID */
	if (f & 0x00080000) r |= 0x2000000;  /* CLONE_SETTLS */
	if (f & 0x00004000) r |= 0x8000000;  /* CLONE_VFORK */
	if (f & 0x02000000) r |= 0x10000000; /* CLONE_NEWCGROUP */
	return r;
}
#define FC_PPM_CL_CLONE_FILES 0x1
#define FC_PPM_CL_CLONE_SIGHAND 0x800
#define FC_PPM_CL_CLONE_THREAD 0x2000
#define FC_PPM_CL_CLONE_VM 0x8000
#define FC_PPM_CL_CHILD_IN_PIDNS 0x20000000

/* CHILD_IN_PIDNS: T's pid lives below the init namespace, or (parent side) T creates its
 * children in another pid namespace. */
static __always_inline __u32 fc_pidns_flag(struct task_struct *t)
{
	struct pid_namespace *ns = fc_pid_ns(fc_task_pid(t, PIDTYPE_PID));
	__u32 level = BPF_CORE_READ(ns, level);
	if (level != 0)
		return FC_PPM_CL_CHILD_IN_PIDNS;
	struct pid_namespace *child_ns = BPF_CORE_READ(t, nsproxy, pid_ns_for_children);
	return child_ns != ns ? FC_PPM_CL_CHILD_IN_PIDNS : 0;
}

/* openat2 RESOLVE_* -> PPM_RESOLVE_*. */
static __always_inline __u32 fc_resolve_flags(__u64 f)
{
	__u32 r = 0;
	if (f & 0x01) r |= 0x10; /* NO_XDEV */
	if (f & 0x02) r |= 0x04; /* NO_MAGICLINKS */
	if (f & 0x04) r |= 0x08; /* NO_SYMLINKS */
	if (f & 0x08) r |= 0x01; /* BENEATH */
	if (f & 0x10) r |= 0x02; /* IN_ROOT */
	if (f & 0x20) r |= 0x20; /* CACHED */
	return r;
}

/* ---- sockets ---- */

static __always_inline struct sock *fc_fd_sock(struct task_struct *t, __s64 fd)
{
	struct file *f = fc_fd_file(t, fd);
	if (!f)
		return NULL;
	__u16 mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & FC_S_IFMT) != FC_S_IFSOCK)
		return NULL;
	struct socket *s = BPF_CORE_READ(f, private_data);
	if (!s)
		return NULL;
	return BPF_CORE_READ(s, sk);
}

/* Appends the path of a unix socket address (abstract names without their leading NUL), or an
 * empty string. */
static __always_inline void fc_unix_path(struct fc_aux *a, struct sock *sk)
{
	struct unix_sock *us = (void *)sk;
	struct unix_address *ua = sk ? BPF_CORE_READ(us, addr) : NULL;
	if (!ua) {
		fc_raw_u8(a, 0);
		return;
	}
	const char *p = (const char *)ua->name[0].sun_path;
	char first = 0;
	bpf_probe_read_kernel(&first, 1, p);
	if (!first)
		p++;
	if (!fc_raw_kstr(a, p, FC_UNIX_PATH_MAX + 1))
		fc_raw_u8(a, 0);
}

/* PT_SOCKTUPLE from the kernel socket SK (EVENTS.md §2.1). OUTBOUND (connect and friends):
 * local then remote; inbound (accept): remote then local. Unsupported families: empty. */
static __always_inline void fc_socktuple(struct fc_aux *a, struct sock *sk, int outbound)
{
	__u32 start = a->pos;
	if (!sk) {
		fc_empty(a);
		return;
	}
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam == FC_LX_AF_INET) {
		__u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		fc_raw_u8(a, FC_LX_AF_INET);
		if (outbound) {
			*(__u32 *)&a->data[FC_SAFE(a->pos)] = laddr;
			a->pos += 4;
			fc_raw_u16(a, lport);
			*(__u32 *)&a->data[FC_SAFE(a->pos)] = raddr;
			a->pos += 4;
			fc_raw_u16(a, rport);
		} else {
			*(__u32 *)&a->data[FC_SAFE(a->pos)] = raddr;
			a->pos += 4;
			fc_raw_u16(a, rport);
			*(__u32 *)&a->data[FC_SAFE(a->pos)] = laddr;
			a->pos += 4;
			fc_raw_u16(a, lport);
		}
	} else if (fam == FC_LX_AF_INET6) {
		__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		struct in6_addr *l = &sk->__sk_common.skc_v6_rcv_saddr;
		struct in6_addr *r = &sk->__sk_common.skc_v6_daddr;
		fc_raw_u8(a, FC_LX_AF_INET6);
		if (outbound) {
			fc_raw_kmem(a, l, 16);
			fc_raw_u16(a, lport);
			fc_raw_kmem(a, r, 16);
			fc_raw_u16(a, rport);
		} else {
			fc_raw_kmem(a, r, 16);
			fc_raw_u16(a, rport);
			fc_raw_kmem(a, l, 16);
			fc_raw_u16(a, lport);
		}
	} else if (fam == FC_LX_AF_UNIX) {
		struct unix_sock *us = (void *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		fc_raw_u8(a, FC_LX_AF_UNIX);
		if (outbound) {
			fc_raw_u64(a, (__u64)peer);
			fc_raw_u64(a, (__u64)sk);
			fc_unix_path(a, peer);
		} else {
			fc_raw_u64(a, (__u64)sk);
			fc_raw_u64(a, (__u64)peer);
			fc_unix_path(a, sk);
		}
	} else {
		fc_empty(a);
		return;
	}
	fc_close(a, start);
}

/* PT_SOCKADDR from a user sockaddr of LEN bytes (EVENTS.md §2.1). */
static __always_inline void fc_sockaddr(struct fc_aux *a, const void *uaddr, __u64 len)
{
	__u32 start = a->pos;
	__u16 fam = 0;
	if (!uaddr || len < 2 || bpf_probe_read_user(&fam, 2, uaddr)) {
		fc_empty(a);
		return;
	}
	if (fam == FC_LX_AF_INET && len >= 8) {
		__u16 port = 0;
		bpf_probe_read_user(&port, 2, uaddr + 2);
		fc_raw_u8(a, FC_LX_AF_INET);
		if (bpf_probe_read_user(&a->data[FC_SAFE(a->pos)], 4, uaddr + 4))
			*(__u32 *)&a->data[FC_SAFE(a->pos)] = 0;
		a->pos += 4;
		fc_raw_u16(a, bpf_ntohs(port));
	} else if (fam == FC_LX_AF_INET6 && len >= 24) {
		__u16 port = 0;
		bpf_probe_read_user(&port, 2, uaddr + 2);
		fc_raw_u8(a, FC_LX_AF_INET6);
		if (bpf_probe_read_user(&a->data[FC_SAFE(a->pos)], 16, uaddr + 8))
			__builtin_memset(&a->data[FC_SAFE(a->pos)], 0, 16);
		a->pos += 16;
		fc_raw_u16(a, bpf_ntohs(port));
	} else if (fam == FC_LX_AF_UNIX) {
		const char *p = uaddr + 2;
		char first = 0;
		bpf_probe_read_user(&first, 1, p);
		if (!first)
			p++;
		fc_raw_u8(a, FC_LX_AF_UNIX);
		if (!fc_raw_ustr(a, p, FC_UNIX_PATH_MAX + 1))
			fc_raw_u8(a, 0);
	} else {
		fc_empty(a);
		return;
	}
	fc_close(a, start);
}

#endif
