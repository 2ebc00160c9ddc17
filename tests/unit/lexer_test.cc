// Unit tests for compiler/frontend/lexer.h: flex-compatible longest match and rule order, keywords,
// addresses, strings, backquotes, code blocks, comments and `-D` define substitution.
#include "frontend/lexer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/diagnostics.h"
#include "source_harness.h"
#include "frontend/token.h"

namespace pktc {
namespace {

// Lexes a script given as a string.
class LexerHarness : public SourceHarness {
 public:
  using SourceHarness::SourceHarness;

  /// Every token up to end of file.
  std::vector<Token> All() {
    std::vector<Token> tokens;
    for (int i = 0; i < 1000; ++i) {
      Token t = lexer().Next();
      if (t.Is(TokenKind::kEof)) break;
      tokens.push_back(std::move(t));
    }
    return tokens;
  }
};

std::string_view ShortKind(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEof:
      return "eof";
    case TokenKind::kInteger:
      return "int";
    case TokenKind::kHexInteger:
      return "hex";
    case TokenKind::kFloat:
      return "float";
    case TokenKind::kWord:
      return "word";
    case TokenKind::kKeyword:
      return "kw";
    case TokenKind::kIpv4Addr:
      return "ipv4";
    case TokenKind::kIpv6Addr:
      return "ipv6";
    case TokenKind::kOption:
      return "opt";
    case TokenKind::kString:
      return "str";
    case TokenKind::kBackQuoted:
      return "bq";
    case TokenKind::kCode:
      return "code";
    case TokenKind::kEllipsis:
      return "ellipsis";
    case TokenKind::kPunct:
      return "punct";
    case TokenKind::kError:
      return "error";
  }
  return "?";
}

// "int(123) punct(:) word(abc)": the kind and text of every token, for compact expectations.
std::string Dump(const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& t : tokens) {
    if (!out.empty()) out += ' ';
    out += std::string(ShortKind(t.kind)) + "(" + t.text + ")";
  }
  return out;
}

std::string Lex(std::string_view text) {
  LexerHarness h(text);
  std::string out = Dump(h.All());
  EXPECT_EQ(h.diag_text(), "") << "while lexing: " << text;
  return out;
}

// Lexes `text` with one command-line define.
std::vector<Token> LexWithDefine(std::string_view text, const std::string& name,
                                 const std::string& value) {
  LexerHarness h(text);
  h.lexer().DefineFromCommandLine(name, value);
  std::vector<Token> tokens = h.All();
  EXPECT_EQ(h.diag_text(), "");
  return tokens;
}

TEST(Lexer, ReadsRelativeTime) {
  EXPECT_EQ(Lex("+0.1"), "punct(+) float(0.1)");
  EXPECT_EQ(Lex("+.1"), "punct(+) float(.1)");
  EXPECT_EQ(Lex("+0"), "punct(+) int(0)");
}

TEST(Lexer, ReadsTimeRangeAndAnyTime) {
  EXPECT_EQ(Lex("+.2~+.21"), "punct(+) float(.2) punct(~) punct(+) float(.21)");
  EXPECT_EQ(Lex("0.1~0.2"), "float(0.1) punct(~) float(0.2)");
  EXPECT_EQ(Lex("*"), "punct(*)");
}

TEST(Lexer, LongerWordBeatsInteger) {
  EXPECT_EQ(Lex("123abc"), "word(123abc)");
  EXPECT_EQ(Lex("123 abc"), "int(123) word(abc)");
}

TEST(Lexer, HexTiesWithWordAndWinsByRuleOrder) {
  EXPECT_EQ(Lex("0x1f"), "hex(0x1f)");
  EXPECT_EQ(Lex("0xABC"), "hex(0xABC)");
  EXPECT_EQ(Lex("0x1fg"), "word(0x1fg)");
  // Only a lower-case x makes hex.
  EXPECT_EQ(Lex("0X10"), "word(0X10)");
  EXPECT_EQ(Lex("0x"), "word(0x)");
}

TEST(Lexer, ReadsIntegers) {
  EXPECT_EQ(Lex("42"), "int(42)");
  EXPECT_EQ(Lex("-1"), "int(-1)");
  // A literal 010 stays decimal text; only -D values are read as octal.
  EXPECT_EQ(Lex("010"), "int(010)");
}

TEST(Lexer, SequenceRangeIsNotIpv6) {
  EXPECT_EQ(Lex("1:1001(1000)"), "int(1) punct(:) int(1001) punct(() int(1000) punct())");
  EXPECT_EQ(Lex("0:0(0)"), "int(0) punct(:) int(0) punct(() int(0) punct())");
  EXPECT_EQ(Lex("sack 1:1001 2001:3001"),
            "kw(sack) int(1) punct(:) int(1001) int(2001) punct(:) int(3001)");
}

TEST(Lexer, ReadsIpv6Addresses) {
  EXPECT_EQ(Lex("fd3d::1"), "ipv6(fd3d::1)");
  // `fd` alone is a keyword, but the longer address wins.
  EXPECT_EQ(Lex("fd::1"), "ipv6(fd::1)");
  EXPECT_EQ(Lex("::1"), "ipv6(::1)");
  EXPECT_EQ(Lex("1:2:3:4:5:6:7:8"), "ipv6(1:2:3:4:5:6:7:8)");
  EXPECT_EQ(Lex("::ffff:192.0.2.1"), "ipv6(::ffff:192.0.2.1)");
  EXPECT_EQ(Lex("fd3d:fa7b:d17d::1 > x"), "ipv6(fd3d:fa7b:d17d::1) punct(>) word(x)");
}

TEST(Lexer, ReadsIpv4Addresses) {
  EXPECT_EQ(Lex("1.2.3.4"), "ipv4(1.2.3.4)");
  EXPECT_EQ(Lex("192.0.2.1"), "ipv4(192.0.2.1)");
  // Three parts are not an address: the longest rule is FLOAT, then another FLOAT.
  EXPECT_EQ(Lex("1.2.3"), "float(1.2) float(.3)");
}

TEST(Lexer, ReadsFloats) {
  EXPECT_EQ(Lex(".5"), "float(.5)");
  EXPECT_EQ(Lex("0.250"), "float(0.250)");
  EXPECT_EQ(Lex("-1.5"), "float(-1.5)");
  EXPECT_EQ(Lex("1."), "int(1) punct(.)");
}

TEST(Lexer, ReadsEllipsis) {
  EXPECT_EQ(Lex("..."), "ellipsis(...)");
  EXPECT_EQ(Lex("<...>"), "punct(<) ellipsis(...) punct(>)");
  EXPECT_EQ(Lex("0.000...0.200"), "float(0.000) ellipsis(...) float(0.200)");
  EXPECT_EQ(Lex("\"abc\"..."), "str(abc) ellipsis(...)");
}

TEST(Lexer, SequenceHashIsOneKeyword) {
  EXPECT_EQ(Lex("sequence#"), "kw(sequence#)");
  EXPECT_EQ(Lex("sequence"), "word(sequence)");
  EXPECT_EQ(Lex("sequence #"), "word(sequence) punct(#)");
}

TEST(Lexer, KeywordsShadowOnlyExactWords) {
  EXPECT_EQ(Lex("ack"), "kw(ack)");
  EXPECT_EQ(Lex("acknowledge"), "word(acknowledge)");
  EXPECT_EQ(Lex("TS ts"), "kw(TS) word(ts)");
  EXPECT_EQ(Lex("flags Flags FLAGS"), "kw(flags) kw(Flags) word(FLAGS)");
  EXPECT_EQ(Lex("e0b id ids"), "kw(e0b) kw(id) word(ids)");
  EXPECT_EQ(Lex("sackOK sackok"), "kw(sackOK) word(sackok)");
}

TEST(Lexer, ReadsPacketLine) {
  EXPECT_EQ(Lex("+0 > S. 0:0(0) ack 1 <mss 1460,nop>"),
            "punct(+) int(0) punct(>) word(S) punct(.) int(0) punct(:) int(0) punct(() int(0) "
            "punct()) kw(ack) int(1) punct(<) kw(mss) int(1460) punct(,) kw(nop) punct(>)");
  // AccECN flags: S.5 is S followed by the float .5.
  EXPECT_EQ(Lex("S.5"), "word(S) float(.5)");
}

TEST(Lexer, ReadsOptions) {
  EXPECT_EQ(Lex("--tolerance_usecs=10000"), "opt(tolerance_usecs) punct(=) int(10000)");
  EXPECT_EQ(Lex("--dry_run"), "opt(dry_run)");
  EXPECT_EQ(Lex("--ip_version=ipv4"), "opt(ip_version) punct(=) kw(ipv4)");
}

TEST(Lexer, ReadsStringsWithEscapesUninterpreted) {
  EXPECT_EQ(Lex("\"abc\""), "str(abc)");
  EXPECT_EQ(Lex(R"("a\"b")"), R"(str(a\"b))");
  EXPECT_EQ(Lex(R"("a\\" x)"), R"(str(a\\) word(x))");
  EXPECT_EQ(Lex("\"line1\nline2\""), "str(line1\nline2)");
  EXPECT_EQ(Lex("\"ab\" \"cd\""), "str(ab) str(cd)");
  EXPECT_EQ(Lex("\"\""), "str()");
}

TEST(Lexer, ReadsBackquotes) {
  EXPECT_EQ(Lex("`./defaults.sh`"), "bq(./defaults.sh)");
  EXPECT_EQ(Lex("`./defaults.sh\n`"), "bq(./defaults.sh\n)");
  EXPECT_EQ(Lex(R"(`echo \` done`)"), R"(bq(echo \` done))");
}

TEST(Lexer, CodeBlockTrimsSpacesAndTabsButNotNewlines) {
  EXPECT_EQ(Lex("%{ \t assert x == 1 \t}%"), "code(assert x == 1)");
  EXPECT_EQ(Lex("%{\n  x = 1\n}%"), "code(\n  x = 1\n)");
  EXPECT_EQ(Lex("%{}%"), "code()");
  EXPECT_EQ(Lex("+0 %{ a }% 1"), "punct(+) int(0) code(a) int(1)");
}

TEST(Lexer, SkipsComments) {
  EXPECT_EQ(Lex("// a comment\n1"), "int(1)");
  EXPECT_EQ(Lex("1 // trailing\n2"), "int(1) int(2)");
  EXPECT_EQ(Lex("/* a\n b */ 1"), "int(1)");
  EXPECT_EQ(Lex("1 /* x */ 2"), "int(1) int(2)");
  // '#' is not a comment character in scripts.
  EXPECT_EQ(Lex("# x"), "punct(#) word(x)");
  // A single slash is punctuation.
  EXPECT_EQ(Lex("1/2"), "int(1) punct(/) int(2)");
}

TEST(Lexer, LineCommentWithoutFinalNewlineIsAccepted) {
  // packetdrill's regex needs the newline; pktc deliberately accepts a last-line comment.
  EXPECT_EQ(Lex("1 // no newline"), "int(1)");
}

TEST(Lexer, ReportsUnterminatedBlockComment) {
  LexerHarness h("1 /* open");
  EXPECT_EQ(Dump(h.All()), "int(1)");
  EXPECT_EQ(h.diag_text(),
            "input:1:3: error: unterminated /* comment\n"
            "1 /* open\n"
            "  ^\n");
}

TEST(Lexer, ReportsUnterminatedString) {
  LexerHarness h("0 write(3, \"abc");
  EXPECT_EQ(Dump(h.All()), "int(0) word(write) punct(() int(3) punct(,) error()");
  EXPECT_EQ(h.error_count(), 1);
  EXPECT_EQ(h.diag_text(),
            "input:1:12: error: unterminated string\n"
            "0 write(3, \"abc\n"
            "           ^\n");
}

TEST(Lexer, ReportsUnterminatedCodeBlock) {
  LexerHarness h("+0 %{ x = 1 }");
  EXPECT_EQ(Dump(h.All()), "punct(+) int(0) error()");
  EXPECT_EQ(h.diag_text(),
            "input:1:4: error: unterminated code block: expected '}%'\n"
            "+0 %{ x = 1 }\n"
            "   ^\n");
}

TEST(Lexer, CarriageReturnIsAnError) {
  LexerHarness h("0\r\n1");
  EXPECT_EQ(Dump(h.All()), "int(0) error(\r) int(1)");
  EXPECT_EQ(h.error_count(), 1);
  EXPECT_EQ(h.diag_text(),
            "input:1:2: error: carriage return in script (CRLF line endings are not accepted)\n"
            "0\n"
            " ^\n");
}

TEST(Lexer, CarriageReturnInsideCommentsAndStringsIsAccepted) {
  EXPECT_EQ(Lex("// comment\r\n1"), "int(1)");
  EXPECT_EQ(Lex("\"a\r\nb\""), "str(a\r\nb)");
  EXPECT_EQ(Lex("`a\r\n`"), "bq(a\r\n)");
}

TEST(Lexer, ReportsInvalidCharacter) {
  LexerHarness h("1 \x01 2");
  EXPECT_EQ(Dump(h.All()), "int(1) error(\x01) int(2)");
  EXPECT_EQ(h.error_count(), 1);
  EXPECT_NE(h.diag_text().find("input:1:3: error: invalid character in script\n"),
            std::string::npos)
      << h.diag_text();
}

TEST(Lexer, TokenRangesPointIntoTheSource) {
  LexerHarness h("0 close(3) = 0\n+.1 > F. 1:1(0)");
  std::vector<Token> tokens = h.All();
  ASSERT_EQ(tokens.size(), 18u);
  const Token& flags = tokens[10];
  ASSERT_TRUE(flags.IsWord("F"));
  auto [line, col] = h.sources().getLineAndColumn(flags.loc());
  EXPECT_EQ(line, 2u);
  EXPECT_EQ(col, 7u);
  EXPECT_EQ(flags.range.End.getPointer() - flags.range.Start.getPointer(), 1);
}

TEST(Lexer, DefineChangesTokenKind) {
  std::vector<Token> t = LexWithDefine("X", "X", "5");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(Dump(t), "int(5)");
  EXPECT_EQ(t[0].define_name, "X");

  EXPECT_EQ(Dump(LexWithDefine("X", "X", "0x10")), "int(16)");
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "-3")), "int(-3)");
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "\"a b\"")), "str(a b)");
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "`echo hi`")), "bq(echo hi)");
  EXPECT_EQ(Dump(LexWithDefine("CODE", "CODE", "host_unreachable")), "word(host_unreachable)");
}

TEST(Lexer, DefineValueWithLeadingZeroIsOctal) {
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "010")), "int(8)");
  // Not valid octal: not an integer at all, so the value stays a word.
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "09")), "word(09)");
}

TEST(Lexer, DefineValueIsNotRelexed) {
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "1.5")), "word(1.5)");
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "a|b")), "word(a|b)");
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "ack")), "word(ack)");
}

TEST(Lexer, DefineAtLongLimitsIsNotAnInteger) {
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "9223372036854775807")), "word(9223372036854775807)");
  EXPECT_EQ(Dump(LexWithDefine("X", "X", "99999999999999999999")), "word(99999999999999999999)");
}

TEST(Lexer, DefinesApplyOnlyToWords) {
  // Keywords, numbers and longer words are never looked up.
  LexerHarness h("ack 5 XY X");
  h.lexer().DefineFromCommandLine("ack", "1");
  h.lexer().DefineFromCommandLine("X", "2");
  EXPECT_EQ(Dump(h.All()), "kw(ack) int(5) word(XY) int(2)");
}

TEST(Lexer, CommandLineDefineWinsOverHeaderDefine) {
  LexerHarness h("X Y");
  h.lexer().DefineFromCommandLine("X", "1");
  h.lexer().DefineFromHeader("X", "2");
  h.lexer().DefineFromHeader("Y", "3");
  EXPECT_EQ(Dump(h.All()), "int(1) int(3)");
  EXPECT_EQ(h.lexer().defines().at("X"), "1");
}

TEST(Lexer, LaterHeaderDefineReplacesEarlierOne) {
  LexerHarness h("Y");
  h.lexer().DefineFromHeader("Y", "3");
  h.lexer().DefineFromHeader("Y", "4");
  EXPECT_EQ(Dump(h.All()), "int(4)");
}

TEST(Lexer, ParseDefineIntegerFollowsStrtol) {
  long long v = 0;
  EXPECT_TRUE(ParseDefineInteger("12", v));
  EXPECT_EQ(v, 12);
  EXPECT_TRUE(ParseDefineInteger("0x10", v));
  EXPECT_EQ(v, 16);
  EXPECT_TRUE(ParseDefineInteger("010", v));
  EXPECT_EQ(v, 8);
  EXPECT_TRUE(ParseDefineInteger("-3", v));
  EXPECT_EQ(v, -3);
  EXPECT_FALSE(ParseDefineInteger("", v));
  EXPECT_FALSE(ParseDefineInteger("12x", v));
  EXPECT_FALSE(ParseDefineInteger("SOL_IP", v));
}

TEST(Lexer, EndOfFileRepeats) {
  LexerHarness h("1");
  EXPECT_TRUE(h.lexer().Next().Is(TokenKind::kInteger));
  EXPECT_TRUE(h.lexer().Next().Is(TokenKind::kEof));
  EXPECT_TRUE(h.lexer().Next().Is(TokenKind::kEof));
}

TEST(Token, DescribesTokensForMessages) {
  LexerHarness h("42 foo ack \"s\" --mtu ... , `x`");
  std::vector<Token> t = h.All();
  ASSERT_EQ(t.size(), 8u);
  EXPECT_EQ(t[0].Describe(), "integer '42'");
  EXPECT_EQ(t[1].Describe(), "word 'foo'");
  EXPECT_EQ(t[2].Describe(), "keyword 'ack'");
  EXPECT_EQ(t[3].Describe(), "string");
  EXPECT_EQ(t[4].Describe(), "option '--mtu'");
  EXPECT_EQ(t[5].Describe(), "'...'");
  EXPECT_EQ(t[6].Describe(), "','");
  EXPECT_EQ(t[7].Describe(), "shell command");
  EXPECT_EQ(Token().Describe(), "end of file");
}

TEST(Token, KnowsTheReservedWords) {
  EXPECT_TRUE(IsKeyword("sequence#"));
  EXPECT_TRUE(IsKeyword("GREv0"));
  EXPECT_TRUE(IsKeyword("ect01"));
  EXPECT_FALSE(IsKeyword("sequence"));
  EXPECT_FALSE(IsKeyword("SOCK_STREAM"));
  EXPECT_FALSE(IsKeyword(""));
}

}  // namespace
}  // namespace pktc
