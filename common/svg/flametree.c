/* flametree: prefix tree of folded stacks (see flametree.h).
 *
 * One routine builds the tree, append(): it walks a stack against the path
 * of the stack appended before it, extends the frames they share and opens
 * new nodes for the rest at the current time cursor. Fed in input order
 * that gives a flame chart. For a flame graph, stacks are first summed in a
 * hash table and then appended in sorted order, which makes append() merge
 * every equal prefix. Stacks are hashed straight from the caller's line and
 * copied only when new, into chunks that never move (a 100 MB arena grown
 * by realloc() would need twice that at its peak). Before sorting, the ';'
 * separators of the stored keys become '\0', so that memcmp() order is the
 * order of frame sequences ("a" < "a!" < "a;b" does not hold with ';').
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
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
	char *key;		/* in t->chunks */
	size_t len;
	double before, after;
};

#define CHUNK_SIZE (4u << 20)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct flametree {
	unsigned flags;
	int is_finished;
	struct intern *names;

	struct node *nodes;
	size_t nr_nodes, nodes_cap;
	unsigned max_depth;
	double cursor;		/* x where the next new node starts */
	double total;		/* sum of all "after" counts added */
	double min_fraction;	/* prune frames narrower than this */

	uint32_t *path;		/* node of each depth of the last stack */
	size_t path_len, path_cap;

	char *scratch;		/* the stack being added, when reversed */
	size_t scratch_cap;

	struct agg_entry *entries;	/* merged mode: distinct stacks */
	size_t nr_entries, entries_cap;
	uint64_t *slots;		/* hash >> 32 << 32 | entry index + 1;
					 * 0 = empty. The hash half spares a
					 * cache miss on most mismatches. */
	size_t slots_cap;		/* power of two */
	struct chunk *chunks;	/* newest first */
	size_t nr_stacks;
};

struct flametree *flametree__new(unsigned flags)
{
	struct flametree *t = calloc(1, sizeof(*t));

	if (!t)
		goto fail;
	t->flags = flags;
	t->names = intern__new();
	if (!t->names)
		goto fail;
	if (array__reserve((void **)&t->nodes, &t->nodes_cap, 1, sizeof(*t->nodes)) ||
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
	struct chunk *ch, *next;

	for (ch = t->chunks; ch; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(t->entries);
	free(t->slots);
	t->chunks = NULL;
	t->entries = NULL;
	t->slots = NULL;
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

/* Copy stack into t->scratch with its frames in reverse order. */
static int reverse_key(struct flametree *t, const char *stack, size_t len)
{
	size_t i, end = len, out = 0;

	if (array__reserve((void **)&t->scratch, &t->scratch_cap, len + 1, 1))
		return -ENOMEM;
	for (i = len; i-- > 0;) {
		if (stack[i] != ';')
			continue;
		memcpy(t->scratch + out, stack + i + 1, end - i - 1);
		out += end - i - 1;
		t->scratch[out++] = ';';
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
	    array__reserve((void **)&t->nodes, &t->nodes_cap, t->nr_nodes + 1,
		 sizeof(*t->nodes)) ||
	    array__reserve((void **)&t->path, &t->path_cap, depth + 1, sizeof(*t->path)))
		return -ENOMEM;
	t->nodes[t->nr_nodes] = (struct node){
		.name = id, .depth = depth, .x = t->cursor,
	};
	t->path[depth] = (uint32_t)t->nr_nodes++;
	if (depth > t->max_depth)
		t->max_depth = depth;
	return 0;
}

/* Pruning while building a flame graph from the sorted table: the entries
 * order[i..] are appended in turn, and a frame whose subtree would be
 * narrower than min is never created. */
struct prune {
	const uint32_t *order;
	size_t i, nr;		/* entry being appended, and the count */
	size_t next;		/* set when a prefix is pruned: first entry
				 * that does not share it */
	double min;
};

/* Whether the entries from p->i on sharing key[0..len) (whole frames) add
 * up to at least p->min; if not, sets p->next past them. Stops early once
 * they do, so a kept frame costs a few comparisons. Sums in the same order
 * as append() does, so the decision matches the node's final value. */
static int is_wide_enough(struct flametree *t, struct prune *p,
			  const char *key, size_t len)
{
	double sum = 0;
	size_t k;

	for (k = p->i; k < p->nr; k++) {
		const struct agg_entry *e = &t->entries[p->order[k]];

		if (k > p->i && (e->len < len || memcmp(e->key, key, len) ||
				 (e->len > len && e->key[len] != '\0')))
			break;
		sum += e->after;
		if (sum >= p->min)
			return 1;
	}
	p->next = k;
	return 0;
}

static void add_counts(struct flametree *t, size_t depth, double before,
		       double after)
{
	size_t d;

	t->path[0] = 0;
	for (d = 0; d <= depth; d++) {
		t->nodes[t->path[d]].value += after;
		t->nodes[t->path[d]].before += before;
	}
	t->cursor += after;
}

/* Flame chart: the frames of the last stack from depth on have just ended
 * and their values are final. Drop the first that is narrower than the
 * minimum fraction of the total so far, with its subtree, which runs to
 * the end of the node array. */
static void drop_narrow_closed(struct flametree *t, size_t depth)
{
	double min = t->min_fraction * t->total;
	size_t d;

	if (min <= 0)
		return;
	for (d = depth; d < t->path_len; d++) {
		if (t->nodes[t->path[d]].value < min) {
			t->nr_nodes = t->path[d];
			break;
		}
	}
}

/* Append key[0..len), frames separated by sep, at the time cursor. With p,
 * stop at the first frame too narrow to keep and account the whole run of
 * entries sharing it to its ancestors. */
static int append(struct flametree *t, const char *key, size_t len, char sep,
		  double before, double after, struct prune *p)
{
	size_t pos = 0, depth = 1, shared = 1, k;

	for (;;) {
		const char *f = key + pos;
		const char *end = memchr(f, sep, len - pos);
		size_t flen = end ? (size_t)(end - f) : len - pos;

		if (shared && depth < t->path_len) {
			uint32_t id = t->nodes[t->path[depth]].name;

			shared = intern__len(t->names, id) == flen &&
				 !memcmp(intern__str(t->names, id), f, flen);
		} else {
			shared = 0;
		}
		if (!shared && !p && depth < t->path_len) {
			drop_narrow_closed(t, depth);
			t->path_len = depth;	/* closed once */
		}
		if (!shared && p && !is_wide_enough(t, p, key, pos + flen)) {
			t->path_len = depth;
			for (k = p->i; k < p->next; k++) {
				const struct agg_entry *e =
					&t->entries[p->order[k]];

				add_counts(t, depth - 1, e->before, e->after);
			}
			return 0;
		}
		if (!shared && new_node(t, f, flen, (unsigned)depth))
			return -ENOMEM;
		if (!end)
			break;
		pos += flen + 1;
		depth++;
	}
	t->path_len = depth + 1;
	if (p)
		p->next = p->i + 1;
	add_counts(t, depth, before, after);
	return 0;
}

static uint64_t slot_of(uint64_t hash, size_t entry)
{
	return (hash & 0xffffffff00000000ULL) | (uint64_t)(entry + 1);
}

static int agg_grow_slots(struct flametree *t)
{
	size_t cap = t->slots_cap * 2, i;
	uint64_t *s = calloc(cap, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (i = 0; i < t->nr_entries; i++) {
		size_t j = t->entries[i].hash & (cap - 1);

		while (s[j])
			j = (j + 1) & (cap - 1);
		s[j] = slot_of(t->entries[i].hash, i);
	}
	free(t->slots);
	t->slots = s;
	t->slots_cap = cap;
	return 0;
}

/* A copy of key[0..len) in the chunks; NULL when out of memory. */
static char *store_key(struct flametree *t, const char *key, size_t len)
{
	struct chunk *ch = t->chunks;
	size_t cap;

	if (!ch || ch->cap - ch->used < len) {
		cap = len > CHUNK_SIZE ? len : CHUNK_SIZE;
		ch = malloc(sizeof(*ch) + cap);
		if (!ch)
			return NULL;
		ch->used = 0;
		ch->cap = cap;
		ch->next = t->chunks;
		t->chunks = ch;
	}
	memcpy(ch->data + ch->used, key, len);
	ch->used += len;
	return ch->data + ch->used - len;
}

/* Sum the counts of the stack key[0..len) into the table. */
static int aggregate(struct flametree *t, const char *key, size_t len,
		     double before, double after)
{
	uint64_t h = hash__bytes(key, len, 0);
	size_t mask = t->slots_cap - 1, i = h & mask;
	struct agg_entry *e;
	char *copy;

	for (; t->slots[i]; i = (i + 1) & mask) {
		if ((t->slots[i] ^ h) >> 32)
			continue;
		e = &t->entries[(uint32_t)t->slots[i] - 1];
		if (e->hash == h && e->len == len && !memcmp(e->key, key, len)) {
			e->before += before;
			e->after += after;
			return 0;
		}
	}
	if (t->nr_entries >= UINT32_MAX - 1 ||
	    array__reserve((void **)&t->entries, &t->entries_cap, t->nr_entries + 1,
		 sizeof(*t->entries)) ||
	    !(copy = store_key(t, key, len)))
		return -ENOMEM;
	t->entries[t->nr_entries] = (struct agg_entry){
		.hash = h, .key = copy, .len = len,
		.before = before, .after = after,
	};
	t->slots[i] = slot_of(h, t->nr_entries++);
	if (t->nr_entries * 2 > t->slots_cap)
		return agg_grow_slots(t);
	return 0;
}

int flametree__add(struct flametree *t, const char *stack, size_t len,
		   double before, double after)
{
	if (t->is_finished)
		return -EINVAL;
	t->total += after;
	if (t->flags & FLAMETREE_REVERSE) {
		if (reverse_key(t, stack, len))
			return -ENOMEM;
		stack = t->scratch;
	}
	if (t->flags & FLAMETREE_CHART) {
		t->nr_stacks++;
		return append(t, stack, len, ';', before, after, NULL);
	}
	return aggregate(t, stack, len, before, after);
}

static int cmp_entries(const void *a, const void *b, void *arg)
{
	const struct flametree *t = arg;
	const struct agg_entry *x = &t->entries[*(const uint32_t *)a];
	const struct agg_entry *y = &t->entries[*(const uint32_t *)b];
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

void flametree__prune_below(struct flametree *t, double fraction)
{
	t->min_fraction = fraction;
}

int flametree__finish(struct flametree *t)
{
	double min_value = t->min_fraction * t->total;
	struct prune p = { .min = min_value };
	uint32_t *order;
	size_t i;
	int err = 0;

	if (t->is_finished)
		return -EINVAL;
	t->is_finished = 1;
	if (t->flags & FLAMETREE_CHART)
		return 0;
	free(t->slots);
	t->slots = NULL;
	order = malloc((t->nr_entries + 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (i = 0; i < t->nr_entries; i++) {
		struct agg_entry *e = &t->entries[i];
		char *s = e->key, *end = e->key + e->len;

		while ((s = memchr(s, ';', (size_t)(end - s))))
			*s++ = '\0';
		order[i] = (uint32_t)i;
	}
	qsort_r(order, t->nr_entries, sizeof(*order), cmp_entries, t);
	p.order = order;
	p.nr = t->nr_entries;
	for (i = 0; i < t->nr_entries && !err; i = p.next) {
		const struct agg_entry *e = &t->entries[order[i]];

		p.i = i;
		err = append(t, e->key, e->len, '\0', e->before, e->after,
			     min_value > 0 ? &p : NULL);
		if (min_value <= 0)
			p.next = i + 1;
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

double flametree__total(const struct flametree *t)
{
	return t->total;
}

size_t flametree__nr_stacks(const struct flametree *t)
{
	return t->nr_stacks;
}
