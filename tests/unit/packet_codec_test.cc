// Unit tests for runtime/net/packet_codec.h: encoding and decoding IPv4/IPv6 TCP packets, rejecting
// malformed ones, printing options/flags/segments, and RFC 2385 TCP-MD5 signatures (checked
// against a computation written here from the RFC and against digests the Linux kernel made).

#include "net/packet_codec.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "net/checksum.h"
#include "net/md5.h"
#include "pktc/runtime.h"

namespace pktc::rt {
namespace {

using Bytes = std::vector<std::uint8_t>;

IpAddress Addr(const std::string& text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::Parse(text, &a)) << text;
  return a;
}

Bytes Block(std::initializer_list<TcpOption> options) {
  Bytes out;
  for (const TcpOption& o : options) out.insert(out.end(), o.bytes.begin(), o.bytes.end());
  return out;
}

Bytes FromHex(const std::string& hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::uint16_t Get16(const Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A SYN-ACK with the usual Linux option set and a payload, in both families.
TcpHeader SampleHeader() {
  TcpHeader tcp;
  tcp.src_port = 40000;
  tcp.dst_port = 8080;
  tcp.seq = 0x12345678;
  tcp.ack = 0x9abcdef0;
  tcp.flags = kSyn | kAck | kEce;
  tcp.win = 65535;
  tcp.urg = 0;
  tcp.options =
      Block({opt::Mss(1460), opt::SackOk(), opt::Timestamp(700, 100), opt::Nop(), opt::WScale(7)});
  return tcp;
}

void ExpectSameTcp(const TcpHeader& got, const TcpHeader& want) {
  EXPECT_EQ(got.src_port, want.src_port);
  EXPECT_EQ(got.dst_port, want.dst_port);
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.ack, want.ack);
  EXPECT_EQ(got.flags, want.flags);
  EXPECT_EQ(got.win, want.win);
  EXPECT_EQ(got.urg, want.urg);
  EXPECT_EQ(got.reserved, want.reserved);
  EXPECT_EQ(got.options, want.options);
}

// ---------------------------------------------------------------------------------------------
// IpAddress

TEST(IpAddress, ParsesBothFamiliesAndPrints) {
  IpAddress v4 = Addr("192.0.2.1");
  EXPECT_EQ(v4.family, AF_INET);
  EXPECT_EQ(v4.size(), 4u);
  EXPECT_EQ(v4.bytes[0], 192);
  EXPECT_EQ(v4.bytes[3], 1);
  EXPECT_EQ(v4.ToString(), "192.0.2.1");

  IpAddress v6 = Addr("fd3d:0a0b:17d6::1");
  EXPECT_EQ(v6.family, AF_INET6);
  EXPECT_EQ(v6.size(), 16u);
  EXPECT_EQ(v6.bytes[0], 0xfd);
  EXPECT_EQ(v6.bytes[15], 1);
  EXPECT_EQ(v6.ToString(), "fd3d:a0b:17d6::1");

  IpAddress a;
  EXPECT_FALSE(IpAddress::Parse("192.0.2", &a));
  EXPECT_FALSE(IpAddress::Parse("example.com", &a));
  EXPECT_FALSE(IpAddress::Parse("", &a));
}

TEST(IpAddress, Equality) {
  EXPECT_TRUE(Addr("192.0.2.1") == Addr("192.0.2.1"));
  EXPECT_FALSE(Addr("192.0.2.1") == Addr("192.0.2.2"));
  EXPECT_FALSE(Addr("::1") == Addr("0.0.0.1"));
  EXPECT_TRUE(Addr("fd3d::1") == Addr("fd3d:0:0::1"));
}

// ---------------------------------------------------------------------------------------------
// Encode / decode round trips

TEST(Packet, Ipv4RoundTripWithOptionsAndPayload) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  IpFields ip;
  ip.tos = 0x02;
  ip.ttl = 64;
  TcpHeader tcp = SampleHeader();
  Bytes packet = EncodeTcpPacket(src, dst, ip, tcp, 100, "");

  ASSERT_EQ(packet.size(), 20u + 20u + 20u + 100u);
  EXPECT_EQ(packet[0], 0x45);
  EXPECT_EQ(Get16(packet, 2), packet.size());
  EXPECT_EQ(packet[9], IPPROTO_TCP);
  EXPECT_EQ(packet[20 + 12] >> 4, 10);  // data offset: 40 bytes

  DecodedPacket d;
  std::string error;
  ASSERT_TRUE(DecodePacket(packet.data(), packet.size(), &d, &error)) << error;
  EXPECT_EQ(d.ip_version, 4);
  EXPECT_TRUE(d.src == src);
  EXPECT_TRUE(d.dst == dst);
  EXPECT_EQ(d.protocol, IPPROTO_TCP);
  EXPECT_EQ(d.tos, 0x02);
  EXPECT_EQ(d.ttl, 64);
  EXPECT_TRUE(d.ipv4_checksum_ok);
  ExpectSameTcp(d.tcp, tcp);
  EXPECT_EQ(d.payload_len, 100u);
  EXPECT_TRUE(d.payload_all_zero);
}

TEST(Packet, Ipv4ChecksumsAreValid) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  for (std::size_t payload : {0u, 1u, 99u, 100u, 1460u}) {
    Bytes packet = EncodeTcpPacket(src, dst, IpFields(), SampleHeader(), payload, "");
    EXPECT_EQ(Ipv4HeaderChecksum(packet.data(), 20), 0) << "payload " << payload;
    EXPECT_EQ(TransportChecksum(src.bytes, dst.bytes, 4, IPPROTO_TCP, packet.data() + 20,
                                packet.size() - 20),
              0)
        << "payload " << payload;
  }
}

TEST(Packet, Ipv6RoundTripWithOptionsAndPayload) {
  const IpAddress src = Addr("fd3d:fa7b:d17d::1"), dst = Addr("fd3d:a0b:17d6::1");
  IpFields ip;
  ip.tos = 0xb9;  // traffic class: DSCP 46, ECT(1)
  ip.ttl = 1;
  TcpHeader tcp;
  tcp.src_port = 8080;
  tcp.dst_port = 51000;
  tcp.seq = 1;
  tcp.ack = 0xffffffff;
  tcp.flags = kAe | kCwr | kPsh | kAck;
  tcp.win = 257;
  tcp.urg = 3;
  tcp.reserved = 5;
  tcp.options = Block({opt::Nop(), opt::Nop(), opt::Sack({1, 1001, 2001, 3001})});
  Bytes packet = EncodeTcpPacket(src, dst, ip, tcp, 1000, "");

  ASSERT_EQ(packet.size(), 40u + 20u + 20u + 1000u);
  EXPECT_EQ(packet[0] >> 4, 6);
  EXPECT_EQ(Get16(packet, 4), 20u + 20u + 1000u);  // payload length
  EXPECT_EQ(packet[6], IPPROTO_TCP);               // next header
  EXPECT_EQ(packet[7], 1);                         // hop limit

  DecodedPacket d;
  std::string error;
  ASSERT_TRUE(DecodePacket(packet.data(), packet.size(), &d, &error)) << error;
  EXPECT_EQ(d.ip_version, 6);
  EXPECT_TRUE(d.src == src);
  EXPECT_TRUE(d.dst == dst);
  EXPECT_EQ(d.protocol, IPPROTO_TCP);
  EXPECT_EQ(d.tos, 0xb9);
  EXPECT_EQ(d.ttl, 1);
  EXPECT_EQ(d.flowlabel, 0u);
  ExpectSameTcp(d.tcp, tcp);
  EXPECT_EQ(d.payload_len, 1000u);
  EXPECT_TRUE(d.payload_all_zero);
  EXPECT_EQ(TransportChecksum(src.bytes, dst.bytes, 16, IPPROTO_TCP, packet.data() + 40,
                              packet.size() - 40),
            0);
}

TEST(Packet, Ipv6ChecksumsAreValidForOddLengths) {
  const IpAddress src = Addr("fd3d:fa7b:d17d::1"), dst = Addr("fd3d:a0b:17d6::1");
  for (std::size_t payload : {0u, 1u, 7u, 1440u}) {
    Bytes packet = EncodeTcpPacket(src, dst, IpFields(), SampleHeader(), payload, "");
    EXPECT_EQ(TransportChecksum(src.bytes, dst.bytes, 16, IPPROTO_TCP, packet.data() + 40,
                                packet.size() - 40),
              0)
        << "payload " << payload;
  }
}

TEST(Packet, Ipv4ReservedBitsAndAeRoundTrip) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  TcpHeader tcp;
  tcp.flags = kAe | kFin | kRst | kUrg | kAck;
  tcp.reserved = 7;
  tcp.win = 1;
  Bytes packet = EncodeTcpPacket(src, dst, IpFields(), tcp, 0, "");
  EXPECT_EQ(packet[20 + 12], 0x5f);  // data offset 5, reserved 111, AE 1
  EXPECT_EQ(packet[20 + 13], 0x35);  // URG ACK RST FIN
  DecodedPacket d;
  std::string error;
  ASSERT_TRUE(DecodePacket(packet.data(), packet.size(), &d, &error)) << error;
  ExpectSameTcp(d.tcp, tcp);
}

TEST(Packet, DefaultTtlIs255AndTosZero) {
  Bytes v4 =
      EncodeTcpPacket(Addr("192.0.2.1"), Addr("192.168.0.1"), IpFields(), TcpHeader(), 0, "");
  EXPECT_EQ(v4[1], 0);
  EXPECT_EQ(v4[8], 255);
  Bytes v6 = EncodeTcpPacket(Addr("fd3d::2"), Addr("fd3d::1"), IpFields(), TcpHeader(), 0, "");
  EXPECT_EQ(v6[0], 0x60);
  EXPECT_EQ(v6[1], 0x00);
  EXPECT_EQ(v6[7], 255);
}

TEST(Packet, DecodeIpv4WithIpOptions) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  TcpHeader tcp = SampleHeader();
  Bytes packet = EncodeTcpPacket(src, dst, IpFields(), tcp, 10, "");
  // Insert four bytes of IP options (NOP NOP NOP EOL) and fix the header.
  packet.insert(packet.begin() + 20, {1, 1, 1, 0});
  packet[0] = 0x46;
  packet[2] = static_cast<std::uint8_t>(packet.size() >> 8);
  packet[3] = static_cast<std::uint8_t>(packet.size());
  packet[10] = packet[11] = 0;
  std::uint16_t sum = Ipv4HeaderChecksum(packet.data(), 24);
  packet[10] = static_cast<std::uint8_t>(sum >> 8);
  packet[11] = static_cast<std::uint8_t>(sum);

  DecodedPacket d;
  std::string error;
  ASSERT_TRUE(DecodePacket(packet.data(), packet.size(), &d, &error)) << error;
  EXPECT_TRUE(d.ipv4_checksum_ok);
  ExpectSameTcp(d.tcp, tcp);
  EXPECT_EQ(d.payload_len, 10u);
}

TEST(Packet, DecodeIgnoresBytesPastTheIpLength) {
  // Link-layer padding after the IP datagram is not payload.
  Bytes v4 =
      EncodeTcpPacket(Addr("192.0.2.1"), Addr("192.168.0.1"), IpFields(), SampleHeader(), 5, "");
  v4.insert(v4.end(), 6, 0xee);
  Bytes v6 = EncodeTcpPacket(Addr("fd3d::2"), Addr("fd3d::1"), IpFields(), SampleHeader(), 5, "");
  v6.insert(v6.end(), 6, 0xee);
  for (const Bytes* p : {&v4, &v6}) {
    DecodedPacket d;
    std::string error;
    ASSERT_TRUE(DecodePacket(p->data(), p->size(), &d, &error)) << error;
    EXPECT_EQ(d.payload_len, 5u);
    EXPECT_TRUE(d.payload_all_zero);
  }
}

TEST(Packet, DecodeNoticesNonZeroPayload) {
  Bytes packet =
      EncodeTcpPacket(Addr("192.0.2.1"), Addr("192.168.0.1"), IpFields(), TcpHeader(), 10, "");
  packet.back() = 0x01;
  DecodedPacket d;
  std::string error;
  ASSERT_TRUE(DecodePacket(packet.data(), packet.size(), &d, &error)) << error;
  EXPECT_EQ(d.payload_len, 10u);
  EXPECT_FALSE(d.payload_all_zero);
}

TEST(Packet, DecodeReportsBadIpv4HeaderChecksum) {
  Bytes packet =
      EncodeTcpPacket(Addr("192.0.2.1"), Addr("192.168.0.1"), IpFields(), TcpHeader(), 0, "");
  packet[11] ^= 0x01;
  DecodedPacket d;
  std::string error;
  ASSERT_TRUE(DecodePacket(packet.data(), packet.size(), &d, &error)) << error;
  EXPECT_FALSE(d.ipv4_checksum_ok);
}

TEST(Packet, DecodeIpv6FlowLabel) {
  Bytes packet = EncodeTcpPacket(Addr("fd3d::2"), Addr("fd3d::1"), IpFields(), TcpHeader(), 0, "");
  // Version 6, traffic class 0x12, flow label 0xabcde.
  packet[0] = 0x61;
  packet[1] = 0x2a;
  packet[2] = 0xbc;
  packet[3] = 0xde;
  DecodedPacket d;
  std::string error;
  ASSERT_TRUE(DecodePacket(packet.data(), packet.size(), &d, &error)) << error;
  EXPECT_EQ(d.tos, 0x12);
  EXPECT_EQ(d.flowlabel, 0xabcdeu);
}

TEST(Packet, DecodeReportsNonTcpProtocolWithoutError) {
  Bytes packet =
      EncodeTcpPacket(Addr("192.0.2.1"), Addr("192.168.0.1"), IpFields(), TcpHeader(), 0, "");
  packet[9] = IPPROTO_UDP;
  DecodedPacket d;
  std::string error;
  ASSERT_TRUE(DecodePacket(packet.data(), packet.size(), &d, &error)) << error;
  EXPECT_EQ(d.protocol, IPPROTO_UDP);
  EXPECT_EQ(d.ip_version, 4);
}

// ---------------------------------------------------------------------------------------------
// Malformed input

// Decodes `packet`, expecting rejection with a reason containing `reason`.
void ExpectRejected(const Bytes& packet, const std::string& reason) {
  DecodedPacket d;
  std::string error;
  EXPECT_FALSE(DecodePacket(packet.data(), packet.size(), &d, &error)) << "accepted";
  EXPECT_TRUE(Contains(error, reason)) << "error: '" << error << "', wanted '" << reason << "'";
}

Bytes ValidIpv4() {
  return EncodeTcpPacket(Addr("192.0.2.1"), Addr("192.168.0.1"), IpFields(), SampleHeader(), 8, "");
}
Bytes ValidIpv6() {
  return EncodeTcpPacket(Addr("fd3d::2"), Addr("fd3d::1"), IpFields(), SampleHeader(), 8, "");
}

TEST(PacketMalformed, Empty) { ExpectRejected({}, "empty"); }

TEST(PacketMalformed, NotIp) {
  Bytes packet = ValidIpv4();
  packet[0] = 0x55;
  ExpectRejected(packet, "not an IP packet");
  ExpectRejected({0x00}, "not an IP packet");
}

TEST(PacketMalformed, TruncatedIpv4Header) {
  Bytes packet = ValidIpv4();
  packet.resize(19);
  ExpectRejected(packet, "truncated IPv4 header");
  ExpectRejected({0x45}, "truncated IPv4 header");
}

TEST(PacketMalformed, BadIhl) {
  Bytes packet = ValidIpv4();
  packet[0] = 0x44;  // 16-byte header: less than the minimum
  ExpectRejected(packet, "IPv4 header length");
  packet[0] = 0x40;
  ExpectRejected(packet, "IPv4 header length");
  Bytes tiny = ValidIpv4();
  tiny.resize(40);
  tiny[2] = 0;
  tiny[3] = 40;
  tiny[0] = 0x4f;  // 60-byte header in a 40-byte packet
  ExpectRejected(tiny, "IPv4 header length");
}

TEST(PacketMalformed, Ipv4TotalLengthBeyondData) {
  Bytes packet = ValidIpv4();
  packet.pop_back();  // one byte short of the total length
  ExpectRejected(packet, "IPv4 header length");
  Bytes small = ValidIpv4();
  small[2] = 0;
  small[3] = 19;  // total length below the header length
  ExpectRejected(small, "IPv4 header length");
}

TEST(PacketMalformed, TruncatedTcpHeaderOverIpv4) {
  Bytes packet = ValidIpv4();
  packet.resize(39);
  packet[2] = 0;
  packet[3] = 39;
  ExpectRejected(packet, "truncated TCP header");
}

TEST(PacketMalformed, BadDataOffset) {
  Bytes packet = ValidIpv4();
  packet[20 + 12] = 0x40;  // 16 bytes: below the TCP minimum
  ExpectRejected(packet, "TCP data offset");
  packet[20 + 12] = 0xf0;  // 60 bytes: more than the 48-byte segment holds
  ExpectRejected(packet, "TCP data offset");
  Bytes v6 = ValidIpv6();
  v6[40 + 12] = 0x00;
  ExpectRejected(v6, "TCP data offset");
}

TEST(PacketMalformed, TruncatedIpv6Header) {
  Bytes packet = ValidIpv6();
  packet.resize(39);
  ExpectRejected(packet, "truncated IPv6 header");
}

TEST(PacketMalformed, Ipv6PayloadLengthBeyondData) {
  Bytes packet = ValidIpv6();
  packet.pop_back();
  ExpectRejected(packet, "IPv6 payload length");
}

TEST(PacketMalformed, TruncatedTcpHeaderOverIpv6) {
  Bytes packet = ValidIpv6();
  packet.resize(40 + 19);
  packet[4] = 0;
  packet[5] = 19;
  ExpectRejected(packet, "truncated TCP header");
}

// ---------------------------------------------------------------------------------------------
// Encapsulation: outer IP headers, GRE and MPLS (docs/pkt-language.md section 4.8)

EncapLayer OuterIp(const char* src, const char* dst) {
  EncapLayer l;
  l.src = Addr(src);
  l.dst = Addr(dst);
  l.kind = l.src.family == AF_INET6 ? EncapLayer::Kind::kIpv6 : EncapLayer::Kind::kIpv4;
  return l;
}

EncapLayer Gre(std::uint16_t flags = 0) {
  EncapLayer l;
  l.kind = EncapLayer::Kind::kGre;
  l.gre_flags = flags;
  return l;
}

EncapLayer Mpls(std::vector<std::uint32_t> entries) {
  EncapLayer l;
  l.kind = EncapLayer::Kind::kMpls;
  l.mpls = std::move(entries);
  return l;
}

constexpr std::uint32_t MplsEntry(std::uint32_t label, std::uint32_t tc, bool bottom,
                                  std::uint32_t ttl) {
  return label << 12 | tc << 9 | (bottom ? 1u : 0u) << 8 | ttl;
}

Bytes InnerIpv4(std::size_t payload = 0) {
  return EncodeTcpPacket(Addr("192.0.2.1"), Addr("192.168.0.1"), IpFields(), SampleHeader(),
                         payload, "");
}

DecodedPacket DecodeOk(const Bytes& packet) {
  DecodedPacket d;
  std::string error;
  EXPECT_TRUE(DecodePacket(packet.data(), packet.size(), &d, &error)) << error;
  return d;
}

TEST(Encap, GreWithChecksumKeyAndSequenceRoundTrip) {
  Bytes inner = InnerIpv4(10);
  EncapLayer gre = Gre(kGreChecksum | kGreKey | kGreSequence);
  gre.gre_key = 7;
  gre.gre_seq = 0x01020304;  // sum 0: computed
  Bytes packet = Encapsulate({OuterIp("192.168.0.2", "192.168.0.1"), gre}, inner);

  ASSERT_EQ(packet.size(), 20u + 16u + inner.size());
  EXPECT_EQ(packet[9], IPPROTO_GRE);
  EXPECT_EQ(Get16(packet, 2), packet.size());
  EXPECT_EQ(packet[8], 255);  // packetdrill's default TTL
  EXPECT_EQ(Ipv4HeaderChecksum(packet.data(), 20), 0);
  EXPECT_EQ(Get16(packet, 20), 0xb000);
  EXPECT_EQ(Get16(packet, 22), 0x0800);
  EXPECT_NE(Get16(packet, 24), 0);  // the checksum...
  EXPECT_EQ(ChecksumFold(ChecksumAdd(0, packet.data() + 20, packet.size() - 20)), 0);  // ...valid
  EXPECT_EQ(Get16(packet, 26), 0);                                                     // off
  EXPECT_EQ(Get16(packet, 30), 7);                                                     // key
  EXPECT_EQ(Get16(packet, 32), 0x0102);
  EXPECT_EQ(Get16(packet, 34), 0x0304);
  EXPECT_EQ(Bytes(packet.begin() + 36, packet.end()), inner);

  DecodedPacket d = DecodeOk(packet);
  ASSERT_EQ(d.encap.size(), 2u);
  EXPECT_EQ(d.encap[0].kind, EncapLayer::Kind::kIpv4);
  EXPECT_TRUE(d.encap[0].src == Addr("192.168.0.2"));
  EXPECT_EQ(d.encap[0].protocol, IPPROTO_GRE);
  EXPECT_EQ(d.encap[0].length, packet.size());
  EXPECT_EQ(d.encap[0].ihl, 5);
  EXPECT_EQ(d.encap[1].kind, EncapLayer::Kind::kGre);
  EXPECT_EQ(d.encap[1].gre_flags, 0xb000);
  EXPECT_EQ(d.encap[1].gre_proto, 0x0800);
  EXPECT_EQ(d.encap[1].gre_key, 7u);
  EXPECT_EQ(d.encap[1].gre_seq, 0x01020304u);
  EXPECT_TRUE(d.encap[1].gre_checksum_ok);
  // The fields of the packet are the inner one's.
  EXPECT_TRUE(d.src == Addr("192.0.2.1"));
  EXPECT_EQ(d.protocol, IPPROTO_TCP);
  ExpectSameTcp(d.tcp, SampleHeader());
  EXPECT_EQ(d.payload_len, 10u);
}

// packetdrill copies the first gre_len bytes of a struct whose words sit at fixed places, so
// with a key and no checksum its key word carries `sum` and `off`; pktc puts the key there.
TEST(Encap, GreKeyWithoutChecksumIsTheFirstOptionalWord) {
  EncapLayer gre = Gre(kGreKey | kGreSequence);
  gre.gre_sum = 0x1111;
  gre.gre_off = 0x2222;
  gre.gre_key = 7;
  gre.gre_seq = 9;
  Bytes packet = Encapsulate({OuterIp("192.168.0.2", "192.168.0.1"), gre}, InnerIpv4());
  EXPECT_EQ(GreHeaderLength(gre.gre_flags), 12u);
  EXPECT_EQ(Get16(packet, 24), 0);
  EXPECT_EQ(Get16(packet, 26), 7);
  EXPECT_EQ(Get16(packet, 30), 9);
  DecodedPacket d = DecodeOk(packet);
  ASSERT_EQ(d.encap.size(), 2u);
  EXPECT_EQ(d.encap[1].gre_key, 7u);
  EXPECT_EQ(d.encap[1].gre_seq, 9u);
}

TEST(Encap, GreLiteralChecksumIsSentAsWrittenAndDecodedAsWrong) {
  EncapLayer gre = Gre(kGreChecksum);
  gre.gre_sum = 0x1234;
  Bytes packet = Encapsulate({OuterIp("192.168.0.2", "192.168.0.1"), gre}, InnerIpv4());
  EXPECT_EQ(Get16(packet, 24), 0x1234);
  DecodedPacket d = DecodeOk(packet);
  EXPECT_EQ(d.encap[1].gre_sum, 0x1234);
  EXPECT_FALSE(d.encap[1].gre_checksum_ok);
}

// A kernel offloading the inner TCP checksum computes the GRE checksum as if it were filled in
// (local checksum offload); the copy a packet socket sees may still hold the partial sum.
TEST(Encap, GreChecksumIsCheckedAgainstTheCompletedInnerChecksum) {
  Bytes packet =
      Encapsulate({OuterIp("192.168.0.2", "192.168.0.1"), Gre(kGreChecksum)}, InnerIpv4(100));
  const std::size_t tcp_sum = 20 + 8 + 20 + 16;
  packet[tcp_sum] ^= 0x5a;  // "partial" inner checksum
  packet[tcp_sum + 1] ^= 0xa5;
  ASSERT_NE(ChecksumFold(ChecksumAdd(0, packet.data() + 20, packet.size() - 20)), 0);
  DecodedPacket d = DecodeOk(packet);
  EXPECT_TRUE(d.encap[1].gre_checksum_ok);
  // What the completed checksum cannot make up for, such as the inner IP header, still counts.
  packet[20 + 8 + 8] = 1;  // the inner TTL
  EXPECT_FALSE(DecodeOk(packet).encap[1].gre_checksum_ok);
}

TEST(Encap, IpInIpBothWays) {
  Bytes inner6 = EncodeTcpPacket(Addr("fd3d:fa7b:d17d::1"), Addr("fd3d:a0b:17d6::1"), IpFields(),
                                 SampleHeader(), 0, "");
  Bytes sit = Encapsulate({OuterIp("192.168.0.2", "192.168.0.1")}, inner6);
  EXPECT_EQ(sit[9], IPPROTO_IPV6);  // 41
  EXPECT_EQ(Get16(sit, 2), sit.size());
  DecodedPacket d = DecodeOk(sit);
  ASSERT_EQ(d.encap.size(), 1u);
  EXPECT_EQ(d.ip_version, 6);
  EXPECT_TRUE(d.src == Addr("fd3d:fa7b:d17d::1"));

  EncapLayer outer6 = OuterIp("fd3d:a0b:17d6::2", "fd3d:a0b:17d6::1");
  outer6.tos = 0x10;
  outer6.ttl = 64;
  Bytes ip4in6 = Encapsulate({outer6}, InnerIpv4());
  EXPECT_EQ(ip4in6[0] >> 4, 6);
  EXPECT_EQ(ip4in6[6], IPPROTO_IPIP);  // 4
  EXPECT_EQ(ip4in6[7], 64);
  EXPECT_EQ(Get16(ip4in6, 4), ip4in6.size() - 40);
  d = DecodeOk(ip4in6);
  ASSERT_EQ(d.encap.size(), 1u);
  EXPECT_EQ(d.encap[0].kind, EncapLayer::Kind::kIpv6);
  EXPECT_EQ(d.encap[0].tos, 0x10);
  EXPECT_EQ(d.encap[0].ttl, 64);
  EXPECT_EQ(d.encap[0].length, ip4in6.size() - 40);
  EXPECT_EQ(d.ip_version, 4);
  EXPECT_TRUE(d.ipv4_checksum_ok);
}

TEST(Encap, MplsStackOverGreAndInIp) {
  std::vector<std::uint32_t> stack = {MplsEntry(100, 0, false, 64), MplsEntry(200, 7, true, 1)};
  Bytes gre = Encapsulate({OuterIp("192.168.0.2", "192.168.0.1"), Gre(), Mpls(stack)}, InnerIpv4());
  EXPECT_EQ(Get16(gre, 22), 0x8847);
  EXPECT_EQ(Get16(gre, 24), 100 >> 4);  // label 100 in the top 20 bits
  EXPECT_EQ(gre[31], 1);                // the bottom entry's TTL
  DecodedPacket d = DecodeOk(gre);
  ASSERT_EQ(d.encap.size(), 3u);
  EXPECT_EQ(d.encap[2].kind, EncapLayer::Kind::kMpls);
  EXPECT_EQ(d.encap[2].mpls, stack);
  EXPECT_EQ(d.protocol, IPPROTO_TCP);

  // MPLS in IP is protocol 137 (RFC 4023); packetdrill writes 0.
  Bytes in_ip = Encapsulate({OuterIp("192.168.0.2", "192.168.0.1"), Mpls(stack)}, InnerIpv4());
  EXPECT_EQ(in_ip[9], 137);
  d = DecodeOk(in_ip);
  ASSERT_EQ(d.encap.size(), 2u);
  EXPECT_EQ(d.encap[1].mpls, stack);
}

// The stack ends at its bottom-of-stack bit, as written: without one, the decoder reads on into
// the inner packet, as packetdrill's parse_mpls() does.
TEST(Encap, MplsStackWithoutBottomBitRunsIntoThePacket) {
  Bytes packet = Encapsulate(
      {OuterIp("192.168.0.2", "192.168.0.1"), Gre(), Mpls({MplsEntry(100, 0, false, 64)})},
      InnerIpv4());
  EXPECT_EQ(packet[20 + 4 + 2] & 1, 0);
  DecodedPacket d;
  std::string error;
  // Either the entries run out with no IP packet after them, or a word of the inner IP header
  // happens to have the bit: never the one-entry stack the script wrote.
  bool decoded = DecodePacket(packet.data(), packet.size(), &d, &error);
  EXPECT_TRUE(!decoded || (d.encap.size() == 3 && d.encap[2].mpls.size() > 1));
}

TEST(Encap, ToStringAsPacketdrillPrints) {
  EncapLayer gre = Gre(kGreKey | kGreSequence);
  gre.gre_proto = 0x0800;
  gre.gre_key = 0x11112222;
  gre.gre_seq = 7;
  EXPECT_EQ(EncapToString({OuterIp("192.168.0.2", "192.168.0.1"), gre}),
            "ipv4 192.168.0.2 > 192.168.0.1: gre flags 0x3000 proto 0x0800 key 0x11112222 seq "
            "0x7: ");
  EXPECT_EQ(EncapToString({Mpls({MplsEntry(100, 0, true, 64), MplsEntry(5, 1, false, 0)})}),
            "mpls (label 100, tc 0, [S], ttl 64) (label 5, tc 1, ttl 0): ");
  EXPECT_EQ(EncapToString({}), "");
}

TEST(Encap, LayersOfTheScriptsHeaders) {
  std::vector<EncapHeader> headers = {
      encap::Ipv6("fd3d:a0b:17d6::2", "fd3d:a0b:17d6::1", {.tos = 0x02, .ttl = 9}),
      encap::Gre({.flags = 0x2000, .key = 5}),
      encap::Mpls({{.label = 16, .tc = 3, .bottom = true, .ttl = 2}})};
  std::vector<EncapLayer> layers = EncapLayersOf(headers, 4);
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0].kind, EncapLayer::Kind::kIpv6);
  EXPECT_TRUE(layers[0].src == Addr("fd3d:a0b:17d6::2"));
  EXPECT_EQ(layers[0].tos, 0x02);
  EXPECT_EQ(layers[0].ttl, 9);
  EXPECT_EQ(layers[0].protocol, IPPROTO_GRE);
  EXPECT_EQ(layers[1].gre_proto, 0x8847);
  EXPECT_EQ(layers[1].gre_key, 5u);
  EXPECT_EQ(layers[2].mpls, std::vector<std::uint32_t>{MplsEntry(16, 3, true, 2)});
  EXPECT_EQ(EncapLayersOf({encap::Gre()}, 6)[0].gre_proto, 0x86dd);
}

TEST(EncapMalformed, GreVersionRoutingAndUnknownProtocol) {
  Bytes packet = Encapsulate({OuterIp("192.168.0.2", "192.168.0.1"), Gre()}, InnerIpv4());
  Bytes version = packet;
  version[21] = 1;
  ExpectRejected(version, "GRE header has unsupported version number");
  Bytes routing = packet;
  routing[20] = 0x40;
  ExpectRejected(routing, "GRE header has unsupported routing info");
  Bytes unknown = packet;
  unknown[22] = 0x65;  // 0x6558, transparent Ethernet bridging
  unknown[23] = 0x58;
  ExpectRejected(unknown, "encapsulated protocol");
  Bytes truncated(packet.begin(), packet.begin() + 22);
  truncated[3] = 22;
  truncated[10] = truncated[11] = 0;
  ExpectRejected(truncated, "truncated GRE header");
}

TEST(EncapMalformed, TooManyHeadersAndOverflowingMpls) {
  Bytes packet = InnerIpv4();
  for (int i = 0; i < 5; ++i) packet = Encapsulate({OuterIp("10.0.0.2", "10.0.0.1")}, packet);
  ExpectRejected(packet, "too many nested headers");
  Bytes mpls = Encapsulate({OuterIp("192.168.0.2", "192.168.0.1"), Gre()}, {0x00, 0x06, 0x40});
  mpls[22] = 0x88;
  mpls[23] = 0x47;
  ExpectRejected(mpls, "MPLS stack entry overflows packet");
}

// ---------------------------------------------------------------------------------------------
// Options

TEST(TcpOptions, ParseSplitsEveryKind) {
  Bytes block =
      Block({opt::Mss(1460), opt::SackOk(), opt::Timestamp(700, 100), opt::Nop(), opt::WScale(7)});
  std::vector<ParsedOption> parsed;
  ASSERT_TRUE(ParseTcpOptions(block, &parsed));
  ASSERT_EQ(parsed.size(), 5u);
  EXPECT_EQ(parsed[0].kind, 2);
  EXPECT_EQ(parsed[0].bytes, (Bytes{2, 4, 0x05, 0xb4}));
  EXPECT_EQ(parsed[1].kind, 4);
  EXPECT_EQ(parsed[1].bytes, (Bytes{4, 2}));
  EXPECT_EQ(parsed[2].kind, 8);
  EXPECT_EQ(parsed[2].bytes, (Bytes{8, 10, 0, 0, 0x02, 0xbc, 0, 0, 0, 100}));
  EXPECT_EQ(parsed[3].kind, 1);
  EXPECT_EQ(parsed[3].bytes, (Bytes{1}));
  EXPECT_EQ(parsed[4].kind, 3);
  EXPECT_EQ(parsed[4].bytes, (Bytes{3, 3, 7}));
}

TEST(TcpOptions, ParseEmptyBlock) {
  std::vector<ParsedOption> parsed = {{1, {1}}};
  EXPECT_TRUE(ParseTcpOptions({}, &parsed));
  EXPECT_TRUE(parsed.empty());
  EXPECT_EQ(TcpOptionsToString({}), "");
}

TEST(TcpOptions, ParseRejectsMalformedLengths) {
  std::vector<ParsedOption> parsed;
  EXPECT_FALSE(ParseTcpOptions({2, 1, 0, 0}, &parsed));     // length below 2
  EXPECT_FALSE(ParseTcpOptions({2, 0}, &parsed));           // length 0
  EXPECT_FALSE(ParseTcpOptions({2, 8, 5, 0xb4}, &parsed));  // runs past the block
  EXPECT_FALSE(ParseTcpOptions({1, 1, 1, 2}, &parsed));     // kind without a length byte
  EXPECT_TRUE(Contains(TcpOptionsToString({1, 1, 2, 8}), "malformed"));
}

TEST(TcpOptions, ToStringLinuxSynOptions) {
  EXPECT_EQ(TcpOptionsToString(Block({opt::Mss(1460), opt::SackOk(), opt::Timestamp(700, 100),
                                      opt::Nop(), opt::WScale(7)})),
            "mss 1460,sackOK,TS val 700 ecr 100,nop,wscale 7");
}

TEST(TcpOptions, ToStringSackBlocks) {
  EXPECT_EQ(TcpOptionsToString(Block({opt::Nop(), opt::Nop(), opt::Sack({1, 1001})})),
            "nop,nop,sack 1:1001");
  EXPECT_EQ(TcpOptionsToString(Block({opt::Nop(), opt::Nop(), opt::Sack({1, 1001, 2001, 3001})})),
            "nop,nop,sack 1:1001 2001:3001");
  EXPECT_EQ(TcpOptionsToString(
                Block({opt::Nop(), opt::Nop(), opt::Sack({4294967295u, 10, 20, 30, 40, 50})})),
            "nop,nop,sack 4294967295:10 20:30 40:50");
}

TEST(TcpOptions, ToStringTimestampExtremes) {
  EXPECT_EQ(TcpOptionsToString(Block({opt::Nop(), opt::Nop(), opt::Timestamp(0, 4294967295u)})),
            "nop,nop,TS val 0 ecr 4294967295");
}

TEST(TcpOptions, ToStringMd5) {
  EXPECT_EQ(TcpOptionsToString(Block({opt::Md5({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                                0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}),
                                      opt::Nop(), opt::Nop()})),
            "md5 00112233445566778899aabbccddeeff,nop,nop");
}

TEST(TcpOptions, ToStringFastOpen) {
  EXPECT_EQ(
      TcpOptionsToString(Block({opt::FastOpen({0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb}),
                                opt::Nop(), opt::Nop()})),
      "FO 3021b9d889017eeb,nop,nop");
  EXPECT_EQ(TcpOptionsToString(Block({opt::FastOpenExp({0xde, 0xad, 0xbe, 0xef})})),
            "FOEXP deadbeef");
  // A cookie request: the option with no cookie.
  std::string empty = TcpOptionsToString(Block({opt::FastOpen({}), opt::Nop(), opt::Nop()}));
  EXPECT_EQ(empty.rfind("FO", 0), 0u) << empty;
}

TEST(TcpOptions, ToStringEolAndUnknownKinds) {
  EXPECT_EQ(TcpOptionsToString({1, 0, 0, 0}), "nop,eol,eol,eol");
  EXPECT_EQ(TcpOptionsToString({30, 4, 0xab, 0xcd}), "kind 30 len 4");
  EXPECT_EQ(TcpOptionsToString({99, 2, 1, 1}), "kind 99 len 2,nop,nop");
  // AccECN options have no dedicated printer yet: shown as unknown kinds.
  EXPECT_EQ(TcpOptionsToString({172, 5, 0, 0, 1, 1}), "kind 172 len 5,nop");
}

TEST(TcpOptions, ToStringFlagsBadLengths) {
  EXPECT_EQ(TcpOptionsToString({2, 3, 5, 1}), "mss(bad length),nop");
  EXPECT_EQ(TcpOptionsToString({3, 4, 7, 0}), "wscale(bad length)");
  EXPECT_EQ(TcpOptionsToString({8, 6, 0, 0, 0, 1, 1, 1}), "TS(bad length),nop,nop");
  EXPECT_EQ(TcpOptionsToString({254, 3, 0xf9, 1}), "FOEXP(bad length),nop");
}

// ---------------------------------------------------------------------------------------------
// Flags and whole segments

TEST(TcpFlags, ToStringAsScriptsWriteThem) {
  EXPECT_EQ(TcpFlagsToString(kSyn), "S");
  EXPECT_EQ(TcpFlagsToString(kSyn | kAck), "S.");
  EXPECT_EQ(TcpFlagsToString(kPsh | kAck), "P.");
  EXPECT_EQ(TcpFlagsToString(kFin | kAck), "F.");
  EXPECT_EQ(TcpFlagsToString(kRst | kAck), "R.");
  EXPECT_EQ(TcpFlagsToString(kRst), "R");
  EXPECT_EQ(TcpFlagsToString(kAck), ".");
  EXPECT_EQ(TcpFlagsToString(0), "-");
  EXPECT_EQ(TcpFlagsToString(kSyn | kEce | kCwr), "SEW");
  EXPECT_EQ(TcpFlagsToString(kSyn | kEce | kCwr | kAe), "SEWA");
  EXPECT_EQ(TcpFlagsToString(kUrg | kAck), "U.");
  EXPECT_EQ(TcpFlagsToString(kFin | kSyn | kRst | kPsh | kAck | kUrg | kEce | kCwr | kAe),
            "FSRPUEWA.");
}

TEST(TcpSegmentString, ScriptSyntax) {
  TcpHeader tcp;
  tcp.flags = kSyn | kAck;
  tcp.ack = 1;
  tcp.win = 5792;
  tcp.options = Block({opt::Mss(1460)});
  EXPECT_EQ(TcpSegmentToString(tcp, 0, true), "S. 0:0(0) ack 1 win 5792 <mss 1460>");
  EXPECT_EQ(TcpSegmentToString(tcp, 0, false), "S. 0:0(0) ack 1 <mss 1460>");

  TcpHeader data;
  data.flags = kPsh | kAck;
  data.seq = 1;
  data.ack = 1;
  data.urg = 5;
  EXPECT_EQ(TcpSegmentToString(data, 1000, false), "P. 1:1001(1000) ack 1 urg 5");

  TcpHeader syn;
  syn.flags = kSyn;
  syn.win = 65535;
  EXPECT_EQ(TcpSegmentToString(syn, 0, true), "S 0:0(0) win 65535");

  TcpHeader wrap;
  wrap.flags = kAck;
  wrap.seq = 4294967295u;
  EXPECT_EQ(TcpSegmentToString(wrap, 2, false), ". 4294967295:1(2) ack 0");
}

// ---------------------------------------------------------------------------------------------
// TCP-MD5 (RFC 2385)

// RFC 2385 section 2.0: MD5 over, in order, (1) the TCP pseudo-header (source address,
// destination address, zero-padded protocol, segment length), (2) the TCP header without
// options and with a zero checksum, (3) the segment data, (4) the key. For IPv6 the
// pseudo-header is RFC 8200's (addresses, 32-bit length, three zero bytes, next header), as
// Linux uses. Computed from the bytes of an encoded packet.
std::array<std::uint8_t, 16> Rfc2385Digest(const Bytes& packet, const std::string& key) {
  const bool v6 = packet[0] >> 4 == 6;
  const std::size_t ip_len = v6 ? 40 : (packet[0] & 0xf) * 4u;
  const std::size_t addr_len = v6 ? 16 : 4;
  const std::size_t addr_at = v6 ? 8 : 12;
  const std::uint8_t* segment = packet.data() + ip_len;
  const std::size_t segment_len = packet.size() - ip_len;
  const std::size_t data_offset = (segment[12] >> 4) * 4u;

  Bytes input(packet.begin() + addr_at, packet.begin() + addr_at + 2 * addr_len);
  if (v6) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      input.push_back(static_cast<std::uint8_t>(segment_len >> shift));
    }
    input.insert(input.end(), {0, 0, 0, IPPROTO_TCP});
  } else {
    input.insert(input.end(), {0, IPPROTO_TCP, static_cast<std::uint8_t>(segment_len >> 8),
                               static_cast<std::uint8_t>(segment_len)});
  }
  Bytes header(segment, segment + 20);
  header[16] = header[17] = 0;
  input.insert(input.end(), header.begin(), header.end());
  input.insert(input.end(), segment + data_offset, segment + segment_len);
  input.insert(input.end(), key.begin(), key.end());

  Md5 md5;
  md5.Update(input.data(), input.size());
  return md5.Final();
}

// Where the 16 digest bytes of the first md5 option sit in `packet` (0 if none).
std::size_t DigestOffset(const Bytes& packet) {
  const std::size_t ip_len = packet[0] >> 4 == 6 ? 40 : (packet[0] & 0xf) * 4u;
  const std::size_t data_offset = (packet[ip_len + 12] >> 4) * 4u;
  for (std::size_t i = ip_len + 20; i < ip_len + data_offset;) {
    if (packet[i] <= 1) {
      ++i;
      continue;
    }
    if (packet[i] == 19 && packet[i + 1] == 18) return i + 2;
    i += packet[i + 1];
  }
  return 0;
}

Bytes DigestIn(const Bytes& packet) {
  std::size_t at = DigestOffset(packet);
  EXPECT_NE(at, 0u) << "no md5 option";
  if (at == 0) return {};
  return Bytes(packet.begin() + at, packet.begin() + at + 16);
}

TcpHeader Md5Header() {
  TcpHeader tcp;
  tcp.src_port = 51234;
  tcp.dst_port = 8080;
  tcp.seq = 1000;
  tcp.ack = 2000;
  tcp.flags = kPsh | kAck;
  tcp.win = 502;
  // md5 first, then options that the signature must not cover.
  tcp.options = Block({opt::Md5({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), opt::Nop(),
                       opt::Nop(), opt::Nop(), opt::Nop(), opt::Timestamp(1, 2)});
  return tcp;
}

TEST(TcpMd5, Ipv4SignatureMatchesRfc2385) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  Bytes packet = EncodeTcpPacket(src, dst, IpFields(), Md5Header(), 10, "pktc-secret");
  std::array<std::uint8_t, 16> want = Rfc2385Digest(packet, "pktc-secret");
  EXPECT_EQ(DigestIn(packet), Bytes(want.begin(), want.end()));
  EXPECT_NE(DigestIn(packet), Bytes(16, 0));
  // The TCP checksum is computed after signing, so it covers the digest.
  EXPECT_EQ(TransportChecksum(src.bytes, dst.bytes, 4, IPPROTO_TCP, packet.data() + 20,
                              packet.size() - 20),
            0);
  EXPECT_EQ(Ipv4HeaderChecksum(packet.data(), 20), 0);
}

TEST(TcpMd5, Ipv6SignatureMatchesRfc2385) {
  const IpAddress src = Addr("fd3d:fa7b:d17d::1"), dst = Addr("fd3d:a0b:17d6::1");
  Bytes packet = EncodeTcpPacket(src, dst, IpFields(), Md5Header(), 33, "k");
  std::array<std::uint8_t, 16> want = Rfc2385Digest(packet, "k");
  EXPECT_EQ(DigestIn(packet), Bytes(want.begin(), want.end()));
  EXPECT_EQ(TransportChecksum(src.bytes, dst.bytes, 16, IPPROTO_TCP, packet.data() + 40,
                              packet.size() - 40),
            0);
}

TEST(TcpMd5, SignTcpMd5DirectlyOnASegment) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  Bytes packet = EncodeTcpPacket(src, dst, IpFields(), Md5Header(), 4, "");
  EXPECT_EQ(DigestIn(packet), Bytes(16, 0));  // no key: the digest is left as written
  SignTcpMd5(src, dst, packet.data() + 20, packet.size() - 20, "another key");
  std::array<std::uint8_t, 16> want = Rfc2385Digest(packet, "another key");
  EXPECT_EQ(DigestIn(packet), Bytes(want.begin(), want.end()));
}

TEST(TcpMd5, OptionsAndChecksumAreNotCovered) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  TcpHeader a = Md5Header();
  TcpHeader b = Md5Header();
  b.options = Block({opt::Md5({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}), opt::Nop(),
                     opt::Nop(), opt::Nop(), opt::Nop(), opt::Timestamp(0xdeadbeef, 0xfeedface)});
  Bytes pa = EncodeTcpPacket(src, dst, IpFields(), a, 10, "key");
  Bytes pb = EncodeTcpPacket(src, dst, IpFields(), b, 10, "key");
  EXPECT_EQ(DigestIn(pa), DigestIn(pb));
  // The TCP checksums differ (the TS values do), so the checksum is excluded too.
  EXPECT_NE(Get16(pa, 36), Get16(pb, 36));
}

TEST(TcpMd5, KeyHeaderAndPayloadAreCovered) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  const Bytes base = DigestIn(EncodeTcpPacket(src, dst, IpFields(), Md5Header(), 10, "key"));
  EXPECT_NE(DigestIn(EncodeTcpPacket(src, dst, IpFields(), Md5Header(), 10, "kez")), base);
  EXPECT_NE(DigestIn(EncodeTcpPacket(src, dst, IpFields(), Md5Header(), 11, "key")), base);
  TcpHeader other = Md5Header();
  other.win = 503;
  EXPECT_NE(DigestIn(EncodeTcpPacket(src, dst, IpFields(), other, 10, "key")), base);
  EXPECT_NE(DigestIn(EncodeTcpPacket(dst, src, IpFields(), Md5Header(), 10, "key")), base);
}

TEST(TcpMd5, NoMd5OptionMeansNothingToSign) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  TcpHeader tcp = SampleHeader();
  Bytes with_key = EncodeTcpPacket(src, dst, IpFields(), tcp, 10, "key");
  Bytes without = EncodeTcpPacket(src, dst, IpFields(), tcp, 10, "");
  EXPECT_EQ(with_key, without);
  // A short (negative-test) md5 option is not a signature slot either.
  tcp.options = Block({opt::Md5({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), opt::Nop(), opt::Nop()});
  EXPECT_EQ(EncodeTcpPacket(src, dst, IpFields(), tcp, 10, "key"),
            EncodeTcpPacket(src, dst, IpFields(), tcp, 10, ""));
}

// An md5 option that claims 18 bytes where the options end after 2: VerifyTcpMd5 re-signed the
// segment by writing a digest 16 bytes past the option into a copy no longer than the segment
// (ASan: heap-buffer-overflow in SignTcpMd5). No signature slot, no signature.
TEST(TcpMd5, TruncatedMd5OptionIsNotASignatureSlot) {
  const IpAddress src = Addr("192.0.2.1"), dst = Addr("192.168.0.1");
  TcpHeader tcp = SampleHeader();
  tcp.options = {1, 1, 19, 18};
  const Bytes packet = EncodeTcpPacket(src, dst, IpFields(), tcp, 0, "pktc-md5-key");
  ASSERT_EQ(packet.size(), 44u);
  EXPECT_FALSE(VerifyTcpMd5(packet.data(), packet.size(), "pktc-md5-key"));
  Bytes segment(packet.begin() + 20, packet.end());
  const Bytes before = segment;
  SignTcpMd5(src, dst, segment.data(), segment.size(), "pktc-md5-key");
  EXPECT_EQ(segment, before);
}

// Packets the Linux kernel (6.18) signed with TCP_MD5SIG key "pktc-md5-key", captured on the
// loopback device of a private network namespace. (Loopback leaves TCP checksums partial; the
// signature does not cover them.) Zeroing each digest and re-signing must give the kernel's.
struct KernelVector {
  const char* name;
  const char* src;
  const char* dst;
  const char* packet_hex;
};
const KernelVector kKernelVectors[] = {
    {"ipv4 SYN", "127.0.0.1", "127.0.0.1",
     "45000048a3ee4000400698bf7f0000017f0000019c401f90b68cdbc600000000d002ffd7fe3c000001011312"
     "501104ea54bb6ab9b81732f3d26254b20204ffd7010104020103030a"},
    {"ipv4 SYN-ACK", "127.0.0.1", "127.0.0.1",
     "450000480000400040063cae7f0000017f0000011f909c405920e2cfb68cdbc7d012ffd7fe3c000001011312"
     "67c74f07e3f11fd270b68ec3c60842980204ffd7010104020103030a"},
    {"ipv4 data", "127.0.0.1", "127.0.0.1",
     "45000046a3f04000400698bf7f0000017f0000019c401f90b68cdbc75920e2d0a0180040fe3a000001011312"
     "e465b2e145100f7e7277f2e14fd5320668656c6c6f2c206d6435"},
    {"ipv6 SYN", "::1", "::1",
     "600796280034064000000000000000000000000000000001000000000000000000000000000000019c401f90"
     "7ed5e9f800000000d002ffc4003c000001011312b35728f5f43f72052739d21848776a770204ffc401010402"
     "0103030a"},
    {"ipv6 ACK", "::1", "::1",
     "600796280028064000000000000000000000000000000001000000000000000000000000000000019c401f90"
     "7ed5e9f9cabcc89fa010004000300000010113125515b82b60eadb0a19918c258f167e74"},
    {"ipv6 data", "::1", "::1",
     "600796280032064000000000000000000000000000000001000000000000000000000000000000019c401f90"
     "7ed5e9f9cabcc89fa0180040003a000001011312e3bf45b21a37b3cd85052be56a689b5168656c6c6f2c206d"
     "6435"},
};

TEST(TcpMd5, MatchesLinuxKernelSignatures) {
  for (const KernelVector& v : kKernelVectors) {
    SCOPED_TRACE(v.name);
    Bytes packet = FromHex(v.packet_hex);
    const std::size_t ip_len = packet[0] >> 4 == 6 ? 40 : 20;
    const std::size_t at = DigestOffset(packet);
    ASSERT_NE(at, 0u);
    const Bytes kernel_digest(packet.begin() + at, packet.begin() + at + 16);

    // The independent computation agrees with the kernel...
    std::array<std::uint8_t, 16> reference = Rfc2385Digest(packet, "pktc-md5-key");
    EXPECT_EQ(Bytes(reference.begin(), reference.end()), kernel_digest);

    // ...and so does SignTcpMd5 on the segment with its digest cleared.
    std::fill(packet.begin() + at, packet.begin() + at + 16, 0);
    SignTcpMd5(Addr(v.src), Addr(v.dst), packet.data() + ip_len, packet.size() - ip_len,
               "pktc-md5-key");
    EXPECT_EQ(Bytes(packet.begin() + at, packet.begin() + at + 16), kernel_digest);
  }
}

// ---------------------------------------------------------------------------------------------
// Whatever the kernel hands the runtime: every parser over every truncation and every single-byte
// change of valid packets must stay inside the bytes it was given. The checks here are weak on
// purpose (no crash, consistent answers); the sanitized unit build (PKTC_SANITIZE) is what
// notices a read or write outside the packet.

// Everything the runtime does with an outbound packet from the TUN device.
void ParseEverything(const Bytes& packet) {
  // A copy of exactly the given size, so that ASan sees any access past its end.
  std::vector<std::uint8_t> exact(packet);
  DecodedPacket d;
  std::string error;
  if (!DecodePacket(exact.data(), exact.size(), &d, &error)) {
    EXPECT_FALSE(error.empty());
    return;
  }
  VerifyTcpMd5(exact.data(), exact.size(), "pktc-md5-key");
  std::vector<ParsedOption> parsed;
  if (ParseTcpOptions(d.tcp.options, &parsed)) {
    std::size_t total = 0;
    for (const ParsedOption& o : parsed) total += o.bytes.size();
    EXPECT_EQ(total, d.tcp.options.size());
  }
  EXPECT_EQ(TcpOptionsToString(d.tcp.options).empty(), d.tcp.options.empty());
  EXPECT_FALSE(TcpSegmentToString(d.tcp, d.payload_len, true).empty());
}

std::vector<Bytes> MutationSeeds() {
  const IpAddress v4a = Addr("192.0.2.1"), v4b = Addr("192.168.0.1");
  const IpAddress v6a = Addr("fd3d:fa7b:d17d::1"), v6b = Addr("fd3d:a0b:17d6::1");
  TcpHeader sack = SampleHeader();
  sack.options = Block({opt::Nop(), opt::Nop(), opt::Sack({1, 2, 3, 4, 5, 6})});
  TcpHeader fastopen = SampleHeader();
  fastopen.options = Block({opt::FastOpen({1, 2, 3, 4, 5, 6, 7, 8}), opt::Nop(), opt::Nop()});
  return {
      EncodeTcpPacket(v4a, v4b, IpFields(), SampleHeader(), 5, ""),
      EncodeTcpPacket(v6a, v6b, IpFields(), SampleHeader(), 5, ""),
      EncodeTcpPacket(v4a, v4b, IpFields(), Md5Header(), 3, "pktc-md5-key"),
      EncodeTcpPacket(v6a, v6b, IpFields(), Md5Header(), 0, "pktc-md5-key"),
      EncodeTcpPacket(v4a, v4b, IpFields(), sack, 0, ""),
      EncodeTcpPacket(v6a, v6b, IpFields(), fastopen, 2, ""),
      EncodeUdpPacket(v4a, v4b, IpFields(), 53, 5353, 4),
      EncodeIcmpPacket(v6a, v6b, IpFields(), 2, 0, 1280, Bytes(48, 0)),
  };
}

TEST(PacketMutations, EveryTruncationStaysInBounds) {
  for (const Bytes& seed : MutationSeeds()) {
    for (std::size_t len = 0; len <= seed.size(); ++len) {
      ParseEverything(Bytes(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(len)));
    }
  }
}

TEST(PacketMutations, EverySingleByteChangeStaysInBounds) {
  // Values that are lengths, option kinds and offsets somewhere in a header.
  const std::uint8_t kValues[] = {0x00, 0x01, 0x02, 0x04, 0x05, 0x08, 0x0a, 0x12, 0x13,
                                  0x22, 0x40, 0x45, 0x4f, 0x50, 0x60, 0xf0, 0xfe, 0xff};
  for (const Bytes& seed : MutationSeeds()) {
    for (std::size_t at = 0; at < seed.size(); ++at) {
      for (std::uint8_t value : kValues) {
        Bytes mutated = seed;
        mutated[at] = value;
        ParseEverything(mutated);
      }
    }
  }
}

}  // namespace
}  // namespace pktc::rt
