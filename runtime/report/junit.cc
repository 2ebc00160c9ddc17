// JUnit XML writer.
#include "report/junit.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pktc/run_report.h"

namespace pktc::rt {

namespace {
/// Escapes XML text and drops control characters, which XML 1.0 cannot carry.
std::string Xml(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t') break;
        out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

/// The first line that names a script line ("x.pkt:21: error ..."), for the failure message.
std::string FailureMessage(const FamilyResult& r) {
  for (const std::string& line : r.lines) {
    if (line.find(".pkt:") != std::string::npos && line.find("error") != std::string::npos) {
      return line;
    }
  }
  return r.lines.empty() ? "failed" : r.lines.back();
}

bool TimingFailure(const FamilyResult& r) {
  for (const std::string& line : r.lines) {
    if (line == report::kTimingFailure) return true;
  }
  return false;
}
}  // namespace

std::string JunitXml(const ScriptInfo& script, const std::vector<FamilyResult>& results) {
  int failures = 0, skipped = 0;
  double total = 0;
  for (const FamilyResult& r : results) {
    failures += r.verdict == Verdict::kFail;
    skipped += r.verdict == Verdict::kSkip;
    total += r.seconds;
  }
  std::string name = Xml(script.name);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites tests=\"" + std::to_string(results.size()) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"0\" skipped=\"" + std::to_string(skipped) +
         "\" time=\"" + Seconds(total) + "\">\n";
  xml += "  <testsuite name=\"" + name + "\" tests=\"" + std::to_string(results.size()) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" skipped=\"" +
         std::to_string(skipped) + "\" time=\"" + Seconds(total) + "\">\n";
  for (const FamilyResult& r : results) {
    std::string output;
    for (const std::string& line : r.lines) output += line + "\n";
    xml += "    <testcase classname=\"pktc." + name + "\" name=\"" + Xml(r.family) + "\" file=\"" +
           Xml(script.path) + "\" time=\"" + Seconds(r.seconds) + "\"";
    switch (r.verdict) {
      case Verdict::kPass:
        xml += output.empty()
                   ? "/>\n"
                   : ">\n      <system-out>" + Xml(output) + "</system-out>\n    </testcase>\n";
        break;
      case Verdict::kFail:
        // type "timing": only an event outside its window (see pktc/run_report.h), which a
        // runner may retry and report as flaky.
        xml += ">\n      <failure message=\"" + Xml(FailureMessage(r)) + "\" type=\"" +
               (TimingFailure(r) ? "timing" : "failure") + "\">" + Xml(output) +
               "</failure>\n    </testcase>\n";
        break;
      case Verdict::kSkip:
        xml += ">\n      <skipped message=\"" + Xml(r.reason) + "\"/>\n    </testcase>\n";
        break;
      case Verdict::kXfail:
        // XFAIL (KSFT_MACHINE_SLOW) counts as passing; the property says what happened.
        xml +=
            ">\n      <properties><property name=\"ktap\" value=\"XFAIL\"/></properties>\n"
            "      <system-out>" +
            Xml(output) + "</system-out>\n    </testcase>\n";
        break;
    }
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

bool WriteJunit(const std::string& path, const ScriptInfo& script,
                const std::vector<FamilyResult>& results, std::string* error) {
  std::string xml = JunitXml(script, results);
  struct stat st;
  bool descriptor = path.rfind("/dev/fd/", 0) == 0 || path.rfind("/proc/self/fd/", 0) == 0;
  if (descriptor || (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))) {
    // An inherited descriptor (pktc-run passes a memfd) or a device: write in place.
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f || std::fwrite(xml.data(), 1, xml.size(), f) != xml.size() || std::fclose(f) != 0) {
      *error = "cannot write " + path + ": " + std::strerror(errno);
      return false;
    }
    return true;
  }
  // Otherwise atomically: a reader never sees half a report.
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f || std::fwrite(xml.data(), 1, xml.size(), f) != xml.size() || std::fclose(f) != 0 ||
      std::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace pktc::rt
