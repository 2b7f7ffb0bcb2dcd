/* Unit tests for common/perfdata: perf.data images built in code. */
#include <check.h>
#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "pdimage.h"
#include "perfdata.h"

/* ---- capturing callbacks and messages ------------------------------------ */

#define MAX_EV 512

struct seen {
	int nr_samples, nr_mmaps, nr_comms, nr_forks, nr_exits, nr_lost;
	uint64_t times[MAX_EV]; /* time of every delivered record */
	uint32_t types[MAX_EV];
	int nr_ev;
	struct perfdata_sample s[8];
	uint64_t chain[8][8];
	struct perfdata_mmap m;
	char filename[64];
	struct perfdata_comm c;
	char comm[32];
	struct perfdata_lost lost[4];
	int stop_after;
	int nr_errors, nr_warnings;
	char last_error[512], last_warning[512];
};

static void note(struct seen *w, uint32_t type, uint64_t time)
{
	if (w->nr_ev < MAX_EV) {
		w->types[w->nr_ev] = type;
		w->times[w->nr_ev++] = time;
	}
}

static int on_sample(void *ctx, const struct perfdata_sample *s)
{
	struct seen *w = ctx;

	if (w->nr_samples < 8) {
		w->s[w->nr_samples] = *s;
		if (s->nr_callchain && s->nr_callchain <= 8)
			memcpy(w->chain[w->nr_samples], s->callchain,
			       8 * s->nr_callchain);
	}
	w->nr_samples++;
	note(w, PERF_RECORD_SAMPLE, s->sid.time);
	if (w->stop_after && w->nr_samples == w->stop_after)
		return 42;
	return 0;
}

static int on_mmap(void *ctx, const struct perfdata_mmap *m)
{
	struct seen *w = ctx;

	w->m = *m;
	snprintf(w->filename, sizeof(w->filename), "%s", m->filename);
	w->nr_mmaps++;
	note(w, m->is_mmap2 ? PERF_RECORD_MMAP2 : PERF_RECORD_MMAP,
	     m->sid.time);
	return 0;
}

static int on_comm(void *ctx, const struct perfdata_comm *c)
{
	struct seen *w = ctx;

	w->c = *c;
	snprintf(w->comm, sizeof(w->comm), "%s", c->comm);
	w->nr_comms++;
	note(w, PERF_RECORD_COMM, c->sid.time);
	return 0;
}

static int on_fork(void *ctx, const struct perfdata_task *t)
{
	struct seen *w = ctx;

	w->nr_forks++;
	note(w, PERF_RECORD_FORK, t->time);
	return 0;
}

static int on_exit_(void *ctx, const struct perfdata_task *t)
{
	struct seen *w = ctx;

	w->nr_exits++;
	note(w, PERF_RECORD_EXIT, t->time);
	return 0;
}

static int on_lost(void *ctx, const struct perfdata_lost *l)
{
	struct seen *w = ctx;

	if (w->nr_lost < 4)
		w->lost[w->nr_lost] = *l;
	w->nr_lost++;
	return 0;
}

static const struct perfdata_ops ops = {
    .on_sample = on_sample,
    .on_mmap = on_mmap,
    .on_comm = on_comm,
    .on_fork = on_fork,
    .on_exit = on_exit_,
    .on_lost = on_lost,
};

static void emit(void *ctx, enum diag_level level, const char *msg)
{
	struct seen *w = ctx;

	if (level == DIAG_ERROR) {
		w->nr_errors++;
		snprintf(w->last_error, sizeof(w->last_error), "%s", msg);
	} else {
		w->nr_warnings++;
		snprintf(w->last_warning, sizeof(w->last_warning), "%s", msg);
	}
}

/* Open img, read it all; returns perfdata__read()'s result (or the open
 * errno negated). *pdp receives pd when the caller wants to inspect it. */
static int read_img(const struct buf *img, struct seen *w,
		    struct perfdata **pdp, bool is_unordered)
{
	struct diag d = {emit, w};
	struct perfdata_opts o = {.is_unordered = is_unordered};
	struct perfdata *pd =
	    perfdata__open_mem(img->p, img->len, "t.data", &d, &o);
	int ret;

	if (!pd)
		return -errno;
	ret = perfdata__read(pd, &ops, w);
	if (pdp)
		*pdp = pd;
	else
		perfdata__free(pd);
	return ret;
}

/* A sample with IP|TID|TIME|PERIOD|CALLCHAIN. */
#define ST_BASIC                                                               \
	(PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |                 \
	 PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

static void basic_sample(struct buf *d, uint32_t pid, uint32_t tid,
			 uint64_t time, uint64_t ip, uint64_t nr_chain)
{
	size_t at = rec(d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	uint64_t i;

	put64(d, ip);
	put32(d, pid);
	put32(d, tid);
	put64(d, time);
	put64(d, 1000);
	put64(d, nr_chain);
	for (i = 0; i < nr_chain; i++)
		put64(d, i == 0 ? PERF_CONTEXT_USER : ip + i);
	end_rec(d, at);
}

/* sample_id_all trailer for ST_BASIC: pid,tid and time */
static void basic_trailer(struct buf *d, uint32_t pid, uint64_t time)
{
	put32(d, pid);
	put32(d, pid);
	put64(d, time);
}

/* ---- tests ----------------------------------------------------------------
 */

START_TEST(test_basic_file)
{
	struct attr_spec a = {
	    mk_attr(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, ST_BASIC)};
	struct buf d = {0}, img;
	struct seen w = {0};
	struct perfdata *pd;
	size_t at;

	a.attr.precise_ip = 3;
	a.attr.exclude_guest = 1;
	at = rec(&d, PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC);
	put32(&d, 100);
	put32(&d, 101);
	put_str(&d, "loop", 8);
	basic_trailer(&d, 100, 5);
	end_rec(&d, at);
	at = rec(&d, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
	put32(&d, 100);
	put32(&d, 101);
	put64(&d, 0x400000);
	put64(&d, 0x1000);
	put64(&d, 0x2000);
	put32(&d, 8);	 /* maj */
	put32(&d, 1);	 /* min */
	put64(&d, 1234); /* ino */
	put64(&d, 7);	 /* ino_generation */
	put32(&d, 5);	 /* prot r-x */
	put32(&d, 2);	 /* flags */
	put_str(&d, "/usr/bin/loop", 16);
	basic_trailer(&d, 100, 6);
	end_rec(&d, at);
	basic_sample(&d, 100, 101, 10, 0x401000, 3);
	basic_sample(&d, 100, 101, 11, 0x401004, 0);
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);

	ck_assert_int_eq(read_img(&img, &w, &pd, false), 0);
	ck_assert(!perfdata__has_stack_copies(pd));
	ck_assert_int_eq(w.nr_samples, 2);
	ck_assert_uint_eq(w.s[0].ip, 0x401000);
	ck_assert_uint_eq(w.s[0].sid.pid, 100);
	ck_assert_uint_eq(w.s[0].sid.tid, 101);
	ck_assert_uint_eq(w.s[0].sid.time, 10);
	ck_assert_uint_eq(w.s[0].period, 1000);
	ck_assert_uint_eq(w.s[0].misc, PERF_RECORD_MISC_USER);
	ck_assert_uint_eq(w.s[0].nr_callchain, 3);
	ck_assert_uint_eq(w.chain[0][0], PERF_CONTEXT_USER);
	ck_assert_uint_eq(w.chain[0][2], 0x401002);
	ck_assert_uint_eq(w.s[1].nr_callchain, 0);
	ck_assert_int_eq(w.nr_comms, 1);
	ck_assert_str_eq(w.comm, "loop");
	ck_assert(w.c.is_exec);
	ck_assert_uint_eq(w.c.pid, 100);
	ck_assert_uint_eq(w.c.tid, 101);
	ck_assert_uint_eq(w.c.sid.time, 5);
	ck_assert_int_eq(w.nr_mmaps, 1);
	ck_assert(w.m.is_mmap2);
	ck_assert(!w.m.has_build_id);
	ck_assert_uint_eq(w.m.start, 0x400000);
	ck_assert_uint_eq(w.m.len, 0x1000);
	ck_assert_uint_eq(w.m.pgoff, 0x2000);
	ck_assert_uint_eq(w.m.maj, 8);
	ck_assert_uint_eq(w.m.ino, 1234);
	ck_assert_uint_eq(w.m.prot, 5);
	ck_assert_uint_eq(w.m.flags, 2);
	ck_assert_str_eq(w.filename, "/usr/bin/loop");
	ck_assert_uint_eq(w.m.sid.time, 6);
	ck_assert_uint_eq(perfdata__nr_attrs(pd), 1);
	/* perf's modifiers: precise events exclude guests by default, so
	 * perf itself shows the H (as for quipper's piped files) */
	ck_assert_str_eq(perfdata__attr_name(pd, 0), "cpu-clock:pppH");
	ck_assert_uint_eq(perfdata__attr(pd, 0)->sample_type, ST_BASIC);
	ck_assert_uint_eq(perfdata__attr_nr_samples(pd, 0), 2);
	ck_assert_uint_eq(perfdata__stats(pd)->nr_records[PERF_RECORD_SAMPLE],
			  2);
	ck_assert_uint_eq(perfdata__stats(pd)->nr_bad, 0);
	ck_assert(!perfdata__is_pipe(pd));
	ck_assert_int_eq(w.nr_errors + w.nr_warnings, 0);
	perfdata__free(pd);
	free(d.p);
	free(img.p);
}
END_TEST

/* attr.size 136 (newer than our header) and 64 (PERF_ATTR_SIZE_VER0). */
START_TEST(test_attr_sizes)
{
	static const uint32_t sizes[] = {136, PERF_ATTR_SIZE_VER0, 200};
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct attr_spec a = {mk_attr(
		    PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, ST_BASIC)};
		struct buf d = {0}, img;
		struct seen w = {0};
		struct perfdata *pd;

		a.attr.exclude_kernel = 1;
		a.attr.exclude_hv = 1;
		a.attr.sample_regs_intr = 0xff; /* beyond VER0: dropped */
		basic_sample(&d, 1, 1, 10, 0x1000, 0);
		img = file_image(&a, 1, sizes[i], &d, NULL, 0);
		ck_assert_int_eq(read_img(&img, &w, &pd, false), 0);
		ck_assert_int_eq(w.nr_samples, 1);
		ck_assert_uint_eq(w.s[0].ip, 0x1000);
		ck_assert_str_eq(perfdata__attr_name(pd, 0), "cycles:u");
		ck_assert_uint_eq(perfdata__attr(pd, 0)->sample_regs_intr,
				  sizes[i] == PERF_ATTR_SIZE_VER0 ? 0 : 0xff);
		perfdata__free(pd);
		free(d.p);
		free(img.p);
	}
}
END_TEST

#define ST_ALL                                                                 \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |           \
	 PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR | PERF_SAMPLE_ID |                \
	 PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |        \
	 PERF_SAMPLE_READ | PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_RAW |          \
	 PERF_SAMPLE_BRANCH_STACK | PERF_SAMPLE_REGS_USER |                    \
	 PERF_SAMPLE_STACK_USER | PERF_SAMPLE_WEIGHT_STRUCT |                  \
	 PERF_SAMPLE_DATA_SRC | PERF_SAMPLE_TRANSACTION |                      \
	 PERF_SAMPLE_REGS_INTR | PERF_SAMPLE_PHYS_ADDR | PERF_SAMPLE_CGROUP |  \
	 PERF_SAMPLE_DATA_PAGE_SIZE | PERF_SAMPLE_CODE_PAGE_SIZE |             \
	 PERF_SAMPLE_AUX)

/* Every layout-changing sample_type bit, in perf's order. */
static void all_bits_sample(struct buf *d, uint64_t stack_size, bool cut)
{
	size_t at = rec(d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL);
	uint64_t i;

	put64(d, 77);		      /* IDENTIFIER */
	put64(d, 0xffffffff81000000); /* IP */
	put32(d, 10);		      /* PID */
	put32(d, 11);		      /* TID */
	put64(d, 1000);		      /* TIME */
	put64(d, 0xdead);	      /* ADDR */
	put64(d, 77);		      /* ID */
	put64(d, 78);		      /* STREAM_ID */
	put32(d, 3);		      /* CPU */
	put32(d, 0);
	put64(d, 4000); /* PERIOD */
	put64(d, 2);	/* READ: group nr */
	put64(d, 500);	/* time_enabled */
	put64(d, 100);
	put64(d, 77);
	put64(d, 1); /* value, id, lost */
	put64(d, 200);
	put64(d, 79);
	put64(d, 0);
	put64(d, 2); /* CALLCHAIN */
	put64(d, PERF_CONTEXT_KERNEL);
	put64(d, 0xffffffff81000000);
	put32(d, 4); /* RAW: size 4 + data = 8 bytes */
	put32(d, 0xabcdef01);
	put64(d, 1); /* BRANCH_STACK nr */
	put64(d, 9); /* hw_idx */
	put64(d, 0x1000);
	put64(d, 0x2000);
	put64(d, 0);
	put64(d, PERF_SAMPLE_REGS_ABI_64); /* REGS_USER, mask 0x5 */
	put64(d, 0x11);
	put64(d, 0x22);
	put64(d, stack_size); /* STACK_USER */
	if (stack_size) {
		for (i = 0; i < stack_size / 8; i++)
			put64(d, 0x5555);
		put64(d, 8); /* dyn_size */
	}
	put64(d, 0x0003000200000001);	   /* WEIGHT_STRUCT */
	put64(d, 0x42);			   /* DATA_SRC */
	put64(d, 0x43);			   /* TRANSACTION */
	put64(d, PERF_SAMPLE_REGS_ABI_64); /* REGS_INTR, mask 0x1 */
	put64(d, 0x33);
	put64(d, 0x7000);  /* PHYS_ADDR */
	put64(d, 0x99);	   /* CGROUP */
	put64(d, 4096);	   /* DATA_PAGE_SIZE */
	put64(d, 2 << 20); /* CODE_PAGE_SIZE */
	if (!cut) {
		put64(d, 8); /* AUX size */
		put64(d, 0x1234);
	}
	end_rec(d, at);
}

/* A sample of IP|TID|REGS_USER (mask 0x3) with user registers, or none
 * (abi 0: a kernel thread). */
static void regs_sample(struct buf *d, uint64_t abi)
{
	size_t at = rec(d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);

	put64(d, 0x1000);
	put32(d, 5);
	put32(d, 5);
	put64(d, abi);
	if (abi) {
		put64(d, 0x11);
		put64(d, 0x22);
	}
	end_rec(d, at);
}

/* An attr's samples share one parsed struct: what one sample had and the
 * next lacks must read as absent, and the bits the attr lacks as 0. */
START_TEST(test_sample_fields_reset)
{
	struct attr_spec a = {mk_attr(
	    PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK,
	    PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_REGS_USER)};
	struct buf d = {0}, img;
	struct seen w = {0};

	a.attr.sample_id_all = 0;
	a.attr.sample_regs_user = 0x3;
	regs_sample(&d, PERF_SAMPLE_REGS_ABI_64);
	regs_sample(&d, PERF_SAMPLE_REGS_ABI_NONE);
	regs_sample(&d, PERF_SAMPLE_REGS_ABI_64);
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);
	ck_assert_int_eq(read_img(&img, &w, NULL, false), 0);
	ck_assert_int_eq(w.nr_samples, 3);
	ck_assert_uint_eq(w.s[0].nr_regs_user, 2);
	ck_assert_uint_eq(w.s[1].regs_user_abi, 0);
	ck_assert_uint_eq(w.s[1].nr_regs_user, 0);
	ck_assert_ptr_null(w.s[1].regs_user);
	ck_assert_uint_eq(w.s[2].nr_regs_user, 2);
	ck_assert_ptr_nonnull(w.s[2].regs_user);
	ck_assert_uint_eq(w.s[2].regs_user[1], 0x22);
	ck_assert_uint_eq(w.s[2].period, 0);
	ck_assert_uint_eq(w.s[2].nr_callchain, 0);
	ck_assert_ptr_null(w.s[2].callchain);
	ck_assert(!w.s[2].sid.has_time);
	free(d.p);
	free(img.p);
}
END_TEST

START_TEST(test_all_sample_bits)
{
	struct attr_spec a = {mk_attr(PERF_TYPE_RAW, 0x1cd, ST_ALL)};
	uint64_t ids[] = {77};
	struct buf d = {0}, img;
	struct seen w = {0};
	const struct perfdata_sample *s = &w.s[0];
	struct perfdata *pd;

	a.ids = ids;
	a.nr_ids = 1;
	a.attr.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID |
			     PERF_FORMAT_LOST | PERF_FORMAT_TOTAL_TIME_ENABLED;
	a.attr.branch_sample_type =
	    PERF_SAMPLE_BRANCH_ANY | PERF_SAMPLE_BRANCH_HW_INDEX;
	a.attr.sample_regs_user = 0x5;
	a.attr.sample_regs_intr = 0x1;
	all_bits_sample(&d, 16, false);
	all_bits_sample(&d, 0, false);	 /* size 0: no dyn_size */
	all_bits_sample(&d, 16, true);	 /* no AUX: too short */
	basic_sample(&d, 0, 0, 0, 0, 0); /* too short for ST_ALL */
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);
	ck_assert_int_eq(read_img(&img, &w, &pd, false), 0);
	ck_assert(perfdata__has_stack_copies(pd));
	ck_assert_int_eq(w.nr_samples, 2);
	ck_assert_uint_eq(s->sid.id, 77);
	ck_assert_uint_eq(s->ip, 0xffffffff81000000);
	ck_assert_uint_eq(s->sid.pid, 10);
	ck_assert_uint_eq(s->sid.tid, 11);
	ck_assert_uint_eq(s->sid.time, 1000);
	ck_assert_uint_eq(s->addr, 0xdead);
	ck_assert_uint_eq(s->sid.stream_id, 78);
	ck_assert_uint_eq(s->sid.cpu, 3);
	ck_assert_uint_eq(s->period, 4000);
	ck_assert_uint_eq(s->read_len, 8);
	ck_assert_uint_eq(s->read[0], 2);
	ck_assert_uint_eq(s->read[6], 79);
	ck_assert_uint_eq(s->nr_callchain, 2);
	ck_assert_uint_eq(w.chain[0][0], PERF_CONTEXT_KERNEL);
	ck_assert_uint_eq(s->raw_size, 4);
	ck_assert_uint_eq(*(const uint32_t *)s->raw, 0xabcdef01);
	ck_assert_uint_eq(s->nr_branches, 1);
	ck_assert(s->has_branch_hw_idx);
	ck_assert_uint_eq(s->branch_hw_idx, 9);
	ck_assert_uint_eq(s->branches[0].from, 0x1000);
	ck_assert_uint_eq(s->branches[0].to, 0x2000);
	ck_assert_uint_eq(s->regs_user_abi, PERF_SAMPLE_REGS_ABI_64);
	ck_assert_uint_eq(s->nr_regs_user, 2);
	ck_assert_uint_eq(s->regs_user[1], 0x22);
	ck_assert_uint_eq(s->stack_user_size, 16);
	ck_assert_uint_eq(s->stack_user_dyn_size, 8);
	ck_assert_uint_eq(s->weight, 0x0003000200000001);
	ck_assert_uint_eq(s->data_src, 0x42);
	ck_assert_uint_eq(s->transaction, 0x43);
	ck_assert_uint_eq(s->nr_regs_intr, 1);
	ck_assert_uint_eq(s->regs_intr[0], 0x33);
	ck_assert_uint_eq(s->phys_addr, 0x7000);
	ck_assert_uint_eq(s->cgroup, 0x99);
	ck_assert_uint_eq(s->data_page_size, 4096);
	ck_assert_uint_eq(s->code_page_size, 2 << 20);
	ck_assert_uint_eq(s->aux_size, 8);
	ck_assert_uint_eq(*(const uint64_t *)s->aux, 0x1234);
	/* the second: STACK_USER size 0 and the fields after it in place */
	ck_assert_uint_eq(w.s[1].stack_user_size, 0);
	ck_assert_ptr_null(w.s[1].stack_user);
	ck_assert_uint_eq(w.s[1].stack_user_dyn_size, 0);
	ck_assert_uint_eq(w.s[1].weight, 0x0003000200000001);
	ck_assert_uint_eq(w.s[1].code_page_size, 2 << 20);
	ck_assert_uint_eq(w.s[1].aux_size, 8);
	/* the short ones are counted and reported, reading goes on */
	ck_assert_uint_eq(perfdata__stats(pd)->nr_bad, 2);
	ck_assert_int_eq(w.nr_warnings, 2);
	ck_assert_str_eq(w.last_warning,
			 "'t.data': skipped record at offset "
			 "0x510: sample too short for its id (48 bytes)");
	perfdata__free(pd);
	free(d.p);
	free(img.p);
}
END_TEST

/* Two events told apart by IDENTIFIER, named by EVENT_DESC. */
START_TEST(test_two_events)
{
	uint64_t st = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP |
		      PERF_SAMPLE_TID | PERF_SAMPLE_TIME;
	uint64_t ids0[] = {11, 12}, ids1[] = {21, 22};
	struct attr_spec a[2] = {
	    {mk_attr(PERF_TYPE_SOFTWARE, 0, st), ids0, 2},
	    {mk_attr(PERF_TYPE_SOFTWARE, 1, st), ids1, 2},
	};
	struct buf d = {0}, desc = {0}, img;
	struct feat_spec f = {12, &desc};
	struct seen w = {0};
	struct perfdata *pd;
	uint64_t id, n;
	size_t at;
	int i;

	for (n = 0; n < 5; n++) {
		id = (n % 2) ? 22 : 11;
		at = rec(&d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
		put64(&d, id);
		put64(&d, 0x1000 + n);
		put32(&d, 1);
		put32(&d, 1);
		put64(&d, 100 + n);
		end_rec(&d, at);
	}
	/* an EXIT whose trailer names event 1; its IDENTIFIER is last */
	at = rec(&d, PERF_RECORD_EXIT, 0);
	put32(&d, 1);
	put32(&d, 0);
	put32(&d, 1);
	put32(&d, 0);
	put64(&d, 200);
	put32(&d, 1);
	put32(&d, 1);	/* TID */
	put64(&d, 200); /* TIME */
	put64(&d, 21);	/* IDENTIFIER */
	end_rec(&d, at);
	/* EVENT_DESC lists them in the other order: matched by id */
	put32(&desc, 2);
	put32(&desc, sizeof(struct perf_event_attr));
	for (i = 1; i >= 0; i--) {
		put(&desc, &a[i].attr, sizeof(a[i].attr));
		put32(&desc, 2);
		put32(&desc, 16);
		put_str(&desc, i ? "task-clock:u" : "cpu-clock:ppp", 16);
		put(&desc, a[i].ids, 16);
	}
	img = file_image(a, 2, sizeof(a[0].attr), &d, &f, 1);
	ck_assert_int_eq(read_img(&img, &w, &pd, false), 0);
	ck_assert_str_eq(perfdata__attr_name(pd, 0), "cpu-clock:ppp");
	ck_assert_str_eq(perfdata__attr_name(pd, 1), "task-clock:u");
	ck_assert_int_eq(perfdata__find_attr(pd, "task-clock:u"), 1);
	ck_assert_int_eq(perfdata__find_attr(pd, "cycles"), -ENOENT);
	ck_assert_uint_eq(perfdata__attr_nr_samples(pd, 0), 3);
	ck_assert_uint_eq(perfdata__attr_nr_samples(pd, 1), 2);
	ck_assert_uint_eq(w.s[1].sid.attr_idx, 1);
	ck_assert_uint_eq(w.s[1].sid.id, 22);
	ck_assert_int_eq(w.nr_exits, 1);
	ck_assert(perfdata__has_feature(pd, PERFDATA_FEAT_EVENT_DESC));
	ck_assert(!perfdata__has_feature(pd, PERFDATA_FEAT_BUILD_ID));
	ck_assert_uint_eq(perfdata__stats(pd)->nr_unattributed, 0);
	perfdata__free(pd);
	free(d.p);
	free(desc.p);
	free(img.p);
}
END_TEST

/* Time order as perf's ordered_events: at each FINISHED_ROUND, what is not
 * later than the maximum time seen before the previous round goes out. */
START_TEST(test_ordering)
{
	struct attr_spec a = {mk_attr(PERF_TYPE_SOFTWARE, 0, ST_BASIC)};
	static const uint64_t order[] = {10, 15, 20, 5};
	static const uint64_t file_order[] = {20, 10, 15, 5};
	struct buf d = {0}, img;
	size_t at;
	int pass, i;

	basic_sample(&d, 1, 1, 20, 0x1, 0);
	basic_sample(&d, 1, 1, 10, 0x1, 0);
	at = rec(&d, PERFDATA_RECORD_FINISHED_ROUND, 0);
	end_rec(&d, at);
	basic_sample(&d, 1, 1, 15, 0x1, 0);
	at = rec(&d, PERFDATA_RECORD_FINISHED_ROUND, 0);
	end_rec(&d, at);
	basic_sample(&d, 1, 1, 5, 0x1, 0);
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);
	for (pass = 0; pass < 2; pass++) {
		struct seen w = {0};
		struct perfdata *pd;

		ck_assert_int_eq(read_img(&img, &w, &pd, pass), 0);
		ck_assert_int_eq(w.nr_ev, 4);
		for (i = 0; i < 4; i++)
			ck_assert_uint_eq(w.times[i],
					  pass ? file_order[i] : order[i]);
		ck_assert_uint_eq(perfdata__stats(pd)->nr_out_of_order,
				  pass ? 0 : 1);
		perfdata__free(pd);
	}
	free(d.p);
	free(img.p);
}
END_TEST

/* A round holds one ascending run per CPU buffer, and runs of any length
 * (here three interleaved ones and a shuffled tail) still come out in
 * time order, across two rounds. */
START_TEST(test_ordering_runs)
{
	struct attr_spec a = {mk_attr(PERF_TYPE_SOFTWARE, 0, ST_BASIC)};
	struct buf d = {0}, img;
	struct seen w = {0};
	unsigned seed = 7;
	size_t at;
	int i, round;

	for (round = 0; round < 2; round++) {
		uint64_t base = 1000 + (uint64_t)round * 1000;

		for (i = 0; i < 60; i++)	/* CPU 0: 0, 3, 6, ... */
			basic_sample(&d, 1, 1, base + 3 * (uint64_t)i, 0x1, 0);
		for (i = 0; i < 60; i++)	/* CPU 1: 1, 4, 7, ... */
			basic_sample(&d, 1, 1, base + 3 * (uint64_t)i + 1, 0x1, 0);
		for (i = 0; i < 60; i++)	/* CPU 2: 2, 5, ... reversed */
			basic_sample(&d, 1, 1, base + 3 * (uint64_t)(59 - i) + 2,
				     0x1, 0);
		for (i = 0; i < 20; i++) {	/* shuffled, with ties */
			seed = seed * 1103515245 + 12345;
			basic_sample(&d, 1, 1, base + (seed >> 16) % 180, 0x1, 0);
		}
		at = rec(&d, PERFDATA_RECORD_FINISHED_ROUND, 0);
		end_rec(&d, at);
	}
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);
	ck_assert_int_eq(read_img(&img, &w, NULL, false), 0);
	ck_assert_int_eq(w.nr_ev, 400);
	for (i = 1; i < 400; i++)
		ck_assert_msg(w.times[i - 1] <= w.times[i], "%d: %" PRIu64
			      " after %" PRIu64, i, w.times[i], w.times[i - 1]);
	ck_assert_uint_eq(w.times[0], 1000);
	ck_assert_uint_eq(w.times[399], 2179);
	free(d.p);
	free(img.p);
}
END_TEST

/* Equal times keep file order; records without a time go out at once. */
START_TEST(test_ordering_ties)
{
	struct attr_spec a = {mk_attr(PERF_TYPE_SOFTWARE, 0, ST_BASIC)};
	struct buf d = {0}, img;
	struct seen w = {0};
	size_t at;

	basic_sample(&d, 1, 1, 50, 0x1, 0);
	at = rec(&d, PERF_RECORD_COMM, 0); /* time 50, after the sample */
	put32(&d, 1);
	put32(&d, 1);
	put_str(&d, "x", 8);
	basic_trailer(&d, 1, 50);
	end_rec(&d, at);
	at = rec(&d, PERF_RECORD_FORK, 0); /* time 0: synthesized, now */
	put32(&d, 2);
	put32(&d, 1);
	put32(&d, 2);
	put32(&d, 1);
	put64(&d, 0);
	basic_trailer(&d, 2, 0);
	end_rec(&d, at);
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);
	ck_assert_int_eq(read_img(&img, &w, NULL, false), 0);
	ck_assert_int_eq(w.nr_ev, 3);
	ck_assert_uint_eq(w.types[0], PERF_RECORD_FORK);
	ck_assert_uint_eq(w.types[1], PERF_RECORD_SAMPLE);
	ck_assert_uint_eq(w.types[2], PERF_RECORD_COMM);
	free(d.p);
	free(img.p);
}
END_TEST

/* records inside compressed records: split at byte `split` of the
 * decompressed stream, which falls inside a record. */
static void put_compressed(struct buf *d, const struct buf *inner, size_t split,
			   uint32_t type)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t part;

	for (part = 0; part < 2; part++) {
		uint8_t out[4096];
		ZSTD_inBuffer in = {inner->p + (part ? split : 0),
				    part ? inner->len - split : split, 0};
		ZSTD_outBuffer o = {out, sizeof(out), 0};
		size_t r, at;

		r = ZSTD_compressStream2(cc, &o, &in,
					 part ? ZSTD_e_end : ZSTD_e_flush);
		ck_assert(!ZSTD_isError(r) && r == 0);
		at = rec(d, type, 0);
		if (type == PERFDATA_RECORD_COMPRESSED2)
			put64(d, o.pos);
		put(d, out, o.pos);
		/* 83 pads to 8 bytes; 81 is unpadded (why 83 exists), so
		 * what follows it is misaligned */
		if (type == PERFDATA_RECORD_COMPRESSED2)
			put(d, NULL, (8 - d->len % 8) % 8);
		end_rec(d, at);
	}
	ZSTD_freeCCtx(cc);
}

START_TEST(test_compressed)
{
	static const uint32_t types[] = {PERFDATA_RECORD_COMPRESSED,
					 PERFDATA_RECORD_COMPRESSED2};
	unsigned int t;

	for (t = 0; t < 2; t++) {
		struct attr_spec a = {mk_attr(PERF_TYPE_SOFTWARE, 0, ST_BASIC)};
		struct buf inner = {0}, d = {0}, img;
		struct seen w = {0};
		struct perfdata *pd;
		size_t at;
		int i;

		for (i = 0; i < 20; i++)
			basic_sample(&inner, 7, 7, 100 + i, 0x1000 + i, 4);
		/* 20 samples of 80 bytes: byte 1000 is inside the 13th */
		put_compressed(&d, &inner, 1000, types[t]);
		at = rec(&d, PERFDATA_RECORD_FINISHED_ROUND, 0);
		end_rec(&d, at);
		basic_sample(&d, 7, 7, 500, 0x9999, 0);
		img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);
		ck_assert_msg(read_img(&img, &w, &pd, false) == 0, "%s",
			      w.last_error);
		ck_assert_int_eq(w.nr_samples, 21);
		ck_assert_int_eq(w.nr_ev, 21);
		for (i = 0; i < 20; i++)
			ck_assert_uint_eq(w.times[i], 100 + i);
		ck_assert_uint_eq(w.s[7].ip, 0x1007);
		ck_assert_uint_eq(w.chain[7][3], 0x1007 + 3);
		ck_assert_uint_eq(perfdata__stats(pd)->nr_records[types[t]], 2);
		ck_assert_uint_eq(
		    perfdata__stats(pd)->nr_records[PERF_RECORD_SAMPLE], 21);
		ck_assert_uint_eq(perfdata__stats(pd)->decompressed_bytes,
				  inner.len);
		ck_assert_uint_eq(perfdata__stats(pd)->nr_bad, 0);
		perfdata__free(pd);
		free(inner.p);
		free(d.p);
		free(img.p);
	}
}
END_TEST

/* A pipe-format stream: attrs, features, names and build ids as records,
 * out-of-band payloads skipped. */
static struct buf pipe_image(void)
{
	struct perf_event_attr attr =
	    mk_attr(PERF_TYPE_HARDWARE, 0, ST_BASIC | PERF_SAMPLE_ID);
	struct buf b = {0};
	size_t at;
	int i;

	put(&b, "PERFILE2", 8);
	put64(&b, 16);
	attr.sample_type = ST_BASIC;
	at = rec(&b, PERFDATA_RECORD_HEADER_ATTR, 32550); /* junk misc */
	put(&b, &attr, sizeof(attr));
	put64(&b, 5);
	put64(&b, 6);
	end_rec(&b, at);
	at = rec(&b, PERFDATA_RECORD_HEADER_FEATURE, 0);
	put64(&b, PERFDATA_FEAT_ARCH);
	put32(&b, 8);
	put_str(&b, "x86_64", 8);
	end_rec(&b, at);
	at = rec(&b, PERFDATA_RECORD_EVENT_UPDATE, 0);
	put64(&b, 2); /* PERF_EVENT_UPDATE__NAME */
	put64(&b, 6);
	put_str(&b, "cycles:P", 16);
	end_rec(&b, at);
	at = rec(&b, PERFDATA_RECORD_HEADER_TRACING_DATA, 0);
	put32(&b, 24); /* 24 bytes follow, outside the record */
	put32(&b, 0);
	end_rec(&b, at);
	put(&b, NULL, 24); /* zeros: would be a bad record size */
	at = rec(&b, PERFDATA_RECORD_HEADER_BUILD_ID, 1 << 15 | 2);
	put32(&b, 42);
	for (i = 0; i < 20; i++)
		put(&b, &(uint8_t){(uint8_t)(0xa0 + i)}, 1);
	put(&b, &(uint8_t){16}, 1); /* size: md5 */
	put(&b, NULL, 3);
	put_str(&b, "/bin/x", 8);
	end_rec(&b, at);
	at = rec(&b, PERFDATA_RECORD_AUXTRACE, 0);
	put64(&b, 16); /* size of the AUX data after the record */
	put64(&b, 0);
	put64(&b, 0);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 0);
	end_rec(&b, at);
	put(&b, NULL, 16);
	basic_sample(&b, 3, 4, 30, 0x3000, 2);
	basic_sample(&b, 3, 4, 31, 0x3001, 2);
	return b;
}

static void check_pipe(struct perfdata *pd, const struct seen *w)
{
	const struct perfdata_build_id *b;

	ck_assert(perfdata__is_pipe(pd));
	ck_assert_int_eq(w->nr_samples, 2);
	ck_assert_uint_eq(w->s[1].ip, 0x3001);
	ck_assert_uint_eq(w->s[1].sid.tid, 4);
	ck_assert_uint_eq(perfdata__nr_attrs(pd), 1);
	ck_assert_str_eq(perfdata__attr_name(pd, 0), "cycles:P");
	ck_assert_str_eq(perfdata__feature_string(pd, PERFDATA_FEAT_ARCH),
			 "x86_64");
	ck_assert_uint_eq(perfdata__nr_build_ids(pd), 1);
	b = perfdata__build_id(pd, 0);
	ck_assert_int_eq(b->pid, 42);
	ck_assert_uint_eq(b->size, 16);
	ck_assert_uint_eq(b->build_id[15], 0xaf);
	ck_assert_uint_eq(b->cpumode, 2);
	ck_assert_str_eq(b->filename, "/bin/x");
	ck_assert_uint_eq(perfdata__stats(pd)->nr_bad, 0);
}

START_TEST(test_pipe_mem)
{
	struct buf img = pipe_image();
	struct seen w = {0};
	struct perfdata *pd;

	ck_assert_int_eq(read_img(&img, &w, &pd, false), 0);
	check_pipe(pd, &w);
	ck_assert_int_eq(w.nr_errors + w.nr_warnings, 0);
	perfdata__free(pd);
	free(img.p);
}
END_TEST

/* The same through a real pipe, with the first 8 bytes sniffed first. */
/* The tracing data: a file's TRACING_DATA section, and a pipe's
 * HEADER_TRACING_DATA payload (copied from a real pipe), as bytes. */
START_TEST(test_tracing_data)
{
	struct attr_spec a = {mk_attr(PERF_TYPE_TRACEPOINT, 372,
				      PERF_SAMPLE_RAW), NULL, 0};
	struct buf d = {0}, t = {0}, img, pipe_img = {0};
	struct feat_spec f = {PERFDATA_FEAT_TRACING_DATA, &t};
	struct seen w = {0};
	struct diag dg = {emit, &w};
	struct perfdata *pd;
	const uint8_t *p;
	char prefix[8];
	size_t len, at;
	int fds[2], status;
	pid_t child;

	put(&t, "\x17\x08\x44tracing0.6", 14);
	img = file_image(&a, 1, sizeof(a.attr), &d, &f, 1);
	pd = perfdata__open_mem(img.p, img.len, "t.data", &dg, NULL);
	ck_assert_ptr_nonnull(pd);
	p = perfdata__tracing_data(pd, &len);
	ck_assert_uint_eq(len, 14);
	ck_assert_mem_eq(p, "\x17\x08\x44tracing0.6", 14);
	ck_assert_str_eq(perfdata__name(pd), "t.data");
	perfdata__free(pd);
	free(img.p);
	free(t.p);

	/* pipe: header, HEADER_TRACING_DATA {hdr; u32 size; u32 pad}, the
	 * payload padded to 8 bytes */
	put64(&pipe_img, PERFDATA_MAGIC);
	put64(&pipe_img, 16);
	at = rec(&pipe_img, PERFDATA_RECORD_HEADER_TRACING_DATA, 0);
	put32(&pipe_img, 16);
	put32(&pipe_img, 0);
	end_rec(&pipe_img, at);
	put(&pipe_img, "\x17\x08\x44tracing0.6\0\0", 16);
	ck_assert_int_eq(pipe(fds), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (!child) {
		close(fds[0]);
		_exit(write(fds[1], pipe_img.p, pipe_img.len) !=
		      (ssize_t)pipe_img.len);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], prefix, 8), 8);
	pd = perfdata__open_fd(fds[0], prefix, 8, "stdin", &dg, NULL);
	ck_assert_ptr_nonnull(pd);
	ck_assert_ptr_null(perfdata__tracing_data(pd, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(perfdata__read(pd, &ops, &w), 0);
	p = perfdata__tracing_data(pd, &len);
	ck_assert_uint_eq(len, 16);
	ck_assert_mem_eq(p, "\x17\x08\x44tracing0.6\0\0", 16);
	perfdata__free(pd);
	close(fds[0]);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_int_eq(status, 0);
	free(pipe_img.p);
}
END_TEST

START_TEST(test_pipe_fd_prefix)
{
	struct buf img = pipe_image();
	struct seen w = {0};
	struct diag d = {emit, &w};
	struct perfdata *pd;
	char prefix[8];
	int fds[2], status;
	pid_t child;

	ck_assert_int_eq(pipe(fds), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (!child) {
		size_t off = 0;

		close(fds[0]);
		while (off < img.len) { /* dribble, to split records */
			size_t n = img.len - off < 13 ? img.len - off : 13;

			if (write(fds[1], img.p + off, n) != (ssize_t)n)
				_exit(1);
			off += n;
		}
		_exit(0);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], prefix, 8), 8);
	ck_assert(perfdata__sniff(prefix, 8));
	pd = perfdata__open_fd(fds[0], prefix, 8, "stdin", &d, NULL);
	ck_assert_ptr_nonnull(pd);
	ck_assert_int_eq(perfdata__read(pd, &ops, &w), 0);
	check_pipe(pd, &w);
	perfdata__free(pd);
	close(fds[0]);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_int_eq(status, 0);
	free(img.p);
}
END_TEST

static void expect_error(const struct buf *img, int err, const char *msg)
{
	struct seen w = {0};

	ck_assert_int_eq(read_img(img, &w, NULL, false), err);
	ck_assert_int_eq(w.nr_errors, 1);
	ck_assert_str_eq(w.last_error, msg);
}

START_TEST(test_header_errors)
{
	struct attr_spec a = {mk_attr(PERF_TYPE_SOFTWARE, 0, ST_BASIC)};
	struct buf d = {0}, img;

	basic_sample(&d, 1, 1, 10, 0x1, 0);
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);

	img.p[0] = 'X';
	expect_error(&img, -EINVAL,
		     "cannot read 't.data': not a perf.data file (bad magic "
		     "at offset 0x0)");
	memcpy(img.p, "2ELIFREP", 8);
	expect_error(&img, -EPROTO,
		     "cannot read 't.data': recorded on a machine of the "
		     "other endianness, which is not supported");
	memcpy(img.p, "PERFILE2", 8);
	img.len = 12;
	expect_error(&img, -EINVAL,
		     "cannot read 't.data': truncated header at offset 0x0 "
		     "(expected 16 bytes, 12 left)");
	img.len = 90;
	expect_error(&img, -EINVAL,
		     "cannot read 't.data': truncated header at offset 0x0 "
		     "(expected 104 bytes, 90 left)");
	img.len = 104 + 144 + d.len;
	set64(&img, 48, d.len + 1); /* data size past the end */
	expect_error(&img, -EINVAL,
		     "cannot read 't.data': data section (offset 0xf8, 49 "
		     "bytes) runs past the end of the file (296 bytes)");
	set64(&img, 48, d.len);
	set64(&img, 16, 20); /* attr_size */
	expect_error(&img, -EINVAL,
		     "cannot read 't.data': bad attr size 20 at offset 0x10");
	free(d.p);
	free(img.p);
}
END_TEST

START_TEST(test_record_errors)
{
	struct attr_spec a = {mk_attr(PERF_TYPE_SOFTWARE, 0, ST_BASIC)};
	struct buf d = {0}, img;
	struct seen w = {0};
	uint16_t size;

	basic_sample(&d, 1, 1, 10, 0x1, 0); /* 48 bytes at 0xf8 */
	basic_sample(&d, 1, 1, 11, 0x1, 0); /* at 0x128 */
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);

	size = 0;
	memcpy(img.p + 0x128 + 6, &size, 2);
	expect_error(&img, -EINVAL,
		     "cannot read 't.data': bad record size 0 at offset "
		     "0x128 (smaller than its header)");
	size = 64;
	memcpy(img.p + 0x128 + 6, &size, 2);
	expect_error(&img, -EINVAL,
		     "cannot read 't.data': truncated record at offset 0x128 "
		     "(expected 64 bytes, 48 left)");
	/* the sample before the error was delivered */
	ck_assert_int_eq(read_img(&img, &w, NULL, false), -EINVAL);
	ck_assert_int_eq(w.nr_samples, 1);
	set64(&img, 48, d.len - 4); /* 44 bytes for the second */
	size = 48;
	memcpy(img.p + 0x128 + 6, &size, 2);
	expect_error(&img, -EINVAL,
		     "cannot read 't.data': truncated record at offset 0x128 "
		     "(expected 48 bytes, 44 left)");
	set64(&img, 48, d.len + 4);
	img.len += 4;
	expect_error(&img, -EINVAL,
		     "cannot read 't.data': truncated record at offset 0x158 "
		     "(expected 8 bytes, 4 left)");
	free(d.p);
	free(img.p);
}
END_TEST

START_TEST(test_unknown_lost_stop)
{
	struct attr_spec a = {mk_attr(PERF_TYPE_SOFTWARE, 0, ST_BASIC)};
	struct buf d = {0}, img;
	struct seen w = {0};
	struct perfdata *pd;
	size_t at;

	at = rec(&d, 50, 0); /* unknown kernel type */
	put64(&d, 1);
	end_rec(&d, at);
	at = rec(&d, 120, 0); /* unknown user type */
	end_rec(&d, at);
	at = rec(&d, PERF_RECORD_LOST, 0);
	put64(&d, 9);
	put64(&d, 17);
	basic_trailer(&d, 1, 0);
	end_rec(&d, at);
	at = rec(&d, PERF_RECORD_LOST_SAMPLES, 0);
	put64(&d, 3);
	basic_trailer(&d, 1, 0);
	end_rec(&d, at);
	basic_sample(&d, 1, 1, 10, 0x1, 0);
	basic_sample(&d, 1, 1, 11, 0x1, 0);
	basic_sample(&d, 1, 1, 12, 0x1, 0);
	img = file_image(&a, 1, sizeof(a.attr), &d, NULL, 0);
	ck_assert_int_eq(read_img(&img, &w, &pd, false), 0);
	ck_assert_uint_eq(perfdata__stats(pd)->nr_unknown, 2);
	ck_assert_uint_eq(perfdata__stats(pd)->nr_lost, 17);
	ck_assert_uint_eq(perfdata__stats(pd)->nr_lost_samples, 3);
	ck_assert_int_eq(w.nr_lost, 2);
	ck_assert_uint_eq(w.lost[0].id, 9);
	ck_assert(w.lost[1].is_lost_samples);
	ck_assert_int_eq(w.nr_samples, 3);
	perfdata__free(pd);

	memset(&w, 0, sizeof(w));
	w.stop_after = 2;
	ck_assert_int_eq(read_img(&img, &w, NULL, false), 42);
	ck_assert_int_eq(w.nr_samples, 2);
	free(d.p);
	free(img.p);
}
END_TEST

START_TEST(test_features)
{
	struct attr_spec a = {mk_attr(PERF_TYPE_SOFTWARE, 0, ST_BASIC)};
	struct buf d = {0}, bid = {0}, cmd = {0}, arch = {0}, comp = {0},
		   junk = {0}, img;
	struct feat_spec f[] = {
	    {2, &bid}, {6, &arch}, {11, &cmd}, {13, &junk}, {27, &comp}};
	const char *const *argv;
	struct seen w = {0};
	struct perfdata *pd;
	uint32_t argc, level;
	size_t at;
	int i;

	basic_sample(&d, 1, 1, 10, 0x1, 0);
	at = rec(&bid, PERFDATA_RECORD_HEADER_BUILD_ID, 1);
	put32(&bid, (uint32_t)-1);
	for (i = 0; i < 24; i++)
		put(&bid, &(uint8_t){(uint8_t)i}, 1);
	put_str(&bid, "[kernel.kallsyms]", 24);
	end_rec(&bid, at);
	put32(&arch, 8);
	put_str(&arch, "aarch64", 8);
	put32(&cmd, 2);
	put32(&cmd, 8);
	put_str(&cmd, "perf", 8);
	put32(&cmd, 8);
	put_str(&cmd, "record", 8);
	put32(&junk, 0xffffffff); /* topology: skipped unparsed */
	put32(&comp, 1);
	put32(&comp, 1);
	put32(&comp, 3);
	put32(&comp, 5);
	put32(&comp, 65536);
	img = file_image(&a, 1, sizeof(a.attr), &d, f, 5);
	ck_assert_int_eq(read_img(&img, &w, &pd, false), 0);
	ck_assert_uint_eq(perfdata__nr_build_ids(pd), 1);
	ck_assert_int_eq(perfdata__build_id(pd, 0)->pid, -1);
	ck_assert_uint_eq(perfdata__build_id(pd, 0)->size, 20);
	ck_assert_uint_eq(perfdata__build_id(pd, 0)->build_id[19], 19);
	ck_assert_uint_eq(perfdata__build_id(pd, 0)->cpumode, 1);
	ck_assert_str_eq(perfdata__build_id(pd, 0)->filename,
			 "[kernel.kallsyms]");
	ck_assert_str_eq(perfdata__feature_string(pd, PERFDATA_FEAT_ARCH),
			 "aarch64");
	ck_assert_ptr_null(
	    perfdata__feature_string(pd, PERFDATA_FEAT_HOSTNAME));
	argv = perfdata__cmdline(pd, &argc);
	ck_assert_uint_eq(argc, 2);
	ck_assert_str_eq(argv[1], "record");
	ck_assert_uint_eq(perfdata__compression(pd, &level), 1);
	ck_assert_uint_eq(level, 3);
	ck_assert_int_eq(w.nr_samples, 1);
	perfdata__free(pd);
	/* a feature section pointing past the end: warned, ignored */
	memset(&w, 0, sizeof(w));
	set64(&img, 104 + 144 + d.len + 16 * 1 + 8, 1 << 20); /* ARCH */
	ck_assert_int_eq(read_img(&img, &w, &pd, false), 0);
	ck_assert_int_eq(w.nr_warnings, 1);
	ck_assert_ptr_null(perfdata__feature_string(pd, PERFDATA_FEAT_ARCH));
	ck_assert_uint_eq(perfdata__nr_build_ids(pd), 1);
	perfdata__free(pd);
	free(d.p);
	free(bid.p);
	free(cmd.p);
	free(arch.p);
	free(comp.p);
	free(junk.p);
	free(img.p);
}
END_TEST

START_TEST(test_open_missing)
{
	struct seen w = {0};
	struct diag d = {emit, &w};

	ck_assert_ptr_null(perfdata__open("/nonexistent/perf.data", &d, NULL));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(w.last_error,
			 "cannot open '/nonexistent/perf.data': No such file "
			 "or directory");
	ck_assert(!perfdata__sniff("PERFILE", 7));
	ck_assert(!perfdata__sniff("# perf script", 13));
	perfdata__free(NULL);
}
END_TEST

/* Every kernel record we parse, with full sample_id_all trailers, and two
 * events told apart by ID (no IDENTIFIER): in a sample after IP, TID and
 * TIME; in a trailer before STREAM_ID and CPU. */
struct more {
	struct seen w;
	int nr_ready, nr_throttle, nr_ksym, nr_other;
	struct perfdata_mmap mm[2];
	char names[2][16];
	struct perfdata_throttle t;
	struct perfdata_ksymbol k;
	char ksym[16];
	struct perf_event_header oh;
	struct perfdata_sample_id osid;
};

static int m_ready(void *ctx, struct perfdata *pd)
{
	struct more *m = ctx;

	ck_assert_uint_eq(perfdata__nr_attrs(pd), 2);
	m->nr_ready++;
	return 0;
}

static int m_mmap(void *ctx, const struct perfdata_mmap *mm)
{
	struct more *m = ctx;
	int i = m->w.nr_mmaps++;

	m->mm[i] = *mm;
	snprintf(m->names[i], 16, "%s", mm->filename);
	note(&m->w, PERF_RECORD_MMAP, mm->sid.time);
	return 0;
}

static int m_throttle(void *ctx, const struct perfdata_throttle *t)
{
	struct more *m = ctx;

	m->t = *t;
	m->nr_throttle++;
	note(&m->w, PERF_RECORD_THROTTLE, t->sid.time);
	return 0;
}

static int m_ksymbol(void *ctx, const struct perfdata_ksymbol *k)
{
	struct more *m = ctx;

	m->k = *k;
	snprintf(m->ksym, 16, "%s", k->name);
	m->nr_ksym++;
	note(&m->w, PERF_RECORD_KSYMBOL, k->sid.time);
	return 0;
}

static int m_other(void *ctx, const struct perf_event_header *h,
		   const struct perfdata_sample_id *sid)
{
	struct more *m = ctx;

	if (!sid) /* perf-tool records (FINISHED_INIT here) */
		return 0;
	m->oh = *h;
	m->osid = *sid;
	m->nr_other++;
	note(&m->w, h->type, sid->time);
	return 0;
}

/* trailer of TID|TIME|ID|STREAM_ID|CPU */
static void trailer5(struct buf *d, uint32_t pid, uint64_t time, uint64_t id)
{
	put32(d, pid);
	put32(d, pid + 1);
	put64(d, time);
	put64(d, id);
	put64(d, 1000 + id);
	put32(d, 1);
	put32(d, 0);
}

START_TEST(test_records_and_trailers)
{
	uint64_t st = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
		      PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU;
	uint64_t ids0[] = {11}, ids1[] = {21};
	struct attr_spec a[2] = {
	    {mk_attr(PERF_TYPE_SOFTWARE, 0, st), ids0, 1},
	    {mk_attr(PERF_TYPE_SOFTWARE, 1, st), ids1, 1},
	};
	struct perfdata_ops o = {
	    .on_ready = m_ready,
	    .on_sample = on_sample,
	    .on_mmap = m_mmap,
	    .on_throttle = m_throttle,
	    .on_ksymbol = m_ksymbol,
	    .on_other = m_other,
	};
	struct buf d = {0}, img;
	struct more m;
	struct perfdata *pd;
	size_t at;
	int i;

	memset(&m, 0, sizeof(m));
	/* written out of time order: delivered 100..105 at the end */
	at = rec(&d, PERF_RECORD_SWITCH, PERF_RECORD_MISC_SWITCH_OUT);
	trailer5(&d, 5, 105, 21);
	end_rec(&d, at);
	at = rec(&d, PERF_RECORD_MMAP, PERF_RECORD_MISC_USER);
	put32(&d, 5);
	put32(&d, 6);
	put64(&d, 0x1000);
	put64(&d, 0x2000);
	put64(&d, 0x30);
	put_str(&d, "/lib/a.so", 16);
	trailer5(&d, 5, 100, 21);
	end_rec(&d, at);
	at = rec(&d, PERF_RECORD_MMAP2,
		 PERF_RECORD_MISC_USER | PERF_RECORD_MISC_MMAP_BUILD_ID);
	put32(&d, 5);
	put32(&d, 5);
	put64(&d, 0x7000);
	put64(&d, 0x1000);
	put64(&d, 0);
	put(&d, &(uint8_t){20}, 1);
	put(&d, NULL, 3);
	for (i = 0; i < 20; i++)
		put(&d, &(uint8_t){(uint8_t)(0x10 + i)}, 1);
	put32(&d, 5);
	put32(&d, 2);
	put_str(&d, "[vdso]", 8);
	trailer5(&d, 5, 101, 11);
	end_rec(&d, at);
	at = rec(&d, PERF_RECORD_THROTTLE, 0);
	put64(&d, 102);
	put64(&d, 11);
	put64(&d, 1011);
	trailer5(&d, 5, 102, 11);
	end_rec(&d, at);
	at = rec(&d, PERF_RECORD_KSYMBOL, 0);
	put64(&d, 0xffffffffc0000000);
	put32(&d, 0x40);
	put16(&d, 1); /* PERF_RECORD_KSYMBOL_TYPE_BPF */
	put16(&d, 0);
	put_str(&d, "bpf_prog_x", 16);
	trailer5(&d, 5, 103, 11);
	end_rec(&d, at);
	at = rec(&d, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	put64(&d, 0x1234);
	put32(&d, 5);
	put32(&d, 6);
	put64(&d, 104);
	put64(&d, 21); /* ID */
	put64(&d, 1021);
	put32(&d, 1);
	put32(&d, 0);
	end_rec(&d, at);
	at = rec(&d, PERFDATA_RECORD_FINISHED_INIT, 0);
	end_rec(&d, at);
	img = file_image(a, 2, sizeof(a[0].attr), &d, NULL, 0);
	pd = perfdata__open_mem(img.p, img.len, "t.data", NULL, NULL);
	ck_assert_ptr_nonnull(pd);
	ck_assert_int_eq(perfdata__read(pd, &o, &m), 0);
	ck_assert_int_eq(m.nr_ready, 1);
	ck_assert_int_eq(m.w.nr_ev, 6);
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(m.w.times[i], 100 + i);
	ck_assert(!m.mm[0].is_mmap2);
	ck_assert_uint_eq(m.mm[0].pid, 5);
	ck_assert_uint_eq(m.mm[0].tid, 6);
	ck_assert_uint_eq(m.mm[0].start, 0x1000);
	ck_assert_uint_eq(m.mm[0].pgoff, 0x30);
	ck_assert_str_eq(m.names[0], "/lib/a.so");
	ck_assert_uint_eq(m.mm[0].sid.attr_idx, 1);
	ck_assert_uint_eq(m.mm[0].sid.id, 21);
	ck_assert_uint_eq(m.mm[0].sid.stream_id, 1021);
	ck_assert_uint_eq(m.mm[0].sid.cpu, 1);
	ck_assert_uint_eq(m.mm[0].sid.tid, 6);
	ck_assert(m.mm[1].is_mmap2 && m.mm[1].has_build_id);
	ck_assert_uint_eq(m.mm[1].build_id_size, 20);
	ck_assert_uint_eq(m.mm[1].build_id[19], 0x10 + 19);
	ck_assert_uint_eq(m.mm[1].prot, 5);
	ck_assert_str_eq(m.names[1], "[vdso]");
	ck_assert_uint_eq(m.mm[1].sid.attr_idx, 0);
	ck_assert_int_eq(m.nr_throttle, 1);
	ck_assert(!m.t.is_unthrottle);
	ck_assert_uint_eq(m.t.id, 11);
	ck_assert_uint_eq(m.t.stream_id, 1011);
	ck_assert_int_eq(m.nr_ksym, 1);
	ck_assert_uint_eq(m.k.addr, 0xffffffffc0000000);
	ck_assert_uint_eq(m.k.len, 0x40);
	ck_assert_uint_eq(m.k.ksym_type, 1);
	ck_assert_str_eq(m.ksym, "bpf_prog_x");
	ck_assert_int_eq(m.w.nr_samples, 1);
	ck_assert_uint_eq(m.w.s[0].sid.attr_idx, 1);
	ck_assert_uint_eq(m.w.s[0].sid.stream_id, 1021);
	ck_assert_uint_eq(m.w.s[0].sid.cpu, 1);
	ck_assert_int_eq(m.nr_other, 1);
	ck_assert_uint_eq(m.oh.type, PERF_RECORD_SWITCH);
	ck_assert_uint_eq(m.osid.attr_idx, 1);
	ck_assert_uint_eq(perfdata__attr_nr_samples(pd, 1), 1);
	ck_assert_uint_eq(perfdata__stats(pd)->nr_unattributed, 0);
	perfdata__free(pd);
	free(d.p);
	free(img.p);
}
END_TEST

/* A pipe whose writer's stderr went into it too (linux-perf-data's
 * sleep.compressed2.pipe.data): the text ends the data, with a warning. */
START_TEST(test_pipe_trailing_message)
{
	struct buf img = pipe_image();
	struct seen w = {0};
	struct perfdata *pd;

	put(&img, "[ perf record: Woken up 1 times to write data ]\n", 47);
	ck_assert_int_eq(read_img(&img, &w, &pd, false), 0);
	check_pipe(pd, &w);
	ck_assert_int_eq(w.nr_warnings, 1);
	ck_assert_int_eq(w.nr_errors, 0);
	perfdata__free(pd);
	free(img.p);
}
END_TEST

/* A pipe whose compressed record holds an AUXTRACE record promising 1000
 * bytes of trace after it that the record does not have (found by
 * tests/fuzz/fuzz_perfdata: the skip of those bytes spun forever once the
 * decompressed bytes ran out). It must end, with one error. */
START_TEST(test_compressed_skip_past_end)
{
	static const uint8_t img[] = {
		0x50, 0x45, 0x52, 0x46, 0x49, 0x4c, 0x45, 0x32, 0x10, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x51, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x28, 0x00, 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58,
		0x81, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
		0x00, 0xe8, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct buf b = {(uint8_t *)img, sizeof(img), sizeof(img)};
	struct seen w = {0};

	ck_assert_int_lt(read_img(&b, &w, NULL, false), 0);
	ck_assert_int_eq(w.nr_errors, 1);
	ck_assert_int_eq(w.nr_samples, 0);
}
END_TEST

static Suite *perfdata_suite(void)
{
	Suite *s = suite_create("perfdata");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_basic_file);
	tcase_add_test(tc, test_attr_sizes);
	tcase_add_test(tc, test_all_sample_bits);
	tcase_add_test(tc, test_sample_fields_reset);
	tcase_add_test(tc, test_two_events);
	tcase_add_test(tc, test_ordering);
	tcase_add_test(tc, test_ordering_ties);
	tcase_add_test(tc, test_ordering_runs);
	tcase_add_test(tc, test_compressed);
	tcase_add_test(tc, test_compressed_skip_past_end);
	tcase_add_test(tc, test_pipe_mem);
	tcase_add_test(tc, test_pipe_fd_prefix);
	tcase_add_test(tc, test_tracing_data);
	tcase_add_test(tc, test_header_errors);
	tcase_add_test(tc, test_record_errors);
	tcase_add_test(tc, test_unknown_lost_stop);
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_open_missing);
	tcase_add_test(tc, test_records_and_trailers);
	tcase_add_test(tc, test_pipe_trailing_message);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(perfdata_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
