/* perfrec: perf record writing into a pipe this process reads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "perfrec.h"

/* A pipe this large holds about 16 DWARF samples of 64 KB: the reader may
 * pause that long (a symbol table read) before perf has to wait. */
#define PIPE_SIZE (1 << 20)
#define COPY_SIZE (256 << 10)
#define MSG_LINE_MAX 4096

struct perfrec {
	pid_t pid;
	int data_fd;		/* perf's stdout */
	int msg_fd;		/* perf's stderr */
	int read_fd;		/* what the caller reads: data_fd, or the
				 * keeper's pipe */
	int feed_fd;		/* the keeper's end of that pipe, or -1 */
	const struct perfrec_opts *o;
	pthread_t msg_thread, keep_thread;
	bool has_msg_thread, has_keep_thread;
	unsigned nr_msg_lines;
	uint64_t nr_kept;
	bool is_capped;
	int keep_err;
};

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t k = write(fd, buf, len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

/* perf's stderr, line by line, to the caller's: its progress lines and
 * the option summary after a usage error left out. */
static void *pass_messages(void *arg)
{
	struct perfrec *rec = arg;
	static const char cut[] = "\n[...]\n";
	char line[MSG_LINE_MAX];
	size_t len = 0;
	bool is_usage = false;

	for (;;) {
		ssize_t k = read(rec->msg_fd, line + len, sizeof(line) - len);
		size_t start = 0, i;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
		for (i = 0; i < len; i++) {
			const char *l = line + start;
			size_t n = i + 1 - start;

			if (line[i] != '\n')
				continue;
			start = i + 1;
			if (starts_with(l, n, " Usage: perf record"))
				is_usage = true;
			if (is_usage || starts_with(l, n, "[ perf record:"))
				continue;
			rec->nr_msg_lines++;
			write_all(rec->o->stderr_fd, l, n);
		}
		memmove(line, line + start, len - start);
		len -= start;
		if (len == sizeof(line)) {	/* a line too long: cut it */
			if (!is_usage) {
				write_all(rec->o->stderr_fd, line, len);
				write_all(rec->o->stderr_fd, cut, sizeof(cut) - 1);
			}
			len = 0;
		}
	}
	if (len && !is_usage) {
		rec->nr_msg_lines++;
		write_all(rec->o->stderr_fd, line, len);
		write_all(rec->o->stderr_fd, "\n", 1);
	}
	return NULL;
}

/* --keep: each block to the keep file while under the cap, then on to the
 * reader; once the reader has gone (EPIPE), perf's output is drained. */
static void *keep(void *arg)
{
	struct perfrec *rec = arg;
	const struct perfrec_opts *o = rec->o;
	bool is_keeping = true, is_feeding = true;
	char *buf = malloc(COPY_SIZE);

	if (!buf) {
		rec->keep_err = ENOMEM;
		is_keeping = false;
	}
	for (;;) {
		ssize_t k = buf ? read(rec->data_fd, buf, COPY_SIZE) : 0;
		size_t n;
		int err;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n = (size_t)k;
		if (is_keeping && rec->nr_kept + n > o->keep_cap) {
			n = (size_t)(o->keep_cap - rec->nr_kept);
			rec->is_capped = true;
		}
		if (is_keeping && (err = write_all(o->keep_fd, buf, n))) {
			rec->keep_err = -err;
			diag__emit(o->diag, DIAG_WARN, "cannot write '%s': %s; "
				   "the rest of the recording is not kept",
				   o->keep_name, strerror(-err));
			is_keeping = false;
		} else if (is_keeping) {
			rec->nr_kept += n;
		}
		if (is_keeping && rec->is_capped) {
			bool is_mb = o->keep_cap >= 1 << 20;

			diag__emit(o->diag, DIAG_WARN,
				   "'%s' reached its cap of %llu %s "
				   "(--max-size): the rest of the recording is "
				   "not kept there (the graph has all of it)",
				   o->keep_name, (unsigned long long)(o->keep_cap >>
				   (is_mb ? 20 : 10)), is_mb ? "MB" : "KB");
			is_keeping = false;
		}
		if (is_feeding && write_all(rec->feed_fd, buf, (size_t)k))
			is_feeding = false;
	}
	free(buf);
	close(rec->feed_fd);
	rec->feed_fd = -1;
	return NULL;
}

/* In the child: perf's stdout and stderr on the pipes, the caller's own
 * as fds 3 and 4 for the workload. Only async-signal-safe calls. */
static void exec_perf(const struct perfrec_opts *o, int data_w, int msg_w,
		      int ready_w)
{
	int out = fcntl(1, F_DUPFD, 10), err = fcntl(2, F_DUPFD, 10);

	if (out < 0 || err < 0 || dup2(data_w, 1) < 0 || dup2(msg_w, 2) < 0 ||
	    dup2(out, 3) < 0 || dup2(err, 4) < 0)
		_exit(127);
	close(out);
	close(err);
	execvpe(o->argv[0], o->argv, o->envp);
	err = errno;
	if (write(ready_w, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

static void close_pair(int fds[2])
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

struct perfrec *perfrec__start(const struct perfrec_opts *o)
{
	struct perfrec *rec = calloc(1, sizeof(*rec));
	int data[2] = {-1, -1}, msg[2] = {-1, -1}, feed[2] = {-1, -1};
	int ready[2] = {-1, -1}, err = 0;
	ssize_t k;

	if (!rec)
		return NULL;
	rec->o = o;
	rec->feed_fd = -1;
	if (pipe2(data, O_CLOEXEC) || pipe2(msg, O_CLOEXEC) ||
	    pipe2(ready, O_CLOEXEC) ||
	    (o->keep_fd >= 0 && pipe2(feed, O_CLOEXEC))) {
		err = errno;
		goto fail;
	}
	fcntl(data[0], F_SETPIPE_SZ, PIPE_SIZE);
	if (feed[0] >= 0)
		fcntl(feed[0], F_SETPIPE_SZ, PIPE_SIZE);
	rec->pid = fork();
	if (rec->pid < 0) {
		err = errno;
		goto fail;
	}
	if (!rec->pid) {
		close(ready[0]);
		exec_perf(o, data[1], msg[1], ready[1]);
	}
	/* the exec's errno comes back on ready, closed by a good exec */
	close(ready[1]);
	ready[1] = -1;
	while ((k = read(ready[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(ready[0]);
	ready[0] = -1;
	close(data[1]);
	close(msg[1]);
	data[1] = msg[1] = -1;
	if (k == sizeof(err)) {		/* perf did not start */
		int status;

		while (waitpid(rec->pid, &status, 0) < 0 && errno == EINTR)
			;
		goto fail;
	}
	err = 0;
	rec->data_fd = data[0];
	rec->msg_fd = msg[0];
	rec->read_fd = data[0];
	if (pthread_create(&rec->msg_thread, NULL, pass_messages, rec)) {
		err = EAGAIN;
		goto fail_started;
	}
	rec->has_msg_thread = true;
	if (feed[0] >= 0) {
		rec->read_fd = feed[0];
		rec->feed_fd = feed[1];
		if (pthread_create(&rec->keep_thread, NULL, keep, rec)) {
			close(rec->feed_fd);
			rec->feed_fd = -1;
			err = EAGAIN;
			goto fail_started;
		}
		rec->has_keep_thread = true;
	}
	return rec;
fail_started:
	kill(rec->pid, SIGKILL);
	{
		struct perfrec_result res;

		perfrec__wait(rec, &res);
	}
	errno = err;
	return NULL;
fail:
	close_pair(data);
	close_pair(msg);
	close_pair(feed);
	close_pair(ready);
	free(rec);
	errno = err;
	return NULL;
}

int perfrec__fd(const struct perfrec *rec)
{
	return rec->read_fd;
}

pid_t perfrec__pid(const struct perfrec *rec)
{
	return rec->pid;
}

int perfrec__wait(struct perfrec *rec, struct perfrec_result *res)
{
	char buf[64 << 10];
	int err = 0;

	for (;;) {
		ssize_t k = read(rec->read_fd, buf, sizeof(buf));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
	}
	if (rec->has_keep_thread)
		pthread_join(rec->keep_thread, NULL);
	if (rec->has_msg_thread)
		pthread_join(rec->msg_thread, NULL);
	while (waitpid(rec->pid, &res->status, 0) < 0) {
		if (errno != EINTR) {
			err = -errno;
			break;
		}
	}
	res->nr_msg_lines = rec->nr_msg_lines;
	res->nr_kept = rec->nr_kept;
	res->is_capped = rec->is_capped;
	res->keep_err = rec->keep_err;
	if (rec->read_fd != rec->data_fd)
		close(rec->read_fd);
	close(rec->data_fd);
	close(rec->msg_fd);
	if (rec->feed_fd >= 0)
		close(rec->feed_fd);
	free(rec);
	return err;
}
