// Constructors for the script values generated code passes to the runtime.
#include <string>

#include "pktc/runtime.h"

namespace pktc::rt {

namespace opt {
namespace {
TcpOption WithData(std::uint8_t kind, std::initializer_list<std::uint8_t> data,
                   std::initializer_list<std::uint8_t> prefix = {}) {
  TcpOption o;
  o.bytes.push_back(kind);
  o.bytes.push_back(static_cast<std::uint8_t>(2 + prefix.size() + data.size()));
  o.bytes.insert(o.bytes.end(), prefix);
  o.bytes.insert(o.bytes.end(), data);
  return o;
}
void Append32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (24 - 8 * i)));
}
}  // namespace

TcpOption Nop() { return {{1}}; }
TcpOption Eol() { return {{0}}; }
TcpOption Mss(std::uint16_t mss) {
  return WithData(2, {static_cast<std::uint8_t>(mss >> 8), static_cast<std::uint8_t>(mss)});
}
TcpOption WScale(std::uint8_t shift) { return WithData(3, {shift}); }
TcpOption SackOk() { return WithData(4, {}); }
TcpOption Sack(std::initializer_list<std::uint32_t> edges) {
  TcpOption o{{5, static_cast<std::uint8_t>(2 + 4 * edges.size())}};
  for (std::uint32_t e : edges) Append32(o.bytes, e);
  return o;
}
TcpOption Timestamp(std::uint32_t val, std::uint32_t ecr) {
  TcpOption o{{8, 10}};
  Append32(o.bytes, val);
  Append32(o.bytes, ecr);
  return o;
}
TcpOption FastOpen(std::initializer_list<std::uint8_t> cookie) { return WithData(34, cookie); }
TcpOption FastOpenExp(std::initializer_list<std::uint8_t> cookie) {
  return WithData(254, cookie, {0xf9, 0x89});
}
TcpOption Md5(std::initializer_list<std::uint8_t> digest) { return WithData(19, digest); }
}  // namespace opt

SockoptValue SockoptInt(std::int64_t v) {
  SockoptValue s;
  s.kind = SockoptValue::Kind::kInt;
  s.int_value = v;
  return s;
}
SockoptValue SockoptString(std::string str) {
  SockoptValue s;
  s.kind = SockoptValue::Kind::kString;
  s.string_value = std::move(str);
  return s;
}
SockoptValue SockoptLinger(std::int64_t onoff, std::int64_t seconds) {
  SockoptValue s;
  s.kind = SockoptValue::Kind::kLinger;
  s.linger_onoff = onoff;
  s.linger_seconds = seconds;
  return s;
}
SockoptValue SockoptMd5Key(std::string key) {
  SockoptValue s;
  s.kind = SockoptValue::Kind::kMd5Sig;
  s.string_value = std::move(key);
  return s;
}
SockoptValue SockoptEllipsis() {
  SockoptValue s;
  s.kind = SockoptValue::Kind::kEllipsis;
  return s;
}

}  // namespace pktc::rt
