#!/bin/bash
# Measures how far from its scheduled time each injected packet reaches the kernel under test,
# in local mode (TUN) and in wire mode over a veth pair (pktc client and server), with
# scripts/timing_probe.pkt (100 segments 5 ms apart), RUNS times each, both families; prints
# p50, p99 and max of |error| per mode. Not a test: it measures (run it on a quiet machine).
#   measure_timing.sh PKTC [RUNS]          (as root)
# An injection's error in local mode is when the runtime wrote it to tun0 against its scheduled
# time. In wire mode it is the same on the server's clock, plus how much later the server's
# script time 0 is than the client's (both print it with --timing-report; one clock on one
# machine), plus the veth's delay, microseconds which this leaves out.
set -eu
. "$(dirname "$0")/lib.sh"
if [ "${WIRE_NETNS_INSIDE:-}" = 1 ]; then
  for i in $(seq "$RUNS"); do
    start_server "$out/probe" "$out/wire.$i.server" --wire_sessions=2 -v --timing-report
    run_client "$out/probe" "$out/wire.$i.client" --timing-report
    stop_server
  done
  exit 0
fi
require_root
PKTC=$(realpath "$1")
export RUNS=${2:-5} out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$PKTC" "$WIRE_TESTS_DIR/scripts/timing_probe.pkt" -o "$out/probe"
for i in $(seq "$RUNS"); do "$out/probe" -v >"$out/local.$i" 2>&1 || true; done
"$WIRE_TESTS_DIR/netns_pair.sh" "$0"
python3 - "$out" "$RUNS" <<'PY'
import glob, re, sys
out, runs = sys.argv[1], int(sys.argv[2])
trace = re.compile(r"scheduled (-?[\d.]+) actual (-?[\d.]+): inbound P\.")
zero = re.compile(r"timing: (client|server) script time 0 at CLOCK_MONOTONIC (\d+) ns")

def errors(path, offsets=None):
    vals, session = [], -1
    for ln in open(path):
        if "wire session with" in ln:
            session += 1
        m = trace.search(ln)
        if m:
            shift = offsets[session] if offsets else 0.0
            vals.append((float(m.group(2)) - float(m.group(1))) * 1e6 + shift)
    return vals

def summary(name, vals):
    v = sorted(abs(x) for x in vals)
    at = lambda q: v[min(len(v) - 1, int(q * len(v)))]
    print("%-28s %5d packets  p50 %6.0f us  p99 %6.0f us  max %6.0f us" %
          (name, len(v), at(0.5), at(0.99), v[-1]))

local = [e for i in range(1, runs + 1) for e in errors("%s/local.%d" % (out, i))]
wire_inject, wire_total, deltas = [], [], []
for i in range(1, runs + 1):
    client = [int(m.group(2)) for m in map(zero.search, open("%s/wire.%d.client" % (out, i)))
              if m and m.group(1) == "client"]
    server = [int(m.group(2)) for m in map(zero.search, open("%s/wire.%d.server" % (out, i)))
              if m and m.group(1) == "server"]
    offsets = [(s - c) / 1000.0 for c, s in zip(client, server)]
    deltas += offsets
    wire_inject += errors("%s/wire.%d.server" % (out, i))
    wire_total += errors("%s/wire.%d.server" % (out, i), offsets)
summary("local (TUN)", local)
summary("wire, server's clock", wire_inject)
summary("wire, client's clock", wire_total)
d = sorted(deltas)
print("server's time 0 after the client's: p50 %.0f us, max %.0f us (%d sessions)" %
      (d[len(d) // 2], d[-1], len(d)))
PY
