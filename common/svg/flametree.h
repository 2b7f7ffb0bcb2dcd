/* flametree: folded stacks -> the prefix tree a flame graph draws.
 *
 * Stacks go in one at a time; flametree__finish() makes the tree. By
 * default equal stacks are merged and siblings sorted bytewise by name
 * (the flame graph: the same input in any order gives the same tree).
 * With FLAMETREE_CHART stacks keep their input order and a frame is merged
 * only with the same frame of the stack just before it (the flame chart:
 * time on x). FLAMETREE_REVERSE reverses every stack first, so the leaf
 * frame becomes the root.
 *
 * Nodes are numbered in depth-first pre-order, so the subtree of node i is
 * the run of nodes after i that are deeper than i. Node 0 is the root
 * ("all"), depth 0; frames have depth 1 and more. Every node carries its
 * left edge x and its width in count units: x of a child lies within its
 * parent, and a node's own (self) count is the part no child covers.
 */
#ifndef PERFFOLD_FLAMETREE_H
#define PERFFOLD_FLAMETREE_H

#include <stddef.h>
#include <stdint.h>

enum flametree_flags {
	FLAMETREE_CHART = 1 << 0,
	FLAMETREE_REVERSE = 1 << 1,
};

struct flametree;

struct flametree_node {
	const char *name;	/* borrowed until flametree__free() */
	size_t name_len;
	unsigned depth;
	double x;		/* left edge, in counts */
	double value;		/* width, in counts (the "after" column) */
	double before;		/* the "before" column of differential input */
};

/* A new, empty tree; NULL with errno = ENOMEM. */
struct flametree *flametree__new(unsigned flags);
/* Free the tree and its names; NULL is a no-op. */
void flametree__free(struct flametree *t);

/* Add the stack stack[0..len), frames separated by ';', root first, with
 * the given counts (before is 0 unless the input is differential). A frame
 * may be empty. 0, -ENOMEM, or -EINVAL after flametree__finish(). */
int flametree__add(struct flametree *t, const char *stack, size_t len,
		   double before, double after);

/* Leave out frames narrower than fraction of the total (with all they
 * hold), so that memory follows what will be drawn, not the input; their
 * counts still add to their ancestors. Call before adding; the default, 0,
 * keeps everything. In a flame chart a frame is dropped as soon as it ends
 * narrower than fraction of the total so far (the total only grows). */
void flametree__prune_below(struct flametree *t, double fraction);

/* Build the tree from what was added; call once. 0 or -ENOMEM. */
int flametree__finish(struct flametree *t);

/* Sum of the "after" counts added so far (the root's value once finished,
 * also before flametree__finish()). */
double flametree__total(const struct flametree *t);

/* Nodes, including the root; 0 before flametree__finish(). */
size_t flametree__nr_nodes(const struct flametree *t);
/* Fill *out for node i < flametree__nr_nodes(). */
void flametree__node(const struct flametree *t, size_t i,
		     struct flametree_node *out);
/* Deepest frame's depth (0 for an empty tree). */
unsigned flametree__max_depth(const struct flametree *t);
/* Distinct stacks added (after merging, for the default layout). */
size_t flametree__nr_stacks(const struct flametree *t);

#endif
