#!/usr/bin/env bash
# Where perf2folded's time goes on a perf.data: samples perf2folded itself
# with perf and sums its functions into reading, symbolizing, aggregating
# and writing. usage: bench/split.sh PERF2FOLDED PERF.DATA
set -euo pipefail
tool=$1 data=$2
prof=$(mktemp /tmp/perffold-split.XXXXXX)
trap 'rm -f "$prof"' EXIT
perf record -q -F 4999 -o "$prof" -- "$tool" "$data" > /dev/null 2>&1
perf report -i "$prof" --stdio --no-children --sort sym 2>/dev/null |
awk '
	/^#/ || !/%/ { next }
	{
		pct = $1; sub(/%/, "", pct); sym = $NF
		if (sym ~ /^(perfdata|deliver|parse_|decompress|queue|flush|read_rec|ZSTD|ZSTDv|HUF_|FSE_)/) g = "reading perf.data"
		else if (sym ~ /^(frame_ids|name_|symtab|symarr|symcache|kallsyms|perfmap|jitdump|session|elf_|cplus|d_|dwfl|dwarf|cache_|foldname|put|arglist|intern|lookup)/) g = "symbolizing and naming"
		else if (sym ~ /^(stacks__add|folder|on_sample|hash)/) g = "aggregating stacks"
		else if (sym ~ /^(stacks__write|mkqsort|compare_|out_|key_at|msort|qsort)/) g = "sorting and writing"
		else if ($0 ~ /\[k\]/) g = "kernel (page faults, reading files)"
		else g = "other (libc: memcpy, memcmp, malloc)"
		t[g] += pct
	}
	END { for (g in t) printf "%6.1f%%  %s\n", t[g], g }
' | sort -rn
