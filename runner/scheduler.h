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

namespace pktc::runner {

/// How much of the -j capacity a test with this timing margin takes: 1 with an ample margin
/// (or none known yet), a quarter of the capacity with a small one, all of it (alone) with a
/// margin under kAloneMargin.
inline constexpr double kAmpleMargin = 0.5;
inline constexpr double kAloneMargin = 0.2;
int Weight(std::optional<double> margin, int jobs);

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
void RetryTimingFailures(std::vector<TestCase>& tests, int retries, const RunSettings& settings,
                         const volatile std::sig_atomic_t* interrupted);

}  // namespace pktc::runner

#endif  // PKTC_RUNNER_SCHEDULER_H_
