/* demangle: perf 6.1's demangling of ELF symbol names (see demangle.h).
 * The only user of libiberty.
 */
#include <libiberty/demangle.h>

#include "demangle.h"

char *demangle__symbol(const char *name)
{
	return cplus_demangle(name, DMGL_NO_OPTS);
}
