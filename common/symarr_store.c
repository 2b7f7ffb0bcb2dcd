/* symarr: the storage of a set's entries, below everything else of the
 * module (symarr_int.h): the nodes, in one array linked by index, and the
 * name pool, chunks that names are copied into once. The tree
 * (symarr_tree.c), the sealed form (symarr.c) and the image
 * (symarr_image.c) all keep their entries here; this file calls none of
 * them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symarr_int.h"

const char *symarr_pool_copy(struct symarr *a, const char *s, size_t len)
{
	struct chunk *c = a->pool;
	char *p;

	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > SYMARR_POOL_CHUNK ? len + 1 : SYMARR_POOL_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->pool;
		a->pool = c;
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

/* Room for need nodes in all; at most NIL - 1, as they link by index. */
int symarr_reserve_nodes(struct symarr *a, size_t need)
{
	size_t usable;

	if (need >= NIL)
		return -ENOMEM;
	if (!a->nodes && need > 256) {
		/* the first room asked for: all of a large table at once */
		a->nodes = array__alloc_big(need * sizeof(*a->nodes), &usable);
		if (!a->nodes)
			return -ENOMEM;
		a->nodes_cap = usable / sizeof(*a->nodes);
		return 0;
	}
	return array__reserve((void **)&a->nodes, &a->nodes_cap, need,
			      sizeof(*a->nodes));
}

void symarr_store_release(struct symarr *a)
{
	struct chunk *c, *next;

	for (c = a->pool; c; c = next) {
		next = c->next;
		free(c);
	}
	a->pool = NULL;
	free(a->nodes);
	a->nodes = NULL;
}
