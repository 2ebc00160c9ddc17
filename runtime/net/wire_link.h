// The packet path of a wire server: the script's packets injected onto a real Ethernet device
// with the Ethernet header the client's machine expects, and the kernel under test's packets
// sniffed as they arrive from it. The same PacketLink the run core drives a TUN device through.
#ifndef PKTC_RUNTIME_NET_WIRE_LINK_H_
#define PKTC_RUNTIME_NET_WIRE_LINK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "net/packet_link.h"
#include "net/pcap.h"

namespace pktc::rt {

/// An Ethernet (MAC) address.
struct MacAddress {
  std::uint8_t bytes[6] = {};
  bool IsZero() const;
  std::string ToString() const;  ///< "02:00:00:00:00:01"
};

/// The index of network device `name`; false with "no such device NAME" when there is none.
bool DeviceIndex(const std::string& name, int* ifindex, std::string* error);
/// The hardware address of device `name`.
bool DeviceMac(const std::string& name, MacAddress* mac, std::string* error);
/// The name of device `ifindex`, or "" if none.
std::string DeviceName(int ifindex);

/// Ethernet device `device`, as seen by the wire server: injects IP packets to the client's MAC
/// address (GSO packets become segments on the wire, as the device's offloads make them) and
/// returns the IP packets that arrive from the wire, stamped with their arrival time.
class WireLink final : public PacketLink {
 public:
  WireLink() = default;
  ~WireLink() override;
  WireLink(const WireLink&) = delete;
  WireLink& operator=(const WireLink&) = delete;

  /// Opens the device's packet sockets. Turns receive offloads (GRO, LRO) off, so packets are
  /// sniffed as they were on the wire, not merged; Close() turns them back on.
  bool Open(const std::string& device, std::string* error);
  /// Restores the offloads Open() turned off.
  void Close();
  /// Where injected frames go: the client's MAC address (or the next hop's).
  void SetDestination(const MacAddress& mac) { destination_ = mac; }
  /// The largest IP packet the path to the client carries: the smaller of this device's MTU and
  /// `client_mtu`. A TCP packet larger than that (a script's 10000-byte segment, which a TUN
  /// device takes whole) goes as a GSO packet of segments that fit.
  void SetPathMtu(int client_mtu);

  const std::string& name() const { return name_; }
  int ifindex() const { return ifindex_; }
  const MacAddress& mac() const { return mac_; }
  void RecordTo(PcapWriter* pcap) { pcap_ = pcap; }
  std::int64_t ToRealtimeNs(std::int64_t monotonic_ns) const {
    return monotonic_ns - realtime_offset_ns_;
  }

  bool Inject(const std::vector<std::uint8_t>& packet, int gso_size, std::string* error) override;
  bool NextOutbound(std::int64_t deadline_ns, std::vector<std::uint8_t>* packet,
                    std::int64_t* timestamp_ns, std::string* error) override;

 private:
  std::string name_;
  int ifindex_ = 0;
  MacAddress mac_, destination_;
  int inject_fd_ = -1;
  int sniff_fd_ = -1;
  int path_mtu_ = 1500;
  bool restore_gro_ = false, restore_lro_ = false;
  std::int64_t realtime_offset_ns_ = 0;
  PcapWriter* pcap_ = nullptr;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_NET_WIRE_LINK_H_
