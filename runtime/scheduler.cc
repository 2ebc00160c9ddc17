// Live clock and waiting.
#include <time.h>

#include "clock.h"

namespace pktc::rt {

namespace {
constexpr std::int64_t kSpinNs = 50'000;  // Sleep to within 50 us of the target, then spin.

std::int64_t Read(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

std::int64_t NowNs() { return Read(CLOCK_MONOTONIC); }

void WaitUntilNs(std::int64_t target_ns) {
  std::int64_t sleep_until = target_ns - kSpinNs;
  if (NowNs() < sleep_until) {
    timespec ts{static_cast<time_t>(sleep_until / 1'000'000'000),
                static_cast<long>(sleep_until % 1'000'000'000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
    }
  }
  while (NowNs() < target_ns) {
  }
}

std::int64_t RealtimeToMonotonicOffsetNs() {
  // Bracket the realtime read with two monotonic reads to halve the error.
  std::int64_t mono_before = Read(CLOCK_MONOTONIC);
  std::int64_t real = Read(CLOCK_REALTIME);
  std::int64_t mono_after = Read(CLOCK_MONOTONIC);
  return (mono_before + mono_after) / 2 - real;
}

}  // namespace pktc::rt
