// SIGCHLD around commands, as glibc's system() delivers it.
#include "commands/command_signal.h"

#include <pthread.h>
#include <unistd.h>

namespace pktc::rt {

CommandSignalScope::CommandSignalScope() {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &chld, &old_mask_);
}

CommandSignalScope::~CommandSignalScope() {
  // With SIGCHLD at its default disposition (ignore) and blocked here, the signal goes to the
  // thread of a blocking system call if there is one, and is otherwise discarded on unblock.
  if (in_process_) kill(getpid(), SIGCHLD);
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace pktc::rt
