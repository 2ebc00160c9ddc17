#!/bin/bash
# Wire mode's set-up mistakes (ctest label `wire`): each is one line that says what to do, and
# none makes a binary wait past its deadline. A no-such-device on either side, no route to the
# server, no server within --wire_timeout (refused, and silent), no server address at all, a
# gateway that is the local address, and a server compiled from another script.
#   test_errors.sh PKTC
set -u
. "$(dirname "$0")/lib.sh"
if [ "${WIRE_NETNS_INSIDE:-}" != 1 ]; then
  require_root
  PKTC=$(realpath "$1")
  export out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  for s in listen connect; do
    "$PKTC" "$WIRE_TESTS_DIR/scripts/$s.pkt" -o "$out/$s" || { echo "FAIL: pktc $s.pkt"; exit 1; }
  done
  "$WIRE_TESTS_DIR/netns_pair.sh" "$0"
  exit $?
fi
bin=$out/listen
script=$WIRE_TESTS_DIR/scripts/listen.pkt

# elapsed_below SECONDS COMMAND...: runs COMMAND (output in $out/last), true if it ended in time.
elapsed_below() {
  local limit=$1 start end
  shift
  start=$(date +%s%N)
  "$@" >"$out/last" 2>&1
  end=$(date +%s%N)
  [ $(((end - start) / 1000000000)) -lt "$limit" ] || { echo "--- took too long: $*"; return 1; }
}

timeout 30 "$bin" --wire_client --wire_server_ip="$WIRE_SERVER_IP" --wire_client_dev=nosuch0 \
  --ip_version=ipv4 >"$out/nodev" 2>&1
check "client: no such device" contains "$out/nodev" \
  "# $script: no such device nosuch0 (see \`ip link\`) (--wire_client_dev)"

start_server "$bin" "$out/nodev-server.server" --wire_sessions=1 --wire_server_dev=nosuch0
run_client "$bin" "$out/nodev-server.client" --ip_version=ipv4
stop_server
check "server: no such device, told to the client" contains "$out/nodev-server.client" \
  "# $script: wire server 10.99.0.2:8081 refused the run: wire server: no such device nosuch0 (see \`ip link\`) (--wire_server_dev)"

timeout 30 "$bin" --wire_client --wire_server_ip=10.123.0.1 --ip_version=ipv4 >"$out/noroute" 2>&1
check "no route to the server (device guessed)" contains "$out/noroute" \
  "# $script: no route to the wire server 10.123.0.1 (Network is unreachable): add one, or name the device with --wire_client_dev"
timeout 30 "$bin" --wire_client --wire_server_ip=10.123.0.1 --wire_client_dev=tun0 \
  --ip_version=ipv4 >"$out/noroute2" 2>&1
check "no route to the server (device given)" contains "$out/noroute2" \
  "# $script: no route to the wire server 10.123.0.1:8081 (Network is unreachable): check the address and this machine's routes"

check "no server: refused until the deadline" elapsed_below 6 timeout 30 "$bin" --wire_client \
  --wire_server_ip="$WIRE_SERVER_IP" --wire_timeout=2 --ip_version=ipv4
check "no server: says so" contains "$out/last" \
  "# $script: wire server 10.99.0.2:8081 not reachable within 2 s (Connection refused): is a test binary running there with --wire_server?"

# 10.99.0.3 is on the link but nobody has it: no answer at all.
check "silent server: gives up at the deadline" elapsed_below 6 timeout 30 "$bin" --wire_client \
  --wire_server_ip=10.99.0.3 --wire_timeout=2 --ip_version=ipv4
check "silent server: says so" contains "$out/last" \
  "# $script: wire server 10.99.0.3:8081 not reachable within 2 s"

timeout 30 "$bin" --wire_client >"$out/noserver" 2>&1
check "no server address" contains "$out/noserver" \
  "--wire_client needs --wire_server_ip=ADDRESS (or --wire_server_at), the machine running this test with --wire_server"

timeout 30 "$bin" --wire_client --wire_server_ip="$WIRE_SERVER_IP" --gateway_ip=192.168.0.1 \
  --ip_version=ipv4 >"$out/gateway" 2>&1
check "gateway is the local address" contains "$out/gateway" \
  "gateway_ip 192.168.0.1 is local_ip: in wire mode it is the next hop to remote_ip, which the wire server answers for; give --gateway_ip another address in local_ip's subnet"

start_server "$out/connect" "$out/mismatch.server" --wire_sessions=1
run_client "$bin" "$out/mismatch.client" --ip_version=ipv4
stop_server
check "another script: refused, naming the line" contains "$out/mismatch.client" \
  "refused the run: the client's script $script is not the one this server was compiled from ($WIRE_TESTS_DIR/scripts/connect.pkt): they differ first at line 1: the client's reads \`// Wire mode, the kernel under test listening: the wire server injects the SYN and the request\`"
check "another script: exit 1" test "$client_rc" = 1

check "nothing left on the client's device" sh -c '! ip addr show dev tun0 | grep -q 192.168.0.1'
finish
