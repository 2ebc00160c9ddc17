// Parser for the Python subset of code blocks.
#include "frontend/python_parser.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <utility>

#include "frontend/python_fold.h"
#include "frontend/python_lexer.h"

namespace pktc::py {

namespace {

using Kind = Expr::Kind;

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

bool IsPythonOnlyStatement(std::string_view word) {
  return std::find(std::begin(kPythonOnlyStatements), std::end(kPythonOnlyStatements), word) !=
         std::end(kPythonOnlyStatements);
}

bool IsBuiltin(std::string_view name) {
  for (std::size_t begin = 0; begin < kBuiltins.size();) {
    std::size_t end = std::min(kBuiltins.find(' ', begin), kBuiltins.size());
    if (kBuiltins.substr(begin, end - begin) == name) return true;
    begin = end + 1;
  }
  return false;
}

SourceLoc At(SourceLoc start, std::size_t offset) {
  if (!start.isValid()) return {};
  return SourceLoc::getFromPointer(start.getPointer() + offset);
}

std::optional<std::int64_t> ConstantOf(const Expr& e) {
  if (e.kind == Kind::kBool) return e.value;
  if (e.type == Type::kInt) return e.constant;
  return std::nullopt;
}

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

/// Recursive descent over the tokens, following Python's grammar for the subset and building
/// typed expressions. Anything valid in Python but outside the subset stops the parse (the
/// block needs Python), and so does anything invalid (a syntax error): the first stop is the
/// result's, and the statements parsed before it its block.
class Parser {
 public:
  Parser(std::string_view text, SourceLoc start, const std::vector<Token>& tokens,
         ParseResult* result)
      : text_(text), start_(start), tokens_(tokens), result_(*result) {}

  void ParseBlock() {
    std::vector<Stmt>* out = &result_.block.statements;
    while (Peek().kind != Token::Kind::kEnd && !stopped()) {
      if (Peek().kind == Token::Kind::kNewline) {
        Next();
        continue;
      }
      ParseStatement(out);
      while (!stopped() && IsOp(Peek(), ";")) {
        Next();
        if (AtLineEnd()) break;
        ParseStatement(out);
      }
    }
  }

 private:
  // -- Tokens and stops ------------------------------------------------------------------------

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
  bool stopped() const { return result_.stop.has_value(); }

  SourceLoc Loc(std::size_t offset) const { return At(start_, offset); }
  SourceRange RangeOf(const Token& t) const { return {Loc(t.begin), Loc(t.end)}; }

  void Error(const Token& t, const std::string& message) {
    if (stopped()) return;
    result_.stop = Stop{Stop::Kind::kSyntaxError, message, RangeOf(t)};
  }

  void NeedPython(const Token& t, const std::string& what) {
    if (stopped()) return;
    result_.stop = Stop{Stop::Kind::kBeyondSubset, what, RangeOf(t)};
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
    if (t.kind == Token::Kind::kKeyword && IsPythonOnlyKeyword(t.text)) {
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
      return t.kind == Token::Kind::kOp &&
             std::find(std::begin(kComparisons), std::end(kComparisons), t.text) !=
                 std::end(kComparisons);
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
      e.constant = FoldBinary(op.text, *a, *b, &why);
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
    e.format = std::move(parts);
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
      e.constant = FoldUnary(t.text, *v);
      if (!e.constant) {
        NeedPython(t, "integer arithmetic beyond 64 bits");
        return std::nullopt;
      }
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
        if (!UseName(t)) return std::nullopt;
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

  /// A name read at `t`: Python's own names take the block out of the subset; the others are
  /// listed for sema, which knows what the script defines.
  bool UseName(const Token& t) {
    const std::string& name = t.text;
    if (name == "_file" || name == "_line") {
      NeedPython(t, "'" + name + "'");
      return false;
    }
    if (IsBuiltin(name)) {
      NeedPython(t, "Python's '" + name + "'");
      return false;
    }
    result_.names.push_back(NameUse{name, RangeOf(t), /*assigns=*/false});
    return true;
  }

  // -- Statements ------------------------------------------------------------------------------

  void ParseStatement(std::vector<Stmt>* out) {
    std::size_t first = pos_;
    Stmt s;
    if (!ParseSimpleStatement(&s) || stopped()) return;
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

  /// `NAME OP= ...` (but not a comparison).
  static bool IsAugmentedAssignment(const Token& op) {
    return op.kind == Token::Kind::kOp && op.text.size() >= 2 && op.text.back() == '=' &&
           op.text != "==" && op.text != "!=" && op.text != "<=" && op.text != ">=";
  }

  /// One statement, told apart by its first tokens; false if the parse stopped.
  bool ParseSimpleStatement(Stmt* s) {
    const Token& t = Peek();
    if (IsKeyword(t, "assert")) return ParseAssert(s);
    if (IsKeyword(t, "pass")) {
      s->kind = Stmt::Kind::kPass;
      Next();
      return true;
    }
    if (t.kind == Token::Kind::kKeyword && IsPythonOnlyStatement(t.text)) {
      NeedPython(t, "'" + t.text + "' statements");
      return false;
    }
    bool name = t.kind == Token::Kind::kName;
    if (name && t.text == "print" && IsOp(Peek(1), "(")) return ParsePrint(s);
    if (name && t.text == "print" &&
        (Peek(1).kind == Token::Kind::kName || Peek(1).kind == Token::Kind::kInt ||
         Peek(1).kind == Token::Kind::kStr)) {
      Error(t, "missing parentheses in call to 'print'");
      return false;
    }
    if (name && IsOp(Peek(1), "=")) {
      // Before the value is parsed, so that its names are not listed: `a = b = 1` defines b.
      if (const Token* second = FindInStatement(pos_ + 2, "=")) {
        NeedPython(*second, "chained assignments");
        return false;
      }
      return ParseAssignment(s);
    }
    if (name && IsAugmentedAssignment(Peek(1))) return ParseAugmentedAssignment(s);
    if (name && (IsOp(Peek(1), ",") || IsOp(Peek(1), ":"))) {
      NeedPython(Peek(1), "tuple or annotated assignments");
      return false;
    }
    s->kind = Stmt::Kind::kExpr;
    std::optional<Expr> value = ParseTest();
    if (!value) return false;
    if (value->type == Type::kTuple) {
      NeedPython(t, "tuples");
      return false;
    }
    s->exprs.push_back(std::move(*value));
    return true;
  }

  bool ParseAssert(Stmt* s) {
    const Token& t = Next();
    s->kind = Stmt::Kind::kAssert;
    std::optional<Expr> condition = ParseTest();
    if (!condition) return false;
    if (condition->type == Type::kStr || condition->type == Type::kTuple) {
      NeedPython(t, "an assert on a string or tuple");
      return false;
    }
    s->exprs.push_back(std::move(*condition));
    if (!IsOp(Peek(), ",")) return true;
    Next();
    std::optional<Expr> message = ParseTest();
    if (!message || !RequireValue(*message, t, true)) return false;
    s->exprs.push_back(std::move(*message));
    return true;
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
    result_.names.push_back(NameUse{target.text, RangeOf(target), /*assigns=*/true});
    return true;
  }

  bool ParseAugmentedAssignment(Stmt* s) {
    std::size_t first = pos_;
    const Token& target = Peek();
    if (!AssignableName(target) || !UseName(target)) return false;
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
  ParseResult& result_;
  std::size_t pos_ = 0;
};

}  // namespace

ParseResult Parse(std::string_view text, SourceLoc body_start) {
  ParseResult result;
  std::vector<Token> tokens;
  Lexer lexer(text);
  if (!lexer.Run(&tokens)) {
    const Lexer::Error& e = lexer.error();
    result.stop =
        Stop{Stop::Kind::kSyntaxError, e.message, {At(body_start, e.begin), At(body_start, e.end)}};
    return result;
  }
  Parser(text, body_start, tokens, &result).ParseBlock();
  return result;
}

}  // namespace pktc::py
