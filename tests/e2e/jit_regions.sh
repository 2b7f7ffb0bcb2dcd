#!/bin/sh
# e2e: JIT code in an anonymous mapping, a prctl-named one ([anon:NAME])
# and a double-mapped memfd (/memfd:NAME), recorded with real perf, is
# named from the process's perf map in all three and annotated _[j] by
# --jit: one answer to "is this JIT memory" (common/session.c). The map
# chowned to another user is then ignored, as perf ignores it, unless
# --force.
#
# usage: jit_regions.sh PERF2FOLDED DATADIR
# Fails (does not skip) when perf or cc is missing.
set -eu
tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
data=$(cd "$2" && pwd)
me=jit_regions
for t in perf cc; do
	command -v $t >/dev/null 2>&1 ||
		{ echo "$me: '$t' is not installed; this test needs it" >&2; exit 1; }
done
tmp=$(mktemp -d /tmp/perffold-jitr.XXXXXX)
cleanup() {
	[ ! -f "$tmp/pid" ] || rm -f "/tmp/perf-$(cat "$tmp/pid").map"
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
cc -O1 -o jit_regions "$data/jit_regions.c"
perf record -q -F 2000 -o perf.data ./jit_regions pid 2>rec.err ||
	{ cat rec.err >&2; echo "$me: perf record failed" >&2; exit 1; }
"$tool" --jit perf.data > out.folded
fail=0
want="jit_in_anon_[j] jit_in_memfd_[j]"
if grep -q 'no \[anon:NAME\]' rec.err; then
	echo "$me: this kernel names no anonymous mappings (CONFIG_ANON_VMA_NAME): [anon:NAME] not tried"
else
	want="$want jit_in_named_anon_[j]"
fi
for f in $want; do
	if ! awk -v s="jit_regions;$f" '$1 == s { found = 1 } END { exit !found }' out.folded; then
		echo "$me: no stack 'jit_regions;$f' in:" >&2
		cat out.folded >&2
		fail=1
	fi
done
[ $fail = 0 ] && echo "$me: named and annotated: $want"

# The same map owned by another user: ignored with one warning, as perf
# ignores it, unless --force (the test runs as root, as CI does).
map=/tmp/perf-$(cat pid).map
chown 4321 "$map"
"$tool" --jit perf.data > other.folded 2> other.err || true
if ! grep -q "is owned by uid 4321, neither you nor root: not read" other.err ||
   [ "$(grep -c 'owned by uid' other.err)" != 1 ] ||
   grep -q 'jit_in_' other.folded; then
	echo "$me: another user's perf map was read, or not said once:" >&2
	cat other.err other.folded >&2
	fail=1
fi
"$tool" --jit --force perf.data > forced.folded 2> forced.err
if ! cmp -s out.folded forced.folded || [ -s forced.err ]; then
	echo "$me: --force did not read the map as its owner would:" >&2
	diff out.folded forced.folded >&2
	cat forced.err >&2
	fail=1
fi
[ $fail = 0 ] && echo "$me: another owner's map ignored, read with --force"
exit $fail
