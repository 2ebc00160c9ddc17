// Unit tests for compiler/codegen/code_block_emitter.h: the C++ functions emitted for native
// code blocks.
#include "codegen/code_block_emitter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "code_block_harness.h"
#include "support/printer.h"

namespace pktc {
namespace {

using testing::CodeBlockHarness;

std::string EmitOf(std::string_view script) {
  CodeBlockHarness h(script);
  EXPECT_EQ(h.diag_text(), "");
  if (h.blocks().size() != 1 || !h.blocks()[0]) return "<no block>";
  Printer p;
  EmitCodeBlockFunction(p, h.blocks()[0]->block, "CodeBlock0");
  return p.str();
}

TEST(CodeBlockEmitter, EmitsAssertsThatFailThroughTheContext) {
  EXPECT_EQ(EmitOf("0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  // assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd\n"
            "  if (!(c.Get(\"tcpi_snd_cwnd\") == 10)) {\n"
            "    c.Assert(false, \"tcpi_snd_cwnd == 10\", "
            "std::to_string(c.Get(\"tcpi_snd_cwnd\")));\n"
            "  }\n"
            "}\n");
  EXPECT_EQ(EmitOf("0 %{\nassert 15000 <= tcpi_rtt <= 25000, 'rtt=%d us' % tcpi_rtt\n"
                   "assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0\n"
                   "assert tcpi_snd_mss == 1460 - 12, tcpi_snd_mss > 2 }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  // assert 15000 <= tcpi_rtt <= 25000, 'rtt=%d us' % tcpi_rtt\n"
            "  if (!(15000 <= c.Get(\"tcpi_rtt\") && c.Get(\"tcpi_rtt\") <= 25000)) {\n"
            "    c.Assert(false, \"15000 <= tcpi_rtt <= 25000\", \"rtt=\" + "
            "std::to_string(c.Get(\"tcpi_rtt\")) + \" us\");\n"
            "  }\n"
            "  // assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0\n"
            "  if (!((c.Get(\"tcpi_options\") & c.Get(\"TCPI_OPT_SYN_DATA\")) != 0)) {\n"
            "    c.Assert(false, \"(tcpi_options & TCPI_OPT_SYN_DATA) != 0\", \"\");\n"
            "  }\n"
            "  // assert tcpi_snd_mss == 1460 - 12, tcpi_snd_mss > 2\n"
            "  if (!(c.Get(\"tcpi_snd_mss\") == 1448)) {\n"
            "    c.Assert(false, \"tcpi_snd_mss == 1460 - 12\", "
            "(c.Get(\"tcpi_snd_mss\") > 2 ? \"True\" : \"False\"));\n"
            "  }\n"
            "}\n");
}

TEST(CodeBlockEmitter, EmitsPythonIntegerSemantics) {
  EXPECT_EQ(
      EmitOf("0 %{ x = tcpi_rtt // 1000 % 7; y = (x << 2) >> tcpi_rto; "
             "z = ~(tcpi_lost == 0) + -x }%"),
      "void CodeBlock0(rt::CodeContext& c) {\n"
      "  // x = tcpi_rtt // 1000 % 7\n"
      "  c.Set(\"x\", rt::py::Mod(rt::py::FloorDiv(c.Get(\"tcpi_rtt\"), 1000), 7));\n"
      "  // y = (x << 2) >> tcpi_rto\n"
      "  c.Set(\"y\", rt::py::RightShift(rt::py::LeftShift(c.Get(\"x\"), 2), "
      "c.Get(\"tcpi_rto\")));\n"
      "  // z = ~(tcpi_lost == 0) + -x\n"
      "  c.Set(\"z\", rt::py::Add(~static_cast<std::int64_t>(c.Get(\"tcpi_lost\") == 0), "
      "rt::py::Negate(c.Get(\"x\"))));\n"
      "}\n");
  // + - * and unary minus raise OverflowError past 64 bits, as the shifts do: in C++ the
  // overflow was undefined (UBSan: `tcpi_snd_cwnd * 9223372036854775807` in a sanitized test).
  EXPECT_EQ(EmitOf("0 %{ big = tcpi_snd_cwnd * 9223372036854775807 - tcpi_rtt }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  // big = tcpi_snd_cwnd * 9223372036854775807 - tcpi_rtt\n"
            "  c.Set(\"big\", rt::py::Subtract(rt::py::Multiply(c.Get(\"tcpi_snd_cwnd\"), "
            "9223372036854775807), c.Get(\"tcpi_rtt\")));\n"
            "}\n");
  // Conditions: ints are true when non-zero; `not` of an int is `== 0`; and/or short-circuit.
  EXPECT_EQ(
      EmitOf("0 %{ assert tcpi_lost and not tcpi_sacked or tcpi_retrans & 3 | 4 }%"),
      "void CodeBlock0(rt::CodeContext& c) {\n"
      "  // assert tcpi_lost and not tcpi_sacked or tcpi_retrans & 3 | 4\n"
      "  if (!((c.Get(\"tcpi_lost\") != 0 && c.Get(\"tcpi_sacked\") == 0) || "
      "((c.Get(\"tcpi_retrans\") & 3) | 4) != 0)) {\n"
      "    c.Assert(false, \"tcpi_lost and not tcpi_sacked or tcpi_retrans & 3 | 4\", \"\");\n"
      "  }\n"
      "}\n");
}

TEST(CodeBlockEmitter, EmitsPrintAndAssignments) {
  EXPECT_EQ(EmitOf("0 %{ cwnd = 58; cwnd += 1; print(tcpi_snd_cwnd, cwnd > 2, 'x=%s' % 'y') }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  // cwnd = 58\n"
            "  c.Set(\"cwnd\", 58);\n"
            "  // cwnd += 1\n"
            "  c.Set(\"cwnd\", rt::py::Add(c.Get(\"cwnd\"), 1));\n"
            "  // print(tcpi_snd_cwnd, cwnd > 2, 'x=%s' % 'y')\n"
            "  c.Print(std::to_string(c.Get(\"tcpi_snd_cwnd\")) + \" \" + (c.Get(\"cwnd\") > 2 ? "
            "\"True\" : \"False\") + \" x=y\");\n"
            "}\n");
  // Two C strings in a row must not be added as pointers.
  EXPECT_EQ(EmitOf("0 %{ print(True, 'x') }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  // print(True, 'x')\n"
            "  c.Print(std::string((true ? \"True\" : \"False\")) + \" x\");\n"
            "}\n");
  EXPECT_EQ(EmitOf("0 %{ pass }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  static_cast<void>(c);  // Nothing in this block reads or checks.\n"
            "  // pass\n"
            "}\n");
  // A NUL in a string would end a C string.
  EXPECT_EQ(EmitOf("0 %{ print('a\\0b') }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  // print('a\\0b')\n"
            "  c.Print(std::string(\"a\\000b\", 3));\n"
            "}\n");
  // Script text reaches the C++ only through string literals and comments.
  EXPECT_EQ(EmitOf("0 %{ assert tcpi_rtt, '\"*/ \\\\' }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  // assert tcpi_rtt, '\"*/ \\\\'\n"
            "  if (!(c.Get(\"tcpi_rtt\") != 0)) {\n"
            "    c.Assert(false, \"tcpi_rtt\", \"\\\"*/ \\\\\");\n"
            "  }\n"
            "}\n");
}

TEST(CodeBlockEmitter, SaysWhenTheContextIsUnused) {
  // A lone string, even a format of a variable, does nothing.
  EXPECT_EQ(EmitOf("0 %{ '%d' % tcpi_rtt }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  static_cast<void>(c);  // Nothing in this block reads or checks.\n"
            "  // '%d' % tcpi_rtt\n"
            "}\n");
  EXPECT_EQ(EmitOf("0 %{ 1 + 2; True and tcpi_rtt }%"),
            "void CodeBlock0(rt::CodeContext& c) {\n"
            "  // 1 + 2\n"
            "  static_cast<void>(3);\n"
            "  // True and tcpi_rtt\n"
            "  static_cast<void>(true && c.Get(\"tcpi_rtt\") != 0);\n"
            "}\n");
}

// Every code block of the kernel's packetdrill selftests compiles to native code, silently.
TEST(CodeBlockEmitter, CompilesEveryKernelCorpusBlockNatively) {
  std::filesystem::path corpus =
      std::filesystem::path(__FILE__).parent_path() / "../../../shared/corpus/kselftest";
  if (!std::filesystem::is_directory(corpus)) GTEST_SKIP() << "no corpus at " << corpus;
  int scripts = 0, blocks = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (entry.path().extension() != ".pkt") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    CodeBlockHarness h(text.str(), entry.path().filename().string());
    EXPECT_EQ(h.diag_text(), "") << entry.path();
    scripts += !h.blocks().empty();
    for (const std::optional<CodeBlock>& block : h.blocks()) {
      ++blocks;
      ASSERT_TRUE(block.has_value()) << entry.path();
      EXPECT_FALSE(block->needs_python) << entry.path();
      Printer p;
      EmitCodeBlockFunction(p, block->block, "F");
      EXPECT_NE(p.str().find("void F(rt::CodeContext& c) {"), std::string::npos);
    }
  }
  EXPECT_GE(scripts, 57);
  EXPECT_GE(blocks, 135);
}

}  // namespace
}  // namespace pktc
