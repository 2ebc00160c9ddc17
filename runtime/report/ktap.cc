// KTAP printing.
#include "report/ktap.h"

#include <cstdio>

namespace pktc::rt {

void PrintKtapHeader(int planned) {
  std::printf("TAP version 13\n1..%d\n", planned);
  std::fflush(stdout);
}

void PrintKtapResult(int number, const FamilyResult& r) {
  for (const std::string& line : r.lines) std::printf("# %s\n", line.c_str());
  switch (r.verdict) {
    case Verdict::kPass: std::printf("ok %d %s\n", number, r.family.c_str()); break;
    case Verdict::kFail: std::printf("not ok %d %s\n", number, r.family.c_str()); break;
    case Verdict::kSkip:
      std::printf("ok %d %s # SKIP %s\n", number, r.family.c_str(), r.reason.c_str());
      break;
    case Verdict::kXfail: std::printf("ok %d %s # XFAIL\n", number, r.family.c_str()); break;
  }
  std::fflush(stdout);
}

int PrintKtapTotals(const std::vector<FamilyResult>& results) {
  int pass = 0, fail = 0, skip = 0, xfail = 0;
  for (const FamilyResult& r : results) {
    pass += r.verdict == Verdict::kPass;
    fail += r.verdict == Verdict::kFail;
    skip += r.verdict == Verdict::kSkip;
    xfail += r.verdict == Verdict::kXfail;
  }
  std::printf("# Totals: pass:%d fail:%d xfail:%d xpass:0 skip:%d error:0\n", pass, fail, xfail,
              skip);
  std::fflush(stdout);
  if (fail) return 1;
  if (skip && !pass && !xfail) return 4;
  return 0;
}

}  // namespace pktc::rt
