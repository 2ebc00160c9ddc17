// Parser for the Python subset of code blocks: typed expressions, constants folded.
#ifndef PKTC_COMPILER_FRONTEND_PYTHON_PARSER_H_
#define PKTC_COMPILER_FRONTEND_PYTHON_PARSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/python_ast.h"
#include "support/diagnostics.h"

namespace pktc::py {

/// A name the block reads or assigns. Which names exist depends on the script (the snapshot's
/// variables, what earlier blocks assigned), so the parser only lists them for sema to check.
struct NameUse {
  std::string name;
  SourceRange range;
  bool assigns = false;  ///< `name = ...`: defined from here on (in this block and later ones).
};

/// Why a parse ended before the end of the block.
struct Stop {
  enum class Kind : std::uint8_t {
    kSyntaxError,   ///< Python would reject the block: `message` says why.
    kBeyondSubset,  ///< Valid Python the subset lacks: `message` names it ("'for' statements").
  };
  Kind kind = Kind::kSyntaxError;
  std::string message;
  SourceRange range;  ///< The offending token.
};

struct ParseResult {
  Block block;  ///< Complete when there is no stop; otherwise the statements before it.
  /// Every name in the order Python would meet it, up to the stop. A name sema rejects ends the
  /// block there, before the stop.
  std::vector<NameUse> names;
  std::optional<Stop> stop;
};

/// Parses a block's body: `text`, which starts at `body_start` in the script's buffer (ranges
/// point there; an invalid `body_start` gives invalid ranges). Reports nothing itself: what went
/// wrong is the result's `stop`, for sema to report after the name checks that come first.
ParseResult Parse(std::string_view text, SourceLoc body_start);

}  // namespace pktc::py

#endif  // PKTC_COMPILER_FRONTEND_PYTHON_PARSER_H_
