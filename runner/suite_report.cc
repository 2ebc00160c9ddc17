// The suite's report (see suite_report.h).
#include "suite_report.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "compile_cache.h"

namespace pktc::runner {

namespace {

const char* ShortVerdict(FamilyVerdict v) {
  switch (v) {
    case FamilyVerdict::kPass: return "ok";
    case FamilyVerdict::kFail: return "FAIL";
    case FamilyVerdict::kSkip: return "skip";
    case FamilyVerdict::kXfail: return "xfail";
    case FamilyVerdict::kFlaky: return "flaky";
  }
  return "?";
}

/// The <testsuite ...>...</testsuite> elements of a JUnit document, in order.
std::vector<std::string> TestSuites(const std::string& xml) {
  std::vector<std::string> out;
  for (std::size_t at = xml.find("<testsuite "); at != std::string::npos;
       at = xml.find("<testsuite ", at)) {
    std::size_t end = xml.find("</testsuite>", at);
    if (end == std::string::npos) break;
    end += std::strlen("</testsuite>");
    out.push_back(xml.substr(at, end - at));
    at = end;
  }
  return out;
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

double TimeAttribute(const std::string& element) {
  std::size_t at = element.find(" time=\"");
  return at == std::string::npos ? 0 : std::strtod(element.c_str() + at + 7, nullptr);
}

/// Sets the counts of a <testsuite> element's start tag from its test cases.
std::string Recount(const std::string& suite) {
  std::size_t head_end = suite.find('>');
  std::string head = suite.substr(0, head_end);
  std::string body = suite.substr(head_end);
  auto set = [&](const char* name, int value) {
    std::string key = std::string(" ") + name + "=\"";
    std::size_t at = head.find(key);
    if (at == std::string::npos) return;
    std::size_t close = head.find('"', at + key.size());
    head.replace(at + key.size(), close - at - key.size(), std::to_string(value));
  };
  set("tests", Count(body, "<testcase "));
  set("failures", Count(body, "<failure "));
  set("errors", Count(body, "<error "));
  set("skipped", Count(body, "<skipped "));
  return head + body;
}

/// A <flakyFailure> in place of the <failure> of the test case named `family`.
std::string MarkFlaky(std::string suite, const std::string& family, const std::string& note) {
  std::size_t at = suite.find("name=\"" + family + "\"");
  if (at == std::string::npos) return suite;
  std::size_t end = suite.find("</testcase>", at);
  std::size_t failure = suite.find("<failure ", at);
  if (failure == std::string::npos || failure > end) return suite;
  suite.replace(failure, std::strlen("<failure "), "<flakyFailure ");
  std::size_t close = suite.find("</failure>", failure);
  if (close != std::string::npos && close < suite.find("</testcase>", failure)) {
    suite.replace(close, std::strlen("</failure>"), "</flakyFailure>");
  }
  std::size_t tag_end = suite.find('>', at);
  suite.insert(tag_end + 1, "\n      <properties><property name=\"flaky\" value=\"" + note +
                                "\"/></properties>");
  return suite;
}

std::string Document(const std::vector<std::string>& suites) {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double time = 0;
  for (const std::string& s : suites) {
    std::string head = s.substr(0, s.find('>'));
    tests += Count(s, "<testcase ");
    failures += Count(s, "<failure ");
    errors += Count(s, "<error ");
    skipped += Count(s, "<skipped ");
    time += TimeAttribute(head);
  }
  char t[32];
  std::snprintf(t, sizeof t, "%.3f", time);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"" +
                    std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
                    "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" +
                    std::to_string(skipped) + "\" time=\"" + t + "\">\n";
  for (const std::string& s : suites) xml += "  " + s + "\n";
  return xml + "</testsuites>\n";
}

}  // namespace

SuiteCounts PrintSuiteReport(const std::vector<TestCase>& tests, double seconds, int jobs,
                             const std::string& preamble) {
  SuiteCounts counts;
  std::printf("TAP version 13\n1..%zu\n%s", tests.size(), preamble.c_str());
  for (std::size_t i = 0; i < tests.size(); ++i) {
    const TestCase& t = tests[i];
    std::istringstream lines(t.output);
    std::string line;
    while (std::getline(lines, line)) std::printf("  %s\n", line.c_str());
    for (const FamilyOutcome& f : t.families) {
      if (!f.retry_note.empty()) {
        std::printf("# %s: %s\n", f.verdict == FamilyVerdict::kFlaky ? "flaky" : "not flaky",
                    f.retry_note.c_str());
      }
    }
    if (t.exit_code == 0) {
      std::printf("ok %zu %s\n", i + 1, t.name.c_str());
      ++(t.Flaky() ? counts.flaky : counts.pass);
    } else if (t.exit_code == 4) {
      std::printf("ok %zu %s # SKIP\n", i + 1, t.name.c_str());
      ++counts.skip;
    } else {
      std::printf("not ok %zu %s\n", i + 1, t.name.c_str());
      ++counts.fail;
    }
  }
  // KTAP's totals have no flaky field: a flaky test passed, so it counts as a pass there.
  std::printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
              counts.pass + counts.flaky, counts.fail, counts.skip);
  std::printf("#\n# %-50s %-6s %-6s %8s\n", "test", "ipv4", "ipv6", "seconds");
  for (const TestCase& t : tests) {
    std::map<std::string, FamilyVerdict> v;
    for (const FamilyOutcome& f : t.families) v[f.family] = f.verdict;
    auto get = [&](const char* f) { return v.count(f) ? ShortVerdict(v[f]) : "-"; };
    std::printf("# %-50s %-6s %-6s %8.2f\n", t.name.c_str(), get("ipv4"), get("ipv6"), t.seconds);
  }
  std::printf("# %zu tests in %.2f s with -j %d: %d passed, %d flaky, %d failed, %d skipped\n",
              tests.size(), seconds, jobs, counts.pass, counts.flaky, counts.fail, counts.skip);
  return counts;
}

std::string MergeTestReports(const std::vector<TestCase>& tests) {
  std::vector<std::string> suites;
  for (const TestCase& t : tests) {
    std::string xml =
        t.junit_fd >= 0 ? ReadFile("/proc/self/fd/" + std::to_string(t.junit_fd)) : "";
    std::vector<std::string> own = TestSuites(xml);
    if (own.empty()) {
      suites.push_back("<testsuite name=\"" + t.name +
                       "\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">"
                       "<testcase name=\"run\"><error message=\"no report\"/></testcase>"
                       "</testsuite>");
      continue;
    }
    for (std::string& suite : own) {
      for (const FamilyOutcome& f : t.families) {
        if (f.verdict == FamilyVerdict::kFlaky) suite = MarkFlaky(suite, f.family, f.retry_note);
      }
      suites.push_back(Recount(suite));
    }
  }
  return Document(suites);
}

std::string MergeJunitFiles(const std::vector<std::string>& xml_documents) {
  std::vector<std::string> suites;
  for (const std::string& xml : xml_documents) {
    for (const std::string& s : TestSuites(xml)) suites.push_back(s);
  }
  return Document(suites);
}

bool WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp);
    out << text;
    if (!out.flush()) {
      std::remove(tmp.c_str());
      return false;
    }
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace pktc::runner
