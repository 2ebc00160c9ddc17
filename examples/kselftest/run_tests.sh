#!/bin/sh
# Runs pktc test binaries and prints KTAP the way the kernel's kselftest runner
# (tools/testing/selftests/kselftest/runner.sh) does:
#
#   TAP version 13
#   1..N
#   # selftests: net/packetdrill: NAME
#   # <each line the test prints>
#   ok N selftests: net/packetdrill: NAME            (exit 0)
#   ok N selftests: net/packetdrill: NAME # SKIP     (exit 4)
#   not ok N selftests: ... # TIMEOUT 45 seconds     (killed by timeout)
#   not ok N selftests: ... # exit=RC                (any other exit status)
#
# then a "# Totals:" line; exits 1 if any test failed, else 0.
#
#   run_tests.sh [TEST...]    default: every executable file next to this script but itself
#
# Environment: KSFT_COLLECTION (default net/packetdrill), KSFT_SETTINGS (a kselftest "settings"
# file; default: "settings" next to the test, else next to this script) whose timeout=SECONDS
# replaces the 45 s default, KSELFTEST_<NAME>_ARGS (extra arguments for test NAME, uppercased,
# other characters than [A-Z0-9_] as _), and whatever the tests read (KSFT_MACHINE_SLOW).
set -u

skip_rc=4
timeout_rc=124
default_timeout=45
collection=${KSFT_COLLECTION:-net/packetdrill}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
here=$(dirname "$self")

if [ $# -eq 0 ]; then
  for f in "$here"/*; do
    if [ -f "$f" ] && [ -x "$f" ] && [ "$f" != "$self" ]; then
      set -- "$@" "$f"
    fi
  done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ksft-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# GNU timeout: like runner.sh, an outer --foreground one (the test keeps the terminal) around an
# inner one that kills the test and its children. Otherwise a plain one, or none.
if timeout --foreground 5 true 2>/dev/null; then
  timeout_kind=gnu
elif command -v timeout >/dev/null 2>&1; then
  timeout_kind=plain
else
  timeout_kind=none
fi

# The timeout= of a settings file (comment lines and other fields ignored).
settings_timeout() {
  t=$default_timeout
  if [ -r "$1" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        timeout=*) t=${line#timeout=} ;;
      esac
    done < "$1"
  fi
  echo "$t"
}

pass=0 fail=0 skip=0 num=0
echo "TAP version 13"
echo "1..$#"
if [ $# -eq 0 ]; then
  echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0"
  exit 0
fi

for test in "$@"; do
  num=$((num + 1))
  name=$(basename "$test")
  dir=$(dirname "$test")
  hdr="selftests: $collection: $name"
  echo "# $hdr"
  if [ ! -e "$test" ]; then
    echo "# Warning: file $test is missing!"
    echo "not ok $num $hdr"
    fail=$((fail + 1))
    continue
  fi
  if [ ! -x "$test" ]; then
    echo "# Warning: file $test is not executable"
    echo "not ok $num $hdr"
    fail=$((fail + 1))
    continue
  fi

  if [ -n "${KSFT_SETTINGS:-}" ]; then
    settings=$KSFT_SETTINGS
  elif [ -r "$dir/settings" ]; then
    settings=$dir/settings
  else
    settings=$here/settings
  fi
  secs=$(settings_timeout "$settings")

  var=KSELFTEST_$(printf '%s' "$name" | tr -c 'A-Za-z0-9_' '_' | tr '[:lower:]' '[:upper:]')_ARGS
  args=""
  eval "args=\${$var:-}"

  case $timeout_kind in
    gnu) run="timeout --foreground $secs timeout $secs" ;;
    plain) run="timeout $secs" ;;
    none) run="" ;;
  esac

  rm -f "$tmp/rc"
  # shellcheck disable=SC2086  # $run and $args are word lists
  ( cd "$dir" && { $run "./$name" $args 2>&1; echo $? > "$tmp/rc"; } ) | sed -e 's/^/# /'
  rc=$(cat "$tmp/rc" 2>/dev/null || echo 1)

  if [ "$rc" -eq 0 ]; then
    echo "ok $num $hdr"
    pass=$((pass + 1))
  elif [ "$rc" -eq $skip_rc ]; then
    echo "ok $num $hdr # SKIP"
    skip=$((skip + 1))
  elif [ "$rc" -eq $timeout_rc ] && [ $timeout_kind != none ]; then
    echo "#"
    echo "not ok $num $hdr # TIMEOUT $secs seconds"
    fail=$((fail + 1))
  else
    echo "not ok $num $hdr # exit=$rc"
    fail=$((fail + 1))
  fi
done

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail -eq 0 ]
