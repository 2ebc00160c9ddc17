// The real devices of a wire-mode run and what each side puts on them: the client's device
// carries the run's local address and the route to the peer's address through the gateway;
// the server's device answers for the gateway address, so the client's kernel sends it the
// packets. Each undoes what it added when the run ends.
#ifndef PKTC_RUNTIME_WIRE_WIRE_DEVICES_H_
#define PKTC_RUNTIME_WIRE_WIRE_DEVICES_H_

#include <string>

#include "exec/family_config.h"
#include "net/netlink.h"
#include "net/packet_codec.h"
#include "net/wire_link.h"

namespace pktc::rt {

/// The device this machine reaches `server` through (`ip route get`), for a wire client
/// without --wire_client_dev. False with an actionable reason.
bool GuessClientDevice(const IpAddress& server, std::string* device, std::string* error);
/// The device that holds `address` (the one the wire client connected to), for a wire server
/// without --wire_server_dev.
bool GuessServerDevice(const IpAddress& address, std::string* device, std::string* error);

/// The kernel under test's device.
class WireClientDevice {
 public:
  WireClientDevice() = default;
  ~WireClientDevice() { Restore(); }
  WireClientDevice(const WireClientDevice&) = delete;
  WireClientDevice& operator=(const WireClientDevice&) = delete;

  /// Brings `name` up with the run's MTU, adds the local address (unless this machine has it
  /// already) and routes the remote prefix through the gateway.
  bool Set(const std::string& name, const FamilyConfig& config, std::string* error);
  /// Removes the route and address Set() added, restores the MTU and the kernel's default
  /// qdisc if the run replaced it (defaults.sh adds pfifo, and would fail to add it again).
  void Restore();
  const MacAddress& mac() const { return mac_; }

 private:
  Netlink netlink_;
  std::string name_;
  int ifindex_ = 0;
  MacAddress mac_;
  int old_mtu_ = 0;
  bool added_address_ = false, added_route_ = false;
  bool default_qdisc_ = false;
  IpAddress local_, remote_;
  int local_prefix_len_ = 0, remote_prefix_len_ = 0;
};

/// The wire server's device.
class WireServerDevice {
 public:
  WireServerDevice() = default;
  ~WireServerDevice() { Restore(); }
  WireServerDevice(const WireServerDevice&) = delete;
  WireServerDevice& operator=(const WireServerDevice&) = delete;

  /// Checks that this machine's kernel will not answer the run's packets itself, drops them
  /// silently (a blackhole route to the remote prefix: an IPv6 kernel answers packets it cannot
  /// route with ICMP errors, which packetdrill's server prevents with ip6tables, and a
  /// forwarding one would route them on), and adds the gateway address to `name` when the
  /// client routes through it (`add_gateway`) and this machine does not have it already.
  bool Set(const std::string& name, const FamilyConfig& config, bool add_gateway,
           std::string* error);
  /// Where packets to the client go: the next hop's MAC address from the neighbour table when
  /// this machine routes to the client through a gateway, else the one the client sent (or the
  /// neighbour table's entry for the client when it sent none).
  MacAddress Destination(const FamilyConfig& config, const MacAddress& client_mac);
  void Restore();
  int ifindex() const { return ifindex_; }

 private:
  Netlink netlink_;
  std::string name_;
  int ifindex_ = 0;
  bool added_gateway_ = false, added_blackhole_ = false;
  IpAddress gateway_, remote_;
  int prefix_len_ = 0, remote_prefix_len_ = 0;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_WIRE_WIRE_DEVICES_H_
