#!/bin/sh
# The sanitizer job: pktc and its unit tests built with AddressSanitizer and UBSan, then the
# unit tests (the runtime's included), and the compiler over every script we have (kernel
# corpus, lit inputs, examples) through --check, --emit=ir and --emit=cpp. Test binaries are
# not built here: the runtime they link is checked by the sanitize label of the normal build
# (pktc --sanitize, tests/sanitize), which scripts/test.sh runs with the other labels.
set -eu
cd "$(dirname "$0")/.."
build=${SANITIZE_BUILD_DIR:-build-asan}
cmake -S . -B "$build" -G Ninja -DPKTC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug > /dev/null
cmake --build "$build" --target pktc pktc_unittests
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
"$build/bin/pktc_unittests" --gtest_brief=1
corpus=${PKTC_CORPUS_DIR:-../shared/corpus}/kselftest
scripts=$(ls examples/*.pkt tests/lit/*/*.pkt 2>/dev/null; [ -d "$corpus" ] && ls "$corpus"/*.pkt || true)
count=0
for f in $scripts; do
  count=$((count + 1))
  for mode in --check --emit=ir --emit=cpp; do
    # Exit 1 (diagnostics) is fine; a sanitizer report aborts with another status.
    "$build/bin/pktc" $mode -D TFO_COOKIE=3021b9d889017eeb "$f" -o /dev/null > /dev/null 2>&1 ||
      [ $? -eq 1 ] || { echo "sanitize: pktc $mode $f failed"; "$build/bin/pktc" $mode "$f" -o /dev/null; exit 1; }
  done
done
echo "sanitize: unit tests and $count scripts through the front end and codegen: clean"
