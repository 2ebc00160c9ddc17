#!/bin/bash
# Interoperability with packetdrill's wire mode (ctest label `wire`), where PACKETDRILL=path
# names a packetdrill binary: packetdrill's wire client against a pktc wire server, and a pktc
# wire client against packetdrill's wire server, on corpus scripts, with the verdicts and failing
# lines of local mode; and a pktc server refusing a packetdrill client's other script.
#   test_interop.sh PKTC CORPUS_DIR
set -u
. "$(dirname "$0")/lib.sh"
if [ "${WIRE_NETNS_INSIDE:-}" = 1 ]; then
  # packetdrill's client runs connect.pkt against a server compiled from listen.pkt.
  $WIRE_SERVER_NS timeout 60 "$out/listen" --wire_server --wire_server_dev=wire0 \
    --wire_sessions=1 >"$out/server" 2>&1 &
  server_pid=$!
  sleep 0.5  # packetdrill's client does not retry a refused connection.
  (cd "$WIRE_TESTS_DIR/scripts" && timeout 60 "$PACKETDRILL" --wire_client \
    --wire_server_ip=10.99.0.2 --wire_client_dev=tun0 --local_ip=192.168.0.1 \
    --gateway_ip=192.168.0.2 --remote_ip=192.0.2.1 connect.pkt) >"$out/client" 2>&1
  stop_server
  check "packetdrill client: the pktc server refuses its script" contains "$out/client" \
    "bad wire server: expected WIRE_SERVER_READY"
  check "the pktc server says which line differs" contains "$out/server" \
    "the client's script connect.pkt is not the one this server was compiled from ($WIRE_TESTS_DIR/scripts/listen.pkt): they differ first at line 1"
  finish
fi
[ -n "${PACKETDRILL:-}" ] || skip "set PACKETDRILL=path to a packetdrill binary to test interoperability with it"
[ -x "$PACKETDRILL" ] || skip "PACKETDRILL=$PACKETDRILL is not an executable"
require_root
corpus=${2:-}/kselftest
[ -f "$corpus/tcp_basic_client.pkt" ] || skip "no kernel corpus at $corpus"
export PACKETDRILL=$(realpath "$PACKETDRILL") out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
PKTC=$(realpath "$1")
"$PKTC" "$WIRE_TESTS_DIR/scripts/listen.pkt" -o "$out/listen" || exit 1
"$WIRE_TESTS_DIR/netns_pair.sh" "$0" || exit 1
# Scripts packetdrill's wire server runs as a local run does (it cannot inject a segment larger
# than the MTU, sign TCP-MD5 or follow a second connection).
subset=tcp_basic_client.pkt,tcp_basic_server.pkt,tcp_close_close-local-close-then-remote-fin.pkt
subset=$subset,tcp_fastopen_server_basic-rw.pkt,tcp_fastopen_server_icmp-before-accept.pkt
subset=$subset,tcp_sendfile_sendfile-simple.pkt,tcp_nagle_sockopt_cork_nodelay.pkt
subset=$subset,tcp_zerocopy_basic.pkt
PKTC=$PKTC python3 "$WIRE_TESTS_DIR/../../scripts/conformance-wire" -j 1 -q --retry 2 --tolerance-usecs 20000 --strict \
  --pairings packetdrill/pktc,pktc/packetdrill --scripts "$subset" --out-dir "$out" "$corpus"
