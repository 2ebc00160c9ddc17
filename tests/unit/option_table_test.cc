// Unit tests for common/option_table.h: the one table of options and its value parser.
#include "option_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pktc {
namespace {

TEST(OptionTable, NamesAndAliasesAreUnique) {
  std::set<std::string> seen;
  for (const OptionSpec& spec : AllOptions()) {
    EXPECT_TRUE(seen.insert(spec.name).second) << spec.name;
    if (*spec.alias) {
      EXPECT_TRUE(seen.insert(spec.alias).second) << spec.alias;
    }
  }
}

TEST(OptionTable, FindsByNameAndAlias) {
  ASSERT_NE(FindOption("verbose"), nullptr);
  EXPECT_EQ(FindOption("v"), FindOption("verbose"));
  EXPECT_EQ(FindOption("timing-report"), FindOption("timing_report"));
  EXPECT_EQ(FindOption("frobnicate"), nullptr);
}

TEST(OptionTable, EveryPacketdrillOptionIsARow) {
  // config.c's long options in google/packetdrill at 2c4001c.
  for (const char* name : {"ip_version",
                           "bind_port",
                           "code_command",
                           "code_format",
                           "code_sockopt",
                           "connect_port",
                           "remote_ip",
                           "local_ip",
                           "gateway_ip",
                           "netmask_ip",
                           "speed",
                           "mss",
                           "mtu",
                           "init_scripts",
                           "tolerance_usecs",
                           "tolerance_percent",
                           "wire_client",
                           "wire_server",
                           "wire_server_ip",
                           "wire_server_at",
                           "wire_server_port",
                           "wire_client_dev",
                           "wire_server_dev",
                           "so_filename",
                           "so_flags",
                           "tcp_ts_ecr_scaled",
                           "tcp_ts_tick_usecs",
                           "strict_segments",
                           "non_fatal",
                           "dry_run",
                           "is_anyip",
                           "send_omit_free",
                           "psp_udp_port",
                           "debug",
                           "define",
                           "verbose"}) {
    const OptionSpec* spec = FindOption(name);
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_EQ(spec->scope, OptionScope::kAnywhere) << name;
  }
}

TEST(OptionTable, AppliesValuesWithTheirRanges) {
  Options o;
  std::string error;
  EXPECT_TRUE(ApplyOption(*FindOption("tolerance_usecs"), "25000", &o, &error)) << error;
  EXPECT_EQ(o.tolerance_usecs, 25000);
  EXPECT_FALSE(ApplyOption(*FindOption("tolerance_usecs"), "abc", &o, &error));
  EXPECT_EQ(error, "bad --tolerance_usecs: abc (expected an integer from 1 to 2147483647)");
  EXPECT_FALSE(ApplyOption(*FindOption("mtu"), std::nullopt, &o, &error));
  EXPECT_EQ(error, "option --mtu needs a value");
  EXPECT_TRUE(ApplyOption(*FindOption("ip_version"), "ipv4_mapped_ipv6", &o, &error));
  EXPECT_EQ(o.ip_versions, std::vector<std::string>{"ipv4-mapped-ipv6"});
}

TEST(OptionTable, UnsupportedOptionsAreRefusedWithAReason) {
  Options o;
  std::string error;
  EXPECT_FALSE(ApplyOption(*FindOption("so_filename"), "stack.so", &o, &error));
  EXPECT_EQ(error,
            "option --so_filename is not supported by pktc: a test binary is statically linked "
            "against the kernel's own stack and cannot load a user-space stack as a shared "
            "object");
  EXPECT_FALSE(ApplyOption(*FindOption("psp_udp_port"), "1000", &o, &error));
  EXPECT_EQ(error,
            "option --psp_udp_port is not supported by pktc: PSP needs a PSP-capable device and "
            "keys, which pktc's wire mode does not handle yet");
  EXPECT_TRUE(ApplyOption(*FindOption("debug"), std::nullopt, &o, &error));
}

TEST(OptionTable, NonFatalTakesWordsAsPacketdrillDoes) {
  Options o;
  std::string error;
  EXPECT_TRUE(ApplyOption(*FindOption("non_fatal"), "packet, syscall,other", &o, &error));
  EXPECT_TRUE(o.non_fatal_packet);
  EXPECT_TRUE(o.non_fatal_syscall);
  Options p;
  EXPECT_TRUE(ApplyOption(*FindOption("non_fatal"), "syscall", &p, &error));
  EXPECT_FALSE(p.non_fatal_packet);
}

TEST(OptionTable, CodeOptionsAreCheckedLikePacketdrills) {
  Options o;
  std::string error;
  EXPECT_TRUE(ApplyOption(*FindOption("code_format"), "python", &o, &error));
  EXPECT_FALSE(ApplyOption(*FindOption("code_format"), "lua", &o, &error));
  EXPECT_EQ(error, "unsupported --code_format 'lua' (only python)");
  EXPECT_TRUE(ApplyOption(*FindOption("code_sockopt"), "TCP_CC_INFO", &o, &error));
  EXPECT_FALSE(ApplyOption(*FindOption("code_sockopt"), "TCP_MAXSEG", &o, &error));
  EXPECT_TRUE(ApplyOption(*FindOption("code_command"), "/usr/bin/python3 -B", &o, &error));
  EXPECT_EQ(o.code_command, "/usr/bin/python3 -B");
  EXPECT_FALSE(ApplyOption(*FindOption("speed"), "4294967296", &o, &error));
  EXPECT_TRUE(ApplyOption(*FindOption("speed"), "4294967295", &o, &error));
  EXPECT_EQ(o.speed, 4294967295u);
}

TEST(OptionTable, WireOptionsChooseTheRoleAsPacketdrill) {
  Options o;
  std::string error;
  EXPECT_EQ(o.wire_server_port, 8081);
  ASSERT_TRUE(ApplyOption(*FindOption("wire_server_ip"), "10.0.0.2", &o, &error)) << error;
  EXPECT_TRUE(o.wire_client);  // --wire_server_ip implies --wire_client.
  EXPECT_EQ(o.wire_server_ip, "10.0.0.2");
  ASSERT_TRUE(ApplyOption(*FindOption("wire_server"), std::nullopt, &o, &error));
  EXPECT_TRUE(o.wire_server);  // The last role wins.
  EXPECT_FALSE(o.wire_client);
  ASSERT_TRUE(ApplyOption(*FindOption("wire_server_dev"), "eth1", &o, &error));
  EXPECT_EQ(o.wire_server_dev, "eth1");
  EXPECT_FALSE(ApplyOption(*FindOption("wire_server_port"), "0", &o, &error));
  EXPECT_EQ(FindOption("wire_timeout")->scope, OptionScope::kCommandLine);
}

}  // namespace
}  // namespace pktc
