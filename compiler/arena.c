/* arena.c — the bump allocator and growable buffer of arena.h. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fc_arena_block {
	struct fc_arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fputs("falcoc: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *fc_arena_alloc(struct fc_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct fc_arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 60000 ? n : 64000;
		b = xmalloc(sizeof(*b) + cap);
		b->used = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

char *fc_arena_strndup(struct fc_arena *a, const char *s, size_t n)
{
	char *p = fc_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *fc_arena_strdup(struct fc_arena *a, const char *s)
{
	return fc_arena_strndup(a, s, strlen(s));
}

char *fc_arena_printf(struct fc_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = fc_arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void fc_arena_free(struct fc_arena *a)
{
	struct fc_arena_block *b = a->head;
	while (b) {
		struct fc_arena_block *n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
	a->total = 0;
}

void fc_buf_add(struct fc_buf *b, const char *s, size_t n)
{
	/* a length no buffer can hold would wrap the size sum below (LTO sees such a path) */
	if (n >= SIZE_MAX / 2 - b->len) {
		fputs("falcoc: out of memory\n", stderr);
		abort();
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			fputs("falcoc: out of memory\n", stderr);
			abort();
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void fc_buf_puts(struct fc_buf *b, const char *s)
{
	fc_buf_add(b, s, strlen(s));
}

void fc_buf_putc(struct fc_buf *b, char c)
{
	fc_buf_add(b, &c, 1);
}

void fc_buf_printf(struct fc_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		fc_buf_add(b, tmp, (size_t)n);
		return;
	}
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	fc_buf_add(b, p, (size_t)n);
	free(p);
}

void fc_buf_free(struct fc_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
