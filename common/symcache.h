/* symcache: each binary and symbol source read once per run.
 *
 * Owns the dsos (one struct dso per ELF file by path and build id, and
 * [vdso]: symbols, CFI, DWARF, trampoline layout, see dso.h), the kallsyms
 * table, the perf maps (by pid) and jitdumps (by path) a run needs, and the
 * JIT registry (which process wrote which jitdump), loading each on first
 * use and remembering failures too, so a missing binary is looked for
 * once (perf maps and jitdumps, which their JIT writes as it runs, are
 * read again as symcache__jit_code() says).
 * Naming (symbolize) and unwinding (unwind) both find what they need here;
 * lookups go to the returned objects' own functions.
 */
#ifndef PERFFOLD_SYMCACHE_H
#define PERFFOLD_SYMCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "dso.h"
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

/* The fcache of the paths given to symcache__new() (NULL: none). */
const struct fcache *symcache__fcache(const struct symcache *sc);

/* Where perf maps are read: DIR/perf-PID.map (default "/tmp"). Copied.
 * 0 or -ENOMEM. */
int symcache__set_perf_map_dir(struct symcache *sc, const char *dir);
/* Read perf maps and jitdumps of other owners too (perf -f; see
 * jitfile.h). Default false. */
void symcache__set_force(struct symcache *sc, bool force);
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

/* The dso at path whose build id perf.data recorded (build_id NULL: none
 * recorded), or NULL when no usable file was found. path "[vdso]" is
 * looked up in perf's build-id cache, else taken from this process's vdso
 * when the build ids agree (or none was recorded). Borrowed until
 * symcache__free(). */
struct dso *symcache__dso(struct symcache *sc, const char *path,
			  const uint8_t *build_id, size_t build_id_len);

/* Start opening the DWARF in file path on a thread of its own, before any
 * dso needs it (inline frames of a recording's DSOs, whose symbol files
 * are known from its build ids); the dso whose DWARF file it is takes it
 * when it is made. */
void symcache__prefetch_dwarf(struct symcache *sc, const char *path);
/* DWARF will be wanted (inline frames): begin every dso's now, and each
 * new dso's when it is made. */
void symcache__want_dwarf(struct symcache *sc);
/* How many DWARF files symcache__prefetch_dwarf() began that a dso took. */
uint64_t symcache__nr_dwarf_prefetched(const struct symcache *sc);

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

/* The jitdump at path, or NULL. */
const struct jitdump *symcache__jitdump(struct symcache *sc,
					const char *path);

/* Process pid mapped the jitdump at path (its MMAP record: 3.13's
 * -X perf_jit marks the process so); with a perf map dir set, the dump is
 * read from there. path is copied. 0 or -ENOMEM. */
int symcache__add_jitdump(struct symcache *sc, int32_t pid,
			  const char *path);

/* Process pid was forked from ppid (a FORK record of a new process):
 * JIT code pid does not list itself is looked up in ppid's, and so on up
 * its ancestry (symcache__jit_code()). A later fork of the same pid (its
 * number reused) replaces the link. 0 or -ENOMEM. */
int symcache__fork(struct symcache *sc, int32_t pid, int32_t ppid);
/* Process pid executed a new program (COMM with PERF_RECORD_MISC_COMM_EXEC):
 * nothing of its parent's JIT code is left in it. */
void symcache__exec(struct symcache *sc, int32_t pid);

/* A piece of JIT code: its range and name from the perf map or the
 * jitdump, and the jitdump's unwind info for it (.eh_frame and
 * .eh_frame_hdr bytes) or NULLs. Borrowed until symcache__free(). */
struct jit_code {
	uint64_t start, size;
	int32_t pid;		/* whose perf map or jitdump lists it: the
				 * process's own, or an ancestor's */
	const char *name;
	const uint8_t *eh_frame, *eh_frame_hdr;
	size_t eh_frame_len, eh_frame_hdr_len;
};

/* The JIT code of process pid at addr, as perf names it: the perf map's
 * entry, else the process's jitdump's; else, for a forked process, its
 * parent's entry at addr as it stood at the fork, and so on up the
 * ancestry (at most SYMCACHE_MAX_ANCESTRY processes up). Perf maps have no
 * times, so "as it stood at the fork" is approximated: an ancestor's entry
 * is taken only when no process below it on the way (the child included)
 * lists code of its own at the entry's first or last byte, i.e. the child
 * did not reuse that memory (a forked CPython keeps filling the arena it
 * inherited, so its new trampolines land where the parent's post-fork
 * ones do, and the child's own map names them).
 * The files grow while the JIT runs, and a live recording is read as it
 * goes: when addr is not the process's own code as read so far, the
 * perf maps and jitdumps of the process and its ancestors are read
 * again, from where their last read ended (perfmap__update(),
 * jitdump__update()), and the lookup retried. Each file is looked at
 * again at once the first time, then at most every SYMCACHE_RECHECK_NS,
 * so an address no file names costs no stat() per sample; a missing file
 * is looked for again too. 0, or -ENOENT. */
int symcache__jit_code(struct symcache *sc, int32_t pid, uint64_t addr,
		       struct jit_code *j);

#define SYMCACHE_MAX_ANCESTRY 32
#define SYMCACHE_RECHECK_NS 1000000u	/* 1 ms */

/* How many times symcache__jit_code() read a file again and found more. */
uint64_t symcache__nr_jit_updates(const struct symcache *sc);

#endif
