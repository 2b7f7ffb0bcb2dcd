/* folder: the back half every input path shares, sample -> folded stack.
 *
 * Chooses the event (the one asked for, or the first seen), weighs samples
 * (period or count), names the root and the frames (foldname), and adds the
 * stack, root first, to the aggregate (stacks). Input paths hand it each
 * sample as begin, frames leaf first, end.
 */
#ifndef PERFFOLD_FOLDER_H
#define PERFFOLD_FOLDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "foldname.h"
#include "frame.h"

struct folder;

enum folder_python {
	FOLDER_PYTHON_OFF,
	FOLDER_PYTHON_FOLD,	/* Python frames named, interpreter folded away */
	FOLDER_PYTHON_ALL,	/* Python frames named, every frame kept */
};

struct folder_opts {
	struct foldname_opts names;
	enum folder_python python;
	bool threads;		/* a frame "thread TID (COMM)" under the root */
	const char *event;	/* keep only this event; NULL: the first seen */
	bool weight_samples;	/* weigh each sample 1, not its period */
};

struct folder_stats {
	uint64_t nr_read;	/* samples begun */
	uint64_t nr_accepted;	/* of the chosen event, added */
	uint64_t nr_other_event;
	uint64_t nr_too_deep;	/* cut at FOLDER_MAX_FRAMES */
	const char *event;	/* the chosen event, NULL before any */
	uint64_t total_weight;
	size_t nr_stacks;
};

#define FOLDER_MAX_FRAMES 4096

/* NULL with errno on failure. o is copied (o->event too). */
struct folder *folder__new(const struct folder_opts *o);
void folder__free(struct folder *f);

/* Whose a sample is: the thread's comm, and its pid and tid as numbers
 * (is_nr) or as perf printed them (pid empty: perf printed only the tid).
 * Borrowed for the folder__begin() call. */
struct folder_who {
	struct slice comm;
	bool is_nr;
	int32_t pid_nr, tid_nr;
	struct slice pid, tid;
};

/* Start a sample. Returns true when its event is kept; then add its frames
 * and end it, else drop it (nothing to undo). event may be empty (perf
 * printed none: kept). */
bool folder__begin(struct folder *f, const struct folder_who *w,
		   struct slice event, uint64_t period, bool has_period);
/* Add frame, leaf first. 0 or -ENOMEM. */
int folder__frame(struct folder *f, const struct frame *frame);
/* The ids frame names to in the sample begun (names depend on its comm:
 * folder__is_java()), in root-most-first order, for callers that cache
 * them; then add them with folder__ids(). Returns the count or -ENOMEM. */
int folder__name(struct folder *f, const struct frame *frame, uint32_t *out,
		 size_t cap);
void folder__ids(struct folder *f, const uint32_t *ids, size_t nr);
/* Finish the sample begun: 0 or -ENOMEM. */
int folder__end(struct folder *f);

/* Finish the sample begun as a wait off the CPU: its stack, root first,
 * ending in a frame named leaf ("[off-cpu: sleep]"), goes to out[0..cap)
 * instead of the aggregate, to be added by folder__add() once its length
 * is known. In the --python view the frames between the innermost Python
 * frame and the leaf (libc, the kernel's scheduler) are dropped, and a
 * wait for the GIL among them (CPython's take_gil or drop_gil) becomes a frame
 * "[GIL]". cap is at least FOLDER_MAX_FRAMES + 3. Returns the count,
 * or -ENOMEM. */
int folder__end_wait(struct folder *f, const char *leaf, uint32_t *out,
		     size_t cap);
/* Add weight to a stack folder__end_wait() gave. 0 or -ENOMEM. */
int folder__add(struct folder *f, const uint32_t *ids, size_t nr,
		uint64_t weight);

/* The comm of the sample begun is "java": FlameGraph's Java tidying
 * changes its frames' names, so a cache of folder__name() keys on it. */
bool folder__is_java(const struct folder *f);

/* Write the folded stacks, sorted. 0 or a negative errno. */
int folder__write(struct folder *f, FILE *out);
void folder__stats(const struct folder *f, struct folder_stats *st);

#endif
