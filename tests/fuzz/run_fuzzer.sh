#!/usr/bin/env bash
# Builds pktc_fuzzer with clang (libFuzzer, ASan, UBSan) in <build>/fuzz, replays the saved
# regressions, then fuzzes for FUZZ_SECONDS (default 60) over a corpus seeded from the tests,
# the examples and the conformance corpus. Fails on any crash, leak, timeout or OOM.
#
#   run_fuzzer.sh SOURCE_DIR BUILD_DIR [CMAKE]
#
# Environment: FUZZ_SECONDS (default 60), FUZZ_CXX / FUZZ_CC (default clang++-14 / clang-14),
# PKTC_CORPUS_DIR (default SOURCE_DIR/../shared/corpus), FUZZ_EXTRA_ARGS (more libFuzzer flags).
set -u -o pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 SOURCE_DIR BUILD_DIR [CMAKE]" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
build=$(mkdir -p "$2" && cd "$2" && pwd)
cmake=${3:-cmake}
seconds=${FUZZ_SECONDS:-60}
cxx=${FUZZ_CXX:-clang++-14}
cc=${FUZZ_CC:-clang-14}
corpus_root=${PKTC_CORPUS_DIR:-$src/../shared/corpus}

work=$build/fuzz
fuzz_build=$work/build
corpus=$work/corpus
artifacts=$work/artifacts
fuzzer=$fuzz_build/pktc_fuzzer
mkdir -p "$work" "$corpus" "$artifacts"

say() { echo "fuzz-smoke: $*"; }
# The first report of a log (sanitizer error or invariant violation with its stack, up to the
# first blank line) and the SUMMARY line, indented.
first_report() {
  awk '/ERROR: |runtime error|invariant violated|CheckScript returned|disagrees|embedded a file/ &&
       !shown {on = 1; shown = 1}
       on && /^$/ {on = 0}
       on && n < 25 {print; n++}
       /^SUMMARY|Test unit written/ {print}' "$1" | sed 's/^/    /'
}

# --- Build -----------------------------------------------------------------------------------
if ! command -v "$cxx" >/dev/null || ! command -v "$cc" >/dev/null; then
  say "error: $cxx / $cc not found (install clang-14 and libclang-rt-14-dev, or set FUZZ_CXX)"
  exit 1
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f $fuzz_build/CMakeCache.txt ]]; then
  say "configuring $fuzz_build with $cxx"
  "$cmake" -S "$src/tests/fuzz/standalone" -B "$fuzz_build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    -DPKTC_SOURCE_DIR="$src" >"$work/configure.log" 2>&1 || {
    cat "$work/configure.log"
    say "error: configuring the fuzzer build failed"
    exit 1
  }
fi
say "building pktc_fuzzer"
"$cmake" --build "$fuzz_build" >"$work/build.log" 2>&1 || {
  cat "$work/build.log"
  say "error: building the fuzzer failed"
  exit 1
}

# --- Replay the regressions --------------------------------------------------------------------
# Each once, in its own process, so that every failing one is listed.
shopt -s nullglob
regressions=("$src"/tests/fuzz/regressions/*.pkt)
failed_regressions=()
for r in "${regressions[@]}"; do
  if ! "$fuzzer" -timeout=10 -rss_limit_mb=2048 "$r" >"$work/replay.log" 2>&1; then
    failed_regressions+=("$r")
    say "REGRESSION FAILS: $r"
    first_report "$work/replay.log"
  fi
done
say "replayed ${#regressions[@]} regression input(s), ${#failed_regressions[@]} failing"
if [[ ${#failed_regressions[@]} -gt 0 ]]; then
  say "FAILED: saved fuzzer regressions still crash (rerun one with: $fuzzer FILE)"
  exit 1
fi

# --- Seed the corpus -----------------------------------------------------------------------------
# Copies, named after their origin; libFuzzer adds what it finds to the same directory, which is
# kept between runs so later runs start where earlier ones stopped.
seed() {  # seed PREFIX FILE...
  local prefix=$1 f
  shift
  for f in "$@"; do
    cp -f "$f" "$corpus/seed_${prefix}_$(basename "$f")"
  done
}
while IFS= read -r -d '' f; do
  rel=${f#"$src/tests/lit/"}
  cp -f "$f" "$corpus/seed_lit_${rel//\//_}"
done < <(find "$src/tests/lit" -name '*.pkt' -print0)
seed examples "$src"/examples/*.pkt
seed kselftest "$corpus_root"/kselftest/*.pkt
seed regression "${regressions[@]}"
say "corpus: $(find "$corpus" -type f | wc -l) file(s) in $corpus"

# --- Fuzz ------------------------------------------------------------------------------------------
# With -jobs the fuzzing runs in a child process whose output goes to fuzz-0.log in the current
# directory; -artifact_prefix keeps crash files out of the source tree.
stamp=$work/.run-start
touch "$stamp"
rm -f "$work/fuzz-0.log"
say "fuzzing for ${seconds}s"
(
  cd "$work" &&
    "$fuzzer" -jobs=1 -workers=1 -max_total_time="$seconds" -max_len=4096 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -dict="$src/tests/fuzz/pkt.dict" \
      -artifact_prefix="$artifacts/" ${FUZZ_EXTRA_ARGS:-} "$corpus" >"$work/fuzzer.log" 2>&1
)
status=$?
log=$work/fuzz-0.log
[[ -f $log ]] || log=$work/fuzzer.log

new_artifacts=()
while IFS= read -r -d '' a; do
  new_artifacts+=("$a")
done < <(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
           -o -name 'oom-*' \) -newer "$stamp" -print0)

# Executions and time from libFuzzer's final stats ("Done N runs in T second(s)", stat::...).
done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
if [[ -z $execs ]]; then  # Crashed before the final stats: the last status line has the count.
  execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
fi
new_units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
say "executions: ${execs:-unknown}, exec/s: ${rate:-unknown}, new corpus units: ${new_units:-?}" \
    "(${done_line:-no 'Done' line: the run stopped early})"

if [[ $status -ne 0 || ${#new_artifacts[@]} -gt 0 ]]; then
  first_report "$log"
  for a in "${new_artifacts[@]}"; do
    say "artifact: $a"
  done
  say "FAILED (libFuzzer exit status $status). Reproduce with: $fuzzer ARTIFACT;" \
      "minimize with: $fuzzer -minimize_crash=1 -runs=100000 ARTIFACT;" \
      "then save it as tests/fuzz/regressions/NAME.pkt"
  exit 1
fi
say "PASSED"
