// Emits the C++ program for a checked script: data and calls into the pktc runtime.
#ifndef PKTC_COMPILER_CODEGEN_CPP_EMITTER_H_
#define PKTC_COMPILER_CODEGEN_CPP_EMITTER_H_

#include <string>

#include "ir/ir.h"

namespace pktc {

struct EmitOptions {
  /// Name of the generated file, for `#line` directives that return to it after an event.
  std::string output_name = "generated.cc";
  bool line_directives = true;
  std::string compiler_version;
};

/// The whole translation unit for `script`: banner, embedded files, the event body and main().
std::string EmitCpp(const ir::Script& script, const EmitOptions& options);

}  // namespace pktc

#endif  // PKTC_COMPILER_CODEGEN_CPP_EMITTER_H_
