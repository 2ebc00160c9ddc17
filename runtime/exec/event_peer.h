// The other half of a wire-mode run, as the run core sees it. In wire mode two processes on two
// machines run one script together, as packetdrill's wire client and server do: the client runs
// the system calls, commands and code blocks on the kernel under test, the server injects and
// sniffs the packets on a real Ethernet device. Each runs every event of the script in order,
// performing its own and keeping time for the others, and they meet where the script switches
// between packet events and the rest (runtime/wire/ implements both sides).
#ifndef PKTC_RUNTIME_EXEC_EVENT_PEER_H_
#define PKTC_RUNTIME_EXEC_EVENT_PEER_H_

#include <cstdint>
#include <string>

namespace pktc::rt {

class EventPeer {
 public:
  virtual ~EventPeer() = default;

  /// Whether this side performs the packet events (the wire server) or all other events (the
  /// wire client).
  virtual bool RunsPackets() const = 0;

  /// Called on the main thread as each event begins, before its time is resolved, as
  /// packetdrill's wire_{client,server}_next_event(): at the first packet event after others
  /// the client asks the server to run packets and the server waits for that request; at the
  /// first other event after packets the server says it is done and the client waits for that.
  /// False with `failure`, the text to report as the run's failure (the server's report of a
  /// packet that did not match, or why the peer is gone).
  virtual bool NextEvent(bool packet, std::string* failure) = 0;

  /// The live (monotonic) time by which the event just begun is over, as far as this side can
  /// tell (< 0: it may take forever, as `*`); `waits_for_packet` for an outbound packet, which
  /// may take its sniff time on the server. Bounds the next wait for the peer.
  virtual void Due(std::int64_t due_ns, bool waits_for_packet) = 0;

  /// After the last event: the end of the packet events still running on the server.
  virtual bool Finish(std::string* failure) = 0;

  /// The server's run failed with `report` (what a local run prints): tell the client.
  virtual void ReportFailure(const std::string& report) = 0;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_EVENT_PEER_H_
