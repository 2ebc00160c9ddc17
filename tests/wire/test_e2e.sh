#!/bin/bash
# Wire mode end to end on one machine (ctest label `wire`): a pktc wire client (the kernel under
# test, in one network namespace) and a pktc wire server (in another), joined by a veth pair,
# both families: a listening and a connecting script, UDP, GSO injection with --mss, and a
# packet that does not match, whose error the server finds and the client reports.
#   test_e2e.sh PKTC
set -u
. "$(dirname "$0")/lib.sh"
if [ "${WIRE_NETNS_INSIDE:-}" != 1 ]; then
  require_root
  PKTC=$(realpath "$1")
  export out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  for s in listen connect fail gso udp; do
    "$PKTC" "$WIRE_TESTS_DIR/scripts/$s.pkt" -o "$out/$s" || { echo "FAIL: pktc $s.pkt"; exit 1; }
  done
  "$WIRE_TESTS_DIR/netns_pair.sh" "$0"
  exit $?
fi

for s in listen connect gso udp; do
  pair "$out/$s" "$s"
  check "$s: client passes both families" contains "$out/$s.client" "# Totals: pass:2 fail:0"
  check "$s: server ran two sessions" contains "$out/$s.server" "ok 2 session with 10.99.0.1"
  check "$s: client exit 0" test "$client_rc" = 0
done

pair "$out/fail" fail --ip_version=ipv4
check "fail: the client fails" test "$client_rc" = 1
check "fail: at the script's line, with the server's report" \
  contains "$out/fail.client" "# $WIRE_TESTS_DIR/scripts/fail.pkt:11: error handling packet: live packet field tcp_window: expected: 1234"
check "fail: not ok" contains "$out/fail.client" "not ok 1 ipv4"
check "fail: the server says so too" contains "$out/fail.server" "not ok 1 session with 10.99.0.1"

# The devices are as they were: no test address, route or qdisc left on the client's side.
check "client device restored" sh -c '! ip addr show dev tun0 | grep -q 192.168.0.1 &&
  ! ip route show | grep -q 192.0.2.1 && ! tc qdisc show dev tun0 | grep -q pfifo'
check "server device restored" sh -c '! $WIRE_SERVER_NS ip addr show dev wire0 | grep -q 192.168.0.2'
finish
