/* falcoc.c — the compiler's command line: validate, describe, list-fields, compile, dump.
 * Parses arguments,
 * loads files in order into one ruleset, compiles, and renders results; everything else
 * lives in the library so the tests exercise the same code. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "compile.h"
#include "fields.h"
#include "sign.h"

extern const char fc_default_rules[];
extern const size_t fc_default_rules_len;
#define DEFAULT_RULES_NAME "falcod_rules.yaml"

static const char usage[] =
	"Usage: falcoc COMMAND [OPTIONS] [FILE...]\n"
	"\n"
	"Compiles Falco rules files ahead of time for falcod.\n"
	"\n"
	"Commands:\n"
	"  validate FILE...     Check rules files (loaded in order, later files may append to or\n"
	"                       override earlier ones). Prints `FILE: Ok`, `FILE: Ok, with warnings`\n"
	"                       or `FILE: Invalid` per file; exit status 1 if any file is invalid.\n"
	"  describe FILE...     Show each rule as compiled: expanded condition, event types, fields\n"
	"                       used, and its warnings.\n"
	"  compile FILE... -o OUT\n"
	"                       Compile the rules into a bundle file for falcod. Diagnostics as\n"
	"                       validate prints them (stderr); exit status 1 on errors, and then no\n"
	"                       bundle is written. A one-line summary (rules, programs, instructions,\n"
	"                       bytes, time) goes to stderr. With --sign KEY the bundle is signed.\n"
	"  keygen NAME          Make an ed25519 key pair for signed bundles: NAME.key (secret, mode\n"
	"                       0600) and NAME.pub (public, for falcod --require-signed). Existing\n"
	"                       files are never overwritten.\n"
	"  dump --stage=STAGE FILE...\n"
	"                       Show one stage of the back end: ast (expanded conditions), ir (the\n"
	"                       predicate graphs before optimisation), opt (after it), bc (the\n"
	"                       bytecode, disassembled, with file:line of each instruction), kern\n"
	"                       (the kernel part: syscall selection and, per event type, the\n"
	"                       predicate the probe runs, with the rules it comes from).\n"
	"  list-fields          List the field catalog: name, type, argument, description.\n"
	"\n"
	"With no FILE, validate, describe, compile and dump use the built-in default ruleset\n"
	"(" DEFAULT_RULES_NAME ").\n"
	"\n"
	"Options:\n"
	"  --format FMT         validate: text (default; diagnostics with source carets on stderr),\n"
	"                       falco (Falco's `-V` layout), json (Falco's JSON layout).\n"
	"                       describe, list-fields: text (default) or json.\n"
	"  -o, --output FILE    compile: the bundle to write.\n"
	"      --sign KEY       compile: sign the bundle with the secret key file KEY (falcoc keygen;\n"
	"                       refused unless KEY is private to its owner). The signature (ed25519)\n"
	"                       covers every byte of the bundle; the same input and key give the\n"
	"                       same bytes.\n"
	"      --stage STAGE    dump: ast, ir, opt, bc or kern.\n"
	"      --rule NAME      dump: only this rule (and the shared programs it calls).\n"
	"      --no-opt         compile, dump: no optimisation pass.\n"
	"      --passes LIST    compile, dump: only these optimisation passes, comma-separated, from\n"
	"                       fold, dead, sets, tries, icase, regex, cse, evtype (default: all).\n"
	"  -q, --quiet          validate, compile: do not print warnings.\n"
	"      --color WHEN     auto (default), always, never.\n"
	"      --stats          print load/compile timing and counts on stderr.\n"
	"  -h, --help           Show this help.\n"
	"  -V, --version        Show version and the rules engine version implemented.\n"
	"\n"
	"Exit status: 0 success, 1 invalid rules (or a file that cannot be written), 2 usage error.\n";

enum fmt { FMT_TEXT, FMT_FALCO, FMT_JSON };

struct opts {
	enum fmt fmt;
	bool quiet, color, stats;
	const char *output, *rule, *sign;
	enum fc_dump_stage stage;
	bool have_stage;
	uint32_t passes;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The file a diagnostic belongs to: where it points, else its context root. */
static const char *diag_file(const struct fc_diag *d)
{
	if (d->loc.src)
		return d->loc.src->name;
	for (unsigned i = 0; i < d->nframes; i++)
		if (d->frames[i]->loc.src)
			return d->frames[i]->loc.src->name;
	return d->file;
}

struct run {
	struct fc_arena arena;
	struct fc_diags diags;
	struct fc_ruleset rs;
	struct fc_compiled comp;
	const char **names;
	int nnames;
	double t_load, t_compile;
};

static void run_load(struct run *r, int nfiles, char **files)
{
	fc_diags_init(&r->diags, &r->arena);
	fc_ruleset_init(&r->rs, &r->arena, &r->diags);
	double t0 = now_ms();
	if (nfiles == 0) {
		r->names = malloc(sizeof(char *));
		r->names[0] = DEFAULT_RULES_NAME;
		r->nnames = 1;
		r->diags.file = DEFAULT_RULES_NAME;
		fc_ruleset_load_text(&r->rs, DEFAULT_RULES_NAME, fc_default_rules, fc_default_rules_len);
	} else {
		r->names = malloc(sizeof(char *) * (size_t)nfiles);
		r->nnames = nfiles;
		for (int i = 0; i < nfiles; i++) {
			r->names[i] = files[i];
			r->diags.file = files[i];
			fc_ruleset_load_file(&r->rs, files[i]);
		}
	}
	double t1 = now_ms();
	r->diags.file = r->names[r->nnames - 1];
	fc_compile(&r->rs, &r->comp);
	double t2 = now_ms();
	r->t_load = t1 - t0;
	r->t_compile = t2 - t1;
}

static void run_free(struct run *r)
{
	fc_ruleset_free(&r->rs);
	fc_arena_free(&r->arena);
	free(r->names);
}

static void print_stats(const struct run *r)
{
	uint32_t ok = 0;
	for (uint32_t i = 0; i < r->comp.nrules; i++)
		ok += r->comp.rules[i].ok;
	fprintf(stderr, "falcoc: %u rules (%u compiled), %u macros, %u lists; load %.2f ms, compile %.2f ms, "
		"%u errors, %u warnings, %.1f KiB\n",
		r->rs.nrules, ok, r->rs.nmacros, r->rs.nlists, r->t_load, r->t_compile, r->diags.nerrors,
		r->diags.nwarnings, r->arena.total / 1024.0);
}

static int cmd_validate(const struct opts *o, int nfiles, char **files)
{
	struct run r = {0};
	run_load(&r, nfiles, files);
	int status = 0;
	char perr[1024];
	/* Falco's -V treats an unmet plugin requirement as fatal for the whole run. */
	bool plugins_ok = fc_ruleset_check_plugins(&r.rs, perr, sizeof perr);
	if (!plugins_ok) {
		fprintf(stderr, "falcoc: %s\n", perr);
		status = 1;
	}
	struct fc_buf json = {0};
	if (o->fmt == FMT_JSON)
		fc_buf_puts(&json, "{\"falco_load_results\":[");
	for (int f = 0; f < r.nnames; f++) {
		unsigned ne = 0, nw = 0;
		for (struct fc_diag *d = r.diags.head; d; d = d->next) {
			if (strcmp(diag_file(d), r.names[f]))
				continue;
			if (fc_diag_code_is_error(d->code))
				ne++;
			else
				nw++;
		}
		if (!plugins_ok)
			ne++; /* every file of the run is invalid, as with falco -V */
		if (ne)
			status = 1;
		if (o->fmt == FMT_JSON) {
			fc_buf_puts(&json, f ? ",{\"errors\":[" : "{\"errors\":[");
			bool first = true;
			for (struct fc_diag *d = r.diags.head; d; d = d->next)
				if (!strcmp(diag_file(d), r.names[f]) && fc_diag_code_is_error(d->code)) {
					if (!first)
						fc_buf_putc(&json, ',');
					first = false;
					fc_diag_json(&json, d);
				}
			fc_buf_puts(&json, "],\"name\":");
			fc_json_str(&json, r.names[f]);
			fc_buf_printf(&json, ",\"schema_valid\":true,\"schema_warnings\":[],\"successful\":%s,\"warnings\":[",
				      ne ? "false" : "true");
			first = true;
			for (struct fc_diag *d = r.diags.head; d; d = d->next)
				if (!strcmp(diag_file(d), r.names[f]) && !fc_diag_code_is_error(d->code) && !o->quiet) {
					if (!first)
						fc_buf_putc(&json, ',');
					first = false;
					fc_diag_json(&json, d);
				}
			fc_buf_puts(&json, "]}");
			continue;
		}
		printf("%s: %s\n", r.names[f], ne ? "Invalid" : nw && !o->quiet ? "Ok, with warnings" : "Ok");
		if (o->fmt == FMT_FALCO) {
			if (ne) {
				printf("\n%u Errors:\n", ne);
				for (struct fc_diag *d = r.diags.head; d; d = d->next)
					if (!strcmp(diag_file(d), r.names[f]) && fc_diag_code_is_error(d->code))
						fc_diag_print_falco(stdout, d);
			}
			if (nw && !o->quiet) {
				FILE *w = ne ? stdout : stderr;
				fprintf(w, "\n%u Warnings:\n", nw);
				for (struct fc_diag *d = r.diags.head; d; d = d->next)
					if (!strcmp(diag_file(d), r.names[f]) && !fc_diag_code_is_error(d->code))
						fc_diag_print_falco(w, d);
			}
		}
	}
	if (o->fmt == FMT_JSON) {
		fc_buf_puts(&json, "]}");
		puts(json.p);
		fc_buf_free(&json);
	} else if (o->fmt == FMT_TEXT) {
		fflush(stdout);
		for (struct fc_diag *d = r.diags.head; d; d = d->next)
			if (fc_diag_code_is_error(d->code) || !o->quiet)
				fc_diag_print(stderr, d, o->color);
		if (r.diags.nerrors || (r.diags.nwarnings && !o->quiet))
			fprintf(stderr, "%u error%s, %u warning%s\n", r.diags.nerrors, r.diags.nerrors == 1 ? "" : "s",
				r.diags.nwarnings, r.diags.nwarnings == 1 ? "" : "s");
	}
	if (o->stats)
		print_stats(&r);
	run_free(&r);
	return status;
}

/* Event-type names of a set: each name once, in code order. */
static void evt_names(struct fc_buf *b, const fc_evtset *s, bool json)
{
	const char *seen[FC_EVENT_MAX];
	unsigned n = 0;
	for (unsigned c = 0; c < FC_EVENT_MAX; c++) {
		if (!fc_evtset_has(s, c) || !fc_events[c].name || !strcmp(fc_events[c].name, "NA"))
			continue;
		bool dup = false;
		for (unsigned i = 0; i < n && !dup; i++)
			dup = !strcmp(seen[i], fc_events[c].name);
		if (dup)
			continue;
		seen[n++] = fc_events[c].name;
	}
	/* sort by name so goldens do not depend on code order */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && strcmp(seen[j - 1], seen[j]) > 0; j--) {
			const char *t = seen[j];
			seen[j] = seen[j - 1];
			seen[j - 1] = t;
		}
	for (unsigned i = 0; i < n; i++) {
		if (json) {
			if (i)
				fc_buf_putc(b, ',');
			fc_json_str(b, seen[i]);
		} else {
			fc_buf_puts(b, i ? " " : "");
			fc_buf_puts(b, seen[i]);
		}
	}
}

static bool diag_in_rule(const struct fc_diag *d, const char *rule)
{
	for (unsigned i = 0; i < d->nframes; i++)
		if (!strcmp(d->frames[i]->item_type, "rule") && d->frames[i]->item_name &&
		    !strcmp(d->frames[i]->item_name, rule))
			return true;
	return false;
}

static int cmd_describe(const struct opts *o, int nfiles, char **files)
{
	struct run r = {0};
	run_load(&r, nfiles, files);
	struct fc_buf b = {0};
	if (o->fmt == FMT_JSON)
		fc_buf_puts(&b, "{\"rules\":[");
	for (uint32_t i = 0; i < r.comp.nrules; i++) {
		struct fc_crule *cr = &r.comp.rules[i];
		struct fc_rule *ru = r.rs.rules[i];
		struct fc_buf cond = {0}, ev = {0};
		if (cr->ast)
			fc_ast_print(&cond, cr->ast);
		size_t nev = fc_evtset_count(&cr->evts);
		if (cr->ok)
			evt_names(&ev, &cr->evts, o->fmt == FMT_JSON);
		if (o->fmt == FMT_JSON) {
			fc_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
			fc_json_str(&b, ru->name);
			fc_buf_puts(&b, ",\"priority\":");
			fc_json_str(&b, fc_priority_name(ru->priority));
			fc_buf_puts(&b, ",\"source\":");
			fc_json_str(&b, ru->source);
			fc_buf_printf(&b, ",\"enabled\":%s,\"compiled\":%s,\"tags\":[", ru->enabled ? "true" : "false",
				      cr->ok ? "true" : "false");
			for (uint32_t t = 0; t < ru->ntags; t++) {
				if (t)
					fc_buf_putc(&b, ',');
				fc_json_str(&b, ru->tags[t]);
			}
			fc_buf_puts(&b, "],\"condition\":");
			fc_json_str(&b, cond.p ? cond.p : "");
			fc_buf_printf(&b, ",\"evttype_count\":%zu,\"evttypes\":[%s],\"fields\":[", cr->ok ? nev : 0,
				      ev.p ? ev.p : "");
			for (uint32_t f = 0; f < cr->nfields; f++) {
				if (f)
					fc_buf_putc(&b, ',');
				fc_json_str(&b, cr->fields[f]);
			}
			fc_buf_puts(&b, "],\"warnings\":[");
			bool first = true;
			for (struct fc_diag *d = r.diags.head; d; d = d->next)
				if (diag_in_rule(d, ru->name)) {
					if (!first)
						fc_buf_putc(&b, ',');
					first = false;
					fc_diag_json(&b, d);
				}
			fc_buf_puts(&b, "]}");
		} else {
			fc_buf_printf(&b, "rule: %s\n  priority: %s\n  source: %s\n  enabled: %s\n", ru->name,
				      fc_priority_name(ru->priority), ru->source, ru->enabled ? "true" : "false");
			fc_buf_puts(&b, "  tags:");
			for (uint32_t t = 0; t < ru->ntags; t++)
				fc_buf_printf(&b, " %s", ru->tags[t]);
			fc_buf_printf(&b, "\n  condition: %s\n", cr->ast ? cond.p : "<failed to compile>");
			if (cr->ok)
				fc_buf_printf(&b, "  evttypes (%zu codes): %s\n", nev, nev > 100 ? "<all>" : ev.p ? ev.p : "");
			fc_buf_puts(&b, "  fields:");
			for (uint32_t f = 0; f < cr->nfields; f++)
				fc_buf_printf(&b, " %s", cr->fields[f]);
			fc_buf_putc(&b, '\n');
			for (struct fc_diag *d = r.diags.head; d; d = d->next)
				if (diag_in_rule(d, ru->name))
					fc_buf_printf(&b, "  %s: %s: %s\n", fc_diag_code_is_error(d->code) ? "error" : "warning",
						      fc_diag_code_name(d->code), d->msg);
		}
		fc_buf_free(&cond);
		fc_buf_free(&ev);
	}
	if (o->fmt == FMT_JSON)
		fc_buf_puts(&b, "]}\n");
	if (b.p)
		fputs(b.p, stdout);
	fc_buf_free(&b);
	int status = r.diags.nerrors ? 1 : 0;
	if (status && o->fmt != FMT_JSON)
		for (struct fc_diag *d = r.diags.head; d; d = d->next)
			if (fc_diag_code_is_error(d->code))
				fc_diag_print(stderr, d, o->color);
	if (o->stats)
		print_stats(&r);
	run_free(&r);
	return status;
}

/* Diagnostics of a run in validate's text layout, then the totals line. */
static void print_diags(const struct opts *o, const struct run *r)
{
	fflush(stdout);
	for (struct fc_diag *d = r->diags.head; d; d = d->next)
		if (fc_diag_code_is_error(d->code) || !o->quiet)
			fc_diag_print(stderr, d, o->color);
	if (r->diags.nerrors || (r->diags.nwarnings && !o->quiet))
		fprintf(stderr, "%u error%s, %u warning%s\n", r->diags.nerrors, r->diags.nerrors == 1 ? "" : "s",
			r->diags.nwarnings, r->diags.nwarnings == 1 ? "" : "s");
}

static int cmd_keygen(int nargs, char **args)
{
	if (nargs != 1 || !*args[0]) {
		fputs("falcoc keygen: expects one NAME (writes NAME.key and NAME.pub)\nTry 'falcoc --help'.\n", stderr);
		return 2;
	}
	size_t n = strlen(args[0]) + 5;
	char *sec = malloc(n), *pub = malloc(n);
	int rc = 1;
	char err[1024];
	if (sec && pub) {
		snprintf(sec, n, "%s.key", args[0]);
		snprintf(pub, n, "%s.pub", args[0]);
		if (fc_sign_write_keypair(sec, pub, err, sizeof err) == FC_SIG_OK) {
			uint8_t pk[FC_SIG_PK_LEN];
			char id[17] = "?";
			if (fc_sign_read_pubkey(pub, pk, err, sizeof err) == FC_SIG_OK)
				fc_sign_keyid(pk, id);
			fprintf(stderr, "falcoc: wrote %s (secret, mode 0600) and %s (public), key %s\n", sec, pub, id);
			rc = 0;
		} else
			fprintf(stderr, "falcoc keygen: %s\n", err);
	}
	free(sec);
	free(pub);
	return rc;
}

static int cmd_compile(const struct opts *o, int nfiles, char **files)
{
	if (!o->output) {
		fputs("falcoc compile: missing -o OUT\nTry 'falcoc --help'.\n", stderr);
		return 2;
	}
	double t0 = now_ms();
	uint8_t sk[FC_SIG_SK_LEN];
	char kerr[1024];
	if (o->sign && fc_sign_read_seckey(o->sign, sk, kerr, sizeof kerr) != FC_SIG_OK) {
		fprintf(stderr, "falcoc: --sign: %s\n", kerr);
		return 1;
	}
	struct run r = {0};
	run_load(&r, nfiles, files);
	char perr[1024];
	bool ok = r.diags.nerrors == 0;
	if (!fc_ruleset_check_plugins(&r.rs, perr, sizeof perr)) {
		fprintf(stderr, "falcoc: %s\n", perr);
		ok = false;
	}
	struct fc_backend_stats st = {0};
	struct fc_backend_opts bo = {.passes = o->passes, .stats = &st};
	struct fc_buf out = {0};
	if (ok)
		ok = fc_backend_bundle(&r.comp, &bo, &out);
	print_diags(o, &r);
	char keyid[17] = "";
	if (ok && o->sign) {
		uint8_t *signed_img;
		size_t signed_len;
		if (fc_sign_bundle((const uint8_t *)out.p, out.len, sk, &signed_img, &signed_len, kerr, sizeof kerr)) {
			fprintf(stderr, "falcoc: --sign: %s\n", kerr);
			ok = false;
		} else {
			fc_buf_free(&out);
			out = (struct fc_buf){0};
			fc_buf_add(&out, (const char *)signed_img, signed_len);
			free(signed_img);
			st.bytes = signed_len;
			fc_sign_keyid(sk + 32, keyid);
		}
	}
	if (o->sign)
		memset(sk, 0, sizeof sk);
	if (ok) {
		FILE *f = fopen(o->output, "wb");
		if (!f || fwrite(out.p, 1, out.len, f) != out.len || fclose(f) != 0) {
			fprintf(stderr, "falcoc: cannot write %s\n", o->output);
			if (f)
				remove(o->output);
			ok = false;
		}
	}
	if (ok)
		fprintf(stderr, "falcoc: %s: %u rules, %u programs (%u shared), %u instructions, %u slots, %llu bytes, "
			"%.1f ms%s%s\n",
			o->output, st.rules, st.progs, st.subs, st.insns, st.slots, (unsigned long long)st.bytes,
			now_ms() - t0, keyid[0] ? ", signed by key " : "", keyid);
	if (o->stats)
		print_stats(&r);
	fc_buf_free(&out);
	run_free(&r);
	return ok ? 0 : 1;
}

static int cmd_dump(const struct opts *o, int nfiles, char **files)
{
	if (!o->have_stage) {
		fputs("falcoc dump: missing --stage=ast|ir|opt|bc|kern\nTry 'falcoc --help'.\n", stderr);
		return 2;
	}
	struct run r = {0};
	run_load(&r, nfiles, files);
	bool ok = r.diags.nerrors == 0;
	if (ok) {
		struct fc_backend_opts bo = {.passes = o->passes};
		ok = fc_backend_dump(&r.comp, &bo, o->stage, o->rule, stdout);
	}
	if (!ok)
		print_diags(o, &r);
	run_free(&r);
	return ok ? 0 : 1;
}

static bool parse_passes(const char *s, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {
		{"fold", FC_OPT_FOLD}, {"dead", FC_OPT_DEAD}, {"sets", FC_OPT_SETS}, {"tries", FC_OPT_TRIES},
		{"icase", FC_OPT_ICASE}, {"regex", FC_OPT_REGEX}, {"cse", FC_OPT_CSE}, {"evtype", FC_OPT_EVTYPE},
	};
	*out = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		bool found = false;
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i].name) == n && !strncmp(s, names[i].name, n)) {
				*out |= names[i].bit;
				found = true;
			}
		if (!found && n) {
			fprintf(stderr, "falcoc: unknown pass '%.*s' (fold, dead, sets, tries, icase, regex, cse, evtype)\n",
				(int)n, s);
			return false;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return true;
}

static const char *flag_text(uint32_t f, char *buf, size_t n)
{
	buf[0] = 0;
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{FC_FF_ARG_REQUIRED, "arg-required"}, {FC_FF_ARG_ALLOWED, "arg-allowed"}, {FC_FF_ARG_INDEX, "index"},
		{FC_FF_ARG_KEY, "key"}, {FC_FF_IS_LIST, "list"}, {FC_FF_FILTER_ONLY, "filter-only"},
		{FC_FF_NO_RHS, "no-rhs"}, {FC_FF_DEPRECATED, "deprecated"}, {FC_FF_UNAVAILABLE, "unavailable"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (f & names[i].bit) {
			size_t l = strlen(buf);
			snprintf(buf + l, n - l, "%s%s", l ? "," : "", names[i].name);
		}
	return buf;
}

static int cmd_list_fields(const struct opts *o)
{
	struct fc_buf b = {0};
	char fl[256];
	bool first = true;
	if (o->fmt == FMT_JSON)
		fc_buf_puts(&b, "{\"fields\":[");
	for (int i = 0; i < FC_F_MAX_; i++) {
		const struct fc_field *f = &fc_fields[i];
		if (f->flags & FC_FF_TABLE_ONLY) /* resolvable, but hidden from listings as upstream does */
			continue;
		if (o->fmt == FMT_JSON) {
			fc_buf_puts(&b, first ? "{\"name\":" : ",{\"name\":");
			first = false;
			fc_json_str(&b, f->name);
			fc_buf_puts(&b, ",\"type\":");
			fc_json_str(&b, fc_ptype_name(f->type));
			fc_buf_printf(&b, ",\"is_list\":%s,\"arg_required\":%s,\"arg_allowed\":%s,\"available\":%s,"
				      "\"deprecated\":%s,\"filter_only\":%s,\"desc\":",
				      f->flags & FC_FF_IS_LIST ? "true" : "false",
				      f->flags & FC_FF_ARG_REQUIRED ? "true" : "false",
				      f->flags & (FC_FF_ARG_ALLOWED | FC_FF_ARG_REQUIRED) ? "true" : "false",
				      f->flags & FC_FF_UNAVAILABLE ? "false" : "true",
				      f->flags & FC_FF_DEPRECATED ? "true" : "false",
				      f->flags & FC_FF_FILTER_ONLY ? "true" : "false");
			fc_json_str(&b, f->desc);
			fc_buf_putc(&b, '}');
		} else {
			fc_buf_printf(&b, "%-36s %-10s %-26s %s\n", f->name, fc_ptype_name(f->type),
				      flag_text(f->flags, fl, sizeof fl), f->desc);
		}
	}
	if (o->fmt == FMT_JSON)
		fc_buf_puts(&b, "]}\n");
	fputs(b.p, stdout);
	fc_buf_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'},
		{"color", required_argument, NULL, 'c'},  {"stats", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
		{"output", required_argument, NULL, 'o'}, {"stage", required_argument, NULL, 'S'},
		{"rule", required_argument, NULL, 'R'},   {"no-opt", no_argument, NULL, 'N'},
		{"passes", required_argument, NULL, 'P'}, {"sign", required_argument, NULL, 'K'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.color = isatty(2), .passes = FC_OPT_ALL};
	const char *fmt = "text";
	int c;
	while ((c = getopt_long(argc, argv, "qhVo:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.output = optarg; break;
		case 'R': o.rule = optarg; break;
		case 'K': o.sign = optarg; break;
		case 'N': o.passes = 0; break;
		case 'P':
			if (!parse_passes(optarg, &o.passes))
				return 2;
			break;
		case 'S': {
			static const char *const st[] = {"ast", "ir", "opt", "bc", "kern"};
			o.have_stage = false;
			for (int i = 0; i < 5; i++)
				if (!strcmp(optarg, st[i])) {
					o.stage = (enum fc_dump_stage)i;
					o.have_stage = true;
				}
			if (!o.have_stage) {
				fprintf(stderr, "falcoc: --stage expects ast, ir, opt, bc or kern, not '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'f': fmt = optarg; break;
		case 'q': o.quiet = true; break;
		case 's': o.stats = true; break;
		case 'c':
			if (!strcmp(optarg, "always"))
				o.color = true;
			else if (!strcmp(optarg, "never"))
				o.color = false;
			else if (strcmp(optarg, "auto")) {
				fprintf(stderr, "falcoc: --color expects auto, always or never, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': printf("falcoc 0.1.0 (rules engine version %s)\n", FC_ENGINE_VERSION); return 0;
		default: fputs("Try 'falcoc --help'.\n", stderr); return 2;
		}
	}
	if (!strcmp(fmt, "text"))
		o.fmt = FMT_TEXT;
	else if (!strcmp(fmt, "falco"))
		o.fmt = FMT_FALCO;
	else if (!strcmp(fmt, "json"))
		o.fmt = FMT_JSON;
	else {
		fprintf(stderr, "falcoc: --format expects text, falco or json, not '%s'\n", fmt);
		return 2;
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *cmd = argv[optind++];
	if (!strcmp(cmd, "validate"))
		return cmd_validate(&o, argc - optind, argv + optind);
	if (!strcmp(cmd, "describe"))
		return cmd_describe(&o, argc - optind, argv + optind);
	if (!strcmp(cmd, "compile"))
		return cmd_compile(&o, argc - optind, argv + optind);
	if (!strcmp(cmd, "keygen"))
		return cmd_keygen(argc - optind, argv + optind);
	if (!strcmp(cmd, "dump"))
		return cmd_dump(&o, argc - optind, argv + optind);
	if (!strcmp(cmd, "list-fields")) {
		if (o.fmt == FMT_FALCO)
			o.fmt = FMT_TEXT;
		return cmd_list_fields(&o);
	}
	fprintf(stderr, "falcoc: unknown command '%s'\nTry 'falcoc --help'.\n", cmd);
	return 2;
}
