/* stacks: aggregate stacks of interned frames and print them folded.
 *
 * A stack is an array of frame ids, root first (the root is usually the
 * process name). Equal stacks are merged and their weights summed; the
 * output is one `frame;frame;... WEIGHT` line per distinct stack, sorted
 * bytewise on the text before the weight, as the folded contract requires.
 */
#ifndef PERFFOLD_STACKS_H
#define PERFFOLD_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct intern;
struct stacks;

/* A new, empty aggregate whose frame ids name strings in names (borrowed:
 * it must outlive the aggregate). NULL with errno = ENOMEM. */
struct stacks *stacks__new(const struct intern *names);
void stacks__free(struct stacks *st);

/* Add weight to the stack frames[0..nr), root first. nr may be 0 (an empty
 * stack prints as an empty line prefix). 0, or -ENOMEM. Past a few
 * thousand adds, stacks are merged on a thread of their own, so running
 * out of memory there is reported by a later add or by stacks__write(). */
int stacks__add(struct stacks *st, const uint32_t *frames, size_t nr,
		uint64_t weight);

/* Distinct stacks so far, and the sum of all weights added. */
size_t stacks__count(struct stacks *st);
uint64_t stacks__total(const struct stacks *st);

/* Write every stack, sorted, to out. 0, -ENOMEM, or -EIO when a write
 * failed (errno then says why). */
int stacks__write(struct stacks *st, FILE *out);

#endif
