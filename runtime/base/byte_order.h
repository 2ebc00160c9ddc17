// Big-endian (network order) loads and stores on byte buffers, for packet and option fields.
#ifndef PKTC_RUNTIME_BASE_BYTE_ORDER_H_
#define PKTC_RUNTIME_BASE_BYTE_ORDER_H_

#include <cstdint>

namespace pktc::rt {

inline std::uint16_t Get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
inline std::uint32_t Get32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
inline void Put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void Put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_BASE_BYTE_ORDER_H_
