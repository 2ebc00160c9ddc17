// What one family's run is given: its addresses, ports, timing rules and defines, resolved by
// the harness from the script header and the command line.
#ifndef PKTC_RUNTIME_EXEC_FAMILY_CONFIG_H_
#define PKTC_RUNTIME_EXEC_FAMILY_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "net/packet_codec.h"

namespace pktc::rt {

/// Everything one family's run needs, with addresses resolved.
struct FamilyConfig {
  std::string name;         ///< "ipv4", "ipv6" or "ipv4-mapped-ipv6"
  int socket_family = 0;    ///< AF_INET or AF_INET6: what `socket(..., ...)` creates.
  IpAddress local, remote;  ///< On-the-wire addresses (IPv4 for ipv4-mapped-ipv6).
  int local_prefix_len = 16;
  int remote_prefix_len = 32;
  int mtu = 1500;
  int mss = 0;
  std::int64_t tcp_ts_tick_usecs = 0;
  int bind_port = 8080, connect_port = 8080;
  std::int64_t tolerance_usecs = 4000;
  double tolerance_percent = 12.5;
  bool verbose = false;
  std::map<std::string, std::string> defines;
  std::string pcap_dir;
  bool timing_report = false;
  bool non_fatal_packet = false;   ///< Outbound mismatches and timing only warn.
  bool strict_segments = false;    ///< No aggregation of outbound segments.
  bool tcp_ts_ecr_scaled = false;  ///< Interpolate unmatched inbound TS ecr values.
  bool is_anyip = false;           ///< local is not assigned to tun0; fills UDP/ICMP tuples.
  std::optional<std::uint32_t> speed;  ///< tun0's link speed to set (Mbit/s).
  std::string init_scripts;            ///< --init_scripts, run before the device exists.
  std::string code_command = "python3";
  bool report_margins = false;  ///< Print the closest event's timing margin (pktc-run).
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_FAMILY_CONFIG_H_
