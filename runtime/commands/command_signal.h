// The SIGCHLD side effect of running a command, as packetdrill's system() has it.
#ifndef PKTC_RUNTIME_COMMANDS_COMMAND_SIGNAL_H_
#define PKTC_RUNTIME_COMMANDS_COMMAND_SIGNAL_H_

#include <pthread.h>
#include <signal.h>

namespace pktc::rt {

/// Scope of one command (shell line or code block). packetdrill runs commands with glibc's
/// system(), which blocks SIGCHLD in the calling thread only; the command's exit then raises a
/// SIGCHLD that the kernel hands to the one thread with it unblocked: a thread blocked in a
/// system call for the script. That interrupts the call, and a write() that has copied part of
/// its buffer returns the partial count (tcp_blocking_blocking-write.pkt depends on it). A call
/// that has made no progress restarts unseen. This scope blocks SIGCHLD the same way and, for a
/// command run in process (no child to exit), raises the one SIGCHLD itself at the end.
class CommandSignalScope {
 public:
  CommandSignalScope();
  ~CommandSignalScope();
  CommandSignalScope(const CommandSignalScope&) = delete;
  CommandSignalScope& operator=(const CommandSignalScope&) = delete;

  /// In a forked child before exec: the command itself starts with the caller's mask.
  void RestoreInChild() const { pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr); }

  /// The command ran in this process: raise the SIGCHLD a child's exit would have raised.
  void RanInProcess() { in_process_ = true; }

 private:
  sigset_t old_mask_;
  bool in_process_ = false;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_COMMANDS_COMMAND_SIGNAL_H_
