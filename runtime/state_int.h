/* state_int.h — internals shared by the state engine's files (state.c, threads.c, fdtab.c,
 * procscan.c, container.c, users.c, extract*.c, stateutil.c, imap.c, json.c). Not a public
 * contract: only state.h is. Everything here may change with the engine.
 *
 * Memory model: every string the tables keep is an immutable, reference-counted fc_rstr, so a
 * fork shares its parent's exe/args/env/cgroups/fd names instead of copying them (a fork bomb
 * costs one thread struct per child). Values handed to the VM point either into those strings
 * (stable until fc_state_event_done, which is the only place that frees state) or into the
 * per-event arena. */
#ifndef FC_STATE_INT_H
#define FC_STATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "capture.h"
#include "evt.h"
#include "evtfields.h"
#include "state.h"
#include "value.h"

/* ------------------------------------------------------------------ refcounted strings */
struct fc_rstr {
	uint32_t refs;
	uint32_t len; /* bytes in s, a NUL follows */
	char s[];
};
/* NULL on allocation failure. LEN bytes are copied (they may contain NULs). */
struct fc_rstr *fc_rstr_new(const char *p, size_t len);
struct fc_rstr *fc_rstr_cstr(const char *z);
static inline struct fc_rstr *fc_rstr_ref(struct fc_rstr *r)
{
	if (r)
		r->refs++;
	return r;
}
void fc_rstr_unref(struct fc_rstr *r);
/* Replaces *SLOT by R (takes R's reference). */
static inline void fc_rstr_set(struct fc_rstr **slot, struct fc_rstr *r)
{
	fc_rstr_unref(*slot);
	*slot = r;
}

/* -------------------------------------------------------- int64 → pointer hash map */
/* Open addressing, linear probing, backward-shift deletion (no tombstones). A NULL value
 * marks an empty slot, so NULL cannot be stored. */
struct fc_imap {
	int64_t *keys;
	void **vals;
	uint32_t cap; /* power of two, 0 when never used */
	uint32_t n;
};
void *fc_imap_get(const struct fc_imap *m, int64_t k);
/* Inserts or replaces; returns the previous value (NULL if none). *OOM set on failure. */
void *fc_imap_put(struct fc_imap *m, int64_t k, void *v, bool *oom);
void *fc_imap_del(struct fc_imap *m, int64_t k);
void fc_imap_free(struct fc_imap *m);
/* Iteration: for (uint32_t i = 0; i < m->cap; i++) if (m->vals[i]) ... (no changes meanwhile) */

/* -------------------------------------------------------------- per-event arena */
struct fc_sarena {
	char *buf;
	size_t cap, used;
	uint64_t overflows;
};
/* Inline: every open and many field values allocate here. */
static inline void *fc_sarena_alloc(struct fc_sarena *a, size_t n) /* 8-aligned; NULL when full */
{
	size_t off = (a->used + 7) & ~(size_t)7;
	if (off > a->cap || n > a->cap - off) {
		a->overflows++;
		return NULL;
	}
	a->used = off + n;
	return a->buf + off;
}
static inline char *fc_sarena_strdup(struct fc_sarena *a, const char *p, size_t n) /* NUL-terminated copy */
{
	char *d = fc_sarena_alloc(a, n + 1);
	if (!d)
		return NULL;
	if (n)
		memcpy(d, p, n);
	d[n] = 0;
	return d;
}

/* ------------------------------------------------------------------ path helpers */
/* Joins DIR and NAME as upstream concatenate_paths does (fc_path_concat; a '/' is added to a
 * DIR that lacks it): NAME absolute → NAME alone; "." / ".." / "//" folded, a trailing '/'
 * dropped. Writes a NUL-terminated result of at most OUTLEN-1 bytes; returns its length. */
size_t fc_path_join(const char *dir, size_t dlen, const char *name, size_t nlen, char *out,
		    size_t outlen);

/* ---------------------------------------------------------------------- fd info */
enum { FC_L4_UNKNOWN = 0, FC_L4_NA = 1, FC_L4_TCP = 2, FC_L4_UDP = 3, FC_L4_ICMP = 4, FC_L4_RAW = 5 };
enum { FC_ROLE_NONE = 0, FC_ROLE_CLIENT = 1, FC_ROLE_SERVER = 2 };
enum {
	FC_FDF_CONNECTED = 1u << 0,
	FC_FDF_UPPER = 1u << 1,   /* overlayfs upper layer */
	FC_FDF_LOWER = 1u << 2,   /* overlayfs lower layer */
	FC_FDF_CLOEXEC = 1u << 3, /* closed by execve */
	FC_FDF_FROM_PROC = 1u << 4,
};

struct fc_fdinfo {
	int64_t fd;
	uint8_t type;    /* enum fc_fd_type (capture.h) */
	uint8_t l4proto; /* FC_L4_* */
	uint8_t role;    /* FC_ROLE_* */
	uint8_t flags;   /* FC_FDF_* */
	uint32_t openflags; /* PPM open flags as the event gave them */
	uint32_t dev;
	uint64_t ino;
	/* IP sockets: s* = client end, d* = server end (upstream convention); IPv4 uses the first
	 * 4 bytes. Server sockets (…_SERVSOCK) keep the bound address in sip/sport. Network order
	 * addresses, host order ports. */
	uint8_t sip[16], dip[16];
	uint16_t sport, dport;
	uint64_t usrc, udst; /* unix sockets: kernel pointers */
	int64_t pid;         /* pidfd: target pid */
	struct fc_rstr *name;    /* fd.name */
	struct fc_rstr *nameraw; /* path as passed (files) */
};

struct fc_fdtab {
	struct fc_imap map;
};

struct fc_state;
struct fc_fdinfo *fc_fd_new(void);
void fc_fd_free(struct fc_fdinfo *f);
struct fc_fdinfo *fc_fd_clone(const struct fc_fdinfo *f);
struct fc_fdinfo *fc_fdtab_find(struct fc_state *st, struct fc_fdtab *t, int64_t fd);
/* Adds F as FD (replacing any entry, which is freed). When the table is full the new entry is
 * dropped (freed, counted as an fd eviction) and NULL is returned. */
struct fc_fdinfo *fc_fdtab_add(struct fc_state *st, struct fc_fdtab *t, int64_t fd,
			       struct fc_fdinfo *f);
bool fc_fdtab_del(struct fc_state *st, struct fc_fdtab *t, int64_t fd);
void fc_fdtab_clear(struct fc_state *st, struct fc_fdtab *t);
void fc_fdtab_copy(struct fc_state *st, struct fc_fdtab *dst, const struct fc_fdtab *src);
void fc_fdtab_close_on_exec(struct fc_state *st, struct fc_fdtab *t);
/* Socket names: "a.b.c.d:p->e.f.g.h:q", IPv6 likewise, "ip:port" for server sockets, unix
 * "src->dst path". Fills F->name from the address fields. */
void fc_fd_set_inet_name(struct fc_fdinfo *f);
const char *fc_fd_typestr(uint8_t type);
char fc_fd_typechar(uint8_t type);
uint8_t fc_fd_l4proto(const struct fc_fdinfo *f); /* upstream get_l4proto */
bool fc_fd_is_file(const struct fc_fdinfo *f);
/* Parses a PT_SOCKTUPLE parameter into F: first endpoint → sip/sport, second → dip/dport
 * (IPv4-mapped IPv6 becomes IPv4; unix: pointers and path). The destination is kept when
 * already set unless OVERWRITE_DEST. *CHANGED tells whether an address changed. False when the
 * family is unsupported or the bytes are short. */
bool fc_fd_set_tuple(struct fc_fdinfo *f, const uint8_t *p, uint32_t len, bool overwrite_dest,
		     bool *changed);
/* Swaps the two ends (client/server). */
void fc_fd_swap_ends(struct fc_fdinfo *f);
/* Renders a PT_SOCKADDR (family + address) as Falco prints it: "ip:port" or the unix path.
 * Returns the length written (0 when unsupported). */
size_t fc_sockaddr_render(const uint8_t *p, uint32_t len, char *out, size_t outlen);
/* Renders an IPv4 (4 bytes) or IPv6 (16 bytes) address. */
size_t fc_ip_render(const uint8_t *ip, bool v6, char *out, size_t outlen);

/* ------------------------------------------------------------------ containers */
struct fc_kv {
	struct fc_rstr *k, *v;
};
struct fc_mount {
	struct fc_rstr *source, *dest, *mode, *propagation;
	bool rw;
};
/* Metadata the node cannot derive from events; loaded from the user's metadata file. */
struct fc_ctr_meta {
	struct fc_rstr *name, *image, *image_id, *image_repo, *image_tag, *image_digest, *type;
	struct fc_rstr *ip, *cni_json, *healthcheck, *liveness, *readiness;
	struct fc_rstr *pod_name, *pod_ns, *pod_uid, *sandbox_id, *pod_ip, *pod_cni_json;
	struct fc_kv *labels;
	uint32_t nlabels;
	struct fc_kv *pod_labels;
	uint32_t npod_labels;
	struct fc_mount *mounts;
	uint32_t nmounts;
	int8_t privileged, host_network, host_ipc, host_pid; /* -1 unknown */
	uint64_t start_ts;                                   /* 0 unknown */
};

struct fc_container {
	struct fc_container *hnext; /* hash chain */
	uint64_t hash;
	uint32_t refs;  /* threads pointing here */
	char id[65];    /* short id (12 hex for 64-hex ids) */
	char full_id[129];
	const char *type; /* static string inferred from the cgroup layout */
	char pod_uid[64]; /* from a kubepods cgroup path, "" if none */
	uint64_t start_ts; /* earliest pidns_init_start_ts seen for it, 0 unknown */
	struct fc_ctr_meta *meta; /* NULL when the metadata file does not know it */
};

/* Matches one cgroup path (RUNTIME.md §5.3); fills ID (short), FULL and TYPE. */
bool fc_cgroup_match(const char *path, size_t len, char *id, size_t idlen, char *full,
		     size_t fulllen, const char **type);
/* Container of a thread from its cgroups blob (NUL-separated subsys=path), NULL for host. The
 * returned container is referenced (the caller stores it and unrefs on release). */
struct fc_container *fc_container_resolve(struct fc_state *st, const char *cg, size_t len);
void fc_container_unref(struct fc_state *st, struct fc_container *c);
struct fc_container *fc_container_ref(struct fc_container *c);
void fc_containers_free(struct fc_state *st);
/* Loads the metadata file (docker-inspect style JSON array); errors into ERR. */
int fc_container_load_meta(struct fc_state *st, const char *path, char *err, size_t errlen);
/* Metadata for a container id (short or full), NULL if unknown. */
struct fc_ctr_meta *fc_container_meta_find(struct fc_state *st, const char *id);
/* Parses an old capture's container JSON event into the metadata store. */
void fc_container_json_event(struct fc_state *st, const char *json, size_t len);

/* ------------------------------------------------------------------ JSON (json.c) */
enum { FC_J_NULL, FC_J_BOOL, FC_J_NUM, FC_J_STR, FC_J_ARR, FC_J_OBJ };
struct fc_json {
	uint8_t type;
	bool b;
	double num;
	char *str; /* FC_J_STR (NUL-terminated, may contain NULs from \u0000) */
	size_t len;
	char *key; /* member name inside an object */
	size_t klen;
	struct fc_json *kids; /* FC_J_ARR / FC_J_OBJ */
	uint32_t n;
};
/* Parses LEN bytes of JSON (RFC 8259; nesting limited to 64 levels). NULL with a message
 * ("line:col: ...") in ERR on error. */
struct fc_json *fc_json_parse(const char *s, size_t len, char *err, size_t errlen);
void fc_json_free(struct fc_json *j);
/* Member KEY of object O (NULL if O is not an object or has no such member). */
const struct fc_json *fc_json_get(const struct fc_json *o, const char *key);
/* Nested lookup through a "/"-free list of keys, NULL-terminated. */
const struct fc_json *fc_json_path(const struct fc_json *o, const char *const *keys);

/* ---------------------------------------------------------------------- users */
struct fc_user {
	uint32_t uid, gid;
	struct fc_rstr *name, *home, *shell;
};
struct fc_group {
	uint32_t gid;
	struct fc_rstr *name;
};
struct fc_thread;
/* The user/group table of T's container (the host's outside containers), read once from
 * host_root/etc or host_root/proc/<pid>/root/etc, plus users/groups added by capture events.
 * NULL when unknown. */
const struct fc_user *fc_user_find(struct fc_state *st, const struct fc_thread *t, uint32_t uid);
const struct fc_group *fc_group_find(struct fc_state *st, const struct fc_thread *t, uint32_t gid);
void fc_user_add(struct fc_state *st, const char *ctr_id, uint32_t uid, uint32_t gid,
		 const char *name, const char *home, const char *shell);
void fc_group_add(struct fc_state *st, const char *ctr_id, uint32_t gid, const char *name);
void fc_users_free(struct fc_state *st);

/* ------------------------------------------------------------------ threads */
/* Userspace-only and probe clone flag bits (EVENTS.md §5.3). */
#define FC_CL_CLONE_FILES 0x1u
#define FC_CL_CLONE_FS 0x2u
#define FC_CL_CLONE_NEWPID 0x40u
#define FC_CL_CLONE_PARENT 0x100u
#define FC_CL_CLONE_THREAD 0x2000u
#define FC_CL_CLONE_VFORK 0x8000000u
#define FC_CL_CLONE_INVERTED 0x10000u
#define FC_CL_CHILD_IN_PIDNS 0x20000000u

/* A thread group: what the threads of one process share. */
struct fc_tgroup {
	int64_t pid;
	uint32_t members; /* threads in the table pointing here */
	uint32_t alive;   /* of which not dead */
	struct fc_thread *head; /* member list */
	bool subreaper;
	struct fc_fdtab fds;
	struct fc_rstr *cwd; /* always ends in '/' */
};

struct fc_thread {
	int64_t tid, pid, ptid, sid, vpgid, pgid, vtid, vpid, reaper_tid;
	struct fc_rstr *comm, *exe, *exepath, *args, *env, *cgroups, *root;
	/* proc.cmdline (comm + ' ' + the arguments, NULs as spaces) as last joined, and the comm
	 * and args it was joined from: still the thread's own (referenced here, so neither can be
	 * freed and its address reused) means still right. Rules test proc.cmdline on most of a
	 * process's events; joining it each time was most of the test's cost. The threads of a
	 * process with the same comm and args hold references to one copy (extract.c). */
	struct fc_rstr *cmd, *cmd_comm, *cmd_args;
	int64_t fdlimit;
	uint32_t uid, gid, loginuid, tty;
	uint32_t vmsize_kb, vmrss_kb, vmswap_kb;
	uint64_t pfmajor, pfminor;
	uint64_t cap_inh, cap_perm, cap_eff;
	uint64_t exe_ino, exe_ino_ctime, exe_ino_mtime, ctime_dur_clone, ctime_dur_pidns;
	uint64_t pidns_init_start_ts, clone_ts, lastexec_ts, last_ts;
	uint32_t flags; /* clone flags of its creation + FC_CL_* userspace bits */
	bool exe_writable, exe_upper, exe_lower, exe_memfd;
	bool dead;       /* procexit seen; removed after the event (or with its group) */
	bool removing;   /* queued for removal */
	struct fc_tgroup *grp;
	struct fc_container *ctr;
	/* process tree (ptid links, kept as pointers for O(children) reparenting) */
	struct fc_thread *parent, *children, *sib_prev, *sib_next;
	uint32_t nchildren;
	/* recency list for eviction and idle purge (head = most recent) */
	struct fc_thread *lru_prev, *lru_next;
	struct fc_thread *grp_prev, *grp_next;
};

struct fc_thread *fc_thread_find(struct fc_state *st, int64_t tid);
/* New empty thread TID in the table (evicting if full); NULL when impossible. The group is
 * attached by the caller via fc_thread_join_group. */
struct fc_thread *fc_thread_create(struct fc_state *st, int64_t tid);
void fc_thread_join_group(struct fc_state *st, struct fc_thread *t, int64_t pid,
			  struct fc_tgroup *share);
/* Group of process PID (created when CREATE). */
struct fc_tgroup *fc_group_get(struct fc_state *st, int64_t pid, bool create);
/* Links T under the thread its ptid names (if present), unlinking any previous parent. */
void fc_thread_link_parent(struct fc_state *st, struct fc_thread *t);
void fc_thread_unlink_parent(struct fc_thread *t);
/* Removes T now: reparents its children, drops it from its group (freeing the group and a
 * dead leader with it when empty) and frees it. */
void fc_thread_remove(struct fc_state *st, struct fc_thread *t, bool evicted);
/* Moves T to the thread group of process PID (an exec that makes a thread the leader). */
void fc_thread_regroup(struct fc_state *st, struct fc_thread *t, int64_t pid);
/* Marks T dead (procexit): its group's alive count drops. */
void fc_thread_mark_dead(struct fc_thread *t);
/* Marks T most recently used at TS. */
void fc_thread_touch(struct fc_state *st, struct fc_thread *t, uint64_t ts);
/* The process's main thread (tid == pid), or T itself when unknown. */
struct fc_thread *fc_thread_main(struct fc_state *st, struct fc_thread *t);
/* Parent thread (ptid), resolving a missing link through the table. */
struct fc_thread *fc_thread_parent(struct fc_state *st, struct fc_thread *t);
/* Idle purge: removes leaf threads idle for longer than the configured timeout. */
void fc_threads_purge(struct fc_state *st, uint64_t now);
void fc_threads_free(struct fc_state *st);
/* Recomputes T's container from its cgroups. */
void fc_thread_set_cgroups(struct fc_state *st, struct fc_thread *t, struct fc_rstr *cg);
/* The same, knowing that LIKE's container is the resolution of LIKE's cgroups: equal cgroups
 * (the usual fork or exec) take LIKE's container and share its string instead of resolving. */
void fc_thread_set_cgroups_as(struct fc_state *st, struct fc_thread *t, struct fc_rstr *cg,
			      const struct fc_thread *like);

/* ------------------------------------------------------------------ /proc */
/* Loads one process (all its threads and the fds of its leader) from host_root/proc; 0 ok. */
int fc_procscan_pid(struct fc_state *st, int64_t pid, char *err, size_t errlen);
int fc_procscan_all(struct fc_state *st, char *err, size_t errlen);

/* ------------------------------------------------------------ parameter names */
/* Every event parameter name the parsers and extractors read, resolved per event code once
 * (fc_event_param_index) so old event versions work wherever their names exist. */
#define FC_PNAMES(X)                                                                              \
	X(RES, "res") X(FD, "fd") X(EXE, "exe") X(ARGS, "args") X(TID, "tid") X(PID, "pid")       \
	X(PTID, "ptid") X(CWD, "cwd") X(FDLIMIT, "fdlimit") X(PGFT_MAJ, "pgft_maj")             \
	X(PGFT_MIN, "pgft_min") X(VM_SIZE, "vm_size") X(VM_RSS, "vm_rss") X(VM_SWAP, "vm_swap")  \
	X(COMM, "comm") X(CGROUPS, "cgroups") X(ENV, "env") X(TTY, "tty") X(VPGID, "vpgid")      \
	X(LOGINUID, "loginuid") X(FLAGS, "flags") X(CAP_INH, "cap_inheritable")                   \
	X(CAP_PERM, "cap_permitted") X(CAP_EFF, "cap_effective") X(EXE_INO, "exe_ino")           \
	X(EXE_INO_CTIME, "exe_ino_ctime") X(EXE_INO_MTIME, "exe_ino_mtime") X(UID, "uid")        \
	X(TRUSTED_EXEPATH, "trusted_exepath") X(PGID, "pgid") X(GID, "gid")                      \
	X(FILENAME, "filename") X(VTID, "vtid") X(VPID, "vpid")                                   \
	X(PIDNS_TS, "pidns_init_start_ts") X(NAME, "name") X(DIRFD, "dirfd") X(MODE, "mode")     \
	X(DEV, "dev") X(INO, "ino") X(CREAT_FLAGS, "creat_flags") X(OLDFD, "oldfd")              \
	X(NEWFD, "newfd") X(DOMAIN, "domain") X(TYPE, "type") X(PROTO, "proto") X(FD1, "fd1")    \
	X(FD2, "fd2") X(SOURCE, "source") X(PEER, "peer") X(ADDR, "addr") X(TUPLE, "tuple")      \
	X(PATH, "path") X(EUID, "euid") X(EGID, "egid") X(REAPER_TID, "reaper_tid")              \
	X(CMD, "cmd") X(OPTION, "option") X(ARG2_INT, "arg2_int") X(NSTYPE, "nstype")            \
	X(CUR, "cur") X(NEWCUR, "newcur") X(RESOURCE, "resource") X(NEXT, "next")                \
	X(PID_FD, "pid_fd") X(TARGET_FD, "target_fd") X(FDS, "fds") X(OLDPATH, "oldpath")        \
	X(NEWPATH, "newpath") X(OLDDIRFD, "olddirfd") X(NEWDIRFD, "newdirfd") X(OLDDIR, "olddir") \
	X(NEWDIR, "newdir") X(LINKPATH, "linkpath") X(LINKDIRFD, "linkdirfd") X(TARGET, "target") \
	X(PATHNAME, "pathname") X(CONTAINER_ID, "container_id")         \
	X(HOME, "home") X(SHELL, "shell") X(JSON, "json") X(DIR, "dir")        \
	X(SPECIAL, "special") X(DATA, "data") X(ID, "id") X(IMAGE, "image")

enum fc_pname {
#define X(e, s) FC_P_##e,
	FC_PNAMES(X)
#undef X
	FC_P_MAX_
};

/* ------------------------------------------------------------------ the state */
struct fc_ctr_store; /* container.c */
#define FC_TCACHE_N 256u /* a power of two */
#define FC_CP_NO_THREAD 1u /* meta events: no thread */
#define FC_CP_NO_PROC 2u   /* clone, procexit, switch: an unknown thread is not read from /proc */
struct fc_user_store; /* users.c */

struct fc_state {
	struct fc_state_opts o;
	char *host_root; /* NULL: no host filesystem (replay) */
	char *hostname;
	char *meta_path;
	uint64_t boot_ts;

	struct fc_imap threads;
	struct fc_imap groups; /* pid → fc_tgroup */
	struct fc_thread *lru_head, *lru_tail;
	uint64_t last_purge_ts;
	uint64_t purge_at; /* an event later than this purges (last_purge_ts + purge_idle_ns) */
	uint64_t proc_lookups_window_ts;
	uint32_t proc_lookups_in_window;
	bool no_proc_lookups; /* replay: unknown threads are not looked up in host_root/proc */
	bool no_memory;       /* fc_state_track_memory(false): switch/brk/mmap/munmap not parsed */
	bool seeding; /* no eviction of just-seeded entries' parents while seeding */

	struct fc_ctr_store *ctrs;
	struct fc_user_store *users;

	const int8_t (*pidx)[FC_P_MAX_]; /* [FC_EVENT_MAX][FC_P_MAX_] parameter index or -1 (shared) */
	struct fc_code_plan {      /* [FC_EVENT_MAX] what fc_state_event does (state.c set_plan) */
		uint8_t parse;     /* the parser to run, 0: none */
		int8_t fdparam;    /* exits of USES_FD events: index of the fd parameter, else -1 */
		uint8_t flags;     /* FC_CP_* */
		bool fd_event;     /* creates, uses or destroys an fd */
	} *plan;

	/* the current event */
	const struct fc_evt *ev;
	struct fc_thread *t;      /* thread of the event (may be NULL) */
	struct fc_thread *pin;    /* a second thread the parser holds (never evicted meanwhile) */
	struct fc_fdinfo *fdi;    /* fd the event works on (may be NULL) */
	int64_t fdnum;            /* fd.num; -1 when none */
	bool fd_event;            /* event creates/uses/destroys an fd */
	bool name_changed;
	uint64_t evnum, first_ts, prev_ts, ev_ts;
	uint64_t util_cnt;

	/* removals applied by fc_state_event_done */
	int64_t rm_fd;            /* -1 none */
	struct fc_tgroup *rm_fd_grp;
	int64_t *rm_tids;
	uint32_t n_rm_tids, cap_rm_tids;

	struct fc_sarena arena;
	struct fc_scratch scratch; /* handed to the evt.* extractor */
	struct fc_extractor ext;
	/* the evt.* extractor's resolver (set on first use) and context (per event) */
	struct fc_evt_resolver ersv;
	struct fc_evt_ctx ectx;
	uint64_t ectx_evnum;

	struct fc_state_stats stats;
	/* fc_thread_find's cache (threads.c), last so the per-event fields above stay close: by
	 * tid modulo FC_TCACHE_N, what the thread table holds under TID (T, or NULL: absent).
	 * Always true: zeroed, it says "tid 0 absent" of an empty table; fc_thread_create and
	 * fc_thread_remove, the table's only writers, update the entry of their tid */
	struct fc_tcache_ent {
		int64_t tid;
		struct fc_thread *t;
	} tcache[FC_TCACHE_N];
};

/* Parameter I of the current event; helpers in state.c. */
int fc_pidx(const struct fc_state *st, uint16_t type, enum fc_pname p);
bool fc_ev_i64(const struct fc_state *st, const struct fc_evt *e, enum fc_pname p, int64_t *out);
bool fc_ev_u64(const struct fc_state *st, const struct fc_evt *e, enum fc_pname p, uint64_t *out);
const char *fc_ev_str(const struct fc_state *st, const struct fc_evt *e, enum fc_pname p);
bool fc_ev_raw(const struct fc_state *st, const struct fc_evt *e, enum fc_pname p,
	       const uint8_t **v, uint32_t *len);

/* Extractor entry (extract.c). */
bool fc_state_extract(void *ctx, const struct fc_fieldspec *f, struct fc_val *out);
bool fc_extract_thread(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out);
bool fc_extract_fd(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out);
bool fc_extract_ctr(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out);
bool fc_extract_evtstate(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out);
bool fc_extract_is_evtstate(enum fc_field_id id);
bool fc_fspath(struct fc_state *st, const struct fc_fieldspec *f, struct fc_val *out);

/* Value helpers shared by the extractors. */
static inline bool fc_vnone(struct fc_val *o)
{
	o->kind = FC_V_NONE;
	o->len = 0;
	o->u = 0;
	return false;
}
static inline bool fc_vu64(struct fc_val *o, uint64_t v)
{
	o->kind = FC_V_U64;
	o->len = 0;
	o->u = v;
	return true;
}
static inline bool fc_vi64(struct fc_val *o, int64_t v)
{
	o->kind = FC_V_I64;
	o->len = 0;
	o->i = v;
	return true;
}
static inline bool fc_vstr(struct fc_val *o, const char *s, size_t len)
{
	if (!s)
		return fc_vnone(o);
	o->kind = FC_V_STR;
	o->len = (uint32_t)len;
	o->s = s;
	return true;
}
static inline bool fc_vrstr(struct fc_val *o, const struct fc_rstr *r)
{
	return r ? fc_vstr(o, r->s, r->len) : fc_vnone(o);
}

#endif
