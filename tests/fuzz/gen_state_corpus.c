/* gen_state_corpus.c — writes the seed corpus of fuzz_state (tests/fuzz/corpus/state/) from
 * real captures: each seed is a slice of one capture in the record format of staterec.h — the
 * processes and fds of the capture's tables that the slice's events touch (capped), then a run
 * of consecutive events, enter and exit, as the reader returns them. Run once; the output is
 * committed. Usage: fuzz_state_corpus OUTDIR CAPTURE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "staterec.h"

#define EVENTS_PER_SEED 24
#define MAX_PROCS 12
#define MAX_FDS 24
#define SEEDS_PER_CAPTURE 6

struct out {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct out *o, const void *b, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2;
		o->p = realloc(o->p, o->cap);
		if (!o->p)
			abort();
	}
	memcpy(o->p + o->len, b, n);
	o->len += n;
}

static void put_u(struct out *o, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++) {
		uint8_t b = (uint8_t)(v >> (8 * i));
		put(o, &b, 1);
	}
}

static void put_str(struct out *o, struct fc_cap_str s)
{
	uint32_t n = s.len > 0xffff ? 0xffff : s.len;
	put_u(o, n, 2);
	put(o, s.p, n);
}

static void record(struct out *o, unsigned kind, const struct out *body)
{
	size_t n = body->len > 0xffff ? 0xffff : body->len;
	put_u(o, kind, 1);
	put_u(o, n, 2);
	put(o, body->p, n);
}

static void rec_proc(struct out *o, const struct fc_cap_proc *p)
{
	struct out b = {0};
	put_u(&b, p->version, 1);
	put_u(&b, p->has, 4);
	put_u(&b, p->tid, 8);
	put_u(&b, p->pid, 8);
	put_u(&b, p->ptid, 8);
	put_u(&b, (uint64_t)p->sid, 8);
	put_u(&b, (uint64_t)p->vpgid, 8);
	put_u(&b, (uint64_t)p->vtid, 8);
	put_u(&b, (uint64_t)p->vpid, 8);
	put_u(&b, (uint64_t)p->pgid, 8);
	put_u(&b, p->fdlimit, 8);
	put_u(&b, p->flags, 4);
	put_u(&b, p->uid, 4);
	put_u(&b, p->gid, 4);
	put_u(&b, p->vmsize_kb, 4);
	put_u(&b, p->vmrss_kb, 4);
	put_u(&b, p->vmswap_kb, 4);
	put_u(&b, p->pfmajor, 8);
	put_u(&b, p->pfminor, 8);
	put_u(&b, p->pidns_init_start_ts, 8);
	put_u(&b, p->tty, 4);
	put_u(&b, p->loginuid, 4);
	put_u(&b, (unsigned)p->exe_writable | (unsigned)p->exe_upper_layer << 1 | (unsigned)p->exe_from_memfd << 2 |
			  (unsigned)p->exe_lower_layer << 3, 1);
	put_u(&b, p->cap_inheritable, 8);
	put_u(&b, p->cap_permitted, 8);
	put_u(&b, p->cap_effective, 8);
	put_u(&b, p->exe_ino, 8);
	put_u(&b, p->exe_ino_ctime, 8);
	put_u(&b, p->exe_ino_mtime, 8);
	put_str(&b, p->comm);
	put_str(&b, p->exe);
	put_str(&b, p->exepath);
	put_str(&b, p->args);
	put_str(&b, p->cwd);
	put_str(&b, p->env);
	put_str(&b, p->cgroups);
	put_str(&b, p->root);
	record(o, SR_PROC, &b);
	free(b.p);
}

static void rec_fd(struct out *o, const struct fc_cap_fd *f)
{
	struct out b = {0};
	put_u(&b, f->version, 1);
	put_u(&b, f->tid, 8);
	put_u(&b, (uint64_t)f->fd, 8);
	put_u(&b, f->ino, 8);
	put_u(&b, f->type, 1);
	put_u(&b, f->l4proto, 1);
	put_u(&b, f->sport, 2);
	put_u(&b, f->dport, 2);
	put(&b, f->sip, 16);
	put(&b, f->dip, 16);
	put_u(&b, f->unix_src, 8);
	put_u(&b, f->unix_dst, 8);
	put_u(&b, f->open_flags, 4);
	put_u(&b, f->dev, 4);
	put_u(&b, f->has_dev, 1);
	put(&b, f->name.p, f->name.len);
	record(o, SR_FD, &b);
	free(b.p);
}

/* Events keep their own header form: the v1 ones (22 bytes) as such. */
static void rec_evt(struct out *o, const struct fc_evt *e)
{
	struct out b = {0};
	put(&b, e->raw, e->len);
	record(o, e->hdr_len == FC_EVT_HDR_V1_LEN ? SR_EVT_V1 : SR_EVT, &b);
	free(b.p);
}

/* Items are copied out of the reader (its views die at the next item). */
struct saved {
	struct out rec;
	uint64_t tid;
};

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUTDIR CAPTURE...\n", argv[0]);
		return 2;
	}
	for (int a = 2; a < argc; a++) {
		struct fc_capture *cap;
		char err[256];
		if (fc_capture_open(argv[a], &cap, err, sizeof err)) {
			fprintf(stderr, "%s: %s\n", argv[a], err);
			return 1;
		}
		struct saved *procs = NULL, *fds = NULL;
		size_t nprocs = 0, nfds = 0, nevents = 0;
		struct out evs = {0};
		uint64_t evtids[EVENTS_PER_SEED];
		int seeds = 0;
		const char *base = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
		struct fc_cap_item it;
		int r;
		/* Seeds are spread over the capture: one slice every STRIDE events. */
		size_t seen = 0, stride = 0;
		while ((r = fc_capture_next(cap, &it)) == 1 && seeds < SEEDS_PER_CAPTURE) {
			if (it.kind == FC_CAP_PROC) {
				procs = realloc(procs, sizeof *procs * (nprocs + 1));
				procs[nprocs] = (struct saved){{0}, it.proc.tid};
				rec_proc(&procs[nprocs++].rec, &it.proc);
				continue;
			}
			if (it.kind == FC_CAP_FD) {
				fds = realloc(fds, sizeof *fds * (nfds + 1));
				fds[nfds] = (struct saved){{0}, it.fd.tid};
				rec_fd(&fds[nfds++].rec, &it.fd);
				continue;
			}
			if (!stride)
				stride = strstr(base, "psp") ? 600 : strstr(base, "ipv6") ? 250 : 60;
			if (seen++ % stride >= EVENTS_PER_SEED && nevents == 0)
				continue;
			evtids[nevents++] = it.ev.evt.tid;
			rec_evt(&evs, &it.ev.evt);
			if (nevents < EVENTS_PER_SEED)
				continue;
			/* the slice is full: tables of the threads it touches, then its events */
			struct out seed = {0};
			size_t np = 0, nf = 0;
			for (size_t i = 0; i < nprocs && np < MAX_PROCS; i++)
				for (size_t k = 0; k < nevents; k++)
					if (procs[i].tid == evtids[k]) {
						put(&seed, procs[i].rec.p, procs[i].rec.len);
						np++;
						break;
					}
			for (size_t i = 0; i < nfds && nf < MAX_FDS; i++)
				for (size_t k = 0; k < nevents; k++)
					if (fds[i].tid == evtids[k]) {
						put(&seed, fds[i].rec.p, fds[i].rec.len);
						nf++;
						break;
					}
			put(&seed, evs.p, evs.len);
			char path[1024];
			snprintf(path, sizeof path, "%s/%.*s_%d", argv[1], (int)(strlen(base) - 5), base, seeds++);
			FILE *f = fopen(path, "wb");
			if (!f || fwrite(seed.p, 1, seed.len, f) != seed.len) {
				perror(path);
				return 1;
			}
			fclose(f);
			free(seed.p);
			evs.len = 0;
			nevents = 0;
		}
		if (r < 0)
			fprintf(stderr, "%s: %s\n", argv[a], fc_capture_error(cap));
		for (size_t i = 0; i < nprocs; i++)
			free(procs[i].rec.p);
		for (size_t i = 0; i < nfds; i++)
			free(fds[i].rec.p);
		free(procs);
		free(fds);
		free(evs.p);
		fc_capture_close(cap);
	}
	return 0;
}
