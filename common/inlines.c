/* inlines: per-function tables of pc ranges (see inlines.h).
 *
 * Per unit: the top-level functions ("roots": DW_TAG_subprogram DIEs with
 * pc ranges, found at the top of the unit or in namespaces, classes and
 * blocks there, never inside a function) with their ranges, sorted by
 * start. Per root, once walked: the entries of it and every function
 * nested or inlined in it (fns[], preorder, each with its enclosing one)
 * and their ranges, a segment of ranges[] sorted by start. A lookup finds
 * the root whose range holds the address and searches its segment; an
 * address in no root's range (a nested function placed outside its
 * parent's code) walks every root, as a whole-unit walk would, and
 * searches every segment.
 */
#include <dwarf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fcache.h"
#include "inlines_int.h"

struct inlines *inlines__new(Dwarf *dw)
{
	struct inlines *il = calloc(1, sizeof(*il));

	if (!il) {
		errno = ENOMEM;
		return NULL;
	}
	il->dw = dw;
	il->src.fd = -1;
	return il;
}

void inlines__free(struct inlines *il)
{
	if (!il)
		return;
	free(il->answers);
	free(il->names);
	fcache_blob__free(il->kept);
	inlines_free_units(il);
	free(il);
}

void inlines_free_units(struct inlines *il)
{
	size_t i;

	for (i = 0; i < il->nr_units; i++) {
		free(il->units[i].roots);
		free(il->units[i].root_ranges);
		free(il->units[i].fns);
		free(il->units[i].ranges);
	}
	free(il->units);
	il->units = NULL;
	il->nr_units = il->units_cap = 0;
}

bool inlines_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *np;

	if (need <= *cap)
		return true;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return false;
	*p = np;
	*cap = ncap;
	return true;
}

/* Append die's pc ranges to *r (nr, cap), tagged idx; how many, or -1
 * out of memory. */
static int add_ranges(Dwarf_Die *die, struct range **r, size_t *nr,
		      size_t *cap, uint32_t idx)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;
	int n = 0;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		if (hi <= lo)
			continue;
		if (!inlines_grow((void **)r, cap, *nr + 1, sizeof(**r)))
			return -1;
		(*r)[(*nr)++] = (struct range){lo, hi, idx};
		n++;
	}
	return n;
}

/* One function DIE with pc ranges: its entry and ranges; its index, or
 * FN_NONE when it covers no code (an abstract instance, a declaration). */
static uint32_t add_fn(struct unit *u, Dwarf_Die *die, uint32_t parent,
		       bool is_inline)
{
	Dwarf_Attribute at;
	uint32_t idx = (uint32_t)u->nr_fns;
	int n = add_ranges(die, &u->ranges, &u->nr_ranges, &u->ranges_cap,
			   idx);

	if (n <= 0) {
		u->is_oom |= n < 0;
		return FN_NONE;
	}
	if (!inlines_grow((void **)&u->fns, &u->fns_cap, u->nr_fns + 1,
			  sizeof(*u->fns))) {
		u->is_oom = true;
		return FN_NONE;
	}
	u->fns[u->nr_fns++] = (struct fn){
		.name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name,
							      &at)),
		.parent = parent,
		.is_inline = is_inline,
	};
	return idx;
}

/* DIEs that can hold code without being a function */
static bool is_scope(int tag)
{
	switch (tag) {
	case DW_TAG_lexical_block:
	case DW_TAG_namespace:
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_try_block:
	case DW_TAG_catch_block:
		return true;
	}
	return false;
}

/* The children of die, inside function parent. Only DIEs that can hold
 * code are entered: functions, blocks, and C++ scopes. */
static void walk(struct unit *u, Dwarf_Die *die, uint32_t parent)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child))
		return;
	do {
		int tag = dwarf_tag(&child);
		uint32_t fn;

		if (tag == DW_TAG_subprogram ||
		    tag == DW_TAG_inlined_subroutine) {
			fn = add_fn(u, &child, parent,
				    tag == DW_TAG_inlined_subroutine);
			if (fn != FN_NONE && dwarf_haschildren(&child))
				walk(u, &child, fn);
		} else if (is_scope(tag) && dwarf_haschildren(&child)) {
			walk(u, &child, parent);
		}
	} while (!u->is_oom && !dwarf_siblingof(&child, &child));
}

/* Whether DIEs of tag can hold functions in a unit of language lang: C's
 * structures and unions cannot, and a C unit has thousands of them. */
static bool may_hold_fns(int tag, int lang)
{
	bool is_c = lang == DW_LANG_C89 || lang == DW_LANG_C ||
		    lang == DW_LANG_C99 || lang == DW_LANG_C11;

	if (is_c && (tag == DW_TAG_structure_type || tag == DW_TAG_union_type))
		return false;
	return is_scope(tag);
}

/* The functions among the children of die (not inside them) as roots. */
static void find_roots(struct unit *u, Dwarf_Die *die, int lang)
{
	Dwarf_Die child;

	if (dwarf_child(die, &child))
		return;
	do {
		int tag = dwarf_tag(&child), n;
		uint32_t idx = (uint32_t)u->nr_roots;

		if (tag == DW_TAG_subprogram) {
			n = add_ranges(&child, &u->root_ranges,
				       &u->nr_root_ranges,
				       &u->root_ranges_cap, idx);
			if (n > 0 &&
			    !inlines_grow((void **)&u->roots, &u->roots_cap,
					  u->nr_roots + 1, sizeof(*u->roots)))
				n = -1;
			if (n > 0)
				u->roots[u->nr_roots++] = (struct root){
					.off = dwarf_dieoffset(&child),
				};
			u->is_oom |= n < 0;
		} else if (may_hold_fns(tag, lang) &&
			   dwarf_haschildren(&child)) {
			find_roots(u, &child, lang);
		}
	} while (!u->is_oom && !dwarf_siblingof(&child, &child));
}

static int by_start(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->fn < y->fn ? -1 : x->fn > y->fn;
}

/* Walk root r of u into its segment of u->ranges. */
static void walk_root(struct inlines *il, struct unit *u, struct root *r)
{
	Dwarf_Die die;
	uint32_t fn;

	r->is_walked = true;
	r->first = r->end = u->nr_ranges;
	if (!dwarf_offdie(il->dw, r->off, &die))
		return;
	fn = add_fn(u, &die, FN_NONE, false);
	if (fn != FN_NONE && dwarf_haschildren(&die))
		walk(u, &die, fn);
	r->end = u->nr_ranges;
	qsort(u->ranges + r->first, r->end - r->first, sizeof(*u->ranges),
	      by_start);
}

static struct unit *get_unit(struct inlines *il, Dwarf_Die *cu)
{
	Dwarf_Off off = dwarf_dieoffset(cu);
	struct unit *u;
	size_t i;

	if (il->last < il->nr_units && il->units[il->last].off == off)
		return &il->units[il->last];
	for (i = 0; i < il->nr_units; i++)
		if (il->units[i].off == off) {
			il->last = i;
			return &il->units[i];
		}
	if (!inlines_grow((void **)&il->units, &il->units_cap,
			  il->nr_units + 1, sizeof(*il->units)))
		return NULL;
	u = &il->units[il->nr_units];
	memset(u, 0, sizeof(*u));
	u->off = off;
	find_roots(u, cu, dwarf_srclang(cu));
	if (u->nr_root_ranges)	/* none: root_ranges is NULL */
		qsort(u->root_ranges, u->nr_root_ranges,
		      sizeof(*u->root_ranges), by_start);
	il->last = il->nr_units++;
	return u;
}

/* The innermost of the ranges r[0..nr) (sorted by start, nested or
 * disjoint) holding addr, or NULL. */
static const struct range *innermost(const struct range *r, size_t nr,
				     uint64_t addr)
{
	size_t lo = 0, hi = nr;

	/* the innermost range holding addr starts last among those that do:
	 * search the first start after addr, then look back */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0)
		if (r[lo].hi > addr)
			return &r[lo];
	return NULL;
}

/* The innermost function at addr: in the root whose range holds it, else
 * (nested code outside its parent's ranges) in any, every root walked. */
static uint32_t find_fn(struct inlines *il, struct unit *u, uint64_t addr)
{
	const struct range *rr, *best = NULL;
	struct root *r;
	size_t i;

	rr = innermost(u->root_ranges, u->nr_root_ranges, addr);
	if (rr) {
		r = &u->roots[rr->fn];
		if (!r->is_walked)
			walk_root(il, u, r);
		rr = innermost(u->ranges + r->first, r->end - r->first, addr);
		return rr ? rr->fn : FN_NONE;
	}
	for (i = 0; i < u->nr_roots && !u->is_oom; i++) {
		r = &u->roots[i];
		if (!r->is_walked)
			walk_root(il, u, r);
		rr = innermost(u->ranges + r->first, r->end - r->first, addr);
		if (rr && (!best || rr->lo > best->lo ||
			   (rr->lo == best->lo && rr->fn > best->fn)))
			best = rr;
	}
	return best ? best->fn : FN_NONE;
}

/* The answer for addr from the DWARF: names[0 .. return) (cap at most),
 * innermost first; 0 when none (or out of memory: *is_oom). */
static size_t resolve(struct inlines *il, uint64_t addr, const char **names,
		      size_t cap, bool *is_oom)
{
	Dwarf_Die cu;
	struct unit *u;
	size_t nr = 0;
	uint32_t fn;

	if (!dwarf_addrdie(il->dw, addr, &cu))
		return 0;
	u = get_unit(il, &cu);
	if (!u || u->is_oom)
		goto oom;
	fn = find_fn(il, u, addr);
	if (u->is_oom)
		goto oom;
	for (; fn != FN_NONE && nr < cap; fn = u->fns[fn].parent) {
		names[nr++] = u->fns[fn].name ? u->fns[fn].name : "??";
		if (!u->fns[fn].is_inline)
			return nr;
	}
	return 0;	/* no containing function, or too deep an inline chain */
oom:
	*is_oom = true;
	return 0;
}

static uint64_t mix(uint64_t addr)
{
	addr ^= addr >> 29;
	addr *= 0xbf58476d1ce4e5b9ULL;
	return addr ^ (addr >> 32);
}

/* The slot of addr's answer, or of the empty slot where it goes. */
static struct answer *slot(const struct inlines *il, uint64_t addr)
{
	size_t mask = il->answers_cap - 1, i = (size_t)mix(addr) & mask;

	while (il->answers[i].nr != NO_ANSWER && il->answers[i].addr != addr)
		i = (i + 1) & mask;
	return &il->answers[i];
}

int inlines_remember(struct inlines *il, uint64_t addr, const char **names,
		    size_t nr)
{
	struct answer *a;
	size_t i;

	if (2 * (il->nr_answers + 1) > il->answers_cap) {
		struct answer *old = il->answers;
		size_t old_cap = il->answers_cap;

		il->answers_cap = old_cap ? 2 * old_cap : 256;
		il->answers = malloc(il->answers_cap * sizeof(*il->answers));
		if (!il->answers) {
			il->answers = old;
			il->answers_cap = old_cap;
			return -ENOMEM;
		}
		for (i = 0; i < il->answers_cap; i++)
			il->answers[i].nr = NO_ANSWER;
		for (i = 0; i < old_cap; i++)
			if (old[i].nr != NO_ANSWER)
				*slot(il, old[i].addr) = old[i];
		free(old);
	}
	if (!inlines_grow((void **)&il->names, &il->names_cap,
			  il->nr_names + nr, sizeof(*il->names)))
		return -ENOMEM;
	a = slot(il, addr);
	*a = (struct answer){ .addr = addr, .first = (uint32_t)il->nr_names,
			      .nr = (uint32_t)nr };
	if (nr)
		memcpy(il->names + il->nr_names, names, nr * sizeof(*names));
	il->nr_names += nr;
	il->nr_answers++;
	return 0;
}

size_t inlines__lookup(struct inlines *il, uint64_t addr, const char **names,
		       size_t cap)
{
	const char *found[INLINES_MAX];
	const struct answer *a = NULL;
	bool is_oom = false;
	size_t nr;

	if (il->answers_cap && (a = slot(il, addr))->nr == NO_ANSWER)
		a = NULL;
	if (!a) {
		nr = resolve(il, addr, found, INLINES_MAX, &is_oom);
		if (is_oom || inlines_remember(il, addr, found, nr))
			return 0;
		il->is_changed = true;
		a = slot(il, addr);
	}
	if (!a->nr || a->nr > cap)
		return 0;	/* none, or deeper than asked for */
	memcpy(names, il->names + a->first, a->nr * sizeof(*names));
	return a->nr;
}
