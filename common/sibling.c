/* sibling: perffold tools started by another. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sibling.h"

extern char **environ;

/* name beside /proc/self/exe when there is one, else name (PATH). */
static const char *locate(const char *name, char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		if (snprintf(buf, len, "%s/%s", dirname(self), name) < (int)len &&
		    !access(buf, X_OK))
			return buf;
	}
	return name;
}

pid_t sibling__spawn(char *const *argv, int in, int out)
{
	posix_spawn_file_actions_t fa;
	char path[PATH_MAX];
	pid_t pid;
	int err;

	posix_spawn_file_actions_init(&fa);
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&fa, in, 0);
	if (out >= 0)
		posix_spawn_file_actions_adddup2(&fa, out, 1);
	err = posix_spawnp(&pid, locate(argv[0], path, sizeof(path)), &fa,
			   NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return err ? -err : pid;
}

int sibling__wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}
