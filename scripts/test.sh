#!/usr/bin/env bash
# test.sh - the README's second command and what CI runs (.ci/run): install
# what is missing, build, run every test; exit 0 only when all passed.
#
# usage: scripts/test.sh            (from anywhere; works in the repository)
#
# Each build configuration is one build_and_test call on its own build
# directory, so another configuration is one more line at the bottom.
# CI runs this as root on a fresh Debian 12 machine without stdin.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

bash scripts/install-deps.sh --test

jobs=$(nproc 2>/dev/null || echo 2)

# build_and_test DIR [CMAKE-ARGS...]: configure, build and run ctest in DIR.
build_and_test() {
	local dir=$1
	shift
	echo "test: configuring $dir $*"
	cmake -S . -B "$dir" "$@"
	cmake --build "$dir" -j "$jobs"
	ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$jobs" </dev/null
}

build_and_test build
