#!/bin/sh
# Builds pktc and runs every test: unit tests, lit golden tests, and end-to-end runs (which
# skip with a reason where there is no root or no /dev/net/tun). .ci/run calls this.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja ${PKTC_CMAKE_ARGS:-}
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure -j2 ${CTEST_ARGS:-}
