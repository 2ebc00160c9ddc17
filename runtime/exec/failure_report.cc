// The failure report of a run.
#include "exec/failure_report.h"

#include "exec/event_timing.h"

namespace pktc::rt {

void FailureReport::RememberPacket(char direction, std::int64_t us, const std::string& text) {
  constexpr std::size_t kKept = 8;
  if (recent_packets_.size() == kKept) recent_packets_.erase(recent_packets_.begin());
  recent_packets_.push_back(FormatSeconds(us) + " " + direction + " " + text);
}

std::string FailureReport::Compose(const char* path, int line, const std::string& category,
                                   const std::string& message,
                                   const std::optional<FailedEventTime>& event_time) const {
  std::string out =
      std::string(path) + ":" + std::to_string(line) + ": " + category + ": " + message + "\n";
  if (event_time) {
    out += "event time: scheduled " + FormatSeconds(event_time->scheduled_us) + " sec, failed at " +
           FormatSeconds(event_time->failed_us) + " sec\n";
  }
  if (!recent_packets_.empty()) {
    out += "last packets (live sequence numbers):\n";
    for (const std::string& packet : recent_packets_) out += "  " + packet + "\n";
  }
  return out;
}

}  // namespace pktc::rt
