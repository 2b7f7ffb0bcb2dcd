/* Unit tests for common/pbuf: bytes computed by hand from the protocol
 * buffer encoding's rules (and its documentation's own examples). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "pbuf.h"

static void expect(const struct pbuf *b, const unsigned char *want,
		   size_t len)
{
	ck_assert_int_eq(pbuf__error(b), 0);
	ck_assert_uint_eq(b->len, len);
	ck_assert_mem_eq(b->data, want, len);
}

START_TEST(test_varints)
{
	static const unsigned char want[] = {
		0x00, 0x01, 0x7f, 0x80, 0x01, 0xac, 0x02,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	};
	struct pbuf b = {0};

	pbuf__varint(&b, 0);
	pbuf__varint(&b, 1);
	pbuf__varint(&b, 127);
	pbuf__varint(&b, 128);
	pbuf__varint(&b, 300);
	pbuf__varint(&b, UINT64_MAX);	/* ten bytes, as a negative int64 */
	expect(&b, want, sizeof(want));
	pbuf__release(&b);
}
END_TEST

START_TEST(test_fields)
{
	/* the documentation's examples: field 1 = 150, field 2 =
	 * "testing", field 4 packed [3, 270, 86942]; a zero field 5 left
	 * out; then field 3, a message holding field 1 = 150 */
	static const unsigned char want[] = {
		0x08, 0x96, 0x01,
		0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g',
		0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05,
		0x1a, 0x03, 0x08, 0x96, 0x01,
		0x32, 0x00,
	};
	static const uint64_t packed[] = {3, 270, 86942};
	struct pbuf b = {0}, sub = {0};

	pbuf__uint(&b, 1, 150);
	pbuf__bytes(&b, 2, "testing", 7);
	pbuf__packed(&b, 4, packed, 3);
	pbuf__uint(&b, 5, 0);
	pbuf__packed(&b, 7, packed, 0);	/* empty: left out */
	pbuf__uint(&sub, 1, 150);
	pbuf__message(&b, 3, &sub);
	pbuf__bytes(&b, 6, NULL, 0);	/* an empty string is still there */
	expect(&b, want, sizeof(want));
	pbuf__reset(&sub);
	ck_assert_uint_eq(sub.len, 0);
	pbuf__release(&sub);
	pbuf__release(&b);
}
END_TEST

START_TEST(test_failure_is_sticky)
{
	struct pbuf b = {0}, sub = {.is_failed = true};

	pbuf__message(&b, 1, &sub);
	ck_assert_int_eq(pbuf__error(&b), -ENOMEM);
	pbuf__uint(&b, 2, 5);	/* does nothing */
	ck_assert_uint_eq(b.len, 0);
	pbuf__release(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pbuf");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nr_failed;

	tcase_add_test(tc, test_varints);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_failure_is_sticky);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nr_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nr_failed ? 1 : 0;
}
