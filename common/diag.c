/* diag: formatting side of the diagnostics hook (see diag.h). */
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

static void vemit(const struct diag *d, enum diag_level level,
		  const char *fmt, va_list ap)
{
	char msg[1024];

	if (!d || !d->emit)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	d->emit(d->ctx, level, msg);
}

void diag__emit(const struct diag *d, enum diag_level level, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(d, level, fmt, ap);
	va_end(ap);
}

void diag__limited(const struct diag *d, uint64_t *count, uint64_t limit,
		   const char *fmt, ...)
{
	va_list ap;

	if (++*count > limit)
		return;
	va_start(ap, fmt);
	vemit(d, DIAG_WARN, fmt, ap);
	va_end(ap);
}
