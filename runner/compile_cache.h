// Scripts given to pktc-run are compiled through a cache keyed by content: the script, every
// helper file it embeds (pktc -M lists them), the compiler itself and the target (--target).
#ifndef PKTC_RUNNER_COMPILE_CACHE_H_
#define PKTC_RUNNER_COMPILE_CACHE_H_

#include <string>
#include <vector>

namespace pktc::runner {

/// Runs a command and returns its exit status (its stdout in `out` if given; otherwise stdout
/// and stderr go to pktc-run's stderr, whole). The command gets SIGTERM if the runner dies, so
/// pktc can stop its compiler and clean up.
int RunCommand(const std::vector<std::string>& argv, std::string* out);

/// The binary for `script` from `cache_dir`, compiling it with `pktc` if the cache has none for
/// this content; "" if it does not compile (pktc's diagnostics printed). A non-empty `target`
/// is passed on as pktc --target=TARGET and is part of the key (and of the binary's name), so
/// one cache holds a script's binaries for several targets.
std::string CompileCached(const std::string& pktc, const std::string& cache_dir,
                          const std::string& script, const std::string& target = "");

/// The test's name: the file name without directory and `.pkt`.
std::string TestName(const std::string& path);

std::string ReadFile(const std::string& path);

}  // namespace pktc::runner

#endif  // PKTC_RUNNER_COMPILE_CACHE_H_
