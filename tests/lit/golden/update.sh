#!/bin/sh
# Regenerates the expected C++ of every golden script after a deliberate codegen change:
#   tests/lit/golden/update.sh [PKTC]      (default: build/bin/pktc)
# Review the diff: it is exactly what the change does to generated code.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pktc=$(cd "$(dirname "${1:-build/bin/pktc}")" && pwd)/$(basename "${1:-build/bin/pktc}")
cd "$here"
for script in *.pkt; do
  "$pktc" --emit=cpp "$script" -o - > "$script.cpp"
done
echo "update.sh: regenerated $(ls *.pkt | wc -l) golden files"
