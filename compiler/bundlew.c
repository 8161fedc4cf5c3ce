/* bundlew.c — the bundle writer (runtime/bundle.h, format 1.0): rule records, output segments,
 * the per-event-code rule index, the kernel syscall selection and the metadata, then every
 * section serialised byte by byte in little-endian order (never a host struct), 8-aligned, in
 * increasing id order, behind the header and section table, with zlib's crc32. The same
 * input gives the same bytes on any host. Also the `dump --stage=kern` listing. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ir.h"
#include "le.h"

static void w8(struct fc_buf *b, uint8_t v)
{
	fc_buf_putc(b, (char)v);
}

/* Little-endian (le.h), through a small array, whatever the host's order. */
static void w16(struct fc_buf *b, uint16_t v)
{
	uint8_t t[2];
	wr16(t, v);
	fc_buf_add(b, (const char *)t, 2);
}

static void w32(struct fc_buf *b, uint32_t v)
{
	uint8_t t[4];
	wr32(t, v);
	fc_buf_add(b, (const char *)t, 4);
}

static void w64(struct fc_buf *b, uint64_t v)
{
	uint8_t t[8];
	wr64(t, v);
	fc_buf_add(b, (const char *)t, 8);
}

/* ---- syscall selection -------------------------------------------------------------------- */

/* What the state engine follows whatever the rules: process lifecycle, descriptor creation,
 * duplication and closing, credentials and namespaces (DESIGN.md, the split's invariant). */
static const char *const state_syscalls[] = {
	"clone", "fork", "vfork", "clone3", "execve", "execveat", "exit", "exit_group", "sched_process_exit",
	"close", "dup", "dup2", "dup3", "open", "openat", "openat2", "creat", "socket", "socketpair", "connect",
	"accept", "accept4", "bind", "listen", "pipe", "pipe2", "eventfd", "eventfd2", "signalfd", "signalfd4",
	"memfd_create", "timerfd_create", "inotify_init", "epoll_create", "chdir", "fchdir", "setuid", "setgid",
	"setresuid", "setresgid", "setsid", "setpgid", "prctl", "capset", "fcntl", "unshare", "setns",
};

uint32_t ir_ksel_words(void)
{
	uint32_t max = 0;
	for (size_t i = 0; i < fc_nsyscalls; i++)
		if (fc_syscalls[i].ppm_sc > max)
			max = fc_syscalls[i].ppm_sc;
	return (max + 64) / 64;
}

static void setbit(uint64_t *w, unsigned b)
{
	w[b / 64] |= (uint64_t)1 << (b % 64);
}

void ir_ksel(const struct ir_mod *m, uint32_t rule, bool state, uint64_t *w)
{
	uint32_t nw = ir_ksel_words();
	memset(w, 0, sizeof(uint64_t) * nw);
	fc_evtset codes = {0};
	for (uint32_t i = 0; i < m->nrules; i++) {
		const struct fc_crule *cr = m->rules[i].cr;
		if (rule == FC_NONE ? cr->rule->enabled : i == rule)
			fc_evtset_union(&codes, &cr->evts);
	}
	/* names of the matched events: a syscall is wanted when its event pair, or any older
	 * version of it (same name), can match */
	const char *names[FC_EVENT_MAX];
	unsigned nn = 0;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		const char *nm = fc_events[c].name;
		if (!fc_evtset_has(&codes, c) || !nm || !strcmp(nm, "NA"))
			continue;
		bool dup = false;
		for (unsigned i = 0; i < nn && !dup; i++)
			dup = !strcmp(names[i], nm);
		if (!dup)
			names[nn++] = nm;
	}
	bool generic = fc_evtset_has(&codes, FC_PPME_GENERIC_E) || fc_evtset_has(&codes, FC_PPME_GENERIC_X);
	for (size_t i = 0; i < fc_nsyscalls; i++) {
		const struct fc_syscall_info *s = &fc_syscalls[i];
		bool want = false;
		if (!s->enter_code) {
			want = generic && s->ppm_sc != 0; /* 0 is "unknown", no syscall */
		} else if (fc_evtset_has(&codes, s->enter_code) || fc_evtset_has(&codes, s->enter_code | 1u)) {
			want = true;
		} else {
			const char *nm = fc_events[s->enter_code].name;
			for (unsigned k = 0; k < nn && !want && nm; k++)
				want = !strcmp(names[k], nm);
		}
		if (want)
			setbit(w, s->ppm_sc);
	}
	if (state)
		for (size_t i = 0; i < sizeof state_syscalls / sizeof state_syscalls[0]; i++) {
			const struct fc_syscall_info *s = fc_syscall_by_name(state_syscalls[i]);
			if (s)
				setbit(w, s->ppm_sc);
		}
}

void ir_dump_kern(const struct ir_mod *m, const char *rule, FILE *out)
{
	uint32_t nw = ir_ksel_words(), r = FC_NONE;
	if (rule)
		for (uint32_t i = 0; i < m->nrules; i++)
			if (!strcmp(m->rules[i].cr->rule->name, rule))
				r = i;
	uint64_t *rw = calloc(nw, sizeof(uint64_t)), *all = calloc(nw, sizeof(uint64_t)),
		 *st = calloc(nw, sizeof(uint64_t));
	if (!rw || !all || !st)
		abort();
	ir_ksel(m, r, false, rw);
	ir_ksel(m, r, true, all);
	for (uint32_t i = 0; i < nw; i++)
		st[i] = all[i] & ~rw[i];
	struct fc_buf b = {0};
	unsigned nr = 0, ns = 0;
	for (uint32_t i = 0; i < nw * 64; i++) {
		nr += (rw[i / 64] >> (i % 64)) & 1;
		ns += (st[i / 64] >> (i % 64)) & 1;
	}
	fc_buf_printf(&b, "syscall selection%s%s%s: %u syscalls (%u for the rules, %u more for the state engine)\n",
		      rule ? " of rule '" : "", rule ? rule : "", rule ? "'" : "", nr + ns, nr, ns);
	for (int pass = 0; pass < 2; pass++) {
		const uint64_t *w = pass ? st : rw;
		fc_buf_puts(&b, pass ? "state:" : "rules:");
		unsigned col = 6;
		for (uint32_t i = 0; i < nw * 64; i++) {
			if (!((w[i / 64] >> (i % 64)) & 1))
				continue;
			const struct fc_syscall_info *s = fc_syscall_by_ppm_sc(i);
			const char *nm = s ? s->name : "?";
			if (col + strlen(nm) + 1 > 100) {
				fc_buf_puts(&b, "\n      ");
				col = 6;
			}
			fc_buf_printf(&b, " %s", nm);
			col += (unsigned)strlen(nm) + 1;
		}
		fc_buf_putc(&b, '\n');
	}
	fwrite(b.p, 1, b.len, out);
	fc_buf_free(&b);
	free(rw);
	free(all);
	free(st);
}

/* ---- sections ----------------------------------------------------------------------------- */

struct sect {
	uint32_t id, count;
	struct fc_buf b;
};

static void sec_strs(struct sect *s, const struct ir_pools *p)
{
	s->count = p->nstr;
	uint32_t off = 0; /* offsets count from the first string byte, after the records */
	for (uint32_t i = 0; i < p->nstr; i++) {
		w32(&s->b, off);
		w32(&s->b, p->slens[i]);
		off += p->slens[i] + 1;
	}
	for (uint32_t i = 0; i < p->nstr; i++) {
		fc_buf_add(&s->b, p->sbuf + p->soff[i], p->slens[i]);
		w8(&s->b, 0);
	}
}

static void sec_consts(struct sect *s, const struct ir_pools *p)
{
	s->count = p->nconst;
	for (uint32_t i = 0; i < p->nconst; i++)
		w64(&s->b, p->consts[i]);
}

static void sec_lists(struct sect *s, const struct ir_pools *p)
{
	s->count = p->nlist;
	for (uint32_t i = 0; i < p->nlist; i++) {
		w8(&s->b, p->lists[i].kind);
		w8(&s->b, 0);
		w16(&s->b, 0);
		w32(&s->b, p->lists[i].first);
		w32(&s->b, p->lists[i].n);
	}
	for (uint32_t i = 0; i < p->nitems; i++)
		w32(&s->b, p->items[i]);
}

static void sec_evsets(struct sect *s, const struct ir_pools *p)
{
	s->count = p->nevset;
	for (uint32_t i = 0; i < p->nevset; i++)
		for (uint32_t k = 0; k < FC_EVSET_WORDS; k++)
			w64(&s->b, p->evsets[i].w[k]);
}

static void sec_regex(struct sect *s, const struct ir_pools *p)
{
	s->count = p->nregex;
	for (uint32_t i = 0; i < p->nregex; i++) {
		w32(&s->b, p->regex[i].pat);
		w32(&s->b, p->regex[i].lit);
		w32(&s->b, p->regex[i].flags);
	}
}

static void sec_slots(struct sect *s, const struct ir_pools *p)
{
	s->count = p->nslot;
	for (uint32_t i = 0; i < p->nslot; i++) {
		const struct ir_slot *x = &p->slots[i];
		w8(&s->b, x->kind);
		w8(&s->b, x->xf);
		w8(&s->b, x->vtype);
		w8(&s->b, x->sflags);
		w32(&s->b, x->name);
		w32(&s->b, x->arg);
		w32(&s->b, x->first);
		w32(&s->b, x->n);
		w32(&s->b, x->text);
	}
	for (uint32_t i = 0; i < p->nsargs; i++)
		w32(&s->b, p->sargs[i]);
}

static void sec_code(struct sect *s, const struct ir_out *o)
{
	s->count = o->ncode;
	for (uint32_t i = 0; i < o->ncode; i++) {
		const struct fc_binsn *in = &o->code[i];
		w8(&s->b, in->op);
		w8(&s->b, in->aux);
		w16(&s->b, in->slot);
		w32(&s->b, in->k);
		w16(&s->b, in->jt);
		w16(&s->b, in->jf);
	}
}

static void sec_progs(struct sect *s, const struct ir_out *o)
{
	s->count = o->nprogs;
	for (uint32_t i = 0; i < o->nprogs; i++) {
		w32(&s->b, o->progs[i].start);
		w32(&s->b, o->progs[i].len);
		w32(&s->b, o->progs[i].kind);
		w32(&s->b, o->progs[i].depth);
	}
}

static void sec_srcmap(struct sect *s, const struct ir_out *o)
{
	s->count = o->ncode;
	for (uint32_t i = 0; i < o->ncode; i++) {
		w32(&s->b, o->src[i].prog);
		w32(&s->b, o->src[i].file);
		w32(&s->b, o->src[i].line);
		w32(&s->b, o->src[i].col);
	}
}

/* Rules, their tags and output segments (which may add output-only slots and strings). */
static void sec_rules(struct ir_mod *m, struct ir_out *o, struct sect *rs, struct sect *of)
{
	struct fc_buf tags = {0};
	uint32_t ntags = 0, nseg = 0;
	rs->count = m->nrules;
	for (uint32_t i = 0; i < m->nrules; i++) {
		const struct ir_rule *r = &m->rules[i];
		const struct fc_rule *ru = r->cr->rule;
		uint32_t out_first = nseg;
		for (uint32_t k = 0; k < r->cr->nout; k++) {
			const struct fc_fmtseg *sg = &r->cr->out[k];
			if (sg->lit) {
				w8(&of->b, FC_OK_LIT);
				w8(&of->b, 0);
				w16(&of->b, 0);
				w32(&of->b, ir_cstr(&o->p, sg->lit));
				w32(&of->b, 0);
			} else {
				uint32_t slot = ir_out_slot(m, o, r->out_slot[k]);
				w8(&of->b, FC_OK_FIELD);
				w8(&of->b, sg->expr->kind == FC_AST_FIELD); /* transformer tokens stay out of output_fields */
				w16(&of->b, (uint16_t)(sg->width > 0xFFFF ? 0xFFFF : sg->width));
				w32(&of->b, slot);
				w32(&of->b, o->p.slots[slot].text);
			}
			nseg++;
		}
		uint32_t tags_first = ntags;
		for (uint32_t t = 0; t < ru->ntags; t++) {
			w32(&tags, ir_cstr(&o->p, ru->tags[t]));
			ntags++;
		}
		uint32_t file = ru->loc.src ? ir_cstr(&o->p, ru->loc.src->name) : 0;
		w32(&rs->b, ir_cstr(&o->p, ru->name));
		w32(&rs->b, ir_str(&o->p, ru->desc.s ? ru->desc.s : "", ru->desc.len));
		w32(&rs->b, ir_cstr(&o->p, ru->source));
		w32(&rs->b, r->prog);
		w8(&rs->b, (uint8_t)ru->priority);
		w8(&rs->b, ru->enabled);
		w16(&rs->b, 0);
		w32(&rs->b, tags_first);
		w32(&rs->b, ru->ntags);
		w32(&rs->b, out_first);
		w32(&rs->b, r->cr->nout);
		w32(&rs->b, file);
		w32(&rs->b, ru->loc.line);
		w32(&rs->b, ir_evset(&o->p, &r->cr->evts));
	}
	fc_buf_add(&rs->b, tags.p ? tags.p : "", tags.len);
	fc_buf_free(&tags);
	of->count = nseg;
}

static void sec_index(const struct ir_mod *m, struct sect *s)
{
	s->count = FC_EVENT_MAX;
	uint32_t first = 0;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		uint32_t n = 0;
		for (uint32_t i = 0; i < m->nrules; i++)
			n += fc_evtset_has(&m->rules[i].cr->evts, c);
		w32(&s->b, first);
		w32(&s->b, n);
		first += n;
	}
	for (unsigned c = 0; c < FC_EVENT_MAX; c++)
		for (uint32_t i = 0; i < m->nrules; i++)
			if (fc_evtset_has(&m->rules[i].cr->evts, c))
				w32(&s->b, i);
}

static void sec_ksel(const struct ir_mod *m, struct sect *s)
{
	uint32_t nw = ir_ksel_words();
	uint64_t *w = calloc(nw, sizeof(uint64_t));
	if (!w)
		abort();
	ir_ksel(m, FC_NONE, true, w);
	s->count = nw;
	for (uint32_t i = 0; i < nw; i++)
		w64(&s->b, w[i]);
	free(w);
}

static void sec_meta(const struct ir_mod *m, struct ir_out *o, struct sect *s)
{
	const struct fc_ruleset *rs = m->c->rs;
	s->count = 2 + rs->nfiles;
	w32(&s->b, ir_cstr(&o->p, "falcoc 0.1"));
	w32(&s->b, ir_cstr(&o->p, FC_ENGINE_VERSION));
	for (uint32_t i = 0; i < rs->nfiles; i++)
		w32(&s->b, ir_cstr(&o->p, rs->files[i]->name));
}

bool ir_write_bundle(struct ir_mod *m, struct ir_out *o, struct fc_buf *out)
{
	enum { NS_MAX = 15 };
	struct sect s[NS_MAX];
	/* FC_SEC_KPROG (index 13) only when the split stage ran: the others keep their places */
	static const uint32_t ids[NS_MAX] = {FC_SEC_STRS, FC_SEC_CONSTS, FC_SEC_LISTS, FC_SEC_EVSETS, FC_SEC_REGEX,
					     FC_SEC_SLOTS, FC_SEC_CODE, FC_SEC_PROGS, FC_SEC_RULES, FC_SEC_OUTFMT,
					     FC_SEC_INDEX, FC_SEC_SRCMAP, FC_SEC_KSEL, FC_SEC_KPROG, FC_SEC_META};
	memset(s, 0, sizeof s);
	for (int i = 0; i < NS_MAX; i++)
		s[i].id = ids[i];
	/* everything that interns into the final pools first, the pools last */
	sec_rules(m, o, &s[8], &s[9]);
	sec_meta(m, o, &s[14]);
	if (m->kprog_built) {
		s[13].count = m->kprog_count;
		if (m->kprog_len)
			fc_buf_add(&s[13].b, (const char *)m->kprog, m->kprog_len);
	}
	sec_index(m, &s[10]);
	sec_ksel(m, &s[12]);
	sec_code(&s[6], o);
	sec_progs(&s[7], o);
	sec_srcmap(&s[11], o);
	sec_evsets(&s[3], &o->p);
	sec_regex(&s[4], &o->p);
	sec_slots(&s[5], &o->p);
	sec_lists(&s[2], &o->p);
	sec_consts(&s[1], &o->p);
	sec_strs(&s[0], &o->p);
	int NS = NS_MAX;
	if (!m->kprog_built) {
		s[13] = s[14];
		NS = NS_MAX - 1;
	}

	size_t base = out->len;
	uint32_t off[NS_MAX];
	size_t pos = FC_BUNDLE_HDR_LEN + 16 * NS;
	for (int i = 0; i < NS; i++) {
		pos = (pos + 7) & ~(size_t)7;
		off[i] = (uint32_t)pos;
		pos += s[i].b.len;
	}
	bool ok = pos <= UINT32_MAX;
	struct fc_buf *b = out;
	fc_buf_add(b, FC_BUNDLE_MAGIC, 8);
	w16(b, FC_BUNDLE_MAJOR);
	w16(b, FC_BUNDLE_MINOR);
	w32(b, 0);
	w64(b, pos);
	w32(b, NS);
	w32(b, 0); /* crc32, patched below */
	for (int i = 0; i < 32; i++)
		w8(b, 0);
	for (int i = 0; i < NS; i++) {
		w32(b, s[i].id);
		w32(b, s[i].count);
		w32(b, off[i]);
		w32(b, (uint32_t)s[i].b.len);
	}
	for (int i = 0; i < NS; i++) {
		while (out->len - base < off[i])
			w8(b, 0);
		fc_buf_add(b, s[i].b.p ? s[i].b.p : "", s[i].b.len);
		fc_buf_free(&s[i].b);
	}
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, (const Bytef *)out->p + base + 32, (uInt)(out->len - base - 32));
	wr32((uint8_t *)out->p + base + 28, (uint32_t)crc);
	return ok;
}
