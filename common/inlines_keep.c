/* inlines: the index and the answers kept in a cache between runs (see
 * inlines.h).
 *
 * What one run learnt of a DWARF file, stored under its identity: every
 * answer given (address -> names), and every unit's index as far as it was
 * built (its roots with their ranges, and each walked root's functions and
 * ranges). A later run takes both: an address answered before costs one
 * hash probe, a new one in a unit seen before only the lookup of its unit
 * (libdw's aranges) and, if its function was not walked, that walk.
 *
 * The entry, in host byte order, each part 8-byte aligned:
 *
 *   struct kept_head
 *   struct kept_answer[nr_answers]
 *   uint32_t name[nr_names]            offsets of answers' names
 *   struct kept_unit[nr_units]         with its parts' counts
 *   struct kept_root[nr_roots]         all units' roots, unit by unit
 *   struct range[nr_root_ranges]       then their root ranges
 *   struct kept_fn[nr_fns]             then their functions
 *   struct range[nr_ranges]            then their ranges
 *   char strings[strings_len]          names, each NUL-terminated
 *
 * Reading checks every count and index against the entry, so a damaged
 * one is refused whole (or, at worst, answers wrongly), never read past.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fcache.h"
#include "inlines_int.h"

#define NO_NAME UINT32_MAX

struct kept_head {
	uint64_t nr_answers, nr_names, nr_units, nr_roots, nr_root_ranges;
	uint64_t nr_fns, nr_ranges, strings_len;
};

struct kept_answer {
	uint64_t addr;
	uint32_t first, nr;
};

struct kept_unit {
	uint64_t off;
	uint32_t nr_roots, nr_root_ranges, nr_fns, nr_ranges;
};

struct kept_root {
	uint64_t off;
	uint32_t first, end;	/* 0, 0 when not walked */
	uint32_t is_walked, pad;
};

struct kept_fn {
	uint32_t name;		/* offset in strings, or NO_NAME */
	uint32_t parent;
	uint32_t is_inline;
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Where each part starts, from the counts; false when they do not fit in
 * len bytes (checked against overflow: every count is first bounded by
 * len). */
struct layout {
	size_t answers, names, units, roots, root_ranges, fns, ranges, strings;
	size_t len;
};

/* How far each per-unit part has been written or read, in elements. */
struct cursor {
	size_t roots, root_ranges, fns, ranges;
};

static bool lay_out(const struct kept_head *h, size_t len, struct layout *l)
{
	const uint64_t counts[] = { h->nr_answers, h->nr_names, h->nr_units,
				    h->nr_roots, h->nr_root_ranges, h->nr_fns,
				    h->nr_ranges, h->strings_len };
	size_t i;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (counts[i] > len)
			return false;
	l->answers = sizeof(*h);
	l->names = l->answers + h->nr_answers * sizeof(struct kept_answer);
	l->units = align8(l->names + h->nr_names * sizeof(uint32_t));
	l->roots = l->units + h->nr_units * sizeof(struct kept_unit);
	l->root_ranges = l->roots + h->nr_roots * sizeof(struct kept_root);
	l->fns = l->root_ranges + h->nr_root_ranges * sizeof(struct range);
	l->ranges = align8(l->fns + h->nr_fns * sizeof(struct kept_fn));
	l->strings = l->ranges + h->nr_ranges * sizeof(struct range);
	l->len = l->strings + h->strings_len;
	return true;
}

/* ---- writing ---- */

/* Names written once each, by pointer (libdw's names of one string are one
 * pointer into .debug_str). */
struct strtab {
	const char **keys;
	uint32_t *offs;
	size_t cap;
	char *bytes;
	size_t len, bytes_cap;
};

static uint32_t str_off(struct strtab *t, const char *s, bool *is_oom)
{
	size_t mask = t->cap - 1, i = ((uintptr_t)s >> 3) * 0x9e3779b97f4a7c15ULL
				      >> 20 & mask;
	size_t n;

	if (!s)
		return NO_NAME;
	for (; t->keys[i]; i = (i + 1) & mask)
		if (t->keys[i] == s)
			return t->offs[i];
	n = strlen(s) + 1;
	if (t->len + n > UINT32_MAX - 1 ||
	    !inlines_grow((void **)&t->bytes, &t->bytes_cap, t->len + n, 1)) {
		*is_oom = true;
		return NO_NAME;
	}
	memcpy(t->bytes + t->len, s, n);
	t->keys[i] = s;
	t->offs[i] = (uint32_t)t->len;
	t->len += n;
	return t->offs[i];
}

/* The kept form of il in a new buffer (*len bytes), or NULL. */
static char *serialize(const struct inlines *il, size_t *len)
{
	struct kept_head h = { .nr_answers = il->nr_answers,
			       .nr_names = il->nr_names };
	struct strtab t = { 0 };
	struct layout l;
	char *buf = NULL;
	bool is_oom = false;
	struct cursor c = { 0 };
	size_t i, j, n = 0;

	for (i = 0; i < il->nr_units; i++) {
		const struct unit *u = &il->units[i];

		if (u->is_oom)
			continue;
		h.nr_units++;
		h.nr_roots += u->nr_roots;
		h.nr_root_ranges += u->nr_root_ranges;
		h.nr_fns += u->nr_fns;
		h.nr_ranges += u->nr_ranges;
	}
	t.cap = 64;
	while (t.cap < 2 * (il->nr_names + h.nr_fns))
		t.cap *= 2;
	t.keys = calloc(t.cap, sizeof(*t.keys));
	t.offs = malloc(t.cap * sizeof(*t.offs));
	if (!t.keys || !t.offs)
		goto out;
	/* the strings first: their length places nothing but the end */
	for (i = 0; i < il->nr_names; i++)
		str_off(&t, il->names[i], &is_oom);
	for (i = 0; i < il->nr_units; i++)
		for (j = 0; !il->units[i].is_oom && j < il->units[i].nr_fns; j++)
			str_off(&t, il->units[i].fns[j].name, &is_oom);
	h.strings_len = t.len;
	lay_out(&h, SIZE_MAX, &l);
	buf = is_oom ? NULL : calloc(1, l.len ? l.len : 1);
	if (!buf)
		goto out;
	memcpy(buf, &h, sizeof(h));
	for (i = 0; i < il->answers_cap; i++) {
		const struct answer *a = &il->answers[i];

		if (a->nr != NO_ANSWER)
			((struct kept_answer *)(buf + l.answers))[n++] =
				(struct kept_answer){ a->addr, a->first, a->nr };
	}
	for (i = 0; i < il->nr_names; i++)
		((uint32_t *)(buf + l.names))[i] =
			str_off(&t, il->names[i], &is_oom);
	for (i = 0, n = 0; i < il->nr_units; i++) {
		const struct unit *u = &il->units[i];

		if (u->is_oom)
			continue;
		((struct kept_unit *)(buf + l.units))[n++] = (struct kept_unit){
			.off = u->off, .nr_roots = (uint32_t)u->nr_roots,
			.nr_root_ranges = (uint32_t)u->nr_root_ranges,
			.nr_fns = (uint32_t)u->nr_fns,
			.nr_ranges = (uint32_t)u->nr_ranges,
		};
		for (j = 0; j < u->nr_roots; j++) {
			const struct root *rt = &u->roots[j];

			((struct kept_root *)(buf + l.roots))[c.roots++] =
				(struct kept_root){
					.off = rt->off,
					.first = rt->is_walked ? (uint32_t)rt->first : 0,
					.end = rt->is_walked ? (uint32_t)rt->end : 0,
					.is_walked = rt->is_walked,
				};
		}
		memcpy(buf + l.root_ranges + c.root_ranges * sizeof(struct range),
		       u->root_ranges, u->nr_root_ranges * sizeof(struct range));
		c.root_ranges += u->nr_root_ranges;
		for (j = 0; j < u->nr_fns; j++)
			((struct kept_fn *)(buf + l.fns))[c.fns++] = (struct kept_fn){
				.name = str_off(&t, u->fns[j].name, &is_oom),
				.parent = u->fns[j].parent,
				.is_inline = u->fns[j].is_inline,
			};
		memcpy(buf + l.ranges + c.ranges * sizeof(struct range), u->ranges,
		       u->nr_ranges * sizeof(struct range));
		c.ranges += u->nr_ranges;
	}
	if (t.len)
		memcpy(buf + l.strings, t.bytes, t.len);
	*len = l.len;
out:
	free(t.keys);
	free(t.offs);
	free(t.bytes);
	return buf;
}

int inlines__keep(struct inlines *il)
{
	size_t len;
	char *buf;
	int err;

	if (!il->cache || !il->is_changed)
		return 0;
	buf = serialize(il, &len);
	if (!buf)
		return -ENOMEM;
	err = fcache__put(il->cache, "inlines", &il->src, 1, buf, len);
	free(buf);
	if (!err)
		il->is_changed = false;
	return err;
}

/* ---- reading ---- */

/* The name at offset off of the entry's strings, NULL for NO_NAME;
 * false when off is outside them. */
static bool name_at(const char *strings, uint64_t strings_len, uint32_t off,
		    const char **name)
{
	*name = NULL;
	if (off == NO_NAME)
		return true;
	if (off >= strings_len)
		return false;
	*name = strings + off;
	return true;
}

static bool take_answers(struct inlines *il, const char *p,
			 const struct kept_head *h, const struct layout *l)
{
	const struct kept_answer *ka = (const void *)(p + l->answers);
	const uint32_t *names = (const void *)(p + l->names);
	const char *chain[INLINES_MAX];
	size_t i, j;

	for (i = 0; i < h->nr_answers; i++) {
		if (ka[i].nr > INLINES_MAX || ka[i].first > h->nr_names ||
		    ka[i].nr > h->nr_names - ka[i].first)
			return false;
		for (j = 0; j < ka[i].nr; j++)
			if (!name_at(p + l->strings, h->strings_len,
				     names[ka[i].first + j], &chain[j]) ||
			    !chain[j])
				return false;
		if (inlines_remember(il, ka[i].addr, chain, ka[i].nr))
			return false;
	}
	return true;
}

/* Copy n elements of size at src into a new array (*cap = n). */
static void *copy_array(const void *src, size_t n, size_t size, size_t *cap)
{
	void *a = malloc(n ? n * size : 1);

	if (a && n)
		memcpy(a, src, n * size);
	*cap = n;
	return a;
}

/* Unit u from its kept parts at c (c advanced past them); false when they
 * do not check out or memory ran out (u is then freed by the caller). */
static bool take_unit(struct unit *u, const struct kept_unit *ku,
		      const char *p, const struct kept_head *h,
		      const struct layout *l, struct cursor *c)
{
	const struct kept_root *kr = (const void *)(p + l->roots);
	const struct range *krr = (const void *)(p + l->root_ranges);
	const struct kept_fn *kf = (const void *)(p + l->fns);
	const struct range *kg = (const void *)(p + l->ranges);
	size_t i;

	if (ku->nr_roots > h->nr_roots - c->roots ||
	    ku->nr_root_ranges > h->nr_root_ranges - c->root_ranges ||
	    ku->nr_fns > h->nr_fns - c->fns ||
	    ku->nr_ranges > h->nr_ranges - c->ranges)
		return false;
	u->off = ku->off;
	u->nr_roots = ku->nr_roots;
	u->roots = malloc(u->nr_roots ? u->nr_roots * sizeof(*u->roots) : 1);
	u->roots_cap = u->nr_roots;
	u->nr_root_ranges = ku->nr_root_ranges;
	u->root_ranges = copy_array(krr + c->root_ranges, u->nr_root_ranges,
				    sizeof(*krr), &u->root_ranges_cap);
	u->nr_fns = ku->nr_fns;
	u->fns = malloc(u->nr_fns ? u->nr_fns * sizeof(*u->fns) : 1);
	u->fns_cap = u->nr_fns;
	u->nr_ranges = ku->nr_ranges;
	u->ranges = copy_array(kg + c->ranges, u->nr_ranges, sizeof(*kg),
			       &u->ranges_cap);
	if (!u->roots || !u->root_ranges || !u->fns || !u->ranges)
		return false;
	for (i = 0; i < u->nr_roots; i++) {
		const struct kept_root *k = &kr[c->roots++];

		if (k->first > k->end || k->end > u->nr_ranges)
			return false;
		u->roots[i] = (struct root){ .off = k->off, .first = k->first,
					     .end = k->end,
					     .is_walked = k->is_walked };
	}
	for (i = 0; i < u->nr_root_ranges; i++)
		if (u->root_ranges[i].fn >= u->nr_roots)
			return false;
	for (i = 0; i < u->nr_fns; i++) {
		const struct kept_fn *k = &kf[c->fns++];

		if ((k->parent != FN_NONE && k->parent >= u->nr_fns) ||
		    !name_at(p + l->strings, h->strings_len, k->name,
			     &u->fns[i].name))
			return false;
		u->fns[i].parent = k->parent;
		u->fns[i].is_inline = k->is_inline;
	}
	for (i = 0; i < u->nr_ranges; i++)
		if (u->ranges[i].fn >= u->nr_fns)
			return false;
	c->root_ranges += u->nr_root_ranges;
	c->ranges += u->nr_ranges;
	return true;
}

static bool take_units(struct inlines *il, const char *p,
		       const struct kept_head *h, const struct layout *l)
{
	const struct kept_unit *ku = (const void *)(p + l->units);
	struct cursor c = { 0 };
	size_t i;

	il->units = calloc(h->nr_units ? h->nr_units : 1, sizeof(*il->units));
	if (!il->units)
		return false;
	il->units_cap = h->nr_units;
	for (i = 0; i < h->nr_units; i++) {
		il->nr_units++;	/* freed with the others on failure */
		if (!take_unit(&il->units[i], &ku[i], p, h, l, &c))
			return false;
	}
	return c.roots == h->nr_roots && c.root_ranges == h->nr_root_ranges &&
	       c.fns == h->nr_fns && c.ranges == h->nr_ranges;
}

int inlines__use_cache(struct inlines *il, const struct fcache *cache,
		       const struct fcache_src *src)
{
	struct kept_head h;
	struct layout l;
	const char *p;
	size_t len, i;

	if (il->nr_units || il->nr_answers)
		return -EINVAL;	/* only before the first lookup */
	il->cache = cache;
	il->src = *src;
	il->kept = fcache__get(cache, "inlines", src, 1);
	if (!il->kept)
		return -ENOENT;
	p = fcache_blob__data(il->kept, &len);
	if (len >= sizeof(h)) {
		memcpy(&h, p, sizeof(h));
		if (lay_out(&h, len, &l) && l.len == len &&
		    (!h.strings_len || p[len - 1] == '\0') &&
		    take_answers(il, p, &h, &l) && take_units(il, p, &h, &l))
			return 0;
	}
	/* forget it all: what was taken may be wrong */
	inlines_free_units(il);
	il->nr_answers = il->nr_names = 0;
	for (i = 0; i < il->answers_cap; i++)
		il->answers[i].nr = NO_ANSWER;
	fcache_blob__free(il->kept);
	il->kept = NULL;
	return -EINVAL;
}
