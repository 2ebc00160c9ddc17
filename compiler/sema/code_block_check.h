// Code blocks (`%{ ... }%`) checked against the script: which names exist, and which blocks
// need python3 instead of native code.
#ifndef PKTC_COMPILER_SEMA_CODE_BLOCK_CHECK_H_
#define PKTC_COMPILER_SEMA_CODE_BLOCK_CHECK_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "frontend/python_ast.h"
#include "support/diagnostics.h"

namespace pktc {

/// A checked block. If `needs_python`, the block is valid Python outside the subset: the caller
/// must run its text with python3 instead (and then every block of the script), and `block` is
/// empty.
struct CodeBlock {
  py::Block block;
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

/// Parses a block's body (`text`, which starts at `body_start` in the script's buffer) and
/// checks its names against `scope`.
///
/// Reports syntax errors and unknown names (with a "did you mean" note) as errors and returns
/// nullopt. Valid Python outside the subset (loops, calls, floats...) is not an error: it gets
/// a warning and a CodeBlock with `needs_python` set. Updates `scope` with the names the block
/// assigns, so call it for the script's blocks in order with one scope.
std::optional<CodeBlock> CheckCodeBlock(std::string_view text, SourceLoc body_start,
                                        DiagnosticEngine& diags, CodeBlockScope& scope);

}  // namespace pktc

#endif  // PKTC_COMPILER_SEMA_CODE_BLOCK_CHECK_H_
