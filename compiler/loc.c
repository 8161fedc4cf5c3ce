/* loc.c — line tables and piecewise source maps (loc.h). */
#include "loc.h"

#include <stdlib.h>
#include <string.h>

static void build_lines(struct fc_source *src)
{
	uint32_t n = 1;
	for (size_t i = 0; i < src->len; i++)
		if (src->text[i] == '\n')
			n++;
	src->line_off = malloc(sizeof(uint32_t) * n);
	if (!src->line_off)
		abort();
	uint32_t k = 0;
	src->line_off[k++] = 0;
	for (size_t i = 0; i < src->len; i++)
		if (src->text[i] == '\n')
			src->line_off[k++] = (uint32_t)i + 1;
	src->nlines = n;
}

struct fc_loc fc_loc_at(struct fc_source *src, uint32_t off)
{
	struct fc_loc l = {src, off, 0, 0};
	if (!src)
		return l;
	if (!src->line_off)
		build_lines(src);
	if (off > src->len)
		off = (uint32_t)src->len;
	uint32_t lo = 0, hi = src->nlines;
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if (src->line_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	l.off = off;
	l.line = lo + 1;
	l.col = off - src->line_off[lo] + 1;
	return l;
}

const char *fc_loc_line(const struct fc_loc *loc, size_t *len)
{
	if (!loc->src || !loc->src->line_off) {
		*len = 0;
		return "";
	}
	const struct fc_source *s = loc->src;
	uint32_t start = s->line_off[loc->line - 1];
	uint32_t end = loc->line < s->nlines ? s->line_off[loc->line] - 1 : (uint32_t)s->len;
	if (end > start && s->text[end - 1] == '\r')
		end--;
	*len = end - start;
	return s->text + start;
}

void fc_srcmap_add(struct fc_srcmap *m, struct fc_source *file, uint32_t at, uint32_t src, bool fixed)
{
	if (m->n && m->seg[m->n - 1].at == at) { /* a later segment at the same offset wins */
		m->seg[m->n - 1] = (struct fc_srcseg){at, src, fixed, file};
		return;
	}
	if (m->n && fixed && m->seg[m->n - 1].fixed && m->seg[m->n - 1].file == file && m->seg[m->n - 1].src == src)
		return; /* continues the previous fixed segment */
	if (m->n && !fixed && !m->seg[m->n - 1].fixed && m->seg[m->n - 1].file == file &&
	    m->seg[m->n - 1].src + (at - m->seg[m->n - 1].at) == src)
		return; /* continues the previous linear segment */
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->seg = realloc(m->seg, m->cap * sizeof(*m->seg));
		if (!m->seg)
			abort();
	}
	m->seg[m->n++] = (struct fc_srcseg){at, src, fixed, file};
}

static const struct fc_srcseg *find(const struct fc_srcmap *m, uint32_t off)
{
	if (!m->n)
		return NULL;
	uint32_t lo = 0, hi = m->n;
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if (m->seg[mid].at <= off)
			lo = mid;
		else
			hi = mid;
	}
	return &m->seg[lo];
}

uint32_t fc_srcmap_off(const struct fc_srcmap *m, uint32_t off)
{
	const struct fc_srcseg *s = find(m, off);
	if (!s)
		return off;
	return s->fixed ? s->src : s->src + (off - s->at);
}

struct fc_loc fc_srcmap_loc(const struct fc_srcmap *m, uint32_t off)
{
	const struct fc_srcseg *s = find(m, off);
	if (!s)
		return (struct fc_loc){0};
	return fc_loc_at(s->file, s->fixed ? s->src : s->src + (off - s->at));
}

void fc_srcmap_append(struct fc_srcmap *m, const struct fc_srcmap *src, uint32_t at)
{
	for (uint32_t i = 0; i < src->n; i++)
		fc_srcmap_add(m, src->seg[i].file, at + src->seg[i].at, src->seg[i].src, src->seg[i].fixed);
}

void fc_srcmap_compose(struct fc_srcmap *out, const struct fc_srcmap *outer, const struct fc_srcmap *inner)
{
	for (uint32_t i = 0; i < outer->n; i++) {
		const struct fc_srcseg *o = &outer->seg[i];
		uint32_t end = i + 1 < outer->n ? outer->seg[i + 1].at : UINT32_MAX;
		const struct fc_srcseg *first = find(inner, o->src);
		struct fc_source *file = first ? first->file : NULL;
		if (o->fixed) {
			fc_srcmap_add(out, file, o->at, fc_srcmap_off(inner, o->src), true);
			continue;
		}
		/* a linear outer segment may span several inner segments */
		fc_srcmap_add(out, file, o->at, fc_srcmap_off(inner, o->src), first && first->fixed);
		/* inner segments are sorted: start after the one holding o->src */
		for (uint32_t j = first ? (uint32_t)(first - inner->seg) + 1 : 0; j < inner->n; j++) {
			const struct fc_srcseg *in = &inner->seg[j];
			uint32_t at = o->at + (in->at - o->src);
			if (at >= end || at < o->at)
				break;
			fc_srcmap_add(out, in->file, at, in->src, in->fixed);
		}
	}
}

void fc_srcmap_free(struct fc_srcmap *m)
{
	free(m->seg);
	m->seg = NULL;
	m->n = m->cap = 0;
}
