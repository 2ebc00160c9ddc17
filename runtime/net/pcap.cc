// pcap file format (the classic one: microsecond timestamps, host byte order).
#include "net/pcap.h"

#include <cerrno>
#include <cstring>

namespace pktc::rt {

namespace {
constexpr std::uint32_t kMagic = 0xa1b2c3d4;
constexpr std::uint32_t kLinkTypeRaw = 101;  // IPv4 or IPv6, told apart by the version nibble.
constexpr std::uint32_t kSnapLen = 262144;

struct FileHeader {
  std::uint32_t magic;
  std::uint16_t version_major, version_minor;
  std::int32_t thiszone;
  std::uint32_t sigfigs, snaplen, network;
};
struct RecordHeader {
  std::uint32_t ts_sec, ts_usec, incl_len, orig_len;
};
}  // namespace

PcapWriter::~PcapWriter() {
  if (file_) std::fclose(file_);
}

bool PcapWriter::Open(const std::string& path, std::string* error) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  FileHeader header{kMagic, 2, 4, 0, 0, kSnapLen, kLinkTypeRaw};
  std::fwrite(&header, sizeof header, 1, file_);
  std::fflush(file_);
  return true;
}

void PcapWriter::Write(const std::vector<std::uint8_t>& packet, std::int64_t realtime_ns) {
  if (!file_) return;
  std::uint32_t len = static_cast<std::uint32_t>(packet.size());
  RecordHeader record{static_cast<std::uint32_t>(realtime_ns / 1'000'000'000),
                      static_cast<std::uint32_t>((realtime_ns % 1'000'000'000) / 1000),
                      len < kSnapLen ? len : kSnapLen, len};
  std::fwrite(&record, sizeof record, 1, file_);
  std::fwrite(packet.data(), 1, record.incl_len, file_);
  // Flushed per packet: a run that fails ends with _exit, which does not flush stdio.
  std::fflush(file_);
}

}  // namespace pktc::rt
