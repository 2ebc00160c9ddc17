// The pktc driver: reads a script, runs the compiler stages, writes C++ or links a test binary.
#ifndef PKTC_COMPILER_DRIVER_H_
#define PKTC_COMPILER_DRIVER_H_

#include <string>
#include <vector>

namespace pktc {

enum class EmitKind { kExecutable, kCpp };

struct DriverOptions {
  std::string input;
  std::string output;  ///< Empty: derived from the input name ("-" is stdout for --emit=cpp).
  std::vector<std::string> defines;  ///< NAME=VALUE
  EmitKind emit = EmitKind::kExecutable;
  bool check_only = false;
  bool line_directives = true;
  bool verbose = false;      ///< Print the C++ compiler command.
  std::string argv0;         ///< To find the runtime next to the pktc executable.
  void* main_address = nullptr;
};

/// Runs the compiler; returns the process exit code (0 ok, 1 diagnostics or failed build).
int RunDriver(const DriverOptions& options);

/// Version line: "pktc 0.1.0 (git abc1234)".
std::string VersionString();

}  // namespace pktc

#endif  // PKTC_COMPILER_DRIVER_H_
