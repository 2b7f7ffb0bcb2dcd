/* pybuild: what a CPython build's machine code says about it.
 *
 * Whether its evaluation loop keeps frame pointers decides how perf must
 * record it: `-g` (frame pointers) gives whole Python stacks only when
 * _PyEval_EvalFrameDefault sets up %rbp, else `--call-graph dwarf`
 * (perf2folded unwinds through the trampolines). scripts/has-frame-pointers
 * asks the same of objdump; this reads the ELF file directly, with no
 * process started.
 */
#ifndef PERFFOLD_PYBUILD_H
#define PERFFOLD_PYBUILD_H

/* Does _PyEval_EvalFrameDefault in the ELF file at path (libpython, or the
 * interpreter when it is linked statically) set up a frame pointer (mov
 * %rsp,%rbp among its first instructions)? 1 yes, 0 no, or a negative
 * errno: -ENOENT no such symbol (or no code for it), -ENOEXEC not ELF,
 * another from opening or reading the file. */
int pybuild__eval_has_fp(const char *path);

#endif
