// Semantic checks and lowering to IR.
#include "sema.h"

#include <sys/stat.h>

#include <climits>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "embedded_files.h"
#include "llvm/ADT/StringRef.h"
#include "pktc/symbols.h"

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

/// Options a script header (or the test binary's command line) may set.
const std::set<std::string>& KnownOptions() {
  static const std::set<std::string> options = {
      "ip_version",       "local_ip",         "remote_ip",         "gateway_ip",
      "netmask_ip",       "bind_port",        "connect_port",      "mtu",
      "tolerance_usecs",  "tolerance_percent", "tcp_ts_tick_usecs", "verbose",
      "define",           "non_fatal",        "strict_segments",   "tcp_ts_ecr_scaled",
      "send_omit_free",   "dry_run",          "speed",             "mss",
      "init_scripts",     "debug",            "is_anyip",          "code_command",
      "code_format",      "code_sockopt",
  };
  return options;
}

/// Options pktc parses but whose behaviour is not implemented: using them is an error rather
/// than a silently different test.
const std::set<std::string>& UnsupportedOptions() {
  static const std::set<std::string> options = {
      "speed", "mss", "init_scripts", "is_anyip", "code_command", "code_format", "code_sockopt",
      "tcp_ts_ecr_scaled", "strict_segments", "non_fatal",
  };
  return options;
}

const std::set<std::string>& UpstreamSyscalls() {
  static const std::set<std::string> calls = {
      "socket",   "bind",        "listen",      "accept",     "connect",   "read",
      "readv",    "recv",        "recvfrom",    "recvmsg",    "write",     "writev",
      "send",     "sendto",      "sendmsg",     "sendfile",   "splice",    "fcntl",
      "ioctl",    "close",       "shutdown",    "getsockopt", "setsockopt", "poll",
      "epoll_create", "epoll_ctl", "epoll_wait", "pipe",     "open",      "cap_set",
      "psp_rx_assoc", "psp_tx_assoc",
  };
  return calls;
}

class Checker {
 public:
  Checker(const SemaOptions& options, DiagnosticEngine& diags) : options_(options), diags_(diags) {}

  std::optional<ir::Script> Run(const ast::Script& script);

 private:
  void CheckOptions(const ast::Script& script, ir::Script& out);
  void CheckTimes(const ast::Script& script);
  void Embed(const ast::Command& command, ir::Script& out);
  std::optional<ir::TcpPacket> LowerPacket(const ast::Packet& packet, const ast::Event& event);
  std::optional<std::uint16_t> LowerFlags(const ast::Packet& packet);
  bool CheckOptionSpace(const ast::Packet& packet);
  std::optional<ir::Syscall> LowerSyscall(const ast::Syscall& call);
  bool ArgCount(const ast::Syscall& call, size_t min, size_t max);
  bool RequireEllipsis(const ast::Expr& e, const char* what);
  std::optional<ir::Int> LowerInt(const ast::Expr& e, bool allow_ellipsis = false);
  std::optional<ir::Int> LowerSymbol(const ast::Expr& e);
  std::optional<ir::Sockopt> LowerSockopt(const ast::Syscall& call, const ast::Expr& e);
  std::optional<ir::MsgHdr> LowerMsgHdr(const ast::Expr& e);
  std::optional<ir::Expect> LowerExpect(const ast::Syscall& call);
  std::optional<std::string> Unescape(const ast::Expr& e);
  void Error(SourceRange range, const llvm::Twine& message) {
    diags_.Error(range.Start, message, range);
  }
  std::string SourceText(SourceRange range) const {
    return std::string(range.Start.getPointer(), range.End.getPointer());
  }

  const SemaOptions& options_;
  DiagnosticEngine& diags_;
  std::set<std::string> embedded_paths_;
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
    diags_.Error(SourceLoc(), "script has no events (at least one timed event is required)");
  }
  if (!options_.after_syntax_errors) CheckTimes(script);

  if (script.init_command) {
    out.init_command = script.init_command->text;
    Embed(*script.init_command, out);
  }
  if (script.cleanup_command) {
    out.cleanup_command = script.cleanup_command->text;
    Embed(*script.cleanup_command, out);
  }

  for (const ast::Event& event : script.events) {
    ir::Event ev;
    ev.line = diags_.LineOf(event.range.Start);
    ev.source_text = SourceText(event.range);
    ev.time = ir::Time{static_cast<ir::TimeKind>(event.time.kind), event.time.start_us,
                       event.time.end_us};
    bool is_outbound = false;
    if (const auto* packet = std::get_if<ast::Packet>(&event.action)) {
      is_outbound = packet->direction == '>';
      std::optional<ir::TcpPacket> lowered = LowerPacket(*packet, event);
      if (!lowered) continue;
      ev.action = std::move(*lowered);
    } else if (const auto* call = std::get_if<ast::Syscall>(&event.action)) {
      if (call->blocking_end) {
        Error(call->blocking_end->range,
              "blocking system calls ('... TIME' return times) are not supported yet");
        continue;
      }
      std::optional<ir::Syscall> lowered = LowerSyscall(*call);
      if (!lowered) continue;
      ev.action = std::move(*lowered);
    } else if (const auto* command = std::get_if<ast::Command>(&event.action)) {
      Embed(*command, out);
      ev.action = ir::Command{command->text};
    } else if (const auto* code = std::get_if<ast::Code>(&event.action)) {
      Error(code->range, "code blocks (%{ ... }%) are not supported yet");
      continue;
    }
    bool special_time = event.time.kind == ast::TimeKind::kAny ||
                        event.time.kind == ast::TimeKind::kAbsoluteRange ||
                        event.time.kind == ast::TimeKind::kRelativeRange;
    if (special_time && !is_outbound) {
      Error(event.time.range,
            "'*' and time ranges are only allowed on outbound packets ('>' lines)");
      continue;
    }
    out.events.push_back(std::move(ev));
  }
  if (diags_.HadErrors()) return std::nullopt;
  return out;
}

void Checker::CheckOptions(const ast::Script& script, ir::Script& out) {
  for (const ast::Option& option : script.options) {
    if (!KnownOptions().count(option.name)) {
      Error(option.range, "unknown option '--" + option.name + "'");
      continue;
    }
    if (UnsupportedOptions().count(option.name)) {
      Error(option.range, "option '--" + option.name + "' is not supported yet");
      continue;
    }
    if (option.name == "define") continue;  // Applied by the lexer.
    if (option.name == "ip_version" && option.value && *option.value != "ipv4" &&
        *option.value != "ipv6" && *option.value != "ipv4-mapped-ipv6") {
      Error(option.range, "bad --ip_version '" + *option.value +
                              "' (expected ipv4, ipv6 or ipv4-mapped-ipv6)");
      continue;
    }
    out.header_options.emplace_back(option.name, option.value);
  }
}

void Checker::CheckTimes(const ast::Script& script) {
  if (script.events.empty()) return;
  const ast::Time& first = script.events.front().time;
  if (first.start_us != 0 || first.kind == ast::TimeKind::kAny) {
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

void Checker::Embed(const ast::Command& command, ir::Script& out) {
  for (const std::string& path : RelativePathsInCommand(command.text)) {
    if (embedded_paths_.count(path)) continue;
    std::string full = options_.script_dir.empty() ? path : options_.script_dir + "/" + path;
    struct stat st;
    if (stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // Not a file of ours.
    std::ifstream in(full, std::ios::binary);
    if (!in) {
      Error(command.range, "cannot read '" + full + "', which the command runs");
      continue;
    }
    std::stringstream contents;
    contents << in.rdbuf();
    embedded_paths_.insert(path);
    out.files.push_back({path, contents.str(), static_cast<unsigned>(st.st_mode & 07777)});
  }
}

// ---------------------------------------------------------------------------------------------
// Packets

std::optional<std::uint16_t> Checker::LowerFlags(const ast::Packet& packet) {
  std::uint16_t flags = 0;
  bool digit = false;
  for (char c : packet.flags) {
    switch (c) {
      case 'F': flags |= 0x01; break;
      case 'S': flags |= 0x02; break;
      case 'R': flags |= 0x04; break;
      case 'P': flags |= 0x08; break;
      case '.': flags |= 0x10; break;
      case 'U': flags |= 0x20; break;
      case 'E': flags |= 0x40; break;
      case 'W': flags |= 0x80; break;
      case 'A': flags |= 0x100; break;
      default:
        if (c >= '0' && c <= '7') {
          digit = true;
          break;
        }
        Error(packet.flags_range, "invalid TCP flag '" + std::string(1, c) + "' in '" +
                                      packet.flags + "' (valid: F S R P U . E W A and 0-7)");
        return std::nullopt;
    }
  }
  if (digit) {
    Error(packet.flags_range, "AccECN ACE values in TCP flags are not supported yet");
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

std::optional<ir::TcpPacket> Checker::LowerPacket(const ast::Packet& packet,
                                                  const ast::Event& event) {
  (void)event;
  if (packet.protocol != ast::Packet::Protocol::kTcp) {
    Error(packet.direction_range, "UDP packets are not supported yet");
    return std::nullopt;
  }
  ir::TcpPacket out;
  out.inbound = packet.direction == '<';
  bool ok = true;
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
  if (packet.has_ip_info) {
    const ast::IpInfo& ip = packet.ip;
    if (ip.ecn) {
      if (*ip.ecn == "ect01") {
        if (out.inbound) {
          Error(ip.range, "[ect01] can only be used with outbound packets");
          ok = false;
        }
        out.ecn_ect01 = true;
      } else {
        out.ecn = *ip.ecn == "noecn" ? 0 : *ip.ecn == "ect1" ? 1 : *ip.ecn == "ect0" ? 2 : 3;
      }
    }
    if (ip.tos) {
      if (*ip.tos < 0 || *ip.tos > 255) {
        Error(ip.range, "TOS must fit in one byte");
        ok = false;
      }
      out.tos = static_cast<std::uint8_t>(*ip.tos);
    }
    if (ip.ttl) {
      if (*ip.ttl < 0 || *ip.ttl > 255) {
        Error(ip.range, "TTL must be between 0 and 255");
        ok = false;
      }
      // packetdrill's sentinel: 0 means "default" (255), and 255 is never checked outbound.
      if (*ip.ttl != 0 && !(*ip.ttl == 255 && !out.inbound)) {
        out.ttl = static_cast<std::uint8_t>(*ip.ttl);
      }
    }
    if (ip.flowlabel) {
      Error(ip.range, "IPv6 flow labels are not supported yet");
      ok = false;
    }
  }
  if (packet.ports) {
    auto [sport, dport] = *packet.ports;
    if (sport < 0 || sport > 65535 || dport < 0 || dport > 65535) {
      Error(packet.seq_range, "ports must be between 0 and 65535");
      ok = false;
    }
    out.src_port = static_cast<std::uint16_t>(sport);
    out.dst_port = static_cast<std::uint16_t>(dport);
  }
  for (const ast::TcpOption& o : packet.options) {
    bool bad = false;
    if (o.name == "mss" && (o.values[0] < 0 || o.values[0] > 65535)) bad = true;
    if (o.name == "wscale" && (o.values[0] < 0 || o.values[0] > 255)) bad = true;
    if (o.name == "TS" || o.name == "sack") {
      for (std::int64_t v : o.values) bad |= v < 0 || v > UINT32_MAX;
    }
    if (o.name == "md5" && o.blob.size() > 16) {
      Error(o.range, "an md5 digest has at most 16 bytes");
      ok = false;
    }
    if (bad) {
      Error(o.range, "value out of range in TCP option '" + o.name + "'");
      ok = false;
    }
    out.options.push_back({o.name, o.values, o.blob});
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
  Error(e.range, message);
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
      Error(e.range, "'...' is not allowed here; this argument needs a value");
      return std::nullopt;
    case ast::Expr::Kind::kInteger: {
      if (e.int_value < INT32_MIN || e.int_value > static_cast<std::int64_t>(UINT32_MAX)) {
        Error(e.range, "integer " + std::to_string(e.int_value) + " does not fit in 32 bits");
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
      Error(e.range, "expected an integer value, got " + e.Dump());
      return std::nullopt;
  }
}

bool Checker::ArgCount(const ast::Syscall& call, size_t min, size_t max) {
  if (call.args.size() >= min && call.args.size() <= max) return true;
  std::string expected = std::to_string(min);
  if (max != min) expected += " or " + std::to_string(max);
  Error(call.args_range, call.name + " expects " + expected + " arguments but got " +
                             std::to_string(call.args.size()));
  return false;
}

bool Checker::RequireEllipsis(const ast::Expr& e, const char* what) {
  if (e.kind == ast::Expr::Kind::kEllipsis) return true;
  Error(e.range, std::string(what) +
                     " must be '...': addresses come from the test's configuration, not the script");
  return false;
}

std::optional<ir::Expect> Checker::LowerExpect(const ast::Syscall& call) {
  ir::Expect out;
  const ast::Expr& r = call.result;
  if (r.kind != ast::Expr::Kind::kInteger) {
    Error(r.range, "the expected result must be an integer literal, got " + r.Dump());
    return std::nullopt;
  }
  out.result = r.int_value;
  if (!call.errno_name.empty()) {
    std::optional<int> err = LookupErrno(call.errno_name);
    if (!err) {
      Error(call.errno_range, "unknown errno name '" + call.errno_name + "'");
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
        Error(e.range, std::string("unsupported escape '\\") + s[i] +
                           "' in string (supported: \\n \\r \\t \\v \\f \\xHH \\\\ \\\")");
        return std::nullopt;
    }
  }
  return out;
}

std::optional<ir::Sockopt> Checker::LowerSockopt(const ast::Syscall& call, const ast::Expr& e) {
  ir::Sockopt out;
  if (e.kind == ast::Expr::Kind::kEllipsis) {
    out.kind = ir::Sockopt::Kind::kEllipsis;
    return out;
  }
  if (e.kind == ast::Expr::Kind::kList) {
    if (e.items.size() != 1 || !e.fields.empty()) {
      Error(e.range, call.name + " value must be a one-element list like [1]");
      return std::nullopt;
    }
    std::optional<ir::Int> v = LowerInt(e.items[0]);
    if (!v) return std::nullopt;
    out.kind = ir::Sockopt::Kind::kInt;
    out.int_value = *v;
    return out;
  }
  if (e.kind == ast::Expr::Kind::kString) {
    std::optional<std::string> bytes = Unescape(e);
    if (!bytes) return std::nullopt;
    if (e.truncated) {
      Error(e.range, "a truncated string (\"...\"...) is not supported here yet");
      return std::nullopt;
    }
    out.kind = ir::Sockopt::Kind::kString;
    out.string_value = *bytes;
    return out;
  }
  if (e.kind == ast::Expr::Kind::kStruct && !e.fields.empty() && e.items.empty()) {
    std::map<std::string, const ast::Expr*> fields;
    for (const ast::Field& f : e.fields) fields[f.name] = f.value.get();
    if (fields.count("onoff") && fields.count("linger") && fields.size() == 2) {
      auto onoff = LowerInt(*fields["onoff"]);
      auto secs = LowerInt(*fields["linger"]);
      if (!onoff || !secs) return std::nullopt;
      out.kind = ir::Sockopt::Kind::kLinger;
      out.linger_onoff = *onoff;
      out.linger_seconds = *secs;
      return out;
    }
    if (fields.count("tcpm_key")) {
      const ast::Expr* key = fields["tcpm_key"];
      if (key->kind != ast::Expr::Kind::kString || key->text.size() > 80) {
        Error(key->range, "tcpm_key must be a string of at most 80 bytes");
        return std::nullopt;
      }
      for (const auto& [name, value] : fields) {
        if (name == "tcpm_key") continue;
        if (name == "tcpm_addr" && value->kind == ast::Expr::Kind::kEllipsis) continue;
        if (name == "tcpm_keylen" && value->kind == ast::Expr::Kind::kInteger &&
            value->int_value == static_cast<std::int64_t>(key->text.size()))
          continue;
        Error(value->range, "in a TCP_MD5SIG value, expected tcpm_addr=... and "
                            "tcpm_keylen=<length of tcpm_key>, got field '" + name + "'");
        return std::nullopt;
      }
      out.kind = ir::Sockopt::Kind::kMd5Key;
      out.string_value = key->text;
      return out;
    }
  }
  Error(e.range, "unsupported " + call.name + " value " + e.Dump() +
                     " (supported: [int], \"string\", {onoff=N, linger=N}, "
                     "{tcpm_addr=..., tcpm_keylen=N, tcpm_key=\"...\"})");
  return std::nullopt;
}

std::optional<ir::MsgHdr> Checker::LowerMsgHdr(const ast::Expr& e) {
  if (e.kind != ast::Expr::Kind::kStruct || !e.items.empty()) {
    Error(e.range, "expected a msghdr like {msg_name(...)=..., msg_iov(1)=[{..., 100}], "
                   "msg_flags=0}");
    return std::nullopt;
  }
  ir::MsgHdr out;
  bool has_iov = false, has_flags = false;
  for (const ast::Field& f : e.fields) {
    if (f.name == "msg_name") {
      if (!RequireEllipsis(*f.value, "msg_name")) return std::nullopt;
    } else if (f.name == "msg_iov") {
      has_iov = true;
      if (f.value->kind != ast::Expr::Kind::kList) {
        Error(f.value->range, "msg_iov must be a list of iovecs like [{..., 100}]");
        return std::nullopt;
      }
      for (const ast::Expr& iov : f.value->items) {
        if (iov.kind != ast::Expr::Kind::kStruct || iov.items.size() != 2 ||
            iov.items[0].kind != ast::Expr::Kind::kEllipsis ||
            iov.items[1].kind != ast::Expr::Kind::kInteger) {
          Error(iov.range, "an iovec must look like {..., LENGTH}");
          return std::nullopt;
        }
        out.iov_lengths.push_back(iov.items[1].int_value);
      }
      if (f.paren && (f.paren->kind != ast::Expr::Kind::kInteger ||
                      f.paren->int_value != static_cast<std::int64_t>(out.iov_lengths.size()))) {
        Error(f.paren->range, "msg_iov(N): N must be the number of iovecs in the list (" +
                                  std::to_string(out.iov_lengths.size()) + ")");
        return std::nullopt;
      }
    } else if (f.name == "msg_flags") {
      has_flags = true;
      std::optional<ir::Int> flags = LowerInt(*f.value);
      if (!flags) return std::nullopt;
      out.flags = *flags;
    } else if (f.name == "msg_control") {
      out.has_control = true;
      if (f.value->kind != ast::Expr::Kind::kList) {
        Error(f.value->range, "msg_control must be a list of cmsgs");
        return std::nullopt;
      }
      for (const ast::Expr& c : f.value->items) {
        std::map<std::string, const ast::Expr*> fields;
        for (const ast::Field& cf : c.fields) fields[cf.name] = cf.value.get();
        if (c.kind != ast::Expr::Kind::kStruct || !c.items.empty() || fields.size() != 3 ||
            !fields.count("cmsg_level") || !fields.count("cmsg_type") ||
            !fields.count("cmsg_data")) {
          Error(c.range, "a cmsg must look like {cmsg_level=L, cmsg_type=T, cmsg_data=D}");
          return std::nullopt;
        }
        const ast::Expr* data = fields["cmsg_data"];
        if (data->kind != ast::Expr::Kind::kInteger && data->kind != ast::Expr::Kind::kSymbol &&
            data->kind != ast::Expr::Kind::kOr) {
          Error(data->range, "only integer cmsg_data is supported yet");
          return std::nullopt;
        }
        auto level = LowerInt(*fields["cmsg_level"]);
        auto type = LowerInt(*fields["cmsg_type"]);
        auto value = LowerInt(*data);
        if (!level || !type || !value) return std::nullopt;
        out.control.push_back({*level, *type, *value});
      }
    } else {
      Error(f.name_range, "unknown msghdr field '" + f.name + "'");
      return std::nullopt;
    }
  }
  if (!has_iov || !has_flags) {
    Error(e.range, "a msghdr needs msg_iov and msg_flags");
    return std::nullopt;
  }
  return out;
}

std::optional<ir::Syscall> Checker::LowerSyscall(const ast::Syscall& call) {
  using K = ir::Syscall::Kind;
  static const std::map<std::string, K> kinds = {
      {"socket", K::kSocket},   {"bind", K::kBind},         {"listen", K::kListen},
      {"accept", K::kAccept},   {"connect", K::kConnect},   {"close", K::kClose},
      {"shutdown", K::kShutdown}, {"read", K::kRead},       {"write", K::kWrite},
      {"recv", K::kRecv},       {"send", K::kSend},         {"recvmsg", K::kRecvmsg},
      {"fcntl", K::kFcntl},     {"setsockopt", K::kSetsockopt}, {"getsockopt", K::kGetsockopt},
  };
  auto it = kinds.find(call.name);
  if (it == kinds.end()) {
    if (UpstreamSyscalls().count(call.name)) {
      Error(call.name_range, "system call '" + call.name + "' is not supported yet");
    } else {
      Error(call.name_range, "unknown system call '" + call.name + "'");
    }
    return std::nullopt;
  }
  ir::Syscall out;
  out.kind = it->second;
  out.name = call.name;
  std::optional<ir::Expect> expect = LowerExpect(call);
  if (!expect) return std::nullopt;
  out.expect = *expect;

  auto ints = [&](std::initializer_list<size_t> indexes) {
    for (size_t i : indexes) {
      std::optional<ir::Int> v = LowerInt(call.args[i]);
      if (!v) return false;
      out.ints.push_back(*v);
    }
    return true;
  };
  switch (out.kind) {
    case K::kSocket: {
      if (!ArgCount(call, 3, 3)) return std::nullopt;
      std::optional<ir::Int> domain = LowerInt(call.args[0], /*allow_ellipsis=*/true);
      if (!domain) return std::nullopt;
      out.ints.push_back(*domain);
      if (!ints({1, 2})) return std::nullopt;
      break;
    }
    case K::kBind:
    case K::kAccept:
      if (!ArgCount(call, 3, 3) || !ints({0})) return std::nullopt;
      if (!RequireEllipsis(call.args[1], "the address argument") ||
          !RequireEllipsis(call.args[2], "the address length argument"))
        return std::nullopt;
      break;
    case K::kConnect: {
      if (!ArgCount(call, 3, 3) || !ints({0})) return std::nullopt;
      std::optional<ir::Int> family = LowerInt(call.args[1], /*allow_ellipsis=*/true);
      if (!family) return std::nullopt;
      out.ints.push_back(*family);
      if (!RequireEllipsis(call.args[2], "the address length argument")) return std::nullopt;
      break;
    }
    case K::kListen:
    case K::kShutdown:
      if (!ArgCount(call, 2, 2) || !ints({0, 1})) return std::nullopt;
      break;
    case K::kClose:
      if (!ArgCount(call, 1, 1) || !ints({0})) return std::nullopt;
      break;
    case K::kRead:
    case K::kWrite:
      if (!ArgCount(call, 3, 3) || !ints({0, 2})) return std::nullopt;
      if (call.args[1].kind != ast::Expr::Kind::kEllipsis) {
        Error(call.args[1].range, "the buffer argument must be '...' (payloads are zero bytes)");
        return std::nullopt;
      }
      break;
    case K::kRecv:
    case K::kSend:
      if (!ArgCount(call, 4, 4) || !ints({0, 2, 3})) return std::nullopt;
      if (call.args[1].kind != ast::Expr::Kind::kEllipsis) {
        Error(call.args[1].range, "the buffer argument must be '...' (payloads are zero bytes)");
        return std::nullopt;
      }
      break;
    case K::kRecvmsg: {
      if (!ArgCount(call, 3, 3) || !ints({0})) return std::nullopt;
      std::optional<ir::MsgHdr> msg = LowerMsgHdr(call.args[1]);
      if (!msg || !ints({2})) return std::nullopt;
      out.msg = *msg;
      break;
    }
    case K::kFcntl:
      if (!ArgCount(call, 2, 3) || !ints({0, 1})) return std::nullopt;
      if (call.args.size() == 3) {
        out.fcntl_arg = LowerInt(call.args[2]);
        if (!out.fcntl_arg) return std::nullopt;
      }
      break;
    case K::kSetsockopt:
    case K::kGetsockopt: {
      if (!ArgCount(call, 5, 5) || !ints({0, 1, 2})) return std::nullopt;
      std::optional<ir::Sockopt> value = LowerSockopt(call, call.args[3]);
      if (!value) return std::nullopt;
      out.sockopt = *value;
      const ast::Expr& len = call.args[4];
      ir::Int optlen;
      if (len.kind == ast::Expr::Kind::kList && len.items.size() == 1 &&
          out.kind == K::kGetsockopt) {
        std::optional<ir::Int> v = LowerInt(len.items[0]);
        if (!v) return std::nullopt;
        optlen = *v;
      } else if (len.kind == ast::Expr::Kind::kEllipsis) {
        optlen.is_ellipsis = true;
      } else {
        std::optional<ir::Int> v = LowerInt(len);
        if (!v) return std::nullopt;
        optlen = *v;
      }
      out.ints.push_back(optlen);
      break;
    }
  }
  return out;
}

}  // namespace

std::optional<ir::Script> CheckScript(const ast::Script& script, const SemaOptions& options,
                                      DiagnosticEngine& diags) {
  Checker checker(options, diags);
  return checker.Run(script);
}

}  // namespace pktc
