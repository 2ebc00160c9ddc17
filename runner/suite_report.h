// What pktc-run prints when the suite has run: every test's KTAP nested in one report, a
// summary table, and the merged JUnit XML.
#ifndef PKTC_RUNNER_SUITE_REPORT_H_
#define PKTC_RUNNER_SUITE_REPORT_H_

#include <string>
#include <vector>

#include "test_case.h"

namespace pktc::runner {

struct SuiteCounts {
  int pass = 0, flaky = 0, fail = 0, skip = 0;
};

/// Prints the nested KTAP (each test's own, indented, then its result line; a flaky test's
/// `# flaky:` lines before it) and the summary table; returns the counts.
SuiteCounts PrintSuiteReport(const std::vector<TestCase>& tests, double seconds, int jobs,
                             const std::string& preamble);

/// One JUnit report from the tests' own (read from their memfds): flaky families' failures
/// become <flakyFailure> (the Surefire convention CI front-ends show) and count as passed.
std::string MergeTestReports(const std::vector<TestCase>& tests);

/// One report from several (the shards of one suite), as if one run had made it.
std::string MergeJunitFiles(const std::vector<std::string>& xml_documents);

/// Writes `text` to `path` atomically.
bool WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace pktc::runner

#endif  // PKTC_RUNNER_SUITE_REPORT_H_
