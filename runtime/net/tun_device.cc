// TUN device and packet socket.
#include "net/tun_device.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/sockios.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/clock.h"

namespace pktc::rt {

namespace {
// struct virtio_net_hdr, the TUN default with IFF_VNET_HDR (its header cannot be included from
// C++: it has a field named `class`).
constexpr std::size_t kVnetHeaderSize = 10;
}  // namespace

TunDevice::~TunDevice() {
  if (sniff_fd_ >= 0) close(sniff_fd_);
  if (tun_fd_ >= 0) close(tun_fd_);
}

TunDevice::OpenResult TunDevice::Open(std::string* error) {
  tun_fd_ = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (tun_fd_ < 0) {
    *error = std::string("cannot open /dev/net/tun: ") + std::strerror(errno);
    if (errno == ENOENT || errno == ENODEV || errno == ENXIO) return OpenResult::kNoDevice;
    if (errno == EPERM || errno == EACCES) return OpenResult::kNoPermission;
    return OpenResult::kError;
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
  std::strncpy(ifr.ifr_name, "tun0", IFNAMSIZ - 1);
  if (ioctl(tun_fd_, TUNSETIFF, &ifr) < 0) {
    *error = std::string("cannot create tun0 (TUNSETIFF): ") + std::strerror(errno);
    return errno == EPERM ? OpenResult::kNoPermission : OpenResult::kError;
  }
  name_ = ifr.ifr_name;
  // Persistent, so that closing the descriptor at exit does not unregister the device, which
  // waits for several RCU grace periods (about 40 ms). The device dies with the network
  // namespace instead, which the kernel cleans up asynchronously once the run has exited.
  if (ioctl(tun_fd_, TUNSETPERSIST, 1) < 0) {
    *error = std::string("cannot make tun0 persistent (TUNSETPERSIST): ") + std::strerror(errno);
    return OpenResult::kError;
  }
  unsigned offload = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
  if (ioctl(tun_fd_, TUNSETOFFLOAD, offload) < 0) {
    *error = std::string("cannot set tun0 offloads (TUNSETOFFLOAD): ") + std::strerror(errno);
    return OpenResult::kError;
  }
  ifindex_ = static_cast<int>(if_nametoindex(name_.c_str()));
  if (ifindex_ == 0) {
    *error = "cannot find the index of " + name_;
    return OpenResult::kError;
  }
  return OpenResult::kOk;
}

bool TunDevice::SetSpeed(std::uint32_t mbps, std::string* error) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  ethtool_cmd cmd{};
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  ifr.ifr_data = reinterpret_cast<char*>(&cmd);
  cmd.cmd = ETHTOOL_GSET;
  bool ok = ioctl(fd, SIOCETHTOOL, &ifr) == 0;
  if (ok) {
    ethtool_cmd_speed_set(&cmd, mbps);
    cmd.autoneg = AUTONEG_DISABLE;
    cmd.cmd = ETHTOOL_SSET;
    ok = ioctl(fd, SIOCETHTOOL, &ifr) == 0;
  }
  if (!ok) *error = "cannot set the link speed to " + std::to_string(mbps) + " Mbit/s: " +
                    std::strerror(errno);
  close(fd);
  return ok;
}

bool TunDevice::OpenSniffer(std::string* error) {
  // Protocol 0: no packet hook until bind() names the device. Opening with ETH_P_ALL would
  // register a hook for every device at once, and re-binding it costs an RCU grace period
  // (about 10 ms per run) plus packets from other devices queued in between.
  sniff_fd_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (sniff_fd_ < 0) {
    *error = std::string("cannot open a packet socket: ") + std::strerror(errno);
    return false;
  }
  int size = 2 * 1024 * 1024;
  setsockopt(sniff_fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  int on = 1;
  if (setsockopt(sniff_fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0) {
    *error = std::string("cannot enable packet timestamps: ") + std::strerror(errno);
    return false;
  }
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = ifindex_;
  if (bind(sniff_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    *error = std::string("cannot bind the packet socket to ") + name_ + ": " + std::strerror(errno);
    return false;
  }
  realtime_offset_ns_ = RealtimeToMonotonicOffsetNs();
  return true;
}

bool TunDevice::Inject(const std::vector<std::uint8_t>& packet, int gso_size,
                       std::string* error) {
  std::vector<std::uint8_t> frame(kVnetHeaderSize, 0);  // Checksums are complete.
  if (gso_size > 0 && !packet.empty()) {
    bool v6 = (packet[0] >> 4) == 6;
    frame[1] = v6 ? 4 : 1;  // gso_type: VIRTIO_NET_HDR_GSO_TCPV6 / _TCPV4
    frame[4] = static_cast<std::uint8_t>(gso_size & 0xff);  // gso_size, little endian
    frame[5] = static_cast<std::uint8_t>(gso_size >> 8);
  }
  frame.insert(frame.end(), packet.begin(), packet.end());
  if (pcap_) pcap_->Write(packet, ToRealtimeNs(NowNs()));
  ssize_t n = write(tun_fd_, frame.data(), frame.size());
  if (n != static_cast<ssize_t>(frame.size())) {
    *error = std::string("cannot write to ") + name_ + ": " +
             (n < 0 ? std::strerror(errno) : "short write");
    return false;
  }
  return true;
}

// The TUN queue fills up if nobody reads it; the packet socket already has our copy.
void TunDevice::DrainTun() {
  char buffer[70000];
  while (read(tun_fd_, buffer, sizeof buffer) > 0) {
  }
}

bool TunDevice::NextOutbound(std::int64_t deadline_ns, std::vector<std::uint8_t>* packet,
                             std::int64_t* timestamp_ns, std::string* error) {
  static thread_local std::vector<std::uint8_t> buffer(70000);
  while (true) {
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
      if (from.sll_pkttype != PACKET_OUTGOING) continue;  // Our own injected packets.
      if (static_cast<std::size_t>(n) > buffer.size()) {
        *error = "outbound packet larger than the sniff buffer";
        return false;
      }
      std::int64_t ts = ReceiveTimestampNs(msg, realtime_offset_ns_, NowNs());
      packet->assign(buffer.begin(), buffer.begin() + n);
      *timestamp_ns = ts;
      if (pcap_) pcap_->Write(*packet, ToRealtimeNs(ts));
      return true;
    }
    if (errno != EAGAIN && errno != EINTR) {
      *error = std::string("cannot read from the packet socket: ") + std::strerror(errno);
      return false;
    }
    DrainTun();
    int timeout_ms = -1;
    if (deadline_ns >= 0) {
      std::int64_t left = deadline_ns - NowNs();
      if (left <= 0) return false;
      timeout_ms = static_cast<int>((left + 999'999) / 1'000'000);
    }
    pollfd fds[2] = {{sniff_fd_, POLLIN, 0}, {tun_fd_, POLLIN, 0}};
    poll(fds, 2, timeout_ms);
  }
}

}  // namespace pktc::rt
