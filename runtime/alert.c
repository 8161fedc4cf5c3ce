/* alert.c — alert formatting, byte-compatible with Falco's text and JSON alerts (see alert.h
 * for the layouts). Owns the priority words, the JSON string escaper (also used to make the
 * text line one safe line), the time prefixes and the typed output_fields values. Field values
 * are rendered by fc_value_render (evtfields.h), the one renderer the whole runtime shares. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "evtfields.h"

void fc_alert_opts_default(struct fc_alert_opts *o)
{
	*o = (struct fc_alert_opts){.inc_output = true, .inc_tags = true, .inc_output_fields = true};
}

const char *fc_alert_hostname(char *buf, size_t len)
{
	const char *env = getenv("FALCO_HOSTNAME");
	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (gethostname(buf, len) != 0)
		snprintf(buf, len, "%s", "");
	if (len)
		buf[len - 1] = 0;
	return buf;
}

/* ---- buffer ---- */

void fc_abuf_free(struct fc_abuf *b)
{
	free(b->p);
	*b = (struct fc_abuf){0};
}

static bool reserve(struct fc_abuf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return true;
	bool fresh = !b->p;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return false;
	b->p = p;
	b->cap = cap;
	if (fresh)
		p[0] = 0;
	return true;
}

bool fc_abuf_add(struct fc_abuf *b, const void *s, size_t n)
{
	if (!reserve(b, n))
		return false;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
	return true;
}

static bool adds(struct fc_abuf *b, const char *s)
{
	return fc_abuf_add(b, s, strlen(s));
}

static bool addc(struct fc_abuf *b, char c)
{
	return fc_abuf_add(b, &c, 1);
}

static void clear(struct fc_abuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}

/* ---- JSON string escaping ---- */

/* Length of the valid UTF-8 sequence at S (N bytes available), or 0 when invalid; on 0, *SKIP
 * is the maximal ill-formed subpart to replace by one U+FFFD (Unicode's recommended practice). */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *skip)
{
	unsigned char c = s[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*skip = 1;
		return 0;
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*skip = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

bool fc_json_escape(struct fc_abuf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		/* Copy a run of bytes that need nothing. */
		size_t j = i;
		while (j < n && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '"' && s[j] != '\\')
			j++;
		if (j > i && !fc_abuf_add(out, s + i, j - i))
			return false;
		i = j;
		if (i >= n)
			break;
		unsigned char c = s[i];
		if (c < 0x80) {
			char esc[8];
			switch (c) {
			case '"': memcpy(esc, "\\\"", 3); break;
			case '\\': memcpy(esc, "\\\\", 3); break;
			case '\b': memcpy(esc, "\\b", 3); break;
			case '\f': memcpy(esc, "\\f", 3); break;
			case '\n': memcpy(esc, "\\n", 3); break;
			case '\r': memcpy(esc, "\\r", 3); break;
			case '\t': memcpy(esc, "\\t", 3); break;
			default: snprintf(esc, sizeof esc, "\\u%04x", c); break;
			}
			if (!adds(out, esc))
				return false;
			i++;
			continue;
		}
		size_t skip = 0, len = utf8_seq(s + i, n - i, &skip);
		if (len) {
			if (!fc_abuf_add(out, s + i, len))
				return false;
			i += len;
		} else {
			if (!fc_abuf_add(out, "\xEF\xBF\xBD", 3))
				return false;
			i += skip;
		}
	}
	return reserve(out, 0); /* OUT->p is a string even when nothing was added */
}

static bool json_str(struct fc_abuf *out, const char *s, size_t n)
{
	return addc(out, '"') && fc_json_escape(out, s, n) && addc(out, '"');
}

/* ---- times ---- */

bool fc_alert_time_text(struct fc_abuf *out, uint64_t ts, bool iso8601)
{
	time_t sec = (time_t)(ts / 1000000000u);
	unsigned ns = (unsigned)(ts % 1000000000u);
	struct tm tm;
	char buf[64];
	if (iso8601) {
		if (!gmtime_r(&sec, &tm))
			return adds(out, "YYYY-MM-DDTHH:MM:SS-0000");
		snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09u+0000", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
	} else {
		if (!localtime_r(&sec, &tm))
			memset(&tm, 0, sizeof tm);
		snprintf(buf, sizeof buf, "%02d:%02d:%02d.%09u", tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
	}
	return adds(out, buf);
}

bool fc_alert_time_json(struct fc_abuf *out, uint64_t ts)
{
	time_t sec = (time_t)(ts / 1000000000u);
	struct tm tm;
	char buf[64];
	if (!gmtime_r(&sec, &tm))
		memset(&tm, 0, sizeof tm);
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(ts % 1000000000u));
	return adds(out, buf);
}

/* ---- values ---- */

/* The type a transformer slot's value is rendered as: it follows the value. */
static enum fc_ptype kind_type(const struct fc_val *v)
{
	switch (v->kind) {
	case FC_V_U64: return PT_UINT64;
	case FC_V_I64: return PT_INT64;
	case FC_V_DBL: return PT_DOUBLE;
	case FC_V_BUF: return PT_BYTEBUF;
	case FC_V_IPV4: return PT_IPV4ADDR;
	case FC_V_IPV6: return PT_IPV6ADDR;
	default: return PT_CHARBUF;
	}
}

static bool render(struct fc_abuf *out, const struct fc_val *v, enum fc_ptype t)
{
	char tmp[512];
	size_t n = fc_value_render(v, t, tmp, sizeof tmp);
	if (n < sizeof tmp)
		return fc_abuf_add(out, tmp, n);
	if (!reserve(out, n + 1))
		return false;
	fc_value_render(v, t, out->p + out->len, n + 1);
	out->len += n;
	out->p[out->len] = 0;
	return true;
}

static const struct fc_val *slot_value(const struct fc_alert_values *v, uint32_t slot, const struct fc_fieldspec **spec,
				       enum fc_ptype *type)
{
	static const struct fc_val none = {.kind = FC_V_NONE};
	const struct fc_val *val = v->value(v->ctx, slot);
	if (!val)
		val = &none;
	*spec = v->spec ? v->spec(v->ctx, slot) : NULL;
	*type = *spec ? (*spec)->type : kind_type(val);
	return val;
}

/* Fields whose JSON value upstream takes from the event timestamp, not from their text. */
static bool json_is_evt_time(const struct fc_fieldspec *f)
{
	if (!f)
		return false;
	switch (f->id) {
	case FC_F_EVT_TIME:
	case FC_F_EVT_TIME_S:
	case FC_F_EVT_TIME_ISO8601:
	case FC_F_EVT_DATETIME:
	case FC_F_EVT_DATETIME_S: return true;
	default: return false;
	}
}

static bool json_number_u(struct fc_abuf *out, uint64_t u)
{
	char b[32];
	snprintf(b, sizeof b, "%llu", (unsigned long long)u);
	return adds(out, b);
}

static bool json_double(struct fc_abuf *out, double d)
{
	if (!isfinite(d))
		return adds(out, "null");
	char b[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(b, sizeof b, "%.*g", prec, d);
		if (strtod(b, NULL) == d)
			break;
	}
	if (!strpbrk(b, ".eE"))
		strcat(b, ".0");
	return adds(out, b);
}

/* One scalar (or list item) as JSON: numbers as numbers, BOOL as true/false, the rest as the
 * rendered string. */
static bool json_scalar(struct fc_abuf *out, struct fc_abuf *tok, const struct fc_val *v, enum fc_ptype t)
{
	char b[32];
	switch (v->kind) {
	case FC_V_NONE: return adds(out, "null");
	case FC_V_U64:
		if (t == PT_BOOL)
			return adds(out, v->u ? "true" : "false");
		return json_number_u(out, v->u);
	case FC_V_I64:
		if (t == PT_BOOL)
			return adds(out, v->i ? "true" : "false");
		snprintf(b, sizeof b, "%lld", (long long)v->i);
		return adds(out, b);
	case FC_V_DBL: return json_double(out, v->d);
	default:
		clear(tok);
		if (!render(tok, v, t))
			return false;
		return json_str(out, tok->p, tok->len);
	}
}

static bool json_value(struct fc_abuf *out, struct fc_abuf *tok, const struct fc_val *v, enum fc_ptype t)
{
	if (v->kind != FC_V_LIST)
		return json_scalar(out, tok, v, t);
	if (!addc(out, '['))
		return false;
	for (uint32_t i = 0; i < v->len; i++)
		if ((i && !addc(out, ',')) || !json_scalar(out, tok, &v->items[i], t))
			return false;
	return addc(out, ']');
}

/* ---- the alert ---- */

void fc_alerter_init(struct fc_alerter *a, const struct fc_alert_opts *o)
{
	*a = (struct fc_alerter){.o = *o};
	if (o->hostname)
		snprintf(a->hostname, sizeof a->hostname, "%s", o->hostname);
	else
		fc_alert_hostname(a->hostname, sizeof a->hostname);
	a->o.hostname = a->hostname;
}

void fc_alerter_fini(struct fc_alerter *a)
{
	fc_abuf_free(&a->out);
	fc_abuf_free(&a->line);
	fc_abuf_free(&a->msg);
	fc_abuf_free(&a->tok);
}

/* The rule's message: segments with values rendered, <NA> for missing, widths applied. A
 * leading '*' of the output (upstream's "print even with missing values", always implied) is
 * consumed, as upstream's formatter does. */
static bool format_message(struct fc_alerter *a, const struct fc_bundle_rule *r, const struct fc_alert_values *v)
{
	struct fc_abuf *m = &a->msg, *tok = &a->tok;
	clear(m);
	for (uint32_t i = 0; i < r->nout; i++) {
		const struct fc_bundle_outseg *s = &r->out[i];
		if (s->lit) {
			const char *p = s->lit;
			size_t n = s->litlen;
			if (i == 0 && n && p[0] == '*') {
				p++;
				n--;
			}
			if (!fc_abuf_add(m, p, n))
				return false;
			continue;
		}
		const struct fc_fieldspec *spec;
		enum fc_ptype t;
		const struct fc_val *val = slot_value(v, s->slot, &spec, &t);
		clear(tok);
		if (val->kind == FC_V_NONE ? !adds(tok, "<NA>") : !render(tok, val, t))
			return false;
		if (s->width) {
			/* std::string::resize: cut to WIDTH bytes or pad with spaces. */
			while (tok->len < s->width)
				if (!addc(tok, ' '))
					return false;
			tok->len = s->width;
		}
		if (!fc_abuf_add(m, tok->p, tok->len))
			return false;
	}
	return true;
}

struct ofield {
	const char *key;
	const struct fc_bundle_outseg *seg; /* NULL: the prefix time field */
};

static int ofield_cmp(const void *x, const void *y)
{
	return strcmp(((const struct ofield *)x)->key, ((const struct ofield *)y)->key);
}

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static bool format_output_fields(struct fc_alerter *a, const struct fc_bundle_rule *r, uint64_t ts,
				 const struct fc_alert_values *v)
{
	struct fc_abuf *out = &a->out;
	struct ofield *f = malloc(sizeof *f * (r->nout + 1));
	if (!f)
		return false;
	size_t n = 0;
	f[n++] = (struct ofield){.key = a->o.iso8601 ? "evt.time.iso8601" : "evt.time"};
	for (uint32_t i = 0; i < r->nout; i++)
		if (!r->out[i].lit && r->out[i].json && r->out[i].key)
			f[n++] = (struct ofield){.key = r->out[i].key, .seg = &r->out[i]};
	qsort(f, n, sizeof *f, ofield_cmp);
	bool ok = addc(out, '{');
	for (size_t i = 0; ok && i < n; i++) {
		if (i + 1 < n && !strcmp(f[i].key, f[i + 1].key))
			continue; /* one key per field (same key, same value) */
		if (i && out->p[out->len - 1] != '{')
			ok = addc(out, ',');
		ok = ok && json_str(out, f[i].key, strlen(f[i].key)) && addc(out, ':');
		if (!ok)
			break;
		const struct fc_fieldspec *spec = NULL;
		enum fc_ptype t = PT_NONE;
		const struct fc_val *val = f[i].seg ? slot_value(v, f[i].seg->slot, &spec, &t) : NULL;
		if (!f[i].seg || json_is_evt_time(spec))
			ok = json_number_u(out, ts);
		else
			ok = json_value(out, &a->tok, val, t);
	}
	free(f);
	return ok && addc(out, '}');
}

static bool format_tags(struct fc_abuf *out, const struct fc_bundle_rule *r)
{
	const char **t = malloc(sizeof *t * (r->ntags + 1));
	if (!t)
		return false;
	for (uint32_t i = 0; i < r->ntags; i++)
		t[i] = r->tags[i];
	qsort(t, r->ntags, sizeof *t, str_cmp);
	bool ok = addc(out, '[');
	bool first = true;
	for (uint32_t i = 0; ok && i < r->ntags; i++) {
		if (i && !strcmp(t[i], t[i - 1]))
			continue; /* a set */
		ok = (first || addc(out, ',')) && json_str(out, t[i], strlen(t[i]));
		first = false;
	}
	free(t);
	return ok && addc(out, ']');
}

const char *fc_alert_format(struct fc_alerter *a, const struct fc_bundle_rule *r, uint64_t ts,
			    const struct fc_alert_values *v, size_t *len)
{
	struct fc_abuf *line = &a->line, *out = &a->out;
	const char *prio = fc_prio_name(r->priority);
	if (!prio)
		prio = "Debug";
	clear(line);
	clear(out);
	if (!format_message(a, r, v) || !fc_alert_time_text(line, ts, a->o.iso8601) || !adds(line, ": ") ||
	    !adds(line, prio) || !addc(line, ' ') || !fc_abuf_add(line, a->msg.p, a->msg.len))
		return NULL;
	if (!a->o.json) {
		if (!fc_json_escape(out, line->p, line->len))
			return NULL;
		*len = out->len;
		return out->p;
	}
	const char *src = r->source ? r->source : "syscall";
	bool ok = adds(out, "{\"hostname\":") && json_str(out, a->hostname, strlen(a->hostname));
	if (ok && a->o.inc_message)
		ok = adds(out, ",\"message\":") && json_str(out, a->msg.p, a->msg.len);
	if (ok && a->o.inc_output)
		ok = adds(out, ",\"output\":") && json_str(out, line->p, line->len);
	if (ok && a->o.inc_output_fields)
		ok = adds(out, ",\"output_fields\":") && format_output_fields(a, r, ts, v);
	ok = ok && adds(out, ",\"priority\":") && json_str(out, prio, strlen(prio)) && adds(out, ",\"rule\":") &&
	     json_str(out, r->name, strlen(r->name)) && adds(out, ",\"source\":") && json_str(out, src, strlen(src));
	if (ok && a->o.inc_tags)
		ok = adds(out, ",\"tags\":") && format_tags(out, r);
	ok = ok && adds(out, ",\"time\":\"") && fc_alert_time_json(out, ts) && adds(out, "\"}");
	if (!ok)
		return NULL;
	*len = out->len;
	return out->p;
}
