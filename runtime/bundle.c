/* bundle.c — the bundle reader and verifier (format: bundle.h). It checks the whole file once
 * — header, section table, checksum, every record, reference and instruction — and builds the
 * native structures the VM runs without checks (bundle_int.h): instructions with resolved
 * operands and absolute jumps, hash sets, prefix sets, pmatch trees, compiled globs and
 * regexes, resolved field specs, the rule index.
 *
 * Every multi-byte field is read once, byte-wise little-endian, into a native structure, and
 * only native structures are used afterwards; the strings section is copied, so nothing
 * points into the caller's buffer or the file mapping once loading is done. Any failure frees
 * everything and reports one error: a distinct code and a message naming the section, the
 * record and its byte offset. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "bundle_int.h"
#include "kprog.h"
#include "le.h"
#include "sign.h"

/* ---- arena: every native structure lives in chunks freed with the bundle ---- */

struct fc_chunk {
	struct fc_chunk *next;
	size_t cap, used;
	max_align_t data[];
};

static void *balloc(struct fc_bundle *b, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct fc_chunk *c = b->arena;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > (1u << 20) ? n : (1u << 20);
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = b->arena;
		b->arena = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

/* ---- the matchers built per list, on first use by an instruction ---- */

struct fc_listcache {
	uint8_t kind;
	uint32_t n;
	const uint32_t *items;
	const char **s; /* STR / IP: the items' strings */
	uint32_t *len;
	uint64_t *num; /* NUM: the values */
	struct fc_strset *set;
	struct fc_numset *nset;
	struct fc_prefixset *pfx;
	struct fc_pmatch *pm;
	struct fc_iplist *ip;
	struct fc_smod *smod[2 * FC_BOP_MAX_]; /* [base], then [FC_BOP_MAX_ + base] for weighted items */
};

/* ---- errors ---- */

static const char *const sec_names[] = {
	[FC_SEC_STRS] = "strings", [FC_SEC_CONSTS] = "constants", [FC_SEC_LISTS] = "lists",
	[FC_SEC_EVSETS] = "event sets", [FC_SEC_REGEX] = "regex", [FC_SEC_SLOTS] = "slots",
	[FC_SEC_CODE] = "code", [FC_SEC_PROGS] = "programs", [FC_SEC_RULES] = "rules",
	[FC_SEC_OUTFMT] = "output formats", [FC_SEC_INDEX] = "index", [FC_SEC_SRCMAP] = "source map",
	[FC_SEC_KSEL] = "kernel selection", [FC_SEC_KPROG] = "kernel programs", [FC_SEC_META] = "meta",
};
#define NSEC 16

static const char *sec_name(uint32_t id)
{
	if (id == FC_SEC_SIG)
		return "signature";
	return id < NSEC && sec_names[id] ? sec_names[id] : "unknown";
}

const char *fc_bundle_strerror(int err)
{
	switch (err) {
	case FC_BERR_OK: return "ok";
	case FC_BERR_IO: return "cannot read bundle";
	case FC_BERR_NOTBUNDLE: return "not a bundle";
	case FC_BERR_VERSION: return "unsupported version";
	case FC_BERR_TRUNCATED: return "truncated bundle";
	case FC_BERR_CHECKSUM: return "checksum mismatch";
	case FC_BERR_CORRUPT: return "corrupt bundle";
	case FC_BERR_FIELD: return "unknown field";
	case FC_BERR_SIGNATURE: return "untrusted bundle";
	default: return "unknown error";
	}
}

struct sec {
	bool present;
	uint32_t count, off, size;
};

struct ld {
	struct fc_bundle *b;
	const uint8_t *d;
	uint64_t size;
	char *err;
	size_t errlen;
	struct sec s[NSEC];
	uint32_t *prog_of; /* program of each instruction */
	struct fc_glob **globs; /* compiled once per (string, casefold): nstr × 2 */
};

static int fail(struct ld *L, int code, const char *fmt, ...)
{
	if (L->err && L->errlen) {
		int n = snprintf(L->err, L->errlen, "%s: ", fc_bundle_strerror(code));
		if (n >= 0 && (size_t)n < L->errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(L->err + n, L->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return code;
}

/* "corrupt bundle: section 7 (code) instruction 12 at byte 1234: ..." */
static int cor(struct ld *L, uint32_t id, const char *what, uint64_t idx, uint64_t at, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (what)
		return fail(L, FC_BERR_CORRUPT, "section %u (%s) %s %llu at byte %llu: %s", id, sec_name(id), what,
			    (unsigned long long)idx, (unsigned long long)at, msg);
	return fail(L, FC_BERR_CORRUPT, "section %u (%s) at byte %llu: %s", id, sec_name(id), (unsigned long long)at,
		    msg);
}

static int oom(struct ld *L)
{
	return fail(L, FC_BERR_IO, "out of memory");
}

/* Records of section ID: RECSZ bytes each, then an item area of u32s (when ITEMS). */
static int sec_layout(struct ld *L, uint32_t id, uint32_t recsz, bool items, uint32_t *nitems)
{
	struct sec *s = &L->s[id];
	uint64_t need = (uint64_t)s->count * recsz;
	if (nitems)
		*nitems = 0;
	if (need > s->size)
		return cor(L, id, NULL, 0, s->off, "%u records of %u bytes need %llu bytes, the section has %u", s->count,
			   recsz, (unsigned long long)need, s->size);
	if (!items) {
		if (need != s->size)
			return cor(L, id, NULL, 0, s->off, "%u records of %u bytes are %llu bytes, the section has %u",
				   s->count, recsz, (unsigned long long)need, s->size);
		return 0;
	}
	if ((s->size - need) % 4)
		return cor(L, id, NULL, 0, s->off + need, "item area of %llu bytes is not a whole number of u32 items",
			   (unsigned long long)(s->size - need));
	*nitems = (uint32_t)((s->size - need) / 4);
	return 0;
}

static inline const uint8_t *rec(struct ld *L, uint32_t id, uint32_t recsz, uint32_t i)
{
	return L->d + L->s[id].off + (uint64_t)recsz * i;
}

static inline uint64_t rec_at(struct ld *L, uint32_t id, uint32_t recsz, uint32_t i)
{
	return L->s[id].off + (uint64_t)recsz * i;
}

/* Decodes the item area of section ID into a native array. */
static int items_decode(struct ld *L, uint32_t id, uint32_t recsz, uint32_t n, uint32_t **out)
{
	*out = balloc(L->b, (size_t)n * 4 + 4);
	if (!*out)
		return oom(L);
	const uint8_t *p = L->d + L->s[id].off + (uint64_t)recsz * L->s[id].count;
	for (uint32_t i = 0; i < n; i++)
		(*out)[i] = rd32(p + 4 * (uint64_t)i);
	return 0;
}

static inline bool sid_ok(struct ld *L, uint32_t sid)
{
	return sid < L->b->nstr;
}

/* ---- header, table, checksum ---- */

static int check_header(struct ld *L, uint64_t len)
{
	const uint8_t *d = L->d;
	size_t ml = strlen(FC_BUNDLE_MAGIC);
	if (len < ml) {
		if (len && !memcmp(d, FC_BUNDLE_MAGIC, len))
			return fail(L, FC_BERR_TRUNCATED, "file is %llu bytes, shorter than the magic", (unsigned long long)len);
		return fail(L, FC_BERR_NOTBUNDLE, "file is %llu bytes, no bundle magic", (unsigned long long)len);
	}
	if (memcmp(d, FC_BUNDLE_MAGIC, ml))
		return fail(L, FC_BERR_NOTBUNDLE, "wrong magic (a bundle starts with \"FCBUNDL\\n\")");
	if (len < 12)
		return fail(L, FC_BERR_TRUNCATED, "file is %llu bytes, the header is %d", (unsigned long long)len,
			    FC_BUNDLE_HDR_LEN);
	unsigned major = rd16(d + 8), minor = rd16(d + 10);
	if (major != FC_BUNDLE_MAJOR || minor > FC_BUNDLE_MINOR)
		return fail(L, FC_BERR_VERSION, "bundle version %u.%u, this reader supports %u.0 to %u.%u", major, minor,
			    FC_BUNDLE_MAJOR, FC_BUNDLE_MAJOR, FC_BUNDLE_MINOR);
	if (len < FC_BUNDLE_HDR_LEN)
		return fail(L, FC_BERR_TRUNCATED, "file is %llu bytes, the header is %d", (unsigned long long)len,
			    FC_BUNDLE_HDR_LEN);
	uint64_t size = rd64(d + 16);
	if (size > len)
		return fail(L, FC_BERR_TRUNCATED, "file is %llu bytes, header says %llu", (unsigned long long)len,
			    (unsigned long long)size);
	if (size < len)
		return fail(L, FC_BERR_CORRUPT, "file is %llu bytes, header says %llu (trailing bytes)",
			    (unsigned long long)len, (unsigned long long)size);
	if (size > UINT32_MAX)
		return fail(L, FC_BERR_CORRUPT, "header size %llu exceeds the 4 GiB limit of 32-bit offsets",
			    (unsigned long long)size);
	L->size = size;
	uint64_t nsect = rd32(d + 24);
	if (FC_BUNDLE_HDR_LEN + nsect * 16 > size)
		return fail(L, FC_BERR_TRUNCATED, "section table of %llu entries ends at byte %llu, file is %llu bytes",
			    (unsigned long long)nsect, (unsigned long long)(FC_BUNDLE_HDR_LEN + nsect * 16),
			    (unsigned long long)size);
	return 0;
}

struct tabent {
	uint32_t id, count, off, size, idx;
};

static int tab_cmp(const void *a, const void *b)
{
	const struct tabent *x = a, *y = b;
	return x->off != y->off ? (x->off < y->off ? -1 : 1) : (x->size > y->size) - (x->size < y->size);
}

/* The checksum comes first, so random damage reads as a checksum error, not as whatever
 * field it happened to hit. It covers [32, size), or [32, signature offset) with a signature. */
static int check_crc(struct ld *L)
{
	const uint8_t *d = L->d;
	uint32_t nsect = rd32(d + 24);
	uint64_t crc_end = L->size;
	for (uint32_t i = 0; i < nsect; i++) {
		const uint8_t *e = d + FC_BUNDLE_HDR_LEN + (uint64_t)i * 16;
		if (rd32(e) == FC_SEC_SIG && rd32(e + 8) >= 32 && rd32(e + 8) <= L->size)
			crc_end = rd32(e + 8);
	}
	int rc = 0;
	if (!rc) {
		uint32_t want = rd32(d + 28);
		uLong c = crc32(0L, Z_NULL, 0);
		const uint8_t *p = d + 32;
		uint64_t left = crc_end - 32;
		while (left) {
			uInt step = left > (1u << 30) ? (1u << 30) : (uInt)left;
			c = crc32(c, p, step);
			p += step;
			left -= step;
		}
		if ((uint32_t)c != want)
			rc = fail(L, FC_BERR_CHECKSUM, "crc32 of bytes [32, %llu) is 0x%08x, header says 0x%08x",
				  (unsigned long long)crc_end, (unsigned)c, want);
	}
	return rc;
}

static int check_table(struct ld *L)
{
	const uint8_t *d = L->d;
	if (rd32(d + 12))
		return fail(L, FC_BERR_CORRUPT, "header flags 0x%x at byte 12 (must be 0)", rd32(d + 12));
	for (int i = 32; i < 64; i++)
		if (d[i])
			return fail(L, FC_BERR_CORRUPT, "reserved header byte %d is not zero", i);
	uint32_t nsect = rd32(d + 24);
	uint64_t tab_end = FC_BUNDLE_HDR_LEN + (uint64_t)nsect * 16;
	struct tabent *t = malloc(((size_t)nsect + 1) * sizeof *t);
	if (!t)
		return oom(L);
	int rc = 0;
	uint64_t crc_end = L->size;
	bool sig = false;
	for (uint32_t i = 0; i < nsect && !rc; i++) {
		const uint8_t *e = d + FC_BUNDLE_HDR_LEN + (uint64_t)i * 16;
		uint64_t at = FC_BUNDLE_HDR_LEN + (uint64_t)i * 16;
		t[i] = (struct tabent){rd32(e), rd32(e + 4), rd32(e + 8), rd32(e + 12), i};
		if (i && t[i].id <= t[i - 1].id)
			rc = fail(L, FC_BERR_CORRUPT, "section table entry %u at byte %llu: id %u after id %u (ids must increase)",
				  i, (unsigned long long)at, t[i].id, t[i - 1].id);
		else if (t[i].off % 8)
			rc = fail(L, FC_BERR_CORRUPT, "section table entry %u at byte %llu: section %u offset %u is not 8-aligned",
				  i, (unsigned long long)at, t[i].id, t[i].off);
		else if (t[i].off < tab_end)
			rc = fail(L, FC_BERR_CORRUPT,
				  "section table entry %u at byte %llu: section %u at byte %u overlaps the header or table", i,
				  (unsigned long long)at, t[i].id, t[i].off);
		else if ((uint64_t)t[i].off + t[i].size > L->size)
			rc = fail(L, FC_BERR_CORRUPT,
				  "section table entry %u at byte %llu: section %u [%u, %llu) runs past the end of the file (%llu bytes)",
				  i, (unsigned long long)at, t[i].id, t[i].off, (unsigned long long)t[i].off + t[i].size,
				  (unsigned long long)L->size);
		if (!rc && t[i].id == FC_SEC_SIG) {
			sig = true;
			crc_end = t[i].off;
		}
	}
	if (!rc && nsect) {
		qsort(t, nsect, sizeof *t, tab_cmp);
		for (uint32_t i = 0; i + 1 < nsect && !rc; i++)
			if (t[i].size && (uint64_t)t[i].off + t[i].size > t[i + 1].off)
				rc = fail(L, FC_BERR_CORRUPT, "section %u [%u, %llu) overlaps section %u at byte %u", t[i].id,
					  t[i].off, (unsigned long long)t[i].off + t[i].size, t[i + 1].id, t[i + 1].off);
		if (!rc && sig) {
			for (uint32_t i = 0; i < nsect && !rc; i++)
				if (t[i].id != FC_SEC_SIG && (uint64_t)t[i].off + t[i].size > crc_end)
					rc = fail(L, FC_BERR_CORRUPT, "section %u ends after the signature section at byte %llu",
						  t[i].id, (unsigned long long)crc_end);
		}
	}
	for (uint32_t i = 0; i < nsect && !rc; i++)
		if (t[i].id < NSEC)
			L->s[t[i].id] = (struct sec){true, t[i].count, t[i].off, t[i].size};
	free(t);
	return rc;
}

/* ---- sections ---- */

static int load_strs(struct ld *L)
{
	struct fc_bundle *b = L->b;
	struct sec *s = &L->s[FC_SEC_STRS];
	if (!s->present)
		return fail(L, FC_BERR_CORRUPT, "no strings section (section %u)", FC_SEC_STRS);
	if (!s->count)
		return cor(L, FC_SEC_STRS, NULL, 0, s->off, "no strings (sid 0 must be \"\")");
	uint64_t tab = (uint64_t)s->count * 8;
	if (tab > s->size)
		return cor(L, FC_SEC_STRS, NULL, 0, s->off, "%u string records need %llu bytes, the section has %u",
			   s->count, (unsigned long long)tab, s->size);
	uint64_t nbytes = s->size - tab;
	char *bytes = balloc(b, nbytes + 1);
	b->str = balloc(b, (size_t)s->count * sizeof *b->str);
	b->strlen = balloc(b, (size_t)s->count * sizeof *b->strlen);
	if (!bytes || !b->str || !b->strlen)
		return oom(L);
	memcpy(bytes, L->d + s->off + tab, nbytes);
	b->nstr = s->count;
	for (uint32_t i = 0; i < s->count; i++) {
		const uint8_t *r = rec(L, FC_SEC_STRS, 8, i);
		uint64_t off = rd32(r), len = rd32(r + 4);
		if (off + len + 1 > nbytes)
			return cor(L, FC_SEC_STRS, "string", i, rec_at(L, FC_SEC_STRS, 8, i),
				   "bytes [%llu, %llu) and its NUL run past the %llu bytes of string data",
				   (unsigned long long)off, (unsigned long long)(off + len), (unsigned long long)nbytes);
		if (bytes[off + len])
			return cor(L, FC_SEC_STRS, "string", i, rec_at(L, FC_SEC_STRS, 8, i), "not followed by a NUL byte");
		b->str[i] = bytes + off;
		b->strlen[i] = (uint32_t)len;
	}
	if (b->strlen[0])
		return cor(L, FC_SEC_STRS, "string", 0, s->off, "sid 0 must be the empty string");
	return 0;
}

static int load_consts(struct ld *L)
{
	struct fc_bundle *b = L->b;
	if (!L->s[FC_SEC_CONSTS].present)
		return 0;
	int rc = sec_layout(L, FC_SEC_CONSTS, 8, false, NULL);
	if (rc)
		return rc;
	uint32_t n = L->s[FC_SEC_CONSTS].count;
	uint64_t *c = balloc(b, (size_t)n * 8 + 8);
	if (!c)
		return oom(L);
	for (uint32_t i = 0; i < n; i++)
		c[i] = rd64(rec(L, FC_SEC_CONSTS, 8, i));
	b->consts = c;
	b->nconst = n;
	return 0;
}

/* An IP list item / IN_NET constant: 6 or 18 bytes {family, prefix, address}. */
static bool parse_net(const char *s, uint32_t len, struct fc_ipnet *n)
{
	if (len != 6 && len != 18)
		return false;
	uint8_t fam = (uint8_t)s[0], plen = (uint8_t)s[1];
	if ((fam == 4 && len != 6) || (fam == 6 && len != 18) || (fam != 4 && fam != 6))
		return false;
	if (plen > (fam == 4 ? 32 : 128))
		return false;
	memset(n, 0, sizeof *n);
	n->fam = fam;
	n->plen = plen;
	memcpy(n->a, s + 2, fam == 4 ? 4 : 16);
	if (fam == 4) {
		uint8_t m[4] = {0};
		for (unsigned i = 0; i < plen; i++)
			m[i / 8] |= (uint8_t)(0x80u >> (i % 8));
		n->v4mask = rd32(m);
		n->v4net = rd32(n->a) & n->v4mask;
	}
	return true;
}

static int load_lists(struct ld *L)
{
	struct fc_bundle *b = L->b;
	if (!L->s[FC_SEC_LISTS].present)
		return 0;
	uint32_t nitems, *items;
	int rc = sec_layout(L, FC_SEC_LISTS, 12, true, &nitems);
	if (rc || (rc = items_decode(L, FC_SEC_LISTS, 12, nitems, &items)))
		return rc;
	uint32_t n = L->s[FC_SEC_LISTS].count;
	b->lists = balloc(b, (size_t)n * sizeof *b->lists + 1);
	if (!b->lists)
		return oom(L);
	b->nlist = n;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = rec(L, FC_SEC_LISTS, 12, i);
		uint64_t at = rec_at(L, FC_SEC_LISTS, 12, i);
		struct fc_listcache *l = &b->lists[i];
		uint8_t kind = r[0];
		uint64_t first = rd32(r + 4), cnt = rd32(r + 8);
		if (kind > FC_LK_IP)
			return cor(L, FC_SEC_LISTS, "list", i, at, "kind %u unknown", kind);
		if (r[1] || r[2] || r[3])
			return cor(L, FC_SEC_LISTS, "list", i, at, "padding is not zero");
		if (first + cnt > nitems)
			return cor(L, FC_SEC_LISTS, "list", i, at, "items [%llu, %llu) past the %u items of the section",
				   (unsigned long long)first, (unsigned long long)(first + cnt), nitems);
		l->kind = kind;
		l->n = (uint32_t)cnt;
		l->items = items + first;
		if (kind == FC_LK_NUM) {
			l->num = balloc(b, cnt * 8 + 8);
			if (!l->num)
				return oom(L);
			for (uint32_t j = 0; j < cnt; j++) {
				if (l->items[j] >= b->nconst)
					return cor(L, FC_SEC_LISTS, "list", i, at, "item %u: constant %u out of range (%u constants)",
						   j, l->items[j], b->nconst);
				l->num[j] = b->consts[l->items[j]];
			}
			bool dup;
			l->nset = fc_numset_new(l->n, l->num, &dup);
			if (!l->nset)
				return oom(L);
			if (dup)
				return cor(L, FC_SEC_LISTS, "list", i, at, "items are not distinct");
			continue;
		}
		l->s = balloc(b, cnt * sizeof *l->s + 8);
		l->len = balloc(b, cnt * sizeof *l->len + 8);
		if (!l->s || !l->len)
			return oom(L);
		for (uint32_t j = 0; j < cnt; j++) {
			uint32_t sid = l->items[j];
			if (!sid_ok(L, sid))
				return cor(L, FC_SEC_LISTS, "list", i, at, "item %u: string %u out of range (%u strings)", j, sid,
					   b->nstr);
			l->s[j] = b->str[sid];
			l->len[j] = b->strlen[sid];
			struct fc_ipnet tmp;
			if (kind == FC_LK_IP && l->len[j] != 4 && l->len[j] != 16 && !parse_net(l->s[j], l->len[j], &tmp))
				return cor(L, FC_SEC_LISTS, "list", i, at,
					   "item %u: string %u is neither an address (4/16 bytes) nor a network record", j, sid);
		}
		if (kind == FC_LK_STR) {
			bool dup;
			l->set = fc_strset_new(l->n, l->s, l->len, &dup);
			if (!l->set)
				return oom(L);
			if (dup)
				return cor(L, FC_SEC_LISTS, "list", i, at, "items are not distinct");
		}
	}
	return 0;
}

static int load_evsets(struct ld *L)
{
	struct fc_bundle *b = L->b;
	if (!L->s[FC_SEC_EVSETS].present)
		return 0;
	int rc = sec_layout(L, FC_SEC_EVSETS, FC_EVSET_WORDS * 8, false, NULL);
	if (rc)
		return rc;
	uint32_t n = L->s[FC_SEC_EVSETS].count;
	b->evsets = balloc(b, (size_t)n * sizeof *b->evsets + 8);
	if (!b->evsets)
		return oom(L);
	b->nevset = n;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = rec(L, FC_SEC_EVSETS, FC_EVSET_WORDS * 8, i);
		for (unsigned w = 0; w < FC_EVSET_WORDS; w++)
			b->evsets[i].w[w] = rd64(r + 8 * w);
		if (FC_EVENT_MAX % 64 && b->evsets[i].w[FC_EVSET_WORDS - 1] >> (FC_EVENT_MAX % 64))
			return cor(L, FC_SEC_EVSETS, "event set", i, rec_at(L, FC_SEC_EVSETS, FC_EVSET_WORDS * 8, i),
				   "bits set past event code %d", FC_EVENT_MAX - 1);
	}
	return 0;
}

static int compile_regex(struct ld *L, struct fc_regex *re, const char *pat, uint32_t plen, char *msg, size_t msglen)
{
	(void)L;
	int ec;
	PCRE2_SIZE eo;
	uint32_t opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF;
#ifdef PCRE2_MATCH_INVALID_UTF
	opts |= PCRE2_MATCH_INVALID_UTF;
#endif
	re->code = pcre2_compile((PCRE2_SPTR)pat, plen, opts, &ec, &eo, NULL);
	if (!re->code) {
		PCRE2_UCHAR buf[256];
		pcre2_get_error_message(ec, buf, sizeof buf);
		snprintf(msg, msglen, "pattern does not compile at offset %zu: %s", (size_t)eo, (const char *)buf);
		return -1;
	}
	pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE); /* interpreted when JIT is unavailable */
	return 0;
}

static int load_regex(struct ld *L)
{
	struct fc_bundle *b = L->b;
	if (!L->s[FC_SEC_REGEX].present)
		return 0;
	int rc = sec_layout(L, FC_SEC_REGEX, 12, false, NULL);
	if (rc)
		return rc;
	uint32_t n = L->s[FC_SEC_REGEX].count;
	b->regex = balloc(b, (size_t)n * sizeof *b->regex + 8);
	if (!b->regex)
		return oom(L);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = rec(L, FC_SEC_REGEX, 12, i);
		uint64_t at = rec_at(L, FC_SEC_REGEX, 12, i);
		uint32_t pat = rd32(r), lit = rd32(r + 4), flags = rd32(r + 8);
		if (!sid_ok(L, pat))
			return cor(L, FC_SEC_REGEX, "regex", i, at, "pattern string %u out of range", pat);
		if (lit != FC_NONE && !sid_ok(L, lit))
			return cor(L, FC_SEC_REGEX, "regex", i, at, "literal string %u out of range", lit);
		if (flags)
			return cor(L, FC_SEC_REGEX, "regex", i, at, "flags 0x%x (reserved, must be 0)", flags);
		char msg[300];
		if (compile_regex(L, &b->regex[i], b->str[pat], b->strlen[pat], msg, sizeof msg))
			return cor(L, FC_SEC_REGEX, "regex", i, at, "%s", msg);
		b->nregex = i + 1;
		if (lit != FC_NONE && b->strlen[lit]) {
			b->regex[i].lit = b->str[lit];
			b->regex[i].litlen = b->strlen[lit];
		}
	}
	return 0;
}

/* Transformer argument counts from transformers.def. */
static const struct {
	uint8_t mina, maxa, multi;
} xf_args[FC_BXF_MAX_] = {
#define XF(id, name, mina, maxa, multi) [FC_BXF_##id] = {mina, maxa, multi},
#include "transformers.def"
#undef XF
};

/* Field slots with the same field spec share one cache entry (one extraction per event). */
static uint64_t spec_hash(struct ld *L, uint32_t name, uint32_t arg)
{
	struct fc_bundle *b = L->b;
	uint64_t h = XXH3_64bits(b->str[name], b->strlen[name]);
	if (arg != FC_NONE)
		h ^= XXH3_64bits_withSeed(b->str[arg], b->strlen[arg], 0x9e3779b97f4a7c15ull) + 1;
	return h;
}

static int load_slots(struct ld *L)
{
	struct fc_bundle *b = L->b;
	if (!L->s[FC_SEC_SLOTS].present)
		return 0;
	uint32_t nitems, *items;
	int rc = sec_layout(L, FC_SEC_SLOTS, 24, true, &nitems);
	if (rc || (rc = items_decode(L, FC_SEC_SLOTS, 24, nitems, &items)))
		return rc;
	uint32_t n = L->s[FC_SEC_SLOTS].count;
	if (n > 65536)
		return cor(L, FC_SEC_SLOTS, NULL, 0, L->s[FC_SEC_SLOTS].off, "%u slots (at most 65536: slot operands are u16)", n);
	b->slots = balloc(b, (size_t)n * sizeof *b->slots + 8);
	uint32_t hcap = 16;
	while (hcap < 2 * n + 2)
		hcap <<= 1;
	uint32_t *htab = malloc(hcap * sizeof *htab);
	uint32_t *hname = malloc(((size_t)n + 1) * 2 * sizeof *hname);
	if (!b->slots || !htab || !hname) {
		free(htab);
		free(hname);
		return oom(L);
	}
	memset(htab, 0xff, hcap * sizeof *htab);
	b->nslots = n;
	rc = 0;
	for (uint32_t i = 0; i < n && !rc; i++) {
		const uint8_t *r = rec(L, FC_SEC_SLOTS, 24, i);
		uint64_t at = rec_at(L, FC_SEC_SLOTS, 24, i);
		struct fc_nslot *sl = &b->slots[i];
		uint32_t name = rd32(r + 4), arg = rd32(r + 8), first = rd32(r + 12), cnt = rd32(r + 16),
			 text = rd32(r + 20);
		sl->kind = r[0];
		sl->xf = r[1];
		sl->vtype = r[2];
		sl->flags = r[3];
		sl->canon = i;
		sl->sel = -1;
		if (sl->kind > FC_SK_XF)
			rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "kind %u unknown", sl->kind);
		else if (sl->vtype >= PT_MAX_)
			rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "value type %u unknown", sl->vtype);
		else if (sl->flags & ~(FC_SLF_ANCESTORS | FC_SLF_LIST))
			rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "flags 0x%x unknown", sl->flags);
		else if (!sid_ok(L, text))
			rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "text string %u out of range", text);
		if (rc)
			break;
		sl->text = b->str[text];
		if (sl->kind == FC_SK_FIELD) {
			if (sl->xf || cnt)
				rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "field slot with transformer fields set");
			else if (!sid_ok(L, name))
				rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "field name string %u out of range", name);
			else if (arg != FC_NONE && !sid_ok(L, arg))
				rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "field argument string %u out of range", arg);
			else if (strlen(b->str[name]) != b->strlen[name] || (arg != FC_NONE && strlen(b->str[arg]) != b->strlen[arg]))
				rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "field name or argument contains a NUL byte");
			if (rc)
				break;
			struct fc_fieldref ref;
			char msg[300];
			if (!fc_field_resolve(b->str[name], arg != FC_NONE ? b->str[arg] : NULL, &ref, msg, sizeof msg)) {
				rc = fail(L, FC_BERR_FIELD, "section %u (slots) slot %u at byte %llu (%s): %s", FC_SEC_SLOTS, i,
					  (unsigned long long)at, sl->text, msg);
				break;
			}
			size_t al = strlen(ref.arg);
			char *a = balloc(b, al + 1);
			if (!a) {
				rc = oom(L);
				break;
			}
			memcpy(a, ref.arg, al);
			sl->spec = (struct fc_fieldspec){.id = ref.id, .type = ref.type, .flags = ref.flags,
							 .has_arg = ref.has_arg, .arg_is_index = ref.arg_is_index,
							 .index = ref.index, .arg = a, .arglen = (uint32_t)al, .param = -1};
			/* dedupe by (name, arg) text */
			uint64_t h = spec_hash(L, name, arg);
			hname[2 * i] = name;
			hname[2 * i + 1] = arg;
			for (uint32_t j = (uint32_t)h & (hcap - 1);; j = (j + 1) & (hcap - 1)) {
				uint32_t o = htab[j];
				if (o == FC_NONE) {
					htab[j] = i;
					break;
				}
				uint32_t on = hname[2 * o], oa = hname[2 * o + 1];
				if (b->strlen[on] == b->strlen[name] && !memcmp(b->str[on], b->str[name], b->strlen[name]) &&
				    (oa == FC_NONE) == (arg == FC_NONE) &&
				    (arg == FC_NONE ||
				     (b->strlen[oa] == b->strlen[arg] && !memcmp(b->str[oa], b->str[arg], b->strlen[arg])))) {
					sl->canon = o;
					break;
				}
			}
			continue;
		}
		/* transformer slot */
		if (sl->xf >= FC_BXF_MAX_) {
			rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "transformer %u unknown", sl->xf);
			break;
		}
		if (name != FC_NONE && !sid_ok(L, name)) {
			rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "name string %u out of range", name);
			break;
		}
		if ((uint64_t)first + cnt > nitems) {
			rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "arguments [%u, %llu) past the %u items of the section", first,
				 (unsigned long long)first + cnt, nitems);
			break;
		}
		/* join's parenthesised item list is flattened into its arguments (bundle.h) */
		uint32_t maxa = sl->xf == FC_BXF_JOIN ? 0 : xf_args[sl->xf].maxa;
		if (cnt < xf_args[sl->xf].mina || (maxa && cnt > maxa)) {
			rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "%u arguments for transformer %u", cnt, sl->xf);
			break;
		}
		if (arg != FC_NONE) {
			if (sl->xf != FC_BXF_GETOPT || !sid_ok(L, arg) || b->strlen[arg] != 1) {
				rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "transformer argument string %u invalid (only getopt's one-character selector)", arg);
				break;
			}
			sl->sel = (uint8_t)b->str[arg][0];
		}
		sl->nargs = cnt;
		sl->args = items + first;
		struct fc_val *cv = balloc(b, (size_t)cnt * sizeof *cv + 8);
		if (!cv) {
			rc = oom(L);
			break;
		}
		sl->cargs = cv;
		uint32_t depth = 0;
		for (uint32_t j = 0; j < cnt && !rc; j++) {
			uint32_t a = sl->args[j];
			if (a & FC_ARG_STR) {
				uint32_t sid = a & ~FC_ARG_STR;
				if (!xf_args[sl->xf].multi)
					rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "argument %u: a string for a single-argument transformer", j);
				else if (!sid_ok(L, sid))
					rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "argument %u: string %u out of range", j, sid);
				else if (sl->xf == FC_BXF_GETOPT && j == 0)
					rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "getopt's first argument must be a slot");
				else
					cv[j] = (struct fc_val){.kind = FC_V_STR, .len = b->strlen[sid], .s = b->str[sid]};
			} else if (a >= i) {
				rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "argument %u: slot %u is not a lower slot", j, a);
			} else if (b->slots[a].xdepth + 1 > depth) {
				depth = b->slots[a].xdepth + 1;
			}
		}
		if (rc)
			break;
		sl->xdepth = depth ? depth : 1;
		if (sl->xdepth > FC_MAX_DEPTH) {
			rc = cor(L, FC_SEC_SLOTS, "slot", i, at, "transformers nested %u deep (at most %d)", sl->xdepth,
				 FC_MAX_DEPTH);
			break;
		}
		if (sl->xf == FC_BXF_GETOPT && (sl->args[1] & FC_ARG_STR)) {
			struct fc_optinfo *o = balloc(b, sizeof *o);
			if (!o) {
				rc = oom(L);
				break;
			}
			fc_optinfo_parse(o, cv[1].s, cv[1].len);
			sl->opt = o;
		}
	}
	free(htab);
	free(hname);
	return rc;
}

static int load_progs(struct ld *L)
{
	struct fc_bundle *b = L->b;
	uint32_t ncode = L->s[FC_SEC_CODE].present ? L->s[FC_SEC_CODE].count : 0;
	if (L->s[FC_SEC_CODE].present) {
		int rc = sec_layout(L, FC_SEC_CODE, 12, false, NULL);
		if (rc)
			return rc;
	}
	L->prog_of = malloc(((size_t)ncode + 1) * sizeof *L->prog_of);
	if (!L->prog_of)
		return oom(L);
	memset(L->prog_of, 0xff, ((size_t)ncode + 1) * sizeof *L->prog_of);
	if (!L->s[FC_SEC_PROGS].present) {
		if (ncode)
			return cor(L, FC_SEC_CODE, "instruction", 0, L->s[FC_SEC_CODE].off, "belongs to no program (no programs section)");
		return 0;
	}
	int rc = sec_layout(L, FC_SEC_PROGS, 16, false, NULL);
	if (rc)
		return rc;
	uint32_t n = L->s[FC_SEC_PROGS].count;
	b->progs = balloc(b, (size_t)n * sizeof *b->progs + 8);
	if (!b->progs)
		return oom(L);
	b->nprogs = n;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = rec(L, FC_SEC_PROGS, 16, i);
		uint64_t at = rec_at(L, FC_SEC_PROGS, 16, i);
		struct fc_nprog *p = &b->progs[i];
		*p = (struct fc_nprog){rd32(r), rd32(r + 4), rd32(r + 8), rd32(r + 12)};
		if (p->kind > FC_PK_SUB)
			return cor(L, FC_SEC_PROGS, "program", i, at, "kind %u unknown", p->kind);
		if (!p->len)
			return cor(L, FC_SEC_PROGS, "program", i, at, "empty (a program ends in ret)");
		if ((uint64_t)p->start + p->len > ncode)
			return cor(L, FC_SEC_PROGS, "program", i, at, "instructions [%u, %llu) past the %u instructions of the code",
				   p->start, (unsigned long long)p->start + p->len, ncode);
		for (uint32_t j = p->start; j < p->start + p->len; j++) {
			if (L->prog_of[j] != FC_NONE)
				return cor(L, FC_SEC_PROGS, "program", i, at, "overlaps program %u at instruction %u", L->prog_of[j], j);
			L->prog_of[j] = i;
		}
	}
	for (uint32_t j = 0; j < ncode; j++)
		if (L->prog_of[j] == FC_NONE)
			return cor(L, FC_SEC_CODE, "instruction", j, rec_at(L, FC_SEC_CODE, 12, j), "belongs to no program");
	return 0;
}

static bool smod_base_ok(unsigned base)
{
	switch (base) {
	case FC_BOP_EQ: case FC_BOP_NE: case FC_BOP_LT: case FC_BOP_LE: case FC_BOP_GT: case FC_BOP_GE:
	case FC_BOP_CONTAINS: case FC_BOP_ICONTAINS: case FC_BOP_STARTSWITH: case FC_BOP_ENDSWITH:
	case FC_BOP_GLOB: case FC_BOP_IGLOB: case FC_BOP_REGEX:
		return true;
	default:
		return false;
	}
}

static struct fc_glob *glob_new(struct fc_bundle *b, const char *s, uint32_t len, bool cf)
{
	void *m = balloc(b, fc_glob_size(len));
	return m ? fc_glob_compile(m, s, len, cf) : NULL;
}

/* The per-list matcher an instruction needs, built on first use. */
static int list_operand(struct ld *L, uint32_t i, uint64_t at, const struct fc_binsn *in, struct fc_ninsn *out)
{
	struct fc_bundle *b = L->b;
	struct fc_listcache *l = &b->lists[in->k];
	uint8_t want = in->op == FC_OPC_IN_N ? FC_LK_NUM : in->op == FC_OPC_IN_IP ? FC_LK_IP : FC_LK_STR;
	static const char *const kn[] = {"strings", "numbers", "addresses"};
	if (l->kind != want)
		return cor(L, FC_SEC_CODE, "instruction", i, at, "%s needs a list of %s, list %u holds %s",
			   fc_opcode_name(in->op), kn[want], in->k, kn[l->kind]);
	switch (in->op) {
	case FC_OPC_IN_N:
		out->k.p = l->nset;
		return 0;
	case FC_OPC_IN_S:
	case FC_OPC_LIST_IN:
	case FC_OPC_LIST_ISECT:
		out->k.p = l->set;
		return 0;
	case FC_OPC_PREFIX_S:
		if (!l->pfx && !(l->pfx = fc_prefixset_new(l->n, l->s, l->len)))
			return oom(L);
		out->k.p = l->pfx;
		return 0;
	case FC_OPC_PMATCH:
		if (!l->pm && !(l->pm = fc_pmatch_new(l->n, l->s, l->len)))
			return cor(L, FC_SEC_CODE, "instruction", i, at,
				   "cannot build the pmatch tree of list %u (out of memory or an entry deeper than 1024 components)",
				   in->k);
		out->k.p = l->pm;
		return 0;
	case FC_OPC_IN_IP:
		if (!l->ip) {
			struct fc_iplist *ip = balloc(b, sizeof *ip);
			uint64_t *v4 = malloc(((size_t)l->n + 1) * 8);
			const char **v6 = malloc(((size_t)l->n + 1) * sizeof *v6);
			uint32_t *v6len = malloc(((size_t)l->n + 1) * 4), n4 = 0, n6 = 0;
			if (ip)
				ip->net = balloc(b, ((size_t)l->n + 1) * sizeof *ip->net);
			if (!ip || !ip->net || !v4 || !v6 || !v6len) {
				free(v4);
				free(v6);
				free(v6len);
				return oom(L);
			}
			for (uint32_t j = 0; j < l->n; j++) {
				if (l->len[j] == 4)
					v4[n4++] = rd32((const uint8_t *)l->s[j]);
				else if (l->len[j] == 16)
					v6[n6] = l->s[j], v6len[n6++] = 16;
				else
					parse_net(l->s[j], l->len[j], &ip->net[ip->nnet++]);
			}
			bool dup;
			if (n4)
				ip->v4 = fc_numset_new(n4, v4, &dup);
			if (n6)
				ip->v6 = fc_strset_new(n6, v6, v6len, &dup);
			free(v4);
			free(v6);
			free(v6len);
			if ((n4 && !ip->v4) || (n6 && !ip->v6))
				return oom(L);
			l->ip = ip;
		}
		out->k.p = l->ip;
		return 0;
	default: /* SMOD */ {
		unsigned base = in->aux & ((1u << FC_MOD_SHIFT) - 1);
		bool weighted = (in->aux >> FC_MOD_SHIFT) == FC_MODBITS_ONEOFW;
		struct fc_smod **cache = &l->smod[base + (weighted ? FC_BOP_MAX_ : 0)];
		struct fc_smod *sm = *cache;
		if (!sm) {
			sm = balloc(b, sizeof *sm);
			if (!sm)
				return oom(L);
			sm->n = l->n;
			sm->base = (uint8_t)base;
			sm->s = l->s;
			sm->len = l->len;
			if (weighted) { /* each item: its weight byte (1 or 2), then the operand */
				const char **ws = balloc(b, (size_t)l->n * sizeof *ws + 8);
				uint32_t *wl = balloc(b, (size_t)l->n * sizeof *wl + 8);
				uint8_t *w = balloc(b, (size_t)l->n + 8);
				if (!ws || !wl || !w)
					return oom(L);
				for (uint32_t j = 0; j < l->n; j++) {
					if (!l->len[j] || (l->s[j][0] != 1 && l->s[j][0] != 2))
						return cor(L, FC_SEC_CODE, "instruction", i, at,
							   "weighted smod: list %u item %u does not start with a weight byte 1 or 2", in->k, j);
					w[j] = (uint8_t)l->s[j][0];
					ws[j] = l->s[j] + 1;
					wl[j] = l->len[j] - 1;
				}
				sm->s = ws;
				sm->len = wl;
				sm->w = w;
			}
			if (base == FC_BOP_ICONTAINS) { /* the list is not guaranteed lowercased: fold it once */
				char **ls = balloc(b, (size_t)l->n * sizeof *ls + 8);
				if (!ls)
					return oom(L);
				for (uint32_t j = 0; j < l->n; j++) {
					if (!(ls[j] = balloc(b, sm->len[j] + 1)))
						return oom(L);
					for (uint32_t c = 0; c < sm->len[j]; c++) {
						char ch = sm->s[j][c];
						ls[j][c] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
					}
				}
				sm->s = (const char *const *)ls;
			}
			if (base == FC_BOP_GLOB || base == FC_BOP_IGLOB) {
				sm->glob = balloc(b, (size_t)l->n * sizeof *sm->glob + 8);
				if (!sm->glob)
					return oom(L);
				for (uint32_t j = 0; j < l->n; j++)
					if (!(sm->glob[j] = glob_new(b, sm->s[j], sm->len[j], base == FC_BOP_IGLOB)))
						return oom(L);
			}
			if (base == FC_BOP_REGEX) {
				sm->re = balloc(b, (size_t)l->n * sizeof *sm->re + 8);
				if (!sm->re)
					return oom(L);
				for (uint32_t j = 0; j < l->n; j++) {
					char msg[300];
					if (compile_regex(L, &sm->re[j], sm->s[j], sm->len[j], msg, sizeof msg)) {
						sm->n = j; /* free what compiled */
						*cache = sm;
						return cor(L, FC_SEC_CODE, "instruction", i, at, "list %u item %u: %s", in->k, j, msg);
					}
				}
			}
			*cache = sm;
		}
		out->k.p = sm;
		return 0;
	}
	}
}

static int load_code(struct ld *L)
{
	struct fc_bundle *b = L->b;
	uint32_t n = L->s[FC_SEC_CODE].present ? L->s[FC_SEC_CODE].count : 0;
	b->code = balloc(b, (size_t)n * sizeof *b->code + 8);
	L->globs = calloc((size_t)b->nstr * 2, sizeof *L->globs);
	if (!b->code || !L->globs)
		return oom(L);
	b->ncode = n;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = rec(L, FC_SEC_CODE, 12, i);
		uint64_t at = rec_at(L, FC_SEC_CODE, 12, i);
		struct fc_binsn in = {r[0], r[1], rd16(r + 2), rd32(r + 4), rd16(r + 8), rd16(r + 10)};
		struct fc_ninsn *o = &b->code[i];
		uint32_t p = L->prog_of[i];
		const struct fc_nprog *pr = &b->progs[p];
		uint32_t end = pr->start + pr->len;
		int kf = fc_opcode_kfmt(in.op);
		if (kf < 0)
			return cor(L, FC_SEC_CODE, "instruction", i, at, "unknown opcode %u", in.op);
		o->op = in.op;
		o->aux = in.aux;
		if (in.op == FC_OPC_RET) {
			if (in.k > 1 || in.aux || in.jt || in.jf)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "ret with k %u aux %u jt %u jf %u (k is 0 or 1, the rest 0)",
					   in.k, in.aux, in.jt, in.jf);
			o->k.u = in.k;
			continue;
		}
		if (i + 1 == end)
			return cor(L, FC_SEC_CODE, "instruction", i, at, "program %u does not end in ret", p);
		if ((uint64_t)i + 1 + in.jt >= end || (uint64_t)i + 1 + in.jf >= end)
			return cor(L, FC_SEC_CODE, "instruction", i, at, "jump past the end of program %u (jt %u, jf %u, %u left)",
				   p, in.jt, in.jf, end - i - 1);
		o->jt = i + 1 + in.jt;
		o->jf = i + 1 + in.jf;
		bool uses_slot = in.op != FC_OPC_SUB && in.op != FC_OPC_EVTYPE;
		if (uses_slot) {
			if (in.slot >= b->nslots)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "slot %u out of range (%u slots)", in.slot, b->nslots);
			o->slot = (uint16_t)b->slots[in.slot].canon;
		}
		if (in.op == FC_OPC_SMOD) {
			unsigned base = in.aux & ((1u << FC_MOD_SHIFT) - 1), mod = in.aux >> FC_MOD_SHIFT;
			if (!smod_base_ok(base) || mod < FC_MODBITS_ANYOF || mod > FC_MODBITS_ONEOFW)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "smod aux 0x%02x: base %u / modifier %u invalid", in.aux,
					   base, mod);
		} else if (in.op == FC_OPC_FCMP) {
			if (in.aux >= FC_BOP_MAX_ || in.aux == FC_BOP_REGEX)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "fcmp aux %u: not a base operator for field comparison",
					   in.aux);
		} else if (in.aux) {
			return cor(L, FC_SEC_CODE, "instruction", i, at, "aux %u (must be 0 for %s)", in.aux, fc_opcode_name(in.op));
		}
		switch (kf) {
		case K_NONE:
			if (in.k)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "k %u (must be 0 for %s)", in.k, fc_opcode_name(in.op));
			break;
		case K_PROG:
			if (in.k >= b->nprogs)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "program %u out of range (%u programs)", in.k, b->nprogs);
			if (b->progs[in.k].kind != FC_PK_SUB)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "sub calls program %u, which is not a SUB program", in.k);
			if (pr->kind == FC_PK_SUB && in.k >= p)
				return cor(L, FC_SEC_CODE, "instruction", i, at,
					   "SUB program %u calls SUB program %u (a SUB may only call lower SUBs)", p, in.k);
			o->k.u = in.k;
			break;
		case K_CONST:
			if (in.k >= b->nconst)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "constant %u out of range (%u constants)", in.k, b->nconst);
			o->k.u = b->consts[in.k];
			break;
		case K_STR:
			if (!sid_ok(L, in.k))
				return cor(L, FC_SEC_CODE, "instruction", i, at, "string %u out of range (%u strings)", in.k, b->nstr);
			o->k.p = b->str[in.k];
			o->klen = b->strlen[in.k];
			if (in.op == FC_OPC_EQ_IP || in.op == FC_OPC_NE_IP) {
				if (o->klen != 4 && o->klen != 16)
					return cor(L, FC_SEC_CODE, "instruction", i, at, "%s constant of %u bytes (an address is 4 or 16)",
						   fc_opcode_name(in.op), o->klen);
				if (o->klen == 4)
					o->k.u = rd32((const uint8_t *)b->str[in.k]);
			} else if (in.op == FC_OPC_IN_NET) {
				struct fc_ipnet *net = balloc(b, sizeof *net);
				if (!net)
					return oom(L);
				if (!parse_net(b->str[in.k], b->strlen[in.k], net))
					return cor(L, FC_SEC_CODE, "instruction", i, at, "string %u is not a network record", in.k);
				o->k.p = net;
			} else if (in.op == FC_OPC_GLOB || in.op == FC_OPC_IGLOB) {
				/* one compiled pattern per string: memory stays linear in the file */
				struct fc_glob **g = &L->globs[2 * (size_t)in.k + (in.op == FC_OPC_IGLOB)];
				if (!*g && !(*g = glob_new(b, b->str[in.k], b->strlen[in.k], in.op == FC_OPC_IGLOB)))
					return oom(L);
				o->k.p = *g;
			}
			break;
		case K_LIST: {
			if (in.k >= b->nlist)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "list %u out of range (%u lists)", in.k, b->nlist);
			int rc = list_operand(L, i, at, &in, o);
			if (rc)
				return rc;
			break;
		}
		case K_EVSET:
			if (in.k >= b->nevset)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "event set %u out of range (%u sets)", in.k, b->nevset);
			o->k.p = &b->evsets[in.k];
			break;
		case K_REGEX:
			if (in.k >= b->nregex)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "regex %u out of range (%u regexes)", in.k, b->nregex);
			o->k.p = &b->regex[in.k];
			break;
		case K_SLOT:
			if (in.k >= b->nslots)
				return cor(L, FC_SEC_CODE, "instruction", i, at, "right-hand slot %u out of range (%u slots)", in.k,
					   b->nslots);
			o->k.u = b->slots[in.k].canon;
			break;
		default:
			return cor(L, FC_SEC_CODE, "instruction", i, at, "opcode %u has operand format %d", in.op, kf);
		}
	}
	/* every program ends in ret; depths (SUBs in index order: a SUB calls only lower SUBs) */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t p = 0; p < b->nprogs; p++) {
			struct fc_nprog *pr = &b->progs[p];
			if ((pass == 0) != (pr->kind == FC_PK_SUB))
				continue;
			uint32_t last = pr->start + pr->len - 1;
			if (b->code[last].op != FC_OPC_RET)
				return cor(L, FC_SEC_CODE, "instruction", last, rec_at(L, FC_SEC_CODE, 12, last),
					   "program %u does not end in ret", p);
			uint32_t d = 1;
			for (uint32_t j = pr->start; j <= last; j++)
				if (b->code[j].op == FC_OPC_SUB && b->progs[b->code[j].k.u].depth + 1 > d)
					d = b->progs[b->code[j].k.u].depth + 1;
			if (d > FC_MAX_DEPTH)
				return cor(L, FC_SEC_PROGS, "program", p, rec_at(L, FC_SEC_PROGS, 16, p),
					   "SUB calls nested %u deep (at most %d)", d, FC_MAX_DEPTH);
			if (d != pr->depth)
				return cor(L, FC_SEC_PROGS, "program", p, rec_at(L, FC_SEC_PROGS, 16, p),
					   "depth %u recorded, %u computed", pr->depth, d);
			if (d > b->max_depth)
				b->max_depth = d;
		}
	return 0;
}

static int load_outfmt(struct ld *L, struct fc_bundle_outseg **segs, uint32_t *nseg)
{
	struct fc_bundle *b = L->b;
	*nseg = 0;
	*segs = NULL;
	if (!L->s[FC_SEC_OUTFMT].present)
		return 0;
	int rc = sec_layout(L, FC_SEC_OUTFMT, 12, false, NULL);
	if (rc)
		return rc;
	uint32_t n = L->s[FC_SEC_OUTFMT].count;
	struct fc_bundle_outseg *o = balloc(b, (size_t)n * sizeof *o + 8);
	if (!o)
		return oom(L);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = rec(L, FC_SEC_OUTFMT, 12, i);
		uint64_t at = rec_at(L, FC_SEC_OUTFMT, 12, i);
		uint8_t kind = r[0], json = r[1];
		uint32_t ref = rd32(r + 4), key = rd32(r + 8);
		o[i].width = rd16(r + 2);
		if (kind > FC_OK_FIELD || json > 1)
			return cor(L, FC_SEC_OUTFMT, "segment", i, at, "kind %u / json %u invalid", kind, json);
		if (kind == FC_OK_LIT) {
			if (!sid_ok(L, ref))
				return cor(L, FC_SEC_OUTFMT, "segment", i, at, "literal string %u out of range", ref);
			if (key != FC_NONE && !sid_ok(L, key))
				return cor(L, FC_SEC_OUTFMT, "segment", i, at, "key string %u out of range", key);
			o[i].lit = b->str[ref];
			o[i].litlen = b->strlen[ref];
			o[i].key = key != FC_NONE ? b->str[key] : NULL;
		} else {
			if (ref >= b->nslots)
				return cor(L, FC_SEC_OUTFMT, "segment", i, at, "slot %u out of range (%u slots)", ref, b->nslots);
			if (!sid_ok(L, key))
				return cor(L, FC_SEC_OUTFMT, "segment", i, at, "key string %u out of range", key);
			o[i].slot = ref;
			o[i].key = b->str[key];
		}
		o[i].json = json;
	}
	*segs = o;
	*nseg = n;
	return 0;
}

static int load_rules(struct ld *L)
{
	struct fc_bundle *b = L->b;
	struct fc_bundle_outseg *segs;
	uint32_t nseg;
	int rc = load_outfmt(L, &segs, &nseg);
	if (rc || !L->s[FC_SEC_RULES].present)
		return rc;
	uint32_t nitems, *items;
	if ((rc = sec_layout(L, FC_SEC_RULES, 48, true, &nitems)) || (rc = items_decode(L, FC_SEC_RULES, 48, nitems, &items)))
		return rc;
	uint32_t n = L->s[FC_SEC_RULES].count;
	b->rules = balloc(b, (size_t)n * sizeof *b->rules + 8);
	b->rule_prog = balloc(b, (size_t)n * 4 + 8);
	const char **tagp = balloc(b, (size_t)nitems * sizeof *tagp + 8);
	if (!b->rules || !b->rule_prog || !tagp)
		return oom(L);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = rec(L, FC_SEC_RULES, 48, i);
		uint64_t at = rec_at(L, FC_SEC_RULES, 48, i);
		uint32_t name = rd32(r), desc = rd32(r + 4), src = rd32(r + 8), prog = rd32(r + 12);
		uint8_t prio = r[16], en = r[17];
		uint32_t pad = rd16(r + 18), tf = rd32(r + 20), nt = rd32(r + 24), of = rd32(r + 28), no = rd32(r + 32),
			 file = rd32(r + 36), line = rd32(r + 40), ev = rd32(r + 44);
		if (!sid_ok(L, name) || !sid_ok(L, desc) || !sid_ok(L, src) || !sid_ok(L, file))
			return cor(L, FC_SEC_RULES, "rule", i, at, "name/desc/source/file string out of range (%u strings)", b->nstr);
		if (prog >= b->nprogs || b->progs[prog].kind != FC_PK_RULE)
			return cor(L, FC_SEC_RULES, "rule", i, at, "program %u is not a rule program", prog);
		if (prio > 7 || en > 1 || pad)
			return cor(L, FC_SEC_RULES, "rule", i, at, "priority %u / enabled %u / padding %u invalid", prio, en, pad);
		if ((uint64_t)tf + nt > nitems)
			return cor(L, FC_SEC_RULES, "rule", i, at, "tags [%u, %llu) past the %u tag items", tf,
				   (unsigned long long)tf + nt, nitems);
		if ((uint64_t)of + no > nseg)
			return cor(L, FC_SEC_RULES, "rule", i, at, "output segments [%u, %llu) past the %u segments", of,
				   (unsigned long long)of + no, nseg);
		if (ev >= b->nevset)
			return cor(L, FC_SEC_RULES, "rule", i, at, "event set %u out of range (%u sets)", ev, b->nevset);
		for (uint32_t j = 0; j < nt; j++) {
			if (!sid_ok(L, items[tf + j]))
				return cor(L, FC_SEC_RULES, "rule", i, at, "tag %u: string %u out of range", j, items[tf + j]);
			tagp[tf + j] = b->str[items[tf + j]];
		}
		b->rules[i] = (struct fc_bundle_rule){.name = b->str[name], .desc = b->str[desc], .source = b->str[src],
						      .file = b->str[file], .line = line, .priority = prio, .enabled = en,
						      .tags = tagp + tf, .ntags = nt, .out = segs ? segs + of : NULL, .nout = no,
						      .evts = &b->evsets[ev]};
		b->rule_prog[i] = prog;
	}
	b->nrules = n;
	return 0;
}

static int load_index(struct ld *L)
{
	struct fc_bundle *b = L->b;
	if (!L->s[FC_SEC_INDEX].present) {
		if (b->nrules)
			return fail(L, FC_BERR_CORRUPT, "%u rules but no index section (section %u)", b->nrules, FC_SEC_INDEX);
		return 0;
	}
	if (L->s[FC_SEC_INDEX].count != FC_EVENT_MAX)
		return cor(L, FC_SEC_INDEX, NULL, 0, L->s[FC_SEC_INDEX].off, "%u entries, must be %d (one per event code)",
			   L->s[FC_SEC_INDEX].count, FC_EVENT_MAX);
	uint32_t nitems;
	int rc = sec_layout(L, FC_SEC_INDEX, 8, true, &nitems);
	if (rc || (rc = items_decode(L, FC_SEC_INDEX, 8, nitems, &b->index_ids)))
		return rc;
	/* The ranges tile the items in event-code order, each item in exactly one range: the VM
	 * keeps one prepared entry per item for its code (an overlap would share one between two
	 * codes, a gap or an overlap would size its table wrongly). */
	uint64_t next = 0;
	for (uint32_t c = 0; c < FC_EVENT_MAX; c++) {
		const uint8_t *r = rec(L, FC_SEC_INDEX, 8, c);
		uint64_t at = rec_at(L, FC_SEC_INDEX, 8, c);
		uint32_t first = rd32(r), n = rd32(r + 4);
		if ((uint64_t)first + n > nitems)
			return cor(L, FC_SEC_INDEX, "event code", c, at, "rules [%u, %llu) past the %u items", first,
				   (unsigned long long)first + n, nitems);
		if (n && first != next)
			return cor(L, FC_SEC_INDEX, "event code", c, at,
				   "rules start at item %u, expected %llu (ranges in event-code order, no gap or overlap)",
				   first, (unsigned long long)next);
		next += n;
		for (uint32_t j = 0; j < n; j++) {
			uint32_t id = b->index_ids[first + j];
			if (id >= b->nrules)
				return cor(L, FC_SEC_INDEX, "event code", c, at, "rule %u out of range (%u rules)", id, b->nrules);
			if (j && id <= b->index_ids[first + j - 1])
				return cor(L, FC_SEC_INDEX, "event code", c, at, "rule %u after rule %u (load order, each once)", id,
					   b->index_ids[first + j - 1]);
		}
		b->index_first[c] = first;
		b->index_n[c] = n;
	}
	if (next != nitems)
		return cor(L, FC_SEC_INDEX, NULL, 0, L->s[FC_SEC_INDEX].off, "the ranges cover %llu of the %u items",
			   (unsigned long long)next, nitems);
	return 0;
}

static int load_rest(struct ld *L)
{
	struct fc_bundle *b = L->b;
	int rc;
	if (L->s[FC_SEC_SRCMAP].present) {
		if ((rc = sec_layout(L, FC_SEC_SRCMAP, 16, false, NULL)))
			return rc;
		if (L->s[FC_SEC_SRCMAP].count != b->ncode)
			return cor(L, FC_SEC_SRCMAP, NULL, 0, L->s[FC_SEC_SRCMAP].off, "%u entries for %u instructions",
				   L->s[FC_SEC_SRCMAP].count, b->ncode);
		for (uint32_t i = 0; i < b->ncode; i++) {
			const uint8_t *r = rec(L, FC_SEC_SRCMAP, 16, i);
			if (rd32(r) != L->prog_of[i])
				return cor(L, FC_SEC_SRCMAP, "entry", i, rec_at(L, FC_SEC_SRCMAP, 16, i),
					   "program %u, the instruction belongs to program %u", rd32(r), L->prog_of[i]);
			if (!sid_ok(L, rd32(r + 4)))
				return cor(L, FC_SEC_SRCMAP, "entry", i, rec_at(L, FC_SEC_SRCMAP, 16, i), "file string %u out of range",
					   rd32(r + 4));
		}
	}
	if (L->s[FC_SEC_KSEL].present) {
		if ((rc = sec_layout(L, FC_SEC_KSEL, 8, false, NULL)))
			return rc;
		b->nksel = L->s[FC_SEC_KSEL].count;
		b->ksel = balloc(b, (size_t)b->nksel * 8 + 8);
		if (!b->ksel)
			return oom(L);
		for (uint32_t i = 0; i < b->nksel; i++)
			b->ksel[i] = rd64(rec(L, FC_SEC_KSEL, 8, i));
	}
	if (L->s[FC_SEC_KPROG].present) {
		/* kernel predicate programs: decoded and verified by kprog.c (the probe loads them) */
		const struct sec *ks = &L->s[FC_SEC_KPROG];
		char msg[256];
		uint64_t at = 0;
		b->kprog = fc_kprog_decode(L->d + ks->off, ks->size, ks->count, msg, sizeof msg, &at);
		if (!b->kprog)
			return cor(L, FC_SEC_KPROG, NULL, 0, ks->off + at, "%s", msg);
	}
	if (L->s[FC_SEC_META].present) {
		if ((rc = sec_layout(L, FC_SEC_META, 4, false, NULL)))
			return rc;
		b->nmeta = L->s[FC_SEC_META].count;
		b->meta = balloc(b, (size_t)b->nmeta * sizeof *b->meta + 8);
		if (!b->meta)
			return oom(L);
		for (uint32_t i = 0; i < b->nmeta; i++) {
			uint32_t sid = rd32(rec(L, FC_SEC_META, 4, i));
			if (!sid_ok(L, sid))
				return cor(L, FC_SEC_META, "entry", i, rec_at(L, FC_SEC_META, 4, i), "string %u out of range", sid);
			b->meta[i] = b->str[sid];
		}
	}
	return 0;
}

void fc_bundle_free(struct fc_bundle *b)
{
	if (!b)
		return;
	fc_kprog_free(b->kprog);
	for (uint32_t i = 0; i < b->nregex; i++)
		pcre2_code_free(b->regex[i].code);
	for (uint32_t i = 0; i < b->nlist; i++) {
		struct fc_listcache *l = &b->lists[i];
		fc_strset_free(l->set);
		fc_numset_free(l->nset);
		fc_prefixset_free(l->pfx);
		fc_pmatch_free(l->pm);
		if (l->ip) {
			fc_numset_free(l->ip->v4);
			fc_strset_free(l->ip->v6);
		}
		for (int w = 0; w < 2; w++) {
			struct fc_smod *sm = l->smod[FC_BOP_REGEX + (w ? FC_BOP_MAX_ : 0)];
			if (sm && sm->re)
				for (uint32_t j = 0; j < sm->n; j++)
					pcre2_code_free(sm->re[j].code);
		}
	}
	while (b->arena) {
		struct fc_chunk *c = b->arena;
		b->arena = c->next;
		free(c);
	}
	free(b);
}

static int load(const uint8_t *d, size_t len, struct fc_bundle **out, char *err, size_t errlen)
{
	struct ld L = {.d = d, .err = err, .errlen = errlen};
	if (err && errlen)
		err[0] = 0;
	*out = NULL;
	int rc = check_header(&L, len);
	if (rc)
		return rc;
	if ((rc = check_crc(&L)) || (rc = check_table(&L)))
		return rc;
	L.b = calloc(1, sizeof *L.b);
	if (!L.b)
		return oom(&L);
	L.b->len = len;
	if (!(rc = load_strs(&L)) && !(rc = load_consts(&L)) && !(rc = load_lists(&L)) && !(rc = load_evsets(&L)) &&
	    !(rc = load_regex(&L)) && !(rc = load_slots(&L)) && !(rc = load_progs(&L)) && !(rc = load_code(&L)) &&
	    !(rc = load_rules(&L)) && !(rc = load_index(&L)))
		rc = load_rest(&L);
	free(L.prog_of);
	free(L.globs);
	if (rc) {
		fc_bundle_free(L.b);
		return rc;
	}
	*out = L.b;
	return FC_BERR_OK;
}

int fc_bundle_load(const void *buf, size_t len, struct fc_bundle **out, char *err, size_t errlen)
{
	return load(buf, len, out, err, errlen);
}

int fc_bundle_open(const char *path, struct fc_bundle **out, char *err, size_t errlen)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s: %s", fc_bundle_strerror(FC_BERR_IO), path, strerror(errno));
		return FC_BERR_IO;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "%s: %s: %s", fc_bundle_strerror(FC_BERR_IO), path,
			 S_ISREG(st.st_mode) ? strerror(e) : "not a regular file");
		return FC_BERR_IO;
	}
	size_t len = (size_t)st.st_size;
	if (!len) {
		close(fd);
		return load((const uint8_t *)"", 0, out, err, errlen);
	}
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	int e = errno;
	close(fd);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s: mmap: %s", fc_bundle_strerror(FC_BERR_IO), path, strerror(e));
		return FC_BERR_IO;
	}
	/* nothing built from the file points into the mapping (bundle_int.h), so unmap at once */
	int rc = load(m, len, out, err, errlen);
	munmap(m, len);
	return rc;
}

/* The bytes are read into memory once and both checks run on that copy: a file rewritten
 * between the signature check and the load cannot slip unsigned bytes in. */
int fc_bundle_open_signed(const char *path, const uint8_t pk[FC_SIG_PK_LEN], struct fc_bundle **out, char *err,
			  size_t errlen)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > UINT32_MAX) {
		int e = errno;
		bool reg = fd >= 0 && S_ISREG(st.st_mode);
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "%s: %s: %s", fc_bundle_strerror(FC_BERR_IO), path,
			 fd < 0 ? strerror(e) : !reg ? "not a regular file" : st.st_size > UINT32_MAX ? "larger than 4 GiB" : strerror(e));
		return FC_BERR_IO;
	}
	size_t len = (size_t)st.st_size, got = 0;
	uint8_t *buf = malloc(len ? len : 1);
	while (buf && got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	int e = errno;
	close(fd);
	if (!buf || got < len) {
		free(buf);
		snprintf(err, errlen, "%s: %s: %s", fc_bundle_strerror(FC_BERR_IO), path,
			 !buf ? "out of memory" : got < len ? "file shrank while being read" : strerror(e));
		return FC_BERR_IO;
	}
	char why[512];
	int rc = fc_sign_verify(buf, len, pk, why, sizeof why);
	if (rc != FC_SIG_OK) {
		snprintf(err, errlen, "%s: %s", fc_bundle_strerror(FC_BERR_SIGNATURE), why);
		free(buf);
		return FC_BERR_SIGNATURE;
	}
	rc = load(buf, len, out, err, errlen);
	free(buf);
	return rc;
}

/* ---- accessors ---- */

uint32_t fc_bundle_nrules(const struct fc_bundle *b)
{
	return b->nrules;
}

const struct fc_bundle_rule *fc_bundle_rule(const struct fc_bundle *b, uint32_t id)
{
	return id < b->nrules ? &b->rules[id] : NULL;
}

uint32_t fc_bundle_nslots(const struct fc_bundle *b)
{
	return b->nslots;
}

const struct fc_fieldspec *fc_bundle_slot_field(const struct fc_bundle *b, uint32_t slot)
{
	return slot < b->nslots && b->slots[slot].kind == FC_SK_FIELD ? &b->slots[slot].spec : NULL;
}

const char *fc_bundle_slot_text(const struct fc_bundle *b, uint32_t slot)
{
	return slot < b->nslots ? b->slots[slot].text : NULL;
}

const struct fc_kprog_set *fc_bundle_kprog(const struct fc_bundle *b)
{
	return b->kprog;
}

const uint64_t *fc_bundle_ksel(const struct fc_bundle *b, uint32_t *nwords)
{
	*nwords = b->nksel;
	return b->ksel;
}

const char *fc_bundle_meta(const struct fc_bundle *b, uint32_t i)
{
	return i < b->nmeta ? b->meta[i] : NULL;
}

uint32_t fc_bundle_size(const struct fc_bundle *b)
{
	return (uint32_t)b->len;
}
