/* unwind: DWARF CFI unwinding of copied user stacks (see unwind.h).
 *
 * The walk keeps the x86-64 DWARF registers 0..16 (rax, rdx, rcx, rbx, rsi,
 * rdi, rbp, rsp, r8..r15, and 16 = the return address column) with a valid
 * bit each. Per frame: find the mapping of pc; in a DSO, ask libdw for the
 * CFI row at pc (pc - 1 for callers, as libdwfl does), evaluate the CFA and
 * the register rules against the stack copy (dwexpr); in JIT memory, use
 * the jitdump's unwind info (jitcfi) or the layout of a CPython trampoline
 * (pytramp); where there is no CFI, follow the frame pointer when it is
 * plausible. CFI rows of the common shape are cached as struct rule.
 */
#include <elfutils/libdw.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dwarf.h>

#include "array.h"
#include "dso.h"
#include "dwexpr.h"
#include "jitcfi.h"
#include "pytramp.h"
#include "session.h"
#include "symcache.h"
#include "unwind.h"

#define NR_DWARF_REGS 17
#define DW_RBP 6
#define DW_RSP 7
#define DW_RA 16

/* perf's x86 register numbers (asm/perf_regs.h) of DWARF registers 0..16 */
static const uint8_t perf_reg_of[NR_DWARF_REGS] = {
	0 /* ax */, 3 /* dx */, 2 /* cx */, 1 /* bx */, 4 /* si */, 5 /* di */,
	6 /* bp */, 7 /* sp */, 16, 17, 18, 19, 20, 21, 22, 23 /* r8-r15 */,
	8 /* ip */,
};

/* A CFI row in the shape almost every x86-64 row has: CFA = register +
 * offset, each register undefined, unchanged, saved at CFA + offset or
 * equal to CFA + offset. Cached per (DSO, table, address), so a return
 * address seen again costs no libdw lookup. */

struct rule {
	uint64_t addr;
	uint32_t key;			/* 0: empty slot; 1 + dso index * 2 +
					 * (0 .eh_frame, 1 .debug_frame); or
					 * 0x80000000 | jitcfi table id */
	uint8_t cfa_reg, ra;
	int64_t cfa_off;
	int32_t off[NR_DWARF_REGS];
	/* a bit per register: unchanged, saved at CFA + off, equal to
	 * CFA + off (none: undefined), so a step visits only registers with
	 * a rule */
	uint32_t same, at_cfa, val_cfa;
};

struct regs {
	uint64_t r[NR_DWARF_REGS];
	uint32_t valid;			/* bit per DWARF register */
};

struct stack {
	uint64_t sp;			/* address of stack[0] */
	const uint8_t *data;
	uint64_t len;
};

struct unwind {
	struct session *session;
	struct symcache *syms;
	/* the dsos walked, by an index of their own (rules' keys) */
	struct dso **dsos;
	size_t nr_dsos, dsos_cap;
	size_t interp;			/* index of the last interpreter whose
					 * trampoline was stepped, or SIZE_MAX */
	struct unwind_stats st;
	struct jitcfi *jitcfi;		/* jitdump unwind info as CFI */
	struct rule *rules;		/* open addressing, power of 2 */
	size_t nr_rules, rules_cap;
	uint32_t *dso_of_map;		/* session_map id -> 1 + dso index */
	size_t dso_of_map_cap;
	/* per walk */
	int32_t pid;
	struct stack stk;
	const struct session_map *map;	/* of the last frame (or NULL) */
	bool is_jit;			/* map holds JIT code */
	enum unwind_stop read_fail;	/* why the last read failed */
};

static const char *const stop_str[UNWIND_NR_STOPS] = {
	[UNWIND_END] = "outermost frame",
	[UNWIND_NO_REGS] = "no user registers or stack",
	[UNWIND_STACK_END] = "stack copy too small",
	[UNWIND_BAD_SP] = "stack pointer outside the copy",
	[UNWIND_NO_MAP] = "address in no mapping",
	[UNWIND_NO_CFI] = "no unwind info",
	[UNWIND_BAD_CFI] = "bad unwind info",
	[UNWIND_LOOP] = "CFA loop",
	[UNWIND_JIT] = "JIT code without unwind info",
	[UNWIND_TRAMPOLINE] = "unknown CPython trampoline",
	[UNWIND_DEPTH] = "too deep",
	[UNWIND_ARCH] = "registers of an unsupported architecture",
};

const char *unwind__stop_str(enum unwind_stop why)
{
	return why < UNWIND_NR_STOPS ? stop_str[why] : "?";
}

struct unwind *unwind__new(struct session *s, struct symcache *sc)
{
	struct unwind *u = calloc(1, sizeof(*u));

	if (!u) {
		errno = ENOMEM;
		return NULL;
	}
	u->session = s;
	u->syms = sc;
	u->interp = SIZE_MAX;
	u->jitcfi = jitcfi__new();
	if (!u->jitcfi) {
		free(u);
		errno = ENOMEM;
		return NULL;
	}
	return u;
}

void unwind__free(struct unwind *u)
{
	if (!u)
		return;
	free(u->dsos);
	free(u->rules);
	free(u->dso_of_map);
	jitcfi__free(u->jitcfi);
	free(u);
}

void unwind__stats(const struct unwind *u, struct unwind_stats *st)
{
	*st = u->st;
	st->nr_dwarf_prefetched = symcache__nr_dwarf_prefetched(u->syms);
}

/* ---- DSOs ---- */

/* The index in u->dsos of mapping m's dso, or SIZE_MAX (no file, no
 * ELF). Remembered per mapping. */
static size_t find_dso_slow(struct unwind *u, const struct session_map *m)
{
	struct dso *d;
	size_t i;

	if (m->filename[0] == '[')
		return SIZE_MAX;	/* [vdso] and such: no file to read */
	d = symcache__dso(u->syms, m->filename,
			  m->build_id_size ? m->build_id : NULL,
			  m->build_id_size);
	if (!d)
		return SIZE_MAX;
	for (i = 0; i < u->nr_dsos; i++)
		if (u->dsos[i] == d)
			return i;
	if (array__reserve((void **)&u->dsos, &u->dsos_cap, u->nr_dsos + 1,
			   sizeof(*u->dsos)) < 0)
		return SIZE_MAX;
	u->dsos[u->nr_dsos] = d;
	return u->nr_dsos++;
}

static size_t find_dso(struct unwind *u, const struct session_map *m)
{
	size_t idx;

	if (m->id < u->dso_of_map_cap && u->dso_of_map[m->id])
		return u->dso_of_map[m->id] == UINT32_MAX ?
			       SIZE_MAX : u->dso_of_map[m->id] - 1;
	idx = find_dso_slow(u, m);
	if (m->id >= u->dso_of_map_cap) {
		size_t ncap = u->dso_of_map_cap ? u->dso_of_map_cap : 64;
		uint32_t *n;

		while (ncap <= m->id)
			ncap *= 2;
		n = realloc(u->dso_of_map, ncap * sizeof(*n));
		if (!n)
			return idx;
		memset(n + u->dso_of_map_cap, 0,
		       (ncap - u->dso_of_map_cap) * sizeof(*n));
		u->dso_of_map = n;
		u->dso_of_map_cap = ncap;
	}
	u->dso_of_map[m->id] = idx == SIZE_MAX ? UINT32_MAX
					       : (uint32_t)idx + 1;
	return idx;
}

/* ---- memory ---- */

static bool read_word(struct unwind *u, uint64_t addr, uint64_t *val)
{
	const struct stack *s = &u->stk;
	const struct session_map *m;
	const uint8_t *p;
	size_t idx;

	if (addr >= s->sp && addr - s->sp <= s->len && s->len - (addr - s->sp) >= 8) {
		memcpy(val, s->data + (addr - s->sp), 8);
		return true;
	}
	/* read-only data of a mapped file, e.g. a CFI expression's deref */
	m = session__find_map(u->session, u->pid, addr);
	if (m && (idx = find_dso(u, m)) != SIZE_MAX &&
	    (p = dso__bytes(u->dsos[idx], dso__addr(u->dsos[idx], m, addr),
			    8))) {
		memcpy(val, p, 8);
		return true;
	}
	u->read_fail = addr < s->sp ? UNWIND_BAD_SP : UNWIND_STACK_END;
	return false;
}

static bool read_cb(void *ctx, uint64_t addr, uint64_t *val)
{
	return read_word(ctx, addr, val);
}

static int eval(struct unwind *u, const Dwarf_Op *ops, size_t nops,
		const struct regs *r, uint64_t cfa, uint64_t *val,
		bool *is_value)
{
	const struct dwexpr_ctx c = {
		.regs = r->r, .valid = r->valid, .nr_regs = NR_DWARF_REGS,
		.cfa = cfa, .read = read_cb, .read_ctx = u,
	};

	return dwexpr__eval(&c, ops, nops, val, is_value);
}

/* ---- steps: regs is the frame's state, made its caller's ---- */

/* The caller's registers are complete: its stack pointer is the CFA
 * (x86-64 psABI), its pc the return address column. */
static void finish_step(struct regs *out, uint64_t cfa, int ra)
{
	out->r[DW_RSP] = cfa;
	out->valid |= 1u << DW_RSP;
	if (ra != DW_RA) {
		if (out->valid & (1u << ra)) {
			out->r[DW_RA] = out->r[ra];
			out->valid |= 1u << DW_RA;
		} else {
			out->valid &= ~(1u << DW_RA);
		}
	}
}

/* Any CFI row, through DWARF expressions. Frees fr. 0, or -EINVAL with
 * *why set. */
static int step_frame(struct unwind *u, Dwarf_Frame *fr, struct regs *r,
		      enum unwind_stop *why)
{
	Dwarf_Op *ops, mem[3];
	size_t nops;
	struct regs out = {.valid = 0};
	uint64_t cfa;
	bool is_value;
	int reg, ra;

	*why = UNWIND_BAD_CFI;
	ra = dwarf_frame_info(fr, NULL, NULL, NULL);
	if (ra < 0 || ra >= NR_DWARF_REGS ||
	    dwarf_frame_cfa(fr, &ops, &nops) || !nops ||
	    eval(u, ops, nops, r, 0, &cfa, &is_value))
		goto fail;
	for (reg = 0; reg < NR_DWARF_REGS; reg++) {
		uint64_t v;

		if (dwarf_frame_register(fr, reg, mem, &ops, &nops))
			continue;	/* unknown: the caller's is unknown */
		if (!nops) {
			/* ops NULL: same value; ops == mem: undefined */
			if (!ops && (r->valid & (1u << reg))) {
				out.r[reg] = r->r[reg];
				out.valid |= 1u << reg;
			}
			continue;
		}
		if (eval(u, ops, nops, r, cfa, &v, &is_value)) {
			if (reg == ra) {
				*why = u->read_fail;
				goto fail;
			}
			continue;
		}
		if (!is_value && !read_word(u, v, &v)) {
			if (reg == ra) {
				*why = u->read_fail;
				goto fail;
			}
			continue;
		}
		out.r[reg] = v;
		out.valid |= 1u << reg;
	}
	free(fr);
	finish_step(&out, cfa, ra);
	*r = out;
	return 0;
fail:
	free(fr);
	return -EINVAL;
}

/* fr as a simple rule, or false when some rule needs an expression */
static bool compile_rule(Dwarf_Frame *fr, struct rule *ru)
{
	Dwarf_Op *ops, mem[3];
	size_t nops;
	int reg, ra = dwarf_frame_info(fr, NULL, NULL, NULL);

	if (ra < 0 || ra >= NR_DWARF_REGS || dwarf_frame_cfa(fr, &ops, &nops))
		return false;
	if (nops != 1)
		return false;
	if (ops[0].atom >= DW_OP_breg0 && ops[0].atom < DW_OP_breg0 + NR_DWARF_REGS) {
		ru->cfa_reg = (uint8_t)(ops[0].atom - DW_OP_breg0);
		ru->cfa_off = (int64_t)ops[0].number;
	} else if (ops[0].atom == DW_OP_bregx && ops[0].number < NR_DWARF_REGS) {
		ru->cfa_reg = (uint8_t)ops[0].number;
		ru->cfa_off = (int64_t)ops[0].number2;
	} else {
		return false;
	}
	ru->ra = (uint8_t)ra;
	for (reg = 0; reg < NR_DWARF_REGS; reg++) {
		int64_t off = 0;
		size_t i = 1;

		if (dwarf_frame_register(fr, reg, mem, &ops, &nops))
			continue;	/* undefined */
		if (!nops) {
			if (!ops)
				ru->same |= 1u << reg;
			continue;
		}
		/* libdw writes offset(N) as call_frame_cfa [plus_uconst N]
		 * [stack_value] */
		if (ops[0].atom != DW_OP_call_frame_cfa)
			return false;
		if (i < nops && ops[i].atom == DW_OP_plus_uconst)
			off = (int64_t)ops[i++].number;
		if (off < INT32_MIN || off > INT32_MAX)
			return false;
		ru->off[reg] = (int32_t)off;
		if (i < nops && ops[i].atom == DW_OP_stack_value) {
			ru->val_cfa |= 1u << reg;
			i++;
		} else {
			ru->at_cfa |= 1u << reg;
		}
		if (i != nops)
			return false;
	}
	return true;
}

static int apply_rule(struct unwind *u, const struct rule *ru, struct regs *r,
		      enum unwind_stop *why)
{
	struct regs out = {.valid = 0};
	uint64_t cfa;
	uint32_t m;
	int reg;

	if (!(r->valid & (1u << ru->cfa_reg))) {
		*why = UNWIND_BAD_CFI;
		return -EINVAL;
	}
	cfa = r->r[ru->cfa_reg] + (uint64_t)ru->cfa_off;
	out.valid = ru->same & r->valid;
	for (m = out.valid; m; m &= m - 1) {
		reg = __builtin_ctz(m);
		out.r[reg] = r->r[reg];
	}
	for (m = ru->val_cfa; m; m &= m - 1) {
		reg = __builtin_ctz(m);
		out.r[reg] = cfa + (uint64_t)(int64_t)ru->off[reg];
		out.valid |= 1u << reg;
	}
	for (m = ru->at_cfa; m; m &= m - 1) {
		reg = __builtin_ctz(m);
		if (!read_word(u, cfa + (uint64_t)(int64_t)ru->off[reg],
			       &out.r[reg])) {
			if (reg == ru->ra) {
				*why = u->read_fail;
				return -EFAULT;
			}
			continue;
		}
		out.valid |= 1u << reg;
	}
	finish_step(&out, cfa, ru->ra);
	*r = out;
	return 0;
}

static struct rule *rule_slot(struct unwind *u, uint32_t key, uint64_t addr)
{
	uint64_t h = (addr ^ ((uint64_t)key << 44)) * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 20) & (u->rules_cap - 1);

	while (u->rules[i].key &&
	       (u->rules[i].key != key || u->rules[i].addr != addr))
		i = (i + 1) & (u->rules_cap - 1);
	return &u->rules[i];
}

static int rules_grow(struct unwind *u)
{
	struct rule *old = u->rules;
	size_t old_cap = u->rules_cap, i;

	u->rules_cap = old_cap ? old_cap * 2 : 1024;
	u->rules = calloc(u->rules_cap, sizeof(*u->rules));
	if (!u->rules) {
		u->rules = old;
		u->rules_cap = old_cap;
		return -ENOMEM;
	}
	for (i = 0; i < old_cap; i++)
		if (old[i].key)
			*rule_slot(u, old[i].key, old[i].addr) = old[i];
	free(old);
	return 0;
}

/* The CFI row of table cfi (key: which DSO and table) at addr, applied.
 * Returns 0, -ENOENT (no row) or another error with *why set. */
static int step_cfi(struct unwind *u, uint32_t key, Dwarf_CFI *cfi,
		    uint64_t addr, struct regs *r, enum unwind_stop *why)
{
	Dwarf_Frame *fr;
	struct rule *ru = NULL, tmp;

	if (!cfi)
		return -ENOENT;
	if ((u->nr_rules + 1) * 2 <= u->rules_cap || !rules_grow(u)) {
		ru = rule_slot(u, key, addr);
		if (ru->key)
			return apply_rule(u, ru, r, why);
	}
	if (dwarf_cfi_addrframe(cfi, addr, &fr))
		return -ENOENT;
	memset(&tmp, 0, sizeof(tmp));
	if (!compile_rule(fr, &tmp))
		return step_frame(u, fr, r, why);
	free(fr);
	if (ru) {
		tmp.key = key;
		tmp.addr = addr;
		*ru = tmp;
		u->nr_rules++;
	}
	return apply_rule(u, &tmp, r, why);
}

/* rbp chain: [rbp] = caller's rbp, [rbp + 8] = return address. Plausible
 * when rbp points into the copied stack, above sp, 8-aligned. */
static int step_fp(struct unwind *u, struct regs *r)
{
	uint64_t bp = r->r[DW_RBP], sp = r->r[DW_RSP], ra, nbp;

	if (!(r->valid & (1u << DW_RBP)) || bp < sp || (bp & 7) ||
	    bp - u->stk.sp + 16 > u->stk.len)
		return -ENOENT;
	if (!read_word(u, bp, &nbp) || !read_word(u, bp + 8, &ra))
		return -ENOENT;
	r->r[DW_RBP] = nbp;
	r->r[DW_RSP] = bp + 16;
	r->r[DW_RA] = ra;
	r->valid = (1u << DW_RBP) | (1u << DW_RSP) | (1u << DW_RA);
	return 0;
}

/* A CPython trampoline at offset off of its code: the caller's frame by
 * the layout, as a CFI row would give it. */
static int step_tramp(struct unwind *u, const struct pytramp *t, uint64_t off,
		      struct regs *r, enum unwind_stop *why)
{
	struct pytramp_rule pr;
	struct rule ru;

	if (pytramp__rule(t, off, &pr)) {
		*why = UNWIND_TRAMPOLINE;
		return -EINVAL;
	}
	memset(&ru, 0, sizeof(ru));	/* no rule: volatile registers */
	ru.cfa_reg = (uint8_t)pr.cfa_reg;
	ru.cfa_off = pr.cfa_off;
	ru.ra = DW_RA;
	ru.at_cfa = 1u << DW_RA;
	ru.off[DW_RA] = -8;
	if (pr.bp_off)
		ru.at_cfa |= 1u << DW_RBP;
	else
		ru.same |= 1u << DW_RBP;
	ru.off[DW_RBP] = (int32_t)pr.bp_off;
	/* rbx, r12-r15 */
	ru.same |= 1u << 3 | 1u << 12 | 1u << 13 | 1u << 14 | 1u << 15;
	return apply_rule(u, &ru, r, why);
}

/* JIT memory: a CPython trampoline of the interpreter (inner, the DSO of
 * the frame it called) or a stop. */
static int step_jit(struct unwind *u, uint64_t pc, uint64_t addr,
		    size_t inner_idx, struct regs *r, enum unwind_stop *why)
{
	const struct pytramp *tramp;
	struct jit_code j;

	*why = UNWIND_JIT;
	if (symcache__jit_code(u->syms, u->pid, addr, &j))
		return -ENOENT;
	if (j.eh_frame) {
		uint64_t a;
		uint32_t id;
		Dwarf_CFI *cfi = u->jitcfi ?
			jitcfi__table(u->jitcfi, j.eh_frame, j.eh_frame_len,
				      j.eh_frame_hdr, j.eh_frame_hdr_len,
				      j.start, addr, &a, &id) : NULL;
		int err = cfi ? step_cfi(u, 0x80000000u | id, cfi, a, r, why)
			      : -ENOENT;

		if (!err)
			u->st.nr_jit_cfi_steps++;
		if (err != -ENOENT)
			return err;
		*why = UNWIND_JIT;
	}
	if (strncmp(j.name, "py::", 4))
		return -ENOENT;
	*why = UNWIND_TRAMPOLINE;
	/* the interpreter it called; in a leaf trampoline, the last one */
	if (inner_idx == SIZE_MAX)
		inner_idx = u->interp;
	if (inner_idx == SIZE_MAX)
		return -ENOENT;
	tramp = dso__trampoline(u->dsos[inner_idx]);
	if (tramp->kind != PYTRAMP_SUB && tramp->kind != PYTRAMP_PUSH)
		return -ENOENT;
	if (j.size != tramp->len)
		return -ENOENT;	/* not the code the interpreter copies */
	u->st.nr_trampoline_steps++;
	u->interp = inner_idx;
	return step_tramp(u, tramp, pc - j.start, r, why);
}

/* The mapping holding addr in the walk's process, and in u->is_jit
 * whether it holds JIT code: most frames share the last one's. */
static const struct session_map *walk_map(struct unwind *u, uint64_t addr)
{
	const struct session_map *m = u->map;

	if (m && addr >= m->start && addr < m->end)
		return m;
	m = session__find_map(u->session, u->pid, addr);
	u->map = m;
	u->is_jit = m && m->is_jit;
	return m;
}

/* ---- the walk ---- */

static bool load_regs(const uint64_t *regs, uint32_t nr_regs,
		      uint64_t mask, struct regs *r)
{
	int reg;

	r->valid = 0;
	for (reg = 0; reg < NR_DWARF_REGS; reg++) {
		unsigned int bit = perf_reg_of[reg];
		uint32_t idx;

		if (!(mask & (1ULL << bit)))
			continue;
		idx = (uint32_t)__builtin_popcountll(mask & ((1ULL << bit) - 1));
		if (idx >= nr_regs)
			continue;
		r->r[reg] = regs[idx];
		r->valid |= 1u << reg;
	}
	return (r->valid & (1u << DW_RA)) && (r->valid & (1u << DW_RSP));
}

size_t unwind__stack(struct unwind *u, int32_t pid, const uint64_t *regs,
		     uint32_t nr_regs, uint64_t regs_mask, const void *stack,
		     uint64_t dyn_size, struct unwind_frame *out, size_t cap,
		     enum unwind_stop *why)
{
	size_t inner = SIZE_MAX;	/* index of the callee's DSO */
	struct regs r;
	size_t nr = 0;
	bool is_activation = true;

	u->st.nr_samples++;
	*why = UNWIND_NO_REGS;
	if (!load_regs(regs, nr_regs, regs_mask, &r))
		goto out;
	u->pid = pid;
	u->map = NULL;
	u->stk.sp = r.r[DW_RSP];
	u->stk.data = stack;
	u->stk.len = stack ? dyn_size : 0;
	for (;;) {
		const struct session_map *m;
		uint64_t pc = r.r[DW_RA], addr, sp = r.r[DW_RSP];
		size_t d_idx = SIZE_MAX;
		int err = -ENOENT;

		if (!pc || !(r.valid & (1u << DW_RA))) {
			*why = UNWIND_END;
			break;
		}
		if (nr == cap || nr == UNWIND_MAX_FRAMES) {
			*why = UNWIND_DEPTH;
			break;
		}
		out[nr].pc = pc;
		out[nr].sp = sp;
		out[nr++].is_activation = is_activation;
		addr = is_activation ? pc : pc - 1;
		m = walk_map(u, addr);
		if (!m) {
			*why = UNWIND_NO_MAP;
			break;
		}
		*why = UNWIND_NO_CFI;
		if (u->is_jit) {
			err = step_jit(u, pc, addr, inner, &r, why);
			if (err && *why == UNWIND_JIT && !step_fp(u, &r)) {
				u->st.nr_fp_steps++;
				err = 0;
			}
		} else if ((d_idx = find_dso(u, m)) != SIZE_MAX) {
			struct dso *d = u->dsos[d_idx];
			uint64_t a = dso__addr(d, m, addr);

			err = step_cfi(u, 1 + (uint32_t)d_idx * 2,
				       dso__eh_frame(d), a, &r, why);
			if (err == -ENOENT)
				err = step_cfi(u, 2 + (uint32_t)d_idx * 2,
					       dso__debug_frame(d), a, &r,
					       why);
			if (!err)
				u->st.nr_cfi_steps++;
		}
		if (err == -ENOENT && *why == UNWIND_NO_CFI) {
			/* the psABI marks the outermost frame with rbp = 0 */
			if ((r.valid & (1u << DW_RBP)) && !r.r[DW_RBP]) {
				*why = UNWIND_END;
				break;
			}
			if (!step_fp(u, &r)) {
				u->st.nr_fp_steps++;
				err = 0;
			}
		}
		if (err)
			break;
		if ((r.valid & (1u << DW_RA)) && r.r[DW_RA] &&
		    r.r[DW_RSP] <= sp) {
			*why = UNWIND_LOOP;
			break;
		}
		inner = d_idx;
		is_activation = false;
	}
out:
	u->st.nr_stops[*why]++;
	return nr;
}
