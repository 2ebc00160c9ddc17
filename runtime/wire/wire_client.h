// The wire client's side of a wire-mode run (packetdrill's wire_client.c): it tells the server
// about the run, then runs every event but the packets, which it hands to the server in
// batches and whose outcome it waits for before the next other event.
#ifndef PKTC_RUNTIME_WIRE_WIRE_CLIENT_H_
#define PKTC_RUNTIME_WIRE_WIRE_CLIENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "exec/event_peer.h"
#include "net/packet_codec.h"
#include "net/wire_link.h"
#include "pktc/runtime.h"
#include "wire/wire_protocol.h"

namespace pktc::rt {

/// What the client tells the server before the run.
struct WireHello {
  std::vector<std::string> args;  ///< A packetdrill command line for the run (argv[0] first).
  MacAddress mac;                 ///< The client device's: where the server sends packets.
  IpAddress local, remote;        ///< The run's live addresses.
};

class WireClient final : public EventPeer {
 public:
  /// `timeout_secs`: the longest wait for the server beyond what the script's times allow.
  WireClient(const ScriptInfo& script, int timeout_secs);

  /// Connects to the server and sends the hello: command line, script path and text, hardware
  /// address and live addresses. False with a one-line reason.
  bool Connect(const IpAddress& server, int port, const WireHello& hello, std::string* error);
  /// Waits for WIRE_SERVER_READY; a pktc server that refuses the run sends its reason instead.
  bool WaitForServerReady(std::string* error);
  /// Sends WIRE_CLIENT_STARTING at `live_start_ns`, script time 0, which the server takes for
  /// its own time 0 when the message arrives.
  bool Starting(std::int64_t live_start_ns, std::string* error);

  bool RunsPackets() const override { return false; }
  bool NextEvent(bool packet, std::string* failure) override;
  void Due(std::int64_t due_ns, bool waits_for_packet) override;
  bool Finish(std::string* failure) override;
  void ReportFailure(const std::string& /*report*/) override {}

 private:
  bool ReceivePacketsDone(std::string* failure);
  /// When the server's current batch of packet events should be over at the latest.
  std::int64_t BatchDeadlineNs() const;

  const ScriptInfo& script_;
  std::int64_t timeout_ns_;
  WireConnection connection_;
  std::string server_;  ///< "10.0.0.2:8081", for messages.
  bool last_was_packet_ = false;
  std::uint32_t events_ = 0;
  std::int64_t batch_due_ns_ = 0;
  bool batch_unbounded_ = false;
  int batch_outbound_ = 0;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_WIRE_WIRE_CLIENT_H_
