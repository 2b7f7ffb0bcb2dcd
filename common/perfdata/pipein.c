/* pipein: a pipe read on a thread into a bounded queue (see pipein.h).
 *
 * The queue is a list of chunks, each one read(); the reader copies out of
 * the oldest. Chunks are kept on a free list for the next reads, so a
 * stream of them costs no page faults.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pipein.h"

struct chunk {
	struct chunk *next;
	size_t len, pos;	/* bytes read into data, bytes taken out */
	uint8_t data[PIPEIN_CHUNK];
};

struct pipein {
	int fd;
	size_t max_chunks;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* the queue changed, or stop */
	/* under lock */
	struct chunk *reading;	/* the drainer's alone until joined */
	struct chunk *head, *tail, *spare;
	size_t nr_queued;	/* chunks from head to tail */
	int err;		/* the read's errno */
	bool is_eof, is_stopping;
	uint64_t max_queued;
};

static struct chunk *take_spare(struct pipein *p)
{
	struct chunk *c;

	pthread_mutex_lock(&p->lock);
	c = p->spare;
	if (c)
		p->spare = c->next;
	pthread_mutex_unlock(&p->lock);
	return c ? c : malloc(sizeof(*c));
}

/* Room for one more chunk, or stopping: false when stopping. */
static bool wait_room(struct pipein *p)
{
	bool go;

	pthread_mutex_lock(&p->lock);
	while (!p->is_stopping && p->nr_queued >= p->max_chunks)
		pthread_cond_wait(&p->cond, &p->lock);
	go = !p->is_stopping;
	pthread_mutex_unlock(&p->lock);
	return go;
}

static void *drain(void *arg)
{
	struct pipein *p = arg;
	struct chunk *c;
	ssize_t n;
	int queued;

	/* cancelled only inside read(), never holding the lock */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	while (wait_room(p)) {
		queued = 0;
		c = take_spare(p);
		if (!c) {
			n = -1;
			errno = ENOMEM;
		} else {
			ioctl(p->fd, FIONREAD, &queued);
			p->reading = c;	/* freed by pipein__free() if
					 * cancelled in the read */
			pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
			n = read(p->fd, c->data, sizeof(c->data));
			pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
			p->reading = NULL;
			if (n < 0 && errno == EINTR) {
				free(c);
				continue;
			}
		}
		pthread_mutex_lock(&p->lock);
		if ((uint64_t)queued > p->max_queued)
			p->max_queued = (uint64_t)queued;
		if (n <= 0) {
			p->err = n < 0 ? errno : 0;
			p->is_eof = true;
			free(c);
		} else {
			c->len = (size_t)n;
			c->pos = 0;
			c->next = NULL;
			if (p->tail)
				p->tail->next = c;
			else
				p->head = c;
			p->tail = c;
			p->nr_queued++;
		}
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		if (n <= 0)
			break;
	}
	return NULL;
}

struct pipein *pipein__new(int fd, size_t max_bytes)
{
	struct pipein *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->fd = fd;
	p->max_chunks = max_bytes / PIPEIN_CHUNK ? max_bytes / PIPEIN_CHUNK : 1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (pthread_create(&p->thread, NULL, drain, p)) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

ssize_t pipein__read(struct pipein *p, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t ret;

	pthread_mutex_lock(&p->lock);
	while (!p->head && !p->is_eof)
		pthread_cond_wait(&p->cond, &p->lock);
	while (p->head && got < len) {
		struct chunk *c = p->head;
		size_t n = c->len - c->pos;

		if (n > len - got)
			n = len - got;
		memcpy((uint8_t *)buf + got, c->data + c->pos, n);
		c->pos += n;
		got += n;
		if (c->pos == c->len) {
			p->head = c->next;
			if (!p->head)
				p->tail = NULL;
			c->next = p->spare;
			p->spare = c;
			p->nr_queued--;
		}
	}
	pthread_cond_broadcast(&p->cond);
	ret = got || !p->err ? (ssize_t)got : -p->err;
	pthread_mutex_unlock(&p->lock);
	return ret;
}

uint64_t pipein__max_queued(struct pipein *p)
{
	uint64_t n;

	pthread_mutex_lock(&p->lock);
	n = p->max_queued;
	pthread_mutex_unlock(&p->lock);
	return n;
}

static void free_chunks(struct chunk *c)
{
	struct chunk *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
}

void pipein__free(struct pipein *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->is_stopping = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_cancel(p->thread);	/* acted on only inside its read() */
	pthread_join(p->thread, NULL);
	free(p->reading);
	free_chunks(p->head);
	free_chunks(p->spare);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
