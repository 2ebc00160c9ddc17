// Code blocks (`%{ ... }%`): the Python subset pktc compiles to native code, its parser, and the
// C++ function emitted for a block. Blocks outside the subset run with python3 at test time.
#ifndef PKTC_COMPILER_SEMA_CODE_BLOCK_H_
#define PKTC_COMPILER_SEMA_CODE_BLOCK_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/diagnostics.h"

namespace pktc {

/// The Python subset, as parsed from a block.
///
/// Statements: `assert COND[, MESSAGE]`, `NAME = EXPR`, `NAME OP= EXPR`, `print(ARGS)`, `pass`
/// and expression statements, separated by newlines or `;`. Expressions: integer literals,
/// `True`/`False`, names, string literals (messages only), `%` formatting with %d %i %u %s %r,
/// unary `- + ~ not`, binary `* // % + - << >> & ^ |`, comparisons (chained too), `and`, `or`.
/// Every value is a Python int (or bool), computed in 64 bits.
namespace py {

/// What a Python expression evaluates to, as far as the subset tracks it.
enum class Type : std::uint8_t {
  kInt,
  kBool,    ///< A comparison, `not`, True/False: printed as True/False.
  kStr,     ///< A string literal or a `%` formatting of one.
  kTuple,   ///< `(a, b)`: only the arguments of `%` formatting.
  kTruthy,  ///< `and`/`or` on integers: Python yields an operand, so only its truth is used.
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
    kFormat,   ///< operands[0] (a kStr) % operands[1..]
    kTuple,    ///< the elements
  };
  Kind kind = Kind::kInt;
  Type type = Type::kInt;
  std::int64_t value = 0;
  std::string text;
  std::string op;
  std::vector<std::string> ops;
  std::vector<Expr> operands;
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

}  // namespace py

/// A parsed block. If `needs_python`, the statements are incomplete and the caller must run
/// the block's text with python3 instead (and then every block of the script).
struct CodeBlock {
  std::vector<py::Stmt> statements;
  bool needs_python = false;
};

/// What the blocks of one script share: packetdrill runs them all in one Python namespace, so
/// a name one block assigns is defined in the blocks after it.
struct CodeBlockScope {
  std::set<std::string> assigned;
  /// Some block needs python3: what it defines is unknown, so later blocks skip name checks
  /// (Python reports an undefined name at run time).
  bool python = false;
};

/// The location of the first character of a code block's body, given the `%{ ... }%` token's
/// range: the body is the token's text after `%{` and any spaces and tabs, as the lexer keeps it.
SourceLoc CodeBlockBodyStart(SourceRange code_token);

/// Parses a block's body (`text`, which starts at `body_start` in the script's buffer).
///
/// Reports syntax errors and unknown names (with a "did you mean" note) as errors and returns
/// nullopt. Valid Python outside the subset (loops, calls, floats...) is not an error: it gets
/// a warning and a CodeBlock with `needs_python` set. Updates `scope` with the names the block
/// assigns, so call it for the script's blocks in order with one scope.
std::optional<CodeBlock> ParseCodeBlock(std::string_view text, SourceLoc body_start,
                                        DiagnosticEngine& diags, CodeBlockScope& scope);

/// The C++ definition `void NAME(rt::CodeContext& c) { ... }` of a native block (one that does
/// not need Python), for the anonymous namespace of the generated file, where `rt` names
/// pktc::rt. It reads and writes variables with c.Get/c.Set, fails through c.Assert, prints with
/// c.Print and uses rt::py:: helpers where Python's integer operators differ from C++'s.
std::string EmitCodeBlockFunction(const CodeBlock& block, const std::string& function_name);

/// A compact form of the parsed statements, one per line, for tests:
/// `(assert (== tcpi_snd_cwnd 10) tcpi_snd_cwnd)`.
std::string DumpCodeBlock(const CodeBlock& block);

}  // namespace pktc

#endif  // PKTC_COMPILER_SEMA_CODE_BLOCK_H_
