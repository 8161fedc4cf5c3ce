/* arena.h — bump allocator for everything a compilation builds (AST, strings, diagnostics):
 * freed in one go, so the front end never tracks individual lifetimes. Aborts on OOM. */
#ifndef FC_ARENA_H
#define FC_ARENA_H

#include <stddef.h>

struct fc_arena_block;
struct fc_arena {
	struct fc_arena_block *head;
	size_t total; /* bytes handed out, for the benchmarks */
};

void *fc_arena_alloc(struct fc_arena *a, size_t n);  /* zeroed, 16-byte aligned */
char *fc_arena_strndup(struct fc_arena *a, const char *s, size_t n);
char *fc_arena_strdup(struct fc_arena *a, const char *s);
char *fc_arena_printf(struct fc_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fc_arena_free(struct fc_arena *a);

/* Growable byte buffer backed by malloc (for building texts). */
struct fc_buf {
	char *p;
	size_t len, cap;
};
void fc_buf_add(struct fc_buf *b, const char *s, size_t n);
void fc_buf_puts(struct fc_buf *b, const char *s);
void fc_buf_putc(struct fc_buf *b, char c);
void fc_buf_printf(struct fc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fc_buf_free(struct fc_buf *b);

#endif
