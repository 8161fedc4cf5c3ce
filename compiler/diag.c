/* diag.c — collecting diagnostics (deduplicated) and rendering them: our caret layout, Falco's
 * `-V` text layout and Falco's JSON layout (LANGUAGE.md §10). */
#include "diag.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name, *short_, *long_;
	bool err;
} codes[FC_DIAG_MAX_] = {
#define DIAG(code, err, short_, long_) [FC_##code] = {#code, short_, long_, err},
#include "diagcodes.def"
#undef DIAG
};

const char *fc_diag_code_name(enum fc_diag_code c) { return codes[c].name; }
const char *fc_diag_code_short(enum fc_diag_code c) { return codes[c].short_; }
const char *fc_diag_code_long(enum fc_diag_code c) { return codes[c].long_; }
bool fc_diag_code_is_error(enum fc_diag_code c) { return codes[c].err; }

void fc_diags_init(struct fc_diags *d, struct fc_arena *a)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
	d->tail = &d->head;
}

static bool same_pos(struct fc_loc a, struct fc_loc b)
{
	return a.src == b.src && a.off == b.off && a.line == b.line && a.col == b.col;
}

static size_t diag_hash(enum fc_diag_code code, struct fc_loc loc, const char *file, const char *msg)
{
	size_t h = 1469598103934665603u ^ (size_t)code;
	h = (h ^ (size_t)(uintptr_t)loc.src) * 1099511628211u;
	h = (h ^ loc.off) * 1099511628211u;
	h = (h ^ loc.line) * 1099511628211u;
	h = (h ^ loc.col) * 1099511628211u;
	if (!loc.src)
		h = (h ^ (size_t)(uintptr_t)file) * 1099511628211u;
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return h;
}

static bool same_diag(const struct fc_diag *e, enum fc_diag_code code, struct fc_loc loc, const char *file,
		      const char *msg)
{
	return e->code == code && same_pos(e->loc, loc) && (loc.src || e->file == file) && !strcmp(e->msg, msg);
}

/* The set grows by doubling into the arena (the old table is abandoned there): a hostile
 * ruleset can raise tens of thousands of diagnostics, so a scan per new one is quadratic. */
static void seen_insert(struct fc_diags *d, struct fc_diag *g, size_t h)
{
	if ((d->nseen + 1) * 2 > d->capseen) {
		size_t cap = d->capseen ? d->capseen * 2 : 64;
		struct fc_diag **t = fc_arena_alloc(d->arena, sizeof(*t) * cap);
		for (size_t i = 0; i < d->capseen; i++) {
			struct fc_diag *e = d->seen[i];
			if (!e)
				continue;
			size_t j = diag_hash(e->code, e->loc, e->file, e->msg) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = e;
		}
		d->seen = t;
		d->capseen = cap;
	}
	size_t j = h & (d->capseen - 1);
	while (d->seen[j])
		j = (j + 1) & (d->capseen - 1);
	d->seen[j] = g;
	d->nseen++;
}

struct fc_diag *fc_vdiag(struct fc_diags *d, enum fc_diag_code code, const struct fc_ctx *ctx,
			 struct fc_loc loc, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *msg = fc_arena_alloc(d->arena, n > 0 ? (size_t)n + 1 : 1);
	if (n > 0)
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
	/* The same error inside a macro reached from many rules is one error. */
	size_t h = diag_hash(code, loc, d->file, msg);
	if (d->capseen)
		for (size_t j = h & (d->capseen - 1); d->seen[j]; j = (j + 1) & (d->capseen - 1))
			if (same_diag(d->seen[j], code, loc, d->file, msg))
				return d->seen[j];
	struct fc_diag *g = fc_arena_alloc(d->arena, sizeof(*g));
	g->code = code;
	g->msg = msg;
	g->loc = loc;
	g->file = d->file;
	unsigned nf = 0;
	for (const struct fc_ctx *c = ctx; c; c = c->parent)
		nf++;
	g->frames = fc_arena_alloc(d->arena, sizeof(*g->frames) * (nf ? nf : 1));
	g->nframes = nf;
	for (const struct fc_ctx *c = ctx; c; c = c->parent) {
		/* Copy frames: callers build chains on the stack. */
		struct fc_ctx *cp = fc_arena_alloc(d->arena, sizeof(*cp));
		*cp = *c;
		cp->parent = NULL;
		g->frames[--nf] = cp;
	}
	*d->tail = g;
	d->tail = &g->next;
	seen_insert(d, g, h);
	if (codes[code].err)
		d->nerrors++;
	else
		d->nwarnings++;
	return g;
}

struct fc_diag *fc_diag(struct fc_diags *d, enum fc_diag_code code, const struct fc_ctx *ctx,
			struct fc_loc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct fc_diag *g = fc_vdiag(d, code, ctx, loc, fmt, ap);
	va_end(ap);
	return g;
}

/* The position to show a snippet for: the precise location, else the innermost frame's. */
static struct fc_loc show_loc(const struct fc_diag *d)
{
	if (d->loc.src)
		return d->loc;
	for (unsigned i = d->nframes; i-- > 0;)
		if (d->frames[i]->loc.src && d->frames[i]->loc.line)
			return d->frames[i]->loc;
	return d->loc;
}

static void print_caret_line(FILE *f, struct fc_loc l, bool color)
{
	size_t len;
	const char *line = fc_loc_line(&l, &len);
	if (!l.src || !l.line)
		return;
	fprintf(f, "%6u | ", l.line);
	/* Control characters (binary garbage) are shown as '?' so the terminal stays sane. */
	for (size_t i = 0; i < len && i < 400; i++)
		fputc((unsigned char)line[i] < 0x20 && line[i] != '\t' ? '?' : line[i], f);
	if (len > 400)
		fputs("...", f);
	fputs("\n       | ", f);
	for (uint32_t i = 1; i < l.col && i <= 400; i++)
		fputc(line[i - 1] == '\t' ? '\t' : ' ', f);
	fprintf(f, "%s^%s\n", color ? "\033[1;32m" : "", color ? "\033[0m" : "");
}

void fc_diag_print(FILE *f, const struct fc_diag *d, bool color)
{
	struct fc_loc l = show_loc(d);
	bool err = codes[d->code].err;
	const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
	const char *sev = err ? (color ? "\033[1;31merror" : "error") : (color ? "\033[1;35mwarning" : "warning");
	if (l.src && l.line)
		fprintf(f, "%s%s:%u:%u:%s ", bold, l.src->name, l.line, l.col, off);
	else if (d->file)
		fprintf(f, "%s%s:%s ", bold, d->file, off);
	fprintf(f, "%s:%s %s%s%s [%s]\n", sev, off, bold, d->msg, off, codes[d->code].name);
	print_caret_line(f, l, color);
	/* The chain, skipping the "rules content" root: in rule 'x' (f:l:c) → rule condition → ... */
	bool first = true;
	for (unsigned i = 0; i < d->nframes; i++) {
		const struct fc_ctx *c = d->frames[i];
		if (i == 0 && !strcmp(c->item_type, "rules content"))
			continue;
		if (!strcmp(c->item_type, "condition expression"))
			continue;
		fputs(first ? "  in " : " \xe2\x86\x92 ", f);
		first = false;
		fputs(c->item_type, f);
		if (c->item_name && *c->item_name)
			fprintf(f, " '%s'", c->item_name);
		if (c->loc.src && c->loc.line && (i + 1 == d->nframes || strcmp(c->item_type, "rule condition")))
			fprintf(f, " (%s:%u:%u)", c->loc.src->name, c->loc.line, c->loc.col);
	}
	if (!first)
		fputc('\n', f);
}

/* Falco prints YAML marks 0-based; ours are 1-based. The root frame is 0:0 either way. */
static void falco_pos(const struct fc_ctx *c, const char **name, unsigned *line, unsigned *col, unsigned *off)
{
	if (c->pos_name) {
		*name = c->pos_name;
		*line = c->loc.line;
		*col = c->loc.col;
		*off = c->loc.off;
		return;
	}
	*name = c->loc.src ? c->loc.src->name : "";
	*line = c->loc.line ? c->loc.line - 1 : 0;
	*col = c->loc.col ? c->loc.col - 1 : 0;
	*off = c->loc.off;
}

/* Falco's snippet: the line around the position (±80 bytes, cut ends as "..."), then a caret. */
static void snippet(struct fc_buf *b, const struct fc_diag *d)
{
	struct fc_loc l = show_loc(d);
	if (!l.src || !l.line)
		return;
	size_t len;
	const char *line = fc_loc_line(&l, &len);
	size_t col = l.col - 1, from = col > 80 ? col - 80 : 0, to = col + 80 < len ? col + 80 : len;
	size_t caret = col - from;
	if (from) {
		fc_buf_puts(b, "...");
		caret += 3;
	}
	fc_buf_add(b, line + from, to - from);
	if (to < len)
		fc_buf_puts(b, "...");
	fc_buf_putc(b, '\n');
	for (size_t i = 0; i < caret; i++)
		fc_buf_putc(b, ' ');
	fc_buf_puts(b, "^\n");
}

void fc_diag_print_falco(FILE *f, const struct fc_diag *d)
{
	for (unsigned i = 0; i < d->nframes; i++) {
		const struct fc_ctx *c = d->frames[i];
		const char *name;
		unsigned line, col, off;
		falco_pos(c, &name, &line, &col, &off);
		fprintf(f, "%s%s", i ? "    " : "In ", c->item_type);
		if (c->item_name && *c->item_name)
			fprintf(f, " '%s'", c->item_name);
		fprintf(f, ": (%s:%u:%u)\n", name, line, col);
	}
	struct fc_buf b = {0};
	snippet(&b, d);
	if (b.len)
		fprintf(f, "------\n%s------\n", b.p);
	fc_buf_free(&b);
	fprintf(f, "%s (%s): %s\n", codes[d->code].name, codes[d->code].short_, d->msg);
}

void fc_json_str(struct fc_buf *b, const char *s)
{
	fc_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fc_buf_puts(b, "\\\""); break;
		case '\\': fc_buf_puts(b, "\\\\"); break;
		case '\n': fc_buf_puts(b, "\\n"); break;
		case '\r': fc_buf_puts(b, "\\r"); break;
		case '\t': fc_buf_puts(b, "\\t"); break;
		case '\b': fc_buf_puts(b, "\\b"); break;
		case '\f': fc_buf_puts(b, "\\f"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fc_buf_printf(b, "\\u%04x", *p);
			else
				fc_buf_putc(b, (char)*p);
		}
	}
	fc_buf_putc(b, '"');
}

void fc_diag_json(struct fc_buf *b, const struct fc_diag *d)
{
	bool err = codes[d->code].err;
	fc_buf_puts(b, "{\"code\":");
	fc_json_str(b, codes[d->code].name);
	fc_buf_puts(b, ",\"codedesc\":");
	fc_json_str(b, err ? codes[d->code].short_ : codes[d->code].long_);
	fc_buf_puts(b, ",\"context\":{\"locations\":[");
	for (unsigned i = 0; i < d->nframes; i++) {
		const struct fc_ctx *c = d->frames[i];
		const char *name;
		unsigned line, col, off;
		falco_pos(c, &name, &line, &col, &off);
		fc_buf_puts(b, i ? ",{\"item_name\":" : "{\"item_name\":");
		fc_json_str(b, c->item_name ? c->item_name : "");
		fc_buf_puts(b, ",\"item_type\":");
		fc_json_str(b, c->item_type);
		fc_buf_printf(b, ",\"position\":{\"column\":%u,\"line\":%u,\"name\":", col, line);
		fc_json_str(b, name);
		fc_buf_printf(b, ",\"offset\":%u}}", off);
	}
	fc_buf_puts(b, "],\"snippet\":");
	struct fc_buf s = {0};
	snippet(&s, d);
	fc_json_str(b, s.p ? s.p : "");
	fc_buf_free(&s);
	fc_buf_puts(b, "}");
	if (d->deprecated_field) {
		fc_buf_puts(b, ",\"deprecated_field\":");
		fc_json_str(b, d->deprecated_field);
	}
	fc_buf_puts(b, ",\"message\":");
	fc_json_str(b, d->msg);
	fc_buf_puts(b, "}");
}
