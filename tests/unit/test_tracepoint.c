/* Unit tests for common/tracepoint: a tracing-data section built here, in
 * the layout of perf's trace-event-info.c, decoded by libtraceevent. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracepoint.h"

#define HEADER_PAGE                                                        \
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"        \
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"       \
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"        \
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n"

#define SWITCH_FORMAT                                                      \
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

struct buf {
	uint8_t b[8192];
	size_t len;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->len, p, n);
	b->len += n;
}

static void put32(struct buf *b, uint32_t v) { put(b, &v, 4); }
static void put64(struct buf *b, uint64_t v) { put(b, &v, 8); }

/* Tracing data with one event format (format, or "" for none) in system
 * "sched", as perf 6.1 writes it (version 0.6, little-endian, long 8). */
static void build(struct buf *b, const char *format)
{
	b->len = 0;
	put(b, "\x17\x08\x44tracing", 10);
	put(b, "0.6", 4);
	put(b, "\0\x08", 2);
	put32(b, 4096);
	put(b, "header_page", 12);
	put64(b, strlen(HEADER_PAGE));
	put(b, HEADER_PAGE, strlen(HEADER_PAGE));
	put(b, "header_event", 13);
	put64(b, 4);
	put(b, "none", 4);
	put32(b, 0);			/* ftrace formats */
	put32(b, 1);			/* systems */
	put(b, "sched", 6);
	put32(b, 1);
	put64(b, strlen(format));
	put(b, format, strlen(format));
	put32(b, 0);			/* kallsyms */
	put32(b, 0);			/* ftrace_printk */
	put64(b, 0);			/* saved cmdlines */
}

static int nr_warn;
static char last[512];

static void emit(void *ctx, enum diag_level level, const char *msg)
{
	(void)ctx;
	if (level == DIAG_WARN)
		nr_warn++;
	snprintf(last, sizeof(last), "%s", msg);
}

static const struct diag d = {emit, NULL};

/* A sched_switch raw record: prev_pid 1234 state S, next_pid 15. */
static void raw_switch(uint8_t *raw)
{
	int32_t prev = 1234, next = 15;
	int64_t state = 1;
	uint16_t type = 372;

	memset(raw, 0, 64);
	memcpy(raw, &type, 2);
	memcpy(raw + 24, &prev, 4);
	memcpy(raw + 32, &state, 8);
	memcpy(raw + 56, &next, 4);
}

START_TEST(test_fields_by_name)
{
	static struct buf b;
	struct tracepoint *tp;
	const struct tracepoint_field *f;
	const uint8_t raw_type[2] = {372 & 0xff, 372 >> 8};
	uint8_t raw[64];
	int64_t v;

	build(&b, SWITCH_FORMAT);
	nr_warn = 0;
	tp = tracepoint__new(b.b, b.len, "t.data", &d);
	ck_assert_ptr_nonnull(tp);
	ck_assert_int_eq(nr_warn, 0);
	ck_assert_uint_eq(tracepoint__nr_events(tp), 1);
	ck_assert(tracepoint__is(tp, 372, "sched", "sched_switch"));
	ck_assert(!tracepoint__is(tp, 372, "sched", "sched_wakeup"));
	ck_assert(!tracepoint__is(tp, 373, "sched", "sched_switch"));
	ck_assert_ptr_null(tracepoint__field(tp, 373, "prev_pid"));
	ck_assert_ptr_null(tracepoint__field(tp, 372, "no_such"));
	f = tracepoint__field(tp, 372, "common_type");	/* a common field */
	ck_assert_int_eq(tracepoint__read_int(f, raw_type, 2, &v), 0);
	ck_assert_int_eq(v, 372);
	raw_switch(raw);
	f = tracepoint__field(tp, 372, "prev_pid");
	ck_assert_int_eq(tracepoint__read_int(f, raw, 64, &v), 0);
	ck_assert_int_eq(v, 1234);
	f = tracepoint__field(tp, 372, "prev_state");
	ck_assert_int_eq(tracepoint__read_int(f, raw, 64, &v), 0);
	ck_assert_int_eq(v, 1);
	f = tracepoint__field(tp, 372, "next_pid");
	ck_assert_int_eq(tracepoint__read_int(f, raw, 64, &v), 0);
	ck_assert_int_eq(v, 15);
	/* shorter than the format says */
	ck_assert_int_eq(tracepoint__read_int(f, raw, 59, &v), -ENODATA);
	/* signed fields are sign-extended */
	memcpy(raw + 56, "\xff\xff\xff\xff", 4);
	ck_assert_int_eq(tracepoint__read_int(f, raw, 64, &v), 0);
	ck_assert_int_eq(v, -1);
	/* a string is not a number */
	f = tracepoint__field(tp, 372, "prev_comm");
	ck_assert_int_eq(tracepoint__read_int(f, raw, 64, &v), -EINVAL);
	tracepoint__free(tp);
	tracepoint__free(NULL);
}
END_TEST

START_TEST(test_damaged_data)
{
	static struct buf b;
	size_t cut;

	build(&b, SWITCH_FORMAT);
	/* every truncation is refused with one warning, never read past */
	for (cut = 0; cut < b.len; cut += 7) {
		nr_warn = 0;
		errno = 0;
		ck_assert_ptr_null(tracepoint__new(b.b, cut, "t.data", &d));
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_int_eq(nr_warn, 1);
	}
	ck_assert_ptr_nonnull(strstr(last, "'t.data': damaged tracing data"));
	b.b[3] = 'X';	/* bad magic */
	ck_assert_ptr_null(tracepoint__new(b.b, b.len, "t.data", &d));
	ck_assert_str_eq(last, "'t.data': damaged tracing data (magic at "
			       "offset 0 of 1036 bytes); tracepoint samples "
			       "are not decoded");
}
END_TEST

START_TEST(test_bad_format_is_skipped)
{
	static struct buf b;
	struct tracepoint *tp;

	build(&b, "name: broken\nformat:\n");
	nr_warn = 0;
	tp = tracepoint__new(b.b, b.len, "t.data", &d);
	ck_assert_ptr_nonnull(tp);
	ck_assert_uint_eq(tracepoint__nr_events(tp), 0);
	ck_assert_uint_eq(tracepoint__nr_bad_formats(tp), 1);
	ck_assert_int_eq(nr_warn, 1);
	ck_assert_ptr_nonnull(strstr(last, "(name: broken) does not parse"));
	ck_assert(!tracepoint__is(tp, 9, "sched", "broken"));
	tracepoint__free(tp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tracepoint");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_fields_by_name);
	tcase_add_test(tc, test_damaged_data);
	tcase_add_test(tc, test_bad_format_is_skipped);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
