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

#include <stddef.h>

/* name demangled, as a malloc'd string the caller frees, or NULL when name
 * is not mangled (or out of memory). symtab uses it for every symbol; it is
 * also for names read elsewhere that perf would see through an ELF file,
 * such as jitdump CODE_LOAD names after perf inject. */
char *demangle__symbol(const char *name);

/* A Rust legacy symbol that perf printed half demangled, its path joined
 * by "::" but its elements still escaped and its hash kept:
 * "_$LT$alloc..vec..Vec$LT$T$GT$$GT$::push::h3c0a7d8e2f9b1c44". When
 * s[0..len) is one (its last element is "h" and 16 lowercase hex digits,
 * as rustc writes the hash), writes it as rustc-demangle shows legacy
 * symbols, "<alloc::vec::Vec<T>>::push" (escapes $LT$ $GT$ $RF$ $BP$ $SP$
 * $LP$ $RP$ $C$ $uXX$ decoded, ".." as "::", a leading "_" before "$"
 * dropped, the hash left out), to out (cap bytes) and returns its length;
 * otherwise, or when it does not fit, returns 0. An element with an
 * escape it does not know is kept from there on as it is, as
 * rustc-demangle does. */
size_t demangle__rust_legacy(const char *s, size_t len, char *out,
			     size_t cap);

#endif
