// An in-memory PacketLink for unit tests of the run core: it records what the run injects and
// hands back the outbound packets a test queued, stamped with a send time the test chooses, so
// matching, remapping and timing run without root, a TUN device or a kernel peer.
#ifndef PKTC_TESTS_UNIT_MEMORY_LINK_H_
#define PKTC_TESTS_UNIT_MEMORY_LINK_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "base/clock.h"
#include "net/packet_link.h"

namespace pktc::rt {

class MemoryLink final : public PacketLink {
 public:
  /// One packet the run injected.
  struct Injected {
    std::vector<std::uint8_t> bytes;
    int gso_size;
  };

  /// Queues a packet "the kernel sends" `delay_us` after the run starts waiting for it: the
  /// send time is relative to the NextOutbound() call, so a test states how late a packet is
  /// without knowing the run's live start time.
  void QueueOutbound(std::vector<std::uint8_t> packet, std::int64_t delay_us = 0) {
    outbound_.push_back({std::move(packet), delay_us});
  }

  const std::vector<Injected>& injected() const { return injected_; }

  bool Inject(const std::vector<std::uint8_t>& packet, int gso_size,
              std::string* /*error*/) override {
    injected_.push_back({packet, gso_size});
    return true;
  }

  /// Never waits: with nothing queued the deadline has, as far as the run can tell, passed.
  bool NextOutbound(std::int64_t /*deadline_ns*/, std::vector<std::uint8_t>* packet,
                    std::int64_t* timestamp_ns, std::string* error) override {
    error->clear();
    if (outbound_.empty()) return false;
    *packet = std::move(outbound_.front().bytes);
    *timestamp_ns = NowNs() + outbound_.front().delay_us * 1000;
    outbound_.pop_front();
    return true;
  }

 private:
  struct Queued {
    std::vector<std::uint8_t> bytes;
    std::int64_t delay_us;
  };
  std::vector<Injected> injected_;
  std::deque<Queued> outbound_;
};

}  // namespace pktc::rt

#endif  // PKTC_TESTS_UNIT_MEMORY_LINK_H_
