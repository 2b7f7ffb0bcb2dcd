/* dwinfo: the DWARF of one ELF file, for inline frames and .debug_frame,
 * opened with as little decompression as possible.
 *
 * Debian's detached debuginfo (/usr/lib/debug/.build-id/...) has every
 * .debug_* section SHF_COMPRESSED with zlib, and libdw 0.188's
 * dwarf_begin_elf() inflates all of them up front: for libc 2.36, 11 MB
 * from 3.8 MB, some 40 ms, a quarter of it .debug_loclists and .debug_line
 * that perffold never reads. When a file has compressed sections,
 * dwinfo__open() inflates only the ones libdw reads for DIEs, names, pc
 * ranges and CFI (see dwinfo.c), with libdeflate (twice as fast as zlib on
 * these sections), into one buffer laid out as an ELF file of its own,
 * and opens that with elf_memory() and dwarf_begin_elf(). Other files
 * (nothing compressed, not native-endian ELF64, a compression other than
 * zlib, a .gnu_debugaltlink to a dwz file that libdw must find by path)
 * are handed to libdw as they are.
 *
 * With a cache (fcache.h), the image is stored there under the file's
 * identity the first time, and later opens of the same file map it from
 * the cache instead of inflating anything.
 *
 * dwinfo__start() does the same on a thread of its own, so that a large
 * file can be opened while the caller goes on; dwinfo__dwarf() waits for
 * it. libelf and libdw keep no shared state between distinct Elf and Dwarf
 * handles, and this thread is the only one touching its handles until it
 * is joined.
 */
#ifndef PERFFOLD_DWINFO_H
#define PERFFOLD_DWINFO_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>

#include "fcache.h"

struct dwinfo;

/* Open the DWARF of the ELF file at path (copied), through cache (NULL:
 * none; borrowed until the open is done). Returns an owned dwinfo, or
 * NULL with errno: ENOENT the file cannot be read or has no DWARF, ENOEXEC
 * not ELF, ENOMEM. */
struct dwinfo *dwinfo__open(const char *path, const struct fcache *cache);

/* dwinfo__open(path, cache) on a new thread; when no thread can be made,
 * done now. cache must outlive the dwinfo. Returns an owned dwinfo whose
 * errors dwinfo__dwarf() reports, or NULL with errno = ENOMEM. */
struct dwinfo *dwinfo__start(const char *path, const struct fcache *cache);

/* The file's DWARF, borrowed until dwinfo__free(); waits for
 * dwinfo__start()'s thread on the first call. NULL when the file has
 * none (or could not be read). */
Dwarf *dwinfo__dwarf(struct dwinfo *di);

/* The file the DWARF was read from, as a cache names it (fd -1 when
 * there is no DWARF), borrowed until dwinfo__free(): for what else is
 * derived from it. Waits as dwinfo__dwarf() does. */
struct fcache_src dwinfo__cache_src(struct dwinfo *di);

/* Whether dwinfo__open() made a reduced image of inflated sections (for
 * tests and statistics); waits as dwinfo__dwarf() does. */
bool dwinfo__is_inflated(struct dwinfo *di);
/* Whether that image came from the cache; waits as dwinfo__dwarf()
 * does. */
bool dwinfo__is_cached(struct dwinfo *di);

/* Free di (waiting for its thread); NULL is a no-op. */
void dwinfo__free(struct dwinfo *di);

#endif
