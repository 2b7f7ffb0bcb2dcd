/* sinkfx: a small profile built through a folder's sink, as symbolize
 * feeds it, for the profile, pprof and speedscope suites. */
#ifndef PERFFOLD_SINKFX_H
#define PERFFOLD_SINKFX_H

#include <stdbool.h>

#include "folder.h"
#include "profile.h"

/* The fixture, in time order:
 *   app-10/10 at 1000 and 2000, periods 3 and 5: main (0x1010 in /bin/app,
 *     build id ab ab ...) -> outer with inner inlined there (0x1020);
 *   worker-10/11 at 3000, period 7: py::f:/x/f.py (JIT at 0x7000, no
 *     mapping) -> schedule (kernel, 0xffffffff81000000);
 *   app-10/10 at 4000, period 2: main alone.
 * *f (python view per python) and *p are the caller's to free. */
/* The fixture's samples into f, a folder with a sink or without. */
void sinkfx__feed(struct folder *f);
void sinkfx__build(struct folder **f, struct profile **p, bool keep_order,
		   enum folder_python python);

#endif
