/* xc_prog: a C workload for the perf cross-check (tests/perf_crosscheck.sh):
 * static and global functions, recursion, a shared library, the vdso and
 * system calls. Built -fno-omit-frame-pointer, as PIE and as non-PIE. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long xc_lib_spin(long n);
long xc_lib_clock(int n);

static __attribute__((noinline)) long leaf_static(long n)
{
	volatile long s = 1;
	long i;

	for (i = 0; i < n; i++)
		s = s * 3 + i;
	return s;
}

__attribute__((noinline)) long recurse(int depth, long n)
{
	if (depth == 0)
		return leaf_static(n) + xc_lib_spin(n);
	return recurse(depth - 1, n) + 1;
}

__attribute__((noinline)) long do_syscalls(int n)
{
	long s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += getppid();
	return s;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	long t = 0;
	int r;

	for (r = 0; r < rounds; r++) {
		t += recurse(r % 7, 20000);
		t += xc_lib_clock(2000);
		t += do_syscalls(200);
	}
	printf("%ld\n", t & 1);
	return 0;
}
