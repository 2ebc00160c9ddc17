#!/bin/sh
# Builds pktc and runs every test: unit tests, lit golden tests, end-to-end runs (which skip
# with a reason where there is no root or no /dev/net/tun), package, fuzz, kselftest, VM and
# conformance labels, then the sanitizer job. .ci/run calls this.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja ${PKTC_CMAKE_ARGS:-}
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure -j2 ${CTEST_ARGS:-}
if [ -z "${PKTC_SKIP_SANITIZE:-}" ]; then
  SANITIZE_BUILD_DIR="$build-asan" scripts/sanitize.sh
fi
