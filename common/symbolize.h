/* symbolize: an address of a sample -> the folded frame ids it names.
 *
 * Names every address as perf 6.1's perf script does, so both input paths
 * print the same frames: kernel addresses from kallsyms as "sym
 * ([kernel.kallsyms])" or "sym ([module])"; the JIT's memory (see
 * session.h's is_jit) as "/tmp/perf-PID.map", its code named by the
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

/* A sample of process pid was begun in the folder: the frames added from
 * now on are its own (their names depend on it: folder__is_java()). */
void symbolize__begin(struct symbolize *sy, int32_t pid);
/* Add the frame at ip (is_kernel: a kernel address), leaf first, with the
 * functions inlined there when with_inline (DWARF-unwound frames). 0, or
 * -ENOMEM. */
int symbolize__add(struct symbolize *sy, bool is_kernel, bool with_inline,
		   uint64_t ip);
/* Add the frames of perf's callchain ips[0..nr), leaf first: its
 * PERF_CONTEXT_* markers say whether the addresses after them are the
 * kernel's; before any, is_kernel says. skip_user leaves the user part
 * out (it is unwound instead). Returns how many frames were added, or
 * -ENOMEM. */
int64_t symbolize__add_callchain(struct symbolize *sy, const uint64_t *ips,
				 uint64_t nr, bool is_kernel, bool skip_user);
/* Add the frame "[unwind stopped: REASON]" (reason: why a user stack's
 * walk ended short, unwind__stop_str()). 0, or -ENOMEM. */
int symbolize__add_stop(struct symbolize *sy, const char *reason);
/* Hand the frames added since symbolize__begin() to the folder; the
 * caller then ends the sample (folder__end()). */
void symbolize__end(struct symbolize *sy);

/* The ids of the frame at ip of process pid, root-most first, in *ids,
 * without adding them: the cache's, or named now (with_inline as for
 * symbolize__add()). *ids is valid until the next call. Returns how
 * many, or -ENOMEM. */
int symbolize__frame(struct symbolize *sy, int32_t pid, bool is_kernel,
		     bool with_inline, uint64_t ip, const uint32_t **ids);
/* The id of the frame "[unwind stopped: REASON]" in *id: 0, or -ENOMEM. */
int symbolize__stop_frame(struct symbolize *sy, const char *reason,
			  uint32_t *id);

/* The user mapping of pid holding ip, or NULL: the one a frame at ip is
 * named in. */
const struct session_map *symbolize__map(struct symbolize *sy, int32_t pid,
					 uint64_t ip);
/* The mappings changed (MMAP, FORK): forget the ones remembered. */
void symbolize__forget_maps(struct symbolize *sy);

struct symbolize_stats {
	uint64_t nr_unknown_frames;	/* addresses no symbol named */
	int kallsyms_restricted;	/* kernel addresses hidden here */
};

void symbolize__stats(const struct symbolize *sy,
		      struct symbolize_stats *st);

#endif
