// The link between a family's run, in its namespaces, and the parent process that paces the
// families (main.cc).
#ifndef PKTC_RUNTIME_REPORT_RUN_LINK_H_
#define PKTC_RUNTIME_REPORT_RUN_LINK_H_

namespace pktc::rt {

/// The run writes kRunReady once set up, then reads one byte before time 0. When it ends it
/// writes kRunDone, kDoneExited or kDoneSignaled and the exit code or signal number, closes
/// its stdout and stderr, and keeps its namespaces, sockets and devices until `go_fd` reaches
/// end of file. Closing them tears a namespace down, which keeps the kernel busy for a while
/// (RCU grace periods, work items) and makes a concurrent run's jiffy timers fire late.
struct RunLink {
  int status_fd = -1;  ///< Write end, in the run.
  int go_fd = -1;      ///< Read end, in the run.
};
constexpr char kRunReady = 'r';
constexpr char kRunGo = 'g';
constexpr char kRunDone = 'd';
constexpr char kDoneExited = 'x';
constexpr char kDoneSignaled = 's';

/// Remembers the link for EndRun() in this process.
void SetRunLink(const RunLink& link);

/// Says the run is set up and waits for the parent's go; false if the parent gave up or died.
bool ReportReadyAndWaitForGo(const RunLink& link);

/// Reports that the run ended (how: `exited` with `value`, or killed by signal `value`) and
/// waits until the parent releases it. Returns at once without a link.
void ReportRunDoneAndWait(const RunLink& link, bool exited, int value);

/// The one way a run ends: flushes stdio, runs the hook AtRunEnd() registered, reports `code`
/// through the link and waits to be released, then exits.
[[noreturn]] void EndRun(int code);

/// Registers `fn(arg)` for EndRun() to call first: a wire-mode run undoes what it added to
/// real devices, which outlive it (a local run's devices die with its namespace). One hook;
/// a second call replaces the first, nullptr removes it.
void AtRunEnd(void (*fn)(void*), void* arg);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_REPORT_RUN_LINK_H_
