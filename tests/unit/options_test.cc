// Unit tests for runtime/harness/options.h: header and command-line options of a test binary, and the
// per-family address resolution (kernel selftest runner defaults, family-specific overrides).

#include "harness/options.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "pktc/runtime.h"

namespace pktc::rt {
namespace {

using Header = std::vector<HeaderOption>;

// A ScriptInfo with the given header options and nothing else.
struct FakeScript {
  explicit FakeScript(std::vector<HeaderOption> header = {}) : header_options(std::move(header)) {
    info.path = "tests/sample.pkt";
    info.name = "sample";
    info.header_options = header_options.data();
    info.header_option_count = header_options.size();
    info.files = nullptr;
    info.file_count = 0;
    info.init_command = nullptr;
    info.cleanup_command = nullptr;
    info.body = nullptr;
  }
  FakeScript(const FakeScript&) = delete;  // `info` points into `header_options`
  std::vector<HeaderOption> header_options;
  ScriptInfo info{};
};

// Runs ParseOptions with argv = {"sample", args...}.
bool Parse(const FakeScript& script, std::initializer_list<std::string> args, Options* options,
           std::string* error) {
  std::vector<std::string> storage = {"sample"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return ParseOptions(script.info, static_cast<int>(storage.size()), argv.data(), options, error);
}

Options ParseOk(std::initializer_list<std::string> args, const FakeScript& script = FakeScript()) {
  Options o;
  std::string error;
  EXPECT_TRUE(Parse(script, args, &o, &error)) << error;
  return o;
}

std::string ParseError(std::initializer_list<std::string> args,
                       const FakeScript& script = FakeScript()) {
  Options o;
  std::string error;
  EXPECT_FALSE(Parse(script, args, &o, &error)) << "accepted";
  return error;
}

FamilyConfig ResolveOk(const Options& o, const std::string& family) {
  FamilyConfig c;
  std::string error;
  EXPECT_TRUE(ResolveFamily(o, family, &c, &error)) << family << ": " << error;
  return c;
}

std::string ResolveError(const Options& o, const std::string& family) {
  FamilyConfig c;
  std::string error;
  EXPECT_FALSE(ResolveFamily(o, family, &c, &error)) << family << " accepted";
  return error;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

using Strings = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// ParseOptions

TEST(Options, DefaultsRunBothFamilies) {
  Options o = ParseOk({});
  EXPECT_EQ(o.ip_versions, Strings({"ipv4", "ipv6"}));
  EXPECT_FALSE(o.ip_version_given);
  EXPECT_FALSE(o.local_ip);
  EXPECT_FALSE(o.remote_ip);
  EXPECT_FALSE(o.gateway_ip);
  EXPECT_FALSE(o.netmask_ip);
  EXPECT_FALSE(o.mtu);
  EXPECT_EQ(o.bind_port, 8080);
  EXPECT_EQ(o.connect_port, 8080);
  EXPECT_EQ(o.tolerance_usecs, 4000);
  EXPECT_DOUBLE_EQ(o.tolerance_percent, 12.5);
  EXPECT_FALSE(o.verbose);
  EXPECT_FALSE(o.dry_run);
  EXPECT_FALSE(o.help);
  EXPECT_FALSE(o.version);
  EXPECT_TRUE(o.defines.empty());
}

TEST(Options, IpVersionSelectsOneFamily) {
  Options o = ParseOk({"--ip_version=ipv4"});
  EXPECT_EQ(o.ip_versions, Strings({"ipv4"}));
  EXPECT_TRUE(o.ip_version_given);
  EXPECT_EQ(ParseOk({"--ip_version", "ipv6"}).ip_versions, Strings({"ipv6"}));
  EXPECT_EQ(ParseOk({"--ip_version=ipv4-mapped-ipv6"}).ip_versions, Strings({"ipv4-mapped-ipv6"}));
  // The last one wins.
  EXPECT_EQ(ParseOk({"--ip_version=ipv4", "--ip_version=ipv6"}).ip_versions, Strings({"ipv6"}));
}

TEST(Options, ValuesInBothSpellings) {
  Options o =
      ParseOk({"--bind_port=9000", "--connect_port", "9001", "--mtu=1400", "--tolerance_usecs",
               "10000", "--tolerance_percent=25", "--local_ip=10.0.0.1", "--remote_ip",
               "10.0.1.1/24", "--gateway_ip=10.0.0.254", "--netmask_ip=255.255.255.0"});
  EXPECT_EQ(o.bind_port, 9000);
  EXPECT_EQ(o.connect_port, 9001);
  EXPECT_EQ(o.mtu, 1400);
  EXPECT_EQ(o.tolerance_usecs, 10000);
  EXPECT_DOUBLE_EQ(o.tolerance_percent, 25.0);
  EXPECT_EQ(o.local_ip, "10.0.0.1");
  EXPECT_EQ(o.remote_ip, "10.0.1.1/24");
  EXPECT_EQ(o.gateway_ip, "10.0.0.254");
  EXPECT_EQ(o.netmask_ip, "255.255.255.0");
}

TEST(Options, FlagsTakeNoValue) {
  Options o = ParseOk({"--verbose", "--dry_run", "--bind_port=7"});
  EXPECT_TRUE(o.verbose);
  EXPECT_TRUE(o.dry_run);
  EXPECT_EQ(o.bind_port, 7);
  EXPECT_TRUE(ParseOk({"-v"}).verbose);
  EXPECT_TRUE(ParseOk({"-h"}).help);
  EXPECT_TRUE(ParseOk({"--help"}).help);
  EXPECT_TRUE(ParseOk({"--version"}).version);
  // Accepted for packetdrill compatibility.
  ParseOk({"--send_omit_free", "--debug", "--tcp_ts_tick_usecs=0"});
}

TEST(Options, HeaderOptionsApplyFirst) {
  FakeScript script(Header{{"ip_version", "ipv6"},
                           {"tolerance_usecs", "10000"},
                           {"bind_port", "9000"},
                           {"verbose", nullptr}});
  Options o = ParseOk({}, script);
  EXPECT_EQ(o.ip_versions, Strings({"ipv6"}));
  EXPECT_TRUE(o.ip_version_given);
  EXPECT_EQ(o.tolerance_usecs, 10000);
  EXPECT_EQ(o.bind_port, 9000);
  EXPECT_TRUE(o.verbose);
}

TEST(Options, CommandLineOverridesHeader) {
  FakeScript script(Header{{"ip_version", "ipv6"}, {"tolerance_usecs", "10000"}, {"mtu", "1400"}});
  Options o = ParseOk({"--tolerance_usecs=5000", "--ip_version=ipv4"}, script);
  EXPECT_EQ(o.tolerance_usecs, 5000);
  EXPECT_EQ(o.ip_versions, Strings({"ipv4"}));
  EXPECT_EQ(o.mtu, 1400);  // not overridden: kept from the header
}

TEST(Options, HeaderErrorNamesTheScript) {
  FakeScript unknown(Header{{"bogus", "1"}});
  EXPECT_EQ(ParseError({}, unknown), "tests/sample.pkt: unknown option '--bogus' (see --help)");
  FakeScript bad(Header{{"bind_port", "0"}});
  EXPECT_EQ(ParseError({}, bad), "tests/sample.pkt: bad --bind_port: 0 (expected an integer from 1 to 65535)");
  FakeScript missing(Header{{"mtu", nullptr}});
  EXPECT_EQ(ParseError({}, missing), "tests/sample.pkt: option --mtu needs a value");
}

TEST(Options, DefinesInEverySpelling) {
  Options o = ParseOk({"-D", "TFO_COOKIE=3021b9d889017eeb", "-DCODE=host_unreachable",
                       "--define=CMSG_LEVEL_IP=SOL_IP", "--define", "X=1", "-D", "EMPTY="});
  EXPECT_EQ(o.defines.size(), 5u);
  EXPECT_EQ(o.defines["TFO_COOKIE"], "3021b9d889017eeb");
  EXPECT_EQ(o.defines["CODE"], "host_unreachable");
  EXPECT_EQ(o.defines["CMSG_LEVEL_IP"], "SOL_IP");
  EXPECT_EQ(o.defines["X"], "1");
  EXPECT_EQ(o.defines["EMPTY"], "");
}

TEST(Options, DefineValueMayContainEquals) {
  Options o = ParseOk({"-D", "EXPR=a=b", "-DX=1", "-DX=2"});
  EXPECT_EQ(o.defines["EXPR"], "a=b");
  EXPECT_EQ(o.defines["X"], "2");  // the last one wins
}

TEST(Options, BadDefines) {
  EXPECT_EQ(ParseError({"-D", "NOVALUE"}), "bad --define: NOVALUE (expected NAME=VALUE)");
  EXPECT_EQ(ParseError({"-D=x"}), "bad --define: =x (expected NAME=VALUE)");
  EXPECT_EQ(ParseError({"-D"}), "option --define needs a value");
}

TEST(Options, UnknownOptionErrorText) {
  EXPECT_EQ(ParseError({"--bogus"}), "unknown option '--bogus' (see --help)");
  EXPECT_EQ(ParseError({"--bogus=1"}), "unknown option '--bogus' (see --help)");
  EXPECT_EQ(ParseError({"--verbose", "--no_such_thing", "x"}),
            "unknown option '--no_such_thing' (see --help)");
}

TEST(Options, PositionalArgumentsRejected) {
  EXPECT_EQ(ParseError({"other.pkt"}),
            "unexpected argument 'other.pkt' (the script is built in; see --help)");
  EXPECT_TRUE(Contains(ParseError({"-x"}), "unexpected argument '-x'"));
  EXPECT_TRUE(Contains(ParseError({"--"}), "unexpected argument '--'"));
}

TEST(Options, BadValues) {
  EXPECT_EQ(ParseError({"--ip_version=ipv5"}), "bad --ip_version: ipv5 (expected ipv4, ipv6 or ipv4-mapped-ipv6)");
  EXPECT_EQ(ParseError({"--ip_version="}), "bad --ip_version:  (expected ipv4, ipv6 or ipv4-mapped-ipv6)");
  EXPECT_EQ(ParseError({"--bind_port=0"}), "bad --bind_port: 0 (expected an integer from 1 to 65535)");
  EXPECT_EQ(ParseError({"--bind_port=65536"}), "bad --bind_port: 65536 (expected an integer from 1 to 65535)");
  EXPECT_EQ(ParseError({"--connect_port=80x"}), "bad --connect_port: 80x (expected an integer from 1 to 65535)");
  EXPECT_EQ(ParseError({"--connect_port=-1"}), "bad --connect_port: -1 (expected an integer from 1 to 65535)");
  EXPECT_EQ(ParseError({"--mtu=abc"}), "bad --mtu: abc (expected an integer from 68 to 65535)");
  EXPECT_EQ(ParseError({"--mtu=67"}), "bad --mtu: 67 (expected an integer from 68 to 65535)");
  EXPECT_EQ(ParseError({"--tolerance_usecs=0"}), "bad --tolerance_usecs: 0 (expected an integer from 1 to 2147483647)");
  EXPECT_EQ(ParseError({"--tolerance_usecs="}), "bad --tolerance_usecs:  (expected an integer from 1 to 2147483647)");
  EXPECT_EQ(ParseError({"--tolerance_percent=101"}), "bad --tolerance_percent: 101 (expected a number from 0 to 100)");
  EXPECT_EQ(ParseError({"--tolerance_percent=-1"}), "bad --tolerance_percent: -1 (expected a number from 0 to 100)");
  EXPECT_EQ(ParseError({"--tolerance_percent=12.5%"}), "bad --tolerance_percent: 12.5% (expected a number from 0 to 100)");
  EXPECT_EQ(ParseError({"--tcp_ts_tick_usecs=1000001"}), "bad --tcp_ts_tick_usecs: 1000001 (expected an integer from 0 to 1000000)");
  EXPECT_EQ(ParseOk({"--tcp_ts_tick_usecs=10"}).tcp_ts_tick_usecs, 10);
  EXPECT_EQ(ParseError({"--mss=0"}), "bad --mss: 0 (expected an integer from 1 to 65535)");
  EXPECT_EQ(ParseOk({"--mss=1000"}).mss, 1000);
}

TEST(Options, BoundaryValuesAccepted) {
  Options o = ParseOk({"--bind_port=1", "--connect_port=65535", "--mtu=68", "--tolerance_percent=0",
                       "--tolerance_usecs=1"});
  EXPECT_EQ(o.bind_port, 1);
  EXPECT_EQ(o.connect_port, 65535);
  EXPECT_EQ(o.mtu, 68);
  EXPECT_DOUBLE_EQ(o.tolerance_percent, 0.0);
  EXPECT_EQ(o.tolerance_usecs, 1);
  EXPECT_DOUBLE_EQ(ParseOk({"--tolerance_percent=100"}).tolerance_percent, 100.0);
}

TEST(Options, MissingValueAtEnd) {
  EXPECT_EQ(ParseError({"--bind_port"}), "option --bind_port needs a value");
  EXPECT_EQ(ParseError({"--local_ip"}), "option --local_ip needs a value");
}

// Regression: NaN passed the range check (every comparison with NaN is false) and an empty
// value parsed as 0.
TEST(Options, TolerancePercentRejectsNanAndEmpty) {
  EXPECT_EQ(ParseError({"--tolerance_percent=nan"}), "bad --tolerance_percent: nan (expected a number from 0 to 100)");
  EXPECT_EQ(ParseError({"--tolerance_percent="}), "bad --tolerance_percent:  (expected a number from 0 to 100)");
}

// Regression: integer options were parsed with base 0 (010 was octal); packetdrill reads them
// in decimal.
TEST(Options, IntegerOptionsAreDecimal) {
  EXPECT_EQ(ParseOk({"--mtu=01500"}).mtu, 1500);
  EXPECT_EQ(ParseOk({"--bind_port=010"}).bind_port, 10);
}

// Regression: upstream packetdrill also accepts the spelling ipv4_mapped_ipv6.
TEST(Options, IpVersionAcceptsUnderscoreMappedSpelling) {
  EXPECT_EQ(ParseOk({"--ip_version=ipv4_mapped_ipv6"}).ip_versions.size(), 1u);
}

TEST(Options, UsageTextNamesScriptAndOptions) {
  FakeScript script;
  std::string usage = UsageText(script.info, "./sample");
  EXPECT_EQ(usage.rfind("usage: ./sample [options]", 0), 0u);
  EXPECT_TRUE(Contains(usage, "tests/sample.pkt"));
  for (const char* option :
       {"--ip_version", "--local_ip", "--remote_ip", "--bind_port", "--mtu", "--tolerance_usecs",
        "--tolerance_percent", "-D NAME=VALUE", "--verbose", "--dry_run"}) {
    EXPECT_TRUE(Contains(usage, option)) << option;
  }
}

// ---------------------------------------------------------------------------------------------
// ResolveFamily

TEST(ResolveFamily, KselftestDefaultsIpv4) {
  Options o = ParseOk({});
  FamilyConfig c = ResolveOk(o, "ipv4");
  EXPECT_EQ(c.name, "ipv4");
  EXPECT_EQ(c.socket_family, AF_INET);
  EXPECT_EQ(c.local.family, AF_INET);
  EXPECT_EQ(c.local.ToString(), "192.168.0.1");
  EXPECT_EQ(c.remote.ToString(), "192.0.2.1");
  EXPECT_EQ(c.local_prefix_len, 16);
  EXPECT_EQ(c.remote_prefix_len, 32);
  EXPECT_EQ(c.mtu, 1500);
  EXPECT_EQ(c.bind_port, 8080);
  EXPECT_EQ(c.connect_port, 8080);
  EXPECT_EQ(c.tolerance_usecs, 4000);
  EXPECT_DOUBLE_EQ(c.tolerance_percent, 12.5);
  EXPECT_FALSE(c.verbose);
}

TEST(ResolveFamily, KselftestDefaultsIpv6) {
  FamilyConfig c = ResolveOk(ParseOk({}), "ipv6");
  EXPECT_EQ(c.name, "ipv6");
  EXPECT_EQ(c.socket_family, AF_INET6);
  EXPECT_EQ(c.local.family, AF_INET6);
  EXPECT_EQ(c.local.ToString(), "fd3d:a0b:17d6::1");
  EXPECT_EQ(c.remote.ToString(), "fd3d:fa7b:d17d::1");
  EXPECT_EQ(c.local_prefix_len, 48);
  EXPECT_EQ(c.remote_prefix_len, 128);
  EXPECT_EQ(c.mtu, 1520);
}

TEST(ResolveFamily, MappedUsesIpv4OnTheWireAndIpv6Sockets) {
  FamilyConfig c = ResolveOk(ParseOk({}), "ipv4-mapped-ipv6");
  EXPECT_EQ(c.name, "ipv4-mapped-ipv6");
  EXPECT_EQ(c.socket_family, AF_INET6);
  EXPECT_EQ(c.local.family, AF_INET);
  EXPECT_EQ(c.local.ToString(), "192.168.0.1");
  EXPECT_EQ(c.remote.ToString(), "192.0.2.1");
  EXPECT_EQ(c.mtu, 1500);
}

TEST(ResolveFamily, WireGatewayIsLocalIpsNeighbourUnlessGiven) {
  FamilyConfig v4 = ResolveOk(ParseOk({}), "ipv4");
  EXPECT_EQ(v4.gateway.ToString(), "192.168.0.2");
  EXPECT_FALSE(v4.gateway_given);
  EXPECT_EQ(ResolveOk(ParseOk({}), "ipv6").gateway.ToString(), "fd3d:a0b:17d6::2");
  Options o = ParseOk({"--gateway_ip=192.168.7.7", "--local_ip=192.168.0.2"});
  FamilyConfig given = ResolveOk(o, "ipv4");
  EXPECT_EQ(given.gateway.ToString(), "192.168.7.7");
  EXPECT_TRUE(given.gateway_given);
  // An IPv4 gateway says nothing about the IPv6 run, whose default follows its local_ip.
  EXPECT_FALSE(ResolveOk(o, "ipv6").gateway_given);
  EXPECT_EQ(ResolveOk(ParseOk({"--local_ip=192.168.0.2"}), "ipv4").gateway.ToString(),
            "192.168.0.1");
}

TEST(ResolveFamily, MtuOptionOverridesBothDefaults) {
  Options o = ParseOk({"--mtu=9000"});
  EXPECT_EQ(ResolveOk(o, "ipv4").mtu, 9000);
  EXPECT_EQ(ResolveOk(o, "ipv6").mtu, 9000);
}

TEST(ResolveFamily, NetmaskSetsIpv4Prefix) {
  Options o = ParseOk({"--netmask_ip=255.255.255.0"});
  EXPECT_EQ(ResolveOk(o, "ipv4").local_prefix_len, 24);
  EXPECT_EQ(ResolveOk(o, "ipv4-mapped-ipv6").local_prefix_len, 24);
  EXPECT_EQ(ResolveOk(o, "ipv6").local_prefix_len, 48);  // IPv6 prefix is fixed
  EXPECT_EQ(ResolveOk(ParseOk({"--netmask_ip=255.0.0.0"}), "ipv4").local_prefix_len, 8);
  EXPECT_EQ(ResolveOk(ParseOk({"--netmask_ip=255.255.255.255"}), "ipv4").local_prefix_len, 32);
}

TEST(ResolveFamily, BadNetmask) {
  EXPECT_EQ(ResolveError(ParseOk({"--netmask_ip=24"}), "ipv4"), "bad --netmask_ip: 24");
  EXPECT_EQ(ResolveError(ParseOk({"--netmask_ip=ffff::"}), "ipv4"), "bad --netmask_ip: ffff::");
}

TEST(ResolveFamily, Ipv4LocalIpOnlyAppliesToIpv4Family) {
  Options o = ParseOk({"--local_ip=10.0.0.1"});
  EXPECT_EQ(ResolveOk(o, "ipv4").local.ToString(), "10.0.0.1");
  EXPECT_EQ(ResolveOk(o, "ipv4-mapped-ipv6").local.ToString(), "10.0.0.1");
  EXPECT_EQ(ResolveOk(o, "ipv6").local.ToString(), "fd3d:a0b:17d6::1");
}

TEST(ResolveFamily, Ipv6LocalIpOnlyAppliesToIpv6Family) {
  Options o = ParseOk({"--local_ip=fd00::5"});
  EXPECT_EQ(ResolveOk(o, "ipv4").local.ToString(), "192.168.0.1");
  EXPECT_EQ(ResolveOk(o, "ipv6").local.ToString(), "fd00::5");
}

TEST(ResolveFamily, RemoteIpWithPrefix) {
  Options o = ParseOk({"--remote_ip=198.51.100.7/24"});
  FamilyConfig v4 = ResolveOk(o, "ipv4");
  EXPECT_EQ(v4.remote.ToString(), "198.51.100.7");
  EXPECT_EQ(v4.remote_prefix_len, 24);
  FamilyConfig v6 = ResolveOk(o, "ipv6");  // not an IPv6 address: the default stays
  EXPECT_EQ(v6.remote.ToString(), "fd3d:fa7b:d17d::1");
  EXPECT_EQ(v6.remote_prefix_len, 128);

  FamilyConfig six = ResolveOk(ParseOk({"--remote_ip=2001:db8::1/32"}), "ipv6");
  EXPECT_EQ(six.remote.ToString(), "2001:db8::1");
  EXPECT_EQ(six.remote_prefix_len, 32);

  FamilyConfig plain = ResolveOk(ParseOk({"--remote_ip=198.51.100.7"}), "ipv4");
  EXPECT_EQ(plain.remote_prefix_len, 32);
}

TEST(ResolveFamily, BadRemotePrefix) {
  EXPECT_TRUE(Contains(ResolveError(ParseOk({"--remote_ip=198.51.100.7/33"}), "ipv4"),
                       "bad --remote_ip prefix"));
  EXPECT_TRUE(Contains(ResolveError(ParseOk({"--remote_ip=198.51.100.7/"}), "ipv4"),
                       "bad --remote_ip prefix"));
  EXPECT_TRUE(Contains(ResolveError(ParseOk({"--remote_ip=2001:db8::1/129"}), "ipv6"),
                       "bad --remote_ip prefix"));
}

TEST(ResolveFamily, UnparsableAddressesIgnoredOrRejected) {
  // Text that is no address fits no family, so each family keeps its default.
  Options o = ParseOk({"--local_ip=not-an-address"});
  EXPECT_EQ(ResolveOk(o, "ipv4").local.ToString(), "192.168.0.1");
  // An address of the family with a stray prefix cannot be used as local_ip.
  EXPECT_TRUE(Contains(ResolveError(ParseOk({"--local_ip=10.0.0.1/8"}), "ipv4"), "bad --local_ip"));
}

TEST(ResolveFamily, LocalEqualToRemoteRejected) {
  Options o = ParseOk({"--local_ip=192.0.2.1"});
  std::string error = ResolveError(o, "ipv4");
  EXPECT_EQ(error, "remote_ip 192.0.2.1 is not remote: it equals local_ip");
  ResolveOk(o, "ipv6");  // the IPv4 option does not touch the IPv6 run

  EXPECT_TRUE(
      Contains(ResolveError(ParseOk({"--local_ip=fd00::1", "--remote_ip=fd00::1/64"}), "ipv6"),
               "equals local_ip"));
}

TEST(ResolveFamily, CopiesRunSettings) {
  Options o = ParseOk({"--bind_port=1234", "--connect_port=4321", "--tolerance_usecs=7000",
                       "--tolerance_percent=50", "-v", "-DA=1"});
  for (const char* family : {"ipv4", "ipv6", "ipv4-mapped-ipv6"}) {
    FamilyConfig c = ResolveOk(o, family);
    EXPECT_EQ(c.bind_port, 1234);
    EXPECT_EQ(c.connect_port, 4321);
    EXPECT_EQ(c.tolerance_usecs, 7000);
    EXPECT_DOUBLE_EQ(c.tolerance_percent, 50.0);
    EXPECT_TRUE(c.verbose);
    EXPECT_EQ(c.defines.at("A"), "1");
  }
}

}  // namespace
}  // namespace pktc::rt
