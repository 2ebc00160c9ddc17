// The sanitized runtime's defaults. Compiled into both variants: the normal one only answers
// that it is not sanitized.
#include "base/sanitizer.h"

#if PKTC_SANITIZED_RUNTIME
#include <sanitizer/lsan_interface.h>

#include <climits>
#include <cstdlib>
#include <cstring>

// Not 1 (a failed script) nor 4 (skipped): a run's exit status says a sanitizer reported.
#define PKTC_SANITIZER_EXIT_STATUS 99
#define PKTC_STRINGIFY(x) #x
#define PKTC_STRING(x) PKTC_STRINGIFY(x)

// ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS from the environment override these. The
// sanitizer runtimes call them before main(); this file is linked in because the harness and
// EndRun call the functions below.
//  - exitcode: see SanitizerExitStatus(). Not abort_on_error: a run's script process is PID 1
//    of a PID namespace, where a SIGABRT it raises itself is ignored (abort() then ends in a
//    SIGSEGV), and an exit status passes through the harness unchanged.
//  - handle_abort: an abort() (a libstdc++ assertion) is reported with its stack like the rest.
//  - detect_leaks: at the test binary's exit, and in each run before its _exit (EndRun).
extern "C" const char* __asan_default_options() {
  return "exitcode=" PKTC_STRING(PKTC_SANITIZER_EXIT_STATUS) ":handle_abort=1:detect_leaks=1";
}
extern "C" const char* __lsan_default_options() {
  return "exitcode=" PKTC_STRING(PKTC_SANITIZER_EXIT_STATUS);
}
// GCC's libubsan has flags of its own; -fno-sanitize-recover=undefined makes every report fatal.
extern "C" const char* __ubsan_default_options() {
  return "exitcode=" PKTC_STRING(PKTC_SANITIZER_EXIT_STATUS) ":print_stacktrace=1";
}
#else
#define PKTC_SANITIZER_EXIT_STATUS 0
#endif

namespace pktc::rt {

int SanitizerExitStatus() { return PKTC_SANITIZER_EXIT_STATUS; }

void CheckForLeaks() {
#if PKTC_SANITIZED_RUNTIME
  __lsan_do_leak_check();
#endif
}

#if PKTC_SANITIZED_RUNTIME
namespace {
void* volatile g_leaked;  // Where the self-tests keep their pointers from the optimizer.
}  // namespace
#endif

void RunSanitizerSelfTest() {
#if PKTC_SANITIZED_RUNTIME
  const char* test = std::getenv("PKTC_SANITIZER_SELF_TEST");
  if (!test) return;
  if (std::strcmp(test, "use-after-free") == 0) {
    char* bytes = new char[4];
    g_leaked = bytes;
    delete[] bytes;
    static_cast<char*>(g_leaked)[0] = 1;
  } else if (std::strcmp(test, "signed-overflow") == 0) {
    volatile int max = INT_MAX;
    volatile int sum = max + 1;
    (void)sum;
  } else if (std::strcmp(test, "leak") == 0) {
    g_leaked = std::malloc(64);
    g_leaked = nullptr;
  }
#endif
}

}  // namespace pktc::rt
