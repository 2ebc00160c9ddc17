// The pktc driver: reads a script, runs the compiler stages, writes C++ or links a test binary.
#ifndef PKTC_COMPILER_DRIVER_DRIVER_H_
#define PKTC_COMPILER_DRIVER_DRIVER_H_

#include <string>
#include <vector>

namespace pktc {

enum class EmitKind { kExecutable, kCpp, kIr };

struct DriverOptions {
  std::vector<std::string> inputs;  ///< One, or several with --check or for a suite.
  std::string input;
  std::string output;  ///< Empty: derived from the input name ("-" is stdout for --emit=cpp).
  std::vector<std::string> defines;  ///< NAME=VALUE
  EmitKind emit = EmitKind::kExecutable;
  bool check_only = false;
  bool line_directives = true;
  bool verbose = false;      ///< Print the C++ compiler command.
  unsigned jobs = 0;          ///< -j: compilers at once for a suite; 0 is the CPU count.
  // Make-style dependency output, with GCC's meanings.
  bool deps_only = false;     ///< -M: print the rule to stdout, build nothing.
  bool write_deps = false;    ///< -MD: write a depfile while building.
  std::string deps_file;      ///< -MF (default: OUTPUT.d)
  std::string deps_target;    ///< -MT (default: the output)
  bool phony_deps = false;    ///< -MP
  /// --sanitize: "address", "undefined" or both, in that order (ParseSanitizers); empty for a
  /// normal, static test binary.
  std::vector<std::string> sanitizers;
  /// --target: the triple to build the test binary for (targets.h); empty for the host's.
  std::string target;
  std::string argv0;         ///< To find the runtime next to the pktc executable.
  void* main_address = nullptr;
};

/// Parses --sanitize's comma-separated list into `sanitizers`: "address" and "undefined", each
/// once and in that order. False, with a one-line message in `error`, for anything else.
bool ParseSanitizers(const std::string& list, std::vector<std::string>* sanitizers,
                     std::string* error);

/// Runs the compiler; returns the process exit code (0 ok, 1 diagnostics or failed build).
int RunDriver(const DriverOptions& options);

/// Builds one test binary holding every script of `options.inputs` (a suite): checks them all,
/// compiles each one's code as a translation unit of its own, `jobs` at a time, and links once.
/// Returns the process exit code; `options.output` is written only if everything succeeded.
int RunSuiteDriver(const DriverOptions& options);

/// `inputs` with each directory replaced by the .pkt scripts in it, sorted; false (with the
/// error reported) for a directory without scripts or that cannot be read.
bool ExpandInputs(const std::vector<std::string>& inputs, std::vector<std::string>* scripts);

/// The CPUs this process may run on: the default number of parallel compiles of a suite.
unsigned DefaultJobs();

/// Version line: "pktc 0.1.0 (git abc1234)".
std::string VersionString();

}  // namespace pktc

#endif  // PKTC_COMPILER_DRIVER_DRIVER_H_
