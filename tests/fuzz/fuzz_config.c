/* fuzz_config.c — libFuzzer harness for falcod's configuration loader (runtime/config.c): the
 * input up to its first NUL byte is a falcod.yaml read with fc_config_load_mem on top of the
 * defaults; every line after that NUL is one `-o KEY=VALUE` override (at most 64); then
 * fc_config_validate, and every diagnostic is printed to a null stream and freed with the
 * configuration (leaks are findings too). Build: -DFC_FUZZ=ON with clang
 * (cmake/fuzz_compiler.cmake); seeds: tests/fuzz/corpus/config, dictionary config.dict. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	const char *text = (const char *)data;
	const char *nul = memchr(data, 0, size);
	size_t ylen = nul ? (size_t)(nul - text) : size;
	struct fc_config c;
	struct fc_cfg_diags d = {0};
	fc_config_defaults(&c);
	/* an exactly-sized copy, so a read past the end is caught */
	char *y = malloc(ylen ? ylen : 1);
	if (ylen)
		memcpy(y, text, ylen);
	fc_config_load_mem(&c, y, ylen, "falcod.yaml", &d);
	free(y);
	if (nul) {
		const char *p = nul + 1, *end = text + size;
		for (int n = 0; p < end && n < 64; n++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
			char *kv = malloc(l + 1);
			memcpy(kv, p, l);
			kv[l] = 0;
			fc_config_override(&c, kv, &d);
			free(kv);
			p += l + 1;
		}
	}
	if (!d.nerrors)
		fc_config_validate(&c, &d);
	fc_cfg_diags_print(&d, devnull);
	fc_cfg_diags_free(&d);
	fc_config_free(&c);
	return 0;
}
