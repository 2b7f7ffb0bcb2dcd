/* pdimage: perf.data images built in code, for the unit tests (the
 * layout of tools/perf/Documentation/perf.data-file-format.txt). */
#ifndef PERFFOLD_TEST_PDIMAGE_H
#define PERFFOLD_TEST_PDIMAGE_H

#include <linux/perf_event.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *p;
	size_t len, cap;
};

/* Append len bytes of data (zeros when data is NULL). */
void put(struct buf *b, const void *data, size_t len);
void put64(struct buf *b, uint64_t v);
void put32(struct buf *b, uint32_t v);
void put16(struct buf *b, uint16_t v);
void set64(struct buf *b, size_t at, uint64_t v);
/* Start a record; end_rec() fills in its size. */
size_t rec(struct buf *b, uint32_t type, uint16_t misc);
void end_rec(struct buf *b, size_t at);
/* s and its NUL, zero-padded to padded bytes. */
void put_str(struct buf *b, const char *s, size_t padded);

struct attr_spec {
	struct perf_event_attr attr;
	const uint64_t *ids;
	uint32_t nr_ids;
};

struct feat_spec {
	unsigned int bit;
	const struct buf *data;
};

/* A file-mode image: header, attrs (attr.size bytes each, followed by the
 * ids section), the ids, data, the feature table and sections. */
struct buf file_image(const struct attr_spec *attrs, int nr,
		      uint32_t attr_size, const struct buf *data,
		      const struct feat_spec *feats, int nr_feats);

/* An attr of type and config sampling sample_type, sample_id_all set. */
struct perf_event_attr mk_attr(uint32_t type, uint64_t config,
			       uint64_t sample_type);

#endif
