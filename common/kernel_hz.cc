// The kernel's tick rate (see kernel_hz.h).
#include "kernel_hz.h"

#include <time.h>

namespace pktc {

int KernelHz() {
  timespec res{};
  if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) != 0 || res.tv_sec != 0 || res.tv_nsec <= 0) {
    return 0;
  }
  return static_cast<int>((1'000'000'000 + res.tv_nsec / 2) / res.tv_nsec);
}

std::string KernelHzNote(int hz) {
  if (hz == 0 || hz == 1000) return "";
  int jiffy_ms = 1000 / hz;
  return "kernel HZ=" + std::to_string(hz) +
         " (the packetdrill selftests' config asks for HZ=1000): the kernel's jiffy timers "
         "(delayed ACK, RTO, pacing) fire on a " +
         std::to_string(jiffy_ms) + " ms grid and can be a tick late under load";
}

}  // namespace pktc
