// Which command lines run without a shell, and how the subset behaves.
#include "commands/native_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "commands/nstat.h"

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
           // The rest of the kernel corpus's lines, so a VM needs no shell:
           "/bin/rm -f /tmp/testfile",
           "/bin/dd bs=1 count=5 if=/dev/zero of=/tmp/testfile status=none",
           "tc qdisc replace dev tun0 root fq",
           "tc qdisc delete dev tun0 root 2>/dev/null ; tc qdisc add dev tun0 root pfifo limit 0",
           "sysctl -e -q net.ipv4.tcp_min_tso_segs=2",
           "grep \" 0A \" /proc/net/tcp /proc/net/tcp6 | grep \":1F90\"",
           "nstat -n",
           "nstat > /dev/null",
           "nstat -s | grep TcpExtBeyondWindow | grep -q \" 2 \"",
           "nstat | grep TcpExtOutOfWindowIcmps > /dev/null",
           "nstat -n; nstat | grep TcpExtTCPFastOpen",
           "# just a comment\ntrue",
           "sysctl -q net.ipv4.tcp_ecn=3 \\\n  net.ipv4.tcp_ecn_option=2",
       }) {
    EXPECT_TRUE(IsNativeCommand(line, Context())) << line;
  }
}

TEST(NativeCommand, LeavesEverythingElseToTheShell) {
  for (const char* line : {
           "nstat | grep 'TcpExt.*Drop'",  // a regular expression: grep's own
           "nstat -d 5",                    // nstat's daemon
           "grep -v x /proc/net/tcp",
           "grep x",                        // grep of the script's standard input
           "nstat |",
           "nstat || true",
           "true | grep x",
           "nstat > /dev/null | grep x",
           "dd if=/dev/zero of=/tmp/f bs=1 count=5",  // dd's transfer report: the real dd's
           "rm -rf /tmp/x",
           "echo $HOME",
           "sysctl net.ipv4.tcp_ecn",  // a read prints: the real sysctl's job
           "echo x > /tmp/testfile",   // files outside /proc need a shell
           "tc qdisc add dev tun0 root fq_codel",
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

TEST(NativeCommand, PipelinesGrepWhatTheFirstCommandPrints) {
  char dir[] = "/tmp/pktc-native-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  NativeCommandContext context{dir, "4242"};
  std::string file = std::string(dir) + "/f";
  int status = -1;
  ASSERT_TRUE(RunNativeCommand("echo 'a 0A b' > /dev/null; /bin/dd bs=1 count=5 if=/dev/zero "
                               "of=" + file + " status=none",
                               context, &status));
  EXPECT_EQ(status, 0);
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 5);
  ASSERT_TRUE(RunNativeCommand("echo 'x 0A y' | grep ' 0A ' | grep -q y", context, &status));
  EXPECT_EQ(status, 0);
  ASSERT_TRUE(RunNativeCommand("echo 'x 0A y' | grep -q z", context, &status));
  EXPECT_EQ(status, 1);
  // grep of files: no match is 1, a missing file 2 (quiet about it here).
  ASSERT_TRUE(RunNativeCommand("grep -q zzz " + file + " 2>/dev/null", context, &status));
  EXPECT_EQ(status, 1);
  ASSERT_TRUE(RunNativeCommand("grep -q zzz nosuchfile 2>/dev/null", context, &status));
  EXPECT_EQ(status, 2);
  ASSERT_TRUE(RunNativeCommand("rm -f " + file + " nosuchfile", context, &status));
  EXPECT_EQ(status, 0);
  EXPECT_NE(stat(file.c_str(), &st), 0);
  ASSERT_TRUE(RunNativeCommand("rm nosuchfile 2>/dev/null", context, &status));
  EXPECT_EQ(status, 1);
  rmdir(dir);
}

TEST(Nstat, CountersInNstatsOrderAndNames) {
  std::string snmp =
      "Ip: Forwarding DefaultTTL InReceives\nIp: 2 64 7\n"
      "Tcp: RtoAlgorithm RtoMin MaxConn CurrEstab InSegs\nTcp: 1 200 -1 3 9\n";
  std::string snmp6 = "Ip6InReceives                   \t4\nIcmp6InMsgs 0\n";
  std::string netstat = "TcpExt: SyncookiesSent BeyondWindow\nTcpExt: 0 2\n";
  auto counters = ParseNstatCounters(snmp, snmp6, netstat);
  std::vector<std::pair<std::string, std::uint64_t>> want = {
      {"IpInReceives", 7},  {"TcpInSegs", 9},          {"Ip6InReceives", 4},
      {"Icmp6InMsgs", 0},   {"TcpExtSyncookiesSent", 0}, {"TcpExtBeyondWindow", 2}};
  EXPECT_EQ(counters, want);
}

TEST(Nstat, PrintsIncrementsSinceTheHistoryAsNstatDoes) {
  std::vector<std::pair<std::string, std::uint64_t>> counters = {
      {"IpInReceives", 7}, {"TcpExtBeyondWindow", 2}, {"TcpExtTCPRcvQDrop", 0}};
  NstatOptions plain;
  // No history: counts since the namespace began; zeros left out.
  EXPECT_EQ(FormatNstat(plain, counters, ""),
            "#kernel\n"
            "IpInReceives                    7                  0.0\n"
            "TcpExtBeyondWindow              2                  0.0\n");
  // What nstat -n would have written at an earlier point, then the increments since.
  std::string history = NstatHistory({{"IpInReceives", 5}, {"TcpExtBeyondWindow", 2}});
  EXPECT_EQ(history,
            "#kernel\n"
            "IpInReceives                    5                  0.0\n"
            "TcpExtBeyondWindow              2                  0.0\n");
  EXPECT_EQ(FormatNstat(plain, counters, history),
            "#kernel\n"
            "IpInReceives                    2                  0.0\n");
  NstatOptions all;
  all.absolute = all.zeros = true;
  all.names = {"TcpExtTCPRcvQDrop"};
  EXPECT_EQ(FormatNstat(all, counters, history),
            "#kernel\n"
            "TcpExtTCPRcvQDrop               0                  0.0\n");
  ASSERT_TRUE(ParseNstatArgs({"-sz"}).has_value());
  EXPECT_TRUE(ParseNstatArgs({"-sz"})->no_update);
  EXPECT_FALSE(ParseNstatArgs({"-d", "5"}).has_value());
  EXPECT_FALSE(ParseNstatArgs({"TcpExt*"}).has_value());
}

}  // namespace
}  // namespace pktc::rt
