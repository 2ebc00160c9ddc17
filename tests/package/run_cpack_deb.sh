#!/bin/sh
# Builds the .deb with cpack from a pktc build tree into a temporary directory and checks its
# contents and control fields, then unpacks it and compiles a script with the packaged pktc.
#
# usage: run_cpack_deb.sh PKTC_BUILD_DIR CPACK DPKG_DEB VERSION SCRIPT.pkt
set -eu
build=$1 cpack=$2 dpkg_deb=$3 version=$4 script=$5

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pktc-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

echo "== cpack -G DEB -B $tmp (in $build)"
(cd "$build" && "$cpack" -G DEB -B "$tmp") >"$tmp/cpack.log" 2>&1 || {
  cat "$tmp/cpack.log"; fail "cpack"; }
cat "$tmp/cpack.log"
deb=$(ls "$tmp"/pktc_"$version"_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no pktc_${version}_<arch>.deb in $tmp"

echo "== dpkg-deb -c $(basename "$deb")"
"$dpkg_deb" -c "$deb" >"$tmp/contents"
cat "$tmp/contents"
for f in bin/pktc lib/libpktc_runtime.a include/pktc/runtime.h include/pktc/runtime.h.gch \
         lib/cmake/pktc/pktcConfig.cmake lib/cmake/pktc/pktcConfigVersion.cmake \
         lib/cmake/pktc/pktcTargets.cmake lib/cmake/pktc/pktcAddTest.cmake; do
  grep -q " \./usr/$f\$" "$tmp/contents" || fail "not in the package: /usr/$f"
done

echo "== dpkg-deb -f"
"$dpkg_deb" -f "$deb" >"$tmp/control"
cat "$tmp/control"
grep -qx "Package: pktc" "$tmp/control" || fail "Package is not pktc"
grep -qx "Version: $version" "$tmp/control" || fail "Version is not $version"
grep -q "^Maintainer: ." "$tmp/control" || fail "no Maintainer"
grep -Eq "^Depends:(.*[ ,])?g\+\+([ ,(]|\$)" "$tmp/control" || fail "Depends lacks g++"

echo "== the unpacked /usr/bin/pktc (stripped) builds $(basename "$script")"
"$dpkg_deb" -x "$deb" "$tmp/root"
"$tmp/root/usr/bin/pktc" --version || fail "pktc --version"
"$tmp/root/usr/bin/pktc" "$script" -o "$tmp/test" || fail "the packaged pktc cannot build a test"
[ -x "$tmp/test" ] || fail "no test binary"

# Every target the build has: in the package, listed by the packaged pktc, and usable.
for t in $("$build/bin/pktc" --print-targets | tail -n +2); do
  echo "== target $t"
  for f in lib/pktc/$t/libpktc_runtime.a lib/pktc/$t/include/pktc/runtime.h.gch; do
    grep -q " \./usr/$f\$" "$tmp/contents" || fail "not in the package: /usr/$f"
  done
  "$tmp/root/usr/bin/pktc" --print-targets | grep -qx "$t" || fail "the packaged pktc does not list $t"
  if command -v "$t-g++" >/dev/null 2>&1; then
    "$tmp/root/usr/bin/pktc" --target="$t" "$script" -o "$tmp/test-$t" ||
      fail "the packaged pktc cannot build a test for $t"
  fi
done

echo "PASS: $(basename "$deb")"
