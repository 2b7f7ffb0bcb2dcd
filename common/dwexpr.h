/* dwexpr: the DWARF expressions call-frame information uses.
 *
 * libdw hands a CFI row's CFA and register rules to its caller as DWARF
 * expressions (dwarf_frame_cfa(), dwarf_frame_register()): usually one
 * DW_OP_bregN, but .eh_frame also holds real programs, e.g. the PLT's
 * CFA = rsp + 8 + ((rip & 15) >= 11 ? 8 : 0). This evaluates the stack
 * operations such rules use: literals and constants, register-relative
 * values, DW_OP_call_frame_cfa, arithmetic, comparisons, stack shuffles
 * and DW_OP_deref through the caller's memory reader. Anything else
 * (branches, DW_OP_regN locations, typed ops) is refused.
 */
#ifndef PERFFOLD_DWEXPR_H
#define PERFFOLD_DWEXPR_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dwexpr_ctx {
	const uint64_t *regs;	/* by DWARF register number */
	uint32_t valid;		/* bit per register of regs that is known */
	unsigned int nr_regs;
	uint64_t cfa;		/* for DW_OP_call_frame_cfa */
	/* read 8 bytes at addr: false when unreadable */
	bool (*read)(void *ctx, uint64_t addr, uint64_t *val);
	void *read_ctx;
};

/* Evaluate ops[0..nops). *val gets the top of the stack and *is_value
 * whether it is the value itself (DW_OP_stack_value) rather than the
 * address holding it. 0; -EINVAL for an unknown register, an empty or
 * overflowing stack; -EFAULT when a read failed; -ENOTSUP for an
 * operation not handled. */
int dwexpr__eval(const struct dwexpr_ctx *c, const Dwarf_Op *ops,
		 size_t nops, uint64_t *val, bool *is_value);

#endif
