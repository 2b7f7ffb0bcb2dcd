/* pipein: a pipe drained on a thread of its own into a bounded queue.
 *
 * perf record -o - writes a --call-graph dwarf,65528 sample as one 64 KB
 * record and blocks when the pipe is full; while it waits, its ring
 * buffer fills and the kernel drops samples. The reader's own thread stops
 * reading whenever it has other work (loading a DSO's symbols at the first
 * sample in it, say): this thread does nothing but read, so the pipe is
 * emptied while the reader works, into at most max_bytes of memory.
 */
#ifndef PERFFOLD_PIPEIN_H
#define PERFFOLD_PIPEIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bytes read from the pipe at a time. */
#define PIPEIN_CHUNK (256u << 10)

struct pipein;

/* Start draining fd (a pipe, the caller's) into at most max_bytes
 * (PIPEIN_CHUNK per read, however little it got); NULL when no thread
 * could be started (then read fd directly). */
struct pipein *pipein__new(int fd, size_t max_bytes);

/* As read(2) on the pipe: up to len bytes into buf, waiting for some;
 * returns how many, 0 at the end of the pipe, or a negative errno. */
ssize_t pipein__read(struct pipein *p, void *buf, size_t len);

/* The most bytes found waiting in the pipe before one of its reads: the
 * pipe's size means its writer had to wait. */
uint64_t pipein__max_queued(struct pipein *p);

/* Stop the thread (a read it is blocked in is cancelled) and free what is
 * queued; the fd is the caller's. NULL is a no-op. */
void pipein__free(struct pipein *p);

#endif
