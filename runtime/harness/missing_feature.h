// Telling a kernel that lacks a feature from a test that fails: with --skip-missing-features a
// run whose command failed because the kernel has no such sysctl, or rejects its value with
// EINVAL (tcp_ecn=3 on a kernel without AccECN), is a skip naming the setting.
#ifndef PKTC_RUNTIME_HARNESS_MISSING_FEATURE_H_
#define PKTC_RUNTIME_HARNESS_MISSING_FEATURE_H_

#include <optional>
#include <string>
#include <vector>

namespace pktc::rt {

/// Given what a failed run printed, the one-line reason to skip it ("the kernel has no
/// net.ipv4.tcp_foo"), if it failed in a command (`error executing ... command`) right after
/// the kernel refused a setting; nullopt for any other failure.
std::optional<std::string> MissingFeatureReason(const std::vector<std::string>& output);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_HARNESS_MISSING_FEATURE_H_
