// The live clock: CLOCK_MONOTONIC in nanoseconds, and precise waiting.
#ifndef PKTC_RUNTIME_CLOCK_H_
#define PKTC_RUNTIME_CLOCK_H_

#include <cstdint>

namespace pktc::rt {

std::int64_t NowNs();
/// Sleeps until shortly before `target_ns`, then spins, so events start within microseconds.
void WaitUntilNs(std::int64_t target_ns);
/// Spins for about 100 ms, as packetdrill does before a script, and returns the time just
/// after the last jiffy edge it saw.
std::int64_t WarmUpToJiffyEdgeNs();
/// Nanoseconds to add to a CLOCK_REALTIME timestamp (e.g. a packet socket's SO_TIMESTAMPNS)
/// to put it on the monotonic clock.
std::int64_t RealtimeToMonotonicOffsetNs();

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_CLOCK_H_
