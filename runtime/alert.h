/* alert.h — formatting one alert the way Falco prints it (RUNTIME.md §5.6, LANGUAGE.md §11).
 *
 * Text:  "<time>: <Priority> <message>" where <time> is evt.time (HH:MM:SS.nnnnnnnnn, local
 *        time) or evt.time.iso8601 (YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000) and <message> is the
 *        rule's output with every field rendered (fc_value_render), a missing value as <NA>,
 *        `%Nfield` padded with spaces or cut to N bytes. The line is then JSON-string-escaped
 *        without the surrounding quotes (control characters as \n, \t, \u001b..., `"` and `\`
 *        escaped, invalid UTF-8 as U+FFFD), so one alert is always one line.
 * JSON:  one object, keys sorted: hostname, [message], [output], [output_fields], priority,
 *        rule, source, [tags], time. output is the text line (before the text escaping);
 *        output_fields maps each field token that is not a transformer (canonical text: the
 *        bundle's key) to its typed value (integers as numbers, booleans, strings, arrays for
 *        list fields, null when missing; evt.time-like fields as the timestamp in ns), plus the
 *        prefix field evt.time or evt.time.iso8601; tags is the sorted set of the rule's tags;
 *        time is ISO-8601 UTC with nanoseconds and Z.
 *
 * The formatter reads values through a small interface (in falcod: fc_vm_value and the
 * bundle's slot specs), so tests can feed it values directly. Nothing here is per event: it
 * runs once per alert, on the event thread, into a buffer it reuses. */
#ifndef FC_ALERT_H
#define FC_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "priority.h"
#include "value.h"

struct fc_alert_opts {
	bool json;
	bool iso8601;             /* time_format_iso_8601 */
	bool inc_output;          /* json_include_output_property */
	bool inc_tags;            /* json_include_tags_property */
	bool inc_message;         /* json_include_message_property */
	bool inc_output_fields;   /* json_include_output_fields_property */
	const char *hostname;     /* JSON "hostname" (see fc_alert_hostname) */
};
void fc_alert_opts_default(struct fc_alert_opts *o); /* text; JSON flags as Falco's defaults */

/* FALCO_HOSTNAME if set, else gethostname(); copied into BUF. */
const char *fc_alert_hostname(char *buf, size_t len);

/* Where the values of a rule's output fields come from. */
struct fc_alert_values {
	/* The value of SLOT for the current event (never NULL; kind NONE when missing). */
	const struct fc_val *(*value)(void *ctx, uint32_t slot);
	/* The field spec of SLOT; NULL for a transformer slot (its type follows its value). */
	const struct fc_fieldspec *(*spec)(void *ctx, uint32_t slot);
	void *ctx;
};

/* A growable byte buffer (reused between alerts). */
struct fc_abuf {
	char *p;
	size_t len, cap;
};
void fc_abuf_free(struct fc_abuf *b);
bool fc_abuf_add(struct fc_abuf *b, const void *s, size_t n);

/* A formatter: the options plus the buffers it reuses from one alert to the next. One per
 * event thread. */
struct fc_alerter {
	struct fc_alert_opts o;
	char hostname[256];
	struct fc_abuf out, line, msg, tok;
};
void fc_alerter_init(struct fc_alerter *a, const struct fc_alert_opts *o); /* copies O (and the hostname) */
void fc_alerter_fini(struct fc_alerter *a);

/* Formats the alert of rule R for an event at TS (ns since the epoch): the text line or the
 * JSON object, no trailing newline, NUL-terminated, valid until the next call. *LEN gets its
 * length. NULL only when memory runs out. */
const char *fc_alert_format(struct fc_alerter *a, const struct fc_bundle_rule *r, uint64_t ts,
			    const struct fc_alert_values *v, size_t *len);

/* The pieces, for tests and other writers. All append to OUT. */
bool fc_json_escape(struct fc_abuf *out, const char *s, size_t n);      /* without quotes */
bool fc_alert_time_text(struct fc_abuf *out, uint64_t ts, bool iso8601); /* the prefix time */
bool fc_alert_time_json(struct fc_abuf *out, uint64_t ts);               /* 2023-05-25T13:44:05.478445995Z */

#endif
