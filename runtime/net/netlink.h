// Minimal rtnetlink client: link up, MTU, addresses and routes, without running `ip`.
#ifndef PKTC_RUNTIME_NET_NETLINK_H_
#define PKTC_RUNTIME_NET_NETLINK_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "net/packet_codec.h"

struct nlmsghdr;

namespace pktc::rt {

class Netlink {
 public:
  Netlink();
  ~Netlink();
  Netlink(const Netlink&) = delete;
  Netlink& operator=(const Netlink&) = delete;

  bool ok() const { return fd_ >= 0; }
  /// Each call returns false and sets `error` ("RTM_NEWADDR: Permission denied") on failure.
  bool SetLinkUp(int ifindex, std::string* error);
  bool SetMtu(int ifindex, int mtu, std::string* error);
  bool AddAddress(int ifindex, const IpAddress& address, int prefix_len, std::string* error);
  /// Waits until packets to `address` are delivered locally. An IPv6 address, even added with
  /// IFA_F_NODAD, gets its local route only when a kernel work item runs; a packet to it before
  /// that is dropped (Ip6InAddrErrors), and on a busy machine the item can take milliseconds.
  bool WaitUntilLocal(const IpAddress& address, std::string* error);
  bool AddRoute(int ifindex, const IpAddress& destination, int prefix_len, std::string* error);
  bool SetLinkDown(int ifindex, std::string* error);
  /// `tc qdisc add|replace dev X root pfifo`.
  /// `tc qdisc add|replace dev DEV root KIND`: pfifo (with `limit` packets, or the device's
  /// txqueuelen) or fq with its defaults.
  bool SetRootQdisc(int ifindex, const std::string& kind, std::optional<std::uint32_t> limit,
                    bool replace, std::string* error);
  /// `ip tcp_metrics flush all`, through generic netlink.
  bool FlushTcpMetrics(std::string* error);

  // For wire mode, on a real device (net/wire_link.h).
  /// `ip route replace DESTINATION/LEN via GATEWAY dev IFINDEX`.
  bool AddRouteVia(int ifindex, const IpAddress& destination, int prefix_len,
                   const IpAddress& gateway, std::string* error);
  /// `ip route replace blackhole DESTINATION/LEN`: packets to it are dropped without an ICMP
  /// error (which an IPv6 host sends for a packet it cannot route).
  bool AddBlackholeRoute(const IpAddress& destination, int prefix_len, std::string* error);
  /// `ip route del DESTINATION/LEN`; and `ip addr del ADDRESS/LEN dev IFINDEX`.
  bool DeleteRoute(const IpAddress& destination, int prefix_len, std::string* error);
  bool DeleteAddress(int ifindex, const IpAddress& address, int prefix_len, std::string* error);
  /// `ip route get DESTINATION`: the device and, if any, the gateway packets to it take; or
  /// whether it is an address of this machine. False with `error` when there is no route.
  struct RouteInfo {
    int ifindex = 0;
    bool local = false;
    bool has_gateway = false;
    IpAddress gateway;
  };
  bool GetRoute(const IpAddress& destination, RouteInfo* route, std::string* error);
  /// The link-layer address the neighbour table holds for `address` on `ifindex`; false if
  /// it has none (or only an unresolved entry).
  bool Neighbour(int ifindex, const IpAddress& address, std::uint8_t mac[6]);
  /// The handle of the root qdisc of `ifindex` (major 0 for the kernel's default one), or -1.
  long RootQdiscHandle(int ifindex);
  /// `tc qdisc del dev X root`: back to the kernel's default qdisc.
  bool DeleteRootQdisc(int ifindex, std::string* error);

 private:
  /// Sends `message` on `fd` (numbered, as a request) and hands every reply message to
  /// `on_reply` until it returns true. Returns 0, or -errno when the socket fails.
  int Exchange(int fd, nlmsghdr* message, const std::function<bool(const nlmsghdr&)>& on_reply);
  /// A request the kernel acknowledges; `what` names it in the error.
  bool Transact(nlmsghdr* message, const char* what, std::string* error);
  int fd_ = -1;
  unsigned sequence_ = 0;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_NET_NETLINK_H_
