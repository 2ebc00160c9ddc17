// rtnetlink requests, built by hand (they are small and fixed).
#include "netlink.h"

#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/if_addr.h>
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
}  // namespace

Netlink::Netlink() { fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE); }

Netlink::~Netlink() {
  if (fd_ >= 0) close(fd_);
}

bool Netlink::Transact(void* message, std::size_t len, const char* what, std::string* error) {
  auto* header = static_cast<nlmsghdr*>(message);
  header->nlmsg_seq = ++sequence_;
  header->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd_, message, len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
    *error = std::string(what) + ": " + std::strerror(errno);
    return false;
  }
  char reply[4096];
  while (true) {
    ssize_t n = recv(fd_, reply, sizeof reply, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = std::string(what) + ": " + std::strerror(errno);
      return false;
    }
    for (auto* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, static_cast<unsigned>(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != sequence_ || h->nlmsg_type != NLMSG_ERROR) continue;
      auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(h));
      if (err->error == 0) return true;
      *error = std::string(what) + ": " + std::strerror(-err->error);
      return false;
    }
  }
}

bool Netlink::SetLinkUp(int ifindex, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  req.header.nlmsg_type = RTM_NEWLINK;
  req.link.ifi_family = AF_UNSPEC;
  req.link.ifi_index = ifindex;
  req.link.ifi_flags = IFF_UP;
  req.link.ifi_change = IFF_UP;
  return Transact(&req, req.header.nlmsg_len, "bringing the link up (RTM_NEWLINK)", error);
}

bool Netlink::SetMtu(int ifindex, int mtu, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  req.header.nlmsg_type = RTM_NEWLINK;
  req.link.ifi_family = AF_UNSPEC;
  req.link.ifi_index = ifindex;
  unsigned value = static_cast<unsigned>(mtu);
  AddAttribute(req, IFLA_MTU, &value, sizeof value);
  return Transact(&req, req.header.nlmsg_len, "setting the MTU (RTM_NEWLINK)", error);
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
  return Transact(&req, req.header.nlmsg_len, "adding the local address (RTM_NEWADDR)", error);
}

bool Netlink::WaitUntilLocal(const IpAddress& address, std::string* error) {
  constexpr int kMaxPolls = 2000;  // 1 ms apart: two seconds at most.
  for (int poll = 0; poll < kMaxPolls; ++poll) {
    // `ip route get ADDRESS`: RTN_LOCAL once the kernel delivers packets for it locally.
    Request req{};
    req.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    req.header.nlmsg_type = RTM_GETROUTE;
    req.header.nlmsg_flags = NLM_F_REQUEST;
    req.header.nlmsg_seq = ++sequence_;
    req.route.rtm_family = static_cast<unsigned char>(address.family);
    req.route.rtm_dst_len = static_cast<unsigned char>(address.size() * 8);
    AddAttribute(req, RTA_DST, address.bytes, address.size());
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (sendto(fd_, &req, req.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0) {
      *error = std::string("looking up the local address (RTM_GETROUTE): ") + std::strerror(errno);
      return false;
    }
    int type = -1;  // Stays -1 on an error reply (no route yet).
    for (bool answered = false; !answered;) {
      char reply[4096];
      ssize_t n = recv(fd_, reply, sizeof reply, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        *error =
            std::string("looking up the local address (RTM_GETROUTE): ") + std::strerror(errno);
        return false;
      }
      for (auto* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, static_cast<unsigned>(n));
           h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_seq != sequence_) continue;
        answered = true;
        if (h->nlmsg_type == RTM_NEWROUTE) type = static_cast<rtmsg*>(NLMSG_DATA(h))->rtm_type;
      }
    }
    if (type == RTN_LOCAL) return true;
    usleep(1000);
  }
  *error = "the local address did not become local within 2 s";
  return false;
}

bool Netlink::AddRoute(int ifindex, const IpAddress& destination, int prefix_len,
                       std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  req.header.nlmsg_type = RTM_NEWROUTE;
  req.header.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
  req.route.rtm_family = static_cast<unsigned char>(destination.family);
  req.route.rtm_dst_len = static_cast<unsigned char>(prefix_len);
  req.route.rtm_table = RT_TABLE_MAIN;
  req.route.rtm_protocol = RTPROT_BOOT;
  // A TUN device has no link layer, so the peer is reached through the device itself; a
  // gateway address would change nothing on the wire.
  req.route.rtm_scope = RT_SCOPE_LINK;
  req.route.rtm_type = RTN_UNICAST;
  AddAttribute(req, RTA_DST, destination.bytes, destination.size());
  unsigned oif = static_cast<unsigned>(ifindex);
  AddAttribute(req, RTA_OIF, &oif, sizeof oif);
  return Transact(&req, req.header.nlmsg_len, "adding the route to the peer (RTM_NEWROUTE)", error);
}

bool Netlink::SetLinkDown(int ifindex, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  req.header.nlmsg_type = RTM_NEWLINK;
  req.link.ifi_family = AF_UNSPEC;
  req.link.ifi_index = ifindex;
  req.link.ifi_flags = 0;
  req.link.ifi_change = IFF_UP;
  return Transact(&req, req.header.nlmsg_len, "bringing the link down (RTM_NEWLINK)", error);
}

bool Netlink::SetRootPfifo(int ifindex, bool replace, std::string* error) {
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(sizeof(tcmsg));
  req.header.nlmsg_type = RTM_NEWQDISC;
  req.header.nlmsg_flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
  req.tc.tcm_family = AF_UNSPEC;
  req.tc.tcm_ifindex = ifindex;
  req.tc.tcm_parent = TC_H_ROOT;
  req.tc.tcm_handle = 0;
  AddAttribute(req, TCA_KIND, "pfifo", 6);
  // No TCA_OPTIONS: the limit defaults to the device's txqueuelen, as with `tc ... pfifo`.
  return Transact(&req, req.header.nlmsg_len, "RTNETLINK answers", error);
}

bool Netlink::FlushTcpMetrics(std::string* error) {
  // Generic netlink: find the tcp_metrics family, then DEL with no address flushes all.
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) {
    *error = std::string("generic netlink: ") + std::strerror(errno);
    return false;
  }
  auto transact = [&](Request& req, char* reply, std::size_t reply_size) -> int {
    req.header.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    req.header.nlmsg_seq = ++sequence_;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (sendto(fd, &req, req.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0)
      return -errno;
    int family = 0;
    while (true) {
      ssize_t n = recv(fd, reply, reply_size, 0);
      if (n < 0) return errno == EINTR ? family : -errno;
      for (auto* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, static_cast<unsigned>(n));
           h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type == NLMSG_ERROR) {
          auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(h));
          return err->error == 0 ? family : err->error;
        }
        if (h->nlmsg_type == GENL_ID_CTRL) {
          auto* genl = static_cast<genlmsghdr*>(NLMSG_DATA(h));
          int len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
          for (auto* a = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(genl) + GENL_HDRLEN);
               RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type == CTRL_ATTR_FAMILY_ID) {
              std::uint16_t id;
              std::memcpy(&id, RTA_DATA(a), sizeof id);
              family = id;
            }
          }
        }
      }
    }
  };
  char reply[8192];
  Request req{};
  req.header.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
  req.header.nlmsg_type = GENL_ID_CTRL;
  req.genl.cmd = CTRL_CMD_GETFAMILY;
  req.genl.version = 1;
  AddAttribute(req, CTRL_ATTR_FAMILY_NAME, TCP_METRICS_GENL_NAME, sizeof(TCP_METRICS_GENL_NAME));
  int family = transact(req, reply, sizeof reply);
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
  int rc = transact(del, reply, sizeof reply);
  close(fd);
  if (rc < 0) {
    *error = std::string("tcp_metrics flush: ") + std::strerror(-rc);
    return false;
  }
  return true;
}

}  // namespace pktc::rt
