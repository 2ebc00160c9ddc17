#!/usr/bin/env bash
# No input may make pktc emit C++ that does not compile. For every script of the seed corpus
# (tests/lit/**/*.pkt, examples/*.pkt, the conformance corpus's kselftest/*.pkt) and up to
# FUZZ_EMIT_MAX (default 200) entries of the fuzzer's corpus (<build>/fuzz/corpus, written by
# run_fuzzer.sh) that pass `pktc --check`: `pktc --emit=cpp`, then
# `CXX -fsyntax-only -std=c++20 -I<build>/include` on the output, with each compiler given
# (default g++; generated code is compiled with $CXX, which may be g++ or clang++, and they
# differ: clang rejects narrowing that g++ only warns about). Scripts pktc rejects are
# skipped; a pktc crash or emitted C++ that does not compile fails the test.
#
#   compile_emitted.sh SOURCE_DIR BUILD_DIR PKTC [CXX...]
#
# Environment: FUZZ_EMIT_MAX, PKTC_CORPUS_DIR (default SOURCE_DIR/../shared/corpus), JOBS.
set -u -o pipefail

# --- One script (run in parallel by the main part below) ------------------------------------
if [[ ${1:-} == --one ]]; then
  # --one OUT_DIR PKTC "CXX..." INCLUDE_DIR JOB, JOB being "SCRIPT[<TAB>-D<TAB>NAME=VALUE...]".
  out_dir=$2 pktc=$3 include=$5
  read -r -a cxxs <<<"$4"
  IFS=$'\t' read -r -a job <<<"$6"
  script=${job[0]}
  set -- "${job[@]:1}"
  name=$(echo "$script" | md5sum | cut -c1-16)
  cc=$out_dir/$name.cc
  # Printed with one write at the end, so parallel jobs do not interleave their lines.
  report=
  "$pktc" --emit=cpp "$@" "$script" -o "$cc" >"$out_dir/$name.pktc.log" 2>&1
  rc=$?
  if [[ $rc -ge 2 ]]; then  # 1 is "the script has errors"; anything else is a pktc failure.
    report="PKTC-CRASH $script (exit $rc; pktc --emit=cpp $*)"$'\n'
    report+=$(tail -15 "$out_dir/$name.pktc.log" | sed 's/^/    /')$'\n'
  elif [[ $rc -ne 0 ]]; then
    report="REJECTED $script"$'\n'
    rm -f "$cc"
  else
    for i in "${!cxxs[@]}"; do
      cxx=${cxxs[$i]}
      pch=()
      [[ -f $out_dir/pch/$i.pch ]] && pch=(-include-pch "$out_dir/pch/$i.pch")
      if ! "$cxx" -fsyntax-only -std=c++20 -I"$include" "${pch[@]}" "$cc" \
          >"$out_dir/$name.cxx.log" 2>&1; then
        report="NOT-COMPILING $script (pktc --emit=cpp $*; $(basename "$cxx"); kept $cc)"$'\n'
        report+=$(grep -E "error" "$out_dir/$name.cxx.log" | head -10 | sed 's/^/    /')$'\n'
        break
      fi
    done
    if [[ -z $report ]]; then
      report="OK $script"$'\n'
      rm -f "$cc" "$out_dir/$name.cxx.log"
    fi
  fi
  rm -f "$out_dir/$name.pktc.log"
  printf '%s' "$report"
  exit 0
fi

if [[ $# -lt 3 ]]; then
  echo "usage: $0 SOURCE_DIR BUILD_DIR PKTC [CXX...]" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
pktc=$3
shift 3
cxxs="${*:-g++}"
max=${FUZZ_EMIT_MAX:-200}
corpus_root=${PKTC_CORPUS_DIR:-$src/../shared/corpus}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
include=$build/include
fuzz_corpus=$build/fuzz/corpus
out=$build/fuzz/emit
say() { echo "fuzz-emit-compiles: $*"; }

if [[ ! -x $pktc ]]; then
  say "error: pktc not found at $pktc"
  exit 1
fi
if [[ ! -f $include/pktc/runtime.h ]]; then
  say "error: no runtime headers in $include (build the pktc_headers target)"
  exit 1
fi
rm -rf "$out"
mkdir -p "$out/inputs"

jobs_file=$out/jobs  # One job per line: SCRIPT[<TAB>-D<TAB>NAME=VALUE...].
: >"$jobs_file"
add_job() { (IFS=$'\t'; printf '%s\n' "$*") >>"$jobs_file"; }

# Seeds, as they are (files their commands name are found next to them).
shopt -s nullglob globstar
seeds=("$src"/tests/lit/**/*.pkt "$src"/examples/*.pkt "$corpus_root"/kselftest/*.pkt)
for s in "${seeds[@]}"; do add_job "$s"; done

# The fuzzer's corpus: entries it generated (not the seed copies), in name (= hash) order, so
# the sample is stable for a given corpus. A first byte 0xF0..0xFF selects -D defines, exactly
# as in pktc_fuzzer.cc (keep the two tables in sync).
define_sets=(
  "TFO_COOKIE=3021b9d889017eeb PORT=0x1F90"
  "CMSG_LEVEL_IP=SOL_IP LEVEL=SOL_TCP"
  'STR="a\x00b??/" N=010'
  'CMD=`./defaults.sh` W=S.'
)
taken=0
tried=0
if [[ -d $fuzz_corpus ]]; then
  while IFS= read -r -d '' entry; do
    [[ $taken -ge $max ]] && break
    tried=$((tried + 1))
    input=$out/inputs/$(basename "$entry").pkt
    first=$(head -c1 "$entry" | od -An -tu1 | tr -d ' ')
    defines=()
    if [[ -n $first && $first -ge 240 ]]; then
      tail -c +2 "$entry" >"$input"
      for bit in 0 1 2 3; do
        if (((first >> bit) & 1)); then
          read -r -a pair <<<"${define_sets[$bit]}"
          for d in "${pair[@]}"; do defines+=(-D "$d"); done
        fi
      done
    else
      cp "$entry" "$input"
    fi
    if "$pktc" --check "${defines[@]}" "$input" >/dev/null 2>&1; then
      add_job "$input" "${defines[@]}"
      taken=$((taken + 1))
    else
      rm -f "$input"
    fi
  done < <(find "$fuzz_corpus" -maxdepth 1 -type f ! -name 'seed_*' -print0 | sort -z)
fi
say "${#seeds[@]} seed script(s); $taken of $tried fuzzer corpus entries tried pass --check" \
    "(max $max); compiling with: $cxxs"

# clang does not pick up the runtime.h.gch the build makes for g++: give it its own
# precompiled runtime.h, which makes each check three times faster.
mkdir -p "$out/pch"
read -r -a cxx_list <<<"$cxxs"
for i in "${!cxx_list[@]}"; do
  if "${cxx_list[$i]}" --version 2>/dev/null | grep -q clang; then
    "${cxx_list[$i]}" -x c++-header -std=c++20 -I"$include" "$include/pktc/runtime.h" \
      -o "$out/pch/$i.pch" >/dev/null 2>&1 || rm -f "$out/pch/$i.pch"
  fi
done

# Run the jobs in parallel.
results=$out/results.txt
xargs -d '\n' -n1 -P "$jobs" bash "$0" --one "$out" "$pktc" "$cxxs" "$include" \
  <"$jobs_file" >"$results"

ok=$(grep -c '^OK ' "$results")
rejected=$(grep -c '^REJECTED ' "$results")
bad=$(grep -cE '^(NOT-COMPILING|PKTC-CRASH) ' "$results")
say "$ok compiled, $rejected rejected by pktc, $bad failing"
if [[ $bad -gt 0 ]]; then
  # The failing entries with their indented details.
  awk '/^(NOT-COMPILING|PKTC-CRASH) /{show=1; print; next} /^[A-Z-]+ /{show=0} show' "$results"
  say "FAILED: pktc emitted C++ that does not compile (or crashed)"
  exit 1
fi
say "PASSED"
