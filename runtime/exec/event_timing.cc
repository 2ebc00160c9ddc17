// Event timing: script times, tolerances and the window check (docs/pkt-language.md 6.2-6.3).
#include "exec/event_timing.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "base/clock.h"

namespace pktc::rt {

std::string FormatSeconds(std::int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%" PRId64 ".%06" PRId64, us < 0 ? "-" : "",
                std::abs(us) / 1000000, std::abs(us) % 1000000);
  return buf;
}

void EventTiming::Start(std::int64_t live_start_ns) {
  live_start_ns_ = live_start_ns;
  started_ = true;
}

std::int64_t EventTiming::ElapsedUs() const { return ScriptUs(NowNs()); }

std::int64_t EventTiming::ScriptUs(std::int64_t monotonic_ns) const {
  return (monotonic_ns - live_start_ns_) / 1000;
}

std::int64_t EventTiming::ToleranceUs(std::int64_t since_previous_us) const {
  double pct = tolerance_percent_ / 100.0 * static_cast<double>(since_previous_us);
  return std::max<std::int64_t>(tolerance_usecs_, static_cast<std::int64_t>(pct));
}

EventWindow EventTiming::Begin(const EventTime& time, bool inbound_packet) {
  EventWindow w;
  switch (time.kind) {
    case TimeKind::kAbsolute:
    case TimeKind::kAbsoluteRange:
      w.start_us = time.start_us;
      w.end_us = time.end_us;
      break;
    case TimeKind::kRelative:
    case TimeKind::kRelativeRange: {
      // Back-to-back injections are anchored to script time so they do not accumulate drift;
      // everything else is relative to when the previous event actually finished.
      std::int64_t base = prev_inbound_ && inbound_packet ? prev_script_us_ : ElapsedUs();
      if (first_event_) base = 0;
      w.start_us = base + time.start_us;
      w.end_us = base + time.end_us;
      break;
    }
    case TimeKind::kAnyTime:
      w.start_us = w.end_us = first_event_ ? 0 : ElapsedUs();
      w.any_time = true;
      break;
  }
  w.tolerance_us = ToleranceUs(w.start_us - prev_script_us_);
  current_ = w;
  return w;
}

void EventTiming::End(const EventWindow& window, bool inbound_packet) {
  current_.reset();
  prev_script_us_ = window.start_us;
  prev_inbound_ = inbound_packet;
  first_event_ = false;
}

EventWindow EventTiming::ReturnWindow(const EventWindow& call,
                                      std::int64_t returns_after_us) const {
  EventWindow w;
  w.start_us = w.end_us = call.start_us + returns_after_us;
  w.tolerance_us = ToleranceUs(returns_after_us);
  return w;
}

bool EventTiming::Contains(const EventWindow& window, std::int64_t actual_us) {
  return window.any_time || (actual_us >= window.start_us - window.tolerance_us &&
                             actual_us <= window.end_us + window.tolerance_us);
}

std::optional<std::string> EventTiming::Check(const EventWindow& window, std::int64_t actual_us,
                                              const char* what) const {
  if (!window.any_time && window.tolerance_us > 0) {
    std::int64_t inside = std::min(actual_us - (window.start_us - window.tolerance_us),
                                   window.end_us + window.tolerance_us - actual_us);
    double margin = std::min(1.0, static_cast<double>(inside) /
                                      static_cast<double>(window.tolerance_us));
    std::lock_guard<std::mutex> lock(margin_mu_);
    if (!min_margin_ || margin < *min_margin_) min_margin_ = margin;
  }
  if (Contains(window, actual_us)) return std::nullopt;
  std::string expected =
      window.start_us == window.end_us
          ? "at " + FormatSeconds(window.start_us)
          : "in time range " + FormatSeconds(window.start_us) + "~" + FormatSeconds(window.end_us);
  return std::string("expected ") + what + " " + expected + " sec but happened at " +
         FormatSeconds(actual_us) + " sec; tolerance " + FormatSeconds(window.tolerance_us) +
         " sec";
}

std::optional<std::string> EventTiming::WaitForStart(const EventWindow& window, const char* what) {
  WaitUntilNs(live_start_ns_ + window.start_us * 1000);
  std::int64_t actual_us = ElapsedUs();
  lateness_us_.push_back(actual_us - window.start_us);
  if (first_event_) return std::nullopt;
  return Check(window, actual_us, what);
}

std::int64_t EventTiming::SniffDeadlineNs(const EventWindow& window) const {
  if (window.any_time) return -1;
  std::int64_t span = std::max(window.start_us, window.end_us) - prev_script_us_;
  std::int64_t wait_us = (span / 1000000 + 2) * 1000000;
  return live_start_ns_ + (prev_script_us_ + wait_us) * 1000;
}

std::string EventTiming::LatenessSummary() const {
  if (lateness_us_.empty()) return "";
  std::vector<std::int64_t> v = lateness_us_;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "timing: %zu events started by the runtime; |actual - scheduled| p50 %" PRId64
                " us, p99 %" PRId64 " us, max %" PRId64 " us",
                v.size(), at(0.50), at(0.99), v.back());
  return buf;
}

}  // namespace pktc::rt
