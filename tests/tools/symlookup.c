/* symlookup: a test driver for common/symtab and common/kallsyms.
 *
 * Reads lines "DSO ADDR" from stdin, ADDR in hex as perf script -F ip prints
 * user frames (the file offset, map_ip()); prints "NAME+0xOFF" or
 * "[unknown]" per line. DSO "[vdso]" uses this process's vdso, DSO
 * "[kernel.kallsyms]" /proc/kallsyms with ADDR absolute. Each DSO is loaded
 * once. Used by tests/perf_crosscheck.sh to compare with perf script.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symcache.h"

static int is_perf_map(const char *dso)
{
	const char *base = strrchr(dso, '/');
	size_t n = strlen(dso);

	return base && !strncmp(base + 1, "perf-", 5) && n > 4 &&
	       !strcmp(dso + n - 4, ".map");
}

/* The perf map named dso, through the cache's --perf-map-dir path. */
static const struct perfmap *perf_map(struct symcache *sc, const char *dso)
{
	const char *base = strrchr(dso, '/');
	char dir[4096];

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - dso), dso);
	if (symcache__set_perf_map_dir(sc, dir))
		return NULL;
	return symcache__perfmap(sc, atoi(base + 6));
}

int main(void)
{
	struct symcache *sc = symcache__new(NULL, NULL);
	char line[8192];

	if (!sc) {
		perror("symlookup");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *sp = strrchr(line, ' ');
		const char *name = NULL;
		uint64_t addr, off = 0;

		if (!sp) {
			fprintf(stderr, "symlookup: bad line '%s'\n", line);
			return 64;
		}
		*sp = '\0';
		addr = strtoull(sp + 1, NULL, 16);
		if (!strcmp(line, "[kernel.kallsyms]")) {
			const struct kallsyms *ks = symcache__kallsyms(sc);

			name = ks ? kallsyms__lookup(ks, addr, &off, NULL) : NULL;
		} else if (is_perf_map(line)) {
			const struct perfmap *pm = perf_map(sc, line);

			name = pm ? perfmap__lookup(pm, addr, &off) : NULL;
		} else {
			const struct dso *d = symcache__dso(sc, line, NULL, 0);
			const struct symtab *st = d ? dso__symtab(d) : NULL;

			if (st)
				name = symtab__lookup(st, symtab__addr(st, addr),
						      &off);
		}
		if (name)
			printf("%s+0x%" PRIx64 "\n", name, off);
		else
			printf("[unknown]\n");
	}
	symcache__free(sc);
	return 0;
}
