/* diag: how common/ reports problems without printing.
 *
 * Library code never writes to stderr or exits; it calls diag__emit() and
 * the tool's hook decides wording, prefix and destination. A NULL hook (or
 * a NULL struct diag) silently drops messages.
 */
#ifndef PERFFOLD_DIAG_H
#define PERFFOLD_DIAG_H

#include <stdint.h>

enum diag_level {
	DIAG_ERROR,	/* the operation failed */
	DIAG_WARN,	/* something was skipped or degraded; counted */
	DIAG_INFO,	/* what a user asked for with -v */
};

struct diag {
	void (*emit)(void *ctx, enum diag_level level, const char *msg);
	void *ctx;
};

/* Format a message and hand it to d's hook. */
void diag__emit(const struct diag *d, enum diag_level level, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

/* For per-record problems: emit only while *count (incremented here) is at
 * most limit, so the tool shows the first few and then a summary count. */
void diag__limited(const struct diag *d, uint64_t *count, uint64_t limit,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
