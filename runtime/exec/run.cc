// Event execution with packetdrill's semantics (../shared/docs/pkt-language.md sections 5-7).
#include "exec/run.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/byte_order.h"
#include "base/clock.h"
#include "exec/matcher.h"
#include "pktc/symbols.h"
#include "report/run_link.h"

namespace pktc::rt {

namespace {
constexpr std::uint8_t kOptSack = 5;
constexpr std::uint8_t kOptTimestamp = 8;
constexpr std::uint8_t kOptMd5 = 19;
constexpr std::int64_t kMaxBuffer = 64 << 20;

/// Applies `fn` to the position of every option of `kind` in an option block.
template <typename Fn>
void ForEachOption(std::vector<std::uint8_t>& block, std::uint8_t kind, Fn fn) {
  for (std::size_t i = 0; i < block.size();) {
    std::uint8_t k = block[i];
    if (k == 0 || k == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= block.size() || block[i + 1] < 2 || i + block[i + 1] > block.size()) return;
    if (k == kind) fn(&block[i], block[i + 1]);
    i += block[i + 1];
  }
}

bool HasOption(const std::vector<std::uint8_t>& block, std::uint8_t kind) {
  bool found = false;
  std::vector<std::uint8_t> copy = block;
  ForEachOption(copy, kind, [&](std::uint8_t*, std::uint8_t) { found = true; });
  return found;
}

std::string ErrnoText(int err) {
  const char* name = ErrnoName(err);
  return std::string(name ? name : "?") + " (" + std::strerror(err) + ")";
}
}  // namespace

RunImpl::RunImpl(const ScriptInfo& script, const FamilyConfig& config, PacketLink& link,
                 CommandRunner& commands)
    : script_(script), config_(config), link_(link), commands_(commands) {}

// ---------------------------------------------------------------------------------------------
// Timing

std::int64_t RunImpl::ElapsedUs() const { return (NowNs() - live_start_ns_) / 1000; }

std::string RunImpl::Seconds(std::int64_t us) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%" PRId64 ".%06" PRId64, us < 0 ? "-" : "",
                std::abs(us) / 1000000, std::abs(us) % 1000000);
  return buf;
}

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
  live_start_ns_ = NextJiffyEdgeNs() + kJiffyOffsetNs;
  started_ = true;
}

void RunImpl::End() {
  if (blocking_done_) {
    JoinBlockingThread();
    return;
  }
  std::int64_t deadline = NowNs() + 1'000'000'000;
  while (!blocking_done_ && NowNs() < deadline) usleep(100);
  if (!blocking_done_) {
    std::fprintf(stderr, "%s: runtime error: exiting while a blocking system call is in progress\n",
                 script_.path);
    EndRun(1);
  }
  JoinBlockingThread();
}

void RunImpl::RememberPacket(char direction, std::int64_t us, const std::string& text) {
  constexpr std::size_t kKept = 8;
  if (recent_packets_.size() == kKept) recent_packets_.erase(recent_packets_.begin());
  recent_packets_.push_back(Seconds(us) + " " + direction + " " + text);
}

void RunImpl::PrintTimingReport() const {
  if (!config_.timing_report || lateness_us_.empty()) return;
  std::vector<std::int64_t> v = lateness_us_;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))]; };
  std::printf("timing: %zu events started by the runtime; |actual - scheduled| p50 %" PRId64
              " us, p99 %" PRId64 " us, max %" PRId64 " us\n",
              v.size(), at(0.50), at(0.99), v.back());
}

void RunImpl::Finish() {
  PrintTimingReport();
  if (!init_ran_ || !script_.cleanup_command) return;
  std::string error;
  if (!commands_.Run(script_.cleanup_command, &error)) {
    std::fprintf(stderr, "%s: error executing cleanup command: %s\n", script_.path,
                 error.c_str());
    EndRun(1);
  }
}

RunImpl::Timing RunImpl::BeginEvent(const Event& ev, bool inbound_packet) {
  Timing t{};
  switch (ev.time.kind) {
    case TimeKind::kAbsolute:
    case TimeKind::kAbsoluteRange:
      t.start_us = ev.time.start_us;
      t.end_us = ev.time.end_us;
      break;
    case TimeKind::kRelative:
    case TimeKind::kRelativeRange: {
      // Back-to-back injections are anchored to script time so they do not accumulate drift;
      // everything else is relative to when the previous event actually finished.
      std::int64_t base = prev_inbound_ && inbound_packet ? prev_script_us_ : ElapsedUs();
      if (first_event_) base = 0;
      t.start_us = base + ev.time.start_us;
      t.end_us = base + ev.time.end_us;
      break;
    }
    case TimeKind::kAnyTime:
      t.start_us = t.end_us = first_event_ ? 0 : ElapsedUs();
      break;
  }
  double pct = config_.tolerance_percent / 100.0 * static_cast<double>(t.start_us - prev_script_us_);
  t.tolerance_us = std::max<std::int64_t>(config_.tolerance_usecs, static_cast<std::int64_t>(pct));
  current_ = t;
  return t;
}

void RunImpl::WaitForStart(const Event& ev, const Timing& t, const char* what) {
  std::int64_t target = live_start_ns_ + t.start_us * 1000;
  WaitUntilNs(target);
  std::int64_t actual_us = ElapsedUs();
  lateness_us_.push_back(actual_us - t.start_us);
  if (!first_event_ && actual_us > t.start_us + t.tolerance_us) {
    Fail(ev, "timing error",
         std::string("expected ") + what + " at " + Seconds(t.start_us) + " sec but happened at " +
             Seconds(actual_us) + " sec; tolerance " + Seconds(t.tolerance_us) + " sec");
  }
}

void RunImpl::EndEvent(const Timing& t, bool inbound_packet) {
  current_.reset();
  prev_script_us_ = t.start_us;
  prev_inbound_ = inbound_packet;
  first_event_ = false;
}

void RunImpl::Trace(const Event& ev, const Timing& t, const std::string& what,
                    std::optional<std::int64_t> actual_us) {
  if (!config_.verbose) return;
  std::printf("%s:%d: scheduled %s actual %s: %s\n", script_.path, ev.line,
              Seconds(t.start_us).c_str(), Seconds(actual_us.value_or(ElapsedUs())).c_str(),
              what.c_str());
}

void RunImpl::Fail(const Event& ev, const std::string& category, const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s:%d: %s: %s\n", script_.path, ev.line, category.c_str(),
               message.c_str());
  if (current_ && started_) {
    std::fprintf(stderr, "event time: scheduled %s sec, failed at %s sec\n",
                 Seconds(current_->start_us).c_str(), Seconds(ElapsedUs()).c_str());
  }
  if (!recent_packets_.empty()) {
    std::fprintf(stderr, "last packets (live sequence numbers):\n");
    for (const std::string& line : recent_packets_) std::fprintf(stderr, "  %s\n", line.c_str());
  }
  std::fflush(stderr);
  Finish();
  EndRun(1);
}

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

RunImpl::SocketState* RunImpl::SocketByScriptFd(std::int64_t script_fd) {
  for (auto& s : sockets_) {
    if (s->script_fd == script_fd) return s.get();
  }
  return nullptr;
}

int RunImpl::LiveFd(const Event& ev, const char* call, std::int64_t script_fd) {
  auto it = fds_.find(script_fd);
  if (it != fds_.end()) return it->second;
  Fail(ev, std::string("runtime error in ") + call + " call",
       "unknown file descriptor " + std::to_string(script_fd) +
           " (no call of the script returned it)");
}

void RunImpl::MapFd(const Event&, std::int64_t script_fd, int live_fd) {
  // A script may reuse a script fd that is still open (a second accept() = 4 while the first 4
  // was never closed); as with packetdrill, the newest socket takes the number.
  fds_[script_fd] = live_fd;
  for (auto& s : sockets_) {
    if (s->script_fd == script_fd && s->live_fd != live_fd) s->script_fd = -1;
  }
}

std::int64_t RunImpl::SniffDeadlineNs(const Event& ev, const Timing& t) const {
  if (ev.time.kind == TimeKind::kAnyTime) return -1;  // `*` waits forever.
  // packetdrill waits the event's offset from the previous event, in whole seconds, plus 2 s.
  std::int64_t span = std::max(t.start_us, t.end_us) - prev_script_us_;
  std::int64_t wait_us = (span / 1000000 + 2) * 1000000;
  return live_start_ns_ + (prev_script_us_ + wait_us) * 1000;
}

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

void RunImpl::CheckResult(const Event& ev, const char* call, const Expect& expect,
                          std::int64_t result, int err, bool creates_fd) {
  bool ok = creates_fd && expect.result >= 0 ? result >= 0 : result == expect.result;
  std::string category = std::string("runtime error in ") + call + " call";
  if (!ok) {
    std::string message = "Expected result " + std::to_string(expect.result) + " but got " +
                          std::to_string(result);
    if (result < 0) message += " with errno " + std::to_string(err) + " " + ErrnoText(err);
    Fail(ev, category, message);
  }
  if (expect.err != 0 && err != expect.err) {
    Fail(ev, category,
         std::string("Expected errno ") + expect.err_name + " (" + std::to_string(expect.err) +
             ") but got " + (err ? std::to_string(err) + " " + ErrnoText(err) : "no error"));
  }
}

// ---------------------------------------------------------------------------------------------
// Packets

std::string RunImpl::ScriptPacketLine(const TcpSegment& seg, std::int64_t us) const {
  TcpHeader h = ScriptSegmentHeader(seg);
  return Seconds(us) + " " + TcpSegmentToString(h, seg.len, seg.win.has_value());
}

void RunImpl::Inbound(const Event& ev, const TcpSegment& seg) {
  std::lock_guard<std::mutex> lock(mu_);
  Timing t = BeginEvent(ev, /*inbound_packet=*/true);
  SocketState* s = under_test_;
  if (!s || s->kind == SocketState::Kind::kListening) {
    // A packet towards a listener (normally its SYN) creates the child connection.
    auto child = std::make_unique<SocketState>();
    child->kind = SocketState::Kind::kChild;
    child->listener = s;
    child->domain = s ? s->domain : config_.socket_family;
    child->local_port = static_cast<std::uint16_t>(config_.bind_port);
    child->remote_port = EphemeralPort(ev);
    child->remote_isn = seg.seq;
    if (s) child->md5_key = s->md5_key;
    s = child.get();
    sockets_.push_back(std::move(child));
    under_test_ = s;
  }
  WaitForStart(ev, t, "inbound packet");

  bool syn = seg.flags & kSyn;
  if (syn) s->remote_isn = seg.seq;  // The peer's live ISN is the script's.
  TcpHeader h = ScriptSegmentHeader(seg);
  h.src_port = seg.src_port ? seg.src_port : s->remote_port;
  h.dst_port = seg.dst_port ? seg.dst_port : s->local_port;
  if (!syn) h.seq = seg.seq + s->remote_isn;
  if (seg.flags & kAck) {
    std::uint32_t offset =
        syn ? s->local_isn_live - s->local_isn_script : s->local_isn_live;
    h.ack = seg.ack + offset;
    ForEachOption(h.options, kOptSack, [&](std::uint8_t* opt, std::uint8_t len) {
      for (std::uint8_t i = 2; i + 4 <= len; i += 4) Put32(opt + i, Get32(opt + i) + offset);
    });
    bool ecr_ok = true;
    std::uint32_t bad_ecr = 0;
    ForEachOption(h.options, kOptTimestamp, [&](std::uint8_t* opt, std::uint8_t len) {
      if (len != 10) return;
      std::uint32_t ecr = Get32(opt + 6);
      auto it = s->ts_script_to_live.find(ecr);
      if (it == s->ts_script_to_live.end()) {
        ecr_ok = false;
        bad_ecr = ecr;
        return;
      }
      Put32(opt + 6, it->second);
    });
    if (!ecr_ok) {
      Fail(ev, "error handling packet",
           "unable to infer live TS ecr for script TS ecr " + std::to_string(bad_ecr) +
               "; no matching or preceding outbound TS val");
    }
  }
  IpFields ip;
  ip.tos = seg.ip.tos.value_or(0);
  if (seg.ip.ecn) ip.tos = static_cast<std::uint8_t>((ip.tos & ~3) | *seg.ip.ecn);
  if (seg.ip.ttl) ip.ttl = *seg.ip.ttl;
  std::string key = HasOption(h.options, kOptMd5) ? s->md5_key : std::string();
  RememberPacket('<', ElapsedUs(), TcpSegmentToString(h, seg.len, true));
  std::vector<std::uint8_t> packet =
      EncodeTcpPacket(config_.remote, config_.local, ip, h, seg.len, key);
  std::string error;
  if (!link_.Inject(packet, config_.mss, &error)) Fail(ev, "error handling packet", error);
  Trace(ev, t, "inbound " + TcpSegmentToString(ScriptSegmentHeader(seg), seg.len, true));
  EndEvent(t, /*inbound_packet=*/true);
}

bool RunImpl::ReadOutbound(const Event& ev, SocketState& s, std::int64_t deadline_ns,
                           DecodedPacket* packet, std::int64_t* timestamp_ns,
                           std::vector<std::uint8_t>* raw) {
  std::vector<std::uint8_t>& bytes = *raw;
  std::string error;
  while (true) {
    if (!link_.NextOutbound(deadline_ns, &bytes, timestamp_ns, &error)) {
      if (!error.empty()) Fail(ev, "error handling packet", error);
      return false;
    }
    if (!DecodePacket(bytes.data(), bytes.size(), packet, &error)) continue;
    if (packet->protocol != IPPROTO_TCP) continue;
    RememberPacket('>', (*timestamp_ns - live_start_ns_) / 1000,
                   TcpSegmentToString(packet->tcp, packet->payload_len, true));
    // Only the socket under test's packets count; other traffic (IPv6 router solicitations,
    // MLD) is not the script's business.
    if (!(packet->src == config_.local) || !(packet->dst == config_.remote)) continue;
    // A blocking connect() may still be in the kernel: its port is known once the SYN is out.
    if (s.local_port == 0 && s.kind == SocketState::Kind::kConnecting && s.live_fd >= 0) {
      s.local_port = LocalPort(s.live_fd);
    }
    if (packet->tcp.src_port != s.local_port || packet->tcp.dst_port != s.remote_port) continue;
    return true;
  }
}

void RunImpl::Outbound(const Event& ev, const TcpSegment& seg) {
  std::lock_guard<std::mutex> lock(mu_);
  Timing t = BeginEvent(ev, /*inbound_packet=*/false);
  SocketState* s = under_test_;
  if (!s) Fail(ev, "error handling packet", "no socket under test for this outbound packet");

  std::int64_t deadline = SniffDeadlineNs(ev, t);
  DecodedPacket live;
  std::int64_t ts_ns = 0;
  std::vector<std::uint8_t> raw;
  if (!ReadOutbound(ev, *s, deadline, &live, &ts_ns, &raw)) {
    Fail(ev, "error handling packet", "Timed out waiting for packet\nscript packet:  " +
                                          ScriptPacketLine(seg, t.start_us));
  }
  // Without --strict_segments, consecutive segments are aggregated until the script's length.
  std::size_t total = live.payload_len;
  while (total < seg.len) {
    DecodedPacket more;
    std::int64_t more_ts;
    if (!ReadOutbound(ev, *s, deadline, &more, &more_ts, &raw)) break;
    if (more.tcp.seq != live.tcp.seq + total) {
      Fail(ev, "error handling packet",
           "live packet payload: expected " + std::to_string(seg.len) + " bytes in contiguous "
           "segments, but a segment starts at a gap");
    }
    std::uint32_t first_seq = live.tcp.seq;
    bool first_cwr = live.tcp.flags & kCwr;
    bool zero = live.payload_all_zero && more.payload_all_zero;
    total += more.payload_len;
    live = more;  // Headers of the last fragment...
    live.tcp.seq = first_seq;  // ...but sequence number and CWR of the first.
    live.tcp.flags = static_cast<std::uint16_t>((live.tcp.flags & ~kCwr) | (first_cwr ? kCwr : 0));
    live.payload_len = total;
    live.payload_all_zero = zero;
    // As packetdrill's aggregate_packets(), which copies the last fragment: the aggregate's
    // time, checked against the script, is when its last segment left.
    ts_ns = more_ts;
  }

  bool syn = live.tcp.flags & kSyn;
  if (syn && !s->has_local_isn) {
    s->has_local_isn = true;
    s->local_isn_live = live.tcp.seq;
    s->local_isn_script = seg.seq;
  }
  TcpHeader mapped = live.tcp;
  mapped.seq = syn ? live.tcp.seq - (s->local_isn_live - s->local_isn_script)
                   : live.tcp.seq - s->local_isn_live;
  if (!syn && (live.tcp.flags & kAck)) {
    mapped.ack = live.tcp.ack - s->remote_isn;
    ForEachOption(mapped.options, kOptSack, [&](std::uint8_t* opt, std::uint8_t len) {
      for (std::uint8_t i = 2; i + 4 <= len; i += 4) Put32(opt + i, Get32(opt + i) - s->remote_isn);
    });
  }
  // TS val: remember script val -> live val for later inbound ecr values, and show the live
  // val on the script's scale (it is not compared unless --tcp_ts_tick_usecs).
  TcpHeader script_header = ScriptSegmentHeader(seg);
  std::optional<std::uint32_t> script_val;
  ForEachOption(script_header.options, kOptTimestamp, [&](std::uint8_t* opt, std::uint8_t len) {
    if (len == 10) script_val = Get32(opt + 2);
  });
  ForEachOption(mapped.options, kOptTimestamp, [&](std::uint8_t* opt, std::uint8_t len) {
    if (len != 10 || !script_val) return;
    std::uint32_t live_val = Get32(opt + 2);
    if (!s->has_ts_baseline) {
      s->has_ts_baseline = true;
      s->ts_first_script = *script_val;
      s->ts_first_live = live_val;
    }
    s->ts_script_to_live[*script_val] = live_val;
    Put32(opt + 2, s->ts_first_script + (live_val - s->ts_first_live));
  });

  std::int64_t actual_us = (ts_ns - live_start_ns_) / 1000;
  // With a TCP-MD5 key on the connection the digest is checked for being the right signature
  // rather than for equal bytes.
  bool md5_signed = !s->md5_key.empty() && HasOption(live.tcp.options, kOptMd5);
  std::vector<FieldDiff> diffs = MatchTcpSegment(seg, live, mapped, md5_signed);
  if (md5_signed && !VerifyTcpMd5(raw.data(), raw.size(), s->md5_key)) {
    diffs.push_back({"tcp_md5_signature", "the RFC 2385 signature for the installed key",
                     "a different digest"});
  }
  if (!diffs.empty()) {
    std::string message = DescribeDiff(diffs[0]);
    for (std::size_t i = 1; i < diffs.size(); ++i) message += "\n  and " + DescribeDiff(diffs[i]);
    message += "\nscript packet:  " + ScriptPacketLine(seg, t.start_us);
    message += "\nactual packet:  " + Seconds(actual_us) + " " +
               TcpSegmentToString(mapped, live.payload_len, true);
    Fail(ev, "error handling packet", message);
  }
  if (ev.time.kind != TimeKind::kAnyTime &&
      (actual_us < t.start_us - t.tolerance_us || actual_us > t.end_us + t.tolerance_us)) {
    std::string expected = t.start_us == t.end_us
                               ? "at " + Seconds(t.start_us)
                               : "in time range " + Seconds(t.start_us) + "~" + Seconds(t.end_us);
    Fail(ev, "timing error",
         "expected outbound packet " + expected + " sec but happened at " + Seconds(actual_us) +
             " sec; tolerance " + Seconds(t.tolerance_us) + " sec\nscript packet:  " +
             ScriptPacketLine(seg, t.start_us) + "\nactual packet:  " + Seconds(actual_us) + " " +
             TcpSegmentToString(mapped, live.payload_len, true));
  }
  Trace(ev, t, "outbound " + TcpSegmentToString(mapped, live.payload_len, true), actual_us);
  EndEvent(t, /*inbound_packet=*/false);
}

namespace {
IpFields InjectedIpFields(const IpInfo& info) {
  IpFields ip;
  ip.tos = info.tos.value_or(0);
  if (info.ecn) ip.tos = static_cast<std::uint8_t>((ip.tos & ~3) | *info.ecn);
  if (info.ttl) ip.ttl = *info.ttl;
  return ip;
}

/// IP-level checks shared by every outbound packet kind.
std::string CheckIpFields(const IpInfo& want, const DecodedPacket& live) {
  if (want.tos && *want.tos != live.tos) {
    return "live packet field ip_tos: expected: " + std::to_string(*want.tos) +
           " vs actual: " + std::to_string(live.tos);
  }
  if (want.ecn && *want.ecn != (live.tos & 3)) {
    return "live packet field ip_ecn: expected: " + std::to_string(*want.ecn) +
           " vs actual: " + std::to_string(live.tos & 3);
  }
  if (want.ttl && *want.ttl != live.ttl) {
    return "live packet field ip_ttl: expected: " + std::to_string(*want.ttl) +
           " vs actual: " + std::to_string(live.ttl);
  }
  return "";
}
}  // namespace

void RunImpl::Inbound(const Event& ev, const UdpDatagram& udp) {
  std::lock_guard<std::mutex> lock(mu_);
  Timing t = BeginEvent(ev, /*inbound_packet=*/true);
  SocketState* s = under_test_;
  if (!s) Fail(ev, "error handling packet", "no socket for this inbound UDP datagram");
  WaitForStart(ev, t, "inbound packet");
  std::vector<std::uint8_t> packet = EncodeUdpPacket(
      config_.remote, config_.local, InjectedIpFields(udp.ip),
      udp.src_port ? udp.src_port : s->remote_port, udp.dst_port ? udp.dst_port : s->local_port,
      udp.len);
  std::string error;
  if (!link_.Inject(packet, /*gso_size=*/0, &error)) Fail(ev, "error handling packet", error);
  Trace(ev, t, "inbound udp (" + std::to_string(udp.len) + ")");
  EndEvent(t, /*inbound_packet=*/true);
}

void RunImpl::Outbound(const Event& ev, const UdpDatagram& udp) {
  std::lock_guard<std::mutex> lock(mu_);
  Timing t = BeginEvent(ev, /*inbound_packet=*/false);
  SocketState* s = under_test_;
  if (!s) Fail(ev, "error handling packet", "no socket for this outbound UDP datagram");
  std::int64_t deadline = SniffDeadlineNs(ev, t);
  std::vector<std::uint8_t> bytes;
  DecodedPacket live;
  std::int64_t ts_ns = 0;
  std::string error;
  while (true) {
    if (!link_.NextOutbound(deadline, &bytes, &ts_ns, &error)) {
      Fail(ev, "error handling packet", error.empty() ? "Timed out waiting for packet" : error);
    }
    if (!DecodePacket(bytes.data(), bytes.size(), &live, &error)) continue;
    if (live.protocol != IPPROTO_UDP || !(live.src == config_.local) || !(live.dst == config_.remote))
      continue;
    if (s->local_port && live.udp_src_port != s->local_port) continue;
    break;
  }
  if (!s->local_port) s->local_port = live.udp_src_port;
  std::string diff = CheckIpFields(udp.ip, live);
  if (diff.empty() && live.payload_len != udp.len) {
    diff = "live packet field udp_payload_len: expected: " + std::to_string(udp.len) +
           " vs actual: " + std::to_string(live.payload_len);
  }
  if (!diff.empty()) Fail(ev, "error handling packet", diff);
  std::int64_t actual_us = (ts_ns - live_start_ns_) / 1000;
  if (ev.time.kind != TimeKind::kAnyTime &&
      (actual_us < t.start_us - t.tolerance_us || actual_us > t.end_us + t.tolerance_us)) {
    Fail(ev, "timing error", "expected outbound packet at " + Seconds(t.start_us) +
                                 " sec but happened at " + Seconds(actual_us) + " sec; tolerance " +
                                 Seconds(t.tolerance_us) + " sec");
  }
  Trace(ev, t, "outbound udp (" + std::to_string(live.payload_len) + ")", actual_us);
  EndEvent(t, false);
}

void RunImpl::Inbound(const Event& ev, const IcmpMessage& icmp) {
  std::lock_guard<std::mutex> lock(mu_);
  Timing t = BeginEvent(ev, /*inbound_packet=*/true);
  SocketState* s = under_test_;
  if (!s) Fail(ev, "error handling packet", "no socket for this inbound ICMP message");
  bool v6 = config_.remote.family == AF_INET6;
  if (v6 ? !icmp.has_v6 : !icmp.has_v4) {
    Fail(ev, "error handling packet",
         std::string("bad ICMP type for ") + (v6 ? "ICMPv6" : "ICMPv4") + " in this family");
  }
  WaitForStart(ev, t, "inbound packet");
  // The body echoes the packet that "caused" the error: the socket's own outbound packet, with
  // its IP header and the first 8 bytes of TCP or UDP.
  std::vector<std::uint8_t> echoed;
  IpFields plain;
  plain.ttl = 64;
  if (icmp.echoed == IcmpMessage::Echoed::kRaw) {
    echoed.assign(icmp.echoed_len, 0);
  } else if (icmp.echoed == IcmpMessage::Echoed::kUdp) {
    echoed = EncodeUdpPacket(config_.local, config_.remote, plain, s->local_port, s->remote_port,
                             icmp.echoed_len);
  } else {
    TcpHeader h;
    h.src_port = s->local_port;
    h.dst_port = s->remote_port;
    h.seq = icmp.echoed_seq + s->local_isn_live;
    h.flags = kAck;
    echoed = EncodeTcpPacket(config_.local, config_.remote, plain, h, icmp.echoed_len, "");
  }
  std::size_t ip_len = v6 ? 40 : 20;
  if (icmp.echoed != IcmpMessage::Echoed::kRaw && echoed.size() > ip_len + 8) {
    echoed.resize(ip_len + 8);
  }
  std::uint32_t rest = 0;
  if (icmp.mtu) rest = *icmp.mtu;  // frag_needed: low 16 bits on ICMPv4; packet_too_big: all 32
  if (icmp.id) rest = static_cast<std::uint32_t>(*icmp.id) << 16;
  std::vector<std::uint8_t> packet = EncodeIcmpPacket(
      config_.remote, config_.local, InjectedIpFields(icmp.ip), v6 ? icmp.type_v6 : icmp.type_v4,
      v6 ? icmp.code_v6 : icmp.code_v4, rest, echoed);
  std::string error;
  if (!link_.Inject(packet, /*gso_size=*/0, &error)) Fail(ev, "error handling packet", error);
  Trace(ev, t, "inbound icmp");
  EndEvent(t, /*inbound_packet=*/true);
}

void RunImpl::Outbound(const Event& ev, const IcmpMessage& icmp) {
  std::lock_guard<std::mutex> lock(mu_);
  Timing t = BeginEvent(ev, /*inbound_packet=*/false);
  bool v6 = config_.remote.family == AF_INET6;
  std::int64_t deadline = SniffDeadlineNs(ev, t);
  std::vector<std::uint8_t> bytes;
  DecodedPacket live;
  std::int64_t ts_ns = 0;
  std::string error;
  std::uint8_t want_proto = v6 ? 58 : 1;
  while (true) {
    if (!link_.NextOutbound(deadline, &bytes, &ts_ns, &error)) {
      Fail(ev, "error handling packet", error.empty() ? "Timed out waiting for packet" : error);
    }
    if (!DecodePacket(bytes.data(), bytes.size(), &live, &error)) continue;
    if (live.protocol != want_proto || !(live.dst == config_.remote)) continue;
    // ICMPv6 neighbour discovery and MLD are the kernel's own business.
    if (v6 && live.icmp_type >= 130 && live.icmp_type <= 143) continue;
    break;
  }
  std::uint8_t type = v6 ? icmp.type_v6 : icmp.type_v4;
  std::uint8_t code = v6 ? icmp.code_v6 : icmp.code_v4;
  if (live.icmp_type != type || live.icmp_code != code) {
    Fail(ev, "error handling packet",
         "live packet field icmp_type/code: expected: " + std::to_string(type) + "/" +
             std::to_string(code) + " vs actual: " + std::to_string(live.icmp_type) + "/" +
             std::to_string(live.icmp_code));
  }
  std::string diff = CheckIpFields(icmp.ip, live);
  if (!diff.empty()) Fail(ev, "error handling packet", diff);
  Trace(ev, t, "outbound icmp", (ts_ns - live_start_ns_) / 1000);
  EndEvent(t, false);
}

void RunImpl::Command(const Event& ev, const char* text) {
  std::lock_guard<std::mutex> lock(mu_);
  Timing t = BeginEvent(ev, false);
  WaitForStart(ev, t, "command");
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
  std::lock_guard<std::mutex> lock(mu_);
  Timing t = BeginEvent(ev, false);
  WaitForStart(ev, t, "data collection for code");
  SnapshotForCode(ev);
  code_blocks_.AddNative(ev.line, fn);
  Trace(ev, t, "code block");
  EndEvent(t, false);
}

void RunImpl::CodePython(const Event& ev, const char* python_text) {
  std::lock_guard<std::mutex> lock(mu_);
  Timing t = BeginEvent(ev, false);
  WaitForStart(ev, t, "data collection for code");
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
