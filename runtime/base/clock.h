// The live clock: CLOCK_MONOTONIC in nanoseconds, and precise waiting.
#ifndef PKTC_RUNTIME_BASE_CLOCK_H_
#define PKTC_RUNTIME_BASE_CLOCK_H_

#include <cstdint>
#include <vector>

struct msghdr;

namespace pktc::rt {

std::int64_t NowNs();
/// Sleeps until shortly before `target_ns`, then spins, so events start within microseconds.
void WaitUntilNs(std::int64_t target_ns);
/// WaitUntilNs without its spin: sleeps until the spin before `target_ns` would begin.
void SleepUntilSpinNs(std::int64_t target_ns);
/// Sleeps until `target_ns`, however late the wake-up.
void SleepUntilNs(std::int64_t target_ns);
/// Adds up the per-CPU columns of /proc/softirqs text; false if it has none.
bool ParseSoftirqsPerCpu(const char* text, std::vector<std::uint64_t>* per_cpu);
/// Sleeps until no other CPU has handled a softirq for two jiffies, or until `deadline_ns`.
/// See RunImpl::Start for why.
void WaitForQuietKernel(std::int64_t deadline_ns);
/// Spins until the kernel's jiffies clock ticks and returns the time just after that edge.
std::int64_t NextJiffyEdgeNs();
/// Nanoseconds to add to a CLOCK_REALTIME timestamp (e.g. a packet socket's SO_TIMESTAMPNS)
/// to put it on the monotonic clock.
std::int64_t RealtimeToMonotonicOffsetNs();
/// The SO_TIMESTAMPNS of a message received on a packet socket, put on the monotonic clock with
/// `realtime_offset_ns` (RealtimeToMonotonicOffsetNs), or `otherwise_ns` if it carries none.
std::int64_t ReceiveTimestampNs(const msghdr& message, std::int64_t realtime_offset_ns,
                                std::int64_t otherwise_ns);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_BASE_CLOCK_H_
