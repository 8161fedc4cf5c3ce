/* yamlload.c — the YAML reader of the rules loader (LANGUAGE.md §9.1–§9.6, upstream's
 * rule_loader_reader): libyaml parses every `---` document of a file (all of them first, as
 * yaml-cpp's LoadAll does, so a syntax error anywhere rejects the whole file); then each item
 * is decoded with upstream's exact checks, messages (LOAD_ERR_YAML_VALIDATE) and context
 * chains, and handed to the collector (collect.c). Every scalar value becomes an fc_text whose
 * map sends each decoded byte back to its byte in the file, through plain multi-line, quoted
 * (escapes) and block (folded/literal) scalars. Reading stops at the first error of a file. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yamlload.h"

#define WARNING_APPEND                                                                                            \
	"'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."
#define WARNING_ENABLED                                                                                           \
	"The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry "  \
	"under the 'override' key (i.e. 'enabled: replace')."
#define ERROR_OVERRIDE_APPEND                                                                                     \
	"Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: "    \
	"append') under 'override' instead."
#define RGX_IDENTIFIER "([a-zA-Z]+[a-zA-Z0-9_]*)"
#define RGX_BARESTR "([^()\"'[:space:]=,]+)"

/* Exception values nest (a tuple of lists); upstream recurses without bound. We validate
 * nesting up to this depth and ignore what is deeper, so hostile input cannot exhaust the stack. */
#define MAX_ENTRY_DEPTH 64

struct rd {
	struct fc_ruleset *rs;
	struct fc_source *src;
	yaml_document_t *doc;
	const struct fc_ctx *root;
	/* libyaml marks count characters; positions here are bytes. NULL when the file is ASCII. */
	uint32_t *charoff;
	size_t nchars;
	uint32_t base; /* a UTF-8 BOM is not counted by libyaml */
	bool ascii_checked;
};

/* ------------------------------------------------------------------ positions */

static void build_charoff(struct rd *rd)
{
	const unsigned char *t = (const unsigned char *)rd->src->text;
	size_t len = rd->src->len;
	rd->ascii_checked = true;
	if (len >= 3 && t[0] == 0xEF && t[1] == 0xBB && t[2] == 0xBF)
		rd->base = 3;
	bool ascii = true;
	for (size_t i = rd->base; i < len; i++)
		if (t[i] >= 0x80) {
			ascii = false;
			break;
		}
	if (ascii)
		return;
	size_t n = 0;
	for (size_t i = rd->base; i < len; i++)
		if ((t[i] & 0xC0) != 0x80)
			n++;
	rd->charoff = malloc((n + 1) * sizeof(uint32_t));
	if (!rd->charoff)
		abort();
	size_t k = 0;
	for (size_t i = rd->base; i < len; i++)
		if ((t[i] & 0xC0) != 0x80)
			rd->charoff[k++] = (uint32_t)i;
	rd->charoff[k] = (uint32_t)len;
	rd->nchars = n;
}

static uint32_t byteoff(struct rd *rd, size_t charidx)
{
	if (!rd->ascii_checked)
		build_charoff(rd);
	size_t off;
	if (rd->charoff)
		off = charidx <= rd->nchars ? rd->charoff[charidx] : rd->src->len;
	else
		off = rd->base + charidx;
	return off > rd->src->len ? (uint32_t)rd->src->len : (uint32_t)off;
}

static struct fc_loc loc_of(struct rd *rd, yaml_mark_t m)
{
	return fc_loc_at(rd->src, byteoff(rd, m.index));
}

static struct fc_loc nloc(struct rd *rd, const yaml_node_t *n)
{
	return loc_of(rd, n->start_mark);
}

/* ------------------------------------------------------------------ diagnostics */

static struct fc_ctx frame(const struct fc_ctx *parent, const char *type, const char *name, struct fc_loc loc)
{
	return (struct fc_ctx){.item_type = type, .item_name = name ? name : "", .loc = loc, .parent = parent};
}

static const struct fc_ctx *aframe(struct rd *rd, const struct fc_ctx *parent, const char *type, const char *name,
				   struct fc_loc loc)
{
	struct fc_ctx *f = fc_arena_alloc(rd->rs->arena, sizeof(*f));
	*f = frame(parent, type, name, loc);
	return f;
}

/* Diagnostics point where their innermost frame points, as Falco's snippet does; frames at
 * 0:0 (the whole file) show the file's first line. */
static struct fc_loc diag_loc(struct rd *rd, const struct fc_ctx *ctx)
{
	if (!ctx || !ctx->loc.src || !ctx->loc.line)
		return fc_loc_at(rd->src, 0);
	return ctx->loc;
}

static bool verr(struct rd *rd, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static bool verr(struct rd *rd, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, va_list ap)
{
	fc_vdiag(rd->rs->diags, code, ctx, diag_loc(rd, ctx), fmt, ap);
	return false;
}

/* Reader errors: LOAD_ERR_YAML_VALIDATE. Always returns false. */
static bool err(struct rd *rd, const struct fc_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool err(struct rd *rd, const struct fc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(rd, FC_LOAD_ERR_YAML_VALIDATE, ctx, fmt, ap);
	va_end(ap);
	return false;
}

static bool errc(struct rd *rd, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool errc(struct rd *rd, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(rd, code, ctx, fmt, ap);
	va_end(ap);
	return false;
}

static void warn(struct rd *rd, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void warn(struct rd *rd, enum fc_diag_code code, const struct fc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(rd, code, ctx, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ nodes */

static yaml_node_t *node(struct rd *rd, int id)
{
	return yaml_document_get_node(rd->doc, id);
}

/* yaml-cpp reads plain "", "~", "null", "Null", "NULL" as null nodes (IsNull, not IsScalar). */
static bool is_null(const yaml_node_t *n)
{
	if (!n)
		return true;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return n->type == YAML_NO_NODE;
	const char *v = (const char *)n->data.scalar.value;
	size_t l = n->data.scalar.length;
	return l == 0 || (l == 1 && v[0] == '~') ||
	       (l == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) || !memcmp(v, "NULL", 4)));
}

static bool is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && !is_null(n);
}

static bool is_seq(const yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE;
}

static bool is_map(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE;
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	size_t l = strlen(s);
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == l && !memcmp(n->data.scalar.value, s, l);
}

/* item[key] of yaml-cpp: the value of the first pair whose key is the scalar KEY. */
static yaml_node_t *map_get(struct rd *rd, const yaml_node_t *map, const char *key, yaml_node_t **keynode)
{
	if (!is_map(map))
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(rd, p->key);
		if (scalar_is(k, key)) {
			if (keynode)
				*keynode = k;
			return node(rd, p->value);
		}
	}
	return NULL;
}

static bool has_key(struct rd *rd, const yaml_node_t *map, const char *key)
{
	return map_get(rd, map, key, NULL) != NULL;
}

/* ------------------------------------------------------------------ scalar texts */

static size_t utf8_len(unsigned long cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static unsigned long hexnum(const char *s, size_t n)
{
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
		v = v * 16 + (unsigned long)d;
	}
	return v;
}

static bool is_break(char c)
{
	return c == '\n' || c == '\r';
}

static void skip_break(const char *s, uint32_t end, uint32_t *j)
{
	if (s[*j] == '\r' && *j + 1 < end && s[*j + 1] == '\n')
		*j += 2;
	else
		*j += 1;
}

/* Maps each byte of the decoded value V back to the file by walking V and the raw bytes of the
 * scalar in parallel: source bytes that produce nothing (quotes, indentation, escape syntax,
 * line-break folding) are skipped; a space or newline produced by a line break maps to the
 * break; an escape's output maps to its backslash. Never reads outside the scalar. */
static void map_scalar(struct rd *rd, const yaml_node_t *n, const char *v, size_t vlen, struct fc_srcmap *m)
{
	const char *s = rd->src->text;
	uint32_t start = byteoff(rd, n->start_mark.index), end = byteoff(rd, n->end_mark.index);
	if (end < start)
		end = start;
	yaml_scalar_style_t style = n->data.scalar.style;
	bool block = style == YAML_LITERAL_SCALAR_STYLE || style == YAML_FOLDED_SCALAR_STYLE;
	uint32_t j = start, indent = 0;
	bool line_start = false;
	/* The common case, a scalar written as is on one line: one linear segment. */
	uint32_t q = style == YAML_SINGLE_QUOTED_SCALAR_STYLE || style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (!block && end - start == vlen + 2 * q && !memcmp(s + start + q, v, vlen)) {
		fc_srcmap_add(m, rd->src, 0, start + q, false);
		return;
	}
	if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE || style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		if (j < end)
			j++;
	} else if (block) {
		while (j < end && !is_break(s[j])) /* the header: indicator, chomping, comment */
			j++;
		if (j < end)
			skip_break(s, end, &j);
		line_start = true;
		/* Block indentation = spaces before the first content line minus the spaces that
		 * line keeps in the value (non-zero only with an explicit indentation indicator). */
		size_t lead = 0, keep = 0;
		while (lead < vlen && v[lead] == '\n')
			lead++;
		while (lead + keep < vlen && v[lead + keep] == ' ')
			keep++;
		uint32_t k = j, sp = 0;
		while (k < end) {
			sp = 0;
			while (k < end && s[k] == ' ')
				k++, sp++;
			if (k < end && is_break(s[k])) {
				skip_break(s, end, &k);
				continue;
			}
			break;
		}
		indent = sp >= keep ? sp - (uint32_t)keep : 0;
	}
	size_t i = 0;
	while (i < vlen) {
		if (j >= end) { /* out of sync (or a scalar libyaml synthesised): pin the rest */
			fc_srcmap_add(m, rd->src, (uint32_t)i, end > start ? end - 1 : start, true);
			break;
		}
		if (line_start) {
			line_start = false;
			if (block)
				for (uint32_t k = 0; k < indent && j < end && s[j] == ' '; k++)
					j++;
			else
				while (j < end && (s[j] == ' ' || s[j] == '\t'))
					j++;
			continue;
		}
		char c = v[i], sc = s[j];
		if (style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && sc == '\\' && j + 1 < end) {
			char e = s[j + 1];
			if (is_break(e)) { /* escaped line break: joins the lines, produces nothing */
				j++;
				skip_break(s, end, &j);
				line_start = true;
				continue;
			}
			uint32_t elen = 2;
			size_t out = 1;
			if (e == 'x' || e == 'u' || e == 'U') {
				uint32_t hex = e == 'x' ? 2 : e == 'u' ? 4 : 8;
				elen = 2 + hex;
				if (j + elen > end)
					elen = end - j;
				out = utf8_len(hexnum(s + j + 2, elen > 2 ? elen - 2 : 0));
			} else if (e == 'N' || e == '_') {
				out = 2;
			} else if (e == 'L' || e == 'P') {
				out = 3;
			}
			if (out > vlen - i)
				out = vlen - i;
			fc_srcmap_add(m, rd->src, (uint32_t)i, j, out > 1);
			i += out;
			j += elen;
			continue;
		}
		if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE && sc == '\'' && j + 1 < end && s[j + 1] == '\'') {
			fc_srcmap_add(m, rd->src, (uint32_t)i, j, false);
			i++;
			j += 2;
			continue;
		}
		if (is_break(sc)) {
			if (c == '\n' || c == ' ') {
				fc_srcmap_add(m, rd->src, (uint32_t)i, j, false);
				i++;
			}
			skip_break(s, end, &j);
			line_start = true;
			continue;
		}
		if (c == sc) {
			fc_srcmap_add(m, rd->src, (uint32_t)i, j, false);
			i++;
			j++;
			continue;
		}
		j++;
	}
	if (!m->n)
		fc_srcmap_add(m, rd->src, 0, start, true);
}

static struct fc_text make_text(struct rd *rd, const yaml_node_t *n)
{
	struct fc_text t = {0};
	const char *v = n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
	size_t len = n && n->type == YAML_SCALAR_NODE ? n->data.scalar.length : 0;
	if (len > UINT32_MAX - 1)
		len = UINT32_MAX - 1;
	t.s = fc_arena_strndup(rd->rs->arena, v, len);
	t.len = (uint32_t)len;
	if (!n) {
		t.loc = fc_loc_at(rd->src, 0);
		fc_srcmap_add(fc_collect_scratch_map(rd->rs), rd->src, 0, 0, true);
	} else {
		t.loc = nloc(rd, n);
		if (n->type == YAML_SCALAR_NODE)
			map_scalar(rd, n, v, len, fc_collect_scratch_map(rd->rs));
		else
			fc_srcmap_add(fc_collect_scratch_map(rd->rs), rd->src, 0, t.loc.off, true);
	}
	fc_collect_freeze_map(rd->rs, fc_collect_scratch_map(rd->rs), &t.map);
	return t;
}

/* An empty text pinned at N (upstream's default-constructed entry strings). */
static struct fc_text empty_text(struct rd *rd, const yaml_node_t *n)
{
	struct fc_text t = {0};
	t.s = "";
	t.loc = n ? nloc(rd, n) : fc_loc_at(rd->src, 0);
	struct fc_srcmap *m = fc_collect_scratch_map(rd->rs);
	fc_srcmap_add(m, rd->src, 0, t.loc.off, true);
	fc_collect_freeze_map(rd->rs, m, &t.map);
	return t;
}

/* ------------------------------------------------------------------ scalar decoding */

/* yaml-cpp's convert<bool>: y/n yes/no true/false on/off, all lower, all upper or Capitalised. */
static bool parse_bool(const char *s, size_t len, bool *out)
{
	static const char *const names[][2] = {{"y", "n"}, {"yes", "no"}, {"true", "false"}, {"on", "off"}};
	char low[8];
	if (len == 0 || len >= sizeof low)
		return false;
	bool all_lower = true, all_upper_rest = true, all_lower_rest = true;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool lo = c >= 'a' && c <= 'z', up = c >= 'A' && c <= 'Z';
		if (!lo)
			all_lower = false;
		if (i > 0 && !lo)
			all_lower_rest = false;
		if (i > 0 && !up)
			all_upper_rest = false;
		low[i] = up ? (char)(c - 'A' + 'a') : c;
	}
	low[len] = 0;
	bool first_upper = s[0] >= 'A' && s[0] <= 'Z';
	if (!all_lower && !(first_upper && (all_lower_rest || all_upper_rest)))
		return false;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!strcmp(low, names[i][0])) {
			*out = true;
			return true;
		}
		if (!strcmp(low, names[i][1])) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* yaml-cpp's unsigned conversion (a stream with the base detected: 0x.. hex, 0.. octal), no
 * sign, no leading blanks, trailing blanks allowed, overflow rejected. */
static bool parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	size_t i = 0;
	if (i < len && s[i] == '+')
		i++;
	unsigned base = 10;
	if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	} else if (i < len && s[i] == '0') {
		base = 8;
	}
	size_t d0 = i;
	uint64_t v = 0;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		if (d >= base)
			break;
		if (v > (max - d) / base)
			return false;
		v = v * base + d;
	}
	if (i == d0)
		return false;
	for (; i < len; i++)
		if (!(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v'))
			return false;
	*out = v;
	return true;
}

enum { REQUIRED = 0, OPTIONAL = 1 };

/* Upstream's decode_val: the value node of KEY, checked to be a non-empty scalar. Returns
 * false on error; *val NULL (and true) when optional and absent. */
static bool decode_scalar(struct rd *rd, const yaml_node_t *item, const char *key, const struct fc_ctx *ctx,
			  int optional, yaml_node_t **val)
{
	yaml_node_t *v = map_get(rd, item, key, NULL);
	*val = NULL;
	if (!v) {
		if (optional)
			return true;
		return err(rd, ctx, "Item has no mapping for key '%s'", key);
	}
	if (is_null(v))
		return err(rd, ctx, "Mapping for key '%s' is empty", key);
	struct fc_ctx valctx = frame(ctx, "value for", key, nloc(rd, v));
	if (v->type != YAML_SCALAR_NODE)
		return err(rd, &valctx, "Value is not a scalar value");
	if (v->data.scalar.length == 0)
		return err(rd, &valctx, "Value must be non-empty");
	*val = v;
	return true;
}

static bool decode_text(struct rd *rd, const yaml_node_t *item, const char *key, const struct fc_ctx *ctx,
			int optional, struct fc_text *out, bool *present)
{
	yaml_node_t *v;
	if (!decode_scalar(rd, item, key, ctx, optional, &v))
		return false;
	if (present)
		*present = v != NULL;
	if (v)
		*out = make_text(rd, v);
	return true;
}

static bool decode_bool(struct rd *rd, const yaml_node_t *item, const char *key, const struct fc_ctx *ctx,
			int optional, bool *out, bool *present)
{
	yaml_node_t *v;
	if (!decode_scalar(rd, item, key, ctx, optional, &v))
		return false;
	if (present)
		*present = v != NULL;
	if (!v)
		return true;
	if (!parse_bool((const char *)v->data.scalar.value, v->data.scalar.length, out)) {
		struct fc_ctx valctx = frame(ctx, "value for", key, nloc(rd, v));
		return err(rd, &valctx, "Can't decode YAML scalar value");
	}
	return true;
}

/* Upstream's decode_seq: a sequence of scalars (empty strings allowed, nulls rejected). */
static bool decode_seq(struct rd *rd, const yaml_node_t *item, const char *key, const struct fc_ctx *ctx,
		       int optional, struct fc_text **out, uint32_t *nout, bool *present)
{
	yaml_node_t *v = map_get(rd, item, key, NULL);
	*out = NULL;
	*nout = 0;
	if (present)
		*present = v != NULL;
	if (!v) {
		if (optional)
			return true;
		return err(rd, ctx, "Item has no mapping for key '%s'", key);
	}
	struct fc_ctx valctx = frame(ctx, "value for", key, nloc(rd, v));
	if (!is_seq(v))
		return err(rd, &valctx, "Value is not a sequence");
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	struct fc_text *items = fc_arena_alloc(rd->rs->arena, sizeof(*items) * (n ? n : 1));
	uint32_t k = 0;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(rd, *it);
		if (!is_scalar(e)) {
			struct fc_ctx ictx = frame(&valctx, "list item", "", e ? nloc(rd, e) : valctx.loc);
			return err(rd, &ictx, "sequence value is not scalar");
		}
		items[k++] = make_text(rd, e);
	}
	*out = items;
	*nout = k;
	return true;
}

/* yaml-cpp's as<std::string>() used on override keys and operations: null reads "null";
 * anything not a scalar throws a bad conversion, which upstream reports as LOAD_ERR_VALIDATE
 * in the file's root context with yaml-cpp's message (1-based line and column). */
static bool as_string(struct rd *rd, const yaml_node_t *n, const char **out)
{
	if (!n)
		return errc(rd, FC_LOAD_ERR_VALIDATE, rd->root,
			    "invalid node; this may result from using a map iterator as a sequence iterator, or "
			    "vice-versa");
	if (is_null(n)) {
		*out = "null";
		return true;
	}
	if (n->type != YAML_SCALAR_NODE)
		return errc(rd, FC_LOAD_ERR_VALIDATE, rd->root, "yaml-cpp: error at line %zu, column %zu: bad conversion",
			    n->start_mark.line + 1, n->start_mark.column + 1);
	*out = fc_arena_strndup(rd->rs->arena, (const char *)n->data.scalar.value, n->data.scalar.length);
	return true;
}

/* ------------------------------------------------------------------ keys */

static const struct {
	const char *name;
	unsigned bit;
} rule_keys[] = {
	{"condition", FC_RK_CONDITION},
	{"output", FC_RK_OUTPUT},
	{"desc", FC_RK_DESC},
	{"tags", FC_RK_TAGS},
	{"exceptions", FC_RK_EXCEPTIONS},
	{"priority", FC_RK_PRIORITY},
	{"enabled", FC_RK_ENABLED},
	{"warn_evttypes", FC_RK_WARN_EVTTYPES},
	{"skip-if-unknown-filter", FC_RK_SKIP_UNKNOWN},
	{"capture", FC_RK_CAPTURE},
	{"capture_duration", FC_RK_CAPTURE_DURATION},
	{"items", FC_RK_ITEMS},
};

static unsigned key_bit(const char *k)
{
	for (size_t i = 0; i < sizeof rule_keys / sizeof rule_keys[0]; i++)
		if (!strcmp(rule_keys[i].name, k))
			return rule_keys[i].bit;
	return 0;
}

static const char *bit_key(unsigned bit)
{
	for (size_t i = 0; i < sizeof rule_keys / sizeof rule_keys[0]; i++)
		if (rule_keys[i].bit == bit)
			return rule_keys[i].name;
	return "";
}

/* Warns LOAD_UNKNOWN_KEY for every scalar key of ITEM not in KNOWN (NULL-terminated). */
static void check_unknown_keys(struct rd *rd, const yaml_node_t *item, const char *const *known,
			       const struct fc_ctx *ctx)
{
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(rd, p->key);
		if (!k || k->type != YAML_SCALAR_NODE)
			continue;
		bool ok = false;
		for (const char *const *q = known; *q && !ok; q++)
			ok = scalar_is(k, *q);
		if (ok)
			continue;
		char name[256];
		size_t l = k->data.scalar.length < sizeof name - 1 ? k->data.scalar.length : sizeof name - 1;
		memcpy(name, k->data.scalar.value, l);
		name[l] = 0;
		fc_diag(rd->rs->diags, FC_LOAD_UNKNOWN_KEY, ctx, nloc(rd, k), "Unknown key '%s'. The key will be ignored.",
			name);
	}
}

/* Upstream's decode_overrides: the `override` map, key → append | replace. */
static bool decode_overrides(struct rd *rd, const yaml_node_t *item, unsigned appendable, unsigned replaceable,
			     unsigned *out_append, unsigned *out_replace, const struct fc_ctx *ctx)
{
	*out_append = *out_replace = 0;
	yaml_node_t *val = map_get(rd, item, "override", NULL);
	if (!val)
		return true;
	struct fc_ctx overridectx = frame(ctx, "overrides", "", nloc(rd, item));
	if (is_seq(val) && val->data.sequence.items.top > val->data.sequence.items.start)
		return as_string(rd, NULL, NULL);
	if (!is_map(val))
		return true; /* yaml-cpp iterates nothing over a scalar */
	for (yaml_node_pair_t *p = val->data.mapping.pairs.start; p < val->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(rd, p->key), *vn = node(rd, p->value);
		const char *key, *op;
		if (!as_string(rd, kn, &key) || !as_string(rd, vn, &op))
			return false;
		unsigned bit = key_bit(key);
		bool can_append = bit & appendable, can_replace = bit & replaceable;
		if (!strcmp(op, "append")) {
			struct fc_ctx keyctx = frame(&overridectx, "overrides", key, nloc(rd, kn));
			if (!can_append)
				return err(rd, &keyctx, "Key '%s' cannot be appended to, use 'replace' instead", key);
			*out_append |= bit;
		} else if (!strcmp(op, "replace")) {
			struct fc_ctx keyctx = frame(&overridectx, "overrides", key, nloc(rd, kn));
			if (!can_replace)
				return err(rd, &keyctx, "Key '%s' cannot be replaced", key);
			*out_replace |= bit;
		} else {
			struct fc_ctx opctx = frame(&overridectx, "value for", key, nloc(rd, vn));
			/* upstream's text, trailing blank included */
			return err(rd, &opctx, "Invalid override operation for key '%s': '%s'. Allowed values are: %s%s", key,
				   op, can_append ? "append " : "", can_replace ? "replace " : "");
		}
	}
	return true;
}

/* ------------------------------------------------------------------ exceptions */

static bool entry_scalar_ok(struct rd *rd, const yaml_node_t *v, const char *key, const struct fc_ctx *ctx)
{
	if (v->type == YAML_SCALAR_NODE && !is_null(v) && v->data.scalar.length == 0) {
		struct fc_ctx valctx = frame(ctx, "value for", key, nloc(rd, v));
		return err(rd, &valctx, "Value must be non-empty");
	}
	return true;
}

/* Validates what upstream's recursive decode_exception_info_entry validates below the second
 * level (only empty scalars can fail), iteratively bounded. */
static bool entry_validate_deep(struct rd *rd, const yaml_node_t *v, const struct fc_ctx *ctx, int depth)
{
	struct fc_ctx valctx = frame(ctx, "value for", "", nloc(rd, v));
	if (!entry_scalar_ok(rd, v, "", ctx))
		return false;
	if (!is_seq(v) || depth >= MAX_ENTRY_DEPTH)
		return true;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *w = node(rd, *it);
		if (!w)
			continue;
		struct fc_ctx lctx = frame(&valctx, "exception", "", nloc(rd, w));
		if (!entry_validate_deep(rd, w, &lctx, depth + 1))
			return false;
	}
	return true;
}

/* A scalar read as an entry item: scalars keep their text, anything else reads "". */
static struct fc_text entry_item_text(struct rd *rd, const yaml_node_t *w)
{
	return is_scalar(w) ? make_text(rd, w) : empty_text(rd, w);
}

/* `fields` / `comps` (upstream decode_exception_info_entry with a key). */
static bool decode_exspec(struct rd *rd, const yaml_node_t *ex, const char *key, const struct fc_ctx *ctx,
			  int optional, struct fc_exspec *out)
{
	memset(out, 0, sizeof *out);
	yaml_node_t *val = map_get(rd, ex, key, NULL);
	if (!val) {
		if (optional)
			return true;
		return err(rd, ctx, "Item has no mapping for key '%s'", key);
	}
	struct fc_ctx valctx = frame(ctx, "value for", key, nloc(rd, val));
	if (val->type == YAML_SCALAR_NODE && !is_null(val)) {
		if (!entry_scalar_ok(rd, val, key, ctx))
			return false;
		out->items = fc_arena_alloc(rd->rs->arena, sizeof(*out->items));
		out->items[0] = make_text(rd, val);
		out->nitems = 1;
		out->valid = true;
	} else if (is_seq(val)) {
		out->is_list = true;
		size_t n = (size_t)(val->data.sequence.items.top - val->data.sequence.items.start);
		out->items = fc_arena_alloc(rd->rs->arena, sizeof(*out->items) * (n ? n : 1));
		for (yaml_node_item_t *it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
			yaml_node_t *w = node(rd, *it);
			if (!w)
				continue;
			struct fc_ctx lctx = frame(&valctx, "exception", "", nloc(rd, w));
			if (!entry_validate_deep(rd, w, &lctx, 1))
				return false;
			out->items[out->nitems++] = entry_item_text(rd, w);
		}
		out->valid = out->nitems > 0;
	}
	return true;
}

/* One element of `values` (upstream decode_exception_values). */
static bool decode_exentry(struct rd *rd, const yaml_node_t *val, const struct fc_ctx *vctx, struct fc_exentry *out)
{
	memset(out, 0, sizeof *out);
	struct fc_ctx valctx = frame(vctx, "value for", "", nloc(rd, val));
	if (!entry_scalar_ok(rd, val, "", vctx))
		return false;
	if (!is_seq(val)) {
		out->text = entry_item_text(rd, val);
		return true;
	}
	out->is_list = true;
	size_t n = (size_t)(val->data.sequence.items.top - val->data.sequence.items.start);
	out->elems = fc_arena_alloc(rd->rs->arena, sizeof(*out->elems) * (n ? n : 1));
	for (yaml_node_item_t *it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
		yaml_node_t *w = node(rd, *it);
		if (!w)
			continue;
		struct fc_ctx lctx = frame(&valctx, "exception", "", nloc(rd, w));
		if (!entry_validate_deep(rd, w, &lctx, 1))
			return false;
		struct fc_exval *e = &out->elems[out->nelems++];
		if (is_seq(w)) {
			size_t m = (size_t)(w->data.sequence.items.top - w->data.sequence.items.start);
			e->is_list = true;
			e->items = fc_arena_alloc(rd->rs->arena, sizeof(*e->items) * (m ? m : 1));
			for (yaml_node_item_t *jt = w->data.sequence.items.start; jt < w->data.sequence.items.top; jt++) {
				yaml_node_t *x = node(rd, *jt);
				if (x)
					e->items[e->nitems++] = entry_item_text(rd, x);
			}
		} else {
			e->items = fc_arena_alloc(rd->rs->arena, sizeof(*e->items));
			e->items[0] = entry_item_text(rd, w);
			e->nitems = 1;
		}
	}
	return true;
}

static const char *const exception_keys[] = {"name", "fields", "comps", "values", NULL};

/* Upstream's read_rule_exceptions. PRESENT: the key exists (even null). */
static bool read_exceptions(struct rd *rd, const yaml_node_t *item, const struct fc_ctx *rulectx, bool append,
			    struct fc_exc_info **out, uint32_t *nout)
{
	*out = NULL;
	*nout = 0;
	yaml_node_t *exs = map_get(rd, item, "exceptions", NULL);
	if (!exs || is_null(exs))
		return true;
	struct fc_ctx exes_ctx = frame(rulectx, "exceptions", "", nloc(rd, exs));
	if (!is_seq(exs))
		return err(rd, &exes_ctx, "Rule exceptions must be a sequence");
	size_t n = (size_t)(exs->data.sequence.items.top - exs->data.sequence.items.start);
	struct fc_exc_info *v = fc_arena_alloc(rd->rs->arena, sizeof(*v) * (n ? n : 1));
	uint32_t k = 0;
	for (yaml_node_item_t *it = exs->data.sequence.items.start; it < exs->data.sequence.items.top; it++) {
		yaml_node_t *ex = node(rd, *it);
		struct fc_ctx tmp = frame(&exes_ctx, "exception", "", ex ? nloc(rd, ex) : exes_ctx.loc);
		if (!is_map(ex))
			return err(rd, &tmp, "Rule exception must be a mapping");
		struct fc_text name;
		if (!decode_text(rd, ex, "name", &tmp, REQUIRED, &name, NULL))
			return false;
		struct fc_exc_info *e = &v[k];
		memset(e, 0, sizeof *e);
		e->name = name.s;
		e->loc = nloc(rd, ex);
		e->ctx = aframe(rd, rulectx, "exception", name.s, e->loc);
		for (uint32_t q = 0; q < k; q++)
			if (!strcmp(v[q].name, e->name)) {
				warn(rd, FC_LOAD_EXCEPTION_NAME_NOT_UNIQUE, e->ctx,
				     "Multiple definitions of exception '%s' in the same rule", e->name);
				break;
			}
		check_unknown_keys(rd, ex, exception_keys, e->ctx);
		/* fields are optional when appending */
		if (!decode_exspec(rd, ex, "fields", e->ctx, append ? OPTIONAL : REQUIRED, &e->fields) ||
		    !decode_exspec(rd, ex, "comps", e->ctx, OPTIONAL, &e->comps))
			return false;
		yaml_node_t *exvals = map_get(rd, ex, "values", NULL);
		if (exvals) {
			struct fc_ctx vals_ctx = frame(e->ctx, "exception values", "", nloc(rd, exvals));
			if (!is_seq(exvals))
				return err(rd, &vals_ctx, "Rule exception values must be a sequence");
			size_t m = (size_t)(exvals->data.sequence.items.top - exvals->data.sequence.items.start);
			e->has_values = true;
			e->values = fc_arena_alloc(rd->rs->arena, sizeof(*e->values) * (m ? m : 1));
			for (yaml_node_item_t *jt = exvals->data.sequence.items.start; jt < exvals->data.sequence.items.top;
			     jt++) {
				yaml_node_t *val = node(rd, *jt);
				if (!val)
					continue;
				struct fc_ctx vctx = frame(&vals_ctx, "exception value", "", nloc(rd, val));
				if (!decode_exentry(rd, val, &vctx, &e->values[e->nvalues]))
					return false;
				e->nvalues++;
			}
		} else if (append) {
			warn(rd, FC_LOAD_APPEND_NO_VALUES, e->ctx, "Overriding/appending exception with no values");
		}
		k++;
	}
	*out = v;
	*nout = k;
	return true;
}

/* ------------------------------------------------------------------ items */

static bool full_match_identifier(const char *s)
{
	const char *p = s;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static bool full_match_barestr(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '(' || c == ')' || c == '"' || c == '\'' || c == '=' || c == ',' || c == ' ' || c == '\t' ||
		    c == '\n' || c == '\v' || c == '\f' || c == '\r')
			return false;
	}
	return true;
}

static bool read_engine_version(struct rd *rd, const yaml_node_t *item)
{
	struct fc_ctx ctx = frame(rd->root, "required_engine_version", "", nloc(rd, item));
	static const char *const keys[] = {"required_engine_version", NULL};
	check_unknown_keys(rd, item, keys, &ctx);
	yaml_node_t *v = map_get(rd, item, "required_engine_version", NULL);
	uint64_t n;
	/* first as an unsigned integer (legacy N means 0.N.0), else as a semver string */
	if (is_scalar(v) && v->data.scalar.length &&
	    parse_uint((const char *)v->data.scalar.value, v->data.scalar.length, UINT32_MAX, &n))
		return fc_collect_engine_version(rd->rs, &ctx, 0, (unsigned)n, 0);
	if (!decode_scalar(rd, item, "required_engine_version", &ctx, REQUIRED, &v))
		return false;
	const char *s = fc_arena_strndup(rd->rs->arena, (const char *)v->data.scalar.value, v->data.scalar.length);
	unsigned a, b, c;
	if (sscanf(s, "%u.%u.%u", &a, &b, &c) != 3)
		return err(rd, &ctx,
			   "Unable to parse engine version '%s' as a semver string. Expected \"x.y.z\" semver format.", s);
	return fc_collect_engine_version(rd->rs, &ctx, a, b, c);
}

static bool read_plugin_versions(struct rd *rd, const yaml_node_t *item)
{
	yaml_node_t *req = map_get(rd, item, "required_plugin_versions", NULL);
	struct fc_ctx ctx = frame(rd->root, "required plugin versions", "", nloc(rd, req));
	static const char *const keys[] = {"required_plugin_versions", NULL};
	static const char *const entry_keys[] = {"name", "version", "alternatives", NULL};
	static const char *const alt_keys[] = {"name", "version", NULL};
	struct fc_ctx ictx = frame(rd->root, "rules content item", "", nloc(rd, item));
	check_unknown_keys(rd, item, keys, &ictx);
	if (!is_seq(req))
		return err(rd, &ctx, "Value of required_plugin_versions must be a sequence");
	for (yaml_node_item_t *it = req->data.sequence.items.start; it < req->data.sequence.items.top; it++) {
		yaml_node_t *plugin = node(rd, *it);
		struct fc_ctx tmp = frame(&ctx, "required plugin versions entry", "", plugin ? nloc(rd, plugin) : ctx.loc);
		if (!is_map(plugin))
			return err(rd, &tmp, "Plugin version must be a mapping");
		struct fc_text name, version;
		if (!decode_text(rd, plugin, "name", &tmp, REQUIRED, &name, NULL))
			return false;
		struct fc_ctx pctx = frame(&ctx, "required plugin versions entry", name.s, nloc(rd, plugin));
		check_unknown_keys(rd, plugin, entry_keys, &pctx);
		if (!decode_text(rd, plugin, "version", &pctx, REQUIRED, &version, NULL))
			return false;
		struct fc_plugin_req alts[64];
		uint32_t nalts = 0;
		alts[nalts++] = (struct fc_plugin_req){name.s, version.s, nloc(rd, plugin)};
		yaml_node_t *alternatives = map_get(rd, plugin, "alternatives", NULL);
		if (alternatives) {
			if (!is_seq(alternatives))
				return err(rd, &pctx, "Value of plugin version alternatives must be a sequence");
			for (yaml_node_item_t *jt = alternatives->data.sequence.items.start;
			     jt < alternatives->data.sequence.items.top; jt++) {
				yaml_node_t *a = node(rd, *jt);
				struct fc_ctx atmp = frame(&pctx, "required plugin versions alternative", "",
							   a ? nloc(rd, a) : pctx.loc);
				if (!is_map(a))
					return err(rd, &atmp, "Plugin version alternative must be a mapping");
				struct fc_text an, av;
				if (!decode_text(rd, a, "name", &atmp, REQUIRED, &an, NULL))
					return false;
				struct fc_ctx actx = frame(&pctx, "required plugin versions alternative", an.s, nloc(rd, a));
				check_unknown_keys(rd, a, alt_keys, &actx);
				if (!decode_text(rd, a, "version", &actx, REQUIRED, &av, NULL))
					return false;
				if (nalts < sizeof alts / sizeof alts[0])
					alts[nalts++] = (struct fc_plugin_req){an.s, av.s, nloc(rd, a)};
			}
		}
		if (!fc_collect_plugin_versions(rd->rs, &pctx, alts, nalts))
			return false;
	}
	return true;
}

static bool read_list(struct rd *rd, const yaml_node_t *item)
{
	static const char *const keys[] = {"list", "items", "append", "override", NULL};
	struct fc_ctx tmp = frame(rd->root, "list", "", nloc(rd, item));
	struct fc_text name;
	if (!decode_text(rd, item, "list", &tmp, REQUIRED, &name, NULL))
		return false;
	struct fc_list_info li = {.name = name.s, .loc = nloc(rd, item)};
	li.ctx = aframe(rd, rd->root, "list", name.s, li.loc);
	check_unknown_keys(rd, item, keys, li.ctx);
	if (!full_match_barestr(name.s, name.len))
		warn(rd, FC_LOAD_INVALID_LIST_NAME, li.ctx,
		     "List has an invalid name. List names should match a regular expression: " RGX_BARESTR);
	if (!decode_seq(rd, item, "items", li.ctx, REQUIRED, &li.items, &li.nitems, NULL))
		return false;
	bool append = false;
	if (!decode_bool(rd, item, "append", li.ctx, OPTIONAL, &append, NULL))
		return false;
	if (append)
		warn(rd, FC_LOAD_DEPRECATED_ITEM, li.ctx, WARNING_APPEND);
	unsigned ov_app, ov_rep;
	if (!decode_overrides(rd, item, FC_RK_ITEMS, FC_RK_ITEMS, &ov_app, &ov_rep, li.ctx))
		return false;
	if (append && (ov_app || ov_rep))
		return err(rd, li.ctx, ERROR_OVERRIDE_APPEND);
	return fc_collect_list(rd->rs, &li, append || (ov_app & FC_RK_ITEMS));
}

static bool read_macro(struct rd *rd, const yaml_node_t *item)
{
	static const char *const keys[] = {"macro", "condition", "append", "override", NULL};
	struct fc_ctx tmp = frame(rd->root, "macro", "", nloc(rd, item));
	struct fc_text name;
	if (!decode_text(rd, item, "macro", &tmp, REQUIRED, &name, NULL))
		return false;
	struct fc_macro_info mi = {.name = name.s, .loc = nloc(rd, item)};
	mi.ctx = aframe(rd, rd->root, "macro", name.s, mi.loc);
	check_unknown_keys(rd, item, keys, mi.ctx);
	if (!full_match_identifier(name.s))
		warn(rd, FC_LOAD_INVALID_MACRO_NAME, mi.ctx,
		     "Macro has an invalid name. Macro names should match a regular expression: " RGX_IDENTIFIER);
	if (!decode_text(rd, item, "condition", mi.ctx, REQUIRED, &mi.cond, NULL))
		return false;
	bool append = false;
	if (!decode_bool(rd, item, "append", mi.ctx, OPTIONAL, &append, NULL))
		return false;
	if (append)
		warn(rd, FC_LOAD_DEPRECATED_ITEM, mi.ctx, WARNING_APPEND);
	unsigned ov_app, ov_rep;
	if (!decode_overrides(rd, item, FC_RK_CONDITION, FC_RK_CONDITION, &ov_app, &ov_rep, mi.ctx))
		return false;
	if (append && (ov_app || ov_rep))
		return err(rd, mi.ctx, ERROR_OVERRIDE_APPEND);
	return fc_collect_macro(rd->rs, &mi, append || (ov_app & FC_RK_CONDITION));
}

/* upstream's trim(): leading and trailing " \t\n\r\f\v"; the map is cut to match. */
static bool is_trim_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static struct fc_text trim_text(struct rd *rd, struct fc_text t)
{
	uint32_t a = 0, b = t.len;
	while (a < b && is_trim_space(t.s[a]))
		a++;
	while (b > a && is_trim_space(t.s[b - 1]))
		b--;
	if (a == 0 && b == t.len)
		return t;
	struct fc_text r = t;
	r.s = fc_arena_strndup(rd->rs->arena, t.s + a, b - a);
	r.len = b - a;
	struct fc_srcmap *m = fc_collect_scratch_map(rd->rs);
	for (uint32_t i = 0; i < t.map.n; i++) {
		const struct fc_srcseg *sg = &t.map.seg[i];
		uint32_t s1 = i + 1 < t.map.n ? t.map.seg[i + 1].at : UINT32_MAX;
		uint32_t lo = sg->at > a ? sg->at : a;
		if (lo >= s1 || (lo >= b && lo > a))
			continue;
		fc_srcmap_add(m, sg->file, lo - a, sg->fixed ? sg->src : sg->src + (lo - sg->at), sg->fixed);
	}
	if (!m->n)
		fc_srcmap_add(m, rd->src, 0, t.loc.off, true);
	fc_collect_freeze_map(rd->rs, m, &r.map);
	return r;
}

static bool decode_priority(struct rd *rd, const yaml_node_t *item, const struct fc_ctx *ctx, enum fc_priority *out)
{
	yaml_node_t *v;
	if (!decode_scalar(rd, item, "priority", ctx, REQUIRED, &v))
		return false;
	char buf[64];
	size_t l = v->data.scalar.length < sizeof buf - 1 ? v->data.scalar.length : sizeof buf - 1;
	memcpy(buf, v->data.scalar.value, l);
	buf[l] = 0;
	struct fc_ctx prictx = frame(ctx, "rule priority", "", nloc(rd, v));
	if (l != v->data.scalar.length || memchr(buf, 0, l) || !fc_priority_parse(buf, out))
		return err(rd, &prictx, "Invalid priority");
	return true;
}

static bool decode_tags(struct rd *rd, const yaml_node_t *item, const struct fc_ctx *ctx, struct fc_rule_info *ri)
{
	struct fc_text *t;
	uint32_t n;
	if (!decode_seq(rd, item, "tags", ctx, OPTIONAL, &t, &n, NULL))
		return false;
	ri->tags = fc_arena_alloc(rd->rs->arena, sizeof(*ri->tags) * (n ? n : 1));
	for (uint32_t i = 0; i < n; i++)
		ri->tags[i] = t[i].s;
	ri->ntags = n;
	return true;
}

static bool decode_capture_duration(struct rd *rd, const yaml_node_t *item, const struct fc_ctx *ctx,
				    struct fc_rule_info *ri)
{
	yaml_node_t *v;
	if (!decode_scalar(rd, item, "capture_duration", ctx, OPTIONAL, &v))
		return false;
	if (!v)
		return true;
	uint64_t n;
	if (!parse_uint((const char *)v->data.scalar.value, v->data.scalar.length, INT64_MAX, &n)) {
		struct fc_ctx valctx = frame(ctx, "value for", "capture_duration", nloc(rd, v));
		return err(rd, &valctx, "Can't decode YAML scalar value");
	}
	ri->capture_duration = (int64_t)n;
	return true;
}

/* Decodes the keys of an override (append or replace) update, in upstream's order, checking
 * each requested key is present. */
static bool read_update(struct rd *rd, const yaml_node_t *item, unsigned ops, unsigned *expected, bool append,
			struct fc_rule_info *ri)
{
	static const unsigned order[] = {FC_RK_CONDITION, FC_RK_EXCEPTIONS, FC_RK_OUTPUT, FC_RK_DESC,
					 FC_RK_TAGS, FC_RK_PRIORITY, FC_RK_ENABLED, FC_RK_WARN_EVTTYPES,
					 FC_RK_SKIP_UNKNOWN, FC_RK_CAPTURE, FC_RK_CAPTURE_DURATION};
	const struct fc_ctx *ctx = ri->ctx;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		unsigned k = order[i];
		if (!(ops & k))
			continue;
		const char *key = bit_key(k);
		if (!(*expected & k))
			return err(rd, ctx, "An %s override for '%s' was specified but '%s' is not defined",
				   append ? "append" : "replace", key, key);
		*expected &= ~k;
		ri->has |= k;
		bool ok = true;
		switch (k) {
		case FC_RK_CONDITION:
			ok = decode_text(rd, item, "condition", ctx, REQUIRED, &ri->cond, NULL);
			break;
		case FC_RK_EXCEPTIONS:
			ok = read_exceptions(rd, item, ctx, append, &ri->exc, &ri->nexc);
			break;
		case FC_RK_OUTPUT:
			ok = decode_text(rd, item, "output", ctx, REQUIRED, &ri->output, NULL);
			break;
		case FC_RK_DESC:
			ok = decode_text(rd, item, "desc", ctx, REQUIRED, &ri->desc, NULL);
			break;
		case FC_RK_TAGS:
			ok = decode_tags(rd, item, ctx, ri);
			break;
		case FC_RK_PRIORITY:
			ok = decode_priority(rd, item, ctx, &ri->priority);
			break;
		case FC_RK_ENABLED:
			ok = decode_bool(rd, item, "enabled", ctx, REQUIRED, &ri->enabled, NULL);
			break;
		case FC_RK_WARN_EVTTYPES:
			ok = decode_bool(rd, item, "warn_evttypes", ctx, REQUIRED, &ri->warn_evttypes, NULL);
			break;
		case FC_RK_SKIP_UNKNOWN:
			ok = decode_bool(rd, item, "skip-if-unknown-filter", ctx, REQUIRED, &ri->skip_if_unknown_filter,
					 NULL);
			break;
		case FC_RK_CAPTURE:
			ok = decode_bool(rd, item, "capture", ctx, REQUIRED, &ri->capture, NULL);
			break;
		case FC_RK_CAPTURE_DURATION:
			ok = decode_capture_duration(rd, item, ctx, ri);
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

static const char *const rule_item_keys[] = {"rule", "condition", "output", "desc", "priority", "source", "enabled",
					     "tags", "exceptions", "warn_evttypes", "skip-if-unknown-filter",
					     "capture", "capture_duration", "append", "override", NULL};

static bool read_rule(struct rd *rd, const yaml_node_t *item)
{
	struct fc_ctx tmp = frame(rd->root, "rule", "", nloc(rd, item));
	struct fc_text name;
	if (!decode_text(rd, item, "rule", &tmp, REQUIRED, &name, NULL))
		return false;
	struct fc_rule_info ri = {.name = name.s, .loc = nloc(rd, item), .source = "syscall", .enabled = true,
				  .warn_evttypes = true};
	ri.ctx = aframe(rd, rd->root, "rule", name.s, ri.loc);
	const struct fc_ctx *ctx = ri.ctx;
	check_unknown_keys(rd, item, rule_item_keys, ctx);

	bool append_flag = false;
	if (!decode_bool(rd, item, "append", ctx, OPTIONAL, &append_flag, NULL))
		return false;
	if (append_flag)
		warn(rd, FC_LOAD_DEPRECATED_ITEM, ctx, WARNING_APPEND);

	const unsigned appendable = FC_RK_CONDITION | FC_RK_OUTPUT | FC_RK_DESC | FC_RK_TAGS | FC_RK_EXCEPTIONS;
	const unsigned replaceable = FC_RK_CONDITION | FC_RK_OUTPUT | FC_RK_DESC | FC_RK_PRIORITY | FC_RK_TAGS |
				     FC_RK_EXCEPTIONS | FC_RK_ENABLED | FC_RK_WARN_EVTTYPES | FC_RK_SKIP_UNKNOWN |
				     FC_RK_CAPTURE | FC_RK_CAPTURE_DURATION;
	unsigned ov_app, ov_rep;
	if (!decode_overrides(rd, item, appendable, replaceable, &ov_app, &ov_rep, ctx))
		return false;
	if (append_flag && (ov_app || ov_rep))
		return err(rd, ctx, ERROR_OVERRIDE_APPEND);

	if (ov_app || ov_rep) {
		unsigned expected = 0;
		for (size_t i = 0; i < sizeof rule_keys / sizeof rule_keys[0]; i++)
			if ((rule_keys[i].bit & (appendable | replaceable)) && has_key(rd, item, rule_keys[i].name))
				expected |= rule_keys[i].bit;
		if (ov_app) {
			struct fc_rule_info u = ri;
			if (!read_update(rd, item, ov_app, &expected, true, &u) || !fc_collect_rule_append(rd->rs, &u))
				return false;
		}
		if (ov_rep) {
			struct fc_rule_info u = ri;
			if (!read_update(rd, item, ov_rep, &expected, false, &u) || !fc_collect_rule_replace(rd->rs, &u))
				return false;
		}
		if (expected) {
			/* upstream walks a std::set: the alphabetically first key is reported */
			const char *first = NULL;
			for (size_t i = 0; i < sizeof rule_keys / sizeof rule_keys[0]; i++)
				if ((expected & rule_keys[i].bit) && (!first || strcmp(rule_keys[i].name, first) < 0))
					first = rule_keys[i].name;
			yaml_node_t *v = map_get(rd, item, first, NULL);
			struct fc_ctx keyctx = frame(ctx, "overrides", first, nloc(rd, v));
			return err(rd, &keyctx, "Unexpected key '%s': no corresponding entry under 'override' is defined.",
				   first);
		}
		return true;
	}

	if (append_flag) {
		/* legacy append: only condition and exceptions are read */
		if (has_key(rd, item, "condition")) {
			ri.has |= FC_RK_CONDITION;
			if (!decode_text(rd, item, "condition", ctx, REQUIRED, &ri.cond, NULL))
				return false;
		}
		if (has_key(rd, item, "exceptions")) {
			ri.has |= FC_RK_EXCEPTIONS;
			if (!read_exceptions(rd, item, ctx, true, &ri.exc, &ri.nexc))
				return false;
		}
		return fc_collect_rule_append(rd->rs, &ri);
	}

	if (!has_key(rd, item, "condition") && !has_key(rd, item, "output") && !has_key(rd, item, "desc") &&
	    !has_key(rd, item, "priority")) {
		/* standalone `enabled`: enables or disables an earlier rule */
		if (!decode_bool(rd, item, "enabled", ctx, REQUIRED, &ri.enabled, NULL))
			return false;
		ri.has |= FC_RK_ENABLED;
		warn(rd, FC_LOAD_DEPRECATED_ITEM, ctx, WARNING_ENABLED);
		return fc_collect_rule_enable(rd->rs, &ri);
	}

	if (!decode_text(rd, item, "condition", ctx, REQUIRED, &ri.cond, NULL))
		return false;
	ri.cond_loc = ri.cond.loc;
	if (!decode_text(rd, item, "output", ctx, REQUIRED, &ri.output, NULL))
		return false;
	ri.out_loc = ri.output.loc;
	if (!decode_text(rd, item, "desc", ctx, REQUIRED, &ri.desc, NULL))
		return false;
	yaml_node_t *pv;
	if (!decode_scalar(rd, item, "priority", ctx, REQUIRED, &pv))
		return false;
	ri.output = trim_text(rd, ri.output);
	if (!decode_priority(rd, item, ctx, &ri.priority))
		return false;
	struct fc_text source;
	bool has_source;
	if (!decode_text(rd, item, "source", ctx, OPTIONAL, &source, &has_source))
		return false;
	if (has_source)
		ri.source = source.s;
	if (!decode_bool(rd, item, "enabled", ctx, OPTIONAL, &ri.enabled, NULL) ||
	    !decode_bool(rd, item, "warn_evttypes", ctx, OPTIONAL, &ri.warn_evttypes, NULL) ||
	    !decode_bool(rd, item, "skip-if-unknown-filter", ctx, OPTIONAL, &ri.skip_if_unknown_filter, NULL) ||
	    !decode_bool(rd, item, "capture", ctx, OPTIONAL, &ri.capture, NULL) ||
	    !decode_capture_duration(rd, item, ctx, &ri) || !decode_tags(rd, item, ctx, &ri) ||
	    !read_exceptions(rd, item, ctx, false, &ri.exc, &ri.nexc))
		return false;
	return fc_collect_rule_define(rd->rs, &ri);
}

static bool read_item(struct rd *rd, const yaml_node_t *item)
{
	if (!is_map(item)) {
		struct fc_ctx tmp = frame(rd->root, "rules content item", "", nloc(rd, item));
		return err(rd, &tmp, "Unexpected element type. Each element should be a yaml associative array.");
	}
	if (has_key(rd, item, "required_engine_version"))
		return read_engine_version(rd, item);
	if (has_key(rd, item, "required_plugin_versions"))
		return read_plugin_versions(rd, item);
	if (has_key(rd, item, "list"))
		return read_list(rd, item);
	if (has_key(rd, item, "macro"))
		return read_macro(rd, item);
	if (has_key(rd, item, "rule"))
		return read_rule(rd, item);
	struct fc_ctx ctx = frame(rd->root, "rules content item", "", nloc(rd, item));
	warn(rd, FC_LOAD_UNKNOWN_ITEM, &ctx, "Unknown top level item");
	return true;
}

/* ------------------------------------------------------------------ documents */

static int yaml_error_pos(struct rd *rd, const yaml_parser_t *p, struct fc_loc *loc)
{
	if (p->error == YAML_READER_ERROR)
		*loc = fc_loc_at(rd->src, p->problem_offset > rd->src->len ? (uint32_t)rd->src->len
									: (uint32_t)p->problem_offset);
	else
		*loc = loc_of(rd, p->problem_mark);
	return 0;
}

/* libyaml's scanner slows down sharply with flow-collection depth (200k nested '[' take
 * minutes), so a hostile file is refused before it reaches libyaml: a cheap scan of '[' '{'
 * nesting outside quotes and comments. Returns the offset of the first bracket past
 * FC_YAML_MAX_FLOW_DEPTH, or -1. Rules files nest two or three levels. */
#define FC_YAML_MAX_FLOW_DEPTH 1000
/* Aliases may unfold a document by this many bytes beyond twice the file's length. */
#define FC_YAML_MAX_UNFOLDED (16u << 20)
static long flow_too_deep(const char *t, size_t n)
{
	long depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (c == '#' && (i == 0 || t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\n')) {
			while (i < n && t[i] != '\n')
				i++;
		} else if (c == '"' || c == '\'') {
			for (i++; i < n && t[i] != c && t[i] != '\n'; i++)
				if (c == '"' && t[i] == '\\')
					i++;
		} else if (c == '[' || c == '{') {
			if (++depth > FC_YAML_MAX_FLOW_DEPTH)
				return (long)i;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return -1;
}

/* Anchors and aliases: libyaml hands out a graph in which an alias is one more reference to the
 * anchored node, so a few bytes can describe a cyclic tree or one that unfolds to gigabytes
 * ("billion laughs"), which the readers below would walk and copy node by node. A document is
 * refused when an alias closes a cycle or when its unfolded size (scalar bytes plus one per node)
 * passes LIMIT; without aliases the unfolded size stays under twice the file's length. Returns
 * the offending node (*CYCLIC says which case) or NULL. Iterative: block nesting is unbounded. */
static const yaml_node_t *unfold_check(yaml_document_t *d, uint64_t limit, bool *cyclic)
{
	size_t n = (size_t)(d->nodes.top - d->nodes.start);
	uint64_t *size = calloc(n + 1, sizeof *size);
	uint8_t *state = calloc(n + 1, 1); /* 0 unseen, 1 on the path, 2 done */
	struct unfold_frame {
		int id;
		size_t next; /* next child to visit */
	} *stk = malloc((n + 1) * sizeof *stk);
	if (!size || !state || !stk)
		abort();
	const yaml_node_t *bad = NULL;
	size_t sp = 0;
	*cyclic = false;
	if (n) {
		stk[sp++] = (struct unfold_frame){1, 0};
		state[1] = 1;
	}
	while (sp && !bad) {
		int id = stk[sp - 1].id;
		const yaml_node_t *v = &d->nodes.start[id - 1];
		size_t nkids = v->type == YAML_SEQUENCE_NODE ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start)
			       : v->type == YAML_MAPPING_NODE ? 2 * (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start)
							      : 0;
		size_t k = stk[sp - 1].next++;
		if (k < nkids) {
			int kid = v->type == YAML_SEQUENCE_NODE ? v->data.sequence.items.start[k]
				  : k % 2 == 0			? v->data.mapping.pairs.start[k / 2].key
								: v->data.mapping.pairs.start[k / 2].value;
			if (kid < 1 || (size_t)kid > n)
				continue;
			if (state[kid] == 1) {
				*cyclic = true;
				bad = &d->nodes.start[kid - 1];
			} else if (state[kid] == 0) {
				state[kid] = 1;
				stk[sp++] = (struct unfold_frame){kid, 0};
			} else if ((size[id] += size[kid]) > limit) {
				bad = &d->nodes.start[kid - 1];
			}
			continue;
		}
		/* all children counted: close the node and add it to its parent */
		size[id] += 1 + (v->type == YAML_SCALAR_NODE ? v->data.scalar.length : 0);
		state[id] = 2;
		if (size[id] > limit)
			bad = v;
		else if (--sp && (size[stk[sp - 1].id] += size[id]) > limit)
			bad = v;
	}
	free(size);
	free(state);
	free(stk);
	return bad;
}

bool fc_yaml_read(struct fc_ruleset *rs, struct fc_source *src, const struct fc_ctx *root)
{
	struct rd rd = {.rs = rs, .src = src, .root = root};
	long deep = flow_too_deep(src->text, src->len);
	if (deep >= 0) {
		struct fc_loc loc = fc_loc_at(src, (uint32_t)deep);
		struct fc_ctx f = frame(root, "value for", "", loc);
		fc_diag(rs->diags, FC_LOAD_ERR_YAML_PARSE, &f, loc,
			"flow collections nested deeper than %d levels", FC_YAML_MAX_FLOW_DEPTH);
		return false;
	}
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		fc_diag(rs->diags, FC_LOAD_ERR_YAML_PARSE, root, fc_loc_at(src, 0), "unknown YAML parsing error");
		return false;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)src->text, src->len);
	/* All documents first: a syntax error anywhere rejects the file before any item is read. */
	yaml_document_t *docs = NULL;
	size_t ndocs = 0, cap = 0;
	bool ok = true;
	for (;;) {
		yaml_document_t d;
		if (!yaml_parser_load(&p, &d)) {
			struct fc_loc loc;
			yaml_error_pos(&rd, &p, &loc);
			struct fc_ctx f = frame(root, "value for", "", loc);
			fc_diag(rs->diags, FC_LOAD_ERR_YAML_PARSE, &f, loc, "%s",
				p.problem ? p.problem : "unknown YAML parsing error");
			ok = false;
			break;
		}
		if (!yaml_document_get_root_node(&d)) {
			yaml_document_delete(&d);
			break;
		}
		if (ndocs == cap) {
			cap = cap ? cap * 2 : 4;
			docs = realloc(docs, cap * sizeof(*docs));
			if (!docs)
				abort();
		}
		docs[ndocs++] = d;
	}
	yaml_parser_delete(&p);
	for (size_t i = 0; ok && i < ndocs; i++) {
		bool cyclic;
		const yaml_node_t *bad = unfold_check(&docs[i], FC_YAML_MAX_UNFOLDED + 2 * (uint64_t)src->len, &cyclic);
		if (bad) {
			struct fc_loc loc = nloc(&rd, bad);
			struct fc_ctx f = frame(root, "value for", "", loc);
			if (cyclic)
				fc_diag(rs->diags, FC_LOAD_ERR_YAML_PARSE, &f, loc, "an alias refers to a node that contains it");
			else
				fc_diag(rs->diags, FC_LOAD_ERR_YAML_PARSE, &f, loc,
					"aliases unfold the document to more than %llu bytes",
					(unsigned long long)(FC_YAML_MAX_UNFOLDED + 2 * (uint64_t)src->len));
			ok = false;
		}
	}
	for (size_t i = 0; ok && i < ndocs; i++) {
		rd.doc = &docs[i];
		yaml_node_t *r = yaml_document_get_root_node(&docs[i]);
		if (is_null(r))
			continue;
		if (r->type == YAML_SCALAR_NODE) {
			ok = err(&rd, root, "Rules content is not yaml");
			break;
		}
		if (r->type != YAML_SEQUENCE_NODE) {
			ok = err(&rd, root, "Rules content is not yaml array of objects");
			break;
		}
		for (yaml_node_item_t *it = r->data.sequence.items.start; ok && it < r->data.sequence.items.top; it++) {
			yaml_node_t *item = node(&rd, *it);
			if (!is_null(item))
				ok = read_item(&rd, item);
		}
	}
	for (size_t i = 0; i < ndocs; i++)
		yaml_document_delete(&docs[i]);
	free(docs);
	free(rd.charoff);
	return ok;
}
