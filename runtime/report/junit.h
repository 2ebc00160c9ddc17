// JUnit XML for CI systems: one testsuite per script, one testcase per IP family.
#ifndef PKTC_RUNTIME_REPORT_JUNIT_H_
#define PKTC_RUNTIME_REPORT_JUNIT_H_

#include <string>
#include <vector>

#include "pktc/runtime.h"
#include "report/ktap.h"

namespace pktc::rt {

/// The XML text (the common Ant/Jenkins subset: failure, skipped, system-out).
std::string JunitXml(const ScriptInfo& script, const std::vector<FamilyResult>& results);

/// Writes it atomically (temporary file, then rename), so a reader never sees half a report.
bool WriteJunit(const std::string& path, const ScriptInfo& script,
                const std::vector<FamilyResult>& results, std::string* error);

}  // namespace pktc::rt

#endif  // PKTC_RUNTIME_REPORT_JUNIT_H_
