/* symbolize: an address of a sample -> the folded frame ids it names.
 *
 * Names every address as perf 6.1's perf script does, so both input paths
 * print the same frames: kernel addresses from kallsyms as "sym
 * ([kernel.kallsyms])" or "sym ([module])"; the JIT's memory (see
 * session.h's is_perf_map) as "/tmp/perf-PID.map", its code named by the
 * perf map (CPython's -X perf) or else the process's jitdump (3.13's -X
 * perf_jit, read directly); files through their dso's ELF symbols, and,
 * for DWARF-unwound frames, the functions inlined there from its DWARF
 * (as perf's addr2line -i); anything else "[unknown]" with the DSO name.
 * Each frame goes to the folder as a struct frame whose kind says what it
 * is, and comes back as interned ids.
 *
 * The ids are cached per (mapping, address), so each address is named
 * once per run; the kernel's by address alone.
 */
#ifndef PERFFOLD_SYMBOLIZE_H
#define PERFFOLD_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct folder;
struct session;
struct symcache;
struct symbolize;

/* Naming for folder f of the processes of s, with the binaries of sc (all
 * borrowed, must outlive it). NULL with errno = ENOMEM. */
struct symbolize *symbolize__new(struct session *s, struct symcache *sc,
				 struct folder *f);
void symbolize__free(struct symbolize *sy);

/* The ids of the frame at ip in process pid (is_kernel: a kernel
 * address), root-most first, in *ids; with_inline adds the functions
 * inlined there (DWARF-unwound frames). Names depend on the sample the
 * folder has begun (folder__is_java()). *ids is valid until the next call.
 * Returns how many, or -ENOMEM. */
int symbolize__frame(struct symbolize *sy, int32_t pid, bool is_kernel,
		     bool with_inline, uint64_t ip, const uint32_t **ids);

/* The user mapping of pid holding ip, or NULL: the one symbolize__frame()
 * would name ip in. */
const struct session_map *symbolize__map(struct symbolize *sy, int32_t pid,
					 uint64_t ip);
/* The mappings changed (MMAP, FORK): forget the ones remembered. */
void symbolize__forget_maps(struct symbolize *sy);

/* The id of the frame "[unwind stopped: REASON]" (reason: why a user
 * stack's walk ended short, unwind__stop_str()) in *id: 0, or -ENOMEM. */
int symbolize__stop_frame(struct symbolize *sy, const char *reason,
			  uint32_t *id);

struct symbolize_stats {
	uint64_t nr_unknown_frames;	/* addresses no symbol named */
	int kallsyms_restricted;	/* kernel addresses hidden here */
};

void symbolize__stats(const struct symbolize *sy,
		      struct symbolize_stats *st);

#endif
