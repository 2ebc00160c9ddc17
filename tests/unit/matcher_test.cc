// Unit tests for runtime/exec/matcher.h: which fields of an outbound packet are compared with the
// script's segment, how differences are named, and how they are described.

#include "exec/matcher.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "net/packet_codec.h"
#include "pktc/runtime.h"

namespace pktc::rt {
namespace {

// `> S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 700 ecr 100,nop,wscale 7>`
TcpSegment SynAck() {
  TcpSegment s;
  s.flags = kSyn | kAck;
  s.seq = 0;
  s.len = 0;
  s.ack = 1;
  s.win = 65535;
  s.options = {opt::Mss(1460), opt::SackOk(), opt::Timestamp(700, 100), opt::Nop(), opt::WScale(7)};
  return s;
}

// `> P. 1:1001(1000) ack 1 win 9`
TcpSegment Data() {
  TcpSegment s;
  s.flags = kPsh | kAck;
  s.seq = 1;
  s.len = 1000;
  s.ack = 1;
  s.win = 9;
  return s;
}

// The live packet the kernel would send for `expected`, already in script sequence space.
struct Live {
  DecodedPacket packet;
  TcpHeader tcp;
};

Live LiveFor(const TcpSegment& expected, int ip_version = 4) {
  Live live;
  live.packet.ip_version = ip_version;
  live.packet.protocol = 6;
  live.packet.ttl = 64;
  live.packet.ipv4_checksum_ok = true;
  live.tcp = ScriptSegmentHeader(expected);
  live.tcp.src_port = 8080;
  live.tcp.dst_port = 40000;
  live.packet.tcp = live.tcp;
  live.packet.payload_len = expected.len;
  live.packet.payload_all_zero = true;
  return live;
}

std::vector<FieldDiff> Match(const TcpSegment& expected, const Live& live) {
  return MatchTcpSegment(expected, live.packet, live.tcp);
}

std::vector<std::string> Names(const std::vector<FieldDiff>& diffs) {
  std::vector<std::string> names;
  for (const FieldDiff& d : diffs) names.push_back(d.field);
  return names;
}

using Fields = std::vector<std::string>;

std::vector<std::uint8_t> Block(std::initializer_list<TcpOption> options) {
  std::vector<std::uint8_t> out;
  for (const TcpOption& o : options) out.insert(out.end(), o.bytes.begin(), o.bytes.end());
  return out;
}

TEST(Matcher, IdenticalPacketHasNoDiffs) {
  EXPECT_TRUE(Match(SynAck(), LiveFor(SynAck())).empty());
  EXPECT_TRUE(Match(Data(), LiveFor(Data())).empty());
  EXPECT_TRUE(Match(Data(), LiveFor(Data(), 6)).empty());
}

TEST(Matcher, PortsAreNotCompared) {
  Live live = LiveFor(Data());
  live.tcp.src_port = 1;
  live.tcp.dst_port = 2;
  EXPECT_TRUE(Match(Data(), live).empty());
}

TEST(Matcher, WindowDifference) {
  Live live = LiveFor(Data());
  live.tcp.win = 1129;
  std::vector<FieldDiff> diffs = Match(Data(), live);
  ASSERT_EQ(Names(diffs), Fields({"tcp_window"}));
  EXPECT_EQ(diffs[0].expected, "9 (0x9)");
  EXPECT_EQ(diffs[0].actual, "1129 (0x469)");
  EXPECT_EQ(DescribeDiff(diffs[0]),
            "live packet field tcp_window: expected: 9 (0x9) vs actual: 1129 (0x469)");
}

TEST(Matcher, DescribeDiffFormat) {
  EXPECT_EQ(DescribeDiff({"tcp_window", "9 (0x9)", "1129 (0x469)"}),
            "live packet field tcp_window: expected: 9 (0x9) vs actual: 1129 (0x469)");
}

TEST(Matcher, AckDifference) {
  Live live = LiveFor(Data());
  live.tcp.ack = 4294967295u;
  std::vector<FieldDiff> diffs = Match(Data(), live);
  ASSERT_EQ(Names(diffs), Fields({"tcp_ack"}));
  EXPECT_EQ(DescribeDiff(diffs[0]),
            "live packet field tcp_ack: expected: 1 (0x1) vs actual: 4294967295 (0xffffffff)");
}

TEST(Matcher, AckComparedEvenWithoutAckFlag) {
  TcpSegment syn;
  syn.flags = kSyn;
  Live live = LiveFor(syn);
  live.tcp.ack = 7;
  EXPECT_EQ(Names(Match(syn, live)), Fields({"tcp_ack"}));
}

TEST(Matcher, SeqDifference) {
  Live live = LiveFor(Data());
  live.tcp.seq = 1001;
  EXPECT_EQ(Names(Match(Data(), live)), Fields({"tcp_seq"}));
}

TEST(Matcher, FlagsDifference) {
  Live live = LiveFor(Data());
  live.tcp.flags = kAck;
  std::vector<FieldDiff> diffs = Match(Data(), live);
  ASSERT_EQ(Names(diffs), Fields({"tcp_flags"}));
  EXPECT_EQ(diffs[0].expected, "24 (0x18)");
  EXPECT_EQ(diffs[0].actual, "16 (0x10)");
}

TEST(Matcher, EcnFlagBitsAreFlags) {
  TcpSegment s = Data();
  s.flags = kPsh | kAck | kAe;
  Live live = LiveFor(s);
  live.tcp.flags = kPsh | kAck | kEce;
  EXPECT_EQ(Names(Match(s, live)), Fields({"tcp_flags"}));
}

TEST(Matcher, ReservedBitsMustBeZero) {
  Live live = LiveFor(Data());
  live.tcp.reserved = 2;
  EXPECT_EQ(Names(Match(Data(), live)), Fields({"tcp_reserved_bits"}));
}

TEST(Matcher, UrgentPointerDifference) {
  Live live = LiveFor(Data());
  live.tcp.urg = 1;
  EXPECT_EQ(Names(Match(Data(), live)), Fields({"tcp_urg_ptr"}));
}

TEST(Matcher, OptionValueDifference) {
  Live live = LiveFor(SynAck());
  live.tcp.options =
      Block({opt::Mss(1400), opt::SackOk(), opt::Timestamp(700, 100), opt::Nop(), opt::WScale(7)});
  std::vector<FieldDiff> diffs = Match(SynAck(), live);
  ASSERT_EQ(Names(diffs), Fields({"tcp_options"}));
  EXPECT_EQ(diffs[0].expected, "<mss 1460,sackOK,TS val 700 ecr 100,nop,wscale 7>");
  EXPECT_EQ(diffs[0].actual, "<mss 1400,sackOK,TS val 700 ecr 100,nop,wscale 7>");
}

TEST(Matcher, OptionOrderMatters) {
  TcpSegment s = SynAck();
  s.options = {opt::Mss(1460), opt::Nop(), opt::WScale(7)};
  Live live = LiveFor(s);
  live.tcp.options = Block({opt::Nop(), opt::Mss(1460), opt::WScale(7)});
  EXPECT_EQ(Names(Match(s, live)), Fields({"tcp_options"}));
}

TEST(Matcher, OptionLengthDifferenceAlsoChangesDataOffset) {
  Live live = LiveFor(SynAck());
  live.tcp.options = Block({opt::Mss(1460), opt::Nop(), opt::Nop(), opt::SackOk()});
  EXPECT_EQ(Names(Match(SynAck(), live)), Fields({"tcp_data_offset", "tcp_options"}));

  // Options where the script expects none.
  live = LiveFor(Data());
  live.tcp.options = Block({opt::Nop(), opt::Nop(), opt::Timestamp(1, 2)});
  std::vector<FieldDiff> diffs = Match(Data(), live);
  ASSERT_EQ(Names(diffs), Fields({"tcp_data_offset", "tcp_options"}));
  EXPECT_EQ(diffs[0].expected, "5 (0x5)");
  EXPECT_EQ(diffs[0].actual, "8 (0x8)");
}

TEST(Matcher, SackBlocksAreCompared) {
  TcpSegment s = Data();
  s.options = {opt::Nop(), opt::Nop(), opt::Sack({1001, 2001})};
  Live live = LiveFor(s);
  EXPECT_TRUE(Match(s, live).empty());
  live.tcp.options = Block({opt::Nop(), opt::Nop(), opt::Sack({1001, 3001})});
  EXPECT_EQ(Names(Match(s, live)), Fields({"tcp_options"}));
}

TEST(Matcher, TimestampValAndEcrAreNotCompared) {
  Live live = LiveFor(SynAck());
  live.tcp.options = Block({opt::Mss(1460), opt::SackOk(), opt::Timestamp(123456789, 987654321),
                            opt::Nop(), opt::WScale(7)});
  EXPECT_TRUE(Match(SynAck(), live).empty());
}

TEST(Matcher, TimestampPresenceIsCompared) {
  TcpSegment s = Data();
  s.options = {opt::Nop(), opt::Nop(), opt::Timestamp(1, 2)};
  Live live = LiveFor(s);
  live.tcp.options =
      Block({opt::Nop(), opt::Nop(), opt::Nop(), opt::Nop(), opt::Nop(), opt::Nop(), opt::Nop(),
             opt::Nop(), opt::Nop(), opt::Nop(), opt::Nop(), opt::Nop()});
  EXPECT_EQ(Names(Match(s, live)), Fields({"tcp_options"}));
}

TEST(Matcher, AnyOptionsSkipsOptionsAndDataOffset) {
  TcpSegment s = Data();
  s.any_options = true;
  Live live = LiveFor(s);
  live.tcp.options = Block({opt::Nop(), opt::Nop(), opt::Timestamp(1, 2)});
  EXPECT_TRUE(Match(s, live).empty());
  live.tcp.options = Block({opt::Mss(536)});
  EXPECT_TRUE(Match(s, live).empty());
  // Other fields are still checked.
  live.tcp.win = 10;
  EXPECT_EQ(Names(Match(s, live)), Fields({"tcp_window"}));
}

TEST(Matcher, AbsentWindowIsUnchecked) {
  TcpSegment s = Data();
  s.win.reset();
  Live live = LiveFor(s);
  live.tcp.win = 1129;
  EXPECT_TRUE(Match(s, live).empty());
  live.tcp.win = 0;
  EXPECT_TRUE(Match(s, live).empty());
}

TEST(Matcher, ZeroWindowIsChecked) {
  TcpSegment s = Data();
  s.win = 0;
  Live live = LiveFor(s);
  live.tcp.win = 1;
  EXPECT_EQ(Names(Match(s, live)), Fields({"tcp_window"}));
}

TEST(Matcher, PayloadLengthDifference) {
  Live live = LiveFor(Data());
  live.packet.payload_len = 1448;
  std::vector<FieldDiff> diffs = Match(Data(), live);
  ASSERT_EQ(Names(diffs), Fields({"tcp_payload_len"}));
  EXPECT_EQ(DescribeDiff(diffs[0]),
            "live packet field tcp_payload_len: expected: 1000 (0x3e8) vs actual: 1448 (0x5a8)");
}

TEST(Matcher, NonZeroPayloadBytes) {
  Live live = LiveFor(Data());
  live.packet.payload_all_zero = false;
  EXPECT_EQ(Names(Match(Data(), live)), Fields({"tcp_payload"}));
}

TEST(Matcher, Ipv4ChecksumChecked) {
  Live live = LiveFor(Data());
  live.packet.ipv4_checksum_ok = false;
  EXPECT_EQ(Names(Match(Data(), live)), Fields({"ipv4_checksum"}));
}

TEST(Matcher, TosCheckedOnlyWhenGiven) {
  Live live = LiveFor(Data());
  live.packet.tos = 0x10;
  EXPECT_TRUE(Match(Data(), live).empty());
  TcpSegment s = Data();
  s.ip.tos = 0x10;
  EXPECT_TRUE(Match(s, live).empty());
  live.packet.tos = 0x12;
  std::vector<FieldDiff> diffs = Match(s, live);
  ASSERT_EQ(Names(diffs), Fields({"ip_tos"}));
  EXPECT_EQ(diffs[0].expected, "16 (0x10)");
  EXPECT_EQ(diffs[0].actual, "18 (0x12)");
}

TEST(Matcher, EcnBitsChecked) {
  TcpSegment s = Data();
  s.ip.ecn = 2;  // ect0
  Live live = LiveFor(s);
  live.packet.tos = 0xb8 | 2;  // DSCP bits are ignored by an ECN check
  EXPECT_TRUE(Match(s, live).empty());
  live.packet.tos = 1;  // ect1
  EXPECT_EQ(Names(Match(s, live)), Fields({"ip_ecn"}));
  s.ip.ecn = 0;  // noecn
  live.packet.tos = 3;
  EXPECT_EQ(Names(Match(s, live)), Fields({"ip_ecn"}));
}

TEST(Matcher, Ect01AcceptsEitherEct) {
  TcpSegment s = Data();
  s.ip.ecn_ect01 = true;
  Live live = LiveFor(s);
  for (std::uint8_t tos : {1, 2, 0x29, 0x2a}) {
    live.packet.tos = tos;
    EXPECT_TRUE(Match(s, live).empty()) << "tos " << int{tos};
  }
  for (std::uint8_t tos : {0, 3}) {
    live.packet.tos = tos;
    EXPECT_EQ(Names(Match(s, live)), Fields({"ip_ecn"})) << "tos " << int{tos};
  }
}

TEST(Matcher, TtlCheckedOnlyWhenGiven) {
  Live live = LiveFor(Data());
  live.packet.ttl = 1;
  EXPECT_TRUE(Match(Data(), live).empty());
  TcpSegment s = Data();
  s.ip.ttl = 64;
  live.packet.ttl = 64;
  EXPECT_TRUE(Match(s, live).empty());
  live.packet.ttl = 63;
  EXPECT_EQ(Names(Match(s, live)), Fields({"ip_ttl"}));
}

TEST(Matcher, AllDiffsReportedInPacketdrillOrder) {
  TcpSegment s = Data();
  s.ip.ttl = 64;
  Live live = LiveFor(s);
  live.packet.ipv4_checksum_ok = false;
  live.packet.ttl = 1;
  live.tcp.flags = kAck;
  live.tcp.seq = 2;
  live.tcp.ack = 3;
  live.tcp.win = 4;
  live.tcp.urg = 5;
  live.packet.payload_len = 6;
  EXPECT_EQ(Names(Match(s, live)),
            Fields({"ipv4_checksum", "ip_ttl", "tcp_flags", "tcp_seq", "tcp_ack", "tcp_window",
                    "tcp_urg_ptr", "tcp_payload_len"}));
}

TEST(Matcher, ScriptSegmentHeaderConcatenatesOptions) {
  TcpSegment s = SynAck();
  s.src_port = 1234;
  s.dst_port = 8080;
  s.urg = 3;
  TcpHeader h = ScriptSegmentHeader(s);
  EXPECT_EQ(h.src_port, 1234);
  EXPECT_EQ(h.dst_port, 8080);
  EXPECT_EQ(h.flags, kSyn | kAck);
  EXPECT_EQ(h.ack, 1u);
  EXPECT_EQ(h.win, 65535);
  EXPECT_EQ(h.urg, 3);
  EXPECT_EQ(h.options, Block({opt::Mss(1460), opt::SackOk(), opt::Timestamp(700, 100), opt::Nop(),
                              opt::WScale(7)}));
  s.win.reset();
  EXPECT_EQ(ScriptSegmentHeader(s).win, 0);
}

// ---------------------------------------------------------------------------------------------
// Outer headers (packetdrill's verify_outbound_live_headers)

IpAddress Addr(const char* text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::Parse(text, &a)) << text;
  return a;
}

// What the kernel sends for `expected` through `outer` (built by the codec, then decoded as a
// live packet is), in script sequence space.
Live Tunnelled(const TcpSegment& expected, const std::vector<EncapHeader>& outer) {
  TcpHeader tcp = ScriptSegmentHeader(expected);
  tcp.src_port = 8080;
  tcp.dst_port = 40000;
  std::vector<std::uint8_t> inner =
      EncodeTcpPacket(Addr("192.168.0.1"), Addr("192.0.2.1"), IpFields(), tcp, expected.len, "");
  std::vector<std::uint8_t> bytes = Encapsulate(EncapLayersOf(outer, 4), inner);
  Live live;
  std::string error;
  EXPECT_TRUE(DecodePacket(bytes.data(), bytes.size(), &live.packet, &error)) << error;
  live.tcp = live.packet.tcp;
  return live;
}

std::vector<std::string> Messages(const std::vector<FieldDiff>& diffs) {
  std::vector<std::string> out;
  for (const FieldDiff& d : diffs) out.push_back(DescribeDiff(d));
  return out;
}

TcpSegment WithOuter(TcpSegment s, std::vector<EncapHeader> outer) {
  s.encap = std::move(outer);
  return s;
}

const EncapHeader kOuter = encap::Ipv4("192.168.0.1", "192.168.0.2");

TEST(MatcherEncap, SameStackHasNoDiffs) {
  std::vector<EncapHeader> outer = {
      kOuter, encap::Gre({.flags = 0xb000, .key = 7, .seq = 1}),
      encap::Mpls({{.label = 100, .ttl = 64}, {.label = 200, .tc = 1, .bottom = true, .ttl = 3}})};
  TcpSegment s = WithOuter(Data(), outer);
  EXPECT_TRUE(Match(s, Tunnelled(s, outer)).empty());
}

TEST(MatcherEncap, LayerCountComesFirstAndAlone) {
  TcpSegment s = WithOuter(Data(), {kOuter, encap::Gre()});
  Live plain = LiveFor(Data());
  plain.tcp.win = 1;  // Inner differences are not reported when the stacks differ in shape.
  EXPECT_EQ(Messages(MatchEncap(s.encap, s.ip, std::nullopt, plain.packet)),
            std::vector<std::string>{
                "live packet header layers: expected: 4 headers vs actual: 2 headers"});
  EXPECT_EQ(DescribeDiff(Match(s, plain)[0]),
            "live packet header layers: expected: 4 headers vs actual: 2 headers");
  // A tunnelled packet where the script expects none.
  EXPECT_EQ(DescribeDiff(Match(Data(), Tunnelled(Data(), {kOuter}))[0]),
            "live packet header layers: expected: 2 headers vs actual: 3 headers");
}

TEST(MatcherEncap, LayerKinds) {
  TcpSegment s = WithOuter(Data(), {kOuter, encap::Gre()});
  Live ipip = Tunnelled(Data(), {kOuter, encap::Ipv4("10.0.0.1", "10.0.0.2")});
  EXPECT_EQ(Messages(Match(s, ipip)),
            std::vector<std::string>{
                "live packet header layer 1: expected: GRE header vs actual: IPV4 header"});
}

TEST(MatcherEncap, GreFields) {
  TcpSegment s = WithOuter(Data(), {kOuter, encap::Gre({.flags = 0x3000, .key = 7, .seq = 1})});
  Live live = Tunnelled(Data(), {kOuter, encap::Gre({.flags = 0x3000, .key = 8, .seq = 2})});
  EXPECT_EQ(Messages(Match(s, live)),
            (std::vector<std::string>{"mismatch in GRE key: expected: 0x7 vs actual: 0x8",
                                      "mismatch in GRE seq: expected: 0x1 vs actual: 0x2"}));
  Live keyless = Tunnelled(Data(), {kOuter, encap::Gre({.flags = 0x1000, .seq = 1})});
  EXPECT_EQ(Messages(Match(s, keyless)),
            (std::vector<std::string>{
                "live packet field ipv4_total_length: expected: 1072 (0x430) vs actual: 1068 "
                "(0x42c)",
                "live packet field gre_len: expected: 12 (0xc) vs actual: 8 (0x8)",
                "mismatch in GRE flags: expected: 0x3000 vs actual: 0x1000"}));
}

// sum 0 asks for a valid checksum, any other value for that value (packetdrill compares the
// literal, which a script cannot know).
TEST(MatcherEncap, GreChecksum) {
  std::vector<EncapHeader> outer = {kOuter, encap::Gre({.flags = 0x8000})};
  TcpSegment s = WithOuter(Data(), outer);
  Live live = Tunnelled(Data(), outer);
  EXPECT_TRUE(Match(s, live).empty());
  live.packet.encap[1].gre_checksum_ok = false;
  ASSERT_EQ(Match(s, live).size(), 1u);
  EXPECT_EQ(DescribeDiff(Match(s, live)[0])
                .rfind("mismatch in GRE sum: expected: a valid "
                       "checksum vs actual: 0x",
                       0),
            0u);
  TcpSegment literal = WithOuter(Data(), {kOuter, encap::Gre({.flags = 0x8000, .sum = 0x1234})});
  EXPECT_EQ(
      Messages(Match(literal,
                     Tunnelled(Data(), {kOuter, encap::Gre({.flags = 0x8000, .sum = 0x1234})}))),
      std::vector<std::string>{});
}

TEST(MatcherEncap, MplsDepthAndEntries) {
  TcpSegment s = WithOuter(
      Data(), {kOuter, encap::Gre(), encap::Mpls({{.label = 100, .bottom = true, .ttl = 64}})});
  Live deeper = Tunnelled(
      Data(), {kOuter, encap::Gre(),
               encap::Mpls({{.label = 100, .ttl = 64}, {.label = 5, .bottom = true, .ttl = 64}})});
  EXPECT_EQ(Messages(Match(s, deeper)),
            (std::vector<std::string>{
                "live packet field ipv4_total_length: expected: 1068 (0x42c) vs actual: 1072 "
                "(0x430)",
                "mismatch in MPLS label stack depth: expected: 1 entries vs actual: 2 entries"}));
  Live other = Tunnelled(
      Data(), {kOuter, encap::Gre(), encap::Mpls({{.label = 101, .bottom = true, .ttl = 63}})});
  EXPECT_EQ(Messages(Match(s, other))[0],
            "mismatch in MPLS label 0: expected: (label 100, tc 0, [S], ttl 64) vs actual: "
            "(label 101, tc 0, [S], ttl 63)");
}

TEST(MatcherEncap, OuterIpLengthsFollowTheScriptsInnerPacket) {
  TcpSegment s = WithOuter(SynAck(), {kOuter});
  Live live = Tunnelled(SynAck(), {kOuter});
  EXPECT_TRUE(Match(s, live).empty());
  // Other options: the outer total length differs too (packetdrill reports it first).
  TcpSegment fewer = WithOuter(SynAck(), {kOuter});
  fewer.options = {opt::Mss(1460), opt::Nop(), opt::Nop(), opt::SackOk()};
  EXPECT_EQ(Names(Match(fewer, live))[0], "ipv4_total_length");
  // ... but not with `<...>`: the kernel's options count.
  fewer.options.clear();
  fewer.any_options = true;
  EXPECT_TRUE(Match(fewer, live).empty());
}

TEST(MatcherEncap, OuterTtlAndTos) {
  TcpSegment s = WithOuter(Data(), {encap::Ipv4("192.168.0.1", "192.168.0.2", {.ttl = 64})});
  Live live = Tunnelled(Data(), {kOuter});  // TTL 255
  EXPECT_EQ(Names(Match(s, live)), Fields({"ip_ttl"}));
  // The inner ip_info says how every IP layer's TOS is checked; each against its own byte.
  TcpSegment tos = WithOuter(Data(), {kOuter});
  tos.ip.tos = 0x00;
  Live marked = Tunnelled(Data(), {encap::Ipv4("192.168.0.1", "192.168.0.2", {.tos = 0x10})});
  EXPECT_EQ(Names(Match(tos, marked)), Fields({"ip_tos"}));
  EXPECT_TRUE(Match(WithOuter(Data(), {kOuter}), marked).empty());
}

}  // namespace
}  // namespace pktc::rt
