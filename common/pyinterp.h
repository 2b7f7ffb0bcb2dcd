/* pyinterp: which CPython runs a program, and what it can do under perf.
 *
 * CPython's perf support (-X perf, PYTHONPERFSUPPORT=1) needs 3.12 or
 * newer on Linux. A name is resolved to the binary it runs (a pyenv shim,
 * a shell script perf cannot profile, to the version's binary, as `pyenv
 * which` says); the binary is started once to ask its version and which
 * file holds its evaluation loop (libpython, or itself). Nothing here
 * chooses another interpreter than the one named: pyinterp__find_perf()
 * only names one that could be used.
 */
#ifndef PERFFOLD_PYINTERP_H
#define PERFFOLD_PYINTERP_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

struct pyinterp {
	char path[PATH_MAX];		/* the binary run */
	int major, minor;		/* 0 when not asked (an attached pid) */
	char eval_file[PATH_MAX];	/* where _PyEval_EvalFrameDefault is */
};

/* Resolve name (a command looked up in PATH, or a path) to the binary it
 * runs, into buf: a pyenv shim becomes the binary `pyenv which` names (or,
 * when the selected version has none, the newest installed version's
 * binary of that name). 0, or -ENOENT (no such command), -ENAMETOOLONG. */
int pyinterp__resolve(const char *name, char *buf, size_t len);

/* Start the binary at path once (python -I -S): its version and the file
 * holding its evaluation loop. 0, or -ENOEXEC when it does not answer as
 * a Python would, or another negative errno from starting it. */
int pyinterp__probe(const char *path, struct pyinterp *out);

/* The same for a running process: its binary and the libpython it
 * mapped, from /proc; no version (major 0). 0 or a negative errno. */
int pyinterp__of_pid(pid_t pid, struct pyinterp *out);

/* Can this interpreter do perf (CPython >= 3.12)? */
int pyinterp__can_perf(const struct pyinterp *pi);

/* A CPython 3.12 or newer installed here, by its name: pyenv's versions
 * ($PYENV_ROOT, else ~/.pyenv), /usr/bin, /usr/local/bin; 3.12 first, as
 * scripts/find-python. 0, or -ENOENT when there is none. */
int pyinterp__find_perf(char *buf, size_t len);

/* Does the interpreter keep frame pointers, so that `perf record -g` walks
 * whole Python stacks? scripts/has-frame-pointers' two checks: the eval
 * loop's prologue (pybuild.h) and the build flags (sysconfig CFLAGS and
 * PY_CFLAGS_NODIST hold -fno-omit-frame-pointer; asked of the interpreter
 * only when the code does not already say no). 1 yes, 0 no, or a negative
 * errno when it cannot tell. */
int pyinterp__has_fp(const struct pyinterp *pi);

#endif
