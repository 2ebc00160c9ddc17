// Compares an expected outbound TCP segment (script space) with the one the kernel sent.
#ifndef PKTC_RUNTIME_EXEC_MATCHER_H_
#define PKTC_RUNTIME_EXEC_MATCHER_H_

#include <string>
#include <vector>

#include "net/packet_codec.h"
#include "pktc/runtime.h"

namespace pktc::rt {

/// One field that differs, named as packetdrill names it (tcp_window, tcp_ack...).
struct FieldDiff {
  std::string field;
  std::string expected;
  std::string actual;
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

/// "live packet field tcp_window: expected: 9 (0x9) vs actual: 1129 (0x469)"
std::string DescribeDiff(const FieldDiff& diff);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_MATCHER_H_
