// Code blocks checked against the script: names, the shared namespace, the python3 fallback.
#include "sema/code_block_check.h"

#include <functional>
#include <vector>

#include "frontend/python_parser.h"
#include "llvm/ADT/StringRef.h"
#include "tcp_info_layout.h"

namespace pktc {

namespace {

// Variables and constants every snapshot defines (the compile-time view; the running kernel
// may lack the newest tcp_info fields, which the runtime reports).
const std::set<std::string, std::less<>>& SnapshotNames() {
  static const std::set<std::string, std::less<>> names = [] {
    std::set<std::string, std::less<>> out;
    for (const InfoField& f : InfoFields()) {
      if (f.packetdrill_variable) out.insert(f.name);
    }
    for (const InfoConstant& c : InfoConstants()) out.insert(c.name);
    return out;
  }();
  return names;
}

/// How a block ends: natively, with an error, or needing python3.
enum class Verdict { kNative, kError, kPython };

Verdict NeedsPython(SourceRange at, const std::string& what, DiagnosticEngine& diags) {
  diags.Warning(at.Start,
                "code block uses " + what +
                    ", which pktc does not compile; the script's code blocks will run with python3",
                at);
  return Verdict::kPython;
}

/// Notes the closest known name to an unknown one; cheap enough for an error path.
void SuggestName(const py::NameUse& use, const CodeBlockScope& scope, DiagnosticEngine& diags) {
  std::string best;
  unsigned best_distance = 3;
  auto consider = [&](const std::string& candidate) {
    unsigned d = llvm::StringRef(use.name).edit_distance(candidate, true, best_distance);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  };
  for (const std::string& candidate : SnapshotNames()) consider(candidate);
  for (const std::string& candidate : scope.assigned) consider(candidate);
  if (!best.empty()) diags.Note(use.range.Start, "did you mean '" + best + "'?");
}

/// Whether a name is defined where the block reads it; reports it if not.
Verdict CheckUse(const py::NameUse& use, const CodeBlockScope& scope, DiagnosticEngine& diags) {
  const std::string& name = use.name;
  const InfoField* field = FindInfoField(name);
  if (field && field->may_exceed_int64) {
    return NeedsPython(
        use.range, "'" + name + "', which can exceed the 64-bit integers of native code", diags);
  }
  if (scope.python || SnapshotNames().count(name) || scope.assigned.count(name)) {
    return Verdict::kNative;
  }
  if (field && !field->packetdrill_variable) {
    diags.Error(use.range.Start,
                "'" + name +
                    "' is a field of struct tcp_info that packetdrill does not define in code "
                    "blocks",
                use.range);
    return Verdict::kError;
  }
  diags.Error(use.range.Start, "unknown name '" + name + "' in code block", use.range);
  SuggestName(use, scope, diags);
  return Verdict::kError;
}

/// The block's names in order, as Python meets them: the first one that is not defined ends
/// the block, as the parse's stop would have after it.
Verdict CheckNames(const std::vector<py::NameUse>& names, CodeBlockScope& scope,
                   DiagnosticEngine& diags) {
  for (const py::NameUse& use : names) {
    if (use.assigns) {
      scope.assigned.insert(use.name);
      continue;
    }
    if (Verdict v = CheckUse(use, scope, diags); v != Verdict::kNative) return v;
  }
  return Verdict::kNative;
}

Verdict ReportStop(const py::Stop& stop, DiagnosticEngine& diags) {
  switch (stop.kind) {
    case py::Stop::Kind::kSyntaxError:
      diags.Error(stop.range.Start, stop.message, stop.range);
      return Verdict::kError;
    case py::Stop::Kind::kBeyondSubset:
      return NeedsPython(stop.range, stop.message, diags);
  }
  return Verdict::kError;
}

}  // namespace

SourceLoc CodeBlockBodyStart(SourceRange code_token) {
  const char* p = code_token.Start.getPointer();
  if (!p) return {};
  p += 2;  // `%{`
  while (*p == ' ' || *p == '\t') ++p;
  return SourceLoc::getFromPointer(p);
}

std::optional<CodeBlock> CheckCodeBlock(std::string_view text, SourceLoc body_start,
                                        DiagnosticEngine& diags, CodeBlockScope& scope) {
  py::ParseResult parsed = py::Parse(text, body_start);
  Verdict verdict = CheckNames(parsed.names, scope, diags);
  if (verdict == Verdict::kNative && parsed.stop) verdict = ReportStop(*parsed.stop, diags);
  switch (verdict) {
    case Verdict::kNative:
      return CodeBlock{std::move(parsed.block), /*needs_python=*/false};
    case Verdict::kError:
      return std::nullopt;
    case Verdict::kPython:
      scope.python = true;
      return CodeBlock{{}, /*needs_python=*/true};
  }
  return std::nullopt;
}

}  // namespace pktc
