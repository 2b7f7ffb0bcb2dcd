/* symarr: the set, its sealed form and its lookups (see symarr.h).
 *
 * A set's entries are added to perf's tree (symarr_tree.c) or loaded flat
 * (below); symarr__seal() then turns the descent's answers into sorted
 * intervals, bounds[] with ans[], and a direct index first[] over them, so
 * that symarr__find() is one short binary search. The sealed form is exact:
 * consecutive intervals have different answers, the first starts at 0, and
 * it is dropped (symarr_unseal()) whenever the entries change.
 *
 * symarr__load() takes a shortcut. The tree's in-order walk is the entries
 * sorted by start, equal starts in insertion order (they go right, and
 * rotations keep the order), and both fixups are walks in that order, so a
 * stable sort and two linear passes give the same surviving entries with the
 * same ends. When those ranges are disjoint and none is empty, the descent
 * finds the one range holding an address whatever the tree's shape, so the
 * sealed intervals follow from the sorted ranges and no tree is built (the
 * set is "flat"). Otherwise, or when something needs the tree later, it is
 * built exactly as symarr__add() and symarr__fixup() would have.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "symarr_int.h"

struct symarr *symarr__new(void)
{
	struct symarr *a = calloc(1, sizeof(*a));

	if (!a) {
		errno = ENOMEM;
		return NULL;
	}
	a->root = NIL;
	return a;
}

void symarr__free(struct symarr *a)
{
	if (!a)
		return;
	symarr_store_release(a);
	free(a->bounds);
	free(a->ans);
	free(a->first);
	free(a->flat_order);
	free(a);
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t x = *(const uint64_t *)pa, y = *(const uint64_t *)pb;

	return x < y ? -1 : x > y;
}

/* Sort v[0 .. n) by key, stably: LSD radix sort a byte at a time,
 * skipping the bytes all keys share (most, for addresses in one DSO).
 * Returns 0, or -ENOMEM with v unchanged. */
struct keyed {
	uint64_t key;
	uint32_t index;
};

static int radix_sort(struct keyed *v, size_t n)
{
	struct keyed *tmp = symarr_alloc_big((n ? n : 1) * sizeof(*tmp));
	struct keyed *from = v, *to = tmp, *t;
	size_t count[256], i, shift;

	if (!tmp)
		return -ENOMEM;
	for (shift = 0; shift < 64 && n; shift += 8) {
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(from[i].key >> shift) & 0xff]++;
		if (count[(from[0].key >> shift) & 0xff] == n)
			continue;	/* one value for this byte */
		for (i = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[(from[i].key >> shift) & 0xff]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
	free(tmp);
	return 0;
}

/* b[0 .. n) in ascending order */
static void sort_bounds(uint64_t *b, size_t n)
{
	struct keyed *v = symarr_alloc_big((n ? n : 1) * sizeof(*v));
	size_t i;

	if (v) {
		for (i = 0; i < n; i++)
			v[i] = (struct keyed){b[i], 0};
		if (!radix_sort(v, n)) {
			for (i = 0; i < n; i++)
				b[i] = v[i].key;
			free(v);
			return;
		}
		free(v);
	}
	qsort(b, n, sizeof(*b), cmp_u64);
}

int symarr_build_index(struct symarr *a)
{
	uint64_t span, base;
	size_t k, j = 0;

	if (a->nr_bounds < 3)
		return 0;
	base = a->bounds[1];
	span = a->bounds[a->nr_bounds - 1] - base;
	a->slot_shift = 0;
	while ((span >> a->slot_shift) + 1 > 2 * a->nr_bounds)
		a->slot_shift++;
	a->nr_slots = (size_t)(span >> a->slot_shift) + 1;
	a->first = symarr_alloc_big((a->nr_slots + 1) * sizeof(*a->first));
	if (!a->first) {
		a->nr_slots = 0;
		return 0;	/* plain binary search still works */
	}
	for (k = 0; k <= a->nr_slots; k++) {
		uint64_t at = base + ((uint64_t)k << a->slot_shift);

		if (k && at <= base)	/* wrapped past UINT64_MAX */
			at = UINT64_MAX;
		while (j + 1 < a->nr_bounds && a->bounds[j + 1] <= at)
			j++;
		a->first[k] = (uint32_t)j;
	}
	return 0;
}

/* Append the interval [b, ...) answered by v, keeping the array minimal:
 * one bound per place the answer changes, the first at 0. */
static void push_bound(struct symarr *a, uint64_t b, uint32_t v)
{
	size_t m = a->nr_bounds;

	if (a->bounds[m - 1] == b) {
		if (m > 1 && a->ans[m - 2] == v)
			a->nr_bounds--;
		else
			a->ans[m - 1] = v;
	} else if (a->ans[m - 1] != v) {
		a->bounds[m] = b;
		a->ans[m] = v;
		a->nr_bounds++;
	}
}

/* Seal a flat set. Returns -EAGAIN, unsealed, when its live entries (by
 * start) are not disjoint or one is empty: the tree must decide. */
static int seal_flat(struct symarr *a)
{
	size_t i;

	a->bounds = symarr_alloc_big((2 * a->nr_live + 1) * sizeof(*a->bounds));
	a->ans = symarr_alloc_big((2 * a->nr_live + 1) * sizeof(*a->ans));
	if (!a->bounds || !a->ans) {
		symarr_unseal(a);
		return -ENOMEM;
	}
	a->bounds[0] = 0;
	a->ans[0] = NIL;
	a->nr_bounds = 1;
	for (i = 0; i < a->nr_live; i++) {
		const struct symarr_sym *s = &N(a->flat_order[i]).sym;

		if (s->end <= s->start ||
		    (i + 1 < a->nr_live &&
		     s->end > N(a->flat_order[i + 1]).sym.start)) {
			symarr_unseal(a);
			return -EAGAIN;
		}
		push_bound(a, s->start, a->flat_order[i]);
		push_bound(a, s->end, NIL);
	}
	return symarr_build_index(a);
}

static int cmp_order(const void *pa, const void *pb, void *arg)
{
	const struct symarr *a = arg;
	uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;

	if (N(x).sym.start != N(y).sym.start)
		return N(x).sym.start < N(y).sym.start ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* flat_order[0 .. nr_nodes), the identity, by start, equal starts in the
 * order added */
static void sort_by_start(struct symarr *a)
{
	size_t i, n = a->nr_nodes;
	struct keyed *v = symarr_alloc_big((n ? n : 1) * sizeof(*v));

	if (v) {
		for (i = 0; i < n; i++)
			v[i] = (struct keyed){N(i).sym.start, (uint32_t)i};
		if (!radix_sort(v, n)) {
			for (i = 0; i < n; i++)
				a->flat_order[i] = v[i].index;
			free(v);
			return;
		}
		free(v);
	}
	qsort_r(a->flat_order, n, sizeof(*a->flat_order), cmp_order, a);
}

/* fixup_end() and fixup_duplicate() over the entries in tree order, in
 * one pass; leaves the survivors in flat_order[0 .. nr_live). Each end
 * needs only the next entry's start, and the survivor of a run of equal
 * starts is compared with each next one in turn, as fixup_duplicate()
 * does, after both ends are fixed. */
static void fixup_flat(struct symarr *a, bool is_kallsyms)
{
	uint32_t *o = a->flat_order;
	size_t k, n = a->nr_nodes, m = 0;

	for (k = 0; k < n; k++) {
		struct node *p = &N(o[k]);

		if (p->sym.end == p->sym.start) {
			p->is_end_fixed = 1;
			if (k + 1 == n)
				p->sym.end = ((p->sym.start + 4095) &
					      ~(uint64_t)4095) + 4096;
			else if (is_kallsyms &&
				 !p->sym.tag != !N(o[k + 1]).sym.tag)
				p->sym.end = (p->sym.end + 4096 + 4095) &
					     ~(uint64_t)4095;
			else
				p->sym.end = N(o[k + 1]).sym.start;
		}
		if (!m || N(o[m - 1]).sym.start != p->sym.start)
			o[m++] = o[k];
		else if (symarr_prefer_second(&N(o[m - 1]), p))
			o[m - 1] = o[k];
	}
	a->nr_live = m;
}

int symarr__reserve(struct symarr *a, size_t n, size_t name_bytes)
{
	int err;

	if (a->form == SYMARR_FORM_FROZEN)
		return -EPERM;
	err = symarr_reserve_nodes(a, n);
	if (err || name_bytes <= SYMARR_POOL_CHUNK || a->pool)
		return err;
	/* one chunk for every name: it is never touched past what they use */
	a->pool = symarr_alloc_big(sizeof(*a->pool) + name_bytes);
	if (!a->pool)
		return -ENOMEM;
	a->pool->next = NULL;
	a->pool->used = 0;
	a->pool->cap = name_bytes;
	return 0;
}

int symarr__append(struct symarr *a, const struct symarr_entry *e)
{
	uint32_t i = (uint32_t)a->nr_nodes;
	int err;

	if (a->form == SYMARR_FORM_FROZEN)
		return -EPERM;
	if (a->nr_nodes == a->nodes_cap) {
		err = symarr_reserve_nodes(a, a->nr_nodes + 1);
		if (err)
			return err;
	}
	err = symarr_set_node(a, i, e->start, e->size, e->binding, e->name,
			      e->len, e->tag);
	if (err)
		return err;
	if (i && e->start < N(i - 1).sym.start)
		a->is_unsorted = true;
	a->nr_nodes = a->nr_live = (size_t)i + 1;
	return 0;
}

int symarr__load_finish(struct symarr *a, unsigned int flags)
{
	size_t i, n = a->nr_nodes;

	if (a->form == SYMARR_FORM_FROZEN)
		return 0;	/* it stays as it was: nothing was appended */
	a->flat_flags = flags & ~SYMARR_REFERENCE;
	if (flags & SYMARR_REFERENCE ||
	    (flags & (SYMARR_FIXUP_END | SYMARR_DEDUP)) !=
		    (SYMARR_FIXUP_END | SYMARR_DEDUP))
		goto tree;
	a->flat_order = symarr_alloc_big((n ? n : 1) * sizeof(*a->flat_order));
	if (!a->flat_order)
		goto tree;
	for (i = 0; i < n; i++)
		a->flat_order[i] = (uint32_t)i;
	if (a->is_unsorted)
		sort_by_start(a);
	fixup_flat(a, flags & SYMARR_KALLSYMS);
	a->form = SYMARR_FORM_FLAT;
	if (seal_flat(a))
		goto tree;	/* overlaps, or no memory: then unsealed */
	return 0;
tree:
	symarr_materialize(a);
	symarr__seal(a);	/* on failure lookups just walk the tree */
	return 0;
}

int symarr__load(struct symarr *a, const struct symarr_entry *e, size_t n,
		 unsigned int flags)
{
	size_t i;
	int err;

	if (a->nr_nodes)
		return -EINVAL;
	err = symarr_reserve_nodes(a, n);
	for (i = 0; !err && i < n; i++)
		err = symarr__append(a, &e[i]);
	if (err)
		return err;
	return symarr__load_finish(a, flags);
}

int symarr__seal(struct symarr *a)
{
	size_t i, n = 0, m = 0;
	uint64_t *b;
	uint32_t *ans;

	if (a->form == SYMARR_FORM_FROZEN)
		return 0;
	symarr_unseal(a);
	if (a->form == SYMARR_FORM_FLAT) {
		if (!seal_flat(a))
			return 0;
		symarr_materialize(a);
		return -ENOMEM;
	}
	b = symarr_alloc_big((2 * a->nr_nodes + 1) * sizeof(*b));
	ans = symarr_alloc_big((2 * a->nr_nodes + 1) * sizeof(*ans));
	if (!b || !ans) {
		free(b);
		free(ans);
		return -ENOMEM;
	}
	/* Every place the descent's comparisons can change; erased nodes
	 * only add harmless extra bounds. */
	b[n++] = 0;
	for (i = 0; i < a->nr_nodes; i++) {
		const struct symarr_sym *s = &a->nodes[i].sym;

		b[n++] = s->start;
		if (s->end != s->start)
			b[n++] = s->end;
		else if (s->start != UINT64_MAX)
			b[n++] = s->start + 1;
	}
	sort_bounds(b, n);
	for (i = 0; i < n; i++) {
		uint32_t v;

		if (m && b[m - 1] == b[i])
			continue;
		v = symarr_descend(a, b[i]);
		/* Merge runs with one answer. */
		if (m && ans[m - 1] == v)
			continue;
		b[m] = b[i];
		ans[m++] = v;
	}
	a->bounds = b;
	a->ans = ans;
	a->nr_bounds = m;
	return symarr_build_index(a);
}

const struct symarr_sym *symarr__find(const struct symarr *a, uint64_t addr)
{
	size_t lo = 0, hi = a->nr_bounds;
	uint32_t i;

	if (!a->bounds) {
		i = symarr_descend(a, addr);
		return i == NIL ? NULL : &N(i).sym;
	}
	if (a->first && addr >= a->bounds[1]) {
		uint64_t k = (addr - a->bounds[1]) >> a->slot_shift;

		if (k < a->nr_slots) {
			lo = a->first[k];
			hi = (size_t)a->first[k + 1] + 1;
		} else {
			lo = a->first[a->nr_slots - 1];
		}
	}
	/* The last bound <= addr in [lo, hi); bounds[0] is 0, so there is
	 * one. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->bounds[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	i = a->ans[lo];
	return i == NIL ? NULL : &N(i).sym;
}

size_t symarr__nr_intervals(const struct symarr *a)
{
	return a->bounds ? a->nr_bounds : 0;
}

const struct symarr_sym *symarr__interval(const struct symarr *a, size_t i,
					  uint64_t *start)
{
	*start = a->bounds[i];
	return a->ans[i] == NIL ? NULL : &N(a->ans[i]).sym;
}

size_t symarr__count(const struct symarr *a)
{
	return a->nr_live;
}
