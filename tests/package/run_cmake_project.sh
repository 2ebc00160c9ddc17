#!/bin/sh
# Installs pktc from a build tree into a temporary prefix, then configures, builds and tests
# examples/cmake-project against it with find_package(pktc), and checks incremental builds:
# touching a helper script a .pkt embeds rebuilds exactly that test binary and the suite that
# holds the script, and a build after a build does nothing.
#
# usage: run_cmake_project.sh PKTC_BUILD_DIR EXAMPLE_SOURCE_DIR CMAKE CTEST NINJA
set -eu
build=$1 example=$2 cmake=$3 ctest=$4 ninja=$5

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pktc-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() {
  echo "== $*"
}

step "cmake --install $build --prefix $tmp/prefix"
"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" || {
  cat "$tmp/install.log"; fail "cmake --install"; }
for f in bin/pktc lib/libpktc_runtime.a include/pktc/runtime.h include/pktc/runtime.h.gch \
         lib/cmake/pktc/pktcConfig.cmake lib/cmake/pktc/pktcConfigVersion.cmake \
         lib/cmake/pktc/pktcTargets.cmake lib/cmake/pktc/pktcAddTest.cmake; do
  [ -e "$tmp/prefix/$f" ] || fail "not installed: $f"
done

# A copy of the project, so that touching its files leaves the source tree alone.
cp -R "$example" "$tmp/src"

# The sanitized runtime variant, where the build has one: installed beside the normal runtime
# and found there by the installed pktc, as in the build tree.
if [ -e "$build/lib/pktc/asan-ubsan/libpktc_runtime.a" ]; then
  step "the installed pktc --sanitize links the installed sanitized runtime"
  for f in lib/pktc/asan-ubsan/libpktc_runtime.a lib/pktc/asan-ubsan/include/pktc/runtime.h.gch; do
    [ -e "$tmp/prefix/$f" ] || fail "not installed: $f"
  done
  "$tmp/prefix/bin/pktc" -v --sanitize=address,undefined "$tmp/src/hello_server.pkt" \
    -o "$tmp/hello-sanitized" 2>"$tmp/sanitize.log" || {
    cat "$tmp/sanitize.log"; fail "pktc --sanitize from the install tree"; }
  grep -q "$tmp/prefix/lib/pktc/asan-ubsan/libpktc_runtime.a" "$tmp/sanitize.log" ||
    fail "pktc --sanitize did not link the installed variant"
  "$tmp/hello-sanitized" --dry_run || fail "the sanitized binary does not start"
fi

# Cross targets (pktc --target): installed as variants too, and found by the installed pktc.
for t in $("$build/bin/pktc" --print-targets | tail -n +2); do
  step "the installed pktc --target=$t links the installed $t runtime"
  for f in lib/pktc/$t/libpktc_runtime.a lib/pktc/$t/include/pktc/runtime.h.gch; do
    [ -e "$tmp/prefix/$f" ] || fail "not installed: $f"
  done
  "$tmp/prefix/bin/pktc" --print-targets | grep -qx "$t" || fail "--print-targets lacks $t"
  "$tmp/prefix/bin/pktc" -v --target="$t" "$tmp/src/hello_server.pkt" -o "$tmp/hello-$t" \
    2>"$tmp/target.log" || { cat "$tmp/target.log"; fail "pktc --target=$t from the install tree"; }
  grep -q "$tmp/prefix/lib/pktc/$t/libpktc_runtime.a" "$tmp/target.log" ||
    fail "pktc --target=$t did not link the installed variant"
done

step "configure examples/cmake-project with -DCMAKE_PREFIX_PATH=$tmp/prefix"
"$cmake" -S "$tmp/src" -B "$tmp/build" -G Ninja -DCMAKE_MAKE_PROGRAM="$ninja" \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" >"$tmp/configure.log" 2>&1 || {
  cat "$tmp/configure.log"; fail "configuring the example project"; }

step "build"
"$ninja" -C "$tmp/build" || fail "building the example project"

step "ctest"
"$ctest" --test-dir "$tmp/build" --output-on-failure >"$tmp/ctest.log" 2>&1 || {
  cat "$tmp/ctest.log"; fail "the example project's tests"; }
cat "$tmp/ctest.log"
for t in hello_server.ipv4 hello_server.ipv6 client_plain_client example_suite.hello_server \
         example_suite.plain_client; do
  grep -q " $t \.\.\." "$tmp/ctest.log" || fail "test $t was not registered"
done
if [ -e "$tmp/prefix/lib/pktc/aarch64-linux-gnu/libpktc_runtime.a" ] && command -v aarch64-linux-gnu-g++ >/dev/null; then
  # An aarch64 ELF (e_machine 183) whose depfile names the arm64 runtime, and its CTest test
  # registered and skipped on this host.
  check_arm64() {  # binary, test name
    [ "$(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')" = 183 ] || fail "$1 is not an aarch64 ELF"
    grep -q "lib/pktc/aarch64-linux-gnu/libpktc_runtime.a" "$1.d" || fail "$1.d lacks the arm64 runtime"
    grep -q " $2 \.\.\.*\*\*\*Skipped" "$tmp/ctest.log" ||
      fail "test $2 was not registered, or not skipped on this host"
  }
  step "pktc_add_test(TARGET aarch64-linux-gnu): an arm64 binary, its depfile names the arm64 runtime"
  check_arm64 "$tmp/build/pktc_tests/aarch64-linux-gnu/hello_server_arm64" hello_server_arm64
  step "pktc_add_suite(TARGET aarch64-linux-gnu): an arm64 suite binary, skipped on this host"
  check_arm64 "$tmp/build/pktc_tests/aarch64-linux-gnu/example_suite_arm64" example_suite_arm64.hello_server
fi
if grep "Skipped" "$tmp/ctest.log" | grep -qv arm64; then
  echo "NOTE: the example tests were skipped (exit 4: no root or no /dev/net/tun)"
fi

# Output lines of a dry run / build that are build edges: "[i/n] description".
edges() {
  grep -E '^\[[0-9]+/[0-9]+\] ' || true
}

step "a second build is a no-op"
out=$("$ninja" -C "$tmp/build" -n)
echo "$out"
[ -z "$(echo "$out" | edges)" ] || fail "ninja -n after a build still has work to do"

step "touch client/setup.sh: only client_plain_client and the suites holding it are rebuilt"
hello_before=$(stat -c %Y.%y "$tmp/build/pktc_tests/hello_server")
client_before=$(stat -c %y "$tmp/build/pktc_tests/client_plain_client")
touch "$tmp/src/client/setup.sh"
out=$("$ninja" -C "$tmp/build" -n)
echo "$out"
planned=$(echo "$out" | edges)
# Two steps, and a third where the example project also builds its arm64 suite.
steps=2
grep -q 'example_suite_arm64' "$tmp/build/build.ninja" && steps=3
[ "$(echo "$planned" | grep -c .)" -eq "$steps" ] || fail "ninja -n plans other than $steps steps"
echo "$planned" | grep -q 'pktc client/plain_client\.pkt$' || fail "ninja -n does not rebuild plain_client"
echo "$planned" | grep -q 'pktc suite example_suite' || fail "ninja -n does not rebuild the suite"

out=$("$ninja" -C "$tmp/build" -d explain 2>&1)
echo "$out"
echo "$out" | grep -q "ninja explain: .*client/setup\.sh" || fail "ninja -d explain does not name setup.sh"
ran=$(echo "$out" | edges)
[ "$(echo "$ran" | grep -c .)" -eq "$steps" ] || fail "ninja ran other than $steps steps"
echo "$ran" | grep -q 'pktc client/plain_client\.pkt$' || fail "ninja did not rebuild plain_client"
echo "$ran" | grep -q 'pktc suite example_suite' || fail "ninja did not rebuild the suite"
"$tmp/build/pktc_tests/example_suite" --list | grep -qx plain_client || fail "the suite lists no plain_client"
[ "$(stat -c %Y.%y "$tmp/build/pktc_tests/hello_server")" = "$hello_before" ] ||
  fail "hello_server was rebuilt too"
[ "$(stat -c %y "$tmp/build/pktc_tests/client_plain_client")" != "$client_before" ] ||
  fail "client_plain_client was not rewritten"

step "and the build after that is a no-op"
out=$("$ninja" -C "$tmp/build")
echo "$out"
echo "$out" | grep -q "ninja: no work to do" || fail "the build after a rebuild was not a no-op"

echo "PASS: installed package, example project build and test, incremental rebuilds"
