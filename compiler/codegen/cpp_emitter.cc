// C++ emission. Generated code only holds data and calls; logic stays in the runtime.
#include "cpp_emitter.h"

#include <fmt/format.h>

#include <sstream>

#include "../printer.h"

namespace pktc {

namespace {

std::string EmitTime(const ir::Time& t) {
  switch (t.kind) {
    case ir::TimeKind::kAbsolute: return fmt::format("rt::At({})", t.start_us);
    case ir::TimeKind::kRelative: return fmt::format("rt::Plus({})", t.start_us);
    case ir::TimeKind::kAny: return "rt::AnyTime()";
    case ir::TimeKind::kAbsoluteRange: return fmt::format("rt::Between({}, {})", t.start_us, t.end_us);
    case ir::TimeKind::kRelativeRange:
      return fmt::format("rt::PlusBetween({}, {})", t.start_us, t.end_us);
  }
  return "rt::At(0)";
}

/// An integer operand: a literal with its script spelling as a comment, or a run-time define.
std::string EmitInt(const ir::Int& v) {
  if (!v.define.empty()) {
    return fmt::format("run.Define({}, {}, {})", CppStringLiteral(v.define), v.value, v.ipv6_value);
  }
  std::string number = std::to_string(v.value);
  if (v.spelling.empty() || v.spelling == number) return number;
  return fmt::format("{} /*{}*/", number, v.spelling);
}

std::string EmitIntArg(const ir::Int& v) {
  if (v.is_ellipsis) return "rt::kEllipsis";
  return fmt::format("rt::Int({})", EmitInt(v));
}

std::string EmitFlags(std::uint16_t flags) {
  static const std::pair<std::uint16_t, const char*> kNames[] = {
      {0x01, "rt::kFin"}, {0x02, "rt::kSyn"}, {0x04, "rt::kRst"}, {0x08, "rt::kPsh"},
      {0x10, "rt::kAck"}, {0x20, "rt::kUrg"}, {0x40, "rt::kEce"}, {0x80, "rt::kCwr"},
      {0x100, "rt::kAe"},
  };
  std::string out;
  for (auto [bit, name] : kNames) {
    if (!(flags & bit)) continue;
    if (!out.empty()) out += " | ";
    out += name;
  }
  return out.empty() ? "0" : out;
}

std::string EmitBytes(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    out += fmt::format("{}0x{:02x}", i ? ", " : "", bytes[i]);
  }
  return out;
}

std::string EmitOption(const ir::TcpOption& o) {
  if (o.name == "nop") return "rt::opt::Nop()";
  if (o.name == "eol") return "rt::opt::Eol()";
  if (o.name == "mss") return fmt::format("rt::opt::Mss({})", o.values[0]);
  if (o.name == "wscale") return fmt::format("rt::opt::WScale({})", o.values[0]);
  if (o.name == "sackOK") return "rt::opt::SackOk()";
  if (o.name == "TS") return fmt::format("rt::opt::Timestamp({}, {})", o.values[0], o.values[1]);
  if (o.name == "sack") {
    std::string edges;
    for (size_t i = 0; i < o.values.size(); ++i) {
      edges += fmt::format("{}{}u", i ? ", " : "", o.values[i]);
    }
    return fmt::format("rt::opt::Sack({{{}}})", edges);
  }
  if (o.name == "FO") return fmt::format("rt::opt::FastOpen({{{}}})", EmitBytes(o.blob));
  if (o.name == "FOEXP") return fmt::format("rt::opt::FastOpenExp({{{}}})", EmitBytes(o.blob));
  if (o.name == "md5") return fmt::format("rt::opt::Md5({{{}}})", EmitBytes(o.blob));
  return "rt::opt::Nop()";  // Unreachable: sema accepts only the names above.
}

std::string EmitSegment(const ir::TcpPacket& p) {
  std::vector<std::string> fields;
  std::vector<std::string> ip;
  if (p.tos) ip.push_back(fmt::format(".tos = 0x{:02x}", *p.tos));
  if (p.ecn) ip.push_back(fmt::format(".ecn = {}", *p.ecn));
  if (p.ecn_ect01) ip.push_back(".ecn_ect01 = true");
  if (p.ttl) ip.push_back(fmt::format(".ttl = {}", *p.ttl));
  if (!ip.empty()) fields.push_back(fmt::format(".ip = {{{}}}", fmt::join(ip, ", ")));
  fields.push_back(".flags = " + EmitFlags(p.flags));
  fields.push_back(fmt::format(".seq = {}u", p.seq));
  fields.push_back(fmt::format(".len = {}", p.len));
  fields.push_back(fmt::format(".ack = {}u", p.ack));
  if (p.win) fields.push_back(fmt::format(".win = {}", *p.win));
  if (p.urg) fields.push_back(fmt::format(".urg = {}", p.urg));
  if (p.any_options) fields.push_back(".any_options = true");
  if (!p.options.empty()) {
    std::vector<std::string> opts;
    for (const ir::TcpOption& o : p.options) opts.push_back(EmitOption(o));
    fields.push_back(fmt::format(".options = {{{}}}", fmt::join(opts, ", ")));
  }
  if (p.src_port || p.dst_port) {
    fields.push_back(fmt::format(".src_port = {}", p.src_port));
    fields.push_back(fmt::format(".dst_port = {}", p.dst_port));
  }
  return fmt::format("rt::TcpSegment{{{}}}", fmt::join(fields, ", "));
}

std::string EmitExpect(const ir::Expect& e) {
  if (e.errno_name.empty()) return fmt::format("{{.result = {}}}", e.result);
  return fmt::format("{{.result = {}, .err = {}, .err_name = {}}}", e.result, e.errno_value,
                     CppStringLiteral(e.errno_name));
}

std::string EmitSockopt(const ir::Sockopt& s) {
  switch (s.kind) {
    case ir::Sockopt::Kind::kInt: return fmt::format("rt::SockoptInt({})", EmitInt(s.int_value));
    case ir::Sockopt::Kind::kString:
      return fmt::format("rt::SockoptString({})", CppStringLiteral(s.string_value));
    case ir::Sockopt::Kind::kLinger:
      return fmt::format("rt::SockoptLinger({}, {})", EmitInt(s.linger_onoff),
                         EmitInt(s.linger_seconds));
    case ir::Sockopt::Kind::kMd5Key:
      return fmt::format("rt::SockoptMd5Key({})", CppStringLiteral(s.string_value));
    case ir::Sockopt::Kind::kEllipsis: return "rt::SockoptEllipsis()";
  }
  return "rt::SockoptEllipsis()";
}

std::string EmitMsgHdr(const ir::MsgHdr& m) {
  std::vector<std::string> iov;
  for (std::int64_t len : m.iov_lengths) iov.push_back(std::to_string(len));
  std::string out = fmt::format("rt::MsgHdr{{.iov_lengths = {{{}}}, .flags = {}", fmt::join(iov, ", "),
                                EmitInt(m.flags));
  if (m.has_control) {
    std::vector<std::string> cmsgs;
    for (const ir::Cmsg& c : m.control) {
      cmsgs.push_back(fmt::format("{{.level = {}, .type = {}, .data = {}}}", EmitInt(c.level),
                                  EmitInt(c.type), EmitInt(c.data)));
    }
    out += fmt::format(", .has_control = true, .control = {{{}}}", fmt::join(cmsgs, ", "));
  }
  return out + "}";
}

std::string EmitSyscall(const std::string& ev, const ir::Syscall& s) {
  using K = ir::Syscall::Kind;
  const std::vector<ir::Int>& a = s.ints;
  std::string expect = EmitExpect(s.expect);
  switch (s.kind) {
    case K::kSocket:
      return fmt::format("run.Socket({}, {}, {}, {}, {});", ev, EmitIntArg(a[0]), EmitInt(a[1]),
                         EmitInt(a[2]), expect);
    case K::kBind: return fmt::format("run.Bind({}, {}, {});", ev, EmitInt(a[0]), expect);
    case K::kListen:
      return fmt::format("run.Listen({}, {}, {}, {});", ev, EmitInt(a[0]), EmitInt(a[1]), expect);
    case K::kAccept: return fmt::format("run.Accept({}, {}, {});", ev, EmitInt(a[0]), expect);
    case K::kConnect:
      return fmt::format("run.Connect({}, {}, {}, {});", ev, EmitInt(a[0]), EmitIntArg(a[1]),
                         expect);
    case K::kClose: return fmt::format("run.Close({}, {}, {});", ev, EmitInt(a[0]), expect);
    case K::kShutdown:
      return fmt::format("run.Shutdown({}, {}, {}, {});", ev, EmitInt(a[0]), EmitInt(a[1]),
                         expect);
    case K::kRead:
      return fmt::format("run.Read({}, {}, {}, {});", ev, EmitInt(a[0]), EmitInt(a[1]), expect);
    case K::kWrite:
      return fmt::format("run.Write({}, {}, {}, {});", ev, EmitInt(a[0]), EmitInt(a[1]), expect);
    case K::kRecv:
      return fmt::format("run.Recv({}, {}, {}, {}, {});", ev, EmitInt(a[0]), EmitInt(a[1]),
                         EmitInt(a[2]), expect);
    case K::kSend:
      return fmt::format("run.Send({}, {}, {}, {}, {});", ev, EmitInt(a[0]), EmitInt(a[1]),
                         EmitInt(a[2]), expect);
    case K::kRecvmsg:
      return fmt::format("run.Recvmsg({}, {}, {}, {}, {});", ev, EmitInt(a[0]), EmitMsgHdr(s.msg),
                         EmitInt(a[1]), expect);
    case K::kFcntl:
      return fmt::format("run.Fcntl({}, {}, {}, {}, {});", ev, EmitInt(a[0]), EmitInt(a[1]),
                         s.fcntl_arg ? EmitInt(*s.fcntl_arg) : "std::nullopt", expect);
    case K::kSetsockopt:
    case K::kGetsockopt:
      return fmt::format("run.{}({}, {}, {}, {}, {}, {}, {});",
                         s.kind == K::kSetsockopt ? "Setsockopt" : "Getsockopt", ev, EmitInt(a[0]),
                         EmitInt(a[1]), EmitInt(a[2]), EmitSockopt(s.sockopt),
                         a[3].is_ellipsis ? std::string("-1 /*...*/") : EmitInt(a[3]), expect);
  }
  return "";
}

void EmitEvent(Printer& p, const ir::Script& script, const ir::Event& event,
               const EmitOptions& options) {
  std::istringstream lines(event.source_text);
  std::string text;
  while (std::getline(lines, text)) p.Line("// " + CppCommentText(text));
  if (options.line_directives) {
    p.Raw(fmt::format("#line {} {}\n", event.line, CppStringLiteral(script.path)));
  }
  std::string ev = fmt::format("{{{}, {}}}", event.line, EmitTime(event.time));
  if (const auto* packet = std::get_if<ir::TcpPacket>(&event.action)) {
    p.Line(fmt::format("run.{}({}, {});", packet->inbound ? "Inbound" : "Outbound", ev,
                       EmitSegment(*packet)));
  } else if (const auto* call = std::get_if<ir::Syscall>(&event.action)) {
    p.Line(EmitSyscall(ev, *call));
  } else if (const auto* command = std::get_if<ir::Command>(&event.action)) {
    p.Line(fmt::format("run.Command({}, {});", ev, CppStringLiteral(command->text)));
  }
  if (options.line_directives) {
    p.Raw(fmt::format("#line {} {}\n", p.next_line() + 1, CppStringLiteral(options.output_name)));
  }
}

}  // namespace

std::string EmitCpp(const ir::Script& script, const EmitOptions& options) {
  Printer p;
  p.Line(fmt::format("// Generated by pktc{} from {}. DO NOT EDIT.",
                     options.compiler_version.empty() ? "" : " " + options.compiler_version,
                     CppCommentText(script.path)));
  p.Line("#include \"pktc/runtime.h\"");
  p.Line("");
  p.Line("namespace {");
  p.Line("");
  p.Line("namespace rt = pktc::rt;");
  p.Line("");

  for (size_t i = 0; i < script.files.size(); ++i) {
    p.Line(fmt::format("// {}, embedded because a command of the script runs it.",
                       CppCommentText(script.files[i].path)));
    p.Line(fmt::format("constexpr char kFile{}[] = {};", i, CppStringLiteral(script.files[i].contents)));
  }
  if (!script.files.empty()) {
    p.Line("const rt::EmbeddedFile kFiles[] = {");
    p.Indent();
    for (size_t i = 0; i < script.files.size(); ++i) {
      p.Line(fmt::format("{{{}, kFile{}, sizeof(kFile{}) - 1, 0{:o}}},",
                         CppStringLiteral(script.files[i].path), i, i, script.files[i].mode));
    }
    p.Outdent();
    p.Line("};");
    p.Line("");
  }
  if (!script.header_options.empty()) {
    p.Line("const rt::HeaderOption kHeaderOptions[] = {");
    p.Indent();
    for (const auto& [name, value] : script.header_options) {
      p.Line(fmt::format("{{{}, {}}},", CppStringLiteral(name),
                         value ? CppStringLiteral(*value) : "nullptr"));
    }
    p.Outdent();
    p.Line("};");
    p.Line("");
  }

  p.Line("void RunEvents(rt::Run& run) {");
  p.Indent();
  for (const ir::Event& event : script.events) EmitEvent(p, script, event, options);
  p.Outdent();
  p.Line("}");
  p.Line("");
  p.Line("}  // namespace");
  p.Line("");
  p.Line("int main(int argc, char** argv) {");
  p.Indent();
  p.Line("static const rt::ScriptInfo kScript = {");
  p.Indent();
  p.Line(fmt::format(".path = {},", CppStringLiteral(script.path)));
  p.Line(fmt::format(".name = {},", CppStringLiteral(script.name)));
  bool has_options = !script.header_options.empty();
  p.Line(fmt::format(".header_options = {},", has_options ? "kHeaderOptions" : "nullptr"));
  p.Line(fmt::format(".header_option_count = {},", script.header_options.size()));
  p.Line(fmt::format(".files = {},", script.files.empty() ? "nullptr" : "kFiles"));
  p.Line(fmt::format(".file_count = {},", script.files.size()));
  p.Line(fmt::format(".init_command = {},",
                     script.init_command ? CppStringLiteral(*script.init_command) : "nullptr"));
  p.Line(fmt::format(".cleanup_command = {},",
                     script.cleanup_command ? CppStringLiteral(*script.cleanup_command) : "nullptr"));
  p.Line(".body = RunEvents,");
  p.Outdent();
  p.Line("};");
  p.Line("return rt::Main(argc, argv, kScript);");
  p.Outdent();
  p.Line("}");
  return p.str();
}

}  // namespace pktc
