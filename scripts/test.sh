#!/bin/sh
# Builds pktc and runs every test: unit tests, lit golden tests, end-to-end runs (which skip
# with a reason where there is no root or no /dev/net/tun), package, fuzz, kselftest, VM,
# conformance and sanitize (the corpus against the runtime built with ASan and UBSan) labels,
# then the sanitizer job (the compiler and unit tests built with them). .ci/run calls this.
# PKTC_SKIP_SANITIZE=1 leaves out both the sanitize label and the sanitizer job.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja ${PKTC_CMAKE_ARGS:-}
cmake --build "$build"
skip_label=
[ -n "${PKTC_SKIP_SANITIZE:-}" ] && skip_label="-LE sanitize"
ctest --test-dir "$build" --output-on-failure -j2 $skip_label ${CTEST_ARGS:-}
if [ -z "${PKTC_SKIP_SANITIZE:-}" ]; then
  SANITIZE_BUILD_DIR="$build-asan" scripts/sanitize.sh
fi
