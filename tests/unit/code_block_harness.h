// Test harness for code blocks: finds the blocks of a script (a string under the file name
// `input`) with the script lexer, as the parser does, and checks them in order with one scope
// through sema's CheckCodeBlock, which parses them with the frontend's Python parser.
#ifndef PKTC_TESTS_UNIT_CODE_BLOCK_HARNESS_H_
#define PKTC_TESTS_UNIT_CODE_BLOCK_HARNESS_H_

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/python_ast.h"
#include "frontend/token.h"
#include "sema/code_block_check.h"
#include "source_harness.h"

namespace pktc::testing {

class CodeBlockHarness {
 public:
  explicit CodeBlockHarness(std::string_view script, std::string_view name = "input")
      : source_(script, name) {
    Lexer& lexer = source_.lexer();
    for (Token t = lexer.Next(); !t.Is(TokenKind::kEof); t = lexer.Next()) {
      if (!t.Is(TokenKind::kCode)) continue;
      blocks_.push_back(
          CheckCodeBlock(t.text, CodeBlockBodyStart(t.range), source_.diags(), scope_));
    }
  }

  const std::vector<std::optional<CodeBlock>>& blocks() const { return blocks_; }
  const CodeBlock& block(std::size_t i) const {
    EXPECT_LT(i, blocks_.size());
    EXPECT_TRUE(blocks_[i].has_value()) << diag_text();
    return *blocks_[i];
  }
  const std::string& diag_text() const { return source_.diag_text(); }
  const CodeBlockScope& scope() const { return scope_; }
  int error_count() const { return source_.error_count(); }
  int warning_count() const { return source_.warning_count(); }

 private:
  SourceHarness source_;
  CodeBlockScope scope_;
  std::vector<std::optional<CodeBlock>> blocks_;
};

// The dump of a script's only block, which must parse natively without diagnostics.
inline std::string DumpOf(std::string_view script) {
  CodeBlockHarness h(script);
  EXPECT_EQ(h.diag_text(), "");
  EXPECT_EQ(h.blocks().size(), 1u);
  if (h.blocks().size() != 1 || !h.blocks()[0]) return "<no block>";
  EXPECT_FALSE(h.blocks()[0]->needs_python);
  return py::Dump(h.blocks()[0]->block);
}

// True if the script's only block is valid Python outside the subset: a warning, no error.
inline bool NeedsPython(std::string_view script) {
  CodeBlockHarness h(script);
  EXPECT_EQ(h.error_count(), 0) << h.diag_text();
  EXPECT_EQ(h.warning_count(), 1) << h.diag_text();
  return h.blocks().size() == 1 && h.blocks()[0] && h.blocks()[0]->needs_python && h.scope().python;
}

// The error text for a script whose only block is rejected.
inline std::string ErrorOf(std::string_view script) {
  CodeBlockHarness h(script);
  EXPECT_EQ(h.blocks().size(), 1u);
  EXPECT_FALSE(h.blocks().empty() || h.blocks()[0].has_value());
  EXPECT_GE(h.error_count(), 1);
  return h.diag_text();
}

}  // namespace pktc::testing

#endif  // PKTC_TESTS_UNIT_CODE_BLOCK_HARNESS_H_
