/* foldname: the naming rules of folded stacks, shared by every input path.
 *
 * Turns a frame as perf names it (symbol, DSO, address) into the frame text
 * of the folded contract, with stackcollapse-perf.pl's options and
 * annotations, and interns it. The rules are FlameGraph's, except where its
 * Perl script is demonstrably wrong (see the README's "Differences").
 * Results are cached per (symbol, DSO), so a frame is tidied once per run.
 */
#ifndef PERFFOLD_FOLDNAME_H
#define PERFFOLD_FOLDNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct intern;

struct foldname_opts {
	bool include_pid;	/* root "comm-PID" */
	bool include_tid;	/* root "comm-PID/TID" */
	bool annotate_kernel;	/* "_[k]" on kernel frames */
	bool annotate_jit;	/* "_[j]" on /tmp/perf-PID.map frames */
	bool annotate_inline;	/* "_[i]" on "(inlined)" frames */
	bool include_addrs;	/* "[dso <addr>]" for unknown symbols */
	bool python;		/* CPython's "py::QUAL:FILE" as "QUAL (PATH)" */
	const char *cwd;	/* --python: paths under it shown relative */
};

struct foldname;

/* Rules o (copied) interning frame text into names (borrowed). NULL with
 * errno on failure. */
struct foldname *foldname__new(const struct foldname_opts *o,
			       struct intern *names);
void foldname__free(struct foldname *fn);

/* A frame of the text s (made safe, not tidied), for frames the input
 * does not name, such as a thread's. INTERN_NONE when out of memory. */
uint32_t foldname__text(struct foldname *fn, const char *s, size_t len);

/* The kind of the frame named id, as its first naming found it (a name
 * shared by two kinds keeps the first; FRAME_TEXT frames by their text);
 * FRAME_NATIVE for names of no frame. */
enum frame_kind foldname__kind(const struct foldname *fn, uint32_t id);

/* The root frame of a sample: the comm, with pid/tid as the options ask
 * ("?" for a pid perf did not print). INTERN_NONE when out of memory. */
uint32_t foldname__root(struct foldname *fn, struct slice comm,
			struct slice pid, struct slice tid);

/* Append the frame ids one frame folds to (usually one; perf's "a->b"
 * inline chains give several, root-most first) to out[0..cap). is_java
 * applies FlameGraph's Java tidying (the process is named "java"). Returns
 * how many were written, or -ENOMEM. */
int foldname__frame(struct foldname *fn, const struct frame *f,
		    bool is_java, uint32_t *out, size_t cap);

#endif
