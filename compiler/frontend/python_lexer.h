// Lexer for the Python of code blocks: tokens with offsets into the block's text.
#ifndef PKTC_COMPILER_FRONTEND_PYTHON_LEXER_H_
#define PKTC_COMPILER_FRONTEND_PYTHON_LEXER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pktc::py {

struct Token {
  enum class Kind : std::uint8_t { kName, kKeyword, kInt, kStr, kOp, kNewline, kEnd, kPythonOnly };
  Kind kind = Kind::kEnd;
  std::size_t begin = 0, end = 0;  ///< Offsets in the block's text.
  /// kName, kKeyword, kOp: the spelling. kStr: the value. kPythonOnly: what the token is.
  std::string text;
  std::int64_t value = 0;  ///< kInt
};

/// Whether `word` is a Python keyword the subset has no use for (`for`, `if`, `None`...):
/// meeting one means the block is Python the subset does not cover, not that it is invalid.
bool IsPythonOnlyKeyword(std::string_view word);

/// Splits a block into Python tokens: joins lines inside brackets and after a backslash, drops
/// comments, and rejects indentation Python would reject. Stops after the first token that only
/// full Python understands (a float, an f-string...), a kPythonOnly token: the parser then hands
/// the block to Python.
class Lexer {
 public:
  /// A lexical error: Python would reject the block.
  struct Error {
    std::size_t begin = 0, end = 0;  ///< Offsets in the block's text.
    std::string message;
  };

  explicit Lexer(std::string_view text) : text_(text) {}

  /// Appends the tokens to `out`, the last one kEnd. False after a lexical error (error() says
  /// which); the tokens are then incomplete.
  bool Run(std::vector<Token>* out);
  const Error& error() const { return error_; }

 private:
  void Fail(std::size_t begin, std::size_t end, std::string message);
  void Push(Token::Kind kind, std::size_t begin, std::size_t end, std::string text,
            std::int64_t value = 0);
  bool PythonOnly(std::size_t at, const char* what);
  bool Stopped() const { return !failed_; }
  bool SkipIndentation(std::size_t* pos);
  bool LexWord(std::size_t* pos);
  bool LexNumber(std::size_t* pos);
  bool LexString(std::size_t begin, std::size_t quote, bool raw, std::size_t* pos);
  bool LexEscape(std::size_t* pos, std::string* value);
  bool LexOperator(std::size_t* pos);

  std::string_view text_;
  std::vector<Token>* out_ = nullptr;
  std::vector<std::size_t> brackets_;  ///< Offsets of the open brackets.
  Error error_;
  bool failed_ = false;
  bool stopped_ = false;
};

}  // namespace pktc::py

#endif  // PKTC_COMPILER_FRONTEND_PYTHON_LEXER_H_
