// pktc --target (see targets.h).
#include "driver/targets.h"

#include <algorithm>
#include <iterator>

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "pktc_config.h"

namespace pktc {

namespace {
const char* const kKnownTargets[] = PKTC_KNOWN_TARGETS;
}  // namespace

std::string HostTarget() { return PKTC_HOST_TARGET; }

bool IsKnownTarget(const std::string& triple) {
  return triple == HostTarget() ||
         std::find(std::begin(kKnownTargets), std::end(kKnownTargets), triple) !=
             std::end(kKnownTargets);
}

std::string TargetVariant(const std::string& triple) {
  return triple.empty() || triple == HostTarget() ? "" : triple;
}

std::string CrossCompiler(const std::string& triple) { return triple + "-g++"; }

std::string CrossCompilerPackage(const std::string& triple) {
  std::string package = "g++-" + triple;
  std::replace(package.begin(), package.end(), '_', '-');  // g++-x86-64-linux-gnu
  return package;
}

std::vector<std::string> InstalledTargets(const std::string& prefix) {
  auto exists = [&](std::initializer_list<llvm::StringRef> parts) {
    llvm::SmallString<256> path(prefix);
    for (llvm::StringRef part : parts) llvm::sys::path::append(path, part);
    return llvm::sys::fs::exists(path);
  };
  std::vector<std::string> targets;
  if (exists({"lib", "libpktc_runtime.a"})) targets.push_back(HostTarget());
  for (const char* triple : kKnownTargets) {
    if (triple == HostTarget()) continue;
    if (exists({"lib", "pktc", triple, "libpktc_runtime.a"})) targets.push_back(triple);
  }
  return targets;
}

std::string PktcPrefix(const std::string& argv0, void* main_address) {
  std::string exe = llvm::sys::fs::getMainExecutable(argv0.c_str(), main_address);
  return std::string(llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
}

std::string CheckTargetName(const std::string& triple) {
  if (IsKnownTarget(triple)) return "";
  std::string known;
  for (const char* t : kKnownTargets) known += (known.empty() ? "" : ", ") + std::string(t);
  return "unknown target '" + triple + "' (known: " + known +
         "; pktc --print-targets lists the installed ones)";
}

}  // namespace pktc
