/* symarr: named address ranges, looked up exactly as perf 6.1 does.
 *
 * The shared core of symtab (ELF), kallsyms and perfmap. perf keeps a DSO's
 * symbols in a red-black tree keyed by start address and finds an address
 * by descending from the root (tools/perf/util/symbol.c symbols__find()):
 * the first node on the way down whose range holds it wins. Where ranges
 * overlap (a zero-sized symbol stretched over later PLT entries, duplicate
 * perf-map lines), the answer depends on the tree's shape, so this module
 * builds the same tree: the same insertion order, the same red-black
 * balancing (lib/rbtree.c, which is the textbook algorithm with equal keys
 * going right and erase taking the in-order successor), and the same fixups
 * (symbols__fixup_end(), then symbols__fixup_duplicate() with
 * choose_best_symbol()). Lookups are O(log n) with no allocation.
 *
 * A range [start, end) holds addr when start <= addr < end; a zero-sized
 * one (end == start) holds addr == start, as in symbols__find().
 */
#ifndef PERFFOLD_SYMARR_H
#define PERFFOLD_SYMARR_H

#include <stddef.h>
#include <stdint.h>

/* Bindings, as ELF's STB_LOCAL, STB_GLOBAL, STB_WEAK. */
enum symarr_binding {
	SYMARR_LOCAL = 0,
	SYMARR_GLOBAL = 1,
	SYMARR_WEAK = 2,
};

/* symarr__fixup() flags. */
enum {
	/* symbols__fixup_end(): a zero-sized entry ends where the next one
	 * starts; the last one at roundup(start, 4096) + 4096. */
	SYMARR_FIXUP_END = 1 << 0,
	/* With SYMARR_FIXUP_END, is_kallsyms: between a kernel entry and a
	 * module entry (tag != 0) end at roundup(start + 4096, 4096). */
	SYMARR_KALLSYMS = 1 << 1,
	/* symbols__fixup_duplicate() (after the end fixup): of entries with
	 * one start keep one, by choose_best_symbol(). */
	SYMARR_DEDUP = 1 << 2,
	/* symarr__load() only: build perf's tree even when the shortcut
	 * applies (the reference the shortcut is tested against). */
	SYMARR_REFERENCE = 1 << 3,
};

struct symarr;

struct symarr_sym {
	uint64_t start;
	uint64_t end;
	const char *name;	/* borrowed until symarr__free() */
	uint32_t tag;		/* the caller's value given to symarr__add() */
};

/* A new, empty set; NULL with errno = ENOMEM. */
struct symarr *symarr__new(void);
/* Free the set and its names; NULL is a no-op. */
void symarr__free(struct symarr *a);

/* Insert a copy of the len bytes at name (no NUL needed) as perf's
 * symbols__insert() would, at any time (perf adds its PLT symbols after the
 * fixups). tag is kept for the caller. Returns 0 or -ENOMEM. */
int symarr__add(struct symarr *a, uint64_t start, uint64_t size,
		enum symarr_binding binding, const char *name, size_t len,
		uint32_t tag);

/* One entry for symarr__load(); name need not be NUL-terminated. */
struct symarr_entry {
	uint64_t start;
	uint64_t size;
	const char *name;
	size_t len;
	uint32_t tag;
	enum symarr_binding binding;
};

/* Into a new, empty set: the same as symarr__add() of e[0 .. n) in order,
 * then symarr__fixup(flags) and symarr__seal(), with the same answer for
 * every address. With both SYMARR_FIXUP_END and SYMARR_DEDUP, and ranges
 * that come out disjoint (kallsyms, most ELF tables), that is done with a
 * sort and linear passes and no tree; anything needing the tree later (an
 * add, another fixup) builds it then. Returns 0 (a failed seal leaves the
 * set unsealed, and correct), -EINVAL when a is not empty, or -ENOMEM. */
int symarr__load(struct symarr *a, const struct symarr_entry *e, size_t n,
		 unsigned int flags);

/* symarr__load() without an array of entries: symarr__append() each one
 * to an empty set, then symarr__load_finish(flags), with nothing else done
 * to the set in between. symarr__reserve() first (optional) makes room for
 * n entries whose names take name_bytes in all (NULs included), so that
 * large tables grow nothing. Each returns 0 or -ENOMEM; after a failed
 * append the set holds the entries before it, unloaded: free it. */
int symarr__reserve(struct symarr *a, size_t n, size_t name_bytes);
int symarr__append(struct symarr *a, const struct symarr_entry *e);
int symarr__load_finish(struct symarr *a, unsigned int flags);

/* Apply the fixups in flags to the entries added so far. */
void symarr__fixup(struct symarr *a, unsigned int flags);

/* Done adding: precompute the answer of every lookup as a sorted array of
 * address intervals (the descent's answer only changes at a start, an end,
 * or one past a zero-sized start), so that finds are one binary search
 * over 12-byte entries instead of a walk over scattered tree nodes. Adding
 * after sealing is allowed and unseals. Returns 0 or -ENOMEM (the set then
 * stays unsealed, and correct). */
int symarr__seal(struct symarr *a);

/* The entry perf's symbols__find() returns for addr, or NULL. */
const struct symarr_sym *symarr__find(const struct symarr *a, uint64_t addr);

/* The sealed intervals (0 when not sealed), in address order: interval i
 * starts at *start (the first at 0) and runs to the next one's start; its
 * answer is the entry returned, or NULL for none. Consecutive intervals
 * have different answers, so two sets answer every address alike exactly
 * when their intervals are equal. */
size_t symarr__nr_intervals(const struct symarr *a);
const struct symarr_sym *symarr__interval(const struct symarr *a, size_t i,
					  uint64_t *start);

/* Entries in the set (after de-duplication). */
size_t symarr__count(const struct symarr *a);

/* The sealed set a as bytes for symarr__from_image() (to keep on disk):
 * the intervals and the entries they answer (others are left out). Returns
 * malloc'd bytes, *len long, or NULL with errno: EINVAL a is not sealed,
 * ENOMEM. The image is in host byte order. */
void *symarr__image(const struct symarr *a, size_t *len);
/* A set answering every address as the set imaged did, with its
 * symarr__count(), from the len bytes at image (8-byte aligned; copied).
 * It is sealed for good: symarr__add(), __append() and __reserve() fail
 * with -EPERM, symarr__fixup() does nothing, symarr__nr_shared_starts() is
 * 0. Returns an owned set, or NULL with errno: EINVAL the bytes are not an
 * image (checked: bounds rising from 0, answers and names inside it),
 * ENOMEM. */
struct symarr *symarr__from_image(const void *image, size_t len);

/* Entries with a start shared with another entry (what SYMARR_DEDUP would
 * remove; useful before or without it). */
size_t symarr__nr_shared_starts(const struct symarr *a);

#endif
