// The run's lifecycle, defines, commands, code blocks and failure path; the sockets and file
// descriptors of the script; the packet link. Events follow packetdrill's semantics
// (docs/pkt-language.md sections 5-7); packets are handled in tcp_events.cc, udp_events.cc and
// icmp_events.cc, system calls in syscalls.cc.
#include "exec/run.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/clock.h"
#include "kernel_hz.h"
#include "pktc/run_report.h"
#include "pktc/symbols.h"
#include "report/run_link.h"

namespace pktc::rt {

RunImpl::RunImpl(const ScriptInfo& script, const FamilyConfig& config, PacketLink& link,
                 CommandRunner& commands)
    : script_(script),
      config_(config),
      link_(link),
      commands_(commands),
      timing_(config.tolerance_usecs, config.tolerance_percent),
      code_blocks_(config.code_command) {}

// ---------------------------------------------------------------------------------------------
// Lifecycle

void RunImpl::RunInitCommand() {
  if (!script_.init_command) return;
  std::string error;
  init_ran_ = true;
  if (!commands_.Run(script_.init_command, &error)) {
    std::fprintf(stderr, "%s: error executing init command: %s\n", script_.path, error.c_str());
    Finish();
    EndRun(1);
  }
}

void RunImpl::Start() {
  // Outside any command, so the thread starts with SIGCHLD unblocked; a failure here is
  // reported by the first blocking call.
  call_thread_.Create();
  // The kernel stays busy for 70 to 100 ms after a namespace is set up, and after a sibling
  // family's run (RCU grace periods, work items; measured through /proc/softirqs on a 2-CPU
  // HZ=250 VM). While another CPU is busy it may own the jiffies update, and a timer on this
  // CPU then fires a jiffy late: tcp_fastopen_server_fin-close-socket, whose delayed ACK has
  // no slack, failed 5 runs in 30 when started at once, none in 40 after this wait.
  // packetdrill spins 100 ms instead; sleeping leaves the CPU to concurrent runs.
  constexpr std::int64_t kMaxQuietWaitNs = 100'000'000;
  WaitForQuietKernel(NowNs() + kMaxQuietWaitNs);
  // As packetdrill: start 250 us into a jiffy. The kernel measures RTTs and arms delayed-ACK
  // and retransmission timers in jiffies; a script whose events straddle jiffy edges at
  // random sees those timers fire a jiffy early or late.
  constexpr std::int64_t kJiffyOffsetNs = 250'000;
  timing_.Start(NextJiffyEdgeNs() + kJiffyOffsetNs);
}

void RunImpl::End() {
  if (blocking_done_) {
    JoinBlockingThread();
    return;
  }
  std::int64_t deadline = NowNs() + 1'000'000'000;
  while (!blocking_done_ && NowNs() < deadline) usleep(100);
  if (!blocking_done_) {
    // As packetdrill, naming the blocking call's line.
    std::fprintf(stderr,
                 "%s:%d: runtime error: exiting while a blocking system call is in progress\n",
                 script_.path, blocking_line_.load());
    EndRun(1);
  }
  JoinBlockingThread();
}

void RunImpl::Finish() {
  if (config_.report_margins) {
    if (std::optional<double> margin = timing_.MinMargin()) {
      std::printf("%s%.3f\n", report::kTimingMargin, *margin);
    }
  }
  // With --timing-report: p50, p99 and max of how late the runtime started its events.
  if (config_.timing_report) {
    std::string summary = timing_.LatenessSummary();
    if (!summary.empty()) std::printf("%s\n", summary.c_str());
    if (std::string hz = KernelHzNote(KernelHz()); !hz.empty()) std::printf("timing: %s\n", hz.c_str());
  }
  if (!init_ran_ || !script_.cleanup_command) return;
  std::string error;
  if (!commands_.Run(script_.cleanup_command, &error)) {
    std::fprintf(stderr, "%s: error executing cleanup command: %s\n", script_.path,
                 error.c_str());
    EndRun(1);
  }
}

// ---------------------------------------------------------------------------------------------
// Event timing and failure

EventWindow RunImpl::BeginEvent(const Event& ev, bool inbound_packet) {
  return timing_.Begin(ev.time, inbound_packet);
}

void RunImpl::WaitForStart(const Event& ev, const EventWindow& w, const char* what,
                           std::unique_lock<std::mutex>* held) {
  if (held && held->owns_lock()) {
    held->unlock();
    SleepUntilSpinNs(timing_.live_start_ns() + w.start_us * 1000);
    held->lock();
  }
  if (std::optional<std::string> late = timing_.WaitForStart(w, what)) {
    Fail(ev, kTimingError, *late);
  }
}

void RunImpl::EndEvent(const EventWindow& w, bool inbound_packet) {
  timing_.End(w, inbound_packet);
}

bool RunImpl::CheckOutboundTime(const Event& ev, const EventWindow& w, std::int64_t sent_ns,
                                const std::string& detail) {
  // packetdrill checks the send time of every outbound packet it matches, whatever protocol.
  std::optional<std::string> off = timing_.Check(w, timing_.ScriptUs(sent_ns), "outbound packet");
  if (!off) return true;
  PacketMismatch(ev, std::string(kTimingError) + ": " + *off + detail);
  return false;
}

void RunImpl::PacketMismatch(const Event& ev, const std::string& message) {
  if (!config_.non_fatal_packet) Fail(ev, "error handling packet", message);
  std::fflush(stdout);
  std::fprintf(stderr, "%s:%d: warning handling packet: %s\n", script_.path, ev.line,
               message.c_str());
  std::fflush(stderr);
}

void RunImpl::Trace(const Event& ev, const EventWindow& w, const std::string& what,
                    std::optional<std::int64_t> actual_us) {
  if (!config_.verbose) return;
  std::printf("%s:%d: scheduled %s actual %s: %s\n", script_.path, ev.line,
              FormatSeconds(w.start_us).c_str(),
              FormatSeconds(actual_us.value_or(timing_.ElapsedUs())).c_str(), what.c_str());
}

void RunImpl::Fail(const Event& ev, const std::string& category, const std::string& message) {
  std::optional<FailedEventTime> event_time;
  if (timing_.current() && timing_.started()) {
    event_time = FailedEventTime{timing_.current()->start_us, timing_.ElapsedUs()};
  }
  std::fflush(stdout);
  std::fputs(report_.Compose(script_.path, ev.line, category, message, event_time).c_str(),
             stderr);
  // A failure that is only an event outside its window (kernel timers can fire a jiffy late
  // on a loaded machine) is one a rerun may not repeat; pktc-run --retries reruns only those.
  if (category == kTimingError || message.rfind(std::string(kTimingError) + ":", 0) == 0) {
    std::fprintf(stderr, "%s\n", report::kTimingFailure);
  }
  std::fflush(stderr);
  Finish();
  EndRun(1);
}

// ---------------------------------------------------------------------------------------------
// Defines

std::vector<std::uint8_t> RunImpl::DefineBytes(const char* name, std::vector<std::uint8_t> ipv4,
                                               std::vector<std::uint8_t> ipv6) {
  auto it = config_.defines.find(name);
  if (it == config_.defines.end()) return config_.name == "ipv6" ? ipv6 : ipv4;
  const std::string& hex = it->second;
  std::vector<std::uint8_t> out;
  bool ok = hex.size() % 2 == 0;
  for (std::size_t i = 0; ok && i < hex.size(); i += 2) {
    ok = std::isxdigit(static_cast<unsigned char>(hex[i])) &&
         std::isxdigit(static_cast<unsigned char>(hex[i + 1]));
    if (ok) out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  if (!ok) {
    std::fprintf(stderr, "%s: -D %s=%s: expected an even number of hex digits\n", script_.path,
                 name, hex.c_str());
    EndRun(1);
  }
  return out;
}

std::int64_t RunImpl::Define(const char* name, std::int64_t ipv4, std::int64_t ipv6) {
  auto it = config_.defines.find(name);
  if (it == config_.defines.end()) return config_.name == "ipv4" ? ipv4 : ipv6;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(it->second.c_str(), &end, 0);
  if (!it->second.empty() && *end == '\0' && errno == 0) return v;
  if (std::optional<std::int64_t> symbol = LookupSymbol(it->second)) return *symbol;
  std::fprintf(stderr, "%s: -D %s=%s: the value is neither a number nor a known symbol\n",
               script_.path, name, it->second.c_str());
  EndRun(1);
}

// ---------------------------------------------------------------------------------------------
// Sockets and file descriptors

std::uint16_t LocalPort(int fd) {
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) return 0;
  return ntohs(local.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&local)->sin_port
                                          : reinterpret_cast<sockaddr_in6*>(&local)->sin6_port);
}

std::uint16_t RunImpl::EphemeralPort(const Event& ev) {
  // Like packetdrill: the kernel picks a free port for a throw-away socket.
  int fd = socket(config_.local.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage addr{};
  socklen_t len = static_cast<socklen_t>(FillSockaddr(config_.local.family, config_.local, 0, &addr));
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Fail(ev, "runtime error", std::string("cannot pick an ephemeral port: ") + std::strerror(errno));
  }
  close(fd);
  return ntohs(addr.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&addr)->sin_port
                                         : reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
}

void RunImpl::FillAnyipPorts(SocketState& s) const {
  if (!config_.is_anyip) return;
  if (!s.remote_port) s.remote_port = static_cast<std::uint16_t>(config_.connect_port);
  if (!s.local_port) s.local_port = static_cast<std::uint16_t>(config_.bind_port);
}

std::size_t RunImpl::FillSockaddr(int domain, const IpAddress& address, std::uint16_t port,
                                  sockaddr_storage* out) const {
  *out = {};
  if (domain == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, address.bytes, 4);
    return sizeof *sin;
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  if (address.family == AF_INET) {  // ipv4-mapped-ipv6: ::ffff:a.b.c.d
    sin6->sin6_addr.s6_addr[10] = 0xff;
    sin6->sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&sin6->sin6_addr.s6_addr[12], address.bytes, 4);
  } else {
    std::memcpy(&sin6->sin6_addr, address.bytes, 16);
  }
  return sizeof *sin6;
}

// ---------------------------------------------------------------------------------------------
// The packet link

void RunImpl::Inject(const Event& ev, const std::vector<std::uint8_t>& packet, int gso_size) {
  std::string error;
  if (!link_.Inject(packet, gso_size, &error)) Fail(ev, "error handling packet", error);
}

bool RunImpl::NextOutbound(const Event& ev, std::int64_t deadline_ns,
                           const OutboundFilter& accept, OutboundPacket* out) {
  std::string error;
  while (true) {
    if (!link_.NextOutbound(deadline_ns, &out->bytes, &out->sent_ns, &error)) {
      if (!error.empty()) Fail(ev, "error handling packet", error);
      return false;
    }
    if (!DecodePacket(out->bytes.data(), out->bytes.size(), &out->decoded, &error)) continue;
    if (accept(*out)) return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Commands and code blocks

void RunImpl::Command(const Event& ev, const char* text) {
  std::unique_lock<std::mutex> lock(mu_);
  EventWindow t = BeginEvent(ev, false);
  WaitForStart(ev, t, "command", &lock);
  std::string error;
  if (!commands_.Run(text, &error)) {
    Fail(ev, "error executing `" + std::string(text) + "` command", error);
  }
  Trace(ev, t, std::string("command `") + text + "`");
  EndEvent(t, false);
}

void RunImpl::SnapshotForCode(const Event& ev) {
  if (!under_test_) Fail(ev, "runtime error in code", "no socket to use for code");
  std::string error;
  if (!code_blocks_.Snapshot(under_test_->live_fd, &error)) {
    Fail(ev, "runtime error in code", error);
  }
}

void RunImpl::Code(const Event& ev, CodeFn fn) {
  std::unique_lock<std::mutex> lock(mu_);
  EventWindow t = BeginEvent(ev, false);
  WaitForStart(ev, t, "data collection for code", &lock);
  SnapshotForCode(ev);
  code_blocks_.AddNative(ev.line, fn);
  Trace(ev, t, "code block");
  EndEvent(t, false);
}

void RunImpl::CodePython(const Event& ev, const char* python_text) {
  std::unique_lock<std::mutex> lock(mu_);
  EventWindow t = BeginEvent(ev, false);
  WaitForStart(ev, t, "data collection for code", &lock);
  SnapshotForCode(ev);
  code_blocks_.AddPython(ev.line, python_text);
  Trace(ev, t, "code block (python3)");
  EndEvent(t, false);
}

void RunImpl::RunCodeBlocks() {
  std::string failure;
  if (code_blocks_.RunAll(script_.path, &failure)) return;
  std::fflush(stdout);
  std::fprintf(stderr, "%s\n", failure.c_str());
  EndRun(1);
}

}  // namespace pktc::rt
