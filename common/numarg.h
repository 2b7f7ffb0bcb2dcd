/* numarg: a number given as an option's argument.
 *
 * The tools' integer options (flamerun's -F, -p and --stack-size,
 * flamesvg's --width, --height and --fontsize, foldtop's -n) take a
 * decimal integer within bounds, read one way.
 */
#ifndef PERFFOLD_NUMARG_H
#define PERFFOLD_NUMARG_H

/* s, all of it, as a decimal integer from min to max (no sign): 0 and
 * *out set, or -EINVAL (*out untouched). */
int numarg__ulong(const char *s, unsigned long min, unsigned long max,
		  unsigned long *out);

#endif
