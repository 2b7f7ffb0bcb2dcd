/* flametree: prefix tree of folded stacks (see flametree.h).
 *
 * One routine builds the tree, append(): it walks a stack against the path
 * of the stack appended before it, extends the frames they share and opens
 * new nodes for the rest at the current time cursor. Fed in input order
 * that gives a flame chart. For a flame graph, stacks are first summed in a
 * hash table and then appended in sorted order, which makes append() merge
 * every equal prefix; the table keys use '\0' as frame separator, so that
 * memcmp() order is the order of frame sequences ("a" < "a!" < "a;b" would
 * not hold with ';').
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flametree.h"
#include "hash.h"
#include "intern.h"

struct node {
	uint32_t name;		/* id in t->names */
	uint32_t depth;
	double x, value, before;
};

struct agg_entry {
	uint64_t hash;
	uint64_t off;		/* key bytes at t->keys + off */
	size_t len;
	double before, after;
};

struct flametree {
	unsigned flags;
	int is_finished;
	struct intern *names;

	struct node *nodes;
	size_t nr_nodes, nodes_cap;
	unsigned max_depth;
	double cursor;		/* x where the next new node starts */

	uint32_t *path;		/* node of each depth of the last stack */
	size_t path_len, path_cap;

	char *scratch;		/* the stack being added, '\0'-separated */
	size_t scratch_cap;

	struct agg_entry *entries;	/* merged mode: distinct stacks */
	size_t nr_entries, entries_cap;
	uint32_t *slots;		/* entry index + 1; 0 = empty */
	size_t slots_cap;		/* power of two */
	char *keys;
	size_t keys_len, keys_cap;
	size_t nr_stacks;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

struct flametree *flametree__new(unsigned flags)
{
	struct flametree *t = calloc(1, sizeof(*t));

	if (!t)
		goto fail;
	t->flags = flags;
	t->names = intern__new();
	if (!t->names)
		goto fail;
	if (grow((void **)&t->nodes, &t->nodes_cap, 1, sizeof(*t->nodes)) ||
	    intern__add(t->names, "all", 3) == INTERN_NONE)
		goto fail;
	t->nodes[0] = (struct node){ .name = 0 };
	t->nr_nodes = 1;
	if (!(flags & FLAMETREE_CHART)) {
		t->slots_cap = 1024;
		t->slots = calloc(t->slots_cap, sizeof(*t->slots));
		if (!t->slots)
			goto fail;
	}
	return t;
fail:
	flametree__free(t);
	errno = ENOMEM;
	return NULL;
}

static void free_table(struct flametree *t)
{
	free(t->entries);
	free(t->slots);
	free(t->keys);
	t->entries = NULL;
	t->slots = NULL;
	t->keys = NULL;
}

void flametree__free(struct flametree *t)
{
	if (!t)
		return;
	free_table(t);
	free(t->scratch);
	free(t->path);
	free(t->nodes);
	intern__free(t->names);
	free(t);
}

/* Copy stack into t->scratch with '\0' separators, reversed if asked. */
static int make_key(struct flametree *t, const char *stack, size_t len)
{
	size_t i, end, out = 0;

	if (grow((void **)&t->scratch, &t->scratch_cap, len + 1, 1))
		return -ENOMEM;
	if (!(t->flags & FLAMETREE_REVERSE)) {
		for (i = 0; i < len; i++)
			t->scratch[i] = stack[i] == ';' ? '\0' : stack[i];
		return 0;
	}
	end = len;
	for (i = len; i-- > 0;) {
		if (stack[i] != ';')
			continue;
		memcpy(t->scratch + out, stack + i + 1, end - i - 1);
		out += end - i - 1;
		t->scratch[out++] = '\0';
		end = i;
	}
	memcpy(t->scratch + out, stack, end);
	return 0;
}

static int new_node(struct flametree *t, const char *name, size_t len,
		    unsigned depth)
{
	uint32_t id = intern__add(t->names, name, len);

	if (id == INTERN_NONE ||
	    grow((void **)&t->nodes, &t->nodes_cap, t->nr_nodes + 1,
		 sizeof(*t->nodes)) ||
	    grow((void **)&t->path, &t->path_cap, depth + 1, sizeof(*t->path)))
		return -ENOMEM;
	t->nodes[t->nr_nodes] = (struct node){
		.name = id, .depth = depth, .x = t->cursor,
	};
	t->path[depth] = (uint32_t)t->nr_nodes++;
	if (depth > t->max_depth)
		t->max_depth = depth;
	return 0;
}

/* Append the '\0'-separated key[0..len) at the time cursor. */
static int append(struct flametree *t, const char *key, size_t len,
		  double before, double after)
{
	size_t pos = 0, depth = 1, shared = 1, d;
	struct node *n;

	for (;;) {
		const char *f = key + pos;
		const char *sep = memchr(f, '\0', len - pos);
		size_t flen = sep ? (size_t)(sep - f) : len - pos;

		if (shared && depth < t->path_len) {
			uint32_t id = t->nodes[t->path[depth]].name;

			shared = intern__len(t->names, id) == flen &&
				 !memcmp(intern__str(t->names, id), f, flen);
		} else {
			shared = 0;
		}
		if (!shared && new_node(t, f, flen, (unsigned)depth))
			return -ENOMEM;
		if (!sep)
			break;
		pos += flen + 1;
		depth++;
	}
	t->path_len = depth + 1;
	t->path[0] = 0;
	for (d = 0; d <= depth; d++) {
		n = &t->nodes[t->path[d]];
		n->value += after;
		n->before += before;
	}
	t->cursor += after;
	return 0;
}

static int agg_grow_slots(struct flametree *t)
{
	size_t cap = t->slots_cap * 2, i;
	uint32_t *s = calloc(cap, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (i = 0; i < t->nr_entries; i++) {
		size_t j = t->entries[i].hash & (cap - 1);

		while (s[j])
			j = (j + 1) & (cap - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = s;
	t->slots_cap = cap;
	return 0;
}

/* Sum the counts of the key in t->scratch[0..len) into the table. */
static int aggregate(struct flametree *t, size_t len, double before,
		     double after)
{
	uint64_t h = hash__bytes(t->scratch, len, 0);
	size_t mask = t->slots_cap - 1, i = h & mask;
	struct agg_entry *e;

	for (; t->slots[i]; i = (i + 1) & mask) {
		e = &t->entries[t->slots[i] - 1];
		if (e->hash == h && e->len == len &&
		    !memcmp(t->keys + e->off, t->scratch, len)) {
			e->before += before;
			e->after += after;
			return 0;
		}
	}
	if (t->nr_entries >= UINT32_MAX - 1 ||
	    grow((void **)&t->entries, &t->entries_cap, t->nr_entries + 1,
		 sizeof(*t->entries)) ||
	    grow((void **)&t->keys, &t->keys_cap, t->keys_len + len, 1))
		return -ENOMEM;
	memcpy(t->keys + t->keys_len, t->scratch, len);
	t->entries[t->nr_entries] = (struct agg_entry){
		.hash = h, .off = t->keys_len, .len = len,
		.before = before, .after = after,
	};
	t->keys_len += len;
	t->slots[i] = (uint32_t)++t->nr_entries;
	if (t->nr_entries * 2 > t->slots_cap)
		return agg_grow_slots(t);
	return 0;
}

int flametree__add(struct flametree *t, const char *stack, size_t len,
		   double before, double after)
{
	if (t->is_finished)
		return -EINVAL;
	if (make_key(t, stack, len))
		return -ENOMEM;
	if (t->flags & FLAMETREE_CHART) {
		t->nr_stacks++;
		return append(t, t->scratch, len, before, after);
	}
	return aggregate(t, len, before, after);
}

static int cmp_entries(const void *a, const void *b, void *arg)
{
	const struct flametree *t = arg;
	const struct agg_entry *x = &t->entries[*(const uint32_t *)a];
	const struct agg_entry *y = &t->entries[*(const uint32_t *)b];
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(t->keys + x->off, t->keys + y->off, n);

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

int flametree__finish(struct flametree *t)
{
	uint32_t *order;
	size_t i;
	int err = 0;

	if (t->is_finished)
		return -EINVAL;
	t->is_finished = 1;
	if (t->flags & FLAMETREE_CHART)
		return 0;
	/* the slots are no longer needed: reuse them as the sort order */
	order = t->slots;
	t->slots = NULL;
	if (t->slots_cap < t->nr_entries) {
		free(order);
		order = malloc((t->nr_entries + 1) * sizeof(*order));
		if (!order)
			return -ENOMEM;
	}
	for (i = 0; i < t->nr_entries; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, t->nr_entries, sizeof(*order), cmp_entries, t);
	for (i = 0; i < t->nr_entries && !err; i++) {
		const struct agg_entry *e = &t->entries[order[i]];

		err = append(t, t->keys + e->off, e->len, e->before, e->after);
	}
	t->nr_stacks = t->nr_entries;
	free(order);
	free_table(t);
	return err;
}

size_t flametree__nr_nodes(const struct flametree *t)
{
	return t->is_finished ? t->nr_nodes : 0;
}

void flametree__node(const struct flametree *t, size_t i,
		     struct flametree_node *out)
{
	const struct node *n = &t->nodes[i];

	out->name = intern__str(t->names, n->name);
	out->name_len = intern__len(t->names, n->name);
	out->depth = n->depth;
	out->x = n->x;
	out->value = n->value;
	out->before = n->before;
}

unsigned flametree__max_depth(const struct flametree *t)
{
	return t->max_depth;
}

size_t flametree__nr_stacks(const struct flametree *t)
{
	return t->nr_stacks;
}
