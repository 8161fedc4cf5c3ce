/* stateparse.c — fc_state_parses (state.h): which events the state engine parses, from the
 * same list as its dispatch table (state_handlers.def). Kept apart from state.c so that
 * falcoc's split stage can ask without linking the state engine. */
#include <string.h>

#include "events.h"
#include "state.h"

bool fc_state_parses(unsigned code)
{
	static const char *const names[] = {
#define H(name, h, fdtype) name,
#include "state_handlers.def"
	};
	if (code >= FC_EVENT_MAX)
		return false;
	switch (code) {
#define HC(c, h) \
	case c:  \
		return true;
#include "state_handlers.def"
	default:
		break;
	}
	if (!(code & 1))
		return false;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(fc_events[code].name, names[i]))
			return true;
	return false;
}
