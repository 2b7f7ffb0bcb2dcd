/* jitfile: perf's rules for reading a JIT's files (see jitfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitfile.h"

int jitfile__open(const char *path, bool force, const struct diag *d)
{
	struct stat st;
	int fd, flags;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!force && st.st_uid && st.st_uid != geteuid()) {
		diag__emit(d, DIAG_WARN, "'%s' is owned by uid %u, neither you "
			   "nor root: not read, as perf would not (--force "
			   "reads it)", path, (unsigned)st.st_uid);
		return -EPERM;
	}
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		diag__emit(d, DIAG_WARN, "'%s' is not a regular file: not read",
			   path);
		return -EINVAL;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}
