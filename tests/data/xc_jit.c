/* xc_jit: a tiny "JIT" for the perf cross-check (tests/perf_crosscheck.sh).
 * Copies a spin loop into anonymous executable memory at several places and
 * writes a /tmp/perf-PID.map whose entries nest, share starts and are
 * followed by others that rebalance perf's symbol tree, so that perf script
 * shows which entry perf's lookup picks where they overlap. x86-64 only.
 * usage: xc_jit PIDFILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* mov $0x40000,%rcx; 1: dec %rcx; jnz 1b; ret */
static const unsigned char spin[] = { 0x48, 0xc7, 0xc1, 0x00, 0x00, 0x04,
				      0x00, 0x48, 0xff, 0xc9, 0x75, 0xfb,
				      0xc3 };

/* Where the loop is copied, relative to the region. */
static const unsigned int sites[] = { 0x040, 0x0a0, 0x210, 0x250, 0x410,
				      0x600 };

int main(int argc, char **argv)
{
	unsigned char *base = mmap(NULL, 0x10000,
				   PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char path[64];
	FILE *f;
	unsigned int i, r;
	unsigned long b = (unsigned long)base;

	if (base == MAP_FAILED || argc < 2)
		return 1;
	f = fopen(argv[1], "w");
	if (!f)
		return 1;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "%lx 100 jit_outer\n", b);
	fprintf(f, "%lx 10 jit_inner\n", b + 0x40);
	fprintf(f, "%lx 40 dup_first\n", b + 0x200);
	fprintf(f, "%lx 80 dup_second\n", b + 0x200);
	fprintf(f, "%lx 20 py::f:/path with space/x.py\n", b + 0x400);
	for (i = 0; i < 20; i++)
		fprintf(f, "%lx 8 filler_%u\n", b + 0x800 + i * 8, i);
	fprintf(f, "%lx 30 late_outer\n", b + 0x5f0);
	fclose(f);
	for (i = 0; i < sizeof(sites) / sizeof(sites[0]); i++)
		memcpy(base + sites[i], spin, sizeof(spin));
	for (r = 0; r < 300; r++)
		for (i = 0; i < sizeof(sites) / sizeof(sites[0]); i++)
			((void (*)(void))(base + sites[i]))();
	return 0;
}
