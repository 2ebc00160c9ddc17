// Command-line and header options of a test binary (packetdrill-compatible names).
#ifndef PKTC_RUNTIME_HARNESS_OPTIONS_H_
#define PKTC_RUNTIME_HARNESS_OPTIONS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exec/family_config.h"
#include "pktc/runtime.h"

namespace pktc::rt {

/// Settings from the script header, overridden by the command line.
struct Options {
  std::vector<std::string> ip_versions;  ///< Families to run, in order.
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
};

/// Applies the header options, then the command line. Returns false with a one-line reason.
bool ParseOptions(const ScriptInfo& script, int argc, char** argv, Options* options,
                  std::string* error);

/// The --help text of a test binary.
std::string UsageText(const ScriptInfo& script, const char* argv0);

/// Resolves one family's addresses: the kernel selftest runner's defaults, overridden by
/// address options whose family fits.
bool ResolveFamily(const Options& options, const std::string& family, FamilyConfig* config,
                   std::string* error);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_HARNESS_OPTIONS_H_
