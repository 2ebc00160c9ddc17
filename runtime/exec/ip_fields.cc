// IP-level fields of scripted packets.
#include "exec/ip_fields.h"

#include <cstdio>

namespace pktc::rt {

IpFields InjectedIpFields(const IpInfo& info) {
  IpFields ip;
  ip.tos = info.tos.value_or(0);
  if (info.ecn) ip.tos = static_cast<std::uint8_t>((ip.tos & ~3) | *info.ecn);
  if (info.ttl) ip.ttl = *info.ttl;
  ip.flowlabel = info.flowlabel.value_or(0);  // Ignored on IPv4, as packetdrill does.
  return ip;
}

std::vector<std::uint8_t> WithOuterHeaders(const std::vector<EncapHeader>& encap,
                                           std::vector<std::uint8_t> inner) {
  if (encap.empty() || inner.empty()) return inner;
  std::vector<EncapLayer> layers = EncapLayersOf(encap, inner[0] >> 4);
  return Encapsulate(layers, std::move(inner));
}

std::string OuterHeadersText(const std::vector<EncapHeader>& encap, int inner_ip_version) {
  return EncapToString(EncapLayersOf(encap, inner_ip_version));
}

std::string InjectedOuterHeadersText(const std::vector<EncapHeader>& encap,
                                     const std::vector<std::uint8_t>& packet) {
  if (encap.empty()) return "";
  DecodedPacket decoded;
  std::string error;
  if (!DecodePacket(packet.data(), packet.size(), &decoded, &error)) {
    return OuterHeadersText(encap, packet.empty() ? 4 : packet[0] >> 4);
  }
  return EncapToString(decoded.encap);
}

std::string CheckIpFields(const IpInfo& want, const DecodedPacket& live) {
  if (want.tos && *want.tos != live.tos) {
    return "live packet field ip_tos: expected: " + std::to_string(*want.tos) +
           " vs actual: " + std::to_string(live.tos);
  }
  if (want.ecn && *want.ecn != (live.tos & 3)) {
    return "live packet field ip_ecn: expected: " + std::to_string(*want.ecn) +
           " vs actual: " + std::to_string(live.tos & 3);
  }
  if (want.ttl && *want.ttl != live.ttl) {
    return "live packet field ip_ttl: expected: " + std::to_string(*want.ttl) +
           " vs actual: " + std::to_string(live.ttl);
  }
  return "";
}

std::string CheckFlowLabel(FlowLabelMap& map, const IpInfo& want, const DecodedPacket& live) {
  std::uint32_t script = want.flowlabel.value_or(0);
  if (!script || live.ip_version != 6) return "";
  if (!live.flowlabel) return "flowlabel unmarked in the live packet";
  if (!map.script) {
    map = {script, live.flowlabel};
    return "";
  }
  if (script != map.script) {
    if (live.flowlabel == map.live) return "expected a different flowlabel but got the same";
    map = {script, live.flowlabel};
    return "";
  }
  if (live.flowlabel == map.live) return "";
  char buf[120];
  std::snprintf(buf, sizeof buf,
                "inconsistent flowlabels for this packet: expected: 0x%x vs actual: 0x%x",
                map.live, live.flowlabel);
  return buf;
}

}  // namespace pktc::rt
