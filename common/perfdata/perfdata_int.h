/* perfdata internals: struct perfdata and the functions its files share
 * (their order is at the prototypes below). Not installed. */
#ifndef PERFFOLD_PERFDATA_INT_H
#define PERFFOLD_PERFDATA_INT_H

#include <string.h>

#include "pager.h"
#include "pipein.h"
#include "perfdata.h"

struct ZSTD_DCtx_s;

struct pd_attr {
	struct perf_event_attr attr;
	char *name;
	size_t name_len;
	bool is_name_from_file; /* EVENT_DESC or EVENT_UPDATE */
	uint64_t *ids;
	uint32_t nr_ids, ids_cap;
	uint64_t nr_samples;
	uint32_t nr_regs_user, nr_regs_intr;
	uint32_t trailer_size; /* bytes of the sample_id_all trailer */
	uint32_t sample_time_pos; /* of TIME in a sample, when it has one */
	/* the attr's samples are parsed into this one, reused: the fields of
	 * bits it lacks stay 0 without clearing 300 bytes a sample */
	struct perfdata_sample sample;
};

/* One queued record. rec points into the mmap'd file when the record is
 * stable there, else rec is NULL and the bytes are at arena + arena_off. */
struct pd_qent {
	uint64_t time;
	uint64_t seq;
	const uint8_t *rec;
	uint64_t arena_off;
	uint64_t off; /* file offset, for messages */
	uint32_t len;
	uint32_t attr_idx;
};

/* The reorder queue (perfdata_order.c, perfdata_order.h). */
struct pd_order {
	struct pd_qent *q, *q2; /* q2: merge space */
	size_t nr, cap, q2_cap;
	size_t nr_sorted; /* q[0, nr_sorted) is in order */
	uint8_t *arena, *arena2;
	size_t arena_len, arena_cap, arena2_cap;
	uint64_t seq, max_time, next_flush, last_flush;
};

#define PD_NO_ATTR UINT32_MAX
/* attrs bigger than this are taken as garbage (perf 6.x writes 136) */
#define PD_MAX_ATTR_SIZE 4096
#define PD_WARN_LIMIT 5
/* Release mapped file pages behind the reader in steps of this size. */
#define PD_RELEASE_CHUNK (8u << 20)
/* Files this large get their pages mapped and released on a thread. */
#define PD_PAGER_MIN (16u << 20)
/* Decompression window: at least one maximal record (u16 size) plus room. */
#define PD_ZBUF_CAP (1u << 20)
/* The pipe size a live stream asks for (perfdata.c grow_pipe()): 128
 * samples of 64 KB stack copies, about an eighth of a second of them at
 * 999 Hz. */
#define PD_PIPE_SIZE (8 << 20)
/* What a live pipe's reading thread (pipein.h) may hold beyond it. */
#define PD_PIPEIN_MAX (64u << 20)

struct perfdata {
	struct diag diag;
	char *name;
	struct perfdata_opts opts;

	/* input: either a memory image (map) or a stream (fd) */
	const uint8_t *map;
	size_t map_len;
	void *munmap_addr;
	size_t munmap_len;
	uint64_t dropped;     /* mapping pages before this were released */
	uint64_t populated;   /* the reader tells the pager again here */
	struct pager *pager;  /* pages a large mapped file, or NULL */
	uint8_t *owned_image; /* a prefix+file copy, when not mmap'able */
	int fd;
	struct pipein *pipein;	/* a pipe's reading thread, or NULL */
	uint8_t *sbuf;
	size_t sbuf_pos, sbuf_len, sbuf_cap;
	bool is_eof;
	uint64_t spos; /* stream offset of sbuf[sbuf_pos] */
	bool is_stream;
	bool is_pipe;
	uint64_t pos, data_off, data_end;

	uint64_t feat_bits[4];

	struct pd_attr *attrs;
	uint32_t nr_attrs, attrs_cap;
	uint64_t *id_keys; /* open addressing, key 0 uses id_zero_attr */
	uint32_t *id_vals;
	uint32_t id_cap, id_nr;
	uint32_t id_zero_attr;
	/* EVENT_DESC names waiting for their attrs (pipe mode) */

	char *feat_str[7]; /* HOSTNAME .. ARCH, indexed by bit */
	char **cmdline;
	uint32_t cmdline_argc;
	struct perfdata_build_id *build_ids;
	uint32_t nr_build_ids, build_ids_cap;
	uint32_t comp_type, comp_level;
	/* the tracing data (feature section or HEADER_TRACING_DATA payload):
	 * in the image, or owned (tracing_owned) when read from a stream */
	const uint8_t *tracing;
	uint64_t tracing_len;
	uint8_t *tracing_owned;

	struct ZSTD_DCtx_s *zctx;
	uint8_t *zbuf;
	size_t zbuf_len;
	uint64_t zskip;

	struct pd_order order;

	const struct perfdata_ops *ops;
	void *ctx;
	bool is_ready, is_read;
	uint64_t *scratch; /* 8-aligned copy of a misaligned record */

	struct perfdata_stats stats;
	uint64_t nr_warned;
};

static inline uint64_t pd_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t pd_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint16_t pd_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* The files of perfdata call each other one way only, from the top down:
 *
 *   perfdata.c          open, the file header, free
 *   perfdata_read.c     the record stream, zstd, the mapped file's pages
 *   perfdata_order.c    the reorder queue (perfdata_order.h)
 *   perfdata_sample.c   kernel record bodies, delivery to the callbacks
 *   perfdata_feat.c     feature sections (from perfdata.c and the stream)
 *   perfdata_attrs.c    attrs, their ids and names
 *
 * A file calls only files below it (perfdata_feat.c only perfdata_attrs.c),
 * never one above: the prototypes below go in that order. */

/* perfdata_read.c */
/* Report "cannot read 'NAME': MESSAGE" once through the diag hook; returns
 * err, so that callers can `return pd_fail(pd, -EINVAL, ...)`. */
int pd_fail(struct perfdata *pd, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Check the start of a stream (pd->sbuf holds what was read so far): pipe
 * format is then read record by record, the file format is read whole and
 * becomes pd->owned_image. 0 or a negative errno, reported. */
int pd_stream_open(struct perfdata *pd);
/* Free the stream buffer and the zstd state (perfdata__free). */
void pd_stream_release(struct perfdata *pd);

/* perfdata_order.c: see perfdata_order.h */

/* perfdata_sample.c */
/* Count a skipped record in stats.nr_bad and report the first
 * PD_WARN_LIMIT of them: "'NAME': skipped record at offset 0x..: WHAT". */
void pd_warn_bad(struct perfdata *pd, uint64_t off, const char *what);
/* The attr of a kernel record, by its id as perf finds it: 0 when it has
 * none or an unknown one, PD_NO_ATTR when there is no attr yet. */
uint32_t pd_record_attr(struct perfdata *pd, const uint8_t *rec, uint32_t len);
/* The record's time in *time when its attr puts one in it. */
bool pd_record_time(const struct perfdata *pd, const uint8_t *rec, uint32_t len,
		    uint32_t attr_idx, uint64_t *time);
/* Parse one kernel record and hand it to pd->ops; returns the callback's
 * return (0 also for a record skipped as bad). */
int pd_deliver(struct perfdata *pd, const uint8_t *rec, uint32_t len,
	       uint32_t attr_idx, uint64_t off);

/* perfdata_feat.c */
/* Parse one feature's payload (a file section or a HEADER_FEATURE body);
 * a malformed one is reported and skipped. 0 or -ENOMEM. */
int pd_parse_feature(struct perfdata *pd, unsigned int feat, const uint8_t *p,
		     uint64_t len, uint64_t off);
/* Add a build_id_event; -EINVAL when too short, -ENOMEM. */
int pd_add_build_id(struct perfdata *pd, const uint8_t *rec, uint64_t len);
/* Free the feature strings, cmdline and build ids (perfdata__free). */
void pd_feat_release(struct perfdata *pd);

/* perfdata_attrs.c: calls no other perfdata file and reports nothing */
/* Add an attr (attr_len bytes as the file has it) and its nr_ids ids.
 * 0, -E2BIG past PD_MAX_ATTRS, or -ENOMEM. */
int pd_add_attr(struct perfdata *pd, const uint8_t *attr, uint64_t attr_len,
		const uint8_t *ids, uint64_t nr_ids);
/* Map id to attr_idx (the first mapping wins). 0 or -ENOMEM. */
int pd_add_id(struct perfdata *pd, uint32_t attr_idx, uint64_t id);
/* The attr of id, or PD_NO_ATTR. */
uint32_t pd_find_id(const struct perfdata *pd, uint64_t id);
/* Name the attr as the file does (EVENT_DESC, EVENT_UPDATE); on ENOMEM the
 * name stays. */
void pd_set_name(struct pd_attr *a, const char *name, size_t len);
/* Free the attrs and the id table (perfdata__free). */
void pd_attrs_release(struct perfdata *pd);

#endif
