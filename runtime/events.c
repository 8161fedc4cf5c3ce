/* events.c — the scap event table fc_events[] and the syscall table fc_syscalls[], both generated
 * from their single X-macro lists (events.def, syscalls.def), plus the lookups built on them:
 * event-code sets (fc_evtset_*), `evt.type` name resolution (names_to_event_set semantics,
 * LANGUAGE.md §12), event-parameter name resolution for evt.arg.NAME / evt.rawarg.NAME, and
 * syscall lookup by name, native number or PPM_SC code.
 *
 * Owned by the events/syscalls tables work. Name indexes are built once, on first use, under
 * pthread_once; after that every lookup is a binary search and the tables are read-only. */
#include "events.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* fc_events[]                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* events.def flag words, mapped onto FC_EF_*. */
enum {
	F_NONE = FC_EF_NONE,
	F_CREATES_FD = FC_EF_CREATES_FD,
	F_DESTROYS_FD = FC_EF_DESTROYS_FD,
	F_USES_FD = FC_EF_USES_FD,
	F_READS_FROM_FD = FC_EF_READS_FROM_FD,
	F_WRITES_TO_FD = FC_EF_WRITES_TO_FD,
	F_MODIFIES_STATE = FC_EF_MODIFIES_STATE,
	F_UNUSED = FC_EF_UNUSED,
	F_WAITS = FC_EF_WAITS,
	F_SKIPPARSERESET = FC_EF_SKIPPARSERESET,
	F_OLD_VERSION = FC_EF_OLD_VERSION,
	F_USES_FD_ALT = FC_EF_USES_FD_ALT,
	F_LARGE_PAYLOAD = FC_EF_LARGE_PAYLOAD,
	F_CONVERTER_MANAGED = FC_EF_CONVERTER_MANAGED,
	F_TP = FC_EF_TP,
};

#define P(name, type) {(name), (uint8_t)PT_##type, -1, NULL}
#define PI(name, type, table) {(name), (uint8_t)PT_##type, -1, (table)}
#define PD(name, type, dirfd) {(name), (uint8_t)PT_##type, (dirfd), NULL}

#define FC_PARAMS_(...) ((const struct fc_param[]){__VA_ARGS__})
#define FC_NPARAMS_(...) (sizeof(FC_PARAMS_(__VA_ARGS__)) / sizeof(struct fc_param))

#define EV(code, id, name, cat, flags, ...)                                                      \
	[(code)] = {(name), (cat), (uint32_t)(flags), (uint8_t)FC_NPARAMS_(__VA_ARGS__),         \
		    FC_PARAMS_(__VA_ARGS__)},
#define EV0(code, id, name, cat, flags) [(code)] = {(name), (cat), (uint32_t)(flags), 0, NULL},

const struct fc_event_info fc_events[FC_EVENT_MAX] = {
#include "events.def"
};

#undef EV
#undef EV0

/* The list must hold exactly FC_EVENT_MAX entries. Together with the array bound (no code is
 * >= FC_EVENT_MAX) and -Werror=override-init (no code twice), this makes the codes dense. */
#define EV(code, ...) +1
#define EV0(code, ...) +1
enum { FC_EVENTS_LISTED_ = 0
#include "events.def"
};
#undef EV
#undef EV0
_Static_assert(FC_EVENTS_LISTED_ == FC_EVENT_MAX, "events.def must list every code once");

/* Every parameter list fits the scap limit (32 parameters). */
#define EV(code, id, name, cat, flags, ...)                                                      \
	_Static_assert(FC_NPARAMS_(__VA_ARGS__) <= 32, "too many parameters in event " #id);
#define EV0(code, ...)
#include "events.def"
#undef EV
#undef EV0

/* Total number of parameters over all events (sizes the parameter-name index). */
#define EV(code, id, name, cat, flags, ...) +FC_NPARAMS_(__VA_ARGS__)
#define EV0(code, ...)
enum { FC_PARAMS_LISTED_ = 0
#include "events.def"
};
#undef EV
#undef EV0

#undef P
#undef PI
#undef PD
#undef PT_FD32
#undef PT_PID32

/* ------------------------------------------------------------------------------------------ */
/* fc_syscalls[]                                                                              */
/* ------------------------------------------------------------------------------------------ */

#define SYSCALL(name, ppm_sc, nr_x86_64, nr_aarch64, enter)                                      \
	{(name), (uint16_t)(ppm_sc), (int16_t)(nr_x86_64), (int16_t)(nr_aarch64), (uint16_t)(enter)},
const struct fc_syscall_info fc_syscalls[] = {
#include "syscalls.def"
};
#undef SYSCALL

const size_t fc_nsyscalls = sizeof(fc_syscalls) / sizeof(fc_syscalls[0]);

/* Enter codes are even event codes; native numbers fit the per-arch table bound (512, see
 * arch/<arch>/arch.h). */
#define SYSCALL(name, ppm_sc, nr_x86_64, nr_aarch64, enter)                                      \
	_Static_assert((enter) % 2 == 0 && (enter) < FC_EVENT_MAX, "bad enter code for " name);  \
	_Static_assert((nr_x86_64) < 512 && (nr_aarch64) < 512, "native number out of range");
#include "syscalls.def"
#undef SYSCALL

/* ------------------------------------------------------------------------------------------ */
/* Event-code sets                                                                            */
/* ------------------------------------------------------------------------------------------ */

#define FC_EVTSET_WORDS ((FC_EVENT_MAX + 63) / 64)

static uint64_t last_word_mask(void)
{
	unsigned rem = FC_EVENT_MAX % 64;
	return rem ? (((uint64_t)1 << rem) - 1) : ~(uint64_t)0;
}

void fc_evtset_fill(fc_evtset *s)
{
	for (size_t i = 0; i < FC_EVTSET_WORDS; i++)
		s->w[i] = ~(uint64_t)0;
	s->w[FC_EVTSET_WORDS - 1] = last_word_mask();
}

void fc_evtset_union(fc_evtset *d, const fc_evtset *s)
{
	for (size_t i = 0; i < FC_EVTSET_WORDS; i++)
		d->w[i] |= s->w[i];
}

void fc_evtset_intersect(fc_evtset *d, const fc_evtset *s)
{
	for (size_t i = 0; i < FC_EVTSET_WORDS; i++)
		d->w[i] &= s->w[i];
}

void fc_evtset_complement(fc_evtset *s)
{
	for (size_t i = 0; i < FC_EVTSET_WORDS; i++)
		s->w[i] = ~s->w[i];
	s->w[FC_EVTSET_WORDS - 1] &= last_word_mask();
}

static unsigned popcount64(uint64_t v)
{
	unsigned n = 0;
	while (v) {
		v &= v - 1;
		n++;
	}
	return n;
}

size_t fc_evtset_count(const fc_evtset *s)
{
	size_t n = 0;
	for (size_t i = 0; i < FC_EVTSET_WORDS; i++)
		n += popcount64(s->w[i]);
	return n;
}

bool fc_evtset_empty(const fc_evtset *s)
{
	for (size_t i = 0; i < FC_EVTSET_WORDS; i++)
		if (s->w[i])
			return false;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Name indexes (built once)                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* One entry per distinct event name ("NA" excluded): every code carrying that name. */
struct ev_name {
	const char *name;
	fc_evtset codes;
};

/* Names of asynchronous meta-events that `evt.type` may compare (they arrive as
 * PPME_ASYNCEVENT_E with the name in parameter 1): the container plugin's "container" event. */
static const char *const async_names[] = {"container"};

static struct ev_name ev_names[FC_EVENT_MAX];
static size_t n_ev_names;

static const struct fc_syscall_info *sc_by_name[sizeof(fc_syscalls) / sizeof(fc_syscalls[0])];

static const char *param_names[FC_PARAMS_LISTED_];
static size_t n_param_names;

static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static int cmp_ev_name(const void *a, const void *b)
{
	return strcmp(((const struct ev_name *)a)->name, ((const struct ev_name *)b)->name);
}

static int cmp_sc_name(const void *a, const void *b)
{
	return strcmp((*(const struct fc_syscall_info *const *)a)->name,
		      (*(const struct fc_syscall_info *const *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_na(const char *name)
{
	return strcmp(name, "NA") == 0;
}

static void build_indexes(void)
{
	/* Event names: gather, sort, then merge equal names into one set. */
	size_t n = 0;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		if (is_na(fc_events[c].name))
			continue;
		ev_names[n].name = fc_events[c].name;
		memset(&ev_names[n].codes, 0, sizeof(ev_names[n].codes));
		fc_evtset_add(&ev_names[n].codes, c);
		n++;
	}
	qsort(ev_names, n, sizeof(ev_names[0]), cmp_ev_name);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out && strcmp(ev_names[out - 1].name, ev_names[i].name) == 0) {
			fc_evtset_union(&ev_names[out - 1].codes, &ev_names[i].codes);
			continue;
		}
		ev_names[out++] = ev_names[i];
	}
	n_ev_names = out;

	/* Syscall names. */
	for (size_t i = 0; i < fc_nsyscalls; i++)
		sc_by_name[i] = &fc_syscalls[i];
	qsort(sc_by_name, fc_nsyscalls, sizeof(sc_by_name[0]), cmp_sc_name);

	/* Parameter names of every event, every version, sorted and de-duplicated. */
	n = 0;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++)
		for (unsigned p = 0; p < fc_events[c].nparams; p++)
			param_names[n++] = fc_events[c].params[p].name;
	qsort(param_names, n, sizeof(param_names[0]), cmp_str);
	out = 0;
	for (size_t i = 0; i < n; i++)
		if (!out || strcmp(param_names[out - 1], param_names[i]) != 0)
			param_names[out++] = param_names[i];
	n_param_names = out;
}

static void ensure_indexes(void)
{
	pthread_once(&index_once, build_indexes);
}

static const struct ev_name *find_ev_name(const char *name)
{
	ensure_indexes();
	struct ev_name key = {.name = name};
	return bsearch(&key, ev_names, n_ev_names, sizeof(ev_names[0]), cmp_ev_name);
}

static bool is_async_name(const char *name)
{
	for (size_t i = 0; i < sizeof(async_names) / sizeof(async_names[0]); i++)
		if (strcmp(async_names[i], name) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------------------------------------ */
/* evt.type names                                                                             */
/* ------------------------------------------------------------------------------------------ */

bool fc_evtset_add_name(fc_evtset *s, const char *name)
{
	if (!name)
		return false;
	bool found = false;
	const struct ev_name *e = find_ev_name(name);
	if (e) {
		/* Every event-table entry with that name, whatever its version or direction. */
		fc_evtset_union(s, &e->codes);
		found = true;
	} else if (fc_syscall_by_name(name)) {
		/* Known only as a syscall: reported through the generic pair. */
		fc_evtset_add(s, FC_PPME_GENERIC_E);
		fc_evtset_add(s, FC_PPME_GENERIC_X);
		found = true;
	}
	if (is_async_name(name)) {
		fc_evtset_add(s, FC_PPME_ASYNCEVENT_E);
		found = true;
	}
	return found;
}

bool fc_event_name_known(const char *name)
{
	if (!name)
		return false;
	return find_ev_name(name) || fc_syscall_by_name(name) || is_async_name(name);
}

/* ------------------------------------------------------------------------------------------ */
/* Event parameters                                                                           */
/* ------------------------------------------------------------------------------------------ */

/* bsearch over the sorted parameter names for exactly the first LEN bytes of S. */
static bool param_name_is(const char *s, size_t len)
{
	size_t lo = 0, hi = n_param_names;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *m = param_names[mid];
		int c = strncmp(m, s, len);
		if (c == 0)
			c = m[len] ? 1 : 0; /* m is longer than the prefix: it sorts after */
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

size_t fc_evtparam_prefix(const char *s)
{
	if (!s)
		return 0;
	ensure_indexes();
	for (size_t len = strlen(s); len > 0; len--)
		if (param_name_is(s, len))
			return len;
	return 0;
}

enum fc_ptype fc_evtparam_type(const char *name)
{
	if (!name)
		return PT_NONE;
	/* First current event that has it; old-version-only names fall back to their first
	 * (oldest) appearance, so evt.rawarg on a parameter only old captures carry still types. */
	int fallback = -1;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		const struct fc_event_info *e = &fc_events[c];
		for (unsigned p = 0; p < e->nparams; p++) {
			if (strcmp(e->params[p].name, name) != 0)
				continue;
			if (!(e->flags & (FC_EF_OLD_VERSION | FC_EF_UNUSED)))
				return (enum fc_ptype)e->params[p].type;
			if (fallback < 0)
				fallback = e->params[p].type;
		}
	}
	return fallback < 0 ? PT_NONE : (enum fc_ptype)fallback;
}

int fc_event_param_index(unsigned code, const char *name)
{
	if (code >= FC_EVENT_MAX || !name)
		return -1;
	const struct fc_event_info *e = &fc_events[code];
	for (unsigned p = 0; p < e->nparams; p++)
		if (strcmp(e->params[p].name, name) == 0)
			return (int)p;
	return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Syscalls                                                                                   */
/* ------------------------------------------------------------------------------------------ */

const struct fc_syscall_info *fc_syscall_by_name(const char *name)
{
	if (!name)
		return NULL;
	ensure_indexes();
	struct fc_syscall_info key = {.name = name};
	const struct fc_syscall_info *kp = &key;
	const struct fc_syscall_info *const *hit =
		bsearch(&kp, sc_by_name, fc_nsyscalls, sizeof(sc_by_name[0]), cmp_sc_name);
	return hit ? *hit : NULL;
}

const struct fc_syscall_info *fc_syscall_by_nr(const char *arch, int nr)
{
	if (!arch || nr < 0)
		return NULL;
	bool x86 = strcmp(arch, "x86_64") == 0;
	if (!x86 && strcmp(arch, "aarch64") != 0)
		return NULL;
	for (size_t i = 0; i < fc_nsyscalls; i++) {
		int n = x86 ? fc_syscalls[i].nr_x86_64 : fc_syscalls[i].nr_aarch64;
		if (n == nr)
			return &fc_syscalls[i];
	}
	return NULL;
}

const struct fc_syscall_info *fc_syscall_by_ppm_sc(unsigned ppm_sc)
{
	/* Rows are in PPM_SC order with at most a few holes: look near the code first. */
	size_t guess = ppm_sc < fc_nsyscalls ? ppm_sc : fc_nsyscalls - 1;
	for (size_t i = guess + 1; i-- > 0;)
		if (fc_syscalls[i].ppm_sc == ppm_sc)
			return &fc_syscalls[i];
	for (size_t i = guess + 1; i < fc_nsyscalls; i++)
		if (fc_syscalls[i].ppm_sc == ppm_sc)
			return &fc_syscalls[i];
	return NULL;
}
