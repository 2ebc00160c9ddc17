// The kernel structures code blocks read: struct tcp_info (TCP_INFO), the TCP_CC_INFO union
// and the SO_MEMINFO array, located by the kernel's layout (Linux 6.18 uapi) rather than by the
// host's headers, so a test built against old headers still sees every field a newer kernel
// returns, and a field an older kernel lacks is reported instead of read as zero. Shared by the
// compiler (which names it checks in code blocks) and the runtime (which reads them).
#ifndef PKTC_COMMON_TCP_INFO_LAYOUT_H_
#define PKTC_COMMON_TCP_INFO_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace pktc {

/// Which getsockopt a code block variable is read from.
enum class InfoSource : std::uint8_t {
  kTcpInfo,  ///< getsockopt(SOL_TCP, TCP_INFO): struct tcp_info.
  kCcInfo,   ///< getsockopt(SOL_TCP, TCP_CC_INFO): union tcp_cc_info (bbr, dctcp, vegas).
  kMemInfo,  ///< getsockopt(SOL_SOCKET, SO_MEMINFO): u32 array indexed by SK_MEMINFO_*.
};

/// One variable packetdrill defines for code blocks from a getsockopt buffer.
struct InfoField {
  const char* name;  ///< As code blocks spell it: "tcpi_snd_cwnd", "bbr_bw", "SK_MEMINFO_RCVBUF".
  InfoSource source;
  std::uint16_t offset;     ///< Byte offset of the field's storage unit in the buffer.
  std::uint8_t size;        ///< Bytes of the storage unit: 1, 2, 4 or 8.
  std::uint8_t bit_offset;  ///< Bitfields: bits declared before this one in the same unit.
  std::uint8_t bit_width;   ///< 0: the whole unit.
  /// Bytes the kernel must have returned for the variable to exist. For tcp_info and
  /// SO_MEMINFO that is the end of the field; for TCP_CC_INFO it is the whole struct of the
  /// algorithm, as packetdrill checks it.
  std::uint16_t min_len;
  /// bbr_bw: two u32 halves, low at `offset`, high at `offset + 4` (packetdrill's invention).
  bool u32_pair = false;
  /// False for kernel fields packetdrill does not define in code blocks; kept so that
  /// diagnostics can say so instead of "unknown name".
  bool packetdrill_variable = true;
  /// A __u64 the kernel sets to ~0 ("unlimited"), beyond the signed 64-bit integers of native
  /// code blocks: blocks that read it run with Python.
  bool may_exceed_int64 = false;
};

/// A symbolic name packetdrill defines with every TCP_INFO snapshot (TCP_CA_Open...).
struct InfoConstant {
  const char* name;
  std::uint64_t value;
};

/// sizeof(struct tcp_info) in Linux 6.18: the most a kernel of that layout returns.
inline constexpr std::size_t kTcpInfoSize = 280;

/// Every variable of the three sources, each source in the order packetdrill writes them.
std::span<const InfoField> InfoFields();
/// The constants, in the order packetdrill writes them.
std::span<const InfoConstant> InfoConstants();
/// The field or constant named `name`, or nullptr.
const InfoField* FindInfoField(std::string_view name);
const InfoConstant* FindInfoConstant(std::string_view name);

}  // namespace pktc

#endif  // PKTC_COMMON_TCP_INFO_LAYOUT_H_
