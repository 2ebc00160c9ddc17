#!/bin/sh
# CTest entry (label conformance): compile and run one corpus (kselftest or google) with pktc,
# then fail on any pair that agreed with reference packetdrill in the committed report
# (docs/conformance-NAME.tsv) and no longer does. A pair that regresses is run once more, so a
# single timing hiccup on a busy machine does not fail the build (real regressions fail twice).
# usage: run_conformance.sh NAME CORPUS_ROOT BUILD_DIR
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
name=$1
corpus=${2:-$repo/../shared/corpus}/$name
build=${3:-$repo/build}
baseline=$repo/docs/conformance-$name.tsv
if [ ! -d "$corpus" ]; then
  echo "conformance: skipped: no corpus at $corpus (pass its path as the second argument)"
  exit 77
fi
if [ ! -f "$baseline" ]; then
  echo "conformance: skipped: no recorded verdicts at $baseline (make them with" \
    "PACKETDRILL=... scripts/conformance --corpus $corpus)"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
  PKTC="$build/bin/pktc" python3 "$repo/scripts/conformance" -q --name "$name" "$@" "$corpus"
}
check() {
  python3 "$repo/tests/conformance/check_regressions.py" "$baseline" "$out/conformance-$name.tsv"
}
run --out-dir "$out"
if check; then
  exit 0
fi
echo "conformance: re-running the regressed scripts once"
filter=$(check | sed -n 's/^REGRESSION \([^ ]*\)\.pkt .*/\1/p' | sort -u | sed 's/[.]/\\./g' |
  paste -sd'|')
run --out-dir "$out/retry" --filter "^($filter)\.pkt$"
python3 - "$out/conformance-$name.tsv" "$out/retry/conformance-$name.tsv" <<'PY'
import csv, sys
rows = {}
for path in sys.argv[1:]:
    with open(path, newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        fields = reader.fieldnames
        for r in reader:
            rows[(r["script"], r["family"])] = r
with open(sys.argv[1], "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields, delimiter="\t")
    w.writeheader()
    for k in sorted(rows):
        w.writerow(rows[k])
PY
check
