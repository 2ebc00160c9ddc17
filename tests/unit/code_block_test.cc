// Unit tests for compiler/sema/code_block.h: the Python subset of code blocks (parsing, types,
// diagnostics, the fallback to python3) and the C++ functions emitted for native blocks.
#include "sema/code_block.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/diagnostics.h"
#include "frontend/lexer.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "frontend/token.h"

namespace pktc {
namespace {

// Collects diagnostics as text (as the terminal would show them, without colours).
void CollectDiagnostic(const llvm::SMDiagnostic& diag, void* context) {
  llvm::raw_string_ostream os(*static_cast<std::string*>(context));
  diag.print(nullptr, os, /*ShowColors=*/false);
}

// Finds the code blocks of a script (given as a string under the file name `input`) with the
// script lexer, as the parser does, and parses them in order with one scope.
class CodeBlockHarness {
 public:
  explicit CodeBlockHarness(std::string_view script, std::string name = "input")
      : diags_(sources_) {
    unsigned buffer = sources_.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(script, name), llvm::SMLoc());
    sources_.setDiagHandler(CollectDiagnostic, &diag_text_);
    Lexer lexer(sources_, buffer, diags_);
    for (Token t = lexer.Next(); !t.Is(TokenKind::kEof); t = lexer.Next()) {
      if (!t.Is(TokenKind::kCode)) continue;
      blocks_.push_back(ParseCodeBlock(t.text, CodeBlockBodyStart(t.range), diags_, scope_));
    }
  }

  const std::vector<std::optional<CodeBlock>>& blocks() const { return blocks_; }
  const CodeBlock& block(std::size_t i) const {
    EXPECT_LT(i, blocks_.size());
    EXPECT_TRUE(blocks_[i].has_value()) << diag_text_;
    return *blocks_[i];
  }
  const std::string& diag_text() const { return diag_text_; }
  const CodeBlockScope& scope() const { return scope_; }
  int error_count() const { return diags_.error_count(); }
  int warning_count() const { return diags_.warning_count(); }

 private:
  llvm::SourceMgr sources_;
  std::string diag_text_;
  DiagnosticEngine diags_;
  CodeBlockScope scope_;
  std::vector<std::optional<CodeBlock>> blocks_;
};

// The dump of a script's only block, which must parse natively without diagnostics.
std::string DumpOf(std::string_view script) {
  CodeBlockHarness h(script);
  EXPECT_EQ(h.diag_text(), "");
  EXPECT_EQ(h.blocks().size(), 1u);
  if (h.blocks().size() != 1 || !h.blocks()[0]) return "<no block>";
  EXPECT_FALSE(h.blocks()[0]->needs_python);
  return DumpCodeBlock(*h.blocks()[0]);
}

std::string EmitOf(std::string_view script) {
  CodeBlockHarness h(script);
  EXPECT_EQ(h.diag_text(), "");
  if (h.blocks().size() != 1 || !h.blocks()[0]) return "<no block>";
  return EmitCodeBlockFunction(*h.blocks()[0], "CodeBlock0");
}

// True if the script's only block is valid Python outside the subset: a warning, no error.
bool NeedsPython(std::string_view script) {
  CodeBlockHarness h(script);
  EXPECT_EQ(h.error_count(), 0) << h.diag_text();
  EXPECT_EQ(h.warning_count(), 1) << h.diag_text();
  return h.blocks().size() == 1 && h.blocks()[0] && h.blocks()[0]->needs_python && h.scope().python;
}

// The error text for a script whose only block is rejected.
std::string ErrorOf(std::string_view script) {
  CodeBlockHarness h(script);
  EXPECT_EQ(h.blocks().size(), 1u);
  EXPECT_FALSE(h.blocks().empty() || h.blocks()[0].has_value());
  EXPECT_GE(h.error_count(), 1);
  return h.diag_text();
}

TEST(CodeBlock, ParsesTheShapesOfTheKernelCorpus) {
  // Each shape as it appears in /work/shared/corpus/kselftest/ (and google/packetdrill).
  EXPECT_EQ(DumpOf("+0 %{ assert tcpi_delivered_ce == 1, tcpi_delivered_ce }%"),
            "(assert (== tcpi_delivered_ce 1) tcpi_delivered_ce)\n");
  EXPECT_EQ(DumpOf("+0 %{\nassert tcpi_ca_state == TCP_CA_Recovery, tcpi_ca_state\n"
                   "assert tcpi_snd_cwnd == 7, tcpi_snd_cwnd\n}%"),
            "(assert (== tcpi_ca_state TCP_CA_Recovery) tcpi_ca_state)\n"
            "(assert (== tcpi_snd_cwnd 7) tcpi_snd_cwnd)\n");
  EXPECT_EQ(DumpOf("+0 %{ assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0, tcpi_options }%"),
            "(assert (!= (& tcpi_options TCPI_OPT_SYN_DATA) 0) tcpi_options)\n");
  EXPECT_EQ(DumpOf("+0 %{ assert tcpi_snd_cwnd == 12, 'cwnd=%d' % tcpi_snd_cwnd }%"),
            "(assert (== tcpi_snd_cwnd 12) (% 'cwnd=%d' tcpi_snd_cwnd))\n");
  EXPECT_EQ(DumpOf("+0 %{ assert 990 <= tcpi_last_data_recv <= 1010, tcpi_last_data_recv }%"),
            "(assert (chain 990 <= tcpi_last_data_recv <= 1010) tcpi_last_data_recv)\n");
  EXPECT_EQ(DumpOf("+0 %{ assert SK_MEMINFO_RCVBUF > 131072, SK_MEMINFO_RCVBUF }%"),
            "(assert (> SK_MEMINFO_RCVBUF 131072) SK_MEMINFO_RCVBUF)\n");
  // A trailing ';', a message without a space, and a comment after a statement.
  EXPECT_EQ(DumpOf("+0 %{ assert tcpi_bytes_received == 20000, tcpi_bytes_received; }%"),
            "(assert (== tcpi_bytes_received 20000) tcpi_bytes_received)\n");
  EXPECT_EQ(DumpOf("+0 %{\nassert tcpi_lost == 5,tcpi_lost  # SACK thinks 1:3001 are lost\n}%"),
            "(assert (== tcpi_lost 5) tcpi_lost)\n");
  // tcp_syncookies_ip4_9k.pkt: backslash-continued lines, indented, and literal arithmetic.
  EXPECT_EQ(DumpOf("+0 %{ assert tcpi_snd_mss == 1460 - 12, tcpi_snd_mss; \\\n"
                   "         assert tcpi_snd_wscale == 10, tcpi_snd_wscale; \\\n"
                   "\t assert (tcpi_options & TCPI_OPT_ECN) == 0, tcpi_options\n}%"),
            "(assert (== tcpi_snd_mss (- 1460 12)=1448) tcpi_snd_mss)\n"
            "(assert (== tcpi_snd_wscale 10) tcpi_snd_wscale)\n"
            "(assert (== (& tcpi_options TCPI_OPT_ECN) 0) tcpi_options)\n");
  // tcp-info-rwnd-limited.pkt: the block ends with ';' and a backslash-newline.
  EXPECT_EQ(DumpOf("+0 %{ assert 298000 <= tcpi_rwnd_limited <= 310000, tcpi_rwnd_limited;\\\n"
                   "         assert 328000 <= tcpi_busy_time <= 340000, tcpi_busy_time;\\\n}%"),
            "(assert (chain 298000 <= tcpi_rwnd_limited <= 310000) tcpi_rwnd_limited)\n"
            "(assert (chain 328000 <= tcpi_busy_time <= 340000) tcpi_busy_time)\n");
  // google/packetdrill cubic tests: print(), variables, augmented assignment, tuples in '%'.
  EXPECT_EQ(DumpOf("+0 %{ print(tcpi_snd_cwnd); cwnd = 58; cwnd += 1; "
                   "assert tcpi_snd_cwnd == cwnd, tcpi_snd_cwnd }%"),
            "(print tcpi_snd_cwnd)\n(= cwnd 58)\n(+= cwnd 1)\n"
            "(assert (== tcpi_snd_cwnd cwnd) tcpi_snd_cwnd)\n");
  EXPECT_EQ(DumpOf("+0 %{ TCP_INFINITE_SSTHRESH = 0x7fffffff }%"),
            "(= TCP_INFINITE_SSTHRESH 2147483647)\n");
  EXPECT_EQ(DumpOf("+0 %{ assert tcpi_ca_state == TCP_CA_Recovery, 'ca_state: %d min_rtt: %d' % "
                   "(tcpi_ca_state, tcpi_min_rtt) }%"),
            "(assert (== tcpi_ca_state TCP_CA_Recovery) "
            "(% 'ca_state: %d min_rtt: %d' tcpi_ca_state tcpi_min_rtt))\n");
  EXPECT_EQ(DumpOf("+0 %{ assert tcpi_reord_seen == 2 }%"), "(assert (== tcpi_reord_seen 2))\n");
  // cwnd-moderation-ecn-enter-cwr: comment lines between statements.
  EXPECT_EQ(DumpOf("+0 %{\nassert tcpi_ca_state == TCP_CA_CWR, tcpi_ca_state\n\n"
                   "# Since \"tcp: use PRR to reduce cwin in CWR state\" in Linux 3.7,\n"
                   "# so cwnd = 3 + 1 = 4.\nassert tcpi_snd_cwnd == 4, tcpi_snd_cwnd\n}%"),
            "(assert (== tcpi_ca_state TCP_CA_CWR) tcpi_ca_state)\n"
            "(assert (== tcpi_snd_cwnd 4) tcpi_snd_cwnd)\n");
}

TEST(CodeBlock, ParsesPythonPrecedence) {
  EXPECT_EQ(DumpOf("0 %{ assert not tcpi_lost or tcpi_sacked and tcpi_retrans }%"),
            "(assert (or (not tcpi_lost) (and tcpi_sacked tcpi_retrans)))\n");
  EXPECT_EQ(DumpOf("0 %{ x = tcpi_rtt | tcpi_rto ^ tcpi_ato & tcpi_pmtu << 2 + tcpi_lost * -3 }%"),
            "(= x (| tcpi_rtt (^ tcpi_rto (& tcpi_ato (<< tcpi_pmtu (+ 2 (* tcpi_lost (- "
            "3)=-3)))))))\n");
  EXPECT_EQ(DumpOf("0 %{ x = 7 // 2 % 3; y = -7 // 2; z = -7 % 3; w = ~True }%"),
            "(= x (% (// 7 2)=3 3)=0)\n(= y (// (- 7)=-7 2)=-4)\n(= z (% (- 7)=-7 3)=2)\n"
            "(= w (~ True)=-2)\n");
  EXPECT_EQ(DumpOf("0 %{ pass; tcpi_rtt; 'a doc string' \"joined\" }%"),
            "(pass)\n(expr tcpi_rtt)\n(expr 'a doc stringjoined')\n");
  EXPECT_EQ(DumpOf("0 %{ print(); print('a\\tb\\x41\\101\\u00e9', r'\\n', True) }%"),
            "(print)\n(print 'a\\x09bAA\xc3\xa9' '\\\\n' True)\n");
}

TEST(CodeBlock, EmitsAssertsThatFailThroughTheContext) {
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

TEST(CodeBlock, EmitsPythonIntegerSemantics) {
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

TEST(CodeBlock, EmitsPrintAndAssignments) {
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

TEST(CodeBlock, NamesAssignedEarlierAreKnownLater) {
  CodeBlockHarness h("0 %{ base = tcpi_snd_cwnd }%\n+1 %{ assert tcpi_snd_cwnd == base + 2 }%\n");
  EXPECT_EQ(h.diag_text(), "");
  ASSERT_EQ(h.blocks().size(), 2u);
  EXPECT_FALSE(h.block(1).needs_python);
  EXPECT_EQ(h.scope().assigned, std::set<std::string>{"base"});
}

TEST(CodeBlock, ReportsUnknownNamesWithASuggestion) {
  EXPECT_EQ(ErrorOf("0 %{ assert tcpi_snd_cwn == 10 }%\n"),
            "input:1:13: error: unknown name 'tcpi_snd_cwn' in code block\n"
            "0 %{ assert tcpi_snd_cwn == 10 }%\n"
            "            ^~~~~~~~~~~~\n"
            "input:1:13: note: did you mean 'tcpi_snd_cwnd'?\n"
            "0 %{ assert tcpi_snd_cwn == 10 }%\n"
            "            ^\n");
  // Used before the statement that assigns it: Python raises NameError.
  EXPECT_EQ(ErrorOf("0 %{\nx = y; y = 1\n}%\n"),
            "input:2:5: error: unknown name 'y' in code block\n"
            "x = y; y = 1\n"
            "    ^\n");
  EXPECT_EQ(ErrorOf("0 %{ x = tcpi_fastopen_client_fail }%\n"),
            "input:1:10: error: 'tcpi_fastopen_client_fail' is a field of struct tcp_info that "
            "packetdrill does not define in code blocks\n"
            "0 %{ x = tcpi_fastopen_client_fail }%\n"
            "         ^~~~~~~~~~~~~~~~~~~~~~~~~\n");
}

TEST(CodeBlock, ReportsPythonSyntaxErrors) {
  EXPECT_EQ(ErrorOf("0 %{ assert tcpi_rtt == }%\n"),
            "input:1:24: error: invalid syntax: expected an expression, got end of code block\n"
            "0 %{ assert tcpi_rtt == }%\n"
            "                       ^\n");
  EXPECT_EQ(ErrorOf("0 %{\nassert tcpi_rtt\n  assert tcpi_rto\n}%\n"),
            "input:3:1: error: unexpected indent: Python would reject this code block (its lines "
            "must start in the same column as the first one)\n"
            "  assert tcpi_rto\n"
            "^~\n");
  EXPECT_NE(ErrorOf("0 %{ print tcpi_rtt }%").find("missing parentheses in call to 'print'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("0 %{ x = 010 }%").find("leading zeros in decimal integer literals"),
            std::string::npos);
  EXPECT_NE(ErrorOf("0 %{ print('abc) }%").find("unterminated string literal"), std::string::npos);
  EXPECT_NE(ErrorOf("0 %{ assert (tcpi_rtt == 1 }%").find("'(' was never closed"),
            std::string::npos);
  EXPECT_NE(ErrorOf("0 %{ x = $ }%").find("invalid character '$' in code block"),
            std::string::npos);
  EXPECT_NE(ErrorOf("0 %{ x = 1 \\ 2 }%").find("unexpected character after line continuation"),
            std::string::npos);
  EXPECT_NE(ErrorOf("0 %{ assert tcpi_rtt tcpi_rto }%").find("expected end of statement"),
            std::string::npos);
}

TEST(CodeBlock, LeavesPythonBeyondTheSubsetToPython3) {
  CodeBlockHarness h("0 %{ for i in range(3): print(i) }%\n");
  EXPECT_EQ(h.diag_text(),
            "input:1:6: warning: code block uses 'for' statements, which pktc does not compile; "
            "the script's code blocks will run with python3\n"
            "0 %{ for i in range(3): print(i) }%\n"
            "     ^~~\n");
  EXPECT_TRUE(h.block(0).needs_python);

  for (const char* script : {
           "0 %{ assert tcpi_rtt / 1000 < 20 }%",
           "0 %{ assert tcpi_rtt < 2.5e4 }%",
           "0 %{ assert tcpi_rtt ** 2 > 0 }%",
           "0 %{ assert len([tcpi_rtt]) == 1 }%",
           "0 %{ x = abs(tcpi_rtt) }%",
           "0 %{ x = [1, 2] }%",
           "0 %{ x = tcpi_rtt if tcpi_rto else 0 }%",
           "0 %{ assert tcpi_state in (1, 2) }%",
           "0 %{ assert tcpi_state not in (1, 2) }%",
           "0 %{ assert tcpi_state is not None }%",
           "0 %{ f = lambda: 1 }%",
           "0 %{ import os }%",
           "0 %{ print(f'{tcpi_rtt}') }%",
           "0 %{ print('''x''') }%",
           "0 %{ print(tcpi_rtt, end='') }%",
           "0 %{ assert tcpi_rtt, 'rtt=%5d' % tcpi_rtt }%",
           "0 %{ assert tcpi_rtt, 'rtt=%d %d' % tcpi_rtt }%",
           "0 %{ assert tcpi_rtt, tcpi_rtt or tcpi_rto }%",
           "0 %{ print(_line) }%",
           "0 %{ ok = tcpi_rtt > 0 }%",
           "0 %{ a = b = 1 }%",
           "0 %{ a, b = 1, 2 }%",
           "0 %{ x = 1 << 70 }%",
           "0 %{ x = 99999999999999999999 }%",
           "0 %{ x = 1 // 0 }%",
           "0 %{ assert 'a' < 'b' }%",
           "0 %{ x = tcpi_max_pacing_rate }%",
           "0 %{ x = sys.maxsize }%",
           "0 %{ tcpi_rtt /= 2 }%",
       }) {
    EXPECT_TRUE(NeedsPython(script)) << script;
  }
}

TEST(CodeBlock, StopsCheckingNamesAfterABlockNeedsPython) {
  // What the loop defines is unknown: python3 will report an undefined name itself.
  CodeBlockHarness h("0 %{ for i in range(3): pass }%\n+1 %{ assert i == 2 }%\n");
  EXPECT_EQ(h.error_count(), 0) << h.diag_text();
  ASSERT_EQ(h.blocks().size(), 2u);
  EXPECT_TRUE(h.block(0).needs_python);
  EXPECT_FALSE(h.block(1).needs_python);
}

TEST(CodeBlock, BodyStartSkipsTheMarkerAndBlanks) {
  const char text[] = "%{ \t assert x }%";
  SourceLoc start = CodeBlockBodyStart(
      {SourceLoc::getFromPointer(text), SourceLoc::getFromPointer(text + sizeof text - 1)});
  EXPECT_EQ(start.getPointer(), text + 5);
}

// Every code block of the kernel's packetdrill selftests compiles to native code, silently.
TEST(CodeBlock, CompilesEveryKernelCorpusBlockNatively) {
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
      EXPECT_NE(EmitCodeBlockFunction(*block, "F").find("void F(rt::CodeContext& c) {"),
                std::string::npos);
    }
  }
  EXPECT_GE(scripts, 57);
  EXPECT_GE(blocks, 135);
}

}  // namespace
}  // namespace pktc
