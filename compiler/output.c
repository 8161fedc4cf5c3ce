/* output.c — compiling rule output format strings (LANGUAGE.md §11) into literal and field
 * segments: `%[width]field[arg]` or a transformer call, longest token first then shortened
 * one character at a time until a field resolves; no `%%` escape. Transformer calls are
 * parsed by the condition grammar, so there is one grammar for both. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "compile.h"
#include "fields.h"
#include "parse.h"

static bool field_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* Length of a field-shaped token at P: name, optional [arg]. */
static size_t field_token(const char *p)
{
	size_t n = 0;
	while (field_char(p[n]))
		n++;
	if (n && p[n] == '[') {
		const char *e = strchr(p + n, ']');
		if (e)
			n = (size_t)(e - p) + 1;
	}
	return n;
}

/* Length of a transformer call at P ("name(" ... balanced ")" [arg]), 0 if none. */
static size_t call_token(const char *p)
{
	size_t n = 0;
	while (isalpha((unsigned char)p[n]))
		n++;
	if (!n || p[n] != '(')
		return 0;
	int depth = 0;
	char q = 0;
	for (size_t i = n; p[i]; i++) {
		char c = p[i];
		if (q) {
			if (c == q && p[i - 1] != '\\')
				q = 0;
			continue;
		}
		if (c == '"' || c == '\'')
			q = c;
		else if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0) {
			i++;
			if (p[i] == '[') {
				const char *e = strchr(p + i, ']');
				if (e)
					i = (size_t)(e - p) + 1;
			}
			return i;
		}
	}
	return 0;
}

static bool resolve(struct fc_arena *a, const char *tok, size_t n, struct fc_ast **out, char *err, size_t errlen)
{
	char name[512], *arg = NULL;
	if (n >= sizeof name)
		return false;
	memcpy(name, tok, n);
	name[n] = 0;
	char *br = strchr(name, '[');
	if (br) {
		if (name[n - 1] != ']')
			return false;
		name[n - 1] = 0;
		*br = 0;
		arg = br + 1;
	}
	struct fc_fieldref ref;
	if (!fc_field_resolve(name, arg, &ref, err, errlen))
		return false;
	struct fc_ast *f = fc_ast_new(a, FC_AST_FIELD, 0, NULL);
	f->str = fc_arena_strdup(a, name);
	f->len = (uint32_t)strlen(name);
	f->arg = arg ? fc_arena_strdup(a, arg) : NULL;
	*out = f;
	return true;
}

/* Every field inside a transformer call must resolve; the first failure is the error. */
static bool check_fields(const struct fc_ast *n, char *err, size_t errlen)
{
	if (!n)
		return true;
	if (n->kind == FC_AST_FIELD) {
		struct fc_fieldref ref;
		char e2[512];
		if (!fc_field_resolve(n->str, n->arg, &ref, e2, sizeof e2)) {
			snprintf(err, errlen, "unknown filter: %s", e2);
			return false;
		}
		return true;
	}
	for (uint32_t i = 0; i < n->nkids; i++)
		if (!check_fields(n->kids[i], err, errlen))
			return false;
	return true;
}

bool fc_compile_output(struct fc_arena *a, const char *fmt, struct fc_fmtseg **segs, uint32_t *nsegs, char *err,
		       size_t errlen, uint32_t *errpos)
{
	/* Upstream trims the output; a leading '*' (print with missing values) is implied. */
	struct fc_fmtseg tmp[512];
	uint32_t n = 0;
	struct fc_buf lit = {0};
	bool ok = true;
	const char *p = fmt;
	while (*p) {
		if (*p != '%') {
			fc_buf_putc(&lit, *p++);
			continue;
		}
		*errpos = (uint32_t)(p - fmt);
		p++;
		if (!*p) {
			snprintf(err, errlen, "invalid formatting syntax: formatting cannot end with a %%");
			ok = false;
			break;
		}
		int width = 0;
		while (isdigit((unsigned char)*p)) { /* saturates: the bundle stores a u16 */
			if (width <= FC_OUTPUT_MAX_WIDTH)
				width = width * 10 + (*p - '0');
			p++;
		}
		if (width > FC_OUTPUT_MAX_WIDTH)
			width = FC_OUTPUT_MAX_WIDTH;
		struct fc_ast *expr = NULL;
		size_t used = call_token(p);
		if (used) {
			struct fc_buf src = {0};
			fc_buf_add(&src, p, used);
			fc_buf_puts(&src, " exists");
			struct fc_parse_error pe;
			struct fc_ast *ast = fc_parse_condition(a, src.p, src.len, NULL, FC_PARSE_MAX_DEPTH, &pe);
			fc_buf_free(&src);
			if (!ast || ast->kind != FC_AST_UNARY) {
				snprintf(err, errlen, "invalid formatting token %.*s: %s", (int)used, p, ast ? "" : pe.msg);
				ok = false;
				break;
			}
			expr = ast->left;
			if (!check_fields(expr, err, errlen)) {
				ok = false;
				break;
			}
		} else {
			size_t len = field_token(p);
			if (!len) {
				snprintf(err, errlen, "empty formatting token");
				ok = false;
				break;
			}
			char ferr[512] = "";
			for (used = len; used > 0; used--) {
				char e2[512];
				if (resolve(a, p, used, &expr, e2, sizeof e2))
					break;
				if (used == len)
					snprintf(ferr, sizeof ferr, "%s", e2);
			}
			if (!expr) {
				snprintf(err, errlen, "unknown filter: %s", *ferr ? ferr : "invalid field");
				ok = false;
				break;
			}
		}
		if (n + 2 >= sizeof tmp / sizeof tmp[0]) {
			snprintf(err, errlen, "output format has too many fields (max %zu)", sizeof tmp / sizeof tmp[0] / 2);
			ok = false;
			break;
		}
		if (lit.len) {
			tmp[n++] = (struct fc_fmtseg){.lit = fc_arena_strndup(a, lit.p, lit.len)};
			lit.len = 0;
		}
		tmp[n++] = (struct fc_fmtseg){.expr = expr, .width = width};
		p += used;
	}
	if (ok && lit.len && n < sizeof tmp / sizeof tmp[0])
		tmp[n++] = (struct fc_fmtseg){.lit = fc_arena_strndup(a, lit.p, lit.len)};
	fc_buf_free(&lit);
	if (!ok)
		return false;
	*segs = fc_arena_alloc(a, sizeof(**segs) * (n ? n : 1));
	memcpy(*segs, tmp, sizeof(**segs) * n);
	*nsegs = n;
	return true;
}
