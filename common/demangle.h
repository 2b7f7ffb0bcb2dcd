/* demangle: symbol names as perf 6.1 prints them for user-space ELF
 * symbols.
 *
 * perf's demangle_sym() (tools/perf/util/symbol-elf.c) calls
 * bfd_demangle(), here libiberty's cplus_demangle(), with DMGL_NO_OPTS: C++
 * without parameter lists ("ns::Box<long>::spin"), Rust legacy names
 * without their hash ("core::fmt::write"), Rust v0 names. The Rust pass
 * perf runs after it finds nothing left to do on libiberty's output.
 */
#ifndef PERFFOLD_DEMANGLE_H
#define PERFFOLD_DEMANGLE_H

/* name demangled, as a malloc'd string the caller frees, or NULL when name
 * is not mangled (or out of memory). symtab uses it for every symbol; it is
 * also for names read elsewhere that perf would see through an ELF file,
 * such as jitdump CODE_LOAD names after perf inject. */
char *demangle__symbol(const char *name);

#endif
