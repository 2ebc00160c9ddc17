// The runtime's capabilities, checked before emitting code.
#include "codegen/runtime_support.h"

#include <string>

#include "pktc/syscall.h"

namespace pktc {

namespace {
SourceLoc Loc(const ir::SourceLocation& loc) { return SourceLoc::getFromPointer(loc.pointer); }
}  // namespace

bool CheckRuntimeSupport(const ir::Script& script, DiagnosticEngine& diags) {
  int errors_before = diags.error_count();
  for (const auto& [loc, message] : script.unsupported) diags.Error(Loc(loc), message);
  for (const ir::Event& event : script.events) {
    if (const auto* call = std::get_if<ir::Syscall>(&event.action)) {
      if (!call->failure && !SpecOf(call->id).runtime_supported) {
        diags.Error(Loc(event.loc),
                    "system call '" + call->name + "' is not supported by the pktc runtime yet");
      }
    }
  }
  return diags.error_count() == errors_before;
}

}  // namespace pktc
