/* Unit tests for common/deflate: each call against libdeflate's opposite
 * one (a zlib stream made by its compressor, a gzip member read by its
 * decompressor). */
#include <check.h>
#include <errno.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#include "deflate.h"

#define TEXT_LEN 10000

/* Repetitive text, as debug sections and pprof messages are. */
static char *text(void)
{
	char *t = malloc(TEXT_LEN);
	size_t i;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < TEXT_LEN; i++)
		t[i] = "fibonacci;factorial;"[i % 20] + (char)(i / 2000);
	return t;
}

START_TEST(test_zlib_inflate)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	char *t = text(), z[TEXT_LEN], back[TEXT_LEN + 1];
	size_t n = libdeflate_zlib_compress(c, t, TEXT_LEN, z, sizeof(z));

	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, TEXT_LEN / 4);
	ck_assert_int_eq(deflate__zlib_inflate(z, n, back, TEXT_LEN), 0);
	ck_assert(!memcmp(back, t, TEXT_LEN));
	/* the stream must fill dst exactly, and be whole */
	ck_assert_int_eq(deflate__zlib_inflate(z, n, back, TEXT_LEN + 1),
			 -EINVAL);
	ck_assert_int_eq(deflate__zlib_inflate(z, n, back, TEXT_LEN - 1),
			 -EINVAL);
	ck_assert_int_eq(deflate__zlib_inflate(z, n / 2, back, TEXT_LEN),
			 -EINVAL);
	z[1] ^= 0x40;	/* FLEVEL changed: FCHECK no longer holds */
	ck_assert_int_eq(deflate__zlib_inflate(z, n, back, TEXT_LEN), -EINVAL);
	libdeflate_free_compressor(c);
	free(t);
}
END_TEST

START_TEST(test_gzip)
{
	struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor();
	char *t = text(), back[TEXT_LEN];
	unsigned char *gz;
	size_t len, got;

	ck_assert_int_eq(deflate__gzip(t, TEXT_LEN, 1, (void **)&gz, &len), 0);
	ck_assert_uint_lt(len, TEXT_LEN / 4);
	ck_assert(gz[0] == 0x1f && gz[1] == 0x8b);	/* a gzip member */
	ck_assert_int_eq(libdeflate_gzip_decompress(dc, gz, len, back,
						    sizeof(back), &got),
			 LIBDEFLATE_SUCCESS);
	ck_assert_uint_eq(got, TEXT_LEN);
	ck_assert(!memcmp(back, t, TEXT_LEN));
	free(gz);
	libdeflate_free_decompressor(dc);
	free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("deflate");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_zlib_inflate);
	tcase_add_test(tc, test_gzip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
