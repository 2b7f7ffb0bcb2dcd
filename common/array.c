/* array: growing a malloc'd array (see array.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "array.h"

int array__reserve(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 256;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (elem && ncap > SIZE_MAX / elem)
		return -ENOMEM;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

#define HUGE_PAGE ((size_t)2 << 20)

void *array__alloc_big(size_t size, size_t *usable)
{
	void *p;

	*usable = size;
	if (size < HUGE_PAGE / 2)
		return malloc(size);
	if (size > SIZE_MAX - HUGE_PAGE)
		return NULL;
	*usable = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (posix_memalign(&p, HUGE_PAGE, *usable))
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, *usable, MADV_HUGEPAGE);
#endif
	return p;
}
