// Command-line and header options of a test binary (packetdrill-compatible names).
#ifndef PKTC_RUNTIME_HARNESS_OPTIONS_H_
#define PKTC_RUNTIME_HARNESS_OPTIONS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exec/family_config.h"
#include "option_table.h"
#include "pktc/runtime.h"

namespace pktc::rt {

/// The settings options set (common/option_table.h): the header's, then the command line's.
using pktc::Options;

/// Applies the header options, then the command line. Returns false with a one-line reason.
bool ParseOptions(const ScriptInfo& script, int argc, char** argv, Options* options,
                  std::string* error);

/// The --help text of a test binary.
std::string UsageText(const ScriptInfo& script, const char* argv0);

/// Resolves one family's addresses: the kernel selftest runner's defaults, overridden by
/// address options whose family fits.
bool ResolveFamily(const Options& options, const std::string& family, FamilyConfig* config,
                   std::string* error);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_HARNESS_OPTIONS_H_
