/* Unit tests for common/speedscope: the sink fixture's file, byte for
 * byte, and hostile names escaped. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinkfx.h"
#include "speedscope.h"

static char *escaped(const char *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);

	speedscope__string(out, s, len);
	fclose(out);
	return buf;
}

START_TEST(test_escapes)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{"plain", 5, "\"plain\""},
		{"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
		{"\n\t\x01\x1f", 4, "\"\\u000a\\u0009\\u0001\\u001f\""},
		{"</script>", 9, "\"</script>\""},
		{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d", 14,
		 "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d\""},
		/* not UTF-8: a stray continuation, a cut sequence, an
		 * overlong '/', a surrogate, past U+10FFFF */
		{"\x80x", 2, "\"\\ufffdx\""},
		{"\xe2\x82", 2, "\"\\ufffd\\ufffd\""},
		{"\xc0\xaf", 2, "\"\\ufffd\\ufffd\""},
		{"\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""},
		{"\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
		{"a\0b", 3, "\"a\\u0000b\""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = escaped(cases[i].in, cases[i].len);

		ck_assert_str_eq(got, cases[i].out);
		free(got);
	}
}
END_TEST

START_TEST(test_file)
{
	const struct speedscope_opts o = {"perf.data", "nanoseconds", "test"};
	struct folder *f;
	struct profile *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	sinkfx__build(&f, &p, true, FOLDER_PYTHON_OFF);
	ck_assert_int_eq(speedscope__write(p, folder__names(f), &o, out), 0);
	fclose(out);
	/* frames in the order their locations were made (leaf first), each
	 * with its file (an inlined function's is its source's, not known);
	 * app's thread first and active (the heavier: 10 ns against 7), its
	 * first two samples one of 8, stacks root first */
	ck_assert_str_eq(buf,
		"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
		"\"exporter\":\"test\",\"name\":\"perf.data\",\"activeProfileIndex\":0,"
		"\"shared\":{\"frames\":["
		"{\"name\":\"outer\",\"file\":\"/bin/app\"},"
		"{\"name\":\"inner\"},"
		"{\"name\":\"main\",\"file\":\"/bin/app\"},"
		"{\"name\":\"schedule\"},"
		"{\"name\":\"py::f:/x/f.py\",\"file\":\"/x/f.py\"}]},"
		"\"profiles\":["
		"{\"type\":\"sampled\",\"name\":\"app-10/10\",\"unit\":\"nanoseconds\","
		"\"startValue\":0,\"endValue\":10,\"samples\":[[2,0,1],[2]],"
		"\"weights\":[8,2]},"
		"{\"type\":\"sampled\",\"name\":\"worker-10/11\",\"unit\":\"nanoseconds\","
		"\"startValue\":0,\"endValue\":7,\"samples\":[[4,3]],"
		"\"weights\":[7]}]}\n");
	free(buf);
	folder__free(f);
	profile__free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("speedscope");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nr_failed;

	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nr_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nr_failed ? 1 : 0;
}
