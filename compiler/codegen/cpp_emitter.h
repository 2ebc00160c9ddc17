// Emits the C++ program for a checked script: data and calls into the pktc runtime.
#ifndef PKTC_COMPILER_CODEGEN_CPP_EMITTER_H_
#define PKTC_COMPILER_CODEGEN_CPP_EMITTER_H_

#include <cstddef>
#include <string>

#include "ir/ir.h"

namespace pktc {

struct EmitOptions {
  /// Name of the generated file, for `#line` directives that return to it after an event.
  std::string output_name = "generated.cc";
  bool line_directives = true;
  std::string compiler_version;
  /// -1: a program of its own, with main(). Otherwise the script's place in a suite: instead of
  /// main() the file defines pktc_suite::Script<index>(), which the suite's main (EmitSuiteMain)
  /// hands to rt::SuiteMain, and its embedded files become inline variables named by their
  /// contents, so the linker keeps one copy of a file that many scripts embed (defaults.sh).
  int suite_index = -1;
};

/// The whole translation unit for `script`: banner, embedded files, the event body and main().
std::string EmitCpp(const ir::Script& script, const EmitOptions& options);

/// The main() of a suite of `count` scripts, each emitted with suite_index 0..count-1.
std::string EmitSuiteMain(std::size_t count, const std::string& compiler_version);

}  // namespace pktc

#endif  // PKTC_COMPILER_CODEGEN_CPP_EMITTER_H_
