// C++ emission. Generated code only holds data and calls; logic stays in the runtime.
#include "codegen/cpp_emitter.h"

#include <fmt/format.h>

#include <climits>
#include <cstdint>
#include <sstream>

#include "codegen/code_block_emitter.h"
#include "support/printer.h"

namespace pktc {

namespace {

std::string EmitTime(const ir::Time& t) {
  TimeKindSpelling spelling = SpellingOf(t.kind);
  switch (spelling.arguments) {
    case 0: return fmt::format("rt::{}()", spelling.constructor);
    case 1: return fmt::format("rt::{}({})", spelling.constructor, t.start_us);
    default: return fmt::format("rt::{}({}, {})", spelling.constructor, t.start_us, t.end_us);
  }
}

/// A 64-bit integer literal; INT64_MIN has none in C++ (its magnitude does not fit).
std::string Int64(std::int64_t v) {
  if (v == INT64_MIN) return "(-9223372036854775807 - 1)";
  return std::to_string(v);
}

/// An integer operand: a literal with its script spelling as a comment, or a run-time define.
std::string EmitInt(const ir::Int& v) {
  if (!v.define.empty()) {
    return fmt::format("run.Define({}, {}, {})", CppStringLiteral(v.define), Int64(v.value),
                       Int64(v.ipv6_value));
  }
  std::string number = Int64(v.value);
  if (v.spelling.empty() || v.spelling == number) return number;
  return fmt::format("{} /*{}*/", number, v.spelling);
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
  if (o.name == "FO" || o.name == "FOEXP") {
    std::string cookie = fmt::format("{{{}}}", EmitBytes(o.blob));
    if (!o.blob_define.empty()) {
      cookie = fmt::format("run.DefineBytes({}, {}, {{{}}})", CppStringLiteral(o.blob_define),
                           cookie, EmitBytes(o.blob_ipv6));
    }
    return fmt::format("rt::opt::{}({})", o.name == "FO" ? "FastOpen" : "FastOpenExp", cookie);
  }
  if (o.name == "ECN") {
    std::vector<std::string> counters;
    for (std::int64_t v : o.values) counters.push_back(std::to_string(v));
    return fmt::format("rt::opt::AccEcn({}, {{{}}})", o.ecn_kind, fmt::join(counters, ", "));
  }
  if (o.name == "md5") return fmt::format("rt::opt::Md5({{{}}})", EmitBytes(o.blob));
  return "rt::opt::Nop()";  // Unreachable: sema accepts only the names above.
}

/// `.encap = {rt::encap::Ipv4("192.168.0.2", "192.168.0.1"), rt::encap::Gre({.flags = 0x2000,
/// .key = 7})}`: the outer headers, outermost first, with only the fields the script set.
void EmitEncap(const std::vector<ir::Encap>& encaps, std::vector<std::string>& fields) {
  if (encaps.empty()) return;
  std::vector<std::string> headers;
  for (const ir::Encap& e : encaps) {
    switch (e.kind) {
      case ir::Encap::Kind::kIpv4:
      case ir::Encap::Kind::kIpv6: {
        std::vector<std::string> ip;
        if (e.tos) ip.push_back(fmt::format(".tos = 0x{:02x}", e.tos));
        if (e.ttl) ip.push_back(fmt::format(".ttl = {}", e.ttl));
        headers.push_back(fmt::format(
            "rt::encap::{}({}, {}{})", e.kind == ir::Encap::Kind::kIpv4 ? "Ipv4" : "Ipv6",
            CppStringLiteral(e.src), CppStringLiteral(e.dst),
            ip.empty() ? "" : fmt::format(", {{{}}}", fmt::join(ip, ", "))));
        break;
      }
      case ir::Encap::Kind::kGre: {
        std::vector<std::string> gre;
        if (e.gre_flags) gre.push_back(fmt::format(".flags = 0x{:04x}", e.gre_flags));
        if (e.gre_sum) gre.push_back(fmt::format(".sum = 0x{:04x}", e.gre_sum));
        if (e.gre_off) gre.push_back(fmt::format(".off = {}", e.gre_off));
        if (e.gre_key) gre.push_back(fmt::format(".key = {}u", e.gre_key));
        if (e.gre_seq) gre.push_back(fmt::format(".seq = {}u", e.gre_seq));
        headers.push_back(gre.empty()
                              ? "rt::encap::Gre()"
                              : fmt::format("rt::encap::Gre({{{}}})", fmt::join(gre, ", ")));
        break;
      }
      case ir::Encap::Kind::kMpls: {
        std::vector<std::string> entries;
        for (const ir::Encap::MplsEntry& m : e.mpls) {
          entries.push_back(fmt::format("{{.label = {}, .tc = {}, {}.ttl = {}}}", m.label, m.tc,
                                        m.bottom ? ".bottom = true, " : "", m.ttl));
        }
        headers.push_back(fmt::format("rt::encap::Mpls({{{}}})", fmt::join(entries, ", ")));
        break;
      }
    }
  }
  fields.push_back(fmt::format(".encap = {{{}}}", fmt::join(headers, ", ")));
}

void EmitIp(const ir::IpFields& f, std::vector<std::string>& fields) {
  std::vector<std::string> ip;
  if (f.tos) ip.push_back(fmt::format(".tos = 0x{:02x}", *f.tos));
  if (f.ecn) ip.push_back(fmt::format(".ecn = {}", *f.ecn));
  if (f.ecn_ect01) ip.push_back(".ecn_ect01 = true");
  if (f.ttl) ip.push_back(fmt::format(".ttl = {}", *f.ttl));
  if (f.flowlabel) ip.push_back(fmt::format(".flowlabel = 0x{:x}", *f.flowlabel));
  if (!ip.empty()) fields.push_back(fmt::format(".ip = {{{}}}", fmt::join(ip, ", ")));
}

std::string EmitUdp(const ir::UdpPacket& p) {
  std::vector<std::string> fields;
  EmitEncap(p.encap, fields);
  EmitIp(p.ip, fields);
  fields.push_back(fmt::format(".len = {}", p.len));
  if (p.src_port || p.dst_port) {
    fields.push_back(fmt::format(".src_port = {}", p.src_port));
    fields.push_back(fmt::format(".dst_port = {}", p.dst_port));
  }
  return fmt::format("rt::UdpDatagram{{{}}}", fmt::join(fields, ", "));
}

std::string EmitIcmp(const ir::IcmpPacket& p) {
  std::vector<std::string> fields;
  EmitEncap(p.encap, fields);
  EmitIp(p.ip, fields);
  if (p.v4) {
    fields.push_back(fmt::format(".type_v4 = {}, .code_v4 = {}", p.v4->first, p.v4->second));
  }
  if (p.v6) {
    fields.push_back(fmt::format(".type_v6 = {}, .code_v6 = {}", p.v6->first, p.v6->second));
  }
  if (p.v4) fields.push_back(".has_v4 = true");
  if (p.v6) fields.push_back(".has_v6 = true");
  if (p.mtu) fields.push_back(fmt::format(".mtu = {}", *p.mtu));
  if (p.id) fields.push_back(fmt::format(".id = {}", *p.id));
  if (p.echoed != "tcp") {
    fields.push_back(fmt::format(".echoed = rt::IcmpMessage::Echoed::{}",
                                 p.echoed == "udp" ? "kUdp" : "kRaw"));
  }
  fields.push_back(fmt::format(".echoed_seq = {}u", p.echoed_seq));
  fields.push_back(fmt::format(".echoed_len = {}", p.echoed_len));
  return fmt::format("rt::IcmpMessage{{{}}}", fmt::join(fields, ", "));
}

std::string EmitSegment(const ir::TcpPacket& p) {
  std::vector<std::string> fields;
  EmitEncap(p.encap, fields);
  EmitIp(p.ip, fields);
  fields.push_back(".flags = " + EmitFlags(p.flags));
  if (p.ace) fields.push_back(fmt::format(".ace = {}", *p.ace));
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
  if (e.errno_name.empty()) return fmt::format("{{.result = {}}}", Int64(e.result));
  return fmt::format("{{.result = {}, .err = {}, .err_name = {}}}", Int64(e.result), e.errno_value,
                     CppStringLiteral(e.errno_name));
}

std::string EmitValue(const ir::Value& v) {
  switch (v.kind) {
    case ir::Value::Kind::kEllipsis: return "rt::Dots()";
    case ir::Value::Kind::kInt: return fmt::format("rt::Int({})", EmitInt(v.int_value));
    case ir::Value::Kind::kString:
      // With the length: the bytes may hold NULs (\x00, inet6_addr("::1")).
      return fmt::format("rt::Str(std::string({}, {}){}){}", CppStringLiteral(v.bytes),
                         v.bytes.size(), v.truncated ? ", true" : "",
                         v.spelling.empty() ? "" : " /*" + CppCommentText(v.spelling) + "*/");
    case ir::Value::Kind::kList:
    case ir::Value::Kind::kStruct: {
      std::vector<std::string> items;
      for (const ir::Value& item : v.items) items.push_back(EmitValue(item));
      std::vector<std::string> fields;
      for (const ir::Field& f : v.fields) {
        if (f.paren.empty()) {
          fields.push_back(fmt::format("rt::Named({}, {})", CppStringLiteral(f.name),
                                       EmitValue(f.value)));
        } else {
          fields.push_back(fmt::format("rt::NamedWithArg({}, {}, {})", CppStringLiteral(f.name),
                                       EmitValue(f.paren[0]), EmitValue(f.value)));
        }
      }
      if (v.kind == ir::Value::Kind::kList && fields.empty()) {
        return fmt::format("rt::List({{{}}})", fmt::join(items, ", "));
      }
      return fmt::format("rt::{}({{{}}}, {{{}}})",
                         v.kind == ir::Value::Kind::kList ? "ListWithFields" : "Struct",
                         fmt::join(items, ", "), fmt::join(fields, ", "));
    }
  }
  return "rt::Dots()";
}

std::string EmitSyscall(const std::string& ev, const ir::Syscall& s) {
  if (s.failure) {
    return fmt::format("run.FailingSyscall({}, {}, {});", ev, CppStringLiteral(s.name),
                       CppStringLiteral(*s.failure));
  }
  std::vector<std::string> args;
  for (const ir::Value& v : s.args) args.push_back(EmitValue(v));
  return fmt::format("run.Syscall({}, rt::SyscallId::k{}, {{{}}}, {});", ev,
                     SpecOf(s.id).enumerator,
                     fmt::join(args, ", "), EmitExpect(s.expect));
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
  } else if (const auto* udp = std::get_if<ir::UdpPacket>(&event.action)) {
    p.Line(fmt::format("run.{}({}, {});", udp->inbound ? "Inbound" : "Outbound", ev, EmitUdp(*udp)));
  } else if (const auto* icmp = std::get_if<ir::IcmpPacket>(&event.action)) {
    p.Line(fmt::format("run.{}({}, {});", icmp->inbound ? "Inbound" : "Outbound", ev,
                       EmitIcmp(*icmp)));
  } else if (const auto* call = std::get_if<ir::Syscall>(&event.action)) {
    if (call->returns) {
      ev = fmt::format("{{{}, {}, {}}}", event.line, EmitTime(event.time), call->returns->start_us);
    }
    p.Line(EmitSyscall(ev, *call));
  } else if (const auto* command = std::get_if<ir::Command>(&event.action)) {
    p.Line(fmt::format("run.Command({}, {});", ev, CppStringLiteral(command->text)));
  } else if (const auto* code = std::get_if<ir::Code>(&event.action)) {
    if (code->native) {
      p.Line(fmt::format("run.Code({}, {});", ev, code->function_name));
    } else {
      p.Line(fmt::format("run.CodePython({}, {});", ev, CppStringLiteral(code->python_text)));
    }
  }
  if (options.line_directives) {
    p.Raw(fmt::format("#line {} {}\n", p.next_line() + 1, CppStringLiteral(options.output_name)));
  }
}

/// The script's bytes, one literal per line, for wire mode.
void EmitScriptText(Printer& p, const std::string& text) {
  p.Line("// The script itself: a wire client sends it, a wire server compares it.");
  p.Line("constexpr char kScriptText[] =");
  p.Indent();
  std::size_t start = 0;
  do {
    std::size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    p.Line(CppStringLiteral(std::string_view(text).substr(start, end - start)));
    start = end;
  } while (start < text.size());
  p.Outdent();
  p.Line(";");
  p.Line("");
}

/// The name of an embedded file's bytes in a suite: the same for the same contents in every
/// script, so that the linker merges the copies (they are inline variables, in COMDAT groups).
std::string EmbeddedDataName(const std::string& contents) {
  std::uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a
  for (unsigned char c : contents) hash = (hash ^ c) * 0x100000001b3ull;
  return fmt::format("k{:016x}_{}", hash, contents.size());
}

}  // namespace

std::string EmitCpp(const ir::Script& script, const EmitOptions& options) {
  Printer p;
  p.Line(fmt::format("// Generated by pktc{} from {}. DO NOT EDIT.",
                     options.compiler_version.empty() ? "" : " " + options.compiler_version,
                     CppCommentText(script.path)));
  p.Line("#include \"pktc/runtime.h\"");
  p.Line("");
  bool in_suite = options.suite_index >= 0;
  std::vector<std::string> file_data;  // The expression naming each embedded file's bytes.
  if (in_suite && !script.files.empty()) {
    p.Line("// Embedded files, named by their contents: one copy in the suite for all scripts.");
    p.Line("namespace pktc_embedded {");
    for (size_t i = 0; i < script.files.size(); ++i) {
      std::string name = EmbeddedDataName(script.files[i].contents);
      p.Line(fmt::format("// {}, embedded because a command of the script runs it.",
                         CppCommentText(script.files[i].path)));
      p.Line(fmt::format("inline constexpr char {}[] = {};", name,
                         CppStringLiteral(script.files[i].contents)));
      file_data.push_back("pktc_embedded::" + name);
    }
    p.Line("}  // namespace pktc_embedded");
    p.Line("");
  }
  p.Line("namespace {");
  p.Line("");
  p.Line("namespace rt = pktc::rt;");
  p.Line("");

  if (!in_suite) {
    for (size_t i = 0; i < script.files.size(); ++i) {
      p.Line(fmt::format("// {}, embedded because a command of the script runs it.",
                         CppCommentText(script.files[i].path)));
      p.Line(fmt::format("constexpr char kFile{}[] = {};", i,
                         CppStringLiteral(script.files[i].contents)));
      file_data.push_back(fmt::format("kFile{}", i));
    }
  }
  if (!script.files.empty()) {
    p.Line("const rt::EmbeddedFile kFiles[] = {");
    p.Indent();
    for (size_t i = 0; i < script.files.size(); ++i) {
      p.Line(fmt::format("{{{}, {}, sizeof({}) - 1, 0{:o}}},",
                         CppStringLiteral(script.files[i].path), file_data[i], file_data[i],
                         script.files[i].mode));
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

  if (!script.family_errors.empty()) {
    p.Line("// Names that exist in one IP family only: the other family's run fails at that line.");
    p.Line("const rt::FamilyError kFamilyErrors[] = {");
    p.Indent();
    for (const ir::FamilyError& e : script.family_errors) {
      p.Line(fmt::format("{{{}, {}, {}}},", e.line, e.family, CppStringLiteral(e.message)));
    }
    p.Outdent();
    p.Line("};");
    p.Line("");
  }
  for (const ir::Event& event : script.events) {
    const auto* code = std::get_if<ir::Code>(&event.action);
    if (!code || !code->native) continue;
    EmitCodeBlockFunction(p, code->block, code->function_name);
    p.Line("");
  }
  p.Line("void RunEvents(rt::Run& run) {");
  p.Indent();
  for (const ir::Event& event : script.events) EmitEvent(p, script, event, options);
  p.Outdent();
  p.Line("}");
  p.Line("");
  EmitScriptText(p, script.text);
  p.Line("}  // namespace");
  p.Line("");
  if (in_suite) {
    p.Line("namespace pktc_suite {");
    p.Line("");
    p.Line(fmt::format("const pktc::rt::ScriptInfo& Script{}() {{", options.suite_index));
    p.Indent();
    p.Line("namespace rt = pktc::rt;");
  } else {
    p.Line("int main(int argc, char** argv) {");
    p.Indent();
  }
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
  p.Line(".text = kScriptText,");
  p.Line(".text_size = sizeof(kScriptText) - 1,");
  if (!script.family_errors.empty()) {
    p.Line(".family_errors = kFamilyErrors,");
    p.Line(fmt::format(".family_error_count = {},", script.family_errors.size()));
  }
  p.Outdent();
  p.Line("};");
  if (in_suite) {
    p.Line("return kScript;");
    p.Outdent();
    p.Line("}");
    p.Line("");
    p.Line("}  // namespace pktc_suite");
    return p.str();
  }
  p.Line("return rt::Main(argc, argv, kScript);");
  p.Outdent();
  p.Line("}");
  return p.str();
}

std::string EmitSuiteMain(std::size_t count, const std::string& compiler_version) {
  Printer p;
  p.Line(fmt::format("// Generated by pktc{}: the main() of a suite of {} scripts. DO NOT EDIT.",
                     compiler_version.empty() ? "" : " " + compiler_version, count));
  p.Line("#include \"pktc/runtime.h\"");
  p.Line("");
  p.Line("namespace pktc_suite {");
  for (std::size_t i = 0; i < count; ++i) {
    p.Line(fmt::format("const pktc::rt::ScriptInfo& Script{}();", i));
  }
  p.Line("}  // namespace pktc_suite");
  p.Line("");
  p.Line("int main(int argc, char** argv) {");
  p.Indent();
  p.Line("static const pktc::rt::ScriptInfo* const kScripts[] = {");
  p.Indent();
  for (std::size_t i = 0; i < count; ++i) {
    p.Line(fmt::format("&pktc_suite::Script{}(),", i));
  }
  p.Outdent();
  p.Line("};");
  p.Line(fmt::format("return pktc::rt::SuiteMain(argc, argv, kScripts, {});", count));
  p.Outdent();
  p.Line("}");
  return p.str();
}

}  // namespace pktc
