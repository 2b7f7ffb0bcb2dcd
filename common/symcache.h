/* symcache: each symbol source read once per run.
 *
 * Owns the symtabs (ELF DSOs by path and build id, [vdso]), the kallsyms
 * table, the perf maps (by pid) and jitdumps (by path) a run needs, loading
 * each on first use and remembering failures too, so a missing file is
 * looked for once. Lookups themselves go to the returned objects' own
 * functions; the caller keeps its ip -> frame cache per mapping.
 */
#ifndef PERFFOLD_SYMCACHE_H
#define PERFFOLD_SYMCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "jitdump.h"
#include "kallsyms.h"
#include "ksource.h"
#include "perfmap.h"
#include "symtab.h"

struct symcache;

/* A new, empty cache. paths: where symtab__open() looks for debuginfo and
 * perf's build-id cache, and the fcache it keeps tables in; NULL means
 * symtab__default_paths(). The paths' strings are copied; their fcache
 * must outlive the symcache. d receives the loaders' diagnostics and must outlive
 * the cache (NULL drops them). NULL with errno = ENOMEM. */
struct symcache *symcache__new(const struct symtab_paths *paths,
			       const struct diag *d);
/* Free the cache and everything it loaded; NULL is a no-op. */
void symcache__free(struct symcache *sc);

/* The fcache of the paths given to symcache__new() (NULL: none), for
 * other loaders of the same files (unwind's DWARF). */
const struct fcache *symcache__fcache(const struct symcache *sc);

/* Where perf maps are read: DIR/perf-PID.map (default "/tmp"). Copied.
 * 0 or -ENOMEM. */
int symcache__set_perf_map_dir(struct symcache *sc, const char *dir);
/* The running kernel's kallsyms file (default "/proc/kallsyms"), its
 * notes with its build id ("/sys/kernel/notes") and its module list
 * ("/proc/modules"): see ksource.h. Copied. 0 or -ENOMEM. */
int symcache__set_kallsyms_path(struct symcache *sc, const char *path);
int symcache__set_kernel_notes_path(struct symcache *sc, const char *path);
int symcache__set_modules_path(struct symcache *sc, const char *path);

/* The recorded kernel's build id (perf.data's build-id table: cpumode
 * kernel, "[kernel.kallsyms]"), which picks the kallsyms file as perf does
 * (ksource.h); without it /proc/kallsyms is read. Call it before the first
 * symcache__kallsyms*() call. len at most 64. */
void symcache__set_kernel_build_id(struct symcache *sc, const uint8_t *id,
				   size_t len);
/* The recorded kernel's reference symbol ("_text" or "_stext") and its
 * address at record time, from the kernel MMAP record
 * "[kernel.kallsyms]NAME" (pgoff): kernel symbols are relocated by it, and
 * a cached copy is only read for the running kernel when its NAME is
 * there. May be called while a prefetch runs. */
void symcache__set_kernel_ref(struct symcache *sc, const char *name,
			      uint64_t addr);

/* The symbols of the DSO at path whose build id perf.data recorded
 * (build_id NULL: none recorded), or NULL when no usable file was found.
 * path "[vdso]" is looked up in perf's build-id cache, else taken from this
 * process's vdso when the build ids agree (or none was recorded).
 * Borrowed until symcache__free(). */
const struct symtab *symcache__dso(struct symcache *sc, const char *path,
				   const uint8_t *build_id,
				   size_t build_id_len);

/* The file symcache__dso() of the same arguments would read symbols from
 * (symtab__symbol_file()), found without reading them: a copy to free, or
 * NULL. For "[...]" names, NULL. */
char *symcache__dso_symbol_file(const struct symcache *sc, const char *path,
				const uint8_t *build_id, size_t build_id_len);

/* Start reading the kernel's symbols (/proc/kallsyms, the set path, or
 * perf's cached copy, see ksource.h) on a thread of its own,
 * so that the kernel's slow formatting of it and our parse overlap the
 * caller's work; symcache__kallsyms() then waits for it. Call it before any
 * other symcache__kallsyms*() call; the set path must not change after. */
void symcache__prefetch_kallsyms(struct symcache *sc);
/* The prefetch has not finished: symcache__kallsyms() would wait. */
bool symcache__is_loading_kallsyms(const struct symcache *sc);

/* The kernel's symbols, relocated as the recording says, or NULL when
 * unreadable. */
const struct kallsyms *symcache__kallsyms(struct symcache *sc);
/* Which file symcache__kallsyms() read and why (after that call). */
const struct ksource_result *symcache__kallsyms_source(struct symcache *sc);

/* The perf map of pid, or NULL when there is none. */
const struct perfmap *symcache__perfmap(struct symcache *sc, int pid);

/* The jitdump at path (as named by its MMAP record), or NULL. */
const struct jitdump *symcache__jitdump(struct symcache *sc,
					const char *path);

#endif
