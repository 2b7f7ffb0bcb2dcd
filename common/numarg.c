/* numarg: a number given as an option's argument (numarg.h). */
#include <errno.h>
#include <stdlib.h>

#include "numarg.h"

int numarg__ulong(const char *s, unsigned long min, unsigned long max,
		  unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	/* strtoul() takes a sign, and negates a '-' number */
	if (errno || end == s || *end || *s == '-' || *s == '+' || v < min ||
	    v > max)
		return -EINVAL;
	*out = v;
	return 0;
}
