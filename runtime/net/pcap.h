// Writes the packets of a run, both directions, as a pcap file (readable by tcpdump -r and
// tshark), so a failure can be inspected after the fact.
#ifndef PKTC_RUNTIME_NET_PCAP_H_
#define PKTC_RUNTIME_NET_PCAP_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace pktc::rt {

class PcapWriter {
 public:
  PcapWriter() = default;
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  /// Creates `path` with a pcap header for raw IPv4/IPv6 packets (LINKTYPE_RAW).
  bool Open(const std::string& path, std::string* error);
  /// Appends one packet; `realtime_ns` is its wall-clock time.
  void Write(const std::vector<std::uint8_t>& packet, std::int64_t realtime_ns);
  bool is_open() const { return file_ != nullptr; }

 private:
  std::FILE* file_ = nullptr;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_NET_PCAP_H_
