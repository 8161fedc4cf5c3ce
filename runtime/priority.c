/* priority.c — the priority words (priority.h). */
#include <strings.h>

#include "priority.h"

static const char *const prio_names[FC_NPRIO] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *fc_prio_name(unsigned p)
{
	return p < FC_NPRIO ? prio_names[p] : 0;
}

bool fc_prio_parse(const char *s, unsigned *out)
{
	for (unsigned i = 0; i < FC_NPRIO; i++)
		if (!strcasecmp(s, prio_names[i])) {
			*out = i;
			return true;
		}
	if (!strcasecmp(s, "info")) {
		*out = 6;
		return true;
	}
	return false;
}
