// The getsockopt snapshot of TCP_INFO, TCP_CC_INFO and SO_MEMINFO, and its fields.
#include "exec/tcp_info_snapshot.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#ifndef TCP_CC_INFO
#define TCP_CC_INFO 26
#endif
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

namespace pktc::rt {

namespace {

const std::vector<std::uint8_t>& BufferOf(const TcpInfoSnapshot& s, InfoSource source) {
  switch (source) {
    case InfoSource::kTcpInfo:
      return s.tcp_info;
    case InfoSource::kCcInfo:
      return s.cc_info;
    case InfoSource::kMemInfo:
      return s.meminfo;
  }
  return s.tcp_info;
}

// The `size`-byte unsigned integer at `p`, in host byte order (getsockopt fills host order).
std::uint64_t ReadUnit(const std::uint8_t* p, std::uint8_t size) {
  switch (size) {
    case 1:
      return *p;
    case 2: {
      std::uint16_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    case 4: {
      std::uint32_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    default: {
      std::uint64_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
  }
}

std::string MissingReason(const InfoField& f, std::size_t returned) {
  std::string got = std::to_string(returned);
  switch (f.source) {
    case InfoSource::kTcpInfo:
      return std::string("this kernel's tcp_info has no field ") + f.name + " (TCP_INFO returned " +
             got + " bytes; the field ends at byte " + std::to_string(f.min_len) + ")";
    case InfoSource::kCcInfo:
      return std::string("the socket's congestion control does not provide ") + f.name +
             " (TCP_CC_INFO returned " + got + " bytes; " + std::to_string(f.min_len) +
             " are needed)";
    case InfoSource::kMemInfo:
      return std::string("this kernel's SO_MEMINFO has no ") + f.name + " (it returned " + got +
             " bytes)";
  }
  return "";
}

// getsockopt into a buffer of `capacity` bytes; keeps the bytes the kernel wrote.
bool GetBytes(int fd, int level, int name, std::size_t capacity, std::vector<std::uint8_t>* out) {
  out->assign(capacity, 0);
  socklen_t len = static_cast<socklen_t>(capacity);
  if (getsockopt(fd, level, name, out->data(), &len) != 0) return false;
  out->resize(std::min<std::size_t>(len, capacity));
  return true;
}

}  // namespace

std::optional<std::uint64_t> TcpInfoSnapshot::Field(std::string_view name,
                                                    std::string* reason) const {
  const InfoField* f = FindInfoField(name);
  if (!f) {
    if (reason) *reason = "no getsockopt provides a variable named " + std::string(name);
    return std::nullopt;
  }
  return Field(*f, reason);
}

std::optional<std::uint64_t> TcpInfoSnapshot::Field(const InfoField& f, std::string* reason) const {
  const std::vector<std::uint8_t>& buf = BufferOf(*this, f.source);
  if (buf.size() < f.min_len) {
    if (reason) *reason = MissingReason(f, buf.size());
    return std::nullopt;
  }
  if (f.u32_pair) {
    return ReadUnit(buf.data() + f.offset, 4) | ReadUnit(buf.data() + f.offset + 4, 4) << 32;
  }
  std::uint64_t unit = ReadUnit(buf.data() + f.offset, f.size);
  if (f.bit_width == 0) return unit;
  // GCC and Clang allocate bitfields from the least significant bit on little-endian ABIs and
  // from the most significant bit on big-endian ones.
  int shift = std::endian::native == std::endian::little ? f.bit_offset
                                                         : f.size * 8 - f.bit_offset - f.bit_width;
  return (unit >> shift) & ((std::uint64_t{1} << f.bit_width) - 1);
}

std::vector<std::pair<const char*, std::uint64_t>> TcpInfoSnapshot::Variables(
    InfoSource source) const {
  std::vector<std::pair<const char*, std::uint64_t>> out;
  if (source == InfoSource::kTcpInfo) {
    for (const InfoConstant& c : InfoConstants()) out.emplace_back(c.name, c.value);
  }
  for (const InfoField& f : InfoFields()) {
    if (f.source != source || !f.packetdrill_variable) continue;
    if (std::optional<std::uint64_t> v = Field(f)) out.emplace_back(f.name, *v);
  }
  return out;
}

bool ReadTcpInfo(int fd, TcpInfoSnapshot* out, std::string* error) {
  // Generous capacities: the kernel copies min(asked, its size) and reports that length.
  constexpr std::size_t kCapacity = 1024;
  if (!GetBytes(fd, SOL_TCP, TCP_INFO, kCapacity, &out->tcp_info)) {
    *error = std::string("can't find getsockopt to get TCP info: ") + std::strerror(errno);
    return false;
  }
  if (!GetBytes(fd, SOL_TCP, TCP_CC_INFO, kCapacity, &out->cc_info)) {
    *error = std::string("can't find getsockopt to get TCP_CC_INFO: ") + std::strerror(errno);
    return false;
  }
  if (!GetBytes(fd, SOL_SOCKET, SO_MEMINFO, kCapacity, &out->meminfo)) {
    *error = std::string("can't find getsockopt to get sk_meminfo: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace pktc::rt
