/* ptypes.h — the scap parameter/field value types, generated from ptypes.def. */
#ifndef FC_PTYPES_H
#define FC_PTYPES_H

#include <stdbool.h>

enum fc_ptype {
#define PTYPE(e, code, name, size) e = code,
#include "ptypes.def"
#undef PTYPE
	PT_MAX_
};

/* "CHARBUF", "UINT64", ... as Falco prints them; "?" for an unknown code. */
const char *fc_ptype_name(enum fc_ptype t);
/* Fixed wire size in bytes, 0 when variable or field-only. */
unsigned fc_ptype_size(enum fc_ptype t);

/* Type classes the type checker and VM reason about. */
bool fc_ptype_is_numeric(enum fc_ptype t); /* ints, ERRNO, FD, PID, times, PORT, UID/GID, DOUBLE, flags, modes, ... */
bool fc_ptype_is_string(enum fc_ptype t);  /* CHARBUF, FSPATH, FSRELPATH */
bool fc_ptype_is_ip(enum fc_ptype t);      /* IPV4ADDR/IPV6ADDR/IPADDR and their NET forms */

#endif
