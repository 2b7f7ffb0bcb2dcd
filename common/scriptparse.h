/* scriptparse: read `perf script` text one sample at a time.
 *
 * A sample is a header line (comm, pid[/tid], [cpu], time:, period, event:
 * [tracepoint args]) and the frame lines under it, leaf first, ended by a
 * blank line, the next header line or the end of input. The parser only
 * splits text: every field is a slice of the input, borrowed until the
 * callback returns. Naming rules live in foldname.
 */
#ifndef PERFFOLD_SCRIPTPARSE_H
#define PERFFOLD_SCRIPTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct diag;

struct script_sample {
	struct slice comm;	/* leading and trailing blanks removed */
	struct slice pid;	/* empty when perf printed only the tid */
	struct slice tid;	/* digits, or "-1": a task perf no longer
				 * knew (comm ":-1"), one that had exited */
	struct slice event;	/* without the final ':'; may be empty */
	/* the rest of the header line after the event (a tracepoint's
	 * fields: "prev_comm=... prev_pid=..."), or after the time when
	 * no event is named ("PERF_RECORD_SWITCH IN"); blanks trimmed */
	struct slice args;
	uint64_t period;	/* valid when has_period */
	uint64_t time;		/* nanoseconds, valid when has_time (perf
				 * prints microseconds, or ns with --ns) */
	uint32_t cpu;		/* "[001]", valid when has_cpu */
	bool has_period, has_time, has_cpu;
	/* a record printed among the samples, not a sample (no event, args
	 * "PERF_RECORD_SWITCH IN", "PERF_RECORD_EXIT(...)": perf script's
	 * --show-switch-events, --show-task-events) */
	bool is_record;
	uint64_t line;		/* 1-based line number of the header */
	size_t nr_frames;
	/* leaf first, kind FRAME_TEXT: pc the address as printed (e.g.
	 * "7f53324b57d2"), sym the symbol without its "+0x.." offset, dso
	 * the text inside the last "(...)", raw symbol through DSO */
	const struct frame *frames;
};

struct scriptparse_stats {
	uint64_t nr_lines;
	uint64_t nr_samples;		/* samples handed to the callback */
	uint64_t nr_bad_lines;		/* lines that fit no known shape */
	uint64_t nr_orphan_frames;	/* frame lines outside any sample */
};

typedef int (*scriptparse_fn)(void *ctx, const struct script_sample *s);

struct scriptparse;

/* A parser reporting unparsable lines through d (borrowed; may be NULL),
 * naming the input `name` in messages. NULL with errno on failure. */
struct scriptparse *scriptparse__new(const struct diag *d, const char *name);
void scriptparse__free(struct scriptparse *sp);

/* Read all of fd, after the prefix bytes already read from it (may be
 * NULL/0), calling fn for each sample. A non-zero return from fn stops and
 * is returned. Otherwise 0, or a negative errno when reading failed. */
int scriptparse__read_fd(struct scriptparse *sp, int fd, const void *prefix,
			 size_t prefix_len, scriptparse_fn fn, void *ctx);

/* Parse a complete text held in memory (for tests and small inputs). */
int scriptparse__read_mem(struct scriptparse *sp, const char *buf,
			  size_t len, scriptparse_fn fn, void *ctx);

/* Parse a text mapped read-only from a file (mmap PROT_READ, MAP_PRIVATE,
 * page-aligned), releasing pages behind the parser as it goes so memory
 * stays flat however large the file. */
int scriptparse__read_mapped(struct scriptparse *sp, const char *map,
			     size_t len, scriptparse_fn fn, void *ctx);

const struct scriptparse_stats *scriptparse__stats(const struct scriptparse *sp);

#endif
