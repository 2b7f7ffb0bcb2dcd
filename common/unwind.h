/* unwind: the user stack of a --call-graph dwarf sample, from its copied
 * registers and stack, with libdw's call-frame information.
 *
 * A sample with PERF_SAMPLE_REGS_USER and PERF_SAMPLE_STACK_USER carries the
 * user registers at the interrupt and a copy of the user stack from the
 * stack pointer up (stack_user, dyn_size bytes valid). unwind walks it frame
 * by frame as perf's libdw unwinder does (tools/perf/util/unwind-libdw.c),
 * with three differences:
 *
 *  - JIT code with a jitdump's unwind info (3.13's -X perf_jit) is
 *    unwound through that info (jitcfi), with no `perf inject`.
 *  - CPython perf trampolines of -X perf (a "py::" entry of
 *    /tmp/perf-PID.map) have no CFI. Their layout is the one the
 *    interpreter that called through them copies (dso__trampoline()),
 *    checked against the entry's size; a known layout gives the caller's
 *    frame exactly, an unknown one stops the walk with UNWIND_TRAMPOLINE.
 *  - Where a DSO has no CFI for the pc, the frame pointer is followed when
 *    it points into the copied stack.
 *  - Every stop other than the outermost frame is reported with its reason,
 *    so the caller can show where and why the stack was cut.
 *
 * unwind walks and returns addresses; it never names a frame. What it
 * knows of binaries (CFI, file bytes, trampoline layout) and of JIT code
 * it asks the symcache's dsos and JIT registry, which naming shares; per
 * sample nothing is allocated but what libdw allocates for one CFI
 * lookup. Only x86-64 registers are
 * understood (perf's PERF_SAMPLE_REGS_ABI_64 with the x86 register
 * numbering of arch/x86/include/uapi/asm/perf_regs.h).
 */
#ifndef PERFFOLD_UNWIND_H
#define PERFFOLD_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct session;
struct symcache;

/* Why a walk ended. UNWIND_END is the outermost frame (the return address
 * is undefined or zero); every other value cut the stack short. */
enum unwind_stop {
	UNWIND_END,
	UNWIND_NO_REGS,		/* no usable registers or stack copy */
	UNWIND_STACK_END,	/* read past the copied stack: copy too small */
	UNWIND_BAD_SP,		/* read below the stack pointer */
	UNWIND_NO_MAP,		/* pc in no executable mapping */
	UNWIND_NO_CFI,		/* no CFI for pc and no usable frame pointer */
	UNWIND_BAD_CFI,		/* CFI could not be evaluated */
	UNWIND_LOOP,		/* the CFA did not grow: corrupt stack */
	UNWIND_JIT,		/* JIT code with no known frame layout */
	UNWIND_TRAMPOLINE,	/* CPython trampoline of an unknown layout */
	UNWIND_DEPTH,		/* UNWIND_MAX_FRAMES reached */
	UNWIND_ARCH,		/* registers of another architecture or ABI
				 * (not walked: the caller's verdict) */
	UNWIND_NR_STOPS
};

/* Frames a walk (or a walk completed by graft.h) holds at most: 64 KB of
 * copied stack holds at most 4096 frames of 16 bytes, and a grafted stack
 * 300 Python levels deep is some 1,500 frames. */
#define UNWIND_MAX_FRAMES 4096

/* One frame, leaf first. pc is the frame's program counter; perf names
 * callers (is_activation false) at pc - 1, inside the call instruction.
 * sp is its stack pointer: the sampled one for the leaf, the CFA of the
 * frame it called for a caller (what identifies a frame across samples of
 * a thread, graft.h). */
struct unwind_frame {
	uint64_t pc, sp;
	bool is_activation;
};

struct unwind_stats {
	uint64_t nr_samples;		/* walks done */
	uint64_t nr_stops[UNWIND_NR_STOPS];
	uint64_t nr_cfi_steps;
	uint64_t nr_fp_steps;		/* frame-pointer fallbacks */
	uint64_t nr_trampoline_steps;	/* by the interpreter's layout */
	uint64_t nr_jit_cfi_steps;	/* by a jitdump's unwind info */
	uint64_t nr_dwarf_prefetched;	/* DWARF files begun by
					 * symcache__prefetch_dwarf(), then
					 * used */
};

struct unwind;

/* An unwinder over the mappings of s, finding DSOs and JIT code through
 * sc (both borrowed, must outlive it). NULL with errno = ENOMEM. */
struct unwind *unwind__new(struct session *s, struct symcache *sc);
/* Free u; NULL is a no-op. */
void unwind__free(struct unwind *u);

/* Walk the user stack of process pid: regs are the sample's regs_user
 * (nr_regs of them, laid out as the attr's sample_regs_user mask says),
 * stack the copy of dyn_size valid bytes starting at the sampled stack
 * pointer. Writes at most cap frames to out, leaf first, and returns how
 * many; *why gets the reason the walk ended. Never fails: bad data ends
 * the walk with a reason. */
size_t unwind__stack(struct unwind *u, int32_t pid, const uint64_t *regs,
		     uint32_t nr_regs, uint64_t regs_mask, const void *stack,
		     uint64_t dyn_size, struct unwind_frame *out, size_t cap,
		     enum unwind_stop *why);

/* A short lowercase phrase for a stop reason ("stack copy too small"). */
const char *unwind__stop_str(enum unwind_stop why);

/* Counters since unwind__new(). */
void unwind__stats(const struct unwind *u, struct unwind_stats *st);

#endif
