// Packet encoding and decoding.
#include "net/packet_codec.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/byte_order.h"
#include "net/checksum.h"
#include "net/md5.h"

namespace pktc::rt {

namespace {
constexpr std::uint8_t kTcpOptionMd5 = 19;
constexpr std::size_t kTcpHeaderLen = 20;

}  // namespace

bool IpAddress::operator==(const IpAddress& o) const {
  return family == o.family && std::memcmp(bytes, o.bytes, size()) == 0;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = "?";
  inet_ntop(family, bytes, buf, sizeof buf);
  return buf;
}

bool IpAddress::Parse(const std::string& text, IpAddress* out) {
  IpAddress a;
  if (inet_pton(AF_INET, text.c_str(), a.bytes) == 1) {
    a.family = AF_INET;
  } else if (inet_pton(AF_INET6, text.c_str(), a.bytes) == 1) {
    a.family = AF_INET6;
  } else {
    return false;
  }
  *out = a;
  return true;
}

const char* EncapLayer::TypeName() const {
  switch (kind) {
    case Kind::kIpv4:
      return "IPV4";
    case Kind::kIpv6:
      return "IPV6";
    case Kind::kGre:
      return "GRE";
    case Kind::kMpls:
      return "MPLS";
  }
  return "?";
}

std::size_t GreHeaderLength(std::uint16_t flags) {
  std::size_t len = 4;
  if (flags & (kGreChecksum | kGreRouting)) len += 4;
  if (flags & kGreKey) len += 4;
  if (flags & kGreSequence) len += 4;
  return len;
}

namespace {
constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;
constexpr std::uint16_t kEthertypeMplsUnicast = 0x8847;
constexpr std::uint16_t kEthertypeMplsMulticast = 0x8848;
constexpr std::uint8_t kProtocolMplsInIp = 137;
/// packetdrill's PACKET_MAX_HEADERS: every layer, the inner IP and transport headers included.
constexpr std::size_t kMaxHeaders = 6;

/// Decodes one IP header at `data` into `out`'s IP fields. `l4`, `l4_len`: what follows it.
bool DecodeIpHeader(const std::uint8_t* data, std::size_t len, DecodedPacket* out,
                    const std::uint8_t** l4, std::size_t* l4_len, std::string* error) {
  if (len < 1) {
    *error = "empty packet";
    return false;
  }
  int version = data[0] >> 4;
  out->ip_version = version;
  out->flowlabel = 0;
  out->ipv4_checksum_ok = true;
  if (version == 4) {
    if (len < 20) {
      *error = "truncated IPv4 header";
      return false;
    }
    std::size_t ihl = (data[0] & 0x0f) * 4u;
    std::size_t total = Get16(data + 2);
    if (ihl < 20 || ihl > len || total < ihl || total > len) {
      *error = "bad IPv4 header length";
      return false;
    }
    out->tos = data[1];
    out->ttl = data[8];
    out->protocol = data[9];
    out->ipv4_checksum_ok = Ipv4HeaderChecksum(data, ihl) == 0;
    out->src.family = out->dst.family = AF_INET;
    std::memcpy(out->src.bytes, data + 12, 4);
    std::memcpy(out->dst.bytes, data + 16, 4);
    *l4 = data + ihl;
    *l4_len = total - ihl;
    return true;
  }
  if (version == 6) {
    if (len < 40) {
      *error = "truncated IPv6 header";
      return false;
    }
    std::size_t payload = Get16(data + 4);
    if (40 + payload > len) {
      *error = "bad IPv6 payload length";
      return false;
    }
    out->tos = static_cast<std::uint8_t>((Get16(data) >> 4) & 0xff);
    out->flowlabel = Get32(data) & 0xfffff;
    out->protocol = data[6];
    out->ttl = data[7];
    out->src.family = out->dst.family = AF_INET6;
    std::memcpy(out->src.bytes, data + 8, 16);
    std::memcpy(out->dst.bytes, data + 24, 16);
    *l4 = data + 40;
    *l4_len = payload;
    return true;
  }
  *error = "not an IP packet";
  return false;
}

/// The IP header just decoded into `out`, as an outer layer.
EncapLayer IpLayer(const DecodedPacket& ip, const std::uint8_t* header) {
  EncapLayer layer;
  layer.kind = ip.ip_version == 4 ? EncapLayer::Kind::kIpv4 : EncapLayer::Kind::kIpv6;
  layer.src = ip.src;
  layer.dst = ip.dst;
  layer.tos = ip.tos;
  layer.ttl = ip.ttl;
  layer.protocol = ip.protocol;
  if (ip.ip_version == 4) {
    layer.ihl = header[0] & 0x0f;
    layer.length = Get16(header + 2);
  } else {
    layer.length = Get16(header + 4);
  }
  return layer;
}

/// What an MPLS stack or a GRE ethertype leads to: 4 or 6 (an IP packet), 0x8847 (MPLS).
enum class Next { kIp, kMpls, kUnknown };

/// Where a GRE header with the checksum flag sits: its layer, and the bytes its checksum covers
/// (the header and all it carries).
struct GreSpan {
  std::size_t layer;
  std::size_t offset;
  std::size_t length;
};

/// Checks the GRE checksums of `out`'s layers once its innermost packet is decoded. A kernel
/// that offloads the inner TCP or UDP checksum computes the GRE one as if it were filled in
/// (local checksum offload), while a copy taken on its way out may still hold the partial
/// sum: so the inner checksum is completed in a copy first, as the wire would carry it.
void VerifyGreChecksums(const std::uint8_t* data, std::size_t len, std::size_t l4_offset,
                        std::size_t l4_len, const std::vector<GreSpan>& spans, DecodedPacket* out) {
  std::vector<std::uint8_t> wire(data, data + len);
  std::uint8_t* l4 = wire.data() + l4_offset;
  std::size_t sum_at = out->protocol == IPPROTO_TCP      ? 16
                       : out->protocol == IPPROTO_UDP    ? 6
                       : out->protocol == IPPROTO_ICMPV6 ? 2
                                                         : 0;
  if (sum_at && l4_len >= sum_at + 2) {
    l4[sum_at] = l4[sum_at + 1] = 0;
    std::uint16_t sum = TransportChecksum(out->src.bytes, out->dst.bytes, out->src.size(),
                                          out->protocol, l4, l4_len);
    if (out->protocol == IPPROTO_UDP && sum == 0) sum = 0xffff;
    Put16(l4 + sum_at, sum);
  }
  for (const GreSpan& span : spans) {
    out->encap[span.layer].gre_checksum_ok =
        ChecksumFold(ChecksumAdd(0, wire.data() + span.offset, span.length)) == 0;
  }
}

Next AfterEthertype(std::uint16_t ethertype) {
  if (ethertype == kEthertypeIpv4 || ethertype == kEthertypeIpv6) return Next::kIp;
  if (ethertype == kEthertypeMplsUnicast || ethertype == kEthertypeMplsMulticast)
    return Next::kMpls;
  return Next::kUnknown;
}
}  // namespace

bool DecodePacket(const std::uint8_t* data, std::size_t len, DecodedPacket* out,
                  std::string* error) {
  *out = DecodedPacket();
  const std::uint8_t* p = data;
  std::size_t left = len;
  const std::uint8_t* l4 = nullptr;
  std::size_t l4_len = 0;
  std::vector<GreSpan> gre_spans;
  // Outer layers, outermost first, until an IP header carries something else than a tunnel.
  Next next = Next::kIp;
  while (true) {
    if (out->encap.size() + 2 > kMaxHeaders) {
      *error = "too many nested headers";
      return false;
    }
    if (next == Next::kMpls) {
      EncapLayer mpls;
      mpls.kind = EncapLayer::Kind::kMpls;
      // Entries down to the one marked bottom of stack (or the end: then no IP follows).
      bool bottom = false;
      do {
        if (left < 4) {
          *error = "MPLS stack entry overflows packet";
          return false;
        }
        std::uint32_t entry = Get32(p);
        mpls.mpls.push_back(entry);
        bottom = entry & 0x100;
        p += 4;
        left -= 4;
      } while (!bottom && left > 0);
      out->encap.push_back(std::move(mpls));
      next = Next::kIp;
      continue;
    }
    if (next == Next::kUnknown) {
      *error = "an encapsulated protocol pktc does not decode";
      return false;
    }
    const std::uint8_t* header = p;
    if (!DecodeIpHeader(p, left, out, &l4, &l4_len, error)) return false;
    std::uint8_t protocol = out->protocol;
    if (protocol == IPPROTO_IPIP || protocol == IPPROTO_IPV6) {
      out->encap.push_back(IpLayer(*out, header));
      if (l4_len < 1 || (l4[0] >> 4) != (protocol == IPPROTO_IPIP ? 4 : 6)) {
        *error = "bad IP version inside an IP-in-IP packet";
        return false;
      }
    } else if (protocol == kProtocolMplsInIp) {
      out->encap.push_back(IpLayer(*out, header));
      next = Next::kMpls;
    } else if (protocol == IPPROTO_GRE) {
      out->encap.push_back(IpLayer(*out, header));
      if (l4_len < 4) {
        *error = "truncated GRE header";
        return false;
      }
      EncapLayer gre;
      gre.kind = EncapLayer::Kind::kGre;
      gre.gre_flags = Get16(l4);
      gre.gre_proto = Get16(l4 + 2);
      if (gre.gre_flags & 7) {
        *error = "GRE header has unsupported version number";
        return false;
      }
      if (gre.gre_flags & kGreRouting) {
        *error = "GRE header has unsupported routing info";
        return false;
      }
      std::size_t gre_len = GreHeaderLength(gre.gre_flags);
      if (gre_len > l4_len) {
        *error = "GRE header length too big";
        return false;
      }
      std::size_t at = 4;
      if (gre.gre_flags & kGreChecksum) {
        gre.gre_sum = Get16(l4 + 4);
        gre.gre_off = Get16(l4 + 6);
        // Verified once the innermost packet is known (VerifyGreChecksums).
        gre_spans.push_back({out->encap.size(), static_cast<std::size_t>(l4 - data), l4_len});
        at += 4;
      }
      if (gre.gre_flags & kGreKey) {
        gre.gre_key = Get32(l4 + at);
        at += 4;
      }
      if (gre.gre_flags & kGreSequence) gre.gre_seq = Get32(l4 + at);
      next = AfterEthertype(gre.gre_proto);
      out->encap.push_back(gre);
      l4 += gre_len;
      l4_len -= gre_len;
    } else {
      break;  // The innermost IP packet.
    }
    p = l4;
    left = l4_len;
    if (next == Next::kIp && left > 0 && out->encap.back().kind == EncapLayer::Kind::kGre) {
      // GRE says which IP version follows; packetdrill insists the header agrees.
      std::uint16_t proto = out->encap.back().gre_proto;
      if ((p[0] >> 4) != (proto == kEthertypeIpv4 ? 4 : 6)) {
        *error = "bad IP version for the GRE protocol";
        return false;
      }
    }
  }
  if (!gre_spans.empty()) {
    VerifyGreChecksums(data, len, static_cast<std::size_t>(l4 - data), l4_len, gre_spans, out);
  }
  if (out->protocol == IPPROTO_UDP && l4_len >= 8) {
    out->udp_src_port = Get16(l4);
    out->udp_dst_port = Get16(l4 + 2);
    out->payload_len = l4_len - 8;
    return true;
  }
  if ((out->protocol == IPPROTO_ICMP || out->protocol == IPPROTO_ICMPV6) && l4_len >= 4) {
    out->icmp_type = l4[0];
    out->icmp_code = l4[1];
    out->payload_len = l4_len - 4;
    return true;
  }
  if (out->protocol != IPPROTO_TCP) return true;
  if (l4_len < kTcpHeaderLen) {
    *error = "truncated TCP header";
    return false;
  }
  TcpHeader& tcp = out->tcp;
  tcp.src_port = Get16(l4);
  tcp.dst_port = Get16(l4 + 2);
  tcp.seq = Get32(l4 + 4);
  tcp.ack = Get32(l4 + 8);
  std::size_t doff = (l4[12] >> 4) * 4u;
  if (doff < kTcpHeaderLen || doff > l4_len) {
    *error = "bad TCP data offset";
    return false;
  }
  tcp.reserved = (l4[12] >> 1) & 0x7;
  tcp.flags = static_cast<std::uint16_t>(l4[13] | ((l4[12] & 1) << 8));
  tcp.win = Get16(l4 + 14);
  tcp.urg = Get16(l4 + 18);
  tcp.options.assign(l4 + kTcpHeaderLen, l4 + doff);
  out->payload_len = l4_len - doff;
  for (std::size_t i = doff; i < l4_len; ++i) {
    if (l4[i] != 0) {
      out->payload_all_zero = false;
      break;
    }
  }
  return true;
}

void SignTcpMd5(const IpAddress& src, const IpAddress& dst, std::uint8_t* segment,
                std::size_t segment_len, const std::string& key) {
  if (segment_len < kTcpHeaderLen) return;
  std::size_t doff = std::min<std::size_t>((segment[12] >> 4) * 4u, segment_len);
  // Find the digest inside the options: only an option that ends within them is a signature
  // slot (a truncated one would put the digest past the options, or past the segment).
  std::uint8_t* digest = nullptr;
  for (std::size_t i = kTcpHeaderLen; i < doff;) {
    std::uint8_t kind = segment[i];
    if (kind == 0 || kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= doff || segment[i + 1] < 2) break;
    if (kind == kTcpOptionMd5 && segment[i + 1] == 18 && i + 18 <= doff) digest = segment + i + 2;
    i += segment[i + 1];
  }
  if (!digest) return;
  Md5 md5;
  if (src.family == AF_INET) {
    std::uint8_t pseudo[12];
    std::memcpy(pseudo, src.bytes, 4);
    std::memcpy(pseudo + 4, dst.bytes, 4);
    pseudo[8] = 0;
    pseudo[9] = IPPROTO_TCP;
    Put16(pseudo + 10, static_cast<std::uint16_t>(segment_len));
    md5.Update(pseudo, sizeof pseudo);
  } else {
    std::uint8_t pseudo[40];
    std::memcpy(pseudo, src.bytes, 16);
    std::memcpy(pseudo + 16, dst.bytes, 16);
    Put32(pseudo + 32, static_cast<std::uint32_t>(segment_len));
    Put32(pseudo + 36, IPPROTO_TCP);
    md5.Update(pseudo, sizeof pseudo);
  }
  std::uint8_t header[kTcpHeaderLen];
  std::memcpy(header, segment, kTcpHeaderLen);
  header[16] = header[17] = 0;  // checksum excluded
  md5.Update(header, sizeof header);
  md5.Update(segment + doff, segment_len - doff);
  md5.Update(key.data(), key.size());
  std::array<std::uint8_t, 16> sum = md5.Final();
  std::memcpy(digest, sum.data(), sum.size());
}

namespace {
/// Writes the IP header of a packet with `l4_len` bytes of `protocol` after it at `h` (20
/// bytes for IPv4, 40 for IPv6).
void WriteIpHeader(std::uint8_t* h, const IpAddress& src, const IpAddress& dst,
                   const IpFields& ip, std::uint8_t protocol, std::size_t l4_len) {
  if (src.family == AF_INET) {
    h[0] = 0x45;
    h[1] = ip.tos;
    Put16(h + 2, static_cast<std::uint16_t>(20 + l4_len));
    h[8] = ip.ttl;
    h[9] = protocol;
    std::memcpy(h + 12, src.bytes, 4);
    std::memcpy(h + 16, dst.bytes, 4);
    Put16(h + 10, Ipv4HeaderChecksum(h, 20));
  } else {
    Put32(h, 6u << 28 | static_cast<std::uint32_t>(ip.tos) << 20 | (ip.flowlabel & 0xfffff));
    Put16(h + 4, static_cast<std::uint16_t>(l4_len));
    h[6] = protocol;
    h[7] = ip.ttl;
    std::memcpy(h + 8, src.bytes, 16);
    std::memcpy(h + 24, dst.bytes, 16);
  }
}

std::vector<std::uint8_t> IpHeader(const IpAddress& src, const IpAddress& dst, const IpFields& ip,
                                   std::uint8_t protocol, std::size_t l4_len) {
  std::vector<std::uint8_t> h(src.family == AF_INET ? 20 : 40, 0);
  WriteIpHeader(h.data(), src, dst, ip, protocol, l4_len);
  return h;
}
}  // namespace

std::vector<std::uint8_t> EncodeTcpPacket(const IpAddress& src, const IpAddress& dst,
                                          const IpFields& ip, const TcpHeader& tcp,
                                          std::size_t payload_len, const std::string& md5_key) {
  std::size_t ip_len = src.family == AF_INET ? 20 : 40;
  std::size_t tcp_len = kTcpHeaderLen + tcp.options.size() + payload_len;
  std::vector<std::uint8_t> packet(ip_len + tcp_len, 0);
  WriteIpHeader(packet.data(), src, dst, ip, IPPROTO_TCP, tcp_len);
  std::uint8_t* t = packet.data() + ip_len;
  Put16(t, tcp.src_port);
  Put16(t + 2, tcp.dst_port);
  Put32(t + 4, tcp.seq);
  Put32(t + 8, tcp.ack);
  std::size_t doff = kTcpHeaderLen + tcp.options.size();
  t[12] = static_cast<std::uint8_t>((doff / 4) << 4 | (tcp.reserved & 7) << 1 | ((tcp.flags >> 8) & 1));
  t[13] = static_cast<std::uint8_t>(tcp.flags & 0xff);
  Put16(t + 14, tcp.win);
  Put16(t + 18, tcp.urg);
  if (!tcp.options.empty()) std::memcpy(t + kTcpHeaderLen, tcp.options.data(), tcp.options.size());
  if (!md5_key.empty()) SignTcpMd5(src, dst, t, tcp_len, md5_key);
  Put16(t + 16, TransportChecksum(src.bytes, dst.bytes, src.size(), IPPROTO_TCP, t, tcp_len));
  return packet;
}

std::vector<std::uint8_t> EncodeUdpPacket(const IpAddress& src, const IpAddress& dst,
                                          const IpFields& ip, std::uint16_t src_port,
                                          std::uint16_t dst_port, std::size_t payload_len) {
  std::vector<std::uint8_t> udp(8 + payload_len, 0);
  Put16(&udp[0], src_port);
  Put16(&udp[2], dst_port);
  Put16(&udp[4], static_cast<std::uint16_t>(udp.size()));
  std::uint16_t sum = TransportChecksum(src.bytes, dst.bytes, src.size(), IPPROTO_UDP, udp.data(),
                                        udp.size());
  Put16(&udp[6], sum == 0 ? 0xffff : sum);
  std::vector<std::uint8_t> packet = IpHeader(src, dst, ip, IPPROTO_UDP, udp.size());
  packet.insert(packet.end(), udp.begin(), udp.end());
  return packet;
}

std::vector<std::uint8_t> EncodeIcmpPacket(const IpAddress& src, const IpAddress& dst,
                                           const IpFields& ip, std::uint8_t type,
                                           std::uint8_t code, std::uint32_t rest,
                                           const std::vector<std::uint8_t>& body) {
  bool v6 = src.family == AF_INET6;
  std::vector<std::uint8_t> icmp(8, 0);
  icmp[0] = type;
  icmp[1] = code;
  Put32(&icmp[4], rest);
  icmp.insert(icmp.end(), body.begin(), body.end());
  std::uint16_t sum = v6 ? TransportChecksum(src.bytes, dst.bytes, 16, IPPROTO_ICMPV6,
                                             icmp.data(), icmp.size())
                         : ChecksumFold(ChecksumAdd(0, icmp.data(), icmp.size()));
  Put16(&icmp[2], sum);
  std::vector<std::uint8_t> packet =
      IpHeader(src, dst, ip, static_cast<std::uint8_t>(v6 ? 58 : 1), icmp.size());  // ICMPv6, ICMP
  packet.insert(packet.end(), icmp.begin(), icmp.end());
  return packet;
}

namespace {
/// The IP protocol number an outer IP header gives what follows it, and the ethertype a GRE
/// header gives it (packetdrill's header_types[] table, but MPLS in IP is protocol 137, RFC
/// 4023, where packetdrill writes 0, which no kernel takes for MPLS).
std::uint8_t ProtocolOf(const EncapLayer* next, int inner_ip_version) {
  if (!next) return inner_ip_version == 6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
  switch (next->kind) {
    case EncapLayer::Kind::kIpv4:
      return IPPROTO_IPIP;
    case EncapLayer::Kind::kIpv6:
      return IPPROTO_IPV6;
    case EncapLayer::Kind::kGre:
      return IPPROTO_GRE;
    case EncapLayer::Kind::kMpls:
      return kProtocolMplsInIp;
  }
  return 0;
}

std::uint16_t EthertypeOf(const EncapLayer* next, int inner_ip_version) {
  if (!next) return inner_ip_version == 6 ? kEthertypeIpv6 : kEthertypeIpv4;
  switch (next->kind) {
    case EncapLayer::Kind::kIpv4:
      return kEthertypeIpv4;
    case EncapLayer::Kind::kIpv6:
      return kEthertypeIpv6;
    case EncapLayer::Kind::kGre:
      return 0;  // GRE has no ethertype; packetdrill writes 0 too.
    case EncapLayer::Kind::kMpls:
      return kEthertypeMplsUnicast;
  }
  return 0;
}

void FillNextProtocols(std::vector<EncapLayer>& layers, int inner_ip_version) {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const EncapLayer* next = i + 1 < layers.size() ? &layers[i + 1] : nullptr;
    layers[i].protocol = ProtocolOf(next, inner_ip_version);
    layers[i].gre_proto = EthertypeOf(next, inner_ip_version);
  }
}
}  // namespace

std::vector<EncapLayer> EncapLayersOf(const std::vector<EncapHeader>& headers,
                                      int inner_ip_version) {
  std::vector<EncapLayer> layers;
  for (const EncapHeader& h : headers) {
    EncapLayer layer;
    switch (h.kind) {
      case EncapHeader::Kind::kIpv4:
      case EncapHeader::Kind::kIpv6:
        layer.kind =
            h.kind == EncapHeader::Kind::kIpv4 ? EncapLayer::Kind::kIpv4 : EncapLayer::Kind::kIpv6;
        IpAddress::Parse(h.src ? h.src : "", &layer.src);
        IpAddress::Parse(h.dst ? h.dst : "", &layer.dst);
        layer.tos = h.ip.tos;
        layer.ttl = h.ip.ttl;
        break;
      case EncapHeader::Kind::kGre:
        layer.kind = EncapLayer::Kind::kGre;
        layer.gre_flags = h.gre.flags;
        layer.gre_sum = h.gre.sum;
        layer.gre_off = h.gre.off;
        layer.gre_key = h.gre.key;
        layer.gre_seq = h.gre.seq;
        break;
      case EncapHeader::Kind::kMpls:
        layer.kind = EncapLayer::Kind::kMpls;
        for (int i = 0; i < h.mpls_count; ++i) {
          const encap::MplsEntry& e = h.mpls[i];
          layer.mpls.push_back((e.label & 0xfffff) << 12 | (e.tc & 7u) << 9 |
                               (e.bottom ? 1u : 0u) << 8 | e.ttl);
        }
        break;
    }
    layers.push_back(std::move(layer));
  }
  FillNextProtocols(layers, inner_ip_version);
  return layers;
}

std::vector<std::uint8_t> Encapsulate(const std::vector<EncapLayer>& given,
                                      std::vector<std::uint8_t> inner) {
  std::vector<EncapLayer> layers = given;
  FillNextProtocols(layers, inner.empty() ? 4 : inner[0] >> 4);
  // Innermost first: each header goes in front of what is built so far.
  std::vector<std::uint8_t> packet = std::move(inner);
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    const EncapLayer& layer = *it;
    std::vector<std::uint8_t> header;
    switch (layer.kind) {
      case EncapLayer::Kind::kIpv4:
      case EncapLayer::Kind::kIpv6: {
        IpFields ip;
        ip.tos = layer.tos;
        ip.ttl = layer.ttl ? layer.ttl : 255;
        IpAddress src = layer.src, dst = layer.dst;
        // The header's own family, whatever the addresses (sema keeps them consistent).
        src.family = dst.family = layer.kind == EncapLayer::Kind::kIpv4 ? AF_INET : AF_INET6;
        header = IpHeader(src, dst, ip, layer.protocol, packet.size());
        break;
      }
      case EncapLayer::Kind::kGre: {
        header.assign(GreHeaderLength(layer.gre_flags), 0);
        Put16(&header[0], layer.gre_flags);
        Put16(&header[2], layer.gre_proto);
        std::size_t at = 4;
        if (layer.gre_flags & kGreChecksum) {
          Put16(&header[4], layer.gre_sum);
          Put16(&header[6], layer.gre_off);
          at += 4;
        }
        if (layer.gre_flags & kGreKey) {
          Put32(&header[at], layer.gre_key);
          at += 4;
        }
        if (layer.gre_flags & kGreSequence) Put32(&header[at], layer.gre_seq);
        if ((layer.gre_flags & kGreChecksum) && layer.gre_sum == 0) {
          std::uint32_t sum = ChecksumAdd(0, header.data(), header.size());
          sum = ChecksumAdd(sum, packet.data(), packet.size());
          Put16(&header[4], ChecksumFold(sum));
        }
        break;
      }
      case EncapLayer::Kind::kMpls:
        header.resize(4 * layer.mpls.size());
        for (std::size_t i = 0; i < layer.mpls.size(); ++i) Put32(&header[4 * i], layer.mpls[i]);
        break;
    }
    header.insert(header.end(), packet.begin(), packet.end());
    packet = std::move(header);
  }
  return packet;
}

std::string EncapToString(const std::vector<EncapLayer>& layers) {
  std::string out;
  char buf[96];
  for (const EncapLayer& layer : layers) {
    switch (layer.kind) {
      case EncapLayer::Kind::kIpv4:
      case EncapLayer::Kind::kIpv6:
        out += std::string(layer.kind == EncapLayer::Kind::kIpv4 ? "ipv4 " : "ipv6 ") +
               layer.src.ToString() + " > " + layer.dst.ToString();
        break;
      case EncapLayer::Kind::kGre:
        std::snprintf(buf, sizeof buf, "gre flags 0x%x proto 0x%04x", layer.gre_flags,
                      layer.gre_proto);
        out += buf;
        if (layer.gre_flags & kGreChecksum) {
          std::snprintf(buf, sizeof buf, " sum 0x%x off 0x%x", layer.gre_sum, layer.gre_off);
          out += buf;
        }
        if (layer.gre_flags & kGreKey) {
          std::snprintf(buf, sizeof buf, " key 0x%x", layer.gre_key);
          out += buf;
        }
        if (layer.gre_flags & kGreSequence) {
          std::snprintf(buf, sizeof buf, " seq 0x%x", layer.gre_seq);
          out += buf;
        }
        break;
      case EncapLayer::Kind::kMpls:
        out += "mpls";
        for (std::uint32_t e : layer.mpls) {
          std::snprintf(buf, sizeof buf, " (label %u, tc %u,%s ttl %u)", e >> 12, (e >> 9) & 7,
                        e & 0x100 ? " [S]," : "", e & 0xff);
          out += buf;
        }
        break;
    }
    out += ": ";
  }
  return out;
}

bool VerifyTcpMd5(const std::uint8_t* packet, std::size_t len, const std::string& key) {
  DecodedPacket decoded;
  std::string error;
  if (!DecodePacket(packet, len, &decoded, &error) || decoded.protocol != IPPROTO_TCP) return false;
  std::size_t ip_len = decoded.ip_version == 4 ? (packet[0] & 0x0f) * 4u : 40;
  std::size_t tcp_len = decoded.ip_version == 4 ? Get16(packet + 2) - ip_len : Get16(packet + 4);
  std::vector<std::uint8_t> segment(packet + ip_len, packet + ip_len + tcp_len);
  std::vector<std::uint8_t> resigned = segment;
  SignTcpMd5(decoded.src, decoded.dst, resigned.data(), resigned.size(), key);
  std::vector<ParsedOption> options;
  if (!ParseTcpOptions(decoded.tcp.options, &options)) return false;
  bool has_md5 = false;
  for (const ParsedOption& o : options) has_md5 |= o.kind == kTcpOptionMd5 && o.bytes.size() == 18;
  return has_md5 && resigned == segment;
}

bool ParseTcpOptions(const std::vector<std::uint8_t>& block, std::vector<ParsedOption>* out) {
  out->clear();
  for (std::size_t i = 0; i < block.size();) {
    std::uint8_t kind = block[i];
    if (kind == 0 || kind == 1) {
      out->push_back({kind, {kind}});
      ++i;
      continue;
    }
    if (i + 1 >= block.size() || block[i + 1] < 2 || i + block[i + 1] > block.size()) return false;
    std::size_t len = block[i + 1];
    out->push_back({kind, std::vector<std::uint8_t>(block.begin() + i, block.begin() + i + len)});
    i += len;
  }
  return true;
}

namespace {
std::string Hex(const std::uint8_t* p, std::size_t n) {
  std::string out;
  char buf[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    out += buf;
  }
  return out;
}
}  // namespace

std::string TcpOptionsToString(const std::vector<std::uint8_t>& block) {
  std::vector<ParsedOption> options;
  if (!ParseTcpOptions(block, &options)) return "malformed options " + Hex(block.data(), block.size());
  std::string out;
  for (const ParsedOption& o : options) {
    if (!out.empty()) out += ",";
    const std::vector<std::uint8_t>& b = o.bytes;
    switch (o.kind) {
      case 0: out += "eol"; break;
      case 1: out += "nop"; break;
      case 2:
        out += b.size() == 4 ? "mss " + std::to_string(Get16(&b[2])) : "mss(bad length)";
        break;
      case 3: out += b.size() == 3 ? "wscale " + std::to_string(b[2]) : "wscale(bad length)"; break;
      case 4: out += "sackOK"; break;
      case 5:
        out += "sack";
        for (std::size_t i = 2; i + 8 <= b.size(); i += 8) {
          out += " " + std::to_string(Get32(&b[i])) + ":" + std::to_string(Get32(&b[i + 4]));
        }
        break;
      case 8:
        if (b.size() == 10) {
          out += "TS val " + std::to_string(Get32(&b[2])) + " ecr " + std::to_string(Get32(&b[6]));
        } else {
          out += "TS(bad length)";
        }
        break;
      case 19: out += "md5 " + Hex(b.data() + 2, b.size() - 2); break;
      case 34: out += "FO " + Hex(b.data() + 2, b.size() - 2); break;
      case 254:
        out += b.size() >= 4 ? "FOEXP " + Hex(b.data() + 4, b.size() - 4) : "FOEXP(bad length)";
        break;
      default:
        out += "kind " + std::to_string(o.kind) + " len " + std::to_string(b.size());
    }
  }
  return out;
}

std::string TcpFlagsToString(std::uint16_t flags) {
  std::string out;
  if (flags & kFin) out += 'F';
  if (flags & kSyn) out += 'S';
  if (flags & kRst) out += 'R';
  if (flags & kPsh) out += 'P';
  if (flags & kUrg) out += 'U';
  if (flags & kEce) out += 'E';
  if (flags & kCwr) out += 'W';
  if (flags & kAe) out += 'A';
  if (flags & kAck) out += '.';
  return out.empty() ? "-" : out;
}

std::string TcpSegmentToString(const TcpHeader& tcp, std::size_t payload_len, bool show_win) {
  std::string out = TcpFlagsToString(tcp.flags) + " " + std::to_string(tcp.seq) + ":" +
                    std::to_string(static_cast<std::uint32_t>(tcp.seq + payload_len)) + "(" +
                    std::to_string(payload_len) + ")";
  if (tcp.flags & kAck || tcp.ack) out += " ack " + std::to_string(tcp.ack);
  if (show_win) out += " win " + std::to_string(tcp.win);
  if (tcp.urg) out += " urg " + std::to_string(tcp.urg);
  if (!tcp.options.empty()) out += " <" + TcpOptionsToString(tcp.options) + ">";
  return out;
}

}  // namespace pktc::rt
