/* fx_elf: an ELF fixture for tests/unit/test_symtab.c, built several ways by
 * tests/make_elf_fixtures.sh. Names are chosen to exercise perf's rules for
 * aliases (choose_best_symbol), zero-sized symbols and demangling. */
#include <stdio.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, used))

NOINLINE int fx_alpha(int x)
{
	return x * 3 + 1;
}

/* A weak alias loses to the global it aliases. */
NOINLINE int fx_beta(int x)
{
	return x ^ 0x55;
}
int fx_beta_weak(int x) __attribute__((weak, alias("fx_beta")));

/* Of global aliases: fewer leading underscores win, then the longer name. */
NOINLINE int fx_gamma(int x)
{
	return x - 7;
}
int __fx_gamma_u(int x) __attribute__((alias("fx_gamma")));
int fx_gamma_longer(int x) __attribute__((alias("fx_gamma")));

/* A global alias beats the local it aliases. */
static NOINLINE int fx_local(int x)
{
	return x + 11;
}
int fx_local_global(int x) __attribute__((alias("fx_local")));

/* Only in .symtab: a stripped binary has no name for it. */
static NOINLINE int fx_static_only(int x)
{
	return x * x + fx_local(x);
}

/* Mangled names, demangled as perf 6.1 prints them. */
NOINLINE int fx_cxx(int x) __asm__("_ZN2ns3BoxIlE4spinEi");
NOINLINE int fx_cxx(int x)
{
	return x + 2;
}
NOINLINE int fx_rust_legacy(int x) __asm__("_ZN4core3fmt5write17h0123456789abcdefE");
NOINLINE int fx_rust_legacy(int x)
{
	return x + 3;
}
NOINLINE int fx_rust_v0(int x) __asm__("_RNvCs1234_7mycrate4main");
NOINLINE int fx_rust_v0(int x)
{
	return x + 4;
}

/* A FUNC without .size and a bare label: zero-sized, they extend to the
 * next symbol. */
__asm__(".text\n"
	".p2align 4\n"
	".globl fx_asm_nosize\n"
	".type fx_asm_nosize, @function\n"
	"fx_asm_nosize:\n"
	"\tnop\n\tnop\n\tnop\n\tnop\n"
	".globl fx_asm_label\n"
	"fx_asm_label:\n"
	"\tnop\n\tnop\n\tret\n"
	".p2align 4\n"
	".globl fx_asm_after\n"
	".type fx_asm_after, @function\n"
	"fx_asm_after:\n"
	"\tret\n"
	".size fx_asm_after, 1\n");

/* Code in the writable segment, whose p_vaddr - p_offset differs from the
 * text segment's: file offsets must go through that segment's header. */
__attribute__((section(".data.fx_code"), used, noinline)) int fx_in_data(int x)
{
	return x - 1;
}

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", fx_alpha(argc) + fx_beta(argc) + fx_gamma(argc) +
			       fx_static_only(argc) + fx_cxx(argc) +
			       fx_rust_legacy(argc) + fx_rust_v0(argc) +
			       (int)getppid());
	return 0;
}
