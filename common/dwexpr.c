/* dwexpr: DWARF expressions of CFI rules (see dwexpr.h). */
#include <dwarf.h>
#include <errno.h>

#include "dwexpr.h"

#define EVAL_DEPTH 16

static bool is_binary(uint8_t op)
{
	switch (op) {
	case DW_OP_plus: case DW_OP_minus: case DW_OP_mul: case DW_OP_and:
	case DW_OP_or: case DW_OP_xor: case DW_OP_shl: case DW_OP_shr:
	case DW_OP_shra: case DW_OP_swap: case DW_OP_eq: case DW_OP_ne:
	case DW_OP_lt: case DW_OP_le: case DW_OP_gt: case DW_OP_ge:
		return true;
	}
	return false;
}

int dwexpr__eval(const struct dwexpr_ctx *c, const Dwarf_Op *ops,
		 size_t nops, uint64_t *val, bool *is_value)
{
	uint64_t st[EVAL_DEPTH], a;
	size_t n = 0, i;

	*is_value = false;
	for (i = 0; i < nops; i++) {
		uint8_t op = ops[i].atom;
		unsigned int reg;

		if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			a = op - DW_OP_lit0;
			goto push;
		}
		if (op >= DW_OP_breg0 && op <= DW_OP_breg31) {
			reg = op - DW_OP_breg0;
			goto breg;
		}
		switch (op) {
		case DW_OP_bregx:
			reg = (unsigned int)ops[i].number;
breg:
			if (reg >= c->nr_regs || reg >= 32 ||
			    !(c->valid & (1u << reg)))
				return -EINVAL;
			a = c->regs[reg] + (op == DW_OP_bregx ? ops[i].number2 :
					    ops[i].number);
			goto push;
		case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u:
		case DW_OP_const8u: case DW_OP_const1s: case DW_OP_const2s:
		case DW_OP_const4s: case DW_OP_const8s: case DW_OP_constu:
		case DW_OP_consts:
			a = ops[i].number;
			goto push;
		case DW_OP_call_frame_cfa:
			a = c->cfa;
push:
			if (n == EVAL_DEPTH)
				return -EINVAL;
			st[n++] = a;
			continue;
		case DW_OP_nop:
			continue;
		case DW_OP_stack_value:
			*is_value = true;
			continue;
		case DW_OP_dup:
			if (!n)
				return -EINVAL;
			a = st[n - 1];
			goto push;
		case DW_OP_over:
			if (n < 2)
				return -EINVAL;
			a = st[n - 2];
			goto push;
		case DW_OP_drop:
			if (!n)
				return -EINVAL;
			n--;
			continue;
		}
		/* unary */
		if (!n)
			return op == DW_OP_deref || op == DW_OP_plus_uconst ||
			       op == DW_OP_neg || op == DW_OP_not ||
			       is_binary(op) ? -EINVAL : -ENOTSUP;
		switch (op) {
		case DW_OP_deref:
			if (!c->read(c->read_ctx, st[n - 1], &st[n - 1]))
				return -EFAULT;
			continue;
		case DW_OP_plus_uconst:
			st[n - 1] += ops[i].number;
			continue;
		case DW_OP_neg:
			st[n - 1] = -st[n - 1];
			continue;
		case DW_OP_not:
			st[n - 1] = ~st[n - 1];
			continue;
		}
		/* binary: a = second, st[n-1] = top */
		if (!is_binary(op))
			return -ENOTSUP;
		if (n < 2)
			return -EINVAL;
		a = st[n - 2];
		switch (op) {
		case DW_OP_plus: a += st[n - 1]; break;
		case DW_OP_minus: a -= st[n - 1]; break;
		case DW_OP_mul: a *= st[n - 1]; break;
		case DW_OP_and: a &= st[n - 1]; break;
		case DW_OP_or: a |= st[n - 1]; break;
		case DW_OP_xor: a ^= st[n - 1]; break;
		case DW_OP_shl: a = st[n - 1] < 64 ? a << st[n - 1] : 0; break;
		case DW_OP_shr: a = st[n - 1] < 64 ? a >> st[n - 1] : 0; break;
		case DW_OP_shra:
			a = st[n - 1] < 64 ? (uint64_t)((int64_t)a >> st[n - 1])
					   : 0;
			break;
		case DW_OP_swap:
			st[n - 2] = st[n - 1];
			st[n - 1] = a;
			continue;
		case DW_OP_eq: a = (int64_t)a == (int64_t)st[n - 1]; break;
		case DW_OP_ne: a = (int64_t)a != (int64_t)st[n - 1]; break;
		case DW_OP_lt: a = (int64_t)a < (int64_t)st[n - 1]; break;
		case DW_OP_le: a = (int64_t)a <= (int64_t)st[n - 1]; break;
		case DW_OP_gt: a = (int64_t)a > (int64_t)st[n - 1]; break;
		case DW_OP_ge: a = (int64_t)a >= (int64_t)st[n - 1]; break;
		default:
			return -ENOTSUP;
		}
		st[--n - 1] = a;
	}
	if (!n)
		return -EINVAL;
	*val = st[n - 1];
	return 0;
}
