/* pager: pages mapped ahead and released behind on a thread (see pager.h).
 *
 * The reader sets targets under the lock and signals; the thread takes
 * them, advises outside the lock, and records how far it got. It never
 * maps pages the reader has already given up (ahead starts at the release
 * point at least).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pager.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14; older kernels say EINVAL */
#endif

struct pager {
	uint8_t *base;
	size_t len;
	uint64_t page;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* under lock: what the reader asks for, and what is done */
	uint64_t want_ahead, want_released;
	uint64_t ahead, released;
	bool is_stopping;
};

static uint64_t page_down(const struct pager *p, uint64_t off)
{
	off &= ~(p->page - 1);
	return off < p->len ? off : p->len;
}

static uint64_t page_up(const struct pager *p, uint64_t off)
{
	if (off > p->len)
		return p->len;
	off = (off + p->page - 1) & ~(p->page - 1);
	return off < p->len ? off : p->len;
}

static bool has_work(const struct pager *p)
{
	return p->want_ahead > p->ahead || p->want_released > p->released;
}

static void *run(void *arg)
{
	struct pager *p = arg;
	uint64_t ahead, from, released, release_from;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->is_stopping && !has_work(p))
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->is_stopping)
			break;
		ahead = p->want_ahead;
		released = p->want_released;
		release_from = p->released;
		from = p->ahead > released ? p->ahead : released;
		pthread_mutex_unlock(&p->lock);
		if (released > release_from)
			madvise(p->base + release_from, released - release_from,
				MADV_DONTNEED);
		if (ahead > from)
			madvise(p->base + from, ahead - from,
				MADV_POPULATE_READ);
		pthread_mutex_lock(&p->lock);
		if (released > p->released)
			p->released = released;
		if (ahead > p->ahead)
			p->ahead = ahead;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct pager *pager__new(void *base, size_t len)
{
	struct pager *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->base = base;
	p->len = len;
	p->page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (pthread_mutex_init(&p->lock, NULL)) {
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->cond, NULL)) {
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	if (pthread_create(&p->thread, NULL, run, p)) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

uint64_t pager__advance(struct pager *p, uint64_t pos)
{
	uint64_t want = page_up(p, pos + PAGER_AHEAD);

	pthread_mutex_lock(&p->lock);
	if (want > p->want_ahead) {
		p->want_ahead = want;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return pos + PAGER_STEP;
}

void pager__release(struct pager *p, uint64_t low)
{
	uint64_t want = page_down(p, low);

	pthread_mutex_lock(&p->lock);
	if (want > p->want_released) {
		p->want_released = want;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
}

void pager__free(struct pager *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->is_stopping = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
