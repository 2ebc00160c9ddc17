// The test history file (see test_history.h).
#include "test_history.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace pktc::runner {

TestHistory ParseHistory(const std::string& text) {
  TestHistory history;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t tab = line.find('\t');
    if (tab == 0 || tab == std::string::npos) continue;
    char* end = nullptr;
    TestRecord r;
    r.seconds = std::strtod(line.c_str() + tab + 1, &end);
    if (end == line.c_str() + tab + 1) continue;
    if (*end == '\t') {
      char* margin_end = nullptr;
      double margin = std::strtod(end + 1, &margin_end);
      if (margin_end != end + 1) r.margin = margin;
      std::size_t repeated = line.find('\t', static_cast<std::size_t>(end + 1 - line.c_str()));
      if (repeated != std::string::npos) {
        std::istringstream items(line.substr(repeated + 1));
        std::string item;
        while (std::getline(items, item, ',')) {
          if (item.find(':') != std::string::npos) r.repeated_timing_failures.insert(item);
        }
      }
    }
    history[line.substr(0, tab)] = r;
  }
  return history;
}

std::string FormatHistory(const TestHistory& history) {
  std::string out;
  char buf[64];
  for (const auto& [name, r] : history) {
    std::snprintf(buf, sizeof buf, "\t%.3f", r.seconds);
    out += name + buf;
    if (r.margin) {
      std::snprintf(buf, sizeof buf, "\t%.3f", *r.margin);
      out += buf;
    } else if (!r.repeated_timing_failures.empty()) {
      out += "\t-";
    }
    const char* separator = "\t";
    for (const std::string& item : r.repeated_timing_failures) {
      out += separator + item;
      separator = ",";
    }
    out += '\n';
  }
  return out;
}

TestHistory ReadHistory(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseHistory(text.str());
}

void WriteHistory(const std::string& path, const TestHistory& history) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp);
    out << FormatHistory(history);
    if (!out) {
      std::remove(tmp.c_str());
      return;
    }
  }
  std::rename(tmp.c_str(), path.c_str());
}

}  // namespace pktc::runner
