/* frame: one frame of a sample, as an input path hands it to the folder.
 *
 * Both input paths name frames as perf script does (symbol and DSO as perf
 * prints them), so that their folded stacks agree; what they know beyond
 * the text differs. The perf.data path knows what each frame is (kernel,
 * inlined, Python, JIT, native code of a DSO) and says so in kind. The
 * perf script path knows only the text: its frames are FRAME_TEXT, and
 * frame__kind_of_text() reads their kind from it once per distinct frame.
 */
#ifndef PERFFOLD_FRAME_H
#define PERFFOLD_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes borrowed from elsewhere, not NUL-terminated. */
struct slice {
	const char *s;
	size_t len;
};

enum frame_kind {
	FRAME_TEXT,		/* perf script text: see frame__kind_of_text() */
	FRAME_NATIVE,		/* other native code: C extensions, libc, ... */
	FRAME_INTERP,		/* native code of the interpreter (python,
				 * libpython): --python folds it away */
	FRAME_PYTHON,		/* a Python function: a "py::" trampoline of
				 * CPython's perf map */
	FRAME_JIT,		/* other JIT code (perf map, jitdump) */
	FRAME_KERNEL,
	FRAME_INLINED,		/* a function inlined into the frame below */
};

struct frame {
	enum frame_kind kind;
	struct slice sym;	/* symbol as perf names it; empty or
				 * "[unknown]" when nothing named it */
	struct slice dso;	/* the binary as perf prints it; empty for
				 * FRAME_INLINED */
	/* the address perf prints (for --addrs): as printed (perf script
	 * text), else addr */
	struct slice pc;
	uint64_t addr;
	/* perf script text: symbol through DSO as printed, or empty; equal
	 * raw text names the same frame */
	struct slice raw;
};

/* The kind the text of a perf script frame says: "py::" symbols are
 * Python, a DSO "inlined" (perf's "(inlined)") inlined, kernel DSOs
 * (frame__is_kernel_dso()) but [vdso] kernel, JIT DSOs
 * (frame__is_jit_dso()) JIT, interpreter DSOs interpreter code, the rest
 * native. */
enum frame_kind frame__kind_of_text(const struct frame *f);

/* The DSO named dso is a CPython interpreter: its file name begins with
 * "python" or "libpython". */
bool frame__is_interpreter(struct slice dso);

/* The kernel frame rule of --kernel: FlameGraph's (stackcollapse-perf.pl:
 * a DSO name "[...]" or ending in "vmlinux", not containing "unknown"),
 * and a kernel image perf found by its version, "vmlinux-VERSION" (as a
 * file name; "[vmlinux-VERSION]" is "[...]"). */
bool frame__is_kernel_dso(struct slice dso);

/* The JIT frame rule of --jit: FlameGraph's ("/tmp/perf-PID.map" in the
 * DSO name), and "jitted-PID-N.so", the DSOs perf inject --jit writes (as
 * a file name, in any directory). */
bool frame__is_jit_dso(struct slice dso);

#endif
