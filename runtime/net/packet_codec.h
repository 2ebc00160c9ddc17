// Packet codec: builds inbound IPv4/IPv6 TCP, UDP and ICMP packets, encapsulated or not, and
// decodes the kernel's outbound ones into their layers.
#ifndef PKTC_RUNTIME_NET_PACKET_CODEC_H_
#define PKTC_RUNTIME_NET_PACKET_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pktc/runtime.h"

namespace pktc::rt {

/// An IPv4 or IPv6 address in network byte order.
struct IpAddress {
  int family = 0;  ///< AF_INET or AF_INET6
  std::uint8_t bytes[16] = {};
  std::size_t size() const { return family == 10 /*AF_INET6*/ ? 16 : 4; }
  bool operator==(const IpAddress& o) const;
  std::string ToString() const;
  /// Parses "192.0.2.1" or "fd3d::1"; returns false if it is neither.
  static bool Parse(const std::string& text, IpAddress* out);
};

/// A TCP segment in wire terms (host byte order for numbers), independent of IP version.
struct TcpHeader {
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint16_t flags = 0;  ///< TcpFlag bits, AE included.
  std::uint16_t win = 0, urg = 0;
  std::uint8_t reserved = 0;  ///< The three reserved bits.
  std::vector<std::uint8_t> options;
};

/// One outer header of an encapsulated packet, as built or decoded (docs/pkt-language.md
/// section 4.8). Numbers in host byte order.
struct EncapLayer {
  enum class Kind : std::uint8_t { kIpv4, kIpv6, kGre, kMpls };
  Kind kind = Kind::kIpv4;
  // kIpv4 / kIpv6
  IpAddress src, dst;
  std::uint8_t tos = 0;
  std::uint8_t ttl = 0;       ///< Built: 0 means 255, packetdrill's default.
  std::uint8_t protocol = 0;  ///< Decoded: protocol / next header.
  std::uint8_t ihl = 5;       ///< Decoded IPv4: header length in 32-bit words.
  std::uint16_t length = 0;   ///< Decoded: IPv4 total length, IPv6 payload length.
  // kGre
  std::uint16_t gre_flags = 0;  ///< The first 16 bits: checksum, key, sequence flags, version.
  std::uint16_t gre_proto = 0;  ///< Decoded: the ethertype of what follows.
  std::uint16_t gre_sum = 0;    ///< Built with the checksum flag: 0 means "compute it".
  std::uint16_t gre_off = 0;
  std::uint32_t gre_key = 0, gre_seq = 0;
  bool gre_checksum_ok = true;  ///< Decoded with the checksum flag: the sum is right.
  // kMpls: label stack entries as on the wire (label << 12 | tc << 9 | S << 8 | ttl).
  std::vector<std::uint32_t> mpls;

  /// packetdrill's name of the header type (IPV4, IPV6, GRE, MPLS).
  const char* TypeName() const;
};

/// GRE flag bits of the header's first 16 bits.
inline constexpr std::uint16_t kGreChecksum = 0x8000;
inline constexpr std::uint16_t kGreRouting = 0x4000;
inline constexpr std::uint16_t kGreKey = 0x2000;
inline constexpr std::uint16_t kGreSequence = 0x1000;
/// Bytes of a GRE header with these flags (4, plus 4 per optional word present).
std::size_t GreHeaderLength(std::uint16_t flags);

/// A packet decoded from the TUN device.
struct DecodedPacket {
  /// The outer headers, outermost first, of an encapsulated packet (IP-in-IP, GRE, MPLS); the
  /// fields below describe the innermost IP packet, the one a socket sent.
  std::vector<EncapLayer> encap;
  int ip_version = 0;
  IpAddress src, dst;
  std::uint8_t protocol = 0;
  std::uint8_t tos = 0;  ///< TOS / traffic class, ECN bits included.
  std::uint8_t ttl = 0;
  std::uint32_t flowlabel = 0;
  bool ipv4_checksum_ok = true;
  TcpHeader tcp;
  std::uint16_t udp_src_port = 0, udp_dst_port = 0;
  std::uint8_t icmp_type = 0, icmp_code = 0;
  std::size_t payload_len = 0;
  bool payload_all_zero = true;
};

/// Decodes an IPv4/IPv6 packet, through its encapsulation layers as packetdrill's parser does
/// (IPv4 in IPv4/IPv6 and IPv6 in either by protocol 4 and 41, GRE by protocol 47 then its
/// ethertype, an MPLS stack down to its bottom entry, then IP by version; MPLS in IP by protocol
/// 137 too). Returns false (with a reason) if it is not a well-formed packet, or an
/// encapsulation it cannot see through; non-TCP packets are reported through `protocol` with
/// `ok` still true.
bool DecodePacket(const std::uint8_t* data, std::size_t len, DecodedPacket* out,
                  std::string* error);

/// IP-level fields of an injected packet.
struct IpFields {
  std::uint8_t tos = 0;
  std::uint8_t ttl = 255;      ///< packetdrill's default for injected packets.
  std::uint32_t flowlabel = 0;  ///< IPv6 only (20 bits).
};

/// Builds an IPv4/IPv6 + TCP packet with `payload_len` zero bytes and correct checksums. When
/// `md5_key` is non-empty and the options hold an md5 option, its digest is the real RFC 2385
/// signature for that key.
std::vector<std::uint8_t> EncodeTcpPacket(const IpAddress& src, const IpAddress& dst,
                                          const IpFields& ip, const TcpHeader& tcp,
                                          std::size_t payload_len, const std::string& md5_key);

/// Builds an IPv4/IPv6 + UDP datagram with `payload_len` zero bytes and correct checksums.
std::vector<std::uint8_t> EncodeUdpPacket(const IpAddress& src, const IpAddress& dst,
                                          const IpFields& ip, std::uint16_t src_port,
                                          std::uint16_t dst_port, std::size_t payload_len);

/// Builds an ICMPv4 or ICMPv6 error message from `src` to `dst`: `rest` is the 4 bytes after
/// the checksum (the next-hop MTU...), `body` what follows (the echoed packet).
std::vector<std::uint8_t> EncodeIcmpPacket(const IpAddress& src, const IpAddress& dst,
                                           const IpFields& ip, std::uint8_t type,
                                           std::uint8_t code, std::uint32_t rest,
                                           const std::vector<std::uint8_t>& body);

/// The script's outer headers as layers to build or compare with, around an inner IP packet of
/// `inner_ip_version`: addresses parsed (sema checked them), and the protocol or ethertype of
/// what follows each one filled in as Encapsulate() writes it.
std::vector<EncapLayer> EncapLayersOf(const std::vector<EncapHeader>& headers,
                                      int inner_ip_version);

/// Wraps the IP packet `inner` in `layers` (outermost first): each outer IP header with its
/// length, the protocol of what follows (4, 41, 47 for GRE, 137 for MPLS) and its checksum;
/// each GRE header with the ethertype of what follows, its optional words as the flags say and,
/// with the checksum flag and sum 0, the right checksum; MPLS entries as given.
std::vector<std::uint8_t> Encapsulate(const std::vector<EncapLayer>& layers,
                                      std::vector<std::uint8_t> inner);

/// The layers the way packetdrill prints them, each ending with ": " (`ipv4 192.168.0.2 >
/// 192.168.0.1: gre flags 0x2000 proto 0x0800 key 0x7: `); "" for none.
std::string EncapToString(const std::vector<EncapLayer>& layers);

/// Computes the RFC 2385 TCP-MD5 digest over a TCP segment whose md5 option is in place.
void SignTcpMd5(const IpAddress& src, const IpAddress& dst, std::uint8_t* segment,
                std::size_t segment_len, const std::string& key);

/// True if the IPv4/IPv6 TCP packet carries an md5 option whose digest is the RFC 2385
/// signature for `key`.
bool VerifyTcpMd5(const std::uint8_t* packet, std::size_t len, const std::string& key);

/// Parsed TCP options for display and comparison.
struct ParsedOption {
  std::uint8_t kind;
  std::vector<std::uint8_t> bytes;  ///< Whole option: kind, length, data.
};
/// Splits an option block; returns false if a length is malformed.
bool ParseTcpOptions(const std::vector<std::uint8_t>& block, std::vector<ParsedOption>* out);
/// "mss 1460,sackOK,TS val 700 ecr 100,nop,wscale 7" (sequence numbers as given).
std::string TcpOptionsToString(const std::vector<std::uint8_t>& block);
/// "S. 0:0(0) ack 1 win 5792 <...>" for a segment already in script sequence space.
std::string TcpSegmentToString(const TcpHeader& tcp, std::size_t payload_len, bool show_win);
/// Flags the way scripts write them: "S.", "P.", "F.", ".".
std::string TcpFlagsToString(std::uint16_t flags);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_NET_PACKET_CODEC_H_
