/* fields.c — owns the field catalog table (fc_fields[], from fields.def), the class table, and
 * field-name resolution (LANGUAGE.md §5): a reference is re-assembled as `name` or `name[arg]`
 * and offered to each class in upstream order; the first class whose field table has a prefix
 * of the string parses it (longest prefix, then the class's own argument rules), and must
 * consume it whole, else "filter_check called with nonexistent field <name>". Argument errors
 * are upstream's messages, verbatim. Lookups go through one hash of all catalog names, probing
 * only the prefixes of the string that can be names, so a resolution costs a few dozen probes. */
#include "fields.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

const struct fc_field fc_fields[FC_F_MAX_] = {
#define FIELD(id, name, type, flags, desc) [FC_F_##id] = {name, type, flags, desc},
#include "fields.def"
#undef FIELD
};

/* ---- class table ------------------------------------------------------------------------ */

/* Each FIELD_CLASS marker yields an enumerator equal to the id of the field that follows it:
 * the marker takes the next value, then a resync enumerator steps the counter back by one. */
enum fc_field_ordinal_ {
#define FIELD_CLASS(cid, name, prefix, kind) FC_CLS_AT_##cid, FC_CLS_RESYNC_##cid = FC_CLS_AT_##cid - 1,
#define FIELD(id, name, type, flags, desc) FC_ORD_##id,
#include "fields.def"
#undef FIELD
#undef FIELD_CLASS
};

enum class_kind { KIND_BASE, KIND_EVENT, KIND_THREAD, KIND_FD, KIND_PLUGIN };

struct class_def {
	struct fc_field_class pub;
	enum class_kind kind;
	int first;
};

static const struct class_def classes[] = {
#define FIELD_CLASS(cid, name, prefix, kind) {{name, prefix}, KIND_##kind, FC_CLS_AT_##cid},
#define FIELD(id, name, type, flags, desc)
#include "fields.def"
#undef FIELD
#undef FIELD_CLASS
};

#define NCLASSES (sizeof classes / sizeof classes[0])

_Static_assert(NCLASSES <= 32, "class bookkeeping uses small arrays");

size_t fc_field_class_count(void)
{
	return NCLASSES;
}

static int class_end(size_t i)
{
	return i + 1 < NCLASSES ? classes[i + 1].first : FC_F_MAX_;
}

const struct fc_field_class *fc_field_class_get(size_t i, enum fc_field_id *first, enum fc_field_id *end)
{
	if (i >= NCLASSES)
		return NULL;
	if (first)
		*first = (enum fc_field_id)classes[i].first;
	if (end)
		*end = (enum fc_field_id)class_end(i);
	return &classes[i].pub;
}

size_t fc_field_class_of(enum fc_field_id id)
{
	size_t i = 0;
	while (i + 1 < NCLASSES && (int)id >= classes[i + 1].first)
		i++;
	return i;
}

/* ---- name index: open-addressing hash of every catalog name ----------------------------- */

#define HSIZE 1024u /* power of two, > 2x the number of fields */
_Static_assert(FC_F_MAX_ * 2 < HSIZE, "grow HSIZE");

static struct {
	uint16_t slot[HSIZE];         /* field id + 1, 0 = empty */
	uint8_t len[FC_F_MAX_];       /* strlen of each name */
	uint8_t cls[FC_F_MAX_];       /* owning class index */
	size_t maxlen;                /* longest catalog name */
	atomic_int state;             /* 0 = not built, 1 = building, 2 = ready */
} ix;

static inline uint32_t fnv_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}
#define FNV_INIT 2166136261u

static uint32_t fnv(const char *s, size_t n)
{
	uint32_t h = FNV_INIT;
	for (size_t i = 0; i < n; i++)
		h = fnv_step(h, (unsigned char)s[i]);
	return h;
}

static void build_index(void)
{
	int expect = 0;
	if (atomic_load_explicit(&ix.state, memory_order_acquire) == 2)
		return;
	if (!atomic_compare_exchange_strong(&ix.state, &expect, 1)) {
		while (atomic_load_explicit(&ix.state, memory_order_acquire) != 2)
			;
		return;
	}
	size_t c = 0;
	for (int id = 0; id < FC_F_MAX_; id++) {
		while (c + 1 < NCLASSES && id >= classes[c + 1].first)
			c++;
		size_t n = strlen(fc_fields[id].name);
		ix.len[id] = (uint8_t)n;
		ix.cls[id] = (uint8_t)c;
		if (n > ix.maxlen)
			ix.maxlen = n;
		uint32_t h = fnv(fc_fields[id].name, n) & (HSIZE - 1);
		while (ix.slot[h]) {
			if (!strcmp(fc_fields[ix.slot[h] - 1].name, fc_fields[id].name))
				break; /* duplicate name: the first (earlier class) wins */
			h = (h + 1) & (HSIZE - 1);
		}
		if (!ix.slot[h])
			ix.slot[h] = (uint16_t)(id + 1);
	}
	atomic_store_explicit(&ix.state, 2, memory_order_release);
}

static int lookup_hashed(uint32_t h, const char *s, size_t n)
{
	for (uint32_t i = h & (HSIZE - 1);; i = (i + 1) & (HSIZE - 1)) {
		unsigned v = ix.slot[i];
		if (!v)
			return -1;
		if (ix.len[v - 1] == n && !memcmp(fc_fields[v - 1].name, s, n))
			return (int)v - 1;
	}
}

const struct fc_field *fc_field_by_name(const char *name)
{
	if (!name)
		return NULL;
	build_index();
	size_t n = strlen(name);
	if (n == 0 || n > ix.maxlen)
		return NULL;
	int id = lookup_hashed(fnv(name, n), name, n);
	return id < 0 ? NULL : &fc_fields[id];
}

/* ---- resolution ------------------------------------------------------------------------- */

enum { NOMATCH = -1, FAILED = -2 };

struct rs {
	const char *s; /* the re-assembled reference: name or name[arg] */
	size_t L;
	struct fc_fieldref *out;
	char *err;
	size_t errlen;
};

static int fail(struct rs *r, const char *fmt, ...)
{
	if (r->err && r->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	return FAILED;
}

static bool starts(const struct rs *r, const char *p)
{
	size_t n = strlen(p);
	return r->L >= n && !memcmp(r->s, p, n);
}

/* The character at position I, '\0' past the end (std::string::operator[] at size()). */
static char at(const struct rs *r, size_t i)
{
	return i < r->L ? r->s[i] : '\0';
}

/* Position of the first C in s[from..L), or (size_t)-1. */
static size_t find(const struct rs *r, char c, size_t from)
{
	for (size_t i = from; i < r->L; i++)
		if (r->s[i] == c)
			return i;
	return (size_t)-1;
}

static int set_arg(struct rs *r, const char *p, size_t n)
{
	if (n >= sizeof r->out->arg)
		return fail(r, "field argument too long: %.*s", (int)(r->L > 200 ? 200 : r->L), r->s);
	memcpy(r->out->arg, p, n);
	r->out->arg[n] = 0;
	r->out->has_arg = true;
	return 0;
}

/* sinsp_numparser semantics: sscanf("%d%c")-style — optional blanks and sign, decimal digits,
 * nothing after. KIND: 32 = int32, 64 = int64, 'u' = uint64 (a '-' wraps, as strtoull). */
static bool parse_number(const char *p, size_t n, int kind, int64_t *val)
{
	char buf[64];
	if (n >= sizeof buf)
		return false;
	memcpy(buf, p, n);
	buf[n] = 0;
	const char *q = buf;
	while (isspace((unsigned char)*q))
		q++;
	const char *d = q + (*q == '+' || *q == '-');
	if (!isdigit((unsigned char)*d))
		return false;
	char *end;
	errno = 0;
	if (kind == 'u') {
		unsigned long long v = strtoull(q, &end, 10);
		if (errno || *end)
			return false;
		*val = (int64_t)v;
		return true;
	}
	long long v = strtoll(q, &end, 10);
	if (errno || *end)
		return false;
	if (kind == 32 && (v < INT32_MIN || v > INT32_MAX))
		return false;
	*val = v;
	return true;
}

static int not_a_number(struct rs *r, const char *p, size_t n)
{
	return fail(r, "%.*s is not a valid number", (int)n, p);
}

static void use_field(struct rs *r, enum fc_field_id id)
{
	r->out->id = id;
	r->out->type = (enum fc_ptype)fc_fields[id].type;
	r->out->flags = fc_fields[id].flags;
}

/* -- event class (sinsp_filter_check_event::parse_field_name / extract_arg / extract_type) -- */

enum arg_kind { ARG_EVT, ARG_RAW, ARG_AROUND };

static int64_t event_extract_arg(struct rs *r, size_t n, enum arg_kind kind)
{
	if (r->L > n && r->s[n] == '[') {
		if (kind == ARG_RAW)
			return fail(r, "evt.arg fields must be expressed explicitly");
		size_t end = find(r, ']', 0);
		size_t numend = end == (size_t)-1 ? r->L : end;
		const char *num = r->s + n + 1;
		size_t numlen = numend > n + 1 ? numend - n - 1 : 0;
		int64_t v;
		if (!parse_number(num, numlen, kind == ARG_AROUND ? 'u' : 32, &v))
			return not_a_number(r, num, numlen);
		if (set_arg(r, num, numlen) < 0)
			return FAILED;
		r->out->arg_is_index = true;
		r->out->index = v;
		return end == (size_t)-1 ? 0 : (int64_t)end + 1;
	}
	if (r->L > n && r->s[n] == '.') {
		if (kind == ARG_AROUND)
			return fail(r, "wrong syntax for evt.around");
		const char *name = r->s + n + 1;
		size_t k = fc_evtparam_prefix(name);
		if (k == 0)
			return fail(r, "unknown event argument %s", name);
		if (set_arg(r, name, k) < 0)
			return FAILED;
		if (kind == ARG_RAW) {
			enum fc_ptype t = fc_evtparam_type(r->out->arg);
			if (t != PT_NONE)
				r->out->type = t;
		}
		return (int64_t)(n + 1 + k);
	}
	return fail(r, "filter syntax error: %s", r->s);
}

static int64_t event_extract_type(struct rs *r, size_t n)
{
	if (!(r->L > n && r->s[n] == '.'))
		return fail(r, "filter syntax error: %s", r->s);
	const char *itype = r->s + n + 1;
	size_t ilen = r->L - n - 1;
	int64_t v;
	/* tryparseu32: a plain unsigned decimal names the event by code */
	if (ilen && isdigit((unsigned char)itype[0]) && parse_number(itype, ilen, 'u', &v) && v <= UINT32_MAX) {
		if (set_arg(r, itype, ilen) < 0)
			return FAILED;
		r->out->arg_is_index = true;
		r->out->index = v;
		return (int64_t)r->L;
	}
	for (unsigned j = 0; j < FC_EVENT_MAX; j++) {
		const char *en = fc_events[j].name;
		if (en && strlen(en) == ilen && !memcmp(en, itype, ilen)) {
			if (set_arg(r, itype, ilen) < 0)
				return FAILED;
			return (int64_t)r->L;
		}
	}
	return 0;
}

static int64_t parse_event(struct rs *r, int base_id, size_t base_len)
{
	if (starts(r, "evt.arg") && !starts(r, "evt.args")) {
		use_field(r, FC_F_EVT_ARG);
		return event_extract_arg(r, 7, ARG_EVT);
	}
	if (starts(r, "evt.rawarg")) {
		use_field(r, FC_F_EVT_RAWARG);
		return event_extract_arg(r, 10, ARG_RAW);
	}
	if (starts(r, "evt.around")) {
		use_field(r, FC_F_EVT_AROUND);
		return event_extract_arg(r, 10, ARG_AROUND);
	}
	if (starts(r, "evt.abspath")) {
		use_field(r, FC_F_EVT_ABSPATH);
		if (starts(r, "evt.abspath.src") || starts(r, "evt.abspath.dst")) {
			if (set_arg(r, r->s + 12, 3) < 0)
				return FAILED;
			return 15;
		}
		return 11;
	}
	if (starts(r, "evt.type.is")) {
		use_field(r, FC_F_EVT_TYPE_IS);
		return event_extract_type(r, 11);
	}
	use_field(r, (enum fc_field_id)base_id);
	return (int64_t)base_len;
}

/* -- thread class (sinsp_filter_check_thread::parse_field_name / extract_arg) -------------- */

/* Ancestor-style fields (and proc.args): `[N]` with a decimal N, or nothing. Argument errors
 * are swallowed upstream (catch(...)): the reference then simply fails to match whole. */
static int64_t thread_index_arg(struct rs *r, const char *fld, enum fc_field_id id)
{
	size_t n = strlen(fld);
	use_field(r, id);
	if (at(r, n) == '[') {
		size_t end = find(r, ']', 0);
		if (end == (size_t)-1)
			return r->L == n ? (int64_t)r->L : 0;
		int64_t v;
		if (!parse_number(r->s + n + 1, end - n - 1, 32, &v))
			return 0;
		if (set_arg(r, r->s + n + 1, end - n - 1) < 0)
			return FAILED;
		r->out->arg_is_index = true;
		r->out->index = v;
		return (int64_t)end + 1;
	}
	return r->L == n ? (int64_t)r->L : 0;
}

/* proc.env / proc.aenv: `[NAME]` (an all-digit argument is an index), or nothing. */
static int64_t thread_env_arg(struct rs *r, const char *fld, enum fc_field_id id)
{
	size_t n = strlen(fld);
	use_field(r, id);
	if (at(r, n) == '[') {
		size_t end = find(r, ']', n);
		if (end == (size_t)-1)
			return r->L == n ? (int64_t)r->L : 0;
		const char *a = r->s + n + 1;
		size_t alen = end - n - 1;
		bool digits = alen > 0;
		for (size_t i = 0; i < alen; i++)
			digits &= isdigit((unsigned char)a[i]) != 0;
		int64_t v = 0;
		if (digits && !parse_number(a, alen, 32, &v))
			return 0;
		if (set_arg(r, a, alen) < 0)
			return FAILED;
		r->out->arg_is_index = digits;
		r->out->index = v;
		return (int64_t)end + 1;
	}
	return r->L == n ? (int64_t)r->L : 0;
}

static int64_t parse_thread(struct rs *r, int base_id, size_t base_len)
{
	static const struct {
		const char *name;
		enum fc_field_id id;
		bool env;
	} custom[] = {
		/* upstream test order: proc.aexepath before proc.aexe (common prefix) */
		{"proc.apid", FC_F_PROC_APID, false},      {"proc.aname", FC_F_PROC_ANAME, false},
		{"proc.aexepath", FC_F_PROC_AEXEPATH, false}, {"proc.aexe", FC_F_PROC_AEXE, false},
		{"proc.acmdline", FC_F_PROC_ACMDLINE, false}, {"proc.aargs", FC_F_PROC_AARGS, false},
		{"proc.args", FC_F_PROC_ARGS, false},      {"proc.env", FC_F_PROC_ENV, true},
		{"proc.aenv", FC_F_PROC_AENV, true},
	};
	for (size_t i = 0; i < sizeof custom / sizeof custom[0]; i++)
		if (starts(r, custom[i].name))
			return custom[i].env ? thread_env_arg(r, custom[i].name, custom[i].id)
					     : thread_index_arg(r, custom[i].name, custom[i].id);
	if (starts(r, "thread.cgroup") && !starts(r, "thread.cgroups")) {
		use_field(r, FC_F_THREAD_CGROUP);
		if (at(r, 13) != '.')
			return fail(r, "filter syntax error: %s", r->s);
		size_t e = 14;
		while (e < r->L && (isalpha((unsigned char)r->s[e]) || r->s[e] == '_'))
			e++;
		if (set_arg(r, r->s + 14, e - 14) < 0)
			return FAILED;
		return (int64_t)e;
	}
	use_field(r, (enum fc_field_id)base_id);
	return (int64_t)base_len;
}

/* -- fd class (sinsp_filter_check_fd::parse_field_name / extract_arg) ---------------------- */

static int64_t parse_fd(struct rs *r, int base_id, size_t base_len)
{
	if (starts(r, "fd.types")) {
		use_field(r, FC_F_FD_TYPES);
		if (at(r, 8) == '[') {
			size_t end = find(r, ']', 0);
			size_t numend = end == (size_t)-1 ? r->L : end;
			int64_t v;
			if (!parse_number(r->s + 9, numend - 9, 64, &v))
				return not_a_number(r, r->s + 9, numend - 9);
			if (end == (size_t)-1)
				return 8;
			if (set_arg(r, r->s + 9, end - 9) < 0)
				return FAILED;
			r->out->arg_is_index = true;
			r->out->index = v;
			return (int64_t)end + 1;
		}
		return 8;
	}
	use_field(r, (enum fc_field_id)base_id);
	return (int64_t)base_len;
}

/* -- plugin classes (sinsp_filter_check_plugin::parse_field_name) -------------------------- */

/* extract_arg_index's rules; NULL when ARG is a valid index (stored in *v), else the message. */
static const char *plugin_index(const char *a, size_t n, uint64_t *v)
{
	const char *msg = NULL;
	if (n == 0 || (n > 1 && a[0] == '0'))
		msg = " has an invalid index argument starting with 0: ";
	for (size_t j = 0; j < n; j++)
		if (!isdigit((unsigned char)a[j])) {
			msg = " has an invalid index argument not composed only by digits: ";
			break;
		}
	if (msg)
		return msg;
	uint64_t x = 0;
	for (size_t j = 0; j < n; j++) {
		unsigned d = (unsigned)(a[j] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return " has an invalid index argument not representable on 64 bit: ";
		x = x * 10 + d;
	}
	*v = x;
	return NULL;
}

static int64_t parse_plugin(struct rs *r, int base_id, size_t base_len)
{
	const struct fc_field *f = &fc_fields[base_id];
	use_field(r, (enum fc_field_id)base_id);
	int64_t res = (int64_t)base_len;
	/* the name ends at the first blank; then trimmed */
	size_t vlen = r->L;
	for (size_t i = 0; i < r->L; i++)
		if (r->s[i] == ' ') {
			vlen = i;
			break;
		}
	size_t vbeg = 0;
	while (vbeg < vlen && isspace((unsigned char)r->s[vbeg]))
		vbeg++;
	while (vlen > vbeg && isspace((unsigned char)r->s[vlen - 1]))
		vlen--;
	const char *val = r->s + vbeg;
	size_t n = vlen - vbeg;
	const char *lb = memchr(val, '[', n);
	bool have = false;
	if (lb) {
		size_t arg_pos = (size_t)(lb - val);
		if (res != (int64_t)arg_pos)
			return NOMATCH;
		size_t argstart = arg_pos + 1;
		if (argstart >= n)
			return fail(r, "filter '%s': %s terminates with incomplete argument brackets", r->s, f->name);
		const char *a = val + argstart;
		const char *rb = memchr(a, ']', n - argstart);
		if (!rb)
			return fail(r, "filter '%s': %s has unbalanced argument brackets", r->s, f->name);
		size_t alen = (size_t)(rb - a);
		have = true;
		if (!(f->flags & (FC_FF_ARG_ALLOWED | FC_FF_ARG_REQUIRED)))
			return fail(r, "filter '%s': %s does not allow nor require an argument but one is provided: %.*s",
				    r->s, f->name, (int)alen, a);
		if (set_arg(r, a, alen) < 0)
			return FAILED;
		if (f->flags & FC_FF_ARG_INDEX) {
			uint64_t v = 0;
			const char *msg = plugin_index(a, alen, &v);
			if (!msg) {
				r->out->arg_is_index = true;
				r->out->index = (int64_t)v;
			} else if (!(f->flags & FC_FF_ARG_KEY)) {
				return fail(r, "filter %s %s%s%.*s", r->s, f->name, msg, (int)alen, a);
			}
		}
		res = (int64_t)(arg_pos + alen + 2);
	}
	if (!have && (f->flags & FC_FF_ARG_REQUIRED))
		return fail(r, "filter '%s': %s requires an argument but none provided", r->s, f->name);
	return res;
}

/* ---- driver ---------------------------------------------------------------------------- */

/* Flags of the resolved reference: ancestor fields compare "any ancestor" (and so cannot take
 * part in field-to-field comparisons or transformers) only without an index. */
static void adjust_flags(struct fc_fieldref *o)
{
	if (!(o->flags & FC_FF_NO_RHS_NOARG))
		return;
	bool plain = !o->has_arg || (o->arg_is_index && o->index < 0);
	if (plain)
		o->flags |= FC_FF_NO_RHS | FC_FF_ANCESTORS;
	else
		o->flags &= ~(uint32_t)(FC_FF_NO_RHS | FC_FF_ANCESTORS | FC_FF_NO_TRANSFORMER);
}

static bool resolve_full(struct rs *r)
{
	build_index();
	memset(r->out, 0, sizeof *r->out);

	/* longest catalog-name prefix of the string, per class */
	int best_id[NCLASSES];
	size_t best_len[NCLASSES];
	for (size_t c = 0; c < NCLASSES; c++)
		best_id[c] = -1, best_len[c] = 0;
	size_t lim = r->L < ix.maxlen ? r->L : ix.maxlen;
	uint32_t h[128]; /* h[i] = hash of the first i characters; catalog names are far shorter */
	uint32_t acc = FNV_INIT;
	if (lim >= sizeof h / sizeof h[0])
		lim = sizeof h / sizeof h[0] - 1;
	for (size_t i = 0; i < lim; i++)
		h[i + 1] = acc = fnv_step(acc, (unsigned char)r->s[i]);
	for (size_t i = lim; i >= 1; i--) {
		int id = lookup_hashed(h[i], r->s, i);
		if (id >= 0 && best_id[ix.cls[id]] < 0) {
			best_id[ix.cls[id]] = id;
			best_len[ix.cls[id]] = i;
		}
	}

	for (size_t c = 0; c < NCLASSES; c++) {
		if (best_id[c] < 0)
			continue;
		int64_t res;
		switch (classes[c].kind) {
		case KIND_EVENT:
			res = parse_event(r, best_id[c], best_len[c]);
			break;
		case KIND_THREAD:
			res = parse_thread(r, best_id[c], best_len[c]);
			break;
		case KIND_FD:
			res = parse_fd(r, best_id[c], best_len[c]);
			break;
		case KIND_PLUGIN:
			res = parse_plugin(r, best_id[c], best_len[c]);
			break;
		default:
			use_field(r, (enum fc_field_id)best_id[c]);
			res = (int64_t)best_len[c];
			break;
		}
		if (res == FAILED)
			return false;
		if (res == NOMATCH) {
			memset(r->out, 0, sizeof *r->out);
			continue;
		}
		if (res != (int64_t)r->L)
			break;
		adjust_flags(r->out);
		return true;
	}
	fail(r, "filter_check called with nonexistent field %s", r->s);
	return false;
}

bool fc_field_resolve(const char *name, const char *arg, struct fc_fieldref *out, char *err, size_t errlen)
{
	struct fc_fieldref scratch;
	char buf[1024];
	if (!out)
		out = &scratch;
	if (err && errlen)
		err[0] = 0;
	if (!name)
		name = "";
	size_t nl = strlen(name), al = arg ? strlen(arg) : 0;
	struct rs r = {.s = name, .L = nl, .out = out, .err = err, .errlen = errlen};
	if (arg) {
		if (nl + al + 3 > sizeof buf) {
			memset(out, 0, sizeof *out);
			fail(&r, "filter_check called with nonexistent field %s[%.*s...]", name, 64, arg);
			return false;
		}
		memcpy(buf, name, nl);
		buf[nl] = '[';
		memcpy(buf + nl + 1, arg, al);
		buf[nl + 1 + al] = ']';
		buf[nl + 2 + al] = 0;
		r.s = buf;
		r.L = nl + 2 + al;
	}
	return resolve_full(&r);
}

bool fc_field_name_valid(const char *name)
{
	struct fc_fieldref ref;
	char err[8];
	return name && *name && fc_field_resolve(name, NULL, &ref, err, sizeof err);
}
