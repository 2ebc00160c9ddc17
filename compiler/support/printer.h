// A small text printer for generated C++: indentation, line counting (for #line), escaping.
#ifndef PKTC_COMPILER_SUPPORT_PRINTER_H_
#define PKTC_COMPILER_SUPPORT_PRINTER_H_

#include <string>
#include <string_view>

namespace pktc {

/// Accumulates generated source. Tracks the output line number so codegen can emit
/// `#line N "out.cc"` after code that points back into the script.
class Printer {
 public:
  /// Writes one line at the current indentation (empty text gives an empty line).
  void Line(std::string_view text);
  /// Writes text as-is (it may contain newlines); no indentation is added.
  void Raw(std::string_view text);
  void Indent() { indent_ += 2; }
  void Outdent() { indent_ -= 2; }
  /// The 1-based number of the line the next Line() call writes.
  int next_line() const { return line_ + 1; }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
  int indent_ = 0;
  int line_ = 0;
};

/// A C++ string literal (with quotes) whose value is exactly `bytes`. Everything that is not
/// printable ASCII is escaped as octal, so script text can never end the literal or splice lines.
std::string CppStringLiteral(std::string_view bytes);

/// Script text made safe for a `//` comment: control characters replaced, and no trailing
/// backslash that would splice the next line into the comment.
std::string CppCommentText(std::string_view text);

}  // namespace pktc

#endif  // PKTC_COMPILER_SUPPORT_PRINTER_H_
