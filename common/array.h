/* array: growing a malloc'd array, the one way every module does it. */
#ifndef PERFFOLD_ARRAY_H
#define PERFFOLD_ARRAY_H

#include <stddef.h>

/* Make *p (an array of *cap elements of elem bytes, or NULL) hold at least
 * need elements, doubling its capacity (from 256) as often as needed.
 * 0, or -ENOMEM with *p and *cap unchanged. */
int array__reserve(void **p, size_t *cap, size_t need, size_t elem);

#endif
