/* sibling: the other perffold tools, run from a tool as child processes.
 *
 * A tool is looked for beside the running program (installed together in
 * bindir, or built together in build/converters), else in PATH.
 */
#ifndef PERFFOLD_SIBLING_H
#define PERFFOLD_SIBLING_H

#include <sys/types.h>

/* Start argv (argv[0] a tool's name) with stdin from in and stdout to out
 * (-1: the caller's own). Its pid, or a negative errno. */
pid_t sibling__spawn(char *const *argv, int in, int out);

/* Wait for pid: its exit status, 128 + the signal that killed it, or a
 * negative errno. */
int sibling__wait(pid_t pid);

#endif
