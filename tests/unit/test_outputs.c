/* test_outputs.c — the alert channels and their queue (runtime/outputs.c): lines arrive in
 * order on stdout, file and program channels; a full queue drops and counts instead of
 * waiting; the program gets the alert on stdin, never through its command line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outputs.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/fc_outputs_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(outputs, .init = setup, .fini = teardown);

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return strdup("<missing>");
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return strdup(buf);
}

static void path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static struct fc_outputs *open_outputs(struct fc_outputs_opts *o)
{
	struct fc_outputs *out = NULL;
	char err[256];
	cr_assert_eq(fc_outputs_new(o, &out, err, sizeof err), 0, "%s", err);
	return out;
}

Test(outputs, file_in_order_open_per_alert)
{
	char f[128];
	path(f, sizeof f, "alerts.txt");
	struct fc_outputs_opts o = {.file_enabled = true, .filename = f};
	struct fc_outputs *out = open_outputs(&o);
	cr_assert_eq(fc_outputs_start(out), 0);
	for (int i = 0; i < 100; i++) {
		char line[32];
		int n = snprintf(line, sizeof line, "alert %d", i);
		cr_assert(fc_outputs_push(out, line, (size_t)n, 4));
	}
	fc_outputs_close(out, NULL);
	char *got = slurp(f);
	char exp[2048] = "";
	for (int i = 0; i < 100; i++)
		snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "alert %d\n", i);
	cr_assert_str_eq(got, exp);
	free(got);
}

Test(outputs, file_keep_alive_and_stdout_stream)
{
	char f[128], s[128];
	path(f, sizeof f, "keep.txt");
	path(s, sizeof s, "stdout.txt");
	FILE *so = fopen(s, "w");
	struct fc_outputs_opts o = {.file_enabled = true, .file_keep_alive = true, .filename = f,
				    .stdout_enabled = true, .stdout_stream = so, .buffered = true};
	struct fc_outputs *out = open_outputs(&o);
	cr_assert_eq(fc_outputs_start(out), 0);
	cr_assert(fc_outputs_push(out, "one", 3, 1));
	cr_assert(fc_outputs_push(out, "two\ttabs", 8, 1));
	fc_outputs_close(out, NULL);
	fclose(so);
	char *a = slurp(f), *b = slurp(s);
	cr_assert_str_eq(a, "one\ntwo\ttabs\n");
	cr_assert_str_eq(b, "one\ntwo\ttabs\n");
	free(a);
	free(b);
}

Test(outputs, bad_file_fails_early_with_keep_alive)
{
	struct fc_outputs_opts o = {.file_enabled = true, .file_keep_alive = true,
				    .filename = "/nonexistent/dir/alerts.txt"};
	struct fc_outputs *out = NULL;
	char err[256];
	cr_assert_eq(fc_outputs_new(&o, &out, err, sizeof err), -1);
	cr_assert_str_eq(err, "file_output: cannot open /nonexistent/dir/alerts.txt: No such file or directory");
}

Test(outputs, full_queue_drops_and_counts)
{
	char f[128], l[128];
	path(f, sizeof f, "q.txt");
	path(l, sizeof l, "log.txt");
	FILE *log = fopen(l, "w");
	struct fc_outputs_opts o = {.capacity = 2, .file_enabled = true, .filename = f, .log = log};
	struct fc_outputs *out = open_outputs(&o);
	/* The worker is not started: nothing drains the queue. */
	cr_assert(fc_outputs_push(out, "a", 1, 0));
	cr_assert(fc_outputs_push(out, "b", 1, 0));
	cr_assert(!fc_outputs_push(out, "c", 1, 0));
	cr_assert(!fc_outputs_push(out, "d", 1, 0));
	cr_assert(!fc_outputs_push(out, "e", 1, 0));
	struct fc_outputs_stats st;
	fc_outputs_stats(out, &st);
	cr_assert_eq(st.pushed, 2);
	cr_assert_eq(st.drops, 3);
	cr_assert_eq(st.max_depth, 2);
	fc_outputs_close(out, &st);
	cr_assert_eq(st.written, 2);
	cr_assert_eq(st.errors, 0);
	fclose(log);
	char *got = slurp(f), *warn = slurp(l);
	cr_assert_str_eq(got, "a\nb\n");
	/* rate-limited: one warning for the three drops within a second (or two across a second boundary) */
	cr_assert(!strncmp(warn, "falcod: warning: outputs queue full (capacity 2): 1 alert(s) dropped so far\n", 76),
		  "%s", warn);
	free(got);
	free(warn);
}

Test(outputs, unbounded_queue_grows)
{
	char f[128];
	path(f, sizeof f, "u.txt");
	struct fc_outputs_opts o = {.capacity = 0, .file_enabled = true, .file_keep_alive = true, .filename = f};
	struct fc_outputs *out = open_outputs(&o);
	for (int i = 0; i < 5000; i++)
		cr_assert(fc_outputs_push(out, "x", 1, 7));
	struct fc_outputs_stats st;
	fc_outputs_stats(out, &st);
	cr_assert_eq(st.pushed, 5000);
	cr_assert_eq(st.drops, 0);
	fc_outputs_close(out, NULL);
	char *got = slurp(f);
	cr_assert_eq(strlen(got), 10000);
	free(got);
}

Test(outputs, program_gets_alerts_on_stdin)
{
	char f[128], prog[300], marker[128];
	path(f, sizeof f, "prog.txt");
	path(marker, sizeof marker, "pwned");
	snprintf(prog, sizeof prog, "cat >> %s", f);
	for (int keep = 0; keep < 2; keep++) {
		unlink(f);
		struct fc_outputs_opts o = {.program_enabled = true, .program_keep_alive = keep, .program = prog};
		struct fc_outputs *out = open_outputs(&o);
		cr_assert_eq(fc_outputs_start(out), 0);
		char evil[256];
		int n = snprintf(evil, sizeof evil, "cmd=$(touch %s) `touch %s`; touch %s", marker, marker, marker);
		cr_assert(fc_outputs_push(out, "first", 5, 3));
		cr_assert(fc_outputs_push(out, evil, (size_t)n, 3));
		fc_outputs_close(out, NULL);
		char *got = slurp(f);
		char exp[600];
		snprintf(exp, sizeof exp, "first\n%s\n", evil);
		cr_assert_str_eq(got, exp);
		free(got);
		cr_assert_neq(access(marker, F_OK), 0, "alert text reached a shell");
	}
}

Test(outputs, missing_settings)
{
	struct fc_outputs *out = NULL;
	char err[256];
	struct fc_outputs_opts o = {.file_enabled = true};
	cr_assert_eq(fc_outputs_new(&o, &out, err, sizeof err), -1);
	cr_assert_str_eq(err, "file_output: no filename");
	struct fc_outputs_opts p = {.program_enabled = true, .program = ""};
	cr_assert_eq(fc_outputs_new(&p, &out, err, sizeof err), -1);
	cr_assert_str_eq(err, "program_output: no program");
}
