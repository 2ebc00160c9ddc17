// ICMP and ICMPv6 type and code names, resolved per IP family with the rules of packetdrill's
// new_icmp_packet(): the same script text means ICMPv4 under ipv4 and ICMPv6 under ipv6, and a
// name one family lacks is that family's semantic error.
#ifndef PKTC_COMPILER_SEMA_ICMP_NAMES_H_
#define PKTC_COMPILER_SEMA_ICMP_NAMES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace pktc {

struct IcmpTypeCode {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
};

/// Resolves `type` (a name or type_N) and `code` (empty for 0, a name of that type's codes, or
/// code_N) for `family` (4 or 6), and checks that an `mtu` goes with the one message that
/// carries it (ICMPv4 unreachable frag_needed, 16 bits; ICMPv6 packet_too_big, 32 bits).
/// Returns the numbers, or the message packetdrill reports ("bad ICMP code frag_needed").
std::variant<IcmpTypeCode, std::string> ResolveIcmp(int family, const std::string& type,
                                                    const std::string& code,
                                                    std::optional<std::int64_t> mtu);

}  // namespace pktc

#endif  // PKTC_COMPILER_SEMA_ICMP_NAMES_H_
