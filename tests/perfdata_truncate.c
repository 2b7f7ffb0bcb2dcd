/* perfdata_truncate: robustness checks over a valid perf.data file (suite
 * 'perfdata', run under ASan+UBSan by scripts/test).
 *
 *   perfdata_truncate FILE
 *
 * 1. The file cut at many offsets, each cut in a buffer of exactly that
 *    size: file format must fail with one error line naming an offset or
 *    the section past the end whenever the cut is inside the data section,
 *    and read (features ignored with a warning) when only features are cut;
 *    pipe format fails the same way or reads up to a record boundary.
 * 2. 3000 (500 for files over 64 KiB) copies with a few random bytes
 *    changed (fixed seed): any result,
 *    but no crash, hang or sanitizer report.
 * Exit 0 when all held, 1 otherwise. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata.h"

struct msgs {
	int nr_errors;
	char error[512];
};

static void emit(void *ctx, enum diag_level level, const char *msg)
{
	struct msgs *m = ctx;

	if (level == DIAG_ERROR) {
		m->nr_errors++;
		snprintf(m->error, sizeof(m->error), "%s", msg);
	}
}

static int on_sample(void *ctx, const struct perfdata_sample *s)
{
	uint64_t *sum = ctx, i;

	/* touch what the sample points at, for ASan */
	for (i = 0; i < s->nr_callchain; i++)
		*sum += s->callchain[i];
	for (i = 0; i < s->nr_regs_user; i++)
		*sum += s->regs_user[i];
	if (s->stack_user_size)
		*sum +=
		    ((const uint8_t *)s->stack_user)[s->stack_user_size - 1];
	return 0;
}

static int on_mmap(void *ctx, const struct perfdata_mmap *m)
{
	*(uint64_t *)ctx += strlen(m->filename);
	return 0;
}

static int parse(const uint8_t *img, size_t len, struct msgs *m)
{
	static const struct perfdata_ops ops = {
	    .on_sample = on_sample,
	    .on_mmap = on_mmap,
	};
	struct diag d = {emit, m};
	uint8_t *copy = malloc(len ? len : 1);
	struct perfdata *pd;
	uint64_t sum = 0;
	int ret;

	memcpy(copy, img, len);
	memset(m, 0, sizeof(*m));
	pd = perfdata__open_mem(copy, len, "cut", &d, NULL);
	if (!pd) {
		ret = -errno;
	} else {
		ret = perfdata__read(pd, &ops, &sum);
		perfdata__free(pd);
	}
	free(copy);
	return ret;
}

int main(int argc, char **argv)
{
	FILE *f;
	uint8_t *img;
	long len;
	uint64_t data_end;
	size_t cut, step;
	bool is_pipe;
	int i, bad = 0, nr_cuts = 0, nr_ok = 0, nr_mut;
	struct msgs m;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: perfdata_truncate FILE\n");
		return 64;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	img = malloc(len);
	if (fread(img, 1, len, f) != (size_t)len)
		return 1;
	fclose(f);
	is_pipe = len >= 16 && img[8] == 16;
	data_end = len;
	if (!is_pipe && len >= 104) {
		uint64_t off, size;

		memcpy(&off, img + 40, 8);
		memcpy(&size, img + 48, 8);
		data_end = off + size;
	}
	if (parse(img, len, &m)) {
		fprintf(stderr, "%s: the whole file fails: %s\n", argv[1],
			m.error);
		return 1;
	}
	/* every offset in the first 4 KiB, then about 1500 more */
	step = len > 4096 ? (len - 4096) / 1500 + 1 : 1;
	for (cut = 0; cut < (size_t)len; cut += cut < 4096 ? 1 : step) {
		int ret = parse(img, cut, &m);

		nr_cuts++;
		if (ret == 0) {
			nr_ok++;
			if (is_pipe ? cut < 16 : cut < data_end) {
				fprintf(stderr,
					"cut at %zu: read without "
					"error\n",
					cut);
				bad = 1;
			}
			continue;
		}
		if (m.nr_errors != 1 || (!strstr(m.error, "offset 0x") &&
					 !strstr(m.error, "past the end"))) {
			fprintf(stderr, "cut at %zu: %d errors, last '%s'\n",
				cut, m.nr_errors, m.error);
			bad = 1;
		}
	}
	srand(1);
	nr_mut = len < 65536 ? 3000 : 500;
	for (i = 0; i < nr_mut; i++) {
		uint8_t *copy = malloc(len);
		int j, n = 1 + rand() % 4;

		memcpy(copy, img, len);
		for (j = 0; j < n; j++) {
			/* favour the header and record headers */
			long at = rand() % 2 ? rand() % (len < 512 ? len : 512)
					     : rand() % len;

			copy[at] = (uint8_t)rand();
		}
		parse(copy, len, &m);
		free(copy);
	}
	printf("%s: %d cuts (%d read to a record boundary), %d mutations\n",
	       argv[1], nr_cuts, nr_ok, nr_mut);
	free(img);
	return bad;
}
