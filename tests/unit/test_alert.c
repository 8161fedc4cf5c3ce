/* test_alert.c — alert formatting (runtime/alert.c) against hand-written Falco lines: the text
 * layout (time prefix, priority word, <NA>, widths, escaping, ISO-8601), the JSON object (sorted
 * keys, typed output_fields, transformer tokens left out, optional properties) and the JSON
 * string escaper. Values come from a fake slot table instead of a VM. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"

#define NSLOTS 8
static struct fc_val vals[NSLOTS];
static struct fc_fieldspec specs[NSLOTS];
static bool is_field[NSLOTS];

static const struct fc_val *get_value(void *ctx, uint32_t slot)
{
	(void)ctx;
	return &vals[slot];
}

static const struct fc_fieldspec *get_spec(void *ctx, uint32_t slot)
{
	(void)ctx;
	return is_field[slot] ? &specs[slot] : NULL;
}

static const struct fc_alert_values src = {get_value, get_spec, NULL};

/* 2023-05-25T13:44:05.478445995Z */
#define TS 1685022245478445995ull

static struct fc_alerter al;
static struct fc_alert_opts opts;

static void setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	memset(vals, 0, sizeof vals);
	memset(specs, 0, sizeof specs);
	memset(is_field, 0, sizeof is_field);
	fc_alert_opts_default(&opts);
	opts.hostname = "host1";
}

static void teardown(void)
{
	fc_alerter_fini(&al);
}

TestSuite(alert, .init = setup, .fini = teardown);

static void field(uint32_t slot, enum fc_field_id id, enum fc_ptype t)
{
	is_field[slot] = true;
	specs[slot].id = id;
	specs[slot].type = t;
}

static void str(uint32_t slot, const char *s)
{
	vals[slot] = (struct fc_val){.kind = FC_V_STR, .len = (uint32_t)strlen(s), .s = s};
}

#define LIT(t) {.lit = t, .litlen = sizeof(t) - 1}
#define FLD(sl, k) {.slot = sl, .json = true, .key = k}

static const char *tags3[] = {"mitre", "b", "a"};

/* "Some Event (proc_exe=%proc.exe user=%user.name pid=%proc.pid)" */
static const struct fc_bundle_outseg segs1[] = {
	LIT("Some Event (proc_exe="), FLD(0, "proc.exe"), LIT(" user="), FLD(1, "user.name"), LIT(" pid="),
	FLD(2, "proc.pid"),           LIT(")"),
};
static const struct fc_bundle_rule rule1 = {
	.name = "R1", .source = "syscall", .priority = 2, .tags = tags3, .ntags = 3, .out = segs1, .nout = 7,
};

static void values1(void)
{
	field(0, FC_F_PROC_EXE, PT_CHARBUF);
	field(1, FC_F_USER_NAME, PT_CHARBUF);
	field(2, FC_F_PROC_PID, PT_INT64);
	str(0, "bash");
	str(1, "root");
	vals[2] = (struct fc_val){.kind = FC_V_I64, .i = 42};
}

static const char *fmt(const struct fc_bundle_rule *r)
{
	fc_alerter_fini(&al);
	fc_alerter_init(&al, &opts);
	size_t len = 0;
	const char *s = fc_alert_format(&al, r, TS, &src, &len);
	cr_assert(s);
	cr_assert_eq(strlen(s), len);
	return s;
}

Test(alert, text_line)
{
	values1();
	cr_assert_str_eq(fmt(&rule1), "13:44:05.478445995: Critical Some Event (proc_exe=bash user=root pid=42)");
}

Test(alert, text_local_time)
{
	setenv("TZ", "CET-1", 1);
	tzset();
	values1();
	cr_assert_str_eq(fmt(&rule1), "14:44:05.478445995: Critical Some Event (proc_exe=bash user=root pid=42)");
}

Test(alert, text_iso8601)
{
	values1();
	opts.iso8601 = true;
	cr_assert_str_eq(fmt(&rule1),
			 "2023-05-25T13:44:05.478445995+0000: Critical Some Event (proc_exe=bash user=root pid=42)");
}

Test(alert, missing_values_are_NA)
{
	values1();
	vals[1].kind = FC_V_NONE;
	cr_assert_str_eq(fmt(&rule1), "13:44:05.478445995: Critical Some Event (proc_exe=bash user=<NA> pid=42)");
}

Test(alert, priority_words)
{
	static const char *const want[] = {"Emergency", "Alert",  "Critical",      "Error",
					   "Warning",   "Notice", "Informational", "Debug"};
	values1();
	for (unsigned p = 0; p < 8; p++) {
		struct fc_bundle_rule r = rule1;
		r.priority = (uint8_t)p;
		char exp[256];
		snprintf(exp, sizeof exp, "13:44:05.478445995: %s Some Event (proc_exe=bash user=root pid=42)", want[p]);
		cr_assert_str_eq(fmt(&r), exp);
		cr_assert_str_eq(fc_prio_name(p), want[p]);
		unsigned q = 99;
		cr_assert(fc_prio_parse(want[p], &q));
		cr_assert_eq(q, p);
	}
	unsigned q;
	cr_assert(fc_prio_parse("INFO", &q) && q == 6);
	cr_assert(fc_prio_parse("warning", &q) && q == 4);
	cr_assert(!fc_prio_parse("severe", &q));
	cr_assert_null(fc_prio_name(8));
}

/* "%5proc.name|%8user.name|%3proc.exe|" */
Test(alert, widths_pad_and_cut)
{
	static const struct fc_bundle_outseg segs[] = {
		{.slot = 0, .width = 5, .json = true, .key = "proc.name"}, LIT("|"),
		{.slot = 1, .width = 8, .json = true, .key = "user.name"}, LIT("|"),
		{.slot = 2, .width = 3, .json = true, .key = "proc.exe"},  LIT("|"),
	};
	struct fc_bundle_rule r = {.name = "W", .source = "syscall", .priority = 7, .out = segs, .nout = 6};
	field(0, FC_F_PROC_NAME, PT_CHARBUF);
	field(1, FC_F_USER_NAME, PT_CHARBUF);
	field(2, FC_F_PROC_EXE, PT_CHARBUF);
	str(0, "sh");
	vals[1].kind = FC_V_NONE;
	str(2, "longername");
	cr_assert_str_eq(fmt(&r), "13:44:05.478445995: Debug sh   |<NA>    |lon|");
}

Test(alert, leading_star_is_consumed)
{
	static const struct fc_bundle_outseg segs[] = {LIT("*Shell %x"), FLD(0, "proc.name")};
	struct fc_bundle_rule r = {.name = "S", .source = "syscall", .priority = 5, .out = segs, .nout = 2};
	field(0, FC_F_PROC_NAME, PT_CHARBUF);
	str(0, "zsh");
	cr_assert_str_eq(fmt(&r), "13:44:05.478445995: Notice Shell %xzsh");
}

Test(alert, text_escaping)
{
	static const struct fc_bundle_outseg segs[] = {LIT("cmd="), FLD(0, "proc.cmdline")};
	struct fc_bundle_rule r = {.name = "E", .source = "syscall", .priority = 4, .out = segs, .nout = 2};
	field(0, FC_F_PROC_CMDLINE, PT_CHARBUF);
	str(0, "sh -c \"echo\\x\"\n\tnext\x1b[31m caf\xc3\xa9 bad\xff end");
	cr_assert_str_eq(fmt(&r), "13:44:05.478445995: Warning cmd=sh -c \\\"echo\\\\x\\\"\\n\\tnext\\u001b[31m "
				  "caf\xc3\xa9 bad\xef\xbf\xbd end");
}

Test(alert, json_object)
{
	values1();
	opts.json = true;
	cr_assert_str_eq(fmt(&rule1),
			 "{\"hostname\":\"host1\","
			 "\"output\":\"13:44:05.478445995: Critical Some Event (proc_exe=bash user=root pid=42)\","
			 "\"output_fields\":{\"evt.time\":1685022245478445995,\"proc.exe\":\"bash\",\"proc.pid\":42,"
			 "\"user.name\":\"root\"},"
			 "\"priority\":\"Critical\",\"rule\":\"R1\",\"source\":\"syscall\",\"tags\":[\"a\",\"b\",\"mitre\"],"
			 "\"time\":\"2023-05-25T13:44:05.478445995Z\"}");
}

Test(alert, json_missing_is_null)
{
	values1();
	vals[0].kind = FC_V_NONE;
	opts.json = true;
	cr_assert_str_eq(fmt(&rule1),
			 "{\"hostname\":\"host1\","
			 "\"output\":\"13:44:05.478445995: Critical Some Event (proc_exe=<NA> user=root pid=42)\","
			 "\"output_fields\":{\"evt.time\":1685022245478445995,\"proc.exe\":null,\"proc.pid\":42,"
			 "\"user.name\":\"root\"},"
			 "\"priority\":\"Critical\",\"rule\":\"R1\",\"source\":\"syscall\",\"tags\":[\"a\",\"b\",\"mitre\"],"
			 "\"time\":\"2023-05-25T13:44:05.478445995Z\"}");
}

Test(alert, json_iso8601_prefix_field)
{
	values1();
	opts.json = true;
	opts.iso8601 = true;
	cr_assert_str_eq(fmt(&rule1),
			 "{\"hostname\":\"host1\","
			 "\"output\":\"2023-05-25T13:44:05.478445995+0000: Critical Some Event (proc_exe=bash user=root "
			 "pid=42)\","
			 "\"output_fields\":{\"evt.time.iso8601\":1685022245478445995,\"proc.exe\":\"bash\","
			 "\"proc.pid\":42,\"user.name\":\"root\"},"
			 "\"priority\":\"Critical\",\"rule\":\"R1\",\"source\":\"syscall\",\"tags\":[\"a\",\"b\",\"mitre\"],"
			 "\"time\":\"2023-05-25T13:44:05.478445995Z\"}");
}

Test(alert, json_optional_properties)
{
	values1();
	opts.json = true;
	opts.inc_message = true;
	opts.inc_output = false;
	opts.inc_output_fields = false;
	opts.inc_tags = false;
	cr_assert_str_eq(fmt(&rule1), "{\"hostname\":\"host1\","
				      "\"message\":\"Some Event (proc_exe=bash user=root pid=42)\","
				      "\"priority\":\"Critical\",\"rule\":\"R1\",\"source\":\"syscall\","
				      "\"time\":\"2023-05-25T13:44:05.478445995Z\"}");
}

/* Types: numbers, booleans, doubles, lists; evt.time as the timestamp; a transformer token is
 * printed but not in output_fields; a repeated field gives one key; tags are a sorted set. */
Test(alert, json_typed_fields)
{
	static const char *tags[] = {"z", "a", "z"};
	static const struct fc_bundle_outseg segs[] = {
		FLD(0, "evt.is_open_read"), LIT(" "),
		FLD(1, "proc.fdusage"),     LIT(" "),
		FLD(2, "fd.types"),         LIT(" "),
		FLD(3, "evt.time"),         LIT(" "),
		{.slot = 4, .json = false, .key = "toupper(proc.name)"},
		LIT(" "),                   FLD(5, "evt.rawres"),
		LIT(" "),                   FLD(0, "evt.is_open_read"),
	};
	struct fc_bundle_rule r = {.name = "T\"1", .source = "syscall", .priority = 3, .tags = tags, .ntags = 3,
				   .out = segs, .nout = 13};
	static const struct fc_val items[] = {{.kind = FC_V_STR, .len = 4, .s = "file"},
					      {.kind = FC_V_STR, .len = 4, .s = "ipv4"}};
	field(0, FC_F_EVT_IS_OPEN_READ, PT_BOOL);
	vals[0] = (struct fc_val){.kind = FC_V_U64, .u = 1};
	field(1, FC_F_PROC_FDUSAGE, PT_DOUBLE);
	vals[1] = (struct fc_val){.kind = FC_V_DBL, .d = 0.25};
	field(2, FC_F_FD_TYPES, PT_CHARBUF);
	vals[2] = (struct fc_val){.kind = FC_V_LIST, .len = 2, .items = items};
	field(3, FC_F_EVT_TIME, PT_CHARBUF);
	str(3, "13:44:05.478445995");
	str(4, "BASH"); /* transformer slot: no spec */
	field(5, FC_F_EVT_RAWRES, PT_INT64);
	vals[5] = (struct fc_val){.kind = FC_V_I64, .i = -2};
	opts.json = true;
	opts.inc_output = false;
	cr_assert_str_eq(fmt(&r), "{\"hostname\":\"host1\","
				  "\"output_fields\":{\"evt.is_open_read\":true,\"evt.rawres\":-2,"
				  "\"evt.time\":1685022245478445995,\"fd.types\":[\"file\",\"ipv4\"],"
				  "\"proc.fdusage\":0.25},"
				  "\"priority\":\"Error\",\"rule\":\"T\\\"1\",\"source\":\"syscall\",\"tags\":[\"a\",\"z\"],"
				  "\"time\":\"2023-05-25T13:44:05.478445995Z\"}");
}

Test(alert, json_empty_tags_and_escaped_output)
{
	static const struct fc_bundle_outseg segs[] = {LIT("x="), FLD(0, "fd.name")};
	struct fc_bundle_rule r = {.name = "N", .source = "syscall", .priority = 6, .out = segs, .nout = 2};
	field(0, FC_F_FD_NAME, PT_CHARBUF);
	str(0, "/tmp/a\nb\"c");
	opts.json = true;
	opts.hostname = "h\"x";
	cr_assert_str_eq(fmt(&r), "{\"hostname\":\"h\\\"x\","
				  "\"output\":\"13:44:05.478445995: Informational x=/tmp/a\\nb\\\"c\","
				  "\"output_fields\":{\"evt.time\":1685022245478445995,\"fd.name\":\"/tmp/a\\nb\\\"c\"},"
				  "\"priority\":\"Informational\",\"rule\":\"N\",\"source\":\"syscall\",\"tags\":[],"
				  "\"time\":\"2023-05-25T13:44:05.478445995Z\"}");
}

static const char *esc(const char *s, size_t n)
{
	static struct fc_abuf b;
	b.len = 0;
	cr_assert(fc_json_escape(&b, s, n));
	return b.p;
}

Test(alert, json_escape)
{
	cr_assert_str_eq(esc("", 0), "");
	cr_assert_str_eq(esc("plain /path", 11), "plain /path");
	cr_assert_str_eq(esc("\"\\\b\f\n\r\t", 7), "\\\"\\\\\\b\\f\\n\\r\\t");
	cr_assert_str_eq(esc("\x01\x1f\x7f", 3), "\\u0001\\u001f\x7f");
	cr_assert_str_eq(esc("a\0b", 3), "a\\u0000b");
	/* valid UTF-8 of every length is kept */
	cr_assert_str_eq(esc("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* invalid: a lone continuation, an invalid lead, a cut sequence, an overlong form, a surrogate */
	cr_assert_str_eq(esc("\x80", 1), "\xef\xbf\xbd");
	cr_assert_str_eq(esc("\xff", 1), "\xef\xbf\xbd");
	cr_assert_str_eq(esc("\xe2\x82", 2), "\xef\xbf\xbd");
	cr_assert_str_eq(esc("\xe2\x82x", 3), "\xef\xbf\xbdx");
	cr_assert_str_eq(esc("\xc0\x80", 2), "\xef\xbf\xbd\xef\xbf\xbd");
	cr_assert_str_eq(esc("\xed\xa0\x80", 3), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	cr_assert_str_eq(esc("\xf4\x90\x80\x80", 4), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

Test(alert, times)
{
	struct fc_abuf b = {0};
	cr_assert(fc_alert_time_json(&b, 0));
	cr_assert_str_eq(b.p, "1970-01-01T00:00:00.000000000Z");
	b.len = 0;
	cr_assert(fc_alert_time_text(&b, 1470327477881781397ull, true));
	cr_assert_str_eq(b.p, "2016-08-04T16:17:57.881781397+0000");
	b.len = 0;
	cr_assert(fc_alert_time_text(&b, 1470327477881781397ull, false));
	cr_assert_str_eq(b.p, "16:17:57.881781397");
	fc_abuf_free(&b);
}

Test(alert, hostname_from_environment)
{
	char buf[64];
	setenv("FALCO_HOSTNAME", "node-7", 1);
	cr_assert_str_eq(fc_alert_hostname(buf, sizeof buf), "node-7");
	unsetenv("FALCO_HOSTNAME");
	cr_assert_str_neq(fc_alert_hostname(buf, sizeof buf), "node-7");
}
