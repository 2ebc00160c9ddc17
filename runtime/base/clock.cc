// Live clock and waiting.
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/clock.h"

#include "kernel_hz.h"

namespace pktc::rt {

namespace {
// Sleep to within 300 us of the target, then spin. Waking from a long sleep took up to 250 us
// on a VM's idle CPU (tcp_blocking_blocking-read: events after a 100 ms sleep 30-240 us late
// with 50 us of spin, 0-1 us with 300 us).
constexpr std::int64_t kSpinNs = 300'000;

std::int64_t Read(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
/// The softirqs handled so far per CPU; false where /proc/softirqs is unreadable.
bool ReadSoftirqsPerCpu(std::vector<std::uint64_t>* per_cpu) {
  int fd = open("/proc/softirqs", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char text[16384];
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return false;
  text[n] = '\0';
  return ParseSoftirqsPerCpu(text, per_cpu);
}

/// The jiffy (TICK_NSEC), from the kernel's tick rate; 4 ms (HZ=250) if it cannot be told.
std::int64_t JiffyNs() {
  int hz = KernelHz();
  return hz ? 1'000'000'000 / hz : 4'000'000;
}

}  // namespace

bool ParseSoftirqsPerCpu(const char* text, std::vector<std::uint64_t>* per_cpu) {
  per_cpu->clear();
  // "   CPU0   CPU1" then one "NAME:  count  count" line per softirq.
  for (const char* colon = std::strchr(text, ':'); colon; colon = std::strchr(colon, ':')) {
    const char* p = colon + 1;
    for (std::size_t cpu = 0;; ++cpu) {
      char* end;
      unsigned long long count = std::strtoull(p, &end, 10);
      if (end == p) break;
      if (per_cpu->size() <= cpu) per_cpu->push_back(0);
      (*per_cpu)[cpu] += count;
      p = end;
    }
    colon = p;
  }
  return !per_cpu->empty();
}

std::int64_t NowNs() { return Read(CLOCK_MONOTONIC); }

void SleepUntilNs(std::int64_t target_ns) {
  if (NowNs() >= target_ns) return;
  timespec ts{static_cast<time_t>(target_ns / 1'000'000'000),
              static_cast<long>(target_ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

void SleepUntilSpinNs(std::int64_t target_ns) { SleepUntilNs(target_ns - kSpinNs); }

void WaitUntilNs(std::int64_t target_ns) {
  SleepUntilSpinNs(target_ns);
  while (NowNs() < target_ns) {
  }
}

void WaitForQuietKernel(std::int64_t deadline_ns) {
  const std::int64_t jiffy_ns = JiffyNs();
  std::vector<std::uint64_t> before, after;
  if (!ReadSoftirqsPerCpu(&before)) return;
  std::int64_t quiet_since = NowNs();
  while (NowNs() < deadline_ns) {
    timespec pause{0, 1'000'000};
    nanosleep(&pause, nullptr);
    if (!ReadSoftirqsPerCpu(&after)) return;
    int self = sched_getcpu();
    bool busy = false;
    for (std::size_t cpu = 0; cpu < after.size() && cpu < before.size(); ++cpu) {
      if (static_cast<int>(cpu) != self && after[cpu] != before[cpu]) busy = true;
    }
    before.swap(after);
    std::int64_t now = NowNs();
    if (busy) {
      quiet_since = now;
    } else if (now - quiet_since >= 2 * jiffy_ns) {
      return;
    }
  }
}

std::int64_t NextJiffyEdgeNs() {
  // CLOCK_MONOTONIC_COARSE is the time of the kernel's last tick, so it changes when jiffies
  // does. The first change may be the catch-up of a CPU just out of idle, off the tick grid;
  // by the second one this CPU's tick is running, so that change is an edge. Spinning at
  // normal priority keeps concurrent runs' real-time events unaffected; it lasts one to two
  // jiffies (4 to 8 ms at HZ=250).
  int policy = sched_getscheduler(0);
  sched_param saved{};
  sched_getparam(0, &saved);
  sched_param normal{};
  if (policy != SCHED_OTHER) sched_setscheduler(0, SCHED_OTHER, &normal);
  std::int64_t edge_ns = NowNs();
  std::int64_t last = Read(CLOCK_MONOTONIC_COARSE);
  for (int edges = 0; edges < 2;) {
    std::int64_t now = Read(CLOCK_MONOTONIC_COARSE);
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

std::int64_t ReceiveTimestampNs(const msghdr& message, std::int64_t realtime_offset_ns,
                                std::int64_t otherwise_ns) {
  auto* msg = const_cast<msghdr*>(&message);  // CMSG_NXTHDR takes a mutable header.
  for (cmsghdr* c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec t;
      std::memcpy(&t, CMSG_DATA(c), sizeof t);
      return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec + realtime_offset_ns;
    }
  }
  return otherwise_ns;
}

}  // namespace pktc::rt
