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
struct intern;

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

/* ---- the sink: samples to a writer other than the folded aggregate ----
 *
 * A folder made with a sink (folder__new_sink()) names and folds frames
 * as always (the --python view, the event, the weight), but hands each
 * sample's stack to the sink instead of its aggregate, with the location
 * of each frame: the address and mapping it was named from, so a writer
 * such as pprof's can keep what folded text drops. Input paths give each
 * frame's location with its ids (folder__ids_at()); a location is made
 * once per distinct address (symbolize caches its token beside the
 * frame's ids).
 */

/* A mapping of a process, as perf recorded it. */
struct folder_mapping {
	uint32_t id;			/* unique per mapping (session_map) */
	uint64_t start, limit, pgoff;	/* [start, limit) maps file offset
					 * pgoff */
	const char *file;
	const uint8_t *build_id;
	size_t build_id_size;		/* 0: none recorded */
};

/* What one address of a sample names: a frame and the functions inlined
 * at it. All borrowed for the location() call. */
struct folder_loc {
	enum frame_kind kind;		/* of the outermost frame */
	struct slice sym;		/* its symbol as perf names it (a
					 * Python frame's "py::QUAL:FILE") */
	uint64_t ip;			/* the address in the process (a caller's
					 * call site); 0 for frames of none */
	const struct folder_mapping *map;	/* NULL: none (kernel, JIT
						 * without one, unmapped,
						 * frames the tools make) */
	const uint32_t *ids;		/* its frame names, root-most first:
					 * the function, then those inlined */
	size_t nr;
};

/* A sample's stack, root first, without the root frame (comm-PID, which
 * who says): names ids[i] (folder__names()) at locations locs[i]; the ids
 * of one location are consecutive, the first with locs[i] its token, the
 * others (functions inlined there) with FOLDER_LOC_INLINED added. */
struct folder_sample {
	const struct folder_who *who;
	const uint32_t *ids, *locs;
	size_t nr;
};

#define FOLDER_LOC_INLINED 0x80000000u
#define FOLDER_LOC_NONE UINT32_MAX

struct folder_sink {
	/* A new location's token (below FOLDER_LOC_INLINED), or
	 * FOLDER_LOC_NONE when out of memory. */
	uint32_t (*location)(void *ctx, const struct folder_loc *l);
	/* A sample's stack s with its weight, now (per thread in time
	 * order). 0 or -ENOMEM. */
	int (*sample)(void *ctx, const struct folder_sample *s,
		      uint64_t weight);
	/* A stack whose weight comes later (an off-CPU wait): a handle for
	 * add(), or -ENOMEM. */
	int64_t (*stack)(void *ctx, const struct folder_sample *s);
	/* weight on the stack of handle h, now (a wait, as it closes). 0 or
	 * -ENOMEM. */
	int (*add)(void *ctx, uint32_t h, uint64_t weight);
	void *ctx;
};

/* NULL with errno on failure. o is copied (o->event too). */
struct folder *folder__new(const struct folder_opts *o);
/* A folder whose samples go to sink (copied; its ctx borrowed), not to
 * folder__write(). */
struct folder *folder__new_sink(const struct folder_opts *o,
				const struct folder_sink *sink);
/* A folder whose samples go to sink and to its folded aggregate too
 * (folder__write()): one reading pass gives folded stacks and a profile,
 * each as the folder alone would give it. */
struct folder *folder__new_both(const struct folder_opts *o,
				const struct folder_sink *sink);
void folder__free(struct folder *f);
/* Whether f has a sink: then input paths give locations. */
bool folder__has_sink(const struct folder *f);
/* The names of frame ids, borrowed until folder__free(). */
const struct intern *folder__names(const struct folder *f);
/* A location's token from the sink (FOLDER_LOC_NONE: out of memory). */
uint32_t folder__location(struct folder *f, const struct folder_loc *l);

/* Whose a sample is: the thread's comm, and its pid and tid as numbers
 * (is_nr) or as perf printed them (pid empty: perf printed only the tid);
 * and when it was taken (perf's clock, ns; 0 when not recorded), which
 * only a sink (below) reads. Borrowed until the sample ends (a sink reads
 * it at folder__end() or folder__end_wait()). */
struct folder_who {
	struct slice comm;
	bool is_nr;
	int32_t pid_nr, tid_nr;
	struct slice pid, tid;
	uint64_t time;
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
/* With a sink: folder__ids() with each id's location (as folder_sample's
 * locs). */
void folder__ids_at(struct folder *f, const uint32_t *ids,
		    const uint32_t *locs, size_t nr);
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
/* With a sink, out[0] is the sink's handle, and the count 1; made with
 * folder__new_both(), the stack follows it in out[1..count).
 * Add weight to a stack folder__end_wait() gave. 0 or -ENOMEM. */
int folder__add(struct folder *f, const uint32_t *ids, size_t nr,
		uint64_t weight);

/* The comm of the sample begun is "java": FlameGraph's Java tidying
 * changes its frames' names, so a cache of folder__name() keys on it. */
bool folder__is_java(const struct folder *f);

/* Write the folded stacks, sorted. 0 or a negative errno. */
int folder__write(struct folder *f, FILE *out);
void folder__stats(const struct folder *f, struct folder_stats *st);

#endif
