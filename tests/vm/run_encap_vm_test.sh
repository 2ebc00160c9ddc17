#!/bin/sh
# Encapsulated packets against a kernel that really has the tunnels: boots Debian's kernel under
# qemu with scripts/vm, iproute2's ip and the tunnel modules (ip_gre, ipip, ip6_gre, ip6_tunnel,
# mpls_router, mpls_iptunnel), and runs tests/vm/encap/*.pkt, each of which sets up its tunnel
# in its init command and must pass: the kernel decapsulates the peer's segments (the handshake
# completes, the request is read) and its own leave encapsulated and match the script's stack.
# Variants made here must fail, and say why, so a passing script cannot mean that nothing was
# compared: without its tunnel the SYN-ACK never comes; a reply expected without its outer
# headers, with another GRE key or another MPLS label fails on exactly that.
# Exits 77 (skipped) when scripts/vm cannot run here or the kernel lacks a module.
#
# usage: run_encap_vm_test.sh SOURCE_DIR PKTC
set -u
src=$1 pktc=$2
modules="ip_gre ipip ip6_gre ip6_tunnel mpls_router mpls_iptunnel"
module_args=""
for m in $modules; do module_args="$module_args --module $m"; done

# shellcheck disable=SC2086  # one word per option
if ! "$src/scripts/vm" --check-deps --with-iproute2 $module_args; then
  echo "SKIP: scripts/vm cannot run here or the kernel lacks a tunnel module (see above)"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pktc-vm-encap.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
encap=$src/tests/vm/encap
variant() {  # name, source script, sed program
  sed "$3" "$encap/$2.pkt" > "$work/$1.pkt"
  cmp -s "$work/$1.pkt" "$encap/$2.pkt" && { echo "FAIL: the $1 variant changed nothing"; exit 1; }
  return 0
}
variant gre_without_tunnel gre '/^ip link .*gre1/d; s,ip route replace 192.0.2.1/32 dev gre1,true,'
variant gre_expects_plain gre \
  's/^+0   > ipv4 \[ttl 64\] 192\.168\.0\.1 > 192\.168\.0\.2: gre: S\. /+0   > S. /'
variant gre_other_key gre_key_seq_csum 's/key 7 seq 0: S\. /key 9 seq 0: S. /'
variant mpls_other_label mpls_gre '/ S\. 0:0(0) ack 1/s/label 300/label 301/'

log=$work/console.log
rc=0
# What these scripts prove is the packets' headers, not their timing: a wide tolerance keeps a
# TCG guest on a busy host (a 100 ms stall is common) from failing them on time alone.
# shellcheck disable=SC2086
"$src/scripts/vm" -q --with-iproute2 $module_args --tolerance 250000 --pktc "$pktc" --log "$log" \
  "$encap"/*.pkt "$work"/*.pkt || rc=$?
echo "scripts/vm exit status: $rc"

fail() {
  echo "FAIL: $*" >&2
  echo "--- console log" >&2
  cat "$log" >&2
  exit 1
}
[ $rc -ne 2 ] || fail "infrastructure error (exit 2)"
passing=0
for f in "$encap"/*.pkt; do
  t=$(basename "$f" .pkt)
  grep -qE "^ok [0-9]+ selftests: net/packetdrill: $t\$" "$log" || fail "$t did not pass"
  passing=$((passing + 1))
done
expect_failure() {  # test, message part (a grep -F pattern)
  grep -qE "^not ok [0-9]+ selftests: net/packetdrill: $1 # exit=1\$" "$log" ||
    fail "$1 did not fail"
  grep -F "$1.pkt:" "$log" | grep -qF "$2" || fail "$1 did not fail with: $2"
}
expect_failure gre_without_tunnel "error handling packet: Timed out waiting for packet"
expect_failure gre_expects_plain \
  "error handling packet: live packet header layers: expected: 2 headers vs actual: 4 headers"
expect_failure gre_other_key "error handling packet: mismatch in GRE key: expected: 0x9 vs actual: 0x7"
expect_failure mpls_other_label \
  "error handling packet: mismatch in MPLS label 1: expected: (label 301, tc 0, [S], ttl 64) vs actual: (label 300, tc 0, [S], ttl 64)"
grep -q "^# Totals: pass:$passing fail:4 " "$log" || fail "wrong Totals"
[ $rc -eq 1 ] || fail "expected exit status 1 (the variants fail), got $rc"
echo PASS
