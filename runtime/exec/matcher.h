// Compares an expected outbound packet (script space) with the one the kernel sent: its outer
// headers, if encapsulated, and its TCP segment.
#ifndef PKTC_RUNTIME_EXEC_MATCHER_H_
#define PKTC_RUNTIME_EXEC_MATCHER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/packet_codec.h"
#include "pktc/runtime.h"

namespace pktc::rt {

/// One field that differs, named as packetdrill names it (tcp_window, tcp_ack...).
struct FieldDiff {
  FieldDiff(std::string field, std::string expected, std::string actual)
      : field(std::move(field)), expected(std::move(expected)), actual(std::move(actual)) {}
  /// A difference packetdrill words in a message of its own ("live packet header layers: ...",
  /// "mismatch in GRE key: ...").
  static FieldDiff Message(std::string message) {
    FieldDiff d("", "", "");
    d.message = std::move(message);
    return d;
  }

  std::string field;
  std::string expected;
  std::string actual;
  std::string message;  ///< When set, the whole description instead of the field form.
};

/// The script's segment as a TcpHeader (options encoded), for printing and comparing.
TcpHeader ScriptSegmentHeader(const TcpSegment& segment);

/// Every field in which `actual` (already mapped to script sequence space) differs from
/// `expected`, in packetdrill's checking order. Empty means the packet matches. TS val and ecr
/// are not compared (packetdrill's default); every other option must match byte for byte,
/// except an md5 digest when `md5_signed` (the connection has a key and the caller verifies the
/// signature itself).
std::vector<FieldDiff> MatchTcpSegment(const TcpSegment& expected, const DecodedPacket& actual,
                                       const TcpHeader& actual_script_space,
                                       bool md5_signed = false);

/// packetdrill's verify_outbound_live_headers() for the outer headers: the same number of
/// layers of the same types ("live packet header layers: expected: 4 headers vs actual: 2
/// headers" ends the comparison), then each outer header's fields, outermost first. IP layers:
/// protocol / next header, header length, total / payload length when `inner_len` (the script's
/// inner IP packet length, unchecked TCP options included) is known, TOS as the inner packet's
/// ip_info says to check it (each layer against its own TOS), TTL when the layer sets one. GRE:
/// length, flags, protocol, then sum (sum 0: a valid checksum), off, key and seq as the flags
/// say. MPLS: depth and every entry bit for bit.
std::vector<FieldDiff> MatchEncap(const std::vector<EncapHeader>& expected, const IpInfo& inner_ip,
                                  std::optional<std::size_t> inner_len,
                                  const DecodedPacket& actual);

/// "live packet field tcp_window: expected: 9 (0x9) vs actual: 1129 (0x469)"
std::string DescribeDiff(const FieldDiff& diff);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_MATCHER_H_
