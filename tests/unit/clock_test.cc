// The /proc/softirqs reader behind WaitForQuietKernel.
#include <gtest/gtest.h>

#include "base/clock.h"

namespace pktc::rt {
namespace {

TEST(SoftirqsTest, AddsUpEachCpuColumn) {
  const char* text =
      "                    CPU0       CPU1       \n"
      "          HI:          0          2\n"
      "       TIMER:     684259     555216\n"
      "         RCU:         10         20\n";
  std::vector<std::uint64_t> per_cpu;
  ASSERT_TRUE(ParseSoftirqsPerCpu(text, &per_cpu));
  EXPECT_EQ(per_cpu, (std::vector<std::uint64_t>{684269, 555238}));
}

TEST(SoftirqsTest, SingleCpu) {
  std::vector<std::uint64_t> per_cpu;
  ASSERT_TRUE(ParseSoftirqsPerCpu("   CPU0\n  HI: 5\n  TIMER: 7\n", &per_cpu));
  EXPECT_EQ(per_cpu, (std::vector<std::uint64_t>{12}));
}

TEST(SoftirqsTest, NoCountsIsAFailure) {
  std::vector<std::uint64_t> per_cpu{1, 2};
  EXPECT_FALSE(ParseSoftirqsPerCpu("", &per_cpu));
  EXPECT_FALSE(ParseSoftirqsPerCpu("   CPU0\n  HI:\n", &per_cpu));
  EXPECT_TRUE(per_cpu.empty());
}

TEST(SoftirqsTest, ThisMachine) {
  // The real file parses, with one column per possible CPU.
  std::vector<std::uint64_t> per_cpu;
  FILE* f = std::fopen("/proc/softirqs", "r");
  if (!f) GTEST_SKIP() << "no /proc/softirqs";
  char text[16384];
  std::size_t n = std::fread(text, 1, sizeof text - 1, f);
  std::fclose(f);
  text[n] = '\0';
  ASSERT_TRUE(ParseSoftirqsPerCpu(text, &per_cpu));
  EXPECT_GE(per_cpu.size(), 1u);
}

}  // namespace
}  // namespace pktc::rt
