/* test_loader.c — the rules loader (compiler/yamlload.c, compiler/collect.c) against
 * LANGUAGE.md §9/§10: every reader and collector rule with its exact upstream message, code,
 * position and context chain; multi-document files; several files in order (append, override,
 * enable, redefinition across files); the exception condition text of §1.1/§9.6; maps from
 * scalar bytes back to the file through folded/literal/quoted/plain scalars; hostile inputs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define FIX FC_SOURCE_DIR "/tests/loader/"

struct env {
	struct fc_arena arena;
	struct fc_diags diags;
	struct fc_ruleset rs;
	bool ok;
};

static struct env *env_new(void)
{
	struct env *e = calloc(1, sizeof(*e));
	fc_diags_init(&e->diags, &e->arena);
	fc_ruleset_init(&e->rs, &e->arena, &e->diags);
	return e;
}

static struct env *load_len(const char *yaml, size_t len)
{
	struct env *e = env_new();
	e->diags.file = "t.yaml";
	e->ok = fc_ruleset_load_text(&e->rs, "t.yaml", yaml, len);
	return e;
}

static struct env *load(const char *yaml)
{
	return load_len(yaml, strlen(yaml));
}

static bool load_more(struct env *e, const char *file)
{
	e->diags.file = file;
	return fc_ruleset_load_file(&e->rs, file);
}

static void done(struct env *e)
{
	fc_ruleset_free(&e->rs);
	fc_arena_free(&e->arena);
	free(e);
}

static void dump(struct env *e)
{
	for (const struct fc_diag *d = e->diags.head; d; d = d->next)
		fc_diag_print_falco(stderr, d);
}

static const struct fc_diag *find_msg(struct env *e, enum fc_diag_code code, const char *msg)
{
	for (const struct fc_diag *d = e->diags.head; d; d = d->next)
		if (d->code == code && (!msg || !strcmp(d->msg, msg)))
			return d;
	return NULL;
}

/* Asserts a diagnostic CODE with exactly MSG exists at LINE:COL (1-based; 0:0 skips). */
#define expect_diag(env_, code_, msg_, ln_, cl_)                                                                          \
	do {                                                                                                      \
		const struct fc_diag *d_ = find_msg((env_), (code_), (msg_));                                         \
		if (!d_)                                                                                          \
			dump(env_);                                                                                  \
		cr_assert(d_, "no %s diagnostic \"%s\"", fc_diag_code_name(code_), (msg_) ? (msg_) : "");         \
		if ((ln_)) {                                                                                      \
			cr_assert_eq(d_->loc.line, (unsigned)(ln_), "\"%s\": line %u, expected %u", d_->msg,     \
				     d_->loc.line, (unsigned)(ln_));                                             \
			cr_assert_eq(d_->loc.col, (unsigned)(cl_), "\"%s\": col %u, expected %u", d_->msg,       \
				     d_->loc.col, (unsigned)(cl_));                                               \
		}                                                                                                 \
	} while (0)

static unsigned count(struct env *e, enum fc_diag_code code)
{
	unsigned n = 0;
	for (const struct fc_diag *d = e->diags.head; d; d = d->next)
		n += d->code == code;
	return n;
}

/* Asserts the context chain of D: "type 'name' line:col" per frame (Falco's 0-based view is
 * line-1:col-1; we keep 1-based fc_loc and the root frame at 0:0). */
static void expect_frames(const struct fc_diag *d, const char *const *want)
{
	unsigned i = 0;
	for (; want[i]; i++) {
		cr_assert_lt(i, d->nframes, "missing frame %u (%s)", i, want[i]);
		const struct fc_ctx *c = d->frames[i];
		char got[256];
		if (c->item_name && *c->item_name)
			snprintf(got, sizeof got, "%s '%s' %u:%u", c->item_type, c->item_name, c->loc.line, c->loc.col);
		else
			snprintf(got, sizeof got, "%s %u:%u", c->item_type, c->loc.line, c->loc.col);
		cr_assert_str_eq(got, want[i], "frame %u", i);
	}
	cr_assert_eq(i, d->nframes, "%u frames, expected %u", d->nframes, i);
}

static const char *cond_text(struct env *e, const char *rule)
{
	struct fc_rule *r = fc_ruleset_rule(&e->rs, rule);
	cr_assert(r, "no rule %s", rule);
	struct fc_text t;
	fc_rule_condition_text(&e->rs, r, &t);
	return t.s;
}

/* Position in the file of byte OFF of text T. */
static void expect_map(const struct fc_text *t, uint32_t off, unsigned line, unsigned col)
{
	struct fc_loc l = fc_srcmap_loc(&t->map, off);
	cr_assert_eq(l.line, line, "offset %u ('%.8s'): line %u, expected %u", off, t->s + off, l.line, line);
	cr_assert_eq(l.col, col, "offset %u ('%.8s'): col %u, expected %u", off, t->s + off, l.col, col);
}

/* The offset of TOKEN (Nth occurrence, 0-based) in T. */
static uint32_t at(const struct fc_text *t, const char *token, int nth)
{
	const char *p = t->s;
	for (;;) {
		p = strstr(p, token);
		cr_assert(p, "'%s' not in '%s'", token, t->s);
		if (nth-- == 0)
			return (uint32_t)(p - t->s);
		p++;
	}
}

/* ================================================================== document structure */

Test(document, several_documents_null_documents_null_entries)
{
	struct env *e = load("---\n- list: a\n  items: [x]\n---\n---\n# only a comment\n---\n- list: b\n  items: [y]\n-\n- ~\n");
	cr_assert(e->ok);
	cr_assert_eq(e->rs.nlists, 2);
	cr_assert_str_eq(e->rs.lists[1]->name, "b");
	cr_assert_eq(e->diags.nerrors + e->diags.nwarnings, 0);
	done(e);
}

Test(document, not_a_sequence)
{
	struct env *e = load("rule: x\n");
	cr_assert(!e->ok);
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Rules content is not yaml array of objects", 1, 1);
	const char *root[] = {"rules content 0:0", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), root);
	done(e);
	e = load("just a scalar\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Rules content is not yaml", 1, 1);
	done(e);
}

Test(document, entry_not_a_map)
{
	struct env *e = load("- list: a\n  items: [x]\n- [a, b]\n");
	cr_assert(!e->ok);
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Unexpected element type. Each element should be a yaml associative array.",
	       3, 3);
	const char *fr[] = {"rules content 0:0", "rules content item 3:3", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr);
	cr_assert_eq(e->rs.nlists, 1);
	done(e);
}

Test(document, unknown_item_and_unknown_key)
{
	struct env *e = load("- foo: bar\n- list: a\n  items: [x]\n  colour: red\n");
	cr_assert(e->ok);
	expect_diag(e, FC_LOAD_UNKNOWN_ITEM, "Unknown top level item", 1, 3);
	expect_diag(e, FC_LOAD_UNKNOWN_KEY, "Unknown key 'colour'. The key will be ignored.", 4, 3);
	done(e);
}

Test(document, stops_at_first_error_of_a_file)
{
	struct env *e = env_new();
	cr_assert(!load_more(e, FIX "broken.yaml"));
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE,
	       "Invalid override operation for key 'condition': 'prepend'. Allowed values are: append replace ", 8, 16);
	cr_assert(fc_ruleset_list(&e->rs, "kept_list"));
	cr_assert(!fc_ruleset_list(&e->rs, "never_read"));
	cr_assert_eq(e->diags.nerrors, 1);
	/* the next file is still read */
	cr_assert(load_more(e, FIX "base.yaml"));
	cr_assert(fc_ruleset_rule(&e->rs, "shell spawned"));
	cr_assert_eq(e->rs.nfiles, 2);
	done(e);
}

/* ================================================================== decode_val messages */

Test(decode, no_mapping_for_key)
{
	struct env *e = load("- rule: r\n  desc: d\n  output: o\n  priority: INFO\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Item has no mapping for key 'condition'", 1, 3);
	const char *fr[] = {"rules content 0:0", "rule 'r' 1:3", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr);
	done(e);
}

Test(decode, mapping_is_empty)
{
	struct env *e = load("- rule: r\n  desc:\n  condition: evt.type = open\n  output: o\n  priority: INFO\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Mapping for key 'desc' is empty", 1, 3);
	done(e);
	e = load("- macro: m\n  condition: ~\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Mapping for key 'condition' is empty", 1, 3);
	done(e);
	e = load("- rule:\n  desc: d\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Mapping for key 'rule' is empty", 1, 3);
	const char *fr[] = {"rules content 0:0", "rule 1:3", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr);
	done(e);
}

Test(decode, not_a_scalar)
{
	struct env *e = load("- macro: m\n  condition: [a, b]\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Value is not a scalar value", 2, 14);
	const char *fr[] = {"rules content 0:0", "macro 'm' 1:3", "value for 'condition' 2:14", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr);
	done(e);
}

Test(decode, non_empty)
{
	struct env *e = load("- macro: m\n  condition: \"\"\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Value must be non-empty", 2, 14);
	done(e);
}

Test(decode, cant_decode)
{
	struct env *e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  enabled: maybe\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Can't decode YAML scalar value", 6, 12);
	const char *fr[] = {"rules content 0:0", "rule 'r' 1:3", "value for 'enabled' 6:12", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr);
	done(e);
	/* yaml-cpp's booleans: y/n yes/no true/false on/off in lower, UPPER or Capitalised case */
	e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  enabled: Off\n  "
		 "warn_evttypes: NO\n  skip-if-unknown-filter: y\n  capture: True\n  capture_duration: 0x10\n");
	cr_assert(e->ok);
	struct fc_rule *r = fc_ruleset_rule(&e->rs, "r");
	cr_assert(!r->enabled && !r->warn_evttypes && r->skip_if_unknown_filter && r->capture);
	cr_assert_eq(r->capture_duration, 16);
	done(e);
	e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  enabled: tRUE\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Can't decode YAML scalar value", 6, 12);
	done(e);
	e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  capture_duration: -5\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Can't decode YAML scalar value", 6, 21);
	done(e);
}

Test(decode, sequences)
{
	struct env *e = load("- list: l\n  items: a\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Value is not a sequence", 2, 10);
	done(e);
	e = load("- list: l\n  items:\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Value is not a sequence", 2, 9);
	done(e);
	e = load("- list: l\n  items: [a, [b]]\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "sequence value is not scalar", 2, 14);
	const char *fr[] = {"rules content 0:0", "list 'l' 1:3", "value for 'items' 2:10", "list item 2:14", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr);
	done(e);
	/* a null item is not a scalar for yaml-cpp; an empty string is */
	e = load("- list: l\n  items: [a, ~]\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "sequence value is not scalar", 2, 14);
	done(e);
	e = load("- list: l\n  items: [a, \"\", 22]\n");
	cr_assert(e->ok);
	cr_assert_eq(e->rs.lists[0]->nitems, 3);
	cr_assert_str_eq(e->rs.lists[0]->items[2].s, "22");
	done(e);
	e = load("- list: l\n  items: []\n- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  tags: t\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Value is not a sequence", 8, 9);
	done(e);
}

/* ================================================================== YAML syntax */

Test(yaml, tab_indentation)
{
	struct env *e = env_new();
	cr_assert(!load_more(e, FIX "tab.yaml"));
	expect_diag(e, FC_LOAD_ERR_YAML_PARSE, "found a tab character that violates indentation", 3, 1);
	const struct fc_diag *d = find_msg(e, FC_LOAD_ERR_YAML_PARSE, NULL);
	const char *fr[] = {"rules content 0:0", "value for 3:1", NULL};
	expect_frames(d, fr);
	cr_assert_eq(e->rs.nrules, 0);
	done(e);
}

Test(yaml, error_in_a_later_document_rejects_the_file)
{
	/* yaml-cpp's LoadAll parses every document before any item is read */
	struct env *e = load("- list: a\n  items: [x]\n---\n- list: b\n  items: [y\n");
	cr_assert(!e->ok);
	cr_assert_eq(e->rs.nlists, 0);
	cr_assert_eq(count(e, FC_LOAD_ERR_YAML_PARSE), 1);
	done(e);
}

Test(yaml, truncated)
{
	const char *y = "- rule: r\n  desc: \"unterminated\n";
	struct env *e = load(y);
	cr_assert(!e->ok);
	const struct fc_diag *d = find_msg(e, FC_LOAD_ERR_YAML_PARSE, NULL);
	cr_assert(d);
	cr_assert_str_eq(d->msg, "found unexpected end of stream");
	cr_assert_eq(d->loc.line, 3);
	done(e);
	e = load("- list: l\n  items: [a, b\n");
	cr_assert(!e->ok && count(e, FC_LOAD_ERR_YAML_PARSE) == 1);
	done(e);
	e = load("- macro: m\n  condition: {a: \n");
	cr_assert(!e->ok && count(e, FC_LOAD_ERR_YAML_PARSE) == 1);
	done(e);
}

Test(yaml, binary_garbage_and_bad_utf8)
{
	unsigned char junk[4096];
	unsigned s = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		s = s * 1103515245u + 12345u;
		junk[i] = (unsigned char)(s >> 16);
	}
	struct env *e = load_len((const char *)junk, sizeof junk);
	cr_assert(!e->ok);
	cr_assert_eq(count(e, FC_LOAD_ERR_YAML_PARSE), 1);
	done(e);
	/* invalid UTF-8 in a value: a reader error at the byte offset */
	e = load("- list: l\n  items: [a\xff]\n");
	expect_diag(e, FC_LOAD_ERR_YAML_PARSE, "invalid leading UTF-8 octet", 2, 12);
	done(e);
	/* NUL bytes */
	e = load_len("- list: l\n  items: [a\0b]\n", 25);
	cr_assert(!e->ok && count(e, FC_LOAD_ERR_YAML_PARSE) == 1);
	done(e);
}

Test(yaml, empty_and_comment_only)
{
	struct env *e = load("");
	cr_assert(e->ok);
	cr_assert_eq(e->diags.nerrors + e->diags.nwarnings, 0);
	done(e);
	e = load("# nothing here\n\n");
	cr_assert(e->ok);
	done(e);
	e = load("---\n...\n");
	cr_assert(e->ok);
	done(e);
}

Test(yaml, huge_scalar_and_deep_nesting)
{
	size_t n = 1 << 20;
	char *y = malloc(n + 64);
	int k = sprintf(y, "- macro: m\n  condition: ");
	memset(y + k, 'a', n);
	strcpy(y + k + n, "\n");
	struct env *e = load(y);
	cr_assert(e->ok);
	cr_assert_eq(fc_ruleset_macro(&e->rs, "m")->cond.len, n);
	expect_map(&fc_ruleset_macro(&e->rs, "m")->cond, (uint32_t)n - 1, 2, 14 + (unsigned)n - 1);
	done(e);
	/* 200k nested flow sequences as list items and as exception values */
	size_t depth = 200000;
	char *z = malloc(2 * depth + 256);
	k = sprintf(z, "- list: l\n  items: ");
	for (size_t i = 0; i < depth; i++)
		z[k++] = '[';
	for (size_t i = 0; i < depth; i++)
		z[k++] = ']';
	strcpy(z + k, "\n");
	e = load(z);
	cr_assert(!e->ok);
	done(e);
	k = sprintf(z, "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  exceptions:\n"
		       "  - name: e\n    fields: [proc.name]\n    values: ");
	for (size_t i = 0; i < depth; i++)
		z[k++] = '[';
	for (size_t i = 0; i < depth; i++)
		z[k++] = ']';
	strcpy(z + k, "\n");
	e = load(z);
	cr_assert(e->ok || e->diags.nerrors);
	fc_ruleset_rule(&e->rs, "r") ? (void)cond_text(e, "r") : (void)0;
	done(e);
	free(z);
	free(y);
}

/* Hostile anchors/aliases (found reviewing alias handling, not yet by the fuzzer): a cyclic alias
 * under an exception's values made the bounded deep walk exponential (2^64 steps: a hang), and
 * 20,000 aliases of a 200 KB scalar copied 4 GB. Both are refused at load now, with the
 * position of the node; legitimate anchors keep working. */
Test(yaml, cyclic_alias_is_refused)
{
	static const char *const docs[] = {
		"- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n"
		"  exceptions:\n  - name: e\n    fields: [proc.name]\n    values: &a [*a, *a]\n",
		"- list: l\n  items: &a [*a, x]\n",
		"- &a {rule: r, desc: *a, condition: *a, output: o, priority: INFO}\n",
		"&a [*a]\n",
	};
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
		struct env *e = load(docs[i]);
		cr_assert(!e->ok, "doc %zu loaded", i);
		cr_assert_eq(e->diags.nerrors, 1);
		cr_assert_eq(e->diags.head->code, FC_LOAD_ERR_YAML_PARSE);
		cr_assert_str_eq(e->diags.head->msg, "an alias refers to a node that contains it");
		done(e);
	}
	struct env *e = load(docs[0]);
	cr_assert_eq(e->diags.head->loc.line, 9);
	cr_assert_eq(e->diags.head->loc.col, 13);
	done(e);
}

Test(yaml, alias_amplification_is_refused)
{
	size_t big = 200000, n = 20000;
	char *y = malloc(big + 4 * n + 128);
	int k = sprintf(y, "- list: big\n  items: [&b ");
	memset(y + k, 'x', big);
	k += (int)big;
	k += sprintf(y + k, "]\n- list: l\n  items: [");
	for (size_t i = 0; i < n; i++)
		k += sprintf(y + k, "%s*b", i ? ", " : "");
	strcpy(y + k, "]\n");
	struct env *e = load(y);
	cr_assert(!e->ok);
	cr_assert_eq(e->diags.nerrors, 1);
	cr_assert(strstr(e->diags.head->msg, "aliases unfold the document to more than"), "%s", e->diags.head->msg);
	cr_assert_eq(e->diags.head->loc.line, 2);
	done(e);
	free(y);
}

Test(yaml, aliases_within_bounds_load)
{
	struct env *e = load("- list: a\n  items: &common [bash, sh]\n- list: b\n  items: *common\n"
			     "- rule: r\n  desc: &d a description\n  condition: proc.name in (a, b)\n  output: *d\n"
			     "  priority: INFO\n  exceptions:\n  - name: e\n    fields: [proc.name]\n"
			     "    values: [*common, *common]\n");
	if (!e->ok)
		dump(e);
	cr_assert(e->ok);
	cr_assert_eq(fc_ruleset_list(&e->rs, "b")->nitems, 2);
	cr_assert_str_eq(fc_ruleset_rule(&e->rs, "r")->output.s, "a description");
	cr_assert_eq(fc_ruleset_rule(&e->rs, "r")->exceptions[0].nvalues, 2);
	done(e);
}

/* ================================================================== versions */

Test(versions, engine_version)
{
	struct env *e = load("- required_engine_version: 0.26.0\n- required_engine_version: 26\n"
			     "- required_engine_version: 0.57.0\n");
	cr_assert(e->ok);
	cr_assert_str_eq(e->rs.required_engine, "0.57.0");
	done(e);
	e = load("- required_engine_version: seven\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE,
	       "Unable to parse engine version 'seven' as a semver string. Expected \"x.y.z\" semver format.", 1, 3);
	const char *fr[] = {"rules content 0:0", "required_engine_version 1:3", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr);
	done(e);
	e = load("- required_engine_version: 0.99.0\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Rules require engine version 0.99.0, but engine version is 0.62.0", 1, 3);
	done(e);
	e = load("- required_engine_version: 99\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Rules require engine version 0.99.0, but engine version is 0.62.0", 1, 3);
	done(e);
	e = load("- required_engine_version: 1.0.0\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Rules require engine version 1.0.0, but engine version is 0.62.0", 1, 3);
	done(e);
	e = load("- required_engine_version:\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Mapping for key 'required_engine_version' is empty", 1, 3);
	done(e);
}

Test(versions, plugin_versions)
{
	char err[256];
	struct env *e = load("- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n");
	cr_assert(e->ok);
	cr_assert_eq(e->rs.nplugins, 1);
	cr_assert_str_eq(e->rs.plugins[0].name, "container");
	cr_assert(fc_ruleset_check_plugins(&e->rs, err, sizeof err));
	done(e);
	e = load("- required_plugin_versions:\n  - name: k8saudit\n    version: 0.7.0\n    alternatives:\n"
		 "      - name: k8saudit-eks\n        version: 0.4.0\n");
	cr_assert(e->ok);
	cr_assert(!fc_ruleset_check_plugins(&e->rs, err, sizeof err));
	cr_assert_str_eq(err, "Plugin requirement not satisfied, must load one of: k8saudit (>= 0.7.0), k8saudit-eks (>= 0.4.0)");
	done(e);
	e = load("- required_plugin_versions:\n  - name: json\n    version: latest\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Invalid required version 'latest' for plugin 'json'", 2, 5);
	const char *fr[] = {"rules content 0:0", "required plugin versions 2:3", "required plugin versions entry 'json' 2:5",
			    NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_VALIDATE, NULL), fr);
	done(e);
	e = load("- required_plugin_versions:\n  - name: a\n    version: 1.0.0\n    alternatives:\n"
		 "      - name: a\n        version: 2.0.0\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Defined multiple alternative version requirements for plugin 'a'", 2, 5);
	done(e);
	e = load("- required_plugin_versions: container\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Value of required_plugin_versions must be a sequence", 1, 29);
	done(e);
	e = load("- required_plugin_versions:\n  - container\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Plugin version must be a mapping", 2, 5);
	done(e);
	e = load("- required_plugin_versions:\n  - name: c\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Item has no mapping for key 'version'", 2, 5);
	done(e);
	e = load("- required_plugin_versions:\n  - name: c\n    version: 1.0.0\n    alternatives: x\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Value of plugin version alternatives must be a sequence", 2, 5);
	done(e);
	e = load("- required_plugin_versions:\n  - name: c\n    version: 1.0.0\n    alternatives: [x]\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Plugin version alternative must be a mapping", 4, 20);
	done(e);
}

/* ================================================================== lists */

Test(lists, invalid_name)
{
	struct env *e = load("- list: \"my list\"\n  items: [a]\n");
	cr_assert(e->ok);
	expect_diag(e, FC_LOAD_INVALID_LIST_NAME,
	       "List has an invalid name. List names should match a regular expression: ([^()\"'[:space:]=,]+)", 1, 3);
	done(e);
}

Test(lists, expansion_of_earlier_lists)
{
	struct env *e = load("- list: a\n  items: [x, y]\n- list: b\n  items: [a, z, c]\n- list: c\n  items: [w]\n"
			     "- list: d\n  items: [b]\n");
	cr_assert(e->ok);
	struct fc_list *b = fc_ruleset_list(&e->rs, "b"), *d = fc_ruleset_list(&e->rs, "d");
	/* a (earlier) is expanded in place; c (later) stays a literal */
	cr_assert_eq(b->nitems, 4);
	cr_assert_str_eq(b->items[0].s, "x");
	cr_assert_str_eq(b->items[1].s, "y");
	cr_assert_str_eq(b->items[2].s, "z");
	cr_assert_str_eq(b->items[3].s, "c");
	/* one level only, with the referenced list's items as written (upstream) */
	cr_assert_eq(d->nitems, 3);
	cr_assert_str_eq(d->items[0].s, "a");
	cr_assert(fc_ruleset_list(&e->rs, "a")->used && b->used);
	cr_assert(!fc_ruleset_list(&e->rs, "c")->used && !d->used);
	/* expanded items keep their own positions */
	expect_map(&b->items[0], 0, 2, 11);
	done(e);
}

Test(lists, append_and_override)
{
	struct env *e = load("- list: l\n  items: [a]\n- list: m\n  items: [l]\n- list: l\n  items: [b]\n"
			     "  override:\n    items: append\n- list: l\n  items: [c]\n  append: true\n");
	cr_assert(e->ok);
	struct fc_list *l = fc_ruleset_list(&e->rs, "l");
	cr_assert_eq(l->nitems, 3);
	cr_assert_str_eq(l->items[2].s, "c");
	cr_assert_eq(l->index, 0);
	cr_assert_eq(l->visibility, 3);
	/* m was expanded with l's final items (upstream compiles after the whole file) */
	cr_assert_eq(fc_ruleset_list(&e->rs, "m")->nitems, 3);
	expect_diag(e, FC_LOAD_DEPRECATED_ITEM,
	       "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
	       9, 3);
	done(e);
}

Test(lists, append_without_previous)
{
	struct env *e = load("- list: l\n  items: [a]\n  override:\n    items: append\n- list: l\n  items: [b]\n");
	cr_assert(!e->ok);
	expect_diag(e, FC_LOAD_ERR_VALIDATE,
	       "List uses 'append' or 'override.items: append' but no list by that name already exists", 1, 3);
	done(e);
	/* override replace before any definition simply defines */
	e = load("- list: l\n  items: [a]\n  override:\n    items: replace\n- list: l\n  items: [b]\n");
	cr_assert(e->ok);
	cr_assert_str_eq(fc_ruleset_list(&e->rs, "l")->items[0].s, "b");
	cr_assert_eq(e->rs.nlists, 1);
	done(e);
}

Test(lists, override_and_append_together)
{
	struct env *e = load("- list: l\n  items: [a]\n- list: l\n  items: [b]\n  append: true\n  override:\n    items: append\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE,
	       "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: "
	       "append') under 'override' instead.",
	       3, 3);
	done(e);
}

Test(lists, ten_thousand_items)
{
	struct fc_buf b = {0};
	fc_buf_puts(&b, "- list: big\n  items: [");
	for (int i = 0; i < 10000; i++)
		fc_buf_printf(&b, "%s/usr/bin/tool%d", i ? ", " : "", i);
	fc_buf_puts(&b, "]\n- list: big2\n  items: [big, extra]\n");
	struct env *e = load(b.p);
	cr_assert(e->ok);
	cr_assert_eq(fc_ruleset_list(&e->rs, "big")->nitems, 10000);
	cr_assert_eq(fc_ruleset_list(&e->rs, "big2")->nitems, 10001);
	struct fc_list *l = fc_ruleset_list(&e->rs, "big");
	expect_map(&l->items[9999], 0, 2, (unsigned)(strstr(b.p, "/usr/bin/tool9999") - b.p) - 12 + 1);
	done(e);
	fc_buf_free(&b);
}

/* ================================================================== macros */

Test(macros, invalid_name)
{
	struct env *e = load("- macro: 1bad\n  condition: a\n");
	cr_assert(e->ok);
	expect_diag(e, FC_LOAD_INVALID_MACRO_NAME,
	       "Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)", 1,
	       3);
	done(e);
	e = load("- macro: _bad\n  condition: a\n- macro: ok_1\n  condition: a\n");
	cr_assert_eq(count(e, FC_LOAD_INVALID_MACRO_NAME), 1);
	done(e);
}

Test(macros, textual_append_keeps_positions)
{
	struct env *e = load("- macro: m\n  condition: evt.type = open\n- macro: m\n  condition: or evt.type = openat\n"
			     "  override:\n    condition: append\n- macro: m\n  condition: or evt.type = close\n  append: true\n");
	cr_assert(e->ok);
	struct fc_macro *m = fc_ruleset_macro(&e->rs, "m");
	cr_assert_str_eq(m->cond.s, "evt.type = open or evt.type = openat or evt.type = close");
	cr_assert_eq(m->index, 0);
	cr_assert_eq(m->visibility, 2);
	expect_map(&m->cond, 0, 2, 14);
	expect_map(&m->cond, at(&m->cond, "openat", 0), 4, 28);
	expect_map(&m->cond, at(&m->cond, "close", 0), 8, 28);
	/* the "rule condition" position stays the first definition's */
	cr_assert_eq(m->cond.loc.line, 2);
	done(e);
}

Test(macros, append_without_previous)
{
	struct env *e = load("- macro: m\n  condition: or a\n  append: true\n- macro: m\n  condition: b\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE,
	       "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists", 1, 3);
	done(e);
	e = load("- macro: m\n  condition: or a\n  override:\n    condition: replace\n- macro: m\n  condition: b\n");
	cr_assert(e->ok);
	cr_assert_str_eq(fc_ruleset_macro(&e->rs, "m")->cond.s, "b");
	done(e);
}

/* ================================================================== rules */

Test(rules, required_keys_in_order)
{
	struct env *e = load("- rule: r\n  condition: c\n  priority: INFO\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Item has no mapping for key 'output'", 1, 3);
	done(e);
	e = load("- rule: r\n  condition: c\n  output: o\n  priority: INFO\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Item has no mapping for key 'desc'", 1, 3);
	done(e);
	e = load("- rule: r\n  condition: c\n  output: o\n  desc: d\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Item has no mapping for key 'priority'", 1, 3);
	done(e);
}

Test(rules, priorities)
{
	static const struct {
		const char *text;
		enum fc_priority p;
	} ok[] = {{"EMERGENCY", FC_PRIO_EMERGENCY}, {"alert", FC_PRIO_ALERT},   {"Critical", FC_PRIO_CRITICAL},
		  {"eRRor", FC_PRIO_ERROR},         {"WARNING", FC_PRIO_WARNING}, {"notice", FC_PRIO_NOTICE},
		  {"INFO", FC_PRIO_INFORMATIONAL},  {"informational", FC_PRIO_INFORMATIONAL},
		  {"Debug", FC_PRIO_DEBUG}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char y[256];
		snprintf(y, sizeof y, "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: %s\n", ok[i].text);
		struct env *e = load(y);
		cr_assert(e->ok, "%s", ok[i].text);
		cr_assert_eq(fc_ruleset_rule(&e->rs, "r")->priority, ok[i].p);
		done(e);
	}
	cr_assert_str_eq(fc_priority_name(FC_PRIO_INFORMATIONAL), "Informational");
	struct env *e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: LOUD\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Invalid priority", 5, 13);
	const char *fr[] = {"rules content 0:0", "rule 'r' 1:3", "rule priority 5:13", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr);
	done(e);
}

Test(rules, defaults_output_trim_contexts)
{
	struct env *e = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: >\n    hello %proc.name\n"
			     "  priority: INFO\n");
	cr_assert(e->ok);
	struct fc_rule *r = fc_ruleset_rule(&e->rs, "r");
	cr_assert_str_eq(r->source, "syscall");
	cr_assert(r->enabled && r->warn_evttypes && !r->skip_if_unknown_filter && !r->capture);
	cr_assert_eq(r->capture_duration, 0);
	cr_assert_eq(r->ntags, 0);
	cr_assert_str_eq(r->output.s, "hello %proc.name"); /* trimmed */
	expect_map(&r->output, at(&r->output, "%proc", 0), 5, 11);
	cr_assert_str_eq(r->ctx.item_type, "rule");
	cr_assert_str_eq(r->ctx.item_name, "r");
	cr_assert_eq(r->ctx.loc.line, 1);
	cr_assert_eq(r->ctx.loc.col, 3);
	cr_assert_str_eq(r->ctx.parent->item_type, "rules content");
	cr_assert_eq(r->ctx.parent->loc.line, 0);
	cr_assert_str_eq(r->cond_ctx.item_type, "rule condition");
	cr_assert_eq(r->cond_ctx.parent, &r->ctx);
	cr_assert_eq(r->cond_ctx.loc.line, 3);
	cr_assert_eq(r->cond_ctx.loc.col, 14);
	cr_assert_str_eq(r->out_ctx.item_type, "rule output");
	cr_assert_eq(r->out_ctx.loc.line, 4);
	cr_assert_eq(r->out_ctx.loc.col, 11);
	done(e);
}

Test(rules, unknown_source)
{
	struct env *e = load("- rule: r\n  desc: d\n  condition: ka.verb = get\n  output: o\n  priority: INFO\n"
			     "  source: k8s_audit\n- rule: r\n  condition: and ka.user.name = x\n  override:\n    condition: append\n");
	cr_assert(e->ok);
	expect_diag(e, FC_LOAD_UNKNOWN_SOURCE, "Unknown source k8s_audit, skipping", 1, 3);
	/* kept, so appends stay legal; the compiler skips it */
	cr_assert_str_eq(fc_ruleset_rule(&e->rs, "r")->source, "k8s_audit");
	done(e);
}

Test(rules, tags_are_a_set)
{
	struct env *e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  tags: [b, a, b]\n"
			     "- rule: r\n  tags: [c, a]\n  override:\n    tags: append\n");
	cr_assert(e->ok);
	struct fc_rule *r = fc_ruleset_rule(&e->rs, "r");
	cr_assert_eq(r->ntags, 3);
	cr_assert_str_eq(r->tags[0], "a");
	cr_assert_str_eq(r->tags[1], "b");
	cr_assert_str_eq(r->tags[2], "c");
	done(e);
}

Test(rules, legacy_append)
{
	struct env *e = load("- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n"
			     "  enabled: false\n- rule: r\n  condition: and proc.name = cat\n  append: true\n  enabled: true\n"
			     "  output: ignored\n");
	cr_assert(e->ok);
	expect_diag(e, FC_LOAD_DEPRECATED_ITEM,
	       "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
	       7, 3);
	struct fc_rule *r = fc_ruleset_rule(&e->rs, "r");
	cr_assert_str_eq(r->cond.s, "evt.type=open and proc.name = cat");
	cr_assert_str_eq(r->output.s, "o");
	cr_assert(!r->enabled); /* `enabled` is ignored by an append */
	expect_map(&r->cond, at(&r->cond, "proc", 0), 8, 18);
	done(e);
	e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n- rule: r\n  append: true\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Appended rule must have exceptions or condition property", 6, 3);
	done(e);
	e = load("- rule: r\n  condition: and c\n  append: true\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE,
	       "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists", 1, 3);
	done(e);
}

Test(rules, override_append_and_replace)
{
	struct env *e = load("- rule: r\n  desc: legit rule description\n  condition: evt.type = close\n"
			     "  output: user=%user.name\n  priority: INFO\n"
			     "- rule: r\n  desc: a replaced legit description\n  condition: and proc.name = cat\n"
			     "  output: proc=%proc.name\n  priority: WARNING\n  override:\n    desc: replace\n"
			     "    condition: append\n    output: append\n    priority: replace\n");
	cr_assert(e->ok);
	cr_assert_eq(count(e, FC_LOAD_DEPRECATED_ITEM), 0);
	struct fc_rule *r = fc_ruleset_rule(&e->rs, "r");
	cr_assert_str_eq(r->cond.s, "evt.type = close and proc.name = cat");
	cr_assert_str_eq(r->output.s, "user=%user.name proc=%proc.name");
	cr_assert_str_eq(r->desc.s, "a replaced legit description");
	cr_assert_eq(r->priority, FC_PRIO_WARNING);
	cr_assert_eq(r->visibility, 2); /* define 0, append 1, replace 2 */
	done(e);
}

Test(rules, override_messages)
{
	const char *base = "- rule: r\n  desc: d\n  condition: evt.type = close\n  output: o\n  priority: INFO\n";
	char y[1024];
	snprintf(y, sizeof y, "%s- rule: r\n  condition: and c\n  priority: WARNING\n  override:\n    condition: append\n"
			      "    priority: append\n", base);
	struct env *e = load(y);
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Key 'priority' cannot be appended to, use 'replace' instead", 11, 5);
	const char *fr[] = {"rules content 0:0", "rule 'r' 6:3", "overrides 6:3", "overrides 'priority' 11:5", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr);
	done(e);

	snprintf(y, sizeof y, "%s- rule: r\n  source: x\n  override:\n    source: replace\n", base);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Key 'source' cannot be replaced", 9, 5);
	done(e);

	snprintf(y, sizeof y, "%s- rule: r\n  condition: c\n  override:\n    condition: merge\n", base);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE,
	       "Invalid override operation for key 'condition': 'merge'. Allowed values are: append replace ", 9, 16);
	const char *fr2[] = {"rules content 0:0", "rule 'r' 6:3", "overrides 6:3", "value for 'condition' 9:16", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr2);
	done(e);

	snprintf(y, sizeof y, "%s- rule: r\n  enabled: true\n  override:\n    enabled: merge\n", base);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE,
	       "Invalid override operation for key 'enabled': 'merge'. Allowed values are: replace ", 9, 14);
	done(e);

	snprintf(y, sizeof y, "%s- rule: r\n  desc: x\n  override:\n    desc: replace\n    condition: append\n", base);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE,
	       "An append override for 'condition' was specified but 'condition' is not defined", 6, 3);
	done(e);

	snprintf(y, sizeof y, "%s- rule: r\n  desc: x\n  condition: and c\n  override:\n    desc: replace\n"
			      "    condition: append\n    enabled: replace\n", base);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "An replace override for 'enabled' was specified but 'enabled' is not defined",
	       6, 3);
	done(e);

	snprintf(y, sizeof y, "%s- rule: r\n  desc: x\n  condition: and c\n  tags: [t]\n  priority: WARNING\n"
			      "  override:\n    condition: append\n", base);
	e = load(y);
	/* upstream walks a std::set: the alphabetically first unexpected key */
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Unexpected key 'desc': no corresponding entry under 'override' is defined.", 7,
	       9);
	const char *fr3[] = {"rules content 0:0", "rule 'r' 6:3", "overrides 'desc' 7:9", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_YAML_VALIDATE, NULL), fr3);
	/* the append was applied before the error, as upstream */
	cr_assert_str_eq(fc_ruleset_rule(&e->rs, "r")->cond.s, "evt.type = close and c");
	done(e);

	snprintf(y, sizeof y, "%s- rule: r\n  condition: and c\n  append: true\n  override:\n    condition: append\n", base);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE,
	       "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: "
	       "append') under 'override' instead.",
	       6, 3);
	cr_assert_eq(count(e, FC_LOAD_DEPRECATED_ITEM), 1);
	done(e);

	e = load("- rule: r\n  condition: and c\n  override:\n    condition: append\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE,
	       "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists", 1, 3);
	done(e);
	e = load("- rule: r\n  condition: c\n  override:\n    condition: replace\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE,
	       "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists", 1, 3);
	done(e);

	/* override keys that are not scalars: yaml-cpp's bad conversion, in the root context */
	snprintf(y, sizeof y, "%s- rule: r\n  condition: c\n  override:\n    condition: [append]\n", base);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "yaml-cpp: error at line 9, column 16: bad conversion", 1, 1);
	done(e);
}

Test(rules, standalone_enabled)
{
	struct env *e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  enabled: false\n"
			     "- rule: r\n  enabled: true\n");
	cr_assert(e->ok);
	expect_diag(e, FC_LOAD_DEPRECATED_ITEM,
	       "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry "
	       "under the 'override' key (i.e. 'enabled: replace').",
	       7, 3);
	cr_assert(fc_ruleset_rule(&e->rs, "r")->enabled);
	done(e);
	e = load("- rule: nope\n  enabled: false\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Rule has 'enabled' key but no rule by that name already exists", 1, 3);
	done(e);
	e = load("- rule: lonely\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Item has no mapping for key 'enabled'", 1, 3);
	done(e);
	/* enabled through override replace: no warning */
	e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  enabled: false\n"
		 "- rule: r\n  enabled: true\n  override:\n    enabled: replace\n");
	cr_assert(e->ok);
	cr_assert_eq(e->diags.nwarnings, 0);
	cr_assert(fc_ruleset_rule(&e->rs, "r")->enabled);
	done(e);
}

Test(rules, redefinition_keeps_order_and_source)
{
	struct env *e = load("- rule: a\n  desc: d\n  condition: c1\n  output: o\n  priority: INFO\n"
			     "- rule: b\n  desc: d\n  condition: c2\n  output: o\n  priority: INFO\n"
			     "- rule: a\n  desc: d\n  condition: c3\n  output: o\n  priority: WARNING\n  enabled: false\n");
	cr_assert(e->ok);
	cr_assert_eq(e->rs.nrules, 2);
	cr_assert_str_eq(e->rs.rules[0]->name, "a");
	cr_assert_str_eq(e->rs.rules[0]->cond.s, "c3");
	cr_assert_eq(e->rs.rules[0]->index, 0);
	cr_assert_eq(e->rs.rules[0]->visibility, 2);
	cr_assert_eq(e->rs.rules[0]->ctx.loc.line, 11);
	done(e);
	e = load("- rule: a\n  desc: d\n  condition: c1\n  output: o\n  priority: INFO\n  source: syscall\n"
		 "- rule: a\n  desc: d\n  condition: c1\n  output: o\n  priority: INFO\n  source: k8s_audit\n");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Rule has been re-defined with a different source", 7, 3);
	done(e);
}

/* ================================================================== exceptions */

Test(exceptions, worked_example)
{
	struct env *e = load("- list: shell_binaries\n  items: [bash, sh, \"my shell\"]\n"
			     "- macro: spawned_process\n  condition: (evt.type in (execve, execveat))\n"
			     "- rule: r\n  desc: d\n  condition: spawned_process and proc.name in (shell_binaries)\n"
			     "  output: o\n  priority: INFO\n  exceptions:\n    - name: e\n      fields: [proc.pname]\n"
			     "      values: [[sshd]]\n");
	cr_assert(e->ok);
	cr_assert_str_eq(cond_text(e, "r"),
			 "(spawned_process and proc.name in (shell_binaries)) and not (( proc.pname = sshd))");
	struct fc_rule *r = fc_ruleset_rule(&e->rs, "r");
	cr_assert_eq(r->nexceptions, 1);
	cr_assert_str_eq(r->exceptions[0].name, "e");
	cr_assert(r->exceptions[0].fields_is_list);
	cr_assert_str_eq(r->exceptions[0].comps[0].s, "=");
	cr_assert_eq(r->exceptions[0].nvalues, 1);
	cr_assert_str_eq(r->exceptions[0].values[0][0].items[0].s, "sshd");
	/* generated pieces map to the scalars they came from */
	struct fc_text t;
	fc_rule_condition_text(&e->rs, r, &t);
	expect_map(&t, at(&t, "spawned_process", 0), 7, 14);
	expect_map(&t, at(&t, "proc.pname", 0), 12, 16);
	expect_map(&t, at(&t, "sshd", 0), 13, 17);
	done(e);
}

Test(exceptions, list_form_text)
{
	struct env *e = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n"
			     "  exceptions:\n"
			     "    - name: a\n      fields: [proc.name, fd.name]\n      comps: [=, startswith]\n"
			     "      values:\n        - [bash, /srv]\n        - [my sh, [/var, /opt dir]]\n"
			     "    - name: b\n      fields: [proc.name, fd.name]\n      comps: [in, pmatch]\n"
			     "      values:\n        - [shell_binaries, (/etc)]\n"
			     "    - name: c\n      fields: [proc.name]\n"
			     "    - name: d\n      fields: [proc.name, proc.pname]\n      comps: [\"= oneof\", \"!=\"]\n"
			     "      values: [[x, \"'q r'\"]]\n");
	cr_assert(e->ok);
	cr_assert_str_eq(cond_text(e, "r"),
			 "(evt.type = open)"
			 " and not (( proc.name = bash and  fd.name startswith /srv) or"
			 " ( proc.name = \"my sh\" and  fd.name startswith (/var, \"/opt dir\")))"
			 " and not (( proc.name in (shell_binaries) and  fd.name pmatch (/etc)))"
			 " and not (( proc.name = oneof (x) and  proc.pname != 'q r'))");
	done(e);
}

Test(exceptions, scalar_form_text)
{
	struct env *e = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n"
			     "  exceptions:\n    - name: a\n      fields: proc.name\n      values: [cat, \"my cat\", dog]\n"
			     "    - name: b\n      fields: fd.name\n      comps: pmatch\n      values: [/tmp]\n"
			     "    - name: empty\n      fields: proc.name\n");
	cr_assert(e->ok);
	cr_assert_str_eq(cond_text(e, "r"), "(evt.type = open) and not (proc.name in (cat, \"my cat\", dog))"
					    " and not (fd.name pmatch (/tmp))");
	struct fc_rule *r = fc_ruleset_rule(&e->rs, "r");
	cr_assert(!r->exceptions[0].fields_is_list);
	cr_assert_str_eq(r->exceptions[0].comps[0].s, "in");
	cr_assert_eq(r->exceptions[0].nvalues, 3);
	cr_assert_str_eq(r->exceptions[0].values[1][0].items[0].s, "my cat");
	done(e);
}

Test(exceptions, without_values_still_wraps)
{
	struct env *e = load("- rule: r\n  desc: d\n  condition: a or b\n  output: o\n  priority: INFO\n"
			     "  exceptions:\n    - name: e\n      fields: [proc.name]\n");
	cr_assert(e->ok);
	cr_assert_str_eq(cond_text(e, "r"), "(a or b)");
	done(e);
	e = load("- rule: r\n  desc: d\n  condition: a or b\n  output: o\n  priority: INFO\n  exceptions: []\n");
	cr_assert_str_eq(cond_text(e, "r"), "a or b");
	done(e);
}

Test(exceptions, validation_messages)
{
	const char *head = "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  exceptions:\n";
	static const struct {
		const char *ex, *msg;
		enum fc_diag_code code;
	} cases[] = {
		{"    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=]\n",
		 "Fields and comps lists must have equal length", FC_LOAD_ERR_VALIDATE},
		{"    - name: e\n      fields: [proc.name, fd.name]\n      comps: \"=\"\n",
		 "Fields and comps lists must have equal length", FC_LOAD_ERR_VALIDATE},
		{"    - name: e\n      fields: [proc.name]\n      comps: [like]\n",
		 "'like' is not a supported comparison operator", FC_LOAD_ERR_VALIDATE},
		{"    - name: e\n      fields: proc.name\n      comps: \"=\"\n",
		 "When fields is a single value, comps must be one of (in, pmatch, intersects)", FC_LOAD_ERR_VALIDATE},
		{"    - name: e\n      fields: proc.name\n      comps: [in]\n", "Fields and comps must both be strings",
		 FC_LOAD_ERR_VALIDATE},
		{"    - name: e\n      fields: [proc.nme]\n", "'proc.nme' is not a supported filter field",
		 FC_LOAD_ERR_VALIDATE},
		{"    - name: e\n      fields: proc.nme\n", "'proc.nme' is not a supported filter field",
		 FC_LOAD_ERR_VALIDATE},
		{"    - name: e\n      values: [[a]]\n", "Item has no mapping for key 'fields'", FC_LOAD_ERR_YAML_VALIDATE},
		{"    - name: e\n      fields:\n      values: [[a]]\n",
		 "Rule exception item must have fields property with a list of fields", FC_LOAD_ERR_VALIDATE},
		{"    - name: e\n      fields: []\n",
		 "Rule exception item must have fields property with a list of fields", FC_LOAD_ERR_VALIDATE},
		{"    - name: e\n      fields: [\"\"]\n", "Value must be non-empty", FC_LOAD_ERR_YAML_VALIDATE},
		{"    - name: e\n      fields: [a]\n      values: x\n", "Rule exception values must be a sequence",
		 FC_LOAD_ERR_YAML_VALIDATE},
		{"    - fields: [a]\n", "Item has no mapping for key 'name'", FC_LOAD_ERR_YAML_VALIDATE},
		{"    - x\n", "Rule exception must be a mapping", FC_LOAD_ERR_YAML_VALIDATE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char y[1024];
		snprintf(y, sizeof y, "%s%s", head, cases[i].ex);
		struct env *e = load(y);
		cr_assert(!e->ok, "case %zu accepted", i);
		expect_diag(e, cases[i].code, cases[i].msg, 0, 0);
		done(e);
	}
	char y[1024];
	struct env *e = load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  exceptions: x\n");
	expect_diag(e, FC_LOAD_ERR_YAML_VALIDATE, "Rule exceptions must be a sequence", 6, 15);
	done(e);
	/* the context of an exception problem: rule → exception 'name' */
	snprintf(y, sizeof y, "%s    - name: e\n      fields: [proc.name]\n      comps: [like]\n", head);
	e = load(y);
	const char *fr[] = {"rules content 0:0", "rule 'r' 1:3", "exception 'e' 7:7", NULL};
	expect_frames(find_msg(e, FC_LOAD_ERR_VALIDATE, NULL), fr);
	done(e);
}

Test(exceptions, shape_errors_at_condition_time)
{
	const char *head = "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  exceptions:\n";
	char y[1024];
	snprintf(y, sizeof y, "%s    - name: e\n      fields: [proc.name, fd.name]\n      values: [[a]]\n", head);
	struct env *e = load(y);
	cr_assert(e->ok); /* upstream raises it while compiling */
	cr_assert_str_eq(cond_text(e, "r"), "(c)");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Fields and values lists must have equal length", 7, 7);
	cond_text(e, "r"); /* reported once */
	cr_assert_eq(count(e, FC_LOAD_ERR_VALIDATE), 1);
	done(e);
	snprintf(y, sizeof y, "%s    - name: e\n      fields: proc.name\n      values: [[a]]\n", head);
	e = load(y);
	cond_text(e, "r");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Expected values array to contain a list of strings", 7, 7);
	done(e);
	snprintf(y, sizeof y, "%s    - name: e\n      fields: [proc.name]\n      values: [a]\n", head);
	e = load(y);
	cond_text(e, "r");
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Fields and values lists must have equal length", 7, 7);
	done(e);
}

Test(exceptions, names_not_unique_and_append_merge)
{
	const char *head = "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  exceptions:\n";
	char y[2048];
	snprintf(y, sizeof y, "%s    - name: e\n      fields: [proc.name]\n      values: [[a]]\n"
			      "    - name: e\n      fields: [fd.name]\n      values: [[b]]\n", head);
	struct env *e = load(y);
	cr_assert(e->ok);
	expect_diag(e, FC_LOAD_EXCEPTION_NAME_NOT_UNIQUE, "Multiple definitions of exception 'e' in the same rule", 10, 7);
	cr_assert_eq(fc_ruleset_rule(&e->rs, "r")->nexceptions, 2);
	done(e);

	snprintf(y, sizeof y, "%s    - name: e\n      fields: [proc.name]\n      values: [[a]]\n"
			      "- rule: r\n  exceptions:\n    - name: e\n      values: [[b]]\n    - name: f\n"
			      "      fields: proc.pname\n      values: [x]\n    - name: e\n  override:\n    exceptions: append\n",
		 head);
	e = load(y);
	cr_assert(e->ok);
	expect_diag(e, FC_LOAD_APPEND_NO_VALUES, "Overriding/appending exception with no values", 17, 7);
	struct fc_rule *r = fc_ruleset_rule(&e->rs, "r");
	cr_assert_eq(r->nexceptions, 2);
	cr_assert_eq(r->exceptions[0].nvalues, 2);
	cr_assert_str_eq(cond_text(e, "r"), "(c) and not (( proc.name = a) or ( proc.name = b)) and not (proc.pname in (x))");
	done(e);

	snprintf(y, sizeof y, "%s    - name: e\n      fields: [proc.name]\n      values: [[a]]\n"
			      "- rule: r\n  exceptions:\n    - name: e\n      fields: [fd.name]\n      values: [[b]]\n"
			      "  override:\n    exceptions: append\n", head);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Can not append exception fields to existing exception, only values", 12, 7);
	done(e);
	snprintf(y, sizeof y, "%s    - name: e\n      fields: [proc.name]\n      values: [[a]]\n"
			      "- rule: r\n  exceptions:\n    - name: e\n      comps: [=]\n      values: [[b]]\n"
			      "  append: true\n", head);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Can not append exception comps to existing exception, only values", 12, 7);
	done(e);
	snprintf(y, sizeof y, "%s    - name: e\n      fields: [proc.name]\n      values: [[a]]\n"
			      "- rule: r\n  exceptions:\n    - name: new\n      fields: [fd.name]\n  append: true\n", head);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Rule exception must have values property with a list of values", 12, 7);
	done(e);
	snprintf(y, sizeof y, "%s    - name: e\n      fields: [proc.name]\n      values: [[a]]\n"
			      "- rule: r\n  exceptions:\n    - name: new\n      values: [[x]]\n  append: true\n", head);
	e = load(y);
	expect_diag(e, FC_LOAD_ERR_VALIDATE, "Rule exception must have fields property with a list of fields", 12, 7);
	done(e);
}

/* ================================================================== several files */

Test(files, append_override_enable_across_files)
{
	struct env *e = env_new();
	cr_assert(load_more(e, FIX "base.yaml"));
	cr_assert(load_more(e, FIX "local.yaml"));
	if (e->diags.nerrors)
		dump(e);
	cr_assert_eq(e->diags.nerrors, 0);
	cr_assert_eq(e->rs.nfiles, 2);
	struct fc_list *sh = fc_ruleset_list(&e->rs, "shell_binaries");
	cr_assert_eq(sh->nitems, 4);
	cr_assert_str_eq(sh->items[3].s, "zsh");
	cr_assert_str_eq(sh->items[3].map.seg[0].file->name, FIX "local.yaml");
	struct fc_macro *m = fc_ruleset_macro(&e->rs, "spawned_process");
	cr_assert_str_eq(m->cond.s, "(evt.type in (execve, execveat)) or evt.type = clone3");
	/* an appended condition spans two files */
	struct fc_loc l = fc_srcmap_loc(&m->cond.map, at(&m->cond, "clone3", 0));
	cr_assert_str_eq(l.src->name, FIX "local.yaml");
	cr_assert_eq(l.line, 8);
	cr_assert_eq(l.col, 28);
	l = fc_srcmap_loc(&m->cond.map, at(&m->cond, "execveat", 0));
	cr_assert_str_eq(l.src->name, FIX "base.yaml");
	cr_assert_eq(l.line, 11);

	cr_assert_str_eq(cond_text(e, "shell spawned"),
			 "(spawned_process and proc.name in (shell_binaries) and not user.name = root)"
			 " and not (( proc.pname = sshd) or ( proc.pname = cron))"
			 " and not (proc.name in (dash, \"my dash\"))");
	struct fc_rule *ed = fc_ruleset_rule(&e->rs, "editor spawned");
	cr_assert_eq(ed->priority, FC_PRIO_ERROR);
	cr_assert_eq(ed->ntags, 1);
	cr_assert(!ed->enabled);
	/* rules keep their order; redefined list `editors` keeps its index */
	cr_assert_str_eq(e->rs.rules[0]->name, "shell spawned");
	struct fc_list *eds = fc_ruleset_list(&e->rs, "editors");
	cr_assert_eq(eds->nitems, 1);
	cr_assert_eq(eds->index, 1);
	cr_assert_eq(eds->ctx.loc.line, 35);
	cr_assert_str_eq(eds->ctx.parent->loc.src->name, FIX "local.yaml");
	expect_diag(e, FC_LOAD_DEPRECATED_ITEM,
	       "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry "
	       "under the 'override' key (i.e. 'enabled: replace').",
	       32, 3);
	done(e);
}

Test(files, unreadable_file)
{
	struct env *e = env_new();
	cr_assert(!load_more(e, FIX "does-not-exist.yaml"));
	expect_diag(e, FC_LOAD_ERR_FILE_READ, "Could not open file " FIX "does-not-exist.yaml for reading", 0, 0);
	cr_assert(load_more(e, FIX "base.yaml"));
	done(e);
	e = env_new();
	cr_assert(!load_more(e, FIX));
	cr_assert_eq(count(e, FC_LOAD_ERR_FILE_READ), 1);
	done(e);
}

/* ================================================================== positions in scalars */

Test(positions, folded_block)
{
	struct env *e = env_new();
	cr_assert(load_more(e, FIX "blocks.yaml"));
	struct fc_text *t = &fc_ruleset_macro(&e->rs, "folded_cond")->cond;
	cr_assert_str_eq(t->s, "evt.type = open and proc.name = cat and fd.name startswith /etc\n");
	expect_map(t, 0, 3, 5);
	expect_map(t, at(t, "proc.name", 0), 4, 9);
	expect_map(t, at(t, "startswith", 0), 5, 17);
	expect_map(t, at(t, "/etc", 0), 5, 28);
	expect_map(t, at(t, " and", 0), 3, 20); /* the folded line break */
	cr_assert_eq(t->loc.line, 2);
	cr_assert_eq(t->loc.col, 14);
	done(e);
}

Test(positions, literal_block)
{
	struct env *e = env_new();
	cr_assert(load_more(e, FIX "blocks.yaml"));
	struct fc_text *t = &fc_ruleset_macro(&e->rs, "literal_cond")->cond;
	cr_assert_str_eq(t->s, "evt.type = open\n  and proc.name = \"x y\"\nand fd.name = z\n");
	expect_map(t, at(t, "and", 0) - 2, 10, 5); /* kept indentation */
	expect_map(t, at(t, "proc.name", 0), 10, 11);
	expect_map(t, at(t, "\"x y\"", 0), 10, 23);
	expect_map(t, at(t, "fd.name", 0), 11, 9);
	expect_map(t, at(t, "\n", 0), 9, 20);
	done(e);
	e = env_new();
	cr_assert(load_more(e, FIX "blocks.yaml"));
	t = &fc_ruleset_macro(&e->rs, "indicator_cond")->cond;
	cr_assert_str_eq(t->s, "  indented first line\nsecond");
	expect_map(t, at(t, "indented", 0), 26, 7);
	expect_map(t, at(t, "second", 0), 27, 5);
	done(e);
}

Test(positions, quoted_and_plain)
{
	struct env *e = env_new();
	cr_assert(load_more(e, FIX "blocks.yaml"));
	struct fc_text *t = &fc_ruleset_macro(&e->rs, "quoted_cond")->cond;
	cr_assert_str_eq(t->s, "evt.type = open and proc.name = \"a\tb\" and fd.num = 3");
	expect_map(t, 0, 14, 15);
	expect_map(t, at(t, "proc.name", 0), 15, 5);
	expect_map(t, at(t, "\"a", 0), 15, 17);  /* an escaped quote maps to its backslash */
	expect_map(t, at(t, "a\t", 0), 15, 19);
	expect_map(t, at(t, "\t", 0), 15, 20);
	expect_map(t, at(t, "b\"", 0), 15, 22);
	expect_map(t, at(t, "fd.num", 0), 16, 5);
	t = &fc_ruleset_macro(&e->rs, "plain_cond")->cond;
	cr_assert_str_eq(t->s, "evt.type = open and proc.name = cat\nand fd.num = 3");
	expect_map(t, at(t, "proc.name", 0), 20, 9);
	expect_map(t, at(t, "fd.num", 0), 22, 9);
	expect_map(t, at(t, " and", 0), 19, 29);
	done(e);
}

Test(positions, crlf_and_utf8)
{
	struct env *e = env_new();
	cr_assert(load_more(e, FIX "crlf.yaml"));
	struct fc_rule *r = fc_ruleset_rule(&e->rs, "crlf");
	cr_assert_str_eq(r->cond.s, "evt.type = open and proc.name = cat\n");
	expect_map(&r->cond, at(&r->cond, "proc", 0), 5, 9);
	cr_assert_eq(r->output.loc.line, 6);
	done(e);
	/* libyaml counts characters; positions are bytes */
	e = load("- macro: m\n  condition: proc.name = \"h\xc3\xa9llo w\xc3\xb6rld\" and fd.name = x\n"
		 "- macro: \xc3\xa9\n  condition: a\n");
	cr_assert(e->ok);
	struct fc_text *t = &fc_ruleset_macro(&e->rs, "m")->cond;
	expect_map(t, at(t, "fd.name", 0), 2, 46); /* bytes, not characters */
	cr_assert_eq(fc_ruleset_macro(&e->rs, "\xc3\xa9")->loc.line, 3);
	expect_diag(e, FC_LOAD_INVALID_MACRO_NAME, NULL, 3, 3);
	done(e);
	/* a UTF-8 byte-order mark is not counted by libyaml */
	e = load("\xef\xbb\xbf- macro: m\n  condition: evt.type = open\n");
	cr_assert(e->ok);
	t = &fc_ruleset_macro(&e->rs, "m")->cond;
	expect_map(t, 0, 2, 14);
	done(e);
}

Test(positions, single_quoted_and_flow)
{
	struct env *e = load("- macro: m\n  condition: 'it''s a = b'\n- list: l\n  items: [\"a\\\\b\", 'c d']\n");
	cr_assert(e->ok);
	struct fc_text *t = &fc_ruleset_macro(&e->rs, "m")->cond;
	cr_assert_str_eq(t->s, "it's a = b");
	expect_map(t, at(t, "'", 0), 2, 17);
	expect_map(t, at(t, "s a", 0), 2, 19);
	struct fc_list *l = fc_ruleset_list(&e->rs, "l");
	cr_assert_str_eq(l->items[0].s, "a\\b");
	expect_map(&l->items[0], 2, 4, 15);
	expect_map(&l->items[1], 2, 4, 22);
	done(e);
}
