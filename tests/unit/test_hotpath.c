/* test_hotpath.c — the fast paths added for the event hot path (benchmarks/vm/vm_mix), each
 * checked against a plain reference:
 *   - VM: rule guards (a leading SUB tested inline), per-program "may be true" event-code sets
 *     and SUB calls on an explicit stack, against a recursive reference evaluator over random
 *     programs (nested SUBs, EVTYPE tests, missing values), on codes inside and outside the
 *     sets and on an out-of-range code; memo statistics unchanged;
 *   - string sets (length / first-byte pre-checks) against a linear search;
 *   - fc_memmem (anchored on the first non-slash byte) against a naive search;
 *   - fc_path_join's clean-path shortcut against fc_path_concat (the sanitizing original);
 *   - IPv4 socket names and fc_ip_render against inet_ntop + printf;
 *   - the state engine sharing a parent's cgroups and container on fork and exec. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "bundle_builder.h"
#include "statehelp.h"
#include "vm.h"
#include "vmops.h"

static uint64_t rs = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs % n);
}

/* ------------------------------------------------------------------ VM vs reference */

#define NFIELDS 4
static const char *const fnames[NFIELDS] = {"proc.pid", "proc.ppid", "proc.vpid", "fd.num"};
static const int codes[] = {2, 3, 5, 7};

struct fake_ev {
	int64_t v[NFIELDS];
	bool present[NFIELDS];
	int calls;
};

static bool fake_extract(void *ctx, const struct fc_fieldspec *f, struct fc_val *out)
{
	struct fake_ev *e = ctx;
	e->calls++;
	for (int i = 0; i < NFIELDS; i++) {
		struct fc_fieldref r;
		char err[128];
		cr_assert(fc_field_resolve(fnames[i], NULL, &r, err, sizeof err));
		if (r.id == f->id) {
			if (!e->present[i])
				break;
			*out = (struct fc_val){.kind = FC_V_I64, .i = e->v[i]};
			return true;
		}
	}
	out->kind = FC_V_NONE;
	return false;
}

/* The builder's own arrays, evaluated recursively with no memo, guard or set. */
struct refctx {
	const struct bb *b;
	const uint32_t *slot_field; /* builder slot → fnames index */
	const uint64_t *consts;     /* constant index → value */
	const struct fake_ev *ev;
	int code; /* -1: out of range (every EVTYPE false) */
};

static bool ref_eval(const struct refctx *c, uint32_t prog)
{
	const struct bb *b = c->b;
	uint32_t i = b->progs[prog].start;
	for (;;) {
		const struct fc_binsn *in = &b->code[i];
		bool r;
		switch (in->op) {
		case FC_OPC_RET:
			return in->k != 0;
		case FC_OPC_SUB:
			r = ref_eval(c, in->k);
			break;
		case FC_OPC_EVTYPE:
			r = c->code >= 0 && (b->evsets[in->k][c->code / 64] >> (c->code % 64) & 1);
			break;
		default: { /* EQ_N */
			uint32_t fi = c->slot_field[in->slot];
			r = c->ev->present[fi] && (uint64_t)c->ev->v[fi] == c->consts[in->k];
			break;
		}
		}
		i = i + 1 + (r ? in->jt : in->jf);
	}
}

/* A random program of LEN instructions: tests with forward jumps, then ret 1 and ret 0.
 * SUB operands are SUB programs below MAXSUB. */
static void random_prog(struct bb *b, uint32_t kind, uint32_t len, uint32_t maxsub, const uint32_t *slots,
			const uint32_t *cst, const uint32_t *evs, uint32_t nevs)
{
	bb_prog_begin(b, kind);
	for (uint32_t i = 0; i + 2 < len; i++) {
		uint32_t span = len - (i + 1); /* targets i+1 .. len-1 */
		uint16_t jt = (uint16_t)rnd(span), jf = (uint16_t)rnd(span);
		uint32_t what = rnd(10);
		if (what < 3 && maxsub)
			bb_ins(b, FC_OPC_SUB, 0, 0, rnd(maxsub), jt, jf);
		else if (what < 6)
			bb_ins(b, FC_OPC_EVTYPE, 0, 0, evs[rnd(nevs)], jt, jf);
		else
			bb_ins(b, FC_OPC_EQ_N, 0, (uint16_t)slots[rnd(NFIELDS)], cst[rnd(3)], jt, jf);
	}
	bb_ret(b, rnd(4) != 0);
	bb_ret(b, false);
}

Test(hotpath, vm_matches_reference_on_random_programs)
{
	for (int round = 0; round < 60; round++) {
		struct bb *b = bb_new();
		uint32_t slots[NFIELDS], slot_field[64] = {0};
		for (int i = 0; i < NFIELDS; i++) {
			slots[i] = bb_field(b, fnames[i], NULL);
			slot_field[slots[i]] = (uint32_t)i;
		}
		uint64_t consts[8];
		uint32_t cst[3];
		for (int i = 0; i < 3; i++) {
			cst[i] = bb_const(b, (uint64_t)i);
			consts[cst[i]] = (uint64_t)i;
		}
		uint32_t evs[5];
		evs[0] = bb_evset(b, 2, -1);
		evs[1] = bb_evset(b, 3, 5, -1);
		evs[2] = bb_evset(b, 7, -1);
		evs[3] = bb_evset(b, 2, 3, 5, 7, -1);
		evs[4] = bb_evset(b, 5, 9, -1);
		uint32_t nsub = 1 + rnd(8), nrule = 1 + rnd(12);
		for (uint32_t s = 0; s < nsub; s++)
			random_prog(b, FC_PK_SUB, 3 + rnd(8), s, slots, cst, evs, 5);
		uint32_t rule_ev[16];
		for (uint32_t r = 0; r < nrule; r++) {
			uint32_t p = b->nprog;
			random_prog(b, FC_PK_RULE, 3 + rnd(10), nsub, slots, cst, evs, 5);
			/* most rules indexed under every code; some under a subset */
			rule_ev[r] = rnd(3) ? evs[3] : evs[rnd(5)];
			char name[32];
			snprintf(name, sizeof name, "r%u", r);
			bb_rule(b, name, p, rule_ev[r]);
		}
		size_t len;
		uint8_t *img = bb_build(b, &len);
		struct fc_bundle *B;
		char err[512];
		cr_assert_eq(fc_bundle_load(img, len, &B, err, sizeof err), FC_BERR_OK, "%s", err);
		free(img);
		struct fc_vm *vm = fc_vm_new(B);
		cr_assert_not_null(vm);
		struct fake_ev ev;
		struct fc_extractor x = {fake_extract, &ev};
		for (int e = 0; e < 200; e++) {
			memset(&ev, 0, sizeof ev);
			for (int i = 0; i < NFIELDS; i++) {
				ev.present[i] = rnd(5) != 0;
				ev.v[i] = rnd(3);
			}
			int code = e % 5 == 4 ? 9 : codes[rnd(4)];
			struct refctx c = {b, slot_field, consts, &ev, code};
			uint32_t want[16], nwant = 0;
			for (uint32_t r = 0; r < nrule; r++)
				if ((b->evsets[rule_ev[r]][code / 64] >> (code % 64) & 1) && ref_eval(&c, b->rules[r].prog))
					want[nwant++] = r;
			uint32_t got[16];
			uint32_t n = fc_vm_run(vm, (uint16_t)code, &x, FC_MATCH_ALL, got, 16);
			cr_assert_eq(n, nwant, "round %d event %d code %d: %u matches, want %u", round, e, code, n, nwant);
			for (uint32_t i = 0; i < n; i++)
				cr_assert_eq(got[i], want[i]);
			cr_assert_leq(ev.calls, NFIELDS, "a field extracted twice in one event");
			/* FIRST mode: the first of them */
			n = fc_vm_run(vm, (uint16_t)code, &x, FC_MATCH_FIRST, got, 16);
			cr_assert_eq(n, nwant ? 1u : 0u);
			if (n)
				cr_assert_eq(got[0], want[0]);
			/* an out-of-range code through begin/eval: every EVTYPE false, nothing skipped */
			c.code = -1;
			fc_vm_begin(vm, 60000, &x);
			for (uint32_t r = 0; r < nrule; r++)
				cr_assert_eq(fc_vm_eval_rule(vm, r), ref_eval(&c, b->rules[r].prog), "rule %u, code 60000", r);
		}
		fc_vm_free(vm);
		fc_bundle_free(B);
		bb_free(b);
	}
}

Test(hotpath, vm_guard_keeps_memo_statistics)
{
	struct bb *b = bb_new();
	uint32_t s = bb_field(b, "proc.pid", NULL);
	uint32_t ev = bb_evset(b, 2, 3, -1), only3 = bb_evset(b, 3, -1);
	/* sub 0: evtype 3 and proc.pid = 1 */
	uint32_t sub = bb_prog_begin(b, FC_PK_SUB);
	bb_ins(b, FC_OPC_EVTYPE, 0, 0, only3, 0, 2);
	bb_ins(b, FC_OPC_EQ_N, 0, (uint16_t)s, bb_const(b, 1), 0, 1);
	bb_ret(b, true);
	bb_ret(b, false);
	/* three rules guarded by it */
	for (int r = 0; r < 3; r++) {
		uint32_t p = bb_prog_begin(b, FC_PK_RULE);
		bb_ins(b, FC_OPC_SUB, 0, 0, sub, 0, 1);
		bb_ret(b, true);
		bb_ret(b, false);
		char name[8];
		snprintf(name, sizeof name, "g%d", r);
		bb_rule(b, name, p, ev);
	}
	size_t len;
	uint8_t *img = bb_build(b, &len);
	struct fc_bundle *B;
	char err[256];
	cr_assert_eq(fc_bundle_load(img, len, &B, err, sizeof err), FC_BERR_OK, "%s", err);
	free(img);
	struct fc_vm *vm = fc_vm_new(B);
	struct fake_ev e = {.v = {1}, .present = {true}};
	struct fc_extractor x = {fake_extract, &e};
	uint32_t m[4];
	cr_assert_eq(fc_vm_run(vm, 3, &x, FC_MATCH_ALL, m, 4), 3);
	struct fc_vm_stats st;
	fc_vm_stats(vm, &st);
	cr_assert_eq(st.sub_hits, 2); /* evaluated once, reused twice */
	cr_assert_eq(st.extractions, 1);
	cr_assert_eq(st.rules_run, 3);
	/* code 2: the sub cannot be true; nothing is extracted */
	cr_assert_eq(fc_vm_run(vm, 2, &x, FC_MATCH_ALL, m, 4), 0);
	fc_vm_stats(vm, &st);
	cr_assert_eq(st.extractions, 1);
	cr_assert_eq(st.rules_run, 6);
	fc_vm_free(vm);
	fc_bundle_free(B);
	bb_free(b);
}

/* ------------------------------------------------------------------ string sets */

Test(hotpath, strset_prechecks_match_linear_search)
{
	static char pool[200][80];
	static uint32_t plen[200];
	for (int i = 0; i < 200; i++) {
		uint32_t l = i < 3 ? (uint32_t)i : rnd(75);
		for (uint32_t k = 0; k < l; k++)
			pool[i][k] = "ab/.\0\xff"[rnd(6)];
		plen[i] = l;
	}
	for (int round = 0; round < 200; round++) {
		uint32_t n = rnd(12);
		const char *s[12];
		uint32_t l[12];
		for (uint32_t i = 0; i < n; i++) {
			int k = (int)rnd(200);
			s[i] = pool[k];
			l[i] = plen[k];
		}
		bool dup;
		struct fc_strset *set = fc_strset_new(n, s, l, &dup);
		cr_assert_not_null(set);
		for (int k = 0; k < 200; k++) {
			bool want = false;
			for (uint32_t i = 0; i < n; i++)
				want |= l[i] == plen[k] && !memcmp(s[i], pool[k], plen[k]);
			cr_assert_eq(fc_strset_has(set, pool[k], plen[k]), want, "round %d item %d", round, k);
		}
		fc_strset_free(set);
	}
}

/* ------------------------------------------------------------------ substring search */

static const char *naive(const char *h, size_t hl, const char *n, size_t nl)
{
	for (size_t i = 0; i + nl <= hl; i++)
		if (!memcmp(h + i, n, nl))
			return h + i;
	return NULL;
}

Test(hotpath, memmem_matches_naive_search)
{
	/* haystacks from empty to past the memmem cutoff (256), needles of 1 to 20 bytes, over a
	 * small alphabet (many partial matches, the eight-starts step's false candidates); each
	 * haystack in a buffer of exactly its size, so that a read past it is a sanitizer error */
	for (int round = 0; round < 40000; round++) {
		size_t hl = round % 10 == 0 ? 250 + rnd(140) : round % 3 == 0 ? rnd(256) : rnd(40);
		size_t nl = 1 + (round % 4 == 0 ? rnd(20) : rnd(8));
		char *h = malloc(hl ? hl : 1), *n = malloc(nl);
		for (size_t i = 0; i < hl; i++)
			h[i] = "//.ab"[rnd(5)];
		for (size_t i = 0; i < nl; i++)
			n[i] = "//.ab"[rnd(5)];
		if (round % 7 == 0 && hl >= nl) /* plant the needle, sometimes near the end */
			memcpy(h + rnd((uint32_t)(hl - nl + 1)), n, nl);
		cr_assert_eq(fc_memmem(h, hl, n, nl), naive(h, hl, n, nl), "round %d", round);
		free(h);
		free(n);
	}
	const char *p = "/home/u/.ssh/id_rsa";
	cr_assert_eq(fc_memmem(p, strlen(p), "/.ssh/", 6), p + 7);
	cr_assert_null(fc_memmem("///", 3, "//.", 3));
	const char *q = "////";
	cr_assert_eq(fc_memmem(q, 4, "///", 3), q); /* the first occurrence */
	cr_assert_eq(fc_memmem(q, 4, "/", 1), q);
}

/* ------------------------------------------------------------------ paths */

static void check_join(const char *dir, const char *name)
{
	char want[8192], got[8192], base[4200];
	size_t dl = strlen(dir);
	memcpy(base, dir, dl);
	if (dl && base[dl - 1] != '/')
		base[dl++] = '/';
	base[dl] = 0;
	size_t wl = fc_path_concat(base, dl, name, strlen(name), want, sizeof want);
	size_t gl = fc_path_join(dir, strlen(dir), name, strlen(name), got, sizeof got);
	cr_assert_eq(gl, wl, "dir \"%s\" name \"%s\": %zu vs %zu", dir, name, gl, wl);
	cr_assert_str_eq(got, want, "dir \"%s\" name \"%s\"", dir, name);
}

Test(hotpath, path_join_matches_concatenate_paths)
{
	static const char *const dirs[] = {"", "/", "/home/u", "/home/u/", "/a/./b", "/x//y/", "rel/dir"};
	static const char *const names[] = {
		"/etc/passwd", "/", "//", "/a//b", "/a/./b", "/a/../b", "/a/b/", "/a/.hidden", "/a/..b", "/a/b.",
		"x", "x/y", "./x", "../x", ".", "..", "x/", ".x", "..x", "x/.", "x/..", "a\x01b", "/caf\xc3\xa9",
		"/tmp/.X11-unix", "", "/a/b/../../..",
	};
	for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++)
		for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
			check_join(dirs[d], names[n]);
	/* random names over the characters that matter */
	char name[64], dir[64];
	for (int round = 0; round < 20000; round++) {
		size_t nl = rnd(20), dl = rnd(12);
		for (size_t i = 0; i < nl; i++)
			name[i] = "/.ab\x7f"[rnd(round % 7 ? 4 : 5)];
		name[nl] = 0;
		for (size_t i = 0; i < dl; i++)
			dir[i] = "/.ab"[rnd(4)];
		dir[dl] = 0;
		check_join(dir, name);
	}
	/* the length limit of concatenate_paths */
	static char longname[1100], longdir[1100];
	for (size_t l = 1010; l < 1030; l++) {
		memset(longname, 'a', l);
		longname[0] = '/';
		longname[l] = 0;
		check_join("", longname);
		check_join("/d", longname + 1);
	}
	memset(longdir, 'd', 1000);
	longdir[0] = '/';
	longdir[1000] = 0;
	check_join(longdir, "short/name");
	check_join(longdir, "/abs/name");
	/* a small output buffer: the full length is still returned */
	char small[8];
	cr_assert_eq(fc_path_join("", 0, "/etc/passwd", 11, small, sizeof small), 11);
	cr_assert_str_eq(small, "/etc/pa");
}

/* ------------------------------------------------------------------ socket names */

Test(hotpath, ipv4_names_match_inet_ntop)
{
	for (int round = 0; round < 5000; round++) {
		struct fc_fdinfo f;
		memset(&f, 0, sizeof f);
		f.type = round % 3 ? FC_FD_IPV4_SOCK : FC_FD_IPV4_SERVSOCK;
		for (int i = 0; i < 4; i++) {
			f.sip[i] = (uint8_t)(round % 5 == 0 ? (i ? 0 : 255) : rnd(256));
			f.dip[i] = (uint8_t)rnd(256);
		}
		f.sport = (uint16_t)(round % 7 ? rnd(65536) : (round % 2 ? 0 : 65535));
		f.dport = (uint16_t)rnd(65536);
		fc_fd_set_inet_name(&f);
		char a[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN], want[128];
		inet_ntop(AF_INET, f.sip, a, sizeof a);
		inet_ntop(AF_INET, f.dip, c, sizeof c);
		if (f.type == FC_FD_IPV4_SOCK)
			snprintf(want, sizeof want, "%s:%u->%s:%u", a, f.sport, c, f.dport);
		else
			snprintf(want, sizeof want, "%s:%u", a, f.sport);
		cr_assert_not_null(f.name);
		cr_assert_str_eq(f.name->s, want);
		cr_assert_eq(f.name->len, strlen(want));
		char r[64];
		cr_assert_eq(fc_ip_render(f.sip, false, r, sizeof r), strlen(a));
		cr_assert_str_eq(r, a);
		fc_rstr_unref(f.name);
	}
	/* a buffer too small for any address: the library path, empty result */
	char tiny[4];
	uint8_t ip[4] = {10, 0, 0, 1};
	cr_assert_eq(fc_ip_render(ip, false, tiny, sizeof tiny), 0);
}

/* ------------------------------------------------------------------ state: shared cgroups */

#define CG_CTR "cpuset=/system.slice/docker-3f4e9a1b2c5d6e7f80912a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f.scope\0"

/* a fork of bash (200) into 300, seen from the caller (RES 300) or the child (RES 0) */
static const struct fc_evt *ev_fork_cg(uint64_t tid, int64_t res)
{
	eb_new(&EB, FC_PPME_SYSCALL_CLONE_20_X, TS += 1000, tid);
	eb_i(&EB, "res", res);
	eb_s(&EB, "exe", "/bin/ls");
	eb_blob(&EB, "args", "-l", 3);
	eb_i(&EB, "tid", 300);
	eb_i(&EB, "pid", 300);
	eb_i(&EB, "ptid", 200);
	eb_s(&EB, "comm", "ls");
	eb_blob(&EB, "cgroups", CG_CTR, sizeof CG_CTR - 1);
	eb_i(&EB, "flags", 0);
	eb_i(&EB, "vtid", 300);
	eb_i(&EB, "vpid", 300);
	return eb_done(&EB);
}

static const struct fc_evt *ev_exec_cg(uint64_t tid, const char *cg, size_t cglen)
{
	eb_new(&EB, FC_PPME_SYSCALL_EXECVE_19_X, TS += 1000, tid);
	eb_i(&EB, "res", 0);
	eb_s(&EB, "exe", "/bin/ls");
	eb_blob(&EB, "args", "-l\0", 3);
	eb_i(&EB, "tid", (int64_t)tid);
	eb_i(&EB, "pid", (int64_t)tid);
	eb_i(&EB, "ptid", 200);
	eb_s(&EB, "comm", "ls");
	eb_blob(&EB, "cgroups", cg, cglen);
	eb_s(&EB, "trusted_exepath", "/bin/ls");
	return eb_done(&EB);
}

Test(hotpath, fork_and_exec_share_cgroups_and_container)
{
	struct fc_state *st = st_tree();
	/* bash moves into a container by exec (its cgroups change) */
	feed(st, ev_exec_cg(200, CG_CTR, sizeof CG_CTR - 1));
	struct fc_thread *bash = fc_thread_find(st, 200);
	cr_assert_not_null(bash->ctr);
	cr_assert_str_eq(bash->ctr->id, "3f4e9a1b2c5d");
	uint32_t refs = bash->ctr->refs;
	/* fork: the child's event repeats the cgroups → the same string and container */
	feed(st, ev_fork_cg(200, 300));
	feed(st, ev_fork_cg(300, 0));
	struct fc_thread *c = fc_thread_find(st, 300);
	cr_assert_not_null(c);
	cr_assert_eq(c->ctr, bash->ctr);
	cr_assert_eq(c->cgroups, bash->cgroups, "the child shares the parent's cgroups string");
	cr_assert_eq(c->exe, bash->exe, "and its exe");
	cr_assert_eq(bash->ctr->refs, refs + 1);
	run(st, ev_exec_cg(300, CG_CTR, sizeof CG_CTR - 1));
	assert_str(st, "container.id", "3f4e9a1b2c5d");
	done(st);
	cr_assert_eq(c->ctr, bash->ctr);
	/* exec into other cgroups: host again */
	static const char host[] = "cpuset=/user.slice\0";
	run(st, ev_exec_cg(300, host, sizeof host - 1));
	assert_str(st, "container.id", "host");
	done(st);
	cr_assert_null(c->ctr);
	cr_assert_eq(bash->ctr->refs, refs);
	fc_state_free(st);
}
