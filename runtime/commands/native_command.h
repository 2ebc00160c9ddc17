// Shell command lines run without a shell: the lines packetdrill scripts use (sysctl, ip
// tcp_metrics flush, tc qdisc add|replace ... pfifo [limit N]|fq and tc qdisc del, ip link set
// ... mtu, ethtool -K, echo into /proc, set_sysctls.py, rm -f, dd ... status=none, nstat,
// grep of fixed strings in files or down a pipeline, and shell scripts made only of such lines)
// are done natively through procfs, netlink and ioctl, so a test runs where there is no shell
// and no python.
#ifndef PKTC_RUNTIME_COMMANDS_NATIVE_COMMAND_H_
#define PKTC_RUNTIME_COMMANDS_NATIVE_COMMAND_H_

#include <ctime>
#include <functional>
#include <string>

namespace pktc::rt {

struct NativeCommandContext {
  std::string work_dir;     ///< Where relative paths (./defaults.sh) are looked up.
  std::string packetdrill_pid;  ///< $PPID in commands: the test's pid, as under packetdrill.
};

/// Runs `text` natively if every line of it is in the supported subset. Returns false (and
/// does nothing) otherwise, so the caller runs it with /bin/sh instead. On true, `status` is
/// the shell's exit status the text would have had; messages go to stderr as the real tools
/// print them.
bool RunNativeCommand(const std::string& text, const NativeCommandContext& context, int* status);

/// True if `text` would run natively (for reports and tests; runs nothing).
bool IsNativeCommand(const std::string& text, const NativeCommandContext& context);

/// The operand of a `sleep` that runs natively: a plain decimal number of seconds ("5", "0.25",
/// at most 9 digits before the point) into `duration`. False for anything else (a suffix, "inf",
/// a sign, an exponent), which the real sleep then gets.
bool ParseSleepOperand(const std::string& text, timespec* duration);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_COMMANDS_NATIVE_COMMAND_H_
