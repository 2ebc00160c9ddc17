// Token kinds, keyword table and token descriptions.
#include "frontend/token.h"

#include <algorithm>
#include <iterator>
#include <vector>

namespace pktc {

namespace {
// packetdrill's reserved words; SortedKeywords() orders them for binary search.
constexpr std::string_view kKeywords[] = {
    "sa_family", "sin_port", "sin_addr", "msg_name", "msg_iov", "msg_flags", "msg_control",
    "cmsg_data", "cmsg_level", "cmsg_type", "ee_errno", "ee_origin", "ee_type", "ee_code",
    "ee_info", "ee_data", "scm_sec", "scm_nsec", "fd", "u32", "u64", "ptr", "events", "revents",
    "onoff", "linger", "htons", "ipv4", "ipv6", "icmp", "udp", "GREv0", "gre", "raw", "sum",
    "off", "key", "seq", "none", "checksum", "sequence#", "present", "encap", "psp", "spi",
    "mpls", "label", "tc", "ttl", "inet_addr", "inet6_addr", "ack", "eol", "ecr", "mss", "mtu",
    "nop", "sack", "sackOK", "md5", "TS", "FO", "FOEXP", "ECN", "e0b", "e1b", "ceb", "tos",
    "flowlabel", "flags", "Flags", "val", "win", "urg", "wscale", "ect01", "ect0", "ect1",
    "noecn", "ce", "id",
};

const std::vector<std::string_view>& SortedKeywords() {
  static const std::vector<std::string_view> sorted = [] {
    std::vector<std::string_view> v(std::begin(kKeywords), std::end(kKeywords));
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }();
  return sorted;
}
}  // namespace

bool IsKeyword(std::string_view word) {
  const auto& words = SortedKeywords();
  return std::binary_search(words.begin(), words.end(), word);
}

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEof: return "end of file";
    case TokenKind::kInteger: return "integer";
    case TokenKind::kHexInteger: return "hex integer";
    case TokenKind::kFloat: return "number";
    case TokenKind::kWord: return "word";
    case TokenKind::kKeyword: return "keyword";
    case TokenKind::kIpv4Addr: return "IPv4 address";
    case TokenKind::kIpv6Addr: return "IPv6 address";
    case TokenKind::kOption: return "option";
    case TokenKind::kString: return "string";
    case TokenKind::kBackQuoted: return "shell command";
    case TokenKind::kCode: return "code block";
    case TokenKind::kEllipsis: return "'...'";
    case TokenKind::kPunct: return "punctuation";
    case TokenKind::kError: return "invalid token";
  }
  return "token";
}

std::string Token::Describe() const {
  switch (kind) {
    case TokenKind::kEof:
    case TokenKind::kEllipsis:
    case TokenKind::kError:
      return std::string(TokenKindName(kind));
    case TokenKind::kPunct:
      return "'" + text + "'";
    case TokenKind::kString:
    case TokenKind::kBackQuoted:
    case TokenKind::kCode:
      return std::string(TokenKindName(kind));
    case TokenKind::kOption:
      return "option '--" + text + "'";
    default:
      return std::string(TokenKindName(kind)) + " '" + text + "'";
  }
}

}  // namespace pktc
