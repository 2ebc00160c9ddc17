// ICMP and ICMPv6 packet events (docs/pkt-language.md section 4.7): inbound errors that echo
// the socket's own packet, and the kernel's outbound messages, type, code and time checked.
#include <netinet/in.h>
#include <sys/socket.h>

#include "exec/ip_fields.h"
#include "exec/matcher.h"
#include "exec/run.h"

namespace pktc::rt {

std::vector<std::uint8_t> RunImpl::IcmpEchoedPacket(const IcmpMessage& icmp,
                                                    const SocketState& s) const {
  // `[raw (LEN)]`: LEN is the whole ICMP message, its 8-byte header included (packetdrill's
  // new_icmp_packet()); the rest is zeros.
  if (icmp.echoed == IcmpMessage::Echoed::kRaw) {
    return std::vector<std::uint8_t>(icmp.echoed_len > 8 ? icmp.echoed_len - 8 : 0, 0);
  }
  std::vector<std::uint8_t> echoed;
  IpFields plain;
  plain.ttl = 64;
  if (icmp.echoed == IcmpMessage::Echoed::kUdp) {
    echoed = EncodeUdpPacket(config_.local, config_.remote, plain, s.local_port, s.remote_port,
                             icmp.echoed_len);
  } else {
    TcpHeader h;
    h.src_port = s.local_port;
    h.dst_port = s.remote_port;
    h.seq = LiveLocalSeq(s, icmp.echoed_seq);
    h.flags = kAck;
    echoed = EncodeTcpPacket(config_.local, config_.remote, plain, h, icmp.echoed_len, "");
  }
  std::size_t ip_len = config_.remote.family == AF_INET6 ? 40 : 20;
  if (echoed.size() > ip_len + 8) echoed.resize(ip_len + 8);
  return echoed;
}

void RunImpl::Inbound(const Event& ev, const IcmpMessage& icmp) {
  PeerNextEvent(/*packet=*/true);
  std::unique_lock<std::mutex> lock(mu_);
  if (LeavesPackets()) return KeepTime(ev, /*inbound_packet=*/true, /*outbound_packet=*/false);
  EventWindow t = BeginEvent(ev, /*inbound_packet=*/true);
  SocketState* s = under_test_;
  if (!s) Fail(ev, "error handling packet", "no socket for this inbound ICMP message");
  bool v6 = config_.remote.family == AF_INET6;
  if (v6 ? !icmp.has_v6 : !icmp.has_v4) {
    Fail(ev, "error handling packet",
         std::string("bad ICMP type for ") + (v6 ? "ICMPv6" : "ICMPv4") + " in this family");
  }
  WaitForStart(ev, t, "inbound packet", &lock);
  FillAnyipPorts(*s);
  std::uint32_t rest = 0;
  if (icmp.mtu) rest = *icmp.mtu;  // frag_needed: low 16 bits on ICMPv4; packet_too_big: all 32
  if (icmp.id) rest = static_cast<std::uint32_t>(*icmp.id) << 16;
  Inject(ev,
         WithOuterHeaders(
             icmp.encap,
             EncodeIcmpPacket(config_.remote, config_.local, InjectedIpFields(icmp.ip),
                              v6 ? icmp.type_v6 : icmp.type_v4, v6 ? icmp.code_v6 : icmp.code_v4,
                              rest, IcmpEchoedPacket(icmp, *s))),
         /*gso_size=*/0);
  Trace(ev, t, "inbound " + OuterHeadersText(icmp.encap, WireIpVersion()) + "icmp");
  EndEvent(t, /*inbound_packet=*/true);
}

void RunImpl::Outbound(const Event& ev, const IcmpMessage& icmp) {
  PeerNextEvent(/*packet=*/true);
  std::unique_lock<std::mutex> lock(mu_);
  if (LeavesPackets()) return KeepTime(ev, /*inbound_packet=*/false, /*outbound_packet=*/true);
  EventWindow t = BeginEvent(ev, /*inbound_packet=*/false);
  bool v6 = config_.remote.family == AF_INET6;
  std::uint8_t want_proto = v6 ? std::uint8_t{IPPROTO_ICMPV6} : std::uint8_t{IPPROTO_ICMP};
  // As packetdrill, a live ICMP message belongs to the socket under test only if that is an
  // ICMP socket of the wire's family: the kernel's ICMP errors about a TCP or UDP socket's
  // traffic (a closed port's port_unreachable) are not the script's to expect.
  const SocketState* s = under_test_;
  bool icmp_socket = s && s->protocol == want_proto;
  OutboundPacket out;
  bool found = NextOutbound(
      ev, timing_.SniffDeadlineNs(t),
      [&](const OutboundPacket& p) {
        const DecodedPacket& live = p.decoded;
        if (!icmp_socket) return false;
        if (live.protocol != want_proto || !(live.src == config_.local) ||
            !(live.dst == config_.remote)) {
          return false;
        }
        // ICMPv6 neighbour discovery and MLD are the kernel's own business.
        return !(v6 && live.icmp_type >= 130 && live.icmp_type <= 143);
      },
      &out);
  if (!found) Fail(ev, "error handling packet", "Timed out waiting for packet");
  const DecodedPacket& live = out.decoded;
  std::uint8_t type = v6 ? icmp.type_v6 : icmp.type_v4;
  std::uint8_t code = v6 ? icmp.code_v6 : icmp.code_v4;
  std::string diff;
  if (!icmp.encap.empty() || !live.encap.empty()) {
    // Outer layers first, as packetdrill. Their lengths are not compared: pktc does not size
    // the script's ICMP message.
    std::vector<FieldDiff> layers = MatchEncap(icmp.encap, icmp.ip, std::nullopt, live);
    if (!layers.empty()) diff = DescribeDiff(layers[0]);
  }
  if (diff.empty() && (live.icmp_type != type || live.icmp_code != code)) {
    diff = "live packet field icmp_type/code: expected: " + std::to_string(type) + "/" +
           std::to_string(code) + " vs actual: " + std::to_string(live.icmp_type) + "/" +
           std::to_string(live.icmp_code);
  }
  if (diff.empty() && icmp.echoed == IcmpMessage::Echoed::kRaw) {
    // `[raw (LEN)]` sizes the whole message; packetdrill compares what follows the 8-byte
    // header (the decoder counts 4: type, code, checksum).
    std::size_t expected = icmp.echoed_len > 8 ? icmp.echoed_len - 8 : 0;
    std::size_t actual = live.payload_len >= 4 ? live.payload_len - 4 : 0;
    if (expected != actual) {
      diff = "live packet payload: expected " + std::to_string(expected) + " bytes vs actual " +
             std::to_string(actual) + " bytes";
    }
  }
  if (diff.empty()) diff = CheckIpFields(icmp.ip, live);
  if (diff.empty() && s) diff = CheckFlowLabel(under_test_->flowlabels, icmp.ip, live);
  if (diff.empty()) {
    CheckOutboundTime(ev, t, out.sent_ns);
  } else {
    PacketMismatch(ev, diff);
  }
  Trace(ev, t, "outbound " + EncapToString(live.encap) + "icmp", timing_.ScriptUs(out.sent_ns));
  EndEvent(t, /*inbound_packet=*/false);
}

}  // namespace pktc::rt
