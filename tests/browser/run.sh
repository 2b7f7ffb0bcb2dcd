#!/bin/sh
# Runs the browser tests of flamesvg's SVG in headless Chromium.
# Usage: run.sh FLAMESVG. Fails (never skips) when a prerequisite is missing:
# `scripts/deps --browser` installs chromium and node, and scripts/test runs
# `npm ci` here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
flamesvg=$1
chromium=${CHROMIUM:-/usr/bin/chromium}

if ! command -v node >/dev/null 2>&1; then
	echo "browser test: node is missing: run scripts/deps --browser" >&2
	exit 1
fi
if [ ! -x "$chromium" ]; then
	echo "browser test: $chromium is missing: run scripts/deps --browser" >&2
	exit 1
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
	echo "browser test: playwright-core is missing: run (cd tests/browser && npm ci)" >&2
	exit 1
fi
exec node "$here/flamesvg.test.mjs" "$flamesvg" "$chromium"
