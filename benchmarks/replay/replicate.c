/* replicate.c — makes a big .scap for throughput benchmarks out of a small real one: the blocks
 * before the first event (section header, machine info, process, fd, interface and user lists)
 * are copied once, then the event blocks are written again and again, each repetition's
 * timestamps shifted past the previous one's, until the requested number of events is reached.
 * Works at the block level (type, length, body, trailing length), so it needs no capture writer
 * and keeps every event byte-identical except its timestamp. Non-event blocks found between
 * events are kept in the first repetition only.
 *
 * --drop NAME,... leaves out the events of those types (by evt.type name, both directions), for
 * a denser capture where a larger share of events reaches the rules; types that create, destroy
 * or change state (fds, threads) are refused, so the thread and fd tables stay consistent.
 *
 * The output is plain (uncompressed) and is read back with fcruntime's capture reader, which
 * must return exactly the events written (--no-verify skips this).
 *
 * Usage: replicate [-n EVENTS] [--drop NAME,...] [--no-verify] IN.scap OUT.scap
 *        (EVENTS default 1000000) */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "capture.h"
#include "events.h"
#include "le.h"

struct blk {
	size_t off, len; /* in the input buffer */
	bool event;
	size_t ts_off;   /* event blocks: offset of the u64 timestamp inside the block */
	uint16_t type;   /* event blocks: event code */
};

static bool g_drop[FC_EVENT_MAX];

/* Marks every event code named NAME (enter and exit) as dropped; 0, or -1 if NAME is unknown or
 * names a state-changing event. */
static int drop_name(const char *name)
{
	const uint32_t state = FC_EF_CREATES_FD | FC_EF_DESTROYS_FD | FC_EF_MODIFIES_STATE;
	int found = 0;
	for (int c = 0; c < FC_EVENT_MAX; c++) {
		if (strcmp(fc_events[c].name, name))
			continue;
		if (fc_events[c].flags & state) {
			fprintf(stderr, "replicate: --drop %s: changes thread or fd state, cannot be dropped\n", name);
			return -1;
		}
		g_drop[c] = true;
		found = 1;
	}
	if (!found)
		fprintf(stderr, "replicate: --drop %s: no such event type\n", name);
	return found ? 0 : -1;
}

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "replicate: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(1);
}

/* The whole input, gunzipped if needed (gzread passes plain files through). */
static unsigned char *slurp(const char *path, size_t *len)
{
	gzFile g = gzopen(path, "rb");
	if (!g)
		die("%s: %s", path, strerror(errno));
	size_t cap = 1 << 20, n = 0;
	unsigned char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			die("%s: %s", path, "out of memory");
		int r = gzread(g, buf + n, (unsigned)(cap - n));
		if (r < 0)
			die("%s: read error %s", path, gzerror(g, &r));
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	gzclose(g);
	*len = n;
	return buf;
}

/* Event blocks and where their timestamp lives: EV (cpuid u16, then the event header whose
 * first field is ts) and EVF (cpuid u16, flags u32, then the event header). */
static bool event_block(uint32_t type, size_t *ts_off)
{
	switch (type) {
	case FC_BLK_EV:
	case FC_BLK_EV_INT:
	case FC_BLK_EV_V2:
	case FC_BLK_EV_V2_LARGE:
		*ts_off = 8 + 2;
		return true;
	case FC_BLK_EVF:
	case FC_BLK_EVF_V2:
	case FC_BLK_EVF_V2_LARGE:
		*ts_off = 8 + 2 + 4;
		return true;
	default:
		return false;
	}
}

static struct blk *split(const char *path, const unsigned char *b, size_t n, size_t *count)
{
	size_t cap = 1024, k = 0;
	struct blk *v = malloc(cap * sizeof *v);
	if (n < 28 || rd32(b) != FC_BLK_SHB || rd32(b + 8) != 0x1A2B3C4Du)
		die("%s: %s", path, "not a little-endian .scap file (no section header)");
	for (size_t off = 0; off < n;) {
		char at[64];
		snprintf(at, sizeof at, "block at offset %zu", off);
		if (n - off < 12)
			die("%s: truncated %s", path, at);
		uint32_t type = rd32(b + off), len = rd32(b + off + 4);
		if (len < 12 || len % 4 || len > n - off || rd32(b + off + len - 4) != len)
			die("%s: corrupt %s", path, at);
		if (k == cap)
			v = realloc(v, (cap *= 2) * sizeof *v);
		if (!v)
			die("%s: %s", path, "out of memory");
		struct blk bl = {off, len, false, 0, 0};
		bl.event = event_block(type, &bl.ts_off);
		if (bl.event && len < bl.ts_off + 22 + 4)
			die("%s: event %s too short", path, at);
		if (bl.event) /* ts u64, tid u64, len u32, then the type */
			bl.type = (uint16_t)(b[off + bl.ts_off + 20] | b[off + bl.ts_off + 21] << 8);
		v[k++] = bl;
		off += len;
	}
	*count = k;
	return v;
}

int main(int argc, char **argv)
{
	uint64_t want = 1000000;
	bool verify = true;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			want = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--drop") && i + 1 < argc) {
			char *list = argv[++i];
			for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
				if (drop_name(tok))
					return 2;
		} else if (!strcmp(argv[i], "--no-verify"))
			verify = false;
		else
			break;
	}
	if (argc - i != 2 || want == 0) {
		fprintf(stderr, "usage: replicate [-n EVENTS] [--drop NAME,...] [--no-verify] IN.scap OUT.scap\n");
		return 2;
	}
	const char *in = argv[i], *out = argv[i + 1];
	size_t n, nb;
	unsigned char *buf = slurp(in, &n);
	struct blk *bl = split(in, buf, n, &nb);

	size_t first = nb;
	uint64_t dropped = 0;
	for (size_t k = 0; k < nb; k++)
		if (bl[k].event && bl[k].type < FC_EVENT_MAX && g_drop[bl[k].type]) {
			bl[k].len = 0; /* written as nothing */
			dropped++;
		}
	uint64_t per_rep = 0, ts_min = UINT64_MAX, ts_max = 0;
	for (size_t k = 0; k < nb; k++) {
		if (!bl[k].event || bl[k].len == 0)
			continue;
		if (first == nb)
			first = k;
		per_rep++;
		uint64_t ts = rd64(buf + bl[k].off + bl[k].ts_off);
		ts_min = ts < ts_min ? ts : ts_min;
		ts_max = ts > ts_max ? ts : ts_max;
	}
	if (per_rep == 0)
		die("%s: %s", in, "no event blocks");
	/* One microsecond between the last event of a repetition and the first of the next. */
	uint64_t span = ts_max - ts_min + 1000;

	FILE *f = fopen(out, "wb");
	if (!f)
		die("%s: %s", out, strerror(errno));
	for (size_t k = 0; k < first; k++)
		fwrite(buf + bl[k].off, 1, bl[k].len, f);
	uint64_t written = 0, reps = 0;
	for (uint64_t rep = 0; written < want; rep++, reps++) {
		for (size_t k = first; k < nb && written < want; k++) {
			unsigned char *b = buf + bl[k].off;
			if (bl[k].len == 0)
				continue;
			if (!bl[k].event) {
				if (rep == 0)
					fwrite(b, 1, bl[k].len, f);
				continue;
			}
			unsigned char saved[8];
			memcpy(saved, b + bl[k].ts_off, 8);
			wr64(b + bl[k].ts_off, rd64(saved) + rep * span);
			fwrite(b, 1, bl[k].len, f);
			memcpy(b + bl[k].ts_off, saved, 8);
			written++;
		}
	}
	if (ferror(f) | fclose(f))
		die("%s: write error: %s", out, strerror(errno));
	printf("replicate: %s -> %s: %llu events (%llu per repetition, %llu repetitions, %llu of the "
	       "sample's events dropped)\n", in, out, (unsigned long long)written, (unsigned long long)per_rep,
	       (unsigned long long)reps, (unsigned long long)dropped);

	if (verify) {
		char err[256];
		struct fc_capture *cap;
		if (fc_capture_open(out, &cap, err, sizeof err))
			die("verify: %s%s", err, "");
		struct fc_cap_item it;
		int r;
		while ((r = fc_capture_next(cap, &it)) > 0)
			;
		const struct fc_cap_stats *st = fc_capture_stats(cap);
		if (r < 0)
			die("verify: %s%s", fc_capture_error(cap), "");
		if (st->events + st->events_malformed + st->events_unknown != written)
			die("verify: %s%s", "event count read back differs from the count written", "");
		printf("replicate: verified with fcruntime's reader: %llu events, %llu procs, %llu fds\n",
		       (unsigned long long)st->events, (unsigned long long)st->procs,
		       (unsigned long long)st->fds);
		fc_capture_close(cap);
	}
	free(bl);
	free(buf);
	return 0;
}
