// The wire client: hello, start, and the packet batches the server runs.
#include "wire/wire_client.h"

#include <algorithm>
#include <cstdio>

#include "base/clock.h"

namespace pktc::rt {

namespace {
constexpr std::int64_t kNsPerSec = 1'000'000'000;
/// How long the server may wait for each outbound packet beyond its time (packetdrill's sniff
/// timeout adds 2 s to the packet's offset).
constexpr std::int64_t kSniffSlackNs = 2 * kNsPerSec;
}  // namespace

WireClient::WireClient(const ScriptInfo& script, int timeout_secs)
    : script_(script), timeout_ns_(timeout_secs * kNsPerSec) {}

bool WireClient::Connect(const IpAddress& server, int port, const WireHello& hello,
                         std::string* error) {
  server_ = (server.family == 10 ? "[" + server.ToString() + "]" : server.ToString()) + ":" +
            std::to_string(port);
  if (!connection_.Connect(server, port, NowNs() + timeout_ns_, error)) return false;
  connection_.Tune(static_cast<int>(timeout_ns_ / kNsPerSec));
  std::string text(script_.text ? script_.text : "", script_.text ? script_.text_size : 0);
  std::string local = hello.local.ToString(), remote = hello.remote.ToString();
  bool ok =
      connection_.Send(WireOp::kCommandLineArgs, EncodeWireArgs(hello.args), error) &&
      connection_.Send(WireOp::kScriptPath, script_.path, error) &&
      connection_.Send(WireOp::kScript, text, error) &&
      connection_.Send(WireOp::kHardwareAddr, hello.mac.bytes, sizeof hello.mac.bytes, error) &&
      connection_.Send(WireOp::kLiveLocalIp, local, error) &&
      connection_.Send(WireOp::kLiveRemoteIp, remote, error);
  if (!ok) *error = "wire server " + server_ + ": " + *error;
  return ok;
}

bool WireClient::WaitForServerReady(std::string* error) {
  WireMessage m;
  if (!connection_.Receive(NowNs() + timeout_ns_, &m, error)) {
    *error =
        "wire server " + server_ + ": no WIRE_SERVER_READY: " + *error +
        (*error == "timed out" ? " after " + std::to_string(timeout_ns_ / kNsPerSec) +
                                     " s (it serves one client at a time: is another one running?)"
                               : std::string(" (see the server's output)"));
    return false;
  }
  if (m.op == WireOp::kPacketsDone) {  // A pktc server's refusal.
    std::int32_t status;
    std::uint32_t count;
    std::string message;
    if (DecodePacketsDone(m.data, &status, &count, &message, error)) {
      *error = "wire server " + server_ + " refused the run: " + message;
      return false;
    }
  }
  if (m.op != WireOp::kServerReady || !m.data.empty()) {
    *error = "wire server " + server_ + ": expected WIRE_SERVER_READY, got " + WireOpName(m.op);
    return false;
  }
  return true;
}

bool WireClient::Starting(std::int64_t live_start_ns, std::string* error) {
  WaitUntilNs(live_start_ns);
  if (connection_.Send(WireOp::kClientStarting, nullptr, 0, error)) return true;
  *error = "wire server " + server_ + ": " + *error;
  return false;
}

std::int64_t WireClient::BatchDeadlineNs() const {
  if (batch_unbounded_) return -1;
  return std::max(batch_due_ns_, NowNs()) + batch_outbound_ * kSniffSlackNs + timeout_ns_;
}

bool WireClient::NextEvent(bool packet, std::string* failure) {
  if (packet && !last_was_packet_) {
    // As packetdrill: the request carries how many events ran before this one.
    std::vector<std::uint8_t> start = EncodePacketsStart(events_);
    if (!connection_.Send(WireOp::kPacketsStart, start.data(), start.size(), failure)) {
      *failure = "wire server " + server_ + ": " + *failure;
      return false;
    }
    batch_due_ns_ = 0;
    batch_unbounded_ = false;
    batch_outbound_ = 0;
  }
  if (!packet && last_was_packet_ && !ReceivePacketsDone(failure)) return false;
  last_was_packet_ = packet;
  ++events_;
  return true;
}

void WireClient::Due(std::int64_t due_ns, bool waits_for_packet) {
  if (due_ns < 0) batch_unbounded_ = true;
  batch_due_ns_ = std::max(batch_due_ns_, due_ns);
  if (waits_for_packet) ++batch_outbound_;
}

bool WireClient::Finish(std::string* failure) {
  if (!last_was_packet_) return true;
  last_was_packet_ = false;
  return ReceivePacketsDone(failure);
}

bool WireClient::ReceivePacketsDone(std::string* failure) {
  std::int64_t deadline = BatchDeadlineNs();
  for (;;) {
    WireMessage m;
    std::string error;
    if (!connection_.Receive(deadline, &m, &error)) {
      *failure = std::string(script_.path) + ": wire server " + server_ +
                 ": no WIRE_PACKETS_DONE: " + error +
                 (error == "timed out" ? " (the server's packet events overran their times)"
                                       : " (see the server's output)");
      return false;
    }
    if (m.op == WireOp::kPacketsWarn) {
      std::fprintf(stderr, "%s", m.Text().c_str());
      continue;
    }
    if (m.op != WireOp::kPacketsDone) {
      *failure = std::string(script_.path) + ": wire server " + server_ +
                 ": expected WIRE_PACKETS_DONE or WIRE_PACKETS_WARN, got " + WireOpName(m.op);
      return false;
    }
    std::int32_t status;
    std::uint32_t count;
    std::string message;
    if (!DecodePacketsDone(m.data, &status, &count, &message, &error)) {
      *failure = std::string(script_.path) + ": wire server " + server_ + ": " + error;
      return false;
    }
    if (status != kWireStatusOk) {
      *failure = message;  // The server's report, as a local run would print it.
      return false;
    }
    if (count != events_) {
      *failure = std::string(script_.path) + ": wire server " + server_ +
                 ": bad event count in WIRE_PACKETS_DONE: " + std::to_string(count) +
                 " where this client ran " + std::to_string(events_);
      return false;
    }
    return true;
  }
}

}  // namespace pktc::rt
