// Semantic checks: resolves symbols and defines, checks every event's shape, and lowers the
// AST to the IR that codegen consumes.
#ifndef PKTC_COMPILER_SEMA_SEMA_H_
#define PKTC_COMPILER_SEMA_SEMA_H_

#include <optional>
#include <string>

#include "frontend/ast.h"
#include "support/diagnostics.h"
#include "ir/ir.h"

namespace pktc {

struct SemaOptions {
  std::string script_path;  ///< As given on the command line.
  std::string script_dir;   ///< Where files named by shell commands are looked up.
  /// The parser reported errors: skip checks that an event missing from the AST could upset.
  bool after_syntax_errors = false;
};

/// Checks `script` and lowers it. Returns nullopt if any error was reported.
std::optional<ir::Script> CheckScript(const ast::Script& script, const SemaOptions& options,
                                      DiagnosticEngine& diags);

}  // namespace pktc

#endif  // PKTC_COMPILER_SEMA_SEMA_H_
