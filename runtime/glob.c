/* glob.c — shell patterns with exactly the semantics of glibc fnmatch(pattern, value, flags)
 * for flags 0 and FNM_CASEFOLD in the C locale (what upstream's glob/iglob operators and its
 * pmatch components call): no FNM_PATHNAME ('*' and '?' match '/'), no FNM_PERIOD, backslash
 * escapes on. Pattern and value end at their first NUL, as fnmatch's C strings do.
 *
 * The pattern is parsed once into tokens: literal runs, runs of '?', '*', and bracket
 * expressions as 256-bit maps over the value byte ([!..] and [^..] negate, ']' first is
 * literal, ranges, [:class:], [=c=], [.c.], backslash escapes; an unterminated '[' is a literal
 * '['; an unknown class name or a trailing lone backslash makes the pattern match nothing).
 * With FNM_CASEFOLD, glibc folds the value byte and the pattern's characters and range ends,
 * but tests [:class:] on the unfolded byte; the maps are built that way. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "vmops.h"

enum { T_LIT, T_ANY, T_STAR, T_CLASS };

struct gtok {
	uint8_t kind;
	uint32_t off; /* T_LIT: offset in lit[]; T_CLASS: map index */
	uint32_t len; /* T_LIT: bytes; T_ANY: count */
};

struct fc_glob {
	struct fc_glob_head head; /* first: fc_glob_match reads it in line */
	uint32_t ntok;
	bool casefold, never;
	const struct gtok *tok;
	const uint8_t (*map)[32];
	const char *lit;
};

static inline size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

size_t fc_glob_size(size_t plen)
{
	return align8(sizeof(struct fc_glob)) + align8((plen + 1) * sizeof(struct gtok)) +
	       (plen / 2 + 1) * 32 + align8(plen + 1);
}

bool fc_glob_has_magic(const char *pat, size_t plen)
{
	for (size_t i = 0; i < plen; i++)
		if (pat[i] == '*' || pat[i] == '?' || pat[i] == '[')
			return true;
	return false;
}

static inline uint8_t fold(uint8_t c, bool cf)
{
	return cf && c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* POSIX class test on a byte in the C locale; -1 = unknown class name. */
static int class_id(const char *name, size_t len)
{
	static const char *const names[] = {"alnum", "alpha", "blank", "cntrl", "digit", "graph",
					     "lower", "print", "punct", "space", "upper", "xdigit"};
	for (int i = 0; i < 12; i++)
		if (strlen(names[i]) == len && !fc_memcmp0(names[i], name, len))
			return i;
	return -1;
}

static bool class_has(int id, int c)
{
	switch (id) {
	case 0: return isalnum(c);
	case 1: return isalpha(c);
	case 2: return c == ' ' || c == '\t';
	case 3: return iscntrl(c);
	case 4: return c >= '0' && c <= '9';
	case 5: return isgraph(c);
	case 6: return c >= 'a' && c <= 'z';
	case 7: return isprint(c);
	case 8: return ispunct(c);
	case 9: return isspace(c);
	case 10: return c >= 'A' && c <= 'Z';
	default: return isxdigit(c);
	}
}

static inline void setbit(uint8_t *m, unsigned c)
{
	m[c >> 3] |= (uint8_t)(1u << (c & 7));
}

/* Parses a bracket expression starting after '[' at P. Returns the index just past ']' and
 * fills MAP, or 0 when unterminated (the '[' is then literal); *BAD for an unknown class. */
static size_t bracket(const char *p, size_t n, size_t i, bool cf, uint8_t *map, bool *bad)
{
	uint8_t expl[32] = {0}, cls[32] = {0};
	bool neg = false, first = true;
	if (i < n && (p[i] == '!' || p[i] == '^')) {
		neg = true;
		i++;
	}
	for (;;) {
		if (i >= n)
			return 0;
		unsigned c = (uint8_t)p[i];
		if (c == ']' && !first) {
			i++;
			break;
		}
		first = false;
		if (c == '[' && i + 1 < n && (p[i + 1] == ':' || p[i + 1] == '=' || p[i + 1] == '.')) {
			char d = p[i + 1];
			size_t j = i + 2;
			while (j + 1 < n && !(p[j] == d && p[j + 1] == ']'))
				j++;
			if (j + 1 < n) {
				if (d == ':') {
					int id = class_id(p + i + 2, j - (i + 2));
					if (id < 0) {
						*bad = true;
						return 0;
					}
					for (unsigned b = 1; b < 256; b++)
						if (class_has(id, (int)b))
							setbit(cls, b);
					i = j + 2;
					continue;
				}
				if (j == i + 3) { /* [=c=] / [.c.]: one character in the C locale */
					c = (uint8_t)p[i + 2];
					i = j + 2;
					goto single;
				}
			}
			/* not a class: the '[' is an ordinary member */
			i++;
			goto single;
		}
		if (c == '\\') {
			if (i + 1 >= n) {
				*bad = true; /* glibc: a backslash ending the pattern inside [..] */
				return 0;
			}
			c = (uint8_t)p[i + 1];
			i += 2;
		} else {
			i++;
		}
	single:
		if (i + 1 < n && p[i] == '-' && p[i + 1] != ']') {
			unsigned e = (uint8_t)p[i + 1];
			i += 2;
			if (e == '\\') {
				if (i >= n) {
					*bad = true;
					return 0;
				}
				e = (uint8_t)p[i++];
			}
			unsigned lo = fold((uint8_t)c, cf), hi = fold((uint8_t)e, cf);
			for (unsigned b = lo; b <= hi && b < 256; b++)
				setbit(expl, b);
		} else {
			setbit(expl, fold((uint8_t)c, cf));
		}
	}
	for (unsigned b = 0; b < 256; b++) {
		unsigned f = fold((uint8_t)b, cf);
		bool in = (cls[b >> 3] >> (b & 7) & 1) || (expl[f >> 3] >> (f & 7) & 1);
		if (in != neg)
			setbit(map, b);
	}
	return i;
}

struct fc_glob *fc_glob_compile(void *mem, const char *pat, size_t plen, bool casefold)
{
	const char *nul = fc_memchr0(pat, 0, plen);
	if (nul)
		plen = (size_t)(nul - pat);
	char *base = mem;
	struct fc_glob *g = (struct fc_glob *)base;
	struct gtok *tok = (struct gtok *)(base + align8(sizeof *g));
	uint8_t(*map)[32] = (uint8_t(*)[32])((char *)tok + align8((plen + 1) * sizeof *tok));
	char *lit = (char *)map + (plen / 2 + 1) * 32;
	memset(g, 0, sizeof *g);
	g->casefold = casefold;
	g->tok = tok;
	g->map = (const uint8_t(*)[32])map;
	g->lit = lit;
	uint32_t nt = 0, nmap = 0, nlit = 0;
	size_t i = 0;
	while (i < plen) {
		unsigned c = (uint8_t)pat[i];
		if (c == '*') {
			while (i < plen && pat[i] == '*')
				i++;
			tok[nt++] = (struct gtok){.kind = T_STAR};
			continue;
		}
		if (c == '?') {
			if (nt && tok[nt - 1].kind == T_ANY)
				tok[nt - 1].len++;
			else
				tok[nt++] = (struct gtok){.kind = T_ANY, .len = 1};
			i++;
			continue;
		}
		if (c == '[') {
			bool bad = false;
			uint8_t *m = map[nmap];
			memset(m, 0, 32);
			size_t j = bracket(pat, plen, i + 1, casefold, m, &bad);
			if (bad) {
				g->never = true;
				return g;
			}
			if (j) {
				tok[nt++] = (struct gtok){.kind = T_CLASS, .off = nmap++};
				i = j;
				continue;
			}
			/* unterminated: a literal '[' */
		} else if (c == '\\') {
			if (i + 1 >= plen) {
				g->never = true;
				return g;
			}
			c = (uint8_t)pat[++i];
		}
		i++;
		if (!(nt && tok[nt - 1].kind == T_LIT && tok[nt - 1].off + tok[nt - 1].len == nlit))
			tok[nt++] = (struct gtok){.kind = T_LIT, .off = nlit, .len = 0};
		lit[nlit++] = (char)fold((uint8_t)c, casefold);
		tok[nt - 1].len++;
	}
	g->ntok = nt;
	if (nt && tok[0].kind == T_LIT && !casefold)
		g->head = (struct fc_glob_head){.pre = lit + tok[0].off, .prelen = tok[0].len};
	return g;
}

static inline bool lit_eq(const char *s, const char *lit, size_t n, bool cf)
{
	if (!cf)
		return fc_bytes_eq(s, lit, n);
	for (size_t i = 0; i < n; i++)
		if (fold((uint8_t)s[i], true) != (uint8_t)lit[i])
			return false;
	return true;
}

bool fc_glob_match_rest(const struct fc_glob *g, const char *s, size_t n)
{
	if (g->never)
		return false;
	const char *nul = fc_memchr0(s, 0, n);
	if (nul)
		n = (size_t)(nul - s);
	const struct gtok *tok = g->tok;
	/* the leading literal (head) is matched by the caller, before any '*': start past it */
	uint32_t nt = g->ntok, ti = g->head.prelen ? 1 : 0, star = UINT32_MAX;
	size_t si = g->head.prelen, star_si = 0;
	for (;;) {
		if (ti < nt) {
			const struct gtok *t = &tok[ti];
			switch (t->kind) {
			case T_STAR:
				if (ti + 1 == nt)
					return true; /* a trailing '*' takes the rest */
				star = ++ti;
				star_si = si;
				continue;
			case T_LIT:
				if (n - si >= t->len && lit_eq(s + si, g->lit + t->off, t->len, g->casefold)) {
					si += t->len;
					ti++;
					continue;
				}
				break;
			case T_ANY:
				if (n - si >= t->len) {
					si += t->len;
					ti++;
					continue;
				}
				break;
			default:
				if (si < n && (g->map[t->off][(uint8_t)s[si] >> 3] >> ((uint8_t)s[si] & 7) & 1)) {
					si++;
					ti++;
					continue;
				}
				break;
			}
		} else if (si == n) {
			return true;
		}
		/* mismatch: let the last '*' take one more byte and retry what follows it */
		if (star == UINT32_MAX || star_si >= n)
			return false;
		star_si++;
		const struct gtok *t = &tok[star];
		if (t->kind == T_LIT && !g->casefold) {
			/* jump straight to the next place the literal after the '*' occurs */
			const char *f = fc_memmem(s + star_si, n - star_si, g->lit + t->off, t->len);
			if (!f)
				return false;
			star_si = (size_t)(f - s);
		}
		si = star_si;
		ti = star;
	}
}
