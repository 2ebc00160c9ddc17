// Ethernet injection and sniffing for the wire server.
#include "net/wire_link.h"

#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/clock.h"
#include "net/checksum.h"

namespace pktc::rt {

namespace {

// struct virtio_net_hdr (its header cannot be included from C++: it has a field named `class`).
constexpr std::size_t kVnetHeaderSize = 10;
constexpr std::size_t kEthernetHeaderSize = 14;

/// An ethtool get/set of one value (ETHTOOL_GGRO...) on `name`; false if the driver refuses.
bool Ethtool(const std::string& name, std::uint32_t cmd, std::uint32_t* value) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ethtool_value v{};
  v.cmd = cmd;
  v.data = *value;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_data = reinterpret_cast<char*>(&v);
  bool ok = ioctl(fd, SIOCETHTOOL, &ifr) == 0;
  close(fd);
  *value = v.data;
  return ok;
}

}  // namespace

bool MacAddress::IsZero() const {
  for (std::uint8_t b : bytes) {
    if (b) return false;
  }
  return true;
}

std::string MacAddress::ToString() const {
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                bytes[3], bytes[4], bytes[5]);
  return text;
}

bool DeviceIndex(const std::string& name, int* ifindex, std::string* error) {
  *ifindex = name.size() < IFNAMSIZ ? static_cast<int>(if_nametoindex(name.c_str())) : 0;
  if (*ifindex > 0) return true;
  *error = "no such device " + name + " (see `ip link`)";
  return false;
}

bool DeviceMac(const std::string& name, MacAddress* mac, std::string* error) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
    *error = "cannot read the hardware address of " + name + ": " + std::strerror(errno);
    if (fd >= 0) close(fd);
    return false;
  }
  close(fd);
  std::memcpy(mac->bytes, ifr.ifr_hwaddr.sa_data, 6);
  return true;
}

std::string DeviceName(int ifindex) {
  char name[IF_NAMESIZE] = "";
  return if_indextoname(static_cast<unsigned>(ifindex), name) ? name : "";
}

WireLink::~WireLink() { Close(); }

bool WireLink::Open(const std::string& device, std::string* error) {
  name_ = device;
  if (!DeviceIndex(device, &ifindex_, error) || !DeviceMac(device, &mac_, error)) return false;
  // Merged packets would match a script's segments differently from the wire's.
  std::uint32_t on = 0;
  if (Ethtool(name_, ETHTOOL_GGRO, &on) && on) {
    std::uint32_t off = 0;
    restore_gro_ = Ethtool(name_, ETHTOOL_SGRO, &off);
  }
  std::uint32_t flags = 0;
  if (Ethtool(name_, ETHTOOL_GFLAGS, &flags) && (flags & ETH_FLAG_LRO)) {
    std::uint32_t cleared = flags & ~static_cast<std::uint32_t>(ETH_FLAG_LRO);
    restore_lro_ = Ethtool(name_, ETHTOOL_SFLAGS, &cleared);
  }

  // Injection: Ethernet frames behind a virtio-net header, which carries the GSO size of a
  // packet larger than a segment; the device (or the kernel for it) cuts it into segments.
  // Protocol 0: this socket receives nothing.
  inject_fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (inject_fd_ < 0) {
    *error = std::string("cannot open a packet socket: ") + std::strerror(errno) +
             (errno == EPERM ? " (the wire server needs CAP_NET_RAW: run it as root)" : "");
    return false;
  }
  int one = 1;
  if (setsockopt(inject_fd_, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) != 0) {
    *error = std::string("cannot enable virtio-net headers on the packet socket: ") +
             std::strerror(errno);
    return false;
  }
  // Sniffing: every frame that arrives on the device, without its Ethernet header.
  sniff_fd_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (sniff_fd_ < 0) {
    *error = std::string("cannot open a packet socket: ") + std::strerror(errno);
    return false;
  }
  int size = 4 * 1024 * 1024;
  setsockopt(sniff_fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (setsockopt(sniff_fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) {
    *error = std::string("cannot enable packet timestamps: ") + std::strerror(errno);
    return false;
  }
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = ifindex_;
  if (bind(sniff_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = "cannot bind a packet socket to " + name_ + ": " + std::strerror(errno);
    return false;
  }
  realtime_offset_ns_ = RealtimeToMonotonicOffsetNs();
  return true;
}

void WireLink::SetPathMtu(int client_mtu) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  int mtu = fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0 ? ifr.ifr_mtu : client_mtu;
  if (fd >= 0) close(fd);
  path_mtu_ = std::min(mtu, client_mtu);
}

void WireLink::Close() {
  if (restore_gro_) {
    std::uint32_t on = 1;
    Ethtool(name_, ETHTOOL_SGRO, &on);
    restore_gro_ = false;
  }
  if (restore_lro_) {
    std::uint32_t flags = 0;
    if (Ethtool(name_, ETHTOOL_GFLAGS, &flags)) {
      flags |= ETH_FLAG_LRO;
      Ethtool(name_, ETHTOOL_SFLAGS, &flags);
    }
    restore_lro_ = false;
  }
  if (inject_fd_ >= 0) close(inject_fd_);
  if (sniff_fd_ >= 0) close(sniff_fd_);
  inject_fd_ = sniff_fd_ = -1;
}

bool WireLink::Inject(const std::vector<std::uint8_t>& packet, int gso_size, std::string* error) {
  if (packet.empty()) return true;
  bool v6 = (packet[0] >> 4) == 6;
  std::vector<std::uint8_t> frame(kVnetHeaderSize + kEthernetHeaderSize);
  frame.insert(frame.end(), packet.begin(), packet.end());
  std::size_t ip_len = v6 ? 40 : static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  std::uint8_t protocol = v6 ? packet[6] : packet[9];
  bool tcp = protocol == 6 /*IPPROTO_TCP*/ && packet.size() >= ip_len + 20;
  if (tcp && gso_size == 0 && packet.size() > static_cast<std::size_t>(path_mtu_)) {
    std::size_t headers = ip_len + static_cast<std::size_t>(packet[ip_len + 12] >> 4) * 4;
    gso_size = path_mtu_ - static_cast<int>(headers);
  }
  if (tcp && gso_size > 0) {
    // A TCP packet larger than a segment: the checksum is left for each segment to complete
    // (CHECKSUM_PARTIAL), so the device or the kernel cuts it into segments on the wire, and a
    // veth peer receives it whole, as a TUN device's kernel does.
    std::uint8_t* ip = frame.data() + kVnetHeaderSize + kEthernetHeaderSize;
    std::uint8_t* tcp = ip + ip_len;
    std::size_t tcp_len = packet.size() - ip_len;
    std::size_t addr_len = v6 ? 16 : 4;
    std::uint32_t sum = ChecksumAdd(0, ip + (v6 ? 8 : 12), 2 * addr_len);
    sum += 6 /*IPPROTO_TCP*/;
    sum += static_cast<std::uint32_t>(tcp_len & 0xffff) + static_cast<std::uint32_t>(tcp_len >> 16);
    std::uint16_t pseudo = static_cast<std::uint16_t>(~ChecksumFold(sum));
    tcp[16] = static_cast<std::uint8_t>(pseudo >> 8);
    tcp[17] = static_cast<std::uint8_t>(pseudo & 0xff);
    std::size_t csum_start = kEthernetHeaderSize + ip_len;
    std::size_t hdr_len = csum_start + static_cast<std::size_t>(tcp[12] >> 4) * 4;
    // struct virtio_net_hdr: flags, gso_type, then little-endian hdr_len (the headers in the
    // socket buffer's head, the payload on pages, as a TUN device builds a GSO packet),
    // gso_size, csum_start and csum_offset.
    std::uint16_t fields[4] = {static_cast<std::uint16_t>(hdr_len),
                               static_cast<std::uint16_t>(gso_size),
                               static_cast<std::uint16_t>(csum_start), 16};
    frame[0] = 1;           // VIRTIO_NET_HDR_F_NEEDS_CSUM
    frame[1] = v6 ? 4 : 1;  // VIRTIO_NET_HDR_GSO_TCPV6 / _TCPV4
    for (int i = 0; i < 4; ++i) {
      frame[2 + 2 * i] = static_cast<std::uint8_t>(fields[i] & 0xff);
      frame[3 + 2 * i] = static_cast<std::uint8_t>(fields[i] >> 8);
    }
  }
  if (!(tcp && gso_size > 0)) {
    // All of the packet in the socket buffer's head, as a TUN device builds a packet smaller
    // than a page: the kernel under test charges a packet's memory to its receive buffer,
    // which sets the windows it advertises, and a head of just the Ethernet header would put
    // the rest on a page of its own (hdr_len, little endian).
    std::size_t linear = kEthernetHeaderSize + packet.size();
    frame[2] = static_cast<std::uint8_t>(linear & 0xff);
    frame[3] = static_cast<std::uint8_t>(linear >> 8);
  }
  std::uint8_t* eth = frame.data() + kVnetHeaderSize;
  std::memcpy(eth, destination_.bytes, 6);
  std::memcpy(eth + 6, mac_.bytes, 6);
  std::uint16_t type = v6 ? ETH_P_IPV6 : ETH_P_IP;
  eth[12] = static_cast<std::uint8_t>(type >> 8);
  eth[13] = static_cast<std::uint8_t>(type & 0xff);
  if (pcap_) pcap_->Write(packet, ToRealtimeNs(NowNs()));
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = ifindex_;
  to.sll_protocol = htons(type);
  to.sll_halen = 6;
  std::memcpy(to.sll_addr, destination_.bytes, 6);
  ssize_t n = sendto(inject_fd_, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof to);
  if (n != static_cast<ssize_t>(frame.size())) {
    *error = "cannot send on " + name_ + ": " + (n < 0 ? std::strerror(errno) : "short write");
    if (n < 0 && errno == EMSGSIZE) *error += " (the packet exceeds the device's MTU: raise it)";
    return false;
  }
  return true;
}

bool WireLink::NextOutbound(std::int64_t deadline_ns, std::vector<std::uint8_t>* packet,
                            std::int64_t* timestamp_ns, std::string* error) {
  static thread_local std::vector<std::uint8_t> buffer(70000);
  for (;;) {
    sockaddr_ll from{};
    iovec iov{buffer.data(), buffer.size()};
    char control[256];
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(sniff_fd_, &msg, MSG_TRUNC);
    if (n >= 0) {
      // What this machine sends (our injections, its own ARP answers) and what is not IP
      // (ARP) is not the kernel under test's.
      if (from.sll_pkttype == PACKET_OUTGOING) continue;
      std::uint16_t proto = ntohs(from.sll_protocol);
      if (proto != ETH_P_IP && proto != ETH_P_IPV6) continue;
      if (static_cast<std::size_t>(n) > buffer.size()) {
        *error = "packet from the wire larger than the sniff buffer";
        return false;
      }
      std::int64_t ts = ReceiveTimestampNs(msg, realtime_offset_ns_, NowNs());
      packet->assign(buffer.begin(), buffer.begin() + n);
      *timestamp_ns = ts;
      if (pcap_) pcap_->Write(*packet, ToRealtimeNs(ts));
      return true;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      *error = std::string("cannot read from the packet socket: ") + std::strerror(errno);
      return false;
    }
    int timeout_ms = -1;
    if (deadline_ns >= 0) {
      std::int64_t left = deadline_ns - NowNs();
      if (left <= 0) return false;
      timeout_ms = static_cast<int>((left + 999'999) / 1'000'000);
    }
    pollfd fds{sniff_fd_, POLLIN, 0};
    poll(&fds, 1, timeout_ms);
  }
}

}  // namespace pktc::rt
