/* ptypes.c — names, sizes and classes of the scap value types (table from ptypes.def). */
#include "ptypes.h"

static const struct {
	const char *name;
	unsigned size;
} ptypes[PT_MAX_] = {
#define PTYPE(e, code, name, size) [code] = {name, size},
#include "ptypes.def"
#undef PTYPE
};

const char *fc_ptype_name(enum fc_ptype t)
{
	return (unsigned)t < PT_MAX_ && ptypes[t].name ? ptypes[t].name : "?";
}

unsigned fc_ptype_size(enum fc_ptype t)
{
	return (unsigned)t < PT_MAX_ ? ptypes[t].size : 0;
}

bool fc_ptype_is_string(enum fc_ptype t)
{
	return t == PT_CHARBUF || t == PT_FSPATH || t == PT_FSRELPATH;
}

bool fc_ptype_is_ip(enum fc_ptype t)
{
	switch (t) {
	case PT_IPV4ADDR: case PT_IPV4NET: case PT_IPV6ADDR: case PT_IPV6NET:
	case PT_IPADDR: case PT_IPNET:
		return true;
	default:
		return false;
	}
}

bool fc_ptype_is_numeric(enum fc_ptype t)
{
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64:
	case PT_UINT8: case PT_UINT16: case PT_UINT32: case PT_UINT64:
	case PT_ERRNO: case PT_FD: case PT_PID: case PT_SYSCALLID: case PT_SIGTYPE:
	case PT_RELTIME: case PT_ABSTIME: case PT_PORT: case PT_L4PROTO: case PT_SOCKFAMILY:
	case PT_FLAGS8: case PT_FLAGS16: case PT_FLAGS32: case PT_UID: case PT_GID:
	case PT_DOUBLE: case PT_SIGSET: case PT_MODE:
	case PT_ENUMFLAGS8: case PT_ENUMFLAGS16: case PT_ENUMFLAGS32: case PT_FD32: case PT_PID32:
		return true;
	default:
		return false;
	}
}
