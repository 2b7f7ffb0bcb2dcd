/* perf2pprof: perf profiles -> pprof's profile.proto, gzipped.
 *
 * perf2folded's inputs and options (perfconv); the samples go to a profile
 * (common/profile.h) instead of folded text and are written by pprof.c:
 * for `go tool pprof`, Grafana Pyroscope, Parca and other readers of
 * profile.proto. Its writer, which chooses the sample type and the time,
 * is perfconv's (flamerun's --format pprof uses it too).
 */
#include "perfconv.h"

const char *argp_program_version = "perf2pprof " PERFFOLD_VERSION;

static const char doc[] =
	"Turn perf profiles into a pprof profile (profile.proto, gzipped), "
	"for go tool pprof, Grafana Pyroscope or Parca.\n\n"
	"Reads what perf2folded reads (perf.data, file or pipe, or perf script "
	"text) with the same options. Sample types: samples/count and the "
	"weight (cpu/nanoseconds for cpu-clock; off_cpu or wall/microseconds "
	"with --off-cpu or --wall). Each sample is a distinct stack of a "
	"thread, labelled pid, tid, comm and thread_name; native frames are "
	"locations at their addresses in mappings with the binary's file name "
	"and build id; Python frames are functions with their source file; "
	"inlined functions are lines of their location.\n"
	"\vEXAMPLES:\n"
	"  perf2pprof -o prof.pb.gz perf.data\n"
	"  go tool pprof -top prof.pb.gz\n"
	"  perf record -g -- python3.12 -X perf prog.py\n"
	"  perf2pprof --python -o prof.pb.gz perf.data\n"
	"  perf record -g -o - -- ./prog | perf2pprof > prof.pb.gz\n"
	"  profilecli upload --url=http://pyroscope:4040 prof.pb.gz  # Pyroscope\n"
	"  parca-push --remote-store-address=parca:7070 prof.pb.gz  # Parca\n\n"
	"The file is written whole under a temporary name and renamed to FILE. "
	"Exit status: 0 ok, 1 some input was skipped (said on stderr) or no "
	"samples, 2 fatal error, 64 usage.";

int main(int argc, char **argv)
{
	return perfconv__profile_main(argc, argv, "perf2pprof", doc, false, true,
				      perfconv__write_pprof);
}
