/* session: what perf.data says about processes, threads and their mappings,
 * as of the record being processed.
 *
 * Follows perf's own model (tools/perf/util/machine.c, thread.c, maps.c):
 * threads belong to processes; a process has one address space of
 * executable mappings, sorted, where a new mapping replaces the parts of
 * older ones it overlaps; FORK of a new process copies its parent's
 * mappings (its JIT memory as mappings of the child's own, with new ids:
 * their contents diverge after the fork); COMM (exec included) renames the thread and keeps the maps, as
 * perf 6.1 does. Feed records in the order perfdata delivers them.
 */
#ifndef PERFFOLD_SESSION_H
#define PERFFOLD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct session;

/* One executable mapping. Shared by copies of an address space; borrowed
 * until session__free(). */
struct session_map {
	uint64_t start, end, pgoff;
	const char *filename;		/* as recorded, e.g. "//anon" */
	uint8_t build_id[20];
	uint8_t build_id_size;		/* 0 when none was recorded */
	uint32_t id;			/* unique per mapping record (and per
					 * forked copy of JIT memory) */
	bool is_jit;			/* JIT code, by the name (session.c's
					 * is_jit_name()): named as
					 * "/tmp/perf-PID.map" from the perf
					 * map or jitdump, and unwound through
					 * them */
};

struct session_thread {
	int32_t pid, tid;
	const char *comm;		/* ":TID" until a COMM names it */
	size_t comm_len;
};

/* A new, empty session; NULL with errno = ENOMEM. */
struct session *session__new(void);
void session__free(struct session *s);

/* MMAP/MMAP2 of process pid: [start, start+len) at file offset pgoff.
 * build_id may be NULL. 0 or -ENOMEM. */
int session__mmap(struct session *s, int32_t pid, uint64_t start,
		  uint64_t len, uint64_t pgoff, const char *filename,
		  const uint8_t *build_id, uint8_t build_id_size);
/* COMM: thread tid of process pid is now called comm. */
int session__comm(struct session *s, int32_t pid, int32_t tid,
		  const char *comm);
/* FORK: tid of process pid was created by ptid of ppid. */
int session__fork(struct session *s, int32_t pid, int32_t ppid, int32_t tid,
		  int32_t ptid);

/* The thread tid of process pid, created (with comm ":TID") when unknown.
 * NULL only when out of memory. Borrowed until the next call that changes
 * the session. */
const struct session_thread *session__thread(struct session *s, int32_t pid,
					     int32_t tid);

/* The mapping of process pid holding addr, or NULL. */
struct session_map *session__find_map(struct session *s, int32_t pid,
				      uint64_t addr);

#endif
