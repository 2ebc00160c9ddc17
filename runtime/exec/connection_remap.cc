// Script <-> live translation of TCP segments, as packetdrill's socket.h offsets do it.
#include "exec/connection_remap.h"

#include <optional>

#include "base/byte_order.h"
#include "exec/matcher.h"

namespace pktc::rt {

namespace {
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

/// Adds `offset` to every SACK block edge (subtracting is adding the negation mod 2^32).
void ShiftSackBlocks(std::vector<std::uint8_t>& options, std::uint32_t offset) {
  ForEachOption(options, kTcpOptionSack, [&](std::uint8_t* opt, std::uint8_t len) {
    for (std::uint8_t i = 2; i + 4 <= len; i += 4) Put32(opt + i, Get32(opt + i) + offset);
  });
}

/// Replaces every TS ecr with the live val the kernel sent for that script val.
bool EcrToLive(const SocketState& socket, bool scaled, std::vector<std::uint8_t>& options,
               std::string* error) {
  bool ok = true;
  ForEachOption(options, kTcpOptionTimestamp, [&](std::uint8_t* opt, std::uint8_t len) {
    if (len != 10 || !ok) return;
    std::uint32_t ecr = Get32(opt + 6);
    auto it = socket.ts_script_to_live.find(ecr);
    if (it != socket.ts_script_to_live.end()) {
      Put32(opt + 6, it->second);
    } else if (scaled && socket.has_ts_baseline) {
      Put32(opt + 6, ecr - socket.ts_first_script + socket.ts_first_live);
    } else {
      ok = false;
      *error = "unable to infer live TS ecr for script TS ecr " + std::to_string(ecr) +
               "; no matching or preceding outbound TS val";
    }
  });
  return ok;
}

/// Remembers script val -> live val and rewrites the live val on the script's scale.
void ValToScript(SocketState& socket, const TcpSegment& segment,
                 std::vector<std::uint8_t>& options) {
  TcpHeader script_header = ScriptSegmentHeader(segment);
  std::optional<std::uint32_t> script_val;
  ForEachOption(script_header.options, kTcpOptionTimestamp,
                [&](std::uint8_t* opt, std::uint8_t len) {
                  if (len == 10) script_val = Get32(opt + 2);
                });
  ForEachOption(options, kTcpOptionTimestamp, [&](std::uint8_t* opt, std::uint8_t len) {
    if (len != 10 || !script_val) return;
    std::uint32_t live_val = Get32(opt + 2);
    if (!socket.has_ts_baseline) {
      socket.has_ts_baseline = true;
      socket.ts_first_script = *script_val;
      socket.ts_first_live = live_val;
    }
    socket.ts_script_to_live[*script_val] = live_val;
    Put32(opt + 2, socket.ts_first_script + (live_val - socket.ts_first_live));
  });
}
}  // namespace

bool HasTcpOption(const std::vector<std::uint8_t>& block, std::uint8_t kind) {
  bool found = false;
  std::vector<std::uint8_t> copy = block;
  ForEachOption(copy, kind, [&](std::uint8_t*, std::uint8_t) { found = true; });
  return found;
}

bool InboundToLive(SocketState& s, const TcpSegment& seg, bool ecr_scaled, TcpHeader* live,
                   std::string* error) {
  bool syn = seg.flags & kSyn;
  if (syn) s.remote_isn = seg.seq;  // The peer's live ISN is the script's.
  TcpHeader& h = *live;
  h = ScriptSegmentHeader(seg);
  h.src_port = seg.src_port ? seg.src_port : s.remote_port;
  h.dst_port = seg.dst_port ? seg.dst_port : s.local_port;
  if (!syn) h.seq = seg.seq + s.remote_isn;
  if (!(seg.flags & kAck)) return true;
  // A SYN-ACK acknowledges the kernel's SYN, whose script sequence number is absolute.
  std::uint32_t offset = syn ? s.local_isn_live - s.local_isn_script : s.local_isn_live;
  h.ack = seg.ack + offset;
  ShiftSackBlocks(h.options, offset);
  return EcrToLive(s, ecr_scaled, h.options, error);
}

TcpHeader OutboundToScript(SocketState& s, const TcpSegment& seg, const TcpHeader& live) {
  bool syn = live.flags & kSyn;
  if (syn && !s.has_local_isn) {
    s.has_local_isn = true;
    s.local_isn_live = live.seq;
    s.local_isn_script = seg.seq;
  }
  TcpHeader mapped = live;
  mapped.seq =
      syn ? live.seq - (s.local_isn_live - s.local_isn_script) : live.seq - s.local_isn_live;
  if (!syn && (live.flags & kAck)) {
    mapped.ack = live.ack - s.remote_isn;
    ShiftSackBlocks(mapped.options, 0u - s.remote_isn);
  }
  ValToScript(s, seg, mapped.options);
  return mapped;
}

std::uint32_t LiveLocalSeq(const SocketState& s, std::uint32_t script_seq) {
  return script_seq + s.local_isn_live;
}

}  // namespace pktc::rt
