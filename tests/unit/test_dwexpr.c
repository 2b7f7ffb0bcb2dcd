/* Unit tests for common/dwexpr. */
#include <check.h>
#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>

#include "dwexpr.h"

#define OP(a) {.atom = (a)}
#define OPN(a, n) {.atom = (a), .number = (n)}

static bool read_fake(void *ctx, uint64_t addr, uint64_t *val)
{
	(void)ctx;
	if (addr != 0x1000)
		return false;
	*val = 0xabcd;
	return true;
}

static uint64_t regs[17];

static int run(const Dwarf_Op *ops, size_t nops, uint64_t *val,
	       bool *is_value)
{
	const struct dwexpr_ctx c = {
		.regs = regs, .valid = (1u << 7) | (1u << 16), .nr_regs = 17,
		.cfa = 0x2000, .read = read_fake,
	};

	return dwexpr__eval(&c, ops, nops, val, is_value);
}

/* binutils' x86-64 PLT CFA: rsp + 8 + ((rip & 15) >= 11) << 3 */
START_TEST(test_plt_cfa)
{
	static const Dwarf_Op plt[] = {
		OPN(DW_OP_breg7, 8), OPN(DW_OP_breg16, 0), OP(DW_OP_lit15),
		OP(DW_OP_and), OP(DW_OP_lit11), OP(DW_OP_ge), OP(DW_OP_lit3),
		OP(DW_OP_shl), OP(DW_OP_plus),
	};
	uint64_t v;
	bool is_value;

	regs[7] = 0x7ffc0000;
	regs[16] = 0x401025;	/* & 15 = 5: before the push */
	ck_assert_int_eq(run(plt, 9, &v, &is_value), 0);
	ck_assert_uint_eq(v, 0x7ffc0008);
	ck_assert(!is_value);
	regs[16] = 0x40102c;	/* & 15 = 12: after it */
	ck_assert_int_eq(run(plt, 9, &v, &is_value), 0);
	ck_assert_uint_eq(v, 0x7ffc0010);
}
END_TEST

START_TEST(test_cfa_offset_rules)
{
	/* libdw's offset(-16) and val_offset(8) */
	static const Dwarf_Op at[] = {
		OP(DW_OP_call_frame_cfa), OPN(DW_OP_plus_uconst, (uint64_t)-16),
	};
	static const Dwarf_Op val[] = {
		OP(DW_OP_call_frame_cfa), OPN(DW_OP_plus_uconst, 8),
		OP(DW_OP_stack_value),
	};
	static const Dwarf_Op deref[] = {
		OPN(DW_OP_constu, 0x1000), OP(DW_OP_deref),
	};
	uint64_t v;
	bool is_value;

	ck_assert_int_eq(run(at, 2, &v, &is_value), 0);
	ck_assert_uint_eq(v, 0x1ff0);
	ck_assert(!is_value);
	ck_assert_int_eq(run(val, 3, &v, &is_value), 0);
	ck_assert_uint_eq(v, 0x2008);
	ck_assert(is_value);
	ck_assert_int_eq(run(deref, 2, &v, &is_value), 0);
	ck_assert_uint_eq(v, 0xabcd);
}
END_TEST

START_TEST(test_refused)
{
	static const Dwarf_Op unknown_reg[] = {OPN(DW_OP_breg3, 0)};
	static const Dwarf_Op bad_read[] = {OP(DW_OP_lit1), OP(DW_OP_deref)};
	static const Dwarf_Op branch[] = {OP(DW_OP_lit1), OPN(DW_OP_bra, 2)};
	static const Dwarf_Op underflow[] = {OP(DW_OP_plus)};
	Dwarf_Op deep[20];
	uint64_t v;
	bool is_value;
	int i;

	ck_assert_int_eq(run(unknown_reg, 1, &v, &is_value), -EINVAL);
	ck_assert_int_eq(run(bad_read, 2, &v, &is_value), -EFAULT);
	ck_assert_int_eq(run(branch, 2, &v, &is_value), -ENOTSUP);
	ck_assert_int_eq(run(underflow, 1, &v, &is_value), -EINVAL);
	ck_assert_int_eq(run(NULL, 0, &v, &is_value), -EINVAL);
	for (i = 0; i < 20; i++)
		deep[i] = (Dwarf_Op)OP(DW_OP_lit1);
	ck_assert_int_eq(run(deep, 20, &v, &is_value), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dwexpr");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_plt_cfa);
	tcase_add_test(tc, test_cfa_offset_rules);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
