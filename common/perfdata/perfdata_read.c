/* perfdata: the record stream. Walks the data section of a mapped file or
 * reads a pipe sequentially, handles the perf-tool records (attrs, features
 * and build ids as records in pipe mode, out-of-band payloads, zstd
 * compressed records), and hands kernel records to the reorder queue
 * (perfdata_order.c), flushing it at FINISHED_ROUND, or to the record
 * parser (perfdata_sample.c) directly when they have no time. It owns the
 * input: the mapped file's pages are faulted ahead and released behind
 * the reader and the queue. Fatal read errors are reported here
 * (pd_fail). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "perfdata_order.h"

int pd_fail(struct perfdata *pd, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag__emit(&pd->diag, DIAG_ERROR, "cannot read '%s': %s", pd->name,
		   msg);
	return err;
}

/* ---- stream input ------------------------------------------------------- */

/* Make n bytes available at sbuf + sbuf_pos. Returns how many are (less
 * than n only at the end of the stream) or a negative errno. */
static ssize_t stream_fill(struct perfdata *pd, size_t n)
{
	while (pd->sbuf_len - pd->sbuf_pos < n && !pd->is_eof) {
		ssize_t r;

		if (pd->sbuf_pos + n > pd->sbuf_cap) {
			memmove(pd->sbuf, pd->sbuf + pd->sbuf_pos,
				pd->sbuf_len - pd->sbuf_pos);
			pd->sbuf_len -= pd->sbuf_pos;
			pd->sbuf_pos = 0;
		}
		if (pd->pipein) {
			r = pipein__read(pd->pipein, pd->sbuf + pd->sbuf_len,
					 pd->sbuf_cap - pd->sbuf_len);
			pd->stats.pipe_max_queued =
				pipein__max_queued(pd->pipein);
			if (r < 0) {
				errno = (int)-r;
				r = -1;
			}
		} else {
			r = read(pd->fd, pd->sbuf + pd->sbuf_len,
				 pd->sbuf_cap - pd->sbuf_len);
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return pd_fail(pd, -errno,
				    "read error at offset 0x%" PRIx64 ": %s",
				    pd->spos, strerror(errno));
		if (r == 0)
			pd->is_eof = true;
		pd->sbuf_len += r;
	}
	return pd->sbuf_len - pd->sbuf_pos < n ? pd->sbuf_len - pd->sbuf_pos
					       : n;
}

static void stream_consume(struct perfdata *pd, size_t n)
{
	pd->sbuf_pos += n;
	pd->spos += n;
}

/* `perf record -o - > f 2>&1` appends perf's own "[ perf record: ..."
 * lines to the pipe data (linux-perf-data's sleep.compressed2.pipe.data
 * ends so). Treat that text as the end of the data. */
#define PD_PERF_MESSAGE "[ perf record: "

static bool is_perf_message(const uint8_t *p, uint64_t left)
{
	size_t n = sizeof(PD_PERF_MESSAGE) - 1;

	return left >= 8 && !memcmp(p, PD_PERF_MESSAGE, left < n ? left : n);
}

static int trailing_message(struct perfdata *pd, uint64_t off)
{
	diag__emit(&pd->diag, DIAG_WARN,
		   "'%s': perf's own messages at offset "
		   "0x%" PRIx64 " end the data",
		   pd->name, off);
	if (pd->is_stream)
		pd->is_eof = true;
	else
		pd->pos = pd->data_end;
	return 0;
}

/* A large mapped file has its pages mapped ahead of the reader and
 * released behind it by the pager, on a thread of its own (a page fault
 * costs microseconds in a VM); a small one just faults them in. Called
 * when the reader passes pd->populated. */
static void page_ahead(struct perfdata *pd)
{
	if (!pd->pager && pd->munmap_len >= PD_PAGER_MIN)
		pd->pager = pager__new(pd->munmap_addr, pd->munmap_len);
	pd->populated = pd->pager ? pager__advance(pd->pager, pd->pos)
				  : UINT64_MAX;
}

/* Next record: 1 with rec/len/off set, 0 at the end, or a negative errno.
 * rec stays valid until the next call. */
static int next_record(struct perfdata *pd, const uint8_t **rec, uint32_t *len,
		       uint64_t *off)
{
	uint16_t size;
	uint64_t left;

	if (pd->is_stream) {
		ssize_t got = stream_fill(pd, 8);

		if (got < 0)
			return (int)got;
		if (got == 0)
			return 0;
		if (got < 8)
			return pd_fail(pd, -EINVAL,
				    "truncated record at offset "
				    "0x%" PRIx64
				    " (expected 8 bytes, %zd left)",
				    pd->spos, got);
		if (is_perf_message(pd->sbuf + pd->sbuf_pos, got))
			return trailing_message(pd, pd->spos);
		size = pd_u16(pd->sbuf + pd->sbuf_pos + 6);
		if (size < 8)
			return pd_fail(pd, -EINVAL,
				    "bad record size %u at offset "
				    "0x%" PRIx64 " (smaller than its header)",
				    size, pd->spos);
		got = stream_fill(pd, size);
		if (got < 0)
			return (int)got;
		if (got < size)
			return pd_fail(pd, -EINVAL,
				    "truncated record at offset "
				    "0x%" PRIx64 " (expected %u bytes, %zd "
				    "left)",
				    pd->spos, size, got);
		*rec = pd->sbuf + pd->sbuf_pos;
		*len = size;
		*off = pd->spos;
		stream_consume(pd, size);
		return 1;
	}
	if (pd->pos >= pd->data_end)
		return 0;
	if (pd->pos >= pd->populated && pd->munmap_addr)
		page_ahead(pd);
	left = pd->data_end - pd->pos;
	if (left < 8)
		return pd_fail(pd, -EINVAL,
			    "truncated record at offset 0x%" PRIx64
			    " (expected 8 bytes, %" PRIu64 " left)",
			    pd->pos, left);
	if (pd->is_pipe && is_perf_message(pd->map + pd->pos, left))
		return trailing_message(pd, pd->pos);
	size = pd_u16(pd->map + pd->pos + 6);
	if (size < 8)
		return pd_fail(pd, -EINVAL,
			    "bad record size %u at offset 0x%" PRIx64
			    " (smaller than its header)",
			    size, pd->pos);
	if (size > left)
		return pd_fail(pd, -EINVAL,
			    "truncated record at offset 0x%" PRIx64
			    " (expected %u bytes, %" PRIu64 " left)",
			    pd->pos, size, left);
	*rec = pd->map + pd->pos;
	*len = size;
	*off = pd->pos;
	pd->pos += size;
	return 1;
}

/* Skip n bytes of out-of-band payload (AUXTRACE, HEADER_TRACING_DATA). */
static int skip_payload(struct perfdata *pd, uint64_t n, uint64_t off)
{
	if (!pd->is_stream) {
		if (n > pd->data_end - pd->pos)
			return pd_fail(pd, -EINVAL,
				    "truncated payload of record "
				    "at offset 0x%" PRIx64 " (expected %" PRIu64
				    " bytes, %" PRIu64 " left)",
				    off, n, pd->data_end - pd->pos);
		pd->pos += n;
		return 0;
	}
	while (n) {
		size_t chunk = n < pd->sbuf_cap ? n : pd->sbuf_cap;
		ssize_t got = stream_fill(pd, chunk);

		if (got < 0)
			return (int)got;
		if ((size_t)got < chunk)
			return pd_fail(pd, -EINVAL,
				    "truncated payload of record "
				    "at offset 0x%" PRIx64 " (%" PRIu64
				    " bytes missing)",
				    off, n - got);
		stream_consume(pd, chunk);
		n -= chunk;
	}
	return 0;
}

/* The tracing data of a HEADER_TRACING_DATA record, n bytes after it:
 * kept (pointed at in an image, copied from a stream) for
 * perfdata__tracing_data(). A second one replaces the first. */
static int keep_tracing_data(struct perfdata *pd, uint64_t n, uint64_t off)
{
	uint8_t *copy;
	uint64_t done = 0;

	if (!pd->is_stream) {
		if (n <= pd->data_end - pd->pos) {
			pd->tracing = pd->map + pd->pos;
			pd->tracing_len = n;
		}
		return skip_payload(pd, n, off);
	}
	copy = malloc(n ? n : 1);
	if (!copy)
		return skip_payload(pd, n, off);
	while (done < n) {
		size_t chunk = n - done < pd->sbuf_cap ? n - done : pd->sbuf_cap;
		ssize_t got = stream_fill(pd, chunk);

		if (got < 0 || (size_t)got < chunk) {
			free(copy);
			if (got < 0)
				return (int)got;
			return pd_fail(pd, -EINVAL,
				    "truncated payload of record "
				    "at offset 0x%" PRIx64 " (%" PRIu64
				    " bytes missing)",
				    off, n - done - got);
		}
		memcpy(copy + done, pd->sbuf + pd->sbuf_pos, chunk);
		stream_consume(pd, chunk);
		done += chunk;
	}
	free(pd->tracing_owned);
	pd->tracing_owned = copy;
	pd->tracing = copy;
	pd->tracing_len = n;
	return 0;
}

/* Check the start of a stream. Pipe format is then read record by record;
 * the file format needs its sections, so it is read whole into memory and
 * parsed as an image. */
int pd_stream_open(struct perfdata *pd)
{
	ssize_t got = stream_fill(pd, 16);
	size_t len;

	if (got < 0)
		return (int)got;
	if (got < 8 || pd_u64(pd->sbuf) != PERFDATA_MAGIC)
		return pd_fail(pd, -EINVAL,
			    "not perf data (bad magic at offset "
			    "0x0)");
	if (got < 16)
		return pd_fail(pd, -EINVAL,
			    "truncated header at offset 0x0 "
			    "(expected 16 bytes, %zd left)",
			    got);
	if (pd_u64(pd->sbuf + 8) == 16) {
		pd->is_pipe = true;
		stream_consume(pd, 16);
		return 0;
	}
	while (!pd->is_eof) {
		if (pd->sbuf_len == pd->sbuf_cap) {
			uint8_t *n = realloc(pd->sbuf, pd->sbuf_cap * 2);

			if (!n)
				return pd_fail(pd, -ENOMEM,
					    "out of memory reading "
					    "a perf.data file from a stream");
			pd->sbuf = n;
			pd->sbuf_cap *= 2;
		}
		got = stream_fill(pd, pd->sbuf_cap - pd->sbuf_pos);
		if (got < 0)
			return (int)got;
	}
	len = pd->sbuf_len;
	pd->owned_image = pd->sbuf;
	pd->sbuf = NULL;
	pd->map = pd->owned_image;
	pd->map_len = len;
	pd->is_stream = false;
	return 0;
}

void pd_stream_release(struct perfdata *pd)
{
	pipein__free(pd->pipein);
	ZSTD_freeDCtx((ZSTD_DCtx *)pd->zctx);
	free(pd->zbuf);
	free(pd->sbuf);
}

/* ---- ordering --------------------------------------------------------- */

/* Release the pages of a mapped file that no queued record needs any
 * more: the file's pages would otherwise all count in our resident set
 * (a 100 MB perf.data, 100 MB RSS). The mapping is private and read-only,
 * so a later access would just read the file again. */
static void release_mapped(struct perfdata *pd)
{
	uint64_t low, page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (!pd->munmap_addr)
		return;
	low = pd_order_lowest(pd, pd->pos);
	low &= ~(page - 1);
	if (low < pd->dropped + PD_RELEASE_CHUNK)
		return;
	if (pd->pager)
		pager__release(pd->pager, low);
	else
		madvise((uint8_t *)pd->munmap_addr + pd->dropped,
			low - pd->dropped, MADV_DONTNEED);
	pd->dropped = low;
}

/* Deliver queued records with time <= limit, in time order, then the
 * pages behind the records still queued go. */
static int flush(struct perfdata *pd, uint64_t limit)
{
	int ret;

	if (pd_order_is_empty(pd))
		return 0;
	ret = pd_order_flush(pd, limit);
	release_mapped(pd);
	return ret;
}

/* A queue past its bounds delivers its older half (see perfdata_order.h). */
static int flush_half(struct perfdata *pd)
{
	uint64_t limit;

	if (!pd_order_is_full(pd))
		return 0;
	if (pd_order_half(pd, &limit))
		return -ENOMEM;
	return flush(pd, limit);
}

/* ---- records ---------------------------------------------------------- */

static int process_record(struct perfdata *pd, const uint8_t *rec, uint32_t len,
			  uint64_t off, bool is_stable, bool in_zstd);

static int header_attr(struct perfdata *pd, const uint8_t *rec, uint32_t len,
		       uint64_t off)
{
	uint64_t asize;
	int err;

	if (len < 8 + PERF_ATTR_SIZE_VER0) {
		pd_warn_bad(pd, off, "HEADER_ATTR shorter than an attr");
		return 0;
	}
	asize = pd_u32(rec + 8 + 4); /* perf_event_attr.size */
	if (!asize)
		asize = PERF_ATTR_SIZE_VER0;
	if (asize < PERF_ATTR_SIZE_VER0 || asize > len - 8u) {
		pd_warn_bad(pd, off, "HEADER_ATTR with a bad attr size");
		return 0;
	}
	err = pd_add_attr(pd, rec + 8, asize, rec + 8 + asize,
			  (len - 8 - asize) / 8);
	if (err)
		return pd_fail(pd, err,
			    "cannot add attr at offset 0x%" PRIx64 ": %s", off,
			    strerror(-err));
	return 0;
}

/* EVENT_UPDATE: {hdr; u64 type; u64 id; payload}; type 2 (NAME) carries
 * the event name perf shows in pipe mode. */
static void event_update(struct perfdata *pd, const uint8_t *rec, uint32_t len,
			 uint64_t off)
{
	uint32_t idx;

	if (len < 24) {
		pd_warn_bad(pd, off, "EVENT_UPDATE too short");
		return;
	}
	if (pd_u64(rec + 8) != 2)
		return;
	idx = pd_find_id(pd, pd_u64(rec + 16));
	if (idx == PD_NO_ATTR)
		return;
	pd_set_name(&pd->attrs[idx], (const char *)rec + 24, len - 24);
}

/* ID_INDEX: {hdr; u64 nr; {u64 id, idx, cpu, tid}[nr]}. */
static int id_index(struct perfdata *pd, const uint8_t *rec, uint32_t len,
		    uint64_t off)
{
	uint64_t nr, i;

	if (len < 16 || (nr = pd_u64(rec + 8)) > (len - 16) / 32) {
		pd_warn_bad(pd, off, "ID_INDEX count runs past the record");
		return 0;
	}
	for (i = 0; i < nr; i++) {
		const uint8_t *e = rec + 16 + 32 * i;
		uint64_t idx = pd_u64(e + 8);
		int err;

		if (idx >= pd->nr_attrs)
			continue;
		err = pd_add_id(pd, (uint32_t)idx, pd_u64(e));
		if (err)
			return err;
	}
	return 0;
}

/* The records inside a compressed record form one zstd stream across all
 * of them; a record may straddle two compressed records, so the partial
 * tail stays at the start of zbuf for the next one. */
static int decompress(struct perfdata *pd, const uint8_t *rec, uint32_t len,
		      uint64_t off)
{
	ZSTD_inBuffer in;
	uint64_t clen = len - 8;
	int ret;

	in.src = rec + 8;
	if (pd_u32(rec) == PERFDATA_RECORD_COMPRESSED2) {
		/* {hdr; u64 data_size; data; padding} */
		if (len < 16 || pd_u64(rec + 8) > len - 16u) {
			pd_warn_bad(pd, off,
				    "COMPRESSED2 data size runs past "
				    "the record");
			return 0;
		}
		clen = pd_u64(rec + 8);
		in.src = rec + 16;
	}
	in.size = clen;
	in.pos = 0;
	if (!pd->zctx) {
		pd->zctx = (struct ZSTD_DCtx_s *)ZSTD_createDCtx();
		pd->zbuf = malloc(PD_ZBUF_CAP);
		if (!pd->zctx || !pd->zbuf)
			return pd_fail(pd, -ENOMEM, "out of memory for zstd");
	}
	while (in.pos < in.size) {
		ZSTD_outBuffer out = {pd->zbuf, PD_ZBUF_CAP, pd->zbuf_len};
		size_t zr =
		    ZSTD_decompressStream((ZSTD_DCtx *)pd->zctx, &out, &in);
		size_t p = 0;

		if (ZSTD_isError(zr))
			return pd_fail(pd, -EINVAL,
				    "zstd error in compressed "
				    "record at offset 0x%" PRIx64 ": %s",
				    off, ZSTD_getErrorName(zr));
		pd->stats.decompressed_bytes += out.pos - pd->zbuf_len;
		pd->zbuf_len = out.pos;
		for (;;) {
			size_t left = pd->zbuf_len - p;
			uint16_t size;

			if (pd->zskip) {
				uint64_t s =
				    pd->zskip < left ? pd->zskip : left;

				if (!left)
					break;	/* the rest comes in later
						 * output, or never */
				p += s;
				pd->zskip -= s;
				continue;
			}
			if (left < 8)
				break;
			size = pd_u16(pd->zbuf + p + 6);
			if (size < 8)
				return pd_fail(pd, -EINVAL,
					    "bad record size %u in "
					    "the data of the compressed record "
					    "at offset 0x%" PRIx64,
					    size, off);
			if (size > left)
				break;
			ret = process_record(pd, pd->zbuf + p, size, off, false,
					     true);
			if (ret)
				return ret;
			p += size;
		}
		memmove(pd->zbuf, pd->zbuf + p, pd->zbuf_len - p);
		pd->zbuf_len -= p;
		if (!zr && in.pos < in.size && out.pos == PD_ZBUF_CAP && !p)
			break; /* cannot make progress: corrupt */
	}
	return 0;
}

static int ready(struct perfdata *pd)
{
	if (pd->is_ready)
		return 0;
	pd->is_ready = true;
	return pd->ops->on_ready ? pd->ops->on_ready(pd->ctx, pd) : 0;
}

static int kernel_record(struct perfdata *pd, const uint8_t *rec, uint32_t len,
			 uint64_t off, bool is_stable)
{
	uint32_t type = pd_u32(rec);
	uint32_t attr_idx;
	uint64_t time;
	int ret;

	if (type == 0 || type >= PERF_RECORD_MAX) {
		pd->stats.nr_unknown++;
		return 0;
	}
	ret = ready(pd);
	if (ret)
		return ret;
	attr_idx = pd_record_attr(pd, rec, len);
	if (!pd->opts.is_unordered &&
	    pd_record_time(pd, rec, len, attr_idx, &time) && time &&
	    time != UINT64_MAX) {
		ret = pd_order_add(pd, rec, len, off, is_stable, attr_idx,
				   time);
		return ret ? ret : flush_half(pd);
	}
	return pd_deliver(pd, rec, len, attr_idx, off);
}

static int process_record(struct perfdata *pd, const uint8_t *rec, uint32_t len,
			  uint64_t off, bool is_stable, bool in_zstd)
{
	uint32_t type = pd_u32(rec);
	int ret = 0;

	if (type < PERFDATA_NR_TYPES)
		pd->stats.nr_records[type]++;
	if (type < PERFDATA_RECORD_HEADER_ATTR)
		return kernel_record(pd, rec, len, off, is_stable);

	switch (type) {
	case PERFDATA_RECORD_HEADER_ATTR:
		return header_attr(pd, rec, len, off);
	case PERFDATA_RECORD_HEADER_TRACING_DATA:
		/* {hdr; u32 size}: size bytes of tracing data follow */
		if (len < 12) {
			pd_warn_bad(pd, off, "HEADER_TRACING_DATA too short");
			return 0;
		}
		if (in_zstd) {
			pd->zskip = pd_u32(rec + 8);
			return 0;
		}
		return keep_tracing_data(pd, pd_u32(rec + 8), off);
	case PERFDATA_RECORD_AUXTRACE:
		/* {hdr; u64 size; ...}: size bytes of AUX data follow */
		if (len < 16) {
			pd_warn_bad(pd, off, "AUXTRACE too short");
			return 0;
		}
		if (in_zstd) {
			pd->zskip = pd_u64(rec + 8);
			return 0;
		}
		return skip_payload(pd, pd_u64(rec + 8), off);
	case PERFDATA_RECORD_HEADER_BUILD_ID:
		ret = pd_add_build_id(pd, rec, len);
		if (ret == -EINVAL) {
			pd_warn_bad(pd, off, "HEADER_BUILD_ID too short");
			ret = 0;
		}
		return ret;
	case PERFDATA_RECORD_HEADER_FEATURE:
		if (len < 16) {
			pd_warn_bad(pd, off, "HEADER_FEATURE too short");
			return 0;
		}
		if (pd_u64(rec + 8) >= 256) {
			pd_warn_bad(pd, off, "HEADER_FEATURE id out of range");
			return 0;
		}
		return pd_parse_feature(pd, (unsigned int)pd_u64(rec + 8),
					rec + 16, len - 16, off);
	case PERFDATA_RECORD_EVENT_UPDATE:
		event_update(pd, rec, len, off);
		return 0;
	case PERFDATA_RECORD_ID_INDEX:
		return id_index(pd, rec, len, off);
	case PERFDATA_RECORD_FINISHED_ROUND:
		if (pd->opts.is_unordered)
			return 0;
		return flush(pd, pd_order_round(pd));
	case PERFDATA_RECORD_COMPRESSED:
	case PERFDATA_RECORD_COMPRESSED2:
		if (in_zstd) {
			pd_warn_bad(pd, off,
				    "compressed record inside "
				    "compressed data");
			return 0;
		}
		return decompress(pd, rec, len, off);
	case PERFDATA_RECORD_HEADER_EVENT_TYPE:
	case PERFDATA_RECORD_AUXTRACE_INFO:
	case PERFDATA_RECORD_AUXTRACE_ERROR:
	case PERFDATA_RECORD_THREAD_MAP:
	case PERFDATA_RECORD_CPU_MAP:
	case PERFDATA_RECORD_STAT_CONFIG:
	case PERFDATA_RECORD_STAT:
	case PERFDATA_RECORD_STAT_ROUND:
	case PERFDATA_RECORD_TIME_CONV:
	case PERFDATA_RECORD_FINISHED_INIT:
		if (pd->ops->on_other)
			return pd->ops->on_other(
			    pd->ctx,
			    (const struct perf_event_header *)(const void *)rec,
			    NULL);
		return 0;
	default:
		pd->stats.nr_unknown++;
		return 0;
	}
}

int perfdata__read(struct perfdata *pd, const struct perfdata_ops *ops,
		   void *ctx)
{
	static const struct perfdata_ops no_ops;
	const uint8_t *rec = NULL;
	uint32_t len = 0;
	uint64_t off = 0;
	int ret;

	if (pd->is_read)
		return -EALREADY;
	pd->is_read = true;
	pd->ops = ops ? ops : &no_ops;
	pd->ctx = ctx;
	for (;;) {
		ret = next_record(pd, &rec, &len, &off);
		if (ret <= 0)
			break;
		pd->stats.data_bytes += len;
		ret = process_record(pd, rec, len, off, !pd->is_stream, false);
		if (ret)
			return ret;
	}
	if (ret < 0) {
		/* deliver what was read before the error, as perf does */
		flush(pd, UINT64_MAX);
		return ret;
	}
	if (pd->zbuf_len) {
		pd->stats.nr_bad++;
		diag__emit(&pd->diag, DIAG_WARN,
			   "'%s': compressed data ends "
			   "inside a record (%zu bytes left over)",
			   pd->name, pd->zbuf_len);
	}
	ret = ready(pd);
	if (ret)
		return ret;
	return flush(pd, UINT64_MAX);
}
