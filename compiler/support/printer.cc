// Printer and escaping helpers.
#include "support/printer.h"

#include <cstdio>

namespace pktc {

void Printer::Line(std::string_view text) {
  if (!text.empty()) out_.append(indent_, ' ');
  out_.append(text);
  out_.push_back('\n');
  ++line_;
}

void Printer::Raw(std::string_view text) {
  out_.append(text);
  for (char c : text) line_ += c == '\n';
}

std::string CppStringLiteral(std::string_view bytes) {
  std::string out = "\"";
  for (unsigned char c : bytes) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '?': out += "\\?"; break;  // No trigraphs, ever.
      default:
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(static_cast<char>(c));
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", c);
          out += buf;
        }
    }
  }
  out += "\"";
  return out;
}

std::string CppCommentText(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    out.push_back((c < 0x20 && c != '\t') || c == 0x7f ? '?' : static_cast<char>(c));
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  if (!out.empty() && out.back() == '\\') out += " (backslash)";
  return out;
}

}  // namespace pktc
