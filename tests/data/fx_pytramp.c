/* fx_pytramp: an interpreter's CPython perf trampoline template for
 * tests/unit/test_dso.c, built by tests/make_elf_fixtures.sh once per
 * layout (FX_TRAMP_SUB, _CET, _PUSH, _UNKNOWN). As CPython's
 * Python/asm_trampoline.S lays it out, the template is the code between
 * the _Py_trampoline_func_start and _Py_trampoline_func_end labels; it is
 * written as bytes so that it is the same whatever the assembler picks. */
#if defined(FX_TRAMP_SUB)
/* 3.12-3.14 x86-64: sub $8,%rsp; call *%rcx; add $8,%rsp; ret */
#define FX_BYTES ".byte 0x48, 0x83, 0xec, 0x08, 0xff, 0xd1, " \
		 "0x48, 0x83, 0xc4, 0x08, 0xc3\n"
#elif defined(FX_TRAMP_CET)
/* the same built with -fcf-protection: endbr64 first */
#define FX_BYTES ".byte 0xf3, 0x0f, 0x1e, 0xfa, " \
		 "0x48, 0x83, 0xec, 0x08, 0xff, 0xd1, " \
		 "0x48, 0x83, 0xc4, 0x08, 0xc3\n"
#elif defined(FX_TRAMP_PUSH)
/* 3.15 x86-64: push %rbp; mov %rsp,%rbp; call *%rcx; pop %rbp; ret */
#define FX_BYTES ".byte 0x55, 0x48, 0x89, 0xe5, 0xff, 0xd1, 0x5d, 0xc3\n"
#elif defined(FX_TRAMP_UNKNOWN)
/* a layout not known (sub $16 instead of $8): 11 bytes */
#define FX_BYTES ".byte 0x48, 0x83, 0xec, 0x10, 0xff, 0xd1, " \
		 "0x48, 0x83, 0xc4, 0x10, 0xc3\n"
#else
#error "define one of FX_TRAMP_SUB, _CET, _PUSH, _UNKNOWN"
#endif

__asm__(".text\n"
	".p2align 4\n"
	".globl _Py_trampoline_func_start\n"
	"_Py_trampoline_func_start:\n"
	FX_BYTES
	".globl _Py_trampoline_func_end\n"
	"_Py_trampoline_func_end:\n"
	"\tnop\n");

int main(void)
{
	return 0;
}
