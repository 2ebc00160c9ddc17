// The C++ function of a native code block, written through the Printer.
#include "codegen/code_block_emitter.h"

#include <cassert>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace pktc {

namespace {

using py::Expr;
using py::FormatPart;
using py::Stmt;
using py::Type;
using Kind = py::Expr::Kind;

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
struct CppExpr {
  std::string text;
  int prec = kPrimary;
};

std::string Paren(const CppExpr& c, bool needed) { return needed ? "(" + c.text + ")" : c.text; }

/// A piece of a string built at run time: literal text, or a C++ expression yielding a
/// std::string or a const char*.
struct Piece {
  bool literal = false;
  std::string text;
  bool std_string = false;
};

// The typed expressions in C++. Values are std::int64_t (names) or bool; the precedence
// bookkeeping adds exactly the parentheses C++ needs, plus those GCC's -Wparentheses asks for,
// so generated code reads like the script.

CppExpr Value(const Expr& e);
CppExpr Condition(const Expr& e);
std::vector<Piece> Pieces(const Expr& e);

CppExpr Literal(std::int64_t v) {
  if (v == std::numeric_limits<std::int64_t>::min()) return {"(-9223372036854775807 - 1)"};
  return {std::to_string(v), v < 0 ? kUnaryPrec : kPrimary};
}

/// A bool operand of arithmetic becomes an int64, as Python's True is the integer 1.
CppExpr AsInt(const Expr& e) {
  CppExpr c = Value(e);
  if (e.type != Type::kBool) return c;
  return {"static_cast<std::int64_t>(" + c.text + ")"};
}

CppExpr Not(const Expr& operand) {
  if (operand.type == Type::kInt) {
    CppExpr v = Value(operand);
    return {Paren(v, v.prec <= kEquality) + " == 0", kEquality};
  }
  CppExpr c = Condition(operand);
  // std::string first: GCC 12 at -O3 warns (-Wrestrict, a false positive) on "!" + rvalue.
  return {std::string("!") + Paren(c, c.prec < kUnaryPrec), kUnaryPrec};
}

int InfixPrec(const std::string& op) {
  if (op == "*") return kMultiplicative;
  if (op == "+" || op == "-") return kAdditive;
  if (op == "&") return kBitAnd;
  if (op == "^") return kBitXor;
  return kBitOr;  // "|"
}

/// The runtime helper for an arithmetic operator whose C++ meaning differs from Python's: Python
/// floors where C++ truncates, and its integers have no width limit, so the helpers floor and
/// raise OverflowError where a 64-bit result would overflow (undefined in C++; UBSan reported
/// `tcpi_snd_cwnd * 9223372036854775807`). Null for an operator C++ evaluates as Python does.
const char* HelperFor(const std::string& op) {
  static constexpr std::pair<std::string_view, const char*> kHelpers[] = {
      {"+", "Add"}, {"-", "Subtract"},   {"*", "Multiply"},   {"//", "FloorDiv"},
      {"%", "Mod"}, {"<<", "LeftShift"}, {">>", "RightShift"}};
  for (const auto& [name, helper] : kHelpers) {
    if (op == name) return helper;
  }
  return nullptr;
}

/// Parentheses GCC's -Wparentheses wants around a different operator inside & ^ |.
bool Confusing(const std::string& parent, const Expr& child) {
  bool bitwise = parent == "&" || parent == "^" || parent == "|";
  bool child_infix = child.kind == Kind::kBinary && !child.constant && !HelperFor(child.op);
  return bitwise && child_infix && child.op != parent;
}

CppExpr Binary(const Expr& e) {
  CppExpr lhs = AsInt(e.operands[0]);
  CppExpr rhs = AsInt(e.operands[1]);
  if (const char* helper = HelperFor(e.op)) {
    return {"rt::py::" + std::string(helper) + "(" + lhs.text + ", " + rhs.text + ")"};
  }
  int prec = InfixPrec(e.op);
  bool lp = lhs.prec < prec || Confusing(e.op, e.operands[0]);
  bool rp = rhs.prec <= prec || Confusing(e.op, e.operands[1]);
  return {Paren(lhs, lp) + " " + e.op + " " + Paren(rhs, rp), prec};
}

CppExpr Compare(const Expr& e) {
  std::vector<CppExpr> operands;
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

/// The expression as a C++ value (std::int64_t, or bool for boolean expressions).
CppExpr Value(const Expr& e) {
  if (e.type == Type::kInt && e.constant) return Literal(*e.constant);
  switch (e.kind) {
    case Kind::kInt:
      return Literal(e.value);
    case Kind::kBool:
      return {e.value ? "true" : "false"};
    case Kind::kName:
      return {"c.Get(" + CppStringLiteral(e.text) + ")"};
    case Kind::kUnary: {
      CppExpr operand = AsInt(e.operands[0]);
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
  assert(false && "strings and tuples have no C++ value; the parser sends them to Python");
  return {"0"};
}

/// The expression's Python truth value as a C++ bool.
CppExpr Condition(const Expr& e) {
  if (e.kind == Kind::kAnd || e.kind == Kind::kOr) {
    bool is_and = e.kind == Kind::kAnd;
    std::string out;
    for (const Expr& o : e.operands) {
      CppExpr c = Condition(o);
      if (!out.empty()) out += is_and ? " && " : " || ";
      // `a && b || c` is correct C++, but GCC asks for parentheses and so do readers.
      out += Paren(c, is_and ? c.prec < kLogicalAnd : c.prec <= kLogicalAnd);
    }
    return {out, is_and ? kLogicalAnd : kLogicalOr};
  }
  if (e.type == Type::kBool) return Value(e);
  CppExpr v = Value(e);
  return {Paren(v, v.prec <= kEquality) + " != 0", kEquality};
}

/// The pieces of `format % args`: the literal text and each argument converted.
std::vector<Piece> FormatPieces(const Expr& e) {
  std::vector<Piece> out;
  std::size_t arg = 1;
  for (const FormatPart& part : e.format) {
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

/// The expression converted to text as Python's str() (or %-formatting) would.
std::vector<Piece> Pieces(const Expr& e) {
  if (e.kind == Kind::kStr) return {{true, e.text, false}};
  if (e.kind == Kind::kFormat) return FormatPieces(e);
  if (e.type == Type::kBool) {
    CppExpr c = Condition(e);
    return {{false, std::string("(") + Paren(c, c.prec <= kTernary) + " ? \"True\" : \"False\")", false}};
  }
  return {{false, "std::to_string(" + Value(e).text + ")", true}};
}

/// Concatenates pieces into one C++ expression usable as a std::string argument.
std::string Join(const std::vector<Piece>& input) {
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

/// Whether an expression reads a variable (folded constants are made of literals only).
bool ReadsVariable(const Expr& e) {
  if (e.kind == Kind::kName) return true;
  for (const Expr& o : e.operands) {
    if (ReadsVariable(o)) return true;
  }
  return false;
}

/// Whether the function uses its CodeContext; if not, it says so to keep -Wunused quiet.
bool UsesContext(const py::Block& block) {
  for (const Stmt& s : block.statements) {
    switch (s.kind) {
      case Stmt::Kind::kAssert:
      case Stmt::Kind::kAssign:
      case Stmt::Kind::kAugAssign:
      case Stmt::Kind::kPrint:  // Print() needs the context even for constant text.
        return true;
      case Stmt::Kind::kPass:
        break;
      case Stmt::Kind::kExpr:
        if (s.exprs[0].type != Type::kStr && ReadsVariable(s.exprs[0])) return true;
        break;
    }
  }
  return false;
}

void EmitStatement(Printer& p, const Stmt& s) {
  p.Line("// " + CppCommentText(s.source));
  switch (s.kind) {
    case Stmt::Kind::kAssert: {
      CppExpr condition = Condition(s.exprs[0]);
      std::string message = s.exprs.size() > 1 ? Join(Pieces(s.exprs[1])) : "\"\"";
      // The message is only evaluated when the assert fails, as in Python.
      p.Line("if (!" + Paren(condition, condition.prec < kUnaryPrec) + ") {");
      p.Indent();
      p.Line("c.Assert(false, " + CppStringLiteral(s.exprs[0].source) + ", " + message + ");");
      p.Outdent();
      p.Line("}");
      break;
    }
    case Stmt::Kind::kAssign:
    case Stmt::Kind::kAugAssign:
      p.Line("c.Set(" + CppStringLiteral(s.target) + ", " + Value(s.exprs[0]).text + ");");
      break;
    case Stmt::Kind::kPrint: {
      std::vector<Piece> pieces;
      for (std::size_t i = 0; i < s.exprs.size(); ++i) {
        if (i > 0) pieces.push_back({true, " ", false});
        std::vector<Piece> more = Pieces(s.exprs[i]);
        pieces.insert(pieces.end(), more.begin(), more.end());
      }
      p.Line("c.Print(" + Join(pieces) + ");");
      break;
    }
    case Stmt::Kind::kPass:
      break;
    case Stmt::Kind::kExpr: {
      // Evaluated for its errors (an undefined name); a lone string does nothing.
      const Expr& e = s.exprs[0];
      if (e.type == Type::kStr) break;
      p.Line("static_cast<void>(" + (e.type == Type::kInt ? Value(e) : Condition(e)).text + ");");
      break;
    }
  }
}

}  // namespace

void EmitCodeBlockFunction(Printer& p, const py::Block& block, std::string_view function_name) {
  p.Line("void " + std::string(function_name) + "(rt::CodeContext& c) {");
  p.Indent();
  if (!UsesContext(block)) {
    p.Line("static_cast<void>(c);  // Nothing in this block reads or checks.");
  }
  for (const Stmt& s : block.statements) EmitStatement(p, s);
  p.Outdent();
  p.Line("}");
}

}  // namespace pktc
