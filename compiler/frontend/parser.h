// Recursive-descent parser: tokens to ast::Script, with error recovery at event boundaries.
#ifndef PKTC_COMPILER_FRONTEND_PARSER_H_
#define PKTC_COMPILER_FRONTEND_PARSER_H_

#include <deque>
#include <optional>

#include "frontend/ast.h"
#include "support/diagnostics.h"
#include "frontend/lexer.h"

namespace pktc {

class Parser {
 public:
  Parser(Lexer& lexer, DiagnosticEngine& diags, llvm::SourceMgr& sources)
      : lexer_(lexer), diags_(diags), sources_(sources) {}

  /// Parses the whole script. Errors are reported through the DiagnosticEngine; the returned
  /// script holds every event that parsed.
  ast::Script ParseScript();

  /// Nesting deeper than this in expressions is rejected, so hostile input cannot overflow
  /// the stack.
  static constexpr int kMaxDepth = 64;

 private:
  // Token stream.
  const Token& Peek(size_t ahead = 0);
  Token Take();
  bool TakePunct(char c);
  bool TakeKeyword(std::string_view k);
  bool Expect(char punct, std::string_view what);
  bool ExpectKeyword(std::string_view keyword);
  std::optional<std::int64_t> ExpectInteger(std::string_view what, bool allow_hex = false);
  bool Adjacent(const Token& a, const Token& b) const;
  void ErrorAt(const Token& t, const llvm::Twine& message);
  void SkipToNextEvent(SourceLoc error_loc);
  bool StartsLine(const Token& t) const;

  // Grammar.
  void ParseHeaderOption(ast::Script& script);
  std::optional<ast::Event> ParseEvent();
  std::optional<ast::Time> ParseTime();
  std::optional<std::int64_t> ParseSeconds(const Token& t);
  std::optional<ast::Packet> ParsePacket();
  bool ParseIpInfo(ast::IpInfo& ip);
  bool ParseEncap(ast::Packet& packet);
  bool ParseGreFields(ast::GreHeader& gre);
  bool ParseMplsEntry(ast::MplsEntry& entry);
  bool ParseIcmp(ast::Packet& packet);
  bool ParseTcp(ast::Packet& packet);
  bool ParseFlags(ast::Packet& packet);
  bool ParseTcpOptions(ast::Packet& packet);
  bool ParseHexBlob(std::vector<std::uint8_t>& out, bool required);
  std::optional<ast::Syscall> ParseSyscall();
  std::optional<ast::Expr> ParseExpr(int depth);
  std::optional<ast::Expr> ParsePrimary(int depth);
  bool ParseElements(ast::Expr& aggregate, char close, int depth);
  bool ParseNote();

  Lexer& lexer_;
  DiagnosticEngine& diags_;
  llvm::SourceMgr& sources_;
  std::deque<Token> lookahead_;
  Token last_;
};

}  // namespace pktc

#endif  // PKTC_COMPILER_FRONTEND_PARSER_H_
