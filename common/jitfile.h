/* jitfile: opening the files a JIT writes for profilers (/tmp/perf-PID.map,
 * jit-PID.dump) as perf does, safely.
 *
 * Anyone can create files in /tmp, so perf 6.1 (dso__load(), util/symbol.c)
 * ignores a perf map that is owned by neither the user reading it nor root
 * (lstat: a symlink's own owner), unless forced (perf -f): another local
 * user could plant names in someone's profile. perffold applies the same
 * rule to perf maps and jitdumps, and in any case opens nothing but a
 * regular file: a symlink to a FIFO or a device must neither hang the
 * reader nor feed it without end.
 */
#ifndef PERFFOLD_JITFILE_H
#define PERFFOLD_JITFILE_H

#include <stdbool.h>

#include "diag.h"

/* Open path for reading (O_CLOEXEC). force reads a file of another owner.
 * Returns the fd, or a negative errno: -ENOENT (or the lstat/open error)
 * unreported; -EPERM (another owner) and -EINVAL (not a regular file), each
 * with one DIAG_WARN message through d naming the file. */
int jitfile__open(const char *path, bool force, const struct diag *d);

#endif
