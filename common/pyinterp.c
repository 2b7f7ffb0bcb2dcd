/* pyinterp: a CPython interpreter's path, version and build. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pybuild.h"
#include "pyinterp.h"

extern char **environ;

/* The oldest CPython with perf support (3.12: -X perf) and the newest
 * minor version looked for. */
#define PERF_MINOR 12
#define LAST_MINOR 15

/* Run argv (argv[0] looked up in PATH), its stdout into buf (NUL-ended,
 * cut at len - 1), its stderr discarded. The exit status (256 + signal
 * when killed), or a negative errno when it could not start. */
static int capture(char *const argv[], char *buf, size_t len)
{
	posix_spawn_file_actions_t fa;
	size_t n = 0;
	int fds[2], status, err;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		return -err;
	}
	for (;;) {
		char scratch[256];
		ssize_t k = n + 1 < len ? read(fds[0], buf + n, len - 1 - n) :
			    read(fds[0], scratch, sizeof(scratch));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (n + 1 < len)
			n += (size_t)k;
	}
	buf[n] = 0;
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   256 + WTERMSIG(status);
}

static int copy_path(const char *path, char *buf, size_t len)
{
	if (strlen(path) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, path);
	return 0;
}

/* The command name in PATH, as execvp would find it. */
static int search_path(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (strchr(name, '/'))
		return access(name, X_OK) ? -ENOENT : copy_path(name, buf, len);
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; ; p = end + 1) {
		end = strchrnul(p, ':');
		if (snprintf(buf, len, "%.*s/%s", (int)(end - p), p, name) <
			    (int)len &&
		    !access(buf, X_OK))
			return 0;
		if (!*end)
			return -ENOENT;
	}
}

static const char *pyenv_root(char *buf, size_t len)
{
	const char *root = getenv("PYENV_ROOT"), *home = getenv("HOME");

	if (root && *root)
		return root;
	if (!home || snprintf(buf, len, "%s/.pyenv", home) >= (int)len)
		return NULL;
	return buf;
}

/* Is version (a pyenv version directory's name) major.minor.patch, with
 * minor as asked (0: any)? */
static int is_release(const char *version, int minor)
{
	int maj, min, patch, end = 0;

	return sscanf(version, "%d.%d.%d%n", &maj, &min, &patch, &end) == 3 &&
	       !version[end] && maj == 3 && (!minor || min == minor);
}

/* The newest pyenv version (of minor, 0: any) whose bin/ has name. */
static int pyenv_newest(const char *name, int minor, char *buf, size_t len)
{
	char rootbuf[PATH_MAX], dir[PATH_MAX], best[NAME_MAX + 1] = "";
	const char *root = pyenv_root(rootbuf, sizeof(rootbuf));
	struct dirent *de;
	DIR *dp;

	if (!root || snprintf(dir, sizeof(dir), "%s/versions", root) >=
			     (int)sizeof(dir) || !(dp = opendir(dir)))
		return -ENOENT;
	while ((de = readdir(dp))) {
		if (!is_release(de->d_name, minor) ||
		    (*best && strverscmp(de->d_name, best) <= 0))
			continue;
		if (snprintf(buf, len, "%s/%s/bin/%s", dir, de->d_name, name) <
			    (int)len && !access(buf, X_OK))
			strcpy(best, de->d_name);
	}
	closedir(dp);
	if (!*best)
		return -ENOENT;
	snprintf(buf, len, "%s/%s/bin/%s", dir, best, name);
	return 0;
}

/* A pyenv shim: a script in a directory named shims. */
static int is_shim(const char *path)
{
	char head[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC), is = 0;

	if (fd < 0)
		return 0;
	if (read(fd, head, 2) == 2 && head[0] == '#' && head[1] == '!')
		is = strstr(path, "/shims/") != NULL;
	close(fd);
	return is;
}

int pyinterp__resolve(const char *name, char *buf, size_t len)
{
	char found[PATH_MAX], *nl;
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	int err = search_path(name, found, sizeof(found));

	if (err)
		return err;
	if (is_shim(found)) {
		char *const argv[] = {"pyenv", "which", (char *)base, NULL};

		if (capture(argv, buf, len) == 0 && (nl = strchr(buf, '\n'))) {
			*nl = 0;
			if (!access(buf, X_OK))
				return 0;
		}
		return pyenv_newest(base, 0, buf, len);
	}
	if (!realpath(found, buf))
		return -errno;
	(void)len;
	return 0;
}

/* Python 2 and 3 alike: the version, then the first mapping of libpython
 * (none when the interpreter is linked statically). */
#define PROBE_CODE \
	"import sys\n" \
	"sys.stdout.write('%d %d\\n' % sys.version_info[:2])\n" \
	"for l in open('/proc/self/maps'):\n" \
	"    f = l.split(None, 5)\n" \
	"    if len(f) == 6 and 'libpython' in f[5]:\n" \
	"        sys.stdout.write(f[5].strip() + '\\n')\n" \
	"        break\n"

int pyinterp__probe(const char *path, struct pyinterp *out)
{
	char *const argv[] = {(char *)path, "-I", "-S", "-c", PROBE_CODE, NULL};
	char buf[PATH_MAX + 64], *lib;
	int status = capture(argv, buf, sizeof(buf));

	memset(out, 0, sizeof(*out));
	if (status < 0)
		return status;
	if (status || sscanf(buf, "%d %d", &out->major, &out->minor) != 2)
		return -ENOEXEC;
	if (copy_path(path, out->path, sizeof(out->path)))
		return -ENAMETOOLONG;
	lib = strchr(buf, '\n');
	if (lib && lib[1]) {
		lib[strcspn(lib + 1, "\n") + 1] = 0;
		return copy_path(lib + 1, out->eval_file, sizeof(out->eval_file));
	}
	return copy_path(path, out->eval_file, sizeof(out->eval_file));
}

int pyinterp__of_pid(pid_t pid, struct pyinterp *out)
{
	char proc[64], line[PATH_MAX + 128];
	ssize_t n;
	FILE *maps;

	memset(out, 0, sizeof(*out));
	snprintf(proc, sizeof(proc), "/proc/%d/exe", (int)pid);
	n = readlink(proc, out->path, sizeof(out->path) - 1);
	if (n < 0)
		return -errno;
	out->path[n] = 0;
	strcpy(out->eval_file, out->path);
	snprintf(proc, sizeof(proc), "/proc/%d/maps", (int)pid);
	maps = fopen(proc, "re");
	if (!maps)
		return 0;
	while (fgets(line, sizeof(line), maps)) {
		char *file = strchr(line, '/');

		if (file && strstr(file, "libpython")) {
			file[strcspn(file, "\n")] = 0;
			copy_path(file, out->eval_file, sizeof(out->eval_file));
			break;
		}
	}
	fclose(maps);
	return 0;
}

int pyinterp__can_perf(const struct pyinterp *pi)
{
	return pi->major > 3 || (pi->major == 3 && pi->minor >= PERF_MINOR);
}

int pyinterp__find_perf(char *buf, size_t len)
{
	static const char *const dirs[] = {"/usr/bin", "/usr/local/bin"};
	char name[32];
	size_t i;
	int minor;

	for (minor = PERF_MINOR; minor <= LAST_MINOR; minor++) {
		snprintf(name, sizeof(name), "python3.%d", minor);
		if (!pyenv_newest(name, minor, buf, len))
			return 0;
		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			if (snprintf(buf, len, "%s/%s", dirs[i], name) <
				    (int)len && !access(buf, X_OK))
				return 0;
	}
	return -ENOENT;
}

int pyinterp__has_fp(const struct pyinterp *pi)
{
	char *const argv[] = {(char *)pi->path, "-c",
		"import sysconfig as s\n"
		"print(s.get_config_var('CFLAGS') or '', "
		"s.get_config_var('PY_CFLAGS_NODIST') or '')", NULL};
	char flags[8192];
	int by_code = pybuild__eval_has_fp(pi->eval_file), status;

	if (by_code == 0)
		return 0;
	status = capture(argv, flags, sizeof(flags));
	if (status)
		return status < 0 ? status : -ENOEXEC;
	return strstr(flags, "-fno-omit-frame-pointer") != NULL;
}
