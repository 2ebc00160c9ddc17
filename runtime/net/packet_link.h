// The packet path between the simulated peer and the kernel under test, as the run core sees
// it: inject one packet, take the next one the kernel sent. A TUN device implements it today; a
// wire (veth) link can later, and unit tests use an in-memory double.
#ifndef PKTC_RUNTIME_NET_PACKET_LINK_H_
#define PKTC_RUNTIME_NET_PACKET_LINK_H_

#include <cstdint>
#include <string>
#include <vector>

namespace pktc::rt {

class PacketLink {
 public:
  virtual ~PacketLink() = default;

  /// Hands one IP packet to the kernel as if it arrived from the wire. A non-zero `gso_size`
  /// marks a TCP packet as a GSO packet of that segment size (packetdrill's --mss). False, with
  /// `error` set, if the link refused it.
  virtual bool Inject(const std::vector<std::uint8_t>& packet, int gso_size,
                      std::string* error) = 0;

  /// The next IP packet the kernel sent, waiting until `deadline_ns` (monotonic clock; < 0
  /// waits forever). `timestamp_ns` is when the kernel sent it (monotonic), which is what the
  /// script's timing is checked against. Returns false at the deadline with `error` empty, or
  /// on a failure of the link with `error` set.
  virtual bool NextOutbound(std::int64_t deadline_ns, std::vector<std::uint8_t>* packet,
                            std::int64_t* timestamp_ns, std::string* error) = 0;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_NET_PACKET_LINK_H_
