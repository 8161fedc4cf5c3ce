/* priority.h — Falco's alert priorities as the runtime names them: the words alerts print and
 * the configuration accepts. The numbering is the bundle's priority byte (0 = Emergency,
 * most severe, .. 7 = Debug), which is also syslog's level numbering. */
#ifndef FC_PRIORITY_H
#define FC_PRIORITY_H

#include <stdbool.h>

#define FC_NPRIO 8
/* "Emergency" .. "Debug"; NULL past the end. */
const char *fc_prio_name(unsigned p);
/* Case-insensitive; "info" is accepted for Informational. */
bool fc_prio_parse(const char *s, unsigned *out);

#endif
