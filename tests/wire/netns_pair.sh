#!/bin/bash
# Runs COMMAND with two network namespaces joined by a veth pair, the set-up of a wire-mode run
# on one machine: COMMAND runs in the client's namespace (the kernel under test), whose end of
# the pair is tun0 (defaults.sh names that device) with 10.99.0.1/24 and 2001:db8:99::1/64; the
# server's namespace holds wire0 with 10.99.0.2/24 and 2001:db8:99::2/64. In COMMAND,
# `$WIRE_SERVER_NS COMMAND...` runs a command in the server's namespace. Both namespaces are
# anonymous: they vanish with the processes in them, which die with this script, whatever way
# it ends.
#
#   netns_pair.sh COMMAND [ARGS...]          (as root)
# Environment for COMMAND: WIRE_SERVER_NS, WIRE_SERVER_IP, WIRE_SERVER_IP6, WIRE_CLIENT_DEV,
# WIRE_SERVER_DEV.
set -eu
if [ "${WIRE_NETNS_INSIDE:-}" != 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "netns_pair.sh: needs root (network namespaces and a veth pair)" >&2
    exit 4
  fi
  export WIRE_NETNS_INSIDE=1
  # A PID namespace too (and its /proc): when this script's copy inside ends, however it ends,
  # the kernel kills everything it started, in either network namespace.
  exec unshare --net --pid --mount-proc --fork --kill-child -- "$0" "$@"
fi

# The server's namespace lives as long as this sleeper (and whatever COMMAND starts in it);
# they die with this script even when it is killed (SIGKILL by a test's timeout).
unshare --net -- setpriv --pdeathsig KILL -- sleep 100000 &
sleeper=$!
cleanup() {
  # Everything started in the server's namespace, then the sleeper: the namespace goes with them.
  ns=$(readlink "/proc/$sleeper/ns/net" 2>/dev/null) || return 0
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" != "$sleeper" ] && [ "$(readlink "$dir/ns/net" 2>/dev/null)" = "$ns" ] &&
      kill "$pid" 2>/dev/null
  done
  kill "$sleeper" 2>/dev/null || true
  wait "$sleeper" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Until the sleeper is in its own namespace.
for _ in $(seq 100); do
  [ "$(readlink /proc/$sleeper/ns/net 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break
  sleep 0.01
done

server_ns="setpriv --pdeathsig KILL -- nsenter --target $sleeper --net --"
ip link set lo up
ip link add tun0 type veth peer name wire0 netns "/proc/$sleeper/ns/net"
# Addresses at once, without duplicate address detection (packetdrill adds its own without
# IFA_F_NODAD).
sysctl -qw net.ipv6.conf.tun0.dad_transmits=0 net.ipv6.conf.tun0.accept_dad=0
ip addr add 10.99.0.1/24 dev tun0
ip addr add 2001:db8:99::1/64 dev tun0 nodad
ip link set tun0 up
$server_ns sh -c '
  ip link set lo up
  sysctl -qw net.ipv6.conf.wire0.dad_transmits=0 net.ipv6.conf.wire0.accept_dad=0
  ip link set wire0 mtu 9000
  ip addr add 10.99.0.2/24 dev wire0
  ip addr add 2001:db8:99::2/64 dev wire0 nodad
  ip link set wire0 up'
# Until the link is up both ways (a veth's carrier follows its peer).
for _ in $(seq 200); do
  ip -o link show tun0 | grep -q NO-CARRIER || $server_ns ip -o link show wire0 |
    grep -q NO-CARRIER || break
  sleep 0.01
done

export WIRE_SERVER_NS="$server_ns" WIRE_SERVER_IP=10.99.0.2 WIRE_SERVER_IP6=2001:db8:99::2
export WIRE_CLIENT_DEV=tun0 WIRE_SERVER_DEV=wire0
status=0
"$@" || status=$?
exit $status
