/* ksymbench: time kallsyms__open() (not a test; run by hand).
 * usage: ksymbench [ROUNDS [PATH]] ; prints the best of ROUNDS (5) for
 * reading PATH (/proc/kallsyms) and nothing else, for kallsyms__open() and
 * for kallsyms__open_reference(), in ms. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kallsyms.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The kernel's share: generating the text, read in 1 MiB pieces. */
static double time_read(const char *path)
{
	static char buf[1 << 20];
	double t0 = now();
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return now() - t0;
}

static double time_open(const char *path, int is_reference)
{
	double t0 = now();
	struct kallsyms *ks = is_reference ?
				      kallsyms__open_reference(path, NULL) :
				      kallsyms__open(path, NULL);

	if (!ks) {
		perror(path);
		exit(1);
	}
	t0 = now() - t0;
	kallsyms__free(ks);
	return t0;
}

int main(int argc, char **argv)
{
	int i, rounds = argc > 1 ? atoi(argv[1]) : 5;
	const char *path = argc > 2 ? argv[2] : "/proc/kallsyms";
	double best[3] = { 1e9, 1e9, 1e9 }, t;

	for (i = 0; i < rounds; i++) {
		if ((t = time_read(path)) < best[0])
			best[0] = t;
		if ((t = time_open(path, 0)) < best[1])
			best[1] = t;
		if ((t = time_open(path, 1)) < best[2])
			best[2] = t;
	}
	printf("%s, best of %d: read %.1f ms, kallsyms__open %.1f ms, "
	       "kallsyms__open_reference %.1f ms\n", path, rounds,
	       best[0] * 1e3, best[1] * 1e3, best[2] * 1e3);
	return 0;
}
