// IR dump.
#include "ir/ir_dump.h"

#include <fmt/format.h>

#include "support/printer.h"

namespace pktc {

namespace {

std::string Time(const ir::Time& t) {
  auto s = [](std::int64_t us) { return fmt::format("{}.{:06}", us / 1000000, us % 1000000); };
  switch (t.kind) {
    case ir::TimeKind::kAbsolute: return s(t.start_us);
    case ir::TimeKind::kRelative: return "+" + s(t.start_us);
    case ir::TimeKind::kAnyTime: return "*";
    case ir::TimeKind::kAbsoluteRange: return s(t.start_us) + "~" + s(t.end_us);
    case ir::TimeKind::kRelativeRange: return "+" + s(t.start_us) + "~+" + s(t.end_us);
  }
  return "?";
}

std::string Int(const ir::Int& v) {
  std::string out = std::to_string(v.value);
  if (!v.define.empty()) {
    return fmt::format("define {}(ipv4 {}, ipv6 {})", v.define, v.value, v.ipv6_value);
  }
  if (!v.spelling.empty() && v.spelling != out) out += " /*" + v.spelling + "*/";
  return out;
}

std::string Value(const ir::Value& v) {
  switch (v.kind) {
    case ir::Value::Kind::kEllipsis: return "...";
    case ir::Value::Kind::kInt: return Int(v.int_value);
    case ir::Value::Kind::kString:
      return CppStringLiteral(v.bytes) + (v.truncated ? "..." : "") +
             (v.spelling.empty() ? "" : " /*" + v.spelling + "*/");
    case ir::Value::Kind::kList:
    case ir::Value::Kind::kStruct: {
      std::string out = v.kind == ir::Value::Kind::kList ? "[" : "{";
      bool first = true;
      for (const ir::Value& item : v.items) {
        out += (first ? "" : ", ") + Value(item);
        first = false;
      }
      for (const ir::Field& f : v.fields) {
        out += (first ? "" : ", ") + f.name;
        if (!f.paren.empty()) out += "(" + Value(f.paren[0]) + ")";
        out += "=" + Value(f.value);
        first = false;
      }
      return out + (v.kind == ir::Value::Kind::kList ? "]" : "}");
    }
  }
  return "?";
}

std::string Ip(const ir::IpFields& ip) {
  std::string out;
  if (ip.tos) out += fmt::format(" tos=0x{:02x}", *ip.tos);
  if (ip.ecn) out += fmt::format(" ecn={}", *ip.ecn);
  if (ip.ecn_ect01) out += " ecn=ect0|ect1";
  if (ip.ttl) out += fmt::format(" ttl={}", *ip.ttl);
  if (ip.flowlabel) out += fmt::format(" flowlabel=0x{:x}", *ip.flowlabel);
  return out;
}

/// The outer headers, outermost first, each ending with ':' as in the script:
/// `ipv4(192.168.0.2>192.168.0.1 tos=0x00 ttl=0): gre(flags=0x2000 key=7): `.
std::string Encaps(const std::vector<ir::Encap>& encaps) {
  std::string out;
  for (const ir::Encap& e : encaps) {
    switch (e.kind) {
      case ir::Encap::Kind::kIpv4:
      case ir::Encap::Kind::kIpv6:
        out += fmt::format("{}({}>{} tos=0x{:02x} ttl={})",
                           e.kind == ir::Encap::Kind::kIpv4 ? "ipv4" : "ipv6", e.src, e.dst, e.tos,
                           e.ttl);
        break;
      case ir::Encap::Kind::kGre:
        out += fmt::format("gre(flags=0x{:04x} sum=0x{:x} off={} key={} seq={})", e.gre_flags,
                           e.gre_sum, e.gre_off, e.gre_key, e.gre_seq);
        break;
      case ir::Encap::Kind::kMpls: {
        std::vector<std::string> entries;
        for (const ir::Encap::MplsEntry& m : e.mpls) {
          entries.push_back(fmt::format("{}/{}/{}{}", m.label, m.tc, m.bottom ? "S/" : "", m.ttl));
        }
        out += fmt::format("mpls({})", fmt::join(entries, " "));
        break;
      }
    }
    out += ": ";
  }
  return out;
}

std::string Option(const ir::TcpOption& o) {
  std::string out = o.name;
  for (std::int64_t v : o.values) out += " " + std::to_string(v);
  if (!o.blob_define.empty()) out += " define " + o.blob_define;
  if (!o.blob.empty()) {
    out += " ";
    for (std::uint8_t b : o.blob) out += fmt::format("{:02x}", b);
  }
  if (o.ecn_kind) out += fmt::format(" (kind {})", o.ecn_kind);
  return out;
}

std::string Action(const ir::Event& event) {
  if (const auto* p = std::get_if<ir::TcpPacket>(&event.action)) {
    std::string out = fmt::format("{} {}tcp{} flags=0x{:03x}", p->inbound ? "inbound" : "outbound",
                                  Encaps(p->encap), Ip(p->ip), p->flags);
    if (p->ace) out += fmt::format(" ace={}", *p->ace);
    out += fmt::format(" seq={} len={} ack={}", p->seq, p->len, p->ack);
    if (p->win) out += fmt::format(" win={}", *p->win);
    if (p->urg) out += fmt::format(" urg={}", p->urg);
    if (p->src_port || p->dst_port) out += fmt::format(" ports={}>{}", p->src_port, p->dst_port);
    if (p->any_options) out += " options=any";
    if (!p->options.empty()) {
      std::vector<std::string> opts;
      for (const ir::TcpOption& o : p->options) opts.push_back(Option(o));
      out += " <" + fmt::format("{}", fmt::join(opts, ",")) + ">";
    }
    return out;
  }
  if (const auto* u = std::get_if<ir::UdpPacket>(&event.action)) {
    return fmt::format("{} {}udp{} len={}", u->inbound ? "inbound" : "outbound", Encaps(u->encap),
                       Ip(u->ip), u->len);
  }
  if (const auto* i = std::get_if<ir::IcmpPacket>(&event.action)) {
    std::string out = fmt::format("{} {}icmp{}", i->inbound ? "inbound" : "outbound",
                                  Encaps(i->encap), Ip(i->ip));
    if (i->v4) out += fmt::format(" v4={}/{}", i->v4->first, i->v4->second);
    if (i->v6) out += fmt::format(" v6={}/{}", i->v6->first, i->v6->second);
    if (i->mtu) out += fmt::format(" mtu={}", *i->mtu);
    if (i->id) out += fmt::format(" id={}", *i->id);
    return out + fmt::format(" echoed={} seq={} len={}", i->echoed, i->echoed_seq, i->echoed_len);
  }
  if (const auto* s = std::get_if<ir::Syscall>(&event.action)) {
    std::vector<std::string> args;
    for (const ir::Value& v : s->args) args.push_back(Value(v));
    std::string out = fmt::format("syscall {}({}) = {}", s->name, fmt::join(args, ", "),
                                  s->expect.result);
    if (!s->expect.errno_name.empty()) {
      out += fmt::format(" {}({})", s->expect.errno_name, s->expect.errno_value);
    }
    if (s->returns) out += " returns at " + Time(*s->returns);
    return out;
  }
  if (const auto* c = std::get_if<ir::Command>(&event.action)) {
    return "command " + CppStringLiteral(c->text);
  }
  if (const auto* c = std::get_if<ir::Code>(&event.action)) {
    return c->native ? "code native " + c->function_name : "code python " + CppStringLiteral(c->python_text);
  }
  return "?";
}

}  // namespace

std::string DumpIr(const ir::Script& script) {
  std::string out = fmt::format("script {} ({})\n", script.name, script.path);
  for (const auto& [name, value] : script.header_options) {
    out += fmt::format("option --{}{}\n", name, value ? "=" + *value : "");
  }
  for (const ir::EmbeddedFile& f : script.files) {
    out += fmt::format("embed {} ({} bytes, mode 0{:o})\n", f.path, f.contents.size(), f.mode);
  }
  if (script.init_command) out += "init command " + CppStringLiteral(*script.init_command) + "\n";
  for (const ir::Event& event : script.events) {
    out += fmt::format("L{:<4} {:<18} {}\n", event.line, Time(event.time), Action(event));
  }
  if (script.cleanup_command) {
    out += "cleanup command " + CppStringLiteral(*script.cleanup_command) + "\n";
  }
  for (const auto& [loc, what] : script.unsupported) out += "not executable yet: " + what + "\n";
  return out;
}

}  // namespace pktc
