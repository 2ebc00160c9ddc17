// Tokens of the packetdrill script language.
#ifndef PKTC_COMPILER_FRONTEND_TOKEN_H_
#define PKTC_COMPILER_FRONTEND_TOKEN_H_

#include <string>
#include <string_view>

#include "support/diagnostics.h"

namespace pktc {

enum class TokenKind {
  kEof,
  kInteger,     ///< -?[0-9]+
  kHexInteger,  ///< 0x[0-9a-fA-F]+
  kFloat,       ///< -?[0-9]*\.[0-9]+
  kWord,        ///< [a-zA-Z0-9_]+ that is not a keyword
  kKeyword,     ///< A reserved word; `text` holds its spelling.
  kIpv4Addr,
  kIpv6Addr,
  kOption,       ///< --name; `text` holds the name without dashes.
  kString,       ///< "..."; `text` holds the body without quotes, escapes not interpreted.
  kBackQuoted,   ///< `...`; `text` holds the body.
  kCode,         ///< %{ ... }%; `text` holds the trimmed body.
  kEllipsis,     ///< ...
  kPunct,        ///< One character; `text` holds it.
  kError,        ///< A character or construct the lexer could not read (already diagnosed).
};

/// Spelling of a token kind for messages ("expected integer, got word 'foo'").
std::string_view TokenKindName(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::string text;
  SourceRange range;
  /// Name of the `-D` define this token came from, empty if it was written literally.
  std::string define_name;

  SourceLoc loc() const { return range.Start; }
  bool Is(TokenKind k) const { return kind == k; }
  bool IsPunct(char c) const { return kind == TokenKind::kPunct && text.size() == 1 && text[0] == c; }
  bool IsKeyword(std::string_view k) const { return kind == TokenKind::kKeyword && text == k; }
  bool IsWord(std::string_view w) const { return kind == TokenKind::kWord && text == w; }
  /// "integer '42'", "word 'foo'", "end of file": how a message names this token.
  std::string Describe() const;
};

/// True if `word` is a reserved word of the language (cannot be a symbol or define name).
bool IsKeyword(std::string_view word);

}  // namespace pktc

#endif  // PKTC_COMPILER_FRONTEND_TOKEN_H_
