// The Python subset of code blocks (`%{ ... }%`) as parsed: typed expressions and statements.
#ifndef PKTC_COMPILER_FRONTEND_PYTHON_AST_H_
#define PKTC_COMPILER_FRONTEND_PYTHON_AST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/diagnostics.h"

/// The Python subset pktc compiles to native code; blocks outside it run with python3.
///
/// Statements: `assert COND[, MESSAGE]`, `NAME = EXPR`, `NAME OP= EXPR`, `print(ARGS)`, `pass`
/// and expression statements, separated by newlines or `;`. Expressions: integer literals,
/// `True`/`False`, names, string literals (messages only), `%` formatting with %d %i %u %s %r,
/// unary `- + ~ not`, binary `* // % + - << >> & ^ |`, comparisons (chained too), `and`, `or`.
/// Every value is a Python int (or bool), computed in 64 bits.
namespace pktc::py {

/// What a Python expression evaluates to, as far as the subset tracks it.
enum class Type : std::uint8_t {
  kInt,
  kBool,    ///< A comparison, `not`, True/False: printed as True/False.
  kStr,     ///< A string literal or a `%` formatting of one.
  kTuple,   ///< `(a, b)`: only the arguments of `%` formatting.
  kTruthy,  ///< `and`/`or` on integers: Python yields an operand, so only its truth is used.
};

/// One piece of a `%` format string: literal text, or a conversion ('d', 'i', 'u', 's', 'r').
struct FormatPart {
  char conversion = 0;  ///< 0: literal
  std::string text;
};

struct Expr {
  enum class Kind : std::uint8_t {
    kInt,      ///< `value`
    kBool,     ///< `value` is 0 or 1
    kStr,      ///< `text` is the string's value (escapes resolved)
    kName,     ///< `text`
    kUnary,    ///< `op` is "-", "+" or "~"; one operand
    kNot,      ///< one operand
    kBinary,   ///< `op` is the Python operator ("//", "<<"...); two operands
    kCompare,  ///< operands[i] ops[i] operands[i+1] ...
    kAnd,      ///< two or more operands
    kOr,       ///< two or more operands
    kFormat,   ///< operands[0] (a kStr) % operands[1..]; `format` is operands[0] split up
    kTuple,    ///< the elements
  };
  Kind kind = Kind::kInt;
  Type type = Type::kInt;
  std::int64_t value = 0;
  std::string text;
  std::string op;
  std::vector<std::string> ops;
  std::vector<Expr> operands;
  /// kFormat: the format string as literal text and conversions, one per argument.
  std::vector<FormatPart> format;
  /// The value of an integer expression made only of literals (`1460 - 12`), folded with
  /// Python's semantics so the emitted C++ never computes with narrower literal types.
  std::optional<std::int64_t> constant;
  std::string source;  ///< The expression as written, spaces normalised (assert messages).
  SourceRange range;
};

struct Stmt {
  enum class Kind : std::uint8_t { kAssert, kAssign, kAugAssign, kPrint, kPass, kExpr };
  Kind kind = Kind::kPass;
  std::string source;  ///< The statement as written, on one line (for comments).
  std::string target;  ///< kAssign, kAugAssign: the variable.
  /// kAssert: condition[, message]. kAssign, kExpr: the value. kAugAssign: `target OP value`
  /// as one binary expression. kPrint: the arguments.
  std::vector<Expr> exprs;
};

/// The statements of one block, in order.
struct Block {
  std::vector<Stmt> statements;
};

/// A compact form of the statements, one per line, for tests:
/// `(assert (== tcpi_snd_cwnd 10) tcpi_snd_cwnd)`.
std::string Dump(const Block& block);

}  // namespace pktc::py

#endif  // PKTC_COMPILER_FRONTEND_PYTHON_AST_H_
