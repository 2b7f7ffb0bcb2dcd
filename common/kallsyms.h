/* kallsyms: kernel and module symbols from /proc/kallsyms (or a copy, such
 * as the one perf record keeps in ~/.debug/[kernel.kallsyms]/BUILDID/).
 *
 * Keeps the symbol types perf 6.1 keeps (T, W, D, B in either case), drops
 * the "\t[module]" suffix from names and reports the module separately, and
 * applies perf's rules: of several symbols at one address the last listed
 * wins, a symbol ends where the next starts, except at a kernel/module
 * boundary and after the last symbol, where it ends at a page boundary.
 */
#ifndef PERFFOLD_KALLSYMS_H
#define PERFFOLD_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct fcache;
struct kallsyms;
struct symarr;

/* Read path ("/proc/kallsyms" when NULL). Malformed lines are skipped and
 * counted (see kallsyms__nr_bad_lines()). Returns an owned table, or NULL
 * with errno (from fopen, or ENOMEM). */
struct kallsyms *kallsyms__open(const char *path, const struct diag *d);
/* As kallsyms__open(), through cache (fcache.h, NULL: none): a file read
 * before (a copy in perf's build-id cache, unchanged) is taken from there,
 * a file read now is kept there unless it had malformed lines. Files that
 * say they are empty (/proc/kallsyms) are read every time. */
struct kallsyms *kallsyms__open_cached(const char *path,
				       const struct fcache *cache,
				       const struct diag *d);

/* As kallsyms__open(), but parsing every line with strtoull() and building
 * perf's tree: the slow reference kallsyms__open() is tested against. */
struct kallsyms *kallsyms__open_reference(const char *path,
					  const struct diag *d);
/* The symbols, for comparing two tables (symarr__interval()); borrowed
 * until kallsyms__free(). */
const struct symarr *kallsyms__symarr(const struct kallsyms *ks);
/* Free ks; NULL is a no-op. */
void kallsyms__free(struct kallsyms *ks);

/* True when every address read was zero: kernel.kptr_restrict hid them
 * (or the reader lacked CAP_SYSLOG), and every lookup will miss. The
 * caller should say so. */
bool kallsyms__is_restricted(const struct kallsyms *ks);

/* The symbol containing addr, or NULL; *off gets addr minus its start and
 * *module (either may be NULL) the module name without brackets, or NULL for
 * the core kernel. Strings are borrowed until kallsyms__free(). */
const char *kallsyms__lookup(const struct kallsyms *ks, uint64_t addr,
			     uint64_t *off, const char **module);

/* perf's kallsyms__get_function_start() for the reference symbol name
 * ("_text" or "_stext", perf's ref_reloc_sym): the address of the first
 * line of a function type (T, W, either case) or 'A' naming it. 0, or
 * -ENOENT when there is none (or name is another). */
int kallsyms__ref_addr(const struct kallsyms *ks, const char *name,
		       uint64_t *addr);

/* From now on find core kernel symbols delta bytes below where the table
 * lists them (modulo 2^64), as perf's __dso__load_kallsyms() shifts them
 * by kallsyms__delta() when the kernel was relocated (KASLR) between the
 * table's boot and the recording's; module symbols stay where listed.
 * Not thread-safe against lookups. */
void kallsyms__relocate(struct kallsyms *ks, uint64_t delta);

/* The modules with symbols in the table ([bpf] and [__builtin__*] too), in
 * order of first appearance; for module i its name (borrowed until
 * kallsyms__free()) and the lowest and highest address of its function
 * (T, W, either case) symbols, *text_lo > *text_hi when it has none. */
size_t kallsyms__nr_modules(const struct kallsyms *ks);
const char *kallsyms__module(const struct kallsyms *ks, size_t i,
			     uint64_t *text_lo, uint64_t *text_hi);

size_t kallsyms__count(const struct kallsyms *ks);
uint64_t kallsyms__nr_bad_lines(const struct kallsyms *ks);

#endif
