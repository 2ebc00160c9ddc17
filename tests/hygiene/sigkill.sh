#!/bin/sh
# Proves that a run never touches the root network namespace (links, addresses, routes and the
# sysctls scripts set stay as they were), and that SIGKILL of a test binary, or of pktc-run
# (while it runs tests, and while it compiles), leaves nothing behind: no process, no temporary
# file, no TUN device or route in the root network namespace, and no network namespace (the
# kernel's count of them returns to where it was).
#
#   sigkill.sh PKTC PKTC_RUN SCRIPT [SCRIPT_THAT_SETS_SYSCTLS]
set -u
pktc=$1
pktc_run=$2
script=$3
sysctl_script=${4:-}
if [ "$(id -u)" -ne 0 ] || [ ! -e /dev/net/tun ]; then
  echo "SKIP: needs root and /dev/net/tun"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tmp" "$work/cache"
export TMPDIR="$work/tmp"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The marker process the script starts: `sleep 31415`. Processes are matched by command line.
count_marker() { pgrep -f -x 'sleep 31415' | wc -l; }
count_binary() { pgrep -f "$work/" | wc -l; }
netns_count() { awk '$1 == "net_namespace" { print $2 }' /proc/slabinfo 2>/dev/null; }
root_links() { ip -o link show | awk -F': ' '{ print $2 }' | sort; }
# What a script could change in the root namespace if it escaped its own: links, addresses,
# routes, and the sysctls defaults.sh and the examples set.
root_state() {
  ip -o link show | awk -F': ' '{ print $2 }' | sort
  ip -o addr show | sort
  ip route show table all | sort
  ip -6 route show table all | sort
  for k in tcp_rmem tcp_wmem tcp_timestamps tcp_sack tcp_fastopen tcp_syncookies tcp_ecn \
    tcp_congestion_control tcp_min_tso_segs; do
    cat "/proc/sys/net/ipv4/$k" 2>/dev/null
  done
  tc qdisc show 2>/dev/null
}
wait_for() {  # wait_for SECONDS COMMAND...: polls until the command succeeds.
  limit=$(($1 * 10))
  shift
  i=0
  while [ $i -lt "$limit" ]; do
    if "$@"; then return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
markers_are() { [ "$(count_marker)" -eq "$1" ]; }
nothing_left() { [ "$(count_marker)" -eq 0 ] && [ "$(count_binary)" -eq 0 ]; }
netns_back() { [ -z "$baseline_netns" ] || [ "$(netns_count)" -le "$baseline_netns" ]; }

if [ "$(count_marker)" -ne 0 ]; then
  echo "SKIP: a 'sleep 31415' is already running"
  exit 0
fi
links_before=$(root_links)
state_before=$(root_state)
# The kernel frees network namespaces asynchronously, in batches; after a test that made
# hundreds of them (the conformance run) the count keeps falling for a while. Take the
# baseline once it has held still for 3 s (at most 60 s).
baseline_netns=$(netns_count)
if [ -n "$baseline_netns" ]; then
  still=0
  i=0
  while [ $still -lt 3 ] && [ $i -lt 60 ]; do
    sleep 1
    now=$(netns_count)
    if [ "$now" = "$baseline_netns" ]; then still=$((still + 1)); else still=0; fi
    baseline_netns=$now
    i=$((i + 1))
  done
fi

# 0. A complete run of a script that sets sysctls, a qdisc and the MTU of its tun0 leaves the
# root namespace as it was.
if [ -n "$sysctl_script" ]; then
  "$pktc" "$sysctl_script" -o "$work/sets_sysctls" || { echo "FAIL: cannot compile"; exit 1; }
  "$work/sets_sysctls" > "$work/out0" 2>&1 || fail "the state-changing run failed: $(cat "$work/out0")"
  root_state > "$work/state_after"
  echo "$state_before" > "$work/state_before"
  cmp -s "$work/state_before" "$work/state_after" ||
    fail "a run changed the root namespace: $(diff "$work/state_before" "$work/state_after" | head)"
fi

"$pktc" "$script" -o "$work/long_run" || { echo "FAIL: cannot compile $script"; exit 1; }

check_clean() {  # check_clean WHAT
  wait_for 10 nothing_left || fail "$1: processes left: $(pgrep -a -f "sleep 31415|$work/")"
  [ -z "$(ls -A "$work/tmp")" ] || fail "$1: files left in TMPDIR: $(ls -A "$work/tmp")"
  [ "$(root_links)" = "$links_before" ] || fail "$1: the root namespace's links changed"
  wait_for 60 netns_back || fail "$1: $(netns_count) network namespaces, $baseline_netns before"
  [ ! -e /tmp/pktc-hygiene-marker ] || fail "$1: the run's /tmp file leaked into the host's /tmp"
}

# 1. SIGKILL the test binary while both families run (--parallel: two marker processes).
"$work/long_run" --parallel > "$work/out1" 2>&1 &
pid=$!
wait_for 20 markers_are 2 || fail "binary: the two families did not start ($(count_marker) markers)"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
check_clean "SIGKILL of the test binary"

# 2. SIGKILL pktc-run while it runs two tests (four families, four marker processes).
cp "$work/long_run" "$work/long_run2"
"$pktc_run" -q -j 2 --cache "$work/cache" --junit "$work/all.xml" "$work/long_run" \
  "$work/long_run2" -- --parallel > "$work/out2" 2>&1 &
pid=$!
wait_for 20 markers_are 4 || fail "runner: the tests did not start ($(count_marker) markers)"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
check_clean "SIGKILL of pktc-run while testing"
[ ! -e "$work/all.xml" ] || fail "pktc-run left a partial JUnit file"

# 3. SIGKILL pktc-run while it compiles: pktc gets SIGTERM, stops the C++ compiler and removes
# its temporary directory.
cp "$script" "$work/compile_me.pkt"
"$pktc_run" -q --cache "$work/cache" "$work/compile_me.pkt" > "$work/out3" 2>&1 &
pid=$!
compiling() { [ -n "$(ls -A "$work/tmp")" ]; }
wait_for 20 compiling || fail "compile: pktc never created its temporary directory"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
check_clean "SIGKILL of pktc-run while compiling"
[ -z "$(ls "$work/cache")" ] || fail "compile: a binary reached the cache: $(ls "$work/cache")"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "PASS: nothing left after SIGKILL of a test binary, of pktc-run testing and compiling"
