// Event timing with packetdrill's semantics (docs/pkt-language.md section 6): when each event
// is due in script time, the tolerance it gets, and the one check and message for "it happened
// outside its window", applied alike to event starts, outbound packets and system-call returns.
#ifndef PKTC_RUNTIME_EXEC_EVENT_TIMING_H_
#define PKTC_RUNTIME_EXEC_EVENT_TIMING_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pktc/runtime.h"

namespace pktc::rt {

/// The failure category of every timing error ("script.pkt:7: timing error: ...").
inline constexpr const char* kTimingError = "timing error";

/// Script microseconds as packetdrill prints them: "1.250000", "-0.000100".
std::string FormatSeconds(std::int64_t us);

/// When one event is due, in script microseconds since time 0, and how far off it may happen.
struct EventWindow {
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;  ///< Equals start_us except for `a~b` outbound ranges.
  std::int64_t tolerance_us = 0;
  bool any_time = false;  ///< `*`: the time is never checked.
};

/// Owns the live time of script time 0 and the chain of event times. Not thread-safe: the run
/// calls it with its state lock held, except for the blocking-call thread's start wait, which
/// the main thread does not race (it waits until that call is under way).
class EventTiming {
 public:
  EventTiming(std::int64_t tolerance_usecs, double tolerance_percent)
      : tolerance_usecs_(tolerance_usecs), tolerance_percent_(tolerance_percent) {}

  /// Fixes the live (monotonic) time of script time 0.
  void Start(std::int64_t live_start_ns);
  bool started() const { return started_; }
  std::int64_t live_start_ns() const { return live_start_ns_; }

  /// Script time now, and of a monotonic timestamp such as a packet's send time.
  std::int64_t ElapsedUs() const;
  std::int64_t ScriptUs(std::int64_t monotonic_ns) const;

  /// packetdrill's tolerance rule: --tolerance_usecs, or --tolerance_percent of the time the
  /// event is scheduled after the previous one, whichever is larger.
  std::int64_t ToleranceUs(std::int64_t since_previous_us) const;

  /// The window of the next event, resolved from its script time (relative times from when
  /// the previous event finished, or from its script time between back-to-back inbound
  /// packets). It is the current event until End().
  EventWindow Begin(const EventTime& time, bool inbound_packet);
  /// Ends the current event: the next relative time counts from this one.
  void End(const EventWindow& window, bool inbound_packet);
  /// The event between Begin() and End(), for failure reports.
  const std::optional<EventWindow>& current() const { return current_; }

  /// The window a blocking call's return must fall in: `returns_after_us` after its start,
  /// with the tolerance of that span.
  EventWindow ReturnWindow(const EventWindow& call, std::int64_t returns_after_us) const;

  /// Whether `actual_us` lies in the window widened by its tolerance (always for `*`).
  static bool Contains(const EventWindow& window, std::int64_t actual_us);

  /// The check every timed event goes through: nullopt if `actual_us` lies in the window
  /// widened by its tolerance, else the message "expected WHAT at S sec but happened at A sec;
  /// tolerance T sec" (or "in time range S~E sec" for a range).
  std::optional<std::string> Check(const EventWindow& window, std::int64_t actual_us,
                                   const char* what) const;

  /// Sleeps (then spins) until the window's start, then checks the start time; the first
  /// event is not checked, as in packetdrill (nothing before it can have made it late).
  std::optional<std::string> WaitForStart(const EventWindow& window, const char* what);

  /// When an outbound packet of the current event stops being awaited: packetdrill waits the
  /// event's offset from the previous event in whole seconds, plus 2 s. -1 (forever) for `*`.
  std::int64_t SniffDeadlineNs(const EventWindow& window) const;

  /// For --timing-report: how late the runtime started its events, "" if it started none.
  std::string LatenessSummary() const;
  /// How close the closest checked event came to the edge of its window, as a fraction of its
  /// tolerance (1: on time, 0: at the edge, negative: outside); nullopt if none was checked.
  std::optional<double> MinMargin() const {
    std::lock_guard<std::mutex> lock(margin_mu_);
    return min_margin_;
  }

 private:
  std::int64_t tolerance_usecs_;
  double tolerance_percent_;
  std::int64_t live_start_ns_ = 0;
  bool started_ = false;
  bool first_event_ = true;
  std::int64_t prev_script_us_ = 0;
  bool prev_inbound_ = false;
  std::optional<EventWindow> current_;
  std::vector<std::int64_t> lateness_us_;
  // Updated by every Check(), which the blocking-call thread makes too (its return time).
  mutable std::mutex margin_mu_;
  mutable std::optional<double> min_margin_;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_EVENT_TIMING_H_
