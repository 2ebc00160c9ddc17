// The forms of an event time (time_kinds.def), one enum for the parser, the IR and the runtime.
#ifndef PKTC_TIME_KIND_H_
#define PKTC_TIME_KIND_H_

#include <cstdint>

namespace pktc {

enum class TimeKind : std::uint8_t {
#define PKTC_TIME_KIND(Id, Constructor, arguments, example) k##Id,
#include "time_kinds.def"
};

/// How generated code builds an EventTime of a kind: `rt::Constructor(start[, end])`.
struct TimeKindSpelling {
  const char* constructor;  ///< "At", "PlusBetween"...
  int arguments;            ///< 0, 1 (start) or 2 (start, end).
};

constexpr TimeKindSpelling SpellingOf(TimeKind kind) {
  constexpr TimeKindSpelling kSpellings[] = {
#define PKTC_TIME_KIND(Id, Constructor, arguments, example) {#Constructor, arguments},
#include "time_kinds.def"
  };
  return kSpellings[static_cast<int>(kind)];
}

}  // namespace pktc

#endif  // PKTC_TIME_KIND_H_
