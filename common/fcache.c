/* fcache: derived results kept on disk, keyed by their source files (see
 * fcache.h).
 *
 * DIR holds a CACHEDIR.TAG (backup tools skip the directory) and one
 * directory per build of the program, named by its build id in hex; the
 * first store of a new build removes the others' entries, so that the cache
 * holds one build's (an upgrade or a rebuild leaves nothing behind). An
 * entry is one file, DIR/BUILDID/KIND-HASH, HASH the key's hash in hex:
 *
 *   struct entry_head   magic, format version, key and payload lengths
 *   key                 the bytes make_key() writes
 *   padding             to 16 bytes
 *   payload
 *
 * Two keys with one hash share a name; the stored key tells them apart
 * (the later store wins, the other misses).
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcache.h"
#include "hash.h"
#include "mapguard.h"
#include "notes.h"

#define FCACHE_MAGIC "PFCACHE\n"
#define FCACHE_VERSION 1
#define FCACHE_KIND_MAX 32
#define FCACHE_PAYLOAD_ALIGN 16
#define LOWER "abcdefghijklmnopqrstuvwxyz"	/* a kind's letters */

struct entry_head {
	char magic[8];
	uint32_t version;
	uint32_t key_len;
	uint64_t payload_len;
};

/* The identity of one source file in a key. The change time too: it
 * moves on every write, even one that puts the modification time back
 * (cp -p over the file). */
struct file_id {
	uint64_t dev, ino, size, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/* How a key names one source file: a tag, then */
enum { SRC_NONE, SRC_BUILD_ID, SRC_FILE };
/* SRC_BUILD_ID: the build id's length, the build id, the file's size */
#define SRC_BUILD_ID_MAX (1 + FCACHE_BUILD_ID_MAX + 8)
/* SRC_FILE: struct file_id */
#define SRC_MAX (1 + (SRC_BUILD_ID_MAX > sizeof(struct file_id) ? \
		      SRC_BUILD_ID_MAX : sizeof(struct file_id)))

/* The largest key: this program's id, the kind, the files. */
#define FCACHE_KEY_MAX (1 + FCACHE_BUILD_ID_MAX + 1 + FCACHE_KIND_MAX + \
			FCACHE_MAX_FILES * SRC_MAX)

struct fcache {
	char *dir;
	char *build_dir;		/* dir/BUILDID */
	uint8_t self_id[FCACHE_BUILD_ID_MAX];	/* this program's build id */
	size_t self_id_len;
};

#define CACHEDIR_TAG "Signature: 8a477f597d28d172789f06886806bc55\n" \
	"# This file marks perffold's cache (common/fcache.c).\n"

struct fcache_blob {
	void *map;
	size_t map_len;
	size_t payload_off;
};

/* The GNU build id of the program (the first object dl_iterate_phdr()
 * lists), from its PT_NOTE segments in memory. */
static int find_self_id(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct fcache *c = arg;
	int i, n;

	(void)size;
	for (i = 0; i < info->dlpi_phnum && !c->self_id_len; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_NOTE)
			continue;
		n = notes__build_id((const void *)(info->dlpi_addr +
						   ph->p_vaddr),
				    ph->p_memsz, c->self_id,
				    sizeof(c->self_id));
		if (n > 0)
			c->self_id_len = (size_t)n;
	}
	return 1;	/* only the first object is the program */
}

const char *fcache__default_dir(char *buf, size_t len)
{
	const char *dir = getenv("PERFFOLD_CACHE_DIR");
	const char *base;
	int n;

	if (dir)
		n = snprintf(buf, len, "%s", dir);
	else if ((base = getenv("XDG_CACHE_HOME")) && base[0] == '/')
		n = snprintf(buf, len, "%s/perffold", base);
	else if ((base = getenv("HOME")) && base[0])
		n = snprintf(buf, len, "%s/.cache/perffold", base);
	else
		return NULL;
	return n > 0 && (size_t)n < len ? buf : NULL;
}

struct fcache *fcache__new(const char *dir)
{
	struct fcache *c = calloc(1, sizeof(*c));
	size_t i, n;

	if (!c || !(c->dir = strdup(dir))) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	dl_iterate_phdr(find_self_id, c);
	if (!c->self_id_len) {
		fcache__free(c);
		errno = ENOTSUP;
		return NULL;
	}
	c->build_dir = malloc(strlen(dir) + 2 + 2 * c->self_id_len);
	if (!c->build_dir) {
		fcache__free(c);
		errno = ENOMEM;
		return NULL;
	}
	n = (size_t)sprintf(c->build_dir, "%s/", dir);
	for (i = 0; i < c->self_id_len; i++)
		n += (size_t)sprintf(c->build_dir + n, "%02x", c->self_id[i]);
	return c;
}

void fcache__free(struct fcache *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c->build_dir);
	free(c);
}

/* The key of (kind, srcs) into key (FCACHE_KEY_MAX bytes): its length,
 * or -EINVAL. */
static int make_key(const struct fcache *c, const char *kind,
		    const struct fcache_src *srcs, size_t nr_srcs, uint8_t *key)
{
	size_t kind_len = strlen(kind), n = 0, i;

	if (nr_srcs > FCACHE_MAX_FILES || !kind_len ||
	    kind_len > FCACHE_KIND_MAX || strspn(kind, LOWER) != kind_len)
		return -EINVAL;
	key[n++] = (uint8_t)c->self_id_len;
	memcpy(key + n, c->self_id, c->self_id_len);
	n += c->self_id_len;
	key[n++] = (uint8_t)kind_len;
	memcpy(key + n, kind, kind_len);
	n += kind_len;
	for (i = 0; i < nr_srcs; i++) {
		const struct fcache_src *src = &srcs[i];
		struct file_id id;
		struct stat st;
		uint64_t size;

		if (src->fd < 0) {
			key[n++] = SRC_NONE;
			continue;
		}
		/* (procfs and sysfs files say they are empty) */
		if (fstat(src->fd, &st) || !S_ISREG(st.st_mode) || !st.st_size)
			return -EINVAL;
		if (src->build_id_len && src->build_id_len <= FCACHE_BUILD_ID_MAX) {
			size = (uint64_t)st.st_size;
			key[n++] = SRC_BUILD_ID;
			key[n++] = (uint8_t)src->build_id_len;
			memcpy(key + n, src->build_id, src->build_id_len);
			n += src->build_id_len;
			memcpy(key + n, &size, sizeof(size));
			n += sizeof(size);
			continue;
		}
		id = (struct file_id){
			.dev = st.st_dev, .ino = st.st_ino,
			.size = (uint64_t)st.st_size,
			.mtime_sec = (uint64_t)st.st_mtim.tv_sec,
			.mtime_nsec = (uint64_t)st.st_mtim.tv_nsec,
			.ctime_sec = (uint64_t)st.st_ctim.tv_sec,
			.ctime_nsec = (uint64_t)st.st_ctim.tv_nsec,
		};
		key[n++] = SRC_FILE;
		memcpy(key + n, &id, sizeof(id));
		n += sizeof(id);
	}
	return (int)n;
}

/* DIR/KIND-HASH into path (PATH_MAX bytes): 0, or -ENAMETOOLONG. */
static int entry_path(const struct fcache *c, const char *kind,
		      const uint8_t *key, size_t key_len, char *path)
{
	int n = snprintf(path, PATH_MAX, "%s/%s-%016llx", c->build_dir, kind,
			 (unsigned long long)hash__bytes(key, key_len, 0));

	return n > 0 && n < PATH_MAX ? 0 : -ENAMETOOLONG;
}

static size_t payload_offset(size_t key_len)
{
	size_t off = sizeof(struct entry_head) + key_len;

	return (off + FCACHE_PAYLOAD_ALIGN - 1) & ~(size_t)(FCACHE_PAYLOAD_ALIGN - 1);
}

struct fcache_blob *fcache__get(const struct fcache *c, const char *kind,
				const struct fcache_src *srcs, size_t nr_srcs)
{
	uint8_t key[FCACHE_KEY_MAX];
	char path[PATH_MAX];
	struct fcache_blob *b = NULL;
	const struct entry_head *h;
	struct stat st;
	size_t off;
	void *map;
	int key_len = make_key(c, kind, srcs, nr_srcs, key), fd;

	if (key_len < 0 || entry_path(c, kind, key, (size_t)key_len, path))
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	off = payload_offset((size_t)key_len);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (uint64_t)st.st_size < off) {
		close(fd);
		return NULL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return NULL;
	mapguard__add(map, (size_t)st.st_size, path);
	h = map;
	if (memcmp(h->magic, FCACHE_MAGIC, sizeof(h->magic)) ||
	    h->version != FCACHE_VERSION || h->key_len != (uint32_t)key_len ||
	    memcmp(h + 1, key, (size_t)key_len) ||
	    h->payload_len != (uint64_t)st.st_size - off ||
	    !(b = malloc(sizeof(*b)))) {
		mapguard__remove(map);
		munmap(map, (size_t)st.st_size);
		return NULL;
	}
	b->map = map;
	b->map_len = (size_t)st.st_size;
	b->payload_off = off;
	return b;
}

void *fcache_blob__data(const struct fcache_blob *b, size_t *len)
{
	*len = b->map_len - b->payload_off;
	return (char *)b->map + b->payload_off;
}

void fcache_blob__free(struct fcache_blob *b)
{
	if (!b)
		return;
	mapguard__remove(b->map);
	munmap(b->map, b->map_len);
	free(b);
}

/* mkdir -p dir, new components with mode 0700: 1 when it made dir
 * itself, 0 when dir was there, or -errno. */
static int make_dir(const char *dir)
{
	char p[PATH_MAX];
	size_t i, n = strlen(dir);
	int made = 0;

	if (n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		made = !mkdir(p, 0700);
		if (!made && errno != EEXIST)
			return -errno;
		p[i] = dir[i];
	}
	return made;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Whether name is a file this module writes: KIND-HASH or .tmp-X. */
static bool is_entry_name(const char *name)
{
	size_t n = strspn(name, LOWER);

	return !strncmp(name, ".tmp-", 5) ||
	       (n && n <= FCACHE_KIND_MAX && name[n] == '-' &&
		strlen(name + n + 1) == 16 &&
		strspn(name + n + 1, "0123456789abcdef") == 16);
}

static bool is_build_dir_name(const char *name, const char *self)
{
	size_t n = strlen(name);

	return n >= 8 && n <= 2 * FCACHE_BUILD_ID_MAX && !(n % 2) &&
	       strspn(name, "0123456789abcdef") == n && strcmp(name, self);
}

/* The other build's directory written last (its mtime), into keep. */
static void newest_other_build(const struct fcache *c, const char *self,
			       char *keep, size_t len)
{
	char sub[PATH_MAX];
	struct timespec newest = {0};
	struct dirent *e;
	struct stat sb;
	DIR *top = opendir(c->dir);

	keep[0] = 0;
	while (top && (e = readdir(top))) {
		if (!is_build_dir_name(e->d_name, self))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", c->dir, e->d_name);
		if (stat(sub, &sb) || sb.st_mtim.tv_sec < newest.tv_sec ||
		    (sb.st_mtim.tv_sec == newest.tv_sec &&
		     sb.st_mtim.tv_nsec <= newest.tv_nsec))
			continue;
		newest = sb.st_mtim;
		snprintf(keep, len, "%s", e->d_name);
	}
	if (top)
		closedir(top);
}

/* Remove the entries of other builds: in directories of c->dir named as
 * build ids, the files named as entries, then the directory if that
 * emptied it; but the one written last, which may be another tool's of
 * the same build (flamerun and perf2folded are two programs, two build
 * ids, sharing the cache: they must not evict each other). Only in a
 * directory this module made (and tagged), never in one it was pointed
 * at. */
static void prune_other_builds(const struct fcache *c)
{
	const char *self = strrchr(c->build_dir, '/') + 1;
	char tag[PATH_MAX], sub[PATH_MAX], file[2 * PATH_MAX];
	char keep[NAME_MAX + 1];
	struct dirent *e, *f;
	DIR *top, *d;

	snprintf(tag, sizeof(tag), "%s/CACHEDIR.TAG", c->dir);
	if (access(tag, F_OK))
		return;
	newest_other_build(c, self, keep, sizeof(keep));
	if (!(top = opendir(c->dir)))
		return;
	while ((e = readdir(top))) {
		if (!is_build_dir_name(e->d_name, self) ||
		    !strcmp(e->d_name, keep))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", c->dir, e->d_name);
		d = opendir(sub);
		if (!d)
			continue;
		while ((f = readdir(d)))
			if (is_entry_name(f->d_name)) {
				snprintf(file, sizeof(file), "%s/%s", sub,
					 f->d_name);
				unlink(file);
			}
		closedir(d);
		rmdir(sub);
	}
	closedir(top);
}

/* Make c->dir (tagged when made here) and c->build_dir, pruning other
 * builds when this one's directory is new. 0 or -errno. */
static int make_dirs(const struct fcache *c)
{
	char tag[PATH_MAX];
	int made = make_dir(c->dir), fd;

	if (made < 0)
		return made;
	if (made) {	/* not a directory that was there before */
		snprintf(tag, sizeof(tag), "%s/CACHEDIR.TAG", c->dir);
		fd = open(tag, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			write_all(fd, CACHEDIR_TAG, strlen(CACHEDIR_TAG));
			close(fd);
		}
	}
	if (!mkdir(c->build_dir, 0700))
		prune_other_builds(c);
	else if (errno != EEXIST)
		return -errno;
	return 0;
}

int fcache__put(const struct fcache *c, const char *kind,
		const struct fcache_src *srcs, size_t nr_srcs, const void *data,
		size_t len)
{
	static const uint8_t zeros[FCACHE_PAYLOAD_ALIGN];
	uint8_t key[FCACHE_KEY_MAX];
	char path[PATH_MAX], tmp[PATH_MAX];
	struct entry_head h = { .version = FCACHE_VERSION };
	int key_len = make_key(c, kind, srcs, nr_srcs, key), fd, err;
	size_t pad;

	if (key_len < 0)
		return key_len;
	err = entry_path(c, kind, key, (size_t)key_len, path);
	if (err)
		return err;
	if (snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", c->build_dir) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	err = make_dirs(c);
	if (err)
		return err;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memcpy(h.magic, FCACHE_MAGIC, sizeof(h.magic));
	h.key_len = (uint32_t)key_len;
	h.payload_len = len;
	pad = payload_offset((size_t)key_len) - sizeof(h) - (size_t)key_len;
	err = write_all(fd, &h, sizeof(h));
	if (!err)
		err = write_all(fd, key, (size_t)key_len);
	if (!err)
		err = write_all(fd, zeros, pad);
	if (!err)
		err = write_all(fd, data, len);
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
