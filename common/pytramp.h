/* pytramp: CPython's perf trampolines, recognised from their bytes.
 *
 * With -X perf (3.12+) every Python function gets its own copy of a tiny
 * trampoline (Python/asm_trampoline.S: tramp(ts, frame, throw, eval)
 * calls eval(ts, frame, throw)) that has no unwind info. Its layout is
 * known per CPython version, so the caller's frame can be found exactly:
 *
 *   sub:  [endbr64] sub $8,%rsp; call *%rcx; add $8,%rsp; ret
 *         (x86-64, CPython 3.12-3.14: map entry size 0xb, 0xf with CET)
 *   push: [endbr64] push %rbp; mov %rsp,%rbp; call *%rcx; pop %rbp; ret
 *         (x86-64, CPython 3.15, cpython PR #136461: 0x8 / 0xc)
 *
 * The bytes are the interpreter's own: those between its
 * _Py_trampoline_func_start and _Py_trampoline_func_end symbols, which is
 * what it copies for every function. Other layouts (aarch64, future ones)
 * are PYTRAMP_UNKNOWN: unwinding stops there rather than guessing.
 */
#ifndef PERFFOLD_PYTRAMP_H
#define PERFFOLD_PYTRAMP_H

#include <stddef.h>
#include <stdint.h>

enum pytramp_kind { PYTRAMP_NONE, PYTRAMP_UNKNOWN, PYTRAMP_SUB, PYTRAMP_PUSH };

struct pytramp {
	enum pytramp_kind kind;
	uint32_t len;		/* code bytes: the perf map entry's size */
	uint32_t skip;		/* endbr64 bytes before the body */
};

/* The CFA at one code offset: DWARF register cfa_reg (7 rsp, 6 rbp) plus
 * cfa_off; the return address at CFA - 8; the caller's rbp saved at
 * CFA + bp_off when bp_off != 0, else still in rbp. Other callee-saved
 * registers are untouched by every layout. */
struct pytramp_rule {
	int cfa_reg;
	int64_t cfa_off;
	int64_t bp_off;
};

/* Recognise the template p[0..len) (the interpreter's bytes) into *t. */
void pytramp__classify(const uint8_t *p, size_t len, struct pytramp *t);

/* The rule at code offset off of a trampoline of known layout t: 0, or
 * -EINVAL for an offset past its end or a layout not known. */
int pytramp__rule(const struct pytramp *t, uint64_t off,
		  struct pytramp_rule *r);

#endif
