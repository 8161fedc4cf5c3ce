/* emit.c — linearisation of each program's predicate graph into VM bytecode (opcodes.def):
 * blocks in a topological order (reverse postorder from the entry, true side first), so every
 * jump goes forward; RET 1 / RET 0 terminals at the end; a jump longer than the u16 range goes
 * through a trampoline (an always-true EVTYPE test) or to a duplicated RET. Operands move from
 * the working pools to the final ones, which therefore hold only what the code, the slots and
 * the rules use, numbered in first-use order. Each instruction gets a source-map entry: the
 * position of the field token of the leaf it came from (the program's own position for RET and
 * trampolines). Also the `dump --stage=bc` disassembler. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

uint32_t ir_jump_limit = 0xFFFF;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

uint32_t ir_out_slot(struct ir_mod *m, struct ir_out *o, uint32_t ws)
{
	if (o->slotmap[ws] != FC_NONE)
		return o->slotmap[ws];
	const struct ir_slot *s = &m->p.slots[ws];
	uint32_t *args = xrealloc(NULL, sizeof(uint32_t) * (s->n + 1));
	for (uint32_t i = 0; i < s->n; i++) {
		uint32_t a = m->p.sargs[s->first + i];
		if (a & FC_ARG_STR) {
			uint32_t len;
			const char *str = ir_strp(&m->p, a & ~FC_ARG_STR, &len);
			args[i] = FC_ARG_STR | ir_str(&o->p, str, len);
		} else {
			args[i] = ir_out_slot(m, o, a); /* arguments first: they get lower numbers */
		}
	}
	struct ir_slot n = *s;
	uint32_t len;
	const char *str = ir_strp(&m->p, s->name, &len);
	n.name = ir_str(&o->p, str, len);
	if (s->arg != FC_NONE) {
		str = ir_strp(&m->p, s->arg, &len);
		n.arg = ir_str(&o->p, str, len);
	}
	str = ir_strp(&m->p, s->text, &len);
	n.text = ir_str(&o->p, str, len);
	uint32_t id = ir_slot(&o->p, &n, args, s->n);
	free(args);
	o->slotmap[ws] = id;
	return id;
}

static uint32_t out_str(struct ir_mod *m, struct ir_out *o, uint32_t sid)
{
	uint32_t len;
	const char *s = ir_strp(&m->p, sid, &len);
	return ir_str(&o->p, s, len);
}

static uint32_t remap_k(struct ir_mod *m, struct ir_out *o, const struct ir_test *t)
{
	switch (fc_opcode_kfmt(t->op)) {
	case K_STR:
		return out_str(m, o, t->k);
	case K_CONST:
		return ir_const(&o->p, m->p.consts[t->k]);
	case K_LIST: {
		const struct ir_list *l = &m->p.lists[t->k];
		uint32_t *it = xrealloc(NULL, sizeof(uint32_t) * (l->n + 1));
		for (uint32_t i = 0; i < l->n; i++) {
			uint32_t x = m->p.items[l->first + i];
			it[i] = l->kind == FC_LK_NUM ? ir_const(&o->p, m->p.consts[x]) : out_str(m, o, x);
		}
		uint32_t id = ir_list(&o->p, l->kind, it, l->n);
		free(it);
		return id;
	}
	case K_EVSET:
		return ir_evset(&o->p, &m->p.evsets[t->k]);
	case K_REGEX: {
		const struct ir_regex *r = &m->p.regex[t->k];
		/* Pattern first, then literal, as separate statements: the order of evaluation of
		 * function arguments is unspecified (gcc goes right to left on x86_64, left to right on
		 * aarch64), and the interning order decides string ids, so bundle bytes (issue 7). */
		uint32_t pat = out_str(m, o, r->pat);
		uint32_t lit = r->lit == FC_NONE ? FC_NONE : out_str(m, o, r->lit);
		return ir_regex(&o->p, pat, lit, r->flags);
	}
	case K_SLOT:
		return ir_out_slot(m, o, t->k);
	default: /* K_PROG (program indexes are final already), K_BOOL, K_NONE */
		return t->k;
	}
}

/* Items of the linear order: blocks, terminals and trampolines; jumps name items. */
enum { IT_BLOCK, IT_RET, IT_TRAMP };
struct item {
	uint8_t kind;
	uint32_t ref;    /* block index / RET value */
	uint32_t jt, jf; /* item ids */
};

struct lin {
	struct item *it;
	uint32_t nit, capit;
	uint32_t *seq, nseq, capseq;
	uint32_t *pos;
};

static uint32_t add_item(struct lin *L, struct item x)
{
	if (L->nit == L->capit) {
		L->capit = L->capit ? L->capit * 2 : 64;
		L->it = xrealloc(L->it, sizeof(*L->it) * L->capit);
	}
	L->it[L->nit] = x;
	return L->nit++;
}

static void seq_insert(struct lin *L, uint32_t at, uint32_t item)
{
	if (L->nseq == L->capseq) {
		L->capseq = L->capseq ? L->capseq * 2 : 64;
		L->seq = xrealloc(L->seq, sizeof(uint32_t) * L->capseq);
	}
	memmove(L->seq + at + 1, L->seq + at, sizeof(uint32_t) * (L->nseq - at));
	L->seq[at] = item;
	L->nseq++;
}

/* Depth-first postorder from ROOT over blocks not yet marked (true side first). */
static void dfs(const struct ir_prog *p, uint32_t root, uint8_t *mark, uint32_t *post, uint32_t *np)
{
	if (IR_IS_RET(root) || mark[root])
		return;
	uint32_t *stk = xrealloc(NULL, sizeof(uint32_t) * 2 * (p->nb + 1)), sp = 0;
	mark[root] = 1;
	stk[sp++] = root;
	stk[sp++] = 0;
	while (sp) {
		uint32_t b = stk[sp - 2], *st = &stk[sp - 1];
		if (*st < 2) {
			uint32_t s = *st == 0 ? p->b[b].jt : p->b[b].jf;
			(*st)++;
			if (!IR_IS_RET(s) && !mark[s]) {
				mark[s] = 1;
				stk[sp++] = s;
				stk[sp++] = 0;
			}
			continue;
		}
		post[(*np)++] = b;
		sp -= 2;
	}
	free(stk);
}

static bool emit_prog(struct ir_mod *m, struct ir_out *o, uint32_t pi)
{
	const struct ir_prog *p = &m->progs[pi];
	struct lin L = {0};
	/* block order: reverse postorder from the entry, which the VM runs first. Blocks the entry
	 * does not reach (left by constant kids when DEAD is off) are not emitted: one of them
	 * may jump into the reachable part, and no forward-only order could then start with the
	 * entry (placed first, a dead block would run instead of the entry). */
	uint8_t *mark = calloc(p->nb + 1, 1);
	uint32_t *post = xrealloc(NULL, sizeof(uint32_t) * (p->nb + 1)), np = 0;
	if (!mark)
		abort();
	dfs(p, p->entry, mark, post, &np);
	uint32_t *bitem = xrealloc(NULL, sizeof(uint32_t) * (p->nb + 1));
	for (uint32_t i = np; i-- > 0;)
		bitem[post[i]] = add_item(&L, (struct item){IT_BLOCK, post[i], 0, 0});
	uint32_t ret1 = add_item(&L, (struct item){IT_RET, 1, 0, 0});
	uint32_t ret0 = add_item(&L, (struct item){IT_RET, 0, 0, 0});
	bool use1 = p->entry == IR_RET1, use0 = p->entry == IR_RET0;
	for (uint32_t i = 0; i < L.nit; i++) {
		struct item *x = &L.it[i];
		if (x->kind != IT_BLOCK)
			continue;
		const struct ir_block *k = &p->b[x->ref];
		x->jt = k->jt == IR_RET1 ? ret1 : k->jt == IR_RET0 ? ret0 : bitem[k->jt];
		x->jf = k->jf == IR_RET1 ? ret1 : k->jf == IR_RET0 ? ret0 : bitem[k->jf];
		use1 |= k->jt == IR_RET1 || k->jf == IR_RET1;
		use0 |= k->jt == IR_RET0 || k->jf == IR_RET0;
	}
	for (uint32_t i = 0; i < ret1; i++)
		seq_insert(&L, L.nseq, i);
	if (use1)
		seq_insert(&L, L.nseq, ret1);
	if (use0)
		seq_insert(&L, L.nseq, ret0);
	free(bitem);
	free(post);
	free(mark);

	/* jumps beyond the u16 range: a copy of the RET right after the jump, or a trampoline
	 * LIMIT instructions ahead (chained as often as needed) */
	uint32_t budget = 16 * L.nseq + 1024; /* a pathological jump limit cannot loop forever */
	bool ok = true;
	for (bool again = true; again;) {
		again = false;
		if (L.nseq > budget) {
			ok = false;
			break;
		}
		L.pos = xrealloc(L.pos, sizeof(uint32_t) * L.nit);
		memset(L.pos, 0xff, sizeof(uint32_t) * L.nit);
		for (uint32_t i = 0; i < L.nseq; i++)
			L.pos[L.seq[i]] = i;
		for (uint32_t i = 0; i < L.nseq && !again; i++) {
			struct item *x = &L.it[L.seq[i]];
			if (x->kind == IT_RET)
				continue;
			for (int side = 0; side < 2 && !again; side++) {
				uint32_t tgt = side ? x->jf : x->jt;
				uint32_t d = L.pos[tgt] - i - 1;
				if (d <= ir_jump_limit)
					continue;
				/* reuse a copy of the RET, or a trampoline to the same place, within reach */
				uint32_t nid = FC_NONE, at = i + ir_jump_limit;
				bool ret = L.it[tgt].kind == IT_RET;
				for (uint32_t j = i + 1; j <= at && j < L.nseq && nid == FC_NONE; j++) {
					const struct item *y = &L.it[L.seq[j]];
					if (ret ? y->kind == IT_RET && y->ref == L.it[tgt].ref
						: y->kind == IT_TRAMP && y->jt == tgt)
						nid = L.seq[j];
				}
				bool fresh = nid == FC_NONE;
				if (fresh)
					nid = ret ? add_item(&L, (struct item){IT_RET, L.it[tgt].ref, 0, 0})
						  : add_item(&L, (struct item){IT_TRAMP, 0, tgt, tgt});
				x = &L.it[L.seq[i]]; /* add_item may have moved the array */
				if (side)
					x->jf = nid;
				else
					x->jt = nid;
				if (fresh)
					seq_insert(&L, at, nid);
				again = true;
			}
		}
	}

	uint32_t start = o->ncode;
	uint32_t depth = 1, all = FC_NONE;
	struct ir_loc ploc = p->loc;
	for (uint32_t i = 0; i < L.nseq; i++) {
		const struct item *x = &L.it[L.seq[i]];
		struct fc_binsn in = {0};
		struct ir_loc loc = ploc;
		if (x->kind == IT_RET) {
			in.op = FC_OPC_RET;
			in.k = x->ref;
		} else if (x->kind == IT_TRAMP) {
			if (all == FC_NONE) {
				fc_evtset full;
				fc_evtset_fill(&full);
				all = ir_evset(&o->p, &full);
			}
			in.op = FC_OPC_EVTYPE;
			in.k = all;
		} else {
			const struct ir_block *k = &p->b[x->ref];
			in.op = k->t.op;
			in.aux = k->t.aux;
			if (k->t.op != FC_OPC_EVTYPE && k->t.op != FC_OPC_SUB) {
				uint32_t s = ir_out_slot(m, o, k->t.slot);
				if (s > 0xFFFF)
					ok = false;
				in.slot = (uint16_t)s;
			}
			in.k = remap_k(m, o, &k->t);
			if (k->t.op == FC_OPC_SUB && o->progs[in.k].depth + 1 > depth)
				depth = o->progs[in.k].depth + 1;
			if (k->loc.line)
				loc = k->loc;
		}
		if (x->kind != IT_RET) {
			in.jt = (uint16_t)(L.pos[x->jt] - i - 1);
			in.jf = (uint16_t)(L.pos[x->jf] - i - 1);
		}
		if (o->ncode == o->capcode) {
			o->capcode = o->capcode ? o->capcode * 2 : 256;
			o->code = xrealloc(o->code, sizeof(*o->code) * o->capcode);
			o->src = xrealloc(o->src, sizeof(*o->src) * o->capcode);
		}
		o->src[o->ncode] = (struct ir_srcent){pi, loc.file ? out_str(m, o, loc.file) : 0, loc.line, loc.col};
		o->code[o->ncode++] = in;
	}
	o->progs[pi] = (struct ir_oprog){start, o->ncode - start, p->kind, depth};
	if (depth > FC_MAX_DEPTH)
		ok = false;
	free(L.it);
	free(L.seq);
	free(L.pos);
	return ok;
}

bool ir_emit(struct ir_mod *m, struct ir_out *o)
{
	memset(o, 0, sizeof(*o));
	ir_pools_init(&o->p);
	o->slotmap = xrealloc(NULL, sizeof(uint32_t) * (m->p.nslot + 1));
	memset(o->slotmap, 0xff, sizeof(uint32_t) * (m->p.nslot + 1));
	o->progs = calloc(m->nprogs + 1, sizeof(*o->progs));
	if (!o->progs)
		abort();
	o->nprogs = m->nprogs;
	bool ok = true;
	for (uint32_t i = 0; i < m->nprogs; i++) {
		if (!emit_prog(m, o, i)) {
			ok = false;
			const struct ir_loc l = m->progs[i].loc;
			fc_diag(m->c->rs->diags, FC_LOAD_ERR_COMPILE_CONDITION, NULL, (struct fc_loc){0},
				"back-end limit: program %u (%s at %s:%u) needs more than 65536 value slots, %u "
				"levels of shared sub-expressions, or jumps the emitter cannot split",
				i, ir_prog_name(m, i), ir_strp(&m->p, l.file, NULL), l.line, FC_MAX_DEPTH);
		}
	}
	return ok;
}

void ir_out_free(struct ir_out *o)
{
	ir_pools_free(&o->p);
	free(o->code);
	free(o->src);
	free(o->progs);
	free(o->slotmap);
	memset(o, 0, sizeof(*o));
}

/* ---- disassembly ------------------------------------------------------------------------ */

static void mark_calls(const struct ir_out *o, uint32_t prog, bool *want)
{
	if (want[prog])
		return;
	want[prog] = true;
	const struct ir_oprog *p = &o->progs[prog];
	for (uint32_t i = p->start; i < p->start + p->len; i++)
		if (o->code[i].op == FC_OPC_SUB)
			mark_calls(o, o->code[i].k, want);
}

void ir_dump_bc(const struct ir_mod *m, const struct ir_out *o, const char *rule, FILE *out)
{
	bool *want = calloc(o->nprogs + 1, 1);
	if (!want)
		abort();
	for (uint32_t i = 0; i < m->nrules; i++)
		if (!rule || !strcmp(rule, m->rules[i].cr->rule->name))
			mark_calls(o, m->rules[i].prog, want);
	struct fc_buf b = {0};
	if (!rule)
		fc_buf_printf(&b, "; %u programs (%u shared), %u instructions, %u slots, %u strings, %u lists\n",
			      o->nprogs, m->nsubs, o->ncode, o->p.nslot, o->p.nstr, o->p.nlist);
	for (uint32_t pi = 0; pi < o->nprogs; pi++) {
		if (!want[pi])
			continue;
		const struct ir_oprog *p = &o->progs[pi];
		if (p->kind == FC_PK_RULE)
			fc_buf_printf(&b, "prog %u rule '%s'", pi, ir_prog_name(m, pi));
		else
			fc_buf_printf(&b, "prog %u sub", pi);
		fc_buf_printf(&b, " (%u insns, depth %u)\n", p->len, p->depth);
		for (uint32_t i = 0; i < p->len; i++) {
			const struct fc_binsn *in = &o->code[p->start + i];
			const struct ir_srcent *se = &o->src[p->start + i];
			size_t s0 = b.len;
			fc_buf_printf(&b, "  %04u  ", i);
			struct ir_test t = {in->op, in->aux, in->slot, in->k};
			ir_test_text(&b, &o->p, &t);
			if (in->op != FC_OPC_RET) {
				while (b.len - s0 < 70)
					fc_buf_putc(&b, ' ');
				fc_buf_printf(&b, " jt %04u jf %04u", i + 1 + in->jt, i + 1 + in->jf);
			}
			if (se->line) {
				while (b.len - s0 < 90)
					fc_buf_putc(&b, ' ');
				fc_buf_printf(&b, "  ; %s:%u", ir_strp(&o->p, se->file, NULL), se->line);
			}
			fc_buf_putc(&b, '\n');
		}
	}
	if (b.len)
		fwrite(b.p, 1, b.len, out);
	fc_buf_free(&b);
	free(want);
}
