/* tally: folded stacks -> self and total weight per function or per file.
 *
 * What foldtop prints. A stack's weight is added to the total of every key
 * (function or file) in it, once per stack however often the key occurs
 * (a recursive function is not counted twice), and to the self of its
 * innermost key only. Keys are frame names (TALLY_BY_FUNCTION) or the file
 * a frame belongs to (TALLY_BY_FILE, see tally__key()).
 */
#ifndef PERFFOLD_TALLY_H
#define PERFFOLD_TALLY_H

#include <stddef.h>
#include <stdint.h>

enum tally_by { TALLY_BY_FUNCTION, TALLY_BY_FILE };
enum tally_sort { TALLY_SORT_SELF, TALLY_SORT_TOTAL };

/* Count only Python frames: `qualname (path)` as perf2folded --python
 * names them, or perf's own `py::qualname:path`. A stack's self weight
 * then goes to its innermost Python frame, which includes the native code
 * that frame called. */
#define TALLY_PYTHON 0x1u

struct tally;

struct tally_entry {
	const char *name; /* the key, borrowed from the tally */
	double self, total;
};

/* A new, empty tally; NULL with errno = ENOMEM. */
struct tally *tally__new(enum tally_by by, unsigned flags);
/* Free t and everything it handed out; NULL is a no-op. */
void tally__free(struct tally *t);

/* Add one stack, stack[0..len) as in a folded line (frames separated by
 * ';', root first, no count), with its weight. 0, or -ENOMEM, after which
 * t holds part of the stack and is only fit to be freed. */
int tally__add(struct tally *t, const char *stack, size_t len, double weight);

/* The sum of the weights of all stacks added, counted or not. */
double tally__sum(const struct tally *t);
uint64_t tally__nr_stacks(const struct tally *t);

/* Every key with its weights, sorted by self or total weight, largest
 * first, ties by name (bytewise); *nr says how many. The array is owned by
 * t and valid until the next tally__add(), tally__sorted() or
 * tally__free(). NULL with errno = ENOMEM. */
const struct tally_entry *tally__sorted(struct tally *t, enum tally_sort by,
					size_t *nr);

/* The key frame name[0..len) is counted under: sets *key and *key_len and
 * returns 1, or returns 0 when the frame is not counted (TALLY_PYTHON and
 * not a Python frame). The key is a slice of name or a static string.
 *
 * By function the key is the name itself. By file it is, for a Python
 * frame, its path; for `[dso]` or `[dso <addr>]` (an unknown symbol, as
 * perf2folded names it) `dso`; for a frame annotated `_[k]`
 * `[kernel.kallsyms]`; for any other native frame, whose name does not
 * say its file, the name itself. */
int tally__key(enum tally_by by, unsigned flags, const char *name, size_t len,
	       const char **key, size_t *key_len);

#endif
