/* foldedit: frame-level edits of one folded stack's text.
 *
 * A stack is `frame;frame;...;frame`, root first, without its count. Each
 * function works on the text alone: it edits the caller's buffer in place
 * and returns the new length (never longer), or answers a question about
 * it. Frames are matched by a caller's predicate (struct foldedit_match),
 * e.g. a POSIX regex run on each frame by foldedit__regex_frame().
 */
#ifndef PERFFOLD_FOLDEDIT_H
#define PERFFOLD_FOLDEDIT_H

#include <stddef.h>

/* A frame predicate: fn(ctx, frame, len) is nonzero when the frame
 * frame[0..len) (no ';', not NUL-terminated) matches. */
struct foldedit_match {
	int (*fn)(void *ctx, const char *frame, size_t len);
	void *ctx;
};

/* A predicate for struct foldedit_match: ctx is a compiled regex_t (POSIX,
 * <regex.h>), run on the frame alone, so that ^ and $ anchor at the
 * frame's bounds. Uses REG_STARTEND, so the frame need not end in NUL, but
 * a NUL must follow the stack in its buffer: the sanitizers' regexec
 * checks the bytes up to the NUL, REG_STARTEND or not. */
int foldedit__regex_frame(void *ctx, const char *frame, size_t len);

/* Merge runs of the same frame (`a;f;f;f;b` -> `a;f;b`), as FlameGraph's
 * stackcollapse-recursive.pl does. Returns the new length. */
size_t foldedit__collapse_recursion(char *s, size_t len);

/* Turn a root frame `comm-PID` or `comm-PID/TID` (PID and TID decimal or
 * `?`, as perf2folded and stackcollapse-perf.pl write them with --pid and
 * --tid) into `comm`; other stacks are left as they are. Returns the new
 * length. */
size_t foldedit__strip_pid(char *s, size_t len);

/* The offset of the first frame, from the root, that m matches, and its
 * end (the offset of the ';' after it, or len) in *end; -1 when no frame
 * matches. */
long foldedit__find(const char *s, size_t len, const struct foldedit_match *m,
		    size_t *end);

/* Re-root at the first matching frame: `a;b;F;c` -> `F;c`. Moves the kept
 * frames to the front of s and returns their length, or 0 when no frame
 * matches (the stack is to be dropped). */
size_t foldedit__focus(char *s, size_t len, const struct foldedit_match *m);

/* Cut everything below the first matching frame: `a;F;c;d` -> `a;F`, so
 * that the subtree's time goes to F. Returns the new length (len when no
 * frame matches). */
size_t foldedit__prune(const char *s, size_t len,
		       const struct foldedit_match *m);

#endif
