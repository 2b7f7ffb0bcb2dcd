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

/* sched_switch's format as a 6.1 kernel describes it (ID 372; prev_pid
 * at 24, prev_state at 32, next_pid at 56: 64 bytes of raw data), and
 * one that does not parse. */
#define TRACING_SWITCH_ID 372
#define TRACING_SWITCH_FORMAT                                              \
	"name: sched_switch\nID: 372\nformat:\n"                           \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;"  \
	"\tsigned:0;\n"                                                    \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"        \
	"\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"     \
	"\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"         \
	"\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"          \
	"\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"        \
	"\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"    \
	"\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n"         \
	"\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n\n"        \
	"print fmt: \"prev_pid=%d next_pid=%d\", REC->prev_pid, REC->next_pid\n"
#define TRACING_BAD_FORMAT "name: broken\nformat:\n"

/* perf's tracing data (the TRACING_DATA feature section; the layout of
 * tools/perf/util/trace-event-info.c, version 0.6, little-endian, long 8)
 * with nr event formats in system "sched". */
struct buf tracing_data(const char *const *formats, int nr);

/* An attr of type and config sampling sample_type, sample_id_all set. */
struct perf_event_attr mk_attr(uint32_t type, uint64_t config,
			       uint64_t sample_type);

#endif
