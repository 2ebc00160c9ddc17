// Diagnostics printing through llvm::SourceMgr.
#include "support/diagnostics.h"

namespace pktc {

void DiagnosticEngine::Error(SourceLoc loc, const llvm::Twine& message, SourceRange range) {
  ++error_count_;
  if (error_count_ > kMaxPrintedErrors) return;
  Emit(loc, llvm::SourceMgr::DK_Error, message, range);
  if (error_count_ == kMaxPrintedErrors) {
    Emit(loc, llvm::SourceMgr::DK_Note, "too many errors; further errors are not shown", {});
  }
}

void DiagnosticEngine::Warning(SourceLoc loc, const llvm::Twine& message, SourceRange range) {
  ++warning_count_;
  Emit(loc, llvm::SourceMgr::DK_Warning, message, range);
}

void DiagnosticEngine::Note(SourceLoc loc, const llvm::Twine& message, SourceRange range) {
  if (error_count_ > kMaxPrintedErrors) return;
  Emit(loc, llvm::SourceMgr::DK_Note, message, range);
}

unsigned DiagnosticEngine::LineOf(SourceLoc loc) const {
  if (!loc.isValid()) return 0;
  return sources_.getLineAndColumn(loc).first;
}

void DiagnosticEngine::Emit(SourceLoc loc, llvm::SourceMgr::DiagKind kind,
                            const llvm::Twine& message, SourceRange range) {
  llvm::ArrayRef<SourceRange> ranges;
  if (range.isValid()) ranges = range;
  sources_.PrintMessage(loc, kind, message, ranges);
}

}  // namespace pktc
