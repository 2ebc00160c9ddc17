// Constructors for the script values generated code passes to the runtime.
#include <cstring>
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
TcpOption FastOpen(const std::vector<std::uint8_t>& cookie) {
  TcpOption o{{34, static_cast<std::uint8_t>(2 + cookie.size())}};
  o.bytes.insert(o.bytes.end(), cookie.begin(), cookie.end());
  return o;
}
TcpOption FastOpenExp(const std::vector<std::uint8_t>& cookie) {
  TcpOption o{{254, static_cast<std::uint8_t>(4 + cookie.size()), 0xf9, 0x89}};
  o.bytes.insert(o.bytes.end(), cookie.begin(), cookie.end());
  return o;
}
TcpOption AccEcn(std::uint8_t kind, std::initializer_list<std::uint32_t> counters) {
  TcpOption o{{kind, static_cast<std::uint8_t>(2 + 3 * counters.size())}};
  for (std::uint32_t v : counters) {
    o.bytes.push_back(static_cast<std::uint8_t>(v >> 16));
    o.bytes.push_back(static_cast<std::uint8_t>(v >> 8));
    o.bytes.push_back(static_cast<std::uint8_t>(v));
  }
  return o;
}
TcpOption Md5(std::initializer_list<std::uint8_t> digest) { return WithData(19, digest); }
}  // namespace opt

const Value* Value::Find(const char* name) const {
  for (const Field& f : fields) {
    if (std::strcmp(f.name, name) == 0) return &f.value;
  }
  return nullptr;
}

const Value* Value::FindParen(const char* name) const {
  for (const Field& f : fields) {
    if (std::strcmp(f.name, name) == 0 && !f.paren.empty()) return &f.paren[0];
  }
  return nullptr;
}

Value Dots() { return Value{}; }

Value Int(std::int64_t v) {
  Value out;
  out.kind = Value::Kind::kInt;
  out.i = v;
  return out;
}

Value Str(std::string s, bool truncated) {
  Value out;
  out.kind = Value::Kind::kString;
  out.s = std::move(s);
  out.truncated = truncated;
  return out;
}

Value List(std::vector<Value> items) {
  Value out;
  out.kind = Value::Kind::kList;
  out.items = std::move(items);
  return out;
}

Value ListWithFields(std::vector<Value> items, std::vector<Value::Field> fields) {
  Value out = List(std::move(items));
  out.fields = std::move(fields);
  return out;
}

Value Struct(std::vector<Value> items, std::vector<Value::Field> fields) {
  Value out;
  out.kind = Value::Kind::kStruct;
  out.items = std::move(items);
  out.fields = std::move(fields);
  return out;
}

// Out of line so that generated files call them instead of instantiating them.
Value::Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;
Value::~Value() = default;

Value::Field::Field() = default;
Value::Field::Field(const char* name, std::vector<Value> paren, Value value)
    : name(name), paren(std::move(paren)), value(std::move(value)) {}
Value::Field::Field(const Field&) = default;
Value::Field::Field(Field&&) noexcept = default;
Value::Field& Value::Field::operator=(const Field&) = default;
Value::Field& Value::Field::operator=(Field&&) noexcept = default;
Value::Field::~Field() = default;

TcpOption::~TcpOption() = default;
TcpSegment::~TcpSegment() = default;
UdpDatagram::~UdpDatagram() = default;
IcmpMessage::~IcmpMessage() = default;

namespace encap {
EncapHeader Ipv4(const char* src, const char* dst, OuterIp ip) {
  EncapHeader h;
  h.kind = EncapHeader::Kind::kIpv4;
  h.src = src;
  h.dst = dst;
  h.ip = ip;
  return h;
}

EncapHeader Ipv6(const char* src, const char* dst, OuterIp ip) {
  EncapHeader h = Ipv4(src, dst, ip);
  h.kind = EncapHeader::Kind::kIpv6;
  return h;
}

EncapHeader Gre(GreFields fields) {
  EncapHeader h;
  h.kind = EncapHeader::Kind::kGre;
  h.gre = fields;
  return h;
}

EncapHeader Mpls(std::initializer_list<MplsEntry> entries) {
  EncapHeader h;
  h.kind = EncapHeader::Kind::kMpls;
  for (const MplsEntry& e : entries) {
    if (h.mpls_count == kMaxMplsEntries) break;  // pktc refuses deeper stacks.
    h.mpls[h.mpls_count++] = e;
  }
  return h;
}
}  // namespace encap

Value::Field Named(const char* name, Value value) { return {name, {}, std::move(value)}; }

Value::Field NamedWithArg(const char* name, Value arg, Value value) {
  Value::Field f{name, {}, std::move(value)};
  f.paren.push_back(std::move(arg));
  return f;
}

}  // namespace pktc::rt

