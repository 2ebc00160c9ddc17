// pktc --target: which triples pktc knows, which of them have a runtime installed, and the
// cross compiler each needs. The host's target uses the default runtime (lib/); any other is a
// runtime variant, lib/pktc/<triple>/, compiled with <triple>-g++.
#ifndef PKTC_COMPILER_DRIVER_TARGETS_H_
#define PKTC_COMPILER_DRIVER_TARGETS_H_

#include <string>
#include <vector>

namespace pktc {

/// The triple pktc builds for by default (the host's: the compiler pktc was built with).
std::string HostTarget();

/// True for a triple pktc knows (x86_64-linux-gnu, aarch64-linux-gnu).
bool IsKnownTarget(const std::string& triple);

/// "" for the host (or an empty name); else the triple itself, the name of its runtime variant.
std::string TargetVariant(const std::string& triple);

/// The C++ compiler for a cross target ("aarch64-linux-gnu-g++") and the Debian package that
/// installs it ("g++-aarch64-linux-gnu").
std::string CrossCompiler(const std::string& triple);
std::string CrossCompilerPackage(const std::string& triple);

/// The known targets whose runtime is installed under `prefix` (the directory above bin/pktc),
/// the host's first.
std::vector<std::string> InstalledTargets(const std::string& prefix);

/// The directory above bin/pktc (the build or install tree's prefix).
std::string PktcPrefix(const std::string& argv0, void* main_address);

/// A one-line reason why `triple` cannot be used for --target (unknown), or "".
std::string CheckTargetName(const std::string& triple);

}  // namespace pktc

#endif  // PKTC_COMPILER_DRIVER_TARGETS_H_
