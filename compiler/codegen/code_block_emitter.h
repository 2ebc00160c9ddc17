// The C++ function emitted for a native code block.
#ifndef PKTC_COMPILER_CODEGEN_CODE_BLOCK_EMITTER_H_
#define PKTC_COMPILER_CODEGEN_CODE_BLOCK_EMITTER_H_

#include <string_view>

#include "frontend/python_ast.h"
#include "support/printer.h"

namespace pktc {

/// Writes the definition `void NAME(rt::CodeContext& c) { ... }` of a native block (one that
/// does not need Python), for the anonymous namespace of the generated file, where `rt` names
/// pktc::rt. It reads and writes variables with c.Get/c.Set, fails through c.Assert, prints with
/// c.Print and uses rt::py:: helpers where Python's integer operators differ from C++'s.
void EmitCodeBlockFunction(Printer& p, const py::Block& block, std::string_view function_name);

}  // namespace pktc

#endif  // PKTC_COMPILER_CODEGEN_CODE_BLOCK_EMITTER_H_
