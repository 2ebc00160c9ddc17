// Unit tests for compiler/frontend/python_parser.h: the Python subset of code blocks (parsing,
// types, syntax errors, what is left to python3), through sema's checks as the compiler runs it.
#include "frontend/python_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "code_block_harness.h"

namespace pktc {
namespace {

using testing::CodeBlockHarness;
using testing::DumpOf;
using testing::ErrorOf;
using testing::NeedsPython;

// The names of a parse, `name` for a read and `name=` for an assignment, in order.
std::string NamesOf(const py::ParseResult& result) {
  std::string out;
  for (const py::NameUse& use : result.names) {
    out += (out.empty() ? "" : " ") + use.name + (use.assigns ? "=" : "");
  }
  return out;
}

TEST(PythonParser, ListsNamesInTheOrderPythonMeetsThem) {
  py::ParseResult r = py::Parse("x = y + 1; z += x\nassert tcpi_rtt, x", SourceLoc());
  EXPECT_FALSE(r.stop.has_value());
  EXPECT_EQ(NamesOf(r), "y x= z x tcpi_rtt x");
  EXPECT_EQ(py::Dump(r.block), "(= x (+ y 1))\n(+= z x)\n(assert tcpi_rtt x)\n");
  // Python's own names never reach the list: they take the block out of the subset.
  r = py::Parse("x = abs + y", SourceLoc());
  ASSERT_TRUE(r.stop.has_value());
  EXPECT_EQ(r.stop->message, "Python's 'abs'");
  EXPECT_EQ(NamesOf(r), "");
}

// The parser reports nothing: it stops at the first problem and says what it was, and keeps
// the names before it, which sema checks first.
TEST(PythonParser, StopsAtTheFirstProblemAndSaysWhy) {
  const char text[] = "a = 1\nassert zz == 1.5 $";
  py::ParseResult r = py::Parse(text, SourceLoc::getFromPointer(text));
  ASSERT_TRUE(r.stop.has_value());
  EXPECT_EQ(r.stop->kind, py::Stop::Kind::kBeyondSubset);
  EXPECT_EQ(r.stop->message, "floating-point and complex numbers");
  EXPECT_EQ(r.stop->range.Start.getPointer(), text + 19);
  EXPECT_EQ(NamesOf(r), "a= zz");
  EXPECT_EQ(py::Dump(r.block), "(= a 1)\n");

  r = py::Parse("a = 1\nb = 010", SourceLoc());
  ASSERT_TRUE(r.stop.has_value());
  EXPECT_EQ(r.stop->kind, py::Stop::Kind::kSyntaxError);
  EXPECT_EQ(r.stop->message,
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for "
            "octal integers");
  EXPECT_EQ(NamesOf(r), "");  // A lexical error comes before any statement.
  EXPECT_EQ(py::Dump(r.block), "");
}

TEST(PythonParser, SplitsFormatsForTheEmitter) {
  py::ParseResult r = py::Parse("print('a=%d%% %s' % (1, 'x'))", SourceLoc());
  ASSERT_FALSE(r.stop.has_value());
  const py::Expr& format = r.block.statements.at(0).exprs.at(0);
  ASSERT_EQ(format.kind, py::Expr::Kind::kFormat);
  std::vector<std::string> parts;
  for (const py::FormatPart& part : format.format) {
    parts.push_back(part.conversion ? std::string("%") + part.conversion : part.text);
  }
  EXPECT_EQ(parts, (std::vector<std::string>{"a=", "%d", "% ", "%s"}));
}

TEST(PythonParser, ParsesTheShapesOfTheKernelCorpus) {
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

TEST(PythonParser, ParsesPythonPrecedence) {
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

TEST(PythonParser, ReportsPythonSyntaxErrors) {
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

TEST(PythonParser, LeavesPythonBeyondTheSubsetToPython3) {
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

}  // namespace
}  // namespace pktc
