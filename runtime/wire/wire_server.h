// The wire server's side of a wire-mode run (packetdrill's wire_server.c): what it learns from
// the client before the run, and the run itself, in which it performs the packet events in the
// batches the client asks for and reports how each batch went.
#ifndef PKTC_RUNTIME_WIRE_WIRE_SERVER_H_
#define PKTC_RUNTIME_WIRE_WIRE_SERVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "exec/event_peer.h"
#include "net/wire_link.h"
#include "pktc/runtime.h"
#include "wire/wire_protocol.h"

namespace pktc::rt {

/// Everything a client sends before WIRE_SERVER_READY.
struct WireClientHello {
  std::vector<std::string> args;  ///< Its command line, without --wire_client*.
  std::string script_path;
  std::string script;
  MacAddress mac;
  std::string local_ip, remote_ip;
};

/// Reads the client's hello, in packetdrill's order, each message by `deadline_ns`.
bool ReceiveClientHello(WireConnection& connection, std::int64_t deadline_ns,
                        WireClientHello* hello, std::string* error);

/// "" if `client_text` is the script this binary was compiled from, else why not, naming the
/// first line that differs.
std::string CompareWithCompiledScript(const ScriptInfo& script, const WireClientHello& hello);

/// Refuses the client before the run: a WIRE_PACKETS_DONE with the reason where it expects
/// WIRE_SERVER_READY (a pktc client prints the reason; a packetdrill client says it expected
/// WIRE_SERVER_READY), then closes the connection.
void RefuseClient(WireConnection& connection, const std::string& reason);

class WireServerPeer final : public EventPeer {
 public:
  /// `timeout_secs`: the longest wait for the client beyond what the script's times allow.
  WireServerPeer(WireConnection& connection, int timeout_secs);

  /// Sends WIRE_SERVER_READY and waits for WIRE_CLIENT_STARTING; `start_ns` is when it came,
  /// the server's script time 0.
  bool ReadyAndWaitForStart(std::int64_t* start_ns, std::string* error);

  /// After the last event: waits until the client ends its run and closes the connection
  /// (its last system calls and code blocks may still look at the connection).
  bool WaitForClientEnd(std::string* error);

  bool RunsPackets() const override { return true; }
  bool NextEvent(bool packet, std::string* failure) override;
  void Due(std::int64_t due_ns, bool waits_for_packet) override;
  bool Finish(std::string* failure) override;
  void ReportFailure(const std::string& report) override;

 private:
  WireConnection& connection_;
  std::int64_t timeout_ns_;
  bool last_was_packet_ = false;
  std::uint32_t events_ = 0;
  std::int64_t due_ns_ = 0;  ///< When the client's current events should be over.
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_WIRE_WIRE_SERVER_H_
