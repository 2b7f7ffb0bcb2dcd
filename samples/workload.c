/* Benchmark workload: deep, varied native stacks for perf record -g.
 *
 * 48 distinct functions call each other in a fixed pseudo-random pattern,
 * so samples carry 20-35 frames over a few thousand distinct stacks, like a
 * real program's. Built with frame pointers so `perf record -g` sees every
 * frame. Usage: workload SECONDS (runs on two threads).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NR_FUNCS 48

typedef uint64_t (*fn_t)(uint64_t state, int depth);
static fn_t funcs[NR_FUNCS];
static volatile int stop;

static uint64_t step(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* Each function spins a little, then calls its usual successor (or, one
 * time in sixteen, another one), until the depth drawn at the root (20-35)
 * is reached. */
#define DEFINE_FUNC(n)                                                   \
	static __attribute__((noinline)) uint64_t func_##n(uint64_t s,      \
							   int depth)      \
	{                                                                   \
		int i;                                                      \
		for (i = 0; i < 40 + (n) * 3; i++)                          \
			s = step(s);                                        \
		if (depth > 0)                                              \
			s ^= funcs[((n) * 7 + 3 + ((s >> 7) % 16 == 0 ?     \
				    (s >> 11) % 5 : 0)) % NR_FUNCS](s, depth - 1); \
		__asm__ volatile("" : "+r"(s));                             \
		return s;                                                   \
	}
#define DEFINE8(a) DEFINE_FUNC(a##0) DEFINE_FUNC(a##1) DEFINE_FUNC(a##2) \
	DEFINE_FUNC(a##3) DEFINE_FUNC(a##4) DEFINE_FUNC(a##5)             \
	DEFINE_FUNC(a##6) DEFINE_FUNC(a##7)
DEFINE8(1) DEFINE8(2) DEFINE8(3) DEFINE8(4) DEFINE8(5) DEFINE8(6)
#define REF8(a) func_##a##0, func_##a##1, func_##a##2, func_##a##3, \
	func_##a##4, func_##a##5, func_##a##6, func_##a##7

static void *worker(void *arg)
{
	uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1, sink = 0;

	while (!stop) {
		s = step(s);
		sink += funcs[s % 8](s, 17 + (int)(s >> 40) % 16);
	}
	return (void *)(uintptr_t)sink;
}

int main(int argc, char **argv)
{
	fn_t all[NR_FUNCS] = {REF8(1), REF8(2), REF8(3), REF8(4), REF8(5), REF8(6)};
	struct timespec ts = {argc > 1 ? atoi(argv[1]) : 5, 0};
	pthread_t t[2];
	int i;

	for (i = 0; i < NR_FUNCS; i++)
		funcs[i] = all[i];
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i + 1));
	nanosleep(&ts, NULL);
	stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return 0;
}
