/* perfrec: a `perf record -o -` running, its pipe read in this process.
 *
 * Starts perf with its stdout on a pipe (made 1 MB, so that a reader
 * briefly busy does not make perf lose samples) and its stderr on another:
 * perf's own messages are passed on to the caller's stderr fd, without the
 * "[ perf record: ...]" lines and without the option summary perf prints
 * after a usage error. The caller's stdout and stderr are also given to
 * perf as fds 3 and 4, for a workload wrapper that restores them (perf
 * points a workload's stdout at its stderr when it writes to a pipe).
 *
 * --keep: with a keep fd, a thread copies the recording into it as it
 * arrives (up to a size cap, then it says so once and stops keeping) and
 * hands the same bytes on through a second pipe; perfrec__fd() is then that
 * pipe's end. Nothing else of the recording touches the disk.
 */
#ifndef PERFFOLD_PERFREC_H
#define PERFFOLD_PERFREC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"

struct perfrec;

struct perfrec_opts {
	char *const *argv;	/* perf record ... -o - [-- command] */
	char *const *envp;	/* perf's environment (the workload's) */
	int stderr_fd;		/* where perf's messages go */
	int keep_fd;		/* a copy of the recording, or -1 */
	const char *keep_name;	/* its name in messages */
	uint64_t keep_cap;	/* bytes kept at most */
	const struct diag *diag;	/* "cannot keep", "cap reached" */
};

/* Start perf. NULL with errno when it could not be started (fork, exec:
 * the exec's errno). o and what it points to are borrowed until
 * perfrec__wait(). */
struct perfrec *perfrec__start(const struct perfrec_opts *o);

/* The fd to read the recording from (perf's pipe format); owned by rec. */
int perfrec__fd(const struct perfrec *rec);
/* perf's pid, for signals. */
pid_t perfrec__pid(const struct perfrec *rec);

/* How perf ended, and what it said. */
struct perfrec_result {
	int status;		/* perf's wait status */
	unsigned nr_msg_lines;	/* lines of messages perf printed */
	uint64_t nr_kept;	/* bytes kept (--keep) */
	bool is_capped;		/* the cap stopped the keeping */
	int keep_err;		/* 0, or the errno that stopped it */
};

/* Read what is left of the recording and throw it away (so perf never
 * blocks on a full pipe), wait for perf and free rec. 0, or a negative
 * errno when waiting failed. */
int perfrec__wait(struct perfrec *rec, struct perfrec_result *res);

#endif
