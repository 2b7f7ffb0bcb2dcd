/* Unit tests for common/jitcfi, over the unwind info CPython 3.13.0's
 * -X perf_jit wrote into a jitdump for one x86-64 trampoline
 * (sub $8,%rsp; call *%rcx; add $8,%rsp; ret: 11 bytes). */
#include <check.h>
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "jitcfi.h"

/* UNWINDING_INFO payload: .eh_frame (48 bytes) then .eh_frame_hdr (20) */
static const uint8_t unwind_info[68] = {
	0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x7a, 0x52, 0x00,
	0x01, 0x78, 0x10, 0x01, 0x1b, 0x0c, 0x07, 0x08, 0x90, 0x01, 0x00, 0x00,
	0x14, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0xd0, 0xff, 0xff, 0xff,
	0x0b, 0x00, 0x00, 0x00, 0x00, 0x44, 0x0e, 0x10, 0x46, 0x0e, 0x08, 0x00,
	0x01, 0x1b, 0x03, 0x3b, 0xcc, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00,
	0xc0, 0xff, 0xff, 0xff, 0xe8, 0xff, 0xff, 0xff,
};

#define CODE 0x7f03c48cc110ULL

/* The CFA rule at code offset off: rsp + *cfa_off. */
static void cfa_at(struct jitcfi *jc, uint64_t off, int64_t *cfa_off)
{
	Dwarf_CFI *cfi;
	Dwarf_Frame *fr;
	Dwarf_Op *ops;
	size_t nops;
	uint64_t addr;
	uint32_t id;

	cfi = jitcfi__table(jc, unwind_info, 48, unwind_info + 48, 20, CODE,
			    CODE + off, &addr, &id);
	ck_assert_ptr_nonnull(cfi);
	ck_assert_uint_eq(id, 0);
	ck_assert_int_eq(dwarf_cfi_addrframe(cfi, addr, &fr), 0);
	ck_assert_int_eq(dwarf_frame_cfa(fr, &ops, &nops), 0);
	ck_assert_uint_eq(nops, 1);
	ck_assert_uint_eq(ops[0].atom, DW_OP_bregx);
	ck_assert_uint_eq(ops[0].number, 7);	/* rsp */
	*cfa_off = (int64_t)ops[0].number2;
	free(fr);
}

START_TEST(test_trampoline_rows)
{
	struct jitcfi *jc = jitcfi__new();
	int64_t off;

	cfa_at(jc, 0, &off);
	ck_assert_int_eq(off, 8);	/* entry */
	cfa_at(jc, 5, &off);
	ck_assert_int_eq(off, 16);	/* the call, where callers return */
	cfa_at(jc, 10, &off);
	ck_assert_int_eq(off, 8);	/* ret */
	jitcfi__free(jc);
	jitcfi__free(NULL);
}
END_TEST

START_TEST(test_unknown_header_encoding)
{
	struct jitcfi *jc = jitcfi__new();
	uint8_t bad[68];
	uint64_t addr;
	uint32_t id;

	memcpy(bad, unwind_info, sizeof(bad));
	bad[48 + 3] = 0x1b;	/* a pcrel table: not what is understood */
	ck_assert_ptr_null(jitcfi__table(jc, bad, 48, bad + 48, 20, CODE,
					 CODE, &addr, &id));
	ck_assert_ptr_null(jitcfi__table(jc, bad, 48, bad + 48, 8, CODE,
					 CODE, &addr, &id));
	jitcfi__free(jc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jitcfi");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_trampoline_rows);
	tcase_add_test(tc, test_unknown_header_encoding);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
