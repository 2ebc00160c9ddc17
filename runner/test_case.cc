// Family outcomes from a test binary's KTAP (see test_case.h).
#include "test_case.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

#include "pktc/run_report.h"

namespace pktc::runner {

bool TestCase::Flaky() const {
  for (const FamilyOutcome& f : families) {
    if (f.verdict == FamilyVerdict::kFlaky) return true;
  }
  return false;
}

std::optional<double> TestCase::Margin() const {
  std::optional<double> least;
  for (const FamilyOutcome& f : families) {
    if (f.margin && (!least || *f.margin < *least)) least = f.margin;
  }
  return least;
}

namespace {

/// 21 from a diagnostic "# x.pkt:21: error ...", or 0.
int FailureLine(const std::string& line) {
  if (line.rfind("# ", 0) != 0) return 0;
  std::size_t pkt = line.find(".pkt:");
  if (pkt == std::string::npos) return 0;
  std::size_t digits = pkt + 5, end = digits;
  while (end < line.size() && end - digits < 9 && line[end] >= '0' && line[end] <= '9') ++end;
  if (end == digits || end >= line.size() || line[end] != ':') return 0;
  return std::atoi(line.c_str() + digits);
}

}  // namespace

std::vector<FamilyOutcome> ParseFamilies(const std::string& ktap) {
  std::vector<FamilyOutcome> out;
  const std::string timing = std::string("# ") + report::kTimingFailure;
  const std::string margin = std::string("# ") + report::kTimingMargin;
  FamilyOutcome pending;  // What the diagnostics before the next result line said.
  std::istringstream lines(ktap);
  std::string line;
  while (std::getline(lines, line)) {
    if (line == timing) {
      pending.timing_failure = true;
      continue;
    }
    if (line.rfind(margin, 0) == 0) {
      pending.margin = std::strtod(line.c_str() + margin.size(), nullptr);
      continue;
    }
    if (pending.failure_line == 0) pending.failure_line = FailureLine(line);
    bool ok = line.rfind("ok ", 0) == 0;
    if (!ok && line.rfind("not ok ", 0) != 0) continue;
    std::istringstream words(line.substr(ok ? 3 : 7));
    std::string number;
    words >> number >> pending.family;
    pending.verdict = !ok                                       ? FamilyVerdict::kFail
                      : line.find("# SKIP") != std::string::npos  ? FamilyVerdict::kSkip
                      : line.find("# XFAIL") != std::string::npos ? FamilyVerdict::kXfail
                                                                  : FamilyVerdict::kPass;
    if (ok) {
      pending.timing_failure = false;
      pending.failure_line = 0;
    }
    out.push_back(pending);
    pending = FamilyOutcome();
  }
  return out;
}

}  // namespace pktc::runner
