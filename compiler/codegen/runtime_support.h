// What the pktc runtime can execute: the full language passes --check, but a test binary can
// only be built for constructs the runtime implements.
#ifndef PKTC_COMPILER_CODEGEN_RUNTIME_SUPPORT_H_
#define PKTC_COMPILER_CODEGEN_RUNTIME_SUPPORT_H_

#include "support/diagnostics.h"
#include "ir/ir.h"

namespace pktc {

/// Reports `error: ... is not supported by the pktc runtime yet` for every construct the
/// runtime cannot execute. Returns false if there was any.
bool CheckRuntimeSupport(const ir::Script& script, DiagnosticEngine& diags);

}  // namespace pktc

#endif  // PKTC_COMPILER_CODEGEN_RUNTIME_SUPPORT_H_
