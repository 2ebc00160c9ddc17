// KTAP output in the shape of the kernel's packetdrill runner (ksft_runner.sh).
#ifndef PKTC_RUNTIME_REPORT_KTAP_H_
#define PKTC_RUNTIME_REPORT_KTAP_H_

#include <string>
#include <vector>

namespace pktc::rt {

enum class Verdict { kPass, kFail, kSkip, kXfail };

struct FamilyResult {
  std::string family;
  Verdict verdict = Verdict::kPass;
  std::string reason;              ///< For skips: why.
  std::vector<std::string> lines;  ///< What the run printed, shown as KTAP diagnostics.
  double seconds = 0;
};

/// Prints "TAP version 13" and the plan.
void PrintKtapHeader(int planned);
/// Prints a result's diagnostics and its "ok N family" line.
void PrintKtapResult(int number, const FamilyResult& result);
/// Prints the "# Totals:" line and returns the kselftest exit code (0 pass, 1 fail, 4 skip).
int PrintKtapTotals(const std::vector<FamilyResult>& results);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_REPORT_KTAP_H_
