#!/bin/sh
# CTest entry (label sanitize): compiles every script of a directory with
# pktc --sanitize=address,undefined, runs every (script, family) pair as scripts/conformance
# does, and fails if any compile or run printed a sanitizer report (or ended with the sanitizer
# exit status), whatever the verdicts. The reports are printed, with where their logs are kept.
#
# usage: run_sanitize.sh SCRIPT_DIR BUILD_DIR
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=$1
build=$2
if [ ! -d "$dir" ]; then
  echo "sanitize: skipped: no scripts at $dir (configure with -DPKTC_CORPUS_DIR=<corpus>)"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One run per CPU (the default): twice as many were no faster on 2 CPUs, the kernel's own
# namespace set-up and teardown being most of a run's time.
rc=0
# Scripts at the top of the directory, as the kernel corpus and examples/ keep them (examples/'
# subfolders hold scripts that need their project's defines).
PKTC="$build/bin/pktc" python3 "$repo/scripts/conformance" -q --sanitize --layout ksft \
  --name sanitize --out-dir "$out" "$dir" || rc=$?
[ "$rc" -ne 0 ] && exit "$rc"
# A binary that cannot create its namespaces (no root, no user namespaces, no /dev/net/tun)
# skips with exit 4: then nothing ran under the sanitizers.
if ! awk -F'\t' 'NR > 1 && $3 != "skip" && $3 != "compile-error" { ran = 1 } END { exit !ran }' \
    "$out/conformance-sanitize.tsv"; then
  echo "sanitize: skipped: no run got past its set-up (root or user namespaces, and /dev/net/tun)"
  exit 77
fi
