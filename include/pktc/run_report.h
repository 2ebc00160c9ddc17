// What a test binary tells the tools that run it (pktc-run), beyond its KTAP verdicts: one
// table of the lines it prints, shared by the runtime that writes them and the runner that
// reads them, so neither can drift from the other.
#ifndef PKTC_RUN_REPORT_H_
#define PKTC_RUN_REPORT_H_

namespace pktc::report {

/// `# pktc: timing failure`: the family failed only because an event happened outside its
/// time window (never a wrong packet, value or crash); a rerun may pass.
inline constexpr const char kTimingFailure[] = "pktc: timing failure";

/// `# pktc: timing margin 0.42`: with --report-margins, how close the family's closest event
/// came to the edge of its window, as a fraction of its tolerance (1: dead on time, 0: at the
/// edge); absent when no event was checked.
inline constexpr const char kTimingMargin[] = "pktc: timing margin ";

/// An environment variable: set (by pktc-run) when the kernel's tick rate was reported already,
/// so each test binary need not repeat it.
inline constexpr const char kHzNotedEnv[] = "PKTC_HZ_NOTED";

}  // namespace pktc::report

#endif  // PKTC_RUN_REPORT_H_
