// Parser implementation: the grammar of ../shared/docs/pkt-language.md, sections 3 and 4.
#include "frontend/parser.h"

#include <cmath>
#include <limits>

namespace pktc {

namespace {
constexpr std::int64_t kMaxSeconds = 1000000;  // Far beyond any real script; keeps us in range.

bool IsHexText(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Token stream

const Token& Parser::Peek(size_t ahead) {
  while (lookahead_.size() <= ahead) lookahead_.push_back(lexer_.Next());
  return lookahead_[ahead];
}

Token Parser::Take() {
  Peek();
  last_ = std::move(lookahead_.front());
  lookahead_.pop_front();
  return last_;
}

bool Parser::TakePunct(char c) {
  if (!Peek().IsPunct(c)) return false;
  Take();
  return true;
}

bool Parser::TakeKeyword(std::string_view k) {
  if (!Peek().IsKeyword(k)) return false;
  Take();
  return true;
}

void Parser::ErrorAt(const Token& t, const llvm::Twine& message) {
  if (t.Is(TokenKind::kError)) return;  // The lexer already said what is wrong.
  diags_.Error(t.loc(), message, t.range);
}

bool Parser::Expect(char punct, std::string_view what) {
  if (TakePunct(punct)) return true;
  ErrorAt(Peek(), "expected '" + std::string(1, punct) + "' " + std::string(what) + ", got " +
                      Peek().Describe());
  return false;
}

bool Parser::ExpectKeyword(std::string_view keyword) {
  if (TakeKeyword(keyword)) return true;
  ErrorAt(Peek(), "expected '" + std::string(keyword) + "', got " + Peek().Describe());
  return false;
}

std::optional<std::int64_t> Parser::ExpectInteger(std::string_view what, bool allow_hex) {
  Token t = Peek();
  if (t.Is(TokenKind::kInteger) || (allow_hex && t.Is(TokenKind::kHexInteger))) {
    Token tok = Take();
    errno = 0;
    long long v = std::strtoll(tok.text.c_str(), nullptr, tok.Is(TokenKind::kHexInteger) ? 16 : 10);
    if (errno == ERANGE) {
      ErrorAt(tok, "integer '" + tok.text + "' is out of range");
      return std::nullopt;
    }
    return v;
  }
  ErrorAt(t, "expected " + std::string(what) + ", got " + t.Describe());
  return std::nullopt;
}

bool Parser::Adjacent(const Token& a, const Token& b) const {
  return a.range.End.getPointer() == b.range.Start.getPointer();
}

bool Parser::StartsLine(const Token& t) const {
  const char* p = t.loc().getPointer();
  const llvm::MemoryBuffer* buffer =
      sources_.getMemoryBuffer(sources_.FindBufferContainingLoc(t.loc()));
  const char* begin = buffer->getBufferStart();
  while (p > begin && (p[-1] == ' ' || p[-1] == '\t')) --p;
  return p == begin || p[-1] == '\n';
}

// After an error, resume at the first token that begins a later line and can start an event, so
// one run reports independent errors without cascades.
void Parser::SkipToNextEvent(SourceLoc error_loc) {
  unsigned error_line = diags_.LineOf(error_loc);
  while (!Peek().Is(TokenKind::kEof)) {
    Token t = Peek();
    bool can_start = t.Is(TokenKind::kInteger) || t.Is(TokenKind::kFloat) || t.IsPunct('+') ||
                     t.IsPunct('*') || t.Is(TokenKind::kBackQuoted);
    if (can_start && diags_.LineOf(t.loc()) > error_line && StartsLine(t)) return;
    Take();
  }
}

// ---------------------------------------------------------------------------------------------
// Script

ast::Script Parser::ParseScript() {
  ast::Script script;
  while (Peek().Is(TokenKind::kOption)) ParseHeaderOption(script);

  if (Peek().Is(TokenKind::kBackQuoted)) {
    Token t = Take();
    script.init_command = ast::Command{t.text, t.range};
  }
  while (!Peek().Is(TokenKind::kEof)) {
    if (Peek().Is(TokenKind::kBackQuoted)) {
      Token t = Take();
      if (Peek().Is(TokenKind::kEof)) {
        script.cleanup_command = ast::Command{t.text, t.range};
        break;
      }
      ErrorAt(t, "a shell command without a time is only allowed before the first event or "
                 "after the last one");
      continue;
    }
    if (Peek().Is(TokenKind::kOption)) {
      ErrorAt(Peek(), "options must come before the first event");
      Take();
      if (TakePunct('=')) Take();
      continue;
    }
    SourceLoc start = Peek().loc();
    int errors_before = diags_.error_count();
    std::optional<ast::Event> event = ParseEvent();
    if (event && diags_.error_count() == errors_before) {
      script.events.push_back(std::move(*event));
      continue;
    }
    SkipToNextEvent(diags_.error_count() > errors_before ? last_.loc() : start);
  }
  return script;
}

void Parser::ParseHeaderOption(ast::Script& script) {
  Token name = Take();
  ast::Option option{name.text, std::nullopt, name.range};
  if (!Peek().IsPunct('=') || !Adjacent(name, Peek())) {
    script.options.push_back(std::move(option));
    return;
  }
  Take();  // '='
  Token value = Take();
  switch (value.kind) {
    case TokenKind::kInteger:
    case TokenKind::kWord:
    case TokenKind::kString:
    case TokenKind::kIpv4Addr:
    case TokenKind::kIpv6Addr:
      break;
    case TokenKind::kKeyword:
      if (value.text == "ipv4" || value.text == "ipv6") break;
      [[fallthrough]];
    default:
      ErrorAt(value, "bad value for option '--" + name.text + "': " + value.Describe() +
                         " (quote values that contain '-', '.', ',' or '/')");
      return;
  }
  if (name.text == "define" || name.text == "D") {
    // --define=NAME=VALUE: the value is the rest, and it changes how later words lex.
    if (!Peek().IsPunct('=')) {
      ErrorAt(Peek(), "expected '=' in --define=NAME=VALUE, got " + Peek().Describe());
      return;
    }
    Take();
    Token def = Take();
    std::string text = def.text;
    if (def.Is(TokenKind::kString)) text = "\"" + text + "\"";
    if (def.Is(TokenKind::kBackQuoted)) text = "`" + text + "`";
    // The name is taken as written, even if an earlier define gave it a value.
    const std::string& name_text = value.define_name.empty() ? value.text : value.define_name;
    lexer_.DefineFromHeader(name_text, text);
    option.value = name_text + "=" + text;
  } else {
    option.value = value.text;
  }
  option.range = SourceRange(name.range.Start, value.range.End);
  script.options.push_back(std::move(option));
}

std::optional<ast::Event> Parser::ParseEvent() {
  SourceLoc start = Peek().loc();
  std::optional<ast::Time> time = ParseTime();
  if (!time) return std::nullopt;

  std::optional<ast::Time> blocking_end;
  if (Peek().Is(TokenKind::kEllipsis)) {
    Token ellipsis = Take();
    Token t = Peek();
    if (!t.Is(TokenKind::kInteger) && !t.Is(TokenKind::kFloat)) {
      ErrorAt(t, "expected the time a blocking call returns after '...', got " + t.Describe());
      return std::nullopt;
    }
    Token end_tok = Take();
    std::optional<std::int64_t> end_us = ParseSeconds(end_tok);
    if (!end_us) return std::nullopt;
    blocking_end = ast::Time{time->kind, *end_us, *end_us, end_tok.range};
  }

  ast::Event event;
  event.time = *time;
  Token t = Peek();
  if (t.IsPunct('<') || t.IsPunct('>')) {
    std::optional<ast::Packet> packet = ParsePacket();
    if (!packet) return std::nullopt;
    event.action = std::move(*packet);
  } else if (t.Is(TokenKind::kBackQuoted)) {
    Token c = Take();
    event.action = ast::Command{c.text, c.range};
  } else if (t.Is(TokenKind::kCode)) {
    Token c = Take();
    event.action = ast::Code{c.text, c.range};
  } else if (t.Is(TokenKind::kWord)) {
    std::optional<ast::Syscall> call = ParseSyscall();
    if (!call) return std::nullopt;
    call->blocking_end = blocking_end;
    event.action = std::move(*call);
  } else {
    ErrorAt(t, "expected a packet ('<' or '>'), a system call, a shell command or a code block "
               "after the event time, got " + t.Describe());
    return std::nullopt;
  }
  if (blocking_end && !std::holds_alternative<ast::Syscall>(event.action)) {
    diags_.Error(blocking_end->range.Start, "only a system call can have a '...' return time",
                 blocking_end->range);
    return std::nullopt;
  }
  event.range = SourceRange(start, last_.range.End);
  return event;
}

std::optional<std::int64_t> Parser::ParseSeconds(const Token& t) {
  if (t.Is(TokenKind::kInteger)) {
    errno = 0;
    long long seconds = std::strtoll(t.text.c_str(), nullptr, 10);
    if (seconds < 0) {
      ErrorAt(t, "negative time");
      return std::nullopt;
    }
    if (errno == ERANGE || seconds > kMaxSeconds) {
      ErrorAt(t, "time '" + t.text + "' is too large");
      return std::nullopt;
    }
    return seconds * 1000000;
  }
  double seconds = std::strtod(t.text.c_str(), nullptr);
  if (seconds < 0) {
    ErrorAt(t, "negative time");
    return std::nullopt;
  }
  if (seconds > kMaxSeconds) {
    ErrorAt(t, "time '" + t.text + "' is too large");
    return std::nullopt;
  }
  // packetdrill converts with (s64)(seconds * 1e6): truncation toward zero.
  return static_cast<std::int64_t>(seconds * 1.0e6);
}

std::optional<ast::Time> Parser::ParseTime() {
  ast::Time time;
  const Token& first = Peek();
  SourceLoc start = first.loc();
  if (first.IsPunct('*')) {
    Take();
    time.kind = ast::TimeKind::kAnyTime;
    time.range = last_.range;
    return time;
  }
  bool relative = TakePunct('+');
  Token t = Peek();
  if (!t.Is(TokenKind::kInteger) && !t.Is(TokenKind::kFloat)) {
    ErrorAt(t, "expected an event time (like 0, +0.1 or *), got " + t.Describe());
    return std::nullopt;
  }
  Token num = Take();
  std::optional<std::int64_t> us = ParseSeconds(num);
  if (!us) return std::nullopt;
  time.kind = relative ? ast::TimeKind::kRelative : ast::TimeKind::kAbsolute;
  time.start_us = time.end_us = *us;
  if (TakePunct('~')) {
    if (relative && !TakePunct('+')) {
      ErrorAt(Peek(), "the end of a relative time range needs a '+' too (like +1~+2)");
      return std::nullopt;
    }
    const Token& e = Peek();
    if (!e.Is(TokenKind::kInteger) && !e.Is(TokenKind::kFloat)) {
      ErrorAt(e, "expected the end of the time range, got " + e.Describe());
      return std::nullopt;
    }
    Token end_tok = Take();
    std::optional<std::int64_t> end_us = ParseSeconds(end_tok);
    if (!end_us) return std::nullopt;
    if (*end_us < time.start_us) {
      ErrorAt(end_tok, "time range is backwards");
      return std::nullopt;
    }
    time.end_us = *end_us;
    time.kind = relative ? ast::TimeKind::kRelativeRange : ast::TimeKind::kAbsoluteRange;
  }
  time.range = SourceRange(start, last_.range.End);
  return time;
}

// ---------------------------------------------------------------------------------------------
// Packets

std::optional<ast::Packet> Parser::ParsePacket() {
  ast::Packet packet;
  Token dir = Take();
  packet.direction = dir.text[0];
  packet.direction_range = dir.range;

  while (Peek().IsKeyword("ipv4") || Peek().IsKeyword("ipv6") || Peek().IsKeyword("gre") ||
         Peek().IsKeyword("GREv0") || Peek().IsKeyword("mpls")) {
    if (!ParseEncap(packet)) return std::nullopt;
  }
  if (Peek().IsPunct('[') || Peek().IsPunct('(')) {
    packet.has_ip_info = true;
    if (!ParseIpInfo(packet.ip)) return std::nullopt;
  }
  if (TakeKeyword("udp")) {
    packet.protocol = ast::Packet::Protocol::kUdp;
    if (Peek().Is(TokenKind::kInteger) && Peek(1).IsPunct('>')) {
      auto sport = ExpectInteger("source port");
      Take();
      auto dport = ExpectInteger("destination port");
      if (!sport || !dport) return std::nullopt;
      packet.ports = {*sport, *dport};
    }
    if (!Expect('(', "before the UDP payload length")) return std::nullopt;
    auto len = ExpectInteger("UDP payload length");
    if (!len || !Expect(')', "after the UDP payload length")) return std::nullopt;
    packet.udp_len = *len;
    return packet;
  }
  if (Peek().IsKeyword("icmp")) {
    if (!ParseIcmp(packet)) return std::nullopt;
    return packet;
  }
  if (TakeKeyword("encap")) {
    // encap psp spi N: transport-mode PSP, which needs packetdrill's wire mode.
    if (!ExpectKeyword("psp") || !ExpectKeyword("spi")) return std::nullopt;
    if (!ExpectInteger("PSP SPI", true)) return std::nullopt;
    packet.psp = true;
  }
  if (!ParseTcp(packet)) return std::nullopt;
  return packet;
}

// Outer headers: `ipv4 [ip_info] A > B:`, `ipv6 ... :`, `gre:`, `gre[,] flags ... sum N off N
// key [=] N seq N:` and `mpls (label N, tc N, [S], ttl N)...:`, in packetdrill's grammar
// (packet_prefix); sema checks the values.
bool Parser::ParseEncap(ast::Packet& packet) {
  Token kind = Take();
  ast::Encap encap;
  encap.kind = kind.text == "GREv0" ? "gre" : kind.text;
  if (kind.IsKeyword("ipv4") || kind.IsKeyword("ipv6")) {
    if (Peek().IsPunct('[') || Peek().IsPunct('(')) {
      encap.has_ip_info = true;
      if (!ParseIpInfo(encap.ip)) return false;
    }
    bool v4 = kind.IsKeyword("ipv4");
    TokenKind addr = v4 ? TokenKind::kIpv4Addr : TokenKind::kIpv6Addr;
    const char* family = v4 ? "IPv4" : "IPv6";
    if (!Peek().Is(addr)) {
      ErrorAt(Peek(), "expected the outer " + std::string(family) + " source address, got " +
                          Peek().Describe());
      return false;
    }
    encap.src_range = Peek().range;
    encap.src = Take().text;
    if (!Expect('>', "between the outer addresses")) return false;
    if (!Peek().Is(addr)) {
      ErrorAt(Peek(), "expected the outer " + std::string(family) + " destination address, got " +
                          Peek().Describe());
      return false;
    }
    encap.dst_range = Peek().range;
    encap.dst = Take().text;
  } else if (kind.IsKeyword("gre") || kind.IsKeyword("GREv0")) {
    if (!Peek().IsPunct(':')) {
      TakePunct(',');
      if (!ParseGreFields(encap.gre)) return false;
    }
  } else {  // mpls
    while (Peek().IsPunct('(')) {
      encap.mpls.emplace_back();
      if (!ParseMplsEntry(encap.mpls.back())) return false;
    }
  }
  encap.range = SourceRange(kind.range.Start, last_.range.End);
  packet.encaps.push_back(std::move(encap));
  return Expect(':', "after the encapsulation header");
}

// `flags [none | checksum present | key present | sequence# present, ...]` or `flags N`, then
// `sum N off N key [=] N seq N`, every part required and in this order, commas optional (the
// GRE header of a packet line and of a `{...}` syscall argument).
bool Parser::ParseGreFields(ast::GreHeader& gre) {
  gre.full = true;
  SourceLoc start = Peek().loc();
  if (!ExpectKeyword("flags")) return false;
  if (TakePunct('[')) {
    while (true) {
      Token flag = Peek();
      if (TakeKeyword("none")) {
      } else if (TakeKeyword("checksum") || TakeKeyword("key") || TakeKeyword("sequence#")) {
        if (!ExpectKeyword("present")) return false;
        gre.flags |= flag.text == "checksum" ? 0x8000 : flag.text == "key" ? 0x2000 : 0x1000;
      } else {
        ErrorAt(flag,
                "expected a GRE flag (none, checksum present, key present, sequence# "
                "present), got " +
                    flag.Describe());
        if (flag.text == "sequence") {
          diags_.Note(flag.loc(), "packetdrill spells the sequence flag 'sequence#'");
        }
        return false;
      }
      if (TakePunct(',')) continue;
      if (!Expect(']', "to close the GRE flags")) return false;
      break;
    }
  } else {
    std::optional<std::int64_t> flags = ExpectInteger("GRE flags ([...] or a number)", true);
    if (!flags) return false;
    gre.flags = *flags;
  }
  gre.flags_range = SourceRange(start, last_.range.End);
  struct Part {
    const char* keyword;
    std::int64_t* value;
    SourceRange* range;
  };
  const Part parts[] = {{"sum", &gre.sum, &gre.sum_range},
                        {"off", &gre.off, &gre.off_range},
                        {"key", &gre.key, &gre.key_range},
                        {"seq", &gre.seq, &gre.seq_range}};
  for (const Part& part : parts) {
    TakePunct(',');
    if (!ExpectKeyword(part.keyword)) return false;
    if (part.value == &gre.key) TakePunct('=');
    Token number = Peek();
    std::optional<std::int64_t> v =
        ExpectInteger("the GRE " + std::string(part.keyword) + " value", true);
    if (!v) return false;
    *part.value = *v;
    *part.range = number.range;
  }
  return true;
}

// `(label L, tc T, [S], ttl N)`, decimal numbers only (packetdrill's INTEGER).
bool Parser::ParseMplsEntry(ast::MplsEntry& entry) {
  Token open = Take();  // (
  if (!ExpectKeyword("label")) return false;
  std::optional<std::int64_t> label = ExpectInteger("an MPLS label");
  if (!label || !Expect(',', "after the MPLS label") || !ExpectKeyword("tc")) return false;
  std::optional<std::int64_t> tc = ExpectInteger("an MPLS traffic class");
  if (!tc || !Expect(',', "after the MPLS traffic class")) return false;
  if (TakePunct('[')) {
    Token bottom = Peek();
    if (!bottom.Is(TokenKind::kWord) || bottom.text != "S") {
      ErrorAt(bottom, "expected [S] for MPLS label stack bottom");
      return false;
    }
    Take();
    if (!Expect(']', "after [S") || !Expect(',', "after [S]")) return false;
    entry.bottom = true;
  }
  if (!ExpectKeyword("ttl")) return false;
  std::optional<std::int64_t> ttl = ExpectInteger("an MPLS TTL");
  if (!ttl || !Expect(')', "to close the MPLS label entry")) return false;
  entry.label = *label;
  entry.tc = *tc;
  entry.ttl = *ttl;
  entry.range = SourceRange(open.range.Start, last_.range.End);
  return true;
}

// icmp TYPE [CODE] [mtu N] [id N] ['[' echoed ']']; names are checked per family by sema.
bool Parser::ParseIcmp(ast::Packet& packet) {
  Take();  // icmp
  packet.protocol = ast::Packet::Protocol::kIcmp;
  SourceLoc start = Peek().loc();
  if (!Peek().Is(TokenKind::kWord)) {
    ErrorAt(Peek(), "expected an ICMP type (like unreachable), got " + Peek().Describe());
    return false;
  }
  packet.icmp_type = Take().text;
  if (Peek().Is(TokenKind::kWord)) packet.icmp_code = Take().text;
  packet.icmp_range = SourceRange(start, last_.range.End);
  if (TakeKeyword("mtu")) {
    packet.icmp_mtu = ExpectInteger("MTU");
    if (!packet.icmp_mtu) return false;
  }
  if (TakeKeyword("id")) {
    packet.icmp_id = ExpectInteger("ICMP id");
    if (!packet.icmp_id) return false;
  }
  if (!TakePunct('[')) return true;
  if (TakeKeyword("udp") || TakeKeyword("raw")) {
    packet.icmp_echoed = last_.text;
    if (!Expect('(', "before the echoed length")) return false;
    auto len = ExpectInteger("echoed length");
    if (!len || !Expect(')', "after the echoed length")) return false;
    packet.echoed_len = *len;
  } else {
    auto start_seq = ExpectInteger("echoed sequence range START:END(LEN)");
    if (!start_seq || !Expect(':', "in the echoed sequence range")) return false;
    auto end_seq = ExpectInteger("echoed sequence END");
    if (!end_seq || !Expect('(', "before the echoed length")) return false;
    auto len = ExpectInteger("echoed length");
    if (!len || !Expect(')', "after the echoed length")) return false;
    packet.echoed_start = *start_seq;
    packet.echoed_end = *end_seq;
    packet.echoed_len = *len;
  }
  return Expect(']', "to close the echoed packet");
}

bool Parser::ParseIpInfo(ast::IpInfo& ip) {
  Token open = Take();
  char close = open.IsPunct('[') ? ']' : ')';
  bool first = true;
  while (!Peek().IsPunct(close)) {
    if (!first && !Expect(',', "between IP header fields")) return false;
    first = false;
    Token t = Peek();
    if (t.IsKeyword("noecn") || t.IsKeyword("ect0") || t.IsKeyword("ect1") || t.IsKeyword("ce") ||
        t.IsKeyword("ect01")) {
      ip.ecn = Take().text;
    } else if (TakeKeyword("tos")) {
      if (!Peek().Is(TokenKind::kHexInteger)) {
        ErrorAt(Peek(), "expected a hex TOS value (like 0x10), got " + Peek().Describe());
        return false;
      }
      ip.tos = ExpectInteger("TOS", true);
    } else if (TakeKeyword("flowlabel")) {
      if (!Peek().Is(TokenKind::kHexInteger)) {
        ErrorAt(Peek(), "expected a hex flow label (like 0x12345), got " + Peek().Describe());
        return false;
      }
      ip.flowlabel = ExpectInteger("flow label", true);
    } else if (TakeKeyword("ttl")) {
      ip.ttl = ExpectInteger("TTL");
      if (!ip.ttl) return false;
    } else {
      ErrorAt(t, "expected an IP header field (noecn, ect0, ect1, ce, ect01, tos, flowlabel, "
                 "ttl), got " + t.Describe());
      return false;
    }
  }
  Token close_tok = Take();
  ip.range = SourceRange(open.range.Start, close_tok.range.End);
  return true;
}

bool Parser::ParseFlags(ast::Packet& packet) {
  Token t = Peek();
  SourceLoc start = t.loc();
  if (t.IsPunct('-')) {
    Take();
    packet.flags = "";
  } else if (t.IsPunct('.')) {
    Take();
    packet.flags = ".";
  } else if (t.Is(TokenKind::kFloat) && t.text[0] == '.') {
    packet.flags = Take().text;  // ".2": ACK with ACE value 2
  } else if (t.Is(TokenKind::kWord) || t.Is(TokenKind::kInteger)) {
    Token word = Take();
    packet.flags = word.text;
    if (Peek().IsPunct('.') && Adjacent(word, Peek())) {
      packet.flags += Take().text;
    } else if (Peek().Is(TokenKind::kFloat) && Peek().text[0] == '.' && Adjacent(word, Peek())) {
      packet.flags += Take().text;
    }
  } else {
    ErrorAt(t, "expected TCP flags (like S, S., P., F.) or a protocol (udp, icmp), got " +
                   t.Describe());
    return false;
  }
  packet.flags_range = SourceRange(start, last_.range.End);
  return true;
}

bool Parser::ParseTcp(ast::Packet& packet) {
  if (Peek().Is(TokenKind::kInteger) && Peek(1).IsPunct('>')) {
    auto sport = ExpectInteger("source port");
    Take();
    auto dport = ExpectInteger("destination port");
    if (!sport || !dport) return false;
    packet.ports = {*sport, *dport};
  }
  if (!ParseFlags(packet)) return false;

  SourceLoc seq_start = Peek().loc();
  auto start = ExpectInteger("sequence range START:END(LEN)");
  if (!start || !Expect(':', "in sequence range START:END(LEN)")) return false;
  auto end = ExpectInteger("sequence range END");
  if (!end || !Expect('(', "before the payload length")) return false;
  auto len = ExpectInteger("payload length");
  if (!len || !Expect(')', "after the payload length")) return false;
  packet.seq_range = SourceRange(seq_start, last_.range.End);
  packet.seq_start = *start;
  packet.seq_end = *end;
  packet.seq_len = *len;

  if (TakeKeyword("ack")) {
    packet.ack = ExpectInteger("ACK number");
    if (!packet.ack) return false;
  }
  if (TakeKeyword("win")) {
    packet.win = ExpectInteger("window");
    if (!packet.win) return false;
  }
  if (TakeKeyword("urg")) {
    packet.urg = ExpectInteger("urgent pointer");
    if (!packet.urg) return false;
  }
  if (Peek().IsPunct('<')) return ParseTcpOptions(packet);
  return true;
}

bool Parser::ParseHexBlob(std::vector<std::uint8_t>& out, bool required) {
  Token t = Peek();
  bool candidate = (t.Is(TokenKind::kWord) || t.Is(TokenKind::kInteger)) && IsHexText(t.text);
  if (!candidate) {
    if (required) ErrorAt(t, "expected hex bytes (like 0a1b2c3d), got " + t.Describe());
    return !required;
  }
  Token blob = Take();
  // A define's value is used as written: "01020304" is hex bytes, not the octal integer the
  // lexer made of it.
  if (!blob.define_name.empty()) blob.text = lexer_.defines().at(blob.define_name);
  if (!IsHexText(blob.text)) {
    ErrorAt(blob, "expected hex bytes (like 0a1b2c3d), got '" + blob.text + "'");
    return false;
  }
  if (blob.text.size() % 2 != 0) {
    ErrorAt(blob, "hex bytes need an even number of digits");
    return false;
  }
  for (size_t i = 0; i < blob.text.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(blob.text.substr(i, 2), nullptr, 16)));
  }
  return true;
}

bool Parser::ParseTcpOptions(ast::Packet& packet) {
  Take();  // '<'
  packet.has_options = true;
  if (Peek().Is(TokenKind::kEllipsis)) {
    Take();
    packet.any_options = true;
    return Expect('>', "after '<...'");
  }
  while (true) {
    Token t = Peek();
    ast::TcpOption option;
    option.range = t.range;
    if (t.IsKeyword("nop") || t.IsKeyword("eol") || t.IsKeyword("sackOK")) {
      option.name = Take().text;
    } else if (t.IsKeyword("mss") || t.IsKeyword("wscale")) {
      option.name = Take().text;
      auto v = ExpectInteger(option.name + " value");
      if (!v) return false;
      option.values.push_back(*v);
    } else if (t.IsKeyword("sack")) {
      option.name = Take().text;
      while (Peek().Is(TokenKind::kInteger)) {
        auto left = ExpectInteger("SACK block start");
        if (!left || !Expect(':', "in SACK block")) return false;
        auto right = ExpectInteger("SACK block end");
        if (!right) return false;
        option.values.push_back(*left);
        option.values.push_back(*right);
      }
    } else if (t.IsKeyword("TS")) {
      option.name = Take().text;
      if (!ExpectKeyword("val")) return false;
      auto val = ExpectInteger("TS val");
      if (!val || !ExpectKeyword("ecr")) return false;
      auto ecr = ExpectInteger("TS ecr");
      if (!ecr) return false;
      option.values = {*val, *ecr};
    } else if (t.IsKeyword("FO") || t.IsKeyword("FOEXP")) {
      option.name = Take().text;
      Token cookie = Peek();
      if (cookie.Is(TokenKind::kWord) && !IsHexText(cookie.text)) {
        option.blob_define = Take().text;  // e.g. TFO_COOKIE, given per family by the harness
      } else {
        if (!cookie.define_name.empty()) option.blob_define = cookie.define_name;
        if (!ParseHexBlob(option.blob, /*required=*/false)) return false;
      }
    } else if (t.IsKeyword("md5")) {
      option.name = Take().text;
      if (!ParseHexBlob(option.blob, /*required=*/true)) return false;
    } else if (t.IsKeyword("ECN")) {
      // AccECN: ECN e0b N [ceb N [e1b N]] or ECN e1b N [ceb N [e0b N]].
      option.name = Take().text;
      while (Peek().IsKeyword("e0b") || Peek().IsKeyword("ceb") || Peek().IsKeyword("e1b")) {
        option.ecn_fields.push_back(Take().text);
        auto v = ExpectInteger("AccECN counter");
        if (!v) return false;
        option.values.push_back(*v);
      }
      const std::vector<std::string>& f = option.ecn_fields;
      bool order0 = !f.empty() && f[0] == "e0b" && (f.size() < 2 || f[1] == "ceb") &&
                    (f.size() < 3 || f[2] == "e1b");
      bool order1 = !f.empty() && f[0] == "e1b" && (f.size() < 2 || f[1] == "ceb") &&
                    (f.size() < 3 || f[2] == "e0b");
      if (!order0 && !order1) {
        ErrorAt(t, "an ECN option lists 'e0b N [ceb N [e1b N]]' or 'e1b N [ceb N [e0b N]]'");
        return false;
      }
    } else {
      ErrorAt(t, "expected a TCP option (nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5, "
                 "ECN), got " + t.Describe());
      return false;
    }
    option.range = SourceRange(option.range.Start, last_.range.End);
    packet.options.push_back(std::move(option));
    if (TakePunct(',')) continue;
    return Expect('>', "to close the TCP option list");
  }
}

// ---------------------------------------------------------------------------------------------
// System calls and expressions

std::optional<ast::Syscall> Parser::ParseSyscall() {
  ast::Syscall call;
  Token name = Take();
  call.name = name.text;
  call.name_range = name.range;
  SourceLoc args_start = Peek().loc();
  if (!Expect('(', "after the system call name")) return std::nullopt;
  if (!Peek().IsPunct(')')) {
    while (true) {
      std::optional<ast::Expr> arg = ParseExpr(0);
      if (!arg) return std::nullopt;
      call.args.push_back(std::move(*arg));
      if (TakePunct(',')) continue;
      break;
    }
  }
  if (!Expect(')', "after the system call arguments")) return std::nullopt;
  call.args_range = SourceRange(args_start, last_.range.End);
  if (!Expect('=', "and the expected result after the system call")) return std::nullopt;
  std::optional<ast::Expr> result = ParseExpr(0);
  if (!result) return std::nullopt;
  call.result = std::move(*result);
  if (Peek().Is(TokenKind::kWord)) {
    Token err = Take();
    call.errno_name = err.text;
    call.errno_range = err.range;
    if (!Peek().IsPunct('(')) {
      ErrorAt(Peek(), "expected a note in parentheses after errno " + err.text +
                          " (like '(Operation now in progress)'), got " + Peek().Describe());
      return std::nullopt;
    }
  }
  if (Peek().IsPunct('(') && !ParseNote()) return std::nullopt;
  return call;
}

bool Parser::ParseNote() {
  Token open = Take();
  while (!Peek().IsPunct(')')) {
    Token t = Peek();
    if (t.Is(TokenKind::kEof) || !StartsLine(t) == false) {
      // A note never spans to the next event.
    }
    if (t.Is(TokenKind::kWord) || t.Is(TokenKind::kKeyword) || t.Is(TokenKind::kInteger)) {
      Take();
      continue;
    }
    ErrorAt(t, "expected words in the note after the result, got " + t.Describe());
    return false;
  }
  Take();
  return true;
}

std::optional<ast::Expr> Parser::ParseExpr(int depth) {
  if (depth > kMaxDepth) {
    ErrorAt(Peek(), "expression nested too deeply");
    return std::nullopt;
  }
  std::optional<ast::Expr> lhs = ParsePrimary(depth + 1);
  if (!lhs || !Peek().IsPunct('|')) return lhs;
  ast::Expr orexpr;
  orexpr.kind = ast::Expr::Kind::kOr;
  SourceLoc start = lhs->range.Start;
  orexpr.items.push_back(std::move(*lhs));
  while (TakePunct('|')) {
    std::optional<ast::Expr> rhs = ParsePrimary(depth + 1);
    if (!rhs) return std::nullopt;
    orexpr.items.push_back(std::move(*rhs));
  }
  orexpr.range = SourceRange(start, last_.range.End);
  return orexpr;
}

std::optional<ast::Expr> Parser::ParsePrimary(int depth) {
  ast::Expr e;
  Token t = Peek();
  SourceLoc start = t.loc();
  e.define_name = t.define_name;
  switch (t.kind) {
    case TokenKind::kEllipsis:
      Take();
      e.kind = ast::Expr::Kind::kEllipsis;
      break;
    case TokenKind::kInteger:
    case TokenKind::kHexInteger: {
      e.kind = ast::Expr::Kind::kInteger;
      e.is_hex = t.Is(TokenKind::kHexInteger);
      auto v = ExpectInteger("integer", true);
      if (!v) return std::nullopt;
      e.int_value = *v;
      break;
    }
    case TokenKind::kWord:
      e.kind = ast::Expr::Kind::kSymbol;
      e.text = Take().text;
      break;
    case TokenKind::kString:
      e.kind = ast::Expr::Kind::kString;
      while (Peek().Is(TokenKind::kString)) e.text += Take().text;
      if (Peek().Is(TokenKind::kEllipsis)) {
        Take();
        e.truncated = true;
      }
      break;
    case TokenKind::kKeyword:
      if (t.text == "htons" || t.text == "inet_addr" || t.text == "inet6_addr") {
        e.kind = ast::Expr::Kind::kCall;
        e.text = Take().text;
        if (!Expect('(', "after " + e.text)) return std::nullopt;
        std::optional<ast::Expr> arg = ParseExpr(depth + 1);
        if (!arg) return std::nullopt;
        e.items.push_back(std::move(*arg));
        if (!Expect(')', "to close " + e.text + "(...)")) return std::nullopt;
        break;
      }
      ErrorAt(t, "unexpected keyword '" + t.text + "' in an expression");
      return std::nullopt;
    case TokenKind::kPunct:
      if (t.IsPunct('[')) {
        Take();
        e.kind = ast::Expr::Kind::kList;
        if (!ParseElements(e, ']', depth)) return std::nullopt;
        break;
      }
      if (t.IsPunct('{') &&
          (Peek(1).IsKeyword("flags") || Peek(1).IsPunct('(') || Peek(1).IsPunct('}'))) {
        // packetdrill's gre_header_expression and mpls_stack_expression (setsockopt values);
        // `{}` is an empty MPLS stack there.
        Take();
        auto encap = std::make_shared<ast::Encap>();
        encap->kind = Peek().IsKeyword("flags") ? "gre" : "mpls";
        if (encap->kind == "gre") {
          if (!ParseGreFields(encap->gre)) return std::nullopt;
        } else {
          while (Peek().IsPunct('(')) {
            encap->mpls.emplace_back();
            if (!ParseMplsEntry(encap->mpls.back())) return std::nullopt;
          }
        }
        if (!Expect('}', encap->kind == "gre" ? "after the GRE header" : "after the MPLS stack")) {
          return std::nullopt;
        }
        encap->range = SourceRange(start, last_.range.End);
        e.kind = ast::Expr::Kind::kEncap;
        e.encap = std::move(encap);
        break;
      }
      if (t.IsPunct('{')) {
        Take();
        e.kind = ast::Expr::Kind::kStruct;
        if (!ParseElements(e, '}', depth)) return std::nullopt;
        break;
      }
      [[fallthrough]];
    default:
      ErrorAt(t, "expected an expression, got " + t.Describe());
      return std::nullopt;
  }
  e.range = SourceRange(start, last_.range.End);
  return e;
}

// Elements of `[...]` and `{...}`: expressions and `name[(arg)]=value` fields.
bool Parser::ParseElements(ast::Expr& aggregate, char close, int depth) {
  if (TakePunct(close)) return true;
  while (true) {
    Token t = Peek();
    bool named = (t.Is(TokenKind::kWord) || t.Is(TokenKind::kKeyword)) &&
                 (Peek(1).IsPunct('=') || (t.Is(TokenKind::kKeyword) && Peek(1).IsPunct('(') &&
                                           t.text != "htons" && t.text != "inet_addr" &&
                                           t.text != "inet6_addr"));
    if (named) {
      ast::Field field;
      Token name = Take();
      field.name = name.text;
      field.name_range = name.range;
      if (TakePunct('(')) {
        std::optional<ast::Expr> paren = ParseExpr(depth + 1);
        if (!paren || !Expect(')', "after the field argument")) return false;
        field.paren = std::make_unique<ast::Expr>(std::move(*paren));
      }
      if (!Expect('=', "after field name '" + field.name + "'")) return false;
      std::optional<ast::Expr> value = ParseExpr(depth + 1);
      if (!value) return false;
      field.value = std::make_unique<ast::Expr>(std::move(*value));
      aggregate.fields.push_back(std::move(field));
    } else {
      std::optional<ast::Expr> item = ParseExpr(depth + 1);
      if (!item) return false;
      aggregate.items.push_back(std::move(*item));
    }
    if (TakePunct(',')) continue;
    return Expect(close, std::string("to close the ") + (close == ']' ? "list" : "struct"));
  }
}

}  // namespace pktc
