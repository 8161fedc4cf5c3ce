/* bpf/fc_push.h — building one scap event (RUNTIME.md §2.1) in the per-CPU scratch area and
 * handing it to this CPU's ring buffer. BPF-only; included by probe.bpf.c after vmlinux.h.
 *
 * An event is built front to back in struct fc_aux: fc_begin() reserves the 26-byte header and
 * the u16 length array, every fc_* push appends one parameter (value at `pos`, its length in
 * the next slot of the array), fc_submit() writes the header and copies the event into the ring
 * with one bpf_ringbuf_output. Builders split over tail calls keep their state in fc_aux, so a
 * continuation program simply goes on pushing.
 *
 * Verifier discipline: every variable offset is masked with FC_SAFE() into the first half of
 * the 128 KiB area, and every variable-length copy is at most FC_EVT_MAX_SIZE, so any write
 * lands inside the map value whatever the path. The second half doubles as scratch space for
 * paths built backwards (fc_scratch). Events larger than FC_EVT_MAX_SIZE are dropped whole and
 * counted; a parameter is never cut into an invalid length. */
#ifndef FC_PUSH_H
#define FC_PUSH_H

#include "fc_probe.h"

#define FC_SAFE(x) ((x) & (FC_EVT_MAX_SIZE - 1))

struct fc_aux {
	__u8 data[FC_AUX_SIZE];
	__u32 pos;     /* next payload byte */
	__u32 pidx;    /* next parameter slot */
	__u32 nparams; /* parameters the event type has */
	__u32 cat;     /* enum fc_dropcat */
	__u64 tid;     /* header tid (the child, for sched_process_fork) */
	__u32 spos;    /* scratch cursor of fc_path (kept here, not in a register, so that the
			* verifier sees an unknown scalar and can prune loop states) */
	__u16 type;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* FC_AUX_PER_CPU x possible CPUs, set by the loader */
	__type(key, __u32);
	__type(value, struct fc_aux);
} fc_aux SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1); /* possible CPUs, set by the loader; inner rings created by it */
	__type(key, __u32);
	__type(value, __u32);
} fc_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fc_counters);
} fc_counters SEC(".maps");

/* Set by the loader before load: realtime minus boottime at start (event ts = epoch ns). */
const volatile __u64 fc_boot_time = 0;

static __always_inline struct fc_counters *fc_ctr(void)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&fc_counters, &k);
}

static __always_inline struct fc_aux *fc_aux_get(__u32 kind)
{
	__u32 k = bpf_get_smp_processor_id() * FC_AUX_PER_CPU + kind;
	return bpf_map_lookup_elem(&fc_aux, &k);
}

/* Clamps V to MAX in a way the verifier tracks (the empty asm stops clang from folding the
 * bound into something the verifier cannot follow). */
#define fc_clamp(v, max)                                                                        \
	({                                                                                      \
		__u64 __v = (__u64)(v);                                                         \
		if (__v > (__u64)(max))                                                         \
			__v = (max);                                                            \
		asm volatile("" : "+r"(__v));                                                   \
		__v;                                                                            \
	})

static __always_inline void fc_begin(struct fc_aux *a, __u16 type, __u32 nparams, __u32 cat)
{
	a->type = type;
	a->nparams = nparams;
	a->pidx = 0;
	a->cat = cat;
	a->pos = FC_HDR_LEN + 2 * nparams;
	a->tid = bpf_get_current_pid_tgid() & 0xffffffff;
}

static __always_inline void fc_len(struct fc_aux *a, __u32 len)
{
	__u32 i = a->pidx;
	*(__u16 *)&a->data[FC_HDR_LEN + 2 * (i & 31)] = (__u16)len;
	a->pidx = i + 1;
}

static __always_inline void fc_empty(struct fc_aux *a)
{
	fc_len(a, 0);
}

static __always_inline void fc_u8(struct fc_aux *a, __u8 v)
{
	__u32 p = a->pos;
	a->data[FC_SAFE(p)] = v;
	a->pos = p + 1;
	fc_len(a, 1);
}

static __always_inline void fc_u16(struct fc_aux *a, __u16 v)
{
	__u32 p = a->pos;
	*(__u16 *)&a->data[FC_SAFE(p)] = v;
	a->pos = p + 2;
	fc_len(a, 2);
}

static __always_inline void fc_u32(struct fc_aux *a, __u32 v)
{
	__u32 p = a->pos;
	*(__u32 *)&a->data[FC_SAFE(p)] = v;
	a->pos = p + 4;
	fc_len(a, 4);
}

static __always_inline void fc_u64(struct fc_aux *a, __u64 v)
{
	__u32 p = a->pos;
	*(__u64 *)&a->data[FC_SAFE(p)] = v;
	a->pos = p + 8;
	fc_len(a, 8);
}

static __always_inline void fc_s64(struct fc_aux *a, __s64 v)
{
	fc_u64(a, (__u64)v);
}

/* Raw bytes appended to the current parameter without closing it (composite parameters:
 * sockaddr, socktuple, cgroups, PT_DYN). fc_close() then records the parameter's length. */
static __always_inline void fc_raw_u8(struct fc_aux *a, __u8 v)
{
	__u32 p = a->pos;
	a->data[FC_SAFE(p)] = v;
	a->pos = p + 1;
}
static __always_inline void fc_raw_u16(struct fc_aux *a, __u16 v)
{
	__u32 p = a->pos;
	*(__u16 *)&a->data[FC_SAFE(p)] = v;
	a->pos = p + 2;
}
static __always_inline void fc_raw_u64(struct fc_aux *a, __u64 v)
{
	__u32 p = a->pos;
	*(__u64 *)&a->data[FC_SAFE(p)] = v;
	a->pos = p + 8;
}
/* Copies N (<= 16, constant) kernel bytes. */
static __always_inline void fc_raw_kmem(struct fc_aux *a, const void *src, __u32 n)
{
	__u32 p = a->pos;
	if (bpf_probe_read_kernel(&a->data[FC_SAFE(p)], n & 31, src))
		__builtin_memset(&a->data[FC_SAFE(p)], 0, n & 31);
	a->pos = p + n;
}
/* A NUL-terminated string appended raw; returns its length with the NUL (0 on a fault). */
static __always_inline __u32 fc_raw_kstr(struct fc_aux *a, const void *src, __u32 max)
{
	__u32 p = a->pos;
	long n = bpf_probe_read_kernel_str(&a->data[FC_SAFE(p)], max, src);
	if (n < 0)
		n = 0;
	a->pos = p + (__u32)n;
	return (__u32)n;
}
static __always_inline __u32 fc_raw_ustr(struct fc_aux *a, const void *src, __u32 max)
{
	__u32 p = a->pos;
	long n = bpf_probe_read_user_str(&a->data[FC_SAFE(p)], max, src);
	if (n < 0)
		n = 0;
	a->pos = p + (__u32)n;
	return (__u32)n;
}
/* Closes a composite parameter that started at byte START. */
static __always_inline void fc_close(struct fc_aux *a, __u32 start)
{
	fc_len(a, a->pos - start);
}

/* Strings: CHARBUF/FSPATH with their NUL; a fault (or a NULL pointer) gives an empty
 * parameter. MAX is a constant <= FC_MAX_PATH. Return the stored length. */
static __always_inline __u32 fc_ustr(struct fc_aux *a, const void *src, __u32 max)
{
	__u32 n = fc_raw_ustr(a, src, max);
	fc_len(a, n);
	return n;
}
static __always_inline __u32 fc_kstr(struct fc_aux *a, const void *src, __u32 max)
{
	__u32 n = fc_raw_kstr(a, src, max);
	fc_len(a, n);
	return n;
}

/* BYTEBUF of LEN user bytes, LEN clamped to MAX (a constant); a fault gives an empty one. */
static __always_inline __u32 fc_ubuf(struct fc_aux *a, const void *src, __u64 len, __u32 max)
{
	__u32 p = a->pos;
	__u64 n = fc_clamp(len, max);
	if (n && bpf_probe_read_user(&a->data[FC_SAFE(p)], n, src))
		n = 0;
	a->pos = p + (__u32)n;
	fc_len(a, (__u32)n);
	return (__u32)n;
}

/* Writes the header and sends the event to this CPU's ring. */
static __always_inline void fc_submit(struct fc_aux *a)
{
	struct fc_counters *c = fc_ctr();
	__u32 len = a->pos;
	__u32 cat = a->cat;

	if (!c)
		return;
	c->seen++;
	if (a->pidx != a->nparams) {
		/* A builder pushed the wrong number of parameters: never send a malformed event. */
		c->build_err++;
		return;
	}
	if (len > FC_EVT_MAX_SIZE) {
		c->drops_max_size++;
		return;
	}
	*(__u64 *)&a->data[0] = fc_boot_time + bpf_ktime_get_boot_ns();
	*(__u64 *)&a->data[8] = a->tid;
	*(__u32 *)&a->data[16] = len;
	*(__u16 *)&a->data[20] = a->type;
	*(__u32 *)&a->data[22] = a->nparams;

	__u32 cpu = bpf_get_smp_processor_id();
	void *rb = bpf_map_lookup_elem(&fc_rings, &cpu);
	if (!rb) {
		c->drops_noring++;
		return;
	}
	if (bpf_ringbuf_output(rb, a->data, len, BPF_RB_NO_WAKEUP) == 0)
		c->sent++;
	else if (cat < FC_DROP_MAX_)
		c->drops_buf[cat]++;
}

#endif
