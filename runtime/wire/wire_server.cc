// The wire server: the client's hello, and the packet batches of the run.
#include "wire/wire_server.h"

#include <algorithm>
#include <cstring>

#include "base/clock.h"

namespace pktc::rt {

namespace {
constexpr std::int64_t kNsPerSec = 1'000'000'000;

bool ReceiveOp(WireConnection& connection, std::int64_t deadline_ns, WireOp op, WireMessage* m,
               std::string* error) {
  if (!connection.Receive(deadline_ns, m, error)) {
    *error = "waiting for " + WireOpName(op) + ": " + *error;
    return false;
  }
  if (m->op != op) {
    *error = "bad wire client: expected " + WireOpName(op) + ", got " + WireOpName(m->op);
    return false;
  }
  return true;
}
}  // namespace

bool ReceiveClientHello(WireConnection& connection, std::int64_t deadline_ns,
                        WireClientHello* hello, std::string* error) {
  WireMessage m;
  if (!ReceiveOp(connection, deadline_ns, WireOp::kCommandLineArgs, &m, error)) return false;
  hello->args = DecodeWireArgs(m.data);
  if (!ReceiveOp(connection, deadline_ns, WireOp::kScriptPath, &m, error)) return false;
  hello->script_path = m.Text();
  if (!ReceiveOp(connection, deadline_ns, WireOp::kScript, &m, error)) return false;
  hello->script = m.Text();
  if (!ReceiveOp(connection, deadline_ns, WireOp::kHardwareAddr, &m, error)) return false;
  if (m.data.size() != sizeof hello->mac.bytes) {
    *error = "bad wire client: hardware address of " + std::to_string(m.data.size()) + " bytes";
    return false;
  }
  std::memcpy(hello->mac.bytes, m.data.data(), sizeof hello->mac.bytes);
  if (!ReceiveOp(connection, deadline_ns, WireOp::kLiveLocalIp, &m, error)) return false;
  hello->local_ip = m.Text();
  if (!ReceiveOp(connection, deadline_ns, WireOp::kLiveRemoteIp, &m, error)) return false;
  hello->remote_ip = m.Text();
  return true;
}

std::string CompareWithCompiledScript(const ScriptInfo& script, const WireClientHello& hello) {
  std::string ours(script.text ? script.text : "", script.text ? script.text_size : 0);
  std::string theirs_line, our_line;
  int line = FirstDifferentLine(hello.script, ours, &theirs_line, &our_line);
  if (line == 0) return "";
  return "the client's script " + hello.script_path + " is not the one this server was " +
         "compiled from (" + script.path + "): they differ first at line " + std::to_string(line) +
         ": the client's reads `" + theirs_line + "`, this server's `" + our_line + "`";
}

void RefuseClient(WireConnection& connection, const std::string& reason) {
  std::vector<std::uint8_t> body = EncodePacketsDone(kWireStatusError, 0, reason);
  std::string error;
  connection.Send(WireOp::kPacketsDone, body.data(), body.size(), &error);
  connection.Close();
}

WireServerPeer::WireServerPeer(WireConnection& connection, int timeout_secs)
    : connection_(connection), timeout_ns_(timeout_secs * kNsPerSec) {}

bool WireServerPeer::ReadyAndWaitForStart(std::int64_t* start_ns, std::string* error) {
  if (!connection_.Send(WireOp::kServerReady, nullptr, 0, error)) return false;
  // The client runs its init command (defaults.sh) in between.
  WireMessage m;
  if (!ReceiveOp(connection_, NowNs() + timeout_ns_, WireOp::kClientStarting, &m, error)) {
    return false;
  }
  // As packetdrill's: time 0 is when the client said it started, a one-way delay late.
  *start_ns = NowNs();
  if (!m.data.empty()) {
    *error = "bad wire client: WIRE_CLIENT_STARTING with data";
    return false;
  }
  return true;
}

bool WireServerPeer::NextEvent(bool packet, std::string* failure) {
  if (packet && !last_was_packet_) {
    std::int64_t deadline = due_ns_ < 0 ? -1 : std::max(due_ns_, NowNs()) + timeout_ns_;
    WireMessage m;
    std::uint32_t count = 0;
    if (!ReceiveOp(connection_, deadline, WireOp::kPacketsStart, &m, failure) ||
        !DecodePacketsStart(m.data, &count, failure)) {
      *failure = "wire client: " + *failure;
      return false;
    }
    if (count != events_) {
      *failure = "bad wire client: it ran " + std::to_string(count) + " events where this " +
                 "server ran " + std::to_string(events_);
      return false;
    }
    due_ns_ = 0;
  }
  if (!packet && last_was_packet_) {
    std::vector<std::uint8_t> done = EncodePacketsDone(kWireStatusOk, events_, "");
    if (!connection_.Send(WireOp::kPacketsDone, done.data(), done.size(), failure)) return false;
  }
  last_was_packet_ = packet;
  ++events_;
  return true;
}

void WireServerPeer::Due(std::int64_t due_ns, bool /*waits_for_packet*/) {
  if (due_ns < 0 || due_ns_ < 0) {
    due_ns_ = -1;
    return;
  }
  due_ns_ = std::max(due_ns_, due_ns);
}

bool WireServerPeer::Finish(std::string* failure) {
  if (!last_was_packet_) return true;
  last_was_packet_ = false;
  std::vector<std::uint8_t> done = EncodePacketsDone(kWireStatusOk, events_, "");
  return connection_.Send(WireOp::kPacketsDone, done.data(), done.size(), failure);
}

bool WireServerPeer::WaitForClientEnd(std::string* error) {
  std::int64_t deadline = due_ns_ < 0 ? -1 : std::max(due_ns_, NowNs()) + timeout_ns_;
  WireMessage m;
  if (connection_.Receive(deadline, &m, error)) {
    *error = "bad wire client: " + WireOpName(m.op) + " after the last event";
    return false;
  }
  if (*error == "the peer closed the connection") return true;
  *error = "waiting for the client to end its run: " + *error;
  return false;
}

void WireServerPeer::ReportFailure(const std::string& report) {
  std::vector<std::uint8_t> done = EncodePacketsDone(kWireStatusError, events_, report);
  std::string error;
  connection_.Send(WireOp::kPacketsDone, done.data(), done.size(), &error);
}

}  // namespace pktc::rt
