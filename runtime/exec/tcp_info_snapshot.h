// A snapshot of the socket under test's TCP_INFO, TCP_CC_INFO and SO_MEMINFO at a code event,
// read through the layout in common/tcp_info_layout.h.
#ifndef PKTC_RUNTIME_EXEC_TCP_INFO_SNAPSHOT_H_
#define PKTC_RUNTIME_EXEC_TCP_INFO_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tcp_info_layout.h"

namespace pktc::rt {

/// What the three getsockopt calls returned at one code event, byte for byte, so a field is
/// known to exist only if the kernel actually wrote it.
struct TcpInfoSnapshot {
  std::vector<std::uint8_t> tcp_info;
  std::vector<std::uint8_t> cc_info;  ///< Empty when the congestion control has no info.
  std::vector<std::uint8_t> meminfo;

  /// The value of a variable of InfoFields(). nullopt if the snapshot lacks it, with the reason
  /// in `*reason` ("this kernel's tcp_info has no field tcpi_delivered_ce_bytes ...").
  std::optional<std::uint64_t> Field(std::string_view name, std::string* reason = nullptr) const;
  std::optional<std::uint64_t> Field(const InfoField& field, std::string* reason = nullptr) const;

  /// The assignments packetdrill writes for `source`, in its order. For kTcpInfo the constants
  /// come first, as packetdrill writes them with every TCP_INFO snapshot. Variables the
  /// snapshot lacks are left out (Python then keeps an earlier value or raises NameError).
  std::vector<std::pair<const char*, std::uint64_t>> Variables(InfoSource source) const;
};

/// Takes a snapshot of `fd` as packetdrill does at a code event: TCP_INFO, TCP_CC_INFO and
/// SO_MEMINFO, each into a buffer larger than any kernel's structure, keeping only the bytes
/// returned. False, with packetdrill's message, if any getsockopt fails.
bool ReadTcpInfo(int fd, TcpInfoSnapshot* out, std::string* error);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_TCP_INFO_SNAPSHOT_H_
