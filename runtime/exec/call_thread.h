// The thread that runs blocking system calls (`T1...T2 call()` events).
#ifndef PKTC_RUNTIME_EXEC_CALL_THREAD_H_
#define PKTC_RUNTIME_EXEC_CALL_THREAD_H_

#include <pthread.h>

#include <condition_variable>
#include <functional>
#include <mutex>

namespace pktc::rt {

/// One long-lived thread that runs one job at a time. Created before the script starts: a
/// thread created at the event took 100-230 us to start (stack, scheduling), which made every
/// blocking call start that late.
class CallThread {
 public:
  CallThread() = default;
  ~CallThread();
  CallThread(const CallThread&) = delete;
  CallThread& operator=(const CallThread&) = delete;

  /// Starts the thread. It inherits the caller's signal mask and scheduling policy, so call it
  /// outside a command (see CommandSignalScope) and after the policy is set.
  bool Create();
  /// Runs `job` on the thread; the previous job must have returned (WaitIdle).
  void Post(std::function<void()> job);
  /// Waits until the posted job, if any, has returned.
  void WaitIdle();

 private:
  static void* Loop(void* self);

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool busy_ = false;
  bool stop_ = false;
  bool created_ = false;
  pthread_t thread_{};
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_EXEC_CALL_THREAD_H_
