/* Unit tests for common/unwind: corrupt registers and stacks end the walk
 * with a reason, never a crash. The code walked is this test's own
 * framed() (real .eh_frame), mapped at FAKE_BASE as a process would. */
#include <check.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session.h"
#include "symcache.h"
#include "unwind.h"

#define PID 42
#define FAKE_BASE 0x400000ULL
#define STACK_AT 0x7ff000000000ULL
/* perf's x86 registers in sample order for mask AX..IP (bits 0-8) */
#define MASK 0x1ffULL
enum { AX, BX, CX, DX, SI, DI, BP, SP, IP, NR_REGS };

__attribute__((noinline, optimize("no-omit-frame-pointer")))
int framed(int x);
__attribute__((noinline, optimize("no-omit-frame-pointer")))
int framed(int x)
{
	volatile int y = x * 3;

	return y + 1;
}

static uint64_t exe_base;
static char exe[4096];

static int find_base(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	exe_base = info->dlpi_addr;	/* the first object is the program */
	return 1;
}

struct fixture {
	struct session *s;
	struct symcache *sc;
	struct unwind *u;
	struct unwind_frame frames[64];
};

static void setup(struct fixture *f)
{
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	ck_assert_int_gt(n, 0);
	exe[n] = 0;
	dl_iterate_phdr(find_base, NULL);
	f->s = session__new();
	f->sc = symcache__new(NULL, NULL);
	ck_assert_ptr_nonnull(f->s);
	ck_assert_ptr_nonnull(f->sc);
	/* the whole file mapped at FAKE_BASE, pgoff 0 */
	ck_assert_int_eq(session__mmap(f->s, PID, FAKE_BASE, 0x10000000, 0,
				       exe, NULL, 0), 0);
	f->u = unwind__new(f->s, f->sc);
	ck_assert_ptr_nonnull(f->u);
}

static void teardown(struct fixture *f)
{
	unwind__free(f->u);
	symcache__free(f->sc);
	session__free(f->s);
}

/* framed() + off as the fake process sees it (PIE: file offset of the
 * text equals its ELF address here, as symtab__addr() maps it back) */
static uint64_t pc_of(uint64_t off)
{
	return FAKE_BASE + ((uint64_t)(uintptr_t)framed - exe_base) + off;
}

/* the offset in framed() just after "mov %rsp,%rbp": CFA = rbp + 16 */
static uint64_t after_mov(void)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)framed;
	int i;

	for (i = 0; i < 16; i++)
		if (p[i] == 0x48 && p[i + 1] == 0x89 && p[i + 2] == 0xe5)
			return (uint64_t)i + 3;
	ck_abort_msg("framed() does not set up a frame pointer");
	return 0;
}

static size_t walk(struct fixture *f, const uint64_t *regs,
		   const void *stack, uint64_t len, enum unwind_stop *why)
{
	return unwind__stack(f->u, PID, regs, NR_REGS, MASK, stack, len,
			     f->frames, 64, why);
}

START_TEST(test_no_registers)
{
	struct fixture f;
	enum unwind_stop why;
	uint64_t regs[NR_REGS] = {0};

	setup(&f);
	ck_assert_uint_eq(unwind__stack(f.u, PID, regs, 0, MASK, NULL, 0,
					f.frames, 64, &why), 0);
	ck_assert_int_eq(why, UNWIND_NO_REGS);
	teardown(&f);
}
END_TEST

START_TEST(test_entry_returns_to_zero)
{
	struct fixture f;
	enum unwind_stop why;
	uint64_t regs[NR_REGS] = {0}, stack[4] = {0};

	setup(&f);
	regs[IP] = pc_of(0);	/* at entry: CFA = rsp + 8, RA = [rsp] */
	regs[SP] = STACK_AT;
	ck_assert_uint_eq(walk(&f, regs, stack, sizeof(stack), &why), 1);
	ck_assert_int_eq(why, UNWIND_END);
	ck_assert_uint_eq(f.frames[0].pc, pc_of(0));
	ck_assert(f.frames[0].is_activation);
	ck_assert_uint_eq(f.frames[0].sp, STACK_AT);
	teardown(&f);
}
END_TEST

START_TEST(test_stack_copy_too_small)
{
	struct fixture f;
	enum unwind_stop why;
	uint64_t regs[NR_REGS] = {0};

	setup(&f);
	regs[IP] = pc_of(0);
	regs[SP] = STACK_AT;
	ck_assert_uint_eq(walk(&f, regs, NULL, 0, &why), 1);
	ck_assert_int_eq(why, UNWIND_STACK_END);
	teardown(&f);
}
END_TEST

START_TEST(test_cfa_below_the_copy)
{
	struct fixture f;
	enum unwind_stop why;
	uint64_t regs[NR_REGS] = {0}, stack[8] = {0};

	setup(&f);
	regs[IP] = pc_of(after_mov());
	regs[SP] = STACK_AT;
	regs[BP] = STACK_AT - 0x1000;	/* CFA = rbp + 16: below sp */
	ck_assert_uint_eq(walk(&f, regs, stack, sizeof(stack), &why), 1);
	ck_assert_int_eq(why, UNWIND_BAD_SP);
	teardown(&f);
}
END_TEST

START_TEST(test_cfa_loop)
{
	struct fixture f;
	enum unwind_stop why;
	uint64_t regs[NR_REGS] = {0}, stack[8] = {0};

	setup(&f);
	regs[IP] = pc_of(after_mov());
	regs[SP] = STACK_AT;
	/* rbp into the mapped file: the reads succeed, the CFA falls */
	regs[BP] = pc_of(0) & ~7ULL;
	ck_assert_uint_eq(walk(&f, regs, stack, sizeof(stack), &why), 1);
	ck_assert_int_eq(why, UNWIND_LOOP);
	teardown(&f);
}
END_TEST

START_TEST(test_frame_chain_through_stack)
{
	struct fixture f;
	enum unwind_stop why;
	uint64_t regs[NR_REGS] = {0}, stack[8] = {0};

	setup(&f);
	/* framed() at its body, called from framed() + 1 (a return address
	 * inside it), whose caller returns to 0 */
	regs[IP] = pc_of(after_mov());
	regs[SP] = STACK_AT;
	regs[BP] = STACK_AT + 16;
	stack[2] = STACK_AT + 48;	/* saved rbp at CFA - 16 */
	stack[3] = pc_of(after_mov() + 1);	/* RA at CFA - 8 */
	stack[6] = 0;			/* the caller's saved rbp */
	stack[7] = 0;			/* and its return address */
	ck_assert_uint_eq(walk(&f, regs, stack, sizeof(stack), &why), 2);
	ck_assert_int_eq(why, UNWIND_END);
	ck_assert(!f.frames[1].is_activation);
	ck_assert_uint_eq(f.frames[1].pc, pc_of(after_mov() + 1));
	/* the leaf's stack pointer, then the CFA of the frame called */
	ck_assert_uint_eq(f.frames[0].sp, STACK_AT);
	ck_assert_uint_eq(f.frames[1].sp, STACK_AT + 32);
	teardown(&f);
}
END_TEST

START_TEST(test_pc_in_no_mapping)
{
	struct fixture f;
	enum unwind_stop why;
	uint64_t regs[NR_REGS] = {0}, stack[2] = {0};

	setup(&f);
	regs[IP] = 0x1000;
	regs[SP] = STACK_AT;
	ck_assert_uint_eq(walk(&f, regs, stack, sizeof(stack), &why), 1);
	ck_assert_int_eq(why, UNWIND_NO_MAP);
	teardown(&f);
}
END_TEST

/* code with no CFI (here: in a file that is no ELF at all) */
#define NO_CFI_BASE 0x500000ULL

START_TEST(test_frame_pointer_fallback)
{
	struct fixture f;
	struct unwind_stats st;
	enum unwind_stop why;
	uint64_t regs[NR_REGS] = {0}, stack[8] = {0};

	setup(&f);
	ck_assert_int_eq(session__mmap(f.s, PID, NO_CFI_BASE, 0x1000, 0,
				       "/proc/self/cmdline", NULL, 0), 0);
	regs[IP] = NO_CFI_BASE + 0x10;
	regs[SP] = STACK_AT;
	regs[BP] = STACK_AT + 16;	/* plausible: in the copy, above sp */
	stack[2] = STACK_AT + 48;	/* [rbp]: the caller's rbp */
	stack[3] = NO_CFI_BASE + 0x20;	/* [rbp + 8]: return address */
	stack[6] = 0;			/* its caller: rbp 0, the psABI's */
	stack[7] = NO_CFI_BASE + 0x30;	/* ends the walk there */
	ck_assert_uint_eq(walk(&f, regs, stack, sizeof(stack), &why), 3);
	ck_assert_int_eq(why, UNWIND_END);
	ck_assert_uint_eq(f.frames[1].pc, NO_CFI_BASE + 0x20);
	unwind__stats(f.u, &st);
	ck_assert_uint_eq(st.nr_fp_steps, 2);

	regs[BP] = STACK_AT - 64;	/* below sp: not followed */
	ck_assert_uint_eq(walk(&f, regs, stack, sizeof(stack), &why), 1);
	ck_assert_int_eq(why, UNWIND_NO_CFI);
	teardown(&f);
}
END_TEST

/* DWARF begun before its DSO comes up is what the DSO then uses: the same
 * answers, and counted; a file no DSO reads is just freed. */
START_TEST(test_prefetched_dwarf)
{
	struct fixture f, g;
	const char *with[8], *without[8];
	struct unwind_stats st;
	const struct session_map *m;
	struct dso *d;
	size_t n, k;

	setup(&f);
	setup(&g);
	symcache__prefetch_dwarf(f.sc, exe);
	symcache__prefetch_dwarf(f.sc, exe);	/* once is enough */
	symcache__prefetch_dwarf(f.sc, "/nonexistent/debug");
	m = session__find_map(f.s, PID, pc_of(1));
	ck_assert_ptr_nonnull(m);
	d = symcache__dso(f.sc, m->filename, NULL, 0);
	ck_assert_ptr_nonnull(d);
	n = dso__inlines(d, dso__addr(d, m, pc_of(1)), with, 8);
	m = session__find_map(g.s, PID, pc_of(1));
	d = symcache__dso(g.sc, m->filename, NULL, 0);
	ck_assert_ptr_nonnull(d);
	k = dso__inlines(d, dso__addr(d, m, pc_of(1)), without, 8);
	ck_assert_uint_gt(n, 0);	/* this test is built with -g */
	ck_assert_uint_eq(n, k);
	ck_assert_str_eq(with[n - 1], "framed");
	ck_assert_str_eq(without[k - 1], "framed");
	unwind__stats(f.u, &st);
	ck_assert_uint_eq(st.nr_dwarf_prefetched, 1);
	unwind__stats(g.u, &st);
	ck_assert_uint_eq(st.nr_dwarf_prefetched, 0);
	teardown(&f);
	teardown(&g);
}
END_TEST

/* random registers and stacks: every walk ends, within cap */
START_TEST(test_garbage)
{
	struct fixture f;
	struct unwind_stats st;
	enum unwind_stop why;
	uint64_t regs[NR_REGS], stack[512];
	int i, j;

	setup(&f);
	srand(6);
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < NR_REGS; j++)
			regs[j] = ((uint64_t)rand() << 33) ^ (uint64_t)rand();
		regs[SP] = STACK_AT;
		regs[IP] = pc_of((uint64_t)(rand() % 64));
		for (j = 0; j < 512; j++)
			stack[j] = rand() % 3 ? pc_of((uint64_t)(rand() % 4096)) :
				   STACK_AT + (uint64_t)(rand() % 4096);
		ck_assert_uint_le(walk(&f, regs, stack,
				       (uint64_t)(rand() % 4097), &why), 64);
		ck_assert_int_lt(why, UNWIND_NR_STOPS);
	}
	unwind__stats(f.u, &st);
	ck_assert_uint_eq(st.nr_samples, 2000);
	teardown(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("unwind");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_no_registers);
	tcase_add_test(tc, test_entry_returns_to_zero);
	tcase_add_test(tc, test_stack_copy_too_small);
	tcase_add_test(tc, test_cfa_below_the_copy);
	tcase_add_test(tc, test_cfa_loop);
	tcase_add_test(tc, test_frame_chain_through_stack);
	tcase_add_test(tc, test_pc_in_no_mapping);
	tcase_add_test(tc, test_frame_pointer_fallback);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_prefetched_dwarf);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
