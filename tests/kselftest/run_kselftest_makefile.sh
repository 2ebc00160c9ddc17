#!/bin/sh
# Builds and runs examples/kselftest/Makefile on a temporary PKT_DIR holding the repository's
# examples/*.pkt (plus tcp_inq_client.pkt and defaults.sh from the kernel corpus when present),
# and checks: the KTAP of `make run_tests` (version, plan, one ok line per test, totals, exit
# status), that a second `make` does nothing, that touching defaults.sh rebuilds exactly the
# script that embeds it, `make install` + the installed run_tests.sh, and the runner's not-ok
# forms (a failing script, a timeout from a settings file, exit 4 as SKIP).
#
# usage: run_kselftest_makefile.sh SOURCE_DIR PKTC MAKE [CORPUS_DIR]
set -eu
src=$1 pktc=$2 make=$3 corpus=${4:-}
mkfile=$src/examples/kselftest/Makefile

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pktc-kselftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() {
  echo "== $*"
}
has() {  # file, fixed line
  grep -qxF "$2" "$1"
}

mkdir "$tmp/pkt"
cp "$src"/examples/*.pkt "$tmp/pkt/"
if [ -n "$corpus" ] && [ -f "$corpus/kselftest/tcp_inq_client.pkt" ]; then
  cp "$corpus/kselftest/tcp_inq_client.pkt" "$corpus/kselftest/defaults.sh" "$tmp/pkt/"
fi
names=$(cd "$tmp/pkt" && ls *.pkt | sed 's/\.pkt$//')
n=$(echo "$names" | wc -l)

m() {
  "$make" --no-print-directory -f "$mkfile" PKTC="$pktc" PKT_DIR="$tmp/pkt" OUTPUT="$tmp/out" "$@"
}

step "make run_tests ($n scripts: $(echo $names))"
rc=0
m -j2 run_tests > "$tmp/run.log" 2>&1 || rc=$?
cat "$tmp/run.log"
sed -n '/^TAP version 13$/,$p' "$tmp/run.log" > "$tmp/ktap"
[ "$(head -n 2 "$tmp/ktap")" = "TAP version 13
1..$n" ] || fail "KTAP header: expected 'TAP version 13' and '1..$n'"
i=0 skipped=0
for t in $names; do
  i=$((i + 1))
  hdr="selftests: net/packetdrill: $t"
  has "$tmp/ktap" "# $hdr" || fail "no '# $hdr' line"
  if has "$tmp/ktap" "ok $i $hdr # SKIP"; then
    skipped=$((skipped + 1))
  else
    has "$tmp/ktap" "ok $i $hdr" || fail "expected 'ok $i $hdr'"
  fi
  [ -x "$tmp/out/$t" ] && [ -f "$tmp/out/$t.d" ] || fail "no binary or depfile for $t"
done
grep -q '^# ok 1 ipv4$' "$tmp/ktap" || [ $skipped -gt 0 ] || fail "the tests' own KTAP is not prefixed with '# '"
has "$tmp/ktap" "# Totals: pass:$((n - skipped)) fail:0 xfail:0 xpass:0 skip:$skipped error:0" ||
  fail "wrong or missing Totals line"
[ $rc -eq 0 ] || fail "make run_tests exited $rc with every test passing"
[ $skipped -eq 0 ] || echo "NOTE: $skipped tests skipped (exit 4: no root or no /dev/net/tun)"

step "a second make is a no-op"
out=$(m)
echo "$out"
echo "$out" | grep -q 'pktc' && fail "second make rebuilt something"
m -q || fail "make -q says something is out of date"

if [ -f "$tmp/pkt/defaults.sh" ]; then
  step "touching defaults.sh rebuilds tcp_inq_client only"
  sleep 1  # make compares modification times; keep them apart on coarse file systems
  touch "$tmp/pkt/defaults.sh"
  out=$(m)
  echo "$out"
  [ "$(echo "$out" | grep -c 'pktc')" -eq 1 ] && echo "$out" | grep -q "tcp_inq_client.pkt" ||
    fail "expected exactly tcp_inq_client to be rebuilt"
  out=$(m)
  echo "$out" | grep -q 'pktc' && fail "make after the rebuild was not a no-op"
fi

step "make install, and the installed run_tests.sh"
m install INSTALL_PATH="$tmp/inst" > /dev/null || fail "make install"
for t in $names run_tests.sh config; do
  [ -e "$tmp/inst/$t" ] || fail "not installed: $t"
done
"$tmp/inst/run_tests.sh" > "$tmp/inst.log" 2>&1 || fail "installed run_tests.sh exited non-zero"
head -n 2 "$tmp/inst.log" | tail -n 1 | grep -qx "1..$n" || fail "installed run: plan is not 1..$n"
[ "$(m emit_tests)" = "$(echo "$names" | sed 's|^|net/packetdrill:|')" ] ||
  fail "emit_tests"

step "not ok forms: a failing script, a timeout (settings: timeout=2), exit 4"
mkdir "$tmp/neg"
cat > "$tmp/neg/a_fails.pkt" <<'EOF'
// close() of an open socket succeeds, so the expected error is a failure.
0  socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 close(3) = -1 EBADF (Bad file descriptor)
EOF
cat > "$tmp/neg/b_sleeps.pkt" <<'EOF'
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+60 close(3) = 0
EOF
echo "timeout=2" > "$tmp/neg/settings"
rc=0
"$make" --no-print-directory -f "$mkfile" PKTC="$pktc" PKT_DIR="$tmp/neg" OUTPUT="$tmp/negout" \
  -j2 run_tests > "$tmp/neg.log" 2>&1 || rc=$?
cat "$tmp/neg.log"
if [ $skipped -eq 0 ]; then
  has "$tmp/neg.log" "not ok 1 selftests: net/packetdrill: a_fails # exit=1" || fail "a_fails"
  has "$tmp/neg.log" "not ok 2 selftests: net/packetdrill: b_sleeps # TIMEOUT 2 seconds" ||
    fail "b_sleeps"
  [ $rc -ne 0 ] || fail "make run_tests exited 0 with failing tests"
fi
printf '#!/bin/sh\necho "1..0 # SKIP nothing to do"\nexit 4\n' > "$tmp/negout/c_skips"
chmod +x "$tmp/negout/c_skips"
"$src/examples/kselftest/run_tests.sh" "$tmp/negout/c_skips" > "$tmp/skip.log" ||
  fail "run_tests.sh exited non-zero for a skipped test"
cat "$tmp/skip.log"
has "$tmp/skip.log" "# 1..0 # SKIP nothing to do" &&
  has "$tmp/skip.log" "ok 1 selftests: net/packetdrill: c_skips # SKIP" || fail "SKIP line"

step "clean"
m clean > /dev/null
[ -z "$(ls -A "$tmp/out" 2>/dev/null)" ] || fail "make clean left files in OUTPUT"
echo "PASS"
