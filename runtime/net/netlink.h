// Minimal rtnetlink client: link up, MTU, addresses and routes, without running `ip`.
#ifndef PKTC_RUNTIME_NET_NETLINK_H_
#define PKTC_RUNTIME_NET_NETLINK_H_

#include <functional>
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
  bool SetRootPfifo(int ifindex, bool replace, std::string* error);
  /// `ip tcp_metrics flush all`, through generic netlink.
  bool FlushTcpMetrics(std::string* error);

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
