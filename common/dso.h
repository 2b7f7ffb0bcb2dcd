/* dso: what perffold knows about one binary, shared by naming and
 * unwinding (as perf's struct dso is).
 *
 * A dso is made from the symbol table symcache loaded for a mapped file
 * (its path and build id, see symtab.h) and keeps, each read on first use
 * and then for the whole run:
 *
 *  - the ELF file, opened once: its .eh_frame CFI and the bytes of its
 *    loaded segments (what a CFI expression or the trampoline check reads);
 *  - its DWARF (the separate debuginfo, else the binary): .debug_frame CFI
 *    and the inline-function tables (inlines.h), possibly begun early on a
 *    thread of its own (dwinfo__start());
 *  - the CPython perf trampoline it copies for every Python function, when
 *    it is an interpreter (pytramp.h), read from the bytes between its
 *    _Py_trampoline_func_start and _Py_trampoline_func_end symbols.
 *
 * A dso never names frames and never walks stacks: symbolize and unwind
 * ask it. Not thread-safe: one run's thread uses it.
 */
#ifndef PERFFOLD_DSO_H
#define PERFFOLD_DSO_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "pytramp.h"

struct dso;
struct dwinfo;
struct fcache;
struct session_map;
struct symtab;

/* What the dsos of one run share, owned by their registry (symcache). */
struct dso_env {
	const struct fcache *cache;	/* keeps inflated DWARF and inline
					 * tables between runs, or NULL */
	const struct diag *diag;	/* unreadable files, unknown
					 * trampolines: the first few */
	uint64_t nr_bad_file_msgs, nr_tramp_msgs;
};

/* A dso over st (owned from now on: dso__free() frees it) in env
 * (borrowed, must outlive it). NULL with errno = ENOMEM (st is then freed
 * too). */
struct dso *dso__new(struct symtab *st, struct dso_env *env);
/* Free d, keeping its inline tables in the cache (best effort); NULL is a
 * no-op. */
void dso__free(struct dso *d);

/* The symbols; borrowed until dso__free(). */
const struct symtab *dso__symtab(const struct dso *d);
/* The file whose program headers and CFI are used (the binary, or its copy
 * in perf's build-id cache). Borrowed until dso__free(). */
const char *dso__file(const struct dso *d);
/* The file holding d's DWARF: its separate debuginfo, else the binary. */
const char *dso__dwarf_file(const struct dso *d);

/* The ELF address of ip in mapping m of d (ip - start + pgoff through the
 * program headers, as symtab__addr()). */
uint64_t dso__addr(const struct dso *d, const struct session_map *m,
		   uint64_t ip);

/* .eh_frame of the file, or NULL (no file, no ELF, no table). The ELF
 * file is opened on the first call. Borrowed until dso__free(). */
Dwarf_CFI *dso__eh_frame(struct dso *d);
/* .debug_frame of d's DWARF, or NULL; the DWARF is opened on first use. */
Dwarf_CFI *dso__debug_frame(struct dso *d);

/* The len file bytes at ELF address addr, through the PT_LOAD segment
 * holding them, or NULL. Borrowed until dso__free(). */
const uint8_t *dso__bytes(struct dso *d, uint64_t addr, size_t len);

/* The CPython perf trampoline d copies for every Python function: kind
 * PYTRAMP_NONE when d is no interpreter of -X perf (or unreadable),
 * PYTRAMP_UNKNOWN for a layout not known here (reported once through d's
 * diag). Looked for on the first call. */
const struct pytramp *dso__trampoline(struct dso *d);

/* The functions at ELF address addr as perf 6.1 lists them with addr2line
 * -i: those inlined there, innermost first, then the function containing
 * them (its DWARF name). Up to cap names, borrowed until dso__free().
 * Returns how many; 0 when d has no debug info for addr. */
size_t dso__inlines(struct dso *d, uint64_t addr, const char **names,
		    size_t cap);

/* Begin opening d's DWARF on a thread of its own (see dwinfo.h); a no-op
 * when it is begun or opened already, or d's file is unreadable. */
void dso__prefetch_dwarf(struct dso *d);
/* di is the DWARF of dso__dwarf_file(), begun before d was made (by
 * symcache__prefetch_dwarf()): d owns it from now on. */
void dso__take_dwarf(struct dso *d, struct dwinfo *di);

#endif
