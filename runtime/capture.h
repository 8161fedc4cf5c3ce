/* capture.h — the .scap capture reader: opens a capture (plain or gzip), walks its blocks and
 * hands out, one at a time, the process-table entries, the fd-table entries and the events it
 * holds (RUNTIME.md §3).
 *
 * Owns: block framing and its checks (type, length, body, trailer == length), the section
 * header (1.x, options skipped), the machine-info block, process lists v1..v9, fd lists v1/v2,
 * event blocks EV/EVF v1 (22-byte header) and v2 (26-byte header, incl. the large variants),
 * and skipping of interface/user lists and unknown blocks. It does not build thread or fd
 * tables, convert old event versions or merge enter/exit events: those are later stages that
 * consume the items produced here.
 *
 * Safety: every field is read through a bounds-checked cursor over a block that has been read
 * in full; every block advances the stream by at least 12 bytes. A truncated file or a corrupt
 * block is a fatal error whose message names the file offset of the block; a malformed event
 * inside an intact block is only counted and skipped. */
#ifndef FC_CAPTURE_H
#define FC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evt.h"

/* Block type codes (libs: userspace/libscap/scap_savefile.h). */
enum {
	FC_BLK_SHB = 0x0A0D0D0A,
	FC_BLK_MI = 0x201,
	FC_BLK_MI_INT = 0x8002ABCD,
	FC_BLK_PL_V1 = 0x202,
	FC_BLK_PL_V1_INT = 0x8000ABCD,
	FC_BLK_PL_V2 = 0x207,
	FC_BLK_PL_V2_INT = 0x8013ABCD,
	FC_BLK_PL_V3 = 0x209,
	FC_BLK_PL_V3_INT = 0x8014ABCD,
	FC_BLK_PL_V4 = 0x210,
	FC_BLK_PL_V5 = 0x211,
	FC_BLK_PL_V6 = 0x212,
	FC_BLK_PL_V7 = 0x213,
	FC_BLK_PL_V8 = 0x214,
	FC_BLK_PL_V9 = 0x215,
	FC_BLK_FDL = 0x203,
	FC_BLK_FDL_INT = 0x8001ABCD,
	FC_BLK_FDL_V2 = 0x218,
	FC_BLK_EV = 0x204,
	FC_BLK_EV_INT = 0x8010ABCD,
	FC_BLK_EV_V2 = 0x216,
	FC_BLK_EV_V2_LARGE = 0x221,
	FC_BLK_EVF = 0x208,
	FC_BLK_EVF_V2 = 0x217,
	FC_BLK_EVF_V2_LARGE = 0x222,
	FC_BLK_IL = 0x205,
	FC_BLK_IL_INT = 0x8011ABCD,
	FC_BLK_IL_V2 = 0x219,
	FC_BLK_UL = 0x206,
	FC_BLK_UL_INT = 0x8012ABCD,
	FC_BLK_UL_V2 = 0x220,
};

/* fd entry types (scap_fd_type values). */
enum fc_fd_type {
	FC_FD_UNKNOWN = 0,
	FC_FD_FILE = 1,
	FC_FD_DIRECTORY = 2,
	FC_FD_IPV4_SOCK = 3,
	FC_FD_IPV6_SOCK = 4,
	FC_FD_IPV4_SERVSOCK = 5,
	FC_FD_IPV6_SERVSOCK = 6,
	FC_FD_FIFO = 7,
	FC_FD_UNIX_SOCK = 8,
	FC_FD_EVENT = 9,
	FC_FD_UNSUPPORTED = 10,
	FC_FD_SIGNALFD = 11,
	FC_FD_EVENTPOLL = 12,
	FC_FD_INOTIFY = 13,
	FC_FD_TIMERFD = 14,
	FC_FD_NETLINK = 15,
	FC_FD_FILE_V2 = 16,
	FC_FD_BPF = 17,
	FC_FD_USERFAULTFD = 18,
	FC_FD_IOURING = 19,
	FC_FD_MEMFD = 20,
	FC_FD_PIDFD = 21,
};

/* Bytes inside the current block; NOT NUL-terminated (the file stores u16 length + bytes).
 * Never NULL: an absent or empty string is {"", 0}. */
struct fc_cap_str {
	const char *p;
	uint32_t len;
};

/* True when S holds exactly the bytes of the C string Z. */
bool fc_cap_str_eq(struct fc_cap_str s, const char *z);

/* Optional fields of a process entry, by when they appeared; `has` says which were present. */
enum {
	FC_PROC_HAS_SID = 1u << 0,        /* PL >= v6 */
	FC_PROC_HAS_VPGID = 1u << 1,      /* PL >= v8 */
	FC_PROC_HAS_EXEPATH = 1u << 2,    /* PL >= v7 */
	FC_PROC_HAS_MEM = 1u << 3,        /* PL >= v2: vmsize/vmrss/vmswap/pfmajor/pfminor */
	FC_PROC_HAS_ENV = 1u << 4,        /* PL >= v3 */
	FC_PROC_HAS_VTID = 1u << 5,       /* PL >= v4: vtid, vpid, cgroups */
	FC_PROC_HAS_ROOT = 1u << 6,       /* PL >= v5 */
	FC_PROC_HAS_PIDNS_TS = 1u << 7,   /* v9, by entry length: pidns_init_start_ts */
	FC_PROC_HAS_TTY = 1u << 8,
	FC_PROC_HAS_LOGINUID = 1u << 9,
	FC_PROC_HAS_EXE_WRITABLE = 1u << 10,
	FC_PROC_HAS_CAPS = 1u << 11,      /* all three capability sets */
	FC_PROC_HAS_EXE_UPPER = 1u << 12,
	FC_PROC_HAS_EXE_INO = 1u << 13,   /* exe_ino, exe_ino_ctime, exe_ino_mtime */
	FC_PROC_HAS_EXE_MEMFD = 1u << 14,
	FC_PROC_HAS_EXE_LOWER = 1u << 15,
	FC_PROC_HAS_PGID = 1u << 16,
};

/* One thread of the process list. Absent fields hold the upstream defaults: sid, vpgid, vtid,
 * vpid, pgid -1; loginuid UINT32_MAX; everything else 0 / empty. */
struct fc_cap_proc {
	unsigned version; /* PL block version 1..9 */
	uint32_t has;     /* FC_PROC_HAS_* */
	uint64_t tid, pid, ptid;
	int64_t sid, vpgid;
	struct fc_cap_str comm, exe, exepath, args, cwd; /* args: NUL-separated argv[1..] */
	uint64_t fdlimit;
	uint32_t flags, uid, gid;
	uint32_t vmsize_kb, vmrss_kb, vmswap_kb;
	uint64_t pfmajor, pfminor;
	struct fc_cap_str env;     /* NUL-separated */
	int64_t vtid, vpid;
	struct fc_cap_str cgroups; /* NUL-separated "subsys=/path" */
	struct fc_cap_str root;
	uint64_t pidns_init_start_ts;
	uint32_t tty, loginuid;
	uint8_t exe_writable, exe_upper_layer, exe_from_memfd, exe_lower_layer;
	uint64_t cap_inheritable, cap_permitted, cap_effective;
	uint64_t exe_ino, exe_ino_ctime, exe_ino_mtime;
	int64_t pgid;
};

/* One fd of one thread. Addresses are in network byte order as stored; ports in host order.
 * For IPv4 only the first 4 bytes of sip/dip are used; servsock entries fill sip/sport. */
struct fc_cap_fd {
	unsigned version; /* FDL block version 1..2 */
	uint64_t tid;     /* the thread the fd belongs to */
	int64_t fd;
	uint64_t ino;
	uint8_t type;     /* enum fc_fd_type; unknown types from newer writers kept as-is (v2) */
	uint8_t l4proto;
	uint16_t sport, dport;
	uint8_t sip[16], dip[16];
	uint64_t unix_src, unix_dst; /* unix sockets: kernel pointers */
	uint32_t open_flags;         /* FILE_V2 */
	uint32_t dev;
	bool has_dev;                /* FILE_V2 entries from writers that store dev */
	struct fc_cap_str name;      /* path / description; unix socket path */
};

/* EVT's plen[] is 0 from nparams up to FC_EVT_MAX_PARAMS (absent parameters read as empty),
 * except for lite codes (fc_capture_set_lite), whose pval/plen are not filled at all. */
struct fc_cap_event {
	uint32_t block_type;
	uint16_t cpuid;
	uint32_t flags; /* EVF blocks; 0 for EV */
	struct fc_evt evt;
};

enum fc_cap_kind { FC_CAP_PROC = 1, FC_CAP_FD, FC_CAP_EVENT };

/* One item. Pointers inside point into the reader's block buffer: valid until the next
 * fc_capture_next or fc_capture_close. */
struct fc_cap_item {
	enum fc_cap_kind kind;
	uint64_t offset; /* file offset (uncompressed stream) of the block holding the item */
	union {
		struct fc_cap_proc proc;
		struct fc_cap_fd fd;
		struct fc_cap_event ev;
	};
};

struct fc_cap_machine {
	bool present;
	uint32_t num_cpus;
	uint64_t memory_size_bytes;
	uint64_t max_pid;
	char hostname[129]; /* NUL-terminated copy */
	uint64_t boot_ts_epoch;
	uint64_t flags;
};

struct fc_cap_stats {
	uint64_t blocks;            /* blocks read, SHB included */
	uint64_t blocks_skipped;    /* unknown block types, interface and user lists */
	uint64_t procs;             /* process entries returned */
	uint64_t fds;               /* fd entries returned */
	uint64_t events;            /* events returned */
	uint64_t events_malformed;  /* event blocks whose event failed to decode (skipped) */
	uint64_t events_unknown;    /* events of a type >= FC_EVENT_MAX (newer writer; skipped) */
	int last_evt_error;         /* fc_evt_err of the last malformed event, 0 if none */
	uint64_t last_evt_error_offset;
};

struct fc_capture;

/* Opens PATH (gzip detected by its magic, else read plain) and reads its section header and,
 * if it comes next, the machine-info block. 0 on success; -1 with a message in ERR otherwise
 * (missing file, not a scap file, byte-swapped, unsupported major version, truncated...). */
int fc_capture_open(const char *path, struct fc_capture **cap, char *err, size_t errlen);

/* The same over LEN bytes of uncompressed capture at DATA (not copied: DATA must outlive the
 * reader). NAME is used in messages. */
int fc_capture_open_mem(const void *data, size_t len, const char *name, struct fc_capture **cap,
			char *err, size_t errlen);

/* Next item: 1 and ITEM filled; 0 at the end of the capture; -1 on a fatal error (truncated
 * file, corrupt block, I/O or gzip error), see fc_capture_error. After 0 or -1, further calls
 * return the same. */
int fc_capture_next(struct fc_capture *cap, struct fc_cap_item *item);

/* Extension: events whose code C has LITE[C] set (FC_EVENT_MAX entries, by the code in the
 * file; NULL = none; the table is copied) are checked as always but handed out without their
 * parameters: pval/plen of the view are not filled (nparams is). For a consumer that never
 * reads them (merge.h fc_merge_is_lite). */
void fc_capture_set_lite(struct fc_capture *cap, const bool *lite);

/* The fatal error message ("" if none). */
const char *fc_capture_error(const struct fc_capture *cap);

const struct fc_cap_stats *fc_capture_stats(const struct fc_capture *cap);
/* Machine info (present = false when the capture has no MI block or it was not reached yet;
 * when MI directly follows the SHB, as every writer does, it is read by open). */
const struct fc_cap_machine *fc_capture_machine(const struct fc_capture *cap);
void fc_capture_version(const struct fc_capture *cap, unsigned *major, unsigned *minor);
bool fc_capture_compressed(const struct fc_capture *cap);

void fc_capture_close(struct fc_capture *cap);

#endif
