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

bool DecodePacket(const std::uint8_t* data, std::size_t len, DecodedPacket* out,
                  std::string* error) {
  *out = DecodedPacket();
  if (len < 1) {
    *error = "empty packet";
    return false;
  }
  const std::uint8_t* l4 = nullptr;
  std::size_t l4_len = 0;
  int version = data[0] >> 4;
  out->ip_version = version;
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
    l4 = data + ihl;
    l4_len = total - ihl;
  } else if (version == 6) {
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
    l4 = data + 40;
    l4_len = payload;
  } else {
    *error = "not an IP packet";
    return false;
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

std::vector<std::uint8_t> EncodeTcpPacket(const IpAddress& src, const IpAddress& dst,
                                          const IpFields& ip, const TcpHeader& tcp,
                                          std::size_t payload_len, const std::string& md5_key) {
  std::size_t ip_len = src.family == AF_INET ? 20 : 40;
  std::size_t tcp_len = kTcpHeaderLen + tcp.options.size() + payload_len;
  std::vector<std::uint8_t> packet(ip_len + tcp_len, 0);
  std::uint8_t* h = packet.data();
  if (src.family == AF_INET) {
    h[0] = 0x45;
    h[1] = ip.tos;
    Put16(h + 2, static_cast<std::uint16_t>(packet.size()));
    h[8] = ip.ttl;
    h[9] = IPPROTO_TCP;
    std::memcpy(h + 12, src.bytes, 4);
    std::memcpy(h + 16, dst.bytes, 4);
    Put16(h + 10, Ipv4HeaderChecksum(h, 20));
  } else {
    Put32(h, 6u << 28 | static_cast<std::uint32_t>(ip.tos) << 20);
    Put16(h + 4, static_cast<std::uint16_t>(tcp_len));
    h[6] = IPPROTO_TCP;
    h[7] = ip.ttl;
    std::memcpy(h + 8, src.bytes, 16);
    std::memcpy(h + 24, dst.bytes, 16);
  }
  std::uint8_t* t = h + ip_len;
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

namespace {
// The IP header of a packet with `l4_len` bytes of `protocol` after it.
std::vector<std::uint8_t> IpHeader(const IpAddress& src, const IpAddress& dst, const IpFields& ip,
                                   std::uint8_t protocol, std::size_t l4_len) {
  std::vector<std::uint8_t> h(src.family == AF_INET ? 20 : 40, 0);
  if (src.family == AF_INET) {
    h[0] = 0x45;
    h[1] = ip.tos;
    Put16(&h[2], static_cast<std::uint16_t>(20 + l4_len));
    h[8] = ip.ttl;
    h[9] = protocol;
    std::memcpy(&h[12], src.bytes, 4);
    std::memcpy(&h[16], dst.bytes, 4);
    Put16(&h[10], Ipv4HeaderChecksum(h.data(), 20));
  } else {
    Put32(&h[0], 6u << 28 | static_cast<std::uint32_t>(ip.tos) << 20);
    Put16(&h[4], static_cast<std::uint16_t>(l4_len));
    h[6] = protocol;
    h[7] = ip.ttl;
    std::memcpy(&h[8], src.bytes, 16);
    std::memcpy(&h[24], dst.bytes, 16);
  }
  return h;
}
}  // namespace

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
