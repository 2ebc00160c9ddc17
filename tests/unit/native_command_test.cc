// Which command lines run without a shell, and how the subset behaves.
#include "commands/native_command.h"

#include <gtest/gtest.h>

namespace pktc::rt {
namespace {

NativeCommandContext Context() { return {"/nonexistent-dir", "4242"}; }

TEST(NativeCommand, AcceptsTheLinesScriptsUse) {
  for (const char* line : {
           "sysctl -q net.ipv4.tcp_timestamps=1",
           "sysctl -q net.ipv4.tcp_rmem=\"4096 540000 $((15*1024*1024))\"",
           "sysctl -q net.ipv4.tcp_early_retrans=4 net.ipv4.tcp_recovery=1",
           "sysctl -q net.ipv4.tcp_notsent_lowat=4294967295 > /dev/null 2>&1",
           "ip tcp_metrics flush all > /dev/null 2>&1",
           "tc qdisc add dev tun0 root pfifo",
           "ip link set dev tun0 mtu 1200",
           "ethtool -K tun0 tso off",
           "echo 0 > /proc/sys/net/ipv4/tcp_ecn",
           "./set_sysctls.py /proc/sys/net/ipv4/tcp_min_tso_segs=10",
           "# just a comment\ntrue",
           "sysctl -q net.ipv4.tcp_ecn=3 \\\n  net.ipv4.tcp_ecn_option=2",
       }) {
    EXPECT_TRUE(IsNativeCommand(line, Context())) << line;
  }
}

TEST(NativeCommand, LeavesEverythingElseToTheShell) {
  for (const char* line : {
           "nstat -n; nstat | grep TcpExtTCPFastOpen",
           "grep \" 0A \" /proc/net/tcp /proc/net/tcp6 | grep \":1F90\"",
           "echo $HOME",
           "sysctl net.ipv4.tcp_ecn",  // a read prints: the real sysctl's job
           "echo x > /tmp/testfile",   // files outside /proc need a shell
           "tc qdisc add dev tun0 root fq",
           "for i in 1 2; do true; done",
           "cat /proc/net/snmp",
           "./missing_script.sh",
           "echo `date`",
           "ls *",
       }) {
    EXPECT_FALSE(IsNativeCommand(line, Context())) << line;
  }
}

TEST(NativeCommand, ExpandsPpidAndArithmetic) {
  // Nothing here touches the system: echo to /dev/null.
  int status = -1;
  ASSERT_TRUE(RunNativeCommand("echo ${PPID} $PPID $((2*(3+4))) > /dev/null", Context(), &status));
  EXPECT_EQ(status, 0);
}

TEST(NativeCommand, MissingSysctlKeyFailsLikeSysctl) {
  int status = -1;
  ASSERT_TRUE(RunNativeCommand("sysctl -q net.ipv4.no_such_key_at_all=1 2>/dev/null", Context(),
                               &status));
  EXPECT_EQ(status, 1);
}

TEST(NativeCommand, StatusIsTheLastCommands) {
  int status = -1;
  ASSERT_TRUE(RunNativeCommand("sysctl -q net.ipv4.no_such_key=1 2>/dev/null\ntrue", Context(),
                               &status));
  EXPECT_EQ(status, 0);
}

// Arithmetic that overflows a long long was undefined behaviour in the runtime (UBSan:
// signed integer overflow; a literal too large for std::stoll even threw, and terminate()d the
// run). The shell defines what such arithmetic gives, so such a line is left to it.
TEST(NativeCommand, ArithmeticOverflowIsLeftToTheShell) {
  for (const char* line : {
           "echo $((9223372036854775807 + 1)) > /dev/null",
           "echo $((-9223372036854775807 - 2)) > /dev/null",
           "echo $((3037000500 * 3037000500)) > /dev/null",
           "echo $(((-9223372036854775807 - 1) / -1)) > /dev/null",
           "echo $(((-9223372036854775807 - 1) % -1)) > /dev/null",
           "echo $((99999999999999999999)) > /dev/null",
       }) {
    EXPECT_FALSE(IsNativeCommand(line, Context())) << line;
  }
  int status = -1;
  ASSERT_TRUE(RunNativeCommand("echo $((9223372036854775806 + 1)) $((-9223372036854775807 - 1)) "
                               "$((3037000499 * 3037000499)) > /dev/null",
                               Context(), &status));
  EXPECT_EQ(status, 0);
}

// The native sleep took its operand with strtod and slept (useconds_t)(seconds * 1e6): past
// 4294 s that conversion is undefined (UBSan float-cast-overflow; it slept 705 s for `sleep
// 5000`), and "1m" or "1e3" slept 1 s where sleep(1) sleeps a minute or refuses. Only a plain
// decimal number runs natively now, exactly; the real sleep gets anything else.
TEST(NativeCommand, SleepTakesPlainSecondsExactly) {
  timespec d{};
  ASSERT_TRUE(ParseSleepOperand("5000", &d));
  EXPECT_EQ(d.tv_sec, 5000);
  EXPECT_EQ(d.tv_nsec, 0);
  ASSERT_TRUE(ParseSleepOperand("0.25", &d));
  EXPECT_EQ(d.tv_sec, 0);
  EXPECT_EQ(d.tv_nsec, 250000000);
  ASSERT_TRUE(ParseSleepOperand(".5", &d));
  EXPECT_EQ(d.tv_nsec, 500000000);
  ASSERT_TRUE(ParseSleepOperand("999999999.123456789123", &d));
  EXPECT_EQ(d.tv_sec, 999999999);
  EXPECT_EQ(d.tv_nsec, 123456789);
  for (const char* operand : {"", ".", "1m", "1e3", "inf", "-1", "+1", "0x10", "1.2.3", " 1",
                              "1234567890"}) {
    EXPECT_FALSE(ParseSleepOperand(operand, &d)) << operand;
  }
  EXPECT_TRUE(IsNativeCommand("sleep 5000", Context()));
  EXPECT_FALSE(IsNativeCommand("sleep 1m", Context()));
  EXPECT_FALSE(IsNativeCommand("sleep inf", Context()));
  int status = -1;
  ASSERT_TRUE(RunNativeCommand("sleep 0.001", Context(), &status));
  EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace pktc::rt
