// Lexer for .pkt scripts: flex-compatible longest-match tokens, comments, and `-D` substitution.
#ifndef PKTC_COMPILER_FRONTEND_LEXER_H_
#define PKTC_COMPILER_FRONTEND_LEXER_H_

#include <map>
#include <string>
#include <string_view>

#include "support/diagnostics.h"
#include "frontend/token.h"

namespace pktc {

/// Splits a script buffer into tokens. Like packetdrill's flex lexer: longest match wins, ties go
/// to the earlier rule (keyword, address, hex, number, word), newlines are plain whitespace, and
/// every WORD is looked up in the define table and may change kind (`-D X=5` makes X an integer).
class Lexer {
 public:
  Lexer(llvm::SourceMgr& sources, unsigned buffer_id, DiagnosticEngine& diags);

  /// A define from the command line; it wins over a header `--define` of the same name.
  void DefineFromCommandLine(const std::string& name, const std::string& value);
  /// A define from a `--define=NAME=VALUE` header line; ignored if the command line has NAME.
  void DefineFromHeader(const std::string& name, const std::string& value);
  const std::map<std::string, std::string>& defines() const { return defines_; }

  /// The next token, after define substitution.
  Token Next();

 private:
  Token LexRaw();
  void SkipWhitespaceAndComments();
  Token Make(TokenKind kind, const char* begin, const char* end, std::string text);
  Token LexQuoted(char quote, TokenKind kind);
  Token LexCode();
  void Substitute(Token& token);

  DiagnosticEngine& diags_;
  const char* cur_;
  const char* end_;
  std::map<std::string, std::string> defines_;
  std::map<std::string, bool> from_command_line_;
};

/// Parses a define value the way packetdrill does (`strtol(value, 0)` consuming all of it):
/// returns true and sets `out` for "12", "0x10", "010" (octal 8), "-3".
bool ParseDefineInteger(std::string_view text, long long& out);

}  // namespace pktc

#endif  // PKTC_COMPILER_FRONTEND_LEXER_H_
