// Semantic checks and lowering to IR.
#include "sema/sema.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <climits>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sema/code_block_check.h"
#include "sema/icmp_names.h"
#include "sema/embedded_files.h"
#include "llvm/ADT/StringRef.h"
#include "option_table.h"
#include "pktc/symbols.h"
#include "pktc/syscall.h"

namespace pktc {

namespace {

/// Defines the kernel's kselftest runner passes with different values per family. A script
/// compiled once runs both families, so these resolve at run time unless `-D` fixes them.
struct FamilyDefine {
  const char* name;
  const char* ipv4_symbol;
  const char* ipv6_symbol;
};
constexpr FamilyDefine kFamilyDefines[] = {
    {"CMSG_LEVEL_IP", "SOL_IP", "SOL_IPV6"},
    {"CMSG_TYPE_RECVERR", "IP_RECVERR", "IPV6_RECVERR"},
};

/// Byte-string (hex) defines the kselftest runner passes per family: TFO cookies for the
/// fixed key that defaults.sh installs and the runner's addresses.
struct FamilyBytesDefine {
  const char* name;
  const char* ipv4;
  const char* ipv6;
};
constexpr FamilyBytesDefine kFamilyBytesDefines[] = {
    {"TFO_COOKIE", "3021b9d889017eeb", "c1d1e9742a47a9bc"},
    {"TFO_COOKIE_ZERO", "b7c12350a90dc8f5", "82af1a8f9a205c34"},
};

const FamilyBytesDefine* FindFamilyBytesDefine(const std::string& name) {
  for (const FamilyBytesDefine& d : kFamilyBytesDefines) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

std::vector<std::uint8_t> HexBytes(const char* hex) {
  std::vector<std::uint8_t> out;
  for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex + i, 2), nullptr, 16)));
  }
  return out;
}

class Checker {
 public:
  Checker(const SemaOptions& options, DiagnosticEngine& diags) : options_(options), diags_(diags) {}

  std::optional<ir::Script> Run(const ast::Script& script);

 private:
  void CheckOptions(const ast::Script& script, ir::Script& out);
  void SuggestOption(const ast::Option& option);
  void CheckTimes(const ast::Script& script);
  /// Embeds the helper files a command (run from the script's directory) names.
  void Embed(const std::string& command, SourceRange where, ir::Script& out);
  /// Embeds the file at `path` (relative to the script's directory) and, transitively, the
  /// files it names. False if there is no such file.
  bool EmbedFile(const std::string& path, SourceRange where, ir::Script& out);
  std::optional<ir::TcpPacket> LowerPacket(const ast::Packet& packet, const ast::Event& event);
  std::optional<ir::UdpPacket> LowerUdp(const ast::Packet& packet);
  std::optional<ir::IcmpPacket> LowerIcmp(const ast::Packet& packet, unsigned line,
                                          std::vector<ir::FamilyError>& family_errors);
  bool LowerIpInfo(const ast::Packet& packet, bool inbound, bool tcp, ir::IpFields* out);
  /// The outer headers of `packet`, outermost first, checked as packetdrill's parser does.
  bool LowerEncaps(const ast::Packet& packet, std::vector<ir::Encap>* out);
  bool LowerOuterIp(const ast::Encap& encap, ir::Encap* out);
  bool LowerGre(const ast::Encap& encap, ir::Encap* out);
  bool LowerMpls(const ast::Encap& encap, ir::Encap* out);
  /// A `{flags ...}` GRE header or `{(label ...)...}` MPLS stack argument: the bytes
  /// packetdrill hands to setsockopt (its struct gre, its struct mpls_stack).
  std::optional<ir::Value> LowerEncapValue(const ast::Encap& encap);
  bool LowerPorts(const ast::Packet& packet, std::uint16_t* src, std::uint16_t* dst);
  std::optional<ir::Value> LowerValue(const ast::Expr& e, int depth = 0);
  std::optional<std::uint16_t> LowerFlags(const ast::Packet& packet);
  bool CheckOptionSpace(const ast::Packet& packet);
  /// A call, or one that fails when it runs (ir::Syscall::failure; see RunTimeError).
  std::optional<ir::Syscall> LowerSyscall(const ast::Syscall& call);
  std::optional<ir::Syscall> LowerSyscallParts(const ast::Syscall& call);
  bool ArgCount(const ast::Syscall& call, size_t min, size_t max);
  bool RequireEllipsis(const ast::Expr& e, const char* what);
  std::optional<ir::Int> LowerInt(const ast::Expr& e, bool allow_ellipsis = false);
  std::optional<ir::Int> LowerSymbol(const ast::Expr& e);
  std::optional<ir::Expect> LowerExpect(const ast::Syscall& call);
  std::optional<std::string> Unescape(const ast::Expr& e);
  static ir::SourceLocation Loc(SourceRange range) { return {range.Start.getPointer()}; }
  void Error(SourceRange range, const llvm::Twine& message) {
    diags_.Error(range.Start, message, range);
  }
  /// A check packetdrill makes only when the call runs: while a system call is lowered, a
  /// warning, and the first one becomes the call's failure at its line (`at_run_time`, worded
  /// as packetdrill's run prints it), so the test fails where packetdrill fails; elsewhere an
  /// error.
  void RunTimeError(SourceRange range, const std::string& message, const std::string& at_run_time) {
    if (!lowering_call_) {
      Error(range, message);
      return;
    }
    diags_.Warning(range.Start, message + "; the test fails here when this call runs, as packetdrill's does", range);
    if (!call_failure_) call_failure_ = at_run_time;
  }
  std::string SourceText(SourceRange range) const {
    return std::string(range.Start.getPointer(), range.End.getPointer());
  }

  const SemaOptions& options_;
  DiagnosticEngine& diags_;
  bool lowering_call_ = false;                ///< Inside LowerSyscall (see RunTimeError).
  std::optional<std::string> call_failure_;  ///< Its first run-time failure.
  std::set<std::string> embedded_paths_;
  CodeBlockScope code_scope_;  // The script's code blocks share one Python namespace.
};

std::optional<ir::Script> Checker::Run(const ast::Script& script) {
  ir::Script out;
  out.path = options_.script_path;
  std::string base = options_.script_path;
  if (size_t slash = base.rfind('/'); slash != std::string::npos) base = base.substr(slash + 1);
  if (base.size() > 4 && base.substr(base.size() - 4) == ".pkt") base.resize(base.size() - 4);
  out.name = base;

  CheckOptions(script, out);
  if (script.events.empty() && !options_.after_syntax_errors) {
    llvm::SourceMgr& sources = diags_.sources();
    const char* start = sources.getMemoryBuffer(sources.getMainFileID())->getBufferStart();
    diags_.Error(SourceLoc::getFromPointer(start),
                 "script has no events (at least one timed event is required)");
  }
  if (!options_.after_syntax_errors) CheckTimes(script);

  if (script.init_command) {
    out.init_command = script.init_command->text;
    Embed(script.init_command->text, script.init_command->range, out);
  }
  if (script.cleanup_command) {
    out.cleanup_command = script.cleanup_command->text;
    Embed(script.cleanup_command->text, script.cleanup_command->range, out);
  }

  int native_code_blocks = 0;  // Numbers the functions of native code blocks, in order.
  for (const ast::Event& event : script.events) {
    ir::Event ev;
    ev.line = diags_.LineOf(event.range.Start);
    ev.source_text = SourceText(event.range);
    ev.time = ir::Time{event.time.kind, event.time.start_us,
                       event.time.end_us};
    ev.loc = Loc(event.range);
    bool is_outbound = false;
    if (const auto* packet = std::get_if<ast::Packet>(&event.action)) {
      is_outbound = packet->direction == '>';
      if (packet->psp) {
        out.unsupported.push_back(
            {Loc(packet->seq_range),
             "PSP encapsulation needs a PSP-capable device and keys, which pktc's wire mode does "
             "not handle yet"});
      }
      std::vector<ir::Encap> encaps;
      bool ok = LowerEncaps(*packet, &encaps);
      switch (packet->protocol) {
        case ast::Packet::Protocol::kTcp: {
          std::optional<ir::TcpPacket> lowered = LowerPacket(*packet, event);
          if (lowered && ok) {
            lowered->encap = std::move(encaps);
            ev.action = std::move(*lowered);
          }
          ok &= lowered.has_value();
          break;
        }
        case ast::Packet::Protocol::kUdp: {
          std::optional<ir::UdpPacket> lowered = LowerUdp(*packet);
          if (lowered && ok) {
            lowered->encap = std::move(encaps);
            ev.action = std::move(*lowered);
          }
          ok &= lowered.has_value();
          break;
        }
        case ast::Packet::Protocol::kIcmp: {
          std::optional<ir::IcmpPacket> lowered = LowerIcmp(*packet, ev.line, out.family_errors);
          if (lowered && ok) {
            lowered->encap = std::move(encaps);
            ev.action = std::move(*lowered);
          }
          ok &= lowered.has_value();
          break;
        }
      }
      if (!ok) continue;
    } else if (const auto* call = std::get_if<ast::Syscall>(&event.action)) {
      std::optional<ir::Syscall> lowered = LowerSyscall(*call);
      if (!lowered) continue;
      if (call->blocking_end) {
        if (call->blocking_end->start_us < event.time.start_us) {
          Error(call->blocking_end->range, "a blocking call cannot return before it starts");
          continue;
        }
        lowered->returns = ir::Time{event.time.kind,
                                    call->blocking_end->start_us, call->blocking_end->start_us};
      }
      ev.action = std::move(*lowered);
    } else if (const auto* command = std::get_if<ast::Command>(&event.action)) {
      Embed(command->text, command->range, out);
      ev.action = ir::Command{command->text};
    } else if (const auto* code = std::get_if<ast::Code>(&event.action)) {
      std::optional<CodeBlock> block =
          CheckCodeBlock(code->text, CodeBlockBodyStart(code->range), diags_, code_scope_);
      if (!block) continue;
      ir::Code lowered;
      lowered.python_text = code->text;
      lowered.native = !block->needs_python;
      if (lowered.native) {
        lowered.function_name = "CodeBlock" + std::to_string(native_code_blocks++);
        lowered.block = std::move(block->block);
      }
      ev.action = std::move(lowered);
    }
    bool special_time = event.time.kind == ast::TimeKind::kAnyTime ||
                        event.time.kind == ast::TimeKind::kAbsoluteRange ||
                        event.time.kind == ast::TimeKind::kRelativeRange;
    if (special_time && !is_outbound) {
      Error(event.time.range,
            "'*' and time ranges are only allowed on outbound packets ('>' lines)");
      continue;
    }
    out.events.push_back(std::move(ev));
  }
  // One block that needs Python sends them all there, so they keep sharing variables.
  if (code_scope_.python) {
    for (ir::Event& e : out.events) {
      auto* code = std::get_if<ir::Code>(&e.action);
      if (!code) continue;
      code->native = false;
      code->function_name.clear();
      code->block = {};
    }
  }
  if (diags_.HadErrors()) return std::nullopt;
  return out;
}

void Checker::CheckOptions(const ast::Script& script, ir::Script& out) {
  for (const ast::Option& option : script.options) {
    const OptionSpec* spec = FindOption(option.name);
    if (!spec) {
      Error(option.range, "unknown option '--" + option.name + "'");
      SuggestOption(option);
      continue;
    }
    if (spec->scope == OptionScope::kCommandLine) {
      Error(option.range, "option '--" + option.name +
                              "' is a flag of the test binary, not of a script header");
      continue;
    }
    // The test binary's own parser, so a value it would refuse at run time fails here.
    Options scratch;
    std::string error;
    if (spec->status == OptionStatus::kUnsupported) {
      // --check accepts the whole language; building refuses it (runtime_support.cc).
      ApplyOption(*spec, option.value, &scratch, &error);
      out.unsupported.push_back({Loc(option.range), error});
      out.header_options.emplace_back(option.name, option.value);
      continue;
    }
    if (!ApplyOption(*spec, option.value, &scratch, &error)) {
      Error(option.range, error);
      continue;
    }
    if (spec->id == OptionId::kDefine) continue;  // Applied by the lexer.
    if (spec->id == OptionId::kInitScripts) {
      for (llvm::StringRef rest = *option.value; !rest.empty();) {
        auto [command, tail] = rest.split(',');
        Embed(command.str(), option.range, out);
        rest = tail;
      }
    }
    out.header_options.emplace_back(option.name, option.value);
  }
}

void Checker::SuggestOption(const ast::Option& option) {
  std::string_view best;
  unsigned best_distance = 3;  // More edits than this is another word, not a typo.
  for (const OptionSpec& spec : AllOptions()) {
    if (spec.scope != OptionScope::kAnywhere) continue;
    unsigned d = llvm::StringRef(spec.name).edit_distance(option.name, true, best_distance);
    if (d < best_distance) {
      best_distance = d;
      best = spec.name;
    }
  }
  if (!best.empty()) diags_.Note(option.range.Start, "did you mean '--" + std::string(best) + "'?");
}

void Checker::CheckTimes(const ast::Script& script) {
  if (script.events.empty()) return;
  const ast::Time& first = script.events.front().time;
  if (first.start_us != 0 || first.kind == ast::TimeKind::kAnyTime) {
    Error(first.range, "first event should be at time 0");
  }
  const ast::Time* prev = nullptr;
  for (const ast::Event& event : script.events) {
    const ast::Time& t = event.time;
    bool absolute = t.kind == ast::TimeKind::kAbsolute || t.kind == ast::TimeKind::kAbsoluteRange;
    if (prev && absolute && t.start_us < prev->start_us) {
      Error(t.range, "time goes backward in script");
    }
    if (absolute) prev = &t;
  }
}

void Checker::Embed(const std::string& command, SourceRange where, ir::Script& out) {
  for (const std::string& path : RelativePathsInCommand(command)) {
    if (EmbedFile(path, where, out)) continue;
    // The command runs from the script's directory: a file missing there now fails the run
    // (as under packetdrill) unless it appears before the test runs.
    diags_.Warning(where.Start,
                   "the command names '" + path + "', which is not a file next to the script (" +
                       (options_.script_dir.empty() ? path : options_.script_dir + "/" + path) +
                       "); the test binary will not carry it",
                   where);
  }
}

bool Checker::EmbedFile(const std::string& path, SourceRange where, ir::Script& out) {
  if (embedded_paths_.count(path)) return true;
  std::string full = options_.script_dir.empty() ? path : options_.script_dir + "/" + path;
  struct stat st;
  if (stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  std::ifstream in(full, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  if (!in) {
    Error(where, "cannot read '" + full + "', which the command runs");
    return true;
  }
  embedded_paths_.insert(path);
  out.files.push_back({path, contents.str(), static_cast<unsigned>(st.st_mode & 07777), full});
  // What a helper sources or runs by a relative path goes along, at the same relative place:
  // relative to the script's directory, where commands run, or else to the helper's own
  // (a helper that changes into its directory first). Names that are neither stay out.
  std::string text = out.files.back().contents;
  std::string helper_dir = path.find('/') == std::string::npos ? "" : path.substr(0, path.rfind('/'));
  for (const std::string& named : RelativePathsInHelper(text)) {
    if (!EmbedFile(named, where, out) && !helper_dir.empty()) {
      EmbedFile(NormalizeRelativePath(helper_dir + "/" + named), where, out);
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Packets

std::optional<std::uint16_t> Checker::LowerFlags(const ast::Packet& packet) {
  std::uint16_t flags = 0;
  bool digit = false;
  bool ecn_letter = false;
  for (char c : packet.flags) {
    switch (c) {
      case 'F': flags |= 0x01; break;
      case 'S': flags |= 0x02; break;
      case 'R': flags |= 0x04; break;
      case 'P': flags |= 0x08; break;
      case '.': flags |= 0x10; break;
      case 'U': flags |= 0x20; break;
      case 'E': flags |= 0x40; ecn_letter = true; break;
      case 'W': flags |= 0x80; ecn_letter = true; break;
      case 'A': flags |= 0x100; ecn_letter = true; break;
      default:
        if (c >= '0' && c <= '7') {
          if (digit) {
            Error(packet.flags_range, "conflicting TCP flags in '" + packet.flags +
                                          "': only one ACE digit is allowed");
            return std::nullopt;
          }
          digit = true;
          // The ACE field: AE=4, CWR=2, ECE=1.
          int ace = c - '0';
          flags |= (ace & 4 ? 0x100 : 0) | (ace & 2 ? 0x80 : 0) | (ace & 1 ? 0x40 : 0);
          break;
        }
        Error(packet.flags_range, "invalid TCP flag '" + std::string(1, c) + "' in '" +
                                      packet.flags + "' (valid: F S R P U . E W A and 0-7)");
        return std::nullopt;
    }
  }
  if (digit && ecn_letter) {
    Error(packet.flags_range, "conflicting TCP flags in '" + packet.flags +
                                  "': an ACE digit cannot be combined with E, W or A");
    return std::nullopt;
  }
  return flags;
}

bool Checker::CheckOptionSpace(const ast::Packet& packet) {
  size_t bytes = 0;
  for (const ast::TcpOption& o : packet.options) {
    if (o.name == "nop" || o.name == "eol") bytes += 1;
    else if (o.name == "mss") bytes += 4;
    else if (o.name == "wscale") bytes += 3;
    else if (o.name == "sackOK") bytes += 2;
    else if (o.name == "sack") bytes += 2 + 4 * o.values.size();
    else if (o.name == "TS") bytes += 10;
    else if (o.name == "FO") bytes += 2 + o.blob.size();
    else if (o.name == "FOEXP") bytes += 4 + o.blob.size();
    else if (o.name == "md5") bytes += 2 + o.blob.size();
    else if (o.name == "ECN") bytes += 2 + 3 * o.values.size();
  }
  if (bytes > 40) {
    Error(packet.options.front().range, "TCP options take " + std::to_string(bytes) +
                                            " bytes; at most 40 fit in a TCP header");
    return false;
  }
  if (bytes % 4 != 0) {
    SourceRange range(packet.options.front().range.Start, packet.options.back().range.End);
    Error(range, "TCP options are not padded correctly: they take " + std::to_string(bytes) +
                     " bytes, not a multiple of 4 (add nop options)");
    return false;
  }
  return true;
}

bool Checker::LowerIpInfo(const ast::Packet& packet, bool inbound, bool tcp, ir::IpFields* out) {
  if (!packet.has_ip_info) return true;
  const ast::IpInfo& ip = packet.ip;
  bool ok = true;
  if (ip.ecn) {
    if (!tcp && *ip.ecn != "ect01") {
      Error(ip.range, "ECN can only be used with TCP packets");
      ok = false;
    }
    if (*ip.ecn == "ect01") {
      if (inbound) {
        Error(ip.range, "[ect01] can only be used with outbound packets");
        ok = false;
      }
      out->ecn_ect01 = true;
    } else {
      out->ecn = *ip.ecn == "noecn" ? 0 : *ip.ecn == "ect1" ? 1 : *ip.ecn == "ect0" ? 2 : 3;
    }
  }
  if (ip.tos) {
    if (*ip.tos < 0 || *ip.tos > 255) {
      Error(ip.range, "TOS must fit in one byte");
      ok = false;
    }
    out->tos = static_cast<std::uint8_t>(*ip.tos);
  }
  if (ip.ttl) {
    if (*ip.ttl < 0 || *ip.ttl > 255) {
      Error(ip.range, "TTL must be between 0 and 255");
      ok = false;
    }
    // packetdrill's sentinel: 0 means "default" (255), and 255 is never checked outbound.
    if (*ip.ttl != 0 && !(*ip.ttl == 255 && !inbound)) out->ttl = static_cast<std::uint8_t>(*ip.ttl);
  }
  if (ip.flowlabel) {
    if (*ip.flowlabel < 0 || *ip.flowlabel > 0xfffff) {
      Error(ip.range, "an IPv6 flow label has 20 bits");
      ok = false;
    }
    out->flowlabel = static_cast<std::uint32_t>(*ip.flowlabel);
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Encapsulation (packetdrill's packet_prefix, gre_header_expression and mpls_stack)

namespace {
/// packetdrill's PACKET_MAX_HEADERS: the outer headers and the inner IP and transport ones.
constexpr size_t kMaxHeaders = 6;
/// packetdrill's MPLS_STACK_MAX_ENTRIES.
constexpr size_t kMaxMplsEntries = 6;
constexpr std::int64_t kGreFlagRouting = 0x4000;
}  // namespace

bool Checker::LowerEncaps(const ast::Packet& packet, std::vector<ir::Encap>* out) {
  bool ok = true;
  for (size_t i = 0; i < packet.encaps.size(); ++i) {
    const ast::Encap& encap = packet.encaps[i];
    if (i + 2 == kMaxHeaders) {
      Error(encap.range, "too many headers: a packet has at most " + std::to_string(kMaxHeaders) +
                             ", its own IP and transport headers included");
      return false;
    }
    ir::Encap lowered;
    lowered.text = encap.Dump();
    if (encap.kind == "ipv4" || encap.kind == "ipv6") {
      ok &= LowerOuterIp(encap, &lowered);
    } else if (encap.kind == "gre") {
      ok &= LowerGre(encap, &lowered);
    } else {
      ok &= LowerMpls(encap, &lowered);
    }
    out->push_back(std::move(lowered));
  }
  return ok;
}

bool Checker::LowerOuterIp(const ast::Encap& encap, ir::Encap* out) {
  out->kind = encap.kind == "ipv4" ? ir::Encap::Kind::kIpv4 : ir::Encap::Kind::kIpv6;
  out->src = encap.src;
  out->dst = encap.dst;
  // The lexer's address patterns are wider than inet_pton(): 300.1.1.1 is a token.
  int family = encap.kind == "ipv4" ? AF_INET : AF_INET6;
  std::uint8_t bytes[16];
  for (const std::string* address : {&encap.src, &encap.dst}) {
    if (inet_pton(family, address->c_str(), bytes) == 1) continue;
    bool src = address == &encap.src;
    Error(src ? encap.src_range : encap.dst_range,
          "bad " + std::string(family == AF_INET ? "IPv4" : "IPv6") + " " + (src ? "src" : "dst") +
              " address: '" + *address + "'");
    return false;
  }
  if (!encap.has_ip_info) return true;
  // packetdrill keeps only the byte and the TTL of an outer header's ip_info: an ECN keyword is
  // its two bits (outbound, the inner packet's ip_info says how every IP layer is checked).
  const ast::IpInfo& ip = encap.ip;
  bool ok = true;
  if (ip.tos && (*ip.tos < 0 || *ip.tos > 255)) {
    Error(ip.range, "tos out of range for 8 bits");
    ok = false;
  }
  if (ip.ttl && (*ip.ttl < 0 || *ip.ttl > 255)) {
    Error(ip.range, "TTL must be between 0 and 255");
    ok = false;
  }
  if (!ok) return false;
  std::int64_t byte = ip.tos.value_or(0);
  if (ip.ecn && *ip.ecn != "ect01") {
    byte |= *ip.ecn == "noecn" ? 0 : *ip.ecn == "ect1" ? 1 : *ip.ecn == "ect0" ? 2 : 3;
  }
  out->tos = static_cast<std::uint8_t>(byte);
  out->ttl = static_cast<std::uint8_t>(ip.ttl.value_or(0));
  if (ip.flowlabel) {
    diags_.Warning(ip.range.Start,
                   "the flow label of an outer header is ignored (packetdrill "
                   "sends 0 and checks only the inner packet's)",
                   ip.range);
  }
  return true;
}

bool Checker::LowerGre(const ast::Encap& encap, ir::Encap* out) {
  out->kind = ir::Encap::Kind::kGre;
  const ast::GreHeader& g = encap.gre;
  if (!g.full) return true;
  bool ok = true;
  auto check = [&](std::int64_t v, int bits, const char* what, SourceRange range) {
    if (v >= 0 && v < (std::int64_t{1} << bits)) return;
    Error(range,
          std::string("GRE ") + what + " out of range for " + std::to_string(bits) + " bits");
    ok = false;
  };
  check(g.flags, 16, "flags", g.flags_range);
  check(g.sum, 16, "sum", g.sum_range);
  check(g.off, 16, "off", g.off_range);
  check(g.key, 32, "key", g.key_range);
  check(g.seq, 32, "seq", g.seq_range);
  if (!ok) return false;
  // packetdrill's gre_len() asserts both: a routing header has a variable length.
  if (g.flags & kGreFlagRouting) {
    Error(g.flags_range,
          "GRE routing (flag 0x4000) is not supported: packetdrill handles "
          "headers without routing information only");
    return false;
  }
  if (g.flags & 7) {
    Error(g.flags_range, "GRE version " + std::to_string(g.flags & 7) +
                             " is not supported: packetdrill handles version 0 only");
    return false;
  }
  out->gre_flags = static_cast<std::uint16_t>(g.flags);
  out->gre_sum = static_cast<std::uint16_t>(g.sum);
  out->gre_off = static_cast<std::uint16_t>(g.off);
  out->gre_key = static_cast<std::uint32_t>(g.key);
  out->gre_seq = static_cast<std::uint32_t>(g.seq);
  return true;
}

bool Checker::LowerMpls(const ast::Encap& encap, ir::Encap* out) {
  out->kind = ir::Encap::Kind::kMpls;
  bool ok = true;
  for (const ast::MplsEntry& e : encap.mpls) {
    // new_mpls_stack_entry()'s checks and messages, then mpls_stack_append()'s.
    if (e.label < 0 || e.label >= (1 << 20)) {
      Error(e.range, "MPLS label out of range for 20 bits");
      ok = false;
    } else if (e.tc < 0 || e.tc >= (1 << 3)) {
      Error(e.range, "MPLS traffic_class out of range for 3 bits");
      ok = false;
    } else if (e.ttl < 0 || e.ttl >= (1 << 8)) {
      Error(e.range, "MPLS ttl out of range for 8 bits");
      ok = false;
    } else if (out->mpls.size() == kMaxMplsEntries) {
      Error(e.range, "too many MPLS labels (at most " + std::to_string(kMaxMplsEntries) + ")");
      return false;
    }
    out->mpls.push_back({static_cast<std::uint32_t>(e.label), static_cast<std::uint8_t>(e.tc),
                         e.bottom, static_cast<std::uint8_t>(e.ttl)});
  }
  return ok;
}

std::optional<ir::Value> Checker::LowerEncapValue(const ast::Encap& encap) {
  ir::Encap lowered;
  if (!(encap.kind == "gre" ? LowerGre(encap, &lowered) : LowerMpls(encap, &lowered))) {
    return std::nullopt;
  }
  // A struct of one field, `gre` or `mpls_stack`, whose bytes are packetdrill's struct gre
  // or struct mpls_stack: the runtime tells the two types by that name, as packetdrill by its
  // expression type.
  ir::Value bytes;
  bytes.kind = ir::Value::Kind::kString;
  auto put = [&bytes](std::uint64_t v, int size, bool network_order) {
    for (int i = 0; i < size; ++i) {
      int shift = network_order ? 8 * (size - 1 - i) : 8 * i;
      bytes.bytes += static_cast<char>((v >> shift) & 0xff);
    }
  };
  ir::Field field;
  if (lowered.kind == ir::Encap::Kind::kGre) {
    // struct gre: flags, proto (0), sum, off, key, seq, in network order (16 bytes).
    field.name = "gre";
    bytes.spelling = "{" + encap.Dump().substr(4) + "}";
    put(lowered.gre_flags, 2, true);
    put(0, 2, true);
    put(lowered.gre_sum, 2, true);
    put(lowered.gre_off, 2, true);
    put(lowered.gre_key, 4, true);
    put(lowered.gre_seq, 4, true);
  } else {
    // struct mpls_stack: six big-endian entries, then the count as a host-order int.
    field.name = "mpls_stack";
    std::string dump = encap.Dump();
    bytes.spelling = "{" + (dump.size() > 5 ? dump.substr(5) : "") + "}";
    for (size_t i = 0; i < kMaxMplsEntries; ++i) {
      std::uint32_t entry = 0;
      if (i < lowered.mpls.size()) {
        const ir::Encap::MplsEntry& m = lowered.mpls[i];
        entry = m.label << 12 | static_cast<std::uint32_t>(m.tc) << 9 |
                static_cast<std::uint32_t>(m.bottom) << 8 | m.ttl;
      }
      put(entry, 4, true);
    }
    put(lowered.mpls.size(), 4, false);
  }
  field.value = std::move(bytes);
  ir::Value out;
  out.kind = ir::Value::Kind::kStruct;
  out.fields.push_back(std::move(field));
  return out;
}

bool Checker::LowerPorts(const ast::Packet& packet, std::uint16_t* src, std::uint16_t* dst) {
  if (!packet.ports) return true;
  auto [sport, dport] = *packet.ports;
  if (sport < 0 || sport > 65535 || dport < 0 || dport > 65535) {
    Error(packet.direction_range, "ports must be between 0 and 65535");
    return false;
  }
  *src = static_cast<std::uint16_t>(sport);
  *dst = static_cast<std::uint16_t>(dport);
  return true;
}

std::optional<ir::TcpPacket> Checker::LowerPacket(const ast::Packet& packet,
                                                  const ast::Event& event) {
  (void)event;
  ir::TcpPacket out;
  out.inbound = packet.direction == '<';
  bool ok = LowerIpInfo(packet, out.inbound, /*tcp=*/true, &out.ip);
  ok &= LowerPorts(packet, &out.src_port, &out.dst_port);
  if (packet.seq_start > UINT32_MAX || packet.seq_end > UINT32_MAX || packet.seq_start < 0 ||
      packet.seq_end < 0) {
    Error(packet.seq_range, "TCP sequence numbers must fit in 32 bits");
    ok = false;
  } else if (packet.seq_len < 0 || packet.seq_len > 65535) {
    Error(packet.seq_range, "TCP payload length must be between 0 and 65535");
    ok = false;
  } else if (packet.seq_end != packet.seq_start + packet.seq_len) {
    Error(packet.seq_range, "inconsistent TCP sequence numbers and payload size: " +
                                std::to_string(packet.seq_start) + " + " +
                                std::to_string(packet.seq_len) +
                                " != " + std::to_string(packet.seq_end));
    ok = false;
  }
  std::optional<std::uint16_t> flags = LowerFlags(packet);
  if (!flags) ok = false;
  for (char c : packet.flags) {
    if (c >= '0' && c <= '7') out.ace = static_cast<std::uint8_t>(c - '0');
  }
  if (out.inbound && !packet.win) {
    Error(packet.seq_range, "window must be specified for inbound packets (add 'win N')");
    ok = false;
  }
  if (out.inbound && packet.any_options) {
    Error(packet.seq_range, "'<...>' (options not checked) is only allowed on outbound packets");
    ok = false;
  }
  if (packet.ack && (*packet.ack < 0 || *packet.ack > UINT32_MAX)) {
    Error(packet.seq_range, "ACK number must fit in 32 bits");
    ok = false;
  }
  if (packet.win && (*packet.win < 0 || *packet.win > 65535)) {
    Error(packet.seq_range, "window must be between 0 and 65535");
    ok = false;
  }
  if (packet.urg && (*packet.urg < 0 || *packet.urg > 65535)) {
    Error(packet.seq_range, "urgent pointer must be between 0 and 65535");
    ok = false;
  }
  for (const ast::TcpOption& o : packet.options) {
    bool bad = false;
    if (o.name == "mss" && (o.values[0] < 0 || o.values[0] > 65535)) bad = true;
    if (o.name == "wscale" && (o.values[0] < 0 || o.values[0] > 255)) bad = true;
    if (o.name == "TS" || o.name == "sack") {
      for (std::int64_t v : o.values) bad |= v < 0 || v > UINT32_MAX;
    }
    if (o.name == "ECN") {
      for (std::int64_t v : o.values) bad |= v < 0 || v > 0xffffff;  // 24-bit counters
    }
    if (o.name == "md5" && o.blob.size() > 16) {
      Error(o.range, "an md5 digest has at most 16 bytes");
      ok = false;
    }
    if (bad) {
      Error(o.range, "value out of range in TCP option '" + o.name + "'");
      ok = false;
    }
    ir::TcpOption lowered{o.name, o.values, o.blob, {}, {}, 0};
    if (o.name == "ECN") lowered.ecn_kind = o.ecn_fields[0] == "e0b" ? 172 : 174;
    if (!o.blob_define.empty()) {
      lowered.blob_define = o.blob_define;
      lowered.blob_ipv6 = o.blob;
      if (o.blob.empty()) {
        const FamilyBytesDefine* fd = FindFamilyBytesDefine(o.blob_define);
        if (!fd) {
          Error(o.range, "'" + o.blob_define + "' is not a hex cookie nor a known define (pass "
                             "it with -D " + o.blob_define + "=HEX)");
          ok = false;
        } else {
          lowered.blob = HexBytes(fd->ipv4);
          lowered.blob_ipv6 = HexBytes(fd->ipv6);
        }
      }
    }
    out.options.push_back(std::move(lowered));
  }
  if (!packet.options.empty() && !CheckOptionSpace(packet)) ok = false;
  if (!ok) return std::nullopt;
  out.flags = *flags;
  out.flags_text = packet.flags;
  out.seq = static_cast<std::uint32_t>(packet.seq_start);
  out.len = static_cast<std::uint32_t>(packet.seq_len);
  out.ack = static_cast<std::uint32_t>(packet.ack.value_or(0));
  if (packet.win) out.win = static_cast<std::uint16_t>(*packet.win);
  out.urg = static_cast<std::uint16_t>(packet.urg.value_or(0));
  out.any_options = packet.any_options;
  return out;
}

std::optional<ir::UdpPacket> Checker::LowerUdp(const ast::Packet& packet) {
  ir::UdpPacket out;
  out.inbound = packet.direction == '<';
  bool ok = LowerIpInfo(packet, out.inbound, /*tcp=*/false, &out.ip);
  ok &= LowerPorts(packet, &out.src_port, &out.dst_port);
  if (packet.udp_len < 0 || packet.udp_len > 65507) {
    Error(packet.direction_range, "UDP payload length must be between 0 and 65507");
    ok = false;
  }
  out.len = static_cast<std::uint16_t>(packet.udp_len);
  if (!ok) return std::nullopt;
  return out;
}

std::optional<ir::IcmpPacket> Checker::LowerIcmp(const ast::Packet& packet, unsigned line,
                                                 std::vector<ir::FamilyError>& family_errors) {
  ir::IcmpPacket out;
  out.inbound = packet.direction == '<';
  bool ok = LowerIpInfo(packet, out.inbound, /*tcp=*/false, &out.ip);
  // packetdrill resolves the names for the family it runs: a name only the other family has
  // fails this family's run at this line, before anything runs; a name no family has is an
  // error now.
  std::string errors[2];
  for (int i = 0; i < 2; ++i) {
    auto resolved = ResolveIcmp(i == 0 ? 4 : 6, packet.icmp_type, packet.icmp_code,
                                packet.icmp_mtu);
    if (const auto* numbers = std::get_if<IcmpTypeCode>(&resolved)) {
      (i == 0 ? out.v4 : out.v6) = std::make_pair(numbers->type, numbers->code);
    } else {
      errors[i] = std::get<std::string>(resolved);
    }
  }
  if (!out.v4 && !out.v6) {
    Error(packet.icmp_range, errors[0] == errors[1]
                                 ? errors[0]
                                 : errors[0] + " (ICMPv4), " + errors[1] + " (ICMPv6)");
    ok = false;
  } else if (!out.v4 || !out.v6) {
    family_errors.push_back({line, out.v4 ? 6 : 4, out.v4 ? errors[1] : errors[0]});
  }
  if (packet.icmp_mtu) {
    if (*packet.icmp_mtu < 0) {
      Error(packet.icmp_range, "ICMP mtu out of range");
      ok = false;
    }
    out.mtu = static_cast<std::uint32_t>(*packet.icmp_mtu);
  }
  if (packet.icmp_id) {
    if (*packet.icmp_id < 0 || *packet.icmp_id > 65535) {
      Error(packet.icmp_range, "ICMP id must be between 0 and 65535");
      ok = false;
    }
    out.id = static_cast<std::uint16_t>(*packet.icmp_id);
  }
  out.echoed = packet.icmp_echoed;
  if (packet.echoed_start < 0 || packet.echoed_start > UINT32_MAX || packet.echoed_end < 0 ||
      packet.echoed_end > UINT32_MAX || packet.echoed_len < 0 || packet.echoed_len > 65535) {
    Error(packet.icmp_range, "echoed sequence numbers must fit in 32 bits and the length in 16");
    return std::nullopt;
  }
  if (packet.icmp_echoed == "raw" && packet.echoed_len < 8) {
    Error(packet.icmp_range, "icmp_bytes " + std::to_string(packet.echoed_len) +
                                 " smaller than icmp header length 8");
    ok = false;
  }
  if (packet.icmp_echoed == "tcp" && packet.echoed_end != packet.echoed_start + packet.echoed_len) {
    Error(packet.icmp_range, "inconsistent echoed TCP sequence numbers and payload size");
    ok = false;
  }
  out.echoed_seq = static_cast<std::uint32_t>(packet.echoed_start);
  out.echoed_len = static_cast<std::uint32_t>(packet.echoed_len);
  if (!ok) return std::nullopt;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

std::optional<ir::Int> Checker::LowerSymbol(const ast::Expr& e) {
  ir::Int out;
  out.spelling = e.text;
  if (std::optional<std::int64_t> v = LookupSymbol(e.text)) {
    out.value = *v;
    if (!e.define_name.empty()) {
      out.define = e.define_name;
      out.ipv6_value = *v;
      out.spelling = e.define_name;
    }
    return out;
  }
  for (const FamilyDefine& fd : kFamilyDefines) {
    if (e.text != fd.name) continue;
    out.define = fd.name;
    out.value = *LookupSymbol(fd.ipv4_symbol);
    out.ipv6_value = *LookupSymbol(fd.ipv6_symbol);
    return out;
  }
  std::string message = "unknown symbol '" + e.text + "'";
  if (!e.define_name.empty()) message += " (the value of -D " + e.define_name + ")";
  RunTimeError(e.range, message, "unknown symbol: '" + e.text + "'");
  // Suggest the closest known name; cheap enough for an error path.
  std::string_view best;
  unsigned best_distance = 3;
  for (std::string_view name : AllSymbolNames()) {
    unsigned d = llvm::StringRef(e.text).edit_distance(llvm::StringRef(name.data(), name.size()),
                                                       true, best_distance);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  if (!best.empty()) diags_.Note(e.range.Start, "did you mean '" + std::string(best) + "'?");
  return std::nullopt;
}

std::optional<ir::Int> Checker::LowerInt(const ast::Expr& e, bool allow_ellipsis) {
  switch (e.kind) {
    case ast::Expr::Kind::kEllipsis:
      if (allow_ellipsis) {
        ir::Int out;
        out.is_ellipsis = true;
        return out;
      }
      RunTimeError(e.range, "'...' is not allowed here; this argument needs a value",
                   "Bad type; actual: ellipsis expected: integer");
      return std::nullopt;
    case ast::Expr::Kind::kInteger: {
      if (e.int_value < INT32_MIN || e.int_value > static_cast<std::int64_t>(UINT32_MAX)) {
        RunTimeError(e.range,
                     "integer " + std::to_string(e.int_value) + " does not fit in 32 bits",
                     "Value out of range for 32-bit integer: " + std::to_string(e.int_value));
        return std::nullopt;
      }
      ir::Int out;
      out.value = e.int_value;
      if (!e.define_name.empty()) {
        out.define = e.define_name;
        out.ipv6_value = e.int_value;
        out.spelling = e.define_name;
      }
      return out;
    }
    case ast::Expr::Kind::kSymbol:
      return LowerSymbol(e);
    case ast::Expr::Kind::kOr: {
      ir::Int out;
      for (const ast::Expr& item : e.items) {
        std::optional<ir::Int> v = LowerInt(item);
        if (!v) return std::nullopt;
        if (!v->define.empty() && v->value != v->ipv6_value) {
          Error(item.range, "a family-dependent define cannot be combined with '|' yet");
          return std::nullopt;
        }
        out.value |= v->value;
        if (!out.spelling.empty()) out.spelling += "|";
        out.spelling += v->spelling.empty() ? std::to_string(v->value) : v->spelling;
      }
      return out;
    }
    default:
      RunTimeError(e.range, "expected an integer value, got " + e.Dump(),
                   "Bad type; actual: " + e.Dump() + " expected: integer");
      return std::nullopt;
  }
}

bool Checker::ArgCount(const ast::Syscall& call, size_t min, size_t max) {
  if (call.args.size() >= min && call.args.size() <= max) return true;
  std::string expected = std::to_string(min);
  if (max != min) expected += " or " + std::to_string(max);
  RunTimeError(call.args_range,
               call.name + " expects " + expected + " arguments but got " +
                   std::to_string(call.args.size()),
               "Expected " + std::to_string(min) + " args but got " +
                   std::to_string(call.args.size()));
  return false;
}

bool Checker::RequireEllipsis(const ast::Expr& e, const char* what) {
  if (e.kind == ast::Expr::Kind::kEllipsis) return true;
  RunTimeError(e.range,
               std::string(what) +
                   " must be '...': addresses come from the test's configuration, not the script",
               "Bad type; actual: " + e.Dump() + " expected: ellipsis");
  return false;
}

std::optional<ir::Expect> Checker::LowerExpect(const ast::Syscall& call) {
  ir::Expect out;
  const ast::Expr& r = call.result;
  if (r.kind != ast::Expr::Kind::kInteger) {
    RunTimeError(r.range, "the expected result must be an integer literal, got " + r.Dump(),
                 "Bad type; actual: " + r.Dump() + " expected: integer");
    return std::nullopt;
  }
  out.result = r.int_value;
  if (!call.errno_name.empty()) {
    std::optional<int> err = LookupErrno(call.errno_name);
    if (!err) {
      RunTimeError(call.errno_range, "unknown errno name '" + call.errno_name + "'",
                   "unknown symbol: '" + call.errno_name + "'");
      return std::nullopt;
    }
    out.errno_name = call.errno_name;
    out.errno_value = *err;
  }
  return out;
}

// String escapes as packetdrill interprets them in syscall arguments: \n \r \t \v \f and
// \xHH. packetdrill turns \\ and \" into 0x0C (a fall-through bug); pktc gives the intended
// backslash and quote instead.
std::optional<std::string> Checker::Unescape(const ast::Expr& e) {
  std::string out;
  const std::string& s = e.text;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i >= s.size()) break;
    switch (s[i]) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'f': out += '\f'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'x':
        if (i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
          out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
          i += 2;
          break;
        }
        [[fallthrough]];
      default:
        RunTimeError(e.range,
                     std::string("unsupported escape '\\") + s[i] +
                         "' in string (supported: \\n \\r \\t \\v \\f \\xHH \\\\ \\\")",
                     std::string("unsupported escape code: '") + s[i] + "'");
        return std::nullopt;
    }
  }
  return out;
}

std::optional<ir::Value> Checker::LowerValue(const ast::Expr& e, int depth) {
  ir::Value out;
  switch (e.kind) {
    case ast::Expr::Kind::kEllipsis:
      out.kind = ir::Value::Kind::kEllipsis;
      return out;
    case ast::Expr::Kind::kInteger:
    case ast::Expr::Kind::kSymbol:
    case ast::Expr::Kind::kOr: {
      std::optional<ir::Int> v = LowerInt(e);
      if (!v) return std::nullopt;
      out.kind = ir::Value::Kind::kInt;
      out.int_value = *v;
      return out;
    }
    case ast::Expr::Kind::kString: {
      std::optional<std::string> bytes = Unescape(e);
      if (!bytes) return std::nullopt;
      out.kind = ir::Value::Kind::kString;
      out.bytes = *bytes;
      out.truncated = e.truncated;
      return out;
    }
    case ast::Expr::Kind::kCall: {
      const ast::Expr& arg = e.items[0];
      out.kind = ir::Value::Kind::kInt;
      out.int_value.spelling = e.text + "(" + arg.Dump() + ")";
      if (e.text == "htons") {
        std::optional<ir::Int> v = LowerInt(arg);
        if (!v) return std::nullopt;
        if (v->value < 0 || v->value > 65535) {
          Error(arg.range, "htons() takes a 16-bit value");
          return std::nullopt;
        }
        out.int_value.value = htons(static_cast<std::uint16_t>(v->value));
        return out;
      }
      if (arg.kind != ast::Expr::Kind::kString) {
        Error(arg.range, e.text + "() takes an address string");
        return std::nullopt;
      }
      std::uint8_t addr[16];
      int family = e.text == "inet_addr" ? AF_INET : AF_INET6;
      if (inet_pton(family, arg.text.c_str(), addr) != 1) {
        Error(arg.range, "'" + arg.text + "' is not an " +
                             (family == AF_INET ? "IPv4" : "IPv6") + " address");
        return std::nullopt;
      }
      if (family == AF_INET) {
        std::uint32_t v;
        std::memcpy(&v, addr, 4);  // in_addr_t: network byte order in memory
        out.int_value.value = v;
        return out;
      }
      out.kind = ir::Value::Kind::kString;
      out.bytes.assign(reinterpret_cast<char*>(addr), 16);
      return out;
    }
    case ast::Expr::Kind::kEncap:
      return LowerEncapValue(*e.encap);
    case ast::Expr::Kind::kList:
    case ast::Expr::Kind::kStruct:
      if (depth > 32) {
        Error(e.range, "argument nested too deeply");
        return std::nullopt;
      }
      out.kind = e.kind == ast::Expr::Kind::kList ? ir::Value::Kind::kList : ir::Value::Kind::kStruct;
      for (const ast::Expr& item : e.items) {
        std::optional<ir::Value> v = LowerValue(item, depth + 1);
        if (!v) return std::nullopt;
        out.items.push_back(std::move(*v));
      }
      for (const ast::Field& f : e.fields) {
        ir::Field field;
        field.name = f.name;
        if (f.paren) {
          std::optional<ir::Value> paren = LowerValue(*f.paren, depth + 1);
          if (!paren) return std::nullopt;
          field.paren.push_back(std::move(*paren));
        }
        std::optional<ir::Value> v = LowerValue(*f.value, depth + 1);
        if (!v) return std::nullopt;
        field.value = std::move(*v);
        out.fields.push_back(std::move(field));
      }
      return out;
  }
  return std::nullopt;
}


std::optional<ir::Syscall> Checker::LowerSyscall(const ast::Syscall& call) {
  lowering_call_ = true;
  call_failure_.reset();
  std::optional<ir::Syscall> out = LowerSyscallParts(call);
  lowering_call_ = false;
  if (!call_failure_) return out;
  // packetdrill parses the call and fails when it runs: so does the test.
  ir::Syscall failing;
  failing.name = call.name;
  failing.failure = *call_failure_;
  return failing;
}

std::optional<ir::Syscall> Checker::LowerSyscallParts(const ast::Syscall& call) {
  const SyscallSpec* shape = FindSyscall(call.name);
  if (!shape) {
    RunTimeError(call.name_range, "unknown system call '" + call.name + "'",
                 "Unknown system call: '" + call.name + "'");
    return std::nullopt;
  }
  ir::Syscall out;
  out.id = shape->id;
  out.name = call.name;
  // In packetdrill's order: the arguments' symbols when the call runs, then their number and
  // forms, and the result once the call returned.
  for (size_t i = 0; i < call.args.size(); ++i) {
    std::optional<ir::Value> v = LowerValue(call.args[i]);
    if (!v) return std::nullopt;
    out.args.push_back(std::move(*v));
  }
  if (!ArgCount(call, shape->min_args, shape->max_args)) return std::nullopt;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (!(shape->address_args & (1u << i))) continue;
    if (call.args[i].kind == ast::Expr::Kind::kEllipsis) continue;
    if (call.name == "connect" || (call.name == "bind" && i == 2) ||
        (call.name == "accept" && i == 2)) {
      if (!RequireEllipsis(call.args[i], "the address length argument")) return std::nullopt;
    } else if (!RequireEllipsis(call.args[i], "the address argument")) {
      return std::nullopt;
    }
  }
  if (call.name == "recvmsg" || call.name == "sendmsg") {
    const ir::Value& msg = out.args[1];
    for (const ir::Field& f : msg.fields) {
      if (f.name != "msg_iov" || f.paren.empty()) continue;
      if (f.paren[0].kind != ir::Value::Kind::kInt ||
          f.paren[0].int_value.value != static_cast<std::int64_t>(f.value.items.size())) {
        const ast::Expr* paren = nullptr;
        for (const ast::Field& af : call.args[1].fields) {
          if (af.name == "msg_iov") paren = af.paren.get();
        }
        std::string count = std::to_string(f.value.items.size());
        RunTimeError(paren ? paren->range : call.args_range,
                     "msg_iov(N): N must be the number of iovecs in the list (" + count + ")",
                     "msg_iov: expected " + count + " iovecs");
        return std::nullopt;
      }
    }
  }
  std::optional<ir::Expect> expect = LowerExpect(call);
  if (!expect) return std::nullopt;
  out.expect = *expect;
  return out;
}

}  // namespace

std::optional<ir::Script> CheckScript(const ast::Script& script, const SemaOptions& options,
                                      DiagnosticEngine& diags) {
  Checker checker(options, diags);
  return checker.Run(script);
}

}  // namespace pktc
