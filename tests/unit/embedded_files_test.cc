// Unit tests for compiler/sema/embedded_files.h: which words of a shell command name files next to
// the script, and how their paths are normalised.
#include "sema/embedded_files.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pktc {
namespace {

using Paths = std::vector<std::string>;

TEST(RelativePathsInCommand, FindsScriptRelativePaths) {
  EXPECT_EQ(RelativePathsInCommand("./defaults.sh"), Paths{"defaults.sh"});
  EXPECT_EQ(RelativePathsInCommand("./defaults.sh\n"), Paths{"defaults.sh"});
  EXPECT_EQ(RelativePathsInCommand("../common/defaults.sh"), Paths{"../common/defaults.sh"});
  EXPECT_EQ(RelativePathsInCommand("sh dir/z.sh arg"), Paths{"dir/z.sh"});
}

TEST(RelativePathsInCommand, KeepsOrderAndDropsDuplicates) {
  EXPECT_EQ(RelativePathsInCommand("./b.sh ./a.sh; ./b.sh && a.sh/../b.sh"),
            (Paths{"b.sh", "a.sh"}));
}

TEST(RelativePathsInCommand, IgnoresWordsThatAreNotRelativeFiles) {
  EXPECT_EQ(RelativePathsInCommand("echo hello"), Paths{});
  EXPECT_EQ(RelativePathsInCommand("/bin/true /proc/net/tcp"), Paths{});
  EXPECT_EQ(RelativePathsInCommand("cat $DIR/x ${D}/y ~/z"), Paths{});
  EXPECT_EQ(RelativePathsInCommand("ls */x a?/b [ab]/c a\\b/c"), Paths{});
  EXPECT_EQ(RelativePathsInCommand("tool -o/tmp/x --file=/abs"), Paths{});
  EXPECT_EQ(RelativePathsInCommand("./"), Paths{});
  EXPECT_EQ(RelativePathsInCommand(""), Paths{});
}

TEST(RelativePathsInCommand, SplitsAtShellPunctuation) {
  EXPECT_EQ(RelativePathsInCommand("cat<./in.txt>./out.txt|./filter"),
            (Paths{"in.txt", "out.txt", "filter"}));
  EXPECT_EQ(RelativePathsInCommand("(cd ./d && ./run.sh)&"), (Paths{"d", "run.sh"}));
  EXPECT_EQ(RelativePathsInCommand("sh -c './q.sh' \"./r.sh\" `./s.sh`"),
            (Paths{"q.sh", "r.sh", "s.sh"}));
  EXPECT_EQ(RelativePathsInCommand("a\t./x.sh\n./y.sh"), (Paths{"x.sh", "y.sh"}));
}

TEST(RelativePathsInCommand, FindsAssignedPaths) {
  EXPECT_EQ(RelativePathsInCommand("x=./a.sh ./run"), (Paths{"a.sh", "run"}));
  EXPECT_EQ(RelativePathsInCommand("--script=lib/b.py"), Paths{"lib/b.py"});
  // No slash after '=': not a path.
  EXPECT_EQ(RelativePathsInCommand("a=b"), Paths{});
}

TEST(RelativePathsInCommand, KernelSelftestCommands) {
  EXPECT_EQ(RelativePathsInCommand(R"(grep " 0A " /proc/net/tcp /proc/net/tcp6 | grep ":1F90")"),
            Paths{});
  EXPECT_EQ(RelativePathsInCommand("./set_sysctls.py /proc/sys/net/ipv4/tcp_ecn=3"),
            Paths{"set_sysctls.py"});
}

TEST(RelativePathsInCommand, LeavesOutPrefixesAndSysctlKeys) {
  EXPECT_EQ(RelativePathsInCommand("ip route add 10.0.0.0/8 dev tun0; ip -6 route add fd00::/64"),
            std::vector<std::string>{});
  EXPECT_EQ(RelativePathsInCommand("sysctl -w net/ipv4/tcp_pacing_ss_ratio=200"),
            std::vector<std::string>{});
  EXPECT_EQ(RelativePathsInCommand("X=./a.sh ./b.sh"), (std::vector<std::string>{"a.sh", "b.sh"}));
}

TEST(RelativePathsInHelper, SkipsCommentsButNotWords) {
  std::string helper =
      "#!/bin/bash\n"
      "# Sourced by the SYN/ACK tests.\n"
      ". scripts/linux.sh  # settings\n"
      "echo $# ../lib/x.sh\n";
  EXPECT_EQ(RelativePathsInHelper(helper),
            (std::vector<std::string>{"scripts/linux.sh", "../lib/x.sh"}));
}

TEST(NormalizeRelativePath, RemovesDotAndDotDot) {
  EXPECT_EQ(NormalizeRelativePath("a/./b/../c"), "a/c");
  EXPECT_EQ(NormalizeRelativePath("./a"), "a");
  EXPECT_EQ(NormalizeRelativePath("a//b/"), "a/b");
  EXPECT_EQ(NormalizeRelativePath("a/.."), "");
  EXPECT_EQ(NormalizeRelativePath("."), "");
  EXPECT_EQ(NormalizeRelativePath(""), "");
}

TEST(NormalizeRelativePath, KeepsLeadingDotDot) {
  EXPECT_EQ(NormalizeRelativePath("../x"), "../x");
  EXPECT_EQ(NormalizeRelativePath("../../x/../y"), "../../y");
  EXPECT_EQ(NormalizeRelativePath("a/../../b"), "../b");
  EXPECT_EQ(NormalizeRelativePath("./../common/./defaults.sh"), "../common/defaults.sh");
}

}  // namespace
}  // namespace pktc
