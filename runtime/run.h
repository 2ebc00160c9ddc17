// One run of a script for one IP family: the event timing, the socket under test, sequence
// remapping, injection and matching. Implements the Run interface generated code calls.
#ifndef PKTC_RUNTIME_RUN_H_
#define PKTC_RUNTIME_RUN_H_

#include <sys/socket.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "options.h"
#include "packet.h"
#include "pktc/runtime.h"
#include "tun_device.h"

namespace pktc::rt {

class RunImpl final : public Run {
 public:
  RunImpl(const ScriptInfo& script, const FamilyConfig& config, TunDevice& tun,
          CommandRunner& commands);

  /// Runs the init command and fixes the live time of script time 0.
  void Start();
  /// Runs the cleanup command (only if an init command ran, as packetdrill does).
  void Finish();

  std::int64_t Define(const char* name, std::int64_t ipv4, std::int64_t ipv6) override;
  void Inbound(const Event& ev, const TcpSegment& packet) override;
  void Outbound(const Event& ev, const TcpSegment& packet) override;
  void Command(const Event& ev, const char* shell_text) override;
  void Code(const Event& ev, CodeFn fn) override;
  void CodePython(const Event& ev, const char* python_text) override;
  void Socket(const Event& ev, IntArg domain, std::int64_t type, std::int64_t protocol,
              const Expect& expect) override;
  void Bind(const Event& ev, std::int64_t fd, const Expect& expect) override;
  void Listen(const Event& ev, std::int64_t fd, std::int64_t backlog,
              const Expect& expect) override;
  void Accept(const Event& ev, std::int64_t fd, const Expect& expect) override;
  void Connect(const Event& ev, std::int64_t fd, IntArg family, const Expect& expect) override;
  void Close(const Event& ev, std::int64_t fd, const Expect& expect) override;
  void Shutdown(const Event& ev, std::int64_t fd, std::int64_t how, const Expect& expect) override;
  void Read(const Event& ev, std::int64_t fd, std::int64_t len, const Expect& expect) override;
  void Write(const Event& ev, std::int64_t fd, std::int64_t len, const Expect& expect) override;
  void Recv(const Event& ev, std::int64_t fd, std::int64_t len, std::int64_t flags,
            const Expect& expect) override;
  void Send(const Event& ev, std::int64_t fd, std::int64_t len, std::int64_t flags,
            const Expect& expect) override;
  void Recvmsg(const Event& ev, std::int64_t fd, const MsgHdr& msg, std::int64_t flags,
               const Expect& expect) override;
  void Fcntl(const Event& ev, std::int64_t fd, std::int64_t cmd, std::optional<std::int64_t> arg,
             const Expect& expect) override;
  void Setsockopt(const Event& ev, std::int64_t fd, std::int64_t level, std::int64_t name,
                  const SockoptValue& value, std::int64_t optlen, const Expect& expect) override;
  void Getsockopt(const Event& ev, std::int64_t fd, std::int64_t level, std::int64_t name,
                  const SockoptValue& value, std::int64_t optlen, const Expect& expect) override;

 private:
  /// What packetdrill remembers about one socket of the script.
  struct SocketState {
    enum class Kind { kNew, kConnecting, kListening, kChild } kind = Kind::kNew;
    int script_fd = -1;
    int live_fd = -1;
    int domain = 0;
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
  SocketState* SocketByScriptFd(std::int64_t script_fd);
  void MapFd(const Event& ev, std::int64_t script_fd, int live_fd);
  std::uint16_t EphemeralPort(const Event& ev);
  std::size_t FillSockaddr(int domain, const IpAddress& address, std::uint16_t port,
                           sockaddr_storage* out) const;
  bool ReadOutbound(const Event& ev, const SocketState& socket, std::int64_t deadline_ns,
                    DecodedPacket* packet, std::int64_t* timestamp_ns,
                    std::vector<std::uint8_t>* raw);
  std::string ScriptPacketLine(const TcpSegment& seg, std::int64_t us) const;

  const ScriptInfo& script_;
  FamilyConfig config_;
  TunDevice& tun_;
  CommandRunner& commands_;

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
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_RUN_H_
