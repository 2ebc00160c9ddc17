// Internet checksum arithmetic.
#include "net/checksum.h"

namespace pktc::rt {

std::uint32_t ChecksumAdd(std::uint32_t sum, const void* data, std::size_t len) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  while (len > 1) {
    sum += static_cast<std::uint32_t>(p[0] << 8 | p[1]);
    p += 2;
    len -= 2;
  }
  if (len) sum += static_cast<std::uint32_t>(p[0] << 8);
  return sum;
}

std::uint16_t ChecksumFold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint16_t Ipv4HeaderChecksum(const void* header, std::size_t len) {
  return ChecksumFold(ChecksumAdd(0, header, len));
}

std::uint16_t TransportChecksum(const std::uint8_t* src, const std::uint8_t* dst,
                                std::size_t addr_len, std::uint8_t protocol, const void* segment,
                                std::size_t segment_len) {
  std::uint32_t sum = 0;
  sum = ChecksumAdd(sum, src, addr_len);
  sum = ChecksumAdd(sum, dst, addr_len);
  // IPv4 pseudo-header: zero, protocol, 16-bit length; IPv6: 32-bit length, 3 zeros, next header.
  // Both add up to the same sum of 16-bit words.
  sum += protocol;
  sum += static_cast<std::uint32_t>(segment_len & 0xffff);
  sum += static_cast<std::uint32_t>(segment_len >> 16);
  sum = ChecksumAdd(sum, segment, segment_len);
  return ChecksumFold(sum);
}

}  // namespace pktc::rt
