// MD5 (RFC 1321), for TCP MD5 signatures (RFC 2385) on injected packets.
#ifndef PKTC_RUNTIME_NET_MD5_H_
#define PKTC_RUNTIME_NET_MD5_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace pktc::rt {

class Md5 {
 public:
  Md5();
  void Update(const void* data, std::size_t len);
  std::array<std::uint8_t, 16> Final();

 private:
  void Block(const std::uint8_t* block);
  std::uint32_t state_[4];
  std::uint64_t length_ = 0;
  std::uint8_t buffer_[64];
  std::size_t buffered_ = 0;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_NET_MD5_H_
