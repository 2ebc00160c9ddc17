// The IP-level fields of the script's packets (`[tos 0x10]`, `[ect0]`, `(ttl 64)`): what an
// inbound packet carries and what an outbound one must have, for every protocol alike.
#ifndef PKTC_RUNTIME_EXEC_IP_FIELDS_H_
#define PKTC_RUNTIME_EXEC_IP_FIELDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "net/packet_codec.h"
#include "pktc/runtime.h"

namespace pktc::rt {

/// The IP fields of an injected packet: the script's TOS with its ECN bits, its TTL and IPv6
/// flow label.
IpFields InjectedIpFields(const IpInfo& info);

/// `inner`, an IP packet, wrapped in the script's outer headers (none: `inner` itself).
std::vector<std::uint8_t> WithOuterHeaders(const std::vector<EncapHeader>& encap,
                                           std::vector<std::uint8_t> inner);

/// The script's outer headers as packetdrill prints them (`ipv4 192.168.0.2 > 192.168.0.1: gre
/// flags 0x0 proto 0x0800: `) around an inner packet of `inner_ip_version`; "" for none.
std::string OuterHeadersText(const std::vector<EncapHeader>& encap, int inner_ip_version);

/// The outer headers of `packet`, built from `encap` by WithOuterHeaders(), as they went on the
/// wire (a computed GRE checksum included); "" for none.
std::string InjectedOuterHeadersText(const std::vector<EncapHeader>& encap,
                                     const std::vector<std::uint8_t>& packet);

/// The flow label a connection's outbound packets carry, bound to the script's: packetdrill
/// checks flow labels for consistency, never for their value.
struct FlowLabelMap {
  std::uint32_t script = 0;  ///< 0: nothing bound yet.
  std::uint32_t live = 0;
};

/// packetdrill's verify_outbound_live_ipv6_flowlabel(): "" when the script gives no label (or
/// the packet is IPv4); else the live label must be set, the same script label must keep the
/// same live label, and a new script label must come with a new live label (then bound).
std::string CheckFlowLabel(FlowLabelMap& map, const IpInfo& want, const DecodedPacket& live);

/// "" if `live` has every IP field the script asks for, else packetdrill's message for the
/// first that differs ("live packet field ip_ttl: expected: 64 vs actual: 255").
std::string CheckIpFields(const IpInfo& want, const DecodedPacket& live);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_IP_FIELDS_H_
