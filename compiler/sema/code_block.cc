// Code blocks: a lexer and parser for the Python subset, and the C++ emitter for native blocks.
#include "sema/code_block.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstdio>
#include <limits>

#include "tcp_info_layout.h"
#include "llvm/ADT/StringRef.h"
#include "support/printer.h"

namespace pktc {

namespace {

using py::Expr;
using py::Stmt;
using py::Type;
using Kind = py::Expr::Kind;

// ---------------------------------------------------------------------------------------------
// Names

// Python keywords the subset has no use for. Meeting one means the block is Python the subset
// does not cover (a loop, a conditional expression...), not that it is invalid.
constexpr std::string_view kPythonOnlyKeywords[] = {
    "None",     "as",     "async",  "await",  "break",  "class",   "continue",
    "def",      "del",    "elif",   "else",   "except", "finally", "for",
    "from",     "global", "if",     "import", "in",     "is",      "lambda",
    "nonlocal", "raise",  "return", "try",    "while",  "with",    "yield"};
constexpr std::string_view kSubsetKeywords[] = {"False", "True", "and", "assert",
                                                "not",   "or",   "pass"};
// Keywords that begin a statement the subset lacks.
constexpr std::string_view kPythonOnlyStatements[] = {
    "async",  "break",    "class",   "continue", "def",  "del",    "elif",
    "else",   "except",   "finally", "for",      "from", "global", "if",
    "import", "nonlocal", "raise",   "return",   "try",  "while",  "with"};

// Names a code block can use that are not snapshot variables: Python's built-ins and what
// packetdrill's preamble defines. Using one takes the block out of the subset.
constexpr std::string_view kBuiltins =
    "ArithmeticError AssertionError BaseException Exception KeyError NameError OverflowError "
    "RuntimeError TypeError ValueError ZeroDivisionError __builtins__ __doc__ __file__ "
    "__import__ __name__ abs all any ascii bin bool bytearray bytes callable chr dict dir "
    "divmod enumerate eval exec excepthook filter float format getattr globals hasattr hash "
    "hex id input int isinstance iter len list locals map max min next object oct open ord "
    "pow print range repr reversed round set setattr sorted str sum sys traceback tuple type "
    "vars zip ";

template <std::size_t N>
bool Contains(const std::string_view (&list)[N], std::string_view s) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

bool IsBuiltin(std::string_view name) {
  for (std::size_t begin = 0; begin < kBuiltins.size();) {
    std::size_t end = std::min(kBuiltins.find(' ', begin), kBuiltins.size());
    if (kBuiltins.substr(begin, end - begin) == name) return true;
    begin = end + 1;
  }
  return false;
}

bool IsKeyword(std::string_view s) {
  return Contains(kPythonOnlyKeywords, s) || Contains(kSubsetKeywords, s);
}

// Variables and constants every snapshot defines (the compile-time view; the running kernel
// may lack the newest tcp_info fields, which the runtime reports).
const std::set<std::string, std::less<>>& SnapshotNames() {
  static const std::set<std::string, std::less<>> names = [] {
    std::set<std::string, std::less<>> out;
    for (const InfoField& f : InfoFields()) {
      if (f.packetdrill_variable) out.insert(f.name);
    }
    for (const InfoConstant& c : InfoConstants()) out.insert(c.name);
    return out;
  }();
  return names;
}

// ---------------------------------------------------------------------------------------------
// Lexer

struct Token {
  enum class Kind : std::uint8_t { kName, kKeyword, kInt, kStr, kOp, kNewline, kEnd, kPythonOnly };
  Kind kind = Kind::kEnd;
  std::size_t begin = 0, end = 0;  ///< Offsets in the block's text.
  /// kName, kKeyword, kOp: the spelling. kStr: the value. kPythonOnly: what the token is.
  std::string text;
  std::int64_t value = 0;  ///< kInt
};

void AppendUtf8(std::uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

/// Splits a block into Python tokens: joins lines inside brackets and after a backslash, drops
/// comments, and rejects indentation Python would reject. Stops after the first token that only
/// full Python understands (a float, an f-string...): the parser then hands the block to Python.
class Lexer {
 public:
  Lexer(std::string_view text, SourceLoc start, DiagnosticEngine& diags)
      : text_(text), start_(start), diags_(diags) {}

  /// False after reporting an error.
  bool Run(std::vector<Token>* out) {
    out_ = out;
    const std::size_t n = text_.size();
    std::size_t i = 0;
    bool line_start = true;
    while (i < n) {
      if (line_start && brackets_.empty()) {
        std::size_t j = i;
        while (j < n && (text_[j] == ' ' || text_[j] == '\t' || text_[j] == '\f')) ++j;
        if (j < n && text_[j] != '\n' && text_[j] != '#' && j > i) {
          // The block is pasted at column 0 of the Python file, after trimming its first line.
          Error(i, j,
                "unexpected indent: Python would reject this code block (its lines must start "
                "in the same column as the first one)");
          return false;
        }
        i = j;
        line_start = false;
        continue;
      }
      char c = text_[i];
      if (c == ' ' || c == '\t' || c == '\f') {
        ++i;
      } else if (c == '#') {
        while (i < n && text_[i] != '\n') ++i;
      } else if (c == '\n') {
        if (brackets_.empty() && !out->empty() && out->back().kind != Token::Kind::kNewline) {
          Push(Token::Kind::kNewline, i, i + 1, "");
        }
        ++i;
        line_start = true;
      } else if (c == '\\') {
        // packetdrill writes newlines after the block, so a backslash at its very end just
        // continues into an empty line.
        if (i + 1 == n) {
          ++i;
        } else if (text_[i + 1] == '\n') {
          i += 2;
        } else {
          Error(i, i + 1, "unexpected character after line continuation character");
          return false;
        }
      } else if (c >= '0' && c <= '9') {
        if (!LexNumber(&i)) return Stopped();
      } else if (c == '.' && i + 1 < n && text_[i + 1] >= '0' && text_[i + 1] <= '9') {
        return PythonOnly(i, "floating-point numbers");
      } else if (IsIdentStart(c)) {
        std::size_t j = i;
        while (j < n && IsIdentChar(text_[j])) ++j;
        if (j < n && (text_[j] == '\'' || text_[j] == '"') && j - i <= 2) {
          std::string prefix = llvm::StringRef(text_.substr(i, j - i)).lower();
          if (prefix == "r" || prefix == "u") {
            if (!LexString(i, j, prefix == "r", &i)) return Stopped();
            if (stopped_) return Stopped();
            continue;
          }
          if (prefix == "b" || prefix == "f" || prefix == "rb" || prefix == "br" ||
              prefix == "fr" || prefix == "rf") {
            return PythonOnly(i, "bytes and f-string literals");
          }
        }
        std::string word(text_.substr(i, j - i));
        Push(IsKeyword(word) ? Token::Kind::kKeyword : Token::Kind::kName, i, j, word);
        i = j;
      } else if (static_cast<unsigned char>(c) >= 0x80) {
        return PythonOnly(i, "non-ASCII identifiers");
      } else if (c == '\'' || c == '"') {
        if (!LexString(i, i, false, &i)) return Stopped();
      } else if (!LexOperator(&i)) {
        return Stopped();
      }
      if (stopped_) return Stopped();
    }
    if (!brackets_.empty()) {
      std::size_t at = brackets_.back();
      Error(at, at + 1, std::string("'") + text_[at] + "' was never closed");
      return false;
    }
    Push(Token::Kind::kEnd, n, n, "");
    return true;
  }

 private:
  SourceLoc Loc(std::size_t offset) const {
    if (!start_.isValid()) return {};
    return SourceLoc::getFromPointer(start_.getPointer() + offset);
  }
  void Error(std::size_t begin, std::size_t end, const std::string& message) {
    diags_.Error(Loc(begin), message, SourceRange(Loc(begin), Loc(end)));
    failed_ = true;
  }
  void Push(Token::Kind kind, std::size_t begin, std::size_t end, std::string text,
            std::int64_t value = 0) {
    out_->push_back(Token{kind, begin, end, std::move(text), value});
  }
  /// Ends the token list at a construct only full Python has.
  bool PythonOnly(std::size_t at, const char* what) {
    Push(Token::Kind::kPythonOnly, at, at + 1, what);
    Push(Token::Kind::kEnd, at, at, "");
    stopped_ = true;
    return true;
  }
  /// After an error (false) or a PythonOnly token (true, the list is complete).
  bool Stopped() const { return !failed_; }

  bool LexNumber(std::size_t* pos) {
    const std::size_t n = text_.size();
    std::size_t i = *pos, begin = *pos;
    int base = 10;
    if (text_[i] == '0' && i + 1 < n) {
      char p = static_cast<char>(text_[i + 1] | 0x20);
      base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
      if (base != 10) i += 2;
    }
    std::uint64_t value = 0;
    bool too_big = false, any_digit = false, leading_zero = false;
    bool previous_underscore = base != 10;  // `0x_1f` is valid, `1__0` is not
    std::size_t digits_begin = i;
    for (; i < n; ++i) {
      char c = text_[i];
      if (c == '_') {
        if (previous_underscore && !(base != 10 && i == digits_begin)) break;
        previous_underscore = true;
        continue;
      }
      int d = DigitValue(c);
      if (d >= base) break;
      if (base == 10 && !any_digit && c == '0' && i + 1 < n && DigitValue(text_[i + 1]) < 10) {
        leading_zero = true;
      }
      any_digit = true;
      previous_underscore = false;
      if (value > (std::numeric_limits<std::uint64_t>::max() - d) / base) too_big = true;
      value = value * base + d;
    }
    if (i < n && base == 10 &&
        (text_[i] == '.' || (text_[i] | 0x20) == 'e' || (text_[i] | 0x20) == 'j')) {
      return PythonOnly(begin, "floating-point and complex numbers");
    }
    if (!any_digit || previous_underscore || (i < n && IsIdentChar(text_[i]))) {
      std::size_t end = i;
      while (end < n && IsIdentChar(text_[end])) ++end;
      Error(begin, end,
            "invalid " +
                std::string(base == 16  ? "hexadecimal"
                            : base == 8 ? "octal"
                            : base == 2 ? "binary"
                                        : "decimal") +
                " literal");
      return false;
    }
    if (leading_zero && value != 0) {
      Error(begin, i,
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for "
            "octal integers");
      return false;
    }
    if (too_big || value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return PythonOnly(begin, "integers beyond 64 bits");
    }
    Push(Token::Kind::kInt, begin, i, "", static_cast<std::int64_t>(value));
    *pos = i;
    return true;
  }

  /// A string literal starting at `begin` (its prefix) with the quote at `quote`.
  bool LexString(std::size_t begin, std::size_t quote, bool raw, std::size_t* pos) {
    const std::size_t n = text_.size();
    const char q = text_[quote];
    if (quote + 2 < n && text_[quote + 1] == q && text_[quote + 2] == q) {
      return PythonOnly(begin, "triple-quoted strings");
    }
    std::string value;
    std::size_t i = quote + 1;
    for (;;) {
      if (i >= n || text_[i] == '\n') {
        Error(begin, i, "unterminated string literal");
        return false;
      }
      char c = text_[i];
      if (c == q) break;
      if (c != '\\') {
        value.push_back(c);
        ++i;
        continue;
      }
      if (i + 1 >= n) {
        Error(begin, i, "unterminated string literal");
        return false;
      }
      char e = text_[i + 1];
      if (raw) {
        value.push_back('\\');
        value.push_back(e);
        i += 2;
        continue;
      }
      i += 2;
      // Python's one-character escapes, as (escape, value) pairs.
      static constexpr std::string_view kSimple = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
      if (std::size_t k = kSimple.find(e); k != std::string_view::npos && k % 2 == 0) {
        value.push_back(kSimple[k + 1]);
        continue;
      }
      switch (e) {
        case '\n':
          break;  // Continues the string on the next line.
        case 'N':
          return PythonOnly(i - 2, "\\N{...} escapes");
        case 'x':
        case 'u':
        case 'U': {
          std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          std::uint32_t cp = 0;
          for (std::size_t k = 0; k < digits; ++k) {
            if (i + k >= n || DigitValue(text_[i + k]) >= 16) {
              Error(i - 2, i + k, std::string("truncated \\") + e + " escape");
              return false;
            }
            cp = cp * 16 + static_cast<std::uint32_t>(DigitValue(text_[i + k]));
          }
          if (cp > 0x10ffff) {
            Error(i - 2, i + digits, "illegal Unicode character");
            return false;
          }
          AppendUtf8(cp, &value);
          i += digits;
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            std::uint32_t cp = static_cast<std::uint32_t>(e - '0');
            for (int k = 0; k < 2 && i < n && text_[i] >= '0' && text_[i] <= '7'; ++k, ++i) {
              cp = cp * 8 + static_cast<std::uint32_t>(text_[i] - '0');
            }
            AppendUtf8(cp, &value);
          } else {
            // Python keeps an unknown escape as it is.
            value.push_back('\\');
            value.push_back(e);
          }
      }
    }
    Push(Token::Kind::kStr, begin, i + 1, std::move(value));
    *pos = i + 1;
    return true;
  }

  bool LexOperator(std::size_t* pos) {
    static constexpr std::string_view kOps[] = {
        "**=", "//=", ">>=", "<<=", "...", "**", "//", "<<", ">>", "<=", ">=", "==",
        "!=",  "->",  ":=",  "+=",  "-=",  "*=", "/=", "%=", "&=", "|=", "^=", "@=",
        "+",   "-",   "*",   "/",   "%",   "&",  "|",  "^",  "~",  "<",  ">",  "(",
        ")",   "[",   "]",   "{",   "}",   ",",  ":",  ".",  ";",  "@",  "=",
    };
    std::size_t i = *pos;
    for (std::string_view op : kOps) {
      if (text_.substr(i, op.size()) != op) continue;
      if (op == "(" || op == "[" || op == "{") brackets_.push_back(i);
      if (op == ")" || op == "]" || op == "}") {
        static constexpr std::string_view kPairs = "()[]{}";
        char open = kPairs[kPairs.find(op[0]) - 1];
        if (brackets_.empty()) {
          Error(i, i + 1, "unmatched '" + std::string(op) + "'");
          return false;
        }
        if (text_[brackets_.back()] != open) {
          Error(
              i, i + 1,
              "closing '" + std::string(op) + "' does not match '" + text_[brackets_.back()] + "'");
          return false;
        }
        brackets_.pop_back();
      }
      Push(Token::Kind::kOp, i, i + op.size(), std::string(op));
      *pos = i + op.size();
      return true;
    }
    Error(i, i + 1, std::string("invalid character '") + text_[i] + "' in code block");
    return false;
  }

  std::string_view text_;
  SourceLoc start_;
  DiagnosticEngine& diags_;
  std::vector<Token>* out_ = nullptr;
  std::vector<std::size_t> brackets_;  ///< Offsets of the open brackets.
  bool failed_ = false;
  bool stopped_ = false;
};

// ---------------------------------------------------------------------------------------------
// Constant folding, with Python's integer semantics

std::optional<std::int64_t> ConstantOf(const Expr& e) {
  if (e.kind == Kind::kBool) return e.value;
  if (e.type == Type::kInt) return e.constant;
  return std::nullopt;
}

/// nullopt with `why` when Python's result is not a 64-bit integer (or Python would raise).
std::optional<std::int64_t> Fold(std::string_view op, std::int64_t a, std::int64_t b,
                                 const char** why) {
  std::int64_t r = 0;
  *why = "integer arithmetic beyond 64 bits";
  if (op == "+") return __builtin_add_overflow(a, b, &r) ? std::nullopt : std::optional(r);
  if (op == "-") return __builtin_sub_overflow(a, b, &r) ? std::nullopt : std::optional(r);
  if (op == "*") return __builtin_mul_overflow(a, b, &r) ? std::nullopt : std::optional(r);
  if (op == "&") return a & b;
  if (op == "|") return a | b;
  if (op == "^") return a ^ b;
  if (op == "//" || op == "%") {
    if (b == 0) {
      *why = "a division by zero";
      return std::nullopt;
    }
    if (b == -1) {
      if (op == "%") return 0;
      if (a == std::numeric_limits<std::int64_t>::min()) return std::nullopt;
      return -a;
    }
    std::int64_t q = a / b, m = a % b;
    if (m != 0 && ((m < 0) != (b < 0))) {
      --q;
      m += b;
    }
    return op == "//" ? q : m;
  }
  if (b < 0) {
    *why = "a negative shift count";
    return std::nullopt;
  }
  if (op == ">>") return b >= 63 ? (a < 0 ? -1 : 0) : a >> b;
  // "<<"
  if (a == 0) return 0;
  if (b >= 64 || (a << b) >> b != a) return std::nullopt;
  return a << b;
}

// ---------------------------------------------------------------------------------------------
// % formatting

/// One piece of a format string: literal text, or a conversion ('d', 'i', 'u', 's', 'r').
struct FormatPart {
  char conversion = 0;  ///< 0: literal
  std::string text;
};

/// Splits `format` into literal text and conversions. False, with the unsupported spec in
/// `*bad`, for anything but %d %i %u %s %r %% (widths, flags, %x... are Python's business).
bool ParseFormat(const std::string& format, std::vector<FormatPart>* parts, std::string* bad) {
  std::string literal;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      literal.push_back(format[i]);
      continue;
    }
    char c = i + 1 < format.size() ? format[i + 1] : '\0';
    if (c == '%') {
      literal.push_back('%');
      ++i;
      continue;
    }
    if (c != 'd' && c != 'i' && c != 'u' && c != 's' && c != 'r') {
      std::size_t end = i + 1;
      while (end < format.size() && !std::isalpha(static_cast<unsigned char>(format[end]))) ++end;
      *bad = format.substr(i, std::min(end + 1, format.size()) - i);
      return false;
    }
    if (!literal.empty()) parts->push_back({0, std::move(literal)});
    literal.clear();
    parts->push_back({c, ""});
    ++i;
  }
  if (!literal.empty()) parts->push_back({0, std::move(literal)});
  return true;
}

// ---------------------------------------------------------------------------------------------
// Parser

/// Recursive descent over the tokens, following Python's grammar for the subset and building
/// typed expressions. Anything valid in Python but outside the subset stops the parse with a
/// warning (the block needs Python); anything invalid stops it with an error.
class Parser {
 public:
  Parser(std::string_view text, SourceLoc start, const std::vector<Token>& tokens,
         DiagnosticEngine& diags, CodeBlockScope& scope)
      : text_(text), start_(start), tokens_(tokens), diags_(diags), scope_(scope) {}

  enum class State { kOk, kError, kPython };

  State ParseBlock(std::vector<Stmt>* out) {
    while (Peek().kind != Token::Kind::kEnd && state_ == State::kOk) {
      if (Peek().kind == Token::Kind::kNewline) {
        Next();
        continue;
      }
      ParseStatement(out);
      while (state_ == State::kOk && IsOp(Peek(), ";")) {
        Next();
        if (AtLineEnd()) break;
        ParseStatement(out);
      }
    }
    return state_;
  }

 private:
  // -- Tokens and diagnostics ------------------------------------------------------------------

  const Token& Peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  static bool IsOp(const Token& t, std::string_view op) {
    return t.kind == Token::Kind::kOp && t.text == op;
  }
  static bool IsKeyword(const Token& t, std::string_view word) {
    return t.kind == Token::Kind::kKeyword && t.text == word;
  }
  bool AtLineEnd() const {
    return Peek().kind == Token::Kind::kNewline || Peek().kind == Token::Kind::kEnd;
  }
  bool AtStatementEnd() const { return AtLineEnd() || IsOp(Peek(), ";"); }
  bool stopped() const { return state_ != State::kOk; }

  SourceLoc Loc(std::size_t offset) const {
    if (!start_.isValid()) return {};
    return SourceLoc::getFromPointer(start_.getPointer() + offset);
  }
  SourceRange RangeOf(const Token& t) const { return {Loc(t.begin), Loc(t.end)}; }

  void Error(const Token& t, const std::string& message) {
    if (stopped()) return;
    state_ = State::kError;
    diags_.Error(Loc(t.begin), message, RangeOf(t));
  }

  void NeedPython(const Token& t, const std::string& what) {
    if (stopped()) return;
    state_ = State::kPython;
    diags_.Warning(Loc(t.begin),
                   "code block uses " + what +
                       ", which pktc does not compile; the script's code blocks will run with "
                       "python3",
                   RangeOf(t));
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Token::Kind::kEnd:
        return "end of code block";
      case Token::Kind::kNewline:
        return "end of line";
      case Token::Kind::kStr:
        return "a string";
      case Token::Kind::kInt:
        return "a number";
      default:
        return "'" + t.text + "'";
    }
  }

  /// `t` is not what the grammar allows here: Python beyond the subset, or a syntax error.
  void Unexpected(const Token& t, const std::string& expected) {
    if (t.kind == Token::Kind::kPythonOnly) return NeedPython(t, t.text);
    if (t.kind == Token::Kind::kKeyword && Contains(kPythonOnlyKeywords, t.text)) {
      if (t.text == "if" || t.text == "else") return NeedPython(t, "conditional expressions");
      if (t.text == "in" || t.text == "is") return NeedPython(t, "the 'in' and 'is' operators");
      if (t.text == "for") return NeedPython(t, "comprehensions");
      return NeedPython(t, "'" + t.text + "'");
    }
    if (t.kind == Token::Kind::kOp) {
      static constexpr std::pair<std::string_view, std::string_view> kPythonOnlyOps[] = {
          {"/", "'/' (true division)"},
          {"/=", "'/=' (true division)"},
          {"**", "'**'"},
          {"**=", "'**='"},
          {"@", "'@'"},
          {"@=", "'@='"},
          {".", "attributes"},
          {"...", "'...'"},
          {"[", "lists or subscripts"},
          {"{", "dicts or sets"},
          {":", "':'"},
          {"->", "'->'"},
          {":=", "':='"},
          {"*", "'*' unpacking"},
      };
      for (const auto& [op, what] : kPythonOnlyOps) {
        if (t.text == op) return NeedPython(t, std::string(what));
      }
    }
    Error(t, "invalid syntax: expected " + expected + ", got " + Describe(t));
  }

  // -- Expressions -----------------------------------------------------------------------------

  /// The source text of tokens [first, last], with every gap (spaces, comments, continued
  /// lines) shown as one space.
  std::string SourceText(std::size_t first, std::size_t last) const {
    std::string out;
    for (std::size_t i = first; i <= last && i < tokens_.size(); ++i) {
      if (i > first && tokens_[i].begin > tokens_[i - 1].end) out.push_back(' ');
      out.append(text_.substr(tokens_[i].begin, tokens_[i].end - tokens_[i].begin));
    }
    return out;
  }

  /// Finishes `e`, which spans from token `first` to the last token consumed.
  Expr Finish(Expr e, std::size_t first) const {
    std::size_t last = pos_ > first ? pos_ - 1 : first;
    e.source = SourceText(first, last);
    e.range = {Loc(tokens_[first].begin), Loc(tokens_[last].end)};
    return e;
  }

  /// Python types the subset cannot use as a value here (strings, tuples, `a or b` values).
  bool RequireValue(const Expr& e, const Token& at, bool allow_str) {
    if (e.type == Type::kTuple) {
      NeedPython(at, "tuples");
      return false;
    }
    if (e.type == Type::kTruthy) {
      NeedPython(at, "the value of 'and' or 'or' applied to integers");
      return false;
    }
    if (e.type == Type::kStr && !allow_str) {
      NeedPython(at, "strings other than assert messages and print() arguments");
      return false;
    }
    return true;
  }

  std::optional<Expr> ParseTest() { return ParseBoolOp("or", Kind::kOr); }

  std::optional<Expr> ParseBoolOp(std::string_view word, Kind kind) {
    std::size_t first = pos_;
    auto operand = [&]() {
      return kind == Kind::kOr ? ParseBoolOp("and", Kind::kAnd) : ParseNotTest();
    };
    std::optional<Expr> lhs = operand();
    if (!lhs || !IsKeyword(Peek(), word)) return lhs;
    Expr e;
    e.kind = kind;
    e.operands.push_back(std::move(*lhs));
    while (IsKeyword(Peek(), word)) {
      Next();
      std::optional<Expr> rhs = operand();
      if (!rhs) return std::nullopt;
      e.operands.push_back(std::move(*rhs));
    }
    bool all_bool = true;
    for (const Expr& o : e.operands) {
      if (o.type == Type::kStr || o.type == Type::kTuple) {
        NeedPython(tokens_[first], "the truth value of strings or tuples");
        return std::nullopt;
      }
      all_bool = all_bool && o.type == Type::kBool;
    }
    // On booleans Python's and/or yield a boolean; on integers they yield an operand, which
    // the subset only uses for its truth.
    e.type = all_bool ? Type::kBool : Type::kTruthy;
    return Finish(std::move(e), first);
  }

  std::optional<Expr> ParseNotTest() {
    if (!IsKeyword(Peek(), "not")) return ParseComparison();
    std::size_t first = pos_;
    Next();
    std::optional<Expr> operand = ParseNotTest();
    if (!operand) return std::nullopt;
    if (operand->type == Type::kStr || operand->type == Type::kTuple) {
      NeedPython(tokens_[first], "the truth value of strings or tuples");
      return std::nullopt;
    }
    Expr e;
    e.kind = Kind::kNot;
    e.type = Type::kBool;
    e.operands.push_back(std::move(*operand));
    return Finish(std::move(e), first);
  }

  std::optional<Expr> ParseComparison() {
    static constexpr std::string_view kComparisons[] = {"==", "!=", "<", "<=", ">", ">="};
    std::size_t first = pos_;
    std::optional<Expr> lhs = ParseBinary(0);
    if (!lhs) return std::nullopt;
    auto is_comparison = [&](const Token& t) {
      return t.kind == Token::Kind::kOp && Contains(kComparisons, t.text);
    };
    if (IsKeyword(Peek(), "not") && IsKeyword(Peek(1), "in")) {
      NeedPython(Peek(), "the 'in' and 'is' operators");
      return std::nullopt;
    }
    if (!is_comparison(Peek())) return lhs;
    Expr e;
    e.kind = Kind::kCompare;
    e.type = Type::kBool;
    e.operands.push_back(std::move(*lhs));
    while (is_comparison(Peek())) {
      e.ops.push_back(Next().text);
      std::optional<Expr> rhs = ParseBinary(0);
      if (!rhs) return std::nullopt;
      e.operands.push_back(std::move(*rhs));
    }
    for (const Expr& o : e.operands) {
      if (o.type == Type::kStr) {
        NeedPython(tokens_[first], "comparisons of strings");
        return std::nullopt;
      }
      if (!RequireValue(o, tokens_[first], false)) return std::nullopt;
    }
    return Finish(std::move(e), first);
  }

  /// Python's binary operator levels, loosest first.
  static const std::vector<std::string_view>& Level(int level) {
    static const std::vector<std::string_view> kLevels[] = {
        {"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "//", "%"},
    };
    return kLevels[level];
  }

  std::optional<Expr> ParseBinary(int level) {
    if (level == 6) return ParseFactor();
    std::size_t first = pos_;
    std::optional<Expr> lhs = ParseBinary(level + 1);
    if (!lhs) return std::nullopt;
    const std::vector<std::string_view>& ops = Level(level);
    while (Peek().kind == Token::Kind::kOp &&
           std::find(ops.begin(), ops.end(), Peek().text) != ops.end()) {
      const Token& op = Next();
      std::optional<Expr> rhs = ParseBinary(level + 1);
      if (!rhs) return std::nullopt;
      lhs = MakeBinary(op, std::move(*lhs), std::move(*rhs), first);
      if (!lhs) return std::nullopt;
    }
    return lhs;
  }

  std::optional<Expr> MakeBinary(const Token& op, Expr lhs, Expr rhs, std::size_t first) {
    if (op.text == "%" && lhs.kind == Kind::kStr) return MakeFormat(op, std::move(lhs), rhs, first);
    if (lhs.type == Type::kStr || rhs.type == Type::kStr) {
      NeedPython(op, "string operators other than '%' formatting of a literal");
      return std::nullopt;
    }
    if (!RequireValue(lhs, op, false) || !RequireValue(rhs, op, false)) return std::nullopt;
    bool bitwise = op.text == "&" || op.text == "|" || op.text == "^";
    if (bitwise && lhs.type == Type::kBool && rhs.type == Type::kBool) {
      NeedPython(op, "bitwise operators on booleans");
      return std::nullopt;
    }
    Expr e;
    e.kind = Kind::kBinary;
    e.type = Type::kInt;
    e.op = op.text;
    std::optional<std::int64_t> a = ConstantOf(lhs), b = ConstantOf(rhs);
    e.operands.push_back(std::move(lhs));
    e.operands.push_back(std::move(rhs));
    if (a && b) {
      const char* why = "";
      e.constant = Fold(op.text, *a, *b, &why);
      if (!e.constant) {
        NeedPython(op, why);
        return std::nullopt;
      }
    }
    return Finish(std::move(e), first);
  }

  std::optional<Expr> MakeFormat(const Token& op, Expr format, const Expr& args,
                                 std::size_t first) {
    std::vector<FormatPart> parts;
    std::string bad;
    if (!ParseFormat(format.text, &parts, &bad)) {
      NeedPython(op, "the format '" + bad + "'");
      return std::nullopt;
    }
    Expr e;
    e.kind = Kind::kFormat;
    e.type = Type::kStr;
    e.operands.push_back(std::move(format));
    if (args.kind == Kind::kTuple) {
      e.operands.insert(e.operands.end(), args.operands.begin(), args.operands.end());
    } else {
      e.operands.push_back(args);
    }
    std::size_t conversions = 0;
    for (const FormatPart& part : parts) {
      if (part.conversion == 0) continue;
      if (++conversions >= e.operands.size()) break;
      const Expr& arg = e.operands[conversions];
      if (!RequireValue(arg, op, true)) return std::nullopt;
      if (arg.type == Type::kStr && part.conversion != 's') {
        NeedPython(op, std::string("'%") + part.conversion + "' of a string");
        return std::nullopt;
      }
    }
    if (conversions != e.operands.size() - 1) {
      NeedPython(op, "a format whose conversions do not match its arguments");
      return std::nullopt;
    }
    return Finish(std::move(e), first);
  }

  std::optional<Expr> ParseFactor() {
    const Token& t = Peek();
    if (!(IsOp(t, "-") || IsOp(t, "+") || IsOp(t, "~"))) return ParseAtom();
    std::size_t first = pos_;
    Next();
    std::optional<Expr> operand = ParseFactor();
    if (!operand) return std::nullopt;
    if (operand->type == Type::kStr) {
      NeedPython(t, "unary operators on strings");
      return std::nullopt;
    }
    if (!RequireValue(*operand, t, false)) return std::nullopt;
    Expr e;
    e.kind = Kind::kUnary;
    e.type = Type::kInt;
    e.op = t.text;
    if (std::optional<std::int64_t> v = ConstantOf(*operand)) {
      if (t.text == "-" && *v == std::numeric_limits<std::int64_t>::min()) {
        NeedPython(t, "integer arithmetic beyond 64 bits");
        return std::nullopt;
      }
      e.constant = t.text == "-" ? -*v : t.text == "~" ? ~*v : *v;
    }
    e.operands.push_back(std::move(*operand));
    return Finish(std::move(e), first);
  }

  std::optional<Expr> ParseAtom() {
    std::size_t first = pos_;
    const Token& t = Peek();
    Expr e;
    switch (t.kind) {
      case Token::Kind::kInt:
        Next();
        e.kind = Kind::kInt;
        e.value = t.value;
        e.constant = t.value;
        return Finish(std::move(e), first);
      case Token::Kind::kStr:
        e.kind = Kind::kStr;
        e.type = Type::kStr;
        // Adjacent literals concatenate.
        while (Peek().kind == Token::Kind::kStr) e.text += Next().text;
        return Finish(std::move(e), first);
      case Token::Kind::kName:
        if (IsOp(Peek(1), "(")) {
          NeedPython(t, "calls to '" + t.text + "'");
          return std::nullopt;
        }
        if (!CheckName(t)) return std::nullopt;
        Next();
        e.kind = Kind::kName;
        e.text = t.text;
        return Finish(std::move(e), first);
      case Token::Kind::kKeyword:
        if (t.text == "True" || t.text == "False") {
          Next();
          e.kind = Kind::kBool;
          e.type = Type::kBool;
          e.value = t.text == "True";
          return Finish(std::move(e), first);
        }
        if (t.text == "None") {
          NeedPython(t, "None");
          return std::nullopt;
        }
        if (t.text == "lambda") {
          NeedPython(t, "lambda expressions");
          return std::nullopt;
        }
        if (t.text == "yield" || t.text == "await") {
          NeedPython(t, "'" + t.text + "'");
          return std::nullopt;
        }
        break;
      case Token::Kind::kOp:
        if (t.text == "(") return ParseParenthesized();
        break;
      default:
        break;
    }
    Unexpected(t, "an expression");
    return std::nullopt;
  }

  /// `( expr )`, or a tuple: `()`, `(a,)`, `(a, b)`.
  std::optional<Expr> ParseParenthesized() {
    std::size_t first = pos_;
    Next();
    Expr tuple;
    tuple.kind = Kind::kTuple;
    tuple.type = Type::kTuple;
    bool is_tuple = IsOp(Peek(), ")");
    while (!IsOp(Peek(), ")")) {
      std::optional<Expr> element = ParseTest();
      if (!element) return std::nullopt;
      tuple.operands.push_back(std::move(*element));
      if (!IsOp(Peek(), ",")) break;
      is_tuple = true;
      Next();
    }
    if (!IsOp(Peek(), ")")) {
      Unexpected(Peek(), "')'");
      return std::nullopt;
    }
    Next();
    if (!is_tuple) return std::move(tuple.operands[0]);
    return Finish(std::move(tuple), first);
  }

  /// Whether a name is defined where it is used; reports it if not.
  bool CheckName(const Token& t) {
    const std::string& name = t.text;
    if (name == "_file" || name == "_line") {
      NeedPython(t, "'" + name + "'");
      return false;
    }
    if (IsBuiltin(name)) {
      NeedPython(t, "Python's '" + name + "'");
      return false;
    }
    const InfoField* field = FindInfoField(name);
    if (field && field->may_exceed_int64) {
      NeedPython(t, "'" + name + "', which can exceed the 64-bit integers of native code");
      return false;
    }
    if (scope_.python || SnapshotNames().count(name) || scope_.assigned.count(name)) return true;
    if (field && !field->packetdrill_variable) {
      Error(t, "'" + name +
                   "' is a field of struct tcp_info that packetdrill does not define in code "
                   "blocks");
      return false;
    }
    Error(t, "unknown name '" + name + "' in code block");
    // Suggest the closest known name; cheap enough for an error path.
    std::string best;
    unsigned best_distance = 3;
    auto consider = [&](const std::string& candidate) {
      unsigned d = llvm::StringRef(name).edit_distance(candidate, true, best_distance);
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    };
    for (const std::string& candidate : SnapshotNames()) consider(candidate);
    for (const std::string& candidate : scope_.assigned) consider(candidate);
    if (!best.empty()) diags_.Note(Loc(t.begin), "did you mean '" + best + "'?");
    return false;
  }

  // -- Statements ------------------------------------------------------------------------------

  void ParseStatement(std::vector<Stmt>* out) {
    std::size_t first = pos_;
    const Token& t = Peek();
    Stmt s;
    if (IsKeyword(t, "assert")) {
      s.kind = Stmt::Kind::kAssert;
      Next();
      std::optional<Expr> condition = ParseTest();
      if (!condition) return;
      if (condition->type == Type::kStr || condition->type == Type::kTuple) {
        NeedPython(t, "an assert on a string or tuple");
        return;
      }
      s.exprs.push_back(std::move(*condition));
      if (IsOp(Peek(), ",")) {
        Next();
        std::optional<Expr> message = ParseTest();
        if (!message || !RequireValue(*message, t, true)) return;
        s.exprs.push_back(std::move(*message));
      }
    } else if (IsKeyword(t, "pass")) {
      s.kind = Stmt::Kind::kPass;
      Next();
    } else if (t.kind == Token::Kind::kKeyword && Contains(kPythonOnlyStatements, t.text)) {
      NeedPython(t, "'" + t.text + "' statements");
      return;
    } else if (t.kind == Token::Kind::kName && t.text == "print" && IsOp(Peek(1), "(")) {
      if (!ParsePrint(&s)) return;
    } else if (t.kind == Token::Kind::kName && t.text == "print" &&
               (Peek(1).kind == Token::Kind::kName || Peek(1).kind == Token::Kind::kInt ||
                Peek(1).kind == Token::Kind::kStr)) {
      Error(t, "missing parentheses in call to 'print'");
      return;
    } else if (t.kind == Token::Kind::kName && IsOp(Peek(1), "=")) {
      // Before the value's names are checked: `a = b = 1` defines b.
      if (const Token* second = FindInStatement(pos_ + 2, "=")) {
        NeedPython(*second, "chained assignments");
        return;
      }
      if (!ParseAssignment(&s)) return;
    } else if (t.kind == Token::Kind::kName && Peek(1).kind == Token::Kind::kOp &&
               Peek(1).text.size() >= 2 && Peek(1).text.back() == '=' && Peek(1).text != "==" &&
               Peek(1).text != "!=" && Peek(1).text != "<=" && Peek(1).text != ">=") {
      if (!ParseAugmentedAssignment(&s)) return;
    } else if (t.kind == Token::Kind::kName && (IsOp(Peek(1), ",") || IsOp(Peek(1), ":"))) {
      NeedPython(Peek(1), "tuple or annotated assignments");
      return;
    } else {
      s.kind = Stmt::Kind::kExpr;
      std::optional<Expr> value = ParseTest();
      if (!value) return;
      if (value->type == Type::kTuple) {
        NeedPython(t, "tuples");
        return;
      }
      s.exprs.push_back(std::move(*value));
    }
    if (stopped()) return;
    if (!AtStatementEnd()) {
      if (IsOp(Peek(), "=") || IsOp(Peek(), ",")) {
        NeedPython(Peek(), IsOp(Peek(), "=") ? "chained assignments" : "tuples");
      } else {
        Unexpected(Peek(), "end of statement");
      }
      return;
    }
    s.source = SourceText(first, pos_ - 1);
    out->push_back(std::move(s));
  }

  /// The first `op` token outside brackets from token `from` to the end of the statement.
  const Token* FindInStatement(std::size_t from, std::string_view op) const {
    int depth = 0;
    for (std::size_t i = from; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      if (t.kind == Token::Kind::kNewline || t.kind == Token::Kind::kEnd) break;
      if (t.kind != Token::Kind::kOp) continue;
      if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
      if (t.text == ")" || t.text == "]" || t.text == "}") --depth;
      if (depth == 0 && t.text == ";") break;
      if (depth == 0 && t.text == op) return &t;
    }
    return nullptr;
  }

  bool ParsePrint(Stmt* s) {
    s->kind = Stmt::Kind::kPrint;
    Next();
    Next();
    while (!IsOp(Peek(), ")")) {
      if (Peek().kind == Token::Kind::kName && IsOp(Peek(1), "=")) {
        NeedPython(Peek(), "print() keyword arguments");
        return false;
      }
      const Token& at = Peek();
      std::optional<Expr> arg = ParseTest();
      if (!arg || !RequireValue(*arg, at, true)) return false;
      s->exprs.push_back(std::move(*arg));
      if (!IsOp(Peek(), ",")) break;
      Next();
    }
    if (!IsOp(Peek(), ")")) {
      Unexpected(Peek(), "')'");
      return false;
    }
    Next();
    return true;
  }

  /// Names Python resolves to built-ins (and _file/_line) cannot be assigned natively.
  bool AssignableName(const Token& t) {
    if (t.text == "_file" || t.text == "_line" || IsBuiltin(t.text)) {
      NeedPython(t, "assignments to '" + t.text + "'");
      return false;
    }
    return true;
  }

  bool ParseAssignment(Stmt* s) {
    const Token& target = Next();
    Next();
    if (!AssignableName(target)) return false;
    s->kind = Stmt::Kind::kAssign;
    s->target = target.text;
    const Token& at = Peek();
    std::optional<Expr> value = ParseTest();
    if (!value || !RequireValue(*value, at, false)) return false;
    if (value->type == Type::kBool) {
      // Native variables are integers; Python would print this one as True or False.
      NeedPython(at, "a variable holding a boolean");
      return false;
    }
    s->exprs.push_back(std::move(*value));
    scope_.assigned.insert(target.text);
    return true;
  }

  bool ParseAugmentedAssignment(Stmt* s) {
    std::size_t first = pos_;
    const Token& target = Peek();
    if (!AssignableName(target) || !CheckName(target)) return false;
    Next();
    const Token& op = Next();
    std::string binary = op.text.substr(0, op.text.size() - 1);
    if (binary == "/" || binary == "**" || binary == "@") {
      NeedPython(op, "'" + op.text + "'");
      return false;
    }
    s->kind = Stmt::Kind::kAugAssign;
    s->target = target.text;
    Expr lhs;
    lhs.kind = Kind::kName;
    lhs.text = target.text;
    lhs.source = target.text;
    lhs.range = RangeOf(target);
    std::optional<Expr> value = ParseTest();
    if (!value) return false;
    Token op_token = op;
    op_token.text = binary;
    std::optional<Expr> e = MakeBinary(op_token, std::move(lhs), std::move(*value), first);
    if (!e) return false;
    if (e->type != Type::kInt) {
      NeedPython(op, "'" + op.text + "' on strings");
      return false;
    }
    s->exprs.push_back(std::move(*e));
    return true;
  }

  std::string_view text_;
  SourceLoc start_;
  const std::vector<Token>& tokens_;
  DiagnosticEngine& diags_;
  CodeBlockScope& scope_;
  std::size_t pos_ = 0;
  State state_ = State::kOk;
};

// ---------------------------------------------------------------------------------------------
// Emitter

/// C++ operator precedence, higher binds tighter.
enum Prec : int {
  kTernary = 2,
  kLogicalOr = 3,
  kLogicalAnd = 4,
  kBitOr = 5,
  kBitXor = 6,
  kBitAnd = 7,
  kEquality = 8,
  kRelational = 9,
  kAdditive = 12,
  kMultiplicative = 13,
  kUnaryPrec = 15,
  kPrimary = 16,
};

/// A C++ expression and the precedence of its outermost operator.
struct Code {
  std::string text;
  int prec = kPrimary;
};

std::string Paren(const Code& c, bool needed) { return needed ? "(" + c.text + ")" : c.text; }

/// A piece of a string built at run time: literal text, or a C++ expression yielding a
/// std::string or a const char*.
struct Piece {
  bool literal = false;
  std::string text;
  bool std_string = false;
};

/// Turns the typed expressions into C++. Values are std::int64_t (names) or bool; the
/// precedence bookkeeping adds exactly the parentheses C++ needs, plus those GCC's
/// -Wparentheses asks for, so generated code reads like the script.
class Emitter {
 public:
  bool used_context() const { return used_context_; }

  Code Literal(std::int64_t v) {
    if (v == std::numeric_limits<std::int64_t>::min()) return {"(-9223372036854775807 - 1)"};
    return {std::to_string(v), v < 0 ? kUnaryPrec : kPrimary};
  }

  /// The expression as a C++ value (std::int64_t, or bool for boolean expressions).
  Code Value(const Expr& e) {
    if (e.type == Type::kInt && e.constant) return Literal(*e.constant);
    switch (e.kind) {
      case Kind::kInt:
        return Literal(e.value);
      case Kind::kBool:
        return {e.value ? "true" : "false"};
      case Kind::kName:
        used_context_ = true;
        return {"c.Get(" + CppStringLiteral(e.text) + ")"};
      case Kind::kUnary: {
        Code operand = AsInt(e.operands[0]);
        // -INT64_MIN does not fit: the helper raises OverflowError where C++ would overflow.
        if (e.op == "-") return {"rt::py::Negate(" + operand.text + ")"};
        bool paren = operand.prec < kUnaryPrec || operand.text[0] == '-' || operand.text[0] == '+';
        return {e.op + Paren(operand, paren), kUnaryPrec};
      }
      case Kind::kNot:
        return Not(e.operands[0]);
      case Kind::kBinary:
        return Binary(e);
      case Kind::kCompare:
        return Compare(e);
      case Kind::kAnd:
      case Kind::kOr:
        return Condition(e);
      case Kind::kStr:
      case Kind::kFormat:
      case Kind::kTuple:
        break;
    }
    assert(false && "strings and tuples have no C++ value; sema sends them to Python");
    return {"0"};
  }

  /// The expression's Python truth value as a C++ bool.
  Code Condition(const Expr& e) {
    if (e.kind == Kind::kAnd || e.kind == Kind::kOr) {
      bool is_and = e.kind == Kind::kAnd;
      std::string out;
      for (const Expr& o : e.operands) {
        Code c = Condition(o);
        if (!out.empty()) out += is_and ? " && " : " || ";
        // `a && b || c` is correct C++, but GCC asks for parentheses and so do readers.
        out += Paren(c, is_and ? c.prec < kLogicalAnd : c.prec <= kLogicalAnd);
      }
      return {out, is_and ? kLogicalAnd : kLogicalOr};
    }
    if (e.type == Type::kBool) return Value(e);
    Code v = Value(e);
    return {Paren(v, v.prec <= kEquality) + " != 0", kEquality};
  }

  /// The expression converted to text as Python's str() (or %-formatting) would.
  std::vector<Piece> Pieces(const Expr& e) {
    if (e.kind == Kind::kStr) return {{true, e.text, false}};
    if (e.kind == Kind::kFormat) return FormatPieces(e);
    if (e.type == Type::kBool) {
      Code c = Condition(e);
      return {{false, "(" + Paren(c, c.prec <= kTernary) + " ? \"True\" : \"False\")", false}};
    }
    return {{false, "std::to_string(" + Value(e).text + ")", true}};
  }

  /// Concatenates pieces into one C++ expression usable as a std::string argument.
  static std::string Join(const std::vector<Piece>& input) {
    std::vector<Piece> pieces;
    for (const Piece& p : input) {
      if (p.literal && !pieces.empty() && pieces.back().literal) {
        pieces.back().text += p.text;
      } else {
        pieces.push_back(p);
      }
    }
    if (pieces.empty()) return "\"\"";
    std::vector<std::string> parts;
    for (Piece& p : pieces) {
      if (!p.literal) {
        parts.push_back(p.text);
      } else if (p.text.find('\0') == std::string::npos) {
        parts.push_back(CppStringLiteral(p.text));
      } else {
        // A C string would end at the NUL.
        parts.push_back("std::string(" + CppStringLiteral(p.text) + ", " +
                        std::to_string(p.text.size()) + ")");
        p.std_string = true;
      }
    }
    if (parts.size() == 1) return parts[0];
    // `"a" + "b"` would add pointers: make sure the first `+` has a std::string operand.
    if (!pieces[0].std_string && !pieces[1].std_string) parts[0] = "std::string(" + parts[0] + ")";
    std::string out;
    for (const std::string& part : parts) out += (out.empty() ? "" : " + ") + part;
    return out;
  }

 private:
  /// A bool operand of arithmetic becomes an int64, as Python's True is the integer 1.
  Code AsInt(const Expr& e) {
    Code c = Value(e);
    if (e.type != Type::kBool) return c;
    return {"static_cast<std::int64_t>(" + c.text + ")"};
  }

  Code Not(const Expr& operand) {
    if (operand.type == Type::kInt) {
      Code v = Value(operand);
      return {Paren(v, v.prec <= kEquality) + " == 0", kEquality};
    }
    Code c = Condition(operand);
    return {"!" + Paren(c, c.prec < kUnaryPrec), kUnaryPrec};
  }

  static int InfixPrec(const std::string& op) {
    if (op == "*") return kMultiplicative;
    if (op == "+" || op == "-") return kAdditive;
    if (op == "&") return kBitAnd;
    if (op == "^") return kBitXor;
    return kBitOr;  // "|"
  }

  /// Parentheses GCC's -Wparentheses wants around a different operator inside & ^ |.
  static bool Confusing(const std::string& parent, const Expr& child) {
    bool bitwise = parent == "&" || parent == "^" || parent == "|";
    bool child_infix = child.kind == Kind::kBinary && !child.constant && child.op != "//" &&
                       child.op != "%" && child.op != "<<" && child.op != ">>";
    return bitwise && child_infix && child.op != parent;
  }

  Code Binary(const Expr& e) {
    static constexpr std::pair<std::string_view, std::string_view> kHelpers[] = {
        {"+", "Add"}, {"-", "Subtract"},   {"*", "Multiply"},   {"//", "FloorDiv"},
        {"%", "Mod"}, {"<<", "LeftShift"}, {">>", "RightShift"}};
    Code lhs = AsInt(e.operands[0]);
    Code rhs = AsInt(e.operands[1]);
    for (const auto& [op, helper] : kHelpers) {
      if (e.op == op) {
        // Python floors where C++ truncates, and its integers have no width limit: the helpers
        // floor, and raise OverflowError where a 64-bit result would overflow (undefined in
        // C++; UBSan reported `tcpi_snd_cwnd * 9223372036854775807`).
        return {"rt::py::" + std::string(helper) + "(" + lhs.text + ", " + rhs.text + ")"};
      }
    }
    int prec = InfixPrec(e.op);
    bool lp = lhs.prec < prec || Confusing(e.op, e.operands[0]);
    bool rp = rhs.prec <= prec || Confusing(e.op, e.operands[1]);
    return {Paren(lhs, lp) + " " + e.op + " " + Paren(rhs, rp), prec};
  }

  Code Compare(const Expr& e) {
    std::vector<Code> operands;
    for (const Expr& o : e.operands) operands.push_back(Value(o));
    std::string out;
    int prec = kEquality;
    // A chain `a < b < c` is `a < b and b < c`; b is evaluated twice, which is the same as
    // once because reading a variable has no side effect.
    for (std::size_t i = 0; i < e.ops.size(); ++i) {
      if (i > 0) out += " && ";
      prec = e.ops[i] == "==" || e.ops[i] == "!=" ? kEquality : kRelational;
      out += Paren(operands[i], operands[i].prec <= kRelational) + " " + e.ops[i] + " " +
             Paren(operands[i + 1], operands[i + 1].prec <= kRelational);
    }
    return {out, e.ops.size() > 1 ? kLogicalAnd : prec};
  }

  std::vector<Piece> FormatPieces(const Expr& e) {
    std::vector<FormatPart> parts;
    std::string bad;
    ParseFormat(e.operands[0].text, &parts, &bad);  // Checked by the parser.
    std::vector<Piece> out;
    std::size_t arg = 1;
    for (const FormatPart& part : parts) {
      if (part.conversion == 0) {
        out.push_back({true, part.text, false});
        continue;
      }
      const Expr& a = e.operands[arg++];
      if (part.conversion == 's' || part.conversion == 'r') {
        std::vector<Piece> more = Pieces(a);
        out.insert(out.end(), more.begin(), more.end());
      } else {
        out.push_back({false, "std::to_string(" + AsInt(a).text + ")", true});
      }
    }
    return out;
  }

  bool used_context_ = false;
};

std::string DumpString(const std::string& s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c == '\\' || c == '\'') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "'";
}

std::string Dump(const Expr& e) {
  auto list = [](std::string head, const std::vector<Expr>& operands) {
    for (const Expr& o : operands) head += " " + Dump(o);
    return "(" + head + ")";
  };
  std::string out;
  switch (e.kind) {
    case Kind::kInt:
      return std::to_string(e.value);
    case Kind::kBool:
      return e.value ? "True" : "False";
    case Kind::kStr:
      return DumpString(e.text);
    case Kind::kName:
      return e.text;
    case Kind::kUnary:
    case Kind::kBinary:
      out = list(e.op, e.operands);
      break;
    case Kind::kNot:
      return list("not", e.operands);
    case Kind::kCompare:
      if (e.ops.size() == 1) return list(e.ops[0], e.operands);
      out = "(chain " + Dump(e.operands[0]);
      for (std::size_t i = 0; i < e.ops.size(); ++i) {
        out += " " + e.ops[i] + " " + Dump(e.operands[i + 1]);
      }
      return out + ")";
    case Kind::kAnd:
      return list("and", e.operands);
    case Kind::kOr:
      return list("or", e.operands);
    case Kind::kFormat:
      return list("%", e.operands);
    case Kind::kTuple:
      return list("tuple", e.operands);
  }
  if (e.constant) out += "=" + std::to_string(*e.constant);
  return out;
}

}  // namespace

SourceLoc CodeBlockBodyStart(SourceRange code_token) {
  const char* p = code_token.Start.getPointer();
  if (!p) return {};
  p += 2;  // `%{`
  while (*p == ' ' || *p == '\t') ++p;
  return SourceLoc::getFromPointer(p);
}

std::optional<CodeBlock> ParseCodeBlock(std::string_view text, SourceLoc body_start,
                                        DiagnosticEngine& diags, CodeBlockScope& scope) {
  std::vector<Token> tokens;
  Lexer lexer(text, body_start, diags);
  if (!lexer.Run(&tokens)) return std::nullopt;
  CodeBlock block;
  Parser parser(text, body_start, tokens, diags, scope);
  switch (parser.ParseBlock(&block.statements)) {
    case Parser::State::kOk:
      return block;
    case Parser::State::kError:
      return std::nullopt;
    case Parser::State::kPython:
      block.needs_python = true;
      scope.python = true;
      return block;
  }
  return std::nullopt;
}

std::string EmitCodeBlockFunction(const CodeBlock& block, const std::string& function_name) {
  assert(!block.needs_python && "a block outside the subset runs with Python");
  Emitter emit;
  std::string body;
  for (const Stmt& s : block.statements) {
    body += "  // " + CppCommentText(s.source) + "\n";
    switch (s.kind) {
      case Stmt::Kind::kAssert: {
        Code condition = emit.Condition(s.exprs[0]);
        std::string message = s.exprs.size() > 1 ? Emitter::Join(emit.Pieces(s.exprs[1])) : "\"\"";
        // The message is only evaluated when the assert fails, as in Python.
        body += "  if (!" + Paren(condition, condition.prec < kUnaryPrec) + ") {\n";
        body +=
            "    c.Assert(false, " + CppStringLiteral(s.exprs[0].source) + ", " + message + ");\n";
        body += "  }\n";
        break;
      }
      case Stmt::Kind::kAssign:
      case Stmt::Kind::kAugAssign:
        body +=
            "  c.Set(" + CppStringLiteral(s.target) + ", " + emit.Value(s.exprs[0]).text + ");\n";
        break;
      case Stmt::Kind::kPrint: {
        std::vector<Piece> pieces;
        for (std::size_t i = 0; i < s.exprs.size(); ++i) {
          if (i > 0) pieces.push_back({true, " ", false});
          std::vector<Piece> more = emit.Pieces(s.exprs[i]);
          pieces.insert(pieces.end(), more.begin(), more.end());
        }
        body += "  c.Print(" + Emitter::Join(pieces) + ");\n";
        break;
      }
      case Stmt::Kind::kPass:
        break;
      case Stmt::Kind::kExpr:
        // Evaluated for its errors (an undefined name); a lone string does nothing.
        if (s.exprs[0].type == Type::kStr) break;
        body +=
            "  static_cast<void>(" +
            (s.exprs[0].type == Type::kInt ? emit.Value(s.exprs[0]) : emit.Condition(s.exprs[0]))
                .text +
            ");\n";
        break;
    }
  }
  // Print() needs the context even for constant text.
  bool uses_context = emit.used_context();
  for (const Stmt& s : block.statements) {
    uses_context = uses_context || s.kind == Stmt::Kind::kAssert || s.kind == Stmt::Kind::kAssign ||
                   s.kind == Stmt::Kind::kAugAssign || s.kind == Stmt::Kind::kPrint;
  }
  std::string out = "void " + function_name + "(rt::CodeContext& c) {\n";
  if (!uses_context) out += "  static_cast<void>(c);  // Nothing in this block reads or checks.\n";
  return out + body + "}\n";
}

std::string DumpCodeBlock(const CodeBlock& block) {
  std::string out;
  for (const Stmt& s : block.statements) {
    switch (s.kind) {
      case Stmt::Kind::kAssert:
        out += "(assert " + Dump(s.exprs[0]);
        if (s.exprs.size() > 1) out += " " + Dump(s.exprs[1]);
        out += ")";
        break;
      case Stmt::Kind::kAssign:
        out += "(= " + s.target + " " + Dump(s.exprs[0]) + ")";
        break;
      case Stmt::Kind::kAugAssign:
        out += "(" + s.exprs[0].op + "= " + s.target + " " + Dump(s.exprs[0].operands[1]) + ")";
        break;
      case Stmt::Kind::kPrint: {
        out += "(print";
        for (const Expr& e : s.exprs) out += " " + Dump(e);
        out += ")";
        break;
      }
      case Stmt::Kind::kPass:
        out += "(pass)";
        break;
      case Stmt::Kind::kExpr:
        out += "(expr " + Dump(s.exprs[0]) + ")";
        break;
    }
    out += "\n";
  }
  return out;
}

}  // namespace pktc
