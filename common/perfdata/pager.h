/* pager: the pages of a mapped file read front to back, mapped in ahead
 * of the reader and released behind it on a thread of its own.
 *
 * A page fault costs microseconds in a VM, and a file mapping's pages all
 * count in the resident set until released; both are kernel work the
 * reader would otherwise do itself (MADV_POPULATE_READ ahead,
 * MADV_DONTNEED behind, each call a few milliseconds on 100 MB). The
 * thread only ever advises: if it falls behind, the reader faults pages
 * in as usual, and every answer stays the same.
 */
#ifndef PERFFOLD_PAGER_H
#define PERFFOLD_PAGER_H

#include <stddef.h>
#include <stdint.h>

/* How far ahead of the reader pages are mapped. */
#define PAGER_AHEAD (8u << 20)
/* The reader reports its position at least this often (bytes). */
#define PAGER_STEP (2u << 20)

struct pager;

/* A pager for the mapping [base, base + len), base page-aligned; NULL
 * when no thread could be started (then nothing is done for the reader).
 * It does nothing until told: pager__advance(), pager__release(). */
struct pager *pager__new(void *base, size_t len);

/* The reader is at pos: have [pos, pos + PAGER_AHEAD) mapped. Returns the
 * position at which to call again. */
uint64_t pager__advance(struct pager *p, uint64_t pos);

/* The reader needs nothing before low any more: release those pages. */
void pager__release(struct pager *p, uint64_t low);

/* Stop the thread (it finishes the call it is in) and free the pager;
 * the mapping is the caller's. NULL is a no-op. */
void pager__free(struct pager *p);

#endif
