/* rulesrc.h — how falcod turns rules files into a bundle without including the compiler:
 * the function is declared here (runtime side) and implemented by falcoc's library
 * (compiler/api.c), which the falcod binary links. falcod accepts bundles and YAML rules alike;
 * YAML goes through exactly the compiler falcoc uses, so diagnostics are the same. */
#ifndef FC_RULESRC_H
#define FC_RULESRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Compiles the rules files PATHS (or, when n == 0, the embedded default ruleset TEXT/TEXTLEN
 * named NAME) into a bundle image: *BUF (malloc'd, caller frees) and *LEN. Diagnostics
 * (errors and warnings, falcoc's text layout) go to DIAG when not NULL. Returns false when any
 * file has errors; nothing is produced then. */
bool fc_rules_to_bundle(const char *const *paths, size_t n, const char *name, const char *text, size_t textlen,
			void **buf, size_t *len, FILE *diag);

#endif
