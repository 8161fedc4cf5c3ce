/* events.h — the scap event table (codes, names, categories, flags, parameters) and the syscall
 * table (PPM_SC codes, native numbers per arch, event pairs), both generated from one .def list
 * each (events.def, syscalls.def). Shared by falcoc (evt.type names, evt.arg names), the
 * decoder, the field extractors and the capture writer. */
#ifndef FC_EVENTS_H
#define FC_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ptypes.h"

#define FC_EVENT_MAX 454 /* PPM_EVENT_MAX of the ABI we follow: codes 0..453 */

/* Event flags (EF_*), values as in the upstream schema. */
enum {
	FC_EF_NONE = 0,
	FC_EF_CREATES_FD = 1 << 0,
	FC_EF_DESTROYS_FD = 1 << 1,
	FC_EF_USES_FD = 1 << 2,
	FC_EF_READS_FROM_FD = 1 << 3,
	FC_EF_WRITES_TO_FD = 1 << 4,
	FC_EF_MODIFIES_STATE = 1 << 5,
	FC_EF_UNUSED = 1 << 6,
	FC_EF_WAITS = 1 << 7,
	FC_EF_SKIPPARSERESET = 1 << 8,
	FC_EF_OLD_VERSION = 1 << 9,
	FC_EF_USES_FD_ALT = 1 << 10,
	FC_EF_LARGE_PAYLOAD = 1 << 11,
	FC_EF_CONVERTER_MANAGED = 1 << 12,
	FC_EF_TP = 1 << 13, /* tracepoint / meta event, not a syscall */
};

struct fc_param {
	const char *name;
	uint8_t type;     /* enum fc_ptype */
	int8_t dirfd;     /* for PT_FSRELPATH: index of the dirfd parameter, else -1 */
	const char *info; /* flag/enum table name ("file_flags"...) or NULL */
};

struct fc_event_info {
	const char *name;     /* what evt.type compares; "NA" for unused _X partners */
	const char *category; /* "file", "net", "process", ... */
	uint32_t flags;       /* FC_EF_* */
	uint8_t nparams;
	const struct fc_param *params;
};

/* Indexed by event code 0..FC_EVENT_MAX-1. Codes are dense; even = enter, odd = exit. */
extern const struct fc_event_info fc_events[FC_EVENT_MAX];

struct fc_syscall_info {
	const char *name;    /* syscall name as evt.type accepts it */
	uint16_t ppm_sc;     /* arch-neutral PPM_SC code */
	int16_t nr_x86_64;   /* native number, -1 = absent on that arch */
	int16_t nr_aarch64;
	uint16_t enter_code; /* current event pair (exit = enter | 1); 0 = GENERIC */
};

extern const struct fc_syscall_info fc_syscalls[];
extern const size_t fc_nsyscalls;

/* A set of event codes, as evttype derivation and the rule index use it. */
typedef struct {
	uint64_t w[(FC_EVENT_MAX + 63) / 64];
} fc_evtset;

static inline void fc_evtset_add(fc_evtset *s, unsigned code)
{
	if (code < FC_EVENT_MAX)
		s->w[code / 64] |= (uint64_t)1 << (code % 64);
}
static inline bool fc_evtset_has(const fc_evtset *s, unsigned code)
{
	return code < FC_EVENT_MAX && (s->w[code / 64] >> (code % 64)) & 1;
}
void fc_evtset_fill(fc_evtset *s);       /* every code 0..FC_EVENT_MAX-1 */
void fc_evtset_union(fc_evtset *d, const fc_evtset *s);
void fc_evtset_intersect(fc_evtset *d, const fc_evtset *s);
void fc_evtset_complement(fc_evtset *s); /* within 0..FC_EVENT_MAX-1 */
size_t fc_evtset_count(const fc_evtset *s);
bool fc_evtset_empty(const fc_evtset *s);

/* Adds the codes `evt.type = NAME` can match (LANGUAGE.md §12, names_to_event_set): enter and
 * exit codes of every event-table entry with that name; a name known only as a syscall adds
 * GENERIC 0/1; async meta-event names add ASYNCEVENT_E. Returns false (set untouched) when
 * NAME is neither an event nor a syscall name. */
bool fc_evtset_add_name(fc_evtset *s, const char *name);

/* True when NAME is a known event or syscall name (what `unknown event type X` checks). */
bool fc_event_name_known(const char *name);

/* Length of the longest prefix of S that is the name of some event parameter (any event,
 * any version), 0 if none: evt.arg.NAME resolution (LANGUAGE.md §5). */
size_t fc_evtparam_prefix(const char *s);

/* Type of parameter NAME in the first current (non old-version) event that has it, or
 * PT_NONE: evt.rawarg.NAME typing. */
enum fc_ptype fc_evtparam_type(const char *name);

/* Syscall by name or by native number for the given arch ("x86_64"/"aarch64"), NULL if none. */
const struct fc_syscall_info *fc_syscall_by_name(const char *name);


/* ---- Additions (events/syscalls tables work) ---- */

/* Event codes by upstream identifier, generated from events.def: FC_PPME_GENERIC_E = 0,
 * FC_PPME_SYSCALL_OPEN_E = 2, ..., FC_PPME_SYSCALL_EXECVE_19_X = 293, ... */
enum fc_ppme {
#define EV(code, id, ...) FC_PPME_##id = (code),
#define EV0(code, id, ...) FC_PPME_##id = (code),
#include "events.def"
#undef EV
#undef EV0
};

/* Syscall by native number on ARCH ("x86_64" or "aarch64"), NULL if none. */
const struct fc_syscall_info *fc_syscall_by_nr(const char *arch, int nr);

/* Syscall by PPM_SC code, NULL if the code is unassigned. */
const struct fc_syscall_info *fc_syscall_by_ppm_sc(unsigned ppm_sc);

/* Index of parameter NAME in event CODE, -1 if the event has no such parameter. */
int fc_event_param_index(unsigned code, const char *name);

#endif
