/* debugfile: which ELF files give a DSO's symbols, found as perf 6.1
 * finds them.
 *
 * debugfile__find() opens two files for a DSO path and the build id that
 * perf.data recorded for it:
 *
 * rt, the runtime binary (its program headers place the symbols): path
 *   itself when its GNU build id is the recorded one (or none was
 *   recorded), else perf's build-id cache copy BUILDID_DIR/.build-id/xx/rest
 *   ("elf", then "vdso" inside it); names in brackets ("[vdso]") are only
 *   looked for in the cache.
 *
 * sym, separate debuginfo: the first of these that opens, has the same
 *   build id and has a .symtab, in the order of perf's binary_type_symtab[]
 *   in dso__load() (tools/perf/util/symbol.c), each file named as
 *   dso__read_binary_type_filename() (tools/perf/util/dso.c) names it:
 *     DEBUGLINK               DIR/LINK, DIR/.debug/LINK,
 *                             DEBUG_ROOT/DIR/LINK (LINK from .gnu_debuglink,
 *                             DIR the directory of path; perf's
 *                             debuglink_paths[] minus the bare "LINK")
 *     BUILD_ID_CACHE          BUILDID_DIR/.build-id/xx/rest/elf
 *     BUILD_ID_CACHE_DEBUGINFO  BUILDID_DIR/.build-id/xx/rest/debug
 *     FEDORA_DEBUGINFO        DEBUG_ROOT/PATH.debug
 *     UBUNTU_DEBUGINFO        DEBUG_ROOT/PATH
 *     BUILDID_DEBUGINFO       DEBUG_ROOT/.build-id/xx/rest.debug
 *   (SYSTEM_PATH_DSO, the file itself, is rt.) xx/rest is the build id in
 *   lower-case hex split after two digits: the recorded one, else rt's.
 *   perf 6.1's build-id cache (build_id_cache__basename()) makes
 *   .build-id/xx/rest a symlink to a directory holding "elf", "debug" and
 *   "vdso"; older perf linked it to the file itself, which counts as "elf".
 *
 * The caller reads .symtab from sym when it is open, else .symtab or
 * .dynsym from rt. Nothing here prints: rejected files are reported to a
 * struct diag as DIAG_INFO.
 */
#ifndef PERFFOLD_DEBUGFILE_H
#define PERFFOLD_DEBUGFILE_H

#include <stddef.h>
#include <stdint.h>

#include <gelf.h>
#include <libelf.h>

#include "diag.h"

#define DEBUGFILE_BUILD_ID_MAX 20

/* Where to look; either may be NULL to skip it. Borrowed for the call. */
struct debugfile_paths {
	const char *debug_root;		/* DEBUG_ROOT: "/usr/lib/debug" */
	const char *buildid_dir;	/* BUILDID_DIR: perf's ~/.debug */
};

/* One opened ELF file (not an archive). Closed it is DEBUGFILE_INIT: fd
 * -1, elf and path NULL. elf, path and fd are owned by it until
 * debugfile__close(); build_id is its GNU build id note (build_id_len 0
 * when it has none), cut to DEBUGFILE_BUILD_ID_MAX bytes. */
struct debugfile {
	int fd;				/* -1 for an image in memory */
	Elf *elf;
	char *path;
	uint8_t build_id[DEBUGFILE_BUILD_ID_MAX];
	size_t build_id_len;
};

#define DEBUGFILE_INIT { .fd = -1 }

/* Fill p as perf does: debug_root "/usr/lib/debug", buildid_dir
 * $PERF_BUILDID_DIR, else $HOME/.debug (written into buf, buf_len bytes),
 * else NULL. The strings are static, in buf or in the environment. */
void debugfile__default_paths(struct debugfile_paths *p, char *buf,
			      size_t buf_len);

/* Open rt and sym for path (see the top of this file). build_id
 * (build_id_len bytes; NULL or 0 when perf.data recorded none) is what the
 * recording saw. paths may be NULL (no cache, no debuginfo). rt and sym
 * are overwritten; either may come back closed (sym when no separate file
 * qualifies). Returns 0 when rt is open, else the error opening path:
 * -ENOENT (missing, not a regular file, another build id, or no file
 * named), -ENOEXEC (not ELF), -ENOMEM, or another open(2) error; sym may
 * be open even then. The caller debugfile__close()s both either way. */
int debugfile__find(const char *path, const uint8_t *build_id,
		    size_t build_id_len, const struct debugfile_paths *paths,
		    const struct diag *d, struct debugfile *rt,
		    struct debugfile *sym);

/* The path of the file symbols would be read from by debugfile__find() of
 * the same arguments (sym when open, else rt): a copy to free, or NULL
 * when neither opens (or out of memory). Reports nothing. */
char *debugfile__find_symbol_file(const char *path, const uint8_t *build_id,
				  size_t build_id_len,
				  const struct debugfile_paths *paths);

/* Open the len-byte ELF image at image as df, named name (NULL: ""). The
 * image is borrowed: it must outlive df. 0, or -ENOEXEC (not ELF) or
 * -ENOMEM with df closed. */
int debugfile__open_image(struct debugfile *df, void *image, size_t len,
			  const char *name);

/* Release what df holds and make it DEBUGFILE_INIT; a closed df is a
 * no-op. */
void debugfile__close(struct debugfile *df);

/* elf_begin(fd, ELF_C_READ_MMAP, NULL) of the file path names, its
 * mapping guarded (mapguard.h): a file cut while it is read ends the tool
 * with one line, not SIGBUS. NULL as elf_begin() fails. End it with
 * debugfile__elf_end(). */
Elf *debugfile__elf_begin(int fd, const char *path);
/* elf_end(e), its mapping unguarded first; NULL is a no-op. */
void debugfile__elf_end(Elf *e);

/* Read the GNU build id note of the ELF file at path into buf (cap bytes).
 * Returns its length, 0 when the file has none, or a negative errno
 * (-ENOSPC when it is longer than cap). */
int debugfile__read_build_id(const char *path, uint8_t *buf, size_t cap);

/* The section of elf named name (its header in *shdr), or NULL. */
Elf_Scn *debugfile__section(Elf *elf, const char *name, GElf_Shdr *shdr);

#endif
