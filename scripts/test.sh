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
# Every build here has -DLEDGERD_WERROR=ON: CI fails on any compiler warning
# (the default, for packagers, is OFF).
build_and_test() {
	local dir=$1
	shift
	echo "test: configuring $dir $*"
	cmake -S . -B "$dir" "$@"
	cmake --build "$dir" -j "$jobs"
	ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$jobs" </dev/null
}

build_and_test build -DLEDGERD_WERROR=ON

# The same suite again under AddressSanitizer and UndefinedBehaviorSanitizer
# (-DLEDGERD_SANITIZE=ON): unit tests, and the daemon and client of every
# integration test.  Any report stops the process with a non-zero status, so
# the test that ran it fails; a daemon stopped with SIGTERM also fails on a
# leak.  valgrind.sh is not registered there: memcheck cannot run ASan code.
# crash.sh runs 12 kill -9 rounds instead of 25: the slowest test under ASan.
(
	export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	export LD_CRASH_ROUNDS=12
	build_and_test build-asan -DLEDGERD_SANITIZE=ON -DLEDGERD_WERROR=ON
)
