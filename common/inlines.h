/* inlines: which functions an address is in, inlined ones included, from
 * the DWARF debug info of one DSO, as perf 6.1 lists them through
 * `addr2line -i` ("NAME (inlined)" lines in perf script).
 *
 * libdw's dwarf_getscopes() walks the compilation unit's DIE tree for every
 * address, which costs about a millisecond per address in a unit as large
 * as CPython's ceval.c. This module reads each unit's top-level functions
 * (their DIE offsets and pc ranges) on its first lookup, and walks one
 * function's DIE tree, on the first lookup inside it, into a table of the
 * pc ranges of every DW_TAG_subprogram and DW_TAG_inlined_subroutine in it
 * with its enclosing one, sorted by start; a lookup is then two binary
 * searches and a walk up the enclosing chain. Walking by function, not by
 * unit, skips the thousands of functions of a large unit no sample is in.
 *
 * Every answer is remembered by address. With a cache (fcache.h), the
 * answers and the index built by earlier runs over the same DWARF file are
 * taken from it, so that a run whose addresses were all looked up before
 * (the same recording again) reads no DIE at all, and one over a new
 * recording of the same program reads only the units and functions no
 * earlier run needed; inlines__keep() stores them back with this run's.
 */
#ifndef PERFFOLD_INLINES_H
#define PERFFOLD_INLINES_H

#include <elfutils/libdw.h>
#include <stddef.h>
#include <stdint.h>

struct fcache;
struct fcache_src;
struct inlines;

/* An index over dw (borrowed, must outlive it). NULL with errno = ENOMEM. */
struct inlines *inlines__new(Dwarf *dw);
/* Free il; NULL is a no-op. */
void inlines__free(struct inlines *il);

/* The functions at ELF address addr: those inlined there, innermost first,
 * then the function containing them (its DWARF name). Up to cap names to
 * names[], borrowed from dw. Returns how many; 0 when no DWARF function
 * covers addr (or out of memory: the answer is then only missing). */
size_t inlines__lookup(struct inlines *il, uint64_t addr, const char **names,
		       size_t cap);

/* Take the answers and index cache holds for the DWARF file src (both
 * borrowed, until inlines__free()). 0; -ENOENT none kept; -EINVAL an
 * entry that does not check out (none taken), or a lookup came first. */
int inlines__use_cache(struct inlines *il, const struct fcache *cache,
		       const struct fcache_src *src);
/* Store every answer given so far, and the index, in the cache given to
 * inlines__use_cache(), when some are new. 0 (also with no cache), or a
 * negative errno. */
int inlines__keep(struct inlines *il);

#endif
