/* profile: the samples of a run as a writer of a richer format needs them.
 *
 * The sink of a folder (folder.h): it keeps the locations the folder's
 * input path names (address, mapping, the frame names at it), the distinct
 * stacks of locations per thread with their sample counts and weights,
 * and, when asked, each thread's samples in time order. pprof.c and
 * speedscope.c write it; where the folded aggregate (stacks.h) keeps a
 * stack's text, this keeps what the text drops.
 */
#ifndef PERFFOLD_PROFILE_H
#define PERFFOLD_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "folder.h"

struct profile;

struct profile_mapping {
	uint64_t start, limit, pgoff;
	const char *file;
	uint8_t build_id[20];
	uint8_t build_id_size;
	bool has_names;		/* a location in it has a symbol */
};

struct profile_loc {
	uint64_t ip;			/* 0: none */
	uint32_t mapping;		/* index + 1; 0: none */
	enum frame_kind kind;
	const uint32_t *ids;		/* folder names, root-most first */
	uint32_t nr;
	const char *file;		/* a Python frame's source file, or
					 * NULL */
};

struct profile_thread {
	int32_t pid, tid;		/* pid -1: not known (perf script
					 * text printed none) */
	const char *comm;		/* the thread's (perf's comm) */
	uint64_t weight, nr_samples;
	/* with order: its samples in time order, equal neighbours merged */
	const uint32_t *stacks;
	const uint64_t *weights;
	size_t nr;
};

struct profile_stack {
	uint32_t thread;
	const uint32_t *locs;		/* root first */
	uint32_t nr;
	uint64_t count, weight;
};

/* A new, empty profile; with keep_order each thread's samples are kept in
 * order, not only summed per stack. NULL with errno = ENOMEM. */
struct profile *profile__new(bool keep_order);
void profile__free(struct profile *p);

/* The folder sink that fills p (its ctx is p). */
void profile__sink(struct profile *p, struct folder_sink *sink);
/* The folder is done: what the sink was given is in p, to be read below.
 * 0, or -ENOMEM (then some samples are missing). */
int profile__finish(struct profile *p);

/* The build id of file, for its mappings recorded without one (perf
 * keeps most in perf.data's build id list, not in the MMAP2 records). */
void profile__set_build_id(struct profile *p, const char *file,
			   const uint8_t *build_id, size_t size);
/* The build id of each mapping still without one read from its file,
 * as perf report names such a binary from the file on disk (perf lists
 * only the binaries its samples' leaves hit). */
void profile__read_build_ids(struct profile *p);

/* What was kept, read after profile__finish(); what the structs point
 * to is borrowed until profile__free(). */
size_t profile__nr_locs(const struct profile *p);
struct profile_loc profile__loc(const struct profile *p, uint32_t i);
size_t profile__nr_mappings(const struct profile *p);
const struct profile_mapping *profile__mapping(const struct profile *p,
					       uint32_t i);
size_t profile__nr_threads(const struct profile *p);
struct profile_thread profile__thread(const struct profile *p,
					     uint32_t i);
size_t profile__nr_stacks(const struct profile *p);
struct profile_stack profile__stack(const struct profile *p,
					   uint32_t i);
/* The comm of process pid: its main thread's, else that of thread t. */
const char *profile__process_comm(const struct profile *p,
				  const struct profile_thread *t);
/* The first and last sample times (perf's clock, ns); 0 when none. */
void profile__time_range(const struct profile *p, uint64_t *first,
			 uint64_t *last);

#endif
