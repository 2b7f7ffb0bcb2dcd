/* symbench: time symbol loading and lookups (not a test; run by hand).
 * usage: symbench DSO... ; for each DSO prints the load time, the symbol
 * count and the mean time of 15 M lookups at pseudo-random addresses inside
 * its code; then the same for /proc/kallsyms. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kallsyms.h"
#include "symtab.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define NR_LOOKUPS 15000000UL

int main(int argc, char **argv)
{
	struct symtab_paths paths;
	char buf[4096];
	int i;

	symtab__default_paths(&paths, buf, sizeof(buf));
	for (i = 1; i < argc; i++) {
		double t0 = now(), t1, t2;
		struct symtab *st = symtab__open(argv[i], NULL, 0, &paths, NULL);
		uint64_t x = 88172645463325252ULL, hits = 0, n;

		t1 = now();
		if (!st) {
			perror(argv[i]);
			continue;
		}
		for (n = 0; n < NR_LOOKUPS; n++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			hits += symtab__lookup(st, x % 0x400000, NULL) != NULL;
		}
		t2 = now();
		printf("%s: load %.1f ms, %zu symbols, lookup %.1f ns (%lu%% hit)\n",
		       argv[i], (t1 - t0) * 1e3, symtab__count(st),
		       (t2 - t1) * 1e9 / NR_LOOKUPS,
		       (unsigned long)(hits * 100 / NR_LOOKUPS));
		symtab__free(st);
	}
	{
		double t0 = now(), t1, t2;
		struct kallsyms *ks = kallsyms__open(NULL, NULL);
		uint64_t x = 88172645463325252ULL, hits = 0, n;

		t1 = now();
		if (!ks)
			return 1;
		for (n = 0; n < NR_LOOKUPS; n++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			hits += kallsyms__lookup(ks, 0xffffffff81000000ULL +
						 x % 0x1200000, NULL,
						 NULL) != NULL;
		}
		t2 = now();
		printf("kallsyms: load %.1f ms, %zu symbols, lookup %.1f ns "
		       "(%lu%% hit)\n", (t1 - t0) * 1e3, kallsyms__count(ks),
		       (t2 - t1) * 1e9 / NR_LOOKUPS,
		       (unsigned long)(hits * 100 / NR_LOOKUPS));
		kallsyms__free(ks);
	}
	return 0;
}
