/* jit_regions: JIT code in the three kinds of memory JIT compilers use, for
 * tests/e2e/jit_regions.sh: an anonymous mapping (//anon), one named with
 * prctl(PR_SET_VMA_ANON_NAME) ([anon:NAME], Linux 5.17+ with
 * CONFIG_ANON_VMA_NAME; left out, and said on stderr, where the kernel
 * refuses), and a memfd mapped twice, writable and executable
 * (/memfd:NAME, as .NET's doublemapper). Each gets a spin loop and a
 * /tmp/perf-PID.map entry naming it. x86-64 only.
 * usage: jit_regions PIDFILE */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

/* mov $0x40000,%rcx; 1: dec %rcx; jnz 1b; ret */
static const unsigned char spin[] = { 0x48, 0xc7, 0xc1, 0x00, 0x00, 0x04,
				      0x00, 0x48, 0xff, 0xc9, 0x75, 0xfb,
				      0xc3 };

static void *anon_code(void)
{
	void *p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	memcpy(p, spin, sizeof(spin));
	return p;
}

/* A memfd mapped writable at one address and executable at another. */
static void *memfd_code(void)
{
	int fd = memfd_create("doublemapper", 0);
	void *w, *x;

	if (fd < 0 || ftruncate(fd, 0x1000) < 0)
		exit(1);
	w = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	x = mmap(NULL, 0x1000, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED || x == MAP_FAILED)
		exit(1);
	memcpy(w, spin, sizeof(spin));
	return x;
}

int main(int argc, char **argv)
{
	void *anon = anon_code(), *named = anon_code(), *dual = memfd_code();
	void *code[3] = {anon, named, dual};
	char path[64];
	FILE *f;
	int i, r;

	if (argc < 2)
		return 1;
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)named,
		  0x1000, (unsigned long)"jitcode")) {
		fprintf(stderr, "jit_regions: no [anon:NAME] mappings here\n");
		code[1] = NULL;
	}
	f = fopen(argv[1], "w");
	if (!f)
		return 1;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "%lx 20 jit_in_anon\n", (unsigned long)anon);
	fprintf(f, "%lx 20 jit_in_named_anon\n", (unsigned long)named);
	fprintf(f, "%lx 20 jit_in_memfd\n", (unsigned long)dual);
	fclose(f);
	for (r = 0; r < 1500; r++)
		for (i = 0; i < 3; i++)
			if (code[i])
				((void (*)(void))code[i])();
	return 0;
}
