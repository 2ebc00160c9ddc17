// Option parsing for test binaries.
#include "harness/options.h"

#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

namespace pktc::rt {

namespace {

/// Applies one option by name, as the header or the command line spells it.
bool Apply(const std::string& name, const std::optional<std::string>& value, Options* o,
           std::string* error) {
  const OptionSpec* spec = FindOption(name);
  if (!spec) {
    *error = "unknown option '--" + name + "' (see --help)";
    return false;
  }
  return ApplyOption(*spec, value, o, error);
}

bool TakesValue(const std::string& name) {
  const OptionSpec* spec = FindOption(name);
  return spec && spec->TakesValue();
}

}  // namespace

bool ParseOptions(const ScriptInfo& script, int argc, char** argv, Options* o, std::string* error) {
  for (std::size_t i = 0; i < script.header_option_count; ++i) {
    const HeaderOption& h = script.header_options[i];
    std::optional<std::string> value;
    if (h.value) value = h.value;
    if (!Apply(h.name, value, o, error)) {
      *error = std::string(script.path) + ": " + *error;
      return false;
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string name;
    std::optional<std::string> value;
    if (arg == "-v") {
      name = "verbose";
    } else if (arg == "-h") {
      name = "help";
    } else if (arg.rfind("-D", 0) == 0 && arg.rfind("--", 0) != 0) {
      name = "define";
      if (arg.size() > 2) {
        value = arg.substr(2);
      } else if (i + 1 < argc) {
        value = argv[++i];
      }
    } else if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      size_t eq = arg.find('=');
      name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
      } else if (TakesValue(name) && i + 1 < argc) {
        value = argv[++i];
      }
    } else {
      *error = "unexpected argument '" + arg + "' (the script is built in; see --help)";
      return false;
    }
    if (!Apply(name, value, o, error)) return false;
  }
  return true;
}

std::string UsageText(const ScriptInfo& script, const char* argv0) {
  std::string text = std::string("usage: ") + argv0 + " [options]\n\n" +
                     "Runs the packetdrill script " + script.path +
                     " (compiled in by pktc) once per IP family,\n"
                     "each in network, mount and PID namespaces of its own (inside a user namespace when\n"
                     "not run as root), and prints KTAP.\n"
                     "Exit status: 0 pass, 1 fail, 4 skip (neither root nor user namespaces, or no\n"
                     "/dev/net/tun).\n\n"
                     "options (packetdrill's names):\n";
  text +=
      "  --ip_version=ipv4|ipv6|ipv4-mapped-ipv6  run one family (default: ipv4 and ipv6)\n"
      "  --local_ip=ADDR --remote_ip=ADDR[/LEN] --gateway_ip=ADDR --netmask_ip=MASK\n"
      "                          addresses (default: the kernel selftest runner's)\n"
      "  --bind_port=N --connect_port=N   ports (default 8080)\n"
      "  --mtu=N                 tun0 MTU (default 1500 for ipv4, 1520 for ipv6)\n"
      "  --tolerance_usecs=N     timing tolerance (default 4000)\n"
      "  --tolerance_percent=P   relative tolerance (default 12.5)\n"
      "  --tcp_ts_tick_usecs=N   check outbound TS val at N us per tick (default 0: unchecked)\n"
      "  --mss=N                 inject TCP packets as GSO packets of segment size N\n"
      "  --strict_segments       match each outbound line to one packet (no aggregation)\n"
      "  --tcp_ts_ecr_scaled     interpolate inbound TS ecr values no outbound TS val matches\n"
      "  --non_fatal=packet      outbound packet mismatches are warnings, the run goes on\n"
      "  --speed=MBPS            set tun0's link speed (ethtool -s tun0 speed N autoneg off)\n"
      "  --init_scripts=A,B      run these commands with /bin/sh before tun0 exists\n"
      "  --is_anyip              do not assign local_ip to tun0 (anyip tests route it)\n"
      "  --code_command=CMD      run the code blocks pktc did not compile with CMD (python3)\n"
      "  --code_format=python --code_sockopt=NAME   accepted as packetdrill's (checked)\n"
      "  --send_omit_free        accepted: send buffers are never freed in pktc\n"
      "  -D NAME=VALUE           override a define the script uses as a value\n"
      "  -v, --verbose           print every event with its scheduled and actual time\n"
      "  --junit FILE            also write the results as JUnit XML\n"
      "  --pcap DIR              write each family's packets to DIR/NAME.FAMILY.pcap\n"
      "  --timing-report         print p50/p99/max of the runtime's own timing error\n"
      "  --skip-missing-features a run whose command fails because the kernel lacks a setting\n"
      "                          (no such sysctl, or a value it rejects: EINVAL) is SKIP,\n"
      "                          naming the setting (default: a failure, as packetdrill)\n"
      "  --report-margins        print each family's closest timing margin (for pktc-run)\n"
      "  --parallel              run the families at the same time, each in its own\n"
      "                          namespaces (default: one after the other, as kselftest;\n"
      "                          faster, but the kernel's jiffy timers fire less exactly)\n"
      "  --dry_run               check the options and exit\n"
      "  --version, -h/--help\n"
      "environment: KSFT_MACHINE_SLOW=yes adds 10 ms tolerance and reports failures as XFAIL\n";
  return text;
}

bool ResolveFamily(const Options& o, const std::string& family, FamilyConfig* c,
                   std::string* error) {
  c->name = family;
  bool v6 = family == "ipv6";
  c->socket_family = family == "ipv4" ? AF_INET : AF_INET6;
  // The kernel selftest runner's addresses (tools/testing/selftests/net/packetdrill).
  std::string local = v6 ? "fd3d:a0b:17d6::1" : "192.168.0.1";
  std::string remote = v6 ? "fd3d:fa7b:d17d::1" : "192.0.2.1";
  c->local_prefix_len = v6 ? 48 : 16;
  c->mtu = v6 ? 1520 : 1500;
  int wire_family = v6 ? AF_INET6 : AF_INET;
  auto fits = [&](const std::optional<std::string>& text) {
    if (!text) return false;
    IpAddress a;
    std::string addr = text->substr(0, text->find('/'));
    return IpAddress::Parse(addr, &a) && a.family == wire_family;
  };
  // An address option applies to the family it is written in, so one command line can carry
  // both families' settings, as packetdrill's single-family runs would.
  if (fits(o.local_ip)) local = *o.local_ip;
  std::string remote_text = fits(o.remote_ip) ? *o.remote_ip : remote;
  if (!IpAddress::Parse(local, &c->local)) {
    *error = "bad --local_ip: " + local;
    return false;
  }
  size_t slash = remote_text.find('/');
  c->remote_prefix_len = v6 ? 128 : 32;
  if (slash != std::string::npos) {
    std::int64_t len;
    if (!ParseDecimal(remote_text.substr(slash + 1), 0, v6 ? 128 : 32, &len)) {
      *error = "bad --remote_ip prefix: " + remote_text;
      return false;
    }
    c->remote_prefix_len = static_cast<int>(len);
  }
  if (!IpAddress::Parse(remote_text.substr(0, slash), &c->remote)) {
    *error = "bad --remote_ip: " + remote_text;
    return false;
  }
  if (!v6 && o.netmask_ip) {
    IpAddress mask;
    if (!IpAddress::Parse(*o.netmask_ip, &mask) || mask.family != AF_INET) {
      *error = "bad --netmask_ip: " + *o.netmask_ip;
      return false;
    }
    int bits = 0;
    for (int i = 0; i < 4; ++i) bits += __builtin_popcount(mask.bytes[i]);
    c->local_prefix_len = bits;
  }
  if (c->local == c->remote) {
    *error = "remote_ip " + c->remote.ToString() + " is not remote: it equals local_ip";
    return false;
  }
  if (o.mtu) c->mtu = *o.mtu;
  c->mss = o.mss;
  c->tcp_ts_tick_usecs = o.tcp_ts_tick_usecs;
  c->bind_port = o.bind_port;
  c->connect_port = o.connect_port;
  c->tolerance_usecs = o.tolerance_usecs;
  c->tolerance_percent = o.tolerance_percent;
  c->verbose = o.verbose;
  c->defines = o.defines;
  c->pcap_dir = o.pcap_dir;
  c->timing_report = o.timing_report;
  c->non_fatal_packet = o.non_fatal_packet;
  c->strict_segments = o.strict_segments;
  c->tcp_ts_ecr_scaled = o.tcp_ts_ecr_scaled;
  c->is_anyip = o.is_anyip;
  c->speed = o.speed;
  c->init_scripts = o.init_scripts;
  c->code_command = o.code_command;
  c->report_margins = o.report_margins;
  return true;
}

}  // namespace pktc::rt
