/* symtab: the function symbols of one ELF file (a DSO), as perf names them.
 *
 * Reads .symtab, else .dynsym, with libelf, from the files debugfile.h
 * finds: separate debuginfo through .gnu_debuglink and /usr/lib/debug, the
 * build id recorded in perf.data checked against the file on disk, perf's
 * build-id cache (~/.debug) when they differ. Names are demangled as perf
 * 6.1 prints them (demangle.h: C++ without parameter lists, Rust legacy
 * without the hash, Rust v0). PLT entries get perf's synthesized "name@plt"
 * symbols.
 *
 * Addresses. A sample's ip in a mapping [start, end) with page offset pgoff
 * sits at file offset ip - start + pgoff; symtab__addr() turns that file
 * offset into the ELF virtual address symbols use, through the program
 * headers (so PIE, shared objects at any address, non-PIE executables and
 * segments whose p_vaddr != p_offset all work). symtab__lookup_mapped() does
 * both steps.
 *
 * Return addresses: perf 6.1 looks frame-pointer callchain entries up at the
 * address as recorded (no - 1), and DWARF-unwound ones at pc - 1 (libdw's
 * non-activation frames). The caller passes whichever address perf would use;
 * the offset returned is relative to that address.
 */
#ifndef PERFFOLD_SYMTAB_H
#define PERFFOLD_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#define SYMTAB_BUILD_ID_MAX 20

struct symtab;

struct fcache;
struct symarr;

/* Where to look for debuginfo and perf's build-id cache; either may be NULL
 * to skip it. Strings are borrowed for the duration of symtab__open(). */
struct symtab_paths {
	const char *debug_root;		/* "/usr/lib/debug" */
	const char *buildid_dir;	/* $PERF_BUILDID_DIR or $HOME/.debug */
	/* where tables read before are kept (fcache.h), or NULL */
	const struct fcache *cache;
};

/* Fill p as perf does: debug_root "/usr/lib/debug", buildid_dir
 * $PERF_BUILDID_DIR, else $HOME/.debug, else NULL; no cache. The strings live in buf
 * (buf_len bytes) or the environment. */
void symtab__default_paths(struct symtab_paths *p, char *buf, size_t buf_len);

/* Load the symbols of the file at path. build_id (build_id_len bytes, NULL
 * when perf.data recorded none) is what the recording saw: a file on disk
 * with another build id is not used, perf's cache is tried instead. paths
 * may be NULL (no debuginfo search). Problems (which file was rejected and
 * why) go to d as DIAG_INFO. Returns an owned symtab, or NULL with errno:
 * ENOENT no usable file, ENOEXEC not ELF, ENOMEM. A file with no symbols at
 * all still gives a symtab (every lookup misses). */
struct symtab *symtab__open(const char *path, const uint8_t *build_id,
			    size_t build_id_len,
			    const struct symtab_paths *paths,
			    const struct diag *d);

/* Load the symbols of an ELF image in memory (a [vdso] dump); the bytes are
 * copied. name is what symtab__file() reports. NULL with errno on error. */
struct symtab *symtab__open_image(const void *image, size_t len,
				  const char *name, const struct diag *d);

/* Load the vdso of the calling process (the same kernel image a local
 * recording saw, if its build id matches). NULL with errno on error. */
struct symtab *symtab__open_vdso_self(const struct diag *d);

/* Free st; NULL is a no-op. */
void symtab__free(struct symtab *st);

/* ELF virtual address of file offset file_off, through the PT_LOAD segment
 * holding it; offsets outside every segment map 1:1 (as perf's map_ip).
 * Always succeeds. */
uint64_t symtab__addr(const struct symtab *st, uint64_t file_off);

/* The symbol containing ELF address addr, or NULL; *off (if off) gets addr
 * minus the symbol's start. The name is borrowed until symtab__free().
 * O(log n), no allocation. */
const char *symtab__lookup(const struct symtab *st, uint64_t addr,
			   uint64_t *off);

/* symtab__lookup(symtab__addr(ip - map_start + pgoff)). */
const char *symtab__lookup_mapped(const struct symtab *st, uint64_t map_start,
				  uint64_t pgoff, uint64_t ip, uint64_t *off);

/* The file whose program headers are used (the binary, or its copy in the
 * build-id cache) and the file the symbols came from (it, or its debuginfo).
 * Borrowed until symtab__free(). */
const char *symtab__file(const struct symtab *st);
const char *symtab__symbol_file(const struct symtab *st);
/* What symtab__symbol_file() would say for symtab__open() of the same
 * arguments, without reading any symbols: a copy to free, or NULL when no
 * file would be read. */
char *symtab__find_symbol_file(const char *path, const uint8_t *build_id,
			       size_t build_id_len,
			       const struct symtab_paths *paths);

/* The build id of symtab__file() (len 0 when it has none). */
const uint8_t *symtab__build_id(const struct symtab *st, size_t *len);

/* Number of symbols kept (after perf's de-duplication). */
size_t symtab__count(const struct symtab *st);

/* The symbols, for comparing two tables (symarr__interval()); borrowed
 * until symtab__free(). */
const struct symarr *symtab__symarr(const struct symtab *st);

#endif
