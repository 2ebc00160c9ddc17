// Unit tests for runtime/net/checksum.h: RFC 1071 arithmetic, IPv4 header checksums and the TCP
// checksum with its IPv4 and IPv6 pseudo-headers, checked against a reference written here.

#include "net/checksum.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pktc::rt {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Reference one's-complement checksum of `data` (zero-padded to even length), summing 16-bit
// big-endian words in 64 bits and folding at the end, as RFC 1071 section 4.1 describes.
std::uint16_t ReferenceChecksum(const Bytes& data) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < data.size(); i += 2) {
    std::uint16_t hi = data[i];
    std::uint16_t lo = i + 1 < data.size() ? data[i + 1] : 0;
    sum += static_cast<std::uint16_t>(hi << 8 | lo);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

// A TCP segment: 20-byte header (checksum zero), then `options`, then `payload`.
Bytes MakeSegment(const Bytes& options, const Bytes& payload) {
  Bytes s = {0x1f, 0x90, 0x9c, 0x40,  // ports 8080 -> 40000
             0x00, 0x00, 0x00, 0x01,  // seq
             0x00, 0x00, 0x00, 0x00,  // ack
             0x00, 0x18,              // data offset filled below, PSH|ACK
             0x01, 0x00,              // window 256
             0x00, 0x00,              // checksum
             0x00, 0x00};             // urgent pointer
  s[12] = static_cast<std::uint8_t>((20 + options.size()) / 4 << 4);
  s.insert(s.end(), options.begin(), options.end());
  s.insert(s.end(), payload.begin(), payload.end());
  return s;
}

// The IPv4 pseudo-header followed by the segment, as RFC 793 defines it.
Bytes Ipv4PseudoAndSegment(const Bytes& src, const Bytes& dst, const Bytes& segment) {
  Bytes out = src;
  out.insert(out.end(), dst.begin(), dst.end());
  out.push_back(0);
  out.push_back(6);
  out.push_back(static_cast<std::uint8_t>(segment.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(segment.size()));
  out.insert(out.end(), segment.begin(), segment.end());
  return out;
}

// The IPv6 pseudo-header (RFC 8200 section 8.1) followed by the segment.
Bytes Ipv6PseudoAndSegment(const Bytes& src, const Bytes& dst, const Bytes& segment) {
  Bytes out = src;
  out.insert(out.end(), dst.begin(), dst.end());
  std::uint32_t len = static_cast<std::uint32_t>(segment.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(len >> shift));
  out.insert(out.end(), {0, 0, 0, 6});
  out.insert(out.end(), segment.begin(), segment.end());
  return out;
}

void StoreChecksum(Bytes& segment, std::uint16_t sum) {
  segment[16] = static_cast<std::uint8_t>(sum >> 8);
  segment[17] = static_cast<std::uint8_t>(sum);
}

const Bytes kIpv4Src = {192, 0, 2, 1};
const Bytes kIpv4Dst = {192, 168, 0, 1};
const Bytes kIpv6Src = {0xfd, 0x3d, 0xfa, 0x7b, 0xd1, 0x7d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const Bytes kIpv6Dst = {0xfd, 0x3d, 0x0a, 0x0b, 0x17, 0xd6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

TEST(Checksum, Rfc1071NumericalExample) {
  // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0x2ddf0, which folds to
  // 0xddf2; the checksum is its complement.
  const Bytes data = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(ChecksumAdd(0, data.data(), data.size()), 0x2ddf0u);
  EXPECT_EQ(ChecksumFold(0x2ddf0), 0x220d);
  EXPECT_EQ(ChecksumFold(ChecksumAdd(0, data.data(), data.size())), 0x220d);
}

TEST(Checksum, Rfc1071IncrementalSumsAddUp) {
  // RFC 1071 section 2(B): the sum may be computed in parts and the parts added.
  const Bytes data = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  std::uint32_t sum = ChecksumAdd(0, data.data(), 2);
  sum = ChecksumAdd(sum, data.data() + 2, 4);
  sum = ChecksumAdd(sum, data.data() + 6, 2);
  EXPECT_EQ(sum, 0x2ddf0u);
  EXPECT_EQ(ChecksumFold(sum), 0x220d);
}

TEST(Checksum, FoldHandlesRepeatedCarries) {
  EXPECT_EQ(ChecksumFold(0), 0xffff);
  EXPECT_EQ(ChecksumFold(0xffff), 0x0000);
  // 0x1fffe -> 0xfffe + 1 = 0xffff -> complement 0.
  EXPECT_EQ(ChecksumFold(0x1fffe), 0x0000);
  // 0xffffffff -> 0xffff + 0xffff = 0x1fffe -> 0xffff -> complement 0.
  EXPECT_EQ(ChecksumFold(0xffffffffu), 0x0000);
  EXPECT_EQ(ChecksumFold(0x12345), ~(0x2345 + 0x1) & 0xffff);
}

TEST(Checksum, OddLengthPadsWithZeroByte) {
  const Bytes one = {0xab};
  EXPECT_EQ(ChecksumAdd(0, one.data(), 1), 0xab00u);
  const Bytes three = {0x01, 0x02, 0x03};
  EXPECT_EQ(ChecksumAdd(0, three.data(), 3), 0x0102u + 0x0300u);
  EXPECT_EQ(ChecksumFold(ChecksumAdd(0, three.data(), 3)), ReferenceChecksum(three));
  EXPECT_EQ(ChecksumAdd(7, one.data(), 0), 7u);
}

TEST(Checksum, MatchesReferenceOnManyLengths) {
  Bytes data;
  for (int len = 0; len < 300; ++len) {
    EXPECT_EQ(ChecksumFold(ChecksumAdd(0, data.data(), data.size())), ReferenceChecksum(data))
        << "length " << len;
    data.push_back(static_cast<std::uint8_t>(len * 37 + 11));
  }
}

TEST(Checksum, Ipv4HeaderOfKnownPacket) {
  // A UDP packet from 192.168.0.1 to 192.168.0.199 whose header checksum is 0xb861.
  Bytes header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(Ipv4HeaderChecksum(header.data(), header.size()), 0xb861);
  // With the checksum in place the header verifies: the checksum over it is zero.
  header[10] = 0xb8;
  header[11] = 0x61;
  EXPECT_EQ(Ipv4HeaderChecksum(header.data(), header.size()), 0);
}

TEST(Checksum, Ipv4HeaderOfKnownTcpPacket) {
  // 172.16.10.99 -> 172.16.10.12, TCP, total length 60: checksum 0xb1e6.
  Bytes header = {0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
                  0x00, 0x00, 0xac, 0x10, 0x0a, 0x63, 0xac, 0x10, 0x0a, 0x0c};
  EXPECT_EQ(Ipv4HeaderChecksum(header.data(), header.size()), 0xb1e6);
  header[10] = 0xb1;
  header[11] = 0xe6;
  EXPECT_EQ(Ipv4HeaderChecksum(header.data(), header.size()), 0);
  // A corrupted byte no longer verifies.
  header[8] = 0x3f;
  EXPECT_NE(Ipv4HeaderChecksum(header.data(), header.size()), 0);
}

TEST(Checksum, Ipv4HeaderWithOptions) {
  // IHL 6: four bytes of IP options (NOPs) are covered by the header checksum.
  Bytes header = {0x46, 0x00, 0x00, 0x18, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00,
                  0xc0, 0x00, 0x02, 0x01, 0xc0, 0xa8, 0x00, 0x01, 0x01, 0x01, 0x01, 0x00};
  std::uint16_t sum = Ipv4HeaderChecksum(header.data(), header.size());
  EXPECT_EQ(sum, ReferenceChecksum(header));
  header[10] = static_cast<std::uint8_t>(sum >> 8);
  header[11] = static_cast<std::uint8_t>(sum);
  EXPECT_EQ(Ipv4HeaderChecksum(header.data(), header.size()), 0);
}

TEST(Checksum, TcpOverIpv4MatchesReferenceAndVerifies) {
  Bytes segment =
      MakeSegment({0x01, 0x01, 0x08, 0x0a, 0, 0, 0x02, 0xbc, 0, 0, 0, 0x64}, Bytes(100, 0x5a));
  std::uint16_t sum =
      TransportChecksum(kIpv4Src.data(), kIpv4Dst.data(), 4, 6, segment.data(), segment.size());
  EXPECT_EQ(sum, ReferenceChecksum(Ipv4PseudoAndSegment(kIpv4Src, kIpv4Dst, segment)));
  StoreChecksum(segment, sum);
  EXPECT_EQ(
      TransportChecksum(kIpv4Src.data(), kIpv4Dst.data(), 4, 6, segment.data(), segment.size()), 0);
  // Swapping source and destination leaves the sum unchanged (addition commutes).
  EXPECT_EQ(
      TransportChecksum(kIpv4Dst.data(), kIpv4Src.data(), 4, 6, segment.data(), segment.size()), 0);
}

TEST(Checksum, TcpOverIpv6MatchesReferenceAndVerifies) {
  Bytes segment = MakeSegment({0x02, 0x04, 0x05, 0xa0}, Bytes(1000, 0));
  std::uint16_t sum =
      TransportChecksum(kIpv6Src.data(), kIpv6Dst.data(), 16, 6, segment.data(), segment.size());
  EXPECT_EQ(sum, ReferenceChecksum(Ipv6PseudoAndSegment(kIpv6Src, kIpv6Dst, segment)));
  StoreChecksum(segment, sum);
  EXPECT_EQ(
      TransportChecksum(kIpv6Src.data(), kIpv6Dst.data(), 16, 6, segment.data(), segment.size()),
      0);
}

TEST(Checksum, TcpOddPayloadLengthsVerify) {
  for (std::size_t payload : {1u, 3u, 7u, 1459u}) {
    Bytes body(payload);
    for (std::size_t i = 0; i < payload; ++i) body[i] = static_cast<std::uint8_t>(0xf0 + i);
    Bytes v4 = MakeSegment({}, body);
    std::uint16_t sum4 =
        TransportChecksum(kIpv4Src.data(), kIpv4Dst.data(), 4, 6, v4.data(), v4.size());
    EXPECT_EQ(sum4, ReferenceChecksum(Ipv4PseudoAndSegment(kIpv4Src, kIpv4Dst, v4)))
        << "payload " << payload;
    StoreChecksum(v4, sum4);
    EXPECT_EQ(TransportChecksum(kIpv4Src.data(), kIpv4Dst.data(), 4, 6, v4.data(), v4.size()), 0)
        << "payload " << payload;

    Bytes v6 = MakeSegment({}, body);
    std::uint16_t sum6 =
        TransportChecksum(kIpv6Src.data(), kIpv6Dst.data(), 16, 6, v6.data(), v6.size());
    EXPECT_EQ(sum6, ReferenceChecksum(Ipv6PseudoAndSegment(kIpv6Src, kIpv6Dst, v6)))
        << "payload " << payload;
    StoreChecksum(v6, sum6);
    EXPECT_EQ(TransportChecksum(kIpv6Src.data(), kIpv6Dst.data(), 16, 6, v6.data(), v6.size()), 0)
        << "payload " << payload;
  }
}

TEST(Checksum, Ipv6PseudoHeaderUsesFullLengthAboveSixtyFourKiB) {
  // A jumbo-sized segment: the IPv6 pseudo-header carries a 32-bit length.
  Bytes segment = MakeSegment({}, Bytes(70000, 0xff));
  EXPECT_EQ(
      TransportChecksum(kIpv6Src.data(), kIpv6Dst.data(), 16, 6, segment.data(), segment.size()),
      ReferenceChecksum(Ipv6PseudoAndSegment(kIpv6Src, kIpv6Dst, segment)));
}

TEST(Checksum, ProtocolIsPartOfThePseudoHeader) {
  Bytes segment = MakeSegment({}, Bytes(8, 1));
  EXPECT_NE(
      TransportChecksum(kIpv4Src.data(), kIpv4Dst.data(), 4, 6, segment.data(), segment.size()),
      TransportChecksum(kIpv4Src.data(), kIpv4Dst.data(), 4, 17, segment.data(), segment.size()));
}

}  // namespace
}  // namespace pktc::rt
