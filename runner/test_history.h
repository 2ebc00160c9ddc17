// What earlier runs learned about each test, kept in the cache as `name<TAB>seconds<TAB>margin`
// lines: how long it took (the longest start first, as CTest does with its cost data) and its
// timing margin (tests with little margin get more room; see scheduler.h).
#ifndef PKTC_RUNNER_TEST_HISTORY_H_
#define PKTC_RUNNER_TEST_HISTORY_H_

#include <map>
#include <optional>
#include <string>

namespace pktc::runner {

struct TestRecord {
  double seconds = 0;
  /// The smallest timing margin of any of its families (1: on time, 0: at a window's edge).
  std::optional<double> margin;
};

using TestHistory = std::map<std::string, TestRecord>;

/// Parses history lines ("name<TAB>seconds[<TAB>margin]"); malformed lines are skipped.
TestHistory ParseHistory(const std::string& text);
std::string FormatHistory(const TestHistory& history);

/// Reads `path` (empty history if it is missing); writes atomically, best effort (a hint).
TestHistory ReadHistory(const std::string& path);
void WriteHistory(const std::string& path, const TestHistory& history);

}  // namespace pktc::runner

#endif  // PKTC_RUNNER_TEST_HISTORY_H_
