// Wire mode's entry points: a family's run as a wire client, and the wire server's loop.
#ifndef PKTC_RUNTIME_HARNESS_WIRE_MAIN_H_
#define PKTC_RUNTIME_HARNESS_WIRE_MAIN_H_

#include <string>
#include <vector>

#include "exec/family_config.h"
#include "harness/options.h"
#include "pktc/runtime.h"
#include "report/run_link.h"

namespace pktc::rt {

/// What a wire client's family run needs beyond its FamilyConfig.
struct WireClientSettings {
  std::string server;  ///< --wire_server_ip / --wire_server_at
  int port = 8081;
  std::string device;  ///< --wire_client_dev, or "" to take the one that reaches the server
  int timeout_secs = 10;
  std::vector<std::string> args;  ///< The command line sent to the server (WireClientArgs).
};

/// The packetdrill command line a wire client sends the server for one family's run: every
/// setting of the run explicit (addresses, ports, timing, defines), so that a packetdrill
/// server parses the script as this binary runs it.
std::vector<std::string> WireClientArgs(const ScriptInfo& script, const FamilyConfig& config,
                                        const Options& options);

/// One family's run as a wire client, in the family's child process (as RunFamily in local
/// mode): sets up the device, connects to the server, runs the script. Returns the exit code.
int RunWireClientFamily(const ScriptInfo& script, const FamilyConfig& config,
                        const WireClientSettings& wire, const RunLink& link);

/// The wire server: accepts clients on --wire_server_port and runs each session's packets in a
/// child process, one session at a time, until --wire_sessions sessions (or forever). Returns
/// 0 if every session passed.
int RunWireServer(const ScriptInfo& script, const Options& options, const char* argv0);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_HARNESS_WIRE_MAIN_H_
