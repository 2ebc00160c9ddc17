// The text of a failed run's report: the failing line and what went wrong, when the event was
// due and when it failed, and the packets just before it.
#ifndef PKTC_RUNTIME_EXEC_FAILURE_REPORT_H_
#define PKTC_RUNTIME_EXEC_FAILURE_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pktc::rt {

/// The event that was under way when the run failed: when it was due and when it failed.
struct FailedEventTime {
  std::int64_t scheduled_us;
  std::int64_t failed_us;
};

class FailureReport {
 public:
  /// Remembers a packet (`direction` '<' inbound, '>' outbound) for the "last packets" part.
  void RememberPacket(char direction, std::int64_t us, const std::string& text);

  /// "PATH:LINE: CATEGORY: MESSAGE\n", then the event's times if one was under way, then the
  /// last packets (live sequence numbers, oldest first).
  std::string Compose(const char* path, int line, const std::string& category,
                      const std::string& message,
                      const std::optional<FailedEventTime>& event_time) const;

 private:
  std::vector<std::string> recent_packets_;  ///< Ring of the last few, oldest first.
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_FAILURE_REPORT_H_
