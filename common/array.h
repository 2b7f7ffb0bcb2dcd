/* array: growing a malloc'd array, the one way every module does it. */
#ifndef PERFFOLD_ARRAY_H
#define PERFFOLD_ARRAY_H

#include <stddef.h>

/* Make *p (an array of *cap elements of elem bytes, or NULL) hold at least
 * need elements, doubling its capacity (from 256) as often as needed.
 * 0, or -ENOMEM with *p and *cap unchanged. */
int array__reserve(void **p, size_t *cap, size_t need, size_t elem);

/* malloc() for an array that may be large (a kernel symbol table's take
 * megabytes): from 1 MiB up, aligned to and rounded up to 2 MiB, *usable
 * bytes in all, with transparent huge pages asked for. Filling thousands of
 * fresh 4 KiB pages costs a page fault each, more than the filling (about
 * 1.5 us each on a VM); one fault per 2 MiB costs a few. Where THP is off
 * this is plain memory. Freed with free(), grown with realloc(). NULL when
 * out of memory. */
void *array__alloc_big(size_t size, size_t *usable);

#endif