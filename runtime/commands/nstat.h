// iproute2's nstat, natively: the kernel's SNMP counters of the network namespace, printed as
// increments since the last run (kept in a history file), the way scripts use it to check a
// counter (`nstat -n`, then later `nstat | grep TcpExtBeyondWindow | grep -q " 1 "`).
#ifndef PKTC_RUNTIME_COMMANDS_NSTAT_H_
#define PKTC_RUNTIME_COMMANDS_NSTAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pktc::rt {

/// What `nstat` was asked for. Patterns are counter names (no globs: a glob is a shell's).
struct NstatOptions {
  bool no_output = false;    ///< -n: update the history only.
  bool no_update = false;    ///< -s: leave the history as it is.
  bool absolute = false;     ///< -a: counts since the namespace began, not since the history.
  bool zeros = false;        ///< -z: print counters that are zero too.
  std::vector<std::string> names;
};

/// Parses nstat's arguments (argv without "nstat"); nullopt for anything else (its other
/// options, globs), which the real nstat then handles.
std::optional<NstatOptions> ParseNstatArgs(const std::vector<std::string>& args);

/// Counters in nstat's order and naming, from the texts of /proc/net/snmp, /proc/net/snmp6 and
/// /proc/net/netstat: "TcpExtBeyondWindow" and its value. Gauges and constants nstat leaves
/// out (IpForwarding, TcpCurrEstab, ...) are left out.
std::vector<std::pair<std::string, std::uint64_t>> ParseNstatCounters(const std::string& snmp,
                                                                      const std::string& snmp6,
                                                                      const std::string& netstat);

/// nstat's report of `counters` against `history` (the history file's text, empty if none):
/// "#kernel" then one line a counter, `%-32s%-16llu%6.1f`.
std::string FormatNstat(const NstatOptions& options,
                        const std::vector<std::pair<std::string, std::uint64_t>>& counters,
                        const std::string& history);

/// The history file's text for `counters` (what nstat writes: its non-zero counters).
std::string NstatHistory(const std::vector<std::pair<std::string, std::uint64_t>>& counters);

/// Runs nstat on this namespace: reads /proc, reads and updates the history file
/// ($NSTAT_HISTORY, else /tmp/.nstat.u<uid>). The report in `output`; returns the exit status.
int RunNstat(const NstatOptions& options, std::string* output, std::string* error);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_COMMANDS_NSTAT_H_
