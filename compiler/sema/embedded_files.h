// Finds the helper files a shell command names relative to the script (`./defaults.sh`), so
// the compiler can embed them in the test binary.
#ifndef PKTC_COMPILER_SEMA_EMBEDDED_FILES_H_
#define PKTC_COMPILER_SEMA_EMBEDDED_FILES_H_

#include <string>
#include <vector>

namespace pktc {

/// The words of a shell command that name relative paths (`./x`, `../common/y.sh`, `dir/z`),
/// in order of first appearance, without duplicates. Absolute paths and words with shell
/// expansions (`$`, `*`) are left out: they are not files next to the script.
std::vector<std::string> RelativePathsInCommand(const std::string& command);

/// The relative paths a helper file (a shell or Python script a command runs) names, as
/// RelativePathsInCommand finds them, outside `#` comments.
std::vector<std::string> RelativePathsInHelper(const std::string& text);

/// Normalises "a/./b/../c" to "a/c" (keeping leading "..").
std::string NormalizeRelativePath(const std::string& path);

}  // namespace pktc

#endif  // PKTC_COMPILER_SEMA_EMBEDDED_FILES_H_
