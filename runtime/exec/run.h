// One run of a script for one IP family: the event timing, the socket under test, sequence
// remapping, injection and matching. Implements the Run interface generated code calls.
#ifndef PKTC_RUNTIME_EXEC_RUN_H_
#define PKTC_RUNTIME_EXEC_RUN_H_

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <functional>
#include <optional>

#include <pthread.h>
#include <memory>
#include <string>
#include <vector>

#include "exec/call_thread.h"
#include "exec/code_block_runner.h"
#include "commands/command_runner.h"
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

class RunImpl final : public Run {
 public:
  RunImpl(const ScriptInfo& script, const FamilyConfig& config, PacketLink& link,
          CommandRunner& commands);

  /// Runs the script's init command, if it has one; before Start().
  void RunInitCommand();
  /// Fixes the live time of script time 0: on a jiffy edge, once the kernel is quiet.
  void Start();
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
  void Syscall(const Event& ev, const char* name, std::vector<Value> args,
               const Expect& expect) override;

 private:
  /// What packetdrill remembers about one socket of the script.
  struct SocketState {
    enum class Kind { kNew, kConnecting, kListening, kChild } kind = Kind::kNew;
    int script_fd = -1;
    int live_fd = -1;
    int domain = 0;
    int type = SOCK_STREAM;
    SocketState* listener = nullptr;  ///< For a child: the listener its SYN arrived on.
    std::uint16_t local_port = 0, remote_port = 0;
    bool has_local_isn = false;
    std::uint32_t local_isn_live = 0, local_isn_script = 0;
    std::uint32_t remote_isn = 0;
    bool has_ts_baseline = false;
    std::uint32_t ts_first_script = 0, ts_first_live = 0;
    std::map<std::uint32_t, std::uint32_t> ts_script_to_live;
    std::string md5_key;
  };

  /// The script time of the current event (microseconds since time 0) and its tolerance.
  struct Timing {
    std::int64_t start_us;
    std::int64_t end_us;
    std::int64_t tolerance_us;
  };

  Timing BeginEvent(const Event& ev, bool inbound_packet);
  void WaitForStart(const Event& ev, const Timing& t, const char* what);
  void EndEvent(const Timing& t, bool inbound_packet);
  std::int64_t ElapsedUs() const;
  std::string Seconds(std::int64_t us) const;

  [[noreturn]] void Fail(const Event& ev, const std::string& category, const std::string& message);
  void CheckResult(const Event& ev, const char* call, const Expect& expect, std::int64_t result,
                   int err, bool creates_fd);
  /// With -v: one line per event, its scheduled and actual time (for an outbound packet, when
  /// the kernel sent it).
  void Trace(const Event& ev, const Timing& t, const std::string& what,
             std::optional<std::int64_t> actual_us = std::nullopt);

  int LiveFd(const Event& ev, const char* call, std::int64_t script_fd);

  // System calls (syscalls.cc). Execute runs on the main thread, or on the blocking-call thread
  // for `T1...T2 call()` events; either way with mu_ held, released around the call itself.
  struct CallContext;
  void Execute(CallContext& call);
  template <typename Fn>
  auto UnlockedCall(std::mutex& mu, bool on_thread, CallContext& c, Fn fn);
  void WaitForBlockingThread(const Event& ev, bool fatal);
  void StartThread(std::function<void()> fn);
  void JoinBlockingThread();
  void DoSocket(CallContext& c);
  void DoBind(CallContext& c);
  void DoListen(CallContext& c);
  void DoAccept(CallContext& c);
  void DoConnect(CallContext& c);
  void DoReadWrite(CallContext& c);
  void DoVector(CallContext& c);
  void DoMsg(CallContext& c);
  void DoSendfile(CallContext& c);
  void DoFcntlIoctl(CallContext& c);
  void DoClose(CallContext& c);
  void DoShutdown(CallContext& c);
  void DoSockopt(CallContext& c);
  void DoPoll(CallContext& c);
  void DoEpoll(CallContext& c);
  void DoPipeOpen(CallContext& c);
  void CheckCmsgs(CallContext& c, const Value& expected, struct msghdr& msg);
  void NoteImplicitConnect(SocketState* s, int live_fd);
  SocketState* SocketByScriptFd(std::int64_t script_fd);
  void MapFd(const Event& ev, std::int64_t script_fd, int live_fd);
  std::uint16_t EphemeralPort(const Event& ev);
  /// When an outbound packet of `ev` stops being awaited (packetdrill's rule), or -1 for `*`.
  std::int64_t SniffDeadlineNs(const Event& ev, const Timing& t) const;
  std::size_t FillSockaddr(int domain, const IpAddress& address, std::uint16_t port,
                           sockaddr_storage* out) const;
  bool ReadOutbound(const Event& ev, SocketState& socket, std::int64_t deadline_ns,
                    DecodedPacket* packet, std::int64_t* timestamp_ns,
                    std::vector<std::uint8_t>* raw);
  std::string ScriptPacketLine(const TcpSegment& seg, std::int64_t us) const;

  const ScriptInfo& script_;
  FamilyConfig config_;
  PacketLink& link_;
  CommandRunner& commands_;

  /// Remembers a packet for the "last packets" part of a failure report.
  void RememberPacket(char direction, std::int64_t us, const std::string& text);
  /// With --timing-report: p50, p99 and max of how late the runtime started its events.
  void PrintTimingReport() const;

  /// Snapshots the socket under test for the code block of `ev`.
  void SnapshotForCode(const Event& ev);
  CodeBlockRunner code_blocks_;

  std::vector<std::int64_t> lateness_us_;
  std::vector<std::string> recent_packets_;  ///< Ring of the last few, oldest first.

  std::int64_t live_start_ns_ = 0;
  std::optional<Timing> current_;  ///< The event being executed, for failure messages.
  bool started_ = false;
  bool init_ran_ = false;
  bool first_event_ = true;
  std::int64_t prev_script_us_ = 0;
  bool prev_inbound_ = false;

  std::vector<std::unique_ptr<SocketState>> sockets_;
  SocketState* under_test_ = nullptr;
  std::map<std::int64_t, int> fds_;  ///< script fd -> live fd

  /// Guards the state above against the blocking-call thread. Held while an event runs; the
  /// thread takes it for the bookkeeping before and after its call.
  std::mutex mu_;
  CallThread call_thread_;
  std::atomic<bool> blocking_done_{true};
  std::atomic<pid_t> blocking_tid_{0};
  std::atomic<bool> blocking_in_call_{false};  ///< The thread has released mu_ for its call.
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_RUN_H_
