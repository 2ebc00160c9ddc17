// Outbound packet matching rules (packetdrill's verify_outbound_live_packet).
#include "exec/matcher.h"

#include <cstdio>

namespace pktc::rt {

namespace {
constexpr std::uint8_t kTcpOptionTimestamp = 8;
constexpr std::uint8_t kTcpOptionMd5 = 19;

std::string Number(std::uint64_t v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llu (0x%llx)", static_cast<unsigned long long>(v),
                static_cast<unsigned long long>(v));
  return buf;
}

void CompareNumber(std::vector<FieldDiff>& diffs, const char* field, std::uint64_t expected,
                   std::uint64_t actual) {
  if (expected != actual) diffs.push_back({field, Number(expected), Number(actual)});
}

bool OptionsMatch(const std::vector<std::uint8_t>& expected, const std::vector<std::uint8_t>& actual,
                  bool md5_signed) {
  std::vector<ParsedOption> want, got;
  if (!ParseTcpOptions(expected, &want) || !ParseTcpOptions(actual, &got)) return false;
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].kind != got[i].kind) return false;
    if (want[i].kind == 0 || want[i].kind == 1) continue;
    if (want[i].bytes.size() != got[i].bytes.size()) return false;
    // TS val is unchecked by default and TS ecr is never checked.
    if (want[i].kind == kTcpOptionTimestamp) continue;
    if (want[i].kind == kTcpOptionMd5 && md5_signed) continue;
    if (want[i].bytes != got[i].bytes) return false;
  }
  return true;
}
}  // namespace

TcpHeader ScriptSegmentHeader(const TcpSegment& segment) {
  TcpHeader h;
  h.src_port = segment.src_port;
  h.dst_port = segment.dst_port;
  h.seq = segment.seq;
  h.ack = segment.ack;
  h.flags = segment.flags;
  h.win = segment.win.value_or(0);
  h.urg = segment.urg;
  for (const TcpOption& o : segment.options) {
    h.options.insert(h.options.end(), o.bytes.begin(), o.bytes.end());
  }
  return h;
}

std::vector<FieldDiff> MatchTcpSegment(const TcpSegment& expected, const DecodedPacket& actual,
                                       const TcpHeader& live, bool md5_signed) {
  std::vector<FieldDiff> diffs;
  if (actual.ip_version == 4 && !actual.ipv4_checksum_ok) {
    diffs.push_back({"ipv4_checksum", "valid", "bad outbound IP checksum"});
  }
  if (expected.ip.tos) CompareNumber(diffs, "ip_tos", *expected.ip.tos, actual.tos);
  if (expected.ip.ecn) CompareNumber(diffs, "ip_ecn", *expected.ip.ecn, actual.tos & 3);
  if (expected.ip.ecn_ect01 && (actual.tos & 3) != 1 && (actual.tos & 3) != 2) {
    diffs.push_back({"ip_ecn", "ECT(0) or ECT(1)", Number(actual.tos & 3)});
  }
  if (expected.ip.ttl) CompareNumber(diffs, "ip_ttl", *expected.ip.ttl, actual.ttl);

  TcpHeader want = ScriptSegmentHeader(expected);
  if (!expected.any_options) {
    CompareNumber(diffs, "tcp_data_offset", 5 + want.options.size() / 4,
                  5 + live.options.size() / 4);
  }
  CompareNumber(diffs, "tcp_flags", want.flags, live.flags);
  CompareNumber(diffs, "tcp_reserved_bits", 0, live.reserved);
  CompareNumber(diffs, "tcp_seq", want.seq, live.seq);
  CompareNumber(diffs, "tcp_ack", want.ack, live.ack);
  if (expected.win) CompareNumber(diffs, "tcp_window", *expected.win, live.win);
  CompareNumber(diffs, "tcp_urg_ptr", want.urg, live.urg);
  if (!expected.any_options && !OptionsMatch(want.options, live.options, md5_signed)) {
    diffs.push_back({"tcp_options", "<" + TcpOptionsToString(want.options) + ">",
                     "<" + TcpOptionsToString(live.options) + ">"});
  }
  CompareNumber(diffs, "tcp_payload_len", expected.len, actual.payload_len);
  if (!actual.payload_all_zero) diffs.push_back({"tcp_payload", "all zero bytes", "non-zero bytes"});
  return diffs;
}

std::string DescribeDiff(const FieldDiff& diff) {
  return "live packet field " + diff.field + ": expected: " + diff.expected +
         " vs actual: " + diff.actual;
}

}  // namespace pktc::rt
