/* inlines: the index's structures, shared by inlines.c (building and
 * searching it) and inlines_keep.c (keeping it in a cache). Not an API. */
#ifndef PERFFOLD_INLINES_INT_H
#define PERFFOLD_INLINES_INT_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fcache.h"
#include "inlines.h"

#define FN_NONE UINT32_MAX

struct fn {
	const char *name;
	uint32_t parent;	/* the enclosing function, or FN_NONE */
	bool is_inline;		/* DW_TAG_inlined_subroutine */
};

struct range {
	uint64_t lo, hi;	/* [lo, hi) */
	uint32_t fn;		/* a fn, or a root in roots_ranges */
};

struct root {
	Dwarf_Off off;		/* of its DIE */
	size_t first, end;	/* its segment of ranges[], once walked */
	bool is_walked;
};

struct unit {
	Dwarf_Off off;		/* of the CU DIE */
	struct root *roots;
	size_t nr_roots, roots_cap;
	struct range *root_ranges;	/* .fn: index in roots[] */
	size_t nr_root_ranges, root_ranges_cap;
	struct fn *fns;
	size_t nr_fns, fns_cap;
	struct range *ranges;
	size_t nr_ranges, ranges_cap;
	bool is_oom;
};

/* One answer: names[first .. first + nr) of the memo's names. */
struct answer {
	uint64_t addr;
	uint32_t first, nr;	/* nr == NO_ANSWER: an empty slot */
};

#define NO_ANSWER UINT32_MAX
/* The longest chain answered (inlines__lookup() callers ask for less). */
#define INLINES_MAX 64

struct inlines {
	Dwarf *dw;
	struct unit *units;
	size_t nr_units, units_cap;
	size_t last;		/* unit of the last lookup */
	/* Every answer given, by address (open addressing, power of 2),
	 * with those a cache held from earlier runs; names borrowed from
	 * dw or from kept. */
	struct answer *answers;
	size_t nr_answers, answers_cap;
	const char **names;
	size_t nr_names, names_cap;
	const struct fcache *cache;
	struct fcache_src src;	/* the DWARF's file, the cache's key */
	struct fcache_blob *kept;
	bool is_changed;	/* answers the cache does not hold */
};

/* Grow *p (*cap elements of elem bytes) to hold need: false out of
 * memory. */
bool inlines_grow(void **p, size_t *cap, size_t need, size_t elem);
/* Free il's units, leaving none. */
void inlines_free_units(struct inlines *il);
/* Remember that addr has the nr names at names. 0, or -ENOMEM. */
int inlines_remember(struct inlines *il, uint64_t addr, const char **names,
		     size_t nr);

#endif
