#!/bin/sh
# Proves that a run never touches the root network namespace (links, addresses, routes and the
# sysctls scripts set stay as they were), and that SIGKILL of a test binary, or of pktc-run
# (while it runs tests, and while it compiles), leaves nothing behind: no process, no temporary
# file, no TUN device or route in the root network namespace, and no network namespace that a
# process, an open descriptor or a mount still refers to.
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
# The network namespaces of the runs' processes, recorded while they live. Once no process,
# open file or mount refers to one, it is gone for good (the kernel frees its memory later, in
# its own time, so counting slab objects would measure the allocator rather than the runs).
run_netns() {
  for pid in $(pgrep -f -x 'sleep 31415'); do readlink "/proc/$pid/ns/net" 2>/dev/null; done |
    sort -u
}
netns_referenced() {  # netns_referenced 'net:[N]': any process, descriptor or mount using it
  ids=$(echo "$1" | tr -dc '0-9')
  for link in /proc/[0-9]*/ns/net /proc/[0-9]*/fd/*; do
    [ "$(readlink "$link" 2>/dev/null)" = "$1" ] && return 0
  done
  grep -qs "nsfs.*net:\[$ids\]" /proc/self/mountinfo /proc/1/mountinfo && return 0
  return 1
}
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
netns_gone() {
  for ns in $namespaces; do
    if netns_referenced "$ns"; then return 1; fi
  done
  return 0
}

if [ "$(count_marker)" -ne 0 ]; then
  echo "SKIP: a 'sleep 31415' is already running"
  exit 0
fi
links_before=$(root_links)
state_before=$(root_state)

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
  wait_for 10 netns_gone || fail "$1: a run's network namespace is still referenced"
  [ ! -e /tmp/pktc-hygiene-marker ] || fail "$1: the run's /tmp file leaked into the host's /tmp"
}

# 1. SIGKILL the test binary while both families run (--parallel: two marker processes).
"$work/long_run" --parallel > "$work/out1" 2>&1 &
pid=$!
wait_for 20 markers_are 2 || fail "binary: the two families did not start ($(count_marker) markers)"
namespaces=$(run_netns)
[ "$(echo "$namespaces" | wc -w)" -eq 2 ] || fail "binary: expected 2 network namespaces: $namespaces"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
check_clean "SIGKILL of the test binary"

# 2. SIGKILL pktc-run while it runs two tests (four families, four marker processes).
cp "$work/long_run" "$work/long_run2"
"$pktc_run" -q -j 2 --cache "$work/cache" --junit "$work/all.xml" "$work/long_run" \
  "$work/long_run2" -- --parallel > "$work/out2" 2>&1 &
pid=$!
wait_for 20 markers_are 4 || fail "runner: the tests did not start ($(count_marker) markers)"
namespaces=$(run_netns)
[ "$(echo "$namespaces" | wc -w)" -eq 4 ] || fail "runner: expected 4 network namespaces: $namespaces"
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
