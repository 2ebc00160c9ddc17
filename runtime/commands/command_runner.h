// Shell commands of a script, run with /bin/sh in a private directory that holds the helper
// files embedded at compile time.
#ifndef PKTC_RUNTIME_COMMANDS_COMMAND_RUNNER_H_
#define PKTC_RUNTIME_COMMANDS_COMMAND_RUNNER_H_

#include <string>

#include "pktc/runtime.h"

namespace pktc::rt {

class CommandRunner {
 public:
  CommandRunner() = default;
  ~CommandRunner();
  CommandRunner(const CommandRunner&) = delete;
  CommandRunner& operator=(const CommandRunner&) = delete;

  /// Creates the private directory and writes the embedded files in the layout the commands
  /// expect (`../common/x.sh` works too).
  bool Prepare(const ScriptInfo& script, std::string* error);
  /// Runs `text` with `/bin/sh -c` from the script's directory, with PACKETDRILL_PID set as
  /// packetdrill does. Returns false with "non-zero status N" and the like.
  bool Run(const std::string& text, std::string* error);
  const std::string& work_dir() const { return work_dir_; }

 private:
  std::string base_dir_;
  std::string work_dir_;
};

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_COMMANDS_COMMAND_RUNNER_H_
