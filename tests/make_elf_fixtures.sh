#!/bin/sh
# make_elf_fixtures: build the ELF files tests/unit/test_symtab.c,
# test_inlines.c, test_dwinfo.c and test_dso.c read.
# usage: make_elf_fixtures.sh CC SRCDIR OUTDIR STAMP
# Writes into OUTDIR:
#   fx_pie fx_nopie libfx.so   built from fx_elf.c with -g
#   fx_dynonly                 fx_pie stripped of .symtab (-rdynamic: .dynsym)
#   fx_dbg + .debug/fx_dbg.debug   stripped, debuginfo via .gnu_debuglink
#   fx_bid + root/usr/lib/debug/.build-id/xx/rest.debug   stripped, found
#                              by build id under a test debug root
#   fx_fed + root/usr/lib/debug/OUTDIR/fx_fed.debug   stripped, found by
#                              path under a test debug root (Fedora layout)
#   fx_inl                     built from fx_inline.c with -O2 -g
#   fx_inl_gz                  fx_inl with zlib-compressed debug sections
#   fx_tramp_sub fx_tramp_cet fx_tramp_push fx_tramp_unknown
#                              built from fx_pytramp.c, one per trampoline
#                              layout (test_dso.c)
#   fx_tramp_dyn               fx_tramp_sub built -rdynamic, stripped of
#                              .symtab: the labels only in .dynsym
#   libfx_eval_fp.so libfx_eval_nofp.so
#                              built from fx_eval.c, its eval loop with and
#                              without a frame pointer (test_pybuild.c)
#   *.nm                       `nm` of each unstripped file
#   *.plt                      "ADDR NAME" for each PLT entry objdump labels
#   STAMP                      touched last
set -eu
cc=$1
src=$2
out=$3
stamp=$4
case $stamp in /*) ;; *) stamp=$PWD/$stamp ;; esac
mkdir -p "$out"
cd "$out"
# -Wa,-W: the assembler warns that .data.fx_code holds code, on purpose.
cflags="-O1 -g -fno-omit-frame-pointer -Wa,-W -Wl,--no-warn-rwx-segments"
$cc $cflags -fPIE -pie -rdynamic "$src/fx_elf.c" -o fx_pie -Wl,--build-id
$cc $cflags -fno-pie -no-pie "$src/fx_elf.c" -o fx_nopie -Wl,--build-id
$cc $cflags -fPIC -shared -Dmain=fx_lib_main "$src/fx_elf.c" -o libfx.so -Wl,--build-id
objcopy --strip-all fx_pie fx_dynonly
mkdir -p .debug
objcopy --only-keep-debug fx_pie .debug/fx_dbg.debug
objcopy --strip-all --add-gnu-debuglink=.debug/fx_dbg.debug fx_pie fx_dbg
objcopy --strip-all fx_pie fx_bid
id=$(readelf -n fx_pie | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
d=root/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)
mkdir -p "$d"
objcopy --only-keep-debug fx_pie "$d/$(echo "$id" | cut -c3-).debug"
objcopy --strip-all fx_pie fx_fed
mkdir -p "root/usr/lib/debug$PWD"
objcopy --only-keep-debug fx_pie "root/usr/lib/debug$PWD/fx_fed.debug"
$cc -O2 -g "$src/fx_inline.c" -o fx_inl
objcopy --compress-debug-sections=zlib fx_inl fx_inl_gz
for t in sub cet push unknown; do
	$cc -O1 -DFX_TRAMP_$(echo $t | tr a-z A-Z) "$src/fx_pytramp.c" -o fx_tramp_$t
done
$cc -O1 -rdynamic -DFX_TRAMP_SUB "$src/fx_pytramp.c" -o fx_tramp_dyn.full
objcopy --strip-all fx_tramp_dyn.full fx_tramp_dyn
rm fx_tramp_dyn.full
$cc -O2 -fPIC -shared -fno-omit-frame-pointer "$src/fx_eval.c" -o libfx_eval_fp.so
$cc -O2 -fPIC -shared -fomit-frame-pointer "$src/fx_eval.c" -o libfx_eval_nofp.so
for f in fx_pie fx_nopie libfx.so fx_inl; do
	nm "$f" > "$f.nm"
	objdump -d --section=.plt "$f" |
		sed -n 's/^\([0-9a-f]*\) <\(.*@plt\)>:$/\1 \2/p' > "$f.plt"
done
touch "$stamp"
