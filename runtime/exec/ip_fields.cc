// IP-level fields of scripted packets.
#include "exec/ip_fields.h"

namespace pktc::rt {

IpFields InjectedIpFields(const IpInfo& info) {
  IpFields ip;
  ip.tos = info.tos.value_or(0);
  if (info.ecn) ip.tos = static_cast<std::uint8_t>((ip.tos & ~3) | *info.ecn);
  if (info.ttl) ip.ttl = *info.ttl;
  return ip;
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

}  // namespace pktc::rt
