/* replay.c — a main() for the libFuzzer harnesses outside libFuzzer, so the ordinary builds
 * (Release, ASan) replay every committed seed and every crash reproducer through the same
 * LLVMFuzzerTestOneInput as ctest cases (cmake/fuzz_replay.cmake). Arguments: files or
 * directories (their regular files, in name order; a missing directory is skipped). Each input
 * is handed over in an exactly-sized heap buffer, so a read past its end is caught under ASan.
 * A finding aborts (sanitizer) or crashes; otherwise prints how many inputs ran. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	fclose(f);
	if (!buf) {
		fprintf(stderr, "replay: out of memory\n");
		return -1;
	}
	uint8_t *exact = malloc(n ? n : 1); /* exactly sized: ASan sees a read past the end */
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	long runs = 0;
	int errors = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st)) {
			if (errno != ENOENT) {
				fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
				errors++;
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			errors += run_file(argv[i]) != 0;
			runs++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		if (!d) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			errors++;
			continue;
		}
		char **names = NULL;
		size_t nn = 0;
		for (struct dirent *e; (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			size_t l = strlen(argv[i]) + strlen(e->d_name) + 2;
			char *p = malloc(l), **nv = realloc(names, (nn + 1) * sizeof *names);
			if (!p || !nv) {
				free(p);
				free(nv ? nv : names);
				closedir(d);
				fprintf(stderr, "replay: out of memory\n");
				return 1;
			}
			names = nv;
			snprintf(p, l, "%s/%s", argv[i], e->d_name);
			names[nn++] = p;
		}
		closedir(d);
		if (nn)
			qsort(names, nn, sizeof *names, cmp);
		for (size_t k = 0; k < nn; k++) {
			struct stat fs;
			if (!stat(names[k], &fs) && S_ISREG(fs.st_mode)) {
				errors += run_file(names[k]) != 0;
				runs++;
			}
			free(names[k]);
		}
		free(names);
	}
	printf("replay: %ld inputs, %d unreadable\n", runs, errors);
	return errors ? 1 : 0;
}
