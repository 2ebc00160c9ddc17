// The TUN device the simulated peer lives behind, and the sniffer for the kernel's packets.
#ifndef PKTC_RUNTIME_NET_TUN_DEVICE_H_
#define PKTC_RUNTIME_NET_TUN_DEVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "net/pcap.h"

namespace pktc::rt {

class TunDevice {
 public:
  enum class OpenResult { kOk, kNoDevice, kNoPermission, kError };

  TunDevice() = default;
  ~TunDevice();
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;

  /// Creates tun0 (IFF_TUN, virtio-net headers, checksum and TSO offloads, like packetdrill),
  /// so the kernel hands it whole GSO packets with partial checksums.
  OpenResult Open(std::string* error);
  /// Opens the packet socket that timestamps outbound packets; call after the link is up.
  bool OpenSniffer(std::string* error);

  int ifindex() const { return ifindex_; }
  /// Records every injected and sniffed packet from now on.
  void RecordTo(PcapWriter* pcap) { pcap_ = pcap; }
  /// Monotonic to wall-clock time, for records.
  std::int64_t ToRealtimeNs(std::int64_t monotonic_ns) const {
    return monotonic_ns - realtime_offset_ns_;
  }
  const std::string& name() const { return name_; }

  /// Injects one IP packet as if it arrived from the wire. A non-zero `gso_size` marks a TCP
  /// packet as a GSO packet of that segment size (packetdrill's --mss).
  bool Inject(const std::vector<std::uint8_t>& packet, std::string* error, int gso_size = 0);
  /// Next packet the kernel sent on the device, waiting until `deadline_ns` (monotonic; < 0
  /// waits forever). Returns false on timeout. `timestamp_ns` is the kernel's send time.
  bool NextOutbound(std::int64_t deadline_ns, std::vector<std::uint8_t>* packet,
                    std::int64_t* timestamp_ns, std::string* error);

 private:
  void DrainTun();

  int tun_fd_ = -1;
  int sniff_fd_ = -1;
  int ifindex_ = 0;
  std::string name_;
  std::int64_t realtime_offset_ns_ = 0;
  PcapWriter* pcap_ = nullptr;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_NET_TUN_DEVICE_H_
