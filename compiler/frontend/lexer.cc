// Lexer implementation.
#include "frontend/lexer.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>

namespace pktc {

namespace {
bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

size_t DigitsAt(const char* p, const char* end) {
  size_t n = 0;
  while (p + n < end && IsDigit(p[n])) ++n;
  return n;
}

// -?[0-9]+
size_t IntegerLength(const char* p, const char* end) {
  size_t sign = (p < end && *p == '-') ? 1 : 0;
  size_t digits = DigitsAt(p + sign, end);
  return digits ? sign + digits : 0;
}

// 0x[0-9a-fA-F]+ (lower-case x only, as upstream)
size_t HexLength(const char* p, const char* end) {
  if (end - p < 3 || p[0] != '0' || p[1] != 'x' || !IsHexDigit(p[2])) return 0;
  size_t n = 2;
  while (p + n < end && IsHexDigit(p[n])) ++n;
  return n;
}

// -?[0-9]*\.[0-9]+
size_t FloatLength(const char* p, const char* end) {
  size_t n = (p < end && *p == '-') ? 1 : 0;
  n += DigitsAt(p + n, end);
  if (p + n >= end || p[n] != '.') return 0;
  size_t frac = DigitsAt(p + n + 1, end);
  return frac ? n + 1 + frac : 0;
}

// [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+
size_t Ipv4Length(const char* p, const char* end) {
  size_t n = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p + n >= end || p[n] != '.') return 0;
      ++n;
    }
    size_t d = DigitsAt(p + n, end);
    if (d == 0) return 0;
    n += d;
  }
  return n;
}

// IPv6 addresses: they must contain "::" or eight groups, so that `1:1001` stays
// INTEGER ':' INTEGER (sequence ranges and SACK blocks).
size_t Ipv6Length(const char* p, const char* end) {
  size_t run = 0;
  bool has_colon = false;
  while (p + run < end && (IsHexDigit(p[run]) || p[run] == ':' || p[run] == '.')) {
    has_colon |= p[run] == ':';
    ++run;
  }
  if (!has_colon) return 0;
  // No address is longer than 45 characters (eight groups, or six and an IPv4 tail); looking
  // only that far keeps a long run of "1:1:1..." linear.
  constexpr size_t kMaxIpv6Text = 45;
  for (size_t n = std::min(run, kMaxIpv6Text); n >= 2; --n) {
    std::string text(p, n);
    int colons = 0;
    for (char c : text) colons += c == ':';
    if (text.find("::") == std::string::npos && colons != 7) continue;
    in6_addr addr;
    if (inet_pton(AF_INET6, text.c_str(), &addr) == 1) return n;
  }
  return 0;
}
}  // namespace

bool ParseDefineInteger(std::string_view text, long long& out) {
  if (text.empty()) return false;
  std::string s(text);
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (errno != 0 || end == s.c_str() || *end != '\0') return false;
  if (v == LLONG_MIN || v == LLONG_MAX) return false;
  out = v;
  return true;
}

Lexer::Lexer(llvm::SourceMgr& sources, unsigned buffer_id, DiagnosticEngine& diags)
    : diags_(diags) {
  const llvm::MemoryBuffer* buffer = sources.getMemoryBuffer(buffer_id);
  cur_ = buffer->getBufferStart();
  end_ = buffer->getBufferEnd();
}

void Lexer::DefineFromCommandLine(const std::string& name, const std::string& value) {
  defines_[name] = value;
  from_command_line_[name] = true;
}

void Lexer::DefineFromHeader(const std::string& name, const std::string& value) {
  if (from_command_line_.count(name)) return;
  defines_[name] = value;
}

Token Lexer::Make(TokenKind kind, const char* begin, const char* end, std::string text) {
  Token t;
  t.kind = kind;
  t.text = std::move(text);
  t.range = SourceRange(SourceLoc::getFromPointer(begin), SourceLoc::getFromPointer(end));
  return t;
}

void Lexer::SkipWhitespaceAndComments() {
  while (cur_ < end_) {
    char c = *cur_;
    if (c == ' ' || c == '\t' || c == '\n') {
      ++cur_;
      continue;
    }
    if (c == '/' && cur_ + 1 < end_ && cur_[1] == '/') {
      while (cur_ < end_ && *cur_ != '\n') ++cur_;
      continue;
    }
    if (c == '/' && cur_ + 1 < end_ && cur_[1] == '*') {
      const char* start = cur_;
      cur_ += 2;
      while (cur_ + 1 < end_ && !(cur_[0] == '*' && cur_[1] == '/')) ++cur_;
      if (cur_ + 1 >= end_) {
        diags_.Error(SourceLoc::getFromPointer(start), "unterminated /* comment");
        cur_ = end_;
        return;
      }
      cur_ += 2;
      continue;
    }
    return;
  }
}

Token Lexer::LexQuoted(char quote, TokenKind kind) {
  const char* start = cur_;
  const char* p = cur_ + 1;
  while (p < end_ && *p != quote) {
    if (*p == '\\' && p + 1 < end_) ++p;
    ++p;
  }
  if (p >= end_) {
    diags_.Error(SourceLoc::getFromPointer(start),
                 kind == TokenKind::kString ? "unterminated string" : "unterminated shell command");
    cur_ = end_;
    return Make(TokenKind::kError, start, end_, "");
  }
  cur_ = p + 1;
  return Make(kind, start, cur_, std::string(start + 1, p));
}

Token Lexer::LexCode() {
  const char* start = cur_;
  const char* p = cur_ + 2;
  while (p + 1 < end_ && !(p[0] == '}' && p[1] == '%')) ++p;
  if (p + 1 >= end_) {
    diags_.Error(SourceLoc::getFromPointer(start), "unterminated code block: expected '}%'");
    cur_ = end_;
    return Make(TokenKind::kError, start, end_, "");
  }
  const char* body_begin = start + 2;
  const char* body_end = p;
  while (body_begin < body_end && (*body_begin == ' ' || *body_begin == '\t')) ++body_begin;
  while (body_end > body_begin && (body_end[-1] == ' ' || body_end[-1] == '\t')) --body_end;
  cur_ = p + 2;
  return Make(TokenKind::kCode, start, cur_, std::string(body_begin, body_end));
}

Token Lexer::LexRaw() {
  SkipWhitespaceAndComments();
  if (cur_ >= end_) return Make(TokenKind::kEof, end_, end_, "");
  const char* start = cur_;
  char c = *cur_;

  if (c == '"') return LexQuoted('"', TokenKind::kString);
  if (c == '`') return LexQuoted('`', TokenKind::kBackQuoted);
  if (c == '%' && cur_ + 1 < end_ && cur_[1] == '{') return LexCode();
  if (c == '\r') {
    diags_.Error(SourceLoc::getFromPointer(start),
                 "carriage return in script (CRLF line endings are not accepted)");
    ++cur_;
    return Make(TokenKind::kError, start, cur_, "\r");
  }
  if (c == '-' && cur_ + 2 < end_ && cur_[1] == '-' && IsWordChar(cur_[2])) {
    const char* p = cur_ + 2;
    while (p < end_ && IsWordChar(*p)) ++p;
    cur_ = p;
    return Make(TokenKind::kOption, start, p, std::string(start + 2, p));
  }

  // Longest match among the number, address and word rules; on a tie the earlier rule wins.
  size_t word = 0;
  while (cur_ + word < end_ && IsWordChar(cur_[word])) ++word;
  if (word == 8 && std::string_view(cur_, 8) == "sequence" && cur_ + 8 < end_ && cur_[8] == '#')
    word = 9;
  size_t ipv4 = Ipv4Length(cur_, end_);
  size_t ipv6 = Ipv6Length(cur_, end_);
  size_t hex = HexLength(cur_, end_);
  size_t flt = FloatLength(cur_, end_);
  size_t integer = IntegerLength(cur_, end_);

  struct Candidate {
    size_t length;
    TokenKind kind;
  };
  const Candidate candidates[] = {
      {ipv4, TokenKind::kIpv4Addr}, {ipv6, TokenKind::kIpv6Addr}, {hex, TokenKind::kHexInteger},
      {flt, TokenKind::kFloat},     {integer, TokenKind::kInteger}, {word, TokenKind::kWord},
  };
  Candidate best{0, TokenKind::kError};
  for (const Candidate& cand : candidates) {
    if (cand.length > best.length) best = cand;
  }
  if (c == '.' && cur_ + 2 < end_ && cur_[1] == '.' && cur_[2] == '.' && best.length < 3) {
    cur_ += 3;
    return Make(TokenKind::kEllipsis, start, cur_, "...");
  }
  if (best.length == 0) {
    ++cur_;
    if (!std::isprint(static_cast<unsigned char>(c))) {
      diags_.Error(SourceLoc::getFromPointer(start), "invalid character in script");
      return Make(TokenKind::kError, start, cur_, std::string(1, c));
    }
    return Make(TokenKind::kPunct, start, cur_, std::string(1, c));
  }
  cur_ += best.length;
  std::string text(start, cur_);
  if (best.kind == TokenKind::kWord && IsKeyword(text)) best.kind = TokenKind::kKeyword;
  return Make(best.kind, start, cur_, std::move(text));
}

void Lexer::Substitute(Token& token) {
  auto it = defines_.find(token.text);
  if (it == defines_.end()) return;
  const std::string& value = it->second;
  token.define_name = token.text;
  long long number;
  if (!value.empty() && value.front() == '"') {
    token.kind = TokenKind::kString;
    token.text = value.size() >= 2 ? value.substr(1, value.size() - 2) : "";
  } else if (!value.empty() && value.front() == '`') {
    token.kind = TokenKind::kBackQuoted;
    token.text = value.size() >= 2 ? value.substr(1, value.size() - 2) : "";
  } else if (ParseDefineInteger(value, number)) {
    token.kind = TokenKind::kInteger;
    token.text = std::to_string(number);
  } else {
    token.kind = TokenKind::kWord;
    token.text = value;
  }
}

Token Lexer::Next() {
  Token t = LexRaw();
  if (t.kind == TokenKind::kWord) Substitute(t);
  return t;
}

}  // namespace pktc
