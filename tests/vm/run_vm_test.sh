#!/bin/sh
# Boots the stock kernel under qemu with scripts/vm on examples/md5_server.pkt, the corpus's
# tcp_inq_client.pkt (when the corpus is there) and tests/vm/expect_fail.pkt, without /bin/sh
# in the initramfs. Checks the KTAP and the verdict: exit 1, the real scripts "ok", expect_fail
# "not ok ... # exit=1". (Not hello_server.pkt: on a slow TCG guest the kernel may ACK the request
# before the reply is written, which that script does not allow.)
# Exits 77 (skipped) when qemu, cpio, gcc or a readable kernel image is missing. With ARCH arm64
# the same set runs on Debian's arm64 kernel (scripts/vm --arch arm64), compiled with
# pktc --target=aarch64-linux-gnu; skipped also where pktc has no aarch64 runtime. First, a binary
# of the other architecture must be refused before the VM boots.
#
# usage: run_vm_test.sh SOURCE_DIR PKTC [CORPUS_DIR] [ARCH]
set -u
src=$1 pktc=$2 corpus=${3:-} arch=${4:-x86_64}

if ! "$src/scripts/vm" --arch "$arch" --check-deps; then
  echo "SKIP: scripts/vm --arch $arch cannot run here (see above)"
  exit 77
fi
if [ "$arch" = arm64 ] && ! "$pktc" --print-targets | grep -qx aarch64-linux-gnu; then
  echo "SKIP: pktc has no aarch64-linux-gnu runtime (pktc --print-targets; configure with the cross compiler installed)"
  exit 77
fi

set -- "$src/examples/md5_server.pkt"
[ -f "$corpus/kselftest/tcp_inq_client.pkt" ] && set -- "$@" "$corpus/kselftest/tcp_inq_client.pkt"
n=$(($# + 1))
log=$(mktemp "${TMPDIR:-/tmp}/pktc-vm-test.XXXXXX")
trap 'rm -f "$log" "$log.wrong" "$log.out"' EXIT INT TERM

# A binary of the other architecture is refused before anything boots (exit 2, one line).
other=""
if [ "$arch" = arm64 ]; then
  other=host
elif "$pktc" --print-targets | grep -qx aarch64-linux-gnu && command -v aarch64-linux-gnu-g++ >/dev/null; then
  other=aarch64-linux-gnu
fi
if [ -n "$other" ]; then
  wrong=$log.wrong
  "$pktc" $([ "$other" = host ] || echo "--target=$other") "$src/tests/vm/expect_fail.pkt" -o "$wrong" ||
    { echo "FAIL: cannot compile expect_fail.pkt for $other" >&2; exit 1; }
  rc=0
  "$src/scripts/vm" --arch "$arch" -q --pktc "$pktc" "$wrong" > "$log.out" 2>&1 || rc=$?
  rm -f "$wrong"
  if [ $rc -ne 2 ] || ! grep -q "binary, but the VM is $arch" "$log.out" || grep -q "booting" "$log.out"; then
    echo "FAIL: scripts/vm --arch $arch did not refuse a binary for $other before booting (exit $rc):" >&2
    cat "$log.out" >&2
    rm -f "$log.out"
    exit 1
  fi
  echo "refused before booting: $(grep 'binary, but the VM' "$log.out")"
  rm -f "$log.out"
fi

rc=0
"$src/scripts/vm" --arch "$arch" -q --pktc "$pktc" --log "$log" "$@" "$src/tests/vm/expect_fail.pkt" || rc=$?
echo "scripts/vm exit status: $rc"

fail() {
  echo "FAIL: $*" >&2
  echo "--- console log" >&2
  cat "$log" >&2
  exit 1
}
[ $rc -ne 2 ] || fail "infrastructure error (exit 2)"
grep -qx "1\.\.$n" "$log" || fail "no plan 1..$n"
for f in "$@"; do
  t=$(basename "$f" .pkt)
  grep -qE "^ok [0-9]+ selftests: net/packetdrill: $t\$" "$log" || fail "$t did not pass"
done
grep -qE '^not ok [0-9]+ selftests: net/packetdrill: expect_fail # exit=1$' "$log" ||
  fail "expect_fail was not reported as failing"
grep -q "^# Totals: pass:$((n - 1)) fail:1 " "$log" || fail "wrong Totals"
grep -q 'no /bin/sh' "$log" && fail "a test wanted /bin/sh"
[ $rc -eq 1 ] || fail "expected exit status 1 (a test failed), got $rc"
echo PASS
