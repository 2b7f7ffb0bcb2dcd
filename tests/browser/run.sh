#!/bin/sh
# Runs a browser test in headless Chromium: node TEST.mjs ARGS... CHROMIUM.
# Usage: run.sh TEST.mjs [ARGS...] (flamesvg.test.mjs FLAMESVG,
# speedscope.test.mjs). Fails (never skips) when a prerequisite is missing:
# `scripts/deps --browser` installs chromium and node, and scripts/test runs
# `npm ci` here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
test=$1
shift
chromium=${CHROMIUM:-/usr/bin/chromium}

if ! command -v node >/dev/null 2>&1; then
	echo "browser test: node is missing: run scripts/deps --browser" >&2
	exit 1
fi
if [ ! -x "$chromium" ]; then
	echo "browser test: $chromium is missing: run scripts/deps --browser" >&2
	exit 1
fi
for m in playwright-core speedscope ajv; do
	if [ ! -d "$here/node_modules/$m" ]; then
		echo "browser test: $m is missing: run (cd tests/browser && npm ci)" >&2
		exit 1
	fi
done
exec node "$here/$test" "$@" "$chromium"
