// Connection remapping (docs/pkt-language.md 5.2, 5.4): what the run remembers about each
// socket of the script, and the translation of a TCP segment between script space (the numbers
// the script writes: ISN-relative sequence numbers, the script's TS values, implicit ports) and
// live space (what goes on the wire).
#ifndef PKTC_RUNTIME_EXEC_CONNECTION_REMAP_H_
#define PKTC_RUNTIME_EXEC_CONNECTION_REMAP_H_

#include <sys/socket.h>

#include <cstdint>
#include <map>
#include <string>

#include "exec/ip_fields.h"
#include "net/packet_codec.h"
#include "pktc/runtime.h"

namespace pktc::rt {

/// TCP option kinds the remapping and the MD5 check look into.
inline constexpr std::uint8_t kTcpOptionSack = 5;
inline constexpr std::uint8_t kTcpOptionTimestamp = 8;
inline constexpr std::uint8_t kTcpOptionMd5 = 19;

/// Whether an option block holds an option of `kind`.
bool HasTcpOption(const std::vector<std::uint8_t>& block, std::uint8_t kind);

/// What packetdrill remembers about one socket of the script.
struct SocketState {
  enum class Kind { kNew, kConnecting, kListening, kChild } kind = Kind::kNew;
  int script_fd = -1;
  int live_fd = -1;
  int domain = 0;
  int type = SOCK_STREAM;  ///< As the script's socket() passed it (flags included).
  int protocol = 0;  ///< As given to socket(): IPPROTO_ICMP for a ping socket, else often 0.
  SocketState* listener = nullptr;  ///< For a child: the listener its SYN arrived on.
  std::uint16_t local_port = 0, remote_port = 0;
  /// The kernel's ISN, bound by the connection's first outbound SYN, and the script's.
  bool has_local_isn = false;
  std::uint32_t local_isn_live = 0, local_isn_script = 0;
  /// The peer's ISN: the script's own, so live and script agree on it.
  std::uint32_t remote_isn = 0;
  /// The kernel's TS val on the script's scale: offsets from the first val seen.
  bool has_ts_baseline = false;
  std::uint32_t ts_first_script = 0, ts_first_live = 0;
  /// Script TS val -> the live val the kernel sent there, for later inbound TS ecr.
  std::map<std::uint32_t, std::uint32_t> ts_script_to_live;
  std::string md5_key;
  FlowLabelMap flowlabels;  ///< Outbound IPv6 flow labels, script to live.
};

/// The live header of a scripted inbound segment: ports filled in, sequence number, ACK, SACK
/// blocks and TS ecr moved to live space. A SYN fixes the peer's ISN. False, with `error`, if
/// a TS ecr echoes no TS val the kernel sent, unless `ecr_scaled` (--tcp_ts_ecr_scaled) and a
/// first TS val is known: the ecr is then interpolated from it.
bool InboundToLive(SocketState& socket, const TcpSegment& segment, bool ecr_scaled,
                   TcpHeader* live, std::string* error);

/// The kernel's segment in script space, for matching against `segment` (the script's line).
/// The connection's first outbound SYN binds the local ISN; TS vals are remembered for later
/// inbound ecr values and shown on the script's scale (compared only with --tcp_ts_tick_usecs).
TcpHeader OutboundToScript(SocketState& socket, const TcpSegment& segment, const TcpHeader& live);

/// The live sequence number of a local (kernel-sent) script sequence number, for the TCP
/// header an inbound ICMP error echoes.
std::uint32_t LiveLocalSeq(const SocketState& socket, std::uint32_t script_seq);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_CONNECTION_REMAP_H_
