// Diagnostics: `file:line:col: error: message`, the source line and a caret, via llvm::SourceMgr.
#ifndef PKTC_COMPILER_SUPPORT_DIAGNOSTICS_H_
#define PKTC_COMPILER_SUPPORT_DIAGNOSTICS_H_

#include <functional>
#include <string>

#include "llvm/Support/SourceMgr.h"

namespace pktc {

/// A position in the script: a pointer into a buffer owned by the SourceMgr.
using SourceLoc = llvm::SMLoc;
using SourceRange = llvm::SMRange;

/// Reports problems found in a script and counts errors, so later stages can stop before
/// codegen (and skip follow-on errors) once HadErrors() is true.
class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(llvm::SourceMgr& sources) : sources_(sources) {}

  void Error(SourceLoc loc, const llvm::Twine& message, SourceRange range = {});
  void Warning(SourceLoc loc, const llvm::Twine& message, SourceRange range = {});
  void Note(SourceLoc loc, const llvm::Twine& message, SourceRange range = {});

  bool HadErrors() const { return error_count_ > 0; }
  int error_count() const { return error_count_; }
  int warning_count() const { return warning_count_; }
  llvm::SourceMgr& sources() { return sources_; }

  /// 1-based line of a location (for #line directives and runtime messages).
  unsigned LineOf(SourceLoc loc) const;

  /// Errors beyond this many are counted but not printed, so one broken script cannot flood
  /// the terminal.
  static constexpr int kMaxPrintedErrors = 20;

 private:
  void Emit(SourceLoc loc, llvm::SourceMgr::DiagKind kind, const llvm::Twine& message,
            SourceRange range);

  llvm::SourceMgr& sources_;
  int error_count_ = 0;
  int warning_count_ = 0;
};

}  // namespace pktc

#endif  // PKTC_COMPILER_SUPPORT_DIAGNOSTICS_H_
