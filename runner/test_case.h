// One test of a pktc-run suite: its binary, what it printed, and each family's outcome as its
// KTAP (and the lines of pktc/run_report.h) tell it.
#ifndef PKTC_RUNNER_TEST_CASE_H_
#define PKTC_RUNNER_TEST_CASE_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace pktc::runner {

enum class FamilyVerdict { kPass, kFail, kSkip, kXfail, kFlaky };

struct FamilyOutcome {
  std::string family;
  FamilyVerdict verdict = FamilyVerdict::kPass;
  bool timing_failure = false;  ///< Failed only on a time window (a retry may pass).
  /// The script line it failed at, from its first diagnostic that names one (0: none).
  int failure_line = 0;
  /// Failed on a time window at the same site in every attempt of this run (retried, or known
  /// from the last run): the next run need not retry it (see RetryTimingFailures).
  bool repeated_timing_failure = false;
  std::optional<double> margin;
  std::string retry_note;  ///< For a retried family: how its retries went.

  /// How the test history names this family's failure line: "ipv4:32".
  std::string FailureKey() const { return family + ":" + std::to_string(failure_line); }
};

struct TestCase {
  std::string name;    ///< Script name without .pkt
  std::string source;  ///< The .pkt, if compiled here
  std::string binary;
  /// In a suite binary (pktc a.pkt b.pkt -o suite): the script's name, run as `binary NAME`.
  std::string suite_name;
  std::string output;  ///< Everything the binary printed (retries appended)
  int junit_fd = -1;   ///< memfd holding its JUnit report
  int exit_code = -1;  ///< -1 while it has not run
  double seconds = 0;
  std::vector<FamilyOutcome> families;
  std::vector<std::string> extra_args;  ///< For this run only (a retry's --ip_version).
  // While running:
  pid_t pid = 0;
  int pipe_fd = -1;
  double started = 0;

  bool Flaky() const;
  /// The smallest margin of its families, if any was reported.
  std::optional<double> Margin() const;
};

/// Each family's outcome from a test binary's KTAP ("ok 1 ipv4", "not ok 2 ipv6", "# SKIP",
/// "# XFAIL"), with the `# pktc: ...` lines printed before each result.
std::vector<FamilyOutcome> ParseFamilies(const std::string& ktap);

}  // namespace pktc::runner

#endif  // PKTC_RUNNER_TEST_CASE_H_
