/* symarr internals shared by symarr.c (the set, its sealed form, lookups,
 * loading), symarr_tree.c (perf's red-black tree and its fixups) and
 * symarr_image.c (the set as bytes on disk). Not an API.
 *
 * Entries live in nodes[] and are named by index, whatever form holds
 * them; names live in a chunked pool so that their addresses never move.
 */
#ifndef PERFFOLD_SYMARR_INT_H
#define PERFFOLD_SYMARR_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "array.h"
#include "symarr.h"

/* No node: a missing link, or an interval no entry answers. Nodes link by
 * index, so there are fewer than NIL of them. */
#define NIL UINT32_MAX

enum { RED, BLACK };

struct node {
	struct symarr_sym sym;
	uint32_t left, right, parent;
	uint8_t color;
	uint8_t binding;
	uint8_t is_end_fixed;	/* flat: end set by the fixup, was start */
};

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

/* The form holding a set's entries; one of three, where there were two
 * booleans (is_flat, is_frozen) that could not both be true. Whether the
 * set is sealed is apart from it (bounds != NULL), as is the order of
 * appends (is_unsorted). Between calls FLAT and FROZEN sets are sealed. */
enum symarr_form {
	/* Linked in perf's tree from root (symarr_tree.c), sealed or not.
	 * Also a set being appended to (symarr__append()): root stays NIL
	 * and the entries unlinked until symarr__load_finish() links them
	 * or loads them flat. */
	SYMARR_FORM_TREE,
	/* Loaded without a tree: no node is linked; flat_order lists the
	 * live entries by start and flat_flags are the fixups they stand
	 * for. Anything that needs the tree builds it
	 * (symarr_materialize()), and the set is then a TREE. */
	SYMARR_FORM_FLAT,
	/* From symarr__from_image(): nodes[] are the entries some interval
	 * answers, without links or bindings; it never changes. */
	SYMARR_FORM_FROZEN,
};

struct symarr {
	/* After symarr__seal(): lookups answered by interval; ans[i] holds
	 * for [bounds[i], bounds[i + 1]), NIL for no symbol. */
	uint64_t *bounds;
	uint32_t *ans;
	size_t nr_bounds;
	/* A direct index over the bounds: slot k covers addresses from
	 * bounds[1] + (k << slot_shift); first[k] is the last bound at or
	 * below that, so a lookup searches first[k] .. first[k + 1]. */
	uint32_t *first;
	size_t nr_slots;
	unsigned int slot_shift;
	struct node *nodes;
	size_t nr_nodes, nodes_cap;
	size_t nr_live;
	uint32_t root;
	struct chunk *pool;
	enum symarr_form form;
	/* SYMARR_FORM_FLAT: flat_flags are the fixups done and
	 * flat_order[0 .. nr_live) the live entries by start. */
	uint32_t *flat_order;
	unsigned int flat_flags;
	/* Appended so far (symarr__append()) out of start order. */
	bool is_unsorted;
};

/* Node i of the set a (which must be in scope). */
#define N(i) (a->nodes[i])

/* symarr_store.c */

#define SYMARR_POOL_CHUNK 65536	/* bytes of names a pool chunk holds */

/* A NUL-terminated copy of the len bytes at s in a's pool, or NULL out of
 * memory. */
const char *symarr_pool_copy(struct symarr *a, const char *s, size_t len);
/* Room for need nodes in all. 0 or -ENOMEM. */
int symarr_reserve_nodes(struct symarr *a, size_t need);
/* Free the nodes and the name pool. */
void symarr_store_release(struct symarr *a);

/* symarr.c */

/* The direct index over a's bounds. Always 0: without memory for it, a
 * lookup is a plain binary search. */
int symarr_build_index(struct symarr *a);

/* symarr_tree.c */

/* Link node i into the tree as perf's __symbols__insert() does. */
void symarr_link_node(struct symarr *a, uint32_t i);
/* perf's choose_best_symbol(x, y) == SYMBOL_B: y is better than x. */
bool symarr_prefer_second(const struct node *x, const struct node *y);
/* Build the tree a flat set stands for, and unseal it. Needs no memory. */
void symarr_materialize(struct symarr *a);

/* Inline, as when symarr was one file: each runs once per entry, per
 * bound or per lookup. */

/* malloc() for arrays that may be large. */
static inline void *symarr_alloc_big(size_t size)
{
	size_t usable;

	return array__alloc_big(size, &usable);
}

/* Drop the sealed intervals and their index (lookups walk the tree). */
static inline void symarr_unseal(struct symarr *a)
{
	free(a->bounds);
	free(a->ans);
	free(a->first);
	a->bounds = NULL;
	a->ans = NULL;
	a->first = NULL;
	a->nr_bounds = a->nr_slots = 0;
}

/* Fill node i (room reserved, not yet linked). 0 or -ENOMEM. */
static inline int symarr_set_node(struct symarr *a, uint32_t i, uint64_t start,
				  uint64_t size, enum symarr_binding binding,
				  const char *name, size_t len, uint32_t tag)
{
	struct node *n = &N(i);

	n->sym.name = symarr_pool_copy(a, name, len);
	if (!n->sym.name)
		return -ENOMEM;
	n->sym.start = start;
	n->sym.end = start + size < start ? UINT64_MAX : start + size;
	n->sym.tag = tag;
	n->binding = (uint8_t)binding;
	n->is_end_fixed = 0;
	n->left = n->right = n->parent = NIL;
	return 0;
}

/* perf's symbols__find(): the first node on the way down holding addr. */
static inline uint32_t symarr_descend(const struct symarr *a, uint64_t addr)
{
	uint32_t i = a->root;

	while (i != NIL) {
		const struct symarr_sym *s = &N(i).sym;

		if (addr < s->start)
			i = N(i).left;
		else if (addr > s->end || (addr == s->end && addr != s->start))
			i = N(i).right;
		else
			return i;
	}
	return NIL;
}

#endif
