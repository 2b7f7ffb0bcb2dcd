/* mapguard: SIGBUS in a registered mapping -> one line and the tool's fatal
 * exit (see mapguard.h).
 *
 * The table is a list of chunks of slots that only grows (a chunk is never
 * freed, so the handler can walk it at any moment). A slot goes FREE ->
 * BUSY (claimed by one thread, being filled or emptied) -> LIVE; the
 * handler reads only LIVE slots, whose fields do not change while LIVE.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapguard.h"

#define MAPGUARD_CHUNK 32
#define MAPGUARD_MSG_MAX 4096
#define MAPGUARD_EXIT 2		/* the tools' EXIT_FATAL */

enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_LIVE };

struct slot {
	atomic_int state;
	uintptr_t start;
	size_t len;
	char *name;
};

struct chunk {
	struct slot slot[MAPGUARD_CHUNK];
	struct chunk *_Atomic next;
};

static struct chunk first;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static struct sigaction previous;
static int install_err;

/* Append s to buf[*len..MAPGUARD_MSG_MAX), cut at the end. */
static void append(char *buf, size_t *len, const char *s)
{
	while (*s && *len < MAPGUARD_MSG_MAX - 1)
		buf[(*len)++] = *s++;
}

/* Only async-signal-safe calls: write(), _exit(), sigaction(), raise(). */
static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t addr = (uintptr_t)si->si_addr;
	const struct chunk *c;
	char msg[MAPGUARD_MSG_MAX];
	size_t len = 0;
	ssize_t written;
	int i;

	(void)uc;
	for (c = &first; si->si_code > 0 && c; c = atomic_load(&c->next)) {
		for (i = 0; i < MAPGUARD_CHUNK; i++) {
			const struct slot *s = &c->slot[i];

			if (atomic_load_explicit(&s->state,
						 memory_order_acquire) !=
				    SLOT_LIVE ||
			    addr - s->start >= s->len)
				continue;
			append(msg, &len, program_invocation_short_name);
			append(msg, &len, ": '");
			append(msg, &len, s->name);
			append(msg, &len, "' shrank while it was read");
			msg[len++] = '\n';
			written = write(STDERR_FILENO, msg, len);
			(void)written;	/* nothing more can be said */
			_exit(MAPGUARD_EXIT);
		}
	}
	/* Not ours: the previous action takes the repeated fault, or the
	 * signal sent again. */
	sigaction(SIGBUS, &previous, NULL);
	if (si->si_code <= 0)
		raise(sig);
}

static void install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &previous))
		install_err = -errno;
}

/* Claim a FREE slot, adding a chunk when every one is taken; NULL when
 * out of memory. */
static struct slot *claim(void)
{
	struct chunk *c = &first, *more, *expected;
	int i, want;

	for (;;) {
		for (i = 0; i < MAPGUARD_CHUNK; i++) {
			want = SLOT_FREE;
			if (atomic_compare_exchange_strong(&c->slot[i].state,
							   &want, SLOT_BUSY))
				return &c->slot[i];
		}
		more = atomic_load(&c->next);
		if (!more) {
			more = calloc(1, sizeof(*more));
			if (!more)
				return NULL;
			expected = NULL;
			if (!atomic_compare_exchange_strong(&c->next,
							    &expected, more)) {
				free(more);	/* another thread added one */
				more = expected;
			}
		}
		c = more;
	}
}

int mapguard__add(const void *addr, size_t len, const char *name)
{
	struct slot *s;
	char *copy;

	pthread_once(&install_once, install);
	if (install_err)
		return install_err;
	copy = strdup(name);
	s = copy ? claim() : NULL;
	if (!s) {
		free(copy);
		return -ENOMEM;
	}
	s->start = (uintptr_t)addr;
	s->len = len;
	s->name = copy;
	atomic_store_explicit(&s->state, SLOT_LIVE, memory_order_release);
	return 0;
}

void mapguard__remove(const void *addr)
{
	struct chunk *c;
	int i, want;

	for (c = &first; c; c = atomic_load(&c->next)) {
		for (i = 0; i < MAPGUARD_CHUNK; i++) {
			struct slot *s = &c->slot[i];

			want = SLOT_LIVE;
			if (atomic_load(&s->state) != SLOT_LIVE ||
			    s->start != (uintptr_t)addr ||
			    !atomic_compare_exchange_strong(&s->state, &want,
							    SLOT_BUSY))
				continue;
			free(s->name);
			s->name = NULL;
			atomic_store_explicit(&s->state, SLOT_FREE,
					      memory_order_release);
			return;
		}
	}
}
