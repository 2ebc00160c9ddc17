// Live clock and waiting.
#include <sched.h>
#include <sys/times.h>
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

std::int64_t WarmUpToJiffyEdgeNs() {
  // Like packetdrill's schedule_start_time_usecs(): spin while times(), which reads jiffies,
  // advances 10 times (about 100 ms at USER_HZ 100). Fewer edges left one run in four of
  // tcp_fastopen_server_fin-close-socket with its delayed ACK a jiffy late (4 edges: 7/30,
  // 6: 1/30, 8 and 10: 0/30 on a HZ=250 NO_HZ kernel): the kernel needs the CPU busy for a
  // while before its tick, and so its timers, run on time. Spinning at normal priority keeps
  // concurrent runs' real-time events unaffected.
  constexpr int kEdges = 10;
  int policy = sched_getscheduler(0);
  sched_param saved{};
  sched_getparam(0, &saved);
  sched_param normal{};
  if (policy != SCHED_OTHER) sched_setscheduler(0, SCHED_OTHER, &normal);
  std::int64_t edge_ns = NowNs();
  clock_t last = times(nullptr);
  for (int edges = 0; edges < kEdges;) {
    clock_t now = times(nullptr);
    if (now != last) {
      edge_ns = NowNs();
      ++edges;
    }
    last = now;
  }
  if (policy != SCHED_OTHER) sched_setscheduler(0, policy, &saved);
  return edge_ns;
}

std::int64_t RealtimeToMonotonicOffsetNs() {
  // Bracket the realtime read with two monotonic reads to halve the error.
  std::int64_t mono_before = Read(CLOCK_MONOTONIC);
  std::int64_t real = Read(CLOCK_REALTIME);
  std::int64_t mono_after = Read(CLOCK_MONOTONIC);
  return (mono_before + mono_after) / 2 - real;
}

}  // namespace pktc::rt
