/* jitdump: reading perf's jitdump format (see jitdump.h).
 *
 * Layout (tools/perf/Documentation/jitdump-specification.txt, and
 * tools/perf/util/jitdump.h): a header {u32 magic, version, total_size,
 * elf_mach, pad1, pid; u64 timestamp, flags}, then records, each
 * {u32 id, total_size; u64 timestamp} and a payload, in the writer's byte
 * order. Payloads:
 *   0 CODE_LOAD      {u32 pid, tid; u64 vma, code_addr, code_size,
 *                     code_index; char name[]; code bytes}
 *   1 CODE_MOVE      {u32 pid, tid; u64 vma, old_code_addr, new_code_addr,
 *                     code_size, code_index}
 *   2 DEBUG_INFO     skipped
 *   3 CODE_CLOSE     end of the dump
 *   4 UNWINDING_INFO {u64 unwinding_size, eh_frame_hdr_size, mapped_size;
 *                     eh_frame then eh_frame_hdr, unwinding_size bytes}
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitdump.h"
#include "jitfile.h"

#define JITDUMP_MAGIC 0x4A695444u
#define JITDUMP_MAGIC_SWAPPED 0x4454694Au
#define JITDUMP_HEADER_SIZE 40
#define JITDUMP_RECORD_HEADER 16

enum {
	JIT_CODE_LOAD = 0,
	JIT_CODE_MOVE = 1,
	JIT_CODE_DEBUG_INFO = 2,
	JIT_CODE_CLOSE = 3,
	JIT_CODE_UNWINDING_INFO = 4,
};

struct unwind {
	const uint8_t *data;
	uint64_t size, hdr_size, mapped_size;
};

struct jitdump {
	uint8_t *buf;		/* the file as first read */
	size_t len;
	/* bytes read later (jitdump__update()): each from the first record
	 * not yet parsed to the end of the file then; codes point into them */
	uint8_t **more;
	size_t nr_more;
	char *path;
	bool force;
	uint64_t parsed;	/* file offset of the first record not parsed */
	uint64_t size;		/* the file's size when last read */
	bool is_closed;		/* CODE_CLOSE seen: nothing more to read */
	struct unwind uw;	/* an UNWINDING_INFO waiting for its load */
	uint32_t pid;
	struct jitdump_code *codes;
	size_t nr_codes, codes_cap;
	uint32_t *order;	/* codes by start; one per start */
	size_t nr_order;
	bool is_truncated;
	uint64_t truncated_at;
	uint64_t nr_skipped;
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

void jitdump__free(struct jitdump *jd)
{
	size_t i;

	if (!jd)
		return;
	for (i = 0; i < jd->nr_more; i++)
		free(jd->more[i]);
	free(jd->more);
	free(jd->path);
	free(jd->buf);
	free(jd->codes);
	free(jd->order);
	free(jd);
}

/* The file at path from offset from to its end, in a new *buf. */
static int read_file(const char *path, bool force, const struct diag *d,
		     uint64_t from, uint8_t **buf, size_t *len)
{
	struct stat sb;
	size_t got = 0, size;
	int fd = jitfile__open(path, force, d);
	int err = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, &sb) < 0) {
		err = -errno;
		goto out;
	}
	if ((uint64_t)sb.st_size < from) {
		err = -ESTALE;	/* truncated or replaced */
		goto out;
	}
	size = (size_t)((uint64_t)sb.st_size - from);
	*buf = malloc(size ? size : 1);
	if (!*buf) {
		err = -ENOMEM;
		goto out;
	}
	/* The writer may still be appending: take what is there now. */
	while (got < size) {
		ssize_t n = pread(fd, *buf + got, size - got,
				  (off_t)(from + got));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*len = got;
out:
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return err;
}

static int add_code(struct jitdump *jd, const uint8_t *p, size_t len,
		    uint64_t ts, struct unwind *uw)
{
	struct jitdump_code *c;
	const uint8_t *nul;

	if (len < 40 || !(nul = memchr(p + 40, '\0', len - 40)))
		return 1;
	if (jd->nr_codes == jd->codes_cap) {
		size_t cap = jd->codes_cap ? 2 * jd->codes_cap : 256;
		struct jitdump_code *n = realloc(jd->codes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		jd->codes = n;
		jd->codes_cap = cap;
	}
	c = &jd->codes[jd->nr_codes++];
	memset(c, 0, sizeof(*c));
	c->pid = get32(p);
	c->tid = get32(p + 4);
	c->start = get64(p + 16);
	c->size = get64(p + 24);
	c->index = get64(p + 32);
	c->timestamp = ts;
	c->name = (const char *)p + 40;
	if (uw->data) {
		c->eh_frame = uw->data;
		c->eh_frame_len = (size_t)(uw->size - uw->hdr_size);
		c->eh_frame_hdr = uw->data + c->eh_frame_len;
		c->eh_frame_hdr_len = (size_t)uw->hdr_size;
		c->unwind_mapped_size = uw->mapped_size;
		uw->data = NULL;
	}
	return 0;
}

static int set_unwind(struct unwind *uw, const uint8_t *p, size_t len)
{
	if (len < 24)
		return 1;
	uw->size = get64(p);
	uw->hdr_size = get64(p + 8);
	uw->mapped_size = get64(p + 16);
	if (uw->size > len - 24 || uw->hdr_size > uw->size)
		return 1;
	uw->data = p + 24;
	return 0;
}

static void move_code(struct jitdump *jd, const uint8_t *p, size_t len)
{
	uint64_t index, new_addr;
	size_t i;

	if (len < 48) {
		jd->nr_skipped++;
		return;
	}
	new_addr = get64(p + 24);
	index = get64(p + 40);
	for (i = jd->nr_codes; i > 0; i--) {
		if (jd->codes[i - 1].index == index) {
			jd->codes[i - 1].start = new_addr;
			jd->codes[i - 1].size = get64(p + 32);
			return;
		}
	}
	jd->nr_skipped++;
}

static int parse_header(struct jitdump *jd, const char *path,
			const struct diag *d, size_t *first)
{
	uint32_t magic, hdr_size;

	if (jd->len < JITDUMP_HEADER_SIZE) {
		diag__emit(d, DIAG_ERROR, "'%s': not a jitdump: %zu bytes, "
			   "shorter than the 40-byte header", path, jd->len);
		return -EPROTO;
	}
	magic = get32(jd->buf);
	if (magic == JITDUMP_MAGIC_SWAPPED) {
		diag__emit(d, DIAG_ERROR, "'%s': jitdump written with the "
			   "other byte order, not supported", path);
		return -EPROTO;
	}
	if (magic != JITDUMP_MAGIC) {
		diag__emit(d, DIAG_ERROR, "'%s': not a jitdump: magic "
			   "0x%08x, expected 0x%08x", path, magic,
			   JITDUMP_MAGIC);
		return -EPROTO;
	}
	hdr_size = get32(jd->buf + 8);
	if (hdr_size < JITDUMP_HEADER_SIZE || hdr_size > jd->len) {
		diag__emit(d, DIAG_ERROR, "'%s': jitdump header size %u "
			   "out of range (40 .. %zu)", path, hdr_size,
			   jd->len);
		return -EPROTO;
	}
	jd->pid = get32(jd->buf + 20);
	*first = hdr_size;
	return 0;
}

/* Parse the records in the len bytes at buf, which are the file's from
 * offset base on, up to a last record not wholly there (truncated: said
 * when is_final, else it is read again by the next update). */
static int parse_records(struct jitdump *jd, const uint8_t *buf, size_t len,
			 uint64_t base, bool is_final, const struct diag *d)
{
	size_t off = 0;
	int err;

	jd->is_truncated = false;
	while (off < len && !jd->is_closed) {
		const uint8_t *p = buf + off;
		size_t left = len - off;
		uint32_t id, size;

		if (left < JITDUMP_RECORD_HEADER ||
		    (size = get32(p + 4)) > left) {
			jd->is_truncated = true;
			jd->truncated_at = base + off;
			if (is_final)
				diag__emit(d, DIAG_WARN, "'%s': truncated "
					   "record at offset 0x%" PRIx64 " (%zu "
					   "bytes left), ignored", jd->path,
					   base + off, left);
			break;
		}
		if (size < JITDUMP_RECORD_HEADER) {
			diag__emit(d, DIAG_WARN, "'%s': record at offset "
				   "0x%" PRIx64 " has size %u, stopping there",
				   jd->path, base + off, size);
			jd->nr_skipped++;
			jd->is_closed = true;
			break;
		}
		id = get32(p);
		err = 0;
		switch (id) {
		case JIT_CODE_LOAD:
			err = add_code(jd, p + 16, size - 16, get64(p + 8),
				       &jd->uw);
			break;
		case JIT_CODE_MOVE:
			move_code(jd, p + 16, size - 16);
			break;
		case JIT_CODE_UNWINDING_INFO:
			err = set_unwind(&jd->uw, p + 16, size - 16);
			break;
		case JIT_CODE_CLOSE:
			jd->is_closed = true;
			break;
		default:
			jd->nr_skipped++;
			break;
		}
		if (err < 0)
			return err;
		if (err > 0)
			jd->nr_skipped++;
		off += size;
	}
	jd->parsed = base + off;
	return 0;
}

static int cmp_code(const void *pa, const void *pb, void *ctx)
{
	const struct jitdump *jd = ctx;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	uint64_t sa = jd->codes[a].start, sb = jd->codes[b].start;

	if (sa != sb)
		return sa < sb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Index the code loads by start; of several at one start the one loaded
 * last wins, as the last of perf inject's MMAP2 records would. */
static int build_order(struct jitdump *jd)
{
	size_t i, n = 0;

	free(jd->order);
	jd->order = malloc((jd->nr_codes ? jd->nr_codes : 1) *
			   sizeof(*jd->order));
	if (!jd->order)
		return -ENOMEM;
	for (i = 0; i < jd->nr_codes; i++)
		jd->order[i] = (uint32_t)i;
	qsort_r(jd->order, jd->nr_codes, sizeof(*jd->order), cmp_code, jd);
	for (i = 0; i < jd->nr_codes; i++) {
		if (n && jd->codes[jd->order[n - 1]].start ==
				 jd->codes[jd->order[i]].start)
			n--;
		jd->order[n++] = jd->order[i];
	}
	jd->nr_order = n;
	return 0;
}

static struct jitdump *open_dump(const char *path, bool force,
				 bool is_final, const struct diag *d)
{
	struct jitdump *jd = calloc(1, sizeof(*jd));
	size_t first;
	int err;

	if (!jd || !(jd->path = strdup(path))) {
		jitdump__free(jd);
		errno = ENOMEM;
		return NULL;
	}
	jd->force = force;
	err = read_file(path, force, d, 0, &jd->buf, &jd->len);
	if (err) {
		if (err != -EPERM && err != -EINVAL)	/* jitfile said why */
			diag__emit(d, DIAG_ERROR, "cannot read '%s': %s", path,
				   strerror(-err));
		goto fail;
	}
	/* a JIT that buffers its writes may not have written its header yet:
	 * the next open will see */
	if (!is_final && jd->len < JITDUMP_HEADER_SIZE) {
		err = -EAGAIN;
		goto fail;
	}
	err = parse_header(jd, path, d, &first);
	if (err)
		goto fail;
	jd->size = jd->len;
	err = parse_records(jd, jd->buf + first, jd->len - first, first,
			    is_final, d);
	if (err)
		goto fail;
	err = build_order(jd);
	if (err)
		goto fail;
	return jd;
fail:
	jitdump__free(jd);
	errno = -err;
	return NULL;
}

struct jitdump *jitdump__open(const char *path, bool force,
			      const struct diag *d)
{
	return open_dump(path, force, true, d);
}

struct jitdump *jitdump__open_growing(const char *path, bool force,
				      const struct diag *d)
{
	return open_dump(path, force, false, d);
}

int jitdump__update(struct jitdump *jd, const struct diag *d)
{
	size_t before = jd->nr_codes, len;
	uint8_t *buf = NULL, **more;
	struct stat st;
	int err;

	if (jd->is_closed)
		return 0;
	if (stat(jd->path, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size < jd->parsed)
		return -ESTALE;
	if ((uint64_t)st.st_size == jd->size)
		return 0;
	more = realloc(jd->more, (jd->nr_more + 1) * sizeof(*more));
	if (!more)
		return -ENOMEM;
	jd->more = more;
	err = read_file(jd->path, jd->force, NULL, jd->parsed, &buf, &len);
	if (err)
		return err;
	jd->more[jd->nr_more++] = buf;
	jd->size = jd->parsed + len;
	err = parse_records(jd, buf, len, jd->parsed, false, d);
	if (!err && jd->nr_codes != before)
		err = build_order(jd);
	return err ? err : (int)(jd->nr_codes - before);
}

struct jitdump *jitdump__open_pid(const char *dir, int pid, bool force,
				  const struct diag *d)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/jit-%d.dump", dir ? dir : "/tmp",
		 pid);
	return jitdump__open(path, force, d);
}

const struct jitdump_code *jitdump__lookup(const struct jitdump *jd,
					   uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = jd->nr_order;
	const struct jitdump_code *c;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (jd->codes[jd->order[mid]].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	c = &jd->codes[jd->order[lo - 1]];
	if (addr - c->start >= c->size)
		return NULL;
	if (off)
		*off = addr - c->start;
	return c;
}

size_t jitdump__count(const struct jitdump *jd)
{
	return jd->nr_codes;
}

const struct jitdump_code *jitdump__at(const struct jitdump *jd, size_t i)
{
	return i < jd->nr_codes ? &jd->codes[i] : NULL;
}

uint32_t jitdump__pid(const struct jitdump *jd)
{
	return jd->pid;
}

bool jitdump__is_truncated(const struct jitdump *jd, uint64_t *offset)
{
	if (offset)
		*offset = jd->truncated_at;
	return jd->is_truncated;
}

uint64_t jitdump__nr_skipped(const struct jitdump *jd)
{
	return jd->nr_skipped;
}
