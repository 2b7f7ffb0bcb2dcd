/* perf2pprof: perf profiles -> pprof's profile.proto, gzipped.
 *
 * perf2folded's inputs and options (perfconv); the samples go to a profile
 * (common/profile.h) instead of folded text and are written by pprof.c:
 * for `go tool pprof`, Grafana Pyroscope, Parca and other readers of
 * profile.proto. This file only chooses the sample type and the time.
 */
#include <argp.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "perfconv.h"
#include "pprof.h"
#include "profile.h"

/* When the recording began, in ns since the epoch: perf's sample times
 * are its own clock, not the wall clock, so it is taken as the end of
 * the recording (the input file's last change; for a pipe, now) less
 * its duration. */
static uint64_t start_time(const struct perfconv_opts *o,
			   const struct profile *p)
{
	uint64_t first, last, end;
	struct stat sb;

	profile__time_range(p, &first, &last);
	if (o->nr_inputs && stat(o->inputs[0], &sb) == 0 &&
	    S_ISREG(sb.st_mode))
		end = (uint64_t)sb.st_mtim.tv_sec * 1000000000u +
		      (uint64_t)sb.st_mtim.tv_nsec;
	else
		end = (uint64_t)time(NULL) * 1000000000u;
	return end - (last - first);
}

static int write_pprof(const struct perfconv_opts *o,
		       const struct folder_stats *st, const struct profile *p,
		       const struct intern *names, FILE *out)
{
	struct pprof_opts po = {.time_nanos = start_time(o, p)};

	perfconv__weight_type(o, st, &po.type, &po.unit);
	return pprof__write(p, names, &po, out);
}

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
				      write_pprof);
}
