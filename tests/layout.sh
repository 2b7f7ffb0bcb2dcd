#!/bin/sh
# layout: the folder boundaries of common/ (docs/design.md) hold. Each file
# of common/perfdata/ and common/svg/ includes only its own folder's headers
# and the few shared ones named below, and nothing outside common/svg/
# includes the SVG side's headers.
#
# usage: layout.sh COMMON_DIR
set -eu
common=$1
fail=0

# check DIR ALLOWED...: every quoted include of DIR's files is DIR's own or
# one of ALLOWED
check() {
	dir=$1; shift
	own=$(cd "$common/$dir" && echo *.h)
	for f in "$common/$dir"/*.c "$common/$dir"/*.h; do
		for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			case " $own $* " in
			*" $inc "*) ;;
			*) echo "layout: $dir/$(basename "$f") includes '$inc'," \
				"which is neither $dir/'s nor one of: $*" >&2
			   fail=1 ;;
			esac
		done
	done
}
check perfdata diag.h hash.h mapguard.h
check svg array.h diag.h hash.h intern.h strutil.h

svg_headers=$(cd "$common/svg" && echo *.h)
for f in "$common"/*.c "$common"/*.h "$common"/perfdata/*.[ch]; do
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		case " $svg_headers " in
		*" $inc "*) echo "layout: $f includes the SVG side's '$inc'" >&2
			fail=1 ;;
		esac
	done
done
[ $fail = 0 ] && echo "layout: common/perfdata and common/svg keep their boundaries"
exit $fail
