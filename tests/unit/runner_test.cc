// pktc-run's parts: shards, history, KTAP outcomes, weights, the JUnit merge.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "compile_cache.h"
#include "scheduler.h"
#include "shard.h"
#include "suite_report.h"
#include "test_case.h"
#include "test_history.h"

namespace pktc::runner {
namespace {

std::vector<std::string> Names(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("test" + std::to_string(i));
  return names;
}

TEST(Shard, EveryTestRunsInExactlyOneShard) {
  std::vector<std::string> names = Names(151);
  TestHistory durations;
  for (int i = 0; i < 151; i += 3) durations[names[i]].seconds = 0.1 * (i % 17) + 0.2;
  for (int count : {1, 2, 3, 4, 7}) {
    for (const TestHistory& h : {TestHistory(), durations}) {
      std::multiset<std::size_t> seen;
      for (int k = 0; k < count; ++k) {
        for (std::size_t i : SelectShard(names, h, k, count)) seen.insert(i);
      }
      ASSERT_EQ(seen.size(), names.size()) << count;
      for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(seen.count(i), 1u) << i;
    }
  }
}

TEST(Shard, BalancedByDurationAndIndependentOfInputOrder) {
  std::vector<std::string> names = {"long", "a", "b", "c", "d", "e"};
  TestHistory h;
  h["long"].seconds = 10;
  for (const char* n : {"a", "b", "c", "d", "e"}) h[n].seconds = 2;
  auto shard0 = SelectShard(names, h, 0, 2);
  auto shard1 = SelectShard(names, h, 1, 2);
  // The 10 s test alone on one shard, the five 2 s tests on the other.
  EXPECT_EQ(shard0, std::vector<std::size_t>{0});
  EXPECT_EQ(shard1.size(), 5u);
  std::vector<std::string> reversed(names.rbegin(), names.rend());
  auto again = SelectShard(reversed, h, 0, 2);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(reversed[again[0]], "long");
}

TEST(TestHistory, ReadsOldAndNewLines) {
  TestHistory h = ParseHistory("a\t1.5\nb\t2.25\t0.125\nbad line\n\tnoname 3\nc\tx\n");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_DOUBLE_EQ(h["a"].seconds, 1.5);
  EXPECT_FALSE(h["a"].margin);
  EXPECT_DOUBLE_EQ(h["b"].seconds, 2.25);
  EXPECT_DOUBLE_EQ(*h["b"].margin, 0.125);
  EXPECT_EQ(ParseHistory(FormatHistory(h)).size(), 2u);
}

TEST(TestHistory, KeepsRepeatedTimingFailuresWithOrWithoutAMargin) {
  TestHistory h = ParseHistory("a\t1.5\t-\tipv4:32,ipv6:33\nb\t2\t0.5\tipv6:7,junk\n");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_FALSE(h["a"].margin);
  EXPECT_EQ(h["a"].repeated_timing_failures, (std::set<std::string>{"ipv4:32", "ipv6:33"}));
  EXPECT_DOUBLE_EQ(*h["b"].margin, 0.5);
  EXPECT_EQ(h["b"].repeated_timing_failures, (std::set<std::string>{"ipv6:7"}));
  TestHistory again = ParseHistory(FormatHistory(h));
  EXPECT_EQ(again["a"].repeated_timing_failures, h["a"].repeated_timing_failures);
  EXPECT_EQ(again["b"].repeated_timing_failures, h["b"].repeated_timing_failures);
  EXPECT_EQ(FormatHistory(again), "a\t1.500\t-\tipv4:32,ipv6:33\nb\t2.000\t0.500\tipv6:7\n");
}

TEST(TestCase, FamiliesWithTheirTimingLines) {
  std::vector<FamilyOutcome> f = ParseFamilies(
      "TAP version 13\n1..3\n# pktc: timing margin 0.750\nok 1 ipv4\n"
      "# x.pkt:5: timing error: ...\n# pktc: timing failure\nnot ok 2 ipv6\n"
      "ok 3 ipv4-mapped-ipv6 # SKIP no tun\n");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].verdict, FamilyVerdict::kPass);
  EXPECT_DOUBLE_EQ(*f[0].margin, 0.75);
  EXPECT_EQ(f[1].family, "ipv6");
  EXPECT_EQ(f[1].verdict, FamilyVerdict::kFail);
  EXPECT_TRUE(f[1].timing_failure);
  EXPECT_EQ(f[1].failure_line, 5);
  EXPECT_EQ(f[0].failure_line, 0);
  EXPECT_FALSE(f[1].margin);
  EXPECT_EQ(f[2].verdict, FamilyVerdict::kSkip);
  EXPECT_FALSE(f[2].timing_failure);
}

TEST(Scheduler, WeightGrowsAsTheMarginShrinks) {
  EXPECT_EQ(Weight(std::nullopt, 8), 1);
  EXPECT_EQ(Weight(0.9, 8), 1);
  EXPECT_EQ(Weight(0.3, 8), 2);
  EXPECT_EQ(Weight(0.1, 8), 8);
}

TEST(Scheduler, RecordedMarginFallsAtOnceAndRisesSlowly) {
  EXPECT_DOUBLE_EQ(RecordedMargin(std::nullopt, 0.9), 0.9);
  EXPECT_DOUBLE_EQ(RecordedMargin(0.9, 0.2), 0.2);
  EXPECT_DOUBLE_EQ(RecordedMargin(kFlakyMargin, 1.0), kFlakyMargin + kMarginRecovery);
  // Each run's margin goes through the history file, which keeps three decimals.
  auto next_run = [](double m) {
    TestHistory h;
    h["t"].margin = RecordedMargin(m, 1.0);
    return *ParseHistory(FormatHistory(h))["t"].margin;
  };
  double m = kFlakyMargin;
  int alone = 0, quarter = 0;
  for (; Weight(m, 8) == 8; ++alone) m = next_run(m);
  for (; Weight(m, 8) > 1; ++quarter) m = next_run(m);
  EXPECT_EQ(alone, 12);  // A flaky test runs alone for twelve good runs,
  EXPECT_EQ(quarter, 6);  // then with a quarter of -j for six more.
}

TEST(Scheduler, TestsThatRunAloneStartFirstThenLongestFirst) {
  // seconds: a 1.0, b 12.0 (longest), c 0.5 (alone), d unknown, e 0.7 (alone)
  std::vector<double> seconds = {1.0, 12.0, 0.5, 1e300, 0.7};
  std::vector<int> weights = {1, 1, 8, 1, 8};
  EXPECT_EQ(StartOrder(seconds, weights, 8), (std::vector<std::size_t>{4, 2, 3, 1, 0}));
}

TEST(SuiteReport, ShardReportsMergeIntoOneSuite) {
  std::string a =
      "<?xml version=\"1.0\"?>\n<testsuites tests=\"1\" failures=\"0\">\n"
      "  <testsuite name=\"x\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" "
      "time=\"1.500\"><testcase name=\"ipv4\"/></testsuite>\n</testsuites>\n";
  std::string b =
      "<testsuites>\n  <testsuite name=\"y\" tests=\"2\" failures=\"1\" errors=\"0\" "
      "skipped=\"0\" time=\"2.000\"><testcase name=\"ipv4\"><failure message=\"m\" "
      "type=\"failure\">o</failure></testcase><testcase name=\"ipv6\"/></testsuite>\n"
      "</testsuites>\n";
  std::string merged = MergeJunitFiles({a, b});
  EXPECT_NE(merged.find("<testsuites tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\" "
                        "time=\"3.500\">"),
            std::string::npos)
      << merged;
  EXPECT_NE(merged.find("<testsuite name=\"x\""), std::string::npos);
  EXPECT_NE(merged.find("<testsuite name=\"y\""), std::string::npos);
}

// The compile cache keys on the target: a script compiled for the host and for aarch64 gets two
// binaries (named apart), each compiled once, and pktc is given --target for the cross one. A
// fake pktc records its command lines.
TEST(CompileCache, DistinguishesTargets) {
  char dir_template[] = "/tmp/pktc-cache-test.XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::string fake = dir + "/pktc", script = dir + "/s.pkt", log = dir + "/log";
  std::ofstream(script) << "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
  std::ofstream(fake) << "#!/bin/sh\necho \"$*\" >> " << log << "\n"
                      << "case \" $* \" in *\" -M \"*) echo \"x: " << script << "\" ;;\n"
                      << "*) for a; do [ \"$prev\" = -o ] && echo \"$*\" > \"$a\"; prev=$a; done ;; esac\n";
  chmod(fake.c_str(), 0755);
  std::string cache = dir + "/cache";
  std::string host = CompileCached(fake, cache, script);
  std::string arm = CompileCached(fake, cache, script, "aarch64-linux-gnu");
  ASSERT_FALSE(host.empty());
  ASSERT_FALSE(arm.empty());
  EXPECT_NE(host, arm);
  EXPECT_NE(arm.find("/s-aarch64-linux-gnu-"), std::string::npos) << arm;
  EXPECT_EQ(ReadFile(host).find("--target"), std::string::npos) << ReadFile(host);
  EXPECT_NE(ReadFile(arm).find("--target=aarch64-linux-gnu"), std::string::npos) << ReadFile(arm);
  // Cached: the same answers without compiling again (only pktc -M runs).
  EXPECT_EQ(CompileCached(fake, cache, script), host);
  EXPECT_EQ(CompileCached(fake, cache, script, "aarch64-linux-gnu"), arm);
  std::string calls = ReadFile(log);
  std::size_t builds = 0;
  for (std::size_t at = 0; (at = calls.find(" -o " + cache, at)) != std::string::npos; ++at) ++builds;
  EXPECT_EQ(builds, 2u) << calls;
  std::string rm = "rm -rf " + dir;
  EXPECT_EQ(std::system(rm.c_str()), 0);
}

}  // namespace
}  // namespace pktc::runner
