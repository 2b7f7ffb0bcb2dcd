/* graft: stacks deeper than perf's stack copy, completed from an earlier
 * whole unwind of the same thread.
 *
 * perf copies at most 64 KB of user stack per sample (--call-graph
 * dwarf,65528), some 120 Python levels of CPython 3.12; a deeper stack's
 * walk stops at the copy's end (UNWIND_STACK_END). The part of a thread's
 * stack far from the leaf changes rarely, and an earlier walk of the same
 * thread that reached the outermost frame knows it. graft keeps, per
 * thread, its last whole walk (each frame's pc and stack pointer, see
 * struct unwind_frame) and completes a cut one from it only where it
 * provably matches:
 *
 *  - the cut walk's last frame (the one whose return address lay beyond
 *    the copy) is a caller frame of the whole walk: same stack pointer
 *    (the CFA of the frame it called), same pc (return address; for a
 *    CPython trampoline, the same code object's trampoline);
 *  - from the first frame both walks share (same stack pointer, same
 *    return address) out to that frame, every frame is the same in both
 *    (nearer the leaf they differ: calls returned, others took their
 *    place);
 *  - no sample of the thread since the whole walk had its stack pointer
 *    above that frame (which would mean it had returned).
 *
 * The whole walk's frames beyond it are appended. A completed walk is
 * whole in turn, so recursion deeper than two copies completes by steps.
 * Each graft is checked against the next unwind of its thread that
 * reaches the outermost frame by itself and passes through the grafted
 * frame: the frames beyond must be the same (counted: a disagreement means
 * a wrong graft).
 */
#ifndef PERFFOLD_GRAFT_H
#define PERFFOLD_GRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unwind.h"

struct graft;

struct graft_stats {
	uint64_t nr_grafted;		/* cut walks completed */
	uint64_t nr_frames;		/* frames they got */
	uint64_t nr_unmatched;		/* cut walks with no match */
	uint64_t nr_checked;		/* grafts a later whole walk checked */
	uint64_t nr_disagreed;		/* ... and found different */
};

/* A new graft cache, empty. NULL with errno = ENOMEM. */
struct graft *graft__new(void);
/* Free g and what it remembers; NULL is a no-op. */
void graft__free(struct graft *g);

/* After the walk of a sample of thread tid: frames[0..*nr) (leaf first)
 * ended with *why. A walk to the outermost frame (UNWIND_END) checks the
 * thread's pending grafts and is remembered; one cut at the copy's end
 * (UNWIND_STACK_END) is completed from the remembered walk where it
 * provably matches: frames are appended (at most cap in all), *nr grows,
 * *why becomes UNWIND_END (UNWIND_DEPTH when cap cut it) and true is
 * returned. Any other walk only moves the thread's stack pointer mark.
 * Out of memory, nothing is remembered and false is returned. */
bool graft__walk(struct graft *g, int32_t tid, struct unwind_frame *frames,
		 size_t *nr, size_t cap, enum unwind_stop *why);

/* Thread tid is new (FORK), runs a new program (exec) or exited (EXIT):
 * forget its stack and free what was kept of it. */
void graft__forget(struct graft *g, int32_t tid);

void graft__stats(const struct graft *g, struct graft_stats *st);

#endif
