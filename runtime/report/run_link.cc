// Reporting the end of a run to the parent, and holding on until released.
#include "report/run_link.h"

#include "base/sanitizer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace pktc::rt {

namespace {
RunLink current_link;
void (*end_hook)(void*) = nullptr;
void* end_hook_arg = nullptr;
}  // namespace

void AtRunEnd(void (*fn)(void*), void* arg) {
  end_hook = fn;
  end_hook_arg = arg;
}

void SetRunLink(const RunLink& link) { current_link = link; }

bool ReportReadyAndWaitForGo(const RunLink& link) {
  char byte = kRunReady;
  return write(link.status_fd, &byte, 1) == 1 && read(link.go_fd, &byte, 1) == 1;
}

void ReportRunDoneAndWait(const RunLink& link, bool exited, int value) {
  if (link.status_fd < 0) return;
  char message[3] = {kRunDone, exited ? kDoneExited : kDoneSignaled, static_cast<char>(value)};
  if (write(link.status_fd, message, sizeof message) != sizeof message) return;
  close(STDOUT_FILENO);  // The parent has all the output once it sees end of file.
  close(STDERR_FILENO);
  for (;;) {  // Until the parent closes its end (or dies).
    char byte;
    ssize_t n = read(link.go_fd, &byte, 1);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
}

void EndRun(int code) {
  // While stderr still reaches the parent; a leak ends the run here with the sanitizer's status.
  CheckForLeaks();
  std::fflush(stdout);
  std::fflush(stderr);
  if (void (*fn)(void*) = end_hook) {
    end_hook = nullptr;
    fn(end_hook_arg);
  }
  ReportRunDoneAndWait(current_link, true, code);
  _exit(code);
}

}  // namespace pktc::rt
