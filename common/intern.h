/* intern: a set of byte strings, each stored once and named by a small id.
 *
 * Frame names are interned once per run so that stacks are arrays of ids.
 * Ids are dense, 0 .. intern__count()-1, in order of first insertion.
 */
#ifndef PERFFOLD_INTERN_H
#define PERFFOLD_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define INTERN_NONE UINT32_MAX

struct intern;

/* A new, empty set; NULL with errno = ENOMEM. */
struct intern *intern__new(void);
/* Free the set and every string in it; NULL is a no-op. */
void intern__free(struct intern *in);

/* The id of the len bytes at s, adding a copy when new. The bytes may hold
 * anything but NUL. Returns INTERN_NONE when out of memory. */
uint32_t intern__add(struct intern *in, const char *s, size_t len);
/* The id of s if present, else INTERN_NONE. */
uint32_t intern__find(const struct intern *in, const char *s, size_t len);

/* The NUL-terminated string of id, borrowed until intern__free(). */
const char *intern__str(const struct intern *in, uint32_t id);
size_t intern__len(const struct intern *in, uint32_t id);
uint32_t intern__count(const struct intern *in);

#endif
