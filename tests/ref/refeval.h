/* refeval.h — the reference evaluator: walks a checked condition AST (compile.h: fc_crule.ast
 * after fc_compile) directly against an extractor, with deliberately naive code (byte loops,
 * fnmatch(3) on NUL-terminated copies, PCRE2 compiled per call, linear list scans). It shares
 * nothing with the IR, the optimiser or the VM, and exists only so that tests can compare the
 * VM's answers with an obviously-right one (LANGUAGE.md §4–§7 semantics). Tests only. */
#ifndef FC_REFEVAL_H
#define FC_REFEVAL_H

#include <stddef.h>

#include "ast.h"
#include "value.h"

/* Evaluates COND for the event behind X. Returns 1 (true) or 0 (false); -1 when the tree holds
 * something a checked condition cannot (unresolved macro, unknown field, constant that does not
 * parse...), with a message in ERR. */
int fc_ref_eval(const struct fc_ast *cond, const struct fc_extractor *x, char *err, size_t errlen);

#endif
