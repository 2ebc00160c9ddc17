// libFuzzer target over the pktc front end: lexer, parser, sema, the runtime-support check and
// the C++ emitter, chained exactly as the driver chains them (compiler/driver/driver.cc).
//
// Input: the bytes of a script named "fuzz.pkt". If the first byte is 0xF0..0xFF (never valid
// at the start of a script) it is removed and its low four bits select `-D` defines, so the
// fuzzer also exercises define substitution while plain .pkt files stay valid seeds.
//
// Besides crashes, leaks and sanitizer reports, the target aborts when a stage breaks its
// contract or the emitted C++ is lexically malformed (see CheckEmittedCpp). Whether the
// emitted C++ really compiles is checked by a separate test (compile_emitted.sh): running a
// C++ compiler here would make fuzzing a thousand times slower.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "codegen/cpp_emitter.h"
#include "codegen/runtime_support.h"
#include "support/diagnostics.h"
#include "frontend/lexer.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "frontend/parser.h"
#include "sema/sema.h"

namespace {

// A directory that does not exist: sema looks up files named by shell commands (`./x.sh`)
// relative to it, and must read nothing from the machine running the fuzzer. (An empty
// script_dir would mean the current directory.)
constexpr const char* kScriptDir = "/nonexistent/pktc-fuzz";

// Defines the selector byte can turn on: the kinds the lexer substitutes differently (integer,
// symbol word, hex cookie, string, shell command) with names the dictionary also knows.
struct Define {
  const char* name;
  const char* value;
};
constexpr Define kDefines[4][2] = {
    {{"TFO_COOKIE", "3021b9d889017eeb"}, {"PORT", "0x1F90"}},
    {{"CMSG_LEVEL_IP", "SOL_IP"}, {"LEVEL", "SOL_TCP"}},
    {{"STR", "\"a\\x00b?\?/\""}, {"N", "010"}},
    {{"CMD", "`./defaults.sh`"}, {"W", "S."}},
};

[[noreturn]] void Violation(const char* what, const std::string& cpp, size_t offset) {
  size_t begin = cpp.rfind('\n', offset == 0 ? 0 : offset - 1);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = cpp.find('\n', offset);
  std::fprintf(stderr, "pktc_fuzzer: invariant violated: %s\n  at offset %zu of the emitted C++, "
               "in the line:\n  %s\n", what, offset,
               cpp.substr(begin, end == std::string::npos ? std::string::npos : end - begin).c_str());
  std::abort();
}

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// A lexical check of the generated translation unit, strict enough that a violation means the
// code cannot compile or does not mean what the emitter intended:
//  - string literals close on their line and hold only printable ASCII and the escapes
//    CppStringLiteral writes (\" \\ \n \t \? \ooo); no unescaped '?' (trigraphs);
//  - char literals do not occur at all (the emitter writes none), so a stray ' is an error;
//  - /* comments */ open and close on one line (EmitInt's spelling comments);
//  - no line ends in a backslash, not even followed by blanks (a line splice), which would
//    pull the next line into a // comment;
//  - outside comments only printable ASCII, blanks and newlines (no \r, \f, \v, NUL, 8-bit);
//  - ( [ { balance outside literals and comments, and never close what is not open;
//  - every preprocessor line is `#include "..."` or `#line N "..."` with 1 <= N < 2^31.
void CheckEmittedCpp(const std::string& cpp) {
  if (cpp.empty() || cpp.back() != '\n') Violation("output does not end with a newline", cpp, 0);
  std::string stack;
  size_t i = 0;
  bool line_start = true;
  while (i < cpp.size()) {
    char c = cpp[i];
    if (line_start) {
      line_start = false;
      // Line splices: a backslash, then only blanks, then the newline.
      size_t eol = cpp.find('\n', i);
      size_t last = eol > i ? cpp.find_last_not_of(" \t", eol - 1) : std::string::npos;
      if (last != std::string::npos && last >= i && cpp[last] == '\\') {
        Violation("line ends in a backslash (line splice)", cpp, last);
      }
      size_t first = cpp.find_first_not_of(" \t", i);
      if (first < eol && cpp[first] == '#') {
        std::string_view line(cpp.data() + first, eol - first);
        if (line.rfind("#include \"", 0) == 0) {
          // Checked as a string literal below.
        } else if (line.rfind("#line ", 0) == 0) {
          size_t p = 6;
          unsigned long long n = 0;
          size_t digits = 0;
          while (p < line.size() && line[p] >= '0' && line[p] <= '9' && digits < 12) {
            n = n * 10 + static_cast<unsigned>(line[p] - '0');
            ++p;
            ++digits;
          }
          if (digits == 0 || n == 0 || n > 2147483647ULL || p >= line.size() || line[p] != ' ' ||
              p + 1 >= line.size() || line[p + 1] != '"' || line.back() != '"') {
            Violation("malformed #line directive", cpp, first);
          }
        } else {
          Violation("unexpected preprocessor directive", cpp, first);
        }
        // Skip the '#' and the keyword; the rest is lexed normally (it holds a literal).
        i = first + 1;
        continue;
      }
    }
    if (c == '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < cpp.size() && cpp[i + 1] == '/') {
      size_t eol = cpp.find('\n', i);
      for (size_t k = i; k < eol; ++k) {
        unsigned char b = static_cast<unsigned char>(cpp[k]);
        if ((b < 0x20 && b != '\t') || b == 0x7f) Violation("control character in a // comment", cpp, k);
      }
      i = eol;
      continue;
    }
    if (c == '/' && i + 1 < cpp.size() && cpp[i + 1] == '*') {
      size_t close = cpp.find("*/", i + 2);
      size_t eol = cpp.find('\n', i);
      if (close == std::string::npos || close > eol) Violation("/* comment spans lines", cpp, i);
      for (size_t k = i; k < close; ++k) {
        unsigned char b = static_cast<unsigned char>(cpp[k]);
        if (b < 0x20 || b >= 0x7f) Violation("non-printable byte in a /* comment */", cpp, k);
      }
      i = close + 2;
      continue;
    }
    if (c == '"') {
      size_t k = i + 1;
      while (true) {
        if (k >= cpp.size() || cpp[k] == '\n') Violation("string literal not closed on its line", cpp, i);
        char s = cpp[k];
        if (s == '"') break;
        unsigned char b = static_cast<unsigned char>(s);
        if (b < 0x20 || b >= 0x7f) Violation("raw non-printable byte in a string literal", cpp, k);
        if (s == '?') Violation("unescaped '?' in a string literal (trigraph risk)", cpp, k);
        if (s == '\\') {
          char e = k + 1 < cpp.size() ? cpp[k + 1] : '\0';
          if (e == '"' || e == '\\' || e == 'n' || e == 't' || e == '?') {
            k += 2;
            continue;
          }
          if (k + 3 < cpp.size() && IsOctal(e) && IsOctal(cpp[k + 2]) && IsOctal(cpp[k + 3])) {
            k += 4;
            continue;
          }
          Violation("escape in a string literal that CppStringLiteral does not write", cpp, k);
        }
        ++k;
      }
      i = k + 1;
      continue;
    }
    if (c == '\'') Violation("character literal or stray quote in emitted C++", cpp, i);
    unsigned char b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\t') || b >= 0x7f) Violation("non-printable byte in emitted C++", cpp, i);
    if (c == '(' || c == '[' || c == '{') stack.push_back(c);
    if (c == ')' || c == ']' || c == '}') {
      char open = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (stack.empty() || stack.back() != open) Violation("unbalanced bracket", cpp, i);
      stack.pop_back();
    }
    ++i;
  }
  if (!stack.empty()) Violation("bracket never closed", cpp, cpp.size() - 1);
}

void NullDiagHandler(const llvm::SMDiagnostic&, void*) {}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  unsigned define_mask = 0;
  if (size > 0 && data[0] >= 0xF0) {
    define_mask = data[0] & 0x0F;
    ++data;
    --size;
  }
  llvm::SourceMgr sources;
  sources.setDiagHandler(NullDiagHandler, nullptr);
  unsigned buffer = sources.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char*>(data), size), "fuzz.pkt"),
      llvm::SMLoc());
  pktc::DiagnosticEngine diags(sources);

  pktc::Lexer lexer(sources, buffer, diags);
  for (unsigned bit = 0; bit < 4; ++bit) {
    if (!(define_mask & (1u << bit))) continue;
    for (const Define& d : kDefines[bit]) lexer.DefineFromCommandLine(d.name, d.value);
  }
  pktc::Parser parser(lexer, diags, sources);
  pktc::ast::Script script = parser.ParseScript();

  // As the driver does: check what parsed even after syntax errors.
  pktc::SemaOptions sema_options;
  sema_options.after_syntax_errors = diags.HadErrors();
  sema_options.script_path = "fuzz.pkt";
  sema_options.script_dir = kScriptDir;
  int errors_before_sema = diags.error_count();
  std::optional<pktc::ir::Script> ir = pktc::CheckScript(script, sema_options, diags);
  if (ir.has_value() == diags.HadErrors()) {
    std::fprintf(stderr, "pktc_fuzzer: CheckScript returned %s but %d error(s) were reported "
                 "(%d by sema)\n", ir ? "a script" : "nullopt", diags.error_count(),
                 diags.error_count() - errors_before_sema);
    std::abort();
  }
  if (!ir) return 0;
  if (!ir->files.empty()) {
    std::fprintf(stderr, "pktc_fuzzer: sema embedded a file from %s\n", kScriptDir);
    std::abort();
  }

  int errors_before_support = diags.error_count();
  bool supported = pktc::CheckRuntimeSupport(*ir, diags);
  if (supported != (diags.error_count() == errors_before_support)) {
    std::fprintf(stderr, "pktc_fuzzer: CheckRuntimeSupport's result disagrees with its errors\n");
    std::abort();
  }
  if (!supported) return 0;

  pktc::EmitOptions emit_options;
  emit_options.output_name = "fuzz.cc";
  emit_options.compiler_version = "fuzz";
  // Alternate #line directives on and off, as --no-line-directives would.
  emit_options.line_directives = (size & 1) == 0;
  std::string cpp = pktc::EmitCpp(*ir, emit_options);
  CheckEmittedCpp(cpp);
  return 0;
}
