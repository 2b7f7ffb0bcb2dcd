/* Unit tests for common/tracepoint: a tracing-data section built here, in
 * the layout of perf's trace-event-info.c, decoded by libtraceevent. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdimage.h"
#include "tracepoint.h"

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
static const char *const switch_only[] = {TRACING_SWITCH_FORMAT};

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
	struct buf b;
	struct tracepoint *tp;
	const struct tracepoint_field *f;
	const uint8_t raw_type[2] = {372 & 0xff, 372 >> 8};
	uint8_t raw[64];
	int64_t v;

	b = tracing_data(switch_only, 1);
	nr_warn = 0;
	tp = tracepoint__new(b.p, b.len, "t.data", &d);
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
	free(b.p);
}
END_TEST

START_TEST(test_damaged_data)
{
	struct buf b = tracing_data(switch_only, 1);
	size_t cut;

	/* every truncation is refused with one warning, never read past */
	for (cut = 0; cut < b.len; cut += 7) {
		nr_warn = 0;
		errno = 0;
		ck_assert_ptr_null(tracepoint__new(b.p, cut, "t.data", &d));
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_int_eq(nr_warn, 1);
	}
	ck_assert_ptr_nonnull(strstr(last, "'t.data': damaged tracing data"));
	b.p[3] = 'X';	/* bad magic */
	ck_assert_ptr_null(tracepoint__new(b.p, b.len, "t.data", &d));
	ck_assert_str_eq(last, "'t.data': damaged tracing data (magic at "
			       "offset 0 of 1036 bytes); tracepoint samples "
			       "are not decoded");
	free(b.p);
}
END_TEST

START_TEST(test_bad_format_is_skipped)
{
	static const char *const broken[] = {TRACING_BAD_FORMAT};
	struct buf b = tracing_data(broken, 1);
	struct tracepoint *tp;

	nr_warn = 0;
	tp = tracepoint__new(b.p, b.len, "t.data", &d);
	ck_assert_ptr_nonnull(tp);
	ck_assert_uint_eq(tracepoint__nr_events(tp), 0);
	ck_assert_uint_eq(tracepoint__nr_bad_formats(tp), 1);
	ck_assert_int_eq(nr_warn, 1);
	ck_assert_ptr_nonnull(strstr(last, "(name: broken) does not parse"));
	ck_assert(!tracepoint__is(tp, 9, "sched", "broken"));
	tracepoint__free(tp);
	free(b.p);
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
