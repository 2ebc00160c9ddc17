// Lexer for the Python of code blocks.
#include "frontend/python_lexer.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "llvm/ADT/StringRef.h"

namespace pktc::py {

namespace {

// Python keywords the subset has no use for. Meeting one means the block is Python the subset
// does not cover (a loop, a conditional expression...), not that it is invalid.
constexpr std::string_view kPythonOnlyKeywords[] = {
    "None",     "as",     "async",  "await",  "break",  "class",   "continue",
    "def",      "del",    "elif",   "else",   "except", "finally", "for",
    "from",     "global", "if",     "import", "in",     "is",      "lambda",
    "nonlocal", "raise",  "return", "try",    "while",  "with",    "yield"};
constexpr std::string_view kSubsetKeywords[] = {"False", "True", "and", "assert",
                                                "not",   "or",   "pass"};

template <std::size_t N>
bool Contains(const std::string_view (&list)[N], std::string_view s) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

bool IsKeyword(std::string_view s) {
  return Contains(kPythonOnlyKeywords, s) || Contains(kSubsetKeywords, s);
}

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

}  // namespace

bool IsPythonOnlyKeyword(std::string_view word) { return Contains(kPythonOnlyKeywords, word); }

bool Lexer::Run(std::vector<Token>* out) {
  out_ = out;
  const std::size_t n = text_.size();
  std::size_t i = 0;
  bool line_start = true;
  while (i < n) {
    if (line_start && brackets_.empty()) {
      if (!SkipIndentation(&i)) return false;
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
        Fail(i, i + 1, "unexpected character after line continuation character");
        return false;
      }
    } else if (c >= '0' && c <= '9') {
      if (!LexNumber(&i)) return false;
    } else if (c == '.' && i + 1 < n && text_[i + 1] >= '0' && text_[i + 1] <= '9') {
      return PythonOnly(i, "floating-point numbers");
    } else if (IsIdentStart(c)) {
      if (!LexWord(&i)) return false;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      return PythonOnly(i, "non-ASCII identifiers");
    } else if (c == '\'' || c == '"') {
      if (!LexString(i, i, false, &i)) return false;
    } else if (!LexOperator(&i)) {
      return false;
    }
    if (stopped_) return Stopped();
  }
  if (!brackets_.empty()) {
    std::size_t at = brackets_.back();
    Fail(at, at + 1, std::string("'") + text_[at] + "' was never closed");
    return false;
  }
  Push(Token::Kind::kEnd, n, n, "");
  return true;
}

void Lexer::Fail(std::size_t begin, std::size_t end, std::string message) {
  error_ = Error{begin, end, std::move(message)};
  failed_ = true;
}

void Lexer::Push(Token::Kind kind, std::size_t begin, std::size_t end, std::string text,
                 std::int64_t value) {
  out_->push_back(Token{kind, begin, end, std::move(text), value});
}

/// Ends the token list at a construct only full Python has.
bool Lexer::PythonOnly(std::size_t at, const char* what) {
  Push(Token::Kind::kPythonOnly, at, at + 1, what);
  Push(Token::Kind::kEnd, at, at, "");
  stopped_ = true;
  return true;
}

/// The blanks at the start of a line outside brackets: Python rejects any before a statement.
bool Lexer::SkipIndentation(std::size_t* pos) {
  const std::size_t n = text_.size();
  std::size_t i = *pos, j = *pos;
  while (j < n && (text_[j] == ' ' || text_[j] == '\t' || text_[j] == '\f')) ++j;
  if (j < n && text_[j] != '\n' && text_[j] != '#' && j > i) {
    // The block is pasted at column 0 of the Python file, after trimming its first line.
    Fail(i, j,
         "unexpected indent: Python would reject this code block (its lines must start "
         "in the same column as the first one)");
    return false;
  }
  *pos = j;
  return true;
}

/// A name or keyword, or a string literal with a prefix (`r'...'`).
bool Lexer::LexWord(std::size_t* pos) {
  const std::size_t n = text_.size();
  std::size_t i = *pos, j = *pos;
  while (j < n && IsIdentChar(text_[j])) ++j;
  if (j < n && (text_[j] == '\'' || text_[j] == '"') && j - i <= 2) {
    std::string prefix = llvm::StringRef(text_.substr(i, j - i)).lower();
    if (prefix == "r" || prefix == "u") return LexString(i, j, prefix == "r", pos);
    if (prefix == "b" || prefix == "f" || prefix == "rb" || prefix == "br" || prefix == "fr" ||
        prefix == "rf") {
      return PythonOnly(i, "bytes and f-string literals");
    }
  }
  std::string word(text_.substr(i, j - i));
  Push(IsKeyword(word) ? Token::Kind::kKeyword : Token::Kind::kName, i, j, word);
  *pos = j;
  return true;
}

bool Lexer::LexNumber(std::size_t* pos) {
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
    Fail(begin, end,
         "invalid " +
             std::string(base == 16  ? "hexadecimal"
                         : base == 8 ? "octal"
                         : base == 2 ? "binary"
                                     : "decimal") +
             " literal");
    return false;
  }
  if (leading_zero && value != 0) {
    Fail(begin, i,
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
bool Lexer::LexString(std::size_t begin, std::size_t quote, bool raw, std::size_t* pos) {
  const std::size_t n = text_.size();
  const char q = text_[quote];
  if (quote + 2 < n && text_[quote + 1] == q && text_[quote + 2] == q) {
    return PythonOnly(begin, "triple-quoted strings");
  }
  std::string value;
  std::size_t i = quote + 1;
  for (;;) {
    if (i >= n || text_[i] == '\n') {
      Fail(begin, i, "unterminated string literal");
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
      Fail(begin, i, "unterminated string literal");
      return false;
    }
    if (raw) {
      value.push_back('\\');
      value.push_back(text_[i + 1]);
      i += 2;
      continue;
    }
    if (!LexEscape(&i, &value)) return false;
    if (stopped_) return true;
  }
  Push(Token::Kind::kStr, begin, i + 1, std::move(value));
  *pos = i + 1;
  return true;
}

/// The escape sequence at `*pos` (its backslash) in a string that is not raw: appends its
/// value and moves past it.
bool Lexer::LexEscape(std::size_t* pos, std::string* value) {
  const std::size_t n = text_.size();
  const std::size_t at = *pos;
  const char e = text_[at + 1];
  std::size_t i = at + 2;
  // Python's one-character escapes, as (escape, value) pairs.
  static constexpr std::string_view kSimple = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
  if (std::size_t k = kSimple.find(e); k != std::string_view::npos && k % 2 == 0) {
    value->push_back(kSimple[k + 1]);
    *pos = i;
    return true;
  }
  switch (e) {
    case '\n':
      break;  // Continues the string on the next line.
    case 'N':
      return PythonOnly(at, "\\N{...} escapes");
    case 'x':
    case 'u':
    case 'U': {
      std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      std::uint32_t cp = 0;
      for (std::size_t k = 0; k < digits; ++k) {
        if (i + k >= n || DigitValue(text_[i + k]) >= 16) {
          Fail(at, i + k, std::string("truncated \\") + e + " escape");
          return false;
        }
        cp = cp * 16 + static_cast<std::uint32_t>(DigitValue(text_[i + k]));
      }
      if (cp > 0x10ffff) {
        Fail(at, i + digits, "illegal Unicode character");
        return false;
      }
      AppendUtf8(cp, value);
      i += digits;
      break;
    }
    default:
      if (e >= '0' && e <= '7') {
        std::uint32_t cp = static_cast<std::uint32_t>(e - '0');
        for (int k = 0; k < 2 && i < n && text_[i] >= '0' && text_[i] <= '7'; ++k, ++i) {
          cp = cp * 8 + static_cast<std::uint32_t>(text_[i] - '0');
        }
        AppendUtf8(cp, value);
      } else {
        // Python keeps an unknown escape as it is.
        value->push_back('\\');
        value->push_back(e);
      }
  }
  *pos = i;
  return true;
}

bool Lexer::LexOperator(std::size_t* pos) {
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
        Fail(i, i + 1, "unmatched '" + std::string(op) + "'");
        return false;
      }
      if (text_[brackets_.back()] != open) {
        Fail(i, i + 1,
             "closing '" + std::string(op) + "' does not match '" + text_[brackets_.back()] + "'");
        return false;
      }
      brackets_.pop_back();
    }
    Push(Token::Kind::kOp, i, i + op.size(), std::string(op));
    *pos = i + op.size();
    return true;
  }
  Fail(i, i + 1, std::string("invalid character '") + text_[i] + "' in code block");
  return false;
}

}  // namespace pktc::py
