// TCP packet events: injecting the script's inbound segments and matching the kernel's
// outbound ones (docs/pkt-language.md sections 5.1-5.6), in live space on the wire and script
// space in the script; connection_remap.h translates between the two.
#include <netinet/in.h>

#include "exec/ip_fields.h"
#include "exec/matcher.h"
#include "exec/run.h"

namespace pktc::rt {

std::string RunImpl::ScriptPacketLine(const TcpSegment& seg, std::int64_t us) const {
  TcpHeader h = ScriptSegmentHeader(seg);
  return FormatSeconds(us) + " " + OuterHeadersText(seg.encap, WireIpVersion()) +
         TcpSegmentToString(h, seg.len, seg.win.has_value());
}

std::string RunImpl::ActualPacketLine(const OutboundPacket& live, const TcpHeader& mapped) const {
  return FormatSeconds(timing_.ScriptUs(live.sent_ns)) + " " + EncapToString(live.decoded.encap) +
         TcpSegmentToString(mapped, live.decoded.payload_len, true);
}

SocketState& RunImpl::ConnectionForInbound(const Event& ev, const TcpSegment& seg) {
  SocketState* s = under_test_;
  if (s && s->kind != SocketState::Kind::kListening) return *s;
  auto child = std::make_unique<SocketState>();
  child->kind = SocketState::Kind::kChild;
  child->listener = s;
  child->domain = s ? s->domain : config_.socket_family;
  child->local_port = static_cast<std::uint16_t>(config_.bind_port);
  child->remote_port = EphemeralPort(ev);
  child->remote_isn = seg.seq;
  if (s) child->md5_key = s->md5_key;
  under_test_ = child.get();
  sockets_.push_back(std::move(child));
  return *under_test_;
}

void RunImpl::Inbound(const Event& ev, const TcpSegment& seg) {
  PeerNextEvent(/*packet=*/true);
  std::unique_lock<std::mutex> lock(mu_);
  if (LeavesPackets()) return KeepTime(ev, /*inbound_packet=*/true, /*outbound_packet=*/false);
  EventWindow t = BeginEvent(ev, /*inbound_packet=*/true);
  SocketState& s = ConnectionForInbound(ev, seg);
  WaitForStart(ev, t, "inbound packet", &lock);
  TcpHeader h;
  std::string error;
  if (!InboundToLive(s, seg, config_.tcp_ts_ecr_scaled, &h, &error)) {
    Fail(ev, "error handling packet", error);
  }
  std::string key = HasTcpOption(h.options, kTcpOptionMd5) ? s.md5_key : std::string();
  std::vector<std::uint8_t> packet = WithOuterHeaders(
      seg.encap,
      EncodeTcpPacket(config_.remote, config_.local, InjectedIpFields(seg.ip), h, seg.len, key));
  report_.RememberPacket(
      '<', timing_.ElapsedUs(),
      InjectedOuterHeadersText(seg.encap, packet) + TcpSegmentToString(h, seg.len, true));
  Inject(ev, packet, config_.mss);
  Trace(ev, t,
        "inbound " + OuterHeadersText(seg.encap, WireIpVersion()) +
            TcpSegmentToString(ScriptSegmentHeader(seg), seg.len, true));
  EndEvent(t, /*inbound_packet=*/true);
}

bool RunImpl::NextTcpSegment(const Event& ev, SocketState& s, std::int64_t deadline_ns,
                             OutboundPacket* out) {
  return NextOutbound(
      ev, deadline_ns,
      [&](const OutboundPacket& p) {
        const DecodedPacket& packet = p.decoded;
        if (packet.protocol != IPPROTO_TCP) return false;
        // Only the socket under test's packets count; other traffic (IPv6 router solicitations,
        // MLD; on a wire server the wire connection itself) is not the script's business.
        if (!(packet.src == config_.local) || !(packet.dst == config_.remote)) return false;
        report_.RememberPacket(
            '>', timing_.ScriptUs(p.sent_ns),
            EncapToString(packet.encap) + TcpSegmentToString(packet.tcp, packet.payload_len, true));
        // A blocking connect() may still be in the kernel: its port is known once the SYN is out.
        if (s.local_port == 0 && s.kind == SocketState::Kind::kConnecting && s.live_fd >= 0) {
          s.local_port = LocalPort(s.live_fd);
        }
        // A wire server sees no connect(): the connection's first SYN names its port.
        if (s.local_port == 0 && s.kind == SocketState::Kind::kConnecting && s.live_fd < 0 &&
            (packet.tcp.flags & (kSyn | kAck)) == kSyn && packet.tcp.dst_port == s.remote_port) {
          s.local_port = packet.tcp.src_port;
        }
        if (packet.tcp.src_port != s.local_port || packet.tcp.dst_port != s.remote_port) {
          return false;
        }
        if (&s == under_test_) {
          has_last_outbound_ = true;
          last_outbound_ = packet.tcp;
        }
        return true;
      },
      out);
}

RunImpl::OutboundPacket RunImpl::ReadTcpAggregate(const Event& ev, SocketState& s,
                                                  const TcpSegment& seg, const EventWindow& w) {
  std::int64_t deadline = timing_.SniffDeadlineNs(w);
  auto next = [&](OutboundPacket* out) {
    if (!NextTcpSegment(ev, s, deadline, out)) {
      Fail(ev, "error handling packet",
           "Timed out waiting for packet\nscript packet:  " + ScriptPacketLine(seg, w.start_us));
    }
  };
  OutboundPacket live;
  next(&live);
  DecodedPacket& first = live.decoded;
  std::size_t total = first.payload_len;
  std::size_t last_len = first.payload_len;
  // As packetdrill's do_outbound_script_packet(): consecutive segments are gathered until the
  // script's length (one only with --strict_segments); each one must wait for its packet.
  while (total < seg.len && !config_.strict_segments) {
    OutboundPacket more;
    next(&more);
    std::size_t len = more.decoded.payload_len;
    if (more.decoded.tcp.seq != first.tcp.seq + total) {
      Fail(ev, "error handling packet",
           "live packet payload: expected " + std::to_string(seg.len) +
               " bytes in contiguous segments, but a segment starts at a gap");
    }
    // Every fragment but the last is as long as the one before it.
    if (len < seg.len - total && len != last_len) {
      Fail(ev, "error handling packet",
           "fragment payload: expected " + std::to_string(last_len) + " bytes vs actual " +
               std::to_string(len) + " bytes; total payload: expected " +
               std::to_string(seg.len) + " bytes vs actual " + std::to_string(total + len) +
               " bytes");
    }
    last_len = len;
    std::uint32_t first_seq = first.tcp.seq;
    bool first_cwr = first.tcp.flags & kCwr;
    bool zero = first.payload_all_zero && more.decoded.payload_all_zero;
    total += len;
    bool sums_ok = true;  // GRE checksums of every fragment so far.
    for (const EncapLayer& layer : first.encap) sums_ok &= layer.gre_checksum_ok;
    first = more.decoded;       // Headers of the last fragment...
    first.tcp.seq = first_seq;  // ...but sequence number and CWR of the first.
    // ...and outer lengths for the whole payload, as packetdrill's aggregate_packets() finishes
    // the headers again.
    for (EncapLayer& layer : first.encap) {
      layer.length = static_cast<std::uint16_t>(layer.length + total - len);
      layer.gre_checksum_ok &= sums_ok;
    }
    first.tcp.flags =
        static_cast<std::uint16_t>((first.tcp.flags & ~kCwr) | (first_cwr ? kCwr : 0));
    first.payload_len = total;
    first.payload_all_zero = zero;
    // As packetdrill's aggregate_packets(), which copies the last fragment: the aggregate's
    // time, checked against the script, is when its last segment left.
    live.sent_ns = more.sent_ns;
    live.bytes = std::move(more.bytes);
  }
  if (total != seg.len) {
    Fail(ev, "error handling packet",
         "live packet payload: expected " + std::to_string(seg.len) + " bytes vs actual " +
             std::to_string(total) + " bytes\nscript packet:  " +
             ScriptPacketLine(seg, w.start_us));
  }
  return live;
}

bool RunImpl::MatchTcp(const Event& ev, const SocketState& s, const TcpSegment& seg,
                       const EventWindow& w, const OutboundPacket& live, const TcpHeader& mapped) {
  // With a TCP-MD5 key on the connection the digest is checked for being the right signature
  // rather than for equal bytes.
  bool md5_signed = !s.md5_key.empty() && HasTcpOption(live.decoded.tcp.options, kTcpOptionMd5);
  std::vector<FieldDiff> diffs = MatchTcpSegment(seg, live.decoded, mapped, md5_signed);
  if (md5_signed && !VerifyTcpMd5(live.bytes.data(), live.bytes.size(), s.md5_key)) {
    diffs.push_back({"tcp_md5_signature", "the RFC 2385 signature for the installed key",
                     "a different digest"});
  }
  if (diffs.empty()) return true;
  std::string message = DescribeDiff(diffs[0]);
  for (std::size_t i = 1; i < diffs.size(); ++i) message += "\n  and " + DescribeDiff(diffs[i]);
  message += "\nscript packet:  " + ScriptPacketLine(seg, w.start_us);
  message += "\nactual packet:  " + ActualPacketLine(live, mapped);
  PacketMismatch(ev, message);
  return false;
}

void RunImpl::Outbound(const Event& ev, const TcpSegment& seg) {
  PeerNextEvent(/*packet=*/true);
  std::unique_lock<std::mutex> lock(mu_);
  if (LeavesPackets()) return KeepTime(ev, /*inbound_packet=*/false, /*outbound_packet=*/true);
  EventWindow t = BeginEvent(ev, /*inbound_packet=*/false);
  SocketState* s = under_test_;
  if (!s && LeavesCalls() && (seg.flags & (kSyn | kAck)) == kSyn) {
    // A wire server sees no socket() or connect(): as packetdrill's, it takes the script's
    // first outbound SYN for a connect() to --connect_port.
    auto made = std::make_unique<SocketState>();
    made->kind = SocketState::Kind::kConnecting;
    made->domain = config_.socket_family;
    made->remote_port = static_cast<std::uint16_t>(config_.connect_port);
    s = under_test_ = made.get();
    sockets_.push_back(std::move(made));
  }
  if (!s) Fail(ev, "error handling packet", "no socket under test for this outbound packet");
  OutboundPacket live = ReadTcpAggregate(ev, *s, seg, t);
  TcpHeader mapped = OutboundToScript(*s, seg, live.decoded.tcp);
  std::string detail = "\nscript packet:  " + ScriptPacketLine(seg, t.start_us) +
                       "\nactual packet:  " + ActualPacketLine(live, mapped);
  if (MatchTcp(ev, *s, seg, t, live, mapped)) {
    std::string label = CheckFlowLabel(s->flowlabels, seg.ip, live.decoded);
    if (!label.empty()) {
      PacketMismatch(ev, label + detail);
    } else {
      CheckOutboundTime(ev, t, live.sent_ns, detail);
    }
  }
  Trace(ev, t,
        "outbound " + EncapToString(live.decoded.encap) +
            TcpSegmentToString(mapped, live.decoded.payload_len, true),
        timing_.ScriptUs(live.sent_ns));
  EndEvent(t, /*inbound_packet=*/false);
}

void RunImpl::ResetConnection() {
  if (!under_test_ || !has_last_outbound_) return;
  // The kernel accepts a RST whose sequence number is the next one it expects, the ACK it
  // sent last; or, before it has one (SYN sent), a RST that acknowledges its SYN.
  TcpHeader rst;
  rst.src_port = last_outbound_.dst_port;
  rst.dst_port = last_outbound_.src_port;
  if (last_outbound_.flags & kAck) {
    rst.seq = last_outbound_.ack;
    rst.flags = kRst;
  } else {
    rst.ack = last_outbound_.seq + 1;
    rst.flags = kRst | kAck;
  }
  std::string error;
  IpFields ip;
  link_.Inject(EncodeTcpPacket(config_.remote, config_.local, ip, rst, 0, ""), 0, &error);
}

}  // namespace pktc::rt
