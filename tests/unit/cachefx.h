/* cachefx: damaging a cache entry (common/fcache.c) from a test, the
 * same way in every suite that keeps something in a cache. */
#ifndef PERFFOLD_TEST_CACHEFX_H
#define PERFFOLD_TEST_CACHEFX_H

#include <limits.h>
#include <stddef.h>

/* The one entry of a kind in a cache directory, as it was written. */
struct cachefx {
	char path[PATH_MAX + 64];
	unsigned char *good;
	size_t len;
	unsigned int seed;
};

/* Find the one entry of kind under dir (fails the test unless there is
 * exactly one) and remember its bytes. */
void cachefx__open(struct cachefx *fx, const char *dir, const char *kind);
/* Rewrite the entry as it was with nr_flips random bytes of its payload
 * (past the cache's own header and key, which fcache checks) changed. */
void cachefx__damage(struct cachefx *fx, int nr_flips);
void cachefx__close(struct cachefx *fx);

#endif
