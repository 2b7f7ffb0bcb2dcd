/* ksource: which kallsyms file names a recording's kernel.
 *
 * perf 6.1 (util/symbol.c dso__find_kallsyms()) reads /proc/kallsyms when
 * the recording names no kernel build id or when the running kernel's build
 * id (/sys/kernel/notes) is the recorded one, and otherwise the copy perf
 * record left in its build-id cache, BUILDID_DIR/[kernel.kallsyms]/ID/
 * kallsyms. Reading /proc/kallsyms costs tens of milliseconds of the
 * kernel's time, the copy a few of ours, so for the running kernel the copy
 * is read instead when it is sure to give the same names:
 *
 *   - its reference symbol (_text, perf's ref_reloc_sym) is where the
 *     recording's kernel MMAP record says it was (so the core kernel is laid
 *     out as recorded, and perf's relocation of /proc/kallsyms lands on the
 *     same addresses), and
 *   - it lists the modules /proc/modules lists now, no more, no fewer, each
 *     one's functions inside the range /proc/modules gives it (start, size).
 *     [bpf] and [__builtin__*] pseudo-modules are not in /proc/modules and
 *     are not compared.
 *
 * Where perf would find no copy for another kernel (it then names no kernel
 * frame), /proc/kallsyms is read with a warning instead.
 */
#ifndef PERFFOLD_KSOURCE_H
#define PERFFOLD_KSOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "kallsyms.h"

/* Where each input is read; tests point them at files of their own. */
struct ksource_paths {
	const char *proc_kallsyms;	/* "/proc/kallsyms" */
	const char *notes;		/* "/sys/kernel/notes" */
	const char *modules;		/* "/proc/modules" */
	const char *buildid_dir;	/* perf's cache ($HOME/.debug); NULL: none */
	const struct fcache *cache;	/* tables read before (fcache.h), or
					 * NULL */
};

/* The recorded kernel's reference symbol: the kernel MMAP record's
 * "[kernel.kallsyms]NAME" and pgoff (NAME's address at record time). */
struct ksource_ref {
	bool is_known;
	char name[8];		/* "_text" or "_stext" */
	uint64_t addr;
};

enum ksource_why {
	KSOURCE_NO_BUILD_ID,	/* no kernel build id recorded: /proc */
	KSOURCE_RUNNING,	/* the running kernel: /proc */
	KSOURCE_RUNNING_CACHE,	/* the running kernel, same answer: cache */
	KSOURCE_OTHER_CACHE,	/* another kernel: its cached copy */
	KSOURCE_OTHER_PROC,	/* another kernel, no copy: /proc, warned */
	KSOURCE_UNKNOWN_PROC,	/* notes unreadable, no copy: /proc, warned */
};

struct ksource_result {
	enum ksource_why why;
	char path[4096];	/* the file read */
	/* The copy was chosen for the running kernel before ref was known:
	 * ksource__confirm() must still compare reference addresses, and
	 * reads /proc/kallsyms for proc_why if they differ. */
	bool needs_ref_check;
	enum ksource_why proc_why;
};

/* Fill p with the system's paths and buildid_dir (borrowed); no cache. */
void ksource__default_paths(struct ksource_paths *p, const char *buildid_dir);

/* The build id in an ELF notes file such as /sys/kernel/notes (the
 * NT_GNU_BUILD_ID note) into id (cap bytes): its length, or -errno
 * (-ENOENT: no such note). */
int ksource__read_notes_build_id(const char *path, uint8_t *id, size_t cap);

/* Choose as described above for the kernel with build id (len bytes, NULL
 * for none recorded) and read the file; d gets the file's problems. ref
 * is what the recording said so far. Fills *r; returns the table (owned),
 * or NULL with errno when the chosen file is unreadable. Safe on a thread
 * of its own. */
struct kallsyms *ksource__open(const struct ksource_paths *p,
			       const uint8_t *build_id, size_t len,
			       const struct ksource_ref *ref,
			       const struct diag *d, struct ksource_result *r);

/* Once the recording's reference is final: when r->needs_ref_check and the
 * copy's reference address is not ref's (or ref is unknown), free ks and
 * read /proc/kallsyms instead (updating r). Then warn on d when the names
 * may be another kernel's, and relocate the table as perf does, by its
 * reference address minus ref's. Returns the table to use (NULL when
 * unreadable). */
struct kallsyms *ksource__confirm(const struct ksource_paths *p,
				  struct kallsyms *ks,
				  const struct ksource_ref *ref,
				  const struct diag *d,
				  struct ksource_result *r);

#endif
