/* opcodes.c — opcode names and operand formats, generated from opcodes.def (the verifier,
 * the VM's dispatch table and the disassembler all read the same list). */
#include <stddef.h>

#include "bundle.h"

static const struct {
	const char *name;
	int kfmt;
} opcode_tab[FC_OPC_MAX_] = {
#define OPC(id, num, mnem, k) [num] = {mnem, k},
#include "opcodes.def"
#undef OPC
};

const char *fc_opcode_name(unsigned op)
{
	return op < FC_OPC_MAX_ ? opcode_tab[op].name : NULL;
}

int fc_opcode_kfmt(unsigned op)
{
	return op < FC_OPC_MAX_ && opcode_tab[op].name ? opcode_tab[op].kfmt : -1;
}
