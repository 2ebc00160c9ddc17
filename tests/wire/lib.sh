# Shared by the wire-mode tests (ctest label `wire`). Source it; it needs PKTC (the compiler)
# and, for the runs, a shell inside tests/wire/netns_pair.sh (which sets WIRE_SERVER_NS...).

WIRE_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
failures=0

# Skips the test (exit 4, which CTest reports as skipped) with a reason.
skip() {
  echo "SKIP: $*"
  exit 4
}

require_root() {
  [ "$(id -u)" = 0 ] || skip "wire tests need root (two network namespaces and a veth pair)"
  unshare --net true 2>/dev/null || skip "wire tests need network namespaces (unshare --net)"
}

# check NAME CONDITION...: records a failure unless the command succeeds.
check() {
  local name=$1
  shift
  if "$@"; then
    echo "PASS: $name"
  else
    echo "FAIL: $name"
    failures=$((failures + 1))
  fi
}

# contains FILE TEXT: whether FILE holds the fixed string TEXT (shown when it does not).
contains() {
  if grep -qF -- "$2" "$1"; then return 0; fi
  echo "--- expected in $1: $2"
  sed 's/^/    /' "$1"
  return 1
}

# Starts a pktc wire server in the server's namespace, in the background, bounded by
# `timeout`: start_server BINARY OUTPUT [ARGS...]; its pid in $server_pid.
start_server() {
  local binary=$1 output=$2
  shift 2
  $WIRE_SERVER_NS timeout 120 setpriv --pdeathsig KILL -- "$binary" --wire_server --wire_server_dev="$WIRE_SERVER_DEV" \
    "$@" >"$output" 2>&1 &
  server_pid=$!
}

# Waits for the server started last, at most 3 s after its client ended, then stops it.
stop_server() {
  local i
  for i in $(seq 30); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

# Runs a pktc wire client: run_client BINARY OUTPUT [ARGS...]; its exit status in $client_rc.
run_client() {
  local binary=$1 output=$2
  shift 2
  client_rc=0
  timeout 120 "$binary" --wire_client --wire_server_ip="$WIRE_SERVER_IP" \
    --wire_client_dev="$WIRE_CLIENT_DEV" "$@" >"$output" 2>&1 || client_rc=$?
}

# pair BINARY NAME [CLIENT ARGS...]: a pktc client and a pktc server for every family the
# client runs; outputs in $out/NAME.client and $out/NAME.server.
pair() {
  local binary=$1 name=$2 sessions=2
  shift 2
  case " $* " in *" --ip_version="*) sessions=1 ;; esac
  start_server "$binary" "$out/$name.server" --wire_sessions=$sessions
  run_client "$binary" "$out/$name.client" "$@"
  stop_server
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
  fi
  echo "all checks passed"
  exit 0
}
