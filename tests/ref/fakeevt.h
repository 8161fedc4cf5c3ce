/* fakeevt.h — a fake event for the rule VM's tests: an event code plus a table from field
 * references ("proc.name", "proc.aname[2]", "fd.types") to values (value.h), and an
 * fc_extractor over it that counts its calls. The reference evaluator, the VM truth tables
 * and the differential test all read events through it, so both sides see the same values.
 *
 * Text form (tests/vm/truth.txt, failure messages), items separated by ';':
 *   evt.type=open; proc.name=bash; fd.types=(file,ipv4); fd.sip=10.0.0.1; proc.pid=<missing>
 * A value is bare (trimmed) or "quoted" (escapes \" \\ \n \t \xHH); list and ancestor fields
 * take (a, b, ...) — () is an empty list, which extracts as missing (value.h). `<missing>`
 * or leaving a field out makes it missing. Values are parsed against the field's catalog
 * type: decimal numbers, true/false, dotted IPv4 or IPv6 text, raw bytes for buffers.
 * evt.type names the event: the code is the first exit-direction, current-version event of
 * the table with that name; evt.type extracts that table name (default: open).
 *
 * Ancestors: an ancestor field without index (proc.aname, proc.apid, ...) holds the ancestors
 * parent first; proc.aname[N] (N >= 1) not set explicitly is element N-1 of that list, and
 * proc.aname[0] is the process's own field (proc.name) — as the state engine computes them. */
#ifndef FC_FAKEEVT_H
#define FC_FAKEEVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

struct fc_fake_item {
	enum fc_field_id id;
	bool has_arg, arg_is_index;
	int64_t index;
	char *arg;  /* resolved argument text, "" when none */
	char *text; /* the reference as written: "proc.aname[2]" */
	enum fc_ptype type;
	uint32_t flags; /* FC_FF_* after argument adjustment */
	struct fc_val val; /* FC_V_NONE: explicitly missing */
};

/* One distinct field spec the extractor was asked for, with its call count. */
struct fc_fake_call {
	enum fc_field_id id;
	bool has_arg, arg_is_index;
	int64_t index;
	char *arg;
	uint32_t n;
};

struct fc_fake_evt {
	uint16_t code;         /* event code (exit direction) */
	const char *type_name; /* fc_events[code].name */
	struct fc_fake_item *items;
	uint32_t nitems, capitems;
	void **mem; /* allocations owned by the event (strings, lists) */
	uint32_t nmem, capmem;
	struct fc_fake_call *calls; /* since the last fc_fake_reset_calls */
	uint32_t ncalls, capcalls;
	uint64_t total_calls;
};

void fc_fake_init(struct fc_fake_evt *e);
void fc_fake_free(struct fc_fake_evt *e);
/* Forgets every value (keeps the buffers) and resets the call counters; type becomes open. */
void fc_fake_clear(struct fc_fake_evt *e);

/* Sets the event type by name; false when no event has that name. */
bool fc_fake_set_type(struct fc_fake_evt *e, const char *name);
/* Sets FIELD ("proc.aname[2]", "evt.arg.flags") from its value text (see above). False with
 * ERR on an unknown field or a value that does not parse for the field's type. */
bool fc_fake_set(struct fc_fake_evt *e, const char *field, const char *value, char *err, size_t errlen);
/* Same, from an already built value (strings and list items are copied). */
bool fc_fake_set_val(struct fc_fake_evt *e, const char *field, const struct fc_val *v, char *err, size_t errlen);
/* Parses a whole event line ("a=1; b=(x,y); evt.type=open") into E (cleared first). */
bool fc_fake_parse(struct fc_fake_evt *e, const char *line, char *err, size_t errlen);
/* Writes E back in the text form (evt.type first). Returns the length needed. */
size_t fc_fake_format(const struct fc_fake_evt *e, char *buf, size_t len);

/* The extractor over E (ctx = E). */
struct fc_extractor fc_fake_extractor(struct fc_fake_evt *e);
void fc_fake_reset_calls(struct fc_fake_evt *e);
/* The largest number of calls made for one distinct field spec since the last reset. */
uint32_t fc_fake_max_calls(const struct fc_fake_evt *e);

#endif
