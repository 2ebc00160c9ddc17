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

namespace {
std::string Hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

void CompareGre(std::vector<FieldDiff>& diffs, const char* what, std::uint64_t expected,
                std::uint64_t actual) {
  if (expected == actual) return;
  diffs.push_back(FieldDiff::Message(std::string("mismatch in GRE ") + what + ": expected: " +
                                     Hex(expected) + " vs actual: " + Hex(actual)));
}

std::string MplsEntryText(std::uint32_t e) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "(label %u, tc %u,%s ttl %u)", e >> 12, (e >> 9) & 7,
                e & 0x100 ? " [S]," : "", e & 0xff);
  return buf;
}

std::size_t HeaderBytes(const EncapLayer& layer) {
  switch (layer.kind) {
    case EncapLayer::Kind::kIpv4:
      return 20;
    case EncapLayer::Kind::kIpv6:
      return 40;
    case EncapLayer::Kind::kGre:
      return GreHeaderLength(layer.gre_flags);
    case EncapLayer::Kind::kMpls:
      return 4 * layer.mpls.size();
  }
  return 0;
}

/// packetdrill's verify_outbound_live_tos() for one IP layer: how depends on the inner packet's
/// ip_info, what on the layer's own TOS byte.
void CompareTos(std::vector<FieldDiff>& diffs, const IpInfo& inner_ip, std::uint8_t expected,
                std::uint8_t actual) {
  if (inner_ip.ecn_ect01) {
    if ((actual & 3) != 1 && (actual & 3) != 2) {
      diffs.push_back({"ip_ecn", "ECT(0) or ECT(1)", Number(actual & 3)});
    }
  } else if (inner_ip.tos) {
    CompareNumber(diffs, "ip_tos", expected, actual);
  } else if (inner_ip.ecn) {
    CompareNumber(diffs, "ip_ecn", expected, actual & 3);
  }
}
}  // namespace

std::vector<FieldDiff> MatchEncap(const std::vector<EncapHeader>& expected, const IpInfo& inner_ip,
                                  std::optional<std::size_t> inner_len,
                                  const DecodedPacket& actual) {
  std::vector<FieldDiff> diffs;
  std::vector<EncapLayer> want = EncapLayersOf(expected, actual.ip_version);
  const std::vector<EncapLayer>& got = actual.encap;
  // The inner IP and transport headers are two more layers on both sides.
  if (want.size() != got.size()) {
    diffs.push_back(FieldDiff::Message(
        "live packet header layers: expected: " + std::to_string(want.size() + 2) +
        " headers vs actual: " + std::to_string(got.size() + 2) + " headers"));
    return diffs;
  }
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].kind == got[i].kind) continue;
    diffs.push_back(FieldDiff::Message("live packet header layer " + std::to_string(i) +
                                       ": expected: " + want[i].TypeName() +
                                       " header vs actual: " + got[i].TypeName() + " header"));
    return diffs;
  }
  // What follows each layer in the script, for the IP length fields.
  std::vector<std::optional<std::size_t>> after(want.size());
  std::optional<std::size_t> bytes = inner_len;
  for (std::size_t i = want.size(); i-- > 0;) {
    after[i] = bytes;
    if (bytes) *bytes += HeaderBytes(want[i]);
  }
  for (std::size_t i = 0; i < want.size(); ++i) {
    const EncapLayer& w = want[i];
    const EncapLayer& g = got[i];
    switch (w.kind) {
      case EncapLayer::Kind::kIpv4:
        CompareNumber(diffs, "ipv4_protocol", w.protocol, g.protocol);
        CompareNumber(diffs, "ipv4_header_length", 5, g.ihl);
        if (after[i]) CompareNumber(diffs, "ipv4_total_length", 20 + *after[i], g.length);
        break;
      case EncapLayer::Kind::kIpv6:
        if (after[i]) CompareNumber(diffs, "ipv6_payload_len", *after[i], g.length);
        CompareNumber(diffs, "ipv6_next_header", w.protocol, g.protocol);
        break;
      case EncapLayer::Kind::kGre:
        CompareNumber(diffs, "gre_len", GreHeaderLength(w.gre_flags), GreHeaderLength(g.gre_flags));
        CompareGre(diffs, "flags", w.gre_flags, g.gre_flags);
        CompareGre(diffs, "proto", w.gre_proto, g.gre_proto);
        if (w.gre_flags != g.gre_flags) break;  // The optional words are other words then.
        if (w.gre_flags & kGreChecksum) {
          // packetdrill compares the literal sum, which a script cannot know: sum 0 asks for a
          // valid one instead.
          if (w.gre_sum == 0 && !g.gre_checksum_ok) {
            diffs.push_back(FieldDiff::Message(
                "mismatch in GRE sum: expected: a valid checksum vs actual: " + Hex(g.gre_sum) +
                ", which is not"));
          } else if (w.gre_sum != 0) {
            CompareGre(diffs, "sum", w.gre_sum, g.gre_sum);
          }
          CompareGre(diffs, "off", w.gre_off, g.gre_off);
        }
        if (w.gre_flags & kGreKey) CompareGre(diffs, "key", w.gre_key, g.gre_key);
        if (w.gre_flags & kGreSequence) CompareGre(diffs, "seq", w.gre_seq, g.gre_seq);
        break;
      case EncapLayer::Kind::kMpls:
        if (w.mpls.size() != g.mpls.size()) {
          diffs.push_back(FieldDiff::Message(
              "mismatch in MPLS label stack depth: expected: " + std::to_string(w.mpls.size()) +
              " entries vs actual: " + std::to_string(g.mpls.size()) + " entries"));
          break;
        }
        for (std::size_t e = 0; e < w.mpls.size(); ++e) {
          if (w.mpls[e] == g.mpls[e]) continue;
          diffs.push_back(FieldDiff::Message("mismatch in MPLS label " + std::to_string(e) +
                                             ": expected: " + MplsEntryText(w.mpls[e]) +
                                             " vs actual: " + MplsEntryText(g.mpls[e])));
        }
        break;
    }
    if (w.kind == EncapLayer::Kind::kIpv4 || w.kind == EncapLayer::Kind::kIpv6) {
      CompareTos(diffs, inner_ip, w.tos, g.tos);
      // packetdrill's sentinel: 0 (default) and 255 are not checked.
      if (w.ttl != 0 && w.ttl != 255) CompareNumber(diffs, "ip_ttl", w.ttl, g.ttl);
    }
  }
  return diffs;
}

std::vector<FieldDiff> MatchTcpSegment(const TcpSegment& expected, const DecodedPacket& actual,
                                       const TcpHeader& live, bool md5_signed) {
  std::vector<FieldDiff> diffs;
  if (actual.ip_version == 4 && !actual.ipv4_checksum_ok) {
    diffs.push_back({"ipv4_checksum", "valid", "bad outbound IP checksum"});
  }
  TcpHeader want = ScriptSegmentHeader(expected);
  if (!expected.encap.empty() || !actual.encap.empty()) {
    // The script's inner IP packet; with `<...>` the options are the kernel's (packetdrill's
    // tcp_options_allowance()).
    std::size_t options = expected.any_options ? live.options.size() : want.options.size();
    std::size_t inner = (actual.ip_version == 6 ? 40 : 20) + 20 + options + expected.len;
    std::vector<FieldDiff> layers = MatchEncap(expected.encap, expected.ip, inner, actual);
    diffs.insert(diffs.end(), layers.begin(), layers.end());
  }
  if (expected.ip.tos) CompareNumber(diffs, "ip_tos", *expected.ip.tos, actual.tos);
  if (expected.ip.ecn) CompareNumber(diffs, "ip_ecn", *expected.ip.ecn, actual.tos & 3);
  if (expected.ip.ecn_ect01 && (actual.tos & 3) != 1 && (actual.tos & 3) != 2) {
    diffs.push_back({"ip_ecn", "ECT(0) or ECT(1)", Number(actual.tos & 3)});
  }
  if (expected.ip.ttl) CompareNumber(diffs, "ip_ttl", *expected.ip.ttl, actual.ttl);

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
  if (!diff.message.empty()) return diff.message;
  return "live packet field " + diff.field + ": expected: " + diff.expected +
         " vs actual: " + diff.actual;
}

}  // namespace pktc::rt
