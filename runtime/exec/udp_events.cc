// UDP packet events: datagrams of the socket under test, with the payload length and IP fields
// checked (docs/pkt-language.md section 4.5).
#include <netinet/in.h>

#include "exec/ip_fields.h"
#include "exec/matcher.h"
#include "exec/run.h"

namespace pktc::rt {

/// A wire server sees no socket() call: as packetdrill's, it takes the script's first UDP
/// datagram for its socket's (to --bind_port from a fresh port when inbound, to
/// --connect_port from the port the kernel picks when outbound).
SocketState* RunImpl::UdpSocketForServer(const Event& ev, bool inbound) {
  auto made = std::make_unique<SocketState>();
  made->kind = SocketState::Kind::kConnecting;
  made->domain = config_.socket_family;
  made->type = SOCK_DGRAM;
  if (inbound) {
    made->local_port = static_cast<std::uint16_t>(config_.bind_port);
    made->remote_port = EphemeralPort(ev);
  } else {
    made->remote_port = static_cast<std::uint16_t>(config_.connect_port);
  }
  under_test_ = made.get();
  sockets_.push_back(std::move(made));
  return under_test_;
}

void RunImpl::Inbound(const Event& ev, const UdpDatagram& udp) {
  PeerNextEvent(/*packet=*/true);
  std::unique_lock<std::mutex> lock(mu_);
  if (LeavesPackets()) return KeepTime(ev, /*inbound_packet=*/true, /*outbound_packet=*/false);
  EventWindow t = BeginEvent(ev, /*inbound_packet=*/true);
  SocketState* s = under_test_;
  if (!s && LeavesCalls()) s = UdpSocketForServer(ev, /*inbound=*/true);
  if (s && LeavesCalls() && !s->remote_port) s->remote_port = EphemeralPort(ev);
  if (s && LeavesCalls() && !s->local_port) {
    s->local_port = static_cast<std::uint16_t>(config_.bind_port);
  }
  if (!s) Fail(ev, "error handling packet", "no socket for this inbound UDP datagram");
  WaitForStart(ev, t, "inbound packet", &lock);
  FillAnyipPorts(*s);
  Inject(ev,
         WithOuterHeaders(udp.encap,
                          EncodeUdpPacket(config_.remote, config_.local, InjectedIpFields(udp.ip),
                                          udp.src_port ? udp.src_port : s->remote_port,
                                          udp.dst_port ? udp.dst_port : s->local_port, udp.len)),
         /*gso_size=*/0);
  Trace(ev, t,
        "inbound " + OuterHeadersText(udp.encap, WireIpVersion()) + "udp (" +
            std::to_string(udp.len) + ")");
  EndEvent(t, /*inbound_packet=*/true);
}

void RunImpl::Outbound(const Event& ev, const UdpDatagram& udp) {
  PeerNextEvent(/*packet=*/true);
  std::unique_lock<std::mutex> lock(mu_);
  if (LeavesPackets()) return KeepTime(ev, /*inbound_packet=*/false, /*outbound_packet=*/true);
  EventWindow t = BeginEvent(ev, /*inbound_packet=*/false);
  SocketState* s = under_test_;
  if (!s && LeavesCalls()) s = UdpSocketForServer(ev, /*inbound=*/false);
  if (!s) Fail(ev, "error handling packet", "no socket for this outbound UDP datagram");
  OutboundPacket out;
  bool found = NextOutbound(
      ev, timing_.SniffDeadlineNs(t),
      [&](const OutboundPacket& p) {
        const DecodedPacket& live = p.decoded;
        if (live.protocol != IPPROTO_UDP || !(live.src == config_.local) ||
            !(live.dst == config_.remote)) {
          return false;
        }
        return !s->local_port || live.udp_src_port == s->local_port;
      },
      &out);
  if (!found) Fail(ev, "error handling packet", "Timed out waiting for packet");
  const DecodedPacket& live = out.decoded;
  // A socket that never bound learns its port from its first datagram.
  if (!s->local_port) s->local_port = live.udp_src_port;
  std::string diff;
  if (!udp.encap.empty() || !live.encap.empty()) {
    std::size_t inner = (live.ip_version == 6 ? 40 : 20) + 8 + udp.len;
    std::vector<FieldDiff> layers = MatchEncap(udp.encap, udp.ip, inner, live);
    if (!layers.empty()) diff = DescribeDiff(layers[0]);
  }
  if (diff.empty()) diff = CheckIpFields(udp.ip, live);
  if (diff.empty() && live.payload_len != udp.len) {
    diff = "live packet field udp_payload_len: expected: " + std::to_string(udp.len) +
           " vs actual: " + std::to_string(live.payload_len);
  }
  if (diff.empty()) diff = CheckFlowLabel(s->flowlabels, udp.ip, live);
  if (diff.empty()) {
    CheckOutboundTime(ev, t, out.sent_ns);
  } else {
    PacketMismatch(ev, diff);
  }
  Trace(ev, t,
        "outbound " + EncapToString(live.encap) + "udp (" + std::to_string(live.payload_len) + ")",
        timing_.ScriptUs(out.sent_ns));
  EndEvent(t, /*inbound_packet=*/false);
}

}  // namespace pktc::rt
