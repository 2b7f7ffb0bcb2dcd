/* cachefx: damaging a cache entry from a test (see cachefx.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachefx.h"

/* Bytes from the start of an entry that fcache's own checks cover (its
 * header and key are shorter). */
#define CACHEFX_SKIP 128

void cachefx__open(struct cachefx *fx, const char *dir, const char *kind)
{
	char cmd[PATH_MAX + 64];
	FILE *f;
	long len;

	snprintf(cmd, sizeof(cmd), "ls -d '%s'/*/%s-*", dir, kind);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(fx->path, sizeof(fx->path), f));
	ck_assert_ptr_null(fgets(cmd, sizeof(cmd), f));	/* only one */
	pclose(f);
	fx->path[strcspn(fx->path, "\n")] = '\0';
	f = fopen(fx->path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	ck_assert_int_gt(len, 2 * CACHEFX_SKIP);
	fx->len = (size_t)len;
	fx->good = malloc(fx->len);
	rewind(f);
	ck_assert_uint_eq(fread(fx->good, 1, fx->len, f), fx->len);
	fclose(f);
	fx->seed = 7;
}

void cachefx__damage(struct cachefx *fx, int nr_flips)
{
	unsigned char *bad = malloc(fx->len);
	FILE *f;
	int i;

	memcpy(bad, fx->good, fx->len);
	for (i = 0; i < nr_flips; i++)
		bad[CACHEFX_SKIP + rand_r(&fx->seed) % (fx->len - CACHEFX_SKIP)] ^=
			(unsigned char)(1 + rand_r(&fx->seed) % 255);
	f = fopen(fx->path, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bad, 1, fx->len, f), fx->len);
	fclose(f);
	free(bad);
}

void cachefx__close(struct cachefx *fx)
{
	free(fx->good);
	fx->good = NULL;
}
