// Unit tests for compiler/sema/code_block_check.h: the names of code blocks checked against the
// script, the namespace the blocks share, and the fallback to python3.
#include "sema/code_block_check.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "code_block_harness.h"

namespace pktc {
namespace {

using testing::CodeBlockHarness;
using testing::ErrorOf;

TEST(CodeBlockCheck, NamesAssignedEarlierAreKnownLater) {
  CodeBlockHarness h("0 %{ base = tcpi_snd_cwnd }%\n+1 %{ assert tcpi_snd_cwnd == base + 2 }%\n");
  EXPECT_EQ(h.diag_text(), "");
  ASSERT_EQ(h.blocks().size(), 2u);
  EXPECT_FALSE(h.block(1).needs_python);
  EXPECT_EQ(h.scope().assigned, std::set<std::string>{"base"});
}

TEST(CodeBlockCheck, ReportsUnknownNamesWithASuggestion) {
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

// The parser stops at the float, after `zz`: the unknown name is what Python would report
// first, so it is an error, not a fallback to python3. The other way round it is the fallback.
TEST(CodeBlockCheck, ReportsANameBeforeTheParsersStop) {
  EXPECT_EQ(ErrorOf("0 %{ assert zz == 1.5 }%\n"),
            "input:1:13: error: unknown name 'zz' in code block\n"
            "0 %{ assert zz == 1.5 }%\n"
            "            ^~\n");
  CodeBlockHarness h("0 %{ assert 1.5 == zz }%\n");
  EXPECT_EQ(h.error_count(), 0) << h.diag_text();
  EXPECT_TRUE(h.block(0).needs_python);
  // A tcp_info field that may exceed 64 bits sends the block to python3 where it is read.
  CodeBlockHarness wide("0 %{ x = tcpi_max_pacing_rate + zz }%\n");
  EXPECT_EQ(wide.diag_text(),
            "input:1:10: warning: code block uses 'tcpi_max_pacing_rate', which can exceed the "
            "64-bit integers of native code, which pktc does not compile; the script's code "
            "blocks will run with python3\n"
            "0 %{ x = tcpi_max_pacing_rate + zz }%\n"
            "         ^~~~~~~~~~~~~~~~~~~~\n");
}

TEST(CodeBlockCheck, StopsCheckingNamesAfterABlockNeedsPython) {
  // What the loop defines is unknown: python3 will report an undefined name itself.
  CodeBlockHarness h("0 %{ for i in range(3): pass }%\n+1 %{ assert i == 2 }%\n");
  EXPECT_EQ(h.error_count(), 0) << h.diag_text();
  ASSERT_EQ(h.blocks().size(), 2u);
  EXPECT_TRUE(h.block(0).needs_python);
  EXPECT_FALSE(h.block(1).needs_python);
}

TEST(CodeBlockCheck, BodyStartSkipsTheMarkerAndBlanks) {
  const char text[] = "%{ \t assert x }%";
  SourceLoc start = CodeBlockBodyStart(
      {SourceLoc::getFromPointer(text), SourceLoc::getFromPointer(text + sizeof text - 1)});
  EXPECT_EQ(start.getPointer(), text + 5);
}

}  // namespace
}  // namespace pktc
