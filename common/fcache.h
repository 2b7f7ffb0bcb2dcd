/* fcache: what perffold derives from a file, kept on disk between runs.
 *
 * perf keeps copies of the binaries a recording saw in ~/.debug; perffold
 * keeps, beside them, what it computes from such files and would compute
 * again on every run: a DSO's symbol table (symtab) and the inflated DWARF
 * sections of a compressed debuginfo file (dwinfo). The second run over the
 * same binaries reads those instead, a few milliseconds each.
 *
 * An entry is named by its key: the kind of result, the identity of each
 * file it was derived from, and the build id of the program using the
 * cache (so a rebuilt perffold never reads what an older one wrote,
 * whatever changed in between; the first store of a new build removes the
 * entries of others, but for the other build's written last: two tools,
 * perf2folded and flamerun, share the cache). A file with a GNU build id is named by it and its
 * size, as perf names binaries in its build-id cache: a copy of it
 * anywhere is the same file. Another is named by its device, inode, size,
 * and modification and change times, so that one changed or replaced on
 * disk is a new key.
 * The key is stored whole in the entry and compared on reading. An entry is written to
 * a temporary file and renamed into place, so a reader sees it whole or not
 * at all; entries not owned by the reading user are ignored. Reading never
 * trusts a payload beyond its length: the caller still checks its content.
 *
 * Failures (no directory, a full disk, an unreadable entry) are not errors
 * of the run: fcache__get() misses, and fcache__put()'s error may be
 * ignored.
 */
#ifndef PERFFOLD_FCACHE_H
#define PERFFOLD_FCACHE_H

#include <stddef.h>

#include <stdint.h>

/* Files one entry can be derived from. */
#define FCACHE_MAX_FILES 4
/* The longest build id that names a file. */
#define FCACHE_BUILD_ID_MAX 64

/* A file an entry is derived from: open at fd (-1 for "no file" in this
 * position), with its GNU build id when it has one (build_id_len 0: none,
 * or more than FCACHE_BUILD_ID_MAX). */
struct fcache_src {
	int fd;
	const uint8_t *build_id;
	size_t build_id_len;
};

struct fcache;
struct fcache_blob;

/* The directory perffold caches in unless told otherwise:
 * $PERFFOLD_CACHE_DIR, else $XDG_CACHE_HOME/perffold, else
 * $HOME/.cache/perffold, written to buf (len bytes). NULL when none is set
 * (or buf is too small), and when PERFFOLD_CACHE_DIR is set but empty:
 * caching off. */
const char *fcache__default_dir(char *buf, size_t len);

/* A cache in dir (copied; made with mode 0700 at the first store). Returns
 * an owned cache, or NULL with errno: ENOTSUP when this program has no
 * build id (its entries could not be told from another build's), ENOMEM. */
struct fcache *fcache__new(const char *dir);
/* Free c (the entries stay on disk); NULL is a no-op. */
void fcache__free(struct fcache *c);

/* The entry stored under kind (a short lowercase word, as "symtab") for
 * the nr_srcs files srcs[], or NULL when there is none, it belongs to
 * another user, or its header or key does not match. Returns an owned
 * blob. */
struct fcache_blob *fcache__get(const struct fcache *c, const char *kind,
				const struct fcache_src *srcs, size_t nr_srcs);
/* The payload, *len bytes, 16-byte aligned, borrowed until
 * fcache_blob__free(). It is mapped private and writable: a write changes
 * this copy only. */
void *fcache_blob__data(const struct fcache_blob *b, size_t *len);
/* Free b; NULL is a no-op. */
void fcache_blob__free(struct fcache_blob *b);

/* Store len bytes at data under the key fcache__get() would use. Returns 0
 * or a negative errno (-EINVAL for more than FCACHE_MAX_FILES files, or a
 * file that cannot be stat'ed, is not a regular file or is empty, as
 * procfs files say they are); nothing is left behind on failure. */
int fcache__put(const struct fcache *c, const char *kind,
		const struct fcache_src *srcs, size_t nr_srcs, const void *data,
		size_t len);

#endif
