/* record.c — falcod's capture recorder (record.h) on top of the capture writer. */
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "scapw.h"

struct fc_recorder {
	struct fc_scapw *w;
	bool matched_only;
	char path[4096];
};

int fc_record_open(const char *path, bool matched_only, struct fc_recorder **out, char *err, size_t errlen)
{
	*out = NULL;
	struct fc_recorder *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	/* A name ending in .gz is compressed; plain otherwise (what sysdig -w writes). */
	size_t n = strlen(path);
	bool gz = n > 3 && !strcmp(path + n - 3, ".gz");
	if (fc_scapw_open(path, gz, &r->w, err, errlen) != 0) {
		free(r);
		return -1;
	}
	r->matched_only = matched_only;
	snprintf(r->path, sizeof r->path, "%s", path);
	*out = r;
	return 0;
}

static int rec_proc(void *ctx, const struct fc_cap_proc *p)
{
	return fc_scapw_proc(ctx, p);
}

/* fd types newer than FDL v2's original set (bpf, userfaultfd, io_uring, memfd, pidfd) make
 * older readers (Debian's sysdig 0.29) refuse the whole capture: live recordings write them as
 * "unsupported", which every reader accepts (their names stay). */
static int rec_fd(void *ctx, const struct fc_cap_fd *fd)
{
	struct fc_cap_fd f = *fd;
	if (f.type > FC_FD_FILE_V2)
		f.type = FC_FD_UNSUPPORTED;
	return fc_scapw_fd(ctx, &f);
}

int fc_record_live_start(struct fc_recorder *r, struct fc_state *st)
{
	struct fc_cap_machine mi = {.present = true};
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	mi.num_cpus = ncpu > 0 ? (uint32_t)ncpu : 1;
	struct sysinfo si;
	if (sysinfo(&si) == 0) {
		mi.memory_size_bytes = (uint64_t)si.totalram * si.mem_unit;
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		mi.boot_ts_epoch = ((uint64_t)now.tv_sec - (uint64_t)si.uptime) * 1000000000u;
	}
	mi.max_pid = 4194304;
	if (gethostname(mi.hostname, sizeof mi.hostname - 1) != 0)
		mi.hostname[0] = 0;
	if (fc_scapw_machine(r->w, &mi) != 0)
		return -1;
	return fc_state_dump(st, rec_proc, rec_fd, r->w);
}

int fc_record_machine(struct fc_recorder *r, const struct fc_cap_machine *mi)
{
	return mi && mi->present ? fc_scapw_machine(r->w, mi) : 0;
}

int fc_record_proc(struct fc_recorder *r, const struct fc_cap_proc *p)
{
	return fc_scapw_proc(r->w, p);
}

int fc_record_fd(struct fc_recorder *r, const struct fc_cap_fd *fd)
{
	return fc_scapw_fd(r->w, fd);
}

int fc_record_event(struct fc_recorder *r, const struct fc_evt *raw, const struct fc_evt *merged, bool matched)
{
	if (!r->matched_only)
		return fc_scapw_event(r->w, raw, 0);
	if (!merged)
		return 0;
	/* Besides the matches, the events that build state (processes, fds) are kept, so the
	 * alerts replay with the same process and file names. */
	const uint32_t state = FC_EF_MODIFIES_STATE | FC_EF_CREATES_FD | FC_EF_DESTROYS_FD;
	if (matched || (merged->info->flags & state))
		return fc_scapw_event(r->w, merged, 0);
	return 0;
}

int fc_record_close(struct fc_recorder *r, FILE *summary, char *err, size_t errlen)
{
	const struct fc_scapw_stats *s = fc_scapw_stats(r->w);
	unsigned long long ev = s->events, refused = s->events_refused, procs = s->procs, fds = s->fds,
			   bytes = s->bytes, cut = s->truncated;
	int rc = fc_scapw_close(r->w, err, errlen);
	if (summary && rc == 0)
		fprintf(summary,
			"   recorded: %s: %llu events (%llu refused), %llu processes, %llu fds, %llu bytes, %llu "
			"table strings cut to libscap's limits\n",
			r->path, ev, refused, procs, fds, bytes, cut);
	free(r);
	return rc;
}
