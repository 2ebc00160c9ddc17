// Running tests side by side. Tests mostly sleep until their next event, so many can share the
// CPUs; but every neighbour disturbs the kernel's timers a little (a jiffy timer fires late
// when another CPU is busy), so a test whose events came close to the edge of their time
// windows in earlier runs gets more room, and one with almost no margin runs alone.
#ifndef PKTC_RUNNER_SCHEDULER_H_
#define PKTC_RUNNER_SCHEDULER_H_

#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "test_case.h"
#include "test_history.h"

namespace pktc::runner {

/// How much of the -j capacity a test with this timing margin takes: 1 with an ample margin
/// (or none known yet), a quarter of the capacity with a small one, all of it (alone) with a
/// margin under kAloneMargin.
inline constexpr double kAmpleMargin = 0.75;
inline constexpr double kAloneMargin = 0.2;
/// The margin recorded for a test that was flaky, as if it had missed its window by a whole
/// tolerance: with kMarginRecovery it runs alone for its next 12 runs, then with a quarter of
/// the capacity for 6 more. (Measured on 2 CPUs: flaky tests pass alone every time but flake
/// again with even a few neighbours; running one alone costs only its own short duration.)
inline constexpr double kFlakyMargin = -1.0;
/// How far a recorded margin may rise in one run: a test that was flaky (or came close to an
/// edge) keeps its room for a few runs, not just the next one, whose margin is good precisely
/// because it had room.
inline constexpr double kMarginRecovery = 0.1;
int Weight(std::optional<double> margin, int jobs);

/// The margin to keep after a run that measured `measured`, given the one kept before.
double RecordedMargin(std::optional<double> before, double measured);

/// The order to start tests in: those that run alone first (their wait for an empty machine
/// costs nothing then), then the rest; each group longest first by `seconds` (unknown: first).
std::vector<std::size_t> StartOrder(const std::vector<double>& seconds,
                                    const std::vector<int>& weights, int jobs);

struct RunSettings {
  int jobs = 1;
  int timeout_seconds = 300;
  bool progress = false;  ///< A line per finished test on stderr.
  bool junit = false;     ///< Give each test a memfd for its JUnit report.
  std::vector<std::string> args;  ///< For every test binary.
};

/// Runs tests[order[0]], tests[order[1]]... (longest first, say), as many at a time as their
/// weights fit in settings.jobs (a test heavier than what is free waits; one heavier than the
/// whole capacity runs alone). Fills each test's output, exit code, seconds and families.
/// Stops early when `*interrupted` becomes non-zero (tests still running are killed).
void RunTests(std::vector<TestCase>& tests, const std::vector<std::size_t>& order,
              const std::vector<int>& weights, const RunSettings& settings,
              const volatile std::sig_atomic_t* interrupted);

/// Reruns each family that failed only on a time window, alone, up to `retries` times: one
/// that then passes is flaky (its test passes, flagged); one that fails every time stays
/// failed. Tests with any other failure are not retried.
///
/// A family that failed at the same line in every attempt of the last run (`history`) and fails
/// there again is not retried: on this machine it fails that way every time (a kernel without
/// what the script expects, not a timer a jiffy late), and retrying it alone, one after another
/// after the main run, would cost more than the whole run. Such a family stays failed, as it
/// would after its retries; a clean cache retries everything once more.
void RetryTimingFailures(std::vector<TestCase>& tests, int retries, const TestHistory& history,
                         const RunSettings& settings,
                         const volatile std::sig_atomic_t* interrupted);

}  // namespace pktc::runner

#endif  // PKTC_RUNNER_SCHEDULER_H_
