// The IP-level fields of the script's packets (`[tos 0x10]`, `[ect0]`, `(ttl 64)`): what an
// inbound packet carries and what an outbound one must have, for every protocol alike.
#ifndef PKTC_RUNTIME_EXEC_IP_FIELDS_H_
#define PKTC_RUNTIME_EXEC_IP_FIELDS_H_

#include <string>

#include "net/packet_codec.h"
#include "pktc/runtime.h"

namespace pktc::rt {

/// The IP fields of an injected packet: the script's TOS with its ECN bits, and its TTL.
IpFields InjectedIpFields(const IpInfo& info);

/// "" if `live` has every IP field the script asks for, else packetdrill's message for the
/// first that differs ("live packet field ip_ttl: expected: 64 vs actual: 255").
std::string CheckIpFields(const IpInfo& want, const DecodedPacket& live);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_IP_FIELDS_H_
