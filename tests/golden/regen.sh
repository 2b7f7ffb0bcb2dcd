#!/bin/sh
# Re-records every golden case from the tool in a build directory.
# Usage: tests/golden/regen.sh [BUILD_DIR]   (default: build)
# Review the diff before committing: the recorded output is the spec.
set -eu
cd "$(dirname "$0")/../.."
build=${1:-build}
for c in tests/golden/cases/*/; do
	REGEN=1 tests/golden/run.sh "$build/converters/$(cat "$c/tool" 2>/dev/null || echo flamesvg)" "$c"
done
