/* perfdata: opening perf.data (a file is mapped, a stream buffered), the
 * file header and its attrs section, and freeing; the top of perfdata's
 * files (their order is in perfdata_int.h). Feature sections are in
 * perfdata_feat.c, the record stream in perfdata_read.c, the reorder queue
 * in perfdata_order.c, record bodies in perfdata_sample.c, attrs and their
 * ids in perfdata_attrs.c. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mapguard.h"
#include "perfdata_order.h"

/* "PERFILE2" written by a machine of the other endianness. */
#define PD_MAGIC_SWAPPED 0x50455246494c4532ULL
#define PD_FILE_HEADER_SIZE 104
#define PD_PIPE_HEADER_SIZE 16

bool perfdata__sniff(const void *buf, size_t len)
{
	return len >= 8 && pd_u64(buf) == PERFDATA_MAGIC;
}

/* ---- the file header ----------------------------------------------------- */

/* Is [off, off + size) inside the image? */
static bool in_image(const struct perfdata *pd, uint64_t off, uint64_t size)
{
	return off <= pd->map_len && size <= pd->map_len - off;
}

static int parse_features(struct perfdata *pd, uint64_t table)
{
	unsigned int feat, nr = 0;

	for (feat = 0; feat < 256; feat++)
		if (pd->feat_bits[feat / 64] & (1ULL << (feat % 64)))
			nr++;
	if (!nr)
		return 0;
	if (!in_image(pd, table, 16ULL * nr)) {
		diag__emit(&pd->diag, DIAG_WARN,
			   "'%s': feature table at offset 0x%" PRIx64
			   " runs past the end of the file; features ignored",
			   pd->name, table);
		return 0;
	}
	for (feat = 0; feat < 256; feat++) {
		uint64_t off, size;
		int err;

		if (!(pd->feat_bits[feat / 64] & (1ULL << (feat % 64))))
			continue;
		off = pd_u64(pd->map + table);
		size = pd_u64(pd->map + table + 8);
		table += 16;
		if (!in_image(pd, off, size)) {
			diag__emit(&pd->diag, DIAG_WARN,
				   "'%s': feature %u section (offset 0x%" PRIx64
				   ", %" PRIu64 " bytes) runs past the end of "
				   "the file; ignored",
				   pd->name, feat, off, size);
			pd->stats.nr_bad++;
			continue;
		}
		err = pd_parse_feature(pd, feat, pd->map + off, size, off);
		if (err)
			return err;
	}
	return 0;
}

static int parse_file_header(struct perfdata *pd)
{
	uint64_t hsize, attr_size, attrs_off, attrs_size, data_off, data_size;
	uint64_t nr, i;
	int err;

	if (pd->map_len < 16)
		return pd_fail(pd, -EINVAL,
			    "truncated header at offset 0x0 "
			    "(expected 16 bytes, %zu left)",
			    pd->map_len);
	if (pd_u64(pd->map) == PD_MAGIC_SWAPPED)
		return pd_fail(pd, -EPROTO,
			    "recorded on a machine of the other "
			    "endianness, which is not supported");
	if (pd_u64(pd->map) != PERFDATA_MAGIC)
		return pd_fail(pd, -EINVAL,
			    "not a perf.data file (bad magic "
			    "at offset 0x0)");
	hsize = pd_u64(pd->map + 8);
	if (hsize == PD_PIPE_HEADER_SIZE) {
		pd->is_pipe = true;
		pd->data_off = PD_PIPE_HEADER_SIZE;
		pd->data_end = pd->map_len;
		return 0;
	}
	if (hsize < PD_FILE_HEADER_SIZE)
		return pd_fail(pd, -EINVAL,
			    "bad header size %" PRIu64 " at offset 0x8", hsize);
	if (pd->map_len < PD_FILE_HEADER_SIZE)
		return pd_fail(pd, -EINVAL,
			    "truncated header at offset 0x0 "
			    "(expected %d bytes, %zu left)",
			    PD_FILE_HEADER_SIZE, pd->map_len);
	attr_size = pd_u64(pd->map + 16);
	attrs_off = pd_u64(pd->map + 24);
	attrs_size = pd_u64(pd->map + 32);
	data_off = pd_u64(pd->map + 40);
	data_size = pd_u64(pd->map + 48);
	memcpy(pd->feat_bits, pd->map + 72, sizeof(pd->feat_bits));

	if (attr_size < PERF_ATTR_SIZE_VER0 + 16 ||
	    attr_size > PD_MAX_ATTR_SIZE)
		return pd_fail(pd, -EINVAL,
			    "bad attr size %" PRIu64 " at offset 0x10",
			    attr_size);
	if (!in_image(pd, attrs_off, attrs_size))
		return pd_fail(pd, -EINVAL,
			    "attrs section (offset 0x%" PRIx64 ", %" PRIu64
			    " bytes) runs past the end of the "
			    "file (%zu bytes)",
			    attrs_off, attrs_size, pd->map_len);
	if (!in_image(pd, data_off, data_size))
		return pd_fail(pd, -EINVAL,
			    "data section (offset 0x%" PRIx64 ", %" PRIu64
			    " bytes) runs past the end of the "
			    "file (%zu bytes)",
			    data_off, data_size, pd->map_len);
	nr = attrs_size / attr_size;
	if (!nr)
		return pd_fail(pd, -EINVAL,
			    "no attrs in the attrs section at "
			    "offset 0x%" PRIx64,
			    attrs_off);
	for (i = 0; i < nr; i++) {
		uint64_t at = attrs_off + i * attr_size;
		uint64_t ids_off = pd_u64(pd->map + at + attr_size - 16);
		uint64_t ids_size = pd_u64(pd->map + at + attr_size - 8);

		if (!in_image(pd, ids_off, ids_size))
			return pd_fail(pd, -EINVAL,
				    "ids of attr %" PRIu64 " (offset 0x%" PRIx64
				    ", %" PRIu64
				    " bytes) run past the end of the file",
				    i, ids_off, ids_size);
		err = pd_add_attr(pd, pd->map + at, attr_size - 16,
				  pd->map + ids_off, ids_size / 8);
		if (err)
			return pd_fail(pd, err, "cannot add attr %" PRIu64 ": %s",
				    i, strerror(-err));
	}
	pd->data_off = data_off;
	pd->data_end = data_off + data_size;
	if (!data_size && data_off < pd->map_len) {
		/* perf writes the size when recording ends: a killed perf
		 * leaves 0. perf report then reads to the end; so do we. */
		diag__emit(&pd->diag, DIAG_WARN,
			   "'%s': data size is 0 (perf "
			   "record not properly terminated?); reading to the "
			   "end of the file",
			   pd->name);
		pd->data_end = pd->map_len;
	}
	return parse_features(pd, data_off + data_size);
}

/* ---- construction ------------------------------------------------------- */

static struct perfdata *pd_alloc(const char *name, const struct diag *d,
				 const struct perfdata_opts *opts)
{
	struct perfdata *pd = calloc(1, sizeof(*pd));

	if (!pd)
		return NULL;
	pd->fd = -1;
	pd->id_zero_attr = PD_NO_ATTR;
	if (d)
		pd->diag = *d;
	if (opts)
		pd->opts = *opts;
	pd->name = strdup(name ? name : "perf.data");
	pd->scratch = malloc(1 << 16);
	if (!pd->name || !pd->scratch) {
		free(pd->name);
		free(pd->scratch);
		free(pd);
		return NULL;
	}
	return pd;
}

static struct perfdata *finish_open(struct perfdata *pd)
{
	int err = 0;

	if (pd->is_stream)
		err = pd_stream_open(pd);
	if (!err && !pd->is_stream)
		err = parse_file_header(pd);
	if (err) {
		perfdata__free(pd);
		errno = -err;
		return NULL;
	}
	pd->pos = pd->data_off;
	return pd;
}

struct perfdata *perfdata__open_mem(const void *buf, size_t len,
				    const char *name, const struct diag *d,
				    const struct perfdata_opts *opts)
{
	struct perfdata *pd = pd_alloc(name, d, opts);

	if (!pd) {
		errno = ENOMEM;
		return NULL;
	}
	pd->map = buf;
	pd->map_len = len;
	return finish_open(pd);
}

struct perfdata *perfdata__open(const char *path, const struct diag *d,
				const struct perfdata_opts *opts)
{
	struct perfdata *pd;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0) {
		err = errno;
		diag__emit(d, DIAG_ERROR, "cannot open '%s': %s", path,
			   strerror(err));
		errno = err;
		return NULL;
	}
	pd = perfdata__open_fd(fd, NULL, 0, path, d, opts);
	err = errno;
	close(fd);
	if (pd)
		pd->fd = -1;
	errno = err;
	return pd;
}

/* A live `perf record -o -` writes a sample of a --call-graph dwarf,65528
 * recording as one 64 KB record: a pipe of the default 64 KB holds one, so
 * perf would block on its write whenever the reader is not scheduled at
 * that instant, and its ring buffer (512 KB by default) then fills and the
 * kernel drops samples. A larger pipe, drained by a thread of its own
 * (pipein.h), absorbs the reader's delays. The limit for users without
 * CAP_SYS_RESOURCE is /proc/sys/fs/pipe-max-size (1 MB by default): the
 * largest size allowed is taken. */
static void grow_pipe(struct perfdata *pd, int fd)
{
	int size;

	for (size = PD_PIPE_SIZE; size >= (1 << 20); size /= 2)
		if (fcntl(fd, F_SETPIPE_SZ, size) >= 0)
			break;
	size = fcntl(fd, F_GETPIPE_SZ);
	pd->stats.pipe_size = size > 0 ? (uint64_t)size : 0;
}

struct perfdata *perfdata__open_fd(int fd, const void *prefix,
				   size_t prefix_len, const char *name,
				   const struct diag *d,
				   const struct perfdata_opts *opts)
{
	struct perfdata *pd = pd_alloc(name, d, opts);
	struct stat st;

	if (!pd) {
		errno = ENOMEM;
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		st.st_mode = 0;
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		off_t cur = prefix_len ? lseek(fd, 0, SEEK_CUR) : 0;
		void *m;

		/* mmap the whole file when the prefix is its beginning */
		if (cur == (off_t)prefix_len) {
			m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd,
				 0);
			if (m != MAP_FAILED) {
				madvise(m, st.st_size, MADV_SEQUENTIAL);
				mapguard__add(m, st.st_size, pd->name);
				pd->munmap_addr = m;
				pd->munmap_len = st.st_size;
				pd->map = m;
				pd->map_len = st.st_size;
				return finish_open(pd);
			}
		}
	}
	if (S_ISFIFO(st.st_mode)) {
		grow_pipe(pd, fd);
		pd->pipein = pipein__new(fd, PD_PIPEIN_MAX);
	}
	pd->is_stream = true;
	pd->fd = fd;
	pd->sbuf_cap = 1 << 18;
	if (prefix_len > pd->sbuf_cap)
		pd->sbuf_cap = prefix_len;
	pd->sbuf = malloc(pd->sbuf_cap);
	if (!pd->sbuf) {
		perfdata__free(pd);
		errno = ENOMEM;
		return NULL;
	}
	if (prefix_len)
		memcpy(pd->sbuf, prefix, prefix_len);
	pd->sbuf_len = prefix_len;
	return finish_open(pd);
}

void perfdata__free(struct perfdata *pd)
{
	if (!pd)
		return;
	pd_attrs_release(pd);
	pd_feat_release(pd);
	pd_stream_release(pd);
	pd_order_release(&pd->order);
	free(pd->scratch);
	free(pd->owned_image);
	pager__free(pd->pager);		/* before the mapping goes */
	if (pd->munmap_addr) {
		mapguard__remove(pd->munmap_addr);
		munmap(pd->munmap_addr, pd->munmap_len);
	}
	free(pd->name);
	free(pd);
}

/* ---- accessors ------------------------------------------------------------
 */

const char *perfdata__name(const struct perfdata *pd)
{
	return pd->name;
}

bool perfdata__is_pipe(const struct perfdata *pd)
{
	return pd->is_pipe;
}

const struct perfdata_stats *perfdata__stats(const struct perfdata *pd)
{
	return &pd->stats;
}
