// The options of a test binary and of a script header (common/options.def), and the one parser
// of their values: the test binary applies them to its settings, and pktc's sema runs the same
// parser on header options so a bad value is a compile-time error at its line.
#ifndef PKTC_COMMON_OPTION_TABLE_H_
#define PKTC_COMMON_OPTION_TABLE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pktc {

enum class OptionId : std::uint8_t {
#define PKTC_OPTION(Id, name, alias, Value, min, max, Status, Scope) k##Id,
#include "options.def"
};

enum class OptionValue : std::uint8_t { kNone, kInt, kPercent, kFamily, kText, kDefine };
enum class OptionStatus : std::uint8_t { kImplemented, kIgnored, kUnsupported };
enum class OptionScope : std::uint8_t { kAnywhere, kCommandLine };

struct OptionSpec {
  OptionId id;
  const char* name;   ///< packetdrill's spelling, without the leading "--".
  const char* alias;  ///< Another accepted spelling ("v" for verbose), or "".
  OptionValue value;
  std::int64_t min, max;  ///< kInt, kPercent: the accepted range.
  OptionStatus status;
  OptionScope scope;

  bool TakesValue() const { return value != OptionValue::kNone; }
};

/// Every row of options.def, in its order.
std::span<const OptionSpec> AllOptions();
/// The option spelled `name` (or its alias), or nullptr.
const OptionSpec* FindOption(std::string_view name);

/// The settings options set: the script header's, then the test binary's command line.
struct Options {
  std::vector<std::string> ip_versions = {"ipv4", "ipv6"};  ///< Families to run, in order.
  bool ip_version_given = false;
  std::optional<std::string> local_ip, remote_ip, gateway_ip, netmask_ip;
  int bind_port = 8080;
  int connect_port = 8080;
  std::optional<int> mtu;
  int mss = 0;                         ///< GSO size for injected TCP packets (0: none).
  std::int64_t tcp_ts_tick_usecs = 0;  ///< > 0: check outbound TS val at this tick.
  std::int64_t tolerance_usecs = 4000;
  double tolerance_percent = 12.5;
  bool verbose = false;
  bool dry_run = false;
  bool help = false;
  bool version = false;
  std::map<std::string, std::string> defines;  ///< Run-time -D overrides.
  std::string junit_file;                      ///< --junit FILE
  std::string pcap_dir;                        ///< --pcap DIR
  bool timing_report = false;
  bool parallel = false;  ///< --parallel: the families at the same time.
  /// --skip-missing-features: a run whose command fails because the kernel lacks a setting
  /// (no such sysctl, or a value it rejects) is skipped, not failed.
  bool skip_missing_features = false;
  bool report_margins = false;  ///< --report-margins: each family's closest timing margin.
  bool non_fatal_packet = false;   ///< --non_fatal=packet: packet mismatches only warn.
  bool non_fatal_syscall = false;  ///< --non_fatal=syscall: accepted; nothing reads it (as upstream).
  bool strict_segments = false;    ///< One sniffed packet per outbound line, no aggregation.
  bool tcp_ts_ecr_scaled = false;  ///< Interpolate inbound TS ecr values no TS val matches.
  bool send_omit_free = false;     ///< Always so in pktc: send buffers are never freed.
  std::optional<std::uint32_t> speed;  ///< --speed: tun0's link speed in Mbit/s.
  std::string init_scripts;            ///< Comma-separated commands run before the device.
  bool is_anyip = false;  ///< The local address is not assigned to tun0 (anyip tests).
  std::string code_command = "python3";  ///< Runs the code blocks pktc did not compile.
  std::string code_format = "python";
  std::string code_sockopt;  ///< "", TCP_INFO, TCP_CC_INFO or SO_MEMINFO: checked, all read.
};

/// Parses `value` as `spec` requires and applies it to `options`. False with a one-line reason
/// ("bad --mtu: 12 (expected an integer from 68 to 65535)"). An Unsupported option is refused
/// with the reason; an Ignored one is accepted and changes nothing.
bool ApplyOption(const OptionSpec& spec, const std::optional<std::string>& value, Options* options,
                 std::string* error);

/// A decimal integer in [min, max], as packetdrill reads option values.
bool ParseDecimal(std::string_view text, std::int64_t min, std::int64_t max, std::int64_t* out);

}  // namespace pktc

#endif  // PKTC_COMMON_OPTION_TABLE_H_
