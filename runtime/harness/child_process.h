// Child processes that never outlive the process that started them: a test binary's families,
// a suite's scripts and a wire server's sessions, each in a fork of its own.
#ifndef PKTC_RUNTIME_HARNESS_CHILD_PROCESS_H_
#define PKTC_RUNTIME_HARNESS_CHILD_PROCESS_H_

#include <sys/types.h>

namespace pktc::rt {

/// fork(), with stdout and stderr flushed first (or the child would write what is buffered a
/// second time), and a child that gets SIGKILL when this process dies: the namespaces it holds
/// then go with it. A child whose parent died before it could ask for that exits at once
/// (status 1). Returns what fork() returns.
pid_t ForkTiedToThisProcess();

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_HARNESS_CHILD_PROCESS_H_
