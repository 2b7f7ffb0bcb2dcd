/* perf2speedscope: perf profiles -> speedscope's JSON file format.
 *
 * perf2folded's inputs and options (perfconv); the samples go to a profile
 * (common/profile.h), each thread's in time order, written by
 * speedscope.c: one sampled profile per thread, for speedscope's Time
 * Order, Left Heavy and Sandwich views. Its writer, which chooses the
 * unit and the name, is perfconv's (flamerun's --format speedscope uses
 * it too).
 */
#include "perfconv.h"

const char *argp_program_version = "perf2speedscope " PERFFOLD_VERSION;

static const char doc[] =
	"Turn perf profiles into a speedscope profile (JSON), for "
	"https://www.speedscope.app or the speedscope command.\n\n"
	"Reads what perf2folded reads (perf.data, file or pipe, or perf script "
	"text) with the same options. One sampled profile per thread, named "
	"comm-PID/TID, its samples in time order (Time Order is the thread's "
	"timeline) weighted in nanoseconds of CPU time for cpu-clock (none for "
	"other events, microseconds with --off-cpu or --wall); frames carry "
	"their file (a Python frame's source, a native frame's binary). The "
	"heaviest thread opens first.\n"
	"\vEXAMPLES:\n"
	"  perf2speedscope -o prof.speedscope.json perf.data\n"
	"  perf record -g -- python3.12 -X perf prog.py\n"
	"  perf2speedscope --python -o prof.speedscope.json perf.data\n"
	"  perf2speedscope --wall --python -o wall.json perf.data\n"
	"  speedscope prof.speedscope.json   # npm's speedscope, offline\n\n"
	"The file is written whole under a temporary name and renamed to FILE. "
	"Exit status: 0 ok, 1 some input was skipped (said on stderr) or no "
	"samples, 2 fatal error, 64 usage.";

int main(int argc, char **argv)
{
	return perfconv__profile_main(argc, argv, "perf2speedscope", doc, true, false,
				      perfconv__write_speedscope);
}
