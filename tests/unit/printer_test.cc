// Unit tests for compiler/support/printer.h: the escaping helpers that keep script text from breaking
// the generated C++, and the Printer's indentation and line counting (used for #line).
#include "support/printer.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace pktc {
namespace {

using namespace std::string_literals;

// Decodes a C++ string literal in the subset CppStringLiteral produces (simple escapes and
// octal escapes of up to three digits); nullopt if it is not one well-formed literal.
std::optional<std::string> DecodeLiteral(std::string_view literal) {
  if (literal.size() < 2 || literal.front() != '"' || literal.back() != '"') return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < literal.size(); ++i) {
    char c = literal[i];
    if (c == '"' || c == '\n') return std::nullopt;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i + 1 >= literal.size()) return std::nullopt;
    char e = literal[i];
    switch (e) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '?':
        out.push_back('?');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      default: {
        if (e < '0' || e > '7') return std::nullopt;
        int value = 0;
        int digits = 0;
        while (digits < 3 && i + 1 < literal.size() && literal[i] >= '0' && literal[i] <= '7') {
          value = value * 8 + (literal[i] - '0');
          ++digits;
          ++i;
        }
        --i;
        out.push_back(static_cast<char>(value));
      }
    }
  }
  return out;
}

TEST(CppStringLiteral, QuotesPlainText) {
  EXPECT_EQ(CppStringLiteral(""), "\"\"");
  EXPECT_EQ(CppStringLiteral("abc 123"), "\"abc 123\"");
}

TEST(CppStringLiteral, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(CppStringLiteral(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(CppStringLiteral(R"(a\b)"), R"("a\\b")");
  EXPECT_EQ(CppStringLiteral(R"(\)"), R"("\\")");
  EXPECT_EQ(CppStringLiteral(R"(\")"), R"("\\\"")");
}

TEST(CppStringLiteral, EscapesNewlinesAndTabs) {
  EXPECT_EQ(CppStringLiteral("a\nb"), R"("a\nb")");
  EXPECT_EQ(CppStringLiteral("a\tb"), R"("a\tb")");
  EXPECT_EQ(CppStringLiteral("a\r\n"), R"("a\015\n")");
}

TEST(CppStringLiteral, EscapesControlAndHighBytesAsOctal) {
  EXPECT_EQ(CppStringLiteral("\x01"), R"("\001")");
  EXPECT_EQ(CppStringLiteral("\x7f"), R"("\177")");
  EXPECT_EQ(CppStringLiteral("\xff"), R"("\377")");
  EXPECT_EQ(CppStringLiteral("\0"s), R"("\000")");
  // Always three digits, so a following digit cannot extend the escape.
  EXPECT_EQ(CppStringLiteral("\x01"
                             "7"),
            R"("\0017")");
}

TEST(CppStringLiteral, EscapesQuestionMarksAgainstTrigraphs) {
  // "??/" spelled so that this file itself holds no trigraph.
  EXPECT_EQ(CppStringLiteral("?\?/"), R"("\?\?/")");
  EXPECT_EQ(CppStringLiteral("?"), R"("\?")");
}

TEST(CppStringLiteral, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string literal = CppStringLiteral(all);
  for (char c : literal) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "unprintable byte " << static_cast<int>(c);
  }
  EXPECT_EQ(DecodeLiteral(literal), all);
  EXPECT_EQ(DecodeLiteral(CppStringLiteral("x = \"\\n\" ?? \"y\"\n")), "x = \"\\n\" ?? \"y\"\n");
}

TEST(CppCommentText, KeepsPlainText) {
  EXPECT_EQ(CppCommentText("+0 > S. 0:0(0) ack 1"), "+0 > S. 0:0(0) ack 1");
  EXPECT_EQ(CppCommentText("a\tb"), "a\tb");
  EXPECT_EQ(CppCommentText(""), "");
}

TEST(CppCommentText, ReplacesControlCharacters) {
  EXPECT_EQ(CppCommentText("a\nb"), "a?b");
  EXPECT_EQ(CppCommentText("a\rb"), "a?b");
  EXPECT_EQ(CppCommentText("a\x01z\x7f"), "a?z?");
  EXPECT_EQ(CppCommentText("a\0b"s), "a?b");
}

TEST(CppCommentText, TrimsTrailingBlanks) { EXPECT_EQ(CppCommentText("abc  \t "), "abc"); }

TEST(CppCommentText, NeverEndsWithBackslash) {
  EXPECT_EQ(CppCommentText(R"(a\)"), R"(a\ (backslash))");
  // The blank after the backslash would be trimmed, so it is checked after trimming.
  EXPECT_EQ(CppCommentText("a\\ \t"), R"(a\ (backslash))");
  EXPECT_EQ(CppCommentText(R"(\)"), R"(\ (backslash))");
  EXPECT_EQ(CppCommentText(R"(a\b)"), R"(a\b)");
}

TEST(Printer, CountsLines) {
  Printer p;
  EXPECT_EQ(p.next_line(), 1);
  p.Line("int a;");
  EXPECT_EQ(p.next_line(), 2);
  p.Line("");
  EXPECT_EQ(p.next_line(), 3);
  p.Raw("#line 7 \"x.pkt\"\n");
  EXPECT_EQ(p.next_line(), 4);
  p.Raw("a\nb\nc");
  EXPECT_EQ(p.next_line(), 6);
  p.Raw("");
  EXPECT_EQ(p.next_line(), 6);
}

TEST(Printer, LineCountMatchesOutput) {
  Printer p;
  p.Line("a");
  p.Raw("b\nc\n");
  p.Indent();
  p.Line("d");
  p.Outdent();
  int newlines = 0;
  for (char c : p.str()) newlines += c == '\n';
  EXPECT_EQ(p.next_line(), newlines + 1);
}

TEST(Printer, IndentsNonEmptyLines) {
  Printer p;
  p.Line("f() {");
  p.Indent();
  p.Line("g();");
  p.Line("");
  p.Indent();
  p.Line("h();");
  p.Outdent();
  p.Outdent();
  p.Line("}");
  EXPECT_EQ(p.str(), "f() {\n  g();\n\n    h();\n}\n");
}

TEST(Printer, RawIsNotIndented) {
  Printer p;
  p.Indent();
  p.Raw("#line 1 \"a.pkt\"\n");
  p.Line("x();");
  EXPECT_EQ(p.str(), "#line 1 \"a.pkt\"\n  x();\n");
}

}  // namespace
}  // namespace pktc
