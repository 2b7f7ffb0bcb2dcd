/* symarr: a sorted array of named address ranges with perf's tie rules.
 *
 * The shared core of symtab (ELF), kallsyms, perfmap and jitdump: collect
 * (start, size, binding, name) entries, then symarr__finish() sorts them and
 * applies the rules perf 6.1 applies to a DSO's symbols (tools/perf/util/
 * symbol.c: symbols__fixup_duplicate() with choose_best_symbol(), then
 * symbols__fixup_end()). Lookups are a binary search with no allocation.
 *
 * Ranges are half-open: [start, end).
 */
#ifndef PERFFOLD_SYMARR_H
#define PERFFOLD_SYMARR_H

#include <stddef.h>
#include <stdint.h>

/* Bindings, ordered as ELF's STB_LOCAL, STB_GLOBAL, STB_WEAK. */
enum symarr_binding {
	SYMARR_LOCAL = 0,
	SYMARR_GLOBAL = 1,
	SYMARR_WEAK = 2,
};

/* symarr__finish() flags. */
enum {
	/* Of several entries at one start keep one, as choose_best_symbol():
	 * sized over zero-sized, non-weak over weak, global over other, fewer
	 * leading underscores, longer name, then the first added. */
	SYMARR_PERF_DEDUP = 1 << 0,
	/* Of several entries at one start keep the first added (perf maps). */
	SYMARR_KEEP_FIRST = 1 << 1,
	/* Of several entries at one start keep the last added: kallsyms,
	 * where perf fixes ends before de-duplicating, so only the last of
	 * a group has a size and choose_best_symbol() prefers it. */
	SYMARR_KEEP_LAST = 1 << 4,
	/* Zero-sized entries end where the next one starts; the last one at
	 * the next page boundary after its start (symbols__fixup_end). */
	SYMARR_FIXUP_END = 1 << 2,
	/* With SYMARR_FIXUP_END: where a kernel entry is followed by a module
	 * entry (or the reverse), end at the next page instead (is_kallsyms). */
	SYMARR_KALLSYMS = 1 << 3,
};

struct symarr;

struct symarr_sym {
	uint64_t start;
	uint64_t end;
	const char *name;	/* borrowed until symarr__free() */
	uint32_t tag;		/* the caller's value given to symarr__add() */
};

/* A new, empty array; NULL with errno = ENOMEM. */
struct symarr *symarr__new(void);
/* Free the array and its names; NULL is a no-op. */
void symarr__free(struct symarr *a);

/* Add a copy of the len bytes at name (no NUL needed). tag is kept for the
 * caller (a module index, a record index); under SYMARR_KALLSYMS a non-zero
 * tag marks a module symbol. Returns 0 or -ENOMEM. */
int symarr__add(struct symarr *a, uint64_t start, uint64_t size,
		enum symarr_binding binding, const char *name, size_t len,
		uint32_t tag);

/* Sort and apply flags; call once, after the last add and before any
 * lookup. Returns 0 or -ENOMEM. */
int symarr__finish(struct symarr *a, unsigned int flags);

/* The entry containing addr, or NULL. Entries may not overlap after
 * finishing; when they do (nested symbols) the one starting closest below
 * addr is tried, and only it. */
const struct symarr_sym *symarr__find(const struct symarr *a, uint64_t addr);

size_t symarr__count(const struct symarr *a);
/* Entry i of 0 .. count-1, in address order (after finish). */
const struct symarr_sym *symarr__at(const struct symarr *a, size_t i);

#endif
