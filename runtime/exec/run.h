// One run of a script for one IP family: the Run interface generated code calls, on top of
// the event timing, connection remapping, failure report and packet link units.
#ifndef PKTC_RUNTIME_EXEC_RUN_H_
#define PKTC_RUNTIME_EXEC_RUN_H_

#include <sys/socket.h>

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "commands/command_runner.h"
#include "exec/call_thread.h"
#include "exec/code_block_runner.h"
#include "exec/connection_remap.h"
#include "exec/event_peer.h"
#include "exec/event_timing.h"
#include "exec/failure_report.h"
#include "exec/family_config.h"
#include "net/packet_codec.h"
#include "net/packet_link.h"
#include "pktc/runtime.h"

namespace pktc::rt {

/// A read-only region of zero bytes to send from (see syscalls.cc); call once before time 0
/// so its setup does not delay an event.
const char* SendZeros(std::int64_t len);

/// The local port a socket is bound to (getsockname), or 0.
std::uint16_t LocalPort(int fd);

/// One family's run of the script: implements the Run interface generated code calls. The
/// concepts it combines live in their own units: event timing (event_timing.h), connection
/// remapping (connection_remap.h), the failure report (failure_report.h) and the packet path
/// (net/packet_link.h). Its methods are defined per concept: run.cc (lifecycle, defines,
/// commands, code blocks, failure), tcp_events.cc, udp_events.cc, icmp_events.cc and
/// syscalls.cc.
class RunImpl final : public Run {
 public:
  RunImpl(const ScriptInfo& script, const FamilyConfig& config, PacketLink& link,
          CommandRunner& commands);

  /// Wire mode: the other half of the run (exec/event_peer.h), before the first event. The run
  /// then performs only its side's events and keeps time for the others.
  void SetPeer(EventPeer* peer) { peer_ = peer; }
  /// Runs the script's init command, if it has one; before Start().
  void RunInitCommand();
  /// Fixes the live time of script time 0: on a jiffy edge, once the kernel is quiet.
  void Start();
  /// A wire server's start: script time 0 is `live_start_ns`, when the client said it began.
  void StartAt(std::int64_t live_start_ns);
  std::int64_t live_start_ns() const { return timing_.live_start_ns(); }
  /// Wire mode, after the last event: waits for the packet events still running on the server.
  void FinishWithPeer();
  /// A wire server, after the run (passed or failed; not while an event runs): resets the
  /// kernel under test's connection with a RST, so that it does not retransmit into the next
  /// session (packetdrill resets its connections at the end of a local run).
  void ResetConnection();
  /// Ends the run as failed with `text`, a report composed elsewhere (the wire server's).
  [[noreturn]] void FailWithReport(const std::string& text);
  /// After the last event: waits (up to 1 s) for a blocking call still in progress.
  void End();
  /// Runs the cleanup command (only if an init command ran, as packetdrill does).
  void Finish();
  /// After Finish(): runs the code blocks, which packetdrill defers to the end of the script.
  void RunCodeBlocks();

  std::int64_t Define(const char* name, std::int64_t ipv4, std::int64_t ipv6) override;
  void Inbound(const Event& ev, const TcpSegment& packet) override;
  void Outbound(const Event& ev, const TcpSegment& packet) override;
  void Command(const Event& ev, const char* shell_text) override;
  void Code(const Event& ev, CodeFn fn) override;
  void CodePython(const Event& ev, const char* python_text) override;
  std::vector<std::uint8_t> DefineBytes(const char* name, std::vector<std::uint8_t> ipv4,
                                        std::vector<std::uint8_t> ipv6) override;
  void Inbound(const Event& ev, const UdpDatagram& packet) override;
  void Outbound(const Event& ev, const UdpDatagram& packet) override;
  void Inbound(const Event& ev, const IcmpMessage& packet) override;
  void Outbound(const Event& ev, const IcmpMessage& packet) override;
  void Syscall(const Event& ev, SyscallId call, std::vector<Value> args,
               const Expect& expect) override;
  void FailingSyscall(const Event& ev, const char* name, const char* message) override;

 private:
  /// A packet the kernel sent, as the link handed it over.
  struct OutboundPacket {
    DecodedPacket decoded;
    std::vector<std::uint8_t> bytes;
    std::int64_t sent_ns = 0;  ///< The kernel's send time (monotonic).
  };
  /// Whether an outbound packet is the one the current event waits for (it may note what it
  /// learns from the packet, e.g. a port).
  using OutboundFilter = std::function<bool(const OutboundPacket&)>;

  // Wire mode (exec/event_peer.h).
  /// Tells the peer an event begins; fails the run with the peer's report if it has one.
  void PeerNextEvent(bool packet);
  /// A wire client leaves packet events to the server; a wire server leaves the rest to the
  /// client.
  bool LeavesPackets() const { return peer_ && !peer_->RunsPackets(); }
  bool LeavesCalls() const { return peer_ && peer_->RunsPackets(); }
  /// Keeps time for an event the peer performs: resolves its window and tells the peer when
  /// it is due, without waiting for it.
  void KeepTime(const Event& ev, bool inbound_packet, bool outbound_packet);

  // Event timing: every event goes Begin, (WaitForStart), ..., End.
  EventWindow BeginEvent(const Event& ev, bool inbound_packet);
  /// Waits for the event's start and checks it. `held` is the state lock the caller holds: it
  /// is released while sleeping, as packetdrill releases its lock, so the blocking-call thread
  /// can finish its call's bookkeeping (an accept() binding its fd) meanwhile.
  void WaitForStart(const Event& ev, const EventWindow& w, const char* what,
                    std::unique_lock<std::mutex>* held);
  void EndEvent(const EventWindow& w, bool inbound_packet);
  /// Whether an outbound packet matched by `ev` was sent in its window; a packet mismatch
  /// (PacketMismatch) if not. `detail` (the script and actual packet lines) follows the message.
  bool CheckOutboundTime(const Event& ev, const EventWindow& w, std::int64_t sent_ns,
                         const std::string& detail = "");

  [[noreturn]] void Fail(const Event& ev, const std::string& category, const std::string& message);
  /// An outbound packet that differs from its line in a header, an option, its payload or its
  /// time: fatal, or under --non_fatal=packet a warning after which the run goes on (as
  /// packetdrill, without that packet's remaining checks). Returns only in the second case.
  void PacketMismatch(const Event& ev, const std::string& message);
  /// With -v: one line per event, its scheduled and actual time (for an outbound packet, when
  /// the kernel sent it).
  void Trace(const Event& ev, const EventWindow& w, const std::string& what,
             std::optional<std::int64_t> actual_us = std::nullopt);

  /// With --is_anyip an inbound UDP datagram or ICMP message may come before the socket sent
  /// anything: as packetdrill, ports it has not learned are the configured ones.
  void FillAnyipPorts(SocketState& s) const;

  // System calls (syscalls.cc), call by call as packetdrill's run_system_call.c. Execute runs
  // on the main thread, or on the blocking-call thread for `T1...T2 call()` events; either way
  // with mu_ held, released around the call itself.
  struct CallContext;
  void Execute(CallContext& call);
  template <typename Fn>
  auto KernelCall(CallContext& c, Fn fn);
  /// packetdrill's end_syscall: the result compared as a 32-bit value, then errno.
  enum class ResultCheck { kExact, kFd };
  void EndSyscall(CallContext& c, ResultCheck mode, std::int64_t result, int err);
  void WaitForBlockingThread(const Event& ev, const char* call, bool fatal);
  void StartThread(std::function<void()> fn);
  void JoinBlockingThread();
  void StartBlockingCall(CallContext call, const EventWindow& w);
  /// The handler of a call the runtime cannot execute yet (its row in syscalls.def).
  void Unsupported(CallContext& c);
  // One handler per row of syscalls.def, Do<Id>; rows marked Unsupported have no definition.
#define PKTC_SYSCALL(Id, name, min_args, max_args, address_args, Handler) \
  void Do##Id(CallContext& c);
#include "pktc/syscalls.def"
  void IcmpSendto(CallContext& c);
  void SendOrRecvmsg(CallContext& c, bool receive);
  void VectoredIo(CallContext& c, bool sending);
  /// Wire client: tells the server what a call did that changes which packets are whose.
  void FollowCallOnServer(SyscallId id, const std::vector<Value>& args, const Expect& expect);

  // The script's file descriptors (syscalls.cc): sockets (sockets_) and other files (files_),
  // found as packetdrill's fd list finds them.
  struct FileFd {
    int script_fd;
    int live_fd;
    bool closed = false;
  };
  /// The open socket with `script_fd` (the newest, if a script reused the number), or nullptr.
  SocketState* SocketByScriptFd(std::int64_t script_fd);
  /// The live fd of an open script fd, or -1.
  int FindLiveFd(std::int64_t script_fd);
  /// packetdrill's check_duplicate_fd before a new fd is recorded.
  void CheckDuplicateFd(CallContext& c, std::int64_t script_fd, int live_fd);
  /// packetdrill's run_syscall_connect, before connect(), sendto() or sendmsg() with an address:
  /// fills `addr` (the script's peer, or a zeroed address of `family` when not -1) and, for a
  /// new socket, marks it connecting. Returns the socket it marked, or nullptr.
  SocketState* PrepareConnect(CallContext& c, std::int64_t script_fd, int family,
                              sockaddr_storage* addr, socklen_t* addr_len);
  /// After the call that connected `s` (if any): its live local port, once the kernel chose it.
  void NoteConnected(SocketState* s, int live_fd);
  std::uint16_t EphemeralPort(const Event& ev);
  std::size_t FillSockaddr(int domain, const IpAddress& address, std::uint16_t port,
                           sockaddr_storage* out) const;

  // Packets (tcp_events.cc, udp_events.cc, icmp_events.cc).
  /// The IP version of the run's packets on the wire (inside any outer headers): 4 or 6.
  int WireIpVersion() const { return config_.remote.family == AF_INET6 ? 6 : 4; }
  /// Injects `packet`, failing the event if the link refuses it.
  void Inject(const Event& ev, const std::vector<std::uint8_t>& packet, int gso_size);
  /// The next outbound packet `accept` takes, skipping others; false at `deadline_ns`.
  bool NextOutbound(const Event& ev, std::int64_t deadline_ns, const OutboundFilter& accept,
                    OutboundPacket* out);
  /// The connection an inbound segment is for: the socket under test, or a new child of the
  /// listener under test (a packet towards a listener, normally its SYN, creates one).
  SocketState& ConnectionForInbound(const Event& ev, const TcpSegment& seg);
  SocketState* UdpSocketForServer(const Event& ev, bool inbound);
  bool NextTcpSegment(const Event& ev, SocketState& socket, std::int64_t deadline_ns,
                      OutboundPacket* out);
  /// The kernel's segment for `seg`; without --strict_segments, consecutive segments are
  /// aggregated until the script's length.
  OutboundPacket ReadTcpAggregate(const Event& ev, SocketState& socket, const TcpSegment& seg,
                                  const EventWindow& w);
  /// Whether the kernel's segment matches the script's; a PacketMismatch listing every field
  /// that differs if not.
  bool MatchTcp(const Event& ev, const SocketState& socket, const TcpSegment& seg,
                const EventWindow& w, const OutboundPacket& live, const TcpHeader& mapped);
  std::string ScriptPacketLine(const TcpSegment& seg, std::int64_t us) const;
  std::string ActualPacketLine(const OutboundPacket& live, const TcpHeader& mapped) const;
  /// The packet an inbound ICMP error echoes: the socket's own outbound packet, its IP header
  /// and the first 8 bytes of TCP or UDP.
  std::vector<std::uint8_t> IcmpEchoedPacket(const IcmpMessage& icmp, const SocketState& s) const;

  /// Snapshots the socket under test for the code block of `ev`.
  void SnapshotForCode(const Event& ev);

  const ScriptInfo& script_;
  FamilyConfig config_;
  PacketLink& link_;
  CommandRunner& commands_;

  EventTiming timing_;
  FailureReport report_;
  CodeBlockRunner code_blocks_;
  bool init_ran_ = false;
  EventPeer* peer_ = nullptr;
  /// A wire server: the kernel under test's latest segment, for ResetConnection().
  bool has_last_outbound_ = false;
  TcpHeader last_outbound_;

  std::vector<std::unique_ptr<SocketState>> sockets_;
  SocketState* under_test_ = nullptr;
  std::vector<FileFd> files_;  ///< Pipes, open() files and epoll instances, oldest first.

  /// Guards the state above against the blocking-call thread. Held while an event runs; the
  /// thread takes it for the bookkeeping before and after its call.
  std::mutex mu_;
  CallThread call_thread_;
  std::atomic<bool> blocking_done_{true};
  std::atomic<pid_t> blocking_tid_{0};
  std::atomic<bool> blocking_in_call_{false};  ///< The thread has released mu_ for its call.
  std::atomic<int> blocking_line_{0};  ///< The script line of the blocking call in progress.
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_RUN_H_
