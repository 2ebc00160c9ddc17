// The TUN device the simulated peer lives behind, and the sniffer for the kernel's packets.
#ifndef PKTC_RUNTIME_NET_TUN_DEVICE_H_
#define PKTC_RUNTIME_NET_TUN_DEVICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "net/packet_link.h"
#include "net/pcap.h"

namespace pktc::rt {

/// tun0, the device the kernel routes the remote address to: packets written to it arrive
/// from the "wire", and a packet socket on it timestamps what the kernel sends.
class TunDevice final : public PacketLink {
 public:
  enum class OpenResult { kOk, kNoDevice, kNoPermission, kError };

  TunDevice() = default;
  ~TunDevice() override;
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;

  /// Creates tun0 (IFF_TUN, virtio-net headers, checksum and TSO offloads, like packetdrill),
  /// so the kernel hands it whole GSO packets with partial checksums.
  OpenResult Open(std::string* error);
  /// Sets the link speed the device reports (packetdrill's --speed: `ethtool -s tun0 speed N
  /// autoneg off`), which the kernel copies when the link next comes up; call while down.
  bool SetSpeed(std::uint32_t mbps, std::string* error);
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

  bool Inject(const std::vector<std::uint8_t>& packet, int gso_size,
              std::string* error) override;
  bool NextOutbound(std::int64_t deadline_ns, std::vector<std::uint8_t>* packet,
                    std::int64_t* timestamp_ns, std::string* error) override;

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
