/* loc.h — source files and positions, independent of the YAML reader and of the condition
 * parser: every diagnostic carries a struct fc_loc, and text derived from a file (a YAML scalar,
 * a condition after list substitution) carries a struct fc_srcmap back to the file's bytes. */
#ifndef FC_LOC_H
#define FC_LOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A file (or a built-in text) loaded whole into memory; owned by the compilation. */
struct fc_source {
	const char *name; /* as given on the command line */
	const char *text; /* whole content, NUL-terminated (content may hold other NULs) */
	size_t len;
	uint32_t *line_off; /* byte offset of the start of each line, built lazily */
	uint32_t nlines;
};

/* A position: byte offset into src, 1-based line and column (column counts bytes). */
struct fc_loc {
	const struct fc_source *src; /* NULL: no position */
	uint32_t off, line, col;
};

/* Position of byte OFF of SRC (line/col computed from the line table). */
struct fc_loc fc_loc_at(struct fc_source *src, uint32_t off);

/* The source line containing LOC (without its newline), for snippets. */
const char *fc_loc_line(const struct fc_loc *loc, size_t *len);

/* A piecewise map from offsets of a derived text to offsets of its source file. Segment i covers
 * derived offsets [at, next.at): when `fixed` is false, offset o maps to src + (o - at); when
 * true, every offset of the segment maps to src (text synthesised from one place: a substituted
 * list, an exception's generated comparison). */
struct fc_srcseg {
	uint32_t at, src;
	bool fixed;
	struct fc_source *file; /* an appended condition spans several files */
};
struct fc_srcmap {
	struct fc_srcseg *seg; /* sorted by at; seg[0].at == 0 */
	uint32_t n, cap;
};

void fc_srcmap_add(struct fc_srcmap *m, struct fc_source *file, uint32_t at, uint32_t src, bool fixed);
/* Appends every segment of SRC shifted by AT (for texts built by concatenation). */
void fc_srcmap_append(struct fc_srcmap *m, const struct fc_srcmap *src, uint32_t at);
/* Maps an offset of the derived text to a file position. */
struct fc_loc fc_srcmap_loc(const struct fc_srcmap *m, uint32_t off);
/* Source offset of derived offset OFF. */
uint32_t fc_srcmap_off(const struct fc_srcmap *m, uint32_t off);
/* Composition: OUTER maps text C → text B, INNER maps text B → file; result maps C → file. */
void fc_srcmap_compose(struct fc_srcmap *out, const struct fc_srcmap *outer, const struct fc_srcmap *inner);
void fc_srcmap_free(struct fc_srcmap *m);

#endif
