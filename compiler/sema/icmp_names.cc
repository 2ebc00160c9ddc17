// ICMP names per family: packetdrill's icmp_packet.c tables and checks (see icmp_names.h).
#include "sema/icmp_names.h"

#include <cstdlib>
#include <span>

namespace pktc {

namespace {

struct CodeName {
  const char* name;
  std::uint8_t value;
};
struct TypeName {
  const char* name;
  std::uint8_t value;
  std::span<const CodeName> codes;  ///< Empty: only code_N is accepted for this type.
};

constexpr CodeName kIcmpV4UnreachableCodes[] = {
    {"net_unreachable", 0},
    {"host_unreachable", 1},
    {"protocol_unreachable", 2},
    {"port_unreachable", 3},
    {"frag_needed", 4},
    {"source_route_failed", 5},
    {"net_unknown", 6},
    {"host_unknown", 7},
    {"source_host_isolated", 8},
    {"net_prohibited", 9},
    {"host_prohibited", 10},
    {"net_unreachable_for_tos", 11},
    {"host_unreachable_for_tos", 12},
    {"packet_filtered", 13},
    {"precedence_violation", 14},
    {"precedence_cutoff", 15},
};
constexpr TypeName kIcmpV4Types[] = {
    {"echo_reply", 0, {}},          {"unreachable", 3, kIcmpV4UnreachableCodes},
    {"source_quench", 4, {}},       {"redirect", 5, {}},
    {"echo_request", 8, {}},        {"time_exceeded", 11, {}},
    {"parameter_problem", 12, {}},  {"timestamp_request", 13, {}},
    {"timestamp_reply", 14, {}},    {"information_request", 15, {}},
    {"information_reply", 16, {}},  {"address_mask_request", 17, {}},
    {"address_mask_reply", 18, {}},
};
constexpr std::uint8_t kIcmpV4Unreachable = 3, kIcmpV4FragNeeded = 4;

constexpr CodeName kIcmpV6UnreachableCodes[] = {
    {"net_unreachable", 0},     {"no_route", 0},
    {"admin_prohibited", 1},    {"not_neighbour", 2},
    {"address_unreachable", 3}, {"port_unreachable", 4},
};
constexpr CodeName kIcmpV6TimeExceededCodes[] = {
    {"exceeded_hop_limit", 0},
    {"exceeded_frag_time", 1},
};
constexpr CodeName kIcmpV6ParamProbCodes[] = {
    {"header_field", 0},
    {"unknown_next_header", 1},
    {"unknown_option", 2},
};
constexpr TypeName kIcmpV6Types[] = {
    {"unreachable", 1, kIcmpV6UnreachableCodes},
    {"packet_too_big", 2, {}},
    {"time_exceeded", 3, kIcmpV6TimeExceededCodes},
    {"parameter_problem", 4, kIcmpV6ParamProbCodes},
    {"echo_request", 128, {}},
    {"echo_reply", 129, {}},
};
constexpr std::uint8_t kIcmpV6PacketTooBig = 2;

/// The number in a tcpdump-style `type_N`/`code_N` name, as sscanf("type_%d") reads it: an
/// optional sign and digits right after the prefix, anything after them ignored.
std::optional<long> GenericNumber(const std::string& name, const char* prefix) {
  std::string p = prefix;
  if (name.compare(0, p.size(), p) != 0) return std::nullopt;
  const char* start = name.c_str() + p.size();
  char* end = nullptr;
  long v = std::strtol(start, &end, 10);
  if (end == start) return std::nullopt;
  return v;
}

}  // namespace

std::variant<IcmpTypeCode, std::string> ResolveIcmp(int family, const std::string& type,
                                                    const std::string& code,
                                                    std::optional<std::int64_t> mtu) {
  std::span<const TypeName> types = family == 4 ? std::span<const TypeName>(kIcmpV4Types)
                                                : std::span<const TypeName>(kIcmpV6Types);
  long type_value = -1;
  std::span<const CodeName> codes;
  if (std::optional<long> n = GenericNumber(type, "type_")) {
    type_value = *n;
  } else {
    for (const TypeName& t : types) {
      if (type == t.name) {
        type_value = t.value;
        codes = t.codes;
      }
    }
  }
  if (type_value < 0 || type_value > 255) return "bad ICMP type " + type;

  long code_value = -1;
  if (code.empty()) {
    code_value = 0;
  } else if (std::optional<long> n = GenericNumber(code, "code_")) {
    code_value = *n;
  } else {
    for (const CodeName& c : codes) {
      if (code == c.name) code_value = c.value;
    }
  }
  if (code_value < 0 || code_value > 255) return "bad ICMP code " + code;

  IcmpTypeCode out{static_cast<std::uint8_t>(type_value), static_cast<std::uint8_t>(code_value)};
  if (mtu && *mtu >= 0) {
    if (family == 4) {
      if (out.type != kIcmpV4Unreachable || out.code != kIcmpV4FragNeeded) {
        return std::string("ICMPv4 MTU is only valid for unreachable-frag_needed");
      }
      if (*mtu > 0xffff) return std::string("ICMPv4 MTU out of 16-bit range");
    } else {
      if (out.type != kIcmpV6PacketTooBig || out.code != 0) {
        return std::string("ICMPv6 MTU is only valid for packet_too_big-0");
      }
      if (*mtu > 0xffffffffLL) return std::string("ICMPv6 MTU out of 32-bit range");
    }
  }
  return out;
}

}  // namespace pktc
