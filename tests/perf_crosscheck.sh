#!/bin/sh
# perf_crosscheck: record small programs with real perf and check that for
# every frame perf script prints, common/symtab (through tests/symlookup)
# gives the same symbol and offset. Covers PIE, non-PIE, a shared library,
# C++ (namespaces, templates, lambdas), a stripped binary with its debuginfo
# through .gnu_debuglink, a fully stripped one (.dynsym only), a perf map
# whose entries overlap (perf's tree decides which one it finds), Rust if rustc
# is installed, [vdso], [kernel.kallsyms], and CPython 3.12 under -X perf:
# its libpython and its /tmp/perf-PID.map frames.
#
# usage: perf_crosscheck.sh SYMLOOKUP DATADIR
# Fails (does not skip) when perf or a compiler is missing.
set -eu

symlookup=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
data=$(cd "$2" && pwd)
me=perf_crosscheck

need() {
	command -v "$1" >/dev/null 2>&1 ||
		{ echo "$me: '$1' is not installed ($2); this test needs it" >&2; exit 1; }
}
need perf "Debian package linux-perf"
need gcc "Debian package gcc"
need g++ "Debian package g++"
need objcopy "Debian package binutils"

tmp=$(mktemp -d /tmp/perffold-xc.XXXXXX)
# XC_KEEP=1 keeps the directory for a look at *.frames and *.got.
cleanup() {
	for f in "$tmp/py.pid" "$tmp/jit.pid"; do
		[ ! -f "$f" ] || rm -f "/tmp/perf-$(cat "$f").map"
	done
	[ -n "${XC_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"

cflags="-O1 -g -fno-omit-frame-pointer"
gcc $cflags -fPIC -shared "$data/xc_lib.c" -o libxc.so
gcc $cflags -fPIE -pie "$data/xc_prog.c" -L. -lxc -Wl,-rpath,"$tmp" -o xc_pie
gcc $cflags -fno-pie -no-pie "$data/xc_prog.c" -L. -lxc -Wl,-rpath,"$tmp" -o xc_nopie
g++ $cflags "$data/xc_cpp.cc" -o xc_cpp
# A perf map with nested and duplicate entries (x86-64 code).
gcc $cflags "$data/xc_jit.c" -o xc_jit.bin
printf '#!/bin/sh\nexec ./xc_jit.bin jit.pid\n' > xc_jit
chmod +x xc_jit
# Debuginfo moved out, found again through .gnu_debuglink in .debug/.
mkdir -p .debug
objcopy --only-keep-debug xc_pie .debug/xc_dbg.debug
objcopy --strip-all --add-gnu-debuglink=.debug/xc_dbg.debug xc_pie xc_dbg
# No .symtab and no debuginfo: .dynsym only.
objcopy --strip-all xc_pie xc_stripped

progs="xc_pie xc_nopie xc_cpp xc_dbg xc_stripped xc_jit"
if command -v rustc >/dev/null 2>&1; then
	rustc -g -C force-frame-pointers=yes -C opt-level=1 \
		"$data/xc_rust.rs" -o xc_rust 2>/dev/null && progs="$progs xc_rust"
	# The v0 mangling scheme (_R...), which libiberty also demangles.
	rustc -g -C force-frame-pointers=yes -C opt-level=1 \
		-C symbol-mangling-version=v0 "$data/xc_rust.rs" -o xc_rust_v0 \
		2>/dev/null && progs="$progs xc_rust_v0"
else
	echo "$me: rustc not installed, Rust names not checked" >&2
fi

# The real CPython 3.12 binary (a pyenv shim is a script perf cannot use).
findpy=$data/../../scripts/find-python
if [ -x "$findpy" ]; then
	py312=$("$findpy" 12) || exit 1
else
	py312=$(PYENV_VERSION=3.12.1 pyenv which python3.12 2>/dev/null) ||
		{ echo "$me: python3.12 not found (PYENV_VERSION=3.12.1 pyenv which python3.12); this test needs it" >&2; exit 1; }
fi
# The pid names the perf map; the wrapper records it before exec.
printf '#!/bin/sh\necho $$ > py.pid\nexec "%s" -X perf "%s" 22\n' "$py312" "$data/fib.py" > xc_py
chmod +x xc_py
progs="$progs xc_py"

fail=0
total=0
for p in $progs; do
	# -N: leave perf's build-id cache alone, so perf script reads these
	# files, as symlookup does.
	perf record -N -q -g -F 4000 -o "$p.data" "./$p" >/dev/null 2>"$p.rec.err" ||
		{ cat "$p.rec.err" >&2; echo "$me: perf record failed for $p" >&2; exit 1; }
	perf script -i "$p.data" -F ip,sym,symoff,dso 2>/dev/null |
		sed -n 's/^[[:space:]]*\([0-9a-f][0-9a-f]*\) \(.*\) (\(.*\))$/\3 \1|\2/p' |
		grep -E '^(/|\[vdso\] |\[kernel\.kallsyms\] )' | sort -u > "$p.frames"
	if [ "$p" = xc_jit ] && [ "$(grep -c 'perf-.*\.map' "$p.frames")" -lt 4 ]; then
		echo "$me: xc_jit: too few perf map frames recorded" >&2
		fail=1
	fi
	if [ "$p" = xc_py ]; then
		if ! grep -q 'libpython3.12' "$p.frames"; then
			echo "$me: no libpython3.12 frame recorded" >&2
			fail=1
		fi
	fi
	cut -d'|' -f1 "$p.frames" > "$p.query"
	cut -d'|' -f2- "$p.frames" > "$p.want"
	"$symlookup" < "$p.query" > "$p.got"
	n=$(wc -l < "$p.query")
	total=$((total + n))
	if [ "$n" -lt 5 ]; then
		echo "$me: $p: only $n distinct frames recorded" >&2
		fail=1
	fi
	if ! paste -d'|' "$p.query" "$p.want" "$p.got" |
		awk -F'|' -v p="$p" '$2 != $3 { printf "%s: %s: perf %s, ours %s\n", p, $1, $2, $3; bad++ }
			END { exit bad > 0 }' >&2; then
		fail=1
	fi
	echo "$me: $p: $n distinct frames compared"
done
if ! grep -q '^\[vdso\]' ./*.frames; then
	echo "$me: no [vdso] frame was recorded" >&2
	fail=1
fi
grep -h '|.*@plt' ./*.frames | head -3 || true
echo "$me: $total frames in all"
exit $fail
