// A long-lived worker thread for blocking system calls.
#include "exec/call_thread.h"

#include <sched.h>

#include <utility>

namespace pktc::rt {

CallThread::~CallThread() {
  if (!created_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  pthread_join(thread_, nullptr);
}

bool CallThread::Create() {
  if (created_) return true;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  // A small stack: under mlockall(MCL_FUTURE) a thread's stack pages are locked as they are
  // touched, and the default 8 MB is far more than a system call needs.
  pthread_attr_setstacksize(&attr, 256 * 1024);
  created_ = pthread_create(&thread_, &attr, Loop, this) == 0;
  pthread_attr_destroy(&attr);
  // The creator's real-time policy, set explicitly: SCHED_RESET_ON_FORK (which keeps
  // commands at normal priority) gives new threads SCHED_OTHER too, and its 50 us timer slack
  // made calls start late.
  int policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
  sched_param param{};
  if (created_ && policy != SCHED_OTHER && sched_getparam(0, &param) == 0) {
    pthread_setschedparam(thread_, policy, &param);  // Best effort.
  }
  return created_;
}

void CallThread::Post(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = std::move(job);
    busy_ = true;
  }
  cv_.notify_all();
}

void CallThread::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !busy_; });
}

void* CallThread::Loop(void* arg) {
  auto* self = static_cast<CallThread*>(arg);
  std::unique_lock<std::mutex> lock(self->mu_);
  for (;;) {
    self->cv_.wait(lock, [self] { return self->busy_ || self->stop_; });
    if (self->busy_) {
      std::function<void()> job = std::move(self->job_);
      lock.unlock();
      job();
      lock.lock();
      self->busy_ = false;
      self->cv_.notify_all();
    } else if (self->stop_) {
      return nullptr;
    }
  }
}

}  // namespace pktc::rt
