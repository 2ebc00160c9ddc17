#!/bin/bash
# A subset of the kernel corpus in wire mode (ctest label `wire`): a pktc wire client and a pktc
# wire server over a veth pair must give every (script, family) pair the verdict, and the
# failing line, a local run gives it. Passive and active opens, blocking calls, GSO injection
# (--mss) with a code block, a segment larger than the MTU, sendfile, TCP-MD5, TFO. A pair that
# disagrees runs once more (timing on a loaded machine).
#   test_corpus.sh PKTC CORPUS_DIR
set -u
. "$(dirname "$0")/lib.sh"
require_root
corpus=${2:-}/kselftest
[ -f "$corpus/tcp_basic_client.pkt" ] || skip "no kernel corpus at $corpus"
subset=tcp_basic_client.pkt,tcp_basic_server.pkt,tcp_inq_client.pkt,tcp_inq_server.pkt
subset=$subset,tcp_blocking_blocking-read.pkt,tcp_blocking_blocking-accept.pkt
subset=$subset,tcp_close_close-remote-fin-then-close.pkt,tcp_ooo-before-and-after-accept.pkt
subset=$subset,tcp_rcv_big_endseq.pkt,tcp_sendfile_sendfile-simple.pkt
subset=$subset,tcp_md5_md5-only-on-client-ack.pkt,tcp_fastopen_server_basic-rw.pkt
subset=$subset,tcp_eor_no-coalesce-small.pkt,tcp_slow_start_slow-start-ack-per-2pkt.pkt
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
PKTC=$(realpath "$1") python3 "$WIRE_TESTS_DIR/../../scripts/conformance" --wire -j 1 -q --retry 2 --tolerance-usecs 20000 \
  --strict --pairings pktc/pktc --scripts "$subset" --out-dir "$out" "$corpus"
