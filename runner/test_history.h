// What earlier runs learned about each test, kept in the cache as
// `name<TAB>seconds<TAB>margin<TAB>repeated` lines: how long it took (the longest start first, as
// CTest does with its cost data), its timing margin (tests with little margin get more room; see
// scheduler.h), and the families that failed on a time window at the same line in every attempt
// (pktc-run does not retry those again while they keep failing there).
#ifndef PKTC_RUNNER_TEST_HISTORY_H_
#define PKTC_RUNNER_TEST_HISTORY_H_

#include <map>
#include <optional>
#include <set>
#include <string>

namespace pktc::runner {

struct TestRecord {
  double seconds = 0;
  /// The smallest timing margin of any of its families (1: on time, 0: at a window's edge).
  std::optional<double> margin;
  /// "family:line" for each family that failed on a time window at that line in every attempt
  /// of the last run, e.g. "ipv4:32".
  std::set<std::string> repeated_timing_failures;
};

using TestHistory = std::map<std::string, TestRecord>;

/// Parses history lines ("name<TAB>seconds[<TAB>margin|-[<TAB>family:line,...]]"); malformed
/// lines are skipped.
TestHistory ParseHistory(const std::string& text);
std::string FormatHistory(const TestHistory& history);

/// Reads `path` (empty history if it is missing); writes atomically, best effort (a hint).
TestHistory ReadHistory(const std::string& path);
void WriteHistory(const std::string& path, const TestHistory& history);

}  // namespace pktc::runner

#endif  // PKTC_RUNNER_TEST_HISTORY_H_
