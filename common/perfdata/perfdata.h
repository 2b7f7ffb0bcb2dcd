/* perfdata: reader for perf.data files and perf's pipe format.
 *
 * Parses the header, the attrs and their ids, the feature sections and the
 * records of the data section (including zstd-compressed records, types 81
 * and 83), and delivers typed events to callbacks in the order perf itself
 * would process them: records are sorted by time between FINISHED_ROUND
 * markers, as perf's ordered_events does.
 *
 * Layout definitions come from the UAPI <linux/perf_event.h>; the perf-tool
 * records (types >= 64) are described in the kernel's
 * tools/perf/Documentation/perf.data-file-format.txt.
 *
 * Ownership: every pointer handed to a callback (struct perfdata_sample and
 * the arrays and strings it points to, filenames, comms) is borrowed until
 * the callback returns. Pointers returned by the accessors are borrowed
 * until perfdata__free(), with one exception: in pipe mode attrs, names,
 * ids and build ids arrive as records while perfdata__read() runs, and
 * each such record may move them, so there a pointer from an accessor is
 * valid only until the next callback returns; keep indexes (attr_idx is
 * stable) and look them up again. Attr indexes never change.
 *
 * Memory: file mode mmaps the file and parses records in place, releasing
 * the pages behind the reader (madvise) so the file does not stay resident;
 * pipe mode reads through a 256 KiB buffer; records waiting to be sorted
 * are copied only when they do not live in the mapping (pipe, zstd).
 * Nothing is allocated per record.
 *
 * Errors: constructors return NULL with errno set, other functions 0 or a
 * negative errno. Each failure is also reported once through the diag hook
 * given to the constructor, as one line naming the offset and the problem.
 * Per-record problems (a sample shorter than its sample_type needs, ...) are
 * counted in the statistics, the first few reported as warnings, and reading
 * goes on.
 */
#ifndef PERFFOLD_PERFDATA_H
#define PERFFOLD_PERFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/perf_event.h>

#include "diag.h"

struct perfdata;

/* "PERFILE2" as a little-endian u64; the first 8 bytes of both formats. */
#define PERFDATA_MAGIC 0x32454c4946524550ULL

/* perf-tool record types (tools/perf/util/event.h), not in the UAPI. */
enum perfdata_user_type {
	PERFDATA_RECORD_HEADER_ATTR = 64,
	PERFDATA_RECORD_HEADER_EVENT_TYPE = 65,
	PERFDATA_RECORD_HEADER_TRACING_DATA = 66,
	PERFDATA_RECORD_HEADER_BUILD_ID = 67,
	PERFDATA_RECORD_FINISHED_ROUND = 68,
	PERFDATA_RECORD_ID_INDEX = 69,
	PERFDATA_RECORD_AUXTRACE_INFO = 70,
	PERFDATA_RECORD_AUXTRACE = 71,
	PERFDATA_RECORD_AUXTRACE_ERROR = 72,
	PERFDATA_RECORD_THREAD_MAP = 73,
	PERFDATA_RECORD_CPU_MAP = 74,
	PERFDATA_RECORD_STAT_CONFIG = 75,
	PERFDATA_RECORD_STAT = 76,
	PERFDATA_RECORD_STAT_ROUND = 77,
	PERFDATA_RECORD_EVENT_UPDATE = 78,
	PERFDATA_RECORD_TIME_CONV = 79,
	PERFDATA_RECORD_HEADER_FEATURE = 80,
	PERFDATA_RECORD_COMPRESSED = 81,
	PERFDATA_RECORD_FINISHED_INIT = 82,
	PERFDATA_RECORD_COMPRESSED2 = 83,
};

/* Record types are counted per type below this bound, the rest as unknown. */
#define PERFDATA_NR_TYPES 128

/* Feature bits of the header bitmap (tools/perf/util/header.h). */
enum perfdata_feature {
	PERFDATA_FEAT_TRACING_DATA = 1,
	PERFDATA_FEAT_BUILD_ID = 2,
	PERFDATA_FEAT_HOSTNAME = 3,
	PERFDATA_FEAT_OSRELEASE = 4,
	PERFDATA_FEAT_VERSION = 5,
	PERFDATA_FEAT_ARCH = 6,
	PERFDATA_FEAT_CMDLINE = 11,
	PERFDATA_FEAT_EVENT_DESC = 12,
	PERFDATA_FEAT_COMPRESSED = 27,
};

/* The fields perf appends to non-sample records when attr.sample_id_all is
 * set (and the same fields of a sample). has_* says what was present. */
struct perfdata_sample_id {
	uint32_t attr_idx; /* index of the record's event, see below */
	uint32_t pid, tid;
	uint32_t cpu;
	uint64_t time;
	uint64_t id;
	uint64_t stream_id;
	bool has_tid, has_time, has_id, has_cpu;
};

/* One PERF_RECORD_SAMPLE. Fields whose sample_type bit is not set are 0 /
 * NULL. Arrays point into the record (borrowed until the callback returns)
 * and are 8-byte aligned. */
struct perfdata_sample {
	struct perfdata_sample_id sid; /* attr_idx, pid, tid, time, id, cpu */
	uint64_t sample_type;	       /* of the record's attr */
	uint16_t misc; /* cpumode: misc & PERF_RECORD_MISC_CPUMODE_MASK */
	uint64_t ip, addr, period;
	/* PERF_SAMPLE_READ, raw, laid out as attr.read_format says */
	const uint64_t *read;
	uint32_t read_len; /* in u64 words */
	/* PERF_SAMPLE_CALLCHAIN: ips, leaf first, with the PERF_CONTEXT_*
	 * markers (values >= PERF_CONTEXT_MAX) left in place */
	const uint64_t *callchain;
	uint64_t nr_callchain;
	const void *raw;
	uint32_t raw_size;
	const struct perf_branch_entry *branches;
	uint64_t nr_branches;
	uint64_t branch_hw_idx; /* valid iff has_branch_hw_idx */
	bool has_branch_hw_idx;
	/* PERF_SAMPLE_REGS_USER: abi 0 means no registers (kernel thread) */
	uint64_t regs_user_abi;
	const uint64_t *regs_user; /* popcount(attr.sample_regs_user) */
	uint32_t nr_regs_user;
	/* PERF_SAMPLE_STACK_USER: size bytes copied, dyn_size of them valid */
	const void *stack_user;
	uint64_t stack_user_size, stack_user_dyn_size;
	uint64_t weight; /* WEIGHT, or WEIGHT_STRUCT as one u64 */
	uint64_t data_src, transaction;
	uint64_t regs_intr_abi;
	const uint64_t *regs_intr;
	uint32_t nr_regs_intr;
	uint64_t phys_addr, cgroup, data_page_size, code_page_size;
	const void *aux;
	uint64_t aux_size;
};

/* MMAP and MMAP2. */
struct perfdata_mmap {
	struct perfdata_sample_id sid;
	uint16_t misc; /* cpumode, PERF_RECORD_MISC_MMAP_DATA */
	bool is_mmap2;
	bool has_build_id; /* MMAP2 with PERF_RECORD_MISC_MMAP_BUILD_ID */
	uint32_t pid, tid;
	uint64_t start, len, pgoff;
	uint32_t maj, min; /* MMAP2 without build id */
	uint64_t ino, ino_generation;
	uint8_t build_id[20];
	uint8_t build_id_size;
	uint32_t prot, flags; /* MMAP2 */
	const char *filename; /* NUL-terminated, borrowed */
};

struct perfdata_comm {
	struct perfdata_sample_id sid;
	uint32_t pid, tid;
	bool is_exec;	  /* PERF_RECORD_MISC_COMM_EXEC */
	const char *comm; /* NUL-terminated, borrowed */
};

/* FORK and EXIT. */
struct perfdata_task {
	struct perfdata_sample_id sid;
	uint32_t pid, ppid, tid, ptid;
	uint64_t time;
};

/* LOST (lost records, with the id of the event) and LOST_SAMPLES. */
struct perfdata_lost {
	struct perfdata_sample_id sid;
	bool is_lost_samples;
	uint64_t id; /* LOST only */
	uint64_t lost;
};

/* THROTTLE and UNTHROTTLE. */
struct perfdata_throttle {
	struct perfdata_sample_id sid;
	bool is_unthrottle;
	uint64_t time, id, stream_id;
};

struct perfdata_ksymbol {
	struct perfdata_sample_id sid;
	uint64_t addr;
	uint32_t len;
	uint16_t ksym_type, flags;
	const char *name; /* NUL-terminated, borrowed */
};

/* Callbacks; any may be NULL. A non-zero return stops perfdata__read(),
 * which returns that value. */
struct perfdata_ops {
	/* Once, before the first kernel record is delivered: in pipe mode
	 * attrs, names and features seen so far are then known. */
	int (*on_ready)(void *ctx, struct perfdata *pd);
	int (*on_sample)(void *ctx, const struct perfdata_sample *s);
	int (*on_mmap)(void *ctx, const struct perfdata_mmap *m);
	int (*on_comm)(void *ctx, const struct perfdata_comm *c);
	int (*on_fork)(void *ctx, const struct perfdata_task *t);
	int (*on_exit)(void *ctx, const struct perfdata_task *t);
	int (*on_lost)(void *ctx, const struct perfdata_lost *l);
	int (*on_throttle)(void *ctx, const struct perfdata_throttle *t);
	int (*on_ksymbol)(void *ctx, const struct perfdata_ksymbol *k);
	/* Every other record, kernel or perf-tool, after decompression (the
	 * COMPRESSED records themselves are not passed). */
	int (*on_other)(void *ctx, const struct perf_event_header *h,
			const struct perfdata_sample_id *sid);
};

struct perfdata_opts {
	/* Deliver in file order instead of perf's time order. */
	bool is_unordered;
};

struct perfdata_stats {
	uint64_t
	    nr_records[PERFDATA_NR_TYPES]; /* by type, incl. decompressed */
	uint64_t nr_unknown;		   /* types with no parser, skipped */
	uint64_t nr_bad;	  /* records with bad content, skipped */
	uint64_t nr_unattributed; /* ids matching no attr (first attr used) */
	uint64_t nr_lost;	  /* sum of LOST.lost */
	uint64_t nr_lost_samples; /* sum of LOST_SAMPLES.lost */
	uint64_t nr_out_of_order; /* queued older than the last flush */
	uint64_t data_bytes;	  /* record bytes read (before decompression) */
	/* a pipe: its size, and the most bytes found waiting in it before a
	 * read (below pipe_size: the writer never waited for us) */
	uint64_t pipe_size, pipe_max_queued;
	uint64_t decompressed_bytes;
};

struct perfdata_build_id {
	int32_t pid;
	uint16_t cpumode; /* misc & PERF_RECORD_MISC_CPUMODE_MASK */
	uint8_t build_id[20];
	uint8_t size; /* 20 for sha1 (the default), 16 for md5 */
	const char *filename;
};

/* Open a perf.data file (file or pipe format) by mmap. Returns NULL with
 * errno set (ENOENT, EINVAL for a malformed header, EPROTO for another
 * endianness, ...) after reporting through d. d is copied; d->ctx must stay
 * valid while pd is used. */
struct perfdata *perfdata__open(const char *path, const struct diag *d,
				const struct perfdata_opts *opts);

/* Read perf data from fd (stdin, a pipe). The first prefix_len bytes of the
 * stream were already consumed by the caller (to sniff the input kind) and
 * are given in prefix (copied). name is used in messages. A regular file
 * positioned just after the prefix is mmap'd whole. Otherwise pipe format is
 * read sequentially, in bounded memory; file format (which needs its
 * sections) is read whole into memory first. fd stays owned by the caller
 * and must stay open until perfdata__free(). */
struct perfdata *perfdata__open_fd(int fd, const void *prefix,
				   size_t prefix_len, const char *name,
				   const struct diag *d,
				   const struct perfdata_opts *opts);

/* Parse an in-memory image (borrowed until perfdata__free()). */
struct perfdata *perfdata__open_mem(const void *buf, size_t len,
				    const char *name, const struct diag *d,
				    const struct perfdata_opts *opts);

void perfdata__free(struct perfdata *pd);

/* Deliver all records to ops. Returns 0 at the end of data, a negative
 * errno on a structural error (reported via diag; the events before it
 * were delivered), or the first non-zero callback return. Call once. */
int perfdata__read(struct perfdata *pd, const struct perfdata_ops *ops,
		   void *ctx);

/* The name given when opened, as messages quote it. */
const char *perfdata__name(const struct perfdata *pd);
bool perfdata__is_pipe(const struct perfdata *pd);
/* Some event copies the user stack into its samples (--call-graph
 * dwarf): most of those bytes are never read, as unwinding looks at the
 * top few KB of each. */
bool perfdata__has_stack_copies(const struct perfdata *pd);

/* Attrs: in file order (file mode) or HEADER_ATTR order (pipe mode). The
 * attr is zero-filled past the size the file gave. What a sample carries
 * is in attr->sample_type (PERF_SAMPLE_CALLCHAIN, _REGS_USER with
 * attr->sample_regs_user, _STACK_USER with attr->sample_stack_user, ...). */
uint32_t perfdata__nr_attrs(const struct perfdata *pd);
const struct perf_event_attr *perfdata__attr(const struct perfdata *pd,
					     uint32_t idx);
/* Event name as perf shows it ("cpu-clock:ppp", "cycles:u"): from
 * EVENT_DESC or EVENT_UPDATE, else made from the attr. Never NULL. */
const char *perfdata__attr_name(const struct perfdata *pd, uint32_t idx);
size_t perfdata__attr_name_len(const struct perfdata *pd, uint32_t idx);
/* The attr's ids (attrs section, HEADER_ATTR, EVENT_DESC, ID_INDEX). */
const uint64_t *perfdata__attr_ids(const struct perfdata *pd, uint32_t idx,
				   uint32_t *nr_ids);
/* Samples delivered so far for the attr. */
uint64_t perfdata__attr_nr_samples(const struct perfdata *pd, uint32_t idx);
/* Index of the attr named name, or -ENOENT. */
int perfdata__find_attr(const struct perfdata *pd, const char *name);

/* Features: feature bit set in the header (or seen as a record). */
bool perfdata__has_feature(const struct perfdata *pd, unsigned int feat);
/* HOSTNAME, OSRELEASE, VERSION, ARCH strings, or NULL when absent. */
const char *perfdata__feature_string(const struct perfdata *pd,
				     unsigned int feat);
/* CMDLINE as argv; NULL when absent. */
const char *const *perfdata__cmdline(const struct perfdata *pd, uint32_t *argc);
uint32_t perfdata__nr_build_ids(const struct perfdata *pd);
const struct perfdata_build_id *perfdata__build_id(const struct perfdata *pd,
						   uint32_t idx);
/* The tracing data perf saved for tracepoint events (the TRACING_DATA
 * feature section, or in pipe mode the payload of HEADER_TRACING_DATA,
 * known once on_ready runs): the raw bytes of tools/perf/util/
 * trace-event-read.c's format, with *len set, or NULL (*len 0) when the
 * recording has none. Borrowed until perfdata__free(). */
const void *perfdata__tracing_data(const struct perfdata *pd, size_t *len);
/* COMPRESSED feature: 1 = zstd; 0 when absent. */
uint32_t perfdata__compression(const struct perfdata *pd, uint32_t *level);

const struct perfdata_stats *perfdata__stats(const struct perfdata *pd);

/* Whether the bytes start like perf data (either format). */
bool perfdata__sniff(const void *buf, size_t len);

#endif
