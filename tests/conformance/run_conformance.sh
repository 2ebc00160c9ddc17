#!/bin/sh
# CTest entry (label conformance): compile and run the kernel corpus with pktc, then fail on
# any pair that agreed with reference packetdrill in the committed report and no longer does.
# A pair that regresses is run once more, so a single timing hiccup on a busy machine does not
# fail the build (real regressions fail twice).
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${1:-$repo/../shared/corpus}/kselftest
build=${2:-$repo/build}
if [ ! -d "$corpus" ]; then
  echo "conformance: skipped: no corpus at $corpus (pass its path as the first argument)"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
PKTC="$build/bin/pktc" python3 "$repo/scripts/conformance" -q --out-dir "$out" "$corpus"
if python3 "$repo/tests/conformance/check_regressions.py" "$repo/docs/conformance.tsv" \
    "$out/conformance.tsv"; then
  exit 0
fi
echo "conformance: re-running the regressed scripts once"
filter=$(python3 "$repo/tests/conformance/check_regressions.py" "$repo/docs/conformance.tsv" \
  "$out/conformance.tsv" | sed -n 's/^REGRESSION \([^ ]*\)\.pkt .*/\1/p' | sort -u | paste -sd'|')
PKTC="$build/bin/pktc" python3 "$repo/scripts/conformance" -q --out-dir "$out/retry" \
  --filter "^($filter)\.pkt$" "$corpus"
python3 - "$out/conformance.tsv" "$out/retry/conformance.tsv" <<'PY'
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
python3 "$repo/tests/conformance/check_regressions.py" "$repo/docs/conformance.tsv" \
  "$out/conformance.tsv"
