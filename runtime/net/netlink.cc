// rtnetlink requests, built by hand (they are small and fixed).
#include "net/netlink.h"

#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tcp_metrics.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pktc::rt {

namespace {
struct Request {
  nlmsghdr header;
  union {
    ifinfomsg link;
    ifaddrmsg addr;
    rtmsg route;
    ndmsg neigh;
    tcmsg tc;
    genlmsghdr genl;
  };
  char attributes[256];
};

void AddAttribute(Request& req, unsigned short type, const void* data, std::size_t len) {
  auto* rta =
      reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&req) + NLMSG_ALIGN(req.header.nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  std::memcpy(RTA_DATA(rta), data, len);
  req.header.nlmsg_len = NLMSG_ALIGN(req.header.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/// An RTM_NEWROUTE or RTM_DELROUTE request for `destination`/`prefix_len` in the main table,
/// with its destination attribute; the caller sets what differs (scope, type, gateway, device).
/// A new route replaces one to the same destination; a deletion matches any protocol.
Request RouteRequest(std::uint16_t type, const IpAddress& destination, int prefix_len) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  req.header.nlmsg_type = type;
  req.route.rtm_family = static_cast<unsigned char>(destination.family);
  req.route.rtm_dst_len = static_cast<unsigned char>(prefix_len);
  req.route.rtm_table = RT_TABLE_MAIN;
  if (type == RTM_NEWROUTE) {
    req.header.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
    req.route.rtm_protocol = RTPROT_BOOT;
  }
  AddAttribute(req, RTA_DST, destination.bytes, destination.size());
  return req;
}

}  // namespace

Netlink::Netlink() { fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE); }

Netlink::~Netlink() {
  if (fd_ >= 0) close(fd_);
}

int Netlink::Exchange(int fd, nlmsghdr* message,
                      const std::function<bool(const nlmsghdr&)>& on_reply) {
  message->nlmsg_seq = ++sequence_;
  message->nlmsg_flags |= NLM_F_REQUEST;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, message, message->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof kernel) < 0) {
    return -errno;
  }
  char reply[8192];
  for (;;) {
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    for (auto* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, static_cast<unsigned>(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq == sequence_ && on_reply(*h)) return 0;
    }
  }
}

namespace {
/// The error of an NLMSG_ERROR reply (0 for an acknowledgement).
int ErrorOf(const nlmsghdr& h) { return static_cast<const nlmsgerr*>(NLMSG_DATA(&h))->error; }
}  // namespace

bool Netlink::Transact(nlmsghdr* message, const char* what, std::string* error) {
  message->nlmsg_flags |= NLM_F_ACK;
  int result = 0;
  int rc = Exchange(fd_, message, [&](const nlmsghdr& h) {
    if (h.nlmsg_type != NLMSG_ERROR) return false;
    result = ErrorOf(h);
    return true;
  });
  if (rc < 0) result = rc;
  if (result == 0) return true;
  *error = std::string(what) + ": " + std::strerror(-result);
  return false;
}

bool Netlink::SetLinkUp(int ifindex, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  req.header.nlmsg_type = RTM_NEWLINK;
  req.link.ifi_family = AF_UNSPEC;
  req.link.ifi_index = ifindex;
  req.link.ifi_flags = IFF_UP;
  req.link.ifi_change = IFF_UP;
  return Transact(&req.header, "bringing the link up (RTM_NEWLINK)", error);
}

bool Netlink::SetMtu(int ifindex, int mtu, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  req.header.nlmsg_type = RTM_NEWLINK;
  req.link.ifi_family = AF_UNSPEC;
  req.link.ifi_index = ifindex;
  unsigned value = static_cast<unsigned>(mtu);
  AddAttribute(req, IFLA_MTU, &value, sizeof value);
  return Transact(&req.header, "setting the MTU (RTM_NEWLINK)", error);
}

bool Netlink::AddAddress(int ifindex, const IpAddress& address, int prefix_len,
                         std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
  req.header.nlmsg_type = RTM_NEWADDR;
  req.header.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
  req.addr.ifa_family = static_cast<unsigned char>(address.family);
  req.addr.ifa_prefixlen = static_cast<unsigned char>(prefix_len);
  req.addr.ifa_index = static_cast<unsigned>(ifindex);
  req.addr.ifa_flags = IFA_F_NODAD;  // The address must be usable at once, not "tentative".
  AddAttribute(req, IFA_LOCAL, address.bytes, address.size());
  AddAttribute(req, IFA_ADDRESS, address.bytes, address.size());
  unsigned flags = IFA_F_NODAD;
  AddAttribute(req, IFA_FLAGS, &flags, sizeof flags);
  return Transact(&req.header, "adding the local address (RTM_NEWADDR)", error);
}

bool Netlink::WaitUntilLocal(const IpAddress& address, std::string* error) {
  constexpr int kMaxPolls = 2000;  // 1 ms apart: two seconds at most.
  for (int poll = 0; poll < kMaxPolls; ++poll) {
    // `ip route get ADDRESS`: RTN_LOCAL once the kernel delivers packets for it locally.
    Request req{};
    req.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    req.header.nlmsg_type = RTM_GETROUTE;
    req.route.rtm_family = static_cast<unsigned char>(address.family);
    req.route.rtm_dst_len = static_cast<unsigned char>(address.size() * 8);
    AddAttribute(req, RTA_DST, address.bytes, address.size());
    int type = -1;  // Stays -1 on an error reply (no route yet).
    int rc = Exchange(fd_, &req.header, [&](const nlmsghdr& h) {
      if (h.nlmsg_type == RTM_NEWROUTE) type = static_cast<const rtmsg*>(NLMSG_DATA(&h))->rtm_type;
      return true;  // The route, or an error: either way the whole answer.
    });
    if (rc < 0) {
      *error = std::string("looking up the local address (RTM_GETROUTE): ") + std::strerror(-rc);
      return false;
    }
    if (type == RTN_LOCAL) return true;
    usleep(1000);
  }
  *error = "the local address did not become local within 2 s";
  return false;
}

bool Netlink::AddRoute(int ifindex, const IpAddress& destination, int prefix_len,
                       std::string* error) {
  Request req = RouteRequest(RTM_NEWROUTE, destination, prefix_len);
  // A TUN device has no link layer, so the peer is reached through the device itself; a
  // gateway address would change nothing on the wire.
  req.route.rtm_scope = RT_SCOPE_LINK;
  req.route.rtm_type = RTN_UNICAST;
  unsigned oif = static_cast<unsigned>(ifindex);
  AddAttribute(req, RTA_OIF, &oif, sizeof oif);
  return Transact(&req.header, "adding the route to the peer (RTM_NEWROUTE)", error);
}

bool Netlink::SetLinkDown(int ifindex, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  req.header.nlmsg_type = RTM_NEWLINK;
  req.link.ifi_family = AF_UNSPEC;
  req.link.ifi_index = ifindex;
  req.link.ifi_flags = 0;
  req.link.ifi_change = IFF_UP;
  return Transact(&req.header, "bringing the link down (RTM_NEWLINK)", error);
}

bool Netlink::SetRootQdisc(int ifindex, const std::string& kind,
                           std::optional<std::uint32_t> limit, bool replace, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(tcmsg));
  req.header.nlmsg_type = RTM_NEWQDISC;
  req.header.nlmsg_flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
  req.tc.tcm_family = AF_UNSPEC;
  req.tc.tcm_ifindex = ifindex;
  req.tc.tcm_parent = TC_H_ROOT;
  req.tc.tcm_handle = 0;
  AddAttribute(req, TCA_KIND, kind.c_str(), kind.size() + 1);
  // Without TCA_OPTIONS a pfifo's limit is the device's txqueuelen and fq takes its defaults,
  // as with `tc ... pfifo` and `tc ... fq`.
  if (limit) {
    tc_fifo_qopt options{*limit};
    AddAttribute(req, TCA_OPTIONS, &options, sizeof options);
  }
  return Transact(&req.header, "RTNETLINK answers", error);
}

bool Netlink::FlushTcpMetrics(std::string* error) {
  // Generic netlink: find the tcp_metrics family, then DEL with no address flushes all.
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) {
    *error = std::string("generic netlink: ") + std::strerror(errno);
    return false;
  }
  // The family id, > 0, from a CTRL_CMD_GETFAMILY answer; 0 otherwise; -errno on an error.
  auto transact = [&](Request& req) -> int {
    req.header.nlmsg_flags |= NLM_F_ACK;
    int family = 0;
    int result = 0;
    int rc = Exchange(fd, &req.header, [&](const nlmsghdr& h) {
      if (h.nlmsg_type == NLMSG_ERROR) {
        result = ErrorOf(h);
        return true;
      }
      if (h.nlmsg_type == GENL_ID_CTRL) {
        auto* genl = static_cast<const genlmsghdr*>(NLMSG_DATA(&h));
        int len = static_cast<int>(h.nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
        for (auto* a =
                 reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(genl) + GENL_HDRLEN);
             RTA_OK(a, len); a = RTA_NEXT(a, len)) {
          if (a->rta_type == CTRL_ATTR_FAMILY_ID) {
            std::uint16_t id;
            std::memcpy(&id, RTA_DATA(a), sizeof id);
            family = id;
          }
        }
      }
      return false;
    });
    if (rc < 0) return rc;
    return result != 0 ? result : family;
  };
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
  req.header.nlmsg_type = GENL_ID_CTRL;
  req.genl.cmd = CTRL_CMD_GETFAMILY;
  req.genl.version = 1;
  AddAttribute(req, CTRL_ATTR_FAMILY_NAME, TCP_METRICS_GENL_NAME, sizeof(TCP_METRICS_GENL_NAME));
  int family = transact(req);
  if (family <= 0) {
    close(fd);
    *error = std::string("tcp_metrics: ") + std::strerror(family < 0 ? -family : ENOENT);
    return false;
  }
  Request del{};
  del.header.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
  del.header.nlmsg_type = static_cast<std::uint16_t>(family);
  del.genl.cmd = TCP_METRICS_CMD_DEL;
  del.genl.version = TCP_METRICS_GENL_VERSION;
  int rc = transact(del);
  close(fd);
  if (rc < 0) {
    *error = std::string("tcp_metrics flush: ") + std::strerror(-rc);
    return false;
  }
  return true;
}

bool Netlink::AddRouteVia(int ifindex, const IpAddress& destination, int prefix_len,
                          const IpAddress& gateway, std::string* error) {
  Request req = RouteRequest(RTM_NEWROUTE, destination, prefix_len);
  req.route.rtm_scope = RT_SCOPE_UNIVERSE;
  req.route.rtm_type = RTN_UNICAST;
  AddAttribute(req, RTA_GATEWAY, gateway.bytes, gateway.size());
  unsigned oif = static_cast<unsigned>(ifindex);
  AddAttribute(req, RTA_OIF, &oif, sizeof oif);
  return Transact(&req.header, "adding the route to the peer via the gateway (RTM_NEWROUTE)",
                  error);
}

bool Netlink::AddBlackholeRoute(const IpAddress& destination, int prefix_len, std::string* error) {
  Request req = RouteRequest(RTM_NEWROUTE, destination, prefix_len);
  req.route.rtm_scope = RT_SCOPE_UNIVERSE;
  req.route.rtm_type = RTN_BLACKHOLE;
  return Transact(&req.header, "adding a blackhole route (RTM_NEWROUTE)", error);
}

bool Netlink::DeleteRoute(const IpAddress& destination, int prefix_len, std::string* error) {
  Request req = RouteRequest(RTM_DELROUTE, destination, prefix_len);
  req.route.rtm_scope = RT_SCOPE_NOWHERE;
  return Transact(&req.header, "deleting the route (RTM_DELROUTE)", error);
}

bool Netlink::DeleteAddress(int ifindex, const IpAddress& address, int prefix_len,
                            std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
  req.header.nlmsg_type = RTM_DELADDR;
  req.addr.ifa_family = static_cast<unsigned char>(address.family);
  req.addr.ifa_prefixlen = static_cast<unsigned char>(prefix_len);
  req.addr.ifa_index = static_cast<unsigned>(ifindex);
  AddAttribute(req, IFA_LOCAL, address.bytes, address.size());
  return Transact(&req.header, "deleting the address (RTM_DELADDR)", error);
}

bool Netlink::GetRoute(const IpAddress& destination, RouteInfo* route, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  req.header.nlmsg_type = RTM_GETROUTE;
  req.route.rtm_family = static_cast<unsigned char>(destination.family);
  req.route.rtm_dst_len = static_cast<unsigned char>(destination.size() * 8);
  AddAttribute(req, RTA_DST, destination.bytes, destination.size());
  int result = -ENETUNREACH;
  *route = RouteInfo{};
  int rc = Exchange(fd_, &req.header, [&](const nlmsghdr& h) {
    if (h.nlmsg_type == NLMSG_ERROR) {
      result = ErrorOf(h);
      return true;
    }
    if (h.nlmsg_type != RTM_NEWROUTE) return false;
    const auto* rt = static_cast<const rtmsg*>(NLMSG_DATA(&h));
    route->local = rt->rtm_type == RTN_LOCAL;
    int len = static_cast<int>(RTM_PAYLOAD(&h));
    for (const rtattr* a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
      if (a->rta_type == RTA_OIF) {
        std::memcpy(&route->ifindex, RTA_DATA(a), sizeof route->ifindex);
      } else if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == destination.size()) {
        route->has_gateway = true;
        route->gateway.family = destination.family;
        std::memcpy(route->gateway.bytes, RTA_DATA(a), destination.size());
      }
    }
    result = 0;
    return true;
  });
  if (rc < 0) result = rc;
  if (result == 0) return true;
  *error = std::strerror(-result);
  return false;
}

bool Netlink::Neighbour(int ifindex, const IpAddress& address, std::uint8_t mac[6]) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ndmsg));
  req.header.nlmsg_type = RTM_GETNEIGH;
  req.neigh.ndm_family = static_cast<unsigned char>(address.family);
  req.neigh.ndm_ifindex = ifindex;
  AddAttribute(req, NDA_DST, address.bytes, address.size());
  bool found = false;
  int rc = Exchange(fd_, &req.header, [&](const nlmsghdr& h) {
    if (h.nlmsg_type != RTM_NEWNEIGH) return true;  // An error: no entry.
    const auto* nd = static_cast<const ndmsg*>(NLMSG_DATA(&h));
    if (nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NONE)) return true;
    int len = static_cast<int>(h.nlmsg_len - NLMSG_LENGTH(sizeof(ndmsg)));
    for (const rtattr* a = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(nd) +
                                                           NLMSG_ALIGN(sizeof(ndmsg)));
         RTA_OK(a, len); a = RTA_NEXT(a, len)) {
      if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
        std::memcpy(mac, RTA_DATA(a), 6);
        found = true;
      }
    }
    return true;
  });
  return rc == 0 && found;
}

long Netlink::RootQdiscHandle(int ifindex) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(tcmsg));
  req.header.nlmsg_type = RTM_GETQDISC;
  req.header.nlmsg_flags = NLM_F_DUMP;
  req.tc.tcm_family = AF_UNSPEC;
  req.tc.tcm_ifindex = ifindex;
  long handle = -1;
  int rc = Exchange(fd_, &req.header, [&](const nlmsghdr& h) {
    if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) return true;
    const auto* tc = static_cast<const tcmsg*>(NLMSG_DATA(&h));
    if (h.nlmsg_type == RTM_NEWQDISC && tc->tcm_ifindex == ifindex && tc->tcm_parent == TC_H_ROOT) {
      handle = static_cast<long>(tc->tcm_handle);
    }
    return false;
  });
  return rc == 0 ? handle : -1;
}

bool Netlink::DeleteRootQdisc(int ifindex, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(tcmsg));
  req.header.nlmsg_type = RTM_DELQDISC;
  req.tc.tcm_family = AF_UNSPEC;
  req.tc.tcm_ifindex = ifindex;
  req.tc.tcm_parent = TC_H_ROOT;
  return Transact(&req.header, "deleting the root qdisc (RTM_DELQDISC)", error);
}

}  // namespace pktc::rt
