/* test_compile.c — the front end's middle stages on small in-memory rulesets: list
 * substitution text (upstream's exact result), macro inlining (visibility, loops, undefined),
 * type checking messages, event-type sets, output formats, unused warnings, and positions
 * of diagnostics inside block scalars. */
#include <criterion/criterion.h>
#include <string.h>

#include "compile.h"
#include "fields.h"

struct env {
	struct fc_arena arena;
	struct fc_diags diags;
	struct fc_ruleset rs;
	struct fc_compiled comp;
	bool ok;
};

static struct env *build(const char *yaml)
{
	struct env *e = calloc(1, sizeof(*e));
	fc_diags_init(&e->diags, &e->arena);
	fc_ruleset_init(&e->rs, &e->arena, &e->diags);
	e->diags.file = "t.yaml";
	fc_ruleset_load_text(&e->rs, "t.yaml", yaml, strlen(yaml));
	e->ok = fc_compile(&e->rs, &e->comp) && e->diags.nerrors == 0;
	return e;
}

static void done(struct env *e)
{
	fc_ruleset_free(&e->rs);
	fc_arena_free(&e->arena);
	free(e);
}

/* The first diagnostic with CODE, or NULL. */
static const struct fc_diag *find(struct env *e, enum fc_diag_code code)
{
	for (const struct fc_diag *d = e->diags.head; d; d = d->next)
		if (d->code == code)
			return d;
	return NULL;
}

static void dump(struct env *e)
{
	for (const struct fc_diag *d = e->diags.head; d; d = d->next)
		fc_diag_print(stderr, d, false);
}

static char *expanded(struct env *e, uint32_t rule)
{
	static char out[8192];
	struct fc_buf b = {0};
	cr_assert(e->comp.rules[rule].ast, "rule %u did not compile", rule);
	fc_ast_print(&b, e->comp.rules[rule].ast);
	snprintf(out, sizeof out, "%s", b.p);
	fc_buf_free(&b);
	return out;
}

#define RULE(name, cond) \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o %proc.name\n  priority: WARNING\n"

Test(lists, substitution_text_matches_upstream)
{
	struct env *e = build("- list: shell_binaries\n  items: [bash, sh, \"my shell\"]\n"
			      "- macro: spawned_process\n  condition: (evt.type in (execve, execveat))\n"
			      "- rule: r\n  desc: d\n  condition: spawned_process and proc.name in (shell_binaries)\n"
			      "  output: o\n  priority: INFO\n"
			      "  exceptions:\n  - name: e\n    fields: [proc.pname]\n    values: [[sshd]]\n");
	if (!e->ok)
		dump(e);
	cr_assert(e->ok);
	cr_assert_str_eq(e->comp.rules[0].text.s,
			 "(spawned_process and proc.name in ( bash, sh, \"my shell\" )) and not (( proc.pname = sshd))");
	cr_assert(e->rs.lists[0]->used);
	done(e);
}

Test(lists, empty_list_eats_a_comma_and_later_lists_expand_items)
{
	struct env *e = build("- list: a\n  items: []\n"
			      "- list: c\n  items: [x, later]\n"
			      "- list: later\n  items: [y, z]\n"
			      RULE("r", "evt.type = open and proc.name in (a, foo, c)"));
	if (!e->ok)
		dump(e);
	cr_assert(e->ok);
	/* a: empty, takes the following comma; c's item 'later' is a later list, so its pass
	 * substitutes it too */
	cr_assert_str_eq(e->comp.rules[0].text.s, "evt.type = open and proc.name in (   foo, x, y, z )");
	done(e);
}

Test(lists, names_inside_words_and_quotes)
{
	struct env *e = build("- list: sh\n  items: [bash]\n"
			      RULE("r", "evt.type = open and proc.name in (shx, \"sh\", sh) and fd.name = sh"));
	cr_assert(e->ok);
	/* a name between delimiters is replaced even next to '=' ; inside "..." it is not, because
	 * the quote is not a delimiter */
	cr_assert_str_eq(e->comp.rules[0].text.s,
			 "evt.type = open and proc.name in (shx, \"sh\", bash ) and fd.name = bash ");
	done(e);
}

Test(lists, ten_thousand_items)
{
	struct fc_buf y = {0};
	fc_buf_puts(&y, "- list: big\n  items: [");
	for (int i = 0; i < 10000; i++)
		fc_buf_printf(&y, "%sbin%d", i ? ", " : "", i);
	fc_buf_puts(&y, "]\n" RULE("r", "evt.type = execve and proc.name in (big)"));
	struct env *e = build(y.p);
	fc_buf_free(&y);
	cr_assert(e->ok);
	cr_assert_eq(e->comp.rules[0].ast->kids[1]->right->nkids, 10000);
	done(e);
}

Test(macros, inlined_and_visible_in_order)
{
	struct env *e = build("- macro: a\n  condition: evt.type = open\n"
			      "- macro: b\n  condition: a and proc.name = cat\n"
			      RULE("r", "b or (evt.type = close and not a)"));
	cr_assert(e->ok);
	cr_assert_str_eq(expanded(e, 0),
			 "((evt.type = open and proc.name = cat) or (evt.type = close and not evt.type = open))");
	done(e);
}

Test(macros, later_macro_is_undefined_for_a_macro)
{
	struct env *e = build("- macro: b\n  condition: a and proc.name = cat\n"
			      "- macro: a\n  condition: evt.type = open\n" RULE("r", "b"));
	const struct fc_diag *d = find(e, FC_LOAD_ERR_VALIDATE);
	cr_assert(d);
	cr_assert_str_eq(d->msg, "Undefined macro 'a' used in filter.");
	cr_assert_eq(d->loc.line, 2);
	cr_assert_eq(d->loc.col, 14);
	done(e);
}

Test(macros, self_reference_through_append_is_a_loop)
{
	struct env *e = build("- macro: a\n  condition: evt.type = open\n"
			      "- macro: a\n  condition: or a\n  override:\n    condition: append\n" RULE("r", "a"));
	const struct fc_diag *d = find(e, FC_LOAD_ERR_VALIDATE);
	cr_assert(d);
	cr_assert_str_eq(d->msg, "reference loop in macro 'a'");
	done(e);
}

Test(macros, rule_sees_every_macro_and_error_chain_names_it)
{
	struct env *e = build(RULE("r", "m") "- macro: m\n  condition: evt.type = open and proc.nme = x\n");
	const struct fc_diag *d = find(e, FC_LOAD_ERR_COMPILE_CONDITION);
	cr_assert(d);
	cr_assert_str_eq(d->msg, "filter_check called with nonexistent field proc.nme");
	cr_assert_eq(d->loc.line, 7);
	cr_assert_eq(d->loc.col, 34);
	bool rule = false, macro = false;
	for (unsigned i = 0; i < d->nframes; i++) {
		rule |= !strcmp(d->frames[i]->item_type, "rule") && !strcmp(d->frames[i]->item_name, "r");
		macro |= !strcmp(d->frames[i]->item_type, "macro") && !strcmp(d->frames[i]->item_name, "m");
	}
	cr_assert(rule && macro, "the chain names the rule and the macro");
	done(e);
}

Test(macros, undefined_identifier)
{
	struct env *e = build(RULE("r", "evt.type = open and nosuch"));
	const struct fc_diag *d = find(e, FC_LOAD_ERR_VALIDATE);
	cr_assert(d);
	cr_assert_str_eq(d->msg, "Undefined macro 'nosuch' used in filter.");
	done(e);
}

Test(macros, unused_items_warn)
{
	struct env *e = build("- list: l\n  items: [a]\n- macro: m\n  condition: evt.type = open\n"
			      RULE("r", "evt.type = close"));
	cr_assert(e->ok);
	cr_assert(find(e, FC_LOAD_UNUSED_MACRO));
	cr_assert(find(e, FC_LOAD_UNUSED_LIST));
	done(e);
}

struct errcase {
	const char *cond, *msg;
};

Test(check, type_errors_with_upstream_messages)
{
	static const struct errcase cases[] = {
		{"evt.type = open and proc.nme = x", "filter_check called with nonexistent field proc.nme"},
		{"evt.type = nosuchevent", "unknown event type nosuchevent"},
		{"evt.type = open and proc.pid contains 1", "'contains' operator not supported for numeric filters"},
		{"evt.type = open and proc.name bcontains 41", "'bcontains' operator not supported for string filters"},
		{"evt.type = open and proc.pid = 0x10", "0x10 is not a valid number"},
		{"evt.type = open and proc.pid = abc", "abc is not a valid number"},
		{"evt.type = open and fd.sip startswith 1", "'startswith' operator not supported for ip address and network filters"},
		{"evt.type = open and proc.is_exe_writable = yes", "filter error: unrecognized boolean value yes"},
		{"evt.type = open and proc.is_exe_writable > 1", "'>' operator not supported for numeric filters"},
		{"evt.type = open and evt.buffer bcontains xyz", "bcontains and bstartswith operator support hex strings only"},
		{"evt.type = open and proc.name regex \"(\"", NULL /* prefix checked below */},
		{"evt.type = open and fd.net = 10.0.0.0", "unrecognized IP network 10.0.0.0"},
		{"evt.type = open and fd.types contains x", "'contains' operator not supported list filters"},
		{"evt.type = open and toupper(proc.pid) = 1",
		 "can't add field transformer: type 'INT64' is not supported by 'toupper' transformer applied on field 'proc.pid'"},
		{"evt.type = open and proc.name = val(proc.pid)",
		 "field 'proc.name' has type 'CHARBUF' while the right-hand side field 'proc.pid' has incompatible type 'INT64'"},
		{"evt.type = val(proc.name)",
		 "right-hand field comparisons on evt.type/syscall.type checks are not supported by event code search"},
		/* arity (transformers.def): the grammar takes any argument list; before this check a
		 * wrong count compiled into a bundle the reader refuses (fuzz_backend finding) */
		{"evt.type = open and tolower(proc.name, \":\", proc.pname) = x", "transformer 'tolower' takes 1 argument, not 3"},
		{"evt.type = open and len(proc.name, proc.exe) > 1", "transformer 'len' takes 1 argument, not 2"},
		{"evt.type = open and concat(proc.name) = x", "transformer 'concat' takes at least 2 arguments, not 1"},
		{"evt.type = open and join(\",\") = x", "transformer 'join' takes 2 arguments, not 1"},
		{"evt.type = open and getopt(proc.args)[a] = x", "transformer 'getopt' takes 2 arguments, not 1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fc_buf y = {0};
		fc_buf_puts(&y, "- rule: r\n  desc: d\n  condition: ");
		fc_buf_puts(&y, cases[i].cond);
		fc_buf_puts(&y, "\n  output: o %proc.name\n  priority: WARNING\n");
		struct env *e = build(y.p);
		fc_buf_free(&y);
		const struct fc_diag *d = find(e, FC_LOAD_ERR_COMPILE_CONDITION);
		cr_assert(d, "no error for: %s", cases[i].cond);
		if (cases[i].msg)
			cr_expect_str_eq(d->msg, cases[i].msg, "for: %s", cases[i].cond);
		else
			cr_expect(!strncmp(d->msg, "invalid regex pattern: ", 23), "got: %s", d->msg);
		done(e);
	}
}

Test(check, all_errors_of_a_run_are_reported)
{
	struct env *e = build(RULE("r1", "evt.type = open and proc.nme = x") RULE("r2", "evt.type = nosuch")
				      RULE("r3", "evt.type = open and proc.pid = abc"));
	cr_assert_eq(e->diags.nerrors, 3);
	done(e);
}

Test(check, warnings)
{
	struct env *e = build(RULE("r", "evt.type = open and proc.name = proc.pname and fd.name regex \"/etc/passwd\""));
	cr_assert(e->ok);
	bool field = false, regex = false;
	for (const struct fc_diag *d = e->diags.head; d; d = d->next) {
		field |= d->code == FC_LOAD_COMPILE_CONDITION &&
			 !strcmp(d->msg, "'proc.pname' may be a valid field misused as a const string value");
		regex |= d->code == FC_LOAD_COMPILE_CONDITION && strstr(d->msg, "may be optimized with simpler operators");
	}
	cr_assert(field && regex);
	done(e);
}

Test(check, skip_if_unknown_filter_drops_the_rule)
{
	struct env *e = build(RULE("r", "evt.type = open and proc.nme = x") "  skip-if-unknown-filter: true\n");
	cr_assert_eq(e->diags.nerrors, 0);
	cr_assert(find(e, FC_LOAD_UNKNOWN_FILTER));
	cr_assert(e->comp.rules[0].skipped);
	done(e);
}

static size_t nev(struct env *e, uint32_t r)
{
	return fc_evtset_count(&e->comp.rules[r].evts);
}

Test(evttypes, sets_and_de_morgan)
{
	struct env *e = build(RULE("a", "evt.type in (open, openat)") RULE("b", "proc.name = cat")
				      RULE("c", "not evt.type = open") RULE("d", "evt.type = open and not proc.name = x")
				      RULE("e", "not (evt.type != open or proc.name = x)") RULE("f", "evt.type = madvise"));
	fc_evtset open = {0};
	fc_evtset_add_name(&open, "open");
	fc_evtset_add_name(&open, "openat");
	cr_assert_eq(memcmp(&e->comp.rules[0].evts, &open, sizeof open), 0);
	cr_assert_eq(nev(e, 1), FC_EVENT_MAX);
	fc_evtset o = {0};
	fc_evtset_add_name(&o, "open");
	cr_assert_eq(nev(e, 2), FC_EVENT_MAX - fc_evtset_count(&o));
	cr_assert_eq(memcmp(&e->comp.rules[3].evts, &o, sizeof o), 0);
	cr_assert_eq(memcmp(&e->comp.rules[4].evts, &o, sizeof o), 0);
	cr_assert(fc_evtset_has(&e->comp.rules[5].evts, 0) && fc_evtset_has(&e->comp.rules[5].evts, 1));
	/* too many event types warns, for the rules b and c only */
	unsigned warned = 0;
	for (const struct fc_diag *d = e->diags.head; d; d = d->next)
		if (d->code == FC_LOAD_NO_EVTTYPE) {
			warned++;
			cr_assert_str_eq(d->msg, "Rule matches too many evt.type values. This has a significant performance penalty.");
		}
	cr_assert_eq(warned, 2);
	done(e);
}

Test(output, formats)
{
	struct fc_arena a = {0};
	struct fc_fmtseg *s;
	uint32_t n, pos = 0;
	char err[512];
	cr_assert(fc_compile_output(&a, "x=%proc.name_x (%fd.name) %20proc.aname[2], %tolower(proc.exe)", &s, &n, err,
				    sizeof err, &pos));
	cr_assert_eq(n, 8);
	cr_assert_str_eq(s[0].lit, "x=");
	cr_assert_str_eq(s[1].expr->str, "proc.name");
	cr_assert_str_eq(s[2].lit, "_x (");
	cr_assert_str_eq(s[3].expr->str, "fd.name");
	cr_assert_eq(s[5].width, 20);
	cr_assert_str_eq(s[5].expr->arg, "2");
	cr_assert_eq(s[7].expr->kind, FC_AST_TRANSFORMER);
	cr_assert(!fc_compile_output(&a, "trailing %", &s, &n, err, sizeof err, &pos));
	cr_assert_str_eq(err, "invalid formatting syntax: formatting cannot end with a %");
	cr_assert(!fc_compile_output(&a, "x %nosuch.field y", &s, &n, err, sizeof err, &pos));
	cr_assert(!strncmp(err, "unknown filter: ", 16), "%s", err);
	cr_assert_eq(pos, 2);
	cr_assert(!fc_compile_output(&a, "ok %proc.name then %tolower(proc.nme)", &s, &n, err, sizeof err, &pos));
	cr_assert_str_eq(err, "unknown filter: filter_check called with nonexistent field proc.nme");
	cr_assert_eq(pos, 19);
	fc_arena_free(&a);
}

/* fuzz_output: a width of 20 digits overflowed an int (UBSan); widths saturate. */
Test(output, huge_width_is_clamped)
{
	struct fc_arena a = {0};
	struct fc_fmtseg *s;
	uint32_t n, pos = 0;
	char err[512];
	cr_assert(fc_compile_output(&a, "%222222222222222222222proc.name %65535fd.name %65536evt.type", &s, &n, err,
				    sizeof err, &pos), "%s", err);
	cr_assert_eq(n, 5);
	cr_assert_eq(s[0].width, FC_OUTPUT_MAX_WIDTH);
	cr_assert_str_eq(s[0].expr->str, "proc.name");
	cr_assert_eq(s[2].width, 65535);
	cr_assert_eq(s[4].width, FC_OUTPUT_MAX_WIDTH);
	fc_arena_free(&a);
}

Test(output, error_is_reported_on_the_output)
{
	struct env *e = build("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: bad %nosuch.x\n  priority: INFO\n");
	const struct fc_diag *d = find(e, FC_LOAD_ERR_COMPILE_OUTPUT);
	cr_assert(d);
	done(e);
}

Test(positions, inside_folded_block_scalar)
{
	struct env *e = build("- rule: r\n  desc: d\n  condition: >\n    evt.type = open\n    and proc.nme = x\n"
			      "  output: o\n  priority: INFO\n");
	const struct fc_diag *d = find(e, FC_LOAD_ERR_COMPILE_CONDITION);
	cr_assert(d);
	cr_assert_eq(d->loc.line, 5, "line %u", d->loc.line);
	cr_assert_eq(d->loc.col, 9, "col %u", d->loc.col);
	done(e);
}

Test(positions, inside_substituted_condition_points_at_list_name)
{
	struct env *e = build("- list: l\n  items: [\"a\\x00b\"]\n" RULE("r", "evt.type = open and proc.name in (l)"));
	/* the NUL item is an error; it is reported at the list reference */
	const struct fc_diag *d = find(e, FC_LOAD_ERR_COMPILE_CONDITION);
	if (d) {
		cr_assert_eq(d->loc.line, 5);
	}
	done(e);
}

Test(diags, one_macro_error_from_many_rules_is_reported_once)
{
	struct fc_buf y = {0};
	fc_buf_puts(&y, "- macro: m\n  condition: evt.type = open and proc.nme = x\n");
	for (int i = 0; i < 20; i++)
		fc_buf_printf(&y, "- rule: r%d\n  desc: d\n  condition: m and proc.name = a%d\n  output: o\n  priority: INFO\n",
			      i, i);
	/* and distinct errors stay distinct: 300 rules with their own bad field */
	for (int i = 0; i < 300; i++)
		fc_buf_printf(&y, "- rule: s%d\n  desc: d\n  condition: evt.type = open and proc.bad%d = 1\n  output: o\n"
				  "  priority: INFO\n", i, i);
	struct env *e = build(y.p);
	fc_buf_free(&y);
	cr_assert_eq(e->diags.nerrors, 301);
	unsigned macro_errs = 0;
	for (const struct fc_diag *d = e->diags.head; d; d = d->next)
		macro_errs += !strcmp(d->msg, "filter_check called with nonexistent field proc.nme");
	cr_assert_eq(macro_errs, 1);
	done(e);
}

Test(srcmap, compose_across_linear_and_fixed_segments)
{
	struct fc_source f = {.name = "f", .text = "0123456789abcdefghij", .len = 20};
	/* inner: text B → file: [0,5) → file 10.., [5,8) fixed at file 2, [8..) → file 0.. */
	struct fc_srcmap in = {0}, out_map = {0}, res = {0};
	fc_srcmap_add(&in, &f, 0, 10, false);
	fc_srcmap_add(&in, &f, 5, 2, true);
	fc_srcmap_add(&in, &f, 8, 0, false);
	/* outer: text C → B: [0,3) fixed at B 6, [3..) → B 1.. (spans all three inner segments) */
	fc_srcmap_add(&out_map, NULL, 0, 6, true);
	fc_srcmap_add(&out_map, NULL, 3, 1, false);
	fc_srcmap_compose(&res, &out_map, &in);
	cr_assert_eq(fc_srcmap_off(&res, 0), 2); /* C0 → B6 (inner fixed) → file 2 */
	cr_assert_eq(fc_srcmap_off(&res, 2), 2);
	cr_assert_eq(fc_srcmap_off(&res, 3), 11); /* C3 → B1 → file 11 */
	cr_assert_eq(fc_srcmap_off(&res, 6), 14); /* C6 → B4 → file 14 */
	cr_assert_eq(fc_srcmap_off(&res, 7), 2);  /* C7 → B5 → fixed 2 */
	cr_assert_eq(fc_srcmap_off(&res, 9), 2);  /* C9 → B7 → fixed 2 */
	cr_assert_eq(fc_srcmap_off(&res, 10), 0); /* C10 → B8 → file 0 */
	cr_assert_eq(fc_srcmap_off(&res, 13), 3);
	struct fc_loc l = fc_srcmap_loc(&res, 13);
	cr_assert_eq(l.src, &f);
	cr_assert_eq(l.col, 4);
	fc_srcmap_free(&in);
	fc_srcmap_free(&out_map);
	fc_srcmap_free(&res);
	free(f.line_off);
}

Test(output, container_info_is_deprecated_and_removed)
{
	struct env *e = build("- rule: r\n  desc: d\n  condition: evt.type = open\n"
			      "  output: x %container.info y %proc.name\n  priority: INFO\n");
	cr_assert(e->ok);
	const struct fc_diag *d = find(e, FC_LOAD_DEPRECATED_ITEM);
	cr_assert(d);
	cr_assert(!strncmp(d->msg, "%container.info is deprecated", 29), "%s", d->msg);
	struct fc_crule *cr = &e->comp.rules[0];
	cr_assert_eq(cr->nout, 2);
	cr_assert_str_eq(cr->out[0].lit, "x  y ");
	cr_assert_str_eq(cr->out[1].expr->str, "proc.name");
	done(e);
}

Test(evttypes, unsupported_evttype_forms_are_errors_once)
{
	struct env *e = build(RULE("a", "evt.type = val(proc.name)") RULE("b", "toupper(evt.type) = OPEN"));
	cr_assert_eq(e->diags.nerrors, 2);
	const struct fc_diag *d = find(e, FC_LOAD_ERR_COMPILE_CONDITION);
	cr_assert_str_eq(d->msg,
			 "right-hand field comparisons on evt.type/syscall.type checks are not supported by event code search");
	cr_assert_str_eq(d->next->msg, "event code search does not support evt.type checks with transformers");
	done(e);
}

/* ------------------------------------------------------------------ expansion budget */

/* Found reviewing macro inlining and list substitution for hostile input: each macro using the
 * previous one twice doubles the inlined AST (2 KB of YAML took 4 GB and did not finish), and
 * a big list used by many rules is substituted into each (1 MB of YAML took 9 GB). Both stop
 * at the ruleset's expansion budget with an error on the conditions that do not fit. */
static struct env *build_limited(const char *yaml, uint64_t limit)
{
	struct env *e = calloc(1, sizeof(*e));
	fc_diags_init(&e->diags, &e->arena);
	fc_ruleset_init(&e->rs, &e->arena, &e->diags);
	cr_assert_eq(e->rs.max_expansion, FC_MAX_EXPANSION);
	if (limit)
		e->rs.max_expansion = limit;
	e->diags.file = "t.yaml";
	fc_ruleset_load_text(&e->rs, "t.yaml", yaml, strlen(yaml));
	e->ok = fc_compile(&e->rs, &e->comp) && e->diags.nerrors == 0;
	return e;
}

Test(expansion, exponential_macros_stop_at_the_budget)
{
	struct fc_buf b = {0};
	fc_buf_puts(&b, "- macro: m0\n  condition: proc.name = a\n");
	for (int i = 1; i <= 40; i++)
		fc_buf_printf(&b, "- macro: m%d\n  condition: m%d and m%d\n", i, i - 1, i - 1);
	fc_buf_puts(&b, RULE("r", "evt.type = open and m40"));
	struct env *e = build_limited(b.p, 4u << 20);
	cr_assert(!e->ok);
	const struct fc_diag *d = find(e, FC_LOAD_ERR_COMPILE_CONDITION);
	cr_assert(d);
	cr_assert(strstr(d->msg, "does not fit in the expansion limit of the ruleset's conditions (4 MiB)"), "%s", d->msg);
	cr_assert(!e->comp.rules[0].ok);
	cr_assert_leq(e->rs.expanded, 4u << 20);
	cr_assert_lt(e->arena.total, 16u << 20, "arena grew to %zu", e->arena.total);
	done(e);
	fc_buf_free(&b);
}

Test(expansion, quadratic_list_substitution_stops_at_the_budget)
{
	struct fc_buf b = {0};
	fc_buf_puts(&b, "- list: l\n  items: [");
	for (int i = 0; i < 20000; i++)
		fc_buf_printf(&b, "%si%d", i ? ", " : "", i);
	fc_buf_puts(&b, "]\n");
	for (int r = 0; r < 200; r++)
		fc_buf_printf(&b, "- rule: r%d\n  desc: d\n  condition: evt.type = open and proc.name in (l)\n"
				  "  output: o\n  priority: INFO\n", r);
	struct env *e = build_limited(b.p, 16u << 20);
	cr_assert(!e->ok);
	cr_assert(e->comp.rules[0].ok, "the first rules fit");
	cr_assert(!e->comp.rules[199].ok);
	const struct fc_diag *d = find(e, FC_LOAD_ERR_COMPILE_CONDITION);
	cr_assert(d);
	cr_assert_str_eq(d->msg, "condition does not fit in the expansion limit of the ruleset's conditions (16 MiB) after "
				 "list substitution");
	cr_assert(d->loc.line > 5 && d->loc.line % 5 == 0, "at line %u: a rule's condition", d->loc.line);
	cr_assert_lt(e->arena.total, 64u << 20, "arena grew to %zu", e->arena.total);
	done(e);
	fc_buf_free(&b);
}

Test(expansion, default_ruleset_uses_little_of_the_budget)
{
	FILE *f = fopen(FC_SOURCE_DIR "/rules/falcod_rules.yaml", "rb");
	cr_assert(f);
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = 0;
	struct env *e = build_limited(text, 0);
	cr_assert(e->ok);
	cr_assert_gt(e->rs.expanded, 0);
	cr_assert_lt(e->rs.expanded, FC_MAX_EXPANSION / 64, "default ruleset charged %llu bytes",
		     (unsigned long long)e->rs.expanded);
	done(e);
}
