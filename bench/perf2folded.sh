#!/usr/bin/env bash
# Benchmark: perf2folded against its peers on the same input, in one run.
#
# Records samples/workload.c (deep native stacks, frame pointers) with
# `perf record -g` until perf.data is about 100 MB, converts it once with
# `perf script` (the text every peer starts from), then times:
#   perf script -i perf.data > /dev/null        (what every peer pays first)
#   perf2folded perf.data                        (reads perf.data itself)
#   cat pipe.data | perf script -i -  and  | perf2folded  (perf record -o -)
#   perf2folded perf.txt                         (the text path)
#   perf script -s stackcollapse.py              (perf's own collapser)
# and prints seconds, MB/s, peak memory and ratios. Timings are the best of
# 3 runs (perf's), 5 (the text path, pipe mode) and 9 (perf2folded perf.data,
# 0.13 s).
# Work files are cached in bench/work/ (delete it to re-record).
#
# usage: bench/perf2folded.sh [SECONDS_TO_RECORD]   (default 14)
set -euo pipefail
secs=${1:-14}
. "$(dirname "$0")/common.sh"

record_workload "$secs"
if [ ! -s "$work/perf.txt" ]; then
	perf script -i "$work/perf.data" > "$work/perf.txt" 2>/dev/null
fi
if [ ! -s "$work/pipe.data" ]; then	# the same, as perf record -o - writes it
	perf inject -i "$work/perf.data" -o - > "$work/pipe.data" 2>/dev/null
fi

data_mb=$(du -m --apparent-size "$work/perf.data" | cut -f1)
text_mb=$(du -m --apparent-size "$work/perf.txt" | cut -f1)
samples=$(grep -c '^\S' "$work/perf.txt" || true)
echo "input: perf.data $data_mb MB, perf script text $text_mb MB, $samples samples"

read -r t_script m_script < <(best perf script -i "$work/perf.data")
read -r t_text m_text < <(RUNS=5 best "$tool" "$work/perf.txt")
read -r t_data m_data < <(RUNS=9 best "$tool" "$work/perf.data")
"$tool" "$work/perf.data" > "$work/data.folded"
"$tool" "$work/perf.txt" > "$work/text.folded"
cmp -s "$work/data.folded" "$work/text.folded" && same=yes || same=NO
read -r t_pipe m_pipe < <(RUNS=5 best sh -c "cat '$work/pipe.data' | '$tool'")
read -r t_spipe m_spipe < <(best sh -c "cat '$work/pipe.data' | perf script -i -")
collapse=/usr/lib/perf-core/scripts/python/stackcollapse.py
t_py=""
if [ -f "$collapse" ]; then
	read -r t_py m_py < <(best perf script -i "$work/perf.data" -s "$collapse")
fi

rate() { awk "BEGIN{printf \"%.0f\", $1 / ($2 > 0 ? $2 : 0.001)}"; }
printf '%-44s %8s %10s %10s\n' tool seconds MB/s peak-MB
printf '%-44s %8s %10s %10s\n' "perf script -i perf.data > /dev/null" "$t_script" \
	"$(rate "$data_mb" "$t_script")" "$((m_script / 1024))"
printf '%-44s %8s %10s %10s\n' "perf2folded perf.data" "$t_data" \
	"$(rate "$data_mb" "$t_data")" "$((m_data / 1024))"
printf '%-44s %8s %10s %10s\n' "cat pipe.data | perf script -i -" "$t_spipe" \
	"$(rate "$data_mb" "$t_spipe")" "$((m_spipe / 1024))"
printf '%-44s %8s %10s %10s\n' "cat pipe.data | perf2folded (pipe mode)" "$t_pipe" \
	"$(rate "$data_mb" "$t_pipe")" "$((m_pipe / 1024))"
printf '%-44s %8s %10s %10s\n' "perf2folded perf.txt (text path)" "$t_text" \
	"$(rate "$text_mb" "$t_text")" "$((m_text / 1024))"
if [ -n "$t_py" ]; then
	printf '%-44s %8s %10s %10s\n' "perf script -s stackcollapse.py" "$t_py" \
		"$(rate "$data_mb" "$t_py")" "$((m_py / 1024))"
fi
echo "ratios (both perf2folded paths print the same stacks: $same):"
echo "  perf script alone / perf2folded perf.data: $(ratio "$t_script" "$t_data")x"
echo "  the same through a pipe (perf's pipe format): $(ratio "$t_spipe" "$t_pipe")x"
echo "  perf2folded on the text reads $(rate "$text_mb" "$t_text") MB/s of perf script output"
echo "  perf script alone / perf2folded text path: $(ratio "$t_script" "$t_text")x"
if [ -n "$t_py" ]; then
	echo "  perf's stackcollapse.py / perf2folded text path: $(ratio "$t_py" "$t_text")x"
	echo "  (perf script + perf2folded) vs stackcollapse.py: $(ratio "$t_py" "$(awk "BEGIN{print $t_script + $t_text}")")x"
fi
