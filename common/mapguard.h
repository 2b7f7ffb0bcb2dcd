/* mapguard: a mapped input that shrinks while it is read ends the tool
 * with one line, not with SIGBUS.
 *
 * A file mapped with mmap() and then truncated by another process faults
 * with SIGBUS on the first page past its new end. The readers that map
 * their input (folded__map(), perf.data, perf script text, kallsyms,
 * cache entries, ELF files through debugfile__elf_begin()) register each
 * mapping here; the first registration installs a SIGBUS handler
 * (sigaction, SA_SIGINFO) that, for a fault inside a registered mapping,
 * writes "TOOL: 'NAME' shrank while it was read" to stderr and _exit()s
 * with status 2, the tools' fatal status (TOOL is the program's name,
 * program_invocation_short_name, as each tool names itself). The mapped
 * paths pay nothing per byte or per line: the handler runs only on a
 * fault.
 *
 * This is the one place common/ writes to stderr and exits, and keeps
 * state across the process: a signal handler has no context to report to,
 * and cannot return to code that reads a page that is gone.
 *
 * A fault outside every registered mapping (or a SIGBUS sent by kill) is
 * left to whatever handled SIGBUS before: the handler puts the previous
 * action back, and the fault, repeated, meets it.
 *
 * Thread-safe: mappings are added and removed from any thread; the handler
 * reads the table without locks (async-signal-safe).
 */
#ifndef PERFFOLD_MAPGUARD_H
#define PERFFOLD_MAPGUARD_H

#include <stddef.h>

/* Guard [addr, addr + len), named name (copied) in the message. Returns 0,
 * or -ENOMEM (the mapping then goes unguarded) or the error of sigaction()
 * as a negative errno. */
int mapguard__add(const void *addr, size_t len, const char *name);

/* Stop guarding the mapping that starts at addr (before it is unmapped).
 * An address never added is a no-op. */
void mapguard__remove(const void *addr);

#endif
