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

}  // namespace
}  // namespace pktc::rt
