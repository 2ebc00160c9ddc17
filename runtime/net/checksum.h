// Internet checksums (RFC 1071) for IPv4 headers and TCP/UDP over IPv4 and IPv6.
#ifndef PKTC_RUNTIME_NET_CHECKSUM_H_
#define PKTC_RUNTIME_NET_CHECKSUM_H_

#include <cstddef>
#include <cstdint>

namespace pktc::rt {

/// Adds `len` bytes to a running one's-complement sum (not yet folded).
std::uint32_t ChecksumAdd(std::uint32_t sum, const void* data, std::size_t len);
/// Folds a running sum to the 16-bit one's-complement checksum (network byte order value).
std::uint16_t ChecksumFold(std::uint32_t sum);

/// Checksum of an IPv4 header of `len` bytes whose checksum field is zero.
std::uint16_t Ipv4HeaderChecksum(const void* header, std::size_t len);

/// TCP/UDP checksum with the pseudo-header. `src`/`dst` are 4 or 16 address bytes.
std::uint16_t TransportChecksum(const std::uint8_t* src, const std::uint8_t* dst,
                                std::size_t addr_len, std::uint8_t protocol, const void* segment,
                                std::size_t segment_len);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_NET_CHECKSUM_H_
