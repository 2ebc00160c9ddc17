// Missing kernel features in a failed run's output (see missing_feature.h).
#include "harness/missing_feature.h"

namespace pktc::rt {

namespace {

/// The reason a line gives for a refused setting, as sysctl(8) (and pktc's native sysctl)
/// and the shell print them, or "".
std::string RefusedSetting(const std::string& line) {
  const std::string setting = "sysctl: setting key \"";
  if (std::size_t at = line.find(setting); at != std::string::npos) {
    std::size_t start = at + setting.size();
    std::size_t quote = line.find('"', start);
    if (quote != std::string::npos && line.find("Invalid argument", quote) != std::string::npos) {
      return "the kernel rejects the value of " + line.substr(start, quote - start) +
             " (Invalid argument)";
    }
  }
  const std::string stat = "sysctl: cannot stat /proc/sys/";
  if (std::size_t at = line.find(stat); at != std::string::npos) {
    std::size_t start = at + stat.size();
    std::size_t colon = line.find(':', start);
    if (colon != std::string::npos && line.find("No such file", colon) != std::string::npos) {
      std::string key = line.substr(start, colon - start);
      for (char& c : key) c = c == '/' ? '.' : c;
      return "the kernel has no " + key;
    }
  }
  return "";
}

}  // namespace

std::optional<std::string> MissingFeatureReason(const std::vector<std::string>& output) {
  std::string refused;
  for (const std::string& line : output) {
    if (std::string reason = RefusedSetting(line); !reason.empty()) refused = reason;
    bool command_failed =
        line.find(": error executing ") != std::string::npos && line.find("command") != std::string::npos;
    if (command_failed) {
      if (refused.empty()) return std::nullopt;
      return refused;
    }
  }
  return std::nullopt;
}

}  // namespace pktc::rt
