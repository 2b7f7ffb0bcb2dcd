/* xc_lib: a shared library for the perf cross-check (tests/perf_crosscheck.sh). */
#include <time.h>

__attribute__((noinline)) long xc_lib_spin(long n)
{
	volatile long s = 0;
	long i;

	for (i = 0; i < n; i++)
		s += i ^ (s >> 3);
	return s;
}

/* Calls into the vdso, so [vdso] frames appear. */
__attribute__((noinline)) long xc_lib_clock(int n)
{
	struct timespec ts;
	long s = 0;
	int i;

	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s += ts.tv_nsec;
	}
	return s;
}
