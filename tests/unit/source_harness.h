// Test harness shared by the lexer, parser, sema and code-block unit tests: a script given as a
// string, under the file name `input` (or another), in an llvm::SourceMgr whose diagnostics are
// collected as text (as the terminal would show them, without colours), and a lexer over it.
#ifndef PKTC_TESTS_UNIT_SOURCE_HARNESS_H_
#define PKTC_TESTS_UNIT_SOURCE_HARNESS_H_

#include <memory>
#include <string>
#include <string_view>

#include "support/diagnostics.h"
#include "frontend/lexer.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace pktc {

/// Whatever the compiler stages under test build from the lexer points into this harness's
/// SourceMgr, so the harness must outlive it.
class SourceHarness {
 public:
  explicit SourceHarness(std::string_view text, std::string_view name = "input")
      : diags_(sources_) {
    unsigned buffer = sources_.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, name), llvm::SMLoc());
    sources_.setDiagHandler(CollectDiagnostic, &diag_text_);
    lexer_ = std::make_unique<Lexer>(sources_, buffer, diags_);
  }
  SourceHarness(const SourceHarness&) = delete;
  SourceHarness& operator=(const SourceHarness&) = delete;

  void DefineFromCommandLine(const std::string& name, const std::string& value) {
    lexer_->DefineFromCommandLine(name, value);
  }
  Lexer& lexer() { return *lexer_; }
  DiagnosticEngine& diags() { return diags_; }
  llvm::SourceMgr& sources() { return sources_; }
  const std::string& diag_text() const { return diag_text_; }
  int error_count() const { return diags_.error_count(); }
  int warning_count() const { return diags_.warning_count(); }
  unsigned LineOf(SourceLoc loc) const { return diags_.LineOf(loc); }

 private:
  static void CollectDiagnostic(const llvm::SMDiagnostic& diag, void* context) {
    llvm::raw_string_ostream os(*static_cast<std::string*>(context));
    diag.print(nullptr, os, /*ShowColors=*/false);
  }

  llvm::SourceMgr sources_;
  std::string diag_text_;
  DiagnosticEngine diags_;
  std::unique_ptr<Lexer> lexer_;
};

}  // namespace pktc

#endif  // PKTC_TESTS_UNIT_SOURCE_HARNESS_H_
