/* inlines: per-unit tables of function pc ranges (see inlines.h). */
#include <dwarf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "inlines.h"

#define FN_NONE UINT32_MAX

struct fn {
	const char *name;
	uint32_t parent;	/* the enclosing function, or FN_NONE */
	bool is_inline;		/* DW_TAG_inlined_subroutine */
};

struct range {
	uint64_t lo, hi;	/* [lo, hi) */
	uint32_t fn;		/* preorder: an inner function's is larger */
};

struct unit {
	Dwarf_Off off;		/* of the CU DIE */
	struct fn *fns;
	size_t nr_fns, fns_cap;
	struct range *ranges;
	size_t nr_ranges, ranges_cap;
	bool is_oom;
};

struct inlines {
	Dwarf *dw;
	struct unit *units;
	size_t nr_units, units_cap;
	size_t last;		/* unit of the last lookup */
};

struct inlines *inlines__new(Dwarf *dw)
{
	struct inlines *il = calloc(1, sizeof(*il));

	if (!il) {
		errno = ENOMEM;
		return NULL;
	}
	il->dw = dw;
	return il;
}

void inlines__free(struct inlines *il)
{
	size_t i;

	if (!il)
		return;
	for (i = 0; i < il->nr_units; i++) {
		free(il->units[i].fns);
		free(il->units[i].ranges);
	}
	free(il->units);
	free(il);
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
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

/* One function DIE with pc ranges: its entry and ranges; its index, or
 * FN_NONE when it covers no code (an abstract instance, a declaration). */
static uint32_t add_fn(struct unit *u, Dwarf_Die *die, uint32_t parent,
		       bool is_inline)
{
	Dwarf_Addr base, lo, hi;
	Dwarf_Attribute at;
	ptrdiff_t off = 0;
	uint32_t idx = (uint32_t)u->nr_fns;
	bool any = false;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		if (hi <= lo)
			continue;
		if (!grow((void **)&u->ranges, &u->ranges_cap,
			  u->nr_ranges + 1, sizeof(*u->ranges))) {
			u->is_oom = true;
			return FN_NONE;
		}
		u->ranges[u->nr_ranges++] = (struct range){lo, hi, idx};
		any = true;
	}
	if (!any)
		return FN_NONE;
	if (!grow((void **)&u->fns, &u->fns_cap, u->nr_fns + 1,
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

		switch (tag) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
			fn = add_fn(u, &child, parent,
				    tag == DW_TAG_inlined_subroutine);
			if (fn != FN_NONE && dwarf_haschildren(&child))
				walk(u, &child, fn);
			break;
		case DW_TAG_lexical_block:
		case DW_TAG_namespace:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
		case DW_TAG_try_block:
		case DW_TAG_catch_block:
			if (dwarf_haschildren(&child))
				walk(u, &child, parent);
			break;
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
	if (!grow((void **)&il->units, &il->units_cap, il->nr_units + 1,
		  sizeof(*il->units)))
		return NULL;
	u = &il->units[il->nr_units];
	memset(u, 0, sizeof(*u));
	u->off = off;
	walk(u, cu, FN_NONE);
	qsort(u->ranges, u->nr_ranges, sizeof(*u->ranges), by_start);
	il->last = il->nr_units++;
	return u;
}

size_t inlines__lookup(struct inlines *il, uint64_t addr, const char **names,
		       size_t cap)
{
	Dwarf_Die cu;
	struct unit *u;
	size_t lo = 0, hi, nr = 0;
	uint32_t fn = FN_NONE;

	if (!dwarf_addrdie(il->dw, addr, &cu) || !(u = get_unit(il, &cu)) ||
	    u->is_oom)
		return 0;
	/* the innermost range holding addr starts last among those that do:
	 * search the first start after addr, then look back */
	hi = u->nr_ranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->ranges[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo-- > 0)
		if (u->ranges[lo].hi > addr) {
			fn = u->ranges[lo].fn;
			break;
		}
	for (; fn != FN_NONE && nr < cap; fn = u->fns[fn].parent) {
		names[nr++] = u->fns[fn].name ? u->fns[fn].name : "??";
		if (!u->fns[fn].is_inline)
			return nr;
	}
	return 0;	/* no containing function, or too deep an inline chain */
}
