/* flamerun: profile a Python program and draw its flame graph, in one go.
 *
 * Chooses the interpreter (the one named, if it can do perf), checks the
 * script and where the output goes, runs `perf record -o -` (perfrec) and
 * folds its pipe as the records arrive, in this process, with the pipeline
 * perf2folded uses (perfdata, datafold, folder): memory follows the
 * distinct stacks, not the length of the run (but for speedscope's
 * timeline: each thread's samples in order), and nothing of the recording
 * is written unless --keep asks. With --format pprof or speedscope the
 * same pass fills a profile too (folder__new_both()). Then it writes
 * PROG.folded and the graph (write_graph(), the one place a format is
 * chosen: the SVG here, pprof and speedscope files by perfconv's writers,
 * perf2pprof's and perf2speedscope's) and prints the hottest Python
 * functions (foldtop). Signals stop the recording, not flamerun:
 * the graph of what was recorded is still written.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "datafold.h"
#include "diag.h"
#include "fcache.h"
#include "flametree.h"
#include "folded.h"
#include "folder.h"
#include "numarg.h"
#include "palette.h"
#include "perfcmd.h"
#include "perfconv.h"
#include "perfdata.h"
#include "perfrec.h"
#include "profile.h"
#include "pycmd.h"
#include "pyinterp.h"
#include "sibling.h"
#include "svgwrite.h"

#define TOOL "flamerun"

/* Exit statuses besides the program's own (passed on: its exit status, or
 * 128 + the signal that killed it). */
enum {
	EXIT_USAGE = 2,		/* bad options, or nothing to run */
	EXIT_NO_RECORDING = 3,	/* perf could not record */
	EXIT_NO_GRAPH = 4,	/* recorded, but no graph written */
};

#define MAX_STACK_SIZE 65528	/* the most perf copies per sample */
#define DEFAULT_MAX_SIZE (2ULL << 30)
#define TOP_ROWS "10"

enum mode { MODE_AUTO, MODE_FP, MODE_DWARF };
/* What the graph is written as (--format, any of them): bits. */
enum format {
	FORMAT_SVG = 1,
	FORMAT_PPROF = 2,	/* PROG.pb.gz, as perf2pprof */
	FORMAT_SPEEDSCOPE = 4,	/* PROG.speedscope.json, as perf2speedscope */
};
#define FORMAT_PROFILE (FORMAT_PPROF | FORMAT_SPEEDSCOPE)

struct opts {
	const char *output;		/* -o; default PROG.svg */
	unsigned long hz;
	double duration;		/* seconds; 0: until the end */
	pid_t pid;			/* -p */
	const char *title;
	const char *keep;		/* --keep FILE */
	unsigned long long max_size;	/* every file written */
	enum datafold_clock clock;
	enum mode mode;
	unsigned long stack_size;
	const char *before;		/* --compare */
	bool is_which_python;
	unsigned formats;		/* enum format bits; 0: the SVG */
	char **cmd;			/* the command, or --which-python's name */
	int nr_cmd;
};

const char *argp_program_version = TOOL " " PERFFOLD_VERSION;

/* The recording, as the signal handlers see it: perf's pid (0 before
 * perf starts, -1 once it has ended) and how many stop signals came. */
static volatile sig_atomic_t perf_pid;
static volatile sig_atomic_t nr_stops, stop_signal, is_duration_over;

static void emit(void *ctx, enum diag_level level, const char *msg)
{
	(void)ctx;
	if (level != DIAG_INFO)
		fprintf(stderr, TOOL ": %s\n", msg);
}

static const struct diag diag = {.emit = emit};

#define say(...) diag__emit(&diag, DIAG_WARN, __VA_ARGS__)

/* Kill perf's children (the workload) and perf, from a signal handler:
 * only async-signal-safe calls. */
static void kill_recording(void)
{
	char path[64], buf[256];
	pid_t child = 0;
	ssize_t n, i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
		 (int)perf_pid, (int)perf_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? 0 : read(fd, buf, sizeof(buf));
	for (i = 0; i < n; i++) {
		if (buf[i] >= '0' && buf[i] <= '9') {
			child = child * 10 + (buf[i] - '0');
			continue;
		}
		if (child > 0)
			kill(child, SIGKILL);
		child = 0;
	}
	if (fd >= 0)
		close(fd);
	kill(perf_pid, SIGKILL);
}

/* SIGINT, SIGTERM, SIGHUP: the first stops the recording (perf, told with
 * SIGINT, ends the program it runs with SIGTERM, or detaches from -p) and
 * the graph is still written; the second ends everything at once. */
static void on_stop(int sig)
{
	if (++nr_stops == 1 && perf_pid) {
		stop_signal = sig;
		if (perf_pid > 0)
			kill(perf_pid, SIGINT);
		return;
	}
	if (perf_pid > 0)
		kill_recording();
	_exit(128 + sig);
}

/* --duration is over: stop as on a first signal, but it is no failure. */
static void on_alarm(int sig)
{
	(void)sig;
	is_duration_over = 1;
	if (perf_pid > 0)
		kill(perf_pid, SIGINT);
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop, .sa_flags = SA_RESTART};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	/* writes past --max-size fail with EFBIG instead of killing us; a
	 * reader gone (the keep thread's pipe) is EPIPE */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

/* ---- the interpreter and the program ---- */

struct target {
	struct pyinterp py;
	char name[256];		/* PROG: the outputs' base name */
	char title[1024];
	const char *script;	/* the script run, or NULL (-c, -m, -p) */
	char *const *args;	/* the interpreter's arguments */
	int nr_args;
};

/* An interpreter (python3, /usr/bin/python3.12), not a script such as
 * python_tool.py. */
static bool is_python_name(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(base);

	return !strncmp(base, "python", 6) &&
	       !(len > 3 && !strcmp(base + len - 3, ".py"));
}

/* The interpreter named (or, none named, python3 if it can do perf, else
 * one that can): 0, or EXIT_USAGE after saying why it cannot be used. */
static int choose_python(const char *name, struct pyinterp *py)
{
	char path[PATH_MAX], can[PATH_MAX];
	bool has_can;
	int err;

	if (!name) {
		if (!pyinterp__resolve("python3", path, sizeof(path)) &&
		    !pyinterp__probe(path, py) && pyinterp__can_perf(py))
			return 0;
		if (pyinterp__find_perf(can, sizeof(can))) {
			say("no CPython 3.12 or newer found (perf support "
			    "needs 3.12+): install one, e.g. 'pyenv install "
			    "3.12'");
			return EXIT_USAGE;
		}
		name = can;
	}
	err = pyinterp__resolve(name, path, sizeof(path));
	if (!err)
		err = pyinterp__probe(path, py);
	if (err) {
		say("cannot run '%s' as Python: %s", name,
		    err == -ENOEXEC ? "it does not answer as a Python does" :
				      strerror(-err));
		return EXIT_USAGE;
	}
	if (!pyinterp__can_perf(py)) {
		has_can = !pyinterp__find_perf(can, sizeof(can));
		say("'%s' (%s) is Python %d.%d: perf support needs 3.12 or "
		    "newer%s%s", name, path, py->major, py->minor,
		    has_can ? "; run flamerun -- " : "", has_can ? can : "");
		return EXIT_USAGE;
	}
	return 0;
}

/* The script, named and checked before anything is recorded. */
static int check_script(struct target *t)
{
	int i = pycmd__script(t->args, t->nr_args, t->name, sizeof(t->name));

	if (i == -ENOENT) {
		say("no program to run");
		return EXIT_USAGE;
	}
	if (i < 0)
		return 0;
	t->script = t->args[i];
	if (access(t->script, R_OK)) {
		say("cannot read '%s': %s: nothing recorded", t->script,
		    strerror(errno));
		return EXIT_USAGE;
	}
	return 0;
}

static void join_title(struct target *t, char *const *words, int nr)
{
	size_t len = 0;
	int i;

	t->title[0] = 0;
	for (i = 0; i < nr && len < sizeof(t->title); i++)
		len += (size_t)snprintf(t->title + len, sizeof(t->title) - len,
					"%s%s", i ? " " : "", words[i]);
}

static int choose_target(const struct opts *o, struct target *t)
{
	char map[64];
	int err;

	if (o->pid) {
		err = pyinterp__of_pid(o->pid, &t->py);
		if (err) {
			say("no process %d (%s)", (int)o->pid, strerror(-err));
			return EXIT_USAGE;
		}
		snprintf(map, sizeof(map), "/tmp/perf-%d.map", (int)o->pid);
		if (access(map, F_OK)) {
			snprintf(map, sizeof(map), "/tmp/jit-%d.dump",
				 (int)o->pid);
			if (access(map, F_OK))
				say("warning: process %d has no "
				    "/tmp/perf-%d.map yet: was it started with "
				    "-X perf or PYTHONPERFSUPPORT=1?",
				    (int)o->pid, (int)o->pid);
		}
		snprintf(map, sizeof(map), "%s-%d", basename(t->py.path),
			 (int)o->pid);
		pycmd__name(map, t->name, sizeof(t->name));
		snprintf(t->title, sizeof(t->title), "python process %d",
			 (int)o->pid);
		return 0;
	}
	if (is_python_name(o->cmd[0])) {
		err = choose_python(o->cmd[0], &t->py);
		t->args = o->cmd + 1;
		t->nr_args = o->nr_cmd - 1;
	} else {
		err = choose_python(NULL, &t->py);
		t->args = o->cmd;
		t->nr_args = o->nr_cmd;
	}
	return err ? err : check_script(t);
}

/* The directory a file goes in must exist and be writable: checked before
 * recording, so that a run is never lost for want of a place to put it. */
static int check_dir(const char *file, const char *what)
{
	char buf[PATH_MAX];
	const char *dir;

	if (strlen(file) >= sizeof(buf))
		return EXIT_USAGE;
	strcpy(buf, file);
	dir = dirname(buf);
	if (access(dir, W_OK | X_OK)) {
		say("cannot write %s '%s': %s '%s': %s", what, file,
		    errno == ENOENT ? "no directory" : "directory", dir,
		    strerror(errno));
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- recording ---- */

struct recording {
	struct folder *folder;
	struct profile *profile;	/* the folder's sink too, or NULL */
	struct datafold_stats st;
	bool has_data;		/* perf's stream had a header */
	bool is_cut;		/* the stream not read to its end */
	struct perfrec_result res;
	char open_err[512];	/* why the stream could not be read */
};

/* The stream's first error is kept, not printed: when perf failed to
 * start, perf's own message says why, not "empty input". */
static void keep_open_error(void *ctx, enum diag_level level, const char *msg)
{
	struct recording *r = ctx;

	if (level == DIAG_ERROR && !r->open_err[0])
		snprintf(r->open_err, sizeof(r->open_err), "%s", msg);
}

static void start_timer(double seconds)
{
	struct itimerval it = {0};

	it.it_value.tv_sec = (time_t)seconds;
	it.it_value.tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) *
					    1e6);
	if (!it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Run perf and fold its pipe into r->folder as it arrives. 0, or an exit
 * status when nothing could be recorded. */
static int record(const struct opts *o, const struct perfcmd *cmd,
		  struct recording *r)
{
	struct diag open_diag = {keep_open_error, r};
	struct datafold_opts dopts = {.clock = o->clock};
	struct perfrec_opts ro = {
		.argv = cmd->argv, .envp = cmd->envp, .stderr_fd = 2,
		.keep_fd = -1,
		.keep_name = o->keep, .keep_cap = o->max_size, .diag = &diag,
	};
	struct rlimit fsize = {o->max_size, o->max_size};
	struct fcache *cache = NULL;
	struct perfrec *rec;
	struct perfdata *pd;
	char dir[PATH_MAX];
	int err;

	if (o->keep) {
		ro.keep_fd = open(o->keep, O_WRONLY | O_CREAT | O_TRUNC |
				  O_CLOEXEC, 0644);
		if (ro.keep_fd < 0) {
			say("cannot write '%s' (--keep): %s", o->keep,
			    strerror(errno));
			return EXIT_USAGE;
		}
	}
	rec = perfrec__start(&ro);
	if (!rec) {
		say("cannot run perf: %s%s", strerror(errno), errno == ENOENT ?
		    " (install it: apt-get install linux-perf)" : "");
		err = EXIT_NO_RECORDING;
		goto out;
	}
	perf_pid = perfrec__pid(rec);
	/* a cap on every file written from here on (keep checks its own) */
	setrlimit(RLIMIT_FSIZE, &fsize);
	if (o->duration > 0)
		start_timer(o->duration);
	if (fcache__default_dir(dir, sizeof(dir)))
		cache = fcache__new(dir);
	dopts.cache = cache;
	pd = perfdata__open_fd(perfrec__fd(rec), NULL, 0, "perf's pipe",
			       &open_diag, NULL);
	if (pd) {
		r->has_data = true;
		r->is_cut = datafold__read(pd, r->folder, &dopts, &diag,
					   &r->st) != 0;
		if (r->is_cut && perf_pid > 0)
			kill(perf_pid, SIGINT);	/* reported: stop */
		if (r->profile)
			perfconv__build_ids(r->profile, pd);
		perfdata__free(pd);
	}
	err = perfrec__wait(rec, &r->res);
	perf_pid = -1;
	setitimer(ITIMER_REAL, &(struct itimerval){0}, NULL);
	fcache__free(cache);
out:
	if (ro.keep_fd >= 0)
		close(ro.keep_fd);
	return err ? EXIT_NO_RECORDING : 0;
}

/* perf could not record: its own message (passed on) says why; add the
 * perf_event_paranoid advice only where that is what stops it. */
static void explain_failure(const struct opts *o, const struct recording *r)
{
	const int status = r->res.status;
	int paranoid = 0;
	FILE *f;

	if (WIFEXITED(status))
		say("perf could not record (exit status %d)%s",
		    WEXITSTATUS(status),
		    r->res.nr_msg_lines ? ": see its message above" : "");
	else
		say("perf was killed by signal %d before recording",
		    WTERMSIG(status));
	if (!r->res.nr_msg_lines && r->open_err[0])
		say("%s", r->open_err);
	if (geteuid() == 0)
		return;
	f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	if (!f || fscanf(f, "%d", &paranoid) != 1)
		paranoid = 0;
	if (f)
		fclose(f);
	/* 3 (Debian's default): no perf for unprivileged users; sched_switch
	 * samples carry raw tracepoint data, which needs -1 */
	if (paranoid > 2 || (o->clock != DATAFOLD_CPU && paranoid > -1))
		say("kernel.perf_event_paranoid is %d, which forbids this "
		    "recording to a user without CAP_PERFMON: run 'sudo "
		    "sysctl kernel.perf_event_paranoid=%d' or flamerun as "
		    "root", paranoid, o->clock != DATAFOLD_CPU ? -1 : 2);
}

/* What the recording lost or could not unwind, with flamerun's advice;
 * view is the recording's (its clock). */
static void report_recording(const struct opts *o,
			     const struct perfconv_opts *view,
			     const struct recording *r)
{
	char lost[64];
	const struct perfconv_advice advice = {
		.lost = lost,
		.stack = o->stack_size < MAX_STACK_SIZE ?
			 "try --stack-size 65528" : NULL,
	};

	snprintf(lost, sizeof(lost), "a lower rate: -F %lu", o->hz / 2);
	perfconv__report_data(&r->st, r->is_cut, NULL, view, &advice, &diag);
}

/* ---- writing ---- */

static int write_folded(struct folder *f, const char *path)
{
	FILE *out = fopen(path, "w");
	int err = out ? folder__write(f, out) : -errno;

	if (out && fclose(out) && !err)
		err = -errno;
	if (err) {
		say("cannot write '%s': %s%s", path, strerror(-err),
		    err == -EFBIG ? " (over --max-size)" : "");
		if (out)
			unlink(path);	/* no stacks rather than some */
		return EXIT_NO_GRAPH;
	}
	return 0;
}

struct svg_input {
	struct folded_read rd;
	struct flametree *tree;
	double factor;
};

static int add_line(void *ctx, const struct folded_line *fl)
{
	struct svg_input *in = ctx;

	return flametree__add(in->tree, fl->stack, fl->stack_len, 0,
			      fl->count[0] * in->factor);
}

/* The flame graph of the folded stacks, as flamesvg --colors python draws
 * it; weights in ms for cpu-clock (nanoseconds), us for the others. */
static int write_svg(const struct opts *o, const struct target *t,
		     const char *folded, const char *path)
{
	struct svg_opts so = {
		.frame_height = 16, .font_size = 12, .font_type = "Verdana",
		.min_width = 0.1, .name_type = "Function:",
		.bgcolors = "yellow", .title = o->title ? o->title : t->title,
		.count_name = o->clock == DATAFOLD_CPU ? "ms" : "us",
		.subtitle = o->clock == DATAFOLD_WALL ?
			"wall-clock time: on the CPU and off it ([off-cpu: "
			"...] frames), microseconds" :
			o->clock == DATAFOLD_OFFCPU ?
			"time off the CPU, microseconds" : NULL,
	};
	struct svg_input in = {
		.rd = {.nr_counts = 1, .is_one_count = 1, .diag = &diag,
		       .max_reports = 10},
		.tree = flametree__new(0),
		.factor = o->clock == DATAFOLD_CPU ? 1e-6 : 1,
	};
	struct palette *pal = palette__new(PALETTE_PYTHON);
	char *files[] = {(char *)folded};
	int status = EXIT_NO_GRAPH, err;
	FILE *out = NULL;

	if (!in.tree || !pal) {
		say("out of memory");
		goto out;
	}
	flametree__prune_below(in.tree, svgwrite__min_fraction(&so));
	if (folded__read_files(files, 1, &in.rd, add_line, &in))
		goto out;
	if (flametree__finish(in.tree)) {
		say("out of memory");
		goto out;
	}
	out = fopen(path, "w");
	err = out ? svgwrite__render(in.tree, pal, &so, out) : -EIO;
	if (out && fclose(out) && !err)
		err = -EIO;
	if (err) {
		say("cannot write '%s': %s%s", path,
		    strerror(err == -EIO ? errno : -err),
		    errno == EFBIG ? " (over --max-size)" : "");
		if (out)
			unlink(path);
		goto out;
	}
	status = 0;
out:
	palette__free(pal);
	flametree__free(in.tree);
	return status;
}

/* ---- the other tools: report and comparison ---- */

/* Run a tool with stdin and stdout as given (-1: ours) and wait for it:
 * true when it ended 0 or 1 (some lines skipped, said). */
static pid_t spawn_tool(char *const *argv, int in, int out)
{
	pid_t pid;

	fflush(stdout);
	pid = sibling__spawn(argv, in, out);
	if (pid < 0)
		say("cannot run %s: %s", argv[0], strerror(-pid));
	return pid;
}

static bool tool_ok(pid_t pid, const char *name)
{
	int status = pid < 0 ? -1 : sibling__wait(pid);

	if (status == 0 || status == 1)
		return true;
	if (pid >= 0)
		say("%s failed", name);
	return false;
}

static const char *unit(const struct opts *o)
{
	return o->clock == DATAFOLD_CPU ? "ns" : "samples";
}

/* The ten hottest Python functions by self and by total time. */
static void print_report(const struct opts *o, const char *folded)
{
	static const char *const by[] = {"self", "total"};
	const char *what = o->clock == DATAFOLD_CPU ? "time" :
			   o->clock == DATAFOLD_WALL ?
			   "wall time, in microseconds" :
			   "off-cpu time, in microseconds";
	int i;

	for (i = 0; i < 2; i++) {
		char *argv[] = {"foldtop", "--python", "--unit",
			(char *)unit(o), "--sort", (char *)by[i], "-n",
			TOP_ROWS, (char *)folded, NULL};

		printf("\nhottest Python functions by %s %s:\n", by[i], what);
		tool_ok(spawn_tool(argv, -1, -1), "foldtop");
	}
}

static const char *base_name(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(base);

	if (n > 7 && !strcmp(base + n - 7, ".folded"))
		n -= 7;
	snprintf(buf, len, "%.*s", (int)n, base);
	return buf;
}

/* BEFORE -> AFTER: folddiff into flamesvg, drawn at the widths before,
 * then foldtop's table of the functions whose self time changed most. */
static int compare(const struct opts *o, const char *before, const char *after,
		   const char *diff_svg)
{
	char title[1024], b[256], a[256], abs[PATH_MAX];
	char *diff[] = {"folddiff", (char *)before, (char *)after, NULL};
	char *svg[] = {"flamesvg", "--colors", "python", "--widths", "before",
		"--title", title, "--countname",
		o->clock == DATAFOLD_CPU ? "ms" : "us", "--factor",
		o->clock == DATAFOLD_CPU ? "0.000001" : "1", NULL};
	char *top[] = {"foldtop", "--python", "--unit", (char *)unit(o),
		"--compare", (char *)before, "-n", TOP_ROWS, (char *)after,
		NULL};
	int fds[2], out;
	pid_t p1, p2;
	bool ok;

	snprintf(title, sizeof(title), "%s -> %s: the change (blue: shrank, "
		 "red: grew), at the widths before",
		 base_name(before, b, sizeof(b)), base_name(after, a, sizeof(a)));
	out = open(diff_svg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		say("cannot write '%s': %s", diff_svg, strerror(errno));
		return EXIT_NO_GRAPH;
	}
	if (pipe2(fds, O_CLOEXEC)) {
		close(out);
		return EXIT_NO_GRAPH;
	}
	p1 = spawn_tool(diff, -1, fds[1]);
	close(fds[1]);
	p2 = spawn_tool(svg, fds[0], out);
	close(fds[0]);
	close(out);
	ok = tool_ok(p1, "folddiff");
	if (!tool_ok(p2, "flamesvg") || !ok)
		return EXIT_NO_GRAPH;
	printf("flamerun: differential flame graph: %s\n",
	       realpath(diff_svg, abs) ? abs : diff_svg);
	printf("\nPython functions whose self time changed most:\n");
	tool_ok(spawn_tool(top, -1, -1), "foldtop");
	return 0;
}

/* --compare BEFORE.folded AFTER.folded: two runs, nothing recorded. */
static int compare_files(const struct opts *o)
{
	const char *after = o->cmd[0];
	char out[PATH_MAX], b[256];

	if (access(o->before, R_OK) || access(after, R_OK)) {
		say("cannot read '%s': %s", access(o->before, R_OK) ?
		    o->before : after, strerror(errno));
		return EXIT_USAGE;
	}
	if (o->output)
		snprintf(out, sizeof(out), "%.*s.diff.svg",
			 (int)(strlen(o->output) -
			       (strlen(o->output) > 4 &&
				!strcmp(o->output + strlen(o->output) - 4,
					".svg") ? 4 : 0)), o->output);
	else
		snprintf(out, sizeof(out), "%s.diff.svg",
			 base_name(after, b, sizeof(b)));
	return compare(o, o->before, after, out);
}

/* --which-python [NAME]: the interpreter flamerun would run. */
static int which_python(const struct opts *o)
{
	struct pyinterp py;
	int err = choose_python(o->nr_cmd ? o->cmd[0] : NULL, &py);

	if (err)
		return err;
	printf("%s\n", py.path);
	return 0;
}

/* ---- the run ---- */

static enum mode choose_mode(const struct opts *o, const struct pyinterp *py)
{
	int has_fp;

	if (o->mode != MODE_AUTO)
		return o->mode;
	/* frame pointers make cheap, whole stacks; without them only DWARF
	 * unwinding (through CPython's trampolines) reaches main */
	has_fp = pyinterp__has_fp(py);
	if (has_fp < 0)
		say("warning: cannot tell whether %s keeps frame pointers "
		    "(%s); using DWARF call graphs", py->eval_file,
		    strerror(-has_fp));
	return has_fp > 0 ? MODE_FP : MODE_DWARF;
}

/* The program's exit status from perf's: perf passes the workload's on
 * (and dies by the signal that killed it); stopped by us, it dies by our
 * SIGINT. */
static int program_status(const struct opts *o, int status)
{
	if (is_duration_over && !stop_signal)
		return 0;
	if (stop_signal)
		return 128 + stop_signal;
	if (o->pid)
		return WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void print_path(const char *what, const char *path)
{
	char abs[PATH_MAX];

	printf("flamerun: %s: %s\n", what, realpath(path, abs) ? abs : path);
}

/* pprof's or speedscope's file at path, by write, from the profile the
 * pass filled, with the view (--python, the clock) of the folded stacks.
 * 0 or EXIT_NO_GRAPH (said). */
static int write_profile(const struct perfconv_opts *view,
			 const struct recording *r, const char *path,
			 perfconv_write_fn *write)
{
	struct perfconv_opts po = *view;
	struct folder_stats st;

	po.output = path;
	folder__stats(r->folder, &st);
	return perfconv__write_profile(&po, &st, r->profile,
				       folder__names(r->folder), write,
				       &diag) ? EXIT_NO_GRAPH : 0;
}

struct outputs {
	char svg[PATH_MAX], folded[PATH_MAX], diff_svg[PATH_MAX];
	char pprof[PATH_MAX], speedscope[PATH_MAX];
};

/* The graph in each format asked for: the one place a format plugs in.
 * pprof and speedscope keep what folded stacks drop (addresses and
 * binaries, time order): the profile the same pass filled. */
static int write_graph(const struct opts *o, const struct target *t,
		       const struct outputs *out,
		       const struct perfconv_opts *view,
		       const struct recording *r)
{
	if ((o->formats & FORMAT_SVG) &&
	    write_svg(o, t, out->folded, out->svg))
		return EXIT_NO_GRAPH;
	if ((o->formats & FORMAT_PPROF) &&
	    write_profile(view, r, out->pprof, perfconv__write_pprof))
		return EXIT_NO_GRAPH;
	if ((o->formats & FORMAT_SPEEDSCOPE) &&
	    write_profile(view, r, out->speedscope,
			  perfconv__write_speedscope))
		return EXIT_NO_GRAPH;
	return 0;
}

static int run(const struct opts *o)
{
	static struct outputs out;	/* PATH_MAX five times: not on the stack */
	/* the recording's view, as perf2pprof's --python [--wall] */
	static struct perfconv_opts view = {
		.prog = TOOL, .folder = {.python = FOLDER_PYTHON_FOLD},
	};
	struct folder_opts fo = {.python = FOLDER_PYTHON_FOLD};
	struct folder_sink sink;
	struct perfcmd cmd = {0};
	struct recording r = {0};
	struct target t = {0};
	struct folder_stats fst;
	size_t base_len;
	enum mode mode;
	int status;

	catch_signals();
	if (o->is_which_python)
		return which_python(o);
	if (o->before && !o->pid && o->nr_cmd == 1 && strlen(o->cmd[0]) > 7 &&
	    !strcmp(o->cmd[0] + strlen(o->cmd[0]) - 7, ".folded"))
		return compare_files(o);
	if (o->before && access(o->before, R_OK)) {
		say("cannot read '%s' (--compare): %s: give the .folded file "
		    "an earlier flamerun wrote", o->before, strerror(errno));
		return EXIT_USAGE;
	}
	status = choose_target(o, &t);
	if (status)
		return status;
	snprintf(out.svg, sizeof(out.svg), "%s", o->output ? o->output : t.name);
	base_len = strlen(out.svg);
	if (base_len > 4 && !strcmp(out.svg + base_len - 4, ".svg"))
		base_len -= 4;
	else if (!o->output)
		strcat(out.svg, ".svg");
#define BESIDE(field, ext) snprintf(out.field, sizeof(out.field), "%.*s" ext, \
				    (int)base_len, out.svg)
	BESIDE(folded, ".folded");
	BESIDE(diff_svg, ".diff.svg");
	BESIDE(pprof, ".pb.gz");
	BESIDE(speedscope, ".speedscope.json");
#undef BESIDE
	if (check_dir(out.svg, "the graph") ||
	    (o->keep && check_dir(o->keep, "the recording (--keep)")))
		return EXIT_USAGE;
	mode = choose_mode(o, &t.py);
	if (perfcmd__build(&(struct perfcmd_opts){
			.events = o->clock == DATAFOLD_WALL ? PERFCMD_WALL :
				  o->clock == DATAFOLD_OFFCPU ? PERFCMD_OFFCPU :
				  PERFCMD_CPU,
			.hz = o->hz, .is_fp = mode == MODE_FP,
			.stack_size = o->stack_size, .pid = o->pid,
			.ring_kb = perfcmd__ring_kb(geteuid() == 0,
				sysconf(_SC_NPROCESSORS_CONF)),
			.python = t.py.path, .args = t.args,
			.nr_args = t.nr_args}, &cmd)) {
		say("out of memory");
		return EXIT_USAGE;
	}
	if (o->pid)
		say("recording pid %d (%s call graphs, %lu Hz)", (int)o->pid,
		    mode == MODE_FP ? "fp" : "dwarf", o->hz);
	else
		say("recording %s -X perf %s (%s call graphs, %lu Hz; "
		    "PYTHONPERFSUPPORT=1 for every Python child)", t.py.path,
		    t.script ? t.script : "...", mode == MODE_FP ? "fp" : "dwarf",
		    o->hz);
	if (!o->title && !o->pid)
		join_title(&t, o->cmd, o->nr_cmd);

	fo.names.cwd = getcwd(NULL, 0);	/* --python shows paths below it */
	view.clock = o->clock;
	view.name = t.name;
	if (o->formats & FORMAT_PROFILE) {
		/* speedscope's timeline wants each thread's samples in order */
		r.profile = profile__new(o->formats & FORMAT_SPEEDSCOPE);
		if (r.profile)
			profile__sink(r.profile, &sink);
		r.folder = r.profile ? folder__new_both(&fo, &sink) : NULL;
	} else {
		r.folder = folder__new(&fo);
	}
	if (!r.folder) {
		say("out of memory");
		status = EXIT_NO_GRAPH;
		goto out;
	}
	status = record(o, &cmd, &r);
	if (status)
		goto out;
	if (!r.has_data) {
		explain_failure(o, &r);
		status = EXIT_NO_RECORDING;
		goto out;
	}
	status = program_status(o, r.res.status);
	if (stop_signal)
		say("stopped by signal %d: writing the graph of what was "
		    "recorded", (int)stop_signal);
	report_recording(o, &view, &r);
	if (r.profile && profile__finish(r.profile)) {
		say("out of memory");
		status = EXIT_NO_GRAPH;
		goto out;
	}
	folder__stats(r.folder, &fst);
	if (!fst.nr_accepted) {
		say("no samples were recorded: nothing to draw");
		status = status ? status : EXIT_NO_GRAPH;
		goto out;
	}
	if (write_folded(r.folder, out.folded) ||
	    write_graph(o, &t, &out, &view, &r)) {
		status = EXIT_NO_GRAPH;
		goto out;
	}
	if (o->keep)
		say("kept the recording in '%s' (%llu MB%s); convert it again "
		    "with: perf2folded --python %s", o->keep,
		    (unsigned long long)(r.res.nr_kept >> 20),
		    r.res.is_capped ? ", cut at --max-size" : "", o->keep);
	if (o->formats & FORMAT_SVG)
		print_path("flame graph", out.svg);
	if (o->formats & FORMAT_PPROF)
		print_path("pprof profile", out.pprof);
	if (o->formats & FORMAT_SPEEDSCOPE)
		print_path("speedscope profile", out.speedscope);
	print_path("folded stacks", out.folded);
	print_report(o, out.folded);
	if (o->before) {
		printf("\n");
		if (compare(o, o->before, out.folded, out.diff_svg) && !status)
			status = EXIT_NO_GRAPH;
	}
out:
	perfcmd__release(&cmd);
	free((char *)fo.names.cwd);
	folder__free(r.folder);
	profile__free(r.profile);
	return status;
}

/* ---- options ---- */

enum {
	OPT_DURATION = 256, OPT_TITLE, OPT_KEEP, OPT_WALL, OPT_OFF_CPU,
	OPT_MODE, OPT_STACK_SIZE, OPT_COMPARE, OPT_WHICH, OPT_MAX_SIZE,
	OPT_FORMAT,
};

static const struct argp_option options[] = {
	{"output", 'o', "FILE", 0, "Write the flame graph to FILE (default: "
	 "PROG.svg) and the folded stacks beside it (PROG.folded)", 0},
	{"format", OPT_FORMAT, "LIST", 0, "What to write, a comma-separated "
	 "list of svg (PROG.svg, the default), pprof (PROG.pb.gz, for go tool "
	 "pprof, Pyroscope, Parca) and speedscope (PROG.speedscope.json, with "
	 "its timeline), all from the one pass over perf's pipe that folds "
	 "the stacks: the same files as perf2pprof and perf2speedscope "
	 "--python make of --keep's recording", 0},
	{"compare", OPT_COMPARE, "BEFORE", 0, "Compare with an earlier run's "
	 "folded stacks: also write PROG.diff.svg (at BEFORE's widths; blue "
	 "shrank, red grew) and print the Python functions whose time changed "
	 "most; with a .folded file instead of a program, compare the two, "
	 "recording nothing", 0},
	{"freq", 'F', "HZ", 0, "Sampling frequency (default 999)", 0},
	{"duration", OPT_DURATION, "SECS", 0, "Stop recording after SECS "
	 "seconds (the program is ended, or -p detached); exit status 0", 0},
	{"pid", 'p', "PID", 0, "Attach to a running Python started with -X "
	 "perf or PYTHONPERFSUPPORT=1, until it exits, --duration is over or "
	 "Ctrl-C", 0},
	{"title", OPT_TITLE, "TEXT", 0, "Title of the graph (default: the "
	 "command)", 0},
	{"keep", OPT_KEEP, "FILE", 0, "Also write the recording to FILE (perf's "
	 "pipe format), as it arrives, up to --max-size; convert it again with "
	 "perf2folded --python FILE", 0},
	{"max-size", OPT_MAX_SIZE, "SIZE", 0, "Cap on every file written "
	 "(default 2G; K, M, G suffixes)", 0},
	{"wall", OPT_WALL, NULL, 0, "Wall-clock time: on the CPU and off it "
	 "(sleeping, blocked on I/O or locks, waiting for the GIL), in us", 1},
	{"off-cpu", OPT_OFF_CPU, NULL, 0, "Only the time off the CPU, in us", 1},
	{"mode", OPT_MODE, "fp|dwarf", 0, "Call-graph mode (default: fp when "
	 "the interpreter keeps frame pointers, else dwarf)", 1},
	{"stack-size", OPT_STACK_SIZE, "BYTES", 0, "Stack copied per sample in "
	 "dwarf mode (default 65528, the most perf copies; 8 KB reaches "
	 "<module> in 2% of Python samples, 64 KB in 99%)", 1},
	{"which-python", OPT_WHICH, NULL, 0, "Print the interpreter flamerun "
	 "would run for [PYTHON] (default: its own choice) and exit; 2 when it "
	 "cannot do perf", 2},
	{0},
};

static int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v *= 1 << 10; end++; break;
	case 'm': case 'M': v *= 1 << 20; end++; break;
	case 'g': case 'G': v *= 1 << 30; end++; break;
	}
	if (*end || v < 4096 || v > 1e18)
		return -EINVAL;
	*out = (unsigned long long)v;
	return 0;
}

/* --format's list: svg, pprof, speedscope, comma-separated. */
static int parse_formats(const char *arg, unsigned *out)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{"svg", FORMAT_SVG}, {"pprof", FORMAT_PPROF},
		{"speedscope", FORMAT_SPEEDSCOPE},
	};
	const char *p = arg;

	for (;;) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len &&
			    !strncmp(p, names[i].name, len))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -EINVAL;
		*out |= names[i].bit;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	unsigned long v;
	char *end;

	switch (key) {
	case 'o': o->output = arg; break;
	case 'F':
		if (numarg__ulong(arg, 1, 1000000, &o->hz))
			argp_error(state, "-F is a rate in Hz, not '%s'", arg);
		break;
	case OPT_DURATION:
		o->duration = strtod(arg, &end);
		if (end == arg || *end || !(o->duration > 0) ||
		    o->duration > 1e7)
			argp_error(state, "--duration is seconds, not '%s'", arg);
		break;
	case 'p':
		if (numarg__ulong(arg, 1, INT_MAX, &v))
			argp_error(state, "-p is a process id, not '%s'", arg);
		o->pid = (pid_t)v;
		break;
	case OPT_TITLE: o->title = arg; break;
	case OPT_KEEP: o->keep = arg; break;
	case OPT_MAX_SIZE:
		if (parse_size(arg, &o->max_size))
			argp_error(state, "--max-size is a size of at least "
				   "4K (K, M, G suffixes), not '%s'", arg);
		break;
	case OPT_WALL:
	case OPT_OFF_CPU:
		if (o->clock != DATAFOLD_CPU)
			argp_error(state, "--wall and --off-cpu exclude each "
				   "other");
		o->clock = key == OPT_WALL ? DATAFOLD_WALL : DATAFOLD_OFFCPU;
		break;
	case OPT_MODE:
		if (!strcmp(arg, "fp"))
			o->mode = MODE_FP;
		else if (!strcmp(arg, "dwarf"))
			o->mode = MODE_DWARF;
		else
			argp_error(state, "--mode is fp or dwarf, not '%s'", arg);
		break;
	case OPT_STACK_SIZE:
		if (numarg__ulong(arg, 8, MAX_STACK_SIZE, &o->stack_size) ||
		    o->stack_size % 8)
			argp_error(state, "--stack-size is a multiple of 8 "
				   "from 8 to %d, not '%s'", MAX_STACK_SIZE, arg);
		break;
	case OPT_COMPARE: o->before = arg; break;
	case OPT_FORMAT:
		if (parse_formats(arg, &o->formats))
			argp_error(state, "--format is a list of svg, pprof "
				   "and speedscope, not '%s'", arg);
		break;
	case OPT_WHICH: o->is_which_python = true; break;
	case ARGP_KEY_ARG:
		/* the command: this argument and all after it */
		o->cmd = state->argv + state->next - 1;
		o->nr_cmd = state->argc - state->next + 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!o->formats)
			o->formats = FORMAT_SVG;
		if (o->is_which_python) {
			if (o->nr_cmd > 1)
				argp_error(state, "--which-python takes one "
					   "interpreter name");
		} else if (o->pid && o->nr_cmd) {
			argp_error(state, "-p attaches to a process: no command");
		} else if (!o->pid && !o->nr_cmd) {
			argp_error(state, "no program to run");
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] =
	"Profile a Python program (or a running one, -p) and write its flame "
	"graph, PROG.svg, with the folded stacks beside it (PROG.folded), and "
	"print its hottest Python functions.\n\n"
	"The program runs under perf record with -X perf and "
	"PYTHONPERFSUPPORT=1 (which reaches every Python child), with the "
	"interpreter named, if it is a CPython 3.12 or newer (else flamerun "
	"says which one could be used), or one it finds. perf's output is "
	"folded as it arrives: nothing of the recording is written to disk "
	"unless --keep asks. Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the "
	"program (or detach from -p) and the graph of what was recorded is "
	"written; a second one stops at once."
	"\vEXAMPLES:\n"
	"  flamerun -- python3.12 samples/fibfact.py\n"
	"  flamerun -- samples/fibfact.py          # an interpreter chosen\n"
	"  flamerun --compare fibfact.folded -o fast.svg -- python3.12 fibfact.py\n"
	"  flamerun --compare fibfact.folded fast.folded\n"
	"  flamerun -o slow.svg --title 'slow import' -- python3.12 -c 'import json'\n"
	"  flamerun -p 4242 --duration 10\n"
	"  flamerun --wall -- python3.12 server.py\n"
	"  flamerun --format svg,pprof,speedscope -- python3.12 app.py\n"
	"  flamerun --keep run.data -- python3.12 app.py; perf2folded --python run.data\n\n"
	"Exit status: the program's own (128 + N when signal N killed it); 0 "
	"after --duration or when a -p process ends; 128 + N when signal N "
	"stopped flamerun (the graph written); 2 usage error, or nothing to run "
	"(no such script, no interpreter that can do perf, no directory for "
	"the output); 3 perf could not record (its message shown); 4 recorded, "
	"but the graph could not be written.";

int main(int argc, char **argv)
{
	static struct opts o = {
		.hz = 999, .stack_size = MAX_STACK_SIZE,
		.max_size = DEFAULT_MAX_SIZE,
	};
	struct argp argp = {options, parse_opt,
		"[--] [PYTHON] PROG.py [ARGS...]\n-p PID\n"
		"--compare BEFORE.folded AFTER.folded\n--which-python [PYTHON]",
		doc, NULL, NULL, NULL};

	argp_err_exit_status = EXIT_USAGE;
	argv[0] = (char *)TOOL;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &o))
		return EXIT_USAGE;
	return run(&o);
}
